#' cohortsurv: fast survival analysis for clinical cohort studies
#'
#' Kaplan-Meier curves ([km()]), log-rank tests and stratified Cox models,
#' computed by C++ kernels and returned as tidy data frames, plus the
#' reporting pieces of a cohort study.
#'
#' @keywords internal
#' @useDynLib cohortsurv, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom survival Surv strata
#' @importFrom graphics plot
#' @importFrom grDevices dev.off
"_PACKAGE"
