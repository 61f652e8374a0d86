#include <doctest/doctest.h>

#include "scenario_test_support.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;
using namespace vdc::sim::literals;

TEST_CASE("a minimal scenario takes every top-level default") {
  const models::ScenarioConfig c = load_ok(R"(name: minimal
duration: 10m
hosts: [{name: esx01, memory: 64 GiB}]
vms: []
)");
  CHECK(c.name == "minimal");
  CHECK(c.description.empty());
  CHECK(c.source == "t.yaml");
  CHECK(c.seed == 1);
  CHECK(c.duration == 10_min);
  CHECK(c.warmup == sim::Time::zero());
  CHECK(c.fidelity == models::Fidelity::fluid);
  CHECK(c.sample_interval == 20_s);
  CHECK(c.parameters.empty());
  CHECK(c.clusters.empty());
  CHECK(c.pools.empty());
  CHECK(c.vms.empty());
  CHECK(c.events.empty());
}

TEST_CASE("a host with only a name and memory takes the CPU defaults") {
  const models::ScenarioConfig c = load_ok(scenario_text("hosts: [{name: esx01, memory: 64 GiB}]\nvms: []\n"));
  const models::HostConfig& h = c.hosts.at(0);
  CHECK(h.name == "esx01");
  CHECK(h.cluster.empty());
  CHECK(h.cpu.sockets == 1);
  CHECK(h.cpu.cores_per_socket == 1);
  CHECK(h.cpu.threads_per_core == 1);
  CHECK(h.cpu.frequency_mhz == doctest::Approx(2000.0));
  CHECK(h.cpu.numa_nodes == 0);
  CHECK(h.nics.empty());
  CHECK(h.gpus.empty());
  CHECK(h.advanced.empty());
}

TEST_CASE("a GPU entry counts one GPU unless told") {
  const models::ScenarioConfig c = load_ok(scenario_text(
      "hosts: [{name: esx01, memory: 64 GiB, gpus: [{model: A100-40GB}, {model: T4, count: 4}]}]\nvms: []\n"));
  const models::HostConfig& h = c.hosts.at(0);
  REQUIRE(h.gpus.size() == 2);
  CHECK(h.gpus[0].model == "A100-40GB");
  CHECK(h.gpus[0].count == 1);
  CHECK(h.gpus[1].count == 4);
}

TEST_CASE("a VM with only a name takes every VM default") {
  const models::ScenarioConfig c = load_ok(scenario_text("hosts: [{name: esx01, memory: 64 GiB}]\nvms: [{name: vm}]\n"));
  const models::VmConfig& vm = c.vms.at(0);
  CHECK(vm.index == 0);
  CHECK(vm.host == "esx01");  // the only host
  CHECK(vm.cluster.empty());
  CHECK(vm.pool.empty());
  CHECK(vm.vcpus == 1);
  CHECK(vm.memory_mib == doctest::Approx(1024.0));
  for (const models::Allocation* a : {&vm.cpu, &vm.mem}) {
    CHECK(a->level == models::ShareLevel::normal);
    CHECK(a->reservation == doctest::Approx(0.0));
    CHECK_FALSE(a->limit.has_value());
  }
  CHECK_FALSE(vm.mem_max_balloon.has_value());
  CHECK(vm.guest.os.empty());
  CHECK_FALSE(vm.guest.salt.has_value());
  CHECK(std::get<models::ConstantCpu>(vm.cpu_workload).demand == doctest::Approx(0.0));
  CHECK(vm.mem_workload.active == doctest::Approx(0.25));
  CHECK(vm.mem_workload.touched == doctest::Approx(1.0));
  CHECK(vm.mem_workload.zero == doctest::Approx(0.0));
  CHECK(vm.mem_workload.image == doctest::Approx(0.0));
  CHECK(vm.mem_workload.compressible == doctest::Approx(0.5));
  CHECK(vm.powered_on);
}

TEST_CASE("workload kinds take their defaults for the keys left out") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(hosts: [{name: esx01, memory: 64 GiB}]
vms:
  - {name: o, workload: {cpu: {kind: on_off, run: 20ms, idle: 80ms}}}
  - {name: d, workload: {cpu: {kind: diurnal, mean: 40%}}}
  - {name: t, workload: {cpu: {kind: tasks, size: 1s}}}
  - {name: r, workload: {cpu: {kind: trace, file: )" VDC_SOURCE_DIR R"(/tests/scenario/data/traces/1.csv}}}
)"));
  const auto& o = std::get<models::OnOffCpu>(named(c.vms, "o").cpu_workload);
  CHECK(o.distribution == models::BurstDistribution::exponential);
  CHECK(o.cv == doctest::Approx(1.0));
  CHECK(o.alpha == doctest::Approx(2.5));
  const auto& d = std::get<models::DiurnalCpu>(named(c.vms, "d").cpu_workload);
  CHECK(d.amplitude == doctest::Approx(0.0));
  CHECK(d.peak == sim::Time::zero());
  CHECK(d.noise == doctest::Approx(0.0));
  CHECK(d.step == 5_min);
  CHECK(std::get<models::TasksCpu>(named(c.vms, "t").cpu_workload).count == 1);
  const auto& r = std::get<models::TraceCpu>(named(c.vms, "r").cpu_workload);
  CHECK(r.format == models::TraceFormat::csv);
  CHECK(r.column.empty());
  CHECK(r.time_column.empty());
  CHECK(r.offset == sim::Time::zero());
  CHECK(r.scale == doctest::Approx(1.0));
  CHECK(r.at_end == models::TraceEnd::loop);
}

TEST_CASE("a resource pool takes normal shares, no reservation, no limit, expandable") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(hosts: [{name: esx01, memory: 64 GiB}]
resource_pools: [{name: p, parent: esx01}]
vms: []
)"));
  const models::PoolConfig& p = c.pools.at(0);
  for (const models::Allocation* a : {&p.cpu, &p.mem}) {
    CHECK(a->level == models::ShareLevel::normal);
    CHECK(a->reservation == doctest::Approx(0.0));
    CHECK_FALSE(a->limit.has_value());
    CHECK(a->expandable);
  }
}

TEST_CASE("with a trace's memory column, the memory workload's active is not held to touched") {
  // The trace sets the working set, so touched 10% under the default active 25% is valid
  // there; without a memory column the same memory workload is an error.
  const std::string file = VDC_SOURCE_DIR "/tests/scenario/data/traces/1.csv";
  const models::ScenarioConfig c = load_ok(scenario_text(
      "hosts: [{name: esx01, memory: 64 GiB}]\nvms:\n  - {name: r, workload: {cpu: {kind: trace, file: " +
      file + ", memory_column: cpu_pct}, memory: {touched: 10%}}}\n"));
  CHECK(std::get<models::TraceCpu>(named(c.vms, "r").cpu_workload).memory_column == "cpu_pct");
  const LoadResult bad = load(scenario_text(
      "hosts: [{name: esx01, memory: 64 GiB}]\nvms:\n  - {name: r, workload: {cpu: {kind: trace, file: " +
      file + "}, memory: {touched: 10%}}}\n"));
  CHECK_FALSE(bad.ok());
  CHECK(joined(bad).find("active memory 25% exceeds touched memory 10%") != std::string::npos);
}
