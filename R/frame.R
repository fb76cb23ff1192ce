# The shared front end of km(), logrank() and cox() ----------------------
#
# surv_frame() validates the formula, the data and the Surv() response once,
# with messages that name the argument and the first offending row of `data`,
# then builds the model frame with the user's `subset` and `na.action`.
# Everything downstream (R fitters and C++ kernels) may assume clean input:
# finite non-negative times, stop > start, status 0/1, finite non-negative
# weights, no NA.

# Build and validate a survival model frame.
#
# `mcall` is the exported function's match.call(), `env` its parent.frame().
# Returns a list:
#   y        the Surv response of the frame (a double matrix: time and
#            status, or start, stop and status); surv_col() reads a column
#   type     "right" or "counting"
#   mf       the model frame (after subset and na.action)
#   terms    its terms object (specials: strata)
#   weights  numeric vector, or NULL when no weights were given
#   n_input  rows of `data` considered (after subset, before NA removal)
#   n_dropped rows removed by na.action
#   na_action the na.action attribute of the frame (or NULL)
#   rows     row names of `data` kept, in frame order
#   extras   named list: for each name in `extras` given in `mcall` (e.g.
#            "cluster"), its value on the rows of the frame (NULL if absent)
#   states   with `mstate = TRUE`: the causes (the levels of the event
#            factor after its first, censoring, level); NULL otherwise
# `extras` names further arguments of `mcall` that, like `weights`, are
# columns of `data` or vectors with one element per row; they go through
# `subset` and `na.action` with the model frame.
# `mstate = TRUE` (cif(): competing risks) requires the Surv() status to be
# a factor whose first level is censoring; the response then holds 0 for
# censored and k for the k-th cause. Otherwise a factor status is refused.
surv_frame <- function(mcall, env, fun = "km", extras = character(),
                       mstate = FALSE) {
  fm <- frame_formula(mcall, env, fun, extras)
  mcall <- fm$mcall
  formula <- fm$formula
  data <- fm$data
  has_data <- !is.null(data)
  n_data <- if (has_data) .row_names_info(data, 2L) else NA_integer_
  lhs <- formula[[2L]]
  plan <- fm$plan
  surv_args <- if (is.null(plan)) surv_call_args(lhs) else plan$surv_args
  if (!is.null(plan) && is.null(plan$surv_done)) {
    surv_args <- plan$surv_args <- surv_call_args(lhs)
    plan$surv_done <- TRUE
  }
  if (!is.null(surv_args)) {
    raw <- frame_surv_raw(surv_args, data, fm$fenv, n_data)
    if (is.na(n_data)) n_data <- length(raw[[1L]])
    surv_args$label <- attr(raw, "label")
    attr(raw, "label") <- NULL
  }
  eval_arg <- function(nm) {
    eval(mcall[[nm]], if (has_data) data else NULL, env)
  }
  keep <- frame_subset(mcall, eval_arg, n_data)
  wt <- if (!is.null(mcall$weights)) {
    frame_weights(eval_arg("weights"), n_data, keep)
  }
  ext <- list()
  for (nm in extras) {
    if (!is.null(mcall[[nm]])) {
      ext[[nm]] <- frame_extra(eval_arg(nm), nm, n_data)
    }
  }
  states <- NULL
  if (!is.null(surv_args)) {
    codes <- validate_surv_raw(raw, surv_args$label, keep, mstate)
    if (mstate) {
      states <- levels(raw$status)[-1L]
      raw$status <- as.integer(raw$status)  # 1 + the 0-based event code
    }
  }
  tt <- frame_terms(formula, data, plan)
  na_fun <- resolve_na_action(mcall$na.action, env)
  mf <- if (!is.null(surv_args) && has_data && !is.null(na_fun)) {
    fast_frame(tt, data, raw, wt, keep, na_fun, codes, ext,
               drop_levels = fun != "cox", plan = plan)
  }
  if (is.null(mf)) {
    mf <- frame_model(mcall, tt, data, wt, ext, keep, n_data, env, fun)
  }
  y <- frame_response(mf, lhs, surv_args, mstate)
  if (mstate && is.null(states)) states <- attr(y, "states")
  na_act <- attr(mf, "na.action")
  n_mf <- .row_names_info(mf, 2L)
  n_input <- if (is.na(n_data)) n_mf + length(na_act) else
    if (is.null(keep)) n_data else sum(keep)
  if (n_mf == 0L) {
    cs_abort("no rows are left to analyse after `subset` and removal of ",
             "missing values (", n_input, " rows before removal).",
             arg = "data")
  }
  if (!is.double(y)) storage.mode(y) <- "double"
  w <- .subset2(mf, "(weights)")  # stats::model.weights(mf), exactly
  list(
    y = y, type = attr(y, "type"), mf = mf, terms = attr(mf, "terms"),
    weights = if (is.null(w)) NULL else as.double(w),
    n_input = n_input, n_dropped = length(na_act), na_action = na_act,
    rows = attr(mf, "row.names"), formula = fm$user,
    extras = frame_extras(mf, extras),
    states = states
  )
}

# The columns "(nm)" of the model frame `mf` for each name in `extras`, as a
# list named by `extras` (NULL for an argument not given).
frame_extras <- function(mf, extras) {
  out <- vector("list", length(extras))
  cols <- paste0("(", extras, ")")
  for (i in seq_along(extras)) {
    v <- .subset2(mf, cols[i])
    if (!is.null(v)) out[[i]] <- v
  }
  names(out) <- extras
  out
}

# The formula of the call, checked and normalised (normalize_formula()),
# with a cluster() term moved to `mcall$cluster`; every variable it names
# must be findable. Returns list(formula, user, mcall, data, fenv), `user`
# the formula as the caller wrote it (kept in fits, so update() refits the
# same model, cluster() term included).
frame_formula <- function(mcall, env, fun, extras) {
  formula <- mcall$formula
  if (is.null(formula)) {
    cs_abort("`formula` is missing; it must be a formula such as ",
             "Surv(time, status) ~ group.", arg = "formula")
  }
  formula <- eval(formula, env)
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    cs_abort("`formula` must be a two-sided formula with a Surv() response, ",
             "such as Surv(time, status) ~ group.", arg = "formula")
  }
  data <- frame_data(mcall, env, formula)
  has_data <- !is.null(data)
  user <- formula
  plan <- formula_plan(formula, fun)
  if (is.null(plan)) {
    if (has_data && "." %in% all.vars(user[[3L]])) {
      user <- stats::formula(stats::terms(user, data = data))
    }
    parts <- normalize_parts(formula, data, fun)
    plan <- plan_store(formula, fun, parts)
    formula <- bind_specials(parts$formula, parts$bind, environment(formula))
    vars <- NULL
  } else {
    formula <- plan_formula(plan, formula)
    vars <- plan$vars
  }
  if (!is.null(attr(formula, "cluster"))) {
    if (!"cluster" %in% extras) {
      cs_abort("`formula`: ", fun, "() has no cluster variance, so the ",
               "term `", deparse1(attr(formula, "cluster_term")), "` is not ",
               "supported.", arg = "formula")
    }
    if (!is.null(mcall$cluster)) {
      cs_abort("`formula` has a cluster() term and `cluster` is given too; ",
               "give the cluster in one of the two places.", arg = "cluster")
    }
    mcall$cluster <- attr(formula, "cluster")
    attr(formula, "cluster") <- attr(formula, "cluster_term") <- NULL
  }
  fenv <- environment(formula)
  if (is.null(fenv)) fenv <- env
  if (is.null(vars)) {
    vars <- formula_vars(formula)
    if (!is.null(plan)) plan$vars <- vars
  }
  dn <- if (has_data) names(data)
  for (v in vars[!vars %in% dn]) {
    if (!exists(v, envir = fenv)) {
      cs_abort("`formula` refers to `", v, "`, which is not a column of ",
               "`data`", if (!has_data) " (no `data` was given)", ".",
               arg = "formula")
    }
  }
  list(formula = formula, user = user, mcall = mcall, data = data,
       fenv = fenv, plan = plan)
}

# Formula plans ---------------------------------------------------------------
#
# What surv_frame() derives from the formula alone (its normalised form, the
# variables it reads, the Surv() arguments, the terms object, the names of
# the model-frame columns) does not depend on the data, so it is worked out
# once per formula and kept in `frame_cache`: a plan is an environment
# holding the formula's language (no environment, no attributes) and `fun`,
# the key, and the results, each filled when first needed (an error is
# never stored, so a failing formula fails the same way every time). A
# formula with `.` on the right-hand side depends on the columns of `data`
# and gets no plan. Environments are never stored: a plan's terms object
# gets the formula's environment on each use.
frame_cache <- new.env(parent = emptyenv())
frame_cache$plans <- list()
frame_cache$strata_plans <- list()
frame_cache_size <- 32L

# The plan of `formula` for `fun`, or NULL when there is none yet.
formula_plan <- function(formula, fun) {
  plans <- frame_cache$plans
  if (!length(plans)) return(NULL)
  key <- formula
  attributes(key) <- NULL
  for (p in plans) {
    if (identical(p$fun, fun) &&
        identical(p$key, key, num.eq = FALSE, single.NA = FALSE)) {
      return(p)
    }
  }
  NULL
}

# A new plan for `formula` (with `fun`) from normalize_parts()'s result, kept
# in `frame_cache` (the oldest dropped beyond frame_cache_size); NULL for a
# formula with `.`.
plan_store <- function(formula, fun, parts) {
  if ("." %in% all.vars(formula)) return(NULL)
  key <- formula
  attributes(key) <- NULL
  lang <- parts$formula
  attributes(lang) <- NULL
  plan <- new.env(parent = emptyenv())
  plan$key <- key
  plan$fun <- fun
  plan$lang <- lang
  plan$bind <- parts$bind
  plan$cluster <- attr(parts$formula, "cluster")
  plan$cluster_term <- attr(parts$formula, "cluster_term")
  plans <- frame_cache$plans
  if (length(plans) >= frame_cache_size) {
    plans <- plans[seq_len(frame_cache_size - 1L)]
  }
  frame_cache$plans <- c(list(plan), plans)
  plan
}

# The normalised formula of `plan` for the user's `formula`, as
# normalize_formula() returns it: the plan's language with the attributes of
# `formula`, the cluster() term as attributes, the specials bound.
plan_formula <- function(plan, formula) {
  out <- plan$lang
  a <- attributes(formula)
  env <- a[[".Environment"]]
  if (length(plan$bind)) {
    # bind_specials()'s environment, from the functions kept in the plan
    funs <- plan$bind_funs
    if (is.null(funs)) {
      ns <- asNamespace("survival")
      funs <- lapply(stats::setNames(nm = plan$bind), function(nm)
        if (nm == "tt") identity else get(nm, envir = ns))
      plan$bind_funs <- funs
    }
    env <- list2env(funs, parent = if (is.null(env)) globalenv() else env)
  }
  a[[".Environment"]] <- env
  if (!is.null(plan$cluster)) {
    a$cluster <- plan$cluster
    a$cluster_term <- plan$cluster_term
  }
  attributes(out) <- a
  out
}

# The terms object of the normalised `formula` (specials: strata), as
# stats::terms(formula, specials = "strata", data = data) gives it.
frame_terms <- function(formula, data, plan) {
  if (is.null(plan)) {
    return(stats::terms(formula, specials = "strata", data = data))
  }
  tt <- plan$terms
  if (is.null(tt)) {
    tt <- stats::terms(formula, specials = "strata", data = data)
    plan$terms <- without_env(tt)
    return(tt)
  }
  attr(tt, ".Environment") <- environment(formula)
  tt
}

# The evaluated Surv() arguments (a status of 1 when Surv(time) has none),
# each of the length of `data` (n_data; NA without data). The labels, with
# "status" added for a missing status, are attribute "label".
frame_surv_raw <- function(surv_args, data, fenv, n_data) {
  # a column of `data` named by a symbol is taken as eval() would find it
  raw <- lapply(surv_args$args, function(e) {
    if (is.name(e) && !is.null(data) &&
        !is.null(v <- .subset2(data, as.character(e)))) v else
      eval(e, data, fenv)
  })
  if (is.na(n_data)) n_data <- length(raw[[1L]])
  label <- surv_args$label
  if (is.null(raw$status)) {
    raw$status <- rep.int(1, length(raw$time))
    label$status <- "status"
  }
  for (nm in names(raw)) {
    if (length(raw[[nm]]) != n_data) {
      cs_abort("`", label[[nm]], "` (the Surv() ", nm,
               " argument) has length ", length(raw[[nm]]),
               " but `data` has ", n_data, " rows.", arg = nm)
    }
  }
  structure(raw, label = label)
}

# `keep`: the rows chosen by `subset`, or NULL for all rows (no copy of a
# vector of n TRUE values in the common case).
frame_subset <- function(mcall, eval_arg, n_data) {
  if (is.null(mcall$subset) || is.na(n_data)) return(NULL)
  s <- eval_arg("subset")
  if (is.logical(s) && length(s) == n_data) {
    !is.na(s) & s
  } else if (is.numeric(s)) {
    subset_rows(s, n_data)
  } else {
    cs_abort("`subset` must be a logical vector with one element per row ",
             "of `data`, or row numbers.", arg = "subset")
  }
}

# The evaluated `weights`, checked on the rows `keep` chooses.
frame_weights <- function(wt, n_data, keep) {
  if (is.null(wt)) return(NULL)
  if (!is.numeric(wt) || is.object(wt)) {
    cs_abort("`weights` must be a numeric vector; it is ",
             class(wt)[1L], ".", arg = "weights")
  }
  check_row_count(wt, "weights", n_data)
  bad <- !is.na(wt) & (!is.finite(wt) | wt < 0)
  if (!is.null(keep)) bad <- bad & keep
  abort_first_bad(wt, bad, "weights", "finite and non-negative")
  wt
}

# A further per-row argument (cluster, id, ...), evaluated, checked.
frame_extra <- function(v, nm, n_data) {
  if (is.null(v)) return(NULL)
  if (!is.atomic(v) || !is.null(dim(v))) {
    cs_abort("`", nm, "` must be a vector or a column of `data`; it is ",
             class(v)[1L], ".", arg = nm)
  }
  check_row_count(v, nm, n_data)
  v
}

# A per-row argument `nm` must have one element per row of `data` (no
# check without `data`, when n_data is NA).
check_row_count <- function(v, nm, n_data) {
  if (!is.na(n_data) && length(v) != n_data) {
    cs_abort("`", nm, "` must have one element per row of `data` (",
             n_data, "); it has ", length(v), ".", arg = nm)
  }
}

# The model frame by stats::model.frame() (when fast_frame() does not
# apply), with the user's subset, weights, further arguments and
# na.action.
frame_model <- function(mcall, tt, data, wt, ext, keep, n_data, env, fun) {
  mf <- mcall[c(1L, match(c("formula", "data", "subset", "weights",
                             "na.action"), names(mcall), 0L))]
  mf[[1L]] <- quote(stats::model.frame)
  mf$formula <- tt
  if (!is.null(data)) mf$data <- quote(data)
  if (!is.null(mcall$weights)) mf$weights <- wt
  for (nm in names(ext)) mf[[nm]] <- ext[[nm]]
  if (!is.null(mcall$subset) && !is.na(n_data)) mf$subset <- keep
  # coxph keeps unused factor levels (their columns get NA coefficients);
  # survfit and survdiff group by the levels present
  mf$drop.unused.levels <- fun != "cox"
  frame_env <- new.env(parent = env)
  assign("data", data, envir = frame_env)
  tryCatch(
    eval(mf, frame_env),
    error = function(e) {
      cs_abort("could not build the model frame from `formula` and ",
               "`data`: ", conditionMessage(e), arg = "formula")
    }
  )
}

# The Surv response of the model frame, of a supported type; a
# precomputed Surv object (no Surv() call in the formula) is validated here.
frame_response <- function(mf, lhs, surv_args, mstate = FALSE) {
  # model.response() would copy it to add row names
  y <- if (attr(attr(mf, "terms"), "response") == 1L) .subset2(mf, 1L)
  if (!inherits(y, "Surv")) {
    cs_abort("`formula` must have a Surv() response, such as ",
             "Surv(time, status) ~ group; its left-hand side is `",
             deparse1(lhs), "`.", arg = "formula")
  }
  type <- attr(y, "type")
  if (mstate) {
    if (!type %in% c("mright", "mcounting") && is.null(surv_args)) {
      cs_abort("`formula`: the Surv() response must have a factor status ",
               "whose first level is censoring and the others the causes; ",
               "for a 0/1 status use km().", arg = "formula")
    }
    type <- sub("^m", "", type)
    attr(y, "type") <- type
  }
  if (!type %in% c("right", "counting")) {
    cs_abort("`formula` must have right-censored Surv(time, status) or ",
             "counting-process Surv(start, stop, status) data; ",
             "it has ", type, " data.", arg = "formula")
  }
  if (is.null(surv_args)) validate_surv_matrix(y, mf)
  y
}

# `data` as a plain data frame (tibbles and data.tables included), or NULL
# when the call has no `data`; a column used by `formula` must not be
# duplicated.
frame_data <- function(mcall, env, formula) {
  if (is.null(mcall$data)) return(NULL)
  data <- eval(mcall$data, env)
  if (!is.data.frame(data)) {
    if (!is.list(data) || is.null(names(data))) {
      cs_abort("`data` must be a data frame; it is ", class(data)[1L], ".",
               arg = "data")
    }
  }
  # as.data.frame() returns a plain data frame as it is
  if (!identical(oldClass(data), "data.frame")) {
    data <- as.data.frame(data, stringsAsFactors = FALSE)
  }
  dn <- names(data)
  if (!anyDuplicated(dn)) return(data)
  dup <- dn[duplicated(dn) & nzchar(dn)]
  if (length(dup)) dup <- intersect(unique(dup), all.vars(formula))
  if (length(dup)) {
    cs_abort("`data` has more than one column named `", dup[1L], "`; ",
             "column names must be unique.", arg = "data")
  }
  data
}

# Row numbers given as `subset` (positive, or negative to leave rows out,
# as in `[`) as a logical mask over the `n` rows of `data`. Rows are used in
# the order of `data`; a row named twice would be used twice by
# model.frame(), which cohortsurv does not do, so that is refused.
subset_rows <- function(s, n) {
  s <- s[s != 0]
  bad <- is.na(s) | s != round(s) | abs(s) > n
  if (any(bad)) {
    cs_abort("`subset` must be row numbers between 1 and ", n, " (or ",
             "their negatives); it has ", fmt_value(s[bad][1L]), ".",
             arg = "subset")
  }
  if (any(s < 0) && any(s > 0)) {
    cs_abort("`subset` must not mix positive and negative row numbers.",
             arg = "subset")
  }
  if (anyDuplicated(s)) {
    cs_abort("`subset` names row ", s[duplicated(s)][1L], " more than ",
             "once; each row can be used only once.", arg = "subset")
  }
  if (length(s) && s[1L] < 0) !(seq_len(n) %in% -s) else seq_len(n) %in% s
}

# survival's formula specials, recognised with or without `survival::`.
surv_specials <- c("Surv", "strata", "cluster", "tt", "pspline", "ridge",
                   "frailty", "frailty.gamma", "frailty.gaussian",
                   "frailty.t")
# The specials cohortsurv does not fit; a formula using one is refused.
unsupported_specials <- c("tt", "pspline", "ridge", "frailty",
                          "frailty.gamma", "frailty.gaussian", "frailty.t")

# The formula as survival reads it (as survival >= 3.6 does):
# - `survival::strata()`, `survival::Surv()`, `survival::cluster()` and the
#   other specials lose their prefix, so they are recognised as markers, and
#   Surv(), strata() and cluster() resolve to survival's functions even when
#   survival is not attached (unless the name is also used as a variable);
# - a `.` on the right-hand side is expanded against the columns of `data`;
# - a `cluster(id)` term is taken out of the formula and returned as the
#   attribute "cluster" (the expression `id`), "cluster_term" the term.
# Specials cohortsurv does not implement are refused by name.
normalize_formula <- function(formula, data, fun) {
  parts <- normalize_parts(formula, data, fun)
  bind_specials(parts$formula, parts$bind, environment(formula))
}

# normalize_formula() in two steps: normalize_parts() returns the rewritten
# formula (`formula`, with the "cluster" attributes) and the names of the
# specials to bind (`bind`); bind_specials() gives the formula an
# environment in which they resolve to survival's functions, enclosed by
# `env`, the user's formula's environment.
normalize_parts <- function(formula, data, fun) {
  calls <- character()
  names_used <- character()
  fix <- function(e) {
    if (is.name(e)) {
      names_used <<- c(names_used, as.character(e))
      return(e)
    }
    if (!is.call(e)) return(e)
    f <- e[[1L]]
    if (is.call(f) && identical(f[[1L]], as.name("::")) &&
        identical(f[[2L]], as.name("survival")) &&
        as.character(f[[3L]]) %in% surv_specials) {
      e[[1L]] <- f <- f[[3L]]
    }
    if (is.name(f)) calls <<- c(calls, as.character(f))
    args <- as.list(e)  # only e[[i]] changes at step i
    for (i in seq_along(args)[-1L]) {
      a <- args[[i]]
      if (!is.null(a) && !identical(a, quote(expr = ))) e[[i]] <- fix(a)
    }
    e
  }
  out <- fix(formula)
  # intersect() and setdiff() without their overhead (same order)
  bad <- unique(calls[calls %in% unsupported_specials])
  if (fun == "cox") bad <- bad[bad != "tt"]  # cox(): R/tt.R
  if (length(bad)) {
    cs_abort("`formula`: ", bad[1L], "() terms are not supported by ",
             "cohortsurv; ", if (bad[1L] == "tt") "split the data at the event times and use Surv(start, stop, status) for a time-varying effect." else "it fits unpenalised models only.",
             arg = "formula")
  }
  if (!is.null(data) && "." %in% all.vars(out[[3L]])) {
    out <- stats::formula(stats::terms(out, data = data))
  }
  out <- extract_cluster(out)
  bind <- unique(calls[calls %in% c("Surv", "strata", "cluster", "tt") &
                         !calls %in% names_used])
  list(formula = out, bind = bind)
}

bind_specials <- function(out, bind, env) {
  attrs <- attributes(out)[c("cluster", "cluster_term")]
  if (length(bind)) {
    env2 <- new.env(parent = if (is.null(env)) globalenv() else env)
    ns <- asNamespace("survival")
    for (nm in bind) {
      assign(nm, if (nm == "tt") identity else get(nm, envir = ns), envir = env2)
    }
    env <- env2
  }
  environment(out) <- env
  attributes(out)[names(attrs)] <- attrs
  out
}

# Take a `cluster(id)` term out of the right-hand side of `formula`; it must
# be a term of its own (not in an interaction), at most one.
extract_cluster <- function(formula) {
  found <- list()
  drop <- function(e) {
    if (is.call(e) && identical(e[[1L]], as.name("cluster"))) {
      found[[length(found) + 1L]] <<- e
      return(NULL)
    }
    if (is.call(e) && identical(e[[1L]], as.name("+")) && length(e) == 3L) {
      a <- drop(e[[2L]])
      b <- drop(e[[3L]])
      if (is.null(a)) return(b)
      if (is.null(b)) return(a)
      e[[2L]] <- a
      e[[3L]] <- b
    } else if (is.call(e) && identical(e[[1L]], as.name("("))) {
      a <- drop(e[[2L]])
      if (is.null(a)) return(NULL)
      e[[2L]] <- a
    }
    e
  }
  rhs <- drop(formula[[3L]])
  left <- if (is.null(rhs)) character() else all.names(rhs)
  if (length(found) > 1L || "cluster" %in% left) {
    cs_abort("`formula`: cluster() must be a single term of its own, not ",
             "part of an interaction or given twice.", arg = "formula")
  }
  if (!length(found)) return(formula)
  if (length(found[[1L]]) != 2L) {
    cs_abort("`formula`: cluster() takes one variable, as in cluster(id).",
             arg = "formula")
  }
  formula[[3L]] <- if (is.null(rhs)) 1 else rhs
  attr(formula, "cluster") <- found[[1L]][[2L]]
  attr(formula, "cluster_term") <- found[[1L]]
  formula
}

# The names of the variables a formula reads: all.vars() without the
# element names of `$` and `@` (so Surv(d$time, d$status) ~ d$x reads d).
formula_vars <- function(formula) {
  out <- character()
  walk <- function(e) {
    if (is.name(e)) {
      out <<- c(out, as.character(e))
    } else if (is.call(e)) {
      args <- as.list(e)[-1L]
      if (identical(e[[1L]], as.name("$")) || identical(e[[1L]], as.name("@"))) {
        args <- args[1L]
      }
      if (identical(e[[1L]], as.name("::")) ||
          identical(e[[1L]], as.name(":::"))) return()
      if (!is.name(e[[1L]])) walk(e[[1L]])
      for (a in args) if (!identical(a, quote(expr = ))) walk(a)
    }
  }
  walk(formula[[length(formula)]])
  if (length(formula) == 3L) walk(formula[[2L]])
  out <- unique(out)
  out[out != "."]  # setdiff(out, ".")
}

# The na.action function, or NULL when it is not one of na.omit, na.exclude
# and na.fail (then the general model.frame path handles it).
resolve_na_action <- function(expr, env) {
  f <- if (is.null(expr)) getOption("na.action", "na.omit") else eval(expr, env)
  if (is.character(f) && length(f) == 1L) {
    # match.fun(f) from the caller, NULL when there is no such function
    f <- if (is.na(f) || !nzchar(f)) NULL else
      get0(f, envir = parent.frame(), mode = "function")
  }
  known <- frame_cache$na_known
  if (is.null(known)) {
    known <- frame_cache$na_known <- list(stats::na.omit, stats::na.exclude,
                                          stats::na.fail)
  }
  for (k in known) {
    if (identical(f, k)) return(f)
  }
  NULL
}

# A model frame built directly from the columns of `data`, for the common
# case in which every right-hand-side variable is a column name, a strata()
# call on column names, or any other expression (I(g == 1), factor(x),
# interaction(a, b), a logical or character column) whose value is a plain
# vector with one element per row of `data`. Each variable is evaluated
# once, in `data` with the formula's environment as enclosure, as
# stats::model.frame() evaluates it. The result equals what model.frame()
# builds (same column names, terms, na.action attribute, dropped unused
# levels) but avoids its copies, which dominate the time of a fit on a
# million rows. Returns NULL when the formula needs the general path.
fast_frame <- function(tt, data, raw, wt, keep, na_fun, codes = c(0, 1),
                       ext = list(), drop_levels = TRUE, plan = NULL) {
  # the terms' variables as a list (kept in the formula's plan)
  vars <- plan$frame_vars
  if (is.null(vars)) {
    vars <- as.list(attr(tt, "variables"))[-1L]
    if (!is.null(plan)) plan$frame_vars <- vars
  }
  if (attr(tt, "response") != 1L) return(NULL)
  rhs <- vars[-1L]
  vals <- fast_frame_values(rhs, data, environment(tt))
  if (is.null(vals)) return(NULL)
  all_kept <- is.null(keep)
  idx0 <- if (all_kept) seq_len(.row_names_info(data, 2L)) else which(keep)
  sub0 <- function(v) if (all_kept) v else v[idx0]
  time <- sub0(if (is.null(raw$start)) raw$time else raw$stop)
  start <- if (is.null(raw$start)) NULL else sub0(raw$start)
  st <- sub0(raw$status)
  w0 <- if (is.null(wt)) NULL else sub0(wt)
  # the frame columns, and the vectors whose missing values drop a row:
  # the response, weights, the columns, the further arguments and the
  # variables of strata() calls themselves (strata() would make NaN a level)
  cols <- vector("list", length(rhs))
  parts <- list(time, st, start, w0)
  for (k in seq_along(rhs)) {
    v <- vals[[k]]
    if (is.null(v)) {
      e <- rhs[[k]]
      for (a in as.list(e)[-1L]) {
        parts[[length(parts) + 1L]] <- sub0(.subset2(data, as.character(a)))
      }
      cols[k] <- list(fast_column(e, NULL, data, sub0))
    } else {
      cols[k] <- list(sub0(v))
    }
  }
  ext0 <- if (all_kept) ext else lapply(ext, sub0)
  ok <- NULL
  for (v in c(parts, cols, unname(ext0))) {
    if (!is.null(v) && any_missing(v)) {
      ok <- if (is.null(ok)) !is.na(v) else ok & !is.na(v)
    }
  }
  all_ok <- is.null(ok) || all(ok)
  if (!all_ok && identical(na_fun, stats::na.fail)) {
    cs_abort("could not build the model frame from `formula` and `data`: ",
             "missing values in object (na.action = na.fail).",
             arg = "na.action")
  }
  idx <- if (all_ok) idx0 else idx0[ok]
  sel <- if (all_ok) NULL else which(ok)
  pick <- function(v) if (is.null(sel)) v else v[sel]
  for (k in seq_along(cols)) {
    v <- pick(cols[[k]])
    if (drop_levels && is.factor(v)) v <- fast_droplevels(v)
    cols[k] <- list(v)
  }
  surv <- fast_surv(time, st, start, codes, pick, length(idx))
  out <- c(list(surv), cols)
  names(out) <- frame_names(vars, plan)
  if (!is.null(wt)) out[["(weights)"]] <- as.double(pick(w0))
  for (nm in names(ext0)) out[[paste0("(", nm, ")")]] <- pick(ext0[[nm]])
  auto_rn <- .row_names_info(data, type = 1L) < 0L
  class(out) <- "data.frame"
  attr(out, "row.names") <- if (auto_rn && all_kept && all_ok)
    .set_row_names(length(idx)) else if (auto_rn) idx else
      attr(data, "row.names")[idx]
  attr(out, "terms") <- tt
  if (!all_ok) {
    drop <- which(!ok)
    names(drop) <- as.character(if (auto_rn) idx0[drop] else
      attr(data, "row.names")[idx0[drop]])
    attr(out, "na.action") <- structure(
      drop, class = if (identical(na_fun, stats::na.exclude)) "exclude" else
        "omit")
  }
  out
}

# The column names of a model frame of the variables `vars` (the language
# objects of the terms' "variables"), as model.frame() deparses them; kept
# in the formula's plan.
frame_names <- function(vars, plan = NULL) {
  nms <- plan$frame_names
  if (!is.null(nms)) return(nms)
  deparse2 <- function(x) {
    if (is.symbol(x)) return(as.character(x))  # deparse()'s result
    paste(deparse(x, width.cutoff = 500L,
                  backtick = !is.symbol(x) && is.language(x)), collapse = " ")
  }
  nms <- vapply(vars, deparse2, "")
  if (!is.null(plan)) plan$frame_names <- nms
  nms
}

# The values of the right-hand-side variables `rhs` for fast_frame(), each
# on every row of `data`: a list with one element per variable (NULL for a
# strata() call on plain columns, which fast_column() builds), or NULL when
# some variable needs the general model.frame() path (its value is not a
# plain vector of one element per row, or evaluating it fails: model.frame()
# then reports the error).
fast_frame_values <- function(rhs, data, env) {
  dn <- names(data)
  n <- .row_names_info(data, 2L)
  plain <- function(v) is.atomic(v) && is.null(dim(v)) && length(v) == n
  col_ok <- function(e) {
    is.name(e) && as.character(e) %in% dn &&
      plain(.subset2(data, as.character(e)))
  }
  if (is.null(env)) env <- parent.frame()
  out <- vector("list", length(rhs))
  for (k in seq_along(rhs)) {
    e <- rhs[[k]]
    if (is.call(e) && identical(e[[1L]], as.name("strata"))) {
      args <- as.list(e)[-1L]
      if (!is.null(names(args)) || !all(vapply(args, col_ok, logical(1)))) {
        return(NULL)
      }
      next
    }
    v <- if (is.name(e) && as.character(e) %in% dn) {
      .subset2(data, as.character(e))
    } else if (!is.null(fv <- fast_call_value(e, data, dn, env, col_ok))) {
      fv
    } else {
      tryCatch(eval(e, data, env), error = function(err) NULL)
    }
    if (!plain(v)) return(NULL)
    out[k] <- list(v)
  }
  out
}

# The value of `factor(x)` or `interaction(x, y, ...)` on plain columns of
# `data` (`col_ok()`), when the name resolves to base R's function from the
# formula's environment `env`: fast_factor() and fast_interaction() give
# what those functions give, without their conversions to character. NULL
# for any other expression (or when fast_interaction() declines), which
# eval() then evaluates.
fast_call_value <- function(e, data, dn, env, col_ok) {
  if (!is.call(e) || !is.name(fn <- e[[1L]]) || length(e) < 2L ||
      !is.null(names(e))) {
    return(NULL)
  }
  fn <- as.character(fn)
  if (fn == "factor") {
    if (length(e) != 2L || !col_ok(e[[2L]]) ||
        !identical(get0(fn, envir = env, mode = "function"), factor)) {
      return(NULL)
    }
    return(fast_factor(.subset2(data, as.character(e[[2L]]))))
  }
  if (fn == "interaction") {
    args <- as.list(e)[-1L]
    for (a in args) if (!col_ok(a)) return(NULL)
    if (!identical(get0(fn, envir = env, mode = "function"), interaction)) {
      return(NULL)
    }
    return(fast_interaction(lapply(args, function(a)
      .subset2(data, as.character(a)))))
  }
  NULL
}

# interaction() of the vectors `args` (drop = FALSE, sep = ".", lex.order
# = FALSE), identical: each as a factor (as.factor(), by fast_factor()),
# the codes combined with the first vector varying fastest, every
# combination of levels a level "a.b". NULL when two combinations would
# have the same label (interaction() then merges them).
fast_interaction <- function(args) {
  code <- NULL
  for (i in rev(seq_along(args))) {
    x <- args[[i]]
    f <- if (is.factor(x)) x else fast_factor(x)
    l <- levels(f)
    c1 <- as.integer(f) - 1L
    if (is.null(code)) {
      code <- c1
      lvs <- l
    } else {
      code <- code * length(l) + c1
      lvs <- paste(rep(l, length(lvs)), rep(lvs, each = length(l)),
                   sep = ".")
      if (anyDuplicated(lvs)) return(NULL)
    }
  }
  code_factor(as.integer(code + 1L), lvs)
}

# The frame column of one right-hand-side term `e` on the rows `sub0()`
# keeps: its value `v` (fast_frame_values()), or for a strata() call (`v`
# NULL) the strata factor of its columns.
fast_column <- function(e, v, data, sub0) {
  if (!is.null(v)) return(sub0(v))
  a <- vapply(as.list(e)[-1L], as.character, "")
  if (length(a) == 1L) return(fast_strata1(sub0(.subset2(data, a)), a))
  vals <- stats::setNames(lapply(a, function(v) sub0(.subset2(data, v))), a)
  # strata() called with unnamed arguments labels character and factor
  # columns by level alone (its `shortlabel` default)
  short <- all(vapply(vals, function(v) is.character(v) || is.factor(v),
                      logical(1)))
  do.call(survival::strata, c(vals, list(shortlabel = short)))
}

# The Surv matrix of `n` rows, filled in place (one allocation) with the
# rows `pick()` keeps; status as Surv() codes it, 0/1, from 1/2 when
# `codes` says so.
fast_surv <- function(time, st, start, codes, pick, n) {
  cols_y <- if (is.null(start)) c("time", "status") else
    c("start", "stop", "status")
  # the double matrix filled column by column in one C++ pass (integer or
  # double columns; status shifted down by one when coded 1/2)
  # with its dimnames, type and class set there, in that order
  cpp_surv_matrix(list(if (!is.null(start)) pick(start), pick(time),
                       pick(st)), if (codes[1L] == 1) 1 else 0, cols_y,
                  if (is.null(start)) "right" else "counting")
}

# Column "start", "stop" or "status" of the response `y` of surv_frame(), a
# Surv matrix (stop is its time column for right-censored data): a plain
# double vector, copied in C++ without an index vector or the rest of the
# matrix.
surv_col <- function(y, what) {
  j <- switch(what, start = 1L, stop = ncol(y) - 1L, status = ncol(y))
  if (!is.double(y)) storage.mode(y) <- "double"
  cpp_column(y, j - 1L)
}

# anyNA() without its cost on factors, where it dispatches to is.na() and
# allocates.
any_missing <- function(x) {
  # a factor's codes read in one C++ pass (a missing value is NA_integer_)
  if (is.factor(x)) cpp_int_range(x)[4L] > 0 else anyNA(x)
}

# droplevels() without the cost of rebuilding the factor from its labels.
fast_droplevels <- function(f) {
  lev <- levels(f)
  used <- tabulate(f, length(lev)) > 0L
  if (all(used)) return(f)
  recode <- cumsum(used)
  out <- recode[as.integer(f)]
  attr(out, "levels") <- lev[used]
  oldClass(out) <- oldClass(f)
  out
}

# A factor from its 1-based codes and levels, as structure(code, levels =
# levels, class = "factor") builds it, without structure()'s cost.
code_factor <- function(code, levels) {
  attr(code, "levels") <- levels
  oldClass(code) <- "factor"
  code
}

# The arguments of a Surv() call on the left-hand side, matched by name,
# or NULL when the left-hand side is not a call to Surv().
surv_call_args <- function(lhs) {
  if (!is.call(lhs)) return(NULL)
  fn <- lhs[[1L]]
  is_surv <- identical(fn, as.name("Surv")) ||
    (is.call(fn) && identical(fn[[1L]], as.name("::")) &&
       identical(fn[[3L]], as.name("Surv")))
  if (!is_surv) return(NULL)
  m <- match.call(survival::Surv, lhs)
  if (!is.null(m$type) && !m$type %in% c("right", "counting")) {
    cs_abort("`formula` must have right-censored or counting-process ",
             "survival data; Surv(type = \"", m$type, "\") is not supported.",
             arg = "formula")
  }
  if (!is.null(m$origin)) {
    cs_abort("`formula`: Surv(origin = ) is not supported; subtract the ",
             "origin from the times instead.", arg = "formula")
  }
  if (is.null(m$time)) {
    cs_abort("`formula`: Surv() needs a time argument.", arg = "formula")
  }
  if (is.null(m$event) && is.null(m$time2)) {
    # Surv(time): every row an event, as survival reads it
    args <- list(time = m$time)
  } else if (is.null(m$event)) {
    args <- list(time = m$time, status = m$time2)
  } else if (is.null(m$time2)) {
    args <- list(time = m$time, status = m$event)
  } else {
    args <- list(start = m$time, stop = m$time2, status = m$event)
  }
  list(args = args, label = lapply(args, deparse1))
}

# Validate the evaluated Surv() arguments on the rows kept by `subset`.
# NA values are left for na.action; everything else must be valid.
validate_surv_raw <- function(raw, label, keep, mstate = FALSE) {
  # every row kept and clean values: the codes in one C++ call
  if (is.null(keep) && !mstate) {
    codes <- cpp_surv_check(raw$start, if (is.null(raw$start)) raw$time else
      raw$stop, raw$status)
    if (!is.null(codes)) return(invisible(codes))
  }
  name_of <- function(nm) {
    if (identical(label[[nm]], nm)) paste0("`", nm, "`")
    else paste0("`", nm, "` (", label[[nm]], ")")
  }
  all_kept <- is.null(keep)
  kept <- function(x) if (all_kept) x else x[keep]
  # the failing rows that `subset` keeps (only computed on failure)
  in_keep <- function(bad) if (all_kept) bad else keep & bad
  tcols <- c("start", "stop", "time")
  for (nm in tcols[match(tcols, names(raw), 0L) > 0L]) {
    x <- raw[[nm]]
    if (!is.numeric(x) || is.factor(x)) {
      cs_abort(name_of(nm), " must be numeric; it is ", class(x)[1L], ".",
               arg = nm)
    }
    # one pass without allocating in the common, clean case; row by row
    # only on failure
    r <- value_range(kept(x))
    if (is.na(r[["min"]]) || (r[["min"]] >= 0 && r[["max"]] < Inf)) next
    bad <- in_keep(!is.na(x) & !is.finite(x))
    abort_first_bad(x, bad, nm, "finite", label = name_of(nm))
    bad <- in_keep(!is.na(x) & x < 0)
    abort_first_bad(x, bad, nm, "non-negative", label = name_of(nm))
  }
  if (!is.null(raw$start)) {
    bad <- in_keep(raw$stop <= raw$start)
    if (any(bad, na.rm = TRUE)) {
      i <- which(bad)[1L]
      cs_abort(name_of("stop"), " must be greater than ", name_of("start"),
               "; row ", i, " has start ", fmt_value(raw$start[i]),
               " and stop ", fmt_value(raw$stop[i]), ".", arg = "stop")
    }
  }
  st <- raw$status
  if (mstate) return(invisible(check_event_factor(st, name_of("status"))))
  if (is.logical(st)) return(invisible(c(0, 1)))
  if (!is.numeric(st) || is.factor(st)) {
    cs_abort(name_of("status"), " must be 0/1, TRUE/FALSE or 1/2; it is ",
             class(st)[1L], ".", arg = "status")
  }
  # as survival::Surv() decides: 1/2 when the largest code in the column is 2
  full <- value_range(st)
  codes <- if (isTRUE(full[["max"]] == 2)) c(1, 2) else c(0, 1)
  r <- if (all_kept) full else value_range(st[keep])
  if (!is.na(r[["min"]]) && !(r[["whole"]] && r[["min"]] >= codes[1L] &&
                              r[["max"]] <= codes[2L])) {
    bad <- in_keep(!is.na(st) & st != codes[1L] & st != codes[2L])
    cs_abort(name_of("status"), " must be coded 0/1 (censored/event), ",
             "TRUE/FALSE or 1/2", if (identical(codes, c(1, 2)))
               " (it contains 2, so 1/2 is assumed)", "; ",
             first_bad(st, bad), ".", arg = "status")
  }
  invisible(codes)
}

# The status of a competing-risks response (surv_frame(mstate = TRUE)): a
# factor whose first level is censoring and whose other levels are the
# causes (survival's multi-state convention). Returns c(1, 2): the factor
# codes minus one are the 0-based event codes.
check_event_factor <- function(st, label) {
  if (!is.factor(st)) {
    cs_abort(label, " must be a factor whose first level is censoring and ",
             "whose other levels are the competing causes, such as ",
             "factor(status, 0:2, c(\"censored\", \"relapse\", \"death\")); ",
             "it is ", class(st)[1L], ". For a 0/1 status use km().",
             arg = "status")
  }
  lev <- levels(st)
  if (length(lev) < 2L) {
    cs_abort(label, " must have a first level for censoring and at least ",
             "one cause after it; its only level is \"", lev[1L], "\".",
             arg = "status")
  }
  # a level named like censoring that is not the first: the levels are in
  # the wrong order (alphabetical, say), and a cause would be censoring
  cens <- "^(0|cens.*|alive|none|no event|event[ -]?free)$"
  later <- grepl(cens, lev[-1L], ignore.case = TRUE)
  if (!grepl(cens, lev[1L], ignore.case = TRUE) && any(later)) {
    cs_abort(label, ": the first level is censoring, but it is \"", lev[1L],
             "\" while \"", lev[-1L][later][1L], "\" looks like censoring; ",
             "put the censoring level first, as in factor(x, levels = c(\"",
             lev[-1L][later][1L], "\", ...)).", arg = "status")
  }
  c(1, 2)
}

# The smallest and largest non-missing value of a numeric vector, whether
# all of them are whole numbers, and how many are missing: c(min, max,
# whole, n_na), with min and max NA when every value is missing. One pass
# and no allocation of the vector's size (C++ for doubles).
value_range <- function(x) {
  if (is.double(x)) {
    r <- cpp_value_range(x, 0L)
  } else if (is.integer(x) && is.null(oldClass(x))) {
    r <- cpp_int_range(x)  # one pass: min, max, missing values
  } else {
    n_na <- if (anyNA(x)) sum(is.na(x)) else 0L
    r <- if (n_na == length(x)) c(NA, NA, 1, n_na) else
      c(min(x, na.rm = TRUE), max(x, na.rm = TRUE), 1, n_na)
  }
  named_range(r)
}

# cpp_value_range()'s c(min, max, whole, n_na) as value_range() returns it.
named_range <- function(r) {
  r[is.nan(r)] <- NA
  r <- as.double(r)
  names(r) <- range_names
  r
}

range_names <- c("min", "max", "whole", "n_na")

# Validate a precomputed Surv object (formula `y ~ x` with y a Surv column).
validate_surv_matrix <- function(y, mf) {
  m <- unclass(y)
  rows <- rownames(mf)
  cols <- if (ncol(m) == 2L) c("time") else c("start", "stop")
  for (j in seq_along(cols)) {
    x <- m[, j]
    bad <- !is.finite(x) | x < 0
    abort_first_bad(x, bad, cols[j], "finite and non-negative", rows = rows)
  }
  invisible(TRUE)
}

# Strata ---------------------------------------------------------------------

# The right-hand-side terms that define the curves of km() or the groups of
# logrank(), as survfit and survdiff read them: the term labels (offsets
# are not terms), each a vector, no interactions. With `strata = FALSE` the
# strata() terms are left out (logrank() stratifies on them).
grouping_terms <- function(sf, fun, strata = TRUE) {
  tt <- sf$terms
  labs <- attr(tt, "term.labels")
  if (any(attr(tt, "order") > 1L)) {
    cs_abort("`formula`: ", fun, "() takes no interaction terms (",
             labs[attr(tt, "order") > 1L][1L], "), as survfit and survdiff; ",
             "give the grouping variables as separate terms.",
             arg = "formula")
  }
  if (fun == "logrank" && !is.null(attr(tt, "offset"))) {
    cs_abort("`formula`: logrank() takes no offset() term.", arg = "formula")
  }
  if (!length(labs)) return(character())
  # the model-frame column of each (one-variable) term: frame columns follow
  # the formula's variables, whose names may be backquoted in the labels
  # (interactions are refused above, so each term has one variable: the
  # row of the one TRUE in its column, as apply(fac, 2L, which) finds it)
  fac <- attr(tt, "factors") > 0
  vi <- (which(fac) - 1L) %% nrow(fac) + 1L
  if (length(vi) != ncol(fac)) vi <- apply(fac, 2L, which)
  if (!strata) vi <- setdiff(vi, attr(tt, "specials")$strata)
  labs <- names(sf$mf)[vi]
  for (v in labs) {
    if (!is.null(dim(.subset2(sf$mf, v)))) {
      cs_abort("`formula`: the term `", v, "` makes several columns; ",
               fun, "() groups by variables, one column each.",
               arg = "formula")
    }
  }
  labs
}

# Combine the columns of a data frame into one factor whose levels read
# "var=level, var2=level2", the first column varying slowest, keeping only
# combinations present in the data (as survival::strata() labels them).
# Attribute "identity": a data frame with one row per level, its label
# (`curve`) and the value of each variable, so that curves are identified
# by data, never by parsing their labels.
combine_factors <- function(df, sep = ", ") {
  if (length(df) == 0L) {
    return(factor(rep("all", nrow(df))))
  }
  nms <- names(df)
  p <- length(df)
  if (p == 1L) return(combine_factor1(.subset2(df, 1L), nms))
  # each column as a factor without unused levels; the combination's code
  # with the last column varying fastest
  levs <- vector("list", p)
  codes <- integer(length(.subset2(df, 1L)))
  mult <- 1
  for (j in p:1L) {
    x <- .subset2(df, j)
    f <- if (is.factor(x)) fast_droplevels(x) else fast_factor(x)
    levs[[j]] <- levels(f)
    codes <- codes + (as.integer(f) - 1L) * as.integer(mult)
    mult <- mult * length(levs[[j]])
  }
  if (mult > .Machine$integer.max) {
    cs_abort("too many combinations of grouping variables (", mult, ").",
             arg = "formula")
  }
  present <- which(tabulate(codes + 1L, nbins = mult) > 0L) - 1L
  map <- integer(mult)
  map[present + 1L] <- seq_along(present)
  # the level of each variable in each present combination, and its label
  ids <- vector("list", p)
  names(ids) <- nms
  parts <- vector("list", p)
  rem <- present
  for (j in p:1L) {
    lj <- levs[[j]]
    k <- length(lj)
    v <- lj[rem %% k + 1L]
    ids[[j]] <- v
    parts[[j]] <- if (startsWith(nms[j], "strata(")) v else
      paste0(nms[j], "=", v)
    rem <- rem %/% k
  }
  labs <- if (p == 2L) paste(parts[[1L]], parts[[2L]], sep = sep) else
    do.call(paste, c(parts, sep = sep))
  out <- map[codes + 1L]
  attr(out, "levels") <- labs
  oldClass(out) <- "factor"
  attr(out, "identity") <- new_frame(c(list(curve = labs), ids))
  out
}

# combine_factors() of one column `x` named `nm`.
combine_factor1 <- function(x, nm) {
  f <- if (is.factor(x)) fast_droplevels(x) else fast_factor(x)
  lev <- levels(f)
  labs <- if (startsWith(nm, "strata(")) lev else paste0(nm, "=", lev)
  ids <- list(labs, lev)
  names(ids) <- c("curve", nm)
  out <- code_factor(as.integer(f), labs)
  attr(out, "identity") <- new_frame(ids)
  out
}

# Split the right-hand side of a survival model frame into the strata()
# terms and the rest. Returns list(strata = factor or NULL, strata_vars,
# terms, drop): without interactions, `terms` are the terms without the
# strata() terms and `drop` is empty; with `interactions = TRUE` (cox), a
# strata() variable may also appear in interactions, as in coxph: then
# `terms` are all the terms and `drop` the numbers of the strata() main-effect
# terms, whose design columns are removed.
split_strata <- function(mf, terms, interactions = FALSE) {
  sp <- attr(terms, "specials")$strata
  if (is.null(sp)) {
    return(list(strata = NULL, strata_vars = character(), terms = terms,
                drop = integer()))
  }
  plan <- strata_plan(terms, sp)
  # columns of the frame that are strata() calls
  values <- lapply(sp, function(k) .subset2(mf, k))
  strata_fac <- if (length(values) == 1L) {
    as_dense_factor(values[[1L]])
  } else {
    droplevels(interaction(values, sep = "; ", lex.order = TRUE))
  }
  in_term <- plan$in_term
  main <- plan$main
  strata_vars <- plan$strata_vars
  if (any(in_term & !main)) {
    if (!interactions) {
      cs_abort("`formula`: strata() must be a term of its own here, not ",
               "part of an interaction.", arg = "formula")
    }
    # coxph's rule: with strata-by-covariate interactions the terms stay
    # whole and only the strata() main-effect columns leave the design
    return(list(strata = strata_fac, strata_vars = strata_vars,
                terms = terms, drop = which(main)))
  }
  dropx <- plan$dropx
  if (is.null(dropx)) {
    dropx <- if (all(in_term)) {
      stats::terms(stats::update(stats::formula(terms), . ~ 1))
    } else {
      stats::drop.terms(terms, which(in_term), keep.response = TRUE)
    }
    plan$dropx <- without_env(dropx)
  } else {
    attr(dropx, ".Environment") <- environment(terms)
  }
  list(strata = strata_fac, strata_vars = strata_vars, terms = dropx,
       drop = integer())
}

# What split_strata() derives from a terms object alone, kept between calls
# in `frame_cache` (at most frame_cache_size, the newest first), keyed by the
# terms without their environment: `in_term` (which terms contain a
# strata() variable), `main` (which of them are strata() main effects),
# `strata_vars` (the variables named in the strata() calls) and, filled by
# split_strata() when first needed, `dropx`, the terms without the strata()
# terms (environment replaced by the empty one).
strata_plan <- function(terms, sp) {
  key <- without_env(terms)
  for (p in frame_cache$strata_plans) {
    if (identical(p$key, key, num.eq = FALSE, single.NA = FALSE)) return(p)
  }
  vars <- lapply(sp, function(k) {
    call <- attr(terms, "variables")[[k + 1L]]
    v <- vapply(as.list(call)[-1L], deparse1, character(1))
    nm <- names(call)[-1L]
    if (!is.null(nm)) v <- v[!nm %in% c("na.group", "shortlabel", "sep")]
    v
  })
  # the terms that contain a strata() variable, by the factors matrix
  fac <- attr(terms, "factors")
  in_term <- colSums(fac[sp, , drop = FALSE]) > 0
  plan <- new.env(parent = emptyenv())
  plan$key <- key
  plan$in_term <- in_term
  plan$main <- in_term & attr(terms, "order") == 1L
  plan$strata_vars <- unlist(vars)
  plans <- frame_cache$strata_plans
  if (length(plans) >= frame_cache_size) {
    plans <- plans[seq_len(frame_cache_size - 1L)]
  }
  frame_cache$strata_plans <- c(list(plan), plans)
  plan
}

# A terms object (or formula) with its environment replaced by the empty
# one, in place (the attribute keeps its position), for keeping in a cache.
without_env <- function(x) {
  if (!is.null(attr(x, ".Environment"))) {
    attr(x, ".Environment") <- emptyenv()
  }
  x
}

# survival::strata() of one variable, identical result without deparsing
# the values (do.call(strata, list(s = v)) formats every element of v):
# levels "name=value", or the bare levels of a factor or character vector.
fast_strata1 <- function(v, name) {
  if (is.factor(v)) {
    used <- tabulate(v, nlevels(v)) > 0L
    lev <- levels(v)[used]
    code <- cumsum(used)[as.integer(v)]
  } else if (!is.null(ic <- int_codes(v))) {
    code <- ic$code
    lev <- as.character(ic$values)
  } else {
    u <- sort(unique(v))
    code <- match(v, u)
    lev <- as.character(u)
  }
  short <- is.factor(v) || is.character(v)
  code_factor(code, if (short) lev else paste0(name, "=", lev))
}

# factor(x), identical, without converting every element to character:
# codes by match() on the sorted unique values, whose labels alone are
# formatted. For plain (or I()) logical, integer, double and character
# vectors without missing values whose distinct values format to distinct
# labels; anything else goes to factor().
fast_factor <- function(x) {
  cls <- oldClass(x)
  if (!(is.null(cls) || identical(cls, "AsIs")) ||
      !(is.logical(x) || is.numeric(x) || is.character(x)) || anyNA(x)) {
    return(factor(x))
  }
  x <- unclass(x)
  if (is.logical(x)) {
    # FALSE < TRUE: the codes are the values plus one when both occur
    has <- c(!all(x), any(x))
    f <- if (all(has)) x + 1L else rep.int(1L, length(x))
    names(f) <- names(x)
    return(code_factor(f, c("FALSE", "TRUE")[has]))
  }
  if (!is.null(ic <- int_codes(x))) {
    f <- ic$code
    names(f) <- names(x)
    return(code_factor(f, as.character(ic$values)))
  }
  if (!is.null(cc <- cpp_chr_codes(x))) {
    # ASCII strings: unique() and match() in one C++ pass, the few
    # distinct values sorted here (as factor() does, in the locale's order)
    u <- cc$values
    o <- order(u)
    rank <- integer(length(u))
    rank[o] <- seq_along(u)
    f <- rank[cc$code]
    names(f) <- names(x)
    return(code_factor(f, u[o]))
  }
  u <- unique(x)
  u <- u[order(u)]
  lev <- as.character(u)
  if (anyDuplicated(lev)) return(factor(x))
  f <- match(x, u)
  names(f) <- names(x)
  code_factor(f, lev)
}

# For a plain integer vector without missing values on a modest range: the
# 1-based code of each value among the sorted distinct values (`code`, as
# match(v, sort(unique(v))) gives it) and those values (`values`), by
# counting instead of hashing; NULL otherwise.
int_codes <- function(v) {
  if (!is.integer(v) || !is.null(oldClass(v)) || !length(v)) return(NULL)
  # one C++ pass for the range and missing values, one to mark the values
  # present, one for the codes (src/codes.cpp)
  cpp_int_codes(v, max(65536, length(v)))
}
