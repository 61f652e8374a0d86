// The explicit list of model areas (docs/architecture.md "Adding an area": one line here),
// and the parameters and descriptions `vdcsim describe` and `vdcsim models` print
// (registered by an explicit call list, not by static constructors).
#include "vdc/models/registry.hpp"

#include <array>
#include <cassert>
#include <vector>

#include "vdc/models/cpu/cpu_area.hpp"
#include "vdc/models/gpu/gpu_area.hpp"
#include "vdc/models/memory/memory_area.hpp"
#include "vdc/models/network/network_area.hpp"
#include "vdc/models/parameters.hpp"
#include "vdc/models/storage/storage_area.hpp"

namespace vdc::models {

namespace {

/// The areas, in the order a run builds them.
std::vector<const AreaSpec*> collect_areas() {
  std::vector<const AreaSpec*> all;
  for (const std::span<const AreaSpec> specs : {
           cpu::area_specs(),
           memory::area_specs(),
           network::area_specs(),
           gpu::area_specs(),
           storage::area_specs(),
       }) {
    for (const AreaSpec& s : specs) all.push_back(&s);
  }
  return all;
}

/// What `vdcsim models` lists besides the areas that run: the hardware they run on and the
/// workloads that drive them.
constexpr ModelArea host_entry{
    "host", "sockets, cores, threads, NUMA nodes, RAM; power state and failure",
    "host_profiles and hosts: cpu.sockets, cpu.cores_per_socket, cpu.threads_per_core, cpu.frequency, "
    "cpu.numa_nodes, memory, nics, gpus, advanced (the settings listed under memory); clusters; "
    "events: fail_host, restore_host",
    "docs/scenario.md \"Hosts\", \"Clusters\", \"Events\"; docs/models.md \"NUMA\", \"The run driver\""};
constexpr ModelArea workload_entry{
    "workload", "synthetic CPU and memory demand of the VMs: constant, on_off, diurnal, tasks",
    "vm_profiles and vms: workload.cpu (kind: constant, on_off, diurnal, tasks, trace), "
    "workload.memory (active, touched, zero, image, compressible); parameters: workload.*",
    "docs/scenario.md \"CPU workloads\", \"Memory workload\"; docs/traces.md"};

std::vector<ModelArea> collect_descriptions() {
  std::vector<ModelArea> out{host_entry};
  for (const AreaSpec* a : area_registry()) {
    const bool listed = std::any_of(out.begin(), out.end(), [&](const ModelArea& m) { return m.name == a->name; });
    if (!listed) out.push_back(ModelArea{a->name, a->description, a->scenario, a->docs});
  }
  out.push_back(workload_entry);
  return out;
}

std::vector<ModelParameter> collect_parameters() {
  // Each area's once (its variants share them), then ordered by the area a parameter
  // names, as `vdcsim models` lists them (the CPU area declares the workload's parameters
  // too), in declaration order within an area.
  std::vector<ModelParameter> all;
  std::vector<std::string_view> done;
  for (const AreaSpec* a : area_registry()) {
    if (a->parameters == nullptr || std::find(done.begin(), done.end(), a->name) != done.end()) continue;
    done.push_back(a->name);
    for (const ModelParameter& p : a->parameters()) all.push_back(p);
  }
  std::vector<ModelParameter> ordered;
  for (const ModelArea& m : model_areas()) {
    for (const ModelParameter& p : all) {
      if (p.area == m.name) ordered.push_back(p);
    }
  }
  assert(ordered.size() == all.size() && "a parameter names an area `vdcsim models` does not list");
  return ordered;
}

std::string_view fidelity_name(Fidelity f) { return f == Fidelity::detailed ? "detailed" : "fluid"; }

}  // namespace

std::span<const AreaSpec* const> area_registry() {
  static const std::vector<const AreaSpec*> all = collect_areas();
  return all;
}

std::vector<const AreaSpec*> areas_for(const ScenarioConfig& config) {
  std::vector<const AreaSpec*> out;
  for (const AreaSpec* a : area_registry()) {
    const bool variant = a->variant.empty() || a->variant == fidelity_name(config.fidelity);
    if (variant && (a->runs == nullptr || a->runs(config))) out.push_back(a);
  }
  return out;
}

std::span<const ModelParameter> all_parameters() {
  static const std::vector<ModelParameter> all = collect_parameters();
  return all;
}

double parameter_value(const std::map<std::string, double>& set, std::span<const ModelParameter> params,
                       std::string_view name) {
  const auto it = set.find(std::string(name));
  if (it != set.end()) return it->second;
  for (const ModelParameter& p : params) {
    if (p.name == name) return p.default_value;
  }
  return 0.0;
}

const ModelParameter* find_parameter(std::string_view name, ParameterScope scope) {
  for (const ModelParameter& p : all_parameters()) {
    if (p.name == name && p.scope == scope) return &p;
  }
  return nullptr;
}

std::span<const ModelArea> model_areas() {
  static const std::vector<ModelArea> all = collect_descriptions();
  return all;
}

}  // namespace vdc::models
