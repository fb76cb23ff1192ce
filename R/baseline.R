#' Baseline characteristics table (Table 1)
#'
#' Describes the patients of each group, one row per level of every
#' categorical variable and one row per continuous variable, and compares
#' the groups with the tests a clinical cohort paper states: the
#' Mann-Whitney U test (Kruskal-Wallis for more than two groups) for
#' continuous variables, and the chi-square test, or Fisher's exact test
#' when an expected count is 5 or less, for categorical ones.
#'
#' @param data A data frame with one row per patient.
#' @param by The name of the column of `data` that defines the groups (the
#'   table's columns). Rows where it is missing are left out and counted in
#'   `attr(x, "n_dropped")`.
#' @param vars Names of the columns to describe, in the order of the table.
#'   `NULL` (the default) takes every column except `by`.
#' @param continuous How continuous variables are summarised:
#'   `"mean_sd"` (mean +/- standard deviation, as the seed paper reports) or
#'   `"median_iqr"` (median and interquartile range, the quartiles of
#'   [stats::quantile()] type 7).
#' @param test If `TRUE`, compare the groups and fill `p_value` and `test`.
#' @param exact For categorical variables: `"auto"` uses Fisher's exact test
#'   when any expected count is 5 or less and the chi-square test otherwise;
#'   `TRUE` always uses Fisher's test; `FALSE` always the chi-square test.
#'   For continuous variables `"auto"` lets [stats::wilcox.test()] use the
#'   exact distribution when both groups have fewer than 50 values and there
#'   are no ties, `TRUE` asks for it whenever there are no ties, and `FALSE`
#'   always uses the normal approximation.
#' @param digits Decimals of percentages, means, standard deviations,
#'   medians and quartiles.
#' @param missing `"level"` shows missing values of a categorical variable
#'   as a level "Missing" (counted in the percentages, as the seed paper's
#'   "Unknown" levels are, but left out of the test) and the number of
#'   missing values of a continuous variable in a row of its own; `"drop"`
#'   leaves missing values out of the counts, the percentages and the
#'   tests.
#' @param categorical Names of numeric columns to treat as categorical
#'   (codes such as ECOG grades). Factor, character and logical columns,
#'   and numeric columns whose values are all 0 or 1 (indicators), are
#'   always categorical; other numeric columns are continuous.
#' @param labels Optional named character vector of display names for the
#'   variables, e.g. `c(age = "Age (yr)")`. A variable without one is named
#'   by its `attr(, "label")` (as set by haven or labelled), else by its
#'   column name.
#' @param correct If `TRUE`, the chi-square test of a 2 x 2 table uses
#'   Yates's continuity correction (the default of [stats::chisq.test()] and
#'   of tableone). The default `FALSE` is Pearson's uncorrected test, as
#'   Stata's `tabulate, chi2` computes it; the footnote states which.
#' @param smd If `TRUE`, add a column `smd` of standardised mean
#'   differences (see Details), printed as "SMD".
#' @param B,seed Number of simulated tables and random-number seed of a
#'   Fisher's test whose exact computation is too large (see Details). The
#'   seed is used locally; the caller's random-number state is unchanged.
#'
#' @details
#' Percentages are of the group total (of the non-missing values when
#' `missing = "drop"`). Tests use the non-missing values only; with
#' `missing = "level"` the footnote says so. Expected counts are those of
#' the chi-square test, row total times column total over the grand total,
#' over the non-missing levels and groups that occur. The chi-square test
#' is Pearson's; `correct` chooses Yates's correction for 2 x 2 tables
#' (it is conservative, and the small tables it was meant for get Fisher's
#' test here). The Mann-Whitney test is [stats::wilcox.test()] with its
#' continuity correction. No test is done for a variable with a single
#' observed level, a single group with data, or no variation; its
#' `p_value` and `test` are `NA`.
#'
#' Fisher's exact test is computed by [stats::fisher.test()] with its
#' default workspace (200,000 words), which takes a fraction of a second.
#' A table too large for it (many levels and patients, such as 18
#' institutions by sex) gets a P value simulated from `B` random tables
#' with the observed margins (Patefield's algorithm, as
#' `fisher.test(simulate.p.value = TRUE)`), named "Fisher's exact,
#' simulated" with `B` and `seed` in the footnote. The rule depends on the
#' table only, never on the speed of the computer, so a table gives the
#' same P value everywhere.
#'
#' The standardised mean difference (SMD) of a continuous variable is the
#' absolute difference of the group means over the square root of the
#' average of the two group variances; that of a categorical variable is
#' Yang and Dalton's multi-category SMD, which for two levels is
#' \eqn{|p_1 - p_2| / \sqrt{(p_1(1 - p_1) + p_2(1 - p_2)) / 2}}{|p1 - p2| /
#' sqrt((p1 (1 - p1) + p2 (1 - p2)) / 2)}. Both use the non-missing values.
#' With more than two groups the column holds the mean of the pairwise
#' SMDs, as tableone prints.
#'
#' @returns An object of class `cs_table`: a data frame with columns
#'   `variable, level`, one character column per group (named by the group
#'   levels) holding the formatted cells ("31 (35.6)", or "60.1 +/- 8.9"
#'   written with the plus-minus sign),
#'   `p_value` (numeric, on the first row of each variable) and `test` (the
#'   name of the test used). Attributes: `n` (group sizes), `stats` (a data
#'   frame of every number in the cells: `variable, level, group, n,
#'   percent, mean, sd, median, q1, q3`), `by`, `continuous`, `digits`,
#'   `n_dropped`, `missing_untested`, `correct`, `simulation` (`B`, `seed`).
#'   With `smd = TRUE`, a numeric column `smd` on the first row of each
#'   variable.
#' @references
#' Mann HB, Whitney DR (1947). On a test of whether one of two random
#' variables is stochastically larger than the other. *Annals of
#' Mathematical Statistics* 18, 50-60.
#'
#' Kruskal WH, Wallis WA (1952). Use of ranks in one-criterion variance
#' analysis. *Journal of the American Statistical Association* 47, 583-621.
#'
#' Yang D, Dalton JE (2012). A unified approach to measuring the effect
#' size between two groups using SAS. *SAS Global Forum*, paper 335-2012.
#'
#' Austin PC (2009). Balance diagnostics for comparing the distribution of
#' baseline covariates between treatment groups in propensity-score
#' matched samples. *Statistics in Medicine* 28, 3083-3107.
#'
#' Fisher RA (1922). On the interpretation of chi-square from contingency
#' tables, and the calculation of P. *Journal of the Royal Statistical
#' Society* 85, 87-94.
#' @seealso [format_table()] for markdown, HTML, LaTeX and CSV output.
#' @examples
#' # Table 1 of the seed paper, on the reconstructed cohort
#' d <- dnmbc
#' d$group <- relevel(d$group, "LRT")
#' tab <- baseline_table(d, by = "group",
#'                       vars = c("age", "age_group", "tumor_size", "met_site"),
#'                       labels = c(age = "Age (yr)", age_group = "Age group",
#'                                  tumor_size = "Tumor size (cm)",
#'                                  met_site = "Metastatic sites"))
#' tab
#' cat(format_table(tab, "markdown"))
#' attr(tab, "stats")
#'
#' # medians and quartiles, missing values left out
#' library(survival)
#' baseline_table(lung, by = "sex", vars = c("age", "wt.loss"),
#'                continuous = "median_iqr", missing = "drop")
#'
#' # a Missing row that the test leaves out, and standardised differences
#' baseline_table(lung, by = "sex", vars = c("age", "ph.ecog"),
#'                categorical = "ph.ecog", smd = TRUE)
#' @md
#' @export
baseline_table <- function(data, by, vars = NULL,
                           continuous = c("mean_sd", "median_iqr"),
                           test = TRUE, exact = "auto", digits = 1,
                           missing = c("level", "drop"), categorical = NULL,
                           labels = NULL, correct = FALSE, smd = FALSE,
                           B = 10000, seed = 1) {
  if (!is.data.frame(data)) {
    cs_abort("`data` must be a data frame; it is ", class(data)[1L], ".",
             arg = "data")
  }
  data <- as.data.frame(data, stringsAsFactors = FALSE)
  vars <- check_baseline_args(data, by, vars, test, exact, digits,
                              categorical, labels)
  check_flag(correct, "correct")
  check_flag(smd, "smd")
  check_whole(B, "B", min = 100, max = 1e7)
  check_whole(seed, "seed")
  labels <- variable_labels(data, vars, labels)
  opts <- list(exact = exact, correct = correct, B = B, seed = seed)
  continuous <- arg_choice(continuous, "continuous", c("mean_sd", "median_iqr"))
  missing <- arg_choice(missing, "missing", c("level", "drop"))

  g <- data[[by]]
  keep <- !is.na(g)
  n_dropped <- sum(!keep)
  data <- data[keep, , drop = FALSE]
  g <- g[keep]
  if (!length(g)) {
    cs_abort("`by` (\"", by, "\") has no non-missing values.", arg = "by")
  }
  g <- if (is.factor(g)) droplevels(g) else factor(g)
  groups <- levels(g)
  n_group <- as.vector(table(g))
  names(n_group) <- groups

  rows <- list()
  stats_rows <- list()
  for (v in vars) {
    x <- data[[v]]
    label <- labels[[v]]
    is_cat <- is.factor(x) || is.character(x) || is.logical(x) ||
      v %in% categorical || is_binary01(x)
    if (!is_cat && !is.numeric(x)) {
      cs_abort("`vars`: column \"", v, "\" is ", class(x)[1L],
               "; it must be numeric, factor, character or logical.",
               arg = "vars")
    }
    if (!is_cat) {
      abort_first_bad(x, !is.na(x) & !is.finite(x), "vars",
                      "finite numbers or NA",
                      label = paste0("`vars`: column \"", v, "\""))
    }
    res <- if (is_cat) {
      describe_categorical(x, g, label, missing, digits, test, opts)
    } else {
      describe_continuous(x, g, label, missing, digits, test, exact,
                          continuous)
    }
    if (smd) {
      res$rows$smd <- c(if (is_cat) smd_categorical(x, g) else
        smd_continuous(x, g), rep(NA_real_, nrow(res$rows) - 1L))
    }
    rows[[v]] <- res$rows
    stats_rows[[v]] <- res$stats
  }
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  st <- do.call(rbind, stats_rows)
  rownames(st) <- NULL
  if (!test) {
    out$p_value <- NA_real_
    out$test <- NA_character_
  }
  untested <- test && missing == "level" &&
    any(out$level == "Missing" & out$variable %in%
          out$variable[!is.na(out$p_value)])
  structure(out, class = c("cs_table", "data.frame"), n = n_group,
            stats = st, by = by, continuous = continuous, digits = digits,
            n_dropped = n_dropped, missing_untested = untested,
            correct = correct, simulation = c(B = B, seed = seed))
}

# Display names of `vars`: `labels` where given, else the column's
# attr(, "label") (as haven and labelled set it), else the column name.
variable_labels <- function(data, vars, labels) {
  out <- vapply(vars, function(v) {
    if (!is.null(labels) && v %in% names(labels)) return(labels[[v]])
    lab <- attr(data[[v]], "label", exact = TRUE)
    if (is.character(lab) && length(lab) == 1L && !is.na(lab) &&
        nzchar(lab)) lab else v
  }, character(1))
  names(out) <- vars
  out
}

# A numeric column coded 0/1 (an indicator) is described as categorical.
is_binary01 <- function(x) {
  is.numeric(x) && !is.factor(x) && any(!is.na(x)) &&
    all(x[!is.na(x)] %in% c(0, 1))
}

# The arguments of baseline_table() other than `data`, `continuous` and
# `missing`; returns `vars` (by default every column but `by`).
check_baseline_args <- function(data, by, vars, test, exact, digits,
                                categorical, labels) {
  if (!is.character(by) || length(by) != 1L || is.na(by)) {
    cs_abort("`by` must be the name of one column of `data`.", arg = "by")
  }
  if (!by %in% names(data)) {
    cs_abort("`by` must be a column of `data`; there is no column \"", by,
             "\".", arg = "by")
  }
  if (is.null(vars)) vars <- setdiff(names(data), by)
  if (!is.character(vars) || anyNA(vars) || !length(vars)) {
    cs_abort("`vars` must be a character vector of column names.",
             arg = "vars")
  }
  check_column_names(vars, "vars", data)
  if (by %in% vars) {
    cs_abort("`vars` must not include the grouping column `by` (\"", by,
             "\").", arg = "vars")
  }
  check_flag(test, "test")
  if (!(identical(exact, "auto") || isTRUE(exact) || isFALSE(exact))) {
    cs_abort("`exact` must be \"auto\", TRUE or FALSE.", arg = "exact")
  }
  check_whole(digits, "digits", min = 0, max = 6)
  if (!is.null(categorical) &&
      (!is.character(categorical) || !all(categorical %in% vars))) {
    cs_abort("`categorical` must name columns listed in `vars`.",
             arg = "categorical")
  }
  if (!is.null(labels) &&
      (!is.character(labels) || is.null(names(labels)) ||
       !all(names(labels) %in% vars))) {
    cs_abort("`labels` must be a named character vector whose names are ",
             "columns listed in `vars`.", arg = "labels")
  }
  vars
}

# Rows of a categorical variable: one per level, "n (percent)".
describe_categorical <- function(x, g, label, missing, digits, test, opts) {
  groups <- levels(g)
  f <- if (is.factor(x)) droplevels(x) else factor(x)
  added_missing <- missing == "level" && anyNA(f)
  if (added_missing) {
    f <- addNA(f, ifany = TRUE)
    levels(f)[is.na(levels(f))] <- "Missing"
  }
  ok <- !is.na(f)
  tab <- table(factor(f[ok], levels = levels(f)), g[ok])
  denom <- colSums(tab)
  pct <- sweep(tab, 2L, pmax(denom, 1), "/") * 100
  cells <- matrix(paste0(tab, " (", formatC(pct, format = "f",
                                            digits = digits), ")"),
                  nrow = nrow(tab))
  cells[, denom == 0] <- "0"
  rows <- data.frame(variable = rep(label, nrow(tab)),
                     level = rownames(tab), stringsAsFactors = FALSE)
  for (j in seq_along(groups)) rows[[groups[j]]] <- cells[, j]
  # the "Missing" row is shown but does not enter the test
  tested <- if (added_missing) tab[-nrow(tab), , drop = FALSE] else tab
  pt <- if (test) categorical_test(tested, opts) else list(p = NA, name = NA)
  rows$p_value <- c(pt$p, rep(NA_real_, nrow(tab) - 1L))
  rows$test <- c(pt$name, rep(NA_character_, nrow(tab) - 1L))
  st <- data.frame(variable = label, level = rep(rownames(tab), ncol(tab)),
                   group = rep(groups, each = nrow(tab)),
                   n = as.vector(tab), percent = as.vector(pct),
                   mean = NA_real_, sd = NA_real_, median = NA_real_,
                   q1 = NA_real_, q3 = NA_real_, stringsAsFactors = FALSE)
  list(rows = rows, stats = st)
}

# Chi-square, or Fisher's exact test when an expected count is <= 5.
# Fisher's test is exact where stats::fisher.test() finishes within its
# default workspace (2e5 words, a fraction of a second); beyond it the P
# value is simulated from B tables with the observed margins, under a
# fixed seed that leaves the caller's random numbers alone.
categorical_test <- function(tab, opts) {
  tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
  if (nrow(tab) < 2L || ncol(tab) < 2L) return(list(p = NA_real_, name = NA))
  expected <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  use_fisher <- if (identical(opts$exact, "auto")) any(expected <= 5) else
    opts$exact
  if (use_fisher) {
    p <- tryCatch(stats::fisher.test(tab, workspace = 2e5)$p.value,
                  error = function(e) NULL)
    if (!is.null(p)) return(list(p = p, name = "Fisher's exact"))
    p <- with_seed(opts$seed, stats::fisher.test(
      tab, simulate.p.value = TRUE, B = opts$B)$p.value)
    return(list(p = p, name = "Fisher's exact, simulated"))
  }
  yates <- opts$correct && nrow(tab) == 2L && ncol(tab) == 2L
  p <- suppressWarnings(stats::chisq.test(tab, correct = yates)$p.value)
  list(p = p, name = if (yates) "Chi-square, continuity-corrected" else
    "Chi-square")
}

# Evaluate `expr` with the random-number seed `seed`, then put the
# caller's generator state back as it was.
with_seed <- function(seed, expr) {
  env <- globalenv()
  had <- exists(".Random.seed", envir = env, inherits = FALSE)
  if (had) old <- get(".Random.seed", envir = env, inherits = FALSE)
  on.exit(if (had) assign(".Random.seed", old, envir = env) else
    rm(".Random.seed", envir = env))
  set.seed(seed)
  expr
}

# Standardised mean differences, on the non-missing values. With more
# than two groups, the mean of the pairwise SMDs (as tableone reports).
smd_pairs <- function(g, one) {
  lev <- levels(droplevels(g))
  if (length(lev) < 2L) return(NA_real_)
  pairs <- utils::combn(lev, 2L)
  mean(apply(pairs, 2L, function(p) one(p[1L], p[2L])))
}

# Continuous: absolute difference in means over the square root of the
# average of the two variances (Austin 2009).
smd_continuous <- function(x, g) {
  smd_pairs(g[!is.na(x)], function(a, b) {
    xa <- x[!is.na(x) & g == a]
    xb <- x[!is.na(x) & g == b]
    if (length(xa) < 2L || length(xb) < 2L) return(NA_real_)
    s <- sqrt((stats::var(xa) + stats::var(xb)) / 2)
    d <- abs(mean(xa) - mean(xb))
    if (s > 0) d / s else if (d == 0) 0 else Inf
  })
}

# Categorical: Yang and Dalton's (2012) multi-category SMD,
# sqrt(t(T) S^-1 T), T the differences in the proportions of the levels
# but the first, S the average of the two groups' multinomial covariance
# matrices (a generalised inverse where S is singular, as tableone does).
smd_categorical <- function(x, g) {
  f <- if (is.factor(x)) droplevels(x) else factor(x)
  ok <- !is.na(f)
  smd_pairs(g[ok], function(a, b) {
    pa <- prop.table(table(f[ok & g == a]))
    pb <- prop.table(table(f[ok & g == b]))
    if (length(pa) < 2L) return(0)
    if (anyNA(pa) || anyNA(pb)) return(NA_real_)
    t <- (pa - pb)[-1L]
    cov_m <- function(p) {
      p <- p[-1L]
      diag(p, length(p)) - outer(p, p)
    }
    s <- (cov_m(pa) + cov_m(pb)) / 2
    sqrt(max(0, drop(t %*% ginv_sym(s) %*% t)))
  })
}

# Moore-Penrose inverse of a symmetric matrix.
ginv_sym <- function(s) {
  e <- eigen(s, symmetric = TRUE)
  keep <- e$values > max(1e-10 * max(abs(e$values)), 0)
  if (!any(keep)) return(s * 0)
  v <- e$vectors[, keep, drop = FALSE]
  v %*% (t(v) / e$values[keep])
}

# One row of a continuous variable (plus a "Missing" row when asked).
describe_continuous <- function(x, g, label, missing, digits, test, exact,
                                continuous) {
  groups <- levels(g)
  fmt <- function(v) formatC(v, format = "f", digits = digits)
  st <- do.call(rbind, lapply(groups, function(k) {
    v <- x[g == k & !is.na(x)]
    q <- if (length(v)) stats::quantile(v, c(0.25, 0.5, 0.75), names = FALSE)
         else rep(NA_real_, 3L)
    data.frame(variable = label, level = NA_character_, group = k,
               n = length(v), percent = NA_real_,
               mean = if (length(v)) mean(v) else NA_real_,
               sd = if (length(v) > 1L) stats::sd(v) else NA_real_,
               median = q[2L], q1 = q[1L], q3 = q[3L],
               stringsAsFactors = FALSE)
  }))
  if (continuous == "mean_sd") {
    lev <- "Mean \u00b1 SD"
    cells <- ifelse(is.na(st$mean), "-",
                    paste0(fmt(st$mean), " \u00b1 ",
                           ifelse(is.na(st$sd), "-", fmt(st$sd))))
  } else {
    lev <- "Median (IQR)"
    cells <- ifelse(is.na(st$median), "-",
                    paste0(fmt(st$median), " (", fmt(st$q1), " to ",
                           fmt(st$q3), ")"))
  }
  st$level <- lev
  rows <- data.frame(variable = label, level = lev, stringsAsFactors = FALSE)
  for (j in seq_along(groups)) rows[[groups[j]]] <- cells[j]
  pt <- if (test) continuous_test(x, g, exact) else list(p = NA, name = NA)
  rows$p_value <- pt$p
  rows$test <- pt$name
  n_miss <- tapply(is.na(x), g, sum)
  if (missing == "level" && any(n_miss > 0)) {
    tot <- as.vector(table(g))
    mrow <- data.frame(variable = label, level = "Missing",
                       stringsAsFactors = FALSE)
    for (j in seq_along(groups)) {
      mrow[[groups[j]]] <- paste0(n_miss[j], " (",
                                  fmt(100 * n_miss[j] / max(tot[j], 1)), ")")
    }
    mrow$p_value <- NA_real_
    mrow$test <- NA_character_
    rows <- rbind(rows, mrow)
    st <- rbind(st, data.frame(
      variable = label, level = "Missing", group = groups,
      n = as.vector(n_miss), percent = 100 * as.vector(n_miss) / pmax(tot, 1),
      mean = NA_real_, sd = NA_real_, median = NA_real_, q1 = NA_real_,
      q3 = NA_real_, stringsAsFactors = FALSE))
  }
  list(rows = rows, stats = st)
}

# Mann-Whitney U (two groups) or Kruskal-Wallis (more).
continuous_test <- function(x, g, exact) {
  ok <- !is.na(x)
  x <- x[ok]
  g <- droplevels(g[ok])
  if (nlevels(g) < 2L || length(unique(x)) < 2L) {
    return(list(p = NA_real_, name = NA))
  }
  if (nlevels(g) == 2L) {
    a <- x[g == levels(g)[1L]]
    b <- x[g == levels(g)[2L]]
    ties <- anyDuplicated(x) > 0L
    ex <- if (identical(exact, "auto")) {
      length(a) < 50L && length(b) < 50L && !ties
    } else {
      isTRUE(exact) && !ties
    }
    p <- stats::wilcox.test(a, b, exact = ex, correct = TRUE)$p.value
    list(p = p, name = "Mann-Whitney U")
  } else {
    list(p = stats::kruskal.test(x, g)$p.value, name = "Kruskal-Wallis")
  }
}

# Printing and export -------------------------------------------------------

#' @rdname format_table
#' @param digits_p Significant digits of P values, passed to [format_p()].
#' @param ... Ignored.
#' @md
#' @export
print.cs_table <- function(x, digits_p = 2, ...) {
  cat(format_table(x, "text", digits_p = digits_p), sep = "")
  invisible(x)
}

#' Format a results table for a manuscript
#'
#' Renders a [baseline_table()], an [hr_report()], a [subgroup_hr()] table
#' (or any data frame) as a markdown (pipe) table, an HTML table, a LaTeX
#' `tabular`, CSV text or a Word (`.docx`) file. A baseline table is laid
#' out as a journal's Table 1: the group sizes in the column headings, each
#' categorical variable on a row of its own with its P value, its levels
#' indented beneath, and a footnote naming the tests, each marked with a
#' letter.
#'
#' Footnote letters are superscripts in every format: `^a^` in markdown
#' (pandoc's superscript, which survives conversion to Word, PDF and HTML
#' by pandoc, R Markdown and Quarto), `<sup>` in HTML, `$^{a}$` in LaTeX
#' and a superscript run in Word. Use `superscript = "html"` for markdown
#' read by a renderer without pandoc's extensions (GitHub). CSV has the
#' test names in a column of their own instead.
#'
#' @param x A `cs_table` from [baseline_table()], a `cs_hr_report` from
#'   [hr_report()], a `cs_subgroup` from [subgroup_hr()], or a data frame.
#' @param format One of `"markdown"`, `"html"`, `"latex"`, `"csv"`,
#'   `"docx"`; `print()` uses a plain-text layout of at most 80 columns.
#' @param file Optional path; when given, the text is also written there.
#'   Required for `"docx"`, which needs the suggested packages flextable
#'   and officer.
#' @param superscript For markdown, how footnote letters are written:
#'   `"pandoc"` (`^a^`, the default) or `"html"` (`<sup>a</sup>`).
#' @returns The formatted table as one character string (lines separated by
#'   newlines), invisibly when `file` is given; for `"docx"`, the path of
#'   the file, invisibly.
#' @examples
#' library(survival)
#' d <- transform(lung, sex = factor(sex, 1:2, c("Male", "Female")))
#' tab <- baseline_table(d, "sex", c("age", "ph.ecog"), categorical = "ph.ecog")
#' cat(format_table(tab, "markdown"))
#' cat(format_table(tab, "latex"))
#' cat(format_table(tab, "csv"))
#' if (requireNamespace("flextable", quietly = TRUE)) {
#'   f <- tempfile(fileext = ".docx")
#'   format_table(tab, "docx", file = f)
#' }
#' @md
#' @export
format_table <- function(x, format = c("markdown", "html", "latex", "csv",
                                       "docx"), ...) {
  UseMethod("format_table")
}

#' @rdname format_table
#' @md
#' @export
format_table.cs_table <- function(x, format = c("markdown", "html", "latex",
                                                "csv", "docx"),
                                  file = NULL, digits_p = 2,
                                  superscript = c("pandoc", "html"), ...) {
  format <- table_format_arg(format, text = TRUE)
  superscript <- arg_choice(superscript, "superscript", c("pandoc", "html"))
  n <- attr(x, "n")
  groups <- names(n)
  has_p <- !all(is.na(x$p_value))
  has_smd <- "smd" %in% names(x)
  tests <- unique(stats::na.omit(x$test))
  marks <- letters[seq_along(tests)]
  pval <- ifelse(is.na(x$p_value), "", format_p(x$p_value, digits = digits_p))
  mark <- ifelse(is.na(x$test), "", marks[match(x$test, tests)])
  smd <- if (has_smd) ifelse(is.na(x$smd), "", formatC(x$smd, format = "f",
                                                        digits = 2))
  if (format == "csv") {
    df <- data.frame(variable = x$variable, level = x$level,
                     stringsAsFactors = FALSE)
    for (k in groups) df[[paste0(k, " (n = ", n[[k]], ")")]] <- x[[k]]
    if (has_p) {
      df$p_value <- pval
      df$test <- ifelse(is.na(x$test), "", x$test)
    }
    if (has_smd) df$smd <- smd
    return(emit(csv_text(df), file))
  }
  # Display rows: a variable header row (with P) above its levels, or one
  # row for a single-row variable.
  extra <- function(i, with_p) {
    c(if (has_p) if (with_p) pval[i] else "", if (has_smd) if (with_p)
      smd[i] else "")
  }
  extra_marks <- function(i, with_p) {
    c(if (has_p) if (with_p) mark[i] else "", if (has_smd) "")
  }
  body <- list()
  for (v in unique(x$variable)) {
    idx <- which(x$variable == v)
    if (length(idx) == 1L) {
      body[[length(body) + 1L]] <- table_row(
        paste0(v, ", ", tolower_first(x$level[idx])),
        c(unlist(x[idx, groups]), extra(idx, TRUE)),
        c(rep("", length(groups)), extra_marks(idx, TRUE)))
    } else {
      body[[length(body) + 1L]] <- table_row(
        v, c(rep("", length(groups)), extra(idx[1L], TRUE)),
        c(rep("", length(groups)), extra_marks(idx[1L], TRUE)))
      for (i in idx) {
        body[[length(body) + 1L]] <- table_row(
          x$level[i], c(unlist(x[i, groups]), extra(i, FALSE)),
          indent = TRUE)
      }
    }
  }
  head <- c("Characteristic", paste0(groups, " (n = ", n, ")"),
            if (has_p) "P", if (has_smd) "SMD")
  tab <- list(head = head, body = body,
              note = baseline_note(x, tests, marks, has_smd))
  render_table(tab, format, file, superscript)
}

# The footnote of a baseline table: what the cells are, the tests with
# their letters, and how missing values, the continuity correction and
# simulated P values were handled.
baseline_note <- function(x, tests, marks, has_smd) {
  cont <- attr(x, "continuous")
  note <- paste0(
    "Values are n (%)", if (any(grepl("\u00b1|IQR", x$level))) {
      if (identical(cont, "mean_sd")) " or mean \u00b1 SD" else
        " or median (IQR)"
    }, ".")
  if (has_smd) note <- paste0(note, " SMD, standardised mean difference.")
  if (length(tests)) {
    note <- paste0(note, " Tests: ", paste0(marks, " ", tests,
                                            collapse = "; "), ".")
  }
  if ("Chi-square" %in% tests && !isTRUE(attr(x, "correct"))) {
    note <- paste0(note, " Chi-square tests are without continuity ",
                   "correction.")
  }
  if ("Fisher's exact, simulated" %in% tests) {
    sim <- attr(x, "simulation")
    note <- paste0(note, " Fisher's exact, simulated: P from ", format(sim[["B"]],
                                                       big.mark = ","),
                   " random tables with the observed margins (seed ",
                   sim[["seed"]], "), the table being too large for the ",
                   "exact computation.")
  }
  if (isTRUE(attr(x, "missing_untested"))) {
    note <- paste0(note, " Missing values are shown but not tested.")
  }
  note
}

#' @rdname format_table
#' @md
#' @export
format_table.data.frame <- function(x, format = c("markdown", "html", "latex",
                                                  "csv", "docx"),
                                    file = NULL,
                                    superscript = c("pandoc", "html"), ...) {
  format <- table_format_arg(format)
  superscript <- arg_choice(superscript, "superscript", c("pandoc", "html"))
  if (format == "csv") {
    return(emit(csv_text(x), file))
  }
  cells <- as.data.frame(lapply(x, function(col) {
    s <- if (is.numeric(col)) format(col, digits = 3) else as.character(col)
    s[is.na(col)] <- ""
    s
  }), stringsAsFactors = FALSE)
  body <- lapply(seq_len(nrow(cells)), function(i) {
    table_row(cells[i, 1L], unlist(cells[i, -1L]), bold = FALSE)
  })
  render_table(list(head = names(x), body = body, note = NULL), format, file,
               superscript)
}
