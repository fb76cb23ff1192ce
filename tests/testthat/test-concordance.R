# c_index() and concordance() of cox() fits against survival::concordance().

# a cs_concordance against survival's concordance object, to `tol`
conc_vs <- function(a, b, tol = 1e-8) {
  bc <- b$count
  if (is.matrix(bc)) bc <- colSums(bc)
  expect_close(a$concordance, b$concordance, tol)
  expect_close(a$var, b$var, tol)
  expect_close(a$cox_var, b$cvar, tol)
  expect_close(unname(a$counts), unname(bc), tol)
  expect_equal(a$n, b$n)
}

# Harrell's counts and C by brute force over all pairs (O(n^2)), with
# weights, strata and (start, stop] rows, for the hand checks.
brute_c <- function(time, status, x, w = rep(1, length(time)),
                    strata = rep(1, length(time)), start = NULL) {
  n <- length(time)
  cnt <- c(concordant = 0, discordant = 0, tied_x = 0, tied_y = 0,
           tied_xy = 0)
  for (i in seq_len(n)) {
    if (status[i] != 1) next
    for (j in seq_len(n)) {
      if (j == i || strata[j] != strata[i]) next
      at_risk <- is.null(start) || start[j] < time[i]
      longer <- time[j] > time[i] || (time[j] == time[i] && status[j] == 0)
      ww <- w[i] * w[j]
      if (longer && at_risk) {
        k <- if (x[j] > x[i]) 1 else if (x[j] < x[i]) 2 else 3
        cnt[k] <- cnt[k] + ww
      } else if (time[j] == time[i] && status[j] == 1 && j > i) {
        k <- if (x[j] == x[i]) 5 else 4
        cnt[k] <- cnt[k] + ww
      }
    }
  }
  list(counts = cnt,
       concordance = (cnt[[1]] + cnt[[3]] / 2) / sum(cnt[1:3]))
}

test_that("c_index() of a formula agrees with concordance() on survival's data", {
  pbc312 <- pbc[1:312, ]
  colon2 <- colon[colon$etype == 2, ]
  cases <- list(
    list(Surv(time, status) ~ ph.karno, lung, FALSE),
    list(Surv(time, status) ~ age, lung, TRUE),
    list(Surv(time, status) ~ age + strata(sex), lung, TRUE),
    list(Surv(time, status == 2) ~ bili, pbc312, TRUE),
    list(Surv(time, status == 2) ~ albumin + strata(edema), pbc312, FALSE),
    list(Surv(time, status) ~ nodes, colon2, TRUE),
    list(Surv(time, status) ~ nodes + strata(rx, sex), colon2, TRUE),
    list(Surv(time, status) ~ karno, veteran, FALSE),
    list(Surv(time, status) ~ karno + strata(celltype), veteran, FALSE),
    list(Surv(futime, death) ~ age, mgus2, TRUE),
    list(Surv(futime, death) ~ hgb + strata(sex), mgus2, FALSE),
    list(Surv(start, stop, event) ~ age, heart, TRUE),
    list(Surv(start, stop, event) ~ year + strata(surgery), heart, TRUE)
  )
  for (k in cases) {
    a <- c_index(k[[1]], data = k[[2]], reverse = k[[3]])
    b <- concordance(k[[1]], data = k[[2]], reverse = k[[3]])
    conc_vs(a, b)
  }
})

test_that("concordance() of a cox() fit agrees with concordance.coxph", {
  pbc312 <- pbc[1:312, ]
  models <- list(
    list(Surv(time, status) ~ age + sex + ph.ecog, lung),
    list(Surv(time, status) ~ age + sex + strata(ph.ecog), lung),
    list(Surv(time, status == 2) ~ log(bili) + age + edema + albumin,
         pbc312),
    list(Surv(time, status) ~ trt + celltype + karno, veteran),
    list(Surv(futime, death) ~ age + sex + hgb, mgus2),
    list(Surv(start, stop, event) ~ age + year + surgery + transplant, heart)
  )
  for (m in models) {
    f <- cox(m[[1]], data = m[[2]])
    g <- coxph(m[[1]], data = m[[2]])
    a <- concordance(f)
    expect_s3_class(a, "cs_concordance")
    conc_vs(a, concordance(g))
    conc_vs(c_index(f), concordance(g))
  }
  # weights, cluster and strata of the fit are used
  d <- random_surv(300, seed = 5)
  d$x <- rnorm(300)
  d$id <- sample(1:60, 300, replace = TRUE)
  f <- cox(Surv(time, status) ~ x + group + strata(sex), data = d,
           weights = fw, cluster = id)
  g <- coxph(Surv(time, status) ~ x + group + strata(sex), data = d,
             weights = fw, cluster = id)
  conc_vs(concordance(f), concordance(g))
  # an offset, no covariates, subset with na.exclude
  for (fm in list(Surv(time, status) ~ age + offset(ph.karno / 100),
                  Surv(time, status) ~ 1)) {
    conc_vs(concordance(cox(fm, data = lung)),
            concordance(coxph(fm, data = lung)))
  }
  f <- cox(Surv(time, status) ~ age + sex, data = lung, subset = inst < 20,
           na.action = na.exclude)
  g <- coxph(Surv(time, status) ~ age + sex, data = lung, subset = inst < 20,
             na.action = na.exclude)
  conc_vs(concordance(f), concordance(g))
})

test_that("c_index() agrees on random data with heavy ties, strata, weights and (start, stop] rows", {
  for (seed in 1:4) {
    for (counting in c(FALSE, TRUE)) {
      d <- random_surv(400, n_times = 12, seed = seed, counting = counting)
      d$x <- sample(1:6, 400, replace = TRUE)  # heavy ties in the predictor
      d$cl <- sample(1:50, 400, replace = TRUE)
      lhs <- if (counting) "Surv(start, time, status)" else
        "Surv(time, status)"
      for (rhs in c("x", "x + strata(group)", "x + strata(group, sex)")) {
        f <- stats::as.formula(paste(lhs, "~", rhs))
        conc_vs(c_index(f, data = d), concordance(f, data = d))
        conc_vs(c_index(f, data = d, weights = w, reverse = TRUE),
                concordance(f, data = d, weights = w, reverse = TRUE))
        conc_vs(c_index(f, data = d, weights = fw),
                concordance(f, data = d, weights = fw))
        conc_vs(c_index(f, data = d, weights = fw, cluster = cl),
                concordance(f, data = d, weights = fw, cluster = cl))
      }
    }
  }
  # more than 10 strata (survival then merges them over disjoint times)
  d <- random_surv(600, seed = 9, counting = TRUE)
  d$x <- round(rnorm(600), 1)
  d$s <- sample(1:25, 600, replace = TRUE)
  for (f in list(Surv(time, status) ~ x + strata(s),
                 Surv(start, time, status) ~ x + strata(s))) {
    conc_vs(c_index(f, data = d, weights = fw),
            concordance(f, data = d, weights = fw))
  }
  # zero weights, a cluster() term, subset and a logical predictor
  d$w0 <- d$w * rbinom(600, 1, 0.8)
  d$flag <- d$x > 0
  conc_vs(c_index(Surv(time, status) ~ flag, data = d, weights = w0),
          concordance(Surv(time, status) ~ flag, data = d, weights = w0))
  conc_vs(c_index(Surv(time, status) ~ x + cluster(s), data = d,
                  subset = sex == "f"),
          concordance(Surv(time, status) ~ x + cluster(s), data = d,
                      subset = sex == "f"))
})

test_that("c_index() on a hand-computed case", {
  # pairs (event, longer): 1-2, 1-3, 1-4, 1-5 concordant; 2-3, 5-3
  # discordant; 2-4, 5-4 tied on x; 2-5 tied on time and x
  d <- data.frame(time = c(1, 2, 3, 4, 2), status = c(1, 1, 0, 1, 1),
                  x = c(1, 3, 2, 3, 3))
  a <- c_index(Surv(time, status) ~ x, data = d)
  expect_equal(unname(a$counts), c(4, 2, 2, 0, 1))
  expect_equal(a$concordance, (4 + 2 / 2) / 8)
  expect_equal(a$counts, brute_c(d$time, d$status, d$x)$counts)
  r <- c_index(Surv(time, status) ~ x, data = d, reverse = TRUE)
  expect_equal(r$concordance, 1 - a$concordance)
  expect_equal(unname(r$counts), c(2, 4, 2, 0, 1))
  expect_equal(r$var, a$var)
})

test_that("the variance is the infinitesimal jackknife (derivative in the weights)", {
  set.seed(3)
  n <- 40
  d <- data.frame(time = sample(1:8, n, TRUE), status = rbinom(n, 1, 0.7),
                  x = sample(1:5, n, TRUE), w = runif(n, 0.5, 2),
                  s = sample(1:2, n, TRUE))
  d$start <- pmax(0, d$time - sample(1:4, n, TRUE))
  cfun <- function(w) {
    brute_c(d$time, d$status, d$x, w, d$s, d$start)$concordance
  }
  h <- 1e-6
  grad <- vapply(seq_len(n), function(i) {
    e <- replace(numeric(n), i, h)
    (cfun(d$w + e) - cfun(d$w - e)) / (2 * h)
  }, numeric(1))
  a <- c_index(Surv(start, time, status) ~ x + strata(s), data = d,
               weights = w)
  b <- brute_c(d$time, d$status, d$x, d$w, d$s, d$start)
  expect_close(a$concordance, b$concordance, 1e-12)
  expect_close(unname(a$counts), unname(b$counts), 1e-12)
  expect_close(a$var, sum((d$w * grad)^2), 1e-6)
})

test_that("c_index() is invariant to row order and to weight 2 versus a duplicated row", {
  d <- random_surv(300, seed = 11, counting = TRUE)
  d$x <- sample(1:8, 300, replace = TRUE)
  f <- Surv(start, time, status) ~ x + strata(group)
  a <- c_index(f, data = d, weights = w)
  p <- d[sample(nrow(d)), ]
  b <- c_index(f, data = p, weights = w)
  for (nm in c("concordance", "var", "cox_var", "counts")) {
    expect_close(a[[nm]], b[[nm]], 1e-12)
  }
  # weight 2 against the row given twice: same C, counts and Cox variance;
  # the same jackknife variance when the two copies form one cluster. The
  # two copies of an event are one more pair tied on time and x.
  d$id <- seq_len(nrow(d))
  d$w2 <- ifelse(d$id %% 3 == 0, 2, 1)
  dup <- d[rep(d$id, d$w2), ]
  a <- c_index(f, data = d, weights = w2, cluster = id)
  b <- c_index(f, data = dup, cluster = id)
  for (nm in c("concordance", "var", "cox_var")) {
    expect_close(a[[nm]], b[[nm]], 1e-12)
  }
  expect_close(a$counts[1:4], b$counts[1:4], 1e-12)
  expect_equal(b$counts[["tied_xy"]] - a$counts[["tied_xy"]],
               sum(d$w2 == 2 & d$status == 1))
  expect_close(c_index(f, data = d, weights = w2)$concordance,
               c_index(f, data = dup)$concordance, 1e-12)
})

test_that("c_index() results: print, tidy, coef, vcov, counts per stratum", {
  a <- c_index(Surv(time, status) ~ age + strata(sex), data = lung,
               reverse = TRUE, conf_level = 0.9)
  expect_output(print(a), "Harrell's C")
  td <- tidy(a)
  expect_s3_class(td, "data.frame")
  expect_named(td, c("concordance", "std_err", "lower", "upper",
                     "concordant", "discordant", "tied_x", "tied_y",
                     "tied_xy"))
  expect_equal(td$std_err, sqrt(a$var))
  expect_equal(td$lower, a$concordance - qnorm(0.95) * a$std_err)
  expect_equal(coef(a), c(concordance = a$concordance))
  expect_equal(vcov(a)[1, 1], a$var)
  expect_equal(colSums(a$counts_strata[, -1]), a$counts)
  b <- concordance(Surv(time, status) ~ age + strata(sex), data = lung,
                   reverse = TRUE)
  expect_equal(unname(as.matrix(a$counts_strata[, -1])), unname(b$count))
  expect_null(c_index(Surv(time, status) ~ age, data = lung)$counts_strata)
  m <- c_index(Surv(time, status) ~ ph.karno, data = lung,
               na.action = na.exclude)
  expect_output(print(m), "deleted due to missingness")
})

test_that("c_index() warns when no pair is comparable", {
  d <- data.frame(time = 1:5, status = 0, x = 1:5)
  expect_warning(a <- c_index(Surv(time, status) ~ x, data = d),
                 class = "cohortsurv_warning_no_events")
  expect_true(is.na(a$concordance))
})

test_that("c_index() and concordance() refuse what they do not support", {
  err <- function(expr) expect_error(expr, class = "cohortsurv_error")
  err(c_index())
  err(c_index(lung))
  err(c_index(Surv(time, status) ~ age, data = lung, timewt = "S"))
  err(c_index(Surv(time, status) ~ age, data = lung, timewt = "S/G"))
  err(c_index(Surv(time, status) ~ age, data = lung, timewt = "x"))
  err(c_index(Surv(time, status) ~ age + sex, data = lung))
  err(c_index(Surv(time, status) ~ ph.ecog2, data = transform(lung,
    ph.ecog2 = factor(ph.ecog))))
  err(c_index(Surv(time, status) ~ strata(sex), data = lung))
  err(c_index(Surv(time, status) ~ one, data = transform(lung,
    one = factor("a"))))
  err(c_index(Surv(time, status) ~ age + offset(sex), data = lung))
  err(c_index(Surv(time, status) ~ age, data = lung, ymin = 10))
  err(c_index(Surv(time, status) ~ age, data = lung, ranks = TRUE))
  err(c_index(Surv(time, status) ~ age, data = lung, foo = 1))
  err(c_index(Surv(time, status) ~ age, data = lung, reverse = NA))
  err(c_index(Surv(time, status) ~ age, data = lung, conf_level = 2))
  err(c_index(Surv(time, status) ~ age, data = lung, timefix = "yes"))
  err(c_index(Surv(time, status) ~ age, data = lung, weights = -wt.loss))
  err(c_index(time ~ age, data = lung))
  err(c_index(Surv(time, status) ~ ph.karno, data = lung,
              na.action = na.fail))
  fit <- cox(Surv(time, status) ~ age, data = lung)
  err(c_index(fit, data = lung))
  err(c_index(fit, reverse = FALSE))
  err(concordance(fit, fit))
  err(concordance(fit, ymax = 500))
  err(concordance(fit, newdata = lung))
  err(concordance(fit, cluster = lung$inst))
  err(concordance(fit, timewt = "n/G2"))
  err(concordance(fit, conf_level = 0))
})

test_that("concordance() is survival's generic: formulas and coxph fits keep survival's methods", {
  expect_identical(cohortsurv::concordance, survival::concordance)
  b <- cohortsurv::concordance(Surv(time, status) ~ age, data = lung)
  expect_s3_class(b, "concordance")
  g <- coxph(Surv(time, status) ~ age, data = lung)
  expect_s3_class(cohortsurv::concordance(g), "concordance")
  # without survival attached
  env <- new.env(parent = baseenv())
  env$d <- lung
  a <- eval(quote(cohortsurv::c_index(survival::Surv(time, status) ~ age +
                                        survival::strata(sex), d)), env)
  conc_vs(a, concordance(Surv(time, status) ~ age + strata(sex), data = lung))
  f <- eval(quote(cohortsurv::concordance(cohortsurv::cox(
    survival::Surv(time, status) ~ age, d))), env)
  conc_vs(f, concordance(g))
})

test_that("nearly equal times are merged as survival's timefix does", {
  d <- data.frame(time = c(1, 2, sqrt(2)^2, 2, sqrt(2)^2, 3),
                  status = c(1, 1, 1, 0, 1, 0), x = c(5, 1, 2, 3, 4, 2))
  a <- c_index(Surv(time, status) ~ x, data = d)
  conc_vs(a, concordance(Surv(time, status) ~ x, data = d))
  # timefix = FALSE keeps the three distinct doubles apart (survival 3.5's
  # concordance.formula does not pass its timefix on, so merges anyway)
  a0 <- c_index(Surv(time, status) ~ x, data = d, timefix = FALSE)
  expect_equal(a0$counts, brute_c(d$time, d$status, d$x)$counts)
  expect_false(isTRUE(all.equal(a$counts, a0$counts)))
})

test_that("concordance() of a tt() fit pairs rows within risk sets, as coxph", {
  ttf <- function(x, t, ...) x * log(t + 20)
  for (f in list(Surv(time, status) ~ trt + tt(karno),
                 Surv(time, status) ~ trt + tt(karno) + strata(celltype))) {
    a <- concordance(cox(f, data = survival::veteran, tt = ttf))
    g <- survival::coxph(f, data = survival::veteran, tt = ttf)
    # survival::concordance() refuses tt models; coxph keeps its own value
    b <- g$concordance
    expect_equal(a$concordance, unname(b["concordance"]), tolerance = 1e-8)
    expect_equal(sqrt(a$var), unname(b["std"]), tolerance = 1e-8)
    expect_equal(unname(a$counts), unname(b[1:5]), tolerance = 1e-8)
  }
})
