# cox_curves(): predicted survival curves of a Cox model against
# survival::survfit.coxph (survival 3.5.3), the oracle.

# survfit's curves stacked in cox_curves()'s order: the columns of the
# matrices (one per row of newdata), each the strata one after another.
survfit_long <- function(sf) {
  m <- function(v) as.matrix(v)
  k <- ncol(m(sf$surv))
  data.frame(time = rep(sf$time, k), n_risk = rep(sf$n.risk, k),
             n_event = rep(sf$n.event, k), n_censor = rep(sf$n.censor, k),
             surv = c(sf$surv), cumhaz = c(sf$cumhaz),
             std_chaz = c(sf$std.err), lower = c(sf$lower),
             upper = c(sf$upper))
}

expect_curves_equal <- function(cc, sf, tol = 1e-8) {
  ref <- survfit_long(sf)
  cv <- cc$curves
  expect_equal(nrow(cv), nrow(ref))
  for (col in names(ref)) {
    expect_close(cv[[col]], ref[[col]], tol)
  }
  # SE of S as summary.survfit reports it
  expect_close(cv$std_err, ref$surv * ref$std_chaz, tol)
}

# cox() and coxph() on the same call, then the curves both ways.
check_curves <- function(formula, data, newdata = NULL, ..., ctype = NULL,
                         conf_type = "log", tol = 1e-8) {
  # do.call puts the data into the calls, where survfit finds them again
  f <- do.call(cox, list(formula, data = data, ...))
  g <- do.call(coxph, list(formula, data = data, ...))
  cc <- cox_curves(f, newdata = newdata, ctype = ctype,
                   conf_type = conf_type)
  args <- list(g, conf.type = conf_type)
  if (!is.null(newdata)) args$newdata <- newdata
  if (!is.null(ctype)) args$ctype <- ctype
  sf <- do.call(survfit, args)
  expect_curves_equal(cc, sf, tol)
  invisible(cc)
}

test_that("curves at the means and for new profiles equal survfit.coxph on survival's data sets", {
  lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog",
                            "wt.loss", "inst")])
  check_curves(Surv(time, status) ~ age + sex + ph.ecog, lung2)
  check_curves(Surv(time, status) ~ age + sex + ph.ecog, lung2,
               newdata = data.frame(age = c(45, 60, 75), sex = c(1, 2, 1),
                                    ph.ecog = c(0, 1, 3)))
  check_curves(Surv(time, status) ~ age + sex, lung2, ties = "breslow",
               newdata = data.frame(age = 60, sex = 2))
  for (ct in c("log", "log-log", "plain", "arcsin")) {
    check_curves(Surv(time, status) ~ age + factor(ph.ecog), lung2,
                 newdata = data.frame(age = c(50, 70), ph.ecog = c(0, 2)),
                 conf_type = ct)
  }
  pbc2 <- subset(pbc, !is.na(trt))
  check_curves(Surv(time, status == 2) ~ log(bili) + age + edema, pbc2,
               newdata = data.frame(bili = c(1, 5), age = c(40, 60),
                                    edema = c(0, 0.5)))
  check_curves(Surv(time, status) ~ trt + karno + celltype, veteran,
               newdata = data.frame(trt = 1:2, karno = c(40, 80),
                                    celltype = c("squamous", "large")))
  colon2 <- subset(colon, etype == 2)
  check_curves(Surv(time, status) ~ rx + nodes + strata(sex), colon2,
               newdata = data.frame(rx = c("Obs", "Lev+5FU"),
                                    nodes = c(2, 6), sex = c(0, 1)))
  check_curves(Surv(futime, death) ~ age + sex + hgb, mgus2,
               newdata = data.frame(age = 70, sex = c("F", "M"),
                                    hgb = 13))
})

test_that("ctype overrides the fit's choice, as survfit's ctype", {
  d <- random_cox_data(150, seed = 3)
  nd <- data.frame(z1 = c(-1, 1), z2 = c(0, 4), group = c("a", "c"))
  check_curves(Surv(time, status) ~ z1 + z2 + group, d, newdata = nd,
               ctype = 1)
  check_curves(Surv(time, status) ~ z1 + z2 + group, d, newdata = nd,
               ties = "breslow", ctype = 2)
  check_curves(Surv(time, status) ~ z1 + z2 + group, d, newdata = nd,
               ties = "breslow")
})

test_that("strata: in newdata, out of it, and at the means", {
  for (seed in 1:3) {
    d <- random_cox_data(200, seed = seed)
    fm <- Surv(time, status) ~ z1 + z2 + strata(group)
    check_curves(fm, d)
    check_curves(fm, d, newdata = data.frame(z1 = c(0, 1), z2 = c(1, 3)))
    check_curves(fm, d, newdata = data.frame(z1 = c(0, 1, -1), z2 = c(1, 3, 2),
                                             group = c("b", "a", "b")))
    check_curves(Surv(time, status) ~ z1 + strata(group, sex), d,
                 newdata = data.frame(z1 = 1, group = "c", sex = "m"))
    check_curves(Surv(time, status) ~ z1 + strata(group, sex), d,
                 ties = "breslow")
  }
})

test_that("weights, offsets and (start, stop] data with heavy ties", {
  for (seed in 4:6) {
    d <- random_cox_data(200, seed = seed)
    d$off <- round(runif(nrow(d), -0.5, 0.5), 1)
    nd <- data.frame(z1 = c(-0.5, 1.2), z2 = c(1, 3), off = c(0, 0.3),
                     group = c("a", "b"))
    check_curves(Surv(time, status) ~ z1 + z2, d, weights = d$w,
                 newdata = nd)
    # fractional weights: robust variance, which survfit also uses
    check_curves(Surv(time, status) ~ z1 + z2 + strata(group), d,
                 weights = d$fw, newdata = nd)
    check_curves(Surv(time, status) ~ z1 + z2 + strata(group), d,
                 weights = d$fw)
    check_curves(Surv(time, status) ~ z1 + offset(off), d, newdata = nd)
    check_curves(Surv(time, status) ~ z1 + offset(off), d, weights = d$w)
    check_curves(Surv(time, status) ~ z1 + offset(off) + strata(group), d,
                 weights = d$fw, ties = "breslow")
    dc <- random_cox_data(200, seed = seed, counting = TRUE)
    check_curves(Surv(start, time, status) ~ z1 + z2, dc)
    check_curves(Surv(start, time, status) ~ z1 + z2 + strata(group), dc,
                 weights = dc$w, newdata = nd)
    check_curves(Surv(start, time, status) ~ z1 + sex, dc,
                 ties = "breslow", weights = dc$fw,
                 newdata = data.frame(z1 = 0, sex = c("f", "m")))
  }
})

test_that("a model without covariates, a strata interaction and an aliased column", {
  d <- random_cox_data(150, seed = 8)
  check_curves(Surv(time, status) ~ 1, d)
  check_curves(Surv(time, status) ~ strata(group), d)
  d$off <- round(runif(nrow(d), -0.5, 0.5), 1)
  check_curves(Surv(time, status) ~ offset(off), d)
  check_curves(Surv(time, status) ~ z1 + z1:strata(sex) + strata(sex), d,
               newdata = data.frame(z1 = c(0, 1), sex = c("f", "m")))
  d$z3 <- 2 * d$z1
  f <- suppressMessages(cox(Surv(time, status) ~ z1 + z3 + z2, data = d))
  g <- coxph(Surv(time, status) ~ z1 + z3 + z2, data = d)
  nd <- data.frame(z1 = 1, z2 = 2, z3 = 2)
  expect_curves_equal(cox_curves(f, nd), survfit(g, newdata = nd))
})

test_that("the curve at the means of a model with interactions warns, as survfit", {
  d <- random_cox_data(100, seed = 13)
  f <- cox(Surv(time, status) ~ z1 * z2, data = d)
  expect_warning(cc <- cox_curves(f), class = "cohortsurv_warning_interaction_means")
  g <- coxph(Surv(time, status) ~ z1 * z2, data = d)
  expect_curves_equal(cc, suppressWarnings(survfit(g)))
})

test_that("invariances: row order, weight 2 equals a duplicated row", {
  d <- random_cox_data(120, seed = 11)
  nd <- data.frame(z1 = c(0, 1), z2 = c(2, 0))
  f1 <- cox(Surv(time, status) ~ z1 + z2 + strata(sex), data = d)
  f2 <- cox(Surv(time, status) ~ z1 + z2 + strata(sex),
            data = d[rev(seq_len(nrow(d))), ])
  c1 <- cox_curves(f1, nd)
  c2 <- cox_curves(f2, nd)
  expect_close(c1$curves$surv, c2$curves$surv, 1e-10)
  expect_close(c1$curves$std_chaz, c2$curves$std_chaz, 1e-10)
  d$w2 <- rep(1:2, length.out = nrow(d))
  dd <- d[rep(seq_len(nrow(d)), d$w2), ]
  # (Efron's approximation counts tied deaths, not their weight, so the
  # invariance holds for Breslow ties)
  f3 <- cox(Surv(time, status) ~ z1 + z2, data = d, weights = w2,
            robust = FALSE, ties = "breslow")
  f4 <- cox(Surv(time, status) ~ z1 + z2, data = dd, ties = "breslow")
  c3 <- cox_curves(f3, nd)
  c4 <- cox_curves(f4, nd)
  for (col in c("time", "n_risk", "n_event", "surv", "std_chaz", "lower")) {
    expect_close(c3$curves[[col]], c4$curves[[col]], 1e-10)
  }
})

test_that("a hand-computed case: one covariate, Breslow", {
  d <- data.frame(time = c(1, 2, 2, 3, 4), status = c(1, 1, 0, 1, 0),
                  x = c(0, 1, 0, 1, 0))
  f <- cox(Surv(time, status) ~ x, data = d, ties = "breslow")
  b <- unname(f$coefficients)
  r <- exp(b * d$x)
  s0 <- c(sum(r), sum(r[2:5]), sum(r[4:5]), r[5])
  h <- c(1, 1, 1, 0) / s0
  cc <- cox_curves(f, data.frame(x = 0))
  expect_equal(cc$curves$time, 1:4)
  expect_equal(cc$curves$n_risk, c(5, 4, 2, 1))
  expect_close(cc$curves$cumhaz, cumsum(h), 1e-12)
  expect_close(cc$curves$surv, exp(-cumsum(h)), 1e-12)
})

test_that("the km methods work on the curves: summary, quantile, survival_at, plot", {
  lung2 <- na.omit(lung[, c("time", "status", "age", "sex")])
  f <- cox(Surv(time, status) ~ age + sex, data = lung2)
  g <- coxph(Surv(time, status) ~ age + sex, data = lung2)
  nd <- data.frame(age = c(55, 70), sex = c(2, 1))
  cc <- cox_curves(f, nd)
  sf <- survfit(g, newdata = nd)
  expect_s3_class(cc, c("cs_cox_curves", "cs_km"))
  tm <- c(100, 365, 500, 1200)
  s <- summary(cc, times = tm)
  ss <- summary(sf, times = tm, extend = TRUE)
  expect_close(s$surv, c(ss$surv), 1e-8)
  expect_close(s$std_err, c(ss$std.err), 1e-8)
  expect_close(s$lower, c(ss$lower), 1e-8)
  expect_close(s$n_risk, rep(ss$n.risk, 2), 1e-8)
  q <- quantile(cc, probs = c(0.25, 0.5))
  qs <- quantile(sf, probs = c(0.25, 0.5))
  expect_close(q$quantile, c(t(qs$quantile)), 1e-8)
  expect_close(q$lower, c(t(qs$lower)), 1e-8)
  expect_close(q$upper, c(t(qs$upper)), 1e-8)
  expect_close(cc$table$median, unname(quantile(sf, 0.5)$quantile), 1e-8)
  sa <- survival_at(cc, times = c(365, 730), format = TRUE)
  expect_equal(nrow(sa), 4L)
  expect_close(sa$surv, c(summary(sf, times = c(365, 730))$surv), 1e-8)
  expect_output(print(cc), "Cox model")
  ct <- cox_curves(f, nd, times = tm)
  expect_close(ct$curves$surv, c(ss$surv), 1e-8)
  expect_close(ct$curves$cumhaz, c(ss$cumhaz), 1e-8)
  png(tf <- tempfile(fileext = ".png"), 7, 5, units = "in", res = 100)
  on.exit(unlink(tf))
  risk <- plot(cc, conf_int = TRUE, labels = c("Female, 55", "Male, 70"))
  dev.off()
  expect_equal(sort(unique(as.character(risk$label))),
               c("Female, 55", "Male, 70"))
  expect_error(plot(cc, pval = TRUE), class = "cohortsurv_error")
})

test_that("bad input is refused by name", {
  d <- random_cox_data(100, seed = 2)
  f <- cox(Surv(time, status) ~ z1 + group + strata(sex), data = d)
  expect_error(cox_curves(lm(time ~ z1, d)), class = "cohortsurv_error")
  expect_error(cox_curves(f, data.frame(z1 = 1)), "group",
               class = "cohortsurv_error")
  expect_error(cox_curves(f, data.frame(z1 = c(1, NA), group = "a")),
               "row 2", class = "cohortsurv_error")
  expect_error(cox_curves(f, data.frame(z1 = 1, group = "zz")),
               "zz", class = "cohortsurv_error")
  expect_error(cox_curves(f, data.frame(z1 = 1, group = "a", sex = "x")),
               class = "cohortsurv_error")
  expect_error(cox_curves(f, id = 1), "id", class = "cohortsurv_error")
  expect_error(cox_curves(f, stype = 1), "stype", class = "cohortsurv_error")
  expect_error(cox_curves(f, start.time = 1), class = "cohortsurv_error")
  expect_error(cox_curves(f, ctype = 3), "ctype", class = "cohortsurv_error")
  expect_error(cox_curves(f, conf_type = "none"), class = "cohortsurv_error")
  expect_error(cox_curves(f, conf_level = 2), class = "cohortsurv_error")
  expect_error(cox_curves(f, times = "a"), class = "cohortsurv_error")
  expect_error(cox_curves(f, newdata = list(z1 = 1)),
               class = "cohortsurv_error")
  fi <- cox(Surv(time, status) ~ z1 + z1:strata(sex) + strata(sex), data = d)
  expect_error(cox_curves(fi), "newdata", class = "cohortsurv_error")
  expect_error(cox_curves(fi, data.frame(z1 = 1)), class = "cohortsurv_error")
  # survfit's names are accepted
  cc <- cox_curves(f, conf.int = 0.9, conf.type = "plain")
  expect_equal(cc$conf_level, 0.9)
  expect_equal(cc$conf_type, "plain")
})

test_that("cox_curves() and adjusted_curves() refuse tt() and Fine-Gray fits by name", {
  vet <- survival::veteran
  tfit <- cox(Surv(time, status) ~ trt + tt(karno), data = vet,
              tt = function(x, t, ...) x * log(t + 20))
  expect_error(cox_curves(tfit), class = "cohortsurv_error", regexp = "tt\\(\\)")
  expect_error(adjusted_curves(tfit, "trt", vet), class = "cohortsurv_error",
               regexp = "tt\\(\\)")
  m <- survival::mgus2
  m$etime <- ifelse(m$pstat == 1, m$ptime, m$futime)
  m$event <- factor(ifelse(m$pstat == 1, 1, 2 * m$death), 0:2,
                    c("censor", "pcm", "death"))
  fg <- fine_gray(Surv(etime, event) ~ sex + age, data = m)
  expect_error(cox_curves(fg), class = "cohortsurv_error", regexp = "Fine-Gray")
  expect_error(adjusted_curves(fg, "sex", m), class = "cohortsurv_error",
               regexp = "Fine-Gray")
})
