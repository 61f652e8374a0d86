#include "vdc/sim/time.hpp"

#include <array>
#include <cstdint>
#include <string>

#include <fmt/format.h>

namespace vdc::sim {
namespace {

constexpr std::int64_t ns_per_us = 1'000;
constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_min = 60 * ns_per_s;

/// `v` in units of `unit` ns with up to three truncated decimals, trailing zeros dropped.
std::string decimal(std::uint64_t v, std::uint64_t unit, const char* suffix) {
  const std::uint64_t whole = v / unit;
  const std::uint64_t milli = (v % unit) * 1000 / unit;
  if (milli == 0) return fmt::format("{}{}", whole, suffix);
  std::string frac = fmt::format("{:03}", milli);
  while (frac.back() == '0') frac.pop_back();
  return fmt::format("{}.{}{}", whole, frac, suffix);
}

}  // namespace

std::string to_string(Time t) {
  const std::int64_t ns = t.ns();
  if (ns == 0) return "0s";
  // The magnitude as unsigned, so that INT64_MIN has one too.
  const std::uint64_t mag = ns < 0 ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const std::string sign = ns < 0 ? "-" : "";
  if (mag < static_cast<std::uint64_t>(ns_per_us)) return fmt::format("{}{}ns", sign, mag);
  if (mag < static_cast<std::uint64_t>(ns_per_ms)) return sign + decimal(mag, ns_per_us, "us");
  if (mag < static_cast<std::uint64_t>(ns_per_s)) return sign + decimal(mag, ns_per_ms, "ms");
  if (mag < static_cast<std::uint64_t>(ns_per_min)) return sign + decimal(mag, ns_per_s, "s");

  const std::uint64_t total_s = mag / ns_per_s;
  const std::array<std::uint64_t, 4> parts = {total_s / 86400, total_s / 3600 % 24,
                                              total_s / 60 % 60, total_s % 60};
  constexpr std::array<char, 4> units = {'d', 'h', 'm', 's'};
  std::size_t first = 0;
  while (parts[first] == 0) ++first;  // mag >= 1 min, so some part is non-zero
  std::size_t last = parts.size() - 1;
  while (parts[last] == 0) --last;
  std::string out = sign + fmt::format("{}{}", parts[first], units[first]);
  for (std::size_t i = first + 1; i <= last; ++i) out += fmt::format("{:02}{}", parts[i], units[i]);
  return out;
}

}  // namespace vdc::sim
