// The memory model inside a run: admission control beside the CPU's, the slowdown of a VM
// whose active memory is not resident, and the memory overcommit lab end to end.
#include <doctest/doctest.h>

#include <vector>

#include "scenario_builder.hpp"
#include "vdc/models/memory/memory_model.hpp"
#include "vdc/scenario/loader.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

VmConfig reserved_vm(std::string name, double cpu_mhz, double mem_mib) {
  VmConfig v = make_vm(std::move(name), "esx", 1, busy(0.1));
  v.cpu.reservation = cpu_mhz;
  v.mem.reservation = mem_mib;
  return v;
}

/// Busy time of a 1-vCPU VM running alone on an idle host: its used MHz over the run.
double busy_seconds(const RunResult& r, std::string_view vm, double mhz) {
  const auto id = r.metrics.find(metric::vm_entity(vm), metric::vm_cpu_used_mhz);
  REQUIRE(id.has_value());
  return r.metrics.integral(*id) / mhz;
}

/// A 4096 MiB guest that keeps all of its memory active, held to 4000 MiB by a limit: the
/// balloon takes 96 MiB of active memory, which the guest pages.
VmConfig limited_job(sim::Time work) {
  VmConfig v = make_vm("job", "esx", 1, TasksCpu{1, work});
  v.memory_mib = 4096.0;
  v.mem_workload = MemoryWorkload{1.0, 1.0, 0.0, 0.0, 0.0};
  v.mem.limit = 4000.0;
  return v;
}

HostConfig small_pages_host() {
  HostConfig h = make_host("esx", 2, 2000.0);
  h.advanced["Mem.AllocGuestLargePage"] = 0.0;
  return h;
}

}  // namespace

TEST_CASE("memory admission refuses a reservation that does not fit, and charges nothing") {
  // Host of 2048 MiB and one 2000 MHz core. Overhead of a 1-vCPU 1024 MiB VM: 25.90 MiB
  // (the B.7 table). a reserves 500 MHz and 1024 MiB: 2048 - 1049.90 = 998.10 MiB left.
  // b asks 1000 MHz (fits) and 1024 MiB (does not): refused by memory, and its CPU must
  // not stay charged, or c's 1500 MHz would not fit. d asks 1000 MHz (refused by CPU)
  // and 900 MiB: not charged either, so e's 900 MiB fits in 998.10 - 25.90 (c's
  // overhead) = 972.20.
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    auto s = make_scenario(1_s, f);
    HostConfig host = make_host("esx", 1, 2000.0);
    host.memory_mib = 2048.0;
    s.hosts.push_back(host);
    s.vms.push_back(reserved_vm("a", 500.0, 1024.0));
    s.vms.push_back(reserved_vm("b", 1000.0, 1024.0));
    s.vms.push_back(reserved_vm("c", 1500.0, 0.0));
    s.vms.push_back(reserved_vm("d", 1000.0, 900.0));
    s.vms.push_back(reserved_vm("e", 0.0, 900.0));
    const RunResult r = run_scenario(s);
    CHECK(vm_facts(r, "a").powered_on);
    REQUIRE(vm_facts(r, "b").admission.has_value());
    CHECK(*vm_facts(r, "b").admission ==
          "memory reservation 1024 MiB plus overhead 25.90 MiB exceeds unreserved 998.10 MiB in "
          "host esx");
    CHECK(vm_facts(r, "c").powered_on);
    REQUIRE(vm_facts(r, "d").admission.has_value());
    CHECK(*vm_facts(r, "d").admission == "cpu reservation 1000 MHz exceeds unreserved 0 MHz in host esx");
    CHECK(vm_facts(r, "e").powered_on);
    CHECK(vm_facts(r, "b").mem_reservation_mib == 1024.0);
  }
}

TEST_CASE("a migration the destination's memory cannot admit is refused") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  HostConfig small = make_host("small", 1, 2000.0);
  small.memory_mib = 1024.0;
  s.hosts.push_back(small);
  s.vms.push_back(reserved_vm("vm", 0.0, 1024.0));
  s.events.push_back(event(1_s, EventKind::migrate, "vm", "small"));
  const RunResult r = run_scenario(s);
  CHECK(vm_facts(r, "vm").host == "esx");
  CHECK(vm_facts(r, "vm").powered_on);
}

TEST_CASE("a migration is refused where a pool of the destination holds its memory") {
  // small has 2048 MiB, of which its pool 'held' reserves `held` MiB (fixed) though it runs
  // nothing. vm reserves 1000 MiB of 1024, plus 25.90 overhead: 1025.90 MiB. The host's
  // memory model alone would admit it (no VM on small); the pool's reservation does not.
  const auto run = [](double held) {
    auto s = make_scenario(10_s);
    s.hosts.push_back(make_host("esx", 1, 2000.0));
    HostConfig small = make_host("small", 1, 2000.0);
    small.memory_mib = 2048.0;
    s.hosts.push_back(small);
    PoolConfig pool;
    pool.name = "held";
    pool.parent = "small";
    pool.mem.reservation = held;
    pool.mem.expandable = false;
    s.pools.push_back(pool);
    s.vms.push_back(reserved_vm("vm", 0.0, 1000.0));
    s.events.push_back(event(1_s, EventKind::migrate, "vm", "small"));
    return run_scenario(s);
  };
  // 2048 - 1024 = 1024 < 1025.90: the VM stays on esx.
  const RunResult refused = run(1024.0);
  CHECK(vm_facts(refused, "vm").host == "esx");
  CHECK(vm_facts(refused, "vm").powered_on);
  // 2048 - 1000 = 1048 >= 1025.90: it moves.
  const RunResult moved = run(1000.0);
  CHECK(vm_facts(moved, "vm").host == "small");
  CHECK(vm_facts(moved, "vm").powered_on);
}

TEST_CASE("a VM whose active memory is paged finishes its task later by the memory factor") {
  // The guest touches its 4096 MiB at 32 MiB/s (128 s). At the step of 135 s (steps every
  // 15 s) its granted memory is over the limit: the balloon takes 96 MiB of active memory,
  // touched once per 60 s sample period at 2 ms per guest page-in:
  //   factor = 1 / (1 + 256 x 96 x 0.002 / 60) = 1 / 1.8192 = 0.5497.
  // 200 s of work: 135 s at full speed, the other 65 s at the factor: done at
  // 135 + 65 / 0.5497 = 253.2 s instead of 200 s. Its vCPU demands a whole core either
  // way, and gets it.
  constexpr double expected_factor = 1.0 / (1.0 + 256.0 * 96.0 * 0.002 / 60.0);
  const sim::Time work = 200_s;

  // The factor the memory model reports for this VM, on its own.
  sim::Simulator msim;
  memory::MemoryModel model(msim, {});
  model.add_host(small_pages_host());
  std::vector<std::pair<double, double>> heard;  // (time s, factor)
  model.set_progress_listener(
      [&](memory::VmRef, double p) { heard.emplace_back(msim.now().seconds(), p); });
  const memory::VmRef ref = *model.power_on(0, limited_job(work)).vm;
  msim.run_until(400_s);
  REQUIRE(heard.size() == 1);
  CHECK(heard[0].first == doctest::Approx(135.0));
  CHECK(heard[0].second == doctest::Approx(expected_factor));
  CHECK(model.progress_factor(ref) == heard[0].second);
  const double slow_from = heard[0].first;
  const double factor = heard[0].second;

  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    auto s = make_scenario(400_s, f);
    s.hosts.push_back(small_pages_host());
    s.vms.push_back(limited_job(work));
    const RunResult pressed = run_scenario(s);
    s.vms[0].mem.limit.reset();
    const RunResult free = run_scenario(s);

    const auto done = [](const RunResult& r) {
      return r.metrics.total(*r.metrics.find(metric::vm_entity("job"), metric::vm_cpu_tasks_completed));
    };
    CHECK(done(free) == 1.0);
    CHECK(done(pressed) == 1.0);
    const double t_free = busy_seconds(free, "job", 2000.0);
    const double t_pressed = busy_seconds(pressed, "job", 2000.0);
    CHECK(t_free == doctest::Approx(200.0).epsilon(1e-6));
    // The part after the slowdown takes 1 / factor as long.
    CHECK(t_pressed - slow_from == doctest::Approx((t_free - slow_from) / factor).epsilon(1e-6));
    CHECK(t_pressed == doctest::Approx(253.2).epsilon(1e-3));
    CHECK(vm_avg(pressed, "job", metric::vm_mem_balloon_mib) > 0.0);
  }
}

TEST_CASE("the memory overcommit lab shares, then balloons, then compresses and swaps") {
  // scenarios/memory-overcommit-lab.yaml, loaded and run as vdcsim would: an 8 GiB VM
  // boots every 10 minutes on a 64 GiB host (its comments give the expected story).
  const scenario::LoadResult loaded =
      scenario::load_file(VDC_SOURCE_DIR "/scenarios/memory-overcommit-lab.yaml");
  REQUIRE(loaded.ok());
  const RunResult r = run_scenario(*loaded.config);

  // First 20 s interval in which each quantity is above zero on the host.
  const auto first = [&](std::string_view name) {
    const auto id = r.metrics.find(metric::host_entity("esx01"), name);
    REQUIRE(id.has_value());
    const auto series = r.metrics.series(*id);
    REQUIRE(series.size() == 720);  // 4 h of 20 s intervals
    for (std::size_t i = 0; i < series.size(); ++i) {
      if (series[i] > 0.0) return static_cast<int>(i);
    }
    return -1;
  };
  const int shared = first(metric::host_mem_shared_saved_mib);
  const int balloon = first(metric::host_mem_balloon_mib);
  const int compressed = first(metric::host_mem_compressed_mib);
  const int swapped = first(metric::host_mem_swapped_mib);
  INFO("first shared ", shared * 20, " s, balloon ", balloon * 20, " s, compressed ",
       compressed * 20, " s, swapped ", swapped * 20, " s");
  REQUIRE(shared >= 0);
  CHECK(shared < balloon);
  CHECK(balloon < compressed);
  CHECK(balloon < swapped);
  // Sharing waits for vm08 (70 min) to push free memory below the High threshold.
  CHECK(shared * 20 >= 70 * 60);

  const double high = host_avg(r, "esx01", metric::host_mem_state_high);
  const double soft = host_avg(r, "esx01", metric::host_mem_state_soft);
  const double hard = host_avg(r, "esx01", metric::host_mem_state_hard);
  INFO("time in state: high ", high, ", soft ", soft, ", hard ", hard);
  CHECK(high > 0.0);
  CHECK(soft > 0.0);
  CHECK(hard > 0.0);
  for (const VmFacts& vm : r.vms) CHECK(vm.powered_on);
}
