// VMs arriving at and leaving a host under the detailed CPU model, their entitlement
// weights, the accounting read by tests, and the gauges.
#include <algorithm>
#include <cassert>

#include "vdc/models/cpu/detailed_cpu.hpp"

namespace vdc::models::cpu {

namespace {

double ns_of(sim::Time t) { return static_cast<double>(t.ns()); }

}  // namespace

// ---- VMs arriving and leaving --------------------------------------------------------

std::uint32_t DetailedHostCpu::index_of(const VmCpu& cfg) const {
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    if (vms_[i].live && vms_[i].cfg == &cfg) return static_cast<std::uint32_t>(i);
  }
  assert(false && "VM not on this host");
  return 0;
}

void DetailedHostCpu::set_pools(std::vector<PoolSpec> pools) {
  pools_ = std::move(pools);
  schedule_refresh();
}

void DetailedHostCpu::schedule_refresh() {
  // VMs arriving together (a host's VMs at power-on) cost one entitlement solve.
  if (refresh_pending_) return;
  refresh_pending_ = true;
  refresh_event_ = sim_.at(sim_.now(), [this] { refresh(); });
}

void DetailedHostCpu::refresh() {
  const sim::Time now = sim_.now();
  refresh_pending_ = false;
  compute_weights(now);
  for (const std::uint32_t vi : starting_) {
    Vm& vm = vms_[vi];
    if (!vm.live) continue;
    vm.started = true;
    if (vm.cfg->limit_mhz < vm.n * freq_) {
      vm.limit_rate = vm.cfg->limit_mhz / freq_;
      vm.credit = vm.limit_rate * ns_of(params_.quantum);
    }
    for (std::uint32_t k = 0; k < vm.n; ++k) {
      start_vcpu(vm.first + k, vm.cfg->progress[k], now);
    }
    mark_changed(vi);
  }
  starting_.clear();
  flush(now);
}

void DetailedHostCpu::compute_weights(sim::Time now) {
  tree_ = EntitlementTree(pcpus_ * freq_);
  const std::vector<EntitlementTree::NodeId> pool_nodes = add_pools(tree_, pools_);
  for (Vm& vm : vms_) {
    if (!vm.live) continue;
    vm.leaf = add_vm_leaf(tree_, *vm.cfg, pool_nodes);
    tree_.set_demand(vm.leaf, vm.cfg->vcpus * freq_);
  }
  tree_.solve();
  for (Vm& vm : vms_) {
    if (!vm.live) continue;
    vm.static_weight = tree_.allocation(vm.leaf);
    set_weight(vm, now);
  }
  entitlements_dirty_ = true;  // a new tree: the dynamic entitlements are solved again
}

void DetailedHostCpu::set_weight(Vm& vm, sim::Time now) {
  // Weights change how fast virtual time runs from now on, not what was consumed.
  // The fair share with every VM busy keeps a light VM's priority when it wakes (it has
  // consumed less than that); the dynamic entitlement gives the VMs that do contend what
  // the hierarchy gives them once the light ones took what they use (Denneman's example).
  // A VM entitled to nothing (0 shares, crowded out) still runs when nothing else does.
  settle_vm(vm, now);
  vm.weight = std::max({vm.static_weight, vm.dynamic, 1e-6 * freq_});
  vm.vt_per_ns = freq_ / vm.weight;
}

void DetailedHostCpu::add_vm(VmCpu& cfg) {
  const sim::Time now = sim_.now();
  Vm vm;
  vm.cfg = &cfg;
  vm.ids = cfg.metrics;
  vm.live = true;
  vm.first = static_cast<std::uint32_t>(vcpus_.size());
  vm.n = static_cast<std::uint32_t>(cfg.vcpus);
  vm.numa = numa_.place(cfg.vcpus, cfg.memory_mib, params_.vnuma_min_vcpus);
  vm.numa_stretch = numa_stretch(params_, vm.numa.remote_fraction);
  vm.stretch = vm.numa_stretch / cfg.speed;
  vm.vt_at = now;
  vm.count[wait] = cfg.vcpus;
  const auto vm_index = static_cast<std::uint32_t>(vms_.size());
  for (int k = 0; k < cfg.vcpus; ++k) {
    Vcpu v;
    v.vm = vm_index;
    v.k = static_cast<std::uint16_t>(k);
    v.node = vm.numa.node_of_vcpu(k);
    v.since = now;
    vcpus_.push_back(v);
    coprogress_.push_back(CoProgress{-now.ns(), -1, wait});
  }
  vms_.push_back(std::move(vm));
  starting_.push_back(vm_index);
  schedule_refresh();
}

void DetailedHostCpu::start_vcpu(std::uint32_t v, const VcpuProgress& p, sim::Time now) {
  Vcpu& x = vcpus_[v];
  switch (p.phase) {
    case VcpuProgress::Phase::fresh:
      switch (next_work(v, now)) {
        case Step::run: make_runnable(v, true, now); break;
        case Step::idle: go_idle(v, x.idle_after, now); break;
        case Step::done: break;
      }
      break;
    // A vCPU arriving in the middle of its workload (a migration) demands its level at
    // once, not from its next burst.
    case VcpuProgress::Phase::busy:
      x.has_work = true;
      x.work_left = p.work_left_ns;
      x.idle_after = p.idle_after;
      x.next_start = p.next_start;
      take_level(v, Step::run, now);
      make_runnable(v, true, now);
      break;
    case VcpuProgress::Phase::idle:
      x.has_work = true;
      take_level(v, Step::idle, now);
      go_idle(v, std::max(sim::Time::zero(), p.idle_until - now), now);
      break;
    case VcpuProgress::Phase::done: break;
  }
}

void DetailedHostCpu::remove_vm(VmCpu& cfg) {
  const sim::Time now = sim_.now();
  const std::uint32_t vi = index_of(cfg);
  Vm& vm = vms_[vi];
  if (!vm.started) {
    // Gone before it started: its progress stays as it came.
    numa_.release(vm.numa);
    vm.live = false;
    return;
  }
  // Out of the ready queues first, so freed logical CPUs cannot pick a sibling.
  for (std::uint32_t v = vm.first; v < vm.first + vm.n; ++v) {
    if (vcpus_[v].queued) dequeue(v);
  }
  std::vector<int> freed;
  for (std::uint32_t v = vm.first; v < vm.first + vm.n; ++v) {
    Vcpu& x = vcpus_[v];
    VcpuProgress& p = cfg.progress[x.k];
    p = VcpuProgress{};
    if (x.state == run) settle_vcpu(v, now);
    if (x.state != wait) {
      p.phase = VcpuProgress::Phase::busy;
      p.work_left_ns = std::max(0.0, x.work_left);
      p.idle_after = x.idle_after;
      p.next_start = x.next_start;
    } else if (sim_.pending(x.wake)) {
      p.phase = VcpuProgress::Phase::idle;
      p.idle_until = x.wake_at;
    } else {
      p.phase = VcpuProgress::Phase::done;
    }
    sim_.cancel(x.wake);
    if (x.state == run) {
      freed.push_back(stop_running(v, wait, now));
    } else if (x.state != wait) {
      set_state(v, wait, now);
    }
    x.level = 0.0;
    set_demand(v, 0.0);
  }
  sim_.cancel(vm.timer);
  vm.timer_at = sim::Time::max();
  numa_.release(vm.numa);
  vm.live = false;
  vm.dirty = false;
  for (const int l : freed) lcpu_freed(l, now);
  schedule_refresh();
  flush(now);
}

void DetailedHostCpu::set_speed(VmCpu& cfg, double speed) {
  assert(speed > 0.0 && speed <= 1.0);
  const sim::Time now = sim_.now();
  Vm& vm = vms_[index_of(cfg)];
  cfg.speed = speed;
  // Running vCPUs are credited with their work at the old stretch first.
  for (std::uint32_t v = vm.first; v < vm.first + vm.n; ++v) settle_vcpu(v, now);
  vm.stretch = vm.numa_stretch / speed;
  if (!vm.started) return;  // its vCPUs start at the next refresh, with the new stretch
  for (std::uint32_t v = vm.first; v < vm.first + vm.n; ++v) {
    Vcpu& x = vcpus_[v];
    set_demand(v, std::min(1.0, x.level * vm.stretch));
    if (x.state == run) arm_timer(x.lcpu, now);
  }
  flush(now);
}

void DetailedHostCpu::finish(sim::Time end) {
  for (Vm& vm : vms_) {
    if (vm.live) settle_vm(vm, end);
  }
}

DetailedHostCpu::StateTimes DetailedHostCpu::vcpu_times(const VmCpu& cfg, int k) const {
  const Vcpu& x = vcpus_[vms_[index_of(cfg)].first + static_cast<std::uint32_t>(k)];
  std::array<std::int64_t, 4> acc = x.acc;
  acc[x.state] += (sim_.now() - x.since).ns();
  return StateTimes{acc[run], acc[ready], acc[costop], acc[wait]};
}

DetailedHostCpu::StateTimes DetailedHostCpu::total_times() const {
  std::array<std::int64_t, 4> acc{};
  for (const Vcpu& x : vcpus_) {
    for (std::size_t s = 0; s < acc.size(); ++s) acc[s] += x.acc[s];
    acc[x.state] += (sim_.now() - x.since).ns();
  }
  return StateTimes{acc[run], acc[ready], acc[costop], acc[wait]};
}

double DetailedHostCpu::work_done_ns(const VmCpu& cfg, int k) const {
  const Vm& vm = vms_[index_of(cfg)];
  const Vcpu& x = vcpus_[vm.first + static_cast<std::uint32_t>(k)];
  double done = x.work_done;
  if (x.state == run) {
    done += ns_of(sim_.now() - x.run_since) * lcpus_[static_cast<std::size_t>(x.lcpu)].speed /
            vm.stretch;
  }
  return done;
}

const host::NumaPlacement& DetailedHostCpu::placement(const VmCpu& cfg) const {
  return vms_[index_of(cfg)].numa;
}

// ---- Gauges ----------------------------------------------------------------------------

void DetailedHostCpu::flush(sim::Time now) {
  apply_core_speeds(now);
  if (entitlements_dirty_) update_entitlements(now);
  for (const std::uint32_t i : dirty_) {
    Vm& vm = vms_[i];
    if (!vm.dirty) continue;
    vm.dirty = false;
    update_vm_timer(i, now);
    publish(vm, now);
  }
  dirty_.clear();
  const double used = host_run_speed_ * freq_;
  const double demand = host_demand_ * freq_;
  if (used != shown_used_) {
    metrics_.set(ids_.used_mhz, now, used);
    shown_used_ = used;
  }
  if (demand != shown_demand_) {
    metrics_.set(ids_.demand_mhz, now, demand);
    shown_demand_ = demand;
  }
}

void DetailedHostCpu::publish(Vm& vm, sim::Time now) {
  // A state gauge is count / n: it changed exactly when the count did. Written out gauge
  // by gauge (typically two states and the used MHz change at a time).
  const auto show_state = [&](State s, sim::MetricId id) {
    if (vm.count[s] != vm.shown_count[s]) {
      metrics_.set(id, now, vm.count[s] / static_cast<double>(vm.n));
      vm.shown_count[s] = vm.count[s];
    }
  };
  show_state(run, vm.ids.run);
  show_state(ready, vm.ids.ready);
  show_state(costop, vm.ids.costop);
  show_state(wait, vm.ids.wait);
  const auto show = [&](std::size_t s, sim::MetricId id, double value) {
    if (value != vm.shown[s]) {
      metrics_.set(id, now, value);
      vm.shown[s] = value;
    }
  };
  show(0, vm.ids.used_mhz, vm.run_speed * freq_);
  show(1, vm.ids.demand_mhz, vm.demand * freq_);
  show(2, vm.ids.entitlement_mhz, vm.dynamic);
}

}  // namespace vdc::models::cpu
