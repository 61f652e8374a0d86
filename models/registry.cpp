// The explicit list of model areas and of their parameters (docs/design.md: registered by an
// explicit call list, not by static constructors).
#include <array>
#include <cassert>
#include <vector>

#include "vdc/models/cpu/cpu_parameters.hpp"
#include "vdc/models/memory/memory_parameters.hpp"
#include "vdc/models/parameters.hpp"

namespace vdc::models {

namespace {

constexpr std::array<ModelArea, 4> areas{{
    {"host", "sockets, cores, threads, NUMA nodes, RAM; power state and failure"},
    {"cpu",
     "vCPU scheduling: shares, reservations, limits, resource pools, co-stop, hyperthreads, "
     "NUMA; fluid and detailed fidelities"},
    {"memory",
     "first touch, page sharing, ballooning, compression, host swap, minFree states"},
    {"workload", "synthetic CPU and memory demand of the VMs: constant, on_off, diurnal, tasks"},
}};

std::vector<ModelParameter> collect() {
  std::vector<ModelParameter> all;
  const auto add = [&all](std::span<const ModelParameter> ps) {
    all.insert(all.end(), ps.begin(), ps.end());
  };
  add(cpu::cpu_parameters());
  add(memory::parameters());
  // Stable order: by area as listed in `areas`, then declaration order.
  std::vector<ModelParameter> ordered;
  for (const ModelArea& a : areas) {
    for (const ModelParameter& p : all) {
      if (p.area == a.name) ordered.push_back(p);
    }
  }
  assert(ordered.size() == all.size() && "a parameter's area is missing from `areas`");
  return ordered;
}

}  // namespace

std::span<const ModelParameter> all_parameters() {
  static const std::vector<ModelParameter> all = collect();
  return all;
}

const ModelParameter* find_parameter(std::string_view name, ParameterScope scope) {
  for (const ModelParameter& p : all_parameters()) {
    if (p.name == name && p.scope == scope) return &p;
  }
  return nullptr;
}

std::span<const ModelArea> model_areas() { return areas; }

}  // namespace vdc::models
