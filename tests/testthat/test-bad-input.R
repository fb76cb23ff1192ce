# Hostile input: every outcome is documented. Either the result equals the
# clean-data answer where R's conventions say so (rows with NA dropped and
# counted), or an error of class `cohortsurv_error` names the argument.

expect_cs_error <- function(expr, pattern) {
  expect_error(expr, pattern, class = "cohortsurv_error")
}

base_data <- function() {
  data.frame(
    time = c(5, 8, 3, 12, 7, 7, 2, 15, 9, 4),
    status = c(1, 0, 1, 1, 0, 1, 1, 0, 1, 1),
    group = factor(c("a", "b", "a", "b", "a", "b", "a", "b", "a", "b")),
    w = c(1, 2, 1, 1, 3, 1, 2, 1, 1, 1)
  )
}

test_that("km(): NA and NaN in time, status, weights and groups drop the row", {
  d <- base_data()
  clean <- km(Surv(time, status) ~ group, d[-c(2, 5), ], weights = w)
  for (col in c("time", "status", "w", "group")) {
    for (bad in list(NA, NaN)) {
      if (col == "group" && is.nan(bad)) next
      dd <- d
      dd[[col]][c(2, 5)] <- bad
      fit <- km(Surv(time, status) ~ group, dd, weights = w)
      expect_equal(fit$curves, clean$curves)
      expect_equal(fit$n_dropped, 2L)
    }
  }
})

test_that("km(): Inf, negative, character and empty input are errors", {
  d <- base_data()
  d$time[4] <- Inf
  expect_cs_error(km(Surv(time, status) ~ 1, d), "`time` must be finite; row 4 is Inf")
  d$time[4] <- -Inf
  expect_cs_error(km(Surv(time, status) ~ 1, d), "must be finite; row 4 is -Inf")
  d <- base_data()
  d$w[3] <- Inf
  expect_cs_error(km(Surv(time, status) ~ 1, d, weights = w),
                  "`weights` must be finite and non-negative; row 3 is Inf")
  d <- base_data()
  d$time <- as.character(d$time)
  expect_cs_error(km(Surv(time, status) ~ 1, d), "must be numeric; it is character")
  expect_cs_error(km(Surv(time, status) ~ 1, base_data()[0, ]), "no rows are left")
  expect_cs_error(km(Surv(time, status) ~ 1, base_data(), subset = time > 1e6),
                  "no rows are left")
  d <- base_data()
  d$time[] <- NA
  expect_cs_error(km(Surv(time, status) ~ 1, d), "no rows are left")
  d <- base_data()
  names(d)[4] <- "group"
  expect_cs_error(km(Surv(time, status) ~ group, d),
                  "more than one column named `group`")
  expect_cs_error(km(Surv(time, status) ~ missing_column, base_data()),
                  "`formula` refers to `missing_column`")
})

test_that("km(): a single row, zero events, unused levels, extreme times", {
  one <- km(Surv(time, status) ~ 1, base_data()[1, ])
  expect_equal(one$curves$surv, 0)
  d <- base_data()
  d$status <- 0
  none <- km(Surv(time, status) ~ group, d)
  expect_true(all(none$curves$surv == 1))
  expect_true(all(is.na(none$table$median)))
  d <- base_data()
  d$group <- factor(d$group, levels = c("z", "a", "b", "y"))
  expect_equal(levels(km(Surv(time, status) ~ group, d)$curves$strata),
               c("group=a", "group=b"))
  d$time <- d$time * 1e300
  big <- km(Surv(time, status) ~ 1, d)
  expect_equal(big$curves$surv, km(Surv(time / 1e300, status) ~ 1, d)$curves$surv)
  d$time <- base_data()$time * 1e-300
  tiny <- km(Surv(time, status) ~ 1, d)
  expect_equal(tiny$curves$surv, km(Surv(time * 1e300, status) ~ 1, d)$curves$surv)
})

test_that("km(): tibbles and data.tables give the data-frame answer", {
  d <- base_data()
  ref <- km(Surv(time, status) ~ group, d, weights = w)
  tb <- tibble::as_tibble(d)
  expect_equal(km(Surv(time, status) ~ group, tb, weights = w)$curves, ref$curves)
  skip_if_not_installed("data.table")
  dt <- data.table::as.data.table(d)
  expect_equal(km(Surv(time, status) ~ group, dt, weights = w)$curves, ref$curves)
})

test_that("km(): property test on 300 random, partly corrupted data sets", {
  set.seed(20261127)
  outcomes <- character()
  for (i in seq_len(300)) {
    n <- sample(1:25, 1)
    d <- data.frame(
      time = sample(c(0:8, 2.5), n, replace = TRUE),
      status = sample(0:1, n, replace = TRUE),
      g = sample(c("x", "y", "z"), n, replace = TRUE),
      w = sample(c(0.5, 1, 2, 3), n, replace = TRUE)
    )
    # corrupt some data sets
    if (runif(1) < 0.3) d$time[sample(n, 1)] <- sample(list(NA, NaN, -1, Inf), 1)[[1]]
    if (runif(1) < 0.2) d$status[sample(n, 1)] <- sample(list(NA, 3, -1), 1)[[1]]
    if (runif(1) < 0.2) d$w[sample(n, 1)] <- sample(list(NA, -2, Inf), 1)[[1]]
    if (runif(1) < 0.1) d$g[sample(n, 1)] <- NA
    ct <- sample(c("log", "log-log", "plain", "arcsin"), 1)
    fit <- tryCatch(km(Surv(time, status) ~ g, d, weights = w, conf_type = ct),
                    error = function(e) e)
    if (inherits(fit, "error")) {
      expect_s3_class(fit, "cohortsurv_error")
      outcomes <- c(outcomes, "error")
      next
    }
    ok <- stats::complete.cases(d)
    s <- survfit(Surv(time, status) ~ g, d[ok, ], weights = w, conf.type = ct,
                 robust = FALSE)
    ss <- summary(s, censored = TRUE)
    expect_close(fit$curves$surv, ss$surv)
    expect_close(fit$curves$n_risk, ss$n.risk)
    expect_close(fit$curves$lower, ss$lower)
    expect_equal(fit$n_dropped, sum(!ok))
    outcomes <- c(outcomes, "agree")
  }
  # both branches were exercised
  expect_gt(sum(outcomes == "error"), 20)
  expect_gt(sum(outcomes == "agree"), 150)
})
