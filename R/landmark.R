# landmark(): the landmark data set of Anderson, Cain and Gelber (1983).

#' Landmark data set
#'
#' The data of a landmark analysis (Anderson, Cain and Gelber 1983): the
#' patients still at risk at the landmark time `at`, with their time
#' measured from the landmark, so that [km()], [logrank()] and [cox()] run
#' on it unchanged. A comparison by a treatment that is given during
#' follow-up (surgery versus none, say) is otherwise biased by immortal
#' time: patients must survive long enough to be treated. Classifying
#' patients by what they had received by the landmark and following them
#' from there removes that bias, at the price of the patients who had the
#' event before it.
#'
#' A patient is at risk at the landmark when the time is strictly after
#' `at`: an event at exactly `at` has happened by the landmark, and a
#' patient censored at `at` has no follow-up after it. Rows with a missing
#' time are dropped too (counted in the attribute). The other columns are
#' kept as they are; the grouping variable should describe the patients as
#' known at the landmark.
#'
#' @param data A data frame (a tibble or data.table works too; a data.table
#'   is returned as a data frame) with one row per patient.
#' @param time The name of the column of `data` holding the follow-up time,
#'   a string; it is replaced by the time since the landmark.
#' @param status The name of the column of `data` holding the status
#'   (0/1, `FALSE`/`TRUE` or 1/2, as in [survival::Surv()]); it is kept as
#'   it is and used to count the events before the landmark.
#' @param at The landmark time, a single non-negative number in the unit
#'   of `time`, before the last time of `data`.
#' @param ... Must be empty; present so that later options are named.
#' @returns The rows of `data` with `time > at`, their time replaced by
#'   `time - at`, with attributes `landmark` (the value of `at`) and
#'   `excluded` (a named vector: rows dropped in all, events and censorings
#'   at or before `at`, missing times).
#' @references
#' Anderson JR, Cain KC, Gelber RD (1983). Analysis of survival by tumor
#' response. *Journal of Clinical Oncology* 1, 710-719.
#' @examples
#' # surgery versus no surgery among patients alive at 6 months
#' lm6 <- landmark(dnmbc, time = "os_months", status = "death", at = 6)
#' attr(lm6, "excluded")
#' library(survival)
#' km(Surv(os_months, death) ~ surgery, data = lm6)
#' logrank(Surv(os_months, death) ~ surgery, data = lm6)
#' @export
landmark <- function(data, time, status, at, ...) {
  if (...length()) {
    cs_abort("landmark() takes no further arguments; `...` got ",
             ...length(), ".", arg = "...")
  }
  if (!is.data.frame(data)) {
    cs_abort("`data` must be a data frame.", arg = "data")
  }
  for (nm in c("time", "status")) {
    # a bare column name (os_months rather than "os_months") is not found
    v <- tryCatch(get(nm), error = function(e) NULL)
    if (!is.character(v) || length(v) != 1L || is.na(v)) {
      cs_abort("`", nm, "` must be the name of a column of `data`, a ",
               "string.", arg = nm)
    }
    check_column_names(v, nm, data)
  }
  if (missing(at) || !is.numeric(at) || length(at) != 1L || is.na(at) ||
      !is.finite(at) || at < 0) {
    cs_abort("`at` must be a single non-negative number.", arg = "at")
  }
  if (inherits(data, "data.table")) data <- as.data.frame(data)
  t <- data[[time]]
  s <- data[[status]]
  if (!is.numeric(t)) {
    cs_abort("`time`: column \"", time, "\" must be numeric.", arg = "time")
  }
  if (!(is.numeric(s) || is.logical(s))) {
    cs_abort("`status`: column \"", status, "\" must be numeric or ",
             "logical.", arg = "status")
  }
  ev <- as.numeric(s)
  if (is.numeric(s) && any(ev == 2, na.rm = TRUE)) ev <- ev - 1
  keep <- !is.na(t) & t > at
  if (!any(keep)) {
    cs_abort("`at` must be before the last time of `data` (",
             format(max(t, na.rm = TRUE), digits = 10),
             "); no patient is at risk at ", format(at, digits = 10), ".",
             arg = "at")
  }
  gone <- !keep & !is.na(t)
  excluded <- c(total = sum(!keep),
                events = sum(gone & !is.na(ev) & ev == 1),
                censored = sum(gone & !is.na(ev) & ev == 0),
                missing_time = sum(is.na(t)))
  out <- data[which(keep), , drop = FALSE]
  out[[time]] <- t[keep] - at
  attr(out, "landmark") <- at
  attr(out, "excluded") <- excluded
  out
}
