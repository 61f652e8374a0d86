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
    {"host", "sockets, cores, threads, NUMA nodes, RAM; power state and failure",
     "host_profiles and hosts: cpu.sockets, cpu.cores_per_socket, cpu.threads_per_core, cpu.frequency, "
     "cpu.numa_nodes, memory, nics, gpus, advanced (the settings listed under memory); clusters; "
     "events: fail_host, restore_host",
     "docs/scenario.md \"Hosts\", \"Clusters\", \"Events\"; docs/models.md \"NUMA\", \"The run driver\""},
    {"cpu",
     "vCPU scheduling: shares, reservations, limits, resource pools, co-stop, hyperthreads, "
     "NUMA; fluid and detailed fidelities",
     "fidelity; vm_profiles and vms: vcpus, cpu.shares, cpu.reservation, cpu.limit; resource_pools: cpu; "
     "events: power_on, power_off, migrate; parameters: cpu.*",
     "docs/models.md \"CPU\"; docs/scenario.md \"Allocations\""},
    {"memory",
     "first touch, page sharing, ballooning, compression, host swap, minFree states",
     "vm_profiles and vms: memory, mem.shares, mem.reservation, mem.limit, mem.max_balloon, guest.os, "
     "guest.salt; hosts: memory, advanced: Mem.*; parameters: memory.*",
     "docs/memory.md; docs/scenario.md \"Allocations\""},
    {"workload", "synthetic CPU and memory demand of the VMs: constant, on_off, diurnal, tasks",
     "vm_profiles and vms: workload.cpu (kind: constant, on_off, diurnal, tasks, trace), "
     "workload.memory (active, touched, zero, image, compressible); parameters: workload.*",
     "docs/scenario.md \"CPU workloads\", \"Memory workload\"; docs/traces.md"},
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
