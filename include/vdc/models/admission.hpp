#pragma once
/// Admission control: a VM powers on only if its CPU reservation, and its memory
/// reservation plus overhead, fit in the unreserved capacity of its resource pool,
/// borrowing up the tree through expandable reservations (reference A.1, "Admission control
/// with expandable reservations" and "Valid cluster with fixed resource pools", applied to
/// memory alike; reference B.1.9 for what a VM reserves of memory).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vdc::models {

/// What a ledger reserves, as its refusals write it.
struct ReservedResource {
  std::string_view name;  ///< "cpu", "memory"
  std::string_view unit;  ///< "MHz", "MiB"
  int decimals = 1;       ///< digits after the point of an amount that is not whole
};

/// CPU reservations, in MHz: "cpu reservation 2000 MHz ...".
inline constexpr ReservedResource cpu_reservations{"cpu", "MHz", 1};
/// Memory reservations, in MiB, with the overhead named apart: "memory reservation
/// 1024 MiB plus overhead 25.90 MiB ...".
inline constexpr ReservedResource memory_reservations{"memory", "MiB", 2};

/// Reserved and unreserved amounts of one resource in a forest of reservation trees: roots
/// are hosts or clusters (their capacity), inner nodes resource pools.
class ReservationLedger {
 public:
  /// Index of a root or pool.
  using NodeId = std::uint32_t;

  /// An empty ledger of `resource`, which its refusals name.
  explicit ReservationLedger(ReservedResource resource) : resource_(resource) {}

  /// Adds a root, e.g. ("host", "esx01") or ("cluster", "c1"), of `capacity`.
  NodeId add_root(std::string kind, std::string name, double capacity);
  /// Adds a pool under `parent` with its own reservation and expandability.
  NodeId add_pool(NodeId parent, std::string name, double reservation, bool expandable);
  /// Changes a root's capacity (a host failed or came back).
  void set_capacity(NodeId root, double capacity);

  /// What a new reservation at `node` could take: the pool's own unreserved part plus,
  /// through expandable pools, what its ancestors can lend.
  [[nodiscard]] double available(NodeId node) const;
  /// Why a reservation of `amount` plus `overhead` cannot be admitted at `node`, or nothing
  /// if it can: "cpu reservation 2000 MHz exceeds unreserved 1000 MHz in pool RP-MOM",
  /// naming the node where borrowing stops (the first non-expandable pool, or the root).
  /// A VM's memory overhead is reserved with its reservation (reference B.1.9) and named
  /// apart when not 0 (format_refusal).
  [[nodiscard]] std::optional<std::string> refusal(NodeId node, double amount,
                                                   double overhead = 0.0) const;
  /// Records a powered-on VM's reservation (overhead included) at `node`.
  void charge(NodeId node, double amount);
  /// Removes a reservation recorded by charge().
  void release(NodeId node, double amount);

  /// Reservation charged to a node by its VMs and child pools: for a child pool, the
  /// larger of its own reservation and what it uses (expandable), else its own.
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

  ReservedResource resource_;
  std::vector<Node> nodes_;
};

/// "2250" for a whole amount, else `decimals` digits after the point ("1234.5" for MHz,
/// "25.90" for MiB): amounts as admission messages write them.
[[nodiscard]] std::string format_amount(double amount, int decimals);

/// A refusal of admission control: "cpu reservation 2000 MHz exceeds unreserved 1000 MHz
/// in pool RP-MOM"; with an overhead, "memory reservation 1024 MiB plus overhead 25.90 MiB
/// exceeds unreserved 998.10 MiB in host esx". `kind` and `name` are the node where the
/// reservation does not fit.
[[nodiscard]] std::string format_refusal(const ReservedResource& resource, double amount,
                                         double overhead, double available,
                                         std::string_view kind, std::string_view name);

}  // namespace vdc::models
