#pragma once
// The network model's state (internal to models/network/): NetworkModel::Impl, whose parts are
// defined in network_model.cpp (construction and the public face), network_teams.cpp (teams,
// failure detection, ports and load-based teaming), network_routing.cpp (flow demand and
// routing) and network_solve.cpp (sharing the bandwidth and publishing the gauges).

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "network_model.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models::network {

inline constexpr int end_of_step = 1000;  // after every other event of the instant
inline constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
inline constexpr double mbit_per_mib = 8.0 * 1048576.0 / 1e6;
inline constexpr std::uint32_t broadcast_ip = 0xFFFFFFFFu;

[[nodiscard]] inline std::string ip_text(std::uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xFFu, (ip >> 8) & 0xFFu, ip & 0xFFu);
}

struct NetworkModel::Impl {
  struct Uplink {
    std::size_t host = 0;
    std::string nic;
    std::string vswitch;
    double speed = 0.0;
    Topology::Node node = 0;
    std::size_t link = none;  // its link into the physical network
    sim::MetricId g_tx = 0, g_rx = 0, g_util = 0, g_up = 0;
    double tx = 0.0, rx = 0.0;
    double busy_since_tx = -1.0, busy_since_rx = -1.0;  // LBT: when it reached the threshold
  };
  struct Instance {
    std::size_t vswitch = 0;
    std::size_t host = 0;
    std::vector<std::size_t> uplinks;  // in the vSwitch's uplink order
    std::uint32_t next_port = 0;
  };
  struct Team {
    std::size_t instance = 0;
    std::size_t pg = 0;
    TeamingConfig cfg;
    TeamState state{{}, {}, true};
    std::vector<std::size_t> in_use;   // uplink indices
    bool ambiguous = false;            // beacon probing cannot tell: frames go out on `in_use` all
    std::vector<std::size_t> members;  // active then standby (uplink indices)
  };
  struct Shaper {
    double average = 0.0, peak = 0.0, burst = 0.0;  // Mbps, Mbps, Mbit
    double tokens = 0.0;
    double rate = 0.0;        // at the last solve
    double updated = 0.0;     // time of `tokens`
    std::uint64_t generation = 0;
    [[nodiscard]] double capacity() const { return tokens > 1e-12 ? peak : average; }
  };
  struct Port {
    std::size_t vm = 0;
    std::size_t nic = 0;
    std::size_t instance = none;  // none while the VM is off
    std::size_t team = none;
    std::uint32_t port_id = 0;
    int vlan = 0;
    std::size_t lbt_uplink = none;
    std::size_t uplink = none;   // what the team picked last (notifications)
    std::size_t tx_shaper = none, rx_shaper = none;
  };
  struct Flow {
    std::size_t vm = 0;
    std::size_t index = 0;
    const FlowConfig* cfg = nullptr;
    double demand = 0.0;
    bool on = false;            // on/off workloads: in an on period
    std::uint64_t generation = 0;
    std::optional<trace::TraceCursor> cursor;
    std::unique_ptr<sim::RngStream> rng;
    // The route of the last solve.
    bool routed = false;
    bool delivered = false;
    std::string cause;
    std::vector<Topology::Hop> hops;
    std::vector<std::size_t> shapers;
    std::vector<std::size_t> uplinks;
    std::vector<std::size_t> receivers;  // VMs
    std::string outside;                  // an endpoint or address that gets it
    double rate = 0.0;
    // Over the measured window.
    double demand_int = 0.0, rate_int = 0.0, active_s = 0.0, delivered_s = 0.0;
    std::map<std::string, double> uplink_s;
    std::vector<std::string> delivered_to;
    std::string last_cause;
    // A transfer (vMotion, resync) instead of a VM's flow: a size to move between hosts.
    bool transfer = false;
    std::size_t from_host = 0, to_host = 0;
    double remaining_mbit = 0.0;
  };
  struct TransferRow {
    std::uint64_t id = 0;
    std::string kind, label, from, to;
    double mib = 0.0;
    double started = 0.0;
    std::optional<double> finished;
    std::string cause;
    std::size_t flow = none;
  };
  struct VmNet {
    std::vector<std::size_t> ports;  // one per NIC
    std::vector<std::size_t> flows;
    std::optional<std::size_t> host;
    sim::MetricId g_tx = 0, g_rx = 0, g_demand = 0, g_dropped = 0, g_ratio = 0, g_rx_ratio = 0;
  };
  struct EventRow {
    double at = 0.0;
    std::string host, vswitch, port_group, what;
    std::vector<std::string> in_use;
  };

  const ScenarioConfig& config;
  sim::Simulator& sim;
  sim::MetricsRegistry* metrics;
  trace::TraceCache* traces;
  NetworkParameters params;
  Topology topo;
  std::vector<Uplink> uplinks;
  std::map<std::pair<std::size_t, std::string>, std::size_t, std::less<>> uplink_of;  // (host, nic)
  std::vector<Instance> instances;
  std::vector<std::vector<std::size_t>> instance_of;  // [vswitch][host]
  std::vector<Team> teams;
  std::vector<std::vector<std::size_t>> team_of;      // [instance][port group index on its vSwitch]
  std::vector<std::vector<std::size_t>> pgs_of;       // [vswitch]: its port groups
  std::vector<Port> ports;
  std::vector<Shaper> shapers;
  std::vector<Flow> flows;
  std::vector<VmNet> vms;
  std::vector<std::uint32_t> vds_next_port;           // [vswitch]
  std::vector<std::vector<std::uint32_t>> vds_port;   // [port]: a distributed port keeps its number
  std::unordered_map<std::string, Topology::Node> nodes_by_name;
  std::vector<Topology::Node> endpoint_node;          // [endpoint], none without attach
  std::vector<std::string> host_gauge_names;
  std::vector<sim::MetricId> host_tx, host_rx, host_util;
  sim::FairShare solver;
  std::vector<std::int64_t> hop_resource;
  std::vector<double> hop_load, shaper_load;  // Mbps, after the last solve
  bool dirty = false;
  bool reroute_pending = false;
  bool solve_pending = false;
  std::unordered_map<std::uint32_t, std::size_t> vm_of_ip;   // the first VM with that address
  std::vector<std::vector<std::size_t>> ports_of_instance;   // connected ports
  double last_solve = 0.0;
  double window_start = 0.0;
  double window_end = std::numeric_limits<double>::infinity();
  std::uint64_t notifications = 0;
  std::uint64_t reflections = 0;
  std::vector<EventRow> events;
  std::vector<TransferRow> transfers;
  std::deque<FlowConfig> transfer_configs;  // stable addresses for the transfers' Flow::cfg
  std::function<void(const TransferRow&)> on_transfer_done;
  bool has_lbt = false;

  SeriesKept kept;

  Impl(const ScenarioConfig& c, sim::Simulator& s, sim::MetricsRegistry* m, trace::TraceCache* t, SeriesKept k);

  // ---- construction -------------------------------------------------------------------

  [[nodiscard]] IpHashVariant ip_variant(std::size_t host) const;

  static TeamingConfig effective(const TeamingConfig& base, const TeamingOverride& o);

  void build_switches();

  Topology::Node nic_node(std::size_t host, const std::string& nic);

  void build_topology();

  [[nodiscard]] double nic_speed(const std::string& host_nic) const;

  void build_vms();

  // ---- teams and failure detection ----------------------------------------------------

  /// The uplink has carrier: its link is up and both ends are up (a failed switch takes
  /// the link of every NIC plugged into it down with it).
  [[nodiscard]] bool carrier(const Uplink& u) const;

  /// Beacons sent by `a` reach `b` (reference A.6: every second, on every team NIC).
  [[nodiscard]] bool hears(const Uplink& a, const Uplink& b) const;

  void evaluate_team(std::size_t t, std::string_view why);

  /// After a change of the physical network: link-status teams see it at once; beacon
  /// teams after `beacon_detect_s` (missed beacons), then on their own.
  void physical_changed(const std::string& what);

  // ---- ports --------------------------------------------------------------------------

  void connect(std::size_t v, std::size_t host);

  std::size_t add_shaper(const ShapingConfig& s);

  void disconnect(std::size_t v);

  /// The uplinks `p`'s team sends a frame to `dst_ip` by: one, several while beacon
  /// probing cannot tell (shotgun), none when no uplink is usable.
  std::vector<std::size_t> select(Port& p, std::uint32_t dst_ip);

  [[nodiscard]] bool security(const Port& p, bool mac_changes) const;
  [[nodiscard]] bool promiscuous(const Port& p) const;
  [[nodiscard]] bool mac_changed(const Port& p) const;

  // ---- flows: demand ------------------------------------------------------------------

  void start_flow(std::size_t f);

  static double diurnal(const FlowRate& r, sim::Time t);

  void schedule_toggle(std::size_t f);

  void schedule_step(std::size_t f);

  // ---- routing ------------------------------------------------------------------------

  [[nodiscard]] std::optional<std::size_t> vm_by_ip(std::uint32_t ip) const;

  /// The path of a frame from the uplinks `from` to the NIC node or endpoint `to`; the
  /// first uplink with a path wins (shotgun: the frame also leaves by the others, whose
  /// first hop it uses). Sets `cause` when none has one.
  bool physical_route(Flow& fl, const Team& team, const std::vector<std::size_t>& from, std::optional<Topology::Node> to,
                      bool via_router, std::string_view where);

  void route(std::size_t f);

  /// The uplink a host's own traffic (vMotion, resync) leaves and enters by: the first in
  /// use of the first port group's team on the host's first vSwitch (the scenario has no
  /// VMkernel ports yet). None when the host has no vSwitch or no uplink in use.
  [[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> host_uplink(std::size_t host) const;

  void route_transfer(Flow& fl);

  std::uint64_t start_transfer(std::string_view kind, std::string label, std::size_t from, std::size_t to, double mib);

  void finish_transfer(std::size_t t);

  /// After a share: when each moving transfer ends at its new rate.
  void schedule_transfers();

  void no_uplink(Flow& fl, const Port& src);

  void deliver_local(Flow& fl, const Port& src, const Port& dst);

  void finish_unicast(Flow& fl, const Port& src, const Port& dst, const std::string& dname);

  void add_promiscuous(Flow& fl, const Port& src, const Port& dst);

  [[nodiscard]] const std::vector<std::size_t>& vms_on_instance(std::size_t inst) const;

  void route_endpoint(Flow& fl, Port& src, std::size_t e);

  void route_broadcast(Flow& fl, Port& src);

  // ---- solving ------------------------------------------------------------------------

  /// Something changed now: a solve runs at the end of the instant; `reroute` when routes
  /// may have changed too (not for a demand step or a shaper).
  void mark_dirty(bool reroute = true);

  /// Adds what flowed from the last solve to now to the run's integrals.
  void accumulate(double now);

  void solve();

  /// Shares the bandwidth: every directed link and shaper a flow crosses is a resource of
  /// a weighted max-min fair share (equal weights). A resource whose flows' demands fit
  /// in its capacity can never bind (a flow never gets more than its demand), so only the
  /// overloaded ones and the flows that cross them go to the solver; every other flow
  /// gets its demand. Then the load of every link direction and shaper, from the rates.
  void share();

  void count_moves();

  void publish();

  static void add_unique(std::vector<std::string>& list, const std::string& s);

  // ---- load-based teaming -------------------------------------------------------------

  void schedule_lbt();

  /// Every interval: an uplink of a load-based team busy at or above the threshold for a
  /// whole interval gives its busiest port to the least loaded uplink of the team, if that
  /// one has room for it below the threshold (reference A.5.4); RARP tells the switches.
  void lbt_check();

  [[nodiscard]] double port_rate(std::size_t p, bool tx) const;
};

}  // namespace vdc::models::network
