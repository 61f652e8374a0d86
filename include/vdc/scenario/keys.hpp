#pragma once
/// The keys the loader accepts in each kind of YAML mapping: the core's here, a later
/// section's (events, a model area's) beside its reader. The loader rejects every other
/// key, and a test checks that scenarios/vdcsim.schema.json declares exactly these (each
/// KeySet is the schema's `$defs/<name>`; all_key_sets() lists them all).

#include <array>
#include <span>
#include <string_view>
#include <vector>

namespace vdc::scenario {

/// The accepted keys of one kind of mapping.
struct KeySet {
  /// Identifier, also the schema definition name (`$defs/<name>`).
  std::string_view name;
  /// How error messages name the mapping ("a VM", "an on_off CPU workload").
  std::string_view what;
  /// Accepted keys, in documentation order.
  std::span<const std::string_view> keys;
};

namespace keys {

inline constexpr std::array<std::string_view, 19> scenario_keys{
    "name", "description", "seed", "duration", "warmup", "fidelity", "sample_interval",
    "parameters",
    "host_profiles", "vm_profiles", "hosts", "clusters", "resource_pools", "vms",
    "networks", "storage_policies", "datastores", "events", "sweep"};
inline constexpr std::array<std::string_view, 5> host_profile_keys{
    "cpu", "memory", "nics", "gpus", "advanced"};
inline constexpr std::array<std::string_view, 7> host_keys{
    "name", "profile", "cpu", "memory", "nics", "gpus", "advanced"};
inline constexpr std::array<std::string_view, 5> host_cpu_keys{
    "sockets", "cores_per_socket", "threads_per_core", "frequency", "numa_nodes"};
inline constexpr std::array<std::string_view, 2> nic_keys{"name", "speed"};
inline constexpr std::array<std::string_view, 6> gpu_keys{"model", "count", "mode", "scheduler", "sizes",
                                                           "RmPVMRL"};
inline constexpr std::array<std::string_view, 2> vgpu_keys{"profile", "passthrough"};
inline constexpr std::array<std::string_view, 2> cluster_keys{"name", "hosts"};
inline constexpr std::array<std::string_view, 11> vm_profile_keys{
    "vcpus", "memory", "cpu", "mem", "guest", "workload", "powered_on", "nics", "vgpus",
    "disks", "snapshots"};
inline constexpr std::array<std::string_view, 16> vm_keys{
    "name", "profile", "host", "cluster", "pool",
    "vcpus", "memory", "cpu", "mem", "guest", "workload", "powered_on", "nics", "vgpus",
    "disks", "snapshots"};
inline constexpr std::array<std::string_view, 3> vm_allocation_keys{
    "shares", "reservation", "limit"};
inline constexpr std::array<std::string_view, 4> vm_mem_allocation_keys{
    "shares", "reservation", "limit", "max_balloon"};
inline constexpr std::array<std::string_view, 4> pool_allocation_keys{
    "shares", "reservation", "limit", "expandable"};
inline constexpr std::array<std::string_view, 2> guest_keys{"os", "salt"};
inline constexpr std::array<std::string_view, 5> workload_keys{"cpu", "memory", "network", "gpu",
                                                                "disk"};
inline constexpr std::array<std::string_view, 5> memory_workload_keys{
    "active", "touched", "zero", "image", "compressible"};
inline constexpr std::array<std::string_view, 2> cpu_constant_keys{"kind", "demand"};
inline constexpr std::array<std::string_view, 6> cpu_on_off_keys{
    "kind", "run", "idle", "distribution", "cv", "alpha"};
inline constexpr std::array<std::string_view, 6> cpu_diurnal_keys{
    "kind", "mean", "amplitude", "peak", "noise", "step"};
inline constexpr std::array<std::string_view, 3> cpu_tasks_keys{"kind", "count", "size"};
inline constexpr std::array<std::string_view, 9> cpu_trace_keys{
    "kind", "format", "file", "column", "time_column", "offset", "scale", "at_end",
    "memory_column"};
inline constexpr std::array<std::string_view, 4> pool_keys{"name", "parent", "cpu", "mem"};
inline constexpr std::array<std::string_view, 5> vnic_keys{
    "port_group", "mac", "ip", "effective_mac", "vlan"};
inline constexpr std::array<std::string_view, 1> network_workload_keys{"flows"};
inline constexpr std::array<std::string_view, 3> flow_keys{"to", "rate", "nic"};
inline constexpr std::array<std::string_view, 2> flow_constant_keys{"kind", "rate"};
inline constexpr std::array<std::string_view, 4> flow_on_off_keys{"kind", "rate", "on", "off"};
inline constexpr std::array<std::string_view, 5> flow_diurnal_keys{
    "kind", "mean", "amplitude", "peak", "step"};
inline constexpr std::array<std::string_view, 4> flow_trace_keys{"kind", "file", "column", "scale"};
inline constexpr std::array<std::string_view, 8> disk_keys{
    "size", "datastore", "policy", "provisioning", "written", "shares", "reservation", "limit"};
inline constexpr std::array<std::string_view, 2> snapshot_keys{"at", "growth"};
inline constexpr std::array<std::string_view, 5> disk_constant_keys{"kind", "iops", "read", "block",
                                                                    "outstanding"};
inline constexpr std::array<std::string_view, 5> disk_trace_keys{"kind", "file", "block",
                                                                 "outstanding", "scale"};

inline constexpr KeySet scenario{"scenario", "the scenario", scenario_keys};
inline constexpr KeySet host_profile{"host_profile", "a host profile", host_profile_keys};
inline constexpr KeySet host{"host", "a host", host_keys};
inline constexpr KeySet host_cpu{"host_cpu", "a host's cpu", host_cpu_keys};
inline constexpr KeySet nic{"nic", "a NIC", nic_keys};
inline constexpr KeySet gpu{"gpu", "a GPU", gpu_keys};
inline constexpr KeySet vgpu{"vgpu", "a vGPU", vgpu_keys};
inline constexpr KeySet cluster{"cluster", "a cluster", cluster_keys};
inline constexpr KeySet vm_profile{"vm_profile", "a VM profile", vm_profile_keys};
inline constexpr KeySet vm{"vm", "a VM", vm_keys};
inline constexpr KeySet vm_allocation{"vm_allocation", "a VM's cpu allocation",
                                      vm_allocation_keys};
inline constexpr KeySet vm_mem_allocation{"vm_mem_allocation", "a VM's mem allocation",
                                          vm_mem_allocation_keys};
inline constexpr KeySet pool_allocation{"pool_allocation", "a pool's cpu or mem allocation",
                                        pool_allocation_keys};
inline constexpr KeySet guest{"guest", "a guest", guest_keys};
inline constexpr KeySet workload{"workload", "a workload", workload_keys};
inline constexpr KeySet memory_workload{"memory_workload", "a memory workload",
                                        memory_workload_keys};
inline constexpr KeySet cpu_constant{"cpu_constant", "a constant CPU workload",
                                     cpu_constant_keys};
inline constexpr KeySet cpu_on_off{"cpu_on_off", "an on_off CPU workload", cpu_on_off_keys};
inline constexpr KeySet cpu_diurnal{"cpu_diurnal", "a diurnal CPU workload", cpu_diurnal_keys};
inline constexpr KeySet cpu_tasks{"cpu_tasks", "a tasks CPU workload", cpu_tasks_keys};
inline constexpr KeySet cpu_trace{"cpu_trace", "a trace CPU workload", cpu_trace_keys};
inline constexpr KeySet pool{"resource_pool", "a resource pool", pool_keys};
inline constexpr KeySet vnic{"vnic", "a VM's NIC", vnic_keys};
inline constexpr KeySet network_workload{"network_workload", "a network workload",
                                         network_workload_keys};
inline constexpr KeySet flow{"flow", "a flow", flow_keys};
inline constexpr KeySet flow_constant{"flow_constant", "a constant flow rate", flow_constant_keys};
inline constexpr KeySet flow_on_off{"flow_on_off", "an on_off flow rate", flow_on_off_keys};
inline constexpr KeySet flow_diurnal{"flow_diurnal", "a diurnal flow rate", flow_diurnal_keys};
inline constexpr KeySet flow_trace{"flow_trace", "a trace flow rate", flow_trace_keys};
inline constexpr KeySet disk{"disk", "a virtual disk", disk_keys};
inline constexpr KeySet snapshot{"snapshot", "a snapshot", snapshot_keys};
inline constexpr KeySet disk_constant{"disk_constant", "a constant disk workload",
                                      disk_constant_keys};
inline constexpr KeySet disk_trace{"disk_trace", "a trace disk workload", disk_trace_keys};

/// The key sets of the scenario's core: the scenario, its profiles, hosts, clusters, pools
/// and VMs (with their virtual NICs, flows, vGPUs, virtual disks and snapshots).
inline constexpr std::array<const KeySet*, 33> core{
    &scenario, &host_profile, &host, &host_cpu, &nic, &gpu, &vgpu, &cluster, &vm_profile, &vm,
    &vm_allocation, &vm_mem_allocation, &pool_allocation, &guest, &workload,
    &memory_workload, &cpu_constant, &cpu_on_off, &cpu_diurnal, &cpu_tasks, &cpu_trace,
    &pool, &vnic, &network_workload, &flow, &flow_constant, &flow_on_off, &flow_diurnal,
    &flow_trace, &disk, &snapshot, &disk_constant, &disk_trace};

}  // namespace keys

/// Every key set the loader accepts: the core's, then each later section's (events, and
/// each model area's section, defined beside its reader), for the schema test and the
/// documentation.
[[nodiscard]] std::vector<const KeySet*> all_key_sets();
}  // namespace vdc::scenario
