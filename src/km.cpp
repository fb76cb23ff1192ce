// Kaplan-Meier estimator with Greenwood variance and pointwise confidence
// limits, for right-censored and left-truncated (start, stop] data.
//
// Inputs (n rows, in the caller's order; nothing is copied or sorted here):
//   stop, status   stop times (finite, >= 0) and 0/1 event indicators.
//   weight         case weights >= 0, or an empty vector for weight 1.
//   strata         integer stratum code of each row (R passes the factor
//                  codes 1..K); reported back as given.
//   order          1-based permutation sorting the rows by stratum code,
//                  then by stop time: R's order(strata, stop).
//   entry          counting-process data only: the start times (< stop);
//                  empty for right-censored data.
//   entry_order    1-based permutation sorting the rows by stratum, then
//                  by start time (R's order(strata, start)); empty for
//                  right-censored data.
// Output: one row per distinct stop time per stratum: number at risk
//   (sum of weights with start < t <= stop), events, censorings, S(t), the
//   Greenwood SE of log S(t), the SE of S(t) and the pointwise CI.
// Method: Kaplan & Meier (1958), JASA 53:457-481; Greenwood (1926); the
//   interval transforms of Kalbfleisch & Prentice (2002) section 1.3 and
//   Borgan & Liestol (1990) for arcsin, with survival::survfit's conventions.
// Cost: O(n) after the sort: one backward pass per stratum for the counts
//   (backward sums keep the numbers at risk exact in the tail) and one
//   forward pass over the distinct times for S and its variance.
// km_fit_binned() below computes the same curves without any sort when the
// times are whole numbers on a modest grid (days, months), the usual case
// in a clinical cohort: one sequential pass over the rows into
// (stratum, time) cells.

#include <RcppEigen.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "km.h"

namespace cohortsurv {

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
}  // namespace

void surv_ci(double p, double se, ConfType type, double z, double& lower,
             double& upper) {
  lower = upper = kNaN;
  switch (type) {
    case ConfType::log: {
      if (p == 0.0) return;
      const double lp = std::log(p);
      lower = std::exp(lp - z * se);
      upper = std::min(std::exp(lp + z * se), 1.0);
      return;
    }
    case ConfType::loglog: {
      if (p == 0.0 || p == 1.0) return;
      const double ll = std::log(-std::log(p));
      const double se2 = z * se / std::log(p);
      lower = std::exp(-std::exp(ll - se2));
      upper = std::exp(-std::exp(ll + se2));
      return;
    }
    case ConfType::plain: {
      const double se2 = se * p * z;
      if (std::isnan(se2)) return;
      lower = std::max(p - se2, 0.0);
      upper = std::min(p + se2, 1.0);
      return;
    }
    case ConfType::arcsin: {
      if (p == 0.0) return;
      const double se2 = 0.5 * z * se * std::sqrt(p / (1.0 - p));
      if (std::isnan(se2)) return;
      const double a = std::asin(std::sqrt(p));
      const double half_pi = 2.0 * std::atan(1.0);
      const double lo = std::sin(std::max(0.0, a - se2));
      const double hi = std::sin(std::min(half_pi, a + se2));
      lower = lo * lo;
      upper = hi * hi;
      return;
    }
  }
}

namespace {

// The running product-limit estimate of one curve: step() takes the number
// at risk and the events at the next distinct time and appends S, its
// Greenwood SEs and the pointwise limits to `out`.
class ProductLimit {
 public:
  ProductLimit(ConfType type, double z) : type_(type), z_(z) {}
  void step(double n_risk, double n_event, KmCurves& out) {
    if (n_event > 0.0) {
      if (n_risk > n_event) {
        surv_ *= (n_risk - n_event) / n_risk;
        green_ += n_event / (n_risk * (n_risk - n_event));
      } else {
        surv_ = 0.0;
        green_ = kInf;
      }
    }
    const double se = std::sqrt(green_);
    double lo, hi;
    surv_ci(surv_, se, type_, z_, lo, hi);
    out.surv.push_back(surv_);
    out.se_log.push_back(se);
    out.std_err.push_back(surv_ * se);
    out.lower.push_back(lo);
    out.upper.push_back(hi);
  }

 private:
  ConfType type_;
  double z_;
  double surv_ = 1.0;
  double green_ = 0.0;
};

void reserve_curves(KmCurves& out, std::size_t n_out) {
  for (auto* v : {&out.time, &out.n_risk, &out.n_event, &out.n_censor,
                  &out.surv, &out.se_log, &out.std_err, &out.lower,
                  &out.upper}) {
    v->reserve(n_out);
  }
  out.strata.reserve(n_out);
}

}  // namespace

ValueRange value_range(const Eigen::Map<Eigen::VectorXd>& x) {
  ValueRange g;
  bool any = false;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double v = x[i];
    if (std::isnan(v)) {
      ++g.n_nan;
      continue;
    }
    if (!any) {
      g.min = g.max = v;
      any = true;
    } else if (v < g.min) {
      g.min = v;
    } else if (v > g.max) {
      g.max = v;
    }
    if (g.whole && v != std::floor(v)) g.whole = false;
  }
  if (!any) g.min = g.max = kNaN;
  return g;
}

KmCurves km_fit(const Eigen::Map<Eigen::VectorXd>& stop,
                const Eigen::Map<Eigen::VectorXd>& status,
                const Eigen::Map<Eigen::VectorXd>& weight,
                const Eigen::Map<Eigen::VectorXi>& strata,
                const Eigen::Map<Eigen::VectorXi>& order,
                const Eigen::Map<Eigen::VectorXd>& entry,
                const Eigen::Map<Eigen::VectorXi>& entry_order,
                int conf_type, double z, const Poll& poll) {
  const Eigen::Index n = stop.size();
  const bool weighted = weight.size() > 0;
  const bool counting = entry.size() > 0;
  if (status.size() != n || strata.size() != n || order.size() != n ||
      (weighted && weight.size() != n)) {
    throw std::invalid_argument("km_fit: stop, status, weight, strata and "
                                "order must have the same length");
  }
  if (counting && entry_order.size() != n) {
    throw std::invalid_argument("km_fit: entry times must have one element "
                                "per row for counting-process data");
  }
  if (conf_type < 0 || conf_type > 3) {
    throw std::invalid_argument("km_fit: unknown confidence interval type");
  }
  auto row = [n](const Eigen::Map<Eigen::VectorXi>& o, Eigen::Index i) {
    const Eigen::Index r = static_cast<Eigen::Index>(o[i]) - 1;
    if (r < 0 || r >= n) {
      throw std::invalid_argument("km_fit: order must be a 1-based "
                                  "permutation of the rows");
    }
    return r;
  };
  auto w = [&](Eigen::Index r) { return weighted ? weight[r] : 1.0; };
  const ConfType ctype = static_cast<ConfType>(conf_type);
  KmCurves out;
  // Count the output rows first so that every vector is allocated once.
  std::size_t n_out = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    poll.tick();
    const Eigen::Index r = row(order, i);
    if (i == 0) { ++n_out; continue; }
    const Eigen::Index p = row(order, i - 1);
    if (stop[r] != stop[p] || strata[r] != strata[p]) ++n_out;
  }
  reserve_curves(out, n_out);

  Eigen::Index block_start = 0;
  while (block_start < n) {
    const int s = strata[row(order, block_start)];
    Eigen::Index block_end = block_start;
    while (block_end < n && strata[row(order, block_end)] == s) ++block_end;
    if (block_end < n && strata[row(order, block_end)] < s) {
      throw std::invalid_argument("km_fit: rows must be sorted by stratum");
    }

    // Backward pass: distinct times from last to first, with the weighted
    // number whose stop time is >= t and (counting) whose start is >= t.
    const std::size_t first_out = out.time.size();
    double at_risk = 0.0;       // sum of weights with stop >= t
    double entered_late = 0.0;  // sum of weights with start >= t
    Eigen::Index k = block_end - 1;  // pointer into the sorted entries
    Eigen::Index i = block_end - 1;
    while (i >= block_start) {
      const double t = stop[row(order, i)];
      double d = 0.0, c = 0.0;
      while (i >= block_start) {
        const Eigen::Index r = row(order, i);
        if (stop[r] != t) {
          if (stop[r] > t) {
            throw std::invalid_argument("km_fit: rows must be sorted by "
                                        "time within stratum");
          }
          break;
        }
        poll.tick();
        const double wr = w(r);
        at_risk += wr;
        if (status[r] != 0.0) d += wr; else c += wr;
        --i;
      }
      if (counting) {
        while (k >= block_start) {
          const Eigen::Index r = row(entry_order, k);
          if (strata[r] != s) {
            throw std::invalid_argument("km_fit: entry order must sort by "
                                        "stratum like the stop order");
          }
          if (entry[r] < t) break;
          entered_late += w(r);
          --k;
        }
      }
      out.strata.push_back(s);
      out.time.push_back(t);
      out.n_risk.push_back(counting ? at_risk - entered_late : at_risk);
      out.n_event.push_back(d);
      out.n_censor.push_back(c);
    }
    std::reverse(out.strata.begin() + first_out, out.strata.end());
    std::reverse(out.time.begin() + first_out, out.time.end());
    std::reverse(out.n_risk.begin() + first_out, out.n_risk.end());
    std::reverse(out.n_event.begin() + first_out, out.n_event.end());
    std::reverse(out.n_censor.begin() + first_out, out.n_censor.end());

    // Forward pass: product-limit estimate and Greenwood's sum.
    ProductLimit pl(ctype, z);
    for (std::size_t j = first_out; j < out.time.size(); ++j) {
      pl.step(out.n_risk[j], out.n_event[j], out);
    }
    block_start = block_end;
  }
  return out;
}

// Kaplan-Meier curves from whole-number times on a modest grid, without a
// sort (a counting sort in effect).
// Inputs (n rows, any order): stop times that are whole numbers in
//   [tmin, tmin + n_bins); 0/1 status; weights (or empty for 1); stratum
//   codes 1..n_strata.
// Work: one sequential pass adds each row to its (stratum, time) cell (the
//   cells, 4 numbers each, are n_strata * n_bins and the caller keeps them
//   few, so they stay in cache); per stratum a backward pass over the cells
//   turns the weight at each time into the number at risk (sum of weights
//   with stop >= t), and a forward pass emits one row per occupied cell
//   with the product-limit estimate, exactly as km_fit() does after its sort.
// Output: as km_fit(), rows by stratum code then time.
KmCurves km_fit_binned(const Eigen::Map<Eigen::VectorXd>& stop,
                       const Eigen::Map<Eigen::VectorXd>& status,
                       const Eigen::Map<Eigen::VectorXd>& weight,
                       const Eigen::Map<Eigen::VectorXi>& strata,
                       double tmin, int n_bins, int n_strata, int conf_type,
                       double z, const Poll& poll) {
  const Eigen::Index n = stop.size();
  const bool weighted = weight.size() > 0;
  if (status.size() != n || strata.size() != n ||
      (weighted && weight.size() != n)) {
    throw std::invalid_argument("km_fit_binned: stop, status, weight and "
                                "strata must have the same length");
  }
  if (n_bins < 1 || n_strata < 1) {
    throw std::invalid_argument("km_fit_binned: need at least one time bin "
                                "and one stratum");
  }
  if (conf_type < 0 || conf_type > 3) {
    throw std::invalid_argument("km_fit_binned: unknown confidence interval "
                                "type");
  }
  const std::size_t cells = static_cast<std::size_t>(n_bins) *
                            static_cast<std::size_t>(n_strata);
  std::vector<double> risk(cells, 0.0), event(cells, 0.0), censor(cells, 0.0);
  std::vector<unsigned char> occupied(cells, 0);
  for (Eigen::Index r = 0; r < n; ++r) {
    poll.tick();
    const int s = strata[r];
    const double t = stop[r] - tmin;
    if (s < 1 || s > n_strata || !(t >= 0.0) || t >= n_bins ||
        t != std::floor(t)) {
      throw std::invalid_argument("km_fit_binned: a time is not a whole "
                                  "number on the grid, or a stratum code is "
                                  "out of range");
    }
    const std::size_t cell = static_cast<std::size_t>(s - 1) * n_bins +
                             static_cast<std::size_t>(t);
    const double wr = weighted ? weight[r] : 1.0;
    occupied[cell] = 1;
    risk[cell] += wr;
    if (status[r] != 0.0) event[cell] += wr; else censor[cell] += wr;
  }
  std::size_t n_out = 0;
  for (unsigned char o : occupied) n_out += o;
  KmCurves out;
  reserve_curves(out, n_out);
  const ConfType ctype = static_cast<ConfType>(conf_type);
  for (int s = 0; s < n_strata; ++s) {
    const std::size_t base = static_cast<std::size_t>(s) * n_bins;
    double at_risk = 0.0;
    for (std::size_t b = n_bins; b-- > 0;) {
      at_risk += risk[base + b];
      risk[base + b] = at_risk;
    }
    ProductLimit pl(ctype, z);
    for (std::size_t b = 0; b < static_cast<std::size_t>(n_bins); ++b) {
      const std::size_t cell = base + b;
      if (!occupied[cell]) continue;
      out.strata.push_back(s + 1);
      out.time.push_back(tmin + static_cast<double>(b));
      out.n_risk.push_back(risk[cell]);
      out.n_event.push_back(event[cell]);
      out.n_censor.push_back(censor[cell]);
      pl.step(risk[cell], event[cell], out);
    }
  }
  return out;
}

}  // namespace cohortsurv

namespace {
Rcpp::List km_to_list(const cohortsurv::KmCurves& x) {
  return Rcpp::List::create(
      Rcpp::Named("strata") = x.strata, Rcpp::Named("time") = x.time,
      Rcpp::Named("n_risk") = x.n_risk, Rcpp::Named("n_event") = x.n_event,
      Rcpp::Named("n_censor") = x.n_censor, Rcpp::Named("surv") = x.surv,
      Rcpp::Named("std_err") = x.std_err,
      Rcpp::Named("lower") = x.lower, Rcpp::Named("upper") = x.upper);
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_km(const Eigen::Map<Eigen::VectorXd> stop, const Eigen::Map<Eigen::VectorXd> status, const Eigen::Map<Eigen::VectorXd> weight, const Eigen::Map<Eigen::VectorXi> strata, const Eigen::Map<Eigen::VectorXi> order, const Eigen::Map<Eigen::VectorXd> entry, const Eigen::Map<Eigen::VectorXi> entry_order, int conf_type, double z) {
  return km_to_list(cohortsurv::km_fit(stop, status, weight, strata, order, entry, entry_order, conf_type, z, cohortsurv::Poll([] { Rcpp::checkUserInterrupt(); })));
}

namespace {
// Column j (0-based) of a numeric matrix, as a vector view without a copy.
Eigen::Map<Eigen::VectorXd> column(const Eigen::Map<Eigen::MatrixXd>& y,
                                   int j) {
  if (j < 0 || j >= y.cols()) {
    throw std::invalid_argument("column index out of range");
  }
  return Eigen::Map<Eigen::VectorXd>(const_cast<double*>(y.data()) +
                                     j * y.rows(), y.rows());
}

Rcpp::NumericVector value_range_vector(const cohortsurv::ValueRange& g) {
  return Rcpp::NumericVector::create(g.min, g.max, g.whole ? 1.0 : 0.0,
                                     static_cast<double>(g.n_nan));
}
}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_km_binned(const Eigen::Map<Eigen::MatrixXd> y, int stop_col, const Eigen::Map<Eigen::VectorXd> weight, const Eigen::Map<Eigen::VectorXi> strata, double tmin, int n_bins, int n_strata, int conf_type, double z) {
  return km_to_list(cohortsurv::km_fit_binned(column(y, stop_col), column(y, y.cols() - 1), weight, strata, tmin, n_bins, n_strata, conf_type, z, cohortsurv::Poll([] { Rcpp::checkUserInterrupt(); })));
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_value_range(const Eigen::Map<Eigen::MatrixXd> y, int col) {
  return value_range_vector(cohortsurv::value_range(column(y, col)));
}
