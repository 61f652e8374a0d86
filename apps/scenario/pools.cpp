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

}  // namespace

void read_pools(Context& ctx, const Node& section) {
  if (!section.is_sequence()) {
    ctx.sink.error(section.pos, fmt::format("'resource_pools' is {}", describe(section)),
                   "expected a sequence of resource pools");
    return;
  }
  std::vector<const Node*> parent_nodes;
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
}

}  // namespace vdc::scenario::detail
