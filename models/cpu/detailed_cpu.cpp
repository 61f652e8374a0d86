#include "vdc/models/cpu/detailed_cpu.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <limits>

namespace vdc::models::cpu {

namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

// Order of the ready queues: a vCPU of lower virtual time runs first, then the first come;
// `later(a, b)` when b runs before a. A function object, so that the algorithms inline it.
constexpr auto later = [](const auto& a, const auto& b) {
  return a.key > b.key || (a.key == b.key && a.seq > b.seq);
};

double ns_of(sim::Time t) { return static_cast<double>(t.ns()); }

// std::ceil of a duration in [0, 9e18) ns, as an integer: one conversion each way, where
// std::ceil (no SSE4.1 in the baseline x86-64) is a longer chain, converted once more.
std::int64_t ceil_ns(double ns) {
  const auto whole = static_cast<std::int64_t>(ns);  // truncated; exact from 2^52 up
  return whole + (static_cast<double>(whole) < ns ? 1 : 0);
}

}  // namespace

DetailedHostCpu::DetailedHostCpu(sim::Simulator& sim, sim::MetricsRegistry& metrics,
                                 const HostConfig& host, const CpuParameters& params,
                                 const HostCpuMetrics& ids)
    : sim_(sim),
      metrics_(metrics),
      params_(params),
      ids_(ids),
      freq_(host.cpu.frequency_mhz),
      pcpus_(host.cpu.pcpus()),
      threads_per_core_(std::max(1, host.cpu.threads_per_core)),
      numa_(host::numa_nodes(host.cpu, host.memory_mib)) {
  core_busy_.assign(static_cast<std::size_t>(pcpus_), 0);
  for (std::size_t j = 0; j < numa_.nodes().size(); ++j) {
    const host::NumaNode& n = numa_.nodes()[j];
    Node node;
    node.first_lcpu = n.first_core * threads_per_core_;
    node.lcpus = n.cores * threads_per_core_;
    node.first_core = n.first_core;
    node.idle = node.lcpus;
    node.idle_lcpus.assign(static_cast<std::size_t>(node.lcpus + 63) / 64, 0);
    node.idle_cores.assign(static_cast<std::size_t>(n.cores + 63) / 64, 0);
    for (int i = 0; i < node.lcpus; ++i) {
      node.idle_lcpus[static_cast<std::size_t>(i / 64)] |= std::uint64_t{1} << (i % 64);
    }
    for (int i = 0; i < n.cores; ++i) {
      node.idle_cores[static_cast<std::size_t>(i / 64)] |= std::uint64_t{1} << (i % 64);
    }
    nodes_.push_back(node);
    for (int c = n.first_core; c < n.first_core + n.cores; ++c) {
      for (int t = 0; t < threads_per_core_; ++t) {
        Lcpu l;
        l.core = c;
        l.node = static_cast<std::int32_t>(j);
        lcpus_.push_back(l);
      }
    }
  }
  tree_ = EntitlementTree(pcpus_ * freq_);
}

DetailedHostCpu::~DetailedHostCpu() {
  sim_.cancel(refresh_event_);
  for (Lcpu& l : lcpus_) sim_.cancel(l.timer);
  for (Vcpu& v : vcpus_) sim_.cancel(v.wake);
  for (Vm& vm : vms_) sim_.cancel(vm.timer);
}

// ---- Accounting ------------------------------------------------------------------------

void DetailedHostCpu::set_state(std::uint32_t v, State s, sim::Time now) {
  Vcpu& x = vcpus_[v];
  Vm& vm = vms_[x.vm];
  x.acc[x.state] += (now - x.since).ns();
  x.since = now;
  --vm.count[x.state];
  ++vm.count[s];
  x.state = s;
  const std::int32_t moving = -static_cast<std::int32_t>((s == run) | (s == wait));
  coprogress_[v] = CoProgress{x.acc[run] + x.acc[wait] - (now.ns() & moving), moving, s};
  vm.cosched_stale = true;
  mark_changed(x.vm);
}

void DetailedHostCpu::set_demand(std::uint32_t v, double cores) {
  Vcpu& x = vcpus_[v];
  if (cores == x.demand) return;
  Vm& vm = vms_[x.vm];
  vm.demand += cores - x.demand;
  host_demand_ += cores - x.demand;
  vm.demanding += (cores > 0.0 ? 1 : 0) - (x.demand > 0.0 ? 1 : 0);
  x.demand = cores;
  entitlements_dirty_ = true;
  mark_changed(x.vm);
}

void DetailedHostCpu::settle_vcpu(std::uint32_t v, sim::Time now) {
  Vcpu& x = vcpus_[v];
  if (x.state != run) return;
  const double w = ns_of(now - x.run_since) * lcpus_[static_cast<std::size_t>(x.lcpu)].speed /
                   vms_[x.vm].stretch;
  x.work_left -= w;
  x.work_done += w;
  x.run_since = now;
}

void DetailedHostCpu::settle_vm(Vm& vm, sim::Time now) {
  const double dt = ns_of(now - vm.vt_at);
  if (dt <= 0.0) return;
  vm.vt_base += vm.run_speed * vm.vt_per_ns * dt;
  if (vm.limit_rate > 0.0) {
    const double cap = vm.limit_rate * ns_of(params_.quantum);
    vm.credit = std::min(cap, vm.credit + (vm.limit_rate - vm.run_speed) * dt);
  }
  vm.vt_at = now;
}

double DetailedHostCpu::vt(const Vm& vm, sim::Time now) const {
  return vm.vt_base + vm.run_speed * vm.vt_per_ns * ns_of(now - vm.vt_at);
}

// ---- Logical CPUs ----------------------------------------------------------------------

void DetailedHostCpu::start_running(std::uint32_t v, int l, sim::Time now, Quantum quantum) {
  Vcpu& x = vcpus_[v];
  Vm& vm = vms_[x.vm];
  Lcpu& lc = lcpus_[static_cast<std::size_t>(l)];
  Node& node = nodes_[static_cast<std::size_t>(lc.node)];
  assert(lc.vcpu < 0);
  settle_vm(vm, now);
  const int busy = ++core_busy_[static_cast<std::size_t>(lc.core)];
  if (busy == 2) ++node.doubled;
  mark_busy(node, l);
  lc.speed = busy <= 1 ? 1.0 : params_.ht_factor / busy;
  if (busy >= 2) core_changed(lc.core);
  lc.vcpu = static_cast<std::int32_t>(v);
  lc.vm = x.vm;
  // Its running siblings: this vCPU is not counted yet, except when rebalance_core moves
  // it (still RUN), which so takes the VM's current quantum even if no sibling runs.
  lc.slice_end = next_quantum_end(vm, quantum, vm.count[run], now);
  x.lcpu = l;
  x.run_since = now;
  set_state(v, run, now);
  vm.run_speed += lc.speed;
  host_run_speed_ += lc.speed;
  ++stats_.dispatches;
  arm_timer(l, now);
}

int DetailedHostCpu::stop_running(std::uint32_t v, State to, sim::Time now) {
  Vcpu& x = vcpus_[v];
  Vm& vm = vms_[x.vm];
  const int l = x.lcpu;
  Lcpu& lc = lcpus_[static_cast<std::size_t>(l)];
  Node& node = nodes_[static_cast<std::size_t>(lc.node)];
  settle_vcpu(v, now);
  settle_vm(vm, now);
  vm.run_speed -= lc.speed;
  host_run_speed_ -= lc.speed;
  lc.vcpu = -1;
  if (lc.timer_at != sim::Time::max()) sim_.cancel(lc.timer);
  lc.timer_at = sim::Time::max();
  lc.slice_end = sim::Time::max();
  const int busy = --core_busy_[static_cast<std::size_t>(lc.core)];
  if (busy == 1) --node.doubled;
  mark_idle(node, l);
  if (busy >= 1) core_changed(lc.core);
  x.lcpu = -1;
  set_state(v, to, now);
  // Sums of speeds drift by rounding; reset them when exactly nothing runs.
  if (vm.count[run] == 0) vm.run_speed = 0.0;
  if (node.idle == node.lcpus && host_run_speed_ < 1e-9) host_run_speed_ = 0.0;
  return l;
}

void DetailedHostCpu::core_changed(int core) {
  // Its threads' speeds change at this instant, once whatever came and went: a vCPU that
  // leaves a logical CPU to the next one (a preemption, a quantum's end, a burst's end with
  // vCPUs ready) leaves the partner's speed as it was.
  // Applying a core twice changes nothing the second time; a swap marks it twice in a row.
  if (changed_cores_.empty() || changed_cores_.back() != core) changed_cores_.push_back(core);
}

void DetailedHostCpu::apply_core_speeds(sim::Time now) {
  for (const int core : changed_cores_) {
    const int busy = core_busy_[static_cast<std::size_t>(core)];
    const double speed = busy <= 1 ? 1.0 : params_.ht_factor / busy;
    const int first = core * threads_per_core_;
    for (int t = first; t < first + threads_per_core_; ++t) {
      Lcpu& lc = lcpus_[static_cast<std::size_t>(t)];
      if (lc.vcpu < 0 || lc.speed == speed) continue;
      const auto v = static_cast<std::uint32_t>(lc.vcpu);
      Vm& vm = vms_[lc.vm];
      // Slowing down when already brought up to date at this instant (typically, it was
      // dispatched now): arm_timer has run since its work, speed or slice last changed, so
      // its timer is due no later than its burst's end at the faster speed, which is no
      // later than at the slower one (division and ceiling are monotonic). arm_timer would
      // keep the timer and settle_vcpu would add nothing: both are skipped.
      const bool keep = speed < lc.speed && vcpus_[v].run_since == now &&
                        lc.timer_at != sim::Time::max();
      if (!keep) settle_vcpu(v, now);
      settle_vm(vm, now);
      vm.run_speed += speed - lc.speed;
      host_run_speed_ += speed - lc.speed;
      lc.speed = speed;
      mark_changed(lc.vm);
      if (keep) {
        assert(timer_due(t, now) >= lc.timer_at);
      } else {
        arm_timer(t, now);
      }
    }
  }
  changed_cores_.clear();
}

sim::Time DetailedHostCpu::timer_due(int l, sim::Time now) const {
  // The end of the burst at the current speed, or of the quantum if sooner.
  const Lcpu& lc = lcpus_[static_cast<std::size_t>(l)];
  const Vcpu& x = vcpus_[static_cast<std::size_t>(lc.vcpu)];
  sim::Time at = sim::Time::max();
  if (std::isfinite(x.work_left)) {
    const double ns = std::max(0.0, x.work_left) * vms_[x.vm].stretch / lc.speed;
    if (ns < 9.0e18) at = x.run_since + sim::Time::from_ns(ceil_ns(ns));
  }
  return std::max(now, std::min(at, lc.slice_end));
}

void DetailedHostCpu::arm_timer(int l, sim::Time now) {
  Lcpu& lc = lcpus_[static_cast<std::size_t>(l)];
  const sim::Time at = timer_due(l, now);
  // A pending timer that fires no later is kept: it re-arms itself when it finds nothing
  // due (hyperthread partners change speed often; this saves most reschedules).
  const bool pending = lc.timer_at != sim::Time::max();
  if (pending && at >= lc.timer_at) return;
  if (pending) sim_.cancel(lc.timer);
  lc.timer_at = at;
  if (at != sim::Time::max()) lc.timer = sim_.at(at, [this, l] { on_lcpu_timer(l); });
}

void DetailedHostCpu::on_lcpu_timer(int l) {
  const sim::Time now = sim_.now();
  Lcpu& lc = lcpus_[static_cast<std::size_t>(l)];
  lc.timer_at = sim::Time::max();
  const auto v = static_cast<std::uint32_t>(lc.vcpu);
  settle_vcpu(v, now);
  Vcpu& x = vcpus_[v];
  Vm& vm = vms_[x.vm];
  if (x.work_left * vm.stretch / lc.speed < 1.0) {
    burst_done(v, now);
  } else if (now < lc.slice_end) {
    arm_timer(l, now);  // an early timer of an earlier speed: nothing due yet
  } else {
    Node& node = nodes_[static_cast<std::size_t>(lc.node)];
    const ReadyEntry* best = node.ready > 0 ? peek_best(node) : nullptr;
    if (best != nullptr && vm.count[wait] > 0) {
      // A VM with idle vCPUs cannot stay more than cpu.idle_credit behind the best waiting
      // one: the bound on credit saved while idle (like CFS's min_vruntime lag). One whose
      // vCPUs all want to run saved nothing: it is behind because it was kept from running
      // (ready, co-stopped), and keeps what it is owed.
      settle_vm(vm, now);
      vm.vt_base = std::max(vm.vt_base, best->key - ns_of(params_.idle_credit));
    }
    const double mine = vt(vm, now);
    if (best != nullptr && yields(x.vm, mine, *best, now)) {
      ++stats_.preemptions;
      stop_running(v, ready, now);
      const auto next = static_cast<std::uint32_t>(pop_next(node, now));
      start_running(next, l, now);
      enqueue(v, mine);
    } else {
      lc.slice_end = next_quantum_end(vm, Quantum::join, vm.count[run] - 1, now);
      arm_timer(l, now);
    }
  }
  flush(now);
}

void DetailedHostCpu::lcpu_freed(int l, sim::Time now) {
  Lcpu& lc = lcpus_[static_cast<std::size_t>(l)];
  if (lc.vcpu >= 0) return;
  Node& node = nodes_[static_cast<std::size_t>(lc.node)];
  if (node.ready > 0) {
    start_running(static_cast<std::uint32_t>(pop_next(node, now)), l, now);
    return;
  }
  if (node.doubled > 0 && core_busy_[static_cast<std::size_t>(lc.core)] == 0) {
    rebalance_core(l, now);
  }
}

void DetailedHostCpu::rebalance_core(int l, sim::Time now) {
  // A whole idle core beats half a busy one (KB 326271): move a vCPU sharing a core here.
  const Node& node = nodes_[static_cast<std::size_t>(lcpus_[static_cast<std::size_t>(l)].node)];
  for (int t = node.first_lcpu; t < node.first_lcpu + node.lcpus; ++t) {
    const Lcpu& lc = lcpus_[static_cast<std::size_t>(t)];
    if (lc.vcpu >= 0 && core_busy_[static_cast<std::size_t>(lc.core)] >= 2) {
      const auto v = static_cast<std::uint32_t>(lc.vcpu);
      stop_running(v, run, now);
      // Moved, not rescheduled: it takes the VM's current quantum, if one has not ended,
      // instead of a fresh one.
      start_running(v, l, now, Quantum::join);
      return;
    }
  }
}

void DetailedHostCpu::mark_idle(Node& node, int l) {
  const int core = lcpus_[static_cast<std::size_t>(l)].core;
  const auto i = static_cast<std::size_t>(l - node.first_lcpu);
  const auto c = static_cast<std::size_t>(core - node.first_core);
  ++node.idle;
  node.idle_lcpus[i / 64] |= std::uint64_t{1} << (i % 64);
  if (core_busy_[static_cast<std::size_t>(core)] == 0) {
    node.idle_cores[c / 64] |= std::uint64_t{1} << (c % 64);
  }
}

void DetailedHostCpu::mark_busy(Node& node, int l) {
  const int core = lcpus_[static_cast<std::size_t>(l)].core;
  const auto i = static_cast<std::size_t>(l - node.first_lcpu);
  const auto c = static_cast<std::size_t>(core - node.first_core);
  --node.idle;
  node.idle_lcpus[i / 64] &= ~(std::uint64_t{1} << (i % 64));
  node.idle_cores[c / 64] &= ~(std::uint64_t{1} << (c % 64));
}

int DetailedHostCpu::pick_idle_lcpu(const Node& node, std::uint32_t vm) const {
  if (node.idle == 0) return -1;
  // First choice: a whole idle core (KB 326271).
  for (std::size_t w = 0; w < node.idle_cores.size(); ++w) {
    if (node.idle_cores[w] != 0) {
      const int c = static_cast<int>(w * 64) + std::countr_zero(node.idle_cores[w]);
      return (node.first_core + c) * threads_per_core_;
    }
  }
  // Then a thread beside another VM's vCPU, before one beside a sibling.
  int beside_sibling = -1;
  for (std::size_t w = 0; w < node.idle_lcpus.size(); ++w) {
    for (std::uint64_t bits = node.idle_lcpus[w]; bits != 0; bits &= bits - 1) {
      const int t = node.first_lcpu + static_cast<int>(w * 64) + std::countr_zero(bits);
      const int first = lcpus_[static_cast<std::size_t>(t)].core * threads_per_core_;
      bool sibling = false;
      for (int u = first; u < first + threads_per_core_; ++u) {
        const Lcpu& other = lcpus_[static_cast<std::size_t>(u)];
        sibling = sibling || (other.vcpu >= 0 && other.vm == vm);
      }
      if (!sibling) return t;
      if (beside_sibling < 0) beside_sibling = t;
    }
  }
  return beside_sibling;
}

// ---- Ready queues ----------------------------------------------------------------------

void DetailedHostCpu::enqueue(std::uint32_t v, double key) {
  Vcpu& x = vcpus_[v];
  Node& node = nodes_[static_cast<std::size_t>(x.node)];
  x.queued = true;
  x.qseq = ++seq_;
  // A sorted vector rather than a binary heap: the best is taken from the back, and an
  // insertion is a binary search and one move of the entries behind it (a few dozen in
  // saturation, 24 bytes each), where a heap's sifts take a branch at each level that no
  // predictor learns (bench/README.md, tenth pass).
  const ReadyEntry e{key, x.qseq, v};
  auto& q = node.ready_queue;
  q.insert(std::upper_bound(q.begin(), q.end(), e, later), e);
  ++node.ready;
}

const DetailedHostCpu::ReadyEntry* DetailedHostCpu::peek_best(Node& node) {
  while (!node.ready_queue.empty()) {
    const ReadyEntry& top = node.ready_queue.back();
    const Vcpu& x = vcpus_[top.vcpu];
    if (x.queued && x.qseq == top.seq) return &top;
    node.ready_queue.pop_back();
  }
  return nullptr;
}

std::int64_t DetailedHostCpu::pop_best(Node& node) {
  const ReadyEntry* top = peek_best(node);
  if (top == nullptr) return -1;
  const std::uint32_t v = top->vcpu;
  node.ready_queue.pop_back();
  vcpus_[v].queued = false;
  --node.ready;
  return v;
}

void DetailedHostCpu::dequeue(std::uint32_t v) {
  Vcpu& x = vcpus_[v];
  x.queued = false;
  --nodes_[static_cast<std::size_t>(x.node)].ready;
}

// ---- Becoming runnable -----------------------------------------------------------------

void DetailedHostCpu::make_runnable(std::uint32_t v, bool from_wait, sim::Time now) {
  Vcpu& x = vcpus_[v];
  Vm& vm = vms_[x.vm];
  const bool was_idle = vm.count[run] + vm.count[ready] + vm.count[costop] == 0;
  if (from_wait) {
    ++stats_.wakes;
    if (vm.n > 1 && skew_costops(vm, v, now)) {
      ++stats_.costops;
      set_state(v, costop, now);
      return;
    }
  }
  if (vm.throttled) {
    set_state(v, ready, now);
    return;
  }
  dispatch(v, from_wait && was_idle, from_wait, now);
}

void DetailedHostCpu::dispatch(std::uint32_t v, bool was_idle, bool from_wait,
                               sim::Time now) {
  Vcpu& x = vcpus_[v];
  Vm& vm = vms_[x.vm];
  Node& node = nodes_[static_cast<std::size_t>(x.node)];
  // Woken beside running siblings, it joins their quantum. A co-started or unthrottled one
  // is dispatched as from the ready queue (next_quantum_end).
  const Quantum quantum = from_wait ? Quantum::join : Quantum::fresh;
  const int l = pick_idle_lcpu(node, x.vm);
  if (l >= 0) {
    start_running(v, l, now, quantum);
    return;
  }
  if (from_wait) ++stats_.waited;
  // Preempt the running vCPU whose VM is furthest ahead of its entitlement, if this VM is
  // behind it (consumed / entitlement as priority, reference A.1).
  int victim = -1;
  double worst = -infinity;
  double floor = infinity;
  for (int t = node.first_lcpu; t < node.first_lcpu + node.lcpus; ++t) {
    const Lcpu& lc = lcpus_[static_cast<std::size_t>(t)];
    assert(lc.vcpu >= 0);  // pick_idle_lcpu found none idle
    const double their = vt(vms_[lc.vm], now);
    floor = std::min(floor, their);
    // Selected with conditional moves, not branches: which VM is furthest ahead follows
    // no pattern. A sibling counts as -infinity, never ahead.
    const double other = lc.vm == x.vm ? -infinity : their;
    victim = other > worst ? t : victim;
    worst = std::max(worst, other);
  }
  if (was_idle) {
    // Waking from idle: keep at most cpu.idle_credit of the credit saved while idle
    // against the VMs running now.
    settle_vm(vm, now);
    vm.vt_base = std::max(vm.vt_base, floor - ns_of(params_.idle_credit));
  }
  const double key = vt(vm, now);
  if (victim < 0 || worst <= key) {
    set_state(v, ready, now);
    enqueue(v, key);
    return;
  }
  // It runs at once, no time ready. Its VM is marked changed before the victim's, so that
  // flush() sets their timers in that order (the order of equal times).
  mark_changed(x.vm);
  ++stats_.preemptions;
  const auto u = static_cast<std::uint32_t>(lcpus_[static_cast<std::size_t>(victim)].vcpu);
  stop_running(u, ready, now);
  start_running(v, victim, now, quantum);
  enqueue(u, worst);
}

// ---- Bursts ----------------------------------------------------------------------------

DetailedHostCpu::Step DetailedHostCpu::next_work(std::uint32_t v, sim::Time now) {
  const Step step = draw_work(v, now);
  take_level(v, step, now);
  return step;
}

void DetailedHostCpu::take_level(std::uint32_t v, Step step, sim::Time now) {
  // The demand gauge shows what the workload asks for (its level, as in the fluid model),
  // not how long its vCPUs stay runnable.
  Vcpu& x = vcpus_[v];
  const Vm& vm = vms_[x.vm];
  auto& gen = vm.cfg->generators[x.k];
  x.level = gen.work_based() ? (step == Step::run ? 1.0 : 0.0)
            : step == Step::done ? 0.0
                                 : gen.level(now).demand;
  set_demand(v, std::min(1.0, x.level * vm.stretch));
}

DetailedHostCpu::Step DetailedHostCpu::draw_work(std::uint32_t v, sim::Time now) {
  Vcpu& x = vcpus_[v];
  auto& gen = vms_[x.vm].cfg->generators[x.k];
  // Bursts with no work are skipped; a workload of nothing but those has no work at all.
  for (int tries = 0; tries < 64; ++tries) {
    const auto b = gen.next_burst(now);
    if (!b) break;
    x.has_work = true;
    if (b->work_ns > 0.0) {
      x.work_left = b->work_ns;
      x.idle_after = b->idle;
      x.next_start = b->next_start;
      return Step::run;
    }
    if (b->idle > sim::Time::zero()) {
      x.idle_after = b->idle;
      return Step::idle;
    }
  }
  x.has_work = false;
  return Step::done;
}

void DetailedHostCpu::go_idle(std::uint32_t v, sim::Time idle, sim::Time now) {
  Vcpu& x = vcpus_[v];
  x.wake_at = now + idle;
  x.wake = sim_.at(x.wake_at, [this, v] { on_wake(v); });
}

void DetailedHostCpu::on_wake(std::uint32_t v) {
  const sim::Time now = sim_.now();
  switch (next_work(v, now)) {
    case Step::run: make_runnable(v, true, now); break;
    case Step::idle: go_idle(v, vcpus_[v].idle_after, now); break;
    case Step::done: break;
  }
  flush(now);
}

void DetailedHostCpu::burst_done(std::uint32_t v, sim::Time now) {
  Vcpu& x = vcpus_[v];
  VmCpu& cfg = *vms_[x.vm].cfg;
  ++stats_.bursts;
  auto& gen = cfg.generators[x.k];
  if (gen.work_based()) metrics_.add(cfg.metrics.tasks_completed, 1.0);
  x.work_left = 0.0;
  if (x.next_start != sim::Time::max()) {
    // A periodic burst: idle until the next one arrives, none if it is already due.
    x.idle_after = std::max(sim::Time::zero(), x.next_start - now);
  }
  Step step = Step::idle;
  if (x.idle_after == sim::Time::zero()) step = next_work(v, now);
  if (step == Step::run) {
    arm_timer(x.lcpu, now);
    return;
  }
  const sim::Time idle = x.idle_after;
  const int l = stop_running(v, wait, now);
  if (step == Step::idle) go_idle(v, idle, now);
  lcpu_freed(l, now);
}

}  // namespace vdc::models::cpu
