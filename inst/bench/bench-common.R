# Shared by the benchmark scripts of inst/bench/, which source it first:
#   source(file.path(dirname(sub("^--file=", "",
#     grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
suppressPackageStartupMessages({
  library(cohortsurv)
  library(survival)
})

# The sizes to run: 1e4, 1e5, 1e6, 1e7 up to the first command-line argument.
bench_sizes <- function(args = commandArgs(trailingOnly = TRUE)) {
  max_n <- if (length(args)) as.numeric(args[1]) else 1e7
  sizes <- c(1e4, 1e5, 1e6, 1e7)
  sizes[sizes <= max_n]
}

# Repetitions per size: more where a run is short.
bench_reps <- function(n) if (n <= 1e5) 5L else if (n <= 1e6) 3L else 1L

# Median elapsed and CPU (user + system) seconds of `reps` evaluations,
# after one untimed evaluation: the first call at a new size pays for
# growing R's heap, and would otherwise burden whichever function is timed
# first.
time_it <- function(expr, reps) {
  expr <- substitute(expr)
  env <- parent.frame()
  eval(expr, env)
  t <- vapply(seq_len(reps), function(i) {
    gc(FALSE)
    st <- system.time(eval(expr, env))
    c(elapsed = st[["elapsed"]], cpu = st[["user.self"]] + st[["sys.self"]])
  }, numeric(2))
  apply(t, 1L, stats::median)
}

# Write a result table to $COHORTSURV_BENCH_OUT/<name>.csv when that is set.
bench_write <- function(res, name) {
  out <- Sys.getenv("COHORTSURV_BENCH_OUT")
  if (nzchar(out)) {
    utils::write.csv(res, file.path(out, paste0(name, ".csv")),
                     row.names = FALSE)
  }
}

# Memory ------------------------------------------------------------------

# This file's path, for child processes that source it too.
bench_common_file <- function() {
  f <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  normalizePath(file.path(dirname(sub("^--file=", "", f[1L])),
                          "bench-common.R"))
}

# Peak memory of evaluating `expr` above the memory in use before it, in
# bytes, two ways:
#   rss   the rise of the resident-set high-water mark (Linux: VmHWM of
#         /proc/self/status, reset through /proc/self/clear_refs), which
#         counts C/C++ allocations as well as R's; NA elsewhere. Memory
#         the process freed earlier but still holds can be reused without
#         raising it, so run it in a fresh process whose data were read,
#         not generated (see memory.R).
#   heap  the rise of R's own heap at its peak (gc()'s "max used"), which
#         does not count C/C++ allocations but is not fooled by reuse.
# Returns list(value, rss, heap, elapsed).
peak_memory <- function(expr) {
  proc_kb <- function(field) {
    s <- readLines("/proc/self/status")
    as.numeric(gsub("[^0-9]", "", s[startsWith(s, paste0(field, ":"))]))
  }
  linux <- file.exists("/proc/self/clear_refs")
  g0 <- gc(reset = TRUE)
  if (linux) {
    writeLines("5", "/proc/self/clear_refs")
    before <- proc_kb("VmRSS")
  }
  elapsed <- system.time(value <- expr, gcFirst = FALSE)[["elapsed"]]
  rss <- if (linux) (proc_kb("VmHWM") - before) * 1024 else NA_real_
  g1 <- gc()
  heap <- (sum(g1[, 6L]) - sum(g0[, 2L])) * 2^20
  list(value = value, rss = rss, heap = heap, elapsed = elapsed)
}

# Per-call elapsed and CPU seconds of `f` against `g`: `reps` rounds, each
# timing `calls` calls of f then `calls` calls of g (interleaved, so both
# see the same machine load); medians over rounds. Returns c(cs_s, cs_cpu,
# peer_s, peer_cpu).
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

# The data of the races against the peers (bench-peers.R, bench-logrank.R):
# n rows, times in whole days, 30% censoring, 3 groups `g`, 4 strata `s`,
# `g2` = (g == "A") as 0/1, and with `covariates` five normal x1..x5.
peer_data <- function(n, seed = 1, covariates = TRUE) {
  set.seed(seed)
  d <- data.frame(
    time = sample.int(3650L, n, replace = TRUE), status = rbinom(n, 1, 0.7),
    g = factor(sample(c("A", "B", "C"), n, replace = TRUE)),
    s = sample.int(4L, n, replace = TRUE)
  )
  if (covariates) {
    for (j in 1:5) d[[paste0("x", j)]] <- rnorm(n)
  }
  d$g2 <- as.integer(d$g == "A")
  d
}

# One row of a race's results: seconds per call, CPU seconds, their ratios
# (peer / cohortsurv).
race_row <- function(n, call, r) {
  data.frame(
    n = n, call = call, cs_s = r[["cs_s"]], peer_s = r[["peer_s"]],
    ratio = r[["peer_s"]] / r[["cs_s"]], cs_cpu = r[["cs_cpu"]],
    peer_cpu = r[["peer_cpu"]], cpu_ratio = r[["peer_cpu"]] / r[["cs_cpu"]],
    check.names = FALSE)
}
