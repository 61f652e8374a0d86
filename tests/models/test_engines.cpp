// A run of independent hosts split over engines (docs/architecture.md "Independent hosts"):
// when it splits, and that the split run's results are the whole run's.
#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "scenario_builder.hpp"
#include "vdc/models/registry.hpp"
#include "vdc/models/trace/trace_error.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;
using namespace vdc::sim::literals;

namespace {

/// Six hosts of 2 to 8 cores, one with two threads a core, and 25 VMs of 1 to 4 vCPUs in
/// every workload shape (constant, bursty, tasks, diurnal), some over-committing their
/// host, with memory pressure on host 2 and a VM that never powers on. The VMs are listed
/// out of their hosts' order, so a split run must put them back in the scenario's.
ScenarioConfig mixed(Fidelity fidelity = Fidelity::fluid) {
  auto s = make_scenario(120_s, fidelity);
  s.sample_interval = 10_s;
  for (int h = 0; h < 6; ++h) {
    HostConfig host = make_host("esx" + std::to_string(h), 2 + h % 4 * 2, 2000.0 + 100.0 * h, h == 3 ? 2 : 1);
    if (h == 2) host.memory_mib = 6144.0;
    s.hosts.push_back(host);
  }
  const OnOffCpu bursty{5_ms, 5_ms, BurstDistribution::exponential};
  const TasksCpu tasks{4, 3_s};
  DiurnalCpu diurnal;
  diurnal.mean = 0.5;
  diurnal.amplitude = 0.4;
  diurnal.noise = 0.1;
  diurnal.step = 7_s;
  const CpuWorkload shapes[] = {busy(0.7), bursty, tasks, diurnal, busy(1.0)};
  for (int v = 0; v < 25; ++v) {
    const int host = (v * 5 + 3) % 6;
    VmConfig vm = make_vm("vm" + std::to_string(v), "esx" + std::to_string(host), 1 + v % 4, shapes[v % 5]);
    vm.memory_mib = 2048.0 + 512.0 * (v % 3);
    if (v % 7 == 3) vm.cpu.level = ShareLevel::high;
    if (v == 11) vm.powered_on = false;
    s.vms.push_back(vm);
  }
  return s;
}

RunResult run_with(const ScenarioConfig& s, int engines, RunOptions o = {}) {
  o.engines = engines;
  return run_scenario(s, o);
}

/// The same with a copy of `s` given up to the run, whose engines then take its VMs.
RunResult run_given(const ScenarioConfig& s, int engines, RunOptions o = {}) {
  o.engines = engines;
  ScenarioConfig copy = s;
  return run_scenario(std::move(copy), o);
}

/// Every fact and metric of `split` as in `whole`: the same hosts and VMs in the same
/// order, and for each (entity, name) the same kind, value, average, extremes, totals and
/// series. Exact, but for the co-stop chain's share, which each engine's cache solves from
/// the nearest point it solved before (include/vdc/models/cpu/costop_chain.hpp): the
/// search's tolerance, far below any printed digit.
void check_same(const RunResult& whole, const RunResult& split) {
  CHECK(split.events == whole.events);
  CHECK(split.duration == whole.duration);
  CHECK(split.partial == whole.partial);
  REQUIRE(split.hosts.size() == whole.hosts.size());
  for (std::size_t h = 0; h < whole.hosts.size(); ++h) {
    CHECK(split.hosts[h].name == whole.hosts[h].name);
    CHECK(split.hosts[h].vcpus == whole.hosts[h].vcpus);
  }
  REQUIRE(split.vms.size() == whole.vms.size());
  for (std::size_t v = 0; v < whole.vms.size(); ++v) {
    CHECK(split.vms[v].name == whole.vms[v].name);
    CHECK(split.vms[v].host == whole.vms[v].host);
    CHECK(split.vms[v].powered_on == whole.vms[v].powered_on);
    CHECK(split.vms[v].admission == whole.vms[v].admission);
  }
  REQUIRE(split.metrics.size() == whole.metrics.size());
  const auto same = [](double a, double b) { return a == b || std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); };
  for (sim::MetricId id = 0; id < whole.metrics.size(); ++id) {
    const std::string& entity = whole.metrics.entity(id);
    const std::string& name = whole.metrics.name(id);
    CAPTURE(entity);
    CAPTURE(name);
    const auto other = split.metrics.find(entity, name);
    REQUIRE(other.has_value());
    REQUIRE(split.metrics.kind(*other) == whole.metrics.kind(id));
    if (whole.metrics.kind(id) == sim::MetricKind::counter) {
      CHECK(split.metrics.total(*other) == whole.metrics.total(id));
      continue;
    }
    CHECK(same(split.metrics.average(*other), whole.metrics.average(id)));
    CHECK(same(split.metrics.min(*other), whole.metrics.min(id)));
    CHECK(same(split.metrics.max(*other), whole.metrics.max(id)));
    CHECK(same(split.metrics.value(*other), whole.metrics.value(id)));
    const auto a = whole.metrics.series(id);
    const auto b = split.metrics.series(*other);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(same(a[i], b[i]));
  }
  // An entity's metrics keep their order.
  for (const std::string& entity : whole.metrics.entities()) {
    const auto a = whole.metrics.metrics_of(entity);
    const auto b = split.metrics.metrics_of(entity);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(split.metrics.name(b[i]) == whole.metrics.name(a[i]));
  }
  CHECK(split.sections.size() == whole.sections.size());
}

}  // namespace

TEST_CASE("a run splits over engines only when its hosts are independent") {
  const auto engines = [](ScenarioConfig s, int asked = 0) {
    resolve_ids(s);
    return engines_for(s, areas_for(s), asked);
  };
  ScenarioConfig s = mixed();
  CHECK(engines(s) == 1);  // six hosts: too few to split unasked
  CHECK(engines(s, 2) == 2);
  CHECK(engines(s, 4) == 4);
  CHECK(engines(s, 64) == 6);  // at most one engine per host
  CHECK(engines(s, 1) == 1);
  ScenarioConfig many = make_scenario(10_s);
  for (std::size_t h = 0; h < 2 * min_hosts_per_engine; ++h) {
    many.hosts.push_back(make_host("h" + std::to_string(h), 2, 2000.0));
  }
  CHECK(engines(many) == 2);
  many.hosts.pop_back();
  CHECK(engines(many) == 1);

  SUBCASE("a VM the least-loaded rule places") {
    s.vms[4].host.clear();
    CHECK(engines(s, 2) == 1);
  }
  SUBCASE("a cluster") {
    ClusterConfig c;
    c.name = "c";
    c.hosts = {"esx0", "esx1"};
    s.clusters.push_back(c);
    CHECK(engines(s, 2) == 1);
  }
  SUBCASE("a resource pool") {
    PoolConfig p;
    p.name = "pool";
    p.parent = "esx0";
    s.pools.push_back(p);
    CHECK(engines(s, 2) == 1);
  }
  SUBCASE("an area that may couple hosts") {
    resolve_ids(s);
    std::vector<const AreaSpec*> areas = areas_for(s);
    const AreaSpec coupling{"coupling"};  // no host_local: it may
    CHECK(engines_for(s, areas, 2) == 2);
    areas.push_back(&coupling);
    CHECK(engines_for(s, areas, 2) == 1);
  }
  SUBCASE("an event") {
    s.events.push_back(event(1_s, EventKind::power_off, "vm0"));
    CHECK(engines(s, 2) == 1);
  }
}

TEST_CASE("a run split over engines gives the whole run's results, in both fidelities") {
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(static_cast<int>(f));
    ScenarioConfig s = mixed(f);
    if (f == Fidelity::detailed) s.duration = 10_s;
    const RunResult whole = run_with(s, 1);
    for (const int n : {2, 3, 6}) {
      CAPTURE(n);
      check_same(whole, run_with(s, n));
      check_same(whole, run_given(s, n));
    }
  }
}

TEST_CASE("a split run's warm-up, kept series and stop request are the whole run's") {
  ScenarioConfig s = mixed();
  s.warmup = 25_s;
  RunOptions o;
  o.series_budget_bytes = 0;
  o.keep_series = {{metric::vm_entity("vm0"), std::string(metric::vm_cpu_run)},
                   {metric::vm_entity("vm7"), std::string(metric::vm_cpu_ready)},
                   {metric::host_entity("esx5"), std::string(metric::host_cpu_used_mhz)},
                   {metric::vm_entity("nobody"), std::string(metric::vm_cpu_run)}};
  const RunResult whole = run_with(s, 1, o);
  const RunResult split = run_with(s, 3, o);
  check_same(whole, split);
  CHECK(split.warmup == 25_s);
  // vm0 is on esx3 and vm7 on esx2: in different engines, each kept; 120 s at 10 s.
  CHECK(split.metrics.series(*split.metrics.find(metric::vm_entity("vm0"), metric::vm_cpu_run)).size() == 12);
  CHECK(split.metrics.series(*split.metrics.find(metric::vm_entity("vm7"), metric::vm_cpu_ready)).size() == 12);
  CHECK(split.metrics.series(*split.metrics.find(metric::vm_entity("vm1"), metric::vm_cpu_run)).empty());

  std::atomic<bool> stop{false};
  o.stop_requested = &stop;
  o.progress_every = 100;
  int calls = 0;
  std::uint64_t last_events = 0;
  o.progress = [&](sim::Time, std::uint64_t events) {
    last_events = events;
    if (++calls == 3) stop = true;
  };
  const RunResult stopped = run_with(s, 2, o);
  CHECK(stopped.partial);
  CHECK(calls == 3);
  CHECK(stopped.duration < 120_s);
  CHECK(stopped.events == last_events);  // both engines' events, reported as one run's
}

TEST_CASE("a split run with a trace that cannot be read fails as the whole run does") {
  // vm4 (on esx5, the second engine's) comes before vm20 (esx1, the first's) in the
  // scenario: the whole run reports vm4's file, and so must the split one, although its
  // first engine fails on vm20's.
  ScenarioConfig s = mixed();
  TraceCpu bad;
  bad.format = TraceFormat::csv;
  bad.column = "cpu_mhz";
  bad.file = "/nonexistent/first.csv";
  s.vms[4].cpu_workload = bad;
  bad.file = "/nonexistent/second.csv";
  s.vms[20].cpu_workload = bad;
  REQUIRE(s.vms[4].host == "esx5");
  REQUIRE(s.vms[20].host == "esx1");
  // Given up to the run, the scenario's VMs go back from the engines to the whole run.
  for (const int n : {1, 2}) {
    for (const bool given : {false, true}) {
      CAPTURE(n);
      CAPTURE(given);
      try {
        (void)(given ? run_given(s, n) : run_with(s, n));
        FAIL("expected a TraceError");
      } catch (const trace::TraceError& e) {
        CHECK(std::string(e.what()).find("first.csv") != std::string::npos);
      }
    }
  }
}

namespace {
// What the memory-release hooks saw: calls in order ('b' before_others, 'e' on an engine
// thread, 'a' after) and whether the engine-thread ones ran off the calling thread.
std::atomic<int> engine_calls{0};
std::atomic<int> engine_calls_off_main{0};
std::string release_calls;  // 'b' and 'a' only: the calling thread's
std::thread::id main_id;
void on_before() { release_calls += 'b'; }
void on_engine() {
  ++engine_calls;
  if (std::this_thread::get_id() != main_id) ++engine_calls_off_main;
}
void on_after() { release_calls += 'a'; }
}  // namespace

TEST_CASE("a split run gives freed memory back through the hooks set, once per engine beyond the first") {
  main_id = std::this_thread::get_id();
  const MemoryRelease before = set_memory_release(MemoryRelease{&on_before, &on_engine, &on_after});
  const ScenarioConfig s = mixed();
  const RunResult whole = run_with(s, 1);
  CHECK(release_calls.empty());  // one engine: nothing to give back
  CHECK(engine_calls == 0);
  check_same(whole, run_with(s, 3));
  CHECK(release_calls == "ba");
  CHECK(engine_calls == 2);
  CHECK(engine_calls_off_main == 2);
  set_memory_release(MemoryRelease{});  // no hooks: nothing is called, the run is the same
  check_same(whole, run_with(s, 3));
  CHECK(release_calls == "ba");
  CHECK(engine_calls == 2);
  const MemoryRelease none = set_memory_release(before);
  CHECK((none.before_others == nullptr && none.on_engine_thread == nullptr && none.after == nullptr));
}
