# survival's formula and data conventions (issue 13): each case gave a
# silently different number before; now it agrees with survival or is
# refused by name.

lung2 <- survival::lung

test_that("survival::strata(), survival::Surv() and survival::cluster() are markers", {
  f <- cox(survival::Surv(time, status) ~ age + survival::strata(inst), lung2)
  g <- coxph(Surv(time, status) ~ age + strata(inst), lung2)
  expect_named(coef(f), "age")
  expect_close(coef(f), coef(g), 1e-8)
  expect_close(f$var, g$var, 1e-8)
  lr <- logrank(Surv(time, status) ~ sex + survival::strata(inst), lung2)
  sd <- survdiff(Surv(time, status) ~ sex + strata(inst), lung2)
  expect_close(lr$statistic, sd$chisq, 1e-10)
  f <- cox(Surv(time, status) ~ age + survival::cluster(inst), lung2)
  g <- coxph(Surv(time, status) ~ age + cluster(inst), lung2)
  expect_true(f$robust)
  expect_close(f$var, g$var, 1e-8)
  expect_close(f$naive_var, g$naive.var, 1e-8)
  k1 <- km(Surv(time, status) ~ survival::strata(sex), lung2)
  k2 <- survfit(Surv(time, status) ~ strata(sex), lung2)
  expect_close(k1$curves$surv, k2$surv, 1e-10)
})

test_that("strata() and cluster() work without survival attached", {
  env <- new.env(parent = baseenv())
  env$d <- lung2
  f <- eval(quote(cohortsurv::cox(
    survival::Surv(time, status) ~ age + survival::strata(sex) +
      survival::cluster(inst), d)), env)
  g <- coxph(Surv(time, status) ~ age + strata(sex) + cluster(inst), lung2)
  expect_close(f$var, g$var, 1e-8)
})

test_that("strata() in interactions: coxph's design columns and fit", {
  shapes <- list(
    Surv(time, status) ~ age + strata(sex) / ph.ecog,
    Surv(time, status) ~ age + strata(sex) * ph.ecog,
    Surv(time, status) ~ age + strata(sex):ph.ecog,
    Surv(time, status) ~ age + ph.ecog:strata(sex),
    Surv(time, status) ~ age + ph.ecog * strata(sex),
    Surv(time, status) ~ factor(ph.ecog) * strata(sex) + strata(inst),
    Surv(time, status) ~ age * strata(sex) + wt.loss
  )
  for (fm in shapes) {
    for (ties in c("efron", "breslow")) {
      f <- suppressMessages(cox(fm, lung2, ties = ties))
      g <- coxph(fm, lung2, ties = ties)
      cox_vs_coxph(f, g)
    }
  }
  # predictions for new data drop the same columns
  fm <- Surv(time, status) ~ age + strata(sex) * ph.ecog
  f <- cox(fm, lung2)
  g <- coxph(fm, lung2)
  nd <- lung2[c(1:10, 30:40), ]
  for (ref in c("strata", "sample", "zero")) {
    expect_close(predict(f, newdata = nd, reference = ref),
                 predict(g, newdata = nd, reference = ref), 1e-8)
    expect_close(predict(f, reference = ref), predict(g, reference = ref),
                 1e-8)
  }
  # km and logrank keep refusing strata() in interactions
  expect_error(logrank(Surv(time, status) ~ ph.ecog + strata(sex):age, lung2),
               "no interaction terms", class = "cohortsurv_error")
})

test_that("nearly equal times are merged as survival's timefix does", {
  d <- data.frame(time = c(1, 2, sqrt(2)^2, 2, sqrt(2)^2), status = 1,
                  group = c(1, 1, 1, 2, 2))
  k <- km(Surv(time, status) ~ 1, d)
  s <- survfit(Surv(time, status) ~ 1, d)
  expect_equal(k$curves$surv, c(0.8, 0))
  expect_close(k$curves$surv, s$surv, 1e-10)
  expect_close(k$curves$time, s$time, 1e-15)
  expect_close(logrank(Surv(time, status) ~ group, d)$statistic,
               survdiff(Surv(time, status) ~ group, d)$chisq, 1e-10)
  # without timefix the three distinct doubles stay distinct
  k0 <- km(Surv(time, status) ~ 1, d, timefix = FALSE)
  expect_length(k0$curves$surv, 3L)
  # survdiff(timefix = FALSE) fails in survival 3.5 when `data` is given;
  # its kernel survdiff.fit() does not merge times
  raw <- getFromNamespace("survdiff.fit", "survival")(
    Surv(d$time, d$status), d$group)
  o_e <- raw$observed[1] - raw$expected[1]
  expect_close(logrank(Surv(time, status) ~ group, d, timefix = FALSE)$statistic,
               o_e^2 / raw$var[1, 1], 1e-10)
  m <- survival::mgus2
  f <- cox(Surv(age, age + futime / 12, death) ~ sex, m)
  g <- coxph(Surv(age, age + futime / 12, death) ~ sex, m)
  expect_close(coef(f), coef(g), 1e-8)
  expect_close(f$var, g$var, 1e-8)
  f <- cox(Surv(age, age + futime / 12, death) ~ sex, m, timefix = FALSE)
  g <- coxph(Surv(age, age + futime / 12, death) ~ sex, m,
             control = coxph.control(timefix = FALSE))
  expect_close(coef(f), coef(g), 1e-8)
  # a merge that makes an interval empty is refused, naming timefix
  d <- data.frame(start = c(0, 1), stop = c(1, 1 + 1e-12), status = 1)
  expect_error(cox(Surv(start, stop, status) ~ 1, d), "`timefix`",
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ 1, d, timefix = NA), "`timefix`",
               class = "cohortsurv_error")
})

test_that("zero weights keep residuals and predictions aligned with the rows", {
  d <- survival::aml[c(1:5, 12:17), ]
  d$w <- c(1, 0, 1, 1, 0, 2, 1, 0, 1, 1, 1)
  d$time[3] <- NA
  f <- cox(Surv(time, status) ~ x, d, weights = w, na.action = na.exclude)
  for (type in c("martingale", "deviance")) {
    r <- residuals(f, type = type)
    expect_length(r, nrow(d))
    expect_true(all(is.na(r[c(2, 3, 5, 8)])))
    expect_false(anyNA(r[-c(2, 3, 5, 8)]))
  }
  expect_equal(dim(residuals(f, type = "dfbeta")), c(nrow(d), 1L))
  p <- predict(f)
  expect_length(p, nrow(d))
  expect_identical(which(is.na(p)), 3L)
  # the rows of positive weight are the fit without the zero-weight rows
  keep <- d$w > 0
  g <- coxph(Surv(time, status) ~ x, d[keep, ], weights = w,
             na.action = na.exclude)
  expect_close(residuals(f)[keep], residuals(g), 1e-8)
  expect_close(predict(f)[keep], predict(g), 1e-8)
  # the zero-weight rows get their linear predictor all the same
  expect_close(p[2], p[1], 1e-15)
})

test_that("specials cohortsurv does not fit are refused by name", {
  expect_error(cox(Surv(time, status) ~ pspline(age) + sex, lung2),
               "pspline\\(\\)", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ ridge(age, sex), lung2),
               "ridge\\(\\)", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age + frailty(inst), lung2),
               "frailty\\(\\)", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age + survival::frailty.gamma(inst),
                   lung2), "frailty.gamma\\(\\)", class = "cohortsurv_error")
  expect_error(km(Surv(time, status) ~ tt(age), lung2),
               "tt\\(\\) terms are not supported", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, tt = function(x, t, ...) x),
               "`tt` is given but `formula` has no tt\\(\\) term",
               class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, ties = "exact"),
               "`ties`", class = "cohortsurv_error")
  expect_error(km(Surv(time, status) ~ pspline(age), lung2), "pspline",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(time, status) ~ sex + cluster(inst), lung2),
               "cluster\\(inst\\)", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age:cluster(inst), lung2),
               "cluster\\(\\) must be a single term", class = "cohortsurv_error")
})

test_that("negative subsets, df$col formulas, '.', update() and Surv(time)", {
  f <- cox(Surv(time, status) ~ age, lung2, subset = -(1:3))
  g <- coxph(Surv(time, status) ~ age, lung2, subset = -(1:3))
  expect_close(coef(f), coef(g), 1e-8)
  expect_equal(f$n, g$n)
  k <- km(Surv(time, status) ~ sex, lung2, subset = -1)
  expect_close(k$curves$surv, survfit(Surv(time, status) ~ sex, lung2,
                                      subset = -1)$surv, 1e-10)
  expect_error(cox(Surv(time, status) ~ age, lung2, subset = c(-1, 2)),
               "mix", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, subset = c(1, 1, 2)),
               "more than once", class = "cohortsurv_error")
  aml2 <- survival::aml
  f <- cox(Surv(aml2$time, aml2$status) ~ aml2$x)
  g <- coxph(Surv(aml2$time, aml2$status) ~ aml2$x)
  expect_identical(names(coef(f)), names(coef(g)))
  expect_close(coef(f), coef(g), 1e-8)
  d <- lung2[, c("time", "status", "age", "sex", "ph.ecog")]
  f <- cox(Surv(time, status) ~ ., d)
  g <- coxph(Surv(time, status) ~ ., d)
  expect_identical(names(coef(f)), names(coef(g)))
  expect_close(coef(f), coef(g), 1e-8)
  f2 <- update(f, . ~ . - sex)
  expect_close(coef(f2), coef(update(g, . ~ . - sex)), 1e-8)
  f <- cox(Surv(time) ~ age, lung2)
  g <- coxph(Surv(time) ~ age, lung2)
  expect_equal(f$n_event, g$nevent)
  expect_close(coef(f), coef(g), 1e-8)
  k <- km(Surv(time) ~ 1, lung2)
  expect_close(k$curves$surv, survfit(Surv(time) ~ 1, lung2)$surv, 1e-10)
})

test_that("the null model's loglik has coxph's length", {
  f <- cox(Surv(time, status) ~ 1, lung2)
  g <- coxph(Surv(time, status) ~ 1, lung2)
  expect_length(f$loglik, length(g$loglik))
  expect_close(f$loglik, g$loglik, 1e-10)
  expect_close(as.numeric(logLik(f)), as.numeric(logLik(g)), 1e-10)
})

test_that("coxph's argument names are aliases or refused by name", {
  f <- cox(Surv(time, status) ~ age, lung2, method = "breslow")
  g <- coxph(Surv(time, status) ~ age, lung2, method = "breslow")
  expect_close(coef(f), coef(g), 1e-8)
  expect_error(cox(Surv(time, status) ~ age, lung2, method = "breslow",
                   ties = "efron"), "not both", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, iter.max = 3),
               "cox_control\\(iter_max", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, id = inst),
               "`cluster`", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ age, lung2, nonsense = 1),
               "`nonsense` is not an argument of cox\\(\\)",
               class = "cohortsurv_error")
})

test_that("cluster with robust = FALSE is ignored with a warning, as coxph", {
  expect_warning(cox(Surv(time, status) ~ age, lung2, cluster = inst,
                     robust = FALSE), class = "cohortsurv_warning_cluster")
  f <- suppressWarnings(cox(Surv(time, status) ~ age, lung2, cluster = inst,
                            robust = FALSE))
  g <- suppressWarnings(coxph(Surv(time, status) ~ age, lung2,
                              cluster = inst, robust = FALSE))
  expect_close(f$var, g$var, 1e-8)
  expect_false(f$robust)
})

test_that("km() and logrank() group by terms as survfit and survdiff do", {
  # an offset is not a grouping term
  k <- km(Surv(time, status) ~ sex + offset(log(age)), lung2)
  s <- suppressWarnings(survfit(Surv(time, status) ~ sex + offset(log(age)),
                               lung2))
  expect_equal(nlevels(k$curves$strata), 2L)
  expect_close(k$curves$surv, s$surv, 1e-10)
  expect_error(km(Surv(time, status) ~ sex * ph.ecog, lung2),
               "no interaction terms", class = "cohortsurv_error")
  expect_error(km(Surv(time, status) ~ poly(age, 2), lung2),
               "several columns", class = "cohortsurv_error")
  expect_error(logrank(Surv(time, status) ~ sex * ph.ecog, lung2),
               "no interaction terms", class = "cohortsurv_error")
  expect_error(logrank(Surv(time, status) ~ sex + offset(age), lung2),
               "offset", class = "cohortsurv_error")
  expect_error(logrank(Surv(time, status) ~ splines::ns(age, 3), lung2),
               "several columns", class = "cohortsurv_error")
})

test_that("cox() keeps unused factor levels, as coxph (NA coefficient)", {
  d <- subset(survival::colon, etype == 2)
  f <- suppressMessages(cox(Surv(time, status) ~ rx, d, subset = rx != "Obs"))
  g <- coxph(Surv(time, status) ~ rx, d, subset = rx != "Obs")
  cox_vs_coxph(f, g)
  expect_true(is.na(coef(f)[["rxLev+5FU"]]))
})

test_that("predict() with an offset: consistent on the fitting rows", {
  # predict.coxph(newdata =) with reference = "sample" does not subtract the
  # mean offset (its predictions for the fitting rows then differ from
  # predict() without newdata); cox() subtracts it in both, as coxph does
  # with reference = "zero"
  d <- na.omit(lung2[, c("time", "status", "age", "sex", "wt.loss")])
  fm <- Surv(time, status) ~ age + sex + offset(log(wt.loss + 50))
  f <- cox(fm, d)
  g <- coxph(fm, d)
  expect_close(predict(f), predict(g), 1e-10)
  expect_close(predict(f, newdata = d), predict(g), 1e-10)
  expect_close(predict(f, newdata = d, reference = "zero"),
               predict(g, newdata = d, reference = "zero"), 1e-10)
})

test_that("update() of a fit with a cluster() term keeps the cluster", {
  f <- cox(Surv(time, status) ~ age + cluster(inst), lung2)
  g <- coxph(Surv(time, status) ~ age + cluster(inst), lung2)
  uf <- update(f, . ~ . + sex)
  ug <- update(g, . ~ . + sex)
  expect_equal(uf$n, ug$n)
  expect_true(uf$robust)
  expect_close(coef(uf), coef(ug), 1e-8)
  expect_close(uf$var, ug$var, 1e-8)
})

test_that("anova() has coxph's rows when strata() is in an interaction", {
  d <- na.omit(lung2[, c("time", "status", "ph.ecog", "sex", "age")])
  a <- anova(cox(Surv(time, status) ~ ph.ecog + age * strata(sex), d))
  g <- anova(coxph(Surv(time, status) ~ ph.ecog + age * strata(sex), d))
  expect_identical(a$term[-1L], rownames(g)[-1L])
  expect_close(a$statistic[-1L], g$Chisq[-1L], 1e-8)
  expect_close(a$loglik, g$loglik, 1e-10)
})

test_that("extended KM: a subject who moves to another curve is censored in the one it leaves", {
  # survival's tests/ekm.R: the row where a subject leaves a curve is a
  # censoring in that curve (survival 3.5 mislays these flags with several
  # curves, so the hand count of ekm.R is the oracle)
  d <- survival::aml
  d$id <- seq_len(nrow(d))
  d <- survSplit(Surv(time, status) ~ ., d, cut = c(9, 17, 30))
  d$trt <- rep(c(1, 1, 2, 2, 2), length = nrow(d))
  d$wt <- rep(1:6, length = nrow(d))
  d$status[d$time == 13] <- 1
  f <- km(Surv(tstart, time, status) ~ trt, d, weights = wt, id = id)
  by_hand <- function(dd) {
    last <- !vapply(seq_len(nrow(dd)), function(i) {
      any(dd$id == dd$id[i] & dd$tstart == dd$time[i])
    }, logical(1))
    vapply(sort(unique(dd$time)), function(t) {
      sum(dd$wt[dd$time == t & dd$status == 0 & last])
    }, numeric(1))
  }
  expect_equal(f$curves$n_censor,
               c(by_hand(d[d$trt == 1, ]), by_hand(d[d$trt == 2, ])))
})

test_that("predict() of a cox() fit refuses arguments it would ignore", {
  f <- cox(Surv(time, status) ~ age, lung2)
  expect_error(predict(f, collapse = 1), "collapse", class = "cohortsurv_error")
  expect_error(predict(f, type = "lp", foo = 3), "`foo` is not an argument",
               class = "cohortsurv_error")
})
