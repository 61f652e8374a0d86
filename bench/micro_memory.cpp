// Memory model cost: one reallocation step of a 20-VM host, and the model alone on the
// issue's scale target (1,000 hosts x 20 VMs under memory pressure, 24 simulated hours,
// 15 s steps, gauges published at a 20 s sample interval).
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "vdc/models/inventory.hpp"
#include "vdc/models/memory/host_memory.hpp"
#include "vdc/models/memory/memory_model.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/simulator.hpp"

namespace {

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::memory;

/// A 128 GiB dual-socket host: 20 VMs of 8 GiB (vRAM:pRAM 1.25) touching 90% of it
/// overcommit it, so the host balloons and, as active pages come back, compresses and swaps.
HostConfig pressured_host(int i) {
  HostConfig h;
  h.name = "esx" + std::to_string(i);
  h.memory_mib = 131072.0;
  h.cpu.sockets = 2;
  h.cpu.cores_per_socket = 16;
  h.cpu.frequency_mhz = 2400.0;
  return h;
}

VmConfig vm(int host, int i) {
  VmConfig v;
  v.name = "vm" + std::to_string(host) + "-" + std::to_string(i);
  v.vcpus = 4;
  v.memory_mib = 8192.0;
  v.guest.os = i % 2 == 0 ? "linux" : "windows";
  // Every fifth VM is mostly idle, so the idle tax has something to choose.
  v.mem_workload = MemoryWorkload{i % 5 == 0 ? 0.05 : 0.3, 0.9, 0.05, 0.2, 0.5};
  return v;
}

/// Max resident set size of the process so far, MiB.
double peak_rss_mib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

/// One step of a settled 20-VM host under memory pressure (balloons inflated, TPS done):
/// quiet, so O(1).
void BM_MemoryStep20VmsSettled(benchmark::State& state) {
  HostMemory host(pressured_host(0), MemoryParams{});
  sim::Time now;
  for (int i = 0; i < 20; ++i) host.power_on(vm(0, i), now);
  while (!host.quiet()) {
    now = std::min(now + host.balance_period(), host.next_threshold_crossing());
    host.step(now);
  }
  for (auto _ : state) {
    now += host.balance_period();
    host.step(now);
    benchmark::DoNotOptimize(host.stats().free_mib);
  }
  state.counters["balloon_mib"] = host.stats().balloon_mib;
}
BENCHMARK(BM_MemoryStep20VmsSettled);

/// The steps of a 20-VM host during its first two hours: boot (first touch), pressure
/// (balloon, some compression and swap), TPS at work; every step does the full O(VMs)
/// pass. Time per iteration / steps = cost of one busy step.
void BM_MemoryStep20VmsBusy(benchmark::State& state) {
  std::int64_t steps = 0;
  for (auto _ : state) {
    HostMemory host(pressured_host(0), MemoryParams{});
    sim::Time now;
    for (int i = 0; i < 20; ++i) host.power_on(vm(0, i), now);
    while (now < sim::Time::from_seconds(7200.0)) {
      now = std::min(now + host.balance_period(), host.next_threshold_crossing());
      host.step(now);
      ++steps;
    }
    benchmark::DoNotOptimize(host.stats().free_mib);
  }
  state.SetItemsProcessed(steps);
  state.counters["steps_per_iteration"] =
      static_cast<double>(steps) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_MemoryStep20VmsBusy)->Unit(benchmark::kMicrosecond);

void BM_MemoryModel1000Hosts24h(benchmark::State& state) {
  const auto hosts = static_cast<int>(state.range(0));
  for (auto _ : state) {
    sim::Simulator sim;
    sim::MetricsRegistry metrics(sim::Time::from_seconds(20.0));
    MemoryModel model(sim, {}, &metrics);
    for (int h = 0; h < hosts; ++h) model.add_host(pressured_host(h));
    // Boots spread over the first ten minutes, as a cluster powering on.
    for (int h = 0; h < hosts; ++h) {
      for (int i = 0; i < 20; ++i) {
        const auto at = sim::Time::from_seconds(30.0 * i + 0.1 * (h % 10));
        sim.at(at, [&model, h, i] {
          benchmark::DoNotOptimize(model.power_on(static_cast<MemoryModel::HostId>(h), vm(h, i)));
        });
      }
    }
    sim.run_until(sim::Time::from_seconds(86400.0));
    model.finish();
    metrics.finish(sim.now());
    state.counters["events"] = static_cast<double>(sim.events_processed());
    state.counters["balloon_mib_host0"] = model.host(0).stats().balloon_mib;
    state.counters["swapped_mib_host0"] = model.host(0).stats().swapped_mib;
  }
  state.counters["peak_rss_mib"] = peak_rss_mib();
}
BENCHMARK(BM_MemoryModel1000Hosts24h)->Arg(1000)->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
