#include "vdc/models/memory/memory_rules.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace vdc::models::memory {

std::string_view to_string(HostState state) {
  switch (state) {
    case HostState::high: return "high";
    case HostState::clear: return "clear";
    case HostState::soft: return "soft";
    case HostState::hard: return "hard";
    case HostState::low: return "low";
  }
  return "high";
}

double min_free_mib(double host_mib, double min_free_pct) {
  if (min_free_pct > 0.0) return host_mib * min_free_pct / 100.0;
  // Bands of the sliding scale: [0, 4 GiB) 6%, [4, 12) 4%, [12, 28) 2%, beyond 1%.
  constexpr std::array<double, 4> upper{4096.0, 12288.0, 28672.0,
                                        std::numeric_limits<double>::infinity()};
  constexpr std::array<double, 4> rate{0.06, 0.04, 0.02, 0.01};
  double total = 0.0;
  double lower = 0.0;
  for (std::size_t i = 0; i < upper.size() && host_mib > lower; ++i) {
    total += (std::min(host_mib, upper[i]) - lower) * rate[i];
    lower = upper[i];
  }
  return total;
}

std::array<double, host_state_count> state_thresholds_mib(
    double min_free, const std::array<double, host_state_count>& pct) {
  std::array<double, host_state_count> t{};
  for (std::size_t i = 0; i < host_state_count; ++i) t[i] = min_free * pct[i] / 100.0;
  return t;
}

HostState next_state(HostState current, double free_mib,
                     const std::array<double, host_state_count>& thresholds_mib,
                     double rise_margin) {
  auto s = static_cast<std::size_t>(current);
  while (s + 1 < host_state_count && free_mib < thresholds_mib[s + 1]) ++s;
  while (s > 0 && free_mib >= thresholds_mib[s - 1] * (1.0 + rise_margin)) --s;
  return static_cast<HostState>(s);
}

namespace {

// Reference B.7 sample table (MB): rows by VM memory, columns by 1, 2, 4, 8 vCPUs.
constexpr std::array<double, 4> table_memory{256.0, 1024.0, 4096.0, 16384.0};
constexpr std::array<int, 4> table_vcpus{1, 2, 4, 8};
constexpr std::array<std::array<double, 4>, 4> table_overhead{{
    {20.29, 24.28, 32.23, 48.16},
    {25.90, 29.91, 37.86, 53.82},
    {48.64, 52.72, 60.67, 76.78},
    {139.62, 143.98, 151.93, 168.60},
}};

/// Index i of the segment [x[i], x[i+1]] used for `v`, extended at both ends.
template <class T>
std::size_t segment(const std::array<T, 4>& x, double v) {
  std::size_t i = 0;
  while (i + 2 < x.size() && v > static_cast<double>(x[i + 1])) ++i;
  return i;
}

double lerp(double x0, double x1, double y0, double y1, double x) {
  return y0 + (y1 - y0) * (x - x0) / (x1 - x0);
}

/// Overhead of column `c` (a vCPU count of the table) at `memory_mib`.
double column_overhead(std::size_t c, double memory_mib) {
  const std::size_t r = segment(table_memory, memory_mib);
  return lerp(table_memory[r], table_memory[r + 1], table_overhead[r][c], table_overhead[r + 1][c],
              memory_mib);
}

}  // namespace

double overhead_mib(double memory_mib, int vcpus) {
  const double v = static_cast<double>(std::max(vcpus, 1));
  const std::size_t c = segment(table_vcpus, v);
  const double lo = column_overhead(c, memory_mib);
  const double hi = column_overhead(c + 1, memory_mib);
  return std::max(0.0, lerp(table_vcpus[c], table_vcpus[c + 1], lo, hi, v));
}

double max_balloon_mib(double memory_mib, double reservation_mib, double ctl_max_pct,
                       double maxmemctl_mib) {
  const double by_pct = memory_mib * ctl_max_pct / 100.0;
  const double unreserved = std::max(0.0, memory_mib - reservation_mib);
  return std::max(0.0, std::min({by_pct, unreserved, maxmemctl_mib}));
}

double zip_cache_mib(double memory_mib, double zip_max_pct) {
  return memory_mib * zip_max_pct / 100.0;
}

double swap_file_mib(double memory_mib, double reservation_mib) {
  return std::max(0.0, memory_mib - reservation_mib);
}

double idle_tax_rho(double shares, double pages, double active_fraction, double tau) {
  assert(tau >= 0.0 && tau < 1.0 && pages > 0.0);
  const double k = 1.0 / (1.0 - tau);
  return shares / (pages * (active_fraction + k * (1.0 - active_fraction)));
}

double progress_factor(double guest_paged_mib, double compressed_mib, double swapped_mib,
                       double sample_period_s, const FaultCosts& costs) {
  const double stall_s = pages_per_mib *
                         (guest_paged_mib * costs.guest_paging_s +
                          compressed_mib * costs.decompress_s + swapped_mib * costs.host_swap_in_s);
  return 1.0 / (1.0 + std::max(0.0, stall_s) / sample_period_s);
}

std::optional<std::string> share_group_key(int salting, std::string_view guest_os,
                                           const std::optional<std::string>& salt,
                                           bool unset_salt_common) {
  if (guest_os.empty()) return std::nullopt;
  std::string key(guest_os);
  // A NUL separates image and salt, so no pair of names can collide.
  key.push_back('\0');
  if (salting <= 0) return key;
  if (salt) return key + "s:" + *salt;
  if (salting == 1 && unset_salt_common) return key + "s0";
  return std::nullopt;
}

}  // namespace vdc::models::memory
