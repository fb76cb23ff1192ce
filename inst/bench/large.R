# km() and logrank() on very large data (default 1e8 rows), each timed with
# its peak resident memory above the data. Linux only. Run by hand:
#   Rscript inst/bench/large.R [n]
# Measured here (2 cores, 24 GiB): 1e8 rows, km 4.2 s and 24 bytes/row;
# logrank (3 groups, 4 strata) 10.6 s and 60 bytes/row.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e8
set.seed(1)
fac <- function(k, lev) structure(sample.int(k, n, replace = TRUE),
                                  levels = lev, class = "factor")
d <- data.frame(time = sample.int(3650L, n, replace = TRUE),
                status = rbinom(n, 1, 0.7),
                group = fac(3L, c("A", "B", "C")),
                centre = fac(4L, paste0("c", 1:4)))
measure <- function(label, expr) {
  m <- peak_memory(expr)
  cat(sprintf(paste("%-8s n = %.0e: %.1f s, peak %.0f MB above the data",
                    "(%.0f bytes/row; R heap %.0f bytes/row)\n"),
              label, n, m$elapsed, m$rss / 2^20, m$rss / n, m$heap / n))
  m$value
}
f <- measure("km", km(Surv(time, status) ~ group, d))
stopifnot(sum(f$table$n) == n)
l <- measure("logrank", logrank(Surv(time, status) ~ group + strata(centre), d))
stopifnot(sum(l$groups$n) == n, is.finite(l$statistic))
