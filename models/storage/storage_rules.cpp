// The storage rules that need no run: include/vdc/models/storage/storage_rules.hpp.
#include "vdc/models/storage/storage_rules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

namespace vdc::models::storage {

std::optional<Scheme> scheme(const StoragePolicyConfig& policy, VsanArchitecture architecture, bool all_flash, int hosts,
                             std::string* why) {
  Scheme s;
  s.raid = policy.raid;
  s.ftt = policy.ftt;
  const auto refuse = [&](std::string text) -> std::optional<Scheme> {
    if (why != nullptr) *why = std::move(text);
    return std::nullopt;
  };
  if (policy.ftt < 0 || policy.ftt > 3) return refuse(fmt::format("FTT={} is outside 0-3", policy.ftt));
  const bool esa = architecture == VsanArchitecture::esa;
  switch (policy.raid) {
    case RaidLevel::raid1:
      s.data = 1;
      s.parity = 0;
      s.replicas = policy.ftt + 1;
      s.witnesses = policy.ftt;
      s.min_hosts = 2 * policy.ftt + 1;
      s.multiplier = policy.ftt + 1.0;
      s.write_amplification = policy.ftt + 1.0;
      break;
    case RaidLevel::raid5:
    case RaidLevel::raid6: {
      const bool r5 = policy.raid == RaidLevel::raid5;
      if (!esa && !all_flash) return refuse(fmt::format("RAID-{} (erasure coding) needs all-flash disk groups", r5 ? 5 : 6));
      if (policy.ftt != (r5 ? 1 : 2)) {
        return refuse(fmt::format("RAID-{} tolerates {} failure{}, not FTT={}", r5 ? 5 : 6, r5 ? 1 : 2, r5 ? "" : "s", policy.ftt));
      }
      s.replicas = 1;
      s.witnesses = 0;
      s.parity = r5 ? 1 : 2;
      if (r5 && esa) {
        // ESA's adaptive RAID-5: 2+1 on 3 to 5 hosts, 4+1 on 6 or more (reference B.3, S7).
        s.data = hosts >= 6 ? 4 : 2;
        s.min_hosts = 3;
      } else {
        s.data = r5 ? 3 : 4;
        s.min_hosts = r5 ? 4 : 6;
      }
      s.multiplier = static_cast<double>(s.data + s.parity) / s.data;
      s.write_amplification = r5 ? 4.0 : 6.0;
      break;
    }
  }
  if (hosts < s.min_hosts) {
    return refuse(fmt::format("FTT={} RAID-{} needs {} hosts and the cluster has {}", policy.ftt, static_cast<int>(policy.raid),
                              s.min_hosts, hosts));
  }
  return s;
}

int components_per_piece(const Scheme& s, double size_gib, int stripes) {
  stripes = std::max(1, stripes);
  const double piece = size_gib / s.data;  // a replica holds everything, a column 1/data
  const double per_stripe = piece / stripes;
  const int splits = std::max(1, static_cast<int>(std::ceil(per_stripe / component_max_gib - 1e-12)));
  return stripes * splits;
}

int object_components(const Scheme& s, double size_gib, int stripes) {
  const int per = components_per_piece(s, size_gib, stripes);
  if (s.raid == RaidLevel::raid1) return s.replicas * per + s.witnesses;
  return (s.data + s.parity) * per;
}

bool accessible(const Scheme& s, std::span<const bool> alive) {
  if (s.raid != RaidLevel::raid1) {
    const auto missing = std::count(alive.begin(), alive.end(), false);
    return missing <= s.parity;
  }
  // Votes per piece: a replica 1 per component (k), a witness k, so the weights are equal.
  int votes = 0;
  int total = 0;
  bool replica = false;
  for (std::size_t i = 0; i < alive.size(); ++i) {
    ++total;
    if (!alive[i]) continue;
    ++votes;
    if (static_cast<int>(i) < s.replicas) replica = true;
  }
  return replica && 2 * votes > total;
}

double consumed_gib(const DiskConfig& disk, DatastoreKind kind, double object_space_reservation) {
  const double written = disk.size_gib * std::clamp(disk.written, 0.0, 1.0);
  if (kind == DatastoreKind::vsan) {
    const double reserved = disk.provisioning == Provisioning::thin ? object_space_reservation : 1.0;
    return std::max(written, disk.size_gib * std::clamp(reserved, 0.0, 1.0));
  }
  return disk.provisioning == Provisioning::thin ? written : disk.size_gib;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// mClock's rates once its tags converge, for the worlds `idx` of one host with caps `cap`
/// (demand, limit and outstanding / DAVG) sharing `total` commands per second: each gets
/// min(cap, max(reservation, weight·λ)) with λ such that the sum is `total`; reservations
/// that do not fit all shrink in proportion.
void allocate(std::span<const World> worlds, std::span<const std::size_t> idx, std::span<const double> cap, double total,
              std::span<double> out) {
  double sum = 0.0;
  for (const std::size_t i : idx) sum += cap[i];
  if (sum <= total) {
    for (const std::size_t i : idx) out[i] = cap[i];
    return;
  }
  double floors = 0.0;
  for (const std::size_t i : idx) floors += std::min(worlds[i].reservation, cap[i]);
  if (floors >= total) {
    for (const std::size_t i : idx) out[i] = floors > 0.0 ? std::min(worlds[i].reservation, cap[i]) * total / floors : 0.0;
    return;
  }
  const auto filled = [&](double lambda) {
    double s = 0.0;
    for (const std::size_t i : idx) s += std::min(cap[i], std::max(std::min(worlds[i].reservation, cap[i]), worlds[i].shares * lambda));
    return s;
  };
  double hi = 0.0;
  for (const std::size_t i : idx) hi = std::max(hi, cap[i] / std::max(worlds[i].shares, 1e-12));
  double lo = 0.0;
  for (int it = 0; it < 100 && hi - lo > 1e-15 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (filled(mid) < total) lo = mid;
    else hi = mid;
  }
  const double lambda = 0.5 * (lo + hi);
  for (const std::size_t i : idx) out[i] = std::min(cap[i], std::max(std::min(worlds[i].reservation, cap[i]), worlds[i].shares * lambda));
}

struct Pass {
  double davg_implied = kInf;
  double utilisation = 0.0;
};

/// Throughput of every world when the device answers in `davg`, and the latency that
/// throughput implies.
Pass at_latency(std::span<const World> worlds, const DeviceModel& device, double davg,
                const std::vector<std::vector<std::size_t>>& by_host, std::vector<double>& cap, std::vector<double>& x) {
  for (std::size_t i = 0; i < worlds.size(); ++i) {
    double c = worlds[i].demand;
    if (worlds[i].limit > 0.0) c = std::min(c, worlds[i].limit);
    cap[i] = std::min(c, worlds[i].outstanding / davg);
  }
  for (std::size_t h = 0; h < by_host.size(); ++h) {
    const auto& idx = by_host[h];
    if (idx.empty()) continue;
    double total = h < device.host_slots.size() ? device.host_slots[h] / davg : kInf;
    if (h < device.host_bytes_s.size() && device.host_bytes_s[h] > 0.0) {
      double rate = 0.0;
      double bytes = 0.0;
      for (const std::size_t i : idx) {
        rate += cap[i];
        bytes += cap[i] * worlds[i].block_bytes;
      }
      if (bytes > 0.0) total = std::min(total, device.host_bytes_s[h] * rate / bytes);
    }
    allocate(worlds, idx, cap, total, x);
  }
  double commands = 0.0;
  double bytes = 0.0;
  double demand_commands = 0.0;
  double demand_bytes = 0.0;
  for (std::size_t i = 0; i < worlds.size(); ++i) {
    commands += x[i] * worlds[i].backend;
    bytes += x[i] * worlds[i].backend * worlds[i].block_bytes;
    demand_commands += worlds[i].demand * worlds[i].backend;
    demand_bytes += worlds[i].demand * worlds[i].backend * worlds[i].block_bytes;
  }
  Pass p;
  p.utilisation = std::max(commands / device.iops, bytes / device.bandwidth_bytes_s);
  if (p.utilisation >= 1.0) return p;
  // Mean service time at the bottleneck; with nothing served, that of the mix asked for.
  const double block = commands > 0.0 ? bytes / commands : (demand_commands > 0.0 ? demand_bytes / demand_commands : 0.0);
  const double service = std::max(1.0 / device.iops, block / device.bandwidth_bytes_s);
  p.davg_implied = device.latency_s + service * p.utilisation / (1.0 - p.utilisation);
  return p;
}

/// The device latency when every world gets all it asks (up to its limit) and neither its
/// outstanding commands nor its host's slots or path bind at that latency: the fixed point
/// without a search. Nothing when one of them binds, or the device is saturated.
std::optional<double> unconstrained(std::span<const World> worlds, const DeviceModel& device,
                                    const std::vector<std::vector<std::size_t>>& by_host) {
  double commands = 0.0;
  double bytes = 0.0;
  const auto wanted = [](const World& w) { return w.limit > 0.0 ? std::min(w.demand, w.limit) : w.demand; };
  for (const World& w : worlds) {
    commands += wanted(w) * w.backend;
    bytes += wanted(w) * w.backend * w.block_bytes;
  }
  const double rho = std::max(commands / device.iops, bytes / device.bandwidth_bytes_s);
  if (rho >= 1.0) return std::nullopt;
  const double block = commands > 0.0 ? bytes / commands : 0.0;
  const double service = std::max(1.0 / device.iops, block / device.bandwidth_bytes_s);
  const double davg = std::max(device.latency_s, 1e-9) + service * rho / (1.0 - rho);
  for (const World& w : worlds) {
    if (w.outstanding / davg < wanted(w)) return std::nullopt;
  }
  for (std::size_t h = 0; h < by_host.size(); ++h) {
    double rate = 0.0;
    double host_bytes = 0.0;
    for (const std::size_t i : by_host[h]) {
      rate += wanted(worlds[i]);
      host_bytes += wanted(worlds[i]) * worlds[i].block_bytes;
    }
    if (h < device.host_slots.size() && rate > device.host_slots[h] / davg) return std::nullopt;
    if (h < device.host_bytes_s.size() && device.host_bytes_s[h] > 0.0 && host_bytes > device.host_bytes_s[h]) {
      return std::nullopt;
    }
  }
  return davg;
}

/// The DAVG at which the throughput it allows implies that same DAVG: h(D) = implied(D) - D
/// falls as D grows, so its root is bracketed by doubling from L0, then bisected
/// (geometrically).
double search_latency(std::span<const World> worlds, const DeviceModel& device,
                      const std::vector<std::vector<std::size_t>>& by_host, std::vector<double>& cap,
                      std::vector<double>& x) {
  double lo = std::max(device.latency_s, 1e-9);
  Pass p = at_latency(worlds, device, lo, by_host, cap, x);
  if (p.davg_implied <= lo * (1.0 + 1e-12)) return lo;
  double hi = lo * 2.0;
  for (int it = 0; it < 200; ++it) {
    p = at_latency(worlds, device, hi, by_host, cap, x);
    if (p.davg_implied <= hi) break;
    lo = hi;
    hi *= 2.0;
  }
  for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; ++it) {
    const double mid = std::sqrt(lo * hi);
    p = at_latency(worlds, device, mid, by_host, cap, x);
    if (p.davg_implied > mid) lo = mid;
    else hi = mid;
  }
  return hi;
}

}  // namespace

Solution solve(std::span<const World> worlds, const DeviceModel& device) {
  Solution out;
  const std::size_t n = worlds.size();
  std::size_t hosts = device.host_slots.size();
  for (const World& w : worlds) hosts = std::max(hosts, static_cast<std::size_t>(w.host) + 1);
  std::vector<std::vector<std::size_t>> by_host(hosts);
  for (std::size_t i = 0; i < n; ++i) by_host[static_cast<std::size_t>(worlds[i].host)].push_back(i);
  std::vector<double> cap(n, 0.0);
  std::vector<double> x(n, 0.0);
  const auto free = unconstrained(worlds, device, by_host);  // the common case: only the device binds
  const double davg = free ? *free : search_latency(worlds, device, by_host, cap, x);
  const Pass p = at_latency(worlds, device, davg, by_host, cap, x);
  out.davg_s = davg;
  out.utilisation = p.utilisation;
  out.worlds.resize(n);
  out.host_iops.assign(hosts, 0.0);
  out.host_queued.assign(hosts, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    WorldResult& r = out.worlds[i];
    r.iops = x[i];
    const bool served = x[i] >= worlds[i].demand * (1.0 - 1e-9);
    r.latency_s = served || x[i] <= 0.0 ? davg : std::max(davg, worlds[i].outstanding / x[i]);
    if (x[i] <= 0.0 && worlds[i].demand > 0.0) r.latency_s = kInf;
    const auto h = static_cast<std::size_t>(worlds[i].host);
    out.host_iops[h] += x[i];
    if (std::isfinite(r.latency_s)) out.host_queued[h] += x[i] * (r.latency_s - davg);
  }
  return out;
}

double sioc_auto_threshold(std::span<const World> worlds, const DeviceModel& device) {
  double commands = 0.0;
  double bytes = 0.0;
  for (const World& w : worlds) {
    commands += w.demand * w.backend;
    bytes += w.demand * w.backend * w.block_bytes;
  }
  const double block = commands > 0.0 ? bytes / commands : 0.0;
  const double service = std::max(1.0 / device.iops, block / device.bandwidth_bytes_s);
  return device.latency_s + service * 0.9 / (1.0 - 0.9);
}

DeviceModel sioc_throttle(std::span<const World> worlds, const DeviceModel& device, double threshold_s, bool* throttled) {
  if (throttled != nullptr) *throttled = false;
  const Solution free = solve(worlds, device);
  if (free.davg_s <= threshold_s) return device;
  std::size_t hosts = device.host_slots.size();
  for (const World& w : worlds) hosts = std::max(hosts, static_cast<std::size_t>(w.host) + 1);
  std::vector<double> weight(hosts, 0.0);
  double all = 0.0;
  for (const World& w : worlds) {
    if (w.demand <= 0.0) continue;
    weight[static_cast<std::size_t>(w.host)] += w.shares;
    all += w.shares;
  }
  if (all <= 0.0) return device;
  DeviceModel cut = device;
  cut.host_slots.resize(hosts, kInf);
  const auto window = [&](double total) {
    for (std::size_t h = 0; h < hosts; ++h) {
      const double own = h < device.host_slots.size() ? device.host_slots[h] : kInf;
      cut.host_slots[h] = std::min(own, total * weight[h] / all);
    }
    return solve(worlds, cut).davg_s;
  };
  // The window is the total of the slots in use at the unthrottled state at most.
  double hi = 0.0;
  for (const World& w : worlds) hi += w.outstanding;
  double lo = 0.0;
  for (int it = 0; it < 60 && hi - lo > 1e-9 * hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (window(mid) > threshold_s) hi = mid;
    else lo = mid;
  }
  window(std::max(lo, 1e-9));
  if (throttled != nullptr) *throttled = true;
  return cut;
}

}  // namespace vdc::models::storage
