#' Predicted survival curves from a Cox model
#'
#' The survival curve that a [cox()] fit predicts for chosen covariate
#' profiles, one curve per row of `newdata` (without `newdata`, one curve
#' per stratum at the covariate means, as `survival::survfit.coxph` does),
#' with the standard error of the cumulative hazard and pointwise
#' confidence limits. The result is a curve object that `plot()`,
#' `summary(times = )`, `quantile()` and [survival_at()] treat as they treat
#' a [km()] fit.
#'
#' @param fit A `cs_cox` fit from [cox()].
#' @param newdata Optional data frame of covariate profiles, one curve per
#'   row. It must hold every covariate of the model (and the variables of an
#'   `offset()` term). For a stratified fit it may also hold the `strata()`
#'   variables, giving each row the curve of its own stratum; without them
#'   each row gets one curve per stratum. `NULL` (the default) gives the
#'   curve at `fit$means` (and the mean offset) in each stratum.
#' @param times Optional numeric vector of times: the curves are then
#'   reported at these times only, as [summary.cs_km()] reports them (the
#'   median and the other columns of `table` still come from the whole
#'   curves). `NULL` (the default) keeps every distinct time of the data.
#' @param conf_type The transform of the pointwise confidence interval:
#'   `"log"` (the default, as `survfit`), `"log-log"`, `"plain"` or
#'   `"arcsin"`.
#' @param conf_level The confidence level, a number strictly between 0 and
#'   1.
#' @param ctype The estimator of the cumulative hazard: `1` the
#'   Nelson-Aalen-type (Breslow) estimator, `2` the Efron-type (Fleming and
#'   Harrington) estimator that counts tied deaths as Efron's
#'   approximation does. `NULL` (the default) takes 1 for a fit with
#'   Breslow ties and 2 for Efron ties, as `survfit.coxph` does.
#' @param ... `survfit.coxph`'s names `conf.type`, `conf.int` are accepted;
#'   its other arguments (`id`, `individual`, `stype`, `start.time`,
#'   `se.fit`, `censor`, `influence`) are refused with an error.
#'
#' @details
#' With the baseline hazard increments dH0(t) estimated at the fitted
#' coefficients (Breslow's estimator, or Efron's for `ctype = 2`), the
#' cumulative hazard of a profile with linear predictor eta is
#' H(t) = exp(eta) sum dH0 and S(t) = exp(-H(t)). Its variance is that of
#' Tsiatis (1981) and Link (1984): exp(2 eta) (sum dH0 / S0 + q(t)' V q(t)),
#' where the first term is the variance with the coefficients known and the
#' second, with q(t) the integral of (x - xbar(s)) dH0(s) and V the
#' variance of the coefficients (the robust one when the fit has it, as
#' `survfit.coxph` uses), adds their uncertainty. `std_chaz` is its
#' square root, which `survfit.coxph` calls `std.err`; `std_err` is the
#' standard error of S(t), S(t) `std_chaz`, as `summary.survfit` reports
#' it. The confidence limits use the standard error of log S(t) =
#' `std_chaz`, as `survfit`. The counts are weighted: `n_risk` is the sum of
#' the case weights at risk.
#'
#' Agreement: `surv`, `cumhaz`, `std_chaz`, `lower`, `upper`, `n_risk`,
#' `n_event` and `time` equal `survfit(coxph_fit, newdata)` (tested to
#' 1e-8) for right-censored and (start, stop] data, strata, case weights
#' and offsets. `survfit.coxph`'s individual curves of time-varying
#' profiles (`id`), its Kalbfleisch-Prentice curve (`stype = 1`) and
#' `start.time` are not provided and are refused by name. A fit with a
#' strata-by-covariate interaction needs `newdata` with the strata
#' variables (as `survfit.coxph`). The restricted mean in `table` is the
#' area under the curve up to its last time; its standard error is not
#' computed (`NA`).
#'
#' @returns An object of class `c("cs_cox_curves", "cs_km")`, a list with
#'   \describe{
#'     \item{curves}{a data frame with one row per curve and time: `strata`
#'       (the curve, a factor), `time, n_risk, n_event, n_censor, surv,
#'       std_err, lower, upper`, as in a [km()] fit, plus `cumhaz` and
#'       `std_chaz` (the standard error of the cumulative hazard);}
#'     \item{table}{one row per curve: `strata, n, events, median,
#'       median_lower, median_upper, rmean, rmean_se`;}
#'     \item{strata}{one row per curve: `curve` (its label), `row` (the row
#'       of `newdata`, `NA` without it), `stratum` (the stratum of the fit)
#'       and `lp`, the linear predictor of the profile (x'b plus offset);}
#'   }
#'   and the settings (`conf_type`, `conf_level`, `ctype`, ...).
#'
#' @references
#' Tsiatis AA (1981). A large sample study of Cox's regression model.
#' *Annals of Statistics* 9, 93-108.
#'
#' Link CL (1984). Confidence intervals for the survival function using
#' Cox's proportional hazard model with covariates. *Biometrics* 40,
#' 601-609.
#'
#' Therneau TM, Grambsch PM (2000). *Modeling Survival Data: Extending the
#' Cox Model*, section 10.2. Springer.
#'
#' @seealso [adjusted_curves()] for covariate-adjusted (standardised)
#'   curves of the levels of one variable.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' cc <- cox_curves(fit, newdata = data.frame(age = 60, sex = 1:2))
#' cc
#' summary(cc, times = c(180, 365))
#' plot(cc, conf_int = TRUE, labels = c("Male, 60", "Female, 60"))
#'
#' # one curve per stratum at the covariate means
#' sfit <- cox(Surv(time, status) ~ age + strata(sex), data = lung)
#' survival_at(cox_curves(sfit), times = 365)
#' @export
cox_curves <- function(fit, newdata = NULL, times = NULL,
                       conf_type = c("log", "log-log", "plain", "arcsin"),
                       conf_level = 0.95, ctype = NULL, ...) {
  dots <- survival_args(
    match.call(expand.dots = FALSE)$..., parent.frame(), "cox_curves",
    c(conf.type = "conf_type", conf.int = "conf_level"),
    given = c(conf_type = !missing(conf_type),
              conf_level = !missing(conf_level)),
    refuse = c(
      id = "individual curves of time-varying covariate profiles are not provided",
      individual = "individual curves of time-varying covariate profiles are not provided",
      stype = "only exp(-cumulative hazard) curves (survfit's stype = 2) are provided",
      start.time = "curves conditional on survival to a start time are not provided",
      se.fit = "standard errors are always computed",
      censor = "every distinct time is kept",
      influence = "influence values are not provided",
      type = "use `ctype`"))
  if (!is.null(dots$conf_type)) conf_type <- dots$conf_type
  if (!is.null(dots$conf_level)) conf_level <- dots$conf_level
  check_cox(fit)
  refuse_expanded(fit, "cox_curves()", arg = "fit")
  if (inherits(fit$y, "cs_db_rows")) db_refuse_rows("cox_curves()")
  conf_type <- arg_choice(conf_type, "conf_type",
                          c("log", "log-log", "plain", "arcsin"))
  check_probability(conf_level, "conf_level")
  if (is.null(ctype)) {
    ctype <- if (fit$ties == "efron") 2L else 1L
  } else if (!(identical(ctype, 1) || identical(ctype, 2) ||
               identical(ctype, 1L) || identical(ctype, 2L))) {
    cs_abort("`ctype` must be 1 (Nelson-Aalen-type) or 2 (Efron-type).",
             arg = "ctype")
  }
  if (!is.null(times) && (!is.numeric(times) || !length(times) ||
                          anyNA(times))) {
    cs_abort("`times` must be a numeric vector without missing values.",
             arg = "times")
  }
  prof <- cox_profiles(fit, newdata)
  parts <- cox_curve_parts(fit, ctype)
  out <- cox_curves_build(fit, parts, prof, conf_type, conf_level)
  out$ctype <- as.integer(ctype)
  out$call <- match.call()
  if (!is.null(times)) {
    cv <- km_summary_rows(out, times, FALSE)
    full <- out$curves
    cv$cumhaz <- cox_curves_at(full, cv, "cumhaz", 0)
    cv$std_chaz <- cox_curves_at(full, cv, "std_chaz", 0)
    out$curves <- cv
    out$at_times <- TRUE
  }
  out
}

# The value of column `col` of the full curves at each row of `at` (the
# last time at or before it within its curve; `before` earlier).
cox_curves_at <- function(full, at, col, before) {
  out <- rep(before, nrow(at))
  for (k in unique(as.integer(at$strata))) {
    fk <- full[as.integer(full$strata) == k, , drop = FALSE]
    sel <- which(as.integer(at$strata) == k)
    j <- findInterval(at$time[sel], fk$time)
    out[sel[j > 0]] <- fk[[col]][j[j > 0]]
  }
  out
}

# The per-time pieces of the curves (C++ kernel), with the centre of the
# risk scores: survfit's sum(means * b) plus the weighted mean offset.
cox_curve_parts <- function(fit, ctype) {
  so <- cox_sorted(fit)
  b <- fit$coefficients
  b[is.na(b)] <- 0
  w <- fit$weights
  off_mean <- sum(fit$offset * w) / sum(w)
  centre <- sum(fit$means * b) + off_mean
  parts <- cpp_cox_curve_parts(so, so$x, so$order, ctype == 2L,
                               so$eta - centre)
  parts$centre <- centre
  parts$off_mean <- off_mean
  parts$n_rows <- tabulate(fit$strata_code + 1L,
                           max(1L, length(fit$strata)))
  parts
}

# The covariate profiles of the curves: design rows `x`, linear predictors
# `lp` (x'b + offset), the 0-based stratum of each curve and its label.
cox_profiles <- function(fit, newdata) {
  b <- fit$coefficients
  b[is.na(b)] <- 0
  lev <- fit$strata
  ns <- max(1L, length(lev))
  interacts <- length(fit$drop_terms) > 0L
  if (is.null(newdata)) {
    if (!is.null(lev) && interacts) {
      cs_abort("`newdata` is needed: the model has a strata-by-covariate ",
               "interaction, so there is no curve at the covariate means ",
               "(as survfit.coxph).", arg = "newdata")
    }
    if (any(attr(fit$terms, "order") > 1L)) {
      cs_warn("the model has interactions, so the curve at the covariate ",
              "means (of each column of the design) is not that of a real ",
              "profile; give `newdata` (as survfit.coxph warns).",
              class = "cohortsurv_warning_interaction_means")
    }
    w <- fit$weights
    x <- matrix(fit$means, 1L, length(b),
                dimnames = list(NULL, names(b)))
    lp <- sum(fit$means * b) + sum(fit$offset * w) / sum(w)
    return(list(x = x[rep(1L, ns), , drop = FALSE], lp = rep(lp, ns),
                stratum = seq_len(ns) - 1L, row = rep(NA_integer_, ns),
                label = if (is.null(lev)) "all" else lev))
  }
  if (!is.data.frame(newdata)) {
    cs_abort("`newdata` must be a data frame.", arg = "newdata")
  }
  if (!nrow(newdata)) {
    cs_abort("`newdata` must have at least one row.", arg = "newdata")
  }
  has_strata <- !is.null(lev) && cox_has_strata_vars(fit, newdata)
  if (!is.null(lev) && interacts && !has_strata) {
    cs_abort("`newdata` must hold the strata() variables (",
             paste0("`", fit$strata_vars, "`", collapse = ", "), "): the ",
             "model has a strata-by-covariate interaction.", arg = "newdata")
  }
  check_newdata(fit, newdata, strata = has_strata)
  x <- cox_newdata(fit, newdata)
  lp <- drop(x %*% b) + attr(x, "offset")
  nr <- nrow(newdata)
  rn <- cox_profile_labels(fit, newdata)
  if (is.null(lev)) {
    return(list(x = x, lp = lp, stratum = rep(0L, nr), row = seq_len(nr),
                label = make.unique(rn)))
  }
  if (has_strata) {
    k <- cox_new_strata(fit, newdata)
    return(list(x = x, lp = lp, stratum = k - 1L, row = seq_len(nr),
                label = make.unique(rn)))
  }
  # each profile in every stratum (the profiles' curves one after
  # another, as the columns of survfit's matrix)
  i <- rep(seq_len(nr), each = ns)
  s <- rep(seq_len(ns), times = nr)
  list(x = x[i, , drop = FALSE], lp = lp[i], stratum = s - 1L, row = i,
       label = make.unique(paste0(lev[s], ", ", rn[i])))
}

# Names of the profiles: the row names of `newdata` when it has its own,
# else "var=value, ..." of the model's variables (the row numbers when
# those repeat).
cox_profile_labels <- function(fit, newdata) {
  rn <- row.names(newdata)
  if (!identical(rn, as.character(seq_len(nrow(newdata))))) return(rn)
  vars <- intersect(all.vars(stats::delete.response(fit$terms)),
                    names(newdata))
  if (!length(vars)) return(rn)
  lab <- do.call(paste, c(lapply(vars, function(v) {
    z <- newdata[[v]]
    paste0(v, "=", if (is.numeric(z)) format(z, trim = TRUE,
                                               digits = 4) else
      as.character(z))
  }), sep = ", "))
  if (anyDuplicated(lab)) rn else lab
}

# Whether `newdata` holds the variables of the strata() terms (all of
# them: some but not all is an error naming the missing ones).
cox_has_strata_vars <- function(fit, newdata) {
  vars <- unique(unlist(lapply(fit$strata_vars, function(v)
    all.vars(str2lang(v)))))
  have <- vars %in% names(newdata)
  if (all(have)) return(TRUE)
  if (!any(have)) return(FALSE)
  cs_abort("`newdata` holds some of the strata() variables but not `",
           vars[!have][1L], "`; give all of them (one curve in the row's ",
           "stratum) or none (one curve per stratum).", arg = "newdata")
}

# Checks of `newdata` for a fit, each naming the column and the row: every
# variable of the model present (`response` also the Surv() variables,
# `strata` the strata() variables), no missing values, no factor level
# unknown to the fit.
check_newdata <- function(fit, newdata, strata = FALSE, response = FALSE) {
  if (!is.data.frame(newdata)) {
    cs_abort("`newdata` must be a data frame.", arg = "newdata")
  }
  if (is.null(fit$terms)) {
    cs_abort("`newdata` needs a fit made by cox() with a formula; this ",
             "one was made by cox_fit() from a matrix.", arg = "newdata")
  }
  tt <- if (response) fit$terms else stats::delete.response(fit$terms)
  vars <- all.vars(tt)
  if (strata) {
    vars <- union(vars, unlist(lapply(fit$strata_vars, function(v)
      all.vars(str2lang(v)))))
  }
  env <- environment(fit$terms)
  miss <- setdiff(vars, names(newdata))
  miss <- miss[!vapply(miss, exists, logical(1), envir = env)]
  if (length(miss)) {
    cs_abort("`newdata` must hold the column `", miss[1L], "` of the model.",
             arg = "newdata")
  }
  for (v in intersect(vars, names(newdata))) {
    z <- newdata[[v]]
    na <- if (is.atomic(z) && is.null(dim(z))) is.na(z) else
      rowSums(is.na(as.matrix(z))) > 0
    if (any(na)) {
      cs_abort("`newdata` has a missing value in column `", v, "`, row ",
               which(na)[1L], ".", arg = "newdata")
    }
  }
  for (nm in names(fit$xlevels)) {
    z <- tryCatch(eval(str2lang(nm), newdata, env), error = function(e) NULL)
    if (is.null(z)) next
    bad <- !as.character(z) %in% fit$xlevels[[nm]]
    if (any(bad)) {
      i <- which(bad)[1L]
      cs_abort("`newdata`: column `", nm, "` has the level \"",
               as.character(z[i]), "\" in row ", i, ", which the fit does ",
               "not have (its levels: ",
               paste0("\"", fit$xlevels[[nm]], "\"", collapse = ", "), ").",
               arg = "newdata")
    }
  }
  invisible(newdata)
}

# The curve object from the per-time pieces and the profiles.
cox_curves_build <- function(fit, parts, prof, conf_type, conf_level) {
  v <- fit$var
  v[is.na(v)] <- 0
  z <- stats::qnorm(1 - (1 - conf_level) / 2)
  xbar <- parts$xbar
  lev <- prof$label
  pieces <- lapply(seq_along(prof$lp), function(k) {
    sel <- which(parts$strata == prof$stratum[k])
    r2 <- exp(prof$lp[k] - parts$centre)
    haz <- parts$hazard[sel]
    dt <- outer(haz, prof$x[k, ]) - xbar[sel, , drop = FALSE]
    dt <- apply(dt, 2L, cumsum)
    if (!is.matrix(dt)) dt <- matrix(dt, nrow = length(sel))
    varh <- (cumsum(parts$varhaz[sel]) +
               rowSums((dt %*% v) * dt)) * r2^2
    cumhaz <- cumsum(haz) * r2
    surv <- exp(-cumhaz)
    se <- sqrt(varh)
    ci <- cox_confint(surv, se, conf_type, z)
    data.frame(strata = rep(k, length(sel)), time = parts$time[sel],
               n_risk = parts$n_risk[sel], n_event = parts$n_event[sel],
               n_censor = parts$n_censor[sel], surv = surv,
               std_err = surv * se, lower = ci$lower, upper = ci$upper,
               cumhaz = cumhaz, std_chaz = se)
  })
  curves <- do.call(rbind, pieces)
  curves$strata <- structure(curves$strata, levels = lev, class = "factor")
  rownames(curves) <- NULL
  tau <- max(curves$time)
  table <- km_table(curves, n_rows = parts$n_rows[prof$stratum + 1L],
                    tau = tau, z = z, median_ci = "bc")
  table$rmean_se <- NA_real_
  slev <- fit$strata
  ids <- data.frame(curve = lev, row = prof$row,
                    stratum = if (is.null(slev)) NA_character_ else
                      slev[prof$stratum + 1L],
                    lp = unname(prof$lp), stringsAsFactors = FALSE)
  x <- list(curves = curves, table = table, strata = ids,
            conf_type = conf_type, conf_level = conf_level,
            median_ci = "bc", type = if (fit$counting) "counting" else "right",
            weighted = any(fit$weights != 1), robust = isTRUE(fit$robust),
            n_dropped = 0L, rmean_tau = tau, call = NULL, at_times = FALSE)
  x <- new_cs_km(x)
  class(x) <- c("cs_cox_curves", "cs_km")
  x
}

# Pointwise limits of S from the SE of log S (= SE of the cumulative
# hazard), survfit's rules: NA where a transform is undefined, the upper
# limit of "log" and "plain" capped at 1.
cox_confint <- function(p, se, conf_type, z) {
  switch(conf_type,
    plain = {
      se2 <- se * p * z
      list(lower = pmax(p - se2, 0), upper = pmin(p + se2, 1))
    },
    log = {
      xx <- ifelse(p == 0, NA, p)
      list(lower = exp(log(xx) - z * se),
           upper = pmin(exp(log(xx) + z * se), 1))
    },
    `log-log` = {
      xx <- ifelse(p == 0 | p == 1, NA, p)
      se2 <- z * se / log(xx)
      list(lower = exp(-exp(log(-log(xx)) - se2)),
           upper = exp(-exp(log(-log(xx)) + se2)))
    },
    arcsin = {
      xx <- ifelse(p == 0, NA, p)
      se2 <- 0.5 * z * se * sqrt(xx / (1 - xx))
      list(lower = (sin(pmax(0, asin(sqrt(xx)) - se2)))^2,
           upper = (sin(pmin(pi / 2, asin(sqrt(xx)) + se2)))^2)
    })
}

#' @rdname cox_curves
#' @param object,x A `cs_cox_curves` object.
#' @param censored As in [summary.cs_km()].
#' @details `summary(times = )` of the curves is [summary.cs_km()]'s table
#'   (with `cumhaz` and `std_chaz` as well), with a heading of its own.
#' @export
summary.cs_cox_curves <- function(object, times = NULL, censored = FALSE,
                                  ...) {
  summary_frame(curves_summary_rows(object, times, censored),
                c("cs_cox_curves_summary", "cs_km_summary"))
}

# summary.cs_km()'s rows, with the cumulative hazard and its SE at the
# requested times too.
curves_summary_rows <- function(object, times, censored) {
  out <- km_summary_rows(object, times, censored)
  if (!is.null(times)) {
    out$cumhaz <- cox_curves_at(object$curves, out, "cumhaz", 0)
    out$std_chaz <- cox_curves_at(object$curves, out, "std_chaz", 0)
  }
  out
}

#' @export
print.cs_cox_curves_summary <- function(x, ...) {
  print_summary_frame(x, "Predicted survival from a Cox model", ...)
}

#' @rdname cox_curves
#' @param digits Significant digits to print.
#' @export
print.cs_cox_curves <- function(x, digits = max(getOption("digits") - 4L, 3L),
                                ...) {
  cat("Predicted survival curves from a Cox model (",
      c("Nelson-Aalen", "Efron")[x$ctype], "-type hazard)\n", sep = "")
  if (!is.null(x$call)) {
    cat("Call: ")
    dput(x$call)
  }
  tab <- x$table
  sig <- function(v) format(signif(v, digits), trim = TRUE)
  out <- cbind(n = format(tab$n, trim = TRUE),
               events = format(round(tab$events, 2), trim = TRUE),
               median = sig(tab$median), sig(tab$median_lower),
               sig(tab$median_upper))
  colnames(out)[4:5] <- paste0(x$conf_level, c("LCL", "UCL"))
  rownames(out) <- as.character(tab$strata)
  cat("\n")
  print(out, quote = FALSE, right = TRUE)
  invisible(x)
}

#' Plot predicted or adjusted survival curves of a Cox model
#'
#' Draws the curves of [cox_curves()] or [adjusted_curves()] with the layout
#' of [plot.cs_km()]. Their numbers at risk and censoring times are those
#' of the whole sample (or stratum) behind every curve, not of a group of
#' patients, so by default neither a risk table nor censoring marks are
#' drawn; ask for them with `risk_table = TRUE` or `censor_marks = TRUE`.
#'
#' @param x A `cs_cox_curves` or `cs_adjusted_curves` object.
#' @param risk_table,censor_marks As in [plot.cs_km()], `FALSE` by default
#'   here.
#' @param ... Further arguments of [plot.cs_km()] (`conf_int`, `labels`,
#'   `xscale`, `fun`, ...).
#' @returns As [plot.cs_km()], invisibly.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' plot(cox_curves(fit, data.frame(age = c(50, 70), sex = 1)),
#'      conf_int = TRUE, xscale = 30.4375)
#' @export
plot.cs_cox_curves <- function(x, risk_table = FALSE, censor_marks = FALSE,
                               ...) {
  plot.cs_km(x, risk_table = risk_table, censor_marks = censor_marks, ...)
}

#' @rdname plot.cs_cox_curves
#' @export
plot.cs_adjusted_curves <- function(x, risk_table = FALSE,
                                    censor_marks = FALSE, ...) {
  plot.cs_km(x, risk_table = risk_table, censor_marks = censor_marks, ...)
}
