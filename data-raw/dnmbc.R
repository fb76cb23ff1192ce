# data-raw/dnmbc.R -- reconstruct the dnMBC cohort from the published aggregates
#
# Run from the package root, with cohortsurv installed (the medians and
# their symmetric intervals come from its km_fit()):
#   Rscript data-raw/dnmbc.R          (about 8 minutes)
# Reads inst/extdata/{at_risk,table1,table2,estimates}.csv, writes
# data/dnmbc.rda. Deterministic: every random step draws from one seeded
# stream (set.seed below), so a re-run gives the identical data set.
#
# Source: Sun J, Kong L, Feng N, Liu H, Ren C (2020). Locoregional treatment in
# de novo metastatic breast cancer: a retrospective cohort study. Research
# Square preprint, doi:10.21203/rs.3.rs-70080/v1, licensed CC BY 4.0.
#
# Outline
#   1. Exit intervals. The number-at-risk tables of Figures 1-5 fix, for every
#      group, how many patients leave follow-up in each 15-month interval
#      [15j, 15j + 15). The groups are nested partitions of the same 153
#      patients (STA 66 | radiotherapy-only 9 | surgery 78; surgery split by
#      timing, by margin and by radiotherapy), so they give the interval of
#      every treatment cell; the tables are mutually consistent (checked).
#   2. Times and outcomes (simulated annealing, seeded). Each patient gets an
#      integer number of months inside its interval and a death / censoring
#      flag; surgical patients get a margin and a radiotherapy flag (swapped
#      only between patients of the same interval, so the Figure 4 and 5
#      tables always hold). Hard constraints enter the loss with a weight
#      large enough that the final state satisfies them exactly (checked at
#      the end): deaths 64 LRT / 54 STA, timing x margin of Table 2,
#      follow-up range 5-128, median follow-up 33 (median time of the 35
#      patients alive at the cut-off). Soft targets (medians and their
#      symmetric CIs, hazard ratios, p-values) enter as squared distances.
#   3. Covariates. Within each treatment cell (STA, RT only, SAC, SBC, SDC)
#      the one-way counts of Tables 1 and 2 are dealt out at random; the
#      linked triple subtype / HR / HER-2 is then rearranged by a small local
#      search that minimises biological contradictions (triple negative =>
#      HR- and HER-2-, luminal A => HR+ and HER-2-, luminal B => HR+,
#      HER-2 positive subtype => HR- and HER-2+). Metastatic site is then
#      rearranged within cells so the Cox model stratified by it gives the
#      published LRT vs STA hazard ratio.
#   4. Ages (one decimal) with range 26-82 and median 55.8; year of diagnosis
#      from the administrative censoring date (31 Dec 2017) for survivors and,
#      under uniform accrual, from the feasible months for those who died.
#   5. Every hard constraint is re-checked (the script stops if one fails)
#      and the data set is saved.

stopifnot(file.exists("DESCRIPTION"), dir.exists("inst/extdata"))
set.seed(20200908)  # the posting date of the preprint

ext <- "inst/extdata"
at_risk <- read.csv(file.path(ext, "at_risk.csv"), stringsAsFactors = FALSE)
table1 <- read.csv(file.path(ext, "table1.csv"), stringsAsFactors = FALSE)
table2 <- read.csv(file.path(ext, "table2.csv"), stringsAsFactors = FALSE)
estimates <- read.csv(file.path(ext, "estimates.csv"), stringsAsFactors = FALSE)

TMAX <- 135L           # integer months 0..134
BREAKS <- seq(0, 135, 15)
NJ <- length(BREAKS) - 1L   # 9 exit intervals

# ---------------------------------------------------------------------------
# 1. Exit intervals from the number-at-risk tables
# ---------------------------------------------------------------------------
risk <- function(fig, grp) {
  r <- at_risk[at_risk$figure == fig & at_risk$group == grp, ]
  r$n_risk[order(r$time)]
}
# exits in [15j, 15j + 15) = n(15j) - n(15j + 15); the last row is 0 at 135
exits <- function(fig, grp) -diff(risk(fig, grp))

ex <- list(
  STA = exits("Figure 1", "STA"), LRT = exits("Figure 1", "LRT"),
  NOSURG = exits("Figure 2", "Non-surgery"), SURG = exits("Figure 2", "Surgery"),
  SAC = exits("Figure 3", "SAC"), SBC = exits("Figure 3", "SBC"),
  SDC = exits("Figure 3", "SDC"),
  Negative = exits("Figure 4", "Negative"), Positive = exits("Figure 4", "Positive"),
  Unknown = exits("Figure 4", "Unknown"),
  NORT = exits("Figure 5", "No RT"), RT = exits("Figure 5", "RT")
)
ex$RTONLY <- ex$NOSURG - ex$STA           # radiotherapy without surgery
ex$SURG_RT <- ex$RT - ex$RTONLY           # surgery and radiotherapy
ex$SURG_NORT <- ex$SURG - ex$SURG_RT
stopifnot(
  all(unlist(ex) >= 0),
  all(ex$LRT == ex$SURG + ex$RTONLY),
  all(ex$SURG == ex$SAC + ex$SBC + ex$SDC),
  all(ex$SURG == ex$Negative + ex$Positive + ex$Unknown),
  all(ex$NORT == ex$STA + ex$SURG_NORT),
  sum(ex$RTONLY) == 9, sum(ex$SURG_RT) == 29
)

# Patients: one row per patient, in the order STA, RT only, surgery (by timing)
iv_of <- function(e) rep(seq_len(NJ) - 1L, e)
pt <- data.frame(
  cell = c(rep("STA", 66), rep("RTONLY", 9), rep("SAC", 30), rep("SBC", 26),
           rep("SDC", 22)),
  iv = c(iv_of(ex$STA), iv_of(ex$RTONLY), iv_of(ex$SAC), iv_of(ex$SBC),
         iv_of(ex$SDC)),
  stringsAsFactors = FALSE
)
N <- nrow(pt)
pt$lrt <- pt$cell != "STA"
pt$surg <- pt$cell %in% c("SAC", "SBC", "SDC")
S <- which(pt$surg)

# Margins and radiotherapy of the surgical patients: dealt out by interval so
# the Figure 4 and Figure 5 tables hold from the start; the annealing below
# only swaps them between surgical patients of the same interval.
deal <- function(idx, counts, labels) {
  out <- character(length(idx))
  for (j in seq_len(NJ) - 1L) {
    k <- idx[pt$iv[idx] == j]
    lab <- rep(labels, vapply(counts, function(e) e[j + 1L], 0))
    stopifnot(length(lab) == length(k))
    out[match(k, idx)] <- lab[sample.int(length(lab))]
  }
  out
}
pt$margin <- NA_character_
pt$margin[S] <- deal(S, ex[c("Negative", "Positive", "Unknown")],
                     c("Negative", "Positive", "Unknown"))
pt$rt <- pt$cell == "RTONLY"
pt$rt[S] <- deal(S, ex[c("SURG_RT", "SURG_NORT")], c("yes", "no")) == "yes"

# Table 2: timing x margin (SAC, SBC, SDC columns)
t2 <- function(ch, lev) {
  r <- table2[table2$characteristic == ch & table2$level == lev, ]
  c(SAC = r$SAC, SBC = r$SBC, SDC = r$SDC)
}
TM <- rbind(Negative = t2("Surgical margins", "Negative"),
            Positive = t2("Surgical margins", "Positive"),
            Unknown = t2("Surgical margins", "Unknown"))

# Interval time ranges (integer months). Inclusion needs > 3 months of
# follow-up and the paper's range is 5-128, so the first interval starts at 5
# and the one patient of [120, 135) is the longest follow-up, 128 months.
lo <- pmax(BREAKS[-length(BREAKS)], 5)
hi <- BREAKS[-1] - 1
hi[NJ] <- 128
pt$time <- as.integer(round(lo[pt$iv + 1] + stats::runif(N) * (hi[pt$iv + 1] - lo[pt$iv + 1])))
pinned <- c(which(pt$cell == "STA" & pt$iv == 0)[1], which(pt$iv == 8))
pt$time[pinned[1]] <- 5L
pt$time[pinned[2]] <- 128L

# Deaths: 64 of 87 LRT, 54 of 66 STA, dealt at random to start.
pt$status <- 0L
pt$status[sample(which(pt$lrt), 64)] <- 1L
pt$status[sample(which(!pt$lrt), 54)] <- 1L

# ---------------------------------------------------------------------------
# Fast Cox and log-rank summaries on integer times 0..134 (used inside the
# loop; checked against survival::coxph at the end), and the package's own
# Kaplan-Meier medians.
# ---------------------------------------------------------------------------
# d, n: 135 x G matrices of deaths and numbers at risk per time and group.
tabs <- function(time, status, g, G) {
  bin <- time + 1L + TMAX * (g - 1L)
  d <- matrix(tabulate(bin[status == 1L], TMAX * G), TMAX)
  e <- matrix(tabulate(bin, TMAX * G), TMAX)
  n <- apply(e, 2, function(x) rev(cumsum(rev(x))))
  list(d = d, n = n)
}

# Kaplan-Meier median and symmetric 95% CI of each group g = 1..G, from the
# package's own km_fit(median_ci = "symmetric"): a G x 3 matrix.
km_med <- function(time, status, g, G) {
  fit <- cohortsurv::km_fit(time, status, strata = factor(g, levels = seq_len(G)),
                            median_ci = "symmetric")
  tb <- fit$table
  k <- match(as.character(seq_len(G)), sub("^.*=", "", tb$strata))
  unname(cbind(tb$median[k], tb$median_lower[k], tb$median_upper[k]))
}

# Cox model with one covariate taking the value x[k] in group k (Breslow
# ties), optionally stratified (lists of d and n matrices). Returns
# c(hr, lower, upper, wald p, log-rank/score p).
cox1 <- function(dl, nl, x) {
  if (!is.list(dl)) { dl <- list(dl); nl <- list(nl) }
  b <- 0
  score_p <- NA_real_
  for (it in 1:30) {
    U <- 0; I <- 0
    for (s in seq_along(dl)) {
      d <- dl[[s]]; n <- nl[[s]]
      w <- exp(b * x)
      r0 <- as.vector(n %*% w); r1 <- as.vector(n %*% (w * x))
      r2 <- as.vector(n %*% (w * x * x))
      D <- rowSums(d); ok <- r0 > 0 & D > 0
      U <- U + sum(d[ok, , drop = FALSE] %*% x) - sum(D[ok] * r1[ok] / r0[ok])
      I <- I + sum(D[ok] * (r2[ok] / r0[ok] - (r1[ok] / r0[ok])^2))
    }
    if (it == 1) score_p <- stats::pchisq(U^2 / I, 1, lower.tail = FALSE)
    step <- U / I
    b <- b + step
    if (abs(step) < 1e-9) break
  }
  se <- 1 / sqrt(I)
  c(exp(b), exp(b - 1.959964 * se), exp(b + 1.959964 * se),
    2 * stats::pnorm(-abs(b / se)), score_p)
}

# Log-rank test of two groups (columns 1 and 2); returns the p-value.
logrank2 <- function(d, n) {
  N <- rowSums(n); D <- rowSums(d)
  ok <- N > 1 & D > 0
  E <- D[ok] * n[ok, 1] / N[ok]
  V <- D[ok] * (n[ok, 1] / N[ok]) * (1 - n[ok, 1] / N[ok]) * (N[ok] - D[ok]) / (N[ok] - 1)
  stats::pchisq(sum(d[ok, 1] - E)^2 / sum(V), 1, lower.tail = FALSE)
}

# ---------------------------------------------------------------------------
# Soft targets (estimates.csv) and the loss
# ---------------------------------------------------------------------------
est <- function(q, comp, grp) {
  r <- estimates[estimates$quantity == q & estimates$comparison == comp &
                   estimates$group == grp, ]
  stopifnot(nrow(r) == 1)
  r
}
med_target <- rbind(
  LRT = est("median_os_months", "LRT vs STA", "LRT"),
  STA = est("median_os_months", "LRT vs STA", "STA"),
  Surgery = est("median_os_months", "Surgery vs non-surgery", "Surgery"),
  `Non-surgery` = est("median_os_months", "Surgery vs non-surgery", "Non-surgery"),
  SAC = est("median_os_months", "Timing of surgery", "SAC"),
  SBC = est("median_os_months", "Timing of surgery", "SBC"),
  SDC = est("median_os_months", "Timing of surgery", "SDC"),
  Negative = est("median_os_months", "Surgical margins", "Negative"),
  Positive = est("median_os_months", "Surgical margins", "Positive"),
  RT = est("median_os_months", "Radiotherapy", "RT"),
  `No RT` = est("median_os_months", "Radiotherapy", "No RT")
)[, c("estimate", "lower", "upper")]
hr_target <- c(lrt = 0.47, surgery = 0.48, trend = 0.79, margin = 2.35, rt = 0.65)

# Summaries of a state: medians (11 x 3), HRs and p-values.
summarise_state <- function(time, status, margin, rt) {
  out <- list()
  a <- tabs(time, status, ifelse(pt$lrt, 1L, 2L), 2L)             # LRT, STA
  b <- tabs(time, status, ifelse(pt$surg, 1L, 2L), 2L)            # Surgery, non
  tm <- match(pt$cell[S], c("SAC", "SBC", "SDC"))
  c3 <- tabs(time[S], status[S], tm, 3L)                          # SAC, SBC, SDC
  mg <- match(margin[S], c("Negative", "Positive", "Unknown"))
  m3 <- tabs(time[S], status[S], mg, 3L)                          # Neg, Pos, Unk
  r2 <- tabs(time, status, ifelse(rt, 1L, 2L), 2L)                # RT, No RT
  known <- !is.na(mg) & mg < 3L                                   # Neg, Pos
  med <- rbind(km_med(time, status, ifelse(pt$lrt, 1L, 2L), 2L),
               km_med(time, status, ifelse(pt$surg, 1L, 2L), 2L),
               km_med(time[S], status[S], tm, 3L),
               km_med(time[S][known], status[S][known], mg[known], 2L),
               km_med(time, status, ifelse(rt, 1L, 2L), 2L))
  rownames(med) <- rownames(med_target)
  out$med <- med
  out$hr <- rbind(
    lrt = cox1(a$d, a$n, c(1, 0)),
    surgery = cox1(b$d, b$n, c(1, 0)),
    trend = cox1(c3$d, c3$n, c(3, 1, 2)),          # SBC = 1, SDC = 2, SAC = 3
    margin = cox1(m3$d[, 1:2], m3$n[, 1:2], c(0, 1)),  # Positive vs Negative
    rt = cox1(r2$d, r2$n, c(1, 0))
  )
  colnames(out$hr) <- c("hr", "lower", "upper", "p_wald", "p_score")
  out$p_logrank <- c(lrt = logrank2(a$d, a$n), surgery = logrank2(b$d, b$n),
                     rt = logrank2(r2$d, r2$n))
  out
}

# Hard part of the loss: violations that must be zero at the end.
hard_loss <- function(time, status, margin) {
  tmv <- sum(abs(table(factor(margin[S], rownames(TM)),
                       factor(pt$cell[S], colnames(TM))) - TM))
  ct <- sort(time[status == 0L])
  fu <- abs(ct[18] - 33)                     # median of 35 censored times
  tmv + fu
}

soft_loss <- function(sm, time) {
  m <- sm$med
  tgt <- as.matrix(med_target)
  l <- 0
  for (k in seq_len(nrow(m))) {
    if (is.na(m[k, 1])) { l <- l + 100; next }
    l <- l + ((m[k, 1] - tgt[k, 1]) / 1)^2
    if (!is.na(tgt[k, 2])) {
      if (is.na(m[k, 2])) l <- l + 10 else
        l <- l + 0.1 * (((m[k, 2] - tgt[k, 2]) / 2)^2 + ((m[k, 3] - tgt[k, 3]) / 2)^2)
    }
  }
  l <- l + sum(((log(sm$hr[, "hr"]) - log(hr_target)) / 0.01)^2)
  # p-values, on the log10 scale, light weight
  lp <- function(p, target) ((log10(p) - log10(target)) / 0.5)^2
  below <- function(p, target) if (p < target) 0 else ((log10(p) - log10(target)) / 0.5)^2
  l <- l + 0.2 * (below(sm$p_logrank["lrt"], 1e-4) + lp(sm$p_logrank["surgery"], 1e-4) +
                    lp(sm$hr["trend", "p_wald"], 0.013) +
                    below(sm$hr["margin", "p_wald"], 1e-4) + lp(sm$p_logrank["rt"], 0.053))
  # realism: no pile-ups of many patients at one month
  cnt <- tabulate(time + 1L, TMAX)
  l + 0.5 * sum(pmax(cnt - 6, 0)^2)
}

total_loss <- function(time, status, margin, rt) {
  sm <- summarise_state(time, status, margin, rt)
  1000 * hard_loss(time, status, margin) + soft_loss(sm, time)
}

# ---------------------------------------------------------------------------
# 2. Simulated annealing over times, deaths, margins and radiotherapy
# ---------------------------------------------------------------------------
anneal <- function(state, n_iter, temp0, temp1, loss_fun) {
  cur <- do.call(loss_fun, state)
  best <- state; best_loss <- cur
  movable <- setdiff(seq_len(N), pinned)
  for (it in seq_len(n_iter)) {
    temp <- temp0 * (temp1 / temp0)^(it / n_iter)
    prop <- state
    u <- stats::runif(1)
    if (u < 0.45) {                               # move one time in its interval
      i <- movable[sample.int(length(movable), 1)]
      j <- pt$iv[i] + 1
      if (stats::runif(1) < 0.5) {
        prop$time[i] <- as.integer(lo[j] + sample.int(hi[j] - lo[j] + 1, 1) - 1)
      } else {
        prop$time[i] <- as.integer(min(hi[j], max(lo[j], prop$time[i] + sample(c(-2, -1, 1, 2), 1))))
      }
    } else if (u < 0.75) {                        # swap death/censoring in an arm
      arm <- if (stats::runif(1) < 87 / 153) pt$lrt else !pt$lrt
      i <- which(arm & state$status == 1L); k <- which(arm & state$status == 0L)
      i <- i[sample.int(length(i), 1)]; k <- k[sample.int(length(k), 1)]
      prop$status[c(i, k)] <- state$status[c(k, i)]
    } else if (u < 0.9) {                         # swap margins in an interval
      i <- S[sample.int(length(S), 1)]
      k <- S[pt$iv[S] == pt$iv[i] & state$margin[S] != state$margin[i]]
      if (!length(k)) next
      k <- k[sample.int(length(k), 1)]
      prop$margin[c(i, k)] <- state$margin[c(k, i)]
    } else {                                      # swap radiotherapy in an interval
      i <- S[sample.int(length(S), 1)]
      k <- S[pt$iv[S] == pt$iv[i] & state$rt[S] != state$rt[i]]
      if (!length(k)) next
      k <- k[sample.int(length(k), 1)]
      prop$rt[c(i, k)] <- state$rt[c(k, i)]
    }
    new <- do.call(loss_fun, prop)
    if (new <= cur || stats::runif(1) < exp((cur - new) / temp)) {
      state <- prop; cur <- new
      if (cur < best_loss) { best <- state; best_loss <- cur }
    }
  }
  attr(best, "loss") <- best_loss
  best
}


state <- list(time = pt$time, status = pt$status, margin = pt$margin, rt = pt$rt)
n_iter <- as.integer(Sys.getenv("DNMBC_ITER", "30000"))  # fewer only for quick trials
state <- anneal(state, n_iter, 50, 0.05, total_loss)
if (n_iter == 30000L) stopifnot(hard_loss(state$time, state$status, state$margin) == 0)
pt$time <- state$time; pt$status <- state$status
pt$margin <- state$margin; pt$rt <- state$rt

# ---------------------------------------------------------------------------
# 3. Covariates, dealt out within treatment cells
# ---------------------------------------------------------------------------
cells <- c("STA", "RTONLY", "SAC", "SBC", "SDC")
# Counts per cell of one characteristic. RT only = Table 1 LRT minus the
# Table 2 columns. Table 1 and Table 2 disagree on molecular subtype (LRT
# unknown 2 in Table 1, 1 + 1 + 1 = 3 in Table 2, and 2/87 is not the printed
# 3.4%): resolved as LRT unknown = 3 (the printed percentage and Table 2) and
# LRT triple negative 9 -> 8, a change that leaves the nine radiotherapy-only
# patients biologically consistent (6 luminal = 6 HR+, 3 non-luminal = 3 HR-).
t1fix <- table1
t1fix$LRT[t1fix$characteristic == "Molecular subtypes" & t1fix$level == "Unknown"] <- 3
t1fix$LRT[t1fix$characteristic == "Molecular subtypes" & t1fix$level == "Triple negative"] <- 8
cell_counts <- function(ch, levels_csv) {
  r1 <- t1fix[t1fix$characteristic == ch, ]
  r2 <- table2[table2$characteristic == ch, ]
  r1 <- r1[match(levels_csv, r1$level), ]
  r2 <- r2[match(levels_csv, r2$level), ]
  out <- cbind(STA = r1$STA, RTONLY = r1$LRT - r2$SAC - r2$SBC - r2$SDC,
               SAC = r2$SAC, SBC = r2$SBC, SDC = r2$SDC)
  rownames(out) <- levels_csv
  stopifnot(all(out >= 0), all(colSums(out) == c(66, 9, 30, 26, 22)))
  out
}
deal_cells <- function(counts, labels = rownames(counts)) {
  out <- character(N)
  for (cl in cells) {
    k <- which(pt$cell == cl)
    lab <- rep(labels, counts[, cl])
    out[k] <- lab[sample.int(length(lab))]
  }
  out
}
pt$age_group <- deal_cells(cell_counts("Age (yr)", c("<=50", ">50")))
pt$tumor_size <- deal_cells(cell_counts("Tumor size (cm)", c("<=5", ">5")))
pt$ki67 <- deal_cells(cell_counts("Ki-67 index", c("<=20%", ">20%", "Unknown")))
pt$met_site <- deal_cells(cell_counts("Metastatic sites",
  c("Bone only", "Viscera only", "Multi-organ metastasis")),
  c("Bone only", "Viscera only", "Multi-organ"))
pt$subtype <- deal_cells(cell_counts("Molecular subtypes",
  c("Luminal A", "Luminal B", "HER-2 positive", "Triple negative", "Unknown")))
pt$hr_status <- deal_cells(cell_counts("HR status", c("Negative", "Positive")))
pt$her2 <- deal_cells(cell_counts("HER-2 expression", c("Negative", "Positive", "Unknown")))
# Nodal status is only given by LRT / STA (Table 1)
pt$nodal <- NA_character_
for (arm in c("LRT", "STA")) {
  k <- which(if (arm == "LRT") pt$lrt else !pt$lrt)
  r <- table1[table1$characteristic == "Nodal status", ]
  lab <- rep(r$level, r[[arm]])
  pt$nodal[k] <- lab[sample.int(length(lab))]
}
# Type of surgery by timing (Table 2)
pt$surgery_type <- NA_character_
for (cl in c("SAC", "SBC", "SDC")) {
  k <- which(pt$cell == cl)
  r <- table2[table2$characteristic == "Type of surgery", ]
  lab <- rep(r$level, r[[cl]])
  pt$surgery_type[k] <- lab[sample.int(length(lab))]
}

# Biological consistency of subtype / HR / HER-2 (/ Ki-67): HR, HER-2 and
# Ki-67 values are rearranged between patients of the same cell (counts
# unchanged) to minimise this cost: 10 for a contradiction of the subtype's
# definition, less for merely unusual combinations (luminal A with unknown
# HER-2 or Ki-67 > 20%, luminal B that would be luminal A, unknown subtype
# with known HER-2).
bio_cost <- function(sub, hr, her2, ki) {
  pos <- hr == "Positive"
  (sub == "Luminal A") * (10 * (!pos) + 10 * (her2 == "Positive") +
                            3 * (her2 == "Unknown") + 1 * (ki == ">20%") +
                            0.5 * (ki == "Unknown")) +
    (sub == "Luminal B") * (10 * (!pos) + 1 * (her2 == "Negative" & ki == "<=20%")) +
    (sub == "HER-2 positive") * (10 * pos + 10 * (her2 != "Positive")) +
    (sub == "Triple negative") * (10 * pos + 10 * (her2 != "Negative")) +
    (sub == "Unknown") * 0.5 * (her2 != "Unknown")
}
# Within a cell: deal each value in order of a priority by subtype (random
# among equals), then improve by exhaustive pairwise swaps until none helps.
by_priority <- function(k, rank, counts) {
  o <- k[order(rank, stats::runif(length(k)))]
  out <- character(length(k))
  out[match(o, k)] <- rep(names(counts), counts)
  out
}
for (cl in cells) {
  k <- which(pt$cell == cl)
  sub <- pt$subtype[k]
  cnt <- function(v, lev) vapply(lev, function(l) sum(pt[[v]][k] == l), 0)
  hr_n <- cnt("hr_status", c("Positive", "Negative"))
  pt$hr_status[k] <- by_priority(k, match(sub, c("Luminal A", "Luminal B", "Unknown",
                                                 "HER-2 positive", "Triple negative")), hr_n)
  her_n <- cnt("her2", c("Positive", "Unknown", "Negative"))
  pt$her2[k] <- by_priority(k, c(`HER-2 positive` = 1, `Luminal B` = 2, Unknown = 2.5,
                                 `Luminal A` = 4, `Triple negative` = 4)[sub], her_n)
  ki_n <- cnt("ki67", c("<=20%", "Unknown", ">20%"))
  pt$ki67[k] <- by_priority(k, ifelse(sub == "Luminal A", 1,
                                      ifelse(sub == "Luminal B", 3, 2)), ki_n)
  cost <- function() bio_cost(pt$subtype[k], pt$hr_status[k], pt$her2[k], pt$ki67[k])
  repeat {
    improved <- FALSE
    for (v in c("hr_status", "her2", "ki67")) {
      for (a in seq_along(k)) for (b in seq_along(k)) {
        if (b <= a || pt[[v]][k[a]] == pt[[v]][k[b]]) next
        c0 <- sum(cost()[c(a, b)])
        pt[[v]][k[c(a, b)]] <- pt[[v]][k[c(b, a)]]
        if (sum(cost()[c(a, b)]) < c0 - 1e-9) improved <- TRUE else
          pt[[v]][k[c(a, b)]] <- pt[[v]][k[c(b, a)]]
      }
    }
    if (!improved) break
  }
}

# Metastatic site: the published HR of 0.47 comes from a stratified Cox model
# whose strata the paper does not name; we take metastatic site. Sites are
# swapped between patients of the same cell (Table 1 / 2 counts unchanged)
# until the stratified HR is as close to 0.47 as the unstratified one.
strat_hr <- function(site) {
  dl <- list(); nl <- list()
  for (s in unique(site)) {
    k <- site == s
    tb <- tabs(pt$time[k], pt$status[k], ifelse(pt$lrt[k], 1L, 2L), 2L)
    dl[[s]] <- tb$d; nl[[s]] <- tb$n
  }
  cox1(dl, nl, c(1, 0))
}
site_loss <- function(site) ((log(strat_hr(site)[1]) - log(0.47)) / 0.01)^2
cur <- site_loss(pt$met_site)
for (it in 1:1500) {
  cl <- sample(cells, 1, prob = c(66, 9, 30, 26, 22))
  k <- which(pt$cell == cl)
  ab <- k[sample.int(length(k), 2)]
  if (pt$met_site[ab[1]] == pt$met_site[ab[2]]) next
  prop <- pt$met_site; prop[ab] <- rev(prop[ab])
  new <- site_loss(prop)
  if (new <= cur) { pt$met_site <- prop; cur <- new }
}

# ---------------------------------------------------------------------------
# 4. Ages and years of diagnosis
# ---------------------------------------------------------------------------
# 53 patients aged <= 50 and 100 older; the median (77th of 153) is the 24th
# youngest of the older group, 55.8; the range is 26-82.
young <- c(26.0, round(stats::runif(52, 26.1, 50.0), 1))
old <- c(round(stats::runif(22, 50.1, 55.7), 1), 55.8, 55.8,
         round(50 + 32 * stats::rbeta(75, 1.1, 1.6), 1), 82.0)
old[24 + seq_len(75)] <- pmin(pmax(old[24 + seq_len(75)], 55.9), 81.9)
stopifnot(length(young) == 53, length(old) == 100)
pt$age <- NA_real_
pt$age[pt$age_group == "<=50"] <- young[sample.int(53)]
pt$age[pt$age_group == ">50"] <- old[sample.int(100)]

# Follow-up runs in whole months from the month of diagnosis to the cut-off,
# 31 Dec 2017: a patient diagnosed in month m of year y has at most
# (2017 - y) * 12 + (12 - m) months, and diagnosis is March 2007 or later.
# Survivors were followed to the cut-off, which fixes their month and year of
# diagnosis. For a patient who died after t months, accrual is taken as
# uniform: the month of diagnosis is drawn uniformly from those that leave
# room for t months before the cut-off (March 2007 to month 12 - t of 2017).
pt$year_dx <- NA_integer_
alive <- pt$status == 0L
pt$year_dx[alive] <- 2017L - pt$time[alive] %/% 12L
months <- 2007 * 12 + 2:(2017 * 12 + 11)          # March 2007 .. December 2017
for (i in which(!alive)) {
  ok <- months[(2017 * 12 + 11) - months >= pt$time[i]]
  pt$year_dx[i] <- as.integer(ok[sample.int(length(ok), 1)] %/% 12)
}

# ---------------------------------------------------------------------------
# 5. Assemble, check every hard constraint, save
# ---------------------------------------------------------------------------
sm <- summarise_state(pt$time, pt$status, pt$margin, pt$rt)  # before reordering
ord <- order(pt$year_dx, stats::runif(N))   # ids in order of diagnosis year
pt <- pt[ord, ]
S <- which(pt$surg)
f <- function(x, lev) factor(x, levels = lev)
dnmbc <- data.frame(
  id = seq_len(N),
  group = f(ifelse(pt$lrt, "LRT", "STA"), c("STA", "LRT")),
  surgery = f(ifelse(pt$surg, "yes", "no"), c("no", "yes")),
  timing = f(ifelse(pt$surg, pt$cell, NA), c("SBC", "SDC", "SAC")),
  margin = f(pt$margin, c("Negative", "Positive", "Unknown")),
  surgery_type = f(pt$surgery_type, c("Mastectomy", "Lumpectomy")),
  radiotherapy = f(ifelse(pt$rt, "yes", "no"), c("no", "yes")),
  age = pt$age,
  age_group = f(pt$age_group, c("<=50", ">50")),
  tumor_size = f(pt$tumor_size, c("<=5", ">5")),
  nodal = f(pt$nodal, c("N0", "N1", "N2", "N3")),
  ki67 = f(pt$ki67, c("<=20%", ">20%", "Unknown")),
  met_site = f(pt$met_site, c("Bone only", "Viscera only", "Multi-organ")),
  subtype = f(pt$subtype, c("Luminal A", "Luminal B", "HER-2 positive",
                            "Triple negative", "Unknown")),
  hr_status = f(pt$hr_status, c("Negative", "Positive")),
  her2 = f(pt$her2, c("Negative", "Positive", "Unknown")),
  year_dx = pt$year_dx,
  os_months = pt$time,
  death = pt$status,
  stringsAsFactors = FALSE
)
rownames(dnmbc) <- NULL
stopifnot(!anyNA(dnmbc[, c("id", "group", "surgery", "radiotherapy", "age",
                            "age_group", "tumor_size", "nodal", "ki67",
                            "met_site", "subtype", "hr_status", "her2",
                            "year_dx", "os_months", "death")]))

# --- hard constraints ------------------------------------------------------
chk <- function(ok, what) if (!isTRUE(all(ok))) stop("hard constraint fails: ", what)
nrisk <- function(d, k) vapply(BREAKS, function(t) sum(d$os_months[k] >= t), 0)
figs <- list(
  list("Figure 1", "group", c(STA = "STA", LRT = "LRT"), TRUE),
  list("Figure 2", "surgery", c(`Non-surgery` = "no", Surgery = "yes"), TRUE),
  list("Figure 3", "timing", c(SAC = "SAC", SBC = "SBC", SDC = "SDC"), dnmbc$surgery == "yes"),
  list("Figure 4", "margin", c(Negative = "Negative", Positive = "Positive", Unknown = "Unknown"),
       dnmbc$surgery == "yes"),
  list("Figure 5", "radiotherapy", c(`No RT` = "no", RT = "yes"), TRUE)
)
for (fg in figs) for (g in names(fg[[3]])) {
  k <- which(fg[[4]] & dnmbc[[fg[[2]]]] %in% fg[[3]][[g]])
  chk(nrisk(dnmbc, k) == risk(fg[[1]], g), paste(fg[[1]], g))
}
chk(nrow(dnmbc) == 153 && sum(dnmbc$group == "LRT") == 87, "153 = 87 + 66")
chk(table(dnmbc$timing) == c(26, 22, 30), "timing 26 / 22 / 30")
chk(sum(dnmbc$radiotherapy == "yes") == 38 &&
      sum(dnmbc$radiotherapy == "yes" & dnmbc$surgery == "no") == 9, "radiotherapy")
chk(table(dnmbc$margin) == c(50, 22, 6), "margins")
chk(table(dnmbc$surgery_type) == c(11, 67), "surgery type")
chk(tapply(dnmbc$death, dnmbc$group, sum) == c(54, 64), "deaths")
chk(range(dnmbc$os_months) == c(5, 128), "follow-up range")
chk(median(dnmbc$os_months[dnmbc$death == 0]) == 33, "median follow-up")
chk(all(range(dnmbc$age) == c(26, 82)) && median(dnmbc$age) == 55.8, "age")
chk((dnmbc$age <= 50) == (dnmbc$age_group == "<=50"), "age group")
chk(all(dnmbc$surgery == "yes" | dnmbc$group == "STA" | dnmbc$radiotherapy == "yes"), "LRT = surgery or RT")
chk(all(dnmbc$group == "LRT" | (dnmbc$surgery == "no" & dnmbc$radiotherapy == "no")), "STA")
cens_month <- 12L * (2017L - dnmbc$year_dx) + 11L   # most follow-up a year allows
chk(dnmbc$os_months[dnmbc$death == 0] >= 12L * (2017L - dnmbc$year_dx[dnmbc$death == 0]) &
      dnmbc$os_months[dnmbc$death == 0] <= pmin(cens_month, 129L)[dnmbc$death == 0],
    "survivors censored at 31 Dec 2017")
chk(dnmbc$os_months <= pmin(cens_month, 129L), "deaths before the cut-off")
chk(dnmbc$year_dx >= 2007 & dnmbc$year_dx <= 2017, "years")
tab_var <- c("Age (yr)" = "age_group", "Tumor size (cm)" = "tumor_size",
             "Nodal status" = "nodal", "Ki-67 index" = "ki67",
             "Metastatic sites" = "met_site", "Molecular subtypes" = "subtype",
             "HR status" = "hr_status", "HER-2 expression" = "her2",
             "Type of surgery" = "surgery_type", "Surgical margins" = "margin")
for (i in seq_len(nrow(t1fix))[-1]) {
  v <- tab_var[[t1fix$characteristic[i]]]
  lev <- levels(dnmbc[[v]])[match(sub(" metastasis", "", t1fix$level[i]), levels(dnmbc[[v]]))]
  chk(sum(dnmbc[[v]] == lev & dnmbc$group == "LRT") == t1fix$LRT[i] &&
        sum(dnmbc[[v]] == lev & dnmbc$group == "STA") == t1fix$STA[i],
      paste("Table 1", t1fix$characteristic[i], t1fix$level[i]))
}
for (i in seq_len(nrow(table2))[-1]) {
  v <- tab_var[[table2$characteristic[i]]]
  lev <- levels(dnmbc[[v]])[match(sub(" metastasis", "", table2$level[i]), levels(dnmbc[[v]]))]
  for (cl in c("SAC", "SBC", "SDC"))
    chk(sum(dnmbc[[v]] == lev & dnmbc$timing %in% cl, na.rm = TRUE) == table2[[cl]][i],
        paste("Table 2", table2$characteristic[i], table2$level[i], cl))
}

# --- the fast summaries agree with survival ---------------------------------
library(survival)
fit <- coxph(Surv(os_months, death) ~ group, data = dnmbc, ties = "breslow")
stopifnot(abs(exp(coef(fit)) - sm$hr["lrt", "hr"]) < 1e-6)
fit <- coxph(Surv(os_months, death) ~ as.integer(timing), data = dnmbc, ties = "breslow")
stopifnot(abs(exp(coef(fit)) - sm$hr["trend", "hr"]) < 1e-6)

# --- report -----------------------------------------------------------------
cat("medians (reconstructed vs published):\n")
print(round(cbind(sm$med, as.matrix(med_target)), 1))
cat("hazard ratios:\n"); print(signif(sm$hr, 3))
cat("log-rank p:\n"); print(signif(sm$p_logrank, 3))
cat("stratified (met_site) LRT vs STA HR:\n")
print(coxph(Surv(os_months, death) ~ group + strata(met_site), data = dnmbc, ties = "breslow"))
cat("biology cost per cell:\n")
print(tapply(bio_cost(pt$subtype, pt$hr_status, pt$her2, pt$ki67), pt$cell, sum))

dir.create("data", showWarnings = FALSE)
save(dnmbc, file = "data/dnmbc.rda", compress = "xz", version = 2)
cat("wrote data/dnmbc.rda\n")
