# Cox residuals ported from survival's tests/doaml.R, ovarian.R,
# stratatest.R, doweight.R and the residual printouts of book1-book6:
# every residual type of residuals.cs_cox against residuals.coxph (the
# oracle), on the data of those scripts. (The r_*.R scripts are survreg
# residuals: not ported. Collapsing is done with rowsum() here;
# residuals(collapse = , weighted = ) and the scaled Schoenfeld residuals
# are checked in test-survival-residuals.R.)

sv_resid_types <- c("martingale", "deviance", "score", "schoenfeld", "dfbeta")

# A residual matrix without names or other attributes.
sv_plain <- function(m) {
  m <- as.matrix(m)
  attributes(m) <- list(dim = dim(m))
  m
}

sv_expect_resid <- function(f, g, tol = sv_tol_cox) {
  for (type in sv_resid_types) {
    a <- residuals(f, type)
    b <- residuals(g, type)
    expect_equal(sv_plain(a), sv_plain(b), tolerance = tol, label = type)
  }
}

test_that("doaml: Miller's aml example, Breslow, and the weighted KM", {
  fit <- cox(Surv(time, status) ~ x, aml, ties = "breslow")
  g <- coxph(Surv(aml$time, aml$status) ~ aml$x, method = "breslow")
  sv_expect_cox(fit, g)
  sv_expect_resid(fit, g)
  # dropping the intercept changes nothing
  fit2 <- cox(Surv(time, status) ~ x - 1, aml, ties = "breslow")
  expect_equal(fit2$loglik, fit$loglik, tolerance = sv_tol_cox)
  expect_equal(unname(fit2$coefficients), unname(fit$coefficients),
               tolerance = sv_tol_cox)
  expect_equal(unname(fit2$var), unname(fit$var), tolerance = sv_tol_cox)
  # equal case weights of 2: same curve, half the variance
  k1 <- km(Surv(time, status) ~ 1, aml)
  k2 <- km(Surv(time, status) ~ 1, aml, weights = rep(2, 23))
  expect_equal(k2$curves$surv, k1$curves$surv, tolerance = sv_tol_km)
  expect_equal(k1$curves$std_err^2, 2 * k2$curves$std_err^2,
               tolerance = sv_tol_km)
  # Efron with many ties, right-censored and (0, t] forms
  x1 <- cox(Surv(time, status) ~ x, aml)
  d0 <- cbind(aml, zero = 0)
  x2 <- cox(Surv(zero, time, status) ~ x, d0)
  expect_equal(x2$coefficients, x1$coefficients, tolerance = sv_tol_cox)
  sv_expect_resid(x2, coxph(Surv(zero, time, status) ~ x, d0))
})

test_that("doaml: risk weights through an offset, the baseline by hand", {
  d <- cbind(aml, lo = log(1:23))
  f <- cox(Surv(time, status) ~ offset(lo), d, ties = "breslow")
  rscore <- exp(log(1:23) - mean(log(1:23)))[order(aml$time)]
  atime <- sort(aml$time)
  denom <- rev(cumsum(rev(rscore)))
  denom <- denom[match(unique(atime), atime)]
  deaths <- tapply(aml$status, aml$time, sum)
  chaz <- cumsum(deaths / denom)
  b <- sv_base_events(f, centered = TRUE)
  expect_equal(b$surv, as.vector(exp(-chaz[deaths > 0])),
               tolerance = sv_tol_cox)
})

test_that("ovarian: all residual types agree with coxph", {
  fm <- Surv(futime, fustat) ~ age + resid.ds + rx + ecog.ps
  for (ties in c("efron", "breslow")) {
    sv_expect_resid(cox(fm, ovarian, ties = ties),
                    coxph(fm, ovarian, ties = ties))
  }
  fs <- Surv(futime, fustat) ~ age + ecog.ps + strata(rx)
  sv_expect_resid(cox(fs, ovarian), coxph(fs, ovarian))
})

test_that("lung and bladder2: residuals with missing values, strata, counting", {
  fm <- Surv(time, status) ~ age + sex + ph.ecog + strata(inst)
  f <- cox(fm, lung, na.action = na.exclude)
  g <- coxph(fm, lung, na.action = na.exclude)
  for (type in c("martingale", "deviance", "score", "dfbeta")) {
    expect_equal(unname(as.matrix(residuals(f, type))),
                 unname(as.matrix(residuals(g, type))),
                 tolerance = sv_tol_cox, label = type)
  }
  expect_equal(sv_plain(residuals(f, "schoenfeld")),
               sv_plain(residuals(g, "schoenfeld")), tolerance = sv_tol_cox)
  expect_equal(length(residuals(f)), nrow(lung), tolerance = sv_tol_cox)
  fm2 <- Surv(start, stop, event) ~ rx + size + number
  for (ties in c("efron", "breslow")) {
    sv_expect_resid(cox(fm2, bladder2, ties = ties),
                    coxph(fm2, bladder2, ties = ties))
  }
})

test_that("doweight: residuals of weighted fits, and collapsing by id", {
  for (ties in c("efron", "breslow")) {
    f <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = ties)
    g <- coxph(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = ties,
               robust = FALSE)
    sv_expect_resid(f, g)
    # weighted = TRUE multiplies by the weights
    expect_equal(unname(residuals(g, "score", weighted = TRUE)),
                 unname(residuals(f, "score")[, 1] * sv_testw1$wt),
                 tolerance = sv_tol_cox)
  }
  set.seed(3)
  d <- lung
  d$w <- runif(nrow(d), 0.5, 2)
  fm <- Surv(time, status) ~ age + sex + strata(ph.ecog)
  f <- cox(fm, d, weights = w)
  g <- coxph(fm, d, weights = w, robust = FALSE)
  sv_expect_resid(f, g)
  # collapsed residuals of counting data equal those of the unsplit data
  a2 <- survSplit(Surv(time, status) ~ ., cbind(aml, id = 1:23),
                  cut = c(10, 20, 40))
  f1 <- cox(Surv(time, status) ~ x, aml)
  f2 <- cox(Surv(tstart, time, status) ~ x, a2)
  expect_equal(unname(drop(rowsum(residuals(f2), a2$id))),
               unname(residuals(f1)), tolerance = sv_tol_cox)
  expect_equal(unname(drop(rowsum(residuals(f2, "score"), a2$id))),
               unname(residuals(f1, "score")[, 1]), tolerance = sv_tol_cox)
  expect_equal(unname(drop(rowsum(residuals(f2, "dfbeta"), a2$id))),
               unname(residuals(f1, "dfbeta")[, 1]), tolerance = sv_tol_cox)
})

test_that("residuals: a model without coefficients refuses score residuals", {
  f <- cox(Surv(time, status) ~ 1, aml)
  expect_error(residuals(f, "score"), class = "cohortsurv_error")
  expect_equal(unname(residuals(f)),
               unname(residuals(coxph(Surv(time, status) ~ 1, aml))),
               tolerance = sv_tol_cox)
})
