# The survival-data contract between the R front end and the engines ------
#
# new_surv_data() is the one place where a validated survival response
# becomes what the km, log-rank and Cox engines (and through them the C++
# kernels) read. surv_frame() (R/frame.R) validates the formula, the data
# and the Surv() response; the vector-level fitters (km_fit(),
# logrank_fit(), cox_fit()) validate their vectors; both then hand the
# response, strata and weights to new_surv_data().
#
# Fields of a `cs_surv_data` object (a list), with their invariants:
#   n            rows used (n >= 1).
#   n_input      rows given (the rows of `y`).
#   rows         1-based indices into the rows given of the rows used, in
#                their order, or NULL when every row is used. Only
#                `drop_zero_weight = TRUE` (cox) drops rows: those of weight
#                0, whose per-row results are padded with NA afterwards
#                (pad_excluded() in R/cox-methods.R). km and logrank keep
#                zero-weight rows, as survfit and survdiff do.
#   counting     TRUE for (start, stop] data, FALSE for right-censored data.
#   start        double, length n: entry times (counting), else NULL.
#   stop         double, length n: exit times, finite and >= 0; start < stop.
#   status       double, length n: 0 (censored) or 1 (event); for
#                competing risks (cif(), from surv_frame(mstate = TRUE))
#                0 (censored) or k = 1..K, the k-th cause.
#   y            only with `columns = FALSE` on the binned path with every
#                row used (km), or with `in_place = TRUE` on either path
#                with every row used and no time changed by timefix (the Cox
#                Newton fit): the response matrix itself, whose columns the
#                kernels read in place of start, stop and status (which are
#                then NULL), sparing two or three copies of n values.
#   weights      double, length n, finite and >= 0 (> 0 when zero weights
#                are dropped), or NULL for weight 1.
#   strata       integer, length n: 0-based stratum codes, every code in
#                0..n_strata - 1 used at least once.
#   strata_levels character, length n_strata: the label of each code ("all"
#                without strata).
#   n_strata     number of strata (>= 1).
#   strata_n     integer, length n_strata: the rows in each stratum.
#   stratified   whether strata were given.
#   time_range   value_range() of `stop`: c(min, max, whole, n_na).
#   bins         NULL, or list(tmin, n_bins) when the sort-free binned
#                kernels apply (bin_rule()): then `order` and `entry` are NULL.
#   order        integer, length n, or NULL when binned: the 0-based
#                permutation sorting the rows by (stratum, stop), ties in row
#                order (a stable radix sort).
#   entry        integer: counting-process data on the sorted path, the
#                0-based permutation sorting the rows by (stratum, start),
#                ties in their position in `order`; integer() otherwise.
# Times are those given, or with `timefix = TRUE` nearly equal times merged
# as survival's aeqSurv() does (time_fix()).
new_surv_data <- function(y, strata = NULL, weights = NULL,
                          drop_zero_weight = FALSE, timefix = FALSE,
                          bins = NULL, columns = TRUE, in_place = FALSE) {
  if (!is.double(y)) storage.mode(y) <- "double"
  # one pass per time column gives both time_fix()'s test and `time_range`
  r <- time_ranges(y)
  fixed <- timefix && time_fix_applies(r)
  if (fixed) y <- time_fix(y, r)
  n_input <- nrow(y)
  counting <- ncol(y) == 3L
  rows <- NULL
  if (drop_zero_weight && !is.null(weights) && any(weights <= 0)) {
    rows <- which(weights > 0)
    if (!length(rows)) {
      cs_abort("`weights` must have at least one positive value.",
               arg = "weights")
    }
  }
  sub <- function(v) if (is.null(rows) || is.null(v)) v else v[rows]
  # the 0-based codes and rows per stratum: at once for no strata, or in
  # one C++ pass for a factor on every row whose levels are all used;
  # else through strata_factor()
  n <- if (is.null(rows)) n_input else length(rows)
  fc <- if (is.null(strata)) {
    list(codes = integer(n), counts = n)
  } else if (is.null(rows) && is.factor(strata)) {
    cpp_factor_codes0(strata, length(attr(strata, "levels")))
  }
  if (is.null(fc)) {
    fac <- strata_factor(strata, n_input, rows)
    lev <- levels(fac)
    fc <- list(codes = cpp_codes0(fac),
               counts = if (is.null(attr(fac, "counts")))
                 tabulate(fac, length(lev)) else attr(fac, "counts"))
  } else {
    lev <- if (is.null(strata)) "all" else levels(strata)
  }
  sd <- list(
    n = n, n_input = n_input,
    rows = rows, counting = counting,
    weights = if (!is.null(weights)) sub(as.double(weights)),
    strata = fc$codes, strata_levels = lev,
    n_strata = length(lev),
    strata_n = fc$counts,
    stratified = !is.null(strata)
  )
  stop <- if (fixed || !is.null(rows)) sub(surv_col(y, "stop"))
  sd$time_range <- if (is.null(stop)) named_range(r[, ncol(r)]) else
    value_range(stop)
  sd$bins <- if (!counting && !is.null(bins)) {
    bin_rule(sd$time_range, sd$n, sd$n_strata * bins$cells, bins$rule)
  }
  if (is.null(rows) && ((!columns && !is.null(sd$bins)) ||
                        (in_place && !fixed))) {
    sd$y <- y  # the kernels read its columns: no copies
  } else {
    sd$start <- if (counting) sub(surv_col(y, "start"))
    sd$stop <- if (is.null(stop)) sub(surv_col(y, "stop")) else stop
    sd$status <- sub(surv_col(y, "status"))
  }
  if (is.null(sd$bins)) {
    # with `y` kept, the time columns are read for the sort and dropped
    sd$order <- counting_order(sd, y) %||%
      (sort_order(sd$strata, sd$stop %||% surv_col(y, "stop"),
                  sd$n_strata > 1L, sd$time_range) - 1L)
    sd$entry <- if (counting) {
      entry_order(sd, sd$start %||% surv_col(y, "start"))
    } else integer()
  }
  oldClass(sd) <- "cs_surv_data"
  sd
}

# The strata as a factor without unused levels (one level "all" when
# `strata` is NULL), on the rows `rows` (NULL: all `n`).
# Without `rows`, a factor whose levels are all used comes back as it is,
# with attribute "counts": the rows of each level (new_surv_data() reads it
# as `strata_n` instead of counting again).
strata_factor <- function(strata, n, rows = NULL) {
  if (is.null(strata)) {
    m <- if (is.null(rows)) n else length(rows)
    return(structure(rep.int(1L, m), levels = "all", class = "factor",
                     counts = m))
  }
  if (!is.factor(strata)) strata <- fast_factor(strata)
  if (!is.null(rows)) return(fast_droplevels(strata[rows]))
  counts <- tabulate(strata, length(levels(strata)))
  if (all(counts > 0L)) {
    attr(strata, "counts") <- counts
    return(strata)
  }
  fast_droplevels(strata)
}

# The one rule choosing the sort-free binned kernels over the sorted ones:
# right-censored data whose stop times are whole numbers, with at most
# max(rule$min_cells, rule$per_row * n) cells, a cell being one time bin of
# one stratum (km) or of one stratum and group (logrank: `cells` per time
# bin counts them). Both paths give the same results to rounding, not to
# the bit, so each engine keeps its own constants (`bin_rules`): small
# enough that the cells stay in cache, large enough for day-valued times.
# Returns list(tmin, n_bins), or NULL for the sorted path.
bin_rule <- function(time_range, n, cells, rule) {
  n_bins <- time_range[["max"]] - time_range[["min"]] + 1
  if (!isTRUE(time_range[["whole"]] == 1) ||
      !(n_bins * cells <= max(rule$min_cells, rule$per_row * n))) {
    return(NULL)
  }
  list(tmin = time_range[["min"]], n_bins = as.integer(n_bins))
}

# The constants of bin_rule() per engine.
bin_rules <- list(
  km = list(min_cells = 2^16, per_row = 0.5),
  logrank = list(min_cells = 2^20, per_row = 1)
)

# The 0-based order of `sd`'s rows by (stratum, stop) when the stop times
# are whole numbers spanning at most max(2^16, 2 n) / n_strata values: a
# counting sort in C++ (cpp_counting_order()) reading the stop column of
# `y` in place, the same permutation as sort_order() gives; NULL otherwise.
counting_order <- function(sd, y) {
  r <- sd$time_range
  if (!sd$n || !isTRUE(r[["whole"]] == 1) || !isTRUE(r[["n_na"]] == 0)) {
    return(NULL)
  }
  n_bins <- r[["max"]] - r[["min"]] + 1
  if (!(n_bins * sd$n_strata <= max(2^16, 2 * sd$n))) return(NULL)
  if (is.null(sd$stop)) {
    cpp_counting_order(y, (ncol(y) - 2) * nrow(y), sd$strata, sd$n_strata,
                       r[["min"]], n_bins)
  } else {
    cpp_counting_order(sd$stop, 0, sd$strata, sd$n_strata, r[["min"]],
                       n_bins)
  }
}

# order(strata, time) as a 1-based permutation: radix sorting is several
# times faster on integer keys, so whole-number times (days, say) are sorted
# as integers (the same permutation). `r` is value_range(time).
sort_order <- function(scode, time, stratified, r = value_range(time)) {
  if (length(time) && r[["max"]] < .Machine$integer.max && r[["whole"]] == 1) {
    time <- as.integer(time)
  }
  if (stratified) order(scode, time, method = "radix") else
    order(time, method = "radix")
}

# The 0-based entry order of counting-process data: rows by (stratum,
# start), ties in their position in the sort order `sd$order`.
entry_order <- function(sd, start = sd$start) {
  o <- sd$order + 1L
  e <- if (sd$n_strata > 1L) {
    order(sd$strata[o], start[o], method = "radix")
  } else {
    order(start[o], method = "radix")
  }
  o[e] - 1L
}

# The rows of `sd` in sorted order, as the sorted-input Cox kernels read
# them: stop, status, weights (1 when unweighted), offset, strata, n_strata
# and, for counting-process data, start and `entry`, the entry order as
# 0-based positions in the sorted rows (entries.cpp's cox_view() reads this
# list). `offset` has one value per row of `sd`.
surv_sorted <- function(sd, offset) {
  o <- sd$order + 1L
  so <- list(stop = sd$stop[o], status = sd$status[o],
             weights = if (is.null(sd$weights)) rep(1, sd$n) else
               sd$weights[o],
             offset = as.double(offset[o]), strata = sd$strata[o],
             n_strata = sd$n_strata)
  if (sd$counting) {
    so$start <- sd$start[o]
    pos <- integer(sd$n)
    pos[o] <- seq_len(sd$n) - 1L
    so$entry <- pos[sd$entry + 1L]
  } else {
    so$start <- double()
    so$entry <- integer()
  }
  so
}

# cpp_value_range() of each time column of `y` (start and stop, or time):
# a 4 x (ncol(y) - 1) matrix, the last column the stop times'.
time_ranges <- function(y) {
  if (ncol(y) == 2L) {
    r <- cpp_value_range(y, 0L)
    dim(r) <- c(4L, 1L)
    return(r)
  }
  vapply(seq_len(ncol(y) - 1L) - 1L, function(j) cpp_value_range(y, j),
         double(4))
}

# Whether time_fix() can change anything: unless every time is a whole
# number below 1 / sqrt(eps) (then no two distinct times are that close).
time_fix_applies <- function(r) {
  !(all(r[3L, ] == 1) && max(abs(r[1:2, ])) < 1 / sqrt(.Machine$double.eps))
}

# Nearly equal times made equal, as survival's aeqSurv() does by default
# (`timefix = TRUE` in survfit, survdiff and coxph): sorted distinct times
# (start and stop together) closer than sqrt(.Machine$double.eps), absolutely
# or relative to the mean absolute distinct time, become the smallest of
# their run. Whole-number times below 1 / sqrt(eps) cannot be that close, so
# they are returned untouched without sorting.
# `r` is time_ranges(y).
time_fix <- function(y, r = time_ranges(y)) {
  if (!time_fix_applies(r)) return(y)
  tol <- sqrt(.Machine$double.eps)
  tcols <- seq_len(ncol(y) - 1L)
  m <- unclass(y)
  u <- sort(unique(as.vector(m[, tcols])))
  u <- u[is.finite(u)]
  du <- diff(u)
  tied <- du <= tol | du / mean(abs(u)) <= tol
  if (!any(tied)) return(y)
  cuts <- u[c(TRUE, !tied)]
  for (j in tcols) m[, j] <- cuts[findInterval(m[, j], cuts)]
  if (ncol(m) == 3L && any(zero <- m[, 1L] >= m[, 2L])) {
    i <- which(zero)[1L]
    cs_abort("`timefix`: merging nearly equal times (as survival's ",
             "aeqSurv() does) leaves row ", i, " of the model frame with ",
             "start equal to stop (", fmt_value(y[i, 1L]), " and ",
             fmt_value(y[i, 2L]), "); set `timefix = FALSE` or correct ",
             "the times.", arg = "timefix")
  }
  attributes(m) <- attributes(y)
  m
}
