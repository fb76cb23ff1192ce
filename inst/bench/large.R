# km(), logrank() and a Cox fit on very large data (default 1e8 rows), each
# timed with its peak resident memory above the data. Linux only. Run by
# hand, under an address-space limit so that a fit too large for the
# machine fails with an error instead of swapping:
#   (ulimit -v 20971520; Rscript inst/bench/large.R [n] [n_cox])
# n_cox (default n) rows for the Cox fit: 5 numeric covariates, 4 strata,
# Efron ties. It tries cox() first; if that cannot allocate, cox_fit() on a
# design matrix and response matrix built beforehand (the data frame's
# covariate columns then dropped). COHORTSURV_LARGE_COX=cox_fit in the
# environment skips the cox() attempt.
# Measured here (2 cores, 24 GiB): 1e8 rows, km 4.2 s and 24 bytes/row;
# logrank (3 groups, 4 strata) 10.6 s and 60 bytes/row.
# Cox (results/large.txt): on 1e8 rows cox() completes in 56 s, 152
# bytes/row of resident memory above the data (R heap 108); with the
# data's 52 bytes/row 19.7 GB in all (2026-12-02, one other job on the
# machine; before the one-pass sweep 148 bytes/row and 278 s on a busier
# machine). Before the kernel sorted its own copies and stopped
# materialising constant weights and offsets it needed 244 bytes/row and
# stopped at 7e7.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e8
n_cox <- if (length(args) > 1L) as.numeric(args[2]) else n
set.seed(1)
fac <- function(k, lev) structure(sample.int(k, n, replace = TRUE),
                                  levels = lev, class = "factor")
d <- data.frame(time = sample.int(3650L, n, replace = TRUE),
                status = rbinom(n, 1, 0.7),
                group = fac(3L, c("A", "B", "C")),
                centre = fac(4L, paste0("c", 1:4)))
measure <- function(label, expr, n_rows = n) {
  m <- peak_memory(expr)
  cat(sprintf(paste("%-8s n = %.3g: %.1f s, peak %.0f MB above the data",
                    "(%.0f bytes/row; R heap %.0f bytes/row)\n"),
              label, n_rows, m$elapsed, m$rss / 2^20, m$rss / n_rows,
              m$heap / n_rows))
  m$value
}
rss_mb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", s[startsWith(s, "VmRSS:")])) / 1024
}
f <- measure("km", km(Surv(time, status) ~ group, d))
stopifnot(sum(f$table$n) == n)
l <- measure("logrank", logrank(Surv(time, status) ~ group + strata(centre), d))
stopifnot(sum(l$groups$n) == n, is.finite(l$statistic))
rm(d, f, l)
invisible(gc())

# Cox: 5 numeric covariates, 4 strata -----------------------------------
n <- n_cox
d <- data.frame(time = sample.int(3650L, n, replace = TRUE),
                status = rbinom(n, 1, 0.7),
                centre = fac(4L, paste0("c", 1:4)))
xs <- paste0("x", 1:5)
for (v in xs) d[[v]] <- rnorm(n)
invisible(gc())
cat(sprintf("cox data: %.0f MB resident (process), %.0f bytes/row in d\n",
            rss_mb(), as.numeric(utils::object.size(d)) / n))
check_cox <- function(fit) {
  stopifnot(fit$n == n, length(fit$coefficients) == 5L,
            all(is.finite(fit$coefficients)), fit$converged)
  cat("  coefficients:", format(signif(fit$coefficients, 3)), "\n")
}
fit <- if (Sys.getenv("COHORTSURV_LARGE_COX") != "cox_fit") tryCatch(
  measure("cox", cox(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 +
                       strata(centre), d)),
  error = function(e) {
    cat("cox      n = ", format(n), ": failed: ", conditionMessage(e),
        "\n", sep = "")
    NULL
  })
if (!is.null(fit)) {
  check_cox(fit)
} else {
  invisible(gc())
  # the matrix-level fitter on a design matrix and a response matrix; the
  # data frame's copies of the covariates go first
  x <- matrix(0, n, 5L, dimnames = list(NULL, xs))
  for (j in 1:5) {
    x[, j] <- d[[xs[j]]]
    d[[xs[j]]] <- NULL
  }
  y <- cbind(time = as.double(d$time), status = as.double(d$status))
  strata <- d$centre
  rm(d)
  invisible(gc())
  cat(sprintf("cox_fit data: %.0f MB resident (process)\n", rss_mb()))
  fit <- tryCatch(
    measure("cox_fit", cox_fit(x, y, strata = strata)),
    error = function(e) {
      cat("cox_fit  n = ", format(n), ": failed: ", conditionMessage(e),
          "\n", sep = "")
      NULL
    })
  if (!is.null(fit)) check_cox(fit)
}
