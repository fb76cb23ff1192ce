// Coding integer vectors as factors (pure C++, no R API): the kernels of
// the front end's int_codes() and of value_range() for integer vectors
// (R/frame.R); and the counting sort of whole-number times by stratum
// (sort_order(), R/surv-data.R).
#ifndef COHORTSURV_CODES_H
#define COHORTSURV_CODES_H

#include <Eigen/Dense>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cohortsurv {

// One pass over n integers, R's NA_integer_ being INT_MIN: the smallest
// and largest non-missing value and the number missing (min > max when
// every value is missing).
struct IntRange {
  int min = INT_MAX;
  int max = INT_MIN;
  Eigen::Index n_na = 0;
};
IntRange int_range(const int* v, Eigen::Index n);

// The 1-based code of each of n integers among their sorted distinct
// values, by counting (no sort, no hash): the values must have no NA and
// max - min + 1 <= max_span (else `ok` is false and nothing else is set).
struct IntCodes {
  bool ok = false;
  std::vector<int> code;    // n codes, 1-based
  std::vector<int> values;  // the distinct values, increasing
};
IntCodes int_codes(const int* v, Eigen::Index n, double max_span);

// The distinct 64-bit keys seen so far, each with its 0-based position in
// order of first insertion: open addressing with linear probing, the home
// slot the top bits of key * 2^64 / phi (Fibonacci hashing), at most half
// full (it doubles and rehashes beyond). reset() empties it and keeps its
// memory. Serves the front end's coding of character vectors (their
// CHARSXP addresses as keys) and the set of distinct survival values of
// the km medians (the bits of a double).
class KeyIndex {
 public:
  explicit KeyIndex(std::size_t expected = 0) { reset(expected); }
  // Empties the index, with room for `expected` keys before it grows.
  void reset(std::size_t expected) {
    std::size_t cap = 16;
    int bits = 4;
    while (cap < 2 * expected + 2) {
      cap <<= 1;
      ++bits;
    }
    if (slot_.size() < cap) {
      slot_.resize(cap);
      keys_.resize(cap);
    }
    std::fill(slot_.begin(), slot_.begin() + cap, 0);
    mask_ = cap - 1;
    shift_ = 64 - bits;
    order_.clear();
  }
  // The position of `key`, adding it (at the next position) when new;
  // `added` says which.
  int insert(std::uint64_t key, bool& added) {
    if (2 * (order_.size() + 1) > mask_ + 1) grow();
    std::size_t h = home(key);
    while (slot_[h] != 0) {
      if (keys_[h] == key) {
        added = false;
        return slot_[h] - 1;
      }
      h = (h + 1) & mask_;
    }
    order_.push_back(key);
    keys_[h] = key;
    slot_[h] = static_cast<int>(order_.size());
    added = true;
    return slot_[h] - 1;
  }
  std::size_t size() const { return order_.size(); }

 private:
  std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_) &
           mask_;
  }
  void grow() {
    const std::vector<std::uint64_t> keys = order_;
    reset(2 * keys.size() + 2);
    bool added;
    for (std::uint64_t k : keys) insert(k, added);
  }
  std::vector<int> slot_;  // 0 empty, else position + 1
  std::vector<std::uint64_t> keys_;
  std::vector<std::uint64_t> order_;  // the keys in order of insertion
  std::size_t mask_ = 0;
  int shift_ = 60;
};

// The 0-based permutation sorting n rows by (stratum, time), ties in row
// order (stable), by counting: strata are 0-based codes < n_strata, times
// whole numbers in [tmin, tmin + n_bins). The same permutation as R's
// order(strata, time, method = "radix") - 1. Throws std::invalid_argument
// when a key is out of range. `out` holds n values.
void counting_order(const double* time, const int* strata, Eigen::Index n,
                    int n_strata, double tmin, Eigen::Index n_bins,
                    int* out);

}  // namespace cohortsurv

#endif
