// scenarios/vsan-failure-lab.yaml end to end, against the layout worked out by hand.
//
// Pieces go to the hosts with the least raw space used, in host order on ties (placement
// in docs/storage.md). Disks are created in VM order, each VM's namespace first:
//   web01 namespace: esx01 esx02 esx03; disk (120 GiB written): replicas esx01 esx02, witness esx03
//   web02 namespace: esx03 esx04 esx01; disk: replicas esx03 esx04, witness esx01
//   web03 namespace and disk: as web01 (every host holds 120 GiB by then)
//   app01 (RAID-5 3+1, 300 GiB written): a 100 GiB column on each host
//   db01: FTT=2 mirroring needs 5 hosts: refused
//   scratch01 (FTT=0, 80 GiB): the least used hosts are esx03 and esx04 (220 GiB): esx03.
// esx03 fails at 30 min: the only piece with data to rebuild is web02's replica (120 GiB);
// its one spare is esx02, over a 25 Gbps uplink: 120 GiB x 8 / 25 Gbps = 41.23 s.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <variant>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/storage/storage_area.hpp"
#include "storage_tables.hpp"
#include "vdc/scenario/loader.hpp"

namespace vdc::models::storage {
namespace {

using tables::number;
using tables::table;
using tables::text;

TEST_CASE("the vSAN failure lab: who survives esx03, what is rebuilt and when") {
  const auto loaded = scenario::load_file(VDC_SOURCE_DIR "/scenarios/vsan-failure-lab.yaml");
  REQUIRE(loaded.ok());
  const RunResult r = run_scenario(*loaded.config);

  const auto vm = [&](std::string_view name) -> const VmFacts& {
    const auto it = std::find_if(r.vms.begin(), r.vms.end(), [&](const VmFacts& f) { return f.name == name; });
    REQUIRE(it != r.vms.end());
    return *it;
  };
  CHECK(vm("db01").admission ==
        "its disk 1 (500 GiB, policy gold) does not fit on vsan01: FTT=2 RAID-1 needs 5 hosts and the cluster has 4");

  const ReportTable& disks = table(r, Table::disks);
  const auto state = [&](std::string_view name) {
    for (std::size_t i = 0; i < disks.rows(); ++i) {
      if (text(disks, i, "vm") == name) return text(disks, i, "state");
    }
    return std::string("none");
  };
  CHECK(state("web01") == "compliant");
  CHECK(state("web02") == "compliant");
  CHECK(state("web03") == "compliant");
  CHECK(state("app01") == "reduced_availability");  // 3+1 on four hosts: no fifth to rebuild on
  CHECK(state("scratch01") == "inaccessible");       // its one copy was on esx03
  CHECK(state("db01") == "none");

  const ReportTable& ds = table(r, Table::datastores);
  CHECK(number(ds, 0, "vsan.raw_gib") == doctest::Approx(3.0 * 4096.0));
  CHECK(number(ds, 0, "vsan.resync_gib") == doctest::Approx(120.0));
  // On the hosts that are up: three mirrored web disks (240 GiB each) and three app01 columns.
  CHECK(number(ds, 0, "vsan.raw_used_gib") == doctest::Approx(3.0 * 240.0 + 3.0 * 100.0));
  CHECK(number(ds, 0, "vsan.objects_inaccessible") == doctest::Approx(1.0));

  const ReportTable& events = table(r, Table::events);
  bool rebuilt = false;
  for (std::size_t i = 0; i < events.rows(); ++i) {
    if (text(events, i, "vm") != "web02" || text(events, i, "object") != "disk1") continue;
    const std::string what = text(events, i, "event");
    const double at = number(events, i, "at_s");
    if (what == "absent") CHECK(at == doctest::Approx(1800.0));
    if (what == "rebuilding") {
      CHECK(at == doctest::Approx(5400.0));
      CHECK(text(events, i, "detail") == "120.0 GiB from esx04 to esx02");
    }
    if (what == "compliant") {
      CHECK(at == doctest::Approx(5400.0 + 120.0 * 1024.0 * 8.0 * 1048576.0 / 1e6 / 25000.0));
      rebuilt = true;
    }
  }
  CHECK(rebuilt);
}

}  // namespace
}  // namespace vdc::models::storage
