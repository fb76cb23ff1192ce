# tidy(), glance() and augment(): broom's columns, survival's numbers.

lung_t <- survival::lung

tidy_cox_models <- list(
  lung = list(Surv(time, status) ~ age + sex + ph.ecog, lung_t, NULL),
  veteran = list(Surv(time, status) ~ trt + celltype + karno, veteran, NULL),
  pbc_strata = list(Surv(time, status == 2) ~ age + edema + log(bili) +
                      strata(trt), pbc, NULL),
  bladder2 = list(Surv(start, stop, event) ~ rx + size + number, bladder2,
                  NULL)
)

# --- the generics ------------------------------------------------------------

test_that("tidy, glance and augment are the generics package's, re-exported", {
  ns <- getNamespaceExports("cohortsurv")
  expect_true(all(c("tidy", "glance", "augment") %in% ns))
  expect_identical(cohortsurv::tidy, generics::tidy)
  expect_identical(cohortsurv::glance, generics::glance)
  expect_identical(cohortsurv::augment, generics::augment)
  fit <- cox(Surv(time, status) ~ age, data = lung_t)
  expect_identical(generics::tidy(fit), tidy(fit))
})

# --- cs_cox: tidy -----------------------------------------------------------

for (nm in names(tidy_cox_models)) {
  test_that(paste("tidy(cox()) equals summary(coxph())'s numbers on", nm), {
    m <- tidy_cox_models[[nm]]
    f <- cox(m[[1]], data = m[[2]])
    g <- coxph(m[[1]], data = m[[2]])
    tf <- tidy(f)
    expect_named(tf, c("term", "estimate", "std.error", "statistic",
                       "p.value"))
    expect_identical(tf$term, names(coef(g)))
    sc <- summary(g)$coefficients
    expect_close(tf$estimate, coef(g), 1e-8)
    expect_close(tf$std.error, sqrt(diag(vcov(g))), 1e-8)
    expect_close(tf$statistic, sc[, "z"], 1e-8)
    expect_close(tf$p.value, sc[, "Pr(>|z|)"], 1e-8)
    ti <- tidy(f, conf.int = TRUE, conf.level = 0.9)
    expect_named(ti, c("term", "estimate", "std.error", "statistic",
                       "p.value", "conf.low", "conf.high"))
    ci <- confint(g, level = 0.9)
    expect_close(ti$conf.low, ci[, 1], 1e-8)
    expect_close(ti$conf.high, ci[, 2], 1e-8)
    te <- tidy(f, exponentiate = TRUE, conf.int = TRUE)
    s95 <- summary(g)$conf.int
    expect_close(te$estimate, s95[, "exp(coef)"], 1e-8)
    expect_close(te$conf.low, s95[, "lower .95"], 1e-8)
    expect_close(te$conf.high, s95[, "upper .95"], 1e-8)
    # the standard error stays on the log scale
    expect_close(te$std.error, tf$std.error, 1e-12)
  })
}

test_that("tidy(cox()) with a robust variance: std.error model-based, robust.se", {
  f <- cox(Surv(time, status) ~ age + sex, data = lung_t, cluster = inst)
  g <- coxph(Surv(time, status) ~ age + sex, data = lung_t, cluster = inst)
  tf <- tidy(f, conf.int = TRUE)
  expect_named(tf, c("term", "estimate", "std.error", "robust.se",
                     "statistic", "p.value", "conf.low", "conf.high"))
  sc <- summary(g)$coefficients
  expect_close(tf$std.error, sc[, "se(coef)"], 1e-8)
  expect_close(tf$robust.se, sc[, "robust se"], 1e-8)
  expect_close(tf$statistic, sc[, "z"], 1e-8)
  expect_close(tf$p.value, sc[, "Pr(>|z|)"], 1e-8)
  expect_close(tf$conf.low, confint(g)[, 1], 1e-8)
})

test_that("tidy(cox()) keeps aliased coefficients as NA rows", {
  d <- lung_t
  d$age2 <- 2 * d$age
  f <- suppressMessages(cox(Surv(time, status) ~ age + age2 + sex, data = d))
  tf <- tidy(f, conf.int = TRUE)
  expect_identical(tf$term, c("age", "age2", "sex"))
  expect_true(all(is.na(unlist(tf[2, -1]))))
  expect_false(anyNA(unlist(tf[c(1, 3), -1])))
})

test_that("tidy(cox()) refuses bad arguments by name", {
  f <- cox(Surv(time, status) ~ age, data = lung_t)
  for (bad in list(NA, "yes", c(TRUE, FALSE), 1)) {
    expect_error(tidy(f, exponentiate = bad), class = "cohortsurv_error")
    expect_error(tidy(f, conf.int = bad), class = "cohortsurv_error")
  }
  for (bad in list(0, 1, 1.5, NA_real_, "0.9", c(0.9, 0.95))) {
    e <- expect_error(tidy(f, conf.level = bad), class = "cohortsurv_error")
    expect_identical(e$arg, "conf.level")
  }
  e <- expect_error(tidy(f, exponentiate = NA), class = "cohortsurv_error")
  expect_identical(e$arg, "exponentiate")
  e <- expect_error(tidy(f, conf_int = TRUE), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
  expect_match(conditionMessage(e), "conf_int")
  expect_error(tidy(f, TRUE, TRUE, 0.95, 1), class = "cohortsurv_error")
})

# --- cs_cox: glance ---------------------------------------------------------

glance_cox_cols <- c("n", "nevent", "statistic.log", "p.value.log",
                     "statistic.sc", "p.value.sc", "statistic.wald",
                     "p.value.wald", "statistic.robust", "p.value.robust",
                     "r.squared", "r.squared.max", "concordance",
                     "std.error.concordance", "logLik", "AIC", "BIC", "nobs")

for (nm in names(tidy_cox_models)) {
  test_that(paste("glance(cox()) equals coxph's tests and fit on", nm), {
    m <- tidy_cox_models[[nm]]
    f <- cox(m[[1]], data = m[[2]])
    g <- coxph(m[[1]], data = m[[2]])
    s <- summary(g)
    gl <- glance(f)
    expect_named(gl, glance_cox_cols)
    expect_identical(nrow(gl), 1L)
    expect_equal(gl$n, g$n)
    expect_equal(gl$nevent, g$nevent)
    expect_close(gl$statistic.log, s$logtest[["test"]], 1e-8)
    expect_close(gl$p.value.log, s$logtest[["pvalue"]], 1e-8)
    expect_close(gl$statistic.sc, s$sctest[["test"]], 1e-8)
    expect_close(gl$p.value.sc, s$sctest[["pvalue"]], 1e-8)
    expect_close(gl$statistic.wald, g$wald.test, 1e-8)
    expect_close(gl$p.value.wald, s$waldtest[["pvalue"]], 1e-8)
    expect_true(is.na(gl$statistic.robust) && is.na(gl$p.value.robust))
    expect_close(gl$r.squared, s$rsq[["rsq"]], 1e-8)
    expect_close(gl$r.squared.max, s$rsq[["maxrsq"]], 1e-8)
    expect_close(gl$concordance, s$concordance[["C"]], 1e-8)
    expect_close(gl$std.error.concordance, s$concordance[["se(C)"]], 1e-8)
    expect_close(gl$logLik, as.numeric(logLik(g)), 1e-8)
    expect_close(gl$AIC, AIC(g), 1e-8)
    expect_close(gl$BIC, BIC(g), 1e-8)
    expect_equal(gl$nobs, g$n)
  })
}

test_that("glance(cox()) with a robust variance has the robust score test", {
  f <- cox(Surv(time, status) ~ age + sex, data = lung_t, cluster = inst)
  g <- coxph(Surv(time, status) ~ age + sex, data = lung_t, cluster = inst)
  gl <- glance(f)
  s <- summary(g)
  expect_close(gl$statistic.robust, s$robscore[["test"]], 1e-8)
  expect_close(gl$p.value.robust, s$robscore[["pvalue"]], 1e-8)
  expect_close(gl$statistic.wald, g$wald.test, 1e-8)
  expect_close(gl$concordance, s$concordance[["C"]], 1e-8)
  expect_close(gl$std.error.concordance, s$concordance[["se(C)"]], 1e-8)
})

test_that("glance(cox()) refuses arguments", {
  f <- cox(Surv(time, status) ~ age, data = lung_t)
  e <- expect_error(glance(f, conf.int = TRUE), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
  expect_error(glance(f, 1), class = "cohortsurv_error")
})

# --- cs_cox: augment --------------------------------------------------------

test_that("augment(cox()) adds predict.coxph and residuals.coxph", {
  fm <- Surv(time, status) ~ age + sex + ph.ecog + strata(inst)
  f <- cox(fm, data = lung_t)
  g <- coxph(fm, data = lung_t)
  used <- -as.integer(g$na.action)
  # the whole data: the rows na.omit dropped are dropped
  a <- augment(f, data = lung_t)
  expect_identical(nrow(a), g$n)
  expect_named(a, c(names(lung_t), ".fitted", ".se.fit", ".resid"))
  expect_identical(a$time, lung_t$time[used])
  expect_close(a$.fitted, predict(g, type = "lp"), 1e-8)
  expect_close(a$.se.fit, unname(predict(g, type = "lp", se.fit = TRUE)$se.fit),
               1e-8)
  expect_close(a$.resid, residuals(g, type = "martingale"), 1e-8)
  # the rows of the fit only
  b <- augment(f, data = lung_t[used, ], type.predict = "risk",
               type.residuals = "deviance")
  expect_close(b$.fitted, predict(g, type = "risk"), 1e-8)
  expect_close(b$.resid, residuals(g, type = "deviance"), 1e-8)
  # new data: predictions only
  nd <- lung_t[c(3, 5, 20), ]
  n <- augment(f, newdata = nd)
  expect_named(n, c(names(lung_t), ".fitted", ".se.fit"))
  expect_close(n$.fitted, predict(g, newdata = nd), 1e-8)
  expect_close(n$.se.fit, unname(predict(g, newdata = nd, se.fit = TRUE)$se.fit),
               1e-8)
  n <- augment(f, data = lung_t, newdata = nd, type.predict = "risk")
  expect_identical(nrow(n), 3L)
  expect_close(n$.fitted, predict(g, newdata = nd, type = "risk"), 1e-8)
})

test_that("augment(cox()) with na.exclude keeps every row of the data", {
  fm <- Surv(time, status) ~ age + ph.ecog
  f <- cox(fm, data = lung_t, na.action = na.exclude)
  g <- coxph(fm, data = lung_t, na.action = na.exclude)
  a <- augment(f, data = lung_t)
  expect_identical(nrow(a), nrow(lung_t))
  expect_close(a$.fitted, predict(g), 1e-8)
  expect_close(a$.resid, residuals(g), 1e-8)
})

test_that("augment(cox()) refuses bad arguments by name", {
  f <- cox(Surv(time, status) ~ age + ph.ecog, data = lung_t)
  e <- expect_error(augment(f), class = "cohortsurv_error")
  expect_identical(e$arg, "data")
  e <- expect_error(augment(f, data = as.matrix(lung_t)),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "data")
  e <- expect_error(augment(f, data = lung_t[1:10, ]),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "data")
  expect_match(conditionMessage(e), "227")
  e <- expect_error(augment(f, newdata = list(age = 1, ph.ecog = 1)),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "newdata")
  expect_error(augment(f, newdata = data.frame(x = 1)),
               class = "cohortsurv_error")
  e <- expect_error(augment(f, data = lung_t, type.predict = "survival"),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "type.predict")
  e <- expect_error(augment(f, data = lung_t, type.residuals = "score"),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "type.residuals")
  e <- expect_error(augment(f, data = lung_t, se_fit = TRUE),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "...")
})

# --- cs_km ----------------------------------------------------------------------

lung_w <- lung_t
lung_w$wt <- rep(c(1, 2, 3), length.out = nrow(lung_w))
# late entry: the number at risk at the first time is not the largest
set.seed(3)
late <- data.frame(start = c(rep(0, 10), runif(50, 0, 5)))
late$stop <- late$start + rexp(60, 0.2)
late$event <- rbinom(60, 1, 0.7)
late$g <- rep(1:2, 30)
km_cases <- list(
  late_entry = list(Surv(start, stop, event) ~ g, late, FALSE),
  sex = list(Surv(time, status) ~ sex, lung_t, FALSE),
  one = list(Surv(time, status) ~ 1, lung_t, FALSE),
  weighted = list(Surv(time, status) ~ ph.ecog, lung_w, TRUE),
  counting = list(Surv(start, stop, event) ~ rx, bladder2, FALSE)
)
# km() and survfit() of a case, weighted by the column `wt` when asked
km_case_fits <- function(m) {
  d <- m[[2]]
  if (m[[3]]) {
    list(km = km(m[[1]], data = d, weights = wt),
         survfit = survfit(m[[1]], data = d, weights = wt))
  } else {
    list(km = km(m[[1]], data = d), survfit = survfit(m[[1]], data = d))
  }
}

for (nm in names(km_cases)) {
  test_that(paste("tidy(km()) and glance(km()) equal survfit's numbers:", nm), {
    m <- km_cases[[nm]]
    fits <- km_case_fits(m)
    k <- fits$km
    s <- fits$survfit
    tk <- tidy(k)
    cols <- c("time", "n.risk", "n.event", "n.censor", "estimate",
              "std.error", "conf.high", "conf.low")
    if (nm == "one") expect_named(tk, cols) else
      expect_named(tk, c(cols, "strata"))
    expect_close(tk$time, s$time, 1e-10)
    expect_close(tk$n.risk, s$n.risk, 1e-10)
    expect_close(tk$n.event, s$n.event, 1e-10)
    expect_close(tk$n.censor, s$n.censor, 1e-10)
    expect_close(tk$estimate, s$surv, 1e-10)
    # survfit's std.err is that of the cumulative hazard (Inf where S = 0,
    # where km() reports NaN)
    pos <- tk$estimate > 0
    expect_close(tk$std.error[pos] / tk$estimate[pos], s$std.err[pos], 1e-8)
    expect_true(all(is.na(tk$std.error[!pos])))
    expect_close(tk$conf.low, s$lower, 1e-8)
    expect_close(tk$conf.high, s$upper, 1e-8)
    if (nm != "one") {
      expect_identical(tk$strata, rep(names(s$strata), s$strata))
    }
    gk <- glance(k)
    tab <- summary(s)$table
    if (is.null(dim(tab))) tab <- t(tab)
    gcols <- c("records", "n.max", "n.start", "events", "rmean",
               "rmean.std.error", "median", "conf.low", "conf.high", "nobs")
    if (nm == "one") {
      expect_named(gk, gcols)
    } else {
      expect_named(gk, c("strata", gcols))
      expect_identical(gk$strata, rownames(tab))
    }
    expect_identical(nrow(gk), nrow(tab))
    expect_close(gk$records, tab[, "records"], 1e-10)
    expect_close(gk$n.max, tab[, "n.max"], 1e-10)
    expect_close(gk$n.start, tab[, "n.start"], 1e-10)
    expect_close(gk$events, tab[, "events"], 1e-10)
    expect_close(gk$rmean, tab[, "rmean"], 1e-8)
    expect_close(gk$rmean.std.error, tab[, "se(rmean)"], 1e-8)
    expect_close(gk$median, tab[, "median"], 1e-10)
    expect_close(gk$conf.low, tab[, "0.95LCL"], 1e-10)
    expect_close(gk$conf.high, tab[, "0.95UCL"], 1e-10)
    expect_close(gk$nobs, tab[, "records"], 1e-10)
  })
}

test_that("tidy(km()) and glance(km()) refuse arguments", {
  k <- km(Surv(time, status) ~ sex, data = lung_t)
  e <- expect_error(tidy(k, conf.int = TRUE), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
  e <- expect_error(glance(k, times = 10), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
})

# --- cs_logrank -----------------------------------------------------------------

lr_cases <- list(
  sex = Surv(time, status) ~ sex,
  stratified = Surv(time, status) ~ sex + strata(ph.ecog),
  two_vars = Surv(time, status) ~ sex + ph.ecog
)

for (nm in names(lr_cases)) {
  test_that(paste("tidy(logrank()) and glance(logrank()) equal survdiff's:", nm), {
    fm <- lr_cases[[nm]]
    l <- logrank(fm, data = lung_t)
    d <- survdiff(fm, data = lung_t)
    tl <- tidy(l)
    vars <- if (nm == "two_vars") c("sex", "ph.ecog") else "sex"
    expect_named(tl, c(vars, "N", "obs", "exp"))
    lab <- strsplit(names(d$n), ", ")
    expect_identical(tl$sex, sub("^sex=", "", vapply(lab, `[`, "", 1L)))
    expect_type(tl$sex, "character")
    expect_close(tl$N, as.numeric(d$n), 1e-12)
    obs <- if (is.matrix(d$obs)) rowSums(d$obs) else d$obs
    ex <- if (is.matrix(d$exp)) rowSums(d$exp) else d$exp
    expect_close(tl$obs, obs, 1e-12)
    expect_close(tl$exp, ex, 1e-8)
    gl <- glance(l)
    expect_named(gl, c("statistic", "df", "p.value"))
    expect_close(gl$statistic, d$chisq, 1e-8)
    expect_equal(gl$df, sum(ex > 0) - 1)
    expect_close(gl$p.value, d$pvalue, 1e-8)
  })
}

test_that("tidy(logrank_fit()) with unlabelled groups has a group column", {
  d <- na.omit(lung_t[, c("time", "status", "ph.ecog")])
  l <- logrank_fit(d$time, d$status - 1, group = d$ph.ecog)
  tl <- tidy(l)
  expect_named(tl, c("group", "N", "obs", "exp"))
  expect_identical(tl$group, as.character(sort(unique(d$ph.ecog))))
  sd <- survdiff(Surv(time, status) ~ ph.ecog, data = d)
  expect_close(tl$N, as.numeric(sd$n), 1e-12)
  expect_close(tl$exp, sd$exp, 1e-8)
  expect_close(glance(l)$statistic, sd$chisq, 1e-8)
})

test_that("tidy(logrank()) and glance(logrank()) refuse arguments", {
  l <- logrank(Surv(time, status) ~ sex, data = lung_t)
  e <- expect_error(tidy(l, foo = 1), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
  e <- expect_error(glance(l, 2), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
})

# --- the broom oracle -----------------------------------------------------------

test_that("the tidiers equal broom's for coxph, survfit and survdiff", {
  skip_if_not_installed("broom")
  df <- function(x) as.data.frame(x, stringsAsFactors = FALSE)
  for (m in tidy_cox_models) {
    f <- cox(m[[1]], data = m[[2]])
    g <- coxph(m[[1]], data = m[[2]])
    for (ex in c(FALSE, TRUE)) for (ci in c(FALSE, TRUE)) {
      expect_equal(tidy(f, exponentiate = ex, conf.int = ci,
                        conf.level = 0.8),
                   df(broom::tidy(g, exponentiate = ex, conf.int = ci,
                                  conf.level = 0.8)),
                   tolerance = 1e-8)
    }
    gl <- glance(f)
    bg <- df(broom::glance(g))
    same <- setdiff(names(gl), "statistic.wald")
    expect_equal(gl[same], bg[same], tolerance = 1e-8)
    # broom takes summary.coxph's Wald statistic, rounded to 2 decimals
    expect_lte(abs(gl$statistic.wald - bg$statistic.wald), 0.005)
    # the same columns, in broom's order
    expect_identical(names(gl), names(bg))
  }
  # robust
  f <- cox(Surv(time, status) ~ age + sex, data = lung_t, cluster = inst)
  g <- coxph(Surv(time, status) ~ age + sex, data = lung_t, cluster = inst)
  expect_equal(tidy(f, conf.int = TRUE), df(broom::tidy(g, conf.int = TRUE)),
               tolerance = 1e-8)
  expect_equal(glance(f)[c("statistic.robust", "p.value.robust")],
               df(broom::glance(g))[c("statistic.robust", "p.value.robust")],
               tolerance = 1e-8, ignore_attr = TRUE)
  # augment
  fm <- Surv(time, status) ~ age + sex + ph.ecog
  f <- cox(fm, data = lung_t)
  g <- coxph(fm, data = lung_t)
  for (tp in c("lp", "risk")) for (tr in c("martingale", "deviance")) {
    a <- augment(f, data = lung_t, type.predict = tp, type.residuals = tr)
    b <- broom::augment(g, data = lung_t, type.predict = tp,
                        type.residuals = tr)
    expect_equal(a$.fitted, b$.fitted, tolerance = 1e-8)
    expect_equal(a$.resid, b$.resid, tolerance = 1e-8)
    expect_equal(a$age, b$age)
  }
  # survfit
  for (m in km_cases) {
    fits <- km_case_fits(m)
    k <- fits$km
    s <- fits$survfit
    tk <- tidy(k)
    bt <- df(broom::tidy(s))
    expect_equal(names(tk), names(bt))
    pos <- tk$estimate > 0
    expect_equal(tk$std.error[pos] / tk$estimate[pos], bt$std.error[pos],
                 tolerance = 1e-8)
    expect_equal(tk[names(tk) != "std.error"], bt[names(bt) != "std.error"],
                 tolerance = 1e-8)
  }
  k <- km(Surv(time, status) ~ 1, data = lung_t)
  s <- survfit(Surv(time, status) ~ 1, data = lung_t)
  expect_equal(glance(k), df(broom::glance(s)), tolerance = 1e-8)
  # survdiff
  for (fm in lr_cases) {
    expect_equal(tidy(logrank(fm, data = lung_t)),
                 df(broom::tidy(survdiff(fm, data = lung_t))),
                 tolerance = 1e-8)
    expect_equal(glance(logrank(fm, data = lung_t)),
                 df(broom::glance(survdiff(fm, data = lung_t))),
                 tolerance = 1e-8)
  }
})

# --- tables: ph_test() and subgroup_hr() ------------------------------------------

test_that("tidy(ph_test()) equals cox.zph()'s table", {
  fm <- Surv(time, status) ~ age + sex + factor(ph.ecog)
  f <- cox(fm, data = lung_t)
  g <- coxph(fm, data = lung_t)
  for (tr in c("km", "rank", "identity")) {
    tp <- tidy(ph_test(f, transform = tr))
    z <- cox.zph(g, transform = tr)$table
    expect_named(tp, c("term", "statistic", "df", "p.value"))
    expect_identical(tp$term, rownames(z))
    expect_close(tp$statistic, z[, "chisq"], 1e-8)
    expect_equal(tp$df, unname(z[, "df"]))
    expect_close(tp$p.value, z[, "p"], 1e-8)
  }
  e <- expect_error(tidy(ph_test(f), transform = "km"),
                    class = "cohortsurv_error")
  expect_identical(e$arg, "...")
})

test_that("tidy(subgroup_hr()) has each subgroup's coxph hazard ratio", {
  d <- lung_t
  d$ecog <- factor(d$ph.ecog >= 1, labels = c("0", "1 or more"))
  sg <- subgroup_hr(Surv(time, status) ~ factor(sex), data = d,
                    subgroups = "ecog", conf_level = 0.9)
  ts <- tidy(sg)
  expect_named(ts, c("subgroup", "level", "n", "events", "estimate",
                     "conf.low", "conf.high", "p.value",
                     "p.value.interaction"))
  expect_identical(ts$level, c("All patients", "0", "1 or more"))
  fits <- list(coxph(Surv(time, status) ~ factor(sex), data = d,
                     ties = "breslow"),
               coxph(Surv(time, status) ~ factor(sex), data = d,
                     subset = ecog == "0", ties = "breslow"),
               coxph(Surv(time, status) ~ factor(sex), data = d,
                     subset = ecog == "1 or more", ties = "breslow"))
  expect_close(ts$estimate, vapply(fits, function(g) exp(coef(g)), 0), 1e-8)
  expect_close(ts$conf.low, vapply(fits, function(g)
    exp(confint(g, level = 0.9))[1], 0), 1e-8)
  expect_close(ts$conf.high, vapply(fits, function(g)
    exp(confint(g, level = 0.9))[2], 0), 1e-8)
  expect_close(ts$p.value, vapply(fits, function(g)
    summary(g)$coefficients[, "Pr(>|z|)"], 0), 1e-8)
  expect_equal(ts$n, vapply(fits, function(g) g$n, 0))
  expect_equal(ts$events, vapply(fits, function(g) g$nevent, 0))
  inter <- anova(coxph(Surv(time, status) ~ factor(sex) + ecog, data = d,
                       ties = "breslow"),
                 coxph(Surv(time, status) ~ factor(sex) * ecog, data = d,
                       ties = "breslow"))
  expect_close(ts$p.value.interaction[2:3], rep(inter[2, "Pr(>|Chi|)"], 2),
               1e-8)
  expect_true(is.na(ts$p.value.interaction[1]))
  tl <- tidy(sg, exponentiate = FALSE)
  expect_close(tl$estimate, vapply(fits, coef, 0), 1e-8)
  expect_close(tl$conf.low, log(ts$conf.low), 1e-12)
  e <- expect_error(tidy(sg, exponentiate = "no"), class = "cohortsurv_error")
  expect_identical(e$arg, "exponentiate")
  e <- expect_error(tidy(sg, conf.int = TRUE), class = "cohortsurv_error")
  expect_identical(e$arg, "...")
})
