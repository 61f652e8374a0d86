#pragma once
/// Physical quantities as value types (never bare doubles, docs/architecture.md "The engine") and the
/// parsers for the quantity strings of the scenario contract (docs/scenario.md "Quantities").

#include <cassert>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "vdc/sim/time.hpp"

namespace vdc::sim {

/// A physical quantity in a fixed base unit, named by `Tag` (which provides
/// `static constexpr std::string_view symbol`). Arithmetic keeps the unit; the ratio of
/// two quantities of the same unit is a plain double.
template <class Tag>
struct Quantity {
  /// Magnitude in the base unit Tag::symbol.
  double value = 0.0;

  /// Zero.
  constexpr Quantity() = default;
  /// `v` in the base unit.
  constexpr explicit Quantity(double v) : value(v) {}

  /// Ordered by value.
  constexpr auto operator<=>(const Quantity&) const = default;

  /// Arithmetic in the same unit, and scaling by a plain number.
  constexpr Quantity operator-() const { return Quantity(-value); }
  constexpr Quantity& operator+=(Quantity o) { value += o.value; return *this; }
  constexpr Quantity& operator-=(Quantity o) { value -= o.value; return *this; }
  constexpr Quantity& operator*=(double f) { value *= f; return *this; }
  constexpr Quantity& operator/=(double f) { value /= f; return *this; }

  friend constexpr Quantity operator+(Quantity a, Quantity b) { return a += b; }
  friend constexpr Quantity operator-(Quantity a, Quantity b) { return a -= b; }
  friend constexpr Quantity operator*(Quantity a, double f) { return a *= f; }
  friend constexpr Quantity operator*(double f, Quantity a) { return a *= f; }
  friend constexpr Quantity operator/(Quantity a, double f) { return a /= f; }
  /// Dimensionless ratio a / b.
  friend constexpr double operator/(Quantity a, Quantity b) { return a.value / b.value; }
};

/// Tag of MHz (CPU frequency / capacity; vSphere accounts CPU in MHz).
struct MHzTag { static constexpr std::string_view symbol = "MHz"; };
/// Tag of MiB (memory and storage sizes, 2^20 bytes).
struct MiBTag { static constexpr std::string_view symbol = "MiB"; };
/// Tag of Mbps (bandwidth, 10^6 bit/s).
struct MbpsTag { static constexpr std::string_view symbol = "Mbps"; };

/// CPU frequency or capacity in MHz.
using MHz = Quantity<MHzTag>;
/// Memory or storage size in MiB (2^20 bytes).
using MiB = Quantity<MiBTag>;
/// Bandwidth in Mbps (10^6 bit/s).
using Mbps = Quantity<MbpsTag>;

/// A fraction in [0, 1] (construction outside that range is an assertion failure; user
/// input goes through parse_fraction).
struct Fraction {
  /// The fraction, 0..1.
  double value = 0.0;

  /// Zero.
  constexpr Fraction() = default;
  /// `v` in [0, 1].
  constexpr explicit Fraction(double v) : value(v) { assert(v >= 0.0 && v <= 1.0); }
  /// The fraction in percent, 0..100.
  constexpr double percent() const { return value * 100.0; }

  /// Ordered by value.
  constexpr auto operator<=>(const Fraction&) const = default;
};

/// Result of parsing a user-supplied quantity: a value, or a short message of what was
/// expected, meant to be used verbatim in user-facing errors (e.g. "negative size").
template <class T>
struct ParseResult {
  /// The parsed value, if parsing succeeded.
  std::optional<T> value;
  /// Why parsing failed; empty on success.
  std::string error;

  /// True if parsing succeeded.
  explicit operator bool() const { return value.has_value(); }
};

/// Memory/storage size: "512 MiB", "16 GiB", "2 TiB", "64 KiB" (binary); "1 MB", "1 GB",
/// "2 TB" (decimal, 1 GB = 10^9 bytes = 953.674... MiB); a plain number is MiB. The space
/// between number and unit is optional; units are case-sensitive.
/// Errors: "empty value", "expected a number, got 'x'", "unknown unit 'GBz' (expected KiB,
/// MiB, GiB, TiB, MB, GB or TB)", "negative size", "not a finite number", "too large".
ParseResult<MiB> parse_memory(std::string_view text);

/// CPU frequency: "2.4 GHz", "2400 MHz", "800 kHz"; a plain number is MHz.
/// Errors as parse_memory, with "unknown unit 'x' (expected kHz, MHz or GHz)" and
/// "negative frequency".
ParseResult<MHz> parse_frequency(std::string_view text);

/// Bandwidth: "10 Gbps", "100 Mbps", "512 Kbps", "1 Tbps" (decimal bits per second); a
/// plain number is Mbps. Errors as parse_memory, with "unknown unit 'x' (expected Kbps,
/// Mbps, Gbps or Tbps)" and "negative bandwidth".
ParseResult<Mbps> parse_bandwidth(std::string_view text);

/// Duration: "50ms", "20s", "30m", "1h", "7d", also "250us", "10ns", "5min", with or
/// without a space; a plain number is seconds. Rounded to the nearest nanosecond.
/// Errors as parse_memory, with "unknown unit 'x' (expected ns, us, ms, s, m, min, h or
/// d)", "negative duration" and "too large" (beyond about 292 years, the int64 ns range).
ParseResult<Time> parse_duration(std::string_view text);

/// Fraction: "35%" or "0.35" (a plain number is the fraction itself, so "1" is 100%).
/// Errors: "fraction outside [0, 100%]", "unknown unit 'x' (expected %)", and the
/// number errors of parse_memory.
ParseResult<Fraction> parse_fraction(std::string_view text);

/// Quantity literals: 2400_MHz, 2.4_GHz, 16_GiB, 512_MiB, 10_Gbps, 100_Mbps.
namespace literals {
constexpr MHz operator""_MHz(long double v) { return MHz(static_cast<double>(v)); }
constexpr MHz operator""_MHz(unsigned long long v) { return MHz(static_cast<double>(v)); }
constexpr MHz operator""_GHz(long double v) { return MHz(static_cast<double>(v) * 1000.0); }
constexpr MHz operator""_GHz(unsigned long long v) { return MHz(static_cast<double>(v) * 1000.0); }
constexpr MiB operator""_MiB(long double v) { return MiB(static_cast<double>(v)); }
constexpr MiB operator""_MiB(unsigned long long v) { return MiB(static_cast<double>(v)); }
constexpr MiB operator""_GiB(long double v) { return MiB(static_cast<double>(v) * 1024.0); }
constexpr MiB operator""_GiB(unsigned long long v) { return MiB(static_cast<double>(v) * 1024.0); }
constexpr MiB operator""_TiB(unsigned long long v) { return MiB(static_cast<double>(v) * 1048576.0); }
constexpr Mbps operator""_Mbps(long double v) { return Mbps(static_cast<double>(v)); }
constexpr Mbps operator""_Mbps(unsigned long long v) { return Mbps(static_cast<double>(v)); }
constexpr Mbps operator""_Gbps(long double v) { return Mbps(static_cast<double>(v) * 1000.0); }
constexpr Mbps operator""_Gbps(unsigned long long v) { return Mbps(static_cast<double>(v) * 1000.0); }
}  // namespace literals

}  // namespace vdc::sim

/// Formats a quantity as "<number> <unit>", the number with the double format spec given:
/// fmt::format("{}", MHz(2400)) == "2400 MHz", fmt::format("{:.1f}", MiB(1.25)) == "1.2 MiB".
template <class Tag>
struct fmt::formatter<vdc::sim::Quantity<Tag>> : fmt::formatter<double> {
  template <typename Ctx>
  auto format(vdc::sim::Quantity<Tag> q, Ctx& ctx) const {
    auto out = fmt::formatter<double>::format(q.value, ctx);
    *out++ = ' ';
    return fmt::format_to(out, "{}", Tag::symbol);
  }
};

/// Formats a fraction in percent with the double format spec given, default up to 10
/// significant digits: fmt::format("{}", Fraction(0.35)) == "35%",
/// fmt::format("{:.1f}", Fraction(0.125)) == "12.5%".
template <>
struct fmt::formatter<vdc::sim::Fraction> : fmt::formatter<double> {
  bool default_spec_ = true;
  template <typename ParseCtx>
  constexpr auto parse(ParseCtx& ctx) {
    default_spec_ = ctx.begin() == ctx.end() || *ctx.begin() == '}';
    return fmt::formatter<double>::parse(ctx);
  }
  template <typename Ctx>
  auto format(vdc::sim::Fraction f, Ctx& ctx) const {
    auto out = default_spec_ ? fmt::format_to(ctx.out(), "{:.10g}", f.percent())
                             : fmt::formatter<double>::format(f.percent(), ctx);
    *out++ = '%';
    return out;
  }
};
