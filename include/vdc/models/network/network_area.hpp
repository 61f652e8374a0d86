#pragma once
/// The network area (include/vdc/models/area.hpp): vSwitches and their teams on every host,
/// the physical topology, failure detection and failover, and the VMs' flows sharing the
/// links (docs/network.md). Built only for a scenario with `networks:`.

#include <span>

#include "vdc/models/area.hpp"

namespace vdc::models::network {

/// The network area's registry entries.
[[nodiscard]] std::span<const AreaSpec> area_specs();

/// What the network area contributes to the reports (models/network/network_report.cpp):
/// report.json's `network.uplinks`, `network.flows` and `network.events`, the per-host and
/// per-VM `network` objects, the uplink and drop checks of the contention report.
extern const AreaReportSpec report_spec;

/// Its tables, in report_spec.tables order.
enum class Table { uplinks, flows, events };
[[nodiscard]] const TableSpec& table_spec(Table t);

}  // namespace vdc::models::network
