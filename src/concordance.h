// Concordance (Harrell's C) kernel: declarations (pure C++, no R API).
#ifndef COHORTSURV_CONCORDANCE_H
#define COHORTSURV_CONCORDANCE_H

#include <Eigen/Dense>

#include "interrupt.h"
#include "surv_data.h"

namespace cohortsurv {

struct ConcordanceFit {
  // n_strata x 5: weighted pair counts per stratum, columns concordant,
  // discordant, tied.x (tied on the predictor only), tied.y (tied event
  // times only), tied.xy (tied on both); a pair is concordant when the
  // member with the larger predictor lives longer.
  Eigen::MatrixXd counts;
  double concordance = 0.0;  // (concordant + tied.x / 2) / (c + d + tied.x)
  double var = 0.0;          // infinitesimal-jackknife variance: sum(dfbeta^2)
  double cox_var = 0.0;      // the variance under the Cox model (survival's
                             // `cvar`)
  Eigen::VectorXd dfbeta;    // n: the influence of each row on the
                             // concordance (weight included), row order;
                             // empty unless asked for
};

// Harrell's C of `x` (n predictor values, row order, no NaN) for the d.m
// rows of `d` read through d.order (sorted by stratum and stop), with
// d.entry for (start, stop] data; `with_dfbeta` to return the influence of
// each row (for a clustered variance). See concordance.cpp.
ConcordanceFit concordance_fit(const SurvData& d, const double* x,
                               bool with_dfbeta, const Poll& poll = Poll());

}  // namespace cohortsurv

#endif
