# format_p() and format_hr() against a table of expected strings.

test_that("format_p() gives the journal style of the seed paper", {
  cases <- data.frame(
    p = c(0.013, 0.0531, 0.053, 0.5, 0.05, 0.0001, 0.00009999, 1e-10, 0,
          0.0012, 0.00012, 0.99, 0.994, 0.996, 1, 0.04999, 0.10, 0.2468),
    expected = c(".013", ".053", ".053", ".50", ".05", ".0001", "< .0001",
                 "< .0001", "< .0001", ".0012", ".00012", ".99", ".99",
                 "> .99", "> .99", ".05", ".10", ".25"),
    stringsAsFactors = FALSE)
  expect_identical(format_p(cases$p), cases$expected)
  expect_identical(format_p(c(0.013, 3e-5, 1, 0.5), prefix = TRUE),
                   c("P = .013", "P < .0001", "P > .99", "P = .50"))
  expect_identical(format_p(c(0.013, 3e-5), leading_zero = TRUE),
                   c("0.013", "< 0.0001"))
  expect_identical(format_p(c(0.0123, 0.00049), digits = 3),
                   c(".0123", ".00049"))
  expect_identical(format_p(0.0004, threshold = 0.001), "< .001")
  expect_identical(format_p(c(NA, 0.2)), c(NA, ".20"))
  expect_identical(format_p(numeric()), character())
})

test_that("format_hr() gives '0.47 (0.33 to 0.69)' and the running-text style", {
  expect_identical(format_hr(0.4712, 0.3301, 0.6921), "0.47 (0.33 to 0.69)")
  expect_identical(format_hr(c(0.47, 2.35, 0.79), c(0.33, 1.65, 0.65),
                             c(0.69, 3.35, 0.95)),
                   c("0.47 (0.33 to 0.69)", "2.35 (1.65 to 3.35)",
                     "0.79 (0.65 to 0.95)"))
  expect_identical(format_hr(0.47, 0.33, 0.69, style = "text"),
                   "HR, 0.47; 95% CI, 0.33 to 0.69")
  expect_identical(format_hr(0.47, 0.33, 0.69, prefix = TRUE),
                   "HR 0.47 (0.33 to 0.69)")
  expect_identical(format_hr(1.5, 1.1, 2, digits = 1, sep = "-"),
                   "1.5 (1.1-2.0)")
  expect_identical(format_hr(0.5, 0.3, 0.8, style = "text", label = "OR",
                             conf_level = 0.9),
                   "OR, 0.50; 90% CI, 0.30 to 0.80")
  expect_identical(format_hr(c(0.5, NA), c(0.3, 0.2), c(0.8, 0.9)),
                   c("0.50 (0.30 to 0.80)", NA))
  expect_identical(format_hr(12.345, 8.1, Inf), "12.35 (8.10 to Inf)")
})

test_that("the formatters reject bad input with argument-naming errors", {
  expect_error(format_p(1.2), "`p` must lie between 0 and 1; row 1 is 1.2",
               class = "cohortsurv_error")
  expect_error(format_p(-0.1), "`p` must lie between 0 and 1",
               class = "cohortsurv_error")
  expect_error(format_p("0.01"), "`p` must be a numeric vector",
               class = "cohortsurv_error")
  expect_error(format_p(0.1, digits = 0), "`digits` must be a single whole number of at least 1",
               class = "cohortsurv_error")
  expect_error(format_p(0.1, threshold = 2), "`threshold` must be a single number",
               class = "cohortsurv_error")
  expect_error(format_p(0.1, prefix = NA), "`prefix` must be TRUE or FALSE",
               class = "cohortsurv_error")
  expect_error(format_hr("a", 1, 2), "`hr` must be a numeric vector",
               class = "cohortsurv_error")
  expect_error(format_hr(1:3, 1:2, 1:3), "`lower` and `upper` must have length 1",
               class = "cohortsurv_error")
  expect_error(format_hr(1, 0.5, 2, style = "x"), "`style` must be one of",
               class = "cohortsurv_error")
  expect_error(format_hr(1, 0.5, 2, digits = 1.5), "`digits` must be a single whole number from 0 to 6",
               class = "cohortsurv_error")
})

test_that("help pages of the table and forest functions render links and %", {
  db <- tools::Rd_db("cohortsurv")
  skip_if(!length(db), "no installed help pages")
  txt <- function(page) {
    utils::capture.output(tools::Rd2txt(db[[page]], out = stdout(),
                                        options = list(underline_titles = FALSE)))
  }
  for (page in c("format_hr.Rd", "format_p.Rd", "baseline_table.Rd",
                 "hr_report.Rd", "forest_plot.Rd", "format_table.Rd",
                 "subgroup_hr.Rd")) {
    t <- txt(page)
    # no raw markdown links such as [stats::quantile()]
    expect_false(any(grepl("\\[[A-Za-z.:_]+\\(\\)\\]", t)), label = page)
  }
  expect_true(any(grepl("95% CI, 0.33 to 0.69\" (running", txt("format_hr.Rd"),
                        fixed = TRUE)))
})

test_that("footnote letters survive markdown -> pandoc -> Word, and docx", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("Male", "Female")))
  tab <- baseline_table(d, "sex", c("age", "ph.ecog"), categorical = "ph.ecog")
  md <- format_table(tab)
  expect_match(md, ".057^a^", fixed = TRUE)
  expect_match(format_table(tab, superscript = "html"), ".057<sup>a</sup>",
               fixed = TRUE)
  # text with pandoc's superscript and subscript characters is escaped
  expect_identical(md_escape("a^2 ~ b", "pandoc"), "a\\^2 \\~ b")
  expect_arg_error(format_table(tab, superscript = "tex"), "`superscript`",
                   "superscript")
  skip_if(!nzchar(Sys.which("pandoc")), "pandoc is not installed")
  src <- tempfile(fileext = ".md")
  docx <- tempfile(fileext = ".docx")
  format_table(tab, "markdown", file = src)
  system2("pandoc", c(shQuote(src), "-o", shQuote(docx)))
  html <- system2("pandoc", c(shQuote(docx), "-t", "html"), stdout = TRUE)
  expect_true(any(grepl(".057<sup>a</sup>", html, fixed = TRUE)))
  expect_true(any(grepl("<sup>b</sup>", html, fixed = TRUE)))
  skip_if_not_installed("flextable")
  f <- tempfile(fileext = ".docx")
  expect_identical(format_table(tab, "docx", file = f), f)
  back <- system2("pandoc", c(shQuote(f), "-t", "html"), stdout = TRUE)
  expect_true(any(grepl("<sup>a</sup>", back, fixed = TRUE)))
  expect_true(any(grepl("Male (n = 138)", back, fixed = TRUE)))
  expect_arg_error(format_table(tab, "docx"), "`file`", "file")
})
