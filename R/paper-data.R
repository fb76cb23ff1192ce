# The seed paper's data: the columns its analysis uses, the labels it
# prints, its five Kaplan-Meier figures and its published numbers. The
# library (km, cox, logrank, baseline_table, subgroup_hr) knows nothing of
# the paper; R/paper-*.R is the only place that does.
#
#   paper-data.R        the data, the labels, the figures, the published CSVs
#   paper-analysis.R    every number the paper reports, recomputed
#   paper-comparison.R  published versus reproduced, at the paper's rounding
#   paper-report.R      reproduce_paper(): the files and report.html

# Columns the analysis uses, with the values they must take (NULL: any).
paper_columns <- list(
  os_months = NULL, death = NULL,
  group = c("STA", "LRT"), surgery = c("no", "yes"),
  timing = c("SBC", "SDC", "SAC"),
  margin = c("Negative", "Positive", "Unknown"),
  surgery_type = NULL, radiotherapy = c("no", "yes"),
  age = NULL, age_group = NULL, tumor_size = NULL, nodal = NULL,
  ki67 = NULL, met_site = NULL, subtype = NULL, hr_status = NULL,
  her2 = NULL
)

#' @rdname paper_analysis
#' @export
paper_data <- function(data) {
  if (!is.data.frame(data)) {
    cs_abort("`data` must be a data frame with the columns of `dnmbc`; it ",
             "is ", class(data)[1L], ".", arg = "data")
  }
  data <- as.data.frame(data, stringsAsFactors = FALSE)
  miss <- setdiff(names(paper_columns), names(data))
  if (length(miss)) {
    cs_abort("`data` must have the columns of `dnmbc` that the analysis ",
             "uses; it lacks ", paste0("`", miss, "`", collapse = ", "), ".",
             arg = "data")
  }
  if (!nrow(data)) cs_abort("`data` has no rows.", arg = "data")
  t <- data$os_months
  if (!is.numeric(t) || anyNA(t) || any(!is.finite(t)) || any(t < 0)) {
    bad <- if (is.numeric(t)) is.na(t) | !is.finite(t) | t < 0 else
      rep(TRUE, length(t))
    cs_abort("`data$os_months` must be non-negative numbers (months); ",
             first_bad(t, bad), ".", arg = "data")
  }
  s <- data$death
  if (is.logical(s)) s <- as.integer(s)
  if (!is.numeric(s) || anyNA(s) || any(!s %in% c(0, 1))) {
    cs_abort("`data$death` must be 0 (alive) or 1 (died); ",
             first_bad(s, is.na(s) | !s %in% c(0, 1)), ".", arg = "data")
  }
  data$death <- as.integer(s)
  for (v in names(paper_columns)) {
    allowed <- paper_columns[[v]]
    if (is.null(allowed)) next
    x <- as.character(data[[v]])
    bad <- !is.na(x) & !x %in% allowed
    if (any(bad)) {
      cs_abort("`data$", v, "` must take the values ",
               paste0("\"", allowed, "\"", collapse = ", "), "; ",
               first_bad(x, bad), ".", arg = "data")
    }
    data[[v]] <- factor(x, levels = allowed)
  }
  for (v in c("group", "surgery", "radiotherapy")) {
    x <- data[[v]]
    if (anyNA(x)) {
      cs_abort("`data$", v, "` must not be missing; ",
               first_bad(x, is.na(x)), ".", arg = "data")
    }
    if (any(table(x) == 0L)) {
      cs_abort("`data$", v, "` must hold both \"",
               paste(levels(x), collapse = "\" and \""), "\".", arg = "data")
    }
  }
  op <- data$surgery == "yes"
  if (anyNA(data$timing[op])) {
    cs_abort("`data$timing` must be given for every operated patient; ",
             first_bad(data$timing, op & is.na(data$timing)), ".",
             arg = "data")
  }
  for (v in c("margin", "timing")) {
    data[[v]][!op] <- NA
  }
  data$surgery_type[!op] <- NA
  for (v in c("age_group", "tumor_size", "nodal", "ki67", "met_site",
              "subtype", "hr_status", "her2", "surgery_type")) {
    if (!is.factor(data[[v]])) data[[v]] <- factor(data[[v]])
  }
  if (anyNA(data$met_site)) {
    cs_abort("`data$met_site` must not be missing: it stratifies the Cox ",
             "model; ", first_bad(data$met_site, is.na(data$met_site)), ".",
             arg = "data")
  }
  data
}

#' @rdname paper_analysis
#' @param vars Names of variables; `NULL` for all.
#' @export
paper_labels <- function(vars = NULL) {
  lab <- c(age_group = "Age (yr)", tumor_size = "Tumor size (cm)",
           nodal = "Nodal status", ki67 = "Ki-67 index",
           met_site = "Metastatic sites", subtype = "Molecular subtypes",
           hr_status = "HR status", her2 = "HER-2 expression",
           surgery_type = "Type of surgery", margin = "Surgical margins")
  if (is.null(vars)) lab else lab[vars]
}

#' @rdname paper_analysis
#' @param file One of `"table1.csv"`, `"table2.csv"`, `"at_risk.csv"`,
#'   `"estimates.csv"`.
#' @param as_printed If `TRUE`, every column is character, as printed
#'   (`"35.0"` keeps its decimal) and empty cells are `NA`; if `FALSE`,
#'   numbers are read as numbers and empty text stays `""`.
#' @export
paper_published <- function(file, as_printed = TRUE) {
  check_flag(as_printed, "as_printed")
  path <- system.file("extdata", file, package = "cohortsurv")
  if (!nzchar(path)) {
    cs_abort("the published table \"", file, "\" is not installed.")
  }
  if (as_printed) {
    utils::read.csv(path, colClasses = "character", na.strings = "")
  } else {
    utils::read.csv(path, stringsAsFactors = FALSE)
  }
}

# The five Kaplan-Meier figures: which patients (`rows`: all, operated, or
# operated with known margins), which variable and its labels, the label
# of the hazard ratio and whether the primary models are stratified by
# metastatic site. Figure 4's hazard ratio is on the known margins only.
paper_figure_spec <- list(
  list(figure = "Figure 1", comparison = "LRT vs STA", rows = "all",
       var = "group", labels = c(STA = "STA", LRT = "LRT"),
       hr_label = "LRT vs STA", strata = TRUE),
  list(figure = "Figure 2", comparison = "Surgery vs non-surgery",
       rows = "all", var = "surgery",
       labels = c(no = "Non-surgery", yes = "Surgery"),
       hr_label = "Surgery vs non-surgery", strata = FALSE),
  list(figure = "Figure 3", comparison = "Timing of surgery",
       rows = "operated", var = "timing",
       labels = c(SBC = "SBC", SDC = "SDC", SAC = "SAC"),
       hr_label = "Trend per step SBC < SDC < SAC", strata = FALSE),
  list(figure = "Figure 4", comparison = "Surgical margins",
       rows = "operated", var = "margin",
       labels = c(Negative = "Negative", Positive = "Positive",
                  Unknown = "Unknown"),
       hr_label = "Positive vs negative", strata = FALSE,
       hr_rows = "known"),
  list(figure = "Figure 5", comparison = "Radiotherapy", rows = "all",
       var = "radiotherapy", labels = c(no = "No RT", yes = "RT"),
       hr_label = "RT vs no RT", strata = FALSE)
)

# The figure of each comparison, c("LRT vs STA" = "Figure 1", ...).
paper_figure_of <- function() {
  stats::setNames(vapply(paper_figure_spec, `[[`, "", "figure"),
                  vapply(paper_figure_spec, `[[`, "", "comparison"))
}

# The five figures on the validated data: each spec with its `data` (the
# arm as a factor of the labels) and `hr_data` (with `score`, the arm's
# position, for Figure 3's trend).
paper_figures <- function(d) {
  surg <- d[d$surgery == "yes", , drop = FALSE]
  known <- surg[surg$margin %in% c("Negative", "Positive"), , drop = FALSE]
  known$margin <- droplevels(known$margin)
  pick <- list(all = d, operated = surg, known = known)
  lapply(paper_figure_spec, function(s) {
    x <- pick[[s$rows]]
    x$arm <- factor(s$labels[as.character(x[[s$var]])], levels = s$labels)
    x <- x[!is.na(x$arm), , drop = FALSE]
    x$arm <- droplevels(x$arm)
    hd <- if (is.null(s$hr_rows)) x else pick[[s$hr_rows]]
    hd$arm <- factor(s$labels[as.character(hd[[s$var]])])
    hd$arm <- droplevels(factor(hd$arm, levels = s$labels))
    hd$score <- as.integer(hd[[s$var]])
    list(figure = s$figure, comparison = s$comparison, data = x,
         var = s$var, labels = s$labels, hr_label = s$hr_label,
         strata = s$strata, hr_data = hd)
  })
}
