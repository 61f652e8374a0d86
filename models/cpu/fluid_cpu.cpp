#include "vdc/models/cpu/fluid_cpu.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "vdc/sim/queueing.hpp"

namespace vdc::models::cpu {

namespace {

// Indices of the published gauge values in Vm::shown.
enum Shown { run_i, ready_i, costop_i, wait_i, used_i, demand_i, entitled_i, shown_count };

// Splits `total` (cores) among vCPUs capped at `caps`, equally up to each cap (water
// filling): the VM's shares are the VM's, and its busy vCPUs are alike.
void water_fill(const std::vector<double>& caps, double total, std::vector<double>& out,
                std::vector<std::size_t>& order) {
  const std::size_t n = caps.size();
  out.assign(n, 0.0);
  order.resize(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return caps[a] < caps[b] || (caps[a] == caps[b] && a < b);
  });
  double left = total;
  for (std::size_t j = 0; j < n; ++j) {
    const double share = left / static_cast<double>(n - j);
    const double give = std::min(caps[order[j]], share);
    out[order[j]] = give;
    left -= give;
  }
}

}  // namespace

FluidHostCpu::FluidHostCpu(sim::Simulator& sim, sim::MetricsRegistry& metrics,
                           const HostConfig& host, const CpuParameters& params,
                           const HostCpuMetrics& ids)
    : sim_(sim),
      metrics_(metrics),
      params_(params),
      ids_(ids),
      freq_(host.cpu.frequency_mhz),
      pcpus_(host.cpu.pcpus()),
      lcpus_(host.cpu.lcpus()),
      numa_(host::numa_nodes(host.cpu, host.memory_mib)),
      last_(sim.now()) {}

FluidHostCpu::~FluidHostCpu() { sim_.cancel(next_); }

void FluidHostCpu::set_pools(std::vector<PoolSpec> pools) {
  pools_ = std::move(pools);
  tree_dirty_ = true;
  schedule_refresh();
}

void FluidHostCpu::add_vm(VmCpu& cfg) {
  const sim::Time now = sim_.now();
  advance(now);
  Vm vm;
  vm.cfg = &cfg;
  vm.numa = numa_.place(cfg.vcpus, cfg.memory_mib, params_.vnuma_min_vcpus);
  vm.stretch = 1.0 + params_.numa_remote_penalty * vm.numa.remote_fraction;
  vm.vcpus.resize(static_cast<std::size_t>(cfg.vcpus));
  for (std::size_t k = 0; k < vm.vcpus.size(); ++k) {
    Vcpu& v = vm.vcpus[k];
    auto& gen = cfg.generators[k];
    const VcpuProgress& p = cfg.progress[k];
    v.work_based = gen.work_based();
    if (v.work_based) {
      if (p.phase == VcpuProgress::Phase::busy) {
        v.busy = true;
        v.work_left = p.work_left_ns;
      } else if (p.phase == VcpuProgress::Phase::fresh) {
        if (const auto b = gen.next_burst(now)) {
          v.busy = true;
          v.work_left = b->work_ns;
        }
      }
      v.level = v.busy ? 1.0 : 0.0;
    } else {
      const workload::Level l = gen.level(now);
      v.level = l.demand;
      v.until = l.until;
    }
  }
  vms_.push_back(std::move(vm));
  tree_dirty_ = true;
  schedule_refresh();
}

void FluidHostCpu::remove_vm(VmCpu& cfg) {
  advance(sim_.now());
  auto it = std::find_if(vms_.begin(), vms_.end(), [&](const Vm& v) { return v.cfg == &cfg; });
  assert(it != vms_.end());
  for (std::size_t k = 0; k < it->vcpus.size(); ++k) {
    const Vcpu& v = it->vcpus[k];
    VcpuProgress& p = cfg.progress[k];
    if (!v.work_based) {
      p = VcpuProgress{};
    } else if (v.busy) {
      p = VcpuProgress{};
      p.phase = VcpuProgress::Phase::busy;
      p.work_left_ns = std::max(0.0, v.work_left);
    } else {
      p = VcpuProgress{};
      p.phase = VcpuProgress::Phase::done;
    }
  }
  numa_.release(it->numa);
  vms_.erase(it);
  tree_dirty_ = true;
  schedule_refresh();
}

void FluidHostCpu::set_speed(VmCpu& cfg, double speed) {
  assert(speed > 0.0 && speed <= 1.0);
  // The solve at now first drains the work done so far at the old rates, then derives
  // demands and rates from the new factor.
  find(cfg).cfg->speed = speed;
  schedule_refresh();
}

void FluidHostCpu::finish(sim::Time end) {
  advance(end);
  sim_.cancel(next_);
  next_at_ = sim::Time::max();
}

FluidHostCpu::Vm& FluidHostCpu::find(const VmCpu& cfg) {
  auto it = std::find_if(vms_.begin(), vms_.end(), [&](const Vm& v) { return v.cfg == &cfg; });
  assert(it != vms_.end());
  return *it;
}

const FluidHostCpu::Vm& FluidHostCpu::find(const VmCpu& cfg) const {
  auto it = std::find_if(vms_.begin(), vms_.end(), [&](const Vm& v) { return v.cfg == &cfg; });
  assert(it != vms_.end());
  return *it;
}

double FluidHostCpu::allocation_mhz(const VmCpu& vm) const { return find(vm).alloc_mhz; }

const host::NumaPlacement& FluidHostCpu::placement(const VmCpu& vm) const {
  return find(vm).numa;
}

void FluidHostCpu::schedule_refresh() {
  demand_dirty_ = true;
  const sim::Time now = sim_.now();
  if (next_at_ == now) return;
  sim_.cancel(next_);
  next_at_ = now;
  next_ = sim_.at(now, [this] { on_event(); });
}

void FluidHostCpu::on_event() {
  const sim::Time now = sim_.now();
  next_at_ = sim::Time::max();
  advance(now);
  const bool changed = poll_changes(now);
  if (changed || demand_dirty_) solve(now);
  schedule_next(now);
}

void FluidHostCpu::advance(sim::Time now) {
  const double dt = static_cast<double>((now - last_).ns());
  last_ = now;
  if (dt <= 0.0) return;
  for (Vm& vm : vms_) {
    for (Vcpu& v : vm.vcpus) {
      if (v.busy) v.work_left -= v.work_rate * dt;
    }
  }
}

bool FluidHostCpu::poll_changes(sim::Time now) {
  bool changed = false;
  for (Vm& vm : vms_) {
    for (std::size_t k = 0; k < vm.vcpus.size(); ++k) {
      Vcpu& v = vm.vcpus[k];
      if (v.work_based) {
        // Less than a nanosecond of work left is done: completion times are rounded up to
        // whole nanoseconds.
        while (v.busy && v.work_left <= v.work_rate) {
          metrics_.add(vm.cfg->metrics.tasks_completed, 1.0);
          if (const auto b = vm.cfg->generators[k].next_burst(now)) {
            v.work_left += b->work_ns;
          } else {
            v.busy = false;
            v.work_left = 0.0;
            v.level = 0.0;
            changed = true;
          }
        }
      } else if (v.until <= now) {
        const workload::Level l = vm.cfg->generators[k].level(now);
        if (l.demand != v.level) changed = true;
        v.level = l.demand;
        v.until = l.until;
      }
    }
  }
  return changed;
}

void FluidHostCpu::rebuild_tree() {
  tree_ = EntitlementTree(0.0);
  const std::vector<EntitlementTree::NodeId> pool_nodes = add_pools(tree_, pools_);
  for (Vm& vm : vms_) vm.leaf = add_vm_leaf(tree_, *vm.cfg, pool_nodes);
  tree_dirty_ = false;
}

void FluidHostCpu::solve(sim::Time now) {
  ++solves_;
  demand_dirty_ = false;
  if (tree_dirty_) rebuild_tree();

  // Demands: each busy vCPU wants its level of work, stretched by remote memory and by the
  // memory slowdown, up to a whole core.
  double demand_cores = 0.0;
  int busy = 0;
  std::vector<double> vm_demand(vms_.size());
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& vm = vms_[i];
    const double stretch = cpu_per_work(vm);
    double d = 0.0;
    for (const Vcpu& v : vm.vcpus) {
      d += std::min(1.0, v.level * stretch);
      if (v.level > 0.0) ++busy;
    }
    vm_demand[i] = d * freq_;
    tree_.set_demand(vm.leaf, vm_demand[i]);
    demand_cores += std::min(d, vm.cfg->limit_mhz / freq_);
  }
  const HtCapacity cap = ht_capacity(pcpus_, lcpus_, params_.ht_factor, demand_cores, busy);
  tree_.set_capacity(cap.cores * freq_);
  tree_.solve();

  // Each VM's rate, split among its vCPUs; run fractions in thread time.
  std::vector<double> caps, rates;
  std::vector<std::size_t> order;
  double run_sum = 0.0;
  for (Vm& vm : vms_) {
    const double stretch = cpu_per_work(vm);
    vm.alloc_mhz = tree_.allocation(vm.leaf);
    caps.clear();
    for (const Vcpu& v : vm.vcpus) caps.push_back(std::min(1.0, v.level * stretch));
    water_fill(caps, vm.alloc_mhz / freq_, rates, order);
    for (std::size_t k = 0; k < vm.vcpus.size(); ++k) {
      Vcpu& v = vm.vcpus[k];
      v.cpu_cores = rates[k];
      v.work_rate = v.busy || !v.work_based ? rates[k] / stretch : 0.0;
      run_sum += std::min(1.0, rates[k] / cap.thread_speed);
    }
  }

  // Queueing below saturation: the ready/run ratio of the finite-source model with the
  // host's busy vCPUs as sources, its logical CPUs as servers and their mean run fraction
  // as the load of each (reference D.4).
  double ready_per_run = 0.0;
  if (params_.fluid_queueing && busy > 0) {
    const double u = std::min(run_sum / busy, 0.999);
    const sim::FiniteSource fs = sim::machine_repairman(busy, lcpus_, u);
    if (fs.run > 0.0) ready_per_run = fs.ready / fs.run;
  }

  double host_used = 0.0;
  double host_demand = 0.0;
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& vm = vms_[i];
    const double stretch = cpu_per_work(vm);
    int active = 0;
    for (const Vcpu& v : vm.vcpus) active += v.level > 0.0 ? 1 : 0;
    // Co-stop: the part of a busy SMP vCPU's waiting spent stopped for its siblings grows
    // with the number of siblings it can get out of step with (docs/models.md "CPU").
    const double costop_share =
        active > 1 ? std::min(1.0, params_.fluid_costop_factor * (active - 1) / active) : 0.0;
    double values[shown_count] = {};
    for (const Vcpu& v : vm.vcpus) {
      const double want = std::min(1.0, v.level * stretch);
      const double run = std::min(1.0, v.cpu_cores / cap.thread_speed);
      // A vCPU whose demand is not fully served builds a backlog of work, so it is runnable
      // whenever it is not running, as in the detailed model; one that is served waits only
      // by the queueing estimate.
      const bool backlogged = want - v.cpu_cores > 1e-9 * std::max(1.0, want);
      const double waiting =
          v.level <= 0.0 ? 0.0 : (backlogged ? 1.0 - run : std::min(1.0 - run, ready_per_run * run));
      const double costop = costop_share * waiting;
      values[run_i] += run;
      values[ready_i] += waiting - costop;
      values[costop_i] += costop;
      values[wait_i] += std::max(0.0, 1.0 - run - waiting);
    }
    const auto n = static_cast<double>(vm.vcpus.size());
    for (int s = run_i; s <= wait_i; ++s) values[s] /= n;
    values[used_i] = vm.alloc_mhz;
    values[demand_i] = vm_demand[i];
    values[entitled_i] = vm.alloc_mhz;
    publish_vm(vm, values, now);
    host_used += vm.alloc_mhz;
    host_demand += vm_demand[i];
  }
  metrics_.set(ids_.used_mhz, now, host_used);
  metrics_.set(ids_.demand_mhz, now, host_demand);
}

void FluidHostCpu::publish_vm(Vm& vm, const double values[7], sim::Time now) {
  const VmCpuMetrics& m = vm.cfg->metrics;
  const sim::MetricId ids[shown_count] = {m.run,      m.ready,      m.costop,         m.wait,
                                          m.used_mhz, m.demand_mhz, m.entitlement_mhz};
  for (int s = 0; s < shown_count; ++s) {
    if (values[s] != vm.shown[s]) {
      metrics_.set(ids[s], now, values[s]);
      vm.shown[s] = values[s];
    }
  }
}

void FluidHostCpu::schedule_next(sim::Time now) {
  sim::Time next = sim::Time::max();
  for (const Vm& vm : vms_) {
    for (const Vcpu& v : vm.vcpus) {
      if (v.work_based) {
        if (v.busy && v.work_rate > 0.0) {
          const double ns = std::ceil(std::max(0.0, v.work_left) / v.work_rate);
          const sim::Time at = ns >= 9.0e18 ? sim::Time::max()
                                            : now + sim::Time::from_ns(std::max<std::int64_t>(
                                                        1, static_cast<std::int64_t>(ns)));
          next = std::min(next, at);
        }
      } else {
        next = std::min(next, v.until);
      }
    }
  }
  if (next == next_at_) return;
  sim_.cancel(next_);
  next_at_ = next;
  if (next != sim::Time::max()) next_ = sim_.at(next, [this] { on_event(); });
}

}  // namespace vdc::models::cpu
