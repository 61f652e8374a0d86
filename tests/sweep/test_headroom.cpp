// Headroom by simulation on a case computable by hand (tests/sweep/headroom-lab.yaml).
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "vdc/sweep/headroom.hpp"

using namespace vdc;

namespace {

std::string lab() {
  std::ifstream in(VDC_SOURCE_DIR "/tests/sweep/headroom-lab.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("11 more half-core VMs fit on an 8-core host before it passes 80%") {
  // Host: 8 cores x 2,400 MHz = 19,200 MHz, no hyperthreads. Each VM: 1 vCPU at 50% =
  // 1,200 MHz. With n added to the one there: (1 + n) / 16 of the cores, at most 80% for
  // n <= 11.8; n = 12 gives 13 / 16 = 81.25%.
  sweep::HeadroomQuery q;
  q.profile = "half";
  q.limits.push_back(sweep::parse_limit("hosts.cpu.util_pct_avg.max>80"));
  const sweep::HeadroomResult r = sweep::find_headroom(lab(), "headroom-lab.yaml", q);
  CHECK(r.cluster == "c1");
  CHECK_FALSE(r.random);
  CHECK(r.replications == 1);
  CHECK(r.count == 11);
  CHECK_FALSE(r.capped);
  CHECK(r.binding == std::vector<std::string>{"hosts.cpu.util_pct_avg.max"});
  // Exponential 0, 1, 2, 4, 8, 16 (crosses), then binary 12 (crosses), 10, 11.
  std::vector<int> counts;
  for (const auto& p : r.probes) counts.push_back(p.count);
  CHECK(counts == std::vector<int>{0, 1, 2, 4, 8, 16, 12, 10, 11});
  for (const auto& p : r.probes) {
    INFO("count " << p.count);
    // Past the cores (17 VMs at 16 added) the host is saturated: 100%.
    CHECK(p.values.at(0) == doctest::Approx(std::min(100.0, 100.0 * (1 + p.count) * 1200.0 / 19200.0)));
  }
  // The capacity report's estimate of the same threshold: floor((0.8 x 19,200 - 2,400) /
  // 1,200) = 10 more after the one added for it, 11 in all.
  REQUIRE(r.estimate);
  CHECK(*r.estimate == 11);
  CHECK(r.estimate_binding == "cpu_util");
}

TEST_CASE("the default limits are the capacity report's four thresholds") {
  const auto limits = sweep::default_limits();
  REQUIRE(limits.size() == 4);
  CHECK(limits[0].name == "cpu_util");
  CHECK(limits[0].limit == 80.0);
  CHECK(limits[1].name == "cpu_ready");
  CHECK(limits[1].limit == 5.0);
  CHECK(limits[2].name == "mem_state");
  CHECK(limits[3].name == "mem_util");
  CHECK(limits[3].limit == 100.0);
  // On the lab, cpu_util binds first: at 12 added the ready of the 95th-percentile VM is
  // still below 5% (13 half-core vCPUs on 8 cores), and 13 GiB of 256 GiB is far from any
  // memory threshold.
  sweep::HeadroomQuery q;
  q.profile = "half";
  const sweep::HeadroomResult r = sweep::find_headroom(lab(), "headroom-lab.yaml", q);
  CHECK(r.count == 11);
  CHECK(r.binding == std::vector<std::string>{"cpu_util"});
}

TEST_CASE("headroom refuses an unknown profile, cluster or limit") {
  sweep::HeadroomQuery q;
  q.profile = "hafl";
  try {
    (void)sweep::find_headroom(lab(), "headroom-lab.yaml", q);
    FAIL("no error");
  } catch (const sweep::HeadroomError& e) {
    REQUIRE(e.messages.size() == 1);
    CHECK(e.messages[0] == "vdcsim: error: --add 'hafl': no VM profile of that name in headroom-lab.yaml "
                           "(expected one of: half); did you mean 'half'?");
  }
  q.profile = "half";
  q.cluster = "c2";
  try {
    (void)sweep::find_headroom(lab(), "headroom-lab.yaml", q);
    FAIL("no error");
  } catch (const sweep::HeadroomError& e) {
    REQUIRE(e.messages.size() == 1);
    CHECK(e.messages[0] == "vdcsim: error: --cluster 'c2': no cluster of that name in headroom-lab.yaml "
                           "(expected one of: c1); did you mean 'c1'?");
  }
  CHECK_THROWS_WITH_AS((void)sweep::parse_limit("vms.cpu.ready_pct.p95"),
                       "--until 'vms.cpu.ready_pct.p95': expected METRIC>LIMIT, like vms.cpu.ready_pct.p95>5",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS((void)sweep::parse_limit("vms.cpu.ready_pct.p95>five"),
                       "--until 'vms.cpu.ready_pct.p95>five': bad limit 'five' (expected a number)",
                       std::invalid_argument);
}
