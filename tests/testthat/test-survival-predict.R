# predict() and cox_curves() tests ported from survival's tests/predsurv.R,
# prednew.R, expected.R and expected2.R: cox_curves() against
# survfit.coxph(newdata) and summary.survfit(times) (the oracle), and
# predict(type = "expected" / "survival" / "lp" / "risk" / "terms", se_fit)
# against predict.coxph and the curves, as the scripts check them. The
# standard errors of "expected" and "survival" predictions are refused by
# name (cox_curves() gives them as std_chaz and std_err).

# One curve of cox_curves() against one survfit.coxph curve (`s`, a
# single-curve survfit).
sv_expect_curve1 <- function(cv, s, tol = sv_tol_cox) {
  expect_equal(cv$time, s$time, tolerance = tol)
  expect_equal(cv$n_risk, s$n.risk, tolerance = tol)
  expect_equal(cv$n_event, s$n.event, tolerance = tol)
  expect_equal(cv$n_censor, s$n.censor, tolerance = tol)
  expect_equal(cv$surv, as.vector(s$surv), tolerance = tol)
  expect_equal(cv$cumhaz, as.vector(s$cumhaz), tolerance = tol)
  expect_equal(cv$std_chaz, as.vector(s$std.err), tolerance = tol)
  expect_equal(cv$std_err, as.vector(s$std.err * s$surv), tolerance = tol)
  expect_equal(cv$lower, as.vector(s$lower), tolerance = tol)
  expect_equal(cv$upper, as.vector(s$upper), tolerance = tol)
}

# Every curve of a cox_curves() fit against the matching survfit curve:
# s[stratum, row] when survfit has both strata and a curve per row of
# newdata, s[row] for an unstratified fit with newdata, else the curves in
# order (one per stratum, or one per row when newdata holds the strata).
sv_expect_curves <- function(cc, s, tol = sv_tol_cox) {
  st <- cc$strata
  two_way <- !is.null(s$strata) && is.matrix(s$surv) && ncol(s$surv) > 1
  for (i in seq_len(nrow(st))) {
    cv <- cc$curves[cc$curves$strata == st$curve[i], ]
    si <- if (two_way) {
      s[match(as.character(st$stratum[i]), names(s$strata)), st$row[i]]
    } else if (!is.na(st$row[i]) && is.null(s$strata)) {
      s[st$row[i]]
    } else {
      s[i]
    }
    sv_expect_curve1(cv, si, tol)
  }
}

test_that("predsurv: curves, expected and survival for new subjects", {
  f1 <- cox(Surv(time, status) ~ age + ph.ecog, lung)
  g1 <- coxph(Surv(time, status) ~ age + ph.ecog, lung)
  # the script's ages 40 * 1:8 * 5 are kept: huge risk scores
  d1 <- data.frame(age = 40 * 1:8 * 5, ph.ecog = rep(0:2, length = 8))
  cc <- cox_curves(f1, d1)
  curves <- survfit(g1, newdata = d1)
  sv_expect_curves(cc, curves)

  d1a <- cbind(time = 1:8 * 60, status = 1, d1)
  d1b <- cbind(time = 365, status = 1, d1)
  p1 <- predict(f1, newdata = d1a, type = "expected")
  p2 <- predict(f1, newdata = d1a, type = "survival")
  p3 <- predict(f1, newdata = d1b, type = "survival")
  expect_equal(unname(p1), predict(g1, newdata = d1a, type = "expected"),
               tolerance = sv_tol_cox)
  csum1 <- summary(curves, time = 1:8 * 60)
  expect_equal(unname(p1), diag(csum1$cumhaz), tolerance = sv_tol_cox)
  expect_equal(unname(p2), diag(csum1$surv), tolerance = sv_tol_cox)
  csum2 <- summary(curves, time = 365)
  expect_equal(unname(p3), as.vector(csum2$surv), tolerance = sv_tol_cox)
  # the script's standard errors: cox_curves() at the times
  ct <- cox_curves(f1, d1, times = 1:8 * 60)$curves
  k <- cbind(1:8, 1:8)
  expect_equal(ct$cumhaz, as.vector(csum1$cumhaz), tolerance = sv_tol_cox)
  expect_equal(matrix(ct$std_chaz, 8)[k], diag(csum1$std.chaz),
               tolerance = sv_tol_cox)
  expect_equal(matrix(ct$std_err, 8)[k], diag(csum1$std.err),
               tolerance = sv_tol_cox)
  expect_equal(ct$surv, as.vector(csum1$surv), tolerance = sv_tol_cox)
  ct <- cox_curves(f1, d1, times = 365)$curves
  expect_equal(ct$std_err, as.vector(csum2$std.err), tolerance = sv_tol_cox)
  # predict.coxph's se.fit for these types is not offered, by name
  expect_error(predict(f1, newdata = d1a, type = "expected", se_fit = TRUE),
               "se_fit", class = "cohortsurv_error")
  expect_error(predict(f1, newdata = d1a, type = "survival", se.fit = TRUE),
               "se_fit", class = "cohortsurv_error")
})

test_that("predsurv: a stratified fit, newdata without and with the strata", {
  f2 <- cox(Surv(time, status) ~ age + ph.ecog + strata(sex), lung)
  g2 <- coxph(Surv(time, status) ~ age + ph.ecog + strata(sex), lung)
  d2 <- data.frame(age = 40 + 1:8 * 5, ph.ecog = rep(0:2, length = 8),
                   sex = rep(1:2, 4))
  curve2 <- survfit(g2, newdata = d2[, 1:2])
  sv_expect_curves(cox_curves(f2, d2[, 1:2]), curve2)

  d2a <- cbind(time = 1:8 * 60, status = 1, d2)
  d2b <- cbind(time = 365, status = 1, d2)
  p1 <- predict(f2, newdata = d2a, type = "expected")
  p2 <- predict(f2, newdata = d2a, type = "survival")
  p3 <- predict(f2, newdata = d2b, type = "survival")
  expect_equal(unname(p1), predict(g2, newdata = d2a, type = "expected"),
               tolerance = sv_tol_cox)
  # (the script's summary(data.frame = TRUE) is newer than survival 3.5.3:
  # the curve of row j in its stratum, one at a time)
  temp <- do.call(rbind, lapply(1:8, function(j) {
    sj <- summary(curve2[d2$sex[j], j], times = j * 60)
    data.frame(cumhaz = sj$cumhaz, surv = sj$surv)
  }))
  expect_equal(unname(p1), temp$cumhaz, tolerance = sv_tol_cox)
  expect_equal(unname(p2), temp$surv, tolerance = sv_tol_cox)
  # the script takes summary(curve2, time = 365)$surv[cbind(sex, 1:8)],
  # but survival 3.5.3's summary.survfit of a stratified survfit.coxph with
  # newdata keeps only the first row's column (2 values, not 2 x 8), so
  # each curve is summarised on its own
  csum2 <- summary(curve2, time = 365)
  expect_length(csum2$surv, 2)
  s365 <- lapply(1:8, function(j) summary(curve2[d2$sex[j], j], times = 365))
  expect_equal(csum2$surv, c(s365[[1]]$surv,
                             summary(curve2[2, 1], times = 365)$surv))
  expect_equal(unname(p3), vapply(s365, `[[`, 0, "surv"),
               tolerance = sv_tol_cox)
  # curves of rows with their own strata: one curve per row
  cc <- cox_curves(f2, d2, times = 365)$curves
  expect_equal(cc$surv, vapply(s365, `[[`, 0, "surv"), tolerance = sv_tol_cox)
  expect_equal(cc$std_err, vapply(s365, `[[`, 0, "std.err"),
               tolerance = sv_tol_cox)
  sv_expect_curves(cox_curves(f2, d2), survfit(g2, newdata = d2))
})

test_that("predsurv: (time1, time2] data, with and without strata", {
  f3 <- cox(Surv(tstart, tstop, status) ~ age + treat, cgd)
  g3 <- coxph(Surv(tstart, tstop, status) ~ age + treat, cgd)
  d3 <- data.frame(age = c(2, 12, 20, 30, 40),
                   treat = rep(levels(cgd$treat), length = 5))
  curve3 <- survfit(g3, newdata = d3)
  sv_expect_curves(cox_curves(f3, d3), curve3)
  d3a <- cbind(tstart = c(0, 50, 100, 200, 250),
               tstop = c(400, 140, 150, 260, 310), status = 1, d3)
  d3b <- cbind(tstart = 0, tstop = 365, status = 1, d3)
  p4 <- predict(f3, newdata = d3a, type = "expected")
  p5 <- predict(f3, newdata = d3b, type = "survival")
  expect_equal(unname(p4), predict(g3, newdata = d3a, type = "expected"),
               tolerance = sv_tol_cox)
  alltime <- sort(unique(c(d3a$tstart, d3a$tstop)))
  csum3 <- summary(curve3, times = alltime)
  temp1 <- csum3$cumhaz[cbind(match(d3a$tstart, alltime), 1:5)]
  temp2 <- csum3$cumhaz[cbind(match(d3a$tstop, alltime), 1:5)]
  expect_equal(unname(p4), temp2 - temp1, tolerance = sv_tol_cox)
  csum4 <- summary(curve3, times = 365)
  expect_equal(unname(p5), as.vector(csum4$surv), tolerance = sv_tol_cox)
  ct <- cox_curves(f3, d3, times = 365)$curves
  expect_equal(ct$std_err, as.vector(csum4$std.err), tolerance = sv_tol_cox)

  f4 <- cox(Surv(tstart, tstop, status) ~ age + treat + strata(hos.cat),
            cgd)
  g4 <- coxph(Surv(tstart, tstop, status) ~ age + treat + strata(hos.cat),
              cgd)
  d4 <- data.frame(age = c(2, 12, 20, 30, 40),
                   treat = rep(levels(cgd$treat), length = 5),
                   hos.cat = levels(cgd$hos.cat)[c(1, 2, 4, 3, 2)])
  curve4 <- survfit(g4, newdata = d4)
  sv_expect_curves(cox_curves(f4, d4), curve4)
  d4a <- cbind(tstart = c(0, 50, 100, 200, 250),
               tstop = c(400, 140, 150, 260, 310), status = 1, d4)
  d4b <- cbind(tstart = 0, tstop = 365, status = 1, d4)
  p4 <- predict(f4, newdata = d4a, type = "expected")
  p5 <- predict(f4, newdata = d4b, type = "survival")
  expect_equal(unname(p4), predict(g4, newdata = d4a, type = "expected"),
               tolerance = sv_tol_cox)
  alltime <- unique(c(d4a$tstart, d4a$tstop))
  csum5 <- summary(curve4, times = alltime, extend = TRUE)
  indx1 <- match(d4a$tstart, csum5$time) + 0:4 * length(alltime)
  indx2 <- match(d4a$tstop, csum5$time) + 0:4 * length(alltime)
  expect_equal(unname(p4), csum5$cumhaz[indx2] - csum5$cumhaz[indx1],
               tolerance = sv_tol_cox)
  csum6 <- summary(curve4, times = 365, extend = TRUE)
  expect_equal(unname(p5), csum6$surv, tolerance = sv_tol_cox)
  ct <- cox_curves(f4, d4, times = 365)$curves
  expect_equal(ct$surv, csum6$surv, tolerance = sv_tol_cox)
  expect_equal(ct$std_err, csum6$std.err, tolerance = sv_tol_cox)
})

# --- prednew.R ----------------------------------------------------------------

test_that("prednew: newdata with some factor levels, every type and se_fit", {
  keep <- which(lung$inst < 13 & (lung$ph.ecog == 1 | lung$ph.ecog == 2))
  fm <- Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)
  for (ties in c("efron", "breslow")) {
    f <- cox(fm, lung, na.action = na.exclude, ties = ties)
    g <- coxph(fm, lung, na.action = na.exclude, ties = ties)
    types <- c("lp", "risk", "terms", if (ties == "breslow") "expected")
    for (type in types) {
      p1 <- predict(f, type = type)
      p2 <- predict(f, type = type, newdata = lung[keep, ])
      q1 <- predict(g, type = type)
      q2 <- predict(g, type = type, newdata = lung[keep, ])
      expect_equal(unname(p1), unname(q1), tolerance = sv_tol_cox,
                   ignore_attr = TRUE)
      expect_equal(unname(p2), unname(q2), tolerance = sv_tol_cox,
                   ignore_attr = TRUE)
      # the script's checks: newdata rows equal the fitted rows
      if (type == "terms") {
        expect_equal(unname(p1[keep, ]), unname(p2), tolerance = sv_tol_cox,
                     ignore_attr = TRUE)
      } else {
        expect_equal(unname(p1[keep]), unname(p2), tolerance = sv_tol_cox)
      }
      if (type == "expected") next
      p3 <- predict(f, type = type, se_fit = TRUE)
      p4 <- predict(f, type = type, newdata = lung[keep, ], se_fit = TRUE)
      q3 <- predict(g, type = type, se.fit = TRUE)
      q4 <- predict(g, type = type, newdata = lung[keep, ], se.fit = TRUE)
      expect_equal(unname(p3$fit), unname(p1), ignore_attr = TRUE)
      expect_equal(unname(p3$se_fit), unname(q3$se.fit),
                   tolerance = sv_tol_cox, ignore_attr = TRUE)
      expect_equal(unname(p4$se_fit), unname(q4$se.fit),
                   tolerance = sv_tol_cox, ignore_attr = TRUE)
      if (type == "terms") {
        expect_equal(unname(p3$se_fit[keep, ]), unname(p4$se_fit),
                     tolerance = sv_tol_cox, ignore_attr = TRUE)
      } else {
        expect_equal(unname(p3$se_fit[keep]), unname(p4$se_fit),
                     tolerance = sv_tol_cox)
      }
    }
  }
  # the Efron fit's expected counts: without newdata the compensator of
  # the fit (coxph's too); with newdata the Efron-type baseline hazard,
  # as predict.coxph (the script notes the two differ at tied deaths)
  f <- cox(fm, lung, na.action = na.exclude)
  g <- coxph(fm, lung, na.action = na.exclude)
  expect_equal(unname(predict(f, type = "expected")),
               unname(predict(g, type = "expected")), tolerance = sv_tol_cox)
  expect_equal(unname(predict(f, type = "expected", newdata = lung[keep, ])),
               unname(predict(g, type = "expected", newdata = lung[keep, ])),
               tolerance = sv_tol_cox)
})

test_that("prednew: no model frame needed, the same as with x = TRUE", {
  f <- cox(Surv(time, status) ~ age + factor(sex), lung)
  g <- coxph(Surv(time, status) ~ age + factor(sex), lung, x = TRUE)
  for (type in c("risk", "terms")) {
    p <- predict(f, type = type, se_fit = TRUE)
    q <- predict(g, type = type, se.fit = TRUE)
    expect_equal(unname(p$fit), unname(q$fit), tolerance = sv_tol_cox,
                 ignore_attr = TRUE)
    expect_equal(unname(p$se_fit), unname(q$se.fit), tolerance = sv_tol_cox,
                 ignore_attr = TRUE)
  }
  expect_equal(unname(predict(f, type = "expected")),
               unname(predict(g, type = "expected")), tolerance = sv_tol_cox)
})

# --- expected.R, expected2.R: Cox curves as expected survival -----------------

test_that("expected: a Cox model as the parent population, in closed form", {
  test1 <- data.frame(time = c(4, 3, 1, 1, 2, 2, 3),
                      status = c(1, NA, 1, 0, 1, 1, 0),
                      x = c(0, 2, 1, 1, 1, 0, 0))
  f <- cox(Surv(time, status) ~ x, test1, ties = "breslow")
  g <- coxph(Surv(time, status) ~ x, test1, method = "breslow")
  dummy <- data.frame(time = c(.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5),
                      status = c(1, 0, 1, 0, 1, 0, 1, 1, 1), x = (-4:4) / 2)
  ss <- exp(unname(f$coefficients))
  haz <- c(1 / (3 * ss + 3), 2 / (ss + 3), 1)
  chaz <- cumsum(c(0, haz))
  chaz2 <- chaz[c(1, 2, 2, 3, 3, 3, 3, 4, 4)]
  risk <- exp(unname(f$coefficients) * dummy$x)
  # each row's survival to its own time: survexp(cohort = FALSE)
  efit <- survexp(time ~ 1, rmap = list(x = x), dummy, ratetable = g,
                  cohort = FALSE)
  ps <- predict(f, newdata = dummy, type = "survival")
  expect_equal(unname(ps), exp(-risk * chaz2), tolerance = sv_tol_cox)
  expect_equal(unname(ps), as.vector(efit), tolerance = sv_tol_cox)
  expect_equal(unname(predict(f, newdata = dummy, type = "expected")),
               risk * chaz2, tolerance = sv_tol_cox)
  # the curves of the rows (cox_curves()) and their mean, the direct
  # adjusted (Ederer) curve of survexp
  cc <- cox_curves(f, dummy)$curves
  cc <- cc[cc$n_event > 0, ]
  expect_equal(cc$time, rep(c(1, 2, 4), 9))
  d2 <- exp(outer(-chaz[-1], risk))
  expect_equal(cc$surv, as.vector(d2), tolerance = sv_tol_cox)
  direct <- survfit(g, newdata = dummy, censor = FALSE)
  expect_equal(cc$surv, as.vector(direct$surv), tolerance = sv_tol_cox)
  expect_equal(cc$std_chaz, as.vector(direct$std.err), tolerance = sv_tol_cox)
  efit <- survexp(~1, dummy, ratetable = g, se.fit = FALSE)
  expect_equal(rowMeans(matrix(cc$surv, 3)), as.vector(efit$surv),
               tolerance = sv_tol_cox)
})

test_that("expected2: adjusted_curves() is survexp's Ederer curve", {
  pbc2 <- na.omit(pbc[, c("time", "status", "trt", "bili", "protime",
                          "age", "platelet", "sex")])
  fm <- Surv(time, status > 0) ~ trt + log(bili) + log(protime) + age +
    platelet + sex
  f <- cox(fm, pbc2)
  g <- coxph(fm, pbc2)
  ac <- adjusted_curves(f, "trt", data = pbc2)
  for (a in sort(unique(pbc2$trt))) {
    d <- pbc2
    d$trt <- a
    e <- survexp(~1, d, ratetable = g, se.fit = FALSE)
    cv <- ac$curves[ac$curves$strata == levels(ac$curves$strata)[a], ]
    # survexp reports the event times of the fit
    i <- match(e$time, cv$time)
    expect_false(anyNA(i))
    expect_equal(cv$surv[i], as.vector(e$surv), tolerance = sv_tol_cox)
  }
  # (the script's own check, survexp with sex recoded through rmap, tests
  # survexp alone)
  # for a single row the adjusted curve and its standard error are that
  # row's survfit.coxph curve (survexp ignores se.fit for Cox models)
  for (a in 1:2) {
    d1 <- pbc2[7, ]
    ac1 <- adjusted_curves(f, "trt", data = d1, values = 1:2)
    d1$trt <- a
    s1 <- survfit(g, newdata = d1)
    cv <- ac1$curves[ac1$curves$strata == levels(ac1$curves$strata)[a], ]
    expect_equal(cv$surv, s1$surv, tolerance = sv_tol_cox)
    expect_equal(cv$std_err, s1$std.err * s1$surv, tolerance = sv_tol_cox)
  }
})

# --- coxsurv3.R, coxsurv.R: cox_curves() in closed form, subsets, offsets -----

# Data set 2 of Therneau and Grambsch's appendix E: the hazard at x = 0 of
# the Efron (or Breslow) fit, at the death times 2, 3, 6, 7, 8, 9.
sv_lambda2 <- function(beta, method = "efron") {
  r <- exp(beta)
  lambda <- c(1 / (r + 1), 1 / (r + 2), 1 / (3 * r + 2), 1 / (3 * r + 1),
              1 / (3 * r + 1), 1 / (3 * r + 2) + 1 / (2 * r + 2))
  if (method == "breslow") lambda[6] <- 2 / (3 * r + 2)
  list(time = c(2, 3, 6, 7, 8, 9), lambda = lambda)
}

test_that("coxsurv3: a curve of data set 2 in closed form, with strata", {
  for (ties in c("efron", "breslow")) {
    f <- cox(Surv(start, stop, event) ~ x, sv_test2, ties = ties)
    true <- sv_lambda2(unname(f$coefficients), ties)
    cc <- cox_curves(f, data.frame(x = 0))$curves
    cc <- cc[cc$n_event > 0, ]
    expect_equal(cc$time, true$time)
    expect_equal(-log(cc$surv), cumsum(true$lambda), tolerance = sv_tol_cox)
    expect_equal(cc$cumhaz, cumsum(true$lambda), tolerance = sv_tol_cox)
  }
  test3 <- data.frame(start = c(1, 2, 5, 2, 1, 7, 3, 4, 8, 8, rep(0, 11)),
                      stop = c(2, 3, 6, 7, 8, 9, 9, 9, 14, 17, 1:11),
                      event = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0,
                                0, 1, 1, 0, 0, 1, 1, 0, 1, 0, 1),
                      x = c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0,
                            1, 2, 3, 2, 1, 1, 1, 0, 2, 1, 0),
                      grp = c(rep("a", 10), rep("b", 11)))
  f2 <- cox(Surv(start, stop, event) ~ x + strata(grp), test3)
  g2 <- coxph(Surv(start, stop, event) ~ x + strata(grp), test3)
  b <- unname(f2$coefficients)
  # stratum b's hazard: a fit of its rows alone at the same coefficient
  f2b <- cox(Surv(start, stop, event) ~ x, test3[test3$grp == "b", ],
             init = b, control = cox_control(iter_max = 0))
  cb <- cox_curves(f2b, data.frame(x = 0))$curves
  cb <- cb[cb$n_event > 0, ]
  true1 <- sv_lambda2(b)
  cc <- cox_curves(f2, data.frame(x = 0))
  ca <- cc$curves[cc$curves$strata == cc$strata$curve[1] &
                    cc$curves$n_event > 0, ]
  expect_equal(ca$time, true1$time)
  expect_equal(-log(ca$surv), cumsum(true1$lambda), tolerance = sv_tol_cox)
  cbb <- cc$curves[cc$curves$strata == cc$strata$curve[2] &
                     cc$curves$n_event > 0, ]
  expect_equal(cbb$time, cb$time)
  expect_equal(cbb$cumhaz, cb$cumhaz, tolerance = sv_tol_cox)
  sv_expect_curves(cc, survfit(g2, newdata = data.frame(x = 0)))
  # a profile with the strata variable: the curve of its own stratum
  cc1 <- cox_curves(f2, data.frame(x = 0, grp = "b"))$curves
  expect_equal(cc1$cumhaz[cc1$n_event > 0], cb$cumhaz,
               tolerance = sv_tol_cox)
  # the script's curves of a subject whose covariates change over time
  # (survfit(newdata, id = )) are not offered: refused by name
  data4 <- data.frame(start = c(0, 4, 9, 11), stop = c(4, 9, 11, 17),
                      event = 0, x = 0, grp = "a", patid = "Jones")
  expect_error(cox_curves(f2, newdata = data4, id = patid),
               "id", class = "cohortsurv_error")
})

test_that("coxsurv: subsets of stratified curves, offsets, start.time", {
  f <- cox(Surv(time, status) ~ age + sex + meal.cal + strata(ph.ecog), lung)
  g <- coxph(Surv(time, status) ~ age + sex + meal.cal + strata(ph.ecog),
             lung)
  # the curves at the covariate means, one per stratum
  sv_expect_curves(cox_curves(f), survfit(g))
  dummy <- data.frame(age = c(30, 40, 60), sex = c(1, 2, 2),
                      meal.cal = c(500, 1000, 1500))
  sv_expect_curves(cox_curves(f, dummy), survfit(g, newdata = dummy))
  # summary at times: each curve of the summary against survfit's curve
  # of that stratum and row
  d3 <- data.frame(age = c(50, 60), sex = 1:2, meal.cal = c(650, 1200))
  cc <- cox_curves(f, d3, times = 1:3 * 100)
  s3 <- survfit(g, newdata = d3)
  expect_equal(nrow(cc$strata), 8)
  for (i in seq_len(nrow(cc$strata))) {
    k <- match(as.character(cc$strata$stratum[i]), names(s3$strata))
    sk <- summary(s3[k, cc$strata$row[i]], times = 1:3 * 100, extend = TRUE)
    cv <- cc$curves[cc$curves$strata == cc$strata$curve[i], ]
    expect_equal(cv$surv, as.vector(sk$surv), tolerance = sv_tol_cox)
    expect_equal(cv$std_err, as.vector(sk$std.err), tolerance = sv_tol_cox)
    expect_equal(cv$n_risk, sk$n.risk, tolerance = sv_tol_cox)
  }

  # an offset in place of a coefficient gives the same curve
  f1 <- cox(Surv(time, status) ~ age + ph.ecog, lung)
  b2 <- unname(f1$coefficients[2])
  lung2 <- lung
  lung2$off <- lung2$ph.ecog * b2
  f2 <- cox(Surv(time, status) ~ age + offset(off), lung2)
  nd <- data.frame(age = 50, ph.ecog = 1, off = b2)
  c1 <- cox_curves(f1, nd)$curves
  c2 <- cox_curves(f2, nd)$curves
  g2 <- coxph(Surv(time, status) ~ age + offset(off), lung2)
  sv_expect_curves(cox_curves(f2, nd), survfit(g2, newdata = nd))
  expect_equal(c2$surv, c1$surv, tolerance = 1e-6)
  # survfit's start.time is refused by name
  expect_error(cox_curves(f1, nd, start.time = 100), "start.time",
               class = "cohortsurv_error")
})

# --- coxsurv2.R, coxsurv4.R ---------------------------------------------------

test_that("coxsurv2: at beta = 0 without its variance, the Aalen curves", {
  set.seed(1953)
  rwt <- runif(nrow(lung), .5, 3)
  for (w in list(NULL, rwt)) {
    lw <- lung
    lw$w <- if (is.null(w)) 1 else w
    f <- cox(Surv(time, status) ~ age + strata(sex), lw, weights = w,
             ties = "breslow", control = cox_control(iter_max = 0))
    # the script's trick: a zero variance drops the coefficients' term
    f$var[] <- 0
    f$naive_var[] <- 0
    for (ctype in 1:2) {
      s <- survfit(Surv(time, status) ~ sex, data = lw, weights = w,
                   stype = 2, ctype = ctype, robust = FALSE)
      cc <- cox_curves(f, ctype = ctype)
      expect_equal(cc$curves$time, s$time)
      expect_equal(cc$curves$n_risk, s$n.risk, tolerance = sv_tol_km)
      expect_equal(cc$curves$n_event, s$n.event, tolerance = sv_tol_km)
      expect_equal(cc$curves$surv, s$surv, tolerance = sv_tol_km)
      expect_equal(cc$curves$std_chaz, s$std.err, tolerance = sv_tol_km)
      expect_equal(cc$curves$lower, s$lower, tolerance = sv_tol_km)
      expect_equal(cc$curves$upper, s$upper, tolerance = sv_tol_km)
    }
  }
  # survfit.coxph's Kalbfleisch-Prentice curve (stype = 1) is refused
  f <- cox(Surv(time, status) ~ age + strata(sex), lung)
  expect_error(cox_curves(f, stype = 1), "stype",
               class = "cohortsurv_error")
})

test_that("coxsurv4: strata-by-covariate interactions", {
  fm <- Surv(time, status) ~ wt.loss + age * strata(sex) + strata(ph.ecog)
  f1 <- cox(fm, lung)
  g1 <- coxph(fm, lung)
  expect_equal(unname(f1$coefficients), unname(coef(g1)),
               tolerance = sv_tol_cox)
  tdata <- data.frame(wt.loss = c(10, 5, 0, 10, 15, 20, 25),
                      age = c(50, 60, 50, 60, 70, 40, 21),
                      sex = c(1, 1, 2, 2, 1, 1, 1),
                      ph.ecog = c(0, 0, 1, 1, 2, 2, 2))
  cc <- cox_curves(f1, tdata)
  s1 <- survfit(g1, newdata = tdata)
  sv_expect_curves(cc, s1)
  # the script's check: the curves of the (sex 1, ph.ecog 0) rows are those
  # of a fit to that stratum alone at the same coefficients
  ok <- lung$sex == 1 & lung$ph.ecog %in% 0 & !is.na(lung$wt.loss)
  f2 <- cox(Surv(time, status) ~ wt.loss + age, lung[ok, ],
            init = f1$coefficients[1:2], control = cox_control(iter_max = 0))
  c2 <- cox_curves(f2, tdata[1:2, ])
  for (i in 1:2) {
    a <- cc$curves[cc$curves$strata == cc$strata$curve[i], ]
    b <- c2$curves[c2$curves$strata == c2$strata$curve[i], ]
    expect_equal(a$time, b$time)
    expect_equal(a$surv, b$surv, tolerance = sv_tol_cox)
  }
  # without the strata variables the interaction cannot be evaluated
  expect_error(cox_curves(f1, tdata[, c("wt.loss", "age")]),
               class = "cohortsurv_error")
})
