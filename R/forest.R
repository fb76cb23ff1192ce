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
#'   optionally `p_interaction`. The row with `subgroup` "Overall" is the
#'   overall estimate.
#' @param ref_line Where the solid no-effect line is drawn (1 for a hazard
#'   ratio); `NULL` for none.
#' @param overall_line If `TRUE`, draw a dashed line at the overall hazard
#'   ratio.
#' @param xlim Range of the hazard-ratio axis; by default it covers every
#'   confidence interval and `ref_line`, limited to 0.01 to 100. Intervals
#'   reaching beyond it end in an arrow.
#' @param favours Optional two labels written under the axis, left and right
#'   of `ref_line`, such as `c("LRT better", "STA better")`.
#' @param xlab Label of the hazard-ratio axis.
#' @param col Colour of the squares, intervals and diamond.
#' @param cex Base text size; the plot shrinks it, down to half, if the
#'   labels and rows would not otherwise fit the device.
#' @param digits Decimals of the hazard ratios, passed to [format_hr()].
#' @param ... Ignored.
#' @returns Invisibly, the rows drawn: a data frame with columns `row`
#'   (position from the top), `label`, `counts`, `hr_text`, `p_text`, with
#'   attribute `cex` (the text size used).
#' @references
#' Lewis S, Clarke M (2001). Forest plots: trying to see the wood and the
#' trees. *BMJ* 322, 1479-1480.
#'
#' Cuzick J (2005). Forest plots and the interpretation of subgroups.
#' *Lancet* 365, 1308.
#' @seealso [subgroup_hr()], [save_plot()].
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
#' @export
forest_plot <- function(x, ref_line = 1, overall_line = TRUE, xlim = NULL,
                        favours = NULL, xlab = "Hazard ratio (95% CI)",
                        col = "black", cex = 1, digits = 2, ...) {
  check_forest_args(x, ref_line, overall_line, favours, cex)
  rows <- forest_rows(x, digits)
  R <- nrow(rows)
  is_overall <- tolower(x$subgroup) == "overall"
  overall_hr <- if (any(is_overall)) x$hr[which(is_overall)[1L]] else NA
  if (is.null(xlim)) xlim <- forest_xlim(x, ref_line)
  if (!is.numeric(xlim) || length(xlim) != 2L || any(!(xlim > 0)) ||
      xlim[1L] >= xlim[2L]) {
    cs_abort("`xlim` must be two increasing positive numbers.", arg = "xlim")
  }

  op <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(op[c("mai", "xpd", "cex", "mgp", "tcl")]),
          add = TRUE)
  lay <- forest_layout(rows, favours, cex)
  cex <- lay$cex
  graphics::plot.new()
  graphics::plot.window(xlim = xlim, ylim = c(R + 0.5, 0.5), log = "x",
                        xaxs = "i", yaxs = "i")
  # reference lines
  if (!is.null(ref_line)) {
    graphics::segments(ref_line, R + 0.5, ref_line, 0.5, lwd = 1)
  }
  if (overall_line && !is.na(overall_hr)) {
    graphics::segments(overall_hr, R + 0.5, overall_hr, 0.5, lty = 2,
                       col = "grey35")
  }
  forest_estimates(rows, xlim, col, cex)
  forest_axis(xlim, xlab, favours, ref_line, cex)
  forest_text(rows, lay, xlim, cex)
  out <- data.frame(row = seq_len(R), label = rows$label,
                    counts = rows$counts, hr_text = rows$hr_text,
                    p_text = rows$p_text, stringsAsFactors = FALSE)
  attr(out, "cex") <- cex
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
forest_layout <- function(rows, favours, cex) {
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
                 sw("Subgroup", 2))
  w_count <- max(sw(rows$counts), sw("No. (events)", 2))
  lay$w_hr <- max(sw(rows$hr_text), sw("HR (95% CI)", 2))
  lay$w_p <- if (lay$has_p) {
    max(sw(rows$p_text), sw("P for", 2), sw("interaction", 2))
  } else 0
  gap <- lay$gap
  lay$left <- w_label + gap + w_count + gap
  right_in <- gap + lay$w_hr + if (lay$has_p) gap + lay$w_p else 0
  fin <- graphics::par("fin")
  min_panel <- max(2, 0.35 * fin[1L])
  s_w <- (fin[1L] - 0.2 - min_panel) / (lay$left + right_in + 0.1)
  bottom_lines <- if (is.null(favours)) 3.6 else 5.2
  top_lines <- if (lay$has_p) 3 else 2
  s_h <- (fin[2L] - 0.2) /
    ((nrow(rows) * 1.35 + bottom_lines + top_lines) * lay$line)
  lay$cex <- max(0.5, min(cex, s_w, s_h))
  graphics::par(cex = lay$cex)
  mai <- c(bottom_lines * lay$line * lay$cex, 0.1 + lay$left * lay$cex,
           top_lines * lay$line * lay$cex, 0.1 + right_in * lay$cex)
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
                       cex = forest_square_size(ev[i], max_ev), col = col)
    }
  }
}

forest_axis <- function(xlim, xlab, favours, ref_line, cex) {
  ticks <- forest_ticks(xlim)
  graphics::axis(1, at = xlim, labels = FALSE, tcl = 0)
  graphics::axis(1, at = ticks, labels = format(ticks, drop0trailing = TRUE,
                                                trim = TRUE))
  graphics::mtext(xlab, side = 1, line = 2, cex = cex)
  if (!is.null(favours)) {
    mid <- if (is.null(ref_line)) sqrt(prod(xlim)) else ref_line
    graphics::mtext(favours[1L], side = 1, line = 3.2, at = mid, adj = 1.05,
                    cex = 0.9 * cex)
    graphics::mtext(favours[2L], side = 1, line = 3.2, at = mid, adj = -0.05,
                    cex = 0.9 * cex)
  }
}

# The text columns (labels, counts, HR (95% CI), P for interaction) and
# their headers, positioned in inches from the panel edges.
forest_text <- function(rows, lay, xlim, cex) {
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
  graphics::text(x_label, head_y, "Subgroup", adj = c(0, 0), font = 2)
  graphics::text(x_count, head_y, "No. (events)", adj = c(1, 0), font = 2)
  graphics::text(x_hr, head_y, "HR (95% CI)", adj = c(1, 0), font = 2)
  if (lay$has_p) {
    graphics::text(x_p, head_y, "interaction", adj = c(1, 0), font = 2)
    head2 <- graphics::grconvertY(
      graphics::grconvertY(head_y, "user", "inches") + 1.1 * lay$line * cex,
      "inches", "user")
    graphics::text(x_p, head2, "P for", adj = c(1, 0), font = 2)
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

# Log-axis ticks inside xlim: 1-2-5 steps (finer when fewer than three
# fit), thinned to at most 7.
forest_ticks <- function(xlim) {
  cand <- c(0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5,
            10, 20, 50, 100)
  inside <- function(v) v[v >= xlim[1L] * 0.999 & v <= xlim[2L] * 1.001]
  base <- c(0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
  t <- inside(base)
  if (length(t) < 3L) t <- inside(cand)
  if (length(t) > 7L) t <- t[t %in% c(0.01, 0.1, 1, 10, 100)]
  if (length(t) < 2L) t <- signif(exp(seq(log(xlim[1L]), log(xlim[2L]),
                                          length.out = 4L)), 2)
  t
}
