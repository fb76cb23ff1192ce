# The reconstructed cohort `dnmbc` must reproduce every published count of
# the seed paper (Sun et al. 2020) exactly; these tests recompute each one
# from the data with the package's own km().

published <- function(file) paper_published(file, as_printed = FALSE)

test_that("dnmbc has one row per patient with the documented columns", {
  expect_s3_class(dnmbc, "data.frame")
  expect_identical(nrow(dnmbc), 153L)
  expect_identical(dnmbc$id, seq_len(153))
  expect_identical(
    names(dnmbc),
    c("id", "group", "surgery", "timing", "margin", "surgery_type",
      "radiotherapy", "age", "age_group", "tumor_size", "nodal", "ki67",
      "met_site", "subtype", "hr_status", "her2", "year_dx", "os_months",
      "death")
  )
  lev <- list(
    group = c("STA", "LRT"), surgery = c("no", "yes"),
    timing = c("SBC", "SDC", "SAC"),
    margin = c("Negative", "Positive", "Unknown"),
    surgery_type = c("Mastectomy", "Lumpectomy"),
    radiotherapy = c("no", "yes"), age_group = c("<=50", ">50"),
    tumor_size = c("<=5", ">5"), nodal = c("N0", "N1", "N2", "N3"),
    ki67 = c("<=20%", ">20%", "Unknown"),
    met_site = c("Bone only", "Viscera only", "Multi-organ"),
    subtype = c("Luminal A", "Luminal B", "HER-2 positive",
                "Triple negative", "Unknown"),
    hr_status = c("Negative", "Positive"),
    her2 = c("Negative", "Positive", "Unknown")
  )
  for (v in names(lev)) {
    expect_s3_class(dnmbc[[v]], "factor")
    expect_identical(levels(dnmbc[[v]]), lev[[v]], label = v)
  }
  # NA exactly for the surgical columns of patients without surgery
  for (v in c("timing", "margin", "surgery_type")) {
    expect_identical(is.na(dnmbc[[v]]), dnmbc$surgery == "no", label = v)
  }
  other <- setdiff(names(dnmbc), c("timing", "margin", "surgery_type"))
  expect_false(anyNA(dnmbc[other]))
  expect_true(all(dnmbc$death %in% c(0, 1)))
  expect_true(is.numeric(dnmbc$os_months) && is.numeric(dnmbc$age))
})

test_that("treatment counts are those of the paper", {
  expect_equal(as.vector(table(dnmbc$group)), c(66, 87))
  expect_equal(sum(dnmbc$surgery == "yes"), 78)
  expect_equal(as.vector(table(dnmbc$timing)), c(26, 22, 30))
  expect_equal(sum(dnmbc$radiotherapy == "yes"), 38)
  expect_equal(sum(dnmbc$radiotherapy == "yes" & dnmbc$surgery == "no"), 9)
  expect_equal(as.vector(table(dnmbc$margin)), c(50, 22, 6))
  expect_equal(as.vector(table(dnmbc$surgery_type)), c(11, 67))
  # LRT is surgery and/or radiotherapy; STA has neither
  lrt <- dnmbc$surgery == "yes" | dnmbc$radiotherapy == "yes"
  expect_identical(lrt, dnmbc$group == "LRT")
})

test_that("deaths: 118 in all, 64 LRT and 54 STA, as km() counts them", {
  fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
  expect_equal(fit$table$n, c(66, 87))
  expect_equal(fit$table$events, c(54, 64))
  expect_equal(km(Surv(os_months, death) ~ 1, data = dnmbc)$table$events, 118)
})

test_that("every number at risk under Figures 1-5 is reproduced by km()", {
  ar <- published("at_risk.csv")
  times <- seq(0, 135, 15)
  surg <- dnmbc[dnmbc$surgery == "yes", ]
  figs <- list(
    "Figure 1" = list(data = dnmbc, var = "group",
                      map = c(STA = "STA", LRT = "LRT")),
    "Figure 2" = list(data = dnmbc, var = "surgery",
                      map = c(`Non-surgery` = "no", Surgery = "yes")),
    "Figure 3" = list(data = surg, var = "timing",
                      map = c(SAC = "SAC", SBC = "SBC", SDC = "SDC")),
    "Figure 4" = list(data = surg, var = "margin",
                      map = c(Negative = "Negative", Positive = "Positive",
                              Unknown = "Unknown")),
    "Figure 5" = list(data = dnmbc, var = "radiotherapy",
                      map = c(`No RT` = "no", RT = "yes"))
  )
  n_checked <- 0
  for (fig in names(figs)) {
    f <- figs[[fig]]
    fit <- km(stats::as.formula(paste("Surv(os_months, death) ~", f$var)),
              data = f$data)
    tab <- summary(fit, times = times)
    for (g in names(f$map)) {
      want <- ar[ar$figure == fig & ar$group == g, ]
      want <- want$n_risk[order(want$time)]
      got <- tab$n_risk[tab$strata == paste0(f$var, "=", f$map[[g]])]
      expect_equal(got, want, label = paste(fig, g))
      n_checked <- n_checked + 1
    }
  }
  expect_equal(n_checked, length(unique(paste(ar$figure, ar$group))))
})

test_that("follow-up, age and years of diagnosis match the paper", {
  expect_equal(range(dnmbc$os_months), c(5, 128))
  # median follow-up: median time of the patients alive at the cut-off
  expect_equal(median(dnmbc$os_months[dnmbc$death == 0]), 33)
  expect_equal(range(dnmbc$age), c(26, 82))
  expect_equal(median(dnmbc$age), 55.8)
  expect_identical(dnmbc$age <= 50, dnmbc$age_group == "<=50")
  expect_true(all(dnmbc$year_dx >= 2007 & dnmbc$year_dx <= 2017))
  # survivors are censored at 31 Dec 2017: whole months from the month of
  # diagnosis, so between 12 * (2017 - year) and 12 * (2017 - year) + 11;
  # diagnosis is March 2007 at the earliest
  alive <- dnmbc$death == 0
  span <- 12 * (2017 - dnmbc$year_dx)
  expect_true(all(dnmbc$os_months[alive] >= span[alive]))
  expect_true(all(dnmbc$os_months <= pmin(span + 11, 129)))
})

# Table 1 as printed, except the documented resolution of its one internal
# contradiction (molecular subtype of the LRT group; see the vignette).
table1_resolved <- function() {
  t1 <- published("table1.csv")
  fix <- t1$characteristic == "Molecular subtypes"
  t1$LRT[fix & t1$level == "Unknown"] <- 3
  t1$LRT[fix & t1$level == "Triple negative"] <- 8
  t1
}

# the column of each characteristic of Tables 1 and 2, from the package's
# one map of labels
column_of <- function() {
  lab <- paper_labels()
  stats::setNames(names(lab), lab)
}
level_of <- function(lev) sub(" metastasis$", "", lev)

test_that("Table 1 counts by LRT / STA are reproduced", {
  t1 <- table1_resolved()
  printed <- published("table1.csv")
  # the resolution touches exactly two cells, by one patient each
  expect_equal(sum(t1$LRT != printed$LRT), 2)
  expect_equal(sum(abs(t1$LRT - printed$LRT)), 2)
  expect_equal(sum(t1$LRT[-1]), 87 * 8)
  expect_equal(t1$LRT[1], 87)
  expect_equal(t1$STA[1], 66)
  for (i in seq_len(nrow(t1))[-1]) {
    v <- column_of()[[t1$characteristic[i]]]
    lev <- level_of(t1$level[i])
    expect_true(lev %in% levels(dnmbc[[v]]), label = lev)
    got <- c(sum(dnmbc[[v]] == lev & dnmbc$group == "LRT"),
             sum(dnmbc[[v]] == lev & dnmbc$group == "STA"))
    expect_equal(got, c(t1$LRT[i], t1$STA[i]),
                 label = paste(t1$characteristic[i], t1$level[i]))
  }
})

test_that("Table 2 counts by timing of surgery are reproduced exactly", {
  t2 <- published("table2.csv")
  surg <- dnmbc[dnmbc$surgery == "yes", ]
  expect_equal(t2[1, c("SAC", "SBC", "SDC")],
               data.frame(SAC = 30L, SBC = 26L, SDC = 22L))
  for (i in seq_len(nrow(t2))[-1]) {
    v <- column_of()[[t2$characteristic[i]]]
    lev <- level_of(t2$level[i])
    expect_true(lev %in% levels(surg[[v]]), label = lev)
    got <- vapply(c("SAC", "SBC", "SDC"),
                  function(cl) sum(surg[[v]] == lev & surg$timing == cl), 0)
    expect_equal(unname(got), unname(unlist(t2[i, c("SAC", "SBC", "SDC")])),
                 label = paste(t2$characteristic[i], t2$level[i]))
  }
})

test_that("biology holds wherever the published counts allow", {
  d <- dnmbc
  tn <- d$subtype == "Triple negative"
  expect_true(all(d$hr_status[tn] == "Negative" & d$her2[tn] == "Negative"))
  la <- d$subtype == "Luminal A"
  expect_true(all(d$hr_status[la] == "Positive" & d$her2[la] == "Negative"))
  h2 <- d$subtype == "HER-2 positive"
  expect_true(all(d$hr_status[h2] == "Negative" & d$her2[h2] == "Positive"))
  # surgery during chemotherapy: 9 + 7 luminal but 13 HR-positive (Table 2),
  # so exactly three luminal B patients there are HR-negative; none elsewhere
  lb_neg <- d$subtype == "Luminal B" & d$hr_status == "Negative"
  expect_equal(sum(lb_neg), 3)
  expect_true(all(d$timing[lb_neg] == "SDC"))
})

# Soft targets: not exact by construction, but the reconstruction reaches
# them; these guard against a regenerated data set drifting away.
test_that("published medians are reproduced where the constraints allow", {
  est <- published("estimates.csv")
  med <- est[est$quantity == "median_os_months", ]
  want <- function(g) med$estimate[med$group == g]
  surg <- dnmbc[dnmbc$surgery == "yes", ]
  m <- function(f, data, lab) {
    tb <- km(f, data = data)$table
    tb$median[tb$strata == lab]
  }
  f <- Surv(os_months, death) ~ group
  expect_equal(m(f, dnmbc, "group=LRT"), want("LRT"))
  expect_equal(m(f, dnmbc, "group=STA"), want("STA"))
  f <- Surv(os_months, death) ~ surgery
  expect_lte(abs(m(f, dnmbc, "surgery=yes") - want("Surgery")), 1)  # 43 vs 42
  expect_equal(m(f, dnmbc, "surgery=no"), want("Non-surgery"))
  f <- Surv(os_months, death) ~ timing
  for (g in c("SAC", "SBC", "SDC")) {
    expect_equal(m(f, surg, paste0("timing=", g)), want(g), label = g)
  }
  f <- Surv(os_months, death) ~ margin
  expect_equal(m(f, surg, "margin=Negative"), want("Negative"))
  expect_equal(m(f, surg, "margin=Positive"), want("Positive"))
  f <- Surv(os_months, death) ~ radiotherapy
  expect_equal(m(f, dnmbc, "radiotherapy=yes"), want("RT"))
  # the no-RT median (published 37) is the one the search cannot reach
  expect_lt(m(f, dnmbc, "radiotherapy=no"), want("No RT"))
})

test_that("published hazard ratios are reproduced to two decimals", {
  hr <- function(f, data) {
    round(hr_table(cox(f, data = data, ties = "breslow"))$hr[1], 2)
  }
  surg <- dnmbc[dnmbc$surgery == "yes", ]
  surg$timing_score <- as.integer(surg$timing)
  known <- surg[surg$margin != "Unknown", ]
  expect_equal(hr(Surv(os_months, death) ~ group + strata(met_site), dnmbc), 0.47)
  expect_equal(hr(Surv(os_months, death) ~ group, dnmbc), 0.47)
  expect_equal(hr(Surv(os_months, death) ~ surgery, dnmbc), 0.48)
  expect_equal(hr(Surv(os_months, death) ~ timing_score, surg), 0.79)
  expect_equal(hr(Surv(os_months, death) ~ margin, known), 2.35)
  expect_equal(hr(Surv(os_months, death) ~ radiotherapy, dnmbc), 0.65)
})
