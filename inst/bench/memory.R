# Peak memory per row of km(), logrank() and cox() and their survival
# counterparts, each call in a fresh R process that first reads the data
# from a file (so that no freed memory from generating them is lying
# around to be reused). Both measures of bench-common.R's peak_memory():
# the resident set (all allocations; Linux only) and R's heap.
# Each child runs under an address-space limit (`ulimit -v`, default 20 GiB,
# environment variable COHORTSURV_MEM_LIMIT_GB), so a fit that needs more
# fails alone instead of swapping the machine; its row then says so in
# `note`, with no numbers.
# Run by hand:
#   Rscript inst/bench/memory.R [n]          (default 1e7)
# Writes memory.csv to $COHORTSURV_BENCH_OUT when that is set, keeping the
# rows of other sizes n already there.
source(file.path(dirname(sub("^--file=", "",
  grep("^--file=", commandArgs(FALSE), value = TRUE))), "bench-common.R"))
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e7
limit_gb <- as.numeric(Sys.getenv("COHORTSURV_MEM_LIMIT_GB", "20"))

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
invisible(gc())

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
  cmd <- sprintf("ulimit -v %.0f; exec %s %s %s %s 2>&1", limit_gb * 2^20,
                 shQuote(file.path(R.home("bin"), "Rscript")), shQuote(f),
                 shQuote(data_file), what)
  out <- suppressWarnings(system2("sh", c("-c", shQuote(cmd)),
                                  stdout = TRUE))
  last <- if (length(out)) trimws(out[length(out)]) else ""
  v <- suppressWarnings(as.numeric(strsplit(last, " ")[[1]]))
  ok <- length(v) == 3L && !anyNA(v)
  note <- if (ok) "" else {
    err <- grep("cannot allocate|std::bad_alloc|Error", out, value = TRUE)
    paste0("did not complete within a ", limit_gb,
           " GiB address-space limit",
           if (length(err)) paste0(": ", trimws(err[1])) else "")
  }
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, fit = what,
    rss_bytes_per_row = if (ok) v[1] / n else NA_real_,
    heap_bytes_per_row = if (ok) v[2] / n else NA_real_,
    elapsed_s = if (ok) v[3] else NA_real_, note = note)
  print(rows[[length(rows)]], row.names = FALSE)
}
unlink(data_file)
res <- do.call(rbind, rows)
cat("\nPeak memory above the data, bytes per row: resident set and R heap\n")
print(res, row.names = FALSE, digits = 3)
# keep the rows of other sizes from an earlier run
out_dir <- Sys.getenv("COHORTSURV_BENCH_OUT")
old_file <- file.path(out_dir, "memory.csv")
if (nzchar(out_dir) && file.exists(old_file)) {
  old <- utils::read.csv(old_file, stringsAsFactors = FALSE)
  if (is.null(old$note)) old$note <- ""
  old$note[is.na(old$note)] <- ""
  old <- old[old$n != n, names(res), drop = FALSE]
  res <- rbind(old, res)
  res <- res[order(res$n), , drop = FALSE]
}
bench_write(res, "memory")
