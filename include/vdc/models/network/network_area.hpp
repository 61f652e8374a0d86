#pragma once
/// The network area (include/vdc/models/area.hpp): vSwitches and their teams on every host,
/// the physical topology, failure detection and failover, and the VMs' flows sharing the
/// links (docs/network.md). Built only for a scenario with `networks:`.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "vdc/models/area.hpp"

namespace vdc::models::network {

/// What another area asks of the network (the cluster area: a vMotion's memory; storage: a
/// vSAN resync or rebuild), emitted on the run's SignalBus: move `mib` from host `from` to
/// host `to`. The network carries it as fast as the links let it, sharing them with the
/// VMs' flows, and answers with TransferDone carrying the same `id` (the requester's).
struct TransferRequest {
  std::uint64_t id = 0;
  HostId from = 0;
  HostId to = 0;
  double mib = 0.0;
  std::string_view kind;  ///< "vmotion", "resync", ...: the `kind` of network.transfers
  std::string label;      ///< what it moves, for the report (a VM, an object)
};
struct TransferDone {
  std::uint64_t id = 0;
  double seconds = 0.0;  ///< from the request to the last byte
};

/// The network area's registry entries.
[[nodiscard]] std::span<const AreaSpec> area_specs();

/// What the network area contributes to the reports (models/network/network_report.cpp):
/// report.json's `network.uplinks`, `network.flows` and `network.events`, the per-host and
/// per-VM `network` objects, the uplink and drop checks of the contention report.
extern const AreaReportSpec report_spec;

/// Its tables, in report_spec.tables order.
enum class Table { uplinks, flows, events, transfers };
[[nodiscard]] const TableSpec& table_spec(Table t);

}  // namespace vdc::models::network
