// Stratified Cox proportional-hazards regression: Newton-Raphson on the log
// partial likelihood with Breslow or Efron handling of tied event times,
// for right-censored and counting-process (start, stop] data with case
// weights and offsets; the per-row quantities behind martingale, score,
// Schoenfeld and dfbeta residuals; the baseline hazard; the Grambsch-Therneau
// test of proportional hazards.
//
// Inputs: a CoxData view (cox.h), whose rows are stored sorted by stratum,
//   then by stop time (by R's surv_sorted(), or for the Newton fit by
//   newton_rows() here, from the unsorted SurvData and its order): stop, 0/1
//   status, weights > 0 (null: all 1), offsets (null: all 0), 0-based
//   strata (non-decreasing) and, for counting-process data, start and the
//   entry positions sorted by stratum then start; and
//   x                               n x p design (no intercept) in the
//                                   caller's row order, read through the
//                                   0-based sort order (cox_newton(),
//                                   cox_residuals(), cox_zph_test()).
// Outputs: see each kernel below and in cox.h.
// Method: Cox (1972) JRSS-B 34:187-220; Breslow (1974) Biometrics 30:89-99;
//   Efron (1977) JASA 72:557-565; Therneau & Grambsch (2000), Modeling
//   Survival Data, chapters 3, 6 and 7 and appendix E; Grambsch & Therneau
//   (1994) Biometrika 81:515-526. The iteration, convergence rule and
//   singularity tolerance follow survival::coxph so that results agree.
// Cost per Newton iteration: right-censored data, one backward pass per
//   stratum (NewtonSweep) with running sums of w exp(eta), w exp(eta) x and
//   w exp(eta) x x' as coxfit6 keeps them (O(n p^2), each row read once);
//   counting-process data, the linear predictor and cox_sweep(), whose
//   information is X' diag(w exp(eta) c) X (c_i the Efron-corrected
//   baseline hazard accumulated while row i is at risk) minus the sum over
//   death times of the weighted outer products of the risk-set means. For
//   p <= 12 the loops over covariates have a compile-time length
//   (with_fixed_p()).

#include <Eigen/Dense>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#if defined(__linux__)
#include <sys/mman.h>
#endif
#if defined(_WIN32)
#include <malloc.h>
#endif
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>


#include "cox.h"

// x86-64 compilers that know target attributes (GCC, clang) build an AVX2
// kernel beside the baseline one when the baseline lacks AVX2; which one
// runs is decided at run time (simd_avx2()).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__AVX2__)
#define CS_AVX2_PATH 1
#include <immintrin.h>
#define CS_AVX2_FUNCTION __attribute__((target("avx2,fma"))) __attribute__((noinline))
#define CS_AVX2_INLINE __attribute__((target("avx2,fma"))) __attribute__((always_inline)) inline
#else
#define CS_AVX2_PATH 0
#endif

namespace cohortsurv {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// The number of covariates: a compile-time constant when P >= 0 (the sweep
// is instantiated for p = 0..kFixedP, so that its per-row loops unroll and
// vectorise), read at run time when P < 0.
constexpr int kFixedP = 12;
constexpr double kLn2 = 0.693147180559945309417232121458;
// The widest range of linear predictors within a stratum that cox_sweep()
// (a shift per stratum) sums without underflow: exp(-650) is far above the
// smallest normal double. R's check_eta_span() uses the same limit.
constexpr double kEtaSpanMax = 650.0;
#if CS_AVX2_PATH
// Whether moments(), exp_shifted() and efron_sums() may use their AVX2
// kernels: the processor (and the operating system) support AVX2 and FMA,
// and cox_set_simd() has not turned it off (the tests do, to check the baseline kernel on the same machine).
bool simd_allowed = true;
bool simd_avx2() {
  static const bool has = __builtin_cpu_supports("avx2") &&
                          __builtin_cpu_supports("fma");
  return has && simd_allowed;
}
#endif

template <int P>
inline Index dim(Index p) {
  return P >= 0 ? static_cast<Index>(P) : p;
}
// The leading dimension of the Newton sweep's p x p sums when p > kFixedP:
// p rounded up to a multiple of 4 (the AVX2 kernel's tiles).
inline Index padded_dim(Index p) { return (p + 3) / 4 * 4; }

// y += c x, on p values (with a fixed p, Eigen's unrolled packet code).
template <int P>
EIGEN_ALWAYS_INLINE void axpy_p(double* y, Index p_run, double c, const double* x) {
  if (P > 0) {
    using V = Eigen::Matrix<double, (P > 0 ? P : 1), 1>;
    Eigen::Map<V>(y).noalias() += c * Eigen::Map<const V>(x);
  } else {
    const Index p = dim<P>(p_run);
    for (Index q = 0; q < p; ++q) y[q] += c * x[q];
  }
}

// acc (p x p, column-major) += w v v': with a fixed p the whole square
// (packet code, column by column), else the lower triangle only.
template <int P>
EIGEN_ALWAYS_INLINE void syr_lower(double* acc, Index p_run, double w, const double* v) {
  if (P > 0) {
    constexpr int Q = P > 0 ? P : 1;
    using V = Eigen::Matrix<double, Q, 1>;
    const V wv = w * Eigen::Map<const V>(v);
    Eigen::Map<Eigen::Matrix<double, Q, Q>> a(acc);
    for (int j = 0; j < Q; ++j) a.col(j).noalias() += v[j] * wv;
  } else {
    const Index p = dim<P>(p_run);
    for (Index a = 0; a < p; ++a) {
      const double t = w * v[a];
      double* col = acc + a * p;
      for (Index b = a; b < p; ++b) col[b] += t * v[b];
    }
  }
}

// The scalar sums of Efron's approximation at a time with d tied deaths
// (d >= 2), den_l = s0 - f_l e0, f_l = l / d: q0 = sum 1/den_l,
// q1 = sum f_l/den_l, r0 = sum 1/den_l^2, r1 = sum f_l/den_l^2,
// r2 = sum f_l^2/den_l^2, and log_den = sum log(den_l), taken as the log of
// the product of the den_l, brought back by an exact power of two whenever
// it leaves [2^-500, 2^500] (one log per time, not per death: on heavily
// tied data the logs were a tenth of the sweep; a den_l outside that range
// has its own log).
// With m the weight of each death, m sum_l a_l a_l' (a_l the risk-set mean
// for den_l) = m [S1 E1] [[r0, -r1], [-r1, r2]] [S1 E1]', written as two
// rank-one terms (the LDL' of the 2 x 2 middle): d1 (S1 - c E1)(...)' +
// d2 E1 E1', d2 kept >= 0 against rounding.
struct EfronSums {
  double q0 = 0.0, q1 = 0.0, r0 = 0.0, r1 = 0.0, r2 = 0.0, log_den = 0.0;
  struct RankOne {
    double d1, c, d2;
  };
  RankOne rank_one(double m) const {
    const double c = r1 / r0;
    return {m * r0, c, std::max(m * (r2 - r1 * c), 0.0)};
  }
};
// Deaths l0..d-1 of the sums above, one by one, added to `out`, the
// product of their den_l carried on from prod * 2^expo (a den_l outside
// [2^-500, 2^500] has its own log); sets out.log_den.
inline void efron_sums_from(double s0, double e0, int d, int l0, double prod,
                            int expo, EfronSums& out) {
  constexpr double lo = 0x1p-500, hi = 0x1p+500;
  double logs = 0.0;
  for (int l = l0; l < d; ++l) {
    const double f = static_cast<double>(l) / d;
    const double den = s0 - f * e0;
    const double inv = 1.0 / den;
    if (den > lo && den < hi) {
      prod *= den;
      if (!(prod > lo && prod < hi)) {
        int e;
        prod = std::frexp(prod, &e);
        expo += e;
      }
    } else {
      logs += std::log(den);
    }
    out.q0 += inv;
    out.q1 += f * inv;
    out.r0 += inv * inv;
    out.r1 += f * inv * inv;
    out.r2 += f * f * inv * inv;
  }
  out.log_den = std::log(prod) + expo * kLn2 + logs;
}
inline EfronSums efron_sums_scalar(double s0, double e0, int d) {
  EfronSums out;
  efron_sums_from(s0, e0, d, 0, 1.0, 0, out);
  return out;
}

#if CS_AVX2_PATH
// The sum of a packet's four values.
CS_AVX2_INLINE double hsum_avx2(__m256d v) {
  alignas(32) double lane[4];
  _mm256_store_pd(lane, v);
  return (lane[0] + lane[1]) + (lane[2] + lane[3]);
}
// efron_sums() four deaths at a time, the lanes taking l = 4j, 4j + 1,
// 4j + 2, 4j + 3 (one vector division per four deaths, where the scalar
// loop's divisions were a tenth of a sweep at p = 10 on heavily tied
// data), with f_l = l * (1/d). Only when every den_l lies within
// [2^-500, 2^500]: they fall with l, so den_0 = s0 and den_{d-1} decide;
// otherwise false, and efron_sums_scalar() does the time. Each lane keeps a
// product of its den_l, brought back into range by frexp() whenever one
// leaves it; the lanes' products are joined at the end, and the last
// d mod 4 deaths done one by one (efron_sums_from()).
CS_AVX2_FUNCTION bool efron_sums_avx2(double s0, double e0, int d,
                                      EfronSums& out) {
  constexpr double lo = 0x1p-500, hi = 0x1p+500;
  const double inv_d = 1.0 / d;
  const double den_last = s0 - ((d - 1) * inv_d) * e0;
  if (!(den_last > lo && s0 < hi)) return false;
  const __m256d vs0 = _mm256_set1_pd(s0), ve0 = _mm256_set1_pd(e0);
  const __m256d vinv_d = _mm256_set1_pd(inv_d), one = _mm256_set1_pd(1.0);
  const __m256d vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
  __m256d l = _mm256_setr_pd(0.0, 1.0, 2.0, 3.0);
  const __m256d four = _mm256_set1_pd(4.0);
  __m256d q0 = _mm256_setzero_pd(), q1 = q0, r0 = q0, r1 = q0, r2 = q0;
  __m256d prod = one;
  int expo = 0;
  alignas(32) double lane[4];
  int k = 0;
  for (; k + 4 <= d; k += 4) {
    const __m256d f = _mm256_mul_pd(l, vinv_d);
    const __m256d den = _mm256_fnmadd_pd(f, ve0, vs0);
    const __m256d inv = _mm256_div_pd(one, den);
    const __m256d inv2 = _mm256_mul_pd(inv, inv);
    const __m256d f_inv2 = _mm256_mul_pd(f, inv2);
    q0 = _mm256_add_pd(q0, inv);
    q1 = _mm256_fmadd_pd(f, inv, q1);
    r0 = _mm256_add_pd(r0, inv2);
    r1 = _mm256_add_pd(r1, f_inv2);
    r2 = _mm256_fmadd_pd(f, f_inv2, r2);
    prod = _mm256_mul_pd(prod, den);
    const __m256d off = _mm256_or_pd(_mm256_cmp_pd(prod, vlo, _CMP_LT_OQ),
                                     _mm256_cmp_pd(prod, vhi, _CMP_GT_OQ));
    if (_mm256_movemask_pd(off) != 0) {
      _mm256_store_pd(lane, prod);
      for (double& v : lane) {
        int e;
        v = std::frexp(v, &e);
        expo += e;
      }
      prod = _mm256_load_pd(lane);
    }
    l = _mm256_add_pd(l, four);
  }
  // the lanes' sums, and their products joined (each in [1/2, 1) after
  // frexp(), so their product stays in range)
  out.q0 = hsum_avx2(q0);
  out.q1 = hsum_avx2(q1);
  out.r0 = hsum_avx2(r0);
  out.r1 = hsum_avx2(r1);
  out.r2 = hsum_avx2(r2);
  _mm256_store_pd(lane, prod);
  double p = 1.0;
  for (const double v : lane) {
    int e;
    p *= std::frexp(v, &e);
    expo += e;
  }
  efron_sums_from(s0, e0, d, k, p, expo, out);
  return true;
}
#endif

// The Efron sums of a time: efron_sums_avx2() where the AVX2 kernels run
// and d >= 8, else efron_sums_scalar().
inline EfronSums efron_sums(double s0, double e0, int d) {
#if CS_AVX2_PATH
  if (d >= 8 && simd_avx2()) {
    EfronSums out;
    if (efron_sums_avx2(s0, e0, d, out)) return out;
  }
#endif
  return efron_sums_scalar(s0, e0, d);
}

// Accumulates sum_j w_j v_j v_j' (w_j >= 0) in the lower triangle: for
// p <= kFixedP directly (syr_lower<P>), otherwise by blocks of columns
// sqrt(w_j) v_j and a vectorised rank-k update.
template <int P>
class RankAccumulator {
 public:
  explicit RankAccumulator(Index p, Index block = 512)
      : p_(p), small_(P >= 0), buf_(small_ ? 0 : p, small_ ? 0 : block),
        acc_(MatrixXd::Zero(p, p)), count_(0) {}
  EIGEN_ALWAYS_INLINE void add(double w, const double* v) {
    if (p_ == 0 || w == 0.0) return;
    if (small_) {
      syr_lower<P>(acc_.data(), p_, w, v);
      return;
    }
    const double sw = std::sqrt(w);
    double* col = buf_.col(count_++).data();
    for (Index a = 0; a < p_; ++a) col[a] = sw * v[a];
    if (count_ == buf_.cols()) flush();
  }
  MatrixXd result() {
    flush();
    MatrixXd out = acc_.selfadjointView<Eigen::Lower>();
    return out;
  }

 private:
  void flush() {
    if (count_ > 0) {
      acc_.selfadjointView<Eigen::Lower>().rankUpdate(buf_.leftCols(count_));
      count_ = 0;
    }
  }
  Index p_;
  bool small_;
  MatrixXd buf_;
  MatrixXd acc_;
  Index count_;
};

void check_data(const CoxData& d) {
  for (Index i = 1; i < d.n; ++i) {
    if (d.strata[i] < d.strata[i - 1] ||
        (d.strata[i] == d.strata[i - 1] && d.stop[i] < d.stop[i - 1])) {
      throw std::invalid_argument("cox: rows must be sorted by stratum, "
                                  "then by time");
    }
  }
}

// The stratum that starts at row b0 (stratum_end(), the walker of every
// kernel): returns the end of its block of rows and sets mx to the largest
// linear predictor in it (0 when none is finite), by which exp(eta) is
// scaled so that it cannot overflow.
Index stratum_block(const CoxData& d, const VectorXd& eta, Index b0,
                    double& mx) {
  const Index b1 = stratum_end(d, b0);
  mx = -std::numeric_limits<double>::infinity();
  for (Index i = b0; i < b1; ++i) mx = std::max(mx, eta[i]);
  if (!std::isfinite(mx)) mx = 0.0;
  return b1;
}

// The risk sets of the stratum in rows [b0, b1), visited backward in time.
// At each distinct stop time t: (counting process) each row whose start is
// >= t leaves, leave(j), in the order of d.entry, and empty() is called if
// the risk set is then empty, so that running sums restart at an exact
// zero; then the rows with stop == t enter, enter(i) with i descending;
// then at_time(t, lo, hi) with the rows lo..hi that just entered. Both
// cox_sweep() and cox_zph() keep their running sums through these calls.
template <class Leave, class Empty, class Enter, class AtTime>
void walk_risk_sets(const CoxData& d, Index b0, Index b1, const Poll& poll,
                    Leave leave, Empty empty, Enter enter, AtTime at_time) {
  const bool counting = d.start != nullptr;
  Index nrisk = 0;
  Index i = b1 - 1, k = b1 - 1;
  while (i >= b0) {
    const double t = d.stop[i];
    if (counting) {
      while (k >= b0 && d.start[d.entry[k]] >= t) {
        leave(static_cast<Index>(d.entry[k]));
        --nrisk;
        --k;
      }
      if (nrisk == 0) empty();
    }
    const Index hi = i;
    while (i >= b0 && d.stop[i] == t) {
      poll.tick();
      enter(i);
      ++nrisk;
      --i;
    }
    at_time(t, i + 1, hi);
  }
}

// The per-time hazard increments of one stratum as cox_sweep() collects
// them (indexed backward in time) and the time index at which each row
// entered (kadd) and left (kout, counting process; -1 if never) the risk
// set.
struct StratumHazard {
  const std::vector<double>& hz;   // h_k
  const std::vector<double>& gz;   // g_k, the part a death keeps back
  const std::vector<double>& hxz;  // p per time (score residuals)
  const std::vector<double>& gxz;
  const std::vector<int>& kadd;
  const std::vector<int>& kout;
};

// For the rows [b0, b1) of one stratum: c_i, the hazard accrued while at
// risk (and with score residuals B_i), from cumulative sums forward in
// time: cum[k] = sum of h over times at or before time k (indices >= k),
// cum[K] = 0. c_i is stored when `store_c`, and with `part1` given (the
// information) w_i exp(eta_i) c_i x_i x_i' is added to it. `cum` and
// `cumx` are work space; xd is xt's data (p values per row).
template <int P>
void accrue_hazard(const CoxData& d, Index b0, Index b1, Index p_run,
                   bool store_c, bool score_resid, const StratumHazard& sh,
                   const double* xd, const double* wr,
                   RankAccumulator<P>* part1, std::vector<double>& cum,
                   std::vector<double>& cumx, SweepResult& out) {
  const Index p = dim<P>(p_run);
  const bool counting = d.start != nullptr;
  const Index kk = static_cast<Index>(sh.hz.size());
  cum.assign(kk + 1, 0.0);
  for (Index q = kk - 1; q >= 0; --q) cum[q] = cum[q + 1] + sh.hz[q];
  if (score_resid) {
    cumx.assign((kk + 1) * p, 0.0);
    for (Index q = kk - 1; q >= 0; --q) {
      for (Index a2 = 0; a2 < p; ++a2) {
        cumx[q * p + a2] = cumx[(q + 1) * p + a2] + sh.hxz[q * p + a2];
      }
    }
  }
  for (Index j = b0; j < b1; ++j) {
    const Index ka = sh.kadd[j];
    const Index ko = (counting && sh.kout[j] >= 0) ? sh.kout[j] : kk;
    double c = cum[ka] - cum[ko];
    const bool dead = d.status[j] != 0.0;
    if (dead) c -= sh.gz[ka];
    if (store_c) out.cumhaz[j] = c;
    if (part1) part1->add(std::max(wr[j] * c, 0.0), xd + j * p);
    if (score_resid) {
      for (Index a2 = 0; a2 < p; ++a2) {
        double b = cumx[ka * p + a2] - cumx[ko * p + a2];
        if (dead) b -= sh.gxz[ka * p + a2];
        out.bsum(a2, j) = b;
      }
    }
  }
}

// The per-time output was collected backward within each stratum: put it
// in time order.
void reverse_per_time(SweepResult& out) {
  Index lo = 0;
  const Index m = static_cast<Index>(out.t_time.size());
  while (lo < m) {
    Index hi = lo;
    while (hi < m && out.t_strata[hi] == out.t_strata[lo]) ++hi;
    std::reverse(out.t_time.begin() + lo, out.t_time.begin() + hi);
    std::reverse(out.t_nrisk.begin() + lo, out.t_nrisk.begin() + hi);
    std::reverse(out.t_nevent.begin() + lo, out.t_nevent.begin() + hi);
    std::reverse(out.t_hazard.begin() + lo, out.t_hazard.begin() + hi);
    lo = hi;
  }
}

// ---------------------------------------------------------------------------
// The sweep: log partial likelihood and what `want` asks for at eta.
//
// Going backward in time within a stratum, a row enters the risk set at its
// stop time and (counting process) leaves it once the time falls to its
// start time or below. At a time with d deaths of total weight dw the
// Efron denominators are den_l = S0 - (l/d) e0, l = 0..d-1, each death
// getting weight m = dw/d (Breslow: one denominator S0 with weight dw).
// The hazard increment is h = sum_l m/den_l; a death at that time keeps
// only sum_l m (1 - l/d)/den_l of it (h - g). T is the running sum of h
// over the times already passed (all later than the current one), so the
// hazard row i accumulates while at risk is T(leave) - T(enter).
// Inputs: d (sorted rows, preconditions of cox.h), xt (p x n covariates in
// sorted order, centred), eta (n). Outputs: SweepResult (cox.h), written
// into `out`, whose buffers are reused. P is p when p <= kFixedP (the loops
// over covariates then have a fixed length), -1 otherwise.
// Length (stated reason for more than 80 lines): the running sums of a
// stratum are shared by the four closures walk_risk_sets() calls; the
// accrual per row and the time ordering are helpers (accrue_hazard(),
// reverse_per_time()).
// ---------------------------------------------------------------------------
template <int P>
void sweep_impl(const CoxData& d, const XtRef& xt, const VectorXd& eta,
                const SweepWant& want, const Poll& poll, SweepResult& out) {
  const Index n = d.n, p = dim<P>(xt.rows());
  const bool counting = d.start != nullptr;
  const bool store_c = want.cumhaz || want.score_resid;
  const bool need_c = store_c || want.info;
  out.loglik = 0.0;
  if (want.score) out.score.setZero(p);
  const bool sum_deaths = want.score && !want.death_xsum;
  if (want.score && want.death_xsum) {
    out.score = Eigen::Map<const VectorXd>(want.death_xsum, p);
  }
  VectorXd& wr = out.wr;
  wr.resize(n);
  out.shift.assign(d.n_strata, 0.0);
  if (store_c) {
    out.cumhaz.setZero(n);
  } else {
    out.cumhaz.resize(0);
  }
  if (want.score_resid) {
    out.bsum.setZero(p, n);
    out.abar.setZero(p, n);
  }
  out.t_strata.clear();
  out.t_time.clear();
  out.t_nrisk.clear();
  out.t_nevent.clear();
  out.t_hazard.clear();
  // Per stratum, the hazard increments h_k (and the death corrections g_k)
  // of its distinct times, indexed backward (k = 0 the latest); each row
  // records the index of its stop time (kadd) and the number of times
  // passed when it left the risk set (kout). The hazard it accrues is then
  // G[kadd] - G[kout], G the cumulative sum forward in time: summing the
  // small early increments first keeps c_i exact even when late risk sets
  // are tiny (a difference of backward tail sums would not be).
  std::vector<int>& kadd = out.kadd;
  std::vector<int>& kout = out.kout;
  if (need_c) {
    kadd.resize(n);
    if (counting) kout.assign(n, -1);
  }
  std::vector<double> hz, gz, cum;
  std::vector<double> hxz, gxz, cumx;  // p per time (score residuals)
  RankAccumulator<P> part1(want.info ? p : 0), part2(want.info ? p : 0);

  // running sums of p values: on the stack, with unrolled arithmetic, when
  // p is fixed
  using Vec = Eigen::Matrix<double, (P >= 0 ? P : Eigen::Dynamic), 1>;
  Vec s1 = Vec::Zero(p), e1 = Vec::Zero(p), a = Vec::Zero(p);
  Vec hxa = Vec::Zero(p), gxa = Vec::Zero(p), abar = Vec::Zero(p);
  double loglik = 0.0;
  const double* xd = xt.data();
  double* s1p = s1.data();
  double* e1p = e1.data();
  auto row = [xd, p](Index i) { return xd + i * p; };

  Index b0 = 0;
  while (b0 < n) {
    const int s = d.strata[b0];
    double mx;
    const Index b1 = stratum_block(d, eta, b0, mx);
    // w exp(eta - mx) over the block at once (Eigen's vectorised exp)
    const Index len = b1 - b0;
    if (d.weight) {
      wr.segment(b0, len).array() =
          Eigen::Map<const Eigen::ArrayXd>(d.weight + b0, len) *
          (eta.segment(b0, len).array() - mx).exp();
    } else {
      wr.segment(b0, len).array() = (eta.segment(b0, len).array() - mx).exp();
    }
    out.shift[s] = mx;
    double s0 = 0.0, w0 = 0.0;
    s1.setZero();
    hz.clear();
    gz.clear();
    hxz.clear();
    gxz.clear();
    auto leave = [&](Index j) {
      s0 -= wr[j];
      if (want.per_time) w0 -= d.w(j);
      axpy_p<P>(s1p, p, -wr[j], row(j));
      if (need_c) kout[j] = static_cast<int>(hz.size());
    };
    auto empty = [&] {
      s0 = 0.0;
      w0 = 0.0;
      s1.setZero();
    };
    auto enter = [&](Index i) {
      s0 += wr[i];
      if (want.per_time) w0 += d.w(i);
      axpy_p<P>(s1p, p, wr[i], row(i));
      if (need_c) kadd[i] = static_cast<int>(hz.size());
    };
    auto at_time = [&](double t, Index lo, Index hi) {
      int dcount = 0;
      double dw = 0.0, e0 = 0.0;
      e1.setZero();
      for (Index i = hi; i >= lo; --i) {
        if (d.status[i] == 0.0) continue;
        const double wi = d.w(i);
        ++dcount;
        dw += wi;
        e0 += wr[i];
        axpy_p<P>(e1p, p, wr[i], row(i));
        loglik += wi * (eta[i] - mx);
        if (sum_deaths) axpy_p<P>(out.score.data(), p, wi, row(i));
      }
      if (dcount == 0) {
        if (need_c) {
          hz.push_back(0.0);
          gz.push_back(0.0);
          if (want.score_resid) {
            hxz.insert(hxz.end(), p, 0.0);
            gxz.insert(gxz.end(), p, 0.0);
          }
        }
        if (want.per_time) {
          out.t_strata.push_back(s);
          out.t_time.push_back(t);
          out.t_nrisk.push_back(w0);
          out.t_nevent.push_back(0.0);
          out.t_hazard.push_back(0.0);
        }
        return;
      }
      double h = 0.0, g = 0.0;
      if (!d.efron || dcount == 1) {
        const double den = s0;
        a = s1 / den;
        loglik -= dw * std::log(den);
        if (want.score) out.score.noalias() -= dw * a;
        h = dw / den;
        if (want.info) part2.add(dw, a.data());
        if (want.score_resid) {
          hxa = h * a;
          gxa.setZero();
          abar = a;
        }
      } else {
        // With a_l = (S1 - f_l E1) / den_l every sum over the d tied deaths
        // is a combination of S1 and E1 with scalar sums of powers of
        // 1/den_l and f_l: no vector work per death.
        const double m = dw / dcount;
        const EfronSums es = efron_sums(s0, e0, dcount);
        const double q0 = es.q0, q1 = es.q1, r0 = es.r0, r1 = es.r1,
                     r2 = es.r2;
        loglik -= m * es.log_den;
        h = m * q0;
        g = m * q1;
        if (want.score) {
          out.score.noalias() -= (m * q0) * s1;
          out.score.noalias() += (m * q1) * e1;
        }
        if (want.info) {
          // m sum_l a_l a_l' as two rank-one terms (EfronSums::rank_one())
          const EfronSums::RankOne ro = es.rank_one(m);
          a = s1 - ro.c * e1;
          part2.add(ro.d1, a.data());
          part2.add(ro.d2, e1.data());
        }
        if (want.score_resid) {
          // sum_l (m/den) a_l, sum_l (m f/den) a_l, mean of a_l
          hxa = m * (r0 * s1 - r1 * e1);
          gxa = m * (r1 * s1 - r2 * e1);
          abar = (q0 * s1 - q1 * e1) / dcount;
        }
      }
      if (need_c) {
        hz.push_back(h);
        gz.push_back(g);
        if (want.score_resid) {
          hxz.insert(hxz.end(), hxa.data(), hxa.data() + p);
          gxz.insert(gxz.end(), gxa.data(), gxa.data() + p);
          for (Index j = lo; j <= hi; ++j) {
            if (d.status[j] != 0.0) out.abar.col(j) = abar;
          }
        }
      }
      if (want.per_time) {
        out.t_strata.push_back(s);
        out.t_time.push_back(t);
        out.t_nrisk.push_back(w0);
        out.t_nevent.push_back(dw);
        out.t_hazard.push_back(h * std::exp(-mx));
      }
    };
    walk_risk_sets(d, b0, b1, poll, leave, empty, enter, at_time);
    if (need_c) {
      // X' diag(w exp(eta) c) X, the first part of the information, is
      // accumulated row by row as c_i becomes known (no second pass)
      const StratumHazard sh{hz, gz, hxz, gxz, kadd, kout};
      accrue_hazard<P>(d, b0, b1, p, store_c, want.score_resid, sh, xd,
                       wr.data(), want.info ? &part1 : nullptr, cum, cumx,
                       out);
    }
    b0 = b1;
  }
  out.loglik = loglik;
  if (want.info) out.info = part1.result() - part2.result();
  if (want.per_time) reverse_per_time(out);
}

template <int P>
struct Sweep {
  static void run(const CoxData& d, const XtRef& xt, const VectorXd& eta,
                  const SweepWant& want, const Poll& poll, SweepResult& out) {
    sweep_impl<P>(d, xt, eta, want, poll, out);
  }
};

// eta = offset + xt' b (n values): a dot product of p values per row.
template <int P>
struct LinearPredictor {
  static void run(const CoxData& d, const XtRef& xt, const VectorXd& b,
                  VectorXd& eta) {
    const Index n = xt.cols(), p = dim<P>(xt.rows());
    const double* xd = xt.data();
    if (P > 0) {
      using V = Eigen::Matrix<double, (P > 0 ? P : 1), 1>;
      const V bf = Eigen::Map<const V>(b.data());
      for (Index i = 0; i < n; ++i) {
        eta[i] = d.off(i) + Eigen::Map<const V>(xd + i * p).dot(bf);
      }
    } else {
      const double* bd = b.data();
      for (Index i = 0; i < n; ++i) {
        const double* xi = xd + i * p;
        double v = d.off(i);
        for (Index j = 0; j < p; ++j) v += xi[j] * bd[j];
        eta[i] = v;
      }
    }
  }
};

// F<p>::run(args...) with p a compile-time constant when p <= kFixedP,
// else F<-1> (p read at run time).
template <template <int> class F, class... Args>
void with_fixed_p(Index p, Args&&... args) {
  static_assert(kFixedP == 12, "one case per fixed p below");
  switch (p) {
    case 0: F<0>::run(std::forward<Args>(args)...); return;
    case 1: F<1>::run(std::forward<Args>(args)...); return;
    case 2: F<2>::run(std::forward<Args>(args)...); return;
    case 3: F<3>::run(std::forward<Args>(args)...); return;
    case 4: F<4>::run(std::forward<Args>(args)...); return;
    case 5: F<5>::run(std::forward<Args>(args)...); return;
    case 6: F<6>::run(std::forward<Args>(args)...); return;
    case 7: F<7>::run(std::forward<Args>(args)...); return;
    case 8: F<8>::run(std::forward<Args>(args)...); return;
    case 9: F<9>::run(std::forward<Args>(args)...); return;
    case 10: F<10>::run(std::forward<Args>(args)...); return;
    case 11: F<11>::run(std::forward<Args>(args)...); return;
    case 12: F<12>::run(std::forward<Args>(args)...); return;
    default: F<-1>::run(std::forward<Args>(args)...); return;
  }
}

// Asks for the cache lines of the row kPrefetchBytes before z (a backward
// sweep reads it soon): the hardware prefetcher alone left the sweep
// waiting on memory. The address is computed as an integer (it may lie
// before the buffer: a prefetch never faults).
constexpr std::uintptr_t kPrefetchBytes = 4096;
EIGEN_ALWAYS_INLINE void prefetch_back(const double* z, Index p) {
#if defined(__GNUC__)
  const std::uintptr_t q = reinterpret_cast<std::uintptr_t>(z) - kPrefetchBytes;
  const std::uintptr_t bytes = static_cast<std::uintptr_t>(p) * sizeof(double);
  for (std::uintptr_t o = 0; o < bytes; o += 64) {
    __builtin_prefetch(reinterpret_cast<const void*>(q + o), 0, 3);
  }
#else
  (void)z;
  (void)p;
#endif
}

// v[k] = exp(v[k] - shift) for k in [from, to), by the C library.
inline void exp_shifted_libm(double* v, Index from, Index to, double shift) {
  for (Index k = from; k < to; ++k) v[k] = std::exp(v[k] - shift);
}

namespace pk = Eigen::internal;
using Packet = pk::packet_traits<double>::type;
constexpr int kPacket = pk::packet_traits<double>::size;

// Columns J and J + 1 of GramPair: rows J..P-1 of each, L = P - J
// values, NP whole packets (I = 0..NP-1, unrolled by the fold expressions)
// and R = L % kPacket values after them. Row J of column J + 1 (above the
// diagonal) is summed and dropped.
template <int P, int J, std::size_t... I>
EIGEN_ALWAYS_INLINE void gram_pair(double* acc, const double* const* z,
                                   const double* w, Index m,
                                   std::index_sequence<I...>) {
  constexpr int L = P - J, NP = L / kPacket, R = L % kPacket;
  [[maybe_unused]] Packet a0[NP + 1], a1[NP + 1];
  ((a0[I] = pk::pset1<Packet>(0.0)), ...);
  ((a1[I] = pk::pset1<Packet>(0.0)), ...);
  double r0[R + 1] = {}, r1[R + 1] = {};
  for (Index k = 0; k < m; ++k) {
    const double* v = z[k] + J;
    const double c0 = w[k] * v[0], c1 = w[k] * v[1];
    [[maybe_unused]] const Packet b0 = pk::pset1<Packet>(c0);
    [[maybe_unused]] const Packet b1 = pk::pset1<Packet>(c1);
    ((a0[I] = pk::pmadd(b0, pk::ploadu<Packet>(v + I * kPacket), a0[I])), ...);
    ((a1[I] = pk::pmadd(b1, pk::ploadu<Packet>(v + I * kPacket), a1[I])), ...);
    for (int q = 0; q < R; ++q) {
      r0[q] += c0 * v[NP * kPacket + q];
      r1[q] += c1 * v[NP * kPacket + q];
    }
  }
  double s0[L], s1[L];
  ((pk::pstoreu(s0 + I * kPacket, a0[I])), ...);
  ((pk::pstoreu(s1 + I * kPacket, a1[I])), ...);
  for (int q = 0; q < R; ++q) {
    s0[NP * kPacket + q] = r0[q];
    s1[NP * kPacket + q] = r1[q];
  }
  double* c0 = acc + J * P + J;
  double* c1 = acc + (J + 1) * P + J;
  for (int q = 0; q < L; ++q) c0[q] += s0[q];
  for (int q = 1; q < L; ++q) c1[q] += s1[q];
}

// acc1 (p) += sum_k w_k z_k, in packet registers.
template <int P, std::size_t... I>
EIGEN_ALWAYS_INLINE void first_moment(double* acc1, const double* const* z,
                                      const double* w, Index m,
                                      std::index_sequence<I...>) {
  constexpr int NP = P / kPacket, R = P % kPacket;
  [[maybe_unused]] Packet a[NP + 1];
  ((a[I] = pk::pset1<Packet>(0.0)), ...);
  double r[R + 1] = {};
  for (Index k = 0; k < m; ++k) {
    const double* v = z[k];
    [[maybe_unused]] const Packet b = pk::pset1<Packet>(w[k]);
    ((a[I] = pk::pmadd(b, pk::ploadu<Packet>(v + I * kPacket), a[I])), ...);
    for (int q = 0; q < R; ++q) r[q] += w[k] * v[NP * kPacket + q];
  }
  double s[P + kPacket];
  ((pk::pstoreu(s + I * kPacket, a[I])), ...);
  for (int q = 0; q < R; ++q) s[NP * kPacket + q] = r[q];
  for (int q = 0; q < P; ++q) acc1[q] += s[q];
}

// acc (p x p, column-major; its lower triangle) += sum_k w_k z_k z_k' over
// the m rows z_k (p values each) of a chunk: two columns at a time, each
// pair's column segments (rows j..p-1) summed over the chunk's rows in
// packet registers, then added to acc once. (A running sum updated row by
// row loads and stores all of acc for every row: at p = 10 that was half
// of the Newton sweep.) Fixed p only (P >= 1).
template <int P, int J>
struct GramPair {
  static EIGEN_ALWAYS_INLINE void run(double* acc, const double* const* z,
                                      const double* w, Index m) {
    if constexpr (J == P - 1) {
      double a = 0.0;
      for (Index k = 0; k < m; ++k) a += w[k] * z[k][J] * z[k][J];
      acc[J * P + J] += a;
    } else if constexpr (J < P - 1) {
      gram_pair<P, J>(acc, z, w, m,
                      std::make_index_sequence<(P - J) / kPacket>());
      GramPair<P, J + 2>::run(acc, z, w, m);
    }
  }
};
#if CS_AVX2_PATH
// The same sums with 256-bit AVX2 packets and fused multiply-adds, for x86
// processors that have them (chosen at run time: the package itself is
// compiled for the baseline x86-64, SSE2). Columns J..J+C-1 at a time, rows
// J..P-1 of each as NP packets of 4, a pair (R >= 2) and a single value
// (R odd), R = (P - J) % 4; each row's values loaded once for the C
// columns. C is chosen so that the accumulators fit in the 16 vector
// registers.
template <int NP, int R>
struct RowAvx2 {
  __m256d v[NP > 0 ? NP : 1];
  __m128d t;
  double u;
};
template <int NP, int R, std::size_t... Q>
CS_AVX2_INLINE void zero_row_avx2(RowAvx2<NP, R>& a, std::index_sequence<Q...>) {
  ((a.v[Q] = _mm256_setzero_pd()), ...);
  a.t = _mm_setzero_pd();
  a.u = 0.0;
}
template <int NP, int R, std::size_t... Q>
CS_AVX2_INLINE void load_row_avx2(RowAvx2<NP, R>& a, const double* v,
                                  std::index_sequence<Q...>) {
  ((a.v[Q] = _mm256_loadu_pd(v + 4 * Q)), ...);
  if constexpr (R >= 2) a.t = _mm_loadu_pd(v + 4 * NP);
  if constexpr (R % 2 != 0) a.u = v[4 * NP + (R & 2)];
}
template <int NP, int R, std::size_t... Q>
CS_AVX2_INLINE void fma_row_avx2(RowAvx2<NP, R>& a, const RowAvx2<NP, R>& v,
                                 double c, std::index_sequence<Q...>) {
  const __m256d b = _mm256_set1_pd(c);
  ((a.v[Q] = _mm256_fmadd_pd(b, v.v[Q], a.v[Q])), ...);
  if constexpr (R >= 2) {
    a.t = _mm_fmadd_pd(_mm256_castpd256_pd128(b), v.t, a.t);
  }
  if constexpr (R % 2 != 0) a.u += c * v.u;
}
// the values of a row of packets, written out
template <int NP, int R, std::size_t... Q>
CS_AVX2_INLINE void spill_row_avx2(double* s, const RowAvx2<NP, R>& a,
                                   std::index_sequence<Q...>) {
  ((_mm256_storeu_pd(s + 4 * Q, a.v[Q])), ...);
  if constexpr (R >= 2) _mm_storeu_pd(s + 4 * NP, a.t);
  if constexpr (R % 2 != 0) s[4 * NP + (R & 2)] = a.u;
}
// (the first block, J = 0, also sums w z into acc1)
template <int P, int J, int C, std::size_t... K>
CS_AVX2_INLINE void gram_cols_avx2(double* acc, double* acc1,
                                   const double* const* z, const double* w,
                                   Index m, std::index_sequence<K...>) {
  constexpr int L = P - J, NP = L / 4, R = L % 4;
  using Row = RowAvx2<NP, R>;
  const auto qs = std::make_index_sequence<NP>();
  Row a[C], s;
  ((zero_row_avx2(a[K], qs)), ...);
  zero_row_avx2(s, qs);
  for (Index k = 0; k < m; ++k) {
    const double* v = z[k] + J;
    Row r;
    load_row_avx2(r, v, qs);
    const double wk = w[k];
    if constexpr (J == 0) fma_row_avx2(s, r, wk, qs);
    ((fma_row_avx2(a[K], r, wk * v[K], qs)), ...);
  }
  // column J + K of acc gets rows J + K..P-1: values K..L-1 of a[K]
  double t[C][4 * NP + 4];
  ((spill_row_avx2(t[K], a[K], qs)), ...);
  for (int c = 0; c < C; ++c) {
    double* col = acc + (J + c) * P + J;
    for (int q = c; q < L; ++q) col[q] += t[c][q];
  }
  if constexpr (J == 0) {
    double u[4 * NP + 4];
    spill_row_avx2(u, s, qs);
    for (int q = 0; q < P; ++q) acc1[q] += u[q];
  }
}
template <int P, int J>
CS_AVX2_INLINE void gram_from_avx2(double* acc, double* acc1,
                                   const double* const* z, const double* w,
                                   Index m) {
  if constexpr (J < P) {
    constexpr int L = P - J, NP = L / 4, R = L % 4;
    constexpr int regs = NP + (R >= 2 ? 1 : 0) + (R % 2 != 0 ? 1 : 0);
    constexpr int fit = (J == 0 ? 12 - regs : 12) / regs;
    constexpr int C0 = std::min(std::min(fit < 1 ? 1 : fit, 4), L);
    // an even number of columns where possible: the next block then
    // starts at an even row, and its packets split less often
    constexpr int C = C0 > 2 && C0 % 2 != 0 ? C0 - 1 : C0;
    gram_cols_avx2<P, J, C>(acc, acc1, z, w, m, std::make_index_sequence<C>());
    gram_from_avx2<P, J + C>(acc, acc1, z, w, m);
  }
}
template <int P>
CS_AVX2_FUNCTION void gram_lower_avx2(double* acc, double* acc1,
                                      const double* const* z, const double* w,
                                      Index m) {
  gram_from_avx2<P, 0>(acc, acc1, z, w, m);
}

// gram_lower_avx2() for p > kFixedP, p read at run time. acc is the
// lower triangle of a pp x pp square (pp = p rounded up to a multiple of
// 4), its rows and columns p..pp-1 padding. The chunk's rows are copied to
// buf (2 m pp doubles) as z_k and w_k z_k, zero-padded to pp; then each
// 8 x 4 (at the bottom, 4 x 4) tile on or below the diagonal sums
// sum_k z_k[rows] (w_k z_k[cols])' in registers over the chunk's rows and
// is added to acc whole (the tiles on the diagonal add above it too; only
// the lower triangle is read).
template <int NV>
CS_AVX2_INLINE void gram_tile_avx2(double* acc, Index pp, const double* zb,
                                   const double* wb, Index m, Index r0,
                                   Index j0) {
  __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
  __m256d b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  for (Index k = 0; k < m; ++k) {
    const double* zr = zb + k * pp + r0;
    const double* wc = wb + k * pp + j0;
    const __m256d c0 = _mm256_broadcast_sd(wc), c1 = _mm256_broadcast_sd(wc + 1),
                  c2 = _mm256_broadcast_sd(wc + 2), c3 = _mm256_broadcast_sd(wc + 3);
    const __m256d u = _mm256_loadu_pd(zr);
    a0 = _mm256_fmadd_pd(u, c0, a0);
    a1 = _mm256_fmadd_pd(u, c1, a1);
    a2 = _mm256_fmadd_pd(u, c2, a2);
    a3 = _mm256_fmadd_pd(u, c3, a3);
    if constexpr (NV == 2) {
      const __m256d v = _mm256_loadu_pd(zr + 4);
      b0 = _mm256_fmadd_pd(v, c0, b0);
      b1 = _mm256_fmadd_pd(v, c1, b1);
      b2 = _mm256_fmadd_pd(v, c2, b2);
      b3 = _mm256_fmadd_pd(v, c3, b3);
    }
  }
  double* col = acc + j0 * pp + r0;
  const __m256d as[4] = {a0, a1, a2, a3}, bs[4] = {b0, b1, b2, b3};
  for (int c = 0; c < 4; ++c) {
    double* q = col + c * pp;
    _mm256_storeu_pd(q, _mm256_add_pd(_mm256_loadu_pd(q), as[c]));
    if constexpr (NV == 2) {
      _mm256_storeu_pd(q + 4, _mm256_add_pd(_mm256_loadu_pd(q + 4), bs[c]));
    }
  }
}
CS_AVX2_FUNCTION void gram_dyn_avx2(double* acc, double* acc1,
                                    const double* const* z, const double* w,
                                    Index m, Index p, double* buf) {
  const Index pp = padded_dim(p), tail = p - (pp - 4);
  double* zb = buf;
  double* wb = buf + m * pp;
  // lanes of the last packet of a row that lie within it
  const __m256i keep = _mm256_cmpgt_epi64(_mm256_set1_epi64x(tail),
                                          _mm256_setr_epi64x(0, 1, 2, 3));
  __m256d sum1[8];
  const Index np = pp / 4;
  for (Index a = 0; a < np && a < 8; ++a) sum1[a] = _mm256_setzero_pd();
  for (Index k = 0; k < m; ++k) {
    const double* zk = z[k];
    double* zo = zb + k * pp;
    double* wo = wb + k * pp;
    const __m256d wk = _mm256_set1_pd(w[k]);
    for (Index a = 0; a < np; ++a) {
      const __m256d v = a + 1 < np ? _mm256_loadu_pd(zk + 4 * a)
                                   : _mm256_maskload_pd(zk + 4 * a, keep);
      const __m256d wv = _mm256_mul_pd(wk, v);
      _mm256_storeu_pd(zo + 4 * a, v);
      _mm256_storeu_pd(wo + 4 * a, wv);
      if (a < 8) sum1[a] = _mm256_add_pd(sum1[a], wv);
    }
  }
  // the first moment: from the packets summed above (p <= 32), else from
  // the copies
  alignas(32) double lane[4];
  for (Index a = 0; a < np; ++a) {
    __m256d t = _mm256_setzero_pd();
    if (a < 8) {
      t = sum1[a];
    } else {
      for (Index k = 0; k < m; ++k) t = _mm256_add_pd(t, _mm256_loadu_pd(wb + k * pp + 4 * a));
    }
    _mm256_store_pd(lane, t);
    for (Index l = 0; l < 4 && 4 * a + l < p; ++l) acc1[4 * a + l] += lane[l];
  }
  for (Index j0 = 0; j0 < p; j0 += 4) {
    Index r0 = j0;
    for (; r0 + 8 <= pp; r0 += 8) gram_tile_avx2<2>(acc, pp, zb, wb, m, r0, j0);
    if (r0 < pp) gram_tile_avx2<1>(acc, pp, zb, wb, m, r0, j0);
  }
}

// v[k] = exp(v[k] - shift), k < m, four at a time: n = round(x / ln 2),
// r = x - n ln 2 (in two parts, |r| <= ln(2) / 2), exp(r) by its Taylor
// polynomial of degree 13 (the first term left out is below 2^-57 of the
// sum), times 2^n built in the exponent bits. Within an ulp or so of
// std::exp, which the baseline kernel calls. A packet holding an x below
// -708 (where 2^n would be subnormal) or a NaN is done by std::exp.
CS_AVX2_FUNCTION void exp_shifted_avx2(double* v, Index m, double shift) {
  const __m256d sh = _mm256_set1_pd(shift);
  const __m256d log2e = _mm256_set1_pd(1.4426950408889634074);
  const __m256d ln2_hi = _mm256_set1_pd(0.693147180369123816490);
  const __m256d ln2_lo = _mm256_set1_pd(1.90821492927058770002e-10);
  const __m256d lo = _mm256_set1_pd(-708.0);
  const __m256d magic = _mm256_set1_pd(0x1.8p52);
  const __m256i bias = _mm256_set1_epi64x(1023);
  // 1/k!, k = 13 down to 2
  static constexpr double c[12] = {
      1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0,
      1.0 / 3628800.0,    1.0 / 362880.0,    1.0 / 40320.0,
      1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,
      1.0 / 24.0,         1.0 / 6.0,         0.5};
  const __m256d one = _mm256_set1_pd(1.0);
  Index k = 0;
  for (; k + 4 <= m; k += 4) {
    const __m256d x = _mm256_sub_pd(_mm256_loadu_pd(v + k), sh);
    // a lane below -708, or NaN: the whole packet by std::exp
    const __m256d odd = _mm256_cmp_pd(x, lo, _CMP_NGE_UQ);
    if (_mm256_movemask_pd(odd) != 0) {
      exp_shifted_libm(v, k, k + 4, shift);
      continue;
    }
    const __m256d n = _mm256_round_pd(_mm256_mul_pd(x, log2e),
                                      _MM_FROUND_TO_NEAREST_INT |
                                          _MM_FROUND_NO_EXC);
    __m256d r = _mm256_fnmadd_pd(n, ln2_hi, x);
    r = _mm256_fnmadd_pd(n, ln2_lo, r);
    __m256d p = _mm256_set1_pd(c[0]);
    for (int j = 1; j < 12; ++j) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[j]));
    p = _mm256_fmadd_pd(p, r, one);
    p = _mm256_fmadd_pd(p, r, one);
    // 2^n: n's integer value read from the low bits of n + 1.5 * 2^52
    const __m256i ni = _mm256_sub_epi64(
        _mm256_castpd_si256(_mm256_add_pd(n, magic)),
        _mm256_castpd_si256(magic));
    const __m256d two_n = _mm256_castsi256_pd(
        _mm256_slli_epi64(_mm256_add_epi64(ni, bias), 52));
    _mm256_storeu_pd(v + k, _mm256_mul_pd(p, two_n));
  }
  exp_shifted_libm(v, k, m, shift);
}
#endif

// v[k] = exp(v[k] - shift) for k < m: exp_shifted_avx2() where the AVX2
// kernels run, else std::exp.
inline void exp_shifted(double* v, Index m, double shift) {
#if CS_AVX2_PATH
  if (simd_avx2()) {
    exp_shifted_avx2(v, m, shift);
    return;
  }
#endif
  exp_shifted_libm(v, 0, m, shift);
}

// acc1 (p) += sum_k w_k z_k and acc (p x p, its lower triangle) +=
// sum_k w_k z_k z_k' over the m rows z_k of a chunk (w_k >= 0). When
// P < 0, acc is a pp x pp square (pp = padded_dim(p); rows and columns
// p..pp-1 padding that is never read) and buf at least 2 m pp doubles of
// scratch.
template <int P>
EIGEN_ALWAYS_INLINE void moments(double* acc1, double* acc, Index p_run,
                                 const double* const* z, const double* w,
                                 Index m, double* buf) {
  if (m == 0) return;
  if constexpr (P > 0) {
#if CS_AVX2_PATH
    if (simd_avx2()) {
      gram_lower_avx2<P>(acc, acc1, z, w, m);
      return;
    }
#endif
    first_moment<P>(acc1, z, w, m, std::make_index_sequence<P / kPacket>());
    GramPair<P, 0>::run(acc, z, w, m);
  } else {
#if CS_AVX2_PATH
    if (simd_avx2()) {
      gram_dyn_avx2(acc, acc1, z, w, m, p_run, buf);
      return;
    }
#endif
    // p > kFixedP: the columns sqrt(w_k) z_k of a p x m block, whose
    // rank-m update of the lower triangle is Eigen's blocked, vectorised
    // product (a rank-one update per row, in scalar loops, made p = 13
    // three times slower per row than p = 12)
    const Index p = p_run;
    Eigen::Map<MatrixXd> b(buf, p, m);
    for (Index k = 0; k < m; ++k) {
      const double sw = std::sqrt(w[k]);
      const double* zk = z[k];
      double* col = buf + k * p;
      for (Index a = 0; a < p; ++a) col[a] = sw * zk[a];
      axpy_p<P>(acc1, p, w[k], zk);
    }
    Eigen::Map<MatrixXd, 0, Eigen::OuterStride<>>(
        acc, p, p, Eigen::OuterStride<>(padded_dim(p)))
        .selfadjointView<Eigen::Lower>()
        .rankUpdate(b);
  }
}

// The information's share of a death time, in one pass over the p x p
// sums (each value of info, S2 and E2 read and written once, where four
// passes over info and two over S2 and E2 were a twentieth of the sweep
// at p = 10):
//   Efron:   S2 += E2; info += c0 S2 - c1 E2 - d1 a a' - d2 e e'; E2 = 0
//   Breslow: info += c0 S2 - d1 a a' (E2, c1, d2 and e unused).
// Lower triangles only, of leading dimension p (padded_dim(p) when
// p > kFixedP).
template <int P, bool Efron>
EIGEN_ALWAYS_INLINE void time_update(double* info, double* s2, double* e2,
                                     Index p_run, double c0, double c1,
                                     double d1, const double* a, double d2,
                                     const double* e) {
  // plain loops over the lower triangle (with a fixed p their bounds are
  // constants): Eigen's column expressions were left as calls for p = 5,
  // a tenth of a fit at n = 600
  const Index p = dim<P>(p_run), ld = P >= 0 ? p : padded_dim(p);
  for (Index j = 0; j < p; ++j) {
    const double aj = d1 * a[j], ej = d2 * e[j];
    for (Index k = j; k < p; ++k) {
      const Index o = j * ld + k;
      if constexpr (Efron) {
        const double sn = s2[o] + e2[o];
        s2[o] = sn;
        info[o] += c0 * sn - c1 * e2[o] - aj * a[k] - ej * e[k];
        e2[o] = 0.0;
      } else {
        info[o] += c0 * s2[o] - aj * a[k];
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The Newton sweep of right-censored data: log partial likelihood, score
// and information at beta in one backward pass over the sorted rows per
// stratum, the linear predictor computed on the way.
//
// Within a stratum, going backward in time, the risk set at time t is the
// rows with stop >= t, whose running sums S0 = sum w exp(eta - shift),
// S1 = sum of those times x and S2 = sum of those times x x' grow as rows
// enter. At a time with d deaths (weight dw, E0, E1, E2 the same sums over
// the deaths) the Efron denominators are den_l = S0 - f_l E0, f_l = l/d,
// each death weighing m = dw/d, and the information gains
// m sum_l [(S2 - f_l E2)/den_l - a_l a_l'], a_l = (S1 - f_l E1)/den_l
// (Breslow: d = 1 in effect). This is coxph's own arithmetic (coxfit6),
// on covariates centred and scaled as coxph centres and scales them.
// Each row is read once per iteration; cox_sweep() (which also serves the
// residuals, where each row's accrued hazard is wanted) reads it three
// times.
// The times come from NewtonRows::run_start, with their deaths and death
// weight counted once by newton_rows(), which stores each time's deaths
// first: the rows of a time enter in chunks of at most kChunk (in a chunk
// the deaths are the first rows), and no row's stop time or status is
// read. A chunk's linear predictors come first, then exp(eta - shift) and
// S0, then S1 and S2 (E1 and E2 for Efron's deaths) by moments() for the
// whole chunk.
// exp(eta) is computed as exp(eta - shift), the shift being the largest
// eta in the risk set so far: when a chunk with a larger eta enters, the
// running sums are rescaled to it. Each risk set's largest term is then 1,
// so its sums neither overflow nor underflow, however far apart the
// linear predictors of a stratum are (a shift fixed per stratum let the
// late, small risk sets underflow to 0 once they spanned more than 700).
// Inputs: d (sorted right-censored rows), xt (p x n standardised, sorted),
// s (its death sum of w x and its times), beta (p, standardised scale).
// Output: out.loglik, out.score, out.info (p x p).
// ---------------------------------------------------------------------------
template <int P>
struct NewtonSweep {
  static constexpr Index kChunk = 128;
  static void run(const CoxData& d, const XtRef& xt, const NewtonRows& s,
                  const VectorXd& beta, const Poll& poll, SweepResult& out) {
    const Index n = d.n, p = dim<P>(xt.rows());
    constexpr int Q = P >= 0 ? P : Eigen::Dynamic;
    using Vec = Eigen::Matrix<double, Q, 1>;
    using Mat = Eigen::Matrix<double, Q, Q>;
    const Vec b = beta;
    Vec s1 = Vec::Zero(p), e1 = Vec::Zero(p), a = Vec::Zero(p);
    // (when p > kFixedP, padded to padded_dim(p): moments())
    const Index ld = P >= 0 ? p : padded_dim(p);
    Mat s2 = Mat::Zero(ld, ld), e2 = Mat::Zero(ld, ld),
        info = Mat::Zero(ld, ld);
    Vec score = s.death_xsum;
    const double* xd = xt.data();
    // a chunk's linear predictors (then exp(eta - shift)), its rows and
    // their weights w exp(eta - shift)
    double eta[kChunk], wc[kChunk];
    const double* zc[kChunk];
    // moments()'s scratch when p > kFixedP (gram_dyn_avx2() needs the most)
    std::vector<double> gbuf(P < 0 ? static_cast<std::size_t>(2 * ld * kChunk)
                                   : 0);
    double loglik = 0.0;
    const int* runs = s.run_start.data();
    const int* runs_end = runs + s.run_start.size();
    if (s.run_start.empty() || s.run_start.back() != n) {
      throw std::invalid_argument("cox: the times of the rows are needed");
    }
    Index b0 = 0;
    while (b0 < n) {
      // the rows are stored sorted by stratum (check_data()): the end of
      // the stratum by binary search, not a pass over its rows
      const Index b1 =
          std::upper_bound(d.strata + b0, d.strata + n, d.strata[b0]) -
          d.strata;
      double shift = -std::numeric_limits<double>::infinity();
      double s0 = 0.0;
      s1.setZero();
      s2.setZero();
      // the times of the stratum (NewtonRows::run_start), latest first
      const Index k0 = std::lower_bound(runs, runs_end, b0) - runs;
      const Index k1 = std::lower_bound(runs, runs_end, b1) - runs;
      double e0 = 0.0, weta = 0.0;
      // the rows [lo, hi) of one time, its deaths [lo, lo + nd) first,
      // enter the risk set in chunks of at most kChunk, the last rows
      // first; in a chunk the deaths are the first kd rows
      auto enter = [&](Index lo, Index hi, Index nd) {
        while (hi > lo) {
          const Index m = std::min<Index>(kChunk, hi - lo), c = hi - m;
          const Index kd = std::min<Index>(std::max<Index>(lo + nd - c, 0), m);
          double top = -std::numeric_limits<double>::infinity();
          for (Index k = 0; k < m; ++k) {
            poll.tick();
            const double* z = xd + (c + k) * p;
            prefetch_back(z, p);
            const double e = d.off(c + k) + Eigen::Map<const Vec>(z, p).dot(b);
            eta[k] = e;
            if (e > top) top = e;
          }
          // the deaths' sum of w eta
          for (Index k = 0; k < kd; ++k) weta += d.w(c + k) * eta[k];
          if (top > shift) {
            // a new largest eta: the sums so far rescaled to it (exactly 0
            // stays 0; the first chunk of a stratum finds them all 0)
            if (s0 > 0.0) {
              const double f = std::exp(shift - top);
              s0 *= f;
              s1 *= f;
              s2 *= f;
              e0 *= f;
              e1 *= f;
              if (d.efron) e2 *= f;
            }
            shift = top;
          }
          // eta[k] becomes exp(eta[k] - shift), then w exp(eta - shift)
          exp_shifted(eta, m, shift);
          double add_d = 0.0, add_c = 0.0;
          for (Index k = 0; k < m; ++k) {
            const double wr = d.w(c + k) * eta[k];
            (k < kd ? add_d : add_c) += wr;
            zc[k] = xd + (c + k) * p;
            wc[k] = wr;
          }
          s0 += add_d + add_c;
          e0 += add_d;
          if (d.efron) {
            // under Efron the deaths' sums are E1 and E2 (they join S1 and
            // S2 once the time's rows are in)
            moments<P>(e1.data(), e2.data(), p, zc, wc, kd, gbuf.data());
            moments<P>(s1.data(), s2.data(), p, zc + kd, wc + kd, m - kd,
                       gbuf.data());
          } else {
            moments<P>(s1.data(), s2.data(), p, zc, wc, m, gbuf.data());
          }
          hi = c;
        }
      };
      for (Index k = k1 - 1; k >= k0; --k) {
        const Index lo = runs[k], hi = runs[k + 1];
        const int dcount = s.run_deaths[k];
        const double dw = s.run_dw[k];
        e0 = 0.0;
        weta = 0.0;
        e1.setZero();
        enter(lo, hi, dcount);
        if (dcount == 0) continue;
        if (d.efron) s1 += e1;
        // the deaths' sum of w eta, less dw times the shift of the sums
        loglik += weta - dw * shift;
        if (!d.efron || dcount == 1) {
          const double den = s0;
          a = s1 / den;
          loglik -= dw * std::log(den);
          score.noalias() -= dw * a;
          if (d.efron) {
            time_update<P, true>(info.data(), s2.data(), e2.data(), p,
                                 dw / den, 0.0, dw, a.data(), 0.0, e1.data());
          } else {
            time_update<P, false>(info.data(), s2.data(), e2.data(), p,
                                  dw / den, 0.0, dw, a.data(), 0.0,
                                  e1.data());
          }
          continue;
        }
        const double m = dw / dcount;
        const EfronSums es = efron_sums(s0, e0, dcount);
        const double q0 = es.q0, q1 = es.q1;
        loglik -= m * es.log_den;
        score.noalias() -= (m * q0) * s1;
        score.noalias() += (m * q1) * e1;
        // m sum_l a_l a_l' as two rank-one terms (EfronSums::rank_one())
        const EfronSums::RankOne ro = es.rank_one(m);
        a = s1 - ro.c * e1;
        time_update<P, true>(info.data(), s2.data(), e2.data(), p, m * q0,
                             m * q1, ro.d1, a.data(), ro.d2, e1.data());
      }
      b0 = b1;
    }
    out.loglik = loglik;
    out.score = score;
    // only the lower triangles of S2 and E2 are summed (moments()), so
    // only the lower triangle of info is right
    out.info = info.topLeftCorner(p, p).template selfadjointView<Eigen::Lower>();
  }
};

}  // namespace

std::vector<double> cox_sweep_seconds(const NewtonRows& s, bool efron,
                                      const Eigen::Map<Eigen::VectorXd>& beta,
                                      int reps) {
  const CoxData d = s.view(efron);
  const XtRef xt = s.zt();
  if (beta.size() != xt.rows()) {
    throw std::invalid_argument("cox_sweep_seconds: beta must have one value "
                                "per column of x");
  }
  if (d.start != nullptr) {
    throw std::invalid_argument("cox_sweep_seconds: right-censored data only");
  }
  check_data(d);
  // beta on the standardised scale of the sweep, as cox_newton() takes it
  const VectorXd b = beta.cwiseQuotient(s.scale);
  SweepResult r;
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(std::max(reps, 0)));
  for (int k = 0; k < reps; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    with_fixed_p<NewtonSweep>(xt.rows(), d, xt, s, b, Poll(), r);
    const auto t1 = std::chrono::steady_clock::now();
    out.push_back(std::chrono::duration<double>(t1 - t0).count());
  }
  return out;
}

std::vector<double> cox_efron_sums(double s0, double e0, int d) {
  if (!(d >= 1 && s0 > 0.0 && e0 >= 0.0 && e0 <= s0) || !std::isfinite(s0)) {
    throw std::invalid_argument(
        "cox_efron_sums: need d >= 1 and 0 <= e0 <= s0, s0 > 0 and finite");
  }
  const EfronSums es = efron_sums(s0, e0, d);
  return {es.q0, es.q1, es.r0, es.r1, es.r2, es.log_den};
}

bool cox_set_simd(bool allow) {
#if CS_AVX2_PATH
  simd_allowed = allow;
  return simd_avx2();
#else
  (void)allow;
  return false;
#endif
}

void cox_sweep(const CoxData& d, const XtRef& xt, const VectorXd& eta,
               const SweepWant& want, const Poll& poll, SweepResult& out) {
  if (xt.cols() != d.n || eta.size() != d.n ||
      (xt.cols() > 0 && xt.outerStride() != xt.rows())) {
    throw std::invalid_argument("cox_sweep: sizes do not match");
  }
  with_fixed_p<Sweep>(xt.rows(), d, xt, eta, want, poll, out);
}

SweepResult cox_sweep(const CoxData& d, const XtRef& xt,
                      const VectorXd& eta, const SweepWant& want,
                      const Poll& poll) {
  SweepResult out;
  cox_sweep(d, xt, eta, want, poll, out);
  return out;
}

// ---------------------------------------------------------------------------
// Generalised Cholesky: A = L D L', pivots below toler * max(diag) zeroed.
// ---------------------------------------------------------------------------
Ldl ldl_decompose(const MatrixXd& a, double toler) {
  const Index p = a.rows();
  Ldl f;
  f.l = a;
  f.singular.assign(p, 0);
  double big = 0.0;
  for (Index i = 0; i < p; ++i) big = std::max(big, a(i, i));
  const double eps = big == 0.0 ? toler : big * toler;
  for (Index i = 0; i < p; ++i) {
    const double pivot = f.l(i, i);
    if (!std::isfinite(pivot) || pivot < eps) {
      f.l(i, i) = 0.0;
      f.singular[i] = 1;
      for (Index j = i + 1; j < p; ++j) f.l(j, i) = 0.0;
      continue;
    }
    ++f.rank;
    for (Index j = i + 1; j < p; ++j) {
      const double t = f.l(j, i) / pivot;
      f.l(j, i) = t;
      f.l(j, j) -= t * t * pivot;
      for (Index k = j + 1; k < p; ++k) f.l(k, j) -= t * f.l(k, i);
    }
  }
  return f;
}

VectorXd ldl_solve(const Ldl& f, const VectorXd& b) {
  const Index p = b.size();
  VectorXd y = b;
  for (Index i = 0; i < p; ++i) {
    double t = y[i];
    for (Index j = 0; j < i; ++j) t -= y[j] * f.l(i, j);
    y[i] = t;
  }
  for (Index i = p - 1; i >= 0; --i) {
    if (f.singular[i]) {
      y[i] = 0.0;
      continue;
    }
    double t = y[i] / f.l(i, i);
    for (Index j = i + 1; j < p; ++j) t -= y[j] * f.l(j, i);
    y[i] = t;
  }
  return y;
}

MatrixXd ldl_inverse(const Ldl& f) {
  const Index p = f.l.rows();
  MatrixXd inv(p, p);
  for (Index j = 0; j < p; ++j) {
    VectorXd e = VectorXd::Zero(p);
    e[j] = 1.0;
    inv.col(j) = ldl_solve(f, e);
  }
  for (Index j = 0; j < p; ++j) {
    if (f.singular[j]) {
      inv.row(j).setZero();
      inv.col(j).setZero();
    }
  }
  return 0.5 * (inv + inv.transpose());
}

// ---------------------------------------------------------------------------
// Newton-Raphson as survival's coxfit6/agfit4 iterate, so that the number of
// iterations and hence the estimates agree: covariates centred (weighted
// mean) and scaled (by the weighted mean absolute deviation) internally,
// which leaves the Newton iterates unchanged (they are affine invariant).
// ---------------------------------------------------------------------------
CoxFit cox_newton(const NewtonRows& s, bool efron,
                  const Eigen::Map<Eigen::VectorXd>& init, int max_iter,
                  double eps, double toler_chol, const Poll& poll) {
  const CoxData d = s.view(efron);
  const XtRef xt = s.zt();
  const VectorXd& scale = s.scale;
  const Index n = d.n, p = xt.rows();
  if (init.size() != p) {
    throw std::invalid_argument("cox_newton: init must have one value per "
                                "column of x");
  }
  check_data(d);
  CoxFit fit;
  fit.mean_w = s.mean_w;
  fit.mean_u = s.mean_u;
  fit.zero_one = s.zero_one;
  SweepWant want;
  want.score = want.info = true;
  // the sum over deaths of w x (standardised), the constant part of the
  // score, summed by newton_rows()
  want.death_xsum = s.death_xsum.data();
  // right-censored data: one pass per iteration (NewtonSweep); counting-
  // process data: eta = offset + xt' beta (a dot product of p values per
  // row; Eigen's matrix-vector product is slow for so short rows), then
  // cox_sweep()
  const bool one_pass = d.start == nullptr;
  VectorXd eta(one_pass ? 0 : n);
  SweepResult r;
  // cox_sweep() scales exp(eta) by the largest eta of each stratum, so a
  // risk set whose etas all lie far below it would underflow: it returns
  // false (and computes nothing) when the etas of a stratum span more than
  // kEtaSpanMax.
  auto sweep = [&](const VectorXd& b) {
    if (one_pass) {
      with_fixed_p<NewtonSweep>(p, d, xt, s, b, poll, r);
      return true;
    }
    with_fixed_p<LinearPredictor>(p, d, xt, b, eta);
    for (Index b0 = 0; b0 < n;) {
      const Index b1 = stratum_end(d, b0);
      const auto mm = std::minmax_element(eta.data() + b0, eta.data() + b1);
      if (*mm.second - *mm.first > kEtaSpanMax) return false;
      b0 = b1;
    }
    cox_sweep(d, xt, eta, want, poll, r);
    return true;
  };
  VectorXd beta = init.cwiseQuotient(scale);
  if (!sweep(beta)) {
    fit.eta_span = true;
    return fit;
  }
  fit.loglik_init = r.loglik;
  Ldl f = ldl_decompose(r.info, toler_chol);
  VectorXd step = ldl_solve(f, r.score);
  fit.score_test = r.score.dot(step);
  fit.singular_init = f.singular;

  auto finish = [&](const VectorXd& b, const SweepResult& res,
                    const Ldl& fac) {
    fit.beta = b.cwiseProduct(scale);
    fit.score = res.score.cwiseQuotient(scale);
    fit.var = scale.asDiagonal() * ldl_inverse(fac) * scale.asDiagonal();
    fit.singular = fac.singular;
  };

  if (max_iter == 0 || p == 0 || !std::isfinite(r.loglik)) {
    // (an infinite log likelihood at the initial values: coxph gives up)
    fit.loglik = r.loglik;
    fit.iter = 0;
    finish(beta, r, f);
    return fit;
  }
  // The iteration of coxph, step for step: coxfit6 for right-censored data,
  // agfit4 for counting-process data (survival 3.5-3). A step that lowers
  // the log likelihood below the best so far (or, coxfit6, gives a non-
  // finite score, information or log likelihood; agfit4, a non-finite
  // diagonal or log likelihood or a change of rank) is pulled back towards
  // the last good beta, ever harder: the k-th time in a row to
  // (candidate + k * good) / (k + 1). Convergence: |1 - best / loglik| <=
  // eps (agfit4 not while pulling back). Out of iterations, coxfit6 returns
  // the last good beta with its information recomputed (iter = max_iter +
  // 1); agfit4 returns the last candidate, or the last good beta recomputed
  // when the candidate is worse by more than eps (iter = max_iter).
  double best = r.loglik;
  VectorXd newbeta = beta + step;  // the candidate; beta the last good
  int halving = 0;
  auto pull_back = [&] {
    ++halving;
    newbeta = (newbeta + halving * beta) / (halving + 1.0);
  };
  auto accept = [&](double lk) {
    halving = 0;
    best = lk;
    step = ldl_solve(f, r.score);
    beta = newbeta;
    newbeta += step;
  };
  auto converged = [&](double lk) {
    return lk == best || std::fabs(1.0 - best / lk) <= eps;
  };
  if (one_pass) {
    for (int iter = 1; iter <= max_iter; ++iter) {
      sweep(newbeta);
      const double newlk = r.loglik;
      f = ldl_decompose(r.info, toler_chol);
      const bool notfinite = !r.score.allFinite() || !r.info.allFinite() ||
                             !std::isfinite(newlk);
      if (!notfinite && converged(newlk)) {
        fit.loglik = newlk;
        fit.iter = iter;
        finish(newbeta, r, f);
        return fit;
      }
      if (notfinite || newlk < best) {
        pull_back();
      } else {
        accept(newlk);
      }
    }
    if (max_iter > 1) {
      sweep(beta);
      f = ldl_decompose(r.info, toler_chol);
      best = r.loglik;
    }
    fit.loglik = best;
    fit.iter = max_iter + 1;
    fit.converged = false;
    finish(beta, r, f);
    return fit;
  }
  const int rank = f.rank;
  for (int iter = 1; iter <= max_iter; ++iter) {
    if (!sweep(newbeta)) {
      // a candidate whose etas span too far: a failed step (pulled back),
      // or at the last iteration a fit that is refused
      if (iter == max_iter) {
        fit.eta_span = true;
        fit.iter = iter;
        return fit;
      }
      pull_back();
      continue;
    }
    const double newlk = r.loglik;
    f = ldl_decompose(r.info, toler_chol);
    int fail = std::isfinite(newlk) ? 0 : 1;
    for (Index j = 0; j < p; ++j) fail += std::isfinite(r.info(j, j)) ? 0 : 1;
    fail += std::abs(rank - f.rank);
    if (fail == 0 && halving == 0 && converged(newlk)) {
      fit.loglik = newlk;
      fit.iter = iter;
      finish(newbeta, r, f);
      return fit;
    }
    if (iter == max_iter) {
      fit.loglik = newlk;
      if (max_iter > 1 && (newlk - best) / std::fabs(best) < -eps) {
        sweep(beta);
        f = ldl_decompose(r.info, toler_chol);
        fit.loglik = r.loglik;
        newbeta = beta;
      }
      fit.iter = max_iter;
      fit.converged = false;
      finish(newbeta, r, f);
      return fit;
    }
    if (fail > 0 || newlk < best) {
      pull_back();
    } else {
      accept(newlk);
    }
  }
  return fit;  // not reached: the loop returns at iter == max_iter
}

double quad_form_pinv(const MatrixXd& v, const VectorXd& b, double toler) {
  const Index p = b.size();
  if (v.rows() != p || v.cols() != p) {
    throw std::invalid_argument("quad_form: sizes do not match");
  }
  if (p == 0) return 0.0;
  const MatrixXd sym = 0.5 * (v + v.transpose());
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(sym);
  if (es.info() != Eigen::Success) {
    throw std::invalid_argument("quad_form: no eigendecomposition");
  }
  const VectorXd& ev = es.eigenvalues();
  const double cut = std::max(ev.maxCoeff(), 0.0) * toler;
  const VectorXd z = es.eigenvectors().transpose() * b;
  double out = 0.0;
  for (Index k = 0; k < p; ++k) {
    if (ev[k] > cut) out += z[k] * z[k] / ev[k];
  }
  return out;
}

Index first_nonfinite(const double* x, Index n) {
  for (Index i = 0; i < n; ++i) {
    if (!std::isfinite(x[i])) return i;
  }
  return -1;
}

// ---------------------------------------------------------------------------
// The sorted, standardised copies the Newton kernel reads, made in C++:
// column statistics of x in the caller's row order (sequential), then one
// pass through the rows writing each row's stop, status, stratum and
// standardised covariates to its sorted position.
// ---------------------------------------------------------------------------
CoxData NewtonRows::view(bool efron) const {
  CoxData d;
  d.n = d.m = static_cast<Index>(stop.size());
  d.stop = stop.data();
  d.status = status.data();
  d.weight = weight.empty() ? nullptr : weight.data();
  d.offset = offset.empty() ? nullptr : offset.data();
  d.strata = strata.data();
  d.n_strata = n_strata;
  d.start = start.empty() ? nullptr : start.data();
  d.entry = entry.empty() ? nullptr : entry.data();
  d.efron = efron;
  return d;
}

namespace {

// A buffer of at least `bytes` aligned to a cache line (records of 64
// bytes then never straddle two). From 8 MiB on it is aligned to 2 MiB and,
// on Linux, marked for transparent huge pages: the random writes of the
// scatter then miss the TLB far less often, and the kernel maps 2 MiB per
// page fault instead of 4 KiB. Freed by NewtonRows::Free
// (record_buffer_free()). Windows has no aligned_alloc(): _aligned_malloc().
double* record_buffer(std::size_t bytes) {
  const std::size_t big = std::size_t(1) << 23, huge = std::size_t(1) << 21;
  const std::size_t align = bytes >= big ? huge : 64;
  bytes = std::max<std::size_t>(bytes, 1);
  bytes = (bytes + align - 1) / align * align;
#if defined(_WIN32)
  void* q = _aligned_malloc(bytes, align);
#else
  void* q = std::aligned_alloc(align, bytes);
#endif
  if (!q) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (align == huge) madvise(q, bytes, MADV_HUGEPAGE);
#endif
  return static_cast<double*>(q);
}

// The buffer `q` of record_buffer() cut down to `bytes` (its start kept
// or the contents moved), or left as it is where that is not possible.
double* record_buffer_shrink(double* q, std::size_t bytes) {
#if defined(_WIN32)
  (void)bytes;
  return q;
#else
  void* r = std::realloc(q, std::max<std::size_t>(bytes, 1));
  return r ? static_cast<double*>(r) : q;
#endif
}

}  // namespace

void record_buffer_free(double* q) {
#if defined(_WIN32)
  _aligned_free(q);
#else
  std::free(q);
#endif
}

NewtonRows newton_rows(const SurvData& rows, const double* offset,
                       const Eigen::Map<MatrixXd>& x) {
  const Index n = rows.n, p = x.cols();
  if (!rows.order || rows.m != n || (rows.start && !rows.entry)) {
    throw std::invalid_argument("cox: the sort order of every row is needed");
  }
  if (x.rows() != n) {
    throw std::invalid_argument("cox: x must have one row per observation");
  }
  check_surv_data(rows, "cox");
  NewtonRows s;
  s.n_strata = rows.n_strata;
  s.p = p;
  // coxph's centring and scaling (coxfit6/agfit4): each covariate minus
  // its weighted mean, times sw / (its weighted mean absolute deviation),
  // 1 when that is 0; the plain means; which columns are coded only -1, 0,
  // 1. Pass 1, over the rows (the p sums of a row are independent, so
  // their additions overlap): the sums.
  const double* xd = x.data();
  double sw = 0.0;
  std::vector<double> sum_w(p, 0.0), sum_u(p, 0.0), mad(p, 0.0);
  std::vector<int> zo(p, 1);
  for (Index r = 0; r < n; ++r) {
    const double wr = rows.w(r);
    sw += wr;
    for (Index j = 0; j < p; ++j) {
      const double v = xd[j * n + r];
      sum_u[j] += v;
      sum_w[j] += wr * v;
      zo[j] &= (v == 0.0) | (v == 1.0) | (v == -1.0);
    }
  }
  s.mean_w.resize(p);
  s.mean_u.resize(p);
  s.scale.resize(p);
  for (Index j = 0; j < p; ++j) {
    s.mean_w[j] = sum_w[j] / sw;
    s.mean_u[j] = sum_u[j] / n;
  }
  s.zero_one = zo;
  s.death_xsum = VectorXd::Zero(p);
  // Pass 2: each row becomes one record of ld doubles, its centred
  // covariates, stop, status and stratum, written to its sorted position:
  // sequential reads and one random write of a record (a single cache line
  // for p <= 5) per row, where separate arrays cost a cache miss each. The
  // absolute deviations are summed on the way; the scaling (the second of
  // coxph's two roundings) waits for the pass that takes the records apart.
  const Index ld = p + 3 <= 8 ? 8 : (p + 3 + 3) / 4 * 4;
  s.zbuf.reset(record_buffer(static_cast<std::size_t>(n) *
                             static_cast<std::size_t>(ld) * sizeof(double)));
  double* rec = s.zbuf.get();
  {
    // pos[r]: the sorted position of row r (32-bit: half the memory of
    // 64-bit positions on 1e8 rows)
    const int* o = rows.order;
    std::vector<int> pos(n);
    for (Index i = 0; i < n; ++i) pos[o[i]] = static_cast<int>(i);
    const double* mw = s.mean_w.data();
    for (Index r = 0; r < n; ++r) {
      double* q = rec + static_cast<Index>(pos[r]) * ld;
      const double wr = rows.w(r);
      for (Index j = 0; j < p; ++j) {
        const double c = xd[j * n + r] - mw[j];
        q[j] = c;
        mad[j] += wr * std::abs(c);
      }
      q[p] = rows.stop[r];
      q[p + 1] = rows.status[r];
      q[p + 2] = rows.strata[r];
    }
    s.weight.resize(rows.weight ? n : 0);
    s.offset.resize(offset ? n : 0);
    s.start.resize(rows.start ? n : 0);
    if (rows.weight) {
      for (Index r = 0; r < n; ++r) s.weight[pos[r]] = rows.weight[r];
    }
    if (offset) {
      for (Index r = 0; r < n; ++r) s.offset[pos[r]] = offset[r];
    }
    if (rows.start) {
      for (Index r = 0; r < n; ++r) s.start[pos[r]] = rows.start[r];
      // entry order as positions in the sorted rows
      s.entry.resize(n);
      for (Index k = 0; k < n; ++k) s.entry[k] = pos[rows.entry[k]];
    }
  }
  for (Index j = 0; j < p; ++j) s.scale[j] = mad[j] > 0.0 ? sw / mad[j] : 1.0;
  // Pass 3, sequential: stop, status and stratum out of the records, and
  // the covariates scaled and moved down in place to p per row (each row's
  // destination lies at or before its source; then the buffer is shrunk),
  // the sum over deaths of w x summed on the way.
  // Right-censored rows: each run of rows with one stratum and stop time
  // (a "time") is written deaths first, and the runs are recorded (first
  // row, deaths, their weight): the Newton sweep then reads neither stop
  // nor status per row. A run's records (and weights, offsets) are copied
  // out before its rows are written, as the rows move down in place.
  s.stop.resize(n);
  s.status.resize(n);
  s.strata.resize(n);
  const double* sc = s.scale.data();
  double* dx = s.death_xsum.data();
  std::vector<double> run_rec, run_w, run_off;
  auto weight_of = [&](Index k) {
    return s.weight.empty() ? 1.0 : s.weight[k];
  };
  // row i of the output from the record q, with its weight and offset
  auto put = [&](Index i, const double* q, double wi, double off) {
    s.stop[i] = q[p];
    s.status[i] = q[p + 1];
    s.strata[i] = static_cast<int>(q[p + 2]);
    double* z = rec + i * p;
    for (Index j = 0; j < p; ++j) z[j] = q[j] * sc[j];
    if (!s.weight.empty()) s.weight[i] = wi;
    if (!s.offset.empty()) s.offset[i] = off;
    if (s.status[i] != 0.0) {
      for (Index j = 0; j < p; ++j) dx[j] += wi * z[j];
    }
  };
  // rows [i, e) where they stand
  auto put_in_place = [&](Index i, Index e) {
    for (Index k = i; k < e; ++k) {
      put(k, rec + k * ld, weight_of(k), s.offset.empty() ? 0.0 : s.offset[k]);
    }
  };
  // right-censored rows, time by time, each time's deaths first
  auto put_runs = [&] {
    Index i = 0;
    while (i < n) {
      // the run [i, e)
      const double* q0 = rec + i * ld;
      Index e = i + 1;
      while (e < n && rec[e * ld + p] == q0[p] &&
             rec[e * ld + p + 2] == q0[p + 2]) {
        ++e;
      }
      const Index len = e - i;
      int deaths = 0;
      double dw = 0.0;
      for (Index k = i; k < e; ++k) {
        const bool death = rec[k * ld + p + 1] != 0.0;
        deaths += death;
        dw += death ? weight_of(k) : 0.0;
      }
      if (deaths == 0 || deaths == len) {
        // nothing to reorder (a single row, say)
        put_in_place(i, e);
      } else {
        run_rec.assign(q0, q0 + len * ld);
        run_w.assign(len, 1.0);
        run_off.assign(len, 0.0);
        if (!s.weight.empty()) {
          std::copy(s.weight.begin() + i, s.weight.begin() + e, run_w.begin());
        }
        if (!s.offset.empty()) {
          std::copy(s.offset.begin() + i, s.offset.begin() + e, run_off.begin());
        }
        // each row to the next slot of its kind, without a branch
        Index od = i, oc = i + deaths;
        for (Index k = 0; k < len; ++k) {
          const double* q = run_rec.data() + k * ld;
          const bool death = q[p + 1] != 0.0;
          put(death ? od : oc, q, run_w[k], run_off[k]);
          od += death;
          oc += !death;
        }
      }
      s.run_start.push_back(static_cast<int>(i));
      s.run_deaths.push_back(deaths);
      s.run_dw.push_back(dw);
      i = e;
    }
    s.run_start.push_back(static_cast<int>(n));
  };
  // ((start, stop] data keep their order: their kernel walks the risk sets
  // by the entry order, which holds positions)
  if (rows.start) {
    put_in_place(0, n);
  } else {
    put_runs();
  }
  if (p > 0 && n > 0) {
    double* q = s.zbuf.release();
    s.zbuf.reset(record_buffer_shrink(q, static_cast<std::size_t>(n) * p *
                                             sizeof(double)));
  }
  return s;
}

CoxFit cox_newton_rows(const SurvData& rows, const double* offset,
                       bool efron, const Eigen::Map<MatrixXd>& x,
                       const Eigen::Map<VectorXd>& init, int max_iter,
                       double eps, double toler_chol, const Poll& poll) {
  return cox_newton(newton_rows(rows, offset, x), efron, init, max_iter, eps,
                    toler_chol, poll);
}

// ---------------------------------------------------------------------------
// Grambsch-Therneau: the score test, at the fitted beta, for adding the
// covariates x * g(t). At each death time the risk-set variance V_k (Efron-
// averaged over the tied deaths) needs the running second moment S2, so this
// pass does O(p^2) work per row; it runs once, not per iteration.
// ---------------------------------------------------------------------------
ZphParts cox_zph(const CoxData& d, const XtRef& xt, const VectorXd& eta,
                 const VectorXd& g, const Poll& poll) {
  const Index n = d.n, p = xt.rows();
  if (xt.cols() != n || eta.size() != n || g.size() != n) {
    throw std::invalid_argument("cox_zph: sizes do not match");
  }
  ZphParts z;
  z.u2 = VectorXd::Zero(p);
  z.i11 = MatrixXd::Zero(p, p);
  z.i12 = MatrixXd::Zero(p, p);
  z.i22 = MatrixXd::Zero(p, p);
  VectorXd wr(n), s1(p), e1(p), a(p), sk(p);
  MatrixXd s2(p, p), e2(p, p), vk(p, p);
  Index b0 = 0;
  while (b0 < n) {
    double mx;
    const Index b1 = stratum_block(d, eta, b0, mx);
    for (Index i = b0; i < b1; ++i) {
      wr[i] = d.w(i) * std::exp(eta[i] - mx);
    }
    double s0 = 0.0;
    s1.setZero();
    s2.setZero();
    auto leave = [&](Index j) {
      s0 -= wr[j];
      s1.noalias() -= wr[j] * xt.col(j);
      s2.noalias() -= wr[j] * xt.col(j) * xt.col(j).transpose();
    };
    auto empty = [&] {
      s0 = 0.0;
      s1.setZero();
      s2.setZero();
    };
    auto enter = [&](Index i) {
      s0 += wr[i];
      s1.noalias() += wr[i] * xt.col(i);
      s2.noalias() += wr[i] * xt.col(i) * xt.col(i).transpose();
    };
    auto at_time = [&](double, Index lo, Index hi) {
      int dcount = 0;
      double dw = 0.0, e0 = 0.0, gk = 0.0;
      e1.setZero();
      e2.setZero();
      sk.setZero();
      for (Index i = hi; i >= lo; --i) {
        if (d.status[i] == 0.0) continue;
        ++dcount;
        dw += d.w(i);
        e0 += wr[i];
        e1.noalias() += wr[i] * xt.col(i);
        e2.noalias() += wr[i] * xt.col(i) * xt.col(i).transpose();
        sk.noalias() += d.w(i) * xt.col(i);
        gk = g[i];
      }
      if (dcount == 0) return;
      vk.setZero();
      const bool efron = d.efron && dcount > 1;
      const int nl = efron ? dcount : 1;
      const double m = efron ? dw / dcount : dw;
      for (int l = 0; l < nl; ++l) {
        const double f = efron ? static_cast<double>(l) / dcount : 0.0;
        const double den = s0 - f * e0;
        a = (s1 - f * e1) / den;
        sk.noalias() -= m * a;
        vk.noalias() += m * ((s2 - f * e2) / den - a * a.transpose());
      }
      z.u2.noalias() += gk * sk;
      z.i11 += vk;
      z.i12 += gk * vk;
      z.i22 += gk * gk * vk;
    };
    walk_risk_sets(d, b0, b1, poll, leave, empty, enter, at_time);
    b0 = b1;
  }
  return z;
}

// ---------------------------------------------------------------------------
// Per-row pieces at a fixed linear predictor, for residuals, the baseline
// hazard and the PH test. x is n x p in the caller's row order and
// x_order[i] (0-based) its row that comes i-th in the sorted order of d.
// ---------------------------------------------------------------------------

// The covariates in sorted order, centred by their weighted mean and
// transposed (p x n).
MatrixXd sorted_centred_t(const CoxData& d, const Eigen::Map<MatrixXd>& x,
                          const int* x_order) {
  const Index n = d.n, p = x.cols();
  if (x.rows() != n) {
    throw std::invalid_argument("cox: x must have one row per observation");
  }
  for (Index i = 0; i < n; ++i) {
    if (x_order[i] < 0 || x_order[i] >= n) {
      throw std::invalid_argument("cox: order out of range");
    }
  }
  MatrixXd xs(n, p);
  for (Index j = 0; j < p; ++j) {
    for (Index i = 0; i < n; ++i) xs(i, j) = x(x_order[i], j);
  }
  const VectorXd weight = d.weight ? VectorXd(Eigen::Map<const VectorXd>(
                                         d.weight, n))
                                   : VectorXd::Ones(n);
  const double sw = weight.sum();
  MatrixXd xt(p, n);
  for (Index j = 0; j < p; ++j) {
    const double mean = xs.col(j).dot(weight) / sw;
    for (Index i = 0; i < n; ++i) xt(j, i) = xs(i, j) - mean;
  }
  return xt;
}

CoxResiduals cox_residuals(const CoxData& d, const Eigen::Map<MatrixXd>& x,
                           const int* x_order, const VectorXd& eta,
                           bool score, const Poll& poll) {
  if (eta.size() != d.n) {
    throw std::invalid_argument("cox: eta must have one value per row");
  }
  check_data(d);
  const MatrixXd xt = sorted_centred_t(d, x, x_order);
  SweepWant want;
  want.cumhaz = true;
  want.score_resid = score;
  const SweepResult r = cox_sweep(d, xt, eta, want, poll);
  const Index n = d.n, p = xt.rows();
  CoxResiduals out;
  out.expected.resize(n);
  for (Index i = 0; i < n; ++i) {
    out.expected[i] = std::exp(eta[i] - r.shift[d.strata[i]]) * r.cumhaz[i];
  }
  if (!score) return out;
  out.score.resize(n, p);
  out.xbar.resize(n, p);
  for (Index i = 0; i < n; ++i) {
    const double ri = std::exp(eta[i] - r.shift[d.strata[i]]);
    for (Index j = 0; j < p; ++j) {
      const double dev = d.status[i] != 0.0 ? xt(j, i) - r.abar(j, i) : 0.0;
      out.score(i, j) = dev - ri * (xt(j, i) * r.cumhaz[i] - r.bsum(j, i));
      out.xbar(i, j) = r.abar(j, i) + (x(x_order[i], j) - xt(j, i));
    }
  }
  return out;
}

SweepResult cox_baseline(const CoxData& d, const VectorXd& eta,
                         const Poll& poll) {
  if (eta.size() != d.n) {
    throw std::invalid_argument("cox: eta must have one value per row");
  }
  check_data(d);
  SweepWant want;
  want.per_time = true;
  return cox_sweep(d, MatrixXd(0, d.n), eta, want, poll);
}

ZphTest cox_zph_test(const CoxData& d, const Eigen::Map<MatrixXd>& x,
                     const int* x_order, const VectorXd& eta,
                     const VectorXd& g, const Poll& poll) {
  if (eta.size() != d.n || g.size() != d.n) {
    throw std::invalid_argument("cox: eta and g must have one value per row");
  }
  check_data(d);
  const MatrixXd xt = sorted_centred_t(d, x, x_order);
  const ZphParts z = cox_zph(d, xt, eta, g, poll);
  const Index p = xt.rows();
  ZphTest out;
  out.u = z.u2;
  out.imat.resize(2 * p, 2 * p);
  out.imat << z.i11, z.i12, z.i12.transpose(), z.i22;
  return out;
}

}  // namespace cohortsurv
