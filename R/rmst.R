# rmst() and rmst_test(): restricted mean survival time up to tau from the
# curves of a km() fit, and the two-group contrasts of survRM2::rmst2().

#' Restricted mean survival time
#'
#' The restricted mean survival time (RMST) up to `tau`, the area under
#' each Kaplan-Meier curve from 0 to `tau`, with its standard error and a
#' confidence interval; when hazards are not proportional it is the
#' estimand of choice (Royston and Parmar 2013).
#'
#' The RMST and its standard error equal `rmean` and `se(rmean)` of
#' `summary(survfit(...), rmean = tau)$table`: the area of the step
#' function, and the variance sum over event times t <= tau of
#' A(t)^2 d / (n (n - d)), with A(t) the area between t and tau, d the
#' events and n the number at risk (Klein and Moeschberger 2003,
#' section 4.5). The interval is RMST +/- z SE, as in `survRM2::rmst2()`.
#'
#' A `tau` after the last follow-up of a curve is refused, with the largest
#' valid tau in the message, by the rule of `survRM2::rmst2()` (Uno et al.
#' 2014): the curve is known up to its last time, and after it only when
#' its last time is an event with no censoring (then S has dropped to 0).
#' So the largest valid tau is the smallest last time among curves that end
#' in a censoring, or, when every curve ends in events, the largest time of
#' all (never later than the last time of the data, even for one curve).
#'
#' @param x A `cs_km` fit from [km()], or a formula with a `Surv()`
#'   response as for [km()] (then `data` is needed).
#' @param data A data frame holding the variables of the formula; unused
#'   when `x` is a fit.
#' @param tau The truncation time, a positive number no later than the
#'   largest valid tau (see Details).
#' @param ... With a formula, further arguments of [km()] (`weights`,
#'   `subset`, `na.action`, `conf_level`, ...).
#' @returns A data frame of class `cs_rmst`, one row per curve: `strata,
#'   tau, rmst, se, lower, upper`; attribute `conf_level`.
#' @references
#' Royston P, Parmar MKB (2013). Restricted mean survival time: an
#' alternative to the hazard ratio for the design and analysis of
#' randomized trials with a time-to-event outcome. *BMC Medical Research
#' Methodology* 13, 152.
#'
#' Uno H, Claggett B, Tian L, et al. (2014). Moving beyond the hazard
#' ratio in quantifying the between-group difference in survival analysis.
#' *Journal of Clinical Oncology* 32, 2380-2385.
#'
#' Klein JP, Moeschberger ML (2003). *Survival Analysis: Techniques for
#' Censored and Truncated Data*, 2nd ed. Springer.
#' @examples
#' library(survival)
#' rmst(Surv(time, status) ~ sex, data = lung, tau = 730)
#' fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
#' rmst(fit, tau = 60)
#' @export
rmst <- function(x, data, tau, ...) {
  if (inherits(x, "formula")) {
    mc <- match.call(expand.dots = TRUE)
    mc[[1L]] <- quote(cohortsurv::km)
    names(mc)[names(mc) == "x"] <- "formula"
    mc$tau <- NULL
    fit <- eval(mc, parent.frame())
  } else if (inherits(x, "cs_km")) {
    fit <- x
  } else {
    cs_abort("`x` must be a km() fit or a formula with a Surv() response.",
             arg = "x")
  }
  rmst_fit(fit, tau)
}

rmst_fit <- function(fit, tau) {
  if (missing(tau) || !is.numeric(tau) || length(tau) != 1L || is.na(tau) ||
      !is.finite(tau) || tau <= 0) {
    cs_abort("`tau` must be a single positive number.", arg = "tau")
  }
  cv <- fit$curves
  lev <- levels(cv$strata)
  k <- as.integer(cv$strata)
  tmax <- tapply(cv$time, k, max)
  cens <- vapply(seq_along(lev), function(j) {
    sel <- which(k == j)
    cv$n_censor[sel[length(sel)]] > 0
  }, logical(1))
  max_tau <- if (any(cens)) min(tmax[cens]) else max(tmax)
  if (tau > max_tau) {
    cs_abort("`tau` must be no later than ", format(max_tau, digits = 10),
             ", the largest valid tau (",
             if (any(cens)) "the last time of a curve that ends in a censoring"
             else "the last time of all curves", "); it is ",
             format(tau, digits = 10), ".", arg = "tau")
  }
  z <- stats::qnorm(1 - (1 - fit$conf_level) / 2)
  est <- vapply(seq_along(lev), function(j) {
    sel <- k == j
    rmst_curve(cv$time[sel], cv$surv[sel], cv$n_risk[sel], cv$n_event[sel],
               tau)
  }, numeric(2))
  out <- data.frame(strata = factor(lev, levels = lev), tau = tau,
                    rmst = est[1L, ], se = est[2L, ],
                    lower = est[1L, ] - z * est[2L, ],
                    upper = est[1L, ] + z * est[2L, ])
  attr(out, "conf_level") <- fit$conf_level
  class(out) <- c("cs_rmst", "data.frame")
  out
}

# Area under one step curve from 0 to tau, and its standard error.
rmst_curve <- function(time, surv, n_risk, n_event, tau) {
  keep <- time <= tau
  t <- time[keep]
  heights <- c(1, surv[keep])
  widths <- diff(c(0, t, tau))
  area <- heights * widths
  # area between each kept time and tau
  after <- rev(cumsum(rev(area)))[-1L]
  n <- n_risk[keep]
  d <- n_event[keep]
  ok <- d > 0 & n - d > 0
  v <- sum(after[ok]^2 * d[ok] / (n[ok] * (n[ok] - d[ok])))
  c(sum(area), sqrt(v))
}

#' @rdname rmst
#' @export
print.cs_rmst <- function(x, ...) {
  cat("Restricted mean survival time up to tau = ", format(x$tau[1L]),
      " (", format(100 * attr(x, "conf_level")), "% CI)\n", sep = "")
  show <- data.frame(strata = substr(as.character(x$strata), 1L, 30L),
                     rmst = format(x$rmst, digits = 4),
                     se = format(x$se, digits = 4),
                     lower = format(x$lower, digits = 4),
                     upper = format(x$upper, digits = 4))
  print(show, right = TRUE, row.names = FALSE)
  invisible(x)
}

#' Compare the restricted mean survival time of two groups
#'
#' The difference and the ratio of the restricted mean survival time (RMST)
#' up to `tau` between two groups, and the ratio of the restricted mean
#' time lost (RMTL, tau - RMST), with confidence intervals and Wald P
#' values, as `survRM2::rmst2()` computes them without covariates (Uno et
#' al. 2014; Royston and Parmar 2013).
#'
#' With RMST_1 and RMST_0 the second and first group (the first level is the
#' reference) and V_1, V_0 their variances (see [rmst()]): the difference
#' RMST_1 - RMST_0 has SE sqrt(V_1 + V_0); the log ratio
#' log(RMST_1 / RMST_0) has SE sqrt(V_1 / RMST_1^2 + V_0 / RMST_0^2), and
#' the log RMTL ratio likewise with the RMTLs. Intervals are estimate
#' +/- z SE (exponentiated for the ratios), P values 2 Phi(-|estimate /
#' SE|) on the difference and log scales. `tau` is checked as in [rmst()].
#'
#' @inheritParams rmst
#' @param formula A formula `Surv(time, status) ~ group` whose right-hand
#'   side makes exactly two curves, as in [km()].
#' @param conf_level The confidence level of the intervals, a number
#'   strictly between 0 and 1.
#' @param ... Further arguments of [km()] (`weights`, `subset`,
#'   `na.action`, ...).
#' @returns A list of class `cs_rmst_test`: `rmst` (the [rmst()] table of
#'   the two groups), `contrasts` (a data frame with rows `"RMST
#'   difference"`, `"RMST ratio"`, `"RMTL ratio"` and columns `contrast,
#'   estimate, lower, upper, p`), `tau`, `conf_level` and `groups`.
#' @references
#' Uno H, Claggett B, Tian L, et al. (2014). Moving beyond the hazard
#' ratio in quantifying the between-group difference in survival analysis.
#' *Journal of Clinical Oncology* 32, 2380-2385.
#'
#' Royston P, Parmar MKB (2013). Restricted mean survival time: an
#' alternative to the hazard ratio for the design and analysis of
#' randomized trials with a time-to-event outcome. *BMC Medical Research
#' Methodology* 13, 152.
#' @examples
#' library(survival)
#' rmst_test(Surv(time, status) ~ sex, data = lung, tau = 730)
#' rmst_test(Surv(os_months, death) ~ group, data = dnmbc, tau = 60)
#' @export
rmst_test <- function(formula, data, tau, conf_level = 0.95, ...) {
  check_probability(conf_level, "conf_level")
  if (!inherits(formula, "formula")) {
    cs_abort("`formula` must be a two-sided formula with a Surv() response, ",
             "such as Surv(time, status) ~ group.", arg = "formula")
  }
  mc <- match.call(expand.dots = TRUE)
  mc[[1L]] <- quote(cohortsurv::km)
  mc$tau <- NULL
  mc$conf_level <- conf_level
  fit <- eval(mc, parent.frame())
  lev <- levels(fit$curves$strata)
  if (length(lev) != 2L) {
    cs_abort("`formula` must make exactly two groups for rmst_test(); it ",
             "makes ", length(lev), ".", arg = "formula")
  }
  tab <- rmst_fit(fit, tau)
  z <- stats::qnorm(1 - (1 - conf_level) / 2)
  r1 <- tab$rmst[2L]
  r0 <- tab$rmst[1L]
  v1 <- tab$se[2L]^2
  v0 <- tab$se[1L]^2
  l1 <- tau - r1
  l0 <- tau - r0
  wald <- function(est, se, exp_it) {
    p <- 2 * stats::pnorm(-abs(est / se))
    ci <- est + c(-1, 1) * z * se
    if (exp_it) c(exp(est), exp(ci), p) else c(est, ci, p)
  }
  res <- rbind(
    wald(r1 - r0, sqrt(v1 + v0), FALSE),
    wald(log(r1 / r0), sqrt(v1 / r1^2 + v0 / r0^2), TRUE),
    wald(log(l1 / l0), sqrt(v1 / l1^2 + v0 / l0^2), TRUE)
  )
  contrasts <- data.frame(
    contrast = c("RMST difference", "RMST ratio", "RMTL ratio"),
    estimate = res[, 1L], lower = res[, 2L], upper = res[, 3L],
    p = res[, 4L])
  structure(list(rmst = tab, contrasts = contrasts, tau = tau,
                 conf_level = conf_level, groups = lev),
            class = "cs_rmst_test")
}

#' @rdname rmst_test
#' @param x A `cs_rmst_test` object.
#' @export
print.cs_rmst_test <- function(x, ...) {
  print(x$rmst)
  cat("\n", x$groups[2L], " versus ", x$groups[1L], ":\n", sep = "")
  ct <- x$contrasts
  show <- data.frame(contrast = ct$contrast,
                     estimate = format(ct$estimate, digits = 4),
                     lower = format(ct$lower, digits = 4),
                     upper = format(ct$upper, digits = 4),
                     p = format.pval(ct$p, digits = 3, eps = 1e-4))
  print(show, right = TRUE, row.names = FALSE)
  invisible(x)
}
