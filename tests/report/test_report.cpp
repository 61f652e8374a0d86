// Report layer: the summary's arithmetic on hand-built metrics, the JSON contract, capacity
// and contention, the warm-up window, the series the run kept, and files written whole or not
// at all (the terminal summary's tables: test_report_text.cpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "report_test_support.hpp"
#include "vdc/report/analysis.hpp"
#include "vdc/report/writers.hpp"

using namespace vdc;
using namespace vdc::report::test;
using namespace vdc::sim::literals;
namespace metric = vdc::models::metric;

TEST_CASE("the summary turns state gauges into per-vCPU percentages and vCenter ready ms") {
  const auto s = report::summarize(small_run());
  REQUIRE(s.vms.size() == 1);
  const auto c = [&](std::string_view key) { return vm_cpu(s, key); };
  // run: (1.0 x 50 + 0.5 x 25) / 100 = 62.5%; ready: 0.5 x 25 / 100 = 12.5%; wait the rest.
  CHECK(c("run_pct") == doctest::Approx(62.5));
  CHECK(c("ready_pct") == doctest::Approx(12.5));
  CHECK(c("costop_pct") == doctest::Approx(0.0));
  CHECK(c("wait_pct") == doctest::Approx(25.0));
  // 12.5% of 2 vCPUs x 100 000 ms = 25 000 ms: one vCPU ready for 25 s.
  CHECK(c("ready_ms") == doctest::Approx(25000.0));
  // used: (4000 x 50 + 2000 x 25) / 100 = 2500 MHz.
  CHECK(c("used_mhz_avg") == doctest::Approx(2500.0));
}

TEST_CASE("the host summary gives utilisation, overcommit and time in memory states") {
  const auto s = report::summarize(small_run());
  CHECK(host_cpu(s, "used_mhz_avg") == doctest::Approx(2500.0));
  CHECK(host_cpu(s, "util_pct_avg") == doctest::Approx(31.25));  // 2500 / 8000
  CHECK(host_cpu(s, "vcpu_per_pcpu") == doctest::Approx(0.5));   // 2 vCPUs on 4 cores
  CHECK(value(s, models::EntityKind::host, 0, "memory", "state_time_pct.high") == doctest::Approx(100.0));
  CHECK(value(s, models::EntityKind::host, 0, "memory", "min_free_mib") == doctest::Approx(1310.72));
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

TEST_CASE("the interval time series has one row per interval and entity, stamped at the interval end") {
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-report-ts";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_timeseries_csv(dir, small_run());
  const auto vms = slurp(dir / "vms_timeseries.csv");
  // 100 s at 20 s: five rows for the one VM; the third interval [40, 60) is half at run 1.0
  // and half at 0.5 per vCPU, so its average run is 0.75, which esxtop shows summed over the
  // 2 vCPUs: %RUN 150; used is half at 4000 and half at 2000 MHz: 3000.
  CHECK(std::count(vms.begin(), vms.end(), '\n') == 6);
  CHECK(vms.find("time_s,vm,USED_MHz,DEMAND_MHz,%RUN,%RDY,%WAIT,GRANT_MiB\n") == 0);
  CHECK(vms.find("60.000000,vm1,3000.000000,1000.000000,150.000000,50.000000,0.000000,4096.000000") !=
        std::string::npos);
  // The host file uses the same names for the same quantities.
  const auto hosts = slurp(dir / "hosts_timeseries.csv");
  CHECK(hosts.find("time_s,host,USED_MHz,DEMAND_MHz,CONSUMED_MiB,%STATE_high\n") == 0);
  CHECK(hosts.find("60.000000,esx01,3000.000000,3000.000000,32768.000000,100.000000") != std::string::npos);
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

TEST_CASE("report.json written in pieces is the same bytes as the report made whole") {
  // 12,000 VMs make about 2 MB: the file is handed over in pieces of a mebibyte or so.
  report::Summary s;
  s.scenario = "pieces";
  s.fidelity = "fluid";
  s.duration_s = 60.0;
  for (int i = 0; i < 12'000; ++i) {
    models::VmFacts v;
    v.name = "vm" + std::to_string(i);
    v.host = "esx" + std::to_string(i % 40);
    v.vcpus = 1 + i % 8;
    v.memory_mib = 1024.0 * (1 + i % 16);
    v.powered_on = i % 7 != 0;
    if (!v.powered_on) v.admission = "no host \"fits\"";
    s.vms.push_back(v);
  }
  const std::string whole = report::report_json(s);
  REQUIRE(whole.size() > (std::size_t{3} << 20) / 2);
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-report-pieces";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_report_json(dir / "report.json", s);
  CHECK(slurp(dir / "report.json") == whole);
  CHECK(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()) == 1);
  CHECK_THROWS_AS(report::write_report_json(dir / "missing" / "report.json", s), std::runtime_error);
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
  CHECK(h.headroom_cpu_util.vms == 2);
  // Ready: the search stops where cpu_util binds; with 2 more 2-vCPU VMs there are 6 vCPUs
  // for 8 logical CPUs, nobody waits: ready is not reached within those 2.
  CHECK_FALSE(h.headroom_cpu_ready.vms.has_value());
  CHECK(h.headroom_cpu_ready.note == "not reached within the 2 VMs cpu_util allows (searched no further)");
  // Memory state: 65536 - 0.64 x 1310.72 - 32768 = 31929.14 MiB free above soft; / 4096 = 7.8.
  CHECK(h.headroom_mem_state.vms == 7);
  // Memory use: (65536 - 32768) / 4096 = 8.
  CHECK(h.headroom_mem_util.vms == 8);
  CHECK(h.headroom_vms.vms == 2);
  CHECK(h.binding == "cpu_util");
  REQUIRE(c.clusters.size() == 1);
  CHECK(c.clusters[0].name == "site");
  CHECK(c.clusters[0].headroom_vms.vms == 2);
  CHECK(c.clusters[0].headroom_cpu_util.vms == 2);
  CHECK_FALSE(c.clusters[0].headroom_cpu_ready.vms.has_value());
  CHECK(c.clusters[0].headroom_cpu_ready.hosts_not_reached == 1);
}

TEST_CASE("a cluster's headroom sums the hosts where the threshold is reached and says which are left out") {
  auto r = small_run();
  r.hosts[0].cluster = "c1";
  // esx02: one 5000 MHz core, no VM. Each reference VM adds 2 vCPUs at 1000 MHz over 2:
  // busy 0.1 of the core each. Machine repairman on 1 server (M/M/1//N, r = 0.1/0.9):
  // N = 4 sources (2 VMs) wait 3.45% of the time each, N = 6 (3 VMs) 6.75%: ready binds at
  // 2 VMs, before cpu_util (80% of 5000 / 1000 = 4 VMs).
  r.hosts.push_back({.name = "esx02", .cluster = "c1", .pcpus = 1, .lcpus = 1, .capacity_mhz = 5000.0,
                     .memory_mib = 65536.0, .vcpus = 0});
  add_sections(r);
  set_host_value(r, "memory", 1, "min_free_mib", 1310.72);
  report::CapacitySettings settings;
  settings.reference_vm = "vm1";
  const auto c = report::analyse_capacity(r, settings);
  REQUIRE(c.hosts.size() == 2);
  const auto& b = c.hosts[1];
  CHECK(b.headroom_cpu_util.vms == 4);
  CHECK(b.headroom_cpu_ready.vms == 2);
  CHECK(b.headroom_cpu_ready.note.empty());
  // (65536 - 0.64 x 1310.72) / 4096 = 15.8; 65536 / 4096 = 16.
  CHECK(b.headroom_mem_state.vms == 15);
  CHECK(b.headroom_mem_util.vms == 16);
  CHECK(b.binding == "cpu_ready");
  REQUIRE(c.clusters.size() == 1);
  const auto& k = c.clusters[0];
  CHECK(k.name == "c1");
  CHECK(k.headroom_cpu_util.vms == 6);  // 2 + 4
  // esx01's ready is not reached (cpu_util binds there first): the sum is esx02's alone.
  CHECK(k.headroom_cpu_ready.vms == 2);
  CHECK(k.headroom_cpu_ready.hosts_not_reached == 1);
  CHECK(k.headroom_cpu_ready.note == "sum over the 1 of 2 hosts where it is reached; not reached on the other 1");
  CHECK(k.headroom_mem_state.vms == 22);  // 7 + 15
  CHECK(k.headroom_mem_util.vms == 24);   // 8 + 16
  CHECK(k.headroom_vms.vms == 4);         // 2 + 2
  CHECK(k.headroom_vms.note.empty());

  const auto doc = report::to_json(report::summarize(r, {settings, {}, {}}));
  const auto& hr = doc["capacity"]["hosts"][0]["headroom"];
  CHECK(hr["by_threshold"]["cpu_ready"].is_null());
  CHECK(hr["notes"]["cpu_ready"] == "not reached within the 2 VMs cpu_util allows (searched no further)");
  CHECK(hr["by_threshold"]["cpu_util"] == 2);
  CHECK_FALSE(hr["notes"].contains("cpu_util"));
  const auto& kr = doc["capacity"]["clusters"][0]["headroom"];
  CHECK(kr["by_threshold"]["cpu_ready"] == 2);
  CHECK(kr["hosts_not_reached"]["cpu_ready"] == 1);
  CHECK(kr["notes"]["cpu_ready"] == "sum over the 1 of 2 hosts where it is reached; not reached on the other 1");
  CHECK(kr["vms"] == 4);
}

TEST_CASE("a threshold that never binds is null with its reason, never a sentinel count") {
  // The average VM demands no CPU: no number of them crosses a CPU threshold.
  const auto r = idle_run();
  const auto c = report::analyse_capacity(r, {});
  REQUIRE(c.hosts.size() == 2);
  const auto& a = c.hosts[0];
  CHECK_FALSE(a.headroom_cpu_util.vms.has_value());
  CHECK(a.headroom_cpu_util.note == "never binds: the reference VM demands no CPU");
  CHECK_FALSE(a.headroom_cpu_ready.vms.has_value());
  CHECK(a.headroom_cpu_ready.note == "never binds within 100000 VMs");
  // Memory binds on esx01: (65536 - 32768) / 4096 = 8, and 7 above the soft state.
  CHECK(a.headroom_mem_state.vms == 7);
  CHECK(a.headroom_vms.vms == 7);
  CHECK(a.binding == "mem_state");
  // esx02 takes 8 PiB / 4 GiB = 2,097,152 of them: past the million counted, never binds.
  const auto& b = c.hosts[1];
  CHECK_FALSE(b.headroom_mem_util.vms.has_value());
  CHECK(b.headroom_mem_util.note == "never binds within 1000000 VMs");
  CHECK_FALSE(b.headroom_vms.vms.has_value());
  CHECK(b.binding == "none");
  // The cluster: memory sums esx01 only; CPU is reached on neither host.
  REQUIRE(c.clusters.size() == 1);
  const auto& k = c.clusters[0];
  CHECK(k.headroom_mem_state.vms == 7);
  CHECK(k.headroom_mem_state.hosts_not_reached == 1);
  CHECK(k.headroom_vms.vms == 7);
  CHECK(k.headroom_vms.hosts_not_reached == 1);
  CHECK_FALSE(k.headroom_cpu_util.vms.has_value());
  CHECK(k.headroom_cpu_util.note == "never binds: the reference VM demands no CPU, on each of its 2 hosts");
  CHECK(k.headroom_cpu_ready.note == "never binds within 100000 VMs, on each of its 2 hosts");

  const auto s = report::summarize(r);
  const auto doc = report::to_json(s);
  const auto& hb = doc["capacity"]["hosts"][1]["headroom"];
  CHECK(hb["vms"].is_null());
  CHECK(hb["binding"] == "none");
  CHECK(hb["by_threshold"]["mem_util"].is_null());
  CHECK(hb["notes"]["mem_util"] == "never binds within 1000000 VMs");
  CHECK(doc["capacity"]["clusters"][0]["headroom"]["vms"] == 7);
  CHECK(doc["capacity"]["clusters"][0]["headroom"]["hosts_not_reached"]["vms"] == 1);
  const std::string dump = doc.dump();
  for (const char* sentinel : {"1000000,", "100000,", "500000"}) {
    CAPTURE(sentinel);
    CHECK(dump.find(sentinel) == std::string::npos);
  }

  // The HTML chart's axis fits the counts reached (at most esx01's 8), not a sentinel; the
  // others are drawn as "not reached".
  const auto html = report::html_report(s, r);
  CHECK(html.find("\"domain\":[0,8]") != std::string::npos);
  CHECK(html.find("\"label\":\"not reached\"") != std::string::npos);

  // The text marks the cluster's sum and says which hosts it leaves out.
  std::ostringstream out;
  report::write_text(out, s);
  const auto text = out.str();
  CHECK(text.find("c1                    2       0.25       0.00            0        32768          7*  mem_state") !=
        std::string::npos);
  CHECK(text.find("* c1: 1 of 2 hosts reaches no threshold and is not counted") != std::string::npos);
}

TEST_CASE("a cluster where no threshold is reached says not reached") {
  auto r = idle_run();
  r.hosts.erase(r.hosts.begin());  // esx02 alone: nothing binds
  add_sections(r);
  const auto s = report::summarize(r);
  REQUIRE(s.capacity.clusters.size() == 1);
  CHECK_FALSE(s.capacity.clusters[0].headroom_vms.vms.has_value());
  CHECK(s.capacity.clusters[0].binding == "none");
  std::ostringstream out;
  report::write_text(out, s);
  CHECK(out.str().find("not reached  none") != std::string::npos);
  CHECK(report::to_json(s)["capacity"]["clusters"][0]["headroom"]["vms"].is_null());
}

TEST_CASE("a run where no VM demands CPU is flagged, and ready is not called fine") {
  const auto s = report::summarize(idle_run());
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0].code == "no_workload");
  std::ostringstream out;
  report::write_text(out, s);
  const auto text = out.str();
  CHECK(text.find("WARNING: No VM has a workload") != std::string::npos);
  CHECK(text.find("CPU: not modelled (no VM demands CPU)") != std::string::npos);
  CHECK(text.find("no VM above") == std::string::npos);
  const auto doc = report::to_json(s);
  REQUIRE(doc["warnings"].size() == 1);
  CHECK(doc["warnings"][0]["code"] == "no_workload");

  // One VM with a workload is enough: no warning.
  const auto busy = report::summarize(small_run());
  CHECK(busy.warnings.empty());
  CHECK(report::to_json(busy)["warnings"].empty());
  std::ostringstream busy_out;
  report::write_text(busy_out, busy);
  CHECK(busy_out.str().find("CPU: no VM above 5% ready per vCPU.") == std::string::npos);  // vm1 is at 12.5%
  CHECK(busy_out.str().find("WARNING") == std::string::npos);
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

TEST_CASE("with a warm-up before the step every figure covers the window only") {
  // Window [30 s, 100 s): 70 s. run 1.0 over [30, 50) and 0.5 over [50, 75): 32.5 / 70;
  // ready 0.5 over [50, 75): 12.5 / 70; wait 1.0 over [75, 100): 25 / 70.
  const auto s = report::summarize(small_run(30_s));
  const auto c = [&](std::string_view key) { return vm_cpu(s, key); };
  CHECK(s.warmup_s == doctest::Approx(30.0));
  CHECK(c("run_pct") == doctest::Approx(100.0 * 32.5 / 70.0));
  CHECK(c("ready_pct") == doctest::Approx(100.0 * 12.5 / 70.0));
  CHECK(c("wait_pct") == doctest::Approx(100.0 * 25.0 / 70.0));
  // The whole ready time falls in the window: one vCPU for 25 s, as without a warm-up.
  CHECK(c("ready_ms") == doctest::Approx(25000.0));
  // used: (4000 x 20 + 2000 x 25) / 70.
  CHECK(c("used_mhz_avg") == doctest::Approx(130000.0 / 70.0));
  CHECK(host_cpu(s, "used_mhz_avg") == doctest::Approx(130000.0 / 70.0));
  // Host demand over the window's intervals: [30, 40) 4000, [40, 60) 3000, [60, 80) 1500,
  // [80, 100) 0. Nearest rank of 4: p50 = 2nd = 1500, p95 = 4th = 4000.
  const auto& h = s.capacity.hosts.at(0);
  CHECK(h.cpu_demand_mhz.avg == doctest::Approx(130000.0 / 70.0));
  CHECK(h.cpu_demand_mhz.p50 == doctest::Approx(1500.0));
  CHECK(h.cpu_demand_mhz.p95 == doctest::Approx(4000.0));
  // Ready per vCPU by window interval: 0, 25, 37.5, 0 percent: 40 s over 5%.
  const auto it = std::find_if(s.contention.offenders.begin(), s.contention.offenders.end(),
                               [](const report::Offender& o) { return o.metric == "ready_pct"; });
  REQUIRE(it != s.contention.offenders.end());
  CHECK(it->time_over_s == doctest::Approx(40.0));
  CHECK(it->peak == doctest::Approx(37.5));
  CHECK(it->average == doctest::Approx(100.0 * 12.5 / 70.0));
  CHECK(s.capacity.warmup_s == doctest::Approx(30.0));
  CHECK(s.capacity.window_s == doctest::Approx(70.0));
}

TEST_CASE("with a warm-up across the step only what follows it counts") {
  SUBCASE("on an interval boundary") {
    // Window [60, 100): 40 s. run and ready 0.5 over [60, 75): 7.5 / 40 each.
    const auto s = report::summarize(small_run(60_s));
    const auto c = [&](std::string_view key) { return vm_cpu(s, key); };
    CHECK(c("run_pct") == doctest::Approx(18.75));
    CHECK(c("ready_pct") == doctest::Approx(18.75));
    CHECK(c("wait_pct") == doctest::Approx(62.5));
    CHECK(c("ready_ms") == doctest::Approx(15000.0));  // one vCPU ready for 15 s
    CHECK(c("used_mhz_avg") == doctest::Approx(750.0));  // 2000 x 15 / 40
    // Host demand by window interval: [60, 80) 1500, [80, 100) 0.
    CHECK(s.capacity.hosts.at(0).cpu_demand_mhz.p95 == doctest::Approx(1500.0));
    const auto ready = std::find_if(s.contention.offenders.begin(), s.contention.offenders.end(),
                                    [](const report::Offender& o) { return o.metric == "ready_pct"; });
    REQUIRE(ready != s.contention.offenders.end());
    CHECK(ready->time_over_s == doctest::Approx(20.0));
    CHECK(ready->peak == doctest::Approx(37.5));
  }
  SUBCASE("inside an interval") {
    // Window [55, 100): 45 s. ready 0.5 over [55, 75): 10 / 45; one vCPU for 20 s.
    const auto s = report::summarize(small_run(55_s));
    const auto c = [&](std::string_view key) { return vm_cpu(s, key); };
    CHECK(c("ready_pct") == doctest::Approx(100.0 * 10.0 / 45.0));
    CHECK(c("run_pct") == doctest::Approx(100.0 * 10.0 / 45.0));
    CHECK(c("ready_ms") == doctest::Approx(20000.0));
    // The interval [40, 60) counts by its part [55, 60): ready 50%, demand 2000; then
    // [60, 80) 37.5% and 1500, [80, 100) 0 and 0.
    const auto ready = std::find_if(s.contention.offenders.begin(), s.contention.offenders.end(),
                                    [](const report::Offender& o) { return o.metric == "ready_pct"; });
    REQUIRE(ready != s.contention.offenders.end());
    CHECK(ready->peak == doctest::Approx(50.0));
    CHECK(ready->time_over_s == doctest::Approx(25.0));  // 5 s + 20 s
    const auto& h = s.capacity.hosts.at(0);
    CHECK(h.cpu_demand_mhz.p95 == doctest::Approx(2000.0));
    CHECK(h.cpu_demand_mhz.max == doctest::Approx(2000.0));
    // cpu_util headroom from that p95: (6400 - 2000) / 1000 = 4.4 -> 4.
    CHECK(h.headroom_cpu_util.vms == 4);
  }
}

TEST_CASE("the reports say the warm-up and the time series mark it") {
  const auto run = small_run(30_s);
  const auto s = report::summarize(run);
  std::ostringstream out;
  report::write_text(out, s);
  const auto text = out.str();
  CHECK(text.find("(fluid, seed 3, 1m40s simulated, first 30s excluded as warm-up, 0 events)") != std::string::npos);
  CHECK(text.find("Capacity (estimate from demand percentiles, after a 30s warm-up;") != std::string::npos);
  const auto doc = report::to_json(s);
  CHECK(doc["capacity"]["warmup_s"] == 30.0);
  CHECK(doc["capacity"]["window_s"] == 70.0);
  CHECK(doc["capacity"]["method"].get<std::string>().find("the first 30s (warm-up) are left out") !=
        std::string::npos);
  const auto html = report::html_report(s, run);
  CHECK(html.find("warm-up (excluded)") != std::string::npos);
  CHECK(html.find("after a 30s warm-up") != std::string::npos);

  // The CSV series keep the warm-up intervals and mark them: [0, 20) and [20, 40) begin
  // before 30 s.
  const auto dir = std::filesystem::temp_directory_path() / "vdcsim-report-warmup";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  report::write_timeseries_csv(dir, run);
  const auto vms = slurp(dir / "vms_timeseries.csv");
  CHECK(vms.find("time_s,vm,") == 0);
  CHECK(vms.substr(0, vms.find('\n')).ends_with(",warmup"));
  CHECK(std::count(vms.begin(), vms.end(), '\n') == 6);
  CHECK(vms.find("\n20.000000,vm1,4000.000000,") != std::string::npos);
  CHECK(vms.find("\n40.000000,vm1,4000.000000,") != std::string::npos);
  std::istringstream lines(vms);
  std::string line;
  std::vector<char> marks;
  while (std::getline(lines, line)) marks.push_back(line.back());
  CHECK(marks == std::vector<char>{'p', '1', '1', '0', '0', '0'});  // header "...warmup", then the flags
  std::filesystem::remove_all(dir);

  // Without a warm-up nothing of this appears.
  const auto plain = report::summarize(small_run());
  std::ostringstream plain_out;
  report::write_text(plain_out, plain);
  CHECK(plain_out.str().find("excluded") == std::string::npos);
  CHECK(plain_out.str().find("Capacity (estimate from demand percentiles, no warm-up;") != std::string::npos);
  CHECK(report::html_report(plain, small_run()).find("warm-up (excluded)") == std::string::npos);
}

TEST_CASE("the VMs for --series N are the worst by ready, co-stop and memory reclaimed") {
  // Four VMs whose CPU and memory sections are set by hand.
  models::RunResult r;
  for (const char* name : {"a", "b", "c", "d"}) {
    r.vms.push_back({.name = name, .host = "esx01", .cluster = "", .vcpus = 1, .memory_mib = 1000.0,
                     .powered_on = true, .admission = std::nullopt});
  }
  add_sections(r);
  const auto set = [&](std::string_view area, std::size_t v, std::string_view key, double x) {
    for (auto& section : r.sections) {
      if (section.name() == area) {
        section.vms.at(v * section.spec->vm_columns.size() + *section.column(models::EntityKind::vm, key)) = x;
      }
    }
  };
  const double ready[] = {5.0, 0.0, 2.0, 3.0}, costop[] = {1.0, 0.0, 0.0, 3.0}, balloon[] = {0.0, 80.0, 0.0, 0.0};
  for (std::size_t v = 0; v < 4; ++v) {
    set("cpu", v, "ready_pct", ready[v]);
    set("cpu", v, "costop_pct", costop[v]);
    set("memory", v, "balloon_mib_avg", balloon[v]);
  }
  report::Summary s;
  s.vms = r.vms;
  s.sections = r.sections;
  // Scores: a 5 + 1 = 6; b 0 + 0 + 100 x 80 / 1000 = 8; c 2; d 6 (ties with a, after it).
  CHECK(report::worst_vms_for_series(s, 3) == std::vector<std::string>{"b", "a", "d"});
  CHECK(report::worst_vms_for_series(s, 0).empty());
  CHECK(report::worst_vms_for_series(s, 10).size() == 4);
}

TEST_CASE("a run whose budget kept no VM series says so") {
  auto run = small_run();
  run.metrics = sim::MetricsRegistry(20_s);
  run.metrics.gauge(metric::vm_entity("vm1"), metric::vm_cpu_ready, false);
  run.metrics.finish(100_s);
  add_sections(run);
  // The run has no CPU demand either (no_workload comes first).
  const auto s = report::summarize(run);
  REQUIRE(s.warnings.size() == 2);
  CHECK(s.warnings[1].code == "vm_series_dropped");
  CHECK(report::to_json(s)["warnings"][1]["code"] == "vm_series_dropped");
  // Asked for every series, there is nothing more to warn about.
  report::AnalysisSettings all;
  all.series.rule = report::SeriesSettings::Rule::all;
  CHECK(report::summarize(run, all).warnings.size() == 1);
}

TEST_CASE("a run whose budget kept no host series, or not all of them, says so") {
  // The host's CPU gauge without a series and its memory gauge with one: the memory columns
  // are there, the CPU ones are not. Without either series, no host row at all.
  for (const bool memory_kept : {true, false}) {
    CAPTURE(memory_kept);
    auto run = small_run();
    run.metrics = sim::MetricsRegistry(20_s);
    const auto host = metric::host_entity("esx01");
    run.metrics.gauge(host, metric::host_cpu_used_mhz, false);
    run.metrics.gauge(host, metric::host_mem_granted_mib, memory_kept);
    run.metrics.finish(100_s);
    add_sections(run);
    const auto s = report::summarize(run);
    const auto it = std::find_if(s.warnings.begin(), s.warnings.end(),
                                 [](const auto& w) { return w.code == "host_series_dropped"; });
    REQUIRE(it != s.warnings.end());
    if (memory_kept) {
      CHECK(it->message.find("kept the memory series of the 1 host but not their CPU series") != std::string::npos);
    } else {
      CHECK(it->message.find("kept no per-interval series of the 1 host:") != std::string::npos);
    }
    // Asked for every series, there is nothing to warn about.
    report::AnalysisSettings all;
    all.series.rule = report::SeriesSettings::Rule::all;
    const auto everything = report::summarize(run, all).warnings;
    CHECK(std::none_of(everything.begin(), everything.end(),
                       [](const auto& w) { return w.code == "host_series_dropped"; }));
  }
}

TEST_CASE("report.json is streamed in exactly nlohmann's dump(2) layout") {
  // The streamed text, parsed and dumped again by nlohmann, comes back byte for byte:
  // the same layout, the same escapes, the same digits.
  auto odd = small_run(30_s);
  odd.scenario = "quote \" backslash \\ tab \t bell \x07 caf\xc3\xa9";
  odd.vms[0].admission = std::string("refused: \"no room\"\n");
  add_sections(odd);
  for (const auto& run : {small_run(), idle_run(), odd}) {
    const std::string text = report::report_json(report::summarize(run));
    CHECK(text == nlohmann::ordered_json::parse(text).dump(2) + "\n");
  }
  const auto doc = report::to_json(report::summarize(odd));
  CHECK(doc["scenario"] == "quote \" backslash \\ tab \t bell \x07 caf\xc3\xa9");
  CHECK(doc["hosts"][0]["memory"]["state_time_pct"].size() == 5);
}
