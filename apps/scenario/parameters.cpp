#include <fmt/format.h>

#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"

namespace vdc::scenario::detail {

namespace {

/// A parameter's bound as the user writes it.
std::string bound_text(double v, models::ParameterUnit unit) {
  switch (unit) {
    case models::ParameterUnit::none: return fmt::format("{:g}", v);
    case models::ParameterUnit::fraction: return fmt::format("{:g}%", v * 100.0);
    case models::ParameterUnit::seconds: return fmt::format("{:g}s", v);
    case models::ParameterUnit::mhz: return fmt::format("{:g} MHz", v);
    case models::ParameterUnit::mib: return fmt::format("{:g} MiB", v);
    case models::ParameterUnit::mbps: return fmt::format("{:g} Mbps", v);
  }
  return fmt::format("{:g}", v);
}

/// The value of `node` in the parameter's base unit, range-checked.
std::optional<double> read_value(Sink& sink, const models::ModelParameter& p, const Node& node) {
  const std::string expected = fmt::format("expected a value from {} to {}",
                                           bound_text(p.min_value, p.unit),
                                           bound_text(p.max_value, p.unit));
  const std::string key(p.name);
  // The bounds go to the parsers as well, so that one message covers both checks.
  const Bounds bounds{p.min_value, p.max_value, false, expected};
  switch (p.unit) {
    case models::ParameterUnit::none: return read_real(sink, key, node, bounds);
    case models::ParameterUnit::fraction: {
      const std::optional<double> f = read_fraction(sink, key, node);
      if (f && (*f < p.min_value || *f > p.max_value)) {
        bad_value(sink, key, node, expected);
        return std::nullopt;
      }
      return f;
    }
    case models::ParameterUnit::seconds: {
      const std::optional<sim::Time> t = read_duration(sink, key, node, bounds);
      return t ? std::optional<double>(t->seconds()) : std::nullopt;
    }
    case models::ParameterUnit::mhz: return read_frequency(sink, key, node, bounds);
    case models::ParameterUnit::mib: return read_memory(sink, key, node, bounds);
    case models::ParameterUnit::mbps: return read_bandwidth(sink, key, node, bounds);
  }
  return std::nullopt;
}

}  // namespace

void read_parameters(Sink& sink, const Node& node, models::ParameterScope scope,
                     std::string_view label, std::map<std::string, double>& out) {
  const bool advanced = scope == models::ParameterScope::advanced;
  if (!node.is_mapping()) {
    sink.error(node.pos, fmt::format("'{}' is {}", label, describe(node)),
               advanced ? "expected a mapping of VMware advanced settings to values"
                        : "expected a mapping of model parameter names to values");
    return;
  }
  for (const Entry& e : node.entries) {
    const models::ModelParameter* p = models::find_parameter(e.key, scope);
    if (p == nullptr) {
      Suggestion suggestion(e.key);
      for (const models::ModelParameter& known : models::all_parameters()) {
        if (known.scope == scope) suggestion.offer(known.name);
      }
      sink.error(e.key_pos,
                 fmt::format("unknown {} '{}'", advanced ? "advanced setting" : "parameter", e.key),
                 "expected a name listed by 'vdcsim describe'", suggestion.best());
      continue;
    }
    if (const std::optional<double> v = read_value(sink, *p, e.value)) out[e.key] = *v;
  }
}

}  // namespace vdc::scenario::detail
