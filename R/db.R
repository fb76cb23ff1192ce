# Fits inside a database: only aggregates leave it ---------------------------
#
# km(), logrank() and cox() accept a lazy dbplyr table or a db_table() in
# place of `data`; a hook at the top of each sends the call here
# (db_dispatch()). The formula is read with the same rules, restricted to
# column names (SQL is generated for nothing else); the data are checked
# with COUNT(CASE ...) queries that raise the messages of the in-memory
# front end (R/frame.R), counting rows since a database has no row numbers;
# then:
#   km, logrank  one GROUP BY (curve, stop time, status) aggregate with the
#                row count and the summed weights, plus one over the entry
#                times for Surv(start, stop, status). km() then runs the
#                in-memory engine on the aggregate cells as weighted rows
#                (db_km()); the log-rank tables are computed from the cells
#                by the arithmetic of src/logrank.cpp (db_logrank_tables()).
#   cox          per Newton iteration one aggregate per (stratum, stop time)
#                of w exp(eta), w exp(eta) x, w exp(eta) x x' and the death
#                sums, eta computed in SQL from the current coefficients,
#                cumulated into risk sets in R (db_cox(), R/db.R), with the
#                iteration of src/cox.cpp's cox_newton().
# The SQL itself is built in R/db-sql.R.

#' A table in a database, for fits inside the database
#'
#' Names a table (or a SELECT query) behind a DBI connection, to pass as
#' `data` to [km()], [logrank()] or [cox()], which then run inside the
#' database and fetch only aggregates (see `vignette("database")`). A lazy
#' dbplyr table (`dplyr::tbl(con, "cohort")`) works the same way.
#'
#' @param con A DBI connection ([DBI::dbConnect()]).
#' @param name The name of a table or view (a string, or a [DBI::Id()]).
#' @param query Instead of `name`, a SELECT statement whose result is the
#'   data.
#' @details A fit on a database table is the object of the in-memory fit
#'   (`cs_km`, `cs_logrank`, `cs_cox`; a Cox fit is also of class
#'   `cs_cox_db`) with an element `db`: the number of `queries` and, per
#'   query, the `rows` and `bytes` fetched and its `sql`. Nothing is
#'   written to the database. The formula may use column names only (inside
#'   `strata()`, `factor()` and `offset()` too); `weights` must be a column
#'   name. Character columns and `factor()` terms of `cox()` become
#'   indicator columns in SQL, the reference level being the first of the
#'   sorted distinct values. `cox()` computes the robust variance of
#'   `Surv(time, status)` data (each row its own cluster) as one more
#'   aggregate; the robust variance of `km()`, `cluster`, `id` and the
#'   methods that need the rows (residuals, predictions without `newdata`,
#'   [ph_test()]) are refused with an error naming them.
#' @returns An object of class `cs_db_table`.
#' @seealso `vignette("database")`; [km()], [logrank()], [cox()].
#' @examples
#' if (requireNamespace("RSQLite", quietly = TRUE)) {
#'   con <- DBI::dbConnect(RSQLite::SQLite(), ":memory:")
#'   DBI::dbWriteTable(con, "lung", survival::lung)
#'   print(km(Surv(time, status) ~ sex, data = db_table(con, "lung")))
#'   DBI::dbDisconnect(con)
#' }
#' @export
db_table <- function(con, name = NULL, query = NULL) {
  if (!inherits(con, "DBIConnection")) {
    cs_abort("`con` must be a DBI connection; it is ", class(con)[1L], ".",
             arg = "con")
  }
  if (is.null(name) == is.null(query)) {
    cs_abort("give either `name` (a table) or `query` (a SELECT ",
             "statement).", arg = "name")
  }
  if (!is.null(query) && !(is.character(query) && length(query) == 1L)) {
    cs_abort("`query` must be a single string.", arg = "query")
  }
  structure(list(con = con, name = name, query = query),
            class = "cs_db_table")
}

#' @export
print.cs_db_table <- function(x, ...) {
  cat("<database table ", if (is.null(x$query)) format(x$name) else
    paste0("query: ", x$query), ">\n", sep = "")
  invisible(x)
}

# Whether `data` lives in a database (a dbplyr table or a db_table()).
is_db_data <- function(data) {
  inherits(data, "tbl_sql") || inherits(data, "cs_db_table")
}

# The hook of km(), logrank() and cox(): the caller's match.call() `mcall`
# and parent.frame() `env`.
db_dispatch <- function(fun, mcall, env) {
  if (!requireNamespace("DBI", quietly = TRUE)) {
    cs_abort("`data` is a database table, but DBI is not installed.",
             arg = "data")
  }
  args <- as.list(mcall)[-1L]
  if (!is.null(args$subset)) {
    cs_abort("`subset` is not supported for a database table; filter the ",
             "table first (dplyr::filter() on a dbplyr table, or a WHERE ",
             "clause in db_table(query = )).", arg = "subset")
  }
  for (nm in c("id", "cluster")) {
    if (!is.null(args[[nm]])) {
      cs_abort("`", nm, "` is not supported for a database table: the ",
               "robust variance needs every row.", arg = nm)
    }
  }
  wt <- args$weights
  if (!is.null(wt) && !is.name(wt) &&
      !(is.character(wt) && length(wt) == 1L)) {
    cs_abort("`weights` must be a column name for a database table; `",
             deparse1(wt), "` is an expression, which is not translated ",
             "to SQL.", arg = "weights")
  }
  wt <- if (!is.null(wt)) as.character(wt)
  na <- resolve_na_action(args$na.action, env)
  if (is.null(na) || identical(na, stats::na.exclude)) {
    cs_abort("`na.action` must be na.omit or na.fail for a database table.",
             arg = "na.action")
  }
  vals <- lapply(args[setdiff(names(args),
                              c("formula", "data", "weights", "na.action"))],
                 eval, envir = env)
  formula <- eval(args$formula, env)
  src <- db_source(eval(args$data, env))
  spec <- db_formula(formula, fun)
  fit <- switch(fun,
    km = db_km(src, spec, wt, identical(na, stats::na.fail), vals, formula),
    logrank = db_logrank(src, spec, identical(na, stats::na.fail), vals),
    cox = db_cox(src, spec, wt, identical(na, stats::na.fail), vals)
  )
  fit$call <- mcall
  if (fun == "cox") fit <- db_cox_terms_of(fit, formula)
  fit$db <- list(queries = length(src$log$rows), rows = src$log$rows,
                 bytes = src$log$bytes, sql = src$log$sql)
  if (fun == "cox") class(fit) <- c("cs_cox_db", "cs_cox")
  fit
}

# Refuses a method that needs the rows of the data for a Cox model fitted
# inside a database (`what` names it).
db_refuse_rows <- function(what) {
  cs_abort(what, " needs the rows of the data, and this Cox model was ",
           "fitted inside a database, which keeps only aggregates; fit it ",
           "on the rows (collect() them) for ", what, ".", arg = "fit")
}

# Stands in for the per-row fields (x, y) of a database Cox fit: any
# method that indexes them is refused by name.
db_rows_sentinel <- function() structure(list(), class = "cs_db_rows")

#' @export
`[.cs_db_rows` <- function(x, ...) {
  # name the package's exported function that was called
  fns <- vapply(sys.calls(), function(cl) deparse1(cl[[1L]]), "")
  fns <- sub("^cohortsurv:::?", "", fns)
  ns <- asNamespace("cohortsurv")
  hit <- fns[fns %in% getNamespaceExports("cohortsurv") |
               vapply(paste0(fns, ".cs_cox"), exists, TRUE, envir = ns,
                      inherits = FALSE)]
  db_refuse_rows(if (length(hit)) paste0(hit[1L], "()") else "this method")
}

#' @export
residuals.cs_cox_db <- function(object, ...) {
  db_refuse_rows("residuals()")
}

# The formula and terms of a database Cox fit, as cox() keeps them for
# predict() with newdata: `terms` without the strata() terms, `frame_terms`
# with them.
db_cox_terms_of <- function(fit, formula) {
  fit$formula <- formula
  ft <- stats::terms(formula, specials = "strata")
  sp <- attr(ft, "specials")$strata
  fit$frame_terms <- ft
  fit$terms <- if (is.null(sp)) ft else {
    fac <- attr(ft, "factors")
    in_term <- colSums(fac[sp, , drop = FALSE]) > 0
    if (all(in_term)) stats::terms(stats::update(formula, . ~ 1)) else
      stats::drop.terms(ft, which(in_term), keep.response = TRUE)
  }
  fit$drop_terms <- integer()
  # the term of each coefficient, as cox() keeps it (hr_report() reads it)
  fit$assign <- match(fit$term_of, attr(fit$terms, "term.labels"))
  fit$term_of <- NULL
  fit
}

#' @export
predict.cs_cox_db <- function(object, newdata,
                              type = c("lp", "risk", "expected", "survival",
                                       "terms"),
                              reference = c("strata", "sample", "zero"),
                              ...) {
  if (missing(newdata) || is.null(newdata)) {
    db_refuse_rows("predict() without `newdata`")
  }
  type <- arg_choice(type, "type",
                     c("lp", "risk", "expected", "survival", "terms"))
  if (!type %in% c("lp", "risk")) {
    db_refuse_rows(paste0("predict(type = \"", type, "\")"))
  }
  # the coefficients, their variance and the means are all the general
  # method reads for these types
  NextMethod()
}

# The formula of a database fit: Surv() arguments and terms must be column
# names (strata() and factor() of column names on the right); returns
# list(surv = named column names (start, stop, status), terms = list of
# list(label, kind = "plain"/"strata"/"factor", cols, expr), offset).
db_formula <- function(formula, fun) {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    cs_abort("`formula` must be a two-sided formula with a Surv() response, ",
             "such as Surv(time, status) ~ group.", arg = "formula")
  }
  not_sql <- function(e, what) {
    cs_abort("`formula`: ", what, " must be column names for a database ",
             "table; `", deparse1(e), "` is an expression, which is not ",
             "translated to SQL (add it as a column first, e.g. with ",
             "dplyr::mutate()).", arg = "formula")
  }
  lhs <- formula[[2L]]
  if (!is.call(lhs) || !deparse1(lhs[[1L]]) %in%
      c("Surv", "survival::Surv")) {
    cs_abort("`formula` must have a Surv() response, such as ",
             "Surv(time, status) ~ group; its left-hand side is `",
             deparse1(lhs), "`.", arg = "formula")
  }
  sa <- as.list(lhs)[-1L]
  if (!is.null(names(sa)) && any(nzchar(names(sa)))) {
    cs_abort("`formula`: give the Surv() arguments of a database fit by ",
             "position, as in Surv(time, status).", arg = "formula")
  }
  if (!length(sa) %in% 2:3) {
    cs_abort("`formula` must have right-censored Surv(time, status) or ",
             "counting-process Surv(start, stop, status) data.",
             arg = "formula")
  }
  for (e in sa) if (!is.name(e)) not_sql(e, "the Surv() arguments")
  surv <- vapply(sa, as.character, character(1))
  names(surv) <- if (length(sa) == 2L) c("time", "status") else
    c("start", "stop", "status")
  rhs <- formula[[3L]]
  if ("." %in% all.names(rhs)) {
    cs_abort("`formula`: `.` is not supported for a database table; name ",
             "the columns.", arg = "formula")
  }
  tt <- stats::terms(formula, specials = c("strata", "offset"))
  if (any(attr(tt, "order") > 1L)) {
    cs_abort("`formula`: interaction terms are not supported for a ",
             "database table (", attr(tt, "term.labels")[attr(tt, "order") >
                                                          1L][1L], ").",
             arg = "formula")
  }
  vars <- as.list(attr(tt, "variables"))[-1L]
  offs <- attr(tt, "offset")
  offset <- NULL
  if (length(offs)) {
    if (fun != "cox") {
      cs_abort("`formula`: ", fun, "() takes no offset() term.",
               arg = "formula")
    }
    oe <- vars[[offs[1L]]]
    if (length(offs) > 1L || length(oe) != 2L || !is.name(oe[[2L]])) {
      not_sql(oe, "offset() terms")
    }
    offset <- as.character(oe[[2L]])
  }
  terms <- lapply(attr(tt, "term.labels"), db_formula_term, not_sql)
  list(surv = surv, terms = terms, offset = offset, counting = length(sa) == 3L)
}

# One term of a database formula: a column name, or strata() / factor() of
# column names; anything else is refused by `not_sql()`.
db_formula_term <- function(lab, not_sql) {
  e <- str2lang(lab)
  if (is.name(e)) {
    return(list(label = lab, kind = "plain", cols = as.character(e),
                expr = e))
  }
  f <- if (is.call(e)) deparse1(e[[1L]]) else ""
  if (!f %in% c("strata", "survival::strata", "factor", "as.factor")) {
    not_sql(e, "the terms")
  }
  a <- as.list(e)[-1L]
  if (!length(a) || !all(vapply(a, is.name, logical(1))) ||
      !is.null(names(a)) || (!grepl("strata", f) && length(a) != 1L)) {
    not_sql(e, paste0(f, "() arguments"))
  }
  list(label = lab, kind = if (grepl("strata", f)) "strata" else "factor",
       cols = vapply(a, as.character, character(1)), expr = e)
}

# The columns a fit reads, checked against the table: each must exist, the
# times and weights must be numeric. Returns the column types.
db_check_columns <- function(src, spec, wt) {
  types <- db_column_types(src)
  cols <- c(spec$surv, unlist(lapply(spec$terms, `[[`, "cols")), spec$offset)
  for (v in c(cols, wt)) {
    if (!v %in% names(types)) {
      cs_abort("`formula` refers to `", v, "`, which is not a column of ",
               "`data`.", arg = if (identical(v, wt)) "weights" else "formula")
    }
  }
  # a query's column with no declared type comes back logical: accept it
  ok <- c("numeric", "integer", "integer64", "logical")
  for (nm in names(spec$surv)) {
    v <- spec$surv[[nm]]
    if (types[[v]] %in% ok) next
    lab <- if (nm == v) paste0("`", nm, "`") else
      paste0("`", nm, "` (", v, ")")
    cs_abort(lab, " must be ", if (nm == "status")
      "0/1, TRUE/FALSE or 1/2" else "numeric", "; it is ", types[[v]], ".",
      arg = nm)
  }
  if (!is.null(spec$offset) && !types[[spec$offset]] %in% ok) {
    cs_abort("`formula`: the offset `", spec$offset, "` must be numeric; ",
             "it is ", types[[spec$offset]], ".", arg = "formula")
  }
  if (!is.null(wt) && !types[[wt]] %in% ok) {
    cs_abort("`weights` must be a numeric vector; it is ", types[[wt]], ".",
             arg = "weights")
  }
  types
}

# One query of counts that checks the data as surv_frame() does, with
# NULL rows dropped (na.omit) or refused (na.fail). Returns list(where =
# the WHERE conditions of the rows used, n_dropped, codes = the status
# codes (0/1 or 1/2)).
db_validate <- function(src, spec, wt, na_fail, extra_cols = character()) {
  cols <- unique(c(spec$surv, unlist(lapply(spec$terms, `[[`, "cols")),
                   spec$offset, wt, extra_cols))
  notnull <- paste0(db_id(src, cols), " IS NOT NULL", collapse = " AND ")
  q <- function(v) db_dbl(src, v)
  s <- spec$surv
  st <- q(s[["status"]])
  time_nm <- if (spec$counting) "stop" else "time"
  checks <- c(
    n_all = "COUNT(*)",
    n_used = db_count_if(notnull),
    n_neg = db_count_if(paste0(notnull, " AND ", q(s[[time_nm]]), " < 0")),
    n_inf = db_count_if(paste0(notnull, " AND (", paste0(
      q(c(s[names(s) != "status"], wt)), " > ", db_num(src, .Machine$double.xmax),
      collapse = " OR "), ")")),
    st_max = paste0("MAX(CASE WHEN ", notnull, " THEN ", st, " END)"),
    st_bad = db_count_if(paste0(notnull, " AND ", st, " <> 0 AND ", st,
                                " <> 1 AND ", st, " <> 2")),
    st_zero = db_count_if(paste0(notnull, " AND ", st, " = 0"))
  )
  if (spec$counting) {
    checks <- c(checks,
      n_neg_start = db_count_if(paste0(notnull, " AND ", q(s[["start"]]),
                                       " < 0")),
      n_order = db_count_if(paste0(notnull, " AND ", q(s[["stop"]]), " <= ",
                                   q(s[["start"]]))))
  }
  if (!is.null(wt)) {
    checks <- c(checks,
      w_neg = db_count_if(paste0(notnull, " AND ", q(wt), " < 0")),
      w_frac = db_count_if(paste0(notnull, " AND ", q(wt), " <> CAST(",
                                  q(wt), " AS BIGINT)")))
  }
  r <- db_query(src, db_select(src, checks))
  r[] <- lapply(r, function(v) as.numeric(v))
  r[is.na(r)] <- 0
  db_validate_counts(r, spec, na_fail)
  codes <- if (isTRUE(r$st_max == 2)) c(1, 2) else c(0, 1)
  list(where = notnull, n_dropped = r$n_all - r$n_used, codes = codes,
       n = r$n_used, w_frac = if (!is.null(wt)) r$w_frac else 0)
}

# The errors of db_validate(), from its counts `r`.
db_validate_counts <- function(r, spec, na_fail) {
  s <- spec$surv
  name_of <- function(nm) {
    v <- s[[nm]]
    if (v == nm) paste0("`", nm, "`") else paste0("`", nm, "` (", v, ")")
  }
  rows <- function(k, what) {
    paste0(k, if (k == 1) " row of the table is " else
      " rows of the table are ", what, " (a database gives no row numbers)")
  }
  if (r$n_all == 0) {
    cs_abort("`data` is an empty table: there are no rows to analyse.",
             arg = "data")
  }
  if (na_fail && r$n_used < r$n_all) {
    cs_abort("`data` has ", r$n_all - r$n_used, " rows with missing (NULL) ",
             "values in the columns of the model, and `na.action` is ",
             "na.fail.", arg = "na.action")
  }
  if (r$n_used == 0) {
    cs_abort("no rows are left to analyse after `subset` and removal of ",
             "missing values (", r$n_all, " rows before removal).",
             arg = "data")
  }
  tn <- if (spec$counting) "stop" else "time"
  if (r$n_inf > 0) {
    cs_abort("the times and weights must be finite; ",
             rows(r$n_inf, "infinite or not a number"), ".", arg = tn)
  }
  if (spec$counting && r$n_neg_start > 0) {
    cs_abort(name_of("start"), " must be non-negative; ",
             rows(r$n_neg_start, "negative"), ".", arg = "start")
  }
  if (r$n_neg > 0) {
    cs_abort(name_of(tn), " must be non-negative; ",
             rows(r$n_neg, "negative"), ".", arg = tn)
  }
  if (spec$counting && r$n_order > 0) {
    cs_abort(name_of("stop"), " must be greater than ", name_of("start"),
             "; ", rows(r$n_order, "not"), ".", arg = "stop")
  }
  two <- isTRUE(r$st_max == 2)
  nbad <- r$st_bad + if (two) r$st_zero else 0
  if (nbad > 0) {
    cs_abort(name_of("status"), " must be coded 0/1 (censored/event), ",
             "TRUE/FALSE or 1/2", if (two)
               " (it contains 2, so 1/2 is assumed)", "; ",
             rows(nbad, "coded otherwise"), ".", arg = "status")
  }
  if (!is.null(r$w_neg) && r$w_neg > 0) {
    cs_abort("`weights` must be finite and non-negative; ",
             rows(r$w_neg, "negative"), ".", arg = "weights")
  }
  invisible(TRUE)
}

# The event indicator in SQL: 1 for an event, else 0.
db_event <- function(src, spec, codes) {
  paste0("CASE WHEN ", db_dbl(src, spec$surv[["status"]]), " = ",
         codes[2L], " THEN 1 ELSE 0 END")
}

# The grouping columns of the right-hand side (quoted), unique.
db_group_cols <- function(spec, kinds = c("plain", "strata", "factor")) {
  as.character(unique(unlist(lapply(
    Filter(function(t) t$kind %in% kinds, spec$terms), `[[`, "cols"))))
}

# The aggregate cells of km() and logrank(): one row per (grouping columns,
# stop time, event), with the row count `.cs_n` and the summed weights
# `.cs_w`; for counting-process data also the cells of the entry times
# (grouping columns, start). Returns list(exit, entry).
db_cells <- function(src, spec, wt, val) {
  g <- db_group_cols(spec)
  gid <- db_id(src, g)
  tcol <- spec$surv[[if (spec$counting) "stop" else "time"]]
  ev <- db_event(src, spec, val$codes)
  w <- if (is.null(wt)) "1" else db_dbl(src, wt)
  cols <- c(stats::setNames(gid, g), .cs_t = db_dbl(src, tcol),
            .cs_d = ev, .cs_n = "COUNT(*)",
            .cs_w = paste0("SUM(", w, ")"))
  exit <- db_query(src, db_select(src, cols, val$where,
                                  c(gid, db_dbl(src, tcol), ev)))
  entry <- NULL
  if (spec$counting) {
    s0 <- db_dbl(src, spec$surv[["start"]])
    cols <- c(stats::setNames(gid, g), .cs_t = s0, .cs_n = "COUNT(*)",
              .cs_w = paste0("SUM(", w, ")"))
    entry <- db_query(src, db_select(src, cols, val$where, c(gid, s0)))
  }
  num <- function(d) {
    for (nm in intersect(c(".cs_t", ".cs_d", ".cs_n", ".cs_w"), names(d))) {
      d[[nm]] <- as.double(d[[nm]])
    }
    d
  }
  list(exit = num(exit), entry = if (!is.null(entry)) num(entry))
}

# Kaplan-Meier from the aggregate cells: the in-memory km() on the cells as
# weighted rows (weight = summed weights), so that every number, label
# and method is the in-memory one; the table's `n` is the rows counted in
# SQL. Counting-process cells become (start, stop] rows by pairing entry
# mass with exit mass in time order (db_pair_entries()).
db_km <- function(src, spec, wt, na_fail, vals, formula) {
  if (isTRUE(vals$robust)) {
    cs_abort("`robust = TRUE` is not supported for a database table: the ",
             "robust variance needs every row; use robust = FALSE ",
             "(Greenwood's variance).", arg = "robust")
  }
  if (!is.null(vals$ctype) && !identical(as.numeric(vals$ctype), 1)) {
    # Fleming-Harrington's tie correction counts the tied rows, which the
    # cells of the aggregate no longer hold one by one.
    cs_abort("`ctype = 2` is not supported for a database table: the ",
             "Fleming-Harrington cumulative hazard needs each tied row; ",
             "use ctype = 1 (Nelson-Aalen).", arg = "ctype")
  }
  timefix <- if (is.null(vals$timefix)) TRUE else vals$timefix
  check_flag(timefix, "timefix")
  db_check_columns(src, spec, wt)
  val <- db_validate(src, spec, wt, na_fail)
  if (val$w_frac > 0 && is.null(vals$robust)) {
    cs_abort("`weights` has ", val$w_frac, " values that are not whole ",
             "numbers, so km() would use the robust variance, which needs ",
             "every row; pass robust = FALSE for Greenwood's variance ",
             "inside the database.", arg = "weights")
  }
  cells <- db_cells(src, spec, wt, val)
  g <- db_group_cols(spec)
  rows <- db_km_rows(cells, spec, g, val$codes, timefix)
  args <- c(list(formula = formula, data = rows, weights = quote(.cs_w)),
            vals[setdiff(names(vals), "timefix")],
            list(timefix = timefix && !spec$counting))
  fit <- do.call(km, args)
  nargs <- args
  nargs$weights <- quote(.cs_n)
  nargs$robust <- FALSE
  fit_n <- suppressWarnings(do.call(km, nargs))
  cv <- fit_n$curves
  fit$table$n <- as.vector(tapply(cv$n_event + cv$n_censor, cv$strata, sum))
  fit$weighted <- !is.null(wt)
  fit$n_dropped <- as.integer(val$n_dropped)
  fit
}

# The cells of km() as a data frame of weighted rows: the grouping and
# Surv() columns under their names, weights `.cs_w` and row counts
# `.cs_n`. Status is written in the table's codes.
db_km_rows <- function(cells, spec, g, codes, timefix) {
  s <- spec$surv
  ex <- cells$exit
  status <- ifelse(ex$.cs_d == 1, codes[2L], codes[1L])
  if (!spec$counting) {
    out <- ex[g]
    out[[s[["time"]]]] <- ex$.cs_t
    out[[s[["status"]]]] <- status
    out$.cs_w <- ex$.cs_w
    out$.cs_n <- ex$.cs_n
    return(out)
  }
  ex$.cs_status <- status
  en <- cells$entry
  if (timefix) {
    m <- time_fix(cbind(time = c(en$.cs_t, ex$.cs_t), status = 0))
    en$.cs_t <- m[seq_len(nrow(en)), 1L]
    ex$.cs_t <- m[nrow(en) + seq_len(nrow(ex)), 1L]
  }
  key <- function(d) if (length(g)) do.call(paste, c(lapply(d[g], function(v)
    ifelse(is.na(v), "\r", as.character(v))), sep = "\t")) else
      rep("", nrow(d))
  kx <- key(ex)
  ke <- key(en)
  pieces <- lapply(unique(kx), function(k) {
    xe <- ex[kx == k, , drop = FALSE]
    ee <- en[ke == k, , drop = FALSE]
    pw <- db_pair_entries(ee$.cs_t, ee$.cs_w, xe$.cs_t, xe$.cs_w)
    pn <- db_pair_entries(ee$.cs_t, ee$.cs_n, xe$.cs_t, xe$.cs_n)
    both <- rbind(cbind(pw[, 1:2, drop = FALSE], .cs_w = pw[, 3L], .cs_n = 0),
                  cbind(pn[, 1:2, drop = FALSE], .cs_w = 0, .cs_n = pn[, 3L]))
    d <- xe[rep(1L, nrow(both)), g, drop = FALSE]
    d[[s[["start"]]]] <- both[, "start"]
    d[[s[["stop"]]]] <- xe$.cs_t[both[, "x"]]
    d[[s[["status"]]]] <- xe$.cs_status[both[, "x"]]
    d$.cs_w <- both[, ".cs_w"]
    d$.cs_n <- both[, ".cs_n"]
    d
  })
  out <- do.call(rbind, pieces)
  rownames(out) <- NULL
  out
}

# Pairs entry mass (times `et`, masses `em`) with exit mass (`xt`, `xm`),
# both in time order, so that the pairs (entry time, exit time] with their
# masses have the same mass at risk at every time as the rows: every exit
# by time t entered before t, so the k-th unit of exit mass is matched with
# an earlier unit of entry mass. Exit cells of mass zero get a pair of mass
# zero (their times stay in the curve). Returns a matrix with columns
# start, x (the exit cell index) and w.
db_pair_entries <- function(et, em, xt, xm) {
  oe <- order(et)
  ox <- order(xt)
  et <- et[oe]
  em <- em[oe]
  ce <- cumsum(em)
  cx <- cumsum(xm[ox])
  tot <- min(ce[length(ce)], cx[length(cx)])
  cuts <- sort(unique(c(ce[ce < tot], cx[cx < tot], tot)))
  lo <- c(0, cuts[-length(cuts)])
  mass <- cuts - lo
  mid <- (lo + cuts) / 2
  ie <- findInterval(mid, c(0, ce), left.open = TRUE)
  ix <- findInterval(mid, c(0, cx), left.open = TRUE)
  ie <- pmin(pmax(ie, 1L), length(et))
  ix <- pmin(pmax(ix, 1L), length(cx))
  out <- cbind(start = et[ie], x = ox[ix], w = mass)
  # rounding of the running sums can pair an exit with a later entry by a
  # sliver of mass: drop such slivers (relative size below 1e-12)
  bad <- out[, "start"] >= xt[out[, "x"]]
  if (any(bad & mass > 1e-12 * tot)) {
    cs_abort("`timefix`: merging nearly equal times (as survival's ",
             "aeqSurv() does) leaves some rows with start equal to stop; ",
             "set `timefix = FALSE` or correct the times.", arg = "timefix")
  }
  out <- out[!bad & mass > 0, , drop = FALSE]
  zero <- setdiff(which(xm == 0), out[, "x"])
  if (length(zero)) {
    out <- rbind(out, cbind(start = min(et), x = zero, w = 0))
  }
  out
}

# The factors of the cells (exit and entry cells stacked in `d`): the
# grouping factor of the non-strata terms (combine_factors(), as the
# in-memory fits label curves and groups) and the strata factor (as
# split_strata() builds it), or NULL when there are none.
db_factors <- function(d, spec, strata_apart = TRUE) {
  term_value <- function(t) {
    if (t$kind == "plain") return(d[[t$cols]])
    if (t$kind == "factor") return(factor(d[[t$cols]]))
    env <- list2env(d[t$cols], parent = asNamespace("survival"))
    eval(t$expr, env)
  }
  gt <- Filter(function(t) !(strata_apart && t$kind == "strata"), spec$terms)
  st <- Filter(function(t) strata_apart && t$kind == "strata", spec$terms)
  group <- if (length(gt)) {
    gdf <- stats::setNames(lapply(gt, term_value),
                           vapply(gt, `[[`, "", "label"))
    combine_factors(as.data.frame(gdf, check.names = FALSE,
                                  stringsAsFactors = FALSE))
  }
  strata <- if (length(st) == 1L) {
    as_dense_factor(term_value(st[[1L]]))
  } else if (length(st)) {
    droplevels(interaction(lapply(st, term_value), sep = "; ",
                           lex.order = TRUE))
  }
  list(group = group, strata = strata,
       strata_vars = unlist(lapply(st, `[[`, "cols")))
}

# The log-rank family from the aggregate cells.
db_logrank <- function(src, spec, na_fail, vals) {
  o <- utils::modifyList(list(test = "fh", rho = 0, gamma = 0, trend = FALSE,
                              scores = NULL, pairwise = FALSE,
                              p_adjust = "holm", timefix = TRUE), vals)
  test <- arg_choice(o$test, "test", c("fh", "gehan", "tarone-ware"))
  check_flag(o$timefix, "timefix")
  check_logrank_options(test, o$rho, o$gamma, o$trend, o$pairwise,
                        o$p_adjust)
  if (!length(Filter(function(t) t$kind != "strata", spec$terms))) {
    cs_abort("`formula` has no grouping variable, so there is nothing to ",
             "compare; give one on the right-hand side, as in ",
             "Surv(time, status) ~ group.", arg = "formula")
  }
  db_check_columns(src, spec, NULL)
  val <- db_validate(src, spec, NULL, na_fail)
  cells <- db_cells(src, spec, NULL, val)
  nx <- nrow(cells$exit)
  g <- db_group_cols(spec)
  both <- rbind(cells$exit[g], if (spec$counting) cells$entry[g])
  fac <- db_factors(both, spec)
  group <- logrank_group(fac$group, nrow(both))
  lev <- levels(group)
  k <- length(lev)
  scores <- logrank_scores(o$scores, lev)
  trend <- o$trend || !is.null(scores)
  sf <- if (is.null(fac$strata)) factor(rep("all", nrow(both))) else
    fac$strata
  times <- c(cells$exit$.cs_t, if (spec$counting) cells$entry$.cs_t)
  if (o$timefix) times <- time_fix(cbind(time = times, status = 0))[, 1L]
  cx <- data.frame(g = as.integer(group)[seq_len(nx)] - 1L,
                   s = as.integer(sf)[seq_len(nx)] - 1L,
                   t = times[seq_len(nx)], d = cells$exit$.cs_d,
                   n = cells$exit$.cs_n)
  ce <- if (spec$counting) {
    ie <- nx + seq_len(nrow(cells$entry))
    data.frame(g = as.integer(group)[ie] - 1L, s = as.integer(sf)[ie] - 1L,
               t = times[ie], n = cells$entry$.cs_n)
  }
  wtype <- match(test, c("fh", "gehan", "tarone-ware")) - 1L
  ns <- nlevels(sf)
  res <- db_logrank_tables(cx, ce, k, ns, wtype, o$rho, o$gamma)
  sd <- list(strata_levels = levels(sf), stratified = !is.null(fac$strata))
  out <- logrank_overall(res, lev, sd, test, o$rho, o$gamma)
  if (trend) out$trend <- logrank_trend(out$groups, out$variance, scores)
  if (o$pairwise) {
    pairs <- utils::combn(k, 2L)
    pw <- do.call(rbind, lapply(seq_len(ncol(pairs)), function(j) {
      r <- db_logrank_tables(cx, ce, k, ns, wtype, o$rho, o$gamma,
                             codes = pairs[, j] - 1L)
      data.frame(group1 = lev[pairs[1L, j]], group2 = lev[pairs[2L, j]],
                 statistic = r$statistic, df = as.integer(r$df),
                 p_value = logrank_p(r$statistic, r$df))
    }))
    pw$group1 <- factor(pw$group1, levels = lev)
    pw$group2 <- factor(pw$group2, levels = lev)
    pw$p_adjusted <- stats::p.adjust(pw$p_value, method = o$p_adjust)
    rownames(pw) <- NULL
    out$pairwise <- pw
  }
  if (sum(out$groups$events) == 0) {
    cs_warn("there are no events, so the groups cannot be compared; ",
            "the p-value is NA.", class = "cohortsurv_warning_no_events")
  }
  new_cs_logrank(
    c(out, list(test = test, rho = o$rho, gamma = o$gamma,
                p_adjust = o$p_adjust,
                type = if (spec$counting) "counting" else "right",
                n_dropped = as.integer(val$n_dropped),
                strata_vars = if (is.null(fac$strata_vars)) character() else
                  fac$strata_vars, call = NULL))
  )
}

# The tables of src/logrank.cpp's logrank_tables() from the cells: `cx`
# the exit cells (0-based group g and stratum s, time t, event flag d, row
# count n), `ce` the entry cells (g, s, t, n) or NULL for right-censored
# data; `codes` the groups to compare (NULL: all). At each death time t
# of a stratum, with n_g at risk and d_g deaths in group g (n, d in all)
# and weight w(t): O_g += w d_g, E_g += (w d / n) n_g,
# V_gh += w^2 d (n - d) / (n (n - 1)) n_g (1[g = h] - n_h / n), w(t) from
# the pooled left-continuous Kaplan-Meier estimate (Fleming-Harrington),
# the number at risk (Gehan) or its square root (Tarone-Ware).
db_logrank_tables <- function(cx, ce, k, ns, wtype, rho, gamma,
                              codes = NULL) {
  if (!is.null(codes)) {
    cx <- cx[cx$g %in% codes, , drop = FALSE]
    if (!is.null(ce)) ce <- ce[ce$g %in% codes, , drop = FALSE]
  }
  zero <- matrix(0, k, ns)
  res <- list(observed = zero, expected = zero, events = zero, n = zero,
              variance = matrix(0, k, k))
  for (s in seq_len(ns) - 1L) {
    xs <- cx[cx$s == s, , drop = FALSE]
    res$n[, s + 1L] <- rowsum_k(xs$n, xs$g, k)
    dd <- xs[xs$d == 1, , drop = FALSE]
    if (!nrow(dd)) next
    tt <- sort(unique(dd$t))
    nt <- length(tt)
    dm <- matrix(0, nt, k)
    dsum <- rowsum(dd$n, paste(match(dd$t, tt), dd$g))
    key <- do.call(rbind, strsplit(rownames(dsum), " "))
    dm[cbind(as.integer(key[, 1L]), as.integer(key[, 2L]) + 1L)] <- dsum[, 1L]
    risk <- matrix(0, nt, k)
    es <- if (!is.null(ce)) ce[ce$s == s, , drop = FALSE]
    for (gg in seq_len(k)) {
      xg <- xs[xs$g == gg - 1L, , drop = FALSE]
      if (!nrow(xg)) next
      before <- cum_before(xg$t, xg$n, tt)
      risk[, gg] <- if (is.null(es)) sum(xg$n) - before else {
        eg <- es[es$g == gg - 1L, , drop = FALSE]
        cum_before(eg$t, eg$n, tt) - before
      }
    }
    total <- rowSums(risk)
    d <- rowSums(dm)
    w <- switch(wtype + 1L, {
      kmp <- c(1, cumprod((total - d) / total))[seq_len(nt)]
      w <- rep(1, nt)
      if (rho != 0) w <- w * kmp^rho
      if (gamma != 0) w <- w * (1 - kmp)^gamma
      w
    }, total, sqrt(total))
    res$observed[, s + 1L] <- colSums(w * dm)
    res$expected[, s + 1L] <- colSums((w * d / total) * risk)
    res$events[, s + 1L] <- colSums(dm)
    cc <- ifelse(total > 1, w * w * d * (total - d) / (total * (total - 1)),
                 0)
    res$variance <- res$variance + diag(colSums(cc * risk), k) -
      crossprod(risk, (cc / total) * risk)
  }
  u <- rowSums(res$observed - res$expected)
  chi <- db_logrank_chisq(u, res$variance, rowSums(res$expected))
  res$statistic <- chi[1L]
  res$df <- chi[2L]
  res
}

# Sums of `v` by 0-based code `g` into a vector of length k.
rowsum_k <- function(v, g, k) {
  out <- numeric(k)
  if (length(v)) {
    r <- rowsum(v, g)
    out[as.integer(rownames(r)) + 1L] <- r[, 1L]
  }
  out
}

# For each time in `at`, the summed counts `n` of the cells with time
# strictly before it.
cum_before <- function(t, n, at) {
  if (!length(t)) return(numeric(length(at)))
  o <- order(t)
  c(0, cumsum(n[o]))[findInterval(at, t[o], left.open = TRUE) + 1L]
}

# The chi-square statistic and its df from O - E (`u`), the covariance `v`
# and the expected counts `e`, as src/logrank.cpp's logrank_chisq():
# groups with no expected deaths left out; with V of rank m - 1 survdiff's
# recipe (drop the first group, solve), otherwise a generalised inverse.
db_logrank_chisq <- function(u, v, e) {
  keep <- which(e > 0)
  m <- length(keep)
  if (m < 2L) return(c(0, 0))
  vk <- v[keep, keep, drop = FALSE]
  uk <- u[keep]
  ev <- eigen(vk, symmetric = TRUE)
  lam <- ev$values
  lmax <- max(abs(lam))
  if (!(lmax > 0)) return(c(0, 0))
  pos <- lam > 1e-10 * lmax
  rank <- sum(pos)
  chi <- if (rank == m - 1L) {
    ur <- uk[-1L]
    sum(ur * solve(vk[-1L, -1L, drop = FALSE], ur))
  } else {
    z <- crossprod(ev$vectors, uk)
    sum(z[pos]^2 / lam[pos])
  }
  c(chi, rank)
}

# Cox model inside the database ---------------------------------------------

# cox() on a database table: the design built in SQL (numeric columns as
# they are; character columns and factor() terms as indicator columns, the
# reference level the first of the sorted distinct values, as factor()
# orders them), then the Newton iteration of cox_newton() (src/cox.cpp)
# with each sweep an aggregate query (db_cox_sweep()).
db_cox <- function(src, spec, wt, na_fail, vals) {
  o <- db_cox_options(vals)
  types <- db_check_columns(src, spec, wt)
  val <- db_validate(src, spec, wt, na_fail)
  # coxph's rule: robust when a weight is fractional, unless `robust` says
  robust <- if (is.null(o$robust)) val$w_frac > 0 else o$robust
  if (robust && spec$counting) {
    cs_abort("the robust variance of cox() on a database table is ",
             "supported for Surv(time, status) data only: with ",
             "Surv(start, stop, status) the score residuals depend on each ",
             "row's (start, stop) pair; use robust = FALSE",
             if (val$w_frac > 0) " (fractional weights make it the default)",
             ".", arg = "robust")
  }
  o$robust <- robust
  where <- c(val$where, if (!is.null(wt)) paste0(db_dbl(src, wt), " > 0"))
  des <- db_cox_design(src, spec, types, where)
  src$where <- where
  src$w <- if (is.null(wt)) "1" else db_dbl(src, wt)
  src$ev <- db_event(src, spec, val$codes)
  src$offset <- if (!is.null(spec$offset)) db_dbl(src, spec$offset) else
    db_num(src, 0)
  src$strata <- db_group_cols(spec, "strata")
  src$spec <- spec
  st <- db_cox_stats(src, des)
  if (st$n == 0) {
    cs_abort("`weights` must have at least one positive value.",
             arg = "weights")
  }
  p <- length(des$sql)
  init <- cox_init(o$init, p)
  control <- o$control
  no_events <- st$n_event == 0
  if (no_events && p > 0) {
    cs_warn("there are no events, so the coefficients cannot be ",
            "estimated; they are NA.", class = "cohortsurv_warning_no_events")
  }
  res <- db_cox_newton(src, des, st, init,
                       if (no_events) 0L else control$iter_max, control$eps,
                       control$toler_chol, o$ties == "efron", o$timefix)
  fit <- db_cox_result(res, des, st, init, control, o, no_events, val, spec)
  fit$level_counts <- db_cox_level_counts(src, spec, des)
  fit$term_of <- des$term_of
  if (robust && p > 0 && sum(!is.na(fit$coefficients)) > 0) {
    fit <- db_cox_robust(fit, res, src, des, st, init, o, control)
  }
  fit
}

# The rows and events per level of each factor term of a database Cox fit
# (one GROUP BY per term over the rows used), the counts hr_report() and
# forest_plot() print: a list of data frames (level, n, events) named by
# term, the levels in the order of `des$xlevels`.
db_cox_level_counts <- function(src, spec, des) {
  out <- list()
  for (t in spec$terms) {
    lev <- des$xlevels[[t$label]]
    if (is.null(lev)) next
    v <- db_id(src, t$cols)
    g <- db_query(src, db_select(
      src, c(v = v, n = "COUNT(*)", events = paste0("SUM(", src$ev, ")")),
      where = src$where, group = v))
    i <- match(lev, as.character(g$v))
    out[[t$label]] <- data.frame(level = lev, n = as.numeric(g$n[i]),
                                 events = as.numeric(g$events[i]),
                                 stringsAsFactors = FALSE)
  }
  out
}

# The robust (sandwich) variance of a database Cox fit and its robust score
# test, as cox_robust_var() computes them from the score residuals of every
# row (each row its own cluster): with D = sum_i w_i^2 U_i U_i', var =
# V D V and the score test at `init` uses D at `init`. D is one more
# aggregate per (stratum, stop time, status) (db_cox_resid_sums()).
db_cox_robust <- function(fit, res, src, des, st, init, o, control) {
  efron <- o$ties == "efron"
  beta0 <- fit$coefficients
  beta0[is.na(beta0)] <- 0
  r <- if (any(is.na(fit$coefficients))) {
    db_cox_sweep(src, des, st, beta0 / st$scale, efron, o$timefix)
  } else res$sweep
  naive <- fit$naive_var
  naive[is.na(naive)] <- 0
  d_hat <- db_cox_resid_sums(src, des, st, beta0 / st$scale, r, o$timefix)
  var <- naive %*% d_hat %*% naive
  dimnames(var) <- dimnames(naive)
  d0 <- db_cox_resid_sums(src, des, st, init / st$scale, res$sweep_init,
                          o$timefix)
  sing <- is.na(fit$coefficients)
  df <- sum(!sing)
  fit$var <- na_rows_cols(var, sing | is.na(diag(fit$naive_var)))
  fit$robust <- TRUE
  fit$wald_test <- chisq_test(
    quad_form_inv(var[!sing, !sing, drop = FALSE], (beta0 - init)[!sing],
                  control$toler_chol), df)
  fit$robust_score_test <- chisq_test(
    quad_form_inv(d0, res$sweep_init$score / st$scale, control$toler_chol),
    df)
  fit
}

# sum_i w_i^2 U_i U_i' over the rows, U_i the score residual of row i at
# `beta` (scaled coordinates) given the sweep `r` at `beta`:
#   U_i = d_i (x_i - abar(t_i)) - e_i (c_i x_i - C_i),
# c_i, C_i the hazard and its x-weighted sum accrued up to t_i (a death at
# t_i accrues only the part h - g of its own time, Efron), so that within a
# cell of equal (stratum, stop time, status) the sum needs only the cell's
# sums of w^2, w^2 e and w^2 e^2 times 1, x and x x' (x centred; e =
# exp(eta - shift)).
db_cox_resid_sums <- function(src, des, st, beta, r, timefix) {
  p <- length(des$sql)
  rows <- db_cox_rows(src, des, st$mean_w, beta * st$scale, r$shift)
  id <- function(x) db_id(src, x)
  xj <- id(paste0(".cs_x", seq_len(p)))
  jk <- which(upper.tri(diag(p), diag = TRUE), arr.ind = TRUE)
  w2 <- paste0(id(".cs_w"), " * ", id(".cs_w"))
  e <- id(".cs_e")
  sums <- function(pre, w) {
    c(stats::setNames(paste0("SUM(", w, ")"), paste0(pre, "0")),
      stats::setNames(paste0("SUM(", w, " * ", xj, ")"), pn(paste0(pre, "1_"), p)),
      stats::setNames(paste0("SUM(", w, " * ", xj[jk[, 1L]], " * ",
                             xj[jk[, 2L]], ")"), pn(paste0(pre, "2_"), nrow(jk))))
  }
  sid <- id(src$strata)
  cols <- c(stats::setNames(sid, src$strata), .cs_t = id(".cs_t"),
            .cs_ev = id(".cs_ev"), sums("a", w2),
            sums("b", paste0(w2, " * ", e)),
            sums("c", paste0(w2, " * ", e, " * ", e)))
  q <- paste0("SELECT ", paste0(cols, " AS ", id(names(cols)), collapse = ", "),
              " FROM ", rows, " GROUP BY ",
              paste(c(sid, id(".cs_t"), id(".cs_ev")), collapse = ", "))
  cl <- db_query(src, q)
  num <- function(nm) matrix(vapply(nm, function(v) as.numeric(cl[[v]]),
                                    numeric(nrow(cl))), nrow(cl))
  tt <- as.numeric(cl$.cs_t)
  if (timefix) tt <- time_fix(cbind(time = tt, status = 0))[, 1L]
  dl <- as.numeric(cl$.cs_ev)
  sf <- db_factors(cl[src$strata], list(terms = Filter(
    function(t) t$kind == "strata", src$spec$terms)))$strata
  pt <- r$per_time
  code <- if (is.null(sf)) rep(1L, nrow(cl)) else
    match(as.character(sf), pt$levels)
  # per cell: hazard accrued up to its time, and the death-time terms
  c0 <- numeric(nrow(cl))
  cx <- ab <- matrix(0, nrow(cl), p)
  for (s in unique(code)) {
    i <- which(code == s)
    k <- which(pt$strata == s)
    if (!length(k)) next
    k <- k[order(pt$time[k])]
    ca <- cumsum(pt$h[k])
    cb <- apply(matrix(pt$hx[k, , drop = FALSE], length(k)), 2L, cumsum)
    cb <- matrix(cb, length(k))
    at <- findInterval(tt[i], pt$time[k])
    c0[i] <- c(0, ca)[at + 1L]
    cx[i, ] <- rbind(0, cb)[at + 1L, , drop = FALSE]
    dd <- i[dl[i] == 1]
    if (length(dd)) {
      kd <- k[match(tt[dd], pt$time[k])]
      c0[dd] <- c0[dd] - pt$g[kd]
      cx[dd, ] <- cx[dd, , drop = FALSE] - pt$gx[kd, , drop = FALSE]
      ab[dd, ] <- pt$abar[kd, , drop = FALSE]
    }
  }
  unpack <- function(v) {
    m <- matrix(0, p, p)
    m[jk] <- v
    m[jk[, 2:1, drop = FALSE]] <- v
    m
  }
  a2 <- num(pn("a2_", nrow(jk)))
  b2 <- num(pn("b2_", nrow(jk)))
  c2 <- num(pn("c2_", nrow(jk)))
  a1 <- num(pn("a1_", p))
  b1 <- num(pn("b1_", p))
  c1 <- num(pn("c1_", p))
  m1 <- as.numeric(cl$a0)
  me <- as.numeric(cl$b0)
  mee <- as.numeric(cl$c0)
  t1 <- unpack(colSums(dl * a2 - 2 * dl * c0 * b2 + c0^2 * c2))
  pp <- crossprod(dl * b1 - c0 * c1, cx) + crossprod(c0 * dl * b1 - dl * a1, ab)
  bb <- crossprod(cx * mee, cx) - crossprod(cx * (dl * me), ab) -
    crossprod(ab * (dl * me), cx) + crossprod(ab * (dl * m1), ab)
  t1 + pp + t(pp) + bb
}

# The options of a database cox() call, with survival's `method` alias.
db_cox_options <- function(vals) {
  known <- c("ties", "method", "robust", "init", "control", "timefix")
  extra <- setdiff(names(vals), known)
  if (length(extra)) {
    cs_abort("`", extra[1L], "` is not supported by cox() on a database ",
             "table.", arg = extra[1L])
  }
  o <- utils::modifyList(list(ties = c("efron", "breslow"), robust = NULL,
                              init = NULL, control = cox_control(),
                              timefix = TRUE), vals)
  if (!is.null(vals$method)) {
    if (!is.null(vals$ties)) {
      cs_abort("give `ties` or its survival alias `method`, not both.",
               arg = "method")
    }
    o$ties <- vals$method
  }
  o$ties <- arg_choice(o$ties, "ties", c("efron", "breslow"))
  check_flag(o$timefix, "timefix")
  if (!is.null(o$robust)) check_flag(o$robust, "robust")
  check_control(o$control)
  o
}

# The design columns as SQL expressions (`sql`, named as model.matrix
# names them) and the terms' levels (`xlevels`).
db_cox_design <- function(src, spec, types, where) {
  sql <- character()
  xlevels <- list()
  term_of <- character()  # the term label of each design column
  for (t in spec$terms) {
    if (t$kind == "strata") next
    v <- t$cols
    if (t$kind == "plain" && types[[v]] %in%
        c("numeric", "integer", "integer64", "logical")) {
      sql[[t$label]] <- db_dbl(src, v)
      term_of <- c(term_of, t$label)
      next
    }
    lev <- db_query(src, paste0("SELECT DISTINCT ", db_id(src, v), " AS ",
                                db_id(src, "v"), " FROM ", src$from,
                                " WHERE ", paste0("(", where, ")",
                                                  collapse = " AND ")))$v
    lev <- sort(unique(lev))
    if (length(lev) < 2L) {
      cs_abort("could not build the design matrix from `formula`: the term `",
               t$label, "` has a single level (", fmt_value(lev[1L]),
               ") in the rows used, so it has no contrast.",
               arg = "formula")
    }
    xlevels[[t$label]] <- as.character(lev)
    lit <- function(x) if (is.numeric(x)) db_num(src, x) else db_str(src, x)
    for (l in lev[-1L]) {
      sql[[paste0(t$label, l)]] <- paste0("CASE WHEN ", db_id(src, v), " = ",
                                          lit(l), " THEN ", db_num(src, 1),
                                          " ELSE ", db_num(src, 0), " END")
      term_of <- c(term_of, t$label)
    }
  }
  list(sql = sql, xlevels = xlevels, term_of = term_of)
}

# The FROM clause of the per-row quantities: a subquery with the strata
# columns, the times, the event flag, the weight, the centred covariates
# `.cs_x<j>` and, given `beta` (on the centred scale) and a shift, the
# linear predictor `.cs_eta` and `.cs_e` = exp(eta - shift).
db_cox_rows <- function(src, des, means, beta = NULL, shift = 0) {
  p <- length(des$sql)
  s <- src$spec$surv
  tcol <- s[[if (src$spec$counting) "stop" else "time"]]
  cols <- c(stats::setNames(db_id(src, src$strata), src$strata),
            .cs_t = db_dbl(src, tcol), .cs_ev = src$ev, .cs_w = src$w)
  if (src$spec$counting) cols[[".cs_t0"]] <- db_dbl(src, s[["start"]])
  xc <- character()
  for (j in seq_len(p)) {
    xc[[paste0(".cs_x", j)]] <- paste0("(", des$sql[[j]], " - ",
                                       db_num(src, means[j]), ")")
  }
  cols <- c(cols, xc, .cs_off = src$offset)
  if (!is.null(beta)) {
    eta <- paste(c(src$offset, if (p) paste0(vapply(beta, db_num, "",
                                                    src = src), " * ", xc)),
                 collapse = " + ")
    cols[[".cs_eta"]] <- eta
    # eta - shift <= 0, so exp() cannot overflow; below -708 its value
    # would be subnormal or 0, which SQLite and PostgreSQL report as a
    # range error (errno ERANGE): 0 is used there
    z <- paste0("(", eta, " - ", db_num(src, shift), ")")
    cols[[".cs_e"]] <- paste0("CASE WHEN ", z, " < ", db_num(src, -708),
                              " THEN ", db_num(src, 0), " ELSE ",
                              src$dialect$exp, "(", z, ") END")
  }
  paste0("(", db_select(src, cols, src$where), src$dialect$fence,
         ") cs_rows")
}

# The column sums of the design over the rows used, for the centring and
# scaling of cox_newton() (weighted mean, plain mean, weighted mean
# absolute deviation, columns coded -1/0/1 only), and per stratum the
# range of every centred column and of the offset (for the shift of eta).
db_cox_stats <- function(src, des) {
  p <- length(des$sql)
  rows <- db_cox_rows(src, des, rep(0, p))
  id <- function(x) db_id(src, x)
  xj <- id(paste0(".cs_x", seq_len(p)))
  cols <- c(n = "COUNT(*)", sw = paste0("SUM(", id(".cs_w"), ")"),
            n_event = paste0("SUM(", id(".cs_ev"), ")"),
            so = paste0("SUM(", id(".cs_off"), ")"))
  for (j in seq_len(p)) {
    cols[[paste0("swx", j)]] <- paste0("SUM(", id(".cs_w"), " * ", xj[j], ")")
    cols[[paste0("sx", j)]] <- paste0("SUM(", xj[j], ")")
    cols[[paste0("n01", j)]] <- db_count_if(paste0(
      xj[j], " <> 0 AND ", xj[j], " <> 1 AND ", xj[j], " <> -1"))
  }
  g <- db_query(src, paste0("SELECT ", paste0(cols, " AS ", id(names(cols)),
                                              collapse = ", "),
                            " FROM ", rows))
  g[] <- lapply(g, as.numeric)
  g[is.na(g)] <- 0
  n <- g$n
  sw <- g$sw
  mean_w <- vapply(seq_len(p), function(j) g[[paste0("swx", j)]] / sw, 1)
  mean_u <- vapply(seq_len(p), function(j) g[[paste0("sx", j)]] / n, 1)
  zero_one <- vapply(seq_len(p), function(j) g[[paste0("n01", j)]] == 0,
                     TRUE)
  # second pass: deviations from the weighted mean, ranges per stratum
  rows <- db_cox_rows(src, des, mean_w)
  sid <- id(src$strata)
  cols <- c(stats::setNames(sid, src$strata),
            .cs_omin = paste0("MIN(", id(".cs_off"), ")"),
            .cs_omax = paste0("MAX(", id(".cs_off"), ")"),
            .cs_sw = paste0("SUM(", id(".cs_w"), ")"))
  for (j in seq_len(p)) {
    cols[[paste0("swx", j)]] <- paste0("SUM(", id(".cs_w"), " * ", xj[j], ")")
    cols[[paste0("mad", j)]] <- paste0("SUM(", id(".cs_w"), " * ABS(",
                                       xj[j], "))")
    cols[[paste0("min", j)]] <- paste0("MIN(", xj[j], ")")
    cols[[paste0("max", j)]] <- paste0("MAX(", xj[j], ")")
  }
  r <- db_query(src, paste0("SELECT ", paste0(cols, " AS ", id(names(cols)),
                                              collapse = ", "),
                            " FROM ", rows,
                            if (length(sid)) paste0(" GROUP BY ",
                                                    paste(sid,
                                                          collapse = ", "))))
  scale <- vapply(seq_len(p), function(j) {
    mad <- sum(as.numeric(r[[paste0("mad", j)]]))
    if (mad > 0) sw / mad else 1
  }, 1)
  xmin <- vapply(seq_len(p), function(j) as.numeric(r[[paste0("min", j)]]),
                 numeric(nrow(r)))
  xmax <- vapply(seq_len(p), function(j) as.numeric(r[[paste0("max", j)]]),
                 numeric(nrow(r)))
  sf <- db_factors(r[src$strata], list(terms = Filter(
    function(t) t$kind == "strata", src$spec$terms)))$strata
  # case-weighted covariate means per stratum (predict(reference = "strata"))
  smeans <- NULL
  if (!is.null(sf)) {
    sws <- as.numeric(r$.cs_sw)
    smeans <- matrix(0, nlevels(sf), p)
    for (j in seq_len(p)) {
      smeans[as.integer(sf), j] <- mean_w[j] +
        as.numeric(r[[paste0("swx", j)]]) / sws
    }
  }
  list(n = n, sw = sw, n_event = g$n_event, mean_w = mean_w,
       offset_mean = if (is.null(src$spec$offset)) 0 else g$so / n,
       strata_means = smeans,
       strata = if (!is.null(sf)) levels(sf),
       mean_u = mean_u, zero_one = zero_one, scale = scale,
       xmin = matrix(xmin, nrow(r)), xmax = matrix(xmax, nrow(r)),
       omax = as.numeric(r$.cs_omax))
}

# One sweep of the partial likelihood at `beta` (on the scaled, centred
# covariates of cox_newton()): the aggregate per (stratum, stop time) of
# the rows' w exp(eta - shift), w exp(eta - shift) x, w exp(eta - shift) x x'
# and of the same sums over the deaths, the deaths' sums of w x and w eta
# (and for counting-process data the same risk sums per (stratum, start));
# then the risk-set sums cumulate backward in time in R. Returns list(loglik,
# score, info) on the scaled covariates, as cox_sweep() computes them.
db_cox_sweep <- function(src, des, st, beta, efron, timefix, shift = NULL) {
  p <- length(des$sql)
  b <- beta * st$scale
  if (is.null(shift)) {
    shift <- max(st$omax + if (p) rowSums(pmax(sweep(st$xmin, 2L, b, `*`),
                                               sweep(st$xmax, 2L, b, `*`)))
                 else 0)
  }
  rows <- db_cox_rows(src, des, st$mean_w, b, shift)
  id <- function(x) db_id(src, x)
  xj <- id(paste0(".cs_x", seq_len(p)))
  jk <- which(upper.tri(diag(p), diag = TRUE), arr.ind = TRUE)
  we <- paste0(id(".cs_w"), " * ", id(".cs_e"))
  dwe <- paste0(id(".cs_ev"), " * ", we)
  sums <- function(pre, w) {
    c(stats::setNames(paste0("SUM(", w, ")"), paste0(pre, "0")),
      if (p) stats::setNames(paste0("SUM(", w, " * ", xj, ")"),
                             paste0(pre, "1_", seq_len(p))),
      if (p) stats::setNames(paste0("SUM(", w, " * ", xj[jk[, 1L]], " * ",
                                    xj[jk[, 2L]], ")"),
                             paste0(pre, "2_", seq_len(nrow(jk)))))
  }
  sid <- id(src$strata)
  cols <- c(stats::setNames(sid, src$strata), .cs_t = id(".cs_t"),
            .cs_d = paste0("SUM(", id(".cs_ev"), ")"),
            .cs_dw = paste0("SUM(", id(".cs_ev"), " * ", id(".cs_w"), ")"),
            .cs_meta = paste0("MAX(", id(".cs_eta"), ")"),
            .cs_seta = paste0("SUM(", id(".cs_ev"), " * ", id(".cs_w"),
                              " * ", id(".cs_eta"), ")"),
            if (p) stats::setNames(paste0("SUM(", id(".cs_ev"), " * ",
                                          id(".cs_w"), " * ", xj, ")"),
                                   paste0("sx", seq_len(p))),
            sums("r", we), if (efron) sums("e", dwe))
  grp <- function(t) paste0(" GROUP BY ", paste(c(sid, id(t)),
                                                 collapse = ", "))
  sel <- function(cols) paste0("SELECT ", paste0(cols, " AS ",
                                                 id(names(cols)),
                                                 collapse = ", "))
  ex <- db_query(src, paste0(sel(cols), " FROM ", rows, grp(".cs_t")))
  en <- if (src$spec$counting) {
    cols <- c(stats::setNames(sid, src$strata), .cs_t = id(".cs_t0"),
              sums("r", we))
    db_query(src, paste0(sel(cols), " FROM ", rows, grp(".cs_t0")))
  }
  meta <- as.numeric(ex$.cs_meta)
  if (max(meta) < shift - 500) {
    return(db_cox_sweep(src, des, st, beta, efron, timefix,
                        shift = max(meta)))
  }
  sw <- db_cox_cumulate(ex, en, src, p, efron, timefix)
  if (any(sw$s0 <= 0 | !is.finite(sw$s0))) {
    cs_abort("the linear predictor of the Cox model spans too wide a range ",
             "(exp() of its differences underflows to 0 for every row of a ",
             "risk set) to be summed in the database; rescale the ",
             "covariates or give `init` closer to the estimate.",
             arg = "init")
  }
  out <- db_cox_terms(sw, p, jk, shift, st$scale)
  out$shift <- shift
  out
}

# The risk-set sums at each death time from the cells: exit cells `ex`
# (with their deaths' sums) and entry cells `en` (NULL for right-censored
# data), times merged as time_fix() does when `timefix`.
db_cox_cumulate <- function(ex, en, src, p, efron, timefix) {
  both <- rbind(ex[src$strata], if (!is.null(en)) en[src$strata])
  sf <- db_factors(both, list(terms = Filter(function(t) t$kind == "strata",
                                             src$spec$terms)))$strata
  nx <- nrow(ex)
  code <- if (is.null(sf)) rep(1L, nx + NROW(en)) else as.integer(sf)
  tt <- c(as.numeric(ex$.cs_t), if (!is.null(en)) as.numeric(en$.cs_t))
  if (timefix) tt <- time_fix(cbind(time = tt, status = 0))[, 1L]
  num <- function(d, nm) {
    m <- vapply(nm, function(v) as.numeric(d[[v]]), numeric(nrow(d)))
    matrix(m, nrow(d), dimnames = list(NULL, nm))
  }
  rn <- grep("^r", names(ex), value = TRUE)
  dn <- c(".cs_d", ".cs_dw", ".cs_seta", pn("sx", p),
          grep("^e", names(ex), value = TRUE))
  # exit cells merged per (stratum, time), in decreasing time per stratum
  key <- paste(code[seq_len(nx)], tt[seq_len(nx)])
  mx <- rowsum(num(ex, c(rn, dn)), key, reorder = FALSE)
  first <- match(rownames(mx), key)
  xs <- code[seq_len(nx)][first]
  xt <- tt[seq_len(nx)][first]
  o <- order(xs, -xt)
  mx <- mx[o, , drop = FALSE]
  xs <- xs[o]
  xt <- xt[o]
  risk <- mx[, rn, drop = FALSE]
  for (s in unique(xs)) {
    i <- which(xs == s)
    risk[i, ] <- apply(mx[i, rn, drop = FALSE], 2L, cumsum)
    if (!is.null(en)) {
      ie <- nx + which(code[-seq_len(nx)] == s)
      if (!length(ie)) next
      me <- num(en[ie - nx, , drop = FALSE], rn)
      oe <- order(-tt[ie])
      ce <- apply(me[oe, , drop = FALSE], 2L, cumsum)
      ce <- matrix(ce, length(oe))
      te <- tt[ie][oe]
      # entries with start >= t: the first k of the decreasing order
      k <- length(te) - findInterval(xt[i], rev(te), left.open = TRUE)
      sub <- rbind(0, ce)[k + 1L, , drop = FALSE]
      risk[i, ] <- risk[i, ] - sub
    }
  }
  dead <- mx[, ".cs_d"] > 0
  list(risk = risk[dead, , drop = FALSE], dth = mx[dead, , drop = FALSE],
       dstrata = xs[dead], dtime = xt[dead], levels = levels(sf),
       s0 = risk[dead, "r0"], seta = sum(mx[, ".cs_seta"]),
       sx = colSums(mx[, pn("sx", p), drop = FALSE]),
       efron = efron)
}

# The log partial likelihood, score and information (Breslow or Efron) from
# the risk-set sums `sw` of db_cox_cumulate(), on the scaled covariates.
db_cox_terms <- function(sw, p, jk, shift, scale) {
  rk <- sw$risk
  dth <- sw$dth
  s0 <- rk[, "r0"]
  s1 <- rk[, pn("r1_", p), drop = FALSE]
  s2 <- rk[, pn("r2_", nrow(jk)), drop = FALSE]
  d <- dth[, ".cs_d"]
  dw <- dth[, ".cs_dw"]
  nt <- length(d)
  deff <- if (sw$efron) d else rep(1, nt)
  e0 <- if (sw$efron) dth[, "e0"] else numeric(nt)
  e1 <- if (sw$efron) dth[, pn("e1_", p), drop = FALSE] else
    matrix(0, nt, p)
  e2 <- if (sw$efron) dth[, pn("e2_", nrow(jk)),
                          drop = FALSE] else matrix(0, nt, nrow(jk))
  # every sum divided by S0: the Efron denominators become 1 - f E0 / S0,
  # in (0, 1], so no power of 1 / den overflows however small S0 is
  e0 <- e0 / s0
  s1 <- s1 / s0
  s2 <- s2 / s0
  e1 <- e1 / s0
  e2 <- e2 / s0
  idx <- rep(seq_len(nt), deff)
  f <- (sequence(deff) - 1) / deff[idx]
  den <- 1 - f * e0[idx]
  inv <- 1 / den
  agg <- function(v) rowsum(v, idx, reorder = FALSE)[, 1L]
  q0 <- agg(inv)
  q1 <- agg(f * inv)
  r0 <- agg(inv * inv)
  r1 <- agg(f * inv * inv)
  r2 <- agg(f * f * inv * inv)
  m <- dw / deff
  loglik <- sw$seta - sum(m * agg(log(den))) - sum(dw * log(s0)) -
    sum(dw) * shift
  score <- sw$sx - colSums((m * q0) * s1) + colSums((m * q1) * e1)
  packed <- colSums((m * q0) * s2 - (m * q1) * e2)
  info <- matrix(0, p, p)
  info[jk] <- packed
  info[jk[, 2:1, drop = FALSE]] <- packed
  info <- info - crossprod(s1, (m * r0) * s1) +
    crossprod(s1, (m * r1) * e1) + crossprod(e1, (m * r1) * s1) -
    crossprod(e1, (m * r2) * e1)
  # per death time, for the score residuals (db_cox_robust()): the hazard
  # increment h and its part g not accrued by the deaths themselves, the
  # matching sums H and G of the risk-set means, and the deaths' mean abar
  # (on the centred covariates, in units of exp(eta - shift))
  per_time <- list(
    strata = sw$dstrata, time = sw$dtime, h = m * q0 / s0, g = m * q1 / s0,
    hx = (m / s0) * (r0 * s1 - r1 * e1), gx = (m / s0) * (r1 * s1 - r2 * e1),
    abar = (q0 * s1 - q1 * e1) / deff, levels = sw$levels)
  list(per_time = per_time, loglik = loglik, score = scale * score,
       info = scale * info * rep(scale, each = p))
}

# The generalised Cholesky of src/cox.cpp (ldl_decompose): pivots below
# toler * max(diag) are zeroed and their columns marked singular.
db_ldl <- function(a, toler) {
  p <- nrow(a)
  l <- a
  sing <- logical(p)
  big <- if (p) max(0, diag(a)) else 0
  eps <- if (big == 0) toler else big * toler
  for (i in seq_len(p)) {
    pivot <- l[i, i]
    if (!is.finite(pivot) || pivot < eps) {
      l[i, i] <- 0
      sing[i] <- TRUE
      if (i < p) l[(i + 1L):p, i] <- 0
      next
    }
    if (i < p) {
      for (j in (i + 1L):p) {
        t <- l[j, i] / pivot
        l[j, i] <- t
        l[j, j] <- l[j, j] - t * t * pivot
        if (j < p) {
          kk <- (j + 1L):p
          l[kk, j] <- l[kk, j] - t * l[kk, i]
        }
      }
    }
  }
  list(l = l, singular = sing, rank = sum(!sing))
}

db_ldl_solve <- function(f, b) {
  p <- length(b)
  y <- b
  for (i in seq_len(p)) {
    if (i > 1L) y[i] <- y[i] - sum(y[seq_len(i - 1L)] * f$l[i, seq_len(i - 1L)])
  }
  for (i in rev(seq_len(p))) {
    if (f$singular[i]) {
      y[i] <- 0
      next
    }
    t <- y[i] / f$l[i, i]
    if (i < p) t <- t - sum(y[(i + 1L):p] * f$l[(i + 1L):p, i])
    y[i] <- t
  }
  y
}

db_ldl_inverse <- function(f) {
  p <- nrow(f$l)
  inv <- vapply(seq_len(p), function(j) db_ldl_solve(f, diag(p)[, j]),
                numeric(p))
  inv <- matrix(inv, p, p)
  inv[f$singular, ] <- 0
  inv[, f$singular] <- 0
  0.5 * (inv + t(inv))
}

# Newton-Raphson with step halving, the rule of cox_newton() in
# src/cox.cpp (that of survival's coxph): stop when
# |1 - loglik_old / loglik_new| <= eps, not while halving.
db_cox_newton <- function(src, des, st, init, max_iter, eps, toler, efron,
                          timefix) {
  p <- length(des$sql)
  scale <- st$scale
  sweep_at <- function(b) db_cox_sweep(src, des, st, b, efron, timefix)
  beta <- init / scale
  r <- sweep_at(beta)
  fit <- list(loglik_init = r$loglik, sweep_init = r)
  f <- db_ldl(r$info, toler)
  step <- db_ldl_solve(f, r$score)
  fit$score_test <- sum(r$score * step)
  fit$singular_init <- f$singular
  finish <- function(b, res, fac, loglik, iter, converged) {
    c(fit, list(beta = b * scale, score = res$score / scale,
                var = scale * db_ldl_inverse(fac) * rep(scale, each = p),
                singular = fac$singular, loglik = loglik, iter = iter,
                converged = converged, sweep = res))
  }
  if (max_iter == 0L || p == 0L || !is.finite(r$loglik)) {
    return(finish(beta, r, f, r$loglik, 0L, TRUE))
  }
  # coxph's iteration step for step, as cox_newton() (src/cox.cpp) takes
  # it: coxfit6's rules for right-censored data, agfit4's for (start, stop]
  # data (survival 3.5-3). A failed step is pulled back towards the last
  # good beta, the k-th time in a row to (candidate + k * good) / (k + 1).
  counting <- isTRUE(src$spec$counting)
  best <- r$loglik
  rank <- f$rank
  newbeta <- beta + step
  halving <- 0L
  done <- function(lk) lk == best || abs(1 - best / lk) <= eps
  for (iter in seq_len(max_iter)) {
    r <- sweep_at(newbeta)
    newlk <- r$loglik
    f <- db_ldl(r$info, toler)
    if (counting) {
      fail <- !is.finite(newlk) || any(!is.finite(diag(r$info))) ||
        f$rank != rank
      if (!fail && halving == 0L && done(newlk)) {
        return(finish(newbeta, r, f, newlk, iter, TRUE))
      }
      if (iter == max_iter) {
        if (max_iter > 1L && (newlk - best) / abs(best) < -eps) {
          r <- sweep_at(beta)
          return(finish(beta, r, db_ldl(r$info, toler), r$loglik, iter,
                        FALSE))
        }
        return(finish(newbeta, r, f, newlk, iter, FALSE))
      }
    } else {
      fail <- any(!is.finite(r$score)) || any(!is.finite(r$info)) ||
        !is.finite(newlk)
      if (!fail && done(newlk)) {
        return(finish(newbeta, r, f, newlk, iter, TRUE))
      }
    }
    if (fail || newlk < best) {
      halving <- halving + 1L
      newbeta <- (newbeta + halving * beta) / (halving + 1)
    } else {
      halving <- 0L
      best <- newlk
      step <- db_ldl_solve(f, r$score)
      beta <- newbeta
      newbeta <- newbeta + step
    }
  }
  # right-censored, out of iterations: the last good beta, recomputed
  if (max_iter > 1L) {
    r <- sweep_at(beta)
    f <- db_ldl(r$info, toler)
    best <- r$loglik
  }
  finish(beta, r, f, best, max_iter + 1L, FALSE)
}

# The cs_cox object of a database fit, by the rules of cox_engine(); the
# per-row fields (x, y, weights, linear predictors) are absent.
db_cox_result <- function(res, des, st, init, control, o, no_events, val,
                          spec) {
  nm <- names(des$sql)
  p <- length(nm)
  sing <- res$singular & (res$singular_init | no_events)
  diverged <- res$singular & !sing
  beta <- stats::setNames(res$beta, nm)
  beta0 <- beta
  beta0[sing] <- 0
  naive <- matrix(res$var, p, p, dimnames = list(nm, nm))
  cox_notes(res, naive, sing, diverged, beta0, control, no_events)
  if (any(sing) && control$iter_max > 0L) beta[sing] <- NA_real_
  df <- sum(!sing)
  wald <- if (df > 0) {
    quad_form_inv(naive[!sing, !sing, drop = FALSE], (beta0 - init)[!sing],
                  control$toler_chol)
  } else 0
  means <- if (spec$counting) st$mean_u else st$mean_w
  means[st$zero_one] <- 0
  names(means) <- nm
  na_var <- sing | diverged
  ll <- c(res$loglik_init, res$loglik)
  sv <- db_group_cols(spec, "strata")
  structure(list(
    coefficients = beta, var = na_rows_cols(naive, na_var),
    naive_var = na_rows_cols(naive, na_var),
    loglik = if (p > 0) ll else ll[1L],
    score_test = chisq_test(res$score_test, df),
    wald_test = chisq_test(wald, df),
    lr_test = chisq_test(2 * (ll[2L] - ll[1L]), df),
    robust_score_test = NULL, n = st$n, n_event = st$n_event,
    iter = res$iter, converged = res$converged, ties = o$ties,
    robust = FALSE, strata = st$strata, means = means,
    offset_mean = st$offset_mean,
    init = init, counting = spec$counting, xlevels = des$xlevels,
    x = db_rows_sentinel(), y = db_rows_sentinel(),
    strata_means = st$strata_means,
    strata_vars = sv, n_dropped = as.integer(val$n_dropped),
    control = control
  ), class = "cs_cox")
}

# "pre1", ..., "prek" (none for k = 0).
pn <- function(pre, k) if (k > 0) paste0(pre, seq_len(k)) else character()
