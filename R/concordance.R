# Concordance (Harrell's C) -------------------------------------------------
#
# c_index() is the front end: a formula `Surv(time, status) ~ predictor`
# (+ strata()) or a cox() fit. The method concordance.cs_cox() is registered
# on survival's generic survival::concordance(), which cohortsurv re-exports
# unchanged (the same function object, so attaching cohortsurv masks
# nothing: concordance() of a coxph fit or of a formula still runs
# survival's methods, and concordance() of a cox() fit runs cohortsurv's).
# Both paths meet in concordance_engine(), which builds the surv-data
# contract and calls the C++ kernel (src/concordance.cpp).

#' @importFrom survival concordance
#' @export
survival::concordance

#' Concordance (Harrell's C) of a predictor or a Cox model
#'
#' Harrell's concordance index C: among the pairs of rows whose order of
#' survival is known, the proportion in which the row with the larger
#' predictor lives longer, pairs tied on the predictor counting one half.
#' It equals `survival::concordance()` with its default `timewt = "n"`:
#' the same pairs, ties, case weights, (start, stop] risk sets and strata,
#' the same infinitesimal-jackknife standard error, computed in C++ in
#' O(n log n) time.
#'
#' **How to call it.** `c_index(Surv(time, status) ~ x, data)` for a
#' predictor, and `c_index(fit)` or `concordance(fit)` for a [cox()] fit.
#' `concordance()` is survival's generic, re-exported unchanged: for a
#' `cox()` fit it runs this method, for a formula or a `coxph` fit it runs
#' survival's own methods (and returns survival's `concordance` object), so
#' attaching cohortsurv changes no result of survival. Use `c_index()` for
#' the fast formula interface.
#'
#' **Direction.** For a formula, a larger predictor predicts a longer
#' survival (as `survival::concordance()`; `reverse = TRUE` when a larger
#' value predicts a shorter survival, as a risk score does). For a Cox fit
#' the predictor is the linear predictor with `reverse = TRUE`, as
#' `concordance.coxph`: a higher risk predicts a shorter survival. The
#' strata, case weights and cluster of the fit are used.
#'
#' **Pairs.** Within a stratum, rows i and j are comparable when i has an
#' event at time t and j is still at risk after t (a longer time, or a
#' censored time equal to t; for (start, stop] data j must also have entered
#' before t). Two events at the same time are tied on time (`tied_y`, or
#' `tied_xy` when the predictor is tied too) and take no part in C.
#' With case weights a pair counts the product of its weights.
#'
#' **Standard error.** The infinitesimal jackknife of Therneau and Atkinson
#' (`var` of `survival::concordance()`): the sum of the squared influence of
#' each row (each cluster, with `cluster`) on C. Weights are treated as
#' sampling weights: a row of weight 2 gives the same C and counts as the
#' row given twice, but a larger variance, unless the two copies share a
#' `cluster`. `cox_var` is the variance under the Cox model (`cvar`).
#' The interval is C plus or minus the normal quantile times the standard
#' error, cut to \[0, 1\].
#'
#' Nearly equal times are merged first, as survival does (`timefix`).
#' survival's other `timewt` choices, `ymin`, `ymax`, `influence`, `ranks`,
#' `keepstrata` and `newdata` are not supported and are refused by name.
#'
#' @param object A two-sided formula with a `Surv(time, status)` or
#'   `Surv(start, stop, status)` response and one predictor on the right
#'   (a numeric variable or an expression giving one column, such as
#'   `I(-x)`), optionally with `strata()` terms; or a `cs_cox` fit from
#'   [cox()].
#' @param data A data frame holding the variables of the formula (for a
#'   formula only).
#' @param weights Optional case weights: a column of `data` or a numeric
#'   vector, finite and non-negative.
#' @param subset Optional logical or row-number vector selecting rows of
#'   `data`.
#' @param na.action What to do with missing values: `stats::na.omit` (the
#'   default), `stats::na.exclude` or `stats::na.fail`.
#' @param cluster Optional cluster identifier (a column of `data` or a
#'   vector), for a standard error that sums the influence within clusters;
#'   a `cluster()` term in the formula works too.
#' @param reverse `TRUE` when a larger predictor predicts a shorter survival
#'   (a formula only; a Cox fit always uses `reverse = TRUE`).
#' @param timewt The time weighting: only `"n"` (Harrell's C, survival's
#'   default) is supported.
#' @param timefix `TRUE` (the default, as survival) to merge nearly equal
#'   times as `survival::aeqSurv()` does; `FALSE` keeps them apart
#'   (survival 3.5's `concordance()` merges them whatever its `timefix`).
#' @param conf_level Confidence level of the interval, strictly between 0
#'   and 1.
#' @param ... For a formula, nothing; survival's argument names without an
#'   equivalent (`ymin`, `ymax`, `influence`, `ranks`, `keepstrata`,
#'   `newdata`) are refused by name.
#' @returns An object of class `cs_concordance`: a list with `concordance`,
#'   `std_err`, `var` (its square), `cox_var`, `lower`, `upper`,
#'   `conf_level`, `counts` (a named vector: `concordant`, `discordant`,
#'   `tied_x`, `tied_y`, `tied_xy`, weighted), `counts_strata` (a data
#'   frame of the counts per stratum, `NULL` without strata), `n` (rows
#'   used), `n_event`, `reverse`, `timewt`, `predictor` (its label),
#'   `na_action` and `call`. It has
#'   `print()`, `tidy()` (one row: `concordance, std_err, lower, upper` and
#'   the counts), `coef()` (C) and `vcov()` (its 1 x 1 variance) methods.
#' @references
#' Harrell FE, Califf RM, Pryor DB, Lee KL, Rosati RA (1982). Evaluating
#' the yield of medical tests. *JAMA* 247, 2543-2546.
#'
#' Harrell FE, Lee KL, Mark DB (1996). Multivariable prognostic models:
#' issues in developing models, evaluating assumptions and adequacy, and
#' measuring and reducing errors. *Statistics in Medicine* 15, 361-387.
#'
#' Therneau T, Atkinson E (2020). The concordance statistic. Vignette of
#' the R package survival.
#' @examples
#' library(survival)
#' # a larger Karnofsky score predicts a longer survival
#' c_index(Surv(time, status) ~ ph.karno, data = lung)
#' # a risk score: larger values predict a shorter survival
#' c_index(Surv(time, status) ~ age + strata(sex), data = lung,
#'         reverse = TRUE)
#'
#' fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung)
#' concordance(fit)
#' tidy(c_index(fit))
#' @export
c_index <- function(object, data, weights = NULL, subset,
                    na.action = stats::na.omit, cluster = NULL,
                    reverse = FALSE, timewt = "n", timefix = TRUE,
                    conf_level = 0.95, ...) {
  if (missing(object)) {
    cs_abort("`object` is missing; it must be a formula such as ",
             "Surv(time, status) ~ score, or a cox() fit.", arg = "object")
  }
  if (inherits(object, "cs_cox")) {
    extra <- setdiff(names(match.call())[-1L], c("object", "timewt",
                                                  "timefix", "conf_level"))
    if (length(extra)) {
      cs_abort("`", extra[1L], "` cannot be given with a cox() fit: the ",
               "fit's own rows, weights, strata and cluster are used.",
               arg = extra[1L])
    }
    return(concordance_cox(object, timewt, timefix, conf_level,
                           call = match.call()))
  }
  survival_args(match.call(expand.dots = FALSE)$..., parent.frame(),
                "c_index", refuse = concordance_refused)
  if (!inherits(object, "formula")) {
    cs_abort("`object` must be a formula such as Surv(time, status) ~ ",
             "score, or a cox() fit; it is ", class(object)[1L], ".",
             arg = "object")
  }
  check_concordance_options(timewt, timefix, conf_level)
  check_flag(reverse, "reverse")
  mcall <- match.call(expand.dots = FALSE)
  names(mcall)[names(mcall) == "object"] <- "formula"
  sf <- surv_frame(mcall, parent.frame(), fun = "c_index",
                   extras = "cluster")
  sp <- split_strata(sf$mf, sf$terms)
  x <- concordance_predictor(sp$terms, sf$mf)
  fit <- concordance_engine(sf$y, x, sp$strata, sf$weights,
                            sf$extras$cluster, reverse, timefix, conf_level)
  fit$na_action <- sf$na_action
  fit$predictor <- paste(attr(sp$terms, "term.labels"), collapse = " + ")
  fit$call <- match.call()
  fit
}

#' @rdname c_index
#' @method concordance cs_cox
#' @export
concordance.cs_cox <- function(object, ..., timewt = "n", timefix = TRUE,
                               conf_level = 0.95) {
  dots <- match.call(expand.dots = FALSE)$...
  if (length(dots)) {
    nms <- names(dots)
    if (is.null(nms) || any(!nzchar(nms))) {
      cs_abort("concordance() of a cox() fit takes one fit; compare fits ",
               "one at a time.", arg = "...")
    }
    survival_args(dots, parent.frame(), "concordance",
                  refuse = c(concordance_refused,
                             cluster = "the fit's own cluster is used."))
  }
  concordance_cox(object, timewt, timefix, conf_level, call = match.call())
}

# survival's concordance() arguments without an equivalent.
concordance_refused <- c(
  ymin = "restricting the time range is not supported.",
  ymax = "restricting the time range is not supported.",
  influence = "the influence of each row is not returned.",
  ranks = "the rank residuals are not returned.",
  keepstrata = paste("the counts per stratum are always kept",
                     "(`counts_strata`)."),
  newdata = "the concordance of a fit is computed on its own data.",
  std.err = "the standard error is always computed."
)

check_concordance_options <- function(timewt, timefix, conf_level) {
  if (!identical(timewt, "n")) {
    if (is.character(timewt) && length(timewt) == 1L &&
        timewt %in% c("S", "S/G", "n/G2", "I")) {
      cs_abort("`timewt = \"", timewt, "\"` is not supported; only ",
               "\"n\" (Harrell's C, survival's default) is.", arg = "timewt")
    }
    cs_abort("`timewt` must be \"n\" (Harrell's C).", arg = "timewt")
  }
  check_flag(timefix, "timefix")
  check_probability(conf_level, "conf_level")
}

# The one predictor column of the right-hand side (strata() terms removed).
concordance_predictor <- function(tt, mf) {
  if (!is.null(attr(tt, "offset"))) {
    cs_abort("`formula`: c_index() takes no offset() term.",
             arg = "formula")
  }
  labs <- attr(tt, "term.labels")
  if (!length(labs)) {
    cs_abort("`formula` must have one predictor on the right-hand side, ",
             "such as Surv(time, status) ~ score.", arg = "formula")
  }
  v <- if (length(labs) == 1L) mf[[labs]]
  if ((is.numeric(v) || is.logical(v)) && is.null(dim(v)) &&
      !is.object(v)) {
    # a plain numeric column: model.matrix() would give the same column
    # (with row names, which cost more than the rest on a million rows)
    return(as.double(v))
  }
  attr(tt, "intercept") <- 1L
  x <- tryCatch(stats::model.matrix(tt, mf), error = function(e) {
    cs_abort("`formula`: could not build the predictor from its ",
             "right-hand side: ", conditionMessage(e), arg = "formula")
  })
  x <- x[, colnames(x) != "(Intercept)", drop = FALSE]
  if (ncol(x) != 1L) {
    cs_abort("`formula` must have one predictor giving one column; its ",
             "right-hand side gives ", ncol(x), " (", paste(colnames(x),
             collapse = ", "), "). Combine them into one score (for ",
             "example the linear predictor of a cox() fit).",
             arg = "formula")
  }
  as.double(x[, 1L])
}

# The concordance of a cox() fit: its linear predictor on the rows used,
# reversed (a higher risk, a shorter survival), its strata, weights and
# cluster, as concordance.coxph.
concordance_cox <- function(fit, timewt, timefix, conf_level, call) {
  check_cox(fit, "object")
  check_concordance_options(timewt, timefix, conf_level)
  if (inherits(fit$y, "cs_db_rows")) db_refuse_rows("concordance()")
  lp <- fit$linear_predictors
  if (!is.null(fit$used)) lp <- lp[fit$used]
  if (anyNA(lp)) {
    cs_abort("`object`: the fit has NA coefficients for every term, so ",
             "it has no linear predictor to assess.", arg = "object")
  }
  # a tt() fit: its strata are the risk sets of the expanded rows (R/tt.R),
  # whether or not the formula has strata(), as coxph's concordance
  strata <- if (!is.null(fit$strata) || !is.null(fit$tt)) fit$strata_code
  out <- concordance_engine(fit$y, lp, strata, fit$weights, fit$cluster,
                            reverse = TRUE, timefix = timefix,
                            conf_level = conf_level)
  out$predictor <- "the linear predictor"
  out$call <- call
  out
}

# The concordance of `x` for the response matrix `y` (stop, status or
# start, stop, status) with strata, weights and cluster (each NULL or one
# value per row).
concordance_engine <- function(y, x, strata, weights, cluster, reverse,
                               timefix, conf_level) {
  sd <- new_surv_data(unclass(y), strata, weights, timefix = timefix)
  res <- cpp_concordance(sd, if (is.double(x)) x else as.double(x),
                         !is.null(cluster))
  counts <- colSums(res$counts)
  names(counts) <- concordance_count_names
  est <- res$concordance
  var <- res$var
  if (!is.null(cluster)) {
    var <- sum(rowsum(res$dfbeta, cluster, reorder = FALSE)^2)
  }
  if (sum(counts[1:3]) == 0) {
    cs_warn("there are no comparable pairs (no event with a longer time ",
            "at risk), so the concordance is NA.",
            class = "cohortsurv_warning_no_events")
    est <- var <- NA_real_
    res$cox_var <- NA_real_
  }
  if (reverse) {
    est <- 1 - est
    counts[1:2] <- counts[2:1]
    res$counts[, 1:2] <- res$counts[, 2:1]
  }
  se <- sqrt(var)
  z <- stats::qnorm(1 - (1 - conf_level) / 2)
  new_cs_concordance(list(
    concordance = est, std_err = se, var = var, cox_var = res$cox_var,
    lower = max(0, est - z * se), upper = min(1, est + z * se),
    conf_level = conf_level, counts = counts,
    counts_strata = if (!is.null(strata)) {
      cbind(data.frame(strata = factor(sd$strata_levels,
                                       levels = sd$strata_levels)),
            stats::setNames(as.data.frame(res$counts),
                            concordance_count_names))
    },
    n = sd$n, n_event = sum(sd$status), reverse = reverse, timewt = "n",
    predictor = NULL, na_action = NULL, call = NULL
  ))
}

concordance_count_names <- c("concordant", "discordant", "tied_x",
                             "tied_y", "tied_xy")

# The constructor of class `cs_concordance` (fields checked).
new_cs_concordance <- function(x) {
  check_fields(x, "cs_concordance",
               c("concordance", "std_err", "var", "cox_var", "lower",
                 "upper", "conf_level", "counts", "n", "n_event", "reverse",
                 "timewt"))
  stopifnot(length(x$counts) == 5L)
  structure(x, class = "cs_concordance")
}

#' @export
print.cs_concordance <- function(x, digits = max(getOption("digits") - 3L,
                                                 3L), ...) {
  pred <- if (is.null(x$predictor)) "the predictor" else x$predictor
  cat("Concordance (Harrell's C) of ", pred, ": larger values predict ",
      if (x$reverse) "shorter" else "longer", " survival\n", sep = "")
  omit <- x$na_action
  cat("n = ", x$n, ", events = ", x$n_event,
      if (length(omit)) paste0(" (", stats::naprint(omit), ")"), "\n",
      sep = "")
  pct <- format(100 * x$conf_level)
  cat("C = ", format(x$concordance, digits = digits), ", se = ",
      format(x$std_err, digits = digits), ", ", pct, "% CI ",
      format(x$lower, digits = digits), " to ",
      format(x$upper, digits = digits), "\n", sep = "")
  print(round(x$counts, 2L))
  invisible(x)
}

#' @export
coef.cs_concordance <- function(object, ...) {
  c(concordance = object$concordance)
}

#' @export
vcov.cs_concordance <- function(object, ...) {
  matrix(object$var, 1L, 1L,
         dimnames = list("concordance", "concordance"))
}

#' @rdname c_index
#' @param x A `cs_concordance` object.
#' @export
tidy.cs_concordance <- function(x, ...) {
  check_no_dots(..., fun = "tidy")
  cbind(data.frame(concordance = x$concordance, std_err = x$std_err,
                   lower = x$lower, upper = x$upper),
        as.data.frame(as.list(x$counts)))
}
