// The network model: models/network/network_model.hpp; the rules it follows are in
// docs/network.md, from reference section A.
#include "network_model.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <deque>
#include <functional>
#include <map>
#include <numbers>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>

#include "vdc/models/metric_names.hpp"
#include "vdc/models/trace/trace_cache.hpp"

namespace vdc::models::network {
namespace {

constexpr int end_of_step = 1000;  // after every other event of the instant
constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
constexpr double mbit_per_mib = 8.0 * 1048576.0 / 1e6;
constexpr std::uint32_t broadcast_ip = 0xFFFFFFFFu;

double parameter(const ScenarioConfig& c, std::string_view name, double fallback) {
  const auto it = c.parameters.find(std::string(name));
  return it == c.parameters.end() ? fallback : it->second;
}

std::string ip_text(std::uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xFFu, (ip >> 8) & 0xFFu, ip & 0xFFu);
}

}  // namespace

NetworkParameters NetworkParameters::from(const ScenarioConfig& config) {
  NetworkParameters p;
  p.beacon_detect_s = parameter(config, "network.beacon_detect", p.beacon_detect_s);
  p.lbt_interval_s = parameter(config, "network.lbt_interval", p.lbt_interval_s);
  p.lbt_threshold = parameter(config, "network.lbt_threshold", p.lbt_threshold);
  p.standard_mac_changes = parameter(config, "network.standard_mac_changes", 1.0) != 0.0;
  p.standard_forged_transmits = parameter(config, "network.standard_forged_transmits", 1.0) != 0.0;
  p.distributed_mac_changes = parameter(config, "network.distributed_mac_changes", 0.0) != 0.0;
  p.distributed_forged_transmits = parameter(config, "network.distributed_forged_transmits", 0.0) != 0.0;
  p.trace_kbps_to_mbps = parameter(config, "network.trace_kbps_to_mbps", p.trace_kbps_to_mbps);
  return p;
}

std::string uplink_entity(std::string_view host, std::string_view nic) { return fmt::format("nic/{}/{}", host, nic); }

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

  Impl(const ScenarioConfig& c, sim::Simulator& s, sim::MetricsRegistry* m, trace::TraceCache* t, SeriesKept k)
      : config(c), sim(s), metrics(m), traces(t), params(NetworkParameters::from(c)), kept(k) {
    window_start = c.warmup > sim::Time::zero() && c.warmup < c.duration ? c.warmup.seconds() : 0.0;
    build_switches();
    build_topology();
    build_vms();
    for (std::size_t team = 0; team < teams.size(); ++team) evaluate_team(team, "initial");
    if (has_lbt) schedule_lbt();
  }

  // ---- construction -------------------------------------------------------------------

  [[nodiscard]] IpHashVariant ip_variant(std::size_t host) const {
    const auto& adv = config.hosts[host].advanced;
    const auto it = adv.find("Net.IpHashVariant");
    return it != adv.end() && it->second == 1.0 ? IpHashVariant::last_octet : IpHashVariant::full_xor;
  }

  static TeamingConfig effective(const TeamingConfig& base, const TeamingOverride& o) {
    TeamingConfig t = base;
    if (o.policy) t.policy = *o.policy;
    if (o.active) t.active = *o.active;
    if (o.standby) t.standby = *o.standby;
    if (o.detection) t.detection = *o.detection;
    if (o.failback) t.failback = *o.failback;
    if (o.notify_switches) t.notify_switches = *o.notify_switches;
    return t;
  }

  void build_switches() {
    const NetworkConfig& net = config.network;
    instance_of.assign(net.vswitches.size(), std::vector<std::size_t>(config.hosts.size(), none));
    pgs_of.assign(net.vswitches.size(), {});
    vds_next_port.assign(net.vswitches.size(), 0);
    for (std::size_t p = 0; p < net.port_groups.size(); ++p) {
      const int sw = net.port_groups[p].vswitch_id;
      if (sw >= 0) pgs_of[static_cast<std::size_t>(sw)].push_back(p);
    }
    for (std::size_t s = 0; s < net.vswitches.size(); ++s) {
      const VSwitchConfig& sw = net.vswitches[s];
      for (const int h : sw.host_ids) {
        if (h < 0) continue;
        const auto host = static_cast<std::size_t>(h);
        Instance inst{s, host, {}, 0};
        for (const std::string& nic : sw.uplinks) {
          const auto& nics = config.hosts[host].nics;
          const auto it = std::find_if(nics.begin(), nics.end(), [&](const NicConfig& n) { return n.name == nic; });
          Uplink u;
          u.host = host;
          u.nic = nic;
          u.vswitch = sw.name;
          u.speed = it != nics.end() ? it->speed_mbps : 0.0;
          uplink_of.emplace(std::make_pair(host, nic), uplinks.size());
          inst.uplinks.push_back(uplinks.size());
          uplinks.push_back(std::move(u));
        }
        instance_of[s][host] = instances.size();
        instances.push_back(std::move(inst));
      }
    }
    team_of.assign(instances.size(), {});
    ports_of_instance.assign(instances.size(), {});
    for (std::size_t i = 0; i < instances.size(); ++i) {
      const Instance& inst = instances[i];
      const VSwitchConfig& sw = net.vswitches[inst.vswitch];
      for (const std::size_t p : pgs_of[inst.vswitch]) {
        Team t;
        t.instance = i;
        t.pg = p;
        t.cfg = effective(sw.teaming, net.port_groups[p].teaming);
        if (t.cfg.active.empty() && !net.port_groups[p].teaming.active) t.cfg.active = sw.uplinks;
        std::vector<int> active, standby;
        const auto local = [&](const std::string& name) {
          const auto it = std::find(sw.uplinks.begin(), sw.uplinks.end(), name);
          return it == sw.uplinks.end() ? -1 : static_cast<int>(it - sw.uplinks.begin());
        };
        for (const auto& n : t.cfg.active) {
          if (const int l = local(n); l >= 0) active.push_back(l);
        }
        for (const auto& n : t.cfg.standby) {
          if (const int l = local(n); l >= 0) standby.push_back(l);
        }
        for (const int l : active) t.members.push_back(inst.uplinks[static_cast<std::size_t>(l)]);
        for (const int l : standby) t.members.push_back(inst.uplinks[static_cast<std::size_t>(l)]);
        t.state = TeamState(active, standby, t.cfg.failback);
        has_lbt = has_lbt || t.cfg.policy == TeamingPolicy::load_based;
        team_of[i].push_back(teams.size());
        teams.push_back(std::move(t));
      }
    }
    for (Uplink& u : uplinks) {
      if (metrics == nullptr) continue;
      const std::string e = uplink_entity(config.hosts[u.host].name, u.nic);
      u.g_tx = metrics->gauge(e, gauge::tx_mbps, kept.hosts);
      u.g_rx = metrics->gauge(e, gauge::rx_mbps, kept.hosts);
      u.g_util = metrics->gauge(e, gauge::util, kept.hosts);
      u.g_up = metrics->gauge(e, gauge::up, kept.hosts);
    }
    if (metrics != nullptr) {
      for (const HostConfig& h : config.hosts) {
        const std::string e = metric::host_entity(h.name);
        host_tx.push_back(metrics->gauge(e, gauge::tx_mbps, kept.hosts));
        host_rx.push_back(metrics->gauge(e, gauge::rx_mbps, kept.hosts));
        host_util.push_back(metrics->gauge(e, gauge::uplink_util_max, kept.hosts));
      }
    }
  }

  Topology::Node nic_node(std::size_t host, const std::string& nic) {
    const std::string name = config.hosts[host].name + "/" + nic;
    const auto it = nodes_by_name.find(name);
    if (it != nodes_by_name.end()) return it->second;
    const Topology::Node n = topo.add_node(name, NodeKind::nic);
    nodes_by_name.emplace(name, n);
    return n;
  }

  void build_topology() {
    const NetworkConfig& net = config.network;
    for (Uplink& u : uplinks) u.node = nic_node(u.host, u.nic);
    endpoint_node.assign(net.physical.endpoints.size(), none);
    if (!net.has_physical) {
      // Without a topology every uplink reaches every other directly: one fabric that
      // never limits, each uplink's link at its NIC's speed.
      const Topology::Node fabric = topo.add_node("(physical network)", NodeKind::switch_);
      for (Uplink& u : uplinks) u.link = topo.add_link(u.node, fabric, u.speed);
      return;
    }
    for (const PhysicalNodeConfig& n : net.physical.nodes) {
      nodes_by_name.emplace(n.name, topo.add_node(n.name, n.kind == PhysicalNodeKind::router ? NodeKind::router
                                                                                            : NodeKind::switch_));
    }
    const auto end = [&](const std::string& name, double& speed) -> std::optional<Topology::Node> {
      if (const auto it = nodes_by_name.find(name); it != nodes_by_name.end()) {
        if (topo.kind(it->second) == NodeKind::nic) speed = speed > 0.0 ? speed : nic_speed(name);
        return it->second;
      }
      const auto slash = name.find('/');
      if (slash == std::string::npos) return std::nullopt;
      for (std::size_t h = 0; h < config.hosts.size(); ++h) {
        if (config.hosts[h].name != name.substr(0, slash)) continue;
        speed = speed > 0.0 ? speed : nic_speed(name);
        return nic_node(h, name.substr(slash + 1));
      }
      return std::nullopt;
    };
    for (const PhysicalLinkConfig& l : net.physical.links) {
      double speed = l.speed_mbps;
      const auto a = end(l.from, speed);
      const auto b = end(l.to, speed);
      if (a && b) topo.add_link(*a, *b, speed);
    }
    for (std::size_t e = 0; e < net.physical.endpoints.size(); ++e) {
      const EndpointConfig& ep = net.physical.endpoints[e];
      if (ep.attach.empty()) continue;
      const auto it = nodes_by_name.find(ep.attach);
      if (it == nodes_by_name.end()) continue;
      const Topology::Node n = topo.add_node(ep.name, NodeKind::endpoint);
      topo.add_link(n, it->second, std::numeric_limits<double>::infinity());
      endpoint_node[e] = n;
    }
    for (Uplink& u : uplinks) {
      const auto links = topo.links_of(u.node);
      if (!links.empty()) u.link = links.front();
    }
  }

  [[nodiscard]] double nic_speed(const std::string& host_nic) const {
    const auto slash = host_nic.find('/');
    for (const HostConfig& h : config.hosts) {
      if (h.name != host_nic.substr(0, slash)) continue;
      for (const NicConfig& n : h.nics) {
        if (n.name == host_nic.substr(slash + 1)) return n.speed_mbps;
      }
    }
    return 0.0;
  }

  void build_vms() {
    vms.resize(config.vms.size());
    for (std::size_t v = 0; v < config.vms.size(); ++v) {
      const VmConfig& vc = config.vms[v];
      VmNet& vm = vms[v];
      for (const VnicConfig& nic : vc.nics) {
        if (nic.ip) vm_of_ip.emplace(*nic.ip, v);
      }
      for (std::size_t n = 0; n < vc.nics.size(); ++n) {
        Port p;
        p.vm = v;
        p.nic = n;
        vm.ports.push_back(ports.size());
        ports.push_back(p);
      }
      for (std::size_t f = 0; f < vc.flows.size(); ++f) {
        Flow fl;
        fl.vm = v;
        fl.index = f;
        fl.cfg = &vc.flows[f];
        fl.rng = std::make_unique<sim::RngStream>(config.seed, fmt::format("network.flow/{}/{}", vc.name, f));
        if (fl.cfg->rate.kind == FlowRateKind::trace && traces != nullptr) {
          TraceCpu spec;
          spec.format = TraceFormat::bitbrains;
          spec.file = fl.cfg->rate.file;
          spec.column = fl.cfg->rate.column;
          const auto& series = traces->get(spec);
          fl.cursor.emplace(series, sim::Time::zero(), fl.cfg->rate.scale * params.trace_kbps_to_mbps, TraceEnd::loop);
        }
        vm.flows.push_back(flows.size());
        flows.push_back(std::move(fl));
      }
      if (metrics != nullptr && !vc.nics.empty()) {
        const std::string e = metric::vm_entity(vc.name);
        vm.g_tx = metrics->gauge(e, gauge::tx_mbps, kept.vms);
        vm.g_rx = metrics->gauge(e, gauge::rx_mbps, kept.vms);
        vm.g_demand = metrics->gauge(e, gauge::demand_mbps);
        vm.g_dropped = metrics->gauge(e, gauge::dropped_mbps);
        vm.g_ratio = metrics->gauge(e, gauge::dropped, kept.vms);
        vm.g_rx_ratio = metrics->gauge(e, gauge::rx_dropped, kept.vms);
      }
    }
  }

  // ---- teams and failure detection ----------------------------------------------------

  /// The uplink has carrier: its link is up and both ends are up (a failed switch takes
  /// the link of every NIC plugged into it down with it).
  [[nodiscard]] bool carrier(const Uplink& u) const {
    if (u.link == none) return false;
    const Topology::Node other = topo.other_end(u.link, u.node);
    return topo.link_up(u.link) && topo.node_up(u.node) && topo.node_up(other);
  }

  /// Beacons sent by `a` reach `b` (reference A.6: every second, on every team NIC).
  [[nodiscard]] bool hears(const Uplink& a, const Uplink& b) const { return topo.path(a.node, b.node, false).has_value(); }

  void evaluate_team(std::size_t t, std::string_view why) {
    Team& team = teams[t];
    const Instance& inst = instances[team.instance];
    std::vector<std::uint8_t> usable(inst.uplinks.size(), 0);
    bool ambiguous = false;
    std::vector<std::size_t> with_carrier;
    for (std::size_t l = 0; l < inst.uplinks.size(); ++l) {
      const bool c = carrier(uplinks[inst.uplinks[l]]);
      usable[l] = c ? 1 : 0;
      if (c && std::find(team.members.begin(), team.members.end(), inst.uplinks[l]) != team.members.end()) {
        with_carrier.push_back(l);
      }
    }
    if (team.cfg.detection == FailureDetection::beacon && with_carrier.size() >= 2) {
      std::vector<std::uint8_t> heard(inst.uplinks.size(), 0);
      bool any = false;
      for (const std::size_t a : with_carrier) {
        for (const std::size_t b : with_carrier) {
          if (a != b && hears(uplinks[inst.uplinks[a]], uplinks[inst.uplinks[b]])) {
            heard[a] = 1;
            any = true;
            break;
          }
        }
      }
      if (any) {
        for (const std::size_t l : with_carrier) usable[l] = heard[l];
      } else {
        // No uplink hears another: with two the team cannot tell which path broke (with
        // more, all of them did); it sends on all (reference A.6, "shotgun").
        ambiguous = true;
      }
    }
    team.state.update(usable);
    std::vector<std::size_t> in_use;
    if (ambiguous) {
      for (const std::size_t l : with_carrier) in_use.push_back(inst.uplinks[l]);
    } else {
      for (const int l : team.state.in_use()) in_use.push_back(inst.uplinks[static_cast<std::size_t>(l)]);
    }
    if (in_use == team.in_use && ambiguous == team.ambiguous && why != "initial") return;
    const bool changed = in_use != team.in_use || ambiguous != team.ambiguous;
    team.in_use = std::move(in_use);
    team.ambiguous = ambiguous;
    if (!changed && why != "initial") return;
    EventRow row;
    row.at = sim.now().seconds();
    row.host = config.hosts[inst.host].name;
    row.vswitch = config.network.vswitches[inst.vswitch].name;
    row.port_group = config.network.port_groups[team.pg].name;
    row.what = ambiguous ? fmt::format("{}: no uplink hears another's beacons; sending on all", why) : std::string(why);
    for (const std::size_t u : team.in_use) row.in_use.push_back(uplinks[u].nic);
    if (why != "initial") events.push_back(std::move(row));
    mark_dirty();
  }

  /// After a change of the physical network: link-status teams see it at once; beacon
  /// teams after `beacon_detect_s` (missed beacons), then on their own.
  void physical_changed(const std::string& what) {
    for (std::size_t t = 0; t < teams.size(); ++t) {
      if (teams[t].cfg.detection == FailureDetection::link_status) evaluate_team(t, what);
    }
    const bool beacon = std::any_of(teams.begin(), teams.end(), [](const Team& t) { return t.cfg.detection == FailureDetection::beacon; });
    if (beacon) {
      sim.after(sim::Time::from_seconds(params.beacon_detect_s), [this, what] {
        for (std::size_t t = 0; t < teams.size(); ++t) {
          if (teams[t].cfg.detection == FailureDetection::beacon) evaluate_team(t, what + " (beacon probing)");
        }
      });
    }
    mark_dirty();
  }

  // ---- ports --------------------------------------------------------------------------

  void connect(std::size_t v, std::size_t host) {
    VmNet& vm = vms[v];
    vm.host = host;
    const VmConfig& vc = config.vms[v];
    for (std::size_t n = 0; n < vm.ports.size(); ++n) {
      Port& p = ports[vm.ports[n]];
      const VnicConfig& nic = vc.nics[n];
      p.instance = none;
      p.team = none;
      if (nic.port_group_id < 0) continue;
      const PortGroupConfig& pg = config.network.port_groups[static_cast<std::size_t>(nic.port_group_id)];
      if (pg.vswitch_id < 0) continue;
      const auto sw = static_cast<std::size_t>(pg.vswitch_id);
      const std::size_t inst = instance_of[sw][host];
      if (inst == none) continue;  // the vSwitch is not on this host: the port stays unconnected
      p.instance = inst;
      ports_of_instance[inst].push_back(vm.ports[n]);
      const auto& pgs = pgs_of[sw];
      p.team = team_of[inst][static_cast<std::size_t>(std::find(pgs.begin(), pgs.end(), static_cast<std::size_t>(nic.port_group_id)) - pgs.begin())];
      const VSwitchConfig& vsw = config.network.vswitches[sw];
      if (vsw.kind == SwitchKind::distributed) {
        // A distributed port keeps its number wherever the VM runs.
        if (vds_port.size() <= vm.ports[n]) vds_port.resize(ports.size());
        if (vds_port[vm.ports[n]].empty()) vds_port[vm.ports[n]].push_back(vds_next_port[sw]++);
        p.port_id = vds_port[vm.ports[n]].front();
      } else {
        p.port_id = instances[inst].next_port++;
      }
      p.vlan = pg.vlan == 4095 || !pg.trunk.empty() ? nic.guest_vlan : pg.vlan;
      p.lbt_uplink = none;
      p.uplink = none;
      if (pg.shaping && p.tx_shaper == none) {
        p.tx_shaper = add_shaper(*pg.shaping);
        if (vsw.kind == SwitchKind::distributed) p.rx_shaper = add_shaper(*pg.shaping);
      }
      if (teams[p.team].cfg.notify_switches) ++notifications;  // on connect (reference A.6)
    }
    for (const std::size_t f : vm.flows) start_flow(f);
    mark_dirty();
  }

  std::size_t add_shaper(const ShapingConfig& s) {
    Shaper sh;
    sh.average = s.average_mbps;
    sh.peak = std::max(s.peak_mbps, s.average_mbps);
    sh.burst = s.burst_mib * mbit_per_mib;
    sh.tokens = sh.burst;
    sh.updated = sim.now().seconds();
    shapers.push_back(sh);
    return shapers.size() - 1;
  }

  void disconnect(std::size_t v) {
    VmNet& vm = vms[v];
    for (const std::size_t p : vm.ports) {
      if (ports[p].instance != none) {
        auto& list = ports_of_instance[ports[p].instance];
        list.erase(std::find(list.begin(), list.end(), p));
      }
      ports[p].instance = none;
      ports[p].team = none;
    }
    for (const std::size_t f : vm.flows) {
      Flow& fl = flows[f];
      ++fl.generation;
      fl.demand = 0.0;
      fl.on = false;
    }
    mark_dirty();
  }

  /// The uplinks `p`'s team sends a frame to `dst_ip` by: one, several while beacon
  /// probing cannot tell (shotgun), none when no uplink is usable.
  std::vector<std::size_t> select(Port& p, std::uint32_t dst_ip) {
    const Team& team = teams[p.team];
    if (team.in_use.empty()) return {};
    if (team.ambiguous) return team.in_use;
    const VnicConfig& nic = config.vms[p.vm].nics[p.nic];
    if (team.cfg.policy == TeamingPolicy::load_based && p.lbt_uplink != none &&
        std::find(team.in_use.begin(), team.in_use.end(), p.lbt_uplink) != team.in_use.end()) {
      return {p.lbt_uplink};
    }
    const FrameKey key{p.port_id, nic.mac, nic.ip.value_or(0), dst_ip};
    const std::size_t i = select_index(team.cfg.policy, key, team.in_use.size(), ip_variant(instances[p.instance].host));
    const std::size_t u = team.in_use[i];
    if (team.cfg.policy == TeamingPolicy::load_based) p.lbt_uplink = u;
    return {u};
  }

  [[nodiscard]] bool security(const Port& p, bool mac_changes) const {
    const PortGroupConfig& pg = config.network.port_groups[teams[p.team].pg];
    const bool distributed = config.network.vswitches[instances[p.instance].vswitch].kind == SwitchKind::distributed;
    if (mac_changes) return pg.security.mac_changes.value_or(distributed ? params.distributed_mac_changes : params.standard_mac_changes);
    return pg.security.forged_transmits.value_or(distributed ? params.distributed_forged_transmits
                                                             : params.standard_forged_transmits);
  }
  [[nodiscard]] bool promiscuous(const Port& p) const {
    return config.network.port_groups[teams[p.team].pg].security.promiscuous.value_or(false);
  }
  [[nodiscard]] bool mac_changed(const Port& p) const {
    const VnicConfig& nic = config.vms[p.vm].nics[p.nic];
    return nic.effective_mac && *nic.effective_mac != nic.mac;
  }

  // ---- flows: demand ------------------------------------------------------------------

  void start_flow(std::size_t f) {
    Flow& fl = flows[f];
    ++fl.generation;
    const FlowRate& r = fl.cfg->rate;
    switch (r.kind) {
      case FlowRateKind::constant: fl.demand = r.mbps; break;
      case FlowRateKind::on_off:
        fl.on = true;
        fl.demand = r.mbps;
        schedule_toggle(f);
        break;
      case FlowRateKind::diurnal:
        fl.demand = diurnal(r, sim.now());
        schedule_step(f);
        break;
      case FlowRateKind::trace:
        fl.demand = fl.cursor ? std::max(0.0, fl.cursor->value_at(sim.now())) : 0.0;
        schedule_step(f);
        break;
    }
  }

  static double diurnal(const FlowRate& r, sim::Time t) {
    constexpr double day = 86400.0;
    return std::max(0.0, r.mbps + r.amplitude * std::cos(2.0 * std::numbers::pi * (t.seconds() - r.peak.seconds()) / day));
  }

  void schedule_toggle(std::size_t f) {
    Flow& fl = flows[f];
    const FlowRate& r = fl.cfg->rate;
    const double mean = (fl.on ? r.on : r.off).seconds();
    const double hold = mean > 0.0 ? fl.rng->exponential(mean) : 0.0;
    const std::uint64_t gen = fl.generation;
    const sim::Time at = sim.now() + sim::Time::from_seconds(std::max(hold, 1e-6));
    if (at > config.duration) return;
    sim.at(at, [this, f, gen] {
      Flow& x = flows[f];
      if (x.generation != gen) return;
      x.on = !x.on;
      x.demand = x.on ? x.cfg->rate.mbps : 0.0;
      mark_dirty(false);
      schedule_toggle(f);
    });
  }

  void schedule_step(std::size_t f) {
    Flow& fl = flows[f];
    const FlowRate& r = fl.cfg->rate;
    sim::Time next;
    if (r.kind == FlowRateKind::diurnal) {
      const std::int64_t step = std::max<std::int64_t>(1, r.step.ns());
      next = sim::Time::from_ns((sim.now().ns() / step + 1) * step);
    } else {
      if (!fl.cursor) return;
      next = fl.cursor->next_change(sim.now());
    }
    if (next > config.duration) return;
    const std::uint64_t gen = fl.generation;
    sim.at(next, [this, f, gen] {
      Flow& x = flows[f];
      if (x.generation != gen) return;
      const FlowRate& rate = x.cfg->rate;
      x.demand = rate.kind == FlowRateKind::diurnal ? diurnal(rate, sim.now())
                                                    : std::max(0.0, x.cursor->value_at(sim.now()));
      mark_dirty(false);
      schedule_step(f);
    });
  }

  // ---- routing ------------------------------------------------------------------------

  [[nodiscard]] std::optional<std::size_t> vm_by_ip(std::uint32_t ip) const {
    const auto it = vm_of_ip.find(ip);
    return it == vm_of_ip.end() ? std::nullopt : std::optional<std::size_t>(it->second);
  }

  /// The path of a frame from the uplinks `from` to the NIC node or endpoint `to`; the
  /// first uplink with a path wins (shotgun: the frame also leaves by the others, whose
  /// first hop it uses). Sets `cause` when none has one.
  bool physical_route(Flow& fl, const Team& team, const std::vector<std::size_t>& from, std::optional<Topology::Node> to,
                      bool via_router, std::string_view where) {
    bool found = false;
    for (const std::size_t u : from) {
      const Uplink& up = uplinks[u];
      if (up.link == none) continue;
      const Topology::Hop out = topo.hop_from(up.link, up.node);
      std::optional<std::vector<Topology::Hop>> p;
      if (to) {
        p = topo.path(up.node, *to, via_router);
      } else if (topo.passes(up.link)) {
        p = std::vector<Topology::Hop>{out};  // an address outside, or an endpoint with no attach point
      }
      if (p && !found) {
        found = true;
        fl.hops.insert(fl.hops.end(), p->begin(), p->end());
      } else {
        fl.hops.push_back(out);  // sent and lost upstream
      }
    }
    if (!found) {
      const Uplink& first = uplinks[from.front()];
      if (first.link != none && topo.blackholed(first.link)) {
        fl.cause = fmt::format("the path behind {}/{} is broken and the team still uses it ({})",
                               config.hosts[first.host].name, first.nic,
                               team.cfg.detection == FailureDetection::link_status
                                   ? "link status detection cannot see a fault beyond the first switch"
                                   : "beacon probing has not noticed yet");
      } else if (via_router) {
        fl.cause = fmt::format("no route to {} through a router (its VLAN differs)", where);
      } else {
        fl.cause = fmt::format("no path from {}/{} to {}", config.hosts[first.host].name, first.nic, where);
      }
    }
    return found;
  }

  void route(std::size_t f) {
    Flow& fl = flows[f];
    fl.routed = false;
    fl.delivered = false;
    fl.cause.clear();
    fl.hops.clear();
    fl.shapers.clear();
    fl.uplinks.clear();
    fl.receivers.clear();
    fl.outside.clear();
    if (fl.transfer) return route_transfer(fl);
    const VmNet& vm = vms[fl.vm];
    if (!vm.host || fl.cfg->nic < 0 || static_cast<std::size_t>(fl.cfg->nic) >= vm.ports.size()) return;
    Port& src = ports[vm.ports[static_cast<std::size_t>(fl.cfg->nic)]];
    fl.routed = true;
    if (src.instance == none) {
      fl.cause = "its NIC's port group is not on a vSwitch of its host";
      return;
    }
    if (src.tx_shaper != none) fl.shapers.push_back(src.tx_shaper);
    if (mac_changed(src) && !security(src, false)) {
      fl.cause = fmt::format("forged transmits rejected on port group {} (the guest's MAC differs from the .vmx MAC)",
                             config.network.port_groups[teams[src.team].pg].name);
      return;
    }
    const FlowConfig& cfg = *fl.cfg;
    std::optional<std::size_t> dst_vm;
    if (cfg.kind == FlowTargetKind::vm && cfg.target_id >= 0) dst_vm = static_cast<std::size_t>(cfg.target_id);
    if (cfg.kind == FlowTargetKind::address) {
      dst_vm = vm_by_ip(cfg.address);
      if (!dst_vm) {
        for (std::size_t e = 0; e < config.network.physical.endpoints.size(); ++e) {
          if (config.network.physical.endpoints[e].ip == cfg.address) return route_endpoint(fl, src, e);
        }
        // An unknown destination leaves by the team's uplink (no flooding to other vNICs).
        fl.uplinks = select(src, cfg.address);
        if (fl.uplinks.empty()) return no_uplink(fl, src);
        if (physical_route(fl, teams[src.team], fl.uplinks, std::nullopt, false, ip_text(cfg.address))) {
          fl.delivered = true;
          fl.outside = ip_text(cfg.address) + " (outside)";
        }
        return;
      }
    }
    if (cfg.kind == FlowTargetKind::endpoint && cfg.target_id >= 0) return route_endpoint(fl, src, static_cast<std::size_t>(cfg.target_id));
    if (cfg.kind == FlowTargetKind::broadcast) return route_broadcast(fl, src);
    if (!dst_vm) {
      fl.cause = "unknown destination";
      return;
    }
    const VmNet& dvm = vms[*dst_vm];
    if (!dvm.host || dvm.ports.empty()) {
      fl.cause = fmt::format("{} is powered off", config.vms[*dst_vm].name);
      return;
    }
    std::size_t dport = dvm.ports.front();
    if (cfg.kind == FlowTargetKind::address) {
      for (const std::size_t p : dvm.ports) {
        const auto& ip = config.vms[*dst_vm].nics[ports[p].nic].ip;
        if (ip && *ip == cfg.address) dport = p;
      }
    }
    Port& dst = ports[dport];
    if (dst.instance == none) {
      fl.cause = fmt::format("{}'s port group is not on a vSwitch of its host", config.vms[*dst_vm].name);
      return;
    }
    const std::string dname = config.vms[*dst_vm].name;
    const bool same_vlan = src.vlan == dst.vlan;
    if (src.instance == dst.instance && same_vlan) {
      // One vSwitch, one VLAN: the frame stays on the host.
      deliver_local(fl, src, dst);
      return;
    }
    const std::uint32_t dst_ip = config.vms[*dst_vm].nics[dst.nic].ip.value_or(0);
    fl.uplinks = select(src, dst_ip);
    if (fl.uplinks.empty()) return no_uplink(fl, src);
    if (!same_vlan && !config.network.has_physical) {
      fl.cause = fmt::format("VLAN {} and VLAN {} meet only through a router, and there is no physical network",
                             src.vlan, dst.vlan);
      fl.hops.push_back(topo.hop_from(uplinks[fl.uplinks.front()].link, uplinks[fl.uplinks.front()].node));
      return;
    }
    // The reverse teaming filter: the frame is taken in only on the uplink the
    // destination's team picks for its port.
    const std::uint32_t src_ip = config.vms[fl.vm].nics[src.nic].ip.value_or(0);
    const auto in = select(dst, src_ip);
    if (in.empty()) {
      fl.cause = fmt::format("{} has no usable uplink on its host", dname);
      return;
    }
    if (!physical_route(fl, teams[src.team], fl.uplinks, uplinks[in.front()].node, !same_vlan, dname)) return;
    finish_unicast(fl, src, dst, dname);
  }

  /// The uplink a host's own traffic (vMotion, resync) leaves and enters by: the first in
  /// use of the first port group's team on the host's first vSwitch (the scenario has no
  /// VMkernel ports yet). None when the host has no vSwitch or no uplink in use.
  [[nodiscard]] std::optional<std::pair<std::size_t, std::size_t>> host_uplink(std::size_t host) const {
    for (std::size_t sw = 0; sw < instance_of.size(); ++sw) {
      const std::size_t inst = instance_of[sw][host];
      if (inst == none || team_of[inst].empty()) continue;
      const Team& t = teams[team_of[inst].front()];
      if (t.in_use.empty()) return std::nullopt;
      return std::make_pair(team_of[inst].front(), t.in_use.front());
    }
    return std::nullopt;
  }

  void route_transfer(Flow& fl) {
    if (fl.remaining_mbit <= 0.0) return;
    fl.routed = true;
    const auto src = host_uplink(fl.from_host);
    const auto dst = host_uplink(fl.to_host);
    if (!src || !dst) {
      fl.cause = fmt::format("no usable uplink on {}", config.hosts[(src ? fl.to_host : fl.from_host)].name);
      return;
    }
    fl.uplinks = {src->second};
    if (physical_route(fl, teams[src->first], fl.uplinks, uplinks[dst->second].node, false, config.hosts[fl.to_host].name)) {
      fl.delivered = true;
    }
  }

  std::uint64_t start_transfer(std::string_view kind, std::string label, std::size_t from, std::size_t to, double mib) {
    TransferRow row;
    row.id = transfers.size() + 1;
    row.kind = std::string(kind);
    row.label = std::move(label);
    row.from = config.hosts[from].name;
    row.to = config.hosts[to].name;
    row.mib = mib;
    row.started = sim.now().seconds();
    FlowConfig& cfg = transfer_configs.emplace_back();
    cfg.to = row.to;
    Flow fl;
    fl.cfg = &cfg;
    fl.transfer = true;
    fl.from_host = from;
    fl.to_host = to;
    fl.remaining_mbit = mib * mbit_per_mib;
    // As fast as the network lets it: every link on its path is its limit.
    fl.demand = fl.remaining_mbit > 0.0 ? std::numeric_limits<double>::infinity() : 0.0;
    row.flow = flows.size();
    flows.push_back(std::move(fl));
    transfers.push_back(std::move(row));
    if (flows.back().remaining_mbit <= 0.0) finish_transfer(transfers.size() - 1);
    mark_dirty();
    return transfers.back().id;
  }

  void finish_transfer(std::size_t t) {
    TransferRow& row = transfers[t];
    Flow& fl = flows[row.flow];
    ++fl.generation;
    fl.remaining_mbit = 0.0;
    fl.demand = 0.0;
    fl.routed = false;
    fl.rate = 0.0;
    row.finished = sim.now().seconds();
    if (on_transfer_done) on_transfer_done(row);
    mark_dirty(false);
  }

  /// After a share: when each moving transfer ends at its new rate.
  void schedule_transfers() {
    for (std::size_t t = 0; t < transfers.size(); ++t) {
      Flow& fl = flows[transfers[t].flow];
      if (!fl.transfer || fl.remaining_mbit <= 0.0) continue;
      ++fl.generation;
      if (!fl.delivered) {
        transfers[t].cause = fl.cause;
        continue;
      }
      transfers[t].cause.clear();
      if (fl.rate <= 0.0) continue;
      const std::uint64_t gen = fl.generation;
      const sim::Time at = sim.now() + sim::Time::from_seconds(fl.remaining_mbit / fl.rate);
      if (at > config.duration) continue;
      sim.at(at, [this, t, gen] {
        if (flows[transfers[t].flow].generation != gen) return;
        // Whatever is left is rounding: the transfer is done.
        accumulate(sim.now().seconds());
        finish_transfer(t);
      });
    }
  }

  void no_uplink(Flow& fl, const Port& src) {
    const Instance& inst = instances[src.instance];
    fl.cause = fmt::format("no usable uplink on {} of {}", config.network.vswitches[inst.vswitch].name,
                           config.hosts[inst.host].name);
  }

  void deliver_local(Flow& fl, const Port& src, const Port& dst) { finish_unicast(fl, src, dst, config.vms[dst.vm].name); }

  void finish_unicast(Flow& fl, const Port& src, const Port& dst, const std::string& dname) {
    if (mac_changed(dst) && !security(dst, true)) {
      fl.cause = fmt::format("MAC address changes rejected on port group {}: {}'s guest MAC differs, inbound frames dropped",
                             config.network.port_groups[teams[dst.team].pg].name, dname);
      return;
    }
    if (dst.rx_shaper != none) fl.shapers.push_back(dst.rx_shaper);
    fl.delivered = true;
    fl.receivers.push_back(dst.vm);
    // A promiscuous port of the destination's vSwitch and VLAN sees the frame too.
    add_promiscuous(fl, src, dst);
  }

  void add_promiscuous(Flow& fl, const Port& src, const Port& dst) {
    for (const std::size_t p : vms_on_instance(dst.instance)) {
      const Port& q = ports[p];
      if (&q == &src || &q == &dst || q.vlan != dst.vlan || !promiscuous(q)) continue;
      fl.receivers.push_back(q.vm);
    }
  }

  [[nodiscard]] const std::vector<std::size_t>& vms_on_instance(std::size_t inst) const { return ports_of_instance[inst]; }

  void route_endpoint(Flow& fl, Port& src, std::size_t e) {
    const EndpointConfig& ep = config.network.physical.endpoints[e];
    fl.uplinks = select(src, ep.ip);
    if (fl.uplinks.empty()) return no_uplink(fl, src);
    std::optional<Topology::Node> to;
    if (endpoint_node[e] != none) to = endpoint_node[e];
    if (physical_route(fl, teams[src.team], fl.uplinks, to, false, ep.name)) {
      fl.delivered = true;
      fl.outside = ep.name;
    }
  }

  void route_broadcast(Flow& fl, Port& src) {
    // On the vSwitch: every other port of the VLAN.
    for (const std::size_t p : vms_on_instance(src.instance)) {
      if (p == vms[fl.vm].ports[static_cast<std::size_t>(fl.cfg->nic)] || ports[p].vlan != src.vlan) continue;
      fl.receivers.push_back(ports[p].vm);
    }
    fl.uplinks = select(src, broadcast_ip);
    if (fl.uplinks.empty()) {
      fl.delivered = !fl.receivers.empty();
      if (!fl.delivered) no_uplink(fl, src);
      return;
    }
    // Out by the team's uplink into the physical broadcast domain: every NIC it floods to
    // receives a copy. A copy that comes back to this vSwitch on another uplink is dropped
    // (the reflection filter); on another vSwitch, each port takes it in only on the
    // uplink its team picks for it (the reverse filter), so every VM gets it once and no
    // vSwitch sends it out again (split horizon).
    const Uplink& out = uplinks[fl.uplinks.front()];
    if (out.link == none) return no_uplink(fl, src);
    const Topology::Flood flood = topo.flood(out.node);
    fl.hops.insert(fl.hops.end(), flood.hops.begin(), flood.hops.end());
    std::vector<std::uint8_t> reached(uplinks.size(), 0);
    for (const Topology::Node n : flood.nics) {
      for (std::size_t u = 0; u < uplinks.size(); ++u) {
        if (uplinks[u].node != n) continue;
        reached[u] = 1;
        if (std::find(instances[src.instance].uplinks.begin(), instances[src.instance].uplinks.end(), u) !=
            instances[src.instance].uplinks.end()) {
          ++reflections;
        }
      }
    }
    for (std::size_t p = 0; p < ports.size(); ++p) {
      Port& q = ports[p];
      if (q.instance == none || q.instance == src.instance || q.vlan != src.vlan) continue;
      const auto in = select(q, config.vms[fl.vm].nics[src.nic].ip.value_or(0));
      if (!in.empty() && reached[in.front()] != 0) fl.receivers.push_back(q.vm);
    }
    fl.delivered = !fl.receivers.empty() || !flood.nics.empty();
    if (!fl.delivered) fl.cause = "no other port in its broadcast domain";
  }

  // ---- solving ------------------------------------------------------------------------

  /// Something changed now: a solve runs at the end of the instant; `reroute` when routes
  /// may have changed too (not for a demand step or a shaper).
  void mark_dirty(bool reroute = true) {
    dirty = true;
    reroute_pending = reroute_pending || reroute;
    if (solve_pending) return;
    solve_pending = true;
    sim.at(sim.now(), [this] { solve(); }, end_of_step);
  }

  /// Adds what flowed from the last solve to now to the run's integrals.
  void accumulate(double now) {
    const double from = std::max(last_solve, window_start);
    const double to = std::min(now, window_end);
    const double dt = to - from;
    const double moved = now - last_solve;
    for (const TransferRow& t : transfers) {
      Flow& fl = flows[t.flow];
      if (fl.remaining_mbit > 0.0 && fl.delivered) fl.remaining_mbit = std::max(0.0, fl.remaining_mbit - fl.rate * moved);
    }
    if (dt > 0.0) {
      for (Flow& fl : flows) {
        if (!fl.routed || fl.transfer) continue;
        fl.active_s += dt;
        fl.demand_int += fl.demand * dt;
        if (fl.delivered) {
          fl.delivered_s += dt;
          fl.rate_int += fl.rate * dt;
        }
        for (const std::size_t u : fl.uplinks) fl.uplink_s[uplinks[u].nic] += dt;
      }
    }
    for (Shaper& s : shapers) {
      s.tokens = std::clamp(s.tokens + (s.average - s.rate) * (now - s.updated), 0.0, s.burst);
      s.updated = now;
    }
    last_solve = now;
  }

  void solve() {
    solve_pending = false;
    if (!dirty) return;
    dirty = false;
    const double now = sim.now().seconds();
    accumulate(now);
    if (reroute_pending) {
      reroute_pending = false;
      reflections = 0;
      for (std::size_t f = 0; f < flows.size(); ++f) route(f);
      count_moves();
    }
    share();
    schedule_transfers();
    // Shapers: when a bucket in use above the average runs dry.
    for (std::size_t s = 0; s < shapers.size(); ++s) {
      Shaper& sh = shapers[s];
      sh.rate = shaper_load[s];
      ++sh.generation;
      if (sh.rate > sh.average + 1e-9 && sh.tokens > 1e-12) {
        const std::uint64_t gen = sh.generation;
        const sim::Time at = sim.now() + sim::Time::from_seconds(sh.tokens / (sh.rate - sh.average));
        if (at <= config.duration) {
          sim.at(at, [this, s, gen] {
            if (shapers[s].generation != gen) return;
            mark_dirty(false);
          });
        }
      }
    }
    publish();
  }

  /// Shares the bandwidth: every directed link and shaper a flow crosses is a resource of
  /// a weighted max-min fair share (equal weights). A resource whose flows' demands fit
  /// in its capacity can never bind (a flow never gets more than its demand), so only the
  /// overloaded ones and the flows that cross them go to the solver; every other flow
  /// gets its demand. Then the load of every link direction and shaper, from the rates.
  void share() {
    const std::size_t hops = 2 * topo.links();
    hop_load.assign(hops, 0.0);
    shaper_load.assign(shapers.size(), 0.0);
    const auto carries = [](const Flow& fl) { return fl.routed && fl.demand > 0.0 && (fl.delivered || !fl.hops.empty()); };
    for (const Flow& fl : flows) {
      if (!carries(fl)) continue;
      for (const Topology::Hop h : fl.hops) hop_load[h] += fl.demand;
      for (const std::size_t sh : fl.shapers) shaper_load[sh] += fl.demand;
    }
    const auto over_hop = [&](Topology::Hop h) { return hop_load[h] > topo.speed(h / 2) * (1.0 + 1e-12); };
    const auto over_shaper = [&](std::size_t sh) { return shaper_load[sh] > shapers[sh].capacity() * (1.0 + 1e-12); };
    solver.clear();
    hop_resource.assign(hops, -1);
    std::vector<std::int64_t> shaper_resource(shapers.size(), -1);
    std::vector<std::int64_t> consumer(flows.size(), -1);
    for (std::size_t f = 0; f < flows.size(); ++f) {
      Flow& fl = flows[f];
      fl.rate = carries(fl) ? fl.demand : 0.0;
      if (!carries(fl)) continue;
      for (const Topology::Hop h : fl.hops) {
        if (!over_hop(h)) continue;
        if (consumer[f] < 0) consumer[f] = solver.add_consumer(1.0, fl.demand);
        if (hop_resource[h] < 0) hop_resource[h] = solver.add_resource(topo.speed(h / 2));
        solver.uses(static_cast<sim::FairShare::ConsumerId>(consumer[f]), static_cast<sim::FairShare::ResourceId>(hop_resource[h]));
      }
      for (const std::size_t sh : fl.shapers) {
        if (!over_shaper(sh)) continue;
        if (consumer[f] < 0) consumer[f] = solver.add_consumer(1.0, fl.demand);
        if (shaper_resource[sh] < 0) shaper_resource[sh] = solver.add_resource(shapers[sh].capacity());
        solver.uses(static_cast<sim::FairShare::ConsumerId>(consumer[f]), static_cast<sim::FairShare::ResourceId>(shaper_resource[sh]));
      }
    }
    if (solver.consumers() > 0) {
      solver.solve();
      hop_load.assign(hops, 0.0);
      shaper_load.assign(shapers.size(), 0.0);
      for (std::size_t f = 0; f < flows.size(); ++f) {
        Flow& fl = flows[f];
        if (consumer[f] >= 0) fl.rate = solver.allocation(static_cast<sim::FairShare::ConsumerId>(consumer[f]));
        if (fl.rate <= 0.0) continue;
        for (const Topology::Hop h : fl.hops) hop_load[h] += fl.rate;
        for (const std::size_t sh : fl.shapers) shaper_load[sh] += fl.rate;
      }
    }
  }

  void count_moves() {
    for (Port& p : ports) {
      if (p.team == none) continue;
      const Team& t = teams[p.team];
      if (t.in_use.empty()) continue;
      const auto u = select(p, 0);
      const std::size_t now = u.empty() ? none : u.front();
      if (p.uplink != none && now != p.uplink && t.cfg.notify_switches) ++notifications;
      p.uplink = now;
    }
  }

  void publish() {
    for (Uplink& u : uplinks) {
      u.tx = 0.0;
      u.rx = 0.0;
      if (u.link == none) continue;
      const auto out = topo.hop_from(u.link, u.node);
      u.tx = hop_load[out];
      u.rx = hop_load[out ^ 1u];
    }
    const double now_s = sim.now().seconds();
    for (Uplink& u : uplinks) {
      const double util = u.speed > 0.0 ? std::max(u.tx, u.rx) / u.speed : 0.0;
      const double threshold = params.lbt_threshold;
      if (u.speed > 0.0 && u.tx / u.speed >= threshold) {
        if (u.busy_since_tx < 0.0) u.busy_since_tx = now_s;
      } else {
        u.busy_since_tx = -1.0;
      }
      if (u.speed > 0.0 && u.rx / u.speed >= threshold) {
        if (u.busy_since_rx < 0.0) u.busy_since_rx = now_s;
      } else {
        u.busy_since_rx = -1.0;
      }
      if (metrics == nullptr) continue;
      metrics->set(u.g_tx, sim.now(), u.tx);
      metrics->set(u.g_rx, sim.now(), u.rx);
      metrics->set(u.g_util, sim.now(), util);
      metrics->set(u.g_up, sim.now(), u.link != none && carrier(u) && !topo.blackholed(u.link) ? 1.0 : 0.0);
    }
    if (metrics == nullptr) return;
    std::vector<double> htx(config.hosts.size(), 0.0), hrx(config.hosts.size(), 0.0), hutil(config.hosts.size(), 0.0);
    for (const Uplink& u : uplinks) {
      htx[u.host] += u.tx;
      hrx[u.host] += u.rx;
      if (u.speed > 0.0) hutil[u.host] = std::max(hutil[u.host], std::max(u.tx, u.rx) / u.speed);
    }
    for (std::size_t h = 0; h < config.hosts.size(); ++h) {
      metrics->set(host_tx[h], sim.now(), htx[h]);
      metrics->set(host_rx[h], sim.now(), hrx[h]);
      metrics->set(host_util[h], sim.now(), hutil[h]);
    }
    std::vector<double> tx(vms.size(), 0.0), rx(vms.size(), 0.0), demand(vms.size(), 0.0), dropped(vms.size(), 0.0);
    std::vector<double> rx_demand(vms.size(), 0.0), rx_dropped(vms.size(), 0.0);
    for (const Flow& fl : flows) {
      if (!fl.routed || fl.transfer) continue;
      demand[fl.vm] += fl.demand;
      // What a VM was sent: a unicast flow's demand counts at its destination.
      std::optional<std::size_t> to;
      if (fl.cfg->kind == FlowTargetKind::vm && fl.cfg->target_id >= 0) to = static_cast<std::size_t>(fl.cfg->target_id);
      if (fl.cfg->kind == FlowTargetKind::address) to = vm_by_ip(fl.cfg->address);
      if (to) rx_demand[*to] += fl.demand;
      if (!fl.delivered) {
        dropped[fl.vm] += fl.demand;
        if (to) rx_dropped[*to] += fl.demand;
        continue;
      }
      tx[fl.vm] += fl.rate;
      for (const std::size_t r : fl.receivers) rx[r] += fl.rate;
    }
    for (std::size_t v = 0; v < vms.size(); ++v) {
      if (config.vms[v].nics.empty()) continue;
      const VmNet& vm = vms[v];
      metrics->set(vm.g_tx, sim.now(), tx[v]);
      metrics->set(vm.g_rx, sim.now(), rx[v]);
      metrics->set(vm.g_demand, sim.now(), demand[v]);
      metrics->set(vm.g_dropped, sim.now(), dropped[v]);
      metrics->set(vm.g_ratio, sim.now(), demand[v] > 0.0 ? dropped[v] / demand[v] : 0.0);
      metrics->set(vm.g_rx_ratio, sim.now(), rx_demand[v] > 0.0 ? rx_dropped[v] / rx_demand[v] : 0.0);
    }
    for (Flow& fl : flows) {
      if (!fl.routed || fl.transfer) continue;
      if (fl.delivered) {
        for (const std::size_t r : fl.receivers) add_unique(fl.delivered_to, config.vms[r].name);
        if (!fl.outside.empty()) add_unique(fl.delivered_to, fl.outside);
      } else {
        fl.last_cause = fl.cause;
      }
    }
  }

  static void add_unique(std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
  }

  // ---- load-based teaming -------------------------------------------------------------

  void schedule_lbt() {
    const sim::Time at = sim.now() + sim::Time::from_seconds(params.lbt_interval_s);
    if (at > config.duration) return;
    sim.at(at, [this] {
      lbt_check();
      schedule_lbt();
    }, end_of_step + 1);
  }

  /// Every interval: an uplink of a load-based team busy at or above the threshold for a
  /// whole interval gives its busiest port to the least loaded uplink of the team, if that
  /// one has room for it below the threshold (reference A.5.4); RARP tells the switches.
  void lbt_check() {
    const double now = sim.now().seconds();
    const double window = params.lbt_interval_s - 1e-9;
    for (Team& t : teams) {
      if (t.cfg.policy != TeamingPolicy::load_based || t.in_use.size() < 2 || t.ambiguous) continue;
      for (const std::size_t u : t.in_use) {
        const Uplink& up = uplinks[u];
        const bool tx_busy = up.busy_since_tx >= 0.0 && now - up.busy_since_tx >= window;
        const bool rx_busy = up.busy_since_rx >= 0.0 && now - up.busy_since_rx >= window;
        if (!tx_busy && !rx_busy) continue;
        // The busiest port of this team on the uplink, in the busy direction.
        std::size_t best = none;
        double best_rate = 0.0;
        for (std::size_t p = 0; p < ports.size(); ++p) {
          const Port& q = ports[p];
          if (q.team == none || &teams[q.team] != &t || q.uplink != u) continue;
          const double r = port_rate(p, tx_busy);
          if (r > best_rate) {
            best_rate = r;
            best = p;
          }
        }
        if (best == none) continue;
        std::size_t target = none;
        double lowest = std::numeric_limits<double>::infinity();
        for (const std::size_t w : t.in_use) {
          if (w == u) continue;
          const double load = (tx_busy ? uplinks[w].tx : uplinks[w].rx) / std::max(uplinks[w].speed, 1e-9);
          if (load < lowest) {
            lowest = load;
            target = w;
          }
        }
        if (target == none) continue;
        const double after = (tx_busy ? uplinks[target].tx : uplinks[target].rx) + best_rate;
        if (after > params.lbt_threshold * uplinks[target].speed) continue;
        ports[best].lbt_uplink = target;
        EventRow row;
        row.at = now;
        row.host = config.hosts[instances[t.instance].host].name;
        row.vswitch = config.network.vswitches[instances[t.instance].vswitch].name;
        row.port_group = config.network.port_groups[t.pg].name;
        row.what = fmt::format("load-based teaming moved {} from {} to {} ({} at or above {:.0f}% for {:.0f} s)",
                               config.vms[ports[best].vm].name, up.nic, uplinks[target].nic, tx_busy ? "transmit" : "receive",
                               100.0 * params.lbt_threshold, params.lbt_interval_s);
        for (const std::size_t x : t.in_use) row.in_use.push_back(uplinks[x].nic);
        events.push_back(std::move(row));
        mark_dirty();
      }
    }
  }

  [[nodiscard]] double port_rate(std::size_t p, bool tx) const {
    double r = 0.0;
    for (const Flow& fl : flows) {
      if (!fl.delivered || fl.transfer) continue;
      const bool from = vms[fl.vm].ports.size() > static_cast<std::size_t>(fl.cfg->nic) &&
                        vms[fl.vm].ports[static_cast<std::size_t>(fl.cfg->nic)] == p;
      if (tx && from) r += fl.rate;
      if (!tx && std::find(fl.receivers.begin(), fl.receivers.end(), ports[p].vm) != fl.receivers.end()) r += fl.rate;
    }
    return r;
  }
};

NetworkModel::NetworkModel(const ScenarioConfig& config, sim::Simulator& sim, sim::MetricsRegistry* metrics,
                           trace::TraceCache* traces, SeriesKept series)
    : impl_(std::make_unique<Impl>(config, sim, metrics, traces, series)) {}

NetworkModel::~NetworkModel() = default;

void NetworkModel::power_on(std::size_t vm, std::size_t host) { impl_->connect(vm, host); }
void NetworkModel::power_off(std::size_t vm) {
  impl_->disconnect(vm);
  impl_->vms[vm].host.reset();
}

void NetworkModel::host_failed(std::size_t host) {
  for (auto& u : impl_->uplinks) {
    if (u.host == host) impl_->topo.set_node_up(u.node, false);
  }
  impl_->physical_changed(fmt::format("{} failed", impl_->config.hosts[host].name));
}

void NetworkModel::host_restored(std::size_t host) {
  for (auto& u : impl_->uplinks) {
    if (u.host == host) impl_->topo.set_node_up(u.node, true);
  }
  impl_->physical_changed(fmt::format("{} returned", impl_->config.hosts[host].name));
}

void NetworkModel::set_link(std::size_t host, std::string_view nic, bool up) {
  const auto it = impl_->uplink_of.find(std::make_pair(host, std::string(nic)));
  if (it == impl_->uplink_of.end()) return;
  const auto& u = impl_->uplinks[it->second];
  if (u.link != none) impl_->topo.set_link_up(u.link, up);
  impl_->physical_changed(fmt::format("{}/{} link {}", impl_->config.hosts[host].name, nic, up ? "up" : "down"));
}

void NetworkModel::set_upstream(std::size_t host, std::string_view nic, bool ok) {
  const auto it = impl_->uplink_of.find(std::make_pair(host, std::string(nic)));
  if (it == impl_->uplink_of.end()) return;
  const auto& u = impl_->uplinks[it->second];
  if (u.link != none) impl_->topo.set_blackholed(u.link, !ok);
  impl_->physical_changed(fmt::format("path behind {}/{} {}", impl_->config.hosts[host].name, nic, ok ? "restored" : "broken"));
}

void NetworkModel::set_switch(std::string_view name, bool up) {
  const auto it = impl_->nodes_by_name.find(std::string(name));
  if (it == impl_->nodes_by_name.end()) return;
  impl_->topo.set_node_up(it->second, up);
  impl_->physical_changed(fmt::format("{} {}", name, up ? "up" : "down"));
}

void NetworkModel::settle() {
  impl_->solve_pending = false;
  impl_->solve();
}

void NetworkModel::finish(sim::Time end) {
  impl_->window_end = end.seconds();
  impl_->accumulate(end.seconds());
}

std::uint64_t NetworkModel::notifications() const { return impl_->notifications; }
std::uint64_t NetworkModel::reflections_dropped() const { return impl_->reflections; }

NetworkModel::FlowState NetworkModel::flow(std::size_t vm, std::size_t index) const {
  FlowState s;
  const auto& fl = impl_->flows[impl_->vms[vm].flows.at(index)];
  s.active = fl.routed;
  s.delivered = fl.delivered;
  s.cause = fl.cause;
  for (const std::size_t u : fl.uplinks) s.uplinks.push_back(impl_->uplinks[u].nic);
  for (const std::size_t r : fl.receivers) s.delivered_to.push_back(impl_->config.vms[r].name);
  if (!fl.outside.empty()) s.delivered_to.push_back(fl.outside);
  s.demand_mbps = fl.demand;
  s.rate_mbps = fl.rate;
  return s;
}

double NetworkModel::uplink_tx(std::size_t host, std::string_view nic) const {
  const auto it = impl_->uplink_of.find(std::make_pair(host, std::string(nic)));
  return it == impl_->uplink_of.end() ? 0.0 : impl_->uplinks[it->second].tx;
}

double NetworkModel::uplink_rx(std::size_t host, std::string_view nic) const {
  const auto it = impl_->uplink_of.find(std::make_pair(host, std::string(nic)));
  return it == impl_->uplink_of.end() ? 0.0 : impl_->uplinks[it->second].rx;
}

std::vector<std::string> NetworkModel::team_in_use(std::size_t host, std::string_view port_group) const {
  for (const auto& t : impl_->teams) {
    if (impl_->instances[t.instance].host != host || impl_->config.network.port_groups[t.pg].name != port_group) continue;
    std::vector<std::string> out;
    for (const std::size_t u : t.in_use) out.push_back(impl_->uplinks[u].nic);
    return out;
  }
  return {};
}

ReportTable NetworkModel::uplinks_table(const TableSpec* spec) const {
  ReportTable t{spec, {}};
  for (const auto& u : impl_->uplinks) {
    t.add(impl_->config.hosts[u.host].name);
    t.add(u.nic);
    t.add(u.vswitch);
    t.add(u.speed);
    // The rates, utilisation and time up come from the published gauges (network_report.cpp).
    for (int i = 0; i < 5; ++i) t.add(0.0);
  }
  return t;
}

ReportTable NetworkModel::flows_table(const TableSpec* spec) const {
  ReportTable t{spec, {}};
  for (const auto& fl : impl_->flows) {
    if (fl.transfer) continue;
    const auto& vc = impl_->config.vms[fl.vm];
    t.add(vc.name);
    t.add(fl.cfg->kind == FlowTargetKind::broadcast ? std::string("broadcast")
          : fl.cfg->kind == FlowTargetKind::address  ? ip_text(fl.cfg->address)
                                                     : fl.cfg->to);
    t.add(fl.active_s > 0.0 ? fl.demand_int / fl.active_s : 0.0);
    t.add(fl.active_s > 0.0 ? fl.rate_int / fl.active_s : 0.0);
    const bool delivered = fl.active_s > 0.0 && fl.delivered_s >= fl.active_s - 1e-9;
    t.add(delivered);
    t.add(fl.active_s > 0.0 ? 100.0 * fl.delivered_s / fl.active_s : 0.0);
    if (fl.last_cause.empty()) t.add(std::monostate{});
    else t.add(fl.last_cause);
    std::string most;
    double most_s = -1.0;
    std::vector<std::pair<std::string, double>> times;
    for (const auto& [nic, s] : fl.uplink_s) {
      times.emplace_back(nic, s);
      if (s > most_s) {
        most_s = s;
        most = nic;
      }
    }
    if (most.empty()) t.add(std::monostate{});
    else t.add(most);
    t.add(times);
    t.add(fl.delivered_to);
  }
  return t;
}

ReportTable NetworkModel::transfers_table(const TableSpec* spec) const {
  ReportTable t{spec, {}};
  for (const auto& x : impl_->transfers) {
    t.add(x.kind);
    t.add(x.label);
    t.add(x.from);
    t.add(x.to);
    t.add(x.mib);
    t.add(x.started);
    if (x.finished) t.add(*x.finished);
    else t.add(std::monostate{});
    if (x.finished) t.add(*x.finished - x.started);
    else t.add(std::monostate{});
    const double seconds = x.finished ? *x.finished - x.started : 0.0;
    t.add(seconds > 0.0 ? x.mib * mbit_per_mib / seconds : 0.0);
    if (x.cause.empty()) t.add(std::monostate{});
    else t.add(x.cause);
  }
  return t;
}

std::uint64_t NetworkModel::start_transfer(std::string_view kind, std::string label, std::size_t from, std::size_t to,
                                           double mib) {
  return impl_->start_transfer(kind, std::move(label), from, to, mib);
}

void NetworkModel::on_transfer_done(std::function<void(std::uint64_t id, double seconds)> done) {
  impl_->on_transfer_done = [done = std::move(done)](const Impl::TransferRow& row) {
    done(row.id, row.finished.value_or(row.started) - row.started);
  };
}

std::optional<double> NetworkModel::transfer_seconds(std::uint64_t id) const {
  if (id == 0 || id > impl_->transfers.size()) return std::nullopt;
  const auto& row = impl_->transfers[id - 1];
  if (!row.finished) return std::nullopt;
  return *row.finished - row.started;
}

ReportTable NetworkModel::events_table(const TableSpec* spec) const {
  ReportTable t{spec, {}};
  for (const auto& e : impl_->events) {
    t.add(e.at);
    t.add(e.host);
    t.add(e.vswitch);
    t.add(e.port_group);
    t.add(e.what);
    t.add(e.in_use);
  }
  return t;
}

}  // namespace vdc::models::network
