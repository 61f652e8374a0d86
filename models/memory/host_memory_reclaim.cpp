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
  for (Vm& v : vms_) changed = cap_granted(v, v.limit) || changed;
  if (pooled_vms_ > 0) changed = enforce_pool_limits() || changed;
  return changed;
}

bool HostMemory::cap_granted(Vm& v, double cap) {
  const double over = granted(v) - cap;
  if (over <= eps) return false;
  const double floor_content = std::min(v.touched, v.mem - v.balloon_max);
  bool changed = inflate_to(v, std::max(floor_content, v.content - over * v.content / granted(v)));
  const double left = granted(v) - cap;
  if (left > eps) changed = zip_swap_pages(v, left) || changed;
  return changed;
}

bool HostMemory::enforce_pool_limits() {
  // A pool's limit caps what its subtree's VMs are granted together, enforced as a VM's
  // limit is (balloon, then compression and swap), the excess spread over the subtree's
  // VMs by a fill of the limit with their reclaim weights (and their pools' shares). The
  // deepest pools come first (children follow their parents in pools_), so a parent sees
  // what its children's limits left.
  bool changed = false;
  const std::size_t n = vms_.size();
  resize_tree_scratch();
  for (std::size_t p = pools_.size(); p-- > 0;) {
    const double limit = pools_[p].limit_mib;
    if (limit == inf) continue;
    const auto top = static_cast<PoolSlot>(p);
    for (std::size_t q = 0; q < pools_.size(); ++q) {
      const PoolSlot parent = pools_[q].parent;
      pool_scratch_[q].in = q == p || (parent != no_pool && pool_scratch_[static_cast<std::size_t>(parent)].in);
    }
    double total = 0.0;
    for (const Vm& v : vms_) {
      if (v.pool != no_pool && pool_scratch_[static_cast<std::size_t>(v.pool)].in) total += granted(v);
    }
    // A relative tolerance, so that rounding left by the last enforcement asks for nothing.
    if (total - limit <= 1e-9 * std::max(1.0, limit)) continue;
    for (std::size_t i = 0; i < n; ++i) {
      const Vm& v = vms_[i];
      const double g = granted(v);
      // What the balloon and compression and swap cannot take: its reservation, and the
      // shareable part of the content left at the balloon's cap.
      const double floor_content = std::min(v.touched, v.mem - v.balloon_max);
      const double kept = shareable_frac(v) * std::min(v.content, floor_content);
      tree_weight_[i] = weight(v);
      tree_demand_[i] = g;
      tree_floor_[i] = std::min(g, std::max(std::min(v.reservation, g), kept));
    }
    solve_tree(top, limit, false);
    for (std::size_t i = 0; i < n; ++i) {
      Vm& v = vms_[i];
      if (v.pool != no_pool && pool_scratch_[static_cast<std::size_t>(v.pool)].in) {
        changed = cap_granted(v, tree_alloc_[i]) || changed;
      }
    }
  }
  return changed;
}

void HostMemory::solve_tree(PoolSlot top, double capacity, bool cap_pools) {
  // The pools' tree solved level by level, as the CPU entitlement tree does: bottom-up, a
  // pool demands what its subtree demands (at most what it holds plus what its limit
  // leaves, when cap_pools) and needs its subtree's floors; top-down, each level shares
  // what its parent was allocated, pools weighted by their shares under the idle tax of
  // their subtree's active fraction, VMs by their own weights.
  solved_ = true;
  const std::size_t np = pools_.size();
  pool_scratch_.resize(np);
  child_vms_.resize(np + 1);
  child_pools_.resize(np + 1);
  for (auto& c : child_vms_) c.clear();
  for (auto& c : child_pools_) c.clear();
  // Node 0 is `top` (the host when no_pool); pool p below it is node p + 1.
  auto node_of = [top](PoolSlot p) { return p == top ? std::size_t{0} : static_cast<std::size_t>(p) + 1; };
  for (std::size_t p = 0; p < np; ++p) {
    const PoolSlot parent = pools_[p].parent;
    PoolScratch& s = pool_scratch_[p];
    s = PoolScratch{};
    s.in = top == no_pool || static_cast<PoolSlot>(p) == top ||
           (parent != no_pool && pool_scratch_[static_cast<std::size_t>(parent)].in);
    if (s.in && static_cast<PoolSlot>(p) != top) child_pools_[node_of(parent)].push_back(static_cast<std::uint32_t>(p));
  }
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    const Vm& v = vms_[i];
    if (top != no_pool && (v.pool == no_pool || !pool_scratch_[static_cast<std::size_t>(v.pool)].in)) continue;
    child_vms_[node_of(v.pool)].push_back(static_cast<std::uint32_t>(i));
    if (v.pool == top) continue;
    PoolScratch& s = pool_scratch_[static_cast<std::size_t>(v.pool)];
    s.demand += tree_demand_[i];
    s.floor += tree_floor_[i];
    s.held += v.host_mib;
    s.held_active += active_estimate(v) * v.host_mib;
    s.granted += granted(v);
    s.has_vm = true;
  }
  for (std::size_t p = np; p-- > 0;) {
    PoolScratch& s = pool_scratch_[p];
    if (!s.in || !s.has_vm || static_cast<PoolSlot>(p) == top) continue;
    const double limit = pools_[p].limit_mib;
    if (cap_pools && limit != inf) s.demand = std::min(s.demand, s.held + std::max(0.0, limit - s.granted));
    const PoolSlot parent = pools_[p].parent;
    if (parent == no_pool || parent == top) continue;
    PoolScratch& up = pool_scratch_[static_cast<std::size_t>(parent)];
    up.demand += s.demand;
    up.floor += s.floor;
    up.held += s.held;
    up.held_active += s.held_active;
    up.granted += s.granted;
    up.has_vm = true;
  }
  auto solve_node = [this](std::size_t node, double node_capacity) {
    tree_solver_.clear();
    tree_solver_.add_resource(node_capacity);
    for (const std::uint32_t i : child_vms_[node]) {
      tree_solver_.uses(tree_solver_.add_consumer(tree_weight_[i], tree_demand_[i], tree_floor_[i]), 0);
    }
    for (const std::uint32_t p : child_pools_[node]) {
      const PoolScratch& s = pool_scratch_[p];
      if (!s.has_vm) continue;
      const double f = s.held > 0.0 ? s.held_active / s.held : 1.0;
      tree_solver_.uses(tree_solver_.add_consumer(pools_[p].shares / tax_factor(f), s.demand, s.floor), 0);
    }
    tree_solver_.solve();
    sim::FairShare::ConsumerId c = 0;
    for (const std::uint32_t i : child_vms_[node]) tree_alloc_[i] = tree_solver_.allocation(c++);
    for (const std::uint32_t p : child_pools_[node]) {
      if (pool_scratch_[p].has_vm) pool_scratch_[p].allocation = tree_solver_.allocation(c++);
    }
  };
  solve_node(0, capacity);
  for (std::size_t p = 0; p < np; ++p) {
    const PoolScratch& s = pool_scratch_[p];
    if (s.in && s.has_vm && static_cast<PoolSlot>(p) != top) solve_node(p + 1, s.allocation);
  }
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
  // Through the pools' tree while a VM is in a pool; otherwise one solve over the VMs.
  const bool tree = pooled_vms_ > 0;
  const double capacity = std::max(0.0, total - need);
  const bool rebuild = !tree && begin_solve(capacity);
  if (tree) resize_tree_scratch();
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
    if (tree) {
      set_tree_consumer(i, weight(v), demand, floor);
    } else {
      set_consumer(i, rebuild, weight(v), demand, floor);
    }
  }
  if (tree) {
    solve_tree(no_pool, capacity, true);
  } else {
    solver_.solve();
  }
  bool changed = false;
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& v = vms_[i];
    v.target = tree ? tree_alloc_[i] : solver_.allocation(static_cast<sim::FairShare::ConsumerId>(i));
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
  const bool tree = pooled_vms_ > 0;
  const bool rebuild = !tree && begin_solve(total + surplus);
  if (tree) resize_tree_scratch();
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    const Vm& v = vms_[i];
    if (tree) {
      set_tree_consumer(i, weight(v), v.host_mib + regain_mib(v), v.host_mib);
    } else {
      set_consumer(i, rebuild, weight(v), v.host_mib + regain_mib(v), v.host_mib);
    }
  }
  if (tree) {
    solve_tree(no_pool, total + surplus, true);
  } else {
    solver_.solve();
  }
  bool changed = false;
  for (std::size_t i = 0; i < vms_.size(); ++i) {
    Vm& v = vms_[i];
    v.target = tree ? tree_alloc_[i] : solver_.allocation(static_cast<sim::FairShare::ConsumerId>(i));
    changed = give_back(v, std::max(0.0, v.target - v.host_mib)) || changed;
  }
  return changed;
}

bool HostMemory::begin_solve(double capacity) {
  // The solver keeps its consumers (one per VM, in vms_ order) between solves until a
  // power-on or power-off changes the VMs or their order.
  solved_ = true;
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

void HostMemory::resize_tree_scratch() {
  const std::size_t n = vms_.size();
  tree_weight_.resize(n);
  tree_demand_.resize(n);
  tree_floor_.resize(n);
  tree_alloc_.resize(n);
  pool_scratch_.resize(pools_.size());
}

void HostMemory::set_tree_consumer(std::size_t i, double weight, double demand, double floor) {
  tree_weight_[i] = weight;
  tree_demand_[i] = demand;
  tree_floor_[i] = floor;
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
