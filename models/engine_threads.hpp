#pragma once
// The threads of a run split over engines (internal to models/): engine i > 0 keeps one
// thread from its build to its end, so what it allocates is allocated, used and freed on
// that thread (allocators keep per-thread heaps), and each span of the run costs a wake-up,
// not a new thread.
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace vdc::models {

class EngineThreads {
 public:
  /// Threads for engines 1 .. n-1; engine 0 runs on the caller's, and so does an engine
  /// for which no thread could be started.
  explicit EngineThreads(std::size_t n);
  /// Ends and joins the threads (none may be running work).
  ~EngineThreads();
  EngineThreads(const EngineThreads&) = delete;
  EngineThreads& operator=(const EngineThreads&) = delete;

  /// Runs `work(i)` for every engine i, each on its thread, and waits for all. The first
  /// exception in engine order reaches the caller once every one has ended.
  void run(const std::function<void(std::size_t)>& work);

 private:
  struct Worker;
  std::size_t n_;
  std::vector<std::unique_ptr<Worker>> workers_;  // [i - 1]: engine i's; null: the caller's
};

}  // namespace vdc::models
