// The network model, teams, failure detection, ports and load-based
// teaming: part of NetworkModel::Impl (network_impl.hpp). The rules it follows
// are in docs/network.md, from reference section A.
#include "network_impl.hpp"

namespace vdc::models::network {

bool NetworkModel::Impl::carrier(const Uplink& u) const {
  if (u.link == none) return false;
  const Topology::Node other = topo.other_end(u.link, u.node);
  return topo.link_up(u.link) && topo.node_up(u.node) && topo.node_up(other);
}

bool NetworkModel::Impl::hears(const Uplink& a, const Uplink& b) const { return topo.path(a.node, b.node, false).has_value(); }

void NetworkModel::Impl::evaluate_team(std::size_t t, std::string_view why) {
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

void NetworkModel::Impl::physical_changed(const std::string& what) {
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

void NetworkModel::Impl::connect(std::size_t v, std::size_t host) {
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

std::size_t NetworkModel::Impl::add_shaper(const ShapingConfig& s) {
  Shaper sh;
  sh.average = s.average_mbps;
  sh.peak = std::max(s.peak_mbps, s.average_mbps);
  sh.burst = s.burst_mib * mbit_per_mib;
  sh.tokens = sh.burst;
  sh.updated = sim.now().seconds();
  shapers.push_back(sh);
  return shapers.size() - 1;
}

void NetworkModel::Impl::disconnect(std::size_t v) {
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

std::vector<std::size_t> NetworkModel::Impl::select(Port& p, std::uint32_t dst_ip) {
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

bool NetworkModel::Impl::security(const Port& p, bool mac_changes) const {
  const PortGroupConfig& pg = config.network.port_groups[teams[p.team].pg];
  const bool distributed = config.network.vswitches[instances[p.instance].vswitch].kind == SwitchKind::distributed;
  if (mac_changes) return pg.security.mac_changes.value_or(distributed ? params.distributed_mac_changes : params.standard_mac_changes);
  return pg.security.forged_transmits.value_or(distributed ? params.distributed_forged_transmits
                                                           : params.standard_forged_transmits);
}

bool NetworkModel::Impl::promiscuous(const Port& p) const {
  return config.network.port_groups[teams[p.team].pg].security.promiscuous.value_or(false);
}

bool NetworkModel::Impl::mac_changed(const Port& p) const {
  const VnicConfig& nic = config.vms[p.vm].nics[p.nic];
  return nic.effective_mac && *nic.effective_mac != nic.mac;
}

void NetworkModel::Impl::schedule_lbt() {
  const sim::Time at = sim.now() + sim::Time::from_seconds(params.lbt_interval_s);
  if (at > config.duration) return;
  sim.at(at, [this] {
    lbt_check();
    schedule_lbt();
  }, end_of_step + 1);
}

void NetworkModel::Impl::lbt_check() {
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

double NetworkModel::Impl::port_rate(std::size_t p, bool tx) const {
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

}  // namespace vdc::models::network
