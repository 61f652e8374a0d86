#include "vdc/sim/queueing.hpp"

#include <algorithm>
#include <cassert>

namespace vdc::sim {

double erlang_c(int servers, double offered) {
  assert(servers > 0 && offered >= 0.0 && offered < servers);
  // Erlang B by its stable recursion B(k) = a B(k-1) / (k + a B(k-1)), then
  // C = B / (1 - rho (1 - B)).
  double b = 1.0;
  for (int k = 1; k <= servers; ++k) b = offered * b / (k + offered * b);
  const double rho = offered / servers;
  return b / (1.0 - rho * (1.0 - b));
}

double erlang_c_wait(int servers, double offered) {
  const double rho = offered / servers;
  return erlang_c(servers, offered) / (servers * (1.0 - rho));
}

FiniteSource machine_repairman(int sources, int servers, double busy_alone) {
  assert(sources >= 0 && servers > 0 && busy_alone >= 0.0 && busy_alone < 1.0);
  if (sources == 0 || busy_alone <= 0.0) return FiniteSource{busy_alone, 0.0};
  // p_n / p_{n-1} = (N - n + 1) r / min(n, c) with r = burst / think; the terms are
  // renormalised whenever they grow large, so any N works without overflow.
  const double r = busy_alone / (1.0 - busy_alone);
  double term = 1.0;
  double total = 1.0;
  double busy = 0.0;     // sum p_n min(n, c)
  double waiting = 0.0;  // sum p_n max(n - c, 0)
  for (int n = 1; n <= sources; ++n) {
    const double ratio = static_cast<double>(sources - n + 1) * r / std::min(n, servers);
    term *= ratio;
    total += term;
    busy += term * std::min(n, servers);
    waiting += term * std::max(n - servers, 0);
    if (total > 1e200) {
      term /= total;
      busy /= total;
      waiting /= total;
      total = 1.0;
    }
    // Past the mode the ratio of consecutive terms only falls, so the terms left sum to
    // less than term x ratio / (1 - ratio), each weighted by at most `sources`: once that
    // is below 1e-18 of the total, the rest cannot change a double. A large population
    // at a low load (a headroom search over 100,000 VMs) stops after a few hundred terms.
    if (ratio < 1.0 && term * static_cast<double>(sources) * ratio < 1e-18 * (1.0 - ratio) * total) break;
  }
  return FiniteSource{busy / total / sources, waiting / total / sources};
}

}  // namespace vdc::sim
