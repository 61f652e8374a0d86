#pragma once
/// The fluid CPU model of one host (docs/architecture.md "Two fidelities"): every vCPU's demand is
/// piecewise constant; at each change the host's entitlement tree (shares, reservations,
/// limits, pools; one sim::FairShare per level) gives every VM its rate, the VM splits it
/// equally among its busy vCPUs, and ready and co-stop are estimated (docs/models.md
/// "CPU"). Finite work (tasks) drains at the allocated rate, slowed by the VM's memory
/// progress factor (docs/models.md "Memory slowdown"). The host keeps one pending
/// event, its next completion or demand change (SimGrid's next_occurring_event /
/// update_actions_state), so cost grows with changes, not with simulated time.

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "vdc/models/cpu/entitlement_tree.hpp"
#include "vdc/models/cpu/costop_chain.hpp"
#include "vdc/models/cpu/host_cpu.hpp"
#include "vdc/models/host/numa.hpp"

namespace vdc::models::cpu {

/// Fluid CPU model of one host.
class FluidHostCpu final : public HostCpuModel {
 public:
  /// A host with no VM; gauges are published into `metrics` under `ids`. Co-stop chains
  /// are looked up in `chains` (the run's: one per CPU area), or in the process's shared
  /// cache when none is given.
  FluidHostCpu(sim::Simulator& sim, sim::MetricsRegistry& metrics, const HostConfig& host,
               const CpuParameters& params, const HostCpuMetrics& ids, CostopChainCache* chains = nullptr);
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
  // What an event reads and writes of every vCPU of the host, in one array (clock_) in the
  // order of vms_ and their vCPUs. An event passes over all of it, and a task's end needs
  // nothing else but the generator and the counter: the rest of a vCPU (vcpu_, in the
  // same order) and its VM are read by a solve, which reads nothing of the VM's
  // configuration but its shares in the tree and its burst shapes.
  struct Clock {
    union {
      double work_left = 0.0;  // work-based: ns of work left in the task
      std::int64_t until_ns;   // level-based: next level change (Time::max(): none)
    };
    double work_rate = 0.0;    // work done per ns
    workload::VcpuGenerator* gen = nullptr;
    sim::MetricId tasks = 0;   // its VM's counter of tasks completed
    bool work_based = false;
    bool busy = false;         // work-based: in a task
    [[nodiscard]] sim::Time until() const { return sim::Time::from_ns(until_ns); }
  };
  static_assert(sizeof(Clock) == 32);
  struct Vcpu {
    double level = 0.0;        // demand, fraction of a core of work
    double cpu_cores = 0.0;    // CPU time allocated, cores
    // Its generator's burst shape at shape_level (-1: none yet), kept until the level moves.
    double shape_level = -1.0;
    double shape_burst_ns = 0.0, shape_idle_ns = 0.0;
  };
  // The co-stop chain's input and share a VM last asked for.
  struct ChainMemo {
    CostopChainInput in;
    double share = 0.0;
  };
  struct Vm {
    VmCpu* cfg = nullptr;
    std::uint32_t first = 0;   // its first vCPU's index in clock_ and vcpu_
    std::uint32_t n = 0;       // its vCPUs
    EntitlementTree::NodeId leaf = 0;
    sim::MetricId ids[7] = {};  // its gauges (cfg->metrics), in the order of `shown`
    bool closed_loop = false;  // on_off: idle time follows each burst (BurstShape)
    // CPU time per unit of work: remote NUMA memory (1 + cpu.numa_remote_penalty x the
    // remote fraction) over the memory progress factor cfg->speed.
    double per_work = 1.0;
    double limit_mhz = 0.0;    // cfg->limit_mhz
    host::NumaPlacement numa;
    double alloc_mhz = 0.0;
    double shown[7] = {-1, -1, -1, -1, -1, -1, -1};  // last published gauge values
    std::unique_ptr<ChainMemo> chain;  // none until the VM first asks the chain
  };

  // Vm::per_work of `vm` at memory progress factor `speed`.
  [[nodiscard]] double per_work_at(const Vm& vm, double speed) const {
    return numa_stretch(params_, vm.numa.remote_fraction) / speed;
  }
  [[nodiscard]] std::span<Vcpu> vcpus(const Vm& vm) { return {vcpu_.data() + vm.first, vm.n}; }
  [[nodiscard]] std::span<const Vcpu> vcpus(const Vm& vm) const { return {vcpu_.data() + vm.first, vm.n}; }
  void schedule_refresh();
  void on_event();
  // The ns since the vCPUs were last brought up to date, which they now are at `now`.
  double elapse(sim::Time now);
  void advance(sim::Time now);
  // Brings every vCPU to `now`, ends the tasks due and moves the levels due; returns
  // whether a demand changed, and the earliest next change at the rates of the last solve.
  bool poll_changes(sim::Time now, sim::Time& next);
  // The tasks of vCPU `i` (an index into clock_ and vcpu_) due at `now` end; returns
  // whether its demand changed (no task left).
  bool end_tasks(std::size_t i, sim::Time now);
  // The time `c` is next due at the rates of the last solve (Time::max() for none).
  [[nodiscard]] static sim::Time due(const Clock& c, sim::Time now);
  // Gives each VM its first vCPU's index again after a VM left.
  void index_vcpus();
  void rebuild_tree();
  void solve(sim::Time now);
  void publish_vm(Vm& vm, const double values[7], sim::Time now);
  // vCPU k of `vm` with its generator's burst shape at `level` (computed when it moved).
  const Vcpu& with_shape(const Vm& vm, std::size_t k, double level);
  // Whether every busy vCPU of the host is always runnable, at one run fraction: then the
  // siblings of each VM are dispatched and preempted together and none co-stops.
  [[nodiscard]] bool runnable_in_step(double thread_speed) const;
  // The earliest time a vCPU is due (`due`), over clock_.
  [[nodiscard]] sim::Time next_due(sim::Time now) const;
  // Keeps the host's one pending event at `next`.
  void schedule_at(sim::Time next);
  Vm& find(const VmCpu& vm);
  const Vm& find(const VmCpu& vm) const;

  sim::Simulator& sim_;
  sim::MetricsRegistry& metrics_;
  CpuParameters params_;
  HostCpuMetrics ids_;
  CostopChainCache& chains_;
  double freq_;
  int pcpus_;
  int lcpus_;
  host::NumaBalancer numa_;
  std::vector<PoolSpec> pools_;
  std::vector<Vm> vms_;
  std::vector<Clock> clock_;
  std::vector<Vcpu> vcpu_;
  EntitlementTree tree_;
  bool tree_dirty_ = true;
  bool demand_dirty_ = true;
  sim::Time last_;
  sim::EventId next_;
  sim::Time next_at_ = sim::Time::max();
  std::uint64_t solves_ = 0;
};

}  // namespace vdc::models::cpu
