// Reallocation at each Mem.BalancePeriod step: which technique the host state allows
// (reference B.2, Epping's table), how much each VM gives by shares and the idle memory
// tax (B.1.5, B.1.6), and the per-VM mechanics of balloon (B.5), compression (B.6) and
// host swap (B.1.2, B.7). docs/memory.md walks through the same rules.
#include <algorithm>
#include <cmath>

#include "vdc/models/memory/host_memory.hpp"

namespace vdc::models::memory {

namespace {

/// Amounts below this (MiB) are rounding noise, not work to do.
constexpr double eps = 1e-9;

}  // namespace

bool HostMemory::rebalance() {
  for (Vm& v : vms_) v.target = inf;
  bool changed = enforce_limits();
  if (changed) {
    account();
    update_state();
  }
  // A reallocation that moves the host to another state lets that state's technique act
  // in the same step: from Hard, compression and swap lift free memory to Soft, where the
  // balloon may take over.
  for (std::size_t round = 0; round < host_state_count; ++round) {
    const HostState before = state_;
    if (!reallocate()) break;
    changed = true;
    account();
    update_state();
    if (state_ == before) break;
  }
  return changed;
}

bool HostMemory::redistribute() {
  // Until a solve with no need moves nothing: the idle-tax averages follow a new working
  // set over several samples, and the targets with them.
  if (!redistribute_ || !ballooned()) return false;
  redistribute_ = reclaim(0.0, Technique::balloon);
  return redistribute_;
}

bool HostMemory::reallocate() {
  // Each reclaiming state pushes free memory up to the threshold at which the host leaves
  // it, so each technique reclaims only what its own state asks for. Balloons deflate
  // once free memory exceeds memory.state.give_back_pct of minFree, back down to the Clear
  // threshold: the band between the two keeps small TPS gains from deflating and
  // reinflating balloons at every step.
  const auto s = static_cast<std::size_t>(state_);
  const double margin = 1.0 + params_.rise_margin_pct / 100.0;
  const std::size_t clear = static_cast<std::size_t>(HostState::clear);
  const double target_free = s <= clear ? thresholds_[clear] : thresholds_[s - 1] * margin;
  const double need = target_free - free_;
  switch (state_) {
    case HostState::high:
    case HostState::clear:
      if (free_ > min_free_ * params_.give_back_pct / 100.0 && need < -eps) return restore(-need);
      // A working set that moved changes the targets even when free memory needs nothing:
      // solve again with no need, so the balloons already inflated move between VMs as
      // shares and the idle tax say (docs/memory.md, "Changing demand").
      return redistribute();
    case HostState::soft:
      return need > eps ? reclaim(need, Technique::balloon) : redistribute();
    case HostState::hard:
    case HostState::low:
      return need > eps && reclaim(need, Technique::zip_swap);
  }
  return false;
}

bool HostMemory::ballooned() const {
  return std::any_of(vms_.begin(), vms_.end(), [](const Vm& v) { return v.balloon > eps; });
}

bool HostMemory::enforce_limits() {
  // A limit caps granted memory in every state: ESXi balloons, then compresses and swaps,
  // a VM above its limit even when the host has free memory.
  bool changed = false;
  for (Vm& v : vms_) {
    const double over = granted(v) - v.limit;
    if (over <= eps) continue;
    const double floor_content = std::min(v.touched, v.mem - v.balloon_max);
    changed = inflate_to(v, std::max(floor_content, v.content - over * v.content / granted(v))) ||
              changed;
    const double left = granted(v) - v.limit;
    if (left > eps) changed = zip_swap_pages(v, left) || changed;
  }
  return changed;
}

double HostMemory::weight(const Vm& v) const {
  // Equal rho = S / (P (f + k (1 - f))) across VMs at their targets makes the target
  // P proportional to S / (f + k (1 - f)): a weighted max-min fill.
  const double f = std::max({v.f_fast, v.f_slow, v.active_now});
  return v.shares / (f + tax_k_ * (1.0 - f));
}

bool HostMemory::reclaim(double need, Technique technique) {
  const bool balloon = technique == Technique::balloon;
  double total = 0.0;
  for (const Vm& v : vms_) total += v.host_mib;
  const bool rebuild = begin_solve(std::max(0.0, total - need));
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    const Vm& v = vms_[i];
    const double gain_max =
        balloon ? balloon_gain_max(v) : zip_swap_gain(v, zip_swap_eligible(v));
    // A VM keeps its reservation and whatever this technique cannot take from it, so
    // the rest of the need falls on the VMs that can give.
    const double floor = std::max(std::min(v.reservation, v.host_mib), v.host_mib - gain_max);
    // While ballooning, a VM whose target lies above what it holds gets balloon back, so
    // memory also moves between VMs as shares and the idle tax say.
    const double demand = v.host_mib + (balloon ? regain_mib(v) : 0.0);
    set_consumer(i, rebuild, weight(v), demand, floor);
  }
  solver_.solve();
  bool changed = false;
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& v = vms_[i];
    v.target = solver_.allocation(static_cast<sim::FairShare::ConsumerId>(i));
    const double excess = v.host_mib - v.target;
    if (excess < -eps && balloon) {
      changed = give_back(v, -excess) || changed;
    } else if (excess > eps && v.content > 0.0) {
      if (balloon) {
        // Ballooned content leaves at the VM's average host cost per content page.
        const double floor_content = std::min(v.touched, v.mem - v.balloon_max);
        changed = inflate_to(v, std::max(floor_content,
                                          v.content - excess * v.content / v.host_mib)) ||
                  changed;
      } else {
        changed = zip_swap_for_gain(v, excess) || changed;
      }
    }
  }
  return changed;
}

bool HostMemory::restore(double surplus) {
  bool any = false;
  double total = 0.0;
  for (const Vm& v : vms_) {
    total += v.host_mib;
    any = any || v.balloon > 0.0;
  }
  if (!any) return false;
  const bool rebuild = begin_solve(total + surplus);
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    const Vm& v = vms_[i];
    set_consumer(i, rebuild, weight(v), v.host_mib + regain_mib(v), v.host_mib);
  }
  solver_.solve();
  bool changed = false;
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& v = vms_[i];
    v.target = solver_.allocation(static_cast<sim::FairShare::ConsumerId>(i));
    changed = give_back(v, std::max(0.0, v.target - v.host_mib)) || changed;
  }
  return changed;
}

bool HostMemory::begin_solve(double capacity) {
  // The solver keeps its consumers (one per VM, in vms_ order) between solves until a
  // power-on or power-off changes the VMs or their order.
  const bool rebuild = solver_dirty_ || solver_.consumers() != vms_.size();
  if (rebuild) {
    solver_.clear();
    solver_.add_resource(capacity);
  } else {
    solver_.set_capacity(0, capacity);
  }
  solver_dirty_ = false;
  return rebuild;
}

void HostMemory::set_consumer(std::size_t i, bool rebuild, double weight, double demand,
                              double floor) {
  if (rebuild) {
    solver_.uses(solver_.add_consumer(weight, demand, floor), 0);
    return;
  }
  const auto c = static_cast<sim::FairShare::ConsumerId>(i);
  solver_.set_weight(c, weight);
  solver_.set_demand(c, demand);
  solver_.set_reservation(c, floor);
}

double HostMemory::regain_mib(const Vm& v) const {
  // A deflating balloon hands the guest back its pages, which it refills with its content
  // (active swapped or compressed pages come back on their own, when touched).
  return std::min(v.touched - v.content, std::max(0.0, v.limit - granted(v)));
}

double HostMemory::balloon_gain_max(const Vm& v) const {
  const double floor_content = std::min(v.touched, v.mem - v.balloon_max);
  if (v.content <= floor_content || v.content <= 0.0) return 0.0;
  return (v.content - floor_content) * v.host_mib / v.content;
}

double HostMemory::shareable_frac(const Vm& v) const {
  return v.zero_frac + (v.group >= 0 ? v.image_frac : 0.0);
}

double HostMemory::zip_swap_eligible(const Vm& v) const {
  // Pages TPS can share are left to it: "the system always tries to share a page before
  // paging it out" (reference B.1.3).
  return std::max(0.0, (1.0 - shareable_frac(v)) * v.content - v.zip - v.swap);
}

double HostMemory::zip_swap_gain(const Vm& v, double pages) const {
  const double room = params_.zip_enable > 0.0 ? std::max(0.0, v.zip_max - v.zip) : 0.0;
  const double compressed = std::min(v.zip_frac * pages, room);
  return compressed * (1.0 - params_.zip_slot_fraction) + (pages - compressed);
}

bool HostMemory::zip_swap_for_gain(Vm& v, double gain) {
  // Gain per page is 1 - c * slot while the cache has room (a compressible page keeps
  // a slot), then 1 (pages that would compress overflow to swap).
  const double room = params_.zip_enable > 0.0 ? std::max(0.0, v.zip_max - v.zip) : 0.0;
  const double c = v.zip_frac;
  const double slope = 1.0 - c * params_.zip_slot_fraction;
  const double pages_until_full = c > 0.0 ? room / c : inf;
  const double gain_until_full = pages_until_full * slope;
  const double pages =
      gain <= gain_until_full ? gain / slope : pages_until_full + (gain - gain_until_full);
  return zip_swap_pages(v, pages);
}

bool HostMemory::zip_swap_pages(Vm& v, double pages) {
  // ESXi picks pages at random (reference B.1.2), so they are active in the proportion of
  // the resident pages; each is compressed when it fits in 2 KB and the cache has room,
  // else swapped (compression preferred per page, reference B.6).
  pages = std::min(pages, zip_swap_eligible(v));
  if (pages <= eps) return false;
  const double room = params_.zip_enable > 0.0 ? std::max(0.0, v.zip_max - v.zip) : 0.0;
  const double compressed = std::min(v.zip_frac * pages, room);
  const double swapped = pages - compressed;
  const double resident = granted(v);
  const double resident_active =
      std::max(0.0, std::min(active(v), v.content) - v.zip_active - v.swap_active);
  const double a = resident > 0.0 ? std::clamp(resident_active / resident, 0.0, 1.0) : 0.0;
  v.zip += compressed;
  v.zip_active += a * compressed;
  v.swap += swapped;
  v.swap_active += a * swapped;
  return true;
}

bool HostMemory::inflate_to(Vm& v, double content) {
  if (content >= v.content - eps) return false;
  v.balloon = std::min(v.balloon_max, v.mem - content);
  shrink_content(v, std::min(v.touched, v.mem - v.balloon));
  return true;
}

void HostMemory::shrink_content(Vm& v, double c1) {
  const double c0 = v.content;
  if (c1 >= c0) return;
  // The guest gives the balloon its idle pages first and pages out active ones only when
  // the idle ones are gone; which host page backs a guest page it does not know, so the
  // shared, compressed and swapped parts shrink in proportion.
  const double r = c0 > 0.0 ? c1 / c0 : 0.0;
  v.small *= r;
  v.zero_shared *= r;
  v.image_scanned *= r;
  const double a = active(v);
  const double a0 = std::min(a, c0);
  const double a1 = std::min(a, c1);
  const double idle_ratio = c0 > a0 ? (c1 - a1) / (c0 - a0) : 0.0;
  const double active_ratio = a0 > 0.0 ? a1 / a0 : 0.0;
  v.zip = (v.zip - v.zip_active) * idle_ratio + v.zip_active * active_ratio;
  v.zip_active *= active_ratio;
  v.swap = (v.swap - v.swap_active) * idle_ratio + v.swap_active * active_ratio;
  v.swap_active *= active_ratio;
  const double room = (1.0 - shareable_frac(v)) * c1;
  if (const double held = v.zip + v.swap; held > room) {
    const double k = room / held;
    v.zip *= k;
    v.zip_active *= k;
    v.swap *= k;
    v.swap_active *= k;
  }
  v.content = c1;
}

bool HostMemory::give_back(Vm& v, double grant) {
  if (v.balloon <= 0.0) return false;
  const double content = std::min(v.touched, v.content + grant);
  // Once the guest has its whole content back, the rest of the balloon holds only
  // never-touched memory and deflates at no cost.
  const double balloon = content >= v.touched ? 0.0 : v.mem - content;
  if (balloon >= v.balloon) return false;
  v.balloon = balloon;
  v.content = content;
  return true;
}

}  // namespace vdc::models::memory
