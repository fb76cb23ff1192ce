# Helpers for the fits inside a database (test-db-*.R) ----------------------

# A fresh in-memory SQLite database holding the data frames of `tables`.
db_sqlite <- function(tables = list()) {
  con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
  for (nm in names(tables)) DBI::dbWriteTable(con, nm, tables[[nm]])
  con
}

# The tables of a database with their row counts (and a checksum of the
# numeric columns), to show that a fit changed nothing.
db_snapshot <- function(con) {
  tabs <- sort(DBI::dbListTables(con))
  vapply(tabs, function(t) {
    d <- DBI::dbReadTable(con, t)
    num <- vapply(d, is.numeric, logical(1))
    paste(nrow(d), ncol(d),
          format(sum(vapply(d[num], function(v) sum(v, na.rm = TRUE), 1)),
                 digits = 15))
  }, character(1))
}

# Runs `expr` and checks that the database `con` is unchanged by it.
expect_db_unchanged <- function(con, expr) {
  before <- db_snapshot(con)
  out <- force(expr)
  testthat::expect_identical(db_snapshot(con), before)
  invisible(out)
}

# KM fits equal: every numeric column of curves and table to `tol`, labels
# and the number of dropped rows identical.
expect_km_equal <- function(a, b, tol = 1e-10) {
  testthat::expect_s3_class(a, "cs_km")
  testthat::expect_identical(levels(a$curves$strata), levels(b$curves$strata))
  testthat::expect_identical(a$curves$strata, b$curves$strata)
  for (nm in setdiff(names(b$curves), "strata")) {
    expect_close(a$curves[[nm]], b$curves[[nm]], tol)
  }
  for (nm in setdiff(names(b$table), "strata")) {
    expect_close(a$table[[nm]], b$table[[nm]], tol)
  }
  testthat::expect_identical(a$strata, b$strata)
  testthat::expect_identical(a$n_dropped, b$n_dropped)
  testthat::expect_identical(a$weighted, b$weighted)
}

expect_logrank_equal <- function(a, b, tol = 1e-10) {
  testthat::expect_s3_class(a, "cs_logrank")
  for (nm in setdiff(names(b$groups), "group")) {
    expect_close(a$groups[[nm]], b$groups[[nm]], tol)
  }
  testthat::expect_identical(a$groups$group, b$groups$group)
  expect_close(a$variance, b$variance, tol)
  expect_close(a$statistic, b$statistic, tol)
  testthat::expect_identical(a$df, b$df)
  expect_close(a$p_value, b$p_value, tol)
  testthat::expect_identical(a$method, b$method)
  testthat::expect_identical(a$n_dropped, b$n_dropped)
  testthat::expect_identical(a$strata_vars, b$strata_vars)
  if (!is.null(b$by_stratum)) {
    testthat::expect_identical(a$by_stratum$stratum, b$by_stratum$stratum)
    for (nm in c("n", "events", "observed", "expected")) {
      expect_close(a$by_stratum[[nm]], b$by_stratum[[nm]], tol)
    }
  }
  if (!is.null(b$pairwise)) {
    expect_close(a$pairwise$statistic, b$pairwise$statistic, tol)
    expect_close(a$pairwise$p_adjusted, b$pairwise$p_adjusted, tol)
  }
  if (!is.null(b$trend)) expect_close(a$trend$statistic, b$trend$statistic, tol)
}

expect_cox_equal <- function(a, b, tol = 1e-8) {
  testthat::expect_s3_class(a, "cs_cox")
  testthat::expect_identical(names(a$coefficients), names(b$coefficients))
  expect_close(a$coefficients, b$coefficients, tol)
  expect_close(a$var, b$var, tol)
  expect_close(a$loglik, b$loglik, tol)
  for (t in c("score_test", "wald_test", "lr_test")) {
    expect_close(a[[t]]$statistic, b[[t]]$statistic, tol)
    testthat::expect_identical(a[[t]]$df, b[[t]]$df)
  }
  expect_close(a$means, b$means, tol)
  testthat::expect_identical(a$iter, b$iter)
  testthat::expect_identical(a$converged, b$converged)
  testthat::expect_identical(as.numeric(a$n), as.numeric(b$n))
  testthat::expect_identical(as.numeric(a$n_event), as.numeric(b$n_event))
  testthat::expect_identical(a$strata, b$strata)
  testthat::expect_identical(a$n_dropped, b$n_dropped)
}

# Random cohort data with heavy ties, strata, whole-number weights and
# delayed entry (start < stop), and a few NA values in `x2`.
db_random_cohort <- function(n, seed = 1, n_times = 30) {
  set.seed(seed)
  d <- data.frame(
    grp = sample(c("a", "b", "c"), n, replace = TRUE),
    site = sample(1:4, n, replace = TRUE),
    x1 = round(stats::rnorm(n), 2),
    x2 = stats::rnorm(n),
    stop = sample(seq_len(n_times), n, replace = TRUE),
    status = stats::rbinom(n, 1, 0.6),
    w = sample(1:3, n, replace = TRUE),
    off = round(stats::runif(n, -0.5, 0.5), 1),
    stringsAsFactors = FALSE
  )
  d$start <- pmax(0, d$stop - sample(1:12, n, replace = TRUE))
  d$status[d$grp == "b"] <- stats::rbinom(sum(d$grp == "b"), 1, 0.8)
  d$x2[sample(n, 5)] <- NA
  d
}

# The distinct (columns) cells of `d`: what a GROUP BY returns at most.
n_cells <- function(d, cols) nrow(unique(d[cols]))

# A throwaway PostgreSQL cluster: initdb and pg_ctl in a temporary directory,
# listening only on a unix socket in that directory (run as the `postgres`
# user when the tests run as root, since postgres refuses root). Returns
# list(con, stop) or a string saying why no server could be started.
# Whether every directory from / down to `path` lets others enter it
# (execute permission for "other"), as the postgres user must.
pg_enterable <- function(path) {
  path <- normalizePath(path, mustWork = FALSE)
  parts <- strsplit(path, "/", fixed = TRUE)[[1L]]
  parts <- parts[nzchar(parts)]
  dirs <- vapply(seq_along(parts), function(i)
    paste0("/", paste(parts[seq_len(i)], collapse = "/")), "")
  modes <- file.info(dirs)$mode
  !anyNA(modes) && all(bitwAnd(as.integer(modes), 1L) == 1L)
}

pg_start <- function() {
  if (!requireNamespace("RPostgreSQL", quietly = TRUE)) {
    return("RPostgreSQL is not installed")
  }
  bins <- Sys.glob("/usr/lib/postgresql/*/bin/initdb")
  if (!length(bins)) return("no PostgreSQL server binaries (initdb) found")
  bin <- dirname(bins[length(bins)])
  root <- identical(unname(Sys.info()[["effective_user"]]), "root")
  # R's session directory is private (0700), and so is the temporary
  # directory R CMD check makes for its tests (TMPDIR): the postgres user
  # must be able to enter every directory above the cluster's, so as root
  # it goes in the first candidate that others can enter
  base <- tempdir()
  if (root) {
    cand <- c(dirname(tempdir()), Sys.getenv("TMPDIR"), "/tmp", "/var/tmp")
    cand <- cand[nzchar(cand) & dir.exists(cand)]
    ok <- vapply(cand, pg_enterable, TRUE)
    if (!any(ok)) return("no temporary directory the postgres user can enter")
    base <- cand[ok][1L]
  }
  dir <- tempfile("cs-pg-", tmpdir = base)
  dir.create(dir, mode = "0777")
  Sys.chmod(dir, "0777", use_umask = FALSE)
  # the commands' output goes to a file, quoted in the skip reason when a
  # step fails
  out <- file.path(dir, "out.txt")
  # without a preloaded library (tools/sanitize.sh preloads ASan into R,
  # and postgres hangs under it)
  env <- "LD_PRELOAD="
  as_pg <- function(cmd, args) {
    if (!dir.exists(dir)) out <- FALSE  # stopped already: nothing to keep
    if (root) {
      runuser <- Sys.which("runuser")
      if (!nzchar(runuser) && file.exists("/usr/sbin/runuser")) {
        runuser <- "/usr/sbin/runuser"  # /usr/sbin may not be on the PATH
      }
      if (nzchar(runuser)) {
        return(system2(runuser, c("-u", "postgres", "--", cmd, args),
                       stdout = out, stderr = out, env = env))
      }
      return(system2("su", c("postgres", "-s", "/bin/sh", "-c",
                             shQuote(paste(cmd, paste(args, collapse = " "))))
                     , stdout = out, stderr = out, env = env))
    }
    system2(cmd, args, stdout = out, stderr = out, env = env)
  }
  said <- function() {
    txt <- if (file.exists(out)) readLines(out, warn = FALSE) else character()
    txt <- txt[nzchar(trimws(txt))]
    if (length(txt)) paste0(": ", paste(utils::tail(txt, 2L), collapse = " / "))
    else ""
  }
  data <- file.path(dir, "data")
  port <- 40000L + sample.int(9999L, 1L)
  rc <- as_pg(file.path(bin, "initdb"),
              c("-D", data, "-A", "trust", "-U", "postgres", "--no-sync",
                "-E", "UTF8", "--locale=C"))
  if (rc != 0) {
    why <- said()
    unlink(dir, recursive = TRUE)
    return(paste0("initdb failed (exit status ", rc, ")", why))
  }
  opts <- shQuote(paste0("-k ", dir, " -c listen_addresses='' -p ", port,
                         " -c fsync=off"))
  rc <- as_pg(file.path(bin, "pg_ctl"),
              c("-D", data, "-o", opts, "-l", file.path(dir, "log"), "-w",
                "-t", "60", "start"))
  stop_fn <- function() {
    as_pg(file.path(bin, "pg_ctl"), c("-D", data, "-m", "fast", "-w",
                                      "stop"))
    unlink(dir, recursive = TRUE)
  }
  if (rc != 0) {
    why <- said()
    stop_fn()
    return(paste0("pg_ctl could not start the server", why))
  }
  con <- tryCatch(
    DBI::dbConnect(RPostgreSQL::PostgreSQL(), host = dir, port = port,
                   user = "postgres", dbname = "postgres"),
    error = function(e) NULL)
  if (is.null(con)) {
    stop_fn()
    return("could not connect to the throwaway server")
  }
  list(con = con, dir = dir, stop = function() {
    try(DBI::dbDisconnect(con), silent = TRUE)
    stop_fn()
  })
}
