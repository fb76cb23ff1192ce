# Benchmark: cohortsurv::cox() against survival::coxph() in one process.
# Run by hand:  Rscript inst/bench/bench-cox.R [max_n]
# 5 numeric covariates, 4 strata, integer-day times with ties, about 30%
# censoring; Efron and Breslow ties. Whole calls (formula to result).
# Prints the median elapsed time of each, the ratio coxph / cox, the peak
# memory of each call and the largest coefficient difference; writes the
# table to bench-cox.csv when COHORTSURV_BENCH_OUT names a directory.
#
# Peak memory: each call is run once more in a fresh R process (Rscript)
# that first reads the data; the rise of that process's resident set at its
# peak (bench-common.R's peak_memory()), which counts C/C++ allocations as
# well as R's. Linux only; elsewhere, or if that fails, NA.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
sizes <- bench_sizes()

make_data <- function(n, seed = 1) {
  set.seed(seed)
  x <- matrix(stats::rnorm(5 * n), n, 5, dimnames = list(NULL, paste0("x", 1:5)))
  s <- sample.int(4L, n, replace = TRUE)
  rate <- exp(drop(x %*% c(0.5, -0.3, 0.2, 0, 0.1)) + 0.2 * s) / 1000
  t_event <- ceiling(stats::rexp(n, rate))
  t_cens <- sample.int(3650L, n, replace = TRUE)
  d <- data.frame(x, s = s)
  d$time <- pmin(t_event, t_cens)
  d$status <- as.integer(t_event <= t_cens)
  d
}

child_script <- sprintf('
source("%s")
a <- commandArgs(trailingOnly = TRUE)
d <- readRDS(a[1])
fml <- Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(s)
m <- peak_memory(if (a[2] == "cox") cox(fml, data = d, ties = a[3]) else
  coxph(fml, data = d, ties = a[3]))
cat(m$rss / 2^20, "\\n")
', bench_common_file())
child_file <- tempfile(fileext = ".R")
writeLines(child_script, child_file)
can_hwm <- file.exists("/proc/self/clear_refs")

# peak memory (MB) of one call in a fresh process
peak_mem <- function(data_file, fun, ties) {
  if (!can_hwm) return(NA_real_)
  rscript <- file.path(R.home("bin"), "Rscript")
  out <- tryCatch(
    system2(rscript, c(child_file, data_file, fun, ties), stdout = TRUE,
            stderr = FALSE),
    error = function(e) NA_character_, warning = function(w) NA_character_)
  suppressWarnings(as.numeric(out[length(out)]))
}

fml <- Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(s)
rows <- list()
for (n in sizes) {
  d <- make_data(n)
  data_file <- tempfile(fileext = ".rds")
  saveRDS(d, data_file, compress = FALSE)
  reps <- bench_reps(n)
  for (ties in c("efron", "breslow")) {
    a <- time_it(cox(fml, data = d, ties = ties), reps)[["elapsed"]]
    b <- time_it(coxph(fml, data = d, ties = ties), reps)[["elapsed"]]
    fa <- cox(fml, data = d, ties = ties)
    fb <- coxph(fml, data = d, ties = ties)
    rows[[length(rows) + 1L]] <- data.frame(
      n = n, ties = ties, cox_s = a, coxph_s = b, ratio = b / a,
      cox_peak_mb = peak_mem(data_file, "cox", ties),
      coxph_peak_mb = peak_mem(data_file, "coxph", ties),
      max_rel_diff_coef = max(abs(coef(fa) - coef(fb)) /
                                pmax(1, abs(coef(fb))))
    )
    print(rows[[length(rows)]], row.names = FALSE)
    rm(fa, fb)
  }
  rm(d)
  unlink(data_file)
}
res <- do.call(rbind, rows)
cat("\ncox() against coxph(): median elapsed seconds; peak memory of one ",
    "call in a fresh process (MB, resident-set high-water mark)\n", sep = "")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "bench-cox")
