# tidy(), glance() and augment() methods --------------------------------------
#
# Methods on the generics of the 'generics' package (the ones broom uses), so
# that tidy(fit) gives a data frame with broom's column names whether broom
# is attached or not. The generics are re-exported: after
# library(cohortsurv), tidy(), glance() and augment() are found without
# attaching broom or generics. Every method returns a plain data frame (a
# tibble when tibble::as_tibble() is applied by the user).

#' @importFrom generics tidy glance augment
#' @export
generics::tidy

#' @export
generics::glance

#' @export
generics::augment

# Refuse arguments that a method does not use (a misspelt `conf.int` would
# otherwise be silently ignored).
check_no_dots <- function(..., fun) {
  dots <- list(...)
  if (length(dots)) {
    nms <- names(dots)
    nm <- if (is.null(nms) || !nzchar(nms[1L])) "an unnamed argument" else
      paste0("`", nms[1L], "`")
    cs_abort(nm, " is not an argument of ", fun, "(); see ?", fun,
             " for its arguments.", arg = "...")
  }
  invisible(TRUE)
}

# Split labels "a=1, b=2" into one character column per variable (as
# broom's tidy.survdiff does); NULL when a label is not of that form or the
# labels do not all name the same variables.
split_group_labels <- function(labels) {
  parts <- strsplit(as.character(labels), ", ", fixed = TRUE)
  kv <- lapply(parts, function(p) {
    eq <- regexpr("=", p, fixed = TRUE)
    if (any(eq < 1L)) return(NULL)
    stats::setNames(substring(p, eq + 1L), substring(p, 1L, eq - 1L))
  })
  if (!length(kv) || any(vapply(kv, is.null, logical(1)))) return(NULL)
  vars <- names(kv[[1L]])
  if (!all(vapply(kv, function(v) identical(names(v), vars), logical(1))) ||
      anyDuplicated(vars)) {
    return(NULL)
  }
  out <- lapply(seq_along(vars), function(j) {
    vapply(kv, function(v) unname(v[j]), character(1))
  })
  names(out) <- vars
  as.data.frame(out, stringsAsFactors = FALSE, optional = TRUE)
}

# Cox models ---------------------------------------------------------------

#' Tidy, glance and augment a Cox model
#'
#' Broom-style summaries of a [cox()] fit, with the column names that
#' `broom` gives a `survival::coxph` fit, so that table and plot pipelines
#' written for `coxph` work unchanged.
#'
#' @param x A `cs_cox` fit from [cox()].
#' @param exponentiate `TRUE` to report hazard ratios: `estimate`,
#'   `conf.low` and `conf.high` are exponentiated (`std.error` and
#'   `robust.se` stay on the log scale, as in `broom`); `FALSE` (the
#'   default) for log hazard ratios.
#' @param conf.int `TRUE` to add the Wald confidence interval of each
#'   coefficient, `conf.low` and `conf.high`; `FALSE` (the default) leaves
#'   them out.
#' @param conf.level The confidence level of the interval, a number strictly
#'   between 0 and 1 (default 0.95).
#' @param ... Not used; any argument given here is refused with an error.
#'
#' @details
#' `tidy()` gives one row per coefficient: `term, estimate, std.error,
#' statistic, p.value` (and `conf.low, conf.high` with `conf.int = TRUE`).
#' With a robust variance (`cox(robust = TRUE)`, a `cluster`, or
#' fractional weights) it has, as `broom` and `summary.coxph`, the
#' model-based standard error in `std.error` and the robust one in
#' `robust.se`; `statistic`, `p.value` and the interval then use the robust
#' one. Aliased coefficients have `NA` throughout.
#'
#' `glance()` gives one row: `n, nevent, statistic.log, p.value.log,
#' statistic.sc, p.value.sc, statistic.wald, p.value.wald,
#' statistic.robust, p.value.robust, r.squared, r.squared.max, logLik, AIC,
#' BIC, nobs`. `statistic.robust` and `p.value.robust` are the robust score
#' test, `NA` without a robust variance (as `broom`). `r.squared` is Nagelkerke's
#' 1 - exp(-LR / n) and `r.squared.max` 1 - exp(2 loglik(init) / n), as
#' `summary.coxph`. `nobs` is the number of rows `n`, as in `broom` (which
#' overrides `survival`'s `nobs.coxph`, the number of events); `BIC` uses
#' log(number of events), as `BIC(coxph_fit)` and `BIC(cox_fit)` do.
#' Two differences from `broom::glance(coxph_fit)`: `statistic.wald` is the
#' Wald statistic itself, where `summary.coxph` (and so `broom`) rounds it
#' to two decimals; and `concordance` and `std.error.concordance` (Harrell's
#' C of [concordance()] and its standard error, as `coxph` keeps them) are
#' `NA` for a fit inside a database, which keeps no rows.
#'
#' `augment()` adds to `data` (or `newdata`) the columns `.fitted`, the
#' prediction of [predict.cs_cox()] of type `type.predict`, `.se.fit`, its
#' standard error (`se_fit = TRUE`, as `broom` gives for a `coxph` fit), and,
#' for the rows of the fit (`data`), `.resid`, the residuals of
#' [residuals.cs_cox()] of type `type.residuals`.
#'
#' @returns A data frame: `tidy()` one row per coefficient, `glance()` one
#'   row, `augment()` one row per row of `data` or `newdata`.
#' @seealso [hr_table()] for the hazard-ratio table, [summary.cs_cox()].
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' tidy(fit)
#' tidy(fit, exponentiate = TRUE, conf.int = TRUE, conf.level = 0.9)
#' glance(fit)
#' head(augment(fit, data = lung))
#' augment(fit, newdata = data.frame(age = c(50, 70), sex = c(1, 2)),
#'         type.predict = "risk")
#' @name tidy.cs_cox
NULL

#' @rdname tidy.cs_cox
#' @export
tidy.cs_cox <- function(x, exponentiate = FALSE, conf.int = FALSE,
                        conf.level = 0.95, ...) {
  check_no_dots(..., fun = "tidy")
  check_flag(exponentiate, "exponentiate")
  check_flag(conf.int, "conf.int")
  check_probability(conf.level, "conf.level")
  b <- x$coefficients
  se <- sqrt(diag(x$var))
  out <- data.frame(term = names(b), estimate = unname(b),
                    stringsAsFactors = FALSE)
  if (isTRUE(x$robust)) {
    out$std.error <- unname(sqrt(diag(x$naive_var)))
    out$robust.se <- unname(se)
  } else {
    out$std.error <- unname(se)
  }
  z <- unname(b / se)
  out$statistic <- z
  out$p.value <- 2 * stats::pnorm(-abs(z))
  if (conf.int) {
    q <- stats::qnorm(1 - (1 - conf.level) / 2)
    out$conf.low <- unname(b - q * se)
    out$conf.high <- unname(b + q * se)
  }
  if (exponentiate) {
    cols <- intersect(c("estimate", "conf.low", "conf.high"), names(out))
    out[cols] <- lapply(out[cols], exp)
  }
  out
}

#' @rdname tidy.cs_cox
#' @export
glance.cs_cox <- function(x, ...) {
  check_no_dots(..., fun = "glance")
  pick <- function(test, what) {
    if (is.null(test)) NA_real_ else as.double(test[[what]])
  }
  ll <- x$loglik
  lr <- x$lr_test$statistic
  ll_fit <- stats::logLik(x)
  # Harrell's C as coxph keeps it; NA where the rows are not kept (a fit
  # inside a database) or there is no linear predictor (no coefficients)
  cc <- if (inherits(x$y, "cs_db_rows") || !length(x$coefficients) ||
            all(is.na(x$coefficients))) c(NA_real_, NA_real_) else {
    k <- concordance_cox(x, "n", TRUE, 0.95, NULL)
    c(k$concordance, sqrt(k$var))
  }
  data.frame(
    n = as.integer(x$n), nevent = x$n_event,
    statistic.log = lr, p.value.log = pick(x$lr_test, "p_value"),
    statistic.sc = pick(x$score_test, "statistic"),
    p.value.sc = pick(x$score_test, "p_value"),
    statistic.wald = pick(x$wald_test, "statistic"),
    p.value.wald = pick(x$wald_test, "p_value"),
    statistic.robust = pick(x$robust_score_test, "statistic"),
    p.value.robust = pick(x$robust_score_test, "p_value"),
    r.squared = 1 - exp(-lr / x$n),
    r.squared.max = 1 - exp(2 * ll[1L] / x$n),
    concordance = cc[1L], std.error.concordance = cc[2L],
    logLik = as.numeric(ll_fit), AIC = stats::AIC(ll_fit),
    BIC = stats::BIC(ll_fit), nobs = as.integer(x$n)
  )
}

#' @rdname tidy.cs_cox
#' @param data The data frame the model was fitted to, to which the columns
#'   are added: either with one row per row of the fit, or the whole data
#'   given to [cox()] when `na.action` dropped rows with missing values
#'   (those rows are then dropped here too). Needed unless `newdata` is
#'   given, since a `cs_cox` fit does not keep its model frame.
#' @param newdata Optional data frame of new covariate values; when given,
#'   `data` is not used and `.resid` is not added. A missing value, a
#'   missing column or an unknown factor level in it is refused, as by
#'   [predict.cs_cox()].
#' @param type.predict The type of prediction in `.fitted`: `"lp"` (the
#'   default, the linear predictor) or `"risk"` (exp(lp)), as in
#'   [predict.cs_cox()] with its default reference.
#' @param type.residuals The type of residual in `.resid`: `"martingale"`
#'   (the default) or `"deviance"`.
#' @export
augment.cs_cox <- function(x, data = NULL, newdata = NULL,
                           type.predict = c("lp", "risk"),
                           type.residuals = c("martingale", "deviance"),
                           ...) {
  check_no_dots(..., fun = "augment")
  type.predict <- arg_choice(type.predict, "type.predict", c("lp", "risk"))
  type.residuals <- arg_choice(type.residuals, "type.residuals",
                               c("martingale", "deviance"))
  if (!is.null(newdata)) {
    if (!is.data.frame(newdata)) {
      cs_abort("`newdata` must be a data frame.", arg = "newdata")
    }
    out <- as.data.frame(newdata, stringsAsFactors = FALSE)
    pr <- stats::predict(x, newdata = newdata, type = type.predict,
                         se_fit = TRUE)
    out$.fitted <- unname(pr$fit)
    out$.se.fit <- unname(pr$se_fit)
    return(out)
  }
  if (is.null(data)) {
    cs_abort("`data` must be given: a cs_cox fit does not keep its data; ",
             "pass the data frame given to cox() (or `newdata`).",
             arg = "data")
  }
  if (!is.data.frame(data)) {
    cs_abort("`data` must be a data frame.", arg = "data")
  }
  pr <- stats::predict(x, type = type.predict, se_fit = TRUE)
  fitted <- unname(pr$fit)
  resid <- unname(stats::residuals(x, type = type.residuals))
  out <- as.data.frame(data, stringsAsFactors = FALSE)
  n_fit <- length(fitted)
  if (nrow(out) != n_fit) {
    omitted <- x$na_action
    if (!is.null(omitted) && nrow(out) == n_fit + length(omitted)) {
      out <- out[-as.integer(omitted), , drop = FALSE]
    } else {
      cs_abort("`data` must have one row per row of the fit (", n_fit,
               ")", if (!is.null(omitted))
                 paste0(" or per row of the data given to cox() (",
                        n_fit + length(omitted), ")"),
               "; it has ", nrow(out), ".", arg = "data")
    }
  }
  out$.fitted <- fitted
  out$.se.fit <- unname(pr$se_fit)
  out$.resid <- resid
  out
}

# Kaplan-Meier curves -------------------------------------------------------

#' Tidy and glance Kaplan-Meier curves
#'
#' Broom-style summaries of a [km()] fit, with the column names that
#' `broom` gives a `survival::survfit` fit.
#'
#' @param x A `cs_km` fit from [km()] or [km_fit()].
#' @param ... Not used; any argument given here is refused with an error.
#'
#' @details
#' `tidy()` gives one row per distinct time of each curve: `time, n.risk,
#' n.event, n.censor, estimate` (the survival probability), `std.error`,
#' `conf.high, conf.low` and, when the fit has strata, `strata` (labels such
#' as `"sex=1"`, as `survfit`). Unlike `broom`, whose `std.error` is
#' `survfit`'s `std.err`, the standard error of the cumulative hazard,
#' `std.error` here is the standard error of S(t) itself, as `km()` reports
#' it (`std_err`); `survfit`'s is `std.error / estimate`.
#'
#' `glance()` gives one row per curve: `records, n.max, n.start, events,
#' rmean, rmean.std.error, median, conf.low, conf.high, nobs` (the
#' confidence interval being that of the median), with a first column
#' `strata` when the fit has several curves (`broom` refuses to glance a
#' survfit with strata). `records` and `nobs` are the number of rows;
#' `n.start` and `n.max` the (weighted) numbers at risk at the first time
#' and at most.
#' `rmean` is the restricted mean up to `x$rmean_tau`.
#'
#' @returns A data frame: `tidy()` one row per time per curve, `glance()`
#'   one row per curve.
#' @seealso [summary.cs_km()], [quantile.cs_km()].
#' @examples
#' library(survival)
#' fit <- km(Surv(time, status) ~ sex, data = lung)
#' head(tidy(fit))
#' glance(fit)
#' glance(km(Surv(time, status) ~ 1, data = lung))
#' @name tidy.cs_km
NULL

# TRUE when the fit has a single curve without a strata label of its own.
km_unstratified <- function(x) {
  nrow(x$table) == 1L && identical(as.character(x$table$strata), "all")
}

#' @rdname tidy.cs_km
#' @export
tidy.cs_km <- function(x, ...) {
  check_no_dots(..., fun = "tidy")
  cv <- x$curves
  out <- data.frame(time = cv$time, n.risk = cv$n_risk,
                    n.event = cv$n_event, n.censor = cv$n_censor,
                    estimate = cv$surv, std.error = cv$std_err,
                    conf.high = cv$upper, conf.low = cv$lower)
  if (!km_unstratified(x)) out$strata <- as.character(cv$strata)
  rownames(out) <- NULL
  out
}

#' @rdname tidy.cs_km
#' @export
glance.cs_km <- function(x, ...) {
  check_no_dots(..., fun = "glance")
  tab <- x$table
  cv <- x$curves
  s_tab <- as.character(tab$strata)
  s_cv <- as.character(cv$strata)
  first_risk <- vapply(s_tab, function(s) {
    r <- cv$n_risk[s_cv == s]
    if (length(r)) as.double(r[1L]) else NA_real_
  }, numeric(1))
  max_risk <- vapply(s_tab, function(s) {
    r <- cv$n_risk[s_cv == s]
    if (length(r)) as.double(max(r)) else NA_real_
  }, numeric(1))
  records <- as.double(tab$n)
  out <- data.frame(
    records = records, n.max = unname(max_risk),
    n.start = unname(first_risk), events = as.double(tab$events),
    rmean = tab$rmean, rmean.std.error = tab$rmean_se,
    median = tab$median, conf.low = tab$median_lower,
    conf.high = tab$median_upper, nobs = records
  )
  if (!km_unstratified(x)) out <- cbind(strata = s_tab, out,
                                        stringsAsFactors = FALSE)
  rownames(out) <- NULL
  out
}

# Log-rank tests --------------------------------------------------------------

#' Tidy and glance a log-rank test
#'
#' Broom-style summaries of a [logrank()] test, with the column names that
#' `broom` gives a `survival::survdiff` test.
#'
#' @param x A `cs_logrank` test from [logrank()] or [logrank_fit()].
#' @param ... Not used; any argument given here is refused with an error.
#'
#' @details
#' `tidy()` gives one row per group: one column per grouping variable (the
#' group labels `"sex=1, ph.ecog=0"` split as `broom` splits them, values
#' as character), or a single column `group` when the labels are not of
#' that form (as from [logrank_fit()]); then `N` (the number of rows),
#' `obs` and `exp`, the observed and expected numbers of events summed over
#' the strata of a stratified test.
#'
#' `glance()` gives one row: `statistic`, `df` and `p.value` of the
#' overall test. The tidiers describe the overall test; the pairwise and
#' trend results of [logrank()] are in the fit itself.
#'
#' @returns A data frame: `tidy()` one row per group, `glance()` one row.
#' @seealso [summary.cs_logrank()].
#' @examples
#' library(survival)
#' test <- logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
#' tidy(test)
#' glance(test)
#' @name tidy.cs_logrank
NULL

#' @rdname tidy.cs_logrank
#' @export
tidy.cs_logrank <- function(x, ...) {
  check_no_dots(..., fun = "tidy")
  g <- x$groups
  vars <- split_group_labels(g$group)
  if (is.null(vars)) {
    vars <- data.frame(group = as.character(g$group),
                       stringsAsFactors = FALSE)
  }
  out <- cbind(vars, data.frame(N = as.double(g$n), obs = g$observed,
                                exp = g$expected))
  rownames(out) <- NULL
  out
}

#' @rdname tidy.cs_logrank
#' @export
glance.cs_logrank <- function(x, ...) {
  check_no_dots(..., fun = "glance")
  data.frame(statistic = x$statistic, df = as.double(x$df),
             p.value = x$p_value)
}

# Tables -------------------------------------------------------------------------

#' Tidy a test of proportional hazards or a subgroup table
#'
#' Broom-style data frames of the tables of [ph_test()] and
#' [subgroup_hr()], with `broom`'s column names (`statistic`, `p.value`,
#' `estimate`, `conf.low`, `conf.high`).
#'
#' @param x A `cs_ph_test` from [ph_test()] or a `cs_subgroup` from
#'   [subgroup_hr()].
#' @param exponentiate For a `cs_subgroup`: `TRUE` (the default) for hazard
#'   ratios in `estimate`, `conf.low` and `conf.high`, as the table holds
#'   them; `FALSE` for their logarithms.
#' @param ... Not used; any argument given here is refused with an error.
#'
#' @details
#' For a `cs_ph_test`, one row per term and a last row `GLOBAL`: `term,
#' statistic, df, p.value`, the rows of `survival::cox.zph()`'s `table`.
#'
#' For a `cs_subgroup`, one row per line of the table: `subgroup, level,
#' n, events, estimate, conf.low, conf.high, p.value, p.value.interaction`
#' (the Wald p-value of the row's hazard ratio and the likelihood-ratio
#' p-value of the interaction, the latter repeated on every level of a
#' subgroup and `NA` on the overall row). The interval's level is that
#' given to [subgroup_hr()].
#'
#' @returns A data frame with one row per row of `x`.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' tidy(ph_test(fit))
#' d <- lung
#' d$ecog <- factor(d$ph.ecog >= 1, labels = c("0", "1 or more"))
#' sg <- subgroup_hr(Surv(time, status) ~ factor(sex), data = d,
#'                   subgroups = "ecog")
#' tidy(sg)
#' @name tidy.cs_ph_test
NULL

#' @rdname tidy.cs_ph_test
#' @export
tidy.cs_ph_test <- function(x, ...) {
  check_no_dots(..., fun = "tidy")
  data.frame(term = as.character(x$term), statistic = x$statistic,
             df = as.double(x$df), p.value = x$p_value,
             stringsAsFactors = FALSE)
}

#' @rdname tidy.cs_ph_test
#' @export
tidy.cs_subgroup <- function(x, exponentiate = TRUE, ...) {
  check_no_dots(..., fun = "tidy")
  check_flag(exponentiate, "exponentiate")
  tr <- if (exponentiate) identity else log
  data.frame(subgroup = as.character(x$subgroup),
             level = as.character(x$level), n = x$n, events = x$events,
             estimate = tr(x$hr), conf.low = tr(x$lower),
             conf.high = tr(x$upper), p.value = x$p_value,
             p.value.interaction = x$p_interaction,
             stringsAsFactors = FALSE)
}
