# The one-call path of logrank_fit() and logrank() (cpp_logrank_fit(),
# through logrank_fast()): checked against survival::survdiff on random
# data with heavy ties and strata, against the general R path
# (logrank_engine()) to the bit, for every input type it takes and both of
# its routes (counting per cell, sorting in C++); invariances; and the
# errors, which it leaves to the general path's checks. (The tests have no
# case weights: logrank() has none, as survdiff.)

# logrank_fit() by the general R path: what the fast path must equal.
engine_fit <- function(time, status, group, strata = NULL, test = "fh",
                       rho = 0, gamma = 0) {
  y <- cbind(time, status)
  logrank_engine(y, group, strata, test, rho, gamma, FALSE, NULL, FALSE,
                 "holm")
}

expect_same_fit <- function(fast, slow) {
  fast$call <- NULL
  slow$call <- NULL
  expect_identical(fast, slow)
  # attributes in the same order too (identical() ignores their order)
  expect_identical(utils::capture.output(dput(fast)),
                   utils::capture.output(dput(slow)))
}

fast_survdiff <- function(fit, sfit, tol = 1e-10) {
  obs <- if (is.matrix(sfit$obs)) rowSums(sfit$obs) else sfit$obs
  ex <- if (is.matrix(sfit$exp)) rowSums(sfit$exp) else sfit$exp
  expect_equal(fit$groups$n, as.vector(sfit$n))
  expect_close(fit$groups$observed, obs, tol)
  expect_close(fit$groups$expected, ex, tol)
  expect_close(fit$variance, sfit$var, tol)
  expect_close(fit$statistic, sfit$chisq, tol)
  expect_close(fit$p_value, sfit$pvalue, tol)
}

test_that("the fast path takes the common inputs and equals survdiff", {
  for (seed in 1:6) {
    set.seed(seed)
    n <- c(40, 600, 3000)[seed %% 3 + 1]
    d <- data.frame(
      time = sample.int(c(5L, 60L, 3650L)[seed %% 3 + 1], n, replace = TRUE),
      status = rbinom(n, 1, 0.7),
      g = sample(1:3, n, replace = TRUE),
      s = sample(c("a", "b", "c", "d"), n, replace = TRUE)
    )
    for (rho in c(0, 1, 0.5)) {
      fit <- logrank_fit(d$time, d$status, d$g, rho = rho)
      expect_false(is.null(logrank_fast(d$time, d$status, d$g, NULL, "fh",
                                        rho, 0, "holm", FALSE)))
      fast_survdiff(fit, survdiff(Surv(time, status) ~ g, d, rho = rho))
      fit <- logrank_fit(d$time, d$status, d$g, strata = d$s, rho = rho)
      fast_survdiff(fit, survdiff(Surv(time, status) ~ g + strata(s), d,
                                  rho = rho))
      f <- logrank(Surv(time, status) ~ g + strata(s), d, rho = rho)
      fast_survdiff(f, survdiff(Surv(time, status) ~ g + strata(s), d,
                                rho = rho))
    }
  }
})

test_that("both routes of the fast path equal survdiff on continuous times", {
  for (seed in 1:4) {
    set.seed(seed)
    n <- 300
    # fractional times (the sorting route), with ties
    d <- data.frame(time = round(rexp(n) * 10, 1), status = rbinom(n, 1, 0.6),
                    g = factor(sample(c("x", "y", "z"), n, replace = TRUE)),
                    s = sample(1:3, n, replace = TRUE))
    expect_false(is.null(logrank_fast(d$time, d$status, d$g, d$s, "fh", 0,
                                      0, "holm", FALSE)))
    for (rho in c(0, 1)) {
      fast_survdiff(logrank_fit(d$time, d$status, d$g, strata = d$s,
                                rho = rho),
                    survdiff(Surv(time, status) ~ g + strata(s), d,
                             rho = rho))
      fast_survdiff(logrank(Surv(time, status) ~ g, d, rho = rho,
                            timefix = FALSE),
                    survdiff(Surv(time, status) ~ g, d, rho = rho))
    }
    # whole times on a wide range at small n: more cells than the counting
    # route takes, so the rows are sorted; and on a narrow range, counted
    d$time2 <- sample.int(1e5, n, replace = TRUE)
    fast_survdiff(logrank_fit(d$time2, d$status, d$g, strata = d$s),
                  survdiff(Surv(time2, status) ~ g + strata(s), d))
    d$time3 <- sample.int(4, n, replace = TRUE)
    fast_survdiff(logrank_fit(d$time3, d$status, d$g, strata = d$s),
                  survdiff(Surv(time3, status) ~ g + strata(s), d))
  }
})

test_that("the fast path equals the general path to the bit, for every input type", {
  for (seed in 1:40) {
    set.seed(seed)
    n <- sample(c(3, 20, 150, 700), 1)
    time <- switch(seed %% 4 + 1,
                   sample.int(12L, n, replace = TRUE),
                   as.double(sample.int(500L, n, replace = TRUE)),
                   round(rexp(n) * 5, 2),
                   sample.int(2e5L, n, replace = TRUE))
    s01 <- rbinom(n, 1, 0.5)
    status <- switch(seed %% 3 + 1, s01, as.logical(s01), as.double(s01))
    k <- sample(2:4, n, replace = TRUE)
    group <- switch(seed %% 5 + 1,
                    k,
                    factor(letters[k], levels = letters[6:1]),
                    as.double(k) * 100,
                    letters[k],
                    k > 2)
    strata <- switch(seed %% 4 + 1, NULL, sample.int(3, n, TRUE),
                     factor(sample(c("u", "v"), n, TRUE), levels = c("w", "v", "u")),
                     sample(c("p", "q"), n, TRUE))
    test <- c("fh", "gehan", "tarone-ware")[seed %% 3 + 1]
    rho <- if (test == "fh") seed %% 2 else 0
    if (length(unique(group)) < 2) next
    fast <- suppressWarnings(logrank_fit(time, status, group, strata = strata,
                                         test = test, rho = rho))
    expect_false(is.null(suppressWarnings(
      logrank_fast(time, status, group, strata, test, rho, 0, "holm", FALSE))))
    slow <- suppressWarnings(engine_fit(time, status, group, strata, test, rho))
    expect_same_fit(fast, slow)
  }
})

test_that("logrank() by the fast path equals the general path to the bit", {
  d <- random_surv(500, n_groups = 3, n_times = 40, seed = 3)
  d$time[1:5] <- d$time[1:5] + 0.5
  for (f in list(Surv(time, status) ~ group,
                 Surv(time, status) ~ group + sex,
                 Surv(time, status) ~ group + strata(sex))) {
    fit <- logrank(f, data = d, rho = 1)
    sf <- surv_frame(call("logrank", formula = f, data = quote(d)),
                     environment(), fun = "logrank")
    gv <- grouping_terms(sf, "logrank", strata = FALSE)
    sp <- split_strata(sf$mf, sf$terms)
    grp <- combine_factors(new_frame(unclass(sf$mf)[gv]))
    slow <- logrank_engine(sf$y, grp, sp$strata, "fh", 1, 0, FALSE, NULL,
                           FALSE, "holm", timefix = TRUE)
    slow$strata_vars <- sp$strata_vars
    fit$call <- slow$call <- NULL
    expect_identical(fit, slow)
  }
})

test_that("the fast path leaves what it does not take to the general path", {
  d <- random_surv(200, seed = 4)
  # nearly equal times that timefix merges
  d$time2 <- d$time + c(0, 1e-10)[1 + (seq_len(200) %% 2)]
  expect_null(logrank_fast(as.matrix(d[c("time2", "status")]), NULL, d$group,
                           NULL, "fh", 0, 0, "holm", TRUE))
  fast_survdiff(logrank(Surv(time2, status) ~ group, d),
                survdiff(Surv(time2, status) ~ group, d))
  # classed vectors, fractional groups, missing values: NULL
  expect_null(logrank_fast(as.Date(d$time, origin = "1970-01-01"), d$status, d$group, NULL, "fh",
                           0, 0, "holm", FALSE))
  expect_null(logrank_fast(d$time, d$status, d$time / 3, NULL, "fh", 0, 0,
                           "holm", FALSE))
  expect_null(logrank_fast(d$time, replace(d$status, 3, NA), d$group, NULL,
                           "fh", 0, 0, "holm", FALSE))
  expect_null(logrank_fast(d$time, d$status, replace(d$sex, 2, NA), NULL,
                           "fh", 0, 0, "holm", FALSE))
  expect_null(logrank_fast(d$time, d$status, d$group,
                           replace(d$w, 5, NA), "fh", 0, 0, "holm", FALSE))
  # a fractional group still works, by the general path
  g <- d$w / 2
  fast_survdiff(logrank_fit(d$time, d$status, g),
                survdiff(Surv(d$time, d$status) ~ g))
  # trend and pairwise tests take the general path
  fit <- logrank_fit(d$time, d$status, d$group, trend = TRUE, pairwise = TRUE)
  expect_false(is.null(fit$trend))
  expect_false(is.null(fit$pairwise))
})

test_that("the fast path is invariant to the order of the rows", {
  set.seed(9)
  n <- 400
  time <- sample.int(30, n, replace = TRUE)
  status <- rbinom(n, 1, 0.6)
  g <- sample(1:3, n, replace = TRUE)
  s <- sample(1:2, n, replace = TRUE)
  o <- sample(n)
  a <- logrank_fit(time, status, g, strata = s, rho = 1)
  b <- logrank_fit(time[o], status[o], g[o], strata = s[o], rho = 1)
  expect_close(a$statistic, b$statistic, 1e-12)
  expect_close(a$variance, b$variance, 1e-12)
  expect_close(a$by_stratum$expected, b$by_stratum$expected, 1e-12)
  # fractional times: the sorting route
  tf <- time + 0.25
  a <- logrank_fit(tf, status, g, strata = s)
  b <- logrank_fit(tf[o], status[o], g[o], strata = s[o])
  expect_close(a$statistic, b$statistic, 1e-12)
})

test_that("the fast path warns when there are no events", {
  expect_warning(fit <- logrank_fit(c(1, 2, 3, 4), c(0, 0, 0, 0), c(1, 1, 2, 2)),
                 class = "cohortsurv_warning_no_events")
  expect_true(is.na(fit$p_value))
})

test_that("bad vectors give the general path's errors", {
  expect_error(logrank_fit(c(1, NA, 3), c(1, 0, 1), 1:3),
               "`time` must be finite and non-negative; row 2 is NA",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1L, -2L, 3L), c(1, 0, 1), 1:3),
               "`time` must be finite and non-negative; row 2 is -2",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, Inf, 3), c(1, 0, 1), 1:3),
               "`time` must be finite and non-negative; row 2 is Inf",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 2, 1), 1:3),
               "`status` must be 0/1 or FALSE/TRUE", class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, NA, 1), 1:3),
               "`status` must be 0/1 or FALSE/TRUE", class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 0), 1:3),
               "`status` must have the length of `time` \\(3\\)",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 0, 1), c(1L, NA, 2L)),
               "`group` must not contain missing values; row 2 is NA",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 0, 1), 1:2),
               "`group` must have one element per row \\(3\\)",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 0, 1), c(5L, 5L, 5L)),
               "`group` has a single group \\(\"5\"\\)",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 0, 1), 1:3, strata = c(1, NA, 1)),
               # (check_fit_vectors() in R/km.R words it "must be not")
               "`strata` must (be )?not contain missing values; row 2 is NA",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2, 3), c(1, 0, 1), 1:3, strata = 1:2),
               "`strata` must have one element per row \\(3\\)",
               class = "cohortsurv_error")
  expect_error(logrank_fit("a", 1, 1), "`time` must be numeric",
               class = "cohortsurv_error")
  expect_error(logrank_fit(numeric(), numeric(), integer()),
               "`time` must have at least one element",
               class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2), c(1, 0), 1:2, test = "wilcoxon"),
               "`test` must be one of", class = "cohortsurv_error")
  expect_error(logrank_fit(c(1, 2), c(1, 0), 1:2, rho = -1),
               "`rho` must be a single finite non-negative number; it is -1",
               class = "cohortsurv_error")
})

test_that("whole times beyond 2^31 take the sorting route, to the bit", {
  set.seed(11)
  n <- 300
  time <- 3e9 + sample.int(50, n, replace = TRUE)
  status <- rbinom(n, 1, 0.6)
  g <- sample(c("a", "b"), n, replace = TRUE)
  s <- sample(1:3, n, replace = TRUE)
  expect_false(is.null(logrank_fast(time, status, g, s, "fh", 1, 0, "holm",
                                    FALSE)))
  expect_same_fit(logrank_fit(time, status, g, strata = s, rho = 1),
                  engine_fit(time, status, g, s, rho = 1))
  # and equal those of the same data shifted to small times
  a <- logrank_fit(time, status, g, strata = s, rho = 1)
  b <- logrank_fit(time - 3e9, status, g, strata = s, rho = 1)
  expect_identical(a$statistic, b$statistic)
  expect_identical(a$by_stratum, b$by_stratum)
})
