#include "vdc/models/datacenter.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "datacenter_run.hpp"
#include "engine_threads.hpp"
#include "host_ranges.hpp"
#include "vdc/models/registry.hpp"

namespace vdc::models {

namespace {

#if defined(__GLIBC__)
void trim_glibc() { malloc_trim(0); }
#endif

/// set_memory_release's hooks. Under glibc, the engines' models are gone and glibc keeps
/// what they freed mapped, while the merge allocates the whole run's metric arrays afresh:
/// without giving it back first, the merge would raise the run's peak by about an eighth
/// (bench/README.md, "fifth pass").
MemoryRelease& memory_release() {
#if defined(__GLIBC__)
  static MemoryRelease hooks{nullptr, nullptr, &trim_glibc};
#else
  static MemoryRelease hooks;
#endif
  return hooks;
}

/// A run's result before it runs: what the scenario says of it, and its registry.
RunResult new_result(const ScenarioConfig& config) {
  RunResult result;
  result.scenario = config.name;
  result.source = config.source;
  result.seed = config.seed;
  result.fidelity = config.fidelity;
  result.sample_interval = config.sample_interval;
  result.metrics = sim::MetricsRegistry(config.sample_interval);
  result.metrics.expect_end(config.duration);
  return result;
}

/// One engine of a run: its driver and the result it writes into.
struct Engine {
  DatacenterRun* run;
  RunResult* result;
};

/// Simulates the engines in lock-step from time 0 to `end` (or until a stop is requested),
/// each span on every engine at once, opens the reports' window at `warmup_at` and closes
/// them at the same time.
void simulate(sim::Time end, sim::Time warmup_at, std::span<const Engine> engines, const RunOptions& options,
              EngineThreads* threads) {
  // Runs work(i) for every engine, on its thread when it has one.
  const auto each = [&](const std::function<void(std::size_t)>& work) {
    if (threads != nullptr) {
      threads->run(work);
    } else {
      for (std::size_t i = 0; i < engines.size(); ++i) work(i);
    }
  };
  const auto now = [&] { return engines[0].run->simulator().now(); };
  const auto events = [&] {
    std::uint64_t n = 0;
    for (const Engine& e : engines) n += e.run->simulator().events_processed();
    return n;
  };
  // Run in spans sized to about progress_every events each, so the stop flag is polled and
  // progress reported that often without a hook in every handler.
  const std::uint64_t per_span = std::max<std::uint64_t>(1, options.progress_every);
  sim::Time span = sim::Time::from_ns(1'000'000);
  // The reports' window starts at the warm-up: once every event before it ran, and before
  // any event at it, the metrics carry their gauges there and restart their accumulators.
  const sim::Time warmup = warmup_at > sim::Time::zero() && warmup_at < end ? warmup_at : sim::Time::zero();
  const sim::Time before_warmup = warmup - sim::Time::from_ns(1);
  bool window_open = warmup == sim::Time::zero();
  bool partial = false;
  while (now() < end) {
    if (options.stop_requested != nullptr && options.stop_requested->load()) {
      partial = true;
      break;
    }
    sim::Time target = end - now() > span ? now() + span : end;
    // Skip stretches without events in one step.
    sim::Time next = sim::Time::max();
    for (const Engine& e : engines) next = std::min(next, e.run->simulator().next_event_time());
    target = std::max(target, std::min(end, next));
    if (!window_open) target = std::min(target, before_warmup);
    const std::uint64_t before = events();
    each([&](std::size_t i) { engines[i].run->simulator().run_until(target); });
    if (!window_open && now() == before_warmup) {
      for (const Engine& e : engines) {
        e.result->metrics.start_window(warmup);
        e.result->warmup = warmup;
      }
      window_open = true;
    }
    const std::uint64_t ran = events() - before;
    if (ran < per_span / 2 && span < end) {
      span = span * std::int64_t{2};
    } else if (ran > per_span * 2 && span > sim::Time::from_ns(1)) {
      span = span / std::int64_t{2};
    }
    if (options.progress) options.progress(now(), events());
  }
  const sim::Time reached = now();
  each([&](std::size_t i) {
    const Engine& e = engines[i];
    e.result->partial = partial;
    e.result->duration = reached;
    e.result->events = e.run->simulator().events_processed();
    e.run->finish(reached);
    e.result->metrics.finish(reached);
  });
}

/// The run of `config` split over `engines` ranges of hosts, merged; nothing when building
/// an engine failed (the caller then builds the run whole, which fails as a run of the
/// whole scenario does: the first VM in the scenario's order with a bad trace, say). With
/// `take_from` (`config`, given up by the caller) the ranges take its VMs instead of copies;
/// they are back in it when this returns nothing.
std::optional<RunResult> run_split(const ScenarioConfig& config, ScenarioConfig* take_from,
                                   std::span<const AreaSpec* const> areas, const RunOptions& options, int engines) {
  const std::vector<HostRange> ranges = host_ranges(config, engines);
  const SeriesPlan series = plan_series(config, areas, options.series_budget_bytes);
  const std::size_t n = ranges.size();
  const std::size_t vm_count = config.vms.size();
  const std::vector<RunOptions> range_opts = range_options(options, config, ranges);
  std::vector<ScenarioConfig> configs(n);
  std::vector<RunResult> results(n);
  std::vector<std::unique_ptr<DatacenterRun>> runs(n);
  EngineThreads threads(n);
  const auto give_all_back = [&] {
    // Each range's VMs back to their places; a range whose scenario was not made holds
    // none (range_config gave them back).
    for (std::size_t i = 0; i < n; ++i) give_back(*take_from, ranges[i], configs[i]);
  };
  try {
    threads.run([&](std::size_t i) { configs[i] = range_config(config, ranges[i], take_from); });
  } catch (const std::exception&) {
    if (take_from != nullptr) give_all_back();
    return std::nullopt;
  }
  if (take_from != nullptr) {
    // Every VM lives in its range's scenario now: the moved-from slots go too, before the
    // engines are built, so that they do not add to the build's footprint (a VM's
    // configuration is about a kilobyte without its strings: 18 MB for 20,000 VMs).
    take_from->vms.clear();
    take_from->vms.shrink_to_fit();
  }
  try {
    threads.run([&](std::size_t i) {
      results[i] = new_result(configs[i]);
      runs[i] = std::make_unique<DatacenterRun>(configs[i], areas, results[i], range_opts[i], series);
    });
  } catch (const std::exception&) {
    runs.clear();
    if (take_from != nullptr) {
      take_from->vms.resize(vm_count);  // the slots again, for the VMs to go back to
      give_all_back();
    }
    return std::nullopt;
  }
  std::vector<Engine> engines_list;
  for (std::size_t i = 0; i < n; ++i) engines_list.push_back(Engine{runs[i].get(), &results[i]});
  simulate(config.duration, config.warmup, engines_list, options, &threads);
  // The first engine's memory, freed on this thread, is the merge's to reuse; what the
  // others freed is given back (MemoryRelease).
  const MemoryRelease release = memory_release();
  runs[0].reset();
  if (release.before_others != nullptr) release.before_others();
  threads.run([&](std::size_t i) {
    if (i == 0) return;
    runs[i].reset();
    if (release.on_engine_thread != nullptr) release.on_engine_thread();
  });
  if (release.after != nullptr) release.after();
  merge_ranges(vm_count, ranges, results);
  return std::move(results[0]);
}

/// run_areas, and run_scenario of a scenario given up (`take_from`, = `scenario`).
RunResult run(const ScenarioConfig& scenario, ScenarioConfig* take_from, std::span<const AreaSpec* const> areas,
              const RunOptions& options) {
  // A configuration built in code has its ids resolved here; the loader's already has.
  std::optional<ScenarioConfig> resolved;
  if (!scenario.ids_resolved) {
    if (take_from != nullptr) {
      resolve_ids(*take_from);
    } else {
      resolved = scenario;
      resolve_ids(*resolved);
      take_from = &*resolved;
    }
  }
  const ScenarioConfig& config = resolved ? *resolved : scenario;

  if (const int engines = engines_for(config, areas, options.engines); engines > 1) {
    if (std::optional<RunResult> split = run_split(config, take_from, areas, options, engines)) {
      add_report_sections(*split, areas);
      return std::move(*split);
    }
  }
  RunResult result = new_result(config);
  DatacenterRun driver(config, areas, result, options);
  const Engine engine{&driver, &result};
  simulate(config.duration, config.warmup, std::span<const Engine>(&engine, 1), options, nullptr);
  add_report_sections(result, areas);
  return result;
}

}  // namespace

MemoryRelease set_memory_release(const MemoryRelease& hooks) { return std::exchange(memory_release(), hooks); }

RunResult run_scenario(const ScenarioConfig& scenario, const RunOptions& options) {
  return run_areas(scenario, areas_for(scenario), options);
}

RunResult run_scenario(ScenarioConfig&& scenario, const RunOptions& options) {
  return run(scenario, &scenario, areas_for(scenario), options);
}

RunResult run_areas(const ScenarioConfig& scenario, std::span<const AreaSpec* const> areas,
                    const RunOptions& options) {
  return run(scenario, nullptr, areas, options);
}

}  // namespace vdc::models
