# Every warning and notice of the package is a classed condition, caught by
# class (never by its text).

test_that("cox() with no events warns with class cohortsurv_warning_no_events", {
  d <- data.frame(time = 1:4, status = 0, x = c(1, 2, 3, 5))
  expect_warning(cox(Surv(time, status) ~ x, d),
                 class = "cohortsurv_warning_no_events")
  expect_warning(cox(Surv(time, status) ~ x, d), class = "cohortsurv_warning")
})

test_that("logrank() with no events warns with class cohortsurv_warning_no_events", {
  d <- data.frame(time = 1:6, status = 0, group = rep(c("a", "b"), 3))
  expect_warning(logrank(Surv(time, status) ~ group, d),
                 class = "cohortsurv_warning_no_events")
})

test_that("non-convergence warns with class cohortsurv_warning_convergence", {
  d <- survival::lung[stats::complete.cases(survival::lung[c("age", "sex",
                                                             "ph.ecog")]), ]
  expect_warning(cox(Surv(time, status) ~ age + sex + ph.ecog, d,
                     control = cox_control(iter_max = 2, eps = 1e-15)),
                 class = "cohortsurv_warning_convergence")
})

test_that("an infinite estimate warns with class cohortsurv_warning_monotone", {
  d <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8),
                  status = c(1, 1, 1, 1, 1, 0, 1, 0),
                  x = c(1, 1, 1, 1, 0, 0, 0, 0), z = c(1, 3, 2, 5, 4, 2, 1, 3))
  expect_warning(cox(Surv(time, status) ~ z + x, d),
                 class = "cohortsurv_warning_monotone")
})

test_that("a collinear column is a cohortsurv_message_collinear notice", {
  d <- data.frame(time = c(5, 3, 8, 2, 9, 4, 7, 6),
                  status = c(1, 1, 0, 1, 1, 0, 1, 1),
                  x = c(1, 4, 2, 8, 5, 7, 3, 6))
  d$x2 <- 2 * d$x + 1
  expect_message(f <- cox(Surv(time, status) ~ x + x2, d),
                 class = "cohortsurv_message_collinear")
  expect_message(cox(Surv(time, status) ~ x + x2, d),
                 class = "cohortsurv_message")
  expect_true(is.na(f$coefficients[["x2"]]))
  # the notice is muffled by its class, and nothing else is printed
  expect_silent(withCallingHandlers(
    cox(Surv(time, status) ~ x + x2, d),
    cohortsurv_message_collinear = function(m) invokeRestart("muffleMessage")))
})

test_that("subgroup_hr() turns the classed warnings into notes", {
  d <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8, 2, 4, 6, 8),
                  status = c(1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0),
                  arm = rep(c("a", "b"), c(4, 4))[c(1:8, 1, 5, 2, 6)],
                  s = rep(c("u", "v"), c(8, 4)))
  # within s = "u" arm b has no events: the estimate runs off to infinity
  # and the iteration limit is reached (a cohortsurv_warning_convergence)
  sg <- expect_silent(subgroup_hr(Surv(time, status) ~ arm, data = d,
                                  subgroups = "s"))
  expect_identical(sg$note[sg$level == "u"], "no convergence")
  expect_true(is.na(sg$hr[sg$level == "u"]))
})
