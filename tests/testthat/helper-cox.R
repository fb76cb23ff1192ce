# Helpers for the Cox model tests: compare a cs_cox fit with coxph.

cox_vs_coxph <- function(f, g, tol = 1e-8) {
  nab <- !is.na(coef(g))
  expect_equal(names(f$coefficients), names(coef(g)))
  expect_identical(is.na(f$coefficients), is.na(coef(g)))
  expect_close(f$coefficients[nab], coef(g)[nab], tol)
  expect_close(f$var[nab, nab], as.matrix(g$var)[nab, nab], tol)
  if (!is.null(g$naive.var)) {
    expect_close(f$naive_var[nab, nab], g$naive.var[nab, nab], tol)
  }
  expect_close(f$loglik, g$loglik, tol)
  expect_close(f$score_test$statistic, g$score, tol)
  expect_close(f$wald_test$statistic, g$wald.test, tol)
  expect_close(f$lr_test$statistic, 2 * diff(g$loglik), 1e-6)
  expect_equal(f$iter, g$iter)
  expect_equal(f$n, g$n)
  expect_equal(f$n_event, g$nevent)
  if (!is.null(g$rscore)) {
    expect_close(f$robust_score_test$statistic, g$rscore, tol)
  }
}

resid_vs_coxph <- function(f, g, tol = 1e-8) {
  for (ty in c("martingale", "deviance", "score", "dfbeta", "schoenfeld")) {
    a <- residuals(f, type = ty)
    b <- residuals(g, type = ty)
    expect_close(unname(as.matrix(a)), unname(as.matrix(b)), tol)
  }
}

# Random data with heavy ties plus two numeric covariates.
random_cox_data <- function(n, seed, counting = FALSE) {
  d <- random_surv(n, n_groups = 3, n_times = 12, seed = seed,
                   counting = counting)
  set.seed(seed + 1000)
  d$z1 <- round(rnorm(n), 1)
  d$z2 <- rpois(n, 2)
  d
}

# 300 rows with tied whole-number times, a normal and a binary covariate,
# 3 strata, integer weights and a zero start time (so the same model can be
# fitted as (start, stop] data); offsets spread wide make coxph's first
# Newton step overshoot (test-cox-edge.R, test-db-sqlite.R).
halving_data <- function(n = 300, seed = 11) {
  set.seed(seed)
  data.frame(time = sample(1:40, n, TRUE), status = rbinom(n, 1, 0.7),
             x = rnorm(n), z = rbinom(n, 1, 0.4),
             s = sample(1:3, n, TRUE), w = sample(1:3, n, TRUE), t0 = 0)
}
