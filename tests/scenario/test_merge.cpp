#include <doctest/doctest.h>

#include "scenario_test_support.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;
using namespace vdc::sim::literals;

namespace {

constexpr std::string_view profiles = R"(
vm_profiles:
  web:
    vcpus: 4
    memory: 16 GiB
    cpu: {shares: normal, reservation: 1 GHz, limit: unlimited}
    guest: {os: linux-5.x}
    workload:
      cpu: {kind: on_off, run: 20ms, idle: 80ms, distribution: lognormal, cv: 1.5}
      memory: {active: 30%, touched: 80%, zero: 5%}
hosts: [{name: esx01, memory: 256 GiB, cpu: {cores_per_socket: 16}}]
)";

}  // namespace

TEST_CASE("a VM entry overrides its profile key by key at any depth") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(profiles) + R"(
vms:
  - {name: plain, profile: web}
  - {name: db01, profile: web, vcpus: 8, memory: 64 GiB}
  - {name: busy, profile: web, workload: {memory: {active: 90%, touched: 95%}}}
  - {name: hot, profile: web, cpu: {shares: high}, workload: {cpu: {idle: 10ms}}}
)"));
  const models::VmConfig& plain = named(c.vms, "plain");
  CHECK(plain.vcpus == 4);
  CHECK(plain.memory_mib == doctest::Approx(16384.0));
  CHECK(plain.guest.os == "linux-5.x");

  const models::VmConfig& db = named(c.vms, "db01");
  CHECK(db.vcpus == 8);
  CHECK(db.memory_mib == doctest::Approx(65536.0));
  CHECK(db.cpu.reservation == doctest::Approx(1000.0));

  const models::VmConfig& busy = named(c.vms, "busy");
  CHECK(busy.mem_workload.active == doctest::Approx(0.9));
  CHECK(busy.mem_workload.touched == doctest::Approx(0.95));
  CHECK(busy.mem_workload.zero == doctest::Approx(0.05));  // kept from the profile
  CHECK(std::holds_alternative<models::OnOffCpu>(busy.cpu_workload));

  const models::VmConfig& hot = named(c.vms, "hot");
  CHECK(hot.cpu.level == models::ShareLevel::high);
  CHECK(hot.cpu.reservation == doctest::Approx(1000.0));  // kept: only shares changed
  const auto& w = std::get<models::OnOffCpu>(hot.cpu_workload);
  CHECK(w.idle == 10_ms);
  CHECK(w.run == 20_ms);
  CHECK(w.cv == doctest::Approx(1.5));
}

TEST_CASE("a VM that changes the workload kind replaces the profile's CPU workload") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(profiles) + R"(
vms:
  - {name: steady, profile: web, workload: {cpu: {kind: constant, demand: 70%}}}
)"));
  const models::VmConfig& vm = c.vms.at(0);
  CHECK(std::get<models::ConstantCpu>(vm.cpu_workload).demand == doctest::Approx(0.7));
  CHECK(vm.mem_workload.active == doctest::Approx(0.3));
}

TEST_CASE("a host entry overrides its profile and keeps the rest") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
host_profiles:
  dl380:
    cpu: {sockets: 2, cores_per_socket: 16, threads_per_core: 2, frequency: 2.4 GHz}
    memory: 512 GiB
    nics: [{name: vmnic0, speed: 25 Gbps}, {name: vmnic1, speed: 25 Gbps}]
    advanced: {Mem.ShareForceSalting: 2}
hosts:
  - {name: esx01, profile: dl380}
  - {name: esx02, profile: dl380, memory: 1 TiB, cpu: {frequency: 3 GHz}, nics: [{name: vmnic9, speed: 100 Gbps}]}
vms: []
)"));
  const models::HostConfig& a = named(c.hosts, "esx01");
  CHECK(a.cpu.pcpus() == 32);
  CHECK(a.cpu.lcpus() == 64);
  CHECK(a.nics.size() == 2);
  CHECK(a.advanced.at("Mem.ShareForceSalting") == doctest::Approx(2.0));
  const models::HostConfig& b = named(c.hosts, "esx02");
  CHECK(b.memory_mib == doctest::Approx(1024.0 * 1024.0));
  CHECK(b.cpu.frequency_mhz == doctest::Approx(3000.0));
  CHECK(b.cpu.sockets == 2);  // kept from the profile
  REQUIRE(b.nics.size() == 1);  // a sequence is replaced, not merged
  CHECK(b.nics[0].name == "vmnic9");
}

TEST_CASE("a mistake in a profile is reported once however many VMs use it") {
  const LoadResult r = load(scenario_text(R"(
vm_profiles:
  web: {vcpus: 4, memory: 16 GiBs}
hosts: [{name: esx01, memory: 64 GiB}]
vms:
  - {name: "web{01..30}", profile: web}
  - {name: db01, profile: web}
)"));
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:5:27: error: bad value '16 GiBs' for 'memory': unknown unit "
                           "'GiBs' (expected KiB, MiB, GiB, TiB, MB, GB or TB)"});
}

TEST_CASE("a profile must be valid on its own, even when unused") {
  const LoadResult r = load(scenario_text(R"(
vm_profiles:
  unused: {vcpus: 0}
hosts: [{name: esx01, memory: 64 GiB}]
vms: []
)"));
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:5:19: error: bad value '0' for 'vcpus' (expected a whole "
                           "number from 1 to 768)"});
}
