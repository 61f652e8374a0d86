// The command line's time series options: --series (all, or the N worst VMs) and
// --series-budget.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using namespace vdc::cli_test;

TEST_CASE("run --series-budget sets the memory the kept series may take") {
  // The default lab: 2 hosts and 13 VMs for an hour at 20 s, 180 intervals. The hosts' CPU
  // series alone take 2 hosts x 2 gauges x 180 x 8 bytes = 5,760 bytes, so 1 KiB keeps no
  // series and the run says so; 1 GiB keeps every one (the lab's are about 0.4 MiB).
  const auto codes = [](const fs::path& dir) {
    const auto doc = nlohmann::json::parse(slurp(dir / "report.json"));
    std::set<std::string> out;
    for (const auto& w : doc["warnings"]) out.insert(w["code"].get<std::string>());
    return out;
  };
  const auto lines = [](const fs::path& file) {
    const std::string text = slurp(file);
    return std::count(text.begin(), text.end(), '\n');
  };
  const fs::path small = scratch("budget-small");
  const auto tight = vdcsim("run --quiet --format json,csv --series-budget '1 KiB' --out '" + small.string() + "'");
  REQUIRE(tight.status == 0);
  CHECK(codes(small).count("host_series_dropped") == 1);
  CHECK(codes(small).count("vm_series_dropped") == 1);
  CHECK(tight.err.find("The series budget (1024 bytes) kept no per-interval series of the 2 hosts") !=
        std::string::npos);
  CHECK(lines(small / "hosts_timeseries.csv") == 1);
  CHECK(lines(small / "vms_timeseries.csv") == 1);

  const fs::path large = scratch("budget-large");
  const auto roomy = vdcsim("run --quiet --format json,csv --series-budget 1GiB --out '" + large.string() + "'");
  REQUIRE(roomy.status == 0);
  CHECK(roomy.err.empty());
  CHECK(codes(large).count("host_series_dropped") == 0);
  CHECK(codes(large).count("vm_series_dropped") == 0);
  CHECK(lines(large / "hosts_timeseries.csv") == 1 + 2 * 180);
  CHECK(lines(large / "vms_timeseries.csv") == 1 + 13 * 180);

  for (const char* bad : {"lots", "-1 GiB", "2 GBz", ""}) {
    CAPTURE(bad);
    const auto r = vdcsim(std::string("run --quiet --series-budget '") + bad + "' --out '" +
                          scratch("budget-bad").string() + "'");
    CHECK(r.status == 2);
    CHECK(r.err.find("--series-budget") != std::string::npos);
  }
  const auto both = vdcsim("run --quiet --series all --series-budget '1 GiB' --out '" + scratch("budget-all").string() + "'");
  CHECK(both.status == 2);
  CHECK(both.err.find("does not apply with --series all") != std::string::npos);
}

TEST_CASE("run --series keeps all VMs' series or the N worst and refuses anything else") {
  // The default lab's VMs (scenarios/overcommit-lab.yaml): web01-06 (4 vCPUs) and db01 on
  // esx01, app01-04, batch01 and report01 on esx02: 13 VMs. Its one hour at 20 s is 180 intervals.
  const auto vms_in = [](const fs::path& file) {
    std::set<std::string> names;
    std::istringstream in(slurp(file));
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
      const auto first = line.find(',');
      names.insert(line.substr(first + 1, line.find(',', first + 1) - first - 1));
    }
    return names;
  };
  const fs::path all = scratch("series-all");
  REQUIRE(vdcsim("run --quiet --format csv --series all --out '" + all.string() + "'").status == 0);
  CHECK(vms_in(all / "vms_timeseries.csv").size() == 13);
  CHECK(slurp(all / "vms_timeseries.csv").starts_with("time_s,vm,%RUN,%RDY,%CSTP,%WAIT,GRANT_MiB,"));
  CHECK(slurp(all / "hosts_timeseries.csv").starts_with("time_s,host,USED_MHz,DEMAND_MHz,GRANT_MiB,"));

  // The six web VMs are the ones starved on esx01 (4 vCPUs each; 32 vCPUs on esx01's 8 cores);
  // the worst two, ties in scenario order, are web01 and web02.
  const fs::path two = scratch("series-2");
  const auto o = vdcsim("run --quiet --format csv --series 2 --out '" + two.string() + "'");
  REQUIRE(o.status == 0);
  CHECK(o.err.empty());
  CHECK(vms_in(two / "vms_timeseries.csv") == std::set<std::string>{"web01", "web02"});
  const auto rows = slurp(two / "vms_timeseries.csv");
  CHECK(std::count(rows.begin(), rows.end(), '\n') == 1 + 2 * 180);

  for (const char* bad : {"-1", "some", "2x", ""}) {
    CAPTURE(bad);
    const auto r = vdcsim(std::string("run --quiet --format csv --series '") + bad + "' --out '" +
                          scratch("series-bad").string() + "'");
    CHECK(r.status == 2);
  }
}
