# Shared helpers for comparing cohortsurv with the survival package.

suppressPackageStartupMessages(library(survival))

# Relative-or-absolute difference, NA-aware: NA positions must agree.
max_rel_diff <- function(a, b) {
  a <- as.numeric(a)
  b <- as.numeric(b)
  if (length(a) != length(b)) return(Inf)
  if (!identical(is.na(a), is.na(b))) return(Inf)
  ok <- !is.na(a)
  if (!any(ok)) return(0)
  if (any(is.infinite(a[ok]) | is.infinite(b[ok]))) {
    if (!identical(a[ok][is.infinite(a[ok])], b[ok][is.infinite(a[ok])])) return(Inf)
    ok <- ok & is.finite(a)
  }
  max(abs(a[ok] - b[ok]) / pmax(1, abs(b[ok])))
}

expect_close <- function(a, b, tol = 1e-10) {
  d <- max_rel_diff(a, b)
  expect_true(d <= tol, label = paste0("max relative difference ", format(d)))
}

# Random survival data with heavy ties, strata and weights.
random_surv <- function(n, n_groups = 3, n_times = 15, seed = 1,
                        counting = FALSE) {
  set.seed(seed)
  d <- data.frame(
    time = sample(seq_len(n_times), n, replace = TRUE),
    status = rbinom(n, 1, 0.6),
    group = factor(sample(letters[seq_len(n_groups)], n, replace = TRUE)),
    sex = factor(sample(c("f", "m"), n, replace = TRUE)),
    w = sample(1:3, n, replace = TRUE),
    fw = runif(n, 0.2, 2.5)
  )
  if (counting) {
    d$start <- pmax(0, d$time - sample(1:8, n, replace = TRUE))
    d$start[d$start >= d$time] <- 0
  }
  d
}
