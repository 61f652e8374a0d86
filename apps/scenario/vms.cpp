#include <initializer_list>
#include <utility>

#include <fmt/format.h>

#include "name_range.hpp"
#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

constexpr Bounds vm_memory{limits::min_vm_memory_mib, limits::max_vm_memory_mib, false,
                           "expected a size from 4 MiB to 24 TiB"};

/// The configuration keys a VM and a VM profile share; `node` is a mapping whose keys were
/// checked already. `network` and `storage`, when given, receive where the network and
/// storage names are written.
void read_vm_body(Sink& sink, const Node& node, models::VmConfig& vm, VmNetworkSite* network,
                  VmStorageSite* storage) {
  if (const Node* v = node.get("vcpus")) {
    assign(read_integer(sink, "vcpus", *v, 1, limits::max_vcpus), vm.vcpus);
  }
  if (const Node* v = node.get("memory")) assign(read_memory(sink, "memory", *v, vm_memory), vm.memory_mib);
  if (const Node* v = node.get("cpu")) read_allocation(sink, *v, "cpu", false, false, vm.cpu);
  if (const Node* v = node.get("mem")) read_vm_memory_allocation(sink, *v, vm);
  if (const Node* v = node.get("guest")) {
    const MapView guest(sink, *v, keys::guest, "'guest'");
    assign(guest.text("os", "expected a guest image name like linux-5.x"), vm.guest.os);
    if (auto salt = guest.text("salt", "expected a salt value")) vm.guest.salt = *salt;
  }
  if (const Node* v = node.get("workload")) read_workload(sink, *v, vm);
  if (const Node* v = node.get("powered_on")) assign(read_bool(sink, "powered_on", *v), vm.powered_on);
  read_vm_network(sink, node, vm, network);
  if (const Node* v = node.get("vgpus")) read_vgpus(sink, *v, vm);
  read_vm_storage(sink, node, vm, storage);
  // vSphere refuses a memory reservation above the configured memory.
  const Node* mem = node.get("mem");
  const Node* reservation = mem != nullptr ? mem->get("reservation") : nullptr;
  if (reservation != nullptr && vm.mem.reservation > vm.memory_mib) {
    sink.error(reservation->pos,
               fmt::format("memory reservation {:g} MiB exceeds the VM's memory {:g} MiB",
                           vm.mem.reservation, vm.memory_mib),
               "expected at most the configured memory");
  }
}

/// Checks that `host` (index into config.hosts) belongs to `cluster` when both are given.
bool host_in_cluster(Context& ctx, std::size_t host, const std::string& cluster, const Node& at) {
  const std::string& actual = ctx.config.hosts[host].cluster;
  if (actual == cluster) return true;
  ctx.sink.error(at.pos,
                 fmt::format("host '{}' is not in cluster '{}'", ctx.config.hosts[host].name, cluster),
                 actual.empty() ? std::string("expected no cluster: the host is standalone")
                                : fmt::format("expected its cluster '{}'", actual));
  return false;
}

/// Fills vm.host and vm.cluster from the entry's host, cluster and pool keys; a VM with
/// none of them goes to the only host, if there is exactly one.
void place_vm(Context& ctx, const MapView& entry, models::VmConfig& vm) {
  std::optional<std::size_t> host;
  if (const Node* h = entry.get("host")) {
    host = ctx.hosts.resolve(ctx.sink, "host", *h);
    if (!host) return;
    vm.host = ctx.config.hosts[*host].name;
    vm.cluster = ctx.config.hosts[*host].cluster;
  }
  if (const Node* c = entry.get("cluster")) {
    const auto cluster = ctx.clusters.resolve(ctx.sink, "cluster", *c);
    if (!cluster) return;
    const std::string& name = ctx.config.clusters[*cluster].name;
    if (host && !host_in_cluster(ctx, *host, name, *c)) return;
    vm.cluster = name;
  }
  if (const Node* p = entry.get("pool")) {
    const auto pool = ctx.pools.resolve(ctx.sink, "pool", *p);
    if (!pool) return;
    vm.pool = ctx.config.pools[*pool].name;
    const PoolRoot& root = ctx.pool_roots[*pool];
    if (root.name.empty()) return;
    if (root.kind == models::PoolParentKind::host) {
      if (!vm.host.empty() && vm.host != root.name) {
        ctx.sink.error(p->pos, fmt::format("pool '{}' is under host '{}', not '{}'", vm.pool, root.name, vm.host),
                       "expected a pool under the VM's host");
        return;
      }
      const std::size_t h = *ctx.hosts.find(root.name);
      if (!vm.cluster.empty() && !host_in_cluster(ctx, h, vm.cluster, *p)) return;
      vm.host = root.name;
      vm.cluster = ctx.config.hosts[h].cluster;
    } else if (!vm.host.empty()) {
      if (!host_in_cluster(ctx, *ctx.hosts.find(vm.host), root.name, *p)) return;
    } else {
      if (!vm.cluster.empty() && vm.cluster != root.name) {
        ctx.sink.error(p->pos,
                       fmt::format("pool '{}' is under cluster '{}', not '{}'", vm.pool, root.name, vm.cluster),
                       "expected a pool under the VM's cluster");
        return;
      }
      vm.cluster = root.name;
    }
  }
  if (vm.host.empty() && vm.cluster.empty()) {
    if (ctx.config.hosts.size() == 1) {
      vm.host = ctx.config.hosts.front().name;
      vm.cluster = ctx.config.hosts.front().cluster;
    } else {
      ctx.sink.error(entry.pos(), "VM without a place",
                     "expected a host, cluster or pool key when the scenario has more than one host");
    }
  }
}

/// The value at `path` in `node` (mappings only), or null.
const Node* at_path(const Node& node, std::initializer_list<std::string_view> path) {
  const Node* n = &node;
  for (std::string_view key : path) {
    n = n->is_mapping() ? n->get(key) : nullptr;
    if (n == nullptr) return nullptr;
  }
  return n;
}

/// A VM entry's warnings point at the offending key when the entry writes it, else at the
/// entry's name (a value from its profile is right where it is written, for other hosts).
NeverFitsSite never_fits_site(const Node& entry, const Node& name, std::size_t count) {
  const auto where = [&](std::initializer_list<std::string_view> path) {
    const Node* v = at_path(entry, path);
    return v != nullptr ? v->pos : name.pos;
  };
  return NeverFitsSite{name.text, count, name.pos, where({"vcpus"}),
                       where({"cpu", "reservation"}), where({"mem", "reservation"})};
}

}  // namespace

Profiles read_vm_profiles(Context& ctx, const Node* section) {
  static constexpr auto check = [](Sink& sink, const Node& body) {
    models::VmConfig scratch;
    read_vm_body(sink, body, scratch, nullptr, nullptr);
  };
  return read_profiles(ctx, section, ProfileSection{"VM profile", "vm_profiles", "VM profiles", keys::vm_profile, check});
}

void read_vms(Context& ctx, const Node& section, const Profiles& profiles) {
  if (read_sequence(ctx.sink, "vms", section, "expected a sequence of VMs") == nullptr) return;
  // At least a VM per entry (an inventory's usual form): the VMs are not moved as they grow.
  ctx.config.vms.reserve(ctx.config.vms.size() + section.items.size());
  for (const Node& item : section.items) {
    const MapView entry(ctx.sink, item, keys::vm, "a vms entry");
    if (!entry.valid()) continue;
    const Node* name_node = entry.require("name", "expected a VM name like web01");
    std::vector<RangedName> names;
    if (name_node != nullptr) names = read_names(ctx.sink, "name", *name_node);

    const Node* profile = nullptr;
    bool body_ok = true;
    if (const Node* ref = entry.get("profile")) {
      const auto p = profiles.names.resolve(ctx.sink, "profile", *ref);
      if (p) profile = profiles.nodes[*p];
      body_ok = p.has_value() && profile->is_mapping();
    }
    const Node merged = profile != nullptr ? deep_merge(*profile, item) : item;
    models::VmConfig vm;
    VmNetworkSite network;
    VmStorageSite storage;
    if (body_ok) read_vm_body(ctx.sink, merged, vm, &network, &storage);
    place_vm(ctx, entry, vm);
    if (body_ok) check_vm_gpus(ctx, merged, vm);
    if (body_ok && name_node != nullptr && !names.empty()) {
      ctx.fit_checks.push_back(
          FitCheck{never_fits_site(item, *name_node, names.size()), ctx.config.vms.size()});
    }
    for (std::size_t i = 0; i < names.size(); ++i) {
      const RangedName& n = names[i];
      if (!ctx.vms.add(ctx.sink, n.name, name_node->pos)) continue;
      const std::size_t index = ctx.config.vms.size();
      // The entry's last VM takes the configuration read; the others copy it.
      models::VmConfig& added =
          i + 1 == names.size() ? ctx.config.vms.emplace_back(std::move(vm)) : ctx.config.vms.emplace_back(vm);
      added.name = n.name;
      added.index = n.index;
      resolve_trace_file(ctx.sink, merged, TraceSite{ctx.base_dir, n.index}, added);
      if (!added.nics.empty() || !added.flows.empty()) {
        assign_default_macs(ctx.sink, added, index, name_node->pos);
        network.vm = index;
        network.entry = name_node->pos;
        ctx.vm_network_sites.push_back(network);
      }
      ctx.vm_power_explicit.push_back(merged.get("powered_on") != nullptr);
      if (!added.disks.empty() && storage.disks.size() == added.disks.size()) {
        storage.vm = index;
        ctx.vm_storage_sites.push_back(storage);
        storage.disks.clear();  // the entry's other VMs have the same disks: checked once
      }
    }
  }
}

}  // namespace vdc::scenario::detail
