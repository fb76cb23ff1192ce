#' Stratified Cox proportional-hazards regression
#'
#' Fits the Cox (1972) model by Newton-Raphson on the log partial likelihood,
#' with Efron (1977) or Breslow (1974) handling of tied event times, a
#' separate baseline hazard per stratum, case weights, offsets,
#' counting-process data (delayed entry, time-varying covariates) and a
#' robust (sandwich) variance, optionally clustered. The arithmetic runs in
#' C++ over data sorted once; results agree with `survival::coxph`.
#'
#' @param formula A formula with a [survival::Surv()] response:
#'   `Surv(time, status) ~ terms` or, for delayed entry and time-varying
#'   covariates, `Surv(start, stop, status) ~ terms`. Terms may be numeric or
#'   factor covariates (treatment contrasts, so coefficient names match
#'   `coxph`), interactions and `offset()`; add `+ strata(s)` for a separate
#'   baseline hazard in each level of `s` (several variables may be given,
#'   `strata(s1, s2)`).
#' @param data A data frame (a tibble or data.table works too) holding the
#'   variables of `formula`, `weights`, `subset` and `cluster`.
#'   Or a table in a database (a dbplyr table or [db_table()]): the fit then
#'   runs inside the database and fetches only aggregates
#'   (`vignette("database")`).
#' @param ties How tied event times are handled: `"efron"` (the default, as
#'   in `coxph`) or `"breslow"`.
#' @param weights Optional case weights, a column of `data` or a numeric
#'   vector with one finite, non-negative value per row. Rows of weight 0 are
#'   left out of the fit. See Details for their variance.
#' @param subset Optional expression saying which rows of `data` to use.
#' @param na.action What to do with rows holding missing values; the default,
#'   [stats::na.omit()], drops them and `print()` reports how many.
#' @param robust `TRUE` for the robust (sandwich) variance of Lin and Wei
#'   (1989) from the dfbeta residuals, `FALSE` for the model-based variance.
#'   The default, `NULL`, is `coxph`'s rule: robust when `cluster` is given
#'   or when a weight is not a whole number. With a robust variance the
#'   model-based one is kept as `naive_var`.
#' @param cluster Optional cluster identifier, a column of `data` or a vector
#'   with one element per row (or a `cluster(id)` term in `formula`, as in
#'   `coxph`): the dfbeta residuals are summed within each cluster before
#'   forming the sandwich (for example one cluster per patient with several
#'   rows). Ignored, with a warning, when `robust = FALSE` (as `coxph`).
#' @param init Optional starting values, one per coefficient (default zero).
#'   The null log-likelihood and the score test are evaluated at `init`.
#' @param control Settings of the iteration, from [cox_control()].
#' @param timefix `TRUE` (the default, as `coxph`) to treat times that differ
#'   by less than `sqrt(.Machine$double.eps)` (absolutely, or relative to
#'   the mean time) as equal, as `survival::aeqSurv()` does; `FALSE` to use
#'   the times as given.
#' @param tt For `tt()` terms in `formula` (time-transformed covariates,
#'   as `coxph`): a function `function(x, t, riskset, weights)` returning
#'   the value of the covariate `x` at time `t` (for example
#'   `function(x, t, ...) x * log(t)` for an effect changing with log
#'   time), or a list of such functions, one per `tt()` term. Without it,
#'   `coxph`'s default is used: the logit of the rank of `x` within each
#'   risk set. See Details.
#' @param ... `coxph`'s name `method` is accepted for `ties`; other `coxph`
#'   arguments are refused with an error that says what to use instead.
#'
#' @details
#' **Iteration.** Newton-Raphson, stopping when the relative change of the
#' log partial likelihood from the best value so far is at most
#' `control$eps` or after `control$iter_max` iterations, step for step as
#' `coxph` iterates (survival 3.5-3: `coxfit6` for right-censored data,
#' `agfit4` for (start, stop] data), so that the two agree to the precision
#' of the arithmetic, iterations included. A step that lowers the log
#' likelihood is pulled back towards the last good estimate, the k-th time
#' in a row to (step + k * good) / (k + 1). Out of iterations, a right-
#' censored fit returns the last good estimate and reports `iter` as
#' `iter_max + 1` (as `coxph`). The linear predictors of a stratum of
#' (start, stop] data, and of any fit whose residuals, predictions, curves,
#' baseline hazard, robust variance or PH test are asked for, must span at
#' most 650: beyond, `exp()` of their differences underflows in those
#' kernels and they are refused (`cohortsurv_error_eta_span`).
#'
#' **Ties.** At a time with d tied deaths, Efron's approximation uses the
#' denominators S0 - (l / d) E0, l = 0, ..., d - 1, each death weighted by
#' the mean weight of the d deaths (as `coxph`); Breslow uses S0 d times.
#'
#' **Weights.** Weights are case weights: a weight of 2 counts a row twice
#' in the estimate and in the model-based variance. As in `coxph`, the
#' variance becomes the robust one by default when a weight is not a whole
#' number (sampling or inverse-probability weights); give `robust = FALSE`
#' to keep the model-based variance. A row of weight 0 takes no part in the
#' fit (`coxph` refuses such rows); [predict.cs_cox()] still gives its
#' linear predictor, and its residuals are `NA`, so per-row results always
#' line up with the rows of the model frame.
#'
#' **Formula conventions, as `coxph`.** `strata()`, `cluster()` and
#' `Surv()` are recognised with or without a `survival::` prefix. A
#' `strata()` variable may also appear in interactions (`strata(s):x`,
#' `x:strata(s)`, `strata(s)*x`, `strata(s)/x`): the stratum main-effect
#' columns then leave the design and the per-stratum slopes stay, with
#' `coxph`'s column names. A `.` on the right-hand side stands for every
#' other column of `data`. `Surv(time)` without a status makes every row an
#' event. Nearly equal times are merged first unless `timefix = FALSE`.
#' The specials `pspline()`, `ridge()` and `frailty()` and
#' `ties = "exact"` are refused with an error, since `cox()` fits none of
#' them.
#'
#' **Time-transformed covariates, `tt()`.** As `coxph` does, the data are
#' expanded to one row per subject at risk at each distinct event time of
#' each stratum (after `timefix`), each event time becoming a stratum of
#' its own; the `tt` function receives the `tt()` variable, the event time,
#' the risk-set number and the weights of the expanded rows, and the
#' model is fitted to the expanded data. Estimates, variances and tests
#' equal `coxph(tt = )`'s; `n` counts the rows before expansion. Residuals
#' are per expanded row, in `coxph`'s row order for `Surv(time, status)`
#' data (they equal `coxph`'s when it keeps its design, `x = TRUE`;
#' without it `coxph`'s score and Schoenfeld residuals of a tt() fit use
#' the untransformed covariates). `predict()`, `baseline_hazard()` and
#' `ph_test()` refuse a fit with `tt()` terms. The expansion has about n
#' times the number of event times rows: for large data, [time_split()] at
#' chosen times is lighter. (For `Surv(start, stop, status)` data with
#' `strata()`, survival 3.5's `coxph(tt = )` builds wrong risk sets; `cox()`
#' agrees with `coxph` on the data split at every event time instead.)
#'
#' **Problems in the data.** A covariate whose estimate grows without bound
#' (monotone likelihood, e.g. no events in one group) gives a warning naming
#' the term, by `coxph`'s rule; a column that is an exact linear combination
#' of earlier columns gets an `NA` coefficient and a message. A stratum
#' without events contributes nothing.
#'
#' @section Memory:
#' Beyond the data themselves, a call on 10^6 rows (five covariates, four
#' strata) peaks at about 162 bytes per row of resident memory (118 of R
#' heap; the C++ work arrays are outside it), against 640 (712) for `coxph`
#' (`inst/bench/memory.R`, a fresh R process per call); on 10^8 rows 148
#' bytes per row, so such a fit completes on a 24 GiB machine
#' (`inst/bench/large.R`). Row indices are 64-bit in C++, but the sort
#' order travels from R as an integer vector, so one fit takes at most
#' 2^31 - 1 rows; only one sort order of the rows is made.
#'
#' @returns An object of class `cs_cox`, a list with
#'   \describe{
#'     \item{coefficients}{named log hazard ratios (`NA` for aliased
#'       columns);}
#'     \item{var, naive_var}{the variance matrix used for inference (robust
#'       when asked for) and the inverse information;}
#'     \item{loglik}{the log partial likelihood at `init` and at the
#'       estimate;}
#'     \item{score_test, wald_test, lr_test}{each a list of `statistic, df,
#'       p_value` (the Wald test uses `var`); with a robust variance also
#'       `robust_score_test`;}
#'     \item{n, n_event, iter, converged, ties, strata}{the number of rows
#'       used, of events, of iterations, whether the iteration converged, the
#'       ties method and the strata levels;}
#'   }
#'   and what the methods need (`linear_predictors`, `means`, the design and
#'   response, `terms`, `call`).
#'
#' @references
#' Cox DR (1972). Regression models and life-tables (with discussion).
#' *Journal of the Royal Statistical Society B* 34, 187-220.
#'
#' Breslow NE (1974). Covariance analysis of censored survival data.
#' *Biometrics* 30, 89-99.
#'
#' Efron B (1977). The efficiency of Cox's likelihood function for censored
#' data. *Journal of the American Statistical Association* 72, 557-565.
#'
#' Lin DY, Wei LJ (1989). The robust inference for the Cox proportional
#' hazards model. *Journal of the American Statistical Association* 84,
#' 1074-1078.
#'
#' Therneau TM, Grambsch PM (2000). *Modeling Survival Data: Extending the
#' Cox Model*. Springer.
#'
#' Collett D (2015). *Modelling Survival Data in Medical Research*, 3rd ed.
#' Chapman and Hall/CRC.
#'
#' @seealso [hr_table()] for the hazard-ratio table, [ph_test()] for the test
#'   of proportional hazards, [baseline_hazard()], [residuals.cs_cox()],
#'   [cox_fit()] for the matrix-level fitter.
#'
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung)
#' fit
#' hr_table(fit)
#' summary(fit)
#'
#' # a separate baseline hazard for each ECOG score, Breslow ties
#' cox(Surv(time, status) ~ age + sex + strata(ph.ecog), data = lung,
#'     ties = "breslow")
#'
#' # counting-process data with a robust variance clustered on patient
#' cox(Surv(start, stop, event) ~ rx + size + number, data = bladder2,
#'     cluster = id)
#' @export
cox <- function(formula, data, ties = c("efron", "breslow"), weights = NULL,
                subset, na.action = stats::na.omit, robust = NULL,
                cluster = NULL, init = NULL, control = cox_control(),
                timefix = TRUE, tt = NULL, ...) {
  if (!missing(data) && is_db_data(data)) {
    return(db_dispatch("cox", match.call(), parent.frame()))
  }
  tt_funs <- tt
  dots <- survival_args(match.call(expand.dots = FALSE)$..., parent.frame(),
                        "cox", c(method = "ties"),
                        given = c(ties = !missing(ties)), refuse = cox_refused)
  if (!is.null(dots$ties)) ties <- dots$ties
  ties <- arg_choice(ties, "ties", c("efron", "breslow"))
  check_flag(timefix, "timefix")
  if (!is.null(robust)) check_flag(robust, "robust")
  check_control(control)
  mcall <- match.call(expand.dots = FALSE)
  sf <- surv_frame(mcall, parent.frame(), fun = "cox", extras = "cluster")
  sp <- split_strata(sf$mf, sf$terms, interactions = TRUE)
  tx <- tt_expand(sf, sp, tt_funs, timefix)  # tt() terms: R/tt.R
  if (!is.null(tx)) {
    sf <- tx$sf
    sp$strata <- tx$strata
    timefix <- FALSE
  }
  tt <- sp$terms
  attr(tt, "intercept") <- 1L
  x <- cox_design(tt, sf$mf, sp$drop)
  offset <- stats::model.offset(sf$mf)
  fit <- cox_engine(
    x = x, y = sf$y, strata = sp$strata, weights = sf$weights,
    offset = offset, ties = ties, robust = robust,
    cluster = sf$extras$cluster, init = init, control = control,
    timefix = timefix
  )
  fit$terms <- tt
  fit$xlevels <- stats::.getXlevels(tt, sf$mf)
  fit$contrasts <- attr(x, "contrasts")
  fit$assign <- attr(x, "assign")
  fit$strata_vars <- sp$strata_vars
  fit$drop_terms <- sp$drop
  fit$frame_terms <- sf$terms
  fit$n_dropped <- sf$n_dropped
  fit$na_action <- sf$na_action
  fit$formula <- sf$formula
  fit$call <- match.call()
  if (!is.null(tx)) fit <- tt_finish(fit, tx)
  fit
}

# The design matrix of the terms without the intercept column, with
# treatment contrasts coded as if an intercept were present (as coxph);
# `drop` numbers the terms whose columns leave the design (the strata()
# main effects when strata() also appears in an interaction).
cox_design <- function(tt, mf, drop = integer()) {
  # fast path: every term a plain numeric column (model.matrix would give
  # the same columns, but also a million character row names)
  labs <- attr(tt, "term.labels")
  if (length(labs) && !length(drop) && all(labs %in% names(mf)) &&
      all(vapply(labs, function(v) {
        z <- mf[[v]]
        is.numeric(z) && !is.object(z) && is.null(dim(z))
      }, logical(1)))) {
    # one allocation, no zero fill: the columns copied end to end
    x <- unlist(lapply(labs, function(v) mf[[v]]), use.names = FALSE)
    dim(x) <- c(nrow(mf), length(labs))
    dimnames(x) <- list(NULL, labs)
    attr(x, "assign") <- seq_along(labs)
    return(check_design(x))
  }
  x <- tryCatch(
    stats::model.matrix(tt, mf),
    error = function(e) {
      cs_abort("could not build the design matrix from `formula`: ",
               conditionMessage(e), arg = "formula")
    }
  )
  asgn <- attr(x, "assign")
  ctr <- attr(x, "contrasts")
  keep <- !asgn %in% c(0L, drop)
  x <- x[, keep, drop = FALSE]
  dimnames(x) <- list(NULL, colnames(x))
  attr(x, "assign") <- asgn[keep]
  attr(x, "contrasts") <- ctr
  check_design(x)
}

check_design <- function(x) {
  # one pass without copying x (column by column, so the first bad value
  # found is in the first column that has one)
  bad <- if (is.double(x)) cpp_first_nonfinite(x) else
    if (anyNA(x)) which(is.na(x))[1L] else 0
  if (bad > 0) {
    j <- (bad - 1) %/% nrow(x) + 1
    cs_abort("`formula`: the covariate `", colnames(x)[j], "` must be ",
             "finite; ", first_bad(x[, j], !is.finite(x[, j])), ".",
             arg = "formula")
  }
  x
}

#' Settings of the Cox model iteration
#'
#' @param eps Convergence criterion: iteration stops when the relative
#'   change in the log partial likelihood is at most `eps` (as in
#'   `survival::coxph.control`).
#' @param iter_max Largest number of Newton-Raphson iterations.
#' @param toler_chol Tolerance of the Cholesky decomposition of the
#'   information: a pivot below `toler_chol` times the largest diagonal
#'   marks its column as collinear with earlier ones.
#' @param toler_inf Tolerance for the warning about infinite coefficients
#'   (monotone likelihood).
#' @returns A list of class `cs_cox_control`.
#' @examples
#' cox_control(iter_max = 50)
#' @export
cox_control <- function(eps = 1e-9, iter_max = 20L,
                        toler_chol = .Machine$double.eps^0.75,
                        toler_inf = sqrt(eps)) {
  # the defaults (every cox() call's `control`) are checked once, when the
  # package is built
  if (missing(eps) && missing(iter_max) && missing(toler_chol) &&
      missing(toler_inf) && !is.null(cox_control_default)) {
    return(cox_control_default)
  }
  num1 <- function(v, arg, int = FALSE) {
    if (!is.numeric(v) || length(v) != 1L || is.na(v) || v < 0 ||
        !is.finite(v) || (int && v != round(v))) {
      cs_abort("`", arg, "` must be a single non-negative ",
               if (int) "whole number" else "number", ".", arg = arg)
    }
  }
  num1(eps, "eps")
  num1(iter_max, "iter_max", int = TRUE)
  num1(toler_chol, "toler_chol")
  num1(toler_inf, "toler_inf")
  if (eps <= 0) cs_abort("`eps` must be positive.", arg = "eps")
  structure(list(eps = eps, iter_max = as.integer(iter_max),
                 toler_chol = toler_chol, toler_inf = toler_inf),
            class = "cs_cox_control")
}

cox_control_default <- NULL
cox_control_default <- cox_control()

check_control <- function(control) {
  if (!inherits(control, "cs_cox_control")) {
    cs_abort("`control` must be made by cox_control(), such as ",
             "cox_control(iter_max = 50).", arg = "control")
  }
  invisible(control)
}

#' Cox model fit from a design matrix
#'
#' The matrix-level fitter behind [cox()]: takes a design matrix and a
#' survival response, already free of missing values, sorts them once by
#' stratum and time and calls the C++ kernel.
#'
#' @param x Numeric design matrix, one row per observation and one column
#'   per coefficient (no intercept); may have zero columns.
#' @param y Numeric matrix with columns `stop, status` (right-censored) or
#'   `start, stop, status` (counting process); status 0/1.
#' @param strata Optional factor (or vector coerced to one) of strata.
#' @param weights Optional non-negative case weights.
#' @param offset Optional offsets added to the linear predictor.
#' @inheritParams cox
#' @returns An object of class `cs_cox`, as described in [cox()].
#' @examples
#' x <- cbind(trt = c(0, 0, 1, 1, 0, 1), age = c(50, 61, 45, 70, 66, 58))
#' y <- cbind(stop = c(5, 8, 12, 3, 9, 15), status = c(1, 1, 0, 1, 1, 0))
#' cox_fit(x, y)$coefficients
#' @export
cox_fit <- function(x, y, strata = NULL, weights = NULL, offset = NULL,
                    ties = "efron", robust = FALSE, cluster = NULL,
                    init = NULL, control = cox_control()) {
  ties <- arg_choice(ties, "ties", c("efron", "breslow"))
  check_flag(robust, "robust")
  check_control(control)
  if (inherits(y, "Surv") &&
      !(attr(y, "type") %in% c("right", "counting"))) {
    cs_abort("`y` must hold right-censored or (start, stop] data; a ",
             "Surv object of type \"", attr(y, "type"), "\" is not ",
             "supported by the Cox model (as in coxph).", arg = "y")
  }
  # a Surv object or double matrix is read in place (no as.matrix() copy)
  if (!(is.double(y) && is.matrix(y))) y <- as.matrix(y)
  if (!is.numeric(y) || !(ncol(y) %in% c(2L, 3L))) {
    cs_abort("`y` must be a numeric matrix with columns (stop, status) or ",
             "(start, stop, status).", arg = "y")
  }
  n <- nrow(y)
  counting <- ncol(y) == 3L
  if (is.null(dim(x))) x <- matrix(x, nrow = n, dimnames = list(NULL, "x"))
  if (!is.numeric(x) || nrow(x) != n) {
    cs_abort("`x` must be a numeric matrix with one row per row of `y` (",
             n, ").", arg = "x")
  }
  # right-censored double columns checked in place, one pass each; the
  # columns are copied out only for (start, stop] data or to name a bad
  # value (check_fit_vectors())
  if (!counting && is.double(y) && n > 0L && col_clean(y, 0L, 0, Inf) &&
      col_clean(y, 1L, 0, 1, whole = TRUE, closed = TRUE)) {
    check_fit_others(weights, NULL, NULL, strata, n)
  } else {
    check_fit_vectors(as.double(y[, ncol(y) - 1L]), as.double(y[, ncol(y)]),
                      weights, if (counting) as.double(y[, 1L]), strata, n)
  }
  # a double design: one pass per column without allocating
  # (cpp_value_range(): min, max, whole, number of NaN)
  x_bad <- if (is.double(x)) {
    any(vapply(seq_len(ncol(x)) - 1L, function(j) {
      r <- cpp_value_range(x, j)
      r[4L] > 0 || !is.finite(r[1L]) || !is.finite(r[2L])
    }, logical(1)))
  } else {
    any(!is.finite(x))
  }
  if (x_bad) {
    cs_abort("`x` must be finite; it has missing or infinite values.",
             arg = "x")
  }
  if (ncol(x) > 0 && is.null(colnames(x))) {
    colnames(x) <- paste0("x", seq_len(ncol(x)))
  }
  if (!is.null(offset) && (!is.numeric(offset) || length(offset) != n ||
                           any(!is.finite(offset)))) {
    cs_abort("`offset` must be a finite numeric vector with one element per ",
             "row (", n, ").", arg = "offset")
  }
  # the response as given (the engine reads its columns by position and
  # makes an integer matrix double)
  fit <- cox_engine(x, y, strata, weights, offset, ties, robust, cluster,
                    init, control)
  fit$call <- match.call()
  fit
}

# The fitter proper, on validated input (cox() calls it directly).
# `y` is the response matrix: (stop, status) or (start, stop, status).
cox_engine <- function(x, y, strata, weights, offset, ties, robust, cluster,
                       init, control, timefix = FALSE) {
  n <- nrow(y)
  counting <- ncol(y) == 3L
  if (!is.double(y)) storage.mode(y) <- "double"
  p <- ncol(x)
  has_offset <- !is.null(offset) && any(offset != 0)
  # NULL without an offset (the kernel reads it as all 0; the fit gets its
  # zeros after the kernel has run, when its memory is free again)
  offset <- if (has_offset) as.double(offset)
  init <- cox_init(init, p)
  rob <- cox_robust_rule(robust, cluster, weights, n)
  robust <- rob$robust
  cluster <- rob$cluster
  # rows of weight zero take no part; the full design and offset are kept
  # for their linear predictors
  # with every row used and no time changed by timefix, `sd` keeps `y`
  # itself and the kernel reads its columns (no copies)
  sd <- new_surv_data(y, strata, weights, drop_zero_weight = TRUE,
                      timefix = timefix, in_place = TRUE)
  y_as_given <- !is.null(sd$y)
  n_frame <- n
  x_all <- x
  offset_all <- offset
  used <- sd$rows
  if (!is.null(used)) {
    x <- x[used, , drop = FALSE]
    if (has_offset) offset <- offset[used]
    if (!is.null(cluster)) cluster <- cluster[used]
    n <- sd$n
  }
  code <- sd$strata
  n_event <- if (y_as_given) cpp_column_sum(y, ncol(y) - 1L) else
    sum(sd$status)
  if (storage.mode(x) != "double") storage.mode(x) <- "double"
  efron <- ties == "efron"
  no_events <- n_event == 0
  if (no_events && p > 0) {
    cs_warn("there are no events, so the coefficients cannot be ",
            "estimated; they are NA.", class = "cohortsurv_warning_no_events")
  }
  # on large data, R's temporaries collected before the kernel allocates
  # its sorted copies
  if (n >= cox_gc_rows) gc(FALSE)
  res <- cpp_cox_fit(sd, offset, x, efron, as.double(init),
                     if (no_events) 0L else control$iter_max, control$eps,
                     control$toler_chol)
  if (res$eta_span) {
    cs_abort("the linear predictors of this Cox model for (start, stop] ",
             "data span more than ", eta_span_max, " within a stratum at ",
             if (res$iter == 0L) "the initial values" else "its estimate",
             "; exp() of their differences underflows, so the fit is not ",
             "supported. Rescale the covariates or offset, or give `init` ",
             "closer to the estimate.", class = "cohortsurv_error_eta_span",
             arg = "init")
  }
  w <- if (is.null(weights)) rep(1, n) else sd$weights
  if (!has_offset) offset <- numeric(n)
  y_fit <- if (y_as_given) {
    # one copy of the matrix with plain attributes (no `[.Surv` per column)
    structure(as.vector(y), dim = dim(y), dimnames = list(
      NULL, c(if (counting) "start", "stop", "status")))
  } else {
    cbind(start = sd$start, stop = sd$stop, status = sd$status)
  }
  nm <- colnames(x)
  # a zero pivot at the start and at the end: an aliased column; only at
  # the end: the information underflowed as the estimate ran off to
  # infinity (monotone likelihood), so the estimate is kept, its variance NA
  sing <- as.logical(res$singular) & (as.logical(res$singular_init) |
                                        no_events)
  diverged <- as.logical(res$singular) & !sing
  beta <- stats::setNames(res$beta, nm)
  beta0 <- beta
  beta0[sing] <- 0
  naive <- res$var
  dimnames(naive) <- list(nm, nm)
  cox_notes(res, naive, sing, diverged, beta0, control, no_events)
  if (any(sing) && control$iter_max > 0L) beta[sing] <- NA_real_
  df <- sum(!sing)
  rv <- if (robust && p > 0 && df > 0) {
    sd$start <- if (counting) y_fit[, "start"]
    sd$stop <- y_fit[, "stop"]
    sd$status <- y_fit[, "status"]
    cox_robust_var(surv_sorted(sd, offset), sd, x, efron, beta0, init,
                   naive, cluster, control$toler_chol)
  } else {
    list(var = naive, rscore = NULL)
  }
  ctr <- cox_centring(res, counting, beta0, x_all,
                      if (has_offset) offset, if (has_offset) offset_all)
  code_all <- if (is.null(used)) code else cox_strata_all(strata, sd)
  wald <- if (df > 0) {
    quad_form_inv(rv$var[!sing, !sing, drop = FALSE], (beta0 - init)[!sing],
                  control$toler_chol)
  } else 0
  na_var <- sing | diverged
  new_cs_cox(
    list(
      coefficients = beta,
      var = na_rows_cols(rv$var, na_var),
      naive_var = na_rows_cols(naive, na_var),
      loglik = if (p > 0) res$loglik else res$loglik[1L],
      score_test = chisq_test(res$score_test, df),
      wald_test = chisq_test(wald, df),
      lr_test = chisq_test(2 * (res$loglik[2L] - res$loglik[1L]), df),
      robust_score_test = if (!is.null(rv$rscore)) chisq_test(rv$rscore, df),
      n = n, n_event = n_event, iter = res$iter,
      converged = res$converged, ties = ties, robust = robust,
      strata = if (is.null(strata)) NULL else sd$strata_levels,
      means = ctr$means, offset_mean = ctr$offset_mean,
      linear_predictors = ctr$lp,
      init = init,
      x = x, y = y_fit,
      strata_code = code, weights = w, offset = offset, cluster = cluster,
      counting = counting, used = used,
      n_frame = n_frame, strata_code_all = code_all,
      n_dropped = 0L, control = control
    )
  )
}

# From this many rows on, cox_engine() runs the garbage collector before the
# Newton kernel, so that R's freed copies and temporaries (about 40 bytes
# per row) are returned before the kernel allocates its own.
cox_gc_rows <- 2^24

# The constructor of class `cs_cox`: the fields documented in ?cox and
# those the methods read, checked (x, y, strata_code, weights and offset
# describe the n rows used; linear_predictors and strata_code_all the
# n_frame rows of the model frame; `used` the rows used, NULL for all).
new_cs_cox <- function(x) {
  check_fields(x, "cs_cox",
    c("coefficients", "var", "naive_var", "loglik", "score_test",
      "wald_test", "lr_test", "n", "n_event", "iter", "converged", "ties",
      "robust", "means", "offset_mean", "linear_predictors", "init", "x",
      "y", "strata_code", "weights", "offset", "counting", "n_frame",
      "strata_code_all", "n_dropped", "control"))
  p <- length(x$coefficients)
  n <- x$n
  check_invariants("cs_cox",
    dim(x$var) == c(p, p), dim(x$naive_var) == c(p, p),
    is.matrix(x$x), dim(x$x) == c(n, p), nrow(x$y) == n,
    length(x$strata_code) == n, length(x$weights) == n,
    length(x$offset) == n, length(x$means) == p,
    length(x$linear_predictors) == x$n_frame,
    is.null(x$used) || length(x$used) == n,
    x$ties %in% c("efron", "breslow"))
  structure(x, class = "cs_cox")
}

# `init` checked (zeros when NULL).
cox_init <- function(init, p) {
  if (is.null(init)) return(rep(0, p))
  if (!is.numeric(init) || length(init) != p || any(!is.finite(init))) {
    cs_abort("`init` must be a finite numeric vector with one value per ",
             "coefficient (", p, "); it has ", length(init), ".",
             arg = "init")
  }
  init
}

# coxph's rule for the variance: robust when clustered or when a weight is
# fractional, unless `robust` says; the cluster is dropped (with a warning)
# when `robust = FALSE`. Returns list(robust, cluster).
cox_robust_rule <- function(robust, cluster, weights, n) {
  if (!is.null(cluster) && (length(cluster) != n || anyNA(cluster))) {
    cs_abort("`cluster` must have one non-missing value per row (", n,
             ").", arg = "cluster")
  }
  if (is.null(robust)) {
    robust <- !is.null(cluster) ||
      (!is.null(weights) && any(weights != floor(weights)))
  } else if (!robust && !is.null(cluster)) {
    cs_warn("`cluster` is ignored because `robust = FALSE` (as coxph ",
            "does).", class = "cohortsurv_warning_cluster")
    cluster <- NULL
  }
  list(robust = robust, cluster = cluster)
}

# The messages about the iteration, by coxph's rules: no convergence,
# infinite estimates (monotone likelihood), aliased columns.
cox_notes <- function(res, naive, sing, diverged, beta0, control,
                      no_events) {
  nm <- names(beta0)
  if (length(beta0) > 0 && control$iter_max > 1L) {
    if (!res$converged) {
      cs_warn("the Cox model did not converge in ", control$iter_max,
              " iterations; raise `iter_max` in cox_control() or check ",
              "for a covariate with an infinite estimate.", class = "cohortsurv_warning_convergence")
    } else {
      infs <- abs(drop(res$score %*% naive))
      infs <- diverged | !is.finite(res$score) |
        (infs > control$eps & infs > control$toler_inf * abs(beta0))
      if (any(infs)) {
        cs_warn("the log partial likelihood converged before the ",
                "coefficient", if (sum(infs) > 1) "s", " of ",
                paste0("`", nm[infs], "`", collapse = ", "),
                "; the estimate", if (sum(infs) > 1) "s", " may be ",
                "infinite (monotone likelihood, e.g. a group without ",
                "events).", class = c("cohortsurv_warning_monotone", "cohortsurv_monotone"))
      }
    }
  }
  if (any(sing) && control$iter_max > 0L && !no_events) {
    cs_inform(class = "cohortsurv_message_collinear",
              "cox(): ", paste0("`", nm[sing], "`", collapse = ", "),
            if (sum(sing) > 1) " are" else " is", " collinear with other ",
            "columns of the design (or constant within every risk set); ",
            if (sum(sing) > 1) "their coefficients are" else
              "its coefficient is", " NA.")
  }
  invisible(NULL)
}

# The robust (sandwich) variance from the dfbeta residuals, summed within
# clusters, and the robust score test at `init`. Returns list(var, rscore).
cox_robust_var <- function(so, sd, x, efron, beta0, init, naive, cluster,
                           toler) {
  ord <- sd$order + 1L
  resid_at <- function(b) {
    eta <- drop(x %*% b)[ord] + so$offset
    check_eta_span(eta, so$strata)
    cpp_cox_resid(so, x, sd$order, efron, eta, TRUE)$score * so$weights
  }
  cl_s <- if (is.null(cluster)) NULL else cluster[ord]
  collapse <- function(m) if (is.null(cl_s)) m else
    rowsum(m, cl_s, reorder = FALSE)
  dfb <- collapse(resid_at(beta0) %*% naive)
  var <- crossprod(dfb)
  dimnames(var) <- list(names(beta0), names(beta0))
  sc0 <- collapse(resid_at(as.double(init)))
  list(var = var,
       rscore = quad_form_inv(crossprod(sc0), colSums(sc0), toler))
}

# The 0-based stratum of every row of the frame, zero-weight rows included
# (their stratum may have no row used: NA), for predict(reference =
# "strata").
cox_strata_all <- function(strata, sd) {
  strata_all <- strata_factor(strata, sd$n_input)
  match(as.integer(strata_all), match(sd$strata_levels,
                                      levels(strata_all))) - 1L
}

# The means and linear predictors as coxph reports them: columns coded only
# -1, 0, 1 are not centred; the offset (NULL when there is none; `offset`
# on the rows used, `offset_all` on every row) is centred at its mean.
cox_centring <- function(res, counting, beta0, x_all, offset, offset_all) {
  means <- if (counting) res$mean_u else res$mean_w
  means[as.logical(res$zero_one)] <- 0
  names(means) <- names(beta0)
  offset_mean <- if (!is.null(offset)) mean(offset) else 0
  # x beta - sum(beta * means), the shift taken in the same pass
  lp <- if (is.double(x_all)) cpp_xb(x_all, beta0, sum(beta0 * means)) else
    drop(x_all %*% beta0) - sum(beta0 * means)
  if (!is.null(offset)) lp <- lp + (offset_all - offset_mean)
  list(means = means, offset_mean = offset_mean, lp = lp)
}

# `m` with the rows and columns `na` set to NA.
na_rows_cols <- function(m, na) {
  m[na, ] <- m[, na] <- NA_real_
  m
}

# A chi-square test as the fits report it: list(statistic, df, p_value).
chisq_test <- function(stat, k) {
  list(statistic = stat, df = k,
       p_value = if (k > 0) stats::pchisq(stat, k, lower.tail = FALSE)
       else NA_real_)
}

# The log partial likelihood at the estimate: the last of `loglik`, which
# has one value (at init) for a model without coefficients and two
# otherwise, as coxph reports it.
last_loglik <- function(fit) fit$loglik[length(fit$loglik)]

# A factor without unused levels, cheaply when there are none.
as_dense_factor <- function(f) {
  if (!is.factor(f)) f <- as.factor(f)
  if (all(tabulate(f, nlevels(f)) > 0L)) f else droplevels(f)
}

# b' V^- b, V^- the generalised inverse from the eigendecomposition of V
# (directions with an eigenvalue at most `toler` times the largest are
# dropped), so that aliased directions are ignored as in coxph's Wald and
# score tests.
quad_form_inv <- function(v, b, toler) {
  v <- as.matrix(v)
  if (!length(b)) return(0)
  if (is.double(v) && is.double(b) && all(is.finite(v)) && all(is.finite(b))) {
    return(cpp_quad_form(v, b, toler))  # the same, in C++ (Eigen's solver)
  }
  e <- eigen((v + t(v)) / 2, symmetric = TRUE)
  keep <- e$values > max(e$values, 0) * toler
  if (!any(keep)) return(0)
  z <- crossprod(e$vectors[, keep, drop = FALSE], b)
  sum(z^2 / e$values[keep])
}

# The sorted data of a fit for the residual, baseline hazard and PH test
# kernels: surv_sorted() of the fit's rows, with `order` (0-based, for the
# kernels, which read the unsorted design `x` through it), `ord` (the same,
# 1-based, for R), the design `x` and `eta`, the linear predictor in sorted
# order.
cox_sorted <- function(fit) {
  if (inherits(fit, "cs_cox_db")) {
    db_refuse_rows(paste0(sub("\\.cs_cox$", "", deparse1(sys.call(-1L)[[1L]])), "()"))
  }
  sd <- new_surv_data(fit$y, fit$strata_code, fit$weights)
  so <- surv_sorted(sd, fit$offset)
  so$order <- sd$order
  so$ord <- sd$order + 1L
  x <- fit$x
  if (storage.mode(x) != "double") storage.mode(x) <- "double"
  so$x <- x
  b <- fit$coefficients
  b[is.na(b)] <- 0
  so$eta <- drop(x %*% b)[so$ord] + so$offset
  check_eta_span(so$eta, so$strata)
  so
}

# The kernels behind residuals, predictions, curves, the baseline hazard,
# the robust variance and the test of proportional hazards scale exp(eta)
# by the largest eta of each stratum: a risk set whose etas all lie more
# than about 708 below it underflows and silently gives wrong numbers. So
# such fits are refused once the linear predictors of a stratum (sorted
# `eta`, 0-based `strata` codes) span more than 650.
eta_span_max <- 650
check_eta_span <- function(eta, strata) {
  if (!length(eta)) return(invisible(NULL))
  span <- if (length(strata) && any(strata != strata[1L])) {
    max(vapply(split(eta, strata), function(e) diff(range(e)), numeric(1)))
  } else diff(range(eta))
  if (is.finite(span) && span > eta_span_max) {
    cs_abort("the linear predictors of this Cox model span ",
             format(signif(span, 4)), " within a stratum (more than ",
             eta_span_max, "); exp() of their differences underflows, so ",
             "residuals, predictions, curves, the baseline hazard, the ",
             "robust variance and the test of proportional hazards are ",
             "not supported for it. Rescale the covariates or offset.",
             class = "cohortsurv_error_eta_span")
  }
  invisible(NULL)
}
