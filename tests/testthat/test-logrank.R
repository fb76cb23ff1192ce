# logrank() against survival::survdiff, the trend test against its formula,
# hand-computed small cases, an independent reference, invariances, edge
# cases and every user-facing error.

# Compare a cs_logrank fit with a survdiff fit, part by part.
compare_survdiff <- function(fit, sfit, tol = 1e-10) {
  obs <- if (is.matrix(sfit$obs)) rowSums(sfit$obs) else sfit$obs
  ex <- if (is.matrix(sfit$exp)) rowSums(sfit$exp) else sfit$exp
  expect_equal(as.character(fit$groups$group), names(sfit$n))
  expect_equal(fit$groups$n, as.vector(sfit$n))
  expect_close(fit$groups$observed, obs, tol)
  expect_close(fit$groups$expected, ex, tol)
  expect_close(fit$groups$o_minus_e, obs - ex, tol)
  expect_close(fit$variance, sfit$var, tol)
  expect_close(fit$groups$variance, diag(sfit$var), tol)
  expect_close(fit$statistic, sfit$chisq, tol)
  expect_close(fit$p_value, sfit$pvalue, tol)
  expect_identical(fit$df, as.integer(sum(ex > 0) - 1))
  if (is.matrix(sfit$obs)) {
    bs <- fit$by_stratum
    expect_close(bs$observed, as.vector(sfit$obs), tol)
    expect_close(bs$expected, as.vector(sfit$exp), tol)
    # survdiff labels a single strata() factor by its levels only
    expect_equal(length(levels(bs$stratum)), length(sfit$strata))
    expect_true(all(endsWith(levels(bs$stratum), names(sfit$strata))))
  }
}

test_that("logrank() agrees with survdiff on survival's datasets, rho = 0 and 1", {
  cases <- list(
    list(Surv(time, status) ~ sex, lung),
    list(Surv(time, status) ~ sex + strata(ph.ecog), lung),
    list(Surv(time, status) ~ ph.ecog, lung),
    list(Surv(time, status) ~ sex + ph.ecog, lung),
    list(Surv(time, status) ~ trt + strata(celltype), veteran),
    list(Surv(time, status) ~ celltype, veteran),
    list(Surv(time, status) ~ celltype + strata(trt, prior), veteran),
    list(Surv(futime, fustat) ~ rx, ovarian),
    list(Surv(futime, fustat) ~ rx + strata(resid.ds), ovarian),
    list(Surv(time, status) ~ x, aml),
    list(Surv(time, status) ~ rx + strata(sex), colon),
    list(Surv(time, status == 2) ~ trt, pbc),
    list(Surv(time, status == 2) ~ edema + strata(sex), pbc)
  )
  for (cs in cases) {
    for (rho in c(0, 1, 0.5)) {
      compare_survdiff(logrank(cs[[1]], data = cs[[2]], rho = rho),
                       survdiff(cs[[1]], data = cs[[2]], rho = rho))
    }
  }
})

test_that("logrank() agrees with survdiff on random data with heavy ties and many strata", {
  for (seed in 1:8) {
    d <- random_surv(400, n_groups = 4, n_times = 10, seed = seed)
    set.seed(seed)
    d$centre <- factor(sample(1:9, nrow(d), replace = TRUE))
    for (rho in c(0, 1, 2)) {
      compare_survdiff(logrank(Surv(time, status) ~ group, d, rho = rho),
                       survdiff(Surv(time, status) ~ group, d, rho = rho))
      compare_survdiff(
        logrank(Surv(time, status) ~ group + strata(centre), d, rho = rho),
        survdiff(Surv(time, status) ~ group + strata(centre), d, rho = rho))
      compare_survdiff(
        logrank(Surv(time, status) ~ group + sex + strata(centre), d,
                rho = rho),
        survdiff(Surv(time, status) ~ group + sex + strata(centre), d,
                 rho = rho))
    }
  }
})

test_that("the sorting kernel (fractional or far-apart times) agrees with survdiff and the counting kernel", {
  for (seed in 1:4) {
    d <- random_surv(400, n_groups = 3, n_times = 12, seed = seed)
    set.seed(seed)
    d$centre <- factor(sample(1:5, nrow(d), replace = TRUE))
    d$tf <- d$time / 7 + 0.1      # fractional: sorted
    d$tb <- d$time * 1e6          # whole numbers over a wide range: sorted
    for (rho in c(0, 1)) {
      f_int <- logrank(Surv(time, status) ~ group + strata(centre), d,
                       rho = rho)
      for (tv in c("tf", "tb")) {
        f <- stats::as.formula(paste0("Surv(", tv,
                                      ", status) ~ group + strata(centre)"))
        fit <- logrank(f, d, rho = rho, pairwise = TRUE)
        compare_survdiff(fit, survdiff(f, d, rho = rho))
        expect_close(fit$statistic, f_int$statistic, 1e-12)
        expect_close(fit$variance, f_int$variance, 1e-12)
      }
    }
  }
  for (test in c("gehan", "tarone-ware")) {
    d <- random_surv(300, n_groups = 3, n_times = 9, seed = 5)
    a <- logrank(Surv(time, status) ~ group, d, test = test, pairwise = TRUE)
    b <- logrank(Surv(time / 3 + 0.5, status) ~ group, d, test = test,
                 pairwise = TRUE)
    expect_close(a$statistic, b$statistic, 1e-12)
    expect_close(a$pairwise$statistic, b$pairwise$statistic, 1e-12)
  }
})

test_that("the trend statistic is (w'U)^2 / (w'Vw) from survdiff's obs, exp, var", {
  trend_from <- function(s, w) {
    u <- if (is.matrix(s$obs)) rowSums(s$obs - s$exp) else s$obs - s$exp
    sum(w * u)^2 / drop(t(w) %*% s$var %*% w)
  }
  lung2 <- lung[!is.na(lung$ph.ecog) & lung$ph.ecog < 3, ]
  for (rho in c(0, 1)) {
    fit <- logrank(Surv(time, status) ~ ph.ecog, lung2, rho = rho,
                   trend = TRUE)
    s <- survdiff(Surv(time, status) ~ ph.ecog, lung2, rho = rho)
    expect_close(fit$trend$statistic, trend_from(s, 1:3))
    expect_close(fit$trend$p_value,
                 pchisq(trend_from(s, 1:3), 1, lower.tail = FALSE))
    expect_equal(unname(attr(fit$trend, "scores")), 1:3)
    fit <- logrank(Surv(time, status) ~ ph.ecog + strata(sex), lung2,
                   rho = rho, scores = c(0, 1, 4))
    s <- survdiff(Surv(time, status) ~ ph.ecog + strata(sex), lung2,
                  rho = rho)
    expect_close(fit$trend$statistic, trend_from(s, c(0, 1, 4)))
  }
  d <- random_surv(500, n_groups = 5, n_times = 8, seed = 11)
  fit <- logrank(Surv(time, status) ~ group + strata(sex), d, trend = TRUE)
  s <- survdiff(Surv(time, status) ~ group + strata(sex), d)
  expect_close(fit$trend$statistic, trend_from(s, 1:5))
  # scores shifted and scaled give the same test
  fit2 <- logrank(Surv(time, status) ~ group + strata(sex), d,
                  scores = 10 + 3 * (1:5))
  expect_close(fit2$trend$statistic, fit$trend$statistic)
  # with two groups the trend test is the overall test
  fit <- logrank(Surv(time, status) ~ sex, lung, trend = TRUE)
  expect_close(fit$trend$statistic, fit$statistic)
})

# A hand-computed example: group a dies at 1 and 3 and is censored at 5,
# group b dies at 2 and 3 and is censored at 4.
#   t  n  n_a  d  d_a  S(t-)   n_a/n  d(n-d)/(n-1) * (n_a/n)(1-n_a/n)
#   1  6   3   1   1   1       1/2    1 * 1/4   = 1/4
#   2  5   2   1   0   5/6     2/5    1 * 6/25  = 6/25
#   3  4   2   2   1   2/3     1/2    2/3 * 1/4 = 1/6 * 2 = 1/3
# so U_a = sum w (d_a - d n_a / n) and V_aa = sum w^2 (last column):
#   log-rank     w = 1:        U = 1/2 - 2/5 + 0 = 1/10, V = 247/300
#   Gehan        w = n:        U = 3 - 2 = 1,  V = 9 + 6 + 16/3 = 61/3
#   Tarone-Ware  w = sqrt(n):  U = sqrt(6)/2 - 2 sqrt(5)/5, V = 121/30
#   FH(0, 1)     w = 1 - S:    U = -1/15, V = 1/150 + 1/27 = 59/1350
#   FH(1, 1)     w = S (1 - S): U = -1/18, V = 1/216 + 4/243 = 41/1944
hand <- data.frame(time = c(1, 3, 5, 2, 3, 4), status = c(1, 1, 0, 1, 1, 0),
                   g = c("a", "a", "a", "b", "b", "b"))

test_that("hand-computed log-rank, Gehan, Tarone-Ware and FH(rho, gamma)", {
  check <- function(fit, u, v) {
    expect_close(fit$groups$o_minus_e, c(u, -u), 1e-12)
    expect_close(fit$variance, matrix(c(v, -v, -v, v), 2), 1e-12)
    expect_close(fit$statistic, u^2 / v, 1e-12)
    expect_identical(fit$df, 1L)
  }
  check(logrank(Surv(time, status) ~ g, hand), 1 / 10, 247 / 300)
  fit <- logrank(Surv(time, status) ~ g, hand, test = "gehan")
  check(fit, 1, 61 / 3)
  expect_equal(fit$groups$observed, c(6 + 4, 5 + 4))
  expect_equal(fit$groups$expected, c(3 + 2 + 4, 3 + 3 + 4))
  expect_equal(fit$groups$events, c(2, 2))
  check(logrank(Surv(time, status) ~ g, hand, test = "tarone-ware"),
        sqrt(6) / 2 - 2 * sqrt(5) / 5, 121 / 30)
  check(logrank(Surv(time, status) ~ g, hand, rho = 0, gamma = 1),
        -1 / 15, 59 / 1350)
  check(logrank(Surv(time, status) ~ g, hand, rho = 1, gamma = 1),
        -1 / 18, 41 / 1944)
  expect_close(logrank(Surv(time, status) ~ g, hand, rho = 0,
                       gamma = 1)$statistic, 6 / 59, 1e-12)
  expect_close(logrank(Surv(time, status) ~ g, hand, rho = 1,
                       gamma = 1)$statistic, 6 / 41, 1e-12)
})

test_that("weights agree with a loop-by-loop reference on random data", {
  weights <- list(
    fh = list(args = list(test = "fh", rho = 0.5, gamma = 2),
              w = function(n, s) s^0.5 * (1 - s)^2),
    gehan = list(args = list(test = "gehan"), w = function(n, s) n),
    tw = list(args = list(test = "tarone-ware"), w = function(n, s) sqrt(n))
  )
  for (seed in 1:3) {
    d <- random_surv(200, n_groups = 3, n_times = 9, seed = seed,
                     counting = TRUE)
    for (wt in weights) {
      fit <- do.call(logrank, c(list(Surv(time, status) ~ group +
                                       strata(sex), d), wt$args))
      ref <- ref_logrank(d$time, d$status, d$group, d$sex, weight = wt$w)
      expect_close(fit$groups$o_minus_e, ref$U)
      expect_close(fit$variance, ref$V)
      expect_close(fit$statistic, ref$chisq)
      fit <- do.call(logrank, c(list(Surv(start, time, status) ~ group, d),
                                wt$args))
      ref <- ref_logrank(d$time, d$status, d$group, start = d$start,
                         weight = wt$w)
      expect_close(fit$groups$o_minus_e, ref$U)
      expect_close(fit$variance, ref$V)
      expect_close(fit$statistic, ref$chisq)
    }
  }
})

test_that("delayed entry: split follow-up gives the right-censored test; rho = 0 is coxph's exact score test", {
  sp <- survSplit(Surv(time, status) ~ ., data = lung,
                  cut = c(100, 250, 400, 600), episode = "ep")
  for (args in list(list(rho = 0), list(rho = 1), list(rho = 1, gamma = 1),
                    list(test = "gehan"), list(test = "tarone-ware"))) {
    a <- do.call(logrank, c(list(Surv(tstart, time, status) ~ sex +
                                   strata(ph.ecog), sp), args))
    b <- do.call(logrank, c(list(Surv(time, status) ~ sex +
                                   strata(ph.ecog), lung), args))
    expect_close(a$statistic, b$statistic)
    expect_close(a$groups$o_minus_e, b$groups$o_minus_e)
    expect_equal(a$type, "counting")
  }
  set.seed(5)
  d <- data.frame(time = sample(1:40, 60, TRUE), status = rbinom(60, 1, 0.6),
                  g = factor(sample(letters[1:3], 60, TRUE)))
  d$start <- pmax(0, d$time - sample(1:10, 60, TRUE))
  cf <- coxph(Surv(start, time, status) ~ g, d, ties = "exact",
              iter.max = 0)
  expect_close(logrank(Surv(start, time, status) ~ g, d)$statistic, cf$score,
               1e-8)
})

test_that("pairwise tests are survdiff on each pair, adjusted by p.adjust", {
  lung2 <- lung[!is.na(lung$ph.ecog) & lung$ph.ecog < 3, ]
  for (rho in c(0, 1)) {
    fit <- logrank(Surv(time, status) ~ ph.ecog + strata(sex), lung2,
                   rho = rho, pairwise = TRUE, p_adjust = "BH")
    pw <- fit$pairwise
    expect_equal(nrow(pw), 3L)
    expect_equal(as.character(pw$group1),
                 c("ph.ecog=0", "ph.ecog=0", "ph.ecog=1"))
    expect_equal(as.character(pw$group2),
                 c("ph.ecog=1", "ph.ecog=2", "ph.ecog=2"))
    pairs <- list(c(0, 1), c(0, 2), c(1, 2))
    for (j in 1:3) {
      s <- survdiff(Surv(time, status) ~ ph.ecog + strata(sex),
                    lung2[lung2$ph.ecog %in% pairs[[j]], ], rho = rho)
      expect_close(pw$statistic[j], s$chisq)
      expect_close(pw$p_value[j], s$pvalue)
    }
    expect_equal(pw$p_adjusted, p.adjust(pw$p_value, "BH"))
  }
  fit <- logrank(Surv(time, status) ~ celltype, veteran, pairwise = TRUE)
  expect_equal(nrow(fit$pairwise), 6L)
  expect_equal(fit$pairwise$p_adjusted, p.adjust(fit$pairwise$p_value, "holm"))
  # delayed entry: a pair uses the entries of its own groups only
  d <- random_surv(200, n_groups = 3, seed = 4, counting = TRUE)
  fit <- logrank(Surv(start, time, status) ~ group, d, pairwise = TRUE)
  sub <- d[d$group %in% c("a", "c"), ]
  expect_close(fit$pairwise$statistic[2],
               logrank(Surv(start, time, status) ~ group, sub)$statistic)
})

test_that("row order and the vector-level fitter give the same test", {
  d <- random_surv(300, n_groups = 3, n_times = 12, seed = 7)
  fit <- logrank(Surv(time, status) ~ group + strata(sex), d, rho = 1)
  p <- d[sample(nrow(d)), ]
  fit2 <- logrank(Surv(time, status) ~ group + strata(sex), p, rho = 1)
  expect_close(fit2$statistic, fit$statistic, 1e-12)
  expect_close(fit2$variance, fit$variance, 1e-12)
  fit3 <- logrank_fit(d$time, d$status, d$group, strata = d$sex, rho = 1)
  expect_equal(fit3$statistic, fit$statistic)
  expect_equal(fit3$groups[-1], fit$groups[-1])
  # logical status and factor levels in their own order
  fit4 <- logrank_fit(d$time, d$status == 1,
                      factor(d$group, levels = c("c", "b", "a")))
  expect_equal(as.character(fit4$groups$group), c("c", "b", "a"))
  expect_close(fit4$statistic,
               survdiff(Surv(time, status) ~ group, d)$chisq)
})

test_that("edge cases: a group with no events, one-group strata, no events, disjoint groups", {
  d <- random_surv(200, n_groups = 3, n_times = 10, seed = 2)
  d$status[d$group == "b"] <- 0
  compare_survdiff(logrank(Surv(time, status) ~ group, d),
                   survdiff(Surv(time, status) ~ group, d))
  expect_equal(logrank(Surv(time, status) ~ group, d)$groups$events[2], 0)

  # a stratum holding one group only contributes nothing
  d <- random_surv(200, n_groups = 2, n_times = 10, seed = 3)
  d$s <- "s1"
  extra <- data.frame(time = c(2, 4, 6), status = c(1, 1, 0), group = "a",
                      s = "s2")
  d2 <- rbind(d[c("time", "status", "group", "s")], extra)
  a <- logrank(Surv(time, status) ~ group + strata(s), d2)
  b <- logrank(Surv(time, status) ~ group, d)
  expect_close(a$statistic, b$statistic, 1e-12)
  expect_close(a$variance, b$variance, 1e-12)
  expect_equal(a$groups$observed, b$groups$observed + c(2, 0))
  expect_equal(a$groups$expected, b$groups$expected + c(2, 0))
  compare_survdiff(a, survdiff(Surv(time, status) ~ group + strata(s), d2))

  # a group with no expected deaths leaves the test, as in survdiff
  d3 <- rbind(d[c("time", "status", "group", "s")],
              data.frame(time = 0.5, status = 0, group = "z", s = "s1"))
  fit <- logrank(Surv(time, status) ~ group, d3)
  expect_identical(fit$df, 1L)
  compare_survdiff(fit, survdiff(Surv(time, status) ~ group, d3))

  # nothing but censored rows: statistic 0, no p-value, a warning
  d$status <- 0
  expect_warning(fit <- logrank(Surv(time, status) ~ group, d),
                 "no events", class = "cohortsurv_warning_no_events")
  expect_equal(fit$statistic, 0)
  expect_identical(fit$df, 0L)
  expect_true(is.na(fit$p_value))
  expect_output(print(fit), "p= NA")

  # groups that never share a risk set: a generalized inverse, df = rank
  set.seed(9)
  e <- data.frame(time = sample(1:8, 90, TRUE), status = rbinom(90, 1, 0.7),
                  g = rep(c("a", "b", "c"), each = 30),
                  s = rep(c("s1", "s2", "s2"), each = 30))
  fit <- logrank(Surv(time, status) ~ g + strata(s), e)
  expect_identical(fit$df, 1L)
  expect_close(fit$statistic,
               survdiff(Surv(time, status) ~ g, e[e$s == "s2", ])$chisq)
})

test_that("missing values are dropped and reported; subset works", {
  fit <- logrank(Surv(time, status) ~ ph.ecog, lung)
  expect_equal(fit$n_dropped, 1L)
  expect_output(print(fit), "1 observation deleted due to missingness")
  fit <- logrank(Surv(time, status) ~ sex, lung, subset = age > 60)
  compare_survdiff(fit, survdiff(Surv(time, status) ~ sex, lung,
                                 subset = age > 60))
})

test_that("print() shows the survdiff table, method, trend and pairwise tests", {
  fit <- logrank(Surv(time, status) ~ sex + strata(ph.ecog), lung, rho = 1,
                 trend = TRUE, pairwise = TRUE)
  out <- capture.output(print(fit))
  expect_true(any(grepl("^Call:", out)))
  expect_true(any(grepl("Peto-Peto test", out)))
  expect_true(any(grepl("Strata: ph.ecog", out)))
  expect_true(any(grepl("N Observed Expected (O-E)^2/E (O-E)^2/V", out,
                        fixed = TRUE)))
  expect_true(any(grepl("Chisq= 13.9  on 1 degrees of freedom, p= 2e-04",
                        out, fixed = TRUE)))
  expect_true(any(grepl("Trend: Chisq=13.9", out, fixed = TRUE)))
  expect_true(any(grepl("Pairwise comparisons", out, fixed = TRUE)))
  capture.output(v <- withVisible(print(fit)))
  expect_false(v$visible)
  expect_identical(v$value, fit)
  expect_match(logrank(Surv(time, status) ~ sex, lung)$method,
               "^Log-rank \\(Mantel-Haenszel\\) test")
  expect_match(logrank(Surv(time, status) ~ sex, lung, test = "gehan")$method,
               "^Gehan-Breslow")
  expect_match(logrank(Surv(time, status) ~ sex, lung,
                       test = "tarone-ware")$method, "^Tarone-Ware")
  expect_match(logrank(Surv(time, status) ~ sex, lung, rho = 0,
                       gamma = 1)$method, "^Fleming-Harrington G\\(0, 1\\)")
  s <- summary(fit)
  expect_equal(s$test, c("overall", "trend", "sex=1 vs sex=2"))
  expect_equal(s$statistic[1], fit$statistic)
})

test_that("bad input gets a clear error naming the argument", {
  d <- data.frame(t = c(5, 8, -3, 4), s = c(1, 0, 1, 1), g = c(1, 1, 2, 2))
  expect_error(logrank(Surv(t, s) ~ g, d),
               "`time` \\(t\\) must be non-negative; row 3 is -3",
               class = "cohortsurv_error")
  d$t[3] <- 3
  d$s[2] <- 3
  expect_error(logrank(Surv(t, s) ~ g, d),
               "`status` \\(s\\) must be coded 0/1.*row 2 is 3",
               class = "cohortsurv_error")
  d$s[2] <- 0
  expect_error(logrank(Surv(t, s) ~ 1, d), "no grouping variable",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ strata(g), d), "no grouping variable",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, subset = g == 1),
               "`group` has a single group .*nothing to compare",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ nope, d), "`formula` refers to `nope`",
               class = "cohortsurv_error")
  expect_error(logrank(t ~ g, d), "must have a Surv\\(\\) response",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s, type = "left") ~ g, d),
               "not supported", class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, test = "wilcoxon"),
               "`test` must be one of", class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, rho = -1),
               "`rho` must be a single finite non-negative number; it is -1",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, gamma = c(1, 2)),
               "`gamma` must be a single finite non-negative number",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, test = "gehan", rho = 1),
               "`rho` and `gamma` apply only to test = \"fh\"",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, trend = NA),
               "`trend` must be TRUE or FALSE", class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, pairwise = "yes"),
               "`pairwise` must be TRUE or FALSE", class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, scores = 1:3),
               "`scores` must be 2 finite numbers, one per group \\(g=1, g=2\\)",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, scores = c(2, 2)),
               "`scores` must not all be equal", class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, pairwise = TRUE, p_adjust = "tukey"),
               "`p_adjust` must be one of .*; it is \"tukey\"",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, "d"), "`data` must be a data frame",
               class = "cohortsurv_error")
  expect_error(logrank(Surv(t, s) ~ g, d, subset = t > 100),
               "no rows are left", class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2), c(1, 0), group = "a"),
               "`group` must have one element per row \\(2\\)",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2), c(1, 0), group = c("a", NA)),
               "`group` must not contain missing values",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, -2), c(1, 0), group = c("a", "b")),
               "`time` must be finite and non-negative; row 2 is -2",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2), c(1, 0), group = c("a", "b"),
                           start = c(0, 3)),
               "`start` must be non-negative and below `time`",
               class = "cohortsurv_error")
})
