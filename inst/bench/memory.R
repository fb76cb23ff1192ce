# Peak memory per row of km(), logrank() and cox(), each in a fresh R
# process: (peak resident set during the fit - resident set before it) / n.
# Linux only (reads /proc/self/status). Run by hand:
#   Rscript inst/bench/memory.R [n]          (default 1e7)
# Writes memory.csv to $COHORTSURV_BENCH_OUT when that is set.
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e7
child <- '
suppressPackageStartupMessages({library(cohortsurv); library(survival)})
a <- commandArgs(trailingOnly = TRUE); n <- as.numeric(a[1]); what <- a[2]
kb <- function(key) { s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", s[startsWith(s, key)])) }
set.seed(1)
d <- data.frame(time = sample.int(3650L, n, replace = TRUE),
                status = rbinom(n, 1, 0.7),
                group = factor(sample(c("A", "B", "C"), n, replace = TRUE)),
                centre = factor(sample(c("c1", "c2", "c3", "c4"), n, replace = TRUE)))
if (what %in% c("cox", "coxph")) for (j in 1:5) d[[paste0("x", j)]] <- rnorm(n)
invisible(gc())
# reset the high-water mark to the current resident set
writeLines("5", "/proc/self/clear_refs")
before <- kb("VmRSS")
t <- system.time(switch(what,
  km = km(Surv(time, status) ~ group, d),
  survfit = survfit(Surv(time, status) ~ group, d),
  logrank = logrank(Surv(time, status) ~ group + strata(centre), d),
  survdiff = survdiff(Surv(time, status) ~ group + strata(centre), d),
  cox = cox(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(centre), d),
  coxph = coxph(Surv(time, status) ~ x1 + x2 + x3 + x4 + x5 + strata(centre), d)))
cat(before, kb("VmHWM"), t[["elapsed"]], "\n")
'
f <- tempfile(fileext = ".R")
writeLines(child, f)
rows <- list()
for (what in c("km", "survfit", "logrank", "survdiff", "cox", "coxph")) {
  out <- tryCatch(system2(file.path(R.home("bin"), "Rscript"),
                          c(f, n, what), stdout = TRUE, stderr = FALSE),
                  error = function(e) NA_character_)
  if (!length(out) || is.na(out[length(out)])) next
  v <- suppressWarnings(as.numeric(strsplit(trimws(out[length(out)]), " ")[[1]]))
  if (length(v) != 3 || anyNA(v)) next
  rows[[length(rows) + 1L]] <- data.frame(
    n = n, fit = what, peak_extra_mb = (v[2] - v[1]) / 1024,
    bytes_per_row = (v[2] - v[1]) * 1024 / n, elapsed_s = v[3])
  print(rows[[length(rows)]], row.names = FALSE)
}
res <- do.call(rbind, rows)
cat("\nPeak memory above the data, per row\n")
print(res, row.names = FALSE, digits = 3)
out <- Sys.getenv("COHORTSURV_BENCH_OUT")
if (nzchar(out)) utils::write.csv(res, file.path(out, "memory.csv"), row.names = FALSE)
