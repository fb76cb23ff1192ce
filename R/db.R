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
#' @returns An object of class `cs_db_table`.
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
  fit$db <- list(queries = length(src$log$rows), rows = src$log$rows,
                 bytes = src$log$bytes, sql = src$log$sql)
  class(fit) <- unique(c(paste0(class(fit)[1L], "_db"), class(fit)))
  fit
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
  terms <- lapply(attr(tt, "term.labels"), function(lab) {
    e <- str2lang(lab)
    if (is.name(e)) {
      return(list(label = lab, kind = "plain", cols = as.character(e),
                  expr = e))
    }
    f <- if (is.call(e)) deparse1(e[[1L]]) else ""
    if (f %in% c("strata", "survival::strata", "factor", "as.factor")) {
      a <- as.list(e)[-1L]
      if (!length(a) || !all(vapply(a, is.name, logical(1))) ||
          !is.null(names(a)) || (f != "strata" && length(a) != 1L)) {
        not_sql(e, paste0(f, "() arguments"))
      }
      return(list(label = lab, kind = if (grepl("strata", f)) "strata" else
        "factor", cols = vapply(a, as.character, character(1)), expr = e))
    }
    not_sql(e, "the terms")
  })
  if (fun == "cox" && !length(terms) && is.null(offset)) {
    # a null model is allowed (no covariates)
    terms <- list()
  }
  list(surv = surv, terms = terms, offset = offset, counting = length(sa) == 3L)
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
  unique(unlist(lapply(Filter(function(t) t$kind %in% kinds, spec$terms),
                       `[[`, "cols")))
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
  types <- db_check_columns(src, spec, wt)
  val <- db_validate(src, spec, wt, na_fail)
  if (val$w_frac > 0 && is.null(vals$robust)) {
    cs_abort("`weights` has ", val$w_frac, " values that are not whole ",
             "numbers, so km() would use the robust variance, which needs ",
             "every row; pass robust = FALSE for Greenwood's variance ",
             "inside the database.", arg = "weights")
  }
  cells <- db_cells(src, spec, wt, val)
  g <- db_group_cols(spec)
  s <- spec$surv
  timefix <- if (is.null(vals$timefix)) TRUE else vals$timefix
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

db_cox <- function(src, spec, wt, na_fail, vals) {
  cs_abort("cox() on a database table is not implemented yet.", arg = "data")
}
