// Detailed CPU model throughput: one host of 2 sockets x 16 cores x 2 threads (64 logical
// CPUs) running 256 vCPUs of on/off workloads (64 VMs of 1, 2, 4 and 8 vCPUs, exponential
// bursts of 2 ms mean). Two loads, by the mean idle time between bursts (second argument,
// ms): 14 ms gives 12.5% per vCPU, 32 cores of demand on 32 cores (the hyperthreads absorb
// the peaks, little waiting); 8 ms gives 20%, 51 cores of demand: vCPUs wait, preempt each
// other, share cores as hyperthreads and get co-stopped. Each iteration simulates the
// first argument in seconds with every gauge published as in a run; the counter is engine
// events (wakes, burst ends, quantum expiries, speed changes of hyperthread partners,
// co-stop and co-start) per second of CPU time.

#include <benchmark/benchmark.h>

#include <deque>
#include <string>

#include "vdc/models/cpu/detailed_cpu.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/simulator.hpp"

namespace {

using namespace vdc;
using namespace vdc::sim::literals;

void BM_DetailedCpu_OnOff256(benchmark::State& state) {
  const auto seconds = state.range(0);
  const auto idle_ms = state.range(1);
  std::uint64_t events = 0;
  for (auto _ : state) {
    sim::Simulator sim;
    sim::MetricsRegistry metrics;
    models::HostConfig host;
    host.name = "esx";
    host.cpu.sockets = 2;
    host.cpu.cores_per_socket = 16;
    host.cpu.threads_per_core = 2;
    host.cpu.frequency_mhz = 2400.0;
    host.memory_mib = 512.0 * 1024.0;
    const models::cpu::CpuParameters params;
    models::cpu::DetailedHostCpu model(
        sim, metrics, host, params, models::cpu::register_host_cpu_metrics(metrics, "esx", true));
    std::deque<models::cpu::VmCpu> vms;
    const int widths[] = {1, 2, 4, 8};
    int vcpus = 0;
    for (int i = 0; vcpus < 256; ++i) {
      models::VmConfig c;
      c.name = "vm" + std::to_string(i);
      c.vcpus = widths[i % 4];
      c.memory_mib = 4096.0;
      c.cpu_workload =
          models::OnOffCpu{2_ms, sim::Time::from_ns(idle_ms * 1'000'000),
                           models::BurstDistribution::exponential};
      vms.push_back(models::cpu::make_vm_cpu(
          c, 42, params, models::cpu::register_vm_cpu_metrics(metrics, c.name, true)));
      model.add_vm(vms.back());
      vcpus += c.vcpus;
    }
    const sim::Time end = sim::Time::from_ns(seconds * 1'000'000'000);
    sim.run_until(end);
    model.finish(end);
    metrics.finish(end);
    events += sim.events_processed();
    benchmark::DoNotOptimize(metrics.size());
  }
  state.counters["events_per_s"] = benchmark::Counter(static_cast<double>(events),
                                                      benchmark::Counter::kIsRate);
  state.counters["events_per_iter"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_DetailedCpu_OnOff256)
    ->Args({60, 14})
    ->Args({60, 8})
    ->ArgNames({"seconds", "idle_ms"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
