# Benchmark: cohortsurv::logrank() against survival::survdiff() in one
# process. Run by hand:  Rscript inst/bench/bench-logrank.R [max_n] [rho]
# 3 groups, 4 strata, integer-day times, 30% censoring, a stratified test
# (Surv(time, status) ~ group + strata(centre)). Prints the median elapsed
# and CPU (user + system) seconds of each, the ratios survdiff / logrank, and
# the relative difference in the chi-square; writes the table to
# bench-logrank.csv when the environment variable COHORTSURV_BENCH_OUT names a
# directory. On a shared machine the CPU ratio is the steadier number.
suppressPackageStartupMessages({
  library(cohortsurv)
  library(survival)
})
args <- commandArgs(trailingOnly = TRUE)
max_n <- if (length(args)) as.numeric(args[1]) else 1e7
rho <- if (length(args) > 1L) as.numeric(args[2]) else 0
sizes <- c(1e4, 1e5, 1e6, 1e7)
sizes <- sizes[sizes <= max_n]

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

time_it <- function(expr, reps) {
  expr <- substitute(expr)
  env <- parent.frame()
  t <- vapply(seq_len(reps), function(i) {
    gc(FALSE)
    st <- system.time(eval(expr, env))
    c(st[["elapsed"]], st[["user.self"]] + st[["sys.self"]])
  }, numeric(2))
  apply(t, 1L, stats::median)
}

f <- Surv(time, status) ~ group + strata(centre)
rows <- list()
for (n in sizes) {
  d <- make_data(n)
  reps <- if (n <= 1e5) 5L else if (n <= 1e6) 3L else 1L
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
out <- Sys.getenv("COHORTSURV_BENCH_OUT")
if (nzchar(out)) {
  utils::write.csv(res, file.path(out, "bench-logrank.csv"), row.names = FALSE)
}
