#pragma once
// The network model (docs/network.md): vSwitch instances with their ports and teams, the
// physical topology, failure detection and failover, and the VM flows, whose rates come
// from a weighted max-min fair share of every link direction and shaper on their path.
// Event-driven: every change at one instant (a power-on, a link event, a demand step, a
// shaper's bucket running dry) marks the model dirty, and one solve at the end of the
// instant routes the flows again and shares the bandwidth.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "teaming.hpp"
#include "topology.hpp"
#include "vdc/models/inventory.hpp"
#include "vdc/models/report_table.hpp"
#include "vdc/models/trace/trace_cursor.hpp"
#include "vdc/sim/fair_share.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/rng.hpp"
#include "vdc/sim/simulator.hpp"

namespace vdc::models::trace {
class TraceCache;
}

namespace vdc::models::network {

/// The network area's parameters (network_parameters.cpp; `vdcsim describe network`).
struct NetworkParameters {
  double beacon_detect_s = 3.0;   ///< beacons every second, an uplink failed after 3 missed
  double lbt_interval_s = 30.0;   ///< load-based teaming: how often and how long
  double lbt_threshold = 0.75;    ///< load-based teaming: the busy share
  /// Security defaults when a port group does not say (reference A.3, unconfirmed):
  /// standard: promiscuous reject, MAC changes accept, forged transmits accept;
  /// distributed: all reject.
  bool standard_mac_changes = true;
  bool standard_forged_transmits = true;
  bool distributed_mac_changes = false;
  bool distributed_forged_transmits = false;
  double trace_kbps_to_mbps = 8.0 * 1024.0 / 1e6;  ///< KB/s of a Bitbrains column (1 KB = 1024 bytes)

  static NetworkParameters from(const ScenarioConfig& config);
};

/// Names of the gauges the model publishes.
namespace gauge {
inline constexpr std::string_view tx_mbps = "net.tx_mbps";       // uplink and VM
inline constexpr std::string_view rx_mbps = "net.rx_mbps";       // uplink and VM
inline constexpr std::string_view util = "net.util";             // uplink: max(tx, rx) / speed
inline constexpr std::string_view up = "net.up";                 // uplink: 1 while it carries traffic
inline constexpr std::string_view uplink_util_max = "net.uplink_util_max";  // host: its busiest uplink
inline constexpr std::string_view demand_mbps = "net.demand_mbps";          // VM: what its flows ask
inline constexpr std::string_view dropped_mbps = "net.dropped_mbps";        // VM: what was asked and lost
inline constexpr std::string_view dropped = "net.dropped";                  // VM: dropped / demand
inline constexpr std::string_view rx_dropped = "net.rx_dropped";            // VM: sent to it and dropped / sent to it
}  // namespace gauge

/// The metrics entity of a host's uplink: "nic/esx01/vmnic0".
[[nodiscard]] std::string uplink_entity(std::string_view host, std::string_view nic);

/// Which gauges keep their interval series (the run's series budget decides).
struct SeriesKept {
  bool hosts = true;  ///< hosts' and uplinks'
  bool vms = true;
};

class NetworkModel {
 public:
  /// `metrics` and `traces` may be null (no gauges; no trace flows).
  NetworkModel(const ScenarioConfig& config, sim::Simulator& sim, sim::MetricsRegistry* metrics,
               trace::TraceCache* traces, SeriesKept series = {});
  ~NetworkModel();
  NetworkModel(const NetworkModel&) = delete;
  NetworkModel& operator=(const NetworkModel&) = delete;

  void power_on(std::size_t vm, std::size_t host);
  void power_off(std::size_t vm);
  void host_failed(std::size_t host);
  void host_restored(std::size_t host);
  /// The events of networks: link, upstream path, physical switch or router.
  void set_link(std::size_t host, std::string_view nic, bool up);
  void set_upstream(std::size_t host, std::string_view nic, bool ok);
  void set_switch(std::string_view name, bool up);

  /// Solves now if something changed (tests call it; events solve at the end of their
  /// instant on their own).
  void settle();
  /// Closes the integrals at `end`; the tables are then final.
  void finish(sim::Time end);

  /// What a flow does now.
  struct FlowState {
    bool active = false;      ///< its VM is on and it has a route or a cause
    bool delivered = false;
    std::string cause;        ///< why it is dropped
    std::vector<std::string> uplinks;       ///< the source uplinks it leaves by (several: shotgun)
    std::vector<std::string> delivered_to;  ///< VMs (or endpoint, or "outside") that get it
    double demand_mbps = 0.0;
    double rate_mbps = 0.0;
  };
  [[nodiscard]] FlowState flow(std::size_t vm, std::size_t index) const;
  /// An uplink's current rates, Mbps.
  [[nodiscard]] double uplink_tx(std::size_t host, std::string_view nic) const;
  [[nodiscard]] double uplink_rx(std::size_t host, std::string_view nic) const;
  /// The uplinks a VM's port group team uses now on `host`, in slot order.
  [[nodiscard]] std::vector<std::string> team_in_use(std::size_t host, std::string_view port_group) const;
  /// RARP notifications sent so far (notify switches, on every port move).
  [[nodiscard]] std::uint64_t notifications() const;
  /// Copies of broadcast frames the reflection filter drops in the current routing.
  [[nodiscard]] std::uint64_t reflections_dropped() const;

  /// The report tables (network_report.cpp's specs), final after finish().
  [[nodiscard]] ReportTable uplinks_table(const TableSpec* spec) const;
  [[nodiscard]] ReportTable flows_table(const TableSpec* spec) const;
  [[nodiscard]] ReportTable events_table(const TableSpec* spec) const;
  [[nodiscard]] ReportTable transfers_table(const TableSpec* spec) const;

  /// A host's own traffic (a vMotion's memory, a vSAN resync): `mib` from host `from` to
  /// host `to`, as fast as the network lets it, sharing the links with the VMs' flows. It
  /// leaves and enters by the first uplink in use of each host's first vSwitch. Returns its
  /// id (from 1).
  std::uint64_t start_transfer(std::string_view kind, std::string label, std::size_t from, std::size_t to, double mib);
  /// Called when a transfer has arrived, with its id and how long it took.
  void on_transfer_done(std::function<void(std::uint64_t id, double seconds)> done);
  /// How long a finished transfer took; nothing while it runs.
  [[nodiscard]] std::optional<double> transfer_seconds(std::uint64_t id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vdc::models::network
