# Benchmark: the Cox kernel, cox_fit() against survival::coxph.fit() (each
# package's own fitter, without a formula front end) in one process.
# Run by hand:  Rscript inst/bench/bench-cox-kernel.R [n]
# n rows (default 1e6), p = 5 and p = 10 normal covariates, 4 strata, times
# in whole days with ties, 30% censoring; Efron and Breslow ties. Prints the
# median CPU seconds of each fit (calls interleaved), the Newton iterations,
# and the nanoseconds per row per Newton iteration of cox_fit(): its time
# divided by n times the number of passes over the data (iterations + 1, the
# pass at the initial values included), setup (sorting and gathering the
# design) included; and, setup excluded, the nanoseconds per row of one
# Newton iteration: (full fit - fit with iter_max = 0, which is the setup
# and the pass at the initial values) / (n iterations). Writes
# bench-cox-kernel.csv when COHORTSURV_BENCH_OUT names a directory.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e6
reps <- 3L

cpu <- function(expr) {
  st <- system.time(expr)
  st[["user.self"]] + st[["sys.self"]]
}

rows <- list()
for (p in c(5L, 10L)) {
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
    f_cs <- function() cox_fit(x, y, strata = s, ties = ties)
    f_cs0 <- function() cox_fit(x, y, strata = s, ties = ties,
                                control = cox_control(iter_max = 0L))
    f_sv <- function() survival::coxph.fit(
      x, sy, strata = s, offset = NULL, init = NULL,
      control = survival::coxph.control(), weights = NULL, method = ties,
      rownames = NULL)
    a <- f_cs()
    b <- f_sv()
    t <- vapply(seq_len(reps), function(r) {
      gc(FALSE)
      c(cpu(f_cs()), cpu(f_sv()), cpu(f_cs0()))
    }, numeric(3))
    t <- apply(t, 1L, stats::median)
    rows[[length(rows) + 1L]] <- data.frame(
      n = n, p = p, ties = ties, cox_fit_cpu = t[1L],
      coxph_fit_cpu = t[2L], ratio = t[2L] / t[1L], iter = a$iter,
      ns_per_row_iter = t[1L] / (n * (a$iter + 1)) * 1e9,
      setup_ns_per_row = t[3L] / n * 1e9,
      ns_per_row_newton_step = (t[1L] - t[3L]) / (n * a$iter) * 1e9,
      max_rel_diff_coef = max(abs(coef(a) - b$coefficients) /
                                pmax(1, abs(b$coefficients)))
    )
    print(rows[[length(rows)]], row.names = FALSE, digits = 3)
  }
}
res <- do.call(rbind, rows)
cat("\ncox_fit() against coxph.fit(): median CPU seconds; ns per row per",
    "Newton iteration of cox_fit() (setup included); setup and the first",
    "pass (iter_max = 0) per row; ns per row of each further Newton step\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-cox-kernel")
