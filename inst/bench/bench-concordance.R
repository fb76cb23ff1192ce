# Benchmark: cohortsurv::c_index() against survival::concordance() in one
# process. Run by hand:  Rscript inst/bench/bench-concordance.R [max_n]
# (default 1e6: sizes 1e5 and 1e6). Right-censored integer-day times, 30%
# censoring, 4 strata: Surv(time, status) ~ score + strata(centre) for two
# predictors, `tied` (1000 distinct values: heavy ties) and `continuous`
# (all distinct, as a Cox model's linear predictor), each without and with
# case weights. Prints the median elapsed and CPU (user + system) seconds
# of each, the ratios concordance / c_index, and the largest relative
# difference in C, its variance and the Cox variance; writes the table to
# bench-concordance.csv when the environment variable COHORTSURV_BENCH_OUT
# names a directory. On a shared machine the CPU ratio is the steadier
# number.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
max_n <- if (length(args)) as.numeric(args[1]) else 1e6
sizes <- c(1e5, 1e6)[c(1e5, 1e6) <= max_n]

make_data <- function(n, seed = 1) {
  set.seed(seed)
  tied <- sample.int(1000L, n, replace = TRUE) / 10
  data.frame(
    time = pmax(1L, as.integer(rexp(n, exp((tied - 50) / 40)) * 365)),
    status = rbinom(n, 1, 0.7),
    tied = tied,
    continuous = tied + rnorm(n),
    centre = factor(sample(c("c1", "c2", "c3", "c4"), n, replace = TRUE)),
    w = sample(c(0.5, 1, 2), n, replace = TRUE)
  )
}

rel <- function(a, b) abs(a - b) / abs(b)

rows <- list()
for (n in sizes) {
  d <- make_data(n)
  reps <- if (n <= 1e5) 5L else 3L
  for (predictor in c("tied", "continuous")) {
    f <- stats::as.formula(paste("Surv(time, status) ~", predictor,
                                 "+ strata(centre)"))
    for (weighted in c(FALSE, TRUE)) {
      wt <- if (weighted) d$w
      t_cs <- time_it(c_index(f, data = d, weights = wt), reps)
      t_sv <- time_it(concordance(f, data = d, weights = wt), reps)
      a <- c_index(f, data = d, weights = wt)
      b <- concordance(f, data = d, weights = wt)
      rows[[length(rows) + 1L]] <- data.frame(
        n = n, predictor = predictor, weights = weighted,
        c_index_s = t_cs[1L], concordance_s = t_sv[1L],
        ratio = t_sv[1L] / t_cs[1L], c_index_cpu = t_cs[2L],
        concordance_cpu = t_sv[2L], cpu_ratio = t_sv[2L] / t_cs[2L],
        rel_diff = max(rel(a$concordance, b$concordance), rel(a$var, b$var),
                       rel(a$cox_var, b$cvar))
      )
      print(rows[[length(rows)]], row.names = FALSE)
    }
  }
  rm(d, a, b)
}
res <- do.call(rbind, rows)
cat("\nc_index() against survival::concordance(), 4 strata, median",
    "seconds (elapsed and CPU)\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-concordance")
