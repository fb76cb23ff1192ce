#' Covariate-adjusted survival curves by direct standardisation
#'
#' For each level of one variable of a [cox()] model, sets that variable to
#' the level for every row of `data`, predicts each row's survival curve
#' from the model and averages them: the survival the whole sample would
#' have had under that level, the other covariates kept as they are (direct
#' adjustment, the g-formula). The curves have pointwise confidence limits,
#' analytic (delta method) or from the bootstrap, and plot like a [km()]
#' fit.
#'
#' @param fit A `cs_cox` fit from [cox()].
#' @param variable The name (a string) of the variable to set, a covariate
#'   of the model (a factor, character, logical or numeric column of
#'   `data`); not a `strata()` variable.
#' @param data The data frame whose covariate distribution is standardised
#'   to, usually the data of the fit. It must hold every covariate (and the
#'   `strata()` variables, each row's curve being that of its stratum); the
#'   response too with `boot > 0` (the model is refitted on resamples of
#'   its rows) and for the counts of the risk table.
#' @param values The levels to set `variable` to: by default the levels of
#'   a factor in the fit, or the sorted distinct values of `data[[variable]]`.
#' @param times Optional numeric vector: the curves are then reported at
#'   these times only (as [summary.cs_km()] reports them); `NULL` keeps every
#'   distinct time of the fit.
#' @param conf_type The transform of the pointwise confidence interval of
#'   the analytic variance, as in [cox_curves()].
#' @param conf_level The confidence level, strictly between 0 and 1.
#' @param boot The number of bootstrap resamples; `0` (the default) for the
#'   analytic variance.
#' @param seed Optional seed for the bootstrap resamples (the random number
#'   state is restored afterwards), so that the result is reproducible.
#'
#' @details
#' With S_i(t | a) the curve that the model predicts for row i of `data`
#' with `variable` set to a (in row i's stratum), the adjusted curve is
#' S(t | a) = (1 / n) sum_i S_i(t | a), on the union of the times of all
#' strata (each S_i a step function). For an unstratified fit it is the
#' mean of the columns of `survfit(coxph_fit, newdata = data with variable
#' set)$surv`.
#'
#' The analytic variance treats the rows of `data` as fixed and linearises
#' S(t | a) in the coefficients and the baseline hazard increments, as
#' `survfit.coxph` does for one profile (Tsiatis 1981): with
#' w_i = S_i(t) exp(lp_i) / n,
#' Var = sum over strata of (sum w_i)^2 sum dH0 / S0 (the baseline variance
#' term) + g' V g, g = sum_i w_i q_i(t), q_i(t) the integral of
#' (x_i - xbar(s)) dH0(s) (Zhang, Loberiza, Klein and Zhang 2007). For one
#' row it is `survfit`'s variance. `std_err` is its square root; the limits
#' use the `conf_type` transform of S.
#'
#' With `boot > 0` the rows of `data` are resampled with replacement, the
#' model refitted by `cox()` with the call of `fit` on each resample, and
#' the adjusted curves recomputed on the resample; `std_err` is then the
#' standard deviation of the resampled curves at each time and the limits
#' their percentiles. Resampling rows is refused for (start, stop] fits,
#' whose subjects span several rows.
#'
#' The counts (`n_risk`, `n_event`, `n_censor`) are those of the rows of
#' `data` that have the level (unweighted), when `data` holds the response;
#' otherwise `NA`. `table` has the medians with limits from the band and
#' the restricted mean up to the last time (without standard error).
#'
#' @returns An object of class `c("cs_adjusted_curves", "cs_km")`, whose
#'   `curves` (`strata` is the level, `time, n_risk, n_event, n_censor,
#'   surv, std_err, lower, upper`, and `cumhaz` = -log(surv) with its
#'   standard error `std_chaz` = `std_err` / `surv`), `table` and `strata`
#'   are as in a
#'   [km()] fit, so that `plot()`, `summary(times = )`, `quantile()` and
#'   [survival_at()] work on it; plus `variable`, `values`, `boot`, `seed`
#'   and, with `boot > 0`, `boot_surv` (a times x replicates matrix per
#'   level).
#' @references
#' Makuch RW (1982). Adjusted survival curve estimation using covariates.
#' *Journal of Chronic Diseases* 35, 437-443.
#'
#' Zhang X, Loberiza FR, Klein JP, Zhang MJ (2007). A SAS macro for
#' estimation of direct adjusted survival curves based on a stratified Cox
#' regression model. *Computer Methods and Programs in Biomedicine* 88,
#' 95-101.
#'
#' Tsiatis AA (1981). A large sample study of Cox's regression model.
#' *Annals of Statistics* 9, 93-108.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung)
#' lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
#' adj <- adjusted_curves(fit, "sex", data = lung2)
#' adj
#' survival_at(adj, times = c(180, 365))
#' plot(adj, conf_int = TRUE, labels = c("Male", "Female"))
#' @export
adjusted_curves <- function(fit, variable, data, values = NULL, times = NULL,
                            conf_type = c("log", "log-log", "plain",
                                          "arcsin"),
                            conf_level = 0.95, boot = 0, seed = NULL) {
  check_cox(fit)
  refuse_expanded(fit, "adjusted_curves()", arg = "fit")
  if (inherits(fit$y, "cs_db_rows")) db_refuse_rows("adjusted_curves()")
  conf_type <- arg_choice(conf_type, "conf_type",
                          c("log", "log-log", "plain", "arcsin"))
  check_probability(conf_level, "conf_level")
  if (!is.numeric(boot) || length(boot) != 1L || is.na(boot) || boot < 0 ||
      boot != round(boot)) {
    cs_abort("`boot` must be a single whole number, 0 or more.", arg = "boot")
  }
  if (!is.null(seed) && (!is.numeric(seed) || length(seed) != 1L ||
                         is.na(seed))) {
    cs_abort("`seed` must be a single number or NULL.", arg = "seed")
  }
  if (!is.null(times) && (!is.numeric(times) || !length(times) ||
                          anyNA(times))) {
    cs_abort("`times` must be a numeric vector without missing values.",
             arg = "times")
  }
  if (missing(data) || !is.data.frame(data) || !nrow(data)) {
    cs_abort("`data` must be a data frame with at least one row, the ",
             "sample to standardise to.", arg = "data")
  }
  values <- adjusted_values(fit, variable, data, values)
  if (boot > 0 && fit$counting) {
    cs_abort("`boot` is refused for a (start, stop] fit: resampling rows ",
             "would split the subjects that span several rows.",
             arg = "boot")
  }
  z <- stats::qnorm(1 - (1 - conf_level) / 2)
  est <- adjusted_estimate(fit, variable, data, values, se = boot == 0)
  boot_surv <- NULL
  if (boot > 0) {
    boot_surv <- adjusted_boot(fit, variable, data, values, est$time, boot,
                               seed)
  }
  labels <- paste0(variable, "=", format_values(values))
  counts <- adjusted_counts(fit, data, variable, values, est$time)
  pieces <- lapply(seq_along(values), adjusted_level, est = est,
                   boot_surv = boot_surv, counts = counts,
                   conf_level = conf_level, conf_type = conf_type)
  curves <- do.call(rbind, pieces)
  curves$strata <- structure(curves$strata, levels = labels,
                             class = "factor")
  rownames(curves) <- NULL
  tau <- max(curves$time)
  table <- km_table(curves, n_rows = counts$n, tau = tau, z = z,
                    median_ci = "bc")
  table$rmean_se <- NA_real_
  ids <- data.frame(curve = labels, stringsAsFactors = FALSE)
  ids[[variable]] <- values
  x <- new_cs_km(list(
    curves = curves, table = table, strata = ids,
    conf_type = if (boot > 0) "log" else conf_type, conf_level = conf_level,
    median_ci = "bc", type = if (fit$counting) "counting" else "right",
    weighted = any(fit$weights != 1), robust = isTRUE(fit$robust),
    n_dropped = 0L, rmean_tau = tau, call = NULL))
  x$ci_method <- if (boot > 0) "bootstrap percentile" else
    paste0("delta method (", conf_type, ")")
  x$conf_type_used <- conf_type
  x$variable <- variable
  x$values <- values
  x$boot <- boot
  x$seed <- seed
  x$boot_surv <- boot_surv
  x$call_adjusted <- match.call()
  if (!is.null(times)) {
    full <- x$curves
    cv <- km_summary_rows(x, times, FALSE)
    cv$cumhaz <- cox_curves_at(full, cv, "cumhaz", 0)
    cv$std_chaz <- cox_curves_at(full, cv, "std_chaz", 0)
    x$curves <- cv
  }
  class(x) <- c("cs_adjusted_curves", "cs_km")
  x
}

# The levels to set `variable` to, `variable` checked to be a covariate.
adjusted_values <- function(fit, variable, data, values) {
  if (is.null(fit$terms)) {
    cs_abort("`fit` must be made by cox() with a formula; this one was ",
             "made by cox_fit() from a matrix.", arg = "fit")
  }
  model_vars <- all.vars(stats::delete.response(fit$terms))
  svars <- unique(unlist(lapply(fit$strata_vars, function(v)
    all.vars(str2lang(v)))))
  if (!is.character(variable) || length(variable) != 1L ||
      !variable %in% setdiff(model_vars, svars)) {
    cs_abort("`variable` must be the name of a covariate of the model (",
             paste0("\"", setdiff(model_vars, svars), "\"", collapse = ", "),
             ").", arg = "variable")
  }
  if (!variable %in% names(data)) {
    cs_abort("`data` must hold the column `", variable, "`.", arg = "data")
  }
  if (is.null(values)) {
    v <- data[[variable]]
    values <- if (!is.null(fit$xlevels[[variable]])) {
      fit$xlevels[[variable]]
    } else if (is.factor(v)) {
      levels(droplevels(v))
    } else {
      sort(unique(v))
    }
  }
  if (!length(values) || anyNA(values)) {
    cs_abort("`values` must hold at least one value and no missing ones.",
             arg = "values")
  }
  values
}

# The curve of level k: estimate, standard error and limits (bootstrap
# percentiles with `boot_surv`, else the delta method on `conf_type`'s
# scale), with the counts of the level's rows.
adjusted_level <- function(k, est, boot_surv, counts, conf_level,
                           conf_type) {
  s <- est$surv[, k]
  if (!is.null(boot_surv)) {
    b <- boot_surv[[k]]
    se <- apply(b, 1L, stats::sd, na.rm = TRUE)
    alpha <- (1 - conf_level) / 2
    q <- function(pr) apply(b, 1L, stats::quantile, probs = pr,
                            names = FALSE, na.rm = TRUE)
    ci <- list(lower = q(alpha), upper = q(1 - alpha))
  } else {
    se <- est$se[, k]
    z <- stats::qnorm(1 - (1 - conf_level) / 2)
    ci <- cox_confint(s, ifelse(s > 0, se / s, 0), conf_type, z)
  }
  data.frame(strata = k, time = est$time,
             n_risk = counts$n_risk[, k], n_event = counts$n_event[, k],
             n_censor = counts$n_censor[, k], surv = s, std_err = se,
             lower = ci$lower, upper = ci$upper, cumhaz = -log(s),
             std_chaz = ifelse(s > 0, se / s, NA_real_))
}

format_values <- function(v) {
  if (is.numeric(v)) format(v, trim = TRUE, digits = 6) else as.character(v)
}

# The adjusted curves (a times x levels matrix `surv`, and `se` when asked)
# on the union of the fit's times.
adjusted_estimate <- function(fit, variable, data, values, se = TRUE) {
  ctype <- if (fit$ties == "efron") 2L else 1L
  parts <- cox_curve_parts(fit, ctype)
  grid <- sort(unique(parts$time))
  ns <- max(1L, length(fit$strata))
  has_strata <- !is.null(fit$strata)
  if (has_strata && !cox_has_strata_vars(fit, data)) {
    cs_abort("`data` must hold the strata() variables (",
             paste0("`", fit$strata_vars, "`", collapse = ", "), ") of the ",
             "model: each row's curve is that of its stratum.", arg = "data")
  }
  b <- fit$coefficients
  b[is.na(b)] <- 0
  v <- fit$var
  v[is.na(v)] <- 0
  p <- length(b)
  n <- nrow(data)
  # per stratum, on the grid: H0, the summed variance term, the integral
  # of xbar dH0 (grid x p)
  per <- lapply(seq_len(ns) - 1L, function(s) {
    sel <- which(parts$strata == s)
    j <- findInterval(grid, parts$time[sel])
    at <- function(m) {
      m <- rbind(0, apply(as.matrix(m), 2L, cumsum))
      m[j + 1L, , drop = FALSE]
    }
    list(h0 = at(parts$hazard[sel])[, 1L],
         vh = at(parts$varhaz[sel])[, 1L],
         xb = at(parts$xbar[sel, , drop = FALSE]))
  })
  nt <- length(grid)
  surv <- se_m <- matrix(NA_real_, nt, length(values))
  for (k in seq_along(values)) {
    nd <- data
    nd[[variable]] <- if (is.factor(data[[variable]])) {
      factor(rep(values[k], n), levels = levels(data[[variable]]))
    } else {
      rep(values[k], n)
    }
    check_newdata(fit, nd, strata = has_strata)
    x <- cox_newdata(fit, nd)
    r <- exp(drop(x %*% b) + attr(x, "offset") - parts$centre)
    st <- if (has_strata) cox_new_strata(fit, nd) - 1L else rep(0L, n)
    tot <- numeric(nt)
    g <- matrix(0, nt, p)
    vterm <- numeric(nt)
    for (s in unique(st)) {
      rows <- which(st == s)
      ps <- per[[s + 1L]]
      a_s <- numeric(nt)
      b_s <- matrix(0, nt, p)
      # in chunks of rows, so that grid x rows stays small
      for (ch in split(rows, ceiling(seq_along(rows) / 2000))) {
        sm <- exp(-outer(ps$h0, r[ch]))
        tot <- tot + rowSums(sm)
        if (se) {
          a_s <- a_s + drop(sm %*% r[ch])
          b_s <- b_s + sm %*% (r[ch] * x[ch, , drop = FALSE])
        }
      }
      if (se) {
        a_s <- a_s / n
        b_s <- b_s / n
        vterm <- vterm + a_s^2 * ps$vh
        g <- g + ps$h0 * b_s - a_s * ps$xb
      }
    }
    surv[, k] <- tot / n
    if (se) se_m[, k] <- sqrt(vterm + rowSums((g %*% v) * g))
  }
  list(time = grid, surv = surv, se = se_m)
}

# The unweighted counts of the rows of `data` with each level, on the grid
# (NA when `data` lacks the response).
adjusted_counts <- function(fit, data, variable, values, grid) {
  nt <- length(grid)
  m <- length(values)
  na <- matrix(NA_real_, nt, m)
  lev_rows <- lapply(values, function(v) which(data[[variable]] == v))
  n <- vapply(lev_rows, length, integer(1))
  y <- tryCatch(cox_new_response(fit, data), error = function(e) NULL)
  if (is.null(y) || anyNA(y)) {
    return(list(n_risk = na, n_event = na, n_censor = na, n = n))
  }
  stop_t <- y[, ncol(y) - 1L]
  status <- y[, ncol(y)]
  start <- if (ncol(y) == 3L) y[, 1L] else rep(-Inf, nrow(y))
  out <- list(n_risk = na, n_event = na, n_censor = na, n = n)
  for (k in seq_len(m)) {
    i <- lev_rows[[k]]
    # at risk at t: start < t <= stop
    ends <- findInterval(grid, sort(stop_t[i]), left.open = TRUE)
    starts <- findInterval(grid, sort(start[i]), left.open = TRUE)
    out$n_risk[, k] <- (length(i) - ends) - (length(i) - starts)
    at <- match(stop_t[i], grid)
    out$n_event[, k] <- tabulate(at[status[i] == 1], nt)
    out$n_censor[, k] <- tabulate(at[status[i] != 1], nt)
  }
  out
}

# Bootstrap replicates of the adjusted curves on `grid`: per level, a
# grid x boot matrix.
adjusted_boot <- function(fit, variable, data, values, grid, boot, seed) {
  cl <- fit$call
  if (is.null(cl) || is.null(cl$formula) ||
      !(identical(cl[[1L]], quote(cox)) ||
        identical(cl[[1L]], quote(cohortsurv::cox)))) {
    cs_abort("`boot` needs a fit made by cox(formula, data, ...), whose ",
             "call can be repeated on resamples.", arg = "boot")
  }
  for (a in c("weights", "subset", "cluster")) {
    if (!is.null(cl[[a]]) && !is.name(cl[[a]])) {
      cs_abort("`boot`: the fit's `", a, "` must be a column of the data ",
               "(given by name) to be resampled with its rows.", arg = "boot")
    }
  }
  if (!is.null(seed)) {
    old <- if (exists(".Random.seed", envir = globalenv(), inherits = FALSE))
      get(".Random.seed", envir = globalenv(), inherits = FALSE)
    on.exit({
      if (is.null(old)) {
        rm(".Random.seed", envir = globalenv())
      } else {
        assign(".Random.seed", old, envir = globalenv())
      }
    }, add = TRUE)
    set.seed(seed)
  }
  n <- nrow(data)
  out <- lapply(values, function(v) matrix(NA_real_, length(grid), boot))
  cl$data <- quote(.boot_data)
  cl[[1L]] <- cox
  env <- new.env(parent = environment(fit$terms))
  for (r in seq_len(boot)) {
    env$.boot_data <- data[sample.int(n, n, replace = TRUE), , drop = FALSE]
    bf <- tryCatch(suppressWarnings(suppressMessages(eval(cl, env))),
                   error = function(e) NULL)
    if (is.null(bf)) next
    est <- tryCatch(
      adjusted_estimate(bf, variable, env$.boot_data, values, se = FALSE),
      error = function(e) NULL)
    if (is.null(est)) next
    j <- findInterval(grid, est$time)
    for (k in seq_along(values)) {
      out[[k]][, r] <- c(1, est$surv[, k])[j + 1L]
    }
  }
  names(out) <- format_values(values)
  out
}

#' @export
print.cs_adjusted_curves <- function(x, digits = max(getOption("digits") -
                                                         4L, 3L), ...) {
  cat("Adjusted survival curves (direct standardisation over ",
      "the rows of `data`) by ", x$variable, "\n", sep = "")
  cat("Confidence limits: ", x$ci_method,
      if (x$boot > 0) paste0(", ", x$boot, " resamples"), "\n\n", sep = "")
  tab <- x$table
  sig <- function(v) format(signif(v, digits), trim = TRUE)
  out <- cbind(n = format(tab$n, trim = TRUE), median = sig(tab$median),
               sig(tab$median_lower), sig(tab$median_upper))
  colnames(out)[3:4] <- paste0(x$conf_level, c("LCL", "UCL"))
  rownames(out) <- as.character(tab$strata)
  print(out, quote = FALSE, right = TRUE)
  invisible(x)
}

#' @export
summary.cs_adjusted_curves <- function(object, times = NULL,
                                       censored = FALSE, ...) {
  summary_frame(curves_summary_rows(object, times, censored),
                c("cs_adjusted_curves_summary", "cs_km_summary"))
}

#' @export
print.cs_adjusted_curves_summary <- function(x, ...) {
  print_summary_frame(x, "Adjusted survival (direct standardisation)", ...)
}
