#pragma once
/// The CPU area (include/vdc/models/area.hpp): a HostCpuModel per host in the fidelity the
/// scenario chose (each fidelity a registered variant), the VMs' vCPUs and workloads, and
/// the resource pools of each host's entitlement tree. It observes memory::ProgressChanged
/// to slow a VM whose memory is not resident.

#include <span>

#include "vdc/models/area.hpp"

namespace vdc::models::cpu {

/// The CPU area's registry entries: the variants "fluid" and "detailed".
[[nodiscard]] std::span<const AreaSpec> area_specs();

/// What the CPU area contributes to the reports (models/cpu/cpu_report.cpp): report.json's
/// `cpu` objects, the CPU columns of the CSV files, the CPU verdicts and the VMs by ready.
extern const AreaReportSpec report_spec;

}  // namespace vdc::models::cpu
