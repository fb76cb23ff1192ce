# residuals(collapse = , weighted = ) and scaled Schoenfeld residuals,
# ported from survival's tests/counting.R (collapse by subject), zph.R
# (scaled Schoenfeld residuals of data set 1, whose coefficient is known in
# closed form) and doweight.R (weights against replicated rows), against
# residuals.coxph (the oracle) and the hand-computed values of the scripts.
# test-survival-resid.R ports the other residual scripts with rowsum().

sv_test1b <- data.frame(
  start = c(0, 3, 0, 0, 5, 0, 6, 14, 0, 0, 10, 20, 30, 0),
  stop = c(3, 10, 10, 5, 20, 6, 14, 20, 30, 10, 20, 30, 40, 10),
  status = c(0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0),
  x = c(1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, NA),
  id = c(3, 3, 4, 5, 5, 6, 6, 6, 7, 1, 1, 1, 1, 2))

test_that("counting: collapse by subject gives the residuals of data set 1", {
  ctl0 <- cox_control(iter_max = 0)
  f0 <- cox(Surv(time, status) ~ x, sv_test1, control = ctl0,
            na.action = na.exclude)
  f <- cox(Surv(time, status) ~ x, sv_test1, na.action = na.exclude)
  f0b <- cox(Surv(start, stop, status) ~ x, sv_test1b, control = ctl0,
             na.action = na.exclude)
  fb <- cox(Surv(start, stop, status) ~ x, sv_test1b, na.action = na.exclude)
  sv_test1b$off <- unname(f$coefficients) * sv_test1b$x
  d1 <- sv_test1
  d1$off <- unname(f$coefficients) * d1$x
  fc <- cox(Surv(time, status) ~ offset(off), d1, na.action = na.exclude)
  fd <- cox(Surv(start, stop, status) ~ offset(off), sv_test1b,
            na.action = na.exclude)
  gb <- coxph(Surv(start, stop, status) ~ x, sv_test1b, na.action = na.exclude)
  id <- sv_test1b$id
  # subject 2 (the missing x) is NA in both: drop it to compare
  ok <- !is.na(residuals(f))
  expect_equal(unname(residuals(f0b, collapse = id)[ok]),
               unname(residuals(f0)[ok]), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(fb, collapse = id)[ok]),
               unname(residuals(f)[ok]), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(fd, collapse = id)),
               unname(residuals(fc)), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(fc)[ok]), unname(residuals(f)[ok]),
               tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f0b, "score", collapse = id)[ok, ]),
               unname(residuals(f0, "score")[ok, ]), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(fb, "score", collapse = id)[ok, ]),
               unname(residuals(f, "score")[ok, ]), tolerance = sv_tol_cox)
  # against residuals.coxph(collapse = ) itself, every type it collapses
  for (type in c("martingale", "deviance", "score", "dfbeta", "dfbetas")) {
    expect_equal(unname(residuals(fb, type, collapse = id)),
                 unname(residuals(gb, type, collapse = id)),
                 tolerance = sv_tol_cox, ignore_attr = TRUE)
  }
  # residuals.coxph ignores collapse for Schoenfeld residuals (one row per
  # event); residuals() refuses it by name
  expect_error(residuals(fb, "schoenfeld", collapse = id), "collapse",
               class = "cohortsurv_error")
  expect_equal(unname(residuals(fb, "schoenfeld")[, 1]),
               unname(residuals(gb, "schoenfeld", collapse = id)),
               tolerance = sv_tol_cox)
})

test_that("zph: scaled Schoenfeld residuals of data set 1", {
  r <- (3 + sqrt(33)) / 2          # the Breslow MLE of exp(beta)
  f1 <- cox(Surv(time, status) ~ x, sv_test1, ties = "breslow")
  expect_equal(unname(f1$coefficients), log(r), tolerance = sv_tol_cox)
  g1 <- coxph(Surv(time, status) ~ x, sv_test1, ties = "breslow")
  z1 <- cox.zph(g1, transform = "identity", global = FALSE)
  expect_equal(unname(as.vector(residuals(f1, "scaledsch"))),
               unname(as.vector(z1$y)), tolerance = sv_tol_cox)
  expect_equal(unname(residuals(f1, "scaledsch")),
               unname(residuals(g1, "scaledsch")), tolerance = sv_tol_cox,
               ignore_attr = TRUE)
  # by hand: the Schoenfeld residuals (x minus the risk-set mean at the
  # deaths 1, 6, 6, 9) times the variance times the 4 deaths, plus beta
  scho <- c(1 / (r + 1), 1 - r / (3 + r), -r / (3 + r), 0)
  imat <- r / (r + 1)^2 + 6 * r / (r + 3)^2
  expect_equal(unname(as.vector(residuals(f1, "scaledsch"))),
               scho / imat * 4 + log(r), tolerance = sv_tol_cox)
  # counting-process form: the same residuals (survival's zph puts the
  # tied pair in reverse order, residuals() keeps them in time order)
  sv <- sv_test1
  sv$dummy <- 0
  f1b <- cox(Surv(dummy, time, status) ~ x, sv, ties = "breslow")
  expect_equal(unname(as.vector(residuals(f1b, "scaledsch"))),
               unname(as.vector(residuals(f1, "scaledsch"))),
               tolerance = sv_tol_cox)

  phi <- acos((45 / 23) * sqrt(3 / 23))
  r <- 2 * sqrt(23 / 3) * cos(phi / 3)   # the Efron MLE
  f4 <- cox(Surv(time, status) ~ x, sv_test1)
  g4 <- coxph(Surv(time, status) ~ x, sv_test1)
  expect_equal(unname(f4$coefficients), log(r), tolerance = sv_tol_cox)
  z4 <- cox.zph(g4, transform = "log", global = FALSE)
  expect_equal(unname(as.vector(residuals(f4, "scaledsch"))),
               unname(as.vector(z4$y)), tolerance = sv_tol_cox)
})

test_that("doweight: weighted residuals equal replicated rows", {
  # Breslow ties, as the script: Efron's approximation of a weighted tie
  # is not that of replicated rows
  f <- cox(Surv(time, status) ~ x, sv_testw1, weights = wt, ties = "breslow")
  fb <- cox(Surv(time, status) ~ x, sv_testw2, ties = "breslow")
  g <- coxph(Surv(time, status) ~ x, sv_testw1, weights = wt,
             ties = "breslow")
  idx <- match(sv_testw1$id, sv_testw2$id)
  expect_equal(unname(residuals(f)), unname(residuals(fb)[idx]),
               tolerance = sv_tol_cox)
  expect_equal(unname(as.vector(residuals(f, "score"))),
               unname(as.vector(residuals(fb, "score")[idx, ])),
               tolerance = sv_tol_cox)
  # weighted = TRUE: the sum over a row's copies
  for (type in c("martingale", "score", "dfbeta")) {
    expect_equal(unname(as.vector(residuals(f, type, weighted = TRUE))),
                 unname(as.vector(rowsum(as.matrix(residuals(fb, type)),
                                         sv_testw2$id))),
                 tolerance = sv_tol_cox)
    expect_equal(unname(residuals(f, type, weighted = TRUE)),
                 unname(residuals(g, type, weighted = TRUE)),
                 tolerance = sv_tol_cox, ignore_attr = TRUE)
  }
  # and collapse = id on the replicated rows is the weighted residual
  expect_equal(unname(residuals(fb, "martingale", collapse = sv_testw2$id)),
               unname(residuals(f, weighted = TRUE)), tolerance = sv_tol_cox)
  # weighted Schoenfeld residuals: each event's residual times its own
  # weight, against the closed form (T&G appendix E, weighted data). The
  # rows are in time order here, so residuals.coxph agrees; with rows out
  # of time order survival 3.5.3 multiplies by the weights in data order
  # (see ?residuals.cs_cox), which the reversed copy below shows.
  ws <- residuals(f, "schoenfeld", weighted = TRUE)
  bh <- sv_byhand_wb(unname(f$coefficients))
  expect_equal(unname(as.vector(ws)), bh$schoen * c(1, 3, 4, 3, 2),
               tolerance = sv_tol_cox)
  expect_equal(unname(as.vector(residuals(f, "schoenfeld"))), bh$schoen,
               tolerance = sv_tol_cox)
  expect_equal(unname(as.vector(ws)),
               unname(as.vector(residuals(g, "schoenfeld", weighted = TRUE))),
               tolerance = sv_tol_cox)
  rev1 <- sv_testw1[9:1, ]
  fr <- cox(Surv(time, status) ~ x, rev1, weights = wt, ties = "breslow")
  gr <- coxph(Surv(time, status) ~ x, rev1, weights = wt, ties = "breslow")
  wr <- residuals(fr, "schoenfeld", weighted = TRUE)
  expect_equal(sort(unname(as.vector(wr))), sort(bh$schoen * c(1, 3, 4, 3, 2)),
               tolerance = sv_tol_cox)
  expect_false(isTRUE(all.equal(
    unname(as.vector(wr)),
    unname(as.vector(residuals(gr, "schoenfeld", weighted = TRUE))))))
})
