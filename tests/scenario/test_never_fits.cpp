// Warnings for VMs that can never power on where they are placed.
#include <doctest/doctest.h>

#include <set>
#include <string>

#include <fmt/format.h>

#include "scenario_test_support.hpp"
#include "vdc/models/datacenter.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;

namespace {

/// The names of the VMs the warnings of `r` are about.
std::set<std::string> warned(const LoadResult& r) {
  std::set<std::string> names;
  for (const Diagnostic& d : r.diagnostics) {
    REQUIRE(d.is_warning);
    const std::size_t start = d.message.find("VM '");
    REQUIRE(start != std::string::npos);
    const std::size_t end = d.message.find('\'', start + 4);
    names.insert(d.message.substr(start + 4, end - start - 4));
  }
  return names;
}

/// The names of the VMs that are off at the end of a short run of `config`.
std::set<std::string> refused(const models::ScenarioConfig& config) {
  const models::RunResult run = models::run_scenario(config);
  std::set<std::string> names;
  for (const models::VmFacts& vm : run.vms) {
    if (!vm.powered_on) {
      CHECK(vm.admission.has_value());
      names.insert(vm.name);
    }
  }
  return names;
}

}  // namespace

TEST_CASE("a VM that can never power on is valid, with a warning for each reason") {
  const LoadResult r = load(R"(name: t
duration: 1h
hosts:
  - {name: esx01, memory: 32 GiB, cpu: {cores_per_socket: 4, threads_per_core: 2, frequency: 2 GHz}}
  - {name: small, memory: 64 GiB, cpu: {cores_per_socket: 8}}
  - {name: big, memory: 32 GiB, cpu: {cores_per_socket: 16}}
clusters:
  - {name: c1, hosts: [small, big]}
vm_profiles:
  wide: {vcpus: 16}
vms:
  - {name: wide01, host: esx01, vcpus: 16}
  - {name: "web{1..3}", host: esx01, vcpus: 4, cpu: {reservation: 50 GHz}}
  - {name: db01, host: esx01, vcpus: 4, memory: 64 GiB, mem: {reservation: 64 GiB}}
  - {name: prof01, host: esx01, profile: wide}
  - {name: fits01, host: esx01, vcpus: 8, cpu: {reservation: 8 GHz}}
  - {name: c-ok, cluster: c1, vcpus: 16}
  - {name: c-wide, cluster: c1, vcpus: 32}
  - {name: c-mixed, cluster: c1, vcpus: 16, memory: 40 GiB, mem: {reservation: 40 GiB}}
)");
  CHECK(r.ok());
  CHECK(messages(r) ==
        std::vector<std::string>{
            "t.yaml:12:40: warning: VM 'wide01' can never power on: 16 vCPUs exceed the 8 "
            "logical CPUs of host 'esx01'",
            "t.yaml:13:67: warning: VMs 'web{1..3}' (3 VMs) can never power on: cpu reservation "
            "50000 MHz exceeds the capacity of host 'esx01', 8000 MHz (4 cores x 2000 MHz)",
            // Overhead of 64 GiB and 4 vCPUs: the reference table's last segment extended,
            // 60.67 + (151.93 - 60.67) x 5.
            "t.yaml:14:76: warning: VM 'db01' can never power on: memory reservation 65536 MiB "
            "plus overhead 516.97 MiB exceeds the memory of host 'esx01', 32768 MiB",
            // From the profile: at the entry.
            "t.yaml:15:12: warning: VM 'prof01' can never power on: 16 vCPUs exceed the 8 "
            "logical CPUs of host 'esx01'",
            "t.yaml:18:40: warning: VM 'c-wide' can never power on: 32 vCPUs exceed the logical "
            "CPUs of every host of cluster 'c1' (at most 16)",
            // small lacks the vCPUs, big the memory: 334.45 + (352.24 - 334.45) x 3.
            "t.yaml:19:12: warning: VM 'c-mixed' can never power on: no host of cluster 'c1' has "
            "at once the logical CPUs, the CPU capacity and the memory it reserves (16 vCPUs, "
            "cpu reservation 0 MHz, memory reservation 40960 MiB plus overhead 387.82 MiB)"});
}

TEST_CASE("no warning for a scenario with errors: it would judge what the errors left") {
  CHECK(messages(load(R"(name: t
duration: 1h
hosts: [{name: esx01, memory: 1 GiB}]
vms:
  - {name: a, vcpus: 16, memory: 4 GiBB}
)")) == std::vector<std::string>{
             "t.yaml:5:34: error: bad value '4 GiBB' for 'memory': unknown unit 'GiBB' (expected "
             "KiB, MiB, GiB, TiB, MB, GB or TB)"});
}

TEST_CASE("warned exactly when admission refuses, at the edges of every check") {
  // One VM per host, so that nothing else holds a reservation: a VM is warned about if and
  // only if the run leaves it off. Host memory sits just below, at and above what the VM
  // reserves with its overhead (16 GiB and 8 vCPUs: 168.60 MiB, a point of the table). At
  // most 32 warnings: below the cap on diagnostics shown.
  std::string text = "name: edges\nduration: 1m\nhosts:\n";
  std::string vms = "vms:\n";
  int n = 0;
  for (const int vcpus : {8, 9}) {
    for (const int cpu_mhz : {8000, 8001}) {
      for (const bool reserve_memory : {false, true}) {
        for (const double host_mib : {16552.5, 16552.6, 16552.7}) {
          ++n;
          text += fmt::format(
              "  - {{name: h{}, memory: {}, cpu: {{cores_per_socket: 4, threads_per_core: 2, "
              "frequency: 2 GHz}}}}\n",
              n, host_mib);
          vms += fmt::format(
              "  - {{name: v{}, host: h{}, vcpus: {}, memory: 16 GiB, cpu: {{reservation: {} "
              "MHz}}, mem: {{reservation: {}}}}}\n",
              n, n, vcpus, cpu_mhz, reserve_memory ? "16 GiB" : "0");
        }
      }
    }
  }
  const LoadResult r = load(text + vms);
  REQUIRE(r.ok());
  const std::set<std::string> off = refused(*r.config);
  CHECK(warned(r) == off);
  CHECK(off.size() == 19);  // all but the 5 of 8 vCPUs, 8000 MHz that fit
  CHECK(off.size() < static_cast<std::size_t>(n));
}

TEST_CASE("pools under a host lend up to its capacity: no warning for a VM that fits through them") {
  // A pool cannot reserve more than its host (tests/scenario/test_pool_reservations.cpp),
  // so what pools lend never takes a VM above its host's capacity.
  const LoadResult r = load(R"(name: pools
duration: 1m
hosts:
  - {name: h2, memory: 64 GiB, cpu: {cores_per_socket: 4, frequency: 2 GHz}}
  - {name: h3, memory: 64 GiB, cpu: {cores_per_socket: 4, frequency: 2 GHz}}
resource_pools:
  - {name: lending, parent: h2, cpu: {reservation: 4 GHz}}
  - {name: lending3, parent: h3, cpu: {reservation: 4 GHz}}
vms:
  - {name: in-lending, pool: lending, cpu: {reservation: 8 GHz}}
  - {name: over-lending, pool: lending3, cpu: {reservation: 8001 MHz}}
)");
  REQUIRE(r.ok());
  // lending3 reserves 4 GHz of h3 and lends the other 4: 8000 MHz in all.
  CHECK(messages(r) ==
        std::vector<std::string>{
            "t.yaml:11:61: warning: VM 'over-lending' can never power on: cpu reservation "
            "8001 MHz exceeds the capacity of host 'h3', 8000 MHz (4 cores x 2000 MHz)"});
  CHECK(refused(*r.config) == std::set<std::string>{"over-lending"});
}
