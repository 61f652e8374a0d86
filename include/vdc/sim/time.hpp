#pragma once
/// Simulated time: an integer count of nanoseconds, so runs are bit-reproducible
/// (no floating-point clock). Follows ns-3's integer `Time` (docs/architecture.md, "The engine").

#include <cassert>
#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include <fmt/format.h>

namespace vdc::sim {

/// A point in simulated time or a duration, in integer nanoseconds (signed 64 bit, so
/// about +-292 years). All arithmetic is exact except where a double is involved; those
/// operations round to the nearest nanosecond, ties away from zero.
class Time {
 public:
  /// Zero.
  constexpr Time() = default;

  /// `ns` nanoseconds.
  static constexpr Time from_ns(std::int64_t ns) { return Time(ns); }
  /// `s` seconds, rounded to the nearest nanosecond (ties away from zero). `s` must be
  /// finite and within the representable range (asserted).
  static constexpr Time from_seconds(double s) { return Time(round_to_ns(s * 1e9)); }
  /// The zero time (start of every run).
  static constexpr Time zero() { return Time(0); }
  /// The largest representable time; used as "never".
  static constexpr Time max() { return Time(std::numeric_limits<std::int64_t>::max()); }

  /// Nanoseconds.
  constexpr std::int64_t ns() const { return ns_; }
  /// Seconds, as a double: the correctly rounded ns / 1e9 (for |ns| <= 2^53, ~104 days).
  constexpr double seconds() const { return static_cast<double>(ns_) / 1e9; }

  /// Ordered by the nanosecond count.
  constexpr auto operator<=>(const Time&) const = default;

  /// Exact sums, differences and negation (overflow is undefined, as for int64).
  constexpr Time operator-() const { return Time(-ns_); }
  /// See operator-().
  constexpr Time& operator+=(Time o) { ns_ += o.ns_; return *this; }
  /// See operator-().
  constexpr Time& operator-=(Time o) { ns_ -= o.ns_; return *this; }
  /// Exact integer scaling.
  template <std::integral I>
  constexpr Time& operator*=(I k) { ns_ *= static_cast<std::int64_t>(k); return *this; }
  /// Integer division, truncating toward zero (like C++ integer division).
  template <std::integral I>
  constexpr Time& operator/=(I k) {
    assert(k != 0);
    ns_ /= static_cast<std::int64_t>(k);
    return *this;
  }
  /// Scaling by a real factor, rounded to the nearest nanosecond (ties away from zero).
  template <std::floating_point F>
  constexpr Time& operator*=(F f) {
    ns_ = round_to_ns(static_cast<double>(ns_) * static_cast<double>(f));
    return *this;
  }
  /// Division by a real factor, rounded to the nearest nanosecond (ties away from zero).
  template <std::floating_point F>
  constexpr Time& operator/=(F f) {
    ns_ = round_to_ns(static_cast<double>(ns_) / static_cast<double>(f));
    return *this;
  }

  /// See operator-().
  friend constexpr Time operator+(Time a, Time b) { return a += b; }
  /// See operator-().
  friend constexpr Time operator-(Time a, Time b) { return a -= b; }
  /// Scaling by an integer (exact) or a real number (rounded); see operator*=.
  template <class N>
    requires std::is_arithmetic_v<N>
  friend constexpr Time operator*(Time a, N k) { return a *= k; }
  /// Scaling by an integer (exact) or a real number (rounded); see operator*=.
  template <class N>
    requires std::is_arithmetic_v<N>
  friend constexpr Time operator*(N k, Time a) { return a *= k; }
  /// Division by an integer (truncating) or a real number (rounded); see operator/=.
  template <class N>
    requires std::is_arithmetic_v<N>
  friend constexpr Time operator/(Time a, N k) { return a /= k; }
  /// Remainder of integer division of the nanosecond counts (sign follows `a`, as in C++).
  friend constexpr Time operator%(Time a, Time b) { assert(b.ns_ != 0); return Time(a.ns_ % b.ns_); }

  /// Rounds a nanosecond count given as a double to the nearest integer, ties away from
  /// zero; the value must be finite and fit in int64 (asserted).
  static constexpr std::int64_t round_to_ns(double x) {
    assert(x == x && x < 9.2233720368547748e18 && x > -9.2233720368547748e18);
    const auto whole = static_cast<std::int64_t>(x);  // truncates toward zero
    const double frac = x - static_cast<double>(whole);  // exact for doubles
    if (frac >= 0.5) return whole + 1;
    if (frac <= -0.5) return whole - 1;
    return whole;
  }

 private:
  constexpr explicit Time(std::int64_t ns) : ns_(ns) {}
  std::int64_t ns_ = 0;
};

/// a / b as a real number (for utilisations and rates); b must not be zero.
constexpr double ratio(Time a, Time b) {
  return static_cast<double>(a.ns()) / static_cast<double>(b.ns());
}

/// Short human form used in logs and reports (fmt "{}" gives the same):
/// - below one minute: the largest of s, ms, us, ns that is <= |t|, with up to three
///   decimals, truncated, trailing zeros dropped: "0s", "750ns", "1.5us", "20ms", "1.5s",
///   "59.999s";
/// - from one minute: days, hours, minutes and whole seconds (sub-second part truncated),
///   from the largest non-zero unit down to the smallest non-zero one, later units two
///   digits: "1m", "2m03s", "1h", "2h03m", "1h00m05s", "7d", "1d02h", "1d00h00m01s";
/// - negative values get a leading '-'.
std::string to_string(Time t);

/// Time literals: `50_ms`, `20_s`, `1.5_s` (a real literal is rounded to the nearest ns).
namespace literals {
constexpr Time operator""_ns(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v)); }
constexpr Time operator""_us(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v) * 1'000); }
constexpr Time operator""_ms(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v) * 1'000'000); }
constexpr Time operator""_s(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v) * 1'000'000'000); }
constexpr Time operator""_min(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v) * 60'000'000'000); }
constexpr Time operator""_h(unsigned long long v) { return Time::from_ns(static_cast<std::int64_t>(v) * 3'600'000'000'000); }
constexpr Time operator""_us(long double v) { return Time::from_seconds(static_cast<double>(v) * 1e-6); }
constexpr Time operator""_ms(long double v) { return Time::from_seconds(static_cast<double>(v) * 1e-3); }
constexpr Time operator""_s(long double v) { return Time::from_seconds(static_cast<double>(v)); }
constexpr Time operator""_min(long double v) { return Time::from_seconds(static_cast<double>(v) * 60.0); }
constexpr Time operator""_h(long double v) { return Time::from_seconds(static_cast<double>(v) * 3600.0); }
}  // namespace literals

}  // namespace vdc::sim

/// Formats a Time in the short human form of vdc::sim::to_string; the format spec is a
/// string's (width, fill, alignment), e.g. "{:>8}".
template <>
struct fmt::formatter<vdc::sim::Time> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(vdc::sim::Time t, Ctx& ctx) const {
    const std::string s = vdc::sim::to_string(t);
    return fmt::formatter<std::string_view>::format(std::string_view(s), ctx);
  }
};
