#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"

namespace vdc::scenario::detail {

namespace {

/// Sets the parent kind of pool `i` from its parent's name: a host, a cluster or a pool.
/// Returns the parent pool's index when the parent is a pool.
std::optional<std::size_t> resolve_parent(Context& ctx, std::size_t i, const Node& at) {
  models::PoolConfig& pool = ctx.config.pools[i];
  const auto host = ctx.hosts.find(pool.parent);
  const auto cluster = ctx.clusters.find(pool.parent);
  const auto parent_pool = ctx.pools.find(pool.parent);
  const int matches = int{host.has_value()} + int{cluster.has_value()} + int{parent_pool.has_value()};
  if (matches > 1) {
    std::vector<std::string_view> kinds;
    if (host) kinds.push_back("a host");
    if (cluster) kinds.push_back("a cluster");
    if (parent_pool) kinds.push_back("a resource pool");
    ctx.sink.error(at.pos, fmt::format("ambiguous parent '{}': {}", pool.parent, fmt::join(kinds, " and ")),
                   "expected a name that only one host, cluster or pool has");
    return std::nullopt;
  }
  if (matches == 0) {
    Suggestion suggestion(pool.parent);
    for (const NameIndex* names : {&ctx.hosts, &ctx.clusters, &ctx.pools}) {
      for (const std::string& n : names->names()) suggestion.offer(n);
    }
    ctx.sink.error(at.pos, fmt::format("unknown parent '{}'", pool.parent),
                   "expected a host, cluster or resource pool", suggestion.best());
    return std::nullopt;
  }
  if (host) {
    pool.parent_kind = models::PoolParentKind::host;
    ctx.pool_roots[i] = PoolRoot{models::PoolParentKind::host, pool.parent};
  } else if (cluster) {
    pool.parent_kind = models::PoolParentKind::cluster;
    ctx.pool_roots[i] = PoolRoot{models::PoolParentKind::cluster, pool.parent};
  } else {
    pool.parent_kind = models::PoolParentKind::pool;
  }
  return parent_pool;
}

/// One resource (CPU in MHz, memory in MiB) of the pools' reservation check.
struct Resource {
  std::string_view key;   ///< the pool's key: cpu or mem
  std::string_view what;  ///< "CPU" or "memory"
  std::string_view unit;  ///< MHz or MiB
  models::Allocation models::PoolConfig::*allocation;
};

/// Capacity of a host or cluster for one resource, and how the message says it.
struct Capacity {
  double amount = 0.0;
  std::string said;  ///< "the 38400 MHz of host esx01 (16 cores x 2400 MHz)"
};

Capacity host_capacity(const models::HostConfig& h, const Resource& r) {
  if (r.unit == "MiB") return {h.memory_mib, fmt::format("the {} MiB of host {}", h.memory_mib, h.name)};
  return {h.cpu.capacity_mhz(), fmt::format("the {} MHz of host {} ({} cores x {} MHz)", h.cpu.capacity_mhz(), h.name,
                                            h.cpu.pcpus(), h.cpu.frequency_mhz)};
}

/// The capacity of a pool tree's root, counting every host of a cluster; nullopt when the
/// root is unknown or has no capacity (an error already said why).
std::optional<Capacity> root_capacity(const Context& ctx, const PoolRoot& root, const Resource& r) {
  if (root.name.empty()) return std::nullopt;
  if (root.kind == models::PoolParentKind::host) {
    const auto h = ctx.hosts.find(root.name);
    if (!h) return std::nullopt;
    Capacity c = host_capacity(ctx.config.hosts[*h], r);
    if (c.amount <= 0.0) return std::nullopt;
    return c;
  }
  const auto cl = ctx.clusters.find(root.name);
  if (!cl) return std::nullopt;
  double total = 0.0;
  std::size_t count = 0;
  for (const std::string& name : ctx.config.clusters[*cl].hosts) {
    if (const auto h = ctx.hosts.find(name)) {
      total += host_capacity(ctx.config.hosts[*h], r).amount;
      ++count;
    }
  }
  if (total <= 0.0) return std::nullopt;
  return Capacity{total, fmt::format("the {} {} of cluster {} ({} host{})", total, r.unit, root.name, count,
                                     count == 1 ? "" : "s")};
}

/// Where a pool's reservation of `r` is written: its `reservation` key, else the
/// allocation's `expandable` key, else the allocation, else the pool's name.
Position reservation_pos(const Node* allocation, const Position& name) {
  if (allocation == nullptr || !allocation->is_mapping()) return name;
  if (const Entry* e = allocation->find("reservation")) return e->key_pos;
  if (const Entry* e = allocation->find("expandable")) return e->key_pos;
  return allocation->pos;
}

/// Refuses reservations that cannot be held (docs/scenario.md "Resource pools"): a pool's
/// reservation above its host's or cluster's capacity; the reservations of a
/// non-expandable pool's children above its own; and the pools under a host or cluster
/// reserving together more than it has. An expandable pool holds the larger of its own
/// reservation and its children's, and lends the difference from its parent, as the
/// admission ledgers do.
void check_reservations(Context& ctx, const std::vector<std::optional<std::size_t>>& parent_of,
                        const std::vector<const Node*>& entries) {
  const std::vector<models::PoolConfig>& pools = ctx.config.pools;
  const std::size_t n = pools.size();
  // Children before parents: deepest first (cycles were reported and are left out).
  std::vector<int> depth(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    int d = 0;
    std::optional<std::size_t> at = parent_of[i];
    while (at && d <= static_cast<int>(n)) {
      at = parent_of[*at];
      ++d;
    }
    if (d <= static_cast<int>(n) && !ctx.pool_roots[i].name.empty()) depth[i] = d;
  }
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < n; ++i) {
    if (depth[i] >= 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return depth[a] > depth[b]; });

  static constexpr std::array<Resource, 2> resources{{
      {"cpu", "CPU", "MHz", &models::PoolConfig::cpu},
      {"mem", "memory", "MiB", &models::PoolConfig::mem},
  }};
  for (const Resource& r : resources) {
    auto pos = [&](std::size_t i) {
      const Node* entry = entries[i];
      const Node* alloc = entry != nullptr && entry->is_mapping() ? entry->get(r.key) : nullptr;
      const Node* name = entry != nullptr && entry->is_mapping() ? entry->get("name") : nullptr;
      return reservation_pos(alloc, name != nullptr ? name->pos : (entry != nullptr ? entry->pos : Position{}));
    };
    std::vector<double> children(n, 0.0);   // what a pool's children hold of it
    std::vector<bool> over(n, false);       // a pool, or one below it, was refused
    std::vector<double> held(n, 0.0);       // what a pool holds of its parent
    for (const std::size_t i : order) {
      const models::Allocation& a = pools[i].*r.allocation;
      if (const auto cap = root_capacity(ctx, ctx.pool_roots[i], r); cap && a.reservation > cap->amount) {
        ctx.sink.error(pos(i),
                       fmt::format("resource pool '{}' reserves {} {} of {}, more than {}", pools[i].name,
                                   a.reservation, r.unit, r.what, cap->said),
                       fmt::format("expected a {} reservation of at most {} {}", r.what, cap->amount, r.unit));
        over[i] = true;
      }
      if (!a.expandable && children[i] > a.reservation && !over[i]) {
        ctx.sink.error(pos(i),
                       fmt::format("the child pools of resource pool '{}' reserve {} {} of {}, more than its {} {}, "
                                   "and it is not expandable",
                                   pools[i].name, children[i], r.unit, r.what, a.reservation, r.unit),
                       "expected child reservations that fit in their parent's, or an expandable parent");
        over[i] = true;
      }
      held[i] = a.expandable ? std::max(a.reservation, children[i]) : a.reservation;
      if (parent_of[i]) {
        children[*parent_of[i]] += held[i];
        if (over[i]) over[*parent_of[i]] = true;
      }
    }
    // The pools at the top of each host's or cluster's tree, together.
    for (std::size_t i = 0; i < n; ++i) {
      if (depth[i] != 0 || over[i]) continue;
      const PoolRoot& root = ctx.pool_roots[i];
      const auto cap = root_capacity(ctx, root, r);
      if (!cap) continue;
      double total = 0.0;
      bool refused = false;
      bool first = true;
      for (std::size_t j = 0; j < n; ++j) {
        if (depth[j] != 0 || ctx.pool_roots[j].kind != root.kind || ctx.pool_roots[j].name != root.name) continue;
        first = first && j >= i;
        refused = refused || over[j];
        total += held[j];
      }
      // Reported once per root, at the last top-level pool that reserves something.
      std::size_t last = i;
      for (std::size_t j = i + 1; j < n; ++j) {
        if (depth[j] == 0 && held[j] > 0.0 && ctx.pool_roots[j].kind == root.kind &&
            ctx.pool_roots[j].name == root.name) {
          last = j;
        }
      }
      if (!first || refused || total <= cap->amount) continue;
      ctx.sink.error(pos(last),
                     fmt::format("the resource pools under {} {} reserve {} {} of {} together, more than {}",
                                 root.kind == models::PoolParentKind::host ? "host" : "cluster", root.name, total,
                                 r.unit, r.what, cap->said),
                     "expected top-level pools whose reservations fit in their host or cluster together");
    }
  }
}

}  // namespace

void read_pools(Context& ctx, const Node& section) {
  if (read_sequence(ctx.sink, "resource_pools", section, "expected a sequence of resource pools") == nullptr) return;
  std::vector<const Node*> parent_nodes;
  std::vector<const Node*> entries;  // each pool's mapping, parallel to config.pools
  for (const Node& item : section.items) {
    const MapView m(ctx.sink, item, keys::pool, "a resource_pools entry");
    if (!m.valid()) continue;
    models::PoolConfig pool;
    const Node* name = m.require("name", "expected a pool name");
    const Node* parent = m.require("parent", "expected a host, cluster or resource pool name");
    std::optional<std::string> name_text;
    if (name != nullptr) name_text = read_name(ctx.sink, "name", *name);
    if (parent != nullptr) assign(read_name(ctx.sink, "parent", *parent), pool.parent);
    if (const Node* cpu = m.get("cpu")) read_allocation(ctx.sink, *cpu, "cpu", false, true, pool.cpu);
    if (const Node* mem = m.get("mem")) read_allocation(ctx.sink, *mem, "mem", true, true, pool.mem);
    if (!name_text || !ctx.pools.add(ctx.sink, *name_text, name->pos)) continue;
    pool.name = *name_text;
    ctx.config.pools.push_back(std::move(pool));
    parent_nodes.push_back(parent);
    entries.push_back(&item);
  }

  const std::size_t n = ctx.config.pools.size();
  ctx.pool_roots.assign(n, PoolRoot{});
  std::vector<std::optional<std::size_t>> parent_of(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (parent_nodes[i] != nullptr && !ctx.config.pools[i].parent.empty()) {
      parent_of[i] = resolve_parent(ctx, i, *parent_nodes[i]);
    }
  }
  // A pool under pools takes the root of the first ancestor under a host or cluster; a
  // chain that comes back to where it started is a cycle, reported once at its first pool.
  for (std::size_t i = 0; i < n; ++i) {
    std::optional<std::size_t> at = parent_of[i];
    std::size_t steps = 0;
    while (at && *at != i && steps < n) {
      if (!ctx.pool_roots[*at].name.empty() && !parent_of[*at]) break;
      at = parent_of[*at];
      ++steps;
    }
    if (at && *at == i) {
      bool first = true;
      for (std::optional<std::size_t> k = parent_of[i]; k && *k != i; k = parent_of[*k]) {
        first = first && *k > i;
      }
      if (first) {
        ctx.sink.error(parent_nodes[i]->pos,
                       fmt::format("resource pool '{}' is its own ancestor", ctx.config.pools[i].name),
                       "expected a chain of parents that ends at a host or cluster");
      }
    } else if (at && !parent_of[*at]) {
      ctx.pool_roots[i] = ctx.pool_roots[*at];
    }
  }
  check_reservations(ctx, parent_of, entries);
}

}  // namespace vdc::scenario::detail
