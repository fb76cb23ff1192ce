# survival_at() against summary(survfit(...), times = , extend = TRUE).

sa_vs_survfit <- function(formula, data, times, tol = 1e-10, ...) {
  fit <- km(formula, data = data, ...)
  got <- survival_at(fit, times)
  ref <- summary(survfit(formula, data = data, ...), times = times,
                 extend = TRUE)
  expect_equal(nrow(got), length(ref$time))
  expect_close(got$time, ref$time, tol)
  expect_close(got$n_risk, ref$n.risk, tol)
  expect_close(got$surv, ref$surv, tol)
  expect_close(got$std_err, ref$std.err, tol)
  expect_close(got$lower, ref$lower, tol)
  expect_close(got$upper, ref$upper, tol)
  if (!is.null(ref$strata) && !grepl("strata(", deparse(formula), fixed = TRUE)) {
    expect_equal(gsub(" ", "", as.character(got$strata)),
                 gsub(" ", "", as.character(ref$strata)))
  }
  invisible(got)
}

test_that("survival_at equals summary.survfit(extend = TRUE) on survival's data", {
  sa_vs_survfit(Surv(time, status) ~ sex, lung, c(0, 100, 365, 730, 1100))
  sa_vs_survfit(Surv(time, status) ~ 1, lung, c(30.5, 365))
  sa_vs_survfit(Surv(time, status) ~ trt + celltype, veteran,
                c(10, 50, 100, 500, 1000))
  sa_vs_survfit(Surv(time, status) ~ rx, colon[colon$etype == 2, ],
                c(365, 3 * 365.25, 5 * 365.25, 4000))
  sa_vs_survfit(Surv(futime, fustat) ~ rx, ovarian, c(100, 365, 1200))
  sa_vs_survfit(Surv(time, status) ~ sex, lung, c(180, 365),
                conf.type = "log-log")
  sa_vs_survfit(Surv(time, status) ~ sex, lung, c(180, 365),
                conf.int = 0.9)
})

test_that("survival_at equals survfit on random tied data with strata and weights", {
  for (seed in 1:4) {
    d <- random_surv(300, seed = seed)
    sa_vs_survfit(Surv(time, status) ~ group, d, c(0, 2.5, 7, 15, 20))
    sa_vs_survfit(Surv(time, status) ~ group + strata(sex), d, c(1, 8, 30))
    t <- c(3, 9, 14)
    got <- survival_at(km(Surv(time, status) ~ group, data = d, weights = w), t)
    ref <- summary(survfit(Surv(time, status) ~ group, data = d, weights = w),
                   times = t, extend = TRUE)
    expect_close(got$surv, ref$surv)
    expect_close(got$std_err, ref$std.err)
    expect_close(got$lower, ref$lower)
    expect_close(got$upper, ref$upper)
    expect_close(got$n_risk, ref$n.risk)
  }
})

test_that("survival_at equals survfit with fractional weights, clusters and delayed entry", {
  d <- random_surv(250, seed = 7, counting = TRUE)
  d$id <- sample(1:70, nrow(d), replace = TRUE)
  t <- c(1, 4.5, 9, 20)
  chk <- function(got, ref) {
    expect_close(got$surv, ref$surv)
    expect_close(got$std_err, ref$std.err)
    expect_close(got$lower, ref$lower)
    expect_close(got$upper, ref$upper)
    expect_close(got$n_risk, ref$n.risk)
  }
  chk(survival_at(km(Surv(time, status) ~ group, data = d, weights = fw), t),
      summary(survfit(Surv(time, status) ~ group, data = d, weights = fw),
              times = t, extend = TRUE))
  chk(survival_at(km(Surv(time, status) ~ group, data = d, cluster = id), t),
      summary(survfit(Surv(time, status) ~ group, data = d, cluster = id),
              times = t, extend = TRUE))
  chk(survival_at(km(Surv(start, time, status) ~ group, data = d), t),
      summary(survfit(Surv(start, time, status) ~ group, data = d),
              times = t, extend = TRUE))
})

test_that("times after a curve's last follow-up carry its last values", {
  fit <- km(Surv(futime, fustat) ~ rx, data = ovarian)
  got <- survival_at(fit, c(1000, 5000), format = TRUE)
  last <- c(tapply(ovarian$futime, ovarian$rx, max))
  expect_equal(got$beyond,
               unname(got$time > last[sub("rx=", "", as.character(got$strata))]))
  expect_equal(sum(got$beyond), 2L + sum(1000 > last))
  late <- got[got$time == 5000, ]
  expect_true(all(late$n_risk == 0))
  expect_true(all(!is.na(late$surv)))
  cv <- fit$curves
  ends <- cv[cumsum(table(cv$strata)), ]
  expect_equal(late$surv, ends$surv)
  expect_equal(late$lower, ends$lower)
  expect_true(all(grepl("\\*$", late$text)))
  expect_false(any(grepl("\\*$", got$text[!got$beyond])))
})

test_that("the formatted column reads like a manuscript table", {
  d <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8), status = 1)
  fit <- km(Surv(time, status) ~ 1, data = d, conf_type = "plain")
  got <- survival_at(fit, 4, format = TRUE)
  # S(4) = 4/8, SE = sqrt(0.5 * 0.5 / 8), plain limits
  se <- sqrt(0.25 / 8)
  expect_equal(got$surv, 0.5)
  expect_equal(got$std_err, se)
  lo <- 0.5 - qnorm(0.975) * se
  hi <- 0.5 + qnorm(0.975) * se
  expect_equal(got$text, sprintf("50%% (%.0f%% to %.0f%%)", 100 * lo, 100 * hi))
  got1 <- survival_at(fit, 4, format = TRUE, digits = 1)
  expect_equal(got1$text, sprintf("50.0%% (%.1f%% to %.1f%%)", 100 * lo,
                                  100 * hi))
  expect_null(survival_at(fit, 4)$text)
})

test_that("hand-computed survival with ties: deaths before censorings", {
  d <- data.frame(time = c(2, 2, 2, 4, 5, 5), status = c(1, 1, 0, 1, 0, 1))
  got <- survival_at(km(Surv(time, status) ~ 1, data = d), c(1, 2, 3, 5))
  expect_equal(got$surv, c(1, 4 / 6, 4 / 6, 4 / 6 * 2 / 3 * 1 / 2))
  expect_equal(got$n_risk, c(6, 6, 3, 2))
})

test_that("survival_at is invariant to row order and weight 2 equals a duplicated row", {
  d <- random_surv(200, seed = 11)
  t <- c(2, 5, 9, 13)
  a <- survival_at(km(Surv(time, status) ~ group, data = d), t)
  b <- survival_at(km(Surv(time, status) ~ group, data = d[nrow(d):1, ]), t)
  expect_equal(a, b)
  d$w2 <- ifelse(seq_len(nrow(d)) %% 3 == 0, 2, 1)
  dup <- d[rep(seq_len(nrow(d)), d$w2), ]
  a <- survival_at(km(Surv(time, status) ~ group, data = d, weights = w2), t)
  b <- survival_at(km(Surv(time, status) ~ group, data = dup), t)
  expect_close(a$surv, b$surv, 1e-12)
  expect_close(a$std_err, b$std_err, 1e-12)
  expect_close(a$n_risk, b$n_risk, 1e-12)
})

test_that("the print method stays within 80 columns", {
  fit <- km(Surv(time, status) ~ trt + celltype, data = veteran)
  out <- capture.output(print(survival_at(fit, c(30, 180, 999), format = TRUE)))
  expect_true(all(nchar(out) <= 80))
  expect_match(out[1], "95% CI")
})

test_that("bad input to survival_at is a cohortsurv_error", {
  fit <- km(Surv(time, status) ~ sex, data = lung)
  expect_error(survival_at(survfit(Surv(time, status) ~ sex, data = lung), 1),
               class = "cohortsurv_error")
  expect_error(survival_at(fit), class = "cohortsurv_error")
  expect_error(survival_at(fit, "365"), class = "cohortsurv_error")
  expect_error(survival_at(fit, c(1, NA)), class = "cohortsurv_error")
  expect_error(survival_at(fit, -1), class = "cohortsurv_error")
  expect_error(survival_at(fit, Inf), class = "cohortsurv_error")
  expect_error(survival_at(fit, numeric()), class = "cohortsurv_error")
  expect_error(survival_at(fit, 1, format = NA), class = "cohortsurv_error")
  expect_error(survival_at(fit, 1, format = TRUE, digits = 1.5),
               class = "cohortsurv_error")
  expect_error(survival_at(fit, 1, digits = 7), class = "cohortsurv_error")
  e <- tryCatch(survival_at(fit, -1), cohortsurv_error = function(e) e)
  expect_equal(e$arg, "times")
})
