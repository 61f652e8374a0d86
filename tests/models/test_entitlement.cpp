// Reference A.1 and D.6 worked examples, in the fluid model.
#include <doctest/doctest.h>

#include "scenario_builder.hpp"
#include "vdc/models/cpu/entitlement_tree.hpp"
#include "vdc/models/cpu/fluid_cpu.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

double used(const RunResult& r, std::string_view vm) {
  return vm_avg(r, vm, metric::vm_cpu_used_mhz);
}

VmConfig with_shares(VmConfig v, ShareLevel level, std::uint64_t custom = 0) {
  v.cpu.level = level;
  v.cpu.custom_shares = custom;
  return v;
}

}  // namespace

TEST_CASE("two busy normal VMs on an 8 GHz host get 4 GHz each; a third high VM makes it 2/2/4") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 4, 2000.0));
  s.vms.push_back(make_vm("a", "esx", 2, busy()));
  s.vms.push_back(make_vm("b", "esx", 2, busy()));
  const RunResult two = run_scenario(s);
  CHECK(used(two, "a") == doctest::Approx(4000.0));
  CHECK(used(two, "b") == doctest::Approx(4000.0));

  s.vms.push_back(with_shares(make_vm("c", "esx", 2, busy()), ShareLevel::high));
  const RunResult three = run_scenario(s);
  CHECK(used(three, "a") == doctest::Approx(2000.0));
  CHECK(used(three, "b") == doctest::Approx(2000.0));
  CHECK(used(three, "c") == doctest::Approx(4000.0));
}

TEST_CASE("a VM with 4000 shares using 10% leaves the other 90% to a VM with 2000") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  s.vms.push_back(with_shares(make_vm("a", "esx", 1, busy(0.1)), ShareLevel::custom, 4000));
  s.vms.push_back(with_shares(make_vm("b", "esx", 1, busy()), ShareLevel::custom, 2000));
  const RunResult r = run_scenario(s);
  CHECK(used(r, "a") == doctest::Approx(200.0));
  CHECK(used(r, "b") == doctest::Approx(1800.0));
}

TEST_CASE("two busy VMs on one core with 1000 and 2000 shares get 1/3 and 2/3") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 1, 3000.0));
  s.vms.push_back(make_vm("a", "esx", 1, busy()));
  s.vms.push_back(with_shares(make_vm("b", "esx", 1, busy()), ShareLevel::high));
  const RunResult r = run_scenario(s);
  CHECK(used(r, "a") == doctest::Approx(1000.0));
  CHECK(used(r, "b") == doctest::Approx(2000.0));
  CHECK(vm_avg(r, "a", metric::vm_cpu_ready) == doctest::Approx(2.0 / 3.0));
  CHECK(vm_avg(r, "b", metric::vm_cpu_ready) == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("Denneman's 6 GHz example: a reservation is honoured and spare MHz go to who wants them") {
  // VM1 uses 500 MHz with 1000 shares; VM2 reserves 2250 MHz with 1000 shares; VM3 has
  // 2 vCPUs and 2000 shares (reference A.1).
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 2, 3000.0));
  s.vms.push_back(make_vm("vm1", "esx", 1, busy(500.0 / 3000.0)));
  VmConfig vm2 = with_shares(make_vm("vm2", "esx", 2, busy()), ShareLevel::custom, 1000);
  vm2.cpu.reservation = 2250.0;
  s.vms.push_back(vm2);
  s.vms.push_back(make_vm("vm3", "esx", 2, busy()));
  const RunResult r = run_scenario(s);
  CHECK(used(r, "vm1") == doctest::Approx(500.0));
  CHECK(used(r, "vm2") == doctest::Approx(2250.0));
  CHECK(used(r, "vm3") == doctest::Approx(3250.0));

  // VM3 levels off at 2000 MHz: the spare 1250 MHz go to VM2, the one that wants them.
  s.vms[2].cpu_workload = busy(1.0 / 3.0);
  const RunResult leveled = run_scenario(s);
  CHECK(used(leveled, "vm1") == doctest::Approx(500.0));
  CHECK(used(leveled, "vm3") == doctest::Approx(2000.0));
  CHECK(used(leveled, "vm2") == doctest::Approx(3500.0));
}

TEST_CASE("a 1-vCPU high VM on 4 x 2 GHz cores cannot take more than one core") {
  // Reference D.6: cap each VM at vCPUs x core and redistribute (water filling).
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 4, 2000.0));
  s.vms.push_back(with_shares(make_vm("high", "esx", 1, busy()), ShareLevel::high));
  for (int i = 0; i < 5; ++i) s.vms.push_back(make_vm("n" + std::to_string(i), "esx", 1, busy()));
  const RunResult r = run_scenario(s);
  CHECK(used(r, "high") == doctest::Approx(2000.0));
  for (int i = 0; i < 5; ++i) CHECK(used(r, "n" + std::to_string(i)) == doctest::Approx(1200.0));
}

TEST_CASE("a 4-vCPU VM with one busy vCPU competes with all its shares but on one core") {
  // Shares belong to the VM, not to each vCPU: 4000 vs 1000 shares on one 3 GHz core.
  sim::Simulator sim;
  sim::MetricsRegistry metrics;
  const HostConfig h = make_host("esx", 1, 3000.0);
  const cpu::CpuParameters params;
  cpu::FluidHostCpu host(sim, metrics, h, params,
                         cpu::register_host_cpu_metrics(metrics, "esx", false));
  cpu::VmCpu wide = cpu::make_vm_cpu(make_vm("wide", "esx", 4, busy(0.0)), 1, params,
                                     cpu::register_vm_cpu_metrics(metrics, "wide", false));
  wide.generators[0] = workload::VcpuGenerator(busy(1.0), 1, "vm/wide/vcpu0", params.constant_period);
  cpu::VmCpu one = cpu::make_vm_cpu(make_vm("one", "esx", 1, busy()), 1, params,
                                    cpu::register_vm_cpu_metrics(metrics, "one", false));
  host.add_vm(wide);
  host.add_vm(one);
  sim.run_until(1_s);
  CHECK(host.allocation_mhz(wide) == doctest::Approx(2400.0));
  CHECK(host.allocation_mhz(one) == doctest::Approx(600.0));

  // On two cores the busy vCPU cannot have more than its core.
  const HostConfig h2 = make_host("esx2", 2, 3000.0);
  cpu::FluidHostCpu host2(sim, metrics, h2, params,
                          cpu::register_host_cpu_metrics(metrics, "esx2", false));
  host.remove_vm(wide);
  host.remove_vm(one);
  host2.add_vm(wide);
  host2.add_vm(one);
  sim.run_until(2_s);
  CHECK(host2.allocation_mhz(wide) == doctest::Approx(3000.0));
  CHECK(host2.allocation_mhz(one) == doctest::Approx(3000.0));
}

TEST_CASE("a limit caps a busy VM and the demand it holds back counts as ready") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 2, 2000.0));
  VmConfig v = make_vm("capped", "esx", 1, busy());
  v.cpu.limit = 500.0;
  s.vms.push_back(v);
  const RunResult r = run_scenario(s);
  CHECK(used(r, "capped") == doctest::Approx(500.0));
  CHECK(vm_avg(r, "capped", metric::vm_cpu_run) == doctest::Approx(0.25));
  CHECK(vm_avg(r, "capped", metric::vm_cpu_ready) == doctest::Approx(0.75));
}

TEST_CASE("pools share among themselves first, then among their VMs, in both fidelities") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    auto s = make_scenario(30_s, f);
    s.hosts.push_back(make_host("esx", 1, 3000.0));
    for (const char* name : {"rp-a", "rp-b"}) {
      PoolConfig p;
      p.name = name;
      p.parent = "esx";
      p.parent_kind = PoolParentKind::host;
      s.pools.push_back(p);
    }
    VmConfig a = make_vm("a", "esx", 1, busy());
    a.pool = "rp-a";
    VmConfig b1 = make_vm("b1", "esx", 1, busy());
    b1.pool = "rp-b";
    VmConfig b2 = b1;
    b2.name = "b2";
    s.vms = {a, b1, b2};
    const RunResult r = run_scenario(s);
    CHECK(used(r, "a") == doctest::Approx(1500.0).epsilon(0.01));
    CHECK(used(r, "b1") == doctest::Approx(750.0).epsilon(0.01));
    CHECK(used(r, "b2") == doctest::Approx(750.0).epsilon(0.01));
  }
}

TEST_CASE("a pool's limit caps its VMs together and its reservation is granted first") {
  cpu::EntitlementTree t(6000.0);
  const auto capped = t.add_pool(cpu::EntitlementTree::root, 4000.0, 0.0, 1000.0);
  const auto reserved = t.add_pool(cpu::EntitlementTree::root, 1000.0, 4000.0,
                                   sim::FairShare::unlimited);
  const auto a = t.add_vm(capped, 1000.0, 0.0, sim::FairShare::unlimited);
  const auto b = t.add_vm(capped, 1000.0, 0.0, sim::FairShare::unlimited);
  const auto c = t.add_vm(reserved, 1000.0, 0.0, sim::FairShare::unlimited);
  const auto d = t.add_vm(cpu::EntitlementTree::root, 4000.0, 0.0, sim::FairShare::unlimited);
  for (const auto vm : {a, b, c, d}) t.set_demand(vm, 6000.0);
  t.solve();
  CHECK(t.allocation(a) == doctest::Approx(500.0));
  CHECK(t.allocation(b) == doctest::Approx(500.0));
  CHECK(t.allocation(c) == doctest::Approx(4000.0));
  CHECK(t.allocation(d) == doctest::Approx(1000.0));
}

TEST_CASE("an idle VM's reservation is not held back from busy VMs (work conserving)") {
  cpu::EntitlementTree t(4000.0);
  const auto idle = t.add_vm(cpu::EntitlementTree::root, 1000.0, 3000.0, sim::FairShare::unlimited);
  const auto busy_vm = t.add_vm(cpu::EntitlementTree::root, 1000.0, 0.0, sim::FairShare::unlimited);
  t.set_demand(idle, 0.0);
  t.set_demand(busy_vm, 4000.0);
  t.solve();
  CHECK(t.allocation(idle) == doctest::Approx(0.0));
  CHECK(t.allocation(busy_vm) == doctest::Approx(4000.0));
}

TEST_CASE("a fluid host ends each task on time when a VM leaves in the middle of one") {
  // Tasks of 1 s (a, b) and 2 s (c) of work; three 1-vCPU VMs on 2 cores get 2/3 of a core
  // each: a and b end their first task at 1.5 s. At 2.25 s a moves to an idle 1-core host
  // with 0.5 s of its second task left (0.75 s x 2/3 done), ending it at 2.75 s and its
  // third at 3.75 s. b and c then have a core each: b ends its second task at 2.75 s and its
  // third at 3.75 s; c, 1.5 s of its first done, ends it at 2.75 s and its second at 4.75 s.
  sim::Simulator sim;
  sim::MetricsRegistry metrics;
  const cpu::CpuParameters params;
  cpu::FluidHostCpu first(sim, metrics, make_host("esx1", 2, 2000.0), params,
                          cpu::register_host_cpu_metrics(metrics, "esx1", false));
  cpu::FluidHostCpu second(sim, metrics, make_host("esx2", 1, 2000.0), params,
                           cpu::register_host_cpu_metrics(metrics, "esx2", false));
  const auto vm = [&](const char* name, TasksCpu tasks) {
    return cpu::make_vm_cpu(make_vm(name, "esx1", 1, tasks), 1, params,
                            cpu::register_vm_cpu_metrics(metrics, name, false));
  };
  cpu::VmCpu a = vm("a", TasksCpu{3, 1_s});
  cpu::VmCpu b = vm("b", TasksCpu{3, 1_s});
  cpu::VmCpu c = vm("c", TasksCpu{2, 2_s});
  first.add_vm(a);
  first.add_vm(b);
  first.add_vm(c);
  const auto done = [&](const cpu::VmCpu& v) { return metrics.total(v.metrics.tasks_completed); };
  // Tasks ended by each time: (a, b, c), 50-100 ms either side of each end.
  struct Expect {
    sim::Time at;
    double a, b, c;
  };
  const auto check = [&](const Expect& e) {
    sim.run_until(e.at);
    CAPTURE(e.at.ns());
    CHECK(done(a) == e.a);
    CHECK(done(b) == e.b);
    CHECK(done(c) == e.c);
  };
  for (const Expect& e : {Expect{1400_ms, 0, 0, 0}, Expect{1600_ms, 1, 1, 0}}) check(e);
  sim.run_until(2250_ms);
  first.remove_vm(a);
  second.add_vm(a);
  for (const Expect& e : {Expect{2700_ms, 1, 1, 0}, Expect{2800_ms, 2, 2, 1}, Expect{3700_ms, 2, 2, 1},
                          Expect{3800_ms, 3, 3, 1}, Expect{4700_ms, 3, 3, 1}, Expect{4800_ms, 3, 3, 2}}) {
    check(e);
  }
}
