# gray_test(): Gray's K-sample test of equal cumulative incidence --------

#' Gray's test of equal cumulative incidence
#'
#' Compares the cumulative incidence functions of each cause between
#' groups by Gray's (1988) K-sample test, optionally stratified, as
#' `cmprsk::cuminc()` does (its `Tests`).
#'
#' @param formula A formula `Surv(time, event) ~ group`, with `event` a
#'   factor whose first level is censoring and the others the causes (as
#'   in [cif()]); the groups are the combinations of the right-hand-side
#'   variables other than `strata()` terms, and `strata()` terms stratify
#'   the test.
#' @param data A data frame holding the variables of `formula` and
#'   `subset`.
#' @param subset Optional expression saying which rows of `data` to use.
#' @param na.action What to do with rows holding missing values; the
#'   default, [stats::na.omit()], drops them.
#' @param rho The power of the weight function (1 - F(t-))^rho, F the
#'   cumulative incidence of the cause in the pooled sample; a single
#'   finite number (0, the default, as `cuminc()`).
#' @param timefix `FALSE` (the default, as `cmprsk`) to use the times as
#'   given; `TRUE` to merge times that differ by less than
#'   `sqrt(.Machine$double.eps)` as `survival::aeqSurv()` does.
#' @param weights Not supported: Gray's test takes no case weights (as
#'   `cmprsk::cuminc()`); giving them is an error.
#'
#' @details
#' For each cause with at least one event, the score compares the
#' observed events of that cause in each group with those expected under
#' equal subdistribution hazards, each group's risk set reweighted by its
#' Kaplan-Meier estimate of being event-free and its cumulative incidence,
#' and weighted by (1 - F(t-))^rho; its variance comes from the
#' asymptotic representation in Gray (1988). The statistic is
#' score' V^-1 score on the first K - 1 groups, chi-square with K - 1
#' degrees of freedom. With `strata()`, scores and variances are summed
#' over strata. Where V is singular, `cuminc()` reports -1; `gray_test()`
#' reports `NA` with a warning.
#'
#' The test takes no case weights and right-censored data only.
#'
#' @returns An object of class `cs_gray_test`, a list with `tests`, a data
#'   frame with one row per cause: `cause, statistic, df, p_value`; `groups`
#'   (the group labels, the last the reference of the scores), `scores` (a
#'   list per cause with `score` and `variance`), `rho`, `strata_vars`,
#'   `n_dropped` and `call`.
#'
#' @references
#' Gray RJ (1988). A class of K-sample tests for comparing the cumulative
#' incidence of a competing risk. *Annals of Statistics* 16, 1141-1154.
#'
#' @seealso [cif()] for the curves being compared.
#' @examples
#' library(survival)
#' d <- mgus2
#' d$etime <- ifelse(d$pstat == 1, d$ptime, d$futime)
#' d$event <- factor(ifelse(d$pstat == 1, 1, 2 * d$death), 0:2,
#'                   c("censor", "pcm", "death"))
#' gray_test(Surv(etime, event) ~ sex, data = d)
#' @export
gray_test <- function(formula, data, subset, na.action = stats::na.omit,
                      rho = 0, timefix = FALSE, weights = NULL) {
  if (!missing(weights)) {
    cs_abort("`weights`: gray_test() takes no case weights (nor does ",
             "cmprsk::cuminc()).", arg = "weights")
  }
  if (!is.numeric(rho) || length(rho) != 1L || is.na(rho) ||
      !is.finite(rho)) {
    cs_abort("`rho` must be a single finite number.", arg = "rho")
  }
  check_flag(timefix, "timefix")
  mcall <- match.call(expand.dots = FALSE)
  sf <- surv_frame(mcall, parent.frame(), fun = "gray_test", mstate = TRUE)
  if (sf$type != "right") {
    cs_abort("`formula`: gray_test() takes right-censored Surv(time, event) ",
             "data; delayed entry (Surv(start, stop, event)) is not ",
             "supported.", arg = "formula")
  }
  gvars <- grouping_terms(sf, "gray_test", strata = FALSE)
  if (!length(gvars)) {
    cs_abort("`formula` has no grouping variable, so there is nothing to ",
             "compare; give one on the right-hand side, as in ",
             "Surv(time, event) ~ group.", arg = "formula")
  }
  group <- combine_factors(sf$mf[gvars])
  if (nlevels(group) < 2L) {
    cs_abort("`formula`: the grouping variable has only one group (",
             levels(group), ") in the rows used; at least two are needed.",
             arg = "formula")
  }
  sp <- split_strata(sf$mf, sf$terms)
  sd <- new_surv_data(sf$y, sp$strata, NULL, timefix = timefix)
  status <- sd$status
  causes <- which(tabulate(as.integer(status), length(sf$states)) > 0L)
  if (!length(causes)) {
    cs_abort("`formula`: no events of any cause in the rows used, so ",
             "there is nothing to test.", arg = "formula")
  }
  ng <- nlevels(group)
  scores <- list()
  stat <- numeric(length(causes))
  for (i in seq_along(causes)) {
    sc <- cpp_gray_test(sd, as.integer(group) - 1L, ng, causes[i], rho)
    scores[[sf$states[causes[i]]]] <- sc
    stat[i] <- gray_statistic(sc$score, sc$variance, sf$states[causes[i]])
  }
  tests <- data.frame(cause = sf$states[causes], statistic = stat,
                      df = ng - 1L,
                      p_value = stats::pchisq(stat, ng - 1L,
                                              lower.tail = FALSE))
  structure(list(tests = tests, groups = levels(group), scores = scores,
                 rho = rho, strata_vars = sp$strata_vars,
                 n_dropped = sf$n_dropped, call = match.call()),
            class = "cs_gray_test")
}

# score' V^-1 score, NA (with a warning) when V is singular.
gray_statistic <- function(u, v, cause) {
  q <- qr(v)
  if (q$rank < ncol(v)) {
    cs_warn("Gray's test for cause \"", cause, "\": the variance matrix ",
            "is singular, so the statistic is NA.",
            class = "cohortsurv_warning_singular")
    return(NA_real_)
  }
  drop(crossprod(u, qr.coef(q, u)))
}

#' @rdname gray_test
#' @param x A `cs_gray_test` object.
#' @param ... Ignored.
#' @export
print.cs_gray_test <- function(x, ...) {
  if (!is.null(x$call)) {
    cat("Call: ")
    dput(x$call)
    cat("\n")
  }
  cat("Gray's test of equal cumulative incidence (rho = ", x$rho, ")",
      if (length(x$strata_vars)) paste0(", stratified by ",
                                         paste(x$strata_vars,
                                               collapse = ", ")),
      "\nGroups: ", paste(x$groups, collapse = ", "), "\n\n", sep = "")
  tab <- x$tests
  out <- data.frame(cause = tab$cause,
                    statistic = formatC(tab$statistic, format = "f",
                                        digits = 3),
                    df = tab$df, p_value = format_p(tab$p_value))
  print(out, row.names = FALSE, right = TRUE)
  invisible(x)
}
