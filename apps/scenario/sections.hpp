#pragma once
/// The converters of the scenario's sections (internal to the loader), and the state they
/// share: the configuration being built and the names defined so far.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sink.hpp"
#include "vdc/models/inventory.hpp"
#include "vdc/models/parameters.hpp"
#include "vdc/scenario/keys.hpp"
#include "yaml_tree.hpp"

namespace vdc::scenario::detail {

class MapView;

/// The names of one kind of entity in definition order, to resolve references and report
/// duplicates.
class NameIndex {
 public:
  /// `what` names the entity in messages ("host"), `section` where it is defined ("hosts").
  NameIndex(std::string_view what, std::string_view section) : what_(what), section_(section) {}

  /// Adds `name` (its index is the number of names added before); reports a duplicate at
  /// `at` and returns false.
  bool add(Sink& sink, const std::string& name, Position at);
  /// The index of `name`, if defined.
  [[nodiscard]] std::optional<std::size_t> find(std::string_view name) const;
  /// The index of `name`; reports it unknown at `at`, with a suggestion, when it is not.
  std::optional<std::size_t> resolve(Sink& sink, std::string_view name, Position at) const;
  /// resolve() of the name written in `node` under `key`.
  std::optional<std::size_t> resolve(Sink& sink, std::string_view key, const Node& node) const;
  /// All names, in definition order.
  [[nodiscard]] const std::vector<std::string>& names() const { return names_; }

 private:
  std::string what_;
  std::string section_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, std::pair<std::size_t, Position>> index_;
};

/// Profiles of one section, by name; `nodes[i]` is the profile `names.names()[i]`.
struct Profiles {
  NameIndex names;                 ///< profile names, in file order
  std::vector<const Node*> nodes;  ///< each profile's mapping, parallel to names
};

/// The host or cluster a resource pool finally hangs from.
struct PoolRoot {
  models::PoolParentKind kind = models::PoolParentKind::host;  ///< host or cluster
  std::string name;  ///< empty when the chain is broken (already reported)
};

/// Where the warnings of one VM entry point, and how they name it.
struct NeverFitsSite {
  std::string name;         ///< the name as written ("web{01..40}")
  std::size_t count = 1;    ///< VMs the entry stands for
  Position entry;           ///< the entry's name
  Position vcpus;           ///< its vcpus, if the entry writes them, else its name
  Position cpu_reservation; ///< likewise for cpu.reservation
  Position mem_reservation; ///< likewise for mem.reservation
};

/// A VM entry to check for VMs that can never power on, once the scenario has no error.
struct FitCheck {
  NeverFitsSite site;
  std::size_t first_vm = 0;  ///< index in config.vms of a VM the entry made (all alike)
};

/// The NIC-related names of one VM as written, for the checks that need the whole scenario.
struct VmNetworkSite {
  std::size_t vm = 0;                  ///< index in config.vms
  Position entry;                      ///< the entry's name
  std::vector<Position> port_groups;   ///< each vNIC's port_group, parallel to vm.nics
  std::vector<Position> guest_vlans;   ///< each vNIC's vlan (or its port_group when none)
  std::vector<Position> flow_targets;  ///< each flow's `to`, parallel to vm.flows
  std::vector<Position> flow_nics;     ///< each flow's `nic` (or its `to` when none)
  Position flows;                      ///< the flows sequence
};

/// Where the storage names and values of one VM entry are written (its merged mapping: the
/// entry or its profile), for the checks that need the datastores; every VM the entry
/// makes has the same disks.
struct VmStorageSite {
  std::size_t vm = 0;  ///< index in config.vms of the first VM the entry made
  struct Disk {
    Position entry;         ///< the disks entry
    Position size;          ///< its size
    Position datastore;     ///< its datastore
    std::optional<Position> policy;        ///< its policy, when written
    std::optional<Position> provisioning;  ///< its provisioning, when written
  };
  std::vector<Disk> disks;    ///< parallel to vm.disks
  std::vector<bool> checked;  ///< per disk: its size and names were read (else reported)
};

/// State shared by the converters while one scenario loads.
struct Context {
  /// A context that builds `config`, reporting into `sink`.
  Context(Sink& s, models::ScenarioConfig& c, std::filesystem::path base)
      : sink(s), config(c), base_dir(std::move(base)) {}

  Sink& sink;                      ///< where problems go
  models::ScenarioConfig& config;  ///< what is being built
  std::filesystem::path base_dir;  ///< where relative trace paths start
  NameIndex hosts{"host", "hosts"};                     ///< parallel to config.hosts
  NameIndex clusters{"cluster", "clusters"};            ///< parallel to config.clusters
  NameIndex pools{"resource pool", "resource_pools"};   ///< parallel to config.pools
  NameIndex vms{"VM", "vms"};                           ///< parallel to config.vms
  std::vector<PoolRoot> pool_roots;       ///< per pool, parallel to config.pools
  std::vector<bool> vm_power_explicit;    ///< per VM: `powered_on` was written
  std::vector<FitCheck> fit_checks;       ///< per VM entry, for warn_if_never_fits
  /// networks: parallel to config.network.vswitches, .port_groups, .physical.nodes and
  /// .physical.endpoints.
  NameIndex vswitches{"vSwitch", "networks.vswitches"};
  NameIndex port_groups{"port group", "networks.port_groups"};
  NameIndex physical_nodes{"physical switch or router", "networks.physical"};
  NameIndex endpoints{"endpoint", "networks.physical.endpoints"};
  std::vector<VmNetworkSite> vm_network_sites;  ///< per VM with NICs or flows
  /// storage: parallel to config.storage.policies and .datastores.
  NameIndex storage_policies{"storage policy", "storage_policies"};
  NameIndex datastores{"datastore", "datastores"};
  std::vector<VmStorageSite> vm_storage_sites;  ///< per VM entry with disks
};

/// Where a VM's trace path is resolved.
struct TraceSite {
  std::filesystem::path base_dir;  ///< the scenario file's directory
  int index = 0;  ///< the VM's index in its name range, for "{i}"
};

/// Reads a `parameters:` (scope model) or `advanced:` (scope advanced) mapping.
void read_parameters(Sink& sink, const Node& node, models::ParameterScope scope,
                     std::string_view label, std::map<std::string, double>& out);
/// The value of parameter `p` written in `node`, in its base unit and range-checked; a
/// parameter with choices also takes one of their names, which stands for its index.
[[nodiscard]] std::optional<double> read_parameter_value(Sink& sink,
                                                         const models::ModelParameter& p,
                                                         const Node& node);

/// What tells the profile sections apart: their names and keys, and how a profile's
/// body is checked (read into a scratch configuration, so a broken profile is reported
/// once, where it is written, and not at every entry that uses it).
struct ProfileSection {
  std::string_view kind;     ///< "host profile"
  std::string_view section;  ///< "host_profiles"
  std::string_view plural;   ///< "host profiles"
  const KeySet& keys;
  void (*check_body)(Sink& sink, const Node& body);
};

/// Reads a profile section (a mapping of names to profiles); `section` may be absent.
[[nodiscard]] Profiles read_profiles(Context& ctx, const Node* section, const ProfileSection& what);

/// host_profiles (each checked on its own); `section` may be null.
[[nodiscard]] Profiles read_host_profiles(Context& ctx, const Node* section);
/// hosts, each merged over its profile, ranges expanded.
void read_hosts(Context& ctx, const Node& section, const Profiles& profiles);
/// clusters; sets each member host's cluster (needs hosts read first).
void read_clusters(Context& ctx, const Node& section);

/// resource_pools: reads them, then resolves parents (hosts, clusters, other pools).
void read_pools(Context& ctx, const Node& section);

/// A VM's `cpu:` or a pool's `cpu:` / `mem:` allocation; `memory` chooses the unit (MiB or
/// MHz) and `pool` whether `expandable` is accepted.
void read_allocation(Sink& sink, const Node& node, std::string_view key, bool memory, bool pool,
                     models::Allocation& out);
/// A VM's `mem:` allocation into vm.mem, and its `max_balloon` (sched.mem.maxmemctl).
void read_vm_memory_allocation(Sink& sink, const Node& node, models::VmConfig& vm);

/// A VM's `workload:` (a trace file stays as written: see resolve_trace_file).
void read_workload(Sink& sink, const Node& node, models::VmConfig& vm);

/// Resolves the trace file of `vm` (read from `vm_node`, its merged entry): "{i}" becomes
/// the VM's index, a relative path starts at the scenario's directory; reports a missing
/// file. The trace files of its flows are resolved alike.
void resolve_trace_file(Sink& sink, const Node& vm_node, const TraceSite& site,
                        models::VmConfig& vm);
/// `path`, written in `file`, resolved as a trace file is for the VM at `site`; reports
/// "{i}" in the path of a VM without a name range, and a missing file.
[[nodiscard]] std::optional<std::string> resolve_vm_file(Sink& sink, const Node& file,
                                                         const TraceSite& site,
                                                         std::string_view path);
/// "14:00" or "14:00:30", a time of day (the `peak` of a diurnal workload).
[[nodiscard]] std::optional<sim::Time> read_time_of_day(Sink& sink, const Node& node);

/// A VM's `nics:` and its `workload.network.flows` (network_config.hpp), as written: names
/// stay unresolved (see check_vm_network) and MACs not written stay 0. `site`, when
/// given, receives where the names are written.
void read_vm_network(Sink& sink, const Node& node, models::VmConfig& vm, VmNetworkSite* site);
/// Gives the vNICs of VM `vm` (index in config.vms) without a written MAC their default
/// one: 00:50:56 then 22 bits, the VM's index shifted left by 4 plus the NIC's index
/// (docs/scenario.md "Networks"); reports a VM past the 2^18th at `at`.
void assign_default_macs(Sink& sink, models::VmConfig& vm, std::size_t index, Position at);
/// Checks every VM's port groups, guest VLANs, flow targets and flow NICs, once all VMs
/// are read; a flow's `to` that names a VM or an endpoint gets its kind.
void check_vm_networks(Context& ctx);
/// `networks.physical` (physical_network.cpp): its switches, routers, links and endpoints.
void read_physical_network(Context& ctx, const Node& node);
/// The key sets of `networks.physical`, listed with the networks section's.
extern const KeySet physical_set, physical_node_set, physical_link_set, physical_endpoint_set;
/// The entry's required `name`, added to `index`; nothing when it is missing, malformed or
/// a duplicate (reported).
[[nodiscard]] std::optional<std::string> read_entry_name(Context& ctx, const MapView& m, NameIndex& index,
                                                         std::string_view expected);
/// "host/nic" written in `node` under `key`: the host must exist and have that NIC.
bool resolve_host_nic(Context& ctx, std::string_view key, const Node& node);
/// An IPv4 address in dotted-quad form ("10.0.9.20").
[[nodiscard]] std::optional<std::uint32_t> parse_ipv4(std::string_view text);
/// read of an IPv4 address written in `node` under `key`.
[[nodiscard]] std::optional<std::uint32_t> read_ipv4(Sink& sink, std::string_view key,
                                                     const Node& node);

/// A VM's `disks:` and `snapshots:` (apps/scenario/vm_storage.cpp), as written: names stay
/// unresolved (see check_vm_storage). `site`, when given, receives where they are written.
void read_vm_storage(Sink& sink, const Node& node, models::VmConfig& vm, VmStorageSite* site);
/// A VM's `workload.disk`, constant or a Bitbrains trace (its file resolved later, with the
/// VM's other trace files).
void read_disk_workload(Sink& sink, const Node& node, models::VmConfig& vm);
/// Checks every VM entry's disks against the datastores and policies, once all VMs are
/// read: names, policies on vSAN only, erasure coding on all-flash only, the format's
/// largest disk, thick disks on NFS without VAAI-NAS.
void check_vm_storage(Context& ctx);

/// A host's `gpus:` (apps/scenario/gpus.cpp): boards, modes, schedulers, RmPVMRL.
void read_host_gpus(Sink& sink, const Node& node, std::vector<models::GpuConfig>& gpus);
/// A VM's `vgpus:`: profiles or passthrough boards, one board type and series per VM.
void read_vgpus(Sink& sink, const Node& node, models::VmConfig& vm);
/// Reports a VM whose vGPUs no host it may run on can ever take (no GPU of the board in
/// the mode its profile needs); needs hosts and the VM's place.
void check_vm_gpus(Context& ctx, const Node& merged, const models::VmConfig& vm);

/// vm_profiles (each checked on its own); `section` may be null.
[[nodiscard]] Profiles read_vm_profiles(Context& ctx, const Node* section);
/// vms, each merged over its profile, ranges expanded, placed (needs hosts, clusters and
/// pools read first).
void read_vms(Context& ctx, const Node& section, const Profiles& profiles);

/// Warns, at `site`, for each reason `vm` (placed, read from the entry) can never power on
/// where it is placed: more vCPUs than logical CPUs, a CPU reservation above the host's
/// capacity, or a memory reservation plus overhead above the host's memory (for a VM placed
/// by a cluster: on every host of the cluster). Checked as admission control checks them
/// (models/placement/, include/vdc/models/admission.hpp), so that a VM that can
/// power on is never warned about.
void warn_if_never_fits(Context& ctx, const NeverFitsSite& site, const models::VmConfig& vm);

/// A top-level section read after the hosts, clusters and pools it may refer to, by its own
/// file: its key in the scenario, its reader, and the key sets its mappings accept (each
/// declared by the schema as `$defs/<name>`). A model area's section (networks,
/// datastores, ...) is one of these: its file defines the Section, scenario.cpp lists it,
/// among the early sections (read before the VMs, which may refer to it) or the late ones
/// (read after the VMs, which it may refer to).
struct Section {
  std::string_view key;
  void (*read)(Context& ctx, const Node& section);
  std::span<const KeySet* const> key_sets;
};

/// The sections read after the pools and before the VMs, in reading order (scenario.cpp).
[[nodiscard]] std::span<const Section* const> early_sections();
/// The sections read after the VMs, in reading order (scenario.cpp).
[[nodiscard]] std::span<const Section* const> late_sections();

/// The whole scenario mapping.
void read_scenario(Context& ctx, const Node& root);

}  // namespace vdc::scenario::detail
