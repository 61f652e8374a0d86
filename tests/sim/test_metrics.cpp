#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "vdc/sim/metrics.hpp"

using namespace vdc::sim;
using namespace vdc::sim::literals;

TEST_CASE("a counter sums what is added") {
  MetricsRegistry m;
  const MetricId id = m.counter("vm01", "swapins");
  m.add(id, 3.0);
  m.add(id, 4.5);
  CHECK(m.total(id) == 7.5);
  CHECK(m.kind(id) == MetricKind::counter);
}

TEST_CASE("a gauge averages its values over the time they were held") {
  // 2 for 10 s then 4 for 10 s: integral 2*10 + 4*10 = 60 value-seconds, average 3.
  MetricsRegistry m;
  const MetricId id = m.gauge("vm01", "%RDY");
  m.set(id, Time::zero(), 2.0);
  m.set(id, 10_s, 4.0);
  m.finish(20_s);
  CHECK(m.integral(id) == 60.0);
  CHECK(m.average(id) == 3.0);
  CHECK(m.min(id) == 2.0);
  CHECK(m.max(id) == 4.0);
  CHECK(m.value(id) == 4.0);
  CHECK(m.end() == 20_s);
}

TEST_CASE("a gauge is zero until first set and values held for no time are ignored") {
  // 0 for 5 s, 10 for 5 s: integral 50, average 5, min 0, max 10. The 99 set at the end
  // time is held for no time and does not count in max.
  MetricsRegistry m;
  const MetricId id = m.gauge("host01", "MCTLSZ");
  m.set(id, 5_s, 10.0);
  m.set(id, 10_s, 99.0);
  m.finish(10_s);
  CHECK(m.integral(id) == 50.0);
  CHECK(m.average(id) == 5.0);
  CHECK(m.min(id) == 0.0);
  CHECK(m.max(id) == 10.0);
}

TEST_CASE("a kept series holds the time-weighted average of each interval") {
  // Interval 20 s; 1 until 30 s, then 3. Intervals: [0,20) = 1; [20,40) = (10*1 + 10*3)/20
  // = 2; [40,60) = 3; the last, [60,70), is partial and averages over its 10 s: 3.
  MetricsRegistry m(20_s);
  const MetricId id = m.gauge("vm01", "%CSTP", true);
  m.set(id, Time::zero(), 1.0);
  m.set(id, 30_s, 3.0);
  m.finish(70_s);
  const std::vector<double> expected{1.0, 2.0, 3.0, 3.0};
  const auto s = m.series(id);
  CHECK(std::vector<double>(s.begin(), s.end()) == expected);
  CHECK(m.sample_interval() == 20_s);
}

TEST_CASE("a series ending on an interval boundary has no partial interval") {
  MetricsRegistry m(20_s);
  const MetricId id = m.gauge("vm01", "SWCUR", true);
  m.set(id, 20_s, 5.0);  // 0 for the first interval
  m.finish(40_s);
  const auto s = m.series(id);
  CHECK(std::vector<double>(s.begin(), s.end()) == std::vector<double>{0.0, 5.0});
}

TEST_CASE("percentiles are nearest rank over the interval series") {
  // Ten intervals of 1 s holding 10, 9, ..., 1. Sorted 1..10; nearest rank
  // ceil(p/100 * 10): p50 -> 5th = 5, p90 -> 9th = 9, p95 -> ceil(9.5) = 10th = 10,
  // p99 -> 10th = 10, p0 -> the smallest = 1, p100 -> 10.
  MetricsRegistry m(1_s);
  const MetricId id = m.gauge("vm01", "%RDY", true);
  for (int i = 0; i < 10; ++i) m.set(id, Time::from_ns(i * 1'000'000'000LL), 10.0 - i);
  m.finish(10_s);
  CHECK(m.percentile(id, 50.0) == 5.0);
  CHECK(m.percentile(id, 90.0) == 9.0);
  CHECK(m.percentile(id, 95.0) == 10.0);
  CHECK(m.percentile(id, 99.0) == 10.0);
  CHECK(m.percentile(id, 0.0) == 1.0);
  CHECK(m.percentile(id, 100.0) == 10.0);
}

TEST_CASE("a gauge without a kept series has no series and zero percentiles") {
  MetricsRegistry m;
  const MetricId id = m.gauge("vm01", "%USED");
  m.set(id, Time::zero(), 7.0);
  m.finish(1_min);
  CHECK(m.series(id).empty());
  CHECK(m.percentile(id, 95.0) == 0.0);
  CHECK(m.average(id) == 7.0);
}

TEST_CASE("metrics are found by entity and name and listed in registration order") {
  MetricsRegistry m;
  const MetricId a = m.gauge("vm01", "%RDY");
  const MetricId b = m.gauge("vm02", "%RDY");
  const MetricId c = m.counter("vm01", "swapins");
  CHECK(a == 0);
  CHECK(b == 1);
  CHECK(c == 2);
  CHECK(m.gauge("vm01", "%RDY") == a);  // registering again returns the same id
  CHECK(m.find("vm01", "swapins") == c);
  CHECK_FALSE(m.find("vm01", "nothing").has_value());
  CHECK_FALSE(m.find("vm99", "%RDY").has_value());
  CHECK_FALSE(m.find("vm02", "swapins").has_value());
  const auto of_vm01 = m.metrics_of("vm01");
  CHECK(std::vector<MetricId>(of_vm01.begin(), of_vm01.end()) == std::vector<MetricId>{a, c});
  CHECK(m.metrics_of("vm99").empty());
  CHECK(m.entities() == std::vector<std::string>{"vm01", "vm02"});
  CHECK(m.entity(c) == "vm01");
  CHECK(m.name(c) == "swapins");
  CHECK(m.size() == 3);
}
