// Scale benchmark of trace replay through the whole run driver (run_scenario), fluid
// fidelity: the 100 Bitbrains GWA-T-12 "Rnd" files of 2013-7 (shared/data/bitbrains_rnd/2013-7,
// 832,073 rows) as 100 VMs with trace workloads (format bitbrains, column cpu_mhz,
// memory_column mem_kb, at_end stop) on 10 hosts of 2 x 16 cores at 2.6 GHz with 512 GiB
// (VM i on host i mod 10), for the trace's full month (the longest file's span). Each VM gets
// the largest CPU core count of its file as vCPUs (at least 1) and the largest provisioned
// memory of its file (at least 1 GiB), and touches only what its trace uses. The wall time covers everything run_scenario does:
// reading, gunzipping and parsing the files, building, simulating and the metrics. Before
// it, untimed, the files are read once more to find the month's span, the vCPU counts and
// memory sizes, and to sum the traces' integrals for the conservation checks printed last
// (the CPU model serves at most one core per vCPU, so demand matches the capped integral;
// active memory is capped at the VM's memory).
// Prints wall time, events, peak RSS (getrusage).
// Usage: scale_trace_replay [folder of the 100 files] [vms] [hosts] [days]
// (defaults: ../shared/data/bitbrains_rnd/2013-7 beside a checkout, one VM per file, 10 hosts,
// the longest file's span). With more VMs than files, VM v replays file v mod 100; a run
// shorter than the span compares with the traces' integrals up to its end.

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "bitbrains_files.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace {

using namespace vdc;

models::TraceCpu bitbrains(const std::string& file, const char* column) {
  models::TraceCpu t;
  t.format = models::TraceFormat::bitbrains;
  t.file = file;
  t.column = column;
  t.at_end = models::TraceEnd::stop;
  return t;
}

/// Integral over [0, end) of min(value x factor, cap), value x seconds (0 past the span).
double capped(const models::trace::TraceSeries& s, double factor, double cap, sim::Time end) {
  double total = 0.0;
  for (std::size_t k = 0; k < s.size() && s.time(k) < end; ++k) {
    const sim::Time until = std::min(k + 1 < s.size() ? s.time(k + 1) : s.span(), end);
    total += std::min(s.value(k) * factor, cap) * (until - s.time(k)).seconds();
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  const auto found = vdc::bench::bitbrains_files(argc, argv, "scale_trace_replay");
  if (!found) return 2;
  const std::vector<std::string>& files = *found;
  // Optional: VMs (VM i replays file i mod the file count), hosts, simulated days.
  const std::size_t vm_count = argc > 2 ? std::stoul(argv[2]) : files.size();
  const std::size_t hosts = argc > 3 ? std::stoul(argv[3]) : 10;
  const double days = argc > 4 ? std::stod(argv[4]) : 0.0;
  if (files.empty() || vm_count == 0 || hosts == 0 || days < 0.0) {
    fmt::print(stderr, "usage: scale_trace_replay [folder] [vms] [hosts] [days]\n");
    return 2;
  }

  // Untimed: span, vCPUs and the traces' own integrals (MHz x s).
  models::ScenarioConfig s;
  s.name = "scale-trace-replay";
  s.source = "<bench>";
  s.seed = 1;
  s.fidelity = models::Fidelity::fluid;
  double trace_integral = 0.0;
  double capped_integral = 0.0;
  double memory_integral = 0.0;  // MiB x s, capped at each VM's memory
  {
    models::trace::TraceCache probe;
    sim::Time longest;
    for (const auto& f : files) longest = std::max(longest, probe.get(bitbrains(f, "cpu_mhz")).span());
    s.duration = days > 0.0 ? sim::Time::from_seconds(days * 86400.0) : longest;
    constexpr double uncapped = std::numeric_limits<double>::infinity();
    for (std::size_t h = 0; h < hosts; ++h) {
      models::HostConfig host;
      host.name = fmt::format("esx{:02}", h);
      host.cpu.sockets = 2;
      host.cpu.cores_per_socket = 16;
      host.cpu.threads_per_core = 1;
      host.cpu.frequency_mhz = 2600.0;
      host.memory_mib = 512.0 * 1024.0;
      s.hosts.push_back(std::move(host));
    }
    for (std::size_t v = 0; v < vm_count; ++v) {
      const std::size_t i = v % files.size();
      const auto& cores = probe.get(bitbrains(files[i], "cores"));
      double most = 1.0;
      for (std::size_t k = 0; k < cores.size(); ++k) most = std::max(most, cores.value(k));
      models::VmConfig vm;
      vm.name = fmt::format("vm{}-{}", v, std::filesystem::path(files[i]).stem().stem().string());
      vm.host = s.hosts[v % hosts].name;
      vm.vcpus = static_cast<int>(most);
      // The CPU model serves at most one core per vCPU: the trace's integral under that cap.
      const auto& mhz = probe.get(bitbrains(files[i], "cpu_mhz"));
      trace_integral += capped(mhz, 1.0, uncapped, s.duration);
      capped_integral += capped(mhz, 1.0, most * 2600.0, s.duration);
      const auto& provisioned = probe.get(bitbrains(files[i], "mem_capacity_kb"));
      double kb = 1024.0 * 1024.0;
      for (std::size_t k = 0; k < provisioned.size(); ++k) kb = std::max(kb, provisioned.value(k));
      vm.memory_mib = std::ceil(kb / 1024.0);
      memory_integral +=
          capped(probe.get(bitbrains(files[i], "mem_kb")), 1.0 / 1024.0, vm.memory_mib, s.duration);
      // The trace alone decides what the guest touches: its largest working set so far.
      vm.mem_workload.active = 0.0;
      vm.mem_workload.touched = 0.0;
      auto workload = bitbrains(files[i], "cpu_mhz");
      workload.memory_column = "mem_kb";
      vm.cpu_workload = workload;
      s.vms.push_back(std::move(vm));
    }
  }
  int vcpus = 0;
  for (const auto& vm : s.vms) vcpus += vm.vcpus;
  models::resolve_ids(s);  // as the loader does

  const auto start = std::chrono::steady_clock::now();
  const models::RunResult r = models::run_scenario(std::move(s));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  namespace m = models::metric;
  double demand_integral = 0.0;
  double used_integral = 0.0;
  double active_integral = 0.0;
  for (const models::VmFacts& vm : r.vms) {
    const std::string entity = m::vm_entity(vm.name);
    demand_integral += r.metrics.integral(*r.metrics.find(entity, m::vm_cpu_demand_mhz));
    used_integral += r.metrics.integral(*r.metrics.find(entity, m::vm_cpu_used_mhz));
    active_integral += r.metrics.integral(*r.metrics.find(entity, m::vm_mem_active_mib));
  }
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  fmt::print("scale_trace_replay: {} trace VMs ({} vCPUs) on {} hosts, {} simulated\n",
             r.vms.size(), vcpus, r.hosts.size(), r.duration);
  fmt::print("  wall time        {:.3f} s (run_scenario: parse, build, run, metrics)\n", wall);
  fmt::print("  engine events    {}\n", r.events);
  fmt::print("  peak RSS         {:.1f} MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  fmt::print(
      "  CPU demand       {:.6e} MHz*s (traces' integral {:.6e}, {:.6e} capped at one core per "
      "vCPU); used {:.6e} MHz*s\n",
      demand_integral, trace_integral, capped_integral, used_integral);
  fmt::print("  active memory    {:.6e} MiB*s (traces' integral {:.6e} capped at each VM's memory)\n",
             active_integral, memory_integral);
  return 0;
}
