#include <fmt/format.h>

#include "name_range.hpp"
#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

constexpr Bounds host_memory{0.0, limits::max_host_memory_mib, true,
                             "expected a size above 0 and up to 24 TiB"};
constexpr Bounds core_frequency{0.0, limits::max_frequency_mhz, true,
                                "expected a frequency above 0 and up to 10 GHz"};
constexpr Bounds nic_speed{0.0, limits::max_nic_speed_mbps, true,
                           "expected a speed above 0 and up to 800 Gbps"};

void read_cpu(Sink& sink, const Node& node, models::CpuTopology& cpu) {
  const MapView m(sink, node, keys::host_cpu, "'cpu'");
  if (!m.valid()) return;
  assign(m.integer("sockets", 1, limits::max_sockets), cpu.sockets);
  assign(m.integer("cores_per_socket", 1, limits::max_host_lcpus), cpu.cores_per_socket);
  assign(m.integer("threads_per_core", 1, limits::max_threads_per_core), cpu.threads_per_core);
  assign(m.frequency("frequency", core_frequency), cpu.frequency_mhz);
  assign(m.integer("numa_nodes", 0, limits::max_host_lcpus), cpu.numa_nodes);
  if (cpu.lcpus() > limits::max_host_lcpus) {
    sink.error(m.pos(), fmt::format("{} logical CPUs", cpu.lcpus()),
               fmt::format("expected at most {}, counting sockets x cores_per_socket x "
                           "threads_per_core",
                           limits::max_host_lcpus));
  }
  if (cpu.numa_nodes > cpu.pcpus()) {
    bad_value(sink, "numa_nodes", *m.get("numa_nodes"),
              fmt::format("expected at most {}, one per core", cpu.pcpus()));
  }
}

void read_nics(Sink& sink, const Node& node, std::vector<models::NicConfig>& nics) {
  if (read_sequence(sink, "nics", node, "expected a sequence of {name, speed}") == nullptr) return;
  nics.clear();
  NameIndex names("NIC", "nics");
  for (const Node& item : node.items) {
    const MapView m(sink, item, keys::nic, "a nics entry");
    if (!m.valid()) continue;
    models::NicConfig nic;
    if (const Node* name = m.require("name", "expected a NIC name like vmnic0")) {
      if (auto n = read_name(sink, "name", *name); n && names.add(sink, *n, name->pos)) {
        nic.name = *n;
      }
    }
    if (m.require("speed", "expected a link speed like 25 Gbps") != nullptr) {
      assign(m.bandwidth("speed", nic_speed), nic.speed_mbps);
    }
    nics.push_back(std::move(nic));
  }
}

/// The hardware keys a host and a host profile share; `node` is a mapping whose keys were
/// checked already.
void read_host_body(Sink& sink, const Node& node, models::HostConfig& host) {
  if (const Node* cpu = node.get("cpu")) read_cpu(sink, *cpu, host.cpu);
  if (const Node* memory = node.get("memory")) {
    assign(read_memory(sink, "memory", *memory, host_memory), host.memory_mib);
  }
  if (const Node* nics = node.get("nics")) read_nics(sink, *nics, host.nics);
  if (const Node* gpus = node.get("gpus")) read_host_gpus(sink, *gpus, host.gpus);
  if (const Node* advanced = node.get("advanced")) {
    read_parameters(sink, *advanced, models::ParameterScope::advanced, "advanced", host.advanced);
  }
}

}  // namespace

Profiles read_host_profiles(Context& ctx, const Node* section) {
  static constexpr auto check = [](Sink& sink, const Node& body) {
    models::HostConfig scratch;
    read_host_body(sink, body, scratch);
  };
  return read_profiles(ctx, section, ProfileSection{"host profile", "host_profiles", "host profiles", keys::host_profile, check});
}

void read_hosts(Context& ctx, const Node& section, const Profiles& profiles) {
  if (read_sequence(ctx.sink, "hosts", section, "expected a sequence of hosts") == nullptr) return;
  if (section.items.empty()) {
    ctx.sink.error(section.pos, "no hosts", "expected at least one host");
    return;
  }
  for (const Node& item : section.items) {
    const MapView entry(ctx.sink, item, keys::host, "a hosts entry");
    if (!entry.valid()) continue;
    const Node* name_node = entry.require("name", "expected a host name like esx01");
    std::vector<RangedName> names;
    if (name_node != nullptr) names = read_names(ctx.sink, "name", *name_node);

    const Node* profile = nullptr;
    bool body_ok = true;
    if (const Node* ref = entry.get("profile")) {
      const auto p = profiles.names.resolve(ctx.sink, "profile", *ref);
      if (p) profile = profiles.nodes[*p];
      body_ok = p.has_value() && profile->is_mapping();
    }
    models::HostConfig host;
    if (body_ok) {
      const Node merged = profile != nullptr ? deep_merge(*profile, item) : item;
      const MapView m(ctx.sink, merged, keys::host, "a hosts entry", false);
      m.require("memory", "expected the host's memory, in the entry or its profile");
      read_host_body(ctx.sink, merged, host);
    }
    for (const RangedName& n : names) {
      if (!ctx.hosts.add(ctx.sink, n.name, name_node->pos)) continue;
      host.name = n.name;
      ctx.config.hosts.push_back(host);
    }
  }
}

void read_clusters(Context& ctx, const Node& section) {
  if (read_sequence(ctx.sink, "clusters", section, "expected a sequence of {name, hosts}") == nullptr) return;
  for (const Node& item : section.items) {
    const MapView m(ctx.sink, item, keys::cluster, "a clusters entry");
    if (!m.valid()) continue;
    models::ClusterConfig cluster;
    if (const Node* name = m.require("name", "expected a cluster name")) {
      if (auto n = read_name(ctx.sink, "name", *name); n && ctx.clusters.add(ctx.sink, *n, name->pos)) {
        cluster.name = *n;
      }
    }
    const Node* hosts = m.require("hosts", "expected the cluster's hosts, like [\"esx{01..04}\"]");
    if (hosts != nullptr && !hosts->is_sequence()) {
      ctx.sink.error(hosts->pos, fmt::format("'hosts' is {}", describe(*hosts)),
                     "expected a sequence of host names");
    } else if (hosts != nullptr && hosts->items.empty()) {
      ctx.sink.error(hosts->pos, "cluster without hosts", "expected at least one host name");
    } else if (hosts != nullptr) {
      for (const Node& ref : hosts->items) {
        for (const RangedName& n : read_names(ctx.sink, "hosts", ref)) {
          const auto h = ctx.hosts.resolve(ctx.sink, n.name, ref.pos);
          if (!h) continue;
          models::HostConfig& host = ctx.config.hosts[*h];
          if (!host.cluster.empty()) {
            ctx.sink.error(ref.pos,
                           fmt::format("host '{}' is already in cluster '{}'", n.name, host.cluster),
                           "expected each host in at most one cluster");
            continue;
          }
          host.cluster = cluster.name;
          cluster.hosts.push_back(n.name);
        }
      }
    }
    // Only named clusters are kept, so that every cluster in the config is referable.
    if (!cluster.name.empty()) ctx.config.clusters.push_back(std::move(cluster));
  }
}

}  // namespace vdc::scenario::detail
