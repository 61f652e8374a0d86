#pragma once
/// CPU admission control: a VM powers on only if its CPU reservation fits in the
/// unreserved capacity of its resource pool, borrowing up the tree through expandable
/// reservations (reference A.1, "Admission control with expandable reservations" and
/// "Valid cluster with fixed resource pools").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vdc::models::cpu {

/// Reserved and unreserved MHz of a forest of reservation trees: roots are hosts or
/// clusters (their capacity), inner nodes resource pools.
class ReservationLedger {
 public:
  /// Index of a root or pool.
  using NodeId = std::uint32_t;

  /// Adds a root, e.g. ("host", "esx01") or ("cluster", "c1"), of `capacity_mhz`.
  NodeId add_root(std::string kind, std::string name, double capacity_mhz);
  /// Adds a pool under `parent` with its own reservation (MHz) and expandability.
  NodeId add_pool(NodeId parent, std::string name, double reservation_mhz, bool expandable);
  /// Changes a root's capacity (a host failed or came back), MHz.
  void set_capacity(NodeId root, double capacity_mhz);

  /// MHz a new reservation at `node` could take: the pool's own unreserved part plus,
  /// through expandable pools, what its ancestors can lend.
  [[nodiscard]] double available(NodeId node) const;
  /// Why a reservation of `mhz` cannot be admitted at `node`, or nothing if it can:
  /// "cpu reservation 2000 MHz exceeds unreserved 1000 MHz in pool RP-MOM", naming the
  /// node where borrowing stops (the first non-expandable pool, or the root).
  [[nodiscard]] std::optional<std::string> refusal(NodeId node, double mhz) const;
  /// Records a powered-on VM's reservation at `node` (MHz).
  void charge(NodeId node, double mhz);
  /// Removes a reservation recorded by charge().
  void release(NodeId node, double mhz);

  /// Reservation charged to a node by its VMs and child pools, MHz: for a child pool,
  /// the larger of its own reservation and what it uses (expandable), else its own.
  [[nodiscard]] double used(NodeId node) const;

 private:
  struct Node {
    std::int64_t parent = -1;  // -1: a root
    std::string kind;
    std::string name;
    double reservation = 0.0;  // pool: own reservation; root: capacity
    bool expandable = false;
    double direct = 0.0;       // reservations of the VMs directly in it
    std::vector<NodeId> children;
  };

  [[nodiscard]] double charge_to_parent(NodeId node) const;

  std::vector<Node> nodes_;
};

/// "2250" for whole numbers of MHz, "1234.5" otherwise: MHz as admission messages write them.
[[nodiscard]] std::string format_mhz(double mhz);

}  // namespace vdc::models::cpu
