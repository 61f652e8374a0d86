#include <doctest/doctest.h>

#include "scenario_test_support.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;

namespace {

constexpr std::string_view datacenter = R"(
hosts:
  - {name: "esx{01..04}", memory: 256 GiB}
  - {name: edge01, memory: 64 GiB}
clusters:
  - {name: prod, hosts: ["esx{01..03}"]}
  - {name: test, hosts: [esx04]}
resource_pools:
  - {name: gold, parent: prod, cpu: {shares: high, reservation: 4 GHz, expandable: false}}
  - {name: gold-db, parent: gold, mem: {reservation: 64 GiB, limit: 128 GiB}}
  - {name: lab, parent: edge01}
)";

}  // namespace

TEST_CASE("clusters list their hosts, and each host knows its cluster") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(datacenter) + "vms: []\n"));
  REQUIRE(c.clusters.size() == 2);
  CHECK(c.clusters[0].name == "prod");
  CHECK(c.clusters[0].hosts == std::vector<std::string>{"esx01", "esx02", "esx03"});
  CHECK(named(c.hosts, "esx02").cluster == "prod");
  CHECK(named(c.hosts, "esx04").cluster == "test");
  CHECK(named(c.hosts, "edge01").cluster.empty());
}

TEST_CASE("a pool's parent is found among hosts, clusters and pools") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(datacenter) + "vms: []\n"));
  const models::PoolConfig& gold = named(c.pools, "gold");
  CHECK(gold.parent == "prod");
  CHECK(gold.parent_kind == models::PoolParentKind::cluster);
  CHECK(gold.cpu.level == models::ShareLevel::high);
  CHECK(gold.cpu.reservation == doctest::Approx(4000.0));
  CHECK_FALSE(gold.cpu.expandable);
  const models::PoolConfig& db = named(c.pools, "gold-db");
  CHECK(db.parent_kind == models::PoolParentKind::pool);
  CHECK(db.mem.reservation == doctest::Approx(65536.0));
  CHECK(db.mem.limit.value() == doctest::Approx(131072.0));
  CHECK(named(c.pools, "lab").parent_kind == models::PoolParentKind::host);
}

TEST_CASE("a pool may name a parent defined after it") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
hosts: [{name: esx01, memory: 64 GiB}]
resource_pools:
  - {name: child, parent: top}
  - {name: top, parent: esx01}
vms: [{name: vm, pool: child}]
)"));
  CHECK(named(c.pools, "child").parent_kind == models::PoolParentKind::pool);
  CHECK(c.vms.at(0).host == "esx01");
  CHECK(c.vms.at(0).pool == "child");
}

TEST_CASE("a VM is placed by its host, its cluster or its pool") {
  const models::ScenarioConfig c = load_ok(scenario_text(std::string(datacenter) + R"(
vms:
  - {name: on-host, host: esx02}
  - {name: in-cluster, cluster: test}
  - {name: in-pool, pool: gold-db}
  - {name: in-pool-on-host, pool: gold, host: esx03}
  - {name: lab-vm, pool: lab}
)"));
  const models::VmConfig& a = named(c.vms, "on-host");
  CHECK(a.host == "esx02");
  CHECK(a.cluster == "prod");
  CHECK(a.pool.empty());
  const models::VmConfig& b = named(c.vms, "in-cluster");
  CHECK(b.host.empty());
  CHECK(b.cluster == "test");
  const models::VmConfig& d = named(c.vms, "in-pool");
  CHECK(d.host.empty());
  CHECK(d.cluster == "prod");
  CHECK(d.pool == "gold-db");
  const models::VmConfig& e = named(c.vms, "in-pool-on-host");
  CHECK(e.host == "esx03");
  CHECK(e.cluster == "prod");
  const models::VmConfig& f = named(c.vms, "lab-vm");
  CHECK(f.host == "edge01");
  CHECK(f.cluster.empty());
}

TEST_CASE("a VM without host, cluster or pool goes to the only host") {
  const models::ScenarioConfig c = load_ok(scenario_text(R"(
hosts: [{name: solo, memory: 64 GiB}]
clusters: [{name: c1, hosts: [solo]}]
vms: [{name: vm}]
)"));
  CHECK(c.vms.at(0).host == "solo");
  CHECK(c.vms.at(0).cluster == "c1");
}

TEST_CASE("a VM without a place among several hosts is an error") {
  const LoadResult r = load(scenario_text("hosts: [{name: \"esx{1..2}\", memory: 64 GiB}]\nvms: [{name: vm}]\n"));
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:4:7: error: VM without a place (expected a host, cluster or pool "
                           "key when the scenario has more than one host)"});
}
