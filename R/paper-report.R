#' Re-run the analysis of the seed paper and write its results
#'
#' The package's main job, run by `make reproduce`: the whole analysis of
#' Sun et al. (2020) on [dnmbc], or on a data frame with the same columns
#' (so that the authors, who hold the real records, can re-run it). It
#' writes every table as CSV and HTML, every figure as PDF and PNG, and
#' `report.html`, one page with all tables and figures and the comparison of
#' every published number with its reproduced value; and prints a
#' one-screen summary with a progress line per step.
#'
#' @param dir Directory to write into; created if needed. Existing files of
#'   the same names are overwritten.
#' @param data A data frame with one row per patient and the columns of
#'   [dnmbc] that the analysis uses: `os_months`, `death`, `group`
#'   (`"STA"`/`"LRT"`), `surgery` and `radiotherapy` (`"no"`/`"yes"`),
#'   `timing` (`"SBC"`, `"SDC"`, `"SAC"`), `margin` (`"Negative"`,
#'   `"Positive"`, `"Unknown"`) and `surgery_type` (both `NA` without
#'   surgery), and the baseline characteristics `age`, `age_group`,
#'   `tumor_size`, `nodal`, `ki67`, `met_site`, `subtype`, `hr_status`,
#'   `her2`. Factors or character columns both work.
#' @param quiet If `TRUE`, print nothing.
#'
#' @details
#' The analysis, step by step (the vignettes explain each choice):
#' \enumerate{
#'   \item Table 1 (characteristics by LRT / STA) and Table 2 (operated
#'     patients by timing of surgery) with [baseline_table()].
#'   \item Figures 1 to 5: Kaplan-Meier curves ([km()]) with the
#'     number-at-risk table at 0, 15, ..., 135 months; medians with
#'     symmetric (as the paper reports them) and Brookmeyer-Crowley 95%
#'     intervals; hazard ratios from [cox()] with Breslow ties (Stata's
#'     default, which the authors used), with Efron ties and the other
#'     stratification beside them; log-rank tests ([logrank()]).
#'     Figure 1 (LRT vs STA) uses the paper's "stratified Cox model" and
#'     "stratified log-rank test", stratified by metastatic site (bone only
#'     / viscera only / multi-organ); Figures 2 to 5 are unstratified.
#'     Figure 3's hazard ratio is one HR per step of the ordinal covariate
#'     SBC = 1, SDC = 2, SAC = 3 (with the 3-group log-rank test and the
#'     log-rank test for trend); Figure 4's compares positive with negative
#'     margins among the patients whose margins are known.
#'   \item Figure 6: LRT vs STA within subgroups ([subgroup_hr()],
#'     stratified by metastatic site except within its own levels, unknown
#'     levels left out as the figure's legend says), drawn by
#'     [forest_plot()] with a dashed line at the overall hazard ratio.
#'   \item The published numbers (`system.file("extdata", package =
#'     "cohortsurv")`) beside the reproduced ones, each marked as agreeing
#'     or not when the reproduced value is rounded as the paper prints it.
#' }
#'
#' Files written: `table1`, `table2`, `medians`, `hazard_ratios`,
#' `logrank`, `at_risk`, `subgroups` and `comparison` (`.csv` and `.html`);
#' `figure1` to `figure6` (`.pdf` and `.png`); `report.html`.
#'
#' @returns Invisibly, a list of class `cs_paper` with `files` (the paths
#'   written), `tables` (the data frames written, by name), `agree` (the
#'   number of published numbers that agree at the paper's rounding) and
#'   `compared` (the number compared).
#' @references
#' Sun J, Kong L, Feng N, Liu H, Ren C (2020). Locoregional treatment in de
#' novo metastatic breast cancer: a retrospective cohort study. Research
#' Square preprint, \doi{10.21203/rs.3.rs-70080/v1}.
#' @seealso `vignette("overall-survival", package = "cohortsurv")` and the
#'   other vignettes, which go through the same analysis figure by figure.
#' @examples
#' \donttest{
#' out <- reproduce_paper(file.path(tempdir(), "cohortsurv-output"))
#' basename(out$files)
#' head(out$tables$comparison)
#' }
#' @export
reproduce_paper <- function(dir = "output", data = cohortsurv::dnmbc,
                            quiet = FALSE) {
  if (!is.character(dir) || length(dir) != 1L || is.na(dir) || !nzchar(dir)) {
    cs_abort("`dir` must be a single directory path.", arg = "dir")
  }
  check_flag(quiet, "quiet")
  d <- paper_data(data)
  if (!dir.exists(dir) && !dir.create(dir, showWarnings = FALSE,
                                      recursive = TRUE)) {
    cs_abort("`dir` could not be created: \"", dir, "\".", arg = "dir")
  }
  say <- function(...) if (!quiet) cat(..., "\n", sep = "")
  step <- function(k, ...) say(sprintf("[%d/9] ", k), ...)
  out <- paper_writer(dir)

  say("reproduce_paper(): ", nrow(d), " patients, ", sum(d$death),
      " deaths; writing to ", normalizePath(dir))
  res <- paper_analysis(d)
  # write first, then report: step()'s arguments are not evaluated when quiet
  written <- out$table(res$table1, "table1",
                       "Table 1. Demographics and baseline characteristics")
  step(1L, "Table 1, characteristics by LRT / STA      -> ", written)
  written <- out$table(res$table2, "table2",
                       "Table 2. Characteristics of patients undergoing surgery")
  step(2L, "Table 2, operated patients by timing       -> ", written)
  for (k in 1:5) {
    fg <- res$figures[[k]]
    hr <- res$hazard_ratios[res$hazard_ratios$figure == fg$figure &
                              res$hazard_ratios$primary, ]
    written <- out$figure(function() draw_paper_km(fg), paste0("figure", k))
    step(k + 2L, sprintf("%-42s", paste0(fg$figure, ", ", fg$comparison)),
         " -> ", written, "  ",
         format_hr(hr$hr, hr$lower, hr$upper, prefix = TRUE))
  }
  sg <- res$subgroups
  written <- out$figure(function() {
    graphics::plot(sg, favours = c("LRT better", "STA better"))
  }, "figure6", width = 9, height = 9)
  step(8L, sprintf("%-42s", "Figure 6, subgroups (forest plot)"), " -> ",
       written, "  ", sum(sg$subgroup != "Overall"), " subgroup rows")
  paper_write_tables(out, res)
  cmp <- res$comparison
  report <- file.path(dir, "report.html")
  writeLines(paper_report(res, d), report, useBytes = TRUE)
  out$files <- c(out$files, report)
  step(9L, sprintf("%-42s", "Report (tables, figures, comparison)"),
       " -> report.html")
  n_ok <- sum(cmp$agrees == "yes")
  say("Published versus reproduced: ", n_ok, " of ", nrow(cmp),
      " numbers agree at the paper's rounding.")
  misses <- paper_misses(cmp)
  if (length(misses)) say(misses)
  say("Wrote ", length(out$files), " files; open ", report)
  invisible(structure(
    list(files = out$files, tables = out$tables, agree = n_ok,
         compared = nrow(cmp)),
    class = "cs_paper"))
}

# Writes tables (CSV and HTML) and figures (PDF and PNG) into `dir`,
# keeping the paths in `files` and the tables, as data frames, in `tables`.
paper_writer <- function(dir) {
  w <- new.env(parent = emptyenv())
  w$files <- character()
  w$tables <- list()
  w$table <- function(x, name, title) {
    w$tables[[name]] <- as.data.frame(x)
    csv <- file.path(dir, paste0(name, ".csv"))
    html <- file.path(dir, paste0(name, ".html"))
    if (inherits(x, "cs_table")) {
      format_table(x, "csv", file = csv)
    } else {
      utils::write.csv(x, csv, row.names = FALSE, na = "")
    }
    writeLines(html_page(title, table_html(x)), html, useBytes = TRUE)
    w$files <- c(w$files, csv, html)
    paste0(name, ".csv/.html")
  }
  w$figure <- function(draw, name, width = 7, height = 6) {
    pdf <- file.path(dir, paste0(name, ".pdf"))
    png <- file.path(dir, paste0(name, ".png"))
    save_plot(draw(), pdf, width = width, height = height)
    save_plot(draw(), png, width = width, height = height, res = 150)
    w$files <- c(w$files, pdf, png)
    paste0(name, ".pdf/.png")
  }
  w
}

# The tables written after the figures.
paper_write_tables <- function(out, res) {
  out$table(res$medians, "medians",
            "Median overall survival (months) with 95% confidence intervals")
  out$table(res$hazard_ratios, "hazard_ratios", "Hazard ratios")
  out$table(res$logrank, "logrank", "Log-rank tests")
  out$table(res$at_risk, "at_risk", "Numbers at risk")
  out$table(as.data.frame(res$subgroups), "subgroups",
            "Figure 6. Hazard ratios (LRT vs STA) within subgroups")
  out$table(res$comparison, "comparison", "Published versus reproduced")
}

# The first twelve published numbers not matched, as lines to print;
# NULL when every one is.
paper_misses <- function(cmp) {
  miss <- cmp[cmp$agrees != "yes", , drop = FALSE]
  if (!nrow(miss)) return(NULL)
  show <- utils::head(miss, 12L)
  c("Not matched (published -> reproduced):\n",
    paste0("  ", sprintf("%-48s", substr(paste(show$section, show$quantity,
                                                show$group), 1, 48)),
           " ", show$published, " -> ", show$reproduced, collapse = "\n"),
    if (nrow(miss) > 12L) {
      paste0("\n  ... and ", nrow(miss) - 12L, " more in comparison.csv")
    })
}

# Draw one Kaplan-Meier figure of the paper.
draw_paper_km <- function(fg) {
  graphics::plot(fg$fit, times = seq(0, 135, 15), xlab = "Months",
                 ylab = "Overall survival", annotate = fg$annotate,
                 main = paste0(fg$figure, ". ", fg$comparison))
}

# HTML ----------------------------------------------------------------------

table_html <- function(x) {
  if (inherits(x, "cs_table")) return(format_table(x, "html"))
  x <- as.data.frame(x)
  num <- vapply(x, is.numeric, logical(1))
  for (v in names(x)[num]) {
    x[[v]] <- ifelse(is.na(x[[v]]), "",
                     if (grepl("p_value|p_interaction", v)) {
                       format_p(pmin(pmax(x[[v]], 0), 1), digits = 2)
                     } else {
                       format(signif(x[[v]], 4), trim = TRUE)
                     })
  }
  x[] <- lapply(x, function(col) {
    col <- as.character(col)
    col[is.na(col)] <- ""
    col
  })
  head <- paste0("<th>", html_escape(names(x)), "</th>", collapse = "")
  body <- apply(x, 1L, function(r) {
    cls <- if ("agrees" %in% names(x) && r[["agrees"]] == "no") {
      " class=\"miss\""
    } else ""
    paste0("<tr", cls, ">", paste0("<td>", html_escape(r), "</td>",
                                   collapse = ""), "</tr>")
  })
  paste0(c("<table>", paste0("<thead><tr>", head, "</tr></thead>"),
           "<tbody>", body, "</tbody>", "</table>"), collapse = "\n")
}

html_css <- paste(
  "body{font-family:sans-serif;max-width:72em;margin:2em auto;",
  "padding:0 1em;line-height:1.4}",
  "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}",
  "th,td{border-bottom:1px solid #ccc;padding:0.2em 0.6em;text-align:left}",
  "tr.miss td{background:#fdecea}",
  "img{max-width:100%;border:1px solid #eee}",
  "figure{margin:1em 0}")

html_page <- function(title, body) {
  c("<!DOCTYPE html>", "<html lang=\"en\">", "<head>",
    "<meta charset=\"utf-8\">", paste0("<title>", html_escape(title),
                                       "</title>"),
    paste0("<style>", html_css, "</style>"), "</head>", "<body>",
    paste0("<h1>", html_escape(title), "</h1>"), body, "</body>", "</html>")
}

paper_report <- function(res, d) {
  cmp <- res$comparison
  h <- function(level, text) paste0("<h", level, ">", html_escape(text),
                                    "</h", level, ">")
  p <- function(...) paste0("<p>", html_escape(paste0(...)), "</p>")
  fig <- function(name, caption) {
    paste0("<figure><a href=\"", name, ".pdf\"><img src=\"", name,
           ".png\" alt=\"", html_escape(caption), "\"></a><figcaption>",
           html_escape(caption), " (<a href=\"", name,
           ".pdf\">PDF</a>)</figcaption></figure>")
  }
  body <- c(
    p("Sun J, Kong L, Feng N, Liu H, Ren C (2020). Locoregional treatment ",
      "in de novo metastatic breast cancer: a retrospective cohort study. ",
      "Re-run by cohortsurv ", as.character(utils::packageVersion(
        "cohortsurv")), " on ", nrow(d), " patients (", sum(d$death),
      " deaths). Hazard ratios use Breslow ties (Stata's default, which the ",
      "authors used); the stratified Cox model and the stratified log-rank ",
      "test of Figure 1 are stratified by metastatic site."),
    p(sum(cmp$agrees == "yes"), " of ", nrow(cmp), " published numbers ",
      "agree with the reproduction when it is rounded as the paper prints ",
      "them; the rows that do not are shaded in the comparison at the end."),
    h(2, "Table 1. Demographics and baseline characteristics"),
    table_html(res$table1),
    h(2, "Table 2. Characteristics of patients undergoing surgery"),
    table_html(res$table2))
  for (k in seq_along(res$figures)) {
    fg <- res$figures[[k]]
    nm <- fg$figure
    body <- c(body, h(2, paste0(nm, ". ", fg$comparison)),
              fig(paste0("figure", k), paste0(nm, ". ", fg$comparison)),
              h(3, "Medians (months)"),
              table_html(res$medians[res$medians$figure == nm, -(1:2)]),
              h(3, "Hazard ratios"),
              table_html(res$hazard_ratios[res$hazard_ratios$figure == nm,
                                           -1L]),
              h(3, "Log-rank tests"),
              table_html(res$logrank[res$logrank$figure == nm, -(1:2)]))
  }
  body <- c(body, h(2, "Figure 6. Subgroups"),
            fig("figure6", "Figure 6. LRT vs STA within subgroups"),
            table_html(as.data.frame(res$subgroups)),
            h(2, "Published versus reproduced"),
            p("A reproduced number agrees when, rounded to the decimals the ",
              "paper prints, it equals the published one (\"<.0001\": it is ",
              "below .0001)."),
            table_html(cmp))
  html_page("Locoregional treatment in de novo metastatic breast cancer: reproduced",
            body)
}

