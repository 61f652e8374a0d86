#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "scenario_test_support.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;
using models::DatastoreKind;
using models::Provisioning;
using models::RaidLevel;

namespace {

/// Four hosts in cluster prod, two standalone; the scenario body follows.
std::string with_hosts(std::string_view body) {
  return scenario_text(R"(hosts:
  - {name: "esx{01..04}", memory: 256 GiB}
  - {name: "solo{1..2}", memory: 256 GiB}
clusters:
  - {name: prod, hosts: ["esx{01..04}"]}
)" + std::string(body));
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("storage policies and every kind of datastore load with every key") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(storage_policies:
  - {name: gold, ftt: 2, raid: 1, object_space_reservation: 25%, stripe_width: 3}
  - {name: silver, ftt: 1, raid: 5}
  - {name: bronze, ftt: 2, raid: 6, stripe_width: 12}
datastores:
  - name: vmfs01
    kind: vmfs
    version: 5
    capacity: 10 TiB
    hosts: ["esx{01..03}", solo1]
    device: {iops: 30000, bandwidth: 2 GBps, latency: 0.5ms, queue_depth: 128, dsnro: 64, sector: 512}
    sioc: {enabled: true, threshold: 25ms}
    locking: ats_scsi
  - name: nfs01
    kind: nfs
    version: 4.1
    capacity: 2048 GiB
    export: "filer01:/vol/ds01"
    vaai_nas: true
    device: {bandwidth: 16 Gbps, sector: 4096}
    sioc: {enabled: true, threshold: auto}
  - name: vsan01
    kind: vsan
    cluster: prod
    architecture: osa
    flash: all
    capacity_per_host: 15 TiB
    default_policy: {ftt: 1, raid: 5, object_space_reservation: 100%, stripe_width: 2}
  - {name: vv01, kind: vvols, capacity: 500 GiB}
vms: []
)"));
  const models::StorageConfig& st = c.storage;
  CHECK(st.present);
  REQUIRE(st.policies.size() == 3);
  CHECK(st.policies[0].name == "gold");
  CHECK(st.policies[0].ftt == 2);
  CHECK(st.policies[0].raid == RaidLevel::raid1);
  CHECK(st.policies[0].object_space_reservation == doctest::Approx(0.25));
  CHECK(st.policies[0].stripe_width == 3);
  CHECK(st.policies[1].raid == RaidLevel::raid5);
  CHECK(st.policies[1].ftt == 1);
  CHECK(st.policies[1].object_space_reservation == doctest::Approx(0.0));
  CHECK(st.policies[1].stripe_width == 1);
  CHECK(st.policies[2].raid == RaidLevel::raid6);
  CHECK(st.policies[2].stripe_width == 12);

  REQUIRE(st.datastores.size() == 4);
  const models::DatastoreConfig& vmfs = st.datastores[0];
  CHECK(vmfs.kind == DatastoreKind::vmfs);
  CHECK(vmfs.version == 5);
  CHECK(vmfs.capacity_gib == doctest::Approx(10240.0));
  CHECK(vmfs.hosts == Names{"esx01", "esx02", "esx03", "solo1"});
  CHECK(vmfs.host_ids == std::vector<int>{0, 1, 2, 4});
  CHECK(vmfs.device.iops == doctest::Approx(30000.0));
  CHECK(vmfs.device.bandwidth_bytes_s == doctest::Approx(2e9));
  CHECK(vmfs.device.latency == sim::Time::from_ns(500'000));
  CHECK(vmfs.device.queue_depth == 128);
  CHECK(vmfs.device.dsnro == 64);
  CHECK(vmfs.device.sector_bytes == 512);
  CHECK(vmfs.sioc.enabled);
  CHECK_FALSE(vmfs.sioc.automatic);
  CHECK(vmfs.sioc.threshold == sim::Time::from_ns(25'000'000));
  CHECK(vmfs.locking == models::VmfsLocking::ats_scsi);

  const models::DatastoreConfig& nfs = st.datastores[1];
  CHECK(nfs.kind == DatastoreKind::nfs);
  CHECK(nfs.version == 41);
  CHECK(nfs.capacity_gib == doctest::Approx(2048.0));
  CHECK(nfs.export_path == "filer01:/vol/ds01");
  CHECK(nfs.vaai_nas);
  // 16 Gbps = 16e9 bit/s = 2e9 bytes/s.
  CHECK(nfs.device.bandwidth_bytes_s == doctest::Approx(2e9));
  CHECK(nfs.device.sector_bytes == 4096);
  CHECK(nfs.sioc.automatic);
  // No hosts: every host, in definition order.
  CHECK(nfs.hosts == Names{"esx01", "esx02", "esx03", "esx04", "solo1", "solo2"});

  const models::DatastoreConfig& vsan = st.datastores[2];
  CHECK(vsan.kind == DatastoreKind::vsan);
  CHECK(vsan.version == 0);
  CHECK(vsan.cluster == "prod");
  CHECK(vsan.cluster_id == 0);
  CHECK(vsan.architecture == models::VsanArchitecture::osa);
  CHECK(vsan.all_flash);
  CHECK(vsan.capacity_per_host_gib == doctest::Approx(15360.0));
  CHECK(vsan.default_policy.ftt == 1);
  CHECK(vsan.default_policy.raid == RaidLevel::raid5);
  CHECK(vsan.default_policy.object_space_reservation == doctest::Approx(1.0));
  CHECK(vsan.default_policy.stripe_width == 2);
  // A vSAN datastore is mounted by its cluster's hosts.
  CHECK(vsan.hosts == Names{"esx01", "esx02", "esx03", "esx04"});
  CHECK(vsan.host_ids == std::vector<int>{0, 1, 2, 3});

  CHECK(st.datastores[3].kind == DatastoreKind::vvols);
  CHECK(st.datastores[3].version == 0);
  CHECK(st.datastores[3].capacity_gib == doctest::Approx(500.0));
}

TEST_CASE("datastore defaults") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(datastores:
  - {name: ds1, capacity: 1 TiB}
  - {name: n1, kind: nfs, capacity: 1 TiB}
  - {name: v1, kind: vsan, cluster: prod, capacity_per_host: 1 TiB}
  - {name: e1, kind: vsan, cluster: prod, capacity_per_host: 1 TiB, architecture: esa}
vms: []
)"));
  const models::DatastoreConfig& ds = c.storage.datastores.at(0);
  CHECK(ds.kind == DatastoreKind::vmfs);
  CHECK(ds.version == 6);
  CHECK(ds.locking == models::VmfsLocking::ats_only);
  CHECK(ds.device.iops == doctest::Approx(20000.0));
  CHECK(ds.device.bandwidth_bytes_s == doctest::Approx(2e9));
  CHECK(ds.device.latency == sim::Time::from_ns(500'000));
  CHECK(ds.device.queue_depth == 64);
  CHECK(ds.device.dsnro == 32);
  CHECK(ds.device.sector_bytes == 512);
  CHECK_FALSE(ds.sioc.enabled);
  CHECK_FALSE(ds.sioc.automatic);
  CHECK(ds.sioc.threshold == sim::Time::from_ns(30'000'000));
  CHECK(ds.hosts.size() == 6);
  const models::DatastoreConfig& n = c.storage.datastores.at(1);
  CHECK(n.version == 3);
  CHECK_FALSE(n.vaai_nas);
  CHECK(n.export_path.empty());
  const models::DatastoreConfig& v = c.storage.datastores.at(2);
  CHECK(v.architecture == models::VsanArchitecture::osa);
  CHECK(v.all_flash);
  CHECK(v.default_policy.ftt == 1);
  CHECK(v.default_policy.raid == RaidLevel::raid1);
  CHECK(v.default_policy.object_space_reservation == doctest::Approx(0.0));
  CHECK(v.default_policy.stripe_width == 1);
  CHECK(c.storage.datastores.at(3).architecture == models::VsanArchitecture::esa);
  CHECK(c.storage.datastores.at(3).all_flash);
}

TEST_CASE("a scenario without datastores has no storage") {
  const models::ScenarioConfig c = load_ok(with_hosts("vms: []\n"));
  CHECK_FALSE(c.storage.present);
  CHECK(c.storage.datastores.empty());
  CHECK(c.storage.policies.empty());
}

TEST_CASE("disks, snapshots and a constant disk workload, from a profile and a VM") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(storage_policies:
  - {name: gold, ftt: 1}
datastores:
  - {name: vmfs01, capacity: 10 TiB}
  - {name: nfs01, kind: nfs, capacity: 10 TiB, vaai_nas: true}
  - {name: vsan01, kind: vsan, cluster: prod, capacity_per_host: 10 TiB}
vm_profiles:
  db:
    disks:
      - {size: 500 GiB, datastore: vsan01, policy: gold, provisioning: thin, written: 40%}
      - {size: 100 GiB, datastore: vmfs01, provisioning: eager_zeroed, shares: high, reservation: 200, limit: 1000}
    snapshots: [{at: 2h, growth: 10 GiB/h}, {at: 30m, growth: 512 MiB/min}]
    workload:
      disk: {iops: 800, read: 60%, block: 16 KiB, outstanding: 4}
vms:
  - {name: "db{1..2}", profile: db, cluster: prod}
  - name: web
    cluster: prod
    disks:
      - {size: 40 GiB, datastore: nfs01, provisioning: lazy_zeroed, shares: low}
      - {size: 1 TiB, datastore: vsan01, shares: 1500}
    workload:
      disk: {iops: 100}
)"));
  const models::VmConfig& db = named(c.vms, "db2");
  REQUIRE(db.disks.size() == 2);
  const models::DiskConfig& d0 = db.disks[0];
  CHECK(d0.size_gib == doctest::Approx(500.0));
  CHECK(d0.datastore == "vsan01");
  CHECK(d0.datastore_id == 2);
  CHECK(d0.policy == "gold");
  CHECK(d0.policy_id == 0);
  CHECK(d0.provisioning == Provisioning::thin);
  CHECK(d0.written == doctest::Approx(0.4));
  CHECK(d0.shares == doctest::Approx(1000.0));
  CHECK(d0.reservation_iops == doctest::Approx(0.0));
  CHECK(d0.limit_iops == doctest::Approx(0.0));
  const models::DiskConfig& d1 = db.disks[1];
  CHECK(d1.datastore_id == 0);
  CHECK(d1.policy_id == -1);
  CHECK(d1.provisioning == Provisioning::eager_zeroed);
  CHECK(d1.written == doctest::Approx(0.0));
  CHECK(d1.shares == doctest::Approx(2000.0));
  CHECK(d1.reservation_iops == doctest::Approx(200.0));
  CHECK(d1.limit_iops == doctest::Approx(1000.0));
  // Snapshots in time order; 512 MiB/min = 0.5 GiB x 60 = 30 GiB/h.
  REQUIRE(db.snapshots.size() == 2);
  CHECK(db.snapshots[0].at == sim::Time::from_seconds(1800.0));
  CHECK(db.snapshots[0].growth_gib_per_h == doctest::Approx(30.0));
  CHECK(db.snapshots[1].at == sim::Time::from_seconds(7200.0));
  CHECK(db.snapshots[1].growth_gib_per_h == doctest::Approx(10.0));
  REQUIRE(db.disk_workload.has_value());
  CHECK(db.disk_workload->kind == models::DiskWorkloadKind::constant);
  CHECK(db.disk_workload->iops == doctest::Approx(800.0));
  CHECK(db.disk_workload->read == doctest::Approx(0.6));
  CHECK(db.disk_workload->block_bytes == doctest::Approx(16384.0));
  CHECK(db.disk_workload->outstanding == 4);

  const models::VmConfig& web = named(c.vms, "web");
  REQUIRE(web.disks.size() == 2);
  CHECK(web.disks[0].provisioning == Provisioning::lazy_zeroed);
  CHECK(web.disks[0].shares == doctest::Approx(500.0));
  CHECK(web.disks[0].datastore_id == 1);
  // A vSAN disk is thin by default (reference B.3) and takes the datastore's policy.
  CHECK(web.disks[1].provisioning == Provisioning::thin);
  CHECK(web.disks[1].size_gib == doctest::Approx(1024.0));
  CHECK(web.disks[1].shares == doctest::Approx(1500.0));
  CHECK(web.disks[1].policy.empty());
  CHECK(web.disks[1].policy_id == -1);
  CHECK(web.snapshots.empty());
  REQUIRE(web.disk_workload.has_value());
  CHECK(web.disk_workload->read == doctest::Approx(0.7));
  CHECK(web.disk_workload->block_bytes == doctest::Approx(8192.0));
  CHECK(web.disk_workload->outstanding == 8);
  CHECK_FALSE(named(c.vms, "db1").disks.empty());
}

TEST_CASE("a trace disk workload resolves its file and {i} like a flow's trace rate") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(datastores: [{name: ds1, capacity: 1 TiB}]
vms:
  - name: "vm{1..2}"
    cluster: prod
    disks: [{size: 10 GiB, datastore: ds1}]
    workload:
      disk: {kind: trace, file: "scenarios/traces/bitbrains/{i}.csv.gz", block: 64 KiB, outstanding: 16, scale: 2}
)"));
  // Relative to the scenario's directory: t.yaml is in the working directory.
  const models::VmConfig& vm2 = named(c.vms, "vm2");
  REQUIRE(vm2.disk_workload.has_value());
  CHECK(vm2.disk_workload->kind == models::DiskWorkloadKind::trace);
  CHECK(vm2.disk_workload->file == "scenarios/traces/bitbrains/2.csv.gz");
  CHECK(vm2.disk_workload->block_bytes == doctest::Approx(65536.0));
  CHECK(vm2.disk_workload->outstanding == 16);
  CHECK(vm2.disk_workload->scale == doctest::Approx(2.0));
  CHECK(named(c.vms, "vm1").disk_workload->file == "scenarios/traces/bitbrains/1.csv.gz");
}

TEST_CASE("a disk trace file that does not exist is reported where it is written") {
  const LoadResult r = load(with_hosts(R"(datastores: [{name: ds1, capacity: 1 TiB}]
vms:
  - {name: vm, cluster: prod, workload: {disk: {kind: trace, file: no/such.csv}}}
)"));
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:10:68: error: trace file 'no/such.csv' not found (expected a file "
                           "path relative to the scenario file)"});
}

TEST_CASE("device_error targets a host of a cluster with a vSAN datastore") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(datastores:
  - {name: v1, kind: vsan, cluster: prod, capacity_per_host: 1 TiB}
vms: []
events:
  - {at: 30m, device_error: esx03}
)"));
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].kind == models::EventKind::device_error);
  CHECK(c.events[0].target == "esx03");
  CHECK(c.events[0].target_id == 2);
  CHECK(c.events[0].at == sim::Time::from_seconds(1800.0));
}

TEST_CASE("a valid scenario whose disks do not fit loads: space is the run's business") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(datastores: [{name: small, capacity: 100 GiB}]
vms:
  - {name: big, cluster: prod, disks: [{size: 2 TiB, datastore: small, provisioning: eager_zeroed}]}
)"));
  CHECK(c.vms.at(0).disks.at(0).size_gib == doctest::Approx(2048.0));
}

TEST_CASE("a VM's own disks and snapshots replace its profile's") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(datastores: [{name: a, capacity: 1 TiB}, {name: b, capacity: 1 TiB}]
vm_profiles:
  p:
    disks: [{size: 10 GiB, datastore: a}, {size: 20 GiB, datastore: a}]
    snapshots: [{at: 1h, growth: 1 GiB/h}]
vms:
  - {name: own, profile: p, cluster: prod, disks: [{size: 5 GiB, datastore: b}], snapshots: []}
  - {name: inherits, profile: p, cluster: prod}
)"));
  const models::VmConfig& own = named(c.vms, "own");
  REQUIRE(own.disks.size() == 1);
  CHECK(own.disks[0].datastore == "b");
  CHECK(own.disks[0].size_gib == doctest::Approx(5.0));
  CHECK(own.snapshots.empty());
  const models::VmConfig& inherits = named(c.vms, "inherits");
  REQUIRE(inherits.disks.size() == 2);
  CHECK(inherits.disks[1].size_gib == doctest::Approx(20.0));
  REQUIRE(inherits.snapshots.size() == 1);
  CHECK(inherits.snapshots[0].growth_gib_per_h == doctest::Approx(1.0));
}
