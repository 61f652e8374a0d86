// Report layer: the summary's arithmetic on hand-built metrics, the JSON contract, the
// text summary's size, and files written whole or not at all.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <algorithm>

#include "vdc/models/metric_names.hpp"
#include "vdc/report/analysis.hpp"
#include "vdc/report/summary.hpp"
#include "vdc/report/writers.hpp"

using namespace vdc;
using namespace vdc::sim::literals;
namespace metric = vdc::models::metric;

namespace {

/// One host, one 2-vCPU VM, 100 s. The VM runs both vCPUs for the first 50 s; then one
/// vCPU runs and the other is ready for 25 s; then both wait.
models::RunResult small_run() {
  models::RunResult r;
  r.scenario = "hand";
  r.seed = 3;
  r.duration = 100_s;
  r.sample_interval = 20_s;
  r.metrics = sim::MetricsRegistry(20_s);
  r.hosts.push_back({.name = "esx01", .cluster = "", .pcpus = 4, .lcpus = 8, .capacity_mhz = 8000.0,
                     .memory_mib = 65536.0, .min_free_mib = 1310.72, .vcpus = 2});
  r.vms.push_back({.name = "vm1", .host = "esx01", .cluster = "", .vcpus = 2, .memory_mib = 4096.0,
                   .powered_on = true, .admission = std::nullopt});
  auto& m = r.metrics;
  const auto vm = metric::vm_entity("vm1");
  const auto run = m.gauge(vm, metric::vm_cpu_run, true);
  const auto ready = m.gauge(vm, metric::vm_cpu_ready, true);
  const auto wait = m.gauge(vm, metric::vm_cpu_wait, true);
  const auto used = m.gauge(vm, metric::vm_cpu_used_mhz, true);
  m.set(run, 0_s, 1.0);
  m.set(used, 0_s, 4000.0);
  m.set(run, 50_s, 0.5);
  m.set(ready, 50_s, 0.5);
  m.set(used, 50_s, 2000.0);
  m.set(run, 75_s, 0.0);
  m.set(ready, 75_s, 0.0);
  m.set(wait, 75_s, 1.0);
  m.set(used, 75_s, 0.0);
  const auto host = metric::host_entity("esx01");
  const auto hused = m.gauge(host, metric::host_cpu_used_mhz, true);
  m.set(hused, 0_s, 4000.0);
  m.set(hused, 50_s, 2000.0);
  m.set(hused, 75_s, 0.0);
  const auto high = m.gauge(host, metric::host_mem_state_high, true);
  m.set(high, 0_s, 1.0);
  const auto hdemand = m.gauge(host, metric::host_cpu_demand_mhz, true);
  m.set(hdemand, 0_s, 4000.0);
  m.set(hdemand, 50_s, 2000.0);
  m.set(hdemand, 75_s, 0.0);
  const auto consumed = m.gauge(host, metric::host_mem_consumed_mib, true);
  m.set(consumed, 0_s, 32768.0);
  const auto vdemand = m.gauge(vm, metric::vm_cpu_demand_mhz, true);
  m.set(vdemand, 0_s, 1000.0);
  const auto granted = m.gauge(vm, metric::vm_mem_granted_mib, true);
  m.set(granted, 0_s, 4096.0);
  m.finish(100_s);
  return r;
}

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the summary turns state gauges into per-vCPU percentages and vCenter ready ms") {
  const auto s = report::summarize(small_run());
  REQUIRE(s.vms.size() == 1);
  const auto& c = s.vms[0].cpu;
  // run: (1.0 x 50 + 0.5 x 25) / 100 = 62.5%; ready: 0.5 x 25 / 100 = 12.5%; wait the rest.
  CHECK(c.run_pct == doctest::Approx(62.5));
  CHECK(c.ready_pct == doctest::Approx(12.5));
  CHECK(c.costop_pct == doctest::Approx(0.0));
  CHECK(c.wait_pct == doctest::Approx(25.0));
  // 12.5% of 2 vCPUs x 100 000 ms = 25 000 ms: one vCPU ready for 25 s.
  CHECK(c.ready_ms == doctest::Approx(25000.0));
  // used: (4000 x 50 + 2000 x 25) / 100 = 2500 MHz.
  CHECK(c.used_mhz_avg == doctest::Approx(2500.0));
}

TEST_CASE("the host summary gives utilisation, overcommit and time in memory states") {
  const auto s = report::summarize(small_run());
  const auto& h = s.hosts.at(0);
  CHECK(h.cpu.used_mhz_avg == doctest::Approx(2500.0));
  CHECK(h.cpu.util_pct_avg == doctest::Approx(31.25));  // 2500 / 8000
  CHECK(h.cpu.vcpu_per_pcpu == doctest::Approx(0.5));   // 2 vCPUs on 4 cores
  CHECK(h.memory.state_time_pct[0] == doctest::Approx(100.0));
}

TEST_CASE("report.json keeps the contract's keys in order and writes null for no admission problem") {
  const auto doc = report::to_json(report::summarize(small_run()));
  std::vector<std::string> top;
  for (const auto& [k, v] : doc.items()) top.push_back(k);
  CHECK(top.at(0) == "scenario");
  CHECK(top.at(1) == "seed");
  CHECK(doc["vms"][0]["admission"].is_null());
  CHECK(doc["vms"][0]["power_state"] == "on");
  CHECK(doc["vms"][0]["cpu"]["ready_ms"].get<double>() == doctest::Approx(25000.0));
  CHECK(doc["hosts"][0]["memory"]["state_time_pct"]["high"].get<double>() == doctest::Approx(100.0));
}

TEST_CASE("the text summary stays short for a run with thousands of VMs") {
  auto r = small_run();
  for (int i = 0; i < 3000; ++i) {
    r.vms.push_back({.name = "x" + std::to_string(i), .host = "esx01", .cluster = "", .vcpus = 1,
                     .memory_mib = 1024.0, .powered_on = true, .admission = std::nullopt});
  }
  std::ostringstream out;
  report::write_text(out, report::summarize(r));
  const auto text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') < 40);
  CHECK(text.find("worst 10 of 3001") != std::string::npos);
}

TEST_CASE("the interval time series has one row per interval and entity, stamped at the interval end") {
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-report-ts";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_timeseries_csv(dir, small_run());
  const auto vms = slurp(dir / "vms_timeseries.csv");
  // 100 s at 20 s: five rows for the one VM; the third interval [40, 60) is half at run 1.0
  // and half at 0.5, so its average run is 0.75.
  CHECK(std::count(vms.begin(), vms.end(), '\n') == 6);
  CHECK(vms.find("60.000000,vm1,0.750000") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a file is written whole through a temporary name, and a failed write leaves nothing") {
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-report-atomic";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_file_atomically(dir / "a.txt", "hello\n");
  CHECK(slurp(dir / "a.txt") == "hello\n");
  CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 1);
  CHECK_THROWS_AS(report::write_file_atomically(dir / "missing" / "b.txt", "x"), std::runtime_error);
  CHECK(!std::filesystem::exists(dir / "missing"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("capacity headroom counts reference VMs under each threshold and names the one that binds") {
  report::CapacitySettings settings;
  settings.reference_vm = "vm1";
  const auto c = report::analyse_capacity(small_run(), settings);
  REQUIRE(c.hosts.size() == 1);
  const auto& h = c.hosts[0];
  // Host demand per 20 s interval: 4000, 4000, 3000, 1500, 0 -> p95 (5th of 5) = 4000 MHz.
  CHECK(h.cpu_demand_mhz.p95 == doctest::Approx(4000.0));
  CHECK(c.reference.cpu_demand_mhz_p95 == doctest::Approx(1000.0));
  // CPU: 80% of 8000 = 6400; (6400 - 4000) / 1000 = 2.4 -> 2 more VMs.
  CHECK(h.headroom_cpu_util == 2);
  // Ready: with 2 more 2-vCPU VMs there are 6 vCPUs for 8 logical CPUs: nobody waits.
  CHECK(h.headroom_cpu_ready == 2);
  // Memory state: 65536 - 0.64 x 1310.72 - 32768 = 31929.14 MiB free above soft; / 4096 = 7.8.
  CHECK(h.headroom_mem_state == 7);
  // Memory use: (65536 - 32768) / 4096 = 8.
  CHECK(h.headroom_mem_util == 8);
  CHECK(h.headroom_vms == 2);
  CHECK(h.binding == "cpu_util");
  REQUIRE(c.clusters.size() == 1);
  CHECK(c.clusters[0].name == "site");
  CHECK(c.clusters[0].headroom_vms == 2);
}

TEST_CASE("an unknown reference VM is an error") {
  report::CapacitySettings settings;
  settings.reference_vm = "nope";
  CHECK_THROWS_AS((void)report::analyse_capacity(small_run(), settings), std::invalid_argument);
}

TEST_CASE("contention lists each threshold crossing with the time spent over it") {
  const auto c = report::analyse_contention(small_run(), {});
  // Ready per vCPU by interval: 0, 0, 25, 37.5, 0 percent; over 5% in two 20 s intervals.
  const auto it = std::find_if(c.offenders.begin(), c.offenders.end(),
                               [](const report::Offender& o) { return o.metric == "ready_pct"; });
  REQUIRE(it != c.offenders.end());
  CHECK(it->name == "vm1");
  CHECK(it->time_over_s == doctest::Approx(40.0));
  CHECK(it->peak == doctest::Approx(37.5));
  CHECK(it->average == doctest::Approx(12.5));
  // Host CPU used: 4000 of 8000 at most, never above 90%.
  CHECK(std::none_of(c.offenders.begin(), c.offenders.end(),
                     [](const report::Offender& o) { return o.metric == "cpu_util_pct"; }));
}
