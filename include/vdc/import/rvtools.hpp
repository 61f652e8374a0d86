#pragma once
/// RVTools import: an inventory (hosts from vHost, VMs from vInfo, allocations from vCPU and
/// vMemory, datastores from vDatastore) turned into a scenario, its YAML text and a summary
/// of what was found, where the tabs disagree and how VMs were mapped to hosts
/// (docs/traces.md "RVTools import").

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "vdc/import/workbook.hpp"
#include "vdc/models/inventory.hpp"

namespace vdc::import {

/// A datastore of vDatastore; kept for the summary (datastores are not modelled yet).
struct ImportedDatastore {
  std::string name;              ///< as in vDatastore
  std::string type;              ///< VMFS, NFS, vsan, ... as RVTools writes it
  double capacity_mib = 0.0;     ///< MiB (MB in RVTools 3.x)
  double free_mib = 0.0;         ///< 0 when the tab has no free-space column
  double provisioned_mib = 0.0;  ///< 0 when the tab has no provisioned column
};

/// How the VMs of one vInfo Host value found their host.
enum class MatchRule {
  exact,       ///< the same name as a vHost host (case-insensitive)
  short_name,  ///< the same name before the first '.' (domain dropped; not for IP addresses)
  suffix,      ///< within the VM's cluster, the only vHost host whose short name ends the
               ///< vInfo one or is ended by it (vmsp-01 and bovmsp-01.customer.com)
  placed,      ///< no match: each VM placed on the least-loaded host of its cluster
};

/// One distinct Host value of vInfo and the vHost host it maps to.
struct HostMapping {
  std::string vinfo_host;             ///< as written in vInfo
  std::string cluster;                ///< vInfo's cluster of its first VM
  std::string host;                   ///< vHost host; empty for MatchRule::placed
  MatchRule rule = MatchRule::exact;  ///< the rule that matched, or placed
  int vms = 0;                        ///< VMs (templates excluded) with this Host value
};

/// A VM placed by the least-loaded rule.
struct Placement {
  std::string vm;          ///< scenario name of the VM
  std::string vinfo_host;  ///< its Host value in vInfo, which matched no vHost host
  std::string host;        ///< the host it was placed on
};

/// A host profile shared by hosts of identical hardware.
struct ImportedProfile {
  std::string name;             ///< from vendor and model ("hp-proliant-bl460c-gen8")
  models::HostConfig hardware;  ///< cpu and memory; name and cluster empty
};

/// Everything an import found.
struct ImportResult {
  /// The inventory: hosts, clusters and VMs (duration 1 h, everything else default).
  models::ScenarioConfig config;
  /// Host profiles, one per distinct hardware.
  std::vector<ImportedProfile> profiles;
  /// Per host of config.hosts, the index of its profile in `profiles`.
  std::vector<std::size_t> host_profile;
  /// The export's file name (no folders), for headers.
  std::string source_name;
  /// "xlsx" or "CSV folder".
  std::string source_kind;
  /// Every tab the export has, in its order.
  std::vector<std::string> tabs;
  /// Datastores from vDatastore (empty without that tab).
  std::vector<ImportedDatastore> datastores;
  /// True when the export has a vDatastore tab (even an empty one).
  bool has_datastore_tab = false;
  /// How each vInfo Host value was mapped, in order of first appearance.
  std::vector<HostMapping> mappings;
  /// The VMs placed by the least-loaded rule, in vInfo order.
  std::vector<Placement> placements;
  /// Every disagreement between tabs, and every value changed to fit the scenario format,
  /// one sentence each.
  std::vector<std::string> disagreements;
  /// Templates in vInfo (not imported: they never run).
  int templates = 0;
};

/// Imports the RVTools export at `path`: an .xlsx, or a folder of per-tab CSV files.
/// Throws ImportError (file, tab, row, column) for a missing tab or column, a malformed row,
/// or a file that cannot be read.
[[nodiscard]] ImportResult import_rvtools(const std::filesystem::path& path);

/// Imports tabs already read (vInfo and vHost required; vCPU, vMemory, vDatastore used when
/// present). Throws ImportError like import_rvtools.
[[nodiscard]] ImportResult import_workbook(const Workbook& book);

/// The scenario as YAML the scenario loader accepts (docs/scenario.md): a header comment
/// naming the source, host_profiles, hosts, clusters and vms.
[[nodiscard]] std::string to_scenario_yaml(const ImportResult& result);

/// A text summary: hosts and VMs, vCPU:pCPU and vRAM:pRAM per cluster (powered-on VMs),
/// datastores, the host-name mapping and placements, and every disagreement.
[[nodiscard]] std::string import_summary(const ImportResult& result);

/// `vdcsim import rvtools <input> -o <output>`: imports `input`, writes the YAML to `output`
/// atomically (a temporary file in the same folder renamed into place) and prints the
/// summary to `summary_out`. Returns 0 on success, 2 when the export cannot be imported and
/// 1 when the output cannot be written, with the message on `err`.
int import_rvtools_command(const std::filesystem::path& input, const std::filesystem::path& output,
                           std::ostream& summary_out, std::ostream& err);

}  // namespace vdc::import
