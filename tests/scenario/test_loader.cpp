#include <doctest/doctest.h>

#include <filesystem>

#include "scenario_test_support.hpp"
#include "vdc/sim/time.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;
using namespace vdc::sim::literals;

TEST_CASE("the bundled default lab loads without any diagnostic") {
  const LoadResult r = load_default();
  INFO(joined(r));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  const models::ScenarioConfig& c = *r.config;
  CHECK(c.name == "overcommit-lab");
  CHECK(c.source == "<builtin:overcommit-lab.yaml>");
  CHECK(c.seed == 42);
  CHECK(c.duration == 1_h);
  CHECK(c.fidelity == models::Fidelity::fluid);
  REQUIRE(c.hosts.size() == 2);
  CHECK(c.vms.size() == 13);

  // The story of the lab: one host above 3 vCPUs per core, one well below.
  const auto ratio = [&](const std::string& host) {
    int vcpus = 0;
    for (const models::VmConfig& vm : c.vms) {
      if (vm.host == host) vcpus += vm.vcpus;
    }
    return static_cast<double>(vcpus) / named(c.hosts, host).cpu.pcpus();
  };
  CHECK(ratio("esx01") > 3.0);
  CHECK(ratio("esx02") < 2.0);
  CHECK(named(c.vms, "db01").cpu.level == models::ShareLevel::high);
  CHECK(named(c.vms, "web01").cpu.reservation == doctest::Approx(2000.0));
  CHECK_FALSE(named(c.vms, "report01").powered_on);
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].kind == models::EventKind::power_on);
  CHECK(c.events[0].at == 30_min);
}

TEST_CASE("the embedded default lab is the text of scenarios/overcommit-lab.yaml") {
  CHECK(default_scenario_yaml() == read_text(VDC_SOURCE_DIR "/scenarios/overcommit-lab.yaml"));
  CHECK(default_scenario_name() == "<builtin:overcommit-lab.yaml>");
}

TEST_CASE("quantities are converted to their base units") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
sample_interval: 500ms
hosts:
  - name: esx01
    memory: 2 TiB
    cpu: {frequency: 2.4 GHz}
    nics: [{name: a, speed: 25 Gbps}, {name: b, speed: 100 Mbps}]
  - {name: esx02, memory: 1 GB, cpu: {frequency: 2600 MHz}}
  - {name: esx03, memory: 4096}
vms:
  - name: vm1
    host: esx01
    memory: 16 GiB
    cpu: {reservation: 1.5 GHz, limit: 3000 MHz}
    mem: {reservation: 512 MiB, limit: 1 GiB}
    workload:
      cpu: {kind: on_off, run: 20ms, idle: 2m}
      memory: {active: 35%, touched: 0.5}
)"));
  CHECK(c.sample_interval == 500_ms);
  const models::HostConfig& esx01 = named(c.hosts, "esx01");
  CHECK(esx01.memory_mib == doctest::Approx(2.0 * 1024 * 1024));
  CHECK(esx01.cpu.frequency_mhz == doctest::Approx(2400.0));
  CHECK(esx01.nics[0].speed_mbps == doctest::Approx(25'000.0));
  CHECK(esx01.nics[1].speed_mbps == doctest::Approx(100.0));
  CHECK(named(c.hosts, "esx02").memory_mib == doctest::Approx(1e9 / 1048576.0));
  CHECK(named(c.hosts, "esx02").cpu.frequency_mhz == doctest::Approx(2600.0));
  CHECK(named(c.hosts, "esx03").memory_mib == doctest::Approx(4096.0));
  const models::VmConfig& vm = c.vms.at(0);
  CHECK(vm.memory_mib == doctest::Approx(16384.0));
  CHECK(vm.cpu.reservation == doctest::Approx(1500.0));
  CHECK(vm.cpu.limit.value() == doctest::Approx(3000.0));
  CHECK(vm.mem.reservation == doctest::Approx(512.0));
  CHECK(vm.mem.limit.value() == doctest::Approx(1024.0));
  const auto& on_off = std::get<models::OnOffCpu>(vm.cpu_workload);
  CHECK(on_off.run == 20_ms);
  CHECK(on_off.idle == 2_min);
  CHECK(vm.mem_workload.active == doctest::Approx(0.35));
  CHECK(vm.mem_workload.touched == doctest::Approx(0.5));
}

TEST_CASE("shares take a level or a number") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
hosts: [{name: esx01, memory: 64 GiB}]
vms:
  - {name: a, cpu: {shares: low}, mem: {shares: high}}
  - {name: b, cpu: {shares: 3000}}
)"));
  CHECK(named(c.vms, "a").cpu.level == models::ShareLevel::low);
  CHECK(named(c.vms, "a").mem.level == models::ShareLevel::high);
  CHECK(named(c.vms, "b").cpu.level == models::ShareLevel::custom);
  CHECK(named(c.vms, "b").cpu.custom_shares == 3000);
}

TEST_CASE("mem.max_balloon is a VM's sched.mem.maxmemctl, from its profile or its own entry") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
hosts: [{name: esx01, memory: 64 GiB}]
vm_profiles:
  capped: {memory: 8 GiB, mem: {reservation: 1 GiB, max_balloon: 2 GiB}}
vms:
  - {name: a, profile: capped}
  - {name: b, profile: capped, mem: {max_balloon: unlimited}}
  - {name: c, mem: {max_balloon: 0}}
  - {name: d, mem: {max_balloon: 1.5 GB}}
  - {name: e}
)"));
  const models::VmConfig& a = named(c.vms, "a");
  CHECK(a.mem_max_balloon.value() == doctest::Approx(2048.0));
  CHECK(a.mem.reservation == doctest::Approx(1024.0));
  // The entry's `unlimited` removes the profile's cap and keeps its reservation.
  CHECK_FALSE(named(c.vms, "b").mem_max_balloon.has_value());
  CHECK(named(c.vms, "b").mem.reservation == doctest::Approx(1024.0));
  CHECK(named(c.vms, "c").mem_max_balloon.value() == 0.0);
  CHECK(named(c.vms, "d").mem_max_balloon.value() == doctest::Approx(1.5e9 / 1048576.0));
  CHECK_FALSE(named(c.vms, "e").mem_max_balloon.has_value());
}

TEST_CASE("every CPU workload kind is read with its keys") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
hosts: [{name: esx01, memory: 64 GiB}]
vms:
  - {name: c, workload: {cpu: {kind: constant, demand: 50%}}}
  - {name: o, workload: {cpu: {kind: on_off, run: 5ms, idle: 15ms, distribution: lognormal, cv: 2}}}
  - {name: p, workload: {cpu: {kind: on_off, run: 5ms, idle: 0s, distribution: pareto, alpha: 1.5}}}
  - {name: d, workload: {cpu: {kind: diurnal, mean: 40%, amplitude: 30%, peak: "14:30", noise: 5%, step: 1m}}}
  - {name: t, workload: {cpu: {kind: tasks, count: 10, size: 30s}}}
)"));
  CHECK(std::get<models::ConstantCpu>(named(c.vms, "c").cpu_workload).demand == doctest::Approx(0.5));
  const auto& o = std::get<models::OnOffCpu>(named(c.vms, "o").cpu_workload);
  CHECK(o.distribution == models::BurstDistribution::lognormal);
  CHECK(o.cv == doctest::Approx(2.0));
  const auto& p = std::get<models::OnOffCpu>(named(c.vms, "p").cpu_workload);
  CHECK(p.distribution == models::BurstDistribution::pareto);
  CHECK(p.alpha == doctest::Approx(1.5));
  CHECK(p.idle == sim::Time::zero());
  const auto& d = std::get<models::DiurnalCpu>(named(c.vms, "d").cpu_workload);
  CHECK(d.mean == doctest::Approx(0.4));
  CHECK(d.amplitude == doctest::Approx(0.3));
  CHECK(d.peak == 14_h + 30_min);
  CHECK(d.noise == doctest::Approx(0.05));
  CHECK(d.step == 1_min);
  const auto& t = std::get<models::TasksCpu>(named(c.vms, "t").cpu_workload);
  CHECK(t.count == 10);
  CHECK(t.size == 30_s);
}

TEST_CASE("a trace path is resolved next to the scenario file, with {i} the VM's index") {
  const std::string dir = VDC_SOURCE_DIR "/tests/scenario/data";
  const LoadResult r = load_file(dir + "/trace-lab.yaml");
  INFO(joined(r));
  REQUIRE(r.ok());
  const models::ScenarioConfig& c = *r.config;
  REQUIRE(c.vms.size() == 2);
  for (int i = 1; i <= 2; ++i) {
    const models::VmConfig& vm = c.vms[static_cast<std::size_t>(i - 1)];
    CHECK(vm.index == i);
    const auto& trace = std::get<models::TraceCpu>(vm.cpu_workload);
    CHECK(trace.file == dir + "/traces/" + std::to_string(i) + ".csv");
    CHECK(trace.format == models::TraceFormat::csv);
    CHECK(trace.column == "cpu_pct");
    CHECK(trace.time_column == "t");
    CHECK(trace.offset == 10_min);
    CHECK(trace.scale == doctest::Approx(0.5));
    CHECK(trace.at_end == models::TraceEnd::hold);
  }
}

TEST_CASE("a file that cannot be read is reported at its first line") {
  const LoadResult r = load_file("no/such/scenario.yaml");
  CHECK_FALSE(r.ok());
  CHECK(messages(r) == std::vector<std::string>{
                           "no/such/scenario.yaml:1:1: error: cannot read the file (expected a "
                           "readable scenario file)"});
}

TEST_CASE("datastores load without a warning; sweep is read by vdcsim sweep") {
  const LoadResult r = load(scenario_text(R"(hosts: [{name: esx01, memory: 64 GiB}]
vms: []
datastores: [{name: ds1, capacity: 1 TiB}]
sweep: {vms: [10, 20]}
)"));
  REQUIRE(r.ok());
  CHECK(r.diagnostics.empty());
  REQUIRE(r.config->storage.datastores.size() == 1);
  CHECK(r.config->storage.datastores[0].name == "ds1");
}

TEST_CASE("parameters and advanced settings are stored in their base units") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
parameters: {cpu.quantum: 50ms}
hosts:
  - {name: esx01, memory: 64 GiB, advanced: {Mem.ShareForceSalting: 0, Mem.IdleTax: 50}}
vms: []
)"));
  CHECK(c.parameters.at("cpu.quantum") == doctest::Approx(0.05));
  const models::HostConfig& h = c.hosts.at(0);
  CHECK(h.advanced.at("Mem.ShareForceSalting") == doctest::Approx(0.0));
  CHECK(h.advanced.at("Mem.IdleTax") == doctest::Approx(50.0));
}

TEST_CASE("overrides replace the seed, the fidelity and the duration") {
  models::ScenarioConfig c = *load_default().config;
  CHECK_FALSE(apply(c, Overrides{}).has_value());
  CHECK(c.seed == 42);
  CHECK_FALSE(apply(c, Overrides{7, models::Fidelity::detailed, 10_s}).has_value());
  CHECK(c.seed == 7);
  CHECK(c.fidelity == models::Fidelity::detailed);
  CHECK(c.duration == 10_s);
  CHECK(parse_fidelity("fluid") == models::Fidelity::fluid);
  CHECK(parse_fidelity("detailed") == models::Fidelity::detailed);
  CHECK_FALSE(parse_fidelity("fast").has_value());
}

TEST_CASE("warmup is a time from 0 to below the duration") {
  CHECK(load_ok(scenario_text("warmup: 20m\nhosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n")).warmup == 20_min);
  CHECK(load_ok(scenario_text("warmup: 0\nhosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n")).warmup == sim::Time::zero());
  CHECK(load_ok(scenario_text("warmup: 90\nhosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n")).warmup == 90_s);
  // Written before the duration, checked against it all the same.
  CHECK(load_ok("warmup: 3599s\nname: t\nduration: 1h\nhosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n").warmup ==
        59_min + 59_s);
}

TEST_CASE("a warmup that is not below the duration is an error at the warmup") {
  const auto errors = [](std::string_view head) {
    return messages(load(std::string(head) + "hosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n"));
  };
  CHECK(errors("name: t\nduration: 1h\nwarmup: 1h\n") ==
        std::vector<std::string>{
            "t.yaml:3:9: error: bad value '1h' for 'warmup': the run lasts only '1h' (expected a "
            "warm-up shorter than the duration, so that the reports measure something)"});
  CHECK(errors("name: t\nwarmup: 2h\nduration: 90m\n") ==
        std::vector<std::string>{
            "t.yaml:2:9: error: bad value '2h' for 'warmup': the run lasts only '90m' (expected a "
            "warm-up shorter than the duration, so that the reports measure something)"});
  CHECK(errors("name: t\nduration: 1h\nwarmup: -5m\n") ==
        std::vector<std::string>{
            "t.yaml:3:9: error: bad value '-5m' for 'warmup': negative duration (expected a time from 0 to below the "
            "duration, like 20m)"});
  CHECK(errors("name: t\nduration: 1h\nwarmup: [5m]\n") ==
        std::vector<std::string>{
            "t.yaml:3:9: error: 'warmup' is a sequence (expected a time from 0 to below the "
            "duration, like 20m)"});
  // A bad duration is reported once, not again through the warmup.
  CHECK(errors("name: t\nduration: 0s\nwarmup: 10m\n") ==
        std::vector<std::string>{
            "t.yaml:2:11: error: bad value '0s' for 'duration' (expected a duration above 0 and up "
            "to 366d, like 1h)"});
}

TEST_CASE("a --duration at or below the scenario's warmup is refused") {
  models::ScenarioConfig c =
      load_ok(scenario_text("warmup: 20m\nhosts: [{name: esx01, memory: 1 GiB}]\nvms: []\n"));
  const std::optional<std::string> refused = apply(c, Overrides{7, std::nullopt, 20_min});
  REQUIRE(refused.has_value());
  CHECK(*refused ==
        "--duration 20m is not above the warm-up of t.yaml ('warmup: 20m'): the reports would "
        "measure nothing (expected a duration above 20m, or a shorter warm-up in the scenario)");
  CHECK(apply(c, Overrides{std::nullopt, std::nullopt, 5_min}).has_value());
  CHECK_FALSE(apply(c, Overrides{std::nullopt, std::nullopt, 21_min}).has_value());
  CHECK(c.duration == 21_min);
  CHECK(c.warmup == 20_min);
}
