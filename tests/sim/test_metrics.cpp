#include <doctest/doctest.h>

#include <stdexcept>
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

TEST_CASE("a window leaves out everything before its start") {
  // 2 until 30 s, then 6 until 50 s, then 1 until 70 s. Window from 40 s: 6 over [40, 50)
  // and 1 over [50, 70): integral 60 + 20 = 80 value-seconds over 30 s.
  MetricsRegistry m(20_s);
  const MetricId g = m.gauge("vm01", "%RDY", true);
  const MetricId n = m.counter("vm01", "swapins");
  m.set(g, Time::zero(), 2.0);
  m.add(n, 5.0);
  m.set(g, 30_s, 6.0);
  m.start_window(40_s);
  m.add(n, 1.5);
  m.set(g, 50_s, 1.0);
  m.finish(70_s);
  CHECK(m.window_start() == 40_s);
  CHECK(m.window_first_interval() == 2);
  CHECK(m.integral(g) == doctest::Approx(80.0));
  CHECK(m.average(g) == doctest::Approx(80.0 / 30.0));
  CHECK(m.min(g) == 1.0);  // 2 was held only before the window
  CHECK(m.max(g) == 6.0);
  CHECK(m.total(n) == 1.5);
  // The series keeps every interval: [0, 20) 2; [20, 40) (10 x 2 + 10 x 6) / 20 = 4;
  // [40, 60) (10 x 6 + 10 x 1) / 20 = 3.5; [60, 70) 1. The window's start on a boundary.
  const auto s = m.series(g);
  CHECK(std::vector<double>(s.begin(), s.end()) == std::vector<double>{2.0, 4.0, 3.5, 1.0});
  CHECK(m.window_series(g) == std::vector<double>{3.5, 1.0});
  CHECK(m.percentile(g, 100.0) == 3.5);
  CHECK(m.percentile(g, 50.0) == 1.0);
}

TEST_CASE("a window starting inside an interval counts only that interval's part after it") {
  // 4 until 25 s, then 10. Window from 25 s: the interval [20, 40) shows (5 x 4 + 15 x 10)
  // / 20 = 8.5 in the series, but counts as 10 (its part [25, 40)) in the window.
  MetricsRegistry m(20_s);
  const MetricId g = m.gauge("host01", "MCTLSZ", true);
  m.set(g, Time::zero(), 4.0);
  m.start_window(25_s);
  m.set(g, 25_s, 10.0);
  m.finish(50_s);
  const auto s = m.series(g);
  CHECK(std::vector<double>(s.begin(), s.end()) == std::vector<double>{4.0, 8.5, 10.0});
  CHECK(m.window_first_interval() == 1);
  CHECK(m.window_series(g) == std::vector<double>{10.0, 10.0});
  CHECK(m.average(g) == 10.0);
  CHECK(m.min(g) == 10.0);
  CHECK(m.percentile(g, 0.0) == 10.0);
}

TEST_CASE("a window that starts and ends in the same interval averages over its part") {
  MetricsRegistry m(20_s);
  const MetricId g = m.gauge("vm01", "%USED", true);
  m.set(g, Time::zero(), 1.0);
  m.start_window(5_s);
  m.set(g, 10_s, 3.0);
  m.finish(15_s);
  // Series: [0, 15) (10 x 1 + 5 x 3) / 15; window [5, 15): (5 x 1 + 5 x 3) / 10 = 2.
  const auto s = m.series(g);
  REQUIRE(s.size() == 1);
  CHECK(s[0] == doctest::Approx(25.0 / 15.0));
  CHECK(m.window_series(g) == std::vector<double>{2.0});
  CHECK(m.average(g) == 2.0);
}

TEST_CASE("a metric registered after the window start counts from it") {
  MetricsRegistry m(10_s);
  m.start_window(15_s);
  const MetricId g = m.gauge("vm02", "SWCUR", true);
  m.set(g, 20_s, 8.0);
  m.finish(30_s);
  // 0 over [15, 20), 8 over [20, 30): average 80 / 15; min 0 (held inside the window).
  CHECK(m.average(g) == doctest::Approx(80.0 / 15.0));
  CHECK(m.min(g) == 0.0);
  const auto s = m.series(g);
  CHECK(std::vector<double>(s.begin(), s.end()) == std::vector<double>{0.0, 0.0, 8.0});
  CHECK(m.window_series(g) == std::vector<double>{0.0, 8.0});
}

TEST_CASE("without a window the window series is the series") {
  MetricsRegistry m(20_s);
  const MetricId g = m.gauge("vm01", "%CSTP", true);
  m.set(g, Time::zero(), 1.0);
  m.set(g, 30_s, 3.0);
  m.finish(70_s);
  const auto s = m.series(g);
  CHECK(m.window_series(g) == std::vector<double>(s.begin(), s.end()));
  CHECK(m.window_start() == Time::zero());
}

TEST_CASE("an entity with many metrics and names from reused buffers are still told apart") {
  // More metrics than one entity's scan covers (64), registered in two passes, and names
  // written into one buffer in turn, so that every name has the same address.
  MetricsRegistry m;
  std::vector<MetricId> first;
  std::string name;
  for (int i = 0; i < 200; ++i) {
    name = "g" + std::to_string(i);
    first.push_back(m.gauge("site", name));
    for (int k = 0; k < 3; ++k) m.gauge("vm" + std::to_string(k), name);
  }
  CHECK(m.size() == 200 + 3 * 200);
  for (int i = 0; i < 200; ++i) {
    name = "g" + std::to_string(i);
    CHECK(m.gauge("site", name) == first[static_cast<std::size_t>(i)]);
    CHECK(m.find("site", name) == first[static_cast<std::size_t>(i)]);
    CHECK(m.name(first[static_cast<std::size_t>(i)]) == name);
    CHECK(m.entity(first[static_cast<std::size_t>(i)]) == "site");
  }
  CHECK(m.size() == 800);
  CHECK(m.metrics_of("site").size() == 200);
  CHECK(m.metrics_of("vm1").size() == 200);
  CHECK_FALSE(m.find("site", "g200").has_value());
  CHECK_FALSE(m.find("vm3", "g0").has_value());
}

TEST_CASE("a series reserved for the expected end holds the same values, and grows past it") {
  // 10 s intervals; the run was expected to end at 25 s (3 intervals) but ends at 45 s: 2
  // for 15 s, then 4. Intervals: 2, (2 x 5 + 4 x 5) / 10 = 3, 4, 4, and the last 5 s at 4.
  MetricsRegistry m(10_s);
  const MetricId before = m.gauge("host01", "MCTLSZ", true);
  m.expect_end(25_s);
  const MetricId after = m.gauge("host01", "SWCUR", true);
  for (const MetricId id : {before, after}) {
    m.set(id, Time::zero(), 2.0);
    m.set(id, 15_s, 4.0);
  }
  m.finish(45_s);
  for (const MetricId id : {before, after}) {
    const auto s = m.series(id);
    CHECK(std::vector<double>(s.begin(), s.end()) == std::vector<double>{2.0, 3.0, 4.0, 4.0, 4.0});
  }
}

TEST_CASE("a registry absorbs another's metrics after its own, with their values, series and window") {
  // Two registries of one run's engines: 10 s intervals, window from 5 s, end at 30 s.
  MetricsRegistry a(10_s), b(10_s);
  const MetricId a_ready = a.gauge("vm/a", "ready", true);
  const MetricId a_tasks = a.counter("vm/a", "tasks");
  const MetricId b_used = b.gauge("host/b", "used", true);
  const MetricId b_ready = b.gauge("vm/b", "ready");
  const MetricId b_tasks = b.counter("vm/b", "tasks");
  a.set(a_ready, 0_s, 1.0);
  b.set(b_used, 0_s, 4.0);
  a.start_window(5_s);
  b.start_window(5_s);
  a.set(a_ready, 15_s, 3.0);  // 1 over [5, 15), 3 over [15, 30): (10 + 45) / 25 = 2.2
  a.add(a_tasks, 2.0);
  b.set(b_used, 20_s, 8.0);   // 4 over [5, 20), 8 over [20, 30): (60 + 80) / 25 = 5.6
  b.set(b_ready, 10_s, 0.5);  // 0 over [5, 10), 0.5 over [10, 30): average 0.4
  b.add(b_tasks, 7.0);
  a.finish(30_s);
  b.finish(30_s);

  a.absorb(std::move(b));
  REQUIRE(a.size() == 5);
  CHECK(a.entities() == std::vector<std::string>{"vm/a", "host/b", "vm/b"});
  const MetricId used = *a.find("host/b", "used");
  const MetricId ready = *a.find("vm/b", "ready");
  CHECK(used == 2);  // after a's own, in b's order
  CHECK(a.name(used) == "used");
  CHECK(a.average(used) == doctest::Approx(5.6));
  CHECK(a.max(used) == 8.0);
  CHECK(a.min(used) == 4.0);
  CHECK(a.average(ready) == doctest::Approx(0.4));
  CHECK(a.total(*a.find("vm/b", "tasks")) == 7.0);
  CHECK(a.average(a_ready) == doctest::Approx(2.2));
  CHECK(a.total(a_tasks) == 2.0);
  // Series from time 0 (the warm-up included), and the window's part of them.
  const auto s = a.series(used);
  REQUIRE(s.size() == 3);
  CHECK(s[0] == 4.0);
  CHECK(s[1] == 4.0);
  CHECK(s[2] == 8.0);
  CHECK(a.window_series(used) == std::vector<double>{4.0, 4.0, 8.0});
  CHECK(a.series(ready).empty());
  CHECK(a.series(a_ready).size() == 3);  // a's own series stays where it was
  CHECK(a.metrics_of("vm/b").size() == 2);
  // ids of b's metrics before the merge mean nothing in it; names do.
  CHECK(b_ready != ready);
  CHECK(b_tasks != *a.find("vm/b", "tasks"));
}

TEST_CASE("absorbing a registry that registered one of the same metrics changes nothing") {
  MetricsRegistry a, b;
  const MetricId mine = a.gauge("vm/a", "ready");
  a.set(mine, 0_s, 1.0);
  b.gauge("vm/b", "ready");
  b.gauge("vm/a", "ready");
  a.finish(10_s);
  b.finish(10_s);
  CHECK_THROWS_AS(a.absorb(std::move(b)), std::logic_error);
  CHECK(a.size() == 1);
  CHECK(a.entities().size() == 1);
  CHECK(a.average(mine) == 1.0);
}
