#include "vdc/models/cpu/entitlement_tree.hpp"

#include <algorithm>
#include <cassert>

namespace vdc::models::cpu {

EntitlementTree::EntitlementTree(double capacity_mhz) : capacity_(capacity_mhz) {
  nodes_.push_back(Node{});
  nodes_[root].solver = 0;
  solvers_.emplace_back();
  solvers_[0].add_resource(capacity_mhz);
  children_.emplace_back();
}

EntitlementTree::NodeId EntitlementTree::add_node(NodeId parent, bool leaf, double shares,
                                                  double reservation, double limit) {
  assert(parent < nodes_.size() && !nodes_[parent].leaf);
  Node n;
  n.parent = parent;
  n.leaf = leaf;
  n.shares = shares;
  n.reservation = reservation;
  n.limit = limit;
  auto& fs = solvers_[static_cast<std::size_t>(nodes_[parent].solver)];
  n.slot = fs.add_consumer(shares, 0.0, reservation, limit);
  fs.uses(n.slot, 0);
  const auto id = static_cast<NodeId>(nodes_.size());
  children_[static_cast<std::size_t>(nodes_[parent].solver)].push_back(id);
  if (!leaf) {
    n.solver = static_cast<std::int32_t>(solvers_.size());
    solvers_.emplace_back();
    solvers_.back().add_resource(0.0);
    children_.emplace_back();
  }
  nodes_.push_back(n);
  return id;
}

EntitlementTree::NodeId EntitlementTree::add_pool(NodeId parent, double shares,
                                                  double reservation_mhz, double limit_mhz) {
  return add_node(parent, false, shares, reservation_mhz, limit_mhz);
}

EntitlementTree::NodeId EntitlementTree::add_vm(NodeId parent, double shares,
                                                double reservation_mhz, double limit_mhz) {
  return add_node(parent, true, shares, reservation_mhz, limit_mhz);
}

void EntitlementTree::set_demand(NodeId vm, double demand_mhz) {
  assert(nodes_[vm].leaf);
  nodes_[vm].demand = std::max(0.0, demand_mhz);
}

void EntitlementTree::solve() {
  // Bottom-up: a pool demands what its children demand, up to its limit, and needs granted
  // the larger of its own reservation and its children's floors (an expandable pool whose
  // children reserve more than it does borrows the rest from its parent). Children always
  // come after their parents in nodes_, so one reverse sweep aggregates the whole tree.
  for (Node& n : nodes_) {
    if (!n.leaf) {
      n.demand = 0.0;
      n.floor = 0.0;
    }
  }
  for (std::size_t i = nodes_.size() - 1; i > 0; --i) {
    Node& n = nodes_[i];
    if (n.leaf) {
      n.floor = std::min(n.reservation, std::min(n.demand, n.limit));
    } else {
      n.demand = std::min(n.demand, n.limit);
      n.floor = std::min(n.demand, std::max(n.reservation, n.floor));
    }
    Node& parent = nodes_[n.parent];
    parent.demand += std::min(n.demand, n.limit);
    parent.floor += n.floor;
    auto& fs = solvers_[static_cast<std::size_t>(parent.solver)];
    fs.set_demand(n.slot, n.demand);
    fs.set_reservation(n.slot, n.floor);
  }
  // Top-down: each level shares what its parent was allocated.
  nodes_[root].allocation = capacity_;
  for (Node& n : nodes_) {
    if (n.leaf) continue;
    auto& fs = solvers_[static_cast<std::size_t>(n.solver)];
    fs.set_capacity(0, n.allocation);
    fs.solve();
    for (const NodeId c : children_[static_cast<std::size_t>(n.solver)]) {
      nodes_[c].allocation = fs.allocation(nodes_[c].slot);
    }
  }
}

}  // namespace vdc::models::cpu
