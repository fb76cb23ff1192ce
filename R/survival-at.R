# survival_at(): survival at fixed times, for the abstract and Table 2 of a
# cohort report, read off a km() fit through its summary() method.

#' Survival at fixed times, with confidence intervals
#'
#' Survival probability of every curve of a [km()] fit at chosen times
#' (1, 3 and 5 years, say) with its standard error and pointwise confidence
#' interval, as a tidy data frame, optionally with a column formatted for a
#' manuscript table, such as `"76% (70% to 82%)"`, in the spirit of
#' `gtsummary::tbl_survfit()`.
#'
#' The values are those of `summary(survfit(...), times = , extend = TRUE)`:
#' at a time t the estimate and its limits are those of the last curve time
#' at or before t (1 before the first), and `n_risk` is the number at risk
#' at the first curve time at or after t. A time beyond the last follow-up
#' of a curve is not refused and does not give `NA`: as `survfit` does with
#' `extend = TRUE`, the curve's last estimate, standard error and limits are
#' carried forward and `n_risk` is 0, which marks such rows (column
#' `beyond` is `TRUE` for them, and the formatted text ends in `*`). The
#' confidence level and transform are those of the fit (`conf_type`,
#' `conf_level` of [km()]).
#'
#' For a [cif()] fit the rows are per curve, cause and time and give the
#' cumulative incidence (`estimate`) with its limits, read the same way
#' (0 before the first time), from [summary.cs_cif()].
#'
#' @param fit A `cs_km` object from [km()], or a `cs_cif` object from
#'   [cif()].
#' @param times A numeric vector of non-negative times, in the unit of the
#'   fit's time variable; duplicates are dropped and the rows are sorted by
#'   time within each curve.
#' @param format `TRUE` to add a character column `text`, the survival and
#'   its confidence interval in percent, such as `"76% (70% to 82%)"`;
#'   `FALSE` (the default) for the numbers only.
#' @param digits The number of decimal places of the percentages in `text`,
#'   a whole number from 0 to 6.
#' @returns A data frame of class `cs_survival_at` with one row per curve and
#'   time: `strata, time, n_risk, surv, std_err, lower, upper, beyond`
#'   (`beyond` is `TRUE` when `time` is after the curve's last time), and
#'   `text` with `format = TRUE`; for a `cs_cif` fit, `strata, state, time,
#'   n_risk, estimate, std_err, lower, upper, beyond` (and `text`). Its
#'   `print()` method keeps within 80
#'   columns (with `text`, it leaves out `std_err` and shortens long curve
#'   names).
#' @references
#' Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete
#' observations. *Journal of the American Statistical Association* 53,
#' 457-481.
#' @seealso [summary.cs_km()] for the events and censorings between times.
#' @examples
#' library(survival)
#' fit <- km(Surv(time / 365.25, status) ~ sex, data = lung)
#' survival_at(fit, times = c(0.5, 1, 2))
#' survival_at(fit, times = c(0.5, 1, 2), format = TRUE)$text
#' @export
survival_at <- function(fit, times, format = FALSE, digits = 0) {
  if (!inherits(fit, c("cs_km", "cs_cif"))) {
    cs_abort("`fit` must be a Kaplan-Meier fit from km() or a cumulative ",
             "incidence fit from cif().", arg = "fit")
  }
  if (missing(times) || !is.numeric(times) || length(times) == 0L ||
      anyNA(times) || any(!is.finite(times)) || any(times < 0)) {
    cs_abort("`times` must be a numeric vector of finite, non-negative ",
             "times without missing values.", arg = "times")
  }
  check_flag(format, "format")
  if (!is.numeric(digits) || length(digits) != 1L || is.na(digits) ||
      digits != round(digits) || digits < 0 || digits > 6) {
    cs_abort("`digits` must be a whole number from 0 to 6.", arg = "digits")
  }
  s <- summary(fit, times = times)
  cv <- fit$curves
  last <- c(tapply(cv$time, cv$strata, max))
  is_cif <- inherits(fit, "cs_cif")
  out <- data.frame(strata = s$strata, time = s$time, n_risk = s$n_risk,
                    surv = if (is_cif) s$estimate else s$surv,
                    std_err = s$std_err, lower = s$lower, upper = s$upper)
  if (is_cif) {
    names(out)[names(out) == "surv"] <- "estimate"
    out <- cbind(out[1L], state = droplevels(s$state), out[-1L])
  }
  out$beyond <- unname(out$time > last[as.character(out$strata)])
  if (format) {
    out$text <- format_percent_ci(out[[if (is_cif) "estimate" else "surv"]],
                                  out$lower, out$upper, digits)
    out$text[out$beyond] <- paste0(out$text[out$beyond], "*")
  }
  attr(out, "conf_level") <- fit$conf_level
  class(out) <- c("cs_survival_at", "data.frame")
  out
}

# "76% (70% to 82%)" from proportions; NA parts shown as "NA".
format_percent_ci <- function(est, lo, hi, digits) {
  pc <- function(x) {
    ifelse(is.na(x), "NA",
           paste0(formatC(100 * x, format = "f", digits = digits), "%"))
  }
  paste0(pc(est), " (", pc(lo), " to ", pc(hi), ")")
}

#' @rdname survival_at
#' @param x A `cs_survival_at` data frame.
#' @param ... Ignored.
#' @export
print.cs_survival_at <- function(x, ...) {
  lvl <- attr(x, "conf_level")
  is_cif <- !is.null(x$state)
  cat(if (is_cif) "Cumulative incidence" else "Survival", " at fixed times",
      if (!is.null(lvl)) paste0(" (", format(100 * lvl), "% CI)"), "\n",
      sep = "")
  show <- data.frame(
    strata = substr(as.character(x$strata), 1L,
                    if (is.null(x$text)) 36L else 30L),
    time = format(x$time, digits = 4), n_risk = format(x$n_risk, digits = 4),
    surv = formatC(if (is_cif) x$estimate else x$surv, format = "f",
                   digits = 3),
    std_err = formatC(x$std_err, format = "f", digits = 4),
    lower = formatC(x$lower, format = "f", digits = 3),
    upper = formatC(x$upper, format = "f", digits = 3)
  )
  if (is_cif) {
    show <- cbind(show[1L], state = substr(as.character(x$state), 1L, 12L),
                  show[-1L])
    names(show)[names(show) == "surv"] <- "cif"
    show$strata <- substr(show$strata, 1L, 24L)
  }
  if (!is.null(x$text)) {
    # the text column repeats the estimate and limits: drop the SE to fit
    show$std_err <- NULL
    show$text <- x$text
  }
  print(show, right = TRUE, row.names = FALSE)
  if (any(x$beyond)) {
    cat("Times after the last follow-up of a curve carry its last values\n",
        "(n_risk 0", if (!is.null(x$text)) ", marked *", ").\n", sep = "")
  }
  invisible(x)
}
