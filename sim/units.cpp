#include "vdc/sim/units.hpp"

#include <charconv>
#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

namespace vdc::sim {
namespace {

/// A unit symbol and its size in the base unit.
struct UnitFactor {
  std::string_view symbol;
  double factor;
};

constexpr double bytes_per_mib = 1048576.0;

constexpr UnitFactor memory_units[] = {
    {"KiB", 1.0 / 1024.0}, {"MiB", 1.0}, {"GiB", 1024.0}, {"TiB", 1048576.0},
    {"MB", 1e6 / bytes_per_mib}, {"GB", 1e9 / bytes_per_mib}, {"TB", 1e12 / bytes_per_mib}};
constexpr UnitFactor frequency_units[] = {{"kHz", 1e-3}, {"MHz", 1.0}, {"GHz", 1e3}};
constexpr UnitFactor bandwidth_units[] = {
    {"Kbps", 1e-3}, {"Mbps", 1.0}, {"Gbps", 1e3}, {"Tbps", 1e6}};
constexpr UnitFactor duration_units[] = {  // in ns
    {"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 6e10}, {"min", 6e10},
    {"h", 3.6e12}, {"d", 8.64e13}};

constexpr std::string_view blanks = " \t";

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(blanks);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(blanks) - b + 1);
}

/// A number followed by an optional unit symbol.
struct Split {
  double number = 0.0;
  std::string_view unit;
};

template <class T>
ParseResult<T> failure(std::string message) {
  return ParseResult<T>{std::nullopt, std::move(message)};
}

/// Splits `text` into number and unit; on failure returns the error message.
std::string split(std::string_view text, Split& out) {
  const std::string_view s = trim(text);
  if (s.empty()) return "empty value";
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (*first == '+') ++first;  // from_chars rejects an explicit plus sign
  double v = 0.0;
  const auto [ptr, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ec == std::errc::invalid_argument) return fmt::format("expected a number, got '{}'", s);
  if (ec == std::errc::result_out_of_range) return "number out of range";
  if (!std::isfinite(v)) return "not a finite number";
  out.number = v;
  out.unit = trim(std::string_view(ptr, static_cast<std::size_t>(last - ptr)));
  return {};
}

/// Factor of `unit` in `table`, 1 for no unit, or 0 if unknown.
double factor_of(std::string_view unit, std::span<const UnitFactor> table) {
  if (unit.empty()) return 1.0;
  for (const UnitFactor& u : table) {
    if (u.symbol == unit) return u.factor;
  }
  return 0.0;
}

std::string unknown_unit(std::string_view unit, std::span<const UnitFactor> table) {
  std::string expected;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (i > 0) expected += i + 1 == table.size() ? " or " : ", ";
    expected += table[i].symbol;
  }
  return fmt::format("unknown unit '{}' (expected {})", unit, expected);
}

/// Parses a non-negative quantity in the base unit of `table`.
template <class Q>
ParseResult<Q> parse_quantity(std::string_view text, std::span<const UnitFactor> table,
                              std::string_view negative_message) {
  Split sp;
  if (std::string err = split(text, sp); !err.empty()) return failure<Q>(std::move(err));
  const double f = factor_of(sp.unit, table);
  if (f == 0.0) return failure<Q>(unknown_unit(sp.unit, table));
  if (sp.number < 0.0) return failure<Q>(std::string(negative_message));
  const double v = sp.number * f;
  if (!std::isfinite(v)) return failure<Q>("too large");
  return ParseResult<Q>{Q(v), {}};
}

}  // namespace

ParseResult<MiB> parse_memory(std::string_view text) {
  return parse_quantity<MiB>(text, memory_units, "negative size");
}

ParseResult<MHz> parse_frequency(std::string_view text) {
  return parse_quantity<MHz>(text, frequency_units, "negative frequency");
}

ParseResult<Mbps> parse_bandwidth(std::string_view text) {
  return parse_quantity<Mbps>(text, bandwidth_units, "negative bandwidth");
}

ParseResult<Time> parse_duration(std::string_view text) {
  Split sp;
  if (std::string err = split(text, sp); !err.empty()) return failure<Time>(std::move(err));
  // A plain number is seconds, the contract's base unit.
  const double f = sp.unit.empty() ? 1e9 : factor_of(sp.unit, duration_units);
  if (f == 0.0) return failure<Time>(unknown_unit(sp.unit, duration_units));
  if (sp.number < 0.0) return failure<Time>("negative duration");
  const double ns = sp.number * f;
  // 2^63: the first double that does not fit in int64 nanoseconds.
  if (!(ns < 9223372036854775808.0)) return failure<Time>("too large");
  return ParseResult<Time>{Time::from_ns(Time::round_to_ns(ns)), {}};
}

ParseResult<Fraction> parse_fraction(std::string_view text) {
  Split sp;
  if (std::string err = split(text, sp); !err.empty()) return failure<Fraction>(std::move(err));
  double v = sp.number;
  if (sp.unit == "%") {
    v /= 100.0;
  } else if (!sp.unit.empty()) {
    return failure<Fraction>(fmt::format("unknown unit '{}' (expected %)", sp.unit));
  }
  if (!(v >= 0.0 && v <= 1.0)) return failure<Fraction>("fraction outside [0, 100%]");
  return ParseResult<Fraction>{Fraction(v), {}};
}

}  // namespace vdc::sim
