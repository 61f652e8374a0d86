// The storage area in whole runs built in code: space on a VMFS datastore (thin, thick,
// swap files, a VM that does not fit), a vSAN cluster through a host failure (absent,
// the repair delay, the rebuild), and the report tables.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "scenario_builder.hpp"
#include "storage_tables.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/storage/storage_area.hpp"
#include "vdc/report/summary.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::models::storage {
namespace {

using namespace sim::literals;
using testing::busy;
using testing::make_host;
using testing::make_scenario;
using testing::make_vm;
using testing::vm_facts;

DiskConfig disk(double gib, std::string ds, Provisioning p, double written = 0.0) {
  DiskConfig d;
  d.size_gib = gib;
  d.datastore = std::move(ds);
  d.provisioning = p;
  d.written = written;
  return d;
}

using tables::number;
using tables::table;
using tables::text;

TEST_CASE("VMFS space: thin takes what is written, thick its size, a powered-on VM its swap file") {
  ScenarioConfig c = make_scenario(10_s);
  c.hosts = {make_host("esx01", 8, 2000.0)};
  DatastoreConfig ds;
  ds.name = "vmfs01";
  ds.capacity_gib = 100.0;
  c.storage.datastores = {ds};
  c.vms = {make_vm("a", "esx01", 1, busy(0.1)), make_vm("b", "esx01", 1, busy(0.1)), make_vm("c", "esx01", 1, busy(0.1))};
  c.vms[0].memory_mib = 4096.0;  // a 4 GiB swap file
  c.vms[0].disks = {disk(40.0, "vmfs01", Provisioning::thin, 0.5)};
  c.vms[1].memory_mib = 8192.0;
  c.vms[1].mem.reservation = 8192.0;  // fully reserved: no swap file
  c.vms[1].disks = {disk(50.0, "vmfs01", Provisioning::eager_zeroed)};
  // Created after a and b: 100 - 20 - 50 = 30 GiB free, it asks 40.
  c.vms[2].disks = {disk(40.0, "vmfs01", Provisioning::lazy_zeroed)};
  const RunResult r = run_scenario(c);
  const ReportTable& d = table(r, Table::datastores);
  REQUIRE(d.rows() == 1);
  CHECK(number(d, 0, "used_gib") == doctest::Approx(20.0 + 50.0 + 4.0));
  CHECK(number(d, 0, "provisioned_gib") == doctest::Approx(40.0 + 50.0 + 4.0));
  CHECK(number(d, 0, "free_gib") == doctest::Approx(26.0));
  CHECK(number(d, 0, "overcommit") == doctest::Approx(0.94));
  CHECK_FALSE(vm_facts(r, "c").powered_on);
  CHECK(vm_facts(r, "c").admission == "its disks need 40.0 GiB on vmfs01 and 30.0 GiB are free");
  CHECK(vm_facts(r, "a").powered_on);
}

ScenarioConfig vsan_lab() {
  ScenarioConfig c = make_scenario(3_h);
  for (int h = 1; h <= 4; ++h) c.hosts.push_back(make_host("esx0" + std::to_string(h), 8, 2000.0));
  c.clusters = {ClusterConfig{"prod", {"esx01", "esx02", "esx03", "esx04"}}};
  DatastoreConfig ds;
  ds.name = "vsan01";
  ds.kind = DatastoreKind::vsan;
  ds.cluster = "prod";
  ds.capacity_per_host_gib = 1000.0;
  ds.default_policy.ftt = 1;
  c.storage.datastores = {ds};
  c.storage.policies = {StoragePolicyConfig{"gold", 2, RaidLevel::raid1, 0.0, 1}};
  c.vms = {make_vm("db", "esx02", 1, busy(0.1)), make_vm("big", "esx02", 1, busy(0.1))};
  c.vms[0].memory_mib = 1024.0;
  c.vms[0].mem.reservation = 1024.0;  // no swap object
  c.vms[0].disks = {disk(100.0, "vsan01", Provisioning::eager_zeroed)};
  c.vms[1].disks = {disk(100.0, "vsan01", Provisioning::thin)};
  c.vms[1].disks[0].policy = "gold";
  return c;
}

TEST_CASE("vSAN: FTT=1 mirrors, FTT=2 needs 5 hosts, and a failed host is rebuilt after the repair delay") {
  ScenarioConfig c = vsan_lab();
  c.events.push_back(EventConfig{30_min, EventKind::fail_host, "esx01", {}});
  const RunResult r = run_scenario(c);
  CHECK(vm_facts(r, "big").admission ==
        "its disk 1 (100 GiB, policy gold) does not fit on vsan01: FTT=2 RAID-1 needs 5 hosts and the cluster has 4");
  const ReportTable& d = table(r, Table::datastores);
  // Three hosts up: 3,000 GiB raw; the thick 100 GiB disk mirrored: 200 GiB raw.
  CHECK(number(d, 0, "vsan.raw_gib") == doctest::Approx(3000.0));
  CHECK(number(d, 0, "vsan.raw_used_gib") == doctest::Approx(200.0));
  CHECK(number(d, 0, "vsan.resync_gib") == doctest::Approx(100.0));
  // Namespace (2 replicas + witness) and the disk (the same): 6 components.
  CHECK(number(d, 0, "vsan.components") == doctest::Approx(6.0));
  // The timeline: absent at 30 min, rebuilt from 90 min, over 10 GbE: 100 GiB in 85.9 s.
  const ReportTable& e = table(r, Table::events);
  std::vector<std::pair<double, std::string>> disk_events;
  for (std::size_t i = 0; i < e.rows(); ++i) {
    if (text(e, i, "object") == "disk1") disk_events.emplace_back(number(e, i, "at_s"), text(e, i, "event"));
  }
  REQUIRE(disk_events.size() == 3);
  CHECK(disk_events[0] == std::pair<double, std::string>{1800.0, "absent"});
  CHECK(disk_events[1].first == doctest::Approx(5400.0));
  CHECK(disk_events[1].second == "rebuilding");
  CHECK(disk_events[2].first == doctest::Approx(5400.0 + 100.0 * 1024.0 * 8.0 * 1048576.0 / 1e6 / 10000.0));
  CHECK(disk_events[2].second == "compliant");
  const ReportTable& disks = table(r, Table::disks);
  REQUIRE(disks.rows() == 1);
  CHECK(text(disks, 0, "state") == "compliant");
  CHECK(number(disks, 0, "raw_gib") == doctest::Approx(200.0));
  CHECK(number(disks, 0, "components") == doctest::Approx(3.0));
}

TEST_CASE("vSAN: a host back before the repair delay ends brings its components back, nothing rebuilt") {
  ScenarioConfig c = vsan_lab();
  c.events.push_back(EventConfig{30_min, EventKind::fail_host, "esx01", {}});
  c.events.push_back(EventConfig{50_min, EventKind::restore_host, "esx01", {}});
  const RunResult r = run_scenario(c);
  const ReportTable& d = table(r, Table::datastores);
  CHECK(number(d, 0, "vsan.resync_gib") == doctest::Approx(0.0));
  CHECK(number(d, 0, "vsan.raw_gib") == doctest::Approx(4000.0));
  CHECK(text(table(r, Table::disks), 0, "state") == "compliant");
}

TEST_CASE("vSAN: with two of three hosts down a mirrored object is inaccessible and its VM cannot start") {
  ScenarioConfig c = vsan_lab();
  c.hosts.pop_back();
  c.clusters[0].hosts.pop_back();
  c.vms.pop_back();
  c.vms[0].powered_on = false;
  c.events.push_back(EventConfig{10_min, EventKind::fail_host, "esx01", {}});
  c.events.push_back(EventConfig{10_min, EventKind::fail_host, "esx03", {}});
  c.events.push_back(EventConfig{20_min, EventKind::power_on, "db", {}});
  const RunResult r = run_scenario(c);
  CHECK(text(table(r, Table::disks), 0, "state") == "inaccessible");
  CHECK_FALSE(vm_facts(r, "db").powered_on);
  CHECK(vm_facts(r, "db").admission == "its disk on vsan01 is inaccessible (vSAN lost the quorum of its components)");
}

TEST_CASE("I/O: a VM's constant demand on an idle array sees the unloaded latency") {
  ScenarioConfig c = make_scenario(1_min);
  c.hosts = {make_host("esx01", 8, 2000.0)};
  DatastoreConfig ds;
  ds.name = "vmfs01";
  ds.capacity_gib = 1000.0;
  ds.device.iops = 1000.0;
  ds.device.bandwidth_bytes_s = 1e12;
  ds.device.latency = sim::Time::from_seconds(0.001);
  c.storage.datastores = {ds};
  c.vms = {make_vm("a", "esx01", 1, busy(0.1))};
  c.vms[0].disks = {disk(10.0, "vmfs01", Provisioning::thin)};
  DiskWorkload w;
  w.iops = 500.0;
  w.outstanding = 64;
  c.vms[0].disk_workload = w;
  const RunResult r = run_scenario(c);
  const ReportTable& d = table(r, Table::datastores);
  CHECK(number(d, 0, "iops_avg") == doctest::Approx(500.0));
  CHECK(number(d, 0, "latency_ms_avg") == doctest::Approx(2.0));  // 1 ms / (1 - 0.5)
  CHECK(number(d, 0, "latency_ms_p95") == doctest::Approx(2.0));
}

}  // namespace
}  // namespace vdc::models::storage

namespace vdc::models::storage {
namespace {

TEST_CASE("reports: a datastore above 80% full is a contention offender; a VM's disks nest in its storage object") {
  ScenarioConfig c = make_scenario(10_min);
  c.sample_interval = sim::Time::from_seconds(60.0);
  c.hosts = {make_host("esx01", 8, 2000.0)};
  DatastoreConfig ds;
  ds.name = "small";
  ds.capacity_gib = 100.0;
  c.storage.datastores = {ds};
  c.vms = {make_vm("a", "esx01", 1, busy(0.1)), make_vm("b", "esx01", 1, busy(0.1))};
  c.vms[0].mem.reservation = 1024.0;  // no swap file
  c.vms[0].disks = {disk(90.0, "small", Provisioning::eager_zeroed), disk(5.0, "small", Provisioning::thin, 1.0)};
  const RunResult r = run_scenario(c);
  const report::Summary s = report::summarize(r);
  // 95 of 100 GiB used the whole run (a's swap file would have been 0, b has no disk).
  const auto it = std::find_if(s.contention.offenders.begin(), s.contention.offenders.end(),
                               [](const report::Offender& o) { return o.kind == "datastore"; });
  REQUIRE(it != s.contention.offenders.end());
  CHECK(it->name == "small");
  CHECK(it->metric == "used_pct");
  CHECK(it->average == doctest::Approx(95.0));
  CHECK(it->time_over_s == doctest::Approx(600.0));
  const auto doc = report::to_json(s);
  CHECK(doc["contention"]["offenders"][0]["host"].is_null());
  REQUIRE(doc["vms"][0]["storage"]["disks"].size() == 2);
  CHECK(doc["vms"][0]["storage"]["disks"][0]["size_gib"] == 90.0);
  CHECK(doc["vms"][0]["storage"]["disks"][0]["provisioning"] == "eager_zeroed");
  CHECK(doc["vms"][0]["storage"]["disks"][1]["raw_gib"] == 5.0);
  CHECK_FALSE(doc["vms"][0]["storage"]["disks"][0].contains("vm"));
  CHECK_FALSE(doc["vms"][1].contains("storage"));  // b has no disk
  CHECK(doc["datastores"][0]["vsan"]["raw_gib"].is_null());
}

}  // namespace
}  // namespace vdc::models::storage
