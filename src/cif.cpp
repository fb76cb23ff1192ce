// Aalen-Johansen cumulative incidence for competing risks, with the
// infinitesimal-jackknife (IJ) standard errors that survival::survfit
// reports for multi-state data.
//
// Inputs: a SurvData view (surv_data.h) of n rows in the caller's order,
//   nothing copied or sorted here: stop times (finite, >= 0), status 0
//   (censored) or k = 1..K (the k-th cause), weights >= 0 (or none for
//   weight 1), 0-based stratum codes, the 0-based order sorting the rows by
//   (stratum, stop) and, for counting-process data, start times (< stop)
//   and the 0-based entry order by (stratum, start). Preconditions:
//   check_surv_data() holds, d.order is set (m = n); `n_causes` = K >= 1.
//   Every row is its own subject (cluster) and starts event-free.
// Output: one row per distinct stop time per stratum: the number at risk
//   (sum of weights with start < t <= stop), censorings, events of each
//   cause, the probability of each state (state 0 event-free: the overall
//   Kaplan-Meier; state k: the cumulative incidence of cause k) and its
//   IJ standard error.
// Method: Aalen & Johansen (1978), Scand J Statist 5:141-150; with one
//   transient state, P0(t) = prod (1 - d/Y) and F_k(t) = sum P0(t-) d_k/Y
//   (Kalbfleisch & Prentice 2002, section 8.2). The IJ variance is
//   sum_g U_g(t)^2 over rows g, U_g the derivative of the estimates with
//   respect to the weight of row g (Therneau & Grambsch 2000, section 7.2;
//   survival's methods vignette, "Aalen-Johansen: influence"), as survfit
//   computes it with robust = TRUE.
// Cost: O(n K) after the sort. survfit updates U_g for every row at every
//   event time (O(n x event times)). Here the rows are never visited again
//   after they leave the risk set: while at risk, row g's influence is
//   w_g (alpha(t) - alpha(e_g) - L(e_g) (F(t) - F(e_g))) for state k and
//   w_g P0(t) (L(t) - L(e_g)) for state 0, with e_g its entry,
//   L(t) = sum d / (Y (Y - d)), alpha_k(t) = sum P0(t-) d_k/Y (L(t-) - 1/Y);
//   after it leaves at x_g, its state-0 influence is r_g P0(t) and its
//   state-k influence U_gk(x_g) + r_g (F_k(t) - F_k(x_g)). The sums of
//   squares over the rows at risk and over the rows gone are updated from
//   running moments (sum of w^2, w^2 L(e), w^2 L(e)^2, w U, w L(e) U, r^2,
//   r U) when the curve moves, so each event time costs O(K).

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "cif.h"

namespace cohortsurv {

namespace {

// The counts of one stratum at its distinct stop times, from a backward
// pass as survfit makes it (rows leave the risk set going back in time when
// their start is at or after t, and join it when their stop is), so that
// the numbers at risk are exact sums in the tail.
struct StratumCounts {
  std::vector<double> time, n_risk, n_censor, d;  // d: times x K, by time
  std::vector<Eigen::Index> first;  // sort position of the time's 1st row
};

StratumCounts stratum_counts(const SurvData& d, Eigen::Index b0,
                             Eigen::Index b1, int K, const Poll& poll) {
  StratumCounts c;
  double y = 0.0;
  Eigen::Index pe = b1 - 1;  // entry order, walked backward
  Eigen::Index p = b1 - 1;
  std::vector<double> dk(K);
  while (p >= b0) {
    const double t = d.stop[d.row(p)];
    if (d.counting()) {
      for (; pe >= b0 && d.start[d.entry[pe]] >= t; --pe) y -= d.w(d.entry[pe]);
    }
    std::fill(dk.begin(), dk.end(), 0.0);
    double cens = 0.0;
    for (; p >= b0 && d.stop[d.row(p)] == t; --p) {
      const Eigen::Index r = d.row(p);
      const double w = d.w(r);
      y += w;
      const int s = static_cast<int>(d.status[r]);
      if (s > 0) dk[s - 1] += w; else cens += w;
      poll.tick();
    }
    c.time.push_back(t);
    c.n_risk.push_back(y);
    c.n_censor.push_back(cens);
    c.d.insert(c.d.end(), dk.begin(), dk.end());
    c.first.push_back(p + 1);
  }
  std::reverse(c.time.begin(), c.time.end());
  std::reverse(c.n_risk.begin(), c.n_risk.end());
  std::reverse(c.n_censor.begin(), c.n_censor.end());
  std::reverse(c.first.begin(), c.first.end());
  const std::size_t nt = c.time.size();
  std::vector<double> dd(c.d.size());
  for (std::size_t j = 0; j < nt; ++j) {
    std::copy(c.d.begin() + (nt - 1 - j) * K, c.d.begin() + (nt - j) * K,
              dd.begin() + j * K);
  }
  c.d.swap(dd);
  return c;
}

// The running estimates of one stratum and the moments of the influence.
struct Walk {
  explicit Walk(int K)
      : F(K, 0.0), alpha(K, 0.0), Ga(K, 0.0), Ha(K, 0.0), Ka(K, 0.0),
        Ge(K, 0.0), Me(K, 0.0) {}
  double S = 1.0, L = 0.0;
  std::vector<double> F, alpha;  // F_k and alpha_k = P_k - Q_k
  // rows at risk: sums of w^2, w^2 L(e), w^2 L(e)^2; per cause the sums of
  // U^2, w U and w L(e) U
  double W2 = 0.0, WL = 0.0, WLL = 0.0;
  std::vector<double> Ga, Ha, Ka;
  // rows gone: sum of r^2; per cause the sums of U^2 and r U
  double R = 0.0;
  std::vector<double> Ge, Me;
};

void check_status(const SurvData& d, int K) {
  for (Eigen::Index r = 0; r < d.n; ++r) {
    const double s = d.status[r];
    if (!(s >= 0.0 && s <= K && s == std::floor(s))) {
      throw std::invalid_argument(
          "cif: status must be 0 (censored) or a cause 1.." +
          std::to_string(K));
    }
  }
}

}  // namespace

CifCurves cif_fit(const SurvData& d, int K, const Poll& poll) {
  if (K < 1) throw std::invalid_argument("cif: need at least one cause");
  if (!d.order || d.m != d.n) {
    throw std::invalid_argument("cif: the sort order of every row is needed");
  }
  if (d.counting() && !d.entry) {
    throw std::invalid_argument("cif: counting-process data need `entry`");
  }
  check_status(d, K);
  CifCurves out;
  std::vector<double> est, se, nev;
  // per-row values at entry (counting-process data): L, alpha_k, F_k
  std::vector<double> at_entry;
  if (d.counting()) at_entry.assign(static_cast<std::size_t>(d.n) * (2 * K + 1), 0.0);
  const int K1 = K + 1;
  Eigen::Index b0 = 0;
  while (b0 < d.m) {
    const Eigen::Index b1 = stratum_end(d, b0);
    const int stratum = d.strata[d.row(b0)];
    const StratumCounts c = stratum_counts(d, b0, b1, K, poll);
    Walk s(K);
    if (!d.counting()) {
      for (Eigen::Index p = b0; p < b1; ++p) s.W2 += d.w(d.row(p)) * d.w(d.row(p));
    }
    Eigen::Index pe = b0;
    std::vector<double> cur_se(K1, 0.0), dF(K), dalpha(K);
    const std::size_t nt = c.time.size();
    for (std::size_t j = 0; j < nt; ++j) {
      const double t = c.time[j];
      // rows entering the risk set before t: their influence is 0 so far
      for (; d.counting() && pe < b1 && d.start[d.entry[pe]] < t; ++pe) {
        const Eigen::Index r = d.entry[pe];
        const double w2 = d.w(r) * d.w(r);
        s.W2 += w2;
        s.WL += w2 * s.L;
        s.WLL += w2 * s.L * s.L;
        double* e = &at_entry[static_cast<std::size_t>(r) * (2 * K + 1)];
        e[0] = s.L;
        for (int k = 0; k < K; ++k) {
          e[1 + k] = s.alpha[k];
          e[1 + K + k] = s.F[k];
        }
      }
      const double Y = c.n_risk[j];
      const double* dk = &c.d[j * K];
      double dsum = 0.0;
      for (int k = 0; k < K; ++k) dsum += dk[k];
      const double Sp = s.S;
      const bool events = dsum > 0.0;
      const bool full = events && (Y - dsum) <= 1e-12 * Y;
      if (events) {
        const double Lp = s.L;
        for (int k = 0; k < K; ++k) {
          const double h = dk[k] / Y;
          dF[k] = Sp * h;
          dalpha[k] = Sp * h * Lp - Sp * h / Y;
          s.S -= Sp * h;
          s.F[k] += dF[k];
          s.alpha[k] += dalpha[k];
        }
        if (!full) s.L += dsum / (Y * (Y - dsum));
        for (int k = 0; k < K; ++k) {
          const double da = dalpha[k], dg = -dF[k];
          s.Ga[k] += 2.0 * (da * s.Ha[k] + dg * s.Ka[k]) + da * da * s.W2 +
                     2.0 * da * dg * s.WL + dg * dg * s.WLL;
          s.Ha[k] += da * s.W2 + dg * s.WL;
          s.Ka[k] += da * s.WL + dg * s.WLL;
          s.Ge[k] += 2.0 * dF[k] * s.Me[k] + dF[k] * dF[k] * s.R;
          s.Me[k] += dF[k] * s.R;
        }
      }
      // the rows leaving at t: from the risk set to the rows gone
      const Eigen::Index p_end = j + 1 < nt ? c.first[j + 1] : b1;
      for (Eigen::Index p = c.first[j]; p < p_end; ++p) {
        const Eigen::Index r = d.row(p);
        const double w = d.w(r);
        const double* e = d.counting()
            ? &at_entry[static_cast<std::size_t>(r) * (2 * K + 1)] : nullptr;
        const double le = e ? e[0] : 0.0;
        const int cause = static_cast<int>(d.status[r]);
        double rr = full ? 0.0 : w * (s.L - le);
        if (cause > 0 && !full) rr -= w / (Y - dsum);
        s.W2 -= w * w;
        s.WL -= w * w * le;
        s.WLL -= w * w * le * le;
        s.R += rr * rr;
        for (int k = 0; k < K; ++k) {
          double u = e ? w * ((s.alpha[k] - e[1 + k]) - le * (s.F[k] - e[1 + K + k]))
                       : w * s.alpha[k];
          s.Ga[k] -= u * u;
          s.Ha[k] -= w * u;
          s.Ka[k] -= w * le * u;
          if (cause == k + 1) u += w * Sp / Y;
          s.Ge[k] += u * u;
          s.Me[k] += rr * u;
        }
        poll.tick();
      }
      if (events || j == 0) {
        const double v0 = s.S * s.S *
            (s.R + s.W2 * s.L * s.L - 2.0 * s.L * s.WL + s.WLL);
        cur_se[0] = std::sqrt(std::max(v0, 0.0));
        for (int k = 0; k < K; ++k) {
          cur_se[1 + k] = std::sqrt(std::max(s.Ga[k] + s.Ge[k], 0.0));
        }
      }
      out.strata.push_back(stratum);
      out.time.push_back(t);
      out.n_risk.push_back(Y);
      out.n_censor.push_back(c.n_censor[j]);
      est.push_back(s.S);
      for (int k = 0; k < K; ++k) est.push_back(s.F[k]);
      se.insert(se.end(), cur_se.begin(), cur_se.end());
      nev.insert(nev.end(), dk, dk + K);
    }
    b0 = b1;
  }
  const Eigen::Index rows = static_cast<Eigen::Index>(out.time.size());
  using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                               Eigen::RowMajor>;
  out.estimate = Eigen::Map<RowMat>(est.data(), rows, K1);
  out.std_err = Eigen::Map<RowMat>(se.data(), rows, K1);
  out.n_event = Eigen::Map<RowMat>(nev.data(), rows, K);
  return out;
}

// Gray's test ------------------------------------------------------------
//
// Gray (1988), Ann Statist 16:1141-1154: a K-sample test of equal
// cumulative incidence F_k of one cause k. Inputs: a SurvData view of
// right-censored rows (status 0 censored, k the cause of interest, any
// other value a competing cause; no weights), sorted through d.order by
// (stratum, stop), with the test's strata as its strata; 0-based group
// codes below n_groups; the weight exponent rho >= 0 of
// (1 - F(t-))^rho. Output: the score of the first n_groups - 1 groups
// (observed minus expected events of cause k, weighted, the risk sets
// reweighted by the group's KM and CIF) and the estimate of its variance
// from the asymptotic martingale representation, summed over strata, as
// cmprsk::cuminc() computes them (its Fortran routine crstm, equations
// of Gray 1988 section 2); the statistic is score' V^-1 score, chi-square
// with n_groups - 1 df. Cost: O(n + distinct times x n_groups^3).

namespace {

// The score and variance of one stratum, rows at sort positions [b0, b1).
void gray_stratum(const SurvData& d, Eigen::Index b0, Eigen::Index b1,
                  const int* group, int ng, int cause, double rho,
                  Eigen::VectorXd& score, Eigen::MatrixXd& var,
                  const Poll& poll) {
  const int ng1 = ng - 1;
  Eigen::VectorXd rs = Eigen::VectorXd::Zero(ng);
  for (Eigen::Index p = b0; p < b1; ++p) rs[group[d.row(p)]] += 1.0;
  Eigen::VectorXd f1m = Eigen::VectorXd::Zero(ng), f1 = f1m, v3 = f1m;
  Eigen::VectorXd skmm = Eigen::VectorXd::Ones(ng), skm = skmm;
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(ng, ng), a(ng, ng);
  Eigen::MatrixXd v2 = Eigen::MatrixXd::Zero(ng1, ng);
  Eigen::MatrixXd v = Eigen::MatrixXd::Zero(ng1, ng1);
  Eigen::VectorXd s = Eigen::VectorXd::Zero(ng1);
  Eigen::MatrixXd cnt(3, ng);  // censored, cause k, other cause per group
  double fm = 0.0, f = 0.0;
  Eigen::Index p = b0;
  while (p < b1) {
    const double t = d.stop[d.row(p)];
    cnt.setZero();
    Eigen::Index q = p;
    for (; q < b1 && d.stop[d.row(q)] == t; ++q) {
      const Eigen::Index r = d.row(q);
      const int st = static_cast<int>(d.status[r]);
      cnt(st == 0 ? 0 : (st == cause ? 1 : 2), group[r]) += 1.0;
      poll.tick();
    }
    const double nd1 = cnt.row(1).sum(), nd2 = cnt.row(2).sum();
    if (nd1 > 0.0 || nd2 > 0.0) {
      double tr = 0.0, tq = 0.0;
      for (int i = 0; i < ng; ++i) {
        if (rs[i] <= 0.0) continue;
        skm[i] = skmm[i] * (rs[i] - cnt(1, i) - cnt(2, i)) / rs[i];
        f1[i] = f1m[i] + skmm[i] * cnt(1, i) / rs[i];
        tr += rs[i] / skmm[i];
        tq += rs[i] * (1.0 - f1m[i]) / skmm[i];
      }
      f = fm + nd1 / tr;
      const double fb = std::pow(1.0 - fm, rho);
      const double cf = nd1 / (tr * (1.0 - fm));
      a.setZero();
      for (int i = 0; i < ng; ++i) {
        if (rs[i] <= 0.0) continue;
        const double t1 = rs[i] / skmm[i];
        a(i, i) = fb * t1 * (1.0 - t1 / tr);
        if (a(i, i) != 0.0) c(i, i) += a(i, i) * cf;
        for (int j = i + 1; j < ng; ++j) {
          if (rs[j] <= 0.0) continue;
          a(i, j) = -fb * t1 * rs[j] / (skmm[j] * tr);
          if (a(i, j) != 0.0) c(i, j) += a(i, j) * cf;
        }
      }
      for (int i = 1; i < ng; ++i) {
        for (int j = 0; j < i; ++j) {
          a(i, j) = a(j, i);
          c(i, j) = c(j, i);
        }
      }
      for (int i = 0; i < ng1; ++i) {
        if (rs[i] <= 0.0) continue;
        s[i] += fb * (cnt(1, i) - nd1 * rs[i] * (1.0 - f1m[i]) /
                                      (skmm[i] * tq));
      }
      if (nd1 > 0.0) {
        for (int k = 0; k < ng; ++k) {
          if (rs[k] <= 0.0) continue;
          const double t4 = skm[k] > 0.0 ? 1.0 - (1.0 - f) / skm[k] : 1.0;
          const double t5 =
              nd1 > 1.0 ? 1.0 - (nd1 - 1.0) / (tr * skmm[k] - 1.0) : 1.0;
          const double t3 = t5 * skmm[k] * nd1 / (tr * rs[k]);
          v3[k] += t4 * t4 * t3;
          for (int i = 0; i < ng1; ++i) {
            const double t1 = a(i, k) - t4 * c(i, k);
            v2(i, k) += t1 * t4 * t3;
            for (int j = 0; j <= i; ++j) {
              v(i, j) += t1 * (a(j, k) - t4 * c(j, k)) * t3;
            }
          }
        }
      }
      if (nd2 > 0.0) {
        for (int k = 0; k < ng; ++k) {
          const double d2 = cnt(2, k);
          if (skm[k] <= 0.0 || d2 <= 0.0) continue;
          const double t4 = (1.0 - f) / skm[k];
          const double t5 = d2 > 1.0 ? 1.0 - (d2 - 1.0) / (rs[k] - 1.0) : 1.0;
          const double t3 = t5 * skmm[k] * skmm[k] * d2 / (rs[k] * rs[k]);
          v3[k] += t4 * t4 * t3;
          for (int i = 0; i < ng1; ++i) {
            const double t1 = t4 * c(i, k);
            v2(i, k) -= t1 * t4 * t3;
            for (int j = 0; j <= i; ++j) v(i, j) += t1 * t4 * c(j, k) * t3;
          }
        }
      }
    }
    if (q >= b1) break;
    for (int g = 0; g < ng; ++g) rs[g] -= cnt.col(g).sum();
    fm = f;
    f1m = f1;
    skmm = skm;
    p = q;
  }
  for (int i = 0; i < ng1; ++i) {
    for (int j = 0; j <= i; ++j) {
      for (int k = 0; k < ng; ++k) {
        v(i, j) += c(i, k) * c(j, k) * v3[k] + c(i, k) * v2(j, k) +
                   c(j, k) * v2(i, k);
      }
    }
  }
  for (int i = 0; i < ng1; ++i) {
    for (int j = 0; j < i; ++j) v(j, i) = v(i, j);
  }
  score += s;
  var += v;
}

}  // namespace

GrayScore gray_score(const SurvData& d, const int* group, int n_groups,
                     int cause, double rho, const Poll& poll) {
  if (n_groups < 2) throw std::invalid_argument("gray: need two groups");
  if (!d.order || d.m != d.n || d.counting() || d.weight) {
    throw std::invalid_argument(
        "gray: unweighted right-censored rows with their sort order needed");
  }
  for (Eigen::Index r = 0; r < d.n; ++r) {
    if (group[r] < 0 || group[r] >= n_groups) {
      throw std::invalid_argument("gray: group code out of range");
    }
    const double st = d.status[r];
    if (!(st >= 0.0 && st == std::floor(st))) {
      throw std::invalid_argument("gray: status must be 0 or a cause code");
    }
  }
  GrayScore out;
  out.score = Eigen::VectorXd::Zero(n_groups - 1);
  out.variance = Eigen::MatrixXd::Zero(n_groups - 1, n_groups - 1);
  Eigen::Index b0 = 0;
  while (b0 < d.m) {
    const Eigen::Index b1 = stratum_end(d, b0);
    gray_stratum(d, b0, b1, group, n_groups, cause, rho, out.score,
                 out.variance, poll);
    b0 = b1;
  }
  return out;
}

}  // namespace cohortsurv
