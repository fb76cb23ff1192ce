# Bad input to a fit inside a database: named cohortsurv_errors, checked in
# SQL, and the database unchanged (issue 18).

skip_if_not_installed("DBI")
skip_if_not_installed("RSQLite")

bad_tables <- function() {
  good <- data.frame(time = c(5, 8, 3, 9, 12, 4), status = c(1, 0, 1, 1, 0, 1),
                     g = c("a", "b", "a", "b", "a", "b"), x = 1:6,
                     w = c(1, 2, 1, 1, 2, 1), stringsAsFactors = FALSE)
  chr <- good
  chr$time <- as.character(chr$time)
  neg <- good
  neg$time[c(2, 5)] <- -1
  codes <- good
  codes$status[3] <- 3
  zero12 <- good
  zero12$status <- c(2, 1, 0, 2, 1, 2)
  nulls <- good
  nulls$time[2] <- NA
  nulls$g[4] <- NA
  allnull <- good
  allnull$time <- NA_real_
  negw <- good
  negw$w[1] <- -2
  fracw <- good
  fracw$w[1] <- 1.5
  cp <- data.frame(start = c(0, 2, 5), stop = c(3, 2, 7), status = c(1, 0, 1),
                   g = c("a", "b", "a"))
  list(good = good, chr = chr, neg = neg, codes = codes, zero12 = zero12,
       nulls = nulls, allnull = allnull, negw = negw, fracw = fracw,
       cp = cp, empty = good[0, ])
}

test_that("bad tables give named cohortsurv_errors and change nothing", {
  tabs <- bad_tables()
  con <- db_sqlite(tabs)
  on.exit(DBI::dbDisconnect(con))
  tb <- function(nm) db_table(con, nm)
  before <- db_snapshot(con)
  for (fun in list(km, cox, logrank)) {
    f <- Surv(time, status) ~ g
    expect_error(fun(Surv(time, status) ~ nope, data = tb("good")),
                 "`nope`, which is not a column", class = "cohortsurv_error")
    expect_error(fun(f, data = tb("chr")), "`time` must be numeric",
                 class = "cohortsurv_error")
    expect_error(fun(f, data = tb("neg")),
                 "non-negative; 2 rows of the table are negative",
                 class = "cohortsurv_error")
    expect_error(fun(f, data = tb("codes")), "`status` must be coded 0/1",
                 class = "cohortsurv_error")
    expect_error(fun(f, data = tb("zero12")), "1/2 is assumed",
                 class = "cohortsurv_error")
    expect_error(fun(f, data = tb("empty")), "empty table",
                 class = "cohortsurv_error")
    expect_error(fun(f, data = tb("allnull")), "no rows are left",
                 class = "cohortsurv_error")
    expect_error(fun(f, data = tb("nulls"), na.action = stats::na.fail),
                 "2 rows with missing", class = "cohortsurv_error")
    expect_error(fun(Surv(start, stop, status) ~ g, data = tb("cp")),
                 "must be greater than `start`", class = "cohortsurv_error")
    expect_error(fun(Surv(time, status == 1) ~ g, data = tb("good")),
                 "not translated to SQL", class = "cohortsurv_error")
    expect_error(fun(Surv(time, status) ~ g, data = tb("good"),
                     subset = x > 2),
                 "`subset` is not supported", class = "cohortsurv_error")
  }
  # NULL rows are dropped and counted, as NA rows in memory
  a <- km(Surv(time, status) ~ g, data = tb("nulls"))
  expect_identical(a$n_dropped,
                   km(Surv(time, status) ~ g, data = tabs$nulls)$n_dropped)
  expect_identical(a$n_dropped, 2L)
  for (fun in list(km, cox)) {
    expect_error(fun(Surv(time, status) ~ g, data = tb("negw"), weights = w),
                 "`weights` must be finite and non-negative",
                 class = "cohortsurv_error")
    expect_error(fun(Surv(time, status) ~ g, data = tb("good"),
                     weights = w * 2),
                 "expression", class = "cohortsurv_error")
    expect_error(fun(Surv(time, status) ~ g, data = tb("good"), cluster = x),
                 "`cluster` is not supported", class = "cohortsurv_error")
  }
  # km's robust variance needs the rows; cox's is an aggregate for
  # right-censored data only
  expect_error(km(Surv(time, status) ~ g, data = tb("fracw"), weights = w),
               "not whole", class = "cohortsurv_error")
  expect_error(km(Surv(time, status) ~ g, data = tb("good"), robust = TRUE),
               "robust", class = "cohortsurv_error")
  cp_ok <- db_table(con, query = "SELECT * FROM cp WHERE stop > start")
  expect_error(cox(Surv(start, stop, status) ~ g, data = cp_ok,
                   robust = TRUE),
               "robust variance", class = "cohortsurv_error")
  # robust = FALSE makes non-whole weights usable (Greenwood / model-based)
  expect_km_equal(km(Surv(time, status) ~ g, data = tb("fracw"), weights = w,
                     robust = FALSE),
                  km(Surv(time, status) ~ g, data = tabs$fracw, weights = w,
                     robust = FALSE))
  expect_cox_equal(cox(Surv(time, status) ~ x, data = tb("fracw"),
                       weights = w, robust = FALSE),
                   cox(Surv(time, status) ~ x, data = tabs$fracw,
                       weights = w, robust = FALSE))
  expect_error(cox(Surv(time, status) ~ x * g, data = tb("good")),
               "interaction", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ log(x), data = tb("good")),
               "not translated to SQL", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ x + g, data = tb("good"),
                   weights = w, robust = FALSE), NA)
  one <- db_table(con, query = "SELECT * FROM good WHERE g = 'a'")
  expect_error(cox(Surv(time, status) ~ x + g, data = one),
               "single level", class = "cohortsurv_error")
  expect_error(km(Surv(time, status) ~ ., data = tb("good")),
               "`.` is not supported", class = "cohortsurv_error")
  expect_error(logrank(Surv(time, status) ~ strata(g), data = tb("good")),
               "no grouping variable", class = "cohortsurv_error")
  expect_error(cox(Surv(time, status) ~ x, data = tb("good"), iter = 3),
               "`iter` is not supported", class = "cohortsurv_error")
  expect_error(km(Surv(time, status) ~ g, data = tb("good"), ctype = 2),
               "ctype = 2", class = "cohortsurv_error")
  expect_error(db_table(con), "either `name`", class = "cohortsurv_error")
  expect_error(db_table(1, "good"), "DBI connection",
               class = "cohortsurv_error")
  expect_identical(db_snapshot(con), before)
  inf <- tabs$good
  inf$time[2] <- Inf
  DBI::dbWriteTable(con, "inf", inf)
  expect_error(km(Surv(time, status) ~ g, data = tb("inf")),
               "1 row of the table is infinite", class = "cohortsurv_error")
})
