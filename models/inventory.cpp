#include "vdc/models/inventory.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace vdc::models {
namespace {

/// Names to indices, built once: the first entity of a name, or the last (`last`), as the
/// linear searches they replace found them (names are unique in a loaded scenario).
class Index {
 public:
  template <typename Range, typename Name>
  Index(const Range& items, Name name, bool last = false) {
    index_.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string_view key = name(items[i]);
      if (last) index_.insert_or_assign(key, static_cast<int>(i));
      else index_.emplace(key, static_cast<int>(i));
    }
  }
  [[nodiscard]] int find(std::string_view name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? -1 : it->second;
  }

 private:
  std::unordered_map<std::string_view, int> index_;
};

std::runtime_error missing_parent(const PoolConfig& pool, std::string_view kind) {
  return std::runtime_error(fmt::format("pool '{}': no {} '{}'", pool.name, kind, pool.parent));
}

/// Resolves pool `i` after its parents (depth first), appending it to pool_order.
void resolve_pool(ScenarioConfig& config, const Index& hosts, const Index& clusters, const Index& pools,
                  std::size_t i, std::vector<int>& state) {
  if (state[i] == 2) return;
  PoolConfig& pc = config.pools[i];
  if (state[i] == 1) throw std::runtime_error(fmt::format("resource pool cycle at '{}'", pc.name));
  state[i] = 1;
  pc.parent_id = -1;
  pc.root_host = -1;
  pc.root_cluster = -1;
  switch (pc.parent_kind) {
    case PoolParentKind::host:
      pc.root_host = hosts.find(pc.parent);
      if (pc.root_host < 0) throw missing_parent(pc, "host");
      break;
    case PoolParentKind::cluster:
      pc.root_cluster = clusters.find(pc.parent);
      if (pc.root_cluster < 0) throw missing_parent(pc, "cluster");
      break;
    case PoolParentKind::pool: {
      const int found = pools.find(pc.parent);
      if (found < 0) throw missing_parent(pc, "pool");
      const auto j = static_cast<std::size_t>(found);
      resolve_pool(config, hosts, clusters, pools, j, state);
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

/// The network's names: each vSwitch's hosts, each port group's vSwitch, each vNIC's port
/// group and each flow's target VM or endpoint (-1 where a name is unknown; the loader
/// refuses those with their line and column).
void resolve_network(ScenarioConfig& config, const Index& hosts, const Index& vms) {
  NetworkConfig& net = config.network;
  const auto by_name = [](const auto& x) { return std::string_view(x.name); };
  for (VSwitchConfig& sw : net.vswitches) {
    sw.host_ids.clear();
    for (const std::string& h : sw.hosts) sw.host_ids.push_back(hosts.find(h));
  }
  const Index vswitches(net.vswitches, by_name);
  for (PortGroupConfig& pg : net.port_groups) pg.vswitch_id = vswitches.find(pg.vswitch);
  const Index port_groups(net.port_groups, by_name);
  const Index endpoints(net.physical.endpoints, by_name);
  for (VmConfig& vm : config.vms) {
    for (VnicConfig& nic : vm.nics) nic.port_group_id = port_groups.find(nic.port_group);
    for (FlowConfig& f : vm.flows) {
      if (f.kind == FlowTargetKind::vm) f.target_id = vms.find(f.to);
      else if (f.kind == FlowTargetKind::endpoint) f.target_id = endpoints.find(f.to);
      else f.target_id = -1;
    }
  }
}

/// The storage's names: each datastore's hosts and cluster, each disk's datastore and
/// policy (-1 where a name is unknown; the loader refuses those with their line and column).
/// A vSAN datastore is mounted by its cluster's hosts; another datastore with no `hosts`
/// by every host.
void resolve_storage(ScenarioConfig& config, const Index& hosts, const Index& clusters) {
  StorageConfig& st = config.storage;
  const auto by_name = [](const auto& x) { return std::string_view(x.name); };
  for (DatastoreConfig& ds : st.datastores) {
    ds.cluster_id = ds.cluster.empty() ? -1 : clusters.find(ds.cluster);
    if (ds.kind == DatastoreKind::vsan && ds.cluster_id >= 0) {
      ds.hosts.clear();
      for (const HostConfig& h : config.hosts) {
        if (h.cluster_id == ds.cluster_id) ds.hosts.push_back(h.name);
      }
    } else if (ds.hosts.empty() && ds.kind != DatastoreKind::vsan) {
      for (const HostConfig& h : config.hosts) ds.hosts.push_back(h.name);
    }
    ds.host_ids.clear();
    for (const std::string& h : ds.hosts) ds.host_ids.push_back(hosts.find(h));
  }
  const Index datastores(st.datastores, by_name);
  const Index policies(st.policies, by_name);
  for (VmConfig& vm : config.vms) {
    for (DiskConfig& d : vm.disks) {
      d.datastore_id = datastores.find(d.datastore);
      d.policy_id = d.policy.empty() ? -1 : policies.find(d.policy);
    }
  }
}

}  // namespace

void resolve_ids(ScenarioConfig& config) {
  const auto by_name = [](const auto& x) { return std::string_view(x.name); };
  const Index hosts(config.hosts, by_name);
  const Index vms(config.vms, by_name);
  const Index clusters(config.clusters, by_name, true);
  // A host belongs to the cluster that names it, or whose name it gives (the last such).
  std::unordered_map<std::string_view, int> member_of;
  for (std::size_t c = 0; c < config.clusters.size(); ++c) {
    for (const std::string& h : config.clusters[c].hosts) member_of.insert_or_assign(h, static_cast<int>(c));
  }
  for (HostConfig& h : config.hosts) {
    const auto listed = member_of.find(h.name);
    const int named = h.cluster.empty() ? -1 : clusters.find(h.cluster);
    h.cluster_id = std::max(named, listed == member_of.end() ? -1 : listed->second);
  }
  config.pool_order.clear();
  const Index pools_first(config.pools, by_name);
  std::vector<int> state(config.pools.size(), 0);
  for (std::size_t i = 0; i < config.pools.size(); ++i) resolve_pool(config, hosts, clusters, pools_first, i, state);
  const Index pools_last(config.pools, by_name, true);
  for (VmConfig& vm : config.vms) {
    vm.host_id = vm.host.empty() ? -1 : hosts.find(vm.host);
    vm.cluster_id = vm.cluster.empty() ? -1 : clusters.find(vm.cluster);
    vm.pool_id = pools_last.find(vm.pool);
  }
  for (EventConfig& e : config.events) {
    e.target_id = -1;
    e.to_id = -1;
    switch (e.kind) {
      case EventKind::fail_host:
      case EventKind::restore_host:
      case EventKind::device_error:
        e.target_id = hosts.find(e.target);
        break;
      case EventKind::power_on:
      case EventKind::power_off:
        e.target_id = vms.find(e.target);
        break;
      case EventKind::migrate:
        e.target_id = vms.find(e.target);
        e.to_id = hosts.find(e.to);
        break;
      case EventKind::link_down:
      case EventKind::link_up:
      case EventKind::upstream_down:
      case EventKind::upstream_up:
      case EventKind::switch_down:
      case EventKind::switch_up:
        break;  // host/nic or a physical switch: the network area resolves its own names
    }
  }
  resolve_network(config, hosts, vms);
  resolve_storage(config, hosts, clusters);
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
