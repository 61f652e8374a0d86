#pragma once
/// The scenario loader: YAML text in, a validated models::ScenarioConfig out, or every
/// problem of the file as diagnostics (docs/scenario.md is the format's reference).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vdc/models/inventory.hpp"
#include "vdc/scenario/diagnostic.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::scenario {

/// Outcome of loading one scenario: the configuration when the file has no error, and all
/// diagnostics (errors and warnings) sorted by line and column.
struct LoadResult {
  /// The validated scenario; empty when any error was found.
  std::optional<models::ScenarioConfig> config;
  /// Every error and warning of the file, in file order.
  std::vector<Diagnostic> diagnostics;

  /// True when the scenario loaded without error (warnings allowed).
  [[nodiscard]] bool ok() const;
};

/// Loads the scenario file at `path`. Diagnostics and ScenarioConfig::source name the file
/// as `path` is written; trace files are resolved relative to its directory.
[[nodiscard]] LoadResult load_file(const std::string& path);

/// Loads a scenario from `yaml`, naming it `display_name` in diagnostics and in
/// ScenarioConfig::source; relative trace paths are resolved against the directory part of
/// `display_name` (none: the working directory).
[[nodiscard]] LoadResult load_string(std::string_view yaml, std::string display_name);

/// The bundled default lab (scenarios/overcommit-lab.yaml, compiled into the library).
[[nodiscard]] std::string_view default_scenario_yaml();

/// The display name of the bundled default lab: "<builtin:overcommit-lab.yaml>".
[[nodiscard]] std::string_view default_scenario_name();

/// Loads the bundled default lab: load_string(default_scenario_yaml(), default_scenario_name()).
[[nodiscard]] LoadResult load_default();

/// Command-line settings that replace the scenario's own (`vdcsim run --seed --fidelity
/// --duration`), applied after loading.
struct Overrides {
  /// Replaces `seed:`.
  std::optional<std::uint64_t> seed;
  /// Replaces `fidelity:`.
  std::optional<models::Fidelity> fidelity;
  /// Replaces `duration:` (positive).
  std::optional<sim::Time> duration;
};

/// Writes every set field of `overrides` into `config`. Returns, when the result is not a
/// valid scenario (a duration at or below the scenario's `warmup`), why: a message to show
/// after "vdcsim: error: " before exiting with status 2, without running `config`; nothing
/// when it is valid. Callers must check it.
[[nodiscard]] std::optional<std::string> apply(models::ScenarioConfig& config, const Overrides& overrides);

/// The fidelity named `text` ("fluid" or "detailed"), as written in a scenario.
[[nodiscard]] std::optional<models::Fidelity> parse_fidelity(std::string_view text);

}  // namespace vdc::scenario
