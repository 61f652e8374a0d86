#pragma once
/// The fluid CPU model of one host (docs/architecture.md "Two fidelities"): every vCPU's demand is
/// piecewise constant; at each change the host's entitlement tree (shares, reservations,
/// limits, pools; one sim::FairShare per level) gives every VM its rate, the VM splits it
/// equally among its busy vCPUs, and ready and co-stop are estimated (docs/models.md
/// "CPU"). Finite work (tasks) drains at the allocated rate, slowed by the VM's memory
/// progress factor (docs/models.md "Memory slowdown"). The host keeps one pending
/// event, its next completion or demand change (SimGrid's next_occurring_event /
/// update_actions_state), so cost grows with changes, not with simulated time.

#include <vector>

#include "vdc/models/cpu/entitlement_tree.hpp"
#include "vdc/models/cpu/costop_chain.hpp"
#include "vdc/models/cpu/host_cpu.hpp"
#include "vdc/models/host/numa.hpp"

namespace vdc::models::cpu {

/// Fluid CPU model of one host.
class FluidHostCpu final : public HostCpuModel {
 public:
  /// A host with no VM; gauges are published into `metrics` under `ids`.
  FluidHostCpu(sim::Simulator& sim, sim::MetricsRegistry& metrics, const HostConfig& host,
               const CpuParameters& params, const HostCpuMetrics& ids);
  ~FluidHostCpu() override;

  void set_pools(std::vector<PoolSpec> pools) override;
  void add_vm(VmCpu& vm) override;
  void remove_vm(VmCpu& vm) override;
  void set_speed(VmCpu& vm, double speed) override;
  void finish(sim::Time end) override;

  /// MHz allocated to `vm` (on this host) by the last solve.
  [[nodiscard]] double allocation_mhz(const VmCpu& vm) const;
  /// NUMA placement of `vm` (on this host).
  [[nodiscard]] const host::NumaPlacement& placement(const VmCpu& vm) const;
  /// Number of entitlement solves so far (each demand change solves once).
  [[nodiscard]] std::uint64_t solves() const { return solves_; }

 private:
  struct Vcpu {
    bool work_based = false;
    bool busy = false;         // work-based: in a task
    double level = 0.0;        // demand, fraction of a core of work
    sim::Time until = sim::Time::max();  // level-based: next level change
    double work_left = 0.0;    // work-based: ns of work left in the task
    double cpu_cores = 0.0;    // CPU time allocated, cores
    double work_rate = 0.0;    // work done per ns
    // Its generator's burst shape at shape_level (-1: none yet), kept until the level moves.
    double shape_level = -1.0;
    double shape_burst_ns = 0.0, shape_idle_ns = 0.0;
  };
  struct Vm {
    VmCpu* cfg = nullptr;
    std::vector<Vcpu> vcpus;
    host::NumaPlacement numa;
    double stretch = 1.0;      // CPU time per unit of work from remote NUMA memory
    bool closed_loop = false;  // on_off: idle time follows each burst (BurstShape)
    EntitlementTree::NodeId leaf = 0;
    double alloc_mhz = 0.0;
    double shown[7] = {-1, -1, -1, -1, -1, -1, -1};  // last published gauge values
    // The co-stop chain's input and share last asked for (share -1: none yet).
    CostopChainInput chain_in;
    double chain_share = -1.0;
  };

  // CPU time per unit of work: remote memory and the memory slowdown.
  [[nodiscard]] static double cpu_per_work(const Vm& vm) { return vm.stretch / vm.cfg->speed; }
  void schedule_refresh();
  void on_event();
  void advance(sim::Time now);
  bool poll_changes(sim::Time now);
  void rebuild_tree();
  void solve(sim::Time now);
  void publish_vm(Vm& vm, const double values[7], sim::Time now);
  // vCPU k of `vm` with its generator's burst shape at `level` (computed when it moved).
  static const Vcpu& with_shape(Vm& vm, std::size_t k, double level);
  // Whether every busy vCPU of the host is always runnable, at one run fraction: then the
  // siblings of each VM are dispatched and preempted together and none co-stops.
  [[nodiscard]] bool runnable_in_step(double thread_speed) const;
  void schedule_next(sim::Time now);
  Vm& find(const VmCpu& vm);
  const Vm& find(const VmCpu& vm) const;

  sim::Simulator& sim_;
  sim::MetricsRegistry& metrics_;
  CpuParameters params_;
  HostCpuMetrics ids_;
  double freq_;
  int pcpus_;
  int lcpus_;
  host::NumaBalancer numa_;
  std::vector<PoolSpec> pools_;
  std::vector<Vm> vms_;
  EntitlementTree tree_;
  bool tree_dirty_ = true;
  bool demand_dirty_ = true;
  sim::Time last_;
  sim::EventId next_;
  sim::Time next_at_ = sim::Time::max();
  std::uint64_t solves_ = 0;
};

}  // namespace vdc::models::cpu
