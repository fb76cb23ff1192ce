// The log-rank family of k-sample tests: observed and expected deaths per
// group and the hypergeometric covariance of O - E, stratified, with
// Fleming-Harrington G(rho, gamma), Gehan and Tarone-Ware weights, for
// right-censored and left-truncated (start, stop] data.
//
// Inputs (length n unless stated), prepared by R's logrank_fit():
//   stop, status   sorted by stratum, then by stop time (any order among
//                  equal times); status is 0/1.
//   group          0-based group codes in [0, n_groups).
//   strata         0-based stratum codes in [0, n_strata), non-decreasing
//                  (one block of consecutive rows per stratum).
//   entry, entry_group  counting-process data only: the start times sorted
//                  ascending within each stratum block (the block of a
//                  stratum occupies the same rows as in `stop`) and their
//                  group codes; empty for right-censored data.
//   weight_type    0 Fleming-Harrington (rho, gamma >= 0), 1 Gehan,
//                  2 Tarone-Ware.
// Output: per group and stratum the weighted observed and expected deaths,
//   the unweighted deaths and the rows; the k x k covariance of O - E
//   summed over strata.
// Method: at each distinct death time t of a stratum with d deaths among n
//   at risk (n_g in group g, d_g deaths), and weight w(t),
//     O_g += w d_g,  E_g += w d n_g / n,
//     V_gh += w^2 d (n - d) / (n - 1) * (n_g / n) (1[g = h] - n_h / n)
//   (Mantel 1966; Peto & Peto 1972; Harrington & Fleming 1982, Biometrika
//   69:553-566; Gehan 1965; Tarone & Ware 1977, Biometrika 64:156-160).
//   S(t-) is the left-continuous Kaplan-Meier estimate of the pooled data of
//   the stratum (left-truncated when counting), so that w = 1 for rho = 0
//   and w = S(t-) for rho = 1 reproduce survival::survdiff(rho = ).
//   Counts are integers, so the numbers at risk are kept exactly by a
//   forward pass that starts from the block total (or adds entries with
//   start < t) and removes rows once their stop time has passed.
// Cost: one pass per stratum over the rows, O(n + m k^2) for m death times.

#include <RcppEigen.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "logrank.h"

namespace cohortsurv {

LogrankTables logrank_tables(const Eigen::Map<Eigen::VectorXd>& stop,
                             const Eigen::Map<Eigen::VectorXd>& status,
                             const Eigen::Map<Eigen::VectorXi>& group,
                             const Eigen::Map<Eigen::VectorXi>& strata,
                             const Eigen::Map<Eigen::VectorXd>& entry,
                             const Eigen::Map<Eigen::VectorXi>& entry_group,
                             bool counting, int n_groups, int n_strata,
                             int weight_type, double rho, double gamma,
                             const Poll& poll) {
  const Eigen::Index n = stop.size();
  if (status.size() != n || group.size() != n || strata.size() != n) {
    throw std::invalid_argument("logrank: stop, status, group and strata "
                                "must have the same length");
  }
  if (counting && (entry.size() != n || entry_group.size() != n)) {
    throw std::invalid_argument("logrank: entry times must have one element "
                                "per row for counting-process data");
  }
  if (n_groups < 1 || n_strata < 1) {
    throw std::invalid_argument("logrank: need at least one group and one "
                                "stratum");
  }
  if (weight_type < 0 || weight_type > 2) {
    throw std::invalid_argument("logrank: unknown weight type");
  }
  if (!(rho >= 0.0) || !(gamma >= 0.0) || !std::isfinite(rho) ||
      !std::isfinite(gamma)) {
    throw std::invalid_argument("logrank: rho and gamma must be finite and "
                                "non-negative");
  }
  const LogrankWeight wtype = static_cast<LogrankWeight>(weight_type);
  const int k = n_groups;
  LogrankTables out;
  out.observed = Eigen::MatrixXd::Zero(k, n_strata);
  out.expected = Eigen::MatrixXd::Zero(k, n_strata);
  out.events = Eigen::MatrixXd::Zero(k, n_strata);
  out.n = Eigen::MatrixXd::Zero(k, n_strata);
  out.variance = Eigen::MatrixXd::Zero(k, k);

  std::vector<double> risk(k), dg(k), leave(k);
  std::vector<int> touched;  // groups with rows at the current time
  touched.reserve(k);

  Eigen::Index block_start = 0;
  while (block_start < n) {
    const int s = strata[block_start];
    if (s < 0 || s >= n_strata) {
      throw std::invalid_argument("logrank: stratum code out of range");
    }
    Eigen::Index block_end = block_start;
    while (block_end < n && strata[block_end] == s) ++block_end;
    if (block_end < n && strata[block_end] < s) {
      throw std::invalid_argument("logrank: rows must be sorted by stratum");
    }
    double total = 0.0;  // number at risk, all groups
    std::fill(risk.begin(), risk.end(), 0.0);
    for (Eigen::Index i = block_start; i < block_end; ++i) {
      const int g = group[i];
      if (g < 0 || g >= k) {
        throw std::invalid_argument("logrank: group code out of range");
      }
      out.n(g, s) += 1.0;
      if (status[i] != 0.0) out.events(g, s) += 1.0;
    }
    if (!counting) {
      for (int g = 0; g < k; ++g) risk[g] = out.n(g, s);
      total = static_cast<double>(block_end - block_start);
    }
    Eigen::Index e = block_start;  // next entry not yet in the risk set
    double km = 1.0;               // pooled S(t-) within the stratum
    Eigen::Index i = block_start;
    while (i < block_end) {
      const double t = stop[i];
      if (counting) {
        while (e < block_end && entry[e] < t) {
          const int g = entry_group[e];
          if (g < 0 || g >= k) {
            throw std::invalid_argument("logrank: entry group code out of "
                                        "range");
          }
          if (e > block_start && entry[e] < entry[e - 1]) {
            throw std::invalid_argument("logrank: entry times must be sorted "
                                        "within stratum");
          }
          risk[g] += 1.0;
          total += 1.0;
          ++e;
        }
      }
      // rows at time t: deaths and leavers per group
      double d = 0.0;
      touched.clear();
      while (i < block_end && stop[i] == t) {
        poll.tick();
        const int g = group[i];
        if (leave[g] == 0.0) touched.push_back(g);
        leave[g] += 1.0;
        if (status[i] != 0.0) {
          dg[g] += 1.0;
          d += 1.0;
        }
        ++i;
      }
      if (i < block_end && stop[i] < t) {
        throw std::invalid_argument("logrank: rows must be sorted by time "
                                    "within stratum");
      }
      if (d > 0.0) {
        double w = 1.0;
        switch (wtype) {
          case LogrankWeight::fh:
            if (rho != 0.0) w *= std::pow(km, rho);
            if (gamma != 0.0) w *= std::pow(1.0 - km, gamma);
            break;
          case LogrankWeight::gehan:
            w = total;
            break;
          case LogrankWeight::tarone_ware:
            w = std::sqrt(total);
            break;
        }
        for (int g : touched) out.observed(g, s) += w * dg[g];
        const double wd = w * d / total;
        for (int g = 0; g < k; ++g) {
          if (risk[g] != 0.0) out.expected(g, s) += wd * risk[g];
        }
        if (total > 1.0) {
          const double c = w * w * d * (total - d) / (total * (total - 1.0));
          for (int g = 0; g < k; ++g) {
            if (risk[g] == 0.0) continue;
            const double a = c * risk[g];
            out.variance(g, g) += a;
            const double b = a / total;
            for (int h = 0; h < k; ++h) {
              if (risk[h] != 0.0) out.variance(g, h) -= b * risk[h];
            }
          }
        }
        km *= (total - d) / total;
      }
      for (int g : touched) {
        risk[g] -= leave[g];
        total -= leave[g];
        leave[g] = 0.0;
        dg[g] = 0.0;
      }
    }
    block_start = block_end;
  }
  return out;
}

Eigen::Vector2d logrank_chisq(const Eigen::VectorXd& u,
                              const Eigen::MatrixXd& v,
                              const Eigen::VectorXd& expected) {
  const Eigen::Index k = u.size();
  if (v.rows() != k || v.cols() != k || expected.size() != k) {
    throw std::invalid_argument("logrank_chisq: dimensions do not match");
  }
  std::vector<Eigen::Index> keep;
  for (Eigen::Index g = 0; g < k; ++g) {
    if (expected[g] > 0.0) keep.push_back(g);
  }
  const Eigen::Index m = static_cast<Eigen::Index>(keep.size());
  if (m < 2) return Eigen::Vector2d(0.0, 0.0);
  Eigen::MatrixXd vk(m, m);
  Eigen::VectorXd uk(m);
  for (Eigen::Index a = 0; a < m; ++a) {
    uk[a] = u[keep[a]];
    for (Eigen::Index b = 0; b < m; ++b) vk(a, b) = v(keep[a], keep[b]);
  }
  // rank of V on the kept groups
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(vk);
  const Eigen::VectorXd lam = eig.eigenvalues();
  const double lmax = lam.cwiseAbs().maxCoeff();
  if (!(lmax > 0.0)) return Eigen::Vector2d(0.0, 0.0);
  const double tol = 1e-10 * lmax;
  Eigen::Index rank = 0;
  for (Eigen::Index j = 0; j < m; ++j) {
    if (lam[j] > tol) ++rank;
  }
  double chi = 0.0;
  if (rank == m - 1) {
    // survdiff's recipe: drop the first kept group, solve the rest
    const Eigen::MatrixXd vr = vk.bottomRightCorner(m - 1, m - 1);
    const Eigen::VectorXd ur = uk.tail(m - 1);
    Eigen::LDLT<Eigen::MatrixXd> ldlt(vr);
    chi = ur.dot(ldlt.solve(ur));
  } else {
    // generalized inverse: U lies in the range of V, so U' V^- U does not
    // depend on the choice of inverse
    const Eigen::VectorXd z = eig.eigenvectors().transpose() * uk;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (lam[j] > tol) chi += z[j] * z[j] / lam[j];
    }
  }
  return Eigen::Vector2d(chi, static_cast<double>(rank));
}

}  // namespace cohortsurv

namespace {
Rcpp::List logrank_to_list(const cohortsurv::LogrankTables& x) {
  const Eigen::VectorXd u =
      (x.observed - x.expected).rowwise().sum();
  const Eigen::VectorXd e = x.expected.rowwise().sum();
  const Eigen::Vector2d chi = cohortsurv::logrank_chisq(u, x.variance, e);
  return Rcpp::List::create(
      Rcpp::Named("observed") = x.observed,
      Rcpp::Named("expected") = x.expected,
      Rcpp::Named("events") = x.events, Rcpp::Named("n") = x.n,
      Rcpp::Named("variance") = x.variance,
      Rcpp::Named("statistic") = chi[0], Rcpp::Named("df") = chi[1]);
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_logrank(const Eigen::Map<Eigen::VectorXd> stop, const Eigen::Map<Eigen::VectorXd> status, const Eigen::Map<Eigen::VectorXi> group, const Eigen::Map<Eigen::VectorXi> strata, const Eigen::Map<Eigen::VectorXd> entry, const Eigen::Map<Eigen::VectorXi> entry_group, bool counting, int n_groups, int n_strata, int weight_type, double rho, double gamma) {
  return logrank_to_list(cohortsurv::logrank_tables(stop, status, group, strata, entry, entry_group, counting, n_groups, n_strata, weight_type, rho, gamma, cohortsurv::Poll([] { Rcpp::checkUserInterrupt(); })));
}
