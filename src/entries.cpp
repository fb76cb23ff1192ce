// R entry points: every Rcpp::export of the package. Each is one line that
// converts its arguments and forwards to a kernel; the kernels (km.cpp,
// logrank.cpp, cox.cpp) are pure C++ on SurvData views (surv_data.h) and
// know nothing of R. Conversions, shared here:
//   surv_view()  R's cs_surv_data list (R/surv-data.R: stop, status and
//                start, or the response matrix y; weights, strata,
//                n_strata, order, entry; orders 0-based) -> SurvData,
//                without copying;
//   cox_view()   surv_sorted()'s list (the same fields stored in sorted
//                order, entry as sorted positions, plus offset) -> CoxData.
// A bad input throws (Rcpp turns it into an R error); nothing here or in a
// kernel calls Rf_error. Kernels poll for interrupts through r_poll().

#include <RcppEigen.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "cif.h"
#include "codes.h"
#include "concordance.h"
#include "cox.h"
#include "cox_curves.h"
#include "km.h"
#include "logrank.h"

namespace {

using Eigen::Map;
using Eigen::MatrixXd;
using Eigen::VectorXd;

cohortsurv::Poll r_poll() {
  return cohortsurv::Poll([] { Rcpp::checkUserInterrupt(); });
}

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("surv_data: " + what);
}

// A vector as a pointer to its n values (nullptr when it is NULL or empty
// and `optional`), refusing the wrong type or length: no coercion, so the
// pointer stays valid while the argument lives.
const double* dbl(SEXP v, R_xlen_t n, const char* name,
                  bool optional = false) {
  if (optional && (Rf_isNull(v) || Rf_xlength(v) == 0)) return nullptr;
  if (TYPEOF(v) != REALSXP || Rf_xlength(v) != n) {
    bad(std::string("`") + name + "` must be a double vector of length " +
        std::to_string(n));
  }
  return REAL(v);
}

const int* ints(SEXP v, R_xlen_t n, const char* name, bool optional = false) {
  if (optional && (Rf_isNull(v) || Rf_xlength(v) == 0)) return nullptr;
  if (TYPEOF(v) != INTSXP || Rf_xlength(v) != n) {
    bad(std::string("`") + name + "` must be an integer vector of length " +
        std::to_string(n));
  }
  return INTEGER(v);
}

SEXP field(const Rcpp::List& l, const char* name) {
  return l.containsElementNamed(name) ? SEXP(l[name]) : R_NilValue;
}

int n_strata(const Rcpp::List& l) {
  SEXP v = field(l, "n_strata");
  if (Rf_xlength(v) != 1) bad("`n_strata` must be one number");
  return Rf_asInteger(v);
}

// The columns of the response matrix `y` (stop, status; start, stop,
// status) as the stop, status and start of d.
void columns_of(SEXP y, cohortsurv::SurvData& d) {
  if (TYPEOF(y) != REALSXP || !Rf_isMatrix(y) ||
      (Rf_ncols(y) != 2 && Rf_ncols(y) != 3)) {
    bad("`y` must be a double matrix of 2 or 3 columns");
  }
  const R_xlen_t n = Rf_nrows(y);
  const int k = Rf_ncols(y);
  d.n = n;
  d.stop = REAL(y) + (k - 2) * n;
  d.status = REAL(y) + (k - 1) * n;
  d.start = k == 3 ? REAL(y) : nullptr;
}

cohortsurv::SurvData surv_view(const Rcpp::List& sd) {
  cohortsurv::SurvData d;
  SEXP y = field(sd, "y");
  if (!Rf_isNull(y)) {
    columns_of(y, d);
  } else {
    d.n = Rf_xlength(field(sd, "status"));
    d.stop = dbl(field(sd, "stop"), d.n, "stop");
    d.status = dbl(field(sd, "status"), d.n, "status");
    d.start = dbl(field(sd, "start"), d.n, "start", true);
  }
  const R_xlen_t n = d.n;
  d.weight = dbl(field(sd, "weights"), n, "weights", true);
  d.strata = ints(field(sd, "strata"), n, "strata");
  d.n_strata = n_strata(sd);
  SEXP order = field(sd, "order");
  d.m = Rf_isNull(order) ? n : Rf_xlength(order);
  d.order = ints(order, d.m, "order", true);
  d.entry = d.start ? ints(field(sd, "entry"), d.m, "entry", !d.order)
                    : nullptr;
  cohortsurv::check_surv_data(d, "surv_data");
  return d;
}

cohortsurv::CoxData cox_view(const Rcpp::List& so, bool efron) {
  cohortsurv::CoxData d;
  const R_xlen_t n = Rf_xlength(field(so, "status"));
  d.n = d.m = n;
  d.stop = dbl(field(so, "stop"), n, "stop");
  d.status = dbl(field(so, "status"), n, "status");
  d.weight = dbl(field(so, "weights"), n, "weights", true);  // NULL: all 1
  d.offset = dbl(field(so, "offset"), n, "offset", true);    // NULL: all 0
  d.strata = ints(field(so, "strata"), n, "strata");
  d.n_strata = n_strata(so);
  d.start = dbl(field(so, "start"), n, "start", true);
  d.entry = d.start ? ints(field(so, "entry"), n, "entry") : nullptr;
  d.efron = efron;
  cohortsurv::check_surv_data(d, "cox");
  return d;
}

// A 0-based order of n rows (range checked by the kernel that reads it).
const int* order_of(const Rcpp::IntegerVector& o, Eigen::Index n) {
  return ints(o, n, "order");
}

Rcpp::List to_list(const cohortsurv::KmCurves& x) {
  return Rcpp::List::create(
      Rcpp::Named("strata") = x.strata, Rcpp::Named("time") = x.time,
      Rcpp::Named("n_risk") = x.n_risk, Rcpp::Named("n_event") = x.n_event,
      Rcpp::Named("n_censor") = x.n_censor, Rcpp::Named("surv") = x.surv,
      Rcpp::Named("std_err") = x.std_err,
      Rcpp::Named("lower") = x.lower, Rcpp::Named("upper") = x.upper,
      Rcpp::Named("cumhaz") = x.cumhaz, Rcpp::Named("std_chaz") = x.std_chaz);
}

// A double vector with NaN as NA, as nan_to_na() (R/km.R) makes it.
Rcpp::NumericVector na_doubles(const std::vector<double>& x) {
  Rcpp::NumericVector out(Rcpp::no_init(x.size()));
  double* o = out.begin();
  for (std::size_t i = 0; i < x.size(); ++i) {
    o[i] = std::isnan(x[i]) ? NA_REAL : x[i];
  }
  return out;
}

// The curves of km_engine() (R/km.R) when `levels` is given: a data frame
// whose strata column is a factor of those levels (the codes plus one) and
// whose lower, upper and std_chaz have NA for NaN, as code_factor(),
// nan_to_na() and new_frame() make them; to_list() otherwise.
SEXP km_curves(const cohortsurv::KmCurves& x, SEXP levels) {
  if (Rf_isNull(levels)) return to_list(x);
  if (TYPEOF(levels) != STRSXP) bad("`levels` must be a character vector");
  const int k = Rf_length(levels);
  Rcpp::IntegerVector strata(Rcpp::no_init(x.strata.size()));
  for (std::size_t i = 0; i < x.strata.size(); ++i) {
    if (x.strata[i] < 0 || x.strata[i] >= k) bad("a stratum has no level");
    strata[i] = x.strata[i] + 1;
  }
  strata.attr("levels") = levels;
  strata.attr("class") = "factor";
  Rcpp::List cols = Rcpp::List::create(
      Rcpp::Named("strata") = strata, Rcpp::Named("time") = x.time,
      Rcpp::Named("n_risk") = x.n_risk, Rcpp::Named("n_event") = x.n_event,
      Rcpp::Named("n_censor") = x.n_censor, Rcpp::Named("surv") = x.surv,
      Rcpp::Named("std_err") = x.std_err,
      Rcpp::Named("lower") = na_doubles(x.lower),
      Rcpp::Named("upper") = na_doubles(x.upper),
      Rcpp::Named("cumhaz") = x.cumhaz,
      Rcpp::Named("std_chaz") = na_doubles(x.std_chaz));
  const int nr = static_cast<int>(x.time.size());
  cols.attr("class") = "data.frame";
  cols.attr("row.names") = nr > 0 ? Rcpp::IntegerVector::create(NA_INTEGER, -nr)
                                  : Rcpp::IntegerVector(0);
  return cols;
}

Rcpp::List to_list(const cohortsurv::LogrankTables& x) {
  return Rcpp::List::create(
      Rcpp::Named("observed") = x.observed,
      Rcpp::Named("expected") = x.expected,
      Rcpp::Named("events") = x.events, Rcpp::Named("n") = x.n,
      Rcpp::Named("variance") = x.variance,
      Rcpp::Named("statistic") = x.statistic, Rcpp::Named("df") = x.df);
}

Rcpp::List to_list(const cohortsurv::CoxFit& f) {
  return Rcpp::List::create(
      Rcpp::Named("beta") = f.beta, Rcpp::Named("var") = f.var,
      Rcpp::Named("score") = f.score, Rcpp::Named("singular") = f.singular,
      Rcpp::Named("loglik") =
          Rcpp::NumericVector::create(f.loglik_init, f.loglik),
      Rcpp::Named("score_test") = f.score_test, Rcpp::Named("iter") = f.iter,
      Rcpp::Named("converged") = f.converged,
      Rcpp::Named("mean_w") = f.mean_w, Rcpp::Named("mean_u") = f.mean_u,
      Rcpp::Named("zero_one") = f.zero_one,
      Rcpp::Named("singular_init") = f.singular_init,
      Rcpp::Named("eta_span") = f.eta_span);
}

Rcpp::List to_list(const cohortsurv::CoxResiduals& r) {
  if (r.score.size() == 0 && r.xbar.size() == 0) {
    return Rcpp::List::create(Rcpp::Named("expected") = r.expected);
  }
  return Rcpp::List::create(Rcpp::Named("expected") = r.expected,
                            Rcpp::Named("score") = r.score,
                            Rcpp::Named("xbar") = r.xbar);
}

Rcpp::List to_list(const cohortsurv::SweepResult& r) {
  return Rcpp::List::create(
      Rcpp::Named("strata") = r.t_strata, Rcpp::Named("time") = r.t_time,
      Rcpp::Named("n_risk") = r.t_nrisk, Rcpp::Named("n_event") = r.t_nevent,
      Rcpp::Named("hazard") = r.t_hazard);
}

Rcpp::List to_list(const cohortsurv::ZphTest& z) {
  return Rcpp::List::create(Rcpp::Named("u") = z.u,
                            Rcpp::Named("imat") = z.imat);
}

Rcpp::NumericVector to_vector(const cohortsurv::ValueRange& g) {
  return Rcpp::NumericVector::create(g.min, g.max, g.whole ? 1.0 : 0.0,
                                     static_cast<double>(g.n_nan));
}

// Column j (0-based) of a numeric matrix, range checked.
const double* column(const Map<MatrixXd>& y, int j) {
  if (j < 0 || j >= y.cols()) bad("column index out of range");
  return y.data() + static_cast<Eigen::Index>(j) * y.rows();
}

// The 0-based codes of a factor (its codes minus one), in one pass.
Rcpp::IntegerVector codes0(const Rcpp::IntegerVector& f) {
  Rcpp::IntegerVector out(Rcpp::no_init(f.size()));
  const int* in = f.begin();
  int* o = out.begin();
  for (R_xlen_t i = 0; i < f.size(); ++i) {
    o[i] = in[i] == NA_INTEGER ? NA_INTEGER : in[i] - 1;
  }
  return out;
}

}  // namespace

// The km kernels: the curves as a list, or with `levels` as km_engine()'s
// data frame (km_curves()).
// [[Rcpp::export(rng = false)]]
SEXP cpp_km(const Rcpp::List sd, int conf_type, double z, int haz_type = 1, SEXP levels = R_NilValue) {
  return km_curves(cohortsurv::km_fit(surv_view(sd), conf_type, z, haz_type, r_poll()), levels);
}

// [[Rcpp::export(rng = false)]]
SEXP cpp_km_robust(const Rcpp::List sd, const Rcpp::IntegerVector cluster, int n_cluster, int method, int conf_type, double z, int haz_type = 1, SEXP levels = R_NilValue) {
  return km_curves(cohortsurv::km_fit_robust(surv_view(sd), ints(cluster, Rf_xlength(field(sd, "strata")), "cluster"), n_cluster, method, conf_type, z, haz_type, r_poll()), levels);
}

// [[Rcpp::export(rng = false)]]
SEXP cpp_km_binned(const Rcpp::List sd, double tmin, int n_bins, int conf_type, double z, int haz_type = 1, SEXP levels = R_NilValue) {
  return km_curves(cohortsurv::km_fit_binned(surv_view(sd), tmin, n_bins, conf_type, z, haz_type, r_poll()), levels);
}

// The sum of column `col` (0-based) of a double matrix, read in place.
// [[Rcpp::export(rng = false)]]
double cpp_column_sum(const Eigen::Map<Eigen::MatrixXd> y, int col) {
  return Eigen::Map<const Eigen::VectorXd>(column(y, col), y.rows()).sum();
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_value_range(const Eigen::Map<Eigen::MatrixXd> y, int col) {
  return to_vector(cohortsurv::value_range(column(y, col), y.rows()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_column(const Eigen::Map<Eigen::MatrixXd> y, int col) {
  return Rcpp::NumericVector(column(y, col), column(y, col) + y.rows());
}

// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_codes0(const Rcpp::IntegerVector f) {
  return codes0(f);
}

// A factor's 0-based codes and the rows of each of its k levels,
// list(codes, counts), when every code is in 1..k and every level is used;
// NULL otherwise (new_surv_data() then takes its general path).
// [[Rcpp::export(rng = false)]]
SEXP cpp_factor_codes0(const Rcpp::IntegerVector f, int k) {
  if (k < 1) return R_NilValue;
  Rcpp::IntegerVector counts(k);
  Rcpp::IntegerVector out(Rcpp::no_init(f.size()));
  const int* in = f.begin();
  int* o = out.begin();
  int* c = counts.begin();
  for (R_xlen_t i = 0; i < f.size(); ++i) {
    const int v = in[i];
    if (v < 1 || v > k) return R_NilValue;  // NA is INT_MIN
    ++c[v - 1];
    o[i] = v - 1;
  }
  for (int j = 0; j < k; ++j) {
    if (c[j] == 0) return R_NilValue;
  }
  return Rcpp::List::create(Rcpp::Named("codes") = out, Rcpp::Named("counts") = counts);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_logrank(const Rcpp::List sd, const Rcpp::IntegerVector group, int n_groups, int weight_type, double rho, double gamma) {
  return to_list(cohortsurv::logrank_tables(surv_view(sd), ints(group, Rf_xlength(field(sd, "strata")), "group"), n_groups, weight_type, rho, gamma, r_poll()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_logrank_binned(const Rcpp::List sd, const Rcpp::IntegerVector bin, const Rcpp::IntegerVector group, int n_bins, int n_groups, int weight_type, double rho, double gamma) {
  return to_list(cohortsurv::logrank_tables_binned(surv_view(sd), ints(bin, group.size(), "bin"), ints(group, Rf_xlength(field(sd, "strata")), "group"), n_bins, n_groups, weight_type, rho, gamma, r_poll()));
}

namespace {

// logrank_fit() and logrank() in one call (cpp_logrank_fit()): the vectors
// as R holds them, checked, coded and counted in C++, and the cs_logrank
// object built here, so that the R wrappers do almost nothing. Every
// input this path does not take (classed or character vectors, missing or
// bad values, one group, fractional group values, too many cells for the
// counting route on a large data set, times that timefix would merge) gives
// NULL, and R takes its general path, whose checks name the first bad row.

// A grouping vector's codes and labels: a factor (codes of the levels
// used, labels those levels) or a plain integer, logical or double vector
// (labels as.character() of the distinct values, as factor() makes them).
struct LogrankLevels {
  bool ok = false;
  cohortsurv::LevelCodes codes;
  Rcpp::RObject labels;  // NULL unless ok
};

LogrankLevels logrank_levels(SEXP x, R_xlen_t n, double max_span) {
  LogrankLevels out;
  if (Rf_xlength(x) != n) return out;
  const bool factor = Rf_isFactor(x);
  if (!factor && OBJECT(x)) return out;
  const int type = TYPEOF(x);
  SEXP lev = factor ? Rf_getAttrib(x, R_LevelsSymbol) : R_NilValue;
  if (factor) {
    if (TYPEOF(lev) != STRSXP) return out;
    // codes in 1..nlevels (factor_codes() refuses any other)
    out.codes = cohortsurv::factor_codes(INTEGER(x), n, Rf_length(lev));
  } else if (type == INTSXP || type == LGLSXP) {
    out.codes = cohortsurv::level_codes(INTEGER(x), n, max_span);
  } else if (type == REALSXP) {
    out.codes = cohortsurv::level_codes(REAL(x), n, max_span);
  } else {
    return out;
  }
  if (!out.codes.ok) return out;
  const std::vector<double>& v = out.codes.values;
  const R_xlen_t k = static_cast<R_xlen_t>(v.size());
  if (factor) {
    Rcpp::CharacterVector labels(k);
    for (R_xlen_t j = 0; j < k; ++j) {
      SET_STRING_ELT(labels, j,
                     STRING_ELT(lev, static_cast<R_xlen_t>(v[j]) - 1));
    }
    out.labels = labels;
  } else {
    // as.character() of the distinct values: R's own coercion
    Rcpp::RObject vals = Rf_allocVector(type, k);
    for (R_xlen_t j = 0; j < k; ++j) {
      if (type == REALSXP) {
        REAL(vals)[j] = v[j];
      } else {
        INTEGER(vals)[j] = static_cast<int>(v[j]);  // LOGICAL is INTEGER
      }
    }
    out.labels = Rf_coerceVector(vals, STRSXP);
  }
  out.ok = true;
  return out;
}

// A factor of codes 1..k (`each` times each, the whole repeated `times`).
SEXP logrank_factor(SEXP labels, int each, int times) {
  const int k = Rf_length(labels);
  SEXP f = PROTECT(Rf_allocVector(INTSXP, static_cast<R_xlen_t>(k) * each * times));
  int* p = INTEGER(f);
  for (int t = 0; t < times; ++t) {
    for (int j = 1; j <= k; ++j) {
      for (int e = 0; e < each; ++e) *p++ = j;
    }
  }
  Rf_setAttrib(f, R_LevelsSymbol, labels);
  Rf_setAttrib(f, R_ClassSymbol, Rf_mkString("factor"));
  UNPROTECT(1);
  return f;
}

// A data frame of the named columns (row.names in R's compact form).
SEXP logrank_frame(Rcpp::List cols) {
  const int nr = Rf_length(cols[0]);
  // attributes in new_frame()'s order, so that dput() shows the same
  cols.attr("class") = "data.frame";
  cols.attr("row.names") = Rcpp::IntegerVector::create(NA_INTEGER, -nr);
  return cols;
}

// rowSums() of a k x s matrix as R computes it (long double accumulation).
Rcpp::NumericVector row_sums(const Eigen::MatrixXd& m) {
  Rcpp::NumericVector out(m.rows());
  for (Eigen::Index g = 0; g < m.rows(); ++g) {
    long double s = 0.0;
    for (Eigen::Index j = 0; j < m.cols(); ++j) s += m(g, j);
    out[g] = static_cast<double>(s);
  }
  return out;
}

Rcpp::NumericVector as_vector(const Eigen::MatrixXd& m) {
  return Rcpp::NumericVector(m.data(), m.data() + m.size());
}

// The cs_logrank object of logrank_engine() from the tables x: groups,
// variance, statistic, df, p_value, method, by_stratum (when stratified),
// then the `settings` list's elements; class "cs_logrank".
SEXP logrank_object(const cohortsurv::LogrankTables& x, SEXP glev,
                    SEXP slev, SEXP method, const Rcpp::List& settings) {
  const int k = Rf_length(glev);
  const Rcpp::NumericVector obs = row_sums(x.observed);
  const Rcpp::NumericVector expct = row_sums(x.expected);
  Rcpp::NumericVector ome(k), vdiag(k);
  for (int g = 0; g < k; ++g) {
    ome[g] = obs[g] - expct[g];
    vdiag[g] = x.variance(g, g);
  }
  Rcpp::NumericMatrix v(k, k, x.variance.data());
  v.attr("dimnames") = Rcpp::List::create(glev, glev);
  Rcpp::List groups = Rcpp::List::create(
      Rcpp::Named("group") = logrank_factor(glev, 1, 1),
      Rcpp::Named("n") = row_sums(x.n),
      Rcpp::Named("events") = row_sums(x.events),
      Rcpp::Named("observed") = obs, Rcpp::Named("expected") = expct,
      Rcpp::Named("o_minus_e") = ome, Rcpp::Named("variance") = vdiag);
  const double p = x.df < 1 ? NA_REAL
                            : R::pchisq(x.statistic, x.df, false, false);
  const bool stratified = !Rf_isNull(slev);
  const R_xlen_t n_head = stratified ? 7 : 6;
  const R_xlen_t n_set = settings.size();
  Rcpp::List out(n_head + n_set);
  Rcpp::CharacterVector nm(n_head + n_set);
  out[0] = logrank_frame(groups);
  out[1] = v;
  out[2] = x.statistic;
  out[3] = static_cast<int>(x.df);
  out[4] = p;
  out[5] = method;
  const char* head[] = {"groups", "variance", "statistic", "df",
                        "p_value", "method", "by_stratum"};
  for (R_xlen_t j = 0; j < n_head; ++j) nm[j] = head[j];
  if (stratified) {
    const int s = Rf_length(slev);
    out[6] = logrank_frame(Rcpp::List::create(
        Rcpp::Named("stratum") = logrank_factor(slev, k, 1),
        Rcpp::Named("group") = logrank_factor(glev, 1, s),
        Rcpp::Named("n") = as_vector(x.n),
        Rcpp::Named("events") = as_vector(x.events),
        Rcpp::Named("observed") = as_vector(x.observed),
        Rcpp::Named("expected") = as_vector(x.expected)));
  }
  const Rcpp::CharacterVector snm = settings.names();
  for (R_xlen_t j = 0; j < n_set; ++j) {
    out[n_head + j] = settings[j];
    nm[n_head + j] = snm[j];
  }
  out.attr("names") = nm;
  out.attr("class") = "cs_logrank";
  return out;
}

// limits: c(max_cells, max_sort, max_span, max_time): the counting route
// when the cells are at most max_cells, else the sorting route when n is at
// most max_sort (else NULL: R's radix sort is faster there); grouping
// vectors of span at most max_span; NULL unless every time is a whole
// number below max_time (Inf: any time).
SEXP logrank_fit_r(SEXP time, SEXP status, SEXP group, SEXP strata,
                   int weight_type, double rho, double gamma,
                   const Rcpp::NumericVector& limits, SEXP method,
                   const Rcpp::List& settings) {
  if (limits.size() != 4) bad("`limits` must have 4 elements");
  cohortsurv::LogrankVectors v;
  // time and status, or the response matrix (time, status) as `time`
  SEXP st = status;
  R_xlen_t n;
  if (Rf_isNull(status)) {
    if (TYPEOF(time) != REALSXP || !Rf_isMatrix(time) || Rf_ncols(time) != 2) {
      return R_NilValue;
    }
    n = Rf_nrows(time);
    v.time_d = REAL(time);
    v.status_d = REAL(time) + n;
  } else {
    n = Rf_xlength(time);
    if (OBJECT(time) || OBJECT(st) || Rf_xlength(st) != n) return R_NilValue;
    if (TYPEOF(time) == REALSXP) {
      v.time_d = REAL(time);
    } else if (TYPEOF(time) == INTSXP) {
      v.time_i = INTEGER(time);
    } else {
      return R_NilValue;
    }
    if (TYPEOF(st) == REALSXP) {
      v.status_d = REAL(st);
    } else if (TYPEOF(st) == INTSXP || TYPEOF(st) == LGLSXP) {
      v.status_i = INTEGER(st);
    } else {
      return R_NilValue;
    }
  }
  if (n < 1 || n > 2147483647) return R_NilValue;
  v.n = n;
  const cohortsurv::LogrankTimeRange r = cohortsurv::logrank_time_range(v);
  if (!r.clean || !(r.max < limits[3] && (r.whole || !std::isfinite(limits[3])))) {
    return R_NilValue;
  }
  const LogrankLevels g = logrank_levels(group, n, limits[2]);
  if (!g.ok || g.codes.values.size() < 2) return R_NilValue;
  LogrankLevels s;
  if (!Rf_isNull(strata)) {
    s = logrank_levels(strata, n, limits[2]);
    if (!s.ok) return R_NilValue;
  }
  // the codes made, or the caller's integers less an offset
  const bool gx = g.codes.code.empty(), sx = s.codes.code.empty();
  v.group = gx ? INTEGER(group) : g.codes.code.data();
  v.group_offset = gx ? g.codes.offset : 0;
  v.n_groups = static_cast<int>(g.codes.values.size());
  if (s.ok) {
    v.strata = sx ? INTEGER(strata) : s.codes.code.data();
    v.strata_offset = sx ? s.codes.offset : 0;
    v.n_strata = static_cast<int>(s.codes.values.size());
  }
  if (!(cohortsurv::logrank_cells(v, r) <= limits[0]) && n > limits[1]) {
    return R_NilValue;
  }
  return logrank_object(
      cohortsurv::logrank_tables_vectors(v, r, limits[0], weight_type, rho,
                                         gamma, r_poll()),
      g.labels, s.ok ? SEXP(s.labels) : R_NilValue, method, settings);
}

}  // namespace

// [[Rcpp::export(rng = false)]]
SEXP cpp_logrank_fit(SEXP time, SEXP status, SEXP group, SEXP strata, int weight_type, double rho, double gamma, const Rcpp::NumericVector limits, SEXP method, const Rcpp::List settings) {
  return logrank_fit_r(time, status, group, strata, weight_type, rho, gamma, limits, method, settings);
}

// 1-based position of the first non-finite value of a double vector or
// matrix, 0 when all are finite.
// [[Rcpp::export(rng = false)]]
double cpp_first_nonfinite(SEXP x) {
  if (TYPEOF(x) != REALSXP) bad("`x` must be a double vector");
  return static_cast<double>(cohortsurv::first_nonfinite(REAL(x), Rf_xlength(x)) + 1);
}

// x b for a double matrix x (n x p) and p coefficients: the linear
// predictor (Eigen's product; R's %*% first scans x for NaN).
// [[Rcpp::export(rng = false)]]
Eigen::VectorXd cpp_xb(const Eigen::Map<Eigen::MatrixXd> x, const Eigen::Map<Eigen::VectorXd> b, double shift) {
  if (x.cols() != b.size()) bad("`b` must have one value per column of `x`");
  return (x * b).array() - shift;
}

// Seconds of each of `reps` Cox Newton sweeps at beta on right-censored
// data (the sorted, standardised rows made once), for the benchmark.
// [[Rcpp::export(rng = false)]]
std::vector<double> cpp_cox_sweep_seconds(const Rcpp::List sd, const Eigen::Map<Eigen::MatrixXd> x, bool efron, const Eigen::Map<Eigen::VectorXd> beta, int reps) {
  return cohortsurv::cox_sweep_seconds(cohortsurv::newton_rows(surv_view(sd), nullptr, x), efron, beta, reps);
}

// Efron's scalar sums of one time (cox.h, cox_efron_sums()), for the tests.
// [[Rcpp::export(rng = false)]]
std::vector<double> cpp_cox_efron_sums(double s0, double e0, int d) {
  return cohortsurv::cox_efron_sums(s0, e0, d);
}

// Allows or forbids the AVX2 kernel of the Cox Newton sweep (for the
// tests, which compare it with the baseline kernel); returns whether it is
// used from now on.
// [[Rcpp::export(rng = false)]]
bool cpp_cox_set_simd(bool allow) {
  return cohortsurv::cox_set_simd(allow);
}

// [[Rcpp::export(rng = false)]]
double cpp_quad_form(const Eigen::Map<Eigen::MatrixXd> v, const Eigen::Map<Eigen::VectorXd> b, double toler) {
  return cohortsurv::quad_form_pinv(v, b, toler);
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cox_fit(const Rcpp::List sd, SEXP offset, const Eigen::Map<Eigen::MatrixXd> x, bool efron, const Eigen::Map<Eigen::VectorXd> init, int max_iter, double eps, double toler_chol) {
  return to_list(cohortsurv::cox_newton_rows(surv_view(sd), dbl(offset, x.rows(), "offset", true), efron, x, init, max_iter, eps, toler_chol, r_poll()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cox_resid(const Rcpp::List so, const Eigen::Map<Eigen::MatrixXd> x, const Rcpp::IntegerVector order, bool efron, const Eigen::Map<Eigen::VectorXd> eta, bool score) {
  return to_list(cohortsurv::cox_residuals(cox_view(so, efron), x, order_of(order, x.rows()), eta, score, r_poll()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cox_basehaz(const Rcpp::List so, bool efron, const Eigen::Map<Eigen::VectorXd> eta) {
  return to_list(cohortsurv::cox_baseline(cox_view(so, efron), eta, r_poll()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cox_zph(const Rcpp::List so, const Eigen::Map<Eigen::MatrixXd> x, const Rcpp::IntegerVector order, bool efron, const Eigen::Map<Eigen::VectorXd> eta, const Eigen::Map<Eigen::VectorXd> g) {
  return to_list(cohortsurv::cox_zph_test(cox_view(so, efron), x, order_of(order, x.rows()), eta, g, r_poll()));
}

// Predicted curves after a Cox model (cox_curves.cpp) ------------------------

namespace {

Rcpp::List to_list(const cohortsurv::CoxCurveParts& r) {
  return Rcpp::List::create(
      Rcpp::Named("strata") = r.strata, Rcpp::Named("time") = r.time,
      Rcpp::Named("n_risk") = r.n_risk, Rcpp::Named("n_event") = r.n_event,
      Rcpp::Named("n_censor") = r.n_censor, Rcpp::Named("hazard") = r.hazard,
      Rcpp::Named("varhaz") = r.varhaz, Rcpp::Named("xbar") = r.xbar);
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cox_curve_parts(const Rcpp::List so, const Eigen::Map<Eigen::MatrixXd> x, const Rcpp::IntegerVector order, bool efron, const Eigen::Map<Eigen::VectorXd> eta) {
  return to_list(cohortsurv::cox_curve_parts(cox_view(so, efron), x, order_of(order, x.rows()), eta, r_poll()));
}

// Competing risks (cif.cpp) ---------------------------------------------

namespace {

Rcpp::List to_list(const cohortsurv::CifCurves& x) {
  return Rcpp::List::create(
      Rcpp::Named("strata") = x.strata, Rcpp::Named("time") = x.time,
      Rcpp::Named("n_risk") = x.n_risk, Rcpp::Named("n_censor") = x.n_censor,
      Rcpp::Named("n_event") = x.n_event,
      Rcpp::Named("estimate") = x.estimate,
      Rcpp::Named("std_err") = x.std_err);
}

Rcpp::List to_list(const cohortsurv::GrayScore& g) {
  return Rcpp::List::create(Rcpp::Named("score") = g.score,
                            Rcpp::Named("variance") = g.variance);
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cif(const Rcpp::List sd, int n_causes) {
  return to_list(cohortsurv::cif_fit(surv_view(sd), n_causes, r_poll()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_cif_binned(const Rcpp::List sd, int n_causes, double tmin, int n_bins) {
  return to_list(cohortsurv::cif_fit_binned(surv_view(sd), n_causes, tmin, n_bins, r_poll()));
}

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_gray_test(const Rcpp::List sd, const Rcpp::IntegerVector group, int n_groups, int cause, double rho) {
  return to_list(cohortsurv::gray_score(surv_view(sd), ints(group, Rf_xlength(field(sd, "strata")), "group"), n_groups, cause, rho, r_poll()));
}

// Concordance (concordance.cpp) ----------------------------------------------

namespace {

Rcpp::List to_list(const cohortsurv::ConcordanceFit& f) {
  return Rcpp::List::create(
      Rcpp::Named("counts") = f.counts,
      Rcpp::Named("concordance") = f.concordance, Rcpp::Named("var") = f.var,
      Rcpp::Named("cox_var") = f.cox_var, Rcpp::Named("dfbeta") = f.dfbeta);
}

}  // namespace

// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_concordance(const Rcpp::List sd, const Rcpp::NumericVector x, bool dfbeta) {
  return to_list(cohortsurv::concordance_fit(surv_view(sd), dbl(x, Rf_xlength(field(sd, "strata")), "x"), dfbeta, r_poll()));
}

// The summary table of Kaplan-Meier curves (km.cpp) ---------------------------

namespace {

// The curves' rows of each of the k strata (codes 1..k of `strata`, rows
// grouped by stratum in code order): 0-based first and last rows, as
// cumsum(tabulate(strata, k)) gives them (codes outside 1..k not counted).
void curve_rows(SEXP strata, int k, std::vector<int>& starts,
                std::vector<int>& ends) {
  if (TYPEOF(strata) != INTSXP) bad("`strata` must be integer codes");
  const int* s = INTEGER(strata);
  std::vector<int> counts(k, 0);
  for (R_xlen_t i = 0; i < Rf_xlength(strata); ++i) {
    if (s[i] >= 1 && s[i] <= k) ++counts[s[i] - 1];
  }
  starts.resize(k);
  ends.resize(k);
  int end = 0;
  for (int j = 0; j < k; ++j) {
    starts[j] = end;
    end += counts[j];
    ends[j] = end - 1;
  }
}

// Column `name` of the curves as doubles (as.double() of another type).
SEXP curve_column(const Rcpp::List& cv, const char* name) {
  SEXP v = field(cv, name);
  return TYPEOF(v) == REALSXP ? v : Rf_coerceVector(v, REALSXP);
}

}  // namespace

// km_table()'s C++ part: the curves `cv` (a list with columns strata, time,
// surv, lower, upper, n_risk, n_event; the rows of stratum code j grouped
// in code order) of k strata; medians (NA where undefined), restricted
// means and events per stratum.
// [[Rcpp::export(rng = false)]]
Rcpp::List cpp_km_table(const Rcpp::List cv, int k, double tau, double tol, bool limits) {
  std::vector<int> starts, ends;
  curve_rows(field(cv, "strata"), k, starts, ends);
  Rcpp::NumericVector time(curve_column(cv, "time")), surv(curve_column(cv, "surv")), lower(curve_column(cv, "lower")), upper(curve_column(cv, "upper")), n_risk(curve_column(cv, "n_risk")), n_event(curve_column(cv, "n_event"));
  const R_xlen_t n = time.size();
  cohortsurv::KmTable t = cohortsurv::km_table_fit(dbl(time, n, "time"), dbl(surv, n, "surv"), dbl(lower, n, "lower"), dbl(upper, n, "upper"), dbl(n_risk, n, "n_risk"), dbl(n_event, n, "n_event"), starts.data(), ends.data(), k, tau, tol, limits);
  return Rcpp::List::create(Rcpp::Named("median") = na_doubles(t.median), Rcpp::Named("lower") = na_doubles(t.lower), Rcpp::Named("upper") = na_doubles(t.upper), Rcpp::Named("rmean") = t.rmean, Rcpp::Named("rmean_se") = t.rmean_se, Rcpp::Named("events") = t.events);
}

// Coding integer vectors (codes.cpp) ------------------------------------------

// c(min, max, 1, n_na) of an integer vector, as cpp_value_range() gives
// for a double one (min and max NA when every value is missing).
// [[Rcpp::export(rng = false)]]
Rcpp::NumericVector cpp_int_range(const Rcpp::IntegerVector v) {
  const cohortsurv::IntRange r = cohortsurv::int_range(v.begin(), v.size());
  const bool none = r.min > r.max;
  return Rcpp::NumericVector::create(none ? NA_REAL : r.min, none ? NA_REAL : r.max, 1.0, static_cast<double>(r.n_na));
}

namespace {

// The range of a plain (unclassed) integer or double vector in `r`, as
// value_range() gives it for doubles (min and max NaN when every value is
// missing); false for any other vector.
bool plain_range(SEXP x, cohortsurv::ValueRange& r) {
  if (OBJECT(x)) return false;
  if (TYPEOF(x) == REALSXP) {
    r = cohortsurv::value_range(REAL(x), Rf_xlength(x));
    return true;
  }
  if (TYPEOF(x) != INTSXP) return false;
  const cohortsurv::IntRange ir = cohortsurv::int_range(INTEGER(x), Rf_xlength(x));
  const bool none = ir.min > ir.max;
  r.min = none ? R_NaN : ir.min;
  r.max = none ? R_NaN : ir.max;
  r.whole = true;
  return true;
}

// Whether `x` is a plain integer or double vector whose non-missing values
// are all >= 0 and finite.
bool clean_times(SEXP x) {
  cohortsurv::ValueRange r;
  if (!plain_range(x, r)) return false;
  return std::isnan(r.min) || (r.min >= 0 && r.max < R_PosInf);
}

double as_time(SEXP x, R_xlen_t i) {
  if (TYPEOF(x) == REALSXP) return REAL(x)[i];
  const int v = INTEGER(x)[i];
  return v == NA_INTEGER ? NA_REAL : v;
}

}  // namespace

// validate_surv_raw()'s verdict on clean Surv() arguments of every row, in
// one pass per column: the status codes, c(0, 1) or c(1, 2) as Surv()
// reads them, when the times (`start` may be NULL) are plain numbers >= 0
// and finite or missing, every stop is above its start where both are
// known, and the status is logical, or plain numbers coded 0/1 or 1/2 (or
// missing); NULL otherwise, and R's checks then name what is wrong.
// [[Rcpp::export(rng = false)]]
SEXP cpp_surv_check(SEXP start, SEXP stop, SEXP status) {
  if (!Rf_isNull(start) && !clean_times(start)) return R_NilValue;
  if (!clean_times(stop)) return R_NilValue;
  if (!Rf_isNull(start)) {
    const R_xlen_t n = Rf_xlength(stop);
    if (Rf_xlength(start) != n) return R_NilValue;
    for (R_xlen_t i = 0; i < n; ++i) {
      if (as_time(stop, i) <= as_time(start, i)) return R_NilValue;  // NA: false
    }
  }
  if (TYPEOF(status) == LGLSXP && !OBJECT(status)) {
    return Rcpp::NumericVector::create(0.0, 1.0);
  }
  cohortsurv::ValueRange st;
  if (!plain_range(status, st)) return R_NilValue;
  if (std::isnan(st.min)) return Rcpp::NumericVector::create(0.0, 1.0);
  const double lo = st.max == 2 ? 1.0 : 0.0;
  if (!(st.whole && st.min >= lo && st.max <= lo + 1.0)) return R_NilValue;
  return Rcpp::NumericVector::create(lo, lo + 1.0);
}

// list(code, values) as int_codes() returns it, or NULL.
// [[Rcpp::export(rng = false)]]
SEXP cpp_int_codes(const Rcpp::IntegerVector v, double max_span) {
  const cohortsurv::IntCodes c = cohortsurv::int_codes(v.begin(), v.size(), max_span);
  if (!c.ok) return R_NilValue;
  return Rcpp::List::create(Rcpp::Named("code") = c.code, Rcpp::Named("values") = c.values);
}

// The 0-based order of the n rows by (stratum, time) by counting, the
// times being x[from + i] (a column of a matrix or a vector), whole numbers
// in [tmin, tmin + n_bins): counting_order().
// [[Rcpp::export(rng = false)]]
Rcpp::IntegerVector cpp_counting_order(const Rcpp::NumericVector x, double from, const Rcpp::IntegerVector strata, int n_strata, double tmin, double n_bins) {
  const R_xlen_t n = strata.size();
  if (from < 0 || from + n > x.size() || n_bins < 1) bad("counting order: sizes do not match");
  Rcpp::IntegerVector out(Rcpp::no_init(n));
  cohortsurv::counting_order(x.begin() + static_cast<R_xlen_t>(from), strata.begin(), n, n_strata, tmin, static_cast<Eigen::Index>(n_bins), out.begin());
  return out;
}

// The codes of a character vector among its distinct values in order of
// first appearance, list(code (1-based), values): unique() and match() in
// one pass. Strings are compared as R caches them, one CHARSXP per ASCII
// string, so only vectors whose distinct values are all ASCII are coded
// (NULL otherwise, and for a missing value or another type).
// [[Rcpp::export(rng = false)]]
SEXP cpp_chr_codes(SEXP x) {
  if (TYPEOF(x) != STRSXP) return R_NilValue;
  const R_xlen_t n = Rf_xlength(x);
  cohortsurv::KeyIndex index(static_cast<std::size_t>(n / 8));
  std::vector<SEXP> values;
  Rcpp::IntegerVector code(Rcpp::no_init(n));
  int* o = code.begin();
  const SEXP* px = STRING_PTR_RO(x);
  for (R_xlen_t i = 0; i < n; ++i) {
    const SEXP c = px[i];
    if (c == NA_STRING) return R_NilValue;
    bool added;
    const int j = index.insert(reinterpret_cast<std::uintptr_t>(c), added);
    if (added) values.push_back(c);
    o[i] = j + 1;
  }
  Rcpp::CharacterVector out(values.size());
  for (std::size_t j = 0; j < values.size(); ++j) {
    for (const char* p = CHAR(values[j]); *p; ++p) {
      if (static_cast<unsigned char>(*p) > 127) return R_NilValue;
    }
    SET_STRING_ELT(out, static_cast<R_xlen_t>(j), values[j]);
  }
  return Rcpp::List::create(Rcpp::Named("code") = code, Rcpp::Named("values") = out);
}

// The n x k double matrix of the k non-NULL integer or double vectors of
// `cols` (each of length n), the last one minus `shift`: the Surv matrix
// of the formula front end (fast_surv(), R/frame.R), in one pass per
// column without a zero fill.
// [[Rcpp::export(rng = false)]]
SEXP cpp_surv_matrix(const Rcpp::List cols, double shift, SEXP colnames = R_NilValue, SEXP type = R_NilValue) {
  std::vector<SEXP> v;
  for (R_xlen_t j = 0; j < cols.size(); ++j) {
    SEXP c = cols[j];
    if (Rf_isNull(c)) continue;
    if (TYPEOF(c) != REALSXP && TYPEOF(c) != INTSXP && TYPEOF(c) != LGLSXP) {
      bad("the columns of a Surv matrix must be numeric");
    }
    v.push_back(c);
  }
  if (v.empty()) bad("a Surv matrix needs columns");
  const R_xlen_t n = Rf_xlength(v[0]);
  Rcpp::NumericMatrix out(Rcpp::no_init(n, static_cast<int>(v.size())));
  for (std::size_t j = 0; j < v.size(); ++j) {
    if (Rf_xlength(v[j]) != n) bad("the columns of a Surv matrix differ in length");
    double* o = out.begin() + static_cast<R_xlen_t>(j) * n;
    const double s = j + 1 == v.size() ? shift : 0.0;
    if (TYPEOF(v[j]) == REALSXP) {
      const double* x = REAL(v[j]);
      for (R_xlen_t i = 0; i < n; ++i) o[i] = x[i] - s;
    } else {
      const int* x = TYPEOF(v[j]) == INTSXP ? INTEGER(v[j]) : LOGICAL(v[j]);
      for (R_xlen_t i = 0; i < n; ++i) {
        o[i] = x[i] == NA_INTEGER ? NA_REAL : x[i] - s;
      }
    }
  }
  if (!Rf_isNull(colnames)) {
    // a Surv object, as fast_surv() (R/frame.R) made it: dimnames, type,
    // class, in that order
    if (TYPEOF(colnames) != STRSXP || Rf_xlength(colnames) != static_cast<R_xlen_t>(v.size())) {
      bad("`colnames` must name every column");
    }
    Rf_setAttrib(out, R_DimNamesSymbol, Rcpp::List::create(R_NilValue, colnames));
    out.attr("type") = type;
    out.attr("class") = "Surv";
  }
  return out;
}
