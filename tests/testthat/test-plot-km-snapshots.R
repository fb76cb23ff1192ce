# vdiffr snapshots of the Kaplan-Meier figure types, on fixed data. A
# change in any of them fails until the new picture is reviewed and
# accepted with testthat::snapshot_review().

# A writer for expect_doppelganger() drawing on a `width` x `height` inch
# device (vdiffr's default is 10 x 8).
svg_writer <- function(width, height) {
  function(plot, file, title = "") {
    vdiffr:::svglite(file, width = width, height = height)
    on.exit(grDevices::dev.off())
    plot()
  }
}

km_snapshot <- function(title, expr, width = 7, height = 6) {
  env <- parent.frame()
  fig <- function() invisible(eval(expr, env))
  # cran = TRUE: compared wherever the tests run (vdiffr's device has its
  # own fixed font metrics), not only when NOT_CRAN is set
  vdiffr::expect_doppelganger(title, fig, writer = svg_writer(width, height),
                              cran = TRUE)
}

test_that("Kaplan-Meier figures look as reviewed", {
  skip_if_not_installed("vdiffr")
  colon2 <- colon[colon$etype == 2, ]
  km_snapshot("two curves", quote(
    plot(km(Surv(time, status) ~ sex, data = lung),
         labels = c("Male", "Female"), xlab = "Days")))
  km_snapshot("eighteen curves", quote(
    plot(km(Surv(time, status) ~ inst, data = lung))))
  km_snapshot("eighteen curves without risk table", quote(
    plot(km(Surv(time, status) ~ inst, data = lung), risk_table = FALSE)))
  km_snapshot("veteran annotated", quote(
    plot(km(Surv(time, status) ~ celltype, data = veteran),
         annotate = "Log-rank P < .0001")))
  d <- colon2
  d$arm <- factor(d$rx, labels = c(
    "Observation only, no adjuvant therapy",
    "Levamisole alone for one year after surgery",
    "Levamisole plus fluorouracil for one year after surgery"))
  km_snapshot("long labels", quote(
    plot(km(Surv(time, status) ~ arm, data = d))))
  km_snapshot("small device", quote(
    plot(km(Surv(time, status) ~ rx, data = colon2),
         times = seq(0, 3300, 300))), width = 4, height = 3.5)
  km_snapshot("days axis in years", quote(
    plot(km(Surv(time, status) ~ rx, data = colon2), xscale = 365.25)))
  km_snapshot("direct labels", quote(
    plot(km(Surv(time, status) ~ rx, data = colon2), legend = "direct",
         xscale = 365.25)))
  km_snapshot("xlim crop", quote(
    plot(km(Surv(time, status) ~ rx, data = colon2), xlim = c(0, 500))))
  km_snapshot("ovarian medians bands", quote(
    plot(km(Surv(futime, fustat) ~ rx, data = ovarian), median_lines = TRUE,
         conf_int = TRUE)))
  for (what in c("events", "censored", "cum_events")) {
    km_snapshot(paste("risk table", what), bquote(
      plot(km(Surv(time, status) ~ rx, data = colon2), risk_table = .(what),
           xscale = 365.25)))
  }
  km_snapshot("pval", quote(
    plot(km(Surv(time, status) ~ sex + strata(ph.ecog), data = lung),
         pval = TRUE)))
  km_snapshot("paper figure 1", quote(
    plot(km(Surv(os_months, death) ~ group, data = dnmbc),
         times = seq(0, 135, 15), xlab = "Months", ylab = "Overall survival",
         annotate = c(format_hr(0.47, 0.33, 0.69, prefix = TRUE),
                      paste("Log-rank", format_p(1e-5, prefix = TRUE))),
         main = "Figure 1. LRT vs STA")))
})
