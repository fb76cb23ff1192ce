#' Treatment hazard ratios within subgroups
#'
#' The exploratory subgroup analysis of a clinical cohort paper: the
#' hazard ratio of the treatment overall and within each level of each
#' subgroup variable, from a stratified Cox model ([cox_fit()], Breslow
#' ties by default), with the P value for the interaction of treatment and
#' subgroup from a likelihood-ratio test. Within a subgroup defined by a
#' stratification factor the model is unstratified, as the legend of the
#' seed paper's Figure 6 states.
#'
#' @param formula `Surv(time, status) ~ treatment`, optionally followed by
#'   adjustment covariates (`~ treatment + age`) that enter every model. The
#'   treatment must take exactly two values; the hazard ratio compares the
#'   second level (of a factor, or the larger value of a number) with the
#'   first. Stratification goes in `strata`, not in the formula.
#' @param data A data frame holding the variables of `formula`,
#'   `subgroups` and `strata`.
#' @param subgroups Names of the columns of `data` that define subgroups,
#'   each treated as categorical (one row per level, in factor-level order).
#'   Names of the vector, if given, are used as display labels:
#'   `c("Age (yr)" = "age_group", "Sites" = "sites")`.
#' @param strata Optional names of columns of `data` whose combinations
#'   define the strata of the Cox model (a separate baseline hazard each).
#' @param ties Handling of tied event times, `"breslow"` (the default) or
#'   `"efron"`.
#' @param conf_level Confidence level of the intervals.
#'
#' @details
#' Rows with a missing value in the formula variables or in `strata` are
#' left out of every model; rows with a missing subgroup value are left out
#' of that subgroup's rows and of its interaction test only.
#'
#' Each row's hazard ratio, confidence interval and P value (Wald) come
#' from a Cox model of the treatment (and the adjustment covariates) on
#' the patients in that row, stratified by `strata`, except that a subgroup
#' variable listed in `strata` gives unstratified models within its levels.
#' The interaction P value compares, on the patients with a known subgroup
#' value, the stratified model with treatment, subgroup and covariates to
#' the one that adds the treatment-by-subgroup terms, by twice the
#' difference in log partial likelihood on as many degrees of freedom as
#' there are estimable interaction terms. A subgroup that is a stratum
#' variable has no main-effect term (the strata absorb it).
#'
#' A subgroup level in which one arm is empty, there are no events, or the
#' estimate is infinite (monotone likelihood, e.g. no events in one arm)
#' gets `NA` estimates and a `note` saying why.
#'
#' @returns An object of class `cs_subgroup`: a data frame with one row for
#'   the overall estimate (`subgroup` "Overall") and one per subgroup level,
#'   columns `subgroup, level, n, events, hr, lower, upper, p_value,
#'   p_interaction` (repeated on every level of a subgroup; `NA` overall),
#'   `stratified` (whether that row's model was stratified) and `note`.
#'   Attributes `comparison` (e.g. "LRT vs STA"), `strata`, `ties`,
#'   `conf_level`. `plot()` draws it with [forest_plot()].
#' @references
#' Cox DR (1972). Regression models and life-tables (with discussion).
#' *Journal of the Royal Statistical Society B* 34, 187-220.
#'
#' Breslow NE (1974). Covariance analysis of censored survival data.
#' *Biometrics* 30, 89-99.
#'
#' Wang R, Lagakos SW, Ware JH, Hunter DJ, Drazen JM (2007). Statistics in
#' medicine - reporting of subgroup analyses in clinical trials. *New
#' England Journal of Medicine* 357, 2189-2194.
#' @seealso [forest_plot()], [cox()].
#' @examples
#' library(survival)
#' # Figure 6 of the seed paper, on the reconstructed cohort (stratified by
#' # metastatic site, unstratified within its levels)
#' sg <- subgroup_hr(Surv(os_months, death) ~ group, data = dnmbc,
#'                   subgroups = c("Age (yr)" = "age_group",
#'                                 "Metastatic sites" = "met_site",
#'                                 "HR status" = "hr_status"),
#'                   strata = "met_site")
#' sg
#' plot(sg, favours = c("LRT better", "STA better"))
#'
#' # an adjusted analysis on survival's colon data
#' d <- colon[colon$etype == 2 & colon$rx != "Lev", ]
#' d$rx <- droplevels(d$rx)
#' subgroup_hr(Surv(time, status) ~ rx + age, data = d,
#'             subgroups = c(Sex = "sex", "Nodes > 4" = "node4"))
#' @md
#' @export
subgroup_hr <- function(formula, data, subgroups, strata = NULL,
                        ties = c("breslow", "efron"), conf_level = 0.95) {
  ties <- arg_choice(ties, "ties", c("breslow", "efron"))
  check_probability(conf_level, "conf_level")
  if (missing(data) || !is.data.frame(data)) {
    cs_abort("`data` must be a data frame.", arg = "data")
  }
  data <- as.data.frame(data, stringsAsFactors = FALSE)
  rownames(data) <- NULL
  if (missing(subgroups) || !is.character(subgroups) || anyNA(subgroups) ||
      !length(subgroups)) {
    cs_abort("`subgroups` must be a character vector of column names of ",
             "`data`.", arg = "subgroups")
  }
  check_column_names(subgroups, "subgroups", data)
  labels <- if (is.null(names(subgroups))) subgroups else
    ifelse(nzchar(names(subgroups)), names(subgroups), subgroups)
  subgroups <- unname(subgroups)
  if (!is.null(strata)) {
    if (!is.character(strata) || anyNA(strata) || !length(strata)) {
      cs_abort("`strata` must be NULL or a character vector of column ",
               "names of `data`.", arg = "strata")
    }
    check_column_names(strata, "strata", data)
  }
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    cs_abort("`formula` must be a two-sided formula such as ",
             "Surv(time, status) ~ treatment.", arg = "formula")
  }
  # rows complete in the formula variables and the strata columns
  fvars <- intersect(all.vars(formula), names(data))
  complete <- stats::complete.cases(data[c(fvars, strata)])
  data <- data[complete, , drop = FALSE]
  rownames(data) <- NULL
  if (!nrow(data)) {
    cs_abort("no rows of `data` are complete in the formula and `strata` ",
             "variables.", arg = "data")
  }
  m <- subgroup_design(formula, data, strata)
  m$ties <- ties
  m$conf_level <- conf_level
  rows <- list(c(list(subgroup = "Overall", level = "All patients"),
                 subgroup_fit(m, seq_len(nrow(data)), !is.null(m$sfac)),
                 list(p_interaction = NA_real_)))
  for (j in seq_along(subgroups)) {
    rows <- c(rows, subgroup_rows(m, data[[subgroups[j]]], subgroups[j],
                                  labels[j], subgroups[j] %in% strata))
  }
  out <- do.call(rbind, lapply(rows, function(r) {
    data.frame(r[c("subgroup", "level", "n", "events", "hr", "lower",
                   "upper", "p_value", "p_interaction", "stratified",
                   "note")], stringsAsFactors = FALSE)
  }))
  rownames(out) <- NULL
  structure(out, class = c("cs_subgroup", "data.frame"),
            comparison = m$comparison, strata = strata, ties = ties,
            conf_level = conf_level)
}

# The model pieces shared by every row: the response `y`, the treatment
# `z` (0/1) and its label, the adjustment covariates `xadj` and the
# strata factor `sfac` (NULL without strata).
subgroup_design <- function(formula, data, strata) {
  env <- new.env(parent = environment(formula))
  assign("data", data, envir = env)
  mcall <- call("subgroup_hr", formula = formula, data = as.name("data"))
  sf <- surv_frame(mcall, env)
  if (sf$type != "right") {
    cs_abort("`formula` must have right-censored Surv(time, status) data.",
             arg = "formula")
  }
  if (nrow(sf$y) != nrow(data)) {
    cs_abort("`formula` dropped rows of `data` that are complete; use ",
             "plain columns in the formula.", arg = "formula")
  }
  tt <- sf$terms
  tl <- attr(tt, "term.labels")
  if (!length(tl)) {
    cs_abort("`formula` must name the treatment on its right-hand side, as ",
             "in Surv(time, status) ~ treatment.", arg = "formula")
  }
  if (any(startsWith(tl, "strata("))) {
    cs_abort("`formula` must not contain strata(); give the stratification ",
             "columns in `strata`.", arg = "formula")
  }
  trt <- treatment_code(sf$mf[[tl[1L]]], tl[1L])
  xadj <- if (length(tl) > 1L) {
    ta <- stats::drop.terms(tt, 1L, keep.response = TRUE)
    m <- stats::model.matrix(ta, sf$mf)
    m[, colnames(m) != "(Intercept)", drop = FALSE]
  } else {
    matrix(0, nrow(data), 0L)
  }
  # nearly equal times merged as cox() does by default (survival's aeqSurv)
  list(y = time_fix(sf$y), z = trt$z, comparison = trt$comparison, xadj = xadj,
       sfac = if (is.null(strata)) NULL else combine_factors(data[strata]))
}

# The rows of one subgroup variable `g`: one per level, each with the
# variable's interaction P value. A stratification factor gives
# unstratified models within its levels.
subgroup_rows <- function(m, g, name, label, in_strata) {
  g <- if (is.factor(g)) droplevels(g) else factor(g)
  if (nlevels(g) > 20L) {
    cs_abort("`subgroups`: column \"", name, "\" has ", nlevels(g),
             " levels; cut it into a few groups first.", arg = "subgroups")
  }
  pint <- interaction_lrt(m$z, g, m$xadj, m$y, m$sfac, in_strata, m$ties)
  lapply(levels(g), function(lev) {
    sel <- which(!is.na(g) & g == lev)
    c(list(subgroup = label, level = lev),
      subgroup_fit(m, sel, !is.null(m$sfac) && !in_strata),
      list(p_interaction = pint))
  })
}

# The treatment hazard ratio, its interval and Wald P value on `rows`, or
# NA with a note saying why there is none.
subgroup_fit <- function(m, rows, stratified) {
  ev <- sum(m$y[rows, "status"])
  out <- list(n = length(rows), events = ev, hr = NA_real_,
              lower = NA_real_, upper = NA_real_, p_value = NA_real_,
              stratified = stratified, note = "")
  if (length(unique(m$z[rows])) < 2L) {
    out$note <- "one treatment arm only"
    return(out)
  }
  if (ev == 0) {
    out$note <- "no events"
    return(out)
  }
  x <- cbind(m$z[rows], m$xadj[rows, , drop = FALSE])
  colnames(x)[1L] <- "treatment"
  st <- if (stratified) m$sfac[rows] else NULL
  res <- quiet_cox(x, m$y[rows, , drop = FALSE], st, m$ties)
  if (!is.null(res$problem)) {
    out$note <- res$problem
    return(out)
  }
  b <- res$fit$coefficients[[1L]]
  se <- sqrt(res$fit$var[1L, 1L])
  if (!is.finite(b) || !is.finite(se)) {
    out$note <- "not estimable"
    return(out)
  }
  zq <- stats::qnorm(1 - (1 - m$conf_level) / 2)
  out$hr <- exp(b)
  out$lower <- exp(b - zq * se)
  out$upper <- exp(b + zq * se)
  out$p_value <- 2 * stats::pnorm(-abs(b / se))
  out
}

# The treatment as 0/1 with a label "B vs A" (B the second level).
treatment_code <- function(v, name) {
  if (is.numeric(v) && !is.factor(v)) {
    u <- sort(unique(v))
    lev <- format(u, trim = TRUE)
    z <- as.numeric(v == u[length(u)])
  } else {
    f <- if (is.factor(v)) droplevels(v) else factor(v)
    lev <- levels(f)
    z <- as.numeric(as.integer(f) == 2L)
  }
  if (length(lev) != 2L) {
    cs_abort("`formula`: the treatment `", name, "` must take exactly two ",
             "values; it takes ", length(lev), ".", arg = "formula")
  }
  list(z = z, comparison = paste(lev[2L], "vs", lev[1L]))
}

# cox_fit() with its notices silenced and its warnings turned into a note,
# told apart by class.
quiet_cox <- function(x, y, strata, ties) {
  problem <- NULL
  fit <- withCallingHandlers(
    cox_fit(x, y, strata = strata, ties = ties),
    cohortsurv_message = function(m) invokeRestart("muffleMessage"),
    warning = function(w) {
      problem <<- if (inherits(w, "cohortsurv_warning_monotone")) {
        "infinite estimate (monotone likelihood)"
      } else if (inherits(w, "cohortsurv_warning_convergence")) {
        "no convergence"
      } else {
        conditionMessage(w)
      }
      invokeRestart("muffleWarning")
    }
  )
  list(fit = fit, problem = problem)
}

# Likelihood-ratio P value for treatment x subgroup, on the rows with a
# known subgroup value, in the stratified model.
interaction_lrt <- function(z, g, xadj, y, sfac, in_strata, ties) {
  rows <- which(!is.na(g))
  g <- droplevels(g[rows])
  if (nlevels(g) < 2L) return(NA_real_)
  d <- stats::model.matrix(~ g)[, -1L, drop = FALSE]
  colnames(d) <- paste0("sub", seq_len(ncol(d)))
  zi <- z[rows]
  base <- cbind(treatment = zi, if (!in_strata) d,
                xadj[rows, , drop = FALSE])
  inter <- zi * d
  colnames(inter) <- paste0("int", seq_len(ncol(d)))
  st <- if (is.null(sfac)) NULL else sfac[rows]
  yr <- y[rows, , drop = FALSE]
  if (sum(yr[, "status"]) == 0) return(NA_real_)
  f0 <- quiet_cox(base, yr, st, ties)$fit
  f1 <- quiet_cox(cbind(base, inter), yr, st, ties)$fit
  df <- sum(!is.na(f1$coefficients[colnames(inter)]))
  if (df == 0L) return(NA_real_)
  stat <- max(0, 2 * (last_loglik(f1) - last_loglik(f0)))
  stats::pchisq(stat, df, lower.tail = FALSE)
}

#' @rdname subgroup_hr
#' @param x A `cs_subgroup` object.
#' @param digits Decimals of the hazard ratios.
#' @param ... For `plot()`, arguments passed to [forest_plot()]; ignored by
#'   `print()`.
#' @md
#' @export
print.cs_subgroup <- function(x, digits = 2, ...) {
  cat(strwrap(subgroup_title(x), width = 79), sep = "\n")
  cat("\n")
  cat(render_text(subgroup_table(x, digits)), sep = "")
  invisible(x)
}

subgroup_title <- function(x) {
  paste0("Treatment hazard ratios by subgroup (", attr(x, "comparison"),
         "); Cox model, ", attr(x, "ties"), " ties",
         if (length(attr(x, "strata")))
           paste0(", stratified by ", paste(attr(x, "strata"),
                                            collapse = ", ")))
}

# The display rows of a subgroup table (the overall row, then per subgroup
# a header row with its interaction P above its indented levels) and its
# footnote: "a" marks levels analysed unstratified, further letters the
# reasons a level is not estimable (NE).
subgroup_table <- function(x, digits = 2) {
  hr <- format_hr(x$hr, x$lower, x$upper, digits = digits)
  ne <- is.na(hr)
  hr[ne] <- "NE"
  star <- !x$stratified & x$subgroup != "Overall" &
    length(attr(x, "strata")) > 0L
  reasons <- unique(x$note[ne & nzchar(x$note)])
  marks <- letters[seq_len(any(star) + length(reasons))]
  ne_mark <- ifelse(ne & nzchar(x$note),
                    marks[any(star) + match(x$note, reasons)], "")
  counts <- paste0(format_count(x$n), " (", format_count(x$events), ")")
  pv <- ifelse(is.na(x$p_value), "", format_p(x$p_value))
  pint <- ifelse(is.na(x$p_interaction), "", format_p(x$p_interaction))
  body <- list()
  for (i in seq_len(nrow(x))) {
    if (x$subgroup[i] == "Overall") {
      body[[length(body) + 1L]] <- table_row(
        x$level[i], c(counts[i], hr[i], pv[i], ""), c("", ne_mark[i], "", ""))
      next
    }
    if (i == 1L || x$subgroup[i] != x$subgroup[i - 1L]) {
      body[[length(body) + 1L]] <- table_row(x$subgroup[i],
                                             c("", "", "", pint[i]))
    }
    body[[length(body) + 1L]] <- table_row(
      x$level[i], c(counts[i], hr[i], pv[i], ""),
      c("", ne_mark[i], "", ""), indent = TRUE,
      label_mark = if (star[i]) marks[1L] else "")
  }
  cl <- format(100 * attr(x, "conf_level"))
  note <- paste0("HR, hazard ratio (", attr(x, "comparison"), "); CI, ",
                 "confidence interval; P, Wald test; P interaction, ",
                 "likelihood-ratio test.")
  if (any(star)) {
    note <- paste0(note, " ", marks[1L], " Unstratified: the subgroup is a ",
                   "stratification factor.")
  }
  for (k in seq_along(reasons)) {
    note <- paste0(note, " ", marks[any(star) + k], " NE, not estimable: ",
                   reasons[k], ".")
  }
  list(head = c("Subgroup", "No. (events)", paste0("HR (", cl, "% CI)"), "P",
                "P interaction"),
       body = body, note = note)
}

#' @rdname format_table
#' @param digits Decimals of the hazard ratios of a subgroup table.
#' @export
format_table.cs_subgroup <- function(x, format = c("markdown", "html",
                                                   "latex", "csv", "docx"),
                                     file = NULL,
                                     superscript = c("pandoc", "html"),
                                     digits = 2, ...) {
  format <- table_format_arg(format, text = TRUE)
  superscript <- arg_choice(superscript, "superscript", c("pandoc", "html"))
  if (format == "csv") {
    df <- as.data.frame(x)
    df$hr_ci <- format_hr(x$hr, x$lower, x$upper, digits = digits)
    return(emit(csv_text(df), file))
  }
  render_table(subgroup_table(x, digits), format, file, superscript)
}

#' @rdname subgroup_hr
#' @param y Ignored.
#' @md
#' @export
plot.cs_subgroup <- function(x, y, ...) {
  forest_plot(x, ...)
}
