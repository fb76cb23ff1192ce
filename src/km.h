// Kaplan-Meier kernel: declarations (pure C++, no R API).
#ifndef COHORTSURV_KM_H
#define COHORTSURV_KM_H

#include <Eigen/Dense>
#include <vector>

#include "interrupt.h"
#include "surv_data.h"

namespace cohortsurv {

// Confidence-interval transforms for a survival probability, numbered as the
// R side passes them: 0 log, 1 log-log, 2 plain, 3 arcsin.
enum class ConfType { log = 0, loglog = 1, plain = 2, arcsin = 3 };

struct KmCurves {
  std::vector<int> strata;       // 0-based stratum code of each output row
  std::vector<double> time;      // distinct times (stop times) per stratum
  std::vector<double> n_risk;    // weighted number at risk just before time
  std::vector<double> n_event;   // weighted events at time
  std::vector<double> n_censor;  // weighted censorings at time
  std::vector<double> surv;      // S(time)
  std::vector<double> std_err;   // SE of S(time): S times Greenwood's SE
                                 // of log S, or the robust SE
  std::vector<double> lower;     // pointwise CI (NaN where undefined)
  std::vector<double> upper;
  std::vector<double> cumhaz;    // cumulative hazard H(time): Nelson-Aalen
                                 // (hazard type 1) or Fleming-Harrington (2)
  std::vector<double> std_chaz;  // its SE, sqrt of the summed d / n^2 terms
                                 // (NaN with the robust variance)
};

// Cumulative-hazard estimators, numbered as survfit's `ctype`.
enum class HazType { nelson_aalen = 1, fleming_harrington = 2 };

// Kaplan-Meier curves with Greenwood's variance from the rows of `d`
// read through d.order (every row, m = n). See km.cpp.
KmCurves km_fit(const SurvData& d, int conf_type, double z,
                int haz_type = 1, const Poll& poll = Poll());

// Robust (infinitesimal-jackknife) standard error of S(t), one value per
// row of `curves`, which km_fit() computed from the same rows; cluster
// holds n 0-based cluster codes below n_cluster. See km.cpp.
Eigen::VectorXd km_robust_se(const SurvData& d, const int* cluster,
                             int n_cluster, const KmCurves& curves,
                             int method = 0, const Poll& poll = Poll());

// Replaces the Greenwood std_err and limits of `curves` by the
// robust ones (se of S as km_robust_se() returns it).
void km_use_robust(KmCurves& curves, const Eigen::VectorXd& se, int conf_type,
                   double z);

// km_fit() with the robust variance: km_robust_se() and km_use_robust().
KmCurves km_fit_robust(const SurvData& d, const int* cluster, int n_cluster,
                       int method, int conf_type, double z, int haz_type = 1,
                       const Poll& poll = Poll());

// Kaplan-Meier curves for whole-number stop times on the grid
// tmin, tmin + 1, ..., tmin + n_bins - 1, without sorting: the rows of `d`
// are read in storage order (d.order is not used). Right-censored data
// only; same output as km_fit().
KmCurves km_fit_binned(const SurvData& d, double tmin, int n_bins,
                       int conf_type, double z, int haz_type = 1,
                       const Poll& poll = Poll());

// One pass over x, without allocating: the smallest and largest value that
// is not NaN (NA), whether all of those are whole numbers, and how many are
// NaN. min and max are NaN when every value is. R uses it to validate
// times and status codes and to decide whether km_fit_binned() applies.
struct ValueRange {
  double min = 0.0;
  double max = 0.0;
  bool whole = true;
  long long n_nan = 0;
};
ValueRange value_range(const Eigen::Map<Eigen::VectorXd>& x);
ValueRange value_range(const double* x, Eigen::Index n);

// Pointwise confidence limits of S given the SE of log S, as survfit's
// conf.type options define them. Writes NaN where a limit is undefined.
void surv_ci(double s, double se_log, ConfType type, double z,
             double& lower, double& upper);


// The per-curve summary table of km_table() (R/km.R): for each curve k,
// rows starts[k]..ends[k] (0-based, inclusive) of the curve columns (time
// sorted within a curve), the median (step_quantile() conventions, tolerance
// tol) of S and, when `limits`, of the lower and upper limits (the
// Brookmeyer-Crowley interval), the restricted mean up to tau with its SE,
// and the summed events. A quantile is NaN where R's is NA. Sums accumulate in long double, as R's sum() and
// cumsum() do, so the numbers equal R's to the bit.
struct KmTable {
  std::vector<double> median, lower, upper, rmean, rmean_se, events;
};
KmTable km_table_fit(const double* time, const double* surv,
                     const double* lower, const double* upper,
                     const double* n_risk, const double* n_event,
                     const int* starts, const int* ends, int k_all,
                     double tau, double tol, bool limits);

}  // namespace cohortsurv

#endif
