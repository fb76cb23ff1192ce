# km(), logrank() and cox() inside PostgreSQL (a throwaway cluster started
# by pg_start() in helper-db.R, on a unix socket in a temporary directory)
# equal the in-memory fits; the database is unchanged (issue 18).

skip_if_not_installed("DBI")
pg <- pg_start()
if (is.character(pg)) {
  skip(paste("no PostgreSQL server could be started:", pg))
}
# stopped by the last test; the finalizer covers an aborted run
pg_guard <- new.env()
reg.finalizer(pg_guard, function(e) try(pg$stop(), silent = TRUE),
              onexit = TRUE)
con <- pg$con

test_that("km and logrank in PostgreSQL equal the in-memory fits (1e-10)", {
  lung2 <- survival::lung
  d <- db_random_cohort(3000, seed = 21)
  DBI::dbWriteTable(con, "lung", lung2)
  DBI::dbWriteTable(con, "coh", d)
  tb <- db_table(con, "lung")
  tc <- db_table(con, "coh")
  expect_db_unchanged(con, {
    expect_km_equal(km(Surv(time, status) ~ sex + strata(ph.ecog), data = tb),
                    km(Surv(time, status) ~ sex + strata(ph.ecog),
                       data = lung2))
    a <- km(Surv(stop, status) ~ grp + strata(site), data = tc, weights = w)
    expect_km_equal(a, km(Surv(stop, status) ~ grp + strata(site), data = d,
                          weights = w))
    expect_lte(max(a$db$rows), n_cells(d, c("grp", "site", "stop", "status")))
    expect_km_equal(km(Surv(start, stop, status) ~ grp, data = tc,
                       weights = w),
                    km(Surv(start, stop, status) ~ grp, data = d,
                       weights = w))
    expect_logrank_equal(
      logrank(Surv(time, status) ~ ph.ecog, data = tb, rho = 1,
              pairwise = TRUE),
      logrank(Surv(time, status) ~ ph.ecog, data = lung2, rho = 1,
              pairwise = TRUE))
    expect_logrank_equal(
      logrank(Surv(start, stop, status) ~ grp + strata(site), data = tc),
      logrank(Surv(start, stop, status) ~ grp + strata(site), data = d))
  })
})

test_that("cox in PostgreSQL equals the in-memory fit (1e-8)", {
  d <- db_random_cohort(3000, seed = 22)
  vet <- survival::veteran
  vet$celltype <- as.character(vet$celltype)
  DBI::dbWriteTable(con, "coh2", d)
  DBI::dbWriteTable(con, "vet", vet)
  tc <- db_table(con, "coh2")
  f1 <- Surv(stop, status) ~ x1 + x2 + grp + offset(off) + strata(site)
  f2 <- Surv(start, stop, status) ~ x1 + grp + factor(site)
  expect_db_unchanged(con, {
    for (ties in c("efron", "breslow")) {
      a <- cox(f1, data = tc, weights = w, ties = ties)
      expect_cox_equal(a, cox(f1, data = d, weights = w, ties = ties))
      expect_lte(max(a$db$rows), n_cells(d, c("site", "stop")))
      expect_cox_equal(cox(f2, data = tc, ties = ties),
                       cox(f2, data = d, ties = ties))
    }
    expect_cox_equal(
      cox(Surv(time, status) ~ trt + celltype + karno,
          data = db_table(con, "vet")),
      cox(Surv(time, status) ~ trt + celltype + karno, data = vet))
    a <- cox(f1, data = tc, robust = TRUE)
    b <- cox(f1, data = d, robust = TRUE)
    expect_cox_equal(a, b)
    expect_close(a$robust_score_test$statistic,
                 b$robust_score_test$statistic, 1e-8)
  })
})

test_that("bad input in PostgreSQL gives the named errors", {
  neg <- data.frame(time = c(1, -2, 3), status = c(1, 0, 3), g = c(1, 2, 1))
  DBI::dbWriteTable(con, "neg", neg)
  DBI::dbWriteTable(con, "empty", neg[0, ])
  expect_db_unchanged(con, {
    expect_error(km(Surv(time, status) ~ g, data = db_table(con, "neg")),
                 "1 row of the table is negative", class = "cohortsurv_error")
    expect_error(cox(Surv(time, status) ~ g, data = db_table(con, "empty")),
                 "empty table", class = "cohortsurv_error")
    expect_error(cox(Surv(time, status) ~ zz, data = db_table(con, "neg")),
                 "`zz`", class = "cohortsurv_error")
  })
})

test_that("the throwaway PostgreSQL cluster stops", {
  pg$stop()
  expect_false(dir.exists(pg$dir))
})
