# Methods for cs_cox fits ----------------------------------------------------

#' @importFrom stats coef vcov confint logLik nobs anova predict residuals
NULL

#' Hazard-ratio table of a Cox model
#'
#' One row per coefficient: the log hazard ratio, its standard error, the
#' hazard ratio with its Wald confidence interval, the Wald z statistic and
#' its two-sided p-value, the form in which clinical papers report a hazard
#' ratio, such as 0.47 (0.33 to 0.69).
#'
#' @param fit A `cs_cox` fit from [cox()].
#' @param conf_level The confidence level, a number strictly between 0 and 1.
#' @returns A data frame (class `cs_hr_table`) with columns `term, estimate,
#'   se, hr, lower, upper, statistic, p_value` at full precision; `se` is
#'   the robust standard error when the fit has a robust variance. Aliased
#'   coefficients have `NA` throughout. It prints rounded, with an
#'   "HR (95% CI)" column; see [hr_report()] for a table with reference
#'   rows and labels, ready for a manuscript.
#' @references
#' Cox DR (1972). Regression models and life-tables (with discussion).
#' *Journal of the Royal Statistical Society B* 34, 187-220.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' hr_table(fit)
#' hr_table(fit, conf_level = 0.9)
#' @export
hr_table <- function(fit, conf_level = 0.95) {
  check_cox(fit)
  check_probability(conf_level, "conf_level")
  b <- fit$coefficients
  se <- sqrt(diag(fit$var))
  z <- stats::qnorm(1 - (1 - conf_level) / 2)
  stat <- b / se
  out <- data.frame(
    term = names(b), estimate = unname(b), se = unname(se),
    hr = unname(exp(b)), lower = unname(exp(b - z * se)),
    upper = unname(exp(b + z * se)), statistic = unname(stat),
    p_value = unname(2 * stats::pnorm(-abs(stat))),
    stringsAsFactors = FALSE
  )
  structure(out, class = c("cs_hr_table", "data.frame"),
            conf_level = conf_level)
}

#' @export
print.cs_hr_table <- function(x, digits = 3L, ...) {
  level <- attr(x, "conf_level")
  if (is.null(level)) level <- 0.95
  shown <- data.frame(
    term = x$term,
    `HR (CI)` = format_hr(x$hr, x$lower, x$upper, digits = digits - 1L),
    estimate = as.character(signif(x$estimate, digits)),
    se = as.character(signif(x$se, digits)),
    z = round(x$statistic, 2), p = format_p(x$p_value),
    check.names = FALSE, stringsAsFactors = FALSE)
  names(shown)[2L] <- paste0("HR (", format(100 * level), "% CI)")
  print(shown, row.names = FALSE, right = FALSE)
  invisible(x)
}

# "p = 0.013" or "p < 2.2e-16": format.pval() gives "< 2.2e-16" for the
# smallest p-values, which must not follow an equals sign.
p_phrase <- function(p, digits) {
  s <- format.pval(p, digits = digits)
  if (startsWith(s, "<")) paste("p", s) else paste("p =", s)
}

check_cox <- function(fit, arg = "fit") {
  if (!inherits(fit, "cs_cox")) {
    cs_abort("`", arg, "` must be a Cox model fitted by cox(); it is ",
             class(fit)[1L], ".", arg = arg)
  }
  invisible(fit)
}

#' @export
print.cs_cox <- function(x, digits = max(getOption("digits") - 3L, 3L),
                         ...) {
  cat(if (is.null(x$fine_gray)) "Cox proportional-hazards model (" else
        "Fine-Gray subdistribution hazards model (", x$ties, " ties",
      if (!is.null(x$strata)) paste0(", ", length(x$strata), " strata"),
      ")\n", sep = "")
  if (!is.null(x$call)) {
    cat("Call: ", paste(deparse(x$call), collapse = "\n"), "\n", sep = "")
  }
  cat("\n")
  if (length(x$coefficients)) {
    tab <- hr_table(x)
    m <- cbind(coef = tab$estimate, `exp(coef)` = tab$hr,
               `se(coef)` = sqrt(diag(x$naive_var)))
    if (x$robust) m <- cbind(m, `robust se` = tab$se)
    m <- cbind(m, z = tab$statistic, p = tab$p_value)
    rownames(m) <- tab$term
    stats::printCoefmat(m, digits = digits, P.values = TRUE,
                        has.Pvalue = TRUE, signif.stars = FALSE,
                        na.print = "NA")
    cat("\n")
    # a Fine-Gray fit: weighted rows, so the likelihood-ratio statistic is
    # not a chi-square; its (robust) Wald test is reported instead
    lr <- if (is.null(x$fine_gray)) x$lr_test else x$wald_test
    cat(if (is.null(x$fine_gray)) "Likelihood ratio test = " else
          paste0(if (x$robust) "Robust " else "", "Wald test = "),
        format(round(lr$statistic, 2)), " on ",
        lr$df, " df, ", p_phrase(lr$p_value, digits), "\n", sep = "")
  } else {
    cat("Null model: log partial likelihood = ",
        format(last_loglik(x), digits = digits + 2L), "\n", sep = "")
  }
  cat("n = ", x$n, ", number of events = ", x$n_event,
      if (x$n_dropped > 0) paste0(" (", x$n_dropped,
                                  " rows dropped: missing values)"),
      "\n", sep = "")
  if (!x$converged) cat("The iteration did not converge.\n")
  print_expanded_note(x)  # tt() and Fine-Gray fits: R/tt.R
  invisible(x)
}

#' Summary of a Cox model
#'
#' @param object A `cs_cox` fit from [cox()].
#' @param conf_level The confidence level of the hazard-ratio intervals.
#' @param ... Unused.
#' @returns A data frame of class `cs_cox_summary` (as every `summary()` of
#'   the package: a data frame subclass with a print method): the table of
#'   [hr_table()], one row per coefficient, plus `naive_se`; its attributes
#'   hold the three tests (`lr_test`, `wald_test`, `score_test`, and
#'   `robust_score_test` when the variance is robust), `loglik`, `n`,
#'   `n_event`, `conf_level`, `robust`, `ties` and `call`.
#' @examples
#' library(survival)
#' summary(cox(Surv(time, status) ~ age + sex, data = lung))
#' @export
summary.cs_cox <- function(object, conf_level = 0.95, ...) {
  tab <- hr_table(object, conf_level = conf_level)
  tab$naive_se <- unname(sqrt(diag(object$naive_var)))
  summary_frame(tab, "cs_cox_summary", lr_test = object$lr_test,
                wald_test = object$wald_test, score_test = object$score_test,
                robust_score_test = object$robust_score_test,
                loglik = object$loglik, n = object$n,
                n_event = object$n_event, conf_level = conf_level,
                robust = object$robust, ties = object$ties,
                call = object$call)
}

#' @export
print.cs_cox_summary <- function(x, digits = max(getOption("digits") - 3L,
                                                    3L), ...) {
  a <- attributes(x)
  if (!is.null(a$call)) {
    cat("Call: ", paste(deparse(a$call), collapse = "\n"), "\n",
        sep = "")
  }
  cat("n = ", a$n, ", number of events = ", a$n_event, " (", a$ties,
      " ties)\n\n", sep = "")
  tab <- x
  if (nrow(tab)) {
    pct <- paste0(format(100 * a$conf_level), "%")
    m <- cbind(hr = tab$hr, lower = tab$lower, upper = tab$upper,
               coef = tab$estimate, se = tab$se, z = tab$statistic,
               p = tab$p_value)
    colnames(m)[2:3] <- paste(c("lower", "upper"), pct)
    if (a$robust) colnames(m)[5] <- "robust se"
    rownames(m) <- tab$term
    stats::printCoefmat(m, digits = digits, P.values = TRUE,
                        has.Pvalue = TRUE, signif.stars = FALSE,
                        na.print = "NA")
    cat("\n")
    line <- function(lab, t) {
      cat(sprintf("%-22s %s on %d df, p = %s\n", lab,
                  format(round(t$statistic, 2), nsmall = 2), t$df,
                  format.pval(t$p_value, digits = digits)))
    }
    line("Likelihood ratio test", a$lr_test)
    line(if (a$robust) "Wald test (robust)" else "Wald test", a$wald_test)
    line("Score (log-rank) test", a$score_test)
    if (!is.null(a$robust_score_test)) {
      line("Robust score test", a$robust_score_test)
    }
  }
  invisible(x)
}

#' @export
coef.cs_cox <- function(object, ...) object$coefficients

#' @export
vcov.cs_cox <- function(object, ...) object$var

#' @export
confint.cs_cox <- function(object, parm, level = 0.95, ...) {
  check_probability(level, "level")
  b <- object$coefficients
  se <- sqrt(diag(object$var))
  if (missing(parm)) parm <- names(b)
  else if (is.numeric(parm)) parm <- names(b)[parm]
  z <- stats::qnorm(1 - (1 - level) / 2)
  pct <- paste(format(100 * c((1 - level) / 2, 1 - (1 - level) / 2),
                      trim = TRUE, scientific = FALSE, digits = 3), "%")
  ci <- cbind(b - z * se, b + z * se)
  dimnames(ci) <- list(names(b), pct)
  ci[parm, , drop = FALSE]
}

#' @export
logLik.cs_cox <- function(object, ...) {
  structure(last_loglik(object),
            df = sum(!is.na(object$coefficients)),
            nobs = object$n_event, class = "logLik")
}

#' @export
nobs.cs_cox <- function(object, ...) object$n_event

#' Likelihood-ratio tests of nested Cox models
#'
#' With one fit, tests each term in turn as it is added to the model
#' (sequential, "type I" tests, as `anova.coxph`); with several fits to the
#' same rows, compares each with the one before.
#'
#' @param object A `cs_cox` fit from [cox()].
#' @param ... Further `cs_cox` fits, nested, fitted to the same rows.
#' @returns A data frame of class `cs_cox_anova` with columns `model` (or
#'   `term`), `loglik`, `df`, `statistic`, `p_value`.
#' @examples
#' library(survival)
#' f1 <- cox(Surv(time, status) ~ age, data = lung)
#' f2 <- cox(Surv(time, status) ~ age + sex, data = lung)
#' anova(f1, f2)
#' anova(f2)
#' @export
anova.cs_cox <- function(object, ...) {
  fits <- c(list(object), list(...))
  for (k in seq_along(fits)) check_cox(fits[[k]], "...")
  for (f in fits) refuse_expanded(f, "anova()", tt = FALSE)
  if (length(fits) == 1L) return(anova_terms(object))
  n <- vapply(fits, function(f) f$n, numeric(1))
  if (length(unique(n)) > 1L) {
    cs_abort("the models in `...` must be fitted to the same rows; they ",
             "have ", paste(n, collapse = ", "), " rows.", arg = "...")
  }
  ll <- vapply(fits, function(f) last_loglik(f), numeric(1))
  df <- vapply(fits, function(f) sum(!is.na(f$coefficients)), numeric(1))
  stat <- c(NA, 2 * diff(ll))
  ddf <- c(NA, diff(df))
  p <- ifelse(!is.na(ddf) & ddf != 0,
              stats::pchisq(abs(stat), abs(ddf), lower.tail = FALSE), NA)
  labs <- vapply(fits, function(f) deparse1(f$formula), character(1))
  structure(data.frame(model = labs, loglik = ll, df = df,
                       statistic = stat, p_value = p,
                       stringsAsFactors = FALSE),
            class = c("cs_cox_anova", "data.frame"))
}

anova_terms <- function(fit) {
  asgn <- fit$assign
  labs <- attr(fit$terms, "term.labels")
  if (!length(labs)) {
    cs_abort("`object` has no terms to test.", arg = "object")
  }
  so_x <- fit$x
  y <- fit$y[, if (fit$counting) c("start", "stop", "status") else
    c("stop", "status"), drop = FALSE]
  ll <- fit$loglik[1L]
  df <- 0
  # strata() main effects that also appear in interactions have no columns
  # (coxph's design); like anova.coxph, they get no row
  keep <- setdiff(seq_along(labs), fit$drop_terms)
  for (k in keep) {
    cols <- which(asgn <= k)
    sub <- suppressMessages(cox_fit(
      so_x[, cols, drop = FALSE], y, strata = fit$strata_code,
      weights = fit$weights, offset = fit$offset, ties = fit$ties,
      control = fit$control))
    ll <- c(ll, last_loglik(sub))
    df <- c(df, sum(!is.na(sub$coefficients)))
  }
  stat <- 2 * diff(ll)
  ddf <- diff(df)
  structure(data.frame(
    term = c("NULL", labs[keep]), loglik = ll, df = c(NA, ddf),
    statistic = c(NA, stat),
    p_value = c(NA, ifelse(ddf > 0, stats::pchisq(stat, ddf,
                                                  lower.tail = FALSE), NA)),
    stringsAsFactors = FALSE),
    class = c("cs_cox_anova", "data.frame"))
}

#' @export
print.cs_cox_anova <- function(x, ...) {
  cat("Likelihood-ratio tests of nested Cox models\n")
  print(as.data.frame(unclass(x), stringsAsFactors = FALSE),
        row.names = FALSE, ...)
  invisible(x)
}

#' Predictions from a Cox model
#'
#' @param object A `cs_cox` fit from [cox()].
#' @param newdata Optional data frame in which to evaluate the covariates;
#'   by default the rows of the fit. For `type = "expected"` and
#'   `"survival"` it must also hold the response (the `Surv()` variables:
#'   the follow-up of each row) and, for a stratified fit, the `strata()`
#'   variables.
#' @param type `"lp"` for the linear predictor, `"risk"` for the hazard
#'   ratio exp(lp), `"expected"` for the expected number of events given
#'   the covariates and follow-up of each row (the cumulative hazard over
#'   its time at risk), `"survival"` for exp(-expected), or `"terms"` for
#'   the matrix of each term's contribution to the linear predictor.
#' @param reference Where the linear predictor is centred, as in
#'   `predict.coxph`: `"strata"` (the default, except for `"terms"`) at the
#'   covariate means of the row's own stratum (the same as `"sample"` for
#'   an unstratified fit), `"sample"` (the default for `"terms"`) at the
#'   means of the whole fitting data, `object$means`, or `"zero"` not at
#'   all. Not used by `"expected"` and `"survival"`.
#' @param se_fit `TRUE` to return standard errors too (for `"lp"`,
#'   `"risk"` and `"terms"`).
#' @param terms For `type = "terms"`: the terms (names or numbers) whose
#'   columns to return; by default all.
#' @param ... `predict.coxph`'s name `se.fit` is accepted for `se_fit`;
#'   any other argument (such as `collapse`) is refused with an error
#'   rather than ignored.
#' @details With `reference = "sample"` the linear predictor is x'b -
#'   means'b, plus any offset minus the mean offset of the fitting data;
#'   columns coded only -1, 0 and 1 (such as dummy variables) are not
#'   centred (as `coxph` reports `means`). With `"strata"` the means are the
#'   case-weighted covariate means within each stratum, every column
#'   centred; `newdata` must then hold the `strata()` variables. With
#'   `"zero"` it is x'b plus the offset minus the mean offset. Rows of weight
#'   0 (which take no part in the fit) get their linear predictor too.
#'
#'   **Standard errors** are those of `predict.coxph(se.fit = TRUE)`: for
#'   `"lp"` sqrt(x'V x), x the covariates centred as `reference` says and V
#'   `vcov(object)` (the robust variance when the fit has one); for
#'   `"terms"` the same with the columns of each term; for `"risk"`
#'   `predict.coxph`'s convention se(lp) sqrt(risk) (not the delta-method
#'   se(lp) risk).
#'
#'   **Expected events.** Without `newdata`, `"expected"` is the status
#'   minus the martingale residual of each row (the Efron-corrected
#'   compensator for an Efron fit). With `newdata` it is exp(lp) times the
#'   baseline cumulative hazard of the row's stratum at the row's time (for
#'   `Surv(start, stop, status)` data, its increase over (start, stop]),
#'   the baseline hazard being the Efron-type estimate for an Efron fit and
#'   the Breslow estimate otherwise, as `predict.coxph` does (so on the
#'   fitting rows an Efron fit's two differ at tied deaths).
#'
#'   **Agreement with `predict.coxph`**: equal (tested to 1e-8) for every
#'   type and `reference`, with and without `newdata`, on stratified and
#'   weighted fits, except where `predict.coxph` is inconsistent, which is
#'   not copied: with an offset, `newdata` and `reference = "sample"` or
#'   `"strata"`, `predict.coxph` does not subtract the mean offset (so its
#'   predictions for the fitting rows differ from those without `newdata`),
#'   and with `type = "expected"` and `newdata` it adds the offset to the
#'   risk exp(x'b) instead of to x'b; `cox()` uses lp = x'b + offset in
#'   every case. Aliased (`NA`) coefficients count as 0, where
#'   `predict.coxph`'s expected values with `newdata` are `NA`. Standard
#'   errors of `"expected"` and `"survival"` are not computed (refused).
#'
#'   `newdata` with a missing value, without a column of the model or with
#'   a factor level the fit does not have is refused with an error naming
#'   the column and the row.
#' @returns A numeric vector, one value per row (with `na.action =
#'   na.exclude`, per row of the data, `NA` where a row was left out); for
#'   `"terms"` a matrix with one column per term and attribute `constant`
#'   (sum of means times coefficients). With `se_fit = TRUE` a list of
#'   `fit` and `se_fit`, each of that shape.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' head(predict(fit))
#' predict(fit, newdata = data.frame(age = c(50, 70), sex = 1),
#'         type = "risk", se_fit = TRUE)
#' sfit <- cox(Surv(time, status) ~ age + strata(sex), data = lung)
#' head(predict(sfit, reference = "sample"))
#' # expected deaths and survival over 1 year of follow-up
#' nd <- data.frame(time = 365, status = 0, age = c(50, 70), sex = 1)
#' predict(sfit, newdata = nd, type = "survival")
#' head(predict(fit, type = "terms", se_fit = TRUE)$se_fit)
#' @export
predict.cs_cox <- function(object, newdata,
                           type = c("lp", "risk", "expected", "survival",
                                    "terms"),
                           reference = c("strata", "sample", "zero"),
                           se_fit = FALSE, terms = NULL, ...) {
  dots <- survival_args(
    match.call(expand.dots = FALSE)$..., parent.frame(), "predict",
    c(se.fit = "se_fit"), given = c(se_fit = !missing(se_fit)),
    refuse = c(
      collapse = "sum the predictions with rowsum() instead.",
      na.action = "missing values in `newdata` are refused; the fit's own na.action is used without it."))
  if (!is.null(dots$se_fit)) se_fit <- dots$se_fit
  type <- arg_choice(type, "type",
                     c("lp", "risk", "expected", "survival", "terms"))
  refuse_expanded(object, "predict()")
  ref_given <- !missing(reference)
  reference <- arg_choice(reference, "reference",
                          c("strata", "sample", "zero"))
  if (type == "terms" && !ref_given) reference <- "sample"
  check_flag(se_fit, "se_fit")
  has_new <- !missing(newdata) && !is.null(newdata)
  if (type %in% c("expected", "survival")) {
    if (se_fit) {
      cs_abort("`se_fit = TRUE` is not available for type = \"", type,
               "\": standard errors of expected events are not computed.",
               arg = "se_fit")
    }
    e <- if (has_new) cox_expected_new(object, newdata) else
      pad_excluded(object, object$y[, "status"]) -
        residuals.cs_cox(object, "martingale")
    return(if (type == "survival") exp(-e) else e)
  }
  if (is.null(object$strata) && reference == "strata") reference <- "sample"
  b <- object$coefficients
  b[is.na(b)] <- 0
  shift <- sum(b * object$means)
  # the case-weighted covariate means of each stratum (a database fit
  # keeps them, computed in its aggregate: R/db.R)
  smeans <- if (reference == "strata" && !is.null(object$strata_means)) {
    object$strata_means
  } else if (reference == "strata") {
    x <- object$x
    rowsum(x * object$weights, object$strata_code) /
      c(rowsum(object$weights, object$strata_code))
  }
  centre <- if (reference == "strata") {
    if (!ncol(smeans)) rep(0, length(object$strata)) else
      as.vector(smeans %*% b)
  }
  if (!has_new) {
    lp <- object$linear_predictors + switch(reference,
      sample = 0, zero = shift,
      strata = shift - centre[object$strata_code_all + 1L])
    lp <- pad_excluded(object, lp, used_rows = FALSE)
    if (!se_fit && type != "terms") {
      return(if (type == "risk") exp(lp) else lp)
    }
    xc <- cox_full_design(object)
    k <- object$strata_code_all + 1L
  } else {
    check_newdata(object, newdata,
                  strata = reference == "strata" && !is.null(object$strata))
    x <- cox_newdata(object, newdata)
    k <- if (reference == "strata") cox_new_strata(object, newdata)
    lp <- drop(x %*% b) + attr(x, "offset") - object$offset_mean -
      switch(reference, sample = shift, zero = 0, strata = centre[k])
    xc <- x
  }
  # the covariates centred as `reference` says
  xc <- switch(reference,
    zero = xc,
    sample = xc - rep(object$means, each = nrow(xc)),
    strata = xc - smeans[k, , drop = FALSE])
  v <- object$var
  v[is.na(v)] <- 0
  pad <- function(z) if (has_new) z else pad_excluded(object, z,
                                                       used_rows = FALSE)
  if (type == "terms") {
    return(cox_predict_terms(object, xc, b, v, terms, se_fit, pad))
  }
  fit <- if (type == "risk") exp(lp) else lp
  if (!se_fit) return(fit)
  se <- pad(sqrt(rowSums((xc %*% v) * xc)))
  if (type == "risk") se <- se * sqrt(fit)
  list(fit = fit, se_fit = se)
}

# The design of every row of the model frame (zero-weight rows included),
# in the columns of the fit.
cox_full_design <- function(object) {
  if (is.null(object$used)) return(object$x)
  if (!is.null(object$x_all)) return(object$x_all)
  cs_abort("`object` has rows of weight zero, whose covariates the fit ",
           "does not keep; predict with `newdata` instead.", arg = "object")
}

# predict(type = "terms"): one column per term (the columns of the term
# times their coefficients), with standard errors when asked.
cox_predict_terms <- function(object, xc, b, v, terms, se_fit, pad) {
  asgn <- object$assign
  labs <- attr(object$terms, "term.labels")
  used <- sort(unique(asgn))
  if (is.null(terms)) {
    terms <- labs[used]
  } else {
    if (is.numeric(terms)) {
      if (any(terms != floor(terms) | terms < 1 | terms > length(used))) {
        cs_abort("`terms` must be term names or numbers from 1 to ",
                 length(used), ".", arg = "terms")
      }
      terms <- labs[used][terms]
    }
    bad <- setdiff(terms, labs[used])
    if (length(bad)) {
      cs_abort("`terms` has `", bad[1L], "`, which is not a term of the ",
               "model (its terms: ",
               paste0("`", labs[used], "`", collapse = ", "), ").",
               arg = "terms")
    }
  }
  nab <- !is.na(object$coefficients)
  fit <- se <- matrix(NA_real_, nrow(xc), length(terms),
                      dimnames = list(NULL, terms))
  for (j in seq_along(terms)) {
    cols <- which(asgn == match(terms[j], labs) & nab)
    xt <- xc[, cols, drop = FALSE]
    fit[, j] <- xt %*% b[cols]
    se[, j] <- sqrt(rowSums((xt %*% v[cols, cols, drop = FALSE]) * xt))
  }
  fit <- pad(fit)
  attr(fit, "constant") <- sum(object$coefficients * object$means,
                               na.rm = TRUE)
  if (se_fit) list(fit = fit, se_fit = pad(se)) else fit
}

# predict(type = "expected", newdata): exp(lp) times the baseline
# cumulative hazard of each row's stratum at its time (its increase over
# (start, stop] for counting-process data); the hazard Efron-type for an
# Efron fit, as predict.coxph.
cox_expected_new <- function(object, newdata) {
  has_strata <- !is.null(object$strata)
  check_newdata(object, newdata, strata = has_strata, response = TRUE)
  y <- cox_new_response(object, newdata)
  x <- cox_newdata(object, newdata)
  k <- if (has_strata) cox_new_strata(object, newdata) else
    rep(1L, nrow(newdata))
  b <- object$coefficients
  b[is.na(b)] <- 0
  parts <- cox_curve_parts(object, if (object$ties == "efron") 2L else 1L)
  risk <- exp(drop(x %*% b) + attr(x, "offset") - parts$centre)
  out <- numeric(nrow(newdata))
  for (s in unique(k)) {
    sel <- which(parts$strata == s - 1L)
    ch <- c(0, cumsum(parts$hazard[sel]))
    tm <- parts$time[sel]
    rows <- which(k == s)
    at <- function(t) ch[findInterval(t, tm) + 1L]
    out[rows] <- if (ncol(y) == 3L) {
      at(y[rows, 2L]) - at(y[rows, 1L])
    } else {
      at(y[rows, 1L])
    }
  }
  out * risk
}

# The Surv() response of `newdata`, of the fit's type.
cox_new_response <- function(object, newdata) {
  lhs <- object$formula[[2L]]
  y <- tryCatch(eval(lhs, newdata, environment(object$terms)),
                error = function(e) {
                  cs_abort("`newdata` must hold the response of the model, ",
                           deparse1(lhs), ", for type = \"expected\": ",
                           conditionMessage(e), arg = "newdata")
                })
  y <- as.matrix(y)
  if (ncol(y) != if (object$counting) 3L else 2L) {
    cs_abort("`newdata`: the response must be ",
             if (object$counting) "Surv(start, stop, status)" else
               "Surv(time, status)", ", as in the fit.", arg = "newdata")
  }
  y
}

# The design matrix of `newdata` for a fit (columns as in the fit), with the
# offset of each row as attribute "offset". The offset comes from the
# frame's terms (the design terms lose it when strata() terms are dropped),
# and the design terms get the frame's predvars of their variables (a
# dropped term leaves stale predvars behind).
cox_newdata <- function(object, newdata) {
  if (!is.data.frame(newdata)) {
    cs_abort("`newdata` must be a data frame.", arg = "newdata")
  }
  tt <- stats::delete.response(cox_predvars(object$terms,
                                            object$frame_terms))
  mf <- tryCatch(
    stats::model.frame(tt, newdata, xlev = object$xlevels,
                       na.action = stats::na.pass),
    error = function(e) {
      cs_abort("`newdata` must hold the covariates of the model: ",
               conditionMessage(e), arg = "newdata")
    })
  x <- stats::model.matrix(tt, mf, contrasts.arg = object$contrasts)
  x <- x[, !attr(x, "assign") %in% c(0L, object$drop_terms), drop = FALSE]
  attr(x, "offset") <- cox_new_offset(object, newdata)
  x
}

# `tt` with the predvars of `full` for its variables (matched by name).
cox_predvars <- function(tt, full) {
  pv <- attr(full, "predvars")
  if (is.null(full) || is.null(pv)) return(tt)
  vf <- vapply(as.list(attr(full, "variables"))[-1L], deparse1, "")
  vt <- vapply(as.list(attr(tt, "variables"))[-1L], deparse1, "")
  k <- match(vt, vf)
  if (anyNA(k)) return(tt)
  attr(tt, "predvars") <- as.call(c(quote(list), as.list(pv)[-1L][k]))
  tt
}

# The offset of each row of `newdata`: the sum of the offset() terms of
# the fit's formula (0 without them).
cox_new_offset <- function(object, newdata) {
  full <- if (is.null(object$frame_terms)) object$terms else
    object$frame_terms
  k <- attr(full, "offset")
  if (!length(k)) return(0)
  vars <- as.list(attr(full, "variables"))[-1L]
  env <- environment(full)
  off <- 0
  for (i in k) {
    v <- tryCatch(eval(vars[[i]], newdata, env), error = function(e) {
      cs_abort("`newdata` must hold the offset of the model, ",
               deparse1(vars[[i]]), ": ", conditionMessage(e),
               arg = "newdata")
    })
    off <- off + as.double(v)
  }
  off
}

# The stratum (1-based, in the levels of the fit) of each row of `newdata`.
cox_new_strata <- function(object, newdata) {
  tt <- stats::delete.response(object$frame_terms)
  mf <- tryCatch(
    stats::model.frame(tt, newdata, na.action = stats::na.pass),
    error = function(e) {
      cs_abort("`newdata` must hold the strata() variables of the model ",
               "for reference = \"strata\": ", conditionMessage(e),
               arg = "newdata")
    })
  s <- split_strata(mf, tt, interactions = TRUE)$strata
  k <- match(as.character(s), object$strata)
  if (anyNA(k[!is.na(s)])) {
    cs_abort("`newdata` has a stratum that is not in the fit: ",
             as.character(s[!is.na(s) & is.na(k)][1L]), ".", arg = "newdata")
  }
  k
}

#' Residuals of a Cox model
#'
#' @param object A `cs_cox` fit from [cox()].
#' @param type `"martingale"`, `"deviance"`, `"score"`, `"schoenfeld"`,
#'   `"scaledsch"`, `"dfbeta"`, `"dfbetas"` or `"partial"`.
#' @param collapse Optional vector with one value per row (per row of the
#'   data with `na.action = na.exclude`), such as a subject identifier:
#'   the residuals of the rows with the same value are summed, one row (or
#'   value) per distinct value in sorted order, as `residuals.coxph` does.
#'   Not for the Schoenfeld types, whose rows are events.
#' @param weighted `TRUE` to multiply the residuals by the case weights;
#'   by default `TRUE` for `"dfbeta"` and `"dfbetas"` and `FALSE` otherwise
#'   (as `residuals.coxph`).
#' @param ... Unused.
#' @details As `residuals.coxph` defines them: martingale residuals
#'   status - exp(lp) times the (Efron-corrected) baseline hazard accrued
#'   while at risk; deviance residuals their symmetrised transform; score
#'   residuals the rows' contributions to the score (one column per
#'   coefficient); dfbeta the score residuals times the model-based
#'   variance (with the default `weighted = TRUE`, the approximate change in
#'   each coefficient when the row, with its weight, is left out); dfbetas
#'   dfbeta divided by the coefficients' model-based standard errors;
#'   partial residuals the martingale residuals plus each term's
#'   contribution to the linear predictor (`predict(type = "terms")`), one
#'   column per term; Schoenfeld residuals, one row per event in order of
#'   stratum and time, the covariates minus their risk-set mean; scaled
#'   Schoenfeld residuals (Grambsch and Therneau 1994) those times the
#'   model-based variance times the number of events, plus the
#'   coefficients, whose smoothed plot against time estimates a
#'   time-varying coefficient (what `survival::cox.zph()` keeps as `y`).
#'
#'   With `weighted = TRUE` each residual is multiplied by its row's case
#'   weight (for the Schoenfeld types, the weight of the event's row); with
#'   `collapse`, the deviance residual is computed from the summed
#'   martingale residuals and statuses, as `residuals.coxph` does. Equal to
#'   `residuals.coxph` (tested to 1e-8), except for weighted Schoenfeld
#'   residuals with unequal weights: `residuals.coxph` (survival 3.5.3)
#'   takes the weights in data order for events in time order, which is
#'   not copied.
#' @returns A numeric vector (martingale, deviance) with one value per row
#'   of the fit (with `na.action = na.exclude`, per row of the data, `NA`
#'   where a row was left out), or a matrix with one column per coefficient
#'   (score, dfbeta and dfbetas one row per row of the fit; Schoenfeld and
#'   scaled Schoenfeld one row per event, its time as the row name) or per
#'   term (partial). With `collapse`, one row (value) per distinct value of
#'   `collapse`, named by it.
#' @references
#' Therneau TM, Grambsch PM, Fleming TR (1990). Martingale-based residuals
#' for survival models. *Biometrika* 77, 147-160.
#'
#' Schoenfeld D (1982). Partial residuals for the proportional hazards
#' regression model. *Biometrika* 69, 239-241.
#'
#' Grambsch PM, Therneau TM (1994). Proportional hazards tests and
#' diagnostics based on weighted residuals. *Biometrika* 81, 515-526.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + sex, data = lung)
#' head(residuals(fit))
#' head(residuals(fit, type = "schoenfeld"))
#' # dfbeta summed within institution
#' lung2 <- subset(lung, !is.na(inst))
#' fit2 <- cox(Surv(time, status) ~ age + sex, data = lung2)
#' head(residuals(fit2, type = "dfbeta", collapse = lung2$inst))
#' @export
residuals.cs_cox <- function(object, type = c("martingale", "deviance",
                                              "score", "schoenfeld",
                                              "scaledsch", "dfbeta",
                                              "dfbetas", "partial"),
                             collapse = NULL, weighted = NULL, ...) {
  refuse_expanded(object, "residuals()", tt = FALSE)
  type <- arg_choice(type, "type", c("martingale", "deviance", "score",
                                     "schoenfeld", "scaledsch", "dfbeta",
                                     "dfbetas", "partial"))
  if (is.null(weighted)) weighted <- type %in% c("dfbeta", "dfbetas")
  check_flag(weighted, "weighted")
  schoen <- type %in% c("schoenfeld", "scaledsch")
  if (!is.null(collapse) && schoen) {
    cs_abort("`collapse` does not apply to ", type, " residuals, which ",
             "have one row per event.", arg = "collapse")
  }
  if (type == "scaledsch") return(scaled_schoenfeld(object, weighted))
  so <- cox_sorted(object)
  need_score <- type %in% c("score", "schoenfeld", "dfbeta", "dfbetas")
  if (need_score && !ncol(so$x)) {
    cs_abort("`object` has no coefficients, so it has no ", type,
             " residuals.", arg = "object")
  }
  r <- cpp_cox_resid(so, so$x, so$order, object$ties == "efron", so$eta,
                     need_score)
  unsort <- function(v) {
    out <- v
    if (is.matrix(v)) out[so$ord, ] <- v else out[so$ord] <- v
    out
  }
  nm <- names(object$coefficients)
  if (type == "schoenfeld") {
    ev <- so$status == 1
    s <- so$x[so$ord[ev], , drop = FALSE] - r$xbar[ev, , drop = FALSE]
    if (weighted) s <- s * so$weights[ev]
    dimnames(s) <- list(format(so$stop[ev], trim = TRUE), nm)
    return(s)
  }
  v <- object$naive_var
  v[is.na(v)] <- 0
  rr <- switch(type,
    martingale = , deviance = , partial = unsort(so$status - r$expected),
    score = unsort(r$score),
    dfbeta = unsort(r$score) %*% v,
    dfbetas = {
      d <- sqrt(diag(v))
      # NA for aliased coefficients (NaN in residuals.coxph)
      unsort(r$score) %*% v %*% diag(ifelse(d > 0, 1 / d, NA_real_),
                                     nrow = length(d))
    })
  if (is.matrix(rr)) colnames(rr) <- nm
  if (weighted) rr <- rr * object$weights
  rr <- pad_excluded(object, rr)
  status <- if (type == "deviance") pad_excluded(object, object$y[, "status"])
  if (type == "partial") {
    rr <- rr + predict.cs_cox(object, type = "terms")
  }
  if (!is.null(collapse)) {
    n <- NROW(rr)
    if (length(collapse) != n || anyNA(collapse)) {
      cs_abort("`collapse` must have one non-missing value per row of the ",
               "residuals (", n, "); it has ", length(collapse), " values",
               if (anyNA(collapse)) " with missing ones", ".",
               arg = "collapse")
    }
    rr <- rowsum(rr, collapse)
    if (!is.matrix(rr) || type %in% c("martingale", "deviance")) {
      rr <- stats::setNames(drop(rr), rownames(rr))
    }
    if (type == "deviance") status <- drop(rowsum(status, collapse))
  }
  if (type == "deviance") {
    rr <- sign(rr) * sqrt(-2 * (rr + ifelse(status == 0, 0,
                                            status * log(status - rr))))
  }
  if (type == "partial") attr(rr, "constant") <- NULL
  rr
}

# Scaled Schoenfeld residuals: r V d + b (residuals.coxph's "scaledsch"),
# r the Schoenfeld residuals (times the weights when `weighted`), V the
# model-based variance (0 for aliased columns), d the number of events, b
# the coefficients (0 where aliased).
scaled_schoenfeld <- function(object, weighted = FALSE) {
  r <- residuals.cs_cox(object, type = "schoenfeld", weighted = weighted)
  v <- object$naive_var
  v[is.na(v)] <- 0
  b <- object$coefficients
  b[is.na(b)] <- 0
  out <- r %*% v * object$n_event + rep(b, each = nrow(r))
  dimnames(out) <- dimnames(r)
  out
}

#' Baseline cumulative hazard of a Cox model
#'
#' The Breslow (or, for an Efron fit, the Efron-corrected) estimate of the
#' cumulative baseline hazard in each stratum, at every distinct time.
#'
#' @param fit A `cs_cox` fit from [cox()].
#' @param centered `TRUE` (the default, as `survival::basehaz`) for the
#'   hazard of a subject at the covariate means `fit$means`; `FALSE` for a
#'   subject with all covariates zero.
#' @returns A data frame with columns `strata, time, n_risk, n_event,
#'   hazard` (the cumulative hazard at `time`) and `surv` = exp(-hazard).
#' @references
#' Breslow NE (1974). Covariance analysis of censored survival data.
#' *Biometrics* 30, 89-99.
#' @examples
#' library(survival)
#' fit <- cox(Surv(time, status) ~ age + strata(sex), data = lung)
#' head(baseline_hazard(fit))
#' @export
baseline_hazard <- function(fit, centered = TRUE) {
  check_cox(fit)
  refuse_expanded(fit, "baseline_hazard()", "fit")
  check_flag(centered, "centered")
  so <- cox_sorted(fit)
  b <- fit$coefficients
  b[is.na(b)] <- 0
  eta <- so$eta - fit$offset_mean - if (centered) sum(b * fit$means) else 0
  r <- cpp_cox_basehaz(so, fit$ties == "efron", eta)
  lev <- if (is.null(fit$strata)) "all" else fit$strata
  h <- stats::ave(r$hazard, r$strata, FUN = cumsum)
  data.frame(strata = factor(lev[r$strata + 1L], levels = lev),
             time = r$time, n_risk = r$n_risk, n_event = r$n_event,
             hazard = h, surv = exp(-h))
}

# Per-row results of the rows that took part in the fit, placed on the rows
# of the model frame (NA at rows of weight zero, which took no part), then,
# with na.action = na.exclude, on the rows of the data (NA at the excluded
# rows, as residuals.coxph and predict.coxph do). `v` is a vector or a
# matrix with one row per row used; `used_rows = FALSE` when `v` already
# has one value per row of the model frame.
pad_excluded <- function(fit, v, used_rows = TRUE) {
  if (used_rows && !is.null(fit$used)) {
    if (is.matrix(v)) {
      out <- matrix(NA_real_, fit$n_frame, ncol(v),
                    dimnames = list(NULL, colnames(v)))
      out[fit$used, ] <- v
    } else {
      out <- rep(NA_real_, fit$n_frame)
      out[fit$used] <- v
    }
    v <- out
  }
  if (inherits(fit$na_action, "exclude")) {
    stats::naresid(fit$na_action, v)
  } else {
    v
  }
}
