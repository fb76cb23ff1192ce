# baseline_table(): values against hand counts and against stats tests.

small_data <- function() data.frame(
  arm = c("A", "A", "A", "A", "B", "B", "B", "B", "B", "B"),
  sex = c("F", "F", "M", NA, "F", "M", "M", "M", "M", "F"),
  age = c(40, 50, 60, 70, 45, 55, 65, NA, 75, 85),
  stringsAsFactors = FALSE
)

test_that("baseline_table() counts and percentages match hand counts", {
  small <- small_data()
  tab <- baseline_table(small, by = "arm", vars = c("sex", "age"))
  expect_s3_class(tab, "cs_table")
  expect_named(tab, c("variable", "level", "A", "B", "p_value", "test"))
  expect_equal(attr(tab, "n"), c(A = 4L, B = 6L))
  sex <- tab[tab$variable == "sex", ]
  expect_identical(sex$level, c("F", "M", "Missing"))
  # A: F 2/4, M 1/4, missing 1/4; B: F 2/6, M 4/6
  expect_identical(sex$A, c("2 (50.0)", "1 (25.0)", "1 (25.0)"))
  expect_identical(sex$B, c("2 (33.3)", "4 (66.7)", "0 (0.0)"))
  age <- tab[tab$variable == "age", ]
  expect_identical(age$level, c("Mean \u00b1 SD", "Missing"))
  expect_identical(age$A[1], sprintf("%.1f \u00b1 %.1f", 55, sd(c(40, 50, 60, 70))))
  b <- c(45, 55, 65, 75, 85)
  expect_identical(age$B[1], sprintf("%.1f \u00b1 %.1f", mean(b), sd(b)))
  expect_identical(age$B[2], "1 (16.7)")
  st <- attr(tab, "stats")
  expect_equal(st$n[st$variable == "sex" & st$group == "B"], c(2, 4, 0))
  expect_equal(st$mean[st$variable == "age" & st$level != "Missing"], c(55, 65))

  # missing = "drop": percentages of the non-missing values, no Missing rows
  tab2 <- baseline_table(small, by = "arm", vars = c("sex", "age"),
                         missing = "drop", continuous = "median_iqr",
                         digits = 2)
  sex2 <- tab2[tab2$variable == "sex", ]
  expect_identical(sex2$A, c("2 (66.67)", "1 (33.33)"))
  age2 <- tab2[tab2$variable == "age", ]
  q <- quantile(b, c(0.25, 0.5, 0.75), names = FALSE)
  expect_identical(age2$B, sprintf("%.2f (%.2f to %.2f)", q[2], q[1], q[3]))
  expect_identical(nrow(tab2), 3L)
})

test_that("tests follow the paper's rule and equal the stats implementations", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("M", "F")))
  tab <- baseline_table(d, by = "sex", vars = c("age", "ph.ecog", "status"),
                        categorical = c("ph.ecog", "status"),
                        missing = "drop")
  # age: Mann-Whitney U (ties -> normal approximation with correction)
  expect_equal(tab$p_value[1],
               suppressWarnings(wilcox.test(age ~ sex, d, exact = FALSE))$p.value,
               tolerance = 1e-12)
  expect_identical(tab$test[1], "Mann-Whitney U")
  # ph.ecog has an expected count <= 5 (grade 3, one patient): Fisher
  e <- table(d$ph.ecog, d$sex)
  expect_true(any(suppressWarnings(chisq.test(e))$expected <= 5))
  i <- which(tab$variable == "ph.ecog")[1]
  expect_identical(tab$test[i], "Fisher's exact")
  expect_equal(tab$p_value[i], fisher.test(e)$p.value, tolerance = 1e-12)
  expect_true(all(is.na(tab$p_value[which(tab$variable == "ph.ecog")[-1]])))
  # status: all expected counts > 5: Pearson chi-square without correction
  s <- table(d$status, d$sex)
  expect_true(all(chisq.test(s)$expected > 5))
  j <- which(tab$variable == "status")[1]
  expect_identical(tab$test[j], "Chi-square")
  expect_equal(tab$p_value[j], chisq.test(s, correct = FALSE)$p.value,
               tolerance = 1e-12)
  # exact = TRUE / FALSE force the test
  expect_identical(baseline_table(d, "sex", "status", categorical = "status",
                                   exact = TRUE)$test[1], "Fisher's exact")
  expect_identical(baseline_table(d, "sex", "ph.ecog", categorical = "ph.ecog",
                                  exact = FALSE, missing = "drop")$test[1],
                   "Chi-square")
  # more than two groups: Kruskal-Wallis
  co <- survival::colon[survival::colon$etype == 2, ]
  tk <- baseline_table(co, by = "rx", vars = "nodes")
  expect_identical(tk$test[1], "Kruskal-Wallis")
  expect_equal(tk$p_value[1], kruskal.test(nodes ~ rx, co)$p.value,
               tolerance = 1e-12)
  # the boundary: an expected count of exactly 5 means Fisher
  b5 <- data.frame(g = rep(c("a", "b"), each = 10),
                   y = c(rep(1, 5), rep(0, 5), rep(1, 5), rep(0, 5)))
  expect_identical(baseline_table(b5, "g", "y", categorical = "y")$test[1],
                   "Fisher's exact")
  b6 <- b5[rep(1:20, 2), ]
  expect_identical(baseline_table(b6, "g", "y", categorical = "y")$test[1],
                   "Chi-square")
})

test_that("small samples without ties use the exact Mann-Whitney test", {
  d <- data.frame(g = rep(c("a", "b"), c(5, 6)), x = c(1:5, 6:11 + 0.5))
  tab <- baseline_table(d, "g", "x")
  expect_equal(tab$p_value[1], wilcox.test(x ~ g, d)$p.value)
  tab <- baseline_table(d, "g", "x", exact = FALSE)
  expect_equal(tab$p_value[1], wilcox.test(x ~ g, d, exact = FALSE)$p.value)
})

test_that("untestable variables give NA and no warning; test = FALSE skips tests", {
  small <- small_data()
  d <- data.frame(g = c("a", "a", "b", "b"), k = "F", x = c(1, 1, 1, 1),
                  stringsAsFactors = FALSE)
  expect_silent(tab <- baseline_table(d, "g"))
  expect_true(all(is.na(tab$p_value)))
  tab <- baseline_table(small, "arm", "sex", test = FALSE)
  expect_true(all(is.na(tab$p_value)) && all(is.na(tab$test)))
  # rows with a missing group are dropped and counted
  d2 <- rbind(small, data.frame(arm = NA, sex = "F", age = 30))
  expect_identical(attr(baseline_table(d2, "arm"), "n_dropped"), 1L)
  # one group: descriptive only
  one <- baseline_table(small[small$arm == "A", ], "arm")
  expect_true(all(is.na(one$p_value)))
})

test_that("format_table() renders markdown, html, latex, csv and print()", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("Male", "Female")))
  tab <- baseline_table(d, "sex", c("age", "ph.ecog"), categorical = "ph.ecog",
                        labels = c(age = "Age (yr)", ph.ecog = "ECOG"))
  md <- format_table(tab, "markdown")
  expect_match(md, "| Characteristic | Male (n = 138) | Female (n = 90) | P |",
               fixed = TRUE)
  expect_match(md, "**Age (yr), mean \u00b1 SD** | 63.3 \u00b1 9.1 | 61.1 \u00b1 8.8 | .057^a^",
               fixed = TRUE)
  expect_match(md, "Tests: a Mann-Whitney U; b Fisher's exact.", fixed = TRUE)
  html <- format_table(tab, "html")
  expect_match(html, "<th>Male (n = 138)</th>", fixed = TRUE)
  expect_match(html, "<sup>b</sup>", fixed = TRUE)
  tex <- format_table(tab, "latex")
  expect_match(tex, "\\begin{tabular}{lrrr}", fixed = TRUE)
  expect_match(tex, "63.3 $\\pm$ 9.1", fixed = TRUE)
  expect_match(tex, "n (\\%)", fixed = TRUE)
  csv <- format_table(tab, "csv")
  back <- read.csv(text = csv, check.names = FALSE, encoding = "UTF-8")
  expect_identical(names(back)[1:4], c("variable", "level", "Male (n = 138)",
                                       "Female (n = 90)"))
  expect_identical(back$test[1], "Mann-Whitney U")
  expect_output(print(tab), "Male \\(n = 138\\)")
  f <- tempfile(fileext = ".md")
  format_table(tab, "markdown", file = f)
  expect_identical(paste0(paste(readLines(f, encoding = "UTF-8"), collapse = "\n"), "\n"), md)
  # a plain data frame
  expect_match(format_table(data.frame(a = c("x", "y"), b = c(1.5, NA))),
               "| x | 1.5 |", fixed = TRUE)
  expect_error(format_table(tab, "word"), "`format` must be one of",
               class = "cohortsurv_error")
})

test_that("baseline_table() reproduces the layout of the paper's Table 1", {
  t1 <- read.csv(system.file("extdata", "table1.csv", package = "cohortsurv"),
                 stringsAsFactors = FALSE)
  t1 <- t1[t1$characteristic != "Total", ]
  # rebuild patient-level rows from the published counts
  rows <- list()
  for (i in seq_len(nrow(t1))) {
    for (arm in c("LRT", "STA")) {
      rows[[length(rows) + 1]] <- data.frame(
        arm = rep(arm, t1[[arm]][i]), var = t1$characteristic[i],
        level = t1$level[i], stringsAsFactors = FALSE)
    }
  }
  long <- do.call(rbind, rows)
  vars <- unique(t1$characteristic)
  wide <- data.frame(arm = c(rep("LRT", 87), rep("STA", 66)))
  for (v in vars) {
    x <- long[long$var == v, ]
    x <- x[order(x$arm), ]
    wide[[v]] <- factor(x$level, levels = t1$level[t1$characteristic == v])
  }
  tab <- baseline_table(wide, by = "arm")
  expect_equal(attr(tab, "n"), c(LRT = 87L, STA = 66L))
  expect_identical(tab$level, t1$level)
  counts <- as.integer(sub(" .*", "", tab$LRT))
  expect_identical(counts, t1$LRT)
  expect_identical(as.integer(sub(" .*", "", tab$STA)), t1$STA)
  # the paper's percentages, e.g. Age <= 50: 31 (35.6) and 22 (33.3)
  expect_identical(tab$LRT[1:2], c("31 (35.6)", "56 (64.4)"))
  expect_identical(tab$STA[1:2], c("22 (33.3)", "44 (66.7)"))
  # metastatic sites differ strongly between the arms
  ms <- which(tab$variable == "Metastatic sites")[1]
  expect_lt(tab$p_value[ms], 1e-4)
})

test_that("baseline_table() errors name the argument", {
  small <- small_data()
  expect_error(baseline_table(1:3, "a"), "`data` must be a data frame",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "grp"), "`by` must be a column of `data`; there is no column \"grp\"",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, c("arm", "sex")), "`by` must be the name of one column",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", "height"), "\"height\" is not one",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", c("arm", "sex")), "must not include the grouping column",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", continuous = "mean"), "`continuous` must be one of",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", exact = "yes"), "`exact` must be \"auto\", TRUE or FALSE",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", missing = "omit"), "`missing` must be one of",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", categorical = "zzz"), "`categorical` must name columns",
               class = "cohortsurv_error")
  expect_error(baseline_table(small, "arm", labels = c(zzz = "Z")), "`labels` must be a named character vector",
               class = "cohortsurv_error")
  d <- small
  d$when <- as.Date("2020-01-01") + 1:10
  expect_error(baseline_table(d, "arm", "when"), "column \"when\" is Date",
               class = "cohortsurv_error")
  d$arm <- NA
  expect_error(baseline_table(d, "arm"), "has no non-missing values",
               class = "cohortsurv_error")
})

test_that("baseline_table() on dnmbc reproduces the paper's Tables 1 and 2", {
  d <- dnmbc
  d$group <- relevel(d$group, "LRT")
  vars <- c(age_group = "Age (yr)", tumor_size = "Tumor size (cm)",
            nodal = "Nodal status", ki67 = "Ki-67 index",
            met_site = "Metastatic sites", subtype = "Molecular subtypes",
            hr_status = "HR status", her2 = "HER-2 expression")
  t1 <- baseline_table(d, "group", names(vars), labels = vars)
  csv1 <- read.csv(system.file("extdata", "table1.csv", package = "cohortsurv"),
                   stringsAsFactors = FALSE)
  expect_equal(attr(t1, "n"), c(LRT = 87L, STA = 66L))
  csv1 <- csv1[csv1$characteristic != "Total", ]
  expect_identical(t1$variable, csv1$characteristic)
  n_of <- function(cells) as.integer(sub(" .*", "", cells))
  # every count by hand
  for (v in names(vars)) {
    rows <- t1$variable == vars[[v]]
    tab <- table(d[[v]], d$group)
    expect_identical(n_of(t1$LRT[rows]), as.vector(tab[, "LRT"]))
    expect_identical(n_of(t1$STA[rows]), as.vector(tab[, "STA"]))
  }
  # and the published counts, except the two LRT cells where the paper's
  # Table 1 (triple negative 9, unknown 2) contradicts its Table 2 (at least
  # 3 unknown among the operated LRT patients), which dnmbc follows
  differ <- csv1$characteristic == "Molecular subtypes" &
    csv1$level %in% c("Triple negative", "Unknown")
  expect_identical(n_of(t1$LRT)[!differ], csv1$LRT[!differ])
  expect_identical(n_of(t1$STA), csv1$STA)
  expect_identical(n_of(t1$LRT)[differ], c(8L, 3L))
  # Table 2: operated patients by timing of surgery, every cell as published
  ops <- d[!is.na(d$timing), ]
  t2 <- baseline_table(ops, "timing", c("age_group", "tumor_size", "ki67",
                                        "met_site", "subtype", "hr_status",
                                        "her2", "surgery_type", "margin"))
  csv2 <- read.csv(system.file("extdata", "table2.csv", package = "cohortsurv"),
                   stringsAsFactors = FALSE)
  csv2 <- csv2[csv2$characteristic != "Total", ]
  expect_equal(attr(t2, "n"), c(SBC = 26L, SDC = 22L, SAC = 30L))
  for (k in c("SAC", "SBC", "SDC")) {
    expect_identical(n_of(t2[[k]]), csv2[[k]], label = k)
  }
})

test_that("a Missing row is shown but left out of the test", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("M", "F")))
  tab <- baseline_table(d, "sex", "ph.ecog", categorical = "ph.ecog",
                        exact = FALSE)
  expect_true("Missing" %in% tab$level)
  ok <- !is.na(d$ph.ecog)
  expect_equal(tab$p_value[1],
               suppressWarnings(chisq.test(table(d$ph.ecog[ok],
                                                 d$sex[ok])))$p.value,
               tolerance = 1e-12)
  expect_equal(round(tab$p_value[1], 2), 0.72)
  expect_true(attr(tab, "missing_untested"))
  expect_match(format_table(tab), "Missing values are shown but not tested.",
               fixed = TRUE)
  # same P as when the missing values are dropped
  expect_identical(tab$p_value[1],
                   baseline_table(d, "sex", "ph.ecog", categorical = "ph.ecog",
                                  exact = FALSE, missing = "drop")$p_value[1])
  # nothing missing: no such sentence
  full <- baseline_table(d, "sex", "status", categorical = "status")
  expect_false(attr(full, "missing_untested"))
  expect_no_match(format_table(full), "not tested")
})

test_that("Fisher's test is exact when small and simulated when large", {
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("M", "F")))
  # inst by sex: too large for FEXACT's default workspace
  set.seed(42)
  seed_before <- .Random.seed
  t0 <- proc.time()[["elapsed"]]
  tab <- baseline_table(d, "sex", "inst", categorical = "inst")
  expect_lt(proc.time()[["elapsed"]] - t0, 5)
  expect_identical(.Random.seed, seed_before)
  expect_identical(tab$test[1], "Fisher's exact, simulated")
  ok <- !is.na(d$inst)
  tt <- table(d$inst[ok], d$sex[ok])
  set.seed(1)
  expect_equal(tab$p_value[1],
               fisher.test(tt, simulate.p.value = TRUE, B = 10000)$p.value)
  # another seed and B give another (close) estimate; the exact P is .52
  tab2 <- baseline_table(d, "sex", "inst", categorical = "inst", seed = 7,
                         B = 2000)
  set.seed(7)
  expect_equal(tab2$p_value[1],
               fisher.test(tt, simulate.p.value = TRUE, B = 2000)$p.value)
  expect_lt(abs(tab$p_value[1] - 0.5224), 0.03)
  md <- format_table(tab)
  expect_match(md, "P from 10,000 random tables", fixed = TRUE)
  expect_match(md, "(seed 1)", fixed = TRUE)
  # the colon nodes table that made FEXACT fail after 19 s
  co <- subset(survival::colon, etype == 2)
  t0 <- proc.time()[["elapsed"]]
  tc <- baseline_table(co, by = "rx", vars = "nodes", categorical = "nodes")
  expect_lt(proc.time()[["elapsed"]] - t0, 5)
  expect_identical(tc$test[1], "Fisher's exact, simulated")
  # a small table stays exact, equal to fisher.test()
  e <- table(d$ph.ecog, d$sex)
  te <- baseline_table(d, "sex", "ph.ecog", categorical = "ph.ecog")
  expect_identical(te$test[1], "Fisher's exact")
  expect_equal(te$p_value[1], fisher.test(e)$p.value, tolerance = 1e-12)
  expect_arg_error(baseline_table(d, "sex", "inst", B = 10), "`B`", "B")
  expect_arg_error(baseline_table(d, "sex", "inst", seed = 1.5), "`seed`", "seed")
})

test_that("`correct` chooses Yates's correction for 2 x 2 chi-square tests", {
  v <- survival::veteran
  tc <- baseline_table(v, "trt", "prior", categorical = "prior",
                       correct = TRUE)
  tab <- table(v$prior, v$trt)
  expect_equal(tc$p_value[1], chisq.test(tab)$p.value, tolerance = 1e-12)
  expect_identical(round(tc$p_value[1], 3), 0.894)  # tableone's value
  expect_identical(tc$test[1], "Chi-square, continuity-corrected")
  tu <- baseline_table(v, "trt", "prior", categorical = "prior")
  expect_equal(tu$p_value[1], chisq.test(tab, correct = FALSE)$p.value,
               tolerance = 1e-12)
  expect_identical(tu$test[1], "Chi-square")
  expect_match(format_table(tu), "Chi-square tests are without continuity correction.",
               fixed = TRUE)
  expect_no_match(format_table(tc), "without continuity")
  # larger tables are never corrected
  t3 <- baseline_table(v, "trt", "celltype", correct = TRUE)
  expect_identical(t3$test[1], "Chi-square")
  expect_arg_error(baseline_table(v, "trt", "prior", correct = NA), "`correct`", "correct")
})

test_that("0/1 columns are categorical; labels come from attr(, 'label')", {
  d <- data.frame(g = rep(c("a", "b"), each = 6),
                  flag = c(0, 1, 1, 0, NA, 1, 1, 1, 1, 0, 1, 1),
                  x = 1:12)
  attr(d$x, "label") <- "Score (points)"
  tab <- baseline_table(d, "g", c("flag", "x"))
  expect_identical(tab$level[tab$variable == "flag"], c("0", "1", "Missing"))
  expect_identical(tab$a[tab$variable == "flag"], c("2 (33.3)", "3 (50.0)",
                                                    "1 (16.7)"))
  expect_true("Score (points)" %in% tab$variable)
  # an explicit label wins over the attribute
  tab2 <- baseline_table(d, "g", "x", labels = c(x = "X"))
  expect_identical(tab2$variable[1], "X")
  # 0/2 codes stay continuous
  d$flag2 <- 2 * d$flag
  expect_identical(baseline_table(d, "g", "flag2")$level[1], "Mean \u00b1 SD")
})

test_that("smd = TRUE: Austin's and Yang-Dalton's SMD, by hand", {
  d <- data.frame(g = rep(c("a", "b"), c(4, 5)),
                  x = c(1, 2, 3, 4, 2, 4, 6, 8, 10),
                  k = c("u", "u", "v", "v", "u", "v", "v", "v", "w"))
  tab <- baseline_table(d, "g", c("x", "k"), smd = TRUE)
  xa <- 1:4
  xb <- c(2, 4, 6, 8, 10)
  expect_equal(tab$smd[1], abs(mean(xa) - mean(xb)) /
                 sqrt((var(xa) + var(xb)) / 2))
  # k: a = (1/2, 1/2, 0), b = (1/5, 3/5, 1/5); levels v, w against u
  pa <- c(0.5, 0)
  pb <- c(0.6, 0.2)
  cv <- function(p) diag(p) - outer(p, p)
  s <- (cv(pa) + cv(pb)) / 2
  t <- pa - pb
  expect_equal(tab$smd[tab$variable == "k"][1],
               sqrt(drop(t %*% solve(s) %*% t)))
  # two levels: |p1 - p2| / sqrt((p1 q1 + p2 q2) / 2)
  d2 <- data.frame(g = rep(c("a", "b"), each = 10),
                   y = c(rep(1, 3), rep(0, 7), rep(1, 6), rep(0, 4)))
  p1 <- 0.3
  p2 <- 0.6
  expect_equal(baseline_table(d2, "g", "y", smd = TRUE)$smd[1],
               abs(p1 - p2) / sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2))
  expect_match(format_table(tab), "| SMD |", fixed = TRUE)
  expect_match(format_table(tab, "csv"), "smd", fixed = TRUE)
  expect_false("smd" %in% names(baseline_table(d, "g", "x")))
  # three groups: the mean of the pairwise SMDs
  d3 <- data.frame(g = rep(c("a", "b", "c"), each = 3), x = c(1:3, 2:4, 5:7))
  sm <- function(u, v) abs(mean(u) - mean(v)) / sqrt((var(u) + var(v)) / 2)
  expect_equal(baseline_table(d3, "g", "x", smd = TRUE)$smd[1],
               mean(c(sm(1:3, 2:4), sm(1:3, 5:7), sm(2:4, 5:7))))
  expect_arg_error(baseline_table(d, "g", "x", smd = "yes"), "`smd`", "smd")
})

test_that("tableone agrees on P values and SMDs", {
  # tableone is not a declared dependency (Debian does not package it):
  # the test runs where it happens to be installed
  skip_if_not_installed("tableone")
  tableone <- list(
    CreateTableOne = getExportedValue("tableone", "CreateTableOne"),
    ExtractSmd = getExportedValue("tableone", "ExtractSmd"))
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("M", "F")),
                 ph.ecog = factor(ph.ecog))
  tab <- baseline_table(d, "sex", c("age", "ph.ecog"), smd = TRUE,
                        exact = FALSE)
  t1 <- tableone$CreateTableOne(c("age", "ph.ecog"), "sex", d,
                                 testNonNormal = kruskal.test)
  sm <- tableone$ExtractSmd(t1)
  expect_equal(tab$smd[tab$variable == "age"][1], unname(sm["age", 1]),
               tolerance = 1e-8)
  expect_equal(tab$smd[tab$variable == "ph.ecog"][1],
               unname(sm["ph.ecog", 1]), tolerance = 1e-8)
  pv <- attr(t1$CatTable, "pValues")
  expect_equal(tab$p_value[tab$variable == "ph.ecog"][1],
               pv["ph.ecog", "pApprox"], tolerance = 1e-8)
  expect_equal(tab$p_value[tab$variable == "ph.ecog"][1], 0.7210505,
               tolerance = 1e-6)
  # a 2 x 2 table: tableone corrects for continuity, as correct = TRUE does
  v <- transform(survival::veteran, prior = factor(prior))
  tv <- baseline_table(v, "trt", "prior", correct = TRUE, smd = TRUE)
  t2 <- tableone$CreateTableOne("prior", "trt", v)
  expect_equal(tv$p_value[1], attr(t2$CatTable, "pValues")["prior", "pApprox"],
               tolerance = 1e-10)
  expect_equal(tv$smd[1], unname(tableone$ExtractSmd(t2)["prior", 1]),
               tolerance = 1e-8)
  # three groups: the mean of the pairwise SMDs, as tableone prints
  co <- subset(survival::colon, etype == 2)
  co$sex <- factor(co$sex)
  tc <- baseline_table(co, "rx", c("age", "sex"), smd = TRUE)
  t3 <- tableone$CreateTableOne(c("age", "sex"), "rx", co)
  s3 <- tableone$ExtractSmd(t3)
  expect_equal(tc$smd[tc$variable == "age"][1], unname(s3["age", "average"]),
               tolerance = 1e-8)
  expect_equal(tc$smd[tc$variable == "sex"][1], unname(s3["sex", "average"]),
               tolerance = 1e-8)
})

test_that("print() fits 80 columns, wrapping long labels", {
  d <- survival::colon[survival::colon$etype == 2, ]
  tab <- baseline_table(d, "rx", c("age", "differ"), categorical = "differ",
                        labels = c(age = paste("Age at randomisation in",
                                               "completed years (yr)"),
                                   differ = paste("Differentiation of the",
                                                  "tumour, local grading")),
                        smd = TRUE)
  out <- capture.output(print(tab))
  expect_true(all(nchar(out, type = "width") <= 80))
  expect_match(out[1], "Lev+5FU (n = 304)", fixed = TRUE)
  # every word of the label is still there
  expect_match(paste(out, collapse = " "), "local +grading")
})
