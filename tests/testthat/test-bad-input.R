# Hostile input: every outcome is documented. Either the result equals the
# clean-data answer where R's conventions say so (rows with NA dropped and
# counted), or an error of class `cohortsurv_error` names the argument.

expect_cs_error <- function(expr, pattern) {
  expect_error(expr, pattern, class = "cohortsurv_error")
}

base_data <- function() {
  data.frame(
    time = c(5, 8, 3, 12, 7, 7, 2, 15, 9, 4),
    status = c(1, 0, 1, 1, 0, 1, 1, 0, 1, 1),
    group = factor(c("a", "b", "a", "b", "a", "b", "a", "b", "a", "b")),
    w = c(1, 2, 1, 1, 3, 1, 2, 1, 1, 1)
  )
}

# A property test: `runs` random, partly corrupted cases from make() (a list
# with the data `d` and any drawn options). Each fit(case) either fails with
# a cohortsurv_error, or agree(result, case, ok) checks it against the
# oracle on the complete rows `ok` and returns TRUE (FALSE: a case the
# oracle cannot judge). Both outcomes must occur often enough to count.
property_check <- function(runs, seed, make, fit, agree, min_error,
                           min_agree) {
  set.seed(seed)
  outcomes <- character()
  for (i in seq_len(runs)) {
    case <- make()
    res <- tryCatch(fit(case), error = function(e) e)
    if (inherits(res, "error")) {
      expect_s3_class(res, "cohortsurv_error")
      outcomes <- c(outcomes, "error")
    } else if (isTRUE(agree(res, case, stats::complete.cases(case$d)))) {
      outcomes <- c(outcomes, "agree")
    }
  }
  expect_gt(sum(outcomes == "error"), min_error)
  expect_gt(sum(outcomes == "agree"), min_agree)
}

test_that("km(): NA and NaN in time, status, weights and groups drop the row", {
  d <- base_data()
  clean <- km(Surv(time, status) ~ group, d[-c(2, 5), ], weights = w)
  for (col in c("time", "status", "w", "group")) {
    for (bad in list(NA, NaN)) {
      if (col == "group" && is.nan(bad)) next
      dd <- d
      dd[[col]][c(2, 5)] <- bad
      fit <- km(Surv(time, status) ~ group, dd, weights = w)
      expect_equal(fit$curves, clean$curves)
      expect_equal(fit$n_dropped, 2L)
    }
  }
})

test_that("km(): Inf, negative, character and empty input are errors", {
  d <- base_data()
  d$time[4] <- Inf
  expect_cs_error(km(Surv(time, status) ~ 1, d), "`time` must be finite; row 4 is Inf")
  d$time[4] <- -Inf
  expect_cs_error(km(Surv(time, status) ~ 1, d), "must be finite; row 4 is -Inf")
  d <- base_data()
  d$w[3] <- Inf
  expect_cs_error(km(Surv(time, status) ~ 1, d, weights = w),
                  "`weights` must be finite and non-negative; row 3 is Inf")
  d <- base_data()
  d$time <- as.character(d$time)
  expect_cs_error(km(Surv(time, status) ~ 1, d), "must be numeric; it is character")
  expect_cs_error(km(Surv(time, status) ~ 1, base_data()[0, ]), "no rows are left")
  expect_cs_error(km(Surv(time, status) ~ 1, base_data(), subset = time > 1e6),
                  "no rows are left")
  d <- base_data()
  d$time[] <- NA
  expect_cs_error(km(Surv(time, status) ~ 1, d), "no rows are left")
  d <- base_data()
  names(d)[4] <- "group"
  expect_cs_error(km(Surv(time, status) ~ group, d),
                  "more than one column named `group`")
  expect_cs_error(km(Surv(time, status) ~ missing_column, base_data()),
                  "`formula` refers to `missing_column`")
})

test_that("km(): a single row, zero events, unused levels, extreme times", {
  one <- km(Surv(time, status) ~ 1, base_data()[1, ])
  expect_equal(one$curves$surv, 0)
  d <- base_data()
  d$status <- 0
  none <- km(Surv(time, status) ~ group, d)
  expect_true(all(none$curves$surv == 1))
  expect_true(all(is.na(none$table$median)))
  d <- base_data()
  d$group <- factor(d$group, levels = c("z", "a", "b", "y"))
  expect_equal(levels(km(Surv(time, status) ~ group, d)$curves$strata),
               c("group=a", "group=b"))
  d$time <- d$time * 1e300
  big <- km(Surv(time, status) ~ 1, d)
  expect_equal(big$curves$surv, km(Surv(time / 1e300, status) ~ 1, d)$curves$surv)
  d$time <- base_data()$time * 1e-300
  # times this close are one time to survival's timefix (absolute
  # tolerance sqrt(eps)); without it the scale does not matter
  tiny <- km(Surv(time, status) ~ 1, d, timefix = FALSE)
  expect_equal(tiny$curves$surv, km(Surv(time * 1e300, status) ~ 1, d)$curves$surv)
  tiny <- km(Surv(time, status) ~ 1, d)
  expect_equal(tiny$curves$surv, survfit(Surv(time, status) ~ 1, d)$surv)
})

test_that("km(): a tibble gives the data-frame answer", {
  skip_if_not_installed("tibble")
  d <- base_data()
  ref <- km(Surv(time, status) ~ group, d, weights = w)
  tb <- tibble::as_tibble(d)
  expect_equal(km(Surv(time, status) ~ group, tb, weights = w)$curves, ref$curves)
})

test_that("km(): a data.table gives the data-frame answer", {
  skip_if_not_installed("data.table")
  d <- base_data()
  ref <- km(Surv(time, status) ~ group, d, weights = w)
  dt <- data.table::as.data.table(d)
  expect_equal(km(Surv(time, status) ~ group, dt, weights = w)$curves, ref$curves)
})

test_that("km(): property test on 300 random, partly corrupted data sets", {
  property_check(300, 20261127, min_error = 20, min_agree = 150,
    make = function() {
      n <- sample(1:25, 1)
      d <- data.frame(
        time = sample(c(0:8, 2.5), n, replace = TRUE),
        status = sample(0:1, n, replace = TRUE),
        g = sample(c("x", "y", "z"), n, replace = TRUE),
        w = sample(c(0.5, 1, 2, 3), n, replace = TRUE)
      )
      if (runif(1) < 0.3) d$time[sample(n, 1)] <- sample(list(NA, NaN, -1, Inf), 1)[[1]]
      if (runif(1) < 0.2) d$status[sample(n, 1)] <- sample(list(NA, 3, -1), 1)[[1]]
      if (runif(1) < 0.2) d$w[sample(n, 1)] <- sample(list(NA, -2, Inf), 1)[[1]]
      if (runif(1) < 0.1) d$g[sample(n, 1)] <- NA
      list(d = d, ct = sample(c("log", "log-log", "plain", "arcsin"), 1))
    },
    fit = function(case) {
      km(Surv(time, status) ~ g, case$d, weights = w, conf_type = case$ct,
         robust = FALSE)
    },
    agree = function(fit, case, ok) {
      s <- survfit(Surv(time, status) ~ g, case$d[ok, ], weights = w,
                   conf.type = case$ct, robust = FALSE)
      ss <- summary(s, censored = TRUE)
      expect_close(fit$curves$surv, ss$surv)
      expect_close(fit$curves$n_risk, ss$n.risk)
      expect_close(fit$curves$lower, ss$lower)
      expect_equal(fit$n_dropped, sum(!ok))
      TRUE
    })
})

# cox() -----------------------------------------------------------------------

cox_data <- function() {
  d <- lung[!is.na(lung$ph.ecog), c("time", "status", "age", "sex", "ph.ecog", "inst")]
  d$w <- rep(c(1, 2), length.out = nrow(d))
  d$inst[is.na(d$inst)] <- 0
  d
}

test_that("cox(): NA and NaN in time, status, covariates, weights, strata drop the row", {
  d <- cox_data()
  clean <- cox(Surv(time, status) ~ age + sex + strata(ph.ecog), d[-c(4, 9), ],
               weights = w)
  for (col in c("time", "status", "age", "w", "ph.ecog")) {
    for (bad in list(NA, NaN)) {
      dd <- d
      dd[[col]][c(4, 9)] <- bad
      fit <- cox(Surv(time, status) ~ age + sex + strata(ph.ecog), dd, weights = w)
      expect_equal(coef(fit), coef(clean), tolerance = 1e-10)
      expect_equal(vcov(fit), vcov(clean), tolerance = 1e-10)
      expect_equal(fit$n_dropped, 2L)
    }
  }
})

test_that("cox(): Inf, negative, character, empty and missing columns are errors", {
  d <- cox_data()
  d$age[5] <- Inf
  expect_cs_error(cox(Surv(time, status) ~ age, d), "`age` must be finite; row 5 is Inf")
  d <- cox_data()
  d$time[2] <- -1
  expect_cs_error(cox(Surv(time, status) ~ age, d), "`time` must be non-negative; row 2 is -1")
  d <- cox_data()
  d$w[3] <- -1
  expect_cs_error(cox(Surv(time, status) ~ age, d, weights = w),
                  "`weights` must be finite and non-negative; row 3 is -1")
  expect_cs_error(cox(Surv(time, status) ~ age, cox_data()[0, ]), "no rows are left")
  expect_cs_error(cox(Surv(time, status) ~ nothere, cox_data()), "`formula` refers to `nothere`")
  d <- cox_data()
  d$time <- as.character(d$time)
  expect_cs_error(cox(Surv(time, status) ~ age, d), "must be numeric; it is character")
})

test_that("cox(): extreme covariate scales give the rescaled answer", {
  d <- cox_data()
  ref <- cox(Surv(time, status) ~ age + sex, d)
  d$age <- d$age * 1e300
  big <- cox(Surv(time, status) ~ age + sex, d)
  expect_equal(unname(coef(big)[2]), unname(coef(ref)[2]), tolerance = 1e-8)
  expect_equal(unname(coef(big)[1]) * 1e300, unname(coef(ref)[1]), tolerance = 1e-8)
  expect_true(all(is.finite(vcov(big))))
})

test_that("cox(): zero events and a single row give NA coefficients", {
  z <- cox_data()
  z$status <- 0
  expect_warning(r <- cox(Surv(time, status) ~ age, z),
                 class = "cohortsurv_warning_no_events")
  expect_s3_class(r, "cs_cox")
  expect_true(is.na(coef(r)[["age"]]))
  # one row: the covariate is constant within the only risk set
  expect_message(one <- cox(Surv(time, status) ~ age, cox_data()[1, ]),
                 class = "cohortsurv_message_collinear")
  expect_s3_class(one, "cs_cox")
  expect_true(is.na(coef(one)[["age"]]))
})

test_that("cox(): a tibble gives the data-frame answer", {
  skip_if_not_installed("tibble")
  ref <- cox(Surv(time, status) ~ age + sex, cox_data())
  expect_equal(coef(cox(Surv(time, status) ~ age + sex, tibble::as_tibble(cox_data()))),
               coef(ref))
})

test_that("cox(): a data.table gives the data-frame answer", {
  skip_if_not_installed("data.table")
  ref <- cox(Surv(time, status) ~ age + sex, cox_data())
  expect_equal(coef(cox(Surv(time, status) ~ age + sex,
                        data.table::as.data.table(cox_data()))), coef(ref))
})

test_that("cox(): property test on 200 random, partly corrupted data sets", {
  f <- Surv(time, status) ~ x + g + strata(s)
  property_check(200, 7, min_error = 15, min_agree = 100,
    make = function() {
      n <- sample(8:40, 1)
      d <- data.frame(time = sample(1:10, n, TRUE), status = rbinom(n, 1, 0.7),
                      x = rnorm(n), g = factor(sample(c("a", "b"), n, TRUE)),
                      s = sample(1:2, n, TRUE), w = sample(1:3, n, TRUE))
      if (runif(1) < 0.25) d$x[sample(n, 1)] <- sample(list(NA, Inf, NaN), 1)[[1]]
      if (runif(1) < 0.2) d$time[sample(n, 1)] <- sample(list(NA, -1), 1)[[1]]
      if (runif(1) < 0.15) d$w[sample(n, 1)] <- sample(list(NA, -1), 1)[[1]]
      list(d = d, ties = sample(c("efron", "breslow"), 1))
    },
    fit = function(case) {
      # the package's own notices and warnings only, caught by class
      withCallingHandlers(
        cox(f, case$d, weights = w, ties = case$ties),
        cohortsurv_warning = function(w) invokeRestart("muffleWarning"),
        cohortsurv_message = function(m) invokeRestart("muffleMessage"))
    },
    agree = function(fit, case, ok) {
      warned <- FALSE
      ref <- withCallingHandlers(
        coxph(f, case$d[ok, ], weights = w, ties = case$ties),
        warning = function(w) {
          warned <<- TRUE
          invokeRestart("muffleWarning")
        })
      # monotone likelihood: coxph warns that a coefficient may be infinite,
      # and both fits stop at an arbitrary point; nothing to compare
      if (warned || ref$iter >= 20) return(FALSE)
      expect_close(coef(fit), coef(ref), 1e-6)
      expect_close(fit$loglik, ref$loglik, 1e-8)
      TRUE
    })
})

# baseline_table() and subgroup_hr() ----------------------------------------------

test_that("baseline_table(): missing values, empty levels and bad arguments", {
  d <- dnmbc
  d$ki67[1:3] <- NA
  tab <- baseline_table(d, by = "group", vars = c("ki67", "age"))
  expect_s3_class(tab, "cs_table")
  expect_true(any(tab$level == "Missing", na.rm = TRUE))
  dropped <- baseline_table(d, by = "group", vars = "ki67", missing = "drop")
  expect_false(any(dropped$level == "Missing", na.rm = TRUE))
  expect_cs_error(baseline_table(d, by = "nope"), "`by`")
  expect_cs_error(baseline_table(d, by = "group", vars = "nope"), "`vars`")
  expect_cs_error(baseline_table("x", by = "group"), "`data`")
  d$age[5] <- Inf
  expect_cs_error(baseline_table(d, by = "group", vars = "age"),
                  "column \"age\" must be finite numbers or NA; row 5 is Inf")
})

test_that("baseline_table(): a tibble gives the data-frame answer", {
  skip_if_not_installed("tibble")
  expect_equal(baseline_table(tibble::as_tibble(dnmbc), by = "group", vars = "nodal")$p_value,
               baseline_table(dnmbc, by = "group", vars = "nodal")$p_value)
})

test_that("subgroup_hr(): bad arguments are errors naming the argument", {
  expect_cs_error(subgroup_hr(Surv(os_months, death) ~ group, dnmbc, subgroups = "nope"),
                  "`subgroups`")
  expect_cs_error(subgroup_hr(Surv(os_months, death) ~ group, dnmbc,
                              subgroups = "age_group", ties = "exact"), "`ties`")
  d <- dnmbc
  d$os_months[2] <- -5
  expect_cs_error(subgroup_hr(Surv(os_months, death) ~ group, d, subgroups = "age_group"),
                  "non-negative")
  d <- dnmbc
  d$age_group[1:4] <- NA
  r <- subgroup_hr(Surv(os_months, death) ~ group, d, subgroups = "age_group")
  expect_s3_class(r, "data.frame")
})

# logrank() ---------------------------------------------------------------------

test_that("logrank(): NA and NaN drop the row; bad values are errors", {
  d <- base_data()
  d$s <- rep(1:2, 5)
  clean <- logrank(Surv(time, status) ~ group + strata(s), d[-c(2, 5), ])
  for (col in c("time", "status", "group", "s")) {
    for (bad in list(NA, NaN)) {
      if (col == "group" && is.nan(bad)) next
      dd <- d
      dd[[col]][c(2, 5)] <- bad
      fit <- logrank(Surv(time, status) ~ group + strata(s), dd)
      expect_equal(fit$statistic, clean$statistic)
      expect_equal(fit$n_dropped, 2L)
    }
  }
  d$time[4] <- Inf
  expect_cs_error(logrank(Surv(time, status) ~ group, d), "must be finite; row 4 is Inf")
  expect_cs_error(logrank(Surv(time, status) ~ group, base_data()[0, ]), "no rows are left")
  expect_cs_error(logrank(Surv(time, status) ~ nope, base_data()), "`formula` refers to `nope`")
  expect_cs_error(logrank(Surv(time, status) ~ 1, base_data()), "group")
})

test_that("logrank(): a tibble gives the data-frame answer", {
  skip_if_not_installed("tibble")
  expect_equal(logrank(Surv(time, status) ~ group, tibble::as_tibble(base_data()))$statistic,
               logrank(Surv(time, status) ~ group, base_data())$statistic)
})

test_that("logrank(): property test on 200 random, partly corrupted data sets", {
  f <- Surv(time, status) ~ g + strata(s)
  property_check(200, 11, min_error = 20, min_agree = 100,
    make = function() {
      n <- sample(5:40, 1)
      d <- data.frame(time = sample(1:8, n, TRUE), status = rbinom(n, 1, 0.6),
                      g = sample(c("a", "b", "c"), n, TRUE),
                      s = sample(1:3, n, TRUE))
      if (runif(1) < 0.25) d$time[sample(n, 1)] <- sample(list(NA, -1, Inf), 1)[[1]]
      if (runif(1) < 0.2) d$status[sample(n, 1)] <- sample(list(NA, 5), 1)[[1]]
      if (runif(1) < 0.1) d$g[sample(n, 1)] <- NA
      list(d = d, rho = sample(c(0, 1), 1))
    },
    fit = function(case) logrank(f, case$d, rho = case$rho),
    agree = function(fit, case, ok) {
      ref <- tryCatch(survdiff(f, case$d[ok, ], rho = case$rho),
                      error = function(e) NULL)
      if (is.null(ref)) return(FALSE)
      expect_close(fit$statistic, ref$chisq, 1e-10)
      TRUE
    })
})
