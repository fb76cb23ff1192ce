// Log-rank family kernel: declarations (pure C++, no R API).
#ifndef COHORTSURV_LOGRANK_H
#define COHORTSURV_LOGRANK_H

#include <Eigen/Dense>

#include "interrupt.h"
#include "surv_data.h"

namespace cohortsurv {

// Weight functions, numbered as the R side passes them.
//   fh           Fleming-Harrington G(rho, gamma): S(t-)^rho (1 - S(t-))^gamma
//   gehan        Gehan-Breslow: n(t), the number at risk in the stratum
//   tarone_ware  Tarone-Ware: sqrt(n(t))
enum class LogrankWeight { fh = 0, gehan = 1, tarone_ware = 2 };

struct LogrankTables {
  Eigen::MatrixXd observed;  // k x s: weighted observed deaths, sum_t w d_g
  Eigen::MatrixXd expected;  // k x s: weighted expected, sum_t w d n_g / n
  Eigen::MatrixXd events;    // k x s: unweighted deaths
  Eigen::MatrixXd n;         // k x s: rows
  Eigen::MatrixXd variance;  // k x k: hypergeometric covariance of O - E,
                             //        summed over strata
  double statistic = 0.0;    // chi-square (logrank_chisq())
  double df = 0.0;           // its degrees of freedom
};

// The tables (and the test, logrank_test()) from the d.m rows of `d` read
// through d.order; group: n 0-based group codes. See logrank.cpp.
LogrankTables logrank_tables(const SurvData& d, const int* group,
                             int n_groups, int weight_type, double rho,
                             double gamma, const Poll& poll = Poll());

// The same tables for right-censored data whose times are whole numbers in
// a modest range: `bin` (n values) is time minus the smallest time, in
// [0, n_bins); the rows of `d` are read in storage order (no sorting), one
// pass to count rows and deaths per (stratum, time, group), then one pass
// over the time bins of each stratum.
LogrankTables logrank_tables_binned(const SurvData& d, const int* bin,
                                    const int* group, int n_bins,
                                    int n_groups, int weight_type, double rho,
                                    double gamma, const Poll& poll = Poll());

// Sets x.statistic and x.df: the chi-square of O - E summed over strata.
void logrank_test(LogrankTables& x);

// The quadratic form U' V^- U of the score U = O - E (length k) and its
// covariance V (k x k), over the groups with expected > 0, as survdiff
// computes it (first such group dropped, the rest solved); when V restricted
// to those groups has rank below their number minus one (groups that never
// share a risk set), a generalized inverse from the eigendecomposition, with
// df the rank. Returns (statistic, df).
Eigen::Vector2d logrank_chisq(const Eigen::VectorXd& u,
                              const Eigen::MatrixXd& v,
                              const Eigen::VectorXd& expected);

}  // namespace cohortsurv

#endif
