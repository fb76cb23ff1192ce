#' Plot Kaplan-Meier curves with a number-at-risk table
#'
#' Draws the survival curves of a [km()] fit in base graphics, as clinical
#' journals print them: step curves with censoring ticks, optional
#' confidence bands and median lines, a legend, an optional text block (the
#' hazard ratio and the log-rank P value) and, under the x-axis, the number
#' at risk in each group at each axis break, labelled "No. at risk".
#'
#' @param x A `cs_km` object from [km()].
#' @param risk_table If `TRUE`, draw the number-at-risk table under the
#'   plot.
#' @param times The x-axis breaks, which are also the times of the risk
#'   table, e.g. `seq(0, 135, 15)`. `NULL` takes [pretty()] breaks from 0 to
#'   the largest follow-up time. The x-axis runs from the first to the last
#'   break.
#' @param conf_int If `TRUE`, shade the pointwise confidence band of each
#'   curve.
#' @param censor_marks If `TRUE`, mark censoring times with a tick (`+`).
#' @param median_lines If `TRUE`, draw dotted lines from S = 0.5 to each
#'   median survival time and down to the x-axis.
#' @param legend Where to put the legend: `"auto"` (the default) picks the
#'   corner (top right, bottom left, bottom right, top left, in that order
#'   of preference) where it covers the fewest points of the curves and
#'   their bands; a keyword of [graphics::legend()] such as `"topright"`
#'   puts it there; `FALSE` draws none; a list is passed to `legend()`. A
#'   single curve has no legend unless a list is given.
#' @param annotate Optional character vector of text lines written inside
#'   the plot, such as
#'   `paste0(format_hr(0.47, 0.33, 0.69, prefix = TRUE), "; log-rank ",
#'   format_p(1e-5, prefix = TRUE))`.
#' @param annotate_pos Where to put `annotate`: `"auto"` (the default)
#'   picks the free corner as for `legend`, avoiding the legend too; or a
#'   keyword of [graphics::legend()] such as `"bottomleft"`.
#' @param labels Names of the curves in the legend and the risk table;
#'   by default the strata labels of the fit, without the "variable=" prefix
#'   when the curves come from one variable.
#' @param xlab,ylab Axis labels.
#' @param col Colours of the curves (recycled); by default a palette that
#'   stays distinct for colour-blind readers and in greyscale print.
#' @param lty Line types of the curves (recycled).
#' @param lwd Line width of the curves.
#' @param risk_cex Character expansion of the risk table relative to the
#'   axis labels.
#' @param ... Further graphical parameters passed to [graphics::plot()],
#'   such as `main`, `cex.axis`, `ylim`.
#'
#' @details
#' The risk table is drawn in the bottom margin with [graphics::mtext()] at
#' the axis break positions, so it is aligned with the x-axis by
#' construction, in the same device and figure region, with the margins
#' enlarged to fit it and the group labels. Its numbers are those of
#' `summary(x, times = times)$n_risk`. The graphical parameters changed are
#' restored on exit, so further drawing with `lines()` or `abline()` uses
#' the plot's coordinates but not its margins.
#'
#' @returns Invisibly, the risk table drawn: a data frame with columns
#'   `strata, label, time, n_risk, text` (one row per curve and break), with
#'   attributes `col` and `lty` (the styles used).
#' @references
#' Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete
#' observations. *Journal of the American Statistical Association* 53,
#' 457-481.
#'
#' Pocock SJ, Clayton TC, Altman DG (2002). Survival plots of time-to-event
#' outcomes in clinical trials: good practice and pitfalls. *Lancet* 359,
#' 1686-1689.
#' @seealso [save_plot()] to write the figure to a pdf, png or svg file.
#' @examples
#' library(survival)
#' # Figure 1 of the seed paper, on the reconstructed cohort
#' fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
#' plot(fit, times = seq(0, 135, 15), xlab = "Months",
#'      ylab = "Overall survival",
#'      annotate = c(format_hr(0.47, 0.33, 0.69, prefix = TRUE),
#'                   paste("Log-rank", format_p(1e-5, prefix = TRUE))))
#'
#' # confidence bands and median lines
#' plot(km(Surv(time, status) ~ sex, data = lung), conf_int = TRUE,
#'      median_lines = TRUE, labels = c("Male", "Female"), xlab = "Days")
#' @export
plot.cs_km <- function(x, risk_table = TRUE, times = NULL, conf_int = FALSE,
                       censor_marks = TRUE, median_lines = FALSE,
                       legend = "auto", annotate = NULL,
                       annotate_pos = "auto", labels = NULL,
                       xlab = "Time", ylab = "Survival probability",
                       col = NULL, lty = 1, lwd = 2, risk_cex = 0.9, ...) {
  check_flag(risk_table, "risk_table")
  check_flag(conf_int, "conf_int")
  check_flag(censor_marks, "censor_marks")
  check_flag(median_lines, "median_lines")
  cv <- x$curves
  lev <- levels(cv$strata)
  k <- length(lev)
  times <- km_plot_times(cv, times)
  if (is.null(labels)) labels <- curve_labels(lev)
  if (!is.character(labels) || length(labels) != k) {
    cs_abort("`labels` must be a character vector with one name per curve (",
             k, ").", arg = "labels")
  }
  if (is.null(col)) col <- km_palette(k)
  col <- rep_len(col, k)
  lty <- rep_len(lty, k)
  if (!is.null(annotate) && (!is.character(annotate) || anyNA(annotate))) {
    cs_abort("`annotate` must be a character vector of text lines.",
             arg = "annotate")
  }
  if (!is.numeric(risk_cex) || length(risk_cex) != 1L || !(risk_cex > 0)) {
    cs_abort("`risk_cex` must be a single positive number.", arg = "risk_cex")
  }

  risk <- summary(x, times = times)
  risk$label <- labels[as.integer(risk$strata)]
  risk$text <- format_count(risk$n_risk)
  risk <- risk[c("strata", "label", "time", "n_risk", "text")]

  dots <- list(...)
  cex_axis <- if (is.null(dots$cex.axis)) 1 else dots$cex.axis
  op <- graphics::par(no.readonly = TRUE)
  on.exit(graphics::par(op[c("mar", "mgp", "xpd", "las", "tcl")]),
          add = TRUE)
  lay <- km_plot_layout(labels, risk, times, risk_table, risk_cex, cex_axis,
                        !is.null(dots$main))
  xlim <- range(times)
  args <- utils::modifyList(
    list(x = NA, y = NA, xlim = xlim, ylim = c(0, 1), xlab = xlab,
         ylab = ylab, axes = FALSE, xaxs = "r", yaxs = "r"),
    dots)
  do.call(graphics::plot, args)
  graphics::axis(1, at = times, cex.axis = cex_axis)
  graphics::axis(2, at = pretty(c(0, 1)), cex.axis = cex_axis)
  graphics::box(bty = "l")
  km_draw_curves(x, col, lty, lwd, conf_int, censor_marks, median_lines,
                 xlim)
  km_draw_legends(cv, xlim, conf_int, legend, annotate, annotate_pos,
                  list(legend = labels, col = col, lty = lty, lwd = lwd,
                       cex = cex_axis))
  if (risk_table) km_draw_risk_table(risk, labels, col, times, lay)
  rownames(risk) <- NULL
  attr(risk, "col") <- col
  attr(risk, "lty") <- lty
  invisible(risk)
}

# The axis breaks: `times` checked, or by default pretty() breaks from 0,
# without the last one when the curves end within the axis padding.
km_plot_times <- function(cv, times) {
  if (is.null(times)) {
    tmax <- max(cv$time)
    times <- pretty(c(0, tmax))
    m <- length(times)
    if (m > 2L && tmax <= times[m - 1L] + 0.04 * (times[m - 1L] - times[1L])) {
      times <- times[-m]
    }
  }
  if (!is.numeric(times) || anyNA(times) || length(times) < 2L ||
      any(!is.finite(times)) || any(diff(times) <= 0)) {
    cs_abort("`times` must be an increasing numeric vector of at least two ",
             "finite axis breaks.", arg = "times")
  }
  times
}

# Margins with room for the risk table under the plot and its labels on
# the left; the table's text size `rc` (shrunk, down to half, when
# neighbouring numbers would collide). Sets par(mar, mgp, las, tcl).
km_plot_layout <- function(labels, risk, times, risk_table, risk_cex,
                           cex_axis, has_main) {
  mar <- c(4.1, 4.6, 1.6, 1.6)
  if (has_main) mar[3L] <- 3.6
  mgp <- c(2.6, 0.7, 0)
  lay <- list(line0 = mgp[1L] + 1.4)
  line_in <- graphics::par("csi") * graphics::par("mex")
  if (risk_table) {
    # widths at an absolute text size of 1 (mtext() sizes are absolute)
    rel <- 1 / graphics::par("cex")
    lab1 <- max(graphics::strwidth(labels, units = "inches", cex = rel))
    num1 <- max(graphics::strwidth(risk$text, units = "inches", cex = rel))
    rc <- risk_cex * cex_axis
    mar2 <- max(mar[2L], (lab1 * rc + num1 * rc / 2 + 0.2) / line_in)
    pin_w <- graphics::par("fin")[1L] - (mar2 + mar[4L]) * line_in
    gap_in <- min(diff(times)) * pin_w / (1.08 * diff(range(times)))
    if (num1 * rc * 1.3 > gap_in) {
      rc <- max(0.5 * risk_cex * cex_axis, gap_in / (num1 * 1.3))
    }
    lay$rc <- rc
    lay$num_in <- num1 * rc / 2
    mar[1L] <- lay$line0 + (length(labels) + 1L) * max(rc, 0.8) + 0.8
    mar[2L] <- max(mar[2L], (lab1 * rc + lay$num_in + 0.2) / line_in)
  }
  graphics::par(mar = mar, mgp = mgp, las = 1, tcl = -0.4)
  lay
}

# Confidence bands first, the curves (with censoring marks) over them, and
# the median lines.
km_draw_curves <- function(x, col, lty, lwd, conf_int, censor_marks,
                           median_lines, xlim) {
  cv <- x$curves
  k <- nlevels(cv$strata)
  for (j in seq_len(k)) {
    c1 <- cv[as.integer(cv$strata) == j, , drop = FALSE]
    if (conf_int) draw_band(c1, col[j])
  }
  for (j in seq_len(k)) {
    c1 <- cv[as.integer(cv$strata) == j, , drop = FALSE]
    t0 <- min(0, c1$time[1L])
    graphics::lines(c(t0, c1$time), c(1, c1$surv), type = "s", col = col[j],
                    lty = lty[j], lwd = lwd)
    if (censor_marks) {
      cz <- c1$n_censor > 0
      if (any(cz)) {
        graphics::points(c1$time[cz], c1$surv[cz], pch = 3, cex = 0.6,
                         col = col[j], lwd = max(1, lwd / 2))
      }
    }
  }
  if (median_lines) {
    med <- x$table$median
    ok <- !is.na(med)
    if (any(ok)) {
      graphics::segments(xlim[1L], 0.5, max(med[ok]), 0.5, lty = 3,
                         col = "grey40")
      graphics::segments(med[ok], 0, med[ok], 0.5, lty = 3, col = col[ok])
    }
  }
}

# The legend (for more than one curve, unless `legend` is FALSE) and the
# annotation, where they cover least of the curves unless told where.
# `keys`: legend(), col, lty, lwd and cex of the curves' legend.
km_draw_legends <- function(cv, xlim, conf_int, legend, annotate,
                            annotate_pos, keys) {
  occupied <- curve_points(cv, xlim, conf_int)
  taken <- NULL
  if (is.list(legend) || (!isFALSE(legend) && nlevels(cv$strata) > 1L)) {
    largs <- list(x = "topright", legend = keys$legend, col = keys$col,
                  lty = keys$lty, lwd = keys$lwd, bty = "n",
                  inset = c(0.01, 0.01), cex = keys$cex, seg.len = 2.5)
    if (is.character(legend) && legend != "auto") largs$x <- legend
    if (is.list(legend)) largs <- utils::modifyList(largs, legend)
    if (identical(legend, "auto")) {
      largs$x <- free_corner(largs, occupied, NULL)
    }
    taken <- do.call(graphics::legend, largs)$rect
  }
  if (!is.null(annotate)) {
    aargs <- list(x = "bottomleft", legend = annotate, bty = "n",
                  inset = c(0.01, 0.01), cex = keys$cex)
    aargs$x <- if (identical(annotate_pos, "auto")) {
      free_corner(aargs, occupied, taken)
    } else annotate_pos
    do.call(graphics::legend, aargs)
  }
}

# The number-at-risk table under the x axis: one row per curve, coloured
# like it, with the numbers at the axis breaks.
km_draw_risk_table <- function(risk, labels, col, times, lay) {
  rc <- lay$rc
  line <- lay$line0
  graphics::par(xpd = NA)
  x_lab <- graphics::grconvertX(
    graphics::grconvertX(times[1L], "user", "inches") - lay$num_in - 0.1,
    "inches", "user")
  x_head <- graphics::grconvertX(
    graphics::grconvertX(0, "nfc", "inches") + 0.08, "inches", "user")
  graphics::mtext("No. at risk", side = 1, line = line, at = x_head,
                  adj = 0, cex = rc, font = 2)
  for (j in seq_along(labels)) {
    line <- line + max(rc, 0.8)
    r <- risk[as.integer(risk$strata) == j, , drop = FALSE]
    graphics::mtext(labels[j], side = 1, line = line, at = x_lab, adj = 1,
                    cex = rc, col = col[j])
    graphics::mtext(r$text, side = 1, line = line, at = r$time,
                    cex = rc, col = col[j])
  }
}

# Points on the curves (both ends of every drop, and a grid along each flat
# stretch) and, with bands, on their limits, in user coordinates.
curve_points <- function(cv, xlim, conf_int) {
  grid <- seq(xlim[1L], xlim[2L], length.out = 200L)
  pts <- lapply(split(cv, cv$strata), function(c1) {
    if (!nrow(c1)) return(NULL)
    ys <- c(1, c1$surv)
    at <- findInterval(grid, c1$time) + 1L
    x <- c(grid, c1$time, c1$time)
    y <- c(ys[at], ys[-length(ys)], c1$surv)
    if (conf_int) {
      lo <- c(1, c1$lower)
      hi <- c(1, c1$upper)
      x <- c(x, grid, grid)
      y <- c(y, lo[at], hi[at])
    }
    # a curve stops at its last time
    keep <- x <= max(c1$time) & !is.na(y)
    cbind(x = x[keep], y = y[keep])
  })
  do.call(rbind, pts)
}

# The legend() corner whose box covers the fewest `occupied` points and
# does not overlap the box `taken` (a legend()$rect list).
free_corner <- function(args, occupied, taken) {
  corners <- c("topright", "bottomleft", "bottomright", "topleft")
  score <- vapply(corners, function(pos) {
    a <- args
    a$x <- pos
    a$plot <- FALSE
    r <- do.call(graphics::legend, a)$rect
    inside <- occupied[, "x"] >= r$left & occupied[, "x"] <= r$left + r$w &
      occupied[, "y"] <= r$top & occupied[, "y"] >= r$top - r$h
    clash <- !is.null(taken) &&
      r$left < taken$left + taken$w && taken$left < r$left + r$w &&
      r$top - r$h < taken$top && taken$top - taken$h < r$top
    sum(inside) + if (clash) 1e6 else 0
  }, numeric(1))
  corners[which.min(score)]
}

# Curve names without the "variable=" prefix when one variable defines them.
curve_labels <- function(lev) {
  if (length(lev) == 1L && lev == "all") return("All")
  if (any(grepl(", ", lev, fixed = TRUE))) return(lev)
  pre <- sub("=.*$", "", lev)
  if (all(grepl("=", lev, fixed = TRUE)) && length(unique(pre)) == 1L) {
    short <- sub("^[^=]*=", "", lev)
    # bare numeric codes ("1", "2") say less than "sex=1", "sex=2"
    if (!all(grepl("^-?[0-9.]+$", short))) return(short)
  }
  lev
}

# Okabe-Ito colours, black first.
km_palette <- function(k) {
  pal <- c("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7",
           "#E69F00", "#56B4E9", "#F0E442")
  rep_len(pal, k)
}

format_count <- function(n) {
  ifelse(abs(n - round(n)) < 1e-8, formatC(round(n), format = "d",
                                           big.mark = ","),
         formatC(n, format = "f", digits = 1))
}

# A stepped, shaded confidence band for one curve.
draw_band <- function(c1, col) {
  ok <- !is.na(c1$lower) & !is.na(c1$upper)
  if (!any(ok)) return(invisible())
  t <- c(min(0, c1$time[1L]), c1$time[ok])
  lo <- c(1, c1$lower[ok])
  hi <- c(1, c1$upper[ok])
  n <- length(t)
  # step coordinates: each value holds until the next time
  xs <- c(rbind(t, c(t[-1L], t[n])))
  ylo <- rep(lo, each = 2L)
  yhi <- rep(hi, each = 2L)
  graphics::polygon(c(xs, rev(xs)), c(yhi, rev(ylo)),
                    col = grDevices::adjustcolor(col, alpha.f = 0.18),
                    border = NA)
}
