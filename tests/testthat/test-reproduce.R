# reproduce_paper(): the main job. One run on dnmbc is shared by the tests
# below (it takes a few seconds: 12 figures are drawn); paper_run() makes
# it the first time a test asks for it.

out_dir_path <- function() file.path(tempdir(), "cohortsurv-reproduce-test")
paper_run <- local({
  done <- NULL
  function() {
    if (is.null(done)) {
      unlink(out_dir_path(), recursive = TRUE)
      printed <- utils::capture.output(run <- reproduce_paper(out_dir_path()))
      done <<- list(run = run, printed = printed)
    }
    done
  }
})
read_out <- function(name) {
  paper_run()
  utils::read.csv(file.path(out_dir_path(), name), stringsAsFactors = FALSE)
}

test_that("reproduce_paper writes every table, figure and the report", {
  run <- paper_run()$run
  tabs <- c("table1", "table2", "medians", "hazard_ratios", "logrank",
            "at_risk", "subgroups", "comparison")
  figs <- paste0("figure", 1:6)
  want <- c(paste0(rep(tabs, each = 2), c(".csv", ".html")),
            paste0(rep(figs, each = 2), c(".pdf", ".png")), "report.html")
  expect_setequal(basename(run$files), want)
  expect_true(all(file.exists(file.path(out_dir_path(), want))))
  expect_true(all(file.size(file.path(out_dir_path(), want)) > 200))
  # PNG and PDF signatures
  png1 <- readBin(file.path(out_dir_path(), "figure1.png"), "raw", 8)
  expect_identical(png1[2:4], charToRaw("PNG"))
  pdf1 <- readBin(file.path(out_dir_path(), "figure1.pdf"), "raw", 4)
  expect_identical(rawToChar(pdf1), "%PDF")
  # the report embeds every figure by a relative link and every table
  rep <- paste(readLines(file.path(out_dir_path(), "report.html"), warn = FALSE),
               collapse = "\n")
  for (f in figs) expect_match(rep, paste0("src=\"", f, ".png\""), fixed = TRUE)
  expect_match(rep, "Published versus reproduced", fixed = TRUE)
  expect_match(rep, "Table 2. Characteristics", fixed = TRUE)
  expect_false(grepl(out_dir_path(), rep, fixed = TRUE))   # no absolute paths
  expect_s3_class(run, "cs_paper")
  expect_identical(names(run$tables)[1:2], c("table1", "table2"))
})

test_that("the printed summary is one screen with a line per step", {
  run <- paper_run()$run
  printed <- paper_run()$printed
  expect_lte(length(printed), 30L)
  for (k in 1:9) {
    expect_true(any(startsWith(printed, sprintf("[%d/9]", k))))
  }
  expect_match(printed[1], "153 patients, 118 deaths", fixed = TRUE)
  expect_true(any(grepl(sprintf("%d of %d numbers agree", run$agree,
                                run$compared), printed, fixed = TRUE)))
  quiet_dir <- file.path(tempdir(), "cs-quiet")
  expect_silent(quiet <- reproduce_paper(quiet_dir, quiet = TRUE))
  # quiet prints nothing but writes every file all the same
  expect_identical(basename(quiet$files), basename(run$files))
  expect_true(all(file.exists(quiet$files)))
  expect_identical(quiet$tables, run$tables)
})

test_that("hazard ratios in the CSV equal the fitted models and coxph", {
  hr <- read_out("hazard_ratios.csv")
  expect_equal(nrow(hr), 15L)
  f1 <- hr[hr$figure == "Figure 1" & hr$primary, ]
  expect_identical(c(f1$ties, f1$strata), c("breslow", "met_site"))
  fit <- hr_table(cox(Surv(os_months, death) ~ group + strata(met_site),
                      data = dnmbc, ties = "breslow"))
  expect_equal(f1$hr, fit$hr, tolerance = 1e-12)
  expect_equal(c(f1$lower, f1$upper), c(fit$lower, fit$upper),
               tolerance = 1e-12)
  ref <- survival::coxph(Surv(os_months, death) ~ group + strata(met_site),
                         data = dnmbc, ties = "breslow")
  expect_equal(f1$hr, unname(exp(coef(ref))), tolerance = 1e-8)
  # Figure 3: one HR per step of SBC = 1, SDC = 2, SAC = 3
  op <- dnmbc[dnmbc$surgery == "yes", ]
  ref3 <- survival::coxph(Surv(os_months, death) ~ as.integer(timing),
                          data = op, ties = "breslow")
  f3 <- hr[hr$figure == "Figure 3" & hr$primary, ]
  expect_equal(f3$hr, unname(exp(coef(ref3))), tolerance = 1e-8)
  expect_equal(f3$p_value, summary(ref3)$coefficients[1, 5], tolerance = 1e-6)
  # Figure 4: positive vs negative among known margins, Efron row too
  kn <- op[op$margin != "Unknown", ]
  kn$margin <- droplevels(kn$margin)
  ref4 <- survival::coxph(Surv(os_months, death) ~ margin, data = kn)
  f4 <- hr[hr$figure == "Figure 4" & hr$ties == "efron", ]
  expect_equal(f4$hr, unname(exp(coef(ref4))), tolerance = 1e-8)
  expect_equal(f4$n, 72L)
})

test_that("medians, numbers at risk and log-rank P values in the CSVs", {
  md <- read_out("medians.csv")
  fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
  sym <- km(Surv(os_months, death) ~ group, data = dnmbc,
            median_ci = "symmetric")
  m1 <- md[md$figure == "Figure 1", ]
  expect_identical(m1$group, c("STA", "LRT"))
  expect_equal(m1$median, fit$table$median)
  expect_equal(m1$lower_bc, fit$table$median_lower)
  expect_equal(m1$lower_symmetric, sym$table$median_lower, tolerance = 1e-12)
  expect_equal(m1$events, c(54, 64))
  ar <- read_out("at_risk.csv")
  pub <- utils::read.csv(system.file("extdata", "at_risk.csv",
                                     package = "cohortsurv"))
  key <- function(x) paste(x$figure, x$group, x$time)
  expect_setequal(key(ar), key(pub))
  expect_equal(ar$n_risk[match(key(pub), key(ar))], pub$n_risk)
  lr <- read_out("logrank.csv")
  sd1 <- survival::survdiff(Surv(os_months, death) ~ group + strata(met_site),
                            data = dnmbc)
  l1 <- lr[lr$figure == "Figure 1" & lr$primary, ]
  expect_identical(l1$test, "stratified log-rank")
  expect_equal(l1$statistic, sd1$chisq, tolerance = 1e-8)
  op <- dnmbc[dnmbc$surgery == "yes", ]
  sd3 <- survival::survdiff(Surv(os_months, death) ~ timing, data = op)
  l3 <- lr[lr$figure == "Figure 3" & lr$test == "log-rank", ]
  expect_equal(l3$df, 2L)
  expect_equal(l3$statistic, sd3$chisq, tolerance = 1e-8)
})

test_that("Tables 1 and 2 and the comparison CSV hold the fitted numbers", {
  run <- paper_run()$run
  t1 <- read_out("table1.csv")
  expect_identical(names(t1)[3:4], c("LRT..n...87.", "STA..n...66."))
  row <- t1[t1$variable == "Metastatic sites" & t1$level == "Bone only", ]
  expect_identical(unname(unlist(row[3:4])), c("43 (49.4)", "12 (18.2)"))
  t2 <- read_out("table2.csv")
  expect_identical(names(t2)[3:5],
                   c("SAC..n...30.", "SBC..n...26.", "SDC..n...22."))
  cmp <- utils::read.csv(file.path(out_dir_path(), "comparison.csv"),
                         colClasses = "character")
  expect_identical(sum(cmp$agrees == "yes"), run$agree)
  expect_identical(nrow(cmp), run$compared)
  # every count of Table 1 agrees except the two subtype cells the paper
  # contradicts; every number at risk agrees
  t1c <- cmp[cmp$section == "Table 1", ]
  expect_identical(sort(t1c$quantity[t1c$agrees == "no"]),
                   c("Molecular subtypes Triple negative",
                     "Molecular subtypes Unknown"))
  expect_true(all(cmp$agrees[cmp$section == "Table 2"] == "yes"))
  expect_true(all(cmp$agrees[grepl("at risk", cmp$quantity)] == "yes"))
  hr <- cmp[cmp$section == "Figure 1" & cmp$quantity == "hazard ratio", ]
  expect_identical(c(hr$published, hr$reproduced, hr$agrees),
                   c("0.47", "0.47", "yes"))
  p1 <- cmp[cmp$section == "Figure 1" & grepl("^P value", cmp$quantity), ]
  expect_identical(p1$agrees, "no")   # stratified log-rank P = .00026
  fu <- cmp[grepl("median follow-up", cmp$quantity), ]
  expect_identical(fu$reproduced, "33")
})

test_that("a user's data frame with the same columns gives the same results", {
  d <- dnmbc[rev(seq_len(nrow(dnmbc))), ]
  for (v in names(d)) if (is.factor(d[[v]])) d[[v]] <- as.character(d[[v]])
  d$death <- d$death == 1
  d$extra <- 1
  res <- paper_analysis(d)
  hr <- read_out("hazard_ratios.csv")
  expect_equal(res$hazard_ratios$hr, hr$hr, tolerance = 1e-10)
  md <- read_out("medians.csv")
  expect_equal(res$medians$median, md$median)
  expect_identical(res$comparison$agrees,
                   utils::read.csv(file.path(out_dir_path(), "comparison.csv"),
                                   colClasses = "character")$agrees)
})

test_that("reproduce_paper gives clear errors for unusable data", {
  dir <- file.path(tempdir(), "cs-never")
  expect_error(reproduce_paper(dir, data = dnmbc[, -c(2, 18)]),
               "lacks `os_months`, `group`", class = "cohortsurv_error")
  expect_error(reproduce_paper(dir, data = as.list(dnmbc)),
               "`data` must be a data frame", class = "cohortsurv_error")
  expect_error(reproduce_paper(dir, data = dnmbc[0, ]),
               "no rows", class = "cohortsurv_error")
  d <- dnmbc
  d$group <- as.character(d$group)
  d$group[5] <- "Surgery"
  expect_error(reproduce_paper(dir, data = d),
               "`data\\$group` must take the values \"STA\", \"LRT\"; row 5",
               class = "cohortsurv_error")
  d <- dnmbc
  d$death[3] <- 2L
  expect_error(reproduce_paper(dir, data = d), "`data\\$death` must be 0",
               class = "cohortsurv_error")
  d <- dnmbc
  d$os_months[7] <- -1L
  expect_error(reproduce_paper(dir, data = d),
               "`data\\$os_months` must be non-negative", class = "cohortsurv_error")
  d <- dnmbc
  d$timing[which(d$surgery == "yes")[1]] <- NA
  expect_error(reproduce_paper(dir, data = d),
               "`data\\$timing` must be given for every operated patient",
               class = "cohortsurv_error")
  d <- dnmbc[dnmbc$group == "LRT", ]
  expect_error(reproduce_paper(dir, data = d), "must hold both",
               class = "cohortsurv_error")
  expect_error(reproduce_paper(c("a", "b")), "`dir` must be a single",
               class = "cohortsurv_error")
  expect_error(reproduce_paper(dir, quiet = NA), "quiet",
               class = "cohortsurv_error")
  expect_false(dir.exists(dir))
})

test_that("compare_published rounds as the paper prints", {
  x <- compare_published(
    c("hr", "hr", "ci", "median", "p", "p", "p", "bound", "bound", "n", "na"),
    c("0.47", "0.47", "35.0", "42", ".013", ".013", ".0001", "<.0001",
      "<.0001", "64", NA),
    c(0.4749, 0.4751, 35.04, 41.6, 0.0134, 0.0136, 8.66e-5, 5e-5, 2.6e-4,
      64, 1))
  expect_identical(x$agrees, c(TRUE, FALSE, TRUE, TRUE, TRUE, FALSE, TRUE,
                               TRUE, FALSE, TRUE, NA))
  expect_identical(x$reproduced[1:7], c("0.47", "0.48", "35.0", "42", ".013",
                                        ".014", ".0001"))
  expect_identical(x$reproduced[9], ".00026")
  expect_identical(compare_published("n", 64, 64)$agrees, TRUE)
  expect_error(compare_published("a", "0.4x", 1), "element 1 is \"0.4x\"",
               class = "cohortsurv_error")
  expect_error(compare_published("a", c("1", "2"), 1),
               "one value per published number", class = "cohortsurv_error")
  expect_error(compare_published("a", "1", "1"), "`reproduced` must be a numeric vector",
               class = "cohortsurv_error")
  expect_error(compare_published(1, "1", 1), "`quantity`",
               class = "cohortsurv_error")
})
