# Time-transformed covariates: tt() terms of cox() -----------------------
#
# A term tt(x) in a cox() formula stands for f(x, t), a covariate whose
# value depends on the time t at which a risk set is formed, with f given by
# cox()'s `tt` argument. As coxph does (Therneau, Crowson and Atkinson,
# "Using time dependent covariates and time dependent coefficients in the
# Cox model", survival vignette), the data are expanded to one row per
# subject at risk per distinct event time, each event time of each stratum
# becoming a stratum of its own with right-censored response (t, died at
# t); f is evaluated on the expanded rows and the ordinary Cox engine fits
# the expanded data. The rows of the expansion are those of survival's
# coxcount1/coxcount2 (risk sets by stratum, then decreasing time), so
# per-row results line up with coxph's.

# The expansion of a cox() frame for its tt() terms, or NULL when the
# formula has none. `sf` is surv_frame()'s result, `sp` split_strata()'s,
# `tt` the functions given to cox(). Returns list(sf, strata, info): the
# frame with its rows expanded (response, weights and cluster too) and the
# tt() columns transformed, the risk-set strata, and what tt_finish() adds
# to the fit.
tt_expand <- function(sf, sp, tt, timefix) {
  vars <- as.list(attr(sf$terms, "variables"))[-1L]
  is_tt <- vapply(vars, function(e) is.call(e) &&
                    identical(e[[1L]], as.name("tt")), logical(1))
  if (!any(is_tt)) {
    if (!is.null(tt)) {
      cs_abort("`tt` is given but `formula` has no tt() term; write ",
               "tt(x) in the formula for the covariate to transform.",
               arg = "tt")
    }
    return(NULL)
  }
  if (any(vapply(vars[is_tt], length, integer(1)) != 2L)) {
    cs_abort("`formula`: tt() takes one variable, as in tt(age).",
             arg = "formula")
  }
  cols <- vapply(vars[is_tt], deparse1, character(1))
  funs <- tt_functions(tt, length(cols))
  y <- sf$y
  if (timefix) y <- time_fix(y)
  keep <- if (is.null(sf$weights)) NULL else which(sf$weights > 0)
  if (!is.null(keep) && length(keep) == nrow(y)) keep <- NULL
  if (!is.null(keep) && !length(keep)) {
    cs_abort("`weights` must have at least one positive value.",
             arg = "weights")
  }
  strata <- sp$strata
  rows <- if (is.null(keep)) seq_len(nrow(y)) else keep
  code <- if (is.null(strata)) rep.int(1L, length(rows)) else
    as.integer(strata)[rows]
  ex <- tt_index(y[rows, , drop = FALSE], code)
  if (!length(ex$row)) {
    cs_abort("there are no events, so tt() terms cannot be evaluated.",
             arg = "formula")
  }
  idx <- rows[ex$row]
  mf <- frame_rows(sf$mf, idx)
  w <- if (is.null(sf$weights)) NULL else sf$weights[idx]
  for (k in seq_along(cols)) {
    v <- funs[[k]](mf[[cols[k]]], ex$time, ex$riskset, w)
    if (NROW(v) != length(idx)) {
      cs_abort("`tt`: the function for `", cols[k], "` must return one ",
               "value (or matrix row) per row of the expanded data (",
               length(idx), "); it returned ", NROW(v), ".", arg = "tt")
    }
    mf[[cols[k]]] <- v
  }
  sf$mf <- mf
  sf$y <- cbind(time = ex$time, status = ex$status)
  sf$weights <- w
  sf$extras <- lapply(sf$extras, function(v) if (!is.null(v)) v[idx])
  list(sf = sf,
       strata = structure(ex$riskset, levels = as.character(
         seq_len(ex$n_sets)), class = "factor"),
       info = list(terms = cols, n_rows = length(idx), n_sets = ex$n_sets,
                   row = idx, n = length(rows), functions = funs,
                   strata = if (!is.null(strata)) levels(strata)))
}

# The tt functions, one per tt() term: a single function serves them all;
# without `tt`, coxph's default, the logit of the rank of x within each risk
# set (O'Brien 1978).
tt_functions <- function(tt, k) {
  if (is.null(tt)) tt <- tt_obrien
  if (is.function(tt)) tt <- list(tt)
  if (!is.list(tt) || !length(tt) ||
      !all(vapply(tt, is.function, logical(1)))) {
    cs_abort("`tt` must be a function or a list of functions, one per ",
             "tt() term.", arg = "tt")
  }
  if (length(tt) == 1L) tt <- rep(tt, k)
  if (length(tt) != k) {
    cs_abort("`tt` must have one function per tt() term (", k, ") or a ",
             "single function; it has ", length(tt), ".", arg = "tt")
  }
  tt
}

# coxph's default tt(): within each risk set, (r - 1/2) / (n + 1/2 - r) for
# the rank r of x among the n at risk.
tt_obrien <- function(x, time, riskset, weights) {
  stats::ave(x, riskset, FUN = function(v) {
    r <- rank(v)
    (r - 0.5) / (0.5 + length(r) - r)
  })
}

# The expanded rows: for each stratum (`code`, integer) and each distinct
# event time t in it, every row at risk at t (time >= t, or start < t <=
# stop for counting-process data). Risk sets are numbered by stratum, then
# by decreasing time; within a set the rows come in the order of
# (decreasing stop, censored first), as survival's coxcount1 and
# coxcount2. Returns list(row, riskset, time, status, n_sets) over the
# expanded rows.
tt_index <- function(y, code) {
  counting <- ncol(y) == 3L
  stop_t <- y[, ncol(y) - 1L]
  status <- y[, ncol(y)]
  start <- if (counting) y[, 1L] else NULL
  # exact integer codes of the times, so that (stratum, time) is one key
  u <- sort(unique(c(stop_t, start)))
  k <- length(u) + 1
  key_stop <- code * k + match(stop_t, u)
  key_start <- if (counting) code * k + match(start, u) else code * k
  ev_key <- sort(unique(key_stop[status == 1]))
  hi <- findInterval(key_stop, ev_key)
  lo <- findInterval(key_start, ev_key) + 1L
  cnt <- pmax(hi - lo + 1L, 0L)
  row <- rep.int(seq_along(cnt), cnt)
  ev <- sequence(cnt, from = lo)
  # risk sets by stratum, then decreasing time
  ev_code <- ev_key %/% k
  last <- cumsum(tabulate(match(ev_code, unique(ev_code))))
  first <- c(1L, last[-length(last)] + 1L)
  blk <- match(ev_code, unique(ev_code))
  rs <- first[blk] + last[blk] - seq_along(ev_key)
  set <- rs[ev]
  # rows within a set as coxcount: by (stratum, -stop, status), stable
  pos <- integer(length(stop_t))
  pos[order(code, -stop_t, status, method = "radix")] <- seq_along(stop_t)
  o <- order(set, pos[row], method = "radix")
  row <- row[o]
  set <- set[o]
  ev <- ev[o]
  time <- u[ev_key[ev] %% k]
  list(row = row, riskset = set, time = time,
       status = as.double(status[row] == 1 & stop_t[row] == time),
       n_sets = length(ev_key))
}

# The rows `idx` of a model frame, quickly (no row names are made), with
# its terms.
frame_rows <- function(mf, idx) {
  out <- lapply(mf, function(v) {
    if (length(dim(v)) == 2L) v[idx, , drop = FALSE] else v[idx]
  })
  out <- structure(out, class = "data.frame",
                   row.names = .set_row_names(length(idx)))
  attr(out, "terms") <- attr(mf, "terms")
  out
}

# A cox() fit of expanded data made to report as coxph does for tt()
# terms: n the rows before expansion, the strata of the formula (not the
# risk sets), per-row results over the expanded rows.
tt_finish <- function(fit, tx) {
  fit$tt <- tx$info[c("terms", "n_rows", "n_sets", "row", "functions")]
  fit$tt$na_action <- fit$na_action
  fit$na_action <- NULL
  fit$n <- tx$info$n
  fit$strata <- tx$info$strata
  fit
}

# Refuse a method whose result would be wrong for a fit of expanded data:
# one with tt() terms (its covariates depend on the risk set's time) or a
# Fine-Gray fit (R/fine-gray.R: weighted rows of a censoring-weighted
# expansion). `what` names the method; `tt = FALSE` for a method that is
# right for tt() fits.
refuse_expanded <- function(fit, what, arg = "object", tt = TRUE) {
  if (tt && !is.null(fit$tt)) {
    cs_abort("`", arg, "` has tt() terms (", paste(fit$tt$terms,
             collapse = ", "), "), so ", what, " is not available: its ",
             "covariates depend on the time of each risk set.", arg = arg)
  }
  if (!is.null(fit$fine_gray)) {
    cs_abort("`", arg, "` is a Fine-Gray model, so ", what, " is not ",
             "available: it is fitted to the weighted, expanded data of ",
             "the subdistribution hazard, not to the rows given.",
             arg = arg)
  }
  invisible(fit)
}

# The line print.cs_cox() adds for a fit of expanded data.
print_expanded_note <- function(x) {
  if (!is.null(x$tt)) {
    cat("Time-transformed terms ", paste(x$tt$terms, collapse = ", "),
        ": fitted to ", x$tt$n_rows, " rows, one per subject at risk at ",
        "each of ", x$tt$n_sets, " event times.\n", sep = "")
  }
  if (!is.null(x$fine_gray)) fine_gray_note(x)
  invisible(x)
}
