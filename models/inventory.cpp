#include "vdc/models/inventory.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace vdc::models {
namespace {

int find_host(const ScenarioConfig& config, const std::string& name) {
  for (std::size_t i = 0; i < config.hosts.size(); ++i) {
    if (config.hosts[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int find_vm(const ScenarioConfig& config, const std::string& name) {
  for (std::size_t i = 0; i < config.vms.size(); ++i) {
    if (config.vms[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int find_cluster(const ScenarioConfig& config, const std::string& name) {
  int found = -1;
  for (std::size_t c = 0; c < config.clusters.size(); ++c) {
    if (config.clusters[c].name == name) found = static_cast<int>(c);
  }
  return found;
}

std::runtime_error missing_parent(const PoolConfig& pool, std::string_view kind) {
  return std::runtime_error(fmt::format("pool '{}': no {} '{}'", pool.name, kind, pool.parent));
}

/// Resolves pool `i` after its parents (depth first), appending it to pool_order.
void resolve_pool(ScenarioConfig& config, std::size_t i, std::vector<int>& state) {
  if (state[i] == 2) return;
  PoolConfig& pc = config.pools[i];
  if (state[i] == 1) throw std::runtime_error(fmt::format("resource pool cycle at '{}'", pc.name));
  state[i] = 1;
  pc.parent_id = -1;
  pc.root_host = -1;
  pc.root_cluster = -1;
  switch (pc.parent_kind) {
    case PoolParentKind::host:
      pc.root_host = find_host(config, pc.parent);
      if (pc.root_host < 0) throw missing_parent(pc, "host");
      break;
    case PoolParentKind::cluster:
      pc.root_cluster = find_cluster(config, pc.parent);
      if (pc.root_cluster < 0) throw missing_parent(pc, "cluster");
      break;
    case PoolParentKind::pool: {
      std::size_t j = 0;
      while (j < config.pools.size() && config.pools[j].name != pc.parent) ++j;
      if (j == config.pools.size()) throw missing_parent(pc, "pool");
      resolve_pool(config, j, state);
      const PoolConfig& up = config.pools[j];
      pc.parent_id = static_cast<int>(j);
      pc.root_host = up.root_host;
      pc.root_cluster = up.root_cluster;
      break;
    }
  }
  config.pool_order.push_back(i);
  state[i] = 2;
}

}  // namespace

void resolve_ids(ScenarioConfig& config) {
  for (HostConfig& h : config.hosts) {
    // A host belongs to the cluster that names it, or whose name it gives.
    h.cluster_id = -1;
    for (std::size_t c = 0; c < config.clusters.size(); ++c) {
      const ClusterConfig& cc = config.clusters[c];
      if (cc.name == h.cluster || std::find(cc.hosts.begin(), cc.hosts.end(), h.name) != cc.hosts.end()) {
        h.cluster_id = static_cast<int>(c);
      }
    }
  }
  config.pool_order.clear();
  std::vector<int> state(config.pools.size(), 0);
  for (std::size_t i = 0; i < config.pools.size(); ++i) resolve_pool(config, i, state);
  for (VmConfig& vm : config.vms) {
    vm.host_id = vm.host.empty() ? -1 : find_host(config, vm.host);
    vm.cluster_id = vm.cluster.empty() ? -1 : find_cluster(config, vm.cluster);
    vm.pool_id = -1;
    for (std::size_t p = 0; p < config.pools.size(); ++p) {
      if (config.pools[p].name == vm.pool) vm.pool_id = static_cast<int>(p);
    }
  }
  for (EventConfig& e : config.events) {
    e.target_id = -1;
    e.to_id = -1;
    switch (e.kind) {
      case EventKind::fail_host:
      case EventKind::restore_host:
        e.target_id = find_host(config, e.target);
        break;
      case EventKind::power_on:
      case EventKind::power_off:
        e.target_id = find_vm(config, e.target);
        break;
      case EventKind::migrate:
        e.target_id = find_vm(config, e.target);
        e.to_id = find_host(config, e.to);
        break;
      case EventKind::link_down:
      case EventKind::link_up:
        break;  // host/nic: the network area resolves its own names
    }
  }
  config.ids_resolved = true;
}

int pool_on_host(const ScenarioConfig& config, int pool, int host) {
  if (pool < 0) return -1;
  const PoolConfig& p = config.pools[static_cast<std::size_t>(pool)];
  const int cluster = config.hosts[static_cast<std::size_t>(host)].cluster_id;
  if (p.root_host == host || (p.root_cluster >= 0 && p.root_cluster == cluster)) return pool;
  return -1;
}

}  // namespace vdc::models
