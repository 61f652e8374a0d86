// What the storage area contributes to the reports: include/vdc/models/storage/storage_area.hpp,
// docs/storage.md "Reports" for each field's meaning.
#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "vdc/models/metric_names.hpp"
#include "vdc/models/report_text.hpp"
#include "vdc/models/storage/storage_area.hpp"

namespace vdc::models::storage {
namespace {

namespace text = report_text;

/// A datastore fuller than this (percent of capacity) is listed by the contention analysis.
constexpr double kFullPct = 80.0;
/// A VM whose disk latency is above this (ms) is listed.
constexpr double kLatencyMs = 20.0;

constexpr std::array<ReportColumn, 5> vm_columns{{
    {"provisioned_gib", "storage_provisioned_gib", "GiB"},
    {"used_gib", "storage_used_gib", "GiB"},
    {"iops_avg", "storage_iops_avg", "cmds/s"},
    {"latency_ms_avg", "storage_latency_ms_avg", "ms"},
    {"latency_ms_p95", "storage_latency_ms_p95", "ms"},
}};

constexpr std::array<SeriesColumn, 9> series{{
    {vm_iops, "DISK_CMDS/s"},
    {vm_latency_ms, "DISK_GAVG/cmd"},
    {host_cmds, "CMDS/s"},
    {host_mb_read, "MBREAD/s"},
    {host_mb_written, "MBWRTN/s"},
    {host_davg, "DAVG/cmd"},
    {host_kavg, "KAVG/cmd"},
    {host_gavg, "GAVG/cmd"},
    {host_qued, "QUED"},
}};

constexpr std::array<EsxtopCounter, 9> esxtop{{
    {EntityKind::host, host_cmds, "Physical Disk(_Total)", "Commands/sec"},
    {EntityKind::host, host_mb_read, "Physical Disk(_Total)", "MBytes Read/sec"},
    {EntityKind::host, host_mb_written, "Physical Disk(_Total)", "MBytes Written/sec"},
    {EntityKind::host, host_davg, "Physical Disk(_Total)", "Average Driver MilliSec/Command"},
    {EntityKind::host, host_kavg, "Physical Disk(_Total)", "Average Kernel MilliSec/Command"},
    {EntityKind::host, host_gavg, "Physical Disk(_Total)", "Average Guest MilliSec/Command"},
    {EntityKind::host, host_qued, "Physical Disk(_Total)", "Queued Commands"},
    {EntityKind::vm, vm_iops, "Virtual Disk", "Commands/sec"},
    {EntityKind::vm, vm_latency_ms, "Virtual Disk", "Average MilliSec/Command"},
}};

constexpr std::array<ContentionCheck, 2> contention{{
    {EntityKind::vm, vm_latency_ms, "storage_latency_ms", "", kLatencyMs, 1.0},
    {.entity = EntityKind::host,
     .gauge = ds_used_pct,
     .label = "used_pct",
     .setting = "",
     .threshold = kFullPct,
     .scale = 1.0,
     .entities = "datastores",
     .entity_prefix = "datastore/",
     .entity_kind = "datastore"},
}};

constexpr std::array<TableColumn, 19> datastore_columns{{
    {"name", "name", "", CellKind::text},
    {"kind", "kind", "", CellKind::text},
    {"capacity_gib", "capacity_gib", "GiB"},
    {"provisioned_gib", "provisioned_gib", "GiB"},
    {"used_gib", "used_gib", "GiB"},
    {"free_gib", "free_gib", "GiB"},
    {"overcommit", "overcommit"},
    {"iops_avg", "iops_avg", "cmds/s"},
    {"latency_ms_avg", "latency_ms_avg", "ms"},
    {"latency_ms_p95", "latency_ms_p95", "ms"},
    {"throttled_pct", "throttled_pct", "%"},
    {"scsi_reservations", "scsi_reservations", "", CellKind::count},
    {"vsan.raw_gib", "vsan_raw_gib", "GiB"},
    {"vsan.raw_used_gib", "vsan_raw_used_gib", "GiB"},
    {"vsan.slack_gib", "vsan_slack_gib", "GiB"},
    {"vsan.slack_target_gib", "vsan_slack_target_gib", "GiB"},
    {"vsan.components", "vsan_components", "", CellKind::count},
    {"vsan.objects_inaccessible", "vsan_objects_inaccessible", "", CellKind::count},
    {"vsan.resync_gib", "vsan_resync_gib", "GiB"},
}};
constexpr std::size_t d_name = 0, d_kind = 1, d_capacity = 2, d_provisioned = 3, d_used = 4, d_free = 5, d_iops = 7,
                      d_latency = 8, d_p95 = 9, d_throttled = 10, d_slack = 14, d_slack_target = 15, d_inaccessible = 17;

constexpr std::array<TableColumn, 10> disk_columns{{
    {"vm", "vm", "", CellKind::text},
    {"datastore", "datastore", "", CellKind::text},
    {"policy", "policy", "", CellKind::text},
    {"size_gib", "size_gib", "GiB"},
    {"provisioning", "provisioning", "", CellKind::text},
    {"raw_gib", "raw_gib", "GiB"},
    {"components", "components", "", CellKind::count},
    {"state", "state", "", CellKind::text},
    {"snapshot_format", "snapshot_format", "", CellKind::text},
    {"snapshot_gib", "snapshot_gib", "GiB"},
}};
constexpr std::size_t k_vm = 0, k_datastore = 1, k_state = 7;

constexpr std::array<TableColumn, 6> event_columns{{
    {"at_s", "at_s", "s"},
    {"datastore", "datastore", "", CellKind::text},
    {"vm", "vm", "", CellKind::text},
    {"object", "object", "", CellKind::text},
    {"event", "event", "", CellKind::text},
    {"detail", "detail", "", CellKind::text},
}};

constexpr std::array<TableColumn, 7> vm_table_columns{{
    {"vm", "vm", "", CellKind::text},
    {"provisioned_gib", "provisioned_gib", "GiB"},
    {"used_gib", "used_gib", "GiB"},
    {"iops_avg", "iops_avg", "cmds/s"},
    {"latency_ms_avg", "latency_ms_avg", "ms"},
    {"latency_ms_p95", "latency_ms_p95", "ms"},
    {"refusal", "refusal", "", CellKind::text},  // what the area last said to a power-on of it
}};

/// A datastore's peak of `gauge` (a chart's rank).
double peak(const ChartInput& in, std::string_view gauge) {
  const auto id = in.metrics->find(in.entity, gauge);
  return id ? in.metrics->max(*id) : 0.0;
}
double peak_used(const ChartInput& in) { return peak(in, ds_used_pct); }
double peak_latency(const ChartInput& in) { return peak(in, ds_latency_ms); }

/// A lines chart with a line per datastore (the rows of the datastores table).
constexpr ChartSpec datastore_chart(ChartSpec c) {
  c.kind = ChartKind::lines;
  c.modelled = "storage";
  c.gauges = 6;
  c.where = "report.json datastores";
  c.entities = "datastores";
  c.entity_prefix = "datastore/";
  c.entity_one = "datastore";
  c.entity_many = "datastores";
  return c;
}

constexpr std::array<ChartSpec, 2> charts{{
    datastore_chart({.id = "datastore-space",
                     .name = "The datastore space chart",
                     .title = "Datastore space used, % of capacity",
                     .note = "vSAN: raw space of the hosts that are up; events of the vSAN timeline marked.",
                     .series_of = "datastore space",
                     .gauge = ds_used_pct,
                     .rank = &peak_used,
                     .rank_text = "peak use",
                     .axis = "used %",
                     .marks = "storage_events",
                     .marks_time = "at_s",
                     .marks_label = "detail"}),
    datastore_chart({.id = "datastore-latency",
                     .name = "The datastore latency chart",
                     .title = "Datastore latency, ms per command (as the VMs see it)",
                     .note = "IO-weighted over the datastore's VMs.",
                     .series_of = "datastore latency",
                     .gauge = ds_latency_ms,
                     .rank = &peak_latency,
                     .rank_text = "peak latency",
                     .axis = "ms"}),
}};

constexpr std::array<TableSpec, 4> tables{{
    {"datastores", "datastores.csv", datastore_columns},
    {"disks", "storage_disks.csv", disk_columns, TablePlace::per_vm},
    {"storage_events", "storage_events.csv", event_columns},
    {"storage_vms", "", vm_table_columns, TablePlace::internal},
}};

const ReportTable* find_table(const AreaSection& s, Table t) { return s.table(table_spec(t)); }

void fill(const RunResult& run, AreaSection& out) {
  const std::size_t nc = vm_columns.size();
  out.vm_has.assign(run.vms.size(), false);
  std::unordered_map<std::string_view, std::size_t> vm_index;
  for (std::size_t v = 0; v < run.vms.size(); ++v) vm_index.emplace(run.vms[v].name, v);
  std::size_t slow = 0;
  if (const ReportTable* t = find_table(out, Table::vms)) {
    for (std::size_t r = 0; r < t->rows(); ++r) {
      const auto row = t->row(r);
      const auto it = vm_index.find(cell_text(row[0]));
      if (it == vm_index.end()) continue;
      const std::size_t v = it->second;
      out.vm_has[v] = true;
      for (std::size_t c = 0; c < nc; ++c) out.vms[v * nc + c] = cell_number(row[c + 1]);
      if (cell_number(row[5]) > kLatencyMs) ++slow;
    }
  }
  std::vector<std::string> full;
  std::vector<std::string> short_slack;
  std::size_t inaccessible = 0;
  if (const ReportTable* t = find_table(out, Table::datastores)) {
    for (std::size_t r = 0; r < t->rows(); ++r) {
      const auto row = t->row(r);
      const double capacity = cell_number(row[d_capacity]);
      if (capacity > 0.0 && 100.0 * cell_number(row[d_used]) / capacity > kFullPct) full.push_back(cell_text(row[d_name]));
      if (cell_text(row[d_kind]) == "vsan" && cell_number(row[d_slack]) < cell_number(row[d_slack_target])) {
        short_slack.push_back(cell_text(row[d_name]));
      }
      inaccessible += static_cast<std::size_t>(cell_number(row[d_inaccessible]));
    }
  }
  out.verdict.push_back(full.empty() ? fmt::format("Storage: no datastore above {:.0f}% full.", kFullPct)
                                     : fmt::format("Storage: {} above {:.0f}% full: {}.",
                                                   text::count(full.size(), "datastore", "datastores"), kFullPct,
                                                   fmt::join(full, ", ")));
  out.verdict.push_back(slow == 0 ? fmt::format("Storage: no VM's disk latency (p95) above {:.0f} ms.", kLatencyMs)
                                  : fmt::format("Storage: {} with disk latency (p95) above {:.0f} ms.",
                                                text::count(slow, "VM", "VMs"), kLatencyMs));
  if (!short_slack.empty()) {
    out.warnings.push_back(ReportWarning{
        "vsan_slack", fmt::format("vSAN datastore{} {} keep less free raw space than the slack to keep "
                                  "(storage.vsan.slack_pct): a rebuild or a policy change may not fit.",
                                  short_slack.size() > 1 ? "s" : "", fmt::join(short_slack, ", "))});
  }
  if (inaccessible > 0) {
    out.warnings.push_back(ReportWarning{
        "vsan_inaccessible", fmt::format("{} vSAN {} inaccessible at the end of the run: their VMs cannot run.", inaccessible,
                                         inaccessible == 1 ? "object is" : "objects are")});
  }
}

double vm_score(std::span<const double> row, const VmFacts&) { return row[4]; }

/// A line per datastore, the disks not compliant, and the VMs kept off for storage.
void write_text(const ReportView& view, std::string& out) {
  const AreaSection& st = *view.section(report_spec.section);
  if (const ReportTable* t = find_table(st, Table::datastores)) {
    // The fullest first, then the slowest; at most kRowsShown.
    std::vector<std::size_t> order(t->rows());
    for (std::size_t r = 0; r < order.size(); ++r) order[r] = r;
    const auto full = [&](std::size_t r) {
      const double capacity = cell_number(t->row(r)[d_capacity]);
      return capacity > 0.0 ? cell_number(t->row(r)[d_used]) / capacity : 0.0;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      if (full(a) != full(b)) return full(a) > full(b);
      return cell_number(t->row(a)[d_p95]) > cell_number(t->row(b)[d_p95]);
    });
    const std::string which = order.size() > text::kRowsShown
                                  ? fmt::format("fullest {} of {}, then the slowest; ", text::kRowsShown, order.size())
                                  : std::string();
    fmt::format_to(std::back_inserter(out), "\nDatastores ({}space at the end of the run; I/O over the measured window)\n", which);
    if (order.empty()) out += "  none\n";
    if (order.size() > text::kRowsShown) order.resize(text::kRowsShown);
    for (const std::size_t r : order) {
      const auto row = t->row(r);
      const double capacity = cell_number(row[d_capacity]);
      fmt::format_to(std::back_inserter(out),
                     "  {:<16} {:<5} {:>10.1f} GiB  used {:>5.1f}%  provisioned {:>6.1f}%  {:>9.1f} cmds/s  latency "
                     "{:>6.2f} ms avg {:>6.2f} ms p95{}\n",
                     cell_text(row[d_name]), cell_text(row[d_kind]), capacity,
                     capacity > 0.0 ? 100.0 * cell_number(row[d_used]) / capacity : 0.0,
                     capacity > 0.0 ? 100.0 * cell_number(row[d_provisioned]) / capacity : 0.0, cell_number(row[d_iops]),
                     cell_number(row[d_latency]), cell_number(row[d_p95]),
                     cell_number(row[d_throttled]) > 0.0 ? fmt::format("  SIOC {:.1f}% of the time", cell_number(row[d_throttled]))
                                                       : std::string());
    }
  }
  if (const ReportTable* t = find_table(st, Table::disks)) {
    std::vector<std::string> lines;
    for (std::size_t r = 0; r < t->rows(); ++r) {
      const auto row = t->row(r);
      if (cell_text(row[k_state]) == "compliant") continue;
      lines.push_back(fmt::format("    {} on {}: {}", cell_text(row[k_vm]), cell_text(row[k_datastore]), cell_text(row[k_state])));
    }
    if (!lines.empty()) {
      fmt::format_to(std::back_inserter(out), "  {} not compliant at the end{}:\n", text::count(lines.size(), "disk", "disks"),
                     lines.size() > text::kRowsShown ? fmt::format(" (first {})", text::kRowsShown) : std::string());
      for (std::size_t k = 0; k < lines.size() && k < text::kRowsShown; ++k) out += lines[k] + "\n";
    }
  }
  const auto vms = view.vms();
  std::unordered_map<std::string_view, std::size_t> vm_index;
  for (std::size_t v = 0; v < vms.size(); ++v) vm_index.emplace(vms[v].name, v);
  std::vector<std::size_t> off;
  if (const ReportTable* t = find_table(st, Table::vms)) {
    for (std::size_t r = 0; r < t->rows(); ++r) {
      const auto row = t->row(r);
      const auto it = vm_index.find(cell_text(row[0]));
      if (it == vm_index.end()) continue;
      const VmFacts& vm = vms[it->second];
      if (!vm.powered_on && vm.admission && *vm.admission == cell_text(row[6])) off.push_back(it->second);
    }
  }
  if (off.empty()) return;
  fmt::format_to(std::back_inserter(out), "  {} stayed off for storage{}:\n", text::count(off.size(), "VM", "VMs"),
                 off.size() > text::kRowsShown ? fmt::format(" (first {})", text::kRowsShown) : std::string());
  for (std::size_t k = 0; k < off.size() && k < text::kRowsShown; ++k) {
    fmt::format_to(std::back_inserter(out), "    {}: {}\n", vms[off[k]].name, *vms[off[k]].admission);
  }
}

}  // namespace

const TableSpec& table_spec(Table t) { return tables[static_cast<std::size_t>(t)]; }

constexpr AreaReportSpec report_spec{
    .section = "storage",
    .vm_columns = vm_columns,
    .series = series,
    .esxtop = esxtop,
    .contention = contention,
    .charts = charts,
    .fill = &fill,
    .vm_score = &vm_score,
    .text = &write_text,
    .tables = tables,
};

}  // namespace vdc::models::storage
