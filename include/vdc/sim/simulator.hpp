#pragma once
/// The simulation clock and main loop: owns the event queue, runs handlers in time order
/// and advances `now()` to each event's time (SimGrid/ns-3 style engine; knows no models).

#include <cassert>
#include <coroutine>
#include <cstdint>
#include <utility>

#include "vdc/sim/callback.hpp"
#include "vdc/sim/event_queue.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::sim {

/// Discrete-event simulator: a clock plus an EventQueue. Single-threaded and
/// deterministic: the same calls give the same order of handlers on every run.
class Simulator {
 public:
  /// Current simulated time: the time of the handler being run, or where run_until stopped.
  Time now() const { return now_; }

  /// Schedules `handler` at absolute time `t` (>= now(), asserted) with `priority`
  /// (lower first among equal times, then insertion order).
  /// `handler` is a Callback or any `void()` callable (built in place in the queue).
  template <class F>
  EventId at(Time t, F&& handler, int priority = 0) {
    assert(t >= now_ && "scheduling in the past");
    return queue_.schedule(t, std::forward<F>(handler), priority);
  }
  /// Schedules `handler` `delay` (>= 0, asserted) after now().
  template <class F>
  EventId after(Time delay, F&& handler, int priority = 0) {
    assert(delay >= Time::zero() && "negative delay");
    return queue_.schedule(now_ + delay, std::forward<F>(handler), priority);
  }
  /// Cancels a pending event; true if it was pending (see EventQueue::cancel).
  bool cancel(EventId id) { return queue_.cancel(id); }
  /// True if the event is still pending.
  bool pending(EventId id) const { return queue_.pending(id); }

  /// Runs events until none is pending or stop() is called.
  void run();
  /// Runs every event with time <= t (events at exactly t run), unless stop() is called
  /// first; afterwards now() == t if not stopped. `t` must be >= now().
  void run_until(Time t);
  /// Called from a handler: run()/run_until() return after the current handler.
  void stop() { stop_requested_ = true; }

  /// Number of handlers run so far.
  std::uint64_t events_processed() const { return processed_; }
  /// Number of pending events.
  std::size_t pending_events() const { return queue_.size(); }
  /// Time of the next pending event, or Time::max() if none.
  Time next_event_time() const { return queue_.empty() ? Time::max() : queue_.next_time(); }

  /// Awaitable for coroutines (see vdc::sim::Process): `co_await sim.timeout(5_ms);`
  /// resumes the coroutine `delay` later (immediately, without suspending, for 0).
  struct Timeout {
    Simulator* sim;
    Time delay;
    bool await_ready() const noexcept { return delay == Time::zero(); }
    void await_suspend(std::coroutine_handle<> h) const;
    void await_resume() const noexcept {}
  };
  /// See Timeout.
  Timeout timeout(Time delay) { return Timeout{this, delay}; }

 private:
  EventQueue queue_;
  Time now_ = Time::zero();
  std::uint64_t processed_ = 0;
  bool stop_requested_ = false;
};

/// Return type of a simulation process written as a C++20 coroutine (SimCpp20 style):
///
///     Process blink(Simulator& sim, int& n) {
///       for (;;) { ++n; co_await sim.timeout(1_s); }
///     }
///     blink(sim, n);   // runs until its first co_await, then is driven by sim
///
/// The coroutine starts at once and is owned by the simulator's pending events: its frame
/// is freed when it finishes, or when a pending timeout of it is destroyed without running
/// (the simulator or its queue is destroyed or cleared). Exceptions escaping a process
/// terminate the program.
struct Process {
  struct promise_type {
    Process get_return_object() noexcept { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    [[noreturn]] void unhandled_exception() noexcept;
  };
};

}  // namespace vdc::sim
