# predict() of a cox() fit: every type, reference and standard error
# against survival::predict.coxph (survival 3.5.3), the oracle.

fit_both <- function(formula, data, ...) {
  # do.call puts the data into the calls, where predict.coxph finds them
  list(f = do.call(cox, list(formula, data = data, ...)),
       g = do.call(coxph, list(formula, data = data, ...)))
}

expect_pred_equal <- function(a, b, tol = 1e-8) {
  if (is.list(b)) {
    expect_close(unname(as.matrix(a$fit)), unname(as.matrix(b$fit)), tol)
    expect_close(unname(as.matrix(a$se_fit)), unname(as.matrix(b$se.fit)),
                 tol)
  } else {
    expect_close(unname(as.matrix(a)), unname(as.matrix(b)), tol)
  }
}

# every type x reference x se, without and with newdata
check_predict <- function(ff, newdata = NULL, new_ok = TRUE,
                          expected_new_ok = TRUE) {
  f <- ff$f
  g <- ff$g
  for (ref in c("strata", "sample", "zero")) {
    for (ty in c("lp", "risk", "terms")) {
      for (se in c(FALSE, TRUE)) {
        expect_pred_equal(predict(f, type = ty, reference = ref, se_fit = se),
                          predict(g, type = ty, reference = ref, se.fit = se))
        if (!is.null(newdata) && new_ok) {
          expect_pred_equal(
            predict(f, newdata, type = ty, reference = ref, se_fit = se),
            predict(g, newdata, type = ty, reference = ref, se.fit = se))
        }
      }
    }
  }
  for (ty in c("expected", "survival")) {
    expect_pred_equal(predict(f, type = ty), predict(g, type = ty))
    if (!is.null(newdata) && expected_new_ok) {
      expect_pred_equal(predict(f, newdata, type = ty),
                        predict(g, newdata, type = ty))
    }
  }
}

test_that("lung, pbc, veteran: every type, reference and se_fit", {
  lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])
  ff <- fit_both(Surv(time, status) ~ age + sex + factor(ph.ecog), lung2)
  check_predict(ff, newdata = lung2[c(3, 10, 50, 7), ])
  ff <- fit_both(Surv(time, status) ~ age + sex + strata(ph.ecog), lung2,
                 ties = "breslow")
  check_predict(ff, newdata = lung2[c(3, 10, 50, 7), ])
  pbc2 <- subset(pbc, !is.na(trt))
  ff <- fit_both(Surv(time, status == 2) ~ log(bili) + age * edema, pbc2)
  check_predict(ff, newdata = pbc2[1:20, ])
  ff <- fit_both(Surv(time, status) ~ trt + karno + strata(celltype),
                 veteran)
  check_predict(ff, newdata = veteran[c(1, 40, 90, 130), ])
})

test_that("random data with heavy ties: strata, weights, (start, stop]", {
  for (seed in 1:3) {
    d <- random_cox_data(150, seed = seed)
    nd <- d[sample(nrow(d), 12), ]
    check_predict(fit_both(Surv(time, status) ~ z1 + z2 + group +
                             strata(sex), d), nd)
    check_predict(fit_both(Surv(time, status) ~ z1 + z2 + strata(group),
                           d, weights = d$w), nd)
    check_predict(fit_both(Surv(time, status) ~ z1 + sex, d,
                           weights = d$fw, ties = "breslow"), nd)
    dc <- random_cox_data(150, seed = seed, counting = TRUE)
    ndc <- dc[sample(nrow(dc), 12), ]
    check_predict(fit_both(Surv(start, time, status) ~ z1 + z2 +
                             strata(sex), dc), ndc)
    check_predict(fit_both(Surv(start, time, status) ~ z1 + group, dc,
                           weights = dc$w, ties = "breslow"), ndc)
  }
})

test_that("offsets: equal to predict.coxph where it is consistent", {
  d <- random_cox_data(150, seed = 21)
  d$off <- round(runif(nrow(d), -0.5, 0.5), 1)
  ff <- fit_both(Surv(time, status) ~ z1 + z2 + offset(off) + strata(sex),
                 d, weights = d$w)
  # without newdata every type agrees; with newdata predict.coxph's
  # expected adds the offset outside exp() and its lp keeps the mean
  # offset: not copied
  check_predict(ff, newdata = d[1:10, ], new_ok = FALSE,
                expected_new_ok = FALSE)
  f <- ff$f
  # predicting for the fitting rows as new data gives what predict()
  # gives without newdata; expected values use exp(x'b + offset)
  for (ref in c("strata", "sample", "zero")) {
    expect_close(predict(f, d, reference = ref),
                 predict(f, reference = ref), 1e-10)
  }
  nd <- d[1:10, ]
  nd$off <- 0.3
  e1 <- predict(f, nd, type = "expected")
  e0 <- predict(f, transform(nd, off = 0), type = "expected")
  expect_close(e1, e0 * exp(0.3), 1e-10)
})

test_that("expected on (start, stop] new data counts only (start, stop]", {
  d <- random_cox_data(150, seed = 5, counting = TRUE)
  ff <- fit_both(Surv(start, time, status) ~ z1 + strata(group), d)
  nd <- d[1:6, ]
  whole <- transform(nd, start = 0)
  e <- predict(ff$f, nd, type = "expected")
  e_whole <- predict(ff$f, whole, type = "expected")
  e_first <- predict(ff$f, transform(nd, time = start, start = -1),
                     type = "expected")
  expect_close(e, e_whole - e_first, 1e-10)
  expect_close(e, predict(ff$g, nd, type = "expected"), 1e-8)
})

test_that("terms: selection, constant attribute and with na.exclude", {
  lung2 <- lung
  ff <- fit_both(Surv(time, status) ~ age + sex + ph.ecog, lung2,
                 na.action = na.exclude)
  p1 <- predict(ff$f, type = "terms", terms = c("sex", "age"))
  p2 <- predict(ff$g, type = "terms", terms = c("sex", "age"))
  expect_equal(colnames(p1), c("sex", "age"))
  expect_pred_equal(p1, p2)
  expect_equal(nrow(p1), nrow(lung))
  # (napredict drops the attribute of predict.coxph's matrix)
  f2 <- fit_both(Surv(time, status) ~ age + sex + ph.ecog, na.omit(lung2))
  expect_close(attr(predict(f2$f, type = "terms"), "constant"),
               attr(predict(f2$g, type = "terms"), "constant"), 1e-10)
  expect_pred_equal(predict(ff$f, type = "terms", terms = 2),
                    predict(ff$g, type = "terms", terms = 2))
  expect_pred_equal(predict(ff$f, type = "lp", se_fit = TRUE),
                    predict(ff$g, type = "lp", se.fit = TRUE))
  expect_pred_equal(predict(ff$f, type = "expected"),
                    predict(ff$g, type = "expected"))
  expect_error(predict(ff$f, type = "terms", terms = "zz"), "zz",
               class = "cohortsurv_error")
  expect_error(predict(ff$f, type = "terms", terms = 9),
               class = "cohortsurv_error")
})

test_that("bad newdata is refused naming the column and the row", {
  d <- random_cox_data(100, seed = 7)
  f <- cox(Surv(time, status) ~ z1 + group + strata(sex), data = d)
  nd <- d[1:5, ]
  expect_error(predict(f, nd[, setdiff(names(nd), "z1")]), "`z1`",
               class = "cohortsurv_error")
  nd1 <- nd
  nd1$z1[4] <- NA
  expect_error(predict(f, nd1), "`z1`, row 4", class = "cohortsurv_error")
  nd2 <- nd
  nd2$group <- as.character(nd2$group)
  nd2$group[3] <- "q"
  expect_error(predict(f, nd2), "row 3", class = "cohortsurv_error")
  expect_error(predict(f, nd[, setdiff(names(nd), "sex")]), "sex",
               class = "cohortsurv_error")
  expect_error(predict(f, nd[, setdiff(names(nd), "time")],
                       type = "expected"), "time",
               class = "cohortsurv_error")
  expect_error(predict(f, type = "expected", se_fit = TRUE), "se_fit",
               class = "cohortsurv_error")
  expect_error(predict(f, se_fit = NA), class = "cohortsurv_error")
  expect_error(predict(f, collapse = d$w), "collapse",
               class = "cohortsurv_error")
  expect_error(predict(f, type = "mean"), class = "cohortsurv_error")
  # se.fit is predict.coxph's name
  expect_equal(predict(f, se.fit = TRUE), predict(f, se_fit = TRUE))
})

# residuals(weighted =, collapse =) against residuals.coxph ------------------

resid_types <- c("martingale", "deviance", "score", "schoenfeld",
                 "scaledsch", "dfbeta", "dfbetas", "partial")

check_resid <- function(ff, collapse = NULL, tol = 1e-8,
                        schoenfeld_weighted = TRUE) {
  for (ty in resid_types) {
    for (w in c(FALSE, TRUE)) {
      if (!schoenfeld_weighted && w && ty %in% c("schoenfeld", "scaledsch")) {
        next
      }
      # (weighted deviance residuals can be NaN, in both)
      a <- suppressWarnings(residuals(ff$f, type = ty, weighted = w))
      b <- suppressWarnings(residuals(ff$g, type = ty, weighted = w))
      expect_close(unname(as.matrix(a)), unname(as.matrix(b)), tol)
      if (!is.null(collapse) && !ty %in% c("schoenfeld", "scaledsch")) {
        a <- suppressWarnings(residuals(ff$f, type = ty, weighted = w,
                                        collapse = collapse))
        b <- suppressWarnings(residuals(ff$g, type = ty, weighted = w,
                                        collapse = collapse))
        expect_close(unname(as.matrix(a)), unname(as.matrix(b)), tol)
        expect_equal(NROW(a), length(unique(collapse)))
      }
    }
    # the default of `weighted`, by type
    expect_close(unname(as.matrix(residuals(ff$f, type = ty))),
                 unname(as.matrix(residuals(ff$g, type = ty))), tol)
  }
}

test_that("residuals: every type, weighted or not, collapsed, as residuals.coxph", {
  lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog",
                            "inst")])
  ff <- fit_both(Surv(time, status) ~ age + sex + ph.ecog, lung2)
  check_resid(ff, collapse = lung2$inst)
  ff <- fit_both(Surv(time, status) ~ age + strata(sex), lung2,
                 ties = "breslow")
  check_resid(ff, collapse = lung2$inst)
  for (seed in 1:2) {
    d <- random_cox_data(120, seed = seed)
    id <- rep(seq_len(40), 3)
    # weighted Schoenfeld: residuals.coxph takes the weights in data
    # order for events in time order, so compare those only with weights
    # that are equal within each time (none here) and check them below
    check_resid(fit_both(Surv(time, status) ~ z1 + z2 + strata(group), d,
                         weights = d$w), collapse = id,
                schoenfeld_weighted = FALSE)
    dc <- random_cox_data(120, seed = seed, counting = TRUE)
    check_resid(fit_both(Surv(start, time, status) ~ z1 + group, dc,
                         weights = dc$fw, robust = FALSE),
                collapse = id, schoenfeld_weighted = FALSE)
  }
  # with na.exclude: collapse has one value per row of the data
  ff <- fit_both(Surv(time, status) ~ age + ph.ecog, lung,
                 na.action = na.exclude)
  check_resid(ff, collapse = seq_len(nrow(lung)) %/% 5)
})

test_that("weighted Schoenfeld residuals carry the weight of the event's row", {
  d <- random_cox_data(120, seed = 3)
  f <- cox(Surv(time, status) ~ z1 + z2, data = d, weights = w)
  r0 <- residuals(f, type = "schoenfeld")
  r1 <- residuals(f, type = "schoenfeld", weighted = TRUE)
  # the rows' weights in the order of the events (time order, deaths
  # first): from a data set sorted that way, residuals.coxph agrees
  o <- order(d$time, -d$status)
  ds <- d[o, ]
  g <- coxph(Surv(time, status) ~ z1 + z2, data = ds, weights = w)
  expect_close(unname(r1), unname(residuals(g, type = "schoenfeld",
                                            weighted = TRUE)), 1e-8)
  expect_close(unname(residuals(f, type = "scaledsch", weighted = TRUE)),
               unname(residuals(g, type = "scaledsch", weighted = TRUE)),
               1e-8)
  ev <- ds$w[ds$status == 1]
  expect_close(unname(r1), unname(r0 * ev), 1e-12)
})

test_that("residuals refuse a bad collapse or weighted", {
  d <- random_cox_data(60, seed = 1)
  f <- cox(Surv(time, status) ~ z1, data = d)
  expect_error(residuals(f, collapse = 1:3), "collapse",
               class = "cohortsurv_error")
  expect_error(residuals(f, collapse = c(NA, seq_len(59))), "collapse",
               class = "cohortsurv_error")
  expect_error(residuals(f, type = "schoenfeld", collapse = seq_len(60)),
               "collapse", class = "cohortsurv_error")
  expect_error(residuals(f, weighted = "yes"), "weighted",
               class = "cohortsurv_error")
  # dfbeta summed over a subject equals the sum of its rows
  id <- rep(1:20, 3)
  expect_equal(residuals(f, type = "dfbeta", collapse = id),
               rowsum(residuals(f, type = "dfbeta"), id))
})

test_that("an aliased coefficient: predictions, se and residuals as coxph", {
  d <- random_cox_data(150, seed = 8)
  d$z3 <- 2 * d$z1
  ff <- list(
    f = suppressMessages(cox(Surv(time, status) ~ z1 + z3 + z2 + strata(sex),
                             data = d)),
    g = coxph(Surv(time, status) ~ z1 + z3 + z2 + strata(sex), data = d))
  for (ty in c("lp", "risk", "terms")) {
    for (ref in c("strata", "sample", "zero")) {
      expect_pred_equal(predict(ff$f, type = ty, reference = ref,
                                se_fit = TRUE),
                        predict(ff$g, type = ty, reference = ref,
                                se.fit = TRUE))
    }
  }
  expect_pred_equal(predict(ff$f, type = "expected"),
                    predict(ff$g, type = "expected"))
  check_resid(ff)
})
