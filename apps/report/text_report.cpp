#include <algorithm>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "vdc/models/report_text.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

constexpr std::size_t kRowsShown = models::report_text::kRowsShown;

std::string duration_text(double s) {
  return fmt::format("{}", sim::Time::from_seconds(s));
}

using models::report_text::count;
using models::report_text::name_width;

/// The warnings, each area's verdicts, and the VMs refused power-on.
void write_verdict(std::ostream& out, const Summary& s) {
  std::vector<std::string> lines;
  for (const auto& w : s.warnings) lines.push_back("WARNING: " + w.message);
  for (const auto& section : s.sections) lines.insert(lines.end(), section.verdict.begin(), section.verdict.end());
  const auto refused = static_cast<std::size_t>(
      std::count_if(s.vms.begin(), s.vms.end(), [](const models::VmFacts& v) { return v.admission.has_value(); }));
  if (refused > 0) {
    lines.push_back(fmt::format("Admission: {} refused power-on (see report.json 'admission').", count(refused, "VM", "VMs")));
  }
  for (const auto& l : lines) fmt::print(out, "  {}\n", l);
}

/// The hosts, with every area's columns (AreaReportSpec::host_text); when they do not all
/// fit, the busiest by the first area that ranks hosts.
void write_hosts(std::ostream& out, const Summary& s) {
  std::vector<std::size_t> hosts(s.hosts.size());
  for (std::size_t i = 0; i < hosts.size(); ++i) hosts[i] = i;
  if (hosts.size() > kRowsShown) {
    for (const auto& section : s.sections) {
      const auto key = section.spec->rank_hosts_by;
      const auto c = key.empty() ? std::nullopt : section.column(models::EntityKind::host, key);
      if (!c) continue;
      std::stable_sort(hosts.begin(), hosts.end(), [&](std::size_t a, std::size_t b) {
        return section.host_row(a)[*c] > section.host_row(b)[*c];
      });
      break;
    }
  }
  fmt::print(out, "\nHosts{}\n", hosts.size() > kRowsShown
                                     ? fmt::format(" (busiest {} of {})", kRowsShown, hosts.size())
                                     : std::string());
  const std::size_t w = name_width(hosts, kRowsShown, 16, [&](std::size_t i) { return s.hosts[i].name; });
  std::string line = fmt::format("  {:<{}}", "host", w);
  for (const auto& section : s.sections) {
    for (const auto& c : section.spec->host_text) line += fmt::format(" {:>{}}", c.header, c.width);
  }
  fmt::print(out, "{}\n", line);
  for (std::size_t k = 0; k < hosts.size() && k < kRowsShown; ++k) {
    const std::size_t i = hosts[k];
    line = fmt::format("  {:<{}}", s.hosts[i].name, w);
    for (const auto& section : s.sections) {
      for (const auto& c : section.spec->host_text) {
        const int width = c.width - static_cast<int>(c.suffix.size());
        line += fmt::format(" {:>{}.{}f}{}", c.value(section.host_row(i)), width, c.decimals, c.suffix);
      }
    }
    fmt::print(out, "{}\n", line);
  }
}

/// Each area's own blocks (the VMs by CPU ready, by memory reclamation, ...).
void write_sections(std::ostream& out, const Summary& s) {
  const models::ReportView view = s.view();
  for (const auto& section : s.sections) {
    if (section.spec->text == nullptr) continue;
    std::string text;
    section.spec->text(view, text);
    out << text;
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
  // "kind" is 5 wide unless an area's own entity ("datastore") needs more.
  std::size_t kw = 5;
  for (std::size_t i = 0; i < offenders.size() && i < kRowsShown; ++i) kw = std::max(kw, offenders[i].kind.size());
  fmt::print(out, "  {:<{}} {:<{}} {:<15} {:>10} {:>10} {:>10} {:>12}\n", "kind", kw, "name", w, "metric", "average",
             "peak", "threshold", "time over");
  for (std::size_t i = 0; i < offenders.size() && i < kRowsShown; ++i) {
    const auto& o = offenders[i];
    fmt::print(out, "  {:<{}} {:<{}} {:<15} {:>10.2f} {:>10.2f} {:>10.2f} {:>12}\n", o.kind, kw, o.name, w, o.metric,
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
  write_sections(out, s);
  write_capacity(out, s);
  write_contention(out, s);
}

}  // namespace vdc::report
