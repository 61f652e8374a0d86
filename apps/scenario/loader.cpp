#include "vdc/scenario/loader.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "sections.hpp"
#include "sink.hpp"
#include "yaml_tree.hpp"

namespace vdc::scenario {

bool LoadResult::ok() const { return config.has_value(); }

LoadResult load_string(std::string_view yaml, std::string display_name) {
  detail::Sink sink(display_name);
  LoadResult result;
  if (const std::optional<detail::Node> root = detail::parse_document(yaml, sink)) {
    models::ScenarioConfig config;
    config.source = display_name;
    detail::Context ctx(sink, config, std::filesystem::path(display_name).parent_path());
    detail::read_scenario(ctx, *root);
    if (!sink.has_errors()) {
      models::resolve_ids(config);
      result.config = std::move(config);
    }
  }
  result.diagnostics = sink.take();
  return result;
}

LoadResult load_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad() || std::filesystem::is_directory(path)) {
    detail::Sink sink(path);
    sink.error(detail::Position{}, "cannot read the file", "expected a readable scenario file");
    return LoadResult{std::nullopt, sink.take()};
  }
  return load_string(text.str(), path);
}

LoadResult load_default() { return load_string(default_scenario_yaml(), std::string(default_scenario_name())); }

std::optional<std::string> apply(models::ScenarioConfig& config, const Overrides& overrides) {
  if (overrides.seed) config.seed = *overrides.seed;
  if (overrides.fidelity) config.fidelity = *overrides.fidelity;
  if (overrides.duration) config.duration = *overrides.duration;
  if (overrides.duration && *overrides.duration <= config.warmup) {
    return fmt::format(
        "--duration {} is not above the warm-up of {} ('warmup: {}'): the reports would "
        "measure nothing (expected a duration above {}, or a shorter warm-up in the scenario)",
        sim::to_string(*overrides.duration), config.source, sim::to_string(config.warmup),
        sim::to_string(config.warmup));
  }
  return std::nullopt;
}

}  // namespace vdc::scenario
