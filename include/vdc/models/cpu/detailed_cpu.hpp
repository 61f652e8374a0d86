#pragma once
/// The detailed CPU model of one host (docs/architecture.md "Two fidelities"; reference A.1-A.5):
/// each vCPU alternates run bursts and idle gaps from its workload and is scheduled on
/// the host's logical CPUs.
///  - Proportional share: the runnable vCPU whose VM has the least CPU consumed relative to
///    its entitlement runs first (MHzPerShare, reference A.1). A VM's entitlement weight is
///    the larger of its hierarchical fair share with every VM busy (shares, reservations,
///    limits, pools) and its dynamic entitlement for the current demand of every VM. A
///    running vCPU is weighed against waiting ones every quantum, and a waking vCPU
///    preempts the worst running one if its VM is further behind.
///  - Relaxed co-scheduling (reference A.2): per-vCPU progress (running or idle), skew
///    against the slowest sibling, co-stop past cpu.skew_threshold, co-start when the
///    laggards catch up; an idle vCPU accrues no skew of its own.
///  - Hyperthreads (reference A.4): a core with two busy threads delivers cpu.ht_factor of
///    one thread; a whole idle core is preferred, and siblings avoid sharing a core.
///  - NUMA (reference A.5): vCPUs run on their client's home node; remote memory stretches
///    the CPU time a burst needs by 1 + cpu.numa_remote_penalty x remote fraction.
///  - Memory slowdown: a VM's bursts advance at its memory progress factor (VmCpu::speed)
///    times the speed of its logical CPU, so they need 1 / factor more CPU time.
///  - Limits: a VM past its limit is held ready until its credit refills (%MLMTD is part
///    of %RDY, reference A.3).
/// Accounting is exact: per vCPU, run + ready + co-stop + wait equals the time it spent on
/// the host, in integer nanoseconds.

#include <array>
#include <cstdint>
#include <vector>

#include "vdc/models/cpu/entitlement_tree.hpp"
#include "vdc/models/cpu/host_cpu.hpp"
#include "vdc/models/host/numa.hpp"

namespace vdc::models::cpu {

/// Detailed CPU model of one host.
class DetailedHostCpu final : public HostCpuModel {
 public:
  /// A host with no VM; gauges are published into `metrics` under `ids`.
  DetailedHostCpu(sim::Simulator& sim, sim::MetricsRegistry& metrics, const HostConfig& host,
                  const CpuParameters& params, const HostCpuMetrics& ids);
  ~DetailedHostCpu() override;

  void set_pools(std::vector<PoolSpec> pools) override;
  void add_vm(VmCpu& vm) override;
  void remove_vm(VmCpu& vm) override;
  void set_speed(VmCpu& vm, double speed) override;
  void finish(sim::Time end) override;

  /// Nanoseconds one vCPU spent in each state on this host, up to now.
  struct StateTimes {
    std::int64_t run = 0, ready = 0, costop = 0, wait = 0;
  };
  /// State times of vCPU `k` of `vm` (on this host).
  [[nodiscard]] StateTimes vcpu_times(const VmCpu& vm, int k) const;
  /// State times summed over every vCPU that ran on this host, up to now.
  [[nodiscard]] StateTimes total_times() const;
  /// CPU work vCPU `k` of `vm` has done, ns on an uncontended core with local memory.
  [[nodiscard]] double work_done_ns(const VmCpu& vm, int k) const;
  /// NUMA placement of `vm` (on this host).
  [[nodiscard]] const host::NumaPlacement& placement(const VmCpu& vm) const;

  /// Counts for the queueing checks of reference D.
  struct Stats {
    std::uint64_t wakes = 0;        ///< an idle vCPU became runnable
    std::uint64_t waited = 0;       ///< ... and found no idle logical CPU on its node
    std::uint64_t bursts = 0;       ///< run bursts completed
    std::uint64_t preemptions = 0;  ///< a running vCPU gave way to a ready one
    std::uint64_t costops = 0;      ///< vCPUs co-stopped
    std::uint64_t dispatches = 0;   ///< a vCPU was put on a logical CPU
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  enum State : std::uint8_t { run = 0, ready = 1, costop = 2, wait = 3 };

  // Vcpu and Vm are laid out by use, a cache line at a time (hence the alignment).
  struct alignas(64) Vcpu {
    // What co-scheduling reads of every sibling, and the accounting.
    std::uint32_t vm = 0;
    std::uint16_t k = 0;
    State state = wait;
    bool queued = false;     // has a valid entry in its node's ready queue
    bool has_work = false;   // false once the workload has no more bursts
    std::int32_t node = 0;
    std::int32_t lcpu = -1;
    sim::Time since;         // entry into the current state
    std::array<std::int64_t, 4> acc{};
    // The current burst.
    double work_left = 0.0;  // of the current burst, ns of work
    sim::Time run_since;     // last time its work was brought up to date
    double work_done = 0.0;
    sim::Time idle_after;    // idle gap after the current burst
    sim::Time next_start = sim::Time::max();  // periodic arrival of the next burst
    double level = 0.0;      // its workload's demand level, cores of work
    double demand = 0.0;     // the level in CPU time: stretched, at most one core
    std::uint64_t qseq = 0;  // sequence of its valid ready queue entry
    sim::EventId wake;
    sim::Time wake_at;
  };
  struct alignas(64) Vm {
    // Its virtual time (vt()), read for every running vCPU when a woken one looks for a
    // victim, and the state counts.
    double vt_base = 0.0;     // virtual time (ns at its entitlement) at vt_at
    double vt_per_ns = 0.0;   // freq / weight: virtual time per ns of a full-speed vCPU
    double run_speed = 0.0;   // sum of the speeds of its running vCPUs
    sim::Time vt_at;
    std::array<int, 4> count{};
    std::uint32_t first = 0;  // first vCPU in vcpus_
    std::uint32_t n = 0;
    bool live = false;
    bool started = false;     // its vCPUs were started (VMs start at the next refresh)
    bool dirty = false;
    bool throttled = false;
    // cosched_time() as last computed; it moves only when a vCPU changes state (the
    // progress it compares grows at 1 ns per ns or not at all), so it is computed again
    // only then, or when the timer fires.
    bool cosched_stale = true;
    // The gauges (publish()): the ids are cfg->metrics, copied by add_vm.
    VmCpuMetrics ids;
    std::array<int, 4> shown_count{-1, -1, -1, -1};  // counts behind the state gauges
    double demand = 0.0;      // sum of its vCPUs' demand levels, cores
    double dynamic = 0.0;     // entitlement for the current demands, MHz
    std::array<double, 3> shown{-1, -1, -1};  // used, demand and entitlement gauges
    sim::Time cosched_at = sim::Time::max();
    VmCpu* cfg = nullptr;
    double stretch = 1.0;     // CPU time per unit of work: numa_stretch / memory speed
    int demanding = 0;        // vCPUs with a demand
    double limit_rate = 0.0;  // limit in cores; 0: no limit enforced
    double credit = 0.0;      // ns x cores it may still run before the limit bites
    sim::EventId timer;
    sim::Time timer_at = sim::Time::max();  // when `timer` fires; max: none pending
    double static_weight = 1.0;  // entitlement with every VM busy, MHz
    double weight = 1.0;         // max of static_weight and dynamic: the scheduling weight
    EntitlementTree::NodeId leaf = 0;
    host::NumaPlacement numa;
    double numa_stretch = 1.0;  // CPU time per unit of work from remote memory
    sim::Time quantum_end;      // end of the quantum its running siblings share
    sim::Time yielded_at = sim::Time::max();  // when it last yielded at a quantum's end
  };
  struct Lcpu {
    std::int32_t vcpu = -1;
    std::uint32_t vm = 0;     // VM of `vcpu` while it runs
    std::int32_t core = 0;
    std::int32_t node = 0;
    double speed = 1.0;
    sim::Time slice_end = sim::Time::max();
    sim::EventId timer;
    sim::Time timer_at = sim::Time::max();  // when `timer` fires; max: none pending
  };
  // A vCPU's co-scheduling progress (progress()) in a form read without its Vcpu: kept
  // by set_state beside vcpus_, so the entries of a VM's siblings are one or two lines.
  struct CoProgress {
    std::int64_t base = 0;  // progress, less the time now while it progresses (run, wait)
    std::int32_t moving = -1;  // all ones while it progresses, else 0: masks the time now
    State state = wait;
  };
  struct ReadyEntry {
    double key;
    std::uint64_t seq;
    std::uint32_t vcpu;
  };
  struct Node {
    // Ready vCPUs, sorted from the last to run to the next (the best is at the back);
    // entries whose vCPU left the queue since are dropped when they reach the back.
    std::vector<ReadyEntry> ready_queue;
    int ready = 0;            // valid entries in ready_queue
    int first_lcpu = 0;
    int lcpus = 0;
    int first_core = 0;
    int idle = 0;             // logical CPUs running nothing
    int doubled = 0;          // cores with more than one busy thread
    std::vector<std::uint64_t> idle_lcpus;  // bit per logical CPU of the node
    std::vector<std::uint64_t> idle_cores;  // bit per core of the node with no busy thread
    std::uint32_t gang_vm = 0;             // VM of the vCPU last dispatched from the queue ...
    sim::Time gang_at = sim::Time::max();  // ... at this instant
  };

  // Scheduling (models/cpu/detailed_cpu.cpp).
  enum class Quantum : std::uint8_t { fresh, join };
  void start_running(std::uint32_t v, int l, sim::Time now, Quantum quantum = Quantum::fresh);
  int stop_running(std::uint32_t v, State to, sim::Time now);
  void lcpu_freed(int l, sim::Time now);
  void make_runnable(std::uint32_t v, bool from_wait, sim::Time now);
  void dispatch(std::uint32_t v, bool was_idle, bool from_wait, sim::Time now);
  int pick_idle_lcpu(const Node& node, std::uint32_t vm) const;
  void mark_idle(Node& node, int l);
  void mark_busy(Node& node, int l);
  void enqueue(std::uint32_t v, double key);
  std::int64_t pop_best(Node& node);
  const ReadyEntry* peek_best(Node& node);
  void dequeue(std::uint32_t v);
  sim::Time timer_due(int l, sim::Time now) const;
  void arm_timer(int l, sim::Time now);
  void on_lcpu_timer(int l);
  void on_wake(std::uint32_t v);
  void burst_done(std::uint32_t v, sim::Time now);
  enum class Step : std::uint8_t { run, idle, done };
  void go_idle(std::uint32_t v, sim::Time idle, sim::Time now);
  Step next_work(std::uint32_t v, sim::Time now);
  Step draw_work(std::uint32_t v, sim::Time now);
  void take_level(std::uint32_t v, Step step, sim::Time now);
  void start_vcpu(std::uint32_t v, const VcpuProgress& p, sim::Time now);
  std::uint32_t index_of(const VmCpu& vm) const;
  void core_changed(int core);
  void apply_core_speeds(sim::Time now);
  void rebalance_core(int l, sim::Time now);
  void set_state(std::uint32_t v, State s, sim::Time now);
  void set_demand(std::uint32_t v, double cores);
  void settle_vcpu(std::uint32_t v, sim::Time now);
  void settle_vm(Vm& vm, sim::Time now);
  double vt(const Vm& vm, sim::Time now) const;
  // Marks VM `vi` for flush() (its co-scheduling timer, its gauges), once an instant and in
  // the order the VMs were first marked: the order in which their timers are set.
  void mark_changed(std::uint32_t vi) {
    Vm& vm = vms_[vi];
    if (vm.dirty) return;
    vm.dirty = true;
    dirty_.push_back(vi);
  }
  void flush(sim::Time now);
  void publish(Vm& vm, sim::Time now);
  void schedule_refresh();
  void refresh();
  void compute_weights(sim::Time now);
  void set_weight(Vm& vm, sim::Time now);

  // Co-scheduling, siblings together, limits and dynamic entitlements
  // (models/cpu/detailed_costop.cpp).
  std::int64_t progress(std::uint32_t v, sim::Time now) const;
  bool skew_costops(const Vm& vm, std::uint32_t v, sim::Time now) const;
  sim::Time cosched_time(const Vm& vm, sim::Time now) const;
  sim::Time limit_time(const Vm& vm) const;
  void update_vm_timer(std::uint32_t vm, sim::Time now);
  void on_vm_timer(std::uint32_t vm);
  void apply_cosched(std::uint32_t vm, sim::Time now);
  void apply_limit(std::uint32_t vm, sim::Time now);
  void update_entitlements(sim::Time now);
  sim::Time next_quantum_end(Vm& vm, Quantum quantum, int siblings_running, sim::Time now);
  bool yields(std::uint32_t vi, double mine, const ReadyEntry& best_here, sim::Time now);
  std::int64_t pop_next(Node& node, sim::Time now);

  sim::Simulator& sim_;
  sim::MetricsRegistry& metrics_;
  CpuParameters params_;
  HostCpuMetrics ids_;
  double freq_;
  int pcpus_;
  int threads_per_core_;
  host::NumaBalancer numa_;
  std::vector<Node> nodes_;
  std::vector<Lcpu> lcpus_;
  std::vector<int> core_busy_;
  // Cores whose threads came or went at this instant: their speeds are applied at flush().
  std::vector<int> changed_cores_;
  std::vector<Vcpu> vcpus_;
  std::vector<CoProgress> coprogress_;  // by vCPU, as vcpus_
  std::vector<Vm> vms_;
  std::vector<PoolSpec> pools_;
  EntitlementTree tree_;
  std::vector<std::uint32_t> dirty_;
  std::vector<std::uint32_t> starting_;  // VMs added since the last refresh
  bool refresh_pending_ = false;
  sim::EventId refresh_event_;
  std::uint64_t seq_ = 0;
  double host_run_speed_ = 0.0;
  double host_demand_ = 0.0;  // cores
  bool entitlements_dirty_ = false;
  double shown_used_ = -1.0;
  double shown_demand_ = -1.0;
  Stats stats_;
};

}  // namespace vdc::models::cpu
