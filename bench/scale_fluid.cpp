// Scale benchmark of the fluid CPU model through the whole run driver (run_scenario):
// 1,000 hosts of 16 cores at 1 GHz and 20,000 VMs of 2, 3 and 4 vCPUs (round robin, about
// 3.75 vCPUs per core; VM i on host i mod 1000), every vCPU running 10 tasks of 0.75 to
// 1.75 s of work: 599,990 task completions (59,999 vCPUs). The same workload as SimGrid's classic
// cloud-capacity test; SimGrid 3.32 took 8.8-9.8 s on it here (bench/README.md), the target is 3x faster.
// Prints wall time, events, completions and peak RSS (getrusage).
// Usage: scale_fluid [hosts] [vms] (default 1000 20000).

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"

namespace {

using namespace vdc;
using namespace vdc::sim::literals;

models::ScenarioConfig build(int hosts, int vms) {
  models::ScenarioConfig s;
  s.name = "scale-fluid";
  s.source = "<bench>";
  s.seed = 1;
  s.duration = 10_min;
  s.fidelity = models::Fidelity::fluid;
  for (int h = 0; h < hosts; ++h) {
    models::HostConfig host;
    host.name = fmt::format("esx{:04}", h);
    host.cpu.sockets = 1;
    host.cpu.cores_per_socket = 16;
    host.cpu.threads_per_core = 1;
    host.cpu.frequency_mhz = 1000.0;
    host.memory_mib = 256.0 * 1024.0;
    s.hosts.push_back(std::move(host));
  }
  for (int i = 0; i < vms; ++i) {
    models::VmConfig vm;
    vm.name = fmt::format("vm{:05}", i);
    vm.host = s.hosts[static_cast<std::size_t>(i % hosts)].name;
    vm.vcpus = 2 + i % 3;
    vm.memory_mib = 4096.0;
    // Task sizes differ between the VMs of a host (0.75 s to 1.75 s in 21 steps), so their
    // completions do not coincide.
    vm.cpu_workload = models::TasksCpu{10, 750_ms + 50_ms * ((i / hosts) % 21)};
    s.vms.push_back(std::move(vm));
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int hosts = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int vms = argc > 2 ? std::atoi(argv[2]) : 20000;
  models::ScenarioConfig scenario = build(hosts, vms);
  models::resolve_ids(scenario);  // as the loader does

  const auto start = std::chrono::steady_clock::now();
  const models::RunResult r = models::run_scenario(std::move(scenario));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  double completions = 0.0;
  for (const models::VmFacts& vm : r.vms) {
    completions += r.metrics.total(
        *r.metrics.find(models::metric::vm_entity(vm.name), models::metric::vm_cpu_tasks_completed));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("scale_fluid: {} hosts, {} VMs, {} simulated\n", hosts, vms, r.duration);
  fmt::print("  wall time        {:.3f} s (run_scenario: build, run, metrics)\n", wall);
  fmt::print("  engine events    {}\n", r.events);
  fmt::print("  task completions {:.0f}\n", completions);
  fmt::print("  peak RSS         {:.1f} MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
