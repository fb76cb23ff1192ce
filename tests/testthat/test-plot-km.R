# plot.cs_km(): draws without warning on pdf and png devices, and the risk
# table it draws is summary(fit, times = breaks)$n_risk, at the breaks.

risk_rows <- function(calls) {
  mt <- drawn_mtext(calls)
  mt[mt$side == 1 & mt$line > min(mt$line[mt$text == "No. at risk"]), ]
}

test_that("the drawn risk table equals summary(fit, times = breaks)", {
  cases <- list(
    list(km(Surv(time, status) ~ sex, data = lung), seq(0, 900, 180)),
    list(km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ]),
         seq(0, 3000, 500)),
    list(km(Surv(time, status) ~ 1, data = lung), c(0, 250, 500, 750, 1000)),
    list(km(Surv(futime, fustat) ~ rx + resid.ds, data = ovarian),
         seq(0, 1200, 200))
  )
  for (cs in cases) {
    fit <- cs[[1]]
    br <- cs[[2]]
    calls <- drawn_calls(plot(fit, times = br))
    ret <- attr(calls, "value")
    sm <- summary(fit, times = br)
    expect_identical(ret$n_risk, sm$n_risk)
    expect_identical(ret$time, sm$time)
    rr <- risk_rows(calls)
    nums <- rr[rr$text %in% ret$text & rr$at %in% br, ]
    k <- nlevels(fit$curves$strata)
    expect_identical(nrow(nums), k * length(br))
    # drawn strings and positions: one row per curve, at the axis breaks
    expect_identical(as.numeric(nums$text), sm$n_risk)
    expect_identical(nums$at, rep(br, k))
    expect_identical(length(unique(nums$line)), k)
    # each row is coloured like its curve
    expect_identical(nums$col, rep(attr(ret, "col"), each = length(br)))
    # the x axis has its ticks at the same breaks
    ax <- Filter(function(e) identical(e$fun, "C_axis") && e$args[[1]] == 1,
                 calls)
    expect_identical(as.numeric(ax[[1]]$args[[2]]), br)
  }
})

test_that("the risk tables of Figures 1-5 of the paper are reproduced on dnmbc", {
  ar <- read.csv(system.file("extdata", "at_risk.csv", package = "cohortsurv"),
                 stringsAsFactors = FALSE)
  cases <- list(
    "Figure 1" = list(Surv(os_months, death) ~ group, c("STA", "LRT")),
    "Figure 2" = list(Surv(os_months, death) ~ surgery,
                      c("Non-surgery", "Surgery")),
    "Figure 3" = list(Surv(os_months, death) ~ timing, c("SBC", "SDC", "SAC")),
    "Figure 4" = list(Surv(os_months, death) ~ margin,
                      c("Negative", "Positive", "Unknown")),
    "Figure 5" = list(Surv(os_months, death) ~ radiotherapy, c("No RT", "RT"))
  )
  br <- seq(0, 135, 15)
  for (f in names(cases)) {
    fit <- km(cases[[f]][[1]], data = dnmbc)
    calls <- drawn_calls(plot(fit, times = br, labels = cases[[f]][[2]]))
    drawn <- attr(calls, "value")
    pub <- ar[ar$figure == f, ]
    m <- merge(pub, drawn, by.x = c("group", "time"), by.y = c("label", "time"))
    expect_identical(nrow(m), nrow(pub), label = f)
    expect_identical(as.numeric(m$n_risk.x), m$n_risk.y, label = f)
    # and those are the strings on the page
    rr <- risk_rows(calls)
    expect_true(all(drawn$text %in% rr$text))
  }
})

test_that("default breaks, labels and heavy-tied weighted data", {
  d <- random_surv(300, n_groups = 3, n_times = 12, seed = 3)
  fit <- km(Surv(time, status) ~ group, data = d, weights = fw)
  calls <- drawn_calls(plot(fit))
  ret <- attr(calls, "value")
  br <- unique(ret$time)
  expect_true(br[1] == 0 && all(diff(br) > 0))
  expect_equal(ret$n_risk, summary(fit, times = br)$n_risk)
  expect_true(all(ret$text == ifelse(ret$n_risk == round(ret$n_risk),
                                     format(round(ret$n_risk), trim = TRUE),
                                     formatC(ret$n_risk, format = "f",
                                             digits = 1))))
  # "group=a" -> "a" in legend and risk table
  lev <- levels(fit$curves$strata)
  expect_identical(unique(ret$label), sub("group=", "", lev))
  expect_true(all(sub("group=", "", lev) %in% drawn_text(calls)))
  # numeric codes keep their variable name
  ret2 <- attr(drawn_calls(plot(km(Surv(time, status) ~ sex, lung))), "value")
  expect_identical(unique(ret2$label), c("sex=1", "sex=2"))
  ret3 <- attr(drawn_calls(plot(km(Surv(time, status) ~ sex, lung),
                                labels = c("Male", "Female"))), "value")
  expect_identical(unique(ret3$label), c("Male", "Female"))
})

test_that("options draw what they say: no risk table, bands, medians, annotate", {
  fit <- km(Surv(time, status) ~ sex, data = lung)
  calls <- drawn_calls(plot(fit, risk_table = FALSE, legend = FALSE))
  mt <- drawn_mtext(calls)
  expect_false(any(mt$text == "No. at risk"))
  expect_length(drawn_text(calls), 0)
  n_poly <- function(cl) sum(vapply(cl, function(e) e$fun == "C_polygon", TRUE))
  expect_identical(n_poly(drawn_calls(plot(fit, conf_int = TRUE))), 2L)
  expect_identical(n_poly(drawn_calls(plot(fit))), 0L)
  seg <- Filter(function(e) e$fun == "C_segments",
                drawn_calls(plot(fit, median_lines = TRUE, legend = FALSE)))
  expect_equal(sort(as.numeric(seg[[2]]$args[[1]])), sort(fit$table$median))
  note <- paste0(format_hr(0.59, 0.42, 0.82, prefix = TRUE), "; log-rank ",
                 format_p(0.0013, prefix = TRUE))
  expect_true(note %in% drawn_text(drawn_calls(plot(fit, annotate = note))))
  # censor marks: one point per censoring time per curve
  pts <- Filter(function(e) e$fun == "C_plotXY",
                drawn_calls(plot(fit, censor_marks = TRUE)))
  n_cens <- sum(vapply(pts, function(e) length(e$args[[1]]$x), 1L))
  cv <- fit$curves
  # plus the empty frame drawn by plot(NA)
  n_lines <- sum(table(cv$strata) + 1) + 1
  expect_identical(as.integer(n_cens), as.integer(n_lines + sum(cv$n_censor > 0)))
})

test_that("legend and annotation go to free corners by default", {
  # curves that stay high until late: the top right is taken
  d <- data.frame(time = c(90, 95, 96, 98, 99, 100, 92, 97, 99, 100),
                  status = 1, g = rep(c("a", "b"), each = 5))
  fit <- km(Surv(time, status) ~ g, data = d)
  legend_y <- function(calls, what) {
    tx <- Filter(function(e) e$fun == "C_text" &&
                   any(as.character(e$args[[2]]) %in% what), calls)
    as.numeric(tx[[1]]$args[[1]]$y)
  }
  calls <- drawn_calls(plot(fit, times = seq(0, 100, 20), annotate = "note"))
  expect_true(all(legend_y(calls, c("a", "b")) < 0.5))
  expect_true(all(legend_y(calls, "note") < 0.5))
  # legend and annotation do not share a corner
  lx <- Filter(function(e) e$fun == "C_text" &&
                 any(as.character(e$args[[2]]) %in% c("a", "note")), calls)
  xs <- vapply(lx, function(e) as.numeric(e$args[[1]]$x)[1], 1)
  expect_gt(abs(diff(xs)), 20)
  # an explicit position is obeyed
  calls <- drawn_calls(plot(fit, times = seq(0, 100, 20), legend = "topright"))
  expect_true(all(legend_y(calls, c("a", "b")) > 0.5))
})

test_that("risk-table text shrinks when the breaks are too close", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  wide <- drawn_calls(plot(fit, times = seq(0, 3000, 250)), width = 12)
  narrow <- drawn_calls(plot(fit, times = seq(0, 3000, 250)), width = 4)
  cex_of <- function(calls) {
    mt <- Filter(function(e) e$fun == "C_mtext" && "315" %in% e$args[[1]],
                 calls)
    mt[[1]]$args[[8]]
  }
  expect_lt(cex_of(narrow), cex_of(wide))
  expect_gte(cex_of(narrow), 0.45)
  # at 4 inches every other break is labelled, and counted, only
  nv <- attr(narrow, "value")
  wv <- attr(wide, "value")
  expect_lt(length(unique(nv$time)), length(unique(wv$time)))
  expect_identical(nv$n_risk, wv$n_risk[wv$time %in% nv$time])
})

test_that("plot() draws without warning into pdf and png at 7 x 6 in", {
  fit <- km(Surv(time, status) ~ rx, data = colon[colon$etype == 2, ])
  for (ext in c("pdf", "png")) {
    f <- tempfile(fileext = paste0(".", ext))
    if (ext == "pdf") grDevices::pdf(f, width = 7, height = 6) else
      grDevices::png(f, width = 7, height = 6, units = "in", res = 150)
    expect_silent(plot(fit, times = seq(0, 3000, 500), conf_int = TRUE,
                       median_lines = TRUE, annotate = "log-rank P < .0001",
                       main = "Colon cancer"))
    grDevices::dev.off()
    expect_gt(file.size(f), 1000)
  }
  # margins are restored
  grDevices::pdf(NULL)
  mar <- par("mar")
  plot(fit)
  expect_identical(par("mar"), mar)
  grDevices::dev.off()
})

test_that("plot() errors name the argument", {
  fit <- km(Surv(time, status) ~ sex, data = lung)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_error(plot(fit, times = c(0, 100, 50)), "`times` must be an increasing",
               class = "cohortsurv_error")
  expect_error(plot(fit, times = 100), "at least two", class = "cohortsurv_error")
  expect_error(plot(fit, labels = "a"), "`labels` must be a character vector with one name per curve \\(2\\)",
               class = "cohortsurv_error")
  expect_error(plot(fit, annotate = 1), "`annotate` must be a character vector",
               class = "cohortsurv_error")
  expect_error(plot(fit, conf_int = "yes"), "`conf_int` must be TRUE or FALSE",
               class = "cohortsurv_error")
  expect_error(plot(fit, risk_cex = 0), "`risk_cex` must be a single positive number",
               class = "cohortsurv_error")
})

test_that("curves are identified by data: a level holding ', ' keeps its short label", {
  d <- survival::lung
  d$site <- ifelse(d$sex == 1, "bone, liver", "lung, brain")
  fit <- km(Surv(time, status) ~ site, d)
  expect_identical(fit$strata$curve, levels(fit$curves$strata))
  expect_identical(fit$strata$site, c("bone, liver", "lung, brain"))
  expect_identical(cohortsurv:::curve_labels(levels(fit$curves$strata),
                                             fit$strata),
                   c("bone, liver", "lung, brain"))
  two <- km(Surv(time, status) ~ site + ph.ecog, d)
  expect_named(two$strata, c("curve", "site", "ph.ecog"))
  expect_identical(two$strata$curve, levels(two$curves$strata))
  expect_identical(cohortsurv:::curve_labels(levels(two$curves$strata),
                                             two$strata),
                   levels(two$curves$strata))
})

test_that("plot(fun = 'cumhaz') draws the cumhaz column and survfit's plain band", {
  fit <- km(Surv(time, status) ~ sex, data = lung)
  sf <- survfit(Surv(time, status) ~ sex, data = lung)
  calls <- drawn_calls(plot(fit, fun = "cumhaz", conf_int = TRUE,
                            censor_marks = FALSE))
  xy <- Filter(function(e) e$fun == "C_plotXY", calls)
  # the frame, then one step line per curve from (0, 0)
  ys <- lapply(xy[-1], function(e) as.numeric(e$args[[1]]$y))
  expect_length(ys, 2L)
  h <- split(sf$cumhaz, rep(1:2, sf$strata))
  for (j in 1:2) expect_equal(ys[[j]], c(0, h[[j]]), tolerance = 1e-10)
  # the band: cumhaz +/- z std.chaz, cut at 0 (plot.survfit's plain limits)
  poly <- Filter(function(e) e$fun == "C_polygon", calls)
  expect_length(poly, 2L)
  z <- qnorm(0.975)
  py <- as.numeric(poly[[1]]$args[[2]])
  h1 <- sf$cumhaz[1:sf$strata[1]]
  s1 <- sf$std.chaz[1:sf$strata[1]]
  expect_equal(max(py), max(h1 + z * s1), tolerance = 1e-10)
  expect_equal(min(py), 0)
  # the y axis reaches the top of the band
  ax <- Filter(function(e) identical(e$fun, "C_axis") && e$args[[1]] == 2,
               calls)
  expect_gte(max(as.numeric(ax[[1]]$args[[2]])), max(h1 + z * s1))
  # Fleming-Harrington with ctype = 2
  f2 <- km(Surv(time, status) ~ 1, data = aml, ctype = 2)
  s2 <- survfit(Surv(time, status) ~ 1, data = aml, ctype = 2)
  xy <- Filter(function(e) e$fun == "C_plotXY",
               drawn_calls(plot(f2, fun = "cumhaz", censor_marks = FALSE)))
  expect_equal(as.numeric(xy[[2]]$args[[1]]$y), c(0, s2$cumhaz),
               tolerance = 1e-10)
  expect_error(plot(fit, fun = "cumhaz", median_lines = TRUE),
               class = "cohortsurv_error", regexp = "median_lines")
})
