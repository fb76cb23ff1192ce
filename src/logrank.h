// Log-rank family kernel: declarations (pure C++, no R API).
#ifndef COHORTSURV_LOGRANK_H
#define COHORTSURV_LOGRANK_H

#include <Eigen/Dense>

#include <vector>

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


// ---- The one-call path of logrank_fit() and logrank() -------------------
// Plain vectors as the caller gave them, nothing copied: time (double or
// int; exactly one of time_d, time_i set), status (double, or int for an
// R integer or logical; exactly one of status_d, status_i set), the
// 0-based group codes and, when stratified, the 0-based stratum codes
// (nullptr: one stratum). Missing integers are INT_MIN (R's NA_integer_).
struct LogrankVectors {
  Eigen::Index n = 0;
  const double* time_d = nullptr;
  const int* time_i = nullptr;
  const double* status_d = nullptr;
  const int* status_i = nullptr;
  const int* group = nullptr;
  int group_offset = 0;   // the code of row r is group[r] - group_offset
  int n_groups = 0;
  const int* strata = nullptr;
  int strata_offset = 0;  // the code of row r is strata[r] - strata_offset
  int n_strata = 1;
};

// One pass over time and status: `clean` when every time is finite and
// non-negative and every status 0 or 1 (then min, max and whether every time
// is a whole number below 2^31); otherwise the caller's own checks name the
// bad row.
struct LogrankTimeRange {
  bool clean = false;
  double min = 0.0, max = 0.0;
  bool whole = false;
};
LogrankTimeRange logrank_time_range(const LogrankVectors& v);

// The 0-based codes of a vector of n values against its sorted distinct
// values, by counting (no sorting, no hashing), for integers (INT_MIN
// missing) or doubles that are all whole numbers (NaN missing), when the
// values span at most max_span: `ok` false otherwise (a missing value,
// a fractional number, or too wide a span). values: the distinct values
// present, increasing. When the values present are all those of
// [lo, hi] of an int vector, `code` is left empty: the codes are x - offset
// (offset = lo), and x serves as they are (no copy of n values).
struct LevelCodes {
  bool ok = false;
  std::vector<int> code;
  int offset = 0;
  std::vector<double> values;
};
LevelCodes level_codes(const int* x, Eigen::Index n, double max_span);
LevelCodes level_codes(const double* x, Eigen::Index n, double max_span);
// The same for the codes x of a factor of n_levels levels, in one pass
// (the span is known): `ok` false for a code outside 1..n_levels (NA).
LevelCodes factor_codes(const int* x, Eigen::Index n, int n_levels);

// The cells of the counting route for v: (max - min + 1) time bins x
// strata x groups when every time is a whole number, else infinity.
double logrank_cells(const LogrankVectors& v, const LogrankTimeRange& r);

// The tables of logrank_tables() for the vectors v (with their range r,
// r.clean), choosing the cheapest route: whole-number times whose cells
// (time bins x strata x groups) number at most max_cells are counted
// per cell in one pass over the caller's vectors, no sorting; otherwise
// the rows are sorted here (a radix sort of n rows) and read by the
// sorting kernel. The two routes give the same numbers to the bit (every
// count is an exact integer and the death times are visited in the same
// order with the same arithmetic).
LogrankTables logrank_tables_vectors(const LogrankVectors& v,
                                     const LogrankTimeRange& r,
                                     double max_cells, int weight_type,
                                     double rho, double gamma,
                                     const Poll& poll = Poll());

}  // namespace cohortsurv

#endif
