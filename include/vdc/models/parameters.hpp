#pragma once
/// Named, documented model parameters: what `vdcsim describe` prints and what the scenario
/// loader accepts under `parameters:` (model constants) and a host's `advanced:` (VMware
/// advanced settings by their own names). Each area declares its own beside its model and
/// models/registry.cpp lists them all, by an explicit call list.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vdc::models {

/// How a parameter's value is written in a scenario.
enum class ParameterUnit { none, fraction, seconds, mhz, mib, mbps };

/// Where a parameter is set: the scenario's `parameters:` map, or a host's `advanced:` map.
enum class ParameterScope { model, advanced };

struct ModelParameter {
  std::string_view area;         ///< cpu, memory, ...
  std::string_view name;         ///< "cpu.quantum" or "Mem.ShareForceSalting"
  ParameterScope scope = ParameterScope::model;
  ParameterUnit unit = ParameterUnit::none;
  double default_value = 0.0;    ///< in the base unit of `unit`
  double min_value = 0.0;
  double max_value = 0.0;
  std::string_view help;         ///< one line: what it means
  std::string_view reference;    ///< where the default comes from (reference section, or "UNCONFIRMED: ...")
  /// Names a scenario may write instead of the value: the i-th name stands for i (the
  /// value stays a number; min_value and max_value should span the indices). Empty: a
  /// plain number.
  std::span<const std::string_view> choices = {};
};

/// Every parameter of every model, in a stable order (area, then declaration order).
[[nodiscard]] std::span<const ModelParameter> all_parameters();

/// The value of `name`, one of `params` (an area's own list), in a scenario's `parameters:`
/// map `set`: what the scenario wrote, else the parameter's default (0 for a name not in
/// `params`).
[[nodiscard]] double parameter_value(const std::map<std::string, double>& set, std::span<const ModelParameter> params,
                                     std::string_view name);

/// The parameter of that name and scope, if any.
[[nodiscard]] const ModelParameter* find_parameter(std::string_view name, ParameterScope scope);

/// The model areas, each with a one-line description, for `vdcsim describe` and `vdcsim models`.
/// `vdcsim describe AREA` prints every field, so an area without parameters still says what
/// it models and where a scenario sets it.
struct ModelArea {
  std::string_view name;
  std::string_view description;  ///< one line: what the area models
  std::string_view scenario;     ///< the scenario keys that set what the area models
  std::string_view docs;         ///< where the area is documented: page and section
};
[[nodiscard]] std::span<const ModelArea> model_areas();

}  // namespace vdc::models
