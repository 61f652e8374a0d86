#pragma once
/// Hierarchical CPU entitlement of one host (reference A.1): siblings share their parent's
/// allocation in proportion to their shares, bounded below by reservations and above by
/// limits and by what they demand; capacity a sibling leaves unused goes to the others
/// (work conserving). Every level is one sim::FairShare problem (equal MHz per share among
/// the siblings that are not capped), solved from the root down.

#include <cstdint>
#include <vector>

#include "vdc/sim/fair_share.hpp"

namespace vdc::models::cpu {

/// A tree of resource pools with VMs as leaves, under a host's CPU capacity (MHz).
class EntitlementTree {
 public:
  /// Index of a pool or VM in the tree; the host itself is `root`.
  using NodeId = std::uint32_t;
  static constexpr NodeId root = 0;

  /// A tree with only the root, of `capacity_mhz`.
  explicit EntitlementTree(double capacity_mhz = 0.0);

  /// Adds a resource pool under `parent` (a pool or the root) with `shares`, reservation
  /// and limit in MHz (limit +infinity: unlimited). Pools must be added before the nodes
  /// under them.
  NodeId add_pool(NodeId parent, double shares, double reservation_mhz, double limit_mhz);
  /// Adds a VM under `parent`: its shares, reservation and limit (MHz).
  NodeId add_vm(NodeId parent, double shares, double reservation_mhz, double limit_mhz);

  /// Sets the capacity shared at the root, MHz.
  void set_capacity(double capacity_mhz) { capacity_ = capacity_mhz; }
  /// Sets what a VM would use without contention, MHz (already capped at its vCPUs).
  void set_demand(NodeId vm, double demand_mhz);
  /// Computes every node's allocation from the current demands.
  void solve();
  /// MHz allocated to a node by the last solve().
  [[nodiscard]] double allocation(NodeId node) const { return nodes_[node].allocation; }
  /// Demand of a node as last aggregated by solve() (a pool: its children's, capped by
  /// its limit), MHz.
  [[nodiscard]] double demand(NodeId node) const { return nodes_[node].demand; }
  /// Number of nodes, the root included.
  [[nodiscard]] std::size_t size() const { return nodes_.size(); }

 private:
  struct Node {
    NodeId parent = root;
    bool leaf = false;
    double shares = 0.0;
    double reservation = 0.0;
    double limit = sim::FairShare::unlimited;
    double demand = 0.0;
    double floor = 0.0;  // reservation the node's subtree needs granted, <= demand
    double allocation = 0.0;
    std::int32_t solver = -1;             // internal nodes: index into solvers_
    sim::FairShare::ConsumerId slot = 0;  // index in the parent's solver
  };

  NodeId add_node(NodeId parent, bool leaf, double shares, double reservation, double limit);

  double capacity_;
  std::vector<Node> nodes_;
  std::vector<sim::FairShare> solvers_;
  std::vector<std::vector<NodeId>> children_;  // per solver, in slot order
};

}  // namespace vdc::models::cpu
