#include "values.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "vdc/sim/units.hpp"

namespace vdc::scenario::detail {

namespace {

/// A scalar as quoted in a message: control characters become spaces and long text is cut,
/// so that garbage input cannot garble the terminal or flood it.
std::string shown(std::string_view text) {
  constexpr std::size_t max_shown = 60;
  std::string out;
  for (char c : text.substr(0, max_shown)) {
    out += static_cast<unsigned char>(c) < 0x20 ? ' ' : c;
  }
  if (text.size() > max_shown) out += "...";
  return out;
}

std::string keys_list(const KeySet& keys) { return fmt::format("{}", fmt::join(keys.keys, ", ")); }

/// Reports a quantity parser's error: its text already says what was expected when it
/// carries a parenthesis ("unknown unit 'x' (expected ...)"), otherwise `expected` is added.
void parse_error(Sink& sink, std::string_view key, const Node& node, const std::string& error,
                 std::string_view expected) {
  const std::string what = fmt::format("bad value '{}' for '{}': {}", shown(node.text), key, error);
  const bool says_expected = error.find("(expected") != std::string::npos;
  sink.error(node.pos, what, says_expected ? std::string_view() : expected);
}

bool within(double v, const Bounds& b) {
  const bool above_min = b.min_exclusive ? v > b.min : v >= b.min;
  return std::isfinite(v) && above_min && v <= b.max;
}

/// Runs `parse` (a sim/units.hpp parser) on the scalar and checks the value's bounds.
template <class Parse>
std::optional<double> read_quantity(Sink& sink, std::string_view key, const Node& node,
                                    const Bounds& bounds, Parse parse) {
  const std::string* text = scalar_text(sink, key, node, bounds.expected);
  if (text == nullptr) return std::nullopt;
  const auto result = parse(*text);
  if (!result.value) {
    parse_error(sink, key, node, result.error, bounds.expected);
    return std::nullopt;
  }
  const double v = result.value->value;
  if (!within(v, bounds)) {
    bad_value(sink, key, node, bounds.expected);
    return std::nullopt;
  }
  return v;
}

}  // namespace

const std::string* scalar_text(Sink& sink, std::string_view key, const Node& node,
                               std::string_view expected) {
  if (node.is_scalar()) return &node.text;
  sink.error(node.pos, fmt::format("'{}' is {}", key, describe(node)), expected);
  return nullptr;
}

const Node* read_sequence(Sink& sink, std::string_view key, const Node& node, std::string_view expected) {
  if (node.is_sequence()) return &node;
  sink.error(node.pos, fmt::format("'{}' is {}", key, describe(node)), expected);
  return nullptr;
}

void bad_value(Sink& sink, std::string_view key, const Node& node, std::string_view expected,
               std::string_view suggestion) {
  sink.error(node.pos, fmt::format("bad value '{}' for '{}'", shown(node.text), key), expected,
             suggestion);
}

std::optional<std::int64_t> read_integer(Sink& sink, std::string_view key, const Node& node,
                                         std::int64_t min, std::int64_t max) {
  const std::string expected = fmt::format("expected a whole number from {} to {}", min, max);
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  std::int64_t v = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end || v < min || v > max) {
    bad_value(sink, key, node, expected);
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint64_t> read_unsigned(Sink& sink, std::string_view key, const Node& node) {
  const std::string expected = fmt::format("expected a whole number from 0 to {}",
                                           std::numeric_limits<std::uint64_t>::max());
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  std::uint64_t v = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end) {
    bad_value(sink, key, node, expected);
    return std::nullopt;
  }
  return v;
}

std::optional<double> read_real(Sink& sink, std::string_view key, const Node& node,
                                const Bounds& bounds) {
  const std::string* text = scalar_text(sink, key, node, bounds.expected);
  if (text == nullptr) return std::nullopt;
  double v = 0.0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, v);
  if (ec != std::errc() || ptr != end || !within(v, bounds)) {
    bad_value(sink, key, node, bounds.expected);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> read_bool(Sink& sink, std::string_view key, const Node& node) {
  static constexpr std::array<Choice<bool>, 2> choices{{{"true", true}, {"false", false}}};
  return read_choice<bool>(sink, key, node, choices);
}

std::optional<std::string> read_text(Sink& sink, std::string_view key, const Node& node,
                                     std::string_view expected) {
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  return *text;
}

std::optional<std::string> read_name(Sink& sink, std::string_view key, const Node& node) {
  const std::string* text = scalar_text(sink, key, node, "expected a name");
  if (text == nullptr) return std::nullopt;
  if (text->empty() || text->find('/') != std::string::npos) {
    bad_value(sink, key, node, "expected a non-empty name without '/'");
    return std::nullopt;
  }
  return *text;
}

std::optional<double> read_memory(Sink& sink, std::string_view key, const Node& node,
                                  const Bounds& bounds) {
  return read_quantity(sink, key, node, bounds, sim::parse_memory);
}

std::optional<double> read_frequency(Sink& sink, std::string_view key, const Node& node,
                                     const Bounds& bounds) {
  return read_quantity(sink, key, node, bounds, sim::parse_frequency);
}

std::optional<double> read_bandwidth(Sink& sink, std::string_view key, const Node& node,
                                     const Bounds& bounds) {
  return read_quantity(sink, key, node, bounds, sim::parse_bandwidth);
}

std::optional<double> read_fraction(Sink& sink, std::string_view key, const Node& node) {
  static constexpr Bounds unit{0.0, 1.0, false, "expected a fraction like 35% or 0.35"};
  return read_quantity(sink, key, node, unit, sim::parse_fraction);
}

std::optional<sim::Time> read_duration(Sink& sink, std::string_view key, const Node& node,
                                       const Bounds& bounds) {
  const std::string* text = scalar_text(sink, key, node, bounds.expected);
  if (text == nullptr) return std::nullopt;
  const auto result = sim::parse_duration(*text);
  if (!result.value) {
    parse_error(sink, key, node, result.error, bounds.expected);
    return std::nullopt;
  }
  if (!within(result.value->seconds(), bounds)) {
    bad_value(sink, key, node, bounds.expected);
    return std::nullopt;
  }
  return *result.value;
}

MapView::MapView(Sink& sink, const Node& node, const KeySet& keys, std::string_view label,
                 bool check_keys)
    : sink_(sink), node_(node), keys_(keys), valid_(node.is_mapping()) {
  if (!valid_) {
    sink.error(node.pos, fmt::format("{} is {}", label, describe(node)),
               fmt::format("expected a mapping with keys {}", keys_list(keys)));
    return;
  }
  if (!check_keys) return;
  for (const Entry& e : node.entries) {
    const bool known = std::find(keys.keys.begin(), keys.keys.end(), e.key) != keys.keys.end();
    if (known) continue;
    sink.error(e.key_pos, fmt::format("unknown key '{}' in {}", shown(e.key), keys.what),
               fmt::format("expected one of: {}", keys_list(keys)), closest(e.key, keys.keys));
  }
}

const Node* MapView::get(std::string_view key) const { return valid_ ? node_.get(key) : nullptr; }

const Entry* MapView::entry(std::string_view key) const {
  return valid_ ? node_.find(key) : nullptr;
}

const Node* MapView::require(std::string_view key, std::string_view expected) const {
  const Node* value = get(key);
  if (value == nullptr && valid_) {
    sink_.error(node_.pos, fmt::format("missing required key '{}' in {}", key, keys_.what),
                expected);
  }
  return value;
}

std::optional<std::int64_t> MapView::integer(std::string_view key, std::int64_t min,
                                             std::int64_t max) const {
  const Node* v = get(key);
  return v != nullptr ? read_integer(sink_, key, *v, min, max) : std::nullopt;
}

std::optional<double> MapView::real(std::string_view key, const Bounds& bounds) const {
  const Node* v = get(key);
  return v != nullptr ? read_real(sink_, key, *v, bounds) : std::nullopt;
}

std::optional<bool> MapView::boolean(std::string_view key) const {
  const Node* v = get(key);
  return v != nullptr ? read_bool(sink_, key, *v) : std::nullopt;
}

std::optional<std::string> MapView::text(std::string_view key, std::string_view expected) const {
  const Node* v = get(key);
  return v != nullptr ? read_text(sink_, key, *v, expected) : std::nullopt;
}

std::optional<double> MapView::memory(std::string_view key, const Bounds& bounds) const {
  const Node* v = get(key);
  return v != nullptr ? read_memory(sink_, key, *v, bounds) : std::nullopt;
}

std::optional<double> MapView::frequency(std::string_view key, const Bounds& bounds) const {
  const Node* v = get(key);
  return v != nullptr ? read_frequency(sink_, key, *v, bounds) : std::nullopt;
}

std::optional<double> MapView::bandwidth(std::string_view key, const Bounds& bounds) const {
  const Node* v = get(key);
  return v != nullptr ? read_bandwidth(sink_, key, *v, bounds) : std::nullopt;
}

std::optional<double> MapView::fraction(std::string_view key) const {
  const Node* v = get(key);
  return v != nullptr ? read_fraction(sink_, key, *v) : std::nullopt;
}

std::optional<sim::Time> MapView::duration(std::string_view key, const Bounds& bounds) const {
  const Node* v = get(key);
  return v != nullptr ? read_duration(sink_, key, *v, bounds) : std::nullopt;
}

}  // namespace vdc::scenario::detail
