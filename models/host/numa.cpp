#include "vdc/models/host/numa.hpp"

#include <algorithm>
#include <cassert>

namespace vdc::models::host {

std::vector<NumaNode> numa_nodes(const CpuTopology& cpu, double memory_mib) {
  const int count = std::max(1, std::min(cpu.numa_node_count(), cpu.pcpus()));
  std::vector<NumaNode> nodes(static_cast<std::size_t>(count));
  const int base = cpu.pcpus() / count;
  const int extra = cpu.pcpus() % count;
  int core = 0;
  for (int j = 0; j < count; ++j) {
    auto& n = nodes[static_cast<std::size_t>(j)];
    n.first_core = core;
    n.cores = base + (j < extra ? 1 : 0);
    n.memory_mib = memory_mib / count;
    core += n.cores;
  }
  return nodes;
}

std::vector<int> numa_client_sizes(int vcpus, int cores_per_node) {
  assert(vcpus > 0 && cores_per_node > 0);
  const int clients = (vcpus + cores_per_node - 1) / cores_per_node;
  std::vector<int> sizes(static_cast<std::size_t>(clients), vcpus / clients);
  for (int i = 0; i < vcpus % clients; ++i) ++sizes[static_cast<std::size_t>(i)];
  return sizes;
}

int NumaPlacement::node_of_vcpu(int k) const {
  for (std::size_t c = 0; c < client_size.size(); ++c) {
    if (k < client_size[c]) return client_node[c];
    k -= client_size[c];
  }
  return client_node.empty() ? 0 : client_node.back();
}

NumaBalancer::NumaBalancer(std::vector<NumaNode> nodes)
    : nodes_(std::move(nodes)), load_(nodes_.size(), 0) {
  assert(!nodes_.empty());
}

NumaPlacement NumaBalancer::place(int vcpus, double memory_mib, int vnuma_min_vcpus) {
  int min_cores = nodes_.front().cores;
  for (const NumaNode& n : nodes_) min_cores = std::min(min_cores, n.cores);
  NumaPlacement p;
  p.client_size = numa_client_sizes(vcpus, std::max(1, min_cores));
  std::vector<bool> used(nodes_.size(), false);
  for (const int size : p.client_size) {
    const bool any_unused = std::find(used.begin(), used.end(), false) != used.end();
    std::size_t best = nodes_.size();
    for (std::size_t j = 0; j < nodes_.size(); ++j) {
      if (any_unused && used[j]) continue;
      // load / cores compared by cross-multiplication: exact, so ties go to the lowest index.
      if (best == nodes_.size() ||
          static_cast<long>(load_[j]) * nodes_[best].cores <
              static_cast<long>(load_[best]) * nodes_[j].cores) {
        best = j;
      }
    }
    used[best] = true;
    load_[best] += size;
    p.client_node.push_back(static_cast<int>(best));
  }

  // Remote memory, averaged over the vCPUs.
  const auto distinct = static_cast<double>(std::count(used.begin(), used.end(), true));
  double remote = 0.0;
  for (std::size_t c = 0; c < p.client_size.size(); ++c) {
    const double share = static_cast<double>(p.client_size[c]) / vcpus;
    const double node_mem = nodes_[static_cast<std::size_t>(p.client_node[c])].memory_mib;
    double r = 0.0;
    if (p.client_size.size() == 1 || vcpus >= vnuma_min_vcpus) {
      const double local_mem = memory_mib * share;  // this client's memory
      r = local_mem > node_mem ? 1.0 - node_mem / local_mem : 0.0;
    } else {
      r = 1.0 - 1.0 / distinct;
    }
    remote += share * r;
  }
  p.remote_fraction = remote;
  return p;
}

void NumaBalancer::release(const NumaPlacement& placement) {
  for (std::size_t c = 0; c < placement.client_node.size(); ++c) {
    auto& l = load_[static_cast<std::size_t>(placement.client_node[c])];
    l = std::max(0, l - placement.client_size[c]);
  }
}

}  // namespace vdc::models::host
