# cox(): agreement with survival::coxph, closed forms, invariances, edge
# cases and errors.

lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog",
                          "ph.karno", "wt.loss", "inst")])

# --- the oracle on the survival data sets ---------------------------------

oracle_models <- list(
  lung = list(Surv(time, status) ~ age + sex + ph.ecog + wt.loss, lung),
  lung_strata = list(Surv(time, status) ~ age + ph.karno + strata(sex, ph.ecog),
                     lung),
  veteran = list(Surv(time, status) ~ trt + celltype + karno + diagtime +
                   strata(prior), veteran),
  ovarian = list(Surv(futime, fustat) ~ age + resid.ds + rx + ecog.ps,
                 ovarian),
  colon = list(Surv(time, status) ~ rx + sex + age + nodes + strata(etype),
               colon),
  pbc = list(Surv(time, status == 2) ~ age + edema + log(bili) + albumin +
               strata(trt), pbc),
  bladder = list(Surv(stop, event) ~ rx + size + number + strata(enum),
                 bladder),
  bladder2 = list(Surv(start, stop, event) ~ rx + size + number, bladder2),
  heart = list(Surv(start, stop, event) ~ age * surgery + year + transplant,
               heart)
)

for (nm in names(oracle_models)) {
  for (ties in c("efron", "breslow")) {
    test_that(paste("cox() agrees with coxph on", nm, "with", ties, "ties"), {
      m <- oracle_models[[nm]]
      f <- cox(m[[1]], data = m[[2]], ties = ties)
      g <- coxph(m[[1]], data = m[[2]], ties = ties)
      cox_vs_coxph(f, g)
    })
  }
}

test_that("random data with heavy ties, strata and weights agree", {
  for (seed in 1:3) {
    d <- random_cox_data(400, seed)
    for (ties in c("efron", "breslow")) {
      f <- cox(Surv(time, status) ~ z1 + z2 + sex + strata(group), d,
               weights = w, ties = ties)
      g <- coxph(Surv(time, status) ~ z1 + z2 + sex + strata(group), d,
                 weights = w, ties = ties)
      cox_vs_coxph(f, g)
      resid_vs_coxph(f, g)
    }
  }
})

test_that("counting-process data with ties, strata and weights agree", {
  for (seed in 4:5) {
    d <- random_cox_data(400, seed, counting = TRUE)
    for (ties in c("efron", "breslow")) {
      f <- cox(Surv(start, time, status) ~ z1 + group + strata(sex), d,
               weights = w, ties = ties)
      g <- coxph(Surv(start, time, status) ~ z1 + group + strata(sex), d,
                 weights = w, ties = ties)
      cox_vs_coxph(f, g)
      resid_vs_coxph(f, g)
    }
  }
})

test_that("offsets and init agree with coxph", {
  f <- cox(Surv(time, status) ~ age + sex + offset(0.01 * ph.karno), lung2)
  g <- coxph(Surv(time, status) ~ age + sex + offset(0.01 * ph.karno), lung2)
  cox_vs_coxph(f, g)
  expect_close(predict(f), predict(g, reference = "sample"), 1e-10)
  f <- cox(Surv(time, status) ~ age + sex, lung2, init = c(0.02, -0.5))
  g <- coxph(Surv(time, status) ~ age + sex, lung2, init = c(0.02, -0.5))
  cox_vs_coxph(f, g)
})

test_that("robust and cluster variances agree with coxph", {
  for (ties in c("efron", "breslow")) {
    f <- cox(Surv(time, status) ~ age + sex + ph.ecog, lung2, robust = TRUE,
             ties = ties)
    g <- coxph(Surv(time, status) ~ age + sex + ph.ecog, lung2,
               robust = TRUE, ties = ties)
    cox_vs_coxph(f, g)
    f <- cox(Surv(time, status) ~ age + sex, lung2, cluster = inst,
             ties = ties)
    g <- coxph(Surv(time, status) ~ age + sex, lung2, cluster = inst,
               ties = ties)
    cox_vs_coxph(f, g)
    expect_true(f$robust)
    # missing cluster values drop their rows, as missing covariates do
    f <- cox(Surv(time, status) ~ age + sex, lung, cluster = inst,
             ties = ties)
    g <- coxph(Surv(time, status) ~ age + sex, lung, cluster = inst,
               ties = ties)
    cox_vs_coxph(f, g)
    expect_equal(f$n_dropped, 1L)
    f <- cox(Surv(start, stop, event) ~ rx + size + number, bladder2,
             cluster = id, ties = ties)
    g <- coxph(Surv(start, stop, event) ~ rx + size + number, bladder2,
               cluster = id, ties = ties)
    cox_vs_coxph(f, g)
    f <- cox(Surv(stop, event) ~ rx + size + number + strata(enum), bladder,
             cluster = bladder$id, ties = ties)
    g <- coxph(Surv(stop, event) ~ rx + size + number + strata(enum),
               bladder, cluster = id, ties = ties)
    cox_vs_coxph(f, g)
  }
})

test_that("non-integer weights: robust variance by default, as coxph", {
  d <- random_cox_data(300, 7)
  f <- cox(Surv(time, status) ~ z1 + sex, d, weights = fw, robust = FALSE)
  g <- coxph(Surv(time, status) ~ z1 + sex, d, weights = fw, robust = FALSE)
  cox_vs_coxph(f, g)
  expect_false(f$robust)
  # coxph's default for non-integer weights is the robust variance
  f <- cox(Surv(time, status) ~ z1 + sex, d, weights = fw)
  g <- coxph(Surv(time, status) ~ z1 + sex, d, weights = fw)
  cox_vs_coxph(f, g)
  expect_true(f$robust)
  expect_false(isTRUE(all.equal(f$var, f$naive_var)))
  # whole-number weights keep the model-based variance
  f <- cox(Surv(time, status) ~ z1 + sex, d, weights = round(fw * 3))
  expect_false(f$robust)
})

test_that("residuals, baseline hazard and predictions agree with coxph", {
  for (ties in c("efron", "breslow")) {
    f <- cox(Surv(time, status) ~ age + sex + strata(ph.ecog), lung2,
             ties = ties)
    g <- coxph(Surv(time, status) ~ age + sex + strata(ph.ecog), lung2,
               ties = ties)
    resid_vs_coxph(f, g)
    for (cen in c(TRUE, FALSE)) {
      a <- baseline_hazard(f, centered = cen)
      b <- basehaz(g, centered = cen)
      expect_close(a$hazard, b$hazard, 1e-8)
      expect_equal(a$time, b$time)
      expect_equal(as.character(a$strata), as.character(b$strata))
    }
    for (ref in c("strata", "sample", "zero")) {
      expect_close(predict(f, reference = ref), predict(g, reference = ref),
                   1e-10)
      expect_close(predict(f, type = "risk", reference = ref),
                   predict(g, type = "risk", reference = ref), 1e-10)
      nd <- data.frame(age = c(50, 70), sex = c(1, 2), ph.ecog = c(1, 0))
      expect_close(predict(f, newdata = nd, reference = ref),
                   predict(g, newdata = nd, reference = ref), 1e-10)
    }
    # coxph's default is reference = "strata"
    expect_close(predict(f), predict(g), 1e-10)
    f <- cox(Surv(start, stop, event) ~ age + year + transplant, heart,
             ties = ties)
    g <- coxph(Surv(start, stop, event) ~ age + year + transplant, heart,
               ties = ties)
    resid_vs_coxph(f, g)
    expect_close(baseline_hazard(f)$hazard, basehaz(g)$hazard, 1e-8)
  }
})

test_that("na.exclude pads residuals and predictions as coxph does", {
  f <- cox(Surv(time, status) ~ age + ph.ecog, lung, na.action = na.exclude)
  g <- coxph(Surv(time, status) ~ age + ph.ecog, lung, na.action = na.exclude)
  for (ty in c("martingale", "deviance", "score", "dfbeta")) {
    a <- residuals(f, type = ty)
    expect_equal(NROW(a), nrow(lung))
    expect_close(unname(as.matrix(a)),
                 unname(as.matrix(residuals(g, type = ty))), 1e-8)
  }
  expect_close(unname(predict(f)), unname(predict(g, reference = "sample")),
               1e-10)
})

# --- closed forms: Therneau & Grambsch (2000), appendix E -----------------

test1 <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8),
                    status = c(1, NA, 1, 0, 1, 1, 0),
                    x = c(0, 2, 1, 1, 1, 0, 0))

test_that("the appendix E example has its closed-form solutions", {
  b <- cox(Surv(time, status) ~ x, test1, ties = "breslow")
  expect_equal(b$n, 6)
  expect_equal(b$n_dropped, 1L)
  expect_close(b$coefficients, log((3 + sqrt(33)) / 2), 1e-8)
  expect_close(b$loglik[1], -log(6) - 2 * log(4), 1e-12)
  e <- cox(Surv(time, status) ~ x, test1, ties = "efron")
  expect_close(e$coefficients, 1.676857, 1e-6)
  expect_close(e$loglik[1], -log(6) - log(4) - log(3), 1e-12)
  # at beta = 0 the score is 1 (Breslow)
  b0 <- cox(Surv(time, status) ~ x, test1, ties = "breslow",
            control = cox_control(iter_max = 0))
  expect_equal(unname(b0$coefficients), 0)
  expect_close(b0$score_test$statistic, 1 / diag(solve(b0$var)), 1e-12)
})

# --- invariances ------------------------------------------------------------

test_that("row order does not matter", {
  d <- random_cox_data(300, 11, counting = TRUE)
  set.seed(2)
  p <- d[sample(nrow(d)), ]
  for (ties in c("efron", "breslow")) {
    a <- cox(Surv(start, time, status) ~ z1 + sex + strata(group), d,
             ties = ties)
    b <- cox(Surv(start, time, status) ~ z1 + sex + strata(group), p,
             ties = ties)
    expect_close(a$coefficients, b$coefficients, 1e-10)
    expect_close(a$var, b$var, 1e-10)
    expect_close(a$loglik, b$loglik, 1e-12)
  }
})

test_that("a weight of 2 equals a duplicated row", {
  d <- random_cox_data(200, 12)
  dup <- d[rep(seq_len(nrow(d)), d$w), ]
  for (ties in c("efron", "breslow")) {
    a <- cox(Surv(time, status) ~ z1 + z2 + strata(sex), d, weights = w,
             ties = ties)
    b <- cox(Surv(time, status) ~ z1 + z2 + strata(sex), dup, ties = ties)
    if (ties == "breslow") {
      expect_close(a$coefficients, b$coefficients, 1e-10)
      expect_close(a$var, b$var, 1e-10)
      expect_close(a$loglik, b$loglik, 1e-12)
    } else {
      # Efron's correction counts tied rows, not weights: only close
      expect_true(max(abs(a$coefficients - b$coefficients)) < 0.05)
    }
  }
  # without tied deaths Efron equals Breslow, so the weights identity holds
  d2 <- d
  d2$time <- d2$time + seq_len(nrow(d2)) / 1000
  dup2 <- d2[rep(seq_len(nrow(d2)), d2$w), ]
  dup2$time <- dup2$time + seq_len(nrow(dup2)) / 1e6 * (dup2$status == 0)
  a <- cox(Surv(time, status) ~ z1 + z2, d2, weights = w, ties = "efron")
  b <- cox(Surv(time, status) ~ z1 + z2, d2, weights = w, ties = "breslow")
  expect_close(a$coefficients, b$coefficients, 1e-12)
})

test_that("a copy of the data as a second stratum halves the variance", {
  d <- random_cox_data(200, 13)
  d$s <- 1
  d2 <- rbind(d, transform(d, s = 2))
  for (ties in c("efron", "breslow")) {
    a <- cox(Surv(time, status) ~ z1 + sex + group, d, ties = ties)
    b <- cox(Surv(time, status) ~ z1 + sex + group + strata(s), d2,
             ties = ties)
    expect_close(a$coefficients, b$coefficients, 1e-8)
    expect_close(a$var, 2 * b$var, 1e-8)
    expect_close(2 * a$loglik, b$loglik, 1e-10)
  }
})

# --- edge cases -------------------------------------------------------------

test_that("a stratum without events contributes nothing", {
  d <- random_cox_data(200, 14)
  d$s <- ifelse(seq_len(nrow(d)) <= 20, "none", "rest")
  d$status[d$s == "none"] <- 0
  a <- cox(Surv(time, status) ~ z1 + sex + strata(s), d)
  b <- cox(Surv(time, status) ~ z1 + sex, d[d$s == "rest", ])
  expect_close(a$coefficients, b$coefficients, 1e-10)
  expect_close(a$loglik, b$loglik, 1e-12)
  g <- coxph(Surv(time, status) ~ z1 + sex + strata(s), d)
  # strata() labels a character variable by its values alone, as coxph
  expect_equal(a$strata, c("none", "rest"))
  expect_equal(a$strata, levels(model.frame(g)[["strata(s)"]]))
  cox_vs_coxph(a, g)
})

test_that("a covariate constant within every stratum is aliased", {
  d <- random_cox_data(200, 15)
  d$c <- as.numeric(d$group == "a") * 3
  expect_message(
    f <- cox(Surv(time, status) ~ z1 + c + strata(group), d),
    "`c` is collinear", class = "cohortsurv_message_collinear")
  g <- coxph(Surv(time, status) ~ z1 + c + strata(group), d)
  expect_true(is.na(f$coefficients[["c"]]))
  cox_vs_coxph(f, g)
  expect_true(is.na(hr_table(f)$hr[2]))
})

test_that("exactly collinear columns give NA with a message", {
  d <- lung2
  d$age2 <- 2 * d$age + 1
  expect_message(f <- cox(Surv(time, status) ~ age + sex + age2, d),
                 "`age2` is collinear",
                 class = "cohortsurv_message_collinear")
  g <- coxph(Surv(time, status) ~ age + sex + age2, d)
  cox_vs_coxph(f, g)
  expect_true(all(is.na(vcov(f)["age2", ])))
})

test_that("a single event and the null model work", {
  d <- data.frame(time = 1:6, status = c(0, 0, 1, 0, 0, 0),
                  x = c(1, 2, 3, 1, 2, 5))
  f <- cox(Surv(time, status) ~ x, d, control = cox_control(iter_max = 0))
  # one event among 4 at risk: loglik(0) = -log(4)
  expect_close(f$loglik[1], -log(4), 1e-12)
  f0 <- cox(Surv(time, status) ~ 1, lung2)
  g0 <- coxph(Surv(time, status) ~ 1, lung2)
  expect_length(f0$coefficients, 0)
  expect_length(f0$loglik, 1L)
  expect_length(g0$loglik, 1L)
  expect_close(f0$loglik, g0$loglik, 1e-10)
  expect_output(print(f0), "Null model")
  f0 <- cox(Surv(time, status) ~ strata(sex), lung2, ties = "breslow")
  g0 <- coxph(Surv(time, status) ~ strata(sex), lung2, ties = "breslow")
  expect_close(f0$loglik, g0$loglik, 1e-10)
})

test_that("separation gives a monotone-likelihood warning naming the term", {
  d <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8),
                  status = c(1, 1, 1, 1, 1, 0, 1, 0),
                  x = c(1, 1, 1, 1, 0, 0, 0, 0), z = c(1, 3, 2, 5, 4, 2, 1, 3))
  expect_warning(f <- cox(Surv(time, status) ~ z + x, d),
                 "coefficient of `x`", class = "cohortsurv_warning_monotone")
  expect_warning(g <- coxph(Surv(time, status) ~ z + x, d),
                 "coefficient may be infinite")
  # coxph caps the linear predictor, so the diverging estimate differs;
  # the finite one and the log-likelihood agree
  expect_close(f$coefficients[["z"]], coef(g)[["z"]], 1e-6)
  expect_close(f$loglik, g$loglik, 1e-8)
  expect_true(f$coefficients[["x"]] > 15)
})

test_that("non-convergence is a warning", {
  expect_warning(cox(Surv(time, status) ~ age + sex, lung2,
                     control = cox_control(iter_max = 1)), NA)
  expect_warning(cox(Surv(time, status) ~ age + sex + ph.ecog, lung2,
                     control = cox_control(iter_max = 2, eps = 1e-15)),
                 "did not converge",
                 class = "cohortsurv_warning_convergence")
})

test_that("zero weights drop the rows", {
  d <- random_cox_data(200, 16)
  d$w0 <- ifelse(seq_len(nrow(d)) %% 5 == 0, 0, 1)
  a <- cox(Surv(time, status) ~ z1 + sex, d, weights = w0)
  b <- cox(Surv(time, status) ~ z1 + sex, d[d$w0 > 0, ])
  expect_close(a$coefficients, b$coefficients, 1e-12)
  expect_equal(a$n, b$n)
})

test_that("the fast one-variable strata() equals survival::strata()", {
  set.seed(1)
  vals <- list(sample(c(1, 3, 2, NA), 20, TRUE), sample(1:3, 20, TRUE),
               sample(c("b", "a", NA), 20, TRUE),
               factor(sample(c("x", "y"), 20, TRUE), levels = c("y", "x", "z")),
               sample(c(TRUE, FALSE), 20, TRUE), c(0.1, 1 / 3, 2.5, 0.1))
  for (v in vals) {
    # as the model frame evaluates strata(s): factor and character values
    # are labelled alone, others as "s=value"
    expect_identical(cohortsurv:::fast_strata1(v, "s"),
                     with(list(s = v), survival::strata(s)))
  }
})

# --- methods ----------------------------------------------------------------

test_that("methods return what coxph's do", {
  f <- cox(Surv(time, status) ~ age + sex + ph.ecog, lung2)
  g <- coxph(Surv(time, status) ~ age + sex + ph.ecog, lung2)
  expect_equal(coef(f), coef(g), tolerance = 1e-8)
  expect_equal(vcov(f), vcov(g), tolerance = 1e-8)
  expect_equal(confint(f), confint(g), tolerance = 1e-8)
  expect_equal(confint(f, "sex", level = 0.9),
               confint(g, "sex", level = 0.9), tolerance = 1e-8)
  expect_equal(as.numeric(logLik(f)), as.numeric(logLik(g)))
  expect_equal(attr(logLik(f), "df"), attr(logLik(g), "df"))
  expect_equal(AIC(f), AIC(g), tolerance = 1e-10)
  expect_equal(nobs(f), nobs(g))
  h <- hr_table(f)
  expect_named(h, c("term", "estimate", "se", "hr", "lower", "upper",
                    "statistic", "p_value"))
  sg <- summary(g)$conf.int
  expect_close(h$hr, sg[, 1], 1e-8)
  expect_close(h$lower, sg[, 3], 1e-8)
  expect_close(h$upper, sg[, 4], 1e-8)
  expect_close(h$p_value, summary(g)$coefficients[, 5], 1e-8)
  s <- summary(f)
  expect_s3_class(s, "cs_cox_summary")
  expect_output(print(s), "Likelihood ratio test")
  expect_output(print(f), "number of events = ")
  f1 <- cox(Surv(time, status) ~ age, lung2)
  a <- anova(f1, f)
  b <- anova(coxph(Surv(time, status) ~ age, lung2), g)
  expect_close(a$statistic[2], b$Chisq[2], 1e-8)
  expect_close(a$p_value[2], b$`Pr(>|Chi|)`[2], 1e-8)
  a1 <- anova(f)
  b1 <- anova(g)
  expect_close(a1$loglik, b1$loglik, 1e-8)
  expect_close(a1$statistic[-1], b1$Chisq[-1], 1e-8)
  expect_output(print(a1), "Likelihood-ratio")
})

test_that("robust fits print robust standard errors", {
  f <- cox(Surv(time, status) ~ age + sex, lung2, cluster = inst)
  expect_output(print(f), "robust se")
  expect_output(print(summary(f)), "Robust score test")
  expect_close(hr_table(f)$se, sqrt(diag(f$var)), 1e-14)
})

test_that("cox_fit() works on matrices", {
  x <- cbind(trt = c(0, 0, 1, 1, 0, 1), age = c(50, 61, 45, 70, 66, 58))
  y <- cbind(stop = c(5, 8, 12, 3, 9, 15), status = c(1, 1, 0, 1, 1, 0))
  f <- cox_fit(x, y)
  g <- coxph(Surv(y[, 1], y[, 2]) ~ x)
  expect_close(f$coefficients, coef(g), 1e-8)
})

test_that("every number of covariates agrees, fixed-size kernels and not", {
  # the Newton sweep is compiled for p = 0..12 with loops of fixed length
  # and for larger p with loops of run-time length: both against coxph
  set.seed(77)
  n <- 300
  s <- sample.int(3L, n, replace = TRUE)
  t0 <- sample.int(30L, n, replace = TRUE)
  tm <- t0 + sample.int(20L, n, replace = TRUE)
  st <- rbinom(n, 1, 0.7)
  w <- sample(1:3, n, replace = TRUE)
  xx <- matrix(round(rnorm(n * 15), 1), n, 15,
               dimnames = list(NULL, paste0("v", 1:15)))
  for (p in c(1L, 2L, 5L, 11L, 12L, 13L, 15L)) {
    x <- xx[, seq_len(p), drop = FALSE]
    for (ties in c("efron", "breslow")) {
      f <- cox_fit(x, cbind(tm, st), strata = s, weights = w, ties = ties)
      g <- coxph(Surv(tm, st) ~ x + strata(s), weights = w, ties = ties)
      expect_close(unname(f$coefficients), unname(coef(g)), 1e-8)
      expect_close(unname(f$var), unname(g$var), 1e-8)
      expect_close(f$loglik, g$loglik, 1e-8)
      fc <- cox_fit(x, cbind(t0, tm, st), strata = s, ties = ties)
      gc <- coxph(Surv(t0, tm, st) ~ x + strata(s), ties = ties)
      expect_close(unname(fc$coefficients), unname(coef(gc)), 1e-8)
      expect_close(unname(fc$var), unname(gc$var), 1e-8)
    }
  }
})

test_that("the fit's response is the one given, whichever path built it", {
  # every row used and whole times: the kernel reads `y` itself; a zero
  # weight or a time merged by timefix: the copies in the surv data
  d <- random_cox_data(200, 9)
  f1 <- cox(Surv(time, status) ~ z1, d)
  expect_identical(unname(f1$y[, "stop"]), as.double(d$time))
  expect_identical(unname(f1$y[, "status"]), as.double(d$status))
  d$w0 <- ifelse(seq_len(nrow(d)) %% 7 == 0, 0, 1)
  f2 <- cox(Surv(time, status) ~ z1, d, weights = w0)
  keep <- d$w0 > 0
  expect_identical(unname(f2$y[, "stop"]), as.double(d$time[keep]))
  d$t2 <- d$time + ifelse(seq_len(nrow(d)) %% 5 == 0, 1e-10, 0)
  f3 <- cox(Surv(t2, status) ~ z1, d)
  g3 <- coxph(Surv(t2, status) ~ z1, d)
  cox_vs_coxph(f3, g3)
  expect_identical(unname(f3$y[, "stop"]), as.double(d$time))
})

test_that("the generalised-inverse quadratic form drops aliased directions", {
  # C++ (Eigen) against the eigendecomposition in R, the rule of the Wald
  # and score tests: directions with an eigenvalue at most toler times the
  # largest are dropped
  by_r <- function(v, b, toler) {
    e <- eigen((v + t(v)) / 2, symmetric = TRUE)
    keep <- e$values > max(e$values, 0) * toler
    if (!any(keep)) return(0)
    sum(crossprod(e$vectors[, keep, drop = FALSE], b)^2 / e$values[keep])
  }
  set.seed(5)
  for (k in 1:60) {
    p <- 1 + k %% 6
    v <- crossprod(matrix(rnorm(p * p), p))
    if (k %% 3 == 0 && p > 1) v[, p] <- v[p, ] <- 0
    if (k %% 4 == 0 && p > 2) {
      v[, p] <- v[, 1]
      v[p, ] <- v[1, ]
    }
    b <- rnorm(p)
    expect_close(quad_form_inv(v, b, 1e-12), by_r(v, b, 1e-12), 1e-8)
  }
  expect_identical(quad_form_inv(matrix(0, 2, 2), c(1, 2), 1e-12), 0)
})

# --- errors -----------------------------------------------------------------

test_that("cox_fit() refuses left-censored and interval Surv objects", {
  # coxph refuses them; reading their columns as (stop, status) would fit
  # a different model silently
  x <- cbind(a = c(1, 2, 1, 3, 2))
  for (ty in c("left", "interval2")) {
    y <- if (ty == "left") Surv(c(1, 2, 3, 4, 5), c(1, 0, 1, 1, 0),
                                type = "left") else
      Surv(c(1, 2, NA, 4, 5), c(2, 2, 3, NA, 6), type = "interval2")
    expect_error(cox_fit(x, y), "type", class = "cohortsurv_error")
  }
  expect_error(
    cox_fit(x, Surv(c(1, 2, 3, 4, 5), c(1, 0, 1, 1, 0))), NA)
})

test_that("bad input gives argument-naming errors", {
  expect_error(cox(Surv(time, status) ~ age, lung2, ties = "exact"),
               "`ties` must be one of", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, robust = NA),
               "`robust` must be TRUE or FALSE", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, control = list()),
               "`control` must be made by cox_control", 
               class = "cohortsurv_error")
  expect_error(cox_control(iter_max = -1), "`iter_max` must be",
               class = "cohortsurv_error")
  expect_error(cox_control(eps = "a"), "`eps` must be",
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, init = c(1, 2)),
               "`init` must be", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, cluster = 1:3),
               "`cluster` must have one element per row",
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age + cluster(inst), lung2,
                   cluster = inst),
               "cluster\\(\\) term and `cluster` is given", class = "cohortsurv_error")
  expect_error(cox(time ~ age, lung2), "Surv\\(\\) response",
               class = "cohortsurv_error")
  d <- lung2
  d$time[3] <- -1
  expect_error(cox(Surv(time, status) ~ age, d), "non-negative; row 3",
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ agee, lung2), "`agee`",
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, weights = rep(-1, 3)),
               "`weights`", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2,
                   weights = rep(0, nrow(lung2))),
               "at least one positive", class = "cohortsurv_error")
  expect_error(hr_table(lm(time ~ age, lung2)), "`fit` must be a Cox model",
               class = "cohortsurv_error")
  f <- cox(Surv(time, status) ~ age, lung2)
  expect_error(hr_table(f, conf_level = 2), "`conf_level`",
               class = "cohortsurv_error")
  expect_error(residuals(f, type = "pearson"), "`type` must be one of",
               class = "cohortsurv_error")
  expect_error(predict(f, newdata = 1), "`newdata` must be a data frame",
               class = "cohortsurv_error")
  expect_error(residuals(cox(Surv(time, status) ~ 1, lung2), type = "score"),
               "no coefficients", class = "cohortsurv_error")
  expect_error(cox_fit(matrix(1:4, 2), cbind(1:3, c(1, 0, 1))), "`x` must be",
               class = "cohortsurv_error")
  d <- lung2
  d$age[2] <- Inf
  expect_error(cox(Surv(time, status) ~ age, d), "`age` must be finite",
               class = "cohortsurv_error")
})

test_that("predict(reference = \"strata\") works with one covariate", {
  # the per-stratum centring of a one-column design (a K x 1 matrix) once
  # failed as non-conformable
  f <- cox(Surv(time, status) ~ age + strata(sex), data = lung)
  g <- coxph(Surv(time, status) ~ age + strata(sex), data = lung)
  expect_equal(unname(predict(f, reference = "strata")),
               unname(predict(g, reference = "strata")), tolerance = 1e-8)
})
