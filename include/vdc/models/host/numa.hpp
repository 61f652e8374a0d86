#pragma once
/// NUMA layout of a host and the initial placement of VMs on its nodes (reference A.5):
/// each VM gets a home node chosen to keep node loads balanced; a VM with more vCPUs than
/// a node has cores is split into NUMA clients, each with its own home node. The home
/// nodes are fixed from power-on (the periodic NUMA rebalancer is not modelled).

#include <vector>

#include "vdc/models/inventory.hpp"

namespace vdc::models::host {

/// One NUMA node: a contiguous range of cores and its share of the host memory.
struct NumaNode {
  int first_core = 0;
  int cores = 0;
  double memory_mib = 0.0;
};

/// The NUMA nodes of a host: numa_node_count() nodes (one per socket by default), cores
/// and memory split evenly (the first nodes take one more core when they do not divide).
[[nodiscard]] std::vector<NumaNode> numa_nodes(const CpuTopology& cpu, double memory_mib);

/// Sizes of the NUMA clients of a VM: ceil(vcpus / cores_per_node) clients, as equal as
/// possible (8 vCPUs on 4-core nodes: 4 + 4; 12 on 10-core nodes: 6 + 6). Only cores
/// count, not hyperthreads (Denneman, reference A.5).
[[nodiscard]] std::vector<int> numa_client_sizes(int vcpus, int cores_per_node);

/// Where a VM's NUMA clients live.
struct NumaPlacement {
  std::vector<int> client_size;  ///< vCPUs per client
  std::vector<int> client_node;  ///< home node per client
  /// Fraction of the VM's memory on nodes other than the one its vCPU runs on, averaged
  /// over its vCPUs: wider than a node without virtual NUMA, memory is interleaved over
  /// the clients' nodes (ESX 4.1 paper, reference A.5); with virtual NUMA (vcpus >=
  /// numa.vcpu.min) each client's memory is local; memory beyond a node's size spills.
  double remote_fraction = 0.0;
  /// Home node of vCPU k (clients take consecutive vCPUs).
  [[nodiscard]] int node_of_vcpu(int k) const;
};

/// Initial placement of VMs on the NUMA nodes of one host, balancing the vCPUs homed on
/// each node per core ("so that the overall CPU and memory load among NUMA nodes remains
/// balanced", reference A.5).
class NumaBalancer {
 public:
  /// A balancer over `nodes` with no VM placed.
  explicit NumaBalancer(std::vector<NumaNode> nodes);

  /// Places a VM of `vcpus` and `memory_mib`: each client goes to the least loaded node
  /// (vCPUs per core; ties to the lowest index) not already holding a client of the VM,
  /// when there is one. `vnuma_min_vcpus` is cpu.vnuma_min_vcpus.
  NumaPlacement place(int vcpus, double memory_mib, int vnuma_min_vcpus);
  /// Removes a placement made by place() (the VM powered off or left).
  void release(const NumaPlacement& placement);

  /// The nodes.
  [[nodiscard]] const std::vector<NumaNode>& nodes() const { return nodes_; }
  /// vCPUs homed on node j.
  [[nodiscard]] int load(int node) const { return load_[static_cast<std::size_t>(node)]; }

 private:
  std::vector<NumaNode> nodes_;
  std::vector<int> load_;
};

}  // namespace vdc::models::host
