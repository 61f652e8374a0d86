// What the GPU area contributes to the reports: include/vdc/models/gpu/gpu_area.hpp,
// docs/gpu.md "Reports" for each field's meaning.
#include <algorithm>
#include <array>
#include <map>
#include <unordered_map>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "vdc/models/gpu/gpu_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/report_text.hpp"

namespace vdc::models::gpu {
namespace {

namespace text = report_text;

/// Of a VM's GPU demand, the percent that waited above which the contention analysis
/// lists it.
constexpr double kWaitPct = 10.0;

constexpr std::array<ReportColumn, 5> vm_columns{{
    {"profile", "gpu_profile", "", ValueKind::text},
    {"gpu", "gpu", "", ValueKind::text},
    {"demand_pct_avg", "gpu_demand_pct_avg", "%"},
    {"used_pct_avg", "gpu_used_pct_avg", "%"},
    {"wait_pct", "gpu_wait_pct", "%"},
}};
constexpr std::size_t v_profile = column_index(vm_columns, "profile");
constexpr std::size_t v_gpu = column_index(vm_columns, "gpu");
constexpr std::size_t v_demand = column_index(vm_columns, "demand_pct_avg");
constexpr std::size_t v_used = column_index(vm_columns, "used_pct_avg");
constexpr std::size_t v_wait = column_index(vm_columns, "wait_pct");

constexpr std::array<SeriesColumn, 3> series{{
    {vm_gpu_demand_pct, "GPU_DEMAND_%"},
    {vm_gpu_used_pct, "GPU_USED_%"},
    {vm_gpu_wait_pct, "GPU_WAIT_%"},
}};

constexpr std::array<ContentionCheck, 1> contention{{
    {EntityKind::vm, vm_gpu_wait_pct, "gpu_wait_pct", "", kWaitPct, 1.0},
}};

constexpr std::array<TableColumn, 12> gpu_columns{{
    {"host", "host", "", CellKind::text},
    {"index", "index", "", CellKind::count},
    {"model", "model", "", CellKind::text},
    {"mode", "mode", "", CellKind::text},
    {"sizes", "sizes", "", CellKind::text},
    {"scheduler", "scheduler", "", CellKind::text},
    {"time_slice_ms", "time_slice_ms", "ms", CellKind::number},
    {"vgpus", "vgpus", "", CellKind::texts},
    {"vgpu_count", "vgpu_count", "", CellKind::count},
    {"framebuffer_allocated_mib", "framebuffer_allocated_mib", "MiB", CellKind::number},
    {"framebuffer_mib", "framebuffer_mib", "MiB", CellKind::number},
    {"util_pct_avg", "util_pct_avg", "%", CellKind::number},
}};
constexpr std::size_t g_host = 0, g_index = 1, g_model = 2, g_mode = 3, g_sizes = 4, g_count = 8, g_alloc = 9, g_fb = 10,
                      g_util = 11;

constexpr std::array<TableColumn, 6> vm_table_columns{{
    {"vm", "vm", "", CellKind::text},
    {"board", "board", "", CellKind::text},
    {"profiles", "profiles", "", CellKind::texts},
    {"gpus", "gpus", "", CellKind::texts},
    {"migrations", "migrations", "", CellKind::count},
    {"stun_s", "stun_s", "s", CellKind::number},
}};

constexpr std::array<TableSpec, 2> tables{{
    {"gpus", "gpus.csv", gpu_columns},
    {"gpu_vms", "gpu_vms.csv", vm_table_columns},
}};

const std::string& text_of(const TableCell& c) {
  static const std::string none;
  const auto* s = std::get_if<std::string>(&c);
  return s != nullptr ? *s : none;
}
double number_of(const TableCell& c) {
  const auto* d = std::get_if<double>(&c);
  return d != nullptr ? *d : 0.0;
}

void fill(const RunResult& run, AreaSection& out) {
  MetricReader m(run.metrics);
  const auto demand = m.name(vm_gpu_demand_pct);
  const auto used = m.name(vm_gpu_used_pct);
  const std::size_t nc = vm_columns.size();
  out.vm_has.assign(run.vms.size(), false);
  std::size_t waiting = 0;
  for (std::size_t v = 0; v < run.vms.size(); ++v) {
    m.select(metric::vm_entity(run.vms[v].name));
    if (!m.find(demand)) continue;
    out.vm_has[v] = true;
    const double d = m.average(demand);
    const double u = m.average(used);
    out.vms[v * nc + v_demand] = d;
    out.vms[v * nc + v_used] = u;
    out.vms[v * nc + v_wait] = d > 0.0 ? 100.0 * std::max(0.0, d - u) / d : 0.0;
    if (out.vms[v * nc + v_wait] > kWaitPct) ++waiting;
  }
  // Each VM's profile and GPU, as the gpu_vms table lists them (several: joined by ", ").
  std::unordered_map<std::string_view, std::size_t> vm_index;
  for (std::size_t v = 0; v < run.vms.size(); ++v) vm_index.emplace(run.vms[v].name, v);
  for (const ReportTable& t : out.tables) {
    if (t.spec != &gpu_vms_table) continue;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto row = t.row(r);
      const auto it = vm_index.find(text_of(row[0]));
      if (it == vm_index.end() || out.vm_text.empty()) continue;
      const auto join = [](const TableCell& c) {
        const auto* list = std::get_if<std::vector<std::string>>(&c);
        return list != nullptr ? fmt::format("{}", fmt::join(*list, ", ")) : std::string();
      };
      out.vm_text[it->second * nc + v_profile] = join(row[2]);
      out.vm_text[it->second * nc + v_gpu] = join(row[3]);
    }
  }
  const auto util = m.name(gpu_util_pct);
  for (ReportTable& t : out.tables) {
    if (t.spec != &gpus_table) continue;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const std::size_t at = r * gpu_columns.size();
      m.select(gpu_entity(text_of(t.cells[at + g_host]), static_cast<int>(number_of(t.cells[at + g_index]))));
      t.cells[at + g_util] = m.average(util);
    }
  }
  out.verdict.push_back(waiting == 0
                            ? fmt::format("GPU: no VM waited for more than {:.0f}% of its GPU demand.", kWaitPct)
                            : fmt::format("GPU: {} waited for more than {:.0f}% of their GPU demand.",
                                          text::count(waiting, "VM", "VMs"), kWaitPct));
}

double vm_score(std::span<const double> row, const VmFacts&) { return row[v_wait]; }

/// Density per board and mode, and the VMs with vGPUs that stayed off, with the reason.
void write_text(const ReportView& view, std::string& out) {
  const AreaSection& gpu = *view.section(report_spec.section);
  struct Density {
    std::size_t gpus = 0, vgpus = 0;
    double alloc = 0.0, fb = 0.0, util = 0.0;
  };
  std::map<std::string, Density> by;
  for (const ReportTable& t : gpu.tables) {
    if (t.spec != &gpus_table) continue;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto row = t.row(r);
      const std::string& sizes = text_of(row[g_sizes]);
      Density& d = by[fmt::format("{} {}{}", text_of(row[g_model]), text_of(row[g_mode]), sizes.empty() ? "" : ", " + sizes + "-size")];
      ++d.gpus;
      d.vgpus += static_cast<std::size_t>(number_of(row[g_count]));
      d.alloc += number_of(row[g_alloc]);
      d.fb += number_of(row[g_fb]);
      d.util += number_of(row[g_util]);
    }
  }
  out += "\nGPUs by board and mode (vGPUs at the end of the run)\n";
  if (by.empty()) out += "  none\n";
  for (const auto& [name, d] : by) {
    fmt::format_to(std::back_inserter(out), "  {:<34} {:>4} GPUs {:>5} vGPUs {:>6.2f} per GPU  framebuffer {:>5.1f}% allocated  util {:>5.1f}% avg\n",
                   name, d.gpus, d.vgpus, static_cast<double>(d.vgpus) / static_cast<double>(d.gpus),
                   d.fb > 0.0 ? 100.0 * d.alloc / d.fb : 0.0, d.util / static_cast<double>(d.gpus));
  }
  const auto vms = view.vms();
  std::vector<std::size_t> off;
  for (std::size_t i = 0; i < vms.size(); ++i) {
    if (gpu.has_vm(i) && !vms[i].powered_on && vms[i].admission) off.push_back(i);
  }
  if (off.empty()) {
    out += "  every VM with a vGPU that was to run found a GPU\n";
    return;
  }
  fmt::format_to(std::back_inserter(out), "  {} with vGPUs stayed off{}:\n", text::count(off.size(), "VM", "VMs"),
                 off.size() > text::kRowsShown ? fmt::format(" (first {})", text::kRowsShown) : std::string());
  for (std::size_t k = 0; k < off.size() && k < text::kRowsShown; ++k) {
    fmt::format_to(std::back_inserter(out), "    {}: {}\n", vms[off[k]].name, *vms[off[k]].admission);
  }
}

}  // namespace

const TableSpec& gpus_table = tables[0];
const TableSpec& gpu_vms_table = tables[1];

constexpr AreaReportSpec report_spec{
    .section = "gpu",
    .vm_columns = vm_columns,
    .series = series,
    .contention = contention,
    .fill = &fill,
    .vm_score = &vm_score,
    .text = &write_text,
    .tables = tables,
};

}  // namespace vdc::models::gpu
