#include "vdc/models/memory/memory_model.hpp"

#include <cmath>

#include "vdc/models/metric_names.hpp"

namespace vdc::models::memory {

MemoryModel::MemoryModel(sim::Simulator& sim, std::map<std::string, double> model_parameters,
                         sim::MetricsRegistry* metrics)
    : sim_(sim), model_parameters_(std::move(model_parameters)), metrics_(metrics) {}

MemoryModel::HostId MemoryModel::add_host(const HostConfig& host) {
  const auto id = static_cast<HostId>(hosts_.size());
  hosts_.push_back(HostSlot{
      HostMemory(host, resolve_parameters(host.advanced, model_parameters_), sim_.now()), {}, {},
      {}, sim_.now(), {}, sim::Time::max(), {}, sim::Time::max(), 0, false});
  if (metrics_ != nullptr) {
    const std::string entity = metric::host_entity(host.name);
    for (std::size_t i = 0; i < host_gauges; ++i) {
      hosts_.back().gauges[i] = metrics_->gauge(entity, metric::host_memory_gauges[i]);
    }
    publish_host(id);
  }
  wake(id, true);
  return id;
}

void MemoryModel::set_pools(HostId host, std::vector<MemoryPool> pools) {
  HostSlot& h = hosts_[host];
  h.memory.set_pools(std::move(pools));
  h.settled = false;
  wake(host, false);
}

void MemoryModel::set_pool_limit(HostId host, PoolSlot pool, double limit_mib) {
  HostSlot& h = hosts_[host];
  // The host leaves its quiet state if the limit moved; its next step enforces it. Limits
  // are set once the instant's events have run, after a step due at this instant.
  h.memory.set_pool_limit(pool, limit_mib);
  if (!h.memory.dormant()) {
    h.settled = false;
    wake(host, true);
  }
}

ModelPowerOn MemoryModel::power_on(HostId host, const VmConfig& vm, double touched_mib,
                                   double touch_target_mib, PoolSlot pool, const VmGaugeIds* gauges) {
  HostSlot& h = hosts_[host];
  PowerOnResult r = h.memory.power_on(vm, sim_.now(), touched_mib, touch_target_mib, pool);
  if (!r.admitted()) return ModelPowerOn{std::nullopt, std::move(r.refusal)};
  h.settled = false;
  wake(host, false);
  if (h.vms.size() <= r.vm) h.vms.resize(r.vm + 1);
  if (metrics_ != nullptr) {
    if (gauges != nullptr) {
      h.vms[r.vm].gauges = *gauges;
    } else {
      const std::string entity = metric::vm_entity(vm.name);
      for (std::size_t i = 0; i < vm_gauges; ++i) {
        h.vms[r.vm].gauges[i] = metrics_->gauge(entity, metric::vm_memory_gauges[i]);
      }
    }
    publish_vm(host, r.vm);
    publish_host(host);
  }
  schedule_crossing(host);
  return ModelPowerOn{VmRef{host, r.vm}, {}};
}

void MemoryModel::power_off(VmRef vm) {
  HostSlot& h = hosts_[vm.host];
  h.memory.power_off(vm.vm, sim_.now());
  h.settled = false;
  wake(vm.host, false);
  if (metrics_ != nullptr) {
    VmSlot& slot = h.vms[vm.vm];
    for (std::size_t i = 0; i < vm_gauges; ++i) set(slot.gauges[i], slot.published[i], 0.0, 0.0);
    publish_host(vm.host);
  }
  schedule_crossing(vm.host);
}

void MemoryModel::set_active(VmRef vm, double active_mib) {
  HostSlot& h = hosts_[vm.host];
  h.memory.set_active(vm.vm, active_mib, sim_.now());
  h.settled = false;
  wake(vm.host, false);
  if (metrics_ != nullptr) {
    publish_vm(vm.host, vm.vm);
    publish_host(vm.host);
  }
  notify_progress(vm);
  schedule_crossing(vm.host);
}

VmMemoryStats MemoryModel::vm_stats_now(VmRef vm) {
  HostMemory& m = hosts_[vm.host].memory;
  m.advance(sim_.now());
  return m.vm_stats(vm.vm);
}

double MemoryModel::progress_factor(VmRef vm) const {
  const HostMemory& m = hosts_[vm.host].memory;
  return m.has_vm(vm.vm) ? m.progress_factor(vm.vm) : 1.0;
}

void MemoryModel::finish() {
  for (HostId id = 0; id < hosts_.size(); ++id) {
    HostSlot& h = hosts_[id];
    h.memory.advance(sim_.now());
    if (metrics_ == nullptr) continue;
    for (VmHandle vm : h.memory.vms()) publish_vm(id, vm);
    publish_host(id);
  }
}

void MemoryModel::on_periodic(HostId id) {
  HostSlot& h = hosts_[id];
  h.memory.step(sim_.now());
  ++h.steps;
  h.next_periodic = sim_.now() + h.memory.balance_period();
  h.periodic_at = sim::Time::max();
  // A dormant host is stepped again only once something moves it (wake).
  if (!h.memory.dormant()) {
    h.periodic_at = h.next_periodic;
    sim_.at(h.next_periodic, [this, id] { on_periodic(id); });
  }
  after_change(id);
}

void MemoryModel::on_crossing(HostId id) {
  HostSlot& h = hosts_[id];
  h.crossing_at = sim::Time::max();
  h.memory.step(sim_.now());
  ++h.steps;
  after_change(id);
}

void MemoryModel::wake(HostId id, bool this_instant_stepped) {
  HostSlot& h = hosts_[id];
  if (h.periodic_at != sim::Time::max()) return;
  // The host resumes on its grid, where its steps would have been had it been stepped all
  // along: at the next grid instant after now, or now itself when this change comes
  // before the step due now (a scenario's or a trace's event, scheduled long before).
  const std::int64_t period = h.memory.balance_period().ns();
  const std::int64_t k = (sim_.now() - h.origin).ns() / period;
  sim::Time at = h.origin + sim::Time::from_ns(k * period);
  if (k == 0 || at < sim_.now() || this_instant_stepped) at += h.memory.balance_period();
  h.next_periodic = at;
  h.periodic_at = at;
  sim_.at(at, [this, id] { on_periodic(id); });
}

void MemoryModel::after_change(HostId id) {
  HostSlot& h = hosts_[id];
  // A host that was already dormant at the previous step has nothing new to say.
  const bool settled = h.settled;
  h.settled = h.memory.dormant();
  if (settled && h.settled) return;
  // Each VM's gauges and progress straight from the host's table, in its order.
  const double publish_delta = h.memory.params().publish_delta_mib;
  const double notify_delta = h.memory.params().progress_notify_delta;
  h.memory.for_each_vm([&](VmHandle vm, const std::array<double, vm_gauges>& values, double p) {
    VmSlot& slot = h.vms[vm];
    if (metrics_ != nullptr) publish_vm(slot, values, publish_delta);
    if (listener_ && std::abs(p - slot.reported_progress) > notify_delta) {
      slot.reported_progress = p;
      listener_(VmRef{id, vm}, p);
    }
  });
  if (metrics_ != nullptr) publish_host(id);
  schedule_crossing(id);
}

void MemoryModel::notify_progress(VmRef vm) {
  HostSlot& h = hosts_[vm.host];
  VmSlot& slot = h.vms[vm.vm];
  const double p = h.memory.progress_factor(vm.vm);
  if (listener_ && std::abs(p - slot.reported_progress) > h.memory.params().progress_notify_delta) {
    slot.reported_progress = p;
    listener_(vm, p);
  }
}

void MemoryModel::schedule_crossing(HostId id) {
  HostSlot& h = hosts_[id];
  const sim::Time t = h.memory.next_threshold_crossing();
  // The periodic step comes first anyway and reschedules afterwards.
  const sim::Time at = t < h.next_periodic ? t : sim::Time::max();
  if (at == h.crossing_at) return;
  sim_.cancel(h.crossing);
  h.crossing_at = at;
  if (at != sim::Time::max()) h.crossing = sim_.at(at, [this, id] { on_crossing(id); });
}

void MemoryModel::publish_host(HostId id) {
  HostSlot& h = hosts_[id];
  const double delta = h.memory.params().publish_delta_mib;
  const HostMemoryStats s = h.memory.stats();
  const std::array<double, 7> values{s.granted_mib,    s.consumed_mib,   s.shared_saved_mib,
                                     s.balloon_mib,    s.compressed_mib, s.swapped_mib,
                                     s.free_mib};
  for (std::size_t i = 0; i < values.size(); ++i) {
    set(h.gauges[i], h.published[i], values[i], delta);
  }
  for (std::size_t i = 0; i < host_state_count; ++i) {
    const std::size_t g = values.size() + i;
    set(h.gauges[g], h.published[g], static_cast<std::size_t>(s.state) == i ? 1.0 : 0.0, 0.0);
  }
}

void MemoryModel::publish_vm(HostId id, VmHandle vm) {
  HostSlot& h = hosts_[id];
  publish_vm(h.vms[vm], h.memory.vm_amounts(vm), h.memory.params().publish_delta_mib);
}

void MemoryModel::publish_vm(VmSlot& slot, const std::array<double, vm_gauges>& values,
                             double delta) {
  for (std::size_t i = 0; i < vm_gauges; ++i) {
    set(slot.gauges[i], slot.published[i], values[i], delta);
  }
}

void MemoryModel::set(sim::MetricId id, double& published, double value, double delta) {
  // Moves smaller than memory.publish_delta_mib are held back (TPS and fault-in creep by
  // fractions of a MiB every step), except that reaching or leaving zero always shows.
  const bool crosses_zero = (value == 0.0) != (published == 0.0);
  if (!crosses_zero && std::abs(value - published) < delta) return;
  if (value == published) return;
  published = value;
  metrics_->set(id, sim_.now(), value);
}

}  // namespace vdc::models::memory
