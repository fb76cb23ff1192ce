// The log-rank family of k-sample tests: observed and expected deaths per
// group and the hypergeometric covariance of O - E, stratified, with
// Fleming-Harrington G(rho, gamma), Gehan and Tarone-Ware weights, for
// right-censored and left-truncated (start, stop] data.
//
// Inputs: a SurvData view (surv_data.h) of n rows in the caller's order,
//   nothing copied or sorted here: stop, 0/1 status, 0-based strata, and
//   the 0-based order (length m <= n: the rows to use, a subset for a
//   pairwise test) by (stratum, stop); counting-process data also the start
//   times and the entry order of the same m rows by (stratum, start).
//   Case weights are not used. Preconditions: check_surv_data() holds.
//   group          length n, 0-based group codes in [0, n_groups).
//   weight_type    0 Fleming-Harrington (rho, gamma >= 0), 1 Gehan,
//                  2 Tarone-Ware.
// Output: per group and stratum the weighted observed and expected deaths,
//   the unweighted deaths and the rows; the k x k covariance of O - E
//   summed over strata; the chi-square statistic and its df
//   (logrank_chisq()).
// Method: at each distinct death time t of a stratum with d deaths among n
//   at risk (n_g in group g, d_g deaths), and weight w(t),
//     O_g += w d_g,  E_g += w d n_g / n,
//     V_gh += w^2 d (n - d) / (n - 1) * (n_g / n) (1[g = h] - n_h / n)
//   (Mantel 1966; Peto & Peto 1972; Harrington & Fleming 1982, Biometrika
//   69:553-566; Gehan 1965; Tarone & Ware 1977, Biometrika 64:156-160).
//   S(t-) is the left-continuous Kaplan-Meier estimate of the pooled data of
//   the stratum (left-truncated when counting), so that w = 1 for rho = 0
//   and w = S(t-) for rho = 1 reproduce survival::survdiff(rho = ).
//   Counts are integers, so the numbers at risk are kept exactly by a
//   forward pass that starts from the block total (or adds entries with
//   start < t) and removes rows once their stop time has passed.
// Cost: one gathering pass through `order` (the only random reads), then
//   one sequential pass per stratum: O(m + D k^2) for D death times.

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <vector>

#include "logrank.h"

namespace cohortsurv {

namespace {
// One death time of stratum s: d deaths (dg per group) among `total` at
// risk (risk per group). Adds w d_g to O, w d n_g / n to E, the weighted
// hypergeometric covariance to V, then steps the pooled Kaplan-Meier `km`.
void add_death_time(LogrankTables& out, int s, const std::vector<double>& risk,
                    const std::vector<double>& dg, double d, double total,
                    double& km, LogrankWeight wtype, double rho,
                    double gamma) {
  const int k = static_cast<int>(risk.size());
  double w = 1.0;
  switch (wtype) {
    case LogrankWeight::fh:
      if (rho != 0.0) w *= std::pow(km, rho);
      if (gamma != 0.0) w *= std::pow(1.0 - km, gamma);
      break;
    case LogrankWeight::gehan:
      w = total;
      break;
    case LogrankWeight::tarone_ware:
      w = std::sqrt(total);
      break;
  }
  for (int g = 0; g < k; ++g) {
    if (dg[g] != 0.0) out.observed(g, s) += w * dg[g];
  }
  const double wd = w * d / total;
  for (int g = 0; g < k; ++g) {
    if (risk[g] != 0.0) out.expected(g, s) += wd * risk[g];
  }
  if (total > 1.0) {
    const double c = w * w * d * (total - d) / (total * (total - 1.0));
    for (int g = 0; g < k; ++g) {
      if (risk[g] == 0.0) continue;
      const double a = c * risk[g];
      out.variance(g, g) += a;
      const double b = a / total;
      for (int h = 0; h < k; ++h) {
        if (risk[h] != 0.0) out.variance(g, h) -= b * risk[h];
      }
    }
  }
  km *= (total - d) / total;
}

// The rows of d in sorted order, gathered once into contiguous arrays (one
// pass of random reads; everything after is sequential): stop time t, group
// g, stratum s, death d; for counting-process data the start time e and
// group eg in entry order. Throws on codes out of range or unsorted orders.
struct SortedRows {
  std::vector<double> t, e;
  std::vector<int> g, s, eg;
  std::vector<char> d;
};

SortedRows gather_sorted(const SurvData& d, const int* group, int k) {
  const Eigen::Index m = d.m;
  const int n_strata = d.n_strata;
  SortedRows sr;
  std::vector<double>& t_sorted = sr.t;
  std::vector<int>& g_sorted = sr.g;
  std::vector<int>& s_sorted = sr.s;
  std::vector<char>& d_sorted = sr.d;
  t_sorted.resize(m);
  g_sorted.resize(m);
  s_sorted.resize(m);
  d_sorted.resize(m);
  for (Eigen::Index i = 0; i < m; ++i) {
    const Eigen::Index r = d.order[i];
    const int g = group[r], st = d.strata[r];
    if (g < 0 || g >= k) {
      throw std::invalid_argument("logrank: group code out of range");
    }
    if (st < 0 || st >= n_strata) {
      throw std::invalid_argument("logrank: stratum code out of range");
    }
    if (i > 0 && (st < s_sorted[i - 1] ||
                  (st == s_sorted[i - 1] && d.stop[r] < t_sorted[i - 1]))) {
      throw std::invalid_argument("logrank: rows must be sorted by stratum, "
                                  "then by time");
    }
    t_sorted[i] = d.stop[r];
    g_sorted[i] = g;
    s_sorted[i] = st;
    d_sorted[i] = d.status[r] != 0.0;
  }
  std::vector<double>& e_sorted = sr.e;
  std::vector<int>& eg_sorted = sr.eg;
  if (d.counting()) {
    e_sorted.resize(m);
    eg_sorted.resize(m);
    for (Eigen::Index i = 0; i < m; ++i) {
      const Eigen::Index r = d.entry[i];
      if (d.strata[r] != s_sorted[i] ||
          (i > 0 && d.strata[r] == s_sorted[i - 1] &&
           d.start[r] < e_sorted[i - 1])) {
        throw std::invalid_argument("logrank: entry order must sort the same "
                                    "rows by stratum, then by start time");
      }
      e_sorted[i] = d.start[r];
      eg_sorted[i] = group[r];
    }
  }
  return sr;
}

LogrankTables new_tables(int k, int n_strata) {
  LogrankTables out;
  out.observed = Eigen::MatrixXd::Zero(k, n_strata);
  out.expected = Eigen::MatrixXd::Zero(k, n_strata);
  out.events = Eigen::MatrixXd::Zero(k, n_strata);
  out.n = Eigen::MatrixXd::Zero(k, n_strata);
  out.variance = Eigen::MatrixXd::Zero(k, k);
  return out;
}

void check_weights(int weight_type, double rho, double gamma) {
  if (weight_type < 0 || weight_type > 2) {
    throw std::invalid_argument("logrank: unknown weight type");
  }
  if (!(rho >= 0.0) || !(gamma >= 0.0) || !std::isfinite(rho) ||
      !std::isfinite(gamma)) {
    throw std::invalid_argument("logrank: rho and gamma must be finite and "
                                "non-negative");
  }
}
}  // namespace

LogrankTables logrank_tables_binned(const SurvData& d, const int* bin,
                                    const int* group, int n_bins,
                                    int n_groups, int weight_type, double rho,
                                    double gamma, const Poll& poll) {
  const Eigen::Index n = d.n;
  const int n_strata = d.n_strata;
  const double* status = d.status;
  const int* strata = d.strata;
  if (n_bins < 1 || n_groups < 1 || n_strata < 1) {
    throw std::invalid_argument("logrank: need at least one time bin, group "
                                "and stratum");
  }
  check_weights(weight_type, rho, gamma);
  const LogrankWeight wtype = static_cast<LogrankWeight>(weight_type);
  const int k = n_groups;
  const std::size_t cells = static_cast<std::size_t>(n_strata) *
                            static_cast<std::size_t>(n_bins) *
                            static_cast<std::size_t>(k);
  // rows and deaths per (stratum, time bin, group): one sequential pass
  std::vector<double> rows(cells, 0.0), deaths(cells, 0.0);
  for (Eigen::Index r = 0; r < n; ++r) {
    poll.tick();
    const int b = bin[r], g = group[r], st = strata[r];
    if (b < 0 || b >= n_bins || g < 0 || g >= k || st < 0 ||
        st >= n_strata) {
      throw std::invalid_argument("logrank: bin, group or stratum code out "
                                  "of range");
    }
    const std::size_t idx =
        (static_cast<std::size_t>(st) * n_bins + b) * k + g;
    rows[idx] += 1.0;
    if (status[r] != 0.0) deaths[idx] += 1.0;
  }
  LogrankTables out = new_tables(k, n_strata);
  std::vector<double> risk(k), dg(k);
  for (int s = 0; s < n_strata; ++s) {
    const std::size_t base = static_cast<std::size_t>(s) * n_bins * k;
    std::fill(risk.begin(), risk.end(), 0.0);
    double total = 0.0;
    for (int b = 0; b < n_bins; ++b) {
      for (int g = 0; g < k; ++g) {
        risk[g] += rows[base + b * k + g];
        out.events(g, s) += deaths[base + b * k + g];
      }
    }
    for (int g = 0; g < k; ++g) {
      out.n(g, s) = risk[g];
      total += risk[g];
    }
    double km = 1.0;
    for (int b = 0; b < n_bins && total > 0.0; ++b) {
      const double* rw = &rows[base + b * k];
      const double* dw = &deaths[base + b * k];
      double d = 0.0, left = 0.0;
      for (int g = 0; g < k; ++g) {
        dg[g] = dw[g];
        d += dw[g];
        left += rw[g];
      }
      if (left == 0.0) continue;
      if (d > 0.0) {
        add_death_time(out, s, risk, dg, d, total, km, wtype, rho, gamma);
      }
      for (int g = 0; g < k; ++g) risk[g] -= rw[g];
      total -= left;
    }
  }
  logrank_test(out);
  return out;
}

LogrankTables logrank_tables(const SurvData& d, const int* group,
                             int n_groups, int weight_type, double rho,
                             double gamma, const Poll& poll) {
  const Eigen::Index m = d.m;
  const int n_strata = d.n_strata;
  const bool counting = d.counting();
  if (!d.order || (counting && !d.entry)) {
    throw std::invalid_argument("logrank: needs the sort order (and, for "
                                "counting-process data, the entry order)");
  }
  if (n_groups < 1) {
    throw std::invalid_argument("logrank: need at least one group");
  }
  check_weights(weight_type, rho, gamma);
  const LogrankWeight wtype = static_cast<LogrankWeight>(weight_type);
  const int k = n_groups;
  LogrankTables out = new_tables(k, n_strata);

  const SortedRows sr = gather_sorted(d, group, k);
  const std::vector<double>& t_sorted = sr.t;
  const std::vector<int>& g_sorted = sr.g;
  const std::vector<int>& s_sorted = sr.s;
  const std::vector<char>& d_sorted = sr.d;
  const std::vector<double>& e_sorted = sr.e;
  const std::vector<int>& eg_sorted = sr.eg;

  std::vector<double> risk(k), dg(k), leave(k);
  std::vector<int> touched;  // groups with rows at the current time
  touched.reserve(k);

  Eigen::Index block_start = 0;
  while (block_start < m) {
    const int s = s_sorted[block_start];
    // the block of this stratum, with its rows and deaths per group
    const Eigen::Index block_end = stratum_end(d, block_start);
    for (Eigen::Index i = block_start; i < block_end; ++i) {
      out.n(g_sorted[i], s) += 1.0;
      if (d_sorted[i]) out.events(g_sorted[i], s) += 1.0;
    }
    double total = 0.0;  // number at risk, all groups
    std::fill(risk.begin(), risk.end(), 0.0);
    if (!counting) {
      for (int g = 0; g < k; ++g) risk[g] = out.n(g, s);
      total = static_cast<double>(block_end - block_start);
    }
    Eigen::Index e = block_start;  // next entry not yet in the risk set
    double km = 1.0;               // pooled S(t-) within the stratum
    Eigen::Index i = block_start;
    while (i < block_end) {
      const double t = t_sorted[i];
      if (counting) {
        while (e < block_end && e_sorted[e] < t) {
          risk[eg_sorted[e]] += 1.0;
          total += 1.0;
          ++e;
        }
      }
      // rows at time t: deaths and leavers per group
      double d = 0.0;
      touched.clear();
      while (i < block_end && t_sorted[i] == t) {
        poll.tick();
        const int g = g_sorted[i];
        if (leave[g] == 0.0) touched.push_back(g);
        leave[g] += 1.0;
        if (d_sorted[i]) {
          dg[g] += 1.0;
          d += 1.0;
        }
        ++i;
      }
      if (d > 0.0) {
        add_death_time(out, s, risk, dg, d, total, km, wtype, rho, gamma);
      }
      for (int g : touched) {
        risk[g] -= leave[g];
        total -= leave[g];
        leave[g] = 0.0;
        dg[g] = 0.0;
      }
    }
    block_start = block_end;
  }
  logrank_test(out);
  return out;
}

// ---- The one-call path: the caller's vectors, checked and counted ---------
//
// Inputs: LogrankVectors (logrank.h): n rows of time (double or int),
//   status (double or int), group codes (less their offset) in
//   [0, n_groups) and optional stratum codes (less theirs) in
//   [0, n_strata), in the caller's order.
// logrank_time_range(): one pass, no allocation; level_codes(): two
//   passes (factor_codes(): one), and a vector of n codes only when the
//   values present leave gaps in their span; logrank_tables_vectors(): the
//   tables of logrank_tables() (same method, same numbers) by counting per
//   cell (O(n + cells), no sort) or by a radix sort here (O(n)).

namespace {
template <class T, class S>
LogrankTimeRange time_range_of(const T* time, const S* status,
                               Eigen::Index n) {
  LogrankTimeRange r;
  if (n < 1) return r;
  double lo = std::numeric_limits<double>::infinity(), hi = 0.0;
  // integers are whole; doubles count as whole when they are whole numbers
  // below 2^31 (beyond, the sorting route serves, and timefix's limit is
  // far below)
  bool whole = true;
  const bool ints = std::is_integral<T>::value;
  // no early exit, so that the loop vectorizes: a bad value is rare
  bool bad = false;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double t = static_cast<double>(time[i]);
    const S st = status[i];
    // NaN (a missing double), INT_MIN (a missing integer, negative) and
    // infinities fail here
    bad |= !(t >= 0.0 && t < std::numeric_limits<double>::infinity()) |
           !(st == 0 || st == 1);
    lo = t < lo ? t : lo;
    hi = t > hi ? t : hi;
    if (!ints) {
      // whole numbers below 2^31 (a 32-bit truncation, which vectorizes);
      // the cast of a NaN, infinity or larger time is not used
      const bool small = t < 2147483647.0;
      const double c = small ? t : 0.0;
      whole &= small & (c == static_cast<double>(static_cast<int>(c)));
    }
  }
  if (bad) return r;
  r.clean = true;
  r.min = lo;
  r.max = hi;
  r.whole = whole;
  return r;
}

template <class S>
LogrankTimeRange time_range_s(const LogrankVectors& v, const S* status) {
  if (v.time_d) return time_range_of(v.time_d, status, v.n);
  if (v.time_i) return time_range_of(v.time_i, status, v.n);
  throw std::invalid_argument("logrank: no time vector");
}

// The values present (map[j] set for value lo + j) numbered in increasing
// order: out.values, and out.code (or out.offset when every value of the
// span is present in an int vector).
template <class T>
void number_codes(const T* x, Eigen::Index n, double lo, bool is_double,
                  std::vector<int>& map, LevelCodes& out) {
  int next = 0;
  for (std::size_t j = 0; j < map.size(); ++j) {
    if (map[j]) {
      out.values.push_back(lo + static_cast<double>(j));
      map[j] = next++;
    }
  }
  out.ok = true;
  if (!is_double && next == static_cast<int>(map.size())) {
    out.offset = static_cast<int>(lo);  // every value present: x - lo
    return;
  }
  out.code.resize(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    out.code[i] = map[static_cast<std::size_t>(static_cast<double>(x[i]) - lo)];
  }
}

// Codes by counting over the span [lo, hi] of whole values: mark the values
// present, number them in increasing order, then look each row up.
template <class T>
LevelCodes level_codes_of(const T* x, Eigen::Index n, double max_span,
                          bool is_double) {
  LevelCodes out;
  if (n < 1) return out;
  double lo, hi;
  if (is_double) {
    lo = std::numeric_limits<double>::infinity();
    hi = -lo;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double v = static_cast<double>(x[i]);
      if (std::isnan(v) || v != std::floor(v)) return out;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  } else {
    T a = x[0], b = x[0];
    for (Eigen::Index i = 1; i < n; ++i) {
      a = x[i] < a ? x[i] : a;
      b = x[i] > b ? x[i] : b;
    }
    // NA_integer_ is INT_MIN, the smallest int
    if (a == std::numeric_limits<int>::min()) return out;
    lo = static_cast<double>(a);
    hi = static_cast<double>(b);
  }
  const double span = hi - lo + 1.0;
  if (!(span <= max_span) || !(span <= 2147483647.0)) return out;
  std::vector<int> map(static_cast<std::size_t>(span), 0);
  if (is_double) {
    for (Eigen::Index i = 0; i < n; ++i) {
      map[static_cast<std::size_t>(static_cast<double>(x[i]) - lo)] = 1;
    }
  } else {
    const std::int64_t ilo = static_cast<std::int64_t>(lo);
    for (Eigen::Index i = 0; i < n; ++i) {
      map[static_cast<std::size_t>(static_cast<std::int64_t>(x[i]) - ilo)] = 1;
    }
  }
  number_codes(x, n, lo, is_double, map, out);
  return out;
}

// The counting route: rows and deaths per cell (stratum, time bin, group),
// interleaved (two ints per cell), in one pass over the caller's vectors;
// also which (stratum, time bin) hold rows (`used`).
struct CellCounts {
  std::unique_ptr<int[]> cells;
  std::unique_ptr<unsigned char[]> used;
  // zeroed by memset (vector::assign fills element by element)
  CellCounts(std::size_t n_cells, std::size_t n_used)
      : cells(new int[n_cells]), used(new unsigned char[n_used]) {
    std::memset(cells.get(), 0, n_cells * sizeof(int));
    std::memset(used.get(), 0, n_used);
  }
};

template <class T, class S>
void count_cells(const T* time, const S* status, const LogrankVectors& v,
                 double tmin, int n_bins, CellCounts& cc, const Poll& poll) {
  const unsigned n_strata = static_cast<unsigned>(v.n_strata);
  const unsigned uk = static_cast<unsigned>(v.n_groups);
  const unsigned ub = static_cast<unsigned>(n_bins);
  int* cells = cc.cells.get();
  unsigned char* used = cc.used.get();
  for (Eigen::Index r = 0; r < v.n; ++r) {
    poll.tick();
    const unsigned b = static_cast<unsigned>(
        static_cast<double>(time[r]) - tmin);
    const unsigned g = static_cast<unsigned>(v.group[r] - v.group_offset);
    const unsigned st =
        v.strata ? static_cast<unsigned>(v.strata[r] - v.strata_offset) : 0u;
    if (b >= ub || g >= uk || st >= n_strata) {
      throw std::invalid_argument("logrank: bin, group or stratum code out "
                                  "of range");
    }
    const std::size_t sb = static_cast<std::size_t>(st) * ub + b;
    const std::size_t c = (sb * uk + g) * 2u;
    cells[c] += 1;
    cells[c + 1] += status[r] != 0;
    used[sb] = 1;
  }
}

// The tables from CellCounts: per stratum, one forward pass over the time
// bins that hold rows, the rows of a bin leaving the risk set after its
// deaths are counted (the arithmetic of logrank_tables_binned()).
void scan_counts(const CellCounts& cc, int n_bins, int k, int n_strata,
                 LogrankWeight wtype, double rho, double gamma,
                 LogrankTables& out) {
  std::vector<double> risk(k), dg(k);
  for (int s = 0; s < n_strata; ++s) {
    const unsigned char* used =
        cc.used.get() + static_cast<std::size_t>(s) * n_bins;
    // rows and deaths per group of the stratum (exact integer sums)
    std::fill(risk.begin(), risk.end(), 0.0);
    std::fill(dg.begin(), dg.end(), 0.0);
    for (int b = 0; b < n_bins; ++b) {
      if (!used[b]) continue;
      const int* c0 = cc.cells.get() +
          ((static_cast<std::size_t>(s) * n_bins + b) * k) * 2u;
      for (int g = 0; g < k; ++g) {
        risk[g] += static_cast<double>(c0[2 * g]);
        dg[g] += static_cast<double>(c0[2 * g + 1]);
      }
    }
    double total = 0.0;
    for (int g = 0; g < k; ++g) {
      out.n(g, s) = risk[g];
      out.events(g, s) = dg[g];
      total += risk[g];
    }
    double km = 1.0;
    for (int b = 0; b < n_bins && total > 0.0; ++b) {
      if (!used[b]) continue;
      const int* c0 = cc.cells.get() +
          ((static_cast<std::size_t>(s) * n_bins + b) * k) * 2u;
      double d = 0.0, left = 0.0;
      for (int g = 0; g < k; ++g) {
        dg[g] = static_cast<double>(c0[2 * g + 1]);
        d += dg[g];
        left += static_cast<double>(c0[2 * g]);
      }
      if (d > 0.0) {
        add_death_time(out, s, risk, dg, d, total, km, wtype, rho, gamma);
      }
      for (int g = 0; g < k; ++g) risk[g] -= static_cast<double>(c0[2 * g]);
      total -= left;
    }
  }
}

template <class S>
void count_cells_s(const LogrankVectors& v, const S* status, double tmin,
                   int n_bins, CellCounts& cc, const Poll& poll) {
  if (v.time_d) {
    count_cells(v.time_d, status, v, tmin, n_bins, cc, poll);
  } else {
    count_cells(v.time_i, status, v, tmin, n_bins, cc, poll);
  }
}

// The 0-based order of n rows by (stratum, time): a least-significant-digit
// radix sort of (key, row) pairs, the key the order-preserving 64-bit image
// of the double time, in 8-bit digits (a digit that every key shares is
// skipped), then a stable counting pass by stratum code (0-based, below
// n_strata). O(n) and branch-free, unlike a comparison sort of random keys.
// Ties keep no particular order (the kernel does not depend on it).
std::vector<int> radix_order(const double* t, const int* strata,
                             int n_strata, Eigen::Index n, const Poll& poll) {
  struct Item {
    std::uint64_t key;
    int row;
  };
  std::vector<Item> a(n), b(n);
  std::vector<std::size_t> hist(8 * 256, 0);
  for (Eigen::Index i = 0; i < n; ++i) {
    poll.tick();
    std::uint64_t bits;
    std::memcpy(&bits, t + i, sizeof bits);
    // flip the sign bit of positives, every bit of negatives (-0.0 only)
    const std::uint64_t key =
        (bits >> 63) ? ~bits : bits | (std::uint64_t(1) << 63);
    a[i] = Item{key, static_cast<int>(i)};
    for (int p = 0; p < 8; ++p) ++hist[p * 256 + ((key >> (8 * p)) & 255u)];
  }
  for (int p = 0; p < 8; ++p) {
    std::size_t* h = &hist[p * 256];
    if (n == 0 || h[(a[0].key >> (8 * p)) & 255u] ==
                      static_cast<std::size_t>(n)) {
      continue;
    }
    std::size_t sum = 0;
    for (int j = 0; j < 256; ++j) {
      const std::size_t c = h[j];
      h[j] = sum;
      sum += c;
    }
    for (Eigen::Index i = 0; i < n; ++i) {
      b[h[(a[i].key >> (8 * p)) & 255u]++] = a[i];
    }
    a.swap(b);
  }
  if (n_strata > 1) {
    std::vector<std::size_t> off(n_strata + 1, 0);
    for (Eigen::Index i = 0; i < n; ++i) ++off[strata[i] + 1];
    for (int j = 0; j < n_strata; ++j) off[j + 1] += off[j];
    for (Eigen::Index i = 0; i < n; ++i) {
      b[off[strata[a[i].row]]++] = a[i];
    }
    a.swap(b);
  }
  std::vector<int> order(n);
  for (Eigen::Index i = 0; i < n; ++i) order[i] = a[i].row;
  return order;
}

template <class T>
const double* as_doubles(const T* x, Eigen::Index n, std::vector<double>& buf) {
  buf.assign(x, x + n);
  return buf.data();
}
}  // namespace

LogrankTimeRange logrank_time_range(const LogrankVectors& v) {
  if (v.status_d) return time_range_s(v, v.status_d);
  if (v.status_i) return time_range_s(v, v.status_i);
  throw std::invalid_argument("logrank: no status vector");
}

LevelCodes level_codes(const int* x, Eigen::Index n, double max_span) {
  return level_codes_of(x, n, max_span, false);
}

LevelCodes factor_codes(const int* x, Eigen::Index n, int n_levels) {
  LevelCodes out;
  if (n < 1 || n_levels < 1) return out;
  std::vector<int> map(static_cast<std::size_t>(n_levels), 0);
  // one pass: NA_integer_ and codes beyond the levels fail
  bool bad = false;
  const unsigned nl = static_cast<unsigned>(n_levels);
  for (Eigen::Index i = 0; i < n; ++i) {
    const unsigned c = static_cast<unsigned>(x[i]) - 1u;
    if (c < nl) {
      map[c] = 1;
    } else {
      bad = true;
    }
  }
  if (bad) return out;
  number_codes(x, n, 1.0, false, map, out);
  return out;
}

LevelCodes level_codes(const double* x, Eigen::Index n, double max_span) {
  // beyond the range of int the codes could not be formed
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!(std::fabs(x[i]) < 2147483647.0)) return LevelCodes();
  }
  return level_codes_of(x, n, max_span, true);
}

double logrank_cells(const LogrankVectors& v, const LogrankTimeRange& r) {
  if (!r.clean || !r.whole) return std::numeric_limits<double>::infinity();
  return (r.max - r.min + 1.0) * static_cast<double>(v.n_strata) *
         static_cast<double>(v.n_groups);
}

LogrankTables logrank_tables_vectors(const LogrankVectors& v,
                                     const LogrankTimeRange& r,
                                     double max_cells, int weight_type,
                                     double rho, double gamma,
                                     const Poll& poll) {
  if (!r.clean || v.n < 1 || !v.group || v.n_groups < 1 || v.n_strata < 1 ||
      (!v.strata && v.n_strata != 1)) {
    throw std::invalid_argument("logrank: the vectors must be checked "
                                "(logrank_time_range()) and coded first");
  }
  check_weights(weight_type, rho, gamma);
  const int k = v.n_groups;
  const double cells = logrank_cells(v, r);
  if (cells <= max_cells) {
    const int n_bins = static_cast<int>(r.max - r.min + 1.0);
    CellCounts cc(static_cast<std::size_t>(cells) * 2u,
                  static_cast<std::size_t>(v.n_strata) * n_bins);
    if (v.status_d) {
      count_cells_s(v, v.status_d, r.min, n_bins, cc, poll);
    } else {
      count_cells_s(v, v.status_i, r.min, n_bins, cc, poll);
    }
    LogrankTables out = new_tables(k, v.n_strata);
    scan_counts(cc, n_bins, k, v.n_strata,
                static_cast<LogrankWeight>(weight_type), rho, gamma, out);
    logrank_test(out);
    return out;
  }
  // the sorting route: a SurvData view of double copies where needed
  std::vector<double> tbuf, sbuf;
  std::vector<int> scode, gcode;
  SurvData d;
  d.n = d.m = v.n;
  d.stop = v.time_d ? v.time_d : as_doubles(v.time_i, v.n, tbuf);
  d.status = v.status_d ? v.status_d : as_doubles(v.status_i, v.n, sbuf);
  scode.resize(v.n);
  for (Eigen::Index i = 0; i < v.n; ++i) {
    scode[i] = v.strata ? v.strata[i] - v.strata_offset : 0;
  }
  d.strata = scode.data();
  const int* group = v.group;
  if (v.group_offset != 0) {
    gcode.resize(v.n);
    for (Eigen::Index i = 0; i < v.n; ++i) {
      gcode[i] = v.group[i] - v.group_offset;
    }
    group = gcode.data();
  }
  d.n_strata = v.n_strata;
  const std::vector<int> order =
      radix_order(d.stop, d.strata, v.n_strata, v.n, poll);
  d.order = order.data();
  check_surv_data(d, "logrank");
  return logrank_tables(d, group, k, weight_type, rho, gamma, poll);
}

Eigen::Vector2d logrank_chisq(const Eigen::VectorXd& u,
                              const Eigen::MatrixXd& v,
                              const Eigen::VectorXd& expected) {
  const Eigen::Index k = u.size();
  if (v.rows() != k || v.cols() != k || expected.size() != k) {
    throw std::invalid_argument("logrank_chisq: dimensions do not match");
  }
  std::vector<Eigen::Index> keep;
  for (Eigen::Index g = 0; g < k; ++g) {
    if (expected[g] > 0.0) keep.push_back(g);
  }
  const Eigen::Index m = static_cast<Eigen::Index>(keep.size());
  if (m < 2) return Eigen::Vector2d(0.0, 0.0);
  Eigen::MatrixXd vk(m, m);
  Eigen::VectorXd uk(m);
  for (Eigen::Index a = 0; a < m; ++a) {
    uk[a] = u[keep[a]];
    for (Eigen::Index b = 0; b < m; ++b) vk(a, b) = v(keep[a], keep[b]);
  }
  // rank of V on the kept groups
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(vk);
  const Eigen::VectorXd lam = eig.eigenvalues();
  const double lmax = lam.cwiseAbs().maxCoeff();
  if (!(lmax > 0.0)) return Eigen::Vector2d(0.0, 0.0);
  const double tol = 1e-10 * lmax;
  Eigen::Index rank = 0;
  for (Eigen::Index j = 0; j < m; ++j) {
    if (lam[j] > tol) ++rank;
  }
  double chi = 0.0;
  if (rank == m - 1) {
    // survdiff's recipe: drop the first kept group, solve the rest
    const Eigen::MatrixXd vr = vk.bottomRightCorner(m - 1, m - 1);
    const Eigen::VectorXd ur = uk.tail(m - 1);
    Eigen::LDLT<Eigen::MatrixXd> ldlt(vr);
    chi = ur.dot(ldlt.solve(ur));
  } else {
    // generalized inverse: U lies in the range of V, so U' V^- U does not
    // depend on the choice of inverse
    const Eigen::VectorXd z = eig.eigenvectors().transpose() * uk;
    for (Eigen::Index j = 0; j < m; ++j) {
      if (lam[j] > tol) chi += z[j] * z[j] / lam[j];
    }
  }
  return Eigen::Vector2d(chi, static_cast<double>(rank));
}

void logrank_test(LogrankTables& x) {
  const Eigen::VectorXd u = (x.observed - x.expected).rowwise().sum();
  const Eigen::VectorXd e = x.expected.rowwise().sum();
  const Eigen::Vector2d chi = logrank_chisq(u, x.variance, e);
  x.statistic = chi[0];
  x.df = chi[1];
}

}  // namespace cohortsurv
