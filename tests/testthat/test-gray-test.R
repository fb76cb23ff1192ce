# gray_test(): Gray's K-sample test against cmprsk::cuminc()$Tests.

gray_mgus <- function() {
  d <- survival::mgus2
  d$etime <- ifelse(d$pstat == 1, d$ptime, d$futime)
  d$event <- factor(ifelse(d$pstat == 1, 1, 2 * d$death), 0:2,
                    c("censor", "pcm", "death"))
  d
}

expect_gray_equal <- function(g, tests, tol = 1e-8) {
  expect_close(g$tests$statistic, tests[, "stat"], tol)
  expect_close(g$tests$p_value, tests[, "pv"], tol)
  expect_equal(g$tests$df, as.vector(tests[, "df"]))
  expect_equal(g$tests$cause, rownames(tests))
}

test_that("gray_test() equals cmprsk::cuminc() on mgus2 and colon", {
  skip_if_not_installed("cmprsk")
  d <- gray_mgus()
  g <- gray_test(Surv(etime, event) ~ sex, data = d)
  ci <- cmprsk::cuminc(d$etime, as.integer(d$event) - 1L, d$sex)
  rownames(ci$Tests) <- c("pcm", "death")
  expect_gray_equal(g, ci$Tests)
  expect_s3_class(g, "cs_gray_test")
  expect_output(print(g), "Gray's test")
  # three groups, stratified, rho = 1
  d$age3 <- cut(d$age, c(0, 60, 75, Inf))
  g <- gray_test(Surv(etime, event) ~ age3 + strata(sex), data = d, rho = 1)
  ci <- cmprsk::cuminc(d$etime, as.integer(d$event) - 1L, d$age3, d$sex,
                       rho = 1)
  rownames(ci$Tests) <- c("pcm", "death")
  expect_gray_equal(g, ci$Tests)
  expect_equal(g$strata_vars, "sex")

  rec <- survival::colon[survival::colon$etype == 1, ]
  dth <- survival::colon[survival::colon$etype == 2, ]
  co <- data.frame(time = ifelse(rec$status == 1, rec$time, dth$time),
                   ev = ifelse(rec$status == 1, 1, 2 * dth$status),
                   rx = rec$rx)
  co$event <- factor(co$ev, 0:2, c("cens", "recurrence", "death"))
  g <- gray_test(Surv(time, event) ~ rx, data = co)
  ci <- cmprsk::cuminc(co$time, co$ev, co$rx)
  rownames(ci$Tests) <- c("recurrence", "death")
  expect_gray_equal(g, ci$Tests)
})

test_that("gray_test() equals cuminc() on random data with heavy ties", {
  skip_if_not_installed("cmprsk")
  for (seed in 1:4) {
    set.seed(seed)
    n <- 500
    d <- data.frame(
      t = sample(1:30, n, TRUE),
      e = factor(sample(0:3, n, TRUE, prob = c(0.3, 0.3, 0.25, 0.15)), 0:3,
                 c("c", "a", "b", "z")),
      g = sample(c("x", "y", "w", "v"), n, TRUE), s = sample(1:3, n, TRUE)
    )
    for (rho in c(0, 0.5, -1)) {
      g <- gray_test(Surv(t, e) ~ g + strata(s), data = d, rho = rho)
      ci <- cmprsk::cuminc(d$t, as.integer(d$e) - 1L, d$g, d$s, rho = rho)
      rownames(ci$Tests) <- c("a", "b", "z")
      expect_gray_equal(g, ci$Tests)
    }
    # permuting rows changes nothing
    p <- gray_test(Surv(t, e) ~ g + strata(s), data = d[sample(n), ])
    expect_equal(p$tests, gray_test(Surv(t, e) ~ g + strata(s),
                                    data = d)$tests, tolerance = 1e-10)
  }
})

test_that("a two-group hand case: identical groups give a zero score", {
  d <- data.frame(t = rep(c(1, 2, 3, 4), 2),
                  e = factor(rep(c(1, 2, 0, 1), 2), 0:2, c("c", "x", "y")),
                  g = rep(c("a", "b"), each = 4))
  g <- gray_test(Surv(t, e) ~ g, data = d)
  expect_equal(g$tests$statistic, c(0, 0))
  expect_equal(g$tests$p_value, c(1, 1))
})

test_that("gray_test() refuses bad input by name", {
  d <- gray_mgus()
  expect_error(gray_test(Surv(etime, event) ~ 1, data = d),
               class = "cohortsurv_error", regexp = "grouping")
  expect_error(gray_test(Surv(etime, event) ~ sex, data = d, weights = age),
               class = "cohortsurv_error", regexp = "weights")
  expect_error(gray_test(Surv(etime, event) ~ sex, data = d, rho = NA),
               class = "cohortsurv_error", regexp = "rho")
  expect_error(gray_test(Surv(etime, death) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "factor")
  d$start <- 0
  expect_error(gray_test(Surv(start, etime, event) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "delayed entry")
  expect_error(gray_test(Surv(etime, event) ~ sex, data = d,
                         subset = sex == "F"),
               class = "cohortsurv_error", regexp = "two")
})

test_that("tidy() of a cif() fit and of Gray's test", {
  d <- gray_mgus()
  fit <- cif(Surv(etime, event) ~ sex, data = d)
  td <- tidy(fit)
  expect_equal(nrow(td), nrow(fit$curves))
  expect_equal(td$estimate, fit$curves$estimate)
  expect_true(all(c("state", "strata", "conf.low") %in% names(td)))
  expect_false("strata" %in% names(tidy(cif(Surv(etime, event) ~ 1,
                                            data = d))))
  g <- gray_test(Surv(etime, event) ~ sex, data = d)
  expect_equal(tidy(g)$p.value, g$tests$p_value)
  expect_error(tidy(g, conf.int = TRUE), class = "cohortsurv_error")
})

test_that("gray_test() equals cuminc() with a group missing from a stratum", {
  skip_if_not_installed("cmprsk")
  set.seed(9)
  n <- 300
  d <- data.frame(t = sample(1:20, n, TRUE),
                  e = factor(sample(0:2, n, TRUE), 0:2, c("c", "a", "b")),
                  g = sample(c("x", "y", "w"), n, TRUE),
                  s = sample(1:3, n, TRUE))
  d$g[d$s != 1 & d$g == "w"] <- "x"
  g <- gray_test(Surv(t, e) ~ g + strata(s), data = d, rho = 0.5)
  ci <- cmprsk::cuminc(d$t, as.integer(d$e) - 1L, d$g, d$s, rho = 0.5)
  rownames(ci$Tests) <- c("a", "b")
  expect_gray_equal(g, ci$Tests)
  # a group whose last subject fails (its KM reaches 0)
  d2 <- data.frame(t = c(1, 2, 3, 4, 5, 1, 2, 3, 4, 6),
                   e = factor(c(1, 2, 1, 2, 1, 0, 1, 2, 1, 1), 0:2,
                              c("c", "a", "b")),
                   g = rep(c("p", "q"), each = 5))
  g <- gray_test(Surv(t, e) ~ g, data = d2)
  ci <- cmprsk::cuminc(d2$t, as.integer(d2$e) - 1L, d2$g)
  rownames(ci$Tests) <- c("a", "b")
  expect_gray_equal(g, ci$Tests)
})
