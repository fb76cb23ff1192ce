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

make_data <- function(n, seed = 1) {
  set.seed(seed)
  d <- data.frame(
    time = sample.int(3650L, n, replace = TRUE), status = rbinom(n, 1, 0.7),
    g = factor(sample(c("A", "B", "C"), n, replace = TRUE)),
    s = sample.int(4L, n, replace = TRUE),
    x1 = rnorm(n), x2 = rnorm(n), x3 = rnorm(n), x4 = rnorm(n), x5 = rnorm(n)
  )
  d$g2 <- as.integer(d$g == "A")
  d
}

# Per-call elapsed and CPU seconds of `f` against `g`: `reps` rounds, each
# timing `calls` calls of f then `calls` calls of g; medians over rounds.
race <- function(f, g, calls, reps) {
  f()
  g()
  one <- function(h) {
    gc(FALSE)
    st <- system.time(for (i in seq_len(calls)) h())
    c(st[["elapsed"]], st[["user.self"]] + st[["sys.self"]]) / calls
  }
  t <- vapply(seq_len(reps), function(r) c(one(f), one(g)), numeric(4))
  stats::setNames(apply(t, 1L, stats::median),
                  c("cs_s", "cs_cpu", "peer_s", "peer_cpu"))
}

fml_cox <- Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(s)
rows <- list()
for (n in sizes) {
  d <- make_data(n)
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
    rows[[length(rows) + 1L]] <- data.frame(
      n = n, call = nm, cs_s = r[["cs_s"]], peer_s = r[["peer_s"]],
      ratio = r[["peer_s"]] / r[["cs_s"]], cs_cpu = r[["cs_cpu"]],
      peer_cpu = r[["peer_cpu"]], cpu_ratio = r[["peer_cpu"]] / r[["cs_cpu"]],
      check.names = FALSE)
    print(rows[[length(rows)]], row.names = FALSE, digits = 3)
  }
}
res <- do.call(rbind, rows)
cat("\ncohortsurv against its peers: seconds per call (n = 600: medians of",
    "5 rounds of 200 calls; n = 1e6: medians of single calls); ratio =",
    "peer / cohortsurv\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-peers")
