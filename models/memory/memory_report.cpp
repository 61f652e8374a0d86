// What the memory area contributes to the reports: include/vdc/models/memory/memory_area.hpp,
// docs/report.md for each field's meaning.
#include <algorithm>
#include <cmath>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "vdc/models/memory/memory_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/report_text.hpp"
#include "vdc/sim/metrics.hpp"

namespace vdc::models::memory {
namespace {

namespace text = report_text;

/// Memory reclaimed (MiB, averaged) below which a VM is not listed, unless it has a peak.
constexpr double kShownMib = 0.5;

constexpr std::array<ReportColumn, 13> host_columns{{
    {"capacity_mib", "memory_capacity_mib", "MiB"},
    {"min_free_mib", "min_free_mib", "MiB"},
    // Percent of the measured time in each host memory state (reference B.2).
    {"state_time_pct.high", "state_high_pct", "%"},
    {"state_time_pct.clear", "state_clear_pct", "%"},
    {"state_time_pct.soft", "state_soft_pct", "%"},
    {"state_time_pct.hard", "state_hard_pct", "%"},
    {"state_time_pct.low", "state_low_pct", "%"},
    {"granted_mib_avg", "granted_mib_avg", "MiB"},
    {"consumed_mib_avg", "consumed_mib_avg", "MiB"},
    {"shared_saved_mib_avg", "shared_saved_mib_avg", "MiB"},
    {"balloon_mib_avg", "balloon_mib_avg", "MiB"},
    {"compressed_mib_avg", "compressed_mib_avg", "MiB"},
    {"swapped_mib_avg", "swapped_mib_avg", "MiB"},
}};
constexpr std::size_t h_capacity = column_index(host_columns, "capacity_mib");
constexpr std::size_t h_min_free = column_index(host_columns, "min_free_mib");
constexpr std::size_t h_high = column_index(host_columns, "state_time_pct.high");
constexpr std::size_t h_soft = column_index(host_columns, "state_time_pct.soft");
constexpr std::size_t h_hard = column_index(host_columns, "state_time_pct.hard");
constexpr std::size_t h_low = column_index(host_columns, "state_time_pct.low");
constexpr std::size_t h_granted = column_index(host_columns, "granted_mib_avg");
constexpr std::size_t h_balloon = column_index(host_columns, "balloon_mib_avg");
constexpr std::size_t h_swapped = column_index(host_columns, "swapped_mib_avg");

/// The host gauges behind the columns from h_high on, in column order.
constexpr std::array<std::string_view, 11> host_gauges{
    metric::host_mem_state_high,       metric::host_mem_state_clear,   metric::host_mem_state_soft,
    metric::host_mem_state_hard,       metric::host_mem_state_low,     metric::host_mem_granted_mib,
    metric::host_mem_consumed_mib,     metric::host_mem_shared_saved_mib, metric::host_mem_balloon_mib,
    metric::host_mem_compressed_mib,   metric::host_mem_swapped_mib};
static_assert(h_high + host_gauges.size() == host_columns.size() && h_granted == h_high + 5);

constexpr std::array<ReportColumn, 8> vm_columns{{
    {"granted_mib_avg", "granted_mib_avg", "MiB"},
    {"active_mib_avg", "active_mib_avg", "MiB"},
    {"shared_mib_avg", "shared_mib_avg", "MiB"},
    {"balloon_mib_avg", "balloon_mib_avg", "MiB"},
    {"compressed_mib_avg", "compressed_mib_avg", "MiB"},
    {"swapped_mib_avg", "swapped_mib_avg", "MiB"},
    {"balloon_mib_max", "balloon_mib_max", "MiB"},
    {"swapped_mib_max", "swapped_mib_max", "MiB"},
}};
constexpr std::size_t v_granted = column_index(vm_columns, "granted_mib_avg");
constexpr std::size_t v_balloon = column_index(vm_columns, "balloon_mib_avg");
constexpr std::size_t v_compressed = column_index(vm_columns, "compressed_mib_avg");
constexpr std::size_t v_swapped = column_index(vm_columns, "swapped_mib_avg");
constexpr std::size_t v_balloon_max = column_index(vm_columns, "balloon_mib_max");
constexpr std::size_t v_swapped_max = column_index(vm_columns, "swapped_mib_max");
static_assert(v_granted == 0 && v_swapped == 5 && metric::vm_memory_gauges.size() == 6);

/// esxtop's names where it has one (reference A.3), with the unit.
constexpr std::array<SeriesColumn, 14> series{{
    {metric::vm_mem_granted_mib, "GRANT_MiB"},
    {metric::host_mem_consumed_mib, "CONSUMED_MiB"},
    {metric::vm_mem_active_mib, "TCHD_MiB"},
    {metric::vm_mem_shared_mib, "SHRD_MiB"},
    {metric::host_mem_shared_saved_mib, "SHRDSVD_MiB"},
    {metric::vm_mem_balloon_mib, "MCTLSZ_MiB"},
    {metric::vm_mem_compressed_mib, "ZIP_MiB"},
    {metric::vm_mem_swapped_mib, "SWCUR_MiB"},
    {metric::host_mem_free_mib, "FREE_MiB"},
    {metric::host_mem_state_high, "%STATE_high", SeriesScale::percent},
    {metric::host_mem_state_clear, "%STATE_clear", SeriesScale::percent},
    {metric::host_mem_state_soft, "%STATE_soft", SeriesScale::percent},
    {metric::host_mem_state_hard, "%STATE_hard", SeriesScale::percent},
    {metric::host_mem_state_low, "%STATE_low", SeriesScale::percent},
}};
static_assert(metric::vm_mem_granted_mib == metric::host_mem_granted_mib &&
              metric::vm_mem_balloon_mib == metric::host_mem_balloon_mib &&
              metric::vm_mem_compressed_mib == metric::host_mem_compressed_mib &&
              metric::vm_mem_swapped_mib == metric::host_mem_swapped_mib);

constexpr std::array<EsxtopCounter, 6> esxtop{{
    {EntityKind::host, metric::host_mem_free_mib, "Memory", "Free MBytes"},
    {EntityKind::host, metric::host_mem_balloon_mib, "Memory", "Memctl Current MBytes"},
    {EntityKind::host, metric::host_mem_swapped_mib, "Memory", "Swap Used MBytes"},
    {EntityKind::vm, metric::vm_mem_balloon_mib, "Group Memory", "Memctl MBytes"},
    {EntityKind::vm, metric::vm_mem_compressed_mib, "Group Memory", "Zipped MBytes"},
    {EntityKind::vm, metric::vm_mem_swapped_mib, "Group Memory", "Swapped MBytes"},
}};

// Any ballooned, compressed or swapped memory (esxtop's MCTLSZ, ZIP, SWCUR > 0); and a host
// in the soft state or worse: it is reclaiming memory by ballooning, compression or swapping.
constexpr std::array<ContentionCheck, 6> contention{{
    {EntityKind::vm, metric::vm_mem_balloon_mib, "balloon_mib", "balloon_mib", 0.0, 1.0},
    {EntityKind::vm, metric::vm_mem_compressed_mib, "compressed_mib", "compressed_mib", 0.0, 1.0},
    {EntityKind::vm, metric::vm_mem_swapped_mib, "swapped_mib", "swapped_mib", 0.0, 1.0},
    {EntityKind::host, metric::host_mem_state_soft, "state.soft", "", 0.0, 100.0},
    {EntityKind::host, metric::host_mem_state_hard, "state.hard", "", 0.0, 100.0},
    {EntityKind::host, metric::host_mem_state_low, "state.low", "", 0.0, 100.0},
}};

constexpr std::array<TextColumn, 4> host_text{{
    {"high%", 7, 1, "", [](std::span<const double> r) { return r[h_high]; }},
    {"soft+%", 7, 1, "", [](std::span<const double> r) { return r[h_soft] + r[h_hard] + r[h_low]; }},
    {"balloon", 10, 0, "", [](std::span<const double> r) { return r[h_balloon]; }},
    {"swapped", 10, 0, "", [](std::span<const double> r) { return r[h_swapped]; }},
}};

constexpr std::array<ChartSeries, 5> host_lines{{
    {metric::host_mem_consumed_mib, "consumed", "#1f77b4"},
    {metric::host_mem_shared_saved_mib, "saved by sharing", "#17becf"},
    {metric::host_mem_balloon_mib, "ballooned", "#ff7f0e"},
    {metric::host_mem_compressed_mib, "compressed", "#9467bd"},
    {metric::host_mem_swapped_mib, "swapped", "#d62728"},
}};
constexpr std::array<ChartLevel, 2> host_levels{{
    {"capacity", "#111111", [](const ChartInput& in) { return in.row[h_capacity]; }},
    {"capacity \u2212 minFree", "#888888",
     [](const ChartInput& in) { return in.row[h_capacity] - in.row[h_min_free]; }},
}};
constexpr std::array<ChartSeries, 5> states{{
    {metric::host_mem_state_high, "high", "#4caf50"},
    {metric::host_mem_state_clear, "clear", "#cddc39"},
    {metric::host_mem_state_soft, "soft", "#ffc107"},
    {metric::host_mem_state_hard, "hard", "#ff5722"},
    {metric::host_mem_state_low, "low", "#b71c1c"},
}};
constexpr std::array<ChartSeries, 5> vm_lines{{
    {metric::vm_mem_granted_mib, "granted", "#1f77b4"},
    {metric::vm_mem_active_mib, "active", "#2ca02c"},
    {metric::vm_mem_balloon_mib, "ballooned", "#ff7f0e"},
    {metric::vm_mem_compressed_mib, "compressed", "#9467bd"},
    {metric::vm_mem_swapped_mib, "swapped", "#d62728"},
}};
constexpr std::array<ChartLevel, 1> vm_levels{{
    {"configured", "#111111", [](const ChartInput& in) { return in.vm != nullptr ? in.vm->memory_mib : 0.0; }},
}};

double reclaimed_mib(std::span<const double> row) { return row[v_balloon] + row[v_compressed] + row[v_swapped]; }

/// The peak of the host's consumed memory, in percent of its capacity.
double peak_consumed_pct(const ChartInput& in) {
  const auto id = in.metrics->find(in.entity, metric::host_mem_consumed_mib);
  const double peak = id ? in.metrics->max(*id) : 0.0;
  return in.row[h_capacity] > 0 ? 100.0 * peak / in.row[h_capacity] : 0.0;
}

// report.html: host memory against capacity, the host memory states, and the VMs' memory.
constexpr std::array<ChartSpec, 3> charts{{
    {.kind = ChartKind::panels,
     .entity = EntityKind::host,
     .id = "host-memory",
     .name = "Host memory against capacity",
     .title = "Host memory (MiB) against capacity",
     .note = "Consumed above the grey dashed line (capacity \u2212 minFree) means free memory below minFree: the host "
             "is in the clear state or lower (by default soft below 64% of minFree: ballooning; hard below 32%: "
             "compression and swap; low below 16%).",
     .modelled = "host memory",
     .series_of = "memory",
     .gauges = metric::host_memory_gauges.size(),
     .where = "each host's averages are in the summary above, hosts.csv and report.json",
     .gauge = metric::host_mem_consumed_mib,
     .rank = &peak_consumed_pct,
     .rank2 = [](const ChartInput& in) { return in.row[column_index(host_columns, "consumed_mib_avg")]; },
     .rank_text = "peak consumed % of capacity",
     .series = host_lines,
     .levels = host_levels,
     .unit = "MiB",
     .total = true,
     .panel_title = "{name}: peak consumed {rank:.0f}% of capacity"},
    {.kind = ChartKind::states,
     .entity = EntityKind::host,
     .id = "memory-state",
     .name = "Host memory state over time",
     .title = "Host memory state over time",
     .note = "The state each host spent most of each interval in.",
     .modelled = "host memory",
     .series_of = "memory",
     .gauges = metric::host_memory_gauges.size(),
     .where = "each host's share of the run in each state is in the summary above, hosts.csv and report.json",
     .gauge = metric::host_mem_state_high,
     // Time in the lower states weighs more.
     .rank =
         [](const ChartInput& in) {
           double pressure = 0.0;
           for (std::size_t k = 1; k < 5; ++k) pressure += std::pow(100.0, static_cast<double>(k)) * in.row[h_high + k];
           return pressure;
         },
     .rank_text = "time in the lower memory states",
     .series = states,
     .calm = [](const ChartInput& in) { return in.row[h_high] >= 100.0 - 1e-6 ? 1.0 : 0.0; },
     .calm_note = "Every host stayed in the high state all the time: no memory pressure."},
    {.kind = ChartKind::panels,
     .entity = EntityKind::vm,
     .id = "vm-memory",
     .name = "VM memory over time",
     .title = "VM memory (MiB)",
     .modelled = "VM memory",
     .series_of = "memory",
     .gauges = metric::vm_memory_gauges.size(),
     .where = "each VM's averages and peaks are in vms.csv and report.json",
     .gauge = metric::vm_mem_granted_mib,
     .rank = [](const ChartInput& in) { return reclaimed_mib(in.row); },
     .rank2 = [](const ChartInput& in) { return in.row[v_balloon_max] + in.row[v_swapped_max]; },
     .rank_text = "average reclaimed: ballooned + compressed + swapped",
     .series = vm_lines,
     .levels = vm_levels,
     .unit = "MiB",
     .panel_title = "{name} on {host}: {rank:.0f} MiB reclaimed on average",
     .filtered = "that had memory reclaimed",
     .fallback = [](const ChartInput& in) { return in.row[v_granted]; },
     .fallback_text = "memory granted",
     .fallback_title = "{name} on {host}: {rank:.0f} MiB granted on average",
     .fallback_note = "No VM had memory ballooned, compressed or swapped: these are the VMs with most memory granted."},
}};

void fill(const RunResult& run, AreaSection& out) {
  MetricReader m(run.metrics);
  const auto min_free = m.name(metric::host_mem_min_free_mib);
  std::array<MetricReader::Name, host_gauges.size()> host_names;
  for (std::size_t g = 0; g < host_gauges.size(); ++g) host_names[g] = m.name(host_gauges[g]);
  for (std::size_t i = 0; i < run.hosts.size(); ++i) {
    m.select(metric::host_entity(run.hosts[i].name));
    double* row = out.hosts.data() + i * host_columns.size();
    row[h_capacity] = run.hosts[i].memory_mib;
    row[h_min_free] = m.value(min_free);
    for (std::size_t g = 0; g < host_gauges.size(); ++g) {
      const double avg = m.average(host_names[g]);
      row[h_high + g] = h_high + g < h_granted ? 100.0 * avg : avg;
    }
  }
  std::array<MetricReader::Name, metric::vm_memory_gauges.size()> vm_names;
  for (std::size_t g = 0; g < vm_names.size(); ++g) vm_names[g] = m.name(metric::vm_memory_gauges[g]);
  const auto balloon = m.name(metric::vm_mem_balloon_mib), swapped = m.name(metric::vm_mem_swapped_mib);
  std::size_t swapping = 0, ballooned = 0;
  for (std::size_t i = 0; i < run.vms.size(); ++i) {
    const VmFacts& facts = run.vms[i];
    m.select(metric::vm_entity(facts.name));
    double* row = out.vms.data() + i * vm_columns.size();
    for (std::size_t g = 0; g < vm_names.size(); ++g) row[v_granted + g] = m.average(vm_names[g]);
    row[v_balloon_max] = m.max(balloon);
    row[v_swapped_max] = m.max(swapped);
    if (!facts.powered_on && !facts.admission) continue;
    if (row[v_swapped_max] > 0) ++swapping;
    if (row[v_balloon_max] > 0) ++ballooned;
  }
  if (swapping + ballooned == 0) {
    out.verdict.emplace_back("Memory: no ballooning or swapping.");
  } else {
    out.verdict.push_back(fmt::format("Memory: {} ballooned, {} swapped.", text::count(ballooned, "VM", "VMs"),
                                      text::count(swapping, "VM", "VMs")));
  }
}

/// Memory reclaimed in percent of the VM's memory.
double vm_score(std::span<const double> row, const VmFacts& vm) {
  return vm.memory_mib > 0 ? 100.0 * reclaimed_mib(row) / vm.memory_mib : 0.0;
}

/// "VMs by memory reclamation": the VMs with ballooned, compressed or swapped memory.
void write_text(const ReportView& view, std::string& out) {
  const AreaSection& mem = *view.section(report_spec.section);
  const auto vms = view.vms();
  std::vector<std::size_t> listed;
  for (std::size_t i = 0; i < vms.size(); ++i) {
    if (vms[i].admission) continue;
    const auto r = mem.vm_row(i);
    if (reclaimed_mib(r) >= kShownMib || r[v_balloon_max] > 0 || r[v_swapped_max] > 0) listed.push_back(i);
  }
  if (listed.empty()) {
    out += "\nVMs by memory reclamation: none (no VM ballooned, compressed or swapped)\n";
    return;
  }
  std::stable_sort(listed.begin(), listed.end(),
                   [&](std::size_t a, std::size_t b) { return reclaimed_mib(mem.vm_row(a)) > reclaimed_mib(mem.vm_row(b)); });
  const std::size_t shown = text::kRowsShown;
  fmt::format_to(std::back_inserter(out),
                 "\nVMs by memory reclamation (worst {} of {} with balloon, compressed or swapped memory; MiB averages)\n",
                 std::min(shown, listed.size()), listed.size());
  const std::size_t wv = text::name_width(listed, shown, 16, [&](std::size_t i) { return vms[i].name; });
  const std::size_t wh =
      text::name_width(listed, shown, 12, [&](std::size_t i) { return text::host_or_dash(vms[i].host); });
  fmt::format_to(std::back_inserter(out), "  {:<{}} {:<{}} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>9}\n", "vm", wv,
                 "host", wh, "memory", "granted", "balloon", "compressed", "swapped", "reclaimed", "% of mem");
  for (std::size_t k = 0; k < listed.size() && k < shown; ++k) {
    const std::size_t i = listed[k];
    const auto r = mem.vm_row(i);
    const double reclaimed = reclaimed_mib(r);
    fmt::format_to(std::back_inserter(out),
                   "  {:<{}} {:<{}} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>10.0f} {:>9.1f}\n",
                   vms[i].name, wv, text::host_or_dash(vms[i].host), wh, vms[i].memory_mib, r[v_granted],
                   r[v_balloon], r[v_compressed], r[v_swapped], reclaimed,
                   vms[i].memory_mib > 0 ? 100.0 * reclaimed / vms[i].memory_mib : 0.0);
  }
}

}  // namespace

constexpr AreaReportSpec report_spec{
    "memory", host_columns, vm_columns, series, esxtop, contention, host_text, charts, "", &fill, &vm_score, &write_text,
};

}  // namespace vdc::models::memory
