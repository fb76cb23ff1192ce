# cox(): degenerate data and hostile input.

test_that("no events: a warning and NA coefficients", {
  d <- data.frame(time = 1:4, status = 0, x = c(1, 2, 3, 5))
  expect_warning(f <- cox(Surv(time, status) ~ x, d), "no events",
                 class = "cohortsurv_warning_no_events")
  expect_true(is.na(f$coefficients[["x"]]))
  expect_equal(f$loglik, c(0, 0))
  expect_true(f$converged)
  expect_equal(f$n_event, 0)
})

test_that("a single row and all-tied data do not break", {
  d1 <- data.frame(time = 5, status = 1, x = 2)
  expect_message(f <- cox(Surv(time, status) ~ x, d1),
                 class = "cohortsurv_message_collinear")
  expect_true(is.na(f$coefficients[["x"]]))
  expect_equal(f$loglik, c(0, 0))
  d2 <- data.frame(time = rep(3, 6), status = c(1, 1, 1, 0, 1, 0),
                   x = c(1, 2, 3, 4, 5, 6))
  for (ties in c("efron", "breslow")) {
    cox_vs_coxph(cox(Surv(time, status) ~ x, d2, ties = ties),
                 coxph(Surv(time, status) ~ x, d2, ties = ties))
  }
})

test_that("an estimate running off to infinity is flagged, not aliased", {
  # each death has the smallest x of its risk set: beta -> -Inf, and the
  # information underflows to zero on the way
  d <- data.frame(time = 1:20, status = rep(c(1, 0), 10), x = 1e8 + 1:20)
  expect_warning(f <- cox(Surv(time, status) ~ x, d),
                 class = "cohortsurv_warning")
  expect_false(is.na(f$coefficients[["x"]]))
  expect_true(f$coefficients[["x"]] < -5)
})

test_that("covariates on a huge scale are handled by centring", {
  d <- random_cox_data(200, 31)
  d$big <- 1e9 + d$z1
  a <- cox(Surv(time, status) ~ big + sex, d)
  b <- cox(Surv(time, status) ~ z1 + sex, d)
  expect_close(a$coefficients, b$coefficients, 1e-6)
})

test_that("random hostile input never crashes", {
  set.seed(99)
  for (k in 1:150) {
    n <- sample(1:9, 1)
    d <- data.frame(
      time = sample(c(1, 2, 2, 3, 10), n, TRUE),
      status = rbinom(n, 1, runif(1)),
      x = if (runif(1) < 0.2) rep(1, n) else round(rnorm(n), 1),
      g = factor(sample(c("a", "b"), n, TRUE)),
      s = sample(1:2, n, TRUE),
      w = sample(c(0, 0.5, 1, 2), n, TRUE)
    )
    d$start <- pmax(0, d$time - sample(0:3, n, TRUE))
    d$start[d$start >= d$time] <- 0
    fml <- sample(list(Surv(time, status) ~ x + g,
                       Surv(time, status) ~ x + strata(s),
                       Surv(start, time, status) ~ x + g + strata(s),
                       Surv(time, status) ~ 1), 1)[[1]]
    res <- tryCatch(
      suppressMessages(suppressWarnings(
        cox(fml, d, weights = if (runif(1) < 0.5) w,
            ties = sample(c("efron", "breslow"), 1),
            robust = runif(1) < 0.3))),
      cohortsurv_error = function(e) e)
    if (inherits(res, "cs_cox")) {
      b <- res$coefficients
      expect_true(all(is.na(b) | is.finite(b)))
      expect_true(all(is.finite(res$loglik)))
      expect_output(print(res))
    } else {
      expect_s3_class(res, "cohortsurv_error")
    }
  }
})
