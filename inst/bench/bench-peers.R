# Benchmark: cohortsurv against survival and, when it is installed,
# FastSurvival (a CRAN package of Rcpp survival kernels built for simulation
# loops; never a dependency of cohortsurv), in one process, at a small size
# (n = 600, a typical cohort: the per-call time of a loop of 200 calls) and a
# large one (n = 1e6, single calls).
# Run by hand:  Rscript inst/bench/bench-peers.R [max_n]
# The data: 5 normal covariates, 3 groups, 4 strata, times in whole days,
# 30% censoring. The calls (issue 16):
#   km(Surv(time, status) ~ I(g == "A"))              vs survfit()
#   km(Surv(time, status) ~ g) (a factor)             vs survfit()
#   logrank(Surv(time, status) ~ g + strata(s))       vs survdiff()
#   cox(Surv(time, status) ~ x1 + ... + x5 + strata(s)) vs coxph()
#   km_fit(time, status)                              vs kmcurve_fast()
#   logrank_fit(time, status, 2 groups)               vs survdiff_fast()
#   cox_fit(x, y, strata)                             vs survival::coxph.fit()
# The calls of one comparison are interleaved (cohortsurv, peer, cohortsurv,
# ...) and the median of the repetitions is kept, elapsed and CPU (user +
# system) seconds per call; on a shared machine the CPU ratio is the steadier
# number. Writes bench-peers.csv when COHORTSURV_BENCH_OUT names a directory.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
max_n <- if (length(args)) as.numeric(args[1]) else 1e6
sizes <- c(600, 1e6)
sizes <- sizes[sizes <= max_n]
has_fs <- requireNamespace("FastSurvival", quietly = TRUE)

fml_cox <- Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(s)
rows <- list()
for (n in sizes) {
  d <- peer_data(n)
  small <- n < 1e4
  calls <- if (small) 200L else 1L
  reps <- if (small) 5L else 3L
  x <- as.matrix(d[c("x1", "x2", "x3", "x4", "x5")])
  y <- Surv(d$time, d$status)
  sfac <- factor(d$s)
  cases <- list(
    `km ~ I(g == "A") / survfit` = list(
      function() km(Surv(time, status) ~ I(g == "A"), data = d),
      function() survfit(Surv(time, status) ~ I(g == "A"), data = d)),
    `km ~ g / survfit` = list(
      function() km(Surv(time, status) ~ g, data = d),
      function() survfit(Surv(time, status) ~ g, data = d)),
    `logrank ~ g + strata(s) / survdiff` = list(
      function() logrank(Surv(time, status) ~ g + strata(s), data = d),
      function() survdiff(Surv(time, status) ~ g + strata(s), data = d)),
    `cox 5 covariates + strata(s) / coxph` = list(
      function() cox(fml_cox, data = d),
      function() coxph(fml_cox, data = d)),
    `cox_fit / coxph.fit` = list(
      function() cox_fit(x, y, strata = sfac),
      function() survival::coxph.fit(
        x, y, strata = sfac, offset = NULL, init = NULL,
        control = survival::coxph.control(), weights = NULL,
        method = "efron", rownames = NULL))
  )
  if (has_fs) {
    cases$`km_fit / FastSurvival::kmcurve_fast` = list(
      function() km_fit(d$time, d$status),
      function() FastSurvival::kmcurve_fast(d$time, d$status))
    cases$`logrank_fit (2 groups) / FastSurvival::survdiff_fast` = list(
      function() logrank_fit(d$time, d$status, group = d$g2),
      function() FastSurvival::survdiff_fast(d$time, d$status, d$g2,
                                             control = 0L))
  }
  for (nm in names(cases)) {
    # the large Cox fits are slow: fewer repetitions
    r <- race(cases[[nm]][[1L]], cases[[nm]][[2L]], calls,
              if (!small && grepl("coxph\\(", nm)) 1L else reps)
    rows[[length(rows) + 1L]] <- race_row(n, nm, r)
    print(rows[[length(rows)]], row.names = FALSE, digits = 3)
  }
}
res <- do.call(rbind, rows)
cat("\ncohortsurv against its peers: seconds per call (n = 600: medians of",
    "5 rounds of 200 calls; n = 1e6: medians of single calls); ratio =",
    "peer / cohortsurv\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-peers")
