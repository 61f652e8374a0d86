// Event queue micro benchmarks: the classic hold model (Jones, "An empirical comparison of
// priority-queue and event-set implementations", CACM 29(4), 1986): with N events pending,
// each iteration pops the earliest and schedules one at its time plus an exponential
// increment with mean 1 ms. EventQueue carries real (empty) handlers; the baseline is a
// std::priority_queue of bare (time, sequence) pairs. Both are filled and then run for
// `pending` holds (to reach the steady state) outside the timed loop, and draw the same
// increments.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <queue>
#include <utility>
#include <vector>

#include "vdc/sim/event_queue.hpp"
#include "vdc/sim/rng.hpp"
#include "vdc/sim/time.hpp"

namespace {

using vdc::sim::EventQueue;
using vdc::sim::Time;

/// 2^20 exponential increments in ns (mean 1 ms), shared by both queues so that they
/// process the same sequence of times.
const std::vector<std::int64_t>& increments() {
  static const std::vector<std::int64_t> inc = [] {
    vdc::sim::RngStream rng(1, "bench.hold");
    std::vector<std::int64_t> v(std::size_t{1} << 20);
    for (auto& x : v) x = Time::round_to_ns(rng.exponential(1e6));
    return v;
  }();
  return inc;
}

constexpr std::size_t inc_mask = (std::size_t{1} << 20) - 1;

void BM_EventQueue_Hold(benchmark::State& state) {
  const auto& inc = increments();
  const auto pending = static_cast<std::size_t>(state.range(0));
  EventQueue q;
  for (std::size_t i = 0; i < pending; ++i) q.schedule(Time::from_ns(inc[i & inc_mask]), [] {});
  std::size_t j = pending;
  // Warm-up to the steady state, untimed, as for the baseline.
  for (std::size_t i = 0; i < pending; ++i) {
    const Time now = q.run_next();
    q.schedule(now + Time::from_ns(inc[j++ & inc_mask]), [] {});
  }
  for (auto _ : state) {
    const Time now = q.run_next();
    q.schedule(now + Time::from_ns(inc[j++ & inc_mask]), [] {});
  }
  benchmark::DoNotOptimize(q.next_time());
}

void BM_StdPriorityQueue_Hold(benchmark::State& state) {
  const auto& inc = increments();
  const auto pending = static_cast<std::size_t>(state.range(0));
  using Item = std::pair<std::int64_t, std::uint64_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> q;
  std::uint64_t seq = 0;
  for (std::size_t i = 0; i < pending; ++i) q.push(Item{inc[i & inc_mask], seq++});
  std::size_t j = pending;
  for (std::size_t i = 0; i < pending; ++i) {
    const std::int64_t now = q.top().first;
    q.pop();
    q.push(Item{now + inc[j++ & inc_mask], seq++});
  }
  for (auto _ : state) {
    const std::int64_t now = q.top().first;
    q.pop();
    q.push(Item{now + inc[j++ & inc_mask], seq++});
  }
  benchmark::DoNotOptimize(q.top());
}

}  // namespace

BENCHMARK(BM_EventQueue_Hold)->Arg(1000)->Arg(100000)->Arg(1000000);
BENCHMARK(BM_StdPriorityQueue_Hold)->Arg(1000)->Arg(100000)->Arg(1000000);
