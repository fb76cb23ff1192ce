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
        cs_abort("`", nm, "` (survival's name) and `", to, "` were both ",
                 "given; give `", to, "` only.", arg = to)
      }
      out[[to]] <- eval(dots[[nm]], env)
    } else if (nm %in% names(refuse)) {
      cs_abort("`", nm, "` is not an argument of ", fun, "(): ",
               refuse[[nm]], arg = nm)
    } else {
      cs_abort("`", nm, "` is not an argument of ", fun, "(); see ?", fun,
               " for its arguments.", arg = nm)
    }
  }
  out
}

# coxph() arguments without an equivalent in cox(), and what to do instead.
cox_refused <- c(
  tt = "time-transformed covariates (tt) are not supported.",
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
