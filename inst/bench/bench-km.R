# Benchmark: cohortsurv::km() against survival::survfit() in one process.
# Run by hand:  Rscript inst/bench/bench-km.R [max_n]
# 3 groups, integer-day times, 30% censoring. Prints the median time of each
# and the ratio survfit / km, and writes the table to bench-km.csv when
# the environment variable COHORTSURV_BENCH_OUT names a directory.
suppressPackageStartupMessages({
  library(cohortsurv)
  library(survival)
})
args <- commandArgs(trailingOnly = TRUE)
max_n <- if (length(args)) as.numeric(args[1]) else 1e7
sizes <- c(1e4, 1e5, 1e6, 1e7)
sizes <- sizes[sizes <= max_n]

make_data <- function(n, seed = 1) {
  set.seed(seed)
  data.frame(
    time = sample.int(3650L, n, replace = TRUE),
    status = rbinom(n, 1, 0.7),
    group = factor(sample(c("A", "B", "C"), n, replace = TRUE))
  )
}

time_it <- function(expr, reps) {
  expr <- substitute(expr)
  env <- parent.frame()
  t <- vapply(seq_len(reps), function(i) {
    gc(FALSE)
    system.time(eval(expr, env))[["elapsed"]]
  }, numeric(1))
  stats::median(t)
}

rows <- list()
for (n in sizes) {
  d <- make_data(n)
  reps <- if (n <= 1e5) 5L else if (n <= 1e6) 3L else 1L
  t_cs <- time_it(km(Surv(time, status) ~ group, data = d), reps)
  t_sv <- time_it(survfit(Surv(time, status) ~ group, data = d), reps)
  a <- km(Surv(time, status) ~ group, data = d)
  b <- survfit(Surv(time, status) ~ group, data = d)
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, km_s = t_cs, survfit_s = t_sv, ratio = t_sv / t_cs,
    max_abs_diff_surv = max(abs(a$curves$surv - b$surv))
  )
  print(rows[[length(rows)]], row.names = FALSE)
}
res <- do.call(rbind, rows)
cat("\nkm() against survfit(), median elapsed seconds\n")
print(res, row.names = FALSE, digits = 3)
out <- Sys.getenv("COHORTSURV_BENCH_OUT")
if (nzchar(out)) utils::write.csv(res, file.path(out, "bench-km.csv"), row.names = FALSE)
