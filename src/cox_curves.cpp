// Predicted survival curves after a Cox model: the per-time pieces from
// which R builds the curve of any covariate profile and its variance.
//
// Inputs: a CoxData view d (cox.h) of the n rows of the fit stored sorted
//   by stratum, then stop time (weights > 0; for (start, stop] data the
//   entry positions sorted by stratum, then start); x, n x p, the design in
//   the caller's row order with x_order (n, 0-based) mapping each sorted
//   position to its row of x; eta (n, sorted order), the linear predictor
//   with offsets, minus any constant (R subtracts survfit's centre).
// Preconditions: times already merged by time_fix(); d checked by
//   cox_view().
// Outputs (CoxCurveParts, cox_curves.h), per distinct stop time t of each
//   stratum, r_i = exp(eta_i), R(t) the risk set (start < t <= stop):
//   n_risk = sum_R w, n_event = sum of w over deaths at t, n_censor the
//   same over censorings, and with S0 = sum_R w r, S1 = sum_R w r x,
//   E0, E1 the same sums over the deaths at t, d the number of deaths,
//   D their weight:
//   Breslow (ctype 1): hazard = D / S0, varhaz = D / S0^2,
//     xbar = hazard S1 / S0;
//   Efron (ctype 2): with S0_j = S0 - (j / d) E0, j = 0..d-1,
//     hazard = D mean_j 1 / S0_j, varhaz = D mean_j 1 / S0_j^2,
//     xbar = D mean_j (S1 - (j / d) E1) / S0_j^2.
//   The curve of a profile (x0, risk r0) is then H(t) = r0 sum hazard and
//   Var H(t) = r0^2 [sum varhaz + q(t)' V q(t)], q(t) = sum (hazard x0 -
//   xbar), V the variance of beta (done in R).
// Method: Tsiatis (1981) Ann Stat 9:93-108; Link (1984) JASA 79:
//   480-485; Therneau & Grambsch (2000), Modeling Survival Data, section
//   10.2; the conventions of survival's survfit.coxph() and agsurv().
// Cost: one backward pass per stratum, O(n p).

#include "cox_curves.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cohortsurv {

namespace {

using Eigen::Index;
using Eigen::VectorXd;

// The running sums of one stratum at one time: S0, S1 (risk set) and
// E0, E1 (deaths at the time), D the deaths' weight, d their number.
struct TimeSums {
  double s0 = 0.0, e0 = 0.0, dw = 0.0, cw = 0.0, nrisk = 0.0;
  int nd = 0;
  VectorXd s1, e1;
};

// hazard, varhaz and the x-bar term at one time (see the header comment):
// Breslow, or Efron's average over j = 0..d-1 of the reduced risk sets.
void time_pieces(const TimeSums& a, bool efron, double& haz, double& vh,
                 VectorXd& num) {
  haz = vh = 0.0;
  num.setZero();
  if (a.nd == 0) return;
  if (!efron || a.nd == 1) {
    haz = a.dw / a.s0;
    vh = a.dw / (a.s0 * a.s0);
    num = a.s1 * (haz / a.s0);
    return;
  }
  double a1 = 0.0, a2 = 0.0;
  for (int j = 0; j < a.nd; ++j) {
    const double f = static_cast<double>(j) / a.nd;
    const double den = a.s0 - f * a.e0;
    const double inv2 = 1.0 / (den * den);
    a1 += 1.0 / den;
    a2 += inv2;
    num += (a.s1 - f * a.e1) * inv2;
  }
  haz = a.dw * a1 / a.nd;
  vh = a.dw * a2 / a.nd;
  num *= a.dw / a.nd;
}

// Reverses the entries [first, end) of each per-time vector (a stratum's
// times are found from the last to the first).
void reverse_from(CoxCurveParts& out, std::vector<std::vector<double>>& xb,
                  std::size_t first) {
  auto rev = [first](auto& v) { std::reverse(v.begin() + first, v.end()); };
  rev(out.time);
  rev(out.n_risk);
  rev(out.n_event);
  rev(out.n_censor);
  rev(out.hazard);
  rev(out.varhaz);
  rev(xb);
}

}  // namespace

CoxCurveParts cox_curve_parts(const CoxData& d,
                              const Eigen::Map<Eigen::MatrixXd>& x,
                              const int* x_order, const Eigen::VectorXd& eta,
                              const Poll& poll) {
  const Index n = d.n;
  const Index p = x.cols();
  if (eta.size() != n || x.rows() != n) {
    throw std::invalid_argument(
        "cox_curves: eta and x must have one value (row) per row of the data");
  }
  for (Index i = 0; i < n; ++i) {
    if (x_order[i] < 0 || x_order[i] >= n) {
      throw std::invalid_argument("cox_curves: order out of range");
    }
  }
  std::vector<double> risk(n);
  for (Index i = 0; i < n; ++i) risk[i] = std::exp(eta[i]);
  CoxCurveParts out;
  std::vector<std::vector<double>> xb;  // per time, its p values
  VectorXd num(p);
  TimeSums a;
  for (Index b0 = 0, b1 = 0; b0 < n; b0 = b1) {
    b1 = stratum_end(d, b0);
    const std::size_t first = out.time.size();
    a.s0 = a.nrisk = 0.0;
    a.s1 = VectorXd::Zero(p);
    Index e = b1 - 1;  // entry pointer (counting process)
    for (Index i = b1 - 1; i >= b0;) {
      const double t = d.stop[i];
      a.e0 = a.dw = a.cw = 0.0;
      a.nd = 0;
      a.e1 = VectorXd::Zero(p);
      for (; i >= b0 && d.stop[i] == t; --i) {
        poll.tick();
        const double w = d.w(i), wr = w * risk[i];
        const auto xr = x.row(x_order[i]).transpose();
        a.s0 += wr;
        a.nrisk += w;
        a.s1 += wr * xr;
        if (d.status[i] != 0.0) {
          a.dw += w;
          ++a.nd;
          a.e0 += wr;
          a.e1 += wr * xr;
        } else {
          a.cw += w;
        }
      }
      // rows entering at or after t are not at risk at t
      for (; d.counting() && e >= b0 && d.start[d.entry[e]] >= t; --e) {
        const Index j = d.entry[e];
        const double w = d.w(j), wr = w * risk[j];
        a.s0 -= wr;
        a.nrisk -= w;
        a.s1 -= wr * x.row(x_order[j]).transpose();
      }
      double haz, vh;
      time_pieces(a, d.efron, haz, vh, num);
      out.strata.push_back(d.strata[b0]);
      out.time.push_back(t);
      out.n_risk.push_back(a.nrisk);
      out.n_event.push_back(a.dw);
      out.n_censor.push_back(a.cw);
      out.hazard.push_back(haz);
      out.varhaz.push_back(vh);
      xb.emplace_back(num.data(), num.data() + p);
    }
    reverse_from(out, xb, first);
  }
  const Index nt = static_cast<Index>(out.time.size());
  out.xbar.resize(nt, p);
  for (Index t = 0; t < nt; ++t) {
    for (Index k = 0; k < p; ++k) out.xbar(t, k) = xb[t][k];
  }
  return out;
}

}  // namespace cohortsurv
