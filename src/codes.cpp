// Coding integer vectors as factors: int_range() (one pass: min, max,
// missing values) and int_codes() (the code of each value among the sorted
// distinct values, as R's match(v, sort(unique(v))), by counting).
// Inputs: n integers, NA_integer_ = INT_MIN. Outputs: see codes.h.
// Preconditions: none (int_codes() reports what it cannot code).
// Cost: int_codes() three passes over v plus one over the span of values;
// no sort. counting_order(): two passes over the rows and one over the
// n_strata x n_bins counts (Knuth, TAOCP vol. 3, 5.2, distribution
// counting).

#include "codes.h"

#include <algorithm>
#include <stdexcept>

namespace cohortsurv {

IntRange int_range(const int* v, Eigen::Index n) {
  IntRange r;
  for (Eigen::Index i = 0; i < n; ++i) {
    const int x = v[i];
    if (x == INT_MIN) {
      ++r.n_na;
      continue;
    }
    r.min = std::min(r.min, x);
    r.max = std::max(r.max, x);
  }
  return r;
}

IntCodes int_codes(const int* v, Eigen::Index n, double max_span) {
  IntCodes out;
  if (n == 0) return out;
  const IntRange r = int_range(v, n);
  if (r.n_na > 0) return out;
  const double span = static_cast<double>(r.max) - r.min + 1.0;
  if (span > max_span) return out;
  const Eigen::Index k = static_cast<Eigen::Index>(span);
  // map[value - min]: 1 for a value present, then its code
  std::vector<int> map(k, 0);
  for (Eigen::Index i = 0; i < n; ++i) map[v[i] - r.min] = 1;
  int next = 0;
  for (Eigen::Index j = 0; j < k; ++j) {
    if (map[j]) {
      map[j] = ++next;
      out.values.push_back(static_cast<int>(r.min + j));
    }
  }
  out.code.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) out.code[i] = map[v[i] - r.min];
  out.ok = true;
  return out;
}

void counting_order(const double* time, const int* strata, Eigen::Index n,
                    int n_strata, double tmin, Eigen::Index n_bins,
                    int* out) {
  const Eigen::Index k = static_cast<Eigen::Index>(n_strata) * n_bins;
  // start[key + 1] counts the rows of each key, then their first position
  std::vector<Eigen::Index> start(k + 1, 0);
  auto key = [&](Eigen::Index r) {
    const double t = time[r] - tmin;
    const int s = strata ? strata[r] : 0;
    if (!(t >= 0.0 && t < static_cast<double>(n_bins)) || s < 0 ||
        s >= n_strata) {
      throw std::invalid_argument("counting_order: a key is out of range");
    }
    return static_cast<Eigen::Index>(s) * n_bins +
           static_cast<Eigen::Index>(t);
  };
  for (Eigen::Index r = 0; r < n; ++r) ++start[key(r) + 1];
  for (Eigen::Index j = 0; j < k; ++j) start[j + 1] += start[j];
  for (Eigen::Index r = 0; r < n; ++r) {
    out[start[key(r)]++] = static_cast<int>(r);
  }
}

}  // namespace cohortsurv
