# km() against survival::survfit, hand-computed cases, invariances, edge
# cases and every user-facing error.

compare_km <- function(fit, sfit, tol = 1e-10) {
  ss <- summary(sfit, censored = TRUE)
  cv <- fit$curves
  expect_equal(nrow(cv), length(ss$time))
  expect_close(cv$time, ss$time, tol)
  expect_close(cv$n_risk, ss$n.risk, tol)
  expect_close(cv$n_event, ss$n.event, tol)
  expect_close(cv$n_censor, ss$n.censor, tol)
  expect_close(cv$surv, ss$surv, tol)
  expect_close(cv$std_err, ss$std.err, tol)
  expect_close(cv$lower, ss$lower, tol)
  expect_close(cv$upper, ss$upper, tol)
  if (!is.null(sfit$strata)) {
    expect_equal(as.character(cv$strata), trimws(as.character(ss$strata)))
  }
  tab <- summary(sfit)$table
  if (is.null(dim(tab))) tab <- t(tab)
  q <- quantile(sfit, 0.5)
  expect_close(fit$table$events, tab[, "events"], tol)
  expect_close(fit$table$rmean, tab[, "rmean"], tol)
  expect_close(fit$table$rmean_se, tab[, "se(rmean)"], tol)
  if (fit$median_ci == "bc") {
    expect_close(fit$table$median, q$quantile, tol)
    mono <- monotone_limits(cv)
    expect_close(fit$table$median_lower[mono], q$lower[mono], tol)
    expect_close(fit$table$median_upper[mono], q$upper[mono], tol)
    # where a pointwise limit rises again (delayed entry, or a tiny risk set
    # in the tail), km() inverts the band at its first crossing, as
    # Brookmeyer and Crowley define it; quantile.survfit's approx() sorts the
    # limit's values first and can only report the same or a later time
    for (lim in c("lower", "upper")) {
      ours <- fit$table[[paste0("median_", lim)]][!mono]
      theirs <- q[[lim]][!mono]
      both <- !is.na(ours) & !is.na(theirs)
      expect_true(all(ours[both] <= theirs[both] + tol))
    }
  }
}

# For each curve of a fit: are both pointwise limits non-increasing in time?
monotone_limits <- function(cv) {
  vapply(split(cv, cv$strata), function(k) {
    up <- function(x) any(diff(x[!is.na(x)]) > 0)
    !up(k$lower) && !up(k$upper)
  }, logical(1))
}

conf_types <- c("log", "log-log", "plain", "arcsin")

test_that("km() agrees with survfit on survival's datasets for every conf_type", {
  cases <- list(
    list(Surv(time, status) ~ 1, lung),
    list(Surv(time, status) ~ sex, lung),
    list(Surv(time, status) ~ sex + ph.ecog, lung),
    list(Surv(time, status) ~ trt + celltype, veteran),
    list(Surv(futime, fustat) ~ rx, ovarian),
    list(Surv(time, status) ~ x, aml),
    list(Surv(time, status) ~ rx, colon),
    list(Surv(time, status == 2) ~ trt + edema, pbc)
  )
  for (cs in cases) {
    for (ct in conf_types) {
      fit <- km(cs[[1]], data = cs[[2]], conf_type = ct)
      sfit <- survfit(cs[[1]], data = cs[[2]], conf.type = ct)
      compare_km(fit, sfit)
    }
  }
})

test_that("km() agrees with survfit on random data with heavy ties, strata and weights", {
  for (seed in 1:6) {
    d <- random_surv(300, n_groups = 4, n_times = 12, seed = seed)
    for (ct in conf_types) {
      compare_km(km(Surv(time, status) ~ group + sex, d, conf_type = ct),
                 survfit(Surv(time, status) ~ group + sex, d, conf.type = ct))
      # integer weights: survfit's default variance is Greenwood
      compare_km(km(Surv(time, status) ~ group, d, weights = w, conf_type = ct),
                 survfit(Surv(time, status) ~ group, d, weights = w,
                         conf.type = ct))
      # non-integer weights: Greenwood on weighted counts = robust = FALSE
      compare_km(km(Surv(time, status) ~ group, d, weights = fw, conf_type = ct,
                    robust = FALSE),
                 survfit(Surv(time, status) ~ group, d, weights = fw,
                         conf.type = ct, robust = FALSE))
    }
  }
})

test_that("both right-censored kernels agree with survfit: sort-free and sorting", {
  # whole-number times on a short grid take the sort-free kernel; times off
  # the grid (fractions) or on a very wide one take the sorting kernel
  for (seed in 1:4) {
    d <- random_surv(400, n_groups = 3, n_times = 20, seed = seed)
    d$time <- d$time + 30  # a grid that does not start at 0
    d$frac <- d$time + 0.25
    d$wide <- d$time * 1e7
    d$fw[sample.int(400, 20)] <- 0  # zero weights keep their time points
    for (tv in c("time", "frac", "wide")) {
      f <- stats::as.formula(paste0("Surv(", tv, ", status) ~ group + sex"))
      for (ct in conf_types) {
        compare_km(km(f, d, conf_type = ct),
                   survfit(f, d, conf.type = ct))
        compare_km(km(f, d, weights = fw, conf_type = ct, robust = FALSE),
                   survfit(f, d, weights = fw, conf.type = ct,
                           robust = FALSE))
      }
    }
  }
})

# The SurvData list the C++ entries read (R/surv-data.R), from 1-based
# stratum codes and a 1-based order as R's order() gives them.
km_sd <- function(stop, status, strata, order = NULL, weights = NULL,
                  n_strata = max(strata)) {
  list(stop = stop, status = status,
       weights = if (length(weights)) weights,
       strata = as.integer(strata) - 1L, n_strata = as.integer(n_strata),
       order = if (!is.null(order)) as.integer(order) - 1L)
}

test_that("the sort-free kernel on few rows in many cells (its sparse pass) gives the sorting kernel's curves", {
  set.seed(12)
  # 60 rows over 12 strata x 3650 days: more than 16 cells per row
  n <- 60
  time <- as.double(sample(c(1:3650, rep(200, 20)), n, replace = TRUE))
  status <- as.double(rbinom(n, 1, 0.6))
  code <- sample(1:12, n, replace = TRUE)
  w <- sample(c(0, 0.5, 1, 2), n, replace = TRUE)
  ord <- order(code, time, method = "radix")
  tmin <- min(time)
  for (ht in 1:2) {
    for (wt in list(double(), w)) {
      a <- cohortsurv:::cpp_km(km_sd(time, status, code, ord, wt, 12L), 0L,
                               1.96, ht)
      b <- cohortsurv:::cpp_km_binned(km_sd(time, status, code, NULL, wt,
                                            12L),
                                      tmin, as.integer(3650 - tmin + 1),
                                      0L, 1.96, ht)
      expect_identical(b$strata, a$strata)
      expect_identical(b$time, a$time)
      for (col in c("n_event", "n_risk", "n_censor", "surv", "std_err",
                    "lower", "upper", "cumhaz", "std_chaz")) {
        expect_close(b[[col]], a[[col]], 1e-13)
      }
    }
  }
})

test_that("the sort-free kernel gives exactly the sorting kernel's curves", {
  set.seed(11)
  n <- 2000
  time <- as.double(sample(c(0:5, 40:60, 365), n, replace = TRUE))
  status <- as.double(rbinom(n, 1, 0.5))
  code <- sample(1:4, n, replace = TRUE)
  w <- round(runif(n, 0, 3), 1)
  ord <- order(code, time, method = "radix")
  for (ct in 0:3) {
    for (wt in list(double(), w)) {
      a <- cohortsurv:::cpp_km(km_sd(time, status, code, ord, wt), ct, 1.96)
      b <- cohortsurv:::cpp_km_binned(km_sd(time, status, code, NULL, wt),
                                      0, 366L, ct, 1.96)
      expect_identical(b$strata, a$strata)
      expect_identical(b$time, a$time)
      expect_close(b$n_event, a$n_event, 1e-13)
      expect_close(b$n_risk, a$n_risk, 1e-13)
      expect_close(b$n_censor, a$n_censor, 1e-13)
      expect_close(b$surv, a$surv, 1e-13)
      expect_close(b$std_err, a$std_err, 1e-13)
      expect_close(b$lower, a$lower, 1e-13)
      expect_close(b$upper, a$upper, 1e-13)
    }
  }
  # a time off the grid or a stratum code out of range is refused, not read
  # out of bounds
  kb <- function(time, code, tmin = 0, n_bins = 3L)
    cohortsurv:::cpp_km_binned(km_sd(time, rep(1, length(time)), code,
                                     n_strata = 2L), tmin, n_bins, 0L, 1.96)
  expect_error(kb(c(1, 2.5), c(1L, 1L)), "whole number")
  expect_error(kb(c(1, 3), c(1L, 1L)), "whole number")
  expect_error(kb(c(1, 2), c(1L, 1L), tmin = 2), "whole number")
  expect_error(kb(c(1, 2), c(1L, 3L)), "out of range")
  expect_equal(kb(c(2, 1), c(1L, 1L))$surv, c(0.5, 0))
  # min, max, all whole, number of NA: one pass for validation and the grid
  vr <- function(x) cohortsurv:::cpp_value_range(cbind(x), 0L)
  expect_identical(vr(c(3, 1, 7)), c(1, 7, 1, 0))
  expect_identical(vr(c(3, NA, 1.5, NaN)), c(1.5, 3, 0, 2))
  expect_identical(vr(c(-Inf, 2)), c(-Inf, 2, 1, 0))
  expect_identical(vr(c(NA_real_, NA_real_)), c(NaN, NaN, 1, 2))
  expect_identical(vr(double()), c(NaN, NaN, 1, 0))
  expect_identical(vr(c(5, 4)), vr(matrix(c(0, 0, 5, 4), 2)[, 2]))
})

test_that("km() agrees with survfit on delayed-entry data", {
  for (seed in 1:5) {
    d <- random_surv(250, seed = seed, counting = TRUE)
    for (ct in conf_types) {
      compare_km(km(Surv(start, time, status) ~ group, d, conf_type = ct),
                 survfit(Surv(start, time, status) ~ group, d, conf.type = ct))
      compare_km(km(Surv(start, time, status) ~ 1, d, weights = w, conf_type = ct),
                 survfit(Surv(start, time, status) ~ 1, d, weights = w,
                         conf.type = ct))
    }
  }
  # heart: the classic counting-process data set
  compare_km(km(Surv(start, stop, event) ~ transplant, heart),
             survfit(Surv(start, stop, event) ~ transplant, heart))
})

test_that("summary(times =) matches summary.survfit(times =, extend = TRUE)", {
  times <- c(0, 15, 100, 365, 500.5, 800, 2000)
  for (f in list(Surv(time, status) ~ sex, Surv(time, status) ~ 1)) {
    fit <- km(f, lung)
    ss <- summary(survfit(f, lung), times = times, extend = TRUE)
    s <- summary(fit, times = times)
    expect_close(s$time, ss$time)
    expect_close(s$n_risk, ss$n.risk)
    expect_close(s$n_event, ss$n.event)
    expect_close(s$n_censor, ss$n.censor)
    expect_close(s$surv, ss$surv)
    expect_close(s$std_err, ss$std.err)
    expect_close(s$lower, ss$lower)
    expect_close(s$upper, ss$upper)
  }
  d <- random_surv(200, seed = 9)
  fit <- km(Surv(time, status) ~ group, d, weights = w)
  ss <- summary(survfit(Surv(time, status) ~ group, d, weights = w),
                times = c(0, 2.5, 5, 10, 20), extend = TRUE)
  s <- summary(fit, times = c(0, 2.5, 5, 10, 20))
  expect_close(s$n_risk, ss$n.risk)
  expect_close(s$n_event, ss$n.event)
  expect_close(s$n_censor, ss$n.censor)
  expect_close(s$surv, ss$surv)
  # default: the event times
  s0 <- summary(km(Surv(time, status) ~ sex, lung))
  expect_close(s0$time, summary(survfit(Surv(time, status) ~ sex, lung))$time)
})

test_that("quantile() matches quantile.survfit, including flat stretches at p", {
  fit <- km(Surv(time, status) ~ sex, lung)
  q <- quantile(fit, c(0.1, 0.25, 0.5, 0.75))
  sq <- quantile(survfit(Surv(time, status) ~ sex, lung), c(0.1, 0.25, 0.5, 0.75))
  expect_close(q$quantile, c(t(sq$quantile)))
  expect_close(q$lower, c(t(sq$lower)))
  expect_close(q$upper, c(t(sq$upper)))
  # S is exactly 0.5 over a stretch: the median is the midpoint
  d <- data.frame(t = c(1, 2, 3, 4), s = c(1, 1, 1, 1))
  expect_equal(km(Surv(t, s) ~ 1, d)$table$median, 2.5)
  expect_equal(unname(quantile(survfit(Surv(t, s) ~ 1, d), 0.5)$quantile), 2.5)
  # ... and when the curve ends at 0.5, the midpoint to the last time
  d <- data.frame(t = c(1, 2, 3, 4), s = c(1, 1, 0, 0))
  expect_equal(km(Surv(t, s) ~ 1, d)$table$median, 3)
  expect_equal(unname(quantile(survfit(Surv(t, s) ~ 1, d), 0.5)$quantile), 3)
  for (seed in 1:5) {
    d <- random_surv(150, seed = seed)
    fit <- km(Surv(time, status) ~ group, d, conf_type = "log-log")
    sq <- quantile(survfit(Surv(time, status) ~ group, d, conf.type = "log-log"),
                   c(0.25, 0.5, 0.75))
    q <- quantile(fit, c(0.25, 0.5, 0.75))
    expect_close(q$quantile, c(t(sq$quantile)))
    expect_close(q$lower, c(t(sq$lower)))
    expect_close(q$upper, c(t(sq$upper)))
  }
})

test_that("a hand-computed curve is reproduced exactly", {
  fit <- km_fit(time = c(1, 2, 2, 3, 5), status = c(1, 1, 0, 1, 0))
  cv <- fit$curves
  expect_equal(cv$time, c(1, 2, 3, 5))
  expect_equal(cv$n_risk, c(5, 4, 2, 1))
  expect_equal(cv$n_event, c(1, 1, 1, 0))
  expect_equal(cv$n_censor, c(0, 1, 0, 1))
  expect_equal(cv$surv, c(0.8, 0.6, 0.3, 0.3))
  green <- cumsum(c(1 / 20, 1 / 12, 1 / 2, 0))
  expect_equal(cv$std_err, cv$surv * sqrt(green))
  expect_equal(cv$lower, cv$surv * exp(-qnorm(0.975) * sqrt(green)))
  # median: S first <= 0.5 at t = 3; restricted mean to 5
  expect_equal(fit$table$median, 3)
  expect_equal(fit$table$rmean, 1 + 0.8 + 0.6 + 2 * 0.3)
})

test_that("the symmetric median CI follows the Greenwood / density formula", {
  # S: 0.9 (t=1), 0.8 (2), 0.7 (3), 0.6 (4), 0.5 (5), 0.4 (6), 0.3 (7) ...
  d <- data.frame(t = 1:10, s = 1)
  fit <- km(Surv(t, s) ~ 1, d, median_ci = "symmetric")
  # median: S = 0.5 exactly over [5, 6): midpoint 5.5
  expect_equal(fit$table$median, 5.5)
  cv <- fit$curves
  se_s <- cv$std_err[5]                     # S(5.5) = S(5) = 0.5
  f <- (cv$surv[4] - cv$surv[6]) / (6 - 4)  # u = 4 (S = .6), l = 6 (S = .4)
  z <- qnorm(0.975)
  expect_equal(fit$table$median_lower, 5.5 - z * se_s / f)
  expect_equal(fit$table$median_upper, 5.5 + z * se_s / f)
  expect_equal(se_s, sqrt(0.5 * 0.5 / 10))  # binomial SE with no censoring
  # the median's interval is symmetric about it
  fit2 <- km(Surv(time, status) ~ sex, lung, median_ci = "symmetric")
  expect_equal(fit2$table$median - fit2$table$median_lower,
               fit2$table$median_upper - fit2$table$median)
})

test_that("km() is invariant to row order, and weight 2 equals a duplicated row", {
  d <- random_surv(200, seed = 3)
  fit <- km(Surv(time, status) ~ group, d)
  perm <- d[sample(nrow(d)), ]
  expect_equal(km(Surv(time, status) ~ group, perm)$curves, fit$curves)
  w2 <- rep(1, nrow(d)); w2[1:50] <- 2
  dup <- rbind(d, d[1:50, ])
  a <- km(Surv(time, status) ~ group, d, weights = w2)
  b <- km(Surv(time, status) ~ group, dup)
  expect_equal(a$curves, b$curves)
  expect_equal(a$table[, -2], b$table[, -2])  # n counts records
})

test_that("edge cases: one subject, all censored, ties, times of 0, empty strata", {
  one <- km_fit(5, 1)
  expect_equal(one$curves$surv, 0)
  expect_equal(one$table$median, 5)
  cens <- km_fit(c(1, 2, 3), c(0, 0, 0))
  expect_true(all(cens$curves$surv == 1))
  expect_true(is.na(cens$table$median))
  expect_true(is.na(cens$table$median_lower))
  same <- km_fit(rep(4, 5), rep(1, 5))
  expect_equal(nrow(same$curves), 1L)
  expect_equal(same$curves$surv, 0)
  # an event and a censoring tied at 2: the censored subject is at risk
  tie <- km_fit(c(1, 2, 2, 3), c(1, 1, 0, 1))
  expect_equal(tie$curves$n_risk, c(4, 3, 1))
  expect_equal(tie$curves$surv, c(0.75, 0.5, 0))
  zero <- km(Surv(t, s) ~ 1, data.frame(t = c(0, 0, 1, 2), s = c(1, 0, 1, 0)))
  sz <- survfit(Surv(t, s) ~ 1, data.frame(t = c(0, 0, 1, 2), s = c(1, 0, 1, 0)))
  compare_km(zero, sz)
  # a stratum with no events
  d <- data.frame(t = c(1, 2, 3, 4), s = c(1, 1, 0, 0), g = c("a", "a", "b", "b"))
  fit <- km(Surv(t, s) ~ g, d)
  expect_equal(fit$table$events, c(2, 0))
  expect_true(is.na(fit$table$median[2]))
  # unused factor levels do not make empty curves
  d$g <- factor(d$g, levels = c("a", "b", "z"))
  expect_equal(nlevels(km(Surv(t, s) ~ g, d)$curves$strata), 2L)
  # logical and 1/2 status codes
  expect_equal(km(Surv(t, s == 1) ~ 1, d)$curves, km(Surv(t, s) ~ 1, d)$curves)
  expect_equal(km(Surv(t, s + 1) ~ 1, d)$curves, km(Surv(t, s) ~ 1, d)$curves)
})

test_that("rows with NA are dropped and counted", {
  d <- lung
  fit <- km(Surv(time, status) ~ ph.ecog, d)
  expect_equal(fit$n_dropped, sum(is.na(lung$ph.ecog)))
  expect_output(print(fit), "1 observation deleted due to missingness")
  sub <- km(Surv(time, status) ~ sex, lung, subset = age > 60)
  expect_equal(sum(sub$table$n), sum(lung$age > 60))
})

test_that("print() and the data-frame parts have the documented shape", {
  fit <- km(Surv(time, status) ~ sex, lung)
  expect_s3_class(fit, "cs_km")
  expect_named(fit$curves, c("strata", "time", "n_risk", "n_event", "n_censor",
                             "surv", "std_err", "lower", "upper", "cumhaz",
                             "std_chaz"))
  expect_named(fit$table, c("strata", "n", "events", "median", "median_lower",
                            "median_upper", "rmean", "rmean_se"))
  expect_output(print(fit), "sex=1")
  expect_output(print(fit), "0.95LCL")
  # counts print in full, not to `digits` significant digits
  big <- data.frame(t = rep(1:5, length.out = 12345), s = 1)
  expect_output(print(km(Surv(t, s) ~ 1, big)), "12345 +12345")
  expect_output(print(km(Surv(t, s) ~ 1, big, weights = rep(0.5, 12345))),
                "12345 +6172.5")
  expect_identical(as.data.frame(fit), fit$curves)
  expect_named(summary(fit, times = 100),
               c("strata", "time", "n_risk", "n_event", "n_censor", "surv",
                 "std_err", "lower", "upper"))
})

test_that("bad input gets a clear error naming the argument and the row", {
  d <- data.frame(t = c(5, 3, -3, 2), s = c(1, 0, 1, 1), g = c(1, 1, 2, 2))
  expect_error(km(Surv(t, s) ~ 1, d), "`time` \\(t\\) must be non-negative; row 3 is -3",
               class = "cohortsurv_error")
  d$t[3] <- Inf
  expect_error(km(Surv(t, s) ~ 1, d), "must be finite; row 3 is Inf",
               class = "cohortsurv_error")
  d$t[3] <- 4
  d$s[2] <- 3
  expect_error(km(Surv(t, s) ~ 1, d), "`status` \\(s\\) must be coded 0/1.*row 2 is 3",
               class = "cohortsurv_error")
  d$s[2] <- 0
  d$ch <- as.character(d$t)
  expect_error(km(Surv(ch, s) ~ 1, d), "must be numeric; it is character",
               class = "cohortsurv_error")
  d$st <- c(0, 3, 1, 0)
  expect_error(km(Surv(st, t, s) ~ 1, d),
               "`stop` \\(t\\) must be greater than `start` \\(st\\); row 2 has start 3 and stop 3",
               class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, d, weights = c(1, 2)),
               "`weights` must have one element per row of `data` \\(4\\); it has 2",
               class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, d, weights = c(1, -2, 1, 1)),
               "`weights` must be finite and non-negative; row 2 is -2",
               class = "cohortsurv_error")
  expect_error(km(t ~ 1, d), "must have a Surv\\(\\) response",
               class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, d, subset = t > 100), "no rows are left",
               class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ nope, d), "`formula` refers to `nope`",
               class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, d, conf_type = "logit"),
               "`conf_type` must be one of", class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, d, conf_level = 95),
               "`conf_level` must be a single number strictly between 0 and 1",
               class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, d, median_ci = "exact"),
               "`median_ci` must be one of", class = "cohortsurv_error")
  expect_error(km(Surv(t, s) ~ 1, "d"), "`data` must be a data frame",
               class = "cohortsurv_error")
  expect_error(summary(km(Surv(t, s) ~ 1, d), times = "a"),
               "`times` must be a numeric vector", class = "cohortsurv_error")
  expect_error(quantile(km(Surv(t, s) ~ 1, d), probs = 1.5),
               "`probs` must be numbers strictly between 0 and 1",
               class = "cohortsurv_error")
  expect_error(km_fit(c(1, 2), c(1, 2)), "`status` must be 0/1",
               class = "cohortsurv_error")
  expect_error(km_fit(c(1, 2), c(1, 0), start = c(0, 3)),
               "`start` must be non-negative and below `time`; row 2 is 3",
               class = "cohortsurv_error")
  expect_error(km_fit(c(1, NA), c(1, 0)), "`time` must be finite and non-negative; row 2 is NA",
               class = "cohortsurv_error")
})

test_that("the C++ kernel rejects unsorted input instead of returning nonsense", {
  k <- function(stop, strata, ord, weight = double())
    cohortsurv:::cpp_km(km_sd(stop, rep(1, length(stop)), strata, ord, weight,
                              n_strata = 2L), 0L, 1.96)
  expect_error(k(c(2, 1), c(1L, 1L), c(1L, 2L)), "sorted by time")
  expect_error(k(c(1, 2), c(2L, 1L), c(1L, 2L)), "sorted by stratum")
  expect_error(k(c(1, 2), c(1L, 1L), c(1L, 2L), weight = 1), "length 2")
  expect_error(k(c(1, 2), c(1L, 1L), c(1L, 5L)), "permutation")
  expect_error(k(c(1, 2), c(1L, 1L), c(0L, 1L)), "permutation")
  expect_equal(k(c(2, 1), c(1L, 1L), c(2L, 1L))$surv, c(0.5, 0))
})

test_that("with delayed entry a non-monotone limit is inverted at its first crossing", {
  o <- km(Surv(start, stop, event) ~ transplant, heart, conf_type = "log-log")
  q <- quantile(o, 0.25)
  cv <- o$curves[o$curves$strata == "transplant=1", ]
  first <- cv$time[which(cv$lower <= 0.75)[1]]
  expect_equal(q$lower[q$strata == "transplant=1"], first)
  expect_equal(first, 5)
  # the limit is not monotone here: that is what survival's approx() mis-reads
  expect_true(any(diff(cv$lower[!is.na(cv$lower)]) > 0))
})

test_that("the C++ summary table equals step_quantile() and restricted_mean() to the bit", {
  # km_table() computes the medians, their Brookmeyer-Crowley limits and the
  # restricted means in C++; the R functions are the reference, on curves
  # whose limits are missing in the middle, not monotone, or equal to 0.5
  # within the tolerance
  ref <- function(cv, n_rows, tau) {
    lev <- levels(cv$strata)
    rows <- lapply(seq_along(lev), function(k) {
      c1 <- lapply(unclass(cv)[c("time", "n_risk", "n_event", "surv",
                                  "std_err", "lower", "upper")],
                   `[`, as.integer(cv$strata) == k)
      q <- cohortsurv:::km_quantiles(c1, 0.5, 1.96, "bc")
      rm <- cohortsurv:::restricted_mean(c1$time, c1$surv, c1$n_risk,
                                         c1$n_event, tau)
      c(sum(c1$n_event), q$quantile, q$lower, q$upper, rm)
    })
    m <- do.call(rbind, rows)
    list(events = m[, 1], median = m[, 2], median_lower = m[, 3],
         median_upper = m[, 4], rmean = m[, 5], rmean_se = m[, 6])
  }
  set.seed(5)
  for (it in 1:300) {
    k <- sample(1:3, 1)
    len <- sample(1:15, k, TRUE)
    n <- sum(len)
    cv <- list(strata = factor(rep(letters[seq_len(k)], len)),
               time = unlist(lapply(len, function(l) sort(sample(30, l)))),
               n_risk = sample(1:5, n, TRUE) + 0,
               n_event = sample(0:2, n, TRUE) + 0, n_censor = numeric(n),
               surv = unlist(lapply(len, function(l)
                 sort(round(runif(l), 1), decreasing = TRUE))),
               std_err = runif(n), lower = round(runif(n), 1),
               upper = round(runif(n), 1))
    cv$lower[runif(n) < 0.2] <- NA
    cv$upper[runif(n) < 0.2] <- NA
    cv$surv[runif(n) < 0.05] <- 0.5 + 1e-9
    cv <- as.data.frame(cv)
    tau <- sample(c(max(cv$time), 10), 1)
    got <- cohortsurv:::km_table(cv, len, tau, 1.96, "bc")
    want <- ref(cv, len, tau)
    for (nm in names(want)) expect_identical(got[[nm]], want[[nm]], info = nm)
  }
  # and on real fits, against survfit's medians
  fit <- km(Surv(time, status) ~ sex, data = lung)
  sf <- summary(survfit(Surv(time, status) ~ sex, data = lung))$table
  expect_equal(fit$table$median, unname(sf[, "median"]))
  expect_equal(fit$table$median_lower, unname(sf[, "0.95LCL"]))
  expect_equal(fit$table$median_upper, unname(sf[, "0.95UCL"]))
  expect_equal(fit$table$rmean, unname(sf[, "rmean"]))
})
