// Aalen-Johansen cumulative incidence for competing risks: declarations
// (pure C++, no R API).
#ifndef COHORTSURV_CIF_H
#define COHORTSURV_CIF_H

#include <Eigen/Dense>
#include <vector>

#include "interrupt.h"
#include "surv_data.h"

namespace cohortsurv {

// One row per distinct stop time per stratum; the per-state columns are
// stored state by state (column-major): state 0 is the initial, event-free
// state and state k = 1..K the k-th cause.
struct CifCurves {
  std::vector<int> strata;       // 0-based stratum code of each row
  std::vector<double> time;      // distinct stop times per stratum
  std::vector<double> n_risk;    // weighted number at risk at time
  std::vector<double> n_censor;  // weighted censorings at time
  Eigen::MatrixXd n_event;       // rows x K: weighted events of each cause
  Eigen::MatrixXd estimate;      // rows x (K + 1): state probabilities
  Eigen::MatrixXd std_err;       // rows x (K + 1): infinitesimal-jackknife
                                 // SE of each probability
};

// Aalen-Johansen estimates with their infinitesimal-jackknife standard
// errors from the rows of `d` read through d.order (every row, m = n),
// status holding 0 (censored) or a cause 1..n_causes. See cif.cpp.
CifCurves cif_fit(const SurvData& d, int n_causes, const Poll& poll = Poll());

// cif_fit() for right-censored rows whose stop times are whole numbers on
// the grid tmin, ..., tmin + n_bins - 1, without sorting: one pass over the
// rows in storage order (d.order is not used) into (stratum, time) cells.
// Same output as cif_fit(), to rounding.
CifCurves cif_fit_binned(const SurvData& d, int n_causes, double tmin,
                         int n_bins, const Poll& poll = Poll());

// Gray's K-sample test of equal cumulative incidence of one cause: the
// score of the first n_groups - 1 groups and its variance matrix, summed
// over the strata of `d` (right-censored rows read through d.order, every
// row, unweighted). group: n 0-based codes below n_groups (>= 2). See
// cif.cpp.
struct GrayScore {
  Eigen::VectorXd score;     // n_groups - 1
  Eigen::MatrixXd variance;  // (n_groups - 1) x (n_groups - 1)
};
GrayScore gray_score(const SurvData& d, const int* group, int n_groups,
                     int cause, double rho, const Poll& poll = Poll());

}  // namespace cohortsurv

#endif
