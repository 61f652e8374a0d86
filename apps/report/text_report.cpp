#include <algorithm>
#include <ostream>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

/// Rule-of-thumb bands, reference A.3: per-vCPU ready above 5% is significant, above 10%
/// serious; co-stop above 3% is the commonly cited esxtop threshold.
constexpr double kReadyWarnPct = 5.0;
constexpr double kReadySeriousPct = 10.0;
constexpr double kCostopWarnPct = 3.0;
constexpr std::size_t kRowsShown = 10;

std::string duration_text(double s) {
  return fmt::format("{}", sim::Time::from_seconds(s));
}

void write_verdict(std::ostream& out, const Summary& s) {
  std::size_t on = 0, refused = 0, ready_warn = 0, ready_serious = 0, costop_warn = 0, swapping = 0,
              ballooned = 0;
  for (const auto& v : s.vms) {
    if (v.admission) ++refused;
    if (!v.powered_on && !v.admission) continue;
    ++on;
    if (v.cpu.ready_pct > kReadySeriousPct) ++ready_serious;
    else if (v.cpu.ready_pct > kReadyWarnPct) ++ready_warn;
    if (v.cpu.costop_pct > kCostopWarnPct) ++costop_warn;
    if (v.memory.swapped_mib_max > 0) ++swapping;
    if (v.memory.balloon_mib_max > 0) ++ballooned;
  }
  std::vector<std::string> lines;
  for (const auto& w : s.warnings) lines.push_back("WARNING: " + w.message);
  if (s.no_cpu_demand) {
    lines.push_back("CPU: not modelled (no VM demands CPU): ready, co-stop and CPU headroom say nothing about contention.");
  } else if (ready_serious + ready_warn == 0) {
    lines.push_back(fmt::format("CPU: no VM above {:.0f}% ready per vCPU.", kReadyWarnPct));
  } else {
    lines.push_back(fmt::format("CPU: {} VM(s) with serious ready time (> {:.0f}% per vCPU), {} significant ({:.0f}-{:.0f}%).",
                                ready_serious, kReadySeriousPct, ready_warn, kReadyWarnPct, kReadySeriousPct));
  }
  if (costop_warn > 0) {
    lines.push_back(fmt::format("CPU: {} SMP VM(s) above {:.0f}% co-stop.", costop_warn, kCostopWarnPct));
  }
  if (swapping + ballooned == 0) {
    lines.push_back("Memory: no ballooning or swapping.");
  } else {
    lines.push_back(fmt::format("Memory: {} VM(s) ballooned, {} VM(s) swapped.", ballooned, swapping));
  }
  if (refused > 0) {
    lines.push_back(fmt::format("Admission: {} VM(s) refused power-on (see report.json 'admission').", refused));
  }
  for (const auto& l : lines) fmt::print(out, "  {}\n", l);
}

void write_hosts(std::ostream& out, const Summary& s) {
  std::vector<const HostSummary*> hosts;
  for (const auto& h : s.hosts) hosts.push_back(&h);
  if (hosts.size() > kRowsShown) {
    std::stable_sort(hosts.begin(), hosts.end(), [](const HostSummary* a, const HostSummary* b) {
      return a->cpu.util_pct_avg > b->cpu.util_pct_avg;
    });
  }
  fmt::print(out, "\nHosts{}\n", hosts.size() > kRowsShown
                                     ? fmt::format(" (busiest {} of {})", kRowsShown, hosts.size())
                                     : std::string());
  fmt::print(out, "  {:<16} {:>10} {:>9} {:>11} {:>11} {:>7} {:>7} {:>10} {:>10}\n", "host", "vCPU:pCPU",
             "CPU util", "used MHz", "capacity", "high%", "soft+%", "balloon", "swapped");
  for (std::size_t i = 0; i < hosts.size() && i < kRowsShown; ++i) {
    const auto& h = *hosts[i];
    const double pressured = h.memory.state_time_pct[2] + h.memory.state_time_pct[3] + h.memory.state_time_pct[4];
    fmt::print(out, "  {:<16} {:>10.2f} {:>8.1f}% {:>11.0f} {:>11.0f} {:>7.1f} {:>7.1f} {:>10.0f} {:>10.0f}\n",
               h.name, h.cpu.vcpu_per_pcpu, h.cpu.util_pct_avg, h.cpu.used_mhz_avg, h.cpu.capacity_mhz,
               h.memory.state_time_pct[0], pressured, h.memory.balloon_mib_avg, h.memory.swapped_mib_avg);
  }
}

void write_vms(std::ostream& out, const Summary& s) {
  std::vector<const VmSummary*> vms;
  for (const auto& v : s.vms) vms.push_back(&v);
  std::stable_sort(vms.begin(), vms.end(), [](const VmSummary* a, const VmSummary* b) {
    if (a->cpu.ready_pct != b->cpu.ready_pct) return a->cpu.ready_pct > b->cpu.ready_pct;
    return a->cpu.costop_pct > b->cpu.costop_pct;
  });
  fmt::print(out, "\nVMs by CPU ready (worst {} of {})\n", std::min(kRowsShown, vms.size()), vms.size());
  fmt::print(out, "  {:<16} {:<12} {:>5} {:>7} {:>8} {:>7} {:>10} {:>10} {:>9} {:>9}\n", "vm", "host", "vCPU",
             "ready%", "costop%", "run%", "used MHz", "demand", "balloon", "swapped");
  for (std::size_t i = 0; i < vms.size() && i < kRowsShown; ++i) {
    const auto& v = *vms[i];
    if (v.admission) {
      fmt::print(out, "  {:<16} {:<12} {:>5}   not powered on: {}\n", v.name, "-", v.vcpus, *v.admission);
      continue;
    }
    fmt::print(out, "  {:<16} {:<12} {:>5} {:>7.2f} {:>8.2f} {:>7.2f} {:>10.0f} {:>10.0f} {:>9.0f} {:>9.0f}\n",
               v.name, v.host.empty() ? "-" : v.host, v.vcpus, v.cpu.ready_pct, v.cpu.costop_pct, v.cpu.run_pct,
               v.cpu.used_mhz_avg, v.cpu.demand_mhz_avg, v.memory.balloon_mib_avg, v.memory.swapped_mib_avg);
  }
}

void write_capacity(std::ostream& out, const Summary& s) {
  const auto& c = s.capacity;
  const std::string window = c.warmup_s > 0.0 ? fmt::format("after a {} warm-up", duration_text(c.warmup_s))
                                              : std::string("no warm-up");
  fmt::print(out, "\nCapacity (estimate from demand percentiles, {}; reference: {}, {} vCPU, p95 {:.0f} MHz, {:.0f} MiB)\n",
             window, c.reference.name, c.reference.vcpus, c.reference.cpu_demand_mhz_p95, c.reference.memory_mib);
  fmt::print(out, "  {:<16} {:>6} {:>10} {:>10} {:>12} {:>12} {:>11}  {}\n", "cluster", "hosts", "vCPU:pCPU",
             "vRAM:pRAM", "CPU p95 MHz", "mem p95 MiB", "headroom", "binds first");
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < c.clusters.size() && i < kRowsShown; ++i) {
    const auto& e = c.clusters[i];
    const Headroom& h = e.headroom_vms;
    // A sum that leaves out hosts where no threshold is reached is marked and explained.
    std::string headroom = h.vms ? std::to_string(*h.vms) : std::string("not reached");
    if (h.vms && h.hosts_not_reached > 0) {
      headroom += "*";
      notes.push_back(fmt::format("{}: {} of {} hosts reach no threshold and are not counted", e.name,
                                  h.hosts_not_reached, e.hosts));
    }
    fmt::print(out, "  {:<16} {:>6} {:>10.2f} {:>10.2f} {:>12.0f} {:>12.0f} {:>11}  {}\n", e.name, e.hosts,
               e.vcpu_per_pcpu, e.vram_per_pram, e.cpu_demand_mhz.p95, e.mem_consumed_mib.p95, headroom,
               e.binding);
  }
  for (const auto& n : notes) fmt::print(out, "  * {}\n", n);
}

void write_contention(std::ostream& out, const Summary& s) {
  const auto& offenders = s.contention.offenders;
  if (offenders.empty()) {
    fmt::print(out, "\nContention: no VM or host over a threshold.\n");
    return;
  }
  fmt::print(out, "\nContention (worst {} of {} threshold crossings)\n", std::min(kRowsShown, offenders.size()),
             offenders.size());
  fmt::print(out, "  {:<5} {:<16} {:<15} {:>10} {:>10} {:>10} {:>12}\n", "kind", "name", "metric", "average", "peak",
             "threshold", "time over");
  for (std::size_t i = 0; i < offenders.size() && i < kRowsShown; ++i) {
    const auto& o = offenders[i];
    fmt::print(out, "  {:<5} {:<16} {:<15} {:>10.2f} {:>10.2f} {:>10.2f} {:>12}\n", o.kind, o.name, o.metric,
               o.average, o.peak, o.threshold, duration_text(o.time_over_s));
  }
}

}  // namespace

void write_text(std::ostream& out, const Summary& s) {
  const std::string warmup =
      s.warmup_s > 0.0 ? fmt::format(", first {} excluded as warm-up", duration_text(s.warmup_s)) : std::string();
  fmt::print(out, "vdcsim {}: {} ({}, seed {}, {} simulated{}, {} events){}\n", version(), s.scenario, s.fidelity,
             s.seed, duration_text(s.duration_s), warmup, s.events, s.partial ? " [PARTIAL: interrupted]" : "");
  write_verdict(out, s);
  write_hosts(out, s);
  write_vms(out, s);
  write_capacity(out, s);
  write_contention(out, s);
}

}  // namespace vdc::report
