# Property test of the formula interface (helpers in
# helper-formula-property.R): for seeded random formulas of the shapes users
# write, on survival's data sets, km(), logrank() and cox() must equal
# survfit(), survdiff() and coxph() (1e-10, 1e-10 and 1e-8 relative), or
# refuse with a cohortsurv_error. Never a silently different number.

fp_specs <- fp_datasets()

# Run the cases and return the failures as readable lines.
fp_failures <- function(cases) {
  res <- vapply(cases, fp_run, character(1))
  bad <- !res %in% c("equal", "refused")
  # paste0() of zero-length vectors with a constant gives one string
  if (!any(bad)) return(structure(character(), results = res))
  structure(paste0(vapply(cases[bad], fp_label, ""), "\n    -> ", res[bad]),
            results = res)
}

# Core shapes that must give "equal" (not merely "refused"), so that the
# property cannot hold by refusing everything.
fp_core <- list(
  km = list(
    list("plain", "Surv(time, status) ~ sex", "lung"),
    list("plain", "Surv(time, status) ~ celltype", "veteran"),
    list("factor()", "Surv(time, status) ~ factor(ph.ecog)", "lung"),
    list("strata() alone", "Surv(time, status) ~ strata(sex)", "lung"),
    list("counting process", "Surv(start, stop, event) ~ rx", "bladder2"),
    list("subset", "Surv(time, status) ~ sex", "lung",
         c(subset = "age > 50")),
    list("integer weights", "Surv(time, status) ~ sex", "lung",
         c(weights = "wi")),
    list("na.exclude", "Surv(time, status) ~ ph.ecog", "lung",
         c(na.action = "na.exclude"))
  ),
  logrank = list(
    list("plain", "Surv(time, status) ~ sex", "lung"),
    list("plain", "Surv(time, status) ~ rx", "colon"),
    list("factor()", "Surv(time, status) ~ factor(ph.ecog)", "lung"),
    list("strata()", "Surv(time, status) ~ sex + strata(ph.ecog)", "lung"),
    list("subset", "Surv(time, status) ~ sex", "lung",
         c(subset = "age > 50")),
    list("character group", "Surv(futime, death) ~ sexc", "mgus2")
  ),
  cox = list(
    list("plain", "Surv(time, status) ~ age + sex", "lung"),
    list("factor()", "Surv(time, status) ~ factor(ph.ecog) + age", "lung"),
    list("strata() alone", "Surv(time, status) ~ age + strata(sex)", "lung"),
    list("a*b num x num", "Surv(time, status) ~ age * ph.karno", "lung"),
    list("a*b factor x num", "Surv(time, status) ~ celltype * karno",
         "veteran"),
    list("offset", "Surv(time, status == 2) ~ bili + offset(log(age))",
         "pbc"),
    list("subset", "Surv(time, status) ~ age + sex", "lung",
         c(subset = "age > 50")),
    list("integer weights", "Surv(time, status) ~ age + sex", "lung",
         c(weights = "wi")),
    list("counting process", "Surv(start, stop, event) ~ rx + size",
         "bladder2"),
    list("na.exclude", "Surv(time, status) ~ age + ph.ecog", "lung",
         c(na.action = "na.exclude"))
  )
)

fp_core_cases <- function(fun) {
  lapply(fp_core[[fun]], function(x) {
    list(fun = fun, shape = x[[1L]], dataset = x[[3L]], formula = x[[2L]],
         args = if (length(x) > 3L) x[[4L]] else character(),
         data = fp_specs[[x[[3L]]]]$data, data_label = x[[3L]])
  })
}

# cases per function and their seeds
fp_n <- c(km = 80L, logrank = 60L, cox = 80L)
fp_seed <- c(km = 101L, logrank = 202L, cox = 303L)

for (fun in names(fp_n)) local({
  fun <- fun
  test_that(paste0(fun, "() equals its survival oracle or refuses, on ",
                   fp_n[[fun]], " generated formulas"), {
    core <- fp_core_cases(fun)
    core_res <- vapply(core, fp_run, character(1))
    expect(all(core_res == "equal"),
           paste0("core shapes of ", fun, "() that do not equal the oracle:\n",
                  paste0(vapply(core[core_res != "equal"], fp_label, ""),
                         "\n    -> ", core_res[core_res != "equal"],
                         collapse = "\n")))
    cases <- fp_generate(fun, fp_n[[fun]], fp_seed[[fun]], fp_specs)
    fails <- fp_failures(cases)
    res <- attr(fails, "results")
    expect(!length(fails),
           paste0(length(fails), " of ", length(cases), " generated ", fun,
                  "() formulas neither equal the oracle nor are refused:\n",
                  paste(fails, collapse = "\n")))
    # the generated cases must not all be refusals either
    expect(mean(res == "equal") >= 0.3,
           paste0("only ", sum(res == "equal"), " of ", length(res),
                  " generated ", fun, "() formulas give \"equal\""))
  })
})

test_that("check_formula() reports equal, refused and differences", {
  lung <- fp_specs$lung$data
  expect_identical(check_formula("cox", Surv(time, status) ~ age, lung),
                   "equal")
  expect_identical(check_formula(cohortsurv::km, Surv(time, status) ~ sex,
                                 lung, subset = age > 50), "equal")
  # both refuse a formula naming a column the data lack
  expect_identical(check_formula("logrank", Surv(time, status) ~ no_such,
                                 lung), "refused")
  # the comparison sees a difference
  expect_match(fp_compare_cox(list(coefficients = c(age = 1), var = 1,
                                   loglik = c(1, 2)),
                              structure(list(coefficients = c(age = 1.1),
                                             var = 1, loglik = c(1, 2)),
                                        class = "coxph"), 1e-8),
               "coefficients")
})
