# time_split() tests ported from survival's tests/survSplit.R: the rows the
# script lists by hand, survSplit() (the oracle) row for row, and the
# script's independent check, pyears() tables of events and follow-up.
# survSplit's `id` argument and Surv2() timeline data are refused by name.

test_that("survSplit: veteran at 90 and 180 days, rows by hand", {
  v <- time_split(veteran, cut = c(90, 180), episode = "tgroup",
                  formula = Surv(time, status) ~ .)
  expect_equal(v$tstart[1:7], c(0, 0, 90, 180, 0, 90, 180))
  # the script lists 288 as the last end time, but veteran's third subject
  # has time 228 and its check is vacuous (it tests vet2$tstop, a column
  # survSplit does not make here, so all(NULL == ...) is TRUE): 228 is right
  expect_equal(veteran$time[3], 228)
  expect_equal(v$time[1:7], c(72, 90, 180, 411, 90, 180, 228))
  expect_equal(v$status[1:7], c(1, 0, 0, 1, 0, 0, 1))
  expect_equal(v$tgroup[1:7], c(1, 1, 2, 3, 1, 2, 3))
  expect_equal(nrow(v), nrow(veteran) + sum(veteran$time > 90) +
                 sum(veteran$time > 180))
  expect_equal(v, survSplit(Surv(time, status) ~ ., data = veteran,
                            cut = c(90, 180), episode = "tgroup"))
  # the column-name interface gives the same rows
  expect_equal(time_split(veteran, cut = c(90, 180), end = "time",
                          event = "status", episode = "tgroup"), v)
  # survSplit's (unsupported) id = is refused, by name
  expect_error(time_split(veteran, cut = c(90, 180), id = "id",
                          formula = Surv(time, status) ~ .),
               "id", class = "cohortsurv_error")
})

test_that("survSplit: jasa by year of entry and time on study, as pyears", {
  data1 <- jasa
  data1$ayear <- as.numeric(substring(as.character(jasa$accept.dt), 1, 4))
  temp <- round(c(0, .25, 1, 2, 5) * 365.25)
  ftime <- tcut(rep(0, nrow(jasa)), temp,
                labels = paste(c(0, .25, 1:2), c(.25, 1, 2, 5), sep = "-"))
  pfit <- pyears(Surv(futime + 1, fustat) ~ ayear + ftime, data1, scale = 1)
  data2 <- time_split(data1, cut = temp, episode = "tgroup",
                      formula = Surv(futime + 1, fustat) ~ .)
  expect_equal(data2, survSplit(Surv(futime + 1, fustat) ~ ., cut = temp,
                                data = data1, episode = "tgroup"))
  tab1 <- with(data2, tapply(fustat, list(ayear, tgroup), sum))
  tab1 <- ifelse(is.na(tab1), 0, tab1)
  expect_equal(as.vector(tab1), as.vector(pfit$event))
  tab2 <- with(data2, tapply(tstop - tstart, list(ayear, tgroup), sum))
  tab2 <- ifelse(is.na(tab2), 0, tab2)
  expect_equal(as.vector(tab2), as.vector(pfit$pyears))
  # a Cox model of the split data equals that of the unsplit data
  f1 <- cox(Surv(futime + 1, fustat) ~ age + surgery, data1)
  f2 <- cox(Surv(tstart, tstop, fustat) ~ age + surgery, data2)
  expect_equal(f2$coefficients, f1$coefficients, tolerance = sv_tol_cox)
  expect_equal(f2$var, f1$var, tolerance = sv_tol_cox)
  expect_equal(f2$loglik, f1$loglik, tolerance = sv_tol_cox)
})

test_that("survSplit: ties between the data and the cut points", {
  tdata <- data.frame(id = c(1, 1, 1, 1),
                      t1 = c(0, 1.2, 2.8, 4.0),
                      t2 = c(1.2, 2.8, 4.0, 5.9),
                      status = c(0, 0, 0, 0))
  new <- time_split(tdata, cut = c(1, 4),
                    formula = Surv(t1, t2, status) ~ .)
  expect_true(all(!duplicated(round(new$t1, 5))))
  expect_equal(new$t1, c(0, 1, 1.2, 2.8, 4))
  expect_equal(new$t2, c(1, 1.2, 2.8, 4, 5.9))
  expect_equal(new, survSplit(Surv(t1, t2, status) ~ ., data = tdata,
                              cut = c(1, 4)))
})

test_that("survSplit: Surv2() timeline data are refused", {
  tdata <- data.frame(id = c(1, 2, 2, 2, 3, 3, 3, 4, 4),
                      time = c(5, 3, 8, 11, 0, 5, 9, 2, 7),
                      state = factor(c(2, 2, 1, 3, 3, 1, 2, 2, 3), 1:3,
                                     c("none", "A", "B")),
                      x = 1:9, y = 10:2)
  expect_error(time_split(tdata, cut = c(2, 6, 9),
                          formula = Surv2(time, state) ~ .),
               "Surv\\(\\)", class = "cohortsurv_error")
})
