// Scale benchmark of the memory model under pressure, through the whole run driver
// (run_scenario), fluid fidelity with the CPU model on: 1,000 hosts of 16 cores at 2.4 GHz
// with 256 GiB and 20,000 VMs (VM i on host i mod 1000, 20 per host) of 2, 3 and 4 vCPUs
// (round robin) and 16, 20, 24, 28 and 32 GiB (by the VM's rank on its host, so every host
// holds 480 GiB of vRAM: 1.875 vRAM per GiB of host memory). Each guest touches 70-90% of its
// memory, of which 5% zero pages and 12% pages of one of two shared guest images (all VMs
// share one salt, so TPS shares the image across the VMs of an image on a host), with 15-35%
// active and half of the pages compressible. CPU: diurnal demand per vCPU, mean 25% of a
// core, amplitude 15%, peaks spread over the day, 5% noise, a new level every 5 minutes.
// 24 simulated hours, sample interval 20 s. The hosts fill up in the first ~15 minutes,
// then TPS, ballooning, compression and swap hold them in their memory states. The hosts
// cap the balloon at 40% of a VM's memory (Mem.CtlMaxPercent, default 65%), so that the
// balloons run out and compression and host swap take part of the reclamation.
// Prints wall time, events, peak RSS (getrusage) and the host averages of the memory gauges.
// Usage: scale_memory [hosts] [vms] [hours] [Mem.CtlMaxPercent] (default 1000 20000 24 40).

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <utility>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"

namespace {

using namespace vdc;
using namespace vdc::sim::literals;

models::ScenarioConfig build(int hosts, int vms, int hours, double ctl_max_pct) {
  models::ScenarioConfig s;
  s.name = "scale-memory";
  s.source = "<bench>";
  s.seed = 1;
  s.duration = sim::Time::from_seconds(3600.0 * hours);
  s.fidelity = models::Fidelity::fluid;
  s.sample_interval = 20_s;
  for (int h = 0; h < hosts; ++h) {
    models::HostConfig host;
    host.name = fmt::format("esx{:04}", h);
    host.cpu.sockets = 1;
    host.cpu.cores_per_socket = 16;
    host.cpu.threads_per_core = 1;
    host.cpu.frequency_mhz = 2400.0;
    host.memory_mib = 256.0 * 1024.0;
    // Balloon cap (default 40% instead of 65%): the balloons run out before the hosts are
    // back in Soft, so compression and host swap take the rest (Hard state).
    host.advanced["Mem.CtlMaxPercent"] = ctl_max_pct;
    s.hosts.push_back(std::move(host));
  }
  for (int i = 0; i < vms; ++i) {
    const int rank = i / hosts;  // the VM's rank on its host
    models::VmConfig vm;
    vm.name = fmt::format("vm{:05}", i);
    vm.host = s.hosts[static_cast<std::size_t>(i % hosts)].name;
    vm.vcpus = 2 + i % 3;
    vm.memory_mib = 1024.0 * (16 + 4 * (rank % 5));
    vm.guest.os = rank % 2 == 0 ? "linux-a" : "linux-b";
    vm.guest.salt = "fleet";
    vm.mem_workload.touched = 0.70 + 0.05 * (rank % 5);
    vm.mem_workload.active = 0.15 + 0.05 * (rank % 5);
    vm.mem_workload.zero = 0.05;
    vm.mem_workload.image = 0.12;
    vm.mem_workload.compressible = 0.5;
    vm.cpu_workload = models::DiurnalCpu{0.25, 0.15, sim::Time::from_seconds(3600.0 * (rank % 24)),
                                         0.05, 5_min};
    s.vms.push_back(std::move(vm));
  }
  return s;
}

double host_average(const models::RunResult& r, std::string_view name) {
  double sum = 0.0;
  for (const models::HostFacts& h : r.hosts) {
    if (const auto id = r.metrics.find(models::metric::host_entity(h.name), name)) {
      sum += r.metrics.average(*id);
    }
  }
  return r.hosts.empty() ? 0.0 : sum / static_cast<double>(r.hosts.size());
}

}  // namespace

int main(int argc, char** argv) {
  const int hosts = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int vms = argc > 2 ? std::atoi(argv[2]) : 20000;
  const int hours = argc > 3 ? std::atoi(argv[3]) : 24;
  const double ctl_max_pct = argc > 4 ? std::atof(argv[4]) : 40.0;
  models::ScenarioConfig scenario = build(hosts, vms, hours, ctl_max_pct);
  models::resolve_ids(scenario);  // as the loader does

  const auto start = std::chrono::steady_clock::now();
  const models::RunResult r = models::run_scenario(std::move(scenario));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  namespace m = models::metric;
  fmt::print("scale_memory: {} hosts, {} VMs, {} simulated, sample interval {}\n", hosts, vms,
             r.duration, r.sample_interval);
  fmt::print("  wall time        {:.3f} s (run_scenario: build, run, metrics)\n", wall);
  fmt::print("  engine events    {}\n", r.events);
  fmt::print("  peak RSS         {:.1f} MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  fmt::print(
      "  host averages    granted {:.0f} MiB, free {:.0f} MiB, shared saved {:.0f} MiB, balloon "
      "{:.0f} MiB, compressed {:.0f} MiB, swapped {:.0f} MiB\n",
      host_average(r, m::host_mem_granted_mib), host_average(r, m::host_mem_free_mib),
      host_average(r, m::host_mem_shared_saved_mib), host_average(r, m::host_mem_balloon_mib),
      host_average(r, m::host_mem_compressed_mib), host_average(r, m::host_mem_swapped_mib));
  fmt::print(
      "  time in state    high {:.1f}%, clear {:.1f}%, soft {:.1f}%, hard {:.1f}%, low {:.1f}%\n",
      100.0 * host_average(r, m::host_mem_state_high),
      100.0 * host_average(r, m::host_mem_state_clear),
      100.0 * host_average(r, m::host_mem_state_soft),
      100.0 * host_average(r, m::host_mem_state_hard),
      100.0 * host_average(r, m::host_mem_state_low));
  fmt::print("  host CPU used    {:.0f} MHz of {:.0f} (demand {:.0f})\n",
             host_average(r, m::host_cpu_used_mhz),
             r.hosts.empty() ? 0.0 : r.hosts.front().capacity_mhz,
             host_average(r, m::host_cpu_demand_mhz));
  return 0;
}
