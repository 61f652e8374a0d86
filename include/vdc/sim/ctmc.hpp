#pragma once
/// Stationary distribution of a small continuous-time Markov chain (CTMC), given by its
/// transition rates. The fluid CPU model solves one per shape of VM for its co-stop
/// estimate (docs/models.md "Co-stop in the fluid model"); nothing here knows what the
/// states mean.

#include <cstddef>
#include <memory>
#include <vector>

namespace vdc::sim {

/// What a sparse solve keeps for the next one: the ordering and symbolic analysis of its
/// system. A chain with the same transitions (other rates) reuses them and only factorizes
/// again, with the same result bit for bit. One per thread of work; not shareable.
class CtmcWorkspace {
 public:
  CtmcWorkspace();
  ~CtmcWorkspace();
  CtmcWorkspace(const CtmcWorkspace&) = delete;
  CtmcWorkspace& operator=(const CtmcWorkspace&) = delete;
  /// Sparse solves that reused the analysis of an earlier one.
  [[nodiscard]] std::size_t reused() const;

 private:
  friend class Ctmc;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A CTMC on the states 0 .. size() - 1, built rate by rate: solved densely up to 64
/// states, by a sparse LU above (meant for chains with a few transitions per state).
class Ctmc {
 public:
  /// A chain of `states` states and no transition yet.
  explicit Ctmc(std::size_t states);

  /// Adds `rate` (per unit of time, >= 0) to the transition from `from` to `to`; a rate
  /// from a state to itself is ignored (it changes nothing).
  void add_rate(std::size_t from, std::size_t to, double rate);

  [[nodiscard]] std::size_t size() const { return n_; }
  /// Total rate of the transitions from `from` to `to`.
  [[nodiscard]] double rate(std::size_t from, std::size_t to) const;

  /// The stationary distribution pi: pi Q = 0, sum pi = 1, by an LU of the generator with
  /// one balance equation replaced by the normalisation. Throws
  /// std::domain_error when the chain has no unique one (more than one closed class: the
  /// system is singular).
  /// With `workspace`, a sparse solve reuses the analysis of the workspace's last system
  /// when this one has the same pattern.
  [[nodiscard]] std::vector<double> stationary(CtmcWorkspace* workspace = nullptr) const;

 private:
  struct Rate {
    std::size_t from, to;
    double rate;
  };
  std::size_t n_;
  std::vector<Rate> rates_;  // off-diagonal, as added
};

}  // namespace vdc::sim
