# Fine-Gray tests ported from survival's tests/finegray.R: the expanded,
# weighted rows against the hand-computed censoring weights the script
# asserts, and fine_gray() against coxph() on finegray()'s data (the
# oracle), with the robust variance clustered by subject. The script's
# left-truncated cases (test data 3 and 4) are refused by name: fine_gray()
# takes right-censored data only.

sv_fdata <- data.frame(
  time = c(1, 2, 3, 4, 4, 4, 5, 5, 6, 8, 8, 9, 10, 12),
  status = factor(c(1, 2, 0, 1, 0, 0, 2, 1, 0, 0, 2, 0, 1, 0), 0:2,
                  c("cen", "type1", "type2")),
  x = c(5, 4, 3, 1, 2, 1, 1, 2, 2, 4, 6, 1, 2, 0),
  id = 1:14)

# fine_gray() against coxph on finegray()'s rows of the same model
sv_expect_fg <- function(f, fg, rhs, ties = "efron", robust = TRUE,
                         strata = NULL) {
  form <- stats::as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", rhs))
  g <- if (robust) {
    coxph(form, fg, weights = fgwt, cluster = id, ties = ties)
  } else {
    # robust = FALSE said outright: coxph's default is the robust
    # variance whenever the weights are not whole numbers
    coxph(form, fg, weights = fgwt, ties = ties, robust = FALSE)
  }
  expect_equal(unname(f$coefficients), unname(coef(g)), tolerance = sv_tol_cox)
  expect_equal(unname(f$var), unname(g$var), tolerance = sv_tol_cox)
  expect_equal(f$loglik, g$loglik, tolerance = sv_tol_cox)
  expect_equal(f$fine_gray$n_rows, nrow(fg))
  invisible(g)
}

test_that("finegray: test data 1, the censoring weights by hand", {
  code <- as.integer(sv_fdata$status) - 1L
  ix <- cohortsurv:::fg_index(sv_fdata$time, code, 1L, rep(1L, 14))
  # the script: censoring KM drops after 3, 4, 6, 8 and 9
  csurv <- cumprod(c(1, 11 / 12, 8 / 10, 5 / 6, 3 / 4, 2 / 3))
  twt <- c(1, csurv[c(1, 2, 3, 6)], 1, 1, 1, 1, 1, 5 / 12, 1, 1, 1,
           1, 1 / 2, 1, 1, 1)
  expect_equal(ix$row, c(1, 2, 2, 2, 2, 3:6, 7, 7, 8:11, 11, 12:14))
  expect_equal(ix$wt, twt, tolerance = 1e-12)
  added <- ix$start > 0
  expect_equal(ix$stop[added], c(4, 6, 12, 12, 12))
  expect_equal(sum(ix$status), 4)

  # the same rows as finegray()
  t1 <- finegray(Surv(time, status) ~ ., sv_fdata)
  expect_equal(ix$start, t1$fgstart)
  expect_equal(ix$stop, t1$fgstop)
  expect_equal(ix$status, t1$fgstatus)
  expect_equal(ix$wt, t1$fgwt, tolerance = 1e-12)

  t2 <- finegray(Surv(time, status) ~ x + id, sv_fdata, etype = "type2")
  ix2 <- cohortsurv:::fg_index(sv_fdata$time, code, 2L, rep(1L, 14))
  expect_equal(sv_fdata$id[ix2$row], t2$id)
  expect_equal(ix2$stop, t2$fgstop)
  expect_equal(ix2$wt, t2$fgwt, tolerance = 1e-12)
})

test_that("finegray: test data 1, fine_gray() equals coxph on finegray()", {
  t1 <- finegray(Surv(time, status) ~ x + id, sv_fdata)
  t2 <- finegray(Surv(time, status) ~ x + id, sv_fdata, etype = "type2")
  for (ties in c("efron", "breslow")) {
    for (robust in c(TRUE, FALSE)) {
      f1 <- fine_gray(Surv(time, status) ~ x, sv_fdata, ties = ties,
                      robust = robust)
      sv_expect_fg(f1, t1, "x", ties, robust)
      f2 <- fine_gray(Surv(time, status) ~ x, sv_fdata, cause = "type2",
                      ties = ties, robust = robust)
      sv_expect_fg(f2, t2, "x", ties, robust)
    }
  }
})

test_that("finegray: the weighted rows reproduce the cumulative incidence", {
  # the script: 1 - KM of the weighted rows is the CIF at the event times;
  # here cif() against survfit's pstate, and against that weighted KM
  s <- survfit(Surv(time, status) ~ 1, sv_fdata)
  cf <- cif(Surv(time, status) ~ 1, sv_fdata)
  for (k in 1:2) {
    st <- c("type1", "type2")[k]
    cv <- cf$curves[cf$curves$state == st, ]
    expect_equal(cv$time, s$time)
    expect_equal(cv$estimate, s$pstate[, k + 1], tolerance = sv_tol_km)
    expect_equal(cv$std_err, s$std.err[, k + 1], tolerance = sv_tol_km)
    fg <- finegray(Surv(time, status) ~ ., sv_fdata, etype = st)
    s1 <- survfit(Surv(fgstart, fgstop, fgstatus) ~ 1, fg, weights = fgwt)
    i1 <- cv$n_event > 0
    expect_equal(cv$estimate[i1], 1 - s1$surv[s1$n.event > 0],
                 tolerance = sv_tol_km)
  }
})

test_that("finegray: strata reprise test data 1 with switched causes", {
  fdata2 <- rbind(sv_fdata, sv_fdata)
  fdata2$group <- rep(1:2, each = nrow(sv_fdata))
  temp <- c(1, 3, 2)[as.numeric(sv_fdata$status)]
  fdata2$status[fdata2$group == 2] <- factor(temp, 1:3,
                                             levels(sv_fdata$status))
  fdata2$id <- seq_len(nrow(fdata2))
  code <- as.integer(fdata2$status) - 1L
  ix <- cohortsurv:::fg_index(fdata2$time, code, 1L, fdata2$group)
  t1 <- finegray(Surv(time, status) ~ ., sv_fdata)
  t2 <- finegray(Surv(time, status) ~ ., sv_fdata, etype = "type2")
  expect_equal(ix$stop, c(t1$fgstop, t2$fgstop))
  expect_equal(ix$wt, c(t1$fgwt, t2$fgwt), tolerance = 1e-12)
  expect_equal(ix$status, c(t1$fgstatus, t2$fgstatus))

  t3 <- finegray(Surv(time, status) ~ . + strata(group), fdata2)
  f3 <- fine_gray(Surv(time, status) ~ x + strata(group), fdata2)
  sv_expect_fg(f3, t3, "x + strata(group)")
})

test_that("finegray: mgus2, weights G(t-)/G(s-) and the fit", {
  d <- mgus2
  d$etime <- with(d, ifelse(pstat == 0, futime, ptime))
  event <- with(d, ifelse(pstat == 0, 2 * death, 1))
  d$e2 <- factor(event, 0:2, c("censor", "pcm", "death"))
  etime <- d$etime
  # the script's censoring KM: an event at x is not at risk of censoring
  # at x
  tt <- sort(unique(etime))
  nrisk <- nevent <- double(length(tt))
  for (i in seq_along(tt)) {
    nrisk[i] <- sum((etime > tt[i] & event > 0) |
                      (etime >= tt[i] & event == 0))
    nevent[i] <- sum(etime == tt[i] & event == 0)
  }
  G <- cumprod(1 - nevent / nrisk)
  ix <- cohortsurv:::fg_index(etime, as.integer(event), 1L,
                              rep(1L, nrow(d)))
  type2 <- event[ix$row] == 2
  expect_true(all(ix$stop[!type2] == etime[ix$row[!type2]]))
  expect_true(all(ix$start[!type2] == 0))
  expect_true(all(ix$wt[!type2] == 1))
  r2 <- ix$row[type2]
  first <- match(r2, r2)
  Gwt <- c(1, G)[match(ix$stop[type2], tt)]
  expect_equal(ix$wt[type2], Gwt / Gwt[first], tolerance = 1e-12)

  fg <- finegray(Surv(etime, e2) ~ sex + age + id, d, etype = "pcm")
  f <- fine_gray(Surv(etime, e2) ~ sex + age, d, cause = "pcm")
  sv_expect_fg(f, fg, "sex + age")
  fg <- finegray(Surv(etime, e2) ~ sex + age + id, d, etype = "death")
  f <- fine_gray(Surv(etime, e2) ~ sex + age, d, cause = "death",
                 ties = "breslow")
  sv_expect_fg(f, fg, "sex + age", ties = "breslow")
})

test_that("finegray: left-truncated data (test data 3 and 4) are refused", {
  fdata <- data.frame(time1 = c(0, 0, 0, 3, 2, 0, 0, 1, 0, 7, 5, 0, 0, 0),
                      time2 = c(1, 2, 3, 4, 4, 4, 5, 5, 6, 8, 8, 9, 10, 12),
                      status = c(1, 2, 0, 1, 0, 0, 2, 1, 0, 0, 2, 0, 1, 0),
                      x = c(5, 4, 3, 1, 2, 1, 1, 2, 2, 4, 6, 1, 2, 0),
                      id = 1:14)
  expect_error(fine_gray(Surv(time1, time2, factor(status, 0:2)) ~ x,
                         fdata), "start, stop", class = "cohortsurv_error")
  expect_error(fine_gray(Surv(time1, time2, factor(status, 0:2)) ~ x,
                         fdata, id = id), class = "cohortsurv_error")
})
