# hr_report(): the journal table of a Cox model.

hr_fit <- function() {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("Male", "Female")),
                 ecog = factor(ph.ecog))
  cox(Surv(time, status) ~ age + sex + ecog, data = d)
}

test_that("hr_report() has reference rows, formatted HRs and P values", {
  fit <- hr_fit()
  r <- hr_report(fit, labels = c(sex = "Sex", ecog = "ECOG"))
  expect_s3_class(r, "cs_hr_report")
  expect_identical(r$level, c(NA, "Male", "Female", "0", "1", "2", "3"))
  expect_identical(r$variable, c("age", "Sex", "Sex", rep("ECOG", 4)))
  expect_identical(r$reference, c(FALSE, TRUE, FALSE, TRUE, FALSE, FALSE,
                                  FALSE))
  expect_identical(r$hr_ci[c(2, 4)], c("Reference", "Reference"))
  expect_equal(r$hr[c(2, 4)], c(1, 1))
  h <- hr_table(fit)
  expect_equal(r$hr[!r$reference], h$hr)
  expect_identical(r$hr_ci[3], format_hr(h$hr[2], h$lower[2], h$upper[2]))
  expect_identical(r$hr_ci[3], "0.58 (0.42 to 0.81)")
  expect_identical(r$p[3], ".0012")
  expect_identical(r$p[6], "< .0001")
  # counts per level among the patients of the fit
  expect_equal(sum(r$n[r$variable == "Sex"]), fit$n)
  expect_equal(r$n[r$variable == "ECOG"], c(63, 113, 50, 1))
  expect_equal(sum(r$events[r$variable == "ECOG"]), fit$n_event)
  out <- capture.output(print(r))
  expect_true(all(nchar(out) <= 80))
  expect_false(any(grepl("[0-9]{5,}", out)))
  expect_true(any(grepl("Female +90 \\(53\\) +0.58 \\(0.42 to 0.81\\) +.0012",
                        out)))
  expect_identical(hr_report(fit, conf_level = 0.9)$lower[3],
                   hr_table(fit, conf_level = 0.9)$lower[2])
})

test_that("hr_report() in every format, and NE rows with a footnote", {
  fit <- hr_fit()
  r <- hr_report(fit)
  md <- format_table(r)
  expect_match(md, "| &nbsp;&nbsp;&nbsp;&nbsp;Male | 137 (111) | Reference |  |",
               fixed = TRUE)
  expect_match(format_table(r, "html"), "<td>Reference</td>", fixed = TRUE)
  expect_match(format_table(r, "latex"), "\\textbf{sex}", fixed = TRUE)
  back <- read.csv(text = format_table(r, "csv"), check.names = FALSE)
  expect_identical(back[["HR (95% CI)"]][3], "0.58 (0.42 to 0.81)")
  skip_if_not_installed("flextable")
  f <- tempfile(fileext = ".docx")
  expect_identical(format_table(r, "docx", file = f), f)
  expect_gt(file.size(f), 5000)
  # an aliased level: NE with its footnote letter
  d <- data.frame(time = c(5, 8, 3, 12, 7, 9, 4, 6), status = c(1, 1, 0, 1, 1, 0, 1, 1),
                  g = factor(c("a", "b", "a", "b", "a", "b", "a", "b"),
                             levels = c("a", "b", "c")))
  d$x <- as.numeric(d$g == "b")
  fit2 <- suppressMessages(suppressWarnings(
    cox(Surv(time, status) ~ g + x, data = d)))
  r2 <- hr_report(fit2)
  expect_true(any(r2$hr_ci == "NE"))
  expect_match(format_table(r2), "^a^", fixed = TRUE)
  expect_match(format_table(r2), "a Not estimable", fixed = TRUE)
})

test_that("hr_report() errors name the argument", {
  fit <- hr_fit()
  expect_arg_error(hr_report(lm(1 ~ 1)), "`fit`", "fit")
  expect_arg_error(hr_report(fit, labels = c(nope = "x")), "`labels`",
                   "labels")
  expect_arg_error(hr_report(fit, digits = -1), "`digits`", "digits")
  expect_arg_error(hr_report(fit, conf_level = 2), "`conf_level`",
                   "conf_level")
  expect_arg_error(format_table(hr_report(fit), "docx"), "`file`", "file")
})

test_that("hr_report(): interaction terms are named by their coefficient", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("Male", "Female")))
  fit <- cox(Surv(time, status) ~ age * sex, data = d)
  r <- hr_report(fit)
  expect_identical(r$variable, c("age", "sex", "sex", "age:sexFemale"))
  expect_identical(hr_report(fit, labels = c("age:sex" = "Age x female"))$variable[4],
                   "Age x female")
})
