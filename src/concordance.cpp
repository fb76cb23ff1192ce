// Concordance kernel: Harrell's C with its infinitesimal-jackknife variance.
//
// Implements Harrell's concordance index (Harrell FE, Califf RM, Pryor DB,
// Lee KL, Rosati RA (1982). Evaluating the yield of medical tests. JAMA
// 247, 2543-2546; Harrell FE, Lee KL, Mark DB (1996). Multivariable
// prognostic models. Stat Med 15, 361-387) with the definitions, tie rules,
// case weights, (start, stop] risk sets and variances of Therneau T and
// Atkinson E, "The concordance statistic" (vignette of the R package
// survival, 2020), the `timewt = "n"` case.
//
// Inputs: a SurvData view `d` (n rows; the d.m rows used read through
// d.order, sorted by stratum then stop; counting-process data also through
// d.entry, sorted by stratum then start) and the predictor `x` (n values in
// row order, no NaN).
// Pairs: within a stratum, rows i and j are comparable when i has an event
// at time t_i and j is at risk at t_i with a longer time (stop_j > t_i, or
// stop_j = t_i and j censored; for (start, stop] data also start_j < t_i).
// With weights w, the pair counts w_i w_j as concordant when x_j > x_i (the
// longer-lived row has the larger predictor), discordant when x_j < x_i,
// tied.x when x_j = x_i; two events at the same time count as tied.y, or
// tied.xy when their predictors are equal too.
// C = (concordant + tied.x / 2) / (concordant + discordant + tied.x).
// Variance: row i's influence is its weighted count of concordant (I_c),
// discordant (I_d) and tied.x (I_t) pairs per unit of its own weight, as
// the event or as the longer-lived member; with N the comparable pairs and
// S = (concordant - discordant) / N, dfbeta_i = w_i ((I_c - I_d) - S (I_c +
// I_d + I_t)) / (2 N) and var = sum_i dfbeta_i^2. The Cox variance is
// sum over event times of d(t) V(t) / (4 N^2), d(t) the weighted events at
// t and V(t) = sum_j w_j z_j^2 / sum_j w_j over the risk set at t, z_j the
// weight of the risk set above row j's predictor minus the weight below it
// (the variance of the score test of a Cox model on the ranks).
// Outputs (ConcordanceFit): the counts per stratum, C, var, the Cox
// variance and dfbeta (the influence on C) of each row.
// Algorithm: each stratum is walked backward in time with two Fenwick
// (binary indexed) trees over the predictor's ranks in the stratum, one for
// the weights of the risk set and one for the weights of the events seen so
// far. A row's pairs as the longer-lived member are the events that happen
// while it is at risk: the event tree when it leaves the risk set (in
// reverse time: at the start of the walk or when a (start, stop] row's start
// is passed) minus the event tree when it enters (at its stop). Each row
// costs O(log k) for k distinct predictor values: O(n log n) in all, after
// one radix sort for the ranks (a hash table of the values when they are
// few).
#include "concordance.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>
#include <vector>

namespace cohortsurv {

namespace {

using Eigen::Index;

// Weights below, at and above a rank.
struct Split {
  double below;
  double at;
  double above;
};

// Two Fenwick (binary indexed) trees over the same ranks 1..k: the weights
// of the risk set and of the events seen so far, each with the weight at
// every rank kept apart for the ties. The two trees' partial sums are
// stored side by side, so that one walk reads both (the walk's cache misses
// are its cost), and apart from the weights at each rank, which a walk
// reads once.
class RiskEventTree {
 public:
  void reset(int k) {
    k_ = k;
    sum_.assign(static_cast<size_t>(k) + 1, Pair{0.0, 0.0});
    at_.assign(static_cast<size_t>(k) + 1, Pair{0.0, 0.0});
    risk_total_ = event_total_ = 0.0;
  }
  // weight w joins the risk set at rank r
  void add_risk(int r, double w) {
    at_[r].risk += w;
    risk_total_ += w;
    for (int i = r; i <= k_; i += i & -i) sum_[i].risk += w;
  }
  // an event of weight w at rank r joins the risk set and the events
  void add_event(int r, double w) {
    at_[r].risk += w;
    at_[r].event += w;
    risk_total_ += w;
    event_total_ += w;
    for (int i = r; i <= k_; i += i & -i) {
      sum_[i].risk += w;
      sum_[i].event += w;
    }
  }
  // the risk set's and the events' weights below, at and above rank r
  void split(int r, Split& risk, Split& events) const {
    double rb = 0.0, eb = 0.0;
    for (int i = r - 1; i > 0; i -= i & -i) {
      rb += sum_[i].risk;
      eb += sum_[i].event;
    }
    const double ra = at_[r].risk, ea = at_[r].event;
    risk = {rb, ra, risk_total_ - rb - ra};
    events = {eb, ea, event_total_ - eb - ea};
  }
  double risk_total() const { return risk_total_; }
  // the events' split of every rank 1..k at once (out[r]), in O(k)
  void event_splits(std::vector<Split>& out) const {
    out.resize(static_cast<size_t>(k_) + 1);
    double below = 0.0;
    for (int r = 1; r <= k_; ++r) {
      const double at = at_[r].event;
      out[r] = {below, at, event_total_ - below - at};
      below += at;
    }
  }

 private:
  struct Pair {
    double risk;
    double event;
  };
  int k_ = 0;
  std::vector<Pair> sum_;
  std::vector<Pair> at_;
  double risk_total_ = 0.0;
  double event_total_ = 0.0;
};

// The change in sum_j w_j z_j^2 (z_j = weight above j minus weight below j
// in the risk set) when a row of weight w enters a risk set that holds `s`
// around its rank (its own z is s.above - s.below; every z above it loses
// w, every z below gains w).
double rank_var_step(const Split& s, double w) {
  return w * (s.above * (w + 2.0 * (s.below + s.at)) +
              s.below * (w + 2.0 * (s.above + s.at)) +
              (s.above - s.below) * (s.above - s.below));
}

// The rows of `d` gathered in sort order once (sequential reads in the
// walk instead of scattered ones): stop, status, weight and the 1-based
// rank of x within the stratum block at each sort position; for
// (start, stop] data the entry order as sort positions with their starts.
struct SortedRows {
  std::vector<double> stop, status, w;
  std::vector<int> rank;
  std::vector<int> entry;  // sort positions by (stratum, start)
  std::vector<double> entry_start;
  bool counting = false;
};

// An unsigned key whose order is the order of the double v (v not NaN;
// -0 and 0 get the same key).
inline std::uint64_t order_key(double v) {
  v += 0.0;  // -0 becomes 0
  std::uint64_t u;
  std::memcpy(&u, &v, sizeof u);
  return (u & 0x8000000000000000ULL) ? ~u : (u | 0x8000000000000000ULL);
}

// A sort item: the order key of a predictor value, its sort position and
// the stratum block of that position.
struct Keyed {
  std::uint64_t key;
  int pos;
  int block;
};

// `a` sorted by (block, key), stably: an LSD radix sort, 16 bits of the
// key a pass (a pass whose digit is the same for every item is skipped),
// then a counting pass by block. Items carry their keys, so every pass
// reads sequentially.
void radix_sort(std::vector<Keyed>& a, int n_blocks) {
  const size_t m = a.size();
  constexpr int kPasses = 4;
  constexpr size_t kBuckets = size_t(1) << 16;
  std::vector<std::uint32_t> hist(kPasses * kBuckets, 0);
  for (size_t i = 0; i < m; ++i) {
    for (int j = 0; j < kPasses; ++j) {
      ++hist[j * kBuckets + ((a[i].key >> (16 * j)) & 0xFFFF)];
    }
  }
  std::vector<Keyed> tmp(m);
  for (int j = 0; j < kPasses; ++j) {
    std::uint32_t* h = hist.data() + j * kBuckets;
    if (m == 0 || h[(a[0].key >> (16 * j)) & 0xFFFF] == m) continue;
    std::uint32_t sum = 0;
    for (size_t b = 0; b < kBuckets; ++b) {
      const std::uint32_t c = h[b];
      h[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < m; ++i) {
      tmp[h[(a[i].key >> (16 * j)) & 0xFFFF]++] = a[i];
    }
    a.swap(tmp);
  }
  if (n_blocks > 1) {
    std::vector<size_t> next(static_cast<size_t>(n_blocks) + 1, 0);
    for (size_t i = 0; i < m; ++i) ++next[a[i].block + 1];
    for (int b = 0; b < n_blocks; ++b) next[b + 1] += next[b];
    for (size_t i = 0; i < m; ++i) tmp[next[a[i].block]++] = a[i];
    a.swap(tmp);
  }
}

// When the keys of `items` (in position order) take at most `limit`
// distinct values: sets rank[p] to the 1-based rank of item p's key among
// them (over all strata: a stratum's tree then has ranks it does not use,
// which costs little when the distinct values are few) and returns true;
// otherwise returns false (as soon as the limit is passed). An
// open-addressing hash table of the values, then a sort of the distinct
// values only.
bool few_distinct_ranks(const std::vector<Keyed>& items, size_t limit,
                        std::vector<int>& rank) {
  if (limit < 1) return false;
  size_t cap = 16;
  int bits = 4;
  while (cap < 2 * limit) {
    cap <<= 1;
    ++bits;
  }
  std::vector<std::uint64_t> keys(cap);
  std::vector<int> id(cap, -1);
  std::vector<std::uint64_t> distinct;
  for (size_t p = 0; p < items.size(); ++p) {
    const std::uint64_t key = items[p].key;
    size_t h = static_cast<size_t>((key * 0x9E3779B97F4A7C15ULL) >>
                                   (64 - bits));
    while (id[h] >= 0 && keys[h] != key) h = (h + 1) & (cap - 1);
    if (id[h] < 0) {
      if (distinct.size() == limit) return false;
      keys[h] = key;
      id[h] = static_cast<int>(distinct.size());
      distinct.push_back(key);
    }
    rank[p] = id[h];
  }
  std::vector<int> by_value(distinct.size());
  for (size_t j = 0; j < by_value.size(); ++j) {
    by_value[j] = static_cast<int>(j);
  }
  std::sort(by_value.begin(), by_value.end(),
            [&distinct](int a, int b) { return distinct[a] < distinct[b]; });
  std::vector<int> rank_of(distinct.size());
  for (size_t j = 0; j < by_value.size(); ++j) {
    rank_of[by_value[j]] = static_cast<int>(j) + 1;
  }
  for (size_t p = 0; p < items.size(); ++p) rank[p] = rank_of[rank[p]];
  return true;
}

// Gathers `d` into `s`; the ranks of x are computed per stratum block
// [b0, b1) of the sort order, whose number of distinct values is stored in
// n_distinct[b0].
void gather_rows(const SurvData& d, const double* x, SortedRows& s,
                 std::vector<int>& n_distinct) {
  const size_t m = static_cast<size_t>(d.m);
  s.stop.resize(m);
  s.status.resize(m);
  s.w.resize(m);
  s.rank.resize(m);
  std::vector<Keyed> items(m);
  std::vector<Index> starts;
  for (Index b0 = 0; b0 < d.m;) {
    const Index b1 = stratum_end(d, b0);
    const int b = static_cast<int>(starts.size());
    for (Index p = b0; p < b1; ++p) {
      const Index r = d.row(p);
      s.stop[p] = d.stop[r];
      s.status[p] = d.status[r];
      s.w[p] = d.w(r);
      if (std::isnan(x[r])) {
        throw std::invalid_argument("concordance: the predictor has NaN");
      }
      items[p] = {order_key(x[r]), static_cast<int>(p), b};
    }
    starts.push_back(b0);
    b0 = b1;
  }
  const int n_blocks = static_cast<int>(starts.size());
  starts.push_back(d.m);
  // few distinct values (heavy ties): ranks over all strata from a hash
  // table of the values, without sorting the rows
  const size_t limit = m / (4 * static_cast<size_t>(n_blocks));
  if (few_distinct_ranks(items, limit, s.rank)) {
    int k = 0;
    for (size_t p = 0; p < m; ++p) k = std::max(k, s.rank[p]);
    for (int b = 0; b < n_blocks; ++b) n_distinct[starts[b]] = k;
  } else {
    radix_sort(items, n_blocks);
    // items are now grouped by block in block order, each sorted by x
    for (int b = 0; b < n_blocks; ++b) {
      int k = 0;
      for (Index i = starts[b]; i < starts[b + 1]; ++i) {
        if (i == starts[b] || items[i].key != items[i - 1].key) ++k;
        s.rank[items[i].pos] = k;
      }
      n_distinct[starts[b]] = k;
    }
  }
  s.counting = d.counting();
  if (s.counting) {
    std::vector<int> pos(static_cast<size_t>(d.n), -1);
    for (size_t p = 0; p < m; ++p) {
      pos[d.row(static_cast<Index>(p))] = static_cast<int>(p);
    }
    s.entry.resize(m);
    s.entry_start.resize(m);
    for (size_t i = 0; i < m; ++i) {
      const int r = d.entry[i];
      if (pos[r] < 0) {
        throw std::invalid_argument("concordance: the entry order must hold "
                                    "the rows of the sort order");
      }
      s.entry[i] = pos[r];
      s.entry_start[i] = d.start[r];
    }
  }
}

// The walk over one stratum: sort positions [b0, b1) (of the sort order
// and of the entry order). Adds the stratum's counts (5, then the Cox
// variance sum) to `count` and the influence of its rows (by sort
// position) to ic, id, it.
class StratumWalk {
 public:
  StratumWalk(const SortedRows& s, std::vector<double>& ic,
              std::vector<double>& id, std::vector<double>& it,
              const Poll& poll)
      : s_(s), ic_(ic), id_(id), it_(it), poll_(poll) {}

  void run(Index b0, Index b1, int k, double* count) {
    tree_.reset(k);
    z2_ = 0.0;
    Index e = b1;  // entry positions [b0, e) not yet passed
    for (Index p = b1; p > b0;) {
      const double t = s_.stop[p - 1];
      Index q = p - 1;
      while (q > b0 && s_.stop[q - 1] == t) --q;
      bool any_event = false;
      for (Index i = q; i < p; ++i) {
        if (s_.status[i] == 0) {
          enter_censored(i);
        } else {
          any_event = true;
        }
        poll_.tick();
      }
      if (any_event) {
        if (s_.counting) {
          while (e > b0 && s_.entry_start[e - 1] >= t) leave(s_.entry[--e]);
        }
        events_at(q, p, count);
      }
      p = q;
    }
    // the rows still at risk at the start of time see every event: the
    // event tree is final, so its splits are read from one table
    tree_.event_splits(final_);
    if (s_.counting) {
      for (Index j = b0; j < e; ++j) {
        const Index i = s_.entry[j];
        add_influence(i, final_[s_.rank[i]], 1.0);
      }
    } else {
      for (Index i = b0; i < b1; ++i) add_influence(i, final_[s_.rank[i]], 1.0);
    }
  }

 private:
  // an event at time t: its sort position, weight, rank, and the splits of
  // the risk set and of the events at its rank before the events at t
  struct Event {
    Index pos;
    double w;
    int rank;
    Split risk;
    Split events;
  };

  // row i against events `ev` (the events of earlier times in reverse
  // time; events below its rank are concordant with it, above discordant),
  // added to its influence with sign `sign`
  void add_influence(Index i, const Split& ev, double sign) {
    ic_[i] += sign * ev.below;
    id_[i] += sign * ev.above;
    it_[i] += sign * ev.at;
  }
  // a censored row joins the risk set (in reverse time)
  void enter_censored(Index i) {
    Split risk, events;
    tree_.split(s_.rank[i], risk, events);
    add_influence(i, events, -1.0);
    const double w = s_.w[i];
    z2_ += rank_var_step(risk, w);
    tree_.add_risk(s_.rank[i], w);
  }
  // a (start, stop] row leaves it: its start is at or after the event time
  void leave(Index i) {
    Split risk, events;
    tree_.split(s_.rank[i], risk, events);
    add_influence(i, events, 1.0);
    const double w = s_.w[i];
    risk.at -= w;
    tree_.add_risk(s_.rank[i], -w);
    z2_ -= rank_var_step(risk, w);
  }

  // the events at sort positions [q, p) (one time): their pairs with the
  // risk set and their ties, then they join the risk set and the events.
  // Each tree is read once per event, before any of them joins; how they
  // change each other's splits is added from the events sorted by rank
  // (they join in that order).
  void events_at(Index q, Index p, double* count) {
    ev_.clear();
    double dwt = 0.0;
    for (Index i = q; i < p; ++i) {
      if (s_.status[i] == 0) continue;
      Event v{i, s_.w[i], s_.rank[i], {}, {}};
      tree_.split(v.rank, v.risk, v.events);
      count[3] += v.w * dwt;
      dwt += v.w;
      count[0] += v.w * v.risk.above;
      count[1] += v.w * v.risk.below;
      count[2] += v.w * v.risk.at;
      ic_[i] += v.risk.above;
      id_[i] += v.risk.below;
      it_[i] += v.risk.at;
      ev_.push_back(v);
    }
    // the events by rank, ties in position order: sorted as 64-bit keys
    // (rank, index), cheaper to move than the events
    by_rank_.resize(ev_.size());
    for (size_t j = 0; j < ev_.size(); ++j) {
      by_rank_[j] = (static_cast<std::uint64_t>(ev_[j].rank) << 32) | j;
    }
    if (by_rank_.size() > 1) std::sort(by_rank_.begin(), by_rank_.end());
    auto event = [this](size_t j) -> const Event& {
      return ev_[by_rank_[j] & 0xFFFFFFFFu];
    };
    double prev = 0.0;  // weight of the events at lower ranks
    for (size_t g0 = 0; g0 < ev_.size();) {
      size_t g1 = g0 + 1;
      double group = event(g0).w;
      while (g1 < ev_.size() && event(g1).rank == event(g0).rank) {
        group += event(g1).w;
        ++g1;
      }
      double acc = 0.0;  // weight of the group's events already joined
      for (size_t j = g0; j < g1; ++j) {
        const Event& v = event(j);
        count[4] += v.w * acc;
        // the events after all of time t's have joined
        const Split after{v.events.below + prev, v.events.at + group,
                          v.events.above + (dwt - prev - group)};
        add_influence(v.pos, after, -1.0);
        // the risk set as this event joins it
        const Split risk{v.risk.below + prev, v.risk.at + acc, v.risk.above};
        z2_ += rank_var_step(risk, v.w);
        acc += v.w;
      }
      prev += group;
      g0 = g1;
    }
    for (const Event& v : ev_) tree_.add_event(v.rank, v.w);
    if (dwt != 0.0) count[5] += dwt * z2_ / tree_.risk_total();
  }

  const SortedRows& s_;
  std::vector<double>& ic_;
  std::vector<double>& id_;
  std::vector<double>& it_;
  const Poll& poll_;
  RiskEventTree tree_;
  std::vector<Event> ev_;     // the events at the current time
  std::vector<std::uint64_t> by_rank_;  // their order by rank
  std::vector<Split> final_;  // the final event tree's split of each rank
  double z2_ = 0.0;
};

}  // namespace

ConcordanceFit concordance_fit(const SurvData& d, const double* x,
                               bool with_dfbeta, const Poll& poll) {
  check_surv_data(d, "concordance");
  if (d.counting() && !d.entry) {
    throw std::invalid_argument("concordance: (start, stop] data need the "
                                "entry order");
  }
  const size_t m = static_cast<size_t>(d.m);
  SortedRows rows;
  std::vector<int> n_distinct(m + 1, 0);
  gather_rows(d, x, rows, n_distinct);
  std::vector<double> ic(m, 0.0), id(m, 0.0), it(m, 0.0);
  ConcordanceFit out;
  out.counts = Eigen::MatrixXd::Zero(d.n_strata, 5);
  double cox_sum = 0.0;
  StratumWalk walk(rows, ic, id, it, poll);
  for (Index b0 = 0; b0 < d.m;) {
    const Index b1 = stratum_end(d, b0);
    double count[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
    walk.run(b0, b1, n_distinct[b0], count);
    count[3] -= count[4];  // tied.xy were also counted as tied.y
    const int s = d.strata[d.row(b0)];
    for (int j = 0; j < 5; ++j) out.counts(s, j) += count[j];
    cox_sum += count[5];
    b0 = b1;
  }
  const Eigen::VectorXd total = out.counts.colwise().sum();
  const double npair = total(0) + total(1) + total(2);
  const double somer = (total(0) - total(1)) / npair;
  out.concordance = (somer + 1.0) / 2.0;
  out.cox_var = cox_sum / (4.0 * npair * npair);
  if (with_dfbeta) out.dfbeta = Eigen::VectorXd::Zero(d.n);
  double var = 0.0;
  for (Index i = 0; i < d.m; ++i) {
    const double f = rows.w[i] * ((ic[i] - id[i]) / npair -
                                  (somer / npair) * (ic[i] + id[i] + it[i]));
    if (with_dfbeta) out.dfbeta(d.row(i)) = f / 2.0;
    var += f * f;
  }
  out.var = var / 4.0;
  return out;
}

}  // namespace cohortsurv
