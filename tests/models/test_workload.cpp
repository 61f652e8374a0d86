#include <doctest/doctest.h>

#include <cmath>

#include "vdc/models/workload/cpu_generator.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::sim::literals;
using workload::VcpuGenerator;

TEST_CASE("a constant demand becomes bursts of demand x period and idle of the rest") {
  VcpuGenerator g(ConstantCpu{0.3}, 1, "vm/a/vcpu0", 10_ms);
  // First a random part of a period, so that vCPUs are not in step.
  const auto phase = g.next_burst(0_s);
  REQUIRE(phase.has_value());
  CHECK(phase->work_ns == 0.0);
  CHECK(phase->idle < 10_ms);
  const auto b = g.next_burst(0_s);
  REQUIRE(b.has_value());
  CHECK(b->work_ns == doctest::Approx(3e6));
  CHECK(b->idle == 7_ms);
  CHECK(g.level(5_s).demand == doctest::Approx(0.3));
  CHECK(g.level(5_s).until == sim::Time::max());
}

TEST_CASE("a full constant demand is one endless burst and a zero demand has no work") {
  VcpuGenerator full(ConstantCpu{1.0}, 1, "vm/a/vcpu0", 10_ms);
  CHECK(std::isinf(full.next_burst(0_s)->work_ns));
  VcpuGenerator none(ConstantCpu{0.0}, 1, "vm/a/vcpu0", 10_ms);
  CHECK_FALSE(none.next_burst(0_s).has_value());
}

TEST_CASE("deterministic on_off bursts repeat the given run and idle") {
  VcpuGenerator g(OnOffCpu{20_ms, 80_ms, BurstDistribution::deterministic}, 1, "vm/a/vcpu0", 10_ms);
  for (int i = 0; i < 3; ++i) {
    const auto b = g.next_burst(0_s);
    CHECK(b->work_ns == doctest::Approx(2e7));
    CHECK(b->idle == 80_ms);
  }
  CHECK(g.level(0_s).demand == doctest::Approx(0.2));
}

TEST_CASE("exponential, lognormal and pareto bursts have the given means") {
  for (const auto dist : {BurstDistribution::exponential, BurstDistribution::lognormal,
                          BurstDistribution::pareto}) {
    OnOffCpu w{10_ms, 30_ms, dist};
    w.cv = 2.0;
    w.alpha = 3.0;
    VcpuGenerator g(w, 3, "vm/a/vcpu0", 10_ms);
    double run = 0.0, idle = 0.0;
    const int n = 200000;
    for (int i = 0; i < n; ++i) {
      const auto b = g.next_burst(0_s);
      run += b->work_ns;
      idle += static_cast<double>(b->idle.ns());
    }
    CAPTURE(static_cast<int>(dist));
    CHECK(run / n == doctest::Approx(1e7).epsilon(0.03));
    CHECK(idle / n == doctest::Approx(3e7).epsilon(0.03));
  }
}

TEST_CASE("a tasks workload gives count bursts of size with no idle, then none") {
  VcpuGenerator g(TasksCpu{3, 2_s}, 1, "vm/a/vcpu0", 10_ms);
  CHECK(g.work_based());
  for (int i = 0; i < 3; ++i) {
    const auto b = g.next_burst(0_s);
    REQUIRE(b.has_value());
    CHECK(b->work_ns == doctest::Approx(2e9));
    CHECK(b->idle == 0_s);
  }
  CHECK_FALSE(g.next_burst(0_s).has_value());
  g.restart();
  CHECK(g.tasks_left() == 3);
}

TEST_CASE("a diurnal demand peaks at its peak hour and changes once per step") {
  DiurnalCpu d;
  d.mean = 0.4;
  d.amplitude = 0.3;
  d.peak = 14_h;
  d.step = 300_s;
  VcpuGenerator g(d, 1, "vm/a/vcpu0", 10_ms);
  CHECK(g.level(2_h).demand == doctest::Approx(0.1));
  CHECK(g.level(8_h).demand == doctest::Approx(0.4).epsilon(1e-9).scale(1.0));
  const auto at_peak = g.level(14_h + 1_s);
  CHECK(at_peak.demand == doctest::Approx(0.7));
  CHECK(at_peak.until == 14_h + 300_s);
}

TEST_CASE("a vCPU's draws depend only on the seed and its stream name") {
  const OnOffCpu w{10_ms, 10_ms, BurstDistribution::exponential};
  VcpuGenerator a(w, 42, "vm/web01/vcpu0", 10_ms);
  VcpuGenerator other(w, 42, "vm/web02/vcpu0", 10_ms);
  VcpuGenerator again(w, 42, "vm/web01/vcpu0", 10_ms);
  for (int i = 0; i < 5; ++i) {
    const double first = a.next_burst(0_s)->work_ns;
    other.next_burst(0_s);
    CHECK(again.next_burst(0_s)->work_ns == first);
  }
  VcpuGenerator b(w, 42, "vm/web02/vcpu0", 10_ms);
  VcpuGenerator c(w, 42, "vm/web01/vcpu0", 10_ms);
  CHECK(b.next_burst(0_s)->work_ns != c.next_burst(0_s)->work_ns);
}

TEST_CASE("after a diurnal step at 0% periodic bursts resume from the step's end") {
  // Steps of 8 h, mean 0.5, amplitude 0.6, peak at 4 h: 80% from 0 h and 8 h, 0% from 16 h
  // (-10% clamped), 80% again from 24 h. The first burst of 24 h arrives then and the next
  // one period later, without the bursts the 0% step did not have.
  DiurnalCpu d;
  d.mean = 0.5;
  d.amplitude = 0.6;
  d.peak = 4_h;
  d.step = 8_h;
  VcpuGenerator g(d, 1, "vm/a/vcpu0", 10_ms);
  const auto phase = g.next_burst(0_s);
  REQUIRE(phase.has_value());
  const auto first = g.next_burst(phase->idle);
  CHECK(first->work_ns == doctest::Approx(8e6));
  const auto off = g.next_burst(16_h);
  CHECK(off->work_ns == 0.0);
  CHECK(off->idle == 8_h);
  const auto back = g.next_burst(24_h);
  CHECK(back->work_ns == doctest::Approx(8e6));
  CHECK(back->next_start == 24_h + 10_ms);
}
