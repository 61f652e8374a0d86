#pragma once
// The run driver (internal to models/): a mediator that builds the areas a scenario needs
// from the registry, keeps the state of hosts and VMs, asks the placement and the areas
// where a VM may run, tells every area when VMs power on, power off and migrate and when
// hosts fail and return, runs the scenario's events, and closes the run. It knows no
// model: what one area needs of another travels on the SignalBus.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vdc/models/area.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models {

/// Decides which series groups keep their per-interval series: groups in order of
/// priority (equal priorities together), each kept while every group before it is and the
/// series of all of them fit in `budget_bytes` (8 bytes per gauge per sample interval).
[[nodiscard]] SeriesPlan plan_series(const ScenarioConfig& config, std::span<const AreaSpec* const> areas,
                                     std::size_t budget_bytes);

/// One run of a scenario.
class DatacenterRun {
 public:
  /// Builds the areas (`areas` in the registry's order, ids of `config` resolved) into
  /// `result.metrics`, the series `options` asks for, and powers on the VMs that start on.
  DatacenterRun(const ScenarioConfig& config, std::span<const AreaSpec* const> areas, RunResult& result,
                const RunOptions& options);
  /// The same with the series kept decided already (plan_series of the whole scenario,
  /// for one engine of a run split by hosts).
  DatacenterRun(const ScenarioConfig& config, std::span<const AreaSpec* const> areas, RunResult& result,
                const RunOptions& options, SeriesPlan series);
  ~DatacenterRun();
  DatacenterRun(const DatacenterRun&) = delete;
  DatacenterRun& operator=(const DatacenterRun&) = delete;

  /// The engine driving the run.
  sim::Simulator& simulator() { return sim_; }
  /// Closes the areas at `end` and fills the host and VM facts of the result.
  void finish(sim::Time end);

 private:
  void power_on(VmId vm);
  void power_off(VmId vm);
  void migrate(VmId vm, HostId to);
  void fail_host(HostId host);
  void restore_host(HostId host);
  [[nodiscard]] std::optional<std::string> refusal(VmId vm, HostId host) const;
  void schedule_events();

  const ScenarioConfig& config_;
  RunResult& result_;
  sim::Simulator sim_;
  sim::SignalBus signals_;
  trace::TraceCache traces_;  // each trace file parsed once; outlives the areas' cursors
  RunState state_;
  SeriesPlan series_;
  std::unique_ptr<Placement> placement_;
  std::vector<std::unique_ptr<Area>> areas_;  // built in the registry's order
  std::vector<Area*> order_;                  // hooks: every area after those it depends on
  std::vector<std::optional<std::string>> admission_;  // per VM: why its last power-on failed
};

}  // namespace vdc::models
