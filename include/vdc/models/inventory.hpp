#pragma once
/// The configuration of a simulated datacenter, as plain data: what the scenario loader
/// (apps/scenario) produces and what the models (models/) are built from. Quantities are in
/// the base units of the scenario contract (docs/scenario.md): MHz, MiB, Mbps, sim::Time.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "vdc/models/gpu_config.hpp"
#include "vdc/models/network_config.hpp"
#include "vdc/models/storage_config.hpp"
#include "vdc/sim/time.hpp"

namespace vdc::models {

/// Which CPU model runs the scenario (docs/architecture.md, "Two fidelities").
enum class Fidelity { fluid, detailed };

/// Physical CPU topology of a host.
struct CpuTopology {
  int sockets = 1;
  int cores_per_socket = 1;
  int threads_per_core = 1;
  double frequency_mhz = 2000.0;  ///< nominal core frequency, MHz
  int numa_nodes = 0;             ///< 0: one NUMA node per socket

  [[nodiscard]] int pcpus() const { return sockets * cores_per_socket; }
  [[nodiscard]] int lcpus() const { return pcpus() * threads_per_core; }
  [[nodiscard]] int numa_node_count() const { return numa_nodes > 0 ? numa_nodes : sockets; }
  /// Capacity in MHz: cores times frequency (hyperthreads add no nominal capacity).
  [[nodiscard]] double capacity_mhz() const { return pcpus() * frequency_mhz; }
};

struct NicConfig {
  std::string name;
  double speed_mbps = 0.0;
};

struct HostConfig {
  std::string name;
  std::string cluster;  ///< empty for a standalone host
  int cluster_id = -1;  ///< resolved: index of its cluster in ScenarioConfig::clusters, -1: none
  CpuTopology cpu;
  double memory_mib = 0.0;
  std::vector<NicConfig> nics;
  std::vector<GpuConfig> gpus;
  /// VMware advanced settings by their own names (Mem.ShareForceSalting, ...), numeric.
  std::map<std::string, double> advanced;
};

/// Share level of a VM or resource pool (reference A.1: low/normal/high = 1:2:4).
enum class ShareLevel { low, normal, high, custom };

/// Shares, reservation and limit for one resource (CPU in MHz, memory in MiB).
struct Allocation {
  ShareLevel level = ShareLevel::normal;
  std::uint64_t custom_shares = 0;  ///< used when level == custom
  double reservation = 0.0;
  std::optional<double> limit;      ///< unlimited when empty
  bool expandable = true;           ///< expandable reservation (resource pools only)
};

/// Burst-length distributions of the on/off workload.
enum class BurstDistribution { exponential, deterministic, lognormal, pareto };

/// Demand per vCPU stays `demand` (fraction of one core at host frequency) all run long.
struct ConstantCpu {
  double demand = 0.0;
};

/// Each vCPU alternates CPU work `run` (time on one uncontended core) and think time `idle`.
struct OnOffCpu {
  sim::Time run;
  sim::Time idle;
  BurstDistribution distribution = BurstDistribution::exponential;
  double cv = 1.0;     ///< coefficient of variation, lognormal only
  double alpha = 2.5;  ///< tail index, pareto only (> 1)
};

/// A daily cycle: mean + amplitude * cos(2 pi (t - peak) / 24h), plus normal noise.
struct DiurnalCpu {
  double mean = 0.0;
  double amplitude = 0.0;
  sim::Time peak;           ///< time of day of the peak
  double noise = 0.0;       ///< standard deviation of the noise, fraction of a core
  sim::Time step = sim::Time::from_ns(300'000'000'000);  ///< how often the demand changes
};

/// Finite work: each vCPU runs `count` tasks of `size` (time on one uncontended core).
struct TasksCpu {
  int count = 1;
  sim::Time size;
};

enum class TraceFormat { bitbrains, planetlab, azure, csv };
enum class TraceEnd { loop, hold, stop };

/// Replay of a utilisation trace (docs/traces.md): CPU demand from `column` and, when
/// `memory_column` is set, the guest's active memory from that column of the same file.
struct TraceCpu {
  TraceFormat format = TraceFormat::csv;
  std::string file;          ///< resolved path ({i} already substituted)
  std::string column;        ///< value column (csv), or the bitbrains/azure column name
  std::string time_column;   ///< csv only
  sim::Time offset;
  double scale = 1.0;        ///< applied to the CPU and the memory values
  TraceEnd at_end = TraceEnd::loop;
  std::string memory_column; ///< empty: memory follows the memory workload alone
};

using CpuWorkload = std::variant<ConstantCpu, OnOffCpu, DiurnalCpu, TasksCpu, TraceCpu>;

/// Guest memory behaviour, fractions of configured memory (active, touched) and of touched
/// memory (zero, image, compressible); see docs/scenario.md.
struct MemoryWorkload {
  double active = 0.25;
  double touched = 1.0;
  double zero = 0.0;
  double image = 0.0;
  double compressible = 0.5;
};

struct GuestConfig {
  std::string os;                  ///< guest image; VMs with the same os share identical pages
  std::optional<std::string> salt; ///< sched.mem.pshare.salt; default per VM (its name)
};

struct VmConfig {
  std::string name;
  int index = 0;          ///< index in its name range (web{01..40} -> 1..40), 0 otherwise
  std::string host;       ///< empty when a cluster places it
  std::string cluster;
  std::string pool;       ///< resource pool name; empty: directly under host/cluster
  int host_id = -1;       ///< resolved: index of `host` in ScenarioConfig::hosts, -1: none
  int cluster_id = -1;    ///< resolved: index of `cluster`, -1: none
  int pool_id = -1;       ///< resolved: index of `pool` in ScenarioConfig::pools, -1: none
  int vcpus = 1;
  double memory_mib = 1024.0;
  Allocation cpu;         ///< MHz
  Allocation mem;         ///< MiB
  /// Largest balloon, MiB (`mem.max_balloon`, sched.mem.maxmemctl); no own cap when empty.
  std::optional<double> mem_max_balloon;
  GuestConfig guest;
  CpuWorkload cpu_workload = ConstantCpu{0.0};
  MemoryWorkload mem_workload;
  bool powered_on = true; ///< powered on at time zero (a power_on event may do it later)
  std::vector<VnicConfig> nics;    ///< its virtual NICs (network_config.hpp)
  std::vector<FlowConfig> flows;   ///< its workload's network flows
  std::vector<VgpuConfig> vgpus;   ///< its vGPUs or passthrough GPUs (gpu_config.hpp)
  /// GPU demand of each of its vGPUs, a fraction of one whole GPU (`workload.gpu`; the
  /// tasks kind is not accepted there).
  CpuWorkload gpu_workload = ConstantCpu{0.0};
  std::vector<DiskConfig> disks;          ///< its virtual disks (storage_config.hpp)
  std::vector<SnapshotConfig> snapshots;  ///< snapshots of all its disks, in time order
  std::optional<DiskWorkload> disk_workload;  ///< `workload.disk`; none: no I/O
};

/// Where a resource pool hangs: a host, a cluster or another pool.
enum class PoolParentKind { host, cluster, pool };

struct PoolConfig {
  std::string name;
  std::string parent;
  PoolParentKind parent_kind = PoolParentKind::host;
  Allocation cpu;
  Allocation mem;
  int parent_id = -1;     ///< resolved: the parent pool's index, -1 when the parent is not a pool
  int root_host = -1;     ///< resolved: the host at the root of its tree, or -1
  int root_cluster = -1;  ///< resolved: the cluster at the root of its tree, or -1
};

struct ClusterConfig {
  std::string name;
  std::vector<std::string> hosts;
};

enum class EventKind {
  fail_host,
  restore_host,
  link_down,      ///< a host NIC loses link (target "host/nic")
  link_up,
  upstream_down,  ///< the NIC keeps link but the path behind it breaks (target "host/nic")
  upstream_up,
  switch_down,    ///< a switch of networks.physical (target its name)
  switch_up,
  power_on,
  power_off,
  migrate,
  device_error  ///< a capacity device of a host's vSAN storage fails (target the host)
};

struct EventConfig {
  sim::Time at;
  EventKind kind = EventKind::power_on;
  std::string target;  ///< host, VM, host/nic, or a physical switch
  std::string to;      ///< destination host (migrate)
  int target_id = -1;  ///< resolved: the host or VM index of `target` (-1 for a NIC or a switch)
  int to_id = -1;      ///< resolved: the host index of `to`, -1: none
};

/// A whole scenario, validated: every name referenced exists. (A run split by hosts gives
/// each range a scenario of its own, field by field: models/host_ranges.cpp range_config
/// must copy a new field.)
struct ScenarioConfig {
  std::string name;
  std::string description;  ///< free text from the scenario's `description:`
  std::string source;  ///< file it came from (or "<builtin:...>")
  std::uint64_t seed = 1;
  sim::Time duration;
  /// Start of the measured window: reports exclude [0, warmup) (the boot ramp of first
  /// touch, for instance). Zero: reports cover the whole run. Always below `duration`.
  sim::Time warmup;
  Fidelity fidelity = Fidelity::fluid;
  sim::Time sample_interval = sim::Time::from_ns(20'000'000'000);
  /// Model parameters by name ("cpu.quantum", ...) in their base unit; see ModelParameter.
  std::map<std::string, double> parameters;
  std::vector<HostConfig> hosts;
  std::vector<ClusterConfig> clusters;
  std::vector<PoolConfig> pools;
  std::vector<VmConfig> vms;
  std::vector<EventConfig> events;
  NetworkConfig network;  ///< `networks:` (network_config.hpp)
  StorageConfig storage;  ///< `storage_policies:` and `datastores:` (storage_config.hpp)
  /// True once resolve_ids filled every `..._id` field and `pool_order`.
  bool ids_resolved = false;
  /// Pool indices, every parent before its children (resolved).
  std::vector<std::size_t> pool_order;
};

/// Resolves every name a scenario refers to (hosts, clusters, pools, event targets) into
/// the dense indices of the `..._id` fields, once, so that no model looks a name up while
/// it runs. The loader calls it on every scenario it accepts; run_scenario calls it on a
/// configuration built in code. Throws std::runtime_error for a pool whose parent does not
/// exist or a cycle of pools (the loader refuses both with their line and column).
void resolve_ids(ScenarioConfig& config);

/// The pool a VM of pool `pool` belongs to on `host`: `pool` when its tree hangs on that
/// host or on the host's cluster, -1 otherwise (the VM then sits directly under the host;
/// a host's own pool does not follow a VM to another host). Needs resolved ids.
[[nodiscard]] int pool_on_host(const ScenarioConfig& config, int pool, int host);

/// Shares of a VM or pool for `units` (vCPUs, or MiB of memory), per reference A.1:
/// CPU low/normal/high = 500/1000/2000 per vCPU, memory 5/10/20 per MiB.
[[nodiscard]] inline double cpu_shares(const Allocation& a, int vcpus) {
  switch (a.level) {
    case ShareLevel::low: return 500.0 * vcpus;
    case ShareLevel::normal: return 1000.0 * vcpus;
    case ShareLevel::high: return 2000.0 * vcpus;
    case ShareLevel::custom: return static_cast<double>(a.custom_shares);
  }
  return 0.0;
}

[[nodiscard]] inline double mem_shares(const Allocation& a, double memory_mib) {
  switch (a.level) {
    case ShareLevel::low: return 5.0 * memory_mib;
    case ShareLevel::normal: return 10.0 * memory_mib;
    case ShareLevel::high: return 20.0 * memory_mib;
    case ShareLevel::custom: return static_cast<double>(a.custom_shares);
  }
  return 0.0;
}

}  // namespace vdc::models
