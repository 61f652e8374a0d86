#pragma once
/// Progress on stderr for long runs, and Ctrl-C that stops a run cleanly.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "vdc/sim/time.hpp"

namespace vdc::cli {

/// Set by the first SIGINT/SIGTERM of a run: the simulation stops and partial reports are
/// written.
const std::atomic<bool>& interrupt_flag();

/// Set by a second SIGINT/SIGTERM that arrives while reports are being written: the writing
/// stops at the next file and nothing replaces the previous report folder.
const std::atomic<bool>& abort_flag();

/// Installs the SIGINT/SIGTERM handlers. The first signal sets interrupt_flag(). A second
/// one ends the process at once while nothing is on disk yet (simulating, analysing), and
/// sets abort_flag() while reports are being written (between begin_writing() and
/// end_writing()), so that the temporary report folder is removed before the process ends.
void install_interrupt_handlers();

/// Marks the span in which a temporary report folder may exist on disk: call before it is
/// created and after it is removed or moved into place.
void begin_writing();
void end_writing();
/// The reports are in place: from now on Ctrl-C changes nothing (the process ends with the
/// run's status: a second Ctrl-C landing just after the last file must not turn a run that
/// wrote its reports into one killed by the signal).
void reports_committed();

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
  /// Erases the bar from the terminal line; call before anything else is printed on
  /// stderr or stdout (a later update draws it again).
  void clear();

 private:
  sim::Time duration_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vdc::cli
