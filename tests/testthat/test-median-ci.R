# km(median_ci = "symmetric"): the slope of the curve at the median is
# taken between the last event with S >= 0.55 and the first with S <= 0.45.
# (test-km.R checks the formula on a curve where a wider or narrower band
# gives the same slope; here the band itself is pinned down.)

test_that("the symmetric median interval takes its slope from S = 0.55 to S = 0.45", {
  # 100 deaths, no censoring: S falls by 0.01 at each death; the times
  # grow geometrically, so the slope depends on which deaths bound it
  d <- data.frame(t = 1.1^(1:100), s = 1)
  fit <- km(Surv(t, s) ~ 1, d, median_ci = "symmetric")
  cv <- fit$curves
  u <- d$t[45]                       # the last death with S >= 0.55
  l <- d$t[55]                       # the first death with S <= 0.45
  expect_equal(cv$surv[cv$time == u], 0.55)
  expect_equal(cv$surv[cv$time == l], 0.45)
  med <- (d$t[50] + d$t[51]) / 2     # S = 0.5 over [t50, t51)
  se <- sqrt(0.5 * 0.5 / 100)        # binomial SE with no censoring
  f <- (0.55 - 0.45) / (l - u)
  z <- qnorm(0.975)
  expect_equal(fit$table$median, med)
  expect_equal(fit$table$median_lower, med - z * se / f, tolerance = 1e-10)
  expect_equal(fit$table$median_upper, med + z * se / f, tolerance = 1e-10)
  # a band of 0.04 or 0.06 about one half would give other limits
  for (k in list(c(46, 54), c(44, 56))) {
    other <- (cv$surv[k[1]] - cv$surv[k[2]]) / (d$t[k[2]] - d$t[k[1]])
    expect_gt(abs(other / f - 1), 1e-3)
  }
})

test_that("the band's limits count: S exactly 0.55 and 0.45 are inside it", {
  # 20 deaths: S = 0.55 at the 9th and 0.45 at the 11th, the times spread
  # unevenly so that a strict band (the 8th and 12th deaths) or a wider one
  # would change the slope
  t <- c(1:7, 9, 10, 15, 21, 30, 31:38)
  d <- data.frame(t = t, s = 1)
  fit <- km(Surv(t, s) ~ 1, d, median_ci = "symmetric")
  f <- (0.55 - 0.45) / (21 - 10)
  se <- sqrt(0.5 * 0.5 / 20)
  med <- (15 + 21) / 2
  expect_equal(fit$table$median, med)
  expect_equal(fit$table$median_upper - med, qnorm(0.975) * se / f,
               tolerance = 1e-10)
})
