#include "vdc/models/cpu/costop_chain.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

#include "vdc/sim/ctmc.hpp"

namespace vdc::models::cpu {

namespace {

struct Counts {
  int run, ready, costop;  // the rest of the busy vCPUs are idle
};

}  // namespace

CostopChainResult costop_chain_at(const CostopChainInput& in, double dispatch_rate, sim::CtmcWorkspace* workspace) {
  const int n = std::clamp(in.vcpus, 2, costop_chain_max_vcpus);
  // States (running u, ready r, co-stopped c), u + r + c <= n.
  std::vector<Counts> states;
  std::vector<int> index(static_cast<std::size_t>((n + 1) * (n + 1) * (n + 1)), -1);
  const auto slot = [n](int u, int r, int c) {
    return static_cast<std::size_t>((u * (n + 1) + r) * (n + 1) + c);
  };
  for (int u = 0; u <= n; ++u) {
    for (int r = 0; u + r <= n; ++r) {
      for (int c = 0; u + r + c <= n; ++c) {
        index[slot(u, r, c)] = static_cast<int>(states.size());
        states.push_back({u, r, c});
      }
    }
  }
  const auto id = [&](int u, int r, int c) {
    return static_cast<std::size_t>(index[slot(u, r, c)]);
  };
  // Skew reaches the threshold after one unit of a sibling's stall (rate 1); the laggard
  // closes the gap to within cpu.costart_skew in 1 - costart units of its progress.
  const double costart_rate = 1.0 / std::max(1.0 - in.costart, 0.05);
  sim::Ctmc chain(states.size());
  for (std::size_t s = 0; s < states.size(); ++s) {
    const auto [u, r, c] = states[s];
    const int idle = n - u - r - c;
    // An idle vCPU wakes and waits its turn; a ready one is dispatched; a running one
    // finishes its burst (idle: progress, no skew) or is preempted at a quantum.
    if (idle > 0) chain.add_rate(s, id(u, r + 1, c), idle * in.wake_rate);
    if (r > 0) chain.add_rate(s, id(u + 1, r - 1, c), r * dispatch_rate);
    if (u > 0) chain.add_rate(s, id(u - 1, r, c), u * in.finish_rate);
    if (u > 0) chain.add_rate(s, id(u - 1, r + 1, c), u * in.preempt_rate);
    // Relaxed co-scheduling: while a sibling is ready, the running ones gain skew on it and
    // are co-stopped together when it reaches the threshold...
    if (r > 0 && u > 0) chain.add_rate(s, id(0, r, c + u), 1.0);
    // ... and co-started (ready again) once no sibling is ready any more, when the laggard,
    // running or idle, has caught up.
    if (r == 0 && c > 0) chain.add_rate(s, id(u, c, 0), costart_rate);
  }
  const std::vector<double> pi = chain.stationary(workspace);
  CostopChainResult out;
  for (std::size_t s = 0; s < states.size(); ++s) {
    const auto [u, r, c] = states[s];
    out.run += pi[s] * u;
    out.ready += pi[s] * r;
    out.costop += pi[s] * c;
    out.wait += pi[s] * (n - u - r - c);
  }
  const double nd = n;
  out.run /= nd;
  out.ready /= nd;
  out.costop /= nd;
  out.wait /= nd;
  out.dispatch_rate = dispatch_rate;
  return out;
}

CostopChainResult solve_costop_chain(const CostopChainInput& in) {
  assert(in.waiting > 0.0 && in.waiting < 1.0);
  // Every evaluation has the same transitions (only the dispatch rate moves): the sparse
  // analysis of the first serves them all.
  sim::CtmcWorkspace workspace;
  // Waiting falls as dispatch quickens: find log2(dispatch rate) in [-16, 16] per
  // threshold by regula falsi (Illinois), to 1/1000 of an octave or 1e-6 of waiting.
  const auto f = [&](double x) {
    const CostopChainResult r = costop_chain_at(in, std::exp2(x), &workspace);
    return r.ready + r.costop - in.waiting;
  };
  double lo = -16.0, hi = 16.0;
  double flo = f(lo), fhi = f(hi);
  if (flo <= 0.0) return costop_chain_at(in, std::exp2(lo), &workspace);
  if (fhi >= 0.0) return costop_chain_at(in, std::exp2(hi), &workspace);
  int side = 0;
  double x = 0.0;
  for (int k = 0; k < 40 && hi - lo > 1e-3; ++k) {
    x = (lo * fhi - hi * flo) / (fhi - flo);
    const double fx = f(x);
    if (std::abs(fx) < 1e-6) break;
    if (fx > 0.0) {  // still too much waiting: dispatch faster
      lo = x;
      flo = fx;
      if (side == 1) fhi /= 2.0;
      side = 1;
    } else {
      hi = x;
      fhi = fx;
      if (side == -1) flo /= 2.0;
      side = -1;
    }
  }
  return costop_chain_at(in, std::exp2(x), &workspace);
}

double CostopChainCache::costop_share(const CostopChainInput& in) {
  const auto octave = [](double rate) {
    return rate > 0.0 ? static_cast<int>(std::lround(4.0 * std::log2(rate))) : -100000;
  };
  const auto rate_of = [](int k) { return k == -100000 ? 0.0 : std::exp2(k / 4.0); };
  const int n = std::clamp(in.vcpus, 2, costop_chain_max_vcpus);
  const int w = std::clamp(static_cast<int>(std::lround(in.waiting * 32.0)), 1, 31);
  const int c = std::clamp(static_cast<int>(std::lround(in.costart * 64.0)), 0, 63);
  const Key key{n, w, c, octave(in.wake_rate), octave(in.finish_rate), octave(in.preempt_rate)};
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
  }
  // Solved at the rounded inputs, so the share does not depend on which VM asked first.
  CostopChainInput r;
  r.vcpus = n;
  r.waiting = w / 32.0;
  r.costart = c / 64.0;
  r.wake_rate = rate_of(std::get<3>(key));
  r.finish_rate = rate_of(std::get<4>(key));
  r.preempt_rate = rate_of(std::get<5>(key));
  const CostopChainResult res = solve_costop_chain(r);
  const double waiting = res.ready + res.costop;
  const double share = waiting > 0.0 ? res.costop / waiting : 0.0;
  const std::lock_guard lock(mutex_);
  if (cache_.emplace(key, share).second) ++solves_;
  return share;
}

std::size_t CostopChainCache::size() const {
  const std::lock_guard lock(mutex_);
  return cache_.size();
}

std::uint64_t CostopChainCache::solves() const {
  const std::lock_guard lock(mutex_);
  return solves_;
}

CostopChainCache& shared_costop_chain_cache() {
  static CostopChainCache cache;
  return cache;
}

}  // namespace vdc::models::cpu
