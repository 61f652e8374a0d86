#include "progress.hpp"

#include <csignal>
#include <cstdio>

#include <unistd.h>

#include <fmt/format.h>

namespace vdc::cli {
namespace {

// Lock-free atomics only: they are what a signal handler may touch.
std::atomic<bool> g_interrupted{false};
std::atomic<bool> g_abort{false};
std::atomic<bool> g_writing{false};
std::atomic<bool> g_committed{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_interrupt(int sig) {
  // The reports are in place and the process is about to end with its status: nothing is
  // left to stop.
  if (g_committed.load()) return;
  if (!g_interrupted.load()) {
    g_interrupted.store(true);
    return;
  }
  if (g_writing.load()) {
    // A temporary folder is on disk: the writer removes it and ends the process.
    g_abort.store(true);
    return;
  }
  // Nothing half-written exists: end at once, as a user pressing Ctrl-C twice expects.
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

const std::atomic<bool>& interrupt_flag() { return g_interrupted; }
const std::atomic<bool>& abort_flag() { return g_abort; }

void begin_writing() { g_writing.store(true); }
void end_writing() { g_writing.store(false); }
void reports_committed() { g_committed.store(true); }

void install_interrupt_handlers() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
}

ProgressBar::ProgressBar(sim::Time duration, bool enabled)
    : duration_(duration),
      enabled_(enabled && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { clear(); }

void ProgressBar::clear() {
  if (!shown_) return;
  shown_ = false;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

void ProgressBar::update(sim::Time now, std::uint64_t events) {
  if (!enabled_) return;
  const auto t = std::chrono::steady_clock::now();
  const double wall = std::chrono::duration<double>(t - start_).count();
  if (wall < 1.0 || std::chrono::duration<double>(t - last_draw_).count() < 0.2) return;
  last_draw_ = t;
  shown_ = true;
  const double done = duration_.ns() > 0 ? sim::ratio(now, duration_) : 1.0;
  const double left = done > 0 ? wall * (1.0 - done) / done : 0.0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(done * kWidth);
  fmt::print(stderr, "\r\033[K[{:=<{}}{:<{}}] {:5.1f}%  sim {} / {}  wall {:.1f}s  {:.2g} ev/s  ~{:.0f}s left",
             "", filled, "", kWidth - filled, 100.0 * done, now, duration_, wall,
             static_cast<double>(events) / wall, left);
  std::fflush(stderr);
}

}  // namespace vdc::cli
