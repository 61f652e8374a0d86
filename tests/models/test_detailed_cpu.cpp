// The detailed CPU model on tiny hosts: shares, limits, hyperthreads, co-stop, accounting.
#include <doctest/doctest.h>

#include "cpu_lab.hpp"
#include "scenario_builder.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;
using namespace vdc::sim::literals;
using Lab = CpuLab<cpu::DetailedHostCpu>;

TEST_CASE("detailed: two busy VMs on one core with 1000 and 2000 shares get 1/3 and 2/3") {
  Lab lab(make_host("esx", 1, 3000.0));
  auto& a = lab.add("a", 1, busy(), 1000.0);
  auto& b = lab.add("b", 1, busy(), 2000.0);
  lab.run_and_finish(30_s);
  CHECK(lab.average(a, metric::vm_cpu_used_mhz) == doctest::Approx(1000.0).epsilon(0.01));
  CHECK(lab.average(b, metric::vm_cpu_used_mhz) == doctest::Approx(2000.0).epsilon(0.01));
  CHECK(lab.average(a, metric::vm_cpu_ready) == doctest::Approx(2.0 / 3.0).epsilon(0.01));
}

TEST_CASE("detailed: a VM with 4000 shares using 10% gets it at once and leaves 90% to one with 2000") {
  Lab lab(make_host("esx", 1, 2000.0));
  auto& a = lab.add("a", 1, busy(0.1), 4000.0);
  auto& b = lab.add("b", 1, busy(), 2000.0);
  lab.run_and_finish(30_s);
  CHECK(lab.average(a, metric::vm_cpu_used_mhz) == doctest::Approx(200.0).epsilon(0.01));
  CHECK(lab.average(b, metric::vm_cpu_used_mhz) == doctest::Approx(1800.0).epsilon(0.01));
  // Its consumption is far below its entitlement, so it preempts the other on waking.
  CHECK(lab.average(a, metric::vm_cpu_ready) < 0.001);
}

TEST_CASE("detailed: Denneman's example gives 500, 2250 and 3250 MHz") {
  Lab lab(make_host("esx", 2, 3000.0));
  auto& vm1 = lab.add("vm1", 1, busy(500.0 / 3000.0));
  auto& vm2 = lab.add("vm2", 2, busy(), 1000.0);
  vm2.reservation_mhz = 2250.0;
  auto& vm3 = lab.add("vm3", 2, busy());
  lab.run_and_finish(60_s);
  CHECK(lab.average(vm1, metric::vm_cpu_used_mhz) == doctest::Approx(500.0).epsilon(0.02));
  CHECK(lab.average(vm2, metric::vm_cpu_used_mhz) == doctest::Approx(2250.0).epsilon(0.03));
  CHECK(lab.average(vm3, metric::vm_cpu_used_mhz) == doctest::Approx(3250.0).epsilon(0.03));
}

TEST_CASE("detailed: a limit holds a busy VM at its limit and the held time counts as ready") {
  Lab lab(make_host("esx", 2, 2000.0));
  auto& v = lab.add("capped", 1, busy());
  v.limit_mhz = 500.0;
  lab.run_and_finish(20_s);
  CHECK(lab.average(v, metric::vm_cpu_used_mhz) == doctest::Approx(500.0).epsilon(0.01));
  CHECK(lab.average(v, metric::vm_cpu_ready) == doctest::Approx(0.75).epsilon(0.01));
}

TEST_CASE("two busy threads on one core each progress at 62.5%") {
  Lab lab(make_host("esx", 1, 2000.0, 2));
  auto& a = lab.add("a", 1, busy());
  auto& b = lab.add("b", 1, busy());
  lab.sim.run_until(10_s);
  CHECK(lab.model->work_done_ns(a, 0) == doctest::Approx(0.625 * 10e9));
  CHECK(lab.model->work_done_ns(b, 0) == doctest::Approx(0.625 * 10e9));
  CHECK(lab.now_value(a, metric::vm_cpu_used_mhz) == doctest::Approx(1250.0));
  CHECK(lab.model->vcpu_times(a, 0).run == (10_s).ns());
}

TEST_CASE("a vCPU prefers a whole idle core to the second thread of a busy one") {
  Lab lab(make_host("esx", 2, 2000.0, 2));
  auto& a = lab.add("a", 1, busy());
  auto& b = lab.add("b", 1, busy());
  lab.sim.run_until(1_s);
  CHECK(lab.now_value(a, metric::vm_cpu_used_mhz) == doctest::Approx(2000.0));
  CHECK(lab.now_value(b, metric::vm_cpu_used_mhz) == doctest::Approx(2000.0));
}

TEST_CASE("sibling vCPUs of one VM avoid sharing a core") {
  Lab lab(make_host("esx", 2, 2000.0, 2));
  auto& one = lab.add("one", 1, busy());
  auto& pair = lab.add("pair", 2, busy());
  lab.sim.run_until(1_s);
  // The pair takes a core each; the single vCPU shares a core with one of them.
  CHECK(lab.now_value(pair, metric::vm_cpu_used_mhz) == doctest::Approx(2000.0 + 1250.0));
  CHECK(lab.now_value(one, metric::vm_cpu_used_mhz) == doctest::Approx(1250.0));
}

TEST_CASE("tasks finish when their work is done, later on a shared core") {
  Lab lab(make_host("esx", 1, 2000.0, 2));
  auto& alone = lab.add("alone", 1, TasksCpu{2, 500_ms});
  lab.sim.run_until(999_ms);
  CHECK(lab.metrics.total(alone.metrics.tasks_completed) == 1.0);
  lab.sim.run_until(1001_ms);
  CHECK(lab.metrics.total(alone.metrics.tasks_completed) == 2.0);
  // Two at once share the core: 1.25 s of work take 2 s at 62.5%.
  auto& x = lab.add("x", 1, TasksCpu{1, 1250_ms});
  auto& y = lab.add("y", 1, TasksCpu{1, 1250_ms});
  lab.sim.run_until(1001_ms + 1999_ms);
  CHECK(lab.metrics.total(x.metrics.tasks_completed) == 0.0);
  lab.sim.run_until(1001_ms + 2001_ms);
  CHECK(lab.metrics.total(x.metrics.tasks_completed) == 1.0);
  CHECK(lab.metrics.total(y.metrics.tasks_completed) == 1.0);
}

TEST_CASE("run, ready, co-stop and wait add up to the elapsed time exactly for every vCPU") {
  Lab lab(make_host("esx", 2, 2000.0, 2));
  std::vector<cpu::VmCpu*> vms;
  vms.push_back(&lab.add("smp", 4, OnOffCpu{3_ms, 2_ms, BurstDistribution::exponential}));
  vms.push_back(&lab.add("half", 2, busy(0.7)));
  vms.push_back(&lab.add("hog", 1, busy()));
  vms.push_back(&lab.add("jobs", 2, TasksCpu{5, 40_ms}));
  vms.push_back(&lab.add("pareto", 3, OnOffCpu{1_ms, 1_ms, BurstDistribution::pareto, 1.0, 1.5}));
  const sim::Time end = 3_s + 123_ns;
  lab.run_and_finish(end);
  for (const cpu::VmCpu* vm : vms) {
    double states = 0.0;
    for (const auto name : {metric::vm_cpu_run, metric::vm_cpu_ready, metric::vm_cpu_costop,
                            metric::vm_cpu_wait}) {
      states += lab.average(*vm, name);
    }
    CHECK(states == doctest::Approx(1.0).epsilon(1e-12));
    for (int k = 0; k < vm->vcpus; ++k) {
      const auto t = lab.model->vcpu_times(*vm, k);
      CAPTURE(vm->name);
      CHECK(t.run + t.ready + t.costop + t.wait == end.ns());
    }
  }
}

TEST_CASE("idle vCPUs never co-stop and neither does a 1-vCPU VM") {
  Lab lab(make_host("esx", 2, 2000.0));
  auto& wide = lab.add("wide", 4, busy(0.0));
  wide.generators[0] =
      workload::VcpuGenerator(OnOffCpu{4_ms, 1_ms, BurstDistribution::exponential}, 3,
                              "vm/wide/vcpu0", lab.params.constant_period);
  std::vector<cpu::VmCpu*> small;
  // Heavier shares than the wide VM's 4000, so its busy vCPU has to wait.
  for (int i = 0; i < 3; ++i) small.push_back(&lab.add("s" + std::to_string(i), 1, busy(), 8000.0));
  lab.run_and_finish(5_s);
  CHECK(lab.model->vcpu_times(wide, 0).ready > 0);  // it does wait: the host is busy
  for (int k = 0; k < 4; ++k) CHECK(lab.model->vcpu_times(wide, k).costop == 0);
  for (const auto* vm : small) CHECK(lab.model->vcpu_times(*vm, 0).costop == 0);
}

TEST_CASE("an 8-vCPU VM on a busy host is co-stopped and a 1-vCPU VM beside it is not") {
  Lab lab(make_host("esx", 8, 2000.0));
  auto& wide = lab.add("wide", 8, OnOffCpu{5_ms, 5_ms, BurstDistribution::exponential});
  std::vector<cpu::VmCpu*> small;
  for (int i = 0; i < 8; ++i) small.push_back(&lab.add("s" + std::to_string(i), 1, busy()));
  lab.run_and_finish(20_s);
  CHECK(lab.average(wide, metric::vm_cpu_costop) > 0.01);
  CHECK(lab.model->stats().costops > 0);
  for (const auto* vm : small) CHECK(lab.average(*vm, metric::vm_cpu_costop) == 0.0);
}

TEST_CASE("detailed: a wide VM across two NUMA nodes gets its entitlement without co-stop") {
  // The overcommit lab's busy host: 2 sockets x 4 cores x 2 threads at 2.4 GHz, six 4-vCPU
  // VMs at 45% and an 8-vCPU VM of High shares at 60%, every one asking for more than it is
  // entitled to. Capacity 8 x 2400 x 1.25 = 24,000 MHz; 16,000 shares (2,000 per vCPU)
  // against 6 x 4,000: the wide VM is entitled to 9,600 MHz, each 4-vCPU VM to 2,400.
  // Each node holds three 4-vCPU VMs and one 4-vCPU client of the wide VM, so whole VMs
  // fill its logical CPUs: with each VM's siblings scheduled together, no VM co-stops.
  // Backlogged periodic bursts of 10 ms, 100 ms and 1 s (workload.constant_period) and
  // three seeds; used MHz within 2%, for the first 1 s bursts, before the backlogs build.
  for (const double period : {0.01, 0.1, 1.0}) {
    for (const std::uint64_t seed : {1U, 2U, 3U}) {
      CAPTURE(period);
      CAPTURE(seed);
      auto s = make_scenario(60_s, Fidelity::detailed);
      s.seed = seed;
      s.parameters["workload.constant_period"] = period;
      s.hosts.push_back(make_host("esx", 4, 2400.0, 2, 2));
      for (int i = 0; i < 6; ++i) {
        s.vms.push_back(make_vm("web" + std::to_string(i), "esx", 4, busy(0.45)));
      }
      VmConfig db = make_vm("db", "esx", 8, busy(0.6));
      db.cpu.level = ShareLevel::high;
      s.vms.push_back(db);
      const RunResult r = run_scenario(s);
      CHECK(vm_avg(r, "db", metric::vm_cpu_used_mhz) == doctest::Approx(9600.0).epsilon(0.02));
      CHECK(vm_avg(r, "db", metric::vm_cpu_costop) < 0.005);
      for (int i = 0; i < 6; ++i) {
        const std::string web = "web" + std::to_string(i);
        CAPTURE(web);
        CHECK(vm_avg(r, web, metric::vm_cpu_used_mhz) == doctest::Approx(2400.0).epsilon(0.02));
        CHECK(vm_avg(r, web, metric::vm_cpu_costop) < 0.005);
      }
    }
  }
}

TEST_CASE("detailed: two backlogged 4-vCPU VMs on 4 cores take turns whole, without co-stop") {
  // 4 cores at 2 GHz and two 4-vCPU VMs of equal shares with periodic demand of 60, 75 or
  // 90% per vCPU: 4,800 to 7,200 MHz each asked, 8,000 MHz in all, so each is entitled to
  // 4,000 and runs half the time. One VM fills the cores: handing them over whole, neither
  // co-stops, whatever the phases of the bursts (ten seeds).
  for (const double demand : {0.6, 0.75, 0.9}) {
    for (std::uint64_t seed = 1; seed <= 10; ++seed) {
      CAPTURE(demand);
      CAPTURE(seed);
      auto s = make_scenario(30_s, Fidelity::detailed);
      s.seed = seed;
      s.hosts.push_back(make_host("esx", 4, 2000.0));
      s.vms.push_back(make_vm("a0", "esx", 4, busy(demand)));
      s.vms.push_back(make_vm("b0", "esx", 4, busy(demand)));
      const RunResult r = run_scenario(s);
      for (const char* vm : {"a0", "b0"}) {
        CAPTURE(vm);
        CHECK(vm_avg(r, vm, metric::vm_cpu_used_mhz) == doctest::Approx(4000.0).epsilon(0.01));
        CHECK(vm_avg(r, vm, metric::vm_cpu_costop) < 0.005);
      }
    }
  }
}

TEST_CASE("detailed: two vCPUs swapping beside a running one leave its speed and timer as they are") {
  // One core of two threads. `b` and `c` (busy) start at 0 and take turns on one thread at
  // their quantum ends (cpu.quantum: 20 ms); `tasks` (shares far above theirs) comes at
  // 5 ms, preempts one of them and keeps the other thread, running 143 tasks of 7 ms back
  // to back. Its partner thread is never idle, so it runs at 62.5% throughout: 1.001 s of
  // work ends at 5 ms + 1.6016 s. A swap is one instant: the thread beside `tasks` goes
  // from one vCPU to the next, its speed never changes, and nothing is rescheduled for it
  // (an early timer would cost an event at each swap within a task).
  Lab lab(make_host("esx", 1, 2000.0, 2));
  auto& b = lab.add("b", 1, busy());
  auto& c = lab.add("c", 1, busy());
  lab.sim.run_until(5_ms);
  auto& tasks = lab.add("tasks", 1, TasksCpu{143, 7_ms}, 100000.0);
  lab.sim.run_until(1606_ms);
  CHECK(lab.metrics.total(tasks.metrics.tasks_completed) == 142.0);
  lab.sim.run_until(1607_ms);
  CHECK(lab.metrics.total(tasks.metrics.tasks_completed) == 143.0);
  CHECK(lab.model->stats().preemptions > 30);  // b and c did take turns
  // By hand, up to 1.607 s: the two starts; 143 task ends; the quantum ends of `tasks`
  // (25, 45, ... 1605 ms: 80) and of b's and c's turns (20, 40, ... 1600 ms: 80).
  CHECK(lab.sim.events_processed() == 2 + 143 + 80 + 80);
  // b and c: both at 62.5% for 5 ms, one of them while `tasks` runs, both again after.
  CHECK(lab.model->work_done_ns(b, 0) + lab.model->work_done_ns(c, 0) ==
        doctest::Approx(0.625 * (2 * 5e6 + 1601.6e6 + 2 * 0.4e6)).epsilon(1e-9));
}
