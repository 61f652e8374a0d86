// The network model: models/network/network_model.hpp; the rules it follows are in
// docs/network.md, from reference section A.
#include "network_impl.hpp"

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

double parameter(const ScenarioConfig& c, std::string_view name, double fallback) {
  const auto it = c.parameters.find(std::string(name));
  return it == c.parameters.end() ? fallback : it->second;
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

// ---- construction ---------------------------------------------------------------------

NetworkModel::Impl::Impl(const ScenarioConfig& c, sim::Simulator& s, sim::MetricsRegistry* m, trace::TraceCache* t, SeriesKept k)
    : config(c), sim(s), metrics(m), traces(t), params(NetworkParameters::from(c)), kept(k) {
  window_start = c.warmup > sim::Time::zero() && c.warmup < c.duration ? c.warmup.seconds() : 0.0;
  build_switches();
  build_topology();
  build_vms();
  for (std::size_t team = 0; team < teams.size(); ++team) evaluate_team(team, "initial");
  if (has_lbt) schedule_lbt();
}

IpHashVariant NetworkModel::Impl::ip_variant(std::size_t host) const {
  const auto& adv = config.hosts[host].advanced;
  const auto it = adv.find("Net.IpHashVariant");
  return it != adv.end() && it->second == 1.0 ? IpHashVariant::last_octet : IpHashVariant::full_xor;
}

TeamingConfig NetworkModel::Impl::effective(const TeamingConfig& base, const TeamingOverride& o) {
  TeamingConfig t = base;
  if (o.policy) t.policy = *o.policy;
  if (o.active) t.active = *o.active;
  if (o.standby) t.standby = *o.standby;
  if (o.detection) t.detection = *o.detection;
  if (o.failback) t.failback = *o.failback;
  if (o.notify_switches) t.notify_switches = *o.notify_switches;
  return t;
}

void NetworkModel::Impl::build_switches() {
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

Topology::Node NetworkModel::Impl::nic_node(std::size_t host, const std::string& nic) {
  const std::string name = config.hosts[host].name + "/" + nic;
  const auto it = nodes_by_name.find(name);
  if (it != nodes_by_name.end()) return it->second;
  const Topology::Node n = topo.add_node(name, NodeKind::nic);
  nodes_by_name.emplace(name, n);
  return n;
}

void NetworkModel::Impl::build_topology() {
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

double NetworkModel::Impl::nic_speed(const std::string& host_nic) const {
  const auto slash = host_nic.find('/');
  for (const HostConfig& h : config.hosts) {
    if (h.name != host_nic.substr(0, slash)) continue;
    for (const NicConfig& n : h.nics) {
      if (n.name == host_nic.substr(slash + 1)) return n.speed_mbps;
    }
  }
  return 0.0;
}

void NetworkModel::Impl::build_vms() {
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
