# The layout of plot.cs_km(): legend and annotation away from the curves,
# risk columns only under labelled ticks, xlim cropping, xscale, the risk
# table kinds and the P value, checked on what was drawn.

# Every stretch of the step curves of `fit` (in axis units), as rectangles
# x0, x1, y0, y1, built here from fit$curves independently of the package.
curve_segments <- function(fit, xscale = 1) {
  do.call(rbind, lapply(split(fit$curves, fit$curves$strata), function(c1) {
    t <- c(0, c1$time) / xscale
    s <- c(1, c1$surv)
    n <- length(t)
    rbind(cbind(t[-n], t[-1], s[-n], s[-n]),
          cbind(t[-1], t[-1], pmin(s[-1], s[-n]), pmax(s[-1], s[-n])))
  }))
}

# TRUE when box c(left, right, bottom, top) meets any segment.
meets <- function(box, seg) {
  any(seg[, 1] <= box[2] & seg[, 2] >= box[1] &
        seg[, 3] <= box[4] & seg[, 4] >= box[3])
}

layout_of <- function(calls) attr(attr(calls, "value"), "layout")

# The strings drawn by title() (axis titles).
drawn_titles <- function(calls) {
  tt <- Filter(function(e) identical(e$fun, "C_title"), calls)
  unlist(lapply(tt, function(e) unlist(lapply(e$args, function(a) {
    if (is.character(a)) a
  }))))
}

test_that("legend and annotation touch no curve and not each other", {
  cases <- list(
    list(km(Surv(time, status) ~ celltype, data = veteran), 7, 6),
    list(km(Surv(time, status) ~ celltype, data = veteran), 4, 3.5),
    list(km(Surv(futime, fustat) ~ rx, data = ovarian), 7, 6),
    list(km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ]), 4, 3.5),
    list(km(Surv(os_months, death) ~ group, data = dnmbc), 7, 6)
  )
  for (cs in cases) {
    calls <- drawn_calls(plot(cs[[1]], annotate = "Log-rank P < .0001"),
                         width = cs[[2]], height = cs[[3]])
    lay <- layout_of(calls)
    seg <- curve_segments(cs[[1]])
    expect_false(meets(lay$legend_box, seg))
    expect_false(meets(lay$note_box, seg))
    expect_false(meets(lay$note_box, rbind(lay$legend_box)))
  }
  # the test can fail: a legend forced into the top left meets the curves
  fit <- cases[[1]][[1]]
  lay <- layout_of(drawn_calls(plot(fit, legend = "topleft")))
  expect_true(meets(lay$legend_box, curve_segments(fit)))
})

test_that("the median lines stay out of the legend (ovarian)", {
  fit <- km(Surv(futime, fustat) ~ rx, data = ovarian)
  lay <- layout_of(drawn_calls(plot(fit, median_lines = TRUE)))
  med <- fit$table$median
  med <- med[!is.na(med)]
  lines <- rbind(c(0, max(med), 0.5, 0.5), cbind(med, med, 0, 0.5))
  expect_false(meets(lay$legend_box, lines))
})

test_that("18 curves: every legend entry drawn, on the device, in 18 styles", {
  fit <- km(Surv(time, status) ~ inst, data = lung)
  lab <- curve_labels(levels(fit$curves$strata), fit$strata)
  for (size in list(c(7, 6), c(5, 5))) {
    # without a risk table: a legend above the panel
    calls <- drawn_calls(plot(fit, risk_table = FALSE), width = size[1],
                         height = size[2])
    expect_true(all(lab %in% drawn_text(calls)))
    lay <- layout_of(calls)
    expect_false(meets(lay$legend_box, curve_segments(fit)))
    grDevices::pdf(NULL, width = size[1], height = size[2])
    plot(fit, risk_table = FALSE)
    box_in <- c(graphics::grconvertX(lay$legend_box[1:2], "user", "ndc"),
                graphics::grconvertY(lay$legend_box[3:4], "user", "ndc"))
    grDevices::dev.off()
    expect_true(all(box_in >= 0 & box_in <= 1))
    ret <- attr(calls, "value")
    style <- paste(attr(ret, "col"), attr(ret, "lty"))
    expect_length(unique(style), 18L)
    # with it: a line key in each curve's style before each risk-table name
    calls <- drawn_calls(plot(fit), width = size[1], height = size[2])
    expect_length(drawn_text(calls), 0L)
    expect_true(all(lab %in% drawn_mtext(calls)$text))
    seg <- Filter(function(e) identical(e$fun, "C_segments"), calls)
    expect_length(seg, 18L)
    ret <- attr(calls, "value")
    key_style <- vapply(seg, function(e) paste(e$args[[5]], e$args[[6]]), "")
    expect_identical(key_style, paste(attr(ret, "col"), attr(ret, "lty")))
    # the keys sit on the rows of their names, top to bottom
    key_y <- vapply(seg, function(e) as.numeric(e$args[[2]]), 1)
    expect_true(all(diff(key_y) < 0))
    # the risk table takes less than 40% of the height at 7 x 6
    if (size[1] == 7) expect_lt(attr(ret, "layout")$share, 0.4)
  }
})

test_that("the palette has 32 distinct styles legible as text on white", {
  st <- km_styles(32)
  expect_length(unique(paste(st$col, st$lty)), 32L)
  # a colour is reused only with another line type
  expect_true(all(table(st$col) == 4L))
  lum <- function(col) {
    v <- grDevices::col2rgb(col) / 255
    v <- ifelse(v <= 0.03928, v / 12.92, ((v + 0.055) / 1.055)^2.4)
    colSums(v * c(0.2126, 0.7152, 0.0722))
  }
  contrast <- (1 + 0.05) / (lum(unique(st$col)) + 0.05)
  expect_true(all(contrast >= 3))
  expect_lt((1.05) / (lum("#F0E442") + 0.05), 3)  # yellow would fail
})

# The labelled x ticks and the positions of the risk counts of a drawing.
ticks_and_columns <- function(calls) {
  ax <- Filter(function(e) identical(e$fun, "C_axis") && e$args[[1]] == 1,
               calls)[[1]]
  at <- as.numeric(ax$args[[2]])
  labs <- as.character(ax$args[[3]])
  ret <- attr(calls, "value")
  mt <- drawn_mtext(calls)
  cols <- mt[mt$side == 1 & mt$text %in% ret$text &
               mt$line > min(mt$line[grepl("^No. at risk", mt$text)]), ]
  list(labelled = at[nzchar(labs)], ticks = at, columns = unique(cols$at),
       labels = labs[nzchar(labs)])
}

test_that("every risk column sits under a labelled tick, and each labelled tick has one", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  br <- seq(0, 3300, 300)
  for (size in list(c(7, 6), c(4, 3.5), c(3, 3))) {
    calls <- drawn_calls(plot(fit, times = br), width = size[1],
                         height = size[2])
    tc <- ticks_and_columns(calls)
    expect_setequal(tc$columns, tc$labelled)
    expect_identical(tc$ticks, br)
    expect_identical(tc$labels, format(tc$labelled, trim = TRUE))
    # the labels drawn do not overlap: widths within the spacing
    lay <- layout_of(calls)
    grDevices::pdf(NULL, width = size[1], height = size[2])
    plot(fit, times = br)
    w <- graphics::strwidth(tc$labels, cex = lay$tick_cex * lay$text_scale)
    grDevices::dev.off()
    gap <- diff(tc$labelled) - (w[-1] + w[-length(w)]) / 2
    expect_true(all(gap > 0))
  }
  # at 7 x 6 all twelve breaks are labelled
  tc <- ticks_and_columns(drawn_calls(plot(fit, times = br)))
  expect_identical(tc$labelled, br)
})

test_that("xlim crops the axis, the curves and the risk table", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  calls <- drawn_calls(plot(fit, xlim = c(0, 500)))
  ret <- attr(calls, "value")
  tc <- ticks_and_columns(calls)
  expect_true(all(tc$ticks <= 500 & tc$columns <= 500))
  expect_identical(max(ret$time), 500)
  expect_identical(ret$n_risk, summary(fit, times = unique(ret$time))$n_risk)
  # given breaks beyond xlim are dropped with it
  ret2 <- attr(drawn_calls(plot(fit, times = seq(0, 3000, 100),
                                xlim = c(0, 500))), "value")
  expect_true(all(ret2$time <= 500))
  usr <- attr(ret, "layout")$usr
  expect_lt(usr[2], 600)
  expect_error(plot(fit, xlim = c(500, 0)), "`xlim` must be two increasing",
               class = "cohortsurv_error")
})

test_that("xscale shows days in years with an xlab that follows", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  calls <- drawn_calls(plot(fit, xscale = 365.25))
  ret <- attr(calls, "value")
  tc <- ticks_and_columns(calls)
  expect_identical(tc$labelled, 0:length(tc$labelled[-1]) * 2)
  # the risk table is at whole years, in days
  expect_equal(unique(ret$time), tc$labelled * 365.25)
  expect_identical(ret$n_risk, summary(fit, times = unique(ret$time))$n_risk)
  expect_true("Time (years)" %in% drawn_titles(calls))
  expect_true("Time (months)" %in%
                drawn_titles(drawn_calls(plot(fit, xscale = 30.4375))))
  expect_true("Days" %in% drawn_titles(drawn_calls(plot(fit, xlab = "Days"))))
  expect_error(plot(fit, xscale = 0), "`xscale` must be a single positive",
               class = "cohortsurv_error")
})

test_that("risk table kinds: at risk, events, censored, cumulative events", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  br <- seq(0, 3000, 500)
  sm <- summary(fit, times = br)
  heads <- c(at_risk = "No. at risk", events = "No. of events",
             censored = "No. censored", cum_events = "Cumulative events")
  for (what in names(heads)) {
    calls <- drawn_calls(plot(fit, times = br, risk_table = what))
    ret <- attr(calls, "value")
    want <- switch(what, at_risk = sm$n_risk, events = sm$n_event,
                   censored = sm$n_censor,
                   cum_events = ave(sm$n_event, sm$strata, FUN = cumsum))
    expect_identical(ret$value, want)
    mt <- drawn_mtext(calls)
    expect_true(heads[[what]] %in% mt$text)
    expect_true(all(as.character(want) %in% mt$text[mt$side == 1]))
  }
  # the cumulative events at the last break are all events until then
  ce <- attr(drawn_calls(plot(fit, times = br, risk_table = "cum_events")),
             "value")
  last <- ce[ce$time == 3000, ]
  cv <- fit$curves
  expect_equal(last$value, as.numeric(tapply(cv$n_event[cv$time <= 3000],
                                             cv$strata[cv$time <= 3000], sum)))
  expect_error(plot(fit, risk_table = "deaths"), "`risk_table` must be",
               class = "cohortsurv_error")
})

test_that("pval = TRUE writes the log-rank P of the fit's formula and data", {
  fit <- km(Surv(time, status) ~ rx, data = colon, subset = etype == 2)
  p <- logrank(Surv(time, status) ~ rx, data = colon, subset = etype == 2)
  txt <- drawn_text(drawn_calls(plot(fit, pval = TRUE)))
  expect_true(paste("Log-rank", format_p(p$p_value, prefix = TRUE)) %in% txt)
  # stratified
  fs <- km(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
  ps <- logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
  txt <- drawn_text(drawn_calls(plot(fs, pval = TRUE)))
  expect_true(paste("Stratified log-rank",
                    format_p(ps$p_value, prefix = TRUE)) %in% txt)
  # a given number, and with an annotation
  txt <- drawn_text(drawn_calls(plot(fit, pval = 0.013, annotate = "HR 0.7")))
  expect_true(all(c("HR 0.7", "Log-rank P = .013") %in% txt))
  expect_error(plot(fit, pval = "yes"), "`pval` must be",
               class = "cohortsurv_error")
})

test_that("long labels are cut alike in the legend and the risk table", {
  d <- colon[colon$etype == 2, ]
  d$arm <- factor(d$rx, labels = c(
    "Observation only, no adjuvant therapy",
    "Levamisole alone for one year after surgery",
    "Levamisole plus fluorouracil for one year after surgery"))
  fit <- km(Surv(time, status) ~ arm, data = d)
  calls <- drawn_calls(plot(fit), width = 4, height = 3.5)
  ret <- attr(calls, "value")
  short <- unique(ret$label)
  expect_true(all(grepl("\\.\\.\\.$", short)))
  expect_true(all(short %in% drawn_text(calls)))
  expect_true(all(short %in% drawn_mtext(calls)$text))
  # the panel keeps more than half the width
  lay <- attr(ret, "layout")
  expect_lt(lay$mar[2] * 0.2 * 0.76, 0.45 * 4)
})

test_that("18 curves on a small device warn that the risk table is tall", {
  fit <- km(Surv(time, status) ~ inst, data = lung)
  expect_warning(drawn_calls(plot(fit), width = 4, height = 3.5),
                 "takes [0-9]+% of the figure height")
})

test_that("legend = 'direct' names the curves at their ends, apart", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  calls <- drawn_calls(plot(fit, legend = "direct"))
  lay <- layout_of(calls)
  expect_true(all(c("Obs", "Lev", "Lev+5FU") %in% drawn_text(calls)))
  expect_null(lay$legend_box)
  y <- lay$direct_y
  # Obs and Lev end near 0.4: moved apart by more than a text line
  grDevices::pdf(NULL)
  line_user <- 0.2 * diff(lay$usr[3:4]) / (6 - 0.2 * (lay$mar[1] + lay$mar[3]))
  grDevices::dev.off()
  expect_gt(min(diff(sort(y))), 0.9 * line_user)
  # each name stays near the end of its own curve
  ends <- vapply(split(fit$curves, fit$curves$strata),
                 function(c1) c1$surv[nrow(c1)], 1)
  expect_true(all(abs(y - ends) < 0.1))
  tx <- Filter(function(e) identical(e$fun, "C_text"), calls)
  expect_true(all(as.numeric(tx[[1]]$args[[1]]$x) > lay$usr[2]))
})

test_that("pval = TRUE refuses a weighted fit", {
  d <- random_surv(100, n_groups = 2, n_times = 8, seed = 1)
  fit <- km(Surv(time, status) ~ group, data = d, weights = fw)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_error(plot(fit, pval = TRUE), "logrank\\(\\) has no weights",
               class = "cohortsurv_error")
})

test_that("an annotation keeps clear of a legend put at a keyword", {
  fit <- km(Surv(time, status) ~ celltype, data = veteran)
  for (pos in c("topright", "bottomleft", "right")) {
    lay <- layout_of(drawn_calls(plot(fit, legend = pos, annotate = "note")))
    expect_false(meets(lay$note_box, rbind(lay$legend_box)))
    expect_false(meets(lay$note_box, curve_segments(fit)))
  }
})

test_that("a figure too small for what it must hold is refused with a reason", {
  fit <- km(Surv(time, status) ~ inst, data = lung)
  expect_error(suppressWarnings(drawn_calls(plot(fit, main = "T"), width = 3,
                                            height = 2.2)),
               "too small for the 18 curves", class = "cohortsurv_error")
})
