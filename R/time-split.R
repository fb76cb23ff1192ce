#' Split follow-up at given times (episode data)
#'
#' Cuts each row's follow-up interval at the times `cut`, giving one row per
#' piece in counting-process form `(start, stop]`, with the event kept only
#' on the last piece. The result feeds `Surv(start, stop, event)` models:
#' a covariate that changes at the cut points (a step function of time), a
#' time-varying effect `x * f(episode)`, or a piecewise-constant hazard. A
#' Cox model fitted to the split data equals the one fitted to the unsplit
#' data. Rows, row order, columns and values are those of
#' [survival::survSplit()].
#'
#' @param data A data frame (a tibble or data.table works too).
#' @param cut Numeric vector of finite cut times (sorted and made unique
#'   here). A cut at or before a row's start, or at or after its end,
#'   leaves that row whole: no piece of length zero is made, and a row
#'   whose end equals a cut ends there with its own status.
#' @param end,event The names of the columns of `data` holding the end
#'   (exit) time and the status, as character strings. Ignored when
#'   `formula` is given and names them.
#' @param start The name of the start-time column: when `data` has that
#'   column the rows are `(start, end]` intervals, otherwise every row
#'   starts at `zero`.
#' @param episode Optional name of a column to add holding the number of
#'   the piece's interval between cuts: 1 before the first cut, 2 between
#'   the first and second, and so on.
#' @param formula Optional formula `Surv(time, status) ~ .` or
#'   `Surv(start, stop, status) ~ .` (survSplit's interface): the column
#'   names come from the `Surv()` arguments when they are plain names. The
#'   right-hand side `.` keeps every column of `data`; a sum of column names
#'   keeps only those columns (and the time columns).
#' @param zero The start of follow-up for right-censored data; every end
#'   time must be greater.
#' @param timefix `TRUE` (the default, as `survSplit` in recent versions
#'   of survival; survival 3.5 has no such step) to merge nearly equal
#'   times, the cut points included, as `survival::aeqSurv()` does.
#' @param ... survSplit's argument names with no equivalent here (`id`,
#'   `added`, `subset`, `na.action`) are refused with an error.
#' @details The status column becomes the `Surv()` coding of the status
#'   (0 censored, 1 event; lung's 1/2 becomes 0/1, `TRUE`/`FALSE` 1/0), as
#'   in `survSplit`'s output. Rows with a missing time are kept whole with
#'   their own status (and, as `survSplit` numbers them, in episode 2;
#'   survSplit's own status for such rows is unreliable, read from
#'   uninitialised memory).
#' @returns A data frame: the rows of `data` repeated once per piece, in
#'   the order of `data` and of time within each row; the columns of `data`
#'   other than the time and status columns, then the start, end and status
#'   columns of the pieces (in that order), then `episode`; plain row
#'   names. These are `survSplit`'s columns.
#' @references
#' Therneau TM, Grambsch PM (2000). *Modeling Survival Data: Extending the
#' Cox Model*, section 3.7. Springer.
#' @seealso [cox()], which also fits time-varying effects directly through
#'   `tt()` terms.
#' @examples
#' library(survival)
#' vet <- time_split(veteran, cut = c(90, 180), end = "time",
#'                   event = "status", episode = "period")
#' head(vet[, c("tstart", "time", "status", "period", "karno")])
#' # a Karnofsky effect that changes after 90 and 180 days
#' cox(Surv(tstart, time, status) ~ karno:strata(period), data = vet)
#' # survSplit's formula interface
#' head(time_split(lung, cut = 365, formula = Surv(time, status) ~ .))
#' @export
time_split <- function(data, cut, end = NULL, event = NULL,
                       start = "tstart", episode = NULL, formula = NULL,
                       zero = 0, timefix = TRUE, ...) {
  survival_args(match.call(expand.dots = FALSE)$..., parent.frame(),
                "time_split", refuse = time_split_refused)
  if (!is.data.frame(data)) {
    cs_abort("`data` must be a data frame; it is ", class(data)[1L], ".",
             arg = "data")
  }
  check_flag(timefix, "timefix")
  if (!is.numeric(zero) || length(zero) != 1L || !is.finite(zero)) {
    cs_abort("`zero` must be a single finite number.", arg = "zero")
  }
  if (!is.numeric(cut) || !length(cut) || any(!is.finite(cut))) {
    cs_abort("`cut` must be a numeric vector of finite times.", arg = "cut")
  }
  cut <- sort(unique(as.double(cut)))
  spec <- split_spec(data, formula, end, event, start, missing(start))
  if (!is.null(episode) && !(is.character(episode) &&
                              length(episode) == 1L && !is.na(episode))) {
    cs_abort("`episode` must be a single column name.", arg = "episode")
  }
  y <- split_response(data, spec, zero)
  tf <- if (timefix) split_timefix(y, cut) else list(y = y, cut = cut)
  idx <- split_index(tf$y[, 1L], tf$y[, 2L], tf$cut)
  status <- tf$y[idx$row, 3L]
  status[idx$censor] <- 0
  out <- split_rows(data, idx$row, spec$keep)
  out[[spec$start]] <- idx$start
  out[[spec$end]] <- idx$end
  out[[spec$event]] <- status
  if (!is.null(episode)) out[[make.names(episode)]] <- idx$interval + 1
  row.names(out) <- NULL
  out
}

# The rows `row` and columns `keep` of `data`. A plain data frame is
# subset column by column, without `[.data.frame`'s unique row names (most
# of the time at a million rows); other classes (tibble, data.table) by
# their own `[` method.
split_rows <- function(data, row, keep) {
  if (!identical(class(data), "data.frame")) {
    return(data[row, keep, drop = FALSE])
  }
  cols <- lapply(unclass(data)[keep], function(v) {
    if (length(dim(v)) == 2L) v[row, , drop = FALSE] else v[row]
  })
  structure(cols, class = "data.frame",
            row.names = .set_row_names(length(row)))
}

# survSplit() arguments without an equivalent in time_split().
time_split_refused <- c(
  id = "add an identifier column to `data` before splitting.",
  added = "the pieces ending at a cut are those with a censored status and an end time in `cut`.",
  subset = "subset `data` before splitting.",
  na.action = "rows with missing times are kept whole, as survSplit's default na.pass."
)

# The names of the start, end and event columns and the columns of `data`
# to keep, from `formula` (as survSplit reads it) or the arguments.
# Returns list(start, end, event, counting, keep, time, status), `time`
# and `status` the expressions giving the times and status (`time` two
# for counting-process data).
split_spec <- function(data, formula, end, event, start, start_default) {
  name1 <- function(v, arg) {
    if (!is.character(v) || length(v) != 1L || is.na(v) || !nzchar(v)) {
      cs_abort("`", arg, "` must be a single column name.", arg = arg)
    }
    v
  }
  start <- name1(start, "start")
  if (is.null(formula)) {
    if (is.null(end) || is.null(event)) {
      cs_abort("give `end` and `event` (the names of the time and status ",
               "columns), or a `formula` such as Surv(time, status) ~ .",
               arg = if (is.null(end)) "end" else "event")
    }
    end <- name1(end, "end")
    event <- name1(event, "event")
    for (a in c("end", "event")) {
      v <- get(a)
      if (!v %in% names(data)) {
        cs_abort("`", a, "` must name a column of `data`; there is no ",
                 "column `", v, "`.", arg = a)
      }
    }
    counting <- start %in% names(data)
    used <- c(if (counting) start, end, event)
    return(list(start = start, end = end, event = event,
                counting = counting, keep = which(!names(data) %in% used),
                time = lapply(c(if (counting) start, end), as.name),
                status = as.name(event)))
  }
  split_formula_spec(data, formula, end, event, start, start_default)
}

# split_spec() for survSplit's formula interface.
split_formula_spec <- function(data, formula, end, event, start,
                               start_default) {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    cs_abort("`formula` must be a two-sided formula such as ",
             "Surv(time, status) ~ .", arg = "formula")
  }
  lhs <- formula[[2L]]
  if (is.call(lhs) && is.call(lhs[[1L]]) &&
      identical(lhs[[1L]][[1L]], as.name("::"))) lhs[[1L]] <- lhs[[1L]][[3L]]
  if (!is.call(lhs) || !identical(lhs[[1L]], as.name("Surv"))) {
    cs_abort("`formula` must have a Surv() call as its left-hand side, ",
             "such as Surv(time, status) ~ .", arg = "formula")
  }
  sc <- match.call(survival::Surv, lhs)
  args <- as.list(sc)[-1L]
  if (!is.null(args$type) || !is.null(args$origin) || is.null(args$time)) {
    cs_abort("`formula`: Surv() must have the form Surv(time, status) or ",
             "Surv(start, stop, status).", arg = "formula")
  }
  nm <- function(e) if (is.name(e)) as.character(e)
  counting <- !is.null(args$event) && !is.null(args$time2)
  if (counting) {
    time <- list(args$time, args$time2)
    status <- args$event
    if (start_default && !is.null(nm(args$time))) start <- nm(args$time)
    if (is.null(end)) end <- nm(args$time2)
    if (is.null(event)) event <- nm(args$event)
  } else {
    time <- list(args$time)
    status <- if (!is.null(args$time2)) args$time2 else args$event
    if (is.null(end)) end <- nm(args$time)
    if (is.null(event) && !is.null(status)) event <- nm(status)
  }
  if (is.null(status)) status <- 1
  rhs <- formula[[3L]]
  keep <- if (identical(rhs, as.name("."))) {
    which(!names(data) %in% all.vars(lhs))
  } else {
    labs <- attr(stats::terms(formula, data = data), "term.labels")
    bad <- labs[!labs %in% names(data)]
    if (length(bad)) {
      cs_abort("`formula`: the right-hand side must be `.` or a sum of ",
               "columns of `data`; `", bad[1L], "` is not a column.",
               arg = "formula")
    }
    match(labs, names(data))
  }
  list(start = start, end = if (is.null(end)) "tstop" else end,
       event = if (is.null(event)) "event" else event,
       counting = counting, keep = keep, time = time, status = status)
}

# The response as survSplit's: a (start, stop, status) double matrix with
# Surv()'s status coding, start = `zero` for right-censored data; rows with
# a missing value are kept as they are.
split_response <- function(data, spec, zero) {
  ev <- function(e) {
    tryCatch(eval(e, data, parent.frame(3L)), error = function(err) {
      cs_abort("could not evaluate `", deparse1(e), "` in `data`: ",
               conditionMessage(err), arg = "data")
    })
  }
  tv <- lapply(spec$time, ev)
  st <- ev(spec$status)
  if (length(st) == 1L) st <- rep(st, nrow(data))
  if (!all(vapply(tv, is.numeric, logical(1)))) {
    cs_abort("the time columns must be numeric.",
             arg = if (spec$counting) "start" else "end")
  }
  if (spec$counting) {
    # Surv() would turn such a row into NA with a warning
    bad <- which(!is.na(tv[[1L]]) & !is.na(tv[[2L]]) & tv[[1L]] >= tv[[2L]])
    if (length(bad)) {
      i <- bad[1L]
      cs_abort("each start time must be less than its end time; row ", i,
               " of `data` starts at ", fmt_value(tv[[1L]][i]),
               " and ends at ", fmt_value(tv[[2L]][i]), ".", arg = "start")
    }
  }
  s <- tryCatch(
    if (spec$counting) survival::Surv(tv[[1L]], tv[[2L]], st) else
      survival::Surv(tv[[1L]], st),
    error = function(err) {
      cs_abort("the time and status columns do not make a survival ",
               "response: ", conditionMessage(err), arg = "event")
    })
  if (!attr(s, "type") %in% c("right", "counting")) {
    cs_abort("the status must be 0/1, 1/2 or logical (right-censored ",
             "data); it gives ", attr(s, "type"), " data.", arg = "event")
  }
  y <- unclass(s)
  attributes(y) <- list(dim = dim(y))
  storage.mode(y) <- "double"
  ok <- !is.na(y[, 1L]) & !is.na(y[, 2L])
  if (!spec$counting) {
    if (any(y[ok, 1L] <= zero)) {
      i <- which(ok & y[, 1L] <= zero)[1L]
      cs_abort("`zero` must be less than every end time; row ", i,
               " of `data` ends at ", fmt_value(y[i, 1L]), ".", arg = "zero")
    }
    y <- cbind(zero, y)
  }
  y
}

# Nearly equal times merged as survSplit does: the cut points go through
# aeqSurv() together with the start and end times.
split_timefix <- function(y, cut) {
  k <- length(cut)
  n <- nrow(y)
  m <- cbind(c(cut, y[, 1L], y[, 2L]), 0)
  m <- time_fix(m)
  t <- m[, 1L]
  y[, 1L] <- t[k + seq_len(n)]
  y[, 2L] <- t[k + n + seq_len(n)]
  ok <- !is.na(y[, 1L]) & !is.na(y[, 2L])
  if (any(y[ok, 1L] >= y[ok, 2L])) {
    i <- which(ok & y[, 1L] >= y[, 2L])[1L]
    cs_abort("`timefix`: merging nearly equal times leaves row ", i,
             " of `data` with start equal to end; set `timefix = FALSE`.",
             arg = "timefix")
  }
  list(y = y, cut = unique(t[seq_len(k)]))
}

# The pieces of each interval (s, e] cut at the sorted times `cut`, as
# survival's C routine survsplit: list(row, interval, start, end, censor),
# `interval` the number of cuts at or before the piece's start (1 for a
# row with a missing time, as survsplit), `censor` TRUE for a piece ending
# at a cut.
split_index <- function(s, e, cut) {
  n <- length(s)
  na <- is.na(s) | is.na(e)
  s0 <- ifelse(na, 0, s)
  e0 <- ifelse(na, 0, e)
  j0 <- findInterval(s0, cut)                       # cuts <= start
  k <- findInterval(e0, cut, left.open = TRUE) - j0  # cuts in (start, end)
  k[na | k < 0L] <- 0L
  row <- rep.int(seq_len(n), k + 1L)
  first <- cumsum(c(1L, k[-n] + 1L))
  p <- seq_along(row) - first[row]                 # piece within its row
  last <- p == k[row]
  ci <- j0[row] + p                                # 1-based: cut before
  start <- cut[pmax(ci, 1L)]
  first_piece <- p == 0L
  start[first_piece] <- s[row[first_piece]]
  end <- cut[pmin(ci + 1L, length(cut))]
  end[last] <- e[row[last]]
  interval <- ci
  interval[na[row]] <- 1L
  list(row = row, interval = interval, start = start, end = end,
       censor = !last)
}
