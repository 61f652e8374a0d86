#pragma once
/// Weighted max-min fair sharing with reservations and limits over several resources
/// (progressive filling, Bertsekas and Gallager "Data Networks" 6.5.2, extended with
/// floors and caps). The one solver used by the CPU fluid model (shares/reservation/limit,
/// i.e. equal consumed MHz per share), network links and storage bandwidth.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace vdc::sim {

/// Solves, for consumers c with weight w_c, bound u_c = min(demand_c, limit_c) and floor
/// f_c = min(reservation_c, u_c), a rate x_c such that for every resource r
/// sum_c coef_cr x_c <= capacity_r, by progressive filling on a water level L:
/// x_c = clamp(w_c L, f_c, u_c) for consumers not yet frozen; when a resource saturates,
/// every unfrozen consumer using it is frozen at its current rate; repeat until all frozen.
/// Properties: work-conserving (a consumer capped by demand or limit frees capacity for
/// the others); equal weights split equally; floors are always granted first.
/// - If the floors alone exceed a resource's capacity, every floor on it is multiplied by
///   capacity / (sum of coefficient x floor), so the floors exactly fill it (a consumer on
///   several such resources takes the smallest factor); admission control upstream should
///   prevent this.
/// - A consumer with weight 0 gets its floor only, even when capacity is left over.
/// - A consumer on no saturated resource (or on none at all) gets its bound u_c, which
///   may be infinite.
/// Algorithm: each resource's saturation level is found by sorting the breakpoints f/w
/// and u/w of its unfrozen consumers and sweeping them (O(k log k) for k consumers); a
/// heap yields the resource that saturates first; freezing its consumers re-evaluates
/// only the other resources those consumers use. With every consumer on one resource
/// this is O(U log U + R log R) for U uses (each resource solved once); in general each
/// of at most R rounds re-sweeps the resources sharing a consumer with the frozen one.
class FairShare {
 public:
  /// Index of a resource, dense from 0 in order of add_resource.
  using ResourceId = std::uint32_t;
  /// Index of a consumer, dense from 0 in order of add_consumer.
  using ConsumerId = std::uint32_t;

  /// "No limit".
  static constexpr double unlimited = std::numeric_limits<double>::infinity();

  /// Adds a resource with `capacity` (>= 0, in the caller's unit, e.g. MHz or Mbps).
  ResourceId add_resource(double capacity);
  /// Adds a consumer: `weight` >= 0 (shares), `demand` >= 0 (rate it would use alone),
  /// `reservation` >= 0 (guaranteed floor), `limit` >= 0 (cap), all in the resource unit.
  ConsumerId add_consumer(double weight, double demand, double reservation = 0.0,
                          double limit = unlimited);
  /// The consumer draws coefficient * x from the resource (coefficient > 0; e.g. 1 for a
  /// CPU, or per-link for a network flow). Call at most once per (consumer, resource).
  void uses(ConsumerId c, ResourceId r, double coefficient = 1.0);

  /// Changes a consumer's demand (for re-solves).
  void set_demand(ConsumerId c, double demand);
  /// Changes a consumer's weight.
  void set_weight(ConsumerId c, double weight);
  /// Changes a consumer's reservation.
  void set_reservation(ConsumerId c, double reservation);
  /// Changes a consumer's limit.
  void set_limit(ConsumerId c, double limit);
  /// Changes a resource's capacity (for re-solves).
  void set_capacity(ResourceId r, double capacity);

  /// Computes every allocation; may be called again after changes.
  void solve();

  /// Rate allocated to consumer c by the last solve().
  double allocation(ConsumerId c) const;
  /// sum_c coef_cr x_c of resource r after the last solve().
  double load(ResourceId r) const;
  /// Capacity of resource r.
  double capacity(ResourceId r) const;

  /// Number of consumers.
  std::size_t consumers() const { return weight_.size(); }
  /// Number of resources.
  std::size_t resources() const { return capacity_.size(); }
  /// Removes every consumer and resource (keeps the memory for reuse).
  void clear();

 private:
  struct Use {
    ConsumerId consumer;
    ResourceId resource;
    double coef;
  };

  /// A change of slope of a resource's load as a function of the water level.
  struct Breakpoint {
    double level;
    double dslope;
    double dbase;
  };
  using Item = std::pair<double, ResourceId>;  // (saturation level, resource)

  void build_index();
  double saturation_level(ResourceId r);

  // Consumers, structure-of-arrays.
  std::vector<double> weight_, demand_, reservation_, limit_, alloc_;
  // Resources.
  std::vector<double> capacity_, load_;
  // Incidence as added, and indices into it grouped by resource and by consumer (CSR),
  // rebuilt when consumers, resources or uses are added.
  std::vector<Use> uses_;
  std::vector<std::uint32_t> res_begin_, by_res_;
  std::vector<std::uint32_t> con_begin_, by_con_;
  bool index_dirty_ = true;
  // Scratch reused across solves.
  std::vector<double> bound_, floor_, scale_, frozen_load_, level_;
  std::vector<std::uint8_t> frozen_, dirty_;
  std::vector<Breakpoint> breakpoints_;
  std::vector<Item> heap_;
  std::vector<ResourceId> touched_;
};

}  // namespace vdc::sim
