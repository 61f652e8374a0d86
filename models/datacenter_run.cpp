#include "datacenter_run.hpp"

#include <algorithm>
#include <cassert>
#include <map>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace vdc::models {

SeriesPlan plan_series(const ScenarioConfig& config, std::span<const AreaSpec* const> areas,
                       std::size_t budget_bytes) {
  const std::int64_t interval = std::max<std::int64_t>(1, config.sample_interval.ns());
  const auto samples =
      static_cast<std::size_t>(std::max<std::int64_t>(1, (config.duration.ns() + interval - 1) / interval));
  const std::size_t per_gauge = samples * sizeof(double);
  // Bytes and names per priority, lowest first.
  std::map<int, std::pair<std::size_t, std::vector<std::string_view>>> by_priority;
  for (const AreaSpec* a : areas) {
    for (const SeriesGroup& g : a->series) {
      const std::size_t entities = g.entity == EntityKind::host ? config.hosts.size() : config.vms.size();
      auto& [bytes, names] = by_priority[g.priority];
      bytes += entities * g.gauges * per_gauge;
      names.push_back(g.name);
    }
  }
  std::vector<std::string_view> kept;
  std::size_t used = 0;
  for (const auto& [priority, group] : by_priority) {
    used += group.first;
    if (used > budget_bytes) break;
    kept.insert(kept.end(), group.second.begin(), group.second.end());
  }
  return SeriesPlan(std::move(kept));
}

namespace {

/// The areas in an order where each comes after those it depends on (the registry's order
/// where it is free). Throws std::logic_error for a dependency on an area not built.
std::vector<std::size_t> dependency_order(std::span<const AreaSpec* const> areas) {
  std::vector<std::size_t> order;
  std::vector<int> state(areas.size(), 0);
  const auto index_of = [&](std::string_view name) {
    for (std::size_t i = 0; i < areas.size(); ++i) {
      if (areas[i]->name == name) return i;
    }
    throw std::logic_error(fmt::format("no area '{}' in this run", name));
  };
  const auto visit = [&](const auto& self, std::size_t i) -> void {
    if (state[i] == 2) return;
    if (state[i] == 1) throw std::logic_error(fmt::format("areas depend on each other in a cycle at '{}'", areas[i]->name));
    state[i] = 1;
    for (const std::string_view d : areas[i]->depends_on) self(self, index_of(d));
    state[i] = 2;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < areas.size(); ++i) visit(visit, i);
  return order;
}

}  // namespace

DatacenterRun::DatacenterRun(const ScenarioConfig& config, std::span<const AreaSpec* const> areas,
                             RunResult& result, const RunOptions& options)
    : DatacenterRun(config, areas, result, options, plan_series(config, areas, options.series_budget_bytes)) {}

DatacenterRun::DatacenterRun(const ScenarioConfig& config, std::span<const AreaSpec* const> areas,
                             RunResult& result, const RunOptions& options, SeriesPlan series)
    : config_(config), result_(result), series_(std::move(series)) {
  assert(config_.ids_resolved);
  for (const auto& [entity, name] : options.keep_series) result_.metrics.gauge(entity, name, true);
  state_.hosts.resize(config_.hosts.size());
  state_.vms.resize(config_.vms.size());
  admission_.resize(config_.vms.size());
  placement_ = make_least_loaded_placement(config_, state_);
  const AreaContext context{config_, sim_, result_.metrics, signals_, traces_, series_, state_};
  for (const AreaSpec* spec : areas) areas_.push_back(spec->make(context));
  for (const std::size_t i : dependency_order(areas)) order_.push_back(areas_[i].get());
  for (VmId v = 0; v < config_.vms.size(); ++v) {
    if (config_.vms[v].powered_on) power_on(v);
  }
  schedule_events();
}

DatacenterRun::~DatacenterRun() = default;

std::optional<std::string> DatacenterRun::refusal(VmId vm, HostId host) const {
  if (auto why = placement_->refusal(vm, host)) return why;
  for (const Area* a : order_) {
    if (auto why = a->refusal(vm, host)) return why;
  }
  return std::nullopt;
}

void DatacenterRun::power_on(VmId v) {
  RunState::VmState& vm = state_.vms[v];
  if (vm.on) return;
  std::optional<std::string> first_refusal;
  const std::vector<HostId> candidates = placement_->candidates(v);
  for (const HostId h : candidates) {
    auto why = refusal(v, h);
    if (why) {
      if (!first_refusal) first_refusal = std::move(why);
      continue;
    }
    placement_->charge(v, h);
    vm.on = true;
    vm.host = h;
    state_.hosts[h].vms.push_back(v);
    for (Area* a : order_) a->power_on(v, h);
    admission_[v].reset();
    return;
  }
  admission_[v] = first_refusal ? std::move(first_refusal) : std::string("no host to run on");
}

void DatacenterRun::power_off(VmId v) {
  RunState::VmState& vm = state_.vms[v];
  if (!vm.on) return;
  placement_->release(v);
  std::vector<VmId>& here = state_.hosts[*vm.host].vms;
  here.erase(std::find(here.begin(), here.end(), v));
  vm.on = false;
  for (Area* a : order_) a->power_off(v);
}

void DatacenterRun::migrate(VmId v, HostId to) {
  RunState::VmState& vm = state_.vms[v];
  if (!vm.on || to == *vm.host) return;
  const HostId from = *vm.host;
  // The VM's own reservations do not stand in its way: a move within a cluster's pool
  // needs no more room in it.
  placement_->release(v);
  if (refusal(v, to)) {
    // vMotion refused by admission control: the VM stays where it is.
    placement_->charge(v, from);
    return;
  }
  std::vector<VmId>& here = state_.hosts[from].vms;
  here.erase(std::find(here.begin(), here.end(), v));
  vm.on = false;
  for (Area* a : order_) a->depart(v, from);
  placement_->charge(v, to);
  vm.on = true;
  vm.host = to;
  state_.hosts[to].vms.push_back(v);
  for (Area* a : order_) a->arrive(v, to);
}

void DatacenterRun::fail_host(HostId host) {
  if (!state_.hosts[host].up) return;
  // Powering its VMs off releases their CPU and memory reservations everywhere.
  const std::vector<VmId> on = state_.hosts[host].vms;
  for (const VmId v : on) power_off(v);
  state_.hosts[host].up = false;
  placement_->set_host_up(host, false);
  for (Area* a : order_) a->host_failed(host);
}

void DatacenterRun::restore_host(HostId host) {
  if (state_.hosts[host].up) return;
  state_.hosts[host].up = true;
  placement_->set_host_up(host, true);
  for (Area* a : order_) a->host_restored(host);
}

void DatacenterRun::schedule_events() {
  for (const EventConfig& e : config_.events) {
    if (e.at > config_.duration) continue;
    switch (e.kind) {
      case EventKind::fail_host:
      case EventKind::restore_host: {
        if (e.target_id < 0) break;
        const auto h = static_cast<HostId>(e.target_id);
        const bool fail = e.kind == EventKind::fail_host;
        sim_.at(e.at, [this, h, fail] { fail ? fail_host(h) : restore_host(h); });
        break;
      }
      case EventKind::power_on:
      case EventKind::power_off: {
        if (e.target_id < 0) break;
        const auto v = static_cast<VmId>(e.target_id);
        const bool on = e.kind == EventKind::power_on;
        sim_.at(e.at, [this, v, on] { on ? power_on(v) : power_off(v); });
        break;
      }
      case EventKind::migrate: {
        if (e.target_id < 0 || e.to_id < 0) break;
        const auto v = static_cast<VmId>(e.target_id);
        const auto to = static_cast<HostId>(e.to_id);
        sim_.at(e.at, [this, v, to] { migrate(v, to); });
        break;
      }
      case EventKind::link_down:
      case EventKind::link_up:
      case EventKind::upstream_down:
      case EventKind::upstream_up:
      case EventKind::switch_down:
      case EventKind::switch_up:
        // The network area schedules its own events (models/network/).
        break;
      case EventKind::device_error:
        // The storage area schedules its own (models/storage/).
        break;
    }
  }
}

void DatacenterRun::finish(sim::Time end) {
  // Sized once: grown by doubling, the facts of 20,000 VMs would leave their smaller
  // arrays freed behind them at the run's peak.
  result_.hosts.reserve(result_.hosts.size() + config_.hosts.size());
  result_.vms.reserve(result_.vms.size() + config_.vms.size());
  for (HostId h = 0; h < config_.hosts.size(); ++h) {
    const HostConfig& hc = config_.hosts[h];
    HostFacts f;
    f.name = hc.name;
    f.cluster = hc.cluster_id >= 0 ? config_.clusters[static_cast<std::size_t>(hc.cluster_id)].name : hc.cluster;
    f.pcpus = hc.cpu.pcpus();
    f.lcpus = hc.cpu.lcpus();
    f.capacity_mhz = hc.cpu.capacity_mhz();
    f.memory_mib = hc.memory_mib;
    for (const VmId v : state_.hosts[h].vms) f.vcpus += config_.vms[v].vcpus;
    result_.hosts.push_back(std::move(f));
  }
  for (VmId v = 0; v < config_.vms.size(); ++v) {
    const VmConfig& vc = config_.vms[v];
    const RunState::VmState& vm = state_.vms[v];
    VmFacts f;
    f.name = vc.name;
    if (vm.host) {
      const HostConfig& h = config_.hosts[*vm.host];
      f.host = h.name;
      f.cluster = h.cluster_id >= 0 ? config_.clusters[static_cast<std::size_t>(h.cluster_id)].name : h.cluster;
    } else {
      f.cluster = vc.cluster;
    }
    f.vcpus = vc.vcpus;
    f.memory_mib = vc.memory_mib;
    f.powered_on = vm.on;
    if (!vm.on) f.admission = admission_[v];
    f.cpu_reservation_mhz = vc.cpu.reservation;
    f.mem_reservation_mib = vc.mem.reservation;
    result_.vms.push_back(std::move(f));
  }
  // Dependents close before what they depend on.
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) (*it)->finish(end, result_);
}

}  // namespace vdc::models
