#pragma once
/// The memory model of a whole run: one HostMemory per host, stepped by the engine every
/// Mem.BalancePeriod of that host while something moves it, publishing into
/// sim::MetricsRegistry under the names of vdc/models/metric_names.hpp and telling the CPU
/// model when a VM's progress factor moves.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vdc/models/inventory.hpp"
#include "vdc/models/memory/host_memory.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/simulator.hpp"

namespace vdc::models::memory {

/// A VM powered on in a MemoryModel: the host it runs on and its handle there.
struct VmRef {
  std::uint32_t host = 0;  ///< index returned by MemoryModel::add_host
  VmHandle vm = 0;         ///< handle on that host
  friend bool operator==(VmRef, VmRef) = default;
};

/// Result of MemoryModel::power_on.
struct ModelPowerOn {
  std::optional<VmRef> vm;  ///< set when admitted
  std::string refusal;      ///< why not, when refused (admission control, reference B.1.9)
};

/// Memory of every host of a run, driven by a sim::Simulator: each host steps every
/// Mem.BalancePeriod and, in between, when its free memory crosses the next lower state
/// threshold (HostMemory::next_threshold_crossing). A host whose step leaves it dormant
/// (HostMemory::dormant: further steps would change nothing) is not stepped again until a
/// VM powers on or off there, a working set or a pool moves; it then resumes at the next
/// instant of its Mem.BalancePeriod grid, as if it had been stepped all along. So a
/// settled host costs nothing, however long the run.
///
/// Driver order: construct; add_host() for every host (at time zero, or when a host joins);
/// power_on() each VM when it starts, power_off() when it stops or leaves (a migration is
/// power_off on the source, then power_on on the destination with its touched memory);
/// between events, progress_factor() gives the CPU model each VM's slowdown, and the
/// listener reports changes; call finish() once at the end, before MetricsRegistry::finish.
/// The model's pending events point to it: it must outlive every run of the simulator.
class MemoryModel {
 public:
  /// Index of a host, dense from 0 in order of add_host.
  using HostId = std::uint32_t;
  /// Called after a step for each VM whose progress factor moved by more than
  /// memory.progress_notify_delta since it was last reported.
  using ProgressListener = std::function<void(VmRef vm, double progress)>;

  /// A model on `sim` with the scenario's model parameters (ScenarioConfig::parameters);
  /// `metrics`, when given, receives the gauges of every host and VM.
  MemoryModel(sim::Simulator& sim, std::map<std::string, double> model_parameters,
              sim::MetricsRegistry* metrics = nullptr);
  MemoryModel(const MemoryModel&) = delete;
  MemoryModel& operator=(const MemoryModel&) = delete;

  /// Adds a host (its advanced settings apply to it alone) and schedules its steps every
  /// Mem.BalancePeriod from now (while it is not dormant).
  HostId add_host(const HostConfig& host);

  /// Sets the resource pools of `host` (HostMemory::set_pools), before any VM is powered
  /// on there in one of them.
  void set_pools(HostId host, std::vector<MemoryPool> pools);

  /// Changes the limit of pool `pool` on `host` (HostMemory::set_pool_limit).
  void set_pool_limit(HostId host, PoolSlot pool, double limit_mib);

  /// A VM's gauges, in metric::vm_memory_gauges order.
  using VmGaugeIds = std::array<sim::MetricId, metric::vm_memory_gauges.size()>;

  /// Powers `vm` on `host` at sim.now(), after admission control; `touched_mib` is memory
  /// the guest has already touched (a migrated VM), 0 for a boot; `pool` is its pool's
  /// slot in the host's set_pools() list, or no_pool. `gauges` are the VM's gauges when the
  /// caller registered them (a run registers them once, not at every power-on); without
  /// them they are looked up by the VM's name.
  ModelPowerOn power_on(HostId host, const VmConfig& vm, double touched_mib = 0.0,
                        double touch_target_mib = 0.0, PoolSlot pool = no_pool,
                        const VmGaugeIds* gauges = nullptr);

  /// Memory of a powered-on VM at sim.now() (its host brought up to now first): what a
  /// migration reads before the VM leaves.
  [[nodiscard]] VmMemoryStats vm_stats_now(VmRef vm);

  /// Powers a VM off at sim.now(); its gauges drop to 0.
  void power_off(VmRef vm);

  /// Sets the active memory (working set) of a powered-on VM at sim.now()
  /// (HostMemory::set_active): a memory trace's sample. Its gauges and progress factor
  /// are published at once; the host reallocates at its next step.
  void set_active(VmRef vm, double active_mib);

  /// CPU progress factor in (0, 1] of a powered-on VM (1 for one that is not).
  [[nodiscard]] double progress_factor(VmRef vm) const;

  /// Sets the listener of progress-factor changes (replaces any previous one).
  void set_progress_listener(ProgressListener listener) { listener_ = std::move(listener); }

  /// Brings every host to sim.now() (time in state, touched memory) and publishes.
  void finish();

  /// The memory of a host (stats, time in state, minFree).
  [[nodiscard]] const HostMemory& host(HostId id) const { return hosts_[id].memory; }
  /// Number of hosts.
  [[nodiscard]] std::size_t host_count() const { return hosts_.size(); }
  /// Steps taken so far on host `id` (periodic and threshold crossings).
  [[nodiscard]] std::uint64_t steps(HostId id) const { return hosts_[id].steps; }
  /// True while host `id` has a step scheduled (it is not dormant, or was woken since).
  [[nodiscard]] bool awake(HostId id) const { return hosts_[id].periodic_at != sim::Time::max(); }

 private:
  static constexpr std::size_t host_gauges = metric::host_memory_gauges.size();
  static constexpr std::size_t vm_gauges = metric::vm_memory_gauges.size();
  static_assert(host_gauges == 7 + host_state_count, "publish_host: seven amounts, then states");

  struct VmSlot {
    VmGaugeIds gauges{};
    std::array<double, vm_gauges> published{};  // last values set, so unchanged ones cost nothing
    double reported_progress = 1.0;
  };
  struct HostSlot {
    HostMemory memory;
    std::array<sim::MetricId, host_gauges> gauges{};
    std::array<double, host_gauges> published{};
    std::vector<VmSlot> vms;  // by VmHandle
    sim::Time origin;         // the Mem.BalancePeriod grid: origin + k periods, k >= 1
    sim::Time next_periodic;  // time of the next Mem.BalancePeriod step (grid)
    sim::Time periodic_at = sim::Time::max();  // the pending periodic step; max: dormant
    sim::EventId crossing;    // pending threshold-crossing step, if any
    sim::Time crossing_at = sim::Time::max();
    std::uint64_t steps = 0;  // steps taken
    bool settled = false;     // dormant at its last step, and published since
  };

  void on_periodic(HostId id);
  void wake(HostId id, bool this_instant_stepped);
  void on_crossing(HostId id);
  void after_change(HostId id);
  void notify_progress(VmRef vm);
  void schedule_crossing(HostId id);
  void publish_host(HostId id);
  void publish_vm(HostId id, VmHandle vm);
  void publish_vm(VmSlot& slot, const std::array<double, vm_gauges>& values, double delta);
  void set(sim::MetricId id, double& published, double value, double delta);

  sim::Simulator& sim_;
  std::map<std::string, double> model_parameters_;
  sim::MetricsRegistry* metrics_;
  std::vector<HostSlot> hosts_;
  ProgressListener listener_;
};

}  // namespace vdc::models::memory
