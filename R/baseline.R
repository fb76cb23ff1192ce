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
#'   as a level "Missing" (counted in the percentages and the test, as the
#'   seed paper's "Unknown" levels are) and the number of missing values of
#'   a continuous variable in a row of its own; `"drop"` leaves missing
#'   values out of the counts, the percentages and the tests.
#' @param categorical Names of numeric columns to treat as categorical
#'   (codes such as 0/1 or ECOG grades). Factor, character and logical
#'   columns are always categorical; other numeric columns are continuous.
#' @param labels Optional named character vector of display names for the
#'   variables, e.g. `c(age = "Age (yr)")`.
#'
#' @details
#' Percentages are of the group total (of the non-missing values when
#' `missing = "drop"`). The chi-square test is Pearson's, without Yates's
#' continuity correction, as Stata's `tabulate, chi2` (which the seed paper
#' used) computes it. Expected counts are those of the chi-square test,
#' row total times column total over the grand total, over the levels and
#' groups that occur. The Mann-Whitney test is [stats::wilcox.test()] with
#' its continuity correction. No test is done for a variable with a single
#' observed level, a single group with data, or no variation; its `p_value`
#' and `test` are `NA`.
#'
#' @returns An object of class `cs_table`: a data frame with columns
#'   `variable, level`, one character column per group (named by the group
#'   levels) holding the formatted cells ("31 (35.6)", or "60.1 +/- 8.9"
#'   written with the plus-minus sign),
#'   `p_value` (numeric, on the first row of each variable) and `test` (the
#'   name of the test used). Attributes: `n` (group sizes), `stats` (a data
#'   frame of every number in the cells: `variable, level, group, n,
#'   percent, mean, sd, median, q1, q3`), `by`, `continuous`, `digits`,
#'   `n_dropped`.
#' @references
#' Mann HB, Whitney DR (1947). On a test of whether one of two random
#' variables is stochastically larger than the other. *Annals of
#' Mathematical Statistics* 18, 50-60.
#'
#' Kruskal WH, Wallis WA (1952). Use of ranks in one-criterion variance
#' analysis. *Journal of the American Statistical Association* 47, 583-621.
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
#' @export
baseline_table <- function(data, by, vars = NULL,
                           continuous = c("mean_sd", "median_iqr"),
                           test = TRUE, exact = "auto", digits = 1,
                           missing = c("level", "drop"), categorical = NULL,
                           labels = NULL) {
  if (!is.data.frame(data)) {
    cs_abort("`data` must be a data frame; it is ", class(data)[1L], ".",
             arg = "data")
  }
  data <- as.data.frame(data, stringsAsFactors = FALSE)
  vars <- check_baseline_args(data, by, vars, test, exact, digits,
                              categorical, labels)
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
    label <- if (!is.null(labels) && v %in% names(labels)) labels[[v]] else v
    is_cat <- is.factor(x) || is.character(x) || is.logical(x) ||
      v %in% categorical
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
      describe_categorical(x, g, label, missing, digits, test, exact)
    } else {
      describe_continuous(x, g, label, missing, digits, test, exact,
                          continuous)
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
  structure(out, class = c("cs_table", "data.frame"), n = n_group,
            stats = st, by = by, continuous = continuous, digits = digits,
            n_dropped = n_dropped)
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
describe_categorical <- function(x, g, label, missing, digits, test, exact) {
  groups <- levels(g)
  f <- if (is.factor(x)) droplevels(x) else factor(x)
  if (missing == "level" && anyNA(f)) {
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
  pt <- if (test) categorical_test(tab, exact) else list(p = NA, name = NA)
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
categorical_test <- function(tab, exact) {
  tab <- tab[rowSums(tab) > 0, colSums(tab) > 0, drop = FALSE]
  if (nrow(tab) < 2L || ncol(tab) < 2L) return(list(p = NA_real_, name = NA))
  expected <- outer(rowSums(tab), colSums(tab)) / sum(tab)
  use_fisher <- if (identical(exact, "auto")) any(expected <= 5) else exact
  if (use_fisher) {
    p <- tryCatch(
      stats::fisher.test(tab, workspace = 2e7)$p.value,
      error = function(e) {
        cs_abort("Fisher's exact test failed on a ", nrow(tab), " x ",
                 ncol(tab), " table (", conditionMessage(e), "); use ",
                 "`exact = FALSE` for the chi-square test.", arg = "exact")
      }
    )
    list(p = p, name = "Fisher's exact")
  } else {
    p <- suppressWarnings(stats::chisq.test(tab, correct = FALSE)$p.value)
    list(p = p, name = "Chi-square")
  }
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
#' @export
print.cs_table <- function(x, digits_p = 2, ...) {
  cat(format_table(x, "text", digits_p = digits_p), sep = "")
  invisible(x)
}

#' Format a results table for a manuscript
#'
#' Renders a [baseline_table()] (or any data frame) as a markdown (pipe)
#' table, an HTML table, a LaTeX `tabular` or CSV text. A baseline table is
#' laid out as a journal's Table 1: the group sizes in the column headings,
#' each categorical variable on a row of its own with its P value, its
#' levels indented beneath, and a footnote naming the tests, each marked
#' with a letter.
#'
#' @param x A `cs_table` from [baseline_table()], or a data frame.
#' @param format One of `"markdown"`, `"html"`, `"latex"`, `"csv"`; `print()`
#'   uses a plain-text layout.
#' @param file Optional path; when given, the text is also written there.
#' @returns The formatted table as one character string (lines separated by
#'   newlines), invisibly when `file` is given.
#' @examples
#' library(survival)
#' d <- transform(lung, sex = factor(sex, 1:2, c("Male", "Female")))
#' tab <- baseline_table(d, "sex", c("age", "ph.ecog"), categorical = "ph.ecog")
#' cat(format_table(tab, "markdown"))
#' cat(format_table(tab, "latex"))
#' cat(format_table(tab, "csv"))
#' @export
format_table <- function(x, format = c("markdown", "html", "latex", "csv"),
                         ...) {
  UseMethod("format_table")
}

#' @rdname format_table
#' @export
format_table.cs_table <- function(x, format = c("markdown", "html", "latex",
                                                "csv"),
                                  file = NULL, digits_p = 2, ...) {
  format <- arg_choice(format, "format",
                       c("markdown", "html", "latex", "csv", "text"))
  n <- attr(x, "n")
  groups <- names(n)
  has_p <- !all(is.na(x$p_value))
  tests <- unique(stats::na.omit(x$test))
  marks <- letters[seq_along(tests)]
  pval <- ifelse(is.na(x$p_value), "", format_p(x$p_value, digits = digits_p))
  mark <- ifelse(is.na(x$test), "", marks[match(x$test, tests)])
  if (format == "csv") {
    df <- data.frame(variable = x$variable, level = x$level,
                     stringsAsFactors = FALSE)
    for (k in groups) df[[paste0(k, " (n = ", n[[k]], ")")]] <- x[[k]]
    if (has_p) {
      df$p_value <- pval
      df$test <- ifelse(is.na(x$test), "", x$test)
    }
    return(emit(csv_text(df), file))
  }
  # Display rows: a variable header row (with P) above its levels, or one
  # row for a single-row variable.
  vars <- unique(x$variable)
  body <- list()
  for (v in vars) {
    idx <- which(x$variable == v)
    single <- length(idx) == 1L
    if (single) {
      lab <- paste0(v, ", ", tolower_first(x$level[idx]))
      body[[length(body) + 1L]] <- list(
        label = lab, indent = FALSE, cells = unlist(x[idx, groups]),
        p = pval[idx], mark = mark[idx])
    } else {
      body[[length(body) + 1L]] <- list(
        label = v, indent = FALSE, cells = rep("", length(groups)),
        p = pval[idx[1L]], mark = mark[idx[1L]])
      for (i in idx) {
        body[[length(body) + 1L]] <- list(
          label = x$level[i], indent = TRUE,
          cells = unlist(x[i, groups]), p = "", mark = "")
      }
    }
  }
  head <- c("Characteristic", paste0(groups, " (n = ", n, ")"),
            if (has_p) "P")
  foot <- if (length(tests)) {
    paste0(marks, " ", tests, collapse = "; ")
  } else ""
  cont <- attr(x, "continuous")
  note <- paste0(
    "Values are n (%)", if (any(grepl("\u00b1|IQR", x$level))) {
      if (cont == "mean_sd") " or mean \u00b1 SD" else " or median (IQR)"
    }, ".")
  if (nzchar(foot)) note <- paste0(note, " Tests: ", foot, ".")
  text <- switch(format,
    text = render_text(body, head, has_p, note),
    markdown = render_markdown(body, head, has_p, note),
    html = render_html(body, head, has_p, note),
    latex = render_latex(body, head, has_p, note)
  )
  emit(text, file)
}

#' @rdname format_table
#' @export
format_table.data.frame <- function(x, format = c("markdown", "html", "latex",
                                                  "csv"),
                                    file = NULL, ...) {
  format <- arg_choice(format, "format", c("markdown", "html", "latex", "csv"))
  cells <- as.data.frame(lapply(x, function(col) {
    s <- if (is.numeric(col)) format(col, digits = 3) else as.character(col)
    s[is.na(col)] <- ""
    s
  }), stringsAsFactors = FALSE)
  if (format == "csv") {
    return(emit(csv_text(x), file))
  }
  body <- lapply(seq_len(nrow(cells)), function(i) {
    list(label = cells[i, 1L], indent = FALSE, bold = FALSE,
         cells = unlist(cells[i, -1L]), p = NULL, mark = "")
  })
  text <- switch(format,
    markdown = render_markdown(body, names(x), FALSE, NULL),
    html = render_html(body, names(x), FALSE, NULL),
    latex = render_latex(body, names(x), FALSE, NULL)
  )
  emit(text, file)
}

csv_text <- function(df) {
  lines <- utils::capture.output(utils::write.csv(df, row.names = FALSE,
                                                  na = ""))
  paste0(paste(lines, collapse = "\n"), "\n")
}

emit <- function(text, file) {
  if (is.null(file)) return(text)
  if (!is.character(file) || length(file) != 1L || is.na(file)) {
    cs_abort("`file` must be a single file path.", arg = "file")
  }
  con <- file(file, open = "w", encoding = "UTF-8")
  on.exit(close(con))
  writeLines(text, con, sep = "")
  invisible(text)
}

tolower_first <- function(s) {
  paste0(tolower(substr(s, 1L, 1L)), substr(s, 2L, nchar(s)))
}

row_cells <- function(r, has_p, sup) {
  c(r$cells, if (has_p) paste0(r$p, if (nzchar(r$mark)) sup(r$mark)))
}

render_text <- function(body, head, has_p, note) {
  m <- do.call(rbind, lapply(body, function(r) {
    c(paste0(if (r$indent) "  ", r$label),
      row_cells(r, has_p, function(m) paste0(" ", m)))
  }))
  m <- rbind(head, m)
  w <- apply(m, 2L, function(col) max(nchar(col, type = "width")))
  pad <- function(s, width, left) {
    sp <- strrep(" ", pmax(0L, width - nchar(s, type = "width")))
    if (left) paste0(s, sp) else paste0(sp, s)
  }
  lines <- apply(m, 1L, function(r) {
    paste(c(pad(r[1L], w[1L], TRUE),
            vapply(seq_along(r)[-1L], function(j) pad(r[j], w[j], FALSE),
                   character(1))), collapse = "  ")
  })
  rule <- strrep("-", nchar(lines[1L], type = "width"))
  paste0(paste(c(lines[1L], rule, lines[-1L], rule,
                 strwrap(note, width = max(40L, nchar(rule)))),
               collapse = "\n"), "\n")
}

md_escape <- function(s) gsub("|", "\\|", s, fixed = TRUE)

render_markdown <- function(body, head, has_p, note) {
  line <- function(cells) paste0("| ", paste(cells, collapse = " | "), " |")
  out <- c(line(md_escape(head)),
           line(c(":--", rep("--:", length(head) - 1L))))
  for (r in body) {
    lab <- md_escape(r$label)
    if (r$indent) lab <- paste0("&nbsp;&nbsp;&nbsp;&nbsp;", lab)
    if (!r$indent && !isFALSE(r$bold)) lab <- paste0("**", lab, "**")
    out <- c(out, line(c(lab, md_escape(row_cells(
      r, has_p, function(m) paste0("<sup>", m, "</sup>"))))))
  }
  if (!is.null(note)) out <- c(out, "", md_escape(note))
  paste0(paste(out, collapse = "\n"), "\n")
}

html_escape <- function(s) {
  s <- gsub("&", "&amp;", s, fixed = TRUE)
  s <- gsub("<", "&lt;", s, fixed = TRUE)
  gsub(">", "&gt;", s, fixed = TRUE)
}

render_html <- function(body, head, has_p, note) {
  th <- paste0("<th>", html_escape(head), "</th>", collapse = "")
  out <- c("<table>", "<thead>", paste0("<tr>", th, "</tr>"), "</thead>",
           "<tbody>")
  for (r in body) {
    style <- if (r$indent) " style=\"padding-left:1.5em\"" else ""
    lab <- html_escape(r$label)
    if (!r$indent && !isFALSE(r$bold)) {
      lab <- paste0("<strong>", lab, "</strong>")
    }
    cells <- row_cells(r, has_p, function(m) paste0("\001", m, "\002"))
    cells <- html_escape(cells)
    cells <- gsub("\001", "<sup>", gsub("\002", "</sup>", cells, fixed = TRUE),
                  fixed = TRUE)
    out <- c(out, paste0("<tr><td", style, ">", lab, "</td>",
                         paste0("<td>", cells, "</td>", collapse = ""),
                         "</tr>"))
  }
  out <- c(out, "</tbody>")
  if (!is.null(note)) {
    out <- c(out, paste0("<tfoot><tr><td colspan=\"", length(head), "\">",
                         html_escape(note), "</td></tr></tfoot>"))
  }
  out <- c(out, "</table>")
  paste0(paste(out, collapse = "\n"), "\n")
}

latex_escape <- function(s) {
  s <- gsub("\\", "\003", s, fixed = TRUE)
  s <- gsub("([&%$#_{}])", "\\\\\\1", s)
  s <- gsub("\003", "\\textbackslash{}", s, fixed = TRUE)
  s <- gsub("~", "\\textasciitilde{}", s, fixed = TRUE)
  s <- gsub("^", "\\textasciicircum{}", s, fixed = TRUE)
  s <- gsub("\u00b1", "$\\pm$", s, fixed = TRUE)
  s <- gsub("\u2264", "$\\le$", s, fixed = TRUE)
  s <- gsub("\u2265", "$\\ge$", s, fixed = TRUE)
  s <- gsub("<", "$<$", s, fixed = TRUE)
  gsub(">", "$>$", s, fixed = TRUE)
}

render_latex <- function(body, head, has_p, note) {
  ncol <- length(head)
  out <- c(paste0("\\begin{tabular}{l", strrep("r", ncol - 1L), "}"),
           "\\hline",
           paste0(paste(latex_escape(head), collapse = " & "), " \\\\"),
           "\\hline")
  for (r in body) {
    lab <- latex_escape(r$label)
    lab <- if (r$indent) paste0("\\quad ", lab) else lab
    cells <- row_cells(r, has_p, function(m) paste0("\001", m, "\002"))
    cells <- latex_escape(cells)
    cells <- gsub("\001", "$^{", gsub("\002", "}$", cells, fixed = TRUE),
                  fixed = TRUE)
    out <- c(out, paste0(paste(c(lab, cells), collapse = " & "), " \\\\"))
  }
  out <- c(out, "\\hline")
  if (!is.null(note)) {
    out <- c(out, paste0("\\multicolumn{", ncol, "}{l}{\\footnotesize ",
                         latex_escape(note), "} \\\\"))
  }
  out <- c(out, "\\end{tabular}")
  paste0(paste(out, collapse = "\n"), "\n")
}
