#include "vdc/models/datacenter.hpp"

#include <algorithm>
#include <optional>

#include "datacenter_run.hpp"
#include "vdc/models/registry.hpp"

namespace vdc::models {

RunResult run_scenario(const ScenarioConfig& scenario, const RunOptions& options) {
  return run_areas(scenario, areas_for(scenario), options);
}

RunResult run_areas(const ScenarioConfig& scenario, std::span<const AreaSpec* const> areas,
                    const RunOptions& options) {
  // A configuration built in code has its ids resolved here; the loader's already has.
  std::optional<ScenarioConfig> resolved;
  if (!scenario.ids_resolved) {
    resolved = scenario;
    resolve_ids(*resolved);
  }
  const ScenarioConfig& config = resolved ? *resolved : scenario;

  RunResult result;
  result.scenario = config.name;
  result.source = config.source;
  result.seed = config.seed;
  result.fidelity = config.fidelity;
  result.sample_interval = config.sample_interval;
  result.metrics = sim::MetricsRegistry(config.sample_interval);
  result.metrics.expect_end(config.duration);

  DatacenterRun run(config, areas, result, options);
  sim::Simulator& sim = run.simulator();
  const sim::Time end = config.duration;

  // Run in spans sized to about progress_every events each, so the stop flag is polled and
  // progress reported that often without a hook in every handler.
  const std::uint64_t per_span = std::max<std::uint64_t>(1, options.progress_every);
  sim::Time span = sim::Time::from_ns(1'000'000);
  // The reports' window starts at the warm-up: once every event before it ran, and before
  // any event at it, the metrics carry their gauges there and restart their accumulators.
  const sim::Time warmup = config.warmup > sim::Time::zero() && config.warmup < end ? config.warmup : sim::Time::zero();
  const sim::Time before_warmup = warmup - sim::Time::from_ns(1);
  bool window_open = warmup == sim::Time::zero();
  while (sim.now() < end) {
    if (options.stop_requested != nullptr && options.stop_requested->load()) {
      result.partial = true;
      break;
    }
    sim::Time target = end - sim.now() > span ? sim.now() + span : end;
    // Skip stretches without events in one step.
    target = std::max(target, std::min(end, sim.next_event_time()));
    if (!window_open) target = std::min(target, before_warmup);
    const std::uint64_t before = sim.events_processed();
    sim.run_until(target);
    if (!window_open && sim.now() == before_warmup) {
      result.metrics.start_window(warmup);
      result.warmup = warmup;
      window_open = true;
    }
    const std::uint64_t ran = sim.events_processed() - before;
    if (ran < per_span / 2 && span < end) {
      span = span * std::int64_t{2};
    } else if (ran > per_span * 2 && span > sim::Time::from_ns(1)) {
      span = span / std::int64_t{2};
    }
    if (options.progress) options.progress(sim.now(), sim.events_processed());
  }
  result.duration = sim.now();
  result.events = sim.events_processed();
  run.finish(result.duration);
  result.metrics.finish(result.duration);
  add_report_sections(result, areas);
  return result;
}

}  // namespace vdc::models
