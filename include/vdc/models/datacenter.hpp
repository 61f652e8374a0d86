#pragma once
/// Runs a scenario: builds the model areas of the registry (models/registry.cpp) from a
/// ScenarioConfig, the CPU area in the variant its fidelity names, simulates until its
/// duration, and returns the facts and metrics that the reports read.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "vdc/models/area.hpp"
#include "vdc/models/inventory.hpp"
#include "vdc/models/run_result.hpp"

namespace vdc::models {

struct RunOptions {
  /// Polled between events; when it becomes true the run stops and the result is partial.
  const std::atomic<bool>* stop_requested = nullptr;
  /// Called about every `progress_every` events with the simulated time and events so far.
  std::function<void(sim::Time now, std::uint64_t events)> progress;
  std::uint64_t progress_every = 1u << 16;
  /// Memory the per-sample-interval series may take, bytes (8 per gauge per interval):
  /// host gauges keep their series if they fit, then the VMs' four CPU state gauges if
  /// they fit in the rest. The default keeps both for small runs and neither for
  /// 20,000 VMs over a day, whose averages, minima and maxima stay exact regardless.
  std::size_t series_budget_bytes = std::size_t{256} << 20;
  /// Gauges, as (entity, name), that keep their series whatever the budget: registered
  /// with their series before the areas are built (the first registration's flag wins),
  /// so they change nothing else. How `vdcsim run --series N` records the N chosen VMs.
  std::vector<std::pair<std::string, std::string>> keep_series;
  /// Engines the run may use (engines_for): 0 lets the scenario decide, 1 keeps one.
  int engines = 0;
};

/// Engines a run of `config` (ids resolved) with `areas` uses, each simulating a range of
/// hosts on a thread of its own in lock-step with the others: more than one only when the
/// hosts are independent. That is, every area is host-local for the scenario
/// (AreaSpec::host_local), it has no clusters, resource pools or events, and every VM names
/// its host. Then `asked` engines (at most one per host), or for `asked` = 0 two once it has
/// at least 2 x min_hosts_per_engine hosts. Depends on the scenario alone, never on the
/// machine, so a run's results do not either (docs/architecture.md "Independent hosts").
[[nodiscard]] int engines_for(const ScenarioConfig& config, std::span<const AreaSpec* const> areas, int asked = 0);

/// Hosts each engine takes at least when the scenario decides.
inline constexpr std::size_t min_hosts_per_engine = 32;

/// How a run split over engines gives back, once they end, the memory its engines freed,
/// before the merge allocates the whole run's metric arrays: the process's allocator
/// decides. The first engine ends on the calling thread; then `before_others` runs there,
/// each other engine ends on its own thread and runs `on_engine_thread` there, and
/// `after` runs on the calling thread. Runs on several threads may call them at once. A
/// null hook does nothing. The default, under glibc:
/// `after` is malloc_trim(0). vdcsim, which links mimalloc, sets mimalloc's
/// (apps/vdcsim/allocator.cpp).
struct MemoryRelease {
  void (*before_others)() = nullptr;
  void (*on_engine_thread)() = nullptr;
  void (*after)() = nullptr;
};
/// Replaces the hooks for every run that starts afterwards and returns those it replaced
/// (not thread-safe: set them before any run starts, as a program's main does).
MemoryRelease set_memory_release(const MemoryRelease& hooks);

/// Simulates `config` (already validated by the loader). Deterministic: same config, same
/// result. Throws trace::TraceError, before simulating, for a trace that cannot be replayed.
[[nodiscard]] RunResult run_scenario(const ScenarioConfig& config, const RunOptions& options = {});
/// The same, with a scenario the caller gives up: a run split over engines moves its VMs
/// into them instead of copying them (what `config` holds afterwards is unspecified).
[[nodiscard]] RunResult run_scenario(ScenarioConfig&& config, const RunOptions& options = {});

/// Simulates `config` with the given areas (in the order they are built; their hooks run
/// in the order of their dependencies) instead of the registry's: what run_scenario does
/// with areas_for(config). For tests of an area, or of the driver with areas of a test's
/// own.
[[nodiscard]] RunResult run_areas(const ScenarioConfig& config, std::span<const AreaSpec* const> areas,
                                  const RunOptions& options = {});

}  // namespace vdc::models
