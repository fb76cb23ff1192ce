# cox(): degenerate data and hostile input.

test_that("no events: a warning and NA coefficients", {
  d <- data.frame(time = 1:4, status = 0, x = c(1, 2, 3, 5))
  expect_warning(f <- cox(Surv(time, status) ~ x, d), "no events",
                 class = "cohortsurv_warning_no_events")
  expect_true(is.na(f$coefficients[["x"]]))
  expect_equal(f$loglik, c(0, 0))
  expect_true(f$converged)
  expect_equal(f$n_event, 0)
})

test_that("a single row and all-tied data do not break", {
  d1 <- data.frame(time = 5, status = 1, x = 2)
  expect_message(f <- cox(Surv(time, status) ~ x, d1),
                 class = "cohortsurv_message_collinear")
  expect_true(is.na(f$coefficients[["x"]]))
  expect_equal(f$loglik, c(0, 0))
  d2 <- data.frame(time = rep(3, 6), status = c(1, 1, 1, 0, 1, 0),
                   x = c(1, 2, 3, 4, 5, 6))
  for (ties in c("efron", "breslow")) {
    cox_vs_coxph(cox(Surv(time, status) ~ x, d2, ties = ties),
                 coxph(Surv(time, status) ~ x, d2, ties = ties))
  }
})

test_that("an estimate running off to infinity is flagged, not aliased", {
  # each death has the smallest x of its risk set: beta -> -Inf, and the
  # information underflows to zero on the way
  d <- data.frame(time = 1:20, status = rep(c(1, 0), 10), x = 1e8 + 1:20)
  expect_warning(f <- cox(Surv(time, status) ~ x, d),
                 class = "cohortsurv_warning")
  expect_false(is.na(f$coefficients[["x"]]))
  expect_true(f$coefficients[["x"]] < -5)
})

test_that("covariates on a huge scale are handled by centring", {
  d <- random_cox_data(200, 31)
  d$big <- 1e9 + d$z1
  a <- cox(Surv(time, status) ~ big + sex, d)
  b <- cox(Surv(time, status) ~ z1 + sex, d)
  expect_close(a$coefficients, b$coefficients, 1e-6)
})

test_that("random hostile input never crashes", {
  set.seed(99)
  for (k in 1:150) {
    n <- sample(1:9, 1)
    d <- data.frame(
      time = sample(c(1, 2, 2, 3, 10), n, TRUE),
      status = rbinom(n, 1, runif(1)),
      x = if (runif(1) < 0.2) rep(1, n) else round(rnorm(n), 1),
      g = factor(sample(c("a", "b"), n, TRUE)),
      s = sample(1:2, n, TRUE),
      w = sample(c(0, 0.5, 1, 2), n, TRUE)
    )
    d$start <- pmax(0, d$time - sample(0:3, n, TRUE))
    d$start[d$start >= d$time] <- 0
    fml <- sample(list(Surv(time, status) ~ x + g,
                       Surv(time, status) ~ x + strata(s),
                       Surv(start, time, status) ~ x + g + strata(s),
                       Surv(time, status) ~ 1), 1)[[1]]
    res <- tryCatch(
      suppressMessages(suppressWarnings(
        cox(fml, d, weights = if (runif(1) < 0.5) w,
            ties = sample(c("efron", "breslow"), 1),
            robust = runif(1) < 0.3))),
      cohortsurv_error = function(e) e)
    if (inherits(res, "cs_cox")) {
      b <- res$coefficients
      expect_true(all(is.na(b) | is.finite(b)))
      expect_true(all(is.finite(res$loglik)))
      expect_output(print(res))
    } else {
      expect_s3_class(res, "cohortsurv_error")
    }
  }
})

test_that("the one-pass Newton sweep agrees with coxph when the linear predictors of a stratum spread by 800 or by 100", {
  d <- halving_data()
  n <- nrow(d)
  # offsets spanning 800 in every stratum: exp(eta) is rescaled as larger
  # linear predictors enter the risk set (a shift per stratum underflowed
  # here and gave a coefficient of 824 for z, where coxph gives 6.8)
  for (span in c(800, 100)) {
    d$off <- seq(-span / 2, span / 2, length.out = n)
    for (ties in c("efron", "breslow")) {
      a <- cox_fit(cbind(x = d$x, z = d$z), Surv(d$time, d$status),
                   strata = d$s, offset = d$off, weights = d$w, ties = ties,
                   robust = FALSE)
      b <- coxph(Surv(time, status) ~ x + z + strata(s) + offset(off),
                 data = d, ties = ties, weights = w)
      expect_equal(unname(coef(a)), unname(coef(b)), tolerance = 1e-8)
      expect_equal(a$loglik, b$loglik, tolerance = 1e-8)
      expect_equal(unname(vcov(a)), unname(vcov(b)), tolerance = 1e-8)
      expect_equal(a$iter, b$iter)
    }
  }
})

test_that("the Newton iteration follows coxph step for step, step halving included (coxfit6 and agfit4 rules)", {
  d <- halving_data()
  n <- nrow(d)
  fit_both <- function(span, k, counting) {
    d$off <- seq(-span / 2, span / 2, length.out = n)
    y <- if (counting) Surv(d$t0, d$time, d$status) else
      Surv(d$time, d$status)
    a <- suppressWarnings(cox_fit(cbind(x = d$x, z = d$z), y,
      strata = d$s, offset = d$off, weights = d$w, robust = FALSE,
      control = cox_control(iter_max = k)))
    b <- suppressWarnings(if (counting) {
      coxph(Surv(t0, time, status) ~ x + z + strata(s) + offset(off),
            data = d, weights = w, control = coxph.control(iter.max = k))
    } else {
      coxph(Surv(time, status) ~ x + z + strata(s) + offset(off),
            data = d, weights = w, control = coxph.control(iter.max = k))
    })
    list(a = a, b = b)
  }
  # right-censored, offsets spanning 800: the first step overshoots and is
  # pulled back four times, (candidate + k * good) / (k + 1); then the same
  # Newton steps; out of iterations, the last good beta (iter = k + 1)
  for (k in c(1:10, 20)) {
    f <- fit_both(800, k, counting = FALSE)
    expect_identical(f$a$iter, f$b$iter)
    expect_equal(unname(coef(f$a)), unname(coef(f$b)), tolerance = 1e-8)
    expect_equal(f$a$loglik, f$b$loglik, tolerance = 1e-8)
    expect_identical(f$a$converged, k >= 9)
  }
  # counting process, offsets spanning 100 (agfit4's rules)
  for (k in 1:4) {
    f <- fit_both(100, k, counting = TRUE)
    expect_identical(f$a$iter, f$b$iter)
    expect_equal(unname(coef(f$a)), unname(coef(f$b)), tolerance = 1e-8)
    expect_equal(f$a$loglik, f$b$loglik, tolerance = 1e-8)
  }
})

test_that("linear predictors spanning more than 650 in a stratum: a right-censored fit stays right, the kernels that cannot follow refuse", {
  set.seed(11)
  n <- 300
  d <- data.frame(time = sample(1:40, n, TRUE), status = rbinom(n, 1, 0.7),
                  x = rnorm(n), s = sample(1:3, n, TRUE), t0 = 0)
  d$off <- seq(-400, 400, length.out = n)
  a <- cox(Surv(time, status) ~ x + strata(s) + offset(off), data = d)
  b <- coxph(Surv(time, status) ~ x + strata(s) + offset(off), data = d)
  expect_equal(unname(coef(a)), unname(coef(b)), tolerance = 1e-8)
  expect_equal(a$loglik, b$loglik, tolerance = 1e-8)
  expect_error(residuals(a, type = "martingale"),
               class = "cohortsurv_error_eta_span")
  expect_error(ph_test(a), class = "cohortsurv_error_eta_span")
  expect_error(cox_curves(a, newdata = d[1:2, ]),
               class = "cohortsurv_error_eta_span")
  expect_error(cox(Surv(time, status) ~ x + strata(s) + offset(off),
                   data = d, robust = TRUE),
               class = "cohortsurv_error_eta_span")
  # (start, stop] data: its kernel shifts per stratum, so it refuses
  expect_error(cox(Surv(t0, time, status) ~ x + strata(s) + offset(off),
                   data = d), class = "cohortsurv_error_eta_span")
})

test_that("the Newton sweep's kernels (AVX2 where the processor has it, and the baseline) agree with each other and with coxph, for every fixed p", {
  # The sums of outer products of the right-censored Newton sweep have an
  # AVX2 kernel chosen at run time on x86-64 and a baseline kernel; both
  # are instantiated for p = 1..12. Larger p take the general path, whose
  # AVX2 kernel pads p to a multiple of 4 (p = 13, 14, 16, 17, 23) and
  # sums the first moment two ways (p <= 32 and above: 33, 37). Times
  # with up to ~350 tied rows span several chunks of 128 rows, and offsets
  # spanning 40 make later chunks of one time rescale the sums of earlier
  # ones (the sums are kept relative to the largest eta entered so far).
  on.exit(cohortsurv:::cpp_cox_set_simd(TRUE), add = TRUE)
  set.seed(1616)
  n <- 1200
  for (p in c(1:14, 16, 17, 23, 33, 37)) {
    x <- matrix(round(rnorm(n * p), 2), n, p,
                dimnames = list(NULL, paste0("x", seq_len(p))))
    time <- sample(c(1, 2, 3, 5), n, replace = TRUE)
    status <- rbinom(n, 1, 0.6)
    s <- sample.int(2L, n, replace = TRUE)
    w <- runif(n, 0.5, 2)
    off <- if (p %% 3 == 0) runif(n, -20, 20) else NULL
    for (ties in c("efron", "breslow")) {
      fit <- function(simd) {
        cohortsurv:::cpp_cox_set_simd(simd)
        cox_fit(x, cbind(time, status), strata = s, weights = w,
                offset = off, ties = ties)
      }
      a <- fit(TRUE)
      b <- fit(FALSE)
      expect_equal(coef(a), coef(b), tolerance = 1e-12)
      expect_equal(vcov(a), vcov(b), tolerance = 1e-12)
      expect_equal(a$loglik, b$loglik, tolerance = 1e-13)
      g <- survival::coxph.fit(x, Surv(time, status), strata = s,
                               offset = off, init = NULL,
                               control = survival::coxph.control(),
                               weights = w, method = ties, rownames = NULL)
      expect_equal(unname(coef(b)), unname(g$coefficients), tolerance = 1e-9)
      expect_equal(unname(vcov(b)), unname(g$var), tolerance = 1e-9)
      expect_equal(b$loglik, g$loglik, tolerance = 1e-10)
      expect_equal(b$iter, g$iter)
    }
  }
})

test_that("the Newton sweep's rows of a tied time, stored deaths first, keep their own weights and offsets", {
  # newton_rows() stores the rows of each (stratum, time) deaths first for
  # the right-censored Newton sweep, moving each row's weight and offset
  # with it. Weights and offsets that differ from row to row, deaths and
  # censored rows interleaved within every time, and any input order:
  # coxph's answer, and the same answer for every order.
  set.seed(3030)
  n <- 900
  x <- cbind(a = rnorm(n), b = rbinom(n, 1, 0.4))
  time <- sample(1:6, n, replace = TRUE)
  status <- rbinom(n, 1, 0.5)
  s <- sample.int(3L, n, replace = TRUE)
  w <- rexp(n) + 0.1
  off <- rnorm(n, sd = 2)
  for (ties in c("efron", "breslow")) {
    a <- cox_fit(x, cbind(time, status), strata = s, weights = w,
                 offset = off, ties = ties)
    g <- survival::coxph.fit(x, Surv(time, status), strata = s, offset = off,
                             init = NULL, control = survival::coxph.control(),
                             weights = w, method = ties, rownames = NULL)
    expect_equal(unname(coef(a)), unname(g$coefficients), tolerance = 1e-9)
    expect_equal(unname(vcov(a)), unname(g$var), tolerance = 1e-9)
    expect_equal(a$loglik, g$loglik, tolerance = 1e-10)
    for (k in 1:3) {
      o <- sample.int(n)
      b <- cox_fit(x[o, ], cbind(time, status)[o, ], strata = s[o],
                   weights = w[o], offset = off[o], ties = ties)
      expect_equal(coef(b), coef(a), tolerance = 1e-12)
      expect_equal(vcov(b), vcov(a), tolerance = 1e-12)
    }
  }
})

test_that("Efron's sums of a tied time (AVX2 four deaths at a time, and one by one) agree with the direct sums, however large the products of the denominators", {
  # At a time with d tied deaths the Newton sweep needs q0 = sum 1/den_l,
  # q1 = sum f_l/den_l, r0, r1, r2 (the same over den_l^2) and the sum of
  # log den_l, den_l = s0 - f_l e0, f_l = l/d. The sum of logs is taken as
  # the log of a product brought back into range by frexp(): with s0 up to
  # 1e300 and d up to 5003 that product leaves the range of a double many
  # times. Below 2^-500 or above 2^500 the AVX2 kernel hands the time to
  # the scalar one. The reference sums here are R's, term by term.
  on.exit(cohortsurv:::cpp_cox_set_simd(TRUE), add = TRUE)
  direct <- function(s0, e0, d) {
    f <- (0:(d - 1)) / d
    den <- s0 - f * e0
    list(value = c(sum(1 / den), sum(f / den), sum(1 / den^2),
                   sum(f / den^2), sum(f^2 / den^2), sum(log(den))),
         scale = c(rep(NA, 5), max(1, sum(abs(log(den))))))
  }
  worst <- 0
  for (simd in c(TRUE, FALSE)) {
    cohortsurv:::cpp_cox_set_simd(simd)
    for (d in c(1:13, 37, 64, 350, 1000, 5003)) {
      for (s0 in c(1e-300, 1e-160, 1e-3, 1, 7.5, 1e5, 1e149, 1e300)) {
        for (fr in c(0, 1e-9, 0.3, 1)) {
          got <- cohortsurv:::cpp_cox_efron_sums(s0, fr * s0, d)
          ref <- direct(s0, fr * s0, d)
          # R's squares of 1/den overflow for den near 1e-300: those
          # sums are left out, the finite ones compared
          ok <- is.finite(ref$value) & ref$value != 0
          expect_true(all(is.finite(got[ok])))
          scale <- ifelse(is.na(ref$scale), abs(ref$value), ref$scale)
          err <- abs(got - ref$value)[ok] / scale[ok]
          worst <- max(worst, err)
        }
      }
    }
  }
  # the error of summing up to 5003 terms one by one in double precision
  expect_lt(worst, 2e-12)
  expect_error(cohortsurv:::cpp_cox_efron_sums(1, 2, 3), "e0 <= s0")
  expect_error(cohortsurv:::cpp_cox_efron_sums(1, 0.5, 0), "d >= 1")
})

test_that("the sweep timer of the kernel benchmark times right-censored sweeps and refuses (start, stop] data", {
  set.seed(7)
  n <- 300
  x <- matrix(rnorm(n * 2), n, 2)
  y <- cbind(time = sample.int(20, n, replace = TRUE),
             status = rbinom(n, 1, 0.7))
  sd <- cohortsurv:::new_surv_data(y)
  t <- cohortsurv:::cpp_cox_sweep_seconds(sd, x, TRUE, c(0.1, -0.2), 3L)
  expect_length(t, 3)
  expect_true(all(is.finite(t) & t >= 0))
  expect_error(cohortsurv:::cpp_cox_sweep_seconds(sd, x, TRUE, 0.1, 1L),
               "one value per column")
  yc <- cbind(start = 0, stop = y[, "time"], status = y[, "status"])
  expect_error(cohortsurv:::cpp_cox_sweep_seconds(
    cohortsurv:::new_surv_data(yc), x, TRUE, c(0.1, -0.2), 1L),
    "right-censored data only")
})
