#pragma once
/// The interface every model area implements (CPU and memory today; network, storage, GPU
/// and cluster next), and what the run driver gives an area to work with. An area is a
/// room of its own: it builds its state from the scenario, registers its metrics, answers
/// whether a VM may run on a host, follows VMs as they power on, power off and migrate and
/// hosts as they fail and return, and closes its metrics at the end. Areas never call each
/// other: what one needs of another travels as a typed event on the run's SignalBus, which
/// the publishing area declares in its header (memory::ProgressChanged, for instance).
/// docs/architecture.md shows the whole path and has the checklist for a new area.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vdc/models/inventory.hpp"
#include "vdc/models/parameters.hpp"
#include "vdc/models/run_result.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/signal.hpp"
#include "vdc/sim/simulator.hpp"

namespace vdc::models {

namespace trace {
class TraceCache;
}

/// A host, by its index in ScenarioConfig::hosts (dense, the same in every area).
using HostId = std::size_t;
/// A VM, by its index in ScenarioConfig::vms (dense, the same in every area).
using VmId = std::size_t;

/// What the driver knows of every host and VM while the run goes on; areas and the
/// placement read it, only the driver writes it.
struct RunState {
  struct HostState {
    bool up = true;
    std::vector<VmId> vms;  ///< powered on here, in order of arrival
  };
  struct VmState {
    bool on = false;
    std::optional<HostId> host;  ///< where it runs; after power-off, where it ran last
  };
  std::vector<HostState> hosts;
  std::vector<VmState> vms;
};

/// Which groups of gauges keep their per-interval series (RunOptions::series_budget_bytes).
class SeriesPlan {
 public:
  SeriesPlan() = default;
  explicit SeriesPlan(std::vector<std::string_view> kept) : kept_(std::move(kept)) {}
  /// True when the gauges of `group` (an AreaSpec::series group name) keep their series.
  [[nodiscard]] bool keeps(std::string_view group) const {
    for (const std::string_view k : kept_) {
      if (k == group) return true;
    }
    return false;
  }

 private:
  std::vector<std::string_view> kept_;
};

/// What an area is built with: the scenario (ids resolved), the engine, the metrics it
/// publishes into, the signals it publishes and observes, the trace files shared by every
/// area (each parsed once), the series it keeps, and the driver's view of the run.
struct AreaContext {
  const ScenarioConfig& config;
  sim::Simulator& sim;
  sim::MetricsRegistry& metrics;
  sim::SignalBus& signals;
  trace::TraceCache& traces;
  const SeriesPlan& series;
  const RunState& state;
};

/// One model area of a run. Hooks run in the order of the areas' dependencies (an area
/// after those it depends on), `finish` in the reverse order.
class Area {
 public:
  virtual ~Area() = default;
  Area() = default;
  Area(const Area&) = delete;
  Area& operator=(const Area&) = delete;

  /// Why `vm` cannot run on `host` now, in words; nothing when it can. Asked after the
  /// placement's own checks (host up, size, reservations); the first refusal stands.
  [[nodiscard]] virtual std::optional<std::string> refusal(VmId vm, HostId host) const;
  /// `vm` starts on `host` (power-on).
  virtual void power_on(VmId vm, HostId host);
  /// `vm` stops (power-off, or its host failed); its workload starts afresh next time.
  virtual void power_off(VmId vm);
  /// A migration in two steps: every area lets `vm` leave `from`, keeping what travels
  /// with it (progress, touched memory), then every area lets it arrive on `to`.
  virtual void depart(VmId vm, HostId from);
  virtual void arrive(VmId vm, HostId to);
  /// `host` failed (its VMs were powered off just before) or returned.
  virtual void host_failed(HostId host);
  virtual void host_restored(HostId host);
  /// Brings every gauge up to `end` and adds what the area knows to the host and VM facts
  /// of `result` (already filled with the driver's).
  virtual void finish(sim::Time end, RunResult& result);
};

/// A metric an area publishes (names in the area's metric header).
struct MetricSpec {
  EntityKind entity = EntityKind::vm;
  std::string_view name;
  std::string_view unit;
  std::string_view help;
};

/// Gauges whose per-interval series are kept together or not at all.
struct SeriesGroup {
  std::string_view name;   ///< "cpu.vm_states", ...
  EntityKind entity = EntityKind::vm;
  std::size_t gauges = 0;  ///< per entity
  /// Lower first: a group keeps its series only if every group of a lower priority does
  /// and the series of all of them fit in the budget (groups of equal priority count as
  /// one).
  int priority = 0;
  /// A gauge of the group: an entity that has it registered kept the group's series when
  /// the gauge has one (what the reports' warnings about dropped series check).
  std::string_view probe;
  std::string_view label;  ///< in those warnings: "CPU state", "memory"
};

/// An area as the registry lists it: its name and variant, what it needs, what it
/// publishes, and how to build it.
struct AreaSpec {
  std::string_view name = {};         ///< "cpu"
  std::string_view variant = {};      ///< "fluid", "detailed"; empty for an area with one model
  std::string_view description = {};  ///< one line, for `vdcsim models`
  std::string_view scenario = {};     ///< the scenario keys that set what it models (`vdcsim describe`)
  std::string_view docs = {};         ///< where it is documented: page and section
  std::span<const std::string_view> depends_on = {};  ///< areas whose hooks run before its own
  std::span<const MetricSpec> metrics = {};
  std::span<const SeriesGroup> series = {};
  /// Its parameters (`vdcsim describe`, the scenario's `parameters:` and `advanced:`);
  /// variants of one area list the same.
  std::span<const ModelParameter> (*parameters)() = nullptr;
  std::unique_ptr<Area> (*make)(const AreaContext& context) = nullptr;
  /// What it contributes to the reports; nullptr: nothing (include/vdc/models/area_report.hpp).
  const AreaReportSpec* report = nullptr;
  /// Whether a run of `config` builds it (a scenario without a network has no network
  /// area, and no network section in its reports); nullptr: every run.
  bool (*runs)(const ScenarioConfig& config) = nullptr;
  /// Whether, in a run of `config`, what it models of one host reads and writes nothing of
  /// another host's (no state, signal or event shared between hosts), it registers metrics
  /// of hosts and VMs only and fills no report table: the driver may then simulate groups
  /// of hosts in engines of their own (docs/architecture.md "Independent hosts").
  /// nullptr: it may couple hosts.
  bool (*host_local)(const ScenarioConfig& config) = nullptr;
};

/// Computes the report section of every area of `areas` that has a description, in their
/// order, into `run.sections` (replacing what was there). `run`'s metrics must be finished;
/// run_areas calls it, and so can a test that builds a RunResult by hand.
void add_report_sections(RunResult& run, std::span<const AreaSpec* const> areas);

/// Where VMs go and what they reserve: the candidate hosts of a power-on, the checks the
/// host itself makes (up, wide enough, room for the reservations in the host, cluster and
/// resource pools) and the reservation ledgers. The cluster area replaces the provisional
/// least-loaded rule by implementing this interface (DRS placement, HA admission control).
class Placement {
 public:
  virtual ~Placement() = default;
  Placement() = default;
  Placement(const Placement&) = delete;
  Placement& operator=(const Placement&) = delete;

  /// Hosts to try for powering `vm` on, the preferred first.
  [[nodiscard]] virtual std::vector<HostId> candidates(VmId vm) const = 0;
  /// Why `vm` may not run on `host`, in words; nothing when it may. Changes nothing.
  [[nodiscard]] virtual std::optional<std::string> refusal(VmId vm, HostId host) const = 0;
  /// Takes `vm`'s reservations on `host` (after every refusal came back empty).
  virtual void charge(VmId vm, HostId host) = 0;
  /// Gives back what charge took.
  virtual void release(VmId vm) = 0;
  /// `host` went down or came back: its capacity leaves or rejoins the ledgers.
  virtual void set_host_up(HostId host, bool up) = 0;
};

/// The provisional placement until the cluster area lands: a VM's own host, or the least
/// loaded host (vCPUs per core) of its cluster or of all hosts; reservations admitted
/// through the resource-pool tree (include/vdc/models/admission.hpp).
[[nodiscard]] std::unique_ptr<Placement> make_least_loaded_placement(const ScenarioConfig& config,
                                                                    const RunState& state);

}  // namespace vdc::models
