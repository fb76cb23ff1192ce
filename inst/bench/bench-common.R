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
