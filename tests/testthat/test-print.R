# Print methods fit an 80-column console and never show misleading text.

test_that("hr_table() prints rounded with an HR (95% CI) column, keeps full precision", {
  f <- cox(Surv(time, status) ~ age + sex + factor(ph.ecog), survival::lung)
  tab <- hr_table(f)
  expect_s3_class(tab, "cs_hr_table")
  expect_equal(tab$hr, unname(exp(coef(f))))
  out <- capture.output(print(tab))
  expect_match(out[1L], "HR (95% CI)", fixed = TRUE)
  expect_true(any(grepl("0.58 (0.42 to 0.81)", out, fixed = TRUE)))
  expect_false(any(grepl("[0-9]\\.[0-9]{6,}", out)))
  expect_true(all(nchar(out) <= 80L))
  out90 <- capture.output(print(hr_table(f, conf_level = 0.9)))
  expect_match(out90[1L], "HR (90% CI)", fixed = TRUE)
})

test_that("the Cox print never writes 'p = <'", {
  expect_identical(cohortsurv:::p_phrase(1e-20, 4), "p < 2.2e-16")
  expect_identical(cohortsurv:::p_phrase(0.0123, 3), "p = 0.0123")
  set.seed(2)
  d <- data.frame(time = c(rexp(400, 1), rexp(400, 40)), status = 1,
                  x = rep(0:1, each = 400))
  out <- capture.output(print(cox(Surv(time, status) ~ x, d)))
  lr <- grep("Likelihood ratio", out, value = TRUE)
  expect_match(lr, "p < 2.2e-16", fixed = TRUE)
  expect_false(grepl("= <", lr, fixed = TRUE))
})

test_that("the log-rank header does not break inside parentheses", {
  expect_identical(cohortsurv:::wrap_words("aaa bbb (c d e) fff", width = 9),
                   c("aaa bbb", "(c d e)", "fff"))
  for (w in c(40, 60, 80)) {
    old <- options(width = w)
    out <- capture.output(print(logrank(Surv(time, status) ~ sex,
                                        survival::lung)))
    options(old)
    expect_true(any(grepl("G(0, 0)", out, fixed = TRUE)))
  }
})

test_that("summary() of a long curve prints its first rows and says how many are left", {
  s <- summary(km(Surv(time, status) ~ sex, survival::lung))
  out <- capture.output(print(s))
  expect_match(out[length(out)], "110 more rows")
  expect_false(any(grepl("^41 ", out)))
  all_rows <- capture.output(print(s, n = Inf))
  expect_true(any(grepl("^150 ", all_rows)))
  expect_false(any(grepl("more rows", all_rows)))
  expect_true(all(nchar(out) <= 80L))
})
