// Replay semantics worked out by hand on a three-sample series:
// samples at 0 s (1), 10 s (2), 30 s (4); the last lasts as long as the interval before it
// (20 s), so the span is 50 s and the integral 1*10 + 2*20 + 4*20 = 130.
#include <doctest/doctest.h>

#include "vdc/models/trace/trace_cache.hpp"
#include "vdc/models/trace/trace_cursor.hpp"
#include "vdc/models/trace/trace_series.hpp"

using namespace vdc::sim::literals;
using vdc::models::TraceEnd;
using vdc::models::trace::RawSamples;
using vdc::models::trace::TraceCursor;
using vdc::models::trace::TraceSeries;
using vdc::models::trace::TraceUnit;
using vdc::sim::Time;

namespace {

TraceSeries three_samples() {
  return compact(RawSamples{{100, 110, 130}, {1.0, 2.0, 4.0}}, "hand", "hand", TraceUnit::percent,
                 1_s, 300);
}

/// Integral of the cursor's value over [0, end), walking it as a CPU driver would.
double replay_integral(TraceCursor& cursor, Time end) {
  double sum = 0.0;
  Time t = Time::zero();
  while (t < end) {
    const double v = cursor.value_at(t);
    const Time next = std::min(cursor.next_change(t), end);
    REQUIRE(next > t);
    sum += v * (next - t).seconds();
    t = next;
  }
  return sum;
}

}  // namespace

TEST_CASE("a series starts at its first sample and its last sample lasts one interval") {
  const TraceSeries s = three_samples();
  CHECK(s.size() == 3);
  CHECK(s.time(0) == 0_s);
  CHECK(s.time(2) == 30_s);
  CHECK(s.span() == 50_s);
  CHECK(s.integral() == doctest::Approx(130.0));
  CHECK(s.bytes() < sizeof(TraceSeries) + 64 + 3 * 8);
}

TEST_CASE("rows sharing a timestamp keep the last, and equal neighbours merge") {
  const TraceSeries s = compact(RawSamples{{0, 300, 300, 600, 900}, {5.0, 7.0, 6.0, 6.0, 8.0}},
                                "dup", "dup", TraceUnit::mhz, 1_s, 300);
  CHECK(s.size() == 3);  // 5 | 6 (the later row at 300 s, merged with 600 s) | 8
  CHECK(s.value(1) == 6.0);
  CHECK(s.time(2) == 900_s);
  CHECK(s.span() == 1200_s);
  CHECK(s.integral() == doctest::Approx(5 * 300 + 6 * 600 + 8 * 300));
}

TEST_CASE("the cursor is right-continuous and reports each boundary") {
  const TraceSeries s = three_samples();
  TraceCursor c(s, Time::zero(), 1.0, TraceEnd::stop);
  CHECK(c.value_at(0_s) == 1.0);
  CHECK(c.value_at(9999_ms) == 1.0);
  CHECK(c.value_at(10_s) == 2.0);
  CHECK(c.value_at(30_s) == 4.0);
  CHECK(c.value_at(49_s) == 4.0);
  CHECK(c.next_change(0_s) == 10_s);
  CHECK(c.next_change(10_s) == 30_s);
  CHECK(c.next_change(12_s) == 30_s);
  // Going back in time is allowed (a binary search instead of a step).
  CHECK(c.value_at(5_s) == 1.0);
}

TEST_CASE("at the end a trace loops, holds or stops") {
  const TraceSeries s = three_samples();
  TraceCursor loop(s, Time::zero(), 1.0, TraceEnd::loop);
  TraceCursor hold(s, Time::zero(), 1.0, TraceEnd::hold);
  TraceCursor stop(s, Time::zero(), 1.0, TraceEnd::stop);
  CHECK(loop.value_at(50_s) == 1.0);
  CHECK(loop.value_at(60_s) == 2.0);
  CHECK(loop.next_change(30_s) == 50_s);
  CHECK(loop.next_change(50_s) == 60_s);
  CHECK(loop.next_change(1000_s) == 1010_s);
  CHECK(hold.value_at(50_s) == 4.0);
  CHECK(hold.value_at(1_h) == 4.0);
  CHECK(hold.next_change(30_s) == Time::max());
  CHECK(stop.value_at(50_s) == 0.0);
  CHECK(stop.next_change(30_s) == 50_s);
  CHECK(stop.next_change(50_s) == Time::max());
}

TEST_CASE("offset starts the replay later in the trace; a negative offset delays it") {
  const TraceSeries s = three_samples();
  TraceCursor later(s, 15_s, 1.0, TraceEnd::stop);
  CHECK(later.value_at(0_s) == 2.0);
  CHECK(later.next_change(0_s) == 15_s);
  CHECK(later.value_at(15_s) == 4.0);
  TraceCursor delayed(s, -5_s, 1.0, TraceEnd::stop);
  CHECK(delayed.value_at(0_s) == 0.0);
  CHECK(delayed.next_change(0_s) == 5_s);
  CHECK(delayed.value_at(5_s) == 1.0);
}

TEST_CASE("scale multiplies every value") {
  const TraceSeries s = three_samples();
  TraceCursor c(s, Time::zero(), 2.5, TraceEnd::hold);
  CHECK(c.value_at(0_s) == 2.5);
  CHECK(c.value_at(1_h) == 10.0);
  CHECK(c.scale() == 2.5);
}

TEST_CASE("replay conserves the trace's integral over one span, many loops and any offset") {
  const TraceSeries s = three_samples();
  TraceCursor once(s, Time::zero(), 1.0, TraceEnd::stop);
  CHECK(replay_integral(once, 10_h) == doctest::Approx(130.0));
  TraceCursor looped(s, Time::zero(), 1.0, TraceEnd::loop);
  CHECK(replay_integral(looped, std::int64_t{7} * s.span()) == doctest::Approx(7 * 130.0));
  TraceCursor rotated(s, 17_s, 1.0, TraceEnd::loop);
  CHECK(replay_integral(rotated, s.span()) == doctest::Approx(130.0));
}

TEST_CASE("a single looping sample never changes") {
  const TraceSeries s =
      compact(RawSamples{{42}, {3.0}}, "one", "one", TraceUnit::percent, 1_s, 300);
  CHECK(s.span() == 300_s);
  TraceCursor c(s, Time::zero(), 1.0, TraceEnd::loop);
  CHECK(c.value_at(1_h) == 3.0);
  CHECK(c.next_change(0_s) == Time::max());
}

TEST_CASE("a cursor is 32 bytes, so 20,000 VMs on traces need 640 KB of cursors") {
  CHECK(sizeof(TraceCursor) == 32);
}

TEST_CASE("CPU demand per vCPU: percent of the VM over 100, MHz over vCPUs times host MHz") {
  const TraceSeries pct = three_samples();
  CHECK(vdc::models::trace::cpu_demand_factor(pct, 4, 2000.0) == 0.01);
  const TraceSeries mhz = compact(RawSamples{{0}, {3000.0}}, "m", "m", TraceUnit::mhz, 1_s, 300);
  // 3000 MHz used by a 2-vCPU VM on 2000 MHz cores: 0.75 of a core per vCPU.
  CHECK(mhz.value(0) * vdc::models::trace::cpu_demand_factor(mhz, 2, 2000.0) ==
        doctest::Approx(0.75));
  const TraceSeries kb = compact(RawSamples{{0}, {1.0}}, "k", "k", TraceUnit::kilobytes, 1_s, 300);
  CHECK_THROWS_WITH_AS(static_cast<void>(vdc::models::trace::cpu_demand_factor(kb, 1, 1.0)),
                       "k: error: the column is in KB, not a CPU measure (expected a CPU column: "
                       "percent of the VM or MHz used)",
                       vdc::models::trace::TraceError);
}

TEST_CASE("a cursor never overflows: huge offsets and times far past a long span") {
  // A span of 4e9 s (the most uint32 seconds allow is 136 years): t + offset would overflow.
  const TraceSeries s = compact(RawSamples{{0, 2'000'000'000}, {1.0, 2.0}}, "long", "long",
                                TraceUnit::percent, 1_s, 300);
  TraceCursor loop(s, Time::from_seconds(9e9), 1.0, TraceEnd::loop);
  const Time late = Time::from_ns(9'000'000'000'000'000'000);
  CHECK(loop.value_at(late) >= 1.0);
  CHECK(loop.next_change(late) > late);
  TraceCursor stop(s, Time::max(), 1.0, TraceEnd::stop);
  CHECK(stop.value_at(0_s) == 0.0);
  CHECK(stop.next_change(late) == Time::max());
  TraceCursor hold(s, 1_s, 1.0, TraceEnd::hold);
  CHECK(hold.value_at(Time::max()) == 2.0);
}
