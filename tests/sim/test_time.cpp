#include <doctest/doctest.h>

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "vdc/sim/time.hpp"

using namespace vdc::sim;
using namespace vdc::sim::literals;

// Compile-time checks of the literal and arithmetic definitions.
static_assert(50_ms == Time::from_ns(50'000'000));
static_assert(20_s == Time::from_ns(20'000'000'000));
static_assert(2_min + 3_s == Time::from_ns(123'000'000'000));
static_assert(1_h == 60_min);
static_assert(1.5_s == 1500_ms);
static_assert(Time::zero() == Time{});
static_assert((7_s % 2_s) == 1_s);
static_assert(3_us * std::int64_t{4} == 12_us);
static_assert(10_ns / std::int64_t{4} == 2_ns);  // truncates

TEST_CASE("time converts between nanoseconds and seconds") {
  CHECK(Time::from_ns(1'500'000'000).seconds() == 1.5);
  CHECK(Time::from_seconds(1.5).ns() == 1'500'000'000);
  CHECK(Time::from_seconds(-2.25).ns() == -2'250'000'000);
  CHECK(Time::max().ns() == std::numeric_limits<std::int64_t>::max());
  CHECK(Time::zero().ns() == 0);
}

TEST_CASE("from_seconds rounds to the nearest nanosecond, ties away from zero") {
  // 2.5e-9 s is 2.5 ns before rounding (the product 2.5e-9 * 1e9 is exactly 2.5 in
  // double); 1e-10 s is 0.1 ns; 0.6e-9 s is 0.6 ns.
  CHECK(Time::from_seconds(2.5e-9).ns() == 3);
  CHECK(Time::from_seconds(-2.5e-9).ns() == -3);
  CHECK(Time::from_seconds(1e-10).ns() == 0);
  CHECK(Time::from_seconds(0.6e-9).ns() == 1);
}

TEST_CASE("scaling by a real factor rounds to the nearest nanosecond") {
  // 10 ns * 0.25 = 2.5 -> 3; 10 ns / 4.0 = 2.5 -> 3; 10 ns * 0.33 = 3.3 -> 3;
  // -10 ns * 0.25 = -2.5 -> -3.
  CHECK((10_ns * 0.25).ns() == 3);
  CHECK((10_ns / 4.0).ns() == 3);
  CHECK((0.33 * 10_ns).ns() == 3);
  CHECK((-10_ns * 0.25).ns() == -3);
  CHECK(20_s * 0.5 == 10_s);
}

TEST_CASE("time arithmetic and comparisons are exact") {
  Time t = 1_s;
  t += 250_ms;
  t -= 50_ms;
  CHECK(t == 1200_ms);
  CHECK(t > 1_s);
  CHECK(-t < Time::zero());
  CHECK(ratio(30_s, 2_min) == 0.25);
  CHECK(1_h % 7_min == 4_min);  // 60 = 8 * 7 + 4
}

TEST_CASE("time prints in a short human form") {
  CHECK(to_string(Time::zero()) == "0s");
  CHECK(to_string(750_ns) == "750ns");
  CHECK(to_string(1500_ns) == "1.5us");
  CHECK(to_string(20_ms) == "20ms");
  CHECK(to_string(1234567_ns) == "1.234ms");  // truncated to three decimals
  CHECK(to_string(1.5_s) == "1.5s");
  CHECK(to_string(59999_ms) == "59.999s");
  CHECK(to_string(1_min) == "1m");
  CHECK(to_string(2_min + 3_s) == "2m03s");
  CHECK(to_string(2_min + 3500_ms) == "2m03s");  // sub-second part dropped
  CHECK(to_string(1_h) == "1h");
  CHECK(to_string(2_h + 3_min) == "2h03m");
  CHECK(to_string(1_h + 5_s) == "1h00m05s");
  CHECK(to_string(7 * 24_h) == "7d");
  CHECK(to_string(26_h) == "1d02h");
  CHECK(to_string(24_h + 1_s) == "1d00h00m01s");
  CHECK(to_string(-20_ms) == "-20ms");
  CHECK(fmt::format("{}", 1.5_s) == "1.5s");
  CHECK(fmt::format("[{:>6}]", 20_ms) == "[  20ms]");
}
