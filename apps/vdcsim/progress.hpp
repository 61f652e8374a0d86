#pragma once
/// Progress on stderr for long runs, and Ctrl-C that stops a run cleanly.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "vdc/sim/time.hpp"

namespace vdc::cli {

/// Set by SIGINT/SIGTERM while a run is in progress.
const std::atomic<bool>& interrupt_flag();

/// Installs the SIGINT/SIGTERM handlers that set interrupt_flag() (a second Ctrl-C ends
/// the process at once, as a user pressing it twice expects).
void install_interrupt_handlers();

/// A one-line progress bar on stderr: simulated time, wall time, events per second and an
/// estimate of the time left. Shown only when stderr is a terminal and the run has lasted
/// more than a second; it never goes to files or pipes.
class ProgressBar {
 public:
  ProgressBar(sim::Time duration, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(sim::Time now, std::uint64_t events);

 private:
  sim::Time duration_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vdc::cli
