#include "vdc/models/memory/host_memory.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "vdc/models/admission.hpp"

namespace vdc::models::memory {

namespace {

constexpr std::uint32_t npos = 0xffff'ffffU;

/// `x` moved toward `target` as a random scan finds the rest: the distance shrinks by
/// `decay` (= e^(-dt / scan time)); a lower target (content left) is taken at once, and
/// so is the last page.
double approach(double x, double target, double decay) {
  const double gap = (target - x) * decay;
  return gap < 1.0 / pages_per_mib ? target : target - gap;
}

/// Keeps the fraction `keep` of the `active` part of `total`; the rest faults back in.
void fault_in(double& total, double& active, double keep) {
  const double back = active * keep < 1.0 / pages_per_mib ? active : active * (1.0 - keep);
  total = std::max(0.0, total - back);
  active -= back;
}

}  // namespace

HostMemory::HostMemory(const HostConfig& host, const MemoryParams& params, sim::Time start)
    : params_(params),
      host_name_(host.name),
      capacity_(host.memory_mib),
      min_free_(memory::min_free_mib(host.memory_mib, params.min_free_pct)),
      thresholds_(state_thresholds_mib(min_free_, params.state_pct)),
      // Mem.ShareScanGHz is MB/s per GHz; MB = 2^20 bytes in the reference's convention.
      scan_budget_mib_s_(params.share_scan_ghz * host.cpu.capacity_mhz() / 1000.0),
      tax_k_(1.0 / (1.0 - params.idle_tax_pct / 100.0)),
      period_(sim::Time::from_seconds(params.balance_period_s)),
      sample_period_(sim::Time::from_seconds(params.sample_period_s)),
      last_(start),
      next_sample_(start + sample_period_),
      free_(host.memory_mib) {
  static_assert(sizeof(Vm) == 256, "docs/memory.md quotes the per-VM state size");
  assert(params.idle_tax_pct < 100.0 && period_ > sim::Time::zero() &&
         sample_period_ > sim::Time::zero());
}

HostMemory::Vm& HostMemory::vm_of(VmHandle vm) {
  assert(has_vm(vm));
  return vms_[slot_of_[vm]];
}

const HostMemory::Vm& HostMemory::vm_of(VmHandle vm) const {
  assert(has_vm(vm));
  return vms_[slot_of_[vm]];
}

bool HostMemory::has_vm(VmHandle vm) const {
  return vm < slot_of_.size() && slot_of_[vm] != npos;
}

std::optional<std::string> HostMemory::admission_refusal(const VmConfig& vm) const {
  const double overhead = overhead_mib(vm.memory_mib, vm.vcpus);
  const double reservation = std::min(vm.mem.reservation, vm.memory_mib);
  // The relative tolerance of the pools' ledger, which a run checks first (docs/memory.md,
  // "Admission control"): rounding does not refuse here an exact fit it admitted.
  const double total = reservation + overhead;
  if (total <= unreserved_mib() + 1e-9 * std::max(1.0, total)) return std::nullopt;
  return format_refusal(memory_reservations, reservation, overhead, unreserved_mib(),
                             "host", host_name_);
}

void HostMemory::set_pools(std::vector<MemoryPool> pools) {
  assert(pooled_vms_ == 0);
  for (std::size_t p = 0; p < pools.size(); ++p) {
    assert(pools[p].parent < static_cast<PoolSlot>(p));
  }
  pools_ = std::move(pools);
  quiet_ = coasting_ = false;
}

void HostMemory::set_pool_limit(PoolSlot pool, double limit_mib) {
  MemoryPool& p = pools_[static_cast<std::size_t>(pool)];
  if (p.limit_mib == limit_mib) return;
  p.limit_mib = limit_mib;
  quiet_ = coasting_ = false;
}

PowerOnResult HostMemory::power_on(const VmConfig& vm, sim::Time now, double touched_mib,
                                   double touch_target_mib, PoolSlot pool) {
  assert(pool == no_pool || (pool >= 0 && static_cast<std::size_t>(pool) < pools_.size()));
  advance(now);
  if (auto refusal = admission_refusal(vm)) return PowerOnResult{0, std::move(*refusal)};

  const MemoryWorkload& w = vm.mem_workload;
  const double m = vm.memory_mib;
  Vm v{};
  v.mem = m;
  v.reservation = std::min(vm.mem.reservation, m);
  v.limit = vm.mem.limit ? *vm.mem.limit : inf;
  v.shares = mem_shares(vm.mem, m);
  v.overhead = overhead_mib(m, vm.vcpus);
  v.touch_max = std::max(std::clamp(w.touched, 0.0, 1.0) * m, std::clamp(touch_target_mib, 0.0, m));
  v.active_max = std::clamp(w.active, 0.0, 1.0) * m;
  // Zero and image pages are disjoint parts of the touched content.
  v.zero_frac = std::clamp(w.zero, 0.0, 1.0);
  v.image_frac = std::clamp(w.image, 0.0, 1.0 - v.zero_frac);
  v.zip_frac = std::clamp(w.compressible, 0.0, 1.0);
  v.balloon_max =
      max_balloon_mib(m, v.reservation, params_.ctl_max_pct, vm.mem_max_balloon.value_or(inf));
  v.zip_max = zip_cache_mib(m, params_.zip_max_pct) / params_.zip_slot_fraction;
  v.touched = std::clamp(touched_mib, 0.0, m);
  v.content = v.touched;
  v.small = params_.alloc_guest_large_page > 0.0 ? 0.0 : v.touched;
  // The averages start at 0, so a new VM's estimate is its current sample (the max of
  // the three) and grows smoothly from there.
  v.f_fast = 0.0;
  v.f_slow = 0.0;
  v.target = inf;
  v.progress = 1.0;
  v.group = -1;
  v.pool = pool;
  if (pool != no_pool) ++pooled_vms_;
  if (auto key = share_group_key(static_cast<int>(params_.share_force_salting), vm.guest.os,
                                 vm.guest.salt, params_.unset_salt_common > 0.0)) {
    auto it = std::find_if(groups_.begin(), groups_.end(),
                           [&](const Group& g) { return g.key == *key; });
    if (it == groups_.end()) {
      groups_.push_back(Group{std::move(*key)});
      it = groups_.end() - 1;
    }
    v.group = static_cast<std::int32_t>(it - groups_.begin());
  }
  v.handle = static_cast<VmHandle>(slot_of_.size());
  slot_of_.push_back(static_cast<std::uint32_t>(vms_.size()));
  vms_.push_back(v);
  handles_.push_back(v.handle);
  reserved_ += v.reservation + v.overhead;
  scan_demand_mib_s_ += v.mem / (params_.share_scan_time_min * 60.0);
  solver_dirty_ = true;
  quiet_ = coasting_ = false;
  account();
  return PowerOnResult{v.handle, {}};
}

void HostMemory::power_off(VmHandle vm, sim::Time now) {
  advance(now);
  const std::uint32_t slot = slot_of_[vm];
  Vm& v = vms_[slot];
  reserved_ -= v.reservation + v.overhead;
  scan_demand_mib_s_ -= v.mem / (params_.share_scan_time_min * 60.0);
  if (v.pool != no_pool) --pooled_vms_;
  const std::uint32_t last = static_cast<std::uint32_t>(vms_.size() - 1);
  if (slot != last) {
    vms_[slot] = vms_[last];
    handles_[slot] = handles_[last];
    slot_of_[handles_[slot]] = slot;
  }
  vms_.pop_back();
  handles_.pop_back();
  slot_of_[vm] = npos;
  solver_dirty_ = true;
  quiet_ = coasting_ = false;
  account();
}

void HostMemory::set_active(VmHandle vm, double active_mib, sim::Time now) {
  advance(now);
  Vm& v = vm_of(vm);
  const double target = std::clamp(active_mib, 0.0, v.mem);
  if (target == v.active_max) return;
  // Active guest content before and after; the difference moves between active and idle.
  const double a0 = std::min(active(v), v.content);
  v.active_max = target;
  v.touch_max = std::max(v.touch_max, target);
  const double a1 = std::min(active(v), v.content);
  if (a1 > a0) {
    // Newly active pages come from the idle ones, wherever those are.
    const double idle = v.content - a0;
    const double share = idle > 0.0 ? (a1 - a0) / idle : 0.0;
    v.zip_active += share * (v.zip - v.zip_active);
    v.swap_active += share * (v.swap - v.swap_active);
  } else if (a1 < a0) {
    // Pages that go idle are taken from the active ones, wherever those are.
    const double keep = a0 > 0.0 ? a1 / a0 : 0.0;
    v.zip_active *= keep;
    v.swap_active *= keep;
  }
  quiet_ = coasting_ = false;
  redistribute_ = true;
  account();
}

void HostMemory::step(sim::Time now) {
  advance(now);
  if (quiet_) return;
  update_state();
  solved_ = false;
  const bool changed = rebalance();
  // Nothing moved and nothing is under way: the next steps would do the same again, with
  // the averages closer to their samples. Unless they enter a solve, they change nothing.
  const bool still = !changed && !under_way();
  quiet_ = still && averages_settled();
  coasting_ = still && !solved_;
}

void HostMemory::advance(sim::Time now) {
  assert(now >= last_);
  if (now == last_) return;
  state_time_[static_cast<std::size_t>(state_)] += now - last_;
  const double dt = (now - last_).seconds();
  last_ = now;
  // Quiet or coasting, nothing is under way: growing would give the same amounts again.
  if (!quiet_ && !coasting_) {
    grow(dt);
    account();
  }
  if (next_sample_ > now) return;
  // Every sample since the last advance sees the same current fraction; once quiet, the
  // averages have settled on it and more samples change nothing.
  const std::int64_t samples = (now - next_sample_).ns() / sample_period_.ns() + 1;
  next_sample_ += sim::Time::from_ns(samples * sample_period_.ns());
  if (!quiet_) sample(samples);
}

bool HostMemory::under_way() const {
  const bool scanning = state_ != HostState::low && scan_budget_mib_s_ > 0.0;
  const bool lazy_break = params_.alloc_guest_large_page > 0.0 && state_ == HostState::high &&
                          free_ < thresholds_[0];
  for (const Vm& v : vms_) {
    if (v.touched < v.touch_max || v.swap_active > 0.0 || v.zip_active > 0.0) return true;
    if (scanning && (v.zero_shared != v.zero_frac * v.small ||
                     v.image_scanned != v.image_frac * v.small ||
                     (lazy_break && v.small != v.content))) {
      return true;
    }
  }
  return false;
}

bool HostMemory::averages_settled() const {
  return std::all_of(vms_.begin(), vms_.end(), [](const Vm& v) {
    return v.f_fast == v.active_now && v.f_slow == v.active_now;
  });
}

void HostMemory::grow(double dt) {
  const double touch = params_.touch_rate_mib_per_s * dt;
  const bool large_pages = params_.alloc_guest_large_page > 0.0;
  // Below High the host breaks large pages: lazily, as the TPS scan reaches them, while
  // still in High under its threshold; at once from Clear down (reference B.2, B.4).
  const bool eager_break = !large_pages || state_ != HostState::high;
  const bool lazy_break = !eager_break && free_ < thresholds_[0];
  const bool scanning = state_ != HostState::low && scan_budget_mib_s_ > 0.0;
  // Each VM is scanned whole in Mem.ShareScanTime, slowed down evenly when the host's
  // Mem.ShareScanGHz budget is smaller than the sum (reference B.3).
  const double scan_time_s = params_.share_scan_time_min * 60.0;
  const double speed = scan_demand_mib_s_ > scan_budget_mib_s_
                           ? scan_budget_mib_s_ / scan_demand_mib_s_
                           : 1.0;
  const double decay = scanning ? std::exp(-dt * speed / scan_time_s) : 1.0;
  const bool blocking = state_ == HostState::low;

  for (Vm& v : vms_) {
    // In Low, a VM above its target is blocked: it neither allocates nor faults pages in.
    const bool blocked = blocking && v.host_mib > v.target;
    if (v.touched < v.touch_max && !blocked) {
      v.touched = std::min(v.touch_max, v.touched + touch);
    }
    if ((v.swap_active > 0.0 || v.zip_active > 0.0) && !blocked) {
      // Active pages are touched once per sample period, at the VM's pace, and come back
      // on that touch: N(t) = N e^(-p t / T). Less than a page left counts as none.
      const double keep = std::exp(-v.progress * dt / params_.sample_period_s);
      fault_in(v.swap, v.swap_active, keep);
      fault_in(v.zip, v.zip_active, keep);
    }
    const double content = std::min(v.touched, v.mem - v.balloon);
    if (eager_break) {
      v.small = content;
    } else if (lazy_break) {
      v.small = approach(v.small, content, decay);
    } else {
      v.small = std::min(v.small, content);
    }
    v.zero_shared = approach(v.zero_shared, v.zero_frac * v.small, decay);
    v.image_scanned = approach(v.image_scanned, v.image_frac * v.small, decay);
  }
}

void HostMemory::sample(std::int64_t samples) {
  const double fast = params_.idle_fast_gain;
  const double slow = params_.idle_slow_gain;
  // An average within 1e-6 of its sample has settled and takes it.
  auto update = [](double& f, double gain, double sample) {
    const double next = f + gain * (sample - f);
    f = std::abs(next - sample) < 1e-6 ? sample : next;
  };
  // `samples` samples of the same fraction, one after the other; once both averages have
  // taken it, the rest change nothing.
  for (Vm& v : vms_) {
    for (std::int64_t k = 0; k < samples; ++k) {
      if (v.f_fast == v.active_now && v.f_slow == v.active_now) break;
      update(v.f_fast, fast, v.active_now);
      update(v.f_slow, slow, v.active_now);
    }
  }
}

void HostMemory::account() {
  for (Group& g : groups_) g.first = g.second = g.shared_sum = 0.0;
  for (Vm& v : vms_) {
    v.content = std::min(v.touched, v.mem - v.balloon);
    if (v.group < 0) continue;
    Group& g = groups_[static_cast<std::size_t>(v.group)];
    if (v.image_scanned > g.first) {
      g.second = g.first;
      g.first = v.image_scanned;
    } else if (v.image_scanned > g.second) {
      g.second = v.image_scanned;
    }
  }
  // With image content nested across a group (every VM holds a prefix of the same
  // image), the content held by two or more VMs is the second-largest scanned amount:
  // that many shared frames, referenced by every member up to its own amount.
  for (Vm& v : vms_) {
    v.image_shared = 0.0;
    if (v.group < 0) continue;
    Group& g = groups_[static_cast<std::size_t>(v.group)];
    v.image_shared = std::min(v.image_scanned, g.second);
    g.shared_sum += v.image_shared;
  }
  const double slot = params_.zip_slot_fraction;
  consumed_ = 0.0;
  drain_mib_s_ = 0.0;
  for (Vm& v : vms_) {
    v.frame_share = 0.0;
    if (v.group >= 0 && v.image_shared > 0.0) {
      const Group& g = groups_[static_cast<std::size_t>(v.group)];
      v.frame_share = g.second * v.image_shared / g.shared_sum;
    }
    const double g = granted(v);
    v.host_mib = g - v.zero_shared - v.image_shared + v.frame_share + v.zip * slot;
    consumed_ += v.host_mib + v.overhead;

    const double a = active(v);
    const double a_guest = std::min(a, v.content);
    const double a_resident = std::max(0.0, a_guest - v.zip_active - v.swap_active);
    v.active_now = g > 0.0 ? std::min(1.0, a_resident / g) : 1.0;
    v.progress = memory::progress_factor(a - a_guest, v.zip_active, v.swap_active,
                                         params_.sample_period_s, params_.faults);
    // Touching and faulting in take free memory; new pages are private (TPS lags behind).
    if (v.touched < v.touch_max) drain_mib_s_ += params_.touch_rate_mib_per_s;
    drain_mib_s_ += v.progress * (v.swap_active + v.zip_active * (1.0 - slot)) /
                    params_.sample_period_s;
  }
  free_ = capacity_ - consumed_;
}

sim::Time HostMemory::next_threshold_crossing() const {
  const auto s = static_cast<std::size_t>(state_);
  if (s + 1 >= host_state_count || drain_mib_s_ <= 0.0) return sim::Time::max();
  // A microsecond past the exact instant, so that the step sees the threshold crossed.
  const double dt = std::max(0.0, free_ - thresholds_[s + 1]) / drain_mib_s_ + 1e-6;
  if (dt > 1e9) return sim::Time::max();
  return last_ + sim::Time::from_seconds(dt);
}

void HostMemory::update_state() {
  state_ = next_state(state_, free_, thresholds_, params_.rise_margin_pct / 100.0);
}

double HostMemory::progress_factor(VmHandle vm) const { return vm_of(vm).progress; }

VmMemoryStats HostMemory::vm_stats(VmHandle vm) const {
  const Vm& v = vm_of(vm);
  VmMemoryStats s;
  s.configured_mib = v.mem;
  s.touched_mib = v.touched;
  s.touch_target_mib = v.touch_max;
  s.granted_mib = granted(v);
  s.active_mib = active(v);
  s.shared_mib = v.zero_shared + v.image_shared;
  s.balloon_mib = v.balloon;
  s.compressed_mib = v.zip;
  s.swapped_mib = v.swap;
  s.consumed_mib = v.host_mib + v.overhead;
  s.target_mib = v.target;
  s.overhead_mib = v.overhead;
  s.swap_file_mib = swap_file_mib(v.mem, v.reservation);
  s.active_fraction = std::max({v.f_fast, v.f_slow, v.active_now});
  s.progress = v.progress;
  return s;
}

HostMemoryStats HostMemory::stats() const {
  HostMemoryStats s;
  s.capacity_mib = capacity_;
  s.min_free_mib = min_free_;
  s.free_mib = free_;
  s.reserved_mib = reserved_;
  s.state = state_;
  s.consumed_mib = consumed_;
  for (const Vm& v : vms_) {
    s.granted_mib += granted(v);
    s.shared_saved_mib += v.zero_shared + v.image_shared - v.frame_share;
    s.balloon_mib += v.balloon;
    s.compressed_mib += v.zip;
    s.swapped_mib += v.swap;
  }
  return s;
}

}  // namespace vdc::models::memory
