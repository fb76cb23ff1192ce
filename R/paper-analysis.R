#' The pieces of the seed paper's analysis
#'
#' [reproduce_paper()] is assembled from these, and the vignettes call them
#' too, so that the paper's analysis is written once.
#'
#' `paper_data()` checks a data frame with the columns of [dnmbc] and codes
#' it as `dnmbc` is. `paper_labels()` gives the display labels of the
#' variables of Tables 1 and 2 and Figure 6; `paper_published()` reads one
#' of the tables of published numbers shipped in `inst/extdata`, every
#' column as printed (character, so that "35.0" keeps its decimal).
#' `paper_tables()` computes Tables 1 and 2 ([baseline_table()]);
#' `paper_counts()` lays the counts of one of them out as the published
#' table is, for a side-by-side view; `paper_subgroups()` computes Figure 6
#' (LRT vs STA within the subgroups of Table 1, stratified by metastatic
#' site, "Unknown" levels set to missing); `paper_analysis()` computes
#' everything the paper reports.
#'
#' @param data A data frame with the columns of [dnmbc] that the analysis
#'   uses (see [reproduce_paper()]).
#' @returns `paper_data()`: the data frame, coded as `dnmbc`.
#'   `paper_labels()`: a named character vector. `paper_published()`: a
#'   data frame of character columns. `paper_tables()`: a list with
#'   `table1` and `table2`. `paper_counts()`: `published` with the
#'   reproduced count in place of each published one (0 for a level the
#'   data do not have). `paper_subgroups()`: a `cs_subgroup` data frame
#'   from [subgroup_hr()]. `paper_analysis()`: a list with `table1`,
#'   `table2`, `medians`, `hazard_ratios`, `logrank`, `at_risk` (data
#'   frames, one row per group, model or test and figure), `figures` (per
#'   Kaplan-Meier figure its data, `fit` and `annotate` text), `subgroups`
#'   (Figure 6, from [subgroup_hr()]) and `comparison` (published versus
#'   reproduced).
#' @seealso [reproduce_paper()], which writes these results to files.
#' @examples
#' paper_labels(c("age_group", "met_site"))
#' head(paper_published("estimates.csv"), 3)
#' \donttest{
#' res <- paper_analysis()
#' res$medians[res$medians$figure == "Figure 1", ]
#' }
#' @export
paper_analysis <- function(data = cohortsurv::dnmbc) {
  d <- paper_data(data)
  out <- paper_tables(d)
  figs <- paper_figures(d)
  per <- lapply(figs, paper_figure_results)
  for (part in c("medians", "hazard_ratios", "logrank", "at_risk")) {
    out[[part]] <- do.call(rbind, lapply(per, `[[`, part))
  }
  for (k in seq_along(figs)) figs[[k]]$fit <- per[[k]]$fit
  out$figures <- paper_annotate(figs, out)
  out$subgroups <- paper_subgroups(d)
  out$comparison <- paper_comparison(out, d)
  out
}

#' @rdname paper_analysis
#' @export
paper_tables <- function(data = cohortsurv::dnmbc) {
  d <- paper_data(data)
  t1 <- d
  t1$group <- factor(t1$group, levels = c("LRT", "STA"))
  v1 <- c("age_group", "tumor_size", "nodal", "ki67", "met_site", "subtype",
          "hr_status", "her2")
  t2 <- d[d$surgery == "yes", , drop = FALSE]
  t2$timing <- factor(t2$timing, levels = c("SAC", "SBC", "SDC"))
  v2 <- c("age_group", "tumor_size", "ki67", "met_site", "subtype",
          "hr_status", "her2", "surgery_type", "margin")
  # the paper's tests (Stata): Pearson's chi-square without continuity
  # correction, Fisher's exact test where an expected count is <= 5
  list(table1 = baseline_table(t1, by = "group", vars = v1,
                               labels = paper_labels(v1), exact = "auto",
                               correct = FALSE),
       table2 = baseline_table(t2, by = "timing", vars = v2,
                               labels = paper_labels(v2), exact = "auto",
                               correct = FALSE))
}

# One Kaplan-Meier figure: medians, numbers at risk, hazard ratios and
# log-rank tests, and the fitted curves.
paper_figure_results <- function(s) {
  x <- s$data
  fit <- km(Surv(os_months, death) ~ arm, data = x)
  sym <- km(Surv(os_months, death) ~ arm, data = x, median_ci = "symmetric")
  groups <- levels(x$arm)
  medians <- data.frame(
    figure = s$figure, comparison = s$comparison, group = groups,
    n = fit$table$n, events = fit$table$events, median = fit$table$median,
    lower_symmetric = sym$table$median_lower,
    upper_symmetric = sym$table$median_upper,
    lower_bc = fit$table$median_lower, upper_bc = fit$table$median_upper,
    stringsAsFactors = FALSE)
  ar <- summary(fit, times = seq(0, 135, 15))
  at_risk <- data.frame(figure = s$figure, comparison = s$comparison,
                        group = groups[as.integer(ar$strata)],
                        time = ar$time, n_risk = ar$n_risk,
                        stringsAsFactors = FALSE)
  list(medians = medians, at_risk = at_risk,
       hazard_ratios = paper_hazard_ratios(s), logrank = paper_logrank(s),
       fit = fit)
}

# The primary hazard ratio (Breslow ties, stratified as the figure says)
# and beside it Efron's and the other stratification. Figure 3's is one HR
# per step of the timing score.
paper_hazard_ratios <- function(s) {
  hd <- s$hr_data
  rhs <- if (s$figure == "Figure 3") "score" else "arm"
  fits <- list(
    c(ties = "breslow", strata = s$strata),
    c(ties = "efron", strata = s$strata),
    c(ties = "breslow", strata = !s$strata)
  )
  do.call(rbind, lapply(seq_along(fits), function(j) {
    f <- fits[[j]]
    st <- as.logical(f[["strata"]])
    fm <- stats::as.formula(paste(
      "Surv(os_months, death) ~", rhs, if (st) "+ strata(met_site)"))
    cf <- cox(fm, data = hd, ties = f[["ties"]])
    h <- hr_table(cf)
    data.frame(figure = s$figure, comparison = s$hr_label,
               ties = f[["ties"]],
               strata = if (st) "met_site" else "none",
               primary = j == 1L, n = cf$n, events = cf$n_event,
               hr = h$hr, lower = h$lower, upper = h$upper,
               p_value = h$p_value, stringsAsFactors = FALSE)
  }))
}

# The log-rank tests of one figure: the primary one (stratified for Figure
# 1), the other stratification, Figure 3's test for trend and Figure 4's
# test on the known margins.
paper_logrank <- function(s) {
  one <- function(test, data, stratified, primary, trend = FALSE) {
    fm <- if (stratified) Surv(os_months, death) ~ arm + strata(met_site) else
      Surv(os_months, death) ~ arm
    lr <- logrank(fm, data = data, trend = trend)
    r <- if (trend) lr$trend else lr
    data.frame(
      figure = s$figure, comparison = s$comparison, test = test,
      groups = paste(levels(droplevels(data$arm)), collapse = " / "),
      strata = if (stratified) "met_site" else "none",
      primary = primary, statistic = r$statistic, df = r$df,
      p_value = r$p_value, stringsAsFactors = FALSE)
  }
  x <- s$data
  rows <- list(one("stratified log-rank", x, TRUE, s$strata),
               one("log-rank", x, FALSE, !s$strata))
  if (!s$strata) rows <- rev(rows)
  if (s$figure == "Figure 3") {
    rows <- c(rows, list(one("log-rank for trend (scores 1, 2, 3)", x, FALSE,
                             FALSE, trend = TRUE)))
  }
  if (s$figure == "Figure 4") {
    rows <- c(rows, list(one("log-rank, known margins", s$hr_data, FALSE,
                             FALSE)))
  }
  do.call(rbind, rows)
}

# The text written on each Kaplan-Meier figure: its primary hazard ratio
# and log-rank P value.
paper_annotate <- function(figs, res) {
  for (k in seq_along(figs)) {
    h <- res$hazard_ratios[res$hazard_ratios$figure == figs[[k]]$figure &
                             res$hazard_ratios$primary, ]
    l <- res$logrank[res$logrank$figure == figs[[k]]$figure &
                       res$logrank$primary, ]
    figs[[k]]$annotate <- c(
      format_hr(h$hr, h$lower, h$upper, prefix = TRUE,
                label = if (k == 3L) "HR per step" else "HR"),
      paste0(sub("^(.)", "\\U\\1", l$test, perl = TRUE), " ",
             format_p(l$p_value, prefix = TRUE)))
  }
  figs
}

#' @rdname paper_analysis
#' @param ties `"breslow"` (the paper's, Stata's default) or `"efron"`.
#' @export
paper_subgroups <- function(data = cohortsurv::dnmbc, ties = "breslow") {
  d <- paper_data(data)
  # unknown levels are left out, as the figure's legend says
  for (v in c("ki67", "subtype", "her2")) {
    x <- as.character(d[[v]])
    x[x == "Unknown"] <- NA
    d[[v]] <- factor(x, levels = setdiff(levels(d[[v]]), "Unknown"))
  }
  sub_vars <- c("age_group", "tumor_size", "nodal", "ki67", "met_site",
                "subtype", "hr_status", "her2")
  subgroup_hr(Surv(os_months, death) ~ group, data = d,
              subgroups = stats::setNames(sub_vars, paper_labels(sub_vars)),
              strata = "met_site", ties = ties)
}
