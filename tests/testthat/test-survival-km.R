# Kaplan-Meier tests ported from survival's tests/survtest.R, survfit1.R
# (Greenwood and infinitesimal-jackknife variances), quantile.R,
# summary_survfit.R, ekm.R, residsf.R (the robust SE from the hand-computed
# influences), tiedtime.R, rttright.R, doublecolon.R, doaml.R and the KM
# parts of the data-set scripts: km() against the hand-computed values the
# scripts assert and against survfit (the oracle). Not ported:
# Fleming-Harrington and Nelson-Aalen survival (type = "fh2", stype/ctype =
# 2), the influence matrices themselves (influence =, resid.survfit),
# start.time, scale, conf.lower and multi-state curves: cohortsurv has no
# counterpart.

# survfit's summary at chosen times as the columns of summary.cs_km().
sv_summary_df <- function(s, times) {
  z <- summary(s, times = times, extend = TRUE)
  data.frame(time = z$time, n_risk = z$n.risk, n_event = z$n.event,
             n_censor = z$n.censor, surv = z$surv, std_err = z$std.err,
             lower = z$lower, upper = z$upper)
}
sv_expect_summary <- function(f, s, times, tol = sv_tol_km) {
  a <- summary(f, times = times)
  b <- sv_summary_df(s, times)
  for (col in names(b)) {
    expect_equal(a[[col]], b[[col]], tolerance = tol, label = col)
  }
}

# --- survtest.R ---------------------------------------------------------------

sv_test2u <- cbind(sv_test2, wt = 1:10)[c(1, 6, 2, 7, 3, 8, 4, 9, 5, 10), ]

test_that("survtest: (start, stop] Kaplan-Meier matches the hand values", {
  f <- km(Surv(start, stop, event) ~ 1, sv_test2u)
  cv <- f$curves
  expect_equal(f$table$n, 10, tolerance = sv_tol_km)
  expect_equal(cv$time, sort(unique(sv_test2u$stop)), tolerance = sv_tol_km)
  expect_equal(cv$n_risk, c(2, 3, 5, 4, 4, 5, 2, 1), tolerance = sv_tol_km)
  expect_equal(cv$n_event, c(1, 1, 1, 1, 1, 2, 0, 0), tolerance = sv_tol_km)
  expect_equal(cv$surv[cv$n_event > 0],
               c(.5, 1 / 3, 4 / 15, 1 / 5, 3 / 20, 9 / 100),
               tolerance = sv_tol_km)
  h <- with(cv, n_event / (n_risk * (n_risk - n_event)))
  expect_equal(cv$std_err / cv$surv, sqrt(cumsum(h)), tolerance = sv_tol_km)
  sv_expect_km(f, survfit(Surv(start, stop, event) ~ 1, sv_test2u))
})

test_that("survtest: surv and n.risk are right between the curve times", {
  f <- km(Surv(time, status) ~ 1, sv_test1)
  s <- survfit(Surv(time, status) ~ 1, sv_test1)
  times <- c(.5, 1, 1.5, 6, 7.5, 8, 8.9, 9, 10)
  z <- summary(f, times = times)
  expect_equal(z$n_risk, c(6, 6, 4, 4, 2, 2, 1, 1, 0), tolerance = sv_tol_km)
  expect_equal(z$surv, c(1, s$surv[c(1, 1, 2, 2, 3, 3, 4, 4)]),
               tolerance = sv_tol_km)
  expect_equal(z$n_event, c(0, 1, 0, 2, 0, 0, 0, 1, 0), tolerance = sv_tol_km)
  # up to the last event, where S = 0 (SE NaN in cohortsurv, 0 in survfit)
  expect_equal(z$std_err[1:7],
               c(0, (s$surv * s$std.err)[c(1, 1, 2, 2, 3, 3)]),
               tolerance = sv_tol_km)
  sv_expect_km(f, s)
})

test_that("survtest: summary of (start, stop] data at chosen times", {
  f <- km(Surv(start, stop, event) ~ 1, sv_test2u)
  s <- survfit(Surv(start, stop, event) ~ 1, sv_test2u)
  times <- c(.5, 1.5, 2.5, 3, 6.5, 14.5, 16.5)
  z <- summary(f, times = times)
  expect_equal(z$surv, c(1, 1, s$surv[c(1, 2, 3, 6, 6)]),
               tolerance = sv_tol_km)
  # the true numbers at risk, except at 0.5 (0 in truth; survfit and km()
  # both report the risk set of the next curve time, 2)
  expect_equal(z$n_risk[-1], c(2, 3, 3, 4, 1, 1), tolerance = sv_tol_km)
  sv_expect_summary(f, s, times)
})

test_that("survtest: weighted (start, stop] curves agree with survfit", {
  f <- km(Surv(start, stop, event) ~ 1, sv_test2u, weights = wt)
  s <- survfit(Surv(start, stop, event) ~ 1, sv_test2u, weights = wt)
  sv_expect_km(f, s)
  f2 <- km(Surv(start, stop, event) ~ x, sv_test2u, weights = wt)
  s2 <- survfit(Surv(start, stop, event) ~ x, sv_test2u, weights = wt)
  sv_expect_km(f2, s2)
})

# --- survfit1.R: the aml data, by hand ------------------------------------------

# Product-limit estimate, Greenwood variance of log S and the Aalen variance
# of the cumulative hazard for one curve (survfit1.R's byhand()).
sv_km_byhand <- function(time, status, weights = rep(1, length(time))) {
  utime <- sort(unique(time))
  n_risk <- n_event <- surv <- gw <- double(length(utime))
  s <- 1
  v <- 0
  for (i in seq_along(utime)) {
    n_risk[i] <- sum(weights[time >= utime[i]])
    n_event[i] <- sum(weights[time == utime[i] & status == 1])
    if (n_event[i] > 0) {
      s <- s * (1 - n_event[i] / n_risk[i])
      v <- v + n_event[i] / (n_risk[i] * (n_risk[i] - n_event[i]))
    }
    surv[i] <- s
    gw[i] <- v
  }
  list(time = utime, n_risk = n_risk, n_event = n_event, surv = surv,
       std_log = sqrt(gw))
}

sv_adata <- local({
  set.seed(1953)
  a <- aml
  a$id <- sample(LETTERS, nrow(aml))
  a <- a[sample(seq_len(nrow(aml)), nrow(aml)), ]
  a$wt <- sample((2:30) / 10, nrow(aml))
  # the clusters of survfit1.R's grouped jackknife
  group <- rep("", nrow(a))
  nx <- table(a$x)
  group[a$x == "Maintained"] <- rep(letters[4:1], length = nx[1])
  group[a$x != "Maintained"] <- rep(letters[4:7], length = nx[2])
  a$group <- group
  a
})

test_that("survfit1: aml curves match the hand computation", {
  ta <- with(subset(sv_adata, x == "Maintained"), sv_km_byhand(time, status))
  tb <- with(subset(sv_adata, x != "Maintained"), sv_km_byhand(time, status))
  f <- km(Surv(time, status) ~ x, sv_adata)
  cv <- f$curves
  expect_equal(cv$time, c(ta$time, tb$time), tolerance = sv_tol_km)
  expect_equal(cv$surv, c(ta$surv, tb$surv), tolerance = sv_tol_km)
  expect_equal(cv$n_risk, c(ta$n_risk, tb$n_risk), tolerance = sv_tol_km)
  expect_equal(cv$n_event, c(ta$n_event, tb$n_event), tolerance = sv_tol_km)
  # Greenwood: SE(S) = S * SE(log S); the last point of the second curve
  # has S = 0 and an infinite variance of log S
  ok <- c(rep(TRUE, length(ta$time)), is.finite(tb$std_log))
  expect_equal(cv$std_err[ok], (c(ta$surv, tb$surv) *
                                  c(ta$std_log, tb$std_log))[ok],
               tolerance = sv_tol_km)
  sv_expect_km(f, survfit(Surv(time, status) ~ x, sv_adata))
})

test_that("survfit1: non-integer case weights (Greenwood, robust = FALSE)", {
  ta <- with(subset(sv_adata, x == "Maintained"),
             sv_km_byhand(time, status, wt))
  tb <- with(subset(sv_adata, x != "Maintained"),
             sv_km_byhand(time, status, wt))
  f <- km(Surv(time, status) ~ x, sv_adata, weights = wt, robust = FALSE)
  cv <- f$curves
  expect_equal(cv$surv, c(ta$surv, tb$surv), tolerance = sv_tol_km)
  expect_equal(cv$n_risk, c(ta$n_risk, tb$n_risk), tolerance = sv_tol_km)
  expect_equal(cv$n_event, c(ta$n_event, tb$n_event), tolerance = sv_tol_km)
  sv_expect_km(f, survfit(Surv(time, status) ~ x, sv_adata, weights = wt,
                          robust = FALSE))
})

test_that("survfit1: survSplit (start, stop] data give the same curves", {
  a2 <- survSplit(Surv(time, status) ~ ., sv_adata, cut = c(10, 20, 40))
  f1 <- km(Surv(time, status) ~ x, sv_adata)
  f2 <- km(Surv(tstart, time, status) ~ x, a2)
  # without an id the split points are censoring times of their own (as in
  # survfit without id); the event rows must be those of the unsplit data
  e1 <- f1$curves[f1$curves$n_event > 0, ]
  e2 <- f2$curves[f2$curves$n_event > 0, ]
  for (col in c("time", "n_risk", "n_event", "surv", "std_err", "lower",
                "upper")) {
    expect_equal(e2[[col]], e1[[col]], tolerance = sv_tol_km, label = col)
  }
  sv_expect_km(f2, survfit(Surv(tstart, time, status) ~ x, a2))
  fw <- km(Surv(tstart, time, status) ~ x, a2, weights = wt, robust = FALSE)
  sv_expect_km(fw, survfit(Surv(tstart, time, status) ~ x, a2, weights = wt,
                           robust = FALSE))
})

test_that("survfit1: summary at chosen times agrees with survfit", {
  f <- km(Surv(time, status) ~ x, sv_adata)
  s <- survfit(Surv(time, status) ~ x, sv_adata)
  sv_expect_summary(f, s, c(9, 18, 23, 33, 34))
  # the restricted mean up to the largest time of all curves
  expect_equal(f$table$rmean, unname(summary(s, rmean = "common")$table[,
                                                                    "rmean"]),
               tolerance = sv_tol_km)
  expect_equal(f$table$rmean_se,
               unname(summary(s, rmean = "common")$table[, "se(rmean)"]),
               tolerance = sv_tol_km)
})

test_that("survfit1/survfit2: the four confidence transforms agree with survfit", {
  for (ct in c("log", "log-log", "plain", "arcsin")) {
    f <- km(Surv(time, status) ~ x, sv_adata, conf_type = ct,
            conf_level = 0.9)
    s <- survfit(Surv(time, status) ~ x, sv_adata, conf.type = ct,
                 conf.int = 0.9)
    expect_equal(f$curves$lower, s$lower, tolerance = sv_tol_km)
    expect_equal(f$curves$upper, s$upper, tolerance = sv_tol_km)
  }
  tdata <- data.frame(time = 1:10, status = c(1, 0, 1, 0, 1, 0, 0, 0, 1, 0))
  sv_expect_km(km(Surv(time, status) ~ 1, tdata),
               survfit(Surv(time, status) ~ 1, tdata))
})

# --- quantile.R -----------------------------------------------------------------

sv_qdata <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8, 10),
                       status = c(1, NA, 1, 0, 1, 1, 0, 0),
                       x = c(0, 2, 1, 1, 1, 0, 0, 0))
sv_qq <- c(13 / 14, 6 / 7, 2 / 3, .5, 9 / 35, .1)

test_that("quantile: one curve, including exact hits on flat stretches", {
  f <- km(Surv(time, status) ~ 1, sv_qdata)
  q <- quantile(f, probs = 1 - sv_qq)
  expect_equal(q$quantile, c(1, 3.5, 6, 9, 9.5, NA), tolerance = sv_tol_km)
  expect_equal(q$lower, c(1, 1, 1, 6, 6, 9), tolerance = sv_tol_km)
  expect_equal(q$upper, rep(NA_real_, 6), tolerance = sv_tol_km)
  s <- quantile(survfit(Surv(time, status) ~ 1, sv_qdata), 1 - sv_qq)
  expect_equal(q$quantile, unname(s$quantile), tolerance = sv_tol_km)
  expect_equal(q$lower, unname(s$lower), tolerance = sv_tol_km)
})

test_that("quantile: two curves", {
  f <- km(Surv(time, status) ~ x, sv_qdata)
  q <- quantile(f, probs = 1 - sv_qq)
  expect_equal(q$quantile, c(6, 6, 9, 9, NA, NA, 1, 1, 3.5, 6, 6, 6),
               tolerance = sv_tol_km)
  expect_equal(q$lower, c(6, 6, 6, 6, 9, 9, 1, 1, 1, 1, NA, NA),
               tolerance = sv_tol_km)
  expect_equal(q$upper, rep(NA_real_, 12), tolerance = sv_tol_km)
  s <- quantile(survfit(Surv(time, status) ~ x, sv_qdata), 1 - sv_qq)
  expect_equal(q$quantile, c(t(s$quantile)), tolerance = sv_tol_km)
  expect_equal(q$lower, c(t(s$lower)), tolerance = sv_tol_km)
  # the median of the table is the 0.5 quantile
  expect_equal(f$table$median, c(9, 6), tolerance = sv_tol_km)
})

test_that("quantile: the lung curves agree with quantile.survfit", {
  f <- km(Surv(time, status) ~ ph.ecog, lung)
  s <- survfit(Surv(time, status) ~ ph.ecog, lung)
  p <- c(.1, .25, .5, .75)
  q <- quantile(f, probs = p)
  sq <- quantile(s, p)
  expect_equal(q$quantile, c(t(sq$quantile)), tolerance = sv_tol_km)
  expect_equal(q$lower, c(t(sq$lower)), tolerance = sv_tol_km)
  expect_equal(q$upper, c(t(sq$upper)), tolerance = sv_tol_km)
})

# --- summary_survfit.R ------------------------------------------------------------

test_that("summary_survfit: per-curve summaries at times agree with survfit", {
  f <- km(Surv(futime, fustat) ~ rx, ovarian)
  s <- survfit(Surv(futime, fustat) ~ rx, ovarian)
  times <- c(0, 200, 400, 600)
  sv_expect_summary(f, s, times)
  z <- summary(f, times = times)
  # events and censorings add up over (previous time, t]
  for (k in 1:2) {
    ck <- f$curves[as.integer(f$curves$strata) == k, ]
    ev <- c(0, sapply(times[-1], function(t) sum(ck$n_event[ck$time <= t])))
    cn <- c(0, sapply(times[-1], function(t) sum(ck$n_censor[ck$time <= t])))
    zk <- z[as.integer(z$strata) == k, ]
    expect_equal(zk$n_event, diff(c(0, ev)), tolerance = sv_tol_km)
    expect_equal(zk$n_censor, diff(c(0, cn)), tolerance = sv_tol_km)
  }
  # summary without times: one row per event time, as summary.survfit
  z0 <- summary(f)
  s0 <- summary(s)
  expect_equal(z0$time, s0$time, tolerance = sv_tol_km)
  expect_equal(z0$n_risk, s0$n.risk, tolerance = sv_tol_km)
  expect_equal(z0$surv, s0$surv, tolerance = sv_tol_km)
  expect_equal(z0$std_err, s0$std.err, tolerance = sv_tol_km)
  # the table: n, events, median and its limits, restricted mean
  tab <- summary(s, rmean = "common")$table
  expect_equal(f$table$n, unname(tab[, "records"]), tolerance = sv_tol_km)
  expect_equal(f$table$events, unname(tab[, "events"]), tolerance = sv_tol_km)
  expect_equal(f$table$median, unname(tab[, "median"]), tolerance = sv_tol_km)
  expect_equal(f$table$rmean, unname(tab[, "rmean"]), tolerance = sv_tol_km)
})

# --- ekm.R: weighted (start, stop] curves with id-level splits ---------------------

test_that("ekm: weighted counting-process curves match the hand count", {
  tdata <- aml
  tdata$id <- seq_len(nrow(tdata))
  tdata <- survSplit(Surv(time, status) ~ ., tdata, cut = c(9, 17, 30))
  tdata$trt <- rep(c(1, 1, 2, 2, 2), length = nrow(tdata))
  tdata$wt <- rep(1:6, length = nrow(tdata))
  tdata$status[tdata$time == 13] <- 1
  f <- km(Surv(tstart, time, status) ~ trt, tdata, weights = wt)
  for (g in 1:2) {
    d <- tdata[tdata$trt == g, ]
    ut <- sort(unique(d$time))
    nr <- sapply(ut, function(t) sum(d$wt[d$tstart < t & d$time >= t]))
    ne <- sapply(ut, function(t) sum(d$wt[d$time == t & d$status == 1]))
    cv <- f$curves[as.integer(f$curves$strata) == g, ]
    expect_equal(cv$time, ut, tolerance = sv_tol_km)
    expect_equal(cv$n_risk, nr, tolerance = sv_tol_km)
    expect_equal(cv$n_event, ne, tolerance = sv_tol_km)
    expect_equal(cv$surv, cumprod(1 - ne / nr), tolerance = sv_tol_km)
  }
  sv_expect_km(f, survfit(Surv(tstart, time, status) ~ trt, tdata,
                          weights = wt, robust = FALSE))
})

# --- data-set scripts: ovarian, jasa, cancer, bladder ---------------------------------

test_that("data sets: curves on survival's data agree with survfit", {
  sv_expect_km(km(Surv(futime, fustat) ~ rx, ovarian),
               survfit(Surv(futime, fustat) ~ rx, ovarian))
  sv_expect_km(km(Surv(time, status) ~ sex, lung),
               survfit(Surv(time, status) ~ sex, lung))
  sv_expect_km(km(Surv(futime, fustat) ~ 1, jasa),
               survfit(Surv(futime, fustat) ~ 1, jasa))
  sv_expect_km(km(Surv(start, stop, event) ~ transplant, heart),
               survfit(Surv(start, stop, event) ~ transplant, heart))
  sv_expect_km(km(Surv(stop, event) ~ rx, bladder, subset = enum == 1),
               survfit(Surv(stop, event) ~ rx, bladder, subset = enum == 1))
})

# --- summarydf.R, badname.R ---------------------------------------------------------------

test_that("summarydf: monthly summary over and beyond the lung curves", {
  f <- km(Surv(time, status) ~ ph.ecog, lung)
  s <- survfit(Surv(time, status) ~ ph.ecog, lung)
  sv_expect_summary(f, s, round(30.5 * 1:32))
})

test_that("badname: a non-syntactic variable name gives the same curves", {
  lung2 <- lung
  lung2["bad sex"] <- lung2$sex
  f1 <- km(Surv(time, status) ~ ph.ecog + sex, lung2)
  f2 <- km(Surv(time, status) ~ ph.ecog + `bad sex`, lung2)
  expect_equal(f2$curves$surv, f1$curves$surv, tolerance = sv_tol_km)
  sv_expect_km(f2, survfit(Surv(time, status) ~ ph.ecog + sex, lung2))
  a1 <- logrank(Surv(time, status) ~ `bad sex`, lung2)
  expect_equal(a1$statistic, survdiff(Surv(time, status) ~ sex, lung)$chisq,
               tolerance = sv_tol_km)
})

# --- refusals: multi-state and interval-censored data -------------------------------------

test_that("testci/mstate/turnbull: data other than right-censored or counting are refused", {
  # ?km: status is 0/1, FALSE/TRUE or 1/2; the response is Surv(time,
  # status) or Surv(start, stop, status)
  tdata <- data.frame(time = c(1, 2, 2, 3, 3, 3, 5, 6),
                      status = c(0, 1, 0, 1, 0, 1, 0, 1),
                      event = c(1, 1, 2, 2, 1, 2, 3, 2))
  expect_error(km(Surv(time, factor(status * event)) ~ 1, tdata),
               class = "cohortsurv_error")
  expect_error(km(Surv(time, time + 1, type = "interval2") ~ 1, tdata),
               class = "cohortsurv_error")
  expect_error(km(Surv(time, status, type = "left") ~ 1, tdata),
               class = "cohortsurv_error")
})

# --- survfit1.R: the infinitesimal jackknife, by hand ----------------------------------

# survfit1.R's byhand(), KM part: the influence U of each subject (id) on
# S(t) by the recursion U <- U (1 - h) - S(t-) d h / d w, the IJ standard
# error sqrt(sum U^2) and the influence matrix (subjects x times).
sv_km_ij <- function(time, status, weights = rep(1, length(time)),
                     id = seq_along(time)) {
  utime <- sort(unique(time))
  uid <- unique(id)
  idx <- factor(match(id, uid), seq_along(uid))
  u <- numeric(length(uid))
  s <- 1
  surv <- se <- double(length(utime))
  infl <- matrix(0, length(uid), length(utime), dimnames = list(uid, NULL))
  for (i in seq_along(utime)) {
    atrisk <- time >= utime[i]
    deaths <- time == utime[i] & status == 1
    haz <- sum(weights[deaths]) / sum(weights[atrisk])
    dhaz <- (deaths - atrisk * haz) / sum(weights[atrisk])
    u <- u * (1 - haz) - s * c(tapply(dhaz * weights, idx, sum))
    s <- s * (1 - haz)
    surv[i] <- s
    se[i] <- sqrt(sum(u^2))
    infl[, i] <- u
  }
  list(time = utime, surv = surv, std = se, influence = infl)
}

test_that("survfit1: the IJ variance matches the hand computation", {
  ta <- with(subset(sv_adata, x == "Maintained"),
             sv_km_ij(time, status, id = id))
  tb <- with(subset(sv_adata, x != "Maintained"),
             sv_km_ij(time, status, id = id))
  f <- km(Surv(time, status) ~ x, sv_adata, id = id, robust = TRUE)
  expect_true(f$robust)
  expect_equal(f$curves$surv, c(ta$surv, tb$surv), tolerance = sv_tol_km)
  expect_equal(f$curves$std_err, c(ta$std, tb$std), tolerance = sv_tol_km)
  # the last point of the second curve (S = 0) has IJ variance 0
  expect_equal(tail(f$curves$std_err, 1), 0)
  s <- survfit(Surv(time, status) ~ x, sv_adata, id = id, robust = TRUE)
  expect_false(s$logse)
  sv_expect_km(f, s)
  # one row per subject and unit weights: IJ = Greenwood (S = 0 aside)
  g <- km(Surv(time, status) ~ x, sv_adata)
  expect_false(g$robust)
  n <- nrow(g$curves)
  expect_equal(g$curves$std_err[-n], f$curves$std_err[-n],
               tolerance = sv_tol_km)
  # the IJ variance does not change when every weight is multiplied by 3
  f3 <- km(Surv(time, status) ~ x, sv_adata, id = id,
           weights = rep(3, nrow(sv_adata)), robust = TRUE)
  expect_equal(f3$curves$std_err, f$curves$std_err, tolerance = sv_tol_km)
  expect_equal(f3$curves$n_risk, 3 * f$curves$n_risk, tolerance = sv_tol_km)
})

test_that("survfit1: IJ variance of survSplit (start, stop] data with id", {
  a2 <- survSplit(Surv(time, status) ~ ., sv_adata, cut = c(10, 20, 40))
  f <- km(Surv(time, status) ~ x, sv_adata, id = id, robust = TRUE)
  fb <- km(Surv(tstart, time, status) ~ x, a2, id = id, robust = TRUE)
  # (survfit 3.5.3's n.censor is wrong for several curves with an id; the
  # censorings are checked against the unsplit data below)
  sv_expect_km(fb, survfit(Surv(tstart, time, status) ~ x, a2, id = id,
                           robust = TRUE), n_censor = FALSE)
  # the split points are rows of their own (as survfit 3.5.3 reports them),
  # neither events nor censorings; the other rows are those of the unsplit
  # data
  split <- !(paste(fb$curves$strata, fb$curves$time) %in%
               paste(f$curves$strata, f$curves$time))
  expect_true(all(fb$curves$time[split] %in% c(10, 20, 40)))
  expect_true(all(fb$curves$n_event[split] == 0 &
                    fb$curves$n_censor[split] == 0))
  for (col in c("time", "n_risk", "n_event", "n_censor", "surv", "std_err",
                "lower", "upper")) {
    expect_equal(fb$curves[[col]][!split], f$curves[[col]],
                 tolerance = sv_tol_km, label = col)
  }
  # several rows but one event at most per subject: Greenwood's variance by
  # default, as survfit
  fd <- km(Surv(tstart, time, status) ~ x, a2, id = id)
  expect_false(fd$robust)
  sv_expect_km(fd, survfit(Surv(tstart, time, status) ~ x, a2, id = id),
               n_censor = FALSE)
  expect_equal(fd$curves$std_err[!split], km(Surv(time, status) ~ x,
                                             sv_adata)$curves$std_err,
               tolerance = sv_tol_km)
})

test_that("survfit1: weighted IJ variance and the grouped jackknife by hand", {
  wa <- with(subset(sv_adata, x == "Maintained"),
             sv_km_ij(time, status, wt, id = id))
  wb <- with(subset(sv_adata, x != "Maintained"),
             sv_km_ij(time, status, wt, id = id))
  # non-integer weights: robust by default
  f <- km(Surv(time, status) ~ x, sv_adata, id = id, weights = wt)
  expect_true(f$robust)
  expect_equal(f$curves$surv, c(wa$surv, wb$surv), tolerance = sv_tol_km)
  expect_equal(f$curves$std_err, c(wa$std, wb$std), tolerance = sv_tol_km)
  sv_expect_km(f, survfit(Surv(time, status) ~ x, sv_adata, id = id,
                          weights = wt))
  a2 <- survSplit(Surv(time, status) ~ ., sv_adata, cut = c(10, 20, 40))
  fb <- km(Surv(tstart, time, status) ~ x, a2, id = id, weights = wt)
  ev <- fb$curves$n_event > 0
  expect_equal(fb$curves$std_err[ev], f$curves$std_err[f$curves$n_event > 0],
               tolerance = sv_tol_km)
  # clusters: the influence summed within each group
  f4 <- km(Surv(time, status) ~ x, sv_adata, id = id, weights = wt,
           cluster = group)
  g1 <- sv_adata$group[match(rownames(wa$influence), sv_adata$id)]
  g2 <- sv_adata$group[match(rownames(wb$influence), sv_adata$id)]
  se4 <- sqrt(c(colSums(rowsum(wa$influence, g1)^2),
                colSums(rowsum(wb$influence, g2)^2)))
  expect_equal(f4$curves$std_err, se4, tolerance = sv_tol_km)
  expect_true(all(abs(se4 - c(wa$std, wb$std)) > 0 | se4 == 0))
  sv_expect_km(f4, survfit(Surv(time, status) ~ x, sv_adata, id = id,
                           weights = wt, cluster = group))
})

# --- tiedtime.R: nearly equal times ------------------------------------------------------

test_that("tiedtime: differences of decimal times are merged as survfit merges them", {
  # times of one decimal give differences that are equal only up to
  # rounding (the situation of tiedtime.R's ties.rda)
  set.seed(1953)
  time1 <- round(runif(690, 40, 80), 1)
  time2 <- time1 + round(runif(690, 0, 20), 1)
  x <- time2 - time1
  expect_gt(length(unique(x)), length(unique(round(x, 8))))
  f <- km(Surv(x) ~ 1)
  s <- survfit(Surv(x) ~ 1)
  expect_equal(nrow(f$curves), length(unique(round(x, 8))))
  sv_expect_km(f, s)
  # timefix = FALSE keeps every distinct value apart
  f0 <- km(Surv(x) ~ 1, timefix = FALSE)
  expect_equal(nrow(f0$curves), length(unique(x)))
})

test_that("tiedtime: sqrt(2)^2 and 2 are one time in each curve", {
  tdata <- data.frame(time = c(1, 2, sqrt(2)^2, 2, sqrt(2)^2),
                      status = rep(1, 5), group = c(1, 1, 1, 2, 2))
  f <- km(Surv(time, status) ~ group, tdata)
  s <- survfit(Surv(time, status) ~ group, tdata)
  expect_equal(nrow(f$curves), 3)
  expect_equal(sum(s$strata), length(s$time))
  sv_expect_km(f, s)
  expect_equal(f$curves$surv, c(2 / 3, 0, 0), tolerance = sv_tol_km)
  f0 <- km(Surv(time, status) ~ group, tdata, timefix = FALSE)
  expect_equal(f0$curves$surv, c(2 / 3, 1 / 3, 0, 1 / 2, 0),
               tolerance = sv_tol_km)
  sv_expect_km(f0, survfit(Surv(time, status) ~ group, tdata,
                           timefix = FALSE))
})

# --- doublecolon.R, doaml.R, tiedtime.R: formula conventions ------------------------------

test_that("doublecolon: survival::strata() in km() is a grouping variable", {
  y2 <- with(lung, survival::Surv(time, status))
  s5a <- survfit(Surv(time, status) ~ sex, lung)
  k5b <- km(Surv(time, status) ~ strata(sex), lung)
  k5c <- km(Surv(time, status) ~ survival::strata(sex), lung)
  k5d <- km(y2 ~ survival::strata(sex), lung)
  sv_expect_km(k5c, s5a)
  expect_equal(k5c$curves, k5b$curves, tolerance = sv_tol_km)
  expect_equal(k5d$curves, k5b$curves, tolerance = sv_tol_km)
  expect_equal(k5c$table, k5b$table, tolerance = sv_tol_km)
})

test_that("doaml: km() of data-frame columns without data, equal weights", {
  f <- km(Surv(aml$time, aml$status) ~ aml$x)
  sv_expect_km(f, survfit(Surv(aml$time, aml$status) ~ aml$x))
  expect_equal(f$curves$surv, km(Surv(time, status) ~ x, aml)$curves$surv,
               tolerance = sv_tol_km)
  k2 <- km(Surv(aml$time, aml$status) ~ 1, weights = rep(2, 23))
  k1 <- km(Surv(time, status) ~ 1, aml)
  expect_equal(k2$curves$surv, k1$curves$surv, tolerance = sv_tol_km)
  expect_equal(k1$curves$std_err^2, 2 * k2$curves$std_err^2,
               tolerance = sv_tol_km)
  sv_expect_km(k2, survfit(Surv(aml$time, aml$status) ~ 1,
                           weights = rep(2, 23)))
})

test_that("tiedtime: Surv(time) without a status makes every row an event", {
  f <- km(Surv(time) ~ sex, lung)
  s <- survfit(Surv(time) ~ sex, lung)
  sv_expect_km(f, s)
  expect_equal(f$table$events, as.vector(table(lung$sex)))
  expect_equal(f$curves$surv,
               km(Surv(time, rep(1, nrow(lung))) ~ sex, lung)$curves$surv,
               tolerance = sv_tol_km)
})

# --- residsf.R: the influence of each subject, by hand -------------------------------------

test_that("residsf: the robust SE is the root sum of the hand-computed influences", {
  # survival's influence of the 6 non-missing rows of data set 1 (in time
  # order) on S at the death times 1, 6 and 9 (S(8) = S(6))
  inf1 <- matrix(c(-20, rep(4, 5), -10, 2, -13, -13, 17, 17, rep(0, 6)) / 144,
                 ncol = 3)
  f <- km(Surv(time, status) ~ 1, sv_test1, robust = TRUE)
  expect_equal(f$curves$time, c(1, 6, 8, 9))
  expect_equal(f$curves$std_err, sqrt(colSums(inf1^2))[c(1, 2, 2, 3)],
               tolerance = sv_tol_km)
  # one row per subject: equal to Greenwood's except where S = 0
  g <- km(Surv(time, status) ~ 1, sv_test1)
  expect_equal(f$curves$std_err[1:3], g$curves$std_err[1:3],
               tolerance = sv_tol_km)
  # (start, stop] data, two curves; the second is data set 1 again
  test2 <- data.frame(t1 = c(1, 2, 5, 2, 1, 7, 3, 4, 8, 8, 0, 0, 0, 0, 0, 0),
                      t2 = c(2, 3, 6, 7, 8, 9, 9, 9, 14, 17, 9, 1, 1, 6, 6, 8),
                      event = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1,
                                0),
                      x = rep(1:2, c(10, 6)), id = 1:16)
  f4 <- km(Surv(t1, t2, event) ~ x, test2, id = id, robust = TRUE)
  s4 <- survfit(Surv(t1, t2, event) ~ x, test2, id = id, robust = TRUE)
  sv_expect_km(f4, s4)
  c2 <- f4$curves[f4$curves$strata == "x=2", ]
  expect_equal(c2$std_err, sqrt(colSums(inf1^2))[c(1, 2, 2, 3)],
               tolerance = sv_tol_km)
  # the order of the rows does not matter
  reord <- c(1, 3, 5, 7, 9, 11, 13, 15, 2, 4, 6, 8, 10, 12, 14, 16)
  f5 <- km(Surv(t1, t2, event) ~ x, test2[reord, ], id = id, robust = TRUE)
  expect_equal(f5$curves, f4$curves, tolerance = sv_tol_km)
})

# --- rttright.R: redistribute-to-the-right weights reproduce the KM ----------------------

test_that("rttright: 1 - the weighted CDF of rttright() is the km() curve", {
  bdata <- data.frame(time = c(1, 2, 2, 3, 4, 4, 5, 5, 8, 8,
                               9, 10, 11, 12, 14, 15, 16, 16, 18, 20),
                      status = c(1, 1, 0, 1, 0, 0, 1, 0, 1, 1, 1,
                                 0, 0, 1, 0, 0, 1, 0, 1, 0))
  f <- km(Surv(time, status) ~ 1, bdata)
  # (survival 3.5.3's rttright() has no renorm argument; its weights are
  # the script's renorm = FALSE ones, adding up to n times 1 - S at the end)
  bwt <- rttright(Surv(time, status) ~ 1, bdata)
  cdf <- cumsum(bwt) / nrow(bdata)
  cdf <- cdf[!duplicated(bdata$time, fromLast = TRUE)]
  expect_equal(f$curves$surv, 1 - cdf, tolerance = sv_tol_km)
  # one curve per group of aml
  fa <- km(Surv(time, status) ~ x, aml)
  awt <- rttright(Surv(time, status) ~ x, aml)
  ig <- as.numeric(aml$x)
  for (i in 1:2) {
    o <- order(aml$time[ig == i])
    acdf <- cumsum(awt[ig == i][o]) / sum(ig == i)
    acdf <- acdf[!duplicated(aml$time[ig == i][o], fromLast = TRUE)]
    expect_equal(fa$curves$surv[as.integer(fa$curves$strata) == i], 1 - acdf,
                 tolerance = sv_tol_km)
  }
})

# --- summary_survfit.R: the censor option --------------------------------------------------

test_that("summary_survfit: n_censor of the event rows and censored = TRUE", {
  f <- km(Surv(futime, fustat) ~ rx, ovarian)
  s <- survfit(Surv(futime, fustat) ~ rx, ovarian)
  for (cens in c(FALSE, TRUE)) {
    z <- summary(f, censored = cens)
    ss <- summary(s, censored = cens)
    expect_equal(as.character(z$strata), as.character(ss$strata))
    for (col in c("time", "n_risk", "n_event", "n_censor", "surv",
                  "std_err", "lower", "upper")) {
      expect_equal(z[[col]], ss[[sub("_", ".", col)]], tolerance = sv_tol_km,
                   label = paste(col, cens))
    }
  }
  # each curve's summary is the summary of that curve fitted alone (the
  # script's fit[1], fit[2] against fit)
  z <- summary(f)
  for (k in 1:2) {
    zk <- summary(km(Surv(futime, fustat) ~ 1, ovarian, subset = rx == k))
    expect_equal(z$n_censor[as.integer(z$strata) == k], zk$n_censor)
    expect_equal(z$surv[as.integer(z$strata) == k], zk$surv,
                 tolerance = sv_tol_km)
  }
  # the censorings of the rows add up to those up to each curve's last
  # event time
  for (k in 1:2) {
    ck <- f$curves[as.integer(f$curves$strata) == k, ]
    last <- max(ck$time[ck$n_event > 0])
    expect_equal(sum(z$n_censor[as.integer(z$strata) == k]),
                 sum(ck$n_censor[ck$time <= last]))
  }
})

# --- ekm.R: the extended KM (subjects switch curves), its IJ variance by hand ---------------

test_that("ekm: the robust SE of subjects who switch curves, by hand", {
  tdata <- aml
  tdata$id <- seq_len(nrow(tdata))
  tdata <- survSplit(Surv(time, status) ~ ., tdata, cut = c(9, 17, 30))
  tdata$trt <- rep(c(1, 1, 2, 2, 2), length = nrow(tdata))
  tdata$wt <- rep(1:6, length = nrow(tdata))
  tdata$status[tdata$time == 13] <- 1
  # ekm.R's byhand(): per-row influence U on S, summed over the rows of
  # each subject (weighted) within a curve
  hand <- function(d) {
    ut <- sort(unique(d$time))
    n <- nrow(d)
    utemp <- double(n)
    s <- 1
    out <- matrix(0, length(ut), 4)
    for (j in seq_along(ut)) {
      atrisk <- d$tstart < ut[j] & d$time >= ut[j]
      death <- d$time == ut[j] & d$status == 1
      nr <- sum(d$wt[atrisk])
      haz <- sum(d$wt[death]) / nr
      temp <- double(n)
      temp[death] <- 1 / nr
      temp[atrisk] <- temp[atrisk] - haz / nr
      utemp <- if (haz < 1) utemp - temp / (1 - haz) else 0
      s <- s * (1 - haz)
      out[j, ] <- c(ut[j], nr, s, sqrt(sum(rowsum(d$wt * utemp * s,
                                                   d$id)^2)))
    }
    out
  }
  h <- rbind(hand(tdata[tdata$trt == 1, ]), hand(tdata[tdata$trt == 2, ]))
  f <- km(Surv(tstart, time, status) ~ trt, tdata, weights = wt, id = id,
          robust = TRUE)
  expect_equal(f$curves$time, h[, 1], tolerance = sv_tol_km)
  expect_equal(f$curves$n_risk, h[, 2], tolerance = sv_tol_km)
  expect_equal(f$curves$surv, h[, 3], tolerance = sv_tol_km)
  expect_equal(f$curves$std_err, h[, 4], tolerance = sv_tol_km)
  # (survfit 3.5.3's n.censor is wrong for several curves with an id)
  sv_expect_km(f, survfit(Surv(tstart, time, status) ~ trt, tdata,
                          weights = wt, id = id, robust = TRUE),
               n_censor = FALSE)
})
