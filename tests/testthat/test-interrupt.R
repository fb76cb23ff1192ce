# Ctrl-C inside a C++ kernel returns control to R promptly, without a leak.
# A real SIGINT is sent to this R process from a background shell while the
# kernel runs; the kernel's Poll calls Rcpp::checkUserInterrupt(), which
# throws, so the C++ stack unwinds and frees its buffers.

interrupt_after <- function(seconds, expr) {
  expr <- substitute(expr)
  env <- parent.frame()
  system(sprintf("(sleep %s; kill -INT %d) >/dev/null 2>&1 &", seconds,
                 Sys.getpid()))
  t0 <- proc.time()[["elapsed"]]
  got <- tryCatch({
    eval(expr, env)
    # not interrupted in time: absorb the late signal before returning
    tryCatch(Sys.sleep(seconds + 2), interrupt = function(i) NULL)
    "finished"
  }, interrupt = function(i) "interrupted")
  list(result = got, elapsed = proc.time()[["elapsed"]] - t0)
}

rss_mb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", s[startsWith(s, "VmRSS")])) / 1024
}

test_that("the Kaplan-Meier kernel stops promptly on an interrupt", {
  skip_on_os(c("windows", "mac", "solaris"))
  skip_if_not(file.exists("/proc/self/status"))
  skip_if(nzchar(Sys.getenv("COHORTSURV_SKIP_HEAVY")), "heavy test skipped under valgrind")
  n <- 1e7
  stop <- as.double(seq_len(n))
  st <- rep(1, n)
  code <- rep(1L, n)
  ord <- seq_len(n)
  sd <- list(stop = stop, status = st, strata = code - 1L, n_strata = 1L,
             order = ord - 1L)
  kernel <- function() cohortsurv:::cpp_km(sd, 0L, 1.96)
  full <- system.time(res <- kernel())[["elapsed"]]
  rm(res)
  invisible(gc())
  skip_if(full < 0.6, "kernel too fast on this machine to interrupt mid-way")
  before <- rss_mb()
  for (i in 1:3) {
    r <- interrupt_after(0.2, kernel())
    expect_equal(r$result, "interrupted")
    expect_lt(r$elapsed, full)
  }
  invisible(gc())
  # the interrupted calls' output buffers (about 0.8 GB each) were freed
  expect_lt(rss_mb() - before, 200)
})
