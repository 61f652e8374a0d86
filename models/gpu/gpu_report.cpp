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

#include "vdc/models/gpu/boards.hpp"
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
    {"vgpus", "vgpus", "", CellKind::records},
    {"vgpu_count", "vgpu_count", "", CellKind::count},
    {"framebuffer_allocated_mib", "framebuffer_allocated_mib", "MiB", CellKind::number},
    {"framebuffer_mib", "framebuffer_mib", "MiB", CellKind::number},
    {"util_pct_avg", "util_pct_avg", "%", CellKind::number},
}};
constexpr std::size_t g_host = 0, g_index = 1, g_model = 2, g_mode = 3, g_sizes = 4, g_vgpus = 7, g_count = 8, g_alloc = 9,
                      g_fb = 10, g_util = 11;

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
  if (const ReportTable* found = out.table(gpu_vms_table)) {
    const ReportTable& t = *found;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto row = t.row(r);
      const auto it = vm_index.find(cell_text(row[0]));
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
  if (ReportTable* found = out.table(gpus_table)) {
    ReportTable& t = *found;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const std::size_t at = r * gpu_columns.size();
      m.select(gpu_entity(cell_text(t.cells[at + g_host]), static_cast<int>(cell_number(t.cells[at + g_index]))));
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
  if (const ReportTable* found = gpu.table(gpus_table)) {
    const ReportTable& t = *found;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto row = t.row(r);
      const std::string& sizes = cell_text(row[g_sizes]);
      Density& d = by[fmt::format("{} {}{}", cell_text(row[g_model]), cell_text(row[g_mode]), sizes.empty() ? "" : ", " + sizes + "-size")];
      ++d.gpus;
      d.vgpus += static_cast<std::size_t>(cell_number(row[g_count]));
      d.alloc += cell_number(row[g_alloc]);
      d.fb += cell_number(row[g_fb]);
      d.util += cell_number(row[g_util]);
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

/// The part of `entry` ("vm:profile" or "vm:profile@start", as the gpus table lists a
/// GPU's vGPUs) before the colon, between it and the '@', and after the '@' (-1: none).
struct Resident {
  std::string vm, profile;
  int start = -1;
};
/// One vGPU of a GPU's `vgpus` cell ({vm, profile, start}).
Resident resident_of(const Record& entry) {
  Resident r;
  for (const auto& [key, value] : entry) {
    const auto* text = std::get_if<std::string>(&value);
    const auto* number = std::get_if<double>(&value);
    if (key == "vm" && text != nullptr) r.vm = *text;
    if (key == "profile" && text != nullptr) r.profile = *text;
    if (key == "start" && number != nullptr) r.start = static_cast<int>(*number);
  }
  return r;
}

const std::vector<Record>& list_of(const TableCell& c) {
  static const std::vector<Record> none;
  const auto* l = std::get_if<std::vector<Record>>(&c);
  return l != nullptr ? *l : none;
}

constexpr std::array<BarKey, 6> slice_keys{{
    {"1g instance", "#9ecae9"},
    {"2g instance", "#72b7b2"},
    {"3g instance", "#f58518"},
    {"4g instance", "#4c78a8"},
    {"7g instance", "#b279a2"},
    {"free slice", "#eeeeee"},
}};
constexpr std::array<BarKey, 3> share_keys{{
    {"used", "#4c78a8"},
    {"waited (demand not served)", "#f58518"},
    {"idle", "#eeeeee"},
}};

/// Each MIG GPU as its 8 memory slices: every vGPU's GPU instance from its start slot over
/// its profile's width (boards' geometry), and the free slices.
std::vector<Bar> mig_bars(const ReportView& view) {
  std::vector<Bar> out;
  const AreaSection* gpu = view.section(report_spec.section);
  if (gpu == nullptr) return out;
  if (const ReportTable* found = gpu->table(gpus_table)) {
    const ReportTable& t = *found;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto row = t.row(r);
      if (cell_text(row[g_mode]) != "mig") continue;
      Bar bar;
      bar.name = fmt::format("{}/{}", cell_text(row[g_host]), static_cast<int>(cell_number(row[g_index])));
      bar.note = fmt::format("{}, MIG", cell_text(row[g_model]));
      bar.size = mig_memory_slices;
      std::vector<bool> used(mig_memory_slices, false);
      for (const Record& entry : list_of(row[g_vgpus])) {
        const Resident v = resident_of(entry);
        const auto ref = find_profile(v.profile);
        if (!ref || v.start < 0) continue;
        const VgpuProfile& p = *ref->profile;
        const std::string g = p.instance.substr(0, p.instance.find('.'));
        for (int k = v.start; k < std::min(v.start + p.memory_slices, mig_memory_slices); ++k) used[static_cast<std::size_t>(k)] = true;
        bar.parts.push_back({fmt::format("{} instance", g), static_cast<double>(v.start),
                             static_cast<double>(p.memory_slices), fmt::format("{} {}", v.vm, p.name),
                             fmt::format("{}: {} ({}), slices {} to {}", v.vm, p.name, p.instance, v.start,
                                         v.start + p.memory_slices - 1)});
      }
      for (int k = 0; k < mig_memory_slices; ++k) {
        if (used[static_cast<std::size_t>(k)]) continue;
        bar.parts.push_back({"free slice", static_cast<double>(k), 1.0, "free", fmt::format("slice {} free", k)});
      }
      std::sort(bar.parts.begin(), bar.parts.end(), [](const BarPart& a, const BarPart& b) { return a.start < b.start; });
      out.push_back(std::move(bar));
    }
  }
  return out;
}

/// Each time-sliced or passthrough GPU as the shares of its time: what each vGPU used
/// (percent of the GPU), then the time left idle up to 100%, then past 100% what each
/// waited (its demand not served). A VM's figures are averaged over its vGPUs.
std::vector<Bar> share_bars(const ReportView& view) {
  std::vector<Bar> out;
  const AreaSection* gpu = view.section(report_spec.section);
  if (gpu == nullptr) return out;
  std::unordered_map<std::string_view, std::size_t> vm_index;
  for (std::size_t v = 0; v < view.vms().size(); ++v) vm_index.emplace(view.vms()[v].name, v);
  if (const ReportTable* found = gpu->table(gpus_table)) {
    const ReportTable& t = *found;
    for (std::size_t r = 0; r < t.rows(); ++r) {
      const auto row = t.row(r);
      const std::string& mode = cell_text(row[g_mode]);
      if (mode == "mig") continue;
      Bar bar;
      bar.name = fmt::format("{}/{}", cell_text(row[g_host]), static_cast<int>(cell_number(row[g_index])));
      const std::string& sizes = cell_text(row[g_sizes]);
      bar.note = fmt::format("{}, {}{}", cell_text(row[g_model]), mode == "time_sliced" ? "time-sliced" : mode,
                             sizes.empty() ? std::string() : fmt::format(" ({}-size)", sizes));
      double at = 0.0;
      std::vector<BarPart> waited;
      for (const Record& entry : list_of(row[g_vgpus])) {
        const Resident v = resident_of(entry);
        const auto it = vm_index.find(v.vm);
        if (it == vm_index.end()) continue;
        const double used = view.value(report_spec.section, EntityKind::vm, it->second, "used_pct_avg").value_or(0.0);
        const double demand = view.value(report_spec.section, EntityKind::vm, it->second, "demand_pct_avg").value_or(0.0);
        const double wait = std::max(0.0, demand - used);
        const std::string detail = fmt::format("{} ({}): demand {:.1f}%, used {:.1f}%, waited {:.1f}% of the GPU",
                                               v.vm, v.profile, demand, used, wait);
        if (used > 0.0) bar.parts.push_back({"used", at, used, v.vm, detail});
        at += used;
        if (wait > 0.0) waited.push_back({"waited (demand not served)", 0.0, wait, v.vm, detail});
      }
      // (Below the page's resolution of 0.01 points, what is left is rounding, not idle time.)
      if (at < 100.0 - 0.005) {
        bar.parts.push_back({"idle", at, 100.0 - at, "", fmt::format("idle {:.1f}% of the time", 100.0 - at)});
      }
      at = std::max(at, 100.0);
      for (BarPart& w : waited) {
        w.start = at;
        at += w.width;
        bar.parts.push_back(std::move(w));
      }
      bar.size = at;
      out.push_back(std::move(bar));
    }
  }
  return out;
}

constexpr std::array<BarsSpec, 2> views{{
    {.id = "gpu-mig",
     .heading = "GPUs",
     .title = "MIG slices",
     .note = "Each GPU's 8 memory slices at the end of the run: every vGPU's GPU instance from its start slot over "
             "its profile's width (first fit, in the order of power-ons), and the slices left free",
     .one = "MIG GPU",
     .many = "MIG GPUs",
     .axis = "memory slice (slice k spans k to k + 1)",
     .tick = 1.0,
     .keys = slice_keys,
     .bars = &mig_bars},
    {.id = "gpu-shares",
     .heading = "GPUs",
     .title = "Time-slice shares",
     .note = "Of each GPU's time over the run: what each vGPU there at the end of the run used on average, then the "
             "time left idle up to 100%; past 100%, what each waited (demand it was not given)",
     .one = "time-sliced GPU",
     .many = "time-sliced GPUs",
     .axis = "% of the GPU's time",
     .tick = 25.0,
     .keys = share_keys,
     .bars = &share_bars},
}};

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
    .views = views,
};

}  // namespace vdc::models::gpu
