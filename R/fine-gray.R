#' Fine-Gray subdistribution hazards regression for competing risks
#'
#' Fits the proportional subdistribution hazards model of Fine and Gray
#' (1999) for one cause of failure in the presence of competing events: a
#' Cox model for the hazard of the cumulative incidence function of
#' `cause`. As in `survival::finegray()`, subjects who fail from a
#' competing cause stay in the risk set after their failure with a weight
#' that decays as the censoring distribution, G(t) / G(t_i), G the
#' Kaplan-Meier estimate of the censoring distribution; the weighted
#' counting-process data are fitted by the Cox engine of [cox()].
#'
#' @param formula A formula `Surv(time, event) ~ terms`, with `event` a
#'   factor whose first level means censoring and whose other levels are
#'   the causes of failure (survival's multi-state convention). Add
#'   `+ strata(s)` for a separate censoring distribution and a separate
#'   baseline subdistribution hazard in each level of `s`.
#' @param data A data frame holding the variables of `formula`, `weights`
#'   and `subset`.
#' @param cause The cause of interest, one of the non-censoring levels of
#'   `event`; by default the first of them.
#' @param weights Optional case weights (a column of `data` or a vector),
#'   multiplied into the censoring weights as `finegray()` does; the
#'   censoring distribution itself is estimated without them, as in
#'   `finegray()`.
#' @param subset Optional expression saying which rows of `data` to use.
#' @param na.action What to do with rows holding missing values; the
#'   default [stats::na.omit()] drops them before anything is estimated
#'   (so the censoring distribution is that of the complete rows, as in
#'   `cmprsk::crr()`; `finegray()`'s default, `na.pass`, keeps them for the
#'   censoring distribution).
#' @param ties `"efron"` (the default) or `"breslow"`.
#' @param robust `TRUE` (the default) for the robust (sandwich) variance
#'   clustered by subject (one cluster per row of `data`, over its expanded
#'   rows); `FALSE` for the model-based variance of the weighted fit.
#' @param init,control Starting values and settings of the iteration, as in
#'   [cox()].
#' @param timefix `TRUE` (the default, as `finegray()`) to merge nearly equal
#'   times first, as `survival::aeqSurv()` does.
#' @param ... `coxph`'s name `method` is accepted for `ties`; any other
#'   argument is refused.
#'
#' @details
#' **The expanded data.** For each stratum with at least one failure from
#' `cause` (strata without one contribute nothing): a row failing from
#' `cause` or censored is kept as it is (from time 0, weight 1); a row
#' failing from a competing cause is extended to the end of the censoring
#' interval holding its failure time, with weight 1, then given one more
#' row for each later interval between censoring times that holds a
#' failure from `cause`, with weight G(start of the interval) / G(start of
#' its first interval). Censorings at a failure time count as after it.
#' These are exactly the rows, times and weights of `survival::finegray()`
#' (its C routine), so that the fit equals
#' `coxph(Surv(fgstart, fgstop, fgstatus) ~ terms, weights = fgwt,
#' cluster = id)` on `finegray()`'s output.
#'
#' **Variance.** By default the robust variance clustered by subject, which
#' is the Fine-Gray sandwich without the term for the estimation of G:
#' `cmprsk::crr()` adds that term, so its standard errors differ slightly
#' (in the tests by 0.1% on simulated untied data, 0.6% on survival's
#' `mgus2`). The coefficients equal `crr()`'s on untied data (to 1e-8 in
#' the tests, both iterated to tight convergence) and differ slightly with
#' tied times (0.2% on `mgus2`, monthly times), where `crr()` handles ties
#' its own way. `coxph` on `finegray()` data without `cluster` makes each
#' expanded row its own cluster; that variance is not offered here. The
#' likelihood-ratio and score tests of a weighted fit are not valid
#' chi-square tests; use the Wald tests of [hr_table()].
#'
#' **Methods.** `print()`, `summary()`, [hr_table()], `coef()`, `vcov()`,
#' `confint()` work as for [cox()] fits. `predict()`, `residuals()`,
#' `baseline_hazard()`, `ph_test()` and `anova()` refuse a Fine-Gray fit:
#' they would describe the expanded, weighted rows rather than the rows
#' given.
#'
#' @returns An object of class `cs_cox` (see [cox()]) with `n` the rows
#'   used before expansion, `n_event` the failures from `cause`, and a
#'   `fine_gray` element: `cause`, `censor` (the censoring level),
#'   `competing` (the other causes), `n_rows` (expanded rows), `robust`.
#' @references
#' Fine JP, Gray RJ (1999). A proportional hazards model for the
#' subdistribution of a competing risk. *Journal of the American
#' Statistical Association* 94, 496-509.
#'
#' Geskus RB (2011). Cause-specific cumulative incidence estimation and the
#' Fine and Gray model under both left truncation and right censoring.
#' *Biometrics* 67, 39-49.
#' @seealso [cox()]; `survival::finegray()`, `cmprsk::crr()`.
#' @examples
#' library(survival)
#' d <- mgus2
#' d$etime <- with(d, ifelse(pstat == 0, futime, ptime))
#' d$event <- with(d, factor(ifelse(pstat == 0, 2 * death, 1), 0:2,
#'                           c("censor", "pcm", "death")))
#' fit <- fine_gray(Surv(etime, event) ~ age + sex, data = d, cause = "pcm")
#' fit
#' hr_table(fit)
#' @export
fine_gray <- function(formula, data, cause = NULL, weights = NULL, subset,
                      na.action = stats::na.omit,
                      ties = c("efron", "breslow"), robust = TRUE,
                      init = NULL, control = cox_control(), timefix = TRUE,
                      ...) {
  dots <- survival_args(match.call(expand.dots = FALSE)$..., parent.frame(),
                        "fine_gray", c(method = "ties"),
                        given = c(ties = !missing(ties)))
  if (!is.null(dots$ties)) ties <- dots$ties
  ties <- arg_choice(ties, "ties", c("efron", "breslow"))
  check_flag(robust, "robust")
  check_flag(timefix, "timefix")
  check_control(control)
  if (missing(data) || !is.data.frame(data)) {
    cs_abort("`data` must be a data frame.", arg = "data")
  }
  env <- parent.frame()
  ev <- fg_response(formula, data, env)
  causes <- levels(ev$event)[-1L]
  cause <- fg_cause(cause, causes)
  # the frame: the response as Surv(time, any failure), the failure code
  # carried through subset and na.action as an extra per-row argument
  data2 <- as.data.frame(data)
  data2[[".cs_fg_code"]] <- as.integer(ev$event) - 1L
  data2[[".cs_fg_status"]] <- as.integer(ev$event != levels(ev$event)[1L])
  mcall <- match.call(expand.dots = FALSE)
  mcall$formula <- fg_formula(formula, ev, data)
  mcall$data <- data2
  mcall$cause <- mcall$... <- NULL
  mcall$fg_code <- as.name(".cs_fg_code")
  sf <- surv_frame(mcall, env, fun = "fine_gray", extras = "fg_code")
  sp <- split_strata(sf$mf, sf$terms)
  trm <- sp$terms
  attr(trm, "intercept") <- 1L
  x <- cox_design(trm, sf$mf)
  offset <- stats::model.offset(sf$mf)
  y <- sf$y
  if (timefix) y <- time_fix(y)
  code <- as.integer(sf$extras$fg_code)
  enum <- match(cause, causes)
  strata <- if (is.null(sp$strata)) rep.int(1L, nrow(y)) else
    as.integer(sp$strata)
  ex <- fg_index(y[, 1L], code, enum, strata)
  if (!length(ex$row)) {
    cs_abort("there is no failure from cause \"", cause, "\" in the rows ",
             "used, so its model cannot be fitted.", arg = "cause")
  }
  w <- ex$wt * if (is.null(sf$weights)) 1 else sf$weights[ex$row]
  fit <- cox_engine(
    x = x[ex$row, , drop = FALSE],
    y = cbind(start = ex$start, stop = ex$stop, status = ex$status),
    strata = if (!is.null(sp$strata)) sp$strata[ex$row],
    weights = w, offset = if (!is.null(offset)) offset[ex$row],
    ties = ties, robust = robust, cluster = if (robust) ex$row,
    init = init, control = control, timefix = FALSE)
  fit$terms <- trm
  fit$xlevels <- stats::.getXlevels(trm, sf$mf)
  fit$contrasts <- attr(x, "contrasts")
  fit$assign <- attr(x, "assign")
  fit$strata_vars <- sp$strata_vars
  fit$drop_terms <- integer()
  fit$frame_terms <- sf$terms
  fit$n_dropped <- sf$n_dropped
  fit$formula <- formula
  fit$call <- match.call()
  fit$n <- nrow(y)
  fit$strata <- if (!is.null(sp$strata)) levels(sp$strata)
  fit$fine_gray <- list(cause = cause, censor = levels(ev$event)[1L],
                        competing = setdiff(causes, cause),
                        n_rows = length(ex$row), row = ex$row,
                        robust = robust, na_action = sf$na_action)
  fit
}

# The Surv(time, event) response of `formula`, evaluated in `data`: the
# expressions and the event factor. Only right-censored data.
fg_response <- function(formula, data, env) {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    cs_abort("`formula` must be a two-sided formula such as ",
             "Surv(time, event) ~ x.", arg = "formula")
  }
  lhs <- formula[[2L]]
  if (is.call(lhs) && is.call(lhs[[1L]]) &&
      identical(lhs[[1L]][[1L]], as.name("::"))) lhs[[1L]] <- lhs[[1L]][[3L]]
  if (!is.call(lhs) || !identical(lhs[[1L]], as.name("Surv"))) {
    cs_abort("`formula` must have a Surv(time, event) response.",
             arg = "formula")
  }
  m <- match.call(survival::Surv, lhs)
  a <- as.list(m)[-1L]
  if (!is.null(a$time2) && !is.null(a$event)) {
    cs_abort("`formula`: fine_gray() takes right-censored data, ",
             "Surv(time, event); (start, stop] data are not supported.",
             arg = "formula")
  }
  st <- if (!is.null(a$event)) a$event else a$time2
  if (is.null(a$time) || is.null(st) || length(a) != 2L) {
    cs_abort("`formula` must have a Surv(time, event) response with ",
             "`event` a factor.", arg = "formula")
  }
  fenv <- environment(formula)
  if (is.null(fenv)) fenv <- env
  event <- eval(st, data, fenv)
  if (!is.factor(event)) {
    cs_abort("`formula`: the event `", deparse1(st), "` must be a factor ",
             "whose first level is censoring and whose other levels are ",
             "the causes; it is ", class(event)[1L], ".", arg = "formula")
  }
  if (nlevels(event) < 2L) {
    cs_abort("`formula`: the event `", deparse1(st), "` must have a ",
             "censoring level (its first) and at least one cause; it has ",
             "the levels ", paste0("\"", levels(event), "\"",
                                   collapse = ", "), ".", arg = "formula")
  }
  if (length(event) != nrow(data)) {
    cs_abort("`formula`: the event `", deparse1(st), "` must have one ",
             "value per row of `data`.", arg = "formula")
  }
  list(time = a$time, status = st, event = event)
}

# `cause` checked: one of `causes` (default the first).
fg_cause <- function(cause, causes) {
  if (is.null(cause)) return(causes[1L])
  if (is.factor(cause)) cause <- as.character(cause)
  if (!is.character(cause) || length(cause) != 1L || is.na(cause) ||
      !cause %in% causes) {
    cs_abort("`cause` must be one of the causes of failure (the levels of ",
             "the event after the first, censoring): ",
             paste0("\"", causes, "\"", collapse = ", "), ".", arg = "cause")
  }
  cause
}

# The formula the frame is built from: Surv(time, .cs_fg_status) ~ the
# right-hand side (a `.` expanded against `data` first).
fg_formula <- function(formula, ev, data) {
  out <- formula
  if ("." %in% all.vars(formula[[3L]])) {
    out <- stats::formula(stats::terms(formula, data = data))
  }
  out[[2L]] <- call("Surv", ev$time, as.name(".cs_fg_status"))
  environment(out) <- environment(formula)
  out
}

# The rows of survival::finegray() (its C routine finegray): `time` the
# event or censoring times, `code` 0 (censored) or the cause number,
# `enum` the cause of interest, `strata` integer codes. Within each
# stratum with a failure from `enum`, every row (in the given order) then
# its added pieces; strata in increasing code. Returns list(row, start,
# stop, status, wt).
fg_index <- function(time, code, enum, strata) {
  zero <- if (min(time) > 0) 0 else 2 * min(time) - 1
  parts <- lapply(sort(unique(strata)), function(s) {
    rows <- which(strata == s)
    fg_index1(time[rows], code[rows], enum, rows, zero)
  })
  parts <- parts[!vapply(parts, is.null, logical(1))]
  out <- lapply(c("row", "start", "stop", "status", "wt"), function(nm)
    unlist(lapply(parts, `[[`, nm), use.names = FALSE))
  names(out) <- c("row", "start", "stop", "status", "wt")
  out
}

# fg_index() within one stratum (`rows` the row numbers of its rows).
fg_index1 <- function(tm, code, enum, rows, zero) {
  et <- sort(unique(tm[code == enum]))
  if (!length(et)) return(NULL)
  # Kaplan-Meier of the censoring distribution, failures before censorings
  # at a tied time
  cens <- code == 0L
  ct <- sort(unique(tm[cens]))
  d <- tabulate(match(tm[cens], ct), length(ct))
  # at risk at c: time > c, or censored at c
  n_after <- length(tm) - findInterval(ct, sort(tm))
  g <- cumprod(1 - d / (n_after + d))
  ct2 <- c(ct, max(tm))
  cp2 <- c(1, g)
  kept <- sort(unique(findInterval(et, ct2, left.open = TRUE)))
  kept <- kept[kept > 0L]
  expand <- code != 0L & code != enum
  j0 <- findInterval(tm, ct2, left.open = TRUE) + 1L
  n_add <- integer(length(tm))
  before <- findInterval(j0 - 1L, kept)           # kept intervals < j0
  n_add[expand] <- (length(kept) - before)[expand]
  row <- rep.int(seq_along(tm), n_add + 1L)
  first <- cumsum(c(1L, n_add[-length(n_add)] + 1L))
  p <- seq_along(row) - first[row]                 # 0: the row itself
  jc <- kept[pmax(before[row] + p, 1L)]            # its interval, p > 0
  add <- p > 0L
  ext <- expand[row] & !add
  start <- ifelse(add, ct2[jc], zero)
  stop <- ifelse(add, ct2[pmin(jc + 1L, length(ct2))],
                 ifelse(ext, ct2[pmin(j0[row], length(ct2))], tm[row]))
  wt <- ifelse(add, cp2[pmin(jc + 1L, length(cp2))] / cp2[j0[row]], 1)
  list(row = rows[row], start = start, stop = stop,
       status = as.double(!add & code[row] == enum), wt = wt)
}

# The lines print.cs_cox() adds for a Fine-Gray fit.
fine_gray_note <- function(x) {
  fg <- x$fine_gray
  cat("Fine-Gray subdistribution hazards model for cause \"", fg$cause,
      "\"\n  (censoring: \"", fg$censor, "\"", if (length(fg$competing))
        paste0("; competing: ", paste0("\"", fg$competing, "\"",
                                       collapse = ", ")), ")\n",
      "  fitted to ", fg$n_rows, " weighted rows; ",
      if (fg$robust) "robust variance clustered by subject" else
        "model-based variance", ".\n",
      "  The Wald test is shown: the likelihood-ratio statistic of a ",
      "weighted fit is not a chi-square.\n", sep = "")
  invisible(x)
}
