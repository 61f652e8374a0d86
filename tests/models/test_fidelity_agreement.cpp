// The fluid and detailed models on the same one-host scenarios (docs/architecture.md: the two must
// agree where both apply).
#include <doctest/doctest.h>

#include <cmath>

#include "scenario_builder.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

struct Both {
  RunResult fluid, detailed;
};

Both run_both(ScenarioConfig s) {
  s.fidelity = Fidelity::fluid;
  RunResult f = run_scenario(s);
  s.fidelity = Fidelity::detailed;
  return Both{std::move(f), run_scenario(s)};
}

VmConfig high(VmConfig v) {
  v.cpu.level = ShareLevel::high;
  return v;
}

}  // namespace

TEST_CASE("fluid and detailed agree on used MHz and ready on a saturated hyperthreaded host") {
  // 14 busy vCPUs of 1, 2 and 4-vCPU VMs with normal and high shares on 4 cores / 8
  // threads: the shares, the vCPU caps and the hyperthread gain decide who gets what.
  auto s = make_scenario(30_s);
  s.hosts.push_back(make_host("esx", 4, 2000.0, 2));
  s.vms.push_back(make_vm("one", "esx", 1, busy()));
  s.vms.push_back(high(make_vm("one-high", "esx", 1, busy())));
  s.vms.push_back(make_vm("two", "esx", 2, busy()));
  s.vms.push_back(high(make_vm("two-high", "esx", 2, busy())));
  s.vms.push_back(make_vm("four", "esx", 4, busy()));
  s.vms.push_back(make_vm("four-b", "esx", 4, busy()));
  const Both r = run_both(s);
  CHECK(host_avg(r.detailed, "esx", metric::host_cpu_used_mhz) ==
        doctest::Approx(host_avg(r.fluid, "esx", metric::host_cpu_used_mhz)).epsilon(0.05));
  for (const VmFacts& vm : r.fluid.vms) {
    CAPTURE(vm.name);
    CHECK(vm_avg(r.detailed, vm.name, metric::vm_cpu_used_mhz) ==
          doctest::Approx(vm_avg(r.fluid, vm.name, metric::vm_cpu_used_mhz)).epsilon(0.05));
    CHECK(vm_avg(r.detailed, vm.name, metric::vm_cpu_ready) ==
          doctest::Approx(vm_avg(r.fluid, vm.name, metric::vm_cpu_ready)).epsilon(0.05));
  }
}

TEST_CASE("fluid and detailed agree on used MHz and ready on a busy host below saturation") {
  // 20 vCPUs each busy half the time in exponential bursts on 12 cores (83% load): the
  // fluid ready is its queueing estimate (reference D.4), the detailed one is measured.
  // Ready (with co-stop) is compared in percentage points: within one.
  auto s = make_scenario(60_s);
  s.hosts.push_back(make_host("esx", 12, 2000.0));
  for (int i = 0; i < 10; ++i) {
    s.vms.push_back(make_vm("vm" + std::to_string(i), "esx", 2,
                            OnOffCpu{10_ms, 10_ms, BurstDistribution::exponential}));
  }
  const Both r = run_both(s);
  for (const VmFacts& vm : r.fluid.vms) {
    CAPTURE(vm.name);
    CHECK(vm_avg(r.detailed, vm.name, metric::vm_cpu_used_mhz) ==
          doctest::Approx(vm_avg(r.fluid, vm.name, metric::vm_cpu_used_mhz)).epsilon(0.05));
    const double ready_f = vm_avg(r.fluid, vm.name, metric::vm_cpu_ready) +
                           vm_avg(r.fluid, vm.name, metric::vm_cpu_costop);
    const double ready_d = vm_avg(r.detailed, vm.name, metric::vm_cpu_ready) +
                           vm_avg(r.detailed, vm.name, metric::vm_cpu_costop);
    CHECK(std::abs(ready_d - ready_f) < 0.01);
  }
}

TEST_CASE("both fidelities publish the workload's demand and the same entitlements") {
  // Saturated and bursty: the detailed vCPUs stay runnable longer than their demand, but
  // demand is what the workload asks for and entitlement what the hierarchy gives for it.
  auto s = make_scenario(20_s);
  s.hosts.push_back(make_host("esx", 4, 2000.0));
  s.vms.push_back(make_vm("wide", "esx", 4, OnOffCpu{5_ms, 5_ms, BurstDistribution::exponential}));
  s.vms.push_back(high(make_vm("a", "esx", 1, busy())));
  s.vms.push_back(high(make_vm("b", "esx", 1, busy(0.25))));
  VmConfig reserved = make_vm("r", "esx", 2, busy());
  reserved.cpu.reservation = 1500.0;
  s.vms.push_back(reserved);
  const Both r = run_both(s);
  for (const VmFacts& vm : r.fluid.vms) {
    CAPTURE(vm.name);
    for (const auto name : {metric::vm_cpu_demand_mhz, metric::vm_cpu_entitlement_mhz}) {
      CHECK(vm_avg(r.detailed, vm.name, name) ==
            doctest::Approx(vm_avg(r.fluid, vm.name, name)).epsilon(0.001));
    }
  }
  CHECK(vm_avg(r.fluid, "wide", metric::vm_cpu_demand_mhz) == doctest::Approx(4000.0));
  CHECK(vm_avg(r.fluid, "r", metric::vm_cpu_entitlement_mhz) >= 1500.0);
}
