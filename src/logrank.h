// Log-rank family kernel: declarations (pure C++, no R API).
#ifndef COHORTSURV_LOGRANK_H
#define COHORTSURV_LOGRANK_H

#include <Eigen/Dense>

#include "interrupt.h"

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
};

LogrankTables logrank_tables(const Eigen::Map<Eigen::VectorXd>& stop,
                             const Eigen::Map<Eigen::VectorXd>& status,
                             const Eigen::Map<Eigen::VectorXi>& group,
                             const Eigen::Map<Eigen::VectorXi>& strata,
                             const Eigen::Map<Eigen::VectorXi>& order,
                             const Eigen::Map<Eigen::VectorXd>& start,
                             const Eigen::Map<Eigen::VectorXi>& entry_order,
                             bool counting, int n_groups, int n_strata,
                             int weight_type, double rho, double gamma,
                             const Poll& poll = Poll());

// The same tables for right-censored data whose times are whole numbers in
// a modest range: `bin` (length n) is time minus the smallest time, in
// [0, n_bins); no sorting, one pass to count rows and deaths per (stratum,
// time, group), then one pass over the time bins of each stratum.
LogrankTables logrank_tables_binned(const Eigen::Map<Eigen::VectorXi>& bin,
                                    const Eigen::Map<Eigen::VectorXd>& status,
                                    const Eigen::Map<Eigen::VectorXi>& group,
                                    const Eigen::Map<Eigen::VectorXi>& strata,
                                    int n_bins, int n_groups, int n_strata,
                                    int weight_type, double rho, double gamma,
                                    const Poll& poll = Poll());

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
