// Sweeps: the grid read from `sweep:`, errors at their line and column, the statistics of
// the replications, the runs on threads, and interruption.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vdc/scenario/loader.hpp"
#include "vdc/sweep/sweep.hpp"

using namespace vdc;

namespace {

// One host of 4 cores at 2 GHz (8,000 MHz), two web VMs whose demand is random (normal
// noise around 50% of a core, redrawn every minute), one constant VM. Short and small.
constexpr const char* kBase = R"(name: tiny
seed: 11
duration: 10m
sample_interval: 20s
host_profiles:
  h: {cpu: {sockets: 1, cores_per_socket: 4, threads_per_core: 1, frequency: 2 GHz}, memory: 64 GiB}
vm_profiles:
  web:
    vcpus: 1
    memory: 2 GiB
    workload: {cpu: {kind: diurnal, mean: 50%, noise: 20%, step: 1m}}
  steady:
    vcpus: 2
    memory: 4 GiB
    workload: {cpu: {kind: constant, demand: 40%}}
hosts:
  - {name: esx01, profile: h}
vms:
  - {name: "web{01..02}", profile: web, host: esx01}
  - {name: app01, profile: steady, host: esx01}
)";

constexpr const char* kSweep = R"(sweep:
  parameters:
    vm_profiles.web.vcpus: [1, 2]
    vms.app01.workload.cpu.demand: [20%, 60%]
  replications: 3
  metrics: [hosts.cpu.util_pct_avg.max, vms.cpu.ready_pct.mean]
)";

std::vector<std::string> messages(const sweep::PlanLoad& p) {
  std::vector<std::string> out;
  for (const auto& d : p.diagnostics) out.push_back(d.message);
  return out;
}

sweep::Plan plan_of(const std::string& text) {
  sweep::PlanLoad p = sweep::load_plan(text, "t.yaml");
  INFO(doctest::toString(messages(p)));
  REQUIRE(p.ok());
  return std::move(*p.plan);
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("Student t quantiles match the published table") {
  // Two-sided 95% critical values, e.g. NIST/SEMATECH e-Handbook of Statistical Methods,
  // table 1.3.6.7.2 (upper 0.025 critical values), to three decimals.
  const std::vector<std::pair<int, double>> table{{1, 12.706}, {2, 4.303},  {3, 3.182},  {4, 2.776},
                                                  {5, 2.571},  {9, 2.262},  {10, 2.228}, {19, 2.093},
                                                  {30, 2.042}, {60, 2.000}, {100, 1.984}};
  for (const auto& [df, t] : table) {
    INFO("df " << df);
    CHECK(std::abs(sweep::t975(df) - t) <= 5e-4);
  }
  // Closed forms: df 1 is the Cauchy quantile tan(0.475 pi); df 2 is (2p - 1) / sqrt(2 p (1 - p)).
  CHECK(sweep::t975(1) == doctest::Approx(std::tan(0.475 * M_PI)).epsilon(1e-9));
  CHECK(sweep::t975(2) == doctest::Approx(0.95 / std::sqrt(2 * 0.975 * 0.025)).epsilon(1e-9));
}

TEST_CASE("mean, sd and the 95% interval of replications, by hand") {
  // 1..5: mean 3, sample variance 10 / 4 = 2.5, half-width t(4) x sqrt(2.5) / sqrt(5)
  // = 2.776445 x 0.707107 = 1.963243.
  const std::vector<double> v{1, 2, 3, 4, 5};
  const sweep::Stats s = sweep::describe(v);
  CHECK(s.mean == doctest::Approx(3.0));
  CHECK(s.sd == doctest::Approx(std::sqrt(2.5)));
  REQUIRE(s.ci95);
  CHECK(s.ci95->first == doctest::Approx(3.0 - 1.963243).epsilon(1e-6));
  CHECK(s.ci95->second == doctest::Approx(3.0 + 1.963243).epsilon(1e-6));
  // One value: no spread, no interval.
  const std::vector<double> one{7};
  CHECK(sweep::describe(one).sd == 0.0);
  CHECK_FALSE(sweep::describe(one).ci95);
}

TEST_CASE("the grid is every combination, the last parameter fastest") {
  const sweep::Plan plan = plan_of(std::string(kBase) + kSweep);
  CHECK(plan.points() == 4);
  CHECK(plan.runs() == 12);
  CHECK(plan.seed == 11);
  REQUIRE(plan.parameters.size() == 2);
  CHECK(plan.parameters[1].values == std::vector<std::string>{"20%", "60%"});
  CHECK(plan.choice(0) == std::vector<std::size_t>{0, 0});
  CHECK(plan.choice(1) == std::vector<std::size_t>{0, 1});
  CHECK(plan.choice(2) == std::vector<std::size_t>{1, 0});
  const models::ScenarioConfig c = plan.config(3);
  REQUIRE(c.vms.size() == 3);
  CHECK(c.vms[0].vcpus == 2);
  CHECK(c.vms[1].vcpus == 2);
  CHECK(c.vms[2].vcpus == 2);  // app01 keeps its own profile's
}

TEST_CASE("a sweep's means are the means of the same runs made one by one") {
  const sweep::Plan plan = plan_of(std::string(kBase) + kSweep);
  sweep::Execution how;
  how.jobs = 2;
  const sweep::Results r = sweep::execute(plan, how);
  CHECK_FALSE(r.partial);
  const auto json = nlohmann::json::parse(sweep::sweep_json(plan, r));
  REQUIRE(json.at("points").size() == 4);
  // Point 4 (vcpus 2, demand 60%), written into the scenario by hand and run once per seed.
  std::string text = replace(kBase, "vcpus: 1\n", "vcpus: 2\n");
  text = replace(text, "{name: app01, profile: steady, host: esx01}",
                 "{name: app01, profile: steady, host: esx01, workload: {cpu: {demand: 60%}}}");
  std::vector<double> util, ready;
  for (std::uint64_t seed = 11; seed < 14; ++seed) {
    scenario::LoadResult loaded = scenario::load_string(text, "one.yaml");
    REQUIRE(loaded.ok());
    loaded.config->seed = seed;
    const auto report = nlohmann::json::parse(sweep::report_of(*loaded.config));
    double host_util = 0.0, ready_sum = 0.0;
    for (const auto& h : report.at("hosts")) host_util = std::max(host_util, h.at("cpu").at("util_pct_avg").get<double>());
    for (const auto& v : report.at("vms")) ready_sum += v.at("cpu").at("ready_pct").get<double>();
    util.push_back(host_util);
    ready.push_back(ready_sum / static_cast<double>(report.at("vms").size()));
  }
  const auto& point = json.at("points").at(3);
  CHECK(point.at("parameters").at("vm_profiles.web.vcpus") == "2");
  CHECK(point.at("parameters").at("vms.app01.workload.cpu.demand") == "60%");
  const auto& m_util = point.at("metrics").at("hosts.cpu.util_pct_avg.max");
  const auto& m_ready = point.at("metrics").at("vms.cpu.ready_pct.mean");
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(m_util.at("values").at(i).get<double>() == doctest::Approx(util[i]).epsilon(1e-6));
    CHECK(m_ready.at("values").at(i).get<double>() == doctest::Approx(ready[i]).epsilon(1e-6));
  }
  CHECK(m_util.at("mean").get<double>() == doctest::Approx((util[0] + util[1] + util[2]) / 3).epsilon(1e-6));
  CHECK(m_ready.at("mean").get<double>() == doctest::Approx((ready[0] + ready[1] + ready[2]) / 3).epsilon(1e-6));
  // The workload is random: the seeds differ, so the interval has a width.
  CHECK(util[0] != util[1]);
  CHECK(m_util.at("ci95").at(0).get<double>() < m_util.at("mean").get<double>());
}

TEST_CASE("the files are the same bytes for 1 and 2 jobs") {
  const sweep::Plan plan = plan_of(std::string(kBase) + kSweep);
  sweep::Execution one;
  one.jobs = 1;
  one.keep_reports = true;
  sweep::Execution two = one;
  two.jobs = 2;
  const sweep::Results a = sweep::execute(plan, one);
  const sweep::Results b = sweep::execute(plan, two);
  CHECK(sweep::sweep_json(plan, a) == sweep::sweep_json(plan, b));
  CHECK(sweep::sweep_csv(plan, a) == sweep::sweep_csv(plan, b));
  CHECK(sweep::sweep_html(plan, a) == sweep::sweep_html(plan, b));
  CHECK(a.reports == b.reports);
  // Loading the points on threads changes nothing either, errors included.
  const std::string bad = std::string(kBase) + "sweep: {parameters: {vm_profiles.web.vcpus: [1, 2, 999]}}\n";
  const sweep::PlanLoad serial = sweep::load_plan(bad, "t.yaml", 1);
  const sweep::PlanLoad threaded = sweep::load_plan(bad, "t.yaml", 2);
  CHECK_FALSE(serial.ok());
  CHECK(messages(serial) == messages(threaded));
  CHECK(sweep::load_plan(std::string(kBase) + kSweep, "t.yaml", 2).ok());
}

TEST_CASE("count rewrites a VM entry's name range") {
  const sweep::Plan plan = plan_of(std::string(kBase) + "sweep: {parameters: {vms.web.count: [1, 5]}}\n");
  const models::ScenarioConfig one = plan.config(0);
  const models::ScenarioConfig five = plan.config(1);
  CHECK(one.vms.size() == 2);  // web01, app01
  CHECK(one.vms[0].name == "web01");
  REQUIRE(five.vms.size() == 6);
  CHECK(five.vms[4].name == "web05");
}

TEST_CASE("bad paths, values and metrics are errors at their line and column") {
  const std::string text = std::string(kBase) + R"(sweep:
  parameters:
    vm_profiles.wbe.vcpus: [1]
    vm_profiles.web.vcpu: [1]
    hosts.esx1.memory: [32 GiB]
    vm_profiles.web.memory: [4 GiB, lots]
    vms.app01.cpu.shares: [hihg]
    vms.web01.vcpus: 2
  replications: 0
  metrics: [vms.cpu.redy_pct.mean, vm.cpu.ready_pct.max, hosts.cpu.util_pct_avg.p96, uplinks.tx.mean]
)";
  const sweep::PlanLoad p = sweep::load_plan(text, "t.yaml");
  CHECK_FALSE(p.ok());
  CHECK(messages(p) ==
        std::vector<std::string>{
            "t.yaml:23:5: error: bad sweep parameter 'vm_profiles.wbe.vcpus': no profile 'wbe' in 'vm_profiles' "
            "(expected one of: web, steady); did you mean 'web'?",
            "t.yaml:24:5: error: unknown key 'vcpu' in a VM profile (expected one of: vcpus, memory, cpu, mem, "
            "guest, workload, powered_on, nics, vgpus, disks, snapshots); did you mean 'vcpus'?",
            "t.yaml:25:5: error: bad sweep parameter 'hosts.esx1.memory': no entry named 'esx1' in 'hosts' "
            "(expected one of: esx01); did you mean 'esx01'?",
            "t.yaml:26:37: error: bad value 'lots' for 'memory': expected a number, got 'lots' (expected a size "
            "from 4 MiB to 24 TiB)",
            "t.yaml:27:28: error: bad value 'hihg' for 'shares' (expected low, normal, high or a whole number from "
            "1 to 1000000); did you mean 'high'?",
            "t.yaml:28:22: error: bad values for sweep parameter 'vms.web01.vcpus': a scalar (expected a list of "
            "one or more values, like [2, 4, 8])",
            "t.yaml:29:17: error: bad value '0' for 'replications' (expected a whole number from 1 to 10000)",
            "t.yaml:30:13: error: bad metric 'vms.cpu.redy_pct.mean': no number 'cpu.redy_pct' in report.json's "
            "vms[] (expected a numeric field of each entry); did you mean 'cpu.ready_pct'?",
            "t.yaml:30:36: error: bad metric 'vm.cpu.ready_pct.max': unknown entity kind 'vm' (expected vms, hosts, "
            "datastores, uplinks, gpus or clusters); did you mean 'vms'?",
            "t.yaml:30:58: error: bad metric 'hosts.cpu.util_pct_avg.p96': unknown aggregate 'p96' (expected mean, "
            "max, min, sum, p50, p95 or p99); did you mean 'p95'?",
            "t.yaml:30:86: error: bad metric 'uplinks.tx.mean': report.json has no 'network.uplinks' array "
            "(expected a kind whose model area reports its entities: vms, hosts)",
        });
}

TEST_CASE("a scenario without sweep: is one point") {
  const sweep::Plan plan = plan_of(kBase);
  CHECK(plan.points() == 1);
  CHECK(plan.replications == 1);
  const sweep::Results r = sweep::execute(plan, {});
  CHECK(r.done == std::vector<bool>{true});
}

TEST_CASE("an interrupted sweep keeps the points finished, marked partial") {
  const sweep::Plan plan = plan_of(std::string(kBase) + kSweep);
  std::atomic<bool> stop{false};
  sweep::Execution how;
  how.jobs = 1;
  how.stop = &stop;
  how.progress = [&stop](std::size_t runs, std::size_t) {
    if (runs == 4) stop = true;  // point 1's three replications and one of point 2's
  };
  const sweep::Results r = sweep::execute(plan, how);
  CHECK(r.partial);
  const auto json = nlohmann::json::parse(sweep::sweep_json(plan, r));
  CHECK(json.at("partial") == true);
  REQUIRE(json.at("points").size() == 1);
  CHECK(json.at("points").at(0).at("point") == 1);
  const std::string csv = sweep::sweep_csv(plan, r);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 2);  // the header and point 1
}
