// Cox proportional-hazards kernel: declarations (pure C++, no R API).
#ifndef COHORTSURV_COX_H
#define COHORTSURV_COX_H

#include <Eigen/Dense>
#include <cstdlib>
#include <memory>
#include <vector>

#include "interrupt.h"
#include "surv_data.h"

namespace cohortsurv {

// Views on the data of one Cox model: a SurvData (surv_data.h) whose rows
// are stored sorted by stratum and then by stop time (any order among equal
// times), so order is null and m = n; weight is null (every weight 1) or
// n weights > 0; entry (counting process) holds 0-based positions in the
// sorted rows, sorted by stratum then start. Plus the offsets (null: all
// zero) and the ties method.
// The covariates of the sorted rows, p x n, column i the row at sorted
// position i (a MatrixXd or a Map on a buffer; stored contiguously).
using XtRef = Eigen::Ref<const Eigen::MatrixXd>;

struct CoxData : SurvData {
  const double* offset = nullptr;  // n offsets (added to the linear predictor)
  bool efron = true;
  double off(Eigen::Index i) const { return offset ? offset[i] : 0.0; }
};

// What one sweep over the data should compute besides the log partial
// likelihood.
struct SweepWant {
  bool score = false;     // U, the score vector
  bool info = false;      // the information matrix
  bool cumhaz = false;    // per row: c_i, the (Efron-corrected) baseline
                          // hazard accumulated while at risk
  bool score_resid = false;  // per row: B_i (needs cumhaz) and abar
  bool per_time = false;  // per distinct time: counts and hazard
  // with `score`: the sum over deaths of w x (p values), which does not
  // change between Newton iterations, given instead of summed again
  const double* death_xsum = nullptr;
};

// A SweepResult can be passed back to cox_sweep() on the same data: its
// buffers (and the work space) are then reused, not reallocated.
struct SweepResult {
  double loglik = 0.0;
  Eigen::VectorXd score;        // p
  Eigen::MatrixXd info;         // p x p
  Eigen::VectorXd cumhaz;       // n (want.cumhaz or score_resid): c_i, on
                                // the scale of exp(eta - shift of its stratum)
  std::vector<double> shift;    // n_strata: the shift of each stratum
  Eigen::MatrixXd bsum;         // p x n: B_i
  Eigen::MatrixXd abar;         // p x n: Efron-averaged risk-set mean at
                                // each death row's time (zero elsewhere)
  // per distinct stop time (per_time):
  std::vector<int> t_strata;
  std::vector<double> t_time, t_nrisk, t_nevent, t_hazard;
  // work space: w exp(eta - shift) per row, the time index at which each
  // row entered (kadd) and left (kout) the risk set
  Eigen::VectorXd wr;
  std::vector<int> kadd, kout;
};

// One backward pass per stratum at linear predictor eta (n), with
// covariates xt (p x n, rows in sorted order).
SweepResult cox_sweep(const CoxData& d, const XtRef& xt,
                      const Eigen::VectorXd& eta, const SweepWant& want,
                      const Poll& poll = Poll());
// The same into `out`, reusing its buffers (the Newton iteration).
void cox_sweep(const CoxData& d, const XtRef& xt,
               const Eigen::VectorXd& eta, const SweepWant& want,
               const Poll& poll, SweepResult& out);

struct CoxFit {
  Eigen::VectorXd beta;     // p, on the original covariate scale
  Eigen::MatrixXd var;      // p x p inverse information (zero rows for
                            // aliased columns)
  Eigen::VectorXd score;    // score at the final beta
  std::vector<int> singular;  // 1 for columns with a zero pivot at the end
  std::vector<int> singular_init;  // ... and at the initial values
  double loglik_init = 0.0, loglik = 0.0, score_test = 0.0;
  int iter = 0;
  bool converged = true;
  // counting-process data: the linear predictors of a stratum spanned more
  // than 650 at the initial values or the estimate (nothing else is set)
  bool eta_span = false;
  Eigen::VectorXd mean_w, mean_u;  // weighted and plain covariate means
  std::vector<int> zero_one;       // 1 for columns coded only -1, 0, 1
};

// Frees a buffer of newton_rows() (allocated aligned).
void record_buffer_free(double* q);

// The rows of an unsorted SurvData `rows` (its order, and for counting-
// process data its entry order, given: m = n) as the Newton kernel reads
// them, made by newton_rows() in one pass through the rows: stop, status,
// stratum, any weights, offsets (null: all zero) and start times, copied to
// their sorted positions (right-censored data: the rows of each time
// deaths first, run_start below); and the covariates x (n x p, the rows' order)
// centred by their weighted means and scaled by sw / (weighted mean
// absolute deviation), as coxph does internally, in zt (p x n, sorted
// order). view() is the CoxData on the copies (valid while this object
// lives).
struct NewtonRows {
  std::vector<double> stop, status, weight, offset, start;
  std::vector<int> strata, entry;
  int n_strata = 1;
  // the p x n standardised covariates, column i the row at sorted
  // position i, in a buffer of malloc (zt() is a view on it)
  struct Free {
    void operator()(double* q) const { record_buffer_free(q); }
  };
  std::unique_ptr<double, Free> zbuf;
  Eigen::Index p = 0;
  Eigen::Map<const Eigen::MatrixXd> zt() const {
    return Eigen::Map<const Eigen::MatrixXd>(zbuf.get(), p,
                                             static_cast<Eigen::Index>(stop.size()));
  }
  Eigen::VectorXd mean_w, mean_u;       // weighted and plain means
  Eigen::VectorXd scale;                // p scale factors
  std::vector<int> zero_one;            // 1 for columns coded -1, 0, 1
  Eigen::VectorXd death_xsum;           // sum over deaths of w zt
  // right-censored data: the rows of each time (one stratum, one stop
  // time) stored deaths first; run_start[k] is the first row of the k-th
  // time, with run_start.back() = n, run_deaths[k] its deaths and run_dw[k]
  // their weight. Empty for (start, stop] data.
  std::vector<int> run_start, run_deaths;
  std::vector<double> run_dw;
  CoxData view(bool efron) const;
};
// The wall-clock seconds of each of `reps` Newton sweeps (log likelihood,
// score and information) of right-censored rows at beta (original scale),
// setup excluded: for inst/bench/bench-cox-kernel.R, which reports the
// nanoseconds per row of one sweep.
std::vector<double> cox_sweep_seconds(const NewtonRows& s, bool efron,
                                      const Eigen::Map<Eigen::VectorXd>& beta,
                                      int reps);
// Efron's scalar sums of one time with d tied deaths (risk-set sum s0,
// deaths' sum e0, 0 <= e0 <= s0, s0 > 0, d >= 1) as the Newton sweep
// computes them (with the AVX2 kernel unless cox_set_simd(false)):
// q0, q1, r0, r1, r2 and the sum of log den_l (cox.cpp, EfronSums). For
// the tests.
std::vector<double> cox_efron_sums(double s0, double e0, int d);

// Allows (true) or forbids the AVX2 kernel of the Newton sweep's sums of
// outer products (x86-64 processors with AVX2 and FMA; elsewhere there is
// only the baseline kernel). Returns whether the AVX2 kernel is used from
// now on. For tests, which compare the two kernels on one machine.
bool cox_set_simd(bool allow);

NewtonRows newton_rows(const SurvData& rows, const double* offset,
                       const Eigen::Map<Eigen::MatrixXd>& x);

// Newton-Raphson with step halving, the rule of survival's coxph:
// stop when |1 - loglik_old / loglik_new| <= eps (not while halving), on
// the standardised covariates of `s` (estimates returned on the original
// scale).
CoxFit cox_newton(const NewtonRows& s, bool efron,
                  const Eigen::Map<Eigen::VectorXd>& init, int max_iter,
                  double eps, double toler_chol, const Poll& poll = Poll());

// cox_newton() on unsorted rows (newton_rows(), then the fit). x is n x p
// in the rows' order.
CoxFit cox_newton_rows(const SurvData& rows, const double* offset,
                       bool efron, const Eigen::Map<Eigen::MatrixXd>& x,
                       const Eigen::Map<Eigen::VectorXd>& init, int max_iter,
                       double eps, double toler_chol,
                       const Poll& poll = Poll());

// The 0-based position of the first value of x[0..n) that is not finite
// (NA, NaN, Inf), or -1: one pass, for the check of a design matrix.
Eigen::Index first_nonfinite(const double* x, Eigen::Index n);

// b' V^- b with V^- the generalised inverse of the symmetric (V + V')/2
// from its eigendecomposition: directions whose eigenvalue is at most
// toler times the largest (or not positive) are dropped, so that aliased
// directions are ignored (the Wald and score tests).
double quad_form_pinv(const Eigen::MatrixXd& v, const Eigen::VectorXd& b,
                      double toler);

// Generalised Cholesky (LDL') of a symmetric non-negative definite matrix:
// pivots below toler * (largest diagonal) are set to zero and their
// columns treated as aliased. Returns the rank.
struct Ldl {
  Eigen::MatrixXd l;  // unit lower triangle, d on the diagonal
  std::vector<int> singular;
  int rank = 0;
};
Ldl ldl_decompose(const Eigen::MatrixXd& a, double toler);
Eigen::VectorXd ldl_solve(const Ldl& f, const Eigen::VectorXd& b);
Eigen::MatrixXd ldl_inverse(const Ldl& f);

// Grambsch-Therneau score test pieces at fixed eta: with g (n, the
// transformed time of each row), returns u2 = sum_k g_k s_k (p),
// and the blocks I11 = sum V_k, I12 = sum g_k V_k, I22 = sum g_k^2 V_k.
struct ZphParts {
  Eigen::VectorXd u2;
  Eigen::MatrixXd i11, i12, i22;
};
ZphParts cox_zph(const CoxData& d, const XtRef& xt,
                 const Eigen::VectorXd& eta, const Eigen::VectorXd& g,
                 const Poll& poll = Poll());

// Per-row pieces of the residuals at linear predictor eta (n, sorted
// order): expected, the martingale compensator exp(eta) c; with score, the
// score residuals (n x p) and xbar, the Efron-averaged risk-set mean at each
// death (n x p; rows of censored rows unused). x is n x p in the caller's
// row order, x_order as for cox_newton().
struct CoxResiduals {
  Eigen::VectorXd expected;
  Eigen::MatrixXd score, xbar;
};
CoxResiduals cox_residuals(const CoxData& d,
                           const Eigen::Map<Eigen::MatrixXd>& x,
                           const int* x_order, const Eigen::VectorXd& eta,
                           bool score, const Poll& poll = Poll());

// The baseline hazard increments at eta: cox_sweep() per distinct time.
SweepResult cox_baseline(const CoxData& d, const Eigen::VectorXd& eta,
                         const Poll& poll = Poll());

// The Grambsch-Therneau score vector u (p) and information imat (2p x 2p)
// at eta for the time transform g (n values, sorted order).
struct ZphTest {
  Eigen::VectorXd u;
  Eigen::MatrixXd imat;
};
ZphTest cox_zph_test(const CoxData& d, const Eigen::Map<Eigen::MatrixXd>& x,
                     const int* x_order, const Eigen::VectorXd& eta,
                     const Eigen::VectorXd& g, const Poll& poll = Poll());

}  // namespace cohortsurv

#endif
