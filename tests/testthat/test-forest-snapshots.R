# vdiffr snapshots of the forest-plot types, on fixed data (reviewed as PNG
# before they were accepted). A change fails until the new picture is
# reviewed with testthat::snapshot_review().

forest_snapshot <- function(title, fig, width = 7, height = 6) {
  writer <- function(plot, file, title = "") {
    vdiffr:::svglite(file, width = width, height = height)
    on.exit(grDevices::dev.off())
    plot()
  }
  vdiffr::expect_doppelganger(title, fig, writer = writer, cran = TRUE)
}

test_that("forest plots look as reviewed", {
  skip_if_not_installed("vdiffr")
  x <- data.frame(
    subgroup = c("Overall", "Age", "Age", "Sites", "Sites", "Sites"),
    level = c("All patients", "<= 50", "> 50", "Bone only", "Viscera only",
              "Multi-organ"),
    n = c(153, 53, 100, 55, 52, 46), events = c(118, 40, 78, 38, 42, 38),
    hr = c(0.47, 0.52, 0.45, 0.41, 0.55, NA),
    lower = c(0.33, 0.27, 0.29, 0.20, 0.30, NA),
    upper = c(0.69, 1.00, 0.70, 0.84, 1.01, NA),
    p_interaction = c(NA, 0.71, 0.71, 0.62, 0.62, 0.62))
  forest_snapshot("subgroups with a non-estimable row", function()
    forest_plot(x, favours = c("LRT better", "STA better")))
  forest_snapshot("subgroups at 4 x 3.5 inches", function()
    forest_plot(x, favours = c("LRT better", "STA better")),
    width = 4, height = 3.5)
  d <- transform(survival::lung, sex = factor(sex, 1:2, c("Male", "Female")),
                 ecog = factor(ph.ecog))
  fit <- cox(Surv(time, status) ~ age + sex + ecog, data = d)
  forest_snapshot("multivariable cox fit", function()
    forest_plot(fit, labels = c(age = "Age (per year)", sex = "Sex",
                                ecog = "ECOG performance status")))
})
