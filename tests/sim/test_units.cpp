#include <doctest/doctest.h>

#include <fmt/format.h>

#include "vdc/sim/units.hpp"

using namespace vdc::sim;
using namespace vdc::sim::literals;

static_assert(2.4_GHz == 2400_MHz);
static_assert(16_GiB == MiB(16384.0));
static_assert(10_Gbps / 100_Mbps == 100.0);
static_assert(2_GiB + 512_MiB == MiB(2560.0));
static_assert(MHz(1000.0) * 3.0 == 3_GHz);

TEST_CASE("memory sizes parse binary and decimal units into MiB") {
  CHECK(parse_memory("512 MiB").value == 512_MiB);
  CHECK(parse_memory("16 GiB").value == MiB(16384.0));
  CHECK(parse_memory("2 TiB").value == MiB(2097152.0));
  CHECK(parse_memory("2048 KiB").value == MiB(2.0));
  // 1 GB = 1e9 bytes = 1e9 / 1048576 MiB = 953.67431640625 MiB (exact in binary).
  CHECK(parse_memory("1 GB").value == MiB(953.67431640625));
  CHECK(parse_memory("1GB").value == MiB(953.67431640625));
  CHECK(parse_memory("2 TB").value->value == doctest::Approx(1907348.6328125).epsilon(1e-15));
  CHECK(parse_memory("  64  ").value == 64_MiB);  // plain number: MiB
  CHECK(parse_memory("1.5GiB").value == 1536_MiB);
  CHECK(parse_memory("+8 GiB").value == 8_GiB);
}

TEST_CASE("memory size errors say what was expected") {
  CHECK(parse_memory("16 GBz").error ==
        "unknown unit 'GBz' (expected KiB, MiB, GiB, TiB, MB, GB or TB)");
  CHECK(parse_memory("16 gib").error ==
        "unknown unit 'gib' (expected KiB, MiB, GiB, TiB, MB, GB or TB)");
  CHECK(parse_memory("-1 GiB").error == "negative size");
  CHECK(parse_memory("").error == "empty value");
  CHECK(parse_memory("   ").error == "empty value");
  CHECK(parse_memory("GiB").error == "expected a number, got 'GiB'");
  CHECK(parse_memory("nan").error == "not a finite number");
  CHECK(parse_memory("inf GiB").error == "not a finite number");
  CHECK(parse_memory("1e999 MiB").error == "number out of range");
  CHECK(parse_memory("1e308 TiB").error == "too large");
  CHECK(parse_memory("4 GiB extra").error ==
        "unknown unit 'GiB extra' (expected KiB, MiB, GiB, TiB, MB, GB or TB)");
  CHECK_FALSE(parse_memory("4 GiB extra"));
  CHECK(parse_memory("4 GiB"));
}

TEST_CASE("frequencies and bandwidths parse into MHz and Mbps") {
  CHECK(parse_frequency("2.4 GHz").value == 2400_MHz);
  CHECK(parse_frequency("2400 MHz").value == 2400_MHz);
  CHECK(parse_frequency("2400").value == 2400_MHz);
  CHECK(parse_frequency("500kHz").value == MHz(0.5));
  CHECK(parse_frequency("3 Ghz").error == "unknown unit 'Ghz' (expected kHz, MHz or GHz)");
  CHECK(parse_frequency("-1 GHz").error == "negative frequency");
  CHECK(parse_bandwidth("10 Gbps").value == 10000_Mbps);
  CHECK(parse_bandwidth("100 Mbps").value == 100_Mbps);
  CHECK(parse_bandwidth("25Gbps").value == 25_Gbps);
  CHECK(parse_bandwidth("1 Tbps").value == Mbps(1e6));
  CHECK(parse_bandwidth("512 Kbps").value == Mbps(0.512));
  CHECK(parse_bandwidth("10 GB/s").error ==
        "unknown unit 'GB/s' (expected Kbps, Mbps, Gbps or Tbps)");
  CHECK(parse_bandwidth("-5").error == "negative bandwidth");
}

TEST_CASE("durations parse with or without a space, a plain number being seconds") {
  CHECK(parse_duration("50ms").value == 50_ms);
  CHECK(parse_duration("20s").value == 20_s);
  CHECK(parse_duration("20 s").value == 20_s);
  CHECK(parse_duration("30m").value == 30_min);
  CHECK(parse_duration("5min").value == 5_min);
  CHECK(parse_duration("1h").value == 1_h);
  CHECK(parse_duration("7d").value == 7 * 24_h);
  CHECK(parse_duration("250us").value == 250_us);
  CHECK(parse_duration("10 ns").value == 10_ns);
  CHECK(parse_duration("1.5").value == 1500_ms);
  CHECK(parse_duration("0.1s").value == 100_ms);
  CHECK(parse_duration("2.5ns").value == 3_ns);  // nearest ns, ties away from zero
}

TEST_CASE("duration errors cover units, signs and the int64 range") {
  CHECK(parse_duration("5 sec").error ==
        "unknown unit 'sec' (expected ns, us, ms, s, m, min, h or d)");
  CHECK(parse_duration("-1s").error == "negative duration");
  // int64 ns ends at about 292.47 years = 106,751 days.
  CHECK(parse_duration("106751d").value == 106751 * 24_h);
  CHECK(parse_duration("106752d").error == "too large");
  CHECK(parse_duration("1e300s").error == "too large");
  CHECK(parse_duration("1h30m").error ==
        "unknown unit 'h30m' (expected ns, us, ms, s, m, min, h or d)");
}

TEST_CASE("fractions parse as percent or as a plain fraction within [0, 1]") {
  CHECK(parse_fraction("35%").value->value == 0.35);
  CHECK(parse_fraction("35 %").value->value == 0.35);
  CHECK(parse_fraction("0.35").value->value == 0.35);
  CHECK(parse_fraction("100%").value->value == 1.0);
  CHECK(parse_fraction("0").value->value == 0.0);
  CHECK(parse_fraction("1").value->value == 1.0);
  CHECK(parse_fraction("101%").error == "fraction outside [0, 100%]");
  CHECK(parse_fraction("1.5").error == "fraction outside [0, 100%]");
  CHECK(parse_fraction("-5%").error == "fraction outside [0, 100%]");
  CHECK(parse_fraction("35 pct").error == "unknown unit 'pct' (expected %)");
}

TEST_CASE("quantities format with their unit") {
  CHECK(fmt::format("{}", 2400_MHz) == "2400 MHz");
  CHECK(fmt::format("{}", 16_GiB) == "16384 MiB");
  CHECK(fmt::format("{}", 10_Gbps) == "10000 Mbps");
  CHECK(fmt::format("{:.1f}", MiB(1.25)) == "1.2 MiB");
  CHECK(fmt::format("{}", Fraction(0.35)) == "35%");
  CHECK(fmt::format("{}", Fraction(0.07)) == "7%");
  CHECK(fmt::format("{:.1f}", Fraction(0.125)) == "12.5%");
  CHECK(Fraction(0.25).percent() == 25.0);
  CHECK(100_MHz < 1_GHz);
}
