# Benchmark: cohortsurv::km() against survival::survfit() in one process.
# Run by hand:  Rscript inst/bench/bench-km.R [max_n]
# 3 groups, 30% censoring, times in whole days over ten years (km()'s
# sort-free kernel) and the same times in fractional months, days / 30.4375
# (its sorting kernel). Prints the median time of each and the ratio
# survfit / km, and writes the table to bench-km.csv when the environment
# variable COHORTSURV_BENCH_OUT names a directory.
# Then the fixed cost of a call: at n = 600 (a typical cohort), km() and
# survfit() interleaved, 9 rounds of 200 calls each, for each form of
# grouping term (a factor, logical or character column, I(), factor(),
# interaction()); median CPU seconds per call (bench-km-small.csv).
# Last runs of that part (2026-12-02, 04:15 and 04:19 UTC,
# `Rscript inst/bench/bench-km.R 1e4`, other benchmarks busy on the
# machine's other core; timings drift 10-20% between runs), km() /
# survfit() CPU ratio, first run / second run: factor 4.11 / 3.67,
# logical 3.94 / 4.56, character 3.90 / 4.13, I() 3.55 / 3.63, factor()
# 3.80 / 4.21, interaction() 4.62 / 4.91, group + strata() 5.36 / 5.29.
# The package before the sparse binned pass, the kernels' finished data
# frames and the one-step codings, run the same way at 04:21: 2.61, 2.91,
# 2.50, 2.64, 2.97, 3.13, 2.70 (earlier in the day 2.7-3.6; before the
# front end kept per-formula plans and coded integers in C++: 1.4-1.9).
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

# Fixed cost per call at n = 600 ---------------------------------------------
d <- make_data(600)
d$s <- sample.int(4L, nrow(d), replace = TRUE)
d$lgl <- d$group == "A"
d$chr <- as.character(d$group)
forms <- list(
  "~ group (factor)" = Surv(time, status) ~ group,
  "~ lgl (logical)" = Surv(time, status) ~ lgl,
  "~ chr (character)" = Surv(time, status) ~ chr,
  "~ I(group == \"A\")" = Surv(time, status) ~ I(group == "A"),
  "~ factor(s)" = Surv(time, status) ~ factor(s),
  "~ interaction(group, s)" = Surv(time, status) ~ interaction(group, s),
  "~ group + strata(s)" = Surv(time, status) ~ group + strata(s)
)
small <- do.call(rbind, lapply(names(forms), function(nm) {
  fml <- forms[[nm]]
  r <- race(function() km(fml, data = d), function() survfit(fml, data = d),
            calls = 200L, reps = 9L)
  data.frame(n = 600, formula = nm, km_cpu_ms = 1e3 * r[["cs_cpu"]],
             survfit_cpu_ms = 1e3 * r[["peer_cpu"]],
             cpu_ratio = r[["peer_cpu"]] / r[["cs_cpu"]])
}))
cat("\nkm() against survfit() at n = 600: CPU milliseconds per call",
    "(medians of 9 rounds of 200 calls)\n")
print(small, row.names = FALSE, digits = 3)
bench_write(small, "bench-km-small")
