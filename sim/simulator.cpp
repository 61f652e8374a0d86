#include "vdc/sim/simulator.hpp"

#include <cassert>
#include <cstdio>
#include <exception>
#include <utility>

namespace vdc::sim {

void Simulator::run() {
  stop_requested_ = false;
  while (!queue_.empty() && !stop_requested_) {
    EventQueue::Event ev = queue_.pop();
    now_ = ev.time;
    ++processed_;
    ev.handler();
  }
}

void Simulator::run_until(Time t) {
  assert(t >= now_);
  stop_requested_ = false;
  while (!queue_.empty() && !stop_requested_ && queue_.next_time() <= t) {
    EventQueue::Event ev = queue_.pop();
    now_ = ev.time;
    ++processed_;
    ev.handler();
  }
  if (!stop_requested_) now_ = t;
}

namespace {

/// Resumes a suspended coroutine once; destroys it if dropped without resuming, so that
/// a process waiting on a discarded event does not leak its frame.
class Resumer {
 public:
  explicit Resumer(std::coroutine_handle<> h) : h_(h) {}
  Resumer(Resumer&& o) noexcept : h_(std::exchange(o.h_, {})) {}
  Resumer& operator=(Resumer&&) = delete;
  Resumer(const Resumer&) = delete;
  Resumer& operator=(const Resumer&) = delete;
  ~Resumer() {
    if (h_) h_.destroy();
  }
  void operator()() { std::exchange(h_, {}).resume(); }

 private:
  std::coroutine_handle<> h_;
};

}  // namespace

void Simulator::Timeout::await_suspend(std::coroutine_handle<> h) const {
  sim->after(delay, Resumer(h));
}

void Process::promise_type::unhandled_exception() noexcept {
  std::fputs("vdc::sim::Process: exception escaped a simulation process\n", stderr);
  std::terminate();
}

}  // namespace vdc::sim
