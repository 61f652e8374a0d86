// The network model, flow demand and routing: part of NetworkModel::Impl (network_impl.hpp). The rules it follows
// are in docs/network.md, from reference section A.
#include "network_impl.hpp"

namespace vdc::models::network {

void NetworkModel::Impl::start_flow(std::size_t f) {
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

double NetworkModel::Impl::diurnal(const FlowRate& r, sim::Time t) {
  constexpr double day = 86400.0;
  return std::max(0.0, r.mbps + r.amplitude * std::cos(2.0 * std::numbers::pi * (t.seconds() - r.peak.seconds()) / day));
}

void NetworkModel::Impl::schedule_toggle(std::size_t f) {
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

void NetworkModel::Impl::schedule_step(std::size_t f) {
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

std::optional<std::size_t> NetworkModel::Impl::vm_by_ip(std::uint32_t ip) const {
  const auto it = vm_of_ip.find(ip);
  return it == vm_of_ip.end() ? std::nullopt : std::optional<std::size_t>(it->second);
}

bool NetworkModel::Impl::physical_route(Flow& fl, const Team& team, const std::vector<std::size_t>& from, std::optional<Topology::Node> to,
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

void NetworkModel::Impl::route(std::size_t f) {
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

std::optional<std::pair<std::size_t, std::size_t>> NetworkModel::Impl::host_uplink(std::size_t host) const {
  for (std::size_t sw = 0; sw < instance_of.size(); ++sw) {
    const std::size_t inst = instance_of[sw][host];
    if (inst == none || team_of[inst].empty()) continue;
    const Team& t = teams[team_of[inst].front()];
    if (t.in_use.empty()) return std::nullopt;
    return std::make_pair(team_of[inst].front(), t.in_use.front());
  }
  return std::nullopt;
}

void NetworkModel::Impl::route_transfer(Flow& fl) {
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

std::uint64_t NetworkModel::Impl::start_transfer(std::string_view kind, std::string label, std::size_t from, std::size_t to, double mib) {
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

void NetworkModel::Impl::finish_transfer(std::size_t t) {
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

void NetworkModel::Impl::schedule_transfers() {
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

void NetworkModel::Impl::no_uplink(Flow& fl, const Port& src) {
  const Instance& inst = instances[src.instance];
  fl.cause = fmt::format("no usable uplink on {} of {}", config.network.vswitches[inst.vswitch].name,
                         config.hosts[inst.host].name);
}

void NetworkModel::Impl::deliver_local(Flow& fl, const Port& src, const Port& dst) { finish_unicast(fl, src, dst, config.vms[dst.vm].name); }

void NetworkModel::Impl::finish_unicast(Flow& fl, const Port& src, const Port& dst, const std::string& dname) {
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

void NetworkModel::Impl::add_promiscuous(Flow& fl, const Port& src, const Port& dst) {
  for (const std::size_t p : vms_on_instance(dst.instance)) {
    const Port& q = ports[p];
    if (&q == &src || &q == &dst || q.vlan != dst.vlan || !promiscuous(q)) continue;
    fl.receivers.push_back(q.vm);
  }
}

const std::vector<std::size_t>& NetworkModel::Impl::vms_on_instance(std::size_t inst) const { return ports_of_instance[inst]; }

void NetworkModel::Impl::route_endpoint(Flow& fl, Port& src, std::size_t e) {
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

void NetworkModel::Impl::route_broadcast(Flow& fl, Port& src) {
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

}  // namespace vdc::models::network
