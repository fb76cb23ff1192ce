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
// sum over event times of d(t) V(t) / (4 N^2), V(t) the weighted variance
// of the rank scores in the risk set (the score test of a Cox model on the
// ranks).
// Algorithm: each stratum is walked backward in time with two Fenwick
// (binary indexed) trees over the predictor's ranks in the stratum, one for
// the weights of the risk set and one for the weights of the events seen so
// far. A row's pairs as the longer-lived member are the events that happen
// while it is at risk: the event tree when it leaves the risk set (in
// reverse time: at the start of the walk or when a (start, stop] row's start
// is passed) minus the event tree when it enters (at its stop). Each row
// costs O(log k) for k distinct predictor values: O(n log n) in all.
#include "concordance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
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

// A Fenwick tree of weights over ranks 1..k, with the weight at each rank
// kept apart for the ties.
class RankTree {
 public:
  void reset(int k) {
    k_ = k;
    sum_.assign(static_cast<size_t>(k) + 1, 0.0);
    at_.assign(static_cast<size_t>(k) + 1, 0.0);
    total_ = 0.0;
  }
  void add(int r, double w) {
    at_[r] += w;
    total_ += w;
    for (int i = r; i <= k_; i += i & -i) sum_[i] += w;
  }
  Split split(int r) const {
    double below = 0.0;
    for (int i = r - 1; i > 0; i -= i & -i) below += sum_[i];
    const double at = at_[r];
    return {below, at, total_ - below - at};
  }
  double total() const { return total_; }

 private:
  int k_ = 0;
  std::vector<double> sum_;
  std::vector<double> at_;
  double total_ = 0.0;
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

// 1-based ranks of x within each stratum block of the sort order: rank[r]
// for row r; returns the number of distinct values of each stratum block
// in `n_distinct` (by block start position).
void stratum_ranks(const SurvData& d, const double* x, std::vector<int>& rank,
                   std::vector<int>& n_distinct) {
  std::vector<int> rows;
  for (Index b0 = 0; b0 < d.m;) {
    const Index b1 = stratum_end(d, b0);
    rows.resize(static_cast<size_t>(b1 - b0));
    for (Index i = b0; i < b1; ++i) rows[i - b0] = static_cast<int>(d.row(i));
    std::sort(rows.begin(), rows.end(),
              [x](int a, int b) { return x[a] < x[b]; });
    int k = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i == 0 || x[rows[i]] != x[rows[i - 1]]) ++k;
      rank[rows[i]] = k;
    }
    n_distinct[b0] = k;
    b0 = b1;
  }
}

// The walk over one stratum: sort positions [b0, b1) of d.order (and of
// d.entry). Adds the stratum's counts (5, then the Cox variance sum) to
// `count` and the rows' influence to ic, id, it.
class StratumWalk {
 public:
  StratumWalk(const SurvData& d, const std::vector<int>& rank,
              std::vector<double>& ic, std::vector<double>& id,
              std::vector<double>& it, const Poll& poll)
      : d_(d), rank_(rank), ic_(ic), id_(id), it_(it), poll_(poll) {}

  void run(Index b0, Index b1, int k, double* count) {
    risk_.reset(k);
    events_.reset(k);
    tied_.assign(static_cast<size_t>(k) + 1, 0.0);
    z2_ = 0.0;
    Index e = b1;  // entry positions [b0, e) not yet passed
    for (Index p = b1; p > b0;) {
      const double t = d_.stop[d_.row(p - 1)];
      Index q = p - 1;
      while (q > b0 && d_.stop[d_.row(q - 1)] == t) --q;
      bool any_event = false;
      for (Index i = q; i < p; ++i) {
        const Index r = d_.row(i);
        if (d_.status[r] == 0) {
          enter(r);
        } else {
          any_event = true;
        }
        poll_.tick();
      }
      if (any_event) {
        if (d_.counting()) {
          while (e > b0 && d_.start[d_.entry[e - 1]] >= t) leave(d_.entry[--e]);
        }
        events_at(q, p, count);
      }
      p = q;
    }
    if (d_.counting()) {
      for (Index i = b0; i < e; ++i) finish(d_.entry[i]);
    } else {
      for (Index i = b0; i < b1; ++i) finish(d_.row(i));
    }
  }

 private:
  // the event tree seen by row r, added with sign `sign` to its influence:
  // events below its rank are concordant with it, above discordant
  void influence(Index r, double sign) {
    const Split s = events_.split(rank_[r]);
    ic_[r] += sign * s.below;
    id_[r] += sign * s.above;
    it_[r] += sign * s.at;
  }
  // row r joins the risk set (in reverse time)
  void enter(Index r) {
    influence(r, -1.0);
    const double w = d_.w(r);
    z2_ += rank_var_step(risk_.split(rank_[r]), w);
    risk_.add(rank_[r], w);
  }
  // a (start, stop] row leaves it: its start is at or after the event time
  void leave(Index r) {
    finish(r);
    const double w = d_.w(r);
    risk_.add(rank_[r], -w);
    z2_ -= rank_var_step(risk_.split(rank_[r]), w);
  }
  void finish(Index r) { influence(r, 1.0); }

  // the events at sort positions [q, p) (one time): their pairs with the
  // risk set, their ties, then they join the risk set
  void events_at(Index q, Index p, double* count) {
    double dwt = 0.0;
    for (Index i = q; i < p; ++i) {
      const Index r = d_.row(i);
      if (d_.status[r] == 0) continue;
      const double w = d_.w(r);
      const int k = rank_[r];
      count[3] += w * dwt;
      dwt += w;
      count[4] += w * tied_[k];
      tied_[k] += w;
      const Split s = risk_.split(k);
      count[0] += w * s.above;
      count[1] += w * s.below;
      count[2] += w * s.at;
      ic_[r] += s.above;
      id_[r] += s.below;
      it_[r] += s.at;
      events_.add(k, w);
    }
    for (Index i = q; i < p; ++i) {
      const Index r = d_.row(i);
      if (d_.status[r] == 0) continue;
      tied_[rank_[r]] = 0.0;
      enter(r);
    }
    if (dwt != 0.0) count[5] += dwt * z2_ / risk_.total();
  }

  const SurvData& d_;
  const std::vector<int>& rank_;
  std::vector<double>& ic_;
  std::vector<double>& id_;
  std::vector<double>& it_;
  const Poll& poll_;
  RankTree risk_;
  RankTree events_;
  std::vector<double> tied_;  // event weight per rank at the current time
  double z2_ = 0.0;
};

}  // namespace

ConcordanceFit concordance_fit(const SurvData& d, const double* x,
                               const Poll& poll) {
  check_surv_data(d, "concordance");
  if (d.counting() && !d.entry) {
    throw std::invalid_argument("concordance: (start, stop] data need the "
                                "entry order");
  }
  for (Index i = 0; i < d.m; ++i) {
    if (std::isnan(x[d.row(i)])) {
      throw std::invalid_argument("concordance: the predictor has NaN");
    }
  }
  const size_t n = static_cast<size_t>(d.n);
  std::vector<int> rank(n, 0);
  std::vector<int> n_distinct(static_cast<size_t>(d.m) + 1, 0);
  stratum_ranks(d, x, rank, n_distinct);
  std::vector<double> ic(n, 0.0), id(n, 0.0), it(n, 0.0);
  ConcordanceFit out;
  out.counts = Eigen::MatrixXd::Zero(d.n_strata, 5);
  double cox_sum = 0.0;
  StratumWalk walk(d, rank, ic, id, it, poll);
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
  out.dfbeta = Eigen::VectorXd::Zero(d.n);
  double var = 0.0;
  for (Index i = 0; i < d.m; ++i) {
    const Index r = d.row(i);
    const double f = d.w(r) * ((ic[r] - id[r]) / npair -
                               (somer / npair) * (ic[r] + id[r] + it[r]));
    out.dfbeta(r) = f / 2.0;
    var += f * f;
  }
  out.var = var / 4.0;
  return out;
}

}  // namespace cohortsurv
