#include <array>
#include <charconv>
#include <filesystem>
#include <string>
#include <system_error>
#include <variant>

#include <fmt/format.h>

#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

enum class CpuKind { constant, on_off, diurnal, tasks, trace };

constexpr std::array<Choice<CpuKind>, 5> cpu_kinds{{{"constant", CpuKind::constant},
                                                    {"on_off", CpuKind::on_off},
                                                    {"diurnal", CpuKind::diurnal},
                                                    {"tasks", CpuKind::tasks},
                                                    {"trace", CpuKind::trace}}};
constexpr std::array<Choice<models::BurstDistribution>, 4> distributions{
    {{"exponential", models::BurstDistribution::exponential},
     {"deterministic", models::BurstDistribution::deterministic},
     {"lognormal", models::BurstDistribution::lognormal},
     {"pareto", models::BurstDistribution::pareto}}};
constexpr std::array<Choice<models::TraceFormat>, 4> trace_formats{
    {{"bitbrains", models::TraceFormat::bitbrains},
     {"planetlab", models::TraceFormat::planetlab},
     {"azure", models::TraceFormat::azure},
     {"csv", models::TraceFormat::csv}}};
constexpr std::array<Choice<models::TraceEnd>, 3> trace_ends{{{"loop", models::TraceEnd::loop},
                                                             {"hold", models::TraceEnd::hold},
                                                             {"stop", models::TraceEnd::stop}}};

constexpr Bounds positive_time{0.0, limits::max_duration_s, true,
                               "expected a duration above 0 and up to 366d, like 20ms"};
constexpr Bounds any_time{0.0, limits::max_duration_s, false,
                          "expected a duration from 0 to 366d, like 80ms"};
constexpr Bounds cv_bounds{0.0, 100.0, true, "expected a number above 0 and up to 100"};
constexpr Bounds alpha_bounds{1.0, 100.0, true, "expected a number above 1 and up to 100"};
constexpr Bounds scale_bounds{0.0, 1e6, true, "expected a number above 0 and up to 1000000"};

/// A key that only one distribution takes, given with another.
void check_distribution_key(const MapView& m, std::string_view key, bool applies,
                            std::string_view distribution) {
  const Entry* e = m.entry(key);
  if (e == nullptr || applies) return;
  m.sink().error(e->key_pos, fmt::format("'{}' applies to the {} distribution only", key, distribution),
                 fmt::format("expected distribution: {}", distribution));
}

models::OnOffCpu read_on_off(const MapView& m) {
  models::OnOffCpu w;
  if (m.require("run", "expected the CPU time of one burst, like 20ms")) {
    assign(m.duration("run", positive_time), w.run);
  }
  if (m.require("idle", "expected the think time between bursts, like 80ms")) {
    assign(m.duration("idle", any_time), w.idle);
  }
  assign(m.choice<models::BurstDistribution>("distribution", distributions), w.distribution);
  assign(m.real("cv", cv_bounds), w.cv);
  assign(m.real("alpha", alpha_bounds), w.alpha);
  check_distribution_key(m, "cv", w.distribution == models::BurstDistribution::lognormal,
                         "lognormal");
  check_distribution_key(m, "alpha", w.distribution == models::BurstDistribution::pareto,
                         "pareto");
  return w;
}

models::DiurnalCpu read_diurnal(const MapView& m) {
  models::DiurnalCpu w;
  if (m.require("mean", "expected the mean demand per vCPU, like 40%")) {
    assign(m.fraction("mean"), w.mean);
  }
  assign(m.fraction("amplitude"), w.amplitude);
  if (const Node* peak = m.get("peak")) assign(read_time_of_day(m.sink(), *peak), w.peak);
  assign(m.fraction("noise"), w.noise);
  assign(m.duration("step", positive_time), w.step);
  return w;
}

models::TraceCpu read_trace(const MapView& m) {
  models::TraceCpu w;
  assign(m.choice<models::TraceFormat>("format", trace_formats), w.format);
  if (m.require("file", "expected the trace file, like traces/{i}.csv.gz") != nullptr) {
    assign(m.text("file", "expected a file path"), w.file);
  }
  assign(m.text("column", "expected a column name"), w.column);
  assign(m.text("time_column", "expected a column name"), w.time_column);
  assign(m.duration("offset", any_time), w.offset);
  assign(m.real("scale", scale_bounds), w.scale);
  assign(m.choice<models::TraceEnd>("at_end", trace_ends), w.at_end);
  if (const Node* memory = m.get("memory_column")) {
    assign(m.text("memory_column", "expected a column name, like mem_kb"), w.memory_column);
    if (w.format == models::TraceFormat::planetlab || w.format == models::TraceFormat::azure) {
      const bool azure = w.format == models::TraceFormat::azure;
      m.sink().error(memory->pos,
                     fmt::format("{} trace has no memory column", azure ? "an azure" : "a planetlab"),
                     "memory_column with a bitbrains or csv trace only");
    }
  }
  return w;
}

/// A demand workload: `workload.cpu` (per vCPU, of one core) or `workload.gpu` (per vGPU,
/// of one whole GPU; `gpu` true: no tasks kind, and no memory column).
void read_demand_workload(Sink& sink, const Node& node, models::CpuWorkload& out, bool gpu) {
  const std::string_view key = gpu ? "gpu" : "cpu";
  const std::string_view kinds = gpu ? "constant, on_off, diurnal or trace" : "constant, on_off, diurnal, tasks or trace";
  const std::string label = fmt::format("'{}'", key);
  if (!node.is_mapping()) {
    sink.error(node.pos, fmt::format("'{}' is {}", key, describe(node)),
               fmt::format("expected a mapping with a kind: {}", kinds));
    return;
  }
  const Node* kind_node = node.get("kind");
  if (kind_node == nullptr) {
    sink.error(node.pos, fmt::format("missing required key 'kind' in a {} workload", gpu ? "GPU" : "CPU"),
               fmt::format("expected {}", kinds));
    return;
  }
  const std::optional<CpuKind> kind = read_choice<CpuKind>(sink, "kind", *kind_node, cpu_kinds);
  if (!kind) return;
  switch (*kind) {
    case CpuKind::constant: {
      const MapView m(sink, node, keys::cpu_constant, label);
      models::ConstantCpu w;
      if (m.require("demand", gpu ? "expected the demand per vGPU, like 60% of one GPU" : "expected the demand per vCPU, like 50%")) {
        assign(m.fraction("demand"), w.demand);
      }
      out = w;
      break;
    }
    case CpuKind::on_off: out = read_on_off(MapView(sink, node, keys::cpu_on_off, label)); break;
    case CpuKind::diurnal: out = read_diurnal(MapView(sink, node, keys::cpu_diurnal, label)); break;
    case CpuKind::tasks: {
      if (gpu) {
        bad_value(sink, "kind", *kind_node, fmt::format("expected {}", kinds));
        break;
      }
      const MapView m(sink, node, keys::cpu_tasks, label);
      models::TasksCpu w;
      assign(m.integer("count", 1, limits::max_tasks), w.count);
      if (m.require("size", "expected the CPU time of one task, like 30s")) {
        assign(m.duration("size", positive_time), w.size);
      }
      out = w;
      break;
    }
    case CpuKind::trace: {
      const MapView m(sink, node, keys::cpu_trace, label);
      out = read_trace(m);
      if (const Entry* memory = m.entry("memory_column"); memory != nullptr && gpu) {
        sink.error(memory->key_pos, "'memory_column' in a GPU workload", "expected it in workload.cpu");
      }
      break;
    }
  }
}

/// `active_from_trace`: a trace's memory column sets the working set, so `active` is not
/// held against `touched`.
void read_memory_workload(Sink& sink, const Node& node, models::MemoryWorkload& w,
                          bool active_from_trace) {
  const MapView m(sink, node, keys::memory_workload, "'memory'");
  if (!m.valid()) return;
  assign(m.fraction("active"), w.active);
  assign(m.fraction("touched"), w.touched);
  assign(m.fraction("zero"), w.zero);
  assign(m.fraction("image"), w.image);
  assign(m.fraction("compressible"), w.compressible);
  // Both checks point at a value the user wrote: the first key of the pair present.
  const auto first_of = [&](std::string_view a, std::string_view b) {
    const Node* n = m.get(a);
    return n != nullptr ? n : m.get(b);
  };
  if (w.active > w.touched && !active_from_trace) {
    if (const Node* at = first_of("active", "touched")) {
      sink.error(at->pos,
                 fmt::format("active memory {:g}% exceeds touched memory {:g}%", w.active * 100.0,
                             w.touched * 100.0),
                 "expected active <= touched: the working set has been written");
    }
  }
  if (w.zero + w.image > 1.0) {
    if (const Node* at = first_of("image", "zero")) {
      sink.error(at->pos,
                 fmt::format("zero {:g}% plus image {:g}% exceeds 100%", w.zero * 100.0,
                             w.image * 100.0),
                 "expected zero + image <= 100% of touched memory");
    }
  }
}

}  // namespace

std::optional<sim::Time> read_time_of_day(Sink& sink, const Node& node) {
  constexpr std::string_view expected = "expected a time of day like 14:00";
  const std::string* text = scalar_text(sink, "peak", node, expected);
  if (text == nullptr) return std::nullopt;
  std::array<int, 3> parts{0, 0, 0};
  std::size_t count = 0;
  const char* p = text->data();
  const char* end = p + text->size();
  while (count < parts.size()) {
    const auto [next, ec] = std::from_chars(p, end, parts[count]);
    if (ec != std::errc() || next - p != 2) break;
    ++count;
    p = next;
    if (p == end || *p != ':') break;
    ++p;
  }
  if (p != end || count < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 59) {
    bad_value(sink, "peak", node, expected);
    return std::nullopt;
  }
  return sim::Time::from_seconds(parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]);
}

void read_workload(Sink& sink, const Node& node, models::VmConfig& vm) {
  const MapView m(sink, node, keys::workload, "'workload'");
  if (!m.valid()) return;
  if (const Node* cpu = m.get("cpu")) read_demand_workload(sink, *cpu, vm.cpu_workload, false);
  if (const Node* gpu = m.get("gpu")) read_demand_workload(sink, *gpu, vm.gpu_workload, true);
  if (const Node* memory = m.get("memory")) {
    const auto* trace = std::get_if<models::TraceCpu>(&vm.cpu_workload);
    read_memory_workload(sink, *memory, vm.mem_workload,
                         trace != nullptr && !trace->memory_column.empty());
  }
  if (const Node* disk = m.get("disk")) read_disk_workload(sink, *disk, vm);
  // workload.network is read with the VM's NICs (read_vm_network).
}

std::optional<std::string> resolve_vm_file(Sink& sink, const Node& file, const TraceSite& site,
                                           std::string_view written) {
  constexpr std::string_view marker = "{i}";
  std::string path(written);
  if (path.find(marker) != std::string::npos && site.index == 0) {
    sink.error(file.pos, "'{i}' in the trace path of a VM without a name range",
               "expected a VM named with a range, like web{01..40}");
    return std::nullopt;
  }
  const std::string index = std::to_string(site.index);
  for (std::size_t at = path.find(marker); at != std::string::npos;
       at = path.find(marker, at + index.size())) {
    path.replace(at, marker.size(), index);
  }
  std::filesystem::path resolved(path);
  if (resolved.is_relative()) resolved = site.base_dir / resolved;
  std::string out = resolved.generic_string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(resolved, ec)) {
    sink.error(file.pos, fmt::format("trace file '{}' not found", out),
               "expected a file path relative to the scenario file");
  }
  return out;
}

namespace {

/// A CPU or GPU trace workload's file, resolved like every per-VM file.
void resolve_one_trace(Sink& sink, const Node* workload, std::string_view key, const TraceSite& site,
                       models::CpuWorkload& demand) {
  auto* trace = std::get_if<models::TraceCpu>(&demand);
  const Node* w = workload != nullptr ? workload->get(key) : nullptr;
  const Node* file = w != nullptr ? w->get("file") : nullptr;
  if (trace != nullptr && file != nullptr) assign(resolve_vm_file(sink, *file, site, trace->file), trace->file);
}

}  // namespace

void resolve_trace_file(Sink& sink, const Node& vm_node, const TraceSite& site,
                        models::VmConfig& vm) {
  const Node* workload = vm_node.get("workload");
  if (workload == nullptr) return;
  resolve_one_trace(sink, workload, "cpu", site, vm.cpu_workload);
  resolve_one_trace(sink, workload, "gpu", site, vm.gpu_workload);
  const Node* disk = workload->get("disk");
  const Node* disk_file = disk != nullptr ? disk->get("file") : nullptr;
  if (vm.disk_workload && vm.disk_workload->kind == models::DiskWorkloadKind::trace && disk_file != nullptr) {
    assign(resolve_vm_file(sink, *disk_file, site, vm.disk_workload->file), vm.disk_workload->file);
  }
  const Node* network = workload->get("network");
  const Node* flows = network != nullptr ? network->get("flows") : nullptr;
  if (flows == nullptr || !flows->is_sequence() || flows->items.size() != vm.flows.size()) return;
  for (std::size_t i = 0; i < vm.flows.size(); ++i) {
    models::FlowRate& rate = vm.flows[i].rate;
    const Node* rate_node = flows->items[i].get("rate");
    const Node* flow_file = rate_node != nullptr ? rate_node->get("file") : nullptr;
    if (rate.kind == models::FlowRateKind::trace && flow_file != nullptr) {
      assign(resolve_vm_file(sink, *flow_file, site, rate.file), rate.file);
    }
  }
}

}  // namespace vdc::scenario::detail
