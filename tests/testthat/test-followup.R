# followup() against the reverse Kaplan-Meier fit of survfit.

fu_vs_survfit <- function(got, ref, tol = 1e-10) {
  q <- quantile(ref, probs = 0.5)
  expect_close(got$median, unname(q$quantile), tol)
  expect_close(got$lower, unname(q$lower), tol)
  expect_close(got$upper, unname(q$upper), tol)
  tab <- summary(ref)$table
  if (is.null(dim(tab))) tab <- t(tab)
  expect_close(got$median, unname(tab[, "median"]), tol)
  expect_close(got$lower, unname(tab[, grep("LCL", colnames(tab))]), tol)
  expect_close(got$upper, unname(tab[, grep("UCL", colnames(tab))]), tol)
}

test_that("followup equals survfit's reverse Kaplan-Meier median on survival's data", {
  fu_vs_survfit(followup(Surv(time, status) ~ sex, data = lung),
                survfit(Surv(time, status == 1) ~ sex, data = lung))
  fu_vs_survfit(followup(Surv(time, status) ~ 1, data = lung),
                survfit(Surv(time, status == 1) ~ 1, data = lung))
  fu_vs_survfit(followup(Surv(time, status) ~ trt, data = veteran),
                survfit(Surv(time, 1 - status) ~ trt, data = veteran))
  cd <- colon[colon$etype == 2, ]
  fu_vs_survfit(followup(Surv(time, status) ~ rx, data = cd),
                survfit(Surv(time, 1 - status) ~ rx, data = cd))
  fu_vs_survfit(followup(Surv(futime, fustat) ~ rx, data = ovarian),
                survfit(Surv(futime, 1 - fustat) ~ rx, data = ovarian))
  fu_vs_survfit(followup(Surv(os_months, death) ~ group, data = dnmbc),
                survfit(Surv(os_months, 1 - death) ~ group, data = dnmbc))
  # km() options pass through
  fu_vs_survfit(followup(Surv(time, status) ~ sex, data = lung,
                         conf_type = "log-log", subset = age > 60),
                survfit(Surv(time, status == 1) ~ sex, data = lung,
                        conf.type = "log-log", subset = age > 60))
})

test_that("followup equals survfit on heavily tied data, with strata and weights", {
  for (seed in 1:5) {
    d <- random_surv(250, n_times = 8, seed = seed)
    fu_vs_survfit(followup(Surv(time, status) ~ group, data = d),
                  survfit(Surv(time, 1 - status) ~ group, data = d))
    fu_vs_survfit(followup(Surv(time, status) ~ group + strata(sex), data = d),
                  survfit(Surv(time, 1 - status) ~ group + strata(sex),
                          data = d))
    fu_vs_survfit(followup(Surv(time, status) ~ group, data = d, weights = w),
                  survfit(Surv(time, 1 - status) ~ group, data = d,
                          weights = w))
  }
})

test_that("tie convention: reversed censorings come before reversed events", {
  d <- data.frame(time = c(1, 1, 2, 2, 2, 3, 3, 4, 4, 5),
                  status = c(1, 0, 1, 0, 0, 1, 0, 0, 1, 0))
  got <- followup(Surv(time, status) ~ 1, data = d)
  # reverse KM: at 1, 10 at risk, 1 censoring -> 0.9; at 2, 8 at risk
  # (the event at 1 left), 2 -> 0.9 * 6/8 = 0.675; at 3, 5 at risk, 1 ->
  # 0.54; at 4, 3 at risk, 1 -> 0.36: the median is 4. Had the events at a
  # tied time left first, 7 would be at risk at 2 and S(2) = 0.9 * 5/7.
  fit <- attr(got, "fit")
  expect_equal(fit$curves$surv[1:4], c(0.9, 0.675, 0.54, 0.36))
  expect_equal(fit$curves$n_risk[1:4], c(10, 8, 5, 3))
  expect_equal(got$median, 4)
  expect_equal(got$median_observed, median(d$time))
  expect_equal(got$median_censored, median(d$time[d$status == 0]))
  expect_equal(got$n_censored, 6)
})

test_that("observed-time medians are those of all and of censored patients", {
  got <- followup(Surv(time, status) ~ sex, data = lung)
  expect_equal(got$median_observed, unname(c(tapply(lung$time, lung$sex, median))))
  cens <- lung$status == 1
  expect_equal(got$median_censored,
               unname(c(tapply(lung$time[cens], lung$sex[cens], median))))
  expect_equal(got$n, unname(c(table(lung$sex))))
  expect_equal(got$n_censored, unname(c(table(lung$sex[cens]))))
  # no censored patient: NA
  d <- data.frame(time = 1:5, status = 1)
  expect_true(is.na(followup(Surv(time, status) ~ 1, data = d)$median_censored))
})

test_that("followup: weight 2 equals a duplicated row; row order does not matter", {
  d <- random_surv(150, n_times = 10, seed = 21)
  d$w2 <- ifelse(seq_len(nrow(d)) %% 4 == 0, 2, 1)
  dup <- d[rep(seq_len(nrow(d)), d$w2), ]
  a <- followup(Surv(time, status) ~ group, data = d, weights = w2)
  b <- followup(Surv(time, status) ~ group, data = dup)
  cols <- c("median", "lower", "upper", "median_observed", "median_censored",
            "n_censored")
  for (cl in cols) expect_close(a[[cl]], b[[cl]], 1e-12)
  r <- followup(Surv(time, status) ~ group, data = d[nrow(d):1, ])
  o <- followup(Surv(time, status) ~ group, data = d)
  for (cl in cols) expect_equal(r[[cl]], o[[cl]])
})

test_that("the followup print method stays within 80 columns", {
  out <- capture.output(print(followup(Surv(time, status) ~ sex, data = lung)))
  expect_true(all(nchar(out) <= 80))
  expect_match(out[1], "reverse Kaplan-Meier")
})

test_that("bad input to followup is a cohortsurv_error", {
  expect_error(followup("Surv(time, status) ~ sex", data = lung),
               class = "cohortsurv_error")
  expect_error(followup(~ sex, data = lung), class = "cohortsurv_error")
  expect_error(followup(Surv(time, status) ~ nosuch, data = lung),
               class = "cohortsurv_error")
  d <- data.frame(start = 0, stop = 1:4, status = c(1, 0, 1, 0))
  e <- tryCatch(followup(Surv(start, stop, status) ~ 1, data = d),
                cohortsurv_error = function(e) e)
  expect_s3_class(e, "cohortsurv_error")
  expect_equal(e$arg, "formula")
  expect_match(conditionMessage(e), "^`formula`: followup\\(\\) needs")
  # a precomputed counting-process Surv object is refused too
  d$y <- Surv(d$start, d$stop, d$status)
  expect_error(followup(y ~ 1, data = d), class = "cohortsurv_error")
  expect_error(followup(Surv(time, status) ~ sex, data = lung,
                        conf_level = 2), class = "cohortsurv_error")
})
