# followup(): median follow-up by the reverse Kaplan-Meier method, built on
# km() with the status flipped in the formula's response.

#' Median follow-up by the reverse Kaplan-Meier method
#'
#' The median follow-up of a cohort, per group, by the reverse Kaplan-Meier
#' method of Schemper and Smith (1996): the Kaplan-Meier estimate with the
#' meaning of the status reversed (a censoring is the "event", an event
#' censors follow-up), so that the median is the median potential
#' follow-up, with its Brookmeyer-Crowley confidence interval. Beside it
#' stand the two simpler summaries that papers also report: the median
#' observed time of all patients and of the censored patients.
#'
#' The reverse estimate is [km()] applied to `Surv(time, 1 - status)`, and
#' equals `survfit(Surv(time, 1 - status) ~ group)`: its median and limits
#' are `quantile()` and `summary()$table` of that fit. At a time where
#' events and censorings are tied, the reversed censorings (the "events"
#' of the reverse curve) come first and the reversed events are counted
#' at risk at that time, which is survival's convention (a death at t is
#' taken to happen after a censoring at t had its chance, i.e. the patient
#' who died at t was still in follow-up at t). The observed-time medians
#' are weighted medians of the times with the case weights (plain medians
#' without weights; an even total takes the mean of the two middle times,
#' as [stats::median()]).
#'
#' Only right-censored `Surv(time, status)` data are accepted: with delayed
#' entry the reversed status has no follow-up meaning.
#'
#' @param formula A formula with a `Surv(time, status)` response and the
#'   grouping variables on the right, as for [km()]; `~ 1` for the whole
#'   cohort.
#' @param data A data frame holding the variables of `formula`.
#' @param ... Further arguments of [km()]: `weights`, `subset`,
#'   `na.action`, `conf_type`, `conf_level`, `timefix`.
#' @returns A data frame of class `cs_followup`, one row per group:
#'   `strata, n, median, lower, upper` (the reverse Kaplan-Meier median
#'   follow-up and its confidence limits), `n_censored`,
#'   `median_observed` (median observed time of all patients) and
#'   `median_censored` (of the censored patients; `NA` without any). The
#'   reverse Kaplan-Meier fit itself is attribute `"fit"`.
#' @references
#' Schemper M, Smith TL (1996). A note on quantifying follow-up in studies
#' of failure time. *Controlled Clinical Trials* 17, 343-346.
#' @examples
#' library(survival)
#' followup(Surv(time, status) ~ sex, data = lung)
#' followup(Surv(os_months, death) ~ group, data = dnmbc)
#' @export
followup <- function(formula, data, ...) {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    cs_abort("`formula` must be a two-sided formula with a Surv() response, ",
             "such as Surv(time, status) ~ group.", arg = "formula")
  }
  lhs <- formula[[2L]]
  if (is.call(lhs) && (identical(lhs[[1L]], as.name("Surv")) ||
                       identical(lhs[[1L]], quote(survival::Surv)))) {
    m <- match.call(survival::Surv, lhs)
    if (!is.null(m$event)) {
      cs_abort("`formula`: followup() needs right-censored Surv(time, ",
               "status) data; delayed entry (Surv(start, stop, status)) has ",
               "no reverse Kaplan-Meier follow-up.", arg = "formula")
    }
  }
  mc <- match.call(expand.dots = TRUE)
  mc[[1L]] <- quote(cohortsurv::km)
  env <- parent.frame()
  direct <- eval(mc, env)
  rev_formula <- formula
  rev_formula[[2L]] <- call(".cs_reverse_surv", formula[[2L]])
  fenv <- new.env(parent = environment(formula) %||% env)
  assign(".cs_reverse_surv", reverse_surv, envir = fenv)
  environment(rev_formula) <- fenv
  mc$formula <- rev_formula
  rev <- eval(mc, env)
  cv <- direct$curves
  lev <- levels(cv$strata)
  k <- as.integer(cv$strata)
  obs <- vapply(seq_along(lev), function(j) {
    sel <- k == j
    c(weighted_median(cv$time[sel], cv$n_event[sel] + cv$n_censor[sel]),
      weighted_median(cv$time[sel], cv$n_censor[sel]),
      sum(cv$n_censor[sel]))
  }, numeric(3))
  tab <- rev$table
  out <- data.frame(strata = factor(lev, levels = lev),
                    n = direct$table$n, median = tab$median,
                    lower = tab$median_lower, upper = tab$median_upper,
                    n_censored = obs[3L, ], median_observed = obs[1L, ],
                    median_censored = obs[2L, ])
  attr(out, "fit") <- rev
  attr(out, "conf_level") <- rev$conf_level
  class(out) <- c("cs_followup", "data.frame")
  out
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# Surv(time, status) with the status reversed (censoring becomes the event).
reverse_surv <- function(y) {
  if (!inherits(y, "Surv") || attr(y, "type") != "right") {
    cs_abort("`formula`: followup() needs right-censored Surv(time, status) ",
             "data; delayed entry (Surv(start, stop, status)) has no ",
             "reverse Kaplan-Meier follow-up.", arg = "formula")
  }
  survival::Surv(y[, "time"], 1 - y[, "status"])
}

# Median of x with (non-negative) weights w: the mean of the two middle
# values when the cumulative weight hits half the total exactly, as
# median() of the expanded sample does for whole weights.
weighted_median <- function(x, w) {
  keep <- w > 0
  x <- x[keep]
  w <- w[keep]
  if (!length(x)) return(NA_real_)
  o <- order(x)
  x <- x[o]
  cw <- cumsum(w[o])
  half <- cw[length(cw)] / 2
  tol <- 1e-9 * cw[length(cw)]
  j <- which(cw >= half - tol)[1L]
  if (abs(cw[j] - half) <= tol && j < length(x)) (x[j] + x[j + 1L]) / 2
  else x[j]
}

#' @rdname followup
#' @param x A `cs_followup` data frame.
#' @export
print.cs_followup <- function(x, ...) {
  lvl <- attr(x, "conf_level")
  cat("Median follow-up, reverse Kaplan-Meier (Schemper & Smith 1996)\n")
  show <- data.frame(
    strata = substr(as.character(x$strata), 1L, 24L), n = x$n,
    median = format(x$median, digits = 4),
    ci = paste0(format(x$lower, digits = 4), " to ",
                format(x$upper, digits = 4)),
    observed = format(x$median_observed, digits = 4),
    censored = format(x$median_censored, digits = 4)
  )
  names(show)[4L] <- paste0(format(100 * lvl), "% CI")
  print(show, right = TRUE, row.names = FALSE)
  cat("observed: median time of all patients; censored: of censored ones.\n")
  invisible(x)
}
