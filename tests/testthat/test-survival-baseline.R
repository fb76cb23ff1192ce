# Baseline hazards of Cox models ported from survival's tests/detail.R and
# coxsurv3.R (data set 2 of Therneau and Grambsch, appendix E, whose
# hazard is known in closed form): baseline_hazard() against the closed
# forms and against basehaz()/survfit.coxph (the oracle). The survfit
# newdata/id curves of coxsurv3.R (time-dependent covariate paths) have no
# counterpart in cohortsurv.

# Hazard increments at the death times 2, 3, 6, 7, 8, 9 of data set 2 for
# x = 0 (coxsurv3.R).
sv_lambda2 <- function(beta, method = "efron") {
  r <- exp(beta)
  lambda <- c(1 / (r + 1), 1 / (r + 2), 1 / (3 * r + 2), 1 / (3 * r + 1),
              1 / (3 * r + 1), 1 / (3 * r + 2) + 1 / (2 * r + 2))
  if (method == "breslow") lambda[6] <- 2 / (3 * r + 2)
  list(time = c(2, 3, 6, 7, 8, 9), lambda = lambda)
}

test_that("detail: the hazard at init = -1 matches the closed form", {
  f <- cox(Surv(start, stop, event) ~ x, sv_test2, init = -1,
           control = cox_control(iter_max = 0))
  expect_equal(unname(f$coefficients), -1, tolerance = sv_tol_cox)
  h <- sv_byhand_2e(-1)$haz * exp(-1 * f$means[["x"]])
  b <- sv_base_events(f, centered = TRUE)
  expect_equal(diff(c(0, b$hazard)), c(h[1:5], sum(h[6:7])),
               tolerance = sv_tol_cox)
  g <- coxph(Surv(start, stop, event) ~ x, sv_test2, init = -1, iter.max = 0)
  expect_equal(diff(c(0, b$hazard)), unname(coxph.detail(g)$hazard),
               tolerance = sv_tol_cox)
})

test_that("coxsurv3: data set 2 baseline at x = 0, Efron and Breslow", {
  for (ties in c("efron", "breslow")) {
    f <- cox(Surv(start, stop, event) ~ x, sv_test2, ties = ties)
    true <- sv_lambda2(unname(f$coefficients), ties)
    b <- sv_base_events(f)
    expect_equal(b$time, true$time, tolerance = sv_tol_cox)
    expect_equal(b$hazard, cumsum(true$lambda), tolerance = sv_tol_cox)
    g <- coxph(Surv(start, stop, event) ~ x, sv_test2, ties = ties)
    s <- survfit(g, newdata = list(x = 0), censor = FALSE)
    expect_equal(b$surv, s$surv, tolerance = sv_tol_cox)
  }
})

test_that("coxsurv3: two strata, each with its own closed-form baseline", {
  test3 <- data.frame(
    start = c(1, 2, 5, 2, 1, 7, 3, 4, 8, 8, rep(0, 11)),
    stop = c(2, 3, 6, 7, 8, 9, 9, 9, 14, 17, 1:11),
    event = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0,
              0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1),
    x = c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0,
          1, 2, 3, 2, 1, 1, 1, 0, 2, 1, 0),
    grp = c(rep("a", 10), rep("b", 11)))
  f2 <- cox(Surv(start, stop, event) ~ x + strata(grp), test3)
  g2 <- coxph(Surv(start, stop, event) ~ x + strata(grp), test3)
  sv_expect_cox(f2, g2)
  b <- sv_base_events(f2)
  # strata(grp) of a character column is labelled by its values, as in
  # survival::strata()
  ba <- b[b$strata == "a", ]
  bb <- b[b$strata == "b", ]
  true1 <- sv_lambda2(unname(f2$coefficients))
  expect_equal(ba$time, true1$time, tolerance = sv_tol_cox)
  expect_equal(ba$hazard, cumsum(true1$lambda), tolerance = sv_tol_cox)
  # stratum b alone, at the joint estimate
  f2b <- cox(Surv(start, stop, event) ~ x, test3, subset = grp == "b",
             init = unname(f2$coefficients),
             control = cox_control(iter_max = 0))
  expect_equal(bb$hazard, sv_base_events(f2b)$hazard, tolerance = sv_tol_cox)
  bh <- basehaz(g2, centered = FALSE)
  expect_equal(baseline_hazard(f2, centered = FALSE)$hazard, bh$hazard,
               tolerance = sv_tol_cox)
})
