# Peak memory per row of km(), logrank() and cox() and their survival
# counterparts, each call in a fresh R process that first reads the data
# from a file (so that no freed memory from generating them is lying
# around to be reused). Both measures of bench-common.R's peak_memory():
# the resident set (all allocations; Linux only) and R's heap.
# Run by hand:
#   Rscript inst/bench/memory.R [n]          (default 1e7)
# Writes memory.csv to $COHORTSURV_BENCH_OUT when that is set.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e7

set.seed(1)
d <- data.frame(time = sample.int(3650L, n, replace = TRUE),
                status = rbinom(n, 1, 0.7),
                group = factor(sample(c("A", "B", "C"), n, replace = TRUE)),
                centre = factor(sample(c("c1", "c2", "c3", "c4"), n,
                                       replace = TRUE)))
for (j in 1:5) d[[paste0("x", j)]] <- rnorm(n)
data_file <- tempfile(fileext = ".rds")
saveRDS(d, data_file, compress = FALSE)
rm(d)

child <- sprintf('
source("%s")
a <- commandArgs(trailingOnly = TRUE)
d <- readRDS(a[1])
m <- peak_memory(switch(a[2],
  km = km(Surv(time, status) ~ group, d),
  survfit = survfit(Surv(time, status) ~ group, d),
  logrank = logrank(Surv(time, status) ~ group + strata(centre), d),
  survdiff = survdiff(Surv(time, status) ~ group + strata(centre), d),
  cox = cox(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(centre), d),
  coxph = coxph(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(centre), d)))
cat(m$rss, m$heap, m$elapsed, "\\n")
', bench_common_file())
f <- tempfile(fileext = ".R")
writeLines(child, f)
rows <- list()
for (what in c("km", "survfit", "logrank", "survdiff", "cox", "coxph")) {
  out <- tryCatch(system2(file.path(R.home("bin"), "Rscript"),
                          c(f, data_file, what), stdout = TRUE,
                          stderr = FALSE),
                  error = function(e) NA_character_)
  if (!length(out) || is.na(out[length(out)])) next
  v <- suppressWarnings(as.numeric(strsplit(trimws(out[length(out)]), " ")[[1]]))
  if (length(v) != 3) next
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, fit = what, rss_bytes_per_row = v[1] / n,
    heap_bytes_per_row = v[2] / n, elapsed_s = v[3])
  print(rows[[length(rows)]], row.names = FALSE)
}
unlink(data_file)
res <- do.call(rbind, rows)
cat("\nPeak memory above the data, bytes per row: resident set and R heap\n")
print(res, row.names = FALSE, digits = 3)
bench_write(res, "memory")
