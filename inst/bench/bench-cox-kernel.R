# Benchmark: the Cox kernel, cox_fit() against survival::coxph.fit() (each
# package's own fitter, without a formula front end) in one process.
# Run by hand:  Rscript inst/bench/bench-cox-kernel.R [n] [reps]
# n rows (default 1e6), p = 5, 10 and 20 normal covariates (p = 20 takes
# the sweep's general path, for p above 12, with the sums padded to a
# multiple of 4), 4 strata, times in whole days with ties, 30% censoring;
# Efron and Breslow ties. Prints,
# per fit, the CPU seconds of cox_fit() and coxph.fit() (the smallest of
# `reps` runs, default 7, the calls interleaved: the smallest is the run
# least disturbed by the rest of the machine), their ratio, the Newton
# iterations, and the nanoseconds per row of one Newton step of cox_fit(),
# setup excluded, measured two ways: ns_per_row_newton_step, (full fit -
# fit with iter_max = 0, which is the setup and the pass at the initial
# values) / (n iterations), a difference of two noisy timings; and
# ns_per_row_sweep, the smallest of 15 timings in C++ of the sweep alone
# (log likelihood, score and information at the estimate, on the sorted,
# standardised rows; cpp_cox_sweep_seconds()). cox_fit() is timed with
# each kernel of its Newton sweep: on x86-64 processors with AVX2 and FMA
# the sums of outer products use an AVX2 kernel, chosen at run time
# ("avx2"); "baseline" is the kernel every processor runs. Writes
# bench-cox-kernel.csv when COHORTSURV_BENCH_OUT names a directory.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args) >= 1) as.numeric(args[1]) else 1e6
reps <- if (length(args) >= 2) as.integer(args[2]) else 7L

cpu <- function(expr) {
  st <- system.time(expr)
  st[["user.self"]] + st[["sys.self"]]
}
has_avx2 <- cohortsurv:::cpp_cox_set_simd(TRUE)
kernels <- if (has_avx2) c("avx2", "baseline") else "baseline"
on.exit(cohortsurv:::cpp_cox_set_simd(TRUE), add = TRUE)

rows <- list()
for (p in c(5L, 10L, 20L)) {
  set.seed(p)
  x <- matrix(stats::rnorm(n * p), n, p,
              dimnames = list(NULL, paste0("x", seq_len(p))))
  s <- factor(sample.int(4L, n, replace = TRUE))
  beta <- rep(c(0.5, -0.3, 0.2, 0, 0.1), length.out = p)
  rate <- exp(drop(x %*% beta)) / 1000
  t_event <- ceiling(stats::rexp(n, rate))
  t_cens <- sample.int(3650L, n, replace = TRUE)
  time <- as.double(pmin(t_event, t_cens))
  status <- as.double(t_event <= t_cens)
  y <- cbind(time = time, status = status)
  sy <- Surv(time, status)
  for (ties in c("efron", "breslow")) {
    f_cs <- function(kernel, iter_max = 20L) {
      cohortsurv:::cpp_cox_set_simd(kernel == "avx2")
      cox_fit(x, y, strata = s, ties = ties,
              control = cox_control(iter_max = iter_max))
    }
    f_sv <- function() survival::coxph.fit(
      x, sy, strata = s, offset = NULL, init = NULL,
      control = survival::coxph.control(), weights = NULL, method = ties,
      rownames = NULL)
    b <- f_sv()
    fits <- lapply(kernels, f_cs)
    t <- vapply(seq_len(reps), function(r) {
      gc(FALSE)
      c(sv = cpu(f_sv()),
        unlist(lapply(kernels, function(k) {
          c(full = cpu(f_cs(k)), setup = cpu(f_cs(k, 0L)))
        })))
    }, numeric(1 + 2 * length(kernels)))
    t <- apply(t, 1L, min)
    for (j in seq_along(kernels)) {
      a <- fits[[j]]
      full <- t[[1 + 2 * j - 1]]
      setup <- t[[1 + 2 * j]]
      cohortsurv:::cpp_cox_set_simd(kernels[j] == "avx2")
      sd <- cohortsurv:::new_surv_data(y, s)
      sweep <- min(cohortsurv:::cpp_cox_sweep_seconds(
        sd, x, ties == "efron", coef(a), 15L))
      rows[[length(rows) + 1L]] <- data.frame(
        n = n, p = p, ties = ties, kernel = kernels[j],
        cox_fit_cpu = full, coxph_fit_cpu = t[["sv"]],
        ratio = t[["sv"]] / full, iter = a$iter,
        setup_ns_per_row = setup / n * 1e9,
        ns_per_row_newton_step = (full - setup) / (n * a$iter) * 1e9,
        ns_per_row_sweep = sweep / n * 1e9,
        max_rel_diff_coef = max(abs(coef(a) - b$coefficients) /
                                  pmax(1, abs(b$coefficients)))
      )
      print(rows[[length(rows)]], row.names = FALSE, digits = 3)
    }
  }
}
res <- do.call(rbind, rows)
cat("\ncox_fit() against coxph.fit(): smallest CPU seconds of", reps,
    "runs; setup and the first pass (iter_max = 0) per row; ns per row of",
    "each further Newton step, and of the sweep alone timed in C++\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-cox-kernel")
