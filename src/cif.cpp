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
// Cost: O(n + times x K) after the sort; cif_fit_binned() makes the same
//   sums without sorting when the times are whole numbers on a modest grid.
//   survfit updates U_g for every row at every
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

// The sums of one stratum at its distinct stop times: the number at risk,
// the censorings, the events of each cause (times x K) and the sums of the
// squared weights of the rows leaving, by status 0..K (times x (K + 1)),
// which is all the influence of right-censored rows needs. `first` (sorted
// path): the sort position of the first row of each time.
struct TimeSums {
  std::vector<double> time, n_risk, n_censor, d, w2;
  std::vector<Eigen::Index> first;
};

// TimeSums from a backward pass over the sorted rows of [b0, b1), as
// survfit makes it (rows leave the risk set going back in time when their
// start is at or after t, and join it when their stop is), so that the
// numbers at risk are exact sums in the tail.
TimeSums sorted_sums(const SurvData& d, Eigen::Index b0, Eigen::Index b1,
                     int K, const Poll& poll) {
  TimeSums c;
  double y = 0.0;
  Eigen::Index pe = b1 - 1;  // entry order, walked backward
  Eigen::Index p = b1 - 1;
  std::vector<double> dk(K), w2(K + 1);
  while (p >= b0) {
    const double t = d.stop[d.row(p)];
    if (d.counting()) {
      for (; pe >= b0 && d.start[d.entry[pe]] >= t; --pe) y -= d.w(d.entry[pe]);
    }
    std::fill(dk.begin(), dk.end(), 0.0);
    std::fill(w2.begin(), w2.end(), 0.0);
    double cens = 0.0;
    for (; p >= b0 && d.stop[d.row(p)] == t; --p) {
      const Eigen::Index r = d.row(p);
      const double w = d.w(r);
      y += w;
      const int s = static_cast<int>(d.status[r]);
      if (s > 0) dk[s - 1] += w; else cens += w;
      w2[s] += w * w;
      poll.tick();
    }
    c.time.push_back(t);
    c.n_risk.push_back(y);
    c.n_censor.push_back(cens);
    c.d.insert(c.d.end(), dk.rbegin(), dk.rend());  // reversed below
    c.w2.insert(c.w2.end(), w2.rbegin(), w2.rend());
    c.first.push_back(p + 1);
  }
  std::reverse(c.time.begin(), c.time.end());
  std::reverse(c.n_risk.begin(), c.n_risk.end());
  std::reverse(c.n_censor.begin(), c.n_censor.end());
  std::reverse(c.first.begin(), c.first.end());
  std::reverse(c.d.begin(), c.d.end());
  std::reverse(c.w2.begin(), c.w2.end());
  return c;
}

// The running estimates of one stratum and the moments of the influence
// (see the comment at the top): add rows with enter(), move the curve
// with step(), remove rows with leave_row() or leave_sums().
struct Walk {
  explicit Walk(int k)
      : K(k), F(k, 0.0), alpha(k, 0.0), Ga(k, 0.0), Ha(k, 0.0), Ka(k, 0.0),
        Ge(k, 0.0), Me(k, 0.0) {}
  int K;
  double S = 1.0, L = 0.0;
  std::vector<double> F, alpha;  // F_k and alpha_k
  // rows at risk: sums of w^2, w^2 L(e), w^2 L(e)^2; per cause the sums of
  // U^2, w U and w L(e) U
  double W2 = 0.0, WL = 0.0, WLL = 0.0;
  std::vector<double> Ga, Ha, Ka;
  // rows gone: sum of r^2; per cause the sums of U^2 and r U
  double R = 0.0;
  std::vector<double> Ge, Me;
  // the current time: P0(t-), number at risk, events, all at risk failed
  double Sp = 1.0, Y = 0.0, dsum = 0.0;
  bool full = false;

  // A row of weight w joins the risk set (influence 0 so far); `e`
  // receives L, alpha_k and F_k now (counting-process data).
  void enter(double w, double* e) {
    W2 += w * w;
    WL += w * w * L;
    WLL += w * w * L * L;
    e[0] = L;
    for (int k = 0; k < K; ++k) {
      e[1 + k] = alpha[k];
      e[1 + K + k] = F[k];
    }
  }

  // The estimates move at a time with y at risk and dk events of each
  // cause; the influence moments follow. Returns whether there were events.
  bool step(double y, const double* dk) {
    Sp = S;
    Y = y;
    dsum = 0.0;
    for (int k = 0; k < K; ++k) dsum += dk[k];
    full = false;
    if (!(dsum > 0.0)) return false;
    full = (Y - dsum) <= 1e-12 * Y;
    const double Lp = L;
    for (int k = 0; k < K; ++k) {
      const double h = dk[k] / Y;
      const double dF = Sp * h, da = Sp * h * Lp - Sp * h / Y, dg = -dF;
      S -= Sp * h;
      F[k] += dF;
      alpha[k] += da;
      Ga[k] += 2.0 * (da * Ha[k] + dg * Ka[k]) + da * da * W2 +
               2.0 * da * dg * WL + dg * dg * WLL;
      Ha[k] += da * W2 + dg * WL;
      Ka[k] += da * WL + dg * WLL;
      Ge[k] += 2.0 * dF * Me[k] + dF * dF * R;
      Me[k] += dF * R;
    }
    if (full) {
      S = 0.0;  // all at risk failed: exactly 0, not a rounding remnant
    } else {
      L += dsum / (Y * (Y - dsum));
    }
    return true;
  }

  // A row of weight w with status `cause` leaves at the current time; `e`
  // holds its values at entry.
  void leave_row(double w, const double* e, int cause) {
    const double le = e[0];
    double r = full ? 0.0 : w * (L - le);
    if (cause > 0 && !full && dsum > 0.0) r -= w / (Y - dsum);
    W2 -= w * w;
    WL -= w * w * le;
    WLL -= w * w * le * le;
    R += r * r;
    for (int k = 0; k < K; ++k) {
      double u = w * ((alpha[k] - e[1 + k]) - le * (F[k] - e[1 + K + k]));
      Ga[k] -= u * u;
      Ha[k] -= w * u;
      Ka[k] -= w * le * u;
      if (cause == k + 1 && dsum > 0.0) u += w * Sp / Y;
      Ge[k] += u * u;
      Me[k] += r * u;
    }
  }

  // The right-censored rows leaving at the current time, all at risk since
  // the origin, through the sums of their squared weights by status (w2,
  // K + 1 values): a row's influence is w alpha_k (+ w P0(t-) / Y for its
  // cause) and its r is w L (- w / (Y - d) for an event).
  void leave_sums(const double* w2) {
    double all = 0.0;
    for (int s = 0; s <= K; ++s) all += w2[s];
    const double ev = all - w2[0];
    // no (weighted) events: the events of weight 0 add nothing
    const bool ev_w = dsum > 0.0;
    const double g = full || !ev_w ? 0.0 : 1.0 / (Y - dsum);
    const double lr = full ? 0.0 : L, le = full ? 0.0 : L - g;
    W2 -= all;
    R += lr * lr * w2[0] + le * le * ev;
    const double a = ev_w ? Sp / Y : 0.0;
    const double rw = lr * w2[0] + le * ev;  // sum of r w
    for (int k = 0; k < K; ++k) {
      const double ak = alpha[k], wk = w2[k + 1];
      Ga[k] -= ak * ak * all;
      Ha[k] -= ak * all;
      Ge[k] += ak * ak * all + 2.0 * ak * a * wk + a * a * wk;
      Me[k] += ak * rw + a * le * wk;
    }
  }

  // The standard errors of P0 and of each F_k now.
  void std_err(std::vector<double>& se) const {
    const double v0 = S * S * (R + W2 * L * L - 2.0 * L * WL + WLL);
    se[0] = std::sqrt(std::max(v0, 0.0));
    for (int k = 0; k < K; ++k) {
      se[1 + k] = std::sqrt(std::max(Ga[k] + Ge[k], 0.0));
    }
  }
};

// The output rows, state by state within a row.
struct CifRows {
  std::vector<int> strata;
  std::vector<double> time, n_risk, n_censor, est, se, nev;
};

// Walk one stratum's times. Counting-process data (d.counting()) move the
// rows one by one: entries through d.entry over [b0, b1), exits through
// c.first; `at_entry` holds 2K + 1 values per row. Right-censored rows all
// enter at the origin and leave through the sums of c.
void walk_stratum(const SurvData& d, Eigen::Index b0, Eigen::Index b1,
                  const TimeSums& c, int stratum, int K,
                  std::vector<double>& at_entry, CifRows& out) {
  Walk s(K);
  const bool counting = d.counting();
  const std::size_t nt = c.time.size();
  if (!counting) {
    for (std::size_t j = 0; j < nt; ++j) {
      for (int k = 0; k <= K; ++k) s.W2 += c.w2[j * (K + 1) + k];
    }
  }
  Eigen::Index pe = b0;
  std::vector<double> cur_se(K + 1, 0.0);
  const std::size_t E = 2 * K + 1;
  for (std::size_t j = 0; j < nt; ++j) {
    const double t = c.time[j];
    for (; counting && pe < b1 && d.start[d.entry[pe]] < t; ++pe) {
      const Eigen::Index r = d.entry[pe];
      s.enter(d.w(r), &at_entry[static_cast<std::size_t>(r) * E]);
    }
    const double* dk = &c.d[j * K];
    const bool events = s.step(c.n_risk[j], dk);
    if (counting) {
      const Eigen::Index p_end = j + 1 < nt ? c.first[j + 1] : b1;
      for (Eigen::Index p = c.first[j]; p < p_end; ++p) {
        const Eigen::Index r = d.row(p);
        s.leave_row(d.w(r), &at_entry[static_cast<std::size_t>(r) * E],
                    static_cast<int>(d.status[r]));
      }
    } else {
      s.leave_sums(&c.w2[j * (K + 1)]);
    }
    if (events || j == 0) s.std_err(cur_se);
    out.strata.push_back(stratum);
    out.time.push_back(t);
    out.n_risk.push_back(c.n_risk[j]);
    out.n_censor.push_back(c.n_censor[j]);
    out.est.push_back(s.S);
    out.est.insert(out.est.end(), s.F.begin(), s.F.end());
    out.se.insert(out.se.end(), cur_se.begin(), cur_se.end());
    out.nev.insert(out.nev.end(), dk, dk + K);
  }
}

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

CifCurves to_curves(CifRows& rows, int K) {
  CifCurves out;
  const Eigen::Index n = static_cast<Eigen::Index>(rows.time.size());
  using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic,
                               Eigen::RowMajor>;
  out.estimate = Eigen::Map<RowMat>(rows.est.data(), n, K + 1);
  out.std_err = Eigen::Map<RowMat>(rows.se.data(), n, K + 1);
  out.n_event = Eigen::Map<RowMat>(rows.nev.data(), n, K);
  out.strata.swap(rows.strata);
  out.time.swap(rows.time);
  out.n_risk.swap(rows.n_risk);
  out.n_censor.swap(rows.n_censor);
  return out;
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
  CifRows rows;
  std::vector<double> at_entry;
  if (d.counting()) {
    at_entry.assign(static_cast<std::size_t>(d.n) * (2 * K + 1), 0.0);
  }
  Eigen::Index b0 = 0;
  while (b0 < d.m) {
    const Eigen::Index b1 = stratum_end(d, b0);
    const TimeSums c = sorted_sums(d, b0, b1, K, poll);
    walk_stratum(d, b0, b1, c, d.strata[d.row(b0)], K, at_entry, rows);
    b0 = b1;
  }
  return to_curves(rows, K);
}

CifCurves cif_fit_binned(const SurvData& d, int K, double tmin, int n_bins,
                         const Poll& poll) {
  if (K < 1) throw std::invalid_argument("cif: need at least one cause");
  if (d.counting() || n_bins < 1) {
    throw std::invalid_argument("cif: binned data must be right-censored");
  }
  check_status(d, K);
  const int K1 = K + 1;
  const std::size_t cells = static_cast<std::size_t>(d.n_strata) * n_bins;
  // per (stratum, bin): rows, then sums of w and w^2 by status
  std::vector<double> count(cells, 0.0), sw(cells * K1, 0.0),
      sw2(cells * K1, 0.0);
  for (Eigen::Index r = 0; r < d.n; ++r) {
    const double b = d.stop[r] - tmin;
    if (!(b >= 0.0 && b < n_bins)) {
      throw std::invalid_argument("cif: stop time outside the bins");
    }
    const std::size_t cell =
        static_cast<std::size_t>(d.strata[r]) * n_bins +
        static_cast<std::size_t>(b);
    const int s = static_cast<int>(d.status[r]);
    const double w = d.w(r);
    count[cell] += 1.0;
    sw[cell * K1 + s] += w;
    sw2[cell * K1 + s] += w * w;
    poll.tick();
  }
  CifRows rows;
  std::vector<double> none;
  for (int st = 0; st < d.n_strata; ++st) {
    TimeSums c;
    double y = 0.0;
    for (int b = n_bins - 1; b >= 0; --b) {  // backward: exact tail sums
      const std::size_t cell = static_cast<std::size_t>(st) * n_bins + b;
      if (count[cell] == 0.0) continue;
      for (int s = 0; s < K1; ++s) y += sw[cell * K1 + s];
      c.time.push_back(tmin + b);
      c.n_risk.push_back(y);
      c.n_censor.push_back(sw[cell * K1]);
      for (int k = K; k >= 1; --k) c.d.push_back(sw[cell * K1 + k]);
      for (int s = K; s >= 0; --s) c.w2.push_back(sw2[cell * K1 + s]);
    }
    if (c.time.empty()) continue;
    std::reverse(c.time.begin(), c.time.end());
    std::reverse(c.n_risk.begin(), c.n_risk.end());
    std::reverse(c.n_censor.begin(), c.n_censor.end());
    std::reverse(c.d.begin(), c.d.end());
    std::reverse(c.w2.begin(), c.w2.end());
    walk_stratum(d, 0, 0, c, st, K, none, rows);
  }
  return to_curves(rows, K);
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

// The running quantities of Gray's score and variance in one stratum,
// named as in cmprsk's crst routine: per group the number at risk rs, the
// left- and right-continuous KM (skmm, skm) and CIF (f1m, f1) estimates,
// the pooled CIF (fm, f), and the accumulators a, c, v2, v3 of the
// variance.
struct GrayWalk {
  GrayWalk(int groups, double power)
      : ng(groups), ng1(groups - 1), rho(power),
        rs(Eigen::VectorXd::Zero(groups)), f1m(rs), f1(rs), v3(rs),
        skmm(Eigen::VectorXd::Ones(groups)), skm(skmm),
        c(Eigen::MatrixXd::Zero(groups, groups)), a(c),
        v2(Eigen::MatrixXd::Zero(groups - 1, groups)),
        v(Eigen::MatrixXd::Zero(groups - 1, groups - 1)),
        s(Eigen::VectorXd::Zero(groups - 1)), cnt(3, groups) {}
  int ng, ng1;
  double rho, fm = 0.0, f = 0.0, tr = 0.0, nd1 = 0.0, nd2 = 0.0;
  Eigen::VectorXd rs, f1m, f1, v3, skmm, skm;
  Eigen::MatrixXd c, a, v2, v;
  Eigen::VectorXd s;
  Eigen::MatrixXd cnt;  // censored, cause of interest, other cause x group

  // The estimates, a, c and the score at a time with events (cnt set).
  void update() {
    tr = 0.0;
    double tq = 0.0;
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
  }

  // The variance terms of the events of the cause of interest.
  void var_cause() {
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

  // The variance terms of the events of the other causes.
  void var_other() {
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

  // Past the time: the rows of cnt leave the risk sets.
  void next() {
    for (int g = 0; g < ng; ++g) rs[g] -= cnt.col(g).sum();
    fm = f;
    f1m = f1;
    skmm = skm;
  }

  // The variance matrix of the stratum (symmetric), after the last time.
  Eigen::MatrixXd variance() {
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
    return v;
  }
};

// The score and variance of one stratum, rows at sort positions [b0, b1),
// added to `score` and `var`.
void gray_stratum(const SurvData& d, Eigen::Index b0, Eigen::Index b1,
                  const int* group, int ng, int cause, double rho,
                  Eigen::VectorXd& score, Eigen::MatrixXd& var,
                  const Poll& poll) {
  GrayWalk w(ng, rho);
  for (Eigen::Index p = b0; p < b1; ++p) w.rs[group[d.row(p)]] += 1.0;
  Eigen::Index p = b0;
  while (p < b1) {
    const double t = d.stop[d.row(p)];
    w.cnt.setZero();
    Eigen::Index q = p;
    for (; q < b1 && d.stop[d.row(q)] == t; ++q) {
      const Eigen::Index r = d.row(q);
      const int st = static_cast<int>(d.status[r]);
      w.cnt(st == 0 ? 0 : (st == cause ? 1 : 2), group[r]) += 1.0;
      poll.tick();
    }
    w.nd1 = w.cnt.row(1).sum();
    w.nd2 = w.cnt.row(2).sum();
    if (w.nd1 > 0.0 || w.nd2 > 0.0) {
      w.update();
      if (w.nd1 > 0.0) w.var_cause();
      if (w.nd2 > 0.0) w.var_other();
    }
    if (q >= b1) break;
    w.next();
    p = q;
  }
  score += w.s;
  var += w.variance();
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
