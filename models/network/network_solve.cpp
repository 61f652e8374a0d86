// The network model, sharing the bandwidth and publishing the
// gauges: part of NetworkModel::Impl (network_impl.hpp). The rules it follows
// are in docs/network.md, from reference section A.
#include "network_impl.hpp"

namespace vdc::models::network {

void NetworkModel::Impl::mark_dirty(bool reroute) {
  dirty = true;
  reroute_pending = reroute_pending || reroute;
  if (solve_pending) return;
  solve_pending = true;
  sim.at(sim.now(), [this] { solve(); }, end_of_step);
}

void NetworkModel::Impl::accumulate(double now) {
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

void NetworkModel::Impl::solve() {
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

void NetworkModel::Impl::share() {
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

void NetworkModel::Impl::count_moves() {
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

void NetworkModel::Impl::publish() {
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

void NetworkModel::Impl::add_unique(std::vector<std::string>& list, const std::string& s) {
  if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
}

}  // namespace vdc::models::network
