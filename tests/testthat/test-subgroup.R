# subgroup_hr() against survival::coxph (Breslow and Efron ties), hand
# counts, the unstratified rule for stratification factors, the
# likelihood-ratio interaction test, edge cases and errors.

colon_rfs <- function() {
  d <- colon[colon$etype == 2 & colon$rx != "Lev", ]
  d$rx <- droplevels(d$rx)
  d$age_group <- cut(d$age, c(0, 60, Inf), c("<= 60", "> 60"))
  d$sex <- factor(d$sex, 0:1, c("Female", "Male"))
  d
}

# what coxph says for one row
oracle_row <- function(f, data, ties = "breslow") {
  fit <- coxph(f, data = data, ties = ties)
  b <- coef(fit)[[1]]
  se <- sqrt(vcov(fit)[1, 1])
  c(hr = exp(b), lower = exp(b - qnorm(0.975) * se),
    upper = exp(b + qnorm(0.975) * se), p = 2 * pnorm(-abs(b / se)))
}

oracle_lrt <- function(f0, f1, data, ties = "breslow") {
  a <- coxph(f0, data = data, ties = ties)
  b <- coxph(f1, data = data, ties = ties)
  df <- sum(!is.na(coef(b))) - sum(!is.na(coef(a)))
  pchisq(2 * (b$loglik[2] - a$loglik[2]), df, lower.tail = FALSE)
}

expect_row <- function(sg, i, o, tol = 1e-8) {
  expect_close(unlist(sg[i, c("hr", "lower", "upper", "p_value")]), o, tol)
}

test_that("subgroup_hr() agrees with stratified coxph (Breslow) on colon", {
  d <- colon_rfs()
  sg <- subgroup_hr(Surv(time, status) ~ rx, data = d,
                    subgroups = c(Age = "age_group", Sex = "sex",
                                  "Nodes > 4" = "node4", Grade = "differ"),
                    strata = "node4")
  expect_s3_class(sg, "cs_subgroup")
  expect_named(sg, c("subgroup", "level", "n", "events", "hr", "lower",
                     "upper", "p_value", "p_interaction", "stratified",
                     "note"))
  expect_identical(attr(sg, "comparison"), "Lev+5FU vs Obs")
  expect_identical(sg$subgroup, c("Overall", "Age", "Age", "Sex", "Sex",
                                  "Nodes > 4", "Nodes > 4", "Grade", "Grade",
                                  "Grade"))
  expect_row(sg, 1, oracle_row(Surv(time, status) ~ rx + strata(node4), d))
  expect_row(sg, 2, oracle_row(Surv(time, status) ~ rx + strata(node4),
                               d[d$age_group == "<= 60", ]))
  expect_row(sg, 5, oracle_row(Surv(time, status) ~ rx + strata(node4),
                               d[d$sex == "Male", ]))
  # node4 is the stratification factor: unstratified within its levels
  expect_row(sg, 7, oracle_row(Surv(time, status) ~ rx, d[d$node4 == 1, ]))
  expect_identical(sg$stratified, c(TRUE, TRUE, TRUE, TRUE, TRUE, FALSE,
                                    FALSE, TRUE, TRUE, TRUE))
  # differ has missing values: those rows leave the Grade rows only
  dd <- d[!is.na(d$differ), ]
  expect_row(sg, 8, oracle_row(Surv(time, status) ~ rx + strata(node4),
                               dd[dd$differ == 1, ]))
  expect_identical(sum(sg$n[sg$subgroup == "Grade"]), nrow(dd))
  expect_identical(sg$n[1], nrow(d))
  # interaction P values: likelihood-ratio tests in the stratified model
  expect_close(sg$p_interaction[2],
               oracle_lrt(Surv(time, status) ~ rx + age_group + strata(node4),
                          Surv(time, status) ~ rx * age_group + strata(node4),
                          d), 1e-7)
  expect_close(sg$p_interaction[4],
               oracle_lrt(Surv(time, status) ~ rx + sex + strata(node4),
                          Surv(time, status) ~ rx * sex + strata(node4), d),
               1e-7)
  expect_close(sg$p_interaction[6],
               oracle_lrt(Surv(time, status) ~ rx + strata(node4),
                          Surv(time, status) ~ rx + rx:factor(node4) +
                            strata(node4), d), 1e-7)
  expect_close(sg$p_interaction[8],
               oracle_lrt(Surv(time, status) ~ rx + factor(differ) +
                            strata(node4),
                          Surv(time, status) ~ rx * factor(differ) +
                            strata(node4), dd), 1e-7)
  expect_true(is.na(sg$p_interaction[1]))
  # counts by hand
  expect_identical(sg$n[2:3], as.vector(table(d$age_group)))
  expect_equal(sg$events[4:5], as.vector(tapply(d$status, d$sex, sum)))
})

test_that("subgroup_hr() agrees with coxph on random data with heavy ties", {
  for (seed in 1:4) {
    d <- random_surv(400, n_groups = 3, n_times = 10, seed = seed)
    d$trt <- rbinom(400, 1, 0.5)
    d$site <- factor(sample(c("x", "y"), 400, replace = TRUE))
    for (ties in c("breslow", "efron")) {
      sg <- subgroup_hr(Surv(time, status) ~ trt, data = d,
                        subgroups = c("group", "sex"), strata = c("site", "sex"),
                        ties = ties)
      expect_row(sg, 1, oracle_row(Surv(time, status) ~ trt +
                                     strata(site, sex), d, ties))
      # group is not a stratification factor: stratified within its levels
      expect_row(sg, 3, oracle_row(Surv(time, status) ~ trt +
                                     strata(site, sex), d[d$group == "b", ],
                                   ties))
      # sex is one: that subgroup is entirely unstratified (Figure 6's rule)
      expect_row(sg, 6, oracle_row(Surv(time, status) ~ trt,
                                   d[d$sex == "m", ], ties))
      expect_close(sg$p_interaction[2],
                   oracle_lrt(Surv(time, status) ~ trt + group +
                                strata(site, sex),
                              Surv(time, status) ~ trt * group +
                                strata(site, sex), d, ties), 1e-7)
    }
    # no strata at all
    sg <- subgroup_hr(Surv(time, status) ~ trt, data = d, subgroups = "group")
    expect_row(sg, 1, oracle_row(Surv(time, status) ~ trt, d))
    expect_false(any(sg$stratified))
  }
})

test_that("adjustment covariates, treatment coding and row order", {
  d <- colon_rfs()
  sg <- subgroup_hr(Surv(time, status) ~ rx + age + nodes, data = d,
                    subgroups = "sex", strata = "node4")
  dn <- d[!is.na(d$nodes), ]
  expect_row(sg, 1, oracle_row(Surv(time, status) ~ rx + age + nodes +
                                 strata(node4), dn))
  expect_identical(sg$n[1], nrow(dn))
  # a 0/1 numeric treatment gives the same estimates as the factor
  d$lev5 <- as.integer(d$rx == "Lev+5FU")
  a <- subgroup_hr(Surv(time, status) ~ rx, d, "sex")
  b <- subgroup_hr(Surv(time, status) ~ lev5, d, "sex")
  expect_equal(a$hr, b$hr, tolerance = 1e-12)
  expect_identical(attr(b, "comparison"), "1 vs 0")
  # permuting the rows changes nothing
  p <- subgroup_hr(Surv(time, status) ~ rx, d[sample(nrow(d)), ], "sex")
  expect_equal(p$hr, a$hr, tolerance = 1e-9)
  expect_equal(p$p_interaction, a$p_interaction, tolerance = 1e-9)
})

test_that("levels without a comparison get NA and a note", {
  d <- data.frame(time = c(1:12, 3, 5), status = 1,
                  trt = c(rep(0:1, 6), 0, 0),
                  g = c(rep("a", 12), "b", "b"), stringsAsFactors = FALSE)
  d$status[1:3] <- c(1, 0, 1)
  sg <- subgroup_hr(Surv(time, status) ~ trt, d, "g")
  expect_true(is.na(sg$hr[3]))
  expect_identical(sg$note[3], "one treatment arm only")
  expect_identical(sg$n[3], 2L)
  # no events in one arm: monotone likelihood
  d2 <- data.frame(time = 1:20, status = rep(c(1, 0), 10),
                   trt = rep(c(0, 1), 10), g = "a")
  sg2 <- expect_silent(subgroup_hr(Surv(time, status) ~ trt, d2, "g"))
  expect_true(is.na(sg2$hr[1]))
  expect_identical(sg2$note[1], "infinite estimate (monotone likelihood)")
  # no events at all
  d3 <- transform(d2, status = 0)
  expect_identical(subgroup_hr(Surv(time, status) ~ trt, d3, "g")$note[1],
                   "no events")
})

test_that("print() and plot() show the table and the forest plot", {
  d <- colon_rfs()
  sg <- subgroup_hr(Surv(time, status) ~ rx, data = d,
                    subgroups = c(Sex = "sex", "Nodes > 4" = "node4"),
                    strata = "node4")
  out <- capture.output(print(sg))
  expect_match(out[1], "Lev+5FU vs Obs", fixed = TRUE)
  expect_true(any(grepl(format_hr(sg$hr[1], sg$lower[1], sg$upper[1]), out,
                        fixed = TRUE)))
  expect_match(paste(out, collapse = " "),
               "a Unstratified: the subgroup is a stratification factor.",
               fixed = TRUE)
  expect_true(any(grepl("^  0 a ", out)))
  for (ext in c("pdf", "png")) {
    f <- tempfile(fileext = paste0(".", ext))
    expect_silent(save_plot(plot(sg, favours = c("Lev+5FU better",
                                                 "Obs better")),
                            f, device = ext, res = 100))
    expect_gt(file.size(f), 1000)
  }
  drawn <- attr(drawn_calls(plot(sg)), "value")
  expect_identical(drawn$label, c("All patients", "Sex", "Female", "Male",
                                  "Nodes > 4", "0", "1"))
  expect_identical(drawn$p_text[c(2, 5)], format_p(sg$p_interaction[c(2, 4)]))
})

test_that("subgroup_hr() errors name the argument", {
  d <- colon_rfs()
  f <- Surv(time, status) ~ rx
  expect_error(subgroup_hr(f, 1:3, "sex"), "`data` must be a data frame",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(f, d, "zz"), "`subgroups` must name columns of `data`; \"zz\"",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(f, d, 1), "`subgroups` must be a character vector",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(f, d, "sex", strata = "zz"), "`strata` must name columns",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(f, d, "sex", ties = "exact"), "`ties` must be one of",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(Surv(time, status) ~ differ, d, "sex"),
               "the treatment `differ` must take exactly two values; it takes 3",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(Surv(time, status) ~ rx + strata(node4), d, "sex"),
               "must not contain strata\\(\\)", class = "cohortsurv_error")
  expect_error(subgroup_hr(Surv(time, status) ~ 1, d, "sex"),
               "must name the treatment", class = "cohortsurv_error")
  expect_error(subgroup_hr(f, d, "age"), "\"age\" has .* levels; cut it",
               class = "cohortsurv_error")
  expect_error(subgroup_hr(Surv(time, status) ~ rx, d, "sex", conf_level = 95),
               "`conf_level` must be a single number strictly between 0 and 1",
               class = "cohortsurv_error")
})

test_that("Figure 6 on dnmbc: stratified by metastatic site, as coxph", {
  sg <- subgroup_hr(Surv(os_months, death) ~ group, data = dnmbc,
                    subgroups = c("Metastatic sites" = "met_site",
                                  "HR status" = "hr_status"),
                    strata = "met_site")
  expect_identical(attr(sg, "comparison"), "LRT vs STA")
  expect_row(sg, 1, oracle_row(Surv(os_months, death) ~ group +
                                 strata(met_site), dnmbc))
  expect_identical(round(sg$hr[1], 2), 0.47)
  expect_row(sg, 3, oracle_row(Surv(os_months, death) ~ group,
                               dnmbc[dnmbc$met_site == "Viscera only", ]))
  expect_row(sg, 6, oracle_row(Surv(os_months, death) ~ group +
                                 strata(met_site),
                               dnmbc[dnmbc$hr_status == "Positive", ]))
  expect_identical(sg$n[1], 153L)
  expect_identical(sg$events[1], 118)
})

test_that("format_table() writes the subgroup table with its footnotes", {
  d <- colon_rfs()
  sg <- subgroup_hr(Surv(time, status) ~ rx, data = d,
                    subgroups = c(Sex = "sex", "Nodes > 4" = "node4"),
                    strata = "node4")
  md <- format_table(sg)
  expect_match(md, "| Subgroup | No. (events) | HR (95% CI) | P | P interaction |",
               fixed = TRUE)
  # the unstratified levels carry the letter of the footnote that says so
  expect_match(md, "&nbsp;&nbsp;&nbsp;&nbsp;0^a^ |", fixed = TRUE)
  expect_match(md, "a Unstratified: the subgroup is a stratification factor.",
               fixed = TRUE)
  expect_match(md, format_hr(sg$hr[1], sg$lower[1], sg$upper[1]), fixed = TRUE)
  expect_match(format_table(sg, "html"), "0<sup>a</sup>", fixed = TRUE)
  expect_match(format_table(sg, "latex"), "0$^{a}$", fixed = TRUE)
  back <- read.csv(text = format_table(sg, "csv"))
  expect_equal(back$hr, sg$hr)
  out <- capture.output(print(sg))
  expect_true(all(nchar(out) <= 80))
  # a non-estimable level: NE with a lettered reason
  sg$hr[3] <- sg$lower[3] <- sg$upper[3] <- NA
  sg$note[3] <- "no events"
  md <- format_table(sg)
  expect_match(md, "NE^b^", fixed = TRUE)
  expect_match(md, "b NE, not estimable: no events.", fixed = TRUE)
  skip_if_not_installed("flextable")
  f <- tempfile(fileext = ".docx")
  format_table(sg, "docx", file = f)
  expect_gt(file.size(f), 5000)
})
