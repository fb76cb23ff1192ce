// Cooperative interruption for long C++ loops, without R API calls in the
// kernels: a kernel takes a `const Poll&` and calls poll.tick() once per row
// (cheap: a counter); every `every` ticks it runs the callback the R entry
// point supplied (Rcpp::checkUserInterrupt, which throws and unwinds the C++
// stack, so RAII frees every buffer). Pure C++ callers pass Poll() (no-op).
#ifndef COHORTSURV_INTERRUPT_H
#define COHORTSURV_INTERRUPT_H

#include <cstdint>
#include <functional>

namespace cohortsurv {

class Poll {
 public:
  Poll() = default;
  explicit Poll(std::function<void()> callback, std::uint64_t every = 1u << 18)
      : callback_(std::move(callback)), every_(every), left_(every) {}
  // A count down, not `++count % every`: a 64-bit division per row cost
  // more than the arithmetic of some kernels' rows.
  void tick() const {
    if (--left_ == 0) {
      left_ = every_;
      if (callback_) callback_();
    }
  }
  void now() const {
    if (callback_) callback_();
  }

 private:
  std::function<void()> callback_;
  std::uint64_t every_ = 1u << 18;
  mutable std::uint64_t left_ = 1u << 18;
};

}  // namespace cohortsurv

#endif
