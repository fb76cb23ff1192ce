# Benchmark: cohortsurv::km() against survival::survfit() in one process.
# Run by hand:  Rscript inst/bench/bench-km.R [max_n]
# 3 groups, 30% censoring, times in whole days over ten years (km()'s
# sort-free kernel) and the same times in fractional months, days / 30.4375
# (its sorting kernel). Prints the median time of each and the ratio
# survfit / km, and writes the table to bench-km.csv when the environment
# variable COHORTSURV_BENCH_OUT names a directory.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
sizes <- bench_sizes()

make_data <- function(n, seed = 1) {
  set.seed(seed)
  data.frame(
    time = sample.int(3650L, n, replace = TRUE),
    status = rbinom(n, 1, 0.7),
    group = factor(sample(c("A", "B", "C"), n, replace = TRUE))
  )
}

rows <- list()
for (n in sizes) {
  d <- make_data(n)
  reps <- bench_reps(n)
  for (times in c("days", "months")) {
    if (times == "months") d$time <- d$time / 30.4375
    t_cs <- time_it(km(Surv(time, status) ~ group, data = d), reps)[["elapsed"]]
    t_sv <- time_it(survfit(Surv(time, status) ~ group, data = d),
                    reps)[["elapsed"]]
    a <- km(Surv(time, status) ~ group, data = d)
    b <- survfit(Surv(time, status) ~ group, data = d)
    rows[[length(rows) + 1L]] <- data.frame(
      n = n, times = times, km_s = t_cs, survfit_s = t_sv,
      ratio = t_sv / t_cs, max_abs_diff_surv = max(abs(a$curves$surv - b$surv))
    )
    print(rows[[length(rows)]], row.names = FALSE)
  }
}
res <- do.call(rbind, rows)
cat("\nkm() against survfit(), median elapsed seconds\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-km")
