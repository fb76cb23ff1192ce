# Benchmark: cohortsurv::logrank() against survival::survdiff() in one
# process. Run by hand:  Rscript inst/bench/bench-logrank.R [max_n] [rho]
# 3 groups, 4 strata, integer-day times, 30% censoring, a stratified test
# (Surv(time, status) ~ group + strata(centre)). Prints the median elapsed
# and CPU (user + system) seconds of each, the ratios survdiff / logrank, and
# the relative difference in the chi-square; writes the table to
# bench-logrank.csv when the environment variable COHORTSURV_BENCH_OUT names a
# directory. On a shared machine the CPU ratio is the steadier number.
# Then the log-rank cases of bench-peers.R, raced alone (see the end).
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

# The log-rank cases of bench-peers.R alone, with its interleaved race
# (calls of cohortsurv and of the peer alternate; medians of 5 rounds of 200
# calls at n = 600, of 3 single calls at n = 1e6) and its data:
#   logrank(Surv(time, status) ~ g + strata(s))  vs survdiff()
#   logrank_fit(time, status, 2 groups)          vs FastSurvival::survdiff_fast()
# (the second only when FastSurvival is installed; it is never a dependency).
# Writes bench-logrank-race.csv when COHORTSURV_BENCH_OUT is set.
max_n <- if (length(args)) as.numeric(args[1]) else 1e7
has_fs <- requireNamespace("FastSurvival", quietly = TRUE)
rows <- list()
for (n in c(600, 1e6)[c(600, 1e6) <= max_n]) {
  d <- peer_data(n, covariates = FALSE)
  small <- n < 1e4
  cases <- list(`logrank ~ g + strata(s) / survdiff` = list(
    function() logrank(Surv(time, status) ~ g + strata(s), data = d),
    function() survdiff(Surv(time, status) ~ g + strata(s), data = d)))
  if (has_fs) {
    cases$`logrank_fit (2 groups) / FastSurvival::survdiff_fast` <- list(
      function() logrank_fit(d$time, d$status, group = d$g2),
      function() FastSurvival::survdiff_fast(d$time, d$status, d$g2,
                                             control = 0L))
  }
  for (nm in names(cases)) {
    r <- race(cases[[nm]][[1L]], cases[[nm]][[2L]], if (small) 200L else 1L,
              if (small) 5L else 3L)
    rows[[length(rows) + 1L]] <- race_row(n, nm, r)
    print(rows[[length(rows)]], row.names = FALSE, digits = 3)
  }
}
if (length(rows)) {
  res <- do.call(rbind, rows)
  cat("\nThe log-rank race of bench-peers.R: seconds per call; ratio =",
      "peer / cohortsurv\n")
  print(res, row.names = FALSE, digits = 3)
  bench_write(res, "bench-logrank-race")
}
