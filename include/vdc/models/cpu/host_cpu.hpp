#pragma once
/// What the two CPU models of a host share: the VMs as they see them, their metrics, the
/// pools of the host's entitlement tree, and the interface through which the run driver
/// (the CPU area, models/cpu/cpu_area.cpp) adds and removes VMs.

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vdc/models/cpu/cpu_parameters.hpp"
#include "vdc/models/cpu/entitlement_tree.hpp"
#include "vdc/models/inventory.hpp"
#include "vdc/models/workload/cpu_generator.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/simulator.hpp"

namespace vdc::models::cpu {

/// CPU time per unit of work from remote NUMA memory: 1 + cpu.numa_remote_penalty x the
/// VM's remote memory fraction (docs/models.md "NUMA"), in both fidelities.
[[nodiscard]] inline double numa_stretch(const CpuParameters& params, double remote_fraction) {
  return 1.0 + params.numa_remote_penalty * remote_fraction;
}

/// Metric ids of a VM's CPU metrics (names in metric_names.hpp).
struct VmCpuMetrics {
  sim::MetricId run = 0, ready = 0, costop = 0, wait = 0;
  sim::MetricId used_mhz = 0, demand_mhz = 0, entitlement_mhz = 0;
  sim::MetricId tasks_completed = 0;  ///< counter
};

/// Registers a VM's CPU metrics; `keep_series` keeps the series of its four state gauges.
[[nodiscard]] VmCpuMetrics register_vm_cpu_metrics(sim::MetricsRegistry& metrics,
                                                   std::string_view vm, bool keep_series);

/// Metric ids of a host's CPU gauges.
struct HostCpuMetrics {
  sim::MetricId used_mhz = 0, demand_mhz = 0;
};

/// Registers a host's CPU gauges; `keep_series` keeps their series.
[[nodiscard]] HostCpuMetrics register_host_cpu_metrics(sim::MetricsRegistry& metrics,
                                                       std::string_view host, bool keep_series);

/// Sets a VM's CPU gauges to the powered-off state at `now`: nothing used or demanded and
/// every vCPU counted as waiting, so the four state gauges still sum to 1.
void publish_powered_off(sim::MetricsRegistry& metrics, const VmCpuMetrics& ids, sim::Time now);

/// Where a vCPU stands in its workload, kept while its VM moves between hosts.
struct VcpuProgress {
  enum class Phase : std::uint8_t {
    fresh,  ///< not started: the next host asks the generator for a first burst
    busy,   ///< in a burst with `work_left_ns` of work to do
    idle,   ///< idle until `idle_until`
    done,   ///< no more work
  };
  Phase phase = Phase::fresh;
  double work_left_ns = 0.0;  ///< busy: work left in the burst, ns
  sim::Time idle_after;       ///< busy: idle gap after the burst
  sim::Time next_start = sim::Time::max();  ///< busy: periodic arrival of the next burst
  sim::Time idle_until;       ///< idle: when the next burst starts
};

/// A resource pool of one host's entitlement tree.
struct PoolSpec {
  int parent = -1;  ///< index of the parent pool in the host's list, -1: the host itself
  double shares = 0.0;
  double reservation_mhz = 0.0;
  double limit_mhz = std::numeric_limits<double>::infinity();
};

/// A VM as the CPU models see it. Owned by the driver; a host model keeps a pointer to it
/// between add_vm and remove_vm.
struct VmCpu {
  std::string name;
  int vcpus = 1;
  double memory_mib = 0.0;
  double shares = 1000.0;  ///< CPU shares of the VM (reference A.1: per vCPU x level)
  double reservation_mhz = 0.0;
  double limit_mhz = std::numeric_limits<double>::infinity();
  int pool = -1;  ///< index into the host's pools (set_pools), -1: directly under the host
  /// Memory progress factor in (0, 1] (docs/memory.md "Fault-in and slowdown"): work done
  /// per unit of CPU time, so the CPU time a unit of work needs is stretched by 1 / speed
  /// like remote NUMA memory (docs/models.md "Memory slowdown"). Read by add_vm; change it
  /// through HostCpuModel::set_speed while the VM runs.
  double speed = 1.0;
  std::vector<workload::VcpuGenerator> generators;  ///< one per vCPU
  std::vector<VcpuProgress> progress;               ///< one per vCPU
  VmCpuMetrics metrics;
};

/// Adds a host's pools to `tree` (parents listed before children, as set_pools gets them)
/// and returns each pool's node, for add_vm_leaf.
[[nodiscard]] std::vector<EntitlementTree::NodeId> add_pools(EntitlementTree& tree,
                                                             const std::vector<PoolSpec>& pools);

/// Adds `vm` to `tree` under its pool (a node of `pool_nodes`) or the root; returns its leaf.
EntitlementTree::NodeId add_vm_leaf(EntitlementTree& tree, const VmCpu& vm,
                                    const std::vector<EntitlementTree::NodeId>& pool_nodes);

/// Builds the CPU view of a VM: shares from its allocation, one generator per vCPU drawing
/// from stream "vm/<name>/vcpu<k>" of the run seeded `seed`. The generators of a trace
/// workload still need their cursor (VcpuGenerator::set_trace). The metrics are registered
/// by the caller.
[[nodiscard]] VmCpu make_vm_cpu(const VmConfig& config, std::uint64_t seed,
                                const CpuParameters& params, const VmCpuMetrics& metrics);

/// The CPU of one host under one of the two fidelities.
class HostCpuModel {
 public:
  virtual ~HostCpuModel() = default;
  HostCpuModel() = default;
  HostCpuModel(const HostCpuModel&) = delete;
  HostCpuModel& operator=(const HostCpuModel&) = delete;

  /// Replaces the pools of the host's entitlement tree (VMs refer to them by index).
  virtual void set_pools(std::vector<PoolSpec> pools) = 0;
  /// Starts running `vm` here from now on (power-on, or arrival by migration, resuming
  /// its progress). `vm` must outlive its stay.
  virtual void add_vm(VmCpu& vm) = 0;
  /// Stops running `vm` here at now, saving its progress into it.
  virtual void remove_vm(VmCpu& vm) = 0;
  /// Sets the memory progress factor (VmCpu::speed, in (0, 1]) of `vm`, running here, from
  /// now on: work done so far counts at the old factor.
  virtual void set_speed(VmCpu& vm, double speed) = 0;
  /// Brings every gauge up to `end` (call before MetricsRegistry::finish).
  virtual void finish(sim::Time end) = 0;
};

/// Effective capacity of a host's cores under hyperthreading, for the entitlement tree.
struct HtCapacity {
  double cores = 0.0;         ///< throughput in cores at nominal frequency
  double thread_speed = 1.0;  ///< speed of a busy thread relative to a whole core
};

/// The hyperthreading rule of the fluid model (docs/models.md "CPU"): with demand (in
/// cores) up to the core count every vCPU has a core to itself; beyond it, k cores run
/// both threads, each core then delivering `ht_factor` (reference A.4), with k the fewest
/// that serve the demand, at most min(lcpus, busy vCPUs) - pcpus.
[[nodiscard]] HtCapacity ht_capacity(int pcpus, int lcpus, double ht_factor, double demand_cores,
                                     int busy_vcpus);

}  // namespace vdc::models::cpu
