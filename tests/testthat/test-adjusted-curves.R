# adjusted_curves(): direct standardisation of cox() predictions, against
# the mean of survival::survfit.coxph curves (survival 3.5.3).

lung2 <- na.omit(lung[, c("time", "status", "age", "sex", "ph.ecog")])

adj_level <- function(a, k) a$curves[as.integer(a$curves$strata) == k, ]

test_that("the point estimate is the mean of survfit's curves", {
  fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  g <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  a <- adjusted_curves(fit, "sex", data = lung2)
  expect_equal(levels(a$curves$strata), c("sex=1", "sex=2"))
  for (k in 1:2) {
    nd <- lung2
    nd$sex <- k
    sf <- survfit(g, newdata = nd)
    ck <- adj_level(a, k)
    expect_equal(ck$time, sf$time)
    expect_close(ck$surv, rowMeans(sf$surv), 1e-8)
  }
  # a factor, Breslow ties, weights, random data with heavy ties
  d <- random_cox_data(150, seed = 4)
  fit <- cox(Surv(time, status) ~ z1 + group + sex, data = d,
             ties = "breslow", weights = w)
  g <- coxph(Surv(time, status) ~ z1 + group + sex, data = d,
             ties = "breslow", weights = w)
  a <- adjusted_curves(fit, "group", data = d)
  expect_equal(a$values, c("a", "b", "c"))
  for (k in 1:3) {
    nd <- d
    nd$group <- factor(c("a", "b", "c")[k], levels = levels(d$group))
    expect_close(adj_level(a, k)$surv, rowMeans(survfit(g, newdata = nd)$surv),
                 1e-8)
  }
})

test_that("stratified fits: each row's curve in its own stratum", {
  d <- random_cox_data(120, seed = 9)
  fit <- cox(Surv(time, status) ~ z1 + sex + strata(group), data = d)
  g <- coxph(Surv(time, status) ~ z1 + sex + strata(group), data = d)
  a <- adjusted_curves(fit, "sex", data = d)
  grid <- adj_level(a, 1)$time
  for (k in 1:2) {
    nd <- d
    nd$sex <- factor(c("f", "m")[k], levels = c("f", "m"))
    sf <- survfit(g, newdata = nd)
    # each row's curve at the union of the strata's times
    s <- vapply(seq_len(nrow(nd)), function(i) {
      summary(sf[i], times = grid, extend = TRUE)$surv
    }, numeric(length(grid)))
    expect_close(adj_level(a, k)$surv, rowMeans(s), 1e-8)
  }
  expect_error(adjusted_curves(fit, "sex", data = d[, names(d) != "group"]),
               "strata", class = "cohortsurv_error")
  expect_error(adjusted_curves(fit, "group", data = d), "variable",
               class = "cohortsurv_error")
})

test_that("for one row the delta-method variance is survfit's", {
  fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  g <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  one <- lung2[5, ]
  a <- adjusted_curves(fit, "sex", data = one, values = 1:2)
  for (k in 1:2) {
    nd <- one
    nd$sex <- k
    sf <- survfit(g, newdata = nd)
    ck <- adj_level(a, k)
    expect_close(ck$std_err, sf$std.err * sf$surv, 1e-8)
    expect_close(ck$lower, sf$lower, 1e-8)
    expect_close(ck$upper, sf$upper, 1e-8)
  }
  # offsets and a stratum: still survfit's
  d <- random_cox_data(150, seed = 12)
  d$off <- round(runif(nrow(d), -0.5, 0.5), 1)
  fit <- cox(Surv(time, status) ~ z1 + z2 + offset(off) + strata(sex),
             data = d, ties = "breslow")
  g <- coxph(Surv(time, status) ~ z1 + z2 + offset(off) + strata(sex),
             data = d, ties = "breslow")
  one <- d[3, ]
  a <- adjusted_curves(fit, "z2", data = one, values = c(0, 3),
                       conf_type = "log-log")
  for (k in 1:2) {
    nd <- one
    nd$z2 <- c(0, 3)[k]
    sf <- survfit(g, newdata = nd, conf.type = "log-log")
    grid <- adj_level(a, k)$time
    ss <- summary(sf, times = grid, extend = TRUE)
    ck <- adj_level(a, k)
    expect_close(ck$surv, ss$surv, 1e-8)
    expect_close(ck$std_err, ss$std.err, 1e-8)
    expect_close(ck$lower, ss$lower, 1e-8)
  }
})

test_that("the delta-method variance: its two parts checked independently", {
  fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  b <- fit$coefficients
  a <- adjusted_curves(fit, "sex", data = lung2)
  # with V = 0 only the baseline part is left: for each row survfit's
  # std.err with var zeroed is sqrt(sum varhaz) r_i, so the part is the
  # mean of S_i times that
  f0 <- fit
  f0$var[] <- 0
  a0 <- adjusted_curves(f0, "sex", data = lung2)
  g <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  g$var[] <- 0
  for (k in 1:2) {
    nd <- lung2
    nd$sex <- k
    sf <- survfit(g, newdata = nd)
    expect_close(adj_level(a0, k)$std_err, rowMeans(sf$surv * sf$std.err),
                 1e-8)
  }
  # the coefficients' part is G' V G, G the derivative of the adjusted
  # curve in beta (central differences; baseline re-estimated at beta)
  s_at <- function(beta) {
    f <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung2,
             init = beta, control = cox_control(iter_max = 0))
    adjusted_curves(f, "sex", data = lung2)$curves$surv
  }
  h <- 1e-5
  G <- sapply(seq_along(b), function(j) {
    e <- replace(numeric(length(b)), j, h)
    (s_at(b + e) - s_at(b - e)) / (2 * h)
  })
  bpart <- rowSums((G %*% fit$var) * G)
  ok <- bpart > 1e-12
  expect_true(sum(ok) > 100)
  rel <- (a$curves$std_err^2 - a0$curves$std_err^2)[ok] / bpart[ok] - 1
  expect_lt(max(abs(rel)), 1e-5)
})

test_that("the bootstrap is reproducible with a seed and near the delta method", {
  fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  set.seed(99)
  before <- runif(1)
  set.seed(99)
  b1 <- adjusted_curves(fit, "sex", data = lung2, boot = 60, seed = 7)
  # the caller's random number stream is left as it was
  expect_equal(runif(1), before)
  b2 <- adjusted_curves(fit, "sex", data = lung2, boot = 60, seed = 7)
  expect_identical(b1$curves, b2$curves)
  b3 <- adjusted_curves(fit, "sex", data = lung2, boot = 60, seed = 8)
  expect_false(identical(b1$curves$std_err, b3$curves$std_err))
  expect_equal(dim(b1$boot_surv[[1]]), c(nrow(adj_level(b1, 1)), 60L))
  a <- adjusted_curves(fit, "sex", data = lung2)
  expect_identical(a$curves$surv, b1$curves$surv)
  at <- a$curves$time %in% c(180, 363, 520)
  ratio <- b1$curves$std_err[at] / a$curves$std_err[at]
  expect_true(all(ratio > 0.6 & ratio < 1.6))
  expect_true(all(b1$curves$lower <= b1$curves$upper))
  # (start, stop] fits refuse resampling rows
  dc <- random_cox_data(100, seed = 2, counting = TRUE)
  fc <- cox(Surv(start, time, status) ~ z1 + sex, data = dc)
  expect_error(adjusted_curves(fc, "sex", data = dc, boot = 10), "boot",
               class = "cohortsurv_error")
  expect_s3_class(adjusted_curves(fc, "sex", data = dc),
                  "cs_adjusted_curves")
})

test_that("the km methods work on adjusted curves", {
  fit <- cox(Surv(time, status) ~ age + sex + ph.ecog, data = lung2)
  a <- adjusted_curves(fit, "sex", data = lung2)
  expect_output(print(a), "Adjusted survival")
  s <- summary(a, times = c(0, 180, 365))
  expect_equal(nrow(s), 6L)
  expect_equal(s$surv[c(1, 4)], c(1, 1))
  expect_close(s$cumhaz, -log(s$surv), 1e-12)
  expect_close(a$curves$std_chaz, a$curves$std_err / a$curves$surv, 1e-12)
  ck <- adj_level(a, 1)
  expect_equal(s$surv[2], ck$surv[findInterval(180, ck$time)])
  # n_risk: the rows with the level still at risk
  expect_equal(s$n_risk[2], sum(lung2$sex == 1 & lung2$time >= 180))
  q <- quantile(a, 0.5)
  expect_equal(q$quantile, a$table$median)
  expect_equal(q$quantile[1], ck$time[which(ck$surv <= 0.5)[1]])
  sa <- survival_at(a, times = 365, format = TRUE)
  expect_equal(nrow(sa), 2L)
  png(tf <- tempfile(fileext = ".png"), 7, 5, units = "in", res = 100)
  on.exit(unlink(tf))
  risk <- plot(a, conf_int = TRUE)
  dev.off()
  expect_equal(levels(risk$strata), c("sex=1", "sex=2"))
  at <- a$curves$time %in% c(180, 365)
  t2 <- adjusted_curves(fit, "sex", data = lung2, times = c(180, 365))
  expect_equal(t2$curves$surv, summary(a, times = c(180, 365))$surv)
})

test_that("bad input is refused by name", {
  fit <- cox(Surv(time, status) ~ age + sex, data = lung2)
  expect_error(adjusted_curves(fit, "nope", lung2), "variable",
               class = "cohortsurv_error")
  expect_error(adjusted_curves(fit, "sex"), "data",
               class = "cohortsurv_error")
  expect_error(adjusted_curves(fit, "sex", lung2, boot = -1), "boot",
               class = "cohortsurv_error")
  expect_error(adjusted_curves(fit, "sex", lung2, seed = "a"), "seed",
               class = "cohortsurv_error")
  expect_error(adjusted_curves(fit, "sex", lung2, conf_level = 1),
               class = "cohortsurv_error")
  expect_error(adjusted_curves(fit, "sex", lung2, values = NA),
               class = "cohortsurv_error")
  bad <- lung2
  bad$age[7] <- NA
  expect_error(adjusted_curves(fit, "sex", bad), "row 7",
               class = "cohortsurv_error")
  expect_error(adjusted_curves(lm(time ~ age, lung2), "age", lung2),
               class = "cohortsurv_error")
})

test_that("the delta-method variance of a stratified, weighted fit", {
  d <- random_cox_data(90, seed = 17)
  fm <- Surv(time, status) ~ z1 + z2 + strata(group)
  fit <- cox(fm, data = d, weights = w)
  a <- adjusted_curves(fit, "z2", data = d, values = c(1, 3))
  f0 <- fit
  f0$var[] <- 0
  a0 <- adjusted_curves(f0, "z2", data = d, values = c(1, 3))
  g <- coxph(fm, data = d, weights = w)
  g$var[] <- 0
  grid <- adj_level(a, 1)$time
  for (k in 1:2) {
    nd <- d
    nd$z2 <- c(1, 3)[k]
    sf <- survfit(g, newdata = nd)
    # per row S_i * sqrt(sum varhaz) r_i on the grid; strata independent
    m <- vapply(seq_len(nrow(nd)), function(i) {
      summary(sf[i], times = grid, extend = TRUE)$std.err
    }, numeric(length(grid)))
    part <- sqrt(rowSums(sapply(split(seq_len(nrow(nd)), nd$group),
                                function(i) (rowSums(m[, i, drop = FALSE]) /
                                               nrow(nd))^2)))
    expect_close(adj_level(a0, k)$std_err, part, 1e-8)
  }
  b <- fit$coefficients
  s_at <- function(beta) {
    f <- cox(fm, data = d, weights = w, init = beta,
             control = cox_control(iter_max = 0))
    adjusted_curves(f, "z2", data = d, values = c(1, 3))$curves$surv
  }
  h <- 1e-5
  G <- sapply(seq_along(b), function(j) {
    e <- replace(numeric(length(b)), j, h)
    (s_at(b + e) - s_at(b - e)) / (2 * h)
  })
  bpart <- rowSums((G %*% fit$var) * G)
  ok <- bpart > 1e-12
  rel <- (a$curves$std_err^2 - a0$curves$std_err^2)[ok] / bpart[ok] - 1
  expect_lt(max(abs(rel)), 1e-5)
})
