# Log-rank tests ported from survival's tests/difftest.R, cancer.R,
# doublecolon.R, tiedtime.R, doaml.R and the survdiff calls of the book and
# data-set scripts:
# logrank() against survdiff (the oracle) and against the score test of
# coxph at beta = 0. Not ported: the one-sample test of jasa.R
# (survdiff(... ~ offset(expect))), which cohortsurv does not offer.

# logrank() against survdiff on the same data.
sv_expect_logrank <- function(a, s, tol = sv_tol_km) {
  expect_equal(a$statistic, s$chisq, tolerance = tol)
  # the degrees of freedom as print.survdiff counts them
  obs <- if (is.matrix(s$obs)) rowSums(s$obs) else s$obs
  ex <- if (is.matrix(s$exp)) rowSums(s$exp) else s$exp
  expect_equal(a$df, sum(ex > 0) - 1L, tolerance = tol)
  expect_equal(a$groups$observed, unname(obs), tolerance = tol)
  expect_equal(a$groups$expected, unname(ex), tolerance = tol)
  expect_equal(unname(a$variance), unname(s$var), tolerance = tol)
  expect_equal(a$groups$n, unname(as.vector(s$n)), tolerance = tol)
  expect_equal(a$p_value, s$pvalue, tolerance = 1e-8)
}

sv_aml3 <- data.frame(
  time = c(9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161,
           5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45,
           1, 2, 2, 3, 3, 3, 4),
  status = c(1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0,
             1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,
             0, 0, 0, 0, 0, 0, 0),
  x = factor(c(rep("Maintained", 11), rep("Nonmaintained", 12),
               rep("Dummy", 7))))

test_that("difftest: a group of early censorings changes nothing", {
  a <- logrank(Surv(time, status) ~ x, aml)
  a3 <- logrank(Surv(time, status) ~ x, sv_aml3)
  expect_equal(a3$statistic, a$statistic, tolerance = sv_tol_km)
  expect_equal(a3$df, a$df, tolerance = sv_tol_km)
  expect_equal(a3$groups$expected[a3$groups$group == "x=Dummy"], 0,
               tolerance = sv_tol_km)
  sv_expect_logrank(a, survdiff(Surv(time, status) ~ x, aml))
  sv_expect_logrank(a3, survdiff(Surv(time, status) ~ x, sv_aml3))
})

test_that("difftest: the stratified log-rank equals the Cox score at 0", {
  fit <- logrank(Surv(time, status) ~ pat.karno + strata(inst), lung)
  s <- survdiff(Surv(time, status) ~ pat.karno + strata(inst), lung)
  sv_expect_logrank(fit, s)
  # observed and expected per stratum and group
  bs <- fit$by_stratum
  expect_equal(bs$observed, as.vector(s$obs), tolerance = sv_tol_km)
  expect_equal(bs$expected, as.vector(s$exp), tolerance = sv_tol_km)
  # no tied times within an institution: coxph at beta = 0 gives the test
  tdata <- na.omit(lung[, c("time", "status", "pat.karno", "inst")])
  cfit <- coxph(Surv(time, status) ~ factor(pat.karno) + strata(inst),
                tdata, iter.max = 0)
  obs <- tapply(tdata$status - 1, list(tdata$pat.karno, tdata$inst), sum)
  obs[is.na(obs)] <- 0
  ex <- tapply(cfit$residuals, list(tdata$pat.karno, tdata$inst), sum)
  ex[is.na(ex)] <- 0
  expect_equal(bs$observed, c(obs), tolerance = sv_tol_km)
  expect_equal(bs$expected, c(obs - ex), tolerance = 1e-8)
  expect_equal(unname(fit$variance[-1, -1]), unname(solve(cfit$var)),
               tolerance = 1e-8)
  fc <- cox(Surv(time, status) ~ factor(pat.karno) + strata(inst), tdata,
            control = cox_control(iter_max = 0))
  expect_equal(fit$statistic, fc$score_test$statistic, tolerance = 1e-8)
})

test_that("cancer: Fleming-Harrington rho = 0.5 over 18 institutions", {
  a <- logrank(Surv(time, status) ~ inst, lung, rho = .5)
  sv_expect_logrank(a, survdiff(Surv(time, status) ~ inst, lung, rho = .5))
})

test_that("doublecolon: sex by institution, observed counts 111 and 53", {
  a <- logrank(Surv(time, status) ~ sex + strata(inst), lung)
  expect_equal(a$groups$observed, c(111, 53), tolerance = sv_tol_km)
  sv_expect_logrank(a, survdiff(Surv(time, status) ~ sex + strata(inst),
                                lung))
  a2 <- logrank(survival::Surv(time, status) ~ sex + strata(inst), lung)
  expect_equal(a2$statistic, a$statistic, tolerance = sv_tol_km)
})

test_that("book and data-set scripts: survdiff on their data", {
  sv_expect_logrank(logrank(Surv(time, status) ~ x, sv_test1),
                    survdiff(Surv(time, status) ~ x, sv_test1))
  sv_expect_logrank(logrank(Surv(futime, fustat) ~ rx, ovarian),
                    survdiff(Surv(futime, fustat) ~ rx, ovarian))
  sv_expect_logrank(logrank(Surv(futime, fustat) ~ rx, ovarian, rho = 1),
                    survdiff(Surv(futime, fustat) ~ rx, ovarian, rho = 1))
  sv_expect_logrank(logrank(Surv(time, status) ~ ph.ecog, lung),
                    survdiff(Surv(time, status) ~ ph.ecog, lung))
  sv_expect_logrank(
    logrank(Surv(time, status) ~ ph.ecog + strata(sex), lung, rho = 1),
    survdiff(Surv(time, status) ~ ph.ecog + strata(sex), lung, rho = 1))
  sv_expect_logrank(logrank(Surv(stop, event) ~ rx, bladder,
                            subset = enum == 1),
                    survdiff(Surv(stop, event) ~ rx, bladder,
                             subset = enum == 1))
})

test_that("book3: the log-rank of (start, stop] data is the exact-ties score", {
  # documented in ?logrank: for rho = 0 the score test of
  # coxph(ties = "exact"); survdiff refuses such data
  a <- logrank(Surv(start, stop, event) ~ x, sv_test2)
  g <- coxph(Surv(start, stop, event) ~ x, sv_test2, ties = "exact",
             iter.max = 0)
  expect_equal(a$statistic, unname(g$score), tolerance = 1e-8)
  a <- logrank(Surv(start, stop, event) ~ x, sv_test2b)
  g <- coxph(Surv(start, stop, event) ~ x, sv_test2b, ties = "exact",
             iter.max = 0)
  expect_equal(a$statistic, unname(g$score), tolerance = 1e-8)
})

test_that("doublecolon: survival::strata() in logrank() is the stratum", {
  a <- logrank(Surv(time, status) ~ sex + survival::strata(inst), lung)
  s <- survdiff(Surv(time, status) ~ sex + strata(inst), lung)
  sv_expect_logrank(a, s)
  expect_equal(a$groups$observed, c(111, 53), tolerance = sv_tol_km)
  expect_equal(a$by_stratum,
               logrank(Surv(time, status) ~ sex + strata(inst),
                       lung)$by_stratum, tolerance = sv_tol_km)
  # unstratified, the statistic differs
  expect_gt(abs(a$statistic - logrank(Surv(time, status) ~ sex,
                                      lung)$statistic), 0.01)
})

test_that("tiedtime: sqrt(2)^2 and 2 are one death time in logrank()", {
  tdata <- data.frame(time = c(1, 2, sqrt(2)^2, 2, sqrt(2)^2, 3, 3),
                      status = c(1, 1, 1, 1, 1, 0, 1),
                      group = c(1, 1, 1, 2, 2, 1, 2))
  a <- logrank(Surv(time, status) ~ group, tdata)
  sv_expect_logrank(a, survdiff(Surv(time, status) ~ group, tdata))
  # the same as with the times rounded
  r <- logrank(Surv(round(time), status) ~ group, tdata)
  expect_equal(a$statistic, r$statistic, tolerance = sv_tol_km)
  expect_equal(a$variance, r$variance, tolerance = sv_tol_km)
  # timefix = FALSE keeps them apart: the test of the data with the second
  # value moved a little (only the order of the times matters)
  a0 <- logrank(Surv(time, status) ~ group, tdata, timefix = FALSE)
  td2 <- tdata
  td2$time[tdata$time != 2 & abs(tdata$time - 2) < 1e-8] <- 2.5
  expect_equal(sum(td2$time == 2.5), 2)
  s0 <- survdiff(Surv(time, status) ~ group, td2)
  sv_expect_logrank(a0, s0)
  expect_gt(abs(a0$statistic - a$statistic), 1e-3)
})

test_that("doaml: logrank() of data-frame columns without data; Surv(time)", {
  a <- logrank(Surv(aml$time, aml$status) ~ aml$x)
  sv_expect_logrank(a, survdiff(Surv(aml$time, aml$status) ~ aml$x))
  expect_equal(a$statistic, logrank(Surv(time, status) ~ x, aml)$statistic,
               tolerance = sv_tol_km)
  sv_expect_logrank(logrank(Surv(time) ~ sex, lung),
                    survdiff(Surv(time) ~ sex, lung))
})
