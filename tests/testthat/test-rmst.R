# rmst() against summary(survfit(...), rmean = tau)$table; rmst_test()
# against survRM2::rmst2() and against the formulas written out here.

rmst_vs_survfit <- function(got, ref, tau, tol = 1e-10) {
  tab <- summary(ref, rmean = tau)$table
  if (is.null(dim(tab))) tab <- t(tab)
  expect_close(got$rmst, unname(tab[, "rmean"]), tol)
  expect_close(got$se, unname(tab[, "se(rmean)"]), tol)
  z <- qnorm(0.975)
  expect_close(got$lower, got$rmst - z * got$se, 1e-14)
  expect_close(got$upper, got$rmst + z * got$se, 1e-14)
}

test_that("rmst equals survfit's restricted mean on survival's data", {
  for (tau in c(180, 365, 730, 965)) {
    rmst_vs_survfit(rmst(Surv(time, status) ~ sex, data = lung, tau = tau),
                    survfit(Surv(time, status) ~ sex, data = lung), tau)
  }
  rmst_vs_survfit(rmst(Surv(time, status) ~ 1, data = lung, tau = 500),
                  survfit(Surv(time, status) ~ 1, data = lung), 500)
  rmst_vs_survfit(rmst(Surv(time, status) ~ trt + celltype, data = veteran,
                       tau = 100),
                  survfit(Surv(time, status) ~ trt + celltype, data = veteran),
                  100)
  cd <- colon[colon$etype == 2, ]
  rmst_vs_survfit(rmst(Surv(time, status) ~ rx, data = cd, tau = 5 * 365.25),
                  survfit(Surv(time, status) ~ rx, data = cd), 5 * 365.25)
  rmst_vs_survfit(rmst(Surv(futime, fustat) ~ rx, data = ovarian, tau = 700),
                  survfit(Surv(futime, fustat) ~ rx, data = ovarian), 700)
  fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
  rmst_vs_survfit(rmst(fit, tau = 60),
                  survfit(Surv(os_months, death) ~ group, data = dnmbc), 60)
})

test_that("rmst equals survfit on tied data with strata and weights", {
  for (seed in 1:5) {
    d <- random_surv(250, n_times = 12, seed = seed)
    for (tau in c(4, 8.5, 11)) {
      rmst_vs_survfit(rmst(Surv(time, status) ~ group, data = d, tau = tau),
                      survfit(Surv(time, status) ~ group, data = d), tau)
      rmst_vs_survfit(rmst(Surv(time, status) ~ group + strata(sex), data = d,
                           tau = tau),
                      survfit(Surv(time, status) ~ group + strata(sex),
                              data = d), tau)
      rmst_vs_survfit(rmst(Surv(time, status) ~ group, data = d, tau = tau,
                           weights = w),
                      survfit(Surv(time, status) ~ group, data = d,
                              weights = w), tau)
    }
  }
})

test_that("rmst equals survfit with fractional weights, clusters and delayed entry", {
  for (seed in 1:3) {
    d <- random_surv(250, n_groups = 2, n_times = 12, seed = seed,
                     counting = TRUE)
    d$id <- sample(1:70, nrow(d), replace = TRUE)
    rmst_vs_survfit(rmst(Surv(time, status) ~ group, data = d, tau = 9,
                         weights = fw),
                    survfit(Surv(time, status) ~ group, data = d,
                            weights = fw), 9)
    rmst_vs_survfit(rmst(Surv(time, status) ~ group, data = d, tau = 9,
                         cluster = id),
                    survfit(Surv(time, status) ~ group, data = d,
                            cluster = id), 9)
    rmst_vs_survfit(rmst(Surv(start, time, status) ~ group, data = d,
                         tau = 9),
                    survfit(Surv(start, time, status) ~ group, data = d), 9)
  }
})

test_that("rmst by hand on a small case", {
  d <- data.frame(time = c(1, 2, 3, 4), status = c(1, 0, 1, 1))
  got <- rmst(Surv(time, status) ~ 1, data = d, tau = 3.5)
  # S = 3/4 on [1, 3), 3/8 on [3, 4): area 1 + 1.5 + 0.1875
  expect_equal(got$rmst, 2.6875)
  # event at 1: A = 1.6875, d / (n (n - d)) = 1 / 12; at 3: A = 0.1875, 1 / 2
  expect_equal(got$se, sqrt(1.6875^2 / 12 + 0.1875^2 / 2))
  expect_equal(got$tau, 3.5)
  # the curve ends in an event (S = 0): tau may reach its last time only
  expect_equal(rmst(Surv(time, status) ~ 1, data = d, tau = 4)$rmst,
               1 + 1.5 + 0.375)
  e <- tryCatch(rmst(Surv(time, status) ~ 1, data = d, tau = 10),
                cohortsurv_error = function(e) e)
  expect_match(conditionMessage(e), "no later than 4, .*last time of all",
               perl = TRUE)
  # a curve ending in an event (S = 0) before another: tau may go past it
  d3 <- data.frame(time = c(1, 2, 3, 1, 5, 8), status = c(1, 1, 1, 1, 1, 0),
                   g = rep(c("a", "b"), each = 3))
  rmst_vs_survfit(rmst(Surv(time, status) ~ g, data = d3, tau = 7),
                  survfit(Surv(time, status) ~ g, data = d3), 7)
  expect_equal(rmst(Surv(time, status) ~ g, data = d3, tau = 7)$rmst[1],
               1 + 2 / 3 + 1 / 3)
})

test_that("rmst: weight 2 equals a duplicated row; row order does not matter", {
  d <- random_surv(200, n_times = 12, seed = 31)
  d$w2 <- ifelse(seq_len(nrow(d)) %% 3 == 0, 2, 1)
  dup <- d[rep(seq_len(nrow(d)), d$w2), ]
  a <- rmst(Surv(time, status) ~ group, data = d, tau = 9, weights = w2)
  b <- rmst(Surv(time, status) ~ group, data = dup, tau = 9)
  expect_close(a$rmst, b$rmst, 1e-12)
  expect_close(a$se, b$se, 1e-12)
  r <- rmst(Surv(time, status) ~ group, data = d[nrow(d):1, ], tau = 9)
  o <- rmst(Surv(time, status) ~ group, data = d, tau = 9)
  expect_equal(r, o)
})

# the contrasts written out from the two groups' RMST and SE
contrasts_by_hand <- function(tab, tau, level = 0.95) {
  z <- qnorm(1 - (1 - level) / 2)
  r <- tab$rmst
  v <- tab$se^2
  l <- tau - r
  d <- r[2] - r[1]
  sd <- sqrt(v[1] + v[2])
  lr <- log(r[2] / r[1])
  slr <- sqrt(v[1] / r[1]^2 + v[2] / r[2]^2)
  ll <- log(l[2] / l[1])
  sll <- sqrt(v[1] / l[1]^2 + v[2] / l[2]^2)
  rbind(c(d, d - z * sd, d + z * sd, 2 * pnorm(-abs(d / sd))),
        c(exp(lr), exp(lr - z * slr), exp(lr + z * slr),
          2 * pnorm(-abs(lr / slr))),
        c(exp(ll), exp(ll - z * sll), exp(ll + z * sll),
          2 * pnorm(-abs(ll / sll))))
}

rmst_test_cases <- function() {
  cd <- colon[colon$etype == 2 & colon$rx != "Lev", ]
  cd$rx <- droplevels(cd$rx)
  list(
    list(f = Surv(time, status) ~ sex, d = lung, tau = 730,
         t = lung$time, s = lung$status - 1, a = lung$sex - 1),
    list(f = Surv(time, status) ~ trt, d = veteran, tau = 300,
         t = veteran$time, s = veteran$status, a = veteran$trt - 1),
    list(f = Surv(time, status) ~ rx, d = cd, tau = 2000,
         t = cd$time, s = cd$status, a = as.integer(cd$rx == "Lev+5FU")),
    list(f = Surv(futime, fustat) ~ rx, d = ovarian, tau = 700,
         t = ovarian$futime, s = ovarian$fustat, a = ovarian$rx - 1)
  )
}

test_that("rmst_test equals the formulas applied to rmst()", {
  for (cs in rmst_test_cases()) {
    got <- rmst_test(cs$f, data = cs$d, tau = cs$tau)
    tab <- rmst(cs$f, data = cs$d, tau = cs$tau)
    expect_equal(got$rmst, tab)
    hand <- contrasts_by_hand(tab, cs$tau)
    expect_close(as.matrix(got$contrasts[, -1]), hand, 1e-13)
    got90 <- rmst_test(cs$f, data = cs$d, tau = cs$tau, conf_level = 0.9)
    hand90 <- contrasts_by_hand(tab, cs$tau, 0.9)
    expect_close(as.matrix(got90$contrasts[, -1]), hand90, 1e-13)
  }
})

test_that("rmst_test equals survRM2::rmst2() to 1e-8", {
  skip_if_not_installed("survRM2")
  rmst2 <- getExportedValue("survRM2", "rmst2")
  for (cs in rmst_test_cases()) {
    for (level in c(0.95, 0.9)) {
      got <- rmst_test(cs$f, data = cs$d, tau = cs$tau, conf_level = level)
      ref <- rmst2(cs$t, cs$s, cs$a, tau = cs$tau, alpha = 1 - level)
      expect_close(as.matrix(got$contrasts[, -1]),
                   unname(ref$unadjusted.result), 1e-8)
      expect_close(got$rmst$rmst[2:1],
                   c(ref$RMST.arm1$rmst[1], ref$RMST.arm0$rmst[1]), 1e-8)
      expect_close(got$rmst$se[2:1],
                   c(ref$RMST.arm1$rmst[2], ref$RMST.arm0$rmst[2]), 1e-8)
    }
  }
  for (seed in 1:5) {
    d <- random_surv(200, n_groups = 2, n_times = 10, seed = seed)
    tau <- min(tapply(d$time, d$group, max)) - 0.5
    got <- rmst_test(Surv(time, status) ~ group, data = d, tau = tau)
    ref <- rmst2(d$time, d$status, as.integer(d$group == "b"), tau = tau)
    expect_close(as.matrix(got$contrasts[, -1]),
                 unname(ref$unadjusted.result), 1e-8)
  }
})

test_that("tau beyond the last follow-up is refused by survRM2's rule", {
  # both curves end in censorings: the smaller last time (965 in lung)
  last <- tapply(lung$time, lung$sex, max)
  expect_silent(rmst_test(Surv(time, status) ~ sex, data = lung,
                          tau = min(last)))
  e <- tryCatch(rmst_test(Surv(time, status) ~ sex, data = lung,
                          tau = min(last) + 1),
                cohortsurv_error = function(e) e)
  expect_s3_class(e, "cohortsurv_error")
  expect_equal(e$arg, "tau")
  expect_match(conditionMessage(e), "965", fixed = TRUE)
  expect_error(rmst(Surv(time, status) ~ sex, data = lung, tau = 1000),
               class = "cohortsurv_error")
  # one curve ends in an event (S = 0) and is the shorter one: the other's
  # last time is the limit
  d <- data.frame(time = c(1, 2, 3, 1, 4, 6), status = c(1, 0, 1, 1, 0, 0),
                  g = rep(c("a", "b"), each = 3))
  expect_silent(rmst_test(Surv(time, status) ~ g, data = d, tau = 6))
  expect_error(rmst_test(Surv(time, status) ~ g, data = d, tau = 6.1),
               class = "cohortsurv_error")
  # the longer curve ends in an event, the shorter in a censoring
  d2 <- data.frame(time = c(1, 2, 3, 1, 4, 6), status = c(1, 1, 0, 1, 0, 1),
                   g = rep(c("a", "b"), each = 3))
  expect_silent(rmst_test(Surv(time, status) ~ g, data = d2, tau = 3))
  e <- tryCatch(rmst_test(Surv(time, status) ~ g, data = d2, tau = 4),
                cohortsurv_error = function(e) e)
  expect_match(conditionMessage(e), "no later than 3,", fixed = TRUE)
  skip_if_not_installed("survRM2")
  rmst2 <- getExportedValue("survRM2", "rmst2")
  a <- as.integer(d$g == "b")
  expect_silent(rmst2(d$time, d$status, a, tau = 6))
  expect_error(rmst2(d$time, d$status, a, tau = 6.1))
  a2 <- as.integer(d2$g == "b")
  expect_error(rmst2(d2$time, d2$status, a2, tau = 4))
  expect_silent(rmst2(d2$time, d2$status, a2, tau = 3))
})

test_that("print methods stay within 80 columns", {
  out <- capture.output(print(rmst_test(Surv(time, status) ~ sex, data = lung,
                                        tau = 730)))
  expect_true(all(nchar(out) <= 80))
  expect_true(any(grepl("RMST difference", out)))
  out <- capture.output(print(rmst(Surv(time, status) ~ trt + celltype,
                                   data = veteran, tau = 100)))
  expect_true(all(nchar(out) <= 80))
})

test_that("bad input to rmst and rmst_test is a cohortsurv_error", {
  fit <- km(Surv(time, status) ~ sex, data = lung)
  expect_error(rmst(fit), class = "cohortsurv_error")
  expect_error(rmst(fit, tau = -1), class = "cohortsurv_error")
  expect_error(rmst(fit, tau = 0), class = "cohortsurv_error")
  expect_error(rmst(fit, tau = c(1, 2)), class = "cohortsurv_error")
  expect_error(rmst(fit, tau = "365"), class = "cohortsurv_error")
  expect_error(rmst(fit, tau = NA_real_), class = "cohortsurv_error")
  expect_error(rmst(lung, tau = 100), class = "cohortsurv_error")
  expect_error(rmst_test(Surv(time, status) ~ ph.ecog, data = lung, tau = 100),
               class = "cohortsurv_error")
  expect_error(rmst_test(Surv(time, status) ~ 1, data = lung, tau = 100),
               class = "cohortsurv_error")
  expect_error(rmst_test(Surv(time, status) ~ sex, data = lung, tau = 100,
                         conf_level = 95), class = "cohortsurv_error")
  expect_error(rmst_test("x", data = lung, tau = 100),
               class = "cohortsurv_error")
  e <- tryCatch(rmst_test(Surv(time, status) ~ ph.ecog, data = lung, tau = 9),
                cohortsurv_error = function(e) e)
  expect_equal(e$arg, "formula")
})
