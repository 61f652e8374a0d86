#pragma once
/// The parsed scenario a Plan applies its points to (internal to apps/sweep).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sink.hpp"
#include "vdc/sweep/sweep.hpp"
#include "vdc/models/inventory.hpp"
#include "vdc/scenario/diagnostic.hpp"
#include "yaml_tree.hpp"

namespace vdc::sweep {

/// How a metric is written, for messages.
inline constexpr std::string_view kMetricExpected =
    "expected <vms|hosts|datastores|uplinks|gpus|clusters>.<report.json field>.<mean|max|min|sum|p50|p95|p99>";

/// A metric read from its text, or what is wrong with it.
struct MetricParse {
  std::optional<Metric> metric;
  std::string error, expected, suggestion;
};

/// Reads `kind.field.aggregate` (line and column left 0).
[[nodiscard]] MetricParse parse_metric(const std::string& text);

/// The value of `m` in a parsed report.json; throws std::runtime_error naming the metric
/// when its array or field is missing.
[[nodiscard]] double metric_value(const Metric& m, const nlohmann::ordered_json& report);

/// A swept parameter: its path split at the dots, where it is written, its value nodes.
struct PlanParameter {
  std::string path;
  std::vector<std::string> parts;
  scenario::detail::Position pos;
  std::vector<const scenario::detail::Node*> values;  ///< into PlanTree::root's sweep section
};

/// The scenario's tree (with its `sweep:` section) and the parameters read from it.
struct PlanTree {
  scenario::detail::Node root;
  std::vector<PlanParameter> parameters;
};

/// Writes `value` at `p`'s path in `root`: a profile's key, a named entry's key (the entry
/// by its name as written or the part before its range; `count` of a VM or host entry
/// rewrites its name range), creating missing keys for the loader to check. Reports a path
/// that cannot be followed at the parameter and returns false.
bool apply_parameter(scenario::detail::Sink& sink, scenario::detail::Node& root, const PlanParameter& p,
                     const scenario::detail::Node& value);

/// The tree of the point whose value indices are `choice`, or nothing after reporting.
[[nodiscard]] std::optional<scenario::detail::Node> point_tree(const PlanTree& tree,
                                                               const std::vector<std::size_t>& choice,
                                                               scenario::detail::Sink& sink);

/// Loads `root` as the loader loads a file named `display_name`, appending its diagnostics.
[[nodiscard]] std::optional<models::ScenarioConfig> load_tree(const scenario::detail::Node& root,
                                                              const std::string& display_name,
                                                              std::vector<scenario::Diagnostic>& diagnostics);

}  // namespace vdc::sweep
