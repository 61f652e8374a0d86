#include "vdc/models/admission.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include <fmt/format.h>

namespace vdc::models {

std::string format_amount(double amount, int decimals) {
  const double rounded = std::round(amount);
  if (std::abs(amount - rounded) < 1e-6) return fmt::format("{:.0f}", rounded);
  return fmt::format("{:.{}f}", amount, decimals);
}

std::string format_refusal(const ReservedResource& resource, double amount, double overhead,
                           double available, std::string_view kind, std::string_view name) {
  const auto format = [&](double x) { return format_amount(x, resource.decimals); };
  const std::string plus =
      overhead > 0.0 ? fmt::format(" plus overhead {} {}", format(overhead), resource.unit) : "";
  return fmt::format("{} reservation {} {}{} exceeds unreserved {} {} in {} {}", resource.name,
                     format(amount), resource.unit, plus, format(std::max(0.0, available)),
                     resource.unit, kind, name);
}

ReservationLedger::NodeId ReservationLedger::add_root(std::string kind, std::string name,
                                                      double capacity) {
  Node n;
  n.kind = std::move(kind);
  n.name = std::move(name);
  n.reservation = capacity;
  nodes_.push_back(std::move(n));
  return static_cast<NodeId>(nodes_.size() - 1);
}

ReservationLedger::NodeId ReservationLedger::add_pool(NodeId parent, std::string name,
                                                      double reservation, bool expandable) {
  assert(parent < nodes_.size());
  Node n;
  n.parent = parent;
  n.kind = "pool";
  n.name = std::move(name);
  n.reservation = reservation;
  n.expandable = expandable;
  nodes_.push_back(std::move(n));
  const auto id = static_cast<NodeId>(nodes_.size() - 1);
  nodes_[parent].children.push_back(id);
  return id;
}

void ReservationLedger::set_capacity(NodeId root, double capacity) {
  assert(nodes_[root].parent < 0);
  nodes_[root].reservation = capacity;
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

std::optional<std::string> ReservationLedger::refusal(NodeId node, double amount,
                                                      double overhead) const {
  const double total = amount + overhead;
  if (total <= 0.0) return std::nullopt;
  const double avail = available(node);
  // A relative tolerance keeps exact fits (6000 = 1000 + 2000 + 3000) admissible despite
  // rounding in the sums.
  if (total <= avail + 1e-9 * std::max(1.0, total)) return std::nullopt;
  NodeId stop = node;
  while (nodes_[stop].parent >= 0 && nodes_[stop].expandable) {
    stop = static_cast<NodeId>(nodes_[stop].parent);
  }
  return format_refusal(resource_, amount, overhead, avail, nodes_[stop].kind, nodes_[stop].name);
}

void ReservationLedger::charge(NodeId node, double amount) { nodes_[node].direct += amount; }

void ReservationLedger::release(NodeId node, double amount) {
  nodes_[node].direct = std::max(0.0, nodes_[node].direct - amount);
}

}  // namespace vdc::models
