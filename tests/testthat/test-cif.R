# cif(): Aalen-Johansen cumulative incidence against survival::survfit()
# on multi-state (competing risks) responses.

mgus_cr <- function() {
  d <- survival::mgus2
  d$etime <- ifelse(d$pstat == 1, d$ptime, d$futime)
  d$event <- factor(ifelse(d$pstat == 1, 1, 2 * d$death), 0:2,
                    c("censor", "pcm", "death"))
  d
}

colon_cr <- function() {
  rec <- survival::colon[survival::colon$etype == 1, ]
  dth <- survival::colon[survival::colon$etype == 2, ]
  stopifnot(identical(rec$id, dth$id))
  data.frame(
    time = ifelse(rec$status == 1, rec$time, dth$time),
    event = factor(ifelse(rec$status == 1, 1, 2 * dth$status), 0:2,
                   c("censored", "recurrence", "death")),
    rx = rec$rx, sex = rec$sex
  )
}

random_cr <- function(n, seed, n_times = 25, counting = FALSE) {
  set.seed(seed)
  d <- data.frame(
    time = sample(seq_len(n_times), n, replace = TRUE),
    event = factor(sample(0:3, n, TRUE, prob = c(0.3, 0.3, 0.25, 0.15)),
                   0:3, c("cens", "a", "b", "c")),
    g = sample(c("x", "y", "z"), n, TRUE), s = sample(1:2, n, TRUE),
    w = sample(1:3, n, TRUE), fw = runif(n, 0.2, 2.5)
  )
  if (counting) {
    d$start <- pmax(0, d$time - sample(1:15, n, replace = TRUE))
    # survfit() needs someone at risk at the earliest entry in every curve
    d$start[match(unique(paste(d$g, d$s)), paste(d$g, d$s))] <- 0
  }
  d
}

# Every state of a cif() fit against the survfit() multi-state fit `sf`.
expect_cif_equal <- function(fit, sf, tol = 1e-10, counts = TRUE) {
  cv <- fit$curves
  expect_identical(levels(cv$state), c("(s0)", fit$states))
  # survival 3.5 leaves the columns of pstate unnamed: (s0), then the causes
  expect_equal(ncol(sf$pstate), length(fit$states) + 1L)
  for (j in seq_len(ncol(sf$pstate))) {
    c1 <- cv[as.integer(cv$state) == j, ]
    c1 <- c1[order(as.integer(c1$strata), c1$time), ]
    expect_equal(c1$time, sf$time)
    expect_close(c1$estimate, sf$pstate[, j], tol)
    expect_close(c1$std_err, sf$std.err[, j], tol)
    # survfit's arcsin limits lose their dim (pmax(0, .))
    lo <- matrix(sf$lower, ncol = ncol(sf$pstate))[, j]
    hi <- matrix(sf$upper, ncol = ncol(sf$pstate))[, j]
    # where everyone at risk fails, cif() has P0 = 0 exactly (limits NA);
    # survfit can leave a remnant of 1e-16 with numeric limits
    rem <- abs(sf$pstate[, j]) < 1e-14 & c1$estimate == 0 &
      is.na(c1$lower) != is.na(lo)
    lo[rem] <- hi[rem] <- c1$lower[rem] <- c1$upper[rem] <- NA
    expect_close(c1$lower, lo, tol)
    expect_close(c1$upper, hi, tol)
    if (counts) {
      expect_close(c1$n_risk, sf$n.risk[, 1], tol)
      expect_close(c1$n_event, sf$n.event[, j], tol)
    }
  }
  if (!is.null(sf$strata)) {
    expect_equal(as.vector(table(cv$strata[cv$state == "(s0)"])),
                 as.vector(sf$strata))
  }
}

test_that("cif() equals survfit() on mgus2 (pcm vs death) by sex", {
  d <- mgus_cr()
  fit <- cif(Surv(etime, event) ~ sex, data = d)
  sf <- survfit(Surv(etime, event) ~ sex, data = d)
  expect_cif_equal(fit, sf)
  expect_equal(fit$states, c("pcm", "death"))
  expect_equal(fit$strata$sex, c("F", "M"))
  # the table: last estimate per curve and cause
  tab <- fit$table
  expect_equal(nrow(tab), 4L)
  expect_equal(tab$events[tab$strata == "sex=F" & tab$state == "pcm"],
               sum(d$event == "pcm" & d$sex == "F"))
  one <- cif(Surv(etime, event) ~ 1, data = d)
  expect_cif_equal(one, survfit(Surv(etime, event) ~ 1, data = d))
})

test_that("cif() equals survfit() on colon (recurrence vs death)", {
  d <- colon_cr()
  fit <- cif(Surv(time, event) ~ rx, data = d)
  expect_cif_equal(fit, survfit(Surv(time, event) ~ rx, data = d))
  fit <- cif(Surv(time, event) ~ rx + strata(sex), data = d)
  expect_cif_equal(fit, survfit(Surv(time, event) ~ rx + strata(sex),
                                data = d))
})

test_that("cif() equals survfit() for every confidence transform", {
  d <- mgus_cr()
  for (ct in c("plain", "log-log", "logit", "arcsin")) {
    fit <- cif(Surv(etime, event) ~ sex, data = d, conf_type = ct,
               conf_level = 0.9)
    sf <- survfit(Surv(etime, event) ~ sex, data = d, conf.type = ct,
                  conf.int = 0.9)
    expect_cif_equal(fit, sf)
  }
  alias <- cif(Surv(etime, event) ~ sex, data = d, conf.type = "plain")
  expect_identical(alias$conf_type, "plain")
})

test_that("cif() equals survfit() on random data: ties, strata, weights", {
  for (seed in 1:3) {
    d <- random_cr(500, seed)
    fit <- cif(Surv(time, event) ~ g + strata(s), data = d)
    expect_cif_equal(fit, survfit(Surv(time, event) ~ g + strata(s),
                                  data = d))
    for (wt in c("w", "fw")) {
      d$wt <- d[[wt]]
      fit <- cif(Surv(time, event) ~ g, data = d, weights = wt)
      sf <- survfit(Surv(time, event) ~ g, data = d, weights = wt)
      expect_cif_equal(fit, sf, counts = FALSE)
      # weighted counts: the number at risk as survfit's weighted
      # Kaplan-Meier of any event, the events as weighted sums
      km_sf <- survfit(Surv(time, event != "cens") ~ g, data = d,
                       weights = wt)
      c0 <- fit$curves[fit$curves$state == "(s0)", ]
      expect_close(c0$n_risk, km_sf$n.risk)
      ca <- fit$curves[fit$curves$state == "a", ]
      ev <- tapply(d$wt * (d$event == "a"), list(d$time, d$g), sum)
      expect_close(ca$n_event, ev[cbind(as.character(ca$time),
                                        sub("g=", "", ca$strata))])
    }
  }
})

test_that("cif() equals survfit(id = row) with delayed entry", {
  for (seed in 4:5) {
    d <- random_cr(400, seed, counting = TRUE)
    fit <- cif(Surv(start, time, event) ~ g, data = d)
    sf <- survfit(Surv(start, time, event) ~ g, data = d,
                  id = seq_len(nrow(d)))
    expect_cif_equal(fit, sf)
    fit <- cif(Surv(start, time, event) ~ g + strata(s), data = d,
               weights = fw)
    # survfit() warns of log() of its -1e-16 remnants of P0 = 0
    sf <- suppressWarnings(survfit(Surv(start, time, event) ~ g + strata(s),
                                   data = d, weights = fw,
                                   id = seq_len(nrow(d))))
    expect_cif_equal(fit, sf, counts = FALSE)
  }
})

test_that("cif() handles a curve that ends with everyone failing", {
  d <- data.frame(time = c(1, 2, 2, 3, 4, 4, 5, 5),
                  event = factor(c(1, 0, 2, 1, 2, 1, 1, 2), 0:2,
                                 c("c", "x", "y")),
                  fw = c(0.3, 1.1, 0.7, 2, 0.1, 0.2, 0.3, 0.6))
  # survfit() warns of log() of its -1e-16 remnants of P0 = 0; cif()
  # reports 0 there
  expect_cif_equal(cif(Surv(time, event) ~ 1, data = d),
                   suppressWarnings(survfit(Surv(time, event) ~ 1, data = d)))
  fit <- expect_silent(cif(Surv(time, event) ~ 1, data = d, weights = fw))
  expect_cif_equal(fit, suppressWarnings(
    survfit(Surv(time, event) ~ 1, data = d, weights = fw)), counts = FALSE)
  expect_true(all(fit$curves$estimate >= 0))
})

test_that("cif() matches a hand computation", {
  # times 1..5; causes a, b; Y = 5, 4, 3, 2, 1
  d <- data.frame(time = 1:5,
                  event = factor(c("a", "cens", "b", "a", "cens"),
                                 c("cens", "a", "b")))
  fit <- cif(Surv(time, event) ~ 1, data = d)
  cv <- fit$curves
  s0 <- cv$estimate[cv$state == "(s0)"]
  fa <- cv$estimate[cv$state == "a"]
  fb <- cv$estimate[cv$state == "b"]
  # P0: 4/5, 4/5, 4/5 * 2/3, 4/5 * 2/3 * 1/2, same
  expect_equal(s0, c(0.8, 0.8, 8 / 15, 4 / 15, 4 / 15))
  # F_a: 1/5 at 1, then + P0(4-) * 1/2 = 8/15 / 2 at 4
  expect_equal(fa, c(0.2, 0.2, 0.2, 0.2 + 4 / 15, 0.2 + 4 / 15))
  # F_b: P0(3-) * 1/3 = 4/15 at 3
  expect_equal(fb, c(0, 0, 4 / 15, 4 / 15, 4 / 15))
  expect_equal(s0 + fa + fb, rep(1, 5))
  expect_equal(cv$n_risk[cv$state == "a"], 5:1)
})

test_that("cif() is invariant to row order; weight 2 equals a duplicated row", {
  d <- random_cr(300, 7)
  fit <- cif(Surv(time, event) ~ g, data = d)
  perm <- cif(Surv(time, event) ~ g, data = d[sample(nrow(d)), ])
  expect_equal(perm$curves, fit$curves, tolerance = 1e-12)
  d$two <- rep(c(1, 2), length.out = nrow(d))
  w2 <- cif(Surv(time, event) ~ g, data = d, weights = two)
  dup <- cif(Surv(time, event) ~ g, data = d[rep(seq_len(nrow(d)), d$two), ])
  cols <- c("time", "n_risk", "n_event", "estimate")
  expect_equal(w2$curves[cols], dup$curves[cols], tolerance = 1e-12)
})

test_that("summary(times =) reads the curves as summary.survfit does", {
  d <- mgus_cr()
  fit <- cif(Surv(etime, event) ~ sex, data = d)
  sf <- survfit(Surv(etime, event) ~ sex, data = d)
  tt <- c(0.5, 60, 120, 240, 500)
  s <- summary(fit, times = tt, states = c("(s0)", "pcm", "death"))
  expect_s3_class(s, "cs_cif_summary")
  ss <- summary(sf, times = tt, extend = TRUE)
  for (j in 1:3) {
    sj <- s[as.integer(s$state) == j, ]
    sj <- sj[order(as.integer(sj$strata), sj$time), ]
    expect_close(sj$estimate, ss$pstate[, j])
    expect_close(sj$std_err, ss$std.err[, j])
    expect_close(sj$n_risk, ss$n.risk[, 1])
  }
  expect_equal(levels(droplevels(summary(fit, times = 10)$state)),
               c("pcm", "death"))
  expect_output(print(s), "Cumulative incidence")
  # without times: the rows of the event times of each curve
  s0 <- summary(fit)
  ev <- fit$curves[fit$curves$state != "(s0)", ]
  tot <- tapply(ev$n_event, paste(ev$strata, ev$time), sum)
  expect_equal(nrow(s0), 2L * sum(tot > 0))
  expect_true(all(tot[paste(s0$strata, s0$time)] > 0))
  expect_output(print(fit), "pcm")
})

test_that("cif() refuses bad input with errors naming the argument", {
  d <- mgus_cr()
  d$num <- as.integer(d$event) - 1L
  expect_error(cif(Surv(etime, num) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "km\\(\\)")
  d$one <- factor(rep("censor", nrow(d)))
  expect_error(cif(Surv(etime, one) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "at least one cause")
  expect_error(cif(Surv(etime, event) ~ sex, data = d, id = id),
               class = "cohortsurv_error", regexp = "id")
  expect_error(cif(Surv(etime, event) ~ sex, data = d, influence = TRUE),
               class = "cohortsurv_error")
  expect_error(cif(Surv(etime, event) ~ sex, data = d, conf_type = "none"),
               class = "cohortsurv_error", regexp = "conf_type")
  expect_error(cif(Surv(etime, event) ~ sex, data = d, conf_level = 2),
               class = "cohortsurv_error", regexp = "conf_level")
  expect_error(cif(Surv(etime, event) ~ sex, data = d, timefix = NA),
               class = "cohortsurv_error", regexp = "timefix")
  d$alpha <- factor(as.character(d$event), c("pcm", "death", "censor"))
  expect_error(cif(Surv(etime, alpha) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "censoring level first")
  expect_error(gray_test(Surv(etime, alpha) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "censoring level first")
  fit <- cif(Surv(etime, event) ~ sex, data = d)
  expect_error(summary(fit, states = "relapse"), class = "cohortsurv_error",
               regexp = "states")
  expect_error(summary(fit, times = NA), class = "cohortsurv_error",
               regexp = "times")
  # km(), logrank() and cox() keep refusing a factor status
  expect_error(km(Surv(etime, event) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "0/1")
  expect_error(logrank(Surv(etime, event) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "0/1")
  expect_error(cox(Surv(etime, event) ~ sex, data = d),
               class = "cohortsurv_error", regexp = "0/1")
})

test_that("plot() of a cif() fit draws one panel per cause, from 0", {
  d <- mgus_cr()
  fit <- cif(Surv(etime, event) ~ sex, data = d)
  path <- tempfile(fileext = ".png")
  grDevices::png(path, 10, 5, units = "in", res = 100)
  on.exit(grDevices::dev.off(), add = TRUE)
  out <- plot(fit, xscale = 12, conf_int = TRUE)
  expect_named(out, c("pcm", "death"))
  # the risk table is the number at risk of each group at the breaks
  r <- out$pcm
  s <- summary(fit, times = r$time[r$strata == levels(r$strata)[1L]])
  expect_equal(r$n_risk, s$n_risk[s$state == "pcm"])
  one <- plot(cif(Surv(etime, event) ~ 1, data = d), states = "death")
  expect_length(one, 1L)
  expect_error(plot(fit, states = "relapse"), class = "cohortsurv_error",
               regexp = "states")
  expect_error(plot(fit, fun = "event"), class = "cohortsurv_error",
               regexp = "fun")
  expect_error(plot(fit, main = "a"), class = "cohortsurv_error",
               regexp = "main")
  # stacked bands: the top of the last is the sum of the incidences
  st <- plot(fit, stacked = TRUE, xscale = 12)
  expect_named(st, c("sex=F", "sex=M"))
  cf <- fit$curves[fit$curves$strata == "sex=F", ]
  expect_equal(st[[1L]]$top[, 2L],
               cf$estimate[cf$state == "pcm"] +
                 cf$estimate[cf$state == "death"])
  expect_error(plot(fit, stacked = TRUE, main = "x"),
               class = "cohortsurv_error", regexp = "main")
  # Gray's P value in each panel
  pv <- plot(fit, pval = TRUE)
  expect_named(pv, c("pcm", "death"))
  expect_error(plot(cif(Surv(etime, event) ~ 1, data = d), pval = TRUE),
               class = "cohortsurv_error", regexp = "pval")
})

test_that("plot(km_fit, fun = 'event') draws 1 - S; other `fun` refused", {
  fit <- km(Surv(time, status) ~ sex, data = survival::lung)
  path <- tempfile(fileext = ".png")
  grDevices::png(path, 7, 5, units = "in", res = 100)
  on.exit(grDevices::dev.off(), add = TRUE)
  a <- plot(fit, fun = "event")
  b <- plot(fit)
  expect_equal(a$n_risk, b$n_risk)
  # the obstacles the layout avoids are those of 1 - S
  expect_error(plot(fit, fun = "log"), class = "cohortsurv_error",
               regexp = "\"log\" is not supported")
  expect_error(plot(fit, fun = function(s) 1 - s),
               class = "cohortsurv_error", regexp = "fun")
})

test_that("survival_at() reads a cif() fit at fixed times with CIs", {
  d <- mgus_cr()
  fit <- cif(Surv(etime, event) ~ sex, data = d)
  tt <- c(60, 120, 500)
  sa <- survival_at(fit, tt, format = TRUE)
  expect_s3_class(sa, "cs_survival_at")
  expect_named(sa, c("strata", "state", "time", "n_risk", "estimate",
                     "std_err", "lower", "upper", "beyond", "text"))
  ss <- summary(survfit(Surv(etime, event) ~ sex, data = d), times = tt,
                extend = TRUE)
  for (j in 2:3) {  # pstate columns: (s0), pcm, death
    s1 <- sa[as.integer(sa$state) == j - 1L, ]
    expect_close(s1$estimate, ss$pstate[, j])
    expect_close(s1$lower, ss$lower[, j])
    expect_close(s1$upper, ss$upper[, j])
  }
  expect_equal(sa$beyond, sa$time == 500)
  expect_match(sa$text[1L], "^4% \\(3% to 6%\\)$")
  expect_output(print(sa), "Cumulative incidence at fixed times")
})

test_that("the sorted and the sort-free (binned) kernels agree", {
  d <- random_cr(2000, 11)
  y <- cbind(time = as.double(d$time), status = as.double(d$event) - 1)
  g <- factor(d$g)
  sd <- new_surv_data(y, g, d$fw)
  sorted <- cpp_cif(sd, 3L)
  sdb <- new_surv_data(y, g, d$fw, bins = list(cells = 9, rule = bin_rules$km),
                       columns = FALSE)
  expect_false(is.null(sdb$bins))
  binned <- cpp_cif_binned(sdb, 3L, sdb$bins$tmin, sdb$bins$n_bins)
  for (nm in names(sorted)) {
    expect_equal(binned[[nm]], sorted[[nm]], tolerance = 1e-12, info = nm)
  }
  # fractional times take the sorted kernel: still survfit's numbers
  d$t7 <- d$time / 7
  expect_cif_equal(cif(Surv(t7, event) ~ g, data = d, weights = fw),
                   survfit(Surv(t7, event) ~ g, data = d, weights = fw),
                   counts = FALSE)
  expect_error(cpp_cif(sd, 2L), "status")
})

test_that("zero weights: rows kept, as survfit keeps them", {
  d <- random_cr(300, 21)
  d$zw <- d$fw
  d$zw[d$g == "z"] <- 0          # a whole curve of weight 0
  d$zw[seq(1, nrow(d), 7)] <- 0  # and scattered zeros
  fit <- cif(Surv(time, event) ~ g, data = d, weights = zw)
  expect_false(anyNA(fit$curves$estimate))
  expect_false(anyNA(fit$curves$std_err))
  keep <- d$g != "z"
  # (survival 3.5-3's survfit warns "NaNs produced" for the scattered
  # zero weights; cif() does not need to)
  sf <- suppressWarnings(
    survfit(Surv(time, event) ~ g, data = d[keep, ], weights = zw))
  sub <- fit
  sub$curves <- droplevels(fit$curves[fit$curves$strata != "g=z", ])
  expect_cif_equal(sub, sf, counts = FALSE)
  # sorted kernel too (fractional times)
  d$t7 <- d$time / 7
  fit7 <- cif(Surv(t7, event) ~ g, data = d, weights = zw)
  expect_false(anyNA(fit7$curves$std_err))
})

test_that("a precomputed multi-state Surv column and general terms work", {
  d <- mgus_cr()
  d$y <- Surv(d$etime, d$event)
  a <- cif(y ~ sex, data = d)
  b <- cif(Surv(etime, event) ~ sex, data = d)
  expect_equal(a$curves, b$curves)
  expect_equal(a$states, c("pcm", "death"))
  d$y2 <- Surv(d$etime, d$death)
  expect_error(cif(y2 ~ sex, data = d), class = "cohortsurv_error",
               regexp = "km\\(\\)")
  # a term that is not a plain column (the general model-frame path)
  fit <- cif(Surv(etime, event) ~ I(age > 60), data = d)
  sf <- survfit(Surv(etime, event) ~ I(age > 60), data = d)
  expect_cif_equal(fit, sf)
})
