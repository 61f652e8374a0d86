// When the memory model steps a host: every Mem.BalancePeriod (15 s) while something moves
// it, at a state threshold it approaches, and not at all once it has settled, until a
// change (a power-on, a working set) wakes it on the same 15 s grid. Steps are counted with
// MemoryModel::steps and the engine's own event count.
#include <doctest/doctest.h>

#include <cmath>

#include "memory_test_support.hpp"
#include "vdc/models/memory/memory_model.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::memory;
using namespace vdc::models::memory::test;
using namespace vdc::sim::literals;
using doctest::Approx;

TEST_CASE("a host whose VM has finished touching its memory stops stepping") {
  // 2048 MiB touched at 32 MiB/s: done at 64 s, seen by the step at 75 s (the fifth, after
  // 15, 30, 45 and 60 s). Nothing moves after it but the active-memory averages, so the
  // host is not stepped again, for a day.
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(65536.0));
  const VmRef vm = *model.power_on(0, make_vm("a", 4096.0, workload(0.25, 0.5))).vm;
  sim.run_until(74_s);
  CHECK(model.steps(0) == 4);
  CHECK(model.awake(0));
  sim.run_until(24_h);
  CHECK(model.steps(0) == 5);
  CHECK_FALSE(model.awake(0));
  CHECK(sim.events_processed() == 5);
  CHECK(model.host(0).dormant());
  model.finish();
  CHECK(model.host(0).vm_stats(vm.vm).touched_mib == 2048.0);
  // The host's clock still reaches the end: a day in High.
  CHECK(model.host(0).time_in(HostState::high) == 24_h);
}

TEST_CASE("a working set that grows wakes the host on its 15 s grid until it is touched") {
  // As above, asleep from 75 s. At 1 h (a grid instant) the working set rises to 3072 MiB:
  // 1024 MiB more to touch at 32 MiB/s, done at 3632 s. Steps at 3600 (the change comes
  // before the step due then), 3615, 3630 and 3645 s, where it is seen: 5 + 4 steps.
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(65536.0));
  const VmRef vm = *model.power_on(0, make_vm("a", 4096.0, workload(0.25, 0.5))).vm;
  sim.at(1_h, [&] { model.set_active(vm, 3072.0); });
  sim.run_until(3631_s);
  CHECK(model.steps(0) == 5 + 3);
  CHECK(model.host(0).vm_stats(vm.vm).touched_mib == Approx(2048.0 + 32.0 * 30.0));
  sim.run_until(2_h);
  CHECK(model.steps(0) == 5 + 4);
  CHECK_FALSE(model.awake(0));
  // The steps, and the change itself.
  CHECK(sim.events_processed() == 5 + 4 + 1);
  model.finish();
  CHECK(model.host(0).vm_stats(vm.vm).touched_mib == 3072.0);
  CHECK(model.host(0).vm_stats(vm.vm).active_mib == 3072.0);
}

TEST_CASE("the active-memory averages of a host left asleep are those of a host stepped all along") {
  // A fully active 4096 MiB VM touches it all in 128 s (steps 15 s to 135 s: 9), then the
  // host sleeps: only the averages move, toward an active fraction of 1. At 4 h its working
  // set drops to 25%: the host steps once at 4 h and sleeps again. At 5 h, 60 samples of
  // 0.25 later, the fast average (gain 0.5) has settled and the slow one (gain 0.1) is at
  // 0.25 + 0.75 x 0.9^60: the estimate the idle tax would use.
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(65536.0));
  const VmConfig config = make_vm("a", 4096.0, workload(1.0, 1.0));
  const VmRef vm = *model.power_on(0, config).vm;
  sim.at(4_h, [&] { model.set_active(vm, 1024.0); });
  sim.run_until(5_h);
  CHECK(model.steps(0) == 9 + 1);
  model.finish();
  const double estimate = model.host(0).vm_stats(vm.vm).active_fraction;
  CHECK(estimate == Approx(0.25 + 0.75 * std::pow(0.9, 60)));

  // The same VM on a host stepped every 15 s has the same estimate, to the bit.
  HostMemory stepped(make_host(65536.0), MemoryParams{});
  const VmHandle same = stepped.power_on(config, 0_s).vm;
  run_periodic(stepped, 4_h);
  stepped.set_active(same, 1024.0, 4_h);
  run_periodic(stepped, 5_h);
  CHECK(stepped.vm_stats(same).active_fraction == estimate);
}

TEST_CASE("a host approaching a state threshold is stepped when it crosses it, then sleeps") {
  // 8192 MiB host: minFree = 245.76 + 4% of 4096 = 409.6 MiB, the Clear threshold. A
  // 1-vCPU 8192 MiB VM (overhead 48.64 + 4096 / 12288 x 90.98 = 78.967 MiB) touching 95%
  // (7782.4 MiB) at 32 MiB/s leaves free = 8192 - 78.967 - 32 t, which falls below
  // 409.6 at t = 7703.433 / 32 = 240.732 s, between the steps at 240 and 255 s: the host
  // enters Clear then, not at 255 s. Touching ends at 243.2 s with 330.6 MiB free, above
  // Soft (262.144): the host stays in Clear and sleeps after the step at 255 s.
  sim::Simulator sim;
  MemoryModel model(sim, {});
  model.add_host(make_host(8192.0));
  model.power_on(0, make_vm("a", 8192.0, workload(0.25, 0.95)));
  sim.run_until(10_min);
  const double crossing = (8192.0 - (48.64 + 4096.0 / 12288.0 * 90.98) - 409.6) / 32.0;
  CHECK(model.host(0).time_in(HostState::high).seconds() == Approx(crossing).epsilon(1e-6));
  CHECK(model.host(0).state() == HostState::clear);
  CHECK(model.host(0).stats().free_mib == Approx(8192.0 - 78.9667 - 7782.4).epsilon(1e-5));
  CHECK_FALSE(model.awake(0));
  const std::uint64_t steps = model.steps(0);
  sim.run_until(720_h);
  CHECK(model.steps(0) == steps);
  model.finish();
  CHECK(model.host(0).time_in(HostState::clear) == 720_h - model.host(0).time_in(HostState::high));
}
