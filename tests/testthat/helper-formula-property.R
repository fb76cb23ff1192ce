# Property test of the formula interface: a seeded generator of the formulas
# users write, on survival's data sets, and check_formula(), which runs one
# of km(), logrank() and cox() next to its survival oracle (survfit,
# survdiff, coxph) and says "equal", "refused" or what differs.

suppressPackageStartupMessages(library(survival))

# Oracles and tolerances ------------------------------------------------------

fp_oracle <- list(km = quote(survival::survfit),
                  logrank = quote(survival::survdiff),
                  cox = quote(survival::coxph))
fp_fun <- list(km = quote(cohortsurv::km),
               logrank = quote(cohortsurv::logrank),
               cox = quote(cohortsurv::cox))
fp_tol <- c(km = 1e-10, logrank = 1e-10, cox = 1e-8)

# Largest relative difference of two numeric vectors. Non-finite values
# (NA, NaN, Inf) must sit at the same places; elements much smaller than
# the largest one are compared relative to 1e-3 of it (so that a variance
# entry that is zero up to rounding is not a "relative" failure), and no
# element relative to less than `floor` (1 for the log-rank counts, whose
# unit is one event: survdiff's variance can be 8.9e-16 where it is 0).
fp_rel_diff <- function(a, b, floor = 1e-300) {
  a <- as.numeric(a)
  b <- as.numeric(b)
  if (length(a) != length(b)) return(Inf)
  bad_a <- !is.finite(a)
  bad_b <- !is.finite(b)
  if (any(bad_a != bad_b)) return(Inf)
  ok <- !bad_a
  if (!any(ok)) return(0)
  scale <- max(abs(b[ok]))
  den <- pmax(abs(b[ok]), 1e-3 * scale, floor)
  max(abs(a[ok] - b[ok]) / den)
}

# "" when the two agree, else a short description.
fp_cmp <- function(what, a, b, tol, floor = 1e-300) {
  a <- as.numeric(a)
  b <- as.numeric(b)
  if (length(a) != length(b)) {
    return(sprintf("%s: length %d vs %d", what, length(a), length(b)))
  }
  if (any(!is.finite(a) != !is.finite(b))) {
    i <- which(!is.finite(a) != !is.finite(b))[1L]
    return(sprintf("%s: non-finite pattern differs (element %d: %s vs %s)",
                   what, i, format(a[i]), format(b[i])))
  }
  d <- fp_rel_diff(a, b, floor)
  if (d > tol) {
    return(sprintf("%s: relative difference %.3g", what, d))
  }
  ""
}

# The level values of curve or group labels, for comparing labels across
# the two packages' naming conventions: survival writes
# "strata(edema)=edema=0, strata(sex)=m" or pads with blanks where
# cohortsurv writes "edema=0, sex=m"; both reduce to "0, m" (each
# comma-separated part cut after its last "=").
fp_label_values <- function(x) {
  x <- gsub("(survival::)?strata\\([^)]*\\)=", "", trimws(x))
  vapply(strsplit(x, ", ", fixed = TRUE), function(p) {
    paste(trimws(sub(".*=", "", p)), collapse = ", ")
  }, "")
}

fp_compare_km <- function(f, g, tol) {
  cv <- f$curves
  nstr <- if (is.null(g$strata)) c(all = length(g$time)) else g$strata
  glab <- if (is.null(g$strata)) "all" else names(nstr)
  flev <- levels(cv$strata)
  glev <- fp_label_values(glab)
  if (length(flev) != length(glev)) {
    return(sprintf("number of curves: %d vs %d (survfit: %s)", length(flev),
                   length(glev), paste(head(glab, 4), collapse = " | ")))
  }
  if (!identical(fp_label_values(flev), glev)) {
    i <- which(fp_label_values(flev) != glev)[1L]
    return(sprintf("curve labels differ: \"%s\" vs survfit \"%s\"",
                   flev[i], glab[i]))
  }
  gs <- rep(seq_along(nstr), nstr)
  out <- character()
  for (k in seq_along(flev)) {
    fi <- as.integer(cv$strata) == k
    gi <- gs == k
    pairs <- list(
      time = list(cv$time[fi], g$time[gi]),
      n.risk = list(cv$n_risk[fi], g$n.risk[gi]),
      n.event = list(cv$n_event[fi], g$n.event[gi]),
      surv = list(cv$surv[fi], g$surv[gi]),
      # survfit's std.err is of log S unless `logse` is FALSE (robust)
      std.err = list(cv$std_err[fi], (if (isFALSE(g$logse)) g$std.err else
        g$std.err * g$surv)[gi]),
      lower = list(cv$lower[fi], g$lower[gi]),
      upper = list(cv$upper[fi], g$upper[gi]))
    for (nm in names(pairs)) {
      r <- fp_cmp(nm, pairs[[nm]][[1L]], pairs[[nm]][[2L]], tol)
      if (nzchar(r)) {
        out <- c(out, sprintf("curve \"%s\" %s", flev[k], r))
        break
      }
    }
    if (length(out)) break
  }
  paste(out, collapse = "; ")
}

fp_compare_logrank <- function(f, g, tol) {
  glab <- names(g$n)
  glev <- fp_label_values(glab)
  flev <- as.character(f$groups$group)
  if (length(flev) != length(glev)) {
    return(sprintf("number of groups: %d vs %d", length(flev),
                   length(glev)))
  }
  if (!identical(fp_label_values(flev), glev)) {
    i <- which(fp_label_values(flev) != glev)[1L]
    return(sprintf("group labels differ: \"%s\" vs survdiff \"%s\"",
                   flev[i], glab[i]))
  }
  obs <- if (is.matrix(g$obs)) rowSums(g$obs) else g$obs
  ex <- if (is.matrix(g$exp)) rowSums(g$exp) else g$exp
  out <- c(fp_cmp("chisq", f$statistic, g$chisq, tol, 1),
           fp_cmp("observed", f$groups$observed, obs, tol, 1),
           fp_cmp("expected", f$groups$expected, ex, tol, 1),
           fp_cmp("variance", f$variance, g$var, tol, 1))
  paste(out[nzchar(out)], collapse = "; ")
}

# Rows of `data` whose weight is 0 (logical), or NULL when there are none.
fp_zero_weight <- function(extra, data, env) {
  if (is.null(extra$weights)) return(NULL)
  w <- tryCatch(eval(extra$weights, data, env), error = function(e) NULL)
  if (is.null(w)) return(NULL)
  z <- !is.na(w) & w == 0
  if (any(z)) z
}

# `zero`: rows of weight 0, which cox() leaves out of the fit (coxph was run
# without them); their residuals must be NA and the rest equal coxph's.
fp_compare_cox <- function(f, g, tol, na_exclude = FALSE, monotone = FALSE,
                           zero = NULL) {
  cf <- f$coefficients
  cg <- stats::coef(g)
  if (is.null(cg)) cg <- numeric()
  if (!identical(names(cf), names(cg))) {
    return(sprintf("coefficient names: (%s) vs coxph (%s)",
                   paste(names(cf), collapse = ", "),
                   paste(names(cg), collapse = ", ")))
  }
  if (!identical(unname(is.na(cf)), unname(is.na(cg)))) {
    return("NA (aliased) coefficients differ")
  }
  if (monotone) {
    r <- fp_cmp("loglik", f$loglik, rep_len(g$loglik, length(f$loglik)), tol)
    return(r)
  }
  ok <- !is.na(cg)
  vg <- as.matrix(g$var)
  vf <- as.matrix(f$var)
  out <- c(fp_cmp("coefficients", cf[ok], cg[ok], tol),
           if (length(cg)) fp_cmp("var", vf[ok, ok], vg[ok, ok], tol),
           fp_cmp("loglik", f$loglik,
                  rep_len(g$loglik, length(f$loglik)), tol))
  if (na_exclude) {
    rf <- stats::residuals(f)
    pf <- stats::predict(f)
    if (!is.null(zero)) {
      if (length(rf) != length(zero) || !all(is.na(rf[zero]))) {
        return("residuals of the zero-weight rows are not NA in place")
      }
      rf <- rf[!zero]
      pf <- pf[!zero]
    }
    out <- c(out,
             fp_cmp("residuals", rf, stats::residuals(g), tol),
             fp_cmp("predict", pf, stats::predict(g), tol))
  }
  paste(out[nzchar(out)], collapse = "; ")
}

# check_formula --------------------------------------------------------------

# Run `fun` ("km", "logrank" or "cox", or the function itself) and its
# survival oracle on `formula` and `data`, with the further arguments in
# `...` passed unevaluated to both (subset = age > 50, weights = w,
# na.action = na.exclude). Returns "equal", "refused" (cohortsurv raised a
# cohortsurv_error, or both raised errors) or a description of the
# difference.
check_formula <- function(fun, formula, data, ...) {
  if (is.function(fun)) {
    fun <- names(Filter(function(nm) identical(fun, eval(fp_fun[[nm]])),
                        names(fp_fun)))[1L]
  }
  fun <- match.arg(fun, names(fp_fun))
  extra <- as.list(substitute(list(...)))[-1L]
  check_formula_args(fun, formula, data, extra)
}

# The oracle's call, adjusted where cohortsurv deliberately follows a
# convention the installed survival (3.5) does not have:
# - `survival::strata()` and `survival::cluster()` are markers, as in
#   survival >= 3.6 (its tests/doublecolon.R), so the oracle gets the
#   formula without the prefix;
# - `.` is expanded against `data` (survfit and survdiff do not expand it);
# - cox() leaves rows of weight 0 out of the fit where coxph refuses them,
#   so coxph is run on the rows of positive weight.
run_oracle <- function(fun, formula, data, extra, env, run) {
  strip <- function(e) {
    if (!is.call(e)) return(e)
    f <- e[[1L]]
    if (is.call(f) && identical(f[[1L]], as.name("::")) &&
        as.character(f[[3L]]) %in% c("strata", "cluster")) {
      e[[1L]] <- f[[3L]]
    }
    for (i in seq_along(e)[-1L]) e[[i]] <- strip(e[[i]])
    e
  }
  oformula <- strip(formula)
  if ("." %in% all.vars(oformula[[3L]])) {
    oformula <- stats::formula(stats::terms(oformula, data = data))
  }
  environment(oformula) <- env
  w <- extra$weights
  if (fun == "cox" && !is.null(w)) {
    wv <- tryCatch(eval(w, data, env), error = function(e) NULL)
    if (length(wv) && any(wv == 0, na.rm = TRUE)) {
      assign("data", data[is.na(wv) | wv != 0, , drop = FALSE], envir = env)
      on.exit(assign("data", data, envir = env))
    }
  }
  run(fp_oracle[[fun]], oformula)
}

check_formula_args <- function(fun, formula, data, extra = list()) {
  # `data` is found both by the calls and from the formula's environment
  # (predict.coxph and residuals.coxph rebuild the frame from the call)
  fenv <- environment(formula)
  env <- new.env(parent = if (is.null(fenv)) globalenv() else fenv)
  assign("data", data, envir = env)
  environment(formula) <- env
  warned <- character()
  run <- function(f, fm = formula) {
    cl <- as.call(c(list(f, formula = fm, data = quote(data)), extra))
    tryCatch(suppressMessages(withCallingHandlers(
      eval(cl, env),
      warning = function(w) {
        warned <<- c(warned, conditionMessage(w))
        invokeRestart("muffleWarning")
      })), error = function(e) e)
  }
  g <- run_oracle(fun, formula, data, extra, env, run)
  # coxph says an estimate is infinite (monotone likelihood): the
  # coefficients and their variance are then arbitrary points on a ridge,
  # so only the names and the log likelihood are compared
  monotone <- fun == "cox" && any(grepl("may be infinite", warned))
  f <- run(fp_fun[[fun]])
  oracle_name <- as.character(fp_oracle[[fun]][[3L]])
  f_err <- inherits(f, "error")
  if (inherits(g, "error")) {
    if (f_err) return("refused")
    # no group varies within any stratum: survdiff fails on a singular
    # variance, logrank() reports a test on 0 degrees of freedom, p = NA
    if (fun == "logrank" && grepl("singular", conditionMessage(g)) &&
        identical(f$df, 0L) && is.na(f$p_value)) {
      return("refused")
    }
    return(sprintf("%s gave a result where %s fails (%s)", fun, oracle_name,
                   conditionMessage(g)))
  }
  if (f_err) {
    if (inherits(f, "cohortsurv_error")) return("refused")
    return(sprintf("error of class %s, not cohortsurv_error: %s",
                   class(f)[1L], conditionMessage(f)))
  }
  tol <- fp_tol[[fun]]
  diff <- tryCatch(
    switch(fun,
      km = fp_compare_km(f, g, tol),
      logrank = fp_compare_logrank(f, g, tol),
      cox = fp_compare_cox(f, g, tol, na_exclude = any(vapply(
        extra, function(e) identical(e, quote(na.exclude)), logical(1))),
        monotone = monotone, zero = fp_zero_weight(extra, data, env))),
    error = function(e) paste("comparison failed:", conditionMessage(e)))
  if (nzchar(diff)) diff else "equal"
}

# The data sets -------------------------------------------------------------

# Each spec: the data, the Surv() left-hand side, the name of its time
# column, numeric covariates (num), positive ones (pos, for log() and
# offset()), grouping variables with few values (fac), strata candidates,
# a character and a logical grouping column, an id for cluster(),
# thresholds for I(x > c), logical subset expressions, and whether the data
# are counting-process. Every spec has integer weights `wi` (1 to 3),
# fractional weights `wf`, integer weights with zeros `wz`, and (right
# censored only) `tnear`, the time / 7 with every third value multiplied by
# 1 + 1e-11 (survival treats such times as tied, aeqSurv).
fp_datasets <- function() {
  old <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv())
  on.exit(if (!is.null(old)) assign(".Random.seed", old, envir = globalenv()))
  set.seed(20261201)
  add <- function(d, time = NULL) {
    n <- nrow(d)
    d$wi <- sample(1:3, n, replace = TRUE)
    d$wf <- round(runif(n, 0.25, 2.5), 3)
    d$wz <- d$wi
    d$wz[sample.int(n, max(2L, n %/% 10L))] <- 0L
    d$id2 <- (seq_len(n) + 1L) %/% 2L
    if (!is.null(time)) {
      t <- d[[time]] / 7
      k <- seq_len(n) %% 3L == 0L
      t[k] <- t[k] * (1 + 1e-11)
      d$tnear <- t
    }
    d
  }
  lung <- survival::lung
  lung$sexc <- c("m", "f")[lung$sex]
  lung$old <- lung$age > 65
  veteran <- survival::veteran
  veteran$trtc <- c("standard", "test")[veteran$trt]
  veteran$prior10 <- veteran$prior == 10
  colon <- survival::colon
  colon$rxc <- as.character(colon$rx)
  colon$perf <- colon$perfor == 1
  ovarian <- survival::ovarian
  ovarian$rxc <- c("A", "B")[ovarian$rx]
  ovarian$old <- ovarian$age > 55
  mgus2 <- survival::mgus2
  mgus2$sexc <- as.character(mgus2$sex)
  mgus2$old <- mgus2$age > 70
  bladder2 <- survival::bladder2
  bladder2$rxc <- c("placebo", "thiotepa")[bladder2$rx]
  bladder2$big <- bladder2$size > 2
  pbc <- survival::pbc
  pbc$sexc <- as.character(pbc$sex)
  pbc$hep <- pbc$hepato == 1
  aml <- survival::aml
  aml$z <- round(rnorm(nrow(aml), 50, 10), 1)
  aml$zpos <- round(runif(nrow(aml), 1, 5), 2)
  aml$xc <- as.character(aml$x)
  aml$maint <- aml$x == "Maintained"
  aml$g3 <- rep_len(1:3, nrow(aml))
  list(
    lung = list(data = add(lung, "time"), lhs = "Surv(time, status)",
                time = "time", surv_cols = c("time", "status"),
                num = c("age", "ph.karno", "wt.loss", "meal.cal"),
                pos = c("age", "ph.karno"), fac = c("sex", "ph.ecog"),
                strat = c("sex", "ph.ecog"), chr = "sexc", lgl = "old",
                id = "id2", thr = list(c("age", 60), c("ph.karno", 80)),
                sub = c("age > 50", "ph.ecog < 3", "sex == 1 | age < 60"),
                counting = FALSE),
    veteran = list(data = add(veteran, "time"), lhs = "Surv(time, status)",
                   time = "time", surv_cols = c("time", "status"),
                   num = c("karno", "diagtime", "age"),
                   pos = c("karno", "age", "diagtime"),
                   fac = c("trt", "celltype", "prior"),
                   strat = c("trt", "celltype", "prior"), chr = "trtc",
                   lgl = "prior10", id = "id2",
                   thr = list(c("age", 60), c("karno", 50)),
                   sub = c("karno > 30", "celltype != \"large\""),
                   counting = FALSE),
    colon = list(data = add(colon, "time"), lhs = "Surv(time, status)",
                 time = "time", surv_cols = c("time", "status"),
                 num = c("age", "nodes"), pos = c("age"),
                 fac = c("rx", "sex", "obstruct", "differ", "extent"),
                 strat = c("sex", "etype", "extent"), chr = "rxc",
                 lgl = "perf", id = "id",
                 thr = list(c("age", 60), c("nodes", 4)),
                 sub = c("etype == 2", "age >= 40 & rx != \"Obs\""),
                 counting = FALSE),
    ovarian = list(data = add(ovarian, "futime"),
                   lhs = "Surv(futime, fustat)", time = "futime",
                   surv_cols = c("futime", "fustat"),
                   num = c("age"), pos = c("age"),
                   fac = c("rx", "resid.ds", "ecog.ps"),
                   strat = c("rx", "resid.ds", "ecog.ps"), chr = "rxc",
                   lgl = "old", id = "id2", thr = list(c("age", 60)),
                   sub = c("age > 45"), counting = FALSE),
    mgus2 = list(data = add(mgus2, "futime"),
                 lhs = "Surv(futime, death)", time = "futime",
                 surv_cols = c("futime", "death"),
                 num = c("age", "hgb", "creat", "mspike"),
                 pos = c("age", "hgb", "creat"), fac = c("sex", "pstat"),
                 strat = c("sex", "pstat"), chr = "sexc", lgl = "old",
                 id = "id2", thr = list(c("age", 70), c("hgb", 12)),
                 sub = c("age > 60", "creat < 2"), counting = FALSE),
    bladder2 = list(data = add(bladder2),
                    lhs = "Surv(start, stop, event)", time = NULL,
                    surv_cols = c("start", "stop", "event"),
                    num = c("number", "size", "enum"),
                    pos = c("number", "size"), fac = c("rx", "enum"),
                    strat = c("rx", "enum"), chr = "rxc", lgl = "big",
                    id = "id", thr = list(c("number", 2), c("size", 2)),
                    sub = c("enum < 4", "size < 5"), counting = TRUE),
    pbc = list(data = add(pbc, "time"), lhs = "Surv(time, status == 2)",
               time = "time", surv_cols = c("time", "status"),
               num = c("age", "bili", "albumin", "protime"),
               pos = c("bili", "albumin", "age"),
               fac = c("trt", "sex", "edema", "stage"),
               strat = c("sex", "edema", "stage"), chr = "sexc",
               lgl = "hep", id = "id2",
               thr = list(c("bili", 2), c("age", 60)),
               sub = c("!is.na(trt)", "bili < 10"), counting = FALSE),
    aml = list(data = add(aml, "time"), lhs = "Surv(time, status)",
               time = "time", surv_cols = c("time", "status"),
               num = c("z"), pos = c("zpos"), fac = c("x", "g3"),
               strat = c("x", "g3"), chr = "xc", lgl = "maint",
               id = "id2", thr = list(c("z", 50)), sub = c("z > 35"),
               counting = FALSE)
  )
}

# The generator ----------------------------------------------------------------

fp_pick <- function(x, k = 1L) {
  x <- unlist(x)
  x[sample.int(length(x), min(k, length(x)))]
}

# A case: list(shape, dataset, lhs, rhs, args = named character vector of
# argument expressions, cols = columns of the data to keep or NULL).
# Each shape returns the right-hand side and, if it needs them, args,
# lhs and cols. `cov` is one covariate suited to `fun`: any numeric or
# grouping column for cox, a grouping column for km and logrank.
fp_cov <- function(sp, fun, k = 1L, exclude = character()) {
  pool <- if (fun == "cox") c(sp$num, sp$fac) else sp$fac
  pool <- setdiff(pool, exclude)
  if (!length(pool)) pool <- c(sp$chr, sp$lgl)
  fp_pick(pool, k)
}

# A right-hand side that needs no strata, for the shapes that vary the
# other arguments: for logrank it must contain a grouping variable.
fp_base_rhs <- function(sp, fun) {
  v <- fp_cov(sp, fun, if (fun == "cox") 2L else 1L)
  paste(v, collapse = " + ")
}

fp_shapes <- list(
  plain = function(sp, fun) list(rhs = fp_base_rhs(sp, fun)),
  factor = function(sp, fun) {
    f <- fp_pick(sp$fac)
    rhs <- sprintf("factor(%s)", f)
    if (fun == "cox") rhs <- paste(rhs, "+", fp_cov(sp, fun, exclude = f))
    list(rhs = rhs)
  },
  I_square = function(sp, fun) {
    v <- fp_pick(sp$num)
    list(rhs = if (fun == "cox") sprintf("%s + I(%s^2)", v, v) else
      sprintf("I(%s^2)", v))
  },
  I_greater = function(sp, fun) {
    th <- sp$thr[[sample.int(length(sp$thr), 1L)]]
    list(rhs = sprintf("I(%s > %s)", th[1L], th[2L]))
  },
  log = function(sp, fun) list(rhs = sprintf("log(%s)", fp_pick(sp$pos))),
  ns = function(sp, fun) {
    list(rhs = sprintf("splines::ns(%s, 3)", fp_pick(sp$num)))
  },
  poly = function(sp, fun) list(rhs = sprintf("poly(%s, 2)", fp_pick(sp$num))),
  interaction_num_num = function(sp, fun) {
    v <- fp_pick(c(sp$num, sp$pos), 2L)
    if (length(v) < 2L) v <- c(v, sp$fac[1L])
    list(rhs = paste(v[1L], fp_pick(c(":", "*")), v[2L]))
  },
  interaction_fac_num = function(sp, fun) {
    f <- fp_pick(sp$fac)
    v <- fp_pick(sp$num)
    lab <- fp_pick(c(sprintf("factor(%s)", f), f))
    list(rhs = if (sample(2L, 1L) == 1L)
      paste(lab, fp_pick(c(":", "*")), v) else
      paste(v, fp_pick(c(":", "*")), lab))
  },
  interaction_fac_fac = function(sp, fun) {
    f <- fp_pick(c(sp$fac, sp$chr), 2L)
    list(rhs = paste(sprintf("factor(%s)", f[1L]), fp_pick(c(":", "*")),
                     f[2L]))
  },
  strata = function(sp, fun) {
    s <- fp_pick(sp$strat)
    rhs <- sprintf("strata(%s)", s)
    if (fun != "km") rhs <- paste(fp_cov(sp, fun, exclude = s), "+", rhs)
    list(rhs = rhs)
  },
  strata_two_vars = function(sp, fun) {
    s <- fp_pick(sp$strat, 2L)
    if (length(s) < 2L) s <- c(s, sp$lgl)
    rhs <- sprintf("strata(%s, %s)", s[1L], s[2L])
    if (fun != "km") rhs <- paste(fp_cov(sp, fun, exclude = s), "+", rhs)
    list(rhs = rhs)
  },
  strata_two_terms = function(sp, fun) {
    s <- fp_pick(sp$strat, 2L)
    if (length(s) < 2L) s <- c(s, sp$lgl)
    rhs <- sprintf("strata(%s) + strata(%s)", s[1L], s[2L])
    if (fun != "km") rhs <- paste(fp_cov(sp, fun, exclude = s), "+", rhs)
    list(rhs = rhs)
  },
  strata_interaction = function(sp, fun) {
    s <- fp_pick(sp$strat)
    x <- fp_cov(sp, fun, exclude = s)
    tpl <- fp_pick(c("strata(%1$s):%2$s", "%2$s:strata(%1$s)",
                     "strata(%1$s)*%2$s", "%2$s*strata(%1$s)",
                     "strata(%1$s)/%2$s"))
    list(rhs = sprintf(tpl, s, x))
  },
  survival_strata = function(sp, fun) {
    s <- fp_pick(sp$strat)
    rhs <- sprintf("survival::strata(%s)", s)
    if (fun != "km") rhs <- paste(fp_cov(sp, fun, exclude = s), "+", rhs)
    list(rhs = rhs)
  },
  survival_Surv = function(sp, fun) {
    list(rhs = fp_base_rhs(sp, fun), lhs = paste0("survival::", sp$lhs))
  },
  cluster = function(sp, fun) {
    list(rhs = sprintf("%s + cluster(%s)", fp_base_rhs(sp, fun), sp$id))
  },
  offset = function(sp, fun) {
    list(rhs = sprintf("%s + offset(log(%s))", fp_base_rhs(sp, fun),
                       fp_pick(sp$pos)))
  },
  subset_logical = function(sp, fun) {
    list(rhs = fp_base_rhs(sp, fun), args = c(subset = fp_pick(sp$sub)))
  },
  subset_positive = function(sp, fun) {
    n <- nrow(sp$data)
    a <- sample.int(n %/% 3L, 1L)
    list(rhs = fp_base_rhs(sp, fun),
         args = c(subset = fp_pick(c(sprintf("%d:%d", a, n - a + 1L),
                                     sprintf("seq(%d, %d, by = 2)", a, n)))))
  },
  subset_negative = function(sp, fun) {
    n <- nrow(sp$data)
    a <- sample.int(n %/% 4L, 1L)
    list(rhs = fp_base_rhs(sp, fun),
         args = c(subset = fp_pick(c(sprintf("-(1:%d)", a),
                                     sprintf("-c(2, 3, %d)", n)))))
  },
  na_exclude = function(sp, fun) {
    # a covariate with missing values where the data have one
    withna <- names(which(vapply(sp$data[c(sp$num, sp$fac)], anyNA, NA)))
    v <- if (length(withna)) fp_pick(withna) else fp_pick(sp$fac)
    if (fun != "cox") v <- fp_pick(intersect(c(withna, sp$fac), sp$fac))
    list(rhs = v, args = c(na.action = "na.exclude"))
  },
  weights_integer = function(sp, fun) {
    list(rhs = fp_base_rhs(sp, fun), args = c(weights = "wi"))
  },
  weights_fractional = function(sp, fun) {
    list(rhs = fp_base_rhs(sp, fun), args = c(weights = "wf"))
  },
  weights_zero_na_exclude = function(sp, fun) {
    withna <- names(which(vapply(sp$data[c(sp$num, sp$fac)], anyNA, NA)))
    v <- if (length(withna)) fp_pick(withna) else fp_base_rhs(sp, fun)
    list(rhs = v, args = c(weights = "wz", na.action = "na.exclude"))
  },
  character_group = function(sp, fun) {
    rhs <- sp$chr
    if (fun == "cox") rhs <- paste(rhs, "+", fp_pick(sp$num))
    list(rhs = rhs)
  },
  logical_group = function(sp, fun) {
    rhs <- sp$lgl
    if (fun == "cox") rhs <- paste(rhs, "+", fp_pick(sp$num))
    list(rhs = rhs)
  },
  surv_time_only = function(sp, fun) {
    list(rhs = fp_base_rhs(sp, fun), lhs = sprintf("Surv(%s)", sp$time))
  },
  dot = function(sp, fun) {
    v <- if (fun == "cox") fp_cov(sp, fun, 2L) else fp_pick(sp$fac)
    if (fun == "cox" && length(v) == 2L && sample(2L, 1L) == 1L) {
      # . minus a column
      return(list(rhs = paste(". -", v[2L]), cols = c(sp$surv_cols, v)))
    }
    list(rhs = ".", cols = c(sp$surv_cols, v))
  },
  strata_character_logical = function(sp, fun) {
    s <- fp_pick(c(sp$chr, sp$lgl))
    rhs <- sprintf("strata(%s)", s)
    if (fun != "km") {
      rhs <- paste(fp_cov(sp, fun, exclude = c(sp$chr, sp$lgl)), "+", rhs)
    }
    list(rhs = rhs)
  },
  near_tied_times = function(sp, fun) {
    lhs <- sub(sp$time, "tnear", sp$lhs, fixed = TRUE)
    list(rhs = fp_base_rhs(sp, fun), lhs = lhs)
  }
)

# Shapes that do not apply to a function or to counting-process data.
fp_applicable <- function(shape, fun, sp) {
  if (fun == "logrank" && startsWith(shape, "weights")) return(FALSE)
  # the delayed-entry log-rank test is a cohortsurv extension that survdiff
  # refuses ("Right censored data only"); test-logrank.R checks it
  if (fun == "logrank" && sp$counting) return(FALSE)
  if (sp$counting && shape %in% c("surv_time_only", "near_tied_times")) {
    return(FALSE)
  }
  TRUE
}

# Build one case of `shape` on data set `ds` (a name of fp_datasets()).
fp_case <- function(fun, shape, ds, specs, modifier = NULL) {
  sp <- specs[[ds]]
  sp$name <- ds
  r <- fp_shapes[[shape]](sp, fun)
  args <- if (is.null(r$args)) character() else r$args
  if (!is.null(modifier)) {
    m <- fp_shapes[[modifier]](sp, fun)$args
    args <- c(args, m[setdiff(names(m), names(args))])
    shape <- paste0(shape, "+", modifier)
  }
  lhs <- if (is.null(r$lhs)) sp$lhs else r$lhs
  data <- sp$data
  if (!is.null(r$cols)) data <- data[, unique(r$cols), drop = FALSE]
  list(fun = fun, shape = shape, dataset = ds,
       formula = paste(lhs, "~", r$rhs), args = args, data = data,
       data_label = if (is.null(r$cols)) ds else
         sprintf("%s[, c(%s)]", ds, paste0("\"", unique(r$cols), "\"",
                                           collapse = ", ")))
}

# `n` random cases for `fun`, deterministic for a given seed (the global
# random number stream is restored afterwards). A third of the cases
# combine their shape with a modifier (subset, weights, na.exclude).
fp_generate <- function(fun, n, seed, specs = fp_datasets()) {
  old <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv())
  on.exit(if (!is.null(old)) assign(".Random.seed", old, envir = globalenv()))
  set.seed(seed)
  modifiers <- c("subset_logical", "subset_positive", "subset_negative",
                 "na_exclude", "weights_integer", "weights_fractional")
  if (fun == "logrank") modifiers <- modifiers[!startsWith(modifiers, "weights")]
  shapes <- names(fp_shapes)
  out <- list()
  i <- 0L
  while (length(out) < n) {
    i <- i + 1L
    # cycle through the shapes so that every one appears; data set random
    shape <- shapes[(i - 1L) %% length(shapes) + 1L]
    ds <- fp_pick(names(specs))
    if (!fp_applicable(shape, fun, specs[[ds]])) next
    mod <- NULL
    if (runif(1) < 1 / 3 && !grepl("subset|weights|na_exclude", shape)) {
      mod <- fp_pick(modifiers)
    }
    out[[length(out) + 1L]] <- fp_case(fun, shape, ds, specs, mod)
  }
  out
}

# A reproducible one-line description of a case.
fp_label <- function(case) {
  args <- if (length(case$args)) paste0(", ", names(case$args), " = ",
                                        case$args, collapse = "") else ""
  sprintf("[%s] %s(%s, %s%s)", case$shape, case$fun, case$formula,
          case$data_label, args)
}

# Run a case through check_formula().
fp_run <- function(case) {
  env <- new.env(parent = globalenv())
  formula <- stats::as.formula(case$formula, env = env)
  extra <- lapply(case$args, str2lang)
  check_formula_args(case$fun, formula, case$data, extra)
}
