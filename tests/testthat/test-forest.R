# forest_plot(): rows, texts and sizes drawn; pdf and png without warnings.

forest_data <- function() data.frame(
  subgroup = c("Overall", "Age (yr)", "Age (yr)", "Metastatic sites",
               "Metastatic sites", "Metastatic sites"),
  level = c("All patients", "<= 50", "> 50", "Bone only", "Viscera only",
            "Multi-organ metastasis"),
  n = c(153, 53, 100, 55, 52, 46), events = c(118, 40, 78, 38, 42, 38),
  hr = c(0.47, 0.52, 0.45, 0.41, 0.55, 0.60),
  lower = c(0.33, 0.27, 0.29, 0.20, 0.30, 0.008),
  upper = c(0.69, 1.00, 0.70, 0.84, 1.01, 1.16),
  p_interaction = c(NA, 0.71, 0.71, 0.0123, 0.0123, 0.0123),
  stringsAsFactors = FALSE)

test_that("forest_plot() draws the overall row, subgroup headers and levels", {
  fx <- forest_data()
  calls <- drawn_calls(forest_plot(fx, xlim = c(0.05, 4)))
  ret <- attr(calls, "value")
  expect_identical(ret$label, c("All patients", "Age (yr)", "<= 50", "> 50",
                                "Metastatic sites", "Bone only",
                                "Viscera only", "Multi-organ metastasis"))
  expect_identical(ret$counts, c("153 (118)", "", "53 (40)", "100 (78)", "",
                                 "55 (38)", "52 (42)", "46 (38)"))
  expect_identical(ret$hr_text[c(1, 3)], c("0.47 (0.33 to 0.69)",
                                           "0.52 (0.27 to 1.00)"))
  expect_identical(ret$p_text, c("", ".71", "", "", ".012", "", "", ""))
  txt <- drawn_text(calls)
  for (s in c(ret$label, "HR (95% CI)", "No. (events)", ".71", ".012",
              "0.60 (0.01 to 1.16)")) {
    expect_true(s %in% txt, label = s)
  }
  # one diamond (polygon), solid line at 1 and dashed at the overall HR
  expect_identical(sum(vapply(calls, function(e) e$fun == "C_polygon", TRUE)),
                   1L)
  seg <- Filter(function(e) e$fun == "C_segments", calls)
  xs <- vapply(seg[1:2], function(e) as.numeric(e$args[[1]]), 1)
  expect_identical(xs, c(1, 0.47))
  # an interval beyond xlim ends in an arrow
  expect_true(any(vapply(calls, function(e) e$fun == "C_arrows", TRUE)))
  # squares sized by events: larger for more events
  pts <- Filter(function(e) e$fun == "C_plotXY", calls)
  expect_length(pts, 5)
})

test_that("a square's area grows with its events: cex 0.6 + 1.6 sqrt(events / most)", {
  fx <- forest_data()
  calls <- drawn_calls(forest_plot(fx, xlim = c(0.05, 4)))
  pts <- Filter(function(e) e$fun == "C_plotXY", calls)
  # plot.xy(xy, type, pch, lty, col, bg, cex, ...): the 7th argument
  size <- vapply(pts, function(e) as.numeric(e$args[[7]]), 1)
  ev <- fx$events[-1]                       # the overall row is a diamond
  expect_equal(size, 0.6 + 1.6 * sqrt(ev / max(ev)), tolerance = 1e-12)
  expect_equal(max(size), 2.2)
  # the same events give the same square; no events the smallest one
  fx$events[3] <- 0
  calls <- drawn_calls(forest_plot(fx, xlim = c(0.05, 4)))
  pts <- Filter(function(e) e$fun == "C_plotXY", calls)
  size <- vapply(pts, function(e) as.numeric(e$args[[7]]), 1)
  expect_equal(size[2], 0.6)
  expect_equal(size[c(3, 5)], rep(0.6 + 1.6 * sqrt(38 / 42), 2))
})

test_that("forest_plot() fits small devices by shrinking the text", {
  fx <- forest_data()
  big <- attr(drawn_calls(forest_plot(fx), width = 10, height = 6), "value")
  small <- attr(drawn_calls(forest_plot(fx), width = 5, height = 3), "value")
  expect_lt(attr(small, "cex"), attr(big, "cex"))
  expect_gte(attr(small, "cex"), 0.5)
})

test_that("forest_plot() draws without warning into pdf and png", {
  fx <- forest_data()
  for (ext in c("pdf", "png")) {
    f <- tempfile(fileext = paste0(".", ext))
    if (ext == "pdf") grDevices::pdf(f, width = 7, height = 6) else
      grDevices::png(f, width = 7, height = 6, units = "in", res = 150)
    expect_silent(forest_plot(fx, favours = c("LRT better", "STA better")))
    grDevices::dev.off()
    expect_gt(file.size(f), 1000)
  }
  # without p_interaction and without an overall row
  x2 <- fx[-1, setdiff(names(fx), "p_interaction")]
  calls <- drawn_calls(forest_plot(x2))
  expect_false("interaction" %in% drawn_text(calls))
})

test_that("forest_plot() errors name the argument", {
  fx <- forest_data()
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_error(forest_plot(1:3), "`x` must be a data frame",
               class = "cohortsurv_error")
  expect_error(forest_plot(fx[, -5]), "it lacks hr",
               class = "cohortsurv_error")
  bad <- fx
  bad$lower[2] <- -1
  expect_error(forest_plot(bad), "`x\\$lower` must be positive",
               class = "cohortsurv_error")
  expect_error(forest_plot(fx, ref_line = 0), "`ref_line` must be a single positive number",
               class = "cohortsurv_error")
  expect_error(forest_plot(fx, favours = "x"), "`favours` must be two labels",
               class = "cohortsurv_error")
  expect_error(forest_plot(fx, xlim = c(2, 1)), "`xlim` must be two increasing",
               class = "cohortsurv_error")
})

test_that("forest_ticks(): the densest series whose labels do not touch", {
  w <- function(s) 0.1 * nchar(s)         # 0.1 inch per character
  wide <- forest_ticks(c(0.04, 3), width = 5, label_width = w)
  expect_identical(wide, c(0.05, 0.1, 0.2, 0.5, 1, 2))
  # a narrow panel gets a sparser series, still with the labels apart
  narrow <- forest_ticks(c(0.04, 3), width = 1.2, label_width = w)
  expect_lt(length(narrow), length(wide))
  expect_gte(length(narrow), 2L)
  pos <- (log(narrow) - log(0.04)) / diff(log(c(0.04, 3))) * 1.2
  ww <- w(forest_tick_labels(narrow))
  expect_true(all(diff(pos) - (ww[-1] + ww[-length(ww)]) / 2 >= 0.12))
  # a narrow range gets finer ticks than 1-2-5 (which has only 1 inside)
  fine <- forest_ticks(c(0.7, 1.5), width = 4, label_width = w)
  expect_gte(length(fine), 5L)
  expect_true(1 %in% fine)
  # 1-3 series on wide ranges in small panels
  expect_identical(forest_ticks(c(0.15, 75), width = 2.2, label_width = w),
                   c(0.3, 1, 3, 10, 30))
  expect_identical(forest_tick_labels(c(0.05, 1, 1.25, 10)),
                   c("0.05", "1", "1.25", "10"))
})

test_that("favours labels: full size, apart from the line, with arrows", {
  fx <- forest_data()
  calls <- drawn_calls(forest_plot(fx, favours = c("LRT better",
                                                   "STA better")))
  mt <- drawn_mtext(calls)
  fav <- mt[mt$text %in% c("LRT better", "STA better"), ]
  expect_identical(nrow(fav), 2L)
  cex_used <- attr(attr(calls, "value"), "cex")
  # left label ends left of the line, right one starts right of it
  expect_lt(fav$at[1], 1)
  expect_gt(fav$at[2], 1)
  arr <- Filter(function(e) e$fun == "C_arrows", calls)
  # two favours arrows (plus the one of the interval beyond xlim, if any)
  ends <- vapply(arr, function(e) as.numeric(e$args[[3]]) -
                   as.numeric(e$args[[1]]), 1)
  expect_gte(sum(ends < 0), 1L)
  expect_gte(sum(ends > 0), 1L)
  expect_gte(length(arr), 2L)
  # labelled ticks: more than three on the paper's range at 7 x 6 inches
  expect_gte(length(attr(attr(calls, "value"), "ticks")), 5L)
  expect_gt(cex_used, 0.5)
})

test_that("a non-estimable row is explained in a footnote", {
  fx <- forest_data()
  fx$hr[3] <- fx$lower[3] <- fx$upper[3] <- NA
  fx$note <- ifelse(is.na(fx$hr), "no events in one arm", "")
  calls <- drawn_calls(forest_plot(fx))
  ret <- attr(calls, "value")
  expect_identical(ret$hr_text[4], "NE")     # "> 50", under its header
  expect_identical(attr(ret, "footnote"),
                   "NE, not estimable: no events in one arm.")
  expect_true("NE, not estimable: no events in one arm." %in%
                drawn_mtext(calls)$text)
  # without a note column: a generic footnote; no NE: none
  fx$note <- NULL
  expect_identical(attr(attr(drawn_calls(forest_plot(fx)), "value"),
                        "footnote"), "NE, not estimable.")
  expect_null(attr(attr(drawn_calls(forest_plot(forest_data())), "value"),
                   "footnote"))
})

test_that("forest_plot() of a Cox fit shows reference levels as ggforest", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("Male", "Female")),
                 ecog = factor(ph.ecog))
  fit <- cox(Surv(time, status) ~ age + sex + ecog, data = d)
  calls <- drawn_calls(forest_plot(fit, labels = c(sex = "Sex")))
  ret <- attr(calls, "value")
  expect_identical(ret$label, c("age", "Sex", "Male", "Female", "ecog", "0",
                                "1", "2", "3"))
  expect_identical(ret$hr_text[c(3, 6)], c("Reference", "Reference"))
  h <- hr_table(fit)
  expect_identical(ret$hr_text[4], format_hr(h$hr[2], h$lower[2], h$upper[2]))
  expect_identical(ret$p_text[4], format_p(h$p_value[2]))
  # one square per estimated coefficient, none for the references
  pts <- Filter(function(e) e$fun == "C_plotXY", calls)
  expect_length(pts, length(h$hr))
  txt <- drawn_text(calls)
  expect_true(all(c("Variable", "P", "HR (95% CI)") %in% txt))
  expect_false("interaction" %in% txt)
  # the same from its hr_report(), and at 4 x 3.5 inches without warnings
  r <- hr_report(fit, labels = c(sex = "Sex"))
  expect_identical(attr(drawn_calls(forest_plot(r)), "value")$label,
                   ret$label)
  expect_silent(drawn_calls(forest_plot(fit), width = 4, height = 3.5))
  expect_arg_error(forest_plot(fit, labels = c(zz = "x")), "`labels`",
                   "labels")
})
