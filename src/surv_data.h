// The survival-data view every kernel reads (pure C++, no R API): the C++
// side of the contract that R's new_surv_data() (R/surv-data.R) builds.
#ifndef COHORTSURV_SURV_DATA_H
#define COHORTSURV_SURV_DATA_H

#include <Eigen/Dense>

#include <stdexcept>

namespace cohortsurv {

// Const views on n rows; nothing is owned or copied. Invariants (checked by
// check_surv_data(), which the entry points call before a kernel runs):
//   stop, status    n values: exit times, 0/1 status (competing risks,
//                   cif.cpp: 0 censored or k = 1..K, the k-th cause).
//   start           counting-process data: n entry times (< stop); else
//                   nullptr.
//   weight          n case weights >= 0, or nullptr for weight 1.
//   strata          n 0-based stratum codes in [0, n_strata).
//   order           m 0-based row numbers sorting the rows used by
//                   (stratum, stop) (m <= n: a kernel may read a subset of
//                   the rows, as the pairwise log-rank tests do), or
//                   nullptr when the rows are stored sorted (m = n).
//   entry           counting-process data: m 0-based row numbers, the same
//                   rows sorted by (stratum, start); else nullptr.
struct SurvData {
  Eigen::Index n = 0;
  Eigen::Index m = 0;
  const double* start = nullptr;
  const double* stop = nullptr;
  const double* status = nullptr;
  const double* weight = nullptr;
  const int* strata = nullptr;
  int n_strata = 1;
  const int* order = nullptr;
  const int* entry = nullptr;

  bool counting() const { return start != nullptr; }
  // the row at position i of the sort order
  Eigen::Index row(Eigen::Index i) const { return order ? order[i] : i; }
  double w(Eigen::Index r) const { return weight ? weight[r] : 1.0; }
};

// Throws std::invalid_argument unless the orders are permutations of rows
// in range and the stratum codes are in range.
inline void check_surv_data(const SurvData& d, const char* who) {
  auto fail = [who](const char* what) {
    throw std::invalid_argument(std::string(who) + ": " + what);
  };
  if (d.m < 0 || d.m > d.n || (!d.order && d.m != d.n)) {
    fail("the sort order must be no longer than the data");
  }
  if (d.n_strata < 1) fail("need at least one stratum");
  for (Eigen::Index r = 0; r < d.n; ++r) {
    if (d.strata[r] < 0 || d.strata[r] >= d.n_strata) {
      fail("stratum code out of range");
    }
  }
  for (Eigen::Index i = 0; i < d.m; ++i) {
    if (d.order && (d.order[i] < 0 || d.order[i] >= d.n)) {
      fail("order must be a 0-based permutation of the rows");
    }
    if (d.entry && (d.entry[i] < 0 || d.entry[i] >= d.n)) {
      fail("entry order must be a 0-based permutation of the rows");
    }
  }
}

// The stratum walker shared by the KM, log-rank and Cox kernels: the end
// of the block of sort positions [b0, end) that hold the stratum of
// position b0. Throws when the next block's stratum code is smaller (the
// rows are not sorted by stratum).
inline Eigen::Index stratum_end(const SurvData& d, Eigen::Index b0) {
  const int s = d.strata[d.row(b0)];
  Eigen::Index b1 = b0 + 1;
  while (b1 < d.m && d.strata[d.row(b1)] == s) ++b1;
  if (b1 < d.m && d.strata[d.row(b1)] < s) {
    throw std::invalid_argument("rows must be sorted by stratum");
  }
  return b1;
}

}  // namespace cohortsurv

#endif
