# Benchmark: cohortsurv::logrank() against survival::survdiff() in one
# process. Run by hand:  Rscript inst/bench/bench-logrank.R [max_n] [rho]
# 3 groups, 4 strata, integer-day times, 30% censoring, a stratified test
# (Surv(time, status) ~ group + strata(centre)). Prints the median elapsed
# and CPU (user + system) seconds of each, the ratios survdiff / logrank, and
# the relative difference in the chi-square; writes the table to
# bench-logrank.csv when the environment variable COHORTSURV_BENCH_OUT names a
# directory. On a shared machine the CPU ratio is the steadier number.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
rho <- if (length(args) > 1L) as.numeric(args[2]) else 0
sizes <- bench_sizes(args)

make_data <- function(n, seed = 1) {
  set.seed(seed)
  g <- sample.int(3L, n, replace = TRUE)
  data.frame(
    time = sample.int(3650L, n, replace = TRUE) %/% g,
    status = rbinom(n, 1, 0.7),
    group = factor(c("A", "B", "C")[g]),
    centre = factor(sample(c("c1", "c2", "c3", "c4"), n, replace = TRUE))
  )
}

f <- Surv(time, status) ~ group + strata(centre)
rows <- list()
for (n in sizes) {
  d <- make_data(n)
  reps <- bench_reps(n)
  t_cs <- time_it(logrank(f, data = d, rho = rho), reps)
  t_sv <- time_it(survdiff(f, data = d, rho = rho), reps)
  a <- logrank(f, data = d, rho = rho)
  b <- survdiff(f, data = d, rho = rho)
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, logrank_s = t_cs[1L], survdiff_s = t_sv[1L],
    ratio = t_sv[1L] / t_cs[1L], logrank_cpu = t_cs[2L],
    survdiff_cpu = t_sv[2L], cpu_ratio = t_sv[2L] / t_cs[2L],
    rel_diff_chisq = abs(a$statistic - b$chisq) / b$chisq
  )
  print(rows[[length(rows)]], row.names = FALSE)
  rm(d, a, b)
}
res <- do.call(rbind, rows)
cat("\nlogrank() against survdiff() (rho = ", rho,
    "), 3 groups, 4 strata, median seconds (elapsed and CPU)\n", sep = "")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-logrank")
