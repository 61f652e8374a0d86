// The run driver: parameters, events, placement, admission facts, series and memory gauges.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>

#include "scenario_builder.hpp"
#include "vdc/models/cpu/cpu_parameters.hpp"
#include "vdc/models/parameters.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

double state_sum(const RunResult& r, std::string_view vm) {
  return vm_avg(r, vm, metric::vm_cpu_run) + vm_avg(r, vm, metric::vm_cpu_ready) +
         vm_avg(r, vm, metric::vm_cpu_costop) + vm_avg(r, vm, metric::vm_cpu_wait);
}

}  // namespace

TEST_CASE("every CPU parameter is registered with its unit, default and reference") {
  const ModelParameter* q = find_parameter("cpu.quantum", ParameterScope::model);
  REQUIRE(q != nullptr);
  CHECK(q->unit == ParameterUnit::seconds);
  CHECK(q->default_value == doctest::Approx(0.020));
  CHECK(find_parameter("cpu.quantum", ParameterScope::advanced) == nullptr);
  for (const char* name : {"cpu.skew_threshold", "cpu.ht_factor", "cpu.numa_remote_penalty",
                           "cpu.fluid_costop_factor", "workload.constant_period"}) {
    CAPTURE(name);
    const ModelParameter* p = find_parameter(name, ParameterScope::model);
    REQUIRE(p != nullptr);
    CHECK_FALSE(p->help.empty());
    CHECK_FALSE(p->reference.empty());
    CHECK(p->default_value >= p->min_value);
    CHECK(p->default_value <= p->max_value);
  }
  bool memory = false;
  for (const ModelArea& a : model_areas()) memory = memory || a.name == "memory";
  CHECK(memory);
  // The struct's defaults are the declared ones.
  const cpu::CpuParameters declared = cpu::CpuParameters::from({});
  const cpu::CpuParameters built;
  CHECK(declared.quantum == built.quantum);
  CHECK(declared.skew_threshold == built.skew_threshold);
  CHECK(declared.costart_skew == built.costart_skew);
  CHECK(declared.idle_credit == built.idle_credit);
  CHECK(declared.ht_factor == built.ht_factor);
  CHECK(declared.numa_remote_penalty == built.numa_remote_penalty);
  CHECK(declared.vnuma_min_vcpus == built.vnuma_min_vcpus);
  CHECK(declared.fluid_costop_factor == built.fluid_costop_factor);
  CHECK(declared.fluid_queueing == built.fluid_queueing);
  CHECK(declared.constant_period == built.constant_period);
  CHECK(cpu::CpuParameters::from({{"cpu.quantum", 0.005}}).quantum == 5_ms);
}

TEST_CASE("a powered-off VM uses nothing and its vCPUs count as waiting") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    auto s = make_scenario(10_s, f);
    s.hosts.push_back(make_host("esx", 2, 2000.0));
    s.vms.push_back(make_vm("vm", "esx", 1, busy()));
    s.events.push_back(event(5_s, EventKind::power_off, "vm"));
    const RunResult r = run_scenario(s);
    CHECK(vm_avg(r, "vm", metric::vm_cpu_used_mhz) == doctest::Approx(1000.0));
    CHECK(vm_avg(r, "vm", metric::vm_cpu_run) == doctest::Approx(0.5));
    CHECK(vm_avg(r, "vm", metric::vm_cpu_wait) == doctest::Approx(0.5));
    CHECK_FALSE(vm_facts(r, "vm").powered_on);
    CHECK(vm_facts(r, "vm").host == "esx");
    CHECK(r.hosts[0].vcpus == 0);
  }
}

TEST_CASE("a failed host powers its VMs off and restoring it does not power them back on") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 2, 2000.0));
  s.vms.push_back(make_vm("vm", "esx", 2, busy()));
  s.events.push_back(event(2_s, EventKind::fail_host, "esx"));
  s.events.push_back(event(4_s, EventKind::restore_host, "esx"));
  s.events.push_back(event(6_s, EventKind::power_on, "vm"));
  const RunResult r = run_scenario(s);
  // On for 2 s, off for 4 s, on again for 4 s.
  CHECK(vm_avg(r, "vm", metric::vm_cpu_used_mhz) == doctest::Approx(0.6 * 4000.0));
  CHECK(vm_facts(r, "vm").powered_on);
  CHECK(r.hosts[0].vcpus == 2);
}

TEST_CASE("a VM cannot power on while its host is down") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 2, 2000.0));
  VmConfig vm = make_vm("vm", "esx", 1, busy());
  vm.powered_on = false;
  s.vms.push_back(vm);
  s.events.push_back(event(1_s, EventKind::fail_host, "esx"));
  s.events.push_back(event(2_s, EventKind::power_on, "vm"));
  const RunResult r = run_scenario(s);
  REQUIRE(vm_facts(r, "vm").admission.has_value());
  CHECK(*vm_facts(r, "vm").admission == "host esx is down");
}

TEST_CASE("a migrated VM keeps running on its new host and its tasks carry on") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    auto s = make_scenario(10_s, f);
    s.hosts.push_back(make_host("a", 1, 2000.0));
    s.hosts.push_back(make_host("b", 1, 2000.0));
    s.vms.push_back(make_vm("job", "a", 1, TasksCpu{1, 4_s}));
    s.events.push_back(event(2_s, EventKind::migrate, "job", "b"));
    const RunResult r = run_scenario(s);
    CHECK(vm_facts(r, "job").host == "b");
    const auto done = r.metrics.find(metric::vm_entity("job"), metric::vm_cpu_tasks_completed);
    CHECK(r.metrics.total(*done) == 1.0);
    // 4 s of work done by 4 s: 2 s on each host.
    CHECK(vm_avg(r, "job", metric::vm_cpu_used_mhz) == doctest::Approx(800.0).epsilon(1e-6));
    CHECK(host_avg(r, "a", metric::host_cpu_used_mhz) == doctest::Approx(400.0).epsilon(1e-6));
    CHECK(host_avg(r, "b", metric::host_cpu_used_mhz) == doctest::Approx(400.0).epsilon(1e-6));
  }
}

TEST_CASE("a migrated VM keeps demanding what its workload asks, busy vCPUs included") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    auto s = make_scenario(4_s, f);
    s.hosts.push_back(make_host("a", 2, 2000.0));
    s.hosts.push_back(make_host("b", 2, 2000.0));
    s.vms.push_back(make_vm("hog", "a", 1, busy()));
    s.vms.push_back(make_vm("job", "a", 1, TasksCpu{1, 10_s}));
    s.events.push_back(event(2_s, EventKind::migrate, "hog", "b"));
    s.events.push_back(event(2_s, EventKind::migrate, "job", "b"));
    const RunResult r = run_scenario(s);
    for (const char* vm : {"hog", "job"}) {
      CAPTURE(vm);
      CHECK(vm_avg(r, vm, metric::vm_cpu_demand_mhz) == doctest::Approx(2000.0));
      CHECK(vm_avg(r, vm, metric::vm_cpu_used_mhz) == doctest::Approx(2000.0));
    }
  }
}

TEST_CASE("a VM without a host goes to the least loaded host of its cluster") {
  auto s = make_scenario(1_s);
  for (const char* name : {"h1", "h2"}) {
    HostConfig h = make_host(name, 4, 2000.0);
    h.cluster = "c";
    s.hosts.push_back(h);
  }
  s.clusters.push_back(ClusterConfig{"c", {"h1", "h2"}});
  s.vms.push_back(make_vm("big", "h1", 4, busy()));
  VmConfig floating = make_vm("floating", "", 2, busy());
  floating.cluster = "c";
  s.vms.push_back(floating);
  const RunResult r = run_scenario(s);
  CHECK(vm_facts(r, "floating").host == "h2");
  CHECK(vm_facts(r, "floating").cluster == "c");
}

TEST_CASE("link events leave CPU alone, and a scenario without networks: builds no network area") {
  auto s = make_scenario(4_s);
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  s.vms.push_back(make_vm("vm", "esx", 1, busy()));
  s.events.push_back(event(1_s, EventKind::link_down, "esx/vmnic0"));
  s.events.push_back(event(2_s, EventKind::link_up, "esx/vmnic0"));
  const RunResult r = run_scenario(s);
  CHECK(vm_avg(r, "vm", metric::vm_cpu_used_mhz) == doctest::Approx(2000.0));
  CHECK(std::none_of(r.areas.begin(), r.areas.end(), [](const AreaSpec* a) { return a->name == "network"; }));
  CHECK(r.view().section("network") == nullptr);
}

TEST_CASE("a stop request ends the run early with a partial result") {
  auto s = make_scenario(1_h, Fidelity::detailed);
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  s.vms.push_back(make_vm("a", "esx", 1, OnOffCpu{1_ms, 1_ms, BurstDistribution::exponential}));
  std::atomic<bool> stop{false};
  RunOptions o;
  o.stop_requested = &stop;
  o.progress_every = 1000;
  int calls = 0;
  o.progress = [&](sim::Time, std::uint64_t) {
    if (++calls == 3) stop = true;
  };
  const RunResult r = run_scenario(s, o);
  CHECK(r.partial);
  CHECK(calls == 3);
  CHECK(r.duration > sim::Time::zero());
  CHECK(r.duration < 1_h);
  CHECK(r.events > 0);
  CHECK(state_sum(r, "a") == doctest::Approx(1.0));
}

TEST_CASE("gauge series are kept for small runs and dropped beyond the memory budget") {
  auto s = make_scenario(60_s);
  s.sample_interval = 20_s;
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  s.vms.push_back(make_vm("vm", "esx", 1, busy(0.5)));
  const RunResult kept = run_scenario(s);
  const auto host_used = *kept.metrics.find(metric::host_entity("esx"), metric::host_cpu_used_mhz);
  const auto vm_run = *kept.metrics.find(metric::vm_entity("vm"), metric::vm_cpu_run);
  CHECK(kept.metrics.series(host_used).size() == 3);
  CHECK(kept.metrics.series(vm_run).size() == 3);
  RunOptions tight;
  tight.series_budget_bytes = 0;
  const RunResult dropped = run_scenario(s, tight);
  CHECK(dropped.metrics.series(*dropped.metrics.find(metric::vm_entity("vm"), metric::vm_cpu_run))
            .empty());
  CHECK(dropped.metrics.average(*dropped.metrics.find(metric::vm_entity("vm"),
                                                      metric::vm_cpu_run)) ==
        doctest::Approx(0.5));
}

TEST_CASE("gauges named in keep_series keep their series whatever the budget, and change nothing else") {
  auto s = make_scenario(60_s);
  s.sample_interval = 20_s;
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  s.vms.push_back(make_vm("a", "esx", 1, busy(0.5)));
  s.vms.push_back(make_vm("b", "esx", 1, busy(0.5)));
  RunOptions chosen;
  chosen.series_budget_bytes = 0;
  chosen.keep_series = {{metric::vm_entity("b"), std::string(metric::vm_cpu_run)}};
  const RunResult r = run_scenario(s, chosen);
  const auto b_run = *r.metrics.find(metric::vm_entity("b"), metric::vm_cpu_run);
  const auto a_run = *r.metrics.find(metric::vm_entity("a"), metric::vm_cpu_run);
  // 60 s at 20 s: three intervals, each at the constant 0.5 (one vCPU each on a 1-core host
  // that both half-load: no contention).
  CHECK(r.metrics.series(b_run).size() == 3);
  CHECK(r.metrics.series(b_run)[2] == doctest::Approx(0.5));
  CHECK(r.metrics.series(a_run).empty());
  CHECK(r.metrics.average(b_run) == doctest::Approx(0.5));
  CHECK(r.metrics.average(a_run) == doctest::Approx(0.5));
}

TEST_CASE("the CPU area grants cores x MHz x cpu.ht_factor to a host with two threads a core") {
  auto s = make_scenario(10_s);
  HostConfig ht = make_host("ht", 4, 2000.0);
  ht.cpu.threads_per_core = 2;
  s.hosts.push_back(ht);
  s.hosts.push_back(make_host("plain", 4, 2000.0));
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    s.fidelity = f;
    const RunResult r = run_scenario(s);
    CHECK(r.hosts[0].capacity_mhz == doctest::Approx(8000.0));
    // The CPU section of the report carries it, from the area's published constant.
    const auto granted = [&](std::size_t h) {
      return r.view().value("cpu", EntityKind::host, h, "granted_capacity_mhz").value();
    };
    CHECK(granted(0) == doctest::Approx(10000.0));  // 4 x 2000 x 1.25 (reference A.4)
    CHECK(granted(1) == doctest::Approx(8000.0));
  }
}

TEST_CASE("the memory model fills the memory gauges, its minFree and the reservations of the facts") {
  auto s = make_scenario(100_s);
  HostConfig host = make_host("esx", 1, 2000.0);  // 64 GiB
  host.advanced["Mem.MemMinFreePct"] = 10.0;
  s.hosts.push_back(host);
  VmConfig vm = make_vm("vm", "esx", 1, busy(0.1));
  vm.memory_mib = 4096.0;
  vm.mem_workload.touched = 0.5;
  vm.mem_workload.active = 0.25;
  vm.cpu.reservation = 500.0;
  vm.mem.reservation = 1024.0;
  s.vms.push_back(vm);
  const RunResult r = run_scenario(s);
  // 2048 MiB touched at 32 MiB/s by 64 s; a quarter of the VM active; far from pressure.
  const auto value = [&](std::string_view name) {
    return r.metrics.value(*r.metrics.find(metric::vm_entity("vm"), name));
  };
  CHECK(value(metric::vm_mem_granted_mib) == doctest::Approx(2048.0));
  CHECK(value(metric::vm_mem_active_mib) == doctest::Approx(1024.0));
  CHECK(value(metric::vm_mem_swapped_mib) == 0.0);
  CHECK(host_avg(r, "esx", metric::host_mem_state_high) == doctest::Approx(1.0));
  // minFree follows the host's Mem.MemMinFreePct: 10% of 64 GiB.
  CHECK(r.view().value("memory", EntityKind::host, 0, "min_free_mib").value() == doctest::Approx(6553.6));
  CHECK(vm_facts(r, "vm").cpu_reservation_mhz == 500.0);
  CHECK(vm_facts(r, "vm").mem_reservation_mib == 1024.0);
}

TEST_CASE("a VM's four CPU states average to one in both fidelities, events included") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    auto s = make_scenario(20_s, f);
    s.hosts.push_back(make_host("a", 2, 2000.0, 2));
    s.hosts.push_back(make_host("b", 2, 2000.0, 2));
    s.vms.push_back(make_vm("smp", "a", 4, OnOffCpu{4_ms, 4_ms, BurstDistribution::lognormal, 2.0}));
    s.vms.push_back(make_vm("hog", "a", 2, busy()));
    s.vms.push_back(make_vm("jobs", "a", 2, TasksCpu{3, 2_s}));
    s.events.push_back(event(5_s, EventKind::migrate, "hog", "b"));
    s.events.push_back(event(8_s, EventKind::power_off, "smp"));
    s.events.push_back(event(12_s, EventKind::power_on, "smp"));
    const RunResult r = run_scenario(s);
    for (const char* vm : {"smp", "hog", "jobs"}) {
      CAPTURE(vm);
      CHECK(state_sum(r, vm) == doctest::Approx(1.0).epsilon(1e-9));
    }
  }
}

TEST_CASE("the same scenario and seed give the same metrics") {
  auto s = make_scenario(5_s, Fidelity::detailed);
  s.hosts.push_back(make_host("esx", 2, 2000.0, 2));
  s.vms.push_back(make_vm("a", "esx", 3, OnOffCpu{2_ms, 3_ms, BurstDistribution::exponential}));
  s.vms.push_back(make_vm("b", "esx", 2, busy(0.8)));
  const RunResult one = run_scenario(s);
  const RunResult two = run_scenario(s);
  CHECK(one.events == two.events);
  for (const char* vm : {"a", "b"}) {
    CHECK(vm_avg(one, vm, metric::vm_cpu_ready) == vm_avg(two, vm, metric::vm_cpu_ready));
    CHECK(vm_avg(one, vm, metric::vm_cpu_costop) == vm_avg(two, vm, metric::vm_cpu_costop));
  }
}

namespace {

/// 100 s on a 4-core 2000 MHz host; a 2-vCPU VM at half a core per vCPU powers on at
/// 40 s: its demand steps from 0 to 2 x 0.5 x 2000 = 2000 MHz there.
ScenarioConfig step_at_40s(sim::Time warmup, Fidelity f = Fidelity::fluid) {
  auto s = make_scenario(100_s, f);
  s.sample_interval = 20_s;
  s.warmup = warmup;
  s.hosts.push_back(make_host("esx", 4, 2000.0));
  VmConfig vm = make_vm("vm", "esx", 2, busy(0.5));
  vm.powered_on = false;
  s.vms.push_back(vm);
  s.events.push_back(event(40_s, EventKind::power_on, "vm"));
  return s;
}

/// The host's series of `name` (host gauges keep theirs), whole or the window's.
std::vector<double> series_of(const RunResult& r, std::string_view name, bool window) {
  const auto id = r.metrics.find(metric::host_entity("esx"), name);
  REQUIRE(id.has_value());
  if (window) return r.metrics.window_series(*id);
  const auto s = r.metrics.series(*id);
  return {s.begin(), s.end()};
}

}  // namespace

TEST_CASE("without a warm-up the metrics cover the whole run") {
  const RunResult r = run_scenario(step_at_40s(sim::Time::zero()));
  CHECK(r.warmup == sim::Time::zero());
  CHECK(vm_avg(r, "vm", metric::vm_cpu_demand_mhz) == doctest::Approx(1200.0));  // 2000 x 60 / 100
  CHECK(series_of(r, metric::host_cpu_demand_mhz, false) == std::vector<double>{0.0, 0.0, 2000.0, 2000.0, 2000.0});
}

TEST_CASE("a warm-up before the demand step leaves its time out of every average") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    const RunResult plain = run_scenario(step_at_40s(sim::Time::zero(), f));
    const RunResult r = run_scenario(step_at_40s(30_s, f));
    CHECK(r.warmup == 30_s);
    CHECK(r.metrics.window_start() == 30_s);
    // Window [30, 100): 70 s, 60 of them at 2000 MHz.
    CHECK(vm_avg(r, "vm", metric::vm_cpu_demand_mhz) == doctest::Approx(2000.0 * 60.0 / 70.0));
    CHECK(host_avg(r, "esx", metric::host_cpu_demand_mhz) == doctest::Approx(2000.0 * 60.0 / 70.0));
    CHECK(vm_avg(r, "vm", metric::vm_cpu_used_mhz) == doctest::Approx(2000.0 * 60.0 / 70.0).epsilon(1e-3));
    // Off until 40 s counts as wait: 10 of the 70 s, plus the idle half of each vCPU after.
    CHECK(vm_avg(r, "vm", metric::vm_cpu_wait) == doctest::Approx((10.0 + 0.5 * 60.0) / 70.0).epsilon(1e-3));
    CHECK(state_sum(r, "vm") == doctest::Approx(1.0));
    if (f == Fidelity::fluid) {
      // The window's intervals: [30, 40) off, then three at 2000 MHz.
      CHECK(series_of(r, metric::host_cpu_demand_mhz, true) == std::vector<double>{0.0, 2000.0, 2000.0, 2000.0});
    }
    // The warm-up is neither an event nor a change of the series shown.
    CHECK(r.events == plain.events);
    CHECK(series_of(r, metric::host_cpu_demand_mhz, false) == series_of(plain, metric::host_cpu_demand_mhz, false));
  }
}

TEST_CASE("a warm-up across the demand step counts only what follows it") {
  const RunResult r = run_scenario(step_at_40s(50_s));
  CHECK(r.warmup == 50_s);
  // Window [50, 100): at 2000 MHz throughout, half of each vCPU idle.
  CHECK(vm_avg(r, "vm", metric::vm_cpu_demand_mhz) == doctest::Approx(2000.0));
  CHECK(vm_avg(r, "vm", metric::vm_cpu_run) == doctest::Approx(0.5));
  CHECK(vm_avg(r, "vm", metric::vm_cpu_wait) == doctest::Approx(0.5));
  const auto id = r.metrics.find(metric::host_entity("esx"), metric::host_cpu_demand_mhz);
  CHECK(r.metrics.min(*id) == 2000.0);  // the zero before 40 s is in the warm-up
  CHECK(r.metrics.percentile(*id, 0.0) == 2000.0);
  // [40, 60) counts by its part [50, 60).
  CHECK(series_of(r, metric::host_cpu_demand_mhz, true) == std::vector<double>{2000.0, 2000.0, 2000.0});
}

TEST_CASE("a run stopped before its warm-up ended reports the time it simulated") {
  std::atomic<bool> stop{true};
  RunOptions o;
  o.stop_requested = &stop;
  const RunResult r = run_scenario(step_at_40s(50_s), o);
  CHECK(r.partial);
  CHECK(r.warmup == sim::Time::zero());
  CHECK(r.metrics.window_start() == sim::Time::zero());
}
