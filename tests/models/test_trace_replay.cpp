// Trace workloads inside a run: a VM's demand replays its trace in both fidelities.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "scenario_builder.hpp"
#include "vdc/models/trace/trace_error.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::testing;

namespace {

namespace fs = std::filesystem;

/// A file of the test's own, removed at the end of the test.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(fs::temp_directory_path() / (std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { fs::remove(path_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }

 private:
  fs::path path_;
};

// MHz used by the whole VM: 1000 for 10 s, 3000 for 15 s, 0 for 5 s, 500 for 5 s (the last
// sample lasts as long as the interval before it). Span 35 s; integral
// 10000 + 45000 + 0 + 2500 = 57500 MHz s.
constexpr const char* mhz_trace = "time,cpu_mhz\n0,1000\n10,3000\n25,0\n30,500\n";
constexpr double mhz_integral = 57500.0;

TraceCpu trace_of(const std::string& file, TraceEnd at_end) {
  TraceCpu t;
  t.format = TraceFormat::csv;
  t.file = file;
  t.column = "cpu_mhz";
  t.at_end = at_end;
  return t;
}

double vm_integral(const RunResult& r, std::string_view vm, std::string_view name) {
  const auto id = r.metrics.find(metric::vm_entity(vm), name);
  REQUIRE(id.has_value());
  return r.metrics.integral(*id);
}

}  // namespace

TEST_CASE("a replayed trace conserves its demand over the span, in both fidelities") {
  // A 2-vCPU VM on 2 cores of 2000 MHz: 3000 MHz is 0.75 of a core per vCPU, never capped,
  // so demand and use follow the trace. Two spans of a looping trace give twice the integral.
  const TempFile file("conserve.csv", mhz_trace);
  for (const Fidelity f : {Fidelity::fluid, Fidelity::detailed}) {
    CAPTURE(f == Fidelity::detailed);
    for (const auto& [at_end, count] : {std::pair{TraceEnd::stop, 1}, std::pair{TraceEnd::loop, 2}}) {
      const int spans = count;  // a copy: clang 14 lambdas (CAPTURE) cannot name a binding
      CAPTURE(spans);
      auto s = make_scenario(35_s * spans, f);
      s.hosts.push_back(make_host("esx", 2, 2000.0));
      s.vms.push_back(make_vm("replay", "esx", 2, trace_of(file.path(), at_end)));
      const RunResult r = run_scenario(s);
      const double expected = mhz_integral * spans;
      if (f == Fidelity::fluid) {
        CHECK(vm_integral(r, "replay", metric::vm_cpu_demand_mhz) == doctest::Approx(expected));
        CHECK(vm_integral(r, "replay", metric::vm_cpu_used_mhz) == doctest::Approx(expected));
      } else {
        // The detailed model takes up a new level at the next burst of each vCPU, within
        // one 10 ms burst period of the change.
        CHECK(vm_integral(r, "replay", metric::vm_cpu_demand_mhz) ==
              doctest::Approx(expected).epsilon(0.005));
        CHECK(vm_integral(r, "replay", metric::vm_cpu_used_mhz) ==
              doctest::Approx(expected).epsilon(0.01));
      }
    }
  }
}

TEST_CASE("a trace in MHz keeps its MHz when the VM moves to a host of another frequency") {
  // Halfway through, the VM moves from a 2000 MHz host to a 2500 MHz one: its demand per
  // vCPU becomes MHz / (2 x 2500), and the MHz it demands stay the trace's.
  const TempFile file("migrate.csv", mhz_trace);
  auto s = make_scenario(35_s);
  s.hosts.push_back(make_host("a", 2, 2000.0));
  s.hosts.push_back(make_host("b", 2, 2500.0));
  s.vms.push_back(make_vm("replay", "a", 2, trace_of(file.path(), TraceEnd::stop)));
  s.events.push_back(event(15_s, EventKind::migrate, "replay", "b"));
  const RunResult r = run_scenario(s);
  CHECK(vm_facts(r, "replay").host == "b");
  CHECK(vm_integral(r, "replay", metric::vm_cpu_demand_mhz) == doctest::Approx(mhz_integral));
  // Host a carried the first 10 s at 1000 MHz and 5 s at 3000.
  const auto a_used = r.metrics.find(metric::host_entity("a"), metric::host_cpu_used_mhz);
  CHECK(r.metrics.integral(*a_used) == doctest::Approx(25000.0));
}

TEST_CASE("a trace in percent of the VM is spread evenly over its vCPUs") {
  // 50% of a 4-vCPU VM for 20 s then 100% for 20 s: half of each vCPU, then all of it, on a
  // 4-core 3000 MHz host: 6000 MHz then 12000 MHz.
  const TempFile file("percent.csv", "t,util\n0,50\n20,100\n");
  auto s = make_scenario(40_s);
  s.hosts.push_back(make_host("esx", 4, 3000.0));
  TraceCpu t = trace_of(file.path(), TraceEnd::hold);
  t.column = "util";
  s.vms.push_back(make_vm("replay", "esx", 4, t));
  const RunResult r = run_scenario(s);
  CHECK(vm_avg(r, "replay", metric::vm_cpu_used_mhz) == doctest::Approx(9000.0));
}

TEST_CASE("a trace that cannot be read fails the run before it starts") {
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  s.vms.push_back(make_vm("replay", "esx", 1, trace_of("/nonexistent/vm.csv", TraceEnd::loop)));
  CHECK_THROWS_AS((void)run_scenario(s), trace::TraceError);
}

namespace {

// CPU 10% of the VM throughout; active memory in MB (MiB): nothing for 200 s while the
// guest touches its 4096 MiB at 32 MiB/s (done at 128 s), then 1024, 3072 and 512 MiB for
// 300 s each. Span 1100 s; integral 300 x (1024 + 3072 + 512) = 1,382,400 MiB s.
constexpr const char* memory_trace =
    "time,cpu_pct,mem_mb\n0,10,0\n200,10,1024\n500,10,3072\n800,10,512\n";
constexpr double memory_integral = 1382400.0;

TraceCpu memory_trace_of(const std::string& file, TraceEnd at_end) {
  TraceCpu t = trace_of(file, at_end);
  t.column = "cpu_pct";
  t.memory_column = "mem_mb";
  return t;
}

}  // namespace

TEST_CASE("a trace's memory column drives the VM's active memory and conserves its integral") {
  const TempFile file("memory.csv", memory_trace);
  for (const auto& [at_end, count] : {std::pair{TraceEnd::stop, 1}, std::pair{TraceEnd::loop, 3}}) {
    const int spans = count;  // a copy: clang 14 lambdas (CAPTURE) cannot name a binding
    CAPTURE(spans);
    auto s = make_scenario(1100_s * spans);
    s.hosts.push_back(make_host("esx", 2, 2000.0));
    VmConfig vm = make_vm("replay", "esx", 1, memory_trace_of(file.path(), at_end));
    vm.memory_mib = 4096.0;
    s.vms.push_back(vm);
    const RunResult r = run_scenario(s);
    CHECK(vm_integral(r, "replay", metric::vm_mem_active_mib) ==
          doctest::Approx(memory_integral * spans));
    // 10% of one 2000 MHz vCPU, unaffected: the host has room for all of it.
    CHECK(vm_avg(r, "replay", metric::vm_cpu_used_mhz) == doctest::Approx(200.0));
  }
}

TEST_CASE("a memory column in percent is a share of the VM's memory, and scale applies") {
  // 25% of an 8192 MiB VM, doubled by scale: 4096 MiB active after the guest has touched
  // it (128 s at 32 MiB/s), beyond the workload's touched fraction of 25%.
  const TempFile file("memory-pct.csv", "t,cpu_pct,mem_pct\n0,5,25\n300,5,25\n");
  auto s = make_scenario(600_s);
  s.hosts.push_back(make_host("esx", 2, 2000.0));
  TraceCpu t = trace_of(file.path(), TraceEnd::hold);
  t.column = "cpu_pct";
  t.memory_column = "mem_pct";
  t.scale = 2.0;
  VmConfig vm = make_vm("replay", "esx", 1, t);
  vm.memory_mib = 8192.0;
  vm.mem_workload.touched = 0.25;
  s.vms.push_back(vm);
  const RunResult r = run_scenario(s);
  const auto id = r.metrics.find(metric::vm_entity("replay"), metric::vm_mem_active_mib);
  REQUIRE(id.has_value());
  CHECK(r.metrics.max(*id) == doctest::Approx(4096.0));
  // Active follows touching at 32 MiB/s, as published at each 15 s step (Mem.BalancePeriod):
  // 480 k MiB from step k (k = 1..8, 15 s each), then 4096 from 135 s to 600 s.
  CHECK(r.metrics.integral(*id) == doctest::Approx(15.0 * 480.0 * 36.0 + 465.0 * 4096.0));
}

TEST_CASE("a VM's memory trace goes on on the host it migrates to") {
  const TempFile file("memory-migrate.csv", memory_trace);
  auto s = make_scenario(1100_s);
  s.hosts.push_back(make_host("a", 2, 2000.0));
  s.hosts.push_back(make_host("b", 2, 2000.0));
  VmConfig vm = make_vm("replay", "a", 1, memory_trace_of(file.path(), TraceEnd::stop));
  vm.memory_mib = 4096.0;
  s.vms.push_back(vm);
  s.events.push_back(event(650_s, EventKind::migrate, "replay", "b"));
  const RunResult r = run_scenario(s);
  CHECK(vm_facts(r, "replay").host == "b");
  // The guest arrives with its 4096 touched MiB, so its working set is resident at once.
  CHECK(vm_integral(r, "replay", metric::vm_mem_active_mib) == doctest::Approx(memory_integral));
}

TEST_CASE("a memory column that is not memory fails the run before it starts") {
  const TempFile file("memory-bad.csv", mhz_trace);
  auto s = make_scenario(10_s);
  s.hosts.push_back(make_host("esx", 1, 2000.0));
  TraceCpu t = trace_of(file.path(), TraceEnd::loop);
  t.memory_column = "cpu_mhz";
  s.vms.push_back(make_vm("replay", "esx", 1, t));
  try {
    (void)run_scenario(s);
    FAIL("expected a TraceError");
  } catch (const trace::TraceError& e) {
    CHECK(std::string(e.what()) ==
          file.path() +
              " column cpu_mhz: error: the column is in MHz, not a memory measure (expected a "
              "memory column: KB, MB or GB used, or percent of the VM's memory)");
  }
}

TEST_CASE("a VM migrated while touching toward a peak goes on touching on the new host") {
  // 4096 MiB VM touching 10% (409.6 MiB, done at 12.8 s). Its working set jumps to 2048 at
  // 600 s and falls back to 512 at 610 s: the guest goes on touching toward 2048 at
  // 32 MiB/s. Migrated at 620 s with 409.6 + 20 x 32 = 1049.6 MiB touched, it touches the
  // remaining 998.4 MiB on the new host (by 651.2 s): granted reaches 2048 and stays there.
  const TempFile file("memory-spike.csv", "t,cpu,mem_mb\n0,10,0\n600,10,2048\n610,10,512\n1200,10,512\n");
  auto s = make_scenario(1200_s);
  s.hosts.push_back(make_host("a", 2, 2000.0));
  s.hosts.push_back(make_host("b", 2, 2000.0));
  TraceCpu t = trace_of(file.path(), TraceEnd::stop);
  t.column = "cpu";
  t.memory_column = "mem_mb";
  VmConfig vm = make_vm("replay", "a", 1, t);
  vm.memory_mib = 4096.0;
  vm.mem_workload.touched = 0.1;
  vm.mem_workload.active = 0.05;
  s.vms.push_back(vm);
  s.events.push_back(event(620_s, EventKind::migrate, "replay", "b"));
  const RunResult r = run_scenario(s);
  REQUIRE(vm_facts(r, "replay").host == "b");
  const auto granted = r.metrics.find(metric::vm_entity("replay"), metric::vm_mem_granted_mib);
  REQUIRE(granted.has_value());
  CHECK(r.metrics.max(*granted) == doctest::Approx(2048.0));
}
