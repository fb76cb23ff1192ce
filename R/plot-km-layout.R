# Layout of a Kaplan-Meier figure, computed in inches from what it must hold
# before anything is drawn: margins, the text size and the labelled breaks
# of the axis and the risk table, the place of the legend and of the
# annotation (inside the panel where no curve passes, otherwise above it).

# Colours that stay legible as text on white (contrast at least 3:1, so no
# yellow), distinct for colour-blind readers (Okabe-Ito first), black first.
km_colours <- c("#000000", "#D55E00", "#0072B2", "#009E73", "#CC79A7",
                "#996B00", "#6A3D9A", "#737373")
km_linetypes <- c("solid", "44", "13", "1343")

# Colour and line type of k curves: the colours cycle first, the line type
# changes with each cycle, so no two of the first 32 curves look the same.
km_styles <- function(k) {
  j <- seq_len(k) - 1L
  nc <- length(km_colours)
  list(col = km_colours[j %% nc + 1L],
       lty = km_linetypes[(j %/% nc) %% length(km_linetypes) + 1L])
}

# The axis breaks and range, in axis units (the fit's time / xscale).
# Default breaks are pretty() ones over `xlim`, or from 0 to the last
# follow-up time; given breaks outside `xlim` are dropped.
km_axis <- function(tmax, times, xlim) {
  if (!is.null(xlim)) {
    if (!is.numeric(xlim) || length(xlim) != 2L || anyNA(xlim) ||
        any(!is.finite(xlim)) || xlim[2L] <= xlim[1L]) {
      cs_abort("`xlim` must be two increasing finite numbers.", arg = "xlim")
    }
  }
  if (is.null(times)) {
    times <- pretty(if (is.null(xlim)) c(0, tmax) else xlim)
    m <- length(times)
    if (is.null(xlim) && m > 2L &&
        tmax <= times[m - 1L] + 0.04 * (times[m - 1L] - times[1L])) {
      times <- times[-m]
    }
  }
  if (!is.numeric(times) || anyNA(times) || length(times) < 2L ||
      any(!is.finite(times)) || any(diff(times) <= 0)) {
    cs_abort("`times` must be an increasing numeric vector of at least two ",
             "finite axis breaks.", arg = "times")
  }
  if (is.null(xlim)) {
    xlim <- range(times)
  } else {
    eps <- 1e-8 * diff(xlim)
    times <- times[times >= xlim[1L] - eps & times <= xlim[2L] + eps]
    if (length(times) < 2L) {
      cs_abort("`xlim` must contain at least two of the `times` breaks.",
               arg = "xlim")
    }
  }
  list(times = times, xlim = xlim)
}

# Tick labels without trailing zeros ("0", "0.5", "1", "3300").
km_tick_labels <- function(times) {
  format(times, trim = TRUE, drop0trailing = TRUE, scientific = FALSE)
}

# The default x-axis title for a time scale.
km_xlab <- function(xscale) {
  unit <- c("365.25" = "years", "365" = "years", "30.4375" = "months",
            "30" = "months", "7" = "weeks", "12" = "years")
  u <- unit[format(xscale)]
  if (is.na(u)) "Time" else paste0("Time (", u, ")")
}

# Width in inches of strings at text size `cex` (relative to par("cex")).
text_in <- function(s, cex) {
  if (!length(s)) return(0)
  max(graphics::strwidth(s, units = "inches", cex = cex))
}

# The text size of a figure of `fin` inches relative to one of 7 x 6: the
# square root of the smaller ratio, between 2/3 and 1 (12-point text at 7 x
# 6 inches, 9-point at 4 x 3.5).
km_text_scale <- function(fin) {
  min(1, max(2 / 3, sqrt(min(fin[1L] / 7, fin[2L] / 6))))
}

# Labels cut, with a trailing "...", to at most `max_in` inches at `cex`.
shorten_labels <- function(labels, max_in, cex) {
  vapply(labels, function(s) {
    if (text_in(s, cex) <= max_in) return(s)
    n <- nchar(s)
    while (n > 1L && text_in(paste0(substr(s, 1L, n), "..."), cex) > max_in) {
      n <- n - 1L
    }
    paste0(substr(s, 1L, n), "...")
  }, character(1), USE.NAMES = FALSE)
}

# Size in inches of a legend() box (bty = "n") at text size `cex`,
# as legend() computes it: with line keys of `seg_len` characters or, with
# `keys = FALSE`, text only.
legend_size <- function(text, cex, ncol = 1L, keys = TRUE, seg_len = 2.5) {
  cin <- graphics::par("cin") * graphics::par("cex")
  xchar <- cex * cin[1L]
  ychar <- cex * cin[2L]
  rows <- ceiling(length(text) / ncol)
  w0 <- text_in(text, cex) + 2 * xchar + if (keys) seg_len * xchar else 0
  c(w = ncol * w0 + 0.5 * xchar, h = rows * ychar + ychar, w0 = w0,
    rows = rows, ychar = ychar)
}

# What the curves cover, as rectangles (x0, x1, y0, y1) in user units:
# every horizontal and vertical stretch of the steps (the censoring marks
# sit on them), the confidence bands and the median lines, within `xlim`.
# The curves start at `y0` (1 for survival, 0 for event probabilities).
km_obstacles <- function(cv, xlim, conf_int, med, y0 = 1) {
  out <- lapply(split(cv, cv$strata), function(c1) {
    if (!nrow(c1)) return(NULL)
    t <- c(min(xlim[1L], c1$time[1L]), c1$time)
    s <- c(y0, c1$surv)
    n <- length(t)
    h <- cbind(t[-n], t[-1L], s[-n], s[-n])          # flat stretches
    v <- cbind(t[-1L], t[-1L], s[-1L], s[-n])          # drops
    r <- rbind(h, v)
    if (conf_int) {
      lo <- c(y0, c1$lower)
      hi <- c(y0, c1$upper)
      ok <- !is.na(lo[-n]) & !is.na(hi[-n])
      r <- rbind(r, cbind(t[-n], t[-1L], lo[-n], hi[-n])[ok, , drop = FALSE])
    }
    r
  })
  r <- do.call(rbind, out)
  med <- med[!is.na(med)]
  if (length(med)) {
    r <- rbind(r, c(xlim[1L], max(med), 0.5, 0.5), cbind(med, med, 0, 0.5))
  }
  r <- r[!is.na(r[, 3L]) & !is.na(r[, 4L]), , drop = FALSE]
  r[, 3:4] <- cbind(pmin(r[, 3L], r[, 4L]), pmax(r[, 3L], r[, 4L]))
  r[, 1L] <- pmax(r[, 1L], xlim[1L])
  r[, 2L] <- pmin(r[, 2L], xlim[2L])
  colnames(r) <- c("x0", "x1", "y0", "y1")
  r[r[, 1L] <= r[, 2L], , drop = FALSE]
}

# TRUE where rectangle `box` (left, right, bottom, top) meets any of the
# rectangles `r` (columns x0, x1, y0, y1).
box_hits <- function(box, r) {
  if (!nrow(r)) return(FALSE)
  any(r[, 1L] <= box[2L] & r[, 2L] >= box[1L] &
        r[, 3L] <= box[4L] & r[, 4L] >= box[3L])
}

# A place for a w x h (npc) box in the panel that meets none of the
# `blocked` rectangles (npc, x0, x1, y0, y1): the corners first (top right,
# bottom left, bottom right, top left), then the middles of the sides, then
# a grid. Returns c(left, right, bottom, top) in npc, or NULL.
free_box <- function(w, h, blocked, inset) {
  if (w + 2 * inset[1L] > 1 || h + 2 * inset[2L] > 1) return(NULL)
  lx <- c(inset[1L], 1 - inset[1L] - w)
  by <- c(inset[2L], 1 - inset[2L] - h)
  mx <- mean(lx)
  my <- mean(by)
  cand <- rbind(c(lx[2L], by[2L]), c(lx[1L], by[1L]), c(lx[2L], by[1L]),
                c(lx[1L], by[2L]), c(lx[2L], my), c(mx, by[2L]),
                c(mx, by[1L]), c(lx[1L], my),
                as.matrix(expand.grid(seq(lx[2L], lx[1L], length.out = 9L),
                                      seq(by[2L], by[1L], length.out = 9L))))
  for (i in seq_len(nrow(cand))) {
    box <- c(cand[i, 1L], cand[i, 1L] + w, cand[i, 2L], cand[i, 2L] + h)
    if (!box_hits(box, blocked)) return(box)
  }
  NULL
}

# The whole layout. `s`: a list with labels, risk (matrix of strings, one
# row per curve), risk_table, times, xlim, ylim, cex (axis text), rc (risk
# text), has_main, legend ("auto", a keyword or FALSE), notes (annotation
# lines), obstacles (user units). Returns margins (lines), the text sizes,
# the labelled breaks, the legend and note places.
km_layout <- function(s) {
  fin <- graphics::par("fin")
  # par("csi") follows par("cex") only from the next plot.new()
  line_in <- graphics::par("cin")[2L] * graphics::par("cex") *
    graphics::par("mex")
  k <- length(s$labels)
  mar <- c(4.1, 4.6, 1.6, 1.6)
  if (s$has_main) mar[3L] <- 3.6
  lay <- list(line0 = 4, rc = s$rc, tick_cex = s$cex, share = 0)
  # risk table: rows of at least 1.05 lines of its text, within 30% of the
  # height when the text can shrink (to half size, and 6 points at 12) for it
  if (s$risk_table) {
    pitch <- (0.3 * fin[2L] / line_in - 0.6) / (k + 1)
    lay$rc <- max(min(s$rc, pitch / 1.05), 0.5 * s$rc, 0.5)
    lay$pitch <- if (lay$rc >= 0.8) lay$rc else 1.05 * lay$rc
    mar[1L] <- lay$line0 + (k + 1) * lay$pitch + 0.6
    lay$share <- ((k + 1) * lay$pitch + 0.6) * line_in / fin[2L]
  }
  # labels: the same shortened form in the legend and the risk table, the
  # risk table's names within 30% of the width
  lab_cex <- if (s$risk_table) lay$rc else s$cex
  lay$labels <- shorten_labels(s$labels, 0.3 * fin[1L], lab_cex)
  lay$leg_cex <- if (k > 8L) 0.75 * s$cex else s$cex
  # many curves: line keys before the risk table's names serve as legend
  lay$table_keys <- s$risk_table && (identical(s$legend, "table") ||
                                       (identical(s$legend, "auto") && k > 8L))
  if (lay$table_keys) mar[2L] <- mar[2L] + 0.35 / line_in
  if (identical(s$legend, "direct")) {
    # names at the curve ends, in the right margin
    mar[4L] <- max(mar[4L], (text_in(lay$labels, lay$leg_cex) + 0.25) / line_in)
  }
  num_in <- if (s$risk_table) text_in(s$risk, lay$rc) else 0
  if (s$risk_table) {
    lay$num_in <- num_in / 2
    mar[2L] <- max(mar[2L], (text_in(lay$labels, lay$rc) + num_in / 2 + 0.2) /
                     line_in)
  }
  # breaks: tick labels and risk counts at the same labelled breaks; the
  # text shrinks (ticks to 75%, counts to half) before every second (third,
  # ...) break is left unlabelled, and is as large as that spacing allows
  pw <- fin[1L] - (mar[2L] + mar[4L]) * line_in
  step_in <- min(diff(s$times)) * pw / (1.08 * diff(s$xlim))
  tick_in <- text_in(km_tick_labels(s$times), 1) + text_in("m", 1)
  rc0 <- lay$rc
  counts <- s$risk_table && num_in > 0
  every <- 1L
  repeat {
    room <- every * step_in
    lay$tick_cex <- max(0.75 * s$cex, min(s$cex, room / tick_in))
    if (counts) lay$rc <- max(0.5 * rc0, min(rc0, rc0 * room / (1.25 * num_in)))
    need <- max(tick_in * lay$tick_cex,
                if (counts) 1.25 * num_in * lay$rc / rc0 else 0)
    if (need <= room * (1 + 1e-9) || every >= length(s$times)) break
    every <- every + 1L
  }
  if (counts) lay$num_in <- text_in(s$risk, lay$rc) / 2
  lay$labelled <- seq(1L, length(s$times), by = every)

  # legend and notes: inside where no curve passes, otherwise above
  show_legend <- !isFALSE(s$legend) && !identical(s$legend, "direct") &&
    !lay$table_keys
  leg_out <- FALSE
  note_out <- FALSE
  top0 <- mar[3L]
  for (iter in 1:3) {
    mar[3L] <- top0
    if (show_legend && leg_out) {
      ncol <- max(1L, min(k, floor((fin[1L] - 0.2) /
                                     legend_size(lay$labels, lay$leg_cex)[["w0"]])))
      lay$leg_ncol <- ncol
      ls <- legend_size(lay$labels, lay$leg_cex, ncol)
      mar[3L] <- mar[3L] + ls[["h"]] / line_in
    }
    if (length(s$notes) && note_out) {
      mar[3L] <- mar[3L] + (length(s$notes) + 0.6) * lay$leg_cex
    }
    pw <- fin[1L] - (mar[2L] + mar[4L]) * line_in
    ph <- fin[2L] - (mar[1L] + mar[3L]) * line_in
    blocked <- km_npc(s$obstacles, s$xlim, s$ylim)
    inset <- c(0.06 / pw, 0.06 / ph)
    # half a censoring mark and a little air around every stretch
    pad <- c(-0.05 / pw, 0.05 / pw, -0.05 / ph, 0.05 / ph)
    lay$leg_box <- NULL
    if (show_legend && !leg_out && identical(s$legend, "auto")) {
      ls <- legend_size(lay$labels, lay$leg_cex)
      box <- free_box(ls[["w"]] / pw, ls[["h"]] / ph,
                      km_grow(blocked, pad), inset)
      if (is.null(box)) {
        leg_out <- TRUE
        next
      }
      lay$leg_box <- box
    }
    lay$note_box <- NULL
    if (length(s$notes) && !note_out) {
      ns <- legend_size(s$notes, lay$leg_cex, keys = FALSE)
      b2 <- km_grow(blocked, pad)
      if (!is.null(lay$leg_box)) b2 <- rbind(b2, lay$leg_box)
      if (is.character(s$legend) && !s$legend %in% c("auto", "direct")) {
        ls <- legend_size(lay$labels, lay$leg_cex)
        b2 <- rbind(b2, keyword_box(s$legend, ls[["w"]] / pw, ls[["h"]] / ph))
      }
      box <- free_box(ns[["w"]] / pw, ns[["h"]] / ph, b2, inset)
      if (is.null(box)) {
        note_out <- TRUE
        next
      }
      lay$note_box <- box
    }
    break
  }
  lay$leg_out <- show_legend && leg_out
  lay$note_out <- length(s$notes) > 0L && note_out
  lay$top0 <- top0
  lay$mar <- mar
  lay$line_in <- line_in
  lay$panel <- c(pw, ph)
  lay
}

# The npc box c(left, right, bottom, top) of a w x h legend put at a
# legend() keyword ("topleft", "right", "center", ...) with inset 0.01.
keyword_box <- function(pos, w, h) {
  x <- if (grepl("left", pos)) 0.01 else if (grepl("right", pos)) 0.99 - w
       else 0.5 - w / 2
  y <- if (grepl("^top", pos)) 0.99 - h else if (grepl("^bottom", pos)) 0.01
       else 0.5 - h / 2
  c(x, x + w, y, y + h)
}

# Rectangles (x0, x1, y0, y1) from user units to npc of the panel, whose
# axes are extended by 4% on each side (xaxs = yaxs = "r").
km_npc <- function(r, xlim, ylim) {
  ux <- xlim + c(-0.04, 0.04) * diff(xlim)
  uy <- ylim + c(-0.04, 0.04) * diff(ylim)
  cbind((r[, 1:2, drop = FALSE] - ux[1L]) / diff(ux),
        (r[, 3:4, drop = FALSE] - uy[1L]) / diff(uy))
}

# Rectangles grown by `pad` (added to x0, x1, y0, y1).
km_grow <- function(r, pad) {
  if (!nrow(r)) return(r)
  sweep(r, 2L, pad, "+")
}
