# The formula plans of surv_frame() (frame_cache in R/frame.R): what is
# derived from the formula alone is kept between calls; nothing that depends
# on the data, the environment or the function called may leak through it.

clear_plans <- function() {
  cache <- cohortsurv:::frame_cache
  cache$plans <- list()
}

# surv_frame() as km() calls it, on a call built from `formula` and `data`
frame_of <- function(formula, data, fun = "km", extras = c("id", "cluster"),
                     env = parent.frame()) {
  mc <- call("f", formula = formula, data = quote(data))
  e <- new.env(parent = env)
  e$data <- data
  cohortsurv:::surv_frame(mc, e, fun = fun, extras = extras)
}

# a surv_frame() result without the environments (each call binds Surv()
# and strata() in an environment of its own)
no_env <- function(sf) {
  tt <- sf$terms
  attr(tt, ".Environment") <- NULL
  mf <- sf$mf
  attr(mf, "terms") <- tt
  sf$mf <- mf
  sf$terms <- tt
  environment(sf$formula) <- NULL
  sf
}

test_that("a cached plan gives the frame a fresh analysis gives", {
  lung2 <- survival::lung
  lung2$grp <- as.character(lung2$sex)
  formulas <- list(
    Surv(time, status) ~ sex,
    Surv(time, status) ~ I(age > 60),
    Surv(time, status) ~ factor(ph.ecog) + strata(sex),
    survival::Surv(time, status) ~ survival::strata(grp),
    Surv(time, status == 2) ~ interaction(sex, grp),
    Surv(time, status) ~ age + offset(log(age)),
    Surv(time, status) ~ 1
  )
  for (f in formulas) {
    clear_plans()
    fresh <- frame_of(f, lung2)
    expect_length(cohortsurv:::frame_cache$plans, 1L)
    cached <- frame_of(f, lung2)
    expect_identical(no_env(cached), no_env(fresh))
    # the terms are those stats::terms() builds for the normalised formula,
    # with that formula's environment
    nf <- cohortsurv:::normalize_formula(f, lung2, "km")
    ref <- stats::terms(nf, specials = "strata", data = lung2)
    expect_identical(cached$terms, ref, ignore_formula_env = TRUE)
    expect_setequal(names(attributes(cached$terms)), names(attributes(ref)))
    expect_identical(parent.env(environment(cached$terms)),
                     parent.env(environment(fresh$terms)))
  }
})

test_that("fits are the same on the first and on later calls of a formula", {
  lung <- survival::lung
  clear_plans()
  a <- km(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
  b <- km(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
  expect_identical(b$curves, a$curves)
  expect_identical(b$table, a$table)
  expect_identical(b$strata, a$strata)
  expect_identical(b$call, a$call)
  clear_plans()
  c1 <- cox(Surv(time, status) ~ age + sex + cluster(inst), data = lung)
  c2 <- cox(Surv(time, status) ~ age + sex + cluster(inst), data = lung)
  expect_identical(coef(c2), coef(c1))
  expect_identical(vcov(c2), vcov(c1))
  ref <- survival::coxph(Surv(time, status) ~ age + sex + cluster(inst),
                         data = lung)
  expect_equal(unname(vcov(c2)), unname(vcov(ref)), tolerance = 1e-8)
  clear_plans()
  l1 <- logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
  l2 <- logrank(Surv(time, status) ~ sex + strata(ph.ecog), data = lung)
  expect_identical(l2$statistic, l1$statistic)
})

test_that("variables outside `data` are looked up in each call's environment", {
  lung <- survival::lung
  fit_at <- function(thr) km(Surv(time, status) ~ I(age > thr), data = lung)
  clear_plans()
  for (thr in c(55, 65, 70)) {
    fit <- fit_at(thr)
    ref <- survival::survfit(Surv(time, status) ~ I(age > thr), data = lung)
    expect_equal(fit$table$n, unname(ref$n))
    expect_equal(fit$curves$surv, ref$surv, tolerance = 1e-12)
  }
  # a variable that exists in one environment and not in another
  g <- function(defined) {
    if (defined) w_out <- rep(1:2, length.out = nrow(lung))
    km(Surv(time, status) ~ w_out, data = lung)
  }
  clear_plans()
  expect_s3_class(g(TRUE), "cs_km")
  expect_error(g(FALSE), "`formula` refers to `w_out`",
               class = "cohortsurv_error")
  expect_s3_class(g(TRUE), "cs_km")
})

test_that("errors are raised on every call, never cached", {
  lung <- survival::lung
  clear_plans()
  for (i in 1:2) {
    expect_error(km(Surv(time, status) ~ pspline(age), data = lung),
                 "pspline\\(\\) terms are not supported",
                 class = "cohortsurv_error")
    expect_error(km(Surv(time, status, type = "interval2") ~ 1, data = lung),
                 "Surv\\(type = \"interval2\"\\) is not supported",
                 class = "cohortsurv_error")
  }
  expect_length(cohortsurv:::frame_cache$plans, 1L)  # the Surv(type) one
})

test_that("plans are kept per function", {
  lung <- survival::lung
  clear_plans()
  f <- Surv(time, status) ~ sex + cluster(inst)
  expect_s3_class(cox(f, data = lung), "cs_cox")
  expect_error(logrank(f, data = lung), "logrank\\(\\) has no cluster",
               class = "cohortsurv_error")
  expect_s3_class(cox(f, data = lung), "cs_cox")
  expect_s3_class(km(f, data = lung), "cs_km")
  expect_error(logrank(f, data = lung), "logrank\\(\\) has no cluster",
               class = "cohortsurv_error")
  funs <- vapply(cohortsurv:::frame_cache$plans, function(p) p$fun, "")
  expect_setequal(funs, c("cox", "km", "logrank"))
})

test_that("a formula with `.` is expanded against each call's data", {
  lung <- survival::lung
  clear_plans()
  a <- cox(Surv(time, status) ~ ., data = lung[c("time", "status", "age")])
  b <- cox(Surv(time, status) ~ ., data = lung[c("time", "status", "sex")])
  expect_named(coef(a), "age")
  expect_named(coef(b), "sex")
  expect_length(cohortsurv:::frame_cache$plans, 0L)
})

test_that("the cache keeps at most frame_cache_size plans", {
  lung <- survival::lung
  clear_plans()
  n_max <- cohortsurv:::frame_cache_size
  for (k in seq_len(n_max + 5L)) {
    f <- stats::as.formula(sprintf("Surv(time, status) ~ I(age > %d)", k))
    km(f, data = lung)
  }
  expect_length(cohortsurv:::frame_cache$plans, n_max)
  # the newest first
  expect_identical(cohortsurv:::frame_cache$plans[[1L]]$key[[3L]],
                   quote(I(age > 37)))
})

test_that("na.action is found by name as match.fun() finds it", {
  lung <- survival::lung
  d <- lung[c("time", "status", "ph.ecog")]
  a <- km(Surv(time, status) ~ ph.ecog, data = d, na.action = "na.exclude")
  b <- km(Surv(time, status) ~ ph.ecog, data = d, na.action = na.exclude)
  expect_identical(a$curves, b$curves)
  expect_identical(a$n_dropped, 1L)
  expect_error(km(Surv(time, status) ~ ph.ecog, data = d,
                  na.action = "na.fail"),
               "missing values", class = "cohortsurv_error")
  old <- options(na.action = "na.fail")
  on.exit(options(old))
  expect_error(km(Surv(time, status) ~ ph.ecog, data = d),
               "missing values", class = "cohortsurv_error")
})
