# fine_gray() against survival::finegray() + coxph() (the same model, to
# 1e-8) and against cmprsk::crr() (the same estimator up to tie handling
# and the variance term for the estimated censoring distribution).

mgus_cr <- function() {
  d <- mgus2
  d$etime <- with(d, ifelse(pstat == 0, futime, ptime))
  d$event <- with(d, factor(ifelse(pstat == 0, 2 * death, 1), 0:2,
                            c("censor", "pcm", "death")))
  d$id <- seq_len(nrow(d))
  d
}

random_cr <- function(n, seed, n_times = 12) {
  set.seed(seed)
  d <- data.frame(time = sample(seq_len(n_times), n, replace = TRUE),
                  x = rnorm(n), g = factor(sample(c("a", "b", "c"), n, TRUE)),
                  s = sample(1:2, n, TRUE), w = sample(1:3, n, TRUE),
                  fw = runif(n, 0.3, 2))
  d$event <- factor(sample(0:3, n, TRUE, prob = c(0.3, 0.3, 0.25, 0.15)),
                    0:3, c("cens", "relapse", "death", "other"))
  d$id <- seq_len(n)
  d
}

# The oracle: finegray() then coxph() with the robust variance clustered by
# subject (fine_gray()'s default) or the model-based one.
fg_oracle <- function(formula, data, cause, rhs, robust = TRUE,
                      weights = NULL, ties = "efron") {
  fg <- if (is.null(weights)) {
    finegray(formula, data = data, etype = cause, na.action = na.omit)
  } else {
    data$.w <- weights
    finegray(formula, data = data, etype = cause, na.action = na.omit,
             weights = .w)
  }
  f <- stats::as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", rhs))
  fit <- if (robust) {
    coxph(f, data = fg, weights = fgwt, cluster = id, ties = ties)
  } else {
    coxph(f, data = fg, weights = fgwt, robust = FALSE, ties = ties)
  }
  list(fg = fg, fit = fit)
}

expect_fg_equal <- function(g, f, tol = 1e-8) {
  expect_close(unname(g$coefficients), unname(coef(f)), tol)
  expect_close(g$var, f$var, tol)
  if (!is.null(f$naive.var)) expect_close(g$naive_var, f$naive.var, tol)
  expect_close(g$loglik, f$loglik, tol)
  expect_close(g$wald_test$statistic, f$wald.test, tol)
  expect_identical(g$n_event, f$nevent)
}

test_that("mgus2: equal to finegray() + coxph(), both causes", {
  d <- mgus_cr()
  for (cause in c("pcm", "death")) {
    o <- fg_oracle(Surv(etime, event) ~ age + sex + id, d, cause,
                   "age + sex")
    g <- fine_gray(Surv(etime, event) ~ age + sex, data = d, cause = cause)
    expect_fg_equal(g, o$fit)
    expect_identical(g$fine_gray$n_rows, nrow(o$fg))
    expect_identical(g$n, nrow(d))
    # the model-based variance
    o <- fg_oracle(Surv(etime, event) ~ age + sex + id, d, cause,
                   "age + sex", robust = FALSE)
    g <- fine_gray(Surv(etime, event) ~ age + sex, data = d, cause = cause,
                   robust = FALSE)
    expect_fg_equal(g, o$fit)
    expect_close(g$var, g$naive_var, 0)
  }
  # the default cause is the first after censoring
  g1 <- fine_gray(Surv(etime, event) ~ age, data = d)
  g2 <- fine_gray(Surv(etime, event) ~ age, data = d, cause = "pcm")
  expect_identical(g1$coefficients, g2$coefficients)
})

test_that("the expanded rows are finegray()'s rows", {
  d <- mgus_cr()
  fg <- finegray(Surv(etime, event) ~ id, data = d, etype = "death")
  code <- as.integer(d$event) - 1L
  ex <- fg_index(as.double(d$etime), code, 2L, rep(1L, nrow(d)))
  expect_identical(ex$row, fg$id)
  expect_equal(ex$start, fg$fgstart, tolerance = 0)
  expect_equal(ex$stop, fg$fgstop, tolerance = 0)
  expect_equal(ex$status, as.double(fg$fgstatus), tolerance = 0)
  expect_equal(ex$wt, fg$fgwt, tolerance = 1e-14)
  for (seed in 1:4) {
    d <- random_cr(300, seed)
    for (k in 1:3) {
      fg <- finegray(Surv(time, event) ~ id + strata(s), data = d,
                     etype = levels(d$event)[k + 1L])
      ex <- fg_index(as.double(d$time), as.integer(d$event) - 1L, k, d$s)
      expect_identical(ex$row, fg$id)
      expect_equal(ex$start, fg$fgstart, tolerance = 0)
      expect_equal(ex$stop, fg$fgstop, tolerance = 0)
      expect_equal(ex$status, as.double(fg$fgstatus), tolerance = 0)
      expect_equal(ex$wt, fg$fgwt, tolerance = 1e-14)
    }
  }
})

test_that("random data with heavy ties: strata, weights, causes, ties", {
  for (seed in 1:3) {
    d <- random_cr(400, seed)
    for (ties in c("efron", "breslow")) {
      o <- fg_oracle(Surv(time, event) ~ x + g + s + id + strata(s), d,
                     "death", "x + g + strata(s)", ties = ties)
      g <- fine_gray(Surv(time, event) ~ x + g + strata(s), data = d,
                     cause = "death", ties = ties)
      expect_fg_equal(g, o$fit)
      expect_identical(g$strata, c("s=1", "s=2"))
    }
    # case weights, whole and fractional, multiply the censoring weights
    for (wname in c("w", "fw")) {
      o <- fg_oracle(Surv(time, event) ~ x + g + id, d, "other", "x + g",
                     weights = d[[wname]])
      g <- fine_gray(Surv(time, event) ~ x + g, data = d, cause = "other",
                     weights = d[[wname]])
      expect_fg_equal(g, o$fit)
    }
  }
})

test_that("weights and offsets given as columns", {
  d <- random_cr(300, 21)
  o <- fg_oracle(Surv(time, event) ~ x + id, d, "relapse", "x",
                 weights = d$fw)
  g <- fine_gray(Surv(time, event) ~ x, data = d, cause = "relapse",
                 weights = fw)
  expect_fg_equal(g, o$fit)
  fg <- finegray(Surv(time, event) ~ x + s + id, data = d, etype = "relapse")
  f <- coxph(Surv(fgstart, fgstop, fgstatus) ~ x + offset(s / 2),
             data = fg, weights = fgwt, cluster = id)
  g <- fine_gray(Surv(time, event) ~ x + offset(s / 2), data = d,
                 cause = "relapse")
  expect_fg_equal(g, f)
})

test_that("missing values, subset and row order", {
  d <- mgus_cr()
  o <- fg_oracle(Surv(etime, event) ~ age + mspike + id, d, "pcm",
                 "age + mspike")
  g <- fine_gray(Surv(etime, event) ~ age + mspike, data = d, cause = "pcm")
  expect_fg_equal(g, o$fit)
  expect_identical(g$n_dropped, sum(is.na(d$mspike)))
  g2 <- fine_gray(Surv(etime, event) ~ age + mspike, data = d,
                  cause = "pcm", subset = sex == "F")
  o2 <- fg_oracle(Surv(etime, event) ~ age + mspike + id,
                  d[d$sex == "F", ], "pcm", "age + mspike")
  expect_fg_equal(g2, o2$fit)
  # missing times and events drop their rows
  dn <- d
  dn$etime[c(4, 10)] <- NA
  dn$event[c(7, 30, 31)] <- NA
  gn <- fine_gray(Surv(etime, event) ~ age + mspike, data = dn,
                  cause = "pcm")
  keep <- !is.na(dn$etime) & !is.na(dn$event)
  gk <- fine_gray(Surv(etime, event) ~ age + mspike, data = dn[keep, ],
                  cause = "pcm")
  expect_close(gn$coefficients, gk$coefficients, 1e-12)
  expect_close(gn$var, gk$var, 1e-12)
  set.seed(5)
  g3 <- fine_gray(Surv(etime, event) ~ age + mspike,
                  data = d[sample(nrow(d)), ], cause = "pcm")
  expect_close(g3$coefficients, g$coefficients, 1e-8)
  expect_close(g3$var, g$var, 1e-8)
})

test_that("close to cmprsk::crr()", {
  skip_if_not_installed("cmprsk")
  # continuous times (no ties): the same estimating equation
  set.seed(11)
  n <- 400
  x1 <- rnorm(n)
  x2 <- rbinom(n, 1, 0.4)
  t1 <- rexp(n, 0.10 * exp(0.5 * x1))
  t2 <- rexp(n, 0.08 * exp(-0.4 * x2))
  cc <- rexp(n, 0.05)
  time <- pmin(t1, t2, cc)
  code <- ifelse(cc <= pmin(t1, t2), 0L, ifelse(t1 < t2, 1L, 2L))
  d <- data.frame(time, x1, x2,
                  event = factor(code, 0:2, c("cens", "a", "b")))
  # both iterated to tight convergence (crr's default gtol = 1e-6 leaves
  # about 5e-6 relative)
  cr <- cmprsk::crr(time, code, cbind(x1, x2), failcode = 1, cencode = 0,
                    gtol = 1e-12)
  g <- fine_gray(Surv(time, event) ~ x1 + x2, data = d, cause = "a",
                 timefix = FALSE, control = cox_control(eps = 1e-12))
  expect_close(unname(g$coefficients), unname(cr$coef), 1e-8)
  # crr's variance also has the term for the estimated censoring
  # distribution, so the standard errors agree only closely (0.1% here)
  se_ratio <- sqrt(diag(g$var)) / sqrt(diag(cr$var))
  expect_true(all(abs(se_ratio - 1) < 0.005))
  # mgus2 (monthly times, heavy ties): close, not equal
  d <- mgus_cr()
  g <- fine_gray(Surv(etime, event) ~ age + sex, data = d, cause = "pcm")
  cr <- cmprsk::crr(d$etime, as.integer(d$event) - 1L,
                    cbind(d$age, d$sex == "M"), failcode = 1, cencode = 0)
  expect_true(max(abs(g$coefficients / cr$coef - 1)) < 0.005)  # 0.2%
  se_ratio <- sqrt(diag(g$var)) / sqrt(diag(cr$var))
  expect_true(all(abs(se_ratio - 1) < 0.01))                    # 0.6%
})

test_that("a Fine-Gray fit prints as one and refuses row-level methods", {
  d <- mgus_cr()
  g <- fine_gray(Surv(etime, event) ~ age + sex, data = d, cause = "pcm")
  expect_s3_class(g, "cs_cox")
  expect_output(print(g), "Fine-Gray subdistribution hazards model")
  expect_identical(nrow(hr_table(g)), 2L)
  expect_s3_class(summary(g), "cs_cox_summary")
  expect_identical(dim(vcov(g)), c(2L, 2L))
  expect_identical(dim(confint(g)), c(2L, 2L))
  for (expr in list(quote(predict(g)), quote(residuals(g)),
                    quote(ph_test(g)), quote(baseline_hazard(g)),
                    quote(anova(g)))) {
    expect_error(eval(expr), "Fine-Gray", class = "cohortsurv_error")
  }
})

test_that("bad input is refused by name", {
  err <- function(expr, arg) {
    e <- expect_error(expr, class = "cohortsurv_error")
    expect_identical(e$arg, arg)
  }
  d <- mgus_cr()
  d$num <- as.integer(d$event) - 1L
  d$one <- factor(rep("censor", nrow(d)))
  err(fine_gray(Surv(etime, num) ~ age, data = d), "formula")
  err(fine_gray(Surv(etime, one) ~ age, data = d), "formula")
  err(fine_gray(Surv(etime, event) ~ age, data = d, cause = "relapse"),
      "cause")
  err(fine_gray(Surv(etime, event) ~ age, data = d, cause = 1), "cause")
  err(fine_gray(Surv(etime, event) ~ age, data = d, cause = "censor"),
      "cause")
  err(fine_gray(Surv(etime, event) ~ age, data = d, cause = "pcm",
                subset = event != "pcm"), "cause")
  err(fine_gray(Surv(age, etime, event) ~ sex, data = d), "formula")
  err(fine_gray(etime ~ age, data = d), "formula")
  err(fine_gray(Surv(etime, event) ~ age, data = as.list(d)), "data")
  err(fine_gray(Surv(etime, event) ~ age, data = d, robust = NA), "robust")
  err(fine_gray(Surv(etime, event) ~ age, data = d, ties = "exact"), "ties")
  err(fine_gray(Surv(etime, event) ~ age, data = d, id = id), "id")
  err(fine_gray(Surv(etime, event) ~ tt(age), data = d), "formula")
  err(fine_gray(Surv(etime, event) ~ age + cluster(id), data = d), "formula")
  err(fine_gray(Surv(etime, event) ~ age + strata(sex):age, data = d),
      "formula")
})
