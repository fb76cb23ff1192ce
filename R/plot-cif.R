#' Plot cumulative incidence curves
#'
#' Draws the cumulative incidence curves of a [cif()] fit with the
#' machinery of [plot.cs_km()]: step curves rising from 0, optional
#' confidence bands, a legend and the number at risk under the x-axis.
#' With several groups and several causes, each cause gets a panel of its
#' own, side by side, with the groups as curves; with one group (or
#' `panels = FALSE`) the causes share one panel.
#'
#' @param x A `cs_cif` object from [cif()].
#' @param states The causes to draw (by default all of them); `"(s0)"`
#'   draws the event-free probability too.
#' @param panels `TRUE` (the default) for one panel per cause when the fit
#'   has several groups; `FALSE` for all curves in one panel.
#' @param ylab Label of the y-axis.
#' @param labels Names of the curves in the legend and risk table, one per
#'   group (panels) or per group and cause (one panel); by default the group
#'   labels, with the cause appended in a shared panel.
#' @param main Titles of the panels (one per panel); by default the cause
#'   names when there are several panels.
#' @param censor_marks If `TRUE`, mark censoring times with a tick.
#' @param pval If `TRUE`, write in each panel of a single cause the P value
#'   of Gray's test of that cause ([gray_test()] on the fit's formula and
#'   data, stratified by its `strata()` terms); `FALSE` (the default) writes
#'   none.
#' @param stacked If `TRUE`, draw instead one panel per group with the
#'   cumulative incidences of `states` stacked as shaded bands (the top of
#'   the last band is the probability of any of them; with `"(s0)"` among
#'   `states` the bands fill the panel), without a risk table. Takes
#'   `xscale`, `xlab`, `col` and `main` from `...`.
#' @param ... Further arguments of [plot.cs_km()]: `risk_table`, `times`,
#'   `xlim`, `xscale`, `conf_int`, `legend`, `annotate`, `col`, `lty`,
#'   `lwd`, `xlab` and graphical parameters.
#' @returns Invisibly, the risk tables drawn (a list with one data frame
#'   per panel, as [plot.cs_km()] returns them); with `stacked = TRUE`, per
#'   group a list of the times and a matrix of the top of each band.
#' @references
#' Aalen OO, Johansen S (1978). An empirical transition matrix for
#' non-homogeneous Markov chains based on censored observations.
#' *Scandinavian Journal of Statistics* 5, 141-150.
#' @examples
#' library(survival)
#' d <- mgus2
#' d$etime <- ifelse(d$pstat == 1, d$ptime, d$futime)
#' d$event <- factor(ifelse(d$pstat == 1, 1, 2 * d$death), 0:2,
#'                   c("censor", "pcm", "death"))
#' fit <- cif(Surv(etime, event) ~ sex, data = d)
#' plot(fit, xscale = 12, conf_int = TRUE)
#' plot(cif(Surv(etime, event) ~ 1, data = d), xscale = 12)
#' @export
plot.cs_cif <- function(x, states = x$states, panels = TRUE,
                        ylab = "Cumulative incidence", labels = NULL,
                        main = NULL, censor_marks = FALSE, pval = FALSE,
                        stacked = FALSE, ...) {
  all_states <- levels(x$curves$state)
  if (!is.character(states) || !length(states) || anyNA(states) ||
      !all(states %in% all_states) || anyDuplicated(states)) {
    cs_abort("`states` must name distinct states of the fit: ",
             paste0("\"", all_states, "\"", collapse = ", "), ".",
             arg = "states")
  }
  check_flag(panels, "panels")
  check_flag(stacked, "stacked")
  if (stacked) {
    return(invisible(cif_plot_stacked(x, states, ylab, main, labels, ...)))
  }
  check_flag(censor_marks, "censor_marks")
  if ("fun" %in% names(list(...))) {
    cs_abort("`fun` is not an argument of plot() for a cif() fit: it draws ",
             "cumulative incidence.", arg = "fun")
  }
  lev <- levels(x$curves$strata)
  groups <- curve_labels(lev, x$strata)
  split_panels <- panels && length(states) > 1L && length(lev) > 1L
  sets <- if (split_panels) as.list(states) else list(states)
  if (is.null(main) && split_panels) main <- states
  if (!is.null(main) && (!is.character(main) || length(main) != length(sets))) {
    cs_abort("`main` must be a character vector with one title per panel (",
             length(sets), ").", arg = "main")
  }
  if (length(sets) > 1L) {
    op <- graphics::par(mfrow = c(1L, length(sets)))
    on.exit(graphics::par(op), add = TRUE)
  }
  gray <- cif_gray_p(x, pval, parent.frame())
  out <- vector("list", length(sets))
  for (i in seq_along(sets)) {
    pk <- cif_as_km(x, sets[[i]], groups)
    lab <- if (is.null(labels)) pk$labels else labels
    note <- if (length(sets[[i]]) == 1L && !is.null(gray)) {
      p <- gray$p_value[gray$cause == sets[[i]]]
      if (length(p)) paste("Gray's test", format_p(p, prefix = TRUE))
    }
    dots <- list(...)
    if (length(note)) dots$annotate <- c(dots$annotate, note)
    args <- c(list(x = pk$fit, fun = "event", ylab = ylab, labels = lab,
                   censor_marks = censor_marks), dots)
    if (!is.null(main)) args$main <- main[i]
    out[[i]] <- do.call(plot.cs_km, args)
  }
  names(out) <- vapply(sets, paste, "", collapse = ", ")
  invisible(out)
}

# The curves of `states` of a cs_cif as a cs_km whose survival is 1 - F,
# one curve per group and state (plot.cs_km(fun = "event") draws F), with
# their labels (`groups`, the cause appended when several share a panel).
cif_as_km <- function(x, states, groups) {
  cv <- x$curves[x$curves$state %in% states, , drop = FALSE]
  lev <- levels(x$curves$strata)
  gi <- as.integer(cv$strata)
  si <- match(as.character(cv$state), states)
  key <- (gi - 1L) * length(states) + si
  o <- order(key, cv$time, method = "radix")
  cv <- cv[o, , drop = FALSE]
  key <- key[o]
  labs <- if (length(states) == 1L) groups else if (length(lev) == 1L)
    states else paste0(rep(groups, each = length(states)), ": ", states)
  present <- sort(unique(key))
  curves <- data.frame(
    strata = factor(match(key, present), seq_along(present),
                    labels = make.unique(labs[present])),
    time = cv$time, n_risk = cv$n_risk, n_event = cv$n_event,
    n_censor = cv$n_censor, surv = 1 - cv$estimate, std_err = cv$std_err,
    lower = 1 - cv$upper, upper = 1 - cv$lower
  )
  fit <- structure(list(
    curves = curves,
    table = data.frame(strata = levels(curves$strata), median = NA_real_),
    strata = NULL, call = NULL), class = "cs_km")
  list(fit = fit, labels = labs[present])
}

# The tests of gray_test() on the formula and data of the fit's call
# (evaluated in `env`) when `pval` is TRUE; NULL when FALSE.
cif_gray_p <- function(x, pval, env) {
  check_flag(pval, "pval")
  if (!pval) return(NULL)
  cl <- x$call
  if (is.null(cl) || is.null(cl$formula) || !is.null(cl$weights) ||
      x$type != "right" || length(x$strata$curve) < 2L) {
    cs_abort("`pval = TRUE` needs a cif() fit of right-censored data ",
             "without weights and with at least two groups (Gray's test).",
             arg = "pval")
  }
  gc <- as.call(c(list(gray_test),
                  as.list(cl)[intersect(names(cl), c("formula", "data",
                                                     "subset", "na.action"))]))
  tryCatch(eval(gc, env)$tests, error = function(e) {
    cs_abort("`pval = TRUE`: Gray's test of the fit's formula failed: ",
             conditionMessage(e), arg = "pval")
  })
}

# plot(stacked = TRUE): one panel per group, the states' incidences as
# stacked bands. Returns the stacked tops: per panel a list of the times and
# a matrix of the top of each band at them.
cif_plot_stacked <- function(x, states, ylab, main, labels, xscale = 1,
                             xlab = NULL, col = NULL, ...) {
  lev <- levels(x$curves$strata)
  groups <- if (is.null(labels)) curve_labels(lev, x$strata) else labels
  if (length(groups) != length(lev)) {
    cs_abort("`labels` must have one name per group (", length(lev), ").",
             arg = "labels")
  }
  if (is.null(main)) main <- if (length(lev) > 1L) groups else ""
  if (length(main) != length(lev)) {
    cs_abort("`main` must have one title per group (", length(lev), ").",
             arg = "main")
  }
  if (is.null(xlab)) xlab <- km_xlab(xscale)
  col <- rep_len(if (is.null(col)) km_colours[-1L] else col, length(states))
  if (length(lev) > 1L) {
    op <- graphics::par(mfrow = c(1L, length(lev)))
    on.exit(graphics::par(op), add = TRUE)
  }
  out <- list()
  for (g in seq_along(lev)) {
    cv <- x$curves[as.integer(x$curves$strata) == g, , drop = FALSE]
    tm <- sort(unique(cv$time))
    est <- vapply(states, function(s) {
      c1 <- cv[cv$state == s, , drop = FALSE]
      c1$estimate[match(tm, c1$time)]
    }, numeric(length(tm)))
    top <- t(apply(matrix(est, ncol = length(states)), 1L, cumsum))
    if (length(states) == 1L) top <- t(top)
    tt <- c(0, tm) / xscale
    graphics::plot(NA, xlim = range(tt), ylim = c(0, 1), xlab = xlab,
                   ylab = ylab, main = main[g], las = 1, ...)
    low <- rep(0, length(tt))
    for (j in seq_along(states)) {
      hi <- c(0, top[, j])
      xs <- c(rbind(tt, c(tt[-1L], tt[length(tt)])))
      graphics::polygon(c(xs, rev(xs)),
                        c(rep(hi, each = 2L), rev(rep(low, each = 2L))),
                        col = grDevices::adjustcolor(col[j], alpha.f = 0.6),
                        border = col[j])
      low <- hi
    }
    graphics::legend("topleft", rev(states), fill = grDevices::adjustcolor(
      rev(col), alpha.f = 0.6), border = rev(col), bty = "n")
    out[[lev[g]]] <- list(time = tm, top = unname(top))
  }
  out
}
