# Benchmark: cohortsurv::cif() against survival::survfit() on a competing-
# risks response, and against km() on the same rows, in one process.
# Run by hand:  Rscript inst/bench/bench-cif.R [max_n]
# 3 groups, two causes and 30% censoring, times in whole days over ten
# years. survfit() (multi-state, infinitesimal-jackknife variance) is
# timed once per size, up to `survfit_max` rows (its variance costs
# rows x event times); cif() and km() with the usual repetitions. Prints
# the median times, the ratios survfit / cif and cif / km, and the largest
# difference of the estimates and standard errors.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
sizes <- bench_sizes()
survfit_max <- 1e5  # survfit() takes 23 s at 1e5 rows, far longer at 1e6

make_data <- function(n, seed = 1) {
  set.seed(seed)
  data.frame(
    time = sample.int(3650L, n, replace = TRUE),
    event = factor(sample(0:2, n, replace = TRUE, prob = c(0.3, 0.4, 0.3)),
                   0:2, c("censored", "relapse", "death")),
    group = factor(sample(c("A", "B", "C"), n, replace = TRUE))
  )
}

rows <- list()
for (n in sizes) {
  d <- make_data(n)
  reps <- bench_reps(n)
  t_cif <- time_it(cif(Surv(time, event) ~ group, data = d),
                   reps)[["elapsed"]]
  t_km <- time_it(km(Surv(time, event != "censored") ~ group, data = d),
                  reps)[["elapsed"]]
  t_sv <- NA_real_
  diff_p <- diff_se <- NA_real_
  if (n <= survfit_max) {
    t_sv <- system.time(
      b <- survfit(Surv(time, event) ~ group, data = d))[["elapsed"]]
    a <- cif(Surv(time, event) ~ group, data = d)
    for (j in seq_len(ncol(b$pstate))) {
      c1 <- a$curves[as.integer(a$curves$state) == j, ]
      diff_p <- max(diff_p, abs(c1$estimate - b$pstate[, j]), na.rm = TRUE)
      diff_se <- max(diff_se, abs(c1$std_err - b$std.err[, j]), na.rm = TRUE)
    }
  }
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, cif_s = t_cif, km_s = t_km, survfit_s = t_sv,
    survfit_over_cif = t_sv / t_cif, cif_over_km = t_cif / t_km,
    max_abs_diff_pstate = diff_p, max_abs_diff_se = diff_se
  )
  print(rows[[length(rows)]], row.names = FALSE)
}
res <- do.call(rbind, rows)
cat("\ncif() against survfit() and km(), median elapsed seconds\n")
print(res, row.names = FALSE)
bench_write(res, "bench-cif")
