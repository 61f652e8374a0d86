// Relaxed co-scheduling, siblings scheduled together, limits and entitlement samples of the
// detailed CPU model.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "vdc/models/cpu/detailed_cpu.hpp"

namespace vdc::models::cpu {

namespace {

constexpr std::int64_t none = std::numeric_limits<std::int64_t>::max();

sim::Time after_ns(sim::Time base, double ns) {
  if (!(ns < 9.0e18)) return sim::Time::max();
  return base + sim::Time::from_ns(static_cast<std::int64_t>(std::ceil(std::max(0.0, ns))));
}

}  // namespace

// Progress in the sense of reference A.2: running in the guest or halted in it; time spent
// ready or co-stopped is no progress.
std::int64_t DetailedHostCpu::progress(std::uint32_t v, sim::Time now) const {
  // Masked, not branched on: siblings' states follow no pattern a predictor could learn.
  const CoProgress& p = coprogress_[v];
  return p.base + (now.ns() & p.moving);
}

bool DetailedHostCpu::skew_costops(const Vm& vm, std::uint32_t v, sim::Time now) const {
  std::int64_t slowest = none;
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    slowest = std::min(slowest, progress(u, now));
  }
  return progress(v, now) - slowest >= params_.skew_threshold.ns();
}

sim::Time DetailedHostCpu::cosched_time(const Vm& vm, sim::Time now) const {
  // Skew grows only while a sibling is stalled, and only co-stopped vCPUs co-start.
  if (vm.n < 2 || vm.count[ready] + vm.count[costop] == 0) return sim::Time::max();
  // Least and most progress by state, without branching on states.
  std::array<std::int64_t, 4> least{none, none, none, none};
  std::array<std::int64_t, 4> most{-1, -1, -1, -1};
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    const State state = coprogress_[u].state;
    const std::int64_t p = progress(u, now);
    least[state] = std::min(least[state], p);
    most[state] = std::max(most[state], p);
  }
  const std::int64_t lead_run = most[run];  // most progress among running vCPUs
  const std::int64_t stalled = std::min(least[ready], least[costop]);  // ready or co-stopped
  const std::int64_t moving = std::min(least[run], least[wait]);       // running or idle
  const std::int64_t ready_min = least[ready];
  const std::int64_t stopped_min = least[costop];
  sim::Time at = sim::Time::max();
  // Co-stop: the leading running vCPU gains on a stalled sibling at 1 ns per ns; running
  // and idle vCPUs keep their distance (idle vCPUs accrue no skew against them).
  if (lead_run >= 0 && stalled != none) {
    const std::int64_t gap = params_.skew_threshold.ns() - (lead_run - stalled);
    at = now + sim::Time::from_ns(std::max<std::int64_t>(0, gap));
  }
  // Co-start: when the slowest of the siblings still going has caught up with the least
  // advanced co-stopped vCPU (to within cpu.costart_skew). A ready laggard must run first.
  if (stopped_min != none) {
    const std::int64_t target = stopped_min - params_.costart_skew.ns();
    if (ready_min == none || ready_min >= target) {
      const std::int64_t gap = moving == none ? 0 : std::max<std::int64_t>(0, target - moving);
      at = std::min(at, now + sim::Time::from_ns(gap));
    }
  }
  return at;
}

// Siblings together (reference A.2: "ESXi tries to schedule as many sibling vCPUs together as
// possible"): one quantum for a VM's running siblings, a VM yielding as a whole, and
// logical CPUs freed at one instant going to one VM's siblings.

sim::Time DetailedHostCpu::next_quantum_end(Vm& vm, Quantum quantum, int siblings_running,
                                            sim::Time now) {
  // One quantum for a VM's running siblings, so that they are weighed against waiting
  // vCPUs, and preempted, at the same instants rather than one by one (reference A.2:
  // "ESXi tries to schedule as many sibling vCPUs together as possible"; one preempted
  // alone would soon co-stop the others). While siblings run, a vCPU that joins takes
  // their quantum if it has not ended. One dispatched from the ready queue takes it if it
  // began less than cpu.skew_threshold ago (the VM is being dispatched: its logical CPUs
  // come free one after another), and otherwise gets a whole quantum of its own (a laggard
  // that has to catch up). A fresh quantum becomes the VM's if none is current.
  const bool current = siblings_running > 0 && vm.quantum_end > now;
  const bool just_begun = vm.quantum_end - now >= params_.quantum - params_.skew_threshold;
  if (current && (quantum == Quantum::join || just_begun)) return vm.quantum_end;
  const sim::Time end = now + params_.quantum;
  if (!current) vm.quantum_end = end;
  return end;
}

bool DetailedHostCpu::yields(std::uint32_t vi, double mine, const ReadyEntry& best_here,
                             sim::Time now) {
  // At the end of the quantum its running siblings share, a VM yields as a whole if a vCPU
  // of another VM further behind waits on the node of any of those whose quantum ends now:
  // each of them gives its logical CPU to the best vCPU waiting on its node (at this
  // instant, through yielded_at, as their timers fire). One left running alone would only
  // be co-stopped cpu.skew_threshold later (reference A.2: ESXi schedules siblings
  // together as far as it can; co-stop is for the siblings it cannot place). A vCPU whose best
  // waiting one is a ready sibling (queued earlier, at a lower virtual time) gives way to
  // it alone: the VM's share is the same, and a laggard catches up.
  Vm& vm = vms_[vi];
  const auto behind = [&](const ReadyEntry& best) {
    return best.key < mine && vcpus_[best.vcpu].vm != vi;
  };
  if (vm.yielded_at == now || behind(best_here)) {
    vm.yielded_at = now;
    return true;
  }
  const std::int32_t here = vcpus_[best_here.vcpu].node;
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    const Vcpu& s = vcpus_[u];
    if (s.state != run || s.node == here) continue;  // this node's best is best_here
    const Lcpu& at = lcpus_[static_cast<std::size_t>(s.lcpu)];
    if (at.slice_end > now) continue;
    Node& node = nodes_[static_cast<std::size_t>(at.node)];
    const ReadyEntry* best = node.ready > 0 ? peek_best(node) : nullptr;
    if (best != nullptr && behind(*best)) {
      vm.yielded_at = now;
      return true;
    }
  }
  return best_here.key < mine;
}

std::int64_t DetailedHostCpu::pop_next(Node& node, sim::Time now) {
  // Logical CPUs freed at one instant (a VM yielding, co-stopping or going idle as a
  // whole) go to the siblings of the vCPU dispatched first, as long as some wait on this
  // node, before the next VM by virtual time: ESXi schedules as many siblings together as
  // it can (reference A.2), and a VM placed in part would co-stop.
  if (node.gang_at == now) {
    const Vm& g = vms_[node.gang_vm];
    for (std::uint32_t u = g.first; u < g.first + g.n; ++u) {
      if (vcpus_[u].queued && &nodes_[static_cast<std::size_t>(vcpus_[u].node)] == &node) {
        dequeue(u);
        return u;
      }
    }
  }
  const std::int64_t v = pop_best(node);
  if (v >= 0) {
    node.gang_vm = vcpus_[static_cast<std::size_t>(v)].vm;
    node.gang_at = now;
  }
  return v;
}

sim::Time DetailedHostCpu::limit_time(const Vm& vm) const {
  if (vm.limit_rate <= 0.0) return sim::Time::max();
  if (vm.throttled) {
    const double cap = vm.limit_rate * static_cast<double>(params_.quantum.ns());
    return after_ns(vm.vt_at, (cap - vm.credit) / vm.limit_rate);
  }
  if (vm.run_speed > vm.limit_rate) {
    return after_ns(vm.vt_at, vm.credit / (vm.run_speed - vm.limit_rate));
  }
  return sim::Time::max();
}

void DetailedHostCpu::update_vm_timer(std::uint32_t vi, sim::Time now) {
  Vm& vm = vms_[vi];
  if (vm.cosched_stale) {
    vm.cosched_at = cosched_time(vm, now);
    vm.cosched_stale = false;
  }
  sim::Time at = std::min(vm.cosched_at, limit_time(vm));
  if (at != sim::Time::max()) at = std::max(at, now);
  if (at == vm.timer_at) return;
  if (vm.timer_at != sim::Time::max()) sim_.cancel(vm.timer);
  vm.timer_at = at;
  if (at != sim::Time::max()) vm.timer = sim_.at(at, [this, vi] { on_vm_timer(vi); });
}

void DetailedHostCpu::on_vm_timer(std::uint32_t vi) {
  const sim::Time now = sim_.now();
  Vm& vm = vms_[vi];
  vm.timer_at = sim::Time::max();
  vm.cosched_stale = true;
  apply_limit(vi, now);
  apply_cosched(vi, now);
  mark_changed(vi);
  flush(now);
}

void DetailedHostCpu::apply_cosched(std::uint32_t vi, sim::Time now) {
  const Vm& vm = vms_[vi];
  if (vm.n < 2) return;
  std::int64_t slowest = none;
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    slowest = std::min(slowest, progress(u, now));
  }
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    if (vcpus_[u].state == run && progress(u, now) - slowest >= params_.skew_threshold.ns()) {
      ++stats_.costops;
      lcpu_freed(stop_running(u, costop, now), now);
    }
  }
  std::int64_t going = none;  // slowest sibling not co-stopped
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    if (vcpus_[u].state != costop) going = std::min(going, progress(u, now));
  }
  for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
    if (vcpus_[u].state == costop && progress(u, now) - going <= params_.costart_skew.ns()) {
      make_runnable(u, false, now);
    }
  }
}

void DetailedHostCpu::apply_limit(std::uint32_t vi, sim::Time now) {
  Vm& vm = vms_[vi];
  if (vm.limit_rate <= 0.0) return;
  settle_vm(vm, now);
  const double cap = vm.limit_rate * static_cast<double>(params_.quantum.ns());
  const double one_ns = vm.limit_rate;  // credit for one nanosecond at the limit
  if (!vm.throttled && vm.credit <= one_ns && vm.run_speed > vm.limit_rate) {
    vm.throttled = true;
    std::vector<int> freed;
    for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
      if (vcpus_[u].queued) dequeue(u);
      if (vcpus_[u].state == run) freed.push_back(stop_running(u, ready, now));
    }
    for (const int l : freed) lcpu_freed(l, now);
  } else if (vm.throttled && vm.credit >= cap - one_ns) {
    vm.throttled = false;
    for (std::uint32_t u = vm.first; u < vm.first + vm.n; ++u) {
      if (vcpus_[u].state == ready && !vcpus_[u].queued) dispatch(u, false, false, now);
    }
  }
}

void DetailedHostCpu::update_entitlements(sim::Time now) {
  // Dynamic entitlement: what shares, reservations, limits and pools give each VM for the
  // demand levels of every VM's workload, with the fluid model's capacity rule, so both
  // fidelities publish the same entitlements. Used as a scheduling weight too.
  entitlements_dirty_ = false;
  double demand_cores = 0.0;
  int demanding = 0;
  // A VM added since the last refresh has no leaf in the tree yet: the refresh, at the same
  // instant, builds the tree with it and solves again.
  for (Vm& vm : vms_) {
    if (!vm.live || !vm.started) continue;
    tree_.set_demand(vm.leaf, vm.demand * freq_);
    demand_cores += std::min(vm.demand, vm.cfg->limit_mhz / freq_);
    demanding += vm.demanding;
  }
  const HtCapacity cap =
      ht_capacity(pcpus_, pcpus_ * threads_per_core_, params_.ht_factor, demand_cores, demanding);
  tree_.set_capacity(cap.cores * freq_);
  tree_.solve();
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& vm = vms_[i];
    if (!vm.live || !vm.started) continue;
    const double entitled = tree_.allocation(vm.leaf);
    if (entitled == vm.dynamic) continue;
    vm.dynamic = entitled;
    set_weight(vm, now);
    mark_changed(static_cast<std::uint32_t>(i));
  }
}

}  // namespace vdc::models::cpu
