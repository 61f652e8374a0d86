// CPU admission control with resource pools (reference A.1 examples).
#include <doctest/doctest.h>

#include "scenario_builder.hpp"
#include "vdc/models/cpu/admission.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

PoolConfig pool(std::string name, std::string parent, PoolParentKind kind, double reservation,
                bool expandable) {
  PoolConfig p;
  p.name = std::move(name);
  p.parent = std::move(parent);
  p.parent_kind = kind;
  p.cpu.reservation = reservation;
  p.cpu.expandable = expandable;
  return p;
}

VmConfig reserving(std::string name, std::string host, std::string pool_name, double mhz) {
  VmConfig v = make_vm(std::move(name), std::move(host), 1, busy(0.1));
  v.pool = std::move(pool_name);
  v.cpu.reservation = mhz;
  return v;
}

// RP-MOM reserves 6 GHz; its child RP-KID reserves 2 GHz and is expandable; VM-K1 and
// VM-K2 reserve 2 GHz each in RP-KID (vSphere RM guide, "Expandable Reservations Example").
ScenarioConfig expandable_example(const std::vector<std::pair<std::string, double>>& mom_vms) {
  auto s = make_scenario(1_s);
  s.hosts.push_back(make_host("esx", 6, 2000.0));
  s.pools.push_back(pool("RP-MOM", "esx", PoolParentKind::host, 6000.0, false));
  s.pools.push_back(pool("RP-KID", "RP-MOM", PoolParentKind::pool, 2000.0, true));
  for (const auto& [name, mhz] : mom_vms) s.vms.push_back(reserving(name, "esx", "RP-MOM", mhz));
  s.vms.push_back(reserving("VM-K1", "esx", "RP-KID", 2000.0));
  s.vms.push_back(reserving("VM-K2", "esx", "RP-KID", 2000.0));
  return s;
}

}  // namespace

TEST_CASE("VM-K2 powers on when RP-MOM runs VM-M1 (1 GHz): 3 GHz remain unreserved") {
  const RunResult r = run_scenario(expandable_example({{"VM-M1", 1000.0}}));
  CHECK(vm_facts(r, "VM-K1").powered_on);
  CHECK(vm_facts(r, "VM-K2").powered_on);
  CHECK_FALSE(vm_facts(r, "VM-K2").admission.has_value());
}

TEST_CASE("VM-K2 is refused when RP-MOM runs VM-M1 and VM-M2 (3 GHz): only 1 GHz remains") {
  const RunResult r = run_scenario(expandable_example({{"VM-M1", 1000.0}, {"VM-M2", 2000.0}}));
  CHECK(vm_facts(r, "VM-K1").powered_on);
  const VmFacts& k2 = vm_facts(r, "VM-K2");
  CHECK_FALSE(k2.powered_on);
  REQUIRE(k2.admission.has_value());
  CHECK(*k2.admission == "cpu reservation 2000 MHz exceeds unreserved 1000 MHz in pool RP-MOM");
  CHECK(k2.host.empty());
  CHECK(vm_avg(r, "VM-K2", metric::vm_cpu_wait) == doctest::Approx(1.0));
}

TEST_CASE("in a 12 GHz cluster with fixed pools of 4, 4 and 3 GHz, VM6 cannot start in full RP1") {
  auto s = make_scenario(1_s);
  for (const char* name : {"h1", "h2"}) {
    HostConfig h = make_host(name, 3, 2000.0);
    h.cluster = "c1";
    s.hosts.push_back(h);
  }
  s.clusters.push_back(ClusterConfig{"c1", {"h1", "h2"}});
  s.pools.push_back(pool("RP1", "c1", PoolParentKind::cluster, 4000.0, false));
  s.pools.push_back(pool("RP2", "c1", PoolParentKind::cluster, 4000.0, false));
  s.pools.push_back(pool("RP3", "c1", PoolParentKind::cluster, 3000.0, false));
  s.vms.push_back(reserving("VM1", "h1", "RP1", 2000.0));
  s.vms.push_back(reserving("VM2", "h2", "RP1", 2000.0));
  s.vms.push_back(reserving("VM3", "h1", "RP2", 1000.0));
  s.vms.push_back(reserving("VM4", "h2", "RP2", 2000.0));
  s.vms.push_back(reserving("VM5", "h1", "RP3", 3000.0));
  s.vms.push_back(reserving("VM6", "h2", "RP1", 500.0));
  const RunResult r = run_scenario(s);
  for (const char* name : {"VM1", "VM2", "VM3", "VM4", "VM5"}) CHECK(vm_facts(r, name).powered_on);
  const VmFacts& vm6 = vm_facts(r, "VM6");
  CHECK_FALSE(vm6.powered_on);
  REQUIRE(vm6.admission.has_value());
  CHECK(*vm6.admission == "cpu reservation 500 MHz exceeds unreserved 0 MHz in pool RP1");
}

TEST_CASE("a reservation larger than the host's unreserved capacity is refused at the host") {
  auto s = make_scenario(1_s);
  s.hosts.push_back(make_host("esx", 2, 2000.0));
  s.vms.push_back(reserving("a", "esx", "", 3000.0));
  s.vms.push_back(reserving("b", "esx", "", 1500.0));
  const RunResult r = run_scenario(s);
  CHECK(vm_facts(r, "a").powered_on);
  REQUIRE(vm_facts(r, "b").admission.has_value());
  CHECK(*vm_facts(r, "b").admission ==
        "cpu reservation 1500 MHz exceeds unreserved 1000 MHz in host esx");
}

TEST_CASE("a VM with more vCPUs than the host has logical CPUs is refused") {
  auto s = make_scenario(1_s);
  s.hosts.push_back(make_host("esx", 2, 2000.0, 2));
  s.vms.push_back(make_vm("wide", "esx", 8, busy()));
  const RunResult r = run_scenario(s);
  REQUIRE(vm_facts(r, "wide").admission.has_value());
  CHECK(*vm_facts(r, "wide").admission == "8 vCPUs exceed the 4 logical CPUs of host esx");
}

TEST_CASE("an expandable pool borrows from its parent only as far as the parent can lend") {
  cpu::ReservationLedger l;
  const auto host = l.add_root("host", "esx", 10000.0);
  const auto mom = l.add_pool(host, "mom", 4000.0, true);
  const auto kid = l.add_pool(mom, "kid", 1000.0, true);
  l.charge(kid, 3000.0);
  CHECK(l.used(mom) == doctest::Approx(3000.0));
  CHECK(l.available(kid) == doctest::Approx(7000.0));  // 1000 left in mom + 6000 in host
  CHECK_FALSE(l.refusal(kid, 7000.0).has_value());
  CHECK(*l.refusal(kid, 7500.0) == "cpu reservation 7500 MHz exceeds unreserved 7000 MHz in host esx");
  l.release(kid, 3000.0);
  CHECK(l.used(host) == doctest::Approx(4000.0));
}
