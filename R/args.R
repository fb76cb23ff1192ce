# survival's argument names ----------------------------------------------
#
# A user coming from survival writes coxph()'s or survfit()'s argument
# names. Each exported fitting function takes them through `...`:
# survival_args() turns the names with an exact cohortsurv equivalent into
# that argument and refuses every other name with an error that says what
# to use instead, so no survival argument is silently ignored.

# `dots` is match.call(expand.dots = FALSE)$... of the caller (unevaluated,
# so a refused argument is never evaluated), `env` where to evaluate the
# aliased ones, `fun` the caller's name, `aliases` a named character vector
# mapping survival's names to cohortsurv's, `given` a named logical vector
# saying which cohortsurv arguments the caller gave explicitly, `refuse` a
# named character vector of explanations for survival names that have no
# equivalent. Returns a list of the aliased values, named by their
# cohortsurv argument.
survival_args <- function(dots, env, fun, aliases = character(),
                          given = logical(), refuse = character()) {
  if (!length(dots)) return(list())
  nms <- names(dots)
  if (is.null(nms) || any(!nzchar(nms))) {
    cs_abort(fun, "() takes every argument after `data` by name; an ",
             "unnamed argument was given.", arg = "...")
  }
  out <- list()
  for (nm in nms) {
    if (nm %in% names(aliases)) {
      to <- aliases[[nm]]
      if (isTRUE(given[to]) || !is.null(out[[to]])) {
        cs_abort("give `", to, "` or its survival alias `", nm, "`, not ",
                 "both.", arg = nm)
      }
      out[[to]] <- eval(dots[[nm]], env)
    } else if (nm %in% names(refuse)) {
      cs_abort("`", nm, "` (a survival argument) is not a ", fun,
               "() argument: ", refuse[[nm]], if (!endsWith(refuse[[nm]], "."))
                 ".", arg = nm)
    } else {
      cs_abort("`", nm, "` is not an argument of ", fun, "(); see ?", fun,
               " for its arguments.", arg = nm)
    }
  }
  out
}

# coxph() arguments without an equivalent in cox(), and what to do instead.
cox_refused <- c(
  id = "give `cluster` for a robust variance grouped by subject.",
  istate = "multi-state models are not supported.",
  statedata = "multi-state models are not supported.",
  model = "the fit keeps the design in `$x` and the response in `$y`.",
  x = "the fit keeps the design in `$x` always.",
  y = "the fit keeps the response in `$y` always.",
  singular.ok = paste("collinear columns always get an NA coefficient,",
                      "as with singular.ok = TRUE."),
  nocenter = "centring is done as coxph does by default.",
  eps = "use control = cox_control(eps = ).",
  iter.max = "use control = cox_control(iter_max = ).",
  toler.chol = "use control = cox_control(toler_chol = ).",
  toler.inf = "use control = cox_control(toler_inf = ).",
  outer.max = "there are no penalised terms.",
  timefix.tol = "timefix uses survival's default tolerance, sqrt(.Machine$double.eps)."
)

# Validation of the fields of a result object by its constructor
# (new_cs_km(), new_cs_logrank(), new_cs_cox()): `x` must have every name in
# `fields`; each element of `frames` names a data-frame field and the
# columns it must have. Cheap (no pass over the rows). A failure is a bug in
# cohortsurv, not in the caller's input, so the message says so.
check_fields <- function(x, class, fields, frames = list()) {
  # the usual case, every field and column present, in few operations
  if (is.list(x) && !anyNA(match(fields, names(x)))) {
    ok <- TRUE
    for (nm in names(frames)) {
      v <- x[[nm]]
      if (!is.data.frame(v) || anyNA(match(frames[[nm]], names(v)))) {
        ok <- FALSE
        break
      }
    }
    if (ok) return(invisible(x))
  }
  bad <- function(what) {
    stop("internal error: invalid `", class, "` object: ", what,
         call. = FALSE)
  }
  if (!is.list(x)) bad("not a list")
  miss <- fields[!fields %in% names(x)]
  if (length(miss)) bad(paste0("no field `", miss[1L], "`"))
  for (nm in names(frames)) {
    v <- x[[nm]]
    if (!is.data.frame(v)) bad(paste0("`", nm, "` is not a data frame"))
    miss <- frames[[nm]][!frames[[nm]] %in% names(v)]
    if (length(miss)) bad(paste0("`", nm, "` has no column `", miss[1L], "`"))
  }
  invisible(x)
}

# stopifnot() for the constructors, without its cost (it matches and
# deparses its call on every use): each argument, evaluated in turn, must
# be logical, free of NA and all TRUE (an empty vector passes, as in
# stopifnot()). A failure is a bug in cohortsurv.
check_invariants <- function(class, ...) {
  for (i in seq_len(...length())) {
    ok <- ...elt(i)
    if (!(is.logical(ok) && !anyNA(ok) && all(ok))) {
      stop("internal error: invalid `", class, "` object: invariant ", i,
           " of its constructor does not hold", call. = FALSE)
    }
  }
  invisible(TRUE)
}

# The kind of thing every summary() of the package returns: a data frame
# with one row per estimate or test, of class c("cs_<x>_summary",
# "data.frame"), printed by print_summary_frame() under a one-line heading.
summary_frame <- function(df, class, ...) {
  structure(df, ..., class = c(class, "data.frame"))
}

print_summary_frame <- function(x, heading, ..., n = 40L) {
  cat(heading, "\n", sep = "")
  df <- structure(x, class = "data.frame")
  if (nrow(df) > n) {
    print(df[seq_len(n), , drop = FALSE], ...)
    cat("... ", nrow(df) - n, " more rows (print(x, n = Inf) shows them)\n",
        sep = "")
  } else {
    print(df, ...)
  }
  invisible(x)
}
