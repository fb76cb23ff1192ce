# cox() with tt() terms against coxph(tt = ) (survival 3.5.3).

expect_tt_equal <- function(g, f, tol = 1e-8, resid = FALSE,
                            by_set = FALSE) {
  expect_close(g$coefficients, coef(f), tol)
  expect_close(g$var, f$var, tol)
  if (!is.null(f$naive.var)) expect_close(g$naive_var, f$naive.var, tol)
  expect_close(g$loglik, f$loglik, tol)
  expect_close(g$score_test$statistic, f$score, tol)
  if (!is.null(f$rscore)) {
    expect_close(g$robust_score_test$statistic, f$rscore, tol)
  }
  expect_close(g$wald_test$statistic, f$wald.test, tol)
  expect_identical(g$n, f$n)
  expect_identical(g$n_event, f$nevent)
  expect_close(g$means, f$means, tol)
  if (by_set) {
    # (start, stop] data: coxph (coxcount2) orders the rows within a risk
    # set by its own bookkeeping, so compare each risk set's sorted values
    # (both number the risk sets by stratum, then decreasing time)
    by <- function(v, s) unlist(lapply(split(v, s), sort), use.names = FALSE)
    expect_close(by(g$linear_predictors, g$strata_code),
                 by(f$linear.predictors, f$strata), tol)
  } else {
    expect_close(g$linear_predictors, f$linear.predictors, tol)
  }
  if (resid) {
    # coxph's score and Schoenfeld residuals of a tt() fit are right only
    # when the fit keeps its expanded design (x = TRUE)
    expect_close(residuals(g), residuals(f), tol)
    expect_close(residuals(g, "deviance"), residuals(f, "deviance"), tol)
    for (type in c("score", "dfbeta", "schoenfeld", "scaledsch")) {
      expect_close(residuals(g, type), residuals(f, type), tol)
    }
  }
}

test_that("veteran: the classic tt(karno) example", {
  ttf <- function(x, t, ...) x * log(t + 20)
  for (ties in c("efron", "breslow")) {
    f <- coxph(Surv(time, status) ~ trt + prior + karno + tt(karno),
               data = veteran, tt = ttf, ties = ties, x = TRUE)
    g <- cox(Surv(time, status) ~ trt + prior + karno + tt(karno),
             data = veteran, tt = ttf, ties = ties)
    expect_tt_equal(g, f, resid = TRUE)
    expect_identical(names(g$coefficients),
                     c("trt", "prior", "karno", "tt(karno)"))
  }
  # the same function through a list, and a step function of time
  f <- coxph(Surv(time, status) ~ tt(karno) + celltype, data = veteran,
             tt = list(function(x, t, ...) cbind(x, x * (t > 90))), x = TRUE)
  g <- cox(Surv(time, status) ~ tt(karno) + celltype, data = veteran,
           tt = list(function(x, t, ...) cbind(x, x * (t > 90))))
  expect_tt_equal(g, f, resid = TRUE)
  expect_identical(names(g$coefficients), names(coef(f)))
})

test_that("lung: strata, fractional weights (robust), default tt", {
  d <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog",
                        "inst")])
  set.seed(2)
  d$w <- runif(nrow(d), 0.5, 2)
  ttf <- function(x, t, ...) x * (t > 200)
  f <- coxph(Surv(time, status) ~ age + tt(age) + ph.ecog + strata(sex),
             data = d, weights = w, tt = ttf, x = TRUE)
  g <- cox(Surv(time, status) ~ age + tt(age) + ph.ecog + strata(sex),
           data = d, weights = w, tt = ttf)
  expect_true(g$robust)
  expect_tt_equal(g, f, resid = TRUE)
  # whole-number weights: model-based variance
  d$w2 <- rep(1:3, length.out = nrow(d))
  f <- coxph(Surv(time, status) ~ tt(age) + sex, data = d, weights = w2,
             tt = function(x, t, ...) x * log(t), x = TRUE)
  g <- cox(Surv(time, status) ~ tt(age) + sex, data = d, weights = w2,
           tt = function(x, t, ...) x * log(t))
  expect_false(g$robust)
  expect_tt_equal(g, f, resid = TRUE)
  # coxph's default tt: the logit of the rank within each risk set
  f <- coxph(Surv(time, status) ~ tt(age) + sex, data = d)
  g <- cox(Surv(time, status) ~ tt(age) + sex, data = d)
  expect_tt_equal(g, f)
  # a cluster: the robust variance of the expanded rows, by cluster
  f <- coxph(Surv(time, status) ~ age + tt(age), data = d, cluster = inst,
             tt = ttf)
  g <- cox(Surv(time, status) ~ age + tt(age), data = d, cluster = inst,
           tt = ttf)
  expect_tt_equal(g, f)
})

test_that("pbc: two tt() terms with a list of functions, missing values", {
  f <- coxph(Surv(time, status == 2) ~ age + tt(bili) + tt(albumin) +
               edema, data = pbc,
             tt = list(function(x, t, ...) log(x) * log(t),
                       function(x, t, ...) x * (t > 1000)))
  g <- cox(Surv(time, status == 2) ~ age + tt(bili) + tt(albumin) + edema,
           data = pbc,
           tt = list(function(x, t, ...) log(x) * log(t),
                     function(x, t, ...) x * (t > 1000)))
  expect_tt_equal(g, f)
  f <- coxph(Surv(time, status == 2) ~ log(bili) + tt(age) + strata(sex),
             data = pbc, tt = function(x, t, ...) x * t / 365.25)
  g <- cox(Surv(time, status == 2) ~ log(bili) + tt(age) + strata(sex),
           data = pbc, tt = function(x, t, ...) x * t / 365.25)
  expect_tt_equal(g, f)
  # rows with a missing covariate (pbc's trt) are dropped first
  f <- coxph(Surv(time, status == 2) ~ trt + tt(age), data = pbc,
             tt = function(x, t, ...) x * log(t))
  g <- cox(Surv(time, status == 2) ~ trt + tt(age), data = pbc,
           tt = function(x, t, ...) x * log(t))
  expect_tt_equal(g, f)
  expect_identical(g$n_dropped, 106L)
})

test_that("counting-process data and random data with heavy ties", {
  ttf <- function(x, t, ...) x * log(t + 1)
  f <- coxph(Surv(start, stop, event) ~ age + tt(age) + transplant,
             data = heart, tt = ttf, x = TRUE)
  g <- cox(Surv(start, stop, event) ~ age + tt(age) + transplant,
           data = heart, tt = ttf)
  expect_tt_equal(g, f, by_set = TRUE)
  for (seed in 1:3) {
    d <- random_surv(300, seed = seed, counting = TRUE)
    d$x <- rnorm(nrow(d))
    for (ties in c("efron", "breslow")) {
      f <- coxph(Surv(time, status) ~ group + x + tt(x) + strata(sex),
                 data = d, weights = w, tt = function(x, t, ...) x * t,
                 ties = ties, x = TRUE)
      g <- cox(Surv(time, status) ~ group + x + tt(x) + strata(sex),
               data = d, weights = w, tt = function(x, t, ...) x * t,
               ties = ties)
      expect_tt_equal(g, f, resid = TRUE)
      f <- coxph(Surv(start, time, status) ~ x + tt(x) + group, data = d,
                 weights = fw, tt = function(x, t, ...) x * sqrt(t),
                 ties = ties, x = TRUE)
      g <- cox(Surv(start, time, status) ~ x + tt(x) + group, data = d,
               weights = fw, tt = function(x, t, ...) x * sqrt(t),
               ties = ties)
      expect_tt_equal(g, f, by_set = TRUE)
    }
  }
})

test_that("(start, stop] data with strata: against data split at the event times", {
  # coxph(tt = ) is wrong here (survival 3.5.3's coxcount2 reads the
  # stratum flags by row instead of by sorted position: other risk sets,
  # or a segfault), so the oracle is coxph on the data split at every event
  # time with the transformed covariate computed per piece
  for (seed in 1:3) {
    d <- random_surv(300, seed = seed, counting = TRUE)
    d$x <- rnorm(nrow(d))
    sp <- time_split(d, cut = unique(d$time[d$status == 1]), end = "time",
                     event = "status", start = "start")
    sp$z <- sp$x * sqrt(sp$time)
    for (ties in c("efron", "breslow")) {
      f <- coxph(Surv(start, time, status) ~ x + z + strata(group),
                 data = sp, ties = ties, weights = w)
      g <- cox(Surv(start, time, status) ~ x + tt(x) + strata(group),
               data = d, tt = function(x, t, ...) x * sqrt(t), ties = ties,
               weights = w)
      expect_close(unname(g$coefficients), unname(coef(f)), 1e-8)
      expect_close(g$var, f$var, 1e-8)
      expect_close(g$loglik, f$loglik, 1e-8)
      expect_close(g$score_test$statistic, f$score, 1e-8)
    }
  }
})

test_that("invariances: an identity tt() is the plain covariate", {
  g0 <- cox(Surv(time, status) ~ age + sex + strata(ph.ecog), data = lung)
  g1 <- cox(Surv(time, status) ~ tt(age) + sex + strata(ph.ecog),
            data = lung, tt = function(x, t, ...) x)
  expect_close(unname(g1$coefficients), unname(g0$coefficients), 1e-8)
  expect_close(g1$var, g0$var, 1e-8)
  expect_close(g1$loglik, g0$loglik, 1e-8)
  d <- random_surv(200, seed = 4, counting = TRUE)
  d$x <- rnorm(nrow(d))
  g0 <- cox(Surv(start, time, status) ~ x + sex + strata(group), data = d)
  g1 <- cox(Surv(start, time, status) ~ tt(x) + sex + strata(group),
            data = d, tt = function(x, t, ...) x)
  expect_close(unname(g1$coefficients), unname(g0$coefficients), 1e-8)
  expect_close(g1$var, g0$var, 1e-8)
  # weight 2 equals the duplicated row (Breslow ties: Efron's correction
  # treats a weighted death and duplicated deaths differently)
  d <- random_surv(120, seed = 9)
  d$x <- rnorm(nrow(d))
  ttf <- function(x, t, ...) x * log(t)
  g2 <- cox(Surv(time, status) ~ tt(x) + group, data = d, weights = w,
            tt = ttf, ties = "breslow")
  dd <- d[rep(seq_len(nrow(d)), d$w), ]
  g3 <- cox(Surv(time, status) ~ tt(x) + group, data = dd, tt = ttf,
            ties = "breslow")
  expect_close(g2$coefficients, g3$coefficients, 1e-8)
  expect_close(g2$var, g3$var, 1e-8)
  # row order does not matter
  g4 <- cox(Surv(time, status) ~ tt(x) + group, data = d[nrow(d):1, ],
            weights = w, tt = ttf, ties = "breslow")
  expect_close(g2$coefficients, g4$coefficients, 1e-8)
})

test_that("offsets, zero weights, subset and init", {
  ttf <- function(x, t, ...) x * log(t + 20)
  f <- coxph(Surv(time, status) ~ karno + tt(karno) + offset(trt / 3),
             data = veteran, tt = ttf)
  g <- cox(Surv(time, status) ~ karno + tt(karno) + offset(trt / 3),
           data = veteran, tt = ttf)
  expect_tt_equal(g, f)
  # a row of weight zero takes no part (coxph refuses such weights)
  d <- veteran
  d$w <- 1
  d$w[c(3, 40)] <- 0
  g0 <- cox(Surv(time, status) ~ karno + tt(karno), data = d, weights = w,
            tt = ttf)
  f0 <- coxph(Surv(time, status) ~ karno + tt(karno), data = d[d$w > 0, ],
              tt = ttf)
  expect_tt_equal(g0, f0)
  f <- coxph(Surv(time, status) ~ karno + tt(karno), data = veteran,
             subset = celltype != "large", tt = ttf, init = c(-0.05, 0.01))
  g <- cox(Surv(time, status) ~ karno + tt(karno), data = veteran,
           subset = celltype != "large", tt = ttf, init = c(-0.05, 0.01))
  expect_tt_equal(g, f)
})

test_that("nearly equal times are merged before the expansion (timefix)", {
  d <- veteran
  d$time <- d$time / 7
  k <- seq(1, nrow(d), 3)
  d$time[k] <- d$time[k] * (1 + 1e-10)
  ttf <- function(x, t, ...) x * log(t + 3)
  f <- coxph(Surv(time, status) ~ karno + tt(karno), data = d, tt = ttf)
  g <- cox(Surv(time, status) ~ karno + tt(karno), data = d, tt = ttf)
  expect_tt_equal(g, f)
  g2 <- cox(Surv(time, status) ~ karno + tt(karno), data = d, tt = ttf,
            timefix = FALSE)
  expect_gt(g2$tt$n_rows, g$tt$n_rows)
})

test_that("anova() of a tt fit: sequential tests on the expanded data", {
  # (anova.coxph refits a tt() model without the expansion: wrong)
  ttf <- function(x, t, ...) x * log(t + 20)
  g <- cox(Surv(time, status) ~ trt + karno + tt(karno), data = veteran,
           tt = ttf)
  a <- anova(g)
  g0 <- cox(Surv(time, status) ~ trt + karno, data = veteran)
  expect_close(a$loglik[3L], g0$loglik[2L], 1e-8)
  expect_close(a$loglik[4L], g$loglik[2L], 1e-8)
})

test_that("tt fits refuse the methods that would be wrong for them", {
  g <- cox(Surv(time, status) ~ karno + tt(karno), data = veteran,
           tt = function(x, t, ...) x * log(t + 20))
  expect_output(print(g), "tt\\(karno\\)")
  expect_s3_class(summary(g), "cs_cox_summary")
  expect_identical(nrow(hr_table(g)), 2L)
  expect_error(predict(g), class = "cohortsurv_error")
  expect_error(predict(g, newdata = veteran[1:3, ]),
               class = "cohortsurv_error")
  expect_error(ph_test(g), class = "cohortsurv_error")
  expect_error(baseline_hazard(g), class = "cohortsurv_error")
  expect_error(augment(g, data = veteran), class = "cohortsurv_error")
})

test_that("bad tt input is refused by name", {
  err <- function(expr, arg) {
    e <- expect_error(expr, class = "cohortsurv_error")
    expect_identical(e$arg, arg)
  }
  err(cox(Surv(time, status) ~ karno, data = veteran,
          tt = function(x, t, ...) x), "tt")
  err(cox(Surv(time, status) ~ tt(karno) + tt(age), data = veteran,
          tt = list(function(x, t, ...) x, function(x, t, ...) x,
                    function(x, t, ...) x)), "tt")
  err(cox(Surv(time, status) ~ tt(karno), data = veteran, tt = "log"), "tt")
  err(cox(Surv(time, status) ~ tt(karno), data = veteran,
          tt = function(x, t, ...) x[-1]), "tt")
  err(km(Surv(time, status) ~ tt(karno), data = veteran), "formula")
  err(logrank(Surv(time, status) ~ tt(karno), data = veteran), "formula")
})
