#include "engine_threads.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

namespace vdc::models {

struct EngineThreads::Worker {
  std::mutex mutex;
  std::condition_variable wake;
  const std::function<void(std::size_t)>* work = nullptr;
  std::size_t index = 0;
  bool busy = false;
  bool stop = false;
  std::exception_ptr error;
  std::thread thread;  // last: started once the rest is built

  void loop() {
    std::unique_lock lock(mutex);
    for (;;) {
      wake.wait(lock, [this] { return busy || stop; });
      if (!busy) return;
      lock.unlock();
      std::exception_ptr failed;
      try {
        (*work)(index);
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      error = std::move(failed);
      busy = false;
      wake.notify_all();
    }
  }
};

EngineThreads::EngineThreads(std::size_t n) : n_(n) {
  for (std::size_t i = 1; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    try {
      w->thread = std::thread([p = w.get()] { p->loop(); });
    } catch (const std::system_error&) {
      w.reset();  // this engine runs on the caller's thread
    }
    workers_.push_back(std::move(w));
  }
}

EngineThreads::~EngineThreads() {
  for (auto& w : workers_) {
    if (!w) continue;
    {
      const std::lock_guard lock(w->mutex);
      w->stop = true;
    }
    w->wake.notify_all();
    w->thread.join();
  }
}

void EngineThreads::run(const std::function<void(std::size_t)>& work) {
  for (std::size_t i = 1; i < n_; ++i) {
    Worker* w = workers_[i - 1].get();
    if (w == nullptr) continue;
    {
      const std::lock_guard lock(w->mutex);
      w->work = &work;
      w->index = i;
      w->busy = true;
      w->error = nullptr;
    }
    w->wake.notify_all();
  }
  std::vector<std::exception_ptr> errors(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    if (i > 0 && workers_[i - 1]) continue;
    try {
      work(i);
    } catch (...) {
      errors[i] = std::current_exception();
    }
  }
  for (std::size_t i = 1; i < n_; ++i) {
    Worker* w = workers_[i - 1].get();
    if (w == nullptr) continue;
    std::unique_lock lock(w->mutex);
    w->wake.wait(lock, [w] { return !w->busy; });
    errors[i] = std::move(w->error);
  }
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace vdc::models
