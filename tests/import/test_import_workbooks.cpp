// The two shared RVTools workbooks (shared/data/rvtools), each as .xlsx and as its CSV
// folder: counts, powered-on vCPU and vRAM per cluster against vInfo read independently,
// the reported disagreements and mapping, and the scenario loader accepting the YAML.
#include <algorithm>
#include <map>

#include <doctest/doctest.h>

#include "import_test_util.hpp"
#include "vdc/import/rvtools.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/scenario/loader.hpp"

using vdc::import::ImportResult;
using vdc::import::MatchRule;

namespace {

std::filesystem::path rvtools_data() {
  const std::filesystem::path dir = std::filesystem::path(VDC_SHARED_DATA_DIR) / "rvtools";
  return std::filesystem::is_directory(dir) ? dir : std::filesystem::path{};
}

#define VDC_REQUIRE_SHARED_DATA(dir)                                                     \
  const std::filesystem::path dir = rvtools_data();                                      \
  if (dir.empty()) {                                                                     \
    MESSAGE("skipped: " << VDC_SHARED_DATA_DIR                                           \
                        << " is absent (it exists only beside a development checkout)"); \
    return;                                                                              \
  }

struct Totals {
  int vms = 0;
  int vcpus = 0;
  double vram_mib = 0.0;
  bool operator==(const Totals&) const = default;
};

/// Powered-on totals per cluster as vInfo's CSV states them (templates are never on).
/// Cross-checked by hand for SizingWorkshop with
///   awk -F, 'NR>1 && $2=="poweredOn" {n[$11]++; c[$11]+=$4; m[$11]+=$5}
///            END {for (k in n) print k, n[k], c[k], m[k]}' SizingWorkshop-RVTools_tabvInfo.csv
/// giving Cluster1 47 257 1224168, Cluster2 654 2160 8503148, DMZ 41 136 458272, Mgmt 21 76 234904.
std::map<std::string, Totals> vinfo_totals(const std::filesystem::path& csv) {
  std::map<std::string, Totals> out;
  for (const auto& row : vdc::test::read_csv_rows(csv)) {
    if (row.at("Powerstate") != "poweredOn") continue;
    Totals& t = out[row.at("Cluster")];
    ++t.vms;
    // An empty size (example1's vm-9) counts the VM only.
    if (!row.at("CPUs").empty()) t.vcpus += std::stoi(row.at("CPUs"));
    if (!row.at("Memory").empty()) t.vram_mib += std::stod(row.at("Memory"));
  }
  return out;
}

/// Powered-on VMs of vInfo per cluster (the stand-ins for VMs vInfo does not list left out).
std::map<std::string, Totals> imported_totals(const ImportResult& r) {
  std::map<std::string, Totals> out;
  for (const auto& vm : r.config.vms) {
    const bool standin = std::any_of(r.standins.begin(), r.standins.end(), [&](const auto& s) { return s.vm == vm.name; });
    if (!vm.powered_on || standin) continue;
    Totals& t = out[vm.cluster];
    ++t.vms;
    t.vcpus += vm.vcpus;
    t.vram_mib += vm.memory_mib;
  }
  return out;
}

void check_loads_and_runs(const ImportResult& r) {
  const auto loaded = vdc::scenario::load_string(vdc::import::to_scenario_yaml(r), "imported.yaml");
  std::string diagnostics;
  for (const auto& d : loaded.diagnostics) diagnostics += d.message + "\n";
  CAPTURE(diagnostics);
  REQUIRE(loaded.ok());
  const auto& cfg = *loaded.config;
  CHECK(cfg.hosts.size() == r.config.hosts.size());
  REQUIRE(cfg.vms.size() == r.config.vms.size());
  for (std::size_t i = 0; i < cfg.vms.size(); ++i) {
    CHECK(cfg.vms[i].name == r.config.vms[i].name);
    CHECK(cfg.vms[i].host == r.config.vms[i].host);
    CHECK(cfg.vms[i].vcpus == r.config.vms[i].vcpus);
    CHECK(cfg.vms[i].memory_mib == r.config.vms[i].memory_mib);
    CHECK(cfg.vms[i].powered_on == r.config.vms[i].powered_on);
  }
  // And it runs, with the workloads seeded from the export's usage.
  const vdc::models::RunResult run = vdc::models::run_scenario(cfg);
  CHECK_FALSE(run.partial);
  CHECK(run.hosts.size() == cfg.hosts.size());
  CHECK(run.vms.size() == cfg.vms.size());
}

bool has_note(const ImportResult& r, const std::string& text) {
  return std::find(r.disagreements.begin(), r.disagreements.end(), text) != r.disagreements.end();
}

}  // namespace

TEST_CASE(
    "SizingWorkshop imports 34 hosts and vInfo's 795 VMs, from the xlsx and from its CSV folder") {
  VDC_REQUIRE_SHARED_DATA(data);
  const auto folder = data / "mjvincent_rvtools-to-ibm-cloud";
  const ImportResult xlsx = vdc::import::import_rvtools(folder / "SizingWorkshop-RVTools.xlsx");
  const ImportResult csv = vdc::import::import_rvtools(folder / "csv_derived");
  const auto expected = vinfo_totals(folder / "csv_derived/SizingWorkshop-RVTools_tabvInfo.csv");
  CHECK(expected.at("Cluster2") == Totals{654, 2160, 8503148.0});
  for (const ImportResult* r : {&xlsx, &csv}) {
    CHECK(r->config.hosts.size() == 34);
    CHECK(r->config.vms.size() == 795);
    CHECK(r->templates == 10);
    CHECK(r->config.clusters.size() == 4);
    CHECK(imported_totals(*r) == expected);
    CHECK(r->placements.size() == 28);
  }
  CHECK(xlsx.source_kind == "xlsx");
  CHECK(csv.source_kind == "CSV folder");
  for (std::size_t i = 0; i < xlsx.config.vms.size(); ++i) {
    CHECK(xlsx.config.vms[i].name == csv.config.vms[i].name);
    CHECK(xlsx.config.vms[i].host == csv.config.vms[i].host);
  }
}

TEST_CASE("SizingWorkshop's summary lists vHost's other counts and the host-name mapping used") {
  VDC_REQUIRE_SHARED_DATA(data);
  const ImportResult r = vdc::import::import_rvtools(
      data / "mjvincent_rvtools-to-ibm-cloud/SizingWorkshop-RVTools.xlsx");
  CHECK(has_note(
      r,
      "vHost counts 735 powered-on VMs with 2474 vCPUs; vInfo lists 763 powered-on VMs with 2629 "
      "vCPUs (vInfo kept)"));
  CHECK(has_note(
      r,
      "vInfo host 'bovmsp-06.customer.com' (cluster 'Cluster1', 3 VMs) is not in vHost: they "
      "were placed by the placement rule"));
  const auto mapping = [&](const std::string& vinfo_host) {
    return *std::find_if(r.mappings.begin(), r.mappings.end(),
                         [&](const auto& m) { return m.vinfo_host == vinfo_host; });
  };
  CHECK(mapping("bovmsp-03.customer.com").host == "vmsp-03");
  CHECK(mapping("bovmsp-03.customer.com").rule == MatchRule::suffix);
  CHECK(mapping("bovmprod3-01").host == "vmprod3-01");
  CHECK(mapping("bovmdmz01-01").rule == MatchRule::exact);
  CHECK(mapping("bovmdmz4-01").rule == MatchRule::placed);
  const std::string summary = vdc::import::import_summary(r);
  CHECK(
      summary.find("bovmsp-03.customer.com -> vmsp-03 (short-name suffix, same cluster; 6 VMs)") !=
      std::string::npos);
  CHECK(summary.find("  Cluster2            22    352    11263.2    654   2160     8303.9       "
                     "6.14       0.74") != std::string::npos);
  CHECK(summary.find("Datastores: none listed (the export has no vDatastore tab).") !=
        std::string::npos);
}

TEST_CASE(
    "example1 (RVTools 4.x layout) takes allocations from vCPU and vMemory and fills vInfo's "
    "gaps") {
  VDC_REQUIRE_SHARED_DATA(data);
  const auto folder = data / "kubev2v_migration-planner";
  const ImportResult xlsx = vdc::import::import_rvtools(folder / "example1.xlsx");
  const ImportResult csv = vdc::import::import_rvtools(folder / "csv_derived");
  for (const ImportResult* r : {&xlsx, &csv}) {
    CHECK(r->config.hosts.size() == 7);
    // vInfo's 9 VMs, and a stand-in on each of the 7 hosts: vHost counts 5 to 14 powered-on
    // VMs on each, and vInfo maps none of its 3 powered-on VMs to any of them.
    REQUIRE(r->config.vms.size() == 9 + 7);
    CHECK(r->standins.size() == 7);
    CHECK(r->config.hosts[0].cpu.threads_per_core == 2);
    CHECK(r->config.hosts[0].cpu.frequency_mhz == 2295.0);
    // vm-9's CPUs and Memory are empty in vInfo: 18 vCPUs from vCPU, 40960 MiB from vMemory.
    CHECK(imported_totals(*r).at("Cluster") == Totals{3, 3 + 13 + 18, 3526.0 + 34321.0 + 40960.0});
    CHECK(has_note(*r, "VM 'vm-9': no CPUs in vInfo, 18 from vCPU"));
    CHECK(has_note(*r, "VM 'vm-4': vCPU says 9 vCPUs, vInfo 8 (vInfo kept)"));
    CHECK(r->config.vms[0].cpu.level == vdc::models::ShareLevel::normal);
    CHECK_FALSE(r->config.vms[0].mem.limit);
  }
  // Independently from vInfo's CSV: vm-3 and vm-8 in Cluster; vm-9 has neither cluster nor size.
  const auto expected = vinfo_totals(folder / "csv_derived/example1_tabvInfo.csv");
  CHECK(expected.at("Cluster") == Totals{2, 3 + 13, 3526.0 + 34321.0});
  CHECK(expected.at("") == Totals{1, 0, 0.0});
}

TEST_CASE("the scenario loader accepts the YAML of both workbooks, and it runs") {
  VDC_REQUIRE_SHARED_DATA(data);
  check_loads_and_runs(vdc::import::import_rvtools(
      data / "mjvincent_rvtools-to-ibm-cloud/SizingWorkshop-RVTools.xlsx"));
  check_loads_and_runs(
      vdc::import::import_rvtools(data / "kubev2v_migration-planner/example1.xlsx"));
}

TEST_CASE("example1's vDisk: 9 disks, none with a datastore path, so none imported and the summary says why") {
  VDC_REQUIRE_SHARED_DATA(data);
  // example1_tabvDisk.csv has 9 rows (vm-1 to vm-9, one disk each, none a template or raw);
  // its Disk Path is empty on 7 and a list of guest mount points on vm-7 and vm-9: the
  // anonymisation removed the "[datastore] folder/file.vmdk" form. No vDatastore tab.
  for (const auto& source : {data / "kubev2v_migration-planner/example1.xlsx",
                             data / "kubev2v_migration-planner/csv_derived"}) {
    CAPTURE(source.string());
    const ImportResult r = vdc::import::import_rvtools(source);
    CHECK_FALSE(r.has_datastore_tab);
    CHECK(r.disks.has_tab);
    CHECK(r.disks.rows == 9);
    CHECK(r.disks.templates == 0);
    CHECK(r.disks.imported == 0);
    CHECK(r.disks.left_out ==
          std::vector<std::string>{"9 disks: its Disk Path is not \"[datastore] folder/file.vmdk\""});
    CHECK(r.config.storage.datastores.empty());
    const std::string summary = vdc::import::import_summary(r);
    CHECK(summary.find("Disks (vDisk): 9 rows, 0 imported on 0 VMs\n"
                       "  left out: 9 disks: its Disk Path is not \"[datastore] folder/file.vmdk\"\n") !=
          std::string::npos);
    CHECK(vdc::scenario::load_string(vdc::import::to_scenario_yaml(r), "example1.yaml").ok());
  }
  const ImportResult sizing =
      vdc::import::import_rvtools(data / "mjvincent_rvtools-to-ibm-cloud/SizingWorkshop-RVTools.xlsx");
  CHECK_FALSE(sizing.disks.has_tab);
  CHECK(vdc::import::import_summary(sizing).find(
            "Disks: none listed (the export has no vDisk tab).\n") != std::string::npos);
}
