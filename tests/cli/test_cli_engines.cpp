// `vdcsim run --engines N`: a run of independent hosts split over N engines writes the
// reports one engine writes (docs/architecture.md "Independent hosts").
#include <doctest/doctest.h>

#include <fstream>
#include <string>

#include "cli_support.hpp"

using namespace vdc::cli_test;

namespace {

/// Four hosts, each with two Bitbrains VMs replaying their traces (fluid, two days) and one
/// running tasks: independent hosts, every VM on its named host.
fs::path replay_on_four_hosts() {
  const fs::path dir = scratch("engines-scenario");
  const std::string traces = std::string(VDC_SOURCE_DIR) + "/scenarios/traces/bitbrains";
  std::string yaml = R"(name: four-hosts
seed: 3
duration: 2d
fidelity: fluid
sample_interval: 5m
host_profiles:
  rnd-host:
    cpu: {sockets: 2, cores_per_socket: 4, threads_per_core: 2, frequency: 2.6 GHz}
    memory: 64 GiB
hosts:
  - {name: "esx{1..4}", profile: rnd-host}
vm_profiles:
  replay:
    vcpus: 4
    memory: 16 GiB
    workload:
      cpu: {kind: trace, format: bitbrains, file: ")" + traces + R"(/{i}.csv.gz", column: cpu_mhz,
            memory_column: mem_kb, at_end: loop}
  tasks:
    vcpus: 2
    memory: 4 GiB
    workload: {cpu: {kind: tasks, count: 20, size: 90s}}
vms:
)";
  for (int h = 1; h <= 4; ++h) {
    yaml += "  - {name: \"vm{" + std::to_string(2 * h - 1) + ".." + std::to_string(2 * h) + "}\", profile: replay, host: esx" +
            std::to_string(h) + "}\n";
  }
  for (int h = 1; h <= 4; ++h) {
    yaml += "  - {name: batch" + std::to_string(h) + ", profile: tasks, host: esx" + std::to_string(h) + "}\n";
  }
  std::ofstream(dir / "four-hosts.yaml") << yaml;
  return dir / "four-hosts.yaml";
}

}  // namespace

TEST_CASE("run --engines N writes the reports of one engine, byte for byte") {
  // The co-stop lab (detailed; two hosts, each VM on its named one) and four hosts of
  // replayed traces (fluid): no clusters, pools or events.
  for (const std::string& scenario : {std::string("scenarios/costop-lab.yaml"), replay_on_four_hosts().string()}) {
    CAPTURE(scenario);
    const fs::path one = scratch("engines-1"), split = scratch("engines-n");
    REQUIRE(vdcsim("run '" + scenario + "' --quiet --format json,csv --engines 1 --out '" + one.string() + "'").status == 0);
    for (const char* n : {"2", "4"}) {
      CAPTURE(n);
      REQUIRE(vdcsim("run '" + scenario + "' --quiet --format json,csv --engines " + n + " --out '" + split.string() + "'")
                  .status == 0);
      for (const char* f : {"report.json", "hosts.csv", "vms.csv", "hosts_timeseries.csv", "vms_timeseries.csv"}) {
        CAPTURE(f);
        const std::string a = slurp(one / f);
        CHECK(!a.empty());
        CHECK(a == slurp(split / f));
      }
    }
  }
}

TEST_CASE("run --engines takes a whole number from 1 to 256") {
  const fs::path dir = scratch("engines-bad");
  for (const char* bad : {"0", "-1", "257", "two"}) {
    CAPTURE(bad);
    const Outcome o = vdcsim(std::string("run --quiet --engines ") + bad + " --out '" + dir.string() + "'");
    CHECK(o.status == 2);
    CHECK(o.err.find("--engines") != std::string::npos);
  }
  CHECK(!fs::exists(dir / "report.json"));
}
