#include "vdc/sim/fair_share.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <functional>
#include <limits>

namespace vdc::sim {

FairShare::ResourceId FairShare::add_resource(double capacity) {
  assert(capacity >= 0.0);
  capacity_.push_back(capacity);
  load_.push_back(0.0);
  index_dirty_ = true;
  return static_cast<ResourceId>(capacity_.size() - 1);
}

FairShare::ConsumerId FairShare::add_consumer(double weight, double demand, double reservation,
                                              double limit) {
  assert(weight >= 0.0 && demand >= 0.0 && reservation >= 0.0 && limit >= 0.0);
  weight_.push_back(weight);
  demand_.push_back(demand);
  reservation_.push_back(reservation);
  limit_.push_back(limit);
  alloc_.push_back(0.0);
  index_dirty_ = true;
  return static_cast<ConsumerId>(weight_.size() - 1);
}

void FairShare::uses(ConsumerId c, ResourceId r, double coefficient) {
  assert(c < consumers() && r < resources() && coefficient > 0.0);
  uses_.push_back(Use{c, r, coefficient});
  index_dirty_ = true;
}

void FairShare::set_demand(ConsumerId c, double demand) {
  assert(demand >= 0.0);
  demand_[c] = demand;
}

void FairShare::set_weight(ConsumerId c, double weight) {
  assert(weight >= 0.0);
  weight_[c] = weight;
}

void FairShare::set_reservation(ConsumerId c, double reservation) {
  assert(reservation >= 0.0);
  reservation_[c] = reservation;
}

void FairShare::set_limit(ConsumerId c, double limit) {
  assert(limit >= 0.0);
  limit_[c] = limit;
}

void FairShare::set_capacity(ResourceId r, double capacity) {
  assert(capacity >= 0.0);
  capacity_[r] = capacity;
}

double FairShare::allocation(ConsumerId c) const { return alloc_[c]; }
double FairShare::load(ResourceId r) const { return load_[r]; }
double FairShare::capacity(ResourceId r) const { return capacity_[r]; }

void FairShare::clear() {
  weight_.clear();
  demand_.clear();
  reservation_.clear();
  limit_.clear();
  alloc_.clear();
  capacity_.clear();
  load_.clear();
  uses_.clear();
  index_dirty_ = true;
}

void FairShare::build_index() {
  // Counting sort of uses_ into two CSR layouts: by resource and by consumer.
  const std::size_t nr = resources();
  const std::size_t nc = consumers();
  res_begin_.assign(nr + 1, 0);
  con_begin_.assign(nc + 1, 0);
  for (const Use& u : uses_) {
    ++res_begin_[u.resource + 1];
    ++con_begin_[u.consumer + 1];
  }
  for (std::size_t r = 0; r < nr; ++r) res_begin_[r + 1] += res_begin_[r];
  for (std::size_t c = 0; c < nc; ++c) con_begin_[c + 1] += con_begin_[c];
  by_res_.resize(uses_.size());
  by_con_.resize(uses_.size());
  std::vector<std::uint32_t> fill_r(res_begin_.begin(), res_begin_.end() - 1);
  std::vector<std::uint32_t> fill_c(con_begin_.begin(), con_begin_.end() - 1);
  for (std::uint32_t i = 0; i < uses_.size(); ++i) {
    by_res_[fill_r[uses_[i].resource]++] = i;
    by_con_[fill_c[uses_[i].consumer]++] = i;
  }
  index_dirty_ = false;
}

double FairShare::saturation_level(ResourceId r) {
  // Load of r as a function of the water level L: frozen_load_[r] plus, per unfrozen
  // consumer, coef * clamp(w L, f, u): piecewise linear with breakpoints f/w and u/w.
  // Sweep the sorted breakpoints keeping load = base + slope * L on each segment.
  const double cap = capacity_[r];
  double base = frozen_load_[r];
  double slope = 0.0;
  breakpoints_.clear();
  for (std::uint32_t k = res_begin_[r]; k < res_begin_[r + 1]; ++k) {
    const Use& use = uses_[by_res_[k]];
    const ConsumerId c = use.consumer;
    if (frozen_[c] != 0) continue;
    base += use.coef * floor_[c];
    const double w = weight_[c];
    if (w <= 0.0) continue;
    breakpoints_.push_back(Breakpoint{floor_[c] / w, use.coef * w, -use.coef * floor_[c]});
    if (std::isfinite(bound_[c])) {
      breakpoints_.push_back(Breakpoint{bound_[c] / w, -use.coef * w, use.coef * bound_[c]});
    }
  }
  std::sort(breakpoints_.begin(), breakpoints_.end(),
            [](const Breakpoint& a, const Breakpoint& b) { return a.level < b.level; });
  double prev = 0.0;
  if (base >= cap) return 0.0;
  for (const Breakpoint& b : breakpoints_) {
    if (base + slope * b.level >= cap) {
      return slope > 0.0 ? std::max(prev, (cap - base) / slope) : prev;
    }
    base += b.dbase;
    slope += b.dslope;
    prev = b.level;
  }
  // Rounding in the sweep can leave a tiny negative slope once every consumer is capped.
  return slope > 0.0 ? std::max(prev, (cap - base) / slope)
                     : std::numeric_limits<double>::infinity();
}

void FairShare::solve() {
  if (index_dirty_) build_index();
  const std::size_t nc = consumers();
  const std::size_t nr = resources();

  // Bounds and floors; floors scaled down where they alone overflow a resource.
  bound_.resize(nc);
  floor_.resize(nc);
  for (std::size_t c = 0; c < nc; ++c) {
    bound_[c] = std::min(demand_[c], limit_[c]);
    floor_[c] = std::min(reservation_[c], bound_[c]);
  }
  scale_.assign(nc, 1.0);
  for (std::size_t r = 0; r < nr; ++r) {
    double floors = 0.0;
    for (std::uint32_t k = res_begin_[r]; k < res_begin_[r + 1]; ++k) {
      const Use& use = uses_[by_res_[k]];
      floors += use.coef * floor_[use.consumer];
    }
    if (floors > capacity_[r]) {
      const double s = capacity_[r] / floors;
      for (std::uint32_t k = res_begin_[r]; k < res_begin_[r + 1]; ++k) {
        double& sc = scale_[uses_[by_res_[k]].consumer];
        sc = std::min(sc, s);
      }
    }
  }
  for (std::size_t c = 0; c < nc; ++c) floor_[c] *= scale_[c];

  // Progressive filling: repeatedly take the resource that saturates at the lowest water
  // level, freeze its unfrozen consumers there, and update the levels of the resources
  // those consumers also use (lazy deletion through per-resource versions).
  frozen_.assign(nc, 0);
  frozen_load_.assign(nr, 0.0);
  level_.resize(nr);
  dirty_.assign(nr, 0);
  heap_.clear();
  for (ResourceId r = 0; r < nr; ++r) {
    level_[r] = saturation_level(r);
    if (std::isfinite(level_[r])) heap_.push_back(Item{level_[r], r});
  }
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>{});
  double level = 0.0;
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>{});
    const Item top = heap_.back();
    heap_.pop_back();
    const ResourceId r = top.second;
    if (top.first != level_[r]) continue;  // superseded by a later recomputation
    level = std::max(level, top.first);
    level_[r] = std::numeric_limits<double>::infinity();
    touched_.clear();
    for (std::uint32_t k = res_begin_[r]; k < res_begin_[r + 1]; ++k) {
      const ConsumerId c = uses_[by_res_[k]].consumer;
      if (frozen_[c] != 0) continue;
      frozen_[c] = 1;
      const double x = std::clamp(weight_[c] * level, floor_[c], bound_[c]);
      alloc_[c] = x;
      for (std::uint32_t j = con_begin_[c]; j < con_begin_[c + 1]; ++j) {
        const Use& other = uses_[by_con_[j]];
        frozen_load_[other.resource] += other.coef * x;
        if (other.resource != r && dirty_[other.resource] == 0) {
          dirty_[other.resource] = 1;
          touched_.push_back(other.resource);
        }
      }
    }
    for (const ResourceId t : touched_) {
      dirty_[t] = 0;
      const double l = saturation_level(t);
      level_[t] = l;
      if (std::isfinite(l)) {
        heap_.push_back(Item{l, t});
        std::push_heap(heap_.begin(), heap_.end(), std::greater<>{});
      }
    }
  }
  // Consumers on no saturated resource rise to their bound (weight 0: stay at the floor).
  for (std::size_t c = 0; c < nc; ++c) {
    if (frozen_[c] == 0) alloc_[c] = weight_[c] > 0.0 ? bound_[c] : floor_[c];
  }
  std::fill(load_.begin(), load_.end(), 0.0);
  for (const Use& use : uses_) load_[use.resource] += use.coef * alloc_[use.consumer];
}

}  // namespace vdc::sim
