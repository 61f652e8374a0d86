// The terminal summary: its size at thousands of VMs, host CPU usage against granted
// capacity, the VMs by memory reclamation, and name columns that widen.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "report_test_support.hpp"
#include "vdc/report/analysis.hpp"
#include "vdc/report/writers.hpp"

using namespace vdc;
using namespace vdc::report::test;
using namespace vdc::sim::literals;
namespace metric = vdc::models::metric;

TEST_CASE("the text summary stays short for a run with thousands of VMs") {
  auto r = small_run();
  for (int i = 0; i < 3000; ++i) {
    r.vms.push_back({.name = "x" + std::to_string(i), .host = "esx01", .cluster = "", .vcpus = 1,
                     .memory_mib = 1024.0, .powered_on = true, .admission = std::nullopt});
  }
  add_sections(r);
  std::ostringstream out;
  report::write_text(out, report::summarize(r));
  const auto text = out.str();
  CHECK(std::count(text.begin(), text.end(), '\n') < 40);
  // Only vm1 has ready time: the 3000 idle VMs are not listed as "worst".
  CHECK(text.find("VMs by CPU ready (the 1 of 3001 VMs with ready or co-stop)") != std::string::npos);
  CHECK(text.find("x0 ") == std::string::npos);
}

TEST_CASE("host CPU usage is of the capacity the model grants, and the core capacity is shown beside it") {
  // small_run's host uses 4000 MHz for 50 s, 2000 for 25 s, 0 for 25 s: 2500 on average.
  // Its 4 cores at 2000 MHz give 8000 MHz; with two threads a core at ht_factor 1.25 the
  // model grants 10000 MHz.
  const auto run = small_run(sim::Time::zero(), 10000.0);
  const auto s = report::summarize(run);
  CHECK(host_cpu(s, "util_pct_avg") == doctest::Approx(31.25));   // 2500 / 8000, the contract's field
  CHECK(host_cpu(s, "usage_pct_avg") == doctest::Approx(25.0));   // 2500 / 10000
  const auto doc = report::to_json(s);
  CHECK(doc["hosts"][0]["cpu"]["capacity_mhz"] == 8000.0);
  CHECK(doc["hosts"][0]["cpu"]["granted_capacity_mhz"] == 10000.0);
  CHECK(doc["hosts"][0]["cpu"]["usage_pct_avg"] == 25.0);
  std::ostringstream out;
  report::write_text(out, s);
  CHECK(out.str().find("esx01                  0.50     25.0%        2500       10000        8000") !=
        std::string::npos);
  // Without the CPU area's figure the granted capacity is the cores'.
  const auto plain = report::summarize(small_run());
  CHECK(host_cpu(plain, "granted_capacity_mhz") == 8000.0);
  CHECK(host_cpu(plain, "usage_pct_avg") == doctest::Approx(31.25));
}

TEST_CASE("the text lists VMs by memory reclamation worst first, and says none where nothing crosses") {
  auto run = small_run();
  // Two more VMs with hand-set memory: vmA balloons 100 MiB for the whole 100 s; vmB swaps
  // 400 MiB for 50 s (200 on average); vmC has nothing.
  for (const char* name : {"vmA", "vmB", "vmC"}) {
    run.vms.push_back({.name = name, .host = "esx01", .cluster = "", .vcpus = 1, .memory_mib = 1000.0,
                       .powered_on = true, .admission = std::nullopt});
  }
  run.metrics = sim::MetricsRegistry(20_s);
  auto& m = run.metrics;
  const auto a = m.gauge(metric::vm_entity("vmA"), metric::vm_mem_balloon_mib);
  const auto b = m.gauge(metric::vm_entity("vmB"), metric::vm_mem_swapped_mib);
  m.set(a, 0_s, 100.0);
  m.set(b, 0_s, 400.0);
  m.set(b, 50_s, 0.0);
  m.finish(100_s);
  add_sections(run);
  std::ostringstream out;
  report::write_text(out, report::summarize(run));
  const auto text = out.str();
  // No VM has ready or co-stop: one line, no arbitrary VMs.
  CHECK(text.find("VMs by CPU ready: none (no VM has ready or co-stop time)") != std::string::npos);
  const auto table = text.find("VMs by memory reclamation (worst 2 of 2");
  REQUIRE(table != std::string::npos);
  const auto b_row = text.find("\n  vmB ", table);
  const auto a_row = text.find("\n  vmA ", table);
  CHECK(b_row < a_row);  // 200 MiB before 100 MiB
  CHECK(text.find("\n  vmC ", table) == std::string::npos);
  // vmB: 200 MiB reclaimed of 1000 MiB is 20.0%.
  CHECK(text.substr(b_row, text.find('\n', b_row + 1) - b_row).ends_with("200      20.0"));

  std::ostringstream quiet;
  report::write_text(quiet, report::summarize(small_run()));
  CHECK(quiet.str().find("VMs by memory reclamation: none (no VM ballooned, compressed or swapped)") !=
        std::string::npos);
}

TEST_CASE("text name columns widen to the longest name, and counts of one are singular") {
  auto run = small_run();
  const std::string long_host = "esx01.datacenter-west.example.org";
  run.hosts[0].name = long_host;
  run.vms[0].host = long_host;
  add_sections(run);
  std::ostringstream out;
  report::write_text(out, report::summarize(run));
  const auto text = out.str();
  // The header's next column starts one space after the longest name, in every row.
  const auto header = text.find("  host" + std::string(long_host.size() - 4, ' ') + "  vCPU:pCPU");
  CHECK(header != std::string::npos);
  CHECK(text.find("  " + long_host + "       0.50") != std::string::npos);
  CHECK(text.find("VM(s)") == std::string::npos);
  CHECK(text.find("reference: average VM, 2 vCPUs") != std::string::npos);
}
