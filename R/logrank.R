#' Log-rank and weighted log-rank tests
#'
#' Compares the survival of two or more groups with the log-rank test or one
#' of its weighted relatives (Fleming-Harrington G(rho, gamma), Gehan-Breslow,
#' Tarone-Ware), optionally stratified, with the 1-df test for trend over
#' ordered groups and pairwise comparisons. The arithmetic runs in C++ in one
#' pass per stratum over data sorted once.
#'
#' @param formula A formula with a [survival::Surv()] response on the left
#'   and the grouping variables on the right: `Surv(time, status) ~ group`,
#'   or `~ g1 + g2` to compare every combination of `g1` and `g2`. Add
#'   `+ strata(s1, s2)` for a stratified test. `Surv(start, stop, status)`
#'   (delayed entry) is accepted too; see Details.
#' @param data A data frame (a tibble or data.table works too) holding the
#'   variables of `formula` and `subset`.
#'   Or a table in a database (a dbplyr table or [db_table()]): the fit then
#'   runs inside the database and fetches only aggregates
#'   (`vignette("database")`).
#' @param subset Optional expression saying which rows of `data` to use.
#' @param na.action What to do with rows holding missing values; the default,
#'   [stats::na.omit()], drops them and `print()` reports how many.
#' @param test The weight function: `"fh"` (the default) for the
#'   Fleming-Harrington family G(rho, gamma), whose default rho = gamma = 0 is
#'   the log-rank test; `"gehan"` for the Gehan-Breslow generalized Wilcoxon
#'   test (weight n(t), the number at risk); `"tarone-ware"` for the
#'   Tarone-Ware test (weight sqrt(n(t))).
#' @param rho,gamma The exponents of the Fleming-Harrington weight
#'   S(t-)^rho (1 - S(t-))^gamma, single finite non-negative numbers, used
#'   only with `test = "fh"`. `rho = 1, gamma = 0` is the Peto-Peto test of
#'   `survival::survdiff(rho = 1)`; `rho = 0, gamma = 1` weights late
#'   differences.
#' @param trend If `TRUE`, add the 1-df test for a trend over the groups
#'   taken in order (the order of the factor levels, or of the combinations
#'   as printed).
#' @param scores The group scores of the trend test, one finite number per
#'   group in level order, not all equal; `NULL` (the default) for 1, 2, ...,
#'   k. Giving `scores` implies `trend = TRUE`.
#' @param pairwise If `TRUE`, also test every pair of groups, each on the
#'   rows of its two groups only (so the pooled Kaplan-Meier estimate of the
#'   Fleming-Harrington weight is that of the pair), with p-values adjusted
#'   for multiplicity.
#' @param p_adjust The adjustment of the pairwise p-values, one of
#'   [stats::p.adjust.methods] (`"holm"` by default, `"none"` for none).
#' @param timefix `TRUE` (the default, as `survdiff`) to treat times that
#'   differ by less than `sqrt(.Machine$double.eps)` (absolutely, or
#'   relative to the mean time) as equal, as `survival::aeqSurv()` does;
#'   `FALSE` to use the times as given.
#'
#' @details
#' At each distinct death time t of a stratum, with d deaths among n at
#' risk, n_g of them in group g, and weight w(t), the test adds
#' w d_g to the observed and w d n_g / n to the expected count of group g,
#' and w^2 d (n - d) / (n - 1) times the hypergeometric covariance
#' (n_g / n)(`1[g = h]` - n_h / n) to the covariance V of O - E. Per-stratum
#' sums are added over strata, and the statistic is
#' (O - E)' V^- (O - E) on k - 1 degrees of freedom, the groups with no
#' expected deaths left out as `survdiff` does. A stratum holding one group
#' only contributes nothing. When V has lower rank (groups that never share a
#' risk set), a generalized inverse is used and the degrees of freedom are
#' its rank.
#'
#' S(t-) in the Fleming-Harrington weight is the left-continuous
#' Kaplan-Meier estimate of the pooled data of the stratum, exactly as in
#' `survdiff`. Hence `observed` and `expected` are weighted sums for a
#' weighted test (as in `survdiff`); `events` is the plain count of deaths.
#'
#' The trend test is (s'U)^2 / (s'Vs) on 1 degree of freedom, U = O - E and
#' s the scores (Collett 2015, section 2.7; Stata's `sts test, trend`).
#'
#' Delayed entry: with `Surv(start, stop, status)` a row is at risk at t when
#' start < t <= stop, and S(t-) is the left-truncated Kaplan-Meier estimate.
#' (`survdiff` refuses such data; the results equal those of the
#' right-censored data whenever the intervals only split each subject's
#' follow-up, and for rho = 0 the score test of
#' `coxph(ties = "exact")`.) `n` then counts rows, not subjects.
#'
#' There is no `weights` argument: the tests are defined for counts, and
#' `survdiff` has none. Nearly equal times are merged first, as `survdiff`
#' does (`timefix = TRUE`, see `survival::aeqSurv()`).
#'
#' @section Memory:
#' Beyond the data themselves, a call on 10^6 rows (three groups, four
#' strata) peaks at about 33 bytes per row of resident memory (35 of R
#' heap), against 176 (229) for `survdiff` (`inst/bench/memory.R`, a fresh
#' R process per call). Row indices are 64-bit in
#' C++, but the sort order travels from R as an integer vector, so one fit
#' takes at most 2^31 - 1 rows; at most one sort order of the rows is made
#' (none for whole-number times on a modest grid).
#'
#' @returns An object of class `cs_logrank`, a list with
#'   \describe{
#'     \item{groups}{a data frame with one row per group: `group, n, events,
#'       observed, expected, o_minus_e, variance` (`variance` is the diagonal
#'       of V).}
#'     \item{variance}{the k x k covariance matrix V of O - E.}
#'     \item{statistic, df, p_value}{the chi-square statistic, its degrees of
#'       freedom and p-value.}
#'     \item{method}{a sentence naming the test and its weights.}
#'     \item{by_stratum}{for a stratified test, a data frame with one row per
#'       stratum and group: `stratum, group, n, events, observed, expected`.}
#'     \item{trend}{when asked, a one-row data frame `statistic, df, p_value`
#'       with the scores in attribute `scores`.}
#'     \item{pairwise}{when asked, a data frame with one row per pair:
#'       `group1, group2, statistic, df, p_value, p_adjusted`.}
#'   }
#'   and the settings used (`test`, `rho`, `gamma`, `p_adjust`, `type`,
#'   `n_dropped`, `call`).
#'
#' @references
#' Mantel N (1966). Evaluation of survival data and two new rank order
#' statistics arising in its consideration. *Cancer Chemotherapy Reports*
#' 50, 163-170.
#'
#' Peto R, Peto J (1972). Asymptotically efficient rank invariant test
#' procedures. *Journal of the Royal Statistical Society A* 135, 185-207.
#'
#' Gehan EA (1965). A generalized Wilcoxon test for comparing arbitrarily
#' singly-censored samples. *Biometrika* 52, 203-223.
#'
#' Tarone RE, Ware J (1977). On distribution-free tests for equality of
#' survival distributions. *Biometrika* 64, 156-160.
#'
#' Harrington DP, Fleming TR (1982). A class of rank test procedures for
#' censored survival data. *Biometrika* 69, 553-566.
#'
#' Collett D (2015). *Modelling Survival Data in Medical Research*, 3rd ed.
#' Chapman and Hall/CRC.
#'
#' @seealso [logrank_fit()] for the vector-level fitter, [km()] for the
#'   curves being compared.
#'
#' @examples
#' library(survival)
#' logrank(Surv(time, status) ~ sex, data = lung)
#'
#' # Peto-Peto, stratified by ECOG performance status
#' logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = lung, rho = 1)
#'
#' # an ordered factor: overall, trend and pairwise tests
#' fit <- logrank(Surv(time, status) ~ ph.ecog, data = lung,
#'                subset = ph.ecog < 3, trend = TRUE, pairwise = TRUE)
#' fit
#' fit$groups
#' fit$pairwise
#' @export
logrank <- function(formula, data, subset, na.action = stats::na.omit,
                    test = c("fh", "gehan", "tarone-ware"), rho = 0,
                    gamma = 0, trend = FALSE, scores = NULL,
                    pairwise = FALSE, p_adjust = "holm", timefix = TRUE) {
  if (!missing(data) && is_db_data(data)) {
    return(db_dispatch("logrank", match.call(), parent.frame()))
  }
  test <- arg_choice(test, "test", c("fh", "gehan", "tarone-ware"))
  check_flag(timefix, "timefix")
  if (!(identical(rho, 0) && identical(gamma, 0) && identical(trend, FALSE) &&
        identical(pairwise, FALSE) && identical(p_adjust, "holm"))) {
    check_logrank_options(test, rho, gamma, trend, pairwise, p_adjust)
  }
  # (logrank() has no `...`: this is also match.call(), the fit's call)
  mcall <- match.call(expand.dots = FALSE)
  sf <- surv_frame(mcall, parent.frame(), fun = "logrank")
  gvars <- grouping_terms(sf, "logrank", strata = FALSE)
  sp <- split_strata(sf$mf, sf$terms)
  if (!length(gvars)) {
    cs_abort("`formula` has no grouping variable, so there is nothing to ",
             "compare; give one on the right-hand side, as in ",
             "Surv(time, status) ~ group.", arg = "formula")
  }
  group <- combine_factors(new_frame(unclass(sf$mf)[gvars]))
  fit <- if (is.null(scores) && !trend && !pairwise) {
    logrank_fast(sf$y, NULL, group, sp$strata, test, rho, gamma, p_adjust,
                 timefix)
  }
  if (is.null(fit)) {
    fit <- logrank_engine(
      sf$y, group = group, strata = sp$strata, test = test, rho = rho,
      gamma = gamma, trend = trend, scores = scores, pairwise = pairwise,
      p_adjust = p_adjust, timefix = timefix
    )
  }
  fit$n_dropped <- sf$n_dropped
  fit$strata_vars <- sp$strata_vars
  fit$call <- mcall
  fit
}

check_logrank_options <- function(test, rho, gamma, trend, pairwise,
                                  p_adjust) {
  for (nm in c("rho", "gamma")) {
    x <- if (nm == "rho") rho else gamma
    if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) ||
        x < 0) {
      cs_abort("`", nm, "` must be a single finite non-negative number",
               if (is.numeric(x) && length(x) == 1L)
                 paste0("; it is ", fmt_value(x)), ".", arg = nm)
    }
  }
  if (test != "fh" && (rho != 0 || gamma != 0)) {
    cs_abort("`rho` and `gamma` apply only to test = \"fh\"; test = \"",
             test, "\" has its own weights.",
             arg = if (rho != 0) "rho" else "gamma")
  }
  check_flag(trend, "trend")
  check_flag(pairwise, "pairwise")
  if (!is.character(p_adjust) || length(p_adjust) != 1L || is.na(p_adjust) ||
      !p_adjust %in% stats::p.adjust.methods) {
    cs_abort("`p_adjust` must be one of ",
             paste0("\"", stats::p.adjust.methods, "\"", collapse = ", "),
             if (is.character(p_adjust) && length(p_adjust) == 1L)
               paste0("; it is \"", p_adjust, "\""), ".", arg = "p_adjust")
  }
  invisible(TRUE)
}

#' Log-rank tests from vectors
#'
#' The vector-level fitter behind [logrank()]: takes plain vectors, already
#' free of missing values. Without trend or pairwise tests, one C++ call
#' checks them, counts the rows per time, stratum and group (whole-number
#' times) or sorts them, and builds the result; otherwise they are sorted
#' once and passed to the C++ kernel.
#'
#' @param time Numeric vector of follow-up (stop) times, finite and
#'   non-negative.
#' @param status Numeric or logical vector of event indicators, 1 or `TRUE`
#'   for an event.
#' @param group A factor (or a vector coerced to one) saying which group each
#'   row belongs to; at least two groups must be present.
#' @param strata Optional factor (or vector coerced to one) of strata; `NULL`
#'   for an unstratified test.
#' @param start Optional entry times for left-truncated data, each below its
#'   `time`; `NULL` for right-censored data.
#' @inheritParams logrank
#' @returns An object of class `cs_logrank`, as described in [logrank()].
#' @examples
#' logrank_fit(time = c(3, 5, 7, 2, 4, 8, 9), status = c(1, 1, 0, 1, 1, 1, 0),
#'             group = c("a", "a", "a", "b", "b", "b", "b"))
#' @export
logrank_fit <- function(time, status, group, strata = NULL, start = NULL,
                        test = "fh", rho = 0, gamma = 0, trend = FALSE,
                        scores = NULL, pairwise = FALSE, p_adjust = "holm") {
  # the default settings need no checks (a loop over 600 rows costs less
  # than checking them)
  if (!identical(test, "fh")) {
    test <- arg_choice(test, "test", c("fh", "gehan", "tarone-ware"))
  }
  if (!(identical(rho, 0) && identical(gamma, 0) && identical(trend, FALSE) &&
        identical(pairwise, FALSE) && identical(p_adjust, "holm"))) {
    check_logrank_options(test, rho, gamma, trend, pairwise, p_adjust)
  }
  if (is.null(start) && is.null(scores) && !trend && !pairwise &&
      !missing(group)) {
    fit <- logrank_fast(time, status, group, strata, test, rho, gamma,
                        p_adjust, timefix = FALSE)
    if (!is.null(fit)) {
      fit$call <- match.call()
      return(fit)
    }
  }
  n <- length(time)
  if (!clean_fit_vectors(time, status, start, strata, n)) {
    check_fit_vectors(time, status, NULL, start, strata, n)
  }
  if (missing(group)) group <- NULL
  y <- if (is.null(start)) cbind(time, status) else
    cbind(start, time, status)
  fit <- logrank_engine(y, group, strata, test, rho, gamma, trend, scores,
                        pairwise, p_adjust)
  fit$call <- match.call()
  fit
}

# logrank_fit() after the checks of the survival vectors, which the formula
# interface has already made; `group` and `scores` are still checked here.
# `y` is the response matrix: (stop, status) or (start, stop, status).
logrank_engine <- function(y, group, strata, test, rho, gamma, trend, scores,
                           pairwise, p_adjust, timefix = FALSE) {
  group <- logrank_group(group, nrow(y))
  lev <- levels(group)
  k <- length(lev)
  scores <- logrank_scores(scores, lev)
  if (!is.null(scores)) trend <- TRUE
  sd <- new_surv_data(y, strata, timefix = timefix,
                      bins = list(cells = k, rule = bin_rules$logrank))
  sd$group <- as.integer(group) - 1L
  if (!is.null(sd$bins)) {
    # the kernel counts rows and deaths per stratum, time and group in one
    # pass: no sorting
    sd$bin <- as.integer(sd$stop - sd$bins$tmin)
  }
  wtype <- match(test, c("fh", "gehan", "tarone-ware")) - 1L
  res <- logrank_kernel(sd, NULL, k, wtype, rho, gamma)
  out <- logrank_overall(res, lev, sd, test, rho, gamma)
  if (trend) out$trend <- logrank_trend(out$groups, out$variance, scores)
  if (pairwise) {
    out$pairwise <- logrank_pairwise(sd, lev, wtype, rho, gamma, p_adjust)
  }
  if (sum(out$groups$events) == 0) {
    cs_warn("there are no events, so the groups cannot be compared; ",
            "the p-value is NA.", class = "cohortsurv_warning_no_events")
  }
  new_cs_logrank(
    c(out, list(test = test, rho = rho, gamma = gamma, p_adjust = p_adjust,
                type = if (sd$counting) "counting" else "right",
                n_dropped = 0L, strata_vars = character(),
                call = NULL))
  )
}

# The one-call path of logrank_fit() and logrank() (without trend, scores
# or pairwise tests): cpp_logrank_fit() checks the vectors in one pass,
# codes the group and strata, counts (or sorts) and builds the cs_logrank
# object of logrank_engine(), the same to the bit. `time` and `status` are
# vectors, or `time` the response matrix (time, status) and `status` NULL.
# Returns NULL for anything that path does not take (bad or missing
# values, one group, classed vectors, times that `timefix` would merge,
# large data needing a sort): the caller then takes logrank_engine(), whose
# checks name the problem.
logrank_fast <- function(time, status, group, strata, test, rho, gamma,
                         p_adjust, timefix) {
  if (is.character(group)) group <- fast_factor(group)
  if (is.character(strata)) strata <- fast_factor(strata)
  n <- if (is.null(status)) nrow(time) else length(time)
  rule <- bin_rules$logrank
  fit <- cpp_logrank_fit(
    time, status, group, strata,
    match(test, c("fh", "gehan", "tarone-ware")) - 1L, rho, gamma,
    c(min(max(rule$min_cells, rule$per_row * n), logrank_cells_per_row * n),
      logrank_max_sort, max(n, 65536),
      if (timefix) 1 / sqrt(.Machine$double.eps) else Inf),
    logrank_method(test, rho, gamma, !is.null(strata)),
    list(test = test, rho = rho, gamma = gamma, p_adjust = p_adjust,
         type = "right", n_dropped = 0L, strata_vars = character(),
         call = NULL)
  )
  if (!is.null(fit) && sum(fit$groups$events) == 0) {
    cs_warn("there are no events, so the groups cannot be compared; ",
            "the p-value is NA.", class = "cohortsurv_warning_no_events")
  }
  fit
}

# The limits of cpp_logrank_fit() for n rows, c(max_cells, max_sort,
# max_span, max_time), written out in logrank_fast(): counting per cell
# (time bin x stratum x group) when the times are whole numbers and the cells number at most bin_rule()'s
# limit and `logrank_cells_per_row` per row (at small n a sort of the rows
# is cheaper than scanning many empty cells); else sorting in C++ up to
# `logrank_max_sort` rows (beyond, logrank_engine()'s radix sort is
# faster); grouping vectors coded by counting over a span of at most
# max(n, 2^16) values; with `timefix`, only whole-number times below
# 1 / sqrt(eps), which time_fix() leaves as they are.
logrank_cells_per_row <- 16
logrank_max_sort <- 2.5e5

# `group` as a factor of the groups present, checked: one value per row
# (n), none missing, at least two groups.
logrank_group <- function(group, n) {
  if (is.null(group) || length(group) != n) {
    cs_abort("`group` must have one element per row (", n, ").",
             arg = "group")
  }
  if (anyNA(group)) {
    cs_abort("`group` must not contain missing values; ",
             first_bad(group, is.na(group)), ".", arg = "group")
  }
  group <- if (is.factor(group)) fast_droplevels(group) else
    fast_factor(group)
  lev <- levels(group)
  if (length(lev) < 2L) {
    cs_abort("`group` has a single group (", fmt_value(lev), "), so there ",
             "is nothing to compare; a log-rank test needs at least two.",
             arg = "group")
  }
  group
}

# The trend-test scores, checked against the group levels `lev` (NULL when
# not given).
logrank_scores <- function(scores, lev) {
  if (is.null(scores)) return(NULL)
  k <- length(lev)
  if (!is.numeric(scores) || length(scores) != k || anyNA(scores) ||
      any(!is.finite(scores))) {
    cs_abort("`scores` must be ", k, " finite numbers, one per group (",
             paste(lev, collapse = ", "), ").", arg = "scores")
  }
  if (length(unique(scores)) < 2L) {
    cs_abort("`scores` must not all be equal.", arg = "scores")
  }
  scores
}

# The overall test from the kernel's tables `res`: the groups table, the
# variance, the statistic and, when stratified, the per-stratum table.
logrank_overall <- function(res, lev, sd, test, rho, gamma) {
  k <- length(lev)
  slev <- sd$strata_levels
  obs <- rowSums(res$observed)
  expct <- rowSums(res$expected)
  v <- res$variance
  dimnames(v) <- list(lev, lev)
  groups <- new_frame(list(
    group = structure(seq_len(k), levels = lev, class = "factor"),
    n = rowSums(res$n), events = rowSums(res$events), observed = obs,
    expected = expct, o_minus_e = obs - expct, variance = unname(diag(v))
  ))
  out <- list(
    groups = groups, variance = v, statistic = res$statistic,
    df = as.integer(res$df),
    p_value = logrank_p(res$statistic, res$df),
    method = logrank_method(test, rho, gamma, sd$stratified)
  )
  if (sd$stratified) {
    out$by_stratum <- new_frame(list(
      stratum = structure(rep(seq_along(slev), each = k), levels = slev,
                          class = "factor"),
      group = structure(rep(seq_len(k), length(slev)), levels = lev,
                        class = "factor"),
      n = as.vector(res$n), events = as.vector(res$events),
      observed = as.vector(res$observed), expected = as.vector(res$expected)
    ))
  }
  out
}

# The test for trend over the groups, with `scores` (NULL: 1, 2, ..., k).
logrank_trend <- function(groups, v, scores) {
  lev <- levels(groups$group)
  s <- if (is.null(scores)) seq_along(lev) else as.double(scores)
  num <- sum(s * groups$o_minus_e)
  den <- drop(crossprod(s, v %*% s))
  stat <- if (den > 0) num^2 / den else NA_real_
  tr <- data.frame(statistic = stat, df = 1L,
                   p_value = stats::pchisq(stat, 1, lower.tail = FALSE))
  attr(tr, "scores") <- stats::setNames(s, lev)
  tr
}

# Every pairwise comparison of two groups, with adjusted p-values.
logrank_pairwise <- function(sd, lev, wtype, rho, gamma, p_adjust) {
  k <- length(lev)
  pairs <- utils::combn(k, 2L)
  rows <- lapply(seq_len(ncol(pairs)), function(j) {
    a <- pairs[1L, j]
    b <- pairs[2L, j]
    r <- logrank_kernel(sd, c(a, b) - 1L, k, wtype, rho, gamma)
    data.frame(group1 = lev[a], group2 = lev[b], statistic = r$statistic,
               df = as.integer(r$df), p_value = logrank_p(r$statistic, r$df))
  })
  pw <- do.call(rbind, rows)
  pw$group1 <- factor(pw$group1, levels = lev)
  pw$group2 <- factor(pw$group2, levels = lev)
  pw$p_adjusted <- stats::p.adjust(pw$p_value, method = p_adjust)
  rownames(pw) <- NULL
  pw
}

# The constructor of class `cs_logrank`: the fields documented in
# ?logrank, checked.
new_cs_logrank <- function(x) {
  check_fields(x, "cs_logrank",
    c("groups", "variance", "statistic", "df", "p_value", "method", "test",
      "rho", "gamma", "p_adjust", "type", "n_dropped", "strata_vars"),
    list(groups = c("group", "n", "events", "observed", "expected",
                    "o_minus_e", "variance")))
  k <- nrow(x$groups)
  check_invariants("cs_logrank",
    is.matrix(x$variance), dim(x$variance) == c(k, k),
    length(x$statistic) == 1L, is.integer(x$df),
    length(x$p_value) == 1L,
    x$test %in% c("fh", "gehan", "tarone-ware"),
    x$type %in% c("right", "counting"))
  structure(x, class = "cs_logrank")
}

# TRUE when the vectors are certainly valid (checked in a few cheap passes);
# FALSE sends them to check_fit_vectors() for the row-naming message.
clean_fit_vectors <- function(time, status, start, strata, n) {
  is.numeric(time) && n > 0L && !anyNA(time) && min(time) >= 0 &&
    max(time) < Inf && length(status) == n &&
    (is.logical(status) || is.numeric(status)) && !anyNA(status) &&
    sum(status == 0) + sum(status == 1) == n && is.null(start) &&
    (is.null(strata) || (length(strata) == n && !anyNA(strata)))
}

# Run the kernel on the rows of `sd` whose 0-based group code is in
# `codes` (NULL: all rows): the counting kernel when `sd` has time bins,
# else the sorting kernel (a subset of a sorting permutation still sorts).
logrank_kernel <- function(sd, codes, k, wtype, rho, gamma) {
  if (!is.null(sd$bins)) {
    if (!is.null(codes)) {
      keep <- sd$group %in% codes
      for (nm in c("stop", "status", "strata", "group", "bin")) {
        sd[[nm]] <- sd[[nm]][keep]
      }
    }
    return(cpp_logrank_binned(sd, sd$bin, sd$group, sd$bins$n_bins, k,
                              wtype, rho, gamma))
  }
  if (!is.null(codes)) {
    sd$order <- sd$order[sd$group[sd$order + 1L] %in% codes]
    if (sd$counting) sd$entry <- sd$entry[sd$group[sd$entry + 1L] %in% codes]
  }
  cpp_logrank(sd, sd$group, k, wtype, rho, gamma)
}

logrank_p <- function(statistic, df) {
  if (df < 1) return(NA_real_)
  stats::pchisq(statistic, df, lower.tail = FALSE)
}

# A sentence naming the test and its weights (the log-rank test's two
# sentences, the most asked for, made once).
logrank_method <- function(test, rho, gamma, stratified) {
  if (test == "fh" && rho == 0 && gamma == 0) {
    return(logrank_method_lr[[1L + stratified]])
  }
  base <- switch(
    test,
    "gehan" = "Gehan-Breslow generalized Wilcoxon test (weight n(t), the number at risk)",
    "tarone-ware" = "Tarone-Ware test (weight sqrt(n(t)), the square root of the number at risk)",
    "fh" = if (rho == 1 && gamma == 0) {
      "Peto-Peto test (Fleming-Harrington G(1, 0): weight S(t-), the pooled Kaplan-Meier estimate)"
    } else {
      paste0("Fleming-Harrington G(", format(rho), ", ", format(gamma),
             ") test (weight S(t-)^", format(rho), " * (1 - S(t-))^",
             format(gamma), ", S the pooled Kaplan-Meier estimate)")
    }
  )
  paste0(base, if (stratified) logrank_stratified, ".")
}
logrank_stratified <-
  ", stratified: observed minus expected and its covariance summed over strata"
logrank_method_lr <- paste0(
  "Log-rank (Mantel-Haenszel) test, equal weights (Fleming-Harrington G(0, 0))",
  c("", logrank_stratified), "."
)

# Methods ----------------------------------------------------------------------

#' Print a log-rank test
#'
#' Shows the call, the rows dropped for missing values, the method, and per
#' group the number of rows, observed and expected (weighted) deaths,
#' (O-E)^2/E and (O-E)^2/V, then the chi-square, its degrees of freedom and
#' p-value, as `print.survdiff` does; then the trend and pairwise tests when
#' they were asked for.
#'
#' @param x A `cs_logrank` object from [logrank()].
#' @param digits Significant digits to print.
#' @param ... Ignored.
#' @returns `x`, invisibly.
#' @examples
#' library(survival)
#' logrank(Surv(time, status) ~ sex, data = lung)
#' @export
print.cs_logrank <- function(x, digits = max(getOption("digits") - 4L, 3L),
                             ...) {
  if (!is.null(x$call)) {
    cat("Call:\n")
    dput(x$call)
    cat("\n")
  }
  if (x$n_dropped > 0L) {
    cat("n=", sum(x$groups$n), ", ", x$n_dropped, " observation",
        if (x$n_dropped > 1L) "s", " deleted due to missingness.\n\n",
        sep = "")
  }
  cat(wrap_words(x$method), sep = "\n")
  if (length(x$strata_vars)) {
    cat("Strata: ", paste(x$strata_vars, collapse = ", "), "\n", sep = "")
  }
  cat("\n")
  g <- x$groups
  tab <- cbind(N = g$n, Observed = g$observed, Expected = g$expected,
               `(O-E)^2/E` = g$o_minus_e^2 / g$expected,
               `(O-E)^2/V` = g$o_minus_e^2 / g$variance)
  rownames(tab) <- as.character(g$group)
  saveopt <- options(digits = digits)
  on.exit(options(saveopt))
  print(tab)
  cat("\n Chisq=", format(round(x$statistic, 1)), " on", x$df,
      "degrees of freedom, p=", survdiff_p(x$p_value), "\n")
  if (!is.null(x$trend)) {
    tr <- x$trend
    sc <- attr(tr, "scores")
    cat(" Trend: Chisq=", format(round(tr$statistic, 1)),
        " on 1 degree of freedom, p=", survdiff_p(tr$p_value),
        "  (scores ", paste(format(sc), collapse = ", "), ")\n", sep = "")
  }
  if (!is.null(x$pairwise)) {
    pw <- x$pairwise
    cat("\nPairwise comparisons (p-values adjusted by ", x$p_adjust, "):\n",
        sep = "")
    out <- data.frame(group1 = pw$group1, group2 = pw$group2,
                      chisq = round(pw$statistic, 2), df = pw$df,
                      p = vapply(pw$p_value, survdiff_p, ""),
                      p_adjusted = vapply(pw$p_adjusted, survdiff_p, ""))
    print(out, row.names = FALSE)
  }
  invisible(x)
}

# p-values as print.survdiff shows them (format.pval at the default digits).
survdiff_p <- function(p, digits = max(1L, getOption("digits") - 2L)) {
  if (is.na(p)) return("NA")
  format.pval(p, digits = digits)
}

#' Summarise a log-rank test
#'
#' One row per test carried out: the overall test, the trend test and each
#' pairwise comparison, when present.
#'
#' @param object A `cs_logrank` object from [logrank()].
#' @param ... Ignored.
#' @returns A data frame of class `cs_logrank_summary` (as every
#'   `summary()` of the package: a data frame subclass with a print
#'   method) with columns `test, statistic, df, p_value, p_adjusted`
#'   (`p_adjusted` is `NA` except for pairwise tests).
#' @examples
#' library(survival)
#' summary(logrank(Surv(time, status) ~ ph.ecog, data = lung,
#'                 subset = ph.ecog < 3, trend = TRUE, pairwise = TRUE))
#' @export
summary.cs_logrank <- function(object, ...) {
  out <- data.frame(test = "overall", statistic = object$statistic,
                    df = object$df, p_value = object$p_value,
                    p_adjusted = NA_real_)
  if (!is.null(object$trend)) {
    out <- rbind(out, data.frame(test = "trend",
                                 statistic = object$trend$statistic, df = 1L,
                                 p_value = object$trend$p_value,
                                 p_adjusted = NA_real_))
  }
  if (!is.null(object$pairwise)) {
    pw <- object$pairwise
    out <- rbind(out, data.frame(test = paste(pw$group1, "vs", pw$group2),
                                 statistic = pw$statistic, df = pw$df,
                                 p_value = pw$p_value,
                                 p_adjusted = pw$p_adjusted))
  }
  summary_frame(out, "cs_logrank_summary")
}

#' @export
print.cs_logrank_summary <- function(x, ...) {
  print_summary_frame(x, "Log-rank tests", row.names = FALSE, ...)
}

# strwrap() that never breaks inside parentheses, so "G(0, 0)" stays on one
# line of the header.
wrap_words <- function(text, width = 0.9 * getOption("width")) {
  words <- strsplit(text, " ", fixed = TRUE)[[1L]]
  depth <- cumsum(lengths(regmatches(words, gregexpr("(", words, fixed = TRUE))) -
                    lengths(regmatches(words, gregexpr(")", words, fixed = TRUE))))
  # a word is glued to the previous one while a parenthesis is open
  glue <- c(FALSE, depth[-length(depth)] > 0)
  groups <- cumsum(!glue)
  units <- vapply(split(words, groups), paste, "", collapse = "\u00a0")
  gsub("\u00a0", " ", strwrap(paste(units, collapse = " "), width = width),
       fixed = TRUE)
}
