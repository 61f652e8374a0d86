#pragma once
/// The memory area (include/vdc/models/area.hpp): one MemoryModel for the hosts of a run,
/// the VMs' memory traces, admission of a VM's memory on a host, and the events it
/// publishes for the other areas.

#include <span>

#include "vdc/models/area.hpp"

namespace vdc::models::memory {

/// Published on the run's SignalBus when the CPU progress factor of a powered-on VM moves
/// (docs/memory.md "Fault-in and slowdown"), and once when the VM starts or arrives on a
/// host: work done per unit of CPU time, in (0, 1].
struct ProgressChanged {
  VmId vm = 0;
  double factor = 1.0;
};

/// The memory area's registry entries.
[[nodiscard]] std::span<const AreaSpec> area_specs();

/// What the memory area contributes to the reports (models/memory/memory_report.cpp):
/// report.json's `memory` objects, the memory columns of the CSV files, the memory
/// verdicts and the VMs by memory reclamation.
extern const AreaReportSpec report_spec;

}  // namespace vdc::models::memory
