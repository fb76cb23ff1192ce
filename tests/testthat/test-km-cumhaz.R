# The cumulative hazard of km() curves (issue 14): `cumhaz` and `std_chaz`
# equal survfit's `cumhaz` and `std.chaz`, Nelson-Aalen (ctype = 1) and
# Fleming-Harrington (ctype = 2), on the sorted, binned and weighted paths
# and with delayed entry.

# survfit's curves in km()'s row order (strata, then time)
sf_hazard <- function(sf) {
  list(time = sf$time, cumhaz = sf$cumhaz, std_chaz = sf$std.chaz)
}

expect_hazard_equal <- function(fit, sf, tol = 1e-10) {
  ref <- sf_hazard(sf)
  expect_equal(fit$curves$time, ref$time, tolerance = 1e-12)
  expect_close(fit$curves$cumhaz, ref$cumhaz, tol)
  expect_close(fit$curves$std_chaz, ref$std_chaz, tol)
}

test_that("cumhaz equals survfit on lung and aml, both estimators", {
  for (ct in 1:2) {
    expect_hazard_equal(
      km(Surv(time, status) ~ sex, data = lung, ctype = ct),
      survfit(Surv(time, status) ~ sex, data = lung, ctype = ct))
    expect_hazard_equal(
      km(Surv(time, status) ~ x, data = aml, ctype = ct),
      survfit(Surv(time, status) ~ x, data = aml, ctype = ct))
    expect_hazard_equal(
      km(Surv(time, status) ~ 1, data = lung, ctype = ct),
      survfit(Surv(time, status) ~ 1, data = lung, ctype = ct))
  }
})

test_that("cumhaz equals survfit on random data: ties, strata, weights", {
  for (seed in 1:3) {
    d <- random_surv(400, seed = seed)
    # fractional times take the sorted kernel, whole ones the binned kernel
    d$ftime <- d$time + 0.5
    for (ct in 1:2) {
      for (tv in c("time", "ftime")) {
        f <- stats::as.formula(paste0("Surv(", tv, ", status) ~ group + strata(sex)"))
        expect_hazard_equal(km(f, data = d, ctype = ct),
                            survfit(f, data = d, ctype = ct))
        # integer weights: Greenwood's variance as survfit's default
        expect_hazard_equal(km(f, data = d, weights = w, ctype = ct),
                            survfit(f, data = d, weights = w, ctype = ct))
        # fractional weights: survfit makes the variance robust unless told
        expect_hazard_equal(
          km(f, data = d, weights = fw, ctype = ct, robust = FALSE),
          survfit(f, data = d, weights = fw, ctype = ct, robust = FALSE))
      }
    }
  }
})

test_that("cumhaz equals survfit with delayed entry", {
  for (seed in 1:3) {
    d <- random_surv(300, seed = seed, counting = TRUE)
    for (ct in 1:2) {
      expect_hazard_equal(
        km(Surv(start, time, status) ~ group, data = d, ctype = ct),
        survfit(Surv(start, time, status) ~ group, data = d, ctype = ct))
      expect_hazard_equal(
        km(Surv(start, time, status) ~ group, data = d, weights = fw,
           ctype = ct, robust = FALSE),
        survfit(Surv(start, time, status) ~ group, data = d, weights = fw,
                ctype = ct, robust = FALSE))
    }
  }
})

test_that("hand-computed Nelson-Aalen and Fleming-Harrington steps", {
  # 5 at risk at t = 1 with 2 deaths, then 3 at risk at t = 2 with 1 death
  fit1 <- km_fit(c(1, 1, 2, 3, 3), c(1, 1, 1, 0, 0))
  expect_equal(fit1$curves$cumhaz, c(2 / 5, 2 / 5 + 1 / 3, 2 / 5 + 1 / 3))
  expect_equal(fit1$curves$std_chaz^2,
               c(2 / 25, 2 / 25 + 1 / 9, 2 / 25 + 1 / 9))
  fit2 <- km_fit(c(1, 1, 2, 3, 3), c(1, 1, 1, 0, 0), ctype = 2)
  expect_equal(fit2$curves$cumhaz[1:2], c(1 / 5 + 1 / 4, 1 / 5 + 1 / 4 + 1 / 3))
  expect_equal(fit2$curves$std_chaz[1]^2, 1 / 25 + 1 / 16)
  # the survival curve does not depend on ctype
  expect_identical(fit1$curves$surv, fit2$curves$surv)
})

test_that("cumhaz invariances: row order, weight 2 equals a duplicated row", {
  d <- random_surv(200, seed = 4)
  for (ct in 1:2) {
    a <- km(Surv(time, status) ~ group, data = d, ctype = ct)
    b <- km(Surv(time, status) ~ group, data = d[rev(seq_len(nrow(d))), ],
            ctype = ct)
    expect_equal(a$curves$cumhaz, b$curves$cumhaz, tolerance = 1e-13)
    d2 <- d
    d2$w2 <- ifelse(seq_len(nrow(d)) == 1L, 2, 1)
    # weight 2 on the first row against that row duplicated (Nelson-Aalen
    # only: Fleming-Harrington counts event rows, as survfit does)
    if (ct == 1) {
      a <- km(Surv(time, status) ~ group, data = d2, weights = w2, ctype = ct)
      b <- km(Surv(time, status) ~ group, data = d[c(1, seq_len(nrow(d))), ],
              ctype = ct)
      expect_equal(a$curves$cumhaz, b$curves$cumhaz, tolerance = 1e-13)
      expect_equal(a$curves$std_chaz, b$curves$std_chaz, tolerance = 1e-13)
    }
  }
})

test_that("robust fits leave std_chaz NA; a bad ctype is refused", {
  fit <- km(Surv(time, status) ~ rx, data = colon, cluster = id)
  expect_true(all(is.na(fit$curves$std_chaz)))
  expect_close(fit$curves$cumhaz,
               survfit(Surv(time, status) ~ rx, data = colon, id = id)$cumhaz)
  for (bad in list(3, "2", NA, c(1, 2))) {
    err <- expect_error(km(Surv(time, status) ~ sex, data = lung, ctype = bad),
                        class = "cohortsurv_error")
    expect_identical(err$arg, "ctype")
  }
  expect_error(km_fit(1:3, c(1, 0, 1), ctype = 0), class = "cohortsurv_error")
})
