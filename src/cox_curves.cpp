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

CoxCurveParts cox_curve_parts(const CoxData& d,
                              const Eigen::Map<Eigen::MatrixXd>& x,
                              const int* x_order, const Eigen::VectorXd& eta,
                              const Poll& poll) {
  using Eigen::Index;
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
  const bool counting = d.counting();
  std::vector<double> risk(n);
  for (Index i = 0; i < n; ++i) risk[i] = std::exp(eta[i]);

  CoxCurveParts out;
  std::vector<std::vector<double>> xb;  // per time, p values (reversed)
  Eigen::VectorXd s1(p), e1(p), num(p), xrow(p);
  Index b0 = 0;
  while (b0 < n) {
    const Index b1 = stratum_end(d, b0);
    const int s = d.strata[b0];
    // the stratum's times, built backwards, then reversed
    const std::size_t first = out.time.size();
    double s0 = 0.0, nrisk = 0.0;
    s1.setZero();
    Index i = b1 - 1;
    Index e = b1 - 1;  // entry pointer (counting process)
    while (i >= b0) {
      const double t = d.stop[i];
      double e0 = 0.0, dw = 0.0, cw = 0.0;
      int nd = 0;
      e1.setZero();
      for (; i >= b0 && d.stop[i] == t; --i) {
        poll.tick();
        const double w = d.weight[i];
        const double wr = w * risk[i];
        const Index r = x_order[i];
        for (Index k = 0; k < p; ++k) xrow[k] = x(r, k);
        s0 += wr;
        nrisk += w;
        s1 += wr * xrow;
        if (d.status[i] != 0.0) {
          dw += w;
          ++nd;
          e0 += wr;
          e1 += wr * xrow;
        } else {
          cw += w;
        }
      }
      if (counting) {
        // rows entering at or after t are not at risk at t
        while (e >= b0 && d.start[d.entry[e]] >= t) {
          const Index j = d.entry[e];
          const double w = d.weight[j];
          const double wr = w * risk[j];
          const Index r = x_order[j];
          s0 -= wr;
          nrisk -= w;
          for (Index k = 0; k < p; ++k) s1[k] -= wr * x(r, k);
          --e;
        }
      }
      double haz = 0.0, vh = 0.0;
      num.setZero();
      if (nd > 0) {
        if (!d.efron || nd == 1) {
          haz = dw / s0;
          vh = dw / (s0 * s0);
          num = s1 * (haz / s0);
        } else {
          double a1 = 0.0, a2 = 0.0;
          for (int j = 0; j < nd; ++j) {
            const double f = static_cast<double>(j) / nd;
            const double den = s0 - f * e0;
            const double inv2 = 1.0 / (den * den);
            a1 += 1.0 / den;
            a2 += inv2;
            num += (s1 - f * e1) * inv2;
          }
          haz = dw * a1 / nd;
          vh = dw * a2 / nd;
          num *= dw / nd;
        }
      }
      out.strata.push_back(s);
      out.time.push_back(t);
      out.n_risk.push_back(nrisk);
      out.n_event.push_back(dw);
      out.n_censor.push_back(cw);
      out.hazard.push_back(haz);
      out.varhaz.push_back(vh);
      xb.emplace_back(num.data(), num.data() + p);
    }
    auto rev = [first](auto& v) {
      std::reverse(v.begin() + first, v.end());
    };
    rev(out.time);
    rev(out.n_risk);
    rev(out.n_event);
    rev(out.n_censor);
    rev(out.hazard);
    rev(out.varhaz);
    rev(xb);
    b0 = b1;
  }
  const Index nt = static_cast<Index>(out.time.size());
  out.xbar.resize(nt, p);
  for (Index t = 0; t < nt; ++t) {
    for (Index k = 0; k < p; ++k) out.xbar(t, k) = xb[t][k];
  }
  return out;
}

}  // namespace cohortsurv
