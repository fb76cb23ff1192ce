# An error of class cohortsurv_error whose message matches `pattern` and
# whose `arg` field names the argument `arg`.
expect_arg_error <- function(expr, pattern, arg) {
  err <- expect_error(expr, pattern, class = "cohortsurv_error")
  expect_identical(err$arg, arg)
  invisible(err)
}
