#include "vdc/models/cpu/costop_chain.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>
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

CostopChainResult solve_costop_chain(const CostopChainInput& in, const CostopChainHint* hint,
                                     CostopChainHint* found) {
  assert(in.waiting > 0.0 && in.waiting < 1.0);
  constexpr double lowest = -16.0, highest = 16.0;  // log2 of the rate, per threshold
  constexpr double close_enough = 1e-12;            // of waiting
  constexpr double narrow_enough = 1e-9;            // of an octave
  // Every evaluation has the same transitions (only the dispatch rate moves): the sparse
  // analysis of the first serves them all. The chain at the answer is the last one
  // evaluated, kept rather than solved again; the last two give the slope there.
  sim::CtmcWorkspace workspace;
  CostopChainResult last;
  double px = 0.0, pf = 0.0, cx = 0.0, cf = 0.0;
  int evaluations = 0;
  const auto f = [&](double x) {
    last = costop_chain_at(in, std::exp2(x), &workspace);
    px = cx;
    pf = cf;
    cx = x;
    cf = last.ready + last.costop - in.waiting;
    ++evaluations;
    return cf;
  };
  const auto answer = [&]() {
    if (found != nullptr) {
      found->log_rate = cx;
      found->slope = evaluations > 1 && cx != px ? (cf - pf) / (cx - px) : 0.0;
      if (!(found->slope < 0.0) && hint != nullptr) found->slope = hint->slope;
    }
    return last;
  };
  // Waiting falls as dispatch quickens. Start where a nearby chain's search ended (else
  // at one dispatch per threshold) and step toward the answer: by Newton with the nearby
  // chain's slope, else an octave; then secant steps, growing, until the answer is
  // bracketed (or the range ends: the closest the chain comes).
  double x0 = hint != nullptr ? std::clamp(hint->log_rate, lowest, highest) : 0.0;
  double f0 = f(x0);
  if (std::abs(f0) < close_enough) return answer();
  const double dir = f0 > 0.0 ? 1.0 : -1.0;  // too much waiting: dispatch faster
  double step = hint != nullptr && hint->slope < 0.0 ? -f0 / hint->slope : dir;
  if (!(step * dir > 0.0)) step = dir;
  step = dir * std::clamp(std::abs(step), 1e-6, 8.0);
  double x1 = std::clamp(x0 + step, lowest, highest);
  if (x1 == x0) return answer();
  double f1 = f(x1);
  while (f1 * dir > 0.0) {
    if (std::abs(f1) < close_enough || x1 == lowest || x1 == highest) return answer();
    const double went = x1 - x0;
    double next = f1 != f0 ? -f1 * went / (f1 - f0) : 2.0 * went;
    const double span = std::abs(went);
    next = next * dir > 0.0 ? dir * std::clamp(1.5 * std::abs(next), span, 4.0 * span) : 2.0 * went;
    x0 = x1;
    f0 = f1;
    x1 = std::clamp(x1 + next, lowest, highest);
    f1 = f(x1);
  }
  if (std::abs(f1) < close_enough) return answer();
  // Bracketed: regula falsi (Illinois) between lo (too much waiting) and hi.
  double lo = dir > 0.0 ? x0 : x1, flo = dir > 0.0 ? f0 : f1;
  double hi = dir > 0.0 ? x1 : x0, fhi = dir > 0.0 ? f1 : f0;
  int side = 0;
  for (int k = 0; k < 100 && hi - lo > narrow_enough; ++k) {
    const double x = (lo * fhi - hi * flo) / (fhi - flo);
    const double fx = f(x);
    if (std::abs(fx) < close_enough) break;
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
  return answer();
}

double CostopChainCache::costop_share(const CostopChainInput& in) {
  constexpr int zero_rate = -100000;
  const auto octave = [](double rate) {
    return rate > 0.0 ? static_cast<int>(std::lround(4.0 * std::log2(rate))) : zero_rate;
  };
  const auto rate_of = [](int k) { return k == zero_rate ? 0.0 : std::exp2(k / 4.0); };
  const int n = std::clamp(in.vcpus, 2, costop_chain_max_vcpus);
  const int w = std::clamp(static_cast<int>(std::lround(in.waiting * 32.0)), 1, 31);
  const int c = std::clamp(static_cast<int>(std::lround(in.costart * 64.0)), 0, 63);
  const Key key{n, w, c, octave(in.wake_rate), octave(in.finish_rate), octave(in.preempt_rate)};
  CostopChainHint hint;
  bool hinted = false;
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second.share;
    // The nearest solved grid point of the same width and co-start (grid steps apart, a
    // rate that is zero only beside one that is zero): a few of the entries either side
    // of where this one would be, for each waiting, the nearest waiting first.
    int best = std::numeric_limits<int>::max();
    for (int dw = 0; dw <= 30 && dw < best; ++dw) {
      for (int side = dw == 0 ? 1 : -1; side <= 1; side += 2) {
        const int w2 = w + side * dw;
        if (w2 < 1 || w2 > 31) continue;
        const auto same = [&](const Key& k) {
          return std::get<0>(k) == n && std::get<1>(k) == w2 && std::get<2>(k) == c;
        };
        const auto consider = [&](const Key& k, const Entry& e) {
          int d = dw;
          for (const int i : {3, 4, 5}) {
            const int a = i == 3 ? std::get<3>(k) : i == 4 ? std::get<4>(k) : std::get<5>(k);
            const int b = i == 3 ? std::get<3>(key) : i == 4 ? std::get<4>(key) : std::get<5>(key);
            if ((a == zero_rate) != (b == zero_rate)) return;
            d += std::abs(a - b);
          }
          if (d < best) {
            best = d;
            hint = e.hint;
            hinted = true;
          }
        };
        const Key probe{n, w2, c, std::get<3>(key), std::get<4>(key), std::get<5>(key)};
        const auto at = cache_.lower_bound(probe);
        auto it = at;
        for (int i = 0; i < 8 && it != cache_.end() && same(it->first); ++i, ++it) {
          consider(it->first, it->second);
        }
        it = at;
        for (int i = 0; i < 8 && it != cache_.begin(); ++i) {
          --it;
          if (!same(it->first)) break;
          consider(it->first, it->second);
        }
      }
    }
  }
  // Solved at the rounded inputs, so the share does not depend on which VM asked first
  // (the hint moves the answer by less than the search's tolerance, far below what any
  // report shows).
  CostopChainInput r;
  r.vcpus = n;
  r.waiting = w / 32.0;
  r.costart = c / 64.0;
  r.wake_rate = rate_of(std::get<3>(key));
  r.finish_rate = rate_of(std::get<4>(key));
  r.preempt_rate = rate_of(std::get<5>(key));
  Entry entry;
  const CostopChainResult res = solve_costop_chain(r, hinted ? &hint : nullptr, &entry.hint);
  const double waiting = res.ready + res.costop;
  entry.share = waiting > 0.0 ? res.costop / waiting : 0.0;
  const std::lock_guard lock(mutex_);
  const auto [it, added] = cache_.emplace(key, entry);
  if (added) ++solves_;
  return it->second.share;
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
