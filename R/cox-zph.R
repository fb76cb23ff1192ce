#' Test of proportional hazards for a Cox model
#'
#' The Grambsch and Therneau (1994) score test, for each term and globally,
#' of whether the log hazard ratio changes with a transform g(t) of time:
#' the score test, at the fitted coefficients, for adding the covariates
#' x * g(t) to the model. It agrees with `survival::cox.zph`.
#'
#' @param fit A `cs_cox` fit from [cox()] with at least one coefficient.
#' @param transform The transform of time: `"km"` (the default, one minus
#'   the Kaplan-Meier estimate of all rows pooled, left-continuous), `"rank"`
#'   (the rank of the times) or `"identity"`.
#' @returns A data frame of class `cs_ph_test` with columns `term,
#'   statistic, df, p_value`, one row per term (a factor with k levels is
#'   one term on k - 1 df) and a last row `GLOBAL`.
#' @references
#' Grambsch PM, Therneau TM (1994). Proportional hazards tests and
#' diagnostics based on weighted residuals. *Biometrika* 81, 515-526.
#'
#' Therneau TM, Grambsch PM (2000). *Modeling Survival Data: Extending the
#' Cox Model*, chapter 6. Springer.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex + ph.karno, data = lung)
#' ph_test(fit)
#' ph_test(fit, transform = "rank")
#' @export
ph_test <- function(fit, transform = c("km", "rank", "identity")) {
  check_cox(fit)
  refuse_expanded(fit, "ph_test()", "fit")
  transform <- arg_choice(transform, "transform",
                          c("km", "rank", "identity"))
  keep <- !is.na(fit$coefficients)
  if (!any(keep)) {
    cs_abort("`fit` has no estimated coefficients, so there is nothing to ",
             "test.", arg = "fit")
  }
  so <- cox_sorted(fit)
  x <- so$x[, keep, drop = FALSE]  # unsorted; the kernel reads so$order
  p <- ncol(x)
  time <- so$stop
  event <- so$status == 1
  tt <- switch(transform,
    identity = time,
    rank = rank(time),
    km = {
      km <- km_fit(time = time, status = so$status,
                   start = if (fit$counting) so$start else NULL)$curves
      idx <- findInterval(time, km$time, left.open = TRUE)
      1 - c(1, km$surv)[idx + 1L]
    })
  g <- tt - mean(tt[event])
  z <- cpp_cox_zph(so, x, so$order, fit$ties == "efron", so$eta, g)
  u <- c(rep(0, p), z$u)
  imat <- z$imat
  asgn <- fit$assign
  if (is.null(asgn)) asgn <- seq_along(fit$coefficients)
  asgn <- asgn[keep]
  labs <- attr(fit$terms, "term.labels")
  if (is.null(labs) || length(labs) < max(asgn)) {
    labs <- names(fit$coefficients)[keep]
    asgn <- seq_len(p)
  }
  terms_used <- unique(asgn)
  stat <- vapply(terms_used, function(k) {
    jj <- which(asgn == k)
    kk <- c(seq_len(p), jj + p)
    drop(solve(imat[kk, kk], u[kk]) %*% u[kk])
  }, numeric(1))
  df <- vapply(terms_used, function(k) sum(asgn == k), numeric(1))
  stat <- c(stat, drop(solve(imat, u) %*% u))
  df <- c(df, p)
  structure(
    data.frame(term = c(labs[terms_used], "GLOBAL"), statistic = stat,
               df = as.integer(df),
               p_value = stats::pchisq(stat, df, lower.tail = FALSE),
               stringsAsFactors = FALSE),
    transform = transform,
    # for plot(): the transformed time of each event and its scaled
    # Schoenfeld residuals (rows in the same order: stratum, then time)
    event_time = tt[event],
    scaled = scaled_schoenfeld(fit)[, keep, drop = FALSE],
    class = c("cs_ph_test", "data.frame"))
}

#' @export
print.cs_ph_test <- function(x, digits = max(getOption("digits") - 3L, 3L),
                             ...) {
  cat("Test of proportional hazards (Grambsch-Therneau, ",
      attr(x, "transform"), " time transform)\n", sep = "")
  m <- cbind(chisq = x$statistic, df = x$df, p = x$p_value)
  rownames(m) <- x$term
  stats::printCoefmat(m, digits = digits, P.values = TRUE, has.Pvalue = TRUE,
                      signif.stars = FALSE, cs.ind = NULL, tst.ind = 1L,
                      zap.ind = 2L)
  invisible(x)
}

#' Plot of the scaled Schoenfeld residuals behind a proportional-hazards test
#'
#' One panel per coefficient: the scaled Schoenfeld residuals of each event
#' against the transformed time of [ph_test()] (the same transform as the
#' test), with a natural-spline smooth and its pointwise band, an estimate
#' of the coefficient as it varies over time (Grambsch and Therneau 1994),
#' as `survival::plot.cox.zph` draws it. A flat smooth along the dotted line
#' of the Cox estimate supports proportional hazards.
#'
#' @param x A `cs_ph_test` result from [ph_test()].
#' @param terms Which coefficients to draw: names or numbers of the columns
#'   of the residuals (`colnames(attr(x, "scaled"))`); all by default.
#' @param df Degrees of freedom of the natural-spline smooth (at least 1).
#' @param se `TRUE` to draw the pointwise band, plus or minus two standard
#'   errors of the smooth (the least-squares standard errors of the spline
#'   fit, so the band can differ slightly from `plot.cox.zph`'s).
#' @param resid `TRUE` to draw the residuals themselves.
#' @param ... Further graphical parameters passed to [graphics::plot()].
#' @returns `x`, invisibly.
#' @references
#' Grambsch PM, Therneau TM (1994). Proportional hazards tests and
#' diagnostics based on weighted residuals. *Biometrika* 81, 515-526.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' plot(ph_test(fit))
#' plot(ph_test(fit, transform = "identity"), terms = "sex")
#' @export
plot.cs_ph_test <- function(x, terms = NULL, df = 4, se = TRUE,
                            resid = TRUE, ...) {
  check_flag(se, "se")
  check_flag(resid, "resid")
  if (!is.numeric(df) || length(df) != 1L || is.na(df) || df < 1 ||
      df != round(df)) {
    cs_abort("`df` must be a single whole number of at least 1.", arg = "df")
  }
  y <- attr(x, "scaled")
  tt <- attr(x, "event_time")
  if (is.null(y)) {
    cs_abort("`x` holds no residuals; make it with ph_test().", arg = "x")
  }
  cols <- ph_plot_columns(terms, colnames(y))
  xlab <- switch(attr(x, "transform"), km = "Time (1 - Kaplan-Meier)",
                 rank = "Time (rank)", identity = "Time")
  if (length(cols) > 1L) {
    nr <- ceiling(sqrt(length(cols)))
    # compact margins so that small devices keep room for the panels
    old <- graphics::par(mfrow = c(nr, ceiling(length(cols) / nr)),
                         mar = c(3, 3, 0.6, 0.6), mgp = c(1.8, 0.6, 0))
    on.exit(graphics::par(old))
  }
  for (j in cols) ph_plot_panel(tt, y[, j], colnames(y)[j], xlab, df, se,
                                resid, ...)
  invisible(x)
}

# The column numbers of the residual matrix named by `terms`.
ph_plot_columns <- function(terms, nm) {
  if (is.null(terms)) return(seq_along(nm))
  j <- if (is.character(terms)) match(terms, nm) else
    if (is.numeric(terms)) ifelse(terms %in% seq_along(nm), terms, NA) else NA
  if (anyNA(j)) {
    cs_abort("`terms` must name coefficients of the fit (",
             paste(nm, collapse = ", "), ") or give their numbers.",
             arg = "terms")
  }
  j
}

# One panel: residuals, the natural-spline smooth, its band and the Cox
# estimate (the mean of the scaled residuals) as a dotted line.
ph_plot_panel <- function(tt, yj, name, xlab, df, se, resid, ...) {
  df <- min(df, length(unique(tt)) - 1L)
  grid <- seq(min(tt), max(tt), length.out = 101L)
  if (df >= 1L) {
    basis <- splines::ns(tt, df = df, intercept = TRUE)
    sm <- stats::lm.fit(basis, yj)
    b <- stats::coef(sm)
    bg <- stats::predict(basis, grid)
    fit <- drop(bg %*% b)
    sigma2 <- sum(sm$residuals^2) / max(1, length(yj) - df)
    v <- sigma2 * chol2inv(qr.R(sm$qr))
    band <- 2 * sqrt(pmax(0, rowSums((bg %*% v) * bg)))
  } else {
    fit <- rep(mean(yj), length(grid))
    band <- rep(0, length(grid))
  }
  ylim <- range(c(fit, if (resid) yj, if (se) c(fit - band, fit + band)),
                finite = TRUE)
  graphics::plot(range(tt), ylim, type = "n", xlab = xlab,
                 ylab = paste0("Beta(t) for ", name), ...)
  if (resid) graphics::points(tt, yj, cex = 0.6, col = "grey40")
  graphics::abline(h = mean(yj), lty = 3)
  graphics::lines(grid, fit, lwd = 2)
  if (se) {
    graphics::lines(grid, fit + band, lty = 2)
    graphics::lines(grid, fit - band, lty = 2)
  }
}
