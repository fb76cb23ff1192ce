# The shared front end: the fast model-frame path must build exactly what
# stats::model.frame() builds, and validation must name argument and row.

frame_of <- function(formula, data, weights = NULL, subset, na.action) {
  cohortsurv:::surv_frame(match.call(expand.dots = FALSE), parent.frame())
}
# a na.action that is not na.omit itself forces the model.frame() path
slow_omit <- function(object, ...) stats::na.omit(object, ...)

expect_same_frame <- function(a, b) {
  expect_equal(a$y, b$y)
  expect_equal(a$weights, b$weights)
  expect_equal(a$n_dropped, b$n_dropped)
  expect_equal(a$type, b$type)
  expect_equal(unclass(a$na_action), unclass(b$na_action))
  expect_equal(names(a$mf), names(b$mf))
  for (j in seq_along(a$mf)) {
    expect_equal(unclass(a$mf[[j]]), unclass(b$mf[[j]]))
  }
  expect_equal(as.character(a$rows), as.character(b$rows))
  expect_equal(stats::model.matrix(a$terms, a$mf),
               stats::model.matrix(b$terms, b$mf))
}

test_that("the fast frame equals model.frame() on assorted formulas", {
  lung2 <- lung
  lung2$sex <- factor(lung2$sex, levels = 1:3)   # an unused level
  lung2$grp <- ifelse(lung2$age > 60, "old", "young")
  rownames(lung2) <- paste0("p", seq_len(nrow(lung2)))
  expect_same_frame(
    frame_of(Surv(time, status) ~ sex + strata(ph.ecog), lung2,
             weights = age, subset = age > 50),
    frame_of(Surv(time, status) ~ sex + strata(ph.ecog), lung2,
             weights = age, subset = age > 50, na.action = slow_omit))
  expect_same_frame(
    frame_of(Surv(time, status) ~ grp + strata(sex, ph.ecog), lung2),
    frame_of(Surv(time, status) ~ grp + strata(sex, ph.ecog), lung2,
             na.action = slow_omit))
  expect_same_frame(frame_of(Surv(time, status) ~ 1, lung),
                    frame_of(Surv(time, status) ~ 1, lung, na.action = slow_omit))
  d <- random_surv(100, seed = 2, counting = TRUE)
  d$status[3] <- NA
  expect_same_frame(
    frame_of(Surv(start, time, status) ~ group, d, weights = fw),
    frame_of(Surv(start, time, status) ~ group, d, weights = fw,
             na.action = slow_omit))
  a <- frame_of(Surv(time, status) ~ ph.ecog, lung, na.action = na.exclude)
  expect_s3_class(a$na_action, "exclude")
  expect_error(frame_of(Surv(time, status) ~ ph.ecog, lung, na.action = na.fail),
               "missing values", class = "cohortsurv_error")
})

test_that("the frame codes 1/2 and logical status as 0/1", {
  d <- data.frame(t = 1:4, s = c(1, 2, 2, 1), l = c(FALSE, TRUE, TRUE, FALSE))
  expect_equal(frame_of(Surv(t, s) ~ 1, d)$y[, "status"], c(0, 1, 1, 0))
  expect_equal(frame_of(Surv(t, l) ~ 1, d)$y[, "status"], c(0, 1, 1, 0))
  # as in Surv(), the coding is a property of the column: a subset without
  # any 2 is still coded 1/2, on both the fast and the model.frame() path
  a <- frame_of(Surv(t, s) ~ 1, d, subset = s == 1)
  expect_equal(a$y[, "status"], c(0, 0))
  expect_same_frame(a, frame_of(Surv(t, s) ~ 1, d, subset = s == 1,
                                na.action = slow_omit))
  expect_equal(km(Surv(t, s) ~ 1, d, subset = s == 1)$table$events, 0)
  # integer and double columns of the same values give the same frame
  di <- data.frame(t = 1:4, s = c(1L, 2L, 2L, 1L))
  expect_same_frame(frame_of(Surv(t, s) ~ 1, di), frame_of(Surv(t, s) ~ 1, d))
  expect_error(frame_of(Surv(t, s) ~ 1, data.frame(t = 1:3, s = c(0, 0.5, 1))),
               "`status` \\(s\\) must be coded 0/1.*row 2 is 0.5",
               class = "cohortsurv_error")
})

test_that("tibbles give the same frame as data frames", {
  skip_if_not_installed("tibble")
  d <- random_surv(50, seed = 4)
  ref <- frame_of(Surv(time, status) ~ group, d)
  expect_equal(frame_of(Surv(time, status) ~ group, tibble::as_tibble(d))$y,
               ref$y)
})

test_that("data.tables give the same frame as data frames", {
  skip_if_not_installed("data.table")
  d <- random_surv(50, seed = 4)
  ref <- frame_of(Surv(time, status) ~ group, d)
  expect_equal(frame_of(Surv(time, status) ~ group,
                        data.table::as.data.table(d))$y, ref$y)
})

test_that("the front end names the argument that is wrong", {
  d <- data.frame(t = c(1, 2), s = c(1, 0), t = c(3, 4), check.names = FALSE)
  expect_error(frame_of(Surv(t, s) ~ 1, d), "more than one column named `t`",
               class = "cohortsurv_error")
  expect_error(frame_of(~ x, data.frame(x = 1)), "two-sided formula",
               class = "cohortsurv_error")
  expect_error(frame_of(Surv(t, s, type = "left") ~ 1, data.frame(t = 1, s = 1)),
               "not supported", class = "cohortsurv_error")
  # Surv(time) without a status: every row an event, as survival reads it
  expect_equal(unclass(frame_of(Surv(t) ~ 1, data.frame(t = 1:2))$y)[, 2],
               c(1, 1))
  expect_error(frame_of(Surv(t, s) ~ 1, data.frame(t = 1:2, s = c(1, 0)),
                        subset = "yes"), "`subset` must be a logical",
               class = "cohortsurv_error")
  expect_error(frame_of(Surv(t, s) ~ 1, data.frame(t = 1:2, s = c(1, 0)),
                        weights = c("a", "b")), "`weights` must be a numeric",
               class = "cohortsurv_error")
  expect_error(frame_of(Surv(t, s) ~ 1, data.frame(t = 1:2, s = factor(c(1, 0)))),
               "`status` \\(s\\) must be 0/1, TRUE/FALSE or 1/2; it is factor",
               class = "cohortsurv_error")
})

test_that("NaN in a strata() variable drops the row like NA (not a stratum)", {
  d <- lung
  d$ph.ecog[c(3, 7)] <- NaN
  a <- frame_of(Surv(time, status) ~ strata(ph.ecog), d)
  expect_equal(a$n_dropped, 3L)   # the two NaN and lung's own NA
  expect_false(any(grepl("NaN", levels(a$mf[["strata(ph.ecog)"]]))))
})

test_that("surv_col() reads start, stop and status by position", {
  r <- Surv(c(5, 3), c(1, 0))
  cp <- Surv(c(0, 1), c(5, 3), c(1, 0))
  sc <- cohortsurv:::surv_col
  expect_identical(sc(r, "stop"), c(5, 3))
  expect_identical(sc(r, "status"), c(1, 0))
  expect_identical(sc(cp, "start"), c(0, 1))
  expect_identical(sc(cp, "stop"), c(5, 3))
  expect_identical(sc(cp, "status"), c(1, 0))
  expect_identical(sc(cbind(stop = c(2, 4), status = c(0, 1)), "stop"), c(2, 4))
  # the frame's response is the Surv object itself, coded 0/1, in double
  y <- frame_of(Surv(time, status) ~ sex, lung)$y
  expect_s3_class(y, "Surv")
  expect_type(unclass(y), "double")
  expect_identical(sc(y, "status"), as.double(lung$status - 1))
})

test_that("any_missing() agrees with anyNA() on factors and other vectors", {
  am <- cohortsurv:::any_missing
  f <- factor(c("a", "b", "a"), levels = c("a", "b", "c"))
  expect_false(am(f))
  f[2] <- NA
  expect_true(am(f))
  expect_true(am(factor(c(NA, "x"))))
  expect_false(am(factor(character())))
  expect_identical(am(c(1, NaN)), TRUE)
  expect_identical(am(c(1L, 2L)), FALSE)
  expect_identical(am(c("a", NA)), TRUE)
})

test_that("the fast frame equals model.frame() on computed, logical and character terms", {
  l2 <- lung
  l2$grp <- ifelse(l2$age > 60, "old", ifelse(l2$age < 50, NA, "young"))
  l2$lg <- l2$age > 60
  l2$ch <- as.character(l2$ph.ecog)
  rownames(l2) <- paste0("p", seq_len(nrow(l2)))
  forms <- list(
    Surv(time, status) ~ I(sex == 1),
    Surv(time, status) ~ grp + strata(sex),
    Surv(time, status) ~ lg + ch,
    Surv(time, status) ~ factor(ph.ecog) + interaction(sex, lg),
    Surv(time, status) ~ log(age) + cut(age, 3),
    Surv(time, status) ~ I(ph.karno > 70) * sex
  )
  for (f in forms) {
    environment(f) <- environment()
    a <- frame_of(f, l2, subset = age > 50, weights = age)
    b <- frame_of(f, l2, subset = age > 50, weights = age,
                  na.action = slow_omit)
    expect_same_frame(a, b)
    for (j in seq_along(a$mf)) expect_identical(a$mf[[j]], b$mf[[j]])
    expect_same_frame(frame_of(f, l2, na.action = na.exclude),
                      frame_of(f, l2, na.action = function(o, ...)
                        stats::na.exclude(o, ...)))
  }
  # a term that is not one plain column per row takes the general path
  f <- Surv(time, status) ~ poly(age, 2)
  expect_same_frame(frame_of(f, lung), frame_of(f, lung, na.action = slow_omit))
})

test_that("fast_factor() equals factor()", {
  for (x in list(c(TRUE, FALSE, TRUE), c(a = TRUE, b = TRUE), I(c(2, 1, 2)),
                 c("b", "a", "B", "a"), c(a = 1.5, b = 0.1), c(0.1 + 0.2, 0.3),
                 c(1, NA, 2), as.Date("2020-01-01") + c(3, 1), 3:1, character())) {
    expect_identical(cohortsurv:::fast_factor(x), factor(x))
  }
})

test_that("integer codes by counting equal those by match()", {
  set.seed(3)
  for (x in list(c(3L, 1L, 3L), sample(1:4, 1000, TRUE), c(-5L, 7L, 0L),
                 c(a = 2L, b = 1L), 5L, c(.Machine$integer.max, 1L),
                 c(-.Machine$integer.max, 0L, -.Machine$integer.max))) {
    expect_identical(cohortsurv:::fast_factor(x), factor(x))
    u <- sort(unique(x))
    expect_identical(cohortsurv:::fast_strata1(x, "s"),
                     structure(match(x, u), levels = paste0("s=", u),
                               class = "factor"))
  }
})

test_that("integer coding by counting equals match() on the sorted values", {
  # int_codes() and value_range() on integer vectors run in C++
  # (src/codes.cpp): the same codes, levels and ranges as the R idioms
  set.seed(12)
  cases <- list(1L, c(-5L, 7L, 7L, -5L, 0L), sample(-3:3, 100, TRUE),
                c(.Machine$integer.max, -.Machine$integer.max),
                sample.int(1e6, 1000), 5:1, c(2L, NA, 2L))
  for (v in cases) {
    ic <- int_codes(v)
    span <- as.double(max(v, na.rm = TRUE)) - min(v, na.rm = TRUE) + 1
    if (anyNA(v) || span > max(65536, length(v))) {
      expect_null(ic)
    } else {
      u <- sort(unique(v))
      expect_identical(ic$code, match(v, u))
      expect_identical(ic$values, u)
    }
    r <- value_range(v)
    expect_identical(unname(r[c("min", "max")]),
                     c(min(v, na.rm = TRUE), max(v, na.rm = TRUE)) + 0)
    expect_identical(unname(r["n_na"]), as.double(sum(is.na(v))))
  }
  expect_null(int_codes(integer()))
  expect_identical(unname(value_range(c(NA_integer_, NA_integer_))),
                   c(NA, NA, 1, 2))
})

test_that("fast_factor() codes character vectors exactly as factor() does", {
  ff <- cohortsurv:::fast_factor
  set.seed(3)
  pool <- c("a", "B", "b", "A", "", " ", "_x", "Z9", "z10", "z9", "10", "9",
            "a.b", "\u00e9", "e")
  for (i in 1:300) {
    k <- sample(length(pool), 1)
    x <- sample(pool[seq_len(k)], sample(0:40, 1), replace = TRUE)
    if (length(x) && i %% 5 == 0) names(x) <- paste0("r", seq_along(x))
    if (i %% 7 == 0) x <- I(x)
    expect_identical(ff(x), factor(x))
  }
  x <- c("b", NA, "a")
  expect_identical(ff(x), factor(x))
})

test_that("factor() and interaction() of columns in a formula give what base R gives", {
  set.seed(4)
  d <- data.frame(time = sample(1:50, 80, replace = TRUE),
                  status = rbinom(80, 1, 0.6),
                  g = factor(sample(c("b", "a", "c"), 80, replace = TRUE),
                             levels = c("c", "b", "a", "unused")),
                  s = sample(c(3L, 1L, 7L), 80, replace = TRUE),
                  x = sample(c(0.5, 2, NA), 80, replace = TRUE),
                  u = sample(c("x.y", "x"), 80, replace = TRUE),
                  v = sample(c("z", "y.z"), 80, replace = TRUE))
  frame <- function(f) {
    sf <- cohortsurv:::surv_frame(
      call("km", formula = f, data = quote(d)), environment())
    mf <- stats::model.frame(f, d, drop.unused.levels = TRUE)
    expect_identical(unclass(sf$mf)[-1L], unclass(mf)[-1L])
  }
  frame(Surv(time, status) ~ factor(s))
  frame(Surv(time, status) ~ factor(x))
  frame(Surv(time, status) ~ interaction(g, s))
  frame(Surv(time, status) ~ interaction(s, x, g))
  frame(Surv(time, status) ~ interaction(u, v))
  # a user's own factor() is called, not replaced
  factor <- function(x) base::factor(x, levels = rev(sort(unique(x))))
  f <- Surv(time, status) ~ factor(s)
  sf <- cohortsurv:::surv_frame(call("km", formula = f, data = quote(d)),
                                environment())
  expect_identical(levels(sf$mf[["factor(s)"]]), c("7", "3", "1"))
})

test_that("clean Surv() arguments are accepted in one step, with the codes Surv() reads", {
  chk <- cohortsurv:::cpp_surv_check
  expect_identical(chk(NULL, c(1, 2), c(0L, 1L)), c(0, 1))
  expect_identical(chk(NULL, c(1L, NA), c(1, 2)), c(1, 2))
  expect_identical(chk(NULL, c(1, 2), c(TRUE, FALSE)), c(0, 1))
  expect_identical(chk(NULL, c(1, 2), c(NA, NA)), c(0, 1))
  expect_identical(chk(c(0, NA), c(1, 2), c(0, 1)), c(0, 1))
  # anything else goes to the R checks, which name the problem
  expect_null(chk(NULL, c(1, -1), c(0, 1)))
  expect_null(chk(NULL, c(1, Inf), c(0, 1)))
  expect_null(chk(NULL, c(1, 2), c(0, 3)))
  expect_null(chk(NULL, c(1, 2), c(0, 0.5)))
  expect_null(chk(c(0, 2), c(1, 2), c(0, 1)))
  expect_null(chk(NULL, factor(1:2), c(0, 1)))
  expect_null(chk(NULL, c(1, 2), factor(0:1)))
  expect_null(chk(NULL, c(1, 2), c("0", "1")))
  d <- data.frame(time = c(1, 2, 3, 4), status = c(1, 2, 2, 1))
  expect_identical(km(Surv(time, status) ~ 1, data = d)$curves,
                   km(Surv(time, status - 1) ~ 1, data = d)$curves)
})

test_that("character codes in one C++ pass are match(x, unique(x)), also when the hash index grows", {
  set.seed(16)
  for (k in c(1, 3, 70, 5000, 50000)) {
    x <- sample(paste0("v", seq_len(k)), 1e5, replace = TRUE)
    r <- cohortsurv:::cpp_chr_codes(x)
    u <- unique(x)
    expect_identical(r$values, u)
    expect_identical(r$code, match(x, u))
  }
  expect_null(cohortsurv:::cpp_chr_codes(c("a", NA)))
  expect_null(cohortsurv:::cpp_chr_codes(c("a", "\u00e9")))
})
