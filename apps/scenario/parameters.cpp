#include <charconv>
#include <system_error>

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

/// The index of the choice `node` names, or, when it names none, the number it writes; a
/// value that is neither is reported with the choices.
std::optional<double> read_choice_value(Sink& sink, const models::ModelParameter& p,
                                        const Node& node) {
  const std::string key(p.name);
  const std::string expected = fmt::format(
      "expected one of: {} (or its index, {:g} to {:g})", fmt::join(p.choices, ", "),
      p.min_value, p.max_value);
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < p.choices.size(); ++i) {
    if (p.choices[i] == *text) return static_cast<double>(i);
  }
  double v = 0.0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec == std::errc() && ptr == end && v >= p.min_value && v <= p.max_value) return v;
  bad_value(sink, key, node, expected, closest(*text, p.choices));
  return std::nullopt;
}

}  // namespace

std::optional<double> read_parameter_value(Sink& sink, const models::ModelParameter& p,
                                           const Node& node) {
  if (!p.choices.empty()) return read_choice_value(sink, p, node);
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
    if (const std::optional<double> v = read_parameter_value(sink, *p, e.value)) out[e.key] = *v;
  }
}

}  // namespace vdc::scenario::detail
