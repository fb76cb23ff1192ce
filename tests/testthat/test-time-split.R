# time_split() against survival::survSplit() (the installed version), and
# Cox fits on split data against the unsplit fit and coxph.

split_pair <- function(data, cut, ...) {
  a <- time_split(data, cut, ...)
  args <- list(...)
  args$timefix <- NULL
  b <- do.call(survival::survSplit, c(list(data = data, cut = cut), args))
  list(a = a, b = b)
}

# survival's C routine survsplit leaves the `censor` flag of a row with a
# missing time uninitialised, so survSplit's status on such rows is
# whatever was in memory; time_split() keeps the row's own status. Those
# statuses are compared with the input instead.
expect_same_split <- function(p, end = "time", event = "status",
                              input = NULL) {
  expect_identical(names(p$a), names(p$b))
  expect_identical(nrow(p$a), nrow(p$b))
  na <- is.na(p$a[[end]])
  if (any(na)) {
    expect_identical(p$a[[event]][na], as.double(input[[event]][
      is.na(input[[end]])]))
    p$a[[event]][na] <- p$b[[event]][na] <- 0
  }
  expect_equal(p$a, p$b, ignore_attr = TRUE, tolerance = 0)
}

test_that("lung and veteran split as survSplit splits them", {
  expect_same_split(split_pair(lung, c(100, 200, 365, 500), end = "time",
                               event = "status", episode = "ep"))
  # cuts outside the follow-up and unsorted, duplicated cuts
  expect_same_split(split_pair(lung, c(2000, 5, 5, -1, 306), end = "time",
                               event = "status"))
  expect_same_split(split_pair(veteran, c(30, 90, 180), end = "time",
                               event = "status", episode = "period"))
})

test_that("the formula interface names columns as survSplit", {
  a <- time_split(lung, c(100, 200), formula = Surv(time, status) ~ .,
                  episode = "ep")
  b <- survSplit(Surv(time, status) ~ ., lung, cut = c(100, 200),
                 episode = "ep")
  expect_equal(a, b, ignore_attr = TRUE, tolerance = 0)
  expect_identical(names(a), names(b))
  a <- time_split(veteran, c(30, 90, 180),
                  formula = Surv(time, status) ~ karno + trt)
  b <- survSplit(Surv(time, status) ~ karno + trt, veteran,
                 cut = c(30, 90, 180))
  expect_equal(a, b, ignore_attr = TRUE, tolerance = 0)
  expect_identical(names(a), c("karno", "trt", "tstart", "time", "status"))
  # a status expression: the event column gets the default name
  a <- time_split(lung, 300, formula = Surv(time, status == 2) ~ age)
  b <- survSplit(Surv(time, status == 2) ~ age, lung, cut = 300)
  expect_equal(a, b, ignore_attr = TRUE, tolerance = 0)
  expect_identical(names(a), names(b))
})

test_that("random (start, stop] data with ties at the cuts and NA times", {
  for (seed in 1:4) {
    set.seed(seed)
    n <- 300
    d <- data.frame(time = sample(1:20, n, TRUE) / 2,
                    status = rbinom(n, 1, 0.6), x = rnorm(n),
                    g = sample(letters[1:3], n, TRUE))
    d$st <- pmax(0, d$time - sample(0:8, n, TRUE) / 2)
    d$st[d$st >= d$time] <- 0
    d$time[c(5, 17)] <- NA
    # cuts at event times, at start times, at zero and beyond the data
    cut <- c(0, 1, 2.5, 3, 5, 7.5, 20, d$time[1:3])
    cut <- cut[!is.na(cut)]
    p <- split_pair(d, cut, end = "time", event = "status", start = "st",
                    episode = "e")
    expect_same_split(p, input = d)
    p <- split_pair(d[-c(5, 17), ], cut, end = "time", event = "status",
                    episode = "e")
    expect_same_split(p)
    a <- time_split(d, c(1, 2.5), formula = Surv(st, time, status) ~ .,
                    episode = "e")
    b <- survSplit(Surv(st, time, status) ~ ., d, cut = c(1, 2.5),
                   episode = "e")
    expect_same_split(list(a = a, b = b), input = d)
  }
})

test_that("tibbles and factor, character and date columns carry over", {
  d <- data.frame(time = c(5, 3, 8), status = c(1, 0, 1),
                  f = factor(c("u", "v", "u"), levels = c("v", "u", "w")),
                  ch = c("a", "b", "c"),
                  day = as.Date("2020-01-01") + 0:2)
  p <- split_pair(d, c(2, 4), end = "time", event = "status")
  expect_same_split(p)
  expect_identical(levels(p$a$f), c("v", "u", "w"))
  expect_s3_class(p$a$day, "Date")
  skip_if_not_installed("tibble")
  tb <- tibble::as_tibble(lung)
  a <- time_split(tb, c(100, 300), end = "time", event = "status")
  b <- survSplit(tb, cut = c(100, 300), end = "time", event = "status")
  expect_s3_class(a, "tbl_df")
  expect_equal(as.data.frame(a), as.data.frame(b), ignore_attr = TRUE,
               tolerance = 0)
})

test_that("a hand-computed split: no zero-length pieces, event on the last", {
  d <- data.frame(time = c(5, 3, 2, 7), status = c(1, 1, 0, 1), x = 1:4)
  s <- time_split(d, cut = c(2, 3, 6), end = "time", event = "status",
                  episode = "k")
  expect_identical(s$x, c(1L, 1L, 1L, 2L, 2L, 3L, 4L, 4L, 4L, 4L))
  expect_identical(s$tstart, c(0, 2, 3, 0, 2, 0, 0, 2, 3, 6))
  expect_identical(s$time, c(2, 3, 5, 2, 3, 2, 2, 3, 6, 7))
  expect_identical(s$status, c(0, 0, 1, 0, 1, 0, 0, 0, 0, 1))
  expect_identical(s$k, c(1, 2, 3, 1, 2, 1, 1, 2, 3, 4))
})

test_that("Cox fits on split data equal the unsplit fit and coxph", {
  sp <- time_split(lung, c(90, 180, 365, 500), end = "time",
                   event = "status")
  for (ties in c("efron", "breslow")) {
    f0 <- cox(Surv(time, status) ~ age + sex + strata(ph.ecog), data = lung,
              ties = ties)
    f1 <- cox(Surv(tstart, time, status) ~ age + sex + strata(ph.ecog),
              data = sp, ties = ties)
    f2 <- coxph(Surv(tstart, time, status) ~ age + sex + strata(ph.ecog),
                data = sp, ties = ties)
    expect_close(f1$coefficients, f0$coefficients, 1e-8)
    expect_close(f1$var, f0$var, 1e-8)
    expect_close(f1$loglik, f0$loglik, 1e-8)
    expect_close(f1$coefficients, coef(f2), 1e-8)
    expect_close(f1$var, f2$var, 1e-8)
  }
  d <- random_surv(400, seed = 7, counting = TRUE)
  sp <- time_split(d, c(3, 5, 8, 11), end = "time", event = "status",
                   start = "start")
  f0 <- cox(Surv(start, time, status) ~ group + sex, data = d, weights = w)
  f1 <- cox(Surv(start, time, status) ~ group + sex, data = sp, weights = w)
  f2 <- coxph(Surv(start, time, status) ~ group + sex, data = sp,
              weights = w)
  expect_close(f1$coefficients, f0$coefficients, 1e-8)
  expect_close(f1$var, f0$var, 1e-8)
  expect_close(f1$coefficients, coef(f2), 1e-8)
  expect_close(f1$var, f2$var, 1e-8)
})

test_that("timefix merges a cut with a nearly equal time", {
  d <- data.frame(time = c(1, 2 + 1e-12, 3), status = c(1, 1, 0))
  a <- time_split(d, cut = 2, end = "time", event = "status")
  expect_identical(nrow(a), 4L)    # 2 + 1e-12 is taken as 2: not cut
  b <- time_split(d, cut = 2, end = "time", event = "status",
                  timefix = FALSE)
  expect_identical(nrow(b), 5L)
})

test_that("bad input is refused by name", {
  err <- function(expr, arg) {
    e <- expect_error(expr, class = "cohortsurv_error")
    expect_identical(e$arg, arg)
  }
  err(time_split(lung, "a", end = "time", event = "status"), "cut")
  err(time_split(lung, c(1, NA), end = "time", event = "status"), "cut")
  err(time_split(as.list(lung), 100, end = "time", event = "status"), "data")
  err(time_split(lung, 100, end = "tim", event = "status"), "end")
  err(time_split(lung, 100, end = "time", event = "stat"), "event")
  err(time_split(lung, 100, end = "time"), "event")
  err(time_split(lung, 100, end = "time", event = "status", zero = 10),
      "zero")
  err(time_split(lung, 100, end = "time", event = "status", episode = 2),
      "episode")
  err(time_split(lung, 100, end = "time", event = "status", id = "id"), "id")
  err(time_split(lung, 100, formula = time ~ .), "formula")
  err(time_split(lung, 100, formula = Surv(time, status) ~ log(age)),
      "formula")
  d <- data.frame(st = c(0, 5), time = c(4, 5), status = c(1, 0))
  err(time_split(d, 2, end = "time", event = "status", start = "st"),
      "start")
})
