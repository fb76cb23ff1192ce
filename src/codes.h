// Coding integer vectors as factors (pure C++, no R API): the kernels of
// the front end's int_codes() and of value_range() for integer vectors
// (R/frame.R); and the counting sort of whole-number times by stratum
// (sort_order(), R/surv-data.R).
#ifndef COHORTSURV_CODES_H
#define COHORTSURV_CODES_H

#include <Eigen/Dense>

#include <climits>
#include <vector>

namespace cohortsurv {

// One pass over n integers, R's NA_integer_ being INT_MIN: the smallest
// and largest non-missing value and the number missing (min > max when
// every value is missing).
struct IntRange {
  int min = INT_MAX;
  int max = INT_MIN;
  Eigen::Index n_na = 0;
};
IntRange int_range(const int* v, Eigen::Index n);

// The 1-based code of each of n integers among their sorted distinct
// values, by counting (no sort, no hash): the values must have no NA and
// max - min + 1 <= max_span (else `ok` is false and nothing else is set).
struct IntCodes {
  bool ok = false;
  std::vector<int> code;    // n codes, 1-based
  std::vector<int> values;  // the distinct values, increasing
};
IntCodes int_codes(const int* v, Eigen::Index n, double max_span);

// The 0-based permutation sorting n rows by (stratum, time), ties in row
// order (stable), by counting: strata are 0-based codes < n_strata, times
// whole numbers in [tmin, tmin + n_bins). The same permutation as R's
// order(strata, time, method = "radix") - 1. Throws std::invalid_argument
// when a key is out of range. `out` holds n values.
void counting_order(const double* time, const int* strata, Eigen::Index n,
                    int n_strata, double tmin, Eigen::Index n_bins,
                    int* out);

}  // namespace cohortsurv

#endif
