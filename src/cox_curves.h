// Predicted survival curves after a Cox model: declarations (pure C++, no
// R API).
#ifndef COHORTSURV_COX_CURVES_H
#define COHORTSURV_COX_CURVES_H

#include <Eigen/Dense>
#include <vector>

#include "cox.h"
#include "interrupt.h"

namespace cohortsurv {

// The pieces of the predicted curves of a Cox model, one row per distinct
// stop time of each stratum (strata in code order, times increasing):
// the weighted counts, the baseline hazard increment at the risk scores
// exp(eta), the first variance term and the x-bar term of the second
// (Therneau and Grambsch 2000, section 10.2; survival's agsurv()).
struct CoxCurveParts {
  std::vector<int> strata;            // 0-based stratum of each time
  std::vector<double> time;           // distinct stop times
  std::vector<double> n_risk;         // sum of w over the risk set
  std::vector<double> n_event;        // sum of w over the deaths
  std::vector<double> n_censor;       // sum of w over the censored rows
  std::vector<double> hazard;         // baseline hazard increment
  std::vector<double> varhaz;         // its variance with beta fixed
  Eigen::MatrixXd xbar;               // times x p: sum of x-bar increments
};

// d: the sorted rows of the fit (CoxData, cox.h); d.efron selects the
// Efron-type hazard (survfit's ctype 2), else the Nelson-Aalen-type
// (Breslow, ctype 1). x: n x p design in the caller's row order, read
// through x_order (0-based, sorted position -> row of x). eta: n linear
// predictors in sorted order (offset included, any constant subtracted).
CoxCurveParts cox_curve_parts(const CoxData& d,
                              const Eigen::Map<Eigen::MatrixXd>& x,
                              const int* x_order, const Eigen::VectorXd& eta,
                              const Poll& poll = Poll());

}  // namespace cohortsurv

#endif
