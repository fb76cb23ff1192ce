#' Plot Kaplan-Meier curves with a number-at-risk table
#'
#' Draws the survival curves of a [km()] fit in base graphics, as clinical
#' journals print them: step curves with censoring ticks, optional
#' confidence bands and median lines, a legend, an optional text block (the
#' hazard ratio and the log-rank P value) and, under the x-axis, the number
#' at risk in each group at each axis break, labelled "No. at risk".
#'
#' @param x A `cs_km` object from [km()].
#' @param risk_table What to tabulate under the plot at each labelled axis
#'   break: `TRUE` or `"at_risk"` (the default) for the number at risk,
#'   `"events"` for the events since the previous break, `"censored"` for
#'   the censorings since the previous break, `"cum_events"` for the events
#'   from the start; `FALSE` draws no table.
#' @param times The x-axis breaks, which are also the times of the risk
#'   table, in the units of the axis (the fit's time divided by `xscale`),
#'   e.g. `seq(0, 135, 15)`. `NULL` takes [pretty()] breaks over `xlim`, or
#'   from 0 to the largest follow-up time.
#' @param xlim The range of the x-axis, in the units of the axis; breaks,
#'   curves and risk-table columns outside it are not drawn. By default the
#'   range of `times`.
#' @param xscale The number of the fit's time units in one unit of the
#'   axis: 365.25 shows a time in days in years, 30.4375 in months, 7 in
#'   weeks.
#' @param conf_int If `TRUE`, shade the pointwise confidence band of each
#'   curve.
#' @param censor_marks If `TRUE`, mark censoring times with a tick (`+`).
#' @param median_lines If `TRUE`, draw dotted lines from S = 0.5 to each
#'   median survival time and down to the x-axis.
#' @param legend Where to put the legend: `"auto"` (the default) puts it
#'   inside the panel where it touches no curve, band or median line (top
#'   right, bottom left, bottom right, top left, then elsewhere), and above
#'   the panel, in as many columns as fit, when there is no such place; a
#'   keyword of [graphics::legend()] such as `"topright"` puts it there;
#'   `"direct"` writes each name at the end of its curve, in the right
#'   margin; `"table"` draws the line key of each curve before its name in
#'   the risk table instead of a legend (the default for more than eight
#'   curves with a risk table); `FALSE` draws none; a list is passed to `legend()`. A single
#'   curve has no legend unless a list is given.
#' @param annotate Optional character vector of text lines written inside
#'   the plot, such as
#'   `paste0(format_hr(0.47, 0.33, 0.69, prefix = TRUE), "; log-rank ",
#'   format_p(1e-5, prefix = TRUE))`.
#' @param annotate_pos Where to put `annotate` (and the P value): `"auto"`
#'   (the default) puts it where no curve passes and away from the legend,
#'   otherwise above the panel; or a keyword of [graphics::legend()] such as
#'   `"bottomleft"`.
#' @param pval If `TRUE`, write the log-rank P value of the curves,
#'   computed by [logrank()] on the fit's formula and data (stratified when
#'   the formula has `strata()` terms) and formatted by [format_p()]. A
#'   number is taken as the P value to write; `FALSE` (the default) writes
#'   none.
#' @param labels Names of the curves in the legend and the risk table;
#'   by default the strata labels of the fit, without the "variable=" prefix
#'   when the curves come from one variable. Names wider than 30% of the
#'   figure are cut, with "...", in both places alike.
#' @param xlab,ylab Axis labels; the default `xlab` names the unit that
#'   `xscale` gives ("Time (years)").
#' @param col Colours of the curves (recycled); by default eight colours
#'   that stay distinct for colour-blind readers and legible as text.
#' @param lty Line types of the curves (recycled); by default solid for the
#'   first eight curves, then a new line type with each round of colours,
#'   so that up to 32 curves differ.
#' @param lwd Line width of the curves.
#' @param risk_cex Character expansion of the risk table relative to the
#'   axis labels.
#' @param fun What to draw: `NULL` (the default) the survival curves;
#'   `"event"` the cumulative event probability 1 - S(t), rising from 0 (its
#'   band 1 - the band of S); `"cumhaz"` the cumulative hazard of the fit's
#'   `cumhaz` column (Nelson-Aalen, or Fleming-Harrington with
#'   `km(ctype = 2)`), its band `cumhaz` +/- z `std_chaz` cut at 0, as
#'   `plot.survfit(fun = "cumhaz")` draws it, on a y axis from 0 to the
#'   largest value drawn. Other values of `survfit`'s `fun` are refused.
#' @param ... Further graphical parameters passed to [graphics::plot()],
#'   such as `main`, `cex.axis`, `ylim`.
#'
#' @details
#' The layout is computed, in inches, from the device size and from the
#' text the figure must hold, before anything is drawn. The risk table is
#' drawn in the bottom margin with [graphics::mtext()] at the axis break
#' positions, so it is aligned with the x-axis by construction; its text
#' shrinks (to half size at most) to stay within about 30% of the figure
#' height. When neighbouring tick labels or counts would collide, their
#' text shrinks first, then every second (third, ...) break is left
#' unlabelled, and the risk table has a column only under the labelled
#' breaks. The numbers are those of `summary(x, times = breaks)`. The
#' graphical parameters changed are restored on exit, so further drawing
#' with `lines()` or `abline()` uses the plot's coordinates (in the units
#' of the axis) but not its margins.
#'
#' @returns Invisibly, the risk table drawn: a data frame with columns
#'   `strata, label, time, n_risk, n_event, n_censor, cum_event, value,
#'   text` (one row per curve and labelled break; `time` in the fit's
#'   units, `value` the number shown and `text` its string), with attributes
#'   `col` and `lty` (the styles used) and `layout` (the margins, the
#'   breaks, and the legend and annotation boxes in user coordinates).
#' @references
#' Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete
#' observations. *Journal of the American Statistical Association* 53,
#' 457-481.
#'
#' Pocock SJ, Clayton TC, Altman DG (2002). Survival plots of time-to-event
#' outcomes in clinical trials: good practice and pitfalls. *Lancet* 359,
#' 1686-1689.
#' @seealso [save_plot()] to write the figure to a pdf, png or svg file.
#' @examples
#' library(survival)
#' # Figure 1 of the seed paper, on the reconstructed cohort
#' fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
#' plot(fit, times = seq(0, 135, 15), xlab = "Months",
#'      ylab = "Overall survival",
#'      annotate = c(format_hr(0.47, 0.33, 0.69, prefix = TRUE),
#'                   paste("Log-rank", format_p(1e-5, prefix = TRUE))))
#'
#' # confidence bands and median lines
#' plot(km(Surv(time, status) ~ sex, data = lung), conf_int = TRUE,
#'      median_lines = TRUE, labels = c("Male", "Female"), xlab = "Days")
#'
#' # days shown in years, the log-rank P, cumulative events under the plot
#' plot(km(Surv(time, status) ~ rx, data = subset(colon, etype == 2)),
#'      xscale = 365.25, pval = TRUE, risk_table = "cum_events")
#'
#' # 18 curves: line keys before the names of the risk table
#' plot(km(Surv(time, status) ~ inst, data = lung), xscale = 30.4375)
#' @export
plot.cs_km <- function(x, risk_table = TRUE, times = NULL, conf_int = FALSE,
                       censor_marks = TRUE, median_lines = FALSE,
                       legend = "auto", annotate = NULL,
                       annotate_pos = "auto", labels = NULL,
                       xlab = NULL, ylab = "Survival probability",
                       col = NULL, lty = NULL, lwd = 2, risk_cex = 0.9,
                       xlim = NULL, xscale = 1, pval = FALSE, fun = NULL,
                       ...) {
  mode <- km_plot_fun(fun)
  event <- mode != "surv"
  if (missing(ylab)) {
    ylab <- switch(mode, surv = ylab, event = "Cumulative event probability",
                   cumhaz = "Cumulative hazard")
  }
  if (mode == "cumhaz") {
    if (is.null(x$curves$cumhaz) || is.null(x$curves$std_chaz)) {
      cs_abort("`fun = \"cumhaz\"` needs the `cumhaz` and `std_chaz` ",
               "columns of the curves, which this fit does not have.",
               arg = "fun")
    }
    if (isTRUE(median_lines)) {
      cs_abort("`median_lines` marks S = 0.5, which is not on the ",
               "cumulative-hazard scale; use `median_lines = FALSE` with ",
               "`fun = \"cumhaz\"`.", arg = "median_lines")
    }
  }
  what <- km_risk_what(risk_table)
  check_flag(conf_int, "conf_int")
  check_flag(censor_marks, "censor_marks")
  check_flag(median_lines, "median_lines")
  if (!is.numeric(xscale) || length(xscale) != 1L || is.na(xscale) ||
      !is.finite(xscale) || !(xscale > 0)) {
    cs_abort("`xscale` must be a single positive number.", arg = "xscale")
  }
  if (is.null(xlab)) xlab <- km_xlab(xscale)
  lev <- levels(x$curves$strata)
  k <- length(lev)
  if (is.null(labels)) labels <- curve_labels(lev, x$strata)
  if (!is.character(labels) || length(labels) != k) {
    cs_abort("`labels` must be a character vector with one name per curve (",
             k, ").", arg = "labels")
  }
  sty <- km_styles(k)
  col <- rep_len(if (is.null(col)) sty$col else col, k)
  lty <- rep_len(if (is.null(lty)) sty$lty else lty, k)
  if (!is.null(annotate) && (!is.character(annotate) || anyNA(annotate))) {
    cs_abort("`annotate` must be a character vector of text lines.",
             arg = "annotate")
  }
  if (!is.numeric(risk_cex) || length(risk_cex) != 1L || !(risk_cex > 0)) {
    cs_abort("`risk_cex` must be a single positive number.", arg = "risk_cex")
  }
  notes <- c(annotate, km_pval_text(x, pval, parent.frame()))
  if (identical(legend, "table") && is.null(what)) legend <- "auto"

  # the fit in the units of the axis
  xs <- x
  xs$curves$time <- x$curves$time / xscale
  xs$table$median <- x$table$median / xscale
  y0 <- 1
  if (mode == "cumhaz") {
    y0 <- 0
    z <- stats::qnorm(1 - (1 - km_conf_level(x)) / 2)
    xs$curves$surv <- xs$curves$cumhaz
    xs$curves$lower <- pmax(xs$curves$cumhaz - z * xs$curves$std_chaz, 0)
    xs$curves$upper <- xs$curves$cumhaz + z * xs$curves$std_chaz
  } else if (event) {
    y0 <- 0
    lo <- xs$curves$lower
    xs$curves$surv <- 1 - xs$curves$surv
    xs$curves$lower <- 1 - xs$curves$upper
    xs$curves$upper <- 1 - lo
  }
  ax <- km_axis(max(xs$curves$time), times, xlim)
  risk_all <- km_risk_values(x, ax$times * xscale, labels, what)

  dots <- list(...)
  cex_axis <- if (is.null(dots$cex.axis)) 1 else dots$cex.axis
  ylim <- if (!is.null(dots$ylim)) dots$ylim else if (mode == "cumhaz")
    c(0, km_cumhaz_top(xs$curves, conf_int)) else c(0, 1)
  op <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(op[c("mar", "mgp", "xpd", "las", "tcl", "cex")]),
          add = TRUE)
  if (is.null(dots$cex)) {
    graphics::par(cex = km_text_scale(graphics::par("fin")))
  }
  obst <- km_obstacles(xs$curves, ax$xlim, conf_int,
                       if (median_lines) xs$table$median else NULL, y0 = y0)
  lay <- km_layout(list(
    labels = labels, risk = risk_all$text, risk_table = !is.null(what),
    times = ax$times, xlim = ax$xlim, ylim = ylim,
    cex = cex_axis, rc = risk_cex * cex_axis, has_main = !is.null(dots$main),
    legend = if (is.list(legend) || k > 1L) legend else FALSE,
    notes = if (identical(annotate_pos, "auto")) notes else NULL,
    obstacles = obst))
  if (min(lay$panel) < 0.2) {
    fin <- graphics::par("fin")
    cs_abort("A ", signif(fin[1L], 2), " x ", signif(fin[2L], 2), " in figure ",
             "is too small for the ", k, " curves, their legend and risk ",
             "table; draw it larger, or with `risk_table = FALSE` or ",
             "`legend = FALSE`.")
  }
  if (lay$share > 0.4) {
    cs_warn("The risk table of ", k, " curves takes ",
            round(100 * lay$share), "% of the figure height; draw the figure ",
            "taller or with `risk_table = FALSE`.")
  }
  graphics::par(mar = lay$mar, mgp = c(2.6, 0.7, 0), las = 1, tcl = -0.4)
  args <- utils::modifyList(
    list(x = NA, y = NA, xlim = ax$xlim, ylim = ylim, xlab = xlab,
         ylab = ylab, axes = FALSE, xaxs = "r", yaxs = "r"),
    dots)
  # the title above what the layout put above the panel
  moved <- !is.null(dots$main) && lay$mar[3L] > lay$top0
  if (moved) args$main <- NULL
  do.call(graphics::plot, args)
  if (moved) {
    do.call(graphics::title, c(
      list(main = dots$main, line = 1.7 + lay$mar[3L] - lay$top0),
      dots[intersect(names(dots), c("cex.main", "font.main", "col.main"))]))
  }
  tick_lab <- km_tick_labels(ax$times)
  tick_lab[-lay$labelled] <- ""
  graphics::axis(1, at = ax$times, labels = tick_lab, cex.axis = lay$tick_cex,
                 gap.axis = 0)
  graphics::axis(2, at = pretty(ylim), cex.axis = cex_axis)
  graphics::box(bty = "l")
  usr <- graphics::par("usr")
  if (!is.null(xlim)) graphics::clip(ax$xlim[1L], ax$xlim[2L], usr[3L], usr[4L])
  km_draw_curves(xs, col, lty, lwd, conf_int, censor_marks, median_lines,
                 ax$xlim, y0 = y0)
  do.call(graphics::clip, as.list(usr))
  keys <- list(legend = lay$labels, col = col, lty = lty, lwd = lwd,
               cex = lay$leg_cex, seg.len = 2.5)
  boxes <- NULL
  if (lay$table_keys) legend <- FALSE
  if (identical(legend, "direct")) {
    boxes <- list(direct_y = km_direct_labels(xs$curves, ax$xlim, lay, col,
                                                 y0 = y0))
    legend <- FALSE
  }
  boxes <- c(boxes, km_draw_legends(lay, keys, legend, k, notes, annotate_pos))
  risk <- risk_all[risk_all$time %in% (ax$times[lay$labelled] * xscale), ,
                   drop = FALSE]
  risk$label <- lay$labels[as.integer(risk$strata)]
  if (!is.null(what)) {
    km_draw_risk_table(risk, lay, col, ax$times[lay$labelled], what,
                       if (lay$table_keys) list(lty = lty, lwd = lwd))
  }
  rownames(risk) <- NULL
  attr(risk, "col") <- col
  attr(risk, "lty") <- lty
  attr(risk, "layout") <- c(
    lay[c("mar", "rc", "tick_cex", "share", "leg_out", "note_out")],
    list(times = ax$times, labelled = ax$times[lay$labelled],
         xlim = ax$xlim, usr = usr, text_scale = graphics::par("cex")),
    boxes)
  invisible(risk)
}

# `fun` of plot.cs_km(): what to draw, "surv" (S), "event" (1 - S) or
# "cumhaz" (the cumulative hazard column).
km_plot_fun <- function(fun) {
  if (is.null(fun)) return("surv")
  if (identical(fun, "event")) return("event")
  if (identical(fun, "cumhaz")) return("cumhaz")
  cs_abort("`fun` must be NULL (survival), \"event\" (1 - S) or ",
           "\"cumhaz\" (the cumulative hazard)",
           if (is.character(fun) && length(fun) == 1L)
             paste0("; \"", fun, "\" is not supported") else
               "; a function is not supported", ".", arg = "fun")
}

# The confidence level of a curve object's limits (0.95 when not kept).
km_conf_level <- function(x) {
  lv <- x$conf_level
  if (is.numeric(lv) && length(lv) == 1L && !is.na(lv)) lv else 0.95
}

# The top of the y axis for the cumulative hazard: the largest value drawn
# (the band's when it is drawn), on pretty() ticks.
km_cumhaz_top <- function(cv, conf_int) {
  top <- max(c(if (conf_int) cv$upper else cv$surv, 0), na.rm = TRUE)
  if (!(top > 0)) return(1)
  p <- pretty(c(0, top))
  max(p)
}

# `risk_table` as the column to show (NULL for none).
km_risk_what <- function(risk_table) {
  if (isTRUE(risk_table)) return("at_risk")
  if (isFALSE(risk_table)) return(NULL)
  if (is.character(risk_table) && length(risk_table) == 1L &&
      risk_table %in% c("at_risk", "events", "censored", "cum_events")) {
    return(risk_table)
  }
  cs_abort("`risk_table` must be TRUE, FALSE or one of \"at_risk\", ",
           "\"events\", \"censored\", \"cum_events\".", arg = "risk_table")
}

# The risk-table numbers at `times` (the fit's units), every kind, with the
# one shown in `value` and its string in `text`.
km_risk_values <- function(x, times, labels, what) {
  r <- summary(x, times = times)
  r$label <- labels[as.integer(r$strata)]
  r$cum_event <- stats::ave(r$n_event, r$strata, FUN = cumsum)
  r$value <- switch(if (is.null(what)) "at_risk" else what,
                    at_risk = r$n_risk, events = r$n_event,
                    censored = r$n_censor, cum_events = r$cum_event)
  r$text <- format_count(r$value)
  r[c("strata", "label", "time", "n_risk", "n_event", "n_censor",
      "cum_event", "value", "text")]
}

# The P-value line `pval` asks for: none, a given number, or the log-rank
# (stratified) test of the fit's formula on its data, evaluated in `env`.
km_pval_text <- function(x, pval, env) {
  if (isFALSE(pval)) return(NULL)
  if (is.numeric(pval) && length(pval) == 1L && !is.na(pval)) {
    return(paste("Log-rank", format_p(pval, prefix = TRUE)))
  }
  if (!isTRUE(pval)) {
    cs_abort("`pval` must be TRUE, FALSE or a P value.", arg = "pval")
  }
  cl <- x$call
  if (is.null(cl) || is.null(cl$formula)) {
    cs_abort("`pval = TRUE` needs a fit made by km() with a formula.",
             arg = "pval")
  }
  if (!is.null(cl$weights)) {
    cs_abort("`pval = TRUE`: logrank() has no weights; give the P value of ",
             "a weighted test as a number.", arg = "pval")
  }
  lc <- as.call(c(list(logrank),
                  as.list(cl)[intersect(names(cl), c("formula", "data", "subset",
                                                     "na.action", "timefix"))]))
  lr <- tryCatch(eval(lc, env), error = function(e) {
    cs_abort("`pval = TRUE`: the log-rank test of the fit's formula failed: ",
             conditionMessage(e), arg = "pval")
  })
  paste(if (length(lr$strata_vars)) "Stratified log-rank" else "Log-rank",
        format_p(lr$p_value, prefix = TRUE))
}

# Confidence bands first, the curves (with censoring marks) over them, and
# the median lines.
km_draw_curves <- function(x, col, lty, lwd, conf_int, censor_marks,
                           median_lines, xlim, y0 = 1) {
  cv <- x$curves
  k <- nlevels(cv$strata)
  for (j in seq_len(k)) {
    c1 <- cv[as.integer(cv$strata) == j, , drop = FALSE]
    if (conf_int) draw_band(c1, col[j], y0)
  }
  for (j in seq_len(k)) {
    c1 <- cv[as.integer(cv$strata) == j, , drop = FALSE]
    t0 <- min(0, c1$time[1L])
    graphics::lines(c(t0, c1$time), c(y0, c1$surv), type = "s", col = col[j],
                    lty = lty[j], lwd = lwd)
    if (censor_marks) {
      cz <- c1$n_censor > 0
      if (any(cz)) {
        graphics::points(c1$time[cz], c1$surv[cz], pch = 3, cex = 0.6,
                         col = col[j], lwd = max(1, lwd / 2))
      }
    }
  }
  if (median_lines) {
    med <- x$table$median
    ok <- !is.na(med)
    if (any(ok)) {
      graphics::segments(xlim[1L], 0.5, max(med[ok]), 0.5, lty = 3,
                         col = "grey40")
      graphics::segments(med[ok], 0, med[ok], 0.5, lty = 3, col = col[ok])
    }
  }
}

# The legend and the notes (annotation and P value) where the layout put
# them: inside the panel in a free place, or above the panel; or where
# `legend` and `annotate_pos` say. `keys`: legend(), col, lty, lwd, cex and
# seg.len of the curves' legend. Returns the boxes drawn, c(left, right,
# bottom, top) in user coordinates (NULL when not drawn).
km_draw_legends <- function(lay, keys, legend, k, notes, annotate_pos) {
  out <- list(legend_box = NULL, note_box = NULL)
  inset <- c(0.01, 0.01)
  base <- c(keys, list(bty = "n"))
  above <- graphics::grconvertY(1, "npc", "inches") + 0.04
  if (is.list(legend) || (!isFALSE(legend) && k > 1L)) {
    largs <- c(base, list(x = "topright", inset = inset))
    if (is.character(legend) && legend != "auto") largs$x <- legend
    if (is.list(legend)) largs <- utils::modifyList(largs, legend)
    if (identical(legend, "auto") && !is.null(lay$leg_box)) {
      largs$x <- graphics::grconvertX(lay$leg_box[1L], "npc", "user")
      largs$y <- graphics::grconvertY(lay$leg_box[4L], "npc", "user")
      largs$inset <- NULL
    } else if (identical(legend, "auto") && lay$leg_out) {
      size <- legend_size(keys$legend, keys$cex, lay$leg_ncol)
      mid <- mean(graphics::grconvertX(0:1, "npc", "inches"))
      left <- min(max(0.05, mid - size[["w"]] / 2),
                  graphics::par("din")[1L] - size[["w"]] - 0.05)
      largs$x <- graphics::grconvertX(left, "inches", "user")
      largs$y <- graphics::grconvertY(above + size[["h"]], "inches", "user")
      largs$ncol <- lay$leg_ncol
      largs$xpd <- NA
      largs$inset <- NULL
      above <- above + size[["h"]]
    }
    out$legend_box <- rect_box(do.call(graphics::legend, largs)$rect)
  }
  if (length(notes)) {
    nargs <- list(legend = notes, bty = "n", cex = keys$cex)
    if (!identical(annotate_pos, "auto")) {
      nargs <- c(nargs, list(x = annotate_pos, inset = inset))
    } else if (!is.null(lay$note_box)) {
      nargs$x <- graphics::grconvertX(lay$note_box[1L], "npc", "user")
      nargs$y <- graphics::grconvertY(lay$note_box[4L], "npc", "user")
    } else {
      size <- legend_size(notes, keys$cex, keys = FALSE)
      nargs$x <- graphics::grconvertX(1, "npc", "user")
      nargs$y <- graphics::grconvertY(above + size[["h"]], "inches", "user")
      nargs$xjust <- 1
      nargs$xpd <- NA
    }
    out$note_box <- rect_box(do.call(graphics::legend, nargs)$rect)
  }
  out
}

# The curves' names in the right margin, each level with the end of its
# curve (its value at the end of the axis when it runs beyond), moved apart
# by at least a line of text. Returns the heights used (user units).
km_direct_labels <- function(cv, xlim, lay, col, y0 = 1) {
  y_end <- vapply(split(cv, cv$strata), function(c1) {
    s <- c(y0, c1$surv)[findInterval(xlim[2L], c1$time) + 1L]
    if (is.na(s)) y0 else s
  }, numeric(1))
  usr <- graphics::par("usr")
  # a line of the text, in user units
  h <- lay$leg_cex * graphics::par("cin")[2L] * graphics::par("cex") *
    diff(usr[3:4]) / graphics::par("pin")[2L]
  o <- order(y_end)
  y <- y_end[o]
  for (i in seq_along(y)[-1L]) y[i] <- max(y[i], y[i - 1L] + h)
  over <- y[length(y)] - usr[4L]
  if (over > 0) y <- y - over
  for (i in rev(seq_along(y))[-1L]) y[i] <- min(y[i], y[i + 1L] - h)
  y[o] <- y
  x <- graphics::grconvertX(graphics::grconvertX(usr[2L], "user", "inches") +
                              0.08, "inches", "user")
  graphics::text(x, y, lay$labels, col = col, adj = c(0, 0.5),
                 cex = lay$leg_cex, xpd = NA)
  y
}

# The line key of curve j before its name in risk-table row `line`.
# mtext() puts the baseline of side-1 text 0.8 lines below `line`.
km_table_key <- function(line, lay, x_lab, j, col, keys) {
  line_in <- graphics::par("cin")[2L] * graphics::par("cex") *
    graphics::par("mex")
  y <- graphics::grconvertY(graphics::grconvertY(0, "npc", "inches") -
                              (line + 0.8 - 0.3 * lay$rc) * line_in,
                            "inches", "user")
  right <- graphics::grconvertX(x_lab, "user", "inches") -
    text_in(lay$labels[j], lay$rc) - 0.06
  x <- graphics::grconvertX(right - c(0.28, 0), "inches", "user")
  graphics::segments(x[1L], y, x[2L], y, col = col[j], lty = keys$lty[j],
                     lwd = min(keys$lwd, 1.5))
}

# A legend()$rect as c(left, right, bottom, top).
rect_box <- function(r) c(r$left, r$left + r$w, r$top - r$h, r$top)

# The risk table under the x axis: a heading, then one row per curve,
# coloured like it, with its numbers under the labelled breaks.
km_draw_risk_table <- function(risk, lay, col, at, what, keys = NULL) {
  rc <- lay$rc * graphics::par("cex")  # mtext() sizes are absolute
  line <- lay$line0
  graphics::par(xpd = NA)
  x_lab <- graphics::grconvertX(
    graphics::grconvertX(at[1L], "user", "inches") - lay$num_in - 0.1,
    "inches", "user")
  x_head <- graphics::grconvertX(
    graphics::grconvertX(0, "nfc", "inches") + 0.08, "inches", "user")
  head <- c(at_risk = "No. at risk", events = "No. of events",
            censored = "No. censored", cum_events = "Cumulative events")
  graphics::mtext(head[[what]], side = 1, line = line, at = x_head,
                  adj = 0, cex = rc, font = 2)
  for (j in seq_along(lay$labels)) {
    line <- line + lay$pitch
    r <- risk[as.integer(risk$strata) == j, , drop = FALSE]
    graphics::mtext(lay$labels[j], side = 1, line = line, at = x_lab, adj = 1,
                    cex = rc, col = col[j])
    if (!is.null(keys)) km_table_key(line, lay, x_lab, j, col, keys)
    graphics::mtext(r$text, side = 1, line = line, at = at, cex = rc, col = col[j])
  }
}

# Curve names without the "variable=" prefix when one variable defines them,
# read from the fit's curve identities (`ids`, a data frame with `curve` and
# one column per grouping variable), never parsed from the labels.
curve_labels <- function(lev, ids = NULL) {
  if (length(lev) == 1L && lev == "all") return("All")
  if (is.null(ids) || ncol(ids) != 2L) return(lev)
  short <- ids[[2L]][match(lev, ids$curve)]
  # bare numeric codes ("1", "2") say less than "sex=1", "sex=2"
  if (anyNA(short) || all(grepl("^-?[0-9.]+$", short))) return(lev)
  short
}

format_count <- function(n) {
  ifelse(abs(n - round(n)) < 1e-8, formatC(round(n), format = "d",
                                           big.mark = ","),
         formatC(n, format = "f", digits = 1))
}

# A stepped, shaded confidence band for one curve, which starts at `y0`.
draw_band <- function(c1, col, y0 = 1) {
  ok <- !is.na(c1$lower) & !is.na(c1$upper)
  if (!any(ok)) return(invisible())
  t <- c(min(0, c1$time[1L]), c1$time[ok])
  lo <- c(y0, c1$lower[ok])
  hi <- c(y0, c1$upper[ok])
  n <- length(t)
  # step coordinates: each value holds until the next time
  xs <- c(rbind(t, c(t[-1L], t[n])))
  ylo <- rep(lo, each = 2L)
  yhi <- rep(hi, each = 2L)
  graphics::polygon(c(xs, rev(xs)), c(yhi, rev(ylo)),
                    col = grDevices::adjustcolor(col, alpha.f = 0.18),
                    border = NA)
}
