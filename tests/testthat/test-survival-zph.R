# Tests of proportional hazards ported from survival's tests/zph.R and the
# cox.zph part of cancer.R: ph_test() against the closed-form score tests
# the scripts assert and against cox.zph (the oracle). cohortsurv offers the
# "km", "rank" and "identity" transforms; the scripts' checks with the "log"
# transform and the scaled Schoenfeld residuals ($y) are not ported, nor the
# multi-state (mgus2) check.

# The score test for adding x * g(t), from the per-death score and
# information contributions U and imat at death times g (zph.R).
sv_zph_closed <- function(U, imat, g) {
  u2 <- c(sum(U), sum(g * U))
  i2 <- matrix(c(sum(imat), sum(g * imat), sum(g * imat), sum(g^2 * imat)),
               2, 2)
  drop(solve(i2, u2) %*% u2)
}

sv_zph_g <- c(1, 6, 6, 9)  # the death times of data set 1

test_that("zph: Breslow, identity transform, matches the closed form", {
  r <- (3 + sqrt(33)) / 2
  U <- c(1 / (r + 1), 3 / (r + 3), -r / (r + 3), 0)
  imat <- c(r / (r + 1)^2, 3 * r / (r + 3)^2, 3 * r / (r + 3)^2, 0)
  sct <- sv_zph_closed(U, imat, sv_zph_g)
  f <- cox(Surv(time, status) ~ x, sv_test1, ties = "breslow")
  expect_equal(unname(f$coefficients), log(r), tolerance = sv_tol_cox)
  z <- ph_test(f, transform = "identity")
  expect_equal(z$statistic[1], sct, tolerance = sv_tol_cox)
  dd <- cbind(sv_test1, dummy = 0)
  fb <- cox(Surv(dummy, time, status) ~ x, dd, ties = "breslow")
  expect_equal(ph_test(fb, transform = "identity")$statistic[1], sct,
               tolerance = sv_tol_cox)
})

test_that("zph: Efron, identity transform, matches the closed form", {
  phi <- acos((45 / 23) * sqrt(3 / 23))
  r <- 2 * sqrt(23 / 3) * cos(phi / 3)
  U <- c(1 / (r + 1), 3 / (r + 3), -r / (r + 5), 0)
  imat <- c(r / (r + 1)^2, 3 * r / (r + 3)^2, 5 * r / (r + 5)^2, 0)
  sct <- sv_zph_closed(U, imat, sv_zph_g)
  f <- cox(Surv(time, status) ~ x, sv_test1)
  expect_equal(unname(f$coefficients), log(r), tolerance = sv_tol_cox)
  expect_equal(ph_test(f, transform = "identity")$statistic[1], sct,
               tolerance = sv_tol_cox)
  dd <- cbind(sv_test1, dummy = 0)
  f5 <- cox(Surv(dummy, time, status) ~ x, dd)
  expect_equal(ph_test(f5, transform = "identity")$statistic[1], sct,
               tolerance = sv_tol_cox)
  # two copies as two strata: the score and information double
  d2 <- rbind(sv_test1, sv_test1)
  d2$group <- rep(letters[1:2], each = nrow(sv_test1))
  d2$dummy <- 0
  f6 <- cox(Surv(dummy, time, status) ~ x + strata(group), d2)
  expect_equal(unname(f6$coefficients), log(r), tolerance = sv_tol_cox)
  expect_equal(ph_test(f6, transform = "identity")$statistic[1], 2 * sct,
               tolerance = sv_tol_cox)
})

test_that("zph: data set 1 agrees with cox.zph for every transform", {
  for (ties in c("breslow", "efron")) {
    f <- cox(Surv(time, status) ~ x, sv_test1, ties = ties)
    g <- coxph(Surv(time, status) ~ x, sv_test1, ties = ties)
    for (tr in c("identity", "rank", "km")) {
      z <- ph_test(f, transform = tr)
      zg <- cox.zph(g, transform = tr)
      expect_equal(z$statistic, unname(zg$table[, "chisq"]),
                   tolerance = sv_tol_cox)
      expect_equal(z$p_value, unname(zg$table[, "p"]), tolerance = 1e-8)
    }
  }
})

test_that("cancer: the zph test of the lung model and of its survSplit copy", {
  lung0 <- na.omit(lung[, c("time", "status", "ph.ecog", "ph.karno",
                            "pat.karno", "wt.loss", "sex", "age", "inst")])
  dtime <- lung0$time[lung0$status == 2]
  lung2 <- survSplit(Surv(time, status) ~ ., lung0, cut = dtime)
  fm1 <- Surv(time, status) ~ ph.ecog + ph.karno + pat.karno + wt.loss +
    sex + age + strata(inst)
  fm2 <- Surv(tstart, time, status) ~ ph.ecog + ph.karno + pat.karno +
    wt.loss + sex + age + strata(inst)
  f1 <- cox(fm1, lung0)
  f2 <- cox(fm2, lung2)
  g1 <- coxph(fm1, lung0)
  g2 <- coxph(fm2, lung2)
  for (tr in c("identity", "km", "rank")) {
    z1 <- ph_test(f1, transform = tr)
    z2 <- ph_test(f2, transform = tr)
    expect_equal(z1$statistic, unname(cox.zph(g1, transform = tr)$table[,
                                                                   "chisq"]),
                 tolerance = sv_tol_cox)
    expect_equal(z2$statistic, unname(cox.zph(g2, transform = tr)$table[,
                                                                   "chisq"]),
                 tolerance = sv_tol_cox)
    expect_equal(z1$df, unname(as.integer(cox.zph(g1,
                                                  transform = tr)$table[, "df"])),
                 tolerance = sv_tol_cox)
  }
  # identity: the split data give the same test (same death times)
  expect_equal(ph_test(f2, transform = "identity")$statistic,
               ph_test(f1, transform = "identity")$statistic,
               tolerance = sv_tol_cox)
  # the score test for x * t, one variable at a time, by refitting with
  # the new covariate at iter 0
  z <- ph_test(f2, transform = "identity")
  cn <- names(f2$coefficients)
  for (i in seq_along(cn)) {
    lung2$tv <- lung2$time * lung2[[cn[i]]]
    tf <- cox(Surv(tstart, time, status) ~ ph.ecog + ph.karno + pat.karno +
                wt.loss + sex + age + strata(inst) + tv, lung2,
              init = c(unname(f2$coefficients), 0),
              control = cox_control(iter_max = 0))
    expect_equal(tf$score_test$statistic, z$statistic[i], tolerance = 1e-8)
  }
})

test_that("zph: time-dependent covariates (pbcseq) agree with cox.zph", {
  p1 <- pbcseq[!duplicated(pbcseq$id), 1:6]
  pdata <- tmerge(p1[, c("id", "trt", "age", "sex")], p1, id = id,
                  death = event(futime, status == 2))
  pdata <- tmerge(pdata, pbcseq, id = id, bili = tdc(day, bili),
                  edema = tdc(day, edema), albumin = tdc(day, albumin),
                  protime = tdc(day, protime))
  fm <- Surv(tstart, tstop, death) ~ log(bili) + albumin + edema + age +
    log(protime)
  f <- cox(fm, pdata)
  g <- coxph(fm, pdata)
  sv_expect_cox(f, g)
  for (tr in c("identity", "km")) {
    expect_equal(ph_test(f, transform = tr)$statistic,
                 unname(cox.zph(g, transform = tr)$table[, "chisq"]),
                 tolerance = sv_tol_cox)
  }
})

test_that("zph: an aliased column is left out of the test", {
  d1 <- survSplit(Surv(time, status) ~ ., veteran, cut = 150,
                  episode = "epoch")
  d1$age2 <- 2 * d1$age
  expect_message(f <- cox(Surv(tstart, time, status) ~ age + karno + age2,
                          d1), "collinear")
  f3 <- cox(Surv(tstart, time, status) ~ age + karno, d1)
  expect_equal(f$loglik, f3$loglik, tolerance = sv_tol_cox)
  z <- ph_test(f)
  z3 <- ph_test(f3)
  expect_equal(z$statistic, z3$statistic, tolerance = sv_tol_cox)
  g3 <- coxph(Surv(tstart, time, status) ~ age + karno, d1)
  expect_equal(z3$statistic, unname(cox.zph(g3)$table[, "chisq"]),
               tolerance = sv_tol_cox)
})

test_that("zph/cancer: the log transform of cox.zph is refused (not offered)", {
  f <- cox(Surv(time, status) ~ x, sv_test1)
  expect_error(ph_test(f, transform = "log"), class = "cohortsurv_error")
})
