# An independent, loop-by-loop reference for the weighted log-rank family,
# written from the textbook formulas (Klein & Moeschberger 2003, section
# 7.3): slow and plain, to check logrank() where survdiff cannot (gamma,
# Gehan, Tarone-Ware, delayed entry).
ref_logrank <- function(time, status, group, strata = NULL, start = NULL,
                        weight = function(n, s) 1) {
  group <- as.factor(group)
  lev <- levels(group)
  k <- length(lev)
  if (is.null(strata)) strata <- rep(1, length(time))
  U <- numeric(k)
  V <- matrix(0, k, k)
  for (s in unique(strata)) {
    i <- strata == s
    tt <- time[i]
    st <- status[i]
    gg <- group[i]
    en <- if (is.null(start)) rep(-Inf, sum(i)) else start[i]
    surv <- 1
    for (t in sort(unique(tt[st == 1]))) {
      at_risk <- en < t & tt >= t
      n_g <- vapply(lev, function(l) sum(at_risk & gg == l), 0)
      d_g <- vapply(lev, function(l) sum(tt == t & st == 1 & gg == l), 0)
      n <- sum(n_g)
      d <- sum(d_g)
      w <- weight(n, surv)
      U <- U + w * (d_g - d * n_g / n)
      if (n > 1) {
        p <- n_g / n
        V <- V + w^2 * d * (n - d) / (n - 1) * (diag(p, k) - outer(p, p))
      }
      surv <- surv * (n - d) / n
    }
  }
  keep <- abs(diag(V)) > 0
  u <- U[keep][-1]
  v <- V[keep, keep, drop = FALSE][-1, -1, drop = FALSE]
  list(U = U, V = V, chisq = sum(solve(v, u) * u))
}
