#' Reconstructed de novo metastatic breast cancer cohort (dnMBC)
#'
#' A cohort of 153 women with de novo metastatic breast cancer, 87 treated
#' with locoregional therapy (LRT: surgery of the primary tumour and/or
#' radiotherapy) and 66 with systemic therapy alone (STA), **reconstructed
#' from the published aggregates** of Sun et al. (2020). The patient records
#' of that study are not public; these rows are not them. They are one data
#' set that agrees exactly with every count the paper prints and comes as
#' close as those counts allow to its estimates, so that every table and
#' figure of the paper can be re-run.
#'
#' @format A data frame with 153 rows, one per patient, and 19 columns:
#' \describe{
#'   \item{id}{Patient number, 1 to 153, in order of year of diagnosis.}
#'   \item{group}{Treatment group, factor `STA` (reference), `LRT`.}
#'   \item{surgery}{Surgery of the primary tumour, factor `no`, `yes`
#'     (78 yes, all in LRT).}
#'   \item{timing}{Timing of surgery relative to chemotherapy, factor `SBC`
#'     (before), `SDC` (during), `SAC` (after), in chronological order so
#'     that `as.integer(timing)` is the ordinal covariate of the paper's
#'     trend hazard ratio; `NA` without surgery.}
#'   \item{margin}{Surgical margins, factor `Negative`, `Positive`,
#'     `Unknown`; `NA` without surgery.}
#'   \item{surgery_type}{Factor `Mastectomy`, `Lumpectomy`; `NA` without
#'     surgery.}
#'   \item{radiotherapy}{Radiotherapy of the primary tumour, factor `no`,
#'     `yes` (38 yes, 9 of them without surgery).}
#'   \item{age}{Age at diagnosis in years (one decimal), 26 to 82, median
#'     55.8.}
#'   \item{age_group}{Factor `<=50`, `>50`.}
#'   \item{tumor_size}{Primary tumour size in cm, factor `<=5`, `>5`.}
#'   \item{nodal}{Regional nodal status, factor `N0` to `N3`.}
#'   \item{ki67}{Ki-67 index (threshold 20%), factor `<=20%`, `>20%`,
#'     `Unknown`.}
#'   \item{met_site}{Metastatic sites, factor `Bone only`, `Viscera only`,
#'     `Multi-organ`.}
#'   \item{subtype}{Molecular subtype, factor `Luminal A`, `Luminal B`,
#'     `HER-2 positive`, `Triple negative`, `Unknown`.}
#'   \item{hr_status}{Hormone receptor status, factor `Negative`,
#'     `Positive`.}
#'   \item{her2}{HER-2 expression, factor `Negative`, `Positive`,
#'     `Unknown`.}
#'   \item{year_dx}{Year of diagnosis, 2007 to 2017.}
#'   \item{os_months}{Overall survival: whole months from diagnosis to death
#'     or to the data cut-off, 31 December 2017 (5 to 128).}
#'   \item{death}{1 if the patient died before the cut-off (118 deaths:
#'     64 LRT, 54 STA), 0 if alive at the cut-off.}
#' }
#'
#' @details
#' **What holds exactly.** Every number at risk printed under Figures 1 to
#' 5 of the paper (LRT / STA, surgery / no surgery, the three surgical
#' timings, the three margin states, radiotherapy / none, at 0, 15, ...,
#' 135 months), as `summary(km(...), times = seq(0, 135, 15))` computes
#' them; the 118 deaths (64 / 54); every count of Table 1 (by LRT / STA) and
#' Table 2 (by timing of surgery, among the 78 operated patients), with one
#' resolution where the paper contradicts itself (Table 1's two LRT patients
#' of unknown subtype are taken as three, as its printed 3.4% and Table 2
#' say, and its nine LRT triple-negative patients as eight); follow-up 5 to
#' 128 months; age 26 to 82 with median 55.8.
#'
#' **Follow-up.** The paper's median follow-up of 33 months is reproduced as
#' the median of `os_months` among the 35 patients alive at the cut-off
#' (the "median follow-up of survivors"). It cannot be the median of
#' `os_months` over all 153 patients: the numbers at risk put 87 of them
#' below 30 months. Survivors are censored administratively at 31 December
#' 2017, so `os_months` of a survivor is the number of whole months from
#' the month of diagnosis to December 2017 and fixes `year_dx`; for the
#' patients who died, `year_dx` is drawn assuming uniform accrual from
#' March 2007, among the months of diagnosis that leave room for their
#' survival time before the cut-off.
#'
#' **How it was reconstructed.** The nested number-at-risk tables give the
#' 15-month interval in which each treatment cell's patients leave
#' follow-up. A seeded simulated annealing then chose, within those
#' intervals, the month of each exit, whether it is a death, and the margin
#' and radiotherapy of each operated patient, holding all hard constraints
#' and bringing the published medians (with their symmetric 95% intervals),
#' hazard ratios (Breslow ties) and p-values as close as the constraints
#' allow. Covariates were dealt within treatment cells to match Tables 1 and
#' 2, then rearranged to respect biology (triple negative is HR- and
#' HER-2-, luminal A is HR+ and HER-2-, HER-2 positive is HR- and HER-2+).
#' Only three patients break it, because Table 2 does: among surgery during
#' chemotherapy it lists 16 luminal tumours but 13 HR-positive ones, so
#' three luminal B patients there are HR-negative. Metastatic site was
#' arranged so that the Cox model stratified by it (the paper's strata are
#' not named) gives the published LRT versus STA hazard ratio. Covariates
#' other than these carry no association with survival beyond chance.
#' The script is `data-raw/dnmbc.R` in the package sources; the vignette
#' `vignette("reconstruction", package = "cohortsurv")` verifies every
#' constraint, lists every contradiction in the paper and compares every
#' published estimate with its reconstructed value.
#'
#' @md
#' @source Sun J, Kong L, Feng N, Liu H, Ren C (2020). Locoregional treatment
#'   in de novo metastatic breast cancer: a retrospective cohort study.
#'   Research Square preprint, \doi{10.21203/rs.3.rs-70080/v1}. Licensed
#'   under the Creative Commons Attribution 4.0 International License
#'   (CC BY 4.0, <https://creativecommons.org/licenses/by/4.0/>); the
#'   published tables are shipped in `system.file("extdata", package =
#'   "cohortsurv")`. The reconstruction is derived from, and not endorsed
#'   by, the authors of that work.
#'
#' @examples
#' str(dnmbc)
#' fit <- km(Surv(os_months, death) ~ group, data = dnmbc)
#' fit
#' summary(fit, times = seq(0, 135, 15))
"dnmbc"
