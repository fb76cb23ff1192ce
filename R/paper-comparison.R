# Published versus reproduced, at the rounding the paper prints.

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
  rows <- c(compare_tables(res), compare_at_risk(res),
            compare_estimates(res, d),
            list(compare_row("Figure 6", "overall hazard ratio (dashed line)",
                             "LRT vs STA", "0.47",
                             res$subgroups$hr[res$subgroups$subgroup ==
                                                "Overall"][1L])))
  out <- do.call(rbind, rows)
  rownames(out) <- NULL
  out
}

# One row of the comparison: the published number, the reproduced value
# printed as it is, and whether they agree at that rounding.
compare_row <- function(section, quantity, group, published, value,
                        note = "") {
  ok <- agrees_at_rounding(published, value)
  data.frame(
    section = section, quantity = quantity, group = group,
    published = published, reproduced = shown_at_rounding(published, value),
    agrees = ifelse(is.na(ok), "n/a", ifelse(ok, "yes", "no")),
    note = note, stringsAsFactors = FALSE)
}

# Tables 1 and 2: every count.
compare_tables <- function(res) {
  rows <- list()
  for (tn in c("table1", "table2")) {
    pub <- paper_published(paste0(tn, ".csv"))
    rep <- paper_counts(res[[tn]], pub)
    groups <- setdiff(names(pub), c("characteristic", "level"))
    sec <- if (tn == "table1") "Table 1" else "Table 2"
    for (i in seq_len(nrow(pub))) {
      for (g in groups) {
        rows[[length(rows) + 1L]] <- compare_row(
          sec, paste(pub$characteristic[i], pub$level[i]), g, pub[[g]][i],
          rep[[g]][i])
      }
    }
  }
  rows
}

#' @rdname paper_analysis
#' @param table A table from [baseline_table()], such as `table1` of
#'   `paper_tables()`.
#' @param published The published table it reproduces, from
#'   `paper_published()`.
#' @export
paper_counts <- function(table, published) {
  st <- attr(table, "stats")
  n <- attr(table, "n")
  out <- published
  for (g in setdiff(names(published), c("characteristic", "level"))) {
    out[[g]] <- vapply(seq_len(nrow(published)), function(i) {
      if (published$characteristic[i] == "Total") return(as.numeric(n[[g]]))
      lev <- sub(" metastasis$", "", published$level[i])   # "Multi-organ"
      r <- st[st$variable == published$characteristic[i] & st$level == lev &
                st$group == g, ]
      if (nrow(r)) r$n[1L] else 0
    }, numeric(1))
  }
  out
}

# Numbers at risk of Figures 1-5, one row per group: all ten counts.
compare_at_risk <- function(res) {
  ar <- paper_published("at_risk.csv")
  rows <- list()
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
  rows
}

# The estimates of the text and figures (estimates.csv), by quantity.
compare_estimates <- function(res, d) {
  est <- paper_published("estimates.csv")
  fig_of <- paper_figure_of()
  rows <- list()
  for (i in seq_len(nrow(est))) {
    e <- est[i, ]
    fig <- fig_of[e$comparison]
    sec <- if (is.na(fig)) "Text" else fig
    rows <- c(rows, switch(
      e$quantity,
      deaths = compare_deaths(e, sec, res, d),
      median_os_months = compare_median(e, sec, res$medians[
        res$medians$figure == fig & res$medians$group == e$group, ]),
      hazard_ratio = compare_hazard_ratio(e, sec, res, fig),
      follow_up_months = compare_follow_up(e, sec, d),
      age_years = compare_age(e, sec, d)))
  }
  rows
}

compare_deaths <- function(e, sec, res, d) {
  md <- res$medians
  v <- if (e$group == "All") sum(d$death) else
    md$events[md$figure == "Figure 1" & md$group == e$group]
  list(compare_row(sec, "deaths", e$group, e$estimate, v))
}

# The median and its symmetric interval (the paper's), with the
# Brookmeyer-Crowley one in the note.
compare_median <- function(e, sec, m) {
  rows <- list(compare_row(sec, "median OS (months)", e$group, e$estimate,
                           m$median))
  if (is.na(e$lower)) return(rows)
  c(rows, list(
    compare_row(sec, "median OS, 95% CI lower (symmetric)", e$group, e$lower,
                m$lower_symmetric,
                sprintf("Brookmeyer-Crowley: %s to %s", m$lower_bc,
                        m$upper_bc)),
    compare_row(sec, "median OS, 95% CI upper (symmetric)", e$group, e$upper,
                m$upper_symmetric)))
}

# The primary hazard ratio with its interval (the other models in the
# note), and the P value the paper gives beside it: Wald's for Figures 3
# and 4, the primary log-rank test's otherwise.
compare_hazard_ratio <- function(e, sec, res, fig) {
  h <- res$hazard_ratios[res$hazard_ratios$figure == fig, ]
  hp <- h[h$primary, ]
  model <- paste0("Cox, Breslow ties",
                  if (hp$strata != "none") ", stratified by met_site")
  alt <- h[!h$primary, ]
  note <- paste0(model, "; also ", paste0(
    alt$ties, ifelse(alt$strata == "none", ", unstratified",
                     ", stratified"), " ",
    format_hr(alt$hr, alt$lower, alt$upper), collapse = "; "))
  lr <- res$logrank[res$logrank$figure == fig, ]
  wald <- fig %in% c("Figure 3", "Figure 4")
  pv <- if (wald) hp$p_value else lr$p_value[lr$primary]
  what <- if (wald) "P value (Wald, of the hazard ratio)" else
    paste0("P value (", lr$test[lr$primary], ")")
  others <- lr[!(lr$primary & !wald), ]
  list(compare_row(sec, "hazard ratio", e$group, e$estimate, hp$hr, note),
       compare_row(sec, "hazard ratio, 95% CI lower", e$group, e$lower,
                   hp$lower),
       compare_row(sec, "hazard ratio, 95% CI upper", e$group, e$upper,
                   hp$upper),
       compare_row(sec, what, e$group, e$p_value, pv,
                   paste0(others$test, " ",
                          format_p(others$p_value, prefix = TRUE),
                          collapse = "; ")))
}

compare_follow_up <- function(e, sec, d) {
  alive <- d$os_months[d$death == 0L]
  list(compare_row(sec, "median follow-up (months), survivors", e$group,
                   e$estimate,
                   if (length(alive)) stats::median(alive) else NA_real_,
                   "median of os_months among patients alive at the cut-off"),
       compare_row(sec, "follow-up, shortest (months)", e$group, e$lower,
                   min(d$os_months)),
       compare_row(sec, "follow-up, longest (months)", e$group, e$upper,
                   max(d$os_months)))
}

compare_age <- function(e, sec, d) {
  list(compare_row(sec, "median age (years)", e$group, e$estimate,
                   stats::median(d$age, na.rm = TRUE)),
       compare_row(sec, "age, youngest (years)", e$group, e$lower,
                   min(d$age, na.rm = TRUE)),
       compare_row(sec, "age, oldest (years)", e$group, e$upper,
                   max(d$age, na.rm = TRUE)))
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
