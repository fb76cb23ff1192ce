// Kaplan-Meier estimator with Greenwood variance and pointwise confidence
// limits, for right-censored and left-truncated (start, stop] data.
//
// Inputs: a SurvData view (surv_data.h) of n rows in the caller's order,
//   nothing copied or sorted here: stop times (finite, >= 0), 0/1 status,
//   weights >= 0 (or none for weight 1), 0-based stratum codes, the 0-based
//   order sorting the rows by (stratum, stop) and, for counting-process
//   data, the start times (< stop) and the 0-based entry order by
//   (stratum, start). Preconditions: check_surv_data() holds.
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

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "codes.h"
#include "km.h"

namespace cohortsurv {

namespace {
const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();
// km_robust_se(): an event time where n - d <= kDirectStep * n is handled
// cluster by cluster rather than through the Greenwood sum.
const double kDirectStep = 1e-3;
// km_robust_se(): a stratum whose clusters x event times is at most this
// (plus 8 per row) uses the direct recursion.
const double kRecursionWork = 4e6;
// km_fit_binned(): more cells than this many per row go to the sparse
// variant (km_fit_sparse()), which sorts the rows' cells instead (at 600
// rows the two cost the same at about 6 to 8 cells per row).
const double kSparseCells = 8.0;
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
// at risk, the (weighted) events and the number of event rows at the next
// distinct time and appends S, its Greenwood SEs, the pointwise limits and
// the cumulative hazard with its SE to `out`. The hazard is survfit's
// (survfitkm.c): Nelson-Aalen, H += d / n and var += d / n^2; or
// Fleming-Harrington, the d event rows at a tied time leaving one by one,
// H += sum_{j < e} d / (e (n - j d / e)), var += sum d / (e (n - j d / e)^2),
// with e the number of event rows (Fleming and Harrington 1984).
class ProductLimit {
 public:
  ProductLimit(ConfType type, double z, HazType haz)
      : type_(type), haz_(haz), z_(z) {}
  void step(double n_risk, double n_event, double n_rows, KmCurves& out) {
    if (n_event > 0.0) {
      if (n_risk > n_event) {
        surv_ *= (n_risk - n_event) / n_risk;
        green_ += n_event / (n_risk * (n_risk - n_event));
      } else {
        surv_ = 0.0;
        green_ = kInf;
      }
      if (haz_ == HazType::nelson_aalen) {
        chaz_ += n_event / n_risk;
        vchaz_ += n_event / (n_risk * n_risk);
      } else {
        for (double j = 0.0; j < n_rows; j += 1.0) {
          const double dt = n_risk - j * n_event / n_rows;
          chaz_ += n_event / (n_rows * dt);
          vchaz_ += n_event / (n_rows * dt * dt);
        }
      }
    }
    // a time without events leaves S, its variance and the hazard as they
    // were: the SEs and limits of the previous time are reused (the same
    // numbers, without recomputing the logarithms and roots)
    if (n_event > 0.0 || !have_ci_) {
      se_ = std::sqrt(green_);
      surv_ci(surv_, se_, type_, z_, lo_, hi_);
      se_chaz_ = std::sqrt(vchaz_);
      have_ci_ = true;
    }
    out.surv.push_back(surv_);
    out.std_err.push_back(surv_ * se_);
    out.lower.push_back(lo_);
    out.upper.push_back(hi_);
    out.cumhaz.push_back(chaz_);
    out.std_chaz.push_back(se_chaz_);
  }

 private:
  ConfType type_;
  HazType haz_;
  double z_;
  double surv_ = 1.0;
  double green_ = 0.0;
  double chaz_ = 0.0;
  double vchaz_ = 0.0;
  bool have_ci_ = false;
  double se_ = 0.0;
  double lo_ = 0.0;
  double hi_ = 0.0;
  double se_chaz_ = 0.0;
};

HazType haz_type_of(int haz_type, const char* who) {
  if (haz_type != 1 && haz_type != 2) {
    throw std::invalid_argument(std::string(who) +
                                ": hazard type must be 1 or 2");
  }
  return static_cast<HazType>(haz_type);
}

// The sorted path's view of a SurvData under the kernels' short names.
struct SortedRows {
  explicit SortedRows(const SurvData& d)
      : stop(d.stop), status(d.status), strata(d.strata), entry(d.start),
        order(d.order), entry_order(d.entry), counting(d.counting()) {}
  const double* stop;
  const double* status;
  const int* strata;
  const double* entry;        // start times (counting process)
  const int* order;
  const int* entry_order;
  bool counting;
};

// The number of distinct (stratum, stop time) pairs of the sorted rows.
std::size_t count_times(const SurvData& d, const Poll& poll) {
  std::size_t n_out = 0;
  for (Eigen::Index i = 0; i < d.n; ++i) {
    poll.tick();
    const Eigen::Index r = d.order[i];
    if (i == 0) { ++n_out; continue; }
    const Eigen::Index p = d.order[i - 1];
    if (d.stop[r] != d.stop[p] || d.strata[r] != d.strata[p]) ++n_out;
  }
  return n_out;
}

void reserve_curves(KmCurves& out, std::size_t n_out) {
  for (auto* v : {&out.time, &out.n_risk, &out.n_event, &out.n_censor,
                  &out.surv, &out.std_err, &out.lower,
                  &out.upper, &out.cumhaz, &out.std_chaz}) {
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

KmCurves km_fit(const SurvData& d, int conf_type, double z, int haz_type,
                const Poll& poll) {
  const Eigen::Index n = d.n;
  if (!d.order || d.m != n) {
    throw std::invalid_argument("km_fit: needs a sort order of every row");
  }
  if (conf_type < 0 || conf_type > 3) {
    throw std::invalid_argument("km_fit: unknown confidence interval type");
  }
  const HazType haz = haz_type_of(haz_type, "km_fit");
  const SortedRows sr(d);
  auto row = [](const int* o, Eigen::Index i) {
    return static_cast<Eigen::Index>(o[i]);
  };
  auto w = [&d](Eigen::Index r) { return d.w(r); };
  const ConfType ctype = static_cast<ConfType>(conf_type);
  KmCurves out;
  // Count the output rows first so that every vector is allocated once.
  reserve_curves(out, count_times(d, poll));

  Eigen::Index block_start = 0;
  while (block_start < n) {
    const int s = sr.strata[row(sr.order, block_start)];
    const Eigen::Index block_end = stratum_end(d, block_start);

    // Backward pass: distinct times from last to first, with the weighted
    // number whose stop time is >= t and (counting) whose start is >= t.
    const std::size_t first_out = out.time.size();
    std::vector<double> rows_event;  // event rows per time (Fleming-Harrington)
    double at_risk = 0.0;       // sum of weights with stop >= t
    double entered_late = 0.0;  // sum of weights with start >= t
    Eigen::Index k = block_end - 1;  // pointer into the sorted entries
    Eigen::Index i = block_end - 1;
    while (i >= block_start) {
      const double t = sr.stop[row(sr.order, i)];
      double d = 0.0, c = 0.0, e = 0.0;
      while (i >= block_start) {
        const Eigen::Index r = row(sr.order, i);
        if (sr.stop[r] != t) {
          if (sr.stop[r] > t) {
            throw std::invalid_argument("km_fit: rows must be sorted by "
                                        "time within stratum");
          }
          break;
        }
        poll.tick();
        const double wr = w(r);
        at_risk += wr;
        if (sr.status[r] != 0.0) {
          d += wr;
          e += 1.0;
        } else {
          c += wr;
        }
        --i;
      }
      if (sr.counting) {
        while (k >= block_start) {
          const Eigen::Index r = row(sr.entry_order, k);
          if (sr.strata[r] != s) {
            throw std::invalid_argument("km_fit: entry order must sort by "
                                        "stratum like the stop order");
          }
          if (sr.entry[r] < t) break;
          entered_late += w(r);
          --k;
        }
      }
      out.strata.push_back(s);
      out.time.push_back(t);
      out.n_risk.push_back(sr.counting ? at_risk - entered_late : at_risk);
      out.n_event.push_back(d);
      out.n_censor.push_back(c);
      rows_event.push_back(e);
    }
    std::reverse(rows_event.begin(), rows_event.end());
    std::reverse(out.strata.begin() + first_out, out.strata.end());
    std::reverse(out.time.begin() + first_out, out.time.end());
    std::reverse(out.n_risk.begin() + first_out, out.n_risk.end());
    std::reverse(out.n_event.begin() + first_out, out.n_event.end());
    std::reverse(out.n_censor.begin() + first_out, out.n_censor.end());

    // Forward pass: product-limit estimate and Greenwood's sum.
    ProductLimit pl(ctype, z, haz);
    for (std::size_t j = first_out; j < out.time.size(); ++j) {
      pl.step(out.n_risk[j], out.n_event[j], rows_event[j - first_out], out);
    }
    block_start = block_end;
  }
  return out;
}

// Robust standard error of the Kaplan-Meier estimate: the infinitesimal
// jackknife (IJ), summed within clusters.
// Inputs: the n rows exactly as km_fit() takes them (stop, status, weight,
//   empty for weight 1, strata, order, entry, entry_order; the same
//   preconditions), and
//   cluster   0-based cluster code of each row, in [0, n_cluster). A cluster
//             may have rows in several strata; in each stratum its rows
//             there make its influence on that stratum's curve.
//   c_*       the columns strata, time, n_risk, n_event and surv of the
//             km_fit() output for these same rows (m rows, by stratum code
//             then time).
//   method    0, 1 or 2: see below.
// Output: m values, the IJ standard error of S(t) itself (not of log S) at
//   each curve time: sqrt(sum_k U_k(t)^2), U_k(t) the derivative of S(t)
//   with respect to the weight of cluster k's rows (Therneau & Grambsch
//   2000, Modeling Survival Data, section 7.2: the IJ influence of the KM
//   estimator). At a time without events the value of the previous event
//   time is carried, as survival::survfit does.
// Method: while S(t) > 0, U_k(t) = S(t) a_k(t), where a_k(t) sums over the
//   event times t_j <= t
//     G_k(t_j) d_j / (n_j (n_j - d_j)) - E_k(t_j) / (n_j - d_j),
//   G_k(t_j) being the weight of cluster k's rows at risk at t_j and E_k(t_j)
//   its weight of events there. With C(t) the Greenwood sum, write
//   a_k = F_k + G_k C(t): then sum_k a_k^2 = SFF + 2 C SFG + C^2 SGG, and
//   these three sums change only for the cluster of a row that enters or
//   leaves the risk set. That makes the cost O(n) after km_fit()'s sort
//   (survfit's recursion costs clusters x event times). At the event time
//   where S reaches 0 the influence is S(t-) (G_k - E_k) / n, computed
//   directly over that risk set (0 unless rows of weight 0 remain); a later
//   event time (delayed entry) scales every U_k by (1 - d/n).
//   The expansion loses digits when a few clusters hold most of the risk
//   set (sum_k a_k^2 then nearly cancels; an SE that should be 0 comes out
//   near 1e-8), so a stratum whose clusters x event times is modest uses
//   the direct recursion instead: at each event time t_j, for every
//   cluster, U_k <- U_k (1 - h_j) + S(t_j-) (G_k h_j - E_k) / n_j, with
//   h_j = d_j / n_j, as survfit computes it.
//   method: 0 chooses by that cost, 1 always the recursion, 2 always the
//   expansion (for tests).
// Throws std::invalid_argument on inconsistent input.
// Length (stated reason for more than 80 lines): the recursion and the
// expansion keep per-cluster state (F, G, counts, the active set) across
// the event times of a stratum; splitting them means making that state a
// class, left for a later change.
Eigen::VectorXd km_robust_se(const SurvData& d, const int* cluster,
                             int n_cluster, const KmCurves& curves,
                             int method, const Poll& poll) {
  const Eigen::Index n = d.n;
  const Eigen::Index m = static_cast<Eigen::Index>(curves.time.size());
  if (!d.order || d.m != n) {
    throw std::invalid_argument("km_robust_se: needs a sort order of every "
                                "row");
  }
  if (method < 0 || method > 2) {
    throw std::invalid_argument("km_robust_se: method must be 0, 1 or 2");
  }
  if (n_cluster < 1 && n > 0) {
    throw std::invalid_argument("km_robust_se: need at least one cluster");
  }
  const SortedRows sr(d);
  const int* c_strata = curves.strata.data();
  const double* c_time = curves.time.data();
  const double* c_n_risk = curves.n_risk.data();
  const double* c_n_event = curves.n_event.data();
  const double* c_surv = curves.surv.data();
  auto row = [](const int* o, Eigen::Index i) {
    return static_cast<Eigen::Index>(o[i]);
  };
  auto w = [&d](Eigen::Index r) { return d.w(r); };
  auto code = [&](Eigen::Index r) {
    const int k = cluster[r];
    if (k < 0 || k >= n_cluster) {
      throw std::invalid_argument("km_robust_se: cluster code out of range");
    }
    return static_cast<std::size_t>(k);
  };
  Eigen::VectorXd se = Eigen::VectorXd::Zero(m);
  std::vector<double> F(n_cluster, 0.0), G(n_cluster, 0.0);
  std::vector<long long> count(n_cluster, 0);
  std::vector<double> acc;           // used where S reaches 0
  std::vector<unsigned char> mark;
  std::vector<std::size_t> active, pos;  // the expansion's active clusters
  // acc[k]: the weight of cluster k's rows at risk at t other than the
  // events at t, over sort positions [from, to); returns the clusters
  // touched (marked in `mark`, which the caller clears with acc).
  auto outside_events = [&](Eigen::Index from, Eigen::Index to, double t) {
    if (acc.empty()) {
      acc.assign(n_cluster, 0.0);
      mark.assign(n_cluster, 0);
    }
    std::vector<std::size_t> touched;
    for (Eigen::Index i = from; i < to; ++i) {
      const Eigen::Index r = row(sr.order, i);
      if (sr.counting && sr.entry[r] >= t) continue;
      const std::size_t k = code(r);
      if (!mark[k]) {
        mark[k] = 1;
        touched.push_back(k);
      }
      if (!(sr.stop[r] == t && sr.status[r] != 0.0)) acc[k] += w(r);
    }
    return touched;
  };

  // Whether the row at sort position i has stop time t; the rows of each
  // curve time are consumed in order, so a smaller one means the curves do
  // not match the rows.
  auto stops_at = [&](Eigen::Index i, double t) {
    const double st = sr.stop[row(sr.order, i)];
    if (st < t) {
      throw std::invalid_argument("km_robust_se: the curves do not match "
                                  "the rows");
    }
    return st == t;
  };

  // Counting process: calls f(r) for each row r, in entry order from
  // position pe (advanced), that entered before t.
  auto enter_before = [&](Eigen::Index& pe, Eigen::Index end, double t,
                          auto&& f) {
    for (; pe < end; ++pe) {
      const Eigen::Index r = row(sr.entry_order, pe);
      if (sr.entry[r] >= t) break;
      f(r);
    }
  };

  Eigen::Index block_start = 0, j = 0;
  while (block_start < n) {
    const int s = sr.strata[row(sr.order, block_start)];
    const Eigen::Index block_end = stratum_end(d, block_start);
    if (j >= m || c_strata[j] != s) {
      throw std::invalid_argument("km_robust_se: the curves do not match the "
                                  "rows");
    }
    // The stratum's clusters and event times decide the method.
    std::vector<std::size_t> members;
    for (Eigen::Index i = block_start; i < block_end; ++i) {
      const std::size_t k = code(row(sr.order, i));
      if (count[k] == 0) members.push_back(k);
      count[k] = 1;
    }
    for (std::size_t k : members) count[k] = 0;
    long long n_events = 0;
    for (Eigen::Index q = j; q < m && c_strata[q] == s; ++q) {
      if (c_n_event[q] > 0.0) ++n_events;
    }
    const double work = static_cast<double>(members.size()) *
                        static_cast<double>(n_events);
    const bool recursion =
        method == 1 ||
        (method == 0 &&
         work <= kRecursionWork + 8.0 * static_cast<double>(block_end -
                                                            block_start));
    if (recursion) {
      // U_k, here in F, updated at each event time over every cluster of
      // the stratum; G_k in G.
      double v = 0.0, s_prev = 1.0;
      Eigen::Index pe = block_start, ps = block_start;
      if (!sr.counting) {
        for (Eigen::Index i = block_start; i < block_end; ++i) {
          const Eigen::Index r = row(sr.order, i);
          const std::size_t k = code(r);
          G[k] += w(r);
          ++count[k];
        }
      }
      for (; j < m && c_strata[j] == s; ++j) {
        const double t = c_time[j];
        if (sr.counting) {
          enter_before(pe, block_end, t, [&](Eigen::Index r) {
            const std::size_t k = code(r);
            G[k] += w(r);
            ++count[k];
          });
        }
        const double nr = c_n_risk[j], d = c_n_event[j];
        const bool event = d > 0.0;
        if (event && nr > d) {
          const double h = d / nr;
          for (std::size_t k : members) {
            poll.tick();
            F[k] = F[k] * (1.0 - h) + G[k] * s_prev * h / nr;
          }
        } else if (event) {
          // S reaches 0 (or stays there): U_k = S(t-) A_k / n,
          // A_k the weight of cluster k at risk outside the events at t,
          // summed row by row (exactly 0 when it is)
          // (1 - h is 0, or a rounding residue when d exceeds n by one:
          // S is 0 from here, and so is that term)
          for (std::size_t k : members) F[k] = 0.0;
          for (Eigen::Index i = ps; i < block_end; ++i) {
            const Eigen::Index r = row(sr.order, i);
            if (sr.counting && sr.entry[r] >= t) continue;
            if (!(sr.stop[r] == t && sr.status[r] != 0.0)) {
              F[code(r)] += s_prev * w(r) / nr;
            }
          }
        }
        for (; ps < block_end && stops_at(ps, t); ++ps) {
          const Eigen::Index r = row(sr.order, ps);
          const std::size_t k = code(r);
          const double wr = w(r);
          if (event && nr > d && sr.status[r] != 0.0) F[k] -= s_prev * wr / nr;
          if (--count[k] == 0) G[k] = 0.0; else G[k] -= wr;
        }
        if (event) {
          v = 0.0;
          for (std::size_t k : members) v += F[k] * F[k];
        }
        se[j] = std::sqrt(v);
        s_prev = c_surv[j];
      }
      if (ps != block_end) {
        throw std::invalid_argument("km_robust_se: the curves do not match "
                                    "the rows");
      }
      for (std::size_t k : members) {
        F[k] = G[k] = 0.0;
        count[k] = 0;
      }
      block_start = block_end;
      continue;
    }

    // The sums run over the clusters with rows at risk ("active", listed
    // in `active`, position in `pos`); Z sums a_k^2 = F_k^2 over the
    // others. C counts from the last rebase, which folds G_k C into F_k
    // for the active clusters and recomputes their sums exactly, so that
    // rounding does not build up in the running sums as the risk set
    // shrinks (or turns over, with delayed entry).
    if (pos.empty()) pos.assign(n_cluster, 0);
    double C = 0.0, sff = 0.0, sfg = 0.0, sgg = 0.0, Z = 0.0, v = 0.0;
    double s_prev = 1.0;
    bool dead = false;
    active.clear();
    std::size_t base_size = 0, entries = 0;
    auto activate = [&](std::size_t k) {
      pos[k] = active.size();
      active.push_back(k);
    };
    auto deactivate = [&](std::size_t k) {
      const std::size_t last = active.back();
      active[pos[k]] = last;
      pos[last] = pos[k];
      active.pop_back();
    };
    // cluster k's F and G move by dF and dG, its row count by dn; a cluster
    // without rows at risk has G exactly 0 (no rounding residue).
    auto change = [&](std::size_t k, double dF, double dG, int dn) {
      const double f0 = F[k], g0 = G[k];
      const long long c0 = count[k];
      count[k] += dn;
      const double f1 = f0 + dF;
      const double g1 = count[k] == 0 ? 0.0 : g0 + dG;
      F[k] = f1;
      G[k] = g1;
      if (c0 == 0 && count[k] > 0) {
        Z -= f0 * f0;
        activate(k);
        sff += f1 * f1;
        sfg += f1 * g1;
        sgg += g1 * g1;
      } else if (c0 > 0 && count[k] == 0) {
        sff -= f0 * f0;
        sfg -= f0 * g0;
        sgg -= g0 * g0;
        deactivate(k);
        Z += f1 * f1;
      } else if (c0 > 0) {
        sff += f1 * f1 - f0 * f0;
        sfg += f1 * g1 - f0 * g0;
        sgg += g1 * g1 - g0 * g0;
      } else {
        Z += f1 * f1 - f0 * f0;
      }
    };
    auto rebase = [&]() {
      sff = sfg = sgg = 0.0;
      for (std::size_t k : active) {
        F[k] += G[k] * C;
        sff += F[k] * F[k];
        sfg += F[k] * G[k];
        sgg += G[k] * G[k];
      }
      C = 0.0;
      base_size = active.size();
      entries = 0;
    };
    auto enter = [&](Eigen::Index r) {
      const double wr = w(r);
      change(code(r), -wr * C, wr, 1);
      ++entries;
    };
    if (!sr.counting) {
      for (Eigen::Index i = block_start; i < block_end; ++i) {
        poll.tick();
        enter(row(sr.order, i));
      }
    }
    Eigen::Index pe = block_start, ps = block_start;
    for (; j < m && c_strata[j] == s; ++j) {
      const double t = c_time[j];
      if (sr.counting) {
        enter_before(pe, block_end, t, [&](Eigen::Index r) {
          poll.tick();
          enter(r);
        });
      }
      const double nr = c_n_risk[j], d = c_n_event[j];
      const bool event = d > 0.0;
      const bool alive = event && !dead && nr > d;
      // Near the end of a curve, when almost all the weight at risk dies
      // (n - d a rounding residue, or tiny), C would jump by about
      // 1 / (n - d) and the expansion would lose every digit; there the
      // a_k of the clusters at risk are updated directly, each by
      // A_k / (n - d) - G_k / n, A_k being its weight at risk outside the
      // events at t, summed row by row (exactly 0 when it is 0).
      const bool direct = alive && nr - d <= kDirectStep * nr;
      if (alive && (2 * active.size() <= base_size || entries > base_size)) {
        rebase();
      }
      if (alive && !direct) {
        C += d / (nr * (nr - d));
      } else if (direct) {
        const std::vector<std::size_t> touched =
            outside_events(ps, block_end, t);
        for (std::size_t k : touched) {
          change(k, acc[k] / (nr - d) - G[k] / nr, 0.0, 0);
          mark[k] = 0;
          acc[k] = 0.0;
        }
      } else if (event && !dead) {
        // S reaches 0 at t: U_k = S(t-) (G_k - E_k) / n over the risk set
        // G_k - E_k is the weight of cluster k's rows at risk other than
        // the events at t; summed directly it is exactly 0 when those
        // weights are (all weight at risk is in the events when S drops
        // to 0), which keeps the limits where survfit has them.
        const std::vector<std::size_t> touched =
            outside_events(ps, block_end, t);
        v = 0.0;
        for (std::size_t k : touched) {
          const double u = s_prev * acc[k] / nr;
          v += u * u;
          mark[k] = 0;
          acc[k] = 0.0;
        }
        dead = true;
      } else if (event) {
        const double h = d / nr;
        v = nr > d ? v * (1.0 - h) * (1.0 - h) : 0.0;
      }
      // the rows whose stop time is t leave the risk set
      for (; ps < block_end && stops_at(ps, t); ++ps) {
        const Eigen::Index r = row(sr.order, ps);
        poll.tick();
        const double wr = w(r);
        const double e =
            (alive && !direct && sr.status[r] != 0.0) ? wr / (nr - d) : 0.0;
        change(code(r), wr * C - e, -wr, -1);
      }
      if (alive) {
        const double sj = c_surv[j];
        v = sj * sj * (Z + sff + 2.0 * C * sfg + C * C * sgg);
      }
      se[j] = std::sqrt(std::max(v, 0.0));
      s_prev = c_surv[j];
    }
    if (ps != block_end) {
      throw std::invalid_argument("km_robust_se: the curves do not match the "
                                  "rows");
    }
    for (Eigen::Index i = block_start; i < block_end; ++i) {
      const std::size_t k = code(row(sr.order, i));
      F[k] = G[k] = 0.0;
      count[k] = 0;
    }
    block_start = block_end;
  }
  if (j != m) {
    throw std::invalid_argument("km_robust_se: the curves do not match the "
                                "rows");
  }
  return se;
}

void km_use_robust(KmCurves& curves, const Eigen::VectorXd& se, int conf_type,
                   double z) {
  const std::size_t m = curves.time.size();
  if (static_cast<std::size_t>(se.size()) != m) {
    throw std::invalid_argument("km_use_robust: one standard error per curve "
                                "row is needed");
  }
  if (conf_type < 0 || conf_type > 3) {
    throw std::invalid_argument("km_use_robust: unknown confidence interval "
                                "type");
  }
  const ConfType ctype = static_cast<ConfType>(conf_type);
  for (std::size_t i = 0; i < m; ++i) {
    const double p = curves.surv[i];
    // the SE of log S, as survfit derives it from the SE of S (infinite
    // where S = 0 and the SE is not)
    const double se_log = se[i] == 0.0 ? 0.0 : se[i] / p;
    curves.std_err[i] = se[i];
    surv_ci(p, se_log, ctype, z, curves.lower[i], curves.upper[i]);
    // the robust SE of the cumulative hazard is not computed
    if (i < curves.std_chaz.size()) curves.std_chaz[i] = kNaN;
  }
}

namespace {

// The (stratum, time) cell of row r of the binned kernels, s * n_bins +
// (stop - tmin); throws unless the time is a whole number on the grid and
// the stratum code in range.
inline std::uint64_t binned_cell(const SurvData& d, Eigen::Index r,
                                 double tmin, int n_bins) {
  const int s = d.strata[r];
  const double t = d.stop[r] - tmin;
  if (s < 0 || s >= d.n_strata || !(t >= 0.0) || t >= n_bins ||
      t != std::floor(t)) {
    throw std::invalid_argument("km_fit_binned: a time is not a whole "
                                "number on the grid, or a stratum code is "
                                "out of range");
  }
  return static_cast<std::uint64_t>(s) * n_bins +
         static_cast<std::uint64_t>(t);
}

// km_fit_binned() on few rows in many cells (a small cohort over years of
// days): rather than zeroing and scanning every cell, the occupied cells
// are found by sorting the rows' cell numbers (a radix sort, a few passes
// over the rows). Each cell's sums add its rows in row order and the
// number at risk adds the occupied cells from the last time back, as the
// dense pass does, so the curves are the same to the bit.
KmCurves km_fit_sparse(const SurvData& d, double tmin, int n_bins,
                       int conf_type, double z, HazType haz, bool count_rows,
                       const Poll& poll) {
  const Eigen::Index n = d.n;
  const int n_strata = d.n_strata;
  const double* stop = d.stop;
  const double* status = d.status;
  const int* strata = d.strata;
  // the rows' cells (cells below n_strata * n_bins < 2^31, the caller's
  // rule keeps them few), then the rows in cell order, rows of one cell in
  // row order: a stable least-significant-digit radix sort, 8 bits a pass
  std::vector<std::uint32_t> cell_r(static_cast<std::size_t>(n));
  for (Eigen::Index r = 0; r < n; ++r) {
    poll.tick();
    cell_r[r] = static_cast<std::uint32_t>(binned_cell(d, r, tmin, n_bins));
  }
  const std::uint64_t n_cells = static_cast<std::uint64_t>(n_strata) *
                                static_cast<std::uint64_t>(n_bins);
  std::vector<std::uint32_t> rows(static_cast<std::size_t>(n)),
      next(static_cast<std::size_t>(n));
  for (Eigen::Index r = 0; r < n; ++r) rows[r] = static_cast<std::uint32_t>(r);
  for (int shift = 0; shift < 32 && (n_cells - 1) >> shift; shift += 8) {
    std::size_t count[257] = {0};
    for (std::uint32_t r : rows) ++count[((cell_r[r] >> shift) & 255u) + 1];
    for (int b = 0; b < 256; ++b) count[b + 1] += count[b];
    for (std::uint32_t r : rows) next[count[(cell_r[r] >> shift) & 255u]++] = r;
    rows.swap(next);
  }
  // one entry per occupied cell, in cell order
  // (the stratum and time of each read off its first row: no division)
  std::vector<int> stratum_of;
  std::vector<double> time_of;
  std::vector<double> risk, event, censor, rows_event;
  const std::size_t n_rows = rows.size();
  for (std::size_t i = 0; i < n_rows;) {
    const std::uint32_t cell = cell_r[rows[i]];
    stratum_of.push_back(strata[rows[i]]);
    time_of.push_back(tmin + (stop[rows[i]] - tmin));  // as the dense pass
    double wr_sum = 0.0, ev = 0.0, ce = 0.0, ev_rows = 0.0;
    for (; i < n_rows && cell_r[rows[i]] == cell; ++i) {
      const Eigen::Index r = static_cast<Eigen::Index>(rows[i]);
      const double wr = d.w(r);
      wr_sum += wr;
      if (status[r] != 0.0) {
        ev += wr;
        if (count_rows) ev_rows += 1.0;
      } else {
        ce += wr;
      }
    }
    risk.push_back(wr_sum);
    event.push_back(ev);
    censor.push_back(ce);
    if (count_rows) rows_event.push_back(ev_rows);
  }
  KmCurves out;
  const std::size_t n_cell = stratum_of.size();
  reserve_curves(out, n_cell);
  const ConfType ctype = static_cast<ConfType>(conf_type);
  for (std::size_t a = 0; a < n_cell;) {
    const int s = stratum_of[a];
    std::size_t b = a;
    while (b < n_cell && stratum_of[b] == s) ++b;
    double at_risk = 0.0;
    for (std::size_t j = b; j-- > a;) {
      at_risk += risk[j];
      risk[j] = at_risk;
    }
    ProductLimit pl(ctype, z, haz);
    for (std::size_t j = a; j < b; ++j) {
      out.strata.push_back(s);
      out.time.push_back(time_of[j]);
      out.n_risk.push_back(risk[j]);
      out.n_event.push_back(event[j]);
      out.n_censor.push_back(censor[j]);
      pl.step(risk[j], event[j], count_rows ? rows_event[j] : event[j], out);
    }
    a = b;
  }
  return out;
}

}  // namespace

// Kaplan-Meier curves from whole-number times on a modest grid, without a
// sort (a counting sort in effect).
// Inputs (n rows, any order): stop times that are whole numbers in
//   [tmin, tmin + n_bins); 0/1 status; weights (or empty for 1); stratum
//   codes 0..n_strata - 1.
// Work: one sequential pass adds each row to its (stratum, time) cell (the
//   cells, 4 numbers each, are n_strata * n_bins and the caller keeps them
//   few, so they stay in cache); per stratum a backward pass over the cells
//   turns the weight at each time into the number at risk (sum of weights
//   with stop >= t), and a forward pass emits one row per occupied cell
//   with the product-limit estimate, exactly as km_fit() does after its sort.
// Output: as km_fit(), rows by stratum code then time.
KmCurves km_fit_binned(const SurvData& d, double tmin, int n_bins,
                       int conf_type, double z, int haz_type,
                       const Poll& poll) {
  const Eigen::Index n = d.n;
  const int n_strata = d.n_strata;
  const double* status = d.status;
  if (n_bins < 1 || n_strata < 1) {
    throw std::invalid_argument("km_fit_binned: need at least one time bin "
                                "and one stratum");
  }
  if (conf_type < 0 || conf_type > 3) {
    throw std::invalid_argument("km_fit_binned: unknown confidence interval "
                                "type");
  }
  const HazType haz = haz_type_of(haz_type, "km_fit_binned");
  // the number of event rows per cell differs from the weighted events
  // only with weights, and only Fleming-Harrington's hazard reads it
  const bool count_rows = d.weight && haz == HazType::fleming_harrington;
  const std::size_t cells = static_cast<std::size_t>(n_bins) *
                            static_cast<std::size_t>(n_strata);
  if (static_cast<double>(cells) > kSparseCells * static_cast<double>(n)) {
    return km_fit_sparse(d, tmin, n_bins, conf_type, z, haz, count_rows,
                         poll);
  }
  std::vector<double> risk(cells, 0.0), event(cells, 0.0), censor(cells, 0.0);
  std::vector<unsigned char> occupied(cells, 0);
  std::vector<double> rows_event(count_rows ? cells : 0, 0.0);
  for (Eigen::Index r = 0; r < n; ++r) {
    poll.tick();
    const std::size_t cell =
        static_cast<std::size_t>(binned_cell(d, r, tmin, n_bins));
    const double wr = d.w(r);
    occupied[cell] = 1;
    risk[cell] += wr;
    if (status[r] != 0.0) {
      event[cell] += wr;
      if (count_rows) rows_event[cell] += 1.0;
    } else {
      censor[cell] += wr;
    }
  }
  std::size_t n_out = 0;
  for (unsigned char o : occupied) n_out += o;
  KmCurves out;
  reserve_curves(out, n_out);
  const ConfType ctype = static_cast<ConfType>(conf_type);
  for (int s = 0; s < n_strata; ++s) {
    const std::size_t base = static_cast<std::size_t>(s) * n_bins;
    // the number at risk in each occupied cell, summed from the last time
    // back; an empty cell adds +0.0, which changes no sum, so it is
    // skipped (no dependent addition per empty cell)
    double at_risk = 0.0;
    for (std::size_t b = n_bins; b-- > 0;) {
      if (!occupied[base + b]) continue;
      at_risk += risk[base + b];
      risk[base + b] = at_risk;
    }
    ProductLimit pl(ctype, z, haz);
    for (std::size_t b = 0; b < static_cast<std::size_t>(n_bins); ++b) {
      const std::size_t cell = base + b;
      if (!occupied[cell]) continue;
      out.strata.push_back(s);
      out.time.push_back(tmin + static_cast<double>(b));
      out.n_risk.push_back(risk[cell]);
      out.n_event.push_back(event[cell]);
      out.n_censor.push_back(censor[cell]);
      pl.step(risk[cell], event[cell],
              count_rows ? rows_event[cell] : event[cell], out);
    }
  }
  return out;
}

KmCurves km_fit_robust(const SurvData& d, const int* cluster, int n_cluster,
                       int method, int conf_type, double z, int haz_type,
                       const Poll& poll) {
  KmCurves fit = km_fit(d, conf_type, z, haz_type, poll);
  const Eigen::VectorXd se =
      km_robust_se(d, cluster, n_cluster, fit, method, poll);
  km_use_robust(fit, se, conf_type, z);
  return fit;
}

ValueRange value_range(const double* x, Eigen::Index n) {
  return value_range(Eigen::Map<Eigen::VectorXd>(const_cast<double*>(x), n));
}

// The summary table of a set of curves (km_table() in R/km.R).
// Inputs: the curve columns time, surv, lower, upper, n_risk, n_event (the
//   rows of curve k are starts[k]..ends[k], 0-based inclusive, times
//   increasing within a curve); tau, the horizon of the restricted mean;
//   tol, the tolerance of a quantile; limits, whether to compute the
//   medians of the confidence limits.
// Output: per curve the median of S (the first time 1 - S reaches 0.5;
//   the midpoint of a flat stretch at 0.5, as survival's quantile.survfit),
//   of the limits (Brookmeyer & Crowley 1982, Biometrics 38:29-41), the
//   restricted mean of S on [0, tau] with its Greenwood-type SE (Klein &
//   Moeschberger 2003, section 4.5) and the events.
namespace {

// The set of doubles of median_of()'s general path: a KeyIndex (codes.h)
// of their bits, one reused buffer (no allocation per value, unlike
// std::unordered_set), with the equality of == (0 and -0 one value); NaN is
// never inserted.
class DoubleSet {
 public:
  // Empties the set, with room for n values.
  void reset(std::size_t n) { index_.reset(n); }
  // Adds x; false when it was there already.
  bool insert(double x) {
    if (x == 0.0) x = 0.0;  // -0 as 0
    std::uint64_t b;
    std::memcpy(&b, &x, sizeof b);
    bool added;
    index_.insert(b, added);
    return added;
  }

 private:
  KeyIndex index_;
};

// step_quantile(time, 1 - v, 0.5, tmax = tmax): y = c(0, 1 - v) and
// x = c(0, time) keep the first time of each distinct value of y (NA
// included), then lose the NA values; a y that is non-decreasing with NA
// only at its end needs no hashing for that. `seen` is scratch space.
double median_of(const double* time, const double* v, int len, double tmax,
                 double tol, std::vector<double>& xs, std::vector<double>& ys,
                 DoubleSet& seen) {
  const double p = 0.5;
  double maxy = 0.0;
  int k = 1;
  bool tail_na = false, fast = true;
  double prev = 0.0;
  for (int i = 0; i < len; ++i) {
    const double y = 1.0 - v[i];
    if (std::isnan(y)) {
      tail_na = true;
      continue;
    }
    if (tail_na || y < prev) fast = false;
    prev = y;
    if (y > maxy) maxy = y;
    ++k;
  }
  if (maxy < p) return kNaN;
  bool ends_na;
  xs.assign(1, 0.0);
  ys.assign(1, 0.0);
  if (fast) {
    ends_na = k < len + 1;
    for (int i = 0; i < k - 1; ++i) {
      const double y = 1.0 - v[i];
      if (y != ys.back()) {
        xs.push_back(time[i]);
        ys.push_back(y);
      }
    }
  } else {
    seen.reset(static_cast<std::size_t>(len) + 1);
    seen.insert(0.0);
    bool na_seen = false;
    ends_na = false;
    for (int i = 0; i < len; ++i) {
      const double y = 1.0 - v[i];
      if (std::isnan(y)) {
        if (!na_seen) ends_na = na_seen = true;
      } else if (seen.insert(y)) {
        ends_na = false;
        xs.push_back(time[i]);
        ys.push_back(y);
      }
    }
  }
  const std::size_t m = ys.size();
  if (p < ys[0] + tol) return kNaN;
  std::size_t j1 = m, j2 = m;
  for (std::size_t j = 0; j < m; ++j) {
    if (j1 == m && ys[j] >= p - tol) j1 = j;
    if (ys[j] >= p + tol) {
      j2 = j;
      break;
    }
  }
  if (j1 == m) return kNaN;
  if (!ends_na && std::fabs(p - ys[m - 1]) < tol) return (xs[j1] + tmax) / 2;
  return j2 == m ? kNaN : (xs[j1] + xs[j2]) / 2;
}

}  // namespace

KmTable km_table_fit(const double* time, const double* surv,
                     const double* lower, const double* upper,
                     const double* n_risk, const double* n_event,
                     const int* starts, const int* ends, int k_all,
                     double tau, double tol, bool limits) {
  KmTable t;
  t.median.assign(k_all, kNaN);
  t.lower.assign(k_all, kNaN);
  t.upper.assign(k_all, kNaN);
  t.rmean.assign(k_all, 0.0);
  t.rmean_se.assign(k_all, 0.0);
  t.events.assign(k_all, 0.0);
  std::vector<double> xs, ys, area, h;
  DoubleSet seen;
  for (int k = 0; k < k_all; ++k) {
    const int a = starts[k], b = ends[k];
    if (a < 0 || b < a) throw std::invalid_argument("km_table: bad curve rows");
    const int len = b - a + 1;
    long double ev = 0.0L;
    double tmax = time[a];
    for (int i = a; i <= b; ++i) {
      ev += n_event[i];
      if (time[i] > tmax) tmax = time[i];
    }
    t.events[k] = static_cast<double>(ev);
    t.median[k] = median_of(time + a, surv + a, len, tmax, tol, xs, ys, seen);
    if (limits) {
      t.lower[k] = median_of(time + a, lower + a, len, tmax, tol, xs, ys, seen);
      t.upper[k] = median_of(time + a, upper + a, len, tmax, tol, xs, ys, seen);
    }
    // restricted mean: the rows with time <= tau, then tau
    area.clear();
    h.clear();
    double last = 0.0, height = 1.0;
    for (int i = a; i <= b; ++i) {
      if (!(time[i] <= tau)) continue;
      area.push_back((time[i] - last) * height);
      last = time[i];
      height = surv[i];
      const double nr = n_risk[i], ne = n_event[i];
      h.push_back(nr - ne > 0 ? ne / (nr * (nr - ne)) : 0.0);
    }
    area.push_back((tau - last) * height);
    long double mean = 0.0L;
    for (double x : area) mean += x;
    // after[j] = the area after the j-th kept time: suffix sums, as
    // rev(cumsum(rev(area)))[-1]
    long double suffix = 0.0L, var = 0.0L;
    const std::size_t m = h.size();
    std::vector<double>& after = xs;
    after.assign(m + 1, 0.0);
    for (std::size_t j = m + 1; j-- > 0;) {
      suffix += area[j];
      after[j] = static_cast<double>(suffix);
    }
    for (std::size_t j = 0; j < m; ++j) {
      const double aj = after[j + 1];
      var += aj * aj * h[j];
    }
    t.rmean[k] = static_cast<double>(mean);
    t.rmean_se[k] = std::sqrt(static_cast<double>(var));
  }
  return t;
}

}  // namespace cohortsurv
