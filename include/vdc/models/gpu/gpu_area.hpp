#pragma once
/// The GPU area (include/vdc/models/area.hpp): places each VM's vGPUs on the physical GPUs
/// of its host (equal-size, mixed-size, MIG first-fit, passthrough), refuses in words a VM
/// that does not fit, and shares each time-sliced GPU's time among its vGPUs by its
/// scheduler (docs/gpu.md; reference section C). A scenario without GPUs or vGPUs does not
/// build it.

#include <array>
#include <span>
#include <string>
#include <string_view>

#include "vdc/models/area.hpp"

namespace vdc::models::gpu {

/// VM gauges, percent of one whole GPU, averaged over the VM's vGPUs.
inline constexpr std::string_view vm_gpu_demand_pct = "gpu.demand_pct";
inline constexpr std::string_view vm_gpu_used_pct = "gpu.used_pct";
/// Of the VM's GPU demand, the percent not served (its vGPUs waited for their slice).
inline constexpr std::string_view vm_gpu_wait_pct = "gpu.wait_pct";
inline constexpr std::array<std::string_view, 3> vm_gpu_gauges{vm_gpu_demand_pct, vm_gpu_used_pct, vm_gpu_wait_pct};
/// A physical GPU's gauge (entity gpu_entity()): percent of its time (time-sliced,
/// passthrough) or of its compute slices (MIG) its vGPUs use.
inline constexpr std::string_view gpu_util_pct = "gpu.util_pct";

/// The metrics entity of GPU `index` of host `host`: "gpu/esx01/0".
[[nodiscard]] std::string gpu_entity(std::string_view host, int index);

/// Parameters (`parameters:` of a scenario).
inline constexpr std::string_view param_vgpus_per_vm = "gpu.vgpus_per_vm";
inline constexpr std::string_view param_long_slice_max = "gpu.long_slice_max_vgpus";
inline constexpr std::string_view param_hotmigrate = "vgpu.hotmigrate.enabled";
[[nodiscard]] std::span<const ModelParameter> parameters();

/// True when `config` has a GPU on a host or a vGPU on a VM.
[[nodiscard]] bool has_gpus(const ScenarioConfig& config);

/// The GPU area's registry entries.
[[nodiscard]] std::span<const AreaSpec> area_specs();

/// What the GPU area contributes to the reports (models/gpu/gpu_report.cpp): the `gpus`
/// and `gpu_vms` tables, the VMs' `gpu` objects and the GPU lines of the summary.
extern const AreaReportSpec report_spec;
/// The tables of report_spec, for the area to fill as it finishes.
extern const TableSpec& gpus_table;
extern const TableSpec& gpu_vms_table;

}  // namespace vdc::models::gpu
