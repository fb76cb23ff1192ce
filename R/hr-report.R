#' Hazard ratios of a Cox model, as a journal prints them
#'
#' The table of a multivariable Cox model for a manuscript: one row per
#' numeric covariate, and per factor a row naming it above one indented
#' row per level, the first level shown as the reference (hazard ratio 1,
#' "Reference"). Each estimate has a formatted "HR (95% CI)" column and a
#' P value formatted by [format_p()], so nothing is printed with more
#' digits than a journal shows. [hr_table()] gives the same numbers
#' unformatted, one row per coefficient.
#'
#' @param fit A `cs_cox` fit from [cox()].
#' @param conf_level The confidence level of the intervals.
#' @param digits Decimals of the hazard ratios and their limits.
#' @param labels Optional named character vector of display names of the
#'   model's terms, e.g. `c(age = "Age (yr)", sex = "Sex")`; a term without
#'   one is shown by its name.
#' @param digits_p Significant digits of the P values, passed to
#'   [format_p()].
#'
#' @details
#' Reference rows are those of treatment contrasts (the default of
#' [cox()]). A factor level whose coefficient is not estimable (aliased:
#' no patients, or collinear with other terms) is shown as "NE" with a
#' footnote. Per level, `n` and `events` count the patients of the fit
#' in it and their events. P values are Wald tests of each coefficient.
#' Interaction, logical and other terms whose coefficients are not named
#' by the term alone get one row per coefficient, labelled by its name
#' (`age:sexFemale`) unless `labels` names the term.
#'
#' @returns An object of class `cs_hr_report`: a data frame with columns
#'   `term` (the model term), `variable` (its label), `level` (`NA` for a
#'   one-row term), `n`, `events`, `hr`, `lower`, `upper`, `p_value`,
#'   `reference` (logical), `hr_ci` (the formatted "0.58 (0.42 to 0.80)",
#'   "Reference" or "NE") and `p` (formatted P). Attributes `conf_level`,
#'   `n`, `n_event`, `ties`, `strata` (their number). `print()` writes it in
#'   80 columns; [format_table()] writes markdown, HTML, LaTeX, CSV and
#'   Word; [forest_plot()] draws it.
#' @seealso [hr_table()], [forest_plot()], [format_table()].
#' @examples
#' library(survival)
#' d <- transform(lung, sex = factor(sex, 1:2, c("Male", "Female")),
#'                ecog = factor(ph.ecog))
#' fit <- cox(Surv(time, status) ~ age + sex + ecog, data = d)
#' rep <- hr_report(fit, labels = c(age = "Age (per year)", sex = "Sex",
#'                                  ecog = "ECOG performance status"))
#' rep
#' cat(format_table(rep, "markdown"))
#' @md
#' @export
hr_report <- function(fit, conf_level = 0.95, digits = 2, labels = NULL,
                      digits_p = 2) {
  check_cox(fit)
  check_probability(conf_level, "conf_level")
  check_whole(digits, "digits", min = 0, max = 6)
  check_whole(digits_p, "digits_p", min = 1, max = 6)
  if (!length(fit$coefficients)) {
    cs_abort("`fit` has no coefficients (a null model); there is no hazard ",
             "ratio to report.", arg = "fit")
  }
  terms <- attr(fit$terms, "term.labels")
  terms <- terms[sort(unique(fit$assign))]
  if (!is.null(labels) && (!is.character(labels) || is.null(names(labels)) ||
                           !all(names(labels) %in% terms))) {
    cs_abort("`labels` must be a named character vector whose names are ",
             "terms of the model (", paste(terms, collapse = ", "), ").",
             arg = "labels")
  }
  tab <- hr_table(fit, conf_level = conf_level)
  # a fit inside a database keeps the counts per level (R/db.R), not rows
  counts <- fit$level_counts
  if (is.null(counts)) {
    x <- fit$x
    status <- fit$y[, ncol(fit$y)]
  }
  rows <- lapply(seq_along(terms), function(k) {
    term <- terms[k]
    idx <- which(fit$assign == match(term, attr(fit$terms, "term.labels")))
    lab <- if (!is.null(labels) && term %in% names(labels)) labels[[term]]
           else term
    lev <- fit$xlevels[[term]]
    if (!is.null(lev) && identical(tab$term[idx],
                                   paste0(term, lev[-1L]))) {
      if (is.null(counts)) {
        in_level <- cbind(rowSums(x[, idx, drop = FALSE]) == 0,
                          x[, idx, drop = FALSE] == 1)
        n_lev <- colSums(in_level)
        ev_lev <- colSums(in_level * status)
      } else {
        n_lev <- counts[[term]]$n
        ev_lev <- counts[[term]]$events
      }
      data.frame(term = term, variable = lab, level = lev,
                 n = n_lev, events = ev_lev,
                 hr = c(1, tab$hr[idx]), lower = c(NA, tab$lower[idx]),
                 upper = c(NA, tab$upper[idx]),
                 p_value = c(NA, tab$p_value[idx]),
                 reference = c(TRUE, rep(FALSE, length(idx))),
                 stringsAsFactors = FALSE)
    } else {
      data.frame(term = term,
                 variable = if (length(idx) == 1L &&
                                (lab != term || tab$term[idx] == term)) lab
                            else tab$term[idx],
                 level = NA_character_, n = NA_real_, events = NA_real_,
                 hr = tab$hr[idx], lower = tab$lower[idx],
                 upper = tab$upper[idx], p_value = tab$p_value[idx],
                 reference = FALSE, stringsAsFactors = FALSE)
    }
  })
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out$hr_ci <- format_hr(out$hr, out$lower, out$upper, digits = digits)
  out$hr_ci[out$reference] <- "Reference"
  out$hr_ci[is.na(out$hr_ci)] <- "NE"
  out$p <- ifelse(is.na(out$p_value), "",
                  format_p(out$p_value, digits = digits_p))
  structure(out, class = c("cs_hr_report", "data.frame"),
            conf_level = conf_level, n = fit$n, n_event = fit$n_event,
            ties = fit$ties, strata = length(fit$strata))
}

# The display rows (a header row above the levels of a factor) and the
# footnote of an hr_report(), for format_table() and print().
hr_report_table <- function(x, counts = TRUE) {
  ne <- x$hr_ci == "NE"
  body <- list()
  for (term in unique(x$term)) {
    idx <- which(x$term == term)
    factor_rows <- !is.na(x$level[idx[1L]])
    cnt <- function(i) {
      if (is.na(x$n[i])) "" else paste0(format_count(x$n[i]), " (",
                                        format_count(x$events[i]), ")")
    }
    if (factor_rows) {
      body[[length(body) + 1L]] <- table_row(
        x$variable[idx[1L]], c(if (counts) "", "", ""))
    }
    for (i in idx) {
      body[[length(body) + 1L]] <- table_row(
        if (factor_rows) x$level[i] else x$variable[i],
        c(if (counts) cnt(i), x$hr_ci[i], x$p[i]),
        c(if (counts) "", if (ne[i]) "a" else "", ""),
        indent = factor_rows, bold = !factor_rows)
    }
  }
  cl <- format(100 * attr(x, "conf_level"))
  head <- c("Variable", if (counts) "No. (events)",
            paste0("HR (", cl, "% CI)"), "P")
  note <- paste0(
    "HR, hazard ratio; CI, confidence interval. Cox proportional-hazards ",
    "model, ", attr(x, "ties"), " ties",
    if (attr(x, "strata") > 0) paste0(", ", attr(x, "strata"), " strata"),
    "; ", format_count(attr(x, "n")), " patients, ",
    format_count(attr(x, "n_event")), " events. P values are Wald tests.",
    if (any(ne)) " a Not estimable (no patients in the level, or collinear).")
  list(head = head, body = body, note = note)
}

#' @rdname hr_report
#' @param x A `cs_hr_report`.
#' @param ... Ignored.
#' @md
#' @export
print.cs_hr_report <- function(x, ...) {
  cat(render_text(hr_report_table(x)), sep = "")
  invisible(x)
}

#' @rdname format_table
#' @md
#' @export
format_table.cs_hr_report <- function(x, format = c("markdown", "html",
                                                    "latex", "csv", "docx"),
                                      file = NULL,
                                      superscript = c("pandoc", "html"),
                                      ...) {
  format <- table_format_arg(format, text = TRUE)
  superscript <- arg_choice(superscript, "superscript", c("pandoc", "html"))
  if (format == "csv") {
    df <- as.data.frame(x)[c("variable", "level", "n", "events", "hr_ci",
                             "p", "hr", "lower", "upper", "p_value")]
    names(df)[5:6] <- c(paste0("HR (", format(100 * attr(x, "conf_level")),
                               "% CI)"), "P")
    return(emit(csv_text(df), file))
  }
  render_table(hr_report_table(x), format, file, superscript)
}
