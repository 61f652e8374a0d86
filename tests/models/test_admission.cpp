// CPU and memory admission control with resource pools (reference A.1 examples; memory
// reserves its overhead with its reservation, reference B.1.9).
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "scenario_builder.hpp"
#include "vdc/models/admission.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

/// A pool reserving `reservation` of CPU (MHz), or of memory (MiB) when `memory`.
PoolConfig pool(std::string name, std::string parent, PoolParentKind kind, double reservation,
                bool expandable, bool memory = false) {
  PoolConfig p;
  p.name = std::move(name);
  p.parent = std::move(parent);
  p.parent_kind = kind;
  Allocation& a = memory ? p.mem : p.cpu;
  a.reservation = reservation;
  a.expandable = expandable;
  return p;
}

VmConfig reserving(std::string name, std::string host, std::string pool_name, double mhz) {
  VmConfig v = make_vm(std::move(name), std::move(host), 1, busy(0.1));
  v.pool = std::move(pool_name);
  v.cpu.reservation = mhz;
  return v;
}

/// A 1-vCPU VM of `memory_mib` reserving `mib` of it, in `pool_name`. Overheads (reference
/// B.7 table, 1 vCPU): 2048 MiB -> 33.48 MiB (between 25.90 at 1024 and 48.64 at 4096),
/// 4096 MiB -> 48.64 MiB.
VmConfig reserving_memory(std::string name, std::string host, std::string pool_name,
                          double memory_mib, double mib) {
  VmConfig v = make_vm(std::move(name), std::move(host), 1, busy(0.1));
  v.pool = std::move(pool_name);
  v.memory_mib = memory_mib;
  v.mem.reservation = mib;
  return v;
}

/// Adds hosts h1 and h2 (3 cores of 2 GHz, `memory_mib` each) in cluster c1 to `s`.
void add_cluster(ScenarioConfig& s, double memory_mib = 65536.0) {
  for (const char* name : {"h1", "h2"}) {
    HostConfig h = make_host(name, 3, 2000.0);
    h.cluster = "c1";
    h.memory_mib = memory_mib;
    s.hosts.push_back(h);
  }
  s.clusters.push_back(ClusterConfig{"c1", {"h1", "h2"}});
}

/// Why `vm` stayed powered off.
std::string refusal(const RunResult& r, std::string_view vm) {
  const VmFacts& f = vm_facts(r, vm);
  CHECK_FALSE(f.powered_on);
  REQUIRE(f.admission.has_value());
  return *f.admission;
}

/// A host of 10000 with expandable pools mom (4000) under it and kid (1000) under mom,
/// kid holding 3000, in a ledger of `resource`.
struct Chain {
  explicit Chain(ReservedResource resource) : ledger(resource) {
    host = ledger.add_root("host", "esx", 10000.0);
    mom = ledger.add_pool(host, "mom", 4000.0, true);
    kid = ledger.add_pool(mom, "kid", 1000.0, true);
    ledger.charge(kid, 3000.0);
  }
  ReservationLedger ledger;
  ReservationLedger::NodeId host = 0, mom = 0, kid = 0;
};

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

// The same example in memory: RP-MOM reserves 6144 MiB, fixed; RP-KID 2048 MiB,
// expandable; VM-K1 and VM-K2 reserve 2048 MiB of 4096 each in RP-KID, and charge
// 2048 + 48.64 = 2096.64 MiB with their overheads.
ScenarioConfig expandable_memory_example(
    const std::vector<std::pair<std::string, double>>& mom_vms) {
  auto s = make_scenario(1_s);
  s.hosts.push_back(make_host("esx", 6, 2000.0));
  s.pools.push_back(pool("RP-MOM", "esx", PoolParentKind::host, 6144.0, false, true));
  s.pools.push_back(pool("RP-KID", "RP-MOM", PoolParentKind::pool, 2048.0, true, true));
  for (const auto& [name, mib] : mom_vms) {
    s.vms.push_back(reserving_memory(name, "esx", "RP-MOM", 4096.0, mib));
  }
  s.vms.push_back(reserving_memory("VM-K1", "esx", "RP-KID", 4096.0, 2048.0));
  s.vms.push_back(reserving_memory("VM-K2", "esx", "RP-KID", 4096.0, 2048.0));
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
  add_cluster(s);
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
  const Chain c(cpu_reservations);
  ReservationLedger l = c.ledger;
  CHECK(l.used(c.mom) == doctest::Approx(3000.0));
  CHECK(l.available(c.kid) == doctest::Approx(7000.0));  // 1000 left in mom + 6000 in host
  CHECK_FALSE(l.refusal(c.kid, 7000.0).has_value());
  CHECK(*l.refusal(c.kid, 7500.0) ==
        "cpu reservation 7500 MHz exceeds unreserved 7000 MHz in host esx");
  l.release(c.kid, 3000.0);
  CHECK(l.used(c.host) == doctest::Approx(4000.0));
}

TEST_CASE("a memory ledger borrows alike and names the overhead apart") {
  const Chain c(memory_reservations);
  // 6950 + 48.64 = 6998.64 fits in the 7000 kid can take; 6960 + 48.64 = 7008.64 does not.
  CHECK_FALSE(c.ledger.refusal(c.kid, 6950.0, 48.64).has_value());
  CHECK(*c.ledger.refusal(c.kid, 6960.0, 48.64) ==
        "memory reservation 6960 MiB plus overhead 48.64 MiB exceeds unreserved 7000 MiB in "
        "host esx");
}

TEST_CASE("memory: VM-K2 powers on when RP-MOM runs VM-M1 (1 GiB): 2974.72 MiB remain") {
  // RP-MOM holds VM-M1 (1024 + 48.64) and RP-KID, which holds VM-K1 (2096.64) and so
  // charges RP-MOM 2096.64, above its own 2048: 6144 - 1072.64 - 2096.64 = 2974.72 MiB
  // remain for VM-K2's 2096.64.
  const RunResult r = run_scenario(expandable_memory_example({{"VM-M1", 1024.0}}));
  CHECK(vm_facts(r, "VM-M1").powered_on);
  CHECK(vm_facts(r, "VM-K1").powered_on);
  CHECK(vm_facts(r, "VM-K2").powered_on);
}

TEST_CASE("memory: VM-K2 is refused when RP-MOM runs VM-M1 and VM-M2 (3 GiB)") {
  // The guide's 1 GiB left, less the three overheads charged before VM-K2's:
  // 6144 - (1024 + 48.64) - (2048 + 48.64) - (2048 + 48.64) = 878.08 MiB.
  const RunResult r =
      run_scenario(expandable_memory_example({{"VM-M1", 1024.0}, {"VM-M2", 2048.0}}));
  CHECK(vm_facts(r, "VM-K1").powered_on);
  CHECK(refusal(r, "VM-K2") ==
        "memory reservation 2048 MiB plus overhead 48.64 MiB exceeds unreserved 878.08 MiB in "
        "pool RP-MOM");
}

TEST_CASE("memory: fixed pools of a cluster, its hosts and the cluster itself refuse") {
  // Two 6144 MiB hosts: the cluster has 12288 MiB; RP1, RP2 and RP3 reserve 4096, 4096 and
  // 3072 MiB (fixed), 11264 in all. 2048 MiB VMs, overhead 33.48 each.
  auto s = make_scenario(1_s);
  add_cluster(s, 6144.0);
  s.pools.push_back(pool("RP1", "c1", PoolParentKind::cluster, 4096.0, false, true));
  s.pools.push_back(pool("RP2", "c1", PoolParentKind::cluster, 4096.0, false, true));
  s.pools.push_back(pool("RP3", "c1", PoolParentKind::cluster, 3072.0, false, true));
  // RP1: 2 x 2033.48 = 4066.96 used, 29.04 left.
  s.vms.push_back(reserving_memory("VM1", "h1", "RP1", 2048.0, 2000.0));
  s.vms.push_back(reserving_memory("VM2", "h2", "RP1", 2048.0, 2000.0));
  // h1 now holds VM1 and VM3: 6144 - 2 x 2033.48 = 2077.04 left.
  s.vms.push_back(reserving_memory("VM3", "h1", "RP2", 2048.0, 2000.0));
  // RP3 has room for 2048 + 33.48 = 2081.48, h1 has not.
  s.vms.push_back(reserving_memory("VM4", "h1", "RP3", 2048.0, 2048.0));
  // No reservation, but its overhead does not fit in RP1's 29.04.
  s.vms.push_back(reserving_memory("VM5", "h2", "RP1", 2048.0, 0.0));
  // Outside the pools the cluster has 12288 - 11264 = 1024 left, short of 1057.48.
  s.vms.push_back(reserving_memory("VM6", "h2", "", 2048.0, 1024.0));
  for (VmConfig& v : s.vms) v.cluster = "c1";
  const RunResult r = run_scenario(s);
  for (const char* name : {"VM1", "VM2", "VM3"}) CHECK(vm_facts(r, name).powered_on);
  CHECK(refusal(r, "VM4") ==
        "memory reservation 2048 MiB plus overhead 33.48 MiB exceeds unreserved 2077.04 MiB in "
        "host h1");
  CHECK(refusal(r, "VM5") ==
        "memory reservation 0 MiB plus overhead 33.48 MiB exceeds unreserved 29.04 MiB in pool "
        "RP1");
  CHECK(refusal(r, "VM6") ==
        "memory reservation 1024 MiB plus overhead 33.48 MiB exceeds unreserved 1024 MiB in "
        "cluster c1");
}

TEST_CASE("a failed host's VMs release their memory reservations in a cluster's pool") {
  // h1 and h2 (4096 MiB each) in c1; the cluster's pool RP reserves 3072 MiB, fixed. a (on
  // h1) and b (on h2) reserve 1024 MiB of 1024, 1049.90 with overhead: 972.20 MiB left. c
  // (h2) asks the same at 10 s: refused, unless h1 failed at 5 s and released a's.
  const auto run = [](bool fail) {
    auto s = make_scenario(20_s);
    add_cluster(s, 4096.0);
    s.pools.push_back(pool("RP", "c1", PoolParentKind::cluster, 3072.0, false, true));
    for (const auto& [name, host] : {std::pair{"a", "h1"}, {"b", "h2"}, {"c", "h2"}}) {
      VmConfig v = reserving_memory(name, host, "RP", 1024.0, 1024.0);
      v.cluster = "c1";
      s.vms.push_back(v);
    }
    s.vms.back().powered_on = false;
    s.events.push_back(event(10_s, EventKind::power_on, "c"));
    if (fail) s.events.push_back(event(5_s, EventKind::fail_host, "h1"));
    return run_scenario(s);
  };
  const RunResult kept = run(false);
  CHECK(vm_facts(kept, "a").powered_on);
  CHECK(refusal(kept, "c") ==
        "memory reservation 1024 MiB plus overhead 25.90 MiB exceeds unreserved 972.20 MiB in "
        "pool RP");
  // 3072 - 1049.90 = 2022.10 left once a is off.
  const RunResult failed = run(true);
  CHECK_FALSE(vm_facts(failed, "a").powered_on);
  CHECK(vm_facts(failed, "b").powered_on);
  CHECK(vm_facts(failed, "c").powered_on);
  CHECK_FALSE(vm_facts(failed, "c").admission.has_value());
}
