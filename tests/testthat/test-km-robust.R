# km()'s robust (infinitesimal-jackknife) variance, its robust / id /
# cluster arguments, survfit's argument names, and summary()'s n_censor,
# against survival::survfit.

conf_types <- c("log", "log-log", "plain", "arcsin")

# Curves of a km() fit against summary(survfit, censored = TRUE). Where a
# curve drops to 0, survfit's S and SE can be rounding residues (below
# 1e-15) instead of 0: its limits are then numbers (S) or NaN (plain, SE)
# where km()'s, from an exact 0, are NA or 0. Those rows, and only those,
# may differ in NA-ness.
compare_robust <- function(fit, sfit, tol = 1e-10, n_censor = TRUE,
                           table = TRUE) {
  ss <- summary(sfit, censored = TRUE)
  cv <- fit$curves
  expect_equal(nrow(cv), length(ss$time))
  expect_close(cv$time, ss$time, tol)
  expect_close(cv$n_risk, ss$n.risk, tol)
  expect_close(cv$n_event, ss$n.event, tol)
  if (n_censor) expect_close(cv$n_censor, ss$n.censor, tol)
  expect_close(cv$surv, ss$surv, tol)
  expect_close(cv$std_err, ss$std.err, tol)
  for (lim in c("lower", "upper")) {
    a <- cv[[lim]]
    b <- ss[[lim]]
    odd <- is.na(a) != is.na(b)
    if (any(odd)) {
      expect_true(all(cv$surv[odd] == 0 & cv$std_err[odd] == 0 &
                        ss$surv[odd] < 1e-15 & ss$std.err[odd] < 1e-15))
    }
    expect_close(a[!odd], b[!odd], tol)
  }
  if (table) {
    tab <- summary(sfit)$table
    if (is.null(dim(tab))) tab <- t(tab)
    expect_close(fit$table$median, tab[, "median"], tol)
    expect_close(fit$table$rmean_se, tab[, "se(rmean)"], tol)
  }
}

test_that("robust variance agrees with survfit on survival's datasets", {
  lung2 <- lung
  lung2$fw <- lung2$ph.karno / 7
  for (ct in conf_types) {
    # every conf_type on the small data sets, two on the larger ones
    # non-integer weights: robust by default in both
    compare_robust(km(Surv(time, status) ~ sex, lung2, weights = fw,
                      conf_type = ct),
                   survfit(Surv(time, status) ~ sex, lung2, weights = fw,
                           conf.type = ct))
    compare_robust(km(Surv(futime, fustat) ~ rx, ovarian, robust = TRUE,
                      conf_type = ct),
                   survfit(Surv(futime, fustat) ~ rx, ovarian, robust = TRUE,
                           conf.type = ct))
    compare_robust(km(Surv(time, status) ~ x, aml, robust = TRUE,
                      conf_type = ct),
                   survfit(Surv(time, status) ~ x, aml, robust = TRUE,
                           conf.type = ct))
    compare_robust(km(Surv(time, status) ~ trt, veteran, cluster = celltype,
                      conf_type = ct),
                   survfit(Surv(time, status) ~ trt, veteran,
                           cluster = celltype, conf.type = ct))
    if (!ct %in% c("log", "plain")) next
    # colon: two rows (recurrence, death) per patient, clustered by id
    compare_robust(km(Surv(time, status) ~ rx, colon, cluster = id,
                      conf_type = ct),
                   survfit(Surv(time, status) ~ rx, colon, cluster = id,
                           conf.type = ct))
    # bladder2: counting process, several events per id: robust by default.
    # survival 3.5.3 mislays its interval-boundary flags when it fits more
    # than one curve with an id (it indexes the whole data's flags by the
    # rows of one curve), so n_censor is compared on the single curve only.
    compare_robust(km(Surv(start, stop, event) ~ rx, bladder2, id = id,
                      conf_type = ct),
                   survfit(Surv(start, stop, event) ~ rx, bladder2, id = id,
                           conf.type = ct), n_censor = FALSE)
    compare_robust(km(Surv(start, stop, event) ~ 1, bladder2, id = id,
                      conf_type = ct),
                   survfit(Surv(start, stop, event) ~ 1, bladder2, id = id,
                           conf.type = ct))
  }
  compare_robust(km(Surv(start, stop, event) ~ 1, heart, id = id,
                    robust = TRUE),
                 survfit(Surv(start, stop, event) ~ 1, heart, id = id,
                         robust = TRUE))
  expect_true(km(Surv(start, stop, event) ~ 1, bladder2, id = id)$robust)
  expect_false(km(Surv(start, stop, event) ~ 1, heart, id = id)$robust)
})

test_that("robust variance agrees with survfit on random tied, weighted, clustered data", {
  for (seed in 1:4) {
    d <- random_surv(300, n_groups = 3, n_times = 12, seed = seed,
                     counting = TRUE)
    d$cl <- sample(1:40, nrow(d), replace = TRUE)
    d$fw[sample.int(nrow(d), 10)] <- 0
    for (ct in conf_types[seed]) {
      compare_robust(km(Surv(time, status) ~ group, d, weights = fw,
                        conf_type = ct),
                     survfit(Surv(time, status) ~ group, d, weights = fw,
                             conf.type = ct))
      compare_robust(km(Surv(time, status) ~ group + sex, d, cluster = cl,
                        weights = w, conf_type = ct),
                     survfit(Surv(time, status) ~ group + sex, d, cluster = cl,
                             weights = w, conf.type = ct))
      compare_robust(km(Surv(start, time, status) ~ group, d, weights = fw,
                        conf_type = ct),
                     survfit(Surv(start, time, status) ~ group, d,
                             weights = fw, conf.type = ct))
      compare_robust(km(Surv(start, time, status) ~ group, d, cluster = cl,
                        weights = fw, conf_type = ct),
                     survfit(Surv(start, time, status) ~ group, d,
                             cluster = cl, weights = fw, conf.type = ct))
      compare_robust(km(Surv(start, time, status) ~ 1, d, id = cl,
                        robust = TRUE, conf_type = ct),
                     survfit(Surv(start, time, status) ~ 1, d, id = cl,
                             robust = TRUE, conf.type = ct))
    }
  }
})

test_that("the curves reaching 0 report survfit's SE there", {
  # small strata whose last time is an event: S drops to 0, with and
  # without delayed entry, weights of 0 and clusters spanning strata
  n_zero <- 0
  for (seed in 1:12) {
    set.seed(seed)
    n <- sample(5:30, 1)
    d <- data.frame(time = sample(1:8, n, TRUE), status = rbinom(n, 1, 0.8),
                    g = sample(c("a", "b"), n, TRUE),
                    fw = runif(n, 0.2, 2.5), cl = sample(1:6, n, TRUE))
    d$fw[sample(n, 2)] <- 0
    d$start <- pmax(0, d$time - sample(1:8, n, TRUE))
    for (ct in c("log", "plain")) {
      # (survfit's se(rmean) is a rounding residue, or NaN, on these)
      f1 <- km(Surv(time, status) ~ g, d, weights = fw, conf_type = ct)
      compare_robust(f1, survfit(Surv(time, status) ~ g, d, weights = fw,
                                 conf.type = ct), table = FALSE)
      compare_robust(km(Surv(start, time, status) ~ g, d, weights = fw,
                        cluster = cl, conf_type = ct),
                     survfit(Surv(start, time, status) ~ g, d, weights = fw,
                             cluster = cl, conf.type = ct), table = FALSE)
      n_zero <- n_zero + sum(f1$curves$surv == 0)
      # the O(n) expansion, with its cluster-by-cluster steps where nearly
      # all the weight at risk dies, gives the same
      y3 <- cbind(start = as.double(d$start), stop = as.double(d$time),
                  status = as.double(d$status))
      e2 <- cohortsurv:::km_engine(y3, d$g, d$fw, ct, 0.95, "bc",
                                   cluster = d$cl - 1L, robust_method = 2L)
      e1 <- cohortsurv:::km_engine(y3, d$g, d$fw, ct, 0.95, "bc",
                                   cluster = d$cl - 1L, robust_method = 1L)
      expect_close(e2$curves$std_err, e1$curves$std_err)
    }
  }
  expect_gt(n_zero, 10)
  # one cluster holding the whole curve: the IJ variance is exactly 0
  d <- data.frame(time = c(1, 2, 2, 3, 4, 5), status = c(1, 1, 0, 1, 0, 1),
                  w = c(0.5, 1.5, 1, 2, 0.7, 1.3))
  fit <- km(Surv(time, status) ~ 1, d, weights = w, cluster = rep(1, 6))
  expect_true(all(fit$curves$std_err < 1e-15))
  compare_robust(fit, survfit(Surv(time, status) ~ 1, d, weights = w,
                              cluster = rep(1, 6)))
})

test_that("both robust algorithms agree with survfit", {
  # the recursion (1) and the O(n) expansion (2) of km_robust_se()
  eng <- function(y, g, w, cl, ct, method) {
    cohortsurv:::km_engine(y, g, w, ct, 0.95, "bc",
                           cluster = match(cl, unique(cl)) - 1L,
                           robust_method = method)$curves
  }
  for (seed in 1:3) {
    d <- random_surv(400, n_groups = 2, n_times = 25, seed = seed,
                     counting = TRUE)
    d$cl <- sample(1:150, nrow(d), replace = TRUE)
    y2 <- cbind(time = as.double(d$time), status = as.double(d$status))
    y3 <- cbind(start = as.double(d$start), y2)
    for (ct in c("log", "plain")) {
      s_row <- summary(survfit(Surv(time, status) ~ group, d, weights = fw,
                               conf.type = ct), censored = TRUE)
      s_cl <- summary(survfit(Surv(start, time, status) ~ group, d,
                              weights = fw, cluster = cl, conf.type = ct),
                      censored = TRUE)
      for (method in 1:2) {
        a <- eng(y2, d$group, d$fw, seq_len(nrow(d)), ct, method)
        expect_close(a$std_err, s_row$std.err)
        expect_close(a$lower, s_row$lower)
        expect_close(a$upper, s_row$upper)
        b <- eng(y3, d$group, d$fw, d$cl, ct, method)
        expect_close(b$std_err, s_cl$std.err)
        expect_close(b$lower, s_cl$lower)
        expect_close(b$upper, s_cl$upper)
      }
    }
  }
})

test_that("at scale the O(n) expansion is chosen and agrees with survfit", {
  set.seed(3)
  n <- 12000
  d <- data.frame(time = round(rexp(n, 1 / 500), 1), status = rbinom(n, 1, 0.5),
                  fw = runif(n, 0.5, 2))
  d$start <- pmax(0, round(d$time - rexp(n, 1 / 100), 1))
  d$start[d$start >= d$time] <- 0
  # (timefix = FALSE: km() takes times as given)
  compare_robust(km(Surv(time, status) ~ 1, d, weights = fw),
                 survfit(Surv(time, status) ~ 1, d, weights = fw,
                         timefix = FALSE), table = FALSE)
  compare_robust(km(Surv(start, time, status) ~ 1, d, weights = fw),
                 survfit(Surv(start, time, status) ~ 1, d, weights = fw,
                         timefix = FALSE), table = FALSE)
})

test_that("the robust SE is the derivative of S with respect to each cluster's weight", {
  # an oracle independent of survfit: central differences of the weighted
  # KM when the weights of one cluster are scaled by 1 +- h
  set.seed(11)
  n <- 40
  d <- data.frame(time = sample(1:10, n, TRUE), status = rbinom(n, 1, 0.7),
                  w = runif(n, 0.5, 2), cl = sample(1:8, n, TRUE))
  fit <- km(Surv(time, status) ~ 1, d, weights = w, cluster = cl)
  h <- 1e-5
  u <- sapply(sort(unique(d$cl)), function(k) {
    up <- d$w * ifelse(d$cl == k, 1 + h, 1)
    dn <- d$w * ifelse(d$cl == k, 1 - h, 1)
    (km_fit(d$time, d$status, weights = up, robust = FALSE)$curves$surv -
       km_fit(d$time, d$status, weights = dn, robust = FALSE)$curves$surv) /
      (2 * h)
  })
  expect_close(fit$curves$std_err, sqrt(rowSums(u^2)), 1e-7)
})

test_that("robust, id and cluster follow survfit's defaults and invariances", {
  d <- random_surv(200, n_groups = 2, n_times = 10, seed = 5)
  d$cl <- sample(1:30, nrow(d), replace = TRUE)
  greenwood <- km(Surv(time, status) ~ group, d, weights = w)
  expect_false(greenwood$robust)
  expect_identical(greenwood[c("curves", "table")],
                   km(Surv(time, status) ~ group, d, weights = w,
                      robust = FALSE)[c("curves", "table")])
  expect_true(km(Surv(time, status) ~ group, d, weights = fw)$robust)
  expect_true(km(Surv(time, status) ~ group, d, cluster = cl)$robust)
  # an id without repeated events keeps Greenwood; with repeated events
  # it is robust, clustered by id
  expect_false(km(Surv(time, status) ~ group, d, id = seq_len(nrow(d)))$robust)
  by_id <- km(Surv(time, status) ~ group, d, id = cl)
  expect_true(by_id$robust)
  expect_equal(by_id$curves, km(Surv(time, status) ~ group, d,
                                cluster = cl)$curves, tolerance = 1e-14)
  # robust without clusters: one cluster per row
  expect_equal(km(Surv(time, status) ~ group, d, robust = TRUE)$curves,
               km(Surv(time, status) ~ group, d,
                  cluster = seq_len(nrow(d)))$curves, tolerance = 1e-14)
  # id and cluster as column names or vectors, through subset and NA removal
  d$cl2 <- d$cl
  d$cl2[3] <- NA
  a <- km(Surv(time, status) ~ group, d, cluster = cl2, subset = time > 1)
  keep <- d$time > 1 & !is.na(d$cl2)
  b <- km(Surv(time, status) ~ group, d[keep, ], cluster = d$cl[keep])
  expect_equal(a$curves, b$curves, tolerance = 1e-14)
  expect_equal(a$n_dropped, 1L)
  # row permutation changes nothing
  p <- sample(nrow(d))
  expect_equal(km(Surv(time, status) ~ group, d[p, ], weights = fw,
                  cluster = cl)$curves,
               km(Surv(time, status) ~ group, d, weights = fw,
                  cluster = cl)$curves, tolerance = 1e-12)
  # splitting each row into two rows of half its weight in the same
  # cluster changes nothing; as separate clusters it changes the SE
  dd <- rbind(d, d)
  dd$fw <- dd$fw / 2
  base <- km(Surv(time, status) ~ group, d, weights = fw, cluster = cl)$curves
  split <- km(Surv(time, status) ~ group, dd, weights = fw, cluster = cl)$curves
  expect_equal(split, base, tolerance = 1e-12)
  dd$row <- seq_len(nrow(dd))
  apart <- km(Surv(time, status) ~ group, dd, weights = fw, cluster = row)
  expect_gt(max(abs(apart$curves$std_err - base$std_err)), 1e-3)
  # a cluster spanning both curves gives each curve its rows' influence
  expect_equal(km(Surv(time, status) ~ group, d, cluster = cl)$curves,
               rbind(km(Surv(time, status) ~ group, d[d$group == "a", ],
                        cluster = cl)$curves,
                     km(Surv(time, status) ~ group, d[d$group == "b", ],
                        cluster = cl)$curves), ignore_attr = TRUE,
               tolerance = 1e-14)
  # km_fit() takes the same arguments
  expect_equal(km_fit(d$time, d$status, strata = d$group, weights = d$fw,
                      cluster = d$cl)$curves[-1],
               km(Surv(time, status) ~ group, d, weights = fw,
                  cluster = cl)$curves[-1], tolerance = 1e-14)
})

test_that("robust-variance arguments are validated", {
  d <- random_surv(50, seed = 2, counting = TRUE)
  expect_error(km(Surv(time, status) ~ 1, d, robust = "yes"),
               class = "cohortsurv_error", regexp = "robust")
  expect_error(km(Surv(time, status) ~ 1, d, robust = NA),
               class = "cohortsurv_error", regexp = "robust")
  expect_error(km(Surv(time, status) ~ 1, d, cluster = 1:3),
               class = "cohortsurv_error", regexp = "cluster")
  expect_error(km(Surv(time, status) ~ 1, d, id = 1:3),
               class = "cohortsurv_error", regexp = "id")
  expect_error(km(Surv(start, time, status) ~ 1, d, robust = TRUE),
               class = "cohortsurv_error", regexp = "`id` or `cluster`")
  expect_warning(
    fit <- km(Surv(time, status) ~ 1, d, cluster = group, robust = FALSE),
    class = "cohortsurv_warning")
  expect_false(fit$robust)
  expect_error(km_fit(d$time, d$status, cluster = 1:3),
               class = "cohortsurv_error", regexp = "cluster")
  expect_error(km_fit(d$time, d$status, id = c(NA, seq_len(49))),
               class = "cohortsurv_error", regexp = "id")
  # the C++ kernel refuses cluster codes out of range
  ord <- order(d$time)
  sd <- list(stop = as.double(d$time), status = as.double(d$status),
             strata = rep(0L, 50), n_strata = 1L, order = ord - 1L)
  expect_error(cohortsurv:::cpp_km_robust(sd, rep(5L, 50), 2L, 0L, 0L, 1.96),
               "cluster code out of range")
})

test_that("survfit's argument names are accepted or refused clearly", {
  expect_equal(km(Surv(time, status) ~ sex, lung, conf.type = "log-log",
                  conf.int = 0.9)$curves,
               km(Surv(time, status) ~ sex, lung, conf_type = "log-log",
                  conf_level = 0.9)$curves)
  fit <- km(Surv(time, status) ~ sex, lung, conf.type = "plain")
  expect_identical(fit$conf_type, "plain")
  compare_robust(km(Surv(time, status) ~ sex, lung, conf.type = "arcsin",
                    conf.int = 0.8),
                 survfit(Surv(time, status) ~ sex, lung, conf.type = "arcsin",
                         conf.int = 0.8))
  expect_error(km(Surv(time, status) ~ sex, lung, conf.type = "log",
                  conf_type = "plain"),
               class = "cohortsurv_error", regexp = "not both")
  expect_error(km(Surv(time, status) ~ sex, lung, conf.int = 0.9,
                  conf_level = 0.8),
               class = "cohortsurv_error", regexp = "not both")
  expect_error(km(Surv(time, status) ~ sex, lung, conf.type = "none"),
               class = "cohortsurv_error", regexp = "conf.type")
  expect_error(km(Surv(time, status) ~ sex, lung, conf.type = "logit"),
               class = "cohortsurv_error", regexp = "conf.type")
  expect_error(km(Surv(time, status) ~ sex, lung, conf.int = FALSE),
               class = "cohortsurv_error", regexp = "conf.int")
  expect_error(km(Surv(time, status) ~ sex, lung, rmean = 365),
               class = "cohortsurv_error", regexp = "rmean")
  for (a in c("se.fit", "stype", "type", "conf.lower", "start.time",
              "influence", "istate", "etype", "error", "entry",
              "time0", "p0", "model", "scale")) {
    args <- list(Surv(time, status) ~ sex, lung, 1)
    names(args) <- c("", "", a)
    err <- expect_error(do.call(km, args), class = "cohortsurv_error")
    expect_identical(err$arg, a)
    expect_match(conditionMessage(err), "not a km\\(\\) argument")
  }
  err <- expect_error(km(Surv(time, status) ~ sex, lung, colour = "red"),
                      class = "cohortsurv_error")
  expect_match(conditionMessage(err), "`colour` is not an argument of km()",
               fixed = TRUE)
  expect_error(do.call(km, list(Surv(time, status) ~ sex, lung, NULL, NULL,
                                stats::na.omit, "log", 0.9, "bc", NULL, NULL,
                                NULL, TRUE, "extra")),
               class = "cohortsurv_error", regexp = "unnamed")
})

test_that("summary() counts censorings as summary.survfit does", {
  s <- summary(km(Surv(futime, fustat) ~ rx, ovarian))
  ss <- summary(survfit(Surv(futime, fustat) ~ rx, ovarian))
  expect_equal(s$n_censor, ss$n.censor)
  expect_equal(s$n_censor, c(0, 0, 0, 0, 0, 0, 2, 0, 0, 2, 0, 0))
  d <- random_surv(300, n_groups = 3, n_times = 15, seed = 4)
  cases <- list(
    list(km(Surv(time, status) ~ sex, lung),
         survfit(Surv(time, status) ~ sex, lung)),
    list(km(Surv(time, status) ~ 1, aml),
         survfit(Surv(time, status) ~ 1, aml)),
    list(km(Surv(time, status) ~ group, d, weights = fw),
         survfit(Surv(time, status) ~ group, d, weights = fw)),
    list(km(Surv(start, stop, event) ~ transplant, heart),
         survfit(Surv(start, stop, event) ~ transplant, heart))
  )
  for (cs in cases) {
    for (cens in c(FALSE, TRUE)) {
      s <- summary(cs[[1]], censored = cens)
      ss <- summary(cs[[2]], censored = cens)
      expect_close(s$time, ss$time)
      expect_close(s$n_risk, ss$n.risk)
      expect_close(s$n_event, ss$n.event)
      expect_close(s$n_censor, ss$n.censor)
      expect_close(s$surv, ss$surv)
      expect_close(s$std_err, ss$std.err)
      expect_close(s$lower, ss$lower)
      expect_close(s$upper, ss$upper)
    }
  }
  expect_error(summary(cases[[1]][[1]], censored = "yes"),
               class = "cohortsurv_error", regexp = "censored")
})

test_that("summary(times =) agrees with survfit before, between and after the observations", {
  d <- random_surv(300, n_groups = 3, n_times = 15, seed = 6)
  cases <- list(
    list(km(Surv(time, status) ~ sex, lung),
         survfit(Surv(time, status) ~ sex, lung),
         c(-5, 0, 1, 5, 100, 365, 500.5, 1022, 1100, 5000)),
    list(km(Surv(futime, fustat) ~ rx, ovarian, weights = age / 50),
         survfit(Surv(futime, fustat) ~ rx, ovarian, weights = age / 50),
         c(0, 3, 59, 200, 638, 1227, 1300)),
    list(km(Surv(time, status) ~ group, d, weights = fw, cluster = sex),
         survfit(Surv(time, status) ~ group, d, weights = fw, cluster = sex),
         c(0, 0.5, 1, 7.5, 15, 16, 100)),
    list(km(Surv(start, stop, event) ~ transplant, heart),
         survfit(Surv(start, stop, event) ~ transplant, heart),
         c(-1, 0, 10, 100, 2000))
  )
  for (cs in cases) {
    s <- summary(cs[[1]], times = cs[[3]])
    ss <- summary(cs[[2]], times = cs[[3]], extend = TRUE)
    expect_close(s$time, ss$time)
    expect_close(s$n_risk, ss$n.risk)
    expect_close(s$n_event, ss$n.event)
    expect_close(s$n_censor, ss$n.censor)
    expect_close(s$surv, ss$surv)
    expect_close(s$std_err, ss$std.err)
    expect_close(s$lower, ss$lower)
    expect_close(s$upper, ss$upper)
  }
})
