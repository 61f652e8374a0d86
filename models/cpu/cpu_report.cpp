// What the CPU area contributes to the reports: include/vdc/models/cpu/cpu_area.hpp,
// docs/report.md for each field's meaning.
#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "vdc/models/cpu/cpu_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/report_text.hpp"

namespace vdc::models::cpu {
namespace {

namespace text = report_text;

/// Rule-of-thumb bands, reference A.3: per-vCPU ready above 5% is significant, above 10%
/// serious; co-stop above 3% is the commonly cited esxtop threshold.
constexpr double kReadyWarnPct = 5.0;
constexpr double kReadySeriousPct = 10.0;
constexpr double kCostopWarnPct = 3.0;
/// The contention analysis' host utilisation threshold (of the granted capacity).
constexpr double kHostUtilPct = 90.0;
/// Per-vCPU ready and co-stop that print as 0.00 are no contention: such VMs are not listed.
constexpr double kShownPct = 0.005;

constexpr std::array<ReportColumn, 10> host_columns{{
    {"pcpus", "pcpus", "", ValueKind::count},
    {"lcpus", "lcpus", "", ValueKind::count},
    {"capacity_mhz", "capacity_mhz", "MHz"},
    {"demand_mhz_avg", "demand_mhz_avg", "MHz"},
    {"used_mhz_avg", "used_mhz_avg", "MHz"},
    {"util_pct_avg", "util_pct_avg", "%"},
    {"granted_capacity_mhz", "granted_capacity_mhz", "MHz"},
    {"usage_pct_avg", "usage_pct_avg", "%"},
    {"vcpus", "vcpus", "", ValueKind::count},
    {"vcpu_per_pcpu", "vcpu_per_pcpu", ""},
}};
constexpr std::size_t h_pcpus = column_index(host_columns, "pcpus");
constexpr std::size_t h_lcpus = column_index(host_columns, "lcpus");
constexpr std::size_t h_capacity = column_index(host_columns, "capacity_mhz");
constexpr std::size_t h_demand = column_index(host_columns, "demand_mhz_avg");
constexpr std::size_t h_used = column_index(host_columns, "used_mhz_avg");
constexpr std::size_t h_util = column_index(host_columns, "util_pct_avg");
constexpr std::size_t h_granted = column_index(host_columns, "granted_capacity_mhz");
constexpr std::size_t h_usage = column_index(host_columns, "usage_pct_avg");
constexpr std::size_t h_vcpus = column_index(host_columns, "vcpus");
constexpr std::size_t h_ratio = column_index(host_columns, "vcpu_per_pcpu");

constexpr std::array<ReportColumn, 9> vm_columns{{
    {"demand_mhz_avg", "demand_mhz_avg", "MHz"},
    {"used_mhz_avg", "used_mhz_avg", "MHz"},
    {"entitlement_mhz_avg", "entitlement_mhz_avg", "MHz"},
    {"run_pct", "run_pct", "%"},
    {"ready_pct", "ready_pct", "%"},
    {"costop_pct", "costop_pct", "%"},
    {"wait_pct", "wait_pct", "%"},
    {"ready_ms", "ready_ms", "ms"},
    {"costop_ms", "costop_ms", "ms"},
}};
constexpr std::size_t v_demand = column_index(vm_columns, "demand_mhz_avg");
constexpr std::size_t v_used = column_index(vm_columns, "used_mhz_avg");
constexpr std::size_t v_entitlement = column_index(vm_columns, "entitlement_mhz_avg");
constexpr std::size_t v_run = column_index(vm_columns, "run_pct");
constexpr std::size_t v_ready = column_index(vm_columns, "ready_pct");
constexpr std::size_t v_costop = column_index(vm_columns, "costop_pct");
constexpr std::size_t v_wait = column_index(vm_columns, "wait_pct");
constexpr std::size_t v_ready_ms = column_index(vm_columns, "ready_ms");
constexpr std::size_t v_costop_ms = column_index(vm_columns, "costop_ms");

/// esxtop's names (reference A.3). The state columns are esxtop's group values: summed over
/// the VM's vCPUs, so a 4-vCPU VM fully ready shows %RDY 400.
constexpr std::array<SeriesColumn, 7> series{{
    {metric::vm_cpu_used_mhz, "USED_MHz"},
    {metric::vm_cpu_demand_mhz, "DEMAND_MHz"},
    {metric::vm_cpu_entitlement_mhz, "ENTITLEMENT_MHz"},
    {metric::vm_cpu_run, "%RUN", SeriesScale::percent_of_vcpus},
    {metric::vm_cpu_ready, "%RDY", SeriesScale::percent_of_vcpus},
    {metric::vm_cpu_costop, "%CSTP", SeriesScale::percent_of_vcpus},
    {metric::vm_cpu_wait, "%WAIT", SeriesScale::percent_of_vcpus},
}};
static_assert(metric::vm_cpu_used_mhz == metric::host_cpu_used_mhz &&
              metric::vm_cpu_demand_mhz == metric::host_cpu_demand_mhz);

/// Of the capacity the CPU model grants (hyperthreads included): esxtop's per-thread
/// average never passes 100%.
double percent_of_granted(const ScaleInput& in) {
  const double granted = in.host_row.empty() ? 0.0 : in.host_row[h_granted];
  return granted > 0 ? 100.0 / granted : 0.0;
}
/// A VM's used MHz as esxtop's %USED: percent of one core of its host.
double percent_of_core(const ScaleInput& in) {
  if (in.host == nullptr || in.host->pcpus <= 0 || in.host->capacity_mhz <= 0) return 0.0;
  return 100.0 / (in.host->capacity_mhz / in.host->pcpus);
}
/// esxtop's group counters add up the vCPUs: a 4-vCPU VM fully ready shows 400% ready.
double percent_of_vcpus(const ScaleInput& in) { return in.vm != nullptr ? 100.0 * in.vm->vcpus : 0.0; }

constexpr std::array<EsxtopCounter, 6> esxtop{{
    {EntityKind::host, metric::host_cpu_used_mhz, "Physical Cpu(_Total)", "% Processor Time", &percent_of_granted},
    {EntityKind::vm, metric::vm_cpu_used_mhz, "Group Cpu", "% Used", &percent_of_core},
    {EntityKind::vm, metric::vm_cpu_run, "Group Cpu", "% Run", &percent_of_vcpus},
    {EntityKind::vm, metric::vm_cpu_ready, "Group Cpu", "% Ready", &percent_of_vcpus},
    {EntityKind::vm, metric::vm_cpu_costop, "Group Cpu", "% CoStop", &percent_of_vcpus},
    {EntityKind::vm, metric::vm_cpu_wait, "Group Cpu", "% Wait", &percent_of_vcpus},
}};

/// The state gauges hold fractions of the VM's vCPUs: x100 gives per-vCPU percent.
constexpr std::array<ContentionCheck, 3> contention{{
    {EntityKind::vm, metric::vm_cpu_ready, "ready_pct", "ready_pct", kReadyWarnPct, 100.0},
    {EntityKind::vm, metric::vm_cpu_costop, "costop_pct", "costop_pct", kCostopWarnPct, 100.0},
    {EntityKind::host, metric::host_cpu_used_mhz, "cpu_util_pct", "host_cpu_util_pct", kHostUtilPct, 1.0,
     &percent_of_granted},
}};

// The terminal summary's host table. CPU util is of the capacity the CPU model grants
// (hyperthreads included): never above 100%, as vCenter shows it; core MHz is the cores
// alone, esxtop's CORE UTIL base.
constexpr std::array<TextColumn, 5> host_text{{
    {"vCPU:pCPU", 10, 2, "", [](std::span<const double> r) { return r[h_ratio]; }},
    {"CPU util", 9, 1, "%", [](std::span<const double> r) { return r[h_usage]; }},
    {"used MHz", 11, 0, "", [](std::span<const double> r) { return r[h_used]; }},
    {"capacity", 11, 0, "", [](std::span<const double> r) { return r[h_granted]; }},
    {"core MHz", 11, 0, "", [](std::span<const double> r) { return r[h_capacity]; }},
}};

// report.html: host CPU usage over time, and the VMs' ready and co-stop as heatmaps.
constexpr std::array<ChartSpec, 3> charts{{
    {.kind = ChartKind::lines,
     .entity = EntityKind::host,
     .id = "host-cpu",
     .name = "Host CPU usage over time",
     .title = "Host CPU usage, % of granted capacity",
     .note = "Used over what the CPU model grants with every logical CPU busy (the cores, plus the hyperthreads' "
             "gain).",
     .modelled = "host CPU",
     .series_of = "CPU",
     .gauges = 2,
     .where = "each host's average is in the summary above, hosts.csv and report.json",
     .gauge = metric::host_cpu_used_mhz,
     .rank = [](const ChartInput& in) { return in.row[h_usage]; },
     .rank_text = "average usage",
     .scale = [](const ChartInput& in) { return percent_of_granted({in.host, nullptr, in.row}); },
     .axis = "CPU usage %"},
    {.kind = ChartKind::heatmap,
     .entity = EntityKind::vm,
     .id = "ready-heatmap",
     .name = "CPU ready per VM over time",
     .title = "CPU ready % per vCPU over time",
     .note = "Per vCPU.",
     .modelled = "CPU ready",
     .series_of = "CPU states",
     .gauges = 4,
     .where = "each VM's ready % over the run is in the summary above (the ten worst), vms.csv and report.json",
     .gauge = metric::vm_cpu_ready,
     .rank = [](const ChartInput& in) { return in.row[v_ready]; },
     .rank_text = "average ready %",
     .axis = "ready %",
     .setting = "ready_pct",
     .nothing = "no VM waited ready",
     .unmodelled_warning = "no_workload",
     .unmodelled_note = "No VM demanded any CPU (no workload), so CPU contention was not modelled: every value is 0."},
    {.kind = ChartKind::heatmap,
     .entity = EntityKind::vm,
     .id = "costop-heatmap",
     .name = "Co-stop per VM over time",
     .title = "Co-stop % per vCPU over time",
     .note = "Per vCPU.",
     .modelled = "Co-stop",
     .series_of = "CPU states",
     .gauges = 4,
     .where = "each VM's co-stop % over the run is in the summary above (the ten worst), vms.csv and report.json",
     .gauge = metric::vm_cpu_costop,
     .rank = [](const ChartInput& in) { return in.row[v_costop]; },
     .rank_text = "average co-stop %",
     .axis = "co-stop %",
     .setting = "costop_pct",
     .nothing = "no VM was co-stopped",
     .unmodelled_warning = "no_workload",
     .unmodelled_note = "No VM demanded any CPU (no workload), so CPU contention was not modelled: every value is 0."},
}};

void fill(const RunResult& run, AreaSection& out) {
  MetricReader m(run.metrics);
  const auto used = m.name(metric::host_cpu_used_mhz), demand = m.name(metric::host_cpu_demand_mhz),
             granted_mhz = m.name(metric::host_cpu_granted_capacity_mhz);
  for (std::size_t i = 0; i < run.hosts.size(); ++i) {
    const HostFacts& facts = run.hosts[i];
    m.select(metric::host_entity(facts.name));
    double* row = out.hosts.data() + i * host_columns.size();
    row[h_pcpus] = facts.pcpus;
    row[h_lcpus] = facts.lcpus;
    row[h_capacity] = facts.capacity_mhz;
    row[h_used] = m.average(used);
    row[h_demand] = m.average(demand);
    row[h_util] = facts.capacity_mhz > 0 ? 100.0 * row[h_used] / facts.capacity_mhz : 0.0;
    // Without the CPU area's constant (a run built by hand), the cores' capacity.
    const double granted = m.value(granted_mhz);
    row[h_granted] = granted > 0 ? granted : facts.capacity_mhz;
    row[h_usage] = row[h_granted] > 0 ? 100.0 * row[h_used] / row[h_granted] : 0.0;
    row[h_vcpus] = facts.vcpus;
    row[h_ratio] = facts.pcpus > 0 ? static_cast<double>(facts.vcpus) / facts.pcpus : 0.0;
  }
  const double window_s = (run.duration - run.warmup).seconds();
  bool any_demand = false;
  std::size_t ready_warn = 0, ready_serious = 0, costop_warn = 0;
  const auto vm_demand = m.name(metric::vm_cpu_demand_mhz), vm_used = m.name(metric::vm_cpu_used_mhz),
             entitlement = m.name(metric::vm_cpu_entitlement_mhz), run_share = m.name(metric::vm_cpu_run),
             ready = m.name(metric::vm_cpu_ready), costop = m.name(metric::vm_cpu_costop);
  for (std::size_t i = 0; i < run.vms.size(); ++i) {
    const VmFacts& facts = run.vms[i];
    m.select(metric::vm_entity(facts.name));
    double* row = out.vms.data() + i * vm_columns.size();
    row[v_demand] = m.average(vm_demand);
    row[v_used] = m.average(vm_used);
    row[v_entitlement] = m.average(entitlement);
    // The state gauges hold the fraction of vCPUs in each state; a VM that is off for
    // part of the run spends that part in wait, so the four still sum to 100.
    row[v_run] = 100.0 * m.average(run_share);
    row[v_ready] = 100.0 * m.average(ready);
    row[v_costop] = 100.0 * m.average(costop);
    row[v_wait] = 100.0 - row[v_run] - row[v_ready] - row[v_costop];
    const double vcpu_ms = facts.vcpus * window_s * 1000.0;
    row[v_ready_ms] = row[v_ready] / 100.0 * vcpu_ms;
    row[v_costop_ms] = row[v_costop] / 100.0 * vcpu_ms;
    any_demand = any_demand || m.max(vm_demand) > 0.0;
    if (!facts.powered_on && !facts.admission) continue;
    if (row[v_ready] > kReadySeriousPct) ++ready_serious;
    else if (row[v_ready] > kReadyWarnPct) ++ready_warn;
    if (row[v_costop] > kCostopWarnPct) ++costop_warn;
  }
  // No VM demanded any CPU over the reported time (an imported inventory without usage,
  // say): ready and co-stop are then not modelled.
  const bool no_demand = !run.vms.empty() && !any_demand;
  if (no_demand) {
    out.warnings.push_back(
        {"no_workload",
         "No VM has a workload: every VM's CPU demand is zero (an imported inventory without usage?)."});
    out.verdict.emplace_back(
        "CPU: not modelled (no VM demands CPU): ready, co-stop and CPU headroom say nothing about contention.");
  } else if (ready_serious + ready_warn == 0) {
    out.verdict.push_back(fmt::format("CPU: no VM above {:.0f}% ready per vCPU.", kReadyWarnPct));
  } else {
    out.verdict.push_back(fmt::format("CPU: {} with serious ready time (> {:.0f}% per vCPU), {} significant ({:.0f}-{:.0f}%).",
                                      text::count(ready_serious, "VM", "VMs"), kReadySeriousPct, ready_warn,
                                      kReadyWarnPct, kReadySeriousPct));
  }
  if (costop_warn > 0) {
    out.verdict.push_back(
        fmt::format("CPU: {} above {:.0f}% co-stop.", text::count(costop_warn, "SMP VM", "SMP VMs"), kCostopWarnPct));
  }
}

double vm_score(std::span<const double> row, const VmFacts&) { return row[v_ready] + row[v_costop]; }

/// "VMs by CPU ready": the VMs with ready or co-stop time, worst first.
void write_text(const ReportView& view, std::string& out) {
  const AreaSection& cpu = *view.section(report_spec.section);
  const auto vms = view.vms();
  std::vector<std::size_t> listed;
  std::size_t refused = 0;
  for (std::size_t i = 0; i < vms.size(); ++i) {
    const auto row = cpu.vm_row(i);
    if (vms[i].admission) ++refused;
    else if (row[v_ready] >= kShownPct || row[v_costop] >= kShownPct) listed.push_back(i);
  }
  if (listed.empty()) {
    out += "\nVMs by CPU ready: none (no VM has ready or co-stop time)\n";
    return;
  }
  std::stable_sort(listed.begin(), listed.end(), [&](std::size_t a, std::size_t b) {
    const auto ra = cpu.vm_row(a), rb = cpu.vm_row(b);
    if (ra[v_ready] != rb[v_ready]) return ra[v_ready] > rb[v_ready];
    return ra[v_costop] > rb[v_costop];
  });
  const std::size_t shown = text::kRowsShown;
  const std::size_t ran = vms.size() - refused;
  std::string which;
  if (listed.size() == ran) {
    which = fmt::format("worst {} of {}", std::min(shown, listed.size()), listed.size());
  } else if (listed.size() <= shown) {
    which = fmt::format("the {} of {} with ready or co-stop", listed.size(), text::count(ran, "VM", "VMs"));
  } else {
    which = fmt::format("worst {} of the {} of {} with ready or co-stop", shown, listed.size(),
                        text::count(ran, "VM", "VMs"));
  }
  fmt::format_to(std::back_inserter(out), "\nVMs by CPU ready ({})\n", which);
  const std::size_t wv = text::name_width(listed, shown, 16, [&](std::size_t i) { return vms[i].name; });
  const std::size_t wh =
      text::name_width(listed, shown, 12, [&](std::size_t i) { return text::host_or_dash(vms[i].host); });
  fmt::format_to(std::back_inserter(out), "  {:<{}} {:<{}} {:>5} {:>7} {:>8} {:>7} {:>10} {:>10} {:>9} {:>9}\n", "vm",
                 wv, "host", wh, "vCPU", "ready%", "costop%", "run%", "used MHz", "demand", "balloon", "swapped");
  // Memory reclaimed beside: what the memory area published, when it ran.
  auto memory = [&](std::size_t i, std::string_view key) {
    const auto v = view.value("memory", EntityKind::vm, i, key);
    return v ? fmt::format("{:>9.0f}", *v) : fmt::format("{:>9}", "-");
  };
  for (std::size_t k = 0; k < listed.size() && k < shown; ++k) {
    const std::size_t i = listed[k];
    const auto r = cpu.vm_row(i);
    fmt::format_to(std::back_inserter(out), "  {:<{}} {:<{}} {:>5} {:>7.2f} {:>8.2f} {:>7.2f} {:>10.0f} {:>10.0f} {} {}\n",
                   vms[i].name, wv, text::host_or_dash(vms[i].host), wh, vms[i].vcpus, r[v_ready], r[v_costop],
                   r[v_run], r[v_used], r[v_demand], memory(i, "balloon_mib_avg"), memory(i, "swapped_mib_avg"));
  }
}

}  // namespace

constexpr AreaReportSpec report_spec{
    "cpu", host_columns, vm_columns, series, esxtop, contention, host_text, charts, "usage_pct_avg",
    &fill, &vm_score,     &write_text,
};

}  // namespace vdc::models::cpu
