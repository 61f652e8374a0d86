#pragma once
/// The storage area (include/vdc/models/area.hpp): datastores (VMFS, NFS, vSAN, vVols) and
/// the VMs' disks on them: space (provisioning, swap files, snapshots), vSAN objects laid
/// out by their policies (components, witnesses, quorum) through host failures, device
/// errors and rebuilds, and the VMs' I/O sharing each device (queue depths, SIOC, mClock)
/// with the latency a queueing model gives (docs/storage.md; reference section B). Built
/// only for a scenario with datastores.

#include <span>
#include <string>
#include <string_view>

#include "vdc/models/area.hpp"

namespace vdc::models::storage {

/// VM gauges.
inline constexpr std::string_view vm_iops = "storage.iops";              ///< commands/s served
inline constexpr std::string_view vm_latency_ms = "storage.latency_ms";  ///< GAVG, IO-weighted over its disks
inline constexpr std::string_view vm_provisioned_gib = "storage.provisioned_gib";
inline constexpr std::string_view vm_used_gib = "storage.used_gib";

/// Datastore gauges (entity datastore_entity()).
inline constexpr std::string_view ds_capacity_gib = "storage.capacity_gib";
inline constexpr std::string_view ds_provisioned_gib = "storage.provisioned_gib";
inline constexpr std::string_view ds_used_gib = "storage.used_gib";
inline constexpr std::string_view ds_used_pct = "storage.used_pct";  ///< used, percent of capacity
inline constexpr std::string_view ds_iops = "storage.iops";
inline constexpr std::string_view ds_latency_ms = "storage.latency_ms";
inline constexpr std::string_view ds_throttled = "storage.sioc_throttled";  ///< 1 while SIOC cuts the queues

/// Host gauges: esxtop's disk panel, summed over the datastores the host reaches.
inline constexpr std::string_view host_cmds = "storage.cmds_per_s";
inline constexpr std::string_view host_mb_read = "storage.mb_read_per_s";
inline constexpr std::string_view host_mb_written = "storage.mb_written_per_s";
inline constexpr std::string_view host_davg = "storage.davg_ms";
inline constexpr std::string_view host_kavg = "storage.kavg_ms";
inline constexpr std::string_view host_gavg = "storage.gavg_ms";
inline constexpr std::string_view host_qued = "storage.queued";

/// The metrics entity of a datastore: "datastore/vsan01".
[[nodiscard]] std::string datastore_entity(std::string_view name);

/// Parameters (`parameters:` of a scenario).
inline constexpr std::string_view param_repair_delay = "storage.vsan.repair_delay";
inline constexpr std::string_view param_failure_stall = "storage.vsan.failure_stall";
inline constexpr std::string_view param_slack_pct = "storage.vsan.slack_pct";
inline constexpr std::string_view param_vmfs_max_disk = "storage.vmfs_max_disk";
inline constexpr std::string_view param_trace_kb = "storage.trace_kb_bytes";
inline constexpr std::string_view param_reservation_hold = "storage.vmfs.reservation_hold";
inline constexpr std::string_view param_vvol_config_gib = "storage.vvols.config_gib";
[[nodiscard]] std::span<const ModelParameter> parameters();
/// A parameter's value in `config` (its default when the scenario does not set it).
[[nodiscard]] double parameter(const ScenarioConfig& config, std::string_view name);

/// True when `config` has a datastore.
[[nodiscard]] bool has_storage(const ScenarioConfig& config);

/// The storage area's registry entries.
[[nodiscard]] std::span<const AreaSpec> area_specs();

/// What the storage area contributes to the reports (models/storage/storage_report.cpp).
extern const AreaReportSpec report_spec;
/// Its tables, in report_spec.tables order.
enum class Table { datastores, disks, events, vms };
[[nodiscard]] const TableSpec& table_spec(Table t);

}  // namespace vdc::models::storage
