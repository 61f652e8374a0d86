#include "vdc/models/cpu/admission.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace vdc::models::cpu {

std::string format_mhz(double mhz) {
  const double rounded = std::round(mhz);
  if (std::abs(mhz - rounded) < 1e-6) return fmt::format("{:.0f}", rounded);
  return fmt::format("{:.1f}", mhz);
}

ReservationLedger::NodeId ReservationLedger::add_root(std::string kind, std::string name,
                                                      double capacity_mhz) {
  Node n;
  n.kind = std::move(kind);
  n.name = std::move(name);
  n.reservation = capacity_mhz;
  nodes_.push_back(std::move(n));
  return static_cast<NodeId>(nodes_.size() - 1);
}

ReservationLedger::NodeId ReservationLedger::add_pool(NodeId parent, std::string name,
                                                      double reservation_mhz, bool expandable) {
  assert(parent < nodes_.size());
  Node n;
  n.parent = parent;
  n.kind = "pool";
  n.name = std::move(name);
  n.reservation = reservation_mhz;
  n.expandable = expandable;
  nodes_.push_back(std::move(n));
  const auto id = static_cast<NodeId>(nodes_.size() - 1);
  nodes_[parent].children.push_back(id);
  return id;
}

void ReservationLedger::set_capacity(NodeId root, double capacity_mhz) {
  assert(nodes_[root].parent < 0);
  nodes_[root].reservation = capacity_mhz;
}

double ReservationLedger::used(NodeId node) const {
  double total = nodes_[node].direct;
  for (const NodeId c : nodes_[node].children) total += charge_to_parent(c);
  return total;
}

double ReservationLedger::charge_to_parent(NodeId node) const {
  const Node& n = nodes_[node];
  return n.expandable ? std::max(n.reservation, used(node)) : n.reservation;
}

double ReservationLedger::available(NodeId node) const {
  const Node& n = nodes_[node];
  const double own = std::max(0.0, n.reservation - used(node));
  if (n.parent < 0 || !n.expandable) return own;
  return own + available(static_cast<NodeId>(n.parent));
}

std::optional<std::string> ReservationLedger::refusal(NodeId node, double mhz) const {
  if (mhz <= 0.0) return std::nullopt;
  const double avail = available(node);
  // A relative tolerance keeps exact fits (6000 = 1000 + 2000 + 3000) admissible despite
  // rounding in the sums.
  if (mhz <= avail + 1e-9 * std::max(1.0, mhz)) return std::nullopt;
  NodeId stop = node;
  while (nodes_[stop].parent >= 0 && nodes_[stop].expandable) {
    stop = static_cast<NodeId>(nodes_[stop].parent);
  }
  return fmt::format("cpu reservation {} MHz exceeds unreserved {} MHz in {} {}", format_mhz(mhz),
                     format_mhz(avail), nodes_[stop].kind, nodes_[stop].name);
}

void ReservationLedger::charge(NodeId node, double mhz) { nodes_[node].direct += mhz; }

void ReservationLedger::release(NodeId node, double mhz) {
  nodes_[node].direct = std::max(0.0, nodes_[node].direct - mhz);
}

}  // namespace vdc::models::cpu
