# cif() and gray_test() tests ported from survival's tests/testci.R (the
# hand-computed Aalen-Johansen estimate and its influence-based standard
# error, summary at times, the classic cumulative-incidence formula on
# mgus1, subgroups, and cmprsk::cuminc, which the script reads from a saved
# file), plus the competing-risks pieces of mstate.R, testci2.R and
# multistate.R. Multi-state data with subjects that change state (`id`)
# are refused by name, as are multi-state Cox models.

# The curves of a cif() fit against survfit's multi-state curve `s`:
# state j of the cif (j = 1 the event-free "(s0)") is column j of survfit.
sv_expect_cif <- function(f, s, tol = sv_tol_km) {
  states <- levels(f$curves$state)
  for (j in seq_along(states)) {
    cv <- f$curves[f$curves$state == states[j], ]
    expect_equal(cv$time, s$time, tolerance = tol)
    expect_equal(cv$n_risk, s$n.risk[, 1], tolerance = tol)
    expect_equal(cv$n_event, if (j == 1) 0 * s$time else s$n.event[, j],
                 tolerance = tol)
    expect_equal(cv$estimate, s$pstate[, j], tolerance = tol)
    expect_equal(cv$std_err, s$std.err[, j], tolerance = tol)
    ok <- !is.na(s$lower[, j]) & s$pstate[, j] > 0
    expect_equal(cv$lower[ok], s$lower[ok, j], tolerance = tol)
    expect_equal(cv$upper[ok], s$upper[ok, j], tolerance = tol)
  }
}

sv_ci_data <- data.frame(time = c(1, 2, 2, 3, 3, 3, 5, 6),
                         status = c(0, 1, 0, 1, 0, 1, 0, 1),
                         event = c(1, 1, 2, 2, 1, 2, 3, 2),
                         grp = c(1, 2, 1, 2, 1, 2, 1, 2),
                         id = 1:8)
sv_ci_data$ev <- factor(sv_ci_data$status * sv_ci_data$event)

# the script's byhand(): the estimate and the influence of each row
sv_ci_byhand <- function() {
  p1 <- c(1, 0, 0)
  p2 <- c(6 / 7, 1 / 7, 0)
  u2 <- matrix(rep(c(1 / 49, -1 / 49, 0), each = 8), ncol = 3)
  u2[1, ] <- 0
  u2[2, 1:2] <- u2[2, 1:2] + c(-1 / 7, 1 / 7)
  p3 <- c((6 / 7) * (3 / 5), 1 / 7, 12 / 35)
  h3 <- matrix(c(3 / 5, 0, 2 / 5, 0, 1, 0, 0, 1, 0), byrow = TRUE, ncol = 3)
  u3 <- u2 %*% h3
  u3[4:8, 1] <- u3[4:8, 1] + p2[1] * 2 / 25
  u3[4:8, 3] <- u3[4:8, 3] - p2[1] * 2 / 25
  u3[4, ] <- u3[4, ] + c(-p2[1] / 5, 0, p2[1] / 5)
  u3[6, ] <- u3[4, ]
  p6 <- c(0, 1 / 7, 6 / 7)
  u6 <- cbind(0, u3[, 2], -u3[, 2])
  V <- rbind(0, colSums(u2^2), colSums(u3^2), colSums(u3^2), colSums(u6^2))
  list(P = rbind(p1, p2, p3, p3, p6), u2 = u2, u3 = u3, u6 = u6, V = V)
}

test_that("testci: a trivial case by hand", {
  f <- cif(Surv(time, ev) ~ 1, sv_ci_data)
  b <- sv_ci_byhand()
  est <- matrix(f$curves$estimate, ncol = 3)
  se <- matrix(f$curves$std_err, ncol = 3)
  expect_equal(unname(est), unname(b$P), tolerance = 1e-12)
  expect_equal(unname(se), sqrt(b$V), tolerance = 1e-12)
  cv <- split(f$curves, f$curves$state)
  expect_equal(cv[[1]]$n_risk, c(8, 7, 5, 2, 1))
  expect_equal(c(cv[[2]]$n_event, cv[[3]]$n_event),
               c(0, 1, 0, 0, 0, 0, 0, 2, 0, 1))
  sv_expect_cif(f, survfit(Surv(time, ev) ~ 1, sv_ci_data))

  # the influence of each row, by numerical derivative in its weight
  eps <- 1e-6
  infl <- array(0, c(8, 5, 3))
  for (i in 1:8) {
    w <- rep(1, 8)
    w[i] <- w[i] + eps
    fi <- cif(Surv(time, ev) ~ 1, sv_ci_data, weights = w)
    infl[i, , ] <- (matrix(fi$curves$estimate, ncol = 3) - est) / eps
  }
  expect_equal(infl[, 2, ], b$u2, tolerance = 1e-5)
  expect_equal(infl[, 3, ], b$u3, tolerance = 1e-5)
  expect_equal(infl[, 5, ], b$u6, tolerance = 1e-5)
  expect_equal(unname(se), apply(infl, 2:3, function(x) sqrt(sum(x^2))),
               tolerance = 1e-5)
})

test_that("testci: summary at times before, at, between and after", {
  f <- cif(Surv(time, ev) ~ 1, sv_ci_data)
  b <- sv_ci_byhand()
  s <- summary(f, times = c(0, 1, 3.5, 6, 7), states = c("(s0)", "1", "2"))
  expect_equal(unname(matrix(s$estimate, ncol = 3)),
               unname(rbind(c(1, 0, 0), b$P[c(1, 3, 5, 5), ])),
               tolerance = 1e-12)
  expect_equal(s$n_risk[1:5], c(8, 8, 2, 1, 0))
  expect_equal(s$n_event, c(0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 1, 0))
  ss <- summary(survfit(Surv(time, ev) ~ 1, sv_ci_data),
                times = c(0, 1, 3.5, 6, 7), extend = TRUE)
  expect_equal(s$estimate, as.vector(ss$pstate), tolerance = sv_tol_km)
  expect_equal(s$std_err, as.vector(ss$std.err), tolerance = sv_tol_km)
})

test_that("testci: mgus1 first events, the classic formula and subgroups", {
  tdata <- mgus1[mgus1$enum == 1, ]
  f1 <- cif(Surv(stop, event) ~ 1, tdata)
  s1 <- survfit(Surv(stop, event) ~ 1, tdata)
  sv_expect_cif(f1, s1)
  # integral of hazard(t) S(t-), S the survival to the first event
  fit2 <- survfit(Surv(stop, status) ~ 1, tdata)
  fit3 <- survfit(Surv(stop, status * (event == "pcm")) ~ 1, tdata,
                  type = "fleming")
  fit4 <- survfit(Surv(stop, status * (event == "death")) ~ 1, tdata,
                  type = "fleming")
  haz1 <- diff(c(0, -log(fit3$surv)))
  haz2 <- diff(c(0, -log(fit4$surv)))
  tsurv <- c(1, fit2$surv[-length(fit2$surv)])
  cv <- split(f1$curves, f1$curves$state)
  expect_equal(cv[[1]]$n_risk, fit2$n.risk)
  expect_equal(cv$pcm$n_event + cv$death$n_event, fit2$n.event)
  expect_equal(cv$pcm$estimate, cumsum(haz1 * tsurv), tolerance = 1e-10)
  expect_equal(cv$death$estimate, cumsum(haz2 * tsurv), tolerance = 1e-10)
  expect_equal(cv[[1]]$estimate, fit2$surv, tolerance = 1e-10)

  # by sex: each curve is the fit of its subset
  fs <- cif(Surv(stop, event) ~ sex, tdata)
  sv_expect_cif(fs, survfit(Surv(stop, event) ~ sex, tdata))
  for (sx in c("female", "male")) {
    fsub <- cif(Surv(stop, event) ~ 1, tdata[tdata$sex == sx, ])
    a <- fs$curves[fs$curves$strata == paste0("sex=", sx), ]
    expect_equal(a$estimate, fsub$curves$estimate, tolerance = 1e-12)
    expect_equal(a$std_err, fsub$curves$std_err, tolerance = 1e-12)
  }
})

test_that("testci: cmprsk's cuminc and Gray's test", {
  skip_if_not_installed("cmprsk")
  tdata <- mgus1[mgus1$enum == 1, ]
  tstat <- ifelse(tdata$status == 0, 0, 1 + (tdata$event == "death"))
  gray1 <- cmprsk::cuminc(tdata$stop, tstat)
  f <- cif(Surv(stop, event) ~ 1, tdata)
  # cuminc returns the full step function, cif() the bottoms of the steps
  for (k in 1:2) {
    g <- gray1[[k]]
    temp <- tapply(g$est, g$time, max)[-1]
    cv <- f$curves[f$curves$state == c("pcm", "death")[k], ]
    i <- match(as.numeric(names(temp)), cv$time)
    expect_false(anyNA(i))
    expect_equal(cv$estimate[i], unname(as.vector(temp)), tolerance = 1e-10)
  }
  # Gray's test between the sexes
  g2 <- cmprsk::cuminc(tdata$stop, tstat, tdata$sex)
  gt <- gray_test(Surv(stop, event) ~ sex, tdata)
  expect_equal(gt$tests$statistic, unname(g2$Tests[, "stat"]),
               tolerance = 1e-8)
  expect_equal(gt$tests$p_value, unname(g2$Tests[, "pv"]), tolerance = 1e-8)
  expect_equal(gt$tests$df, unname(as.integer(g2$Tests[, "df"])))
})

test_that("mstate/testci2: subjects that change state are refused by name", {
  mtest <- data.frame(id = c(1, 1, 1, 2, 3, 4, 4, 4, 5, 5),
                      t1 = c(0, 4, 9, 0, 2, 0, 2, 8, 1, 3),
                      t2 = c(4, 9, 10, 5, 9, 2, 8, 9, 3, 11),
                      st = c(1, 2, 1, 2, 3, 1, 3, 0, 2, 0))
  mtest$state <- factor(mtest$st, 0:3, c("censor", "a", "b", "c"))
  expect_error(cif(Surv(t1, t2, state) ~ 1, mtest, id = id), "id",
               class = "cohortsurv_error")
  expect_error(cif(Surv(t1, t2, state) ~ 1, mtest, istate = st), "istate",
               class = "cohortsurv_error")
  # without id every row is its own subject, starting event-free (as
  # documented): survfit with one id per row
  f <- cif(Surv(t1, t2, state) ~ 1, mtest)
  s <- survfit(Surv(t1, t2, state) ~ 1, mtest, id = seq_len(nrow(mtest)))
  sv_expect_cif(f, s)
})

test_that("multistate: a Cox model of a competing-risks factor is refused", {
  data1 <- mgus2
  data1$etime <- with(data1, ifelse(pstat == 1, ptime, futime))
  data1$event <- factor(ifelse(data1$pstat == 1, 1, 2L * data1$death),
                        0:2, c("censor", "PCM", "death"))
  expect_error(cox(Surv(etime, event) ~ age + sex + mspike, data1, id = id),
               "id", class = "cohortsurv_error")
  expect_error(cox(Surv(etime, event) ~ age + sex + mspike, data1),
               "factor", class = "cohortsurv_error")
  # the script's equivalent cause-specific fits are ordinary cox() fits
  for (k in c("PCM", "death")) {
    fm <- Surv(etime, event == k) ~ age + sex + mspike
    sv_expect_cox(cox(fm, data1, ties = "breslow"),
                  coxph(fm, data1, ties = "breslow"))
  }
  # the curves of the competing-risks factor
  fc <- cif(Surv(etime, event) ~ sex, data1)
  sc <- survfit(Surv(etime, event) ~ sex, data1)
  sv_expect_cif(fc, sc)
  # survival_at() of the curves: summary.survfit(times, extend = TRUE)
  tt <- c(0, 60, 120, 500)
  a <- survival_at(fc, times = tt)
  ss <- summary(sc, times = tt, extend = TRUE)
  for (k in c("PCM", "death")) {
    j <- match(k, levels(data1$event))
    ak <- a[a$state == k, ]
    expect_equal(ak$time, rep(tt, 2))
    expect_equal(ak$estimate, ss$pstate[, j], tolerance = sv_tol_km)
    expect_equal(ak$std_err, ss$std.err[, j], tolerance = sv_tol_km)
    expect_equal(ak$n_risk, ss$n.risk[, 1], tolerance = sv_tol_km)
  }
})
