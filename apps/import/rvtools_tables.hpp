#pragma once
// The rows of the RVTools tabs the import reads, typed, with both column layouts of
// shared/data/rvtools/COLUMNS.txt (RVTools 3.x "... MB" and 4.x "... MiB" names).

#include <optional>
#include <string>
#include <vector>

#include "vdc/import/rvtools.hpp"
#include "vdc/import/workbook.hpp"
#include "vdc/models/inventory.hpp"

namespace vdc::import::detail {

/// A host of vHost.
struct HostRow {
  int row = 0;
  std::string name;
  std::string cluster;
  int sockets = 1;
  int cores_per_socket = 1;
  std::optional<int> cores;  ///< "# Cores", when present
  bool hyperthreading = false;
  double mhz = 0.0;
  double memory_mib = 0.0;
  std::optional<int> vms;    ///< "# VMs": powered-on VMs vHost counts on the host
  std::optional<int> vcpus;  ///< "# vCPUs": their vCPUs
  std::string vendor;
  std::string model;
  /// Usage as vHost measured it (empty when the column is absent or the cell empty):
  /// "CPU usage %" of cores x speed, "Memory usage %" of the host's memory (consumed, the
  /// vmkernel included), "VM Used memory" MiB (the guests' active memory, summed).
  std::optional<double> cpu_usage_pct;
  std::optional<double> memory_usage_pct;
  std::optional<double> vm_used_mib;
};

/// Power state of a vInfo, vCPU or vMemory row.
enum class Power { on, off, suspended };

/// A VM (or template) of vInfo.
struct VmRow {
  int row = 0;
  std::string name;
  Power power = Power::on;
  bool is_template = false;
  /// Empty when vInfo's cell is empty (the vCPU or vMemory tab may know it).
  std::optional<int> vcpus;
  std::optional<double> memory_mib;
  std::string cluster;
  std::string host;
  std::string os;
  /// "Overall Cpu Readiness" in percent, when present (RVTools 4.x).
  std::optional<double> readiness_pct;
  /// "Active Memory" MiB, when present (RVTools 4.x).
  std::optional<double> active_mib;
  /// "Resource pool" and "vApp", as written (empty when absent).
  std::string pool;
  std::string vapp;
};

/// Shares, reservation and limit of a VM from vCPU (MHz) or vMemory (MiB).
struct AllocationRow {
  int row = 0;
  std::string vm;
  std::optional<Power> power;
  std::optional<double> size;  ///< CPUs (vCPU) or Size MiB (vMemory), when present
  std::string level;           ///< as written: low, normal, high or custom
  double shares = 0.0;
  double reservation = 0.0;
  std::optional<double> limit;  ///< empty for -1 (unlimited)
  /// Usage columns, when present and filled. vCPU: "Overall" (MHz used). vMemory:
  /// "Consumed" (host memory, overhead included), "Consumed Overhead", "Active", "Shared",
  /// "Ballooned", "Swapped" (MiB).
  std::optional<double> overall_mhz;
  std::optional<double> consumed_mib;
  std::optional<double> consumed_overhead_mib;
  std::optional<double> active_mib;
  std::optional<double> shared_mib;
  std::optional<double> ballooned_mib;
  std::optional<double> swapped_mib;
};

/// A virtual disk of vDisk.
struct DiskRow {
  int row = 0;
  std::string vm;
  bool is_template = false;
  std::string path;          ///< "Disk Path": "[datastore] folder/file.vmdk"
  double capacity_mib = 0.0;
  bool thin = false;         ///< "Thin"
  bool eager = false;        ///< "Eagerly Scrub"
  bool raw = false;          ///< "Raw": a raw device mapping
};

/// What a VM's vCPU count and memory must be, for messages.
extern const char* const vcpus_expected;
extern const char* const memory_expected;

/// Reads vHost. Throws ImportError for a missing required column or a malformed row.
[[nodiscard]] std::vector<HostRow> read_hosts(const Sheet& sheet);
/// Reads vInfo.
[[nodiscard]] std::vector<VmRow> read_vms(const Sheet& sheet);
/// Reads vCPU (`cpu` true) or vMemory.
[[nodiscard]] std::vector<AllocationRow> read_allocations(const Sheet& sheet, bool cpu);
/// Reads vDatastore.
[[nodiscard]] std::vector<ImportedDatastore> read_datastores(const Sheet& sheet);
/// Reads vDisk.
[[nodiscard]] std::vector<DiskRow> read_disks(const Sheet& sheet);

}  // namespace vdc::import::detail
