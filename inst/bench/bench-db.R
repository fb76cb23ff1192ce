# Benchmark: km(), stratified logrank() and a stratified cox() inside
# PostgreSQL (only aggregates leave the database) against pulling the rows
# into R and fitting in memory.
# Run by hand:  Rscript inst/bench/bench-db.R [n]     (default n = 1e7)
# It starts a throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary
# directory, unix socket only; as the postgres user when run as root),
# writes a cohort of n rows (time in days over ten years, 70% events, three
# groups, five sites as strata, age and a binary covariate), fits in the
# database and in memory, checks that the results agree, and writes
# inst/bench/results/db-bench.csv (or to $COHORTSURV_BENCH_OUT): per
# analysis the elapsed seconds and the bytes and rows moved each way.
# Needs DBI, RPostgreSQL and the Debian package postgresql.
suppressPackageStartupMessages({
  library(cohortsurv)
  library(survival)
})
args <- commandArgs(trailingOnly = TRUE)
n <- if (length(args)) as.numeric(args[1]) else 1e7

pg_cluster <- function() {
  bin <- dirname(utils::tail(Sys.glob("/usr/lib/postgresql/*/bin/initdb"), 1))
  if (!length(bin) || is.na(bin)) stop("no PostgreSQL binaries found")
  root <- identical(unname(Sys.info()[["effective_user"]]), "root")
  dir <- tempfile("cs-pg-bench-", tmpdir = dirname(tempdir()))
  dir.create(dir)
  Sys.chmod(dir, "0777", use_umask = FALSE)
  run <- function(cmd, a) {
    if (root) system2("runuser", c("-u", "postgres", "--", cmd, a)) else
      system2(cmd, a)
  }
  data <- file.path(dir, "data")
  port <- 45000L + sample.int(4000L, 1L)
  stopifnot(run(file.path(bin, "initdb"),
                c("-D", data, "-A", "trust", "-U", "postgres", "--no-sync",
                  "-E", "UTF8", "--locale=C", ">/dev/null")) == 0)
  opts <- shQuote(paste0("-k ", dir, " -c listen_addresses='' -p ", port,
                         " -c fsync=off -c shared_buffers=256MB",
                         " -c work_mem=64MB"))
  stopifnot(run(file.path(bin, "pg_ctl"),
                c("-D", data, "-o", opts, "-l", file.path(dir, "log"),
                  "-w", "start", ">/dev/null")) == 0)
  con <- DBI::dbConnect(RPostgreSQL::PostgreSQL(), host = dir, port = port,
                        user = "postgres", dbname = "postgres")
  list(con = con, stop = function() {
    DBI::dbDisconnect(con)
    run(file.path(bin, "pg_ctl"), c("-D", data, "-m", "fast", "-w", "stop",
                                    ">/dev/null"))
    unlink(dir, recursive = TRUE)
  })
}

make_cohort <- function(n, seed = 1) {
  set.seed(seed)
  data.frame(
    time = sample.int(3650L, n, replace = TRUE),
    status = stats::rbinom(n, 1, 0.7),
    grp = sample(c("A", "B", "C"), n, replace = TRUE),
    site = sample.int(5L, n, replace = TRUE),
    age = round(stats::rnorm(n, 62, 9)),
    treated = stats::rbinom(n, 1, 0.5),
    stringsAsFactors = FALSE
  )
}

pg <- pg_cluster()
on.exit(pg$stop())
con <- pg$con
t_write <- system.time({
  d <- make_cohort(n)
  DBI::dbWriteTable(con, "cohort", d, row.names = FALSE)
  DBI::dbExecute(con, "ANALYZE cohort")
})[["elapsed"]]
rm(d)
invisible(gc())
cat(sprintf("wrote %.0f rows in %.1f s\n", n, t_write))

analyses <- list(
  km = list(fun = km, formula = Surv(time, status) ~ grp,
            cols = c("time", "status", "grp")),
  logrank = list(fun = logrank, formula = Surv(time, status) ~ grp +
                   strata(site), cols = c("time", "status", "grp", "site")),
  cox = list(fun = cox, formula = Surv(time, status) ~ age + treated + grp +
               strata(site),
             cols = c("time", "status", "grp", "site", "age", "treated"))
)
tb <- db_table(con, "cohort")
rows <- list()
for (nm in names(analyses)) {
  a <- analyses[[nm]]
  t_db <- system.time(fit_db <- a$fun(a$formula, data = tb))[["elapsed"]]
  sql <- paste("SELECT", paste(DBI::dbQuoteIdentifier(con, a$cols),
                               collapse = ", "), "FROM cohort")
  t_pull <- system.time(rows_in <- DBI::dbGetQuery(con, sql))[["elapsed"]]
  bytes_pull <- as.numeric(utils::object.size(rows_in))
  t_mem <- system.time(fit_mem <- a$fun(a$formula, data = rows_in))[["elapsed"]]
  diff <- switch(nm,
    km = max(abs(fit_db$curves$surv - fit_mem$curves$surv)),
    logrank = abs(fit_db$statistic - fit_mem$statistic),
    cox = max(abs(fit_db$coefficients - fit_mem$coefficients)))
  rows[[nm]] <- data.frame(
    analysis = nm, n = n, db_seconds = t_db, db_queries = fit_db$db$queries,
    db_rows_moved = sum(fit_db$db$rows), db_bytes_moved = sum(fit_db$db$bytes),
    pull_seconds = t_pull, fit_in_memory_seconds = t_mem,
    pull_rows_moved = nrow(rows_in), pull_bytes_moved = bytes_pull,
    max_abs_difference = diff)
  print(rows[[nm]])
  rm(rows_in, fit_mem)
  invisible(gc())
}
res <- do.call(rbind, rows)
rownames(res) <- NULL
out <- Sys.getenv("COHORTSURV_BENCH_OUT")
if (!nzchar(out)) out <- file.path("inst", "bench", "results")
utils::write.csv(res, file.path(out, "db-bench.csv"), row.names = FALSE)
writeLines(c(paste("date:", format(Sys.time(), tz = "UTC", usetz = TRUE)),
             paste("n:", format(n, scientific = FALSE)),
             paste("write seconds:", round(t_write, 1)),
             paste("server:", DBI::dbGetQuery(con, "SELECT version()")[[1]]),
             paste("R:", R.version.string),
             paste("cores:", parallel::detectCores(),
                   "(shared with other jobs while this ran)")),
           file.path(out, "db-bench-info.txt"))
print(res)
