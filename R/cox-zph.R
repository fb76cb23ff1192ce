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

#' Plot of a proportional-hazards test (not yet drawn)
#'
#' `plot()` of a [ph_test()] result stops with an error instead of drawing
#' the list as if it were data; until the residual plot of
#' `survival::plot.cox.zph` is implemented, plot the scaled Schoenfeld
#' residuals yourself, as in the example.
#'
#' @param x A `cs_ph_test` result from [ph_test()].
#' @param ... Unused.
#' @returns Nothing; it always stops with a `cohortsurv_error`.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' r <- residuals(fit, type = "scaledsch")
#' t <- as.numeric(rownames(r))
#' plot(t, r[, "sex"], xlab = "Time", ylab = "Beta(t) for sex")
#' lines(lowess(t, r[, "sex"]))
#' @export
plot.cs_ph_test <- function(x, ...) {
  cs_abort("plot() of a ph_test() result is not implemented yet; plot ",
           "residuals(fit, type = \"scaledsch\") against the event times ",
           "(see ?plot.cs_ph_test).", arg = "x")
}
