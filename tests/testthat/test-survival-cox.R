# Cox model tests ported from survival's tests/stratatest.R, counting.R,
# infcox.R, singtest.R, testnull.R, overlap.R, doweight.R, ovarian.R,
# jasa.R, bladder.R, cancer.R, factor.R, factor2.R, prednew.R, coxsurv.R,
# coxsurv2.R, anova.R, doublecolon.R, badname.R, update.R, nested.R,
# strata2.R, frank.R, coxsurv4.R, model.matrix.R, doaml.R, survtest.R,
# tiedtime.R, clogit.R, predsurv.R, royston.R, tt.R (as split data) and
# expected.R (its Cox curves): cox() against the closed forms those scripts
# assert and against coxph (the oracle). Curves for new subjects
# (survfit.coxph(fit, newdata)) are built from baseline_hazard() and
# predict() (sv_cox_curves()); cox_curves() with its standard errors, and
# predict()'s se_fit, "expected" and "terms", are checked against survfit
# and predict.coxph in test-survival-predict.R.

sv_lung <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog",
                            "ph.karno", "pat.karno", "wt.loss", "inst",
                            "meal.cal")])

# --- stratatest.R ---------------------------------------------------------------

test_that("stratatest: a replicated stratum gives the residuals of one copy", {
  d1 <- sv_test1
  n <- nrow(d1)
  dd <- rbind(d1, d1)
  dd$tstrat <- rep(1:2, each = n)
  f1 <- cox(Surv(time, status) ~ x, d1, na.action = na.exclude)
  f2 <- cox(Surv(time, status) ~ x + strata(tstrat), dd,
            na.action = na.exclude)
  nd <- sum(d1$status, na.rm = TRUE)
  expect_equal(f2$coefficients, f1$coefficients, tolerance = sv_tol_cox)
  expect_equal(residuals(f2)[1:n], residuals(f1), tolerance = sv_tol_cox)
  expect_equal(residuals(f2, "score")[1:n, ], residuals(f1, "score")[, 1],
               tolerance = sv_tol_cox)
  expect_equal(residuals(f2, "schoenfeld")[1:nd, ],
               residuals(f1, "schoenfeld")[, 1], tolerance = sv_tol_cox)
  sv_expect_cox(f2, coxph(Surv(time, status) ~ x + strata(tstrat), dd,
                          na.action = na.exclude))

  d2 <- sv_test2
  n <- nrow(d2)
  dd <- rbind(d2, d2)
  dd$tstrat <- rep(1:2, each = n)
  f1 <- cox(Surv(start, stop, event) ~ x, d2)
  f2 <- cox(Surv(start, stop, event) ~ x + strata(tstrat), dd)
  nd <- sum(d2$event)
  expect_equal(residuals(f2)[1:n], residuals(f1), tolerance = sv_tol_cox)
  expect_equal(residuals(f2, "score")[1:n, ], residuals(f1, "score")[, 1],
               tolerance = sv_tol_cox)
  expect_equal(residuals(f2, "schoenfeld")[1:nd, ],
               residuals(f1, "schoenfeld")[, 1], tolerance = sv_tol_cox)
  sv_expect_cox(f2, coxph(Surv(start, stop, event) ~ x + strata(tstrat), dd))
})

# --- counting.R -------------------------------------------------------------------

test_that("counting: a counting-process copy of data set 1, residuals by id", {
  test1b <- data.frame(
    start = c(0, 3, 0, 0, 5, 0, 6, 14, 0, 0, 10, 20, 30, 0),
    stop = c(3, 10, 10, 5, 20, 6, 14, 20, 30, 10, 20, 30, 40, 10),
    status = c(0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0),
    x = c(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, NA),
    id = c(3, 3, 4, 5, 5, 6, 6, 6, 7, 1, 1, 1, 1, 2))
  by_id <- function(r) unname(drop(rowsum(r, test1b$id)))
  for (iter in list(0L, 20L)) {
    ctl <- cox_control(iter_max = iter)
    fa <- cox(Surv(time, status) ~ x, sv_test1, control = ctl,
              na.action = na.exclude)
    fb <- cox(Surv(start, stop, status) ~ x, test1b, control = ctl,
              na.action = na.exclude)
    expect_equal(fb$coefficients, fa$coefficients, tolerance = sv_tol_cox)
    expect_equal(fb$loglik, fa$loglik, tolerance = sv_tol_cox)
    expect_equal(by_id(residuals(fb)), unname(residuals(fa)),
                 tolerance = sv_tol_cox)
    expect_equal(by_id(residuals(fb, "score")),
                 unname(residuals(fa, "score")[, 1]), tolerance = sv_tol_cox)
    expect_equal(unname(residuals(fb, "schoenfeld")[, 1]),
                 unname(residuals(fa, "schoenfeld")[, 1]),
                 tolerance = sv_tol_cox)
    sv_expect_cox(fb, coxph(Surv(start, stop, status) ~ x, test1b,
                            iter.max = iter, na.action = na.exclude))
  }
  # an offset fixed at the estimate reproduces the residuals
  fa <- cox(Surv(time, status) ~ x, sv_test1, na.action = na.exclude)
  b <- unname(fa$coefficients)
  fc <- cox(Surv(time, status) ~ offset(b * x), sv_test1,
            na.action = na.exclude)
  fd <- cox(Surv(start, stop, status) ~ offset(b * x), test1b,
            na.action = na.exclude)
  expect_equal(unname(residuals(fc)), unname(residuals(fa)),
               tolerance = sv_tol_cox)
  expect_equal(by_id(residuals(fd)), unname(residuals(fc)),
               tolerance = sv_tol_cox)
  # the baselines at x = 1 agree at the event times
  expect_equal(sv_base_events(fb)$hazard, sv_base_events(fa)$hazard,
               tolerance = sv_tol_cox)
})

# --- infcox.R -------------------------------------------------------------------

test_that("infcox: two coefficients running off to -infinity", {
  test3 <- data.frame(futime = 1:12,
                      fustat = c(1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0),
                      x1 = rep(0:1, 6), x2 = c(rep(0, 6), rep(1, 6)))
  expect_warning(
    f <- cox(Surv(futime, fustat) ~ x1 + x2, test3,
             control = cox_control(iter_max = 25)),
    class = "cohortsurv_monotone")
  expect_lt(max(f$coefficients), -22)
  expect_equal(round(f$loglik, 4), c(-6.8669, -1.7918), tolerance = 1e-6)
  true_ll <- function(beta) {
    r1 <- exp(beta[1]); r2 <- exp(beta[2])
    -log(3 * (1 + r1 + r2 + r1 * r2)) - log(2 + 2 * r1 + 3 * r2 + 3 * r1 * r2) -
      log(1 + r1 + 3 * r2 + 3 * r1 * r2)
  }
  expect_equal(f$loglik[2], true_ll(unname(f$coefficients)),
               tolerance = sv_tol_cox)
  g <- suppressWarnings(coxph(Surv(futime, fustat) ~ x1 + x2, test3,
                              iter.max = 25))
  expect_equal(f$loglik, g$loglik, tolerance = sv_tol_cox)
})

# --- singtest.R -------------------------------------------------------------------

test_that("singtest: an overdetermined design gives NA coefficients", {
  t1 <- data.frame(time = c(4, 3, 1, 1, 2, 2, 3),
                   status = c(1, NA, 1, 0, 1, 1, 0),
                   x = c(0, 2, 1, 1, 1, 0, 0))
  ep <- rep(0:3, rep(7, 4))
  stest <- data.frame(start = 10 * ep, stop = 10 * ep + t1$time,
                      status = rep(t1$status, 4),
                      x = c(t1$x + 1:7, rep(t1$x, 3)),
                      epoch = rep(1:4, rep(7, 4)))
  expect_message(f <- cox(Surv(start, stop, status) ~ x * factor(epoch),
                          stest), "collinear")
  expect_equal(unname(is.na(f$coefficients)),
               c(FALSE, TRUE, TRUE, TRUE, FALSE, FALSE, FALSE))
  g <- coxph(Surv(start, stop, status) ~ x * factor(epoch), stest)
  expect_equal(unname(f$coefficients), unname(coef(g)), tolerance = sv_tol_cox)
  expect_equal(f$loglik, g$loglik, tolerance = sv_tol_cox)
  ok <- !is.na(f$coefficients)
  expect_equal(unname(f$var[ok, ok]), unname(g$var[ok, ok]),
               tolerance = sv_tol_cox)
})

# --- testnull.R ---------------------------------------------------------------------

test_that("testnull: a fit at iter 0 has the null model's loglik and residuals", {
  f1 <- cox(Surv(stop, event) ~ rx + strata(number), bladder,
            control = cox_control(iter_max = 0))
  f2 <- cox(Surv(stop, event) ~ strata(number), bladder)
  g2 <- coxph(Surv(stop, event) ~ strata(number), bladder)
  expect_equal(f1$loglik[2], f2$loglik[length(f2$loglik)],
               tolerance = sv_tol_cox)
  expect_equal(residuals(f1), residuals(f2), tolerance = sv_tol_cox)
  expect_equal(f2$loglik[length(f2$loglik)], g2$loglik[length(g2$loglik)],
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f2)), unname(residuals(g2)),
               tolerance = sv_tol_cox)

  f1 <- cox(Surv(start, stop, event) ~ rx + strata(number), bladder2,
            control = cox_control(iter_max = 0))
  f2 <- cox(Surv(start, stop, event) ~ strata(number), bladder2)
  g2 <- coxph(Surv(start, stop, event) ~ strata(number), bladder2)
  expect_equal(f1$loglik[2], f2$loglik[length(f2$loglik)],
               tolerance = sv_tol_cox)
  expect_equal(residuals(f1), residuals(f2), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f2)), unname(residuals(g2)),
               tolerance = sv_tol_cox)
})

# --- overlap.R -------------------------------------------------------------------------

test_that("overlap: an interval that overlaps no event changes nothing", {
  d <- data.frame(time1 = c(1, 2, 5, 2, 1, 7, 3, 4, 8, 8, 3),
                  time2 = c(2, 3, 6, 7, 8, 9, 9, 9, 14, 17, 5),
                  event = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
                  x = c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0, 500))
  f1 <- cox(Surv(time1, time2, event) ~ x, d, subset = x < 100)
  f2 <- cox(Surv(time1, time2, event) ~ x, d)
  expect_equal(f2$coefficients, f1$coefficients, tolerance = sv_tol_cox)
  expect_equal(f2$var, f1$var, tolerance = sv_tol_cox)
  expect_equal(f2$loglik, f1$loglik, tolerance = sv_tol_cox)
  expect_equal(f2$score_test$statistic, f1$score_test$statistic,
               tolerance = sv_tol_cox)
  expect_equal(residuals(f2), c(residuals(f1), 0), tolerance = sv_tol_cox)
  sv_expect_cox(f2, coxph(Surv(time1, time2, event) ~ x, d))
})

# --- doweight.R ----------------------------------------------------------------------

test_that("doweight: weighted Efron loglik, score and information by hand", {
  lfun <- function(beta) {
    r <- exp(beta); a <- 7 * r + 3; b <- 4 * r + 2
    11 * beta - (log(r^2 + 11 * r + 7) +
                   (10 / 3) * (log(a + b) + log(2 * a / 3 + b) +
                                 log(a / 3 + b)) + 2 * log(2 * r + 1))
  }
  xb <- function(beta) {
    r <- exp(beta)
    c(x1 = (2 * r^2 + 11 * r) / (r^2 + 11 * r + 7), x2 = 11 * r / (11 * r + 5),
      x3 = 2 * r / (2 * r + 1), x2b = 26 * r / (26 * r + 12),
      x2c = 19 * r / (19 * r + 9))
  }
  ufun <- function(beta) {
    z <- xb(beta)
    11 - (z[["x1"]] + 2 * z[["x3"]]) - (10 / 3) * (z[["x2"]] + z[["x2b"]] +
                                                       z[["x2c"]])
  }
  ifun <- function(beta) {
    r <- exp(beta); z <- xb(beta)
    ((4 * r^2 + 11 * r) / (r^2 + 11 * r + 7) - z[["x1"]]^2) +
      2 * (z[["x3"]] - z[["x3"]]^2) +
      (10 / 3) * ((z[["x2"]] - z[["x2"]]^2) + (z[["x2b"]] - z[["x2b"]]^2) +
                    (z[["x2c"]] - z[["x2c"]]^2))
  }
  texp <- function(beta) {
    r <- exp(beta)
    h <- cumsum(c(1 / (r^2 + 11 * r + 7), 10 / (11 * r + 5), 2 / (2 * r + 1)))
    c(r^2, 1, r, r, 1, r, 1, r, 1) * h[c(1, 1, 2, 2, 2, 2, 2, 3, 3)]
  }
  f0 <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt,
            control = cox_control(iter_max = 0))
  f <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt)
  b <- unname(f$coefficients)
  expect_equal(f0$loglik[1], lfun(0), tolerance = sv_tol_cox)
  expect_equal(f$loglik[2], lfun(b), tolerance = sv_tol_cox)
  expect_lt(abs(ufun(b)), 1e-4)
  expect_equal(c(f0$var), 1 / ifun(0), tolerance = sv_tol_cox)
  expect_equal(c(f$var), 1 / ifun(b), tolerance = sv_tol_cox)
  # the score statistic at 0 from the closed form
  expect_equal(f0$score_test$statistic, ufun(0)^2 / ifun(0),
               tolerance = sv_tol_cox)
  # Breslow expected counts (martingale residuals) by hand
  fb0 <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt,
             ties = "breslow", control = cox_control(iter_max = 0))
  fb <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = "breslow")
  expect_equal(residuals(fb0), sv_testw1$status - texp(0),
               tolerance = sv_tol_cox)
  expect_equal(residuals(fb), sv_testw1$status - texp(unname(fb$coefficients)),
               tolerance = sv_tol_cox)
  # null model with weights
  fn <- cox(Surv(time, status) ~ 1, sv_testw1, weights = wt)
  expect_equal(unname(residuals(fn)),
               unname(residuals(coxph(Surv(time, status) ~ 1, sv_testw1,
                                      weights = wt))), tolerance = sv_tol_cox)
})

test_that("doweight: weighted (start, stop] data agree with coxph", {
  testw3 <- data.frame(
    id = c(1, 1, 2, 3, 3, 3, 4, 5, 5, 6, 7, 8, 8, 9),
    begin = c(0, 5, 0, 0, 10, 15, 0, 0, 14, 0, 0, 0, 23, 0),
    time = c(5, 10, 10, 10, 15, 20, 20, 14, 20, 20, 30, 23, 40, 50),
    status = c(0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 1, 0),
    x = c(2, 2, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1, 1, 0),
    wt = c(1, 1, 2, 3, 3, 3, 4, 3, 3, 2, 1, 2, 2, 1))
  for (ties in c("breslow", "efron")) {
    for (iter in list(0L, 20L)) {
      f <- cox(Surv(begin, time, status) ~ x, testw3, weights = wt,
               ties = ties, control = cox_control(iter_max = iter))
      g <- coxph(Surv(begin, time, status) ~ x, testw3, weights = wt,
                 ties = ties, iter.max = iter)
      sv_expect_cox(f, g)
      expect_equal(unname(drop(rowsum(residuals(f), testw3$id))),
                   unname(residuals(g, collapse = testw3$id)),
                   tolerance = sv_tol_cox)
      expect_equal(unname(drop(rowsum(residuals(f, "score"), testw3$id))),
                   unname(residuals(g, "score", collapse = testw3$id)),
                   tolerance = sv_tol_cox)
      expect_equal(unname(residuals(f, "schoenfeld")[, 1]),
                   as.vector(residuals(g, "schoenfeld")),
                   tolerance = sv_tol_cox)
    }
  }
})

test_that("doweight: weights in the dfbeta residuals and robust variance", {
  wtemp <- rep(1, 26)
  wtemp[c(5, 10, 15)] <- 2:4
  od <- cbind(ovarian, w = wtemp)
  f <- cox(Surv(futime, fustat) ~ age + ecog.ps, od, weights = w)
  g <- coxph(Surv(futime, fustat) ~ age + ecog.ps, od, weights = w,
             robust = FALSE)
  sv_expect_cox(f, g)
  expect_equal(unname(residuals(f, "dfbeta")),
               unname(residuals(g, "dfbeta")), tolerance = sv_tol_cox)

  t1 <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8),
                   status = c(1, NA, 1, 0, 1, 1, 0),
                   x = c(0, 2, 1, 1, 1, 0, 0),
                   wt = c(3, 0, 1, 1, 1, 1, 1), id = 1:7)
  tx <- data.frame(time = c(4, 4, 4, 1, 1, 2, 2, 3),
                   status = c(1, 1, 1, 1, 0, 1, 1, 0),
                   x = c(0, 0, 0, 1, 1, 1, 0, 0), id = 1:8)
  f1 <- cox(Surv(time, status) ~ x, t1, ties = "breslow", weights = wt,
            cluster = id)
  f2 <- cox(Surv(time, status) ~ x, tx, ties = "breslow", cluster = id)
  g1 <- coxph(Surv(time, status) ~ x, t1, ties = "breslow", weights = wt,
              cluster = id)
  g2 <- coxph(Surv(time, status) ~ x, tx, ties = "breslow", cluster = id)
  expect_equal(c(f1$var), c(g1$var), tolerance = sv_tol_cox)
  expect_equal(c(f2$var), c(g2$var), tolerance = sv_tol_cox)
  expect_equal(c(f1$naive_var), c(g1$naive.var), tolerance = sv_tol_cox)
  # weight 3 on one row = three rows: the same estimate, and the robust
  # variance from the weighted dfbetas
  expect_equal(f1$coefficients, f2$coefficients, tolerance = sv_tol_cox)
  db <- residuals(f1, "dfbeta")[, 1]
  expect_equal(c(f1$var), sum(db^2), tolerance = sv_tol_cox)
})

# --- ovarian.R -------------------------------------------------------------------------

test_that("ovarian: the single and multiple covariate models agree with coxph", {
  fms <- list(Surv(futime, fustat) ~ age, Surv(futime, fustat) ~ resid.ds,
              Surv(futime, fustat) ~ rx, Surv(futime, fustat) ~ ecog.ps,
              Surv(futime, fustat) ~ resid.ds + rx + ecog.ps,
              Surv(futime, fustat) ~ age + rx + ecog.ps,
              Surv(futime, fustat) ~ age + resid.ds + ecog.ps,
              Surv(futime, fustat) ~ age + resid.ds + rx)
  for (fm in fms) sv_expect_cox(cox(fm, ovarian), coxph(fm, ovarian))
  fm <- Surv(futime, fustat) ~ age + resid.ds + rx + ecog.ps
  f <- cox(fm, ovarian)
  g <- coxph(fm, ovarian)
  sv_expect_cox(f, g)
  expect_equal(unname(residuals(f, "deviance")),
               unname(residuals(g, "deviance")), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "score")), unname(residuals(g, "score")),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f, "schoenfeld")),
               unname(residuals(g, "schoenfeld")), tolerance = sv_tol_cox)
  fs <- cox(Surv(futime, fustat) ~ age + ecog.ps + strata(rx), ovarian)
  gs <- coxph(Surv(futime, fustat) ~ age + ecog.ps + strata(rx), ovarian)
  sv_expect_cox(fs, gs)
  bh <- basehaz(gs)
  expect_equal(baseline_hazard(fs)$hazard, bh$hazard, tolerance = sv_tol_cox)
  expect_equal(as.character(baseline_hazard(fs)$strata),
               as.character(bh$strata))
})

test_that("ovarian: offsets, and the baseline of an offset model by hand", {
  f1 <- cox(Surv(futime, fustat) ~ age + rx, ovarian,
            control = cox_control(eps = 1e-8))
  b2 <- unname(f1$coefficients[2])
  f2 <- cox(Surv(futime, fustat) ~ age + offset(rx * b2), ovarian,
            control = cox_control(eps = 1e-8))
  expect_equal(unname(f2$coefficients[1]), unname(f1$coefficients[1]),
               tolerance = 1e-6)

  f <- cox(Surv(futime, fustat) ~ age + offset(rx), ovarian)
  g <- coxph(Surv(futime, fustat) ~ age + offset(rx), ovarian)
  sv_expect_cox(f, g)
  # no tied times: the hazard increments are 1 / (sum of risks at risk),
  # the curve at the mean age and the mean offset (1.5)
  eta <- f$coefficients * (ovarian$age - mean(ovarian$age)) +
    (ovarian$rx - 1.5)
  ord <- order(ovarian$futime)
  risk <- exp(eta[ord])
  rsum <- rev(cumsum(rev(risk)))
  dead <- ovarian$fustat[ord] == 1
  expect_equal(sv_base_events(f, centered = TRUE)$surv,
               exp(-cumsum(1 / rsum[dead])), tolerance = sv_tol_cox)
  expect_equal(sv_base_events(f, centered = TRUE)$surv,
               survfit(g, censor = FALSE)$surv, tolerance = sv_tol_cox)
})

# --- jasa.R ----------------------------------------------------------------------------

test_that("jasa: the six Kalbfleisch-Prentice models agree with coxph", {
  fms <- list(Surv(start, stop, event) ~ (age + surgery) * transplant,
              Surv(start, stop, event) ~ year * transplant,
              Surv(start, stop, event) ~ (age + year) * transplant,
              Surv(start, stop, event) ~ (year + surgery) * transplant,
              Surv(start, stop, event) ~ (age + surgery) * transplant + year,
              Surv(start, stop, event) ~ age * transplant + surgery + year)
  for (fm in fms) {
    sv_expect_cox(cox(fm, jasa1, ties = "breslow"),
                  coxph(fm, jasa1, ties = "breslow"))
  }
})

test_that("jasa: four routes to the same age model and baseline", {
  jd <- jasa
  jd$j.age <- jd$age - 48
  f1 <- cox(Surv(futime, fustat) ~ j.age, jd)
  b1 <- unname(f1$coefficients)
  f2 <- cox(Surv(futime, fustat) ~ j.age, jd, init = b1,
            control = cox_control(iter_max = 0))
  f3 <- cox(Surv(start, stop, event) ~ age, jasa1)
  f4 <- cox(Surv(start, stop, event) ~ offset(age * b1), jasa1)
  g1 <- coxph(Surv(futime, fustat) ~ j.age, jd)
  sv_expect_cox(f1, g1)
  sv_expect_cox(f3, coxph(Surv(start, stop, event) ~ age, jasa1))
  expect_equal(unname(f3$coefficients), b1, tolerance = sv_tol_cox)
  # survival at the mean age of jasa1, each way
  m3 <- unname(f3$means)
  s1 <- exp(-sv_base_events(f1)$hazard * exp(b1 * m3))
  s2 <- exp(-sv_base_events(f2)$hazard * exp(b1 * m3))
  s3 <- sv_base_events(f3, centered = TRUE)$surv
  s4 <- sv_base_events(f4, centered = TRUE)$surv
  expect_equal(s2, s1, tolerance = sv_tol_cox)
  expect_equal(s3, s1, tolerance = sv_tol_cox)
  expect_equal(s4, s1, tolerance = sv_tol_cox)
  expect_equal(s1, survfit(g1, list(j.age = m3), censor = FALSE)$surv,
               tolerance = sv_tol_cox)
})

# --- bladder.R ---------------------------------------------------------------------------

test_that("bladder: Andersen-Gill with a cluster and the Prentice fits", {
  f <- cox(Surv(start, stop, event) ~ rx + size + number, bladder2,
           cluster = id, ties = "breslow")
  g <- coxph(Surv(start, stop, event) ~ rx + size + number, bladder2,
             cluster = id, ties = "breslow")
  sv_expect_cox(f, g)
  expect_equal(unname(f$naive_var), unname(g$naive.var),
               tolerance = sv_tol_cox)
  expect_equal(f$robust_score_test$statistic, unname(g$rscore),
               tolerance = sv_tol_cox)
  expect_equal(f$wald_test$statistic, unname(g$wald.test),
               tolerance = sv_tol_cox)
  for (k in 1:3) {
    fk <- cox(Surv(stop, event) ~ rx + size + number, bladder2,
              subset = enum == k, ties = "breslow")
    gk <- coxph(Surv(stop, event) ~ rx + size + number, bladder2,
                subset = enum == k, ties = "breslow")
    sv_expect_cox(fk, gk)
  }
  fg <- cox(Surv(stop - start, event) ~ rx + size + number, bladder2,
            subset = enum == 2, ties = "breslow")
  gg <- coxph(Surv(stop - start, event) ~ rx + size + number, bladder2,
              subset = enum == 2, ties = "breslow")
  sv_expect_cox(fg, gg)
})

# --- cancer.R ------------------------------------------------------------------------------

test_that("cancer: survSplit at the death times leaves the model unchanged", {
  dtime <- sv_lung$time[sv_lung$status == 2]
  lung2 <- survSplit(Surv(time, status) ~ ., sv_lung, cut = dtime)
  fm1 <- Surv(time, status) ~ ph.ecog + ph.karno + pat.karno + wt.loss +
    sex + age + strata(inst)
  fm2 <- Surv(tstart, time, status) ~ ph.ecog + ph.karno + pat.karno +
    wt.loss + sex + age + strata(inst)
  f1 <- cox(fm1, sv_lung)
  f2 <- cox(fm2, lung2)
  expect_equal(f2$loglik, f1$loglik, tolerance = sv_tol_cox)
  expect_equal(f2$coefficients, f1$coefficients, tolerance = sv_tol_cox)
  sv_expect_cox(f1, coxph(fm1, sv_lung))
})

# --- factor.R, factor2.R, prednew.R ---------------------------------------------------------

test_that("factor: predictions for new data with factors and missing values", {
  f <- cox(Surv(time, status) ~ age + factor(ph.ecog), lung,
           na.action = na.exclude)
  g <- coxph(Surv(time, status) ~ age + factor(ph.ecog), lung,
             na.action = na.exclude)
  p1 <- predict(f, type = "risk")
  expect_equal(unname(p1), unname(predict(g, type = "risk")),
               tolerance = sv_tol_cox)
  keep <- is.na(lung$ph.ecog) | lung$ph.ecog != 1
  # a missing covariate in newdata is refused, naming the column and row
  # (predict.coxph gives NA)
  expect_error(predict(f, newdata = lung[keep, ], type = "risk"),
               "`ph.ecog`, row 8", class = "cohortsurv_error")
  keep <- !is.na(lung$ph.ecog) & lung$ph.ecog != 1
  p2 <- predict(f, newdata = lung[keep, ], type = "risk")
  expect_equal(unname(p2), unname(p1[keep]), tolerance = sv_tol_cox)
})

test_that("factor2: a data frame of factor levels as new data", {
  f <- cox(Surv(time, status) ~ factor(ph.ecog), lung, na.action = na.exclude)
  p1 <- predict(f, newdata = data.frame(ph.ecog = factor(0:3)))
  p2 <- predict(f)
  expect_equal(unname(p1), unname(p2[match(0:3, lung$ph.ecog)]),
               tolerance = sv_tol_cox)
  f2 <- cox(Surv(time, status) ~ factor(ph.ecog) + factor(sex), lung)
  g2 <- coxph(Surv(time, status) ~ factor(ph.ecog) + factor(sex), lung)
  td <- expand.grid(ph.ecog = factor(0:3), sex = factor(1:2))
  q1 <- predict(f2, newdata = td, type = "risk")
  expect_equal(unname(q1), unname(predict(g2, newdata = td, type = "risk")),
               tolerance = sv_tol_cox)
  xd <- expand.grid(ph.ecog = factor(1:3), sex = factor(1:2))
  q2 <- predict(f2, newdata = xd, type = "risk")
  expect_equal(unname(q2), unname(q1[c(2:4, 6:8)]), tolerance = sv_tol_cox)
})

test_that("prednew: new data that hold only some factor levels, with strata", {
  f <- cox(Surv(time, status) ~ age + factor(ph.ecog) + strata(sex), lung,
           na.action = na.exclude)
  g <- coxph(Surv(time, status) ~ age + factor(ph.ecog) + strata(sex), lung,
             na.action = na.exclude)
  sv_expect_cox(f, g)
  keep <- which(lung$inst < 13 & (lung$ph.ecog == 1 | lung$ph.ecog == 2))
  # every reference of predict.coxph, its default ("strata") included
  for (type in c("lp", "risk")) {
    for (ref in c("strata", "sample", "zero")) {
      p1 <- predict(f, type = type, reference = ref)
      expect_equal(unname(p1),
                   unname(predict(g, type = type, reference = ref)),
                   tolerance = sv_tol_cox)
      p2 <- predict(f, type = type, newdata = lung[keep, ], reference = ref)
      expect_equal(unname(p2), unname(p1[keep]), tolerance = sv_tol_cox)
      expect_equal(unname(p2),
                   unname(predict(g, type = type, newdata = lung[keep, ],
                                  reference = ref)),
                   tolerance = sv_tol_cox)
    }
    expect_equal(unname(predict(f, type = type)),
                 unname(predict(g, type = type)), tolerance = sv_tol_cox)
  }
})

# --- coxsurv.R, coxsurv2.R ------------------------------------------------------------------

test_that("coxsurv: stratified baseline hazards agree with survfit.coxph", {
  f <- cox(Surv(time, status) ~ age + sex + meal.cal + strata(ph.ecog), lung)
  g <- coxph(Surv(time, status) ~ age + sex + meal.cal + strata(ph.ecog), lung)
  sv_expect_cox(f, g)
  s <- survfit(g)
  b <- baseline_hazard(f)
  expect_equal(b$time, s$time, tolerance = sv_tol_cox)
  expect_equal(b$n_risk, s$n.risk, tolerance = sv_tol_cox)
  expect_equal(b$n_event, s$n.event, tolerance = sv_tol_cox)
  expect_equal(b$surv, s$surv, tolerance = sv_tol_cox)
  expect_equal(b$hazard, s$cumhaz, tolerance = sv_tol_cox)
  expect_equal(as.vector(table(b$strata)), unname(as.vector(s$strata)),
               tolerance = sv_tol_cox)
})

test_that("coxsurv: offsets and an offset-only model", {
  f1 <- cox(Surv(time, status) ~ age + ph.ecog, lung)
  g1 <- coxph(Surv(time, status) ~ age + ph.ecog, lung)
  sv_expect_cox(f1, g1)
  b <- f1$coefficients
  d <- lung
  d$eta <- b[1] * d$age + b[2] * d$ph.ecog
  f3 <- cox(Surv(time, status) ~ offset(eta), d)
  expect_equal(f3$loglik[length(f3$loglik)], f1$loglik[2],
               tolerance = sv_tol_cox)
  # survival for age 50, ph.ecog 1, from the uncentred baselines
  s1 <- survfit(g1, newdata = data.frame(age = 50, ph.ecog = 1))
  h1 <- baseline_hazard(f1, centered = FALSE)$hazard
  expect_equal(exp(-h1 * exp(sum(b * c(50, 1)))), s1$surv,
               tolerance = sv_tol_cox)
  # an offset-only model: the baseline is at the mean offset (as basehaz)
  g3 <- coxph(Surv(time, status) ~ offset(eta), d)
  h3 <- baseline_hazard(f3, centered = FALSE)$hazard
  expect_equal(h3, basehaz(g3, centered = FALSE)$hazard,
               tolerance = sv_tol_cox)
  expect_equal(exp(-h3 * exp(sum(b * c(50, 1)) - f3$offset_mean)), s1$surv,
               tolerance = sv_tol_cox)
})

test_that("coxsurv2: at beta = 0 the Breslow baseline is the Nelson-Aalen", {
  f <- cox(Surv(time, status) ~ age + strata(sex), lung, ties = "breslow",
           control = cox_control(iter_max = 0))
  s <- survfit(Surv(time, status) ~ sex, lung, stype = 2)
  b <- baseline_hazard(f)
  expect_equal(b$time, s$time, tolerance = sv_tol_cox)
  expect_equal(b$n_risk, s$n.risk, tolerance = sv_tol_cox)
  expect_equal(b$hazard, s$cumhaz, tolerance = sv_tol_cox)
  expect_equal(b$surv, s$surv, tolerance = sv_tol_cox)
  set.seed(1)
  d <- lung
  d$rwt <- runif(nrow(lung), .5, 3)
  fw <- cox(Surv(time, status) ~ age + strata(sex), d, ties = "breslow",
            weights = rwt, control = cox_control(iter_max = 0))
  sw <- survfit(Surv(time, status) ~ sex, d, stype = 2, weights = rwt,
                robust = FALSE)
  bw <- baseline_hazard(fw)
  expect_equal(bw$n_risk, sw$n.risk, tolerance = sv_tol_cox)
  expect_equal(bw$hazard, sw$cumhaz, tolerance = sv_tol_cox)
})

# --- anova.R ------------------------------------------------------------------------------

test_that("anova: sequential tests with a strata term and poly()", {
  tdata <- na.omit(lung[, c("time", "status", "ph.ecog", "wt.loss", "sex",
                            "age")])
  f1 <- cox(Surv(time, status) ~ ph.ecog + wt.loss + strata(sex) +
              poly(age, 3), tdata)
  g1 <- coxph(Surv(time, status) ~ ph.ecog + wt.loss + strata(sex) +
                poly(age, 3), tdata)
  sv_expect_cox(f1, g1)
  a <- anova(f1)
  ga <- anova(g1)
  expect_equal(a$loglik, ga$loglik, tolerance = sv_tol_cox)
  expect_equal(a$statistic[-1], ga$Chisq[-1], tolerance = sv_tol_cox)
  expect_equal(a$df[-1], ga$Df[-1], tolerance = sv_tol_cox)
  expect_equal(a$p_value[-1], ga[[4]][-1], tolerance = sv_tol_cox)
  f2 <- cox(Surv(time, status) ~ ph.ecog + wt.loss + strata(sex), tdata)
  f3 <- cox(Surv(time, status) ~ ph.ecog + strata(sex), tdata)
  expect_equal(a$loglik, c(f1$loglik[1], f3$loglik[2], f2$loglik[2],
                           f1$loglik[2]), tolerance = sv_tol_cox)
  a2 <- anova(f3, f2, f1)
  expect_equal(a2$loglik, a$loglik[-1], tolerance = sv_tol_cox)
  expect_equal(a2$statistic[2:3], a$statistic[3:4], tolerance = sv_tol_cox)
  expect_equal(a2$p_value[2:3], a$p_value[3:4], tolerance = sv_tol_cox)
})

# --- doublecolon.R -------------------------------------------------------------------------

test_that("doublecolon: survival::Surv() and a Surv object made outside", {
  c1 <- cox(Surv(time, status) ~ age + strata(inst), lung)
  g1 <- coxph(Surv(time, status) ~ age + strata(inst), lung)
  sv_expect_cox(c1, g1)
  c3 <- cox(survival::Surv(time, status) ~ age + strata(inst), lung)
  expect_equal(c3$coefficients, c1$coefficients, tolerance = sv_tol_cox)
  y2 <- with(lung, survival::Surv(time, status))
  f1a <- cox(Surv(time, status) ~ age + strata(sex), lung, cluster = inst)
  f1c <- cox(y2 ~ age + strata(sex), lung, cluster = inst)
  expect_equal(unname(f1c$coefficients), unname(f1a$coefficients),
               tolerance = sv_tol_cox)
  expect_equal(unname(f1c$var), unname(f1a$var), tolerance = sv_tol_cox)
  k5a <- km(Surv(time, status) ~ sex, lung)
  k5b <- km(Surv(time, status) ~ strata(sex), lung)
  k5d <- km(y2 ~ strata(sex), lung)
  expect_equal(k5b$curves$surv, k5a$curves$surv, tolerance = sv_tol_km)
  expect_equal(k5d$curves$surv, k5a$curves$surv, tolerance = sv_tol_km)
})

# --- badname.R ----------------------------------------------------------------------------

test_that("badname: a non-syntactic covariate name gives the same fit", {
  lung2 <- lung
  lung2["bad sex"] <- lung2$sex
  f1 <- cox(Surv(time, status) ~ ph.ecog + sex, lung2)
  f2 <- cox(Surv(time, status) ~ ph.ecog + `bad sex`, lung2)
  expect_equal(unname(f2$coefficients), unname(f1$coefficients),
               tolerance = sv_tol_cox)
  expect_equal(f2$loglik, f1$loglik, tolerance = sv_tol_cox)
  sv_expect_cox(f2, coxph(Surv(time, status) ~ ph.ecog + `bad sex`, lung2))
  dummy <- expand.grid(ph.ecog = 0:2, sex = 1:2)
  dummy["bad sex"] <- dummy$sex
  expect_equal(unname(predict(f2, newdata = dummy)),
               unname(predict(f1, newdata = dummy)), tolerance = sv_tol_cox)
})

# --- update.R, nested.R -----------------------------------------------------------------------

test_that("update: adding a term to a clustered fit", {
  f1 <- cox(Surv(time, status) ~ age, lung, cluster = inst)
  f3 <- cox(Surv(time, status) ~ age + sex, lung, cluster = inst)
  u <- update(f1, . ~ . + sex)
  expect_equal(u$coefficients, f3$coefficients, tolerance = sv_tol_cox)
  expect_equal(u$var, f3$var, tolerance = sv_tol_cox)
  g3 <- coxph(Surv(time, status) ~ age + sex + cluster(inst), lung)
  sv_expect_cox(f3, g3)
  expect_equal(unname(f3$naive_var), unname(g3$naive.var),
               tolerance = sv_tol_cox)
})

test_that("nested: fits and predictions made inside functions", {
  tfun <- function(fit, mydata) predict(fit, newdata = mydata)
  myfit <- cox(Surv(time, status) ~ age + factor(sex), lung)
  expect_equal(tfun(myfit, lung[1:5, ]), predict(myfit, newdata = lung[1:5, ]),
               tolerance = sv_tol_cox)
  expect_equal(unname(tfun(myfit, lung[1:5, ])),
               unname(predict(coxph(Surv(time, status) ~ age + factor(sex),
                                    lung), newdata = lung[1:5, ],
                              reference = "sample")),
               tolerance = sv_tol_cox)
  # local weights and a subset that names a column
  ffun <- function(dd, k) {
    ww <- rep(2, nrow(dd))
    cox(Surv(time, status) ~ age, dd, weights = ww, subset = sex == k)
  }
  g <- coxph(Surv(time, status) ~ age, lung, weights = rep(2, nrow(lung)),
             subset = sex == 1)
  sv_expect_cox(ffun(lung, 1), g)
  # a local variable inside a formula term
  kfun <- function(dd) {
    cut <- 2
    km(Surv(time, status) ~ I(ph.ecog >= cut), dd)
  }
  sv_expect_km(kfun(lung), survfit(Surv(time, status) ~ I(ph.ecog >= 2),
                                   lung))
})

# --- strata2.R, frank.R, coxsurv4.R: strata() in interactions -----------------------------

test_that("strata2: sex:strata(ph.ecog) does not depend on the coding of sex", {
  tdata <- lung
  tdata$sex <- lung$sex + 3
  fm <- Surv(time, status) ~ age + sex:strata(ph.ecog)
  # ph.ecog = 3 has one subject: its slope is aliased (NA)
  expect_message(f1 <- cox(fm, lung, na.action = na.exclude), "collinear")
  expect_message(f2 <- cox(fm, tdata, na.action = na.exclude), "collinear")
  g1 <- suppressWarnings(coxph(fm, lung, na.action = na.exclude))
  expect_equal(names(f1$coefficients), names(coef(g1)))
  expect_equal(unname(is.na(f1$coefficients)), c(FALSE, FALSE, FALSE, FALSE,
                                                  TRUE))
  ok <- !is.na(f1$coefficients)
  expect_equal(f2$coefficients, f1$coefficients, tolerance = sv_tol_cox)
  expect_equal(f2$var[ok, ok], f1$var[ok, ok], tolerance = sv_tol_cox)
  expect_equal(predict(f2), predict(f1), tolerance = sv_tol_cox)
  expect_equal(unname(f1$coefficients), unname(coef(g1)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f1$var[ok, ok]), unname(g1$var[ok, ok]),
               tolerance = sv_tol_cox)
  expect_equal(f1$loglik, g1$loglik, tolerance = sv_tol_cox)
  expect_equal(f1$score_test$statistic, unname(g1$score),
               tolerance = sv_tol_cox)
  expect_equal(unname(predict(f1)), unname(predict(g1)),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f1)), unname(residuals(g1)),
               tolerance = sv_tol_cox)
})

test_that("frank: age*strata(sex) and (age - 50)*strata(sex) give one model", {
  d <- lung
  d$age2 <- d$age - 50
  f1 <- cox(Surv(time, status) ~ age * strata(sex), d)
  f2 <- cox(Surv(time, status) ~ age2 * strata(sex), d)
  g1 <- coxph(Surv(time, status) ~ age * strata(sex), d)
  expect_equal(names(f1$coefficients), c("age", "age:strata(sex)sex=2"))
  expect_equal(names(f1$coefficients), names(coef(g1)))
  sv_expect_cox(f1, g1)
  expect_equal(unname(f2$coefficients), unname(f1$coefficients),
               tolerance = sv_tol_cox)
  expect_equal(unname(f2$var), unname(f1$var), tolerance = sv_tol_cox)
  expect_equal(f2$loglik, f1$loglik, tolerance = sv_tol_cox)
  # the curves for new subjects: the same from both fits and as survfit's
  tdata <- data.frame(age = 50:60, age2 = 0:10,
                      sex = c(1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1))
  st <- paste0("sex=", tdata$sex)
  c1 <- sv_cox_curves(f1, tdata, st)
  c2 <- sv_cox_curves(f2, tdata, st)
  expect_equal(c2$surv, c1$surv, tolerance = sv_tol_cox)
  s1 <- survfit(g1, tdata)
  expect_equal(c1$surv, c(s1$surv), tolerance = sv_tol_cox)
  expect_equal(c1$time, s1$time, tolerance = sv_tol_cox)
  expect_equal(c1$n_risk, s1$n.risk, tolerance = sv_tol_cox)
  for (type in c("lp", "risk")) {
    for (ref in c("strata", "sample", "zero")) {
      expect_equal(unname(predict(f1, tdata, type = type, reference = ref)),
                   unname(predict(g1, tdata, type = type, reference = ref)),
                   tolerance = sv_tol_cox)
    }
  }
  # the sex = 1 curves are those of a one-stratum fit at the same slope
  f3 <- cox(Surv(time, status) ~ age, d, subset = sex == 1,
            init = f1$coefficients[1], control = cox_control(iter_max = 0))
  c3 <- sv_cox_curves(f3, data.frame(age = c(50, 52, 54)))
  expect_equal(c3$surv, c1$surv[c1$row %in% c(1, 3, 5)],
               tolerance = sv_tol_cox)
  expect_equal(c3$time, c1$time[c1$row %in% c(1, 3, 5)],
               tolerance = sv_tol_cox)
})

test_that("coxsurv4: age*strata(sex) + strata(ph.ecog), curves per stratum", {
  fm <- Surv(time, status) ~ wt.loss + age * strata(sex) + strata(ph.ecog)
  f1 <- cox(fm, lung)
  g1 <- coxph(fm, lung)
  expect_equal(names(f1$coefficients), names(coef(g1)))
  sv_expect_cox(f1, g1)
  expect_equal(unname(residuals(f1, "score")), unname(residuals(g1, "score")),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f1, "dfbeta")),
               unname(residuals(g1, "dfbeta")), tolerance = sv_tol_cox)
  # the test of proportional hazards, per term (the interaction one term)
  expect_equal(unname(ph_test(f1)$statistic),
               unname(cox.zph(g1)$table[, "chisq"]), tolerance = sv_tol_cox)
  tdata <- data.frame(wt.loss = c(10, 5, 0, 10, 15, 20, 25),
                      age = c(50, 60, 50, 60, 70, 40, 21),
                      sex = c(1, 1, 2, 2, 1, 1, 1),
                      ph.ecog = c(0, 0, 1, 1, 2, 2, 2))
  st <- paste0("sex=", tdata$sex, "; ph.ecog=", tdata$ph.ecog)
  expect_true(all(st %in% as.character(f1$strata)))
  c1 <- sv_cox_curves(f1, tdata, st)
  s1 <- suppressWarnings(survfit(g1, newdata = tdata))
  expect_equal(c1$surv, c(s1$surv), tolerance = sv_tol_cox)
  expect_equal(c1$n_event, s1$n.event, tolerance = sv_tol_cox)
  # (coxph warns that the strata() contrast is ignored)
  expect_equal(unname(predict(f1, tdata, reference = "zero")),
               unname(suppressWarnings(predict(g1, tdata,
                                               reference = "zero"))),
               tolerance = sv_tol_cox)
  # each stratum's curves are those of a fit to that stratum alone, at the
  # slopes of its sex (the script's fit2, fit3 and fit4)
  b <- f1$coefficients
  one <- function(sx, ec, slopes, rows) {
    f <- cox(Surv(time, status) ~ wt.loss + age, lung,
             subset = sex == sx & ph.ecog == ec, init = slopes,
             control = cox_control(iter_max = 0))
    cs <- sv_cox_curves(f, tdata[rows, ])
    expect_equal(cs$surv, c1$surv[c1$row %in% rows], tolerance = sv_tol_cox)
    expect_equal(cs$time, c1$time[c1$row %in% rows], tolerance = sv_tol_cox)
    expect_equal(cs$n_risk, c1$n_risk[c1$row %in% rows],
                 tolerance = sv_tol_cox)
  }
  one(1, 0, b[1:2], 1:2)
  one(2, 1, c(b[1], b[2] + b[3]), 3:4)
  one(1, 2, b[1:2], 5:7)
})

# --- model.matrix.R: coxph's design, a strata-by-factor interaction ----------------------

sv_mm1 <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8),
                     status = c(1, NA, 1, 0, 1, 1, 0),
                     x = c(0, 2, 1, 1, 1, 0, 0),
                     z = factor(c("a", "a", "b", "b", "c", "c", "a")),
                     x2 = factor(rep(1:2, length = 7)))

test_that("model.matrix: the design of a factor, and new data without a level", {
  f1 <- cox(Surv(time, status) ~ z, sv_mm1,
            control = cox_control(iter_max = 1))
  g1 <- coxph(Surv(time, status) ~ z, sv_mm1, iter.max = 1, x = TRUE)
  expect_equal(unname(f1$coefficients), unname(coef(g1)),
               tolerance = sv_tol_cox)
  expect_equal(f1$loglik, g1$loglik, tolerance = sv_tol_cox)
  expect_equal(unname(f1$x), unname(g1$x), tolerance = sv_tol_cox)
  expect_equal(colnames(f1$x), c("zb", "zc"))
  expect_equal(f1$assign, attr(g1$x, "assign"))
  # new data without level b: the zb column is 0 (the levels of the fit are
  # kept), and the row with a missing status is predicted too
  test2 <- sv_mm1
  test2$z <- factor(c("a", "a", "a", "a", "c", "c", "a"))
  p <- predict(f1, newdata = test2, reference = "zero")
  expect_equal(unname(p), unname(f1$coefficients["zc"] * (test2$z == "c")),
               tolerance = sv_tol_cox)
  expect_equal(unname(p), unname(predict(g1, newdata = test2,
                                         reference = "zero")),
               tolerance = sv_tol_cox)
})

test_that("model.matrix: strata(x2)*z has coxph's columns, names and strata", {
  f3 <- cox(Surv(time, status) ~ strata(x2) * z, sv_mm1,
            control = cox_control(iter_max = 0))
  g3 <- coxph(Surv(time, status) ~ strata(x2) * z, sv_mm1, iter.max = 0,
              x = TRUE)
  expect_equal(colnames(f3$x), c("zb", "zc", "strata(x2)2:zb",
                                 "strata(x2)2:zc"))
  expect_equal(names(f3$coefficients), names(coef(g3)))
  expect_equal(f3$assign, c(2, 2, 3, 3))
  expect_equal(f3$contrasts, list("strata(x2)" = "contr.treatment",
                                  z = "contr.treatment"))
  expect_equal(unname(f3$x), unname(g3$x), tolerance = sv_tol_cox)
  expect_equal(f3$strata_code + 1, as.integer(g3$strata))
  expect_equal(f3$loglik, g3$loglik, tolerance = sv_tol_cox)
  expect_equal(f3$score_test$statistic, unname(g3$score),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f3)), unname(residuals(g3)),
               tolerance = sv_tol_cox)
  # at beta = 0 the interaction columns are singular (coxph: variance 0)
  expect_equal(unname(f3$var[1:2, 1:2]), unname(g3$var[1:2, 1:2]),
               tolerance = sv_tol_cox)
  expect_true(all(is.na(f3$var[3:4, ])))
  expect_true(all(g3$var[3:4, ] == 0))
})

# --- bladder.R: the Wei, Lin and Weissfeld marginal model ----------------------------------

test_that("bladder: (rx + size + number)*strata(enum) with a cluster (Wei et al.)", {
  fm <- Surv(stop, event) ~ (rx + size + number) * strata(enum)
  w <- cox(fm, bladder, cluster = id, ties = "breslow")
  g <- coxph(fm, bladder, cluster = id, ties = "breslow")
  expect_equal(names(w$coefficients), names(coef(g)))
  sv_expect_cox(w, g)
  expect_equal(unname(w$naive_var), unname(g$naive.var),
               tolerance = sv_tol_cox)
  expect_equal(w$robust_score_test$statistic, unname(g$rscore),
               tolerance = sv_tol_cox)
  expect_equal(w$wald_test$statistic, unname(g$wald.test),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(w, "dfbeta")),
               unname(residuals(g, "dfbeta")), tolerance = sv_tol_cox)
  # the same with a cluster() term
  w2 <- cox(update(fm, . ~ . + cluster(id)), bladder, ties = "breslow")
  expect_equal(w2$var, w$var, tolerance = sv_tol_cox)
  # the rx effect of each recurrence (Wei et al., table 5) and its
  # variance (eqn 3.2), as bladder.Rout.save prints them
  rx <- c(1, 4, 5, 6)
  cmat <- diag(4)
  cmat[1, ] <- 1
  est <- drop(w$coefficients[rx] %*% cmat)
  expect_equal(est, c(-0.5176209, -0.6194404, -0.6998771, -0.6507935),
               tolerance = 1e-6)
  v <- t(cmat) %*% w$var[rx, rx] %*% cmat
  expect_equal(v[upper.tri(v, TRUE)],
               c(0.09455501, 0.06017669, 0.13242834, 0.05677331, 0.13011557,
                 0.17235879, 0.0437777, 0.1160420, 0.1590865, 0.2398112),
               tolerance = 1e-6)
  # the strata separate completely: each recurrence's slopes are those of
  # its own fit
  for (k in 1:4) {
    fk <- cox(Surv(stop, event) ~ rx + size + number, bladder,
              subset = enum == k, ties = "breslow",
              control = cox_control(eps = 1e-12))
    # rx, size, number, then rx:, size:, number: for enum = 2, 3, 4
    bk <- w$coefficients[1:3] +
      if (k == 1) 0 else w$coefficients[c(3, 6, 9) + k - 1]
    expect_equal(unname(bk), unname(fk$coefficients), tolerance = sv_tol_cox)
  }
})

# --- jasa.R: age*strata(ss) ------------------------------------------------------------------

test_that("jasa: two copies as strata, age*strata(ss) + age2", {
  f3 <- cox(Surv(start, stop, event) ~ age, jasa1)
  ll <- nrow(jasa1)
  ss <- rep(0:1, c(ll, ll))
  tdata <- with(jasa1, data.frame(start = rep(start, 2), stop = rep(stop, 2),
                                  event = rep(event, 2), ss = ss,
                                  age = rep(age, 2),
                                  age2 = (rep(age, 2))^2 * ss))
  fm <- Surv(start, stop, event) ~ age * strata(ss) + age2
  f <- cox(fm, tdata)
  g <- coxph(fm, tdata)
  expect_equal(names(f$coefficients), names(coef(g)))
  sv_expect_cox(f, g)
  # the first copy has its own slope: that of the one-copy fit
  expect_equal(unname(f$coefficients[1]), unname(f3$coefficients),
               tolerance = 1e-6)
  # and the survival of its stratum at the mean age is the one-copy curve
  nd <- data.frame(age = f3$means, age2 = 0, ss = 0)
  c5 <- sv_cox_curves(f, nd, "ss=0", censor = FALSE)
  s5 <- survfit(g, nd, censor = FALSE)
  expect_equal(c5$surv, s5$surv[seq_len(s5$strata[1])],
               tolerance = sv_tol_cox)
  f3b <- cox(Surv(start, stop, event) ~ age, jasa1, init = f$coefficients[1],
             control = cox_control(iter_max = 0))
  expect_equal(c5$surv, sv_base_events(f3b, centered = TRUE)$surv,
               tolerance = sv_tol_cox)
})

# --- doublecolon.R: survival::strata() and survival::cluster() ----------------------------

test_that("doublecolon: survival::strata() and survival::cluster() are markers", {
  # survival >= 3.6 reads them as strata() and cluster(); the installed
  # coxph may not, so the oracle is the formula without the prefix
  g1 <- coxph(Surv(time, status) ~ age + strata(inst), lung)
  c3 <- cox(survival::Surv(time, status) ~ age + survival::strata(inst), lung)
  sv_expect_cox(c3, g1)
  expect_equal(length(c3$strata), length(unique(na.omit(lung$inst))))
  g1a <- coxph(Surv(time, status) ~ age + strata(sex) + cluster(inst), lung)
  f1a <- cox(Surv(time, status) ~ age + strata(sex) + cluster(inst), lung)
  f1b <- cox(Surv(time, status) ~ age + survival::strata(sex) +
               survival::cluster(inst), lung)
  sv_expect_cox(f1a, g1a)
  expect_equal(unname(f1a$naive_var), unname(g1a$naive.var),
               tolerance = sv_tol_cox)
  for (k in c("coefficients", "var", "naive_var", "loglik")) {
    expect_equal(f1b[[k]], f1a[[k]], tolerance = sv_tol_cox, label = k)
  }
  expect_equal(f1b$robust_score_test$statistic, c(g1a$rscore),
               tolerance = sv_tol_cox)
  y2 <- with(lung, survival::Surv(time, status))
  f1c <- cox(y2 ~ age + strata(sex) + survival::cluster(inst), lung)
  expect_equal(unname(f1c$coefficients), unname(f1a$coefficients),
               tolerance = sv_tol_cox)
  expect_equal(unname(f1c$var), unname(f1a$var), tolerance = sv_tol_cox)
})

# --- cancer.R: "." in the formula, and update() ----------------------------------------------

test_that("cancer: '.' in a formula and update() of the fit", {
  fm <- Surv(time, status) ~ . - meal.cal - wt.loss - inst
  f1 <- cox(fm, lung)
  g1 <- coxph(fm, lung)
  expect_equal(names(f1$coefficients), names(coef(g1)))
  # the rows missing meal.cal or wt.loss go too, as in coxph
  expect_equal(f1$n, g1$n)
  sv_expect_cox(f1, g1)
  f2 <- update(f1, . ~ . - ph.karno)
  f3 <- cox(Surv(time, status) ~ age + sex + ph.ecog + pat.karno, lung)
  expect_equal(names(f2$coefficients), names(f3$coefficients))
  for (k in c("coefficients", "var", "loglik", "n", "n_event",
              "linear_predictors")) {
    expect_equal(f2[[k]], f3[[k]], tolerance = sv_tol_cox, label = k)
  }
  expect_equal(deparse1(f2$call), deparse1(f3$call))
  sv_expect_cox(f2, update(g1, . ~ . - ph.karno))
})

# --- update.R: cluster = and cluster() ------------------------------------------------------

test_that("update: cluster = and a cluster() term give the same fit", {
  f1 <- cox(Surv(time, status) ~ age, lung, cluster = inst)
  f2 <- cox(Surv(time, status) ~ age + cluster(inst), lung)
  for (k in c("coefficients", "var", "naive_var", "loglik", "n",
              "n_cluster")) {
    expect_equal(f2[[k]], f1[[k]], tolerance = sv_tol_cox, label = k)
  }
  expect_equal(f2$robust_score_test, f1$robust_score_test,
               tolerance = sv_tol_cox)
  g2 <- coxph(Surv(time, status) ~ age + cluster(inst), lung)
  sv_expect_cox(f2, g2)
  expect_equal(unname(f2$naive_var), unname(g2$naive.var),
               tolerance = sv_tol_cox)
  expect_equal(f2$n, g2$n)
})

# --- doaml.R: formulas of data-frame columns, without data ----------------------------------

test_that("doaml: Surv(aml$time, aml$status) ~ aml$x without a data argument", {
  f <- cox(Surv(aml$time, aml$status) ~ aml$x, ties = "breslow")
  g <- coxph(Surv(aml$time, aml$status) ~ aml$x, method = "breslow")
  expect_equal(names(f$coefficients), names(coef(g)))
  sv_expect_cox(f, g)
  f2 <- cox(Surv(time, status) ~ x, aml, ties = "breslow")
  expect_equal(unname(f2$coefficients), unname(f$coefficients),
               tolerance = sv_tol_cox)
  expect_equal(f2$loglik, f$loglik, tolerance = sv_tol_cox)
  # an offset-only model without data: the Breslow baseline by hand
  tf <- cox(Surv(aml$time, aml$status) ~ offset(log(1:23)), ties = "breslow")
  rscore <- exp(log(1:23) - mean(log(1:23)))[order(aml$time)]
  atime <- sort(aml$time)
  denom <- rev(cumsum(rev(rscore)))
  denom <- denom[match(unique(atime), atime)]
  deaths <- tapply(aml$status, aml$time, sum)
  expect_equal(sv_base_events(tf, centered = TRUE)$surv,
               as.vector(exp(-cumsum(deaths / denom)[deaths > 0])),
               tolerance = sv_tol_cox)
  expect_equal(tf$loglik, coxph(Surv(aml$time, aml$status) ~
                                  offset(log(1:23)), ties = "breslow")$loglik,
               tolerance = sv_tol_cox)
})

# --- survtest.R: null Cox models and a negative subset -------------------------------------

test_that("survtest: the baseline of ~ 1 and of ~ strata(x) with subset = -1", {
  d <- cbind(sv_test2, wt = 1:10)[c(1, 6, 2, 7, 3, 8, 4, 9, 5, 10), ]
  c1 <- cox(Surv(start, stop, event) ~ 1, d)
  s1 <- survfit(coxph(Surv(start, stop, event) ~ 1, d))
  b1 <- baseline_hazard(c1)
  expect_equal(b1$time, s1$time, tolerance = sv_tol_cox)
  expect_equal(b1$n_risk, s1$n.risk, tolerance = sv_tol_cox)
  expect_equal(b1$hazard, s1$cumhaz, tolerance = sv_tol_cox)
  expect_equal(b1$surv, s1$surv, tolerance = sv_tol_cox)
  # the Efron hazard of a null model: the two deaths at 9 (risk set 5)
  # add 1/5 + 1/4
  expect_equal(b1$hazard[b1$time == 9] - b1$hazard[b1$time == 8],
               1 / 5 + 1 / 4, tolerance = sv_tol_cox)
  c2 <- cox(Surv(start, stop, event) ~ strata(x), d, subset = -1)
  g2 <- coxph(Surv(start, stop, event) ~ strata(x), d, subset = -1)
  expect_equal(c2$n, 9)
  expect_equal(c2$loglik, g2$loglik, tolerance = sv_tol_cox)
  s2 <- survfit(g2)
  b2 <- baseline_hazard(c2)
  expect_equal(b2$time, s2$time, tolerance = sv_tol_cox)
  expect_equal(b2$hazard, s2$cumhaz, tolerance = sv_tol_cox)
  expect_equal(b2$surv, s2$surv, tolerance = sv_tol_cox)
  expect_equal(as.vector(table(b2$strata)), unname(as.vector(s2$strata)))
  # subset = -1 drops the first row of the data as given (here row 1 of
  # sv_test2, the x = 1 death at 2)
  c2b <- cox(Surv(start, stop, event) ~ strata(x), d[-1, ])
  expect_equal(baseline_hazard(c2b)$hazard, b2$hazard, tolerance = sv_tol_cox)
})

# --- tiedtime.R: nearly equal times ------------------------------------------------------------

test_that("tiedtime: times equal up to rounding are one time in cox()", {
  tdata <- data.frame(time = c(1, 2, sqrt(2)^2, 2, sqrt(2)^2),
                      status = rep(1, 5), x = c(0, 1, 0, 1, 1))
  expect_false(sqrt(2)^2 == 2)
  f <- cox(Surv(time, status) ~ x, tdata)
  g <- coxph(Surv(time, status) ~ x, tdata)
  sv_expect_cox(f, g)
  # the same fit as with the times rounded
  fr <- cox(Surv(round(time), status) ~ x, tdata)
  expect_equal(fr$coefficients, f$coefficients, tolerance = sv_tol_cox)
  expect_equal(fr$loglik, f$loglik, tolerance = sv_tol_cox)
  # timefix = FALSE keeps them apart, as coxph's control does
  f0 <- cox(Surv(time, status) ~ x, tdata, timefix = FALSE)
  g0 <- coxph(Surv(time, status) ~ x, tdata,
              control = coxph.control(timefix = FALSE))
  sv_expect_cox(f0, g0)
  expect_gt(abs(f0$coefficients - f$coefficients), 0.1)
  # Breslow too, and with (start, stop] data
  sv_expect_cox(cox(Surv(time, status) ~ x, tdata, ties = "breslow"),
                coxph(Surv(time, status) ~ x, tdata, ties = "breslow"))
  td2 <- cbind(tdata, t0 = c(0, 0, 2 - sqrt(2)^2 + 1, 0, 0))
  sv_expect_cox(cox(Surv(t0, time, status) ~ x, td2),
                coxph(Surv(t0, time, status) ~ x, td2))
})

# --- prednew.R: prediction types cohortsurv does not offer ------------------------------------

test_that("prednew: type = 'expected' and 'terms' as predict.coxph", {
  f <- cox(Surv(time, status) ~ age + factor(ph.ecog) + strata(sex), lung)
  g <- coxph(Surv(time, status) ~ age + factor(ph.ecog) + strata(sex), lung)
  expect_equal(unname(predict(f, type = "expected")),
               unname(predict(g, type = "expected")), tolerance = 1e-8)
  expect_equal(unname(predict(f, type = "terms")),
               unname(predict(g, type = "terms")), tolerance = 1e-8)
})

# --- clogit.R: conditional logistic regression as a stratified Cox model -------------------

test_that("clogit: a multinomial response as one stratum per subject", {
  nresp <- length(levels(logan$occupation))
  n <- nrow(logan)
  indx <- rep(1:n, nresp)
  logan2 <- data.frame(logan[indx, ], id = indx,
                       occ2 = factor(rep(levels(logan$occupation), each = n)))
  logan2$y <- logan2$occupation == logan2$occ2
  logan2$dummy <- 1
  fm <- Surv(dummy, y) ~ occ2 + occ2:education + occ2:race + strata(id)
  # two aliased columns
  expect_message(f2 <- cox(fm, logan2, ties = "breslow"), "collinear")
  g2 <- suppressWarnings(coxph(fm, logan2, method = "breslow"))
  c1 <- suppressWarnings(clogit(y ~ occ2 + occ2:education + occ2:race +
                                  strata(id), logan2))
  ok <- !is.na(f2$coefficients)
  expect_equal(sum(!ok), 2)
  expect_equal(names(f2$coefficients), names(coef(g2)))
  for (g in list(g2, c1)) {
    expect_equal(unname(f2$coefficients), unname(coef(g)),
                 tolerance = sv_tol_cox)
    expect_equal(unname(f2$var[ok, ok]), unname(g$var[ok, ok]),
                 tolerance = sv_tol_cox)
    expect_equal(f2$loglik, g$loglik, tolerance = sv_tol_cox)
  }
  expect_equal(unname(residuals(f2)), unname(residuals(g2)),
               tolerance = sv_tol_cox)
  # one death per stratum: Efron is Breslow (and the exact likelihood)
  fe <- suppressMessages(cox(fm, logan2))
  expect_equal(fe$coefficients, f2$coefficients, tolerance = sv_tol_cox)
  expect_equal(fe$loglik, f2$loglik, tolerance = sv_tol_cox)
})

test_that("clogit: matched case-control data (infert) and update()", {
  d <- cbind(infert, one = 1)
  f1 <- cox(Surv(one, case) ~ spontaneous + induced + strata(stratum), d)
  c1 <- clogit(case ~ spontaneous + induced + strata(stratum), infert)
  expect_equal(unname(f1$coefficients), unname(coef(c1)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f1$var), unname(c1$var), tolerance = sv_tol_cox)
  expect_equal(f1$loglik, c1$loglik, tolerance = sv_tol_cox)
  f2 <- update(f1, . ~ . - induced)
  c2 <- update(c1, . ~ . - induced)
  expect_equal(unname(f2$coefficients), unname(coef(c2)),
               tolerance = sv_tol_cox)
  expect_equal(f2$loglik, c2$loglik, tolerance = sv_tol_cox)
  f3 <- update(f1, data = d[1:240, ])
  # (update() of a clogit fit with new data fails in survival 3.5.3, its
  # issue 331: refit instead)
  c3 <- clogit(case ~ spontaneous + induced + strata(stratum),
               infert[1:240, ])
  expect_equal(f3$n, 240)
  expect_equal(unname(f3$coefficients), unname(coef(c3)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f3$var), unname(c3$var), tolerance = sv_tol_cox)
})

# --- predsurv.R: curves for new subjects ---------------------------------------------------

test_that("predsurv: Cox curves for new subjects agree with survfit.coxph", {
  # the script's ages (40 * 1:8 * 5) are kept: large risk scores
  f1 <- cox(Surv(time, status) ~ age + ph.ecog, lung)
  g1 <- coxph(Surv(time, status) ~ age + ph.ecog, lung)
  d1 <- data.frame(age = 40 * 1:8 * 5, ph.ecog = rep(0:2, length = 8))
  c1 <- sv_cox_curves(f1, d1)
  s1 <- survfit(g1, newdata = d1)
  expect_equal(c1$surv, c(s1$surv), tolerance = sv_tol_cox)
  expect_equal(c1$time, rep(s1$time, 8), tolerance = sv_tol_cox)
  # with strata, new data without the strata variable: every row in every
  # stratum
  f2 <- cox(Surv(time, status) ~ age + ph.ecog + strata(sex), lung)
  g2 <- coxph(Surv(time, status) ~ age + ph.ecog + strata(sex), lung)
  d2 <- data.frame(age = 40 + 1:8 * 5, ph.ecog = rep(0:2, length = 8))
  s2 <- survfit(g2, newdata = d2)
  for (k in 1:2) {
    ck <- sv_cox_curves(f2, d2, rep(paste0("sex=", k), 8))
    expect_equal(ck$surv, c(s2[k, ]$surv), tolerance = sv_tol_cox)
  }
  # (start, stop] data, with and without strata, the strata in newdata
  f3 <- cox(Surv(tstart, tstop, status) ~ age + treat, cgd)
  g3 <- coxph(Surv(tstart, tstop, status) ~ age + treat, cgd)
  d3 <- data.frame(age = c(2, 12, 20, 30, 40),
                   treat = rep(levels(cgd$treat), length = 5))
  expect_equal(sv_cox_curves(f3, d3)$surv, c(survfit(g3, newdata = d3)$surv),
               tolerance = sv_tol_cox)
  f4 <- cox(Surv(tstart, tstop, status) ~ age + treat + strata(hos.cat), cgd)
  g4 <- coxph(Surv(tstart, tstop, status) ~ age + treat + strata(hos.cat),
              cgd)
  d4 <- cbind(d3, hos.cat = levels(cgd$hos.cat)[c(1, 2, 4, 3, 2)])
  c4 <- sv_cox_curves(f4, d4, d4$hos.cat)
  s4 <- survfit(g4, newdata = d4)
  expect_equal(c4$surv, s4$surv, tolerance = sv_tol_cox)
  expect_equal(as.vector(table(c4$row)), unname(as.vector(s4$strata)))
})

# --- royston.R: the pbc model of Royston's paper ---------------------------------------------

test_that("royston: '.' + log(bili) - bili with a logical status", {
  pbc2 <- na.omit(pbc[, -1])
  fm1 <- Surv(time, status == 2) ~ . + log(bili) - bili
  f1 <- cox(fm1, pbc2, ties = "breslow")
  g1 <- coxph(fm1, pbc2, ties = "breslow")
  expect_equal(names(f1$coefficients), names(coef(g1)))
  expect_false("bili" %in% names(f1$coefficients))
  sv_expect_cox(f1, g1)
  fm2 <- Surv(time, status == 2) ~ age + log(bili) + edema + albumin +
    stage + copper
  sv_expect_cox(cox(fm2, pbc2, ties = "breslow"),
                coxph(fm2, pbc2, ties = "breslow"))
})

# --- expected.R: curves for new subjects of a Breslow fit, in closed form ---------------------

test_that("expected: the curves of new subjects and their direct-adjusted mean", {
  test1 <- data.frame(time = c(4, 3, 1, 1, 2, 2, 3),
                      status = c(1, NA, 1, 0, 1, 1, 0),
                      x = c(0, 2, 1, 1, 1, 0, 0))
  f <- cox(Surv(time, status) ~ x, test1, ties = "breslow")
  g <- coxph(Surv(time, status) ~ x, test1, method = "breslow")
  sv_expect_cox(f, g)
  dummy <- data.frame(time = c(.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5),
                      status = c(1, 0, 1, 0, 1, 0, 1, 1, 1), x = (-4:4) / 2)
  # the hazard at x = 0 in closed form, at the death times 1, 2 and 4
  ss <- exp(unname(f$coefficients))
  chaz <- cumsum(c(1 / (3 * ss + 3), 2 / (ss + 3), 1))
  risk <- exp(unname(f$coefficients) * dummy$x)
  d2 <- exp(outer(-chaz, risk))
  cc <- sv_cox_curves(f, dummy, censor = FALSE)
  expect_equal(cc$time, rep(c(1, 2, 4), 9))
  expect_equal(cc$surv, as.vector(d2), tolerance = sv_tol_cox)
  direct <- survfit(g, newdata = dummy, censor = FALSE)$surv
  expect_equal(cc$surv, as.vector(direct), tolerance = sv_tol_cox)
  # the direct-adjusted (Ederer) curve is their mean, as survexp's
  efit <- survexp(~1, dummy, ratetable = g, se.fit = FALSE)
  expect_equal(rowMeans(matrix(cc$surv, 3)), as.vector(efit$surv),
               tolerance = sv_tol_cox)
})

# --- tt.R: a time-transformed covariate as split data ----------------------------------------

test_that("tt: coxph's tt() fits are cox() fits of data split at the death times", {
  set.seed(1953)
  n <- 100
  beta <- c(log(1.5), 2 / 30)
  age <- runif(n, 20, 60)
  x <- rbinom(n, 1, .5)
  futime <- rep(40, n)
  status <- rep(0, n)
  dtime <- sort(runif(n / 2, 1, 40))
  for (i in seq_along(dtime)) {
    atrisk <- futime >= dtime[i]
    age2 <- pmin(30, pmax(0, age + dtime - 40))
    risk <- ifelse(atrisk, exp(beta[1] * x + beta[2] * age2), 0)
    dead <- sample(1:n, 1, prob = risk / sum(risk))
    futime[dead] <- dtime[i]
    status[dead] <- 1
  }
  tdata <- data.frame(futime = round(futime, 1), status = status, age = age,
                      x = x, casewt = sample(1:5, n, replace = TRUE),
                      grp = sample(1:15, n, replace = TRUE))
  dt <- sort(unique(tdata$futime[tdata$status == 1]))
  data2 <- survSplit(Surv(futime, status) ~ ., tdata, cut = dt)
  data2$c.age <- data2$age + data2$futime
  ns2 <- function(x) splines::ns(x, Boundary.knots = c(20, 101),
                                 knots = c(45, 60, 75))
  ttf <- function(x, t, ...) ns2(x + t)
  # the same basis written out in the formulas (a local wrapper of ns() is
  # not found by model.frame's predvars, in cox() as in coxph)
  fs <- function(rhs) {
    stats::as.formula(paste("Surv(tstart, futime, status) ~ x +",
                            "splines::ns(c.age, Boundary.knots = c(20, 101),",
                            "knots = c(45, 60, 75))", rhs))
  }
  g1 <- coxph(Surv(futime, status) ~ x + tt(age), tdata, tt = ttf)
  # cox() fits tt() itself (R/tt.R), with coxph's expansion
  f1 <- cox(Surv(futime, status) ~ x + tt(age), tdata, tt = ttf)
  expect_equal(unname(f1$coefficients), unname(coef(g1)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f1$var), unname(vcov(g1)), tolerance = sv_tol_cox)
  f2 <- cox(fs(""), data2)
  expect_equal(unname(f2$coefficients), unname(coef(g1)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f2$var), unname(vcov(g1)), tolerance = sv_tol_cox)
  expect_equal(f2$loglik, g1$loglik, tolerance = sv_tol_cox)
  # weights, clusters, offsets and strata carry over
  g3 <- coxph(Surv(futime, status) ~ x + tt(age), tdata, weights = casewt,
              tt = ttf)
  f3 <- cox(fs(""), data2, weights = casewt)
  expect_equal(unname(f3$coefficients), unname(coef(g3)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f3$var), unname(vcov(g3)), tolerance = sv_tol_cox)
  g4 <- coxph(Surv(futime, status) ~ x + tt(age), tdata, tt = ttf,
              cluster = grp)
  f4 <- cox(fs("+ cluster(grp)"), data2)
  expect_equal(unname(f4$coefficients), unname(coef(g4)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f4$var), unname(vcov(g4)), tolerance = sv_tol_cox)
  g5 <- coxph(Surv(futime, status) ~ x + tt(age) + offset(grp / 10), tdata,
              tt = ttf)
  f5 <- cox(fs("+ offset(grp / 10)"), data2)
  expect_equal(unname(f5$coefficients), unname(coef(g5)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f5$var), unname(vcov(g5)), tolerance = sv_tol_cox)
  g6 <- coxph(Surv(futime, status) ~ x + tt(age) + strata(grp), tdata,
              tt = function(x, t, ...) (x + t)^2)
  f6 <- cox(Surv(tstart, futime, status) ~ x + I(c.age^2) + strata(grp),
            data2)
  expect_equal(unname(f6$coefficients), unname(coef(g6)),
               tolerance = sv_tol_cox)
  expect_equal(unname(f6$var), unname(vcov(g6)), tolerance = sv_tol_cox)
})

# --- pspline.R, frailty.R, fr_*.R, ridge: penalised terms ------------------------------------

test_that("pspline/frailty: penalised terms are refused (cox() fits none)", {
  expect_error(cox(Surv(time, status) ~ pspline(age) + sex, lung),
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age + frailty(inst), lung),
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ ridge(age, sex, theta = 1), lung),
               class = "cohortsurv_error")
})
