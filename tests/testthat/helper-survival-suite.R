# Helpers for the tests ported from survival's own test scripts
# (tests/*.R of the survival sources). survival is the oracle; the
# hand-computed closed forms come from Therneau and Grambsch, appendix E.

suppressPackageStartupMessages(library(survival))

sv_tol_cox <- 1e-8
sv_tol_km <- 1e-10

# --- data sets of the book scripts ------------------------------------------

# Data set 1 (book1, book2, book7): not in time order, one missing status.
sv_test1 <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8),
                       status = c(1, NA, 1, 0, 1, 1, 0),
                       x = c(0, 2, 1, 1, 1, 0, 0))

# Data set 2 (book3, book4): counting-process data.
sv_test2 <- data.frame(start = c(1, 2, 5, 2, 1, 7, 3, 4, 8, 8),
                       stop = c(2, 3, 6, 7, 8, 9, 9, 9, 14, 17),
                       event = c(1, 1, 1, 1, 1, 1, 1, 0, 0, 0),
                       x = c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0))

# Data set 2 three times, each copy a stratum with shifted times, so that
# risk sets mixing strata would give wrong answers.
sv_test2b <- local({
  d <- rbind(sv_test2, sv_test2, sv_test2)
  d$group <- rep(1:3, each = nrow(sv_test2))
  d$start <- d$start + d$group
  d$stop <- d$stop + d$group
  d
})

# Weighted data (book5, book6) and its expansion by replication.
sv_testw1 <- data.frame(time = c(1, 1, 2, 2, 2, 2, 3, 4, 5),
                        status = c(1, 0, 1, 1, 1, 0, 0, 1, 0),
                        x = c(2, 0, 1, 1, 0, 1, 0, 1, 0),
                        wt = c(1, 2, 3, 4, 3, 2, 1, 2, 1),
                        id = 1:9)
sv_testw2 <- local({
  d <- sv_testw1[rep(1:9, sv_testw1$wt), c("time", "status", "x", "id")]
  row.names(d) <- NULL
  d
})

# --- closed forms (Therneau and Grambsch, appendix E) ------------------------

# Data set 1, Breslow ties. Martingale residuals in the time order of the
# non-missing rows (rows 3, 4, 5, 6, 7, 1), hazard at times 1, 6, 8, 9.
sv_byhand_1b <- function(beta) {
  r <- exp(beta)
  haz <- c(1 / (3 * r + 3), 2 / (r + 3), 0, 1)
  a <- 3 * (r + 1)^2
  b <- (r + 3)^2
  list(
    loglik = 2 * beta - (log(3 * r + 3) + 2 * log(r + 3)),
    u = (6 + 3 * r - r^2) / ((r + 1) * (r + 3)),
    imat = r / (r + 1)^2 + 6 * r / (r + 3)^2,
    haz = haz,
    mart = c(1, 0, 1, 1, 0, 1) -
      c(r, r, r, 1, 1, 1) * cumsum(haz)[c(1, 1, 2, 2, 3, 4)],
    score = c((2 * r + 3) / a, -r / a, -r / a + 3 * (3 - r) / b,
              r / a - r * (r + 1) / b, r / a + 2 * r / b, r / a + 2 * r / b),
    scho = c(1 / (r + 1), 1 - r / (3 + r), -r / (3 + r), 0)
  )
}

# Data set 1, Efron ties. Hazard at 1, 6, 6+ (second tied death), 9.
sv_byhand_1e <- function(beta) {
  r <- exp(beta)
  wtmat <- matrix(c(1, 1, 1, 1, 1, 1,
                    0, 0, 1, 1, 1, 1,
                    0, 0, .5, .5, 1, 1,
                    0, 0, 0, 0, 0, 1), ncol = 4)
  wtmat <- diag(c(r, r, r, 1, 1, 1)) %*% wtmat
  x <- c(1, 1, 1, 0, 0, 0)
  status <- c(1, 0, 1, 1, 0, 1)
  xbar <- colSums(wtmat * x) / colSums(wtmat)
  haz <- 1 / colSums(wtmat)
  a <- r + 1; b <- r + 3; d <- r + 5
  tf <- function(p) p - p^2
  dd <- mean(xbar[2:3])
  list(
    loglik = 2 * beta - (log(3 * r + 3) + log((r + 5) / 2) + log(r + 3)),
    u = (30 + 23 * r - r^3) / ((r + 1) * (r + 3) * (r + 5)),
    imat = tf(r / (r + 1)) + tf(r / (r + 5)) + tf(r / (r + 3)),
    haz = haz,
    mart = status - rowSums(wtmat %*% diag(haz)),
    score = c((2 * r + 3) / (3 * a^2), -r / (3 * a^2),
              (675 + r * (1305 + r * (756 + r * (-4 + r * (-79 - 13 * r))))) /
                (3 * (a * b * d)^2),
              r * (1 / (3 * a^2) - a / (2 * b^2) - b / (2 * d^2)),
              2 * r * (177 + r * (282 + r * (182 + r * (50 + 5 * r)))) /
                (3 * (a * b * d)^2),
              2 * r * (177 + r * (282 + r * (182 + r * (50 + 5 * r)))) /
                (3 * (a * b * d)^2)),
    scho = c(1 / (r + 1), 1 - dd, -dd, 0)
  )
}

# Data set 2, Breslow ties (deaths at 2, 3, 6, 7, 8, 9; two at 9).
sv_byhand_2b <- function(beta) {
  r <- exp(beta)
  hazard <- c(1 / (r + 1), 1 / (r + 2), 1 / (3 * r + 2), 1 / (3 * r + 1),
              1 / (3 * r + 1), 2 / (3 * r + 2))
  wtmat <- matrix(c(1, 0, 0, 0, 1, 0, 0, 0, 0, 0,
                    0, 1, 0, 1, 1, 0, 0, 0, 0, 0,
                    0, 0, 1, 1, 1, 0, 1, 1, 0, 0,
                    0, 0, 0, 1, 1, 0, 1, 1, 0, 0,
                    0, 0, 0, 0, 1, 1, 1, 1, 0, 0,
                    0, 0, 0, 0, 0, 1, 1, 1, 1, 1), ncol = 6)
  wtmat <- diag(c(r, 1, 1, r, 1, r, r, r, 1, 1)) %*% wtmat
  x <- c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0)
  xbar <- colSums(wtmat * x) / colSums(wtmat)
  dM <- -(wtmat %*% diag(hazard))
  for (i in 1:6) dM[i, i] <- dM[i, i] + 1
  dM[7, 6] <- dM[7, 6] + 1
  res <- dM * outer(x, xbar, "-")
  scho <- colSums(res)
  list(
    loglik = 4 * beta - log(r + 1) - log(r + 2) - 3 * log(3 * r + 2) -
      2 * log(3 * r + 1),
    u = 1 / (r + 1) + 1 / (3 * r + 1) + 4 / (3 * r + 2) -
      (r / (r + 2) + 3 * r / (3 * r + 2) + 3 * r / (3 * r + 1)),
    imat = r / (r + 1)^2 + 2 * r / (r + 2)^2 + 6 * r / (3 * r + 2)^2 +
      3 * r / (3 * r + 1)^2 + 3 * r / (3 * r + 1)^2 + 12 * r / (3 * r + 2)^2,
    haz = hazard,
    mart = rowSums(dM),
    score = rowSums(res),
    scho = c(scho[1:5], scho[6] / 2, scho[6] / 2)
  )
}

# Data set 2, Efron ties (the two deaths at 9 split into 9 and 9+).
sv_byhand_2e <- function(beta) {
  r <- exp(beta)
  hazard <- c(1 / (r + 1), 1 / (r + 2), 1 / (3 * r + 2), 1 / (3 * r + 1),
              1 / (3 * r + 1), 1 / (3 * r + 2), 1 / (2 * r + 2))
  wtmat <- matrix(c(1, 0, 0, 0, 1, 0, 0, 0, 0, 0,
                    0, 1, 0, 1, 1, 0, 0, 0, 0, 0,
                    0, 0, 1, 1, 1, 0, 1, 1, 0, 0,
                    0, 0, 0, 1, 1, 0, 1, 1, 0, 0,
                    0, 0, 0, 0, 1, 1, 1, 1, 0, 0,
                    0, 0, 0, 0, 0, 1, 1, 1, 1, 1,
                    0, 0, 0, 0, 0, .5, .5, 1, 1, 1), ncol = 7)
  wtmat <- diag(c(r, 1, 1, r, 1, r, r, r, 1, 1)) %*% wtmat
  x <- c(1, 0, 0, 1, 0, 1, 1, 1, 0, 0)
  xbar <- colSums(wtmat * x) / colSums(wtmat)
  dM <- -(wtmat %*% diag(hazard))
  for (i in 1:5) dM[i, i] <- dM[i, i] + 1
  dM[6:7, 6:7] <- dM[6:7, 6:7] + .5
  res <- dM * outer(x, xbar, "-")
  scho <- colSums(res)
  scho[6:7] <- mean(scho[6:7])
  list(
    loglik = 4 * beta - (log(r + 1) + log(r + 2) + 2 * log(3 * r + 2) +
                           2 * log(3 * r + 1) + log(2 * r + 2)),
    imat = r * (1 / (r + 1)^2 + 2 / (r + 2)^2 + 6 / (3 * r + 2)^2 +
                  6 / (3 * r + 1)^2 + 6 / (3 * r + 2)^2 + 4 / (2 * r + 2)^2),
    haz = hazard,
    mart = rowSums(dM),
    score = rowSums(res),
    scho = scho
  )
}

# Weighted data, Breslow ties (deaths at 1, 2, 4).
sv_byhand_wb <- function(beta) {
  r <- exp(beta)
  hazard <- c(1 / (r^2 + 11 * r + 7), 10 / (11 * r + 5), 2 / (2 * r + 1))
  xbar <- c((2 * r^2 + 11 * r) * hazard[1], 11 * r / (11 * r + 5),
            r * hazard[3])
  risk <- c(r^2, 1, r, r, 1, r, 1, r, 1)
  expected <- risk * cumsum(hazard)[c(1, 1, 2, 2, 2, 2, 2, 3, 3)]
  riskmat <- matrix(c(1, 1, 1, 1, 1, 1, 1, 1, 1,
                      0, 0, 1, 1, 1, 1, 1, 1, 1,
                      0, 0, 1, 1, 1, 1, 1, 1, 1,
                      0, 0, 1, 1, 1, 1, 1, 1, 1,
                      0, 0, 0, 0, 0, 0, 0, 1, 1), ncol = 5)
  wtmat <- diag(c(r^2, 2, 3 * r, 4 * r, 3, 2 * r, 1, 2 * r, 1)) %*% riskmat
  x <- c(2, 0, 1, 1, 0, 1, 0, 1, 0)
  dM <- -risk * (riskmat %*% diag(c(1, 3, 4, 3, 2) / colSums(wtmat)))
  dM[1, 1] <- dM[1, 1] + 1
  for (i in 2:4) dM[i + 1, i] <- dM[i + 1, i] + 1
  dM[8, 5] <- dM[8, 5] + 1
  list(
    loglik = 11 * beta - (log(r^2 + 11 * r + 7) + 10 * log(11 * r + 5) +
                            2 * log(2 * r + 1)),
    imat = (4 * r^2 + 11 * r) * hazard[1] - xbar[1]^2 +
      10 * (xbar[2] - xbar[2]^2) + 2 * (xbar[3] - xbar[3]^2),
    hazard = hazard,
    expected = expected,
    mart = c(1, 0, 1, 1, 1, 0, 0, 1, 0) - expected,
    score = rowSums(dM * outer(x, xbar[c(1, 2, 2, 2, 3)], "-")),
    schoen = c(2, 1, 1, 0, 1) - xbar[c(1, 2, 2, 2, 3)]
  )
}

# Weighted data, Efron ties (the three deaths at 2 split in thirds).
sv_byhand_we <- function(beta) {
  r <- exp(beta)
  a <- 7 * r + 3; b <- 4 * r + 2
  hazard <- c(1 / (r^2 + 11 * r + 7),
              10 / (3 * c(11 * r + 5, a * 2 / 3 + b, a / 3 + b)),
              2 / (2 * r + 1))
  cumh <- c(hazard[1],
            hazard[1] + hazard[2] + hazard[3] * 2 / 3 + hazard[4] / 3,
            cumsum(hazard)[4:5])
  risk <- c(r^2, 1, r, r, 1, r, 1, r, 1)
  expected <- risk * cumh[c(1, 1, 2, 2, 2, 3, 3, 4, 4)]
  riskmat <- matrix(c(1, 1, 1, 1, 1, 1, 1, 1, 1,
                      0, 0, 1, 1, 1, 1, 1, 1, 1,
                      0, 0, 2 / 3, 2 / 3, 2 / 3, 1, 1, 1, 1,
                      0, 0, 1 / 3, 1 / 3, 1 / 3, 1, 1, 1, 1,
                      0, 0, 0, 0, 0, 0, 0, 1, 1), ncol = 5)
  wtmat <- diag(c(r^2, 2, 3 * r, 4 * r, 3, 2 * r, 1, 2 * r, 1)) %*% riskmat
  x <- c(2, 0, 1, 1, 0, 1, 0, 1, 0)
  status <- c(1, 0, 1, 1, 1, 0, 0, 1, 0)
  xbar <- colSums(x * wtmat) / colSums(wtmat)
  dM <- -risk * (riskmat %*% diag(c(1, 10 / 3, 10 / 3, 10 / 3, 2) /
                                    colSums(wtmat)))
  dM[1, 1] <- dM[1, 1] + 1
  for (i in 2:4) dM[3:5, i] <- dM[3:5, i] + 1 / 3
  dM[8, 5] <- dM[8, 5] + 1
  sxbar <- c(xbar[1], mean(xbar[2:4]), xbar[5])
  list(
    loglik = 11 * beta - (log(r^2 + 11 * r + 7) + 10 * log(11 * r + 5) / 3 +
                            10 * log(a * 2 / 3 + b) / 3 +
                            10 * log(a / 3 + b) / 3 + 2 * log(2 * r + 1)),
    imat = (4 * r^2 + 11 * r) * hazard[1] - xbar[1]^2 +
      10 * mean(xbar[2:4] - xbar[2:4]^2) + 2 * (xbar[5] - xbar[5]^2),
    hazard = hazard,
    xbar = xbar,
    mart = status - expected,
    score = rowSums(dM * outer(x, xbar, "-")),
    schoen = c(2, 1, 1, 0, 1) - sxbar[c(1, 2, 2, 2, 3)]
  )
}

# --- comparisons with survival -----------------------------------------------

# The numbers of a cs_cox fit against a coxph fit of the same model.
sv_expect_cox <- function(f, g, tol = sv_tol_cox, resid = TRUE) {
  expect_equal(unname(f$coefficients), unname(coef(g)), tolerance = tol)
  expect_equal(unname(f$var), unname(g$var), tolerance = tol)
  expect_equal(f$loglik, g$loglik, tolerance = tol)
  expect_equal(f$score_test$statistic, unname(g$score), tolerance = tol)
  if (resid) {
    expect_equal(unname(residuals(f)), unname(residuals(g)), tolerance = tol)
  }
}

# The curves of a cs_km fit against the survfit of the same data: the rows
# of survfit in stratum order, compared column by column.
# n_censor = FALSE leaves n_censor out: survival 3.5.3 mislays its
# interval-boundary flags when it fits more than one curve of (start, stop]
# data with an id (see test-km-robust.R), so its counts are wrong there.
sv_expect_km <- function(f, s, tol = sv_tol_km, n_censor = TRUE) {
  cv <- f$curves
  expect_equal(cv$time, s$time, tolerance = tol)
  expect_equal(cv$n_risk, s$n.risk, tolerance = tol)
  expect_equal(cv$n_event, s$n.event, tolerance = tol)
  if (n_censor) expect_equal(cv$n_censor, s$n.censor, tolerance = tol)
  expect_equal(cv$surv, s$surv, tolerance = tol)
  # survfit's std.err is SE(log S) = SE(S) / S, except with the robust
  # variance (logse FALSE), where it is SE(S) itself, as km()'s std_err
  se <- if (isFALSE(s$logse)) s$std.err else s$std.err * s$surv
  expect_equal(cv$std_err, se, tolerance = tol)
  expect_equal(cv$lower, s$lower, tolerance = tol)
  expect_equal(cv$upper, s$upper, tolerance = tol)
}

# Event rows of baseline_hazard() (what survfit.coxph(censor = FALSE) shows).
sv_base_events <- function(fit, centered = FALSE) {
  b <- baseline_hazard(fit, centered = centered)
  b[b$n_event > 0, , drop = FALSE]
}

# Survival curves of a Cox fit for the rows of `newdata` (what
# survfit.coxph(fit, newdata) shows without censoring rows): the
# uncentred baseline of each row's stratum times exp(x'b) (predict with
# reference = "zero"). `strata` names each row's stratum as in
# baseline_hazard(); the curves are concatenated, row after row, column
# `row` saying which row of `newdata` a curve belongs to.
sv_cox_curves <- function(fit, newdata, strata = NULL, censor = TRUE) {
  b <- baseline_hazard(fit, centered = FALSE)
  if (!censor) b <- b[b$n_event > 0, , drop = FALSE]
  lp <- predict(fit, newdata = newdata, reference = "zero")
  if (is.null(strata)) strata <- rep(b$strata[1], nrow(newdata))
  out <- lapply(seq_len(nrow(newdata)), function(i) {
    bs <- b[as.character(b$strata) == as.character(strata[i]), ,
            drop = FALSE]
    data.frame(row = rep(i, nrow(bs)), time = bs$time, n_risk = bs$n_risk,
               n_event = bs$n_event, surv = exp(-bs$hazard * exp(lp[[i]])))
  })
  do.call(rbind, out)
}
