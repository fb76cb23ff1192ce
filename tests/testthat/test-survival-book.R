# Ported from survival's tests/book1.R ... book7.R: the worked examples of
# Therneau and Grambsch (2000), appendix E, whose closed forms the survival
# scripts assert with aeq(). Each block checks cox() against (a) the closed
# form and (b) coxph on the same data. Not ported: the survfit.coxph
# standard errors, predict(type = "expected") and influence matrices (no
# counterpart in cohortsurv).

it0 <- cox_control(iter_max = 0)

# --- book1: data set 1, Breslow ------------------------------------------------

test_that("book1: data set 1, Breslow, at beta = 0 matches the closed form", {
  f0 <- cox(Surv(time, status) ~ x, sv_test1, ties = "breslow",
            control = it0, na.action = na.exclude)
  t0 <- sv_byhand_1b(0)
  expect_equal(f0$loglik[1], t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f0$var), 1 / t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0)[c(3:7, 1)], t0$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), t0$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[c(3:7, 1), 1]), t0$score,
               tolerance = sv_tol_cox)
  # the book's printed values of the score residuals
  expect_equal(unname(residuals(f0, "score")[, 1]),
               c(5 / 24, NA, 5 / 12, -1 / 12, 7 / 24, -1 / 24, 5 / 24),
               tolerance = sv_tol_cox)
  b0 <- sv_base_events(f0)
  expect_equal(b0$hazard, cumsum(t0$haz)[c(1, 2, 4)], tolerance = sv_tol_cox)
  expect_equal(b0$surv, exp(-cumsum(t0$haz))[c(1, 2, 4)],
               tolerance = sv_tol_cox)
  expect_equal(f0$score_test$statistic, t0$u^2 / t0$imat,
               tolerance = sv_tol_cox)
})

test_that("book1: one and two Newton steps and the converged solution", {
  f1 <- cox(Surv(time, status) ~ x, sv_test1, ties = "breslow",
            control = cox_control(iter_max = 1))
  expect_equal(unname(f1$coefficients), 8 / 5, tolerance = sv_tol_cox)
  f2 <- suppressWarnings(cox(Surv(time, status) ~ x, sv_test1,
                             ties = "breslow",
                             control = cox_control(iter_max = 2)))
  expect_equal(round(unname(f2$coefficients), 6), 1.472724, tolerance = 1e-7)

  f <- cox(Surv(time, status) ~ x, sv_test1, ties = "breslow",
           na.action = na.exclude)
  beta <- unname(f$coefficients)
  expect_equal(beta, log(1.5 + sqrt(33) / 2), tolerance = sv_tol_cox)
  t1 <- sv_byhand_1b(beta)
  expect_equal(f$loglik[2], t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f)[c(3:7, 1)], t1$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")[, 1]), t1$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")[c(3:7, 1), 1]), t1$score,
               tolerance = sv_tol_cox)
  b <- sv_base_events(f)
  expect_equal(b$hazard, cumsum(t1$haz)[c(1, 2, 4)], tolerance = sv_tol_cox)
})

test_that("book1: Breslow fits agree with coxph (residuals, lp, baseline)", {
  for (iter in list(0L, 1L, 20L)) {
    f <- cox(Surv(time, status) ~ x, sv_test1, ties = "breslow",
             control = cox_control(iter_max = iter), na.action = na.exclude)
    g <- coxph(Surv(time, status) ~ x, sv_test1, ties = "breslow",
               iter.max = iter, na.action = na.exclude)
    sv_expect_cox(f, g)
    expect_equal(unname(residuals(f, "score")[, 1]),
                 unname(residuals(g, "score")), tolerance = sv_tol_cox)
    expect_equal(unname(residuals(f, "schoenfeld")[, 1]),
                 as.vector(residuals(g, "schoenfeld")), tolerance = sv_tol_cox)
    expect_equal(unname(predict(f)), unname(predict(g, type = "lp")),
                 tolerance = sv_tol_cox)
    expect_equal(unname(predict(f, type = "risk")),
                 unname(predict(g, type = "risk")), tolerance = sv_tol_cox)
    bh <- basehaz(g, centered = FALSE)
    expect_equal(baseline_hazard(f, centered = FALSE)$hazard, bh$hazard,
                 tolerance = sv_tol_cox)
  }
})

# --- book2: data set 1, Efron ---------------------------------------------------

test_that("book2: data set 1, Efron, at beta = 0 matches the closed form", {
  f0 <- cox(Surv(time, status) ~ x, sv_test1, control = it0,
            na.action = na.exclude)
  t0 <- sv_byhand_1e(0)
  expect_equal(f0$loglik[1], t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f0$var), 1 / t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0)[c(3:7, 1)], t0$mart, tolerance = sv_tol_cox)
  expect_equal(residuals(f0),
               c(-3 / 4, NA, 5 / 6, -1 / 6, 5 / 12, 5 / 12, -3 / 4),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), t0$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[c(3:7, 1), 1]), t0$score,
               tolerance = sv_tol_cox)
  # survfit at x = 0: the Efron hazard, both tied increments at time 6
  b0 <- sv_base_events(f0)
  expect_equal(b0$surv, exp(-cumsum(t0$haz))[c(1, 3, 4)],
               tolerance = sv_tol_cox)
})

test_that("book2: the converged Efron solution matches the closed form", {
  f <- cox(Surv(time, status) ~ x, sv_test1, na.action = na.exclude)
  expect_equal(round(unname(f$coefficients), 6), 1.676857, tolerance = 1e-7)
  truebeta <- log(cos(acos((45 / 23) * sqrt(3 / 23)) / 3) * 2 * sqrt(23 / 3))
  expect_equal(unname(f$coefficients), truebeta, tolerance = sv_tol_cox)
  t1 <- sv_byhand_1e(truebeta)
  expect_equal(f$loglik[2], t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f)[c(3:7, 1)], t1$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")[, 1]), t1$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")[c(3:7, 1), 1]), t1$score,
               tolerance = sv_tol_cox)
  b <- sv_base_events(f)
  expect_equal(b$surv, exp(-cumsum(t1$haz))[c(1, 3, 4)],
               tolerance = sv_tol_cox)
})

test_that("book2: Efron fits agree with coxph", {
  for (iter in list(0L, 20L)) {
    f <- cox(Surv(time, status) ~ x, sv_test1,
             control = cox_control(iter_max = iter), na.action = na.exclude)
    g <- coxph(Surv(time, status) ~ x, sv_test1, iter.max = iter,
               na.action = na.exclude)
    sv_expect_cox(f, g)
    expect_equal(unname(residuals(f, "score")[, 1]),
                 unname(residuals(g, "score")), tolerance = sv_tol_cox)
    expect_equal(unname(residuals(f, "schoenfeld")[, 1]),
                 as.vector(residuals(g, "schoenfeld")), tolerance = sv_tol_cox)
    expect_equal(unname(residuals(f, "deviance")),
                 unname(residuals(g, "deviance")), tolerance = sv_tol_cox)
    expect_equal(unname(predict(f)), unname(predict(g, type = "lp")),
                 tolerance = sv_tol_cox)
    expect_equal(baseline_hazard(f)$hazard, basehaz(g)$hazard,
                 tolerance = sv_tol_cox)
  }
})

# --- book3: data set 2 (counting process), Breslow -----------------------------

test_that("book3: data set 2, Breslow, matches the closed form", {
  f0 <- cox(Surv(start, stop, event) ~ x, sv_test2, ties = "breslow",
            control = it0)
  t0 <- sv_byhand_2b(0)
  expect_equal(f0$loglik[1], t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f0$var), 1 / t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0), t0$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), t0$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[, 1]), t0$score,
               tolerance = sv_tol_cox)
  expect_equal(f0$score_test$statistic, t0$u^2 / t0$imat,
               tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f0)$surv, exp(-cumsum(t0$haz)),
               tolerance = sv_tol_cox)

  f1 <- cox(Surv(start, stop, event) ~ x, sv_test2, ties = "breslow",
            control = cox_control(iter_max = 1))
  expect_equal(unname(f1$coefficients), t0$u / t0$imat, tolerance = sv_tol_cox)

  f <- cox(Surv(start, stop, event) ~ x, sv_test2, ties = "breslow")
  expect_equal(unname(f$coefficients), -0.084526081, tolerance = 1e-8)
  t1 <- sv_byhand_2b(unname(f$coefficients))
  expect_equal(f$loglik[2], t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f), t1$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")[, 1]), t1$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")[, 1]), t1$score,
               tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f)$hazard, cumsum(t1$haz),
               tolerance = sv_tol_cox)
})

test_that("book3: three shifted strata give three times the closed form", {
  t0 <- sv_byhand_2b(0)
  f0 <- cox(Surv(start, stop, event) ~ x + strata(group), sv_test2b,
            ties = "breslow", control = it0)
  expect_equal(f0$loglik[1], 3 * t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(1 / f0$var), 3 * t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0), rep(t0$mart, 3), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), rep(t0$scho, 3),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[, 1]), rep(t0$score, 3),
               tolerance = sv_tol_cox)
  f1 <- cox(Surv(start, stop, event) ~ x + strata(group), sv_test2b,
            ties = "breslow", control = cox_control(iter_max = 1))
  expect_equal(unname(f1$coefficients), t0$u / t0$imat, tolerance = sv_tol_cox)
  f3 <- cox(Surv(start, stop, event) ~ x + strata(group), sv_test2b,
            ties = "breslow")
  t1 <- sv_byhand_2b(unname(f3$coefficients))
  expect_equal(unname(f3$coefficients), -0.084526081, tolerance = 1e-8)
  expect_equal(f3$loglik[2], 3 * t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(1 / f3$var), 3 * t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f3), rep(t1$mart, 3), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f3, "schoenfeld")[, 1]), rep(t1$scho, 3),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f3, "score")[, 1]), rep(t1$score, 3),
               tolerance = sv_tol_cox)
})

# --- book4: data set 2, Efron -----------------------------------------------------

test_that("book4: data set 2, Efron, matches the closed form", {
  f0 <- cox(Surv(start, stop, event) ~ x, sv_test2, control = it0)
  t0 <- sv_byhand_2e(0)
  expect_equal(f0$loglik[1], t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f0$var), 1 / t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0), t0$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), t0$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[, 1]), t0$score,
               tolerance = sv_tol_cox)

  f <- cox(Surv(start, stop, event) ~ x, sv_test2)
  t1 <- sv_byhand_2e(unname(f$coefficients))
  expect_equal(f$loglik[2], t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f), t1$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")[, 1]), t1$scho,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")[, 1]), t1$score,
               tolerance = sv_tol_cox)
  # the Efron hazard of the two deaths at 9 adds up in the baseline
  expect_equal(sv_base_events(f)$hazard, cumsum(t1$haz)[-6],
               tolerance = sv_tol_cox)

  f3 <- cox(Surv(start, stop, event) ~ x + strata(group), sv_test2b)
  expect_equal(f3$loglik[2], 3 * t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(1 / f3$var), 3 * t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f3), rep(t1$mart, 3), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f3, "schoenfeld")[, 1]), rep(t1$scho, 3),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f3, "score")[, 1]), rep(t1$score, 3),
               tolerance = sv_tol_cox)
})

test_that("book3/book4: counting-process fits agree with coxph", {
  for (ties in c("breslow", "efron")) {
    for (fm in list(Surv(start, stop, event) ~ x,
                    Surv(start, stop, event) ~ x + strata(group))) {
      f <- cox(fm, sv_test2b, ties = ties)
      g <- coxph(fm, sv_test2b, ties = ties)
      sv_expect_cox(f, g)
      expect_equal(unname(residuals(f, "score")[, 1]),
                   unname(residuals(g, "score")), tolerance = sv_tol_cox)
      expect_equal(unname(residuals(f, "schoenfeld")[, 1]),
                   as.vector(residuals(g, "schoenfeld")), tolerance = sv_tol_cox)
      expect_equal(baseline_hazard(f)$hazard, basehaz(g)$hazard,
                   tolerance = sv_tol_cox)
    }
  }
})

# --- book5: weights, Breslow ----------------------------------------------------

test_that("book5: the expected counts at beta = 0 are the book's fractions", {
  truth <- c(1 / 19, 1 / 19, rep(103 / 152, 5), rep(613 / 456, 2))
  expect_equal(sv_byhand_wb(0)$expected, truth, tolerance = 1e-12)
  f0 <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt,
            ties = "breslow", control = it0)
  expect_equal(sv_testw1$status - residuals(f0), truth, tolerance = sv_tol_cox)
})

test_that("book5: weighted Breslow fit matches the closed form", {
  f0 <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt,
            ties = "breslow", control = it0)
  t0 <- sv_byhand_wb(0)
  expect_equal(f0$loglik[1], t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f0$var), 1 / t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0), t0$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), t0$schoen,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[, 1]), t0$score,
               tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f0)$hazard, cumsum(t0$hazard),
               tolerance = sv_tol_cox)

  f <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = "breslow")
  expect_equal(unname(f$coefficients), 0.85955744, tolerance = 1e-8)
  t1 <- sv_byhand_wb(unname(f$coefficients))
  expect_equal(f$loglik[2], t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f), t1$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")[, 1]), t1$schoen,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")[, 1]), t1$score,
               tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f)$hazard, cumsum(t1$hazard),
               tolerance = sv_tol_cox)
})

test_that("book5: case weights equal replicated rows", {
  indx <- match(1:9, sv_testw2$id)
  for (iter in list(0L, 20L)) {
    ctl <- cox_control(iter_max = iter)
    fw <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt,
              ties = "breslow", control = ctl)
    fr <- cox(Surv(time, status) ~ x, sv_testw2, ties = "breslow",
              control = ctl)
    expect_equal(fw$coefficients, fr$coefficients, tolerance = sv_tol_cox)
    expect_equal(fw$loglik, fr$loglik, tolerance = sv_tol_cox)
    expect_equal(residuals(fw), residuals(fr)[indx], tolerance = sv_tol_cox)
    expect_equal(residuals(fw, "score"), residuals(fr, "score")[indx, ,
                                                               drop = FALSE],
                 tolerance = sv_tol_cox)
    expect_equal(unique(unname(residuals(fw, "schoenfeld")[, 1])),
                 unique(unname(residuals(fr, "schoenfeld")[, 1])),
                 tolerance = sv_tol_cox)
  }
})

# --- book6: weights, Efron -------------------------------------------------------

test_that("book6: xbar and hazard at beta = 0 are the book's fractions", {
  t0 <- sv_byhand_we(0)
  expect_equal(t0$xbar, c(13 / 19, 11 / 16, 26 / 38, 19 / 28, 2 / 3),
               tolerance = 1e-12)
  haz <- c(1 / 19, 5 / 24, 5 / 19, 5 / 14, 2 / 3)
  expect_equal(t0$hazard, haz, tolerance = 1e-12)
  f0 <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, control = it0)
  expect_equal(sv_base_events(f0)$hazard, cumsum(haz)[c(1, 4, 5)],
               tolerance = sv_tol_cox)
  # the Schoenfeld residuals use the xbar of the first death and the mean
  # xbar of the three tied deaths
  sx <- c(13 / 19, mean(c(11 / 16, 26 / 38, 19 / 28)), 2 / 3)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]),
               c(2, 1, 1, 0, 1) - sx[c(1, 2, 2, 2, 3)], tolerance = sv_tol_cox)
})

test_that("book6: weighted Efron fit matches the closed form", {
  f0 <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, control = it0)
  t0 <- sv_byhand_we(0)
  expect_equal(f0$loglik[1], t0$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f0$var), 1 / t0$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f0), t0$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "schoenfeld")[, 1]), t0$schoen,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0, "score")[, 1]), t0$score,
               tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f0)$hazard, cumsum(t0$hazard)[c(1, 4, 5)],
               tolerance = sv_tol_cox)

  f <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt)
  t1 <- sv_byhand_we(unname(f$coefficients))
  expect_equal(f$loglik[2], t1$loglik, tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / t1$imat, tolerance = sv_tol_cox)
  expect_equal(residuals(f), t1$mart, tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")[, 1]), t1$schoen,
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")[, 1]), t1$score,
               tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f)$hazard, cumsum(t1$hazard)[c(1, 4, 5)],
               tolerance = sv_tol_cox)
})

test_that("book5/book6: weighted fits agree with coxph (robust = FALSE)", {
  for (ties in c("breslow", "efron")) {
    f <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = ties)
    g <- coxph(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = ties)
    sv_expect_cox(f, g)
    expect_equal(unname(residuals(f, "score")[, 1]),
                 unname(residuals(g, "score")), tolerance = sv_tol_cox)
    expect_equal(unname(residuals(f, "schoenfeld")[, 1]),
                 as.vector(residuals(g, "schoenfeld")), tolerance = sv_tol_cox)
    expect_equal(baseline_hazard(f)$hazard, basehaz(g)$hazard,
                 tolerance = sv_tol_cox)
    # weighted martingale residuals are the weights times the residuals
    expect_equal(unname(residuals(g, "martingale", weighted = TRUE)),
                 residuals(f) * sv_testw1$wt, tolerance = sv_tol_cox)
  }
})

# --- book7: exact partial likelihood ---------------------------------------------

test_that("book7: ties = \"exact\" is refused (cohortsurv has Efron and Breslow)", {
  expect_error(cox(Surv(time, status) ~ x, sv_test1, ties = "exact"),
               class = "cohortsurv_error")
  expect_error(cox_fit(cbind(x = sv_test1$x[-2]),
                       cbind(stop = sv_test1$time[-2],
                             status = sv_test1$status[-2]), ties = "exact"),
               class = "cohortsurv_error")
})

test_that("book7: Surv(0, time, status) gives the fit of Surv(time, status)", {
  zz <- rep(0, nrow(lung))
  for (ties in c("breslow", "efron")) {
    f1 <- cox(Surv(time, status) ~ age + ph.ecog + sex, lung, ties = ties)
    f2 <- cox(Surv(zz, time, status) ~ age + ph.ecog + sex, lung, ties = ties)
    expect_equal(f1$loglik, f2$loglik, tolerance = sv_tol_cox)
    expect_equal(f1$var, f2$var, tolerance = sv_tol_cox)
    expect_equal(f1$score_test$statistic, f2$score_test$statistic,
                 tolerance = sv_tol_cox)
    expect_equal(residuals(f1), residuals(f2), tolerance = sv_tol_cox)
    g2 <- coxph(Surv(zz, time, status) ~ age + ph.ecog + sex, lung,
                ties = ties)
    sv_expect_cox(f2, g2)
  }
})
