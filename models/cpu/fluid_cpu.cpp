#include "vdc/models/cpu/fluid_cpu.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>
#include <vector>

#include "vdc/models/cpu/costop_chain.hpp"
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

// The vectors a solve fills and drops: one set per thread, shared by its hosts (a host's
// solve runs to its end before another's starts), so that a solve allocates nothing once
// they have grown and no host keeps vectors of its own.
struct SolveScratch {
  std::vector<double> demand;           // per VM
  std::vector<double> caps, rates;      // per vCPU of one VM
  std::vector<std::size_t> order;
  std::vector<double> waiting;          // per vCPU of the VM being published
  std::vector<char> gang;
  std::vector<std::vector<int>> widths;  // per NUMA node (runnable_in_step)
  std::vector<int> on_node, node_total;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  std::vector<char> subset_sums;
};

SolveScratch& solve_scratch() {
  thread_local SolveScratch scratch;
  return scratch;
}

}  // namespace

FluidHostCpu::FluidHostCpu(sim::Simulator& sim, sim::MetricsRegistry& metrics,
                           const HostConfig& host, const CpuParameters& params,
                           const HostCpuMetrics& ids, CostopChainCache* chains)
    : sim_(sim),
      metrics_(metrics),
      params_(params),
      ids_(ids),
      chains_(chains != nullptr ? *chains : shared_costop_chain_cache()),
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
  vm.per_work = per_work_at(vm, cfg.speed);
  vm.limit_mhz = cfg.limit_mhz;
  const VmCpuMetrics& m = cfg.metrics;
  const sim::MetricId ids[shown_count] = {m.run,      m.ready,      m.costop,         m.wait,
                                          m.used_mhz, m.demand_mhz, m.entitlement_mhz};
  std::copy(std::begin(ids), std::end(ids), vm.ids);
  vm.closed_loop = !cfg.generators.empty() && cfg.generators[0].burst_shape(0.5).closed_loop;
  vm.first = static_cast<std::uint32_t>(clock_.size());
  vm.n = static_cast<std::uint32_t>(cfg.vcpus);
  for (std::size_t k = 0; k < vm.n; ++k) {
    Vcpu& v = vcpu_.emplace_back();
    Clock& c = clock_.emplace_back();
    auto& gen = cfg.generators[k];
    c.gen = &gen;
    c.tasks = cfg.metrics.tasks_completed;
    const VcpuProgress& p = cfg.progress[k];
    c.work_based = gen.work_based();
    if (c.work_based) {
      if (p.phase == VcpuProgress::Phase::busy) {
        c.busy = true;
        c.work_left = p.work_left_ns;
      } else if (p.phase == VcpuProgress::Phase::fresh) {
        if (const auto b = gen.next_burst(now)) {
          c.busy = true;
          c.work_left = b->work_ns;
        }
      }
      v.level = c.busy ? 1.0 : 0.0;
    } else {
      const workload::Level l = gen.level(now);
      v.level = l.demand;
      c.until_ns = l.until.ns();
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
  const auto first = static_cast<std::ptrdiff_t>(it->first);
  const auto count = static_cast<std::ptrdiff_t>(it->n);
  for (std::size_t k = 0; k < it->n; ++k) {
    const Clock& c = clock_[it->first + k];
    VcpuProgress& p = cfg.progress[k];
    if (!c.work_based) {
      p = VcpuProgress{};
    } else if (c.busy) {
      p = VcpuProgress{};
      p.phase = VcpuProgress::Phase::busy;
      p.work_left_ns = std::max(0.0, c.work_left);
    } else {
      p = VcpuProgress{};
      p.phase = VcpuProgress::Phase::done;
    }
  }
  numa_.release(it->numa);
  vms_.erase(it);
  clock_.erase(clock_.begin() + first, clock_.begin() + first + count);
  vcpu_.erase(vcpu_.begin() + first, vcpu_.begin() + first + count);
  index_vcpus();
  tree_dirty_ = true;
  schedule_refresh();
}

void FluidHostCpu::set_speed(VmCpu& cfg, double speed) {
  assert(speed > 0.0 && speed <= 1.0);
  // The solve at now first drains the work done so far at the old rates, then derives
  // demands and rates from the new factor.
  Vm& vm = find(cfg);
  vm.cfg->speed = speed;
  vm.per_work = per_work_at(vm, speed);
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

void FluidHostCpu::index_vcpus() {
  std::size_t first = 0;
  for (Vm& vm : vms_) {
    vm.first = static_cast<std::uint32_t>(first);
    first += vm.n;
  }
  assert(first == clock_.size() && first == vcpu_.size());
}

void FluidHostCpu::on_event() {
  const sim::Time now = sim_.now();
  next_at_ = sim::Time::max();
  sim::Time next = sim::Time::max();
  const bool changed = poll_changes(now, next);
  if (changed || demand_dirty_) {
    solve(now);
    next = next_due(now);
  }
  schedule_at(next);
}

double FluidHostCpu::elapse(sim::Time now) {
  const double dt = static_cast<double>((now - last_).ns());
  last_ = now;
  return dt;
}

void FluidHostCpu::advance(sim::Time now) {
  const double dt = elapse(now);
  if (dt <= 0.0) return;
  for (Clock& c : clock_) {
    if (c.busy) c.work_left -= c.work_rate * dt;
  }
}

bool FluidHostCpu::poll_changes(sim::Time now, sim::Time& next) {
  // One pass over clock_: the work done since the last event, the tasks and levels due,
  // and when each vCPU is next due (the rates stand unless a demand changed).
  const double dt = elapse(now);
  bool changed = false;
  for (std::size_t i = 0; i < clock_.size(); ++i) {
    Clock& c = clock_[i];
    if (c.work_based) {
      if (!c.busy) continue;
      if (dt > 0.0) c.work_left -= c.work_rate * dt;
      // Less than a nanosecond of work left is done: completion times are rounded up to
      // whole nanoseconds.
      if (c.work_left <= c.work_rate && end_tasks(i, now)) changed = true;
      next = std::min(next, due(c, now));
    } else {
      if (c.until() <= now) {
        const workload::Level l = c.gen->level(now);
        Vcpu& v = vcpu_[i];
        if (l.demand != v.level) changed = true;
        v.level = l.demand;
        c.until_ns = l.until.ns();
      }
      next = std::min(next, c.until());
    }
  }
  return changed;
}

bool FluidHostCpu::end_tasks(std::size_t i, sim::Time now) {
  Clock& c = clock_[i];
  while (c.busy && c.work_left <= c.work_rate) {
    metrics_.add(c.tasks, 1.0);
    if (const auto b = c.gen->next_burst(now)) {
      c.work_left += b->work_ns;
    } else {
      c.busy = false;
      c.work_left = 0.0;
      vcpu_[i].level = 0.0;
      return true;
    }
  }
  return false;
}

sim::Time FluidHostCpu::due(const Clock& c, sim::Time now) {
  if (!c.work_based) return c.until();
  if (!c.busy || c.work_rate <= 0.0) return sim::Time::max();
  const double ns = std::ceil(std::max(0.0, c.work_left) / c.work_rate);
  return ns >= 9.0e18 ? sim::Time::max()
                      : now + sim::Time::from_ns(std::max<std::int64_t>(1, static_cast<std::int64_t>(ns)));
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
  SolveScratch& scratch = solve_scratch();
  std::vector<double>& vm_demand = scratch.demand;
  vm_demand.assign(vms_.size(), 0.0);
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& vm = vms_[i];
    const double stretch = vm.per_work;
    double d = 0.0;
    for (const Vcpu& v : vcpus(vm)) {
      d += std::min(1.0, v.level * stretch);
      if (v.level > 0.0) ++busy;
    }
    vm_demand[i] = d * freq_;
    tree_.set_demand(vm.leaf, vm_demand[i]);
    demand_cores += std::min(d, vm.limit_mhz / freq_);
  }
  const HtCapacity cap = ht_capacity(pcpus_, lcpus_, params_.ht_factor, demand_cores, busy);
  tree_.set_capacity(cap.cores * freq_);
  tree_.solve();

  // Each VM's rate, split among its vCPUs; run fractions in thread time.
  std::vector<double>& caps = scratch.caps;
  std::vector<double>& rates = scratch.rates;
  double run_sum = 0.0;
  for (Vm& vm : vms_) {
    const double stretch = vm.per_work;
    vm.alloc_mhz = tree_.allocation(vm.leaf);
    caps.clear();
    for (const Vcpu& v : vcpus(vm)) caps.push_back(std::min(1.0, v.level * stretch));
    water_fill(caps, vm.alloc_mhz / freq_, rates, scratch.order);
    for (std::size_t k = 0; k < vm.n; ++k) {
      Vcpu& v = vcpu_[vm.first + k];
      Clock& c = clock_[vm.first + k];
      v.cpu_cores = rates[k];
      c.work_rate = c.busy || !c.work_based ? rates[k] / stretch : 0.0;
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
  const double theta = std::max(1.0, static_cast<double>(params_.skew_threshold.ns()));
  std::vector<double>& waiting = scratch.waiting;
  std::vector<char>& gang = scratch.gang;
  int in_step = -1;  // runnable_in_step, computed when first needed
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& vm = vms_[i];
    const double stretch = vm.per_work;
    double values[shown_count] = {};
    // Per vCPU: run, then waiting (ready + co-stop), then wait (idle).
    const std::span<const Vcpu> vs = vcpus(vm);
    waiting.assign(vs.size(), 0.0);
    gang.assign(vs.size(), 0);
    int active = 0;
    int chained = 0;
    int always = 0;
    double chain_waiting = 0.0, burst_ns = 0.0, idle_ns = 0.0;
    for (std::size_t k = 0; k < vs.size(); ++k) {
      const Vcpu& v = vs[k];
      const double run = std::min(1.0, v.cpu_cores / cap.thread_speed);
      values[run_i] += run;
      if (v.level <= 0.0) continue;
      ++active;
      const double want = std::min(1.0, v.level * stretch);
      // A vCPU whose demand is not fully served either builds a backlog of work (periodic
      // arrivals, tasks) and is runnable whenever it is not running, as in the detailed
      // model, or (on_off) still thinks after each burst: its bursts come later, and it
      // idles for idle / burst of each unit of work done. One that is served waits only by
      // the queueing estimate.
      const bool backlogged = want - v.cpu_cores > 1e-9 * std::max(1.0, want);
      double w = 0.0;
      if (!backlogged) {
        w = std::min(1.0 - run, ready_per_run * run);
      } else if (vm.closed_loop) {
        const Vcpu& s = with_shape(vm, k, v.level);
        const double think =
            s.shape_burst_ns > 0.0
                ? std::min(1.0 - run, v.cpu_cores / stretch * s.shape_idle_ns / s.shape_burst_ns)
                : 0.0;
        w = 1.0 - run - think;
      } else {
        w = 1.0 - run;
        // Always runnable: no idle phase for the chain to follow. The VM's siblings start
        // and stop together (one virtual time) on a host in step (runnable_in_step);
        // otherwise the calibrated factor (cpu.fluid_costop_factor) splits its waiting.
        gang[k] = 1;
        ++always;
      }
      waiting[k] = w;
      if (!gang[k]) {
        ++chained;
        chain_waiting += w;
      }
    }
    // Co-stop: the share of waiting the VM's vCPU-state chain spends co-stopped
    // (docs/models.md "Co-stop in the fluid model"), or for always-runnable vCPUs the
    // calibrated factor; none for a 1-vCPU VM.
    if (active > 1 && always > 0 && in_step < 0) in_step = runnable_in_step(cap.thread_speed) ? 1 : 0;
    const double busy_share =
        active > 1 && always > 0 && in_step == 0
            ? std::min(1.0, params_.fluid_costop_factor * (active - 1) / active)
            : 0.0;
    double costop_share = 0.0;
    if (active > 1 && chained > 0 && chain_waiting > 0.0) {
      for (std::size_t k = 0; k < vs.size(); ++k) {
        const Vcpu& v = vs[k];
        if (v.level <= 0.0 || gang[k]) continue;
        const Vcpu& s = with_shape(vm, k, clock_[vm.first + k].work_based ? 1.0 : v.level);
        burst_ns += s.shape_burst_ns * stretch / cap.thread_speed;
        idle_ns += s.shape_idle_ns;
      }
      const double m = chained;
      CostopChainInput in;
      in.vcpus = active;
      in.waiting = std::min(chain_waiting / m, 0.999);
      in.wake_rate = idle_ns > 0.0 ? theta * m / idle_ns : 0.0;
      in.finish_rate = burst_ns > 0.0 ? theta * m / burst_ns : 0.0;
      in.preempt_rate = theta / std::max(1.0, static_cast<double>(params_.quantum.ns()));
      in.costart = std::min(static_cast<double>(params_.costart_skew.ns()) / theta, 0.99);
      // The same input as last time (levels and shares unchanged) needs no look-up.
      if (!vm.chain || in != vm.chain->in) {
        if (!vm.chain) vm.chain = std::make_unique<ChainMemo>();
        vm.chain->in = in;
        vm.chain->share = chains_.costop_share(in);
      }
      costop_share = vm.chain->share;
    }
    for (std::size_t k = 0; k < vs.size(); ++k) {
      const double run = std::min(1.0, vs[k].cpu_cores / cap.thread_speed);
      const double costop = (gang[k] ? busy_share : costop_share) * waiting[k];
      values[ready_i] += waiting[k] - costop;
      values[costop_i] += costop;
      values[wait_i] += std::max(0.0, 1.0 - run - waiting[k]);
    }
    const auto n = static_cast<double>(vs.size());
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

const FluidHostCpu::Vcpu& FluidHostCpu::with_shape(const Vm& vm, std::size_t k, double level) {
  Vcpu& v = vcpu_[vm.first + k];
  if (level != v.shape_level) {
    const auto shape = vm.cfg->generators[k].burst_shape(level);
    v.shape_level = level;
    v.shape_burst_ns = shape.burst_ns;
    v.shape_idle_ns = shape.idle_ns;
  }
  return v;
}

bool FluidHostCpu::runnable_in_step(double thread_speed) const {
  // Always-runnable vCPUs (backlogged periodic demand, tasks) and no vCPU that idles
  // between bursts: nothing on the host wakes to preempt one sibling of a VM. The detailed
  // scheduler then dispatches and preempts each VM's siblings together (one virtual time,
  // one quantum) as long as whole VMs fill the logical CPUs they free: on every NUMA node,
  // some of the VMs homed there (the busy vCPUs of their clients there) fill its logical
  // CPUs exactly. If they cannot (4-vCPU VMs on 5, 6 or 7 logical CPUs), the CPUs left
  // over go to part of a VM, which co-stops. And either every VM has one width on its
  // nodes (the shares do not matter) or every vCPU runs the same fraction (docs/models.md
  // "Co-stop in the fluid model").
  double least = 2.0, most = -1.0;
  int width = 0;
  bool one_width = true;
  const std::vector<host::NumaNode>& nodes = numa_.nodes();
  SolveScratch& scratch = solve_scratch();
  std::vector<std::vector<int>>& widths = scratch.widths;
  widths.resize(nodes.size());
  for (std::vector<int>& w : widths) w.clear();
  std::vector<int>& on_node = scratch.on_node;
  on_node.resize(nodes.size());
  std::vector<std::pair<std::size_t, std::size_t>>& spans = scratch.spans;  // (VM, node) with busy vCPUs
  spans.clear();
  std::size_t vm_index = 0;
  for (const Vm& vm : vms_) {
    const double stretch = vm.per_work;
    // A VM's busy vCPUs on each node (its clients homed there): one virtual time, one gang.
    std::fill(on_node.begin(), on_node.end(), 0);
    std::size_t k = 0;
    for (std::size_t c = 0; c < vm.numa.client_size.size(); ++c) {
      const std::size_t end =
          std::min<std::size_t>(vm.n, k + static_cast<std::size_t>(vm.numa.client_size[c]));
      const auto node = static_cast<std::size_t>(vm.numa.client_node[c]);
      for (; k < end; ++k) {
        const Vcpu& v = vcpu_[vm.first + k];
        if (v.level <= 0.0) continue;
        const double want = std::min(1.0, v.level * stretch);
        const bool backlogged = want - v.cpu_cores > 1e-9 * std::max(1.0, want);
        if (!backlogged || vm.closed_loop) return false;
        const double run = std::min(1.0, v.cpu_cores / thread_speed);
        least = std::min(least, run);
        most = std::max(most, run);
        if (node < on_node.size()) ++on_node[node];
      }
    }
    for (std::size_t j = 0; j < nodes.size(); ++j) {
      if (on_node[j] == 0) continue;
      if (width == 0) width = on_node[j];
      one_width = one_width && on_node[j] == width;
      widths[j].push_back(on_node[j]);
      spans.push_back({vm_index, j});
    }
    ++vm_index;
  }
  // A VM across nodes keeps its clients in step only if those nodes are loaded alike (the
  // detailed model's home nodes are fixed; a client on a busier node runs less and lags).
  std::vector<int>& node_total = scratch.node_total;
  node_total.assign(nodes.size(), 0);
  for (std::size_t j = 0; j < nodes.size(); ++j) {
    for (const int w : widths[j]) node_total[j] += w;
  }
  for (std::size_t a = 0; a + 1 < spans.size(); ++a) {
    const auto [vm_a, node_a] = spans[a];
    const auto [vm_b, node_b] = spans[a + 1];
    if (vm_a == vm_b && node_total[node_a] != node_total[node_b]) return false;
  }
  if (!one_width && most - least > 0.01) return false;
  const int threads = std::max(1, lcpus_ / std::max(1, pcpus_));
  std::vector<char>& reach = scratch.subset_sums;
  for (std::size_t j = 0; j < nodes.size(); ++j) {
    const int l = nodes[j].cores * threads;
    if (node_total[j] <= l) continue;  // every busy vCPU homed there runs at once
    // Subset sum: can whole clients fill the node's l logical CPUs?
    reach.assign(static_cast<std::size_t>(l) + 1, 0);
    reach[0] = 1;
    for (const int w : widths[j]) {
      for (int x = l; x >= w; --x) {
        if (reach[static_cast<std::size_t>(x - w)]) reach[static_cast<std::size_t>(x)] = 1;
      }
    }
    if (!reach[static_cast<std::size_t>(l)]) return false;
  }
  return true;
}

void FluidHostCpu::publish_vm(Vm& vm, const double values[7], sim::Time now) {
  for (int s = 0; s < shown_count; ++s) {
    if (values[s] != vm.shown[s]) {
      metrics_.set(vm.ids[s], now, values[s]);
      vm.shown[s] = values[s];
    }
  }
}

sim::Time FluidHostCpu::next_due(sim::Time now) const {
  sim::Time next = sim::Time::max();
  for (const Clock& c : clock_) next = std::min(next, due(c, now));
  return next;
}

void FluidHostCpu::schedule_at(sim::Time next) {
  if (next == next_at_) return;
  sim_.cancel(next_);
  next_at_ = next;
  if (next != sim::Time::max()) next_ = sim_.at(next, [this] { on_event(); });
}

}  // namespace vdc::models::cpu
