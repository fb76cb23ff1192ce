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
  files <- character()
  tables <- list()
  out_table <- function(x, name, title) {
    tables[[name]] <<- as.data.frame(x)
    csv <- file.path(dir, paste0(name, ".csv"))
    html <- file.path(dir, paste0(name, ".html"))
    if (inherits(x, "cs_table")) {
      format_table(x, "csv", file = csv)
    } else {
      utils::write.csv(x, csv, row.names = FALSE, na = "")
    }
    writeLines(html_page(title, table_html(x)), html, useBytes = TRUE)
    files <<- c(files, csv, html)
    paste0(name, ".csv/.html")
  }
  out_figure <- function(draw, name, width = 7, height = 6) {
    pdf <- file.path(dir, paste0(name, ".pdf"))
    png <- file.path(dir, paste0(name, ".png"))
    save_plot(draw(), pdf, width = width, height = height)
    save_plot(draw(), png, width = width, height = height, res = 150)
    files <<- c(files, pdf, png)
    paste0(name, ".pdf/.png")
  }

  say("reproduce_paper(): ", nrow(d), " patients, ", sum(d$death),
      " deaths; writing to ", normalizePath(dir))
  res <- paper_analysis(d)

  step(1L, "Table 1, characteristics by LRT / STA      -> ",
       out_table(res$table1, "table1",
                 "Table 1. Demographics and baseline characteristics"))
  step(2L, "Table 2, operated patients by timing       -> ",
       out_table(res$table2, "table2",
                 "Table 2. Characteristics of patients undergoing surgery"))
  for (k in 1:5) {
    fg <- res$figures[[k]]
    hr <- res$hazard_ratios[res$hazard_ratios$figure == fg$figure &
                              res$hazard_ratios$primary, ]
    step(k + 2L, sprintf("%-42s", paste0(fg$figure, ", ", fg$comparison)),
         " -> ", out_figure(function() draw_paper_km(fg), paste0("figure", k)),
         "  ", format_hr(hr$hr, hr$lower, hr$upper, prefix = TRUE))
  }
  sg <- res$subgroups
  step(8L, sprintf("%-42s", "Figure 6, subgroups (forest plot)"), " -> ",
       out_figure(function() {
         graphics::plot(sg, favours = c("LRT better", "STA better"))
       }, "figure6", width = 9, height = 9),
       "  ", sum(sg$subgroup != "Overall"), " subgroup rows")
  out_table(res$medians, "medians",
            "Median overall survival (months) with 95% confidence intervals")
  out_table(res$hazard_ratios, "hazard_ratios", "Hazard ratios")
  out_table(res$logrank, "logrank", "Log-rank tests")
  out_table(res$at_risk, "at_risk", "Numbers at risk")
  out_table(as.data.frame(sg), "subgroups",
            "Figure 6. Hazard ratios (LRT vs STA) within subgroups")
  cmp <- res$comparison
  out_table(cmp, "comparison", "Published versus reproduced")
  n_ok <- sum(cmp$agrees == "yes")
  report <- file.path(dir, "report.html")
  writeLines(paper_report(res, d), report, useBytes = TRUE)
  files <- c(files, report)
  step(9L, sprintf("%-42s", "Report (tables, figures, comparison)"),
       " -> report.html")
  say("Published versus reproduced: ", n_ok, " of ", nrow(cmp),
      " numbers agree at the paper's rounding.")
  miss <- cmp[cmp$agrees != "yes", , drop = FALSE]
  if (nrow(miss)) {
    say("Not matched (published -> reproduced):")
    show <- utils::head(miss, 12L)
    say(paste0("  ", sprintf("%-48s", substr(paste(show$section, show$quantity,
                                                    show$group), 1, 48)),
               " ", show$published, " -> ", show$reproduced,
               collapse = "\n"))
    if (nrow(miss) > 12L) {
      say("  ... and ", nrow(miss) - 12L, " more in comparison.csv")
    }
  }
  say("Wrote ", length(files), " files; open ", report)
  invisible(structure(
    list(files = files, tables = tables, agree = n_ok, compared = nrow(cmp)),
    class = "cs_paper"))
}

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

# Validate a user's data frame and bring it to the coding of dnmbc.
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

# The five Kaplan-Meier figures: which patients, which variable, labels.
paper_figures <- function(d) {
  surg <- d[d$surgery == "yes", , drop = FALSE]
  known <- surg[surg$margin %in% c("Negative", "Positive"), , drop = FALSE]
  known$margin <- droplevels(known$margin)
  spec <- list(
    list(figure = "Figure 1", comparison = "LRT vs STA", data = d,
         var = "group", labels = c(STA = "STA", LRT = "LRT"),
         hr_label = "LRT vs STA", strata = TRUE),
    list(figure = "Figure 2", comparison = "Surgery vs non-surgery",
         data = d, var = "surgery",
         labels = c(no = "Non-surgery", yes = "Surgery"),
         hr_label = "Surgery vs non-surgery", strata = FALSE),
    list(figure = "Figure 3", comparison = "Timing of surgery", data = surg,
         var = "timing", labels = c(SBC = "SBC", SDC = "SDC", SAC = "SAC"),
         hr_label = "Trend per step SBC < SDC < SAC", strata = FALSE),
    list(figure = "Figure 4", comparison = "Surgical margins", data = surg,
         var = "margin", labels = c(Negative = "Negative",
                                    Positive = "Positive",
                                    Unknown = "Unknown"),
         hr_label = "Positive vs negative", strata = FALSE, hr_data = known),
    list(figure = "Figure 5", comparison = "Radiotherapy", data = d,
         var = "radiotherapy", labels = c(no = "No RT", yes = "RT"),
         hr_label = "RT vs no RT", strata = FALSE)
  )
  lapply(spec, function(s) {
    x <- s$data
    x$arm <- factor(s$labels[as.character(x[[s$var]])], levels = s$labels)
    x <- x[!is.na(x$arm), , drop = FALSE]
    x$arm <- droplevels(x$arm)
    s$data <- x
    hd <- if (is.null(s$hr_data)) x else s$hr_data
    hd$arm <- factor(s$labels[as.character(hd[[s$var]])])
    hd$arm <- droplevels(factor(hd$arm, levels = s$labels))
    hd$score <- as.integer(hd[[s$var]])
    s$hr_data <- hd
    s
  })
}

# Everything the paper reports, computed from the validated data frame.
paper_analysis <- function(d) {
  out <- list()
  lab <- c(age_group = "Age (yr)", tumor_size = "Tumor size (cm)",
           nodal = "Nodal status", ki67 = "Ki-67 index",
           met_site = "Metastatic sites", subtype = "Molecular subtypes",
           hr_status = "HR status", her2 = "HER-2 expression",
           surgery_type = "Type of surgery", margin = "Surgical margins")
  t1 <- d
  t1$group <- factor(t1$group, levels = c("LRT", "STA"))
  v1 <- c("age_group", "tumor_size", "nodal", "ki67", "met_site", "subtype",
          "hr_status", "her2")
  out$table1 <- baseline_table(t1, by = "group", vars = v1, labels = lab[v1])
  t2 <- d[d$surgery == "yes", , drop = FALSE]
  t2$timing <- factor(t2$timing, levels = c("SAC", "SBC", "SDC"))
  v2 <- c("age_group", "tumor_size", "ki67", "met_site", "subtype",
          "hr_status", "her2", "surgery_type", "margin")
  out$table2 <- baseline_table(t2, by = "timing", vars = v2, labels = lab[v2])

  figs <- paper_figures(d)
  times <- seq(0, 135, 15)
  med <- hrs <- lrs <- risk <- list()
  for (k in seq_along(figs)) {
    s <- figs[[k]]
    x <- s$data
    fit <- km(Surv(os_months, death) ~ arm, data = x)
    sym <- km(Surv(os_months, death) ~ arm, data = x,
              median_ci = "symmetric")
    groups <- levels(x$arm)
    med[[k]] <- data.frame(
      figure = s$figure, comparison = s$comparison, group = groups,
      n = fit$table$n, events = fit$table$events, median = fit$table$median,
      lower_symmetric = sym$table$median_lower,
      upper_symmetric = sym$table$median_upper,
      lower_bc = fit$table$median_lower, upper_bc = fit$table$median_upper,
      stringsAsFactors = FALSE)
    ar <- summary(fit, times = times)
    risk[[k]] <- data.frame(figure = s$figure, comparison = s$comparison,
                            group = groups[as.integer(ar$strata)],
                            time = ar$time, n_risk = ar$n_risk,
                            stringsAsFactors = FALSE)
    hd <- s$hr_data
    rhs <- if (s$figure == "Figure 3") "score" else "arm"
    fits <- list(
      c(ties = "breslow", strata = s$strata),
      c(ties = "efron", strata = s$strata),
      c(ties = "breslow", strata = !s$strata)
    )
    hrs[[k]] <- do.call(rbind, lapply(seq_along(fits), function(j) {
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
    lr_rows <- list()
    add_lr <- function(test, fm, data, primary, trend = FALSE) {
      lr <- logrank(fm, data = data, trend = trend)
      r <- if (trend) lr$trend else lr
      lr_rows[[length(lr_rows) + 1L]] <<- data.frame(
        figure = s$figure, comparison = s$comparison, test = test,
        groups = paste(levels(droplevels(data$arm)), collapse = " / "),
        strata = if (grepl("strata", deparse(fm))) "met_site" else "none",
        primary = primary, statistic = r$statistic, df = r$df,
        p_value = r$p_value, stringsAsFactors = FALSE)
    }
    f0 <- Surv(os_months, death) ~ arm
    fs <- Surv(os_months, death) ~ arm + strata(met_site)
    if (s$strata) {
      add_lr("stratified log-rank", fs, x, TRUE)
      add_lr("log-rank", f0, x, FALSE)
    } else {
      add_lr("log-rank", f0, x, TRUE)
      add_lr("stratified log-rank", fs, x, FALSE)
    }
    if (s$figure == "Figure 3") {
      add_lr("log-rank for trend (scores 1, 2, 3)", f0, x, FALSE,
             trend = TRUE)
    }
    if (s$figure == "Figure 4") {
      add_lr("log-rank, known margins", f0, hd, FALSE)
    }
    lrs[[k]] <- do.call(rbind, lr_rows)
    figs[[k]]$fit <- fit
  }
  out$medians <- do.call(rbind, med)
  out$hazard_ratios <- do.call(rbind, hrs)
  out$logrank <- do.call(rbind, lrs)
  out$at_risk <- do.call(rbind, risk)
  for (k in seq_along(figs)) {
    h <- out$hazard_ratios[out$hazard_ratios$figure == figs[[k]]$figure &
                             out$hazard_ratios$primary, ]
    l <- out$logrank[out$logrank$figure == figs[[k]]$figure &
                       out$logrank$primary, ]
    figs[[k]]$annotate <- c(
      format_hr(h$hr, h$lower, h$upper, prefix = TRUE,
                label = if (k == 3L) "HR per step" else "HR"),
      paste0(sub("^(.)", "\\U\\1", l$test, perl = TRUE), " ",
             format_p(l$p_value, prefix = TRUE)))
  }
  out$figures <- figs

  # Figure 6: unknown levels are left out, as the figure's legend says.
  sgd <- d
  for (v in c("ki67", "subtype", "her2")) {
    x <- as.character(sgd[[v]])
    x[x == "Unknown"] <- NA
    sgd[[v]] <- factor(x, levels = setdiff(levels(sgd[[v]]), "Unknown"))
  }
  sub_vars <- c("age_group", "tumor_size", "nodal", "ki67", "met_site",
                "subtype", "hr_status", "her2")
  out$subgroups <- subgroup_hr(
    Surv(os_months, death) ~ group, data = sgd,
    subgroups = stats::setNames(sub_vars, lab[sub_vars]),
    strata = "met_site", ties = "breslow")
  out$comparison <- paper_comparison(out, d)
  out
}

# Draw one Kaplan-Meier figure of the paper.
draw_paper_km <- function(fg) {
  graphics::plot(fg$fit, times = seq(0, 135, 15), xlab = "Months",
                 ylab = "Overall survival", annotate = fg$annotate,
                 main = paste0(fg$figure, ". ", fg$comparison))
}

# Published numbers, as printed (character, so "35.0" keeps its decimal).
read_published <- function(file) {
  path <- system.file("extdata", file, package = "cohortsurv")
  if (!nzchar(path)) {
    cs_abort("the published table \"", file, "\" is not installed.")
  }
  utils::read.csv(path, colClasses = "character", na.strings = "")
}

# Does `value`, rounded as `published` is printed, equal it? "<.0001"
# means below; ".013" is rounded to three decimals, "35.0" to one.
agrees_at_rounding <- function(published, value) {
  vapply(seq_along(published), function(i) {
    p <- trimws(published[i])
    v <- value[i]
    if (is.na(p) || !nzchar(p) || is.na(v)) return(NA)
    if (startsWith(p, "<")) {
      return(v < as.numeric(sub("^<\\s*", "", p)))
    }
    dec <- decimals_of(p)
    abs(round(v, dec) - as.numeric(p)) < 1e-9
  }, logical(1))
}

decimals_of <- function(p) {
  ifelse(grepl(".", p, fixed = TRUE), nchar(sub("^[^.]*\\.", "", p)), 0L)
}

# `value` printed as `published` is (same decimals; P values without the
# leading zero; "< .0001"-style published values as format_p() gives).
shown_at_rounding <- function(published, value) {
  vapply(seq_along(published), function(i) {
    p <- trimws(published[i])
    v <- value[i]
    if (is.na(v)) return(NA_character_)
    if (is.na(p) || !nzchar(p)) return(format(signif(v, 4)))
    if (startsWith(p, "<")) return(format_p(v, digits = 2))
    s <- formatC(round(v, decimals_of(p)), format = "f",
                 digits = decimals_of(p))
    if (startsWith(p, ".")) s <- sub("^0\\.", ".", s)
    s
  }, character(1))
}

# Published versus reproduced: one row per published number.
paper_comparison <- function(res, d) {
  rows <- list()
  add <- function(section, quantity, group, published, value, note = "") {
    ok <- agrees_at_rounding(published, value)
    rows[[length(rows) + 1L]] <<- data.frame(
      section = section, quantity = quantity, group = group,
      published = published, reproduced = shown_at_rounding(published, value),
      agrees = ifelse(is.na(ok), "n/a", ifelse(ok, "yes", "no")),
      note = note, stringsAsFactors = FALSE)
  }
  # Tables 1 and 2: every count.
  lev <- function(x) sub(" metastasis$", "", x)
  for (tn in c("table1", "table2")) {
    pub <- read_published(paste0(tn, ".csv"))
    st <- attr(res[[tn]], "stats")
    n <- attr(res[[tn]], "n")
    groups <- setdiff(names(pub), c("characteristic", "level"))
    sec <- if (tn == "table1") "Table 1" else "Table 2"
    for (i in seq_len(nrow(pub))) {
      for (g in groups) {
        if (pub$characteristic[i] == "Total") {
          v <- n[[g]]
        } else {
          r <- st[st$variable == pub$characteristic[i] &
                    st$level == lev(pub$level[i]) & st$group == g, ]
          v <- if (nrow(r)) r$n[1L] else 0
        }
        add(sec, paste(pub$characteristic[i], pub$level[i]), g, pub[[g]][i],
            v)
      }
    }
  }
  # Numbers at risk of Figures 1-5.
  ar <- read_published("at_risk.csv")
  for (fig in unique(ar$figure)) {
    for (g in unique(ar$group[ar$figure == fig])) {
      p <- ar[ar$figure == fig & ar$group == g, ]
      p <- p[order(as.numeric(p$time)), ]
      r <- res$at_risk[res$at_risk$figure == fig & res$at_risk$group == g, ]
      r <- r[order(r$time), ]
      ps <- paste(p$n_risk, collapse = " ")
      rs <- paste(r$n_risk, collapse = " ")
      rows[[length(rows) + 1L]] <- data.frame(
        section = fig, quantity = "numbers at risk, 0 to 135 months",
        group = g, published = ps, reproduced = rs,
        agrees = if (identical(ps, rs)) "yes" else "no", note = "",
        stringsAsFactors = FALSE)
    }
  }
  # Estimates.
  est <- read_published("estimates.csv")
  fig_of <- c("LRT vs STA" = "Figure 1", "Surgery vs non-surgery" = "Figure 2",
              "Timing of surgery" = "Figure 3",
              "Surgical margins" = "Figure 4", "Radiotherapy" = "Figure 5")
  md <- res$medians
  for (i in seq_len(nrow(est))) {
    e <- est[i, ]
    fig <- fig_of[e$comparison]
    sec <- if (is.na(fig)) "Text" else fig
    if (e$quantity == "deaths") {
      v <- if (e$group == "All") sum(d$death) else
        md$events[md$figure == "Figure 1" & md$group == e$group]
      add(sec, "deaths", e$group, e$estimate, v)
    } else if (e$quantity == "median_os_months") {
      m <- md[md$figure == fig & md$group == e$group, ]
      add(sec, "median OS (months)", e$group, e$estimate, m$median)
      if (!is.na(e$lower)) {
        add(sec, "median OS, 95% CI lower (symmetric)", e$group, e$lower,
            m$lower_symmetric,
            sprintf("Brookmeyer-Crowley: %s to %s", m$lower_bc, m$upper_bc))
        add(sec, "median OS, 95% CI upper (symmetric)", e$group, e$upper,
            m$upper_symmetric)
      }
    } else if (e$quantity == "hazard_ratio") {
      h <- res$hazard_ratios[res$hazard_ratios$figure == fig, ]
      hp <- h[h$primary, ]
      model <- paste0("Cox, Breslow ties",
                      if (hp$strata != "none") ", stratified by met_site")
      alt <- h[!h$primary, ]
      note <- paste0(model, "; also ", paste0(
        alt$ties, ifelse(alt$strata == "none", ", unstratified",
                         ", stratified"), " ",
        format_hr(alt$hr, alt$lower, alt$upper), collapse = "; "))
      add(sec, "hazard ratio", e$group, e$estimate, hp$hr, note)
      add(sec, "hazard ratio, 95% CI lower", e$group, e$lower, hp$lower)
      add(sec, "hazard ratio, 95% CI upper", e$group, e$upper, hp$upper)
      lr <- res$logrank[res$logrank$figure == fig, ]
      if (fig %in% c("Figure 3", "Figure 4")) {
        pv <- hp$p_value
        what <- "P value (Wald, of the hazard ratio)"
      } else {
        pv <- lr$p_value[lr$primary]
        what <- paste0("P value (", lr$test[lr$primary], ")")
      }
      others <- lr[!(lr$primary & !fig %in% c("Figure 3", "Figure 4")), ]
      add(sec, what, e$group, e$p_value, pv,
          paste0(others$test, " ", format_p(others$p_value, prefix = TRUE),
                 collapse = "; "))
    } else if (e$quantity == "follow_up_months") {
      alive <- d$os_months[d$death == 0L]
      add(sec, "median follow-up (months), survivors", e$group, e$estimate,
          if (length(alive)) stats::median(alive) else NA_real_,
          "median of os_months among patients alive at the cut-off")
      add(sec, "follow-up, shortest (months)", e$group, e$lower,
          min(d$os_months))
      add(sec, "follow-up, longest (months)", e$group, e$upper,
          max(d$os_months))
    } else if (e$quantity == "age_years") {
      add(sec, "median age (years)", e$group, e$estimate,
          stats::median(d$age, na.rm = TRUE))
      add(sec, "age, youngest (years)", e$group, e$lower,
          min(d$age, na.rm = TRUE))
      add(sec, "age, oldest (years)", e$group, e$upper,
          max(d$age, na.rm = TRUE))
    }
  }
  sg <- res$subgroups
  add("Figure 6", "overall hazard ratio (dashed line)", "LRT vs STA", "0.47",
      sg$hr[sg$subgroup == "Overall"][1L])
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
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

#' Compare published numbers with reproduced ones at the published rounding
#'
#' Says, for each published number, whether the reproduced value agrees
#' with it when rounded as the paper prints it: "0.47" to two decimals,
#' "35.0" to one, "42" to a whole number, ".013" to three decimals, and a
#' bound such as "<.0001" by being below it. This is the last column of the
#' "Published versus reproduced" tables of the vignettes and of
#' [reproduce_paper()].
#'
#' @param quantity A character vector naming each number (recycled).
#' @param published The published numbers as printed: a character vector
#'   such as `c("0.47", "35.0", ".013", "<.0001")`. Give character, not
#'   numbers, so that trailing zeros (which say how the paper rounded) are
#'   kept; `NA` or `""` for a number the paper does not give.
#' @param reproduced A numeric vector of the reproduced values, as long as
#'   `published`.
#' @returns A data frame with columns `quantity`, `published`, `reproduced`
#'   (the reproduced value printed as the published one is, P values
#'   without the leading zero) and `agrees` (`TRUE`, `FALSE`, or `NA` when
#'   either side is missing).
#' @details Rounding is R's [round()] to the number of decimals printed;
#'   values exactly half-way between two printed numbers are rare in
#'   survival estimates and go to the even digit.
#' @seealso [reproduce_paper()].
#' @examples
#' compare_published(c("HR", "lower", "upper", "P"),
#'                   c("0.47", "0.33", "0.69", "<.0001"),
#'                   c(0.4700, 0.3100, 0.7127, 0.00026))
#' @export
compare_published <- function(quantity, published, reproduced) {
  if (is.numeric(published) && !is.object(published)) {
    published <- as.character(published)
  }
  if (!is.character(published)) {
    cs_abort("`published` must be a character vector of numbers as ",
             "printed, such as \"0.47\" or \"<.0001\".", arg = "published")
  }
  if (!is.numeric(reproduced) || is.object(reproduced)) {
    cs_abort("`reproduced` must be a numeric vector.", arg = "reproduced")
  }
  if (length(reproduced) != length(published)) {
    cs_abort("`reproduced` must have one value per published number (",
             length(published), "); it has ", length(reproduced), ".",
             arg = "reproduced")
  }
  if (!is.character(quantity) || !length(quantity) ||
      length(published) %% length(quantity) != 0L) {
    cs_abort("`quantity` must be a character vector of names, one per ",
             "published number (or recycled evenly).", arg = "quantity")
  }
  pub <- trimws(published)
  ok <- !is.na(pub) & nzchar(pub)
  num <- suppressWarnings(as.numeric(sub("^<\\s*", "", pub[ok])))
  if (anyNA(num)) {
    bad <- which(ok)[is.na(num)][1L]
    cs_abort("`published` must hold numbers as printed (\"0.47\", \".013\", ",
             "\"<.0001\"); element ", bad, " is \"", published[bad], "\".",
             arg = "published")
  }
  data.frame(
    quantity = rep_len(quantity, length(published)),
    published = published,
    reproduced = shown_at_rounding(published, reproduced),
    agrees = agrees_at_rounding(published, reproduced),
    stringsAsFactors = FALSE
  )
}
