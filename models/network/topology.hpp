#pragma once
// The physical network as a Boost.Graph: host NICs, switches, routers and endpoints joined
// by links of a speed, each link two directed resources (one per direction) for the fair
// share of bandwidth. Nodes and links go down and up; a link can also be "blackholed"
// (its carrier stays up, nothing passes: an upstream failure only beacons notice).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

namespace vdc::models::network {

enum class NodeKind { nic, switch_, router, endpoint };

class Topology {
 public:
  using Node = std::size_t;
  using Link = std::size_t;
  /// A link in one direction: 2 x link, + 1 from its second end to its first.
  using Hop = std::uint32_t;

  Node add_node(std::string name, NodeKind kind);
  /// A link between two nodes; speed in Mbps (each direction).
  Link add_link(Node a, Node b, double speed_mbps);

  [[nodiscard]] std::size_t nodes() const { return kinds_.size(); }
  [[nodiscard]] std::size_t links() const { return speed_.size(); }
  [[nodiscard]] const std::string& name(Node n) const { return names_[n]; }
  [[nodiscard]] NodeKind kind(Node n) const { return kinds_[n]; }
  [[nodiscard]] double speed(Link l) const { return speed_[l]; }
  /// The hop of link `l` leaving node `from` (one of its ends).
  [[nodiscard]] Hop hop_from(Link l, Node from) const;
  /// The links at node `n`, in the order they were added.
  [[nodiscard]] const std::vector<Link>& links_of(Node n) const { return adjacent_[n]; }
  /// The other end of link `l`.
  [[nodiscard]] Node other_end(Link l, Node n) const;

  void set_node_up(Node n, bool up) {
    node_up_[n] = up ? 1 : 0;
    trees_.clear();
  }
  void set_link_up(Link l, bool up) {
    link_up_[l] = up ? 1 : 0;
    trees_.clear();
  }
  void set_blackholed(Link l, bool b) {
    blackholed_[l] = b ? 1 : 0;
    trees_.clear();
  }
  [[nodiscard]] bool node_up(Node n) const { return node_up_[n] != 0; }
  [[nodiscard]] bool link_up(Link l) const { return link_up_[l] != 0; }
  [[nodiscard]] bool blackholed(Link l) const { return blackholed_[l] != 0; }
  /// The link carries frames: up, both ends up, not blackholed.
  [[nodiscard]] bool passes(Link l) const;

  /// The hops of a shortest path (fewest links; ties by the order links were added) from
  /// `from` to `to` over links that pass. `via_router`: the path must cross a router (two
  /// VLANs meet only there). Nothing when there is none. Intermediate nodes are switches
  /// and routers (never a NIC or an endpoint).
  [[nodiscard]] std::optional<std::vector<Hop>> path(Node from, Node to, bool via_router) const;

  /// An L2 flood from `from` (a NIC): the NICs it reaches through switches (never through a
  /// router), and the hops of its flooding tree (each reached node once).
  struct Flood {
    std::vector<Node> nics;
    std::vector<Hop> hops;
  };
  [[nodiscard]] Flood flood(Node from) const;

  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS, boost::no_property,
                                      boost::property<boost::edge_index_t, std::size_t>>;
  /// The link an edge of the graph stands for.
  [[nodiscard]] std::size_t link_of(const Graph::edge_descriptor& e) const;

 private:
  /// A breadth-first search from `from` over links that pass and nodes that are up,
  /// through switches and, when `routers`, routers; NICs and endpoints are reached but
  /// never passed through. For each node reached, the link that reached it. Kept until
  /// the next change of a node or link (one search per source serves all its flows).
  [[nodiscard]] const std::vector<std::size_t>& search(Node from, bool routers) const;
  /// The hops from `from` to `to` along a search's tree.
  [[nodiscard]] std::vector<Hop> hops_to(const std::vector<std::size_t>& came_by, Node from, Node to) const;

  Graph graph_;
  std::vector<std::string> names_;
  std::vector<NodeKind> kinds_;
  std::vector<std::uint8_t> node_up_;
  std::vector<double> speed_;
  std::vector<Node> first_, second_;
  std::vector<std::uint8_t> link_up_, blackholed_;
  /// Each node's links in the order added (what the searches walk; the Boost graph holds
  /// the same incidence for the graph algorithms).
  std::vector<std::vector<Link>> adjacent_;
  mutable std::unordered_map<std::size_t, std::vector<std::size_t>> trees_;  // key: 2 x node + routers
};

}  // namespace vdc::models::network
