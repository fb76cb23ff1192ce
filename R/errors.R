# Conditions raised by cohortsurv -----------------------------------------
#
# Every condition the package raises is built here and classed, so that
# callers catch them by class (tryCatch(..., cohortsurv_error = ),
# withCallingHandlers(..., cohortsurv_warning_convergence = )) and tests
# check the class as well as the message; nothing matches message text.
#
#   cohortsurv_error      cs_abort()   invalid input
#   cohortsurv_warning    cs_warn()    with a subclass saying what happened:
#     cohortsurv_warning_no_events     no events: nothing can be estimated
#     cohortsurv_warning_convergence   cox(): iteration limit reached
#     cohortsurv_warning_monotone      cox(): an estimate may be infinite
#   cohortsurv_message    cs_inform()  a notice, with a subclass:
#     cohortsurv_message_collinear     cox(): aliased columns, coefficient NA

cs_abort <- function(..., arg = NULL, call = NULL, class = NULL) {
  msg <- paste0(...)
  cond <- structure(
    class = c(class, "cohortsurv_error", "error", "condition"),
    list(message = msg, call = call, arg = arg)
  )
  stop(cond)
}

cs_warn <- function(..., class = NULL) {
  msg <- paste0(...)
  cond <- structure(
    class = c(class, "cohortsurv_warning", "warning", "condition"),
    list(message = msg, call = NULL)
  )
  warning(cond)
}

# A classed notice; like message(), the text ends in a newline.
cs_inform <- function(..., class = NULL) {
  msg <- paste0(..., "\n")
  cond <- structure(
    class = c(class, "cohortsurv_message", "message", "condition"),
    list(message = msg, call = NULL)
  )
  message(cond)
}

# Format a value for an error message: numbers as R prints them, strings
# quoted.
fmt_value <- function(x) {
  if (is.character(x) || is.factor(x)) {
    return(paste0("\"", as.character(x), "\""))
  }
  format(x, digits = 7)
}

# "row 12 is -3" for the first offending element of `bad` (logical).
first_bad <- function(x, bad, rows = NULL) {
  i <- which(bad)[1L]
  r <- if (is.null(rows)) i else rows[i]
  paste0("row ", r, " is ", fmt_value(x[i]))
}

# Abort when any element is flagged in `bad` (a logical vector without NA),
# naming the argument and the first offending row:
#   "`weights` must be finite and non-negative; row 3 is -1."
abort_first_bad <- function(x, bad, arg, must, label = paste0("`", arg, "`"),
                            rows = NULL) {
  if (any(bad)) {
    cs_abort(label, " must be ", must, "; ", first_bad(x, bad, rows), ".",
             arg = arg)
  }
  invisible(TRUE)
}

# Abort unless every element of `x` names a column of `data`.
check_column_names <- function(x, arg, data) {
  bad <- setdiff(x, names(data))
  if (length(bad)) {
    cs_abort("`", arg, "` must name columns of `data`; \"", bad[1L],
             "\" is not one.", arg = arg)
  }
  invisible(TRUE)
}

check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    cs_abort("`", arg, "` must be TRUE or FALSE.", arg = arg)
  }
  invisible(x)
}

check_probability <- function(x, arg) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x <= 0 || x >= 1) {
    cs_abort("`", arg, "` must be a single number strictly between 0 and 1",
             if (length(x) == 1L && !is.na(suppressWarnings(as.numeric(x))))
               paste0("; it is ", fmt_value(x)), ".", arg = arg)
  }
  invisible(x)
}
