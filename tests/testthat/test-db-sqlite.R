# km(), logrank() and cox() inside a SQLite database equal the in-memory
# fits on the same rows: 1e-10 for KM and log-rank, 1e-8 for Cox (issue 18).

skip_if_not_installed("DBI")
skip_if_not_installed("RSQLite")

lung_db <- function() {
  d <- survival::lung
  set.seed(11)
  d$w <- sample(1:3, nrow(d), replace = TRUE)
  d
}

test_that("km() on SQLite equals km() in memory on lung and veteran", {
  lung2 <- lung_db()
  vet <- survival::veteran
  vet$celltype <- as.character(vet$celltype)
  con <- db_sqlite(list(lung = lung2, vet = vet))
  on.exit(DBI::dbDisconnect(con))
  tb <- db_table(con, "lung")
  expect_db_unchanged(con, {
    expect_km_equal(km(Surv(time, status) ~ 1, data = tb),
                    km(Surv(time, status) ~ 1, data = lung2))
    expect_km_equal(km(Surv(time, status) ~ sex, data = tb),
                    km(Surv(time, status) ~ sex, data = lung2))
    # NULL rows (ph.ecog) dropped and counted as the NA rows in memory
    expect_km_equal(
      km(Surv(time, status) ~ sex + strata(ph.ecog), data = tb, weights = w,
         conf_type = "log-log", median_ci = "symmetric"),
      km(Surv(time, status) ~ sex + strata(ph.ecog), data = lung2,
         weights = w, conf_type = "log-log", median_ci = "symmetric"))
    expect_km_equal(
      km(Surv(time, status) ~ trt + celltype, data = db_table(con, "vet")),
      km(Surv(time, status) ~ trt + celltype, data = vet))
  })
})

test_that("km() on SQLite equals km() in memory on random data with ties, strata, weights and delayed entry", {
  d <- db_random_cohort(3000, seed = 3)
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tb <- db_table(con, "coh")
  expect_db_unchanged(con, {
    a <- km(Surv(stop, status) ~ grp + strata(site), data = tb, weights = w)
    expect_km_equal(a, km(Surv(stop, status) ~ grp + strata(site), data = d,
                          weights = w))
    # rows transferred: bounded by the distinct (curve, time, status) cells
    expect_lte(max(a$db$rows), n_cells(d, c("grp", "site", "stop", "status")))
    expect_lt(max(a$db$rows), nrow(d) / 4)
    b <- km(Surv(start, stop, status) ~ grp, data = tb, weights = w)
    expect_km_equal(b, km(Surv(start, stop, status) ~ grp, data = d,
                          weights = w))
    expect_lte(max(b$db$rows), max(n_cells(d, c("grp", "stop", "status")),
                                   n_cells(d, c("grp", "start"))))
    expect_km_equal(km(Surv(start, stop, status) ~ strata(site, grp),
                       data = tb),
                    km(Surv(start, stop, status) ~ strata(site, grp),
                       data = d))
  })
  # non-integer times (the sorting kernels rather than the binned ones)
  d2 <- d
  d2$stop <- d2$stop / 7
  d2$start <- d2$start / 7
  DBI::dbWriteTable(con, "coh7", d2)
  expect_km_equal(km(Surv(start, stop, status) ~ grp, data = db_table(con, "coh7")),
                  km(Surv(start, stop, status) ~ grp, data = d2))
  expect_km_equal(km(Surv(stop, status) ~ grp, data = db_table(con, "coh7")),
                  km(Surv(stop, status) ~ grp, data = d2))
})

test_that("a dbplyr table works like db_table(), filters included", {
  skip_if_not_installed("dbplyr")
  skip_if_not_installed("dplyr")
  lung2 <- lung_db()
  con <- db_sqlite(list(lung = lung2))
  on.exit(DBI::dbDisconnect(con))
  tb <- dplyr::filter(dplyr::tbl(con, "lung"), age > 55)
  sub <- lung2[lung2$age > 55, ]
  expect_km_equal(km(Surv(time, status) ~ sex, data = tb),
                  km(Surv(time, status) ~ sex, data = sub))
  expect_logrank_equal(logrank(Surv(time, status) ~ sex, data = tb),
                       logrank(Surv(time, status) ~ sex, data = sub))
  expect_cox_equal(cox(Surv(time, status) ~ age + sex, data = tb),
                   cox(Surv(time, status) ~ age + sex, data = sub))
  q <- db_table(con, query = "SELECT * FROM lung WHERE age > 55")
  expect_km_equal(km(Surv(time, status) ~ sex, data = q),
                  km(Surv(time, status) ~ sex, data = sub))
})

test_that("logrank() on SQLite equals logrank() in memory", {
  lung2 <- lung_db()
  d <- db_random_cohort(2000, seed = 5)
  con <- db_sqlite(list(lung = lung2, coh = d))
  on.exit(DBI::dbDisconnect(con))
  tb <- db_table(con, "lung")
  tc <- db_table(con, "coh")
  expect_db_unchanged(con, {
    expect_logrank_equal(logrank(Surv(time, status) ~ sex, data = tb),
                         logrank(Surv(time, status) ~ sex, data = lung2))
    expect_logrank_equal(
      logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = tb),
      logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = lung2))
    expect_logrank_equal(
      logrank(Surv(time, status) ~ ph.ecog, data = tb, rho = 1, gamma = 0.5,
              trend = TRUE, pairwise = TRUE),
      logrank(Surv(time, status) ~ ph.ecog, data = lung2, rho = 1,
              gamma = 0.5, trend = TRUE, pairwise = TRUE))
    for (test in c("fh", "gehan", "tarone-ware")) {
      a <- logrank(Surv(stop, status) ~ grp + strata(site), data = tc,
                   test = test, pairwise = TRUE)
      expect_logrank_equal(a, logrank(Surv(stop, status) ~ grp + strata(site),
                                      data = d, test = test,
                                      pairwise = TRUE))
      expect_lte(max(a$db$rows), n_cells(d, c("grp", "site", "stop",
                                              "status")))
      expect_logrank_equal(
        logrank(Surv(start, stop, status) ~ grp + strata(site), data = tc,
                test = test),
        logrank(Surv(start, stop, status) ~ grp + strata(site), data = d,
                test = test))
    }
  })
})

test_that("cox() on SQLite equals cox() in memory on lung and veteran", {
  lung2 <- lung_db()
  vet <- survival::veteran
  vet$celltype <- as.character(vet$celltype)  # levels sorted, as in SQL
  con <- db_sqlite(list(lung = lung2, vet = vet))
  on.exit(DBI::dbDisconnect(con))
  tb <- db_table(con, "lung")
  expect_db_unchanged(con, {
    for (ties in c("efron", "breslow")) {
      expect_cox_equal(cox(Surv(time, status) ~ age + sex, data = tb,
                           ties = ties),
                       cox(Surv(time, status) ~ age + sex, data = lung2,
                           ties = ties))
    }
    expect_cox_equal(
      cox(Surv(time, status) ~ age + factor(ph.ecog) + strata(sex),
          data = tb, weights = w),
      cox(Surv(time, status) ~ age + factor(ph.ecog) + strata(sex),
          data = lung2, weights = w))
    expect_cox_equal(
      cox(Surv(time, status) ~ trt + celltype + karno + age,
          data = db_table(con, "vet")),
      cox(Surv(time, status) ~ trt + celltype + karno + age, data = vet))
    expect_cox_equal(cox(Surv(time, status) ~ 1, data = tb),
                     cox(Surv(time, status) ~ 1, data = lung2))
  })
  fit <- cox(Surv(time, status) ~ age + sex, data = tb)
  expect_output(print(fit), "number of events = 165")
  expect_s3_class(summary(fit), "cs_cox_summary")
  expect_s3_class(hr_table(fit), "cs_hr_table")
  expect_error(residuals(fit), "residuals", class = "cohortsurv_error")
  expect_error(predict(fit), "predict", class = "cohortsurv_error")
  expect_error(anova(fit), "anova", class = "cohortsurv_error")
  expect_error(ph_test(fit), "ph_test", class = "cohortsurv_error")
  # hr_report() and forest_plot(): the counts per factor level come from
  # one GROUP BY per factor term, equal to the in-memory report
  f2 <- Surv(time, status) ~ age + factor(ph.ecog) + strata(sex)
  dfit <- cox(f2, data = tb)
  mfit <- cox(f2, data = lung2)
  expect_equal(unclass(hr_report(dfit)), unclass(hr_report(mfit)),
               tolerance = 1e-8)
  expect_identical(dfit$assign, mfit$assign)
  grDevices::pdf(NULL)
  expect_equal(forest_plot(dfit)$n, forest_plot(mfit)$n)
  grDevices::dev.off()
  expect_error(baseline_hazard(fit), class = "cohortsurv_error")
})

test_that("cox() on SQLite equals cox() in memory on random data with ties, strata, weights, offsets and delayed entry", {
  d <- db_random_cohort(3000, seed = 7)
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tc <- db_table(con, "coh")
  f1 <- Surv(stop, status) ~ x1 + x2 + grp + offset(off) + strata(site)
  f2 <- Surv(start, stop, status) ~ x1 + x2 + grp + strata(site)
  f3 <- Surv(start, stop, status) ~ x1 + factor(site) + offset(off)
  expect_db_unchanged(con, {
    for (ties in c("efron", "breslow")) {
      a <- cox(f1, data = tc, weights = w, ties = ties)
      expect_cox_equal(a, cox(f1, data = d, weights = w, ties = ties))
      # per query at most the distinct (stratum, time) cells
      expect_lte(max(a$db$rows), n_cells(d, c("site", "stop")))
      b <- cox(f2, data = tc, ties = ties)
      expect_cox_equal(b, cox(f2, data = d, ties = ties))
      expect_lte(max(b$db$rows), max(n_cells(d, c("site", "stop")),
                                     n_cells(d, c("site", "start"))))
      expect_cox_equal(cox(f3, data = tc, weights = w, ties = ties),
                       cox(f3, data = d, weights = w, ties = ties))
    }
    # a large linear predictor: exp() is shifted as in memory
    expect_cox_equal(cox(f1, data = tc, init = c(30, -30, 20, 10),
                         control = cox_control(iter_max = 0)),
                     cox(f1, data = d, init = c(30, -30, 20, 10),
                         control = cox_control(iter_max = 0)))
  })
})

test_that("zero weights are kept by km() and dropped by cox(), as in memory", {
  d <- db_random_cohort(500, seed = 9)
  d$w[1:40] <- 0
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tc <- db_table(con, "coh")
  expect_km_equal(km(Surv(stop, status) ~ grp, data = tc, weights = w),
                  km(Surv(stop, status) ~ grp, data = d, weights = w))
  expect_cox_equal(cox(Surv(stop, status) ~ x1 + grp, data = tc, weights = w),
                   cox(Surv(stop, status) ~ x1 + grp, data = d, weights = w))
})

test_that("a KM fit from the database plots and summarises as in memory", {
  lung2 <- lung_db()
  con <- db_sqlite(list(lung = lung2))
  on.exit(DBI::dbDisconnect(con))
  a <- km(Surv(time, status) ~ sex, data = db_table(con, "lung"))
  b <- km(Surv(time, status) ~ sex, data = lung2)
  sa <- summary(a, times = c(0, 180, 365))
  sb <- summary(b, times = c(0, 180, 365))
  for (nm in setdiff(names(sb), "strata")) expect_close(sa[[nm]], sb[[nm]])
  expect_output(print(a), "sex=2")
  png(tf <- tempfile(fileext = ".png"))
  on.exit(unlink(tf), add = TRUE)
  expect_no_error(plot(a))
  dev.off()
})

test_that("nearly equal times are merged as in memory (timefix)", {
  d <- db_random_cohort(800, seed = 13)
  d$stop <- d$stop + ifelse(seq_len(nrow(d)) %% 3 == 0, 1e-10, 0)
  d$start <- d$start + ifelse(seq_len(nrow(d)) %% 5 == 0, 1e-10, 0)
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tc <- db_table(con, "coh")
  for (tf in c(TRUE, FALSE)) {
    expect_km_equal(km(Surv(stop, status) ~ grp, data = tc, timefix = tf),
                    km(Surv(stop, status) ~ grp, data = d, timefix = tf))
    expect_km_equal(km(Surv(start, stop, status) ~ grp, data = tc,
                       timefix = tf),
                    km(Surv(start, stop, status) ~ grp, data = d,
                       timefix = tf))
    expect_logrank_equal(
      logrank(Surv(start, stop, status) ~ grp, data = tc, timefix = tf),
      logrank(Surv(start, stop, status) ~ grp, data = d, timefix = tf))
    expect_cox_equal(
      cox(Surv(start, stop, status) ~ x1 + grp, data = tc, timefix = tf),
      cox(Surv(start, stop, status) ~ x1 + grp, data = d, timefix = tf))
  }
})

test_that("predict() with newdata on a database Cox fit equals the in-memory one", {
  d <- survival::lung
  d$g <- ifelse(d$age > 60, "old", "young")
  d$off <- round(d$age / 100, 2)
  con <- db_sqlite(list(lung = d))
  on.exit(DBI::dbDisconnect(con))
  nd <- d[c(1, 5, 9, 20, 40), ]
  for (f in list(Surv(time, status) ~ age + g + factor(ph.ecog) + strata(sex),
                 Surv(time, status) ~ age + g + offset(off))) {
    a <- cox(f, data = db_table(con, "lung"))
    b <- cox(f, data = d)
    for (ref in c("strata", "sample", "zero")) {
      expect_close(predict(a, nd, reference = ref, type = "risk"),
                   predict(b, nd, reference = ref, type = "risk"), 1e-8)
      pa <- predict(a, nd, reference = ref, se_fit = TRUE)
      pb <- predict(b, nd, reference = ref, se_fit = TRUE)
      expect_close(pa$fit, pb$fit, 1e-8)
      expect_close(pa$se_fit, pb$se_fit, 1e-8)
    }
    for (ty in c("expected", "survival", "terms")) {
      expect_error(predict(a, nd, type = ty), class = "cohortsurv_error",
                   regexp = "inside a database")
    }
    expect_error(cox_curves(a), class = "cohortsurv_error",
                 regexp = "cox_curves\\(\\) needs the rows")
    expect_error(adjusted_curves(a, "g", d), class = "cohortsurv_error",
                 regexp = "adjusted_curves\\(\\) needs the rows")
    expect_error(concordance(a), class = "cohortsurv_error",
                 regexp = "concordance\\(\\) needs the rows")
    expect_identical(names(augment(a, newdata = nd)),
                     c(names(nd), ".fitted", ".se.fit"))
  }
})

test_that("fractional weights with delayed entry: model-based variances equal the in-memory ones", {
  d <- db_random_cohort(1500, seed = 17)
  d$w <- round(stats::runif(nrow(d), 0.2, 3), 3)
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tc <- db_table(con, "coh")
  expect_km_equal(km(Surv(start, stop, status) ~ grp + strata(site), data = tc,
                     weights = w, robust = FALSE),
                  km(Surv(start, stop, status) ~ grp + strata(site), data = d,
                     weights = w, robust = FALSE))
  expect_cox_equal(cox(Surv(start, stop, status) ~ x1 + grp, data = tc,
                       weights = w, robust = FALSE),
                   cox(Surv(start, stop, status) ~ x1 + grp, data = d,
                       weights = w, robust = FALSE))
})

test_that("several strata() variables and terms combine as in memory", {
  d <- db_random_cohort(1500, seed = 19)
  d$sex <- sample(c("f", "m"), nrow(d), replace = TRUE)
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tc <- db_table(con, "coh")
  expect_cox_equal(cox(Surv(stop, status) ~ x1 + strata(site, sex), data = tc),
                   cox(Surv(stop, status) ~ x1 + strata(site, sex), data = d))
  expect_cox_equal(
    cox(Surv(start, stop, status) ~ x1 + strata(site) + strata(sex),
        data = tc),
    cox(Surv(start, stop, status) ~ x1 + strata(site) + strata(sex),
        data = d))
  expect_logrank_equal(
    logrank(Surv(stop, status) ~ grp + strata(site) + strata(sex), data = tc),
    logrank(Surv(stop, status) ~ grp + strata(site) + strata(sex), data = d))
  expect_km_equal(km(Surv(stop, status) ~ grp + strata(site) + sex, data = tc),
                  km(Surv(stop, status) ~ grp + strata(site) + sex, data = d))
})

test_that("cox()'s robust variance on a database table equals the in-memory one", {
  l2 <- survival::lung
  set.seed(3)
  l2$fw <- round(stats::runif(nrow(l2), 0.3, 2), 2)
  d <- db_random_cohort(2000, seed = 31)
  d$fw <- round(stats::runif(nrow(d), 0.3, 2), 2)
  con <- db_sqlite(list(lung = l2, coh = d))
  on.exit(DBI::dbDisconnect(con))
  f <- Surv(stop, status) ~ x1 + x2 + grp + offset(off) + strata(site)
  expect_db_unchanged(con, {
    for (ties in c("efron", "breslow")) {
      a <- cox(Surv(time, status) ~ age + sex, data = db_table(con, "lung"),
               robust = TRUE, ties = ties)
      b <- cox(Surv(time, status) ~ age + sex, data = l2, robust = TRUE,
               ties = ties)
      expect_cox_equal(a, b)
      expect_true(a$robust)
      expect_close(a$naive_var, b$naive_var, 1e-8)
      expect_close(a$robust_score_test$statistic,
                   b$robust_score_test$statistic, 1e-8)
      # fractional weights make the robust variance the default, as coxph
      a <- cox(f, data = db_table(con, "coh"), weights = fw, ties = ties)
      b <- cox(f, data = d, weights = fw, ties = ties)
      expect_cox_equal(a, b)
      expect_true(a$robust)
      expect_close(a$robust_score_test$statistic,
                   b$robust_score_test$statistic, 1e-8)
      expect_lte(max(a$db$rows), n_cells(d, c("site", "stop", "status")))
    }
  })
  expect_output(print(a), "robust se")
})

test_that("cox() on SQLite takes coxph's steps, step halving included, as in memory", {
  d <- halving_data()
  n <- nrow(d)
  # offsets spanning 500 (right-censored): the first step is pulled back
  # twice; spanning 100 ((start, stop] data): plain Newton steps
  d$off <- seq(-250, 250, length.out = n)
  d$off2 <- seq(-50, 50, length.out = n)
  con <- db_sqlite(list(coh = d))
  on.exit(DBI::dbDisconnect(con))
  tc <- db_table(con, "coh")
  f1 <- Surv(time, status) ~ x + z + strata(s) + offset(off)
  f2 <- Surv(t0, time, status) ~ x + z + strata(s) + offset(off2)
  for (k in c(1L, 3L, 5L, 9L, 20L)) {
    ctl <- cox_control(iter_max = k)
    expect_cox_equal(suppressWarnings(cox(f1, data = tc, weights = w,
                                          control = ctl)),
                     suppressWarnings(cox(f1, data = d, weights = w,
                                          control = ctl)))
    expect_cox_equal(suppressWarnings(cox(f2, data = tc, control = ctl)),
                     suppressWarnings(cox(f2, data = d, control = ctl)))
  }
})
