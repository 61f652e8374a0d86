#pragma once
/// RVTools import: an inventory (hosts from vHost, VMs from vInfo, allocations from vCPU and
/// vMemory, datastores from vDatastore, virtual disks from vDisk) and the usage it records (vCPU, vMemory, vHost)
/// turned into a scenario with seeded workloads, its YAML text and a summary of what was
/// found, where the tabs disagree and how VMs were mapped to hosts (docs/traces.md
/// "RVTools import").

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "vdc/import/workbook.hpp"
#include "vdc/models/inventory.hpp"

namespace vdc::import {

/// A datastore of vDatastore, and what the import made of it.
struct ImportedDatastore {
  int row = 0;                   ///< its row in vDatastore
  std::string name;              ///< as in vDatastore
  std::string type;              ///< VMFS, NFS, NFS41, vsan, VVOL, ... as RVTools writes it
  double capacity_mib = 0.0;     ///< MiB (MB in RVTools 3.x)
  double free_mib = 0.0;         ///< 0 when the tab has no free-space column
  double provisioned_mib = 0.0;  ///< 0 when the tab has no provisioned column
  std::string hosts;             ///< "Hosts", as written (empty when absent)
  std::string cluster;           ///< "Cluster name", as written (empty when absent)
  std::string major_version;     ///< "Major Version", as written (empty when absent)
  /// Its name in the scenario (config.storage.datastores), empty when it was left out.
  std::string scenario_name;
  /// Why it was left out of the scenario, empty when it is in.
  std::string left_out;
};

/// What the import made of vDisk.
struct DiskImport {
  bool has_tab = false;  ///< the export has a vDisk tab
  int rows = 0;          ///< its data rows
  int templates = 0;     ///< rows of templates (not imported, like the templates)
  int imported = 0;      ///< disks now in the scenario
  int vms = 0;           ///< VMs with at least one disk
  /// Why the other rows were left out, one sentence per reason with its count.
  std::vector<std::string> left_out;
  /// Values changed to fit the scenario (vaai_nas set on an NFS datastore with thick disks).
  std::vector<std::string> notes;
};

/// How the VMs of one vInfo Host value found their host.
enum class MatchRule {
  exact,       ///< the same name as a vHost host (case-insensitive)
  short_name,  ///< the same name before the first '.' (domain dropped; not for IP addresses)
  suffix,      ///< within the VM's cluster, the only vHost host whose short name ends the
               ///< vInfo one or is ended by it (vmsp-01 and bovmsp-01.customer.com)
  placed,      ///< no match: each VM placed by the placement rule (Placement)
};

/// Shape of the CPU demand seeded around each VM's measured level (`--workload`).
enum class WorkloadShape {
  constant,  ///< `{kind: constant, demand: level}`
  diurnal,   ///< `{kind: diurnal, mean: level, amplitude, peak, step}` (constants below)
};

/// Diurnal shape: amplitude as a fraction of the mean (capped so the peak stays at most one
/// core per vCPU), time of day of the peak, and how often the demand changes.
inline constexpr double diurnal_amplitude_of_mean = 0.5;
inline constexpr int diurnal_peak_hour = 14;
inline constexpr int diurnal_step_minutes = 5;

/// What the import does beyond reading.
struct ImportOptions {
  WorkloadShape shape = WorkloadShape::constant;
};

/// Where a VM's seeded CPU or memory workload came from.
enum class SeedSource {
  none,        ///< no usage figure: the scenario defaults (CPU 0%, touched 100%, active 25%)
  vm_columns,  ///< its own vCPU "Overall" / vMemory "Consumed" and "Active" columns
  host_share,  ///< its host's vHost usage, shared among the host's VMs by size
  unlisted,    ///< a stand-in for the VMs vHost counts on a host and vInfo does not list:
               ///< the rest of the host's measured usage (docs/traces.md "Workloads")
};

/// The workload an import seeded for one VM (powered-off VMs: none).
struct VmSeed {
  SeedSource cpu = SeedSource::none;
  SeedSource memory = SeedSource::none;
  double cpu_mhz = 0.0;       ///< measured CPU level, MHz (the mean of a diurnal shape)
  double consumed_mib = 0.0;  ///< host memory it is seeded to consume: touched + overhead
};

/// A VM the import added to stand for the VMs vHost counts on a host that vInfo does not
/// list (SeedSource::unlisted).
struct StandinVm {
  std::string vm;    ///< its scenario name, unlisted-<host>
  std::string host;
  int stands_for = 0;  ///< how many unlisted VMs it carries
};

/// One tab of the export and what the import did with it.
struct TabUse {
  std::string tab;
  int rows = -1;    ///< data rows; -1 when the tab could not be read
  std::string use;  ///< what was taken from it, or why it was left out
};

/// One cluster (or the standalone hosts, cluster ""), as vHost measured it and as seeded.
struct ClusterUsage {
  std::string cluster;           ///< scenario name; "" for standalone hosts
  int hosts = 0;
  double capacity_mhz = 0.0;     ///< cores x speed, summed
  double memory_mib = 0.0;       ///< host memory, summed
  /// vHost's used CPU (CPU usage % x cores x speed) and memory (Memory usage % x memory),
  /// summed; empty when a host of the cluster lacks the figure.
  std::optional<double> vhost_cpu_mhz;
  std::optional<double> vhost_memory_mib;
  std::optional<int> vhost_vms;  ///< vHost's "# VMs" (powered on), summed, when all have it
  int vms_on = 0;                ///< powered-on VMs of the scenario in the cluster
  int placed_on = 0;             ///< of which placed by the placement rule
  int standins = 0;              ///< stand-in VMs for VMs vInfo does not list (not in vms_on)
  int standing_for = 0;          ///< how many unlisted VMs they carry
  double seeded_cpu_mhz = 0.0;   ///< sum of VmSeed::cpu_mhz of its powered-on VMs
  double seeded_memory_mib = 0.0;  ///< sum of VmSeed::consumed_mib (defaults: touched 100%)
};

/// One distinct Host value of vInfo and the vHost host it maps to.
struct HostMapping {
  std::string vinfo_host;             ///< as written in vInfo
  std::string cluster;                ///< vInfo's cluster of its first VM
  std::string host;                   ///< vHost host; empty for MatchRule::placed
  MatchRule rule = MatchRule::exact;  ///< the rule that matched, or placed
  int vms = 0;                        ///< VMs (templates excluded) with this Host value
};

/// A VM placed by the placement rule: powered-on VMs first, largest configured memory
/// first (then most vCPUs, then vInfo order); each goes to the host of its cluster (all
/// hosts when its cluster has none in vHost) with the most memory not yet taken by
/// powered-on VMs among those that still hold it, ties broken by the fewest powered-on
/// vCPUs per core, then vHost order. When no host holds it, the host with the most memory
/// left takes it and the overfill is reported. Powered-off VMs follow, placed the same way
/// without adding load.
struct Placement {
  std::string vm;          ///< scenario name of the VM
  std::string vinfo_host;  ///< its Host value in vInfo, which matched no vHost host
  std::string host;        ///< the host it was placed on
  int vcpus = 0;
  double memory_mib = 0.0;
  bool powered_on = true;
  bool fits = true;        ///< false when no host of its cluster had room for it
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
  /// Datastores from vDatastore (empty without that tab); those imported are also in
  /// config.storage.datastores.
  std::vector<ImportedDatastore> datastores;
  /// Virtual disks from vDisk: those imported are in each VM's config.vms[i].disks.
  DiskImport disks;
  /// True when the export has a vDatastore tab (even an empty one).
  bool has_datastore_tab = false;
  /// How each vInfo Host value was mapped, in order of first appearance.
  std::vector<HostMapping> mappings;
  /// The VMs placed by the placement rule, in the order they were placed.
  std::vector<Placement> placements;
  /// Hosts and clusters that hold more powered-on vRAM than memory, one sentence each
  /// (by vInfo's own mapping, or because a cluster cannot hold its placed VMs).
  std::vector<std::string> capacity_problems;
  /// Every tab of the export, in its order, with what was taken from it.
  std::vector<TabUse> tab_uses;
  /// The options the import ran with.
  ImportOptions options;
  /// Per VM of config.vms, the seeded workload.
  std::vector<VmSeed> seeds;
  /// The stand-in VMs added for VMs vHost counts on a host and vInfo does not list.
  std::vector<StandinVm> standins;
  /// How the workloads were seeded, sentences for the summary and the YAML header.
  std::vector<std::string> workload_notes;
  /// Per cluster, vHost's usage and the seeded load, in vHost order (standalone last).
  std::vector<ClusterUsage> usage;
  /// Every disagreement between tabs, and every value changed to fit the scenario format,
  /// one sentence each.
  std::vector<std::string> disagreements;
  /// Templates in vInfo (not imported: they never run).
  int templates = 0;
};

/// Imports the RVTools export at `path`: an .xlsx, or a folder of per-tab CSV files.
/// Throws ImportError (file, tab, row, column) for a missing tab or column, a malformed row,
/// or a file that cannot be read.
[[nodiscard]] ImportResult import_rvtools(const std::filesystem::path& path,
                                          const ImportOptions& options = {});

/// Imports tabs already read (vInfo and vHost required; vCPU, vMemory, vDatastore, vDisk used when
/// present; the others are listed with their row counts). Throws ImportError like
/// import_rvtools.
[[nodiscard]] ImportResult import_workbook(const Workbook& book, const ImportOptions& options = {});

/// The scenario as YAML the scenario loader accepts (docs/scenario.md): a header comment
/// naming the source, host_profiles, hosts, clusters, datastores and vms (with their disks).
[[nodiscard]] std::string to_scenario_yaml(const ImportResult& result);

/// A text summary: hosts and VMs, vCPU:pCPU and vRAM:pRAM per cluster (powered-on VMs),
/// datastores, the host-name mapping and placements, and every disagreement.
[[nodiscard]] std::string import_summary(const ImportResult& result);

/// Per VM of `config.vms`, the factor by which the CPU model stretches its CPU work for
/// remote NUMA memory (1 + cpu.numa_remote_penalty x remote fraction, the VMs of each host
/// placed on its NUMA nodes in scenario order as at power-on; 1 for powered-off VMs). A
/// measured usage already includes it, so the import divides it out of the seeded demand.
[[nodiscard]] std::vector<double> numa_stretch(const models::ScenarioConfig& config);

/// Options of `vdcsim import rvtools`.
struct ImportCommandOptions {
  ImportOptions import;
  bool force = false;  ///< overwrite an existing output file
};

/// `vdcsim import rvtools <input> -o <output>`: imports `input`, writes the YAML to `output`
/// atomically (a temporary file in the same folder renamed into place) and prints the
/// summary to `summary_out`. Returns 0 on success, 2 when the export cannot be imported or
/// `output` exists and `options.force` is not set (nothing is written then), and 1 when the
/// output cannot be written, with the message on `err`. On success the import is left in
/// `*result` when given.
int import_rvtools_command(const std::filesystem::path& input, const std::filesystem::path& output,
                           const ImportCommandOptions& options, std::ostream& summary_out,
                           std::ostream& err, ImportResult* result = nullptr);

}  // namespace vdc::import
