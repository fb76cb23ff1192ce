# ph_test(): the Grambsch-Therneau test against survival::cox.zph.

zph_vs <- function(f, g, tr) {
  a <- ph_test(f, transform = tr)
  b <- cox.zph(g, transform = tr)$table
  expect_equal(a$term, rownames(b))
  expect_close(a$statistic, b[, "chisq"], 1e-8)
  expect_equal(a$df, as.integer(b[, "df"]))
  expect_close(a$p_value, b[, "p"], 1e-8)
}

test_that("ph_test() agrees with cox.zph on the survival data sets", {
  lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog",
                            "ph.karno")])
  models <- list(
    list(Surv(time, status) ~ age + sex + ph.karno + strata(ph.ecog), lung2),
    list(Surv(time, status) ~ trt + celltype + karno, veteran),
    list(Surv(start, stop, event) ~ age + year + surgery + transplant, heart)
  )
  for (m in models) {
    for (ties in c("efron", "breslow")) {
      f <- cox(m[[1]], m[[2]], ties = ties)
      g <- coxph(m[[1]], m[[2]], ties = ties)
      for (tr in c("km", "rank", "identity")) zph_vs(f, g, tr)
    }
  }
})

test_that("ph_test() agrees on random data with heavy ties and weights", {
  for (counting in c(FALSE, TRUE)) {
    d <- random_cox_data(300, 21, counting = counting)
    d$w <- as.numeric(d$w)  # cox.zph needs double weights
    fml <- if (counting) Surv(start, time, status) ~ z1 + group + strata(sex)
    else Surv(time, status) ~ z1 + z2 + group + strata(sex)
    for (ties in c("efron", "breslow")) {
      f <- cox(fml, d, weights = w, ties = ties)
      g <- coxph(fml, d, weights = w, ties = ties)
      for (tr in c("km", "rank", "identity")) zph_vs(f, g, tr)
    }
  }
})

test_that("ph_test() skips aliased columns and prints", {
  lung2 <- na.omit(lung[, c("time", "status", "age", "sex")])
  lung2$age2 <- lung2$age * 2
  f <- suppressMessages(cox(Surv(time, status) ~ age + sex + age2, lung2))
  g <- coxph(Surv(time, status) ~ age + sex + age2, lung2)
  zph_vs(f, g, "km")
  expect_output(print(ph_test(f)), "GLOBAL")
})

test_that("ph_test() errors name the argument", {
  lung2 <- na.omit(lung[, c("time", "status", "age")])
  f <- cox(Surv(time, status) ~ age, lung2)
  expect_error(ph_test(f, transform = "log"), "`transform` must be one of",
               class = "cohortsurv_error")
  expect_error(ph_test(list()), "`fit` must be a Cox model",
               class = "cohortsurv_error")
  expect_error(ph_test(cox(Surv(time, status) ~ 1, lung2)),
               "no estimated coefficients", class = "cohortsurv_error")
})

test_that("scaled Schoenfeld residuals equal residuals.coxph and cox.zph()$y", {
  d <- na.omit(survival::lung[, c("time", "status", "age", "sex", "ph.ecog",
                                  "ph.karno")])
  for (fm in list(Surv(time, status) ~ age + sex + ph.ecog,
                  Surv(time, status) ~ age + ph.karno + strata(sex),
                  Surv(time, status) ~ age)) {
    for (ties in c("efron", "breslow")) {
      f <- cox(fm, d, ties = ties)
      g <- coxph(fm, d, ties = ties)
      a <- residuals(f, type = "scaledsch")
      b <- residuals(g, type = "scaledsch")
      expect_close(unname(as.matrix(a)), unname(as.matrix(b)), 1e-8)
      expect_identical(nrow(a), as.integer(f$n_event))
      z <- cox.zph(g, transform = "identity")
      expect_close(unname(as.matrix(a)), unname(as.matrix(z$y)), 1e-8)
    }
  }
  # an aliased column: 0 there, as coxph
  d$age2 <- 2 * d$age
  f <- suppressMessages(cox(Surv(time, status) ~ age + sex + age2, d))
  g <- coxph(Surv(time, status) ~ age + sex + age2, d)
  expect_close(unname(residuals(f, type = "scaledsch")),
               unname(residuals(g, type = "scaledsch")), 1e-8)
})

test_that("plot() of a ph_test() result draws the scaled residuals", {
  f <- cox(Surv(time, status) ~ age + sex, survival::lung)
  for (tr in c("km", "rank", "identity")) {
    z <- ph_test(f, transform = tr)
    zz <- cox.zph(coxph(Surv(time, status) ~ age + sex, survival::lung),
                  transform = tr)
    # the points drawn are cox.zph's: its transformed times and y
    expect_close(attr(z, "event_time"), zz$x, 1e-10)
    expect_close(unname(attr(z, "scaled")), unname(zz$y), 1e-8)
  }
  z <- ph_test(f)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_identical(plot(z), z)
  expect_identical(plot(z, terms = "sex", se = FALSE, resid = FALSE), z)
  expect_error(plot(z, terms = "nope"), "`terms`", class = "cohortsurv_error")
  expect_error(plot(z, df = 0), "`df`", class = "cohortsurv_error")
})
