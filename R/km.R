#' Kaplan-Meier survival curves
#'
#' Estimates the survival function of one or more groups by the product-limit
#' method, with Greenwood's variance, pointwise confidence intervals, the
#' median survival time with its confidence interval and the restricted mean.
#' The arithmetic runs in C++ in one pass per stratum over data sorted once.
#'
#' @param formula A formula with a [survival::Surv()] response on the left:
#'   `Surv(time, status) ~ 1` for one curve, `~ group` or `~ g1 + g2` for one
#'   curve per combination of the grouping variables, and
#'   `Surv(start, stop, status)` for delayed entry (left truncation). `status`
#'   is coded 0/1 (censored/event), `FALSE`/`TRUE`, or 1/2.
#' @param data A data frame (a tibble or data.table works too) holding the
#'   variables of `formula`, `weights` and `subset`.
#'   Or a table in a database (a dbplyr table or [db_table()]): the fit then
#'   runs inside the database and fetches only aggregates
#'   (`vignette("database")`).
#' @param weights Optional case weights, a column of `data` or a numeric vector
#'   with one finite, non-negative value per row. A weight of 2 counts a row
#'   twice.
#' @param subset Optional expression saying which rows of `data` to use.
#' @param na.action What to do with rows holding missing values; the default,
#'   [stats::na.omit()], drops them and `print()` reports how many.
#' @param conf_type The transform of the pointwise confidence interval of
#'   S(t): `"log"` (the default, as in `survfit`), `"log-log"`, `"plain"` or
#'   `"arcsin"`.
#' @param conf_level The confidence level of every interval, a number
#'   strictly between 0 and 1.
#' @param median_ci How the confidence interval of the median (and of other
#'   quantiles in the table) is found: `"bc"` inverts the pointwise band
#'   (Brookmeyer and Crowley 1982), as `survival::quantile.survfit` does;
#'   `"symmetric"` is the median plus or minus z times its standard error,
#'   the SE of S at the median divided by a density estimate.
#' @param timefix `TRUE` (the default, as `survfit`) to treat times that
#'   differ by less than `sqrt(.Machine$double.eps)` (absolutely, or
#'   relative to the mean time) as equal, as `survival::aeqSurv()` does;
#'   `FALSE` to use the times as given.
#' @param robust Which variance of S(t) to use: `FALSE` for Greenwood's,
#'   `TRUE` for the robust (infinitesimal-jackknife) variance, summed within
#'   clusters. The default, `NULL`, follows `survfit`: robust when `cluster`
#'   is given, when some weight is not a whole number, or when an `id` has
#'   more than one event; Greenwood's otherwise.
#' @param id Optional subject identifier, a column of `data` or a vector
#'   with one value per row, evaluated like `weights`. It serves as the
#'   cluster of the robust variance when `cluster` is not given, and with
#'   `Surv(start, stop, status)` data a row followed without a gap by
#'   another row of the same subject is not counted as a censoring.
#' @param cluster Optional cluster identifier, a column of `data` or a
#'   vector with one value per row, evaluated like `weights`: the robust
#'   variance adds up the influence of the rows of each cluster. Giving it
#'   makes the variance robust unless `robust = FALSE`, which ignores it
#'   with a warning.
#' @param ctype The estimator of the cumulative hazard in the `cumhaz`
#'   column of the curves, numbered as `survfit()`'s `ctype`: 1 (the
#'   default) for Nelson-Aalen, 2 for Fleming-Harrington, which treats the
#'   events at a tied time as happening one after another. The survival
#'   curve itself is the Kaplan-Meier estimate either way.
#' @param ... `survfit()`'s names for km() arguments: `conf.type` for
#'   `conf_type` and `conf.int` for `conf_level`. The other `survfit()`
#'   arguments (`rmean`, `se.fit`, `stype`, `conf.lower`,
#'   `start.time`, `influence`, ...) have no equivalent here and are refused
#'   with an error saying so.
#'
#' @details
#' Rows with equal times are grouped; deaths precede censorings at a tied
#' time, so a subject censored at t is counted at risk at t. With
#' `Surv(start, stop, status)` a subject is at risk at t when
#' start < t <= stop.
#'
#' With `robust = FALSE` the variance is Greenwood's formula on the
#' weighted counts, as `survfit(..., robust = FALSE)`. The robust variance
#' is the infinitesimal jackknife: with U_k(t) the derivative of S(t) with
#' respect to the weights of the rows of cluster k (each row its own
#' cluster without `id` or `cluster`), Var S(t) = sum_k U_k(t)^2, as
#' `survfit(..., robust = TRUE)` computes it (Therneau and Grambsch 2000,
#' section 7.2). With `Surv(start, stop, status)` data and
#' `robust = TRUE`, `id` or `cluster` must say which rows belong to one
#' subject. `std_err` is then the SE of S itself, and the confidence
#' limits use SE(log S) = SE(S) / S, as in `survfit`. Where a curve drops
#' to 0 the robust SE is exactly 0 (so the `"plain"` limits are 0 and 0);
#' `survfit` there reports 0 or a rounding residue below 1e-15, and with a
#' residue its plain limits are `NaN`. The restricted mean's standard
#' error is the Greenwood-type formula either way, as in `survfit`'s table.
#' The robust variance costs one more pass over the sorted rows, or, for a
#' curve with few clusters, clusters x event times operations.
#'
#' `km()` accepts `survfit()`'s `conf.type` and `conf.int` as names for
#' `conf_type` and `conf_level`.
#'
#' The symmetric interval of the median uses
#' SE(median) = SE(S(median)) / f, where
#' f = (S(u) - S(l)) / (l - u), u is the last event time with S >= 0.55 (or
#' the origin) and l the first event time with S <= 0.45 (Collett 2015,
#' section 2.4; Klein and Moeschberger 2003, section 4.5). This is the
#' interval that SPSS-style reports, such as the seed paper of this package,
#' quote.
#'
#' Quantile limits follow `survival::quantile.survfit` (midpoints on flat
#' stretches, NA when a limit never crosses). A pointwise limit can rise
#' again: with delayed entry, when the number at risk grows, and in the tail
#' of a log-transformed band, when a tiny risk set makes the Greenwood
#' variance jump. `km()` then takes the first crossing, which is where the
#' Brookmeyer-Crowley interval ends; `quantile.survfit` finds the crossing
#' with `approx()`, which sorts the limit's values first, and can report a
#' later time.
#'
#' The cumulative hazard is survfit's: with n the weighted number at risk
#' and d the weighted events at a time, Nelson-Aalen adds d / n to H and
#' d / n^2 to its variance; Fleming-Harrington (`ctype = 2`), with e event
#' rows at the time, adds the sum over j = 0, ..., e - 1 of
#' d / (e (n - j d / e)) to H and d / (e (n - j d / e)^2) to its variance
#' (Fleming and Harrington 1984). `std_chaz` is the square root of that
#' variance; with the robust variance it is `NA` (survfit reports the
#' infinitesimal-jackknife SE of the hazard there, which `km()` does not
#' compute).
#'
#' The restricted mean is integrated up to the largest time of all curves
#' (survival's `rmean = "common"`), its standard error as in
#' Klein and Moeschberger (2003), section 4.5.
#'
#' @section Speed and memory:
#' When the times are whole numbers on a modest grid (days or months over
#' a follow-up, the usual case in a cohort: at most `max(65536, n / 2)`
#' stratum-by-time cells), `km()` sorts nothing: one pass over the rows
#' adds each to its (curve, time) cell and the curves are read off the
#' cells. Otherwise it sorts once by curve and time and makes one pass over
#' the sorted rows. Both give the same curves (tested to 1e-13). On 10^6
#' rows with three groups and day-valued times, `km()` takes about 0.03 s
#' where `survfit` takes 1.4 s (`inst/bench/bench-km.R`); with times in
#' fractional months (sorting kernel) 0.09 s against 1.1 s.
#'
#' Beyond the data themselves, that call peaks at about 33 bytes per row of
#' resident memory (36 of R heap), against 184 (248) for `survfit`
#' (`inst/bench/memory.R`, a fresh R process per call). Row indices are
#' 64-bit in C++, but a sort order travels from R as an integer vector, so
#' one fit takes at most 2^31 - 1 rows.
#'
#' @returns An object of class `cs_km`, a list with
#'   \describe{
#'     \item{curves}{a data frame with one row per distinct time per stratum:
#'       `strata, time, n_risk, n_event, n_censor, surv, std_err, lower,
#'       upper, cumhaz, std_chaz`; `std_err` is the standard error of S(t),
#'       `cumhaz` the cumulative hazard (by `ctype`) and `std_chaz` its
#'       standard error, equal to survfit's `cumhaz` and `std.chaz`.}
#'     \item{table}{a data frame with one row per stratum: `strata, n, events,
#'       median, median_lower, median_upper, rmean, rmean_se`.}
#'     \item{strata}{the curves as data: one row per curve, its label
#'       (`curve`, a level of `curves$strata`) and the value of each
#'       grouping variable in a column of its own (`km()` only), so that
#'       plots and tables never parse labels.}
#'   }
#'   and the settings used (`conf_type`, `conf_level`, `median_ci`, `type`,
#'   `weighted`, `robust` (whether the variance is the robust one),
#'   `n_dropped`, `rmean_tau`, `call`).
#'
#' @references
#' Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete
#' observations. *Journal of the American Statistical Association* 53,
#' 457-481.
#'
#' Brookmeyer R, Crowley J (1982). A confidence interval for the median
#' survival time. *Biometrics* 38, 29-41.
#'
#' Fleming TR, Harrington DP (1984). Nonparametric estimation of the
#' survival distribution in censored data. *Communications in Statistics -
#' Theory and Methods* 13, 2469-2486.
#'
#' Collett D (2015). *Modelling Survival Data in Medical Research*, 3rd ed.
#' Chapman and Hall/CRC.
#'
#' Klein JP, Moeschberger ML (2003). *Survival Analysis: Techniques for
#' Censored and Truncated Data*, 2nd ed. Springer.
#'
#' Therneau TM, Grambsch PM (2000). *Modeling Survival Data: Extending the
#' Cox Model*. Springer.
#'
#' @seealso [summary.cs_km()] for the number-at-risk table at chosen times,
#'   [quantile.cs_km()] for other quantiles, [km_fit()] for the matrix-level
#'   fitter.
#'
#' @examples
#' library(survival)
#' fit <- km(Surv(time, status) ~ sex, data = lung)
#' fit
#' fit$table
#' summary(fit, times = c(0, 180, 365, 730))
#' quantile(fit, probs = c(0.25, 0.5))
#'
#' # the symmetric median interval that many clinical papers report
#' km(Surv(time, status) ~ sex, data = lung, median_ci = "symmetric")$table
#'
#' # robust variance, clustered by patient (two rows per patient)
#' head(km(Surv(time, status) ~ rx, data = colon, cluster = id)$curves)
#' @export
km <- function(formula, data, weights = NULL, subset, na.action = stats::na.omit,
               conf_type = c("log", "log-log", "plain", "arcsin"),
               conf_level = 0.95, median_ci = c("bc", "symmetric"),
               robust = NULL, id = NULL, cluster = NULL, timefix = TRUE,
               ..., ctype = 1) {
  if (!missing(data) && is_db_data(data)) {
    return(db_dispatch("km", match.call(), parent.frame()))
  }
  mcall <- match.call(expand.dots = FALSE)
  alias <- survival_args(mcall$..., parent.frame(),
                         "km", c(conf.type = "conf_type", conf.int = "conf_level"),
                         given = c(conf_type = !missing(conf_type),
                                   conf_level = !missing(conf_level)),
                         refuse = km_refused)
  if (!is.null(alias$conf_type)) {
    conf_type <- arg_choice(alias$conf_type, "conf.type",
                            c("log", "log-log", "plain", "arcsin"))
  }
  if (!is.null(alias$conf_level)) {
    check_probability(alias$conf_level, "conf.int")
    conf_level <- alias$conf_level
  }
  conf_type <- arg_choice(conf_type, "conf_type",
                          c("log", "log-log", "plain", "arcsin"))
  median_ci <- arg_choice(median_ci, "median_ci", c("bc", "symmetric"))
  check_probability(conf_level, "conf_level")
  if (!is.null(robust)) check_flag(robust, "robust")
  check_flag(timefix, "timefix")
  check_ctype(ctype)
  sf <- surv_frame(mcall, parent.frame(), extras = c("id", "cluster"))
  rhs <- curve_factor(sf)
  cl <- robust_clusters(robust, sf$extras$id, sf$extras$cluster, sf$weights,
                        sf$y)
  fit <- km_engine(sf$y, strata = rhs, weights = sf$weights,
                   conf_type = conf_type, conf_level = conf_level,
                   median_ci = median_ci, cluster = cl, id = sf$extras$id,
                   timefix = timefix, ctype = ctype)
  # the fields set on the plain list (no `$<-` method lookup), then the
  # class again
  fit <- unclass(fit)
  fit$n_dropped <- sf$n_dropped
  fit$strata <- curve_identity(fit, rhs)
  # match.call() is `mcall` when no `...` argument was given
  fit$call <- if (is.null(mcall$...)) mcall else match.call()
  oldClass(fit) <- "cs_km"
  fit
}

# The curves of a fit as data: one row per curve, its label (`curve`) and
# the value of each grouping variable (from combine_factors()).
curve_identity <- function(fit, rhs) {
  lev <- attr(.subset2(fit$curves, "strata"), "levels")
  ids <- attr(rhs, "identity")
  if (is.null(ids)) return(new_frame(list(curve = lev)))
  if (identical(lev, ids$curve)) return(ids)
  new_frame(lapply(unclass(ids), `[`, match(lev, ids$curve)))
}

# survfit()'s argument names that km() does not take, and what km() offers
# instead (see survival_args() in R/args.R).
km_only <- "km() computes the Kaplan-Meier estimate only"
km_refused <- c(
  rmean = paste0("the table's restricted mean integrates up to the ",
                 "largest time of all curves (survfit's rmean = \"common\"); ",
                 "use rmst(fit, tau = ) for another horizon"),
  se.fit = "km() always computes standard errors",
  stype = paste0(km_only, " (survfit's stype = 1); exp(-hazard) curves are ",
                 "not supported"),
  type = paste0(km_only, "; survfit's `type` (Fleming-Harrington) is not ",
                "supported"),
  error = "km() uses `robust` to choose the variance (Greenwood or robust)",
  conf.lower = paste0("km() supports only the usual confidence limits; ",
                      "`conf.lower` is not supported"),
  start.time = paste0("`start.time` is not supported; use `subset` and ",
                      "shift the times instead"),
  influence = "`influence` is not supported",
  istate = "multi-state curves are not supported",
  etype = "multi-state curves are not supported",
  entry = "`entry` is not supported",
  time0 = "`time0` is not supported",
  p0 = "multi-state curves are not supported",
  model = "`model` is not supported",
  scale = "`scale` is not supported; rescale the times instead"
)

# `ctype`, survfit's number of the cumulative-hazard estimator: 1 or 2.
check_ctype <- function(ctype) {
  if (!is.numeric(ctype) || length(ctype) != 1L || is.na(ctype) ||
      !ctype %in% c(1, 2)) {
    cs_abort("`ctype` must be 1 (Nelson-Aalen) or 2 (Fleming-Harrington)",
             if (is.numeric(ctype) && length(ctype) == 1L)
               paste0("; it is ", fmt_value(ctype)), ".", arg = "ctype")
  }
  invisible(TRUE)
}

# The 0-based cluster code of each row for the robust variance, or NULL for
# Greenwood's, by survfit's rules: `robust = NULL` means robust when
# `cluster` is given, when some weight is not a whole number, or when an
# `id` has more than one event; the clusters are `cluster`, else `id`, else
# one per row (counting-process data with `robust = TRUE` need `id` or
# `cluster`, since a subject may span several rows). `y` is the response
# matrix (its status column is read only when `id` is given).
robust_clusters <- function(robust, id, cluster, weights, y) {
  has_cluster <- length(cluster) > 0L
  has_id <- length(id) > 0L
  counting <- ncol(y) == 3L
  if (is.null(robust)) {
    robust <- has_cluster ||
      (!is.null(weights) && any(weights != floor(weights))) ||
      (has_id && anyDuplicated(id[surv_col(y, "status") == 1]) > 0L)
    explicit <- FALSE
  } else {
    explicit <- TRUE
  }
  if (!robust) {
    if (has_cluster) {
      cs_warn("`cluster` is ignored with `robust = FALSE` (Greenwood's ",
              "variance has no clusters).",
              class = "cohortsurv_warning_cluster")
    }
    return(NULL)
  }
  cl <- if (has_cluster) cluster else if (has_id) id else NULL
  if (is.null(cl)) {
    if (counting && explicit) {
      cs_abort("`robust = TRUE` with Surv(start, stop, status) data needs ",
               "`id` or `cluster`, to say which rows belong to one subject.",
               arg = "robust")
    }
    return(seq_len(nrow(y)) - 1L)
  }
  match(cl, unique(cl)) - 1L
}

# One factor whose levels are the curves: every grouping term on the
# right-hand side (strata() terms included), combined, as survfit does.
curve_factor <- function(sf) {
  vars <- grouping_terms(sf, "km")
  if (!length(vars)) return(NULL)
  if (length(vars) == 1L) return(combine_factor1(.subset2(sf$mf, vars), vars))
  combine_factors(new_frame(unclass(sf$mf)[vars]))
}

#' Kaplan-Meier fit from vectors
#'
#' The matrix-level fitter behind [km()]: takes plain vectors, already free of
#' missing values, sorts them once and calls the C++ kernel.
#'
#' @param time Numeric vector of follow-up (stop) times, finite and
#'   non-negative.
#' @param status Numeric or logical vector of event indicators, 1 or `TRUE`
#'   for an event.
#' @param strata Optional factor (or vector coerced to one) saying which
#'   curve each row belongs to; `NULL` for a single curve.
#' @param weights Optional non-negative case weights; `NULL` for weight 1.
#' @param start Optional entry times for left-truncated data, each below its
#'   `time`; `NULL` for right-censored data.
#' @param id,cluster Optional vectors with one value per row and no missing
#'   values, as described in [km()].
#' @inheritParams km
#' @returns An object of class `cs_km`, as described in [km()].
#' @examples
#' fit <- km_fit(time = c(1, 2, 2, 3, 5), status = c(1, 1, 0, 1, 0))
#' fit$curves
#' @export
km_fit <- function(time, status, strata = NULL, weights = NULL, start = NULL,
                   conf_type = "log", conf_level = 0.95, median_ci = "bc",
                   robust = NULL, id = NULL, cluster = NULL, ctype = 1) {
  conf_type <- arg_choice(conf_type, "conf_type",
                          c("log", "log-log", "plain", "arcsin"))
  median_ci <- arg_choice(median_ci, "median_ci", c("bc", "symmetric"))
  check_probability(conf_level, "conf_level")
  if (!is.null(robust)) check_flag(robust, "robust")
  check_ctype(ctype)
  check_fit_vectors(time, status, weights, start, strata, length(time))
  for (nm in c("id", "cluster")) {
    v <- if (nm == "id") id else cluster
    if (is.null(v)) next
    if (!is.atomic(v) || length(v) != length(time)) {
      cs_abort("`", nm, "` must be a vector with one element per row (",
               length(time), ").", arg = nm)
    }
    abort_first_bad(v, is.na(v), nm, "free of missing values")
  }
  y <- if (is.null(start)) {
    cbind(stop = as.double(time), status = as.double(status))
  } else {
    cbind(start = as.double(start), stop = as.double(time),
          status = as.double(status))
  }
  cl <- robust_clusters(robust, id, cluster, weights, y)
  fit <- km_engine(y, strata, weights, conf_type, conf_level, median_ci,
                   cluster = cl, id = id, ctype = ctype)
  fit$call <- match.call()
  fit
}

# km_fit() without the argument checks, for callers that have validated.
# `y` is the double matrix of the response: columns stop and status, or
# start, stop and status for counting-process data.
# `cluster`: 0-based cluster codes for the robust variance, or NULL for
# Greenwood's. `id`: the subject of each row, or NULL; with counting-process
# data a row that a row of the same subject continues without a gap is not
# counted as a censoring (as survfit counts them).
# `robust_method`: 0 lets km_robust_se() choose, 1 forces the recursion,
# 2 the O(n) expansion (tests use it).
km_engine <- function(y, strata, weights, conf_type, conf_level, median_ci,
                      cluster = NULL, id = NULL, robust_method = 0L,
                      timefix = FALSE, ctype = 1L) {
  haz_type <- as.integer(ctype)
  # the robust variance has a sorted kernel only
  sd <- new_surv_data(y, strata, weights, timefix = timefix,
                      bins = if (is.null(cluster))
                        list(cells = 1, rule = bin_rules$km),
                      columns = FALSE)
  lev <- sd$strata_levels
  z <- stats::qnorm(1 - (1 - conf_level) / 2)
  ctype <- match(conf_type, c("log", "log-log", "plain", "arcsin")) - 1L
  # the kernels return the curves as a data frame: strata a factor of
  # `lev`, NaN limits and hazard SEs as NA
  curves <- if (!is.null(sd$bins)) {
    cpp_km_binned(sd, sd$bins$tmin, sd$bins$n_bins, ctype, z, haz_type, lev)
  } else if (is.null(cluster)) {
    cpp_km(sd, ctype, z, haz_type, lev)
  } else {
    cpp_km_robust(sd, as.integer(cluster), as.integer(max(cluster) + 1L),
                  as.integer(robust_method), ctype, z, haz_type, lev)
  }
  if (sd$counting && length(id)) {
    curves$n_censor <- real_censorings(curves, sd, id)
  }
  tau <- max(curves$time)
  table <- km_table(curves, n_rows = sd$strata_n,
                    tau = tau, z = z, median_ci = median_ci)
  new_cs_km(list(
    curves = curves, table = table, conf_type = conf_type,
    conf_level = conf_level, median_ci = median_ci,
    type = if (sd$counting) "counting" else "right",
    weighted = !is.null(weights), robust = !is.null(cluster),
    n_dropped = 0L, rmean_tau = tau, ctype = as.integer(ctype), call = NULL
  ))
}

# The constructor of class `cs_km`: the fields documented in ?km, checked.
new_cs_km <- function(x) {
  # the checks below in one expression, which holds for every object km()
  # builds; the checks themselves run (and say what fails) otherwise
  cv <- if (is.list(x)) .subset2(x, "curves")
  tab <- if (is.list(x)) .subset2(x, "table")
  s <- if (is.list(cv)) .subset2(cv, "strata")
  if (is.list(x) && has_names(x, km_fields) &&
      is.data.frame(cv) && has_names(cv, km_curve_cols) &&
      is.data.frame(tab) && has_names(tab, km_table_cols) &&
      is.factor(s) && length(levels(s)) == .row_names_info(tab, 2L) &&
      length(x$conf_type) == 1L && length(x$median_ci) == 1L &&
      length(x$type) == 1L &&
      match(x$conf_type, c("log", "log-log", "plain", "arcsin"), 0L) > 0L &&
      match(x$median_ci, c("bc", "symmetric"), 0L) > 0L &&
      match(x$type, c("right", "counting"), 0L) > 0L &&
      is.logical(x$weighted) && is.logical(x$robust)) {
    oldClass(x) <- "cs_km"
    return(x)
  }
  check_fields(x, "cs_km",
    c("curves", "table", "conf_type", "conf_level", "median_ci", "type",
      "weighted", "robust", "n_dropped", "rmean_tau"),
    list(curves = c("strata", "time", "n_risk", "n_event", "n_censor",
                    "surv", "std_err", "lower", "upper"),
         table = c("strata", "n", "events", "median", "median_lower",
                   "median_upper", "rmean", "rmean_se")))
  check_invariants("cs_km",
    is.factor(x$curves$strata),
    nlevels(x$curves$strata) == nrow(x$table),
    x$conf_type %in% c("log", "log-log", "plain", "arcsin"),
    x$median_ci %in% c("bc", "symmetric"),
    x$type %in% c("right", "counting"),
    is.logical(x$weighted), is.logical(x$robust))
  structure(x, class = "cs_km")
}

# Whether `x` has every name in `nms`: at once when they are its first names
# in that order (as km_engine() builds them), else by match().
has_names <- function(x, nms) {
  xn <- names(x)
  identical(xn[seq_along(nms)], nms) || !anyNA(match(nms, xn))
}

km_fields <- c("curves", "table", "conf_type", "conf_level", "median_ci",
               "type", "weighted", "robust", "n_dropped", "rmean_tau")
km_curve_cols <- c("strata", "time", "n_risk", "n_event", "n_censor",
                   "surv", "std_err", "lower", "upper")
km_table_cols <- c("strata", "n", "events", "median", "median_lower",
                   "median_upper", "rmean", "rmean_se")

# n_censor of `curves` without the censorings that are not real: with
# counting-process data and an `id`, a censored row (a, b] followed by a
# row (b, c] of the same subject is an interval boundary, not a loss to
# follow-up.
real_censorings <- function(curves, sd, id) {
  start <- sd$start
  stop <- sd$stop
  code <- sd$strata + 1L
  weights <- sd$weights
  n <- length(stop)
  o <- order(id, stop, method = "radix")
  ido <- id[o]
  continued <- logical(n)
  if (n > 1L) {
    nxt <- seq.int(2L, n)
    # the next row of the same subject, in the same curve: a subject who
    # moves to another curve is censored in the one it leaves (survival's
    # extended Kaplan-Meier, tests/ekm.R)
    codeo <- as.integer(code)[o]
    continued[o[-n]] <- ido[-n] == ido[nxt] & stop[o[-n]] >= start[o[nxt]] &
      codeo[-n] == codeo[nxt]
  }
  sel <- which(continued & sd$status == 0)
  nc <- curves$n_censor
  if (!length(sel)) return(nc)
  w <- if (is.null(weights)) rep(1, length(sel)) else weights[sel]
  ccode <- as.integer(curves$strata)
  first <- match(seq_len(nlevels(curves$strata)), ccode)
  for (k in unique(as.integer(code[sel]))) {
    in_k <- sel[as.integer(code[sel]) == k]
    rows_k <- first[k] - 1L + seq_len(sum(ccode == k))
    at <- rows_k[match(stop[in_k], curves$time[rows_k])]
    dec <- rowsum(w[as.integer(code[sel]) == k], at, reorder = FALSE)
    idx <- as.integer(rownames(dec))
    nc[idx] <- nc[idx] - dec[, 1L]
  }
  nc
}

nan_to_na <- function(x) {
  if (anyNA(x)) x[is.nan(x)] <- NA_real_
  x
}


arg_choice <- function(x, arg, choices) {
  if (identical(x, choices)) return(choices[1L])
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    cs_abort("`", arg, "` must be one of ",
             paste0("\"", choices, "\"", collapse = ", "),
             if (is.character(x) && length(x) == 1L)
               paste0("; it is \"", x, "\""), ".", arg = arg)
  }
  x
}

# Checks for the vector-level fitters (the formula interface has already
# validated, so these only fire for direct callers).
check_fit_vectors <- function(time, status, weights, start, strata, n) {
  if (!is.numeric(time)) cs_abort("`time` must be numeric.", arg = "time")
  if (n == 0L) cs_abort("`time` must have at least one element.", arg = "time")
  # each vector in one pass without allocating (value_range()); row by row
  # only when that finds a bad value, to name it
  if (!clean_range(time, 0, Inf)) {
    bad <- is.na(time) | !is.finite(time) | time < 0
    abort_first_bad(time, bad, "time", "finite and non-negative")
  }
  if (length(status) != n) {
    cs_abort("`status` must have the length of `time` (", n, ").",
             arg = "status")
  }
  if (!(is.numeric(status) || is.logical(status)) ||
      (!clean_range(status, 0, 1, whole = TRUE, closed = TRUE) &&
       sum(status == 0, na.rm = TRUE) + sum(status == 1, na.rm = TRUE) != n)) {
    cs_abort("`status` must be 0/1 or FALSE/TRUE with no missing values.",
             arg = "status")
  }
  check_fit_others(weights, start, time, strata, n)
}

# The rest of check_fit_vectors(): weights, start times (below `time`) and
# strata; called alone when time and status were checked in place
# (col_clean(), cox_fit()).
check_fit_others <- function(weights, start, time, strata, n) {
  if (!is.null(weights)) {
    if (!is.numeric(weights) || length(weights) != n) {
      cs_abort("`weights` must be a numeric vector with one element per row ",
               "(", n, ").", arg = "weights")
    }
    if (!clean_range(weights, 0, Inf)) {
      bad <- is.na(weights) | !is.finite(weights) | weights < 0
      abort_first_bad(weights, bad, "weights", "finite and non-negative")
    }
  }
  if (!is.null(start)) {
    if (!is.numeric(start) || length(start) != n) {
      cs_abort("`start` must be a numeric vector with one element per row ",
               "(", n, ").", arg = "start")
    }
    bad <- is.na(start) | start < 0 | start >= time
    abort_first_bad(start, bad, "start", "non-negative and below `time`")
  }
  if (!is.null(strata) && length(strata) != n) {
    cs_abort("`strata` must have one element per row (", n, ").",
             arg = "strata")
  }
  if (!is.null(strata)) {
    abort_first_bad(strata, is.na(strata), "strata", "not contain missing values")
  }
  invisible(TRUE)
}

# Whether numeric (or logical) `x` has no missing value and every value
# in [lo, hi) ([lo, hi] when `closed`), whole numbers when `whole`: one
# pass by value_range().
clean_range <- function(x, lo, hi, whole = FALSE, closed = FALSE) {
  range_clean(value_range(x), lo, hi, whole, closed)
}

# The same test on column `j` (0-based) of a double matrix, read in place.
col_clean <- function(y, j, lo, hi, whole = FALSE, closed = FALSE) {
  range_clean(cpp_value_range(y, j), lo, hi, whole, closed)
}

# The test itself on `r` = c(min, max, whole, n_na) (value_range()).
range_clean <- function(r, lo, hi, whole, closed) {
  r[[4L]] == 0 && r[[1L]] >= lo &&
    (if (closed) r[[2L]] <= hi else r[[2L]] < hi) &&
    (!whole || r[[3L]] == 1)
}

# Quantiles of step functions -------------------------------------------------

# The p-quantile of a survival curve given as a step function, with the
# conventions of survival::quantile.survfit: the first time at which
# 1 - S reaches p; when 1 - S equals p (within `tol`) over a flat stretch,
# the midpoint of that stretch, ending at `tmax` if the curve does.
# `cdf` is 1 - S (or 1 - a confidence limit) at `time`; NA values are
# skipped. The origin (time0, 0) is prepended.
step_quantile <- function(time, cdf, probs, time0 = 0, tmax = max(time),
                          tol = sqrt(.Machine$double.eps)) {
  x <- c(time0, time)
  y <- c(0, cdf)
  if (all(is.na(y)) || max(y, na.rm = TRUE) < min(probs)) {
    return(rep(NA_real_, length(probs)))
  }
  # keep the first time of each distinct value, as quantile.survfit does,
  # then drop NA values (limits are NA once S reaches 0). A curve that is
  # non-decreasing with NA only at its end (the usual case) needs no
  # hashing for that.
  k <- sum(!is.na(y))
  head_k <- seq_len(k)
  if (!anyNA(y[head_k]) && !is.unsorted(y[head_k])) {
    ends_na <- k < length(y)
    x <- x[head_k]
    y <- y[head_k]
    first <- c(TRUE, y[seq_len(k - 1L) + 1L] != y[seq_len(k - 1L)])
    x <- x[first]
    y <- y[first]
  } else {
    first <- !duplicated(y)
    x <- x[first]
    y <- y[first]
    ends_na <- is.na(y[length(y)])
    ok <- !is.na(y)
    x <- x[ok]
    y <- y[ok]
  }
  m <- length(y)
  vapply(probs, function(p) {
    if (p == 0) return(x[1L])
    if (p < y[1L] + tol) return(NA_real_)
    j1 <- which(y >= p - tol)[1L]
    j2 <- which(y >= p + tol)[1L]
    if (!ends_na && abs(p - y[m]) < tol) return((x[j1] + tmax) / 2)
    (x[j1] + x[j2]) / 2
  }, numeric(1))
}

# The summary table of a set of curves (one row per stratum). The medians
# (Brookmeyer-Crowley limits), restricted means and events come from the
# C++ kernel (km_table_fit() in src/km.cpp), which follows step_quantile()
# and restricted_mean() to the bit; the symmetric interval of the median is
# computed here.
km_table <- function(curves, n_rows, tau, z, median_ci) {
  cv <- unclass(curves)
  lev <- attr(.subset2(cv, "strata"), "levels")
  k_all <- length(lev)
  bc <- median_ci == "bc"
  # the curves' rows are grouped by stratum, in level order; the C++ part
  # finds each curve's rows, reads other columns than doubles as.double()
  # and gives NA where a median is undefined
  tab <- cpp_km_table(cv, k_all, as.double(tau), sqrt(.Machine$double.eps),
                      bc)
  med <- tab$median
  med_lo <- tab$lower
  med_hi <- tab$upper
  if (!bc) {
    ends <- cumsum(tabulate(cv$strata, k_all))
    starts <- c(1L, ends[-k_all] + 1L)
  }
  cols <- c("time", "n_risk", "n_event", "surv", "std_err", "lower", "upper")
  for (k in if (!bc) seq_len(k_all)) {
    sel <- seq.int(starts[k], ends[k])
    c1 <- lapply(cv[cols], `[`, sel)
    q <- km_quantiles(c1, 0.5, z, median_ci)
    med[k] <- q$quantile
    med_lo[k] <- q$lower
    med_hi[k] <- q$upper
  }
  new_frame(list(
    strata = code_factor(seq_len(k_all), lev),
    n = n_rows, events = tab$events, median = med, median_lower = med_lo,
    median_upper = med_hi, rmean = tab$rmean, rmean_se = tab$rmean_se
  ))
}

# A data frame from a list of columns of equal length, without the checks
# and copies of data.frame() (the columns are used as they are).
new_frame <- function(cols) {
  n <- length(cols[[1L]])
  oldClass(cols) <- "data.frame"
  attr(cols, "row.names") <- if (n > 0L) c(NA_integer_, -n) else integer()
  cols
}

# Quantiles with their confidence limits for one curve.
km_quantiles <- function(cv, probs, z, method) {
  tmax <- max(cv$time)
  q <- step_quantile(cv$time, 1 - cv$surv, probs, tmax = tmax)
  if (method == "bc") {
    lo <- step_quantile(cv$time, 1 - cv$lower, probs, tmax = tmax)
    hi <- step_quantile(cv$time, 1 - cv$upper, probs, tmax = tmax)
  } else {
    se <- vapply(seq_along(probs), function(i)
      quantile_se(cv, probs[i], q[i]), numeric(1))
    lo <- q - z * se
    hi <- q + z * se
  }
  list(quantile = q, lower = lo, upper = hi)
}

# Standard error of the p-quantile: SE of S at the quantile divided by the
# density estimate (S(u) - S(l)) / (l - u), u the last event time with
# S >= 1 - p + 0.05 (or the origin) and l the first event time with
# S <= 1 - p - 0.05.
quantile_se <- function(cv, p, q) {
  if (is.na(q)) return(NA_real_)
  at <- findInterval(q, cv$time)
  se_s <- if (at == 0L) 0 else cv$std_err[at]
  ev <- cv$n_event > 0
  target <- 1 - p
  up <- which(ev & cv$surv >= target + 0.05 - 1e-12)
  lo <- which(ev & cv$surv <= target - 0.05 + 1e-12)
  if (!length(lo)) return(NA_real_)
  l <- lo[1L]
  if (length(up)) {
    u <- up[length(up)]
    tu <- cv$time[u]
    su <- cv$surv[u]
  } else {
    tu <- 0
    su <- 1
  }
  f <- (su - cv$surv[l]) / (cv$time[l] - tu)
  se_s / f
}

# Restricted mean survival up to tau and its standard error.
restricted_mean <- function(time, surv, n_risk, n_event, tau) {
  keep <- time <= tau
  t <- c(time[keep], tau)
  s <- surv[keep]
  widths <- diff(c(0, t))
  heights <- c(1, s)
  area <- widths * heights
  mean <- sum(area)
  # area under the curve after each time, up to tau
  after <- rev(cumsum(rev(area)))[-1L]
  nr <- n_risk[keep]
  ne <- n_event[keep]
  h <- numeric(length(nr))
  pos <- nr - ne > 0
  h[pos] <- ne[pos] / (nr[pos] * (nr[pos] - ne[pos]))
  c(mean, sqrt(sum(after^2 * h)))
}

# Methods ----------------------------------------------------------------------

#' Print a Kaplan-Meier fit
#'
#' Shows the call, the number of rows dropped for missing values and, per
#' curve, the number of subjects, events, the median with its confidence
#' interval, as `print.survfit` does.
#'
#' @param x A `cs_km` object from [km()].
#' @param digits Significant digits to print.
#' @param ... Ignored.
#' @returns `x`, invisibly.
#' @examples
#' library(survival)
#' km(Surv(time, status) ~ sex, data = lung)
#' @export
print.cs_km <- function(x, digits = max(getOption("digits") - 4L, 3L), ...) {
  print_curve_header(x)
  tab <- x$table
  pct <- format(100 * x$conf_level)
  # counts in full (weighted counts to 2 decimals), times to `digits`
  count <- function(v) {
    format(if (all(v == round(v))) v else round(v, 2), scientific = FALSE,
           trim = TRUE)
  }
  sig <- function(v) format(signif(v, digits), trim = TRUE)
  out <- cbind(n = count(tab$n), events = count(tab$events),
               median = sig(tab$median), sig(tab$median_lower),
               sig(tab$median_upper))
  colnames(out)[4:5] <- paste0(x$conf_level, c("LCL", "UCL"))
  rownames(out) <- if (nrow(tab) == 1L && tab$strata == "all") "" else
    as.character(tab$strata)
  print(out, quote = FALSE, right = TRUE)
  cat("\n", pct, "% CI of the median: ",
      if (x$median_ci == "bc") "Brookmeyer-Crowley (" else "symmetric (",
      if (x$median_ci == "bc") paste0(x$conf_type, " transform)") else
        "Greenwood SE / density)", "\n", sep = "")
  invisible(x)
}

#' Survival estimates at chosen times
#'
#' The number-at-risk table of a Kaplan-Meier figure: survival, its
#' standard error and confidence limits, the number at risk, and the events
#' and censorings since the previous requested time, as
#' `summary.survfit(times = , extend = TRUE)` reports them.
#'
#' @param object A `cs_km` object from [km()].
#' @param times Numeric vector of times. `NULL` gives one row per event time,
#'   as `summary.survfit` does by default.
#' @param censored With `times = NULL`: `FALSE` (the default) gives the rows
#'   of the event times only, `TRUE` every distinct time, censorings
#'   included, as `summary.survfit(censored = TRUE)`. Ignored when `times`
#'   is given.
#' @param ... Ignored.
#' @returns A data frame of class `cs_km_summary` (as every `summary()` of
#'   the package: a data frame subclass with a print method) with columns
#'   `strata, time, n_risk, n_event, n_censor, surv, std_err, lower,
#'   upper`. Without `times`, `n_censor` of
#'   a row counts the censorings since the previous row of the same curve
#'   (with `censored = FALSE`, those at the event time and at the censoring
#'   times since the previous event time), as `summary.survfit` counts
#'   them; censorings after a curve's last event time appear in no row.
#'   For a requested time t,
#'   `n_risk` is the number at risk at the first curve time at or after t
#'   (0 beyond the last), `surv` and its limits are those at the last curve
#'   time at or before t (1 before the first), and `n_event`, `n_censor`
#'   add up the events and censorings in (previous time, t].
#' @examples
#' library(survival)
#' fit <- km(Surv(time, status) ~ sex, data = lung)
#' summary(fit, times = seq(0, 900, 180))
#' @export
summary.cs_km <- function(object, times = NULL, censored = FALSE, ...) {
  summary_frame(km_summary_rows(object, times, censored), "cs_km_summary")
}

#' @export
print.cs_km_summary <- function(x, ...) {
  print_summary_frame(x, "Kaplan-Meier estimates", ...)
}

# The rows of summary.cs_km().
km_summary_rows <- function(object, times, censored) {
  cv <- object$curves
  if (is.null(times)) {
    check_flag(censored, "censored")
    if (censored) {
      out <- cv
      rownames(out) <- NULL
      return(out)
    }
    keep <- cv$n_event > 0
    # censorings since the previous printed row of the same curve: the
    # running total within the curve at this row minus that at the
    # previous printed row
    run <- cumsum(cv$n_censor)
    kept <- which(keep)
    prev <- c(0L, kept[-length(kept)])
    new_curve <- c(TRUE, cv$strata[kept[-1L]] != cv$strata[kept[-length(kept)]])
    first_row <- match(cv$strata[kept], cv$strata)  # first row of the curve
    base <- ifelse(new_curve, c(0, run)[first_row], run[pmax(prev, 1L)])
    out <- cv[keep, , drop = FALSE]
    out$n_censor <- run[kept] - base
    rownames(out) <- NULL
    return(out)
  }
  if (!is.numeric(times) || anyNA(times) || length(times) == 0L) {
    cs_abort("`times` must be a numeric vector without missing values.",
             arg = "times")
  }
  times <- sort(unique(times))
  lev <- levels(cv$strata)
  rows <- lapply(seq_along(lev), function(k) {
    c1 <- cv[as.integer(cv$strata) == k, , drop = FALSE]
    m <- nrow(c1)
    at <- findInterval(times, c1$time)          # last curve time <= t
    nxt <- findInterval(times, c1$time, left.open = TRUE) + 1L  # first >= t
    n_risk <- ifelse(nxt <= m, c1$n_risk[pmin(nxt, m)], 0)
    ce <- c(0, cumsum(c1$n_event))
    cc <- c(0, cumsum(c1$n_censor))
    ev <- diff(c(0, ce[at + 1L]))
    cn <- diff(c(0, cc[at + 1L]))
    pick <- function(x, before) ifelse(at == 0L, before, x[pmax(at, 1L)])
    data.frame(
      strata = factor(lev[k], levels = lev), time = times, n_risk = n_risk,
      n_event = ev, n_censor = cn,
      surv = pick(c1$surv, 1), std_err = pick(c1$std_err, 0),
      lower = pick(c1$lower, 1), upper = pick(c1$upper, 1)
    )
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

#' Quantiles of Kaplan-Meier curves
#'
#' Survival-time quantiles (the median is `probs = 0.5`) with confidence
#' limits, by the fit's `median_ci` method.
#'
#' @param x A `cs_km` object from [km()].
#' @param probs Numeric vector of probabilities in (0, 1): the quantile for
#'   `p` is the first time at which the curve falls to 1 - p or below.
#' @param ... Ignored.
#' @returns A data frame with columns `strata, prob, quantile, lower, upper`.
#' @references
#' Brookmeyer R, Crowley J (1982). A confidence interval for the median
#' survival time. *Biometrics* 38, 29-41.
#' @examples
#' library(survival)
#' quantile(km(Surv(time, status) ~ sex, data = lung), probs = c(0.25, 0.5))
#' @importFrom stats quantile
#' @export
quantile.cs_km <- function(x, probs = c(0.25, 0.5, 0.75), ...) {
  if (!is.numeric(probs) || anyNA(probs) || any(probs <= 0 | probs >= 1)) {
    cs_abort("`probs` must be numbers strictly between 0 and 1.",
             arg = "probs")
  }
  z <- stats::qnorm(1 - (1 - x$conf_level) / 2)
  cv <- x$curves
  lev <- levels(cv$strata)
  rows <- lapply(seq_along(lev), function(k) {
    c1 <- cv[as.integer(cv$strata) == k, , drop = FALSE]
    q <- km_quantiles(c1, probs, z, x$median_ci)
    data.frame(strata = factor(lev[k], levels = lev), prob = probs,
               quantile = q$quantile, lower = q$lower, upper = q$upper)
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

#' @rdname summary.cs_km
#' @param x A `cs_km` object.
#' @param row.names,optional Ignored; present for the generic.
#' @export
as.data.frame.cs_km <- function(x, row.names = NULL, optional = FALSE, ...) {
  x$curves
}

# The call and the rows dropped for missing values, as print.survfit()
# opens; shared by the km() and cif() print methods.
print_curve_header <- function(x) {
  if (!is.null(x$call)) {
    cat("Call: ")
    dput(x$call)
    cat("\n")
  }
  if (x$n_dropped > 0L) {
    cat("  ", x$n_dropped, " observation", if (x$n_dropped > 1L) "s",
        " deleted due to missingness\n", sep = "")
  }
  invisible(x)
}
