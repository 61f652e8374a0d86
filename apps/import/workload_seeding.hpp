#pragma once
// Each imported VM's CPU and memory workload from the usage the export records
// (docs/traces.md "Workloads"): its own vCPU and vMemory columns where it has them, else
// its host's vHost usage shared among the host's powered-on VMs by size.

#include <optional>
#include <vector>

#include "rvtools_tables.hpp"
#include "vdc/import/rvtools.hpp"

namespace vdc::import::detail {

/// A VM's own usage columns (empty where the export has none).
struct VmUsage {
  std::optional<double> cpu_mhz;                ///< vCPU "Overall"
  std::optional<double> consumed_mib;            ///< vMemory "Consumed", overhead included
  std::optional<double> consumed_overhead_mib;   ///< vMemory "Consumed Overhead"
  std::optional<double> active_mib;              ///< vMemory "Active", else vInfo "Active Memory"
  std::optional<double> ballooned_mib;           ///< vMemory "Ballooned"
  std::optional<double> swapped_mib;             ///< vMemory "Swapped"
  std::optional<double> readiness_pct;           ///< vInfo "Overall Cpu Readiness"
};

/// Seeds result.config.vms' workloads (parallel to `usage`; hosts parallel to
/// result.config.hosts), and fills result.seeds, result.usage, result.workload_notes, and
/// the warm-up and duration of result.config.
void seed_workloads(const std::vector<HostRow>& hosts, const std::vector<VmUsage>& usage,
                    ImportResult& result);

}  // namespace vdc::import::detail
