# data-raw/dnmbc-experiments.R -- how far can the no-RT median go?
#
# Run from the package root: Rscript data-raw/dnmbc-experiments.R (~8 min).
# Re-uses the annealer of data-raw/dnmbc.R (everything before its final
# annealing run) with a different loss: every hard constraint, and the no-RT
# median as large as possible, nothing else. The reconstruction reaches 29
# months against the published 37; this run shows that even with nothing else
# to satisfy the search does not get it higher (a numerical finding, not a
# proof). Result on 2026-11-27: 29 months, all hard constraints held.
src <- readLines("data-raw/dnmbc.R")
end <- grep("^state <- list\\(time = pt\\$time", src) - 1
eval(parse(text = src[1:end]))
state0 <- list(time = pt$time, status = pt$status, margin = pt$margin, rt = pt$rt)
no_rt_only <- function(time, status, margin, rt) {
  sm <- summarise_state(time, status, margin, rt)
  m <- sm$med["No RT", 1]
  1000 * hard_loss(time, status, margin) + (if (is.na(m)) 0 else -m)
}
set.seed(3)
best <- anneal(state0, 20000, 10, 0.05, no_rt_only)
sm <- summarise_state(best$time, best$status, best$margin, best$rt)
cat("hard-constraint violations:", hard_loss(best$time, best$status, best$margin), "\n")
cat("largest no-RT median found:", sm$med["No RT", 1], "months\n")
