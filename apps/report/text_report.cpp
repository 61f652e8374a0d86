#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
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

/// "1 VM", "2 VMs".
std::string count(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

/// Width of a name column: its header, and never less than `least`, widened to the longest
/// name it shows, so that long names push the other columns right instead of breaking them.
template <typename Range, typename Name>
std::size_t name_width(const Range& rows, std::size_t shown, std::size_t least, Name name) {
  std::size_t w = least;
  std::size_t i = 0;
  for (const auto& r : rows) {
    if (i++ >= shown) break;
    w = std::max(w, std::string_view(name(r)).size());
  }
  return w;
}

/// Per-vCPU ready and co-stop that print as 0.00 are no contention: such VMs are not listed.
constexpr double kShownPct = 0.005;
/// Memory reclaimed (MiB, averaged) below which a VM is not listed, unless it has a peak.
constexpr double kShownMib = 0.5;

double reclaimed_mib(const VmSummary& v) {
  return v.memory.balloon_mib_avg + v.memory.compressed_mib_avg + v.memory.swapped_mib_avg;
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
    lines.push_back(fmt::format("CPU: {} with serious ready time (> {:.0f}% per vCPU), {} significant ({:.0f}-{:.0f}%).",
                                count(ready_serious, "VM", "VMs"), kReadySeriousPct, ready_warn, kReadyWarnPct,
                                kReadySeriousPct));
  }
  if (costop_warn > 0) {
    lines.push_back(fmt::format("CPU: {} above {:.0f}% co-stop.", count(costop_warn, "SMP VM", "SMP VMs"), kCostopWarnPct));
  }
  if (swapping + ballooned == 0) {
    lines.push_back("Memory: no ballooning or swapping.");
  } else {
    lines.push_back(fmt::format("Memory: {} ballooned, {} swapped.", count(ballooned, "VM", "VMs"), count(swapping, "VM", "VMs")));
  }
  if (refused > 0) {
    lines.push_back(fmt::format("Admission: {} refused power-on (see report.json 'admission').", count(refused, "VM", "VMs")));
  }
  for (const auto& l : lines) fmt::print(out, "  {}\n", l);
}

void write_hosts(std::ostream& out, const Summary& s) {
  std::vector<const HostSummary*> hosts;
  for (const auto& h : s.hosts) hosts.push_back(&h);
  if (hosts.size() > kRowsShown) {
    std::stable_sort(hosts.begin(), hosts.end(), [](const HostSummary* a, const HostSummary* b) {
      return a->cpu.usage_pct_avg > b->cpu.usage_pct_avg;
    });
  }
  fmt::print(out, "\nHosts{}\n", hosts.size() > kRowsShown
                                     ? fmt::format(" (busiest {} of {})", kRowsShown, hosts.size())
                                     : std::string());
  const std::size_t w = name_width(hosts, kRowsShown, 16, [](const HostSummary* h) { return h->name; });
  // CPU util is of the capacity the CPU model grants (hyperthreads included): never above
  // 100%, as vCenter shows it; core MHz is the cores alone, esxtop's CORE UTIL base.
  fmt::print(out, "  {:<{}} {:>10} {:>9} {:>11} {:>11} {:>11} {:>7} {:>7} {:>10} {:>10}\n", "host", w, "vCPU:pCPU",
             "CPU util", "used MHz", "capacity", "core MHz", "high%", "soft+%", "balloon", "swapped");
  for (std::size_t i = 0; i < hosts.size() && i < kRowsShown; ++i) {
    const auto& h = *hosts[i];
    const double pressured = h.memory.state_time_pct[2] + h.memory.state_time_pct[3] + h.memory.state_time_pct[4];
    fmt::print(out, "  {:<{}} {:>10.2f} {:>8.1f}% {:>11.0f} {:>11.0f} {:>11.0f} {:>7.1f} {:>7.1f} {:>10.0f} {:>10.0f}\n",
               h.name, w, h.cpu.vcpu_per_pcpu, h.cpu.usage_pct_avg, h.cpu.used_mhz_avg, h.cpu.granted_capacity_mhz,
               h.cpu.capacity_mhz, h.memory.state_time_pct[0], pressured, h.memory.balloon_mib_avg,
               h.memory.swapped_mib_avg);
  }
}

std::string_view host_of(const VmSummary& v) { return v.host.empty() ? std::string_view("-") : std::string_view(v.host); }

void write_vms(std::ostream& out, const Summary& s) {
  std::vector<const VmSummary*> vms;
  std::size_t refused = 0;
  for (const auto& v : s.vms) {
    if (v.admission) ++refused;
    else if (v.cpu.ready_pct >= kShownPct || v.cpu.costop_pct >= kShownPct) vms.push_back(&v);
  }
  if (vms.empty()) {
    fmt::print(out, "\nVMs by CPU ready: none (no VM has ready or co-stop time)\n");
    return;
  }
  std::stable_sort(vms.begin(), vms.end(), [](const VmSummary* a, const VmSummary* b) {
    if (a->cpu.ready_pct != b->cpu.ready_pct) return a->cpu.ready_pct > b->cpu.ready_pct;
    return a->cpu.costop_pct > b->cpu.costop_pct;
  });
  const std::size_t ran = s.vms.size() - refused;
  std::string which;
  if (vms.size() == ran) which = fmt::format("worst {} of {}", std::min(kRowsShown, vms.size()), vms.size());
  else if (vms.size() <= kRowsShown) which = fmt::format("the {} of {} with ready or co-stop", vms.size(), count(ran, "VM", "VMs"));
  else which = fmt::format("worst {} of the {} of {} with ready or co-stop", kRowsShown, vms.size(), count(ran, "VM", "VMs"));
  fmt::print(out, "\nVMs by CPU ready ({})\n", which);
  const std::size_t wv = name_width(vms, kRowsShown, 16, [](const VmSummary* v) { return v->name; });
  const std::size_t wh = name_width(vms, kRowsShown, 12, [](const VmSummary* v) { return host_of(*v); });
  fmt::print(out, "  {:<{}} {:<{}} {:>5} {:>7} {:>8} {:>7} {:>10} {:>10} {:>9} {:>9}\n", "vm", wv, "host", wh, "vCPU",
             "ready%", "costop%", "run%", "used MHz", "demand", "balloon", "swapped");
  for (std::size_t i = 0; i < vms.size() && i < kRowsShown; ++i) {
    const auto& v = *vms[i];
    fmt::print(out, "  {:<{}} {:<{}} {:>5} {:>7.2f} {:>8.2f} {:>7.2f} {:>10.0f} {:>10.0f} {:>9.0f} {:>9.0f}\n",
               v.name, wv, host_of(v), wh, v.vcpus, v.cpu.ready_pct, v.cpu.costop_pct, v.cpu.run_pct,
               v.cpu.used_mhz_avg, v.cpu.demand_mhz_avg, v.memory.balloon_mib_avg, v.memory.swapped_mib_avg);
  }
}

void write_reclamation(std::ostream& out, const Summary& s) {
  std::vector<const VmSummary*> vms;
  for (const auto& v : s.vms) {
    if (v.admission) continue;
    if (reclaimed_mib(v) >= kShownMib || v.memory.balloon_mib_max > 0 || v.memory.swapped_mib_max > 0) vms.push_back(&v);
  }
  if (vms.empty()) {
    fmt::print(out, "\nVMs by memory reclamation: none (no VM ballooned, compressed or swapped)\n");
    return;
  }
  std::stable_sort(vms.begin(), vms.end(),
                   [](const VmSummary* a, const VmSummary* b) { return reclaimed_mib(*a) > reclaimed_mib(*b); });
  fmt::print(out, "\nVMs by memory reclamation (worst {} of {} with balloon, compressed or swapped memory; MiB averages)\n",
             std::min(kRowsShown, vms.size()), vms.size());
  const std::size_t wv = name_width(vms, kRowsShown, 16, [](const VmSummary* v) { return v->name; });
  const std::size_t wh = name_width(vms, kRowsShown, 12, [](const VmSummary* v) { return host_of(*v); });
  fmt::print(out, "  {:<{}} {:<{}} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}\n", "vm", wv, "host", wh, "memory",
             "granted", "balloon", "compressed", "swapped", "reclaimed", "% of mem");
  for (std::size_t i = 0; i < vms.size() && i < kRowsShown; ++i) {
    const auto& v = *vms[i];
    const double reclaimed = reclaimed_mib(v);
    fmt::print(out, "  {:<{}} {:<{}} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>9.1f}\n", v.name,
               wv, host_of(v), wh, v.memory_mib, v.memory.granted_mib_avg, v.memory.balloon_mib_avg,
               v.memory.compressed_mib_avg, v.memory.swapped_mib_avg, reclaimed,
               v.memory_mib > 0 ? 100.0 * reclaimed / v.memory_mib : 0.0);
  }
}

void write_capacity(std::ostream& out, const Summary& s) {
  const auto& c = s.capacity;
  const std::string window = c.warmup_s > 0.0 ? fmt::format("after a {} warm-up", duration_text(c.warmup_s))
                                              : std::string("no warm-up");
  fmt::print(out, "\nCapacity (estimate from demand percentiles, {}; reference: {}, {}, p95 {:.0f} MHz, {:.0f} MiB)\n",
             window, c.reference.name, count(static_cast<std::size_t>(std::max(0, c.reference.vcpus)), "vCPU", "vCPUs"), c.reference.cpu_demand_mhz_p95, c.reference.memory_mib);
  const std::size_t w = name_width(c.clusters, kRowsShown, 16, [](const CapacityEntry& e) { return e.name; });
  fmt::print(out, "  {:<{}} {:>6} {:>10} {:>10} {:>12} {:>12} {:>11}  {}\n", "cluster", w, "hosts", "vCPU:pCPU",
             "vRAM:pRAM", "CPU p95 MHz", "mem p95 MiB", "headroom", "binds first");
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < c.clusters.size() && i < kRowsShown; ++i) {
    const auto& e = c.clusters[i];
    const Headroom& h = e.headroom_vms;
    // A sum that leaves out hosts where no threshold is reached is marked and explained.
    std::string headroom = h.vms ? std::to_string(*h.vms) : std::string("not reached");
    if (h.vms && h.hosts_not_reached > 0) {
      headroom += "*";
      notes.push_back(fmt::format("{}: {} of {} {} no threshold and {} not counted", e.name, h.hosts_not_reached,
                                  count(static_cast<std::size_t>(e.hosts), "host", "hosts"),
                                  h.hosts_not_reached == 1 ? "reaches" : "reach",
                                  h.hosts_not_reached == 1 ? "is" : "are"));
    }
    fmt::print(out, "  {:<{}} {:>6} {:>10.2f} {:>10.2f} {:>12.0f} {:>12.0f} {:>11}  {}\n", e.name, w, e.hosts,
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
  const std::size_t w = name_width(offenders, kRowsShown, 16, [](const Offender& o) { return o.name; });
  fmt::print(out, "  {:<5} {:<{}} {:<15} {:>10} {:>10} {:>10} {:>12}\n", "kind", "name", w, "metric", "average", "peak",
             "threshold", "time over");
  for (std::size_t i = 0; i < offenders.size() && i < kRowsShown; ++i) {
    const auto& o = offenders[i];
    fmt::print(out, "  {:<5} {:<{}} {:<15} {:>10.2f} {:>10.2f} {:>10.2f} {:>12}\n", o.kind, o.name, w, o.metric,
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
  write_reclamation(out, s);
  write_capacity(out, s);
  write_contention(out, s);
}

}  // namespace vdc::report
