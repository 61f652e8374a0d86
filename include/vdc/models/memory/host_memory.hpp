#pragma once
/// The memory of one ESXi host as a fluid model: per-VM quantities in MiB (touched,
/// shared, ballooned, compressed, swapped), advanced in steps of Mem.BalancePeriod. It
/// follows shared/reference/cpu-memory-cluster.md section B; docs/memory.md explains every
/// rule, the state machine, the order of techniques and the slowdown cost model.

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vdc/models/inventory.hpp"
#include "vdc/models/memory/memory_parameters.hpp"
#include "vdc/models/memory/memory_rules.hpp"
#include "vdc/sim/fair_share.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::models::memory {

/// Identifies a VM powered on on one HostMemory (never reused by that host).
using VmHandle = std::uint32_t;

/// Index of a resource pool in a HostMemory's pool list (HostMemory::set_pools).
using PoolSlot = std::int32_t;
/// "Directly under the host": a VM in no pool, or a pool at the top of the tree.
inline constexpr PoolSlot no_pool = -1;

/// A resource pool as one host's memory sees it (docs/memory.md "Resource pools").
struct MemoryPool {
  PoolSlot parent = no_pool;  ///< the parent pool's slot (a lower one), or no_pool
  double shares = 0.0;        ///< memory shares among its siblings (reference A.1)
  /// Cap on the memory granted to the VMs of its subtree on this host together, MiB.
  double limit_mib = std::numeric_limits<double>::infinity();
};

/// Memory of one VM at an instant, MiB (esxtop names in brackets).
struct VmMemoryStats {
  double configured_mib = 0.0;   ///< configured memory
  double touched_mib = 0.0;      ///< memory the guest has written so far (first touch)
  double touch_target_mib = 0.0; ///< what first touch heads for: the largest working set seen
  double granted_mib = 0.0;      ///< guest memory backed by host memory [GRANT]
  double active_mib = 0.0;       ///< the guest's working set (workload active, up to touched)
  double shared_mib = 0.0;       ///< guest memory backed by shared pages [SHRD]
  double balloon_mib = 0.0;      ///< balloon size [MCTLSZ]
  double compressed_mib = 0.0;   ///< guest memory held in the compression cache [ZIP]
  double swapped_mib = 0.0;      ///< guest memory in host swap [SWCUR]
  double consumed_mib = 0.0;     ///< host memory used for the VM, overhead included
  double target_mib = 0.0;       ///< share-based target of this step, host MiB (inf: none)
  double overhead_mib = 0.0;     ///< static overhead (reference B.7)
  double swap_file_mib = 0.0;    ///< .vswp size: configured - reservation (reference B.7)
  double active_fraction = 0.0;  ///< sampled active fraction used by the idle tax
  double progress = 1.0;         ///< CPU progress factor in (0, 1]
};

/// Memory of the host at an instant, MiB.
struct HostMemoryStats {
  double capacity_mib = 0.0;      ///< host memory
  double min_free_mib = 0.0;      ///< minFree (reference B.2)
  double free_mib = 0.0;          ///< capacity - consumed
  double reserved_mib = 0.0;      ///< reservations plus overheads of powered-on VMs
  HostState state = HostState::high;
  double granted_mib = 0.0;       ///< sum of the VMs' granted
  double consumed_mib = 0.0;      ///< host memory used by VMs, overheads and compression caches
  double shared_saved_mib = 0.0;  ///< host memory saved by TPS
  double balloon_mib = 0.0;       ///< sum of balloons
  double compressed_mib = 0.0;    ///< sum of compressed guest memory
  double swapped_mib = 0.0;       ///< sum of swapped guest memory
};

/// Result of a power-on: the handle when admitted, else why not.
struct PowerOnResult {
  VmHandle vm = 0;        ///< valid when admitted()
  std::string refusal;    ///< empty when admitted
  /// True if the VM was admitted and is running.
  [[nodiscard]] bool admitted() const { return refusal.empty(); }
};

/// One host's memory model. Usage: power_on() VMs, call step() every balance_period()
/// (the first one period after construction) and also at next_threshold_crossing() when
/// that comes first; read stats and progress_factor() in between; power_on()/power_off()
/// may come at any time. Cost of a step: O(VMs on the host), plus an O(n log n) share
/// solve in the steps that reclaim or give back memory; O(1) once the host is quiet().
/// The steps of a dormant() host may be left out until the next power_on(), power_off(),
/// set_active(), set_pools() or set_pool_limit(): they would change nothing.
class HostMemory {
 public:
  /// A host with `host.memory_mib` MiB of memory and `params` (see resolve_parameters),
  /// whose clock starts at `start`. `host.cpu.capacity_mhz()` sets the TPS scan budget.
  HostMemory(const HostConfig& host, const MemoryParams& params, sim::Time start = {});

  /// Why `vm` would be refused power-on now, or std::nullopt if it fits: its memory
  /// reservation plus overhead must fit in the unreserved host memory (reference B.1.9):
  /// "memory reservation 2000 MiB plus overhead 33.48 MiB exceeds unreserved 2014.52 MiB
  /// in host esx01", the form of the resource pools' refusals (models/admission.hpp).
  [[nodiscard]] std::optional<std::string> admission_refusal(const VmConfig& vm) const;

  /// Powers `vm` on at `now` (>= the last step) after admission control. The guest starts
  /// with `touched_mib` already touched (0 for a boot; a migrated VM brings its touched
  /// memory) and touches the rest at memory.touch_rate_mib_per_s, up to its workload's
  /// touched fraction or `touch_target_mib` if larger (a migrated VM's touch target).
  /// `pool` is its resource pool's slot in the list of set_pools(), or no_pool.
  PowerOnResult power_on(const VmConfig& vm, sim::Time now, double touched_mib = 0.0,
                         double touch_target_mib = 0.0, PoolSlot pool = no_pool);

  /// Sets the resource pools of this host, every parent before its children, before any
  /// VM is powered on in one. A pool's memory shares divide contention among its siblings
  /// and its limit caps its subtree's granted memory (docs/memory.md "Resource pools").
  /// A host without pools, or whose VMs are in none, reclaims exactly as without them.
  void set_pools(std::vector<MemoryPool> pools);

  /// Changes the limit of pool `pool` (a cluster pool's part on this host moves as its
  /// VMs come and go); enforced from the next step.
  void set_pool_limit(PoolSlot pool, double limit_mib);

  /// The resource pools of this host, as set_pools() gave them.
  [[nodiscard]] std::span<const MemoryPool> pools() const { return pools_; }

  /// Powers a VM off at `now`: its memory, reservation and swap file are released.
  void power_off(VmHandle vm, sim::Time now);

  /// Sets the guest's active memory (working set) of a powered-on VM to `active_mib` at
  /// `now` (>= the last step), replacing its workload's active fraction; a memory trace
  /// calls it at each sample. The value is capped at the VM's memory. Touched memory never
  /// shrinks and grows to cover the working set: the guest writes what it uses, at
  /// memory.touch_rate_mib_per_s. Pages that become active or idle are drawn in proportion
  /// from where the guest's idle or active pages are (resident, compressed, swapped), so a
  /// rising working set faults compressed and swapped pages back in (docs/memory.md,
  /// "Changing demand"). Reallocation waits for the next step, which solves the targets
  /// again even when free memory needs nothing, so balloons follow the new weights.
  void set_active(VmHandle vm, double active_mib, sim::Time now);

  /// Advances to `now` (>= now()) and reallocates memory: call every balance_period() and
  /// at next_threshold_crossing().
  void step(sim::Time now);

  /// Advances the continuous quantities (first touch, TPS scanning, large-page breaking,
  /// fault-in, time in state) to `now` without reallocating; step() and power_on/off call
  /// it, and a driver calls it once at the end of a run.
  void advance(sim::Time now);

  /// When free memory, drained by first touch and by active pages faulting back in at
  /// their current rates, falls below the threshold of the next lower state; Time::max()
  /// if it does not. ESXi reallocates on such a transition as well as every
  /// Mem.BalancePeriod (reference B.1.10), so a driver also steps the host then.
  [[nodiscard]] sim::Time next_threshold_crossing() const;

  /// CPU progress factor in (0, 1] of a powered-on VM: what the CPU model multiplies into
  /// its rate (docs/memory.md, "Fault-in and slowdown"); changes at steps and at
  /// set_active().
  [[nodiscard]] double progress_factor(VmHandle vm) const;

  /// True if `vm` is powered on here.
  [[nodiscard]] bool has_vm(VmHandle vm) const;
  /// The powered-on VMs, in an order that changes when one powers off.
  [[nodiscard]] std::span<const VmHandle> vms() const { return handles_; }
  /// Memory of a powered-on VM.
  [[nodiscard]] VmMemoryStats vm_stats(VmHandle vm) const;
  /// What a driver publishes of a powered-on VM, as vm_stats() gives it, in this order:
  /// granted, active, shared, balloon, compressed, swapped (MiB).
  [[nodiscard]] std::array<double, 6> vm_amounts(VmHandle vm) const { return amounts(vm_of(vm)); }
  /// Calls `f(handle, amounts, progress)` for every powered-on VM, in vms() order, with
  /// what vm_amounts() and progress_factor() give: what a driver publishes after a step,
  /// without looking each VM up by its handle.
  template <class F>
  void for_each_vm(F&& f) const {
    for (const Vm& v : vms_) f(v.handle, amounts(v), v.progress);
  }
  /// Memory of the host.
  [[nodiscard]] HostMemoryStats stats() const;

  /// Current memory state.
  [[nodiscard]] HostState state() const { return state_; }
  /// Time spent in `state` since construction, up to the last advance.
  [[nodiscard]] sim::Time time_in(HostState state) const {
    return state_time_[static_cast<std::size_t>(state)];
  }
  /// minFree, MiB (reference B.2).
  [[nodiscard]] double min_free_mib() const { return min_free_; }
  /// State thresholds in MiB, in HostState order.
  [[nodiscard]] const std::array<double, host_state_count>& thresholds_mib() const {
    return thresholds_;
  }
  /// Host memory not yet reserved by powered-on VMs (reservation + overhead), MiB.
  [[nodiscard]] double unreserved_mib() const { return capacity_ - reserved_; }
  /// Mem.BalancePeriod: the interval between step() calls.
  [[nodiscard]] sim::Time balance_period() const { return period_; }
  /// Time of the last advance.
  [[nodiscard]] sim::Time now() const { return last_; }
  /// True when the last step changed nothing and nothing is under way (no first touch,
  /// no fault-in, TPS and the active-memory averages settled): then steps cost O(1) and
  /// every quantity stays as it is until a power-on or power-off.
  [[nodiscard]] bool quiet() const { return quiet_; }
  /// True when further steps would change nothing until a change from outside (a power-on
  /// or power-off, a working set, the pools): the host is quiet(), or its last step
  /// changed nothing, nothing is under way and that step solved no targets, so only the
  /// active-memory averages still move, and nothing reads them before such a change. The
  /// averages then take the samples they missed at the next advance (the same values, as
  /// the sample does not move), and a driver need not step the host until that change.
  [[nodiscard]] bool dormant() const { return quiet_ || coasting_; }
  /// The parameters in force.
  [[nodiscard]] const MemoryParams& params() const { return params_; }

 private:
  static constexpr double inf = std::numeric_limits<double>::infinity();

  /// Per-VM state: 30 doubles and three 32-bit integers, 256 bytes (docs/memory.md).
  struct Vm {
    // Configuration, fixed at power-on.
    double mem;          // configured memory M
    double reservation;  // R
    double limit;        // granted memory cap (inf when unlimited)
    double shares;       // S (5/10/20 per MiB or custom)
    double overhead;     // static overhead
    double touch_max;    // touched fraction x M
    double active_max;   // active fraction x M
    double zero_frac;    // zero pages, fraction of touched
    double image_frac;   // pages identical across the guest image, fraction of touched
    double zip_frac;     // pages that compress to <= 2 KB, fraction of touched
    double balloon_max;  // reference B.5 cap
    double zip_max;      // guest MiB that fit in the compression cache
    // State.
    double touched;        // written so far
    double small;          // content backed by 4 KB pages (all of it without large pages)
    double zero_shared;    // zero-page content collapsed by TPS
    double image_scanned;  // image content hashed by TPS (shared once another VM has it)
    double balloon;
    double zip;            // compressed content
    double zip_active;     // of which active
    double swap;           // host-swapped content
    double swap_active;    // of which active
    double f_fast;         // fast EWMA of the active fraction
    double f_slow;         // slow EWMA
    double target;         // host MiB target of this step's solve (inf: none)
    // Derived by account().
    double content;        // guest-resident content: min(touched, M - balloon)
    double image_shared;   // image content on pages shared with another VM
    double frame_share;    // this VM's part of its group's shared image frames
    double host_mib;       // host memory for guest content (P of the idle tax)
    double active_now;     // resident active / granted, the current sample
    double progress;       // CPU progress factor
    std::int32_t group;    // TPS sharing group, -1 for intra-VM only
    PoolSlot pool;         // resource pool, no_pool when directly under the host
    VmHandle handle;
  };

  /// Aggregates of a pool's subtree during one solve over the pool tree.
  struct PoolScratch {
    double demand = 0.0, floor = 0.0, held = 0.0, held_active = 0.0, granted = 0.0;
    double allocation = 0.0;
    bool in = false;      // in the subtree being solved
    bool has_vm = false;  // a VM of the subtree is on the host
  };

  /// Image-sharing group of VMs with equal share_group_key (kept when empty: few exist).
  struct Group {
    std::string key;
    // Scratch of account(): the two largest image_scanned and the sum of image_shared.
    double first = 0.0, second = 0.0, shared_sum = 0.0;
  };

  /// Which reclamation technique a solve serves.
  enum class Technique { balloon, zip_swap };

  // host_memory.cpp: bookkeeping, continuous quantities, accounting.
  Vm& vm_of(VmHandle vm);
  const Vm& vm_of(VmHandle vm) const;
  void grow(double dt);
  void sample(std::int64_t samples);
  [[nodiscard]] bool at_rest() const { return !under_way() && averages_settled(); }
  [[nodiscard]] bool under_way() const;
  [[nodiscard]] bool averages_settled() const;
  void account();
  void update_state();
  [[nodiscard]] double granted(const Vm& v) const { return v.content - v.zip - v.swap; }
  [[nodiscard]] double active(const Vm& v) const { return std::min(v.active_max, v.touched); }
  [[nodiscard]] std::array<double, 6> amounts(const Vm& v) const {
    return {granted(v), active(v), v.zero_shared + v.image_shared, v.balloon, v.zip, v.swap};
  }

  // host_memory_reclaim.cpp: reallocation at each step.
  bool rebalance();
  bool reallocate();
  bool enforce_limits();
  bool cap_granted(Vm& v, double cap);
  bool enforce_pool_limits();
  void solve_tree(PoolSlot top, double capacity, bool cap_pools);
  void resize_tree_scratch();
  void set_tree_consumer(std::size_t i, double weight, double demand, double floor);
  [[nodiscard]] double tax_factor(double f) const { return f + tax_k_ * (1.0 - f); }
  [[nodiscard]] double active_estimate(const Vm& v) const {
    return std::max({v.f_fast, v.f_slow, v.active_now});
  }
  [[nodiscard]] bool ballooned() const;
  bool redistribute();
  bool reclaim(double need, Technique technique);
  bool restore(double surplus);
  bool begin_solve(double capacity);
  void set_consumer(std::size_t i, bool rebuild, double weight, double demand, double floor);
  [[nodiscard]] double regain_mib(const Vm& v) const;
  [[nodiscard]] double weight(const Vm& v) const;
  [[nodiscard]] double balloon_gain_max(const Vm& v) const;
  [[nodiscard]] double zip_swap_gain(const Vm& v, double pages) const;
  [[nodiscard]] double shareable_frac(const Vm& v) const;
  [[nodiscard]] double zip_swap_eligible(const Vm& v) const;
  bool inflate_to(Vm& v, double content);
  bool zip_swap_pages(Vm& v, double pages);
  bool zip_swap_for_gain(Vm& v, double gain);
  bool give_back(Vm& v, double grant);
  void shrink_content(Vm& v, double new_content);

  MemoryParams params_;
  std::string host_name_;
  double capacity_;
  double min_free_;
  std::array<double, host_state_count> thresholds_;
  double scan_budget_mib_s_;  // Mem.ShareScanGHz x host GHz
  double tax_k_;              // 1 / (1 - tau)
  sim::Time period_;
  sim::Time sample_period_;
  sim::Time last_;
  sim::Time next_sample_;
  HostState state_ = HostState::high;
  std::array<sim::Time, host_state_count> state_time_{};
  double reserved_ = 0.0;
  double consumed_ = 0.0;
  double free_;
  double drain_mib_s_ = 0.0;  // rate at which touch and fault-in consume free memory
  double scan_demand_mib_s_ = 0.0;  // sum over VMs of configured memory / Mem.ShareScanTime
  bool quiet_ = false;
  bool coasting_ = false;  // nothing under way, and the last step neither changed nor solved
  bool solved_ = false;    // the current step solved targets (they read the averages)
  bool redistribute_ = false;  // a working set moved: re-solve the targets until they stand
  std::vector<Vm> vms_;
  std::vector<VmHandle> handles_;       // parallel to vms_
  std::vector<std::uint32_t> slot_of_;  // handle -> index in vms_, npos when off
  std::vector<Group> groups_;
  sim::FairShare solver_;     // one consumer per VM, in vms_ order
  bool solver_dirty_ = true;  // VMs added, removed or reordered since the last solve
  // Resource pools (set_pools); solves go through the tree while a VM is in one.
  std::vector<MemoryPool> pools_;
  std::size_t pooled_vms_ = 0;  // powered-on VMs in a pool
  // Scratch of solve_tree: per VM (vms_ order) weight, demand, floor in, allocation out;
  // per pool its aggregates; per node (0 the top, pool p at p + 1) its children.
  std::vector<double> tree_weight_, tree_demand_, tree_floor_, tree_alloc_;
  std::vector<PoolScratch> pool_scratch_;
  std::vector<std::vector<std::uint32_t>> child_vms_, child_pools_;
  sim::FairShare tree_solver_;
};

}  // namespace vdc::models::memory
