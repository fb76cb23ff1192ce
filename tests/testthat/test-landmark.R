# landmark(): the data set of a landmark analysis.

test_that("landmark keeps the patients at risk and measures time from the landmark", {
  d <- data.frame(t = c(2, 5, 6, 6, 7, 10, NA), s = c(1, 0, 1, 0, 1, 0, 1),
                  g = c("a", "b", "a", "b", "a", "b", "a"))
  lm <- landmark(d, time = "t", status = "s", at = 6)
  expect_equal(lm$t, c(1, 4))
  expect_equal(lm$g, c("a", "b"))
  expect_equal(lm$s, c(1, 0))
  expect_equal(attr(lm, "landmark"), 6)
  expect_equal(attr(lm, "excluded"),
               c(total = 5, events = 2, censored = 2, missing_time = 1))
  # at 0 every positive time stays
  expect_equal(nrow(landmark(d, "t", "s", at = 0)), 6)
  # 1/2 status coding counts the same events
  d2 <- transform(d, s = s + 1)
  expect_equal(attr(landmark(d2, "t", "s", at = 6), "excluded"),
               attr(lm, "excluded"))
  # logical status
  d3 <- transform(d, s = s == 1)
  expect_equal(attr(landmark(d3, "t", "s", at = 6), "excluded"),
               attr(lm, "excluded"))
})

test_that("km, logrank and cox on a landmark data set equal survival on the subset", {
  lm6 <- landmark(dnmbc, time = "os_months", status = "death", at = 6)
  sub <- dnmbc[dnmbc$os_months > 6, ]
  sub$os_months <- sub$os_months - 6
  expect_equal(nrow(lm6), sum(dnmbc$os_months > 6))
  expect_true(all(lm6$os_months > 0))
  fit <- km(Surv(os_months, death) ~ surgery, data = lm6)
  ref <- survfit(Surv(os_months, death) ~ surgery, data = sub)
  expect_close(fit$curves$surv, ref$surv)
  expect_close(fit$curves$time, ref$time)
  lr <- logrank(Surv(os_months, death) ~ surgery, data = lm6)
  lref <- survdiff(Surv(os_months, death) ~ surgery, data = sub)
  expect_close(lr$statistic, lref$chisq)
  cx <- cox(Surv(os_months, death) ~ surgery + strata(met_site), data = lm6)
  cref <- coxph(Surv(os_months, death) ~ surgery + strata(met_site), data = sub)
  expect_close(coef(cx), coef(cref), 1e-8)
  # survival among the landmark patients 12 months after the landmark is
  # the conditional survival S(18) / S(6) of the whole cohort
  all_fit <- km(Surv(os_months, death) ~ surgery, data = dnmbc)
  s_all <- survival_at(all_fit, c(6, 18))
  s_lm <- survival_at(fit, 12)
  expect_close(s_lm$surv, s_all$surv[s_all$time == 18] /
                 s_all$surv[s_all$time == 6], 1e-12)
})

test_that("landmark on survival's data sets", {
  lm <- landmark(lung, "time", "status", at = 180)
  expect_equal(nrow(lm), sum(lung$time > 180))
  expect_equal(attr(lm, "excluded")[["events"]],
               sum(lung$time <= 180 & lung$status == 2))
  fit <- km(Surv(time, status) ~ sex, data = lm)
  ref <- survfit(Surv(time - 180, status) ~ sex,
                 data = lung[lung$time > 180, ])
  expect_close(fit$curves$surv, ref$surv)
  expect_close(fit$curves$std_err, ref$std.err * ref$surv)
  lm_v <- landmark(veteran, "time", "status", at = 30)
  expect_true(all(lm_v$time == veteran$time[veteran$time > 30] - 30))
})

test_that("landmark keeps a tibble a tibble and row order", {
  skip_if_not_installed("tibble")
  tb <- tibble::as_tibble(dnmbc)
  lm <- landmark(tb, "os_months", "death", at = 6)
  expect_s3_class(lm, "tbl_df")
  expect_equal(lm$id, dnmbc$id[dnmbc$os_months > 6])
})

test_that("landmark returns a data frame for a data.table", {
  skip_if_not_installed("data.table")
  dt <- data.table::as.data.table(dnmbc)
  lm <- landmark(dt, "os_months", "death", at = 6)
  expect_equal(nrow(lm), sum(dnmbc$os_months > 6))
  expect_equal(lm$os_months, dnmbc$os_months[dnmbc$os_months > 6] - 6)
})

test_that("bad input to landmark is a cohortsurv_error naming the argument", {
  arg_of <- function(expr) {
    e <- tryCatch(expr, cohortsurv_error = function(e) e)
    expect_s3_class(e, "cohortsurv_error")
    e$arg
  }
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = 128)), "at")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = 500)), "at")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = -1)), "at")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = NA)), "at")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = "6")), "at")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = c(1, 2))),
               "at")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death")), "at")
  expect_equal(arg_of(landmark(dnmbc, "months", "death", at = 6)), "time")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "dead", at = 6)), "status")
  expect_equal(arg_of(landmark(dnmbc, os_months, "death", at = 6)), "time")
  expect_equal(arg_of(landmark(dnmbc, c("os_months", "id"), "death",
                               at = 6)), "time")
  expect_equal(arg_of(landmark(dnmbc, "group", "death", at = 6)), "time")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "group", at = 6)),
               "status")
  expect_equal(arg_of(landmark(as.list(dnmbc), "os_months", "death",
                               at = 6)), "data")
  expect_equal(arg_of(landmark(dnmbc, "os_months", "death", at = 6, 3)),
               "...")
  e <- tryCatch(landmark(dnmbc, "os_months", "death", at = 500),
                cohortsurv_error = function(e) e)
  expect_match(conditionMessage(e), "128", fixed = TRUE)
})
