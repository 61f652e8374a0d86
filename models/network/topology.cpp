// The physical network: models/network/topology.hpp.
#include "topology.hpp"

#include <algorithm>
#include <boost/graph/filtered_graph.hpp>
#include <boost/pending/queue.hpp>
#include <limits>

namespace vdc::models::network {

Topology::Node Topology::add_node(std::string name, NodeKind kind) {
  const Node n = boost::add_vertex(graph_);
  names_.push_back(std::move(name));
  kinds_.push_back(kind);
  node_up_.push_back(1);
  adjacent_.emplace_back();
  return n;
}

Topology::Link Topology::add_link(Node a, Node b, double speed_mbps) {
  const Link l = speed_.size();
  boost::add_edge(a, b, l, graph_);
  speed_.push_back(speed_mbps);
  first_.push_back(a);
  second_.push_back(b);
  link_up_.push_back(1);
  blackholed_.push_back(0);
  adjacent_[a].push_back(l);
  if (b != a) adjacent_[b].push_back(l);
  return l;
}

Topology::Hop Topology::hop_from(Link l, Node from) const {
  return static_cast<Hop>(2 * l + (from == first_[l] ? 0 : 1));
}

Topology::Node Topology::other_end(Link l, Node n) const { return first_[l] == n ? second_[l] : first_[l]; }

bool Topology::passes(Link l) const {
  return link_up_[l] != 0 && blackholed_[l] == 0 && node_up_[first_[l]] != 0 && node_up_[second_[l]] != 0;
}

namespace {

/// What a search may cross: links that pass, and nodes that are up and may carry frames
/// through (switches and routers, plus the two ends; routers not at all for a flood).
template <typename Topo>
struct EdgeOk {
  const Topo* t = nullptr;
  template <typename E>
  bool operator()(const E& e) const {
    return t->passes(t->link_of(e));
  }
};
template <typename Topo>
struct VertexOk {
  const Topo* t = nullptr;
  bool routers = true;  ///< false for a flood, which stops at routers
  bool operator()(std::size_t v) const { return t->node_up(v) && (routers || t->kind(v) != NodeKind::router); }
};

constexpr std::size_t unreached = std::numeric_limits<std::size_t>::max();

}  // namespace

std::size_t Topology::link_of(const Graph::edge_descriptor& e) const { return boost::get(boost::edge_index, graph_, e); }

const std::vector<std::size_t>& Topology::search(Node from, bool routers) const {
  const auto [it, fresh] = trees_.try_emplace(2 * from + (routers ? 1 : 0));
  std::vector<std::size_t>& came_by = it->second;
  if (!fresh) return came_by;
  came_by.assign(nodes(), unreached);
  const boost::filtered_graph<Graph, EdgeOk<Topology>, VertexOk<Topology>> g(graph_, EdgeOk<Topology>{this},
                                                                            VertexOk<Topology>{this, routers});
  if (!node_up(from)) return came_by;
  // Breadth first over the filtered graph, in the order links were added. Frames never
  // pass through a host or an endpoint: the search does not go on from one (but `from`).
  std::vector<std::uint8_t> seen(nodes(), 0);
  boost::queue<Node> queue;
  seen[from] = 1;
  queue.push(from);
  while (!queue.empty()) {
    const Node v = queue.top();
    queue.pop();
    if (v != from && (kinds_[v] == NodeKind::nic || kinds_[v] == NodeKind::endpoint)) continue;
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      const Node w = boost::target(*e, g);
      if (seen[w] != 0) continue;
      seen[w] = 1;
      came_by[w] = link_of(*e);
      queue.push(w);
    }
  }
  return came_by;
}

std::vector<Topology::Hop> Topology::hops_to(const std::vector<std::size_t>& came_by, Node from, Node to) const {
  std::vector<Hop> hops;
  for (Node v = to; v != from;) {
    const Link l = came_by[v];
    const Node u = other_end(l, v);
    hops.push_back(hop_from(l, u));
    v = u;
  }
  std::reverse(hops.begin(), hops.end());
  return hops;
}

std::optional<std::vector<Topology::Hop>> Topology::path(Node from, Node to, bool via_router) const {
  if (from == to) return std::vector<Hop>{};
  if (!via_router) {
    const auto& tree = search(from, true);
    if (tree[to] == unreached) return std::nullopt;
    return hops_to(tree, from, to);
  }
  // Through a router: the router nearest in total to both ends (the first such router
  // added breaks ties), and the shortest path on each side of it.
  const auto& a = search(from, true);
  const auto& b = search(to, true);
  const auto depth = [&](const std::vector<std::size_t>& tree, Node root, Node v) {
    std::size_t d = 0;
    for (Node x = v; x != root; x = other_end(tree[x], x)) ++d;
    return d;
  };
  std::optional<Node> best;
  std::size_t best_len = unreached;
  for (Node r = 0; r < nodes(); ++r) {
    if (kinds_[r] != NodeKind::router || a[r] == unreached || b[r] == unreached) continue;
    const std::size_t len = depth(a, from, r) + depth(b, to, r);
    if (len < best_len) {
      best_len = len;
      best = r;
    }
  }
  if (!best) return std::nullopt;
  auto hops = hops_to(a, from, *best);
  auto back = hops_to(b, to, *best);  // from `to` to the router: walked the other way
  for (auto it = back.rbegin(); it != back.rend(); ++it) hops.push_back(*it ^ 1u);
  return hops;
}

Topology::Flood Topology::flood(Node from) const {
  Flood out;
  const auto& tree = search(from, false);
  for (Node v = 0; v < nodes(); ++v) {
    if (v == from || tree[v] == unreached) continue;
    out.hops.push_back(hop_from(tree[v], other_end(tree[v], v)));
    if (kinds_[v] == NodeKind::nic) out.nics.push_back(v);
  }
  return out;
}

}  // namespace vdc::models::network
