# SQL for fits inside a database -------------------------------------------
#
# Everything the database fits (R/db.R) send to a database is built here:
# identifiers quoted by DBI::dbQuoteIdentifier(), numbers written as
# CAST(<17 significant digits> AS <double type>), and only portable SQL:
# SELECT, WHERE, GROUP BY, COUNT, SUM, MIN, MAX, CASE, CAST, ABS, EXP. No
# window function, no temporary table, no write of any kind. The few
# things engines spell differently live in one table, `db_dialects`.

# The dialect table: the name of the double-precision type and of the
# exponential function per engine ("default" serves SQLite, PostgreSQL,
# DuckDB, MySQL 8 and most ODBC sources).
# `fence` ends a subquery so that the planner computes its columns once per
# row instead of substituting the expressions (the linear predictor and its
# exponential) into every aggregate of the outer query: SQLite does not
# flatten a subquery with a LIMIT into an aggregate, PostgreSQL does not
# pull up a subquery with OFFSET; elsewhere it is empty (a plain subquery).
db_dialects <- list(
  default = list(double = "DOUBLE PRECISION", exp = "EXP", fence = ""),
  sqlite = list(double = "DOUBLE PRECISION", exp = "EXP",
                fence = " LIMIT -1 OFFSET 0"),
  postgres = list(double = "DOUBLE PRECISION", exp = "EXP",
                  fence = " OFFSET 0"),
  spark = list(double = "DOUBLE", exp = "EXP", fence = ""),
  mssql = list(double = "FLOAT", exp = "EXP", fence = "")
)

# The dialect of a DBI connection, by its class.
db_dialect <- function(con) {
  cl <- paste(class(con), collapse = " ")
  key <- if (grepl("spark|Hive", cl, ignore.case = TRUE)) "spark" else
    if (grepl("SQL Server|Microsoft", cl)) "mssql" else
      if (grepl("SQLite", cl)) "sqlite" else
        if (grepl("PostgreSQL|PqConnection|Redshift", cl)) "postgres" else
          "default"
  db_dialects[[key]]
}

# A quoted identifier.
db_id <- function(src, name) {
  if (!length(name)) return(character())
  as.character(DBI::dbQuoteIdentifier(src$con, name))
}

# A number as SQL: CAST(<literal> AS DOUBLE PRECISION), exact to the bit
# (17 significant digits).
db_num <- function(src, x) {
  stopifnot(length(x) == 1L, is.finite(x))
  paste0("CAST(", sprintf("%.17g", x), " AS ", src$dialect$double, ")")
}

# A column as a double.
db_dbl <- function(src, name) {
  paste0("CAST(", db_id(src, name), " AS ", src$dialect$double, ")")
}

# A string literal.
db_str <- function(src, x) {
  as.character(DBI::dbQuoteString(src$con, as.character(x)))
}

# 1 when `cond` holds, else 0 (an integer sum counts the rows).
db_count_if <- function(cond) {
  paste0("SUM(CASE WHEN ", cond, " THEN 1 ELSE 0 END)")
}

# SELECT <cols> FROM <source> [WHERE] [GROUP BY]; `cols` a named character
# vector of expressions (the names become quoted aliases).
db_select <- function(src, cols, where = NULL, group = NULL) {
  sel <- paste0(cols, " AS ", db_id(src, names(cols)), collapse = ", ")
  paste0("SELECT ", sel, " FROM ", src$from,
         if (length(where)) paste0(" WHERE ", paste0("(", where, ")",
                                                     collapse = " AND ")),
         if (length(group)) paste0(" GROUP BY ",
                                   paste(group, collapse = ", ")))
}

# Run one query, counting the rows and bytes that leave the database in
# `src$log` (an environment): one entry per query.
db_query <- function(src, sql) {
  out <- tryCatch(
    DBI::dbGetQuery(src$con, sql),
    error = function(e) {
      cs_abort("the database refused a query of cohortsurv: ",
               conditionMessage(e), arg = "data")
    }
  )
  log <- src$log
  log$rows <- c(log$rows, nrow(out))
  log$bytes <- c(log$bytes, as.numeric(utils::object.size(out)))
  log$sql <- c(log$sql, sql)
  out
}

# The source of a database fit: the connection, the FROM clause (a quoted
# table name, or a dbplyr query as a subquery), the dialect and the query
# log. `data` is a dbplyr `tbl_sql` or a db_table() object.
db_source <- function(data) {
  if (inherits(data, "tbl_sql")) {
    if (!requireNamespace("dbplyr", quietly = TRUE)) {
      cs_abort("`data` is a dbplyr table, but dbplyr is not installed.",
               arg = "data")
    }
    con <- dbplyr::remote_con(data)
    from <- paste0("(", as.character(dbplyr::sql_render(data)),
                   ") cs_src")
  } else {
    con <- data$con
    from <- if (!is.null(data$query)) {
      paste0("(", data$query, ") cs_src")
    } else {
      as.character(DBI::dbQuoteIdentifier(con, data$name))
    }
  }
  src <- list(con = con, from = from, dialect = db_dialect(con),
              log = new.env(parent = emptyenv()))
  src$log$rows <- integer()
  src$log$bytes <- numeric()
  src$log$sql <- character()
  src
}

# The columns of the source with their R types: the result of a query that
# returns no row.
db_column_types <- function(src) {
  proto <- db_query(src, paste0("SELECT * FROM ", src$from, " WHERE 1 = 0"))
  vapply(proto, function(v) class(v)[1L], character(1))
}
