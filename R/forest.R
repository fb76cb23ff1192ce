#' Forest plot of subgroup hazard ratios
#'
#' Draws the treatment hazard ratio overall and in each subgroup, as the
#' exploratory subgroup figure of a clinical paper: subgroup labels and
#' patient counts on the left, a square per subgroup sized by its number of
#' events with its confidence interval on a log scale, a diamond for the
#' overall estimate, a solid line at no effect, a dashed line at the overall
#' hazard ratio, and the hazard ratio (95% CI) and the P value for
#' interaction on the right.
#'
#' @param x A `cs_subgroup` data frame from [subgroup_hr()], or any data
#'   frame with columns `subgroup, level, n, events, hr, lower, upper` and
#'   optionally `p_interaction` and `note` (why a row is not estimable). The
#'   row with `subgroup` "Overall" is the overall estimate. Or a `cs_cox`
#'   fit from [cox()], or its [hr_report()], for the hazard ratios of a
#'   multivariable model (see Details).
#' @param ref_line Where the solid no-effect line is drawn (1 for a hazard
#'   ratio); `NULL` for none.
#' @param overall_line If `TRUE`, draw a dashed line at the overall hazard
#'   ratio.
#' @param xlim Range of the hazard-ratio axis; by default it covers every
#'   confidence interval and `ref_line`, limited to 0.01 to 100. Intervals
#'   reaching beyond it end in an arrow.
#' @param favours Optional two labels written under the axis, left and right
#'   of `ref_line`, each with an arrow pointing away from it, such as
#'   `c("LRT better", "STA better")`.
#' @param xlab Label of the hazard-ratio axis.
#' @param col Colour of the squares, intervals and diamond.
#' @param cex Base text size; the plot shrinks it, down to half, if the
#'   labels and rows would not otherwise fit the device.
#' @param digits Decimals of the hazard ratios, passed to [format_hr()].
#' @param ... Passed from the methods for Cox fits to the drawing (the
#'   arguments above); ignored otherwise.
#'
#' @details
#' The log axis is labelled with the densest of the series 1, 1-3, 1-2-5,
#' 1-1.5-2-3-5-7 and 1-1.25-1.5-...-9 (times powers of ten) with at most
#' seven labels that fit the panel without touching, so that small
#' devices get fewer labels and narrow ranges more. A row whose hazard
#' ratio is not estimable is shown as "NE" and explained in a footnote
#' under the plot (with the `note` of [subgroup_hr()] when there is one).
#' A short table keeps its rows at most 2.2 lines apart and is centred on
#' the device.
#'
#' For a Cox fit, each factor is a bold row with its levels indented
#' beneath, the first level drawn as the reference (no square; "Reference"
#' in the hazard-ratio column), as survminer's `ggforest()` does; numeric
#' covariates are one row each (their hazard ratio is per unit), with a
#' square of middle size, since their events are not a subgroup's. The
#' columns are the number of patients (events) of each level, the hazard
#' ratio with its interval and the Wald P value.
#' @returns Invisibly, the rows drawn: a data frame with columns `row`
#'   (position from the top), `label`, `counts`, `hr_text`, `p_text`, with
#'   attributes `cex` (the text size used), `ticks` (the labelled axis
#'   ticks) and `footnote` (the footnote drawn, or `NULL`).
#' @references
#' Lewis S, Clarke M (2001). Forest plots: trying to see the wood and the
#' trees. *BMJ* 322, 1479-1480.
#'
#' Cuzick J (2005). Forest plots and the interpretation of subgroups.
#' *Lancet* 365, 1308.
#' @seealso [subgroup_hr()], [hr_report()], [save_plot()].
#' @examples
#' x <- data.frame(
#'   subgroup = c("Overall", "Age", "Age", "Sites", "Sites", "Sites"),
#'   level = c("All patients", "<= 50", "> 50", "Bone only", "Viscera only",
#'             "Multi-organ"),
#'   n = c(153, 53, 100, 55, 52, 46), events = c(118, 40, 78, 38, 42, 38),
#'   hr = c(0.47, 0.52, 0.45, 0.41, 0.55, 0.60),
#'   lower = c(0.33, 0.27, 0.29, 0.20, 0.30, 0.31),
#'   upper = c(0.69, 1.00, 0.70, 0.84, 1.01, 1.16),
#'   p_interaction = c(NA, 0.71, 0.71, 0.62, 0.62, 0.62))
#' forest_plot(x, favours = c("LRT better", "STA better"))
#'
#' # the hazard ratios of a multivariable Cox model, with reference levels
#' library(survival)
#' d <- transform(lung, sex = factor(sex, 1:2, c("Male", "Female")),
#'                ecog = factor(ph.ecog))
#' fit <- cox(Surv(time, status) ~ age + sex + ecog, data = d)
#' forest_plot(fit, labels = c(age = "Age (per year)", sex = "Sex",
#'                             ecog = "ECOG performance status"))
#' @md
#' @export
forest_plot <- function(x, ...) {
  UseMethod("forest_plot")
}

#' @rdname forest_plot
#' @md
#' @export
forest_plot.default <- function(x, ref_line = 1, overall_line = TRUE,
                                xlim = NULL, favours = NULL,
                                xlab = "Hazard ratio (95% CI)",
                                col = "black", cex = 1, digits = 2, ...) {
  check_forest_args(x, ref_line, overall_line, favours, cex)
  rows <- forest_rows(x, digits)
  is_overall <- tolower(x$subgroup) == "overall"
  overall_hr <- if (overall_line && any(is_overall)) {
    x$hr[which(is_overall)[1L]]
  } else NA
  notes <- if ("note" %in% names(x)) x$note[is.na(x$hr)] else character(0)
  forest_draw(rows, forest_heads("Subgroup", c("P for", "interaction")),
              ref_line = ref_line, overall_hr = overall_hr, xlim = xlim,
              favours = favours, xlab = xlab, col = col, cex = cex,
              footnote = forest_ne_note(rows, notes))
}

#' @rdname forest_plot
#' @param labels For a Cox fit, display names of its terms, passed to
#'   [hr_report()].
#' @param conf_level For a Cox fit, the confidence level of the intervals.
#' @md
#' @export
forest_plot.cs_cox <- function(x, labels = NULL, conf_level = 0.95,
                               digits = 2, ...) {
  forest_plot(hr_report(x, conf_level = conf_level, digits = digits,
                        labels = labels), ...)
}

#' @rdname forest_plot
#' @md
#' @export
forest_plot.cs_hr_report <- function(x, ref_line = 1, xlim = NULL,
                                     favours = NULL, xlab = NULL,
                                     col = "black", cex = 1, ...) {
  if (is.null(xlab)) {
    xlab <- paste0("Hazard ratio (", format(100 * attr(x, "conf_level")),
                   "% CI)")
  }
  check_forest_args(data.frame(subgroup = x$variable, level = x$level,
                               n = x$n, events = x$events, hr = x$hr,
                               lower = x$lower, upper = x$upper),
                    ref_line, FALSE, favours, cex)
  rows <- forest_cox_rows(x)
  forest_draw(rows, forest_heads("Variable", "P"), ref_line = ref_line,
              overall_hr = NA, xlim = xlim, favours = favours, xlab = xlab,
              col = col, cex = cex,
              footnote = forest_ne_note(rows, if (any(rows$hr_text == "NE"))
                "no patients in the level, or collinear"))
}

# Column headings of a forest plot; `p` has one or two lines.
forest_heads <- function(label, p) {
  list(label = label, counts = "No. (events)", hr = "HR (95% CI)", p = p)
}

# The footnote explaining "NE" rows, with their reasons when known.
forest_ne_note <- function(rows, notes = character(0)) {
  if (!any(rows$hr_text == "NE")) return(NULL)
  notes <- unique(notes[!is.na(notes) & nzchar(notes)])
  paste0("NE, not estimable", if (length(notes))
    paste0(": ", paste(notes, collapse = "; ")), ".")
}

# The display rows of a Cox fit's forest plot: a bold row per factor above
# its levels (the reference without a square), one row per other term.
forest_cox_rows <- function(x) {
  out <- list()
  add <- function(label, indent, i = NA_integer_) {
    has <- !is.na(i)
    ref <- has && x$reference[i]
    out[[length(out) + 1L]] <<- data.frame(
      label = label, indent = indent,
      counts = if (has && !is.na(x$n[i])) {
        paste0(format_count(x$n[i]), " (", format_count(x$events[i]), ")")
      } else "",
      hr_text = if (has) x$hr_ci[i] else "",
      p_text = if (has) x$p[i] else "", overall = FALSE,
      events = if (has && !ref) {
        x$events[i]
      } else NA_real_,
      hr = if (has && !ref) x$hr[i] else NA_real_,
      lower = if (has && !ref) x$lower[i] else NA_real_,
      upper = if (has && !ref) x$upper[i] else NA_real_,
      stringsAsFactors = FALSE)
  }
  for (term in unique(x$term)) {
    idx <- which(x$term == term)
    if (is.na(x$level[idx[1L]])) {
      for (i in idx) add(x$variable[i], FALSE, i)
    } else {
      add(x$variable[idx[1L]], FALSE)
      for (i in idx) add(x$level[i], TRUE, i)
    }
  }
  do.call(rbind, out)
}

# Draw the rows of a forest plot with its headings `heads`.
forest_draw <- function(rows, heads, ref_line, overall_hr, xlim, favours,
                        xlab, col, cex, footnote) {
  R <- nrow(rows)
  if (is.null(xlim)) xlim <- forest_xlim(rows, ref_line)
  if (!is.numeric(xlim) || length(xlim) != 2L || any(!(xlim > 0)) ||
      xlim[1L] >= xlim[2L]) {
    cs_abort("`xlim` must be two increasing positive numbers.", arg = "xlim")
  }
  op <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(op[c("mai", "xpd", "cex", "mgp", "tcl")]),
          add = TRUE)
  lay <- forest_layout(rows, heads, favours, cex, !is.null(footnote))
  cex <- lay$cex
  graphics::plot.new()
  graphics::plot.window(xlim = xlim, ylim = c(R + 0.5, 0.5), log = "x",
                        xaxs = "i", yaxs = "i")
  # reference lines
  if (!is.null(ref_line)) {
    graphics::segments(ref_line, R + 0.5, ref_line, 0.5, lwd = 1)
  }
  if (!is.na(overall_hr)) {
    graphics::segments(overall_hr, R + 0.5, overall_hr, 0.5, lty = 2,
                       col = "grey35")
  }
  forest_estimates(rows, xlim, col, cex)
  ticks <- forest_axis(xlim, xlab, favours, ref_line, cex)
  forest_text(rows, heads, lay, xlim, cex)
  if (!is.null(footnote)) {
    graphics::mtext(footnote, side = 1, line = lay$bottom_lines - 1.1,
                    adj = 0, at = graphics::grconvertX(0.05, "inches",
                                                       "user"),
                    cex = 0.85 * cex)
  }
  out <- data.frame(row = seq_len(R), label = rows$label,
                    counts = rows$counts, hr_text = rows$hr_text,
                    p_text = rows$p_text, stringsAsFactors = FALSE)
  attr(out, "cex") <- cex
  attr(out, "ticks") <- ticks
  attr(out, "footnote") <- footnote
  invisible(out)
}

check_forest_args <- function(x, ref_line, overall_line, favours, cex) {
  if (!is.data.frame(x)) {
    cs_abort("`x` must be a data frame from subgroup_hr(); it is ",
             class(x)[1L], ".", arg = "x")
  }
  need <- c("subgroup", "level", "n", "events", "hr", "lower", "upper")
  miss <- setdiff(need, names(x))
  if (length(miss)) {
    cs_abort("`x` must have columns ", paste(need, collapse = ", "),
             "; it lacks ", paste(miss, collapse = ", "), ".", arg = "x")
  }
  if (!nrow(x)) cs_abort("`x` has no rows.", arg = "x")
  for (nm in c("hr", "lower", "upper")) {
    v <- x[[nm]]
    if (!is.numeric(v) || any(!is.na(v) & v <= 0)) {
      cs_abort("`x$", nm, "` must be positive numbers (ratios).", arg = "x")
    }
  }
  if (!is.null(ref_line) && (!is.numeric(ref_line) ||
                             length(ref_line) != 1L || !(ref_line > 0))) {
    cs_abort("`ref_line` must be a single positive number or NULL.",
             arg = "ref_line")
  }
  check_flag(overall_line, "overall_line")
  if (!is.null(favours) && (!is.character(favours) || length(favours) != 2L)) {
    cs_abort("`favours` must be two labels, for the left and right of ",
             "`ref_line`.", arg = "favours")
  }
  if (!is.numeric(cex) || length(cex) != 1L || !(cex > 0)) {
    cs_abort("`cex` must be a single positive number.", arg = "cex")
  }
  invisible(TRUE)
}

# The default hazard-ratio axis: every interval and `ref_line`, with room
# on both sides of the no-effect line for the `favours` labels, limited to
# 0.01 to 100.
forest_xlim <- function(x, ref_line) {
  vals <- c(x$lower, x$upper, x$hr, ref_line)
  vals <- vals[is.finite(vals) & vals > 0]
  xlim <- range(vals) * c(0.9, 1.1)
  if (!is.null(ref_line)) {
    span <- log(c(ref_line / xlim[1L], xlim[2L] / ref_line))
    span <- pmax(span, 0.4 * max(span), log(1.5))
    xlim <- ref_line * exp(c(-span[1L], span[2L]))
  }
  c(max(xlim[1L], 0.01), min(xlim[2L], 100))
}

# Widths of the text columns (inches at cex = 1), the text size that fits
# them and the rows on the device (shrunk down to half), and the margins;
# sets par(cex, mai, mgp, tcl) for the plot.
forest_layout <- function(rows, heads, favours, cex, footnote = FALSE) {
  graphics::par(cex = 1)
  sw <- function(s, font = 1) {
    s <- s[!is.na(s) & nzchar(s)]
    if (!length(s)) return(0)
    max(graphics::strwidth(s, units = "inches", font = font))
  }
  lay <- list(indent = sw("MM"), gap = 0.15,
              has_p = any(nzchar(rows$p_text)), line = graphics::par("csi"))
  w_label <- max(sw(rows$label[!rows$indent], font = 2),
                 sw(rows$label[rows$indent]) + lay$indent,
                 sw(heads$label, 2))
  w_count <- max(sw(rows$counts), sw(heads$counts, 2))
  lay$w_hr <- max(sw(rows$hr_text), sw(heads$hr, 2))
  lay$w_p <- if (lay$has_p) max(sw(rows$p_text), sw(heads$p, 2)) else 0
  gap <- lay$gap
  lay$left <- w_label + gap + w_count + gap
  right_in <- gap + lay$w_hr + if (lay$has_p) gap + lay$w_p else 0
  fin <- graphics::par("fin")
  min_panel <- max(2, 0.35 * fin[1L])
  s_w <- (fin[1L] - 0.2 - min_panel) / (lay$left + right_in + 0.1)
  # axis labels and title; favours labels with their arrows; footnote
  lay$bottom_lines <- 3.6 + if (is.null(favours)) 0 else 2.2
  if (footnote) lay$bottom_lines <- lay$bottom_lines + 1.3
  top_lines <- if (lay$has_p && length(heads$p) > 1L) 3 else 2
  s_h <- (fin[2L] - 0.2) /
    ((nrow(rows) * 1.35 + lay$bottom_lines + top_lines) * lay$line)
  lay$cex <- max(0.5, min(cex, s_w, s_h))
  graphics::par(cex = lay$cex)
  mai <- c(lay$bottom_lines * lay$line * lay$cex, 0.1 + lay$left * lay$cex,
           top_lines * lay$line * lay$cex, 0.1 + right_in * lay$cex)
  # rows no more than 2.2 lines apart: a short table is centred vertically
  # rather than spread over the device
  free <- fin[2L] - mai[1L] - mai[3L] - nrow(rows) * 2.2 * lay$line * lay$cex
  if (free > 0) mai[c(1L, 3L)] <- mai[c(1L, 3L)] + free / 2
  graphics::par(mai = mai, mgp = c(2, 0.5, 0), tcl = -0.3)
  lay
}

# Size (cex) of a subgroup's square: its area grows with its number of
# events, from 0.6 for none to 2.2 for the most events of any subgroup.
forest_square_size <- function(events, max_events) {
  0.6 + 1.6 * sqrt(max(events, 0, na.rm = TRUE) / max_events)
}

# The diamond of the overall estimate, and per subgroup its interval
# (an arrow where it leaves the axis) and its square.
forest_estimates <- function(rows, xlim, col, cex) {
  ev <- rows$events
  max_ev <- max(ev[!rows$overall & !is.na(rows$hr)], 1, na.rm = TRUE)
  for (i in seq_len(nrow(rows))) {
    r <- rows[i, ]
    if (is.na(r$hr)) next
    lo <- max(r$lower, xlim[1L])
    hi <- min(r$upper, xlim[2L])
    if (r$overall) {
      graphics::polygon(c(r$lower, r$hr, r$upper, r$hr),
                        c(i, i - 0.32, i, i + 0.32), col = col, border = col)
      next
    }
    if (!is.na(lo) && !is.na(hi)) {
      graphics::segments(lo, i, hi, i, col = col, lwd = 1.2)
      alen <- 0.06 * cex
      if (r$lower < xlim[1L]) {
        graphics::arrows(hi, i, xlim[1L], i, length = alen, col = col)
      }
      if (r$upper > xlim[2L]) {
        graphics::arrows(lo, i, xlim[2L], i, length = alen, col = col)
      }
    }
    if (r$hr >= xlim[1L] && r$hr <= xlim[2L]) {
      graphics::points(r$hr, i, pch = 15,
                       cex = if (is.na(ev[i])) 1.2 else
                         forest_square_size(ev[i], max_ev), col = col)
    }
  }
}

forest_axis <- function(xlim, xlab, favours, ref_line, cex) {
  label_width <- function(s) {
    graphics::strwidth(s, units = "inches", cex = cex)
  }
  ticks <- forest_ticks(xlim, graphics::par("pin")[1L], label_width)
  graphics::axis(1, at = xlim, labels = FALSE, tcl = 0)
  # every chosen label is drawn (they were chosen not to touch)
  graphics::axis(1, at = ticks, labels = forest_tick_labels(ticks),
                 gap.axis = 0)
  graphics::mtext(xlab, side = 1, line = 2, cex = cex)
  if (!is.null(favours)) forest_favours(favours, xlim, ref_line, cex)
  invisible(ticks)
}

# The two "favours" labels under the axis, one each side of the no-effect
# line and a little apart from it, each above an arrow pointing away from
# the line (towards the side the label favours).
forest_favours <- function(favours, xlim, ref_line, cex) {
  mid <- if (is.null(ref_line)) sqrt(prod(xlim)) else ref_line
  mid_in <- graphics::grconvertX(mid, "user", "inches")
  sep <- 0.12
  y_text <- 3.4
  graphics::mtext(favours[1L], side = 1, line = y_text, cex = cex,
                  at = graphics::grconvertX(mid_in - sep, "inches", "user"),
                  adj = 1)
  graphics::mtext(favours[2L], side = 1, line = y_text, cex = cex,
                  at = graphics::grconvertX(mid_in + sep, "inches", "user"),
                  adj = 0)
  w <- graphics::strwidth(favours, units = "inches", cex = cex)
  line_h <- graphics::par("csi")
  base_in <- graphics::grconvertY(graphics::par("usr")[3L], "user", "inches")
  y_arrow <- graphics::grconvertY(base_in - (y_text + 1.4) * line_h,
                                  "inches", "user")
  to_user <- function(v) graphics::grconvertX(v, "inches", "user")
  old <- graphics::par(xpd = NA)
  on.exit(graphics::par(old))
  alen <- 0.08 * cex
  graphics::arrows(to_user(mid_in - sep), y_arrow,
                   to_user(mid_in - sep - w[1L]), y_arrow, length = alen,
                   lwd = 1.2)
  graphics::arrows(to_user(mid_in + sep), y_arrow,
                   to_user(mid_in + sep + w[2L]), y_arrow, length = alen,
                   lwd = 1.2)
}

# The text columns (labels, counts, HR (95% CI), P for interaction) and
# their headers, positioned in inches from the panel edges.
forest_text <- function(rows, heads, lay, xlim, cex) {
  graphics::par(xpd = NA)
  to_user <- function(inch_from_left_edge) {
    graphics::grconvertX(inch_from_left_edge, "inches", "user")
  }
  gap <- lay$gap
  panel_l <- graphics::grconvertX(xlim[1L], "user", "inches")
  panel_r <- graphics::grconvertX(xlim[2L], "user", "inches")
  x_label <- to_user(panel_l - lay$left * cex)
  x_count <- to_user(panel_l - gap * cex)
  x_hr <- to_user(panel_r + (gap + lay$w_hr) * cex)
  x_p <- to_user(panel_r + (gap + lay$w_hr + gap + lay$w_p) * cex)
  head_y <- graphics::grconvertY(
    graphics::grconvertY(0.5, "user", "inches") + 0.35 * lay$line * cex,
    "inches", "user")
  graphics::text(x_label, head_y, heads$label, adj = c(0, 0), font = 2)
  graphics::text(x_count, head_y, heads$counts, adj = c(1, 0), font = 2)
  graphics::text(x_hr, head_y, heads$hr, adj = c(1, 0), font = 2)
  if (lay$has_p) {
    np <- length(heads$p)
    for (k in seq_len(np)) {
      yk <- graphics::grconvertY(
        graphics::grconvertY(head_y, "user", "inches") +
          (np - k) * 1.1 * lay$line * cex, "inches", "user")
      graphics::text(x_p, yk, heads$p[k], adj = c(1, 0), font = 2)
    }
  }
  for (i in seq_len(nrow(rows))) {
    r <- rows[i, ]
    xl <- if (r$indent) to_user(panel_l - (lay$left - lay$indent) * cex) else
      x_label
    graphics::text(xl, i, r$label, adj = c(0, 0.5),
                   font = if (r$indent) 1 else 2)
    if (nzchar(r$counts)) graphics::text(x_count, i, r$counts, adj = c(1, 0.5))
    if (nzchar(r$hr_text)) graphics::text(x_hr, i, r$hr_text, adj = c(1, 0.5))
    if (lay$has_p && nzchar(r$p_text)) {
      graphics::text(x_p, i, r$p_text, adj = c(1, 0.5))
    }
  }
}

# The display rows of a forest plot: the overall row, then per subgroup a
# header row (with its P for interaction) and one indented row per level.
forest_rows <- function(x, digits) {
  x <- as.data.frame(x, stringsAsFactors = FALSE)
  pint <- if ("p_interaction" %in% names(x)) x$p_interaction else
    rep(NA_real_, nrow(x))
  counts <- ifelse(is.na(x$n), "",
                   paste0(format_count(x$n), " (",
                          ifelse(is.na(x$events), "-",
                                 format_count(x$events)), ")"))
  hr_text <- format_hr(x$hr, x$lower, x$upper, digits = digits)
  hr_text[is.na(hr_text)] <- ifelse(is.na(x$hr[is.na(hr_text)]), "NE",
                                    formatC(x$hr[is.na(hr_text)], format = "f",
                                            digits = digits))
  sg <- as.character(x$subgroup)
  lev <- as.character(x$level)
  overall <- tolower(sg) == "overall"
  out <- list()
  add <- function(label, indent, i, p_text = "", is_overall = FALSE) {
    out[[length(out) + 1L]] <<- data.frame(
      label = label, indent = indent,
      counts = if (is.na(i)) "" else counts[i],
      hr_text = if (is.na(i)) "" else hr_text[i],
      p_text = p_text, overall = is_overall,
      events = if (is.na(i)) NA_real_ else x$events[i],
      hr = if (is.na(i)) NA_real_ else x$hr[i],
      lower = if (is.na(i)) NA_real_ else x$lower[i],
      upper = if (is.na(i)) NA_real_ else x$upper[i],
      stringsAsFactors = FALSE)
  }
  for (i in which(overall)) {
    lab <- if (is.na(lev[i]) || !nzchar(lev[i])) "All patients" else lev[i]
    add(lab, FALSE, i, is_overall = TRUE)
  }
  for (s in unique(sg[!overall])) {
    idx <- which(sg == s & !overall)
    p <- pint[idx][!is.na(pint[idx])]
    add(s, FALSE, NA_integer_, if (length(p)) format_p(p[1L]) else "")
    for (i in idx) add(lev[i], TRUE, i)
  }
  do.call(rbind, out)
}

# Log-axis ticks inside xlim: the densest of five series (1; 1-3; 1-2-5;
# 1-1.5-2-3-5-7; 1-1.25-...-9, times powers of ten) with at most 7 ticks
# whose labels, `label_width()` inches wide, do not touch on a panel
# `width` inches wide (a gap of 0.12 inch at least). A series with fewer
# than two ticks inside is skipped; if none fits, the two ends of the
# sparsest series that has two.
forest_ticks <- function(xlim, width = Inf, label_width = nchar) {
  dec <- 10^(-3:3)
  series <- list(
    c(1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5, 6, 7, 8, 9),
    c(1, 1.5, 2, 3, 5, 7),
    c(1, 2, 5),
    c(1, 3),
    1)
  lx <- log(xlim)
  fits <- function(t) {
    if (length(t) < 2L || length(t) > 7L) return(FALSE)
    pos <- (log(t) - lx[1L]) / diff(lx) * width
    w <- label_width(forest_tick_labels(t))
    all(diff(pos) - (w[-1L] + w[-length(w)]) / 2 >= 0.12)
  }
  cands <- lapply(series, function(m) {
    t <- sort(unique(signif(as.vector(outer(m, dec)), 6)))
    t[t >= xlim[1L] * 0.999 & t <= xlim[2L] * 1.001]
  })
  for (t in cands) if (fits(t)) return(t)
  two <- Filter(function(t) length(t) >= 2L, rev(cands))
  if (length(two)) return(two[[1L]][c(1L, length(two[[1L]]))])
  signif(xlim, 2)
}

forest_tick_labels <- function(t) {
  vapply(t, function(v) format(v, digits = 3, drop0trailing = TRUE,
                               trim = TRUE, scientific = FALSE),
         character(1))
}
