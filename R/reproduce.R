#' Re-run the analysis and write its results
#'
#' The package's main job, run by `make reproduce`. It fits the
#' Kaplan-Meier curves of the example data and writes the curves, the
#' per-group table (medians with both kinds of confidence interval) and the
#' number-at-risk table as CSV files.
#'
#' @param dir Directory to write into; created if needed.
#' @param quiet If `TRUE`, print nothing.
#' @returns The paths of the files written, invisibly.
#' @examples
#' out <- reproduce_paper(file.path(tempdir(), "cohortsurv-output"))
#' basename(out)
#' @export
reproduce_paper <- function(dir = "output", quiet = FALSE) {
  if (!is.character(dir) || length(dir) != 1L || is.na(dir)) {
    cs_abort("`dir` must be a single directory path.", arg = "dir")
  }
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  say <- function(...) if (!quiet) cat(..., "\n", sep = "")
  lung <- survival::lung
  files <- character()
  write <- function(x, name) {
    path <- file.path(dir, name)
    utils::write.csv(x, path, row.names = FALSE)
    say("  wrote ", path)
    files <<- c(files, path)
  }
  say("[1/2] Kaplan-Meier curves by sex (survival::lung)")
  fit <- km(Surv(time, status) ~ sex, data = lung)
  sym <- km(Surv(time, status) ~ sex, data = lung, median_ci = "symmetric")
  write(fit$curves, "km_lung_curves.csv")
  tab <- fit$table
  tab$median_lower_symmetric <- sym$table$median_lower
  tab$median_upper_symmetric <- sym$table$median_upper
  write(tab, "km_lung_table.csv")
  say("[2/2] Number at risk every 90 days")
  write(summary(fit, times = seq(0, 990, 90)), "km_lung_at_risk.csv")
  invisible(files)
}
