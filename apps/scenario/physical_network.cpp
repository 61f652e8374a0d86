// The physical topology of the `networks:` section (docs/scenario.md "Networks"): switches,
// routers, links and endpoints, read into ScenarioConfig::network.physical before the
// vSwitches (nothing in it refers to them).
#include <array>
#include <map>
#include <string>

#include <fmt/format.h>

#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

constexpr std::array<std::string_view, 4> physical_keys{"switches", "routers", "links",
                                                        "endpoints"};
constexpr std::array<std::string_view, 1> physical_node_keys{"name"};
constexpr std::array<std::string_view, 3> link_keys{"from", "to", "speed"};
constexpr std::array<std::string_view, 3> endpoint_keys{"name", "ip", "attach"};

constexpr Bounds link_speed{0.0, limits::max_nic_speed_mbps, true,
                            "expected a speed above 0 and up to 800 Gbps"};

}  // namespace

constexpr KeySet physical_set{"physical", "the physical topology", physical_keys};
constexpr KeySet physical_node_set{"physical_node", "a physical switch or router",
                                   physical_node_keys};
constexpr KeySet physical_link_set{"link", "a link", link_keys};
constexpr KeySet physical_endpoint_set{"endpoint", "an endpoint", endpoint_keys};

namespace {

/// `switches:` or `routers:`, nodes of the topology.
void read_nodes(Context& ctx, std::string_view key, const Node& node, models::PhysicalNodeKind kind) {
  if (read_sequence(ctx.sink, key, node, "expected a sequence of {name}") == nullptr) return;
  for (const Node& item : node.items) {
    const MapView m(ctx.sink, item, physical_node_set, fmt::format("a {} entry", key));
    if (!m.valid()) continue;
    if (auto name = read_entry_name(ctx, m, ctx.physical_nodes, "expected a name like tor1")) {
      ctx.config.network.physical.nodes.push_back({std::move(*name), kind});
    }
  }
}

/// A link's end: a node's name, or "host/nic" (reported once it is linked twice).
bool read_link_end(Context& ctx, std::string_view key, const Node& node,
                   std::map<std::string, int>& linked_nics) {
  if (node.is_scalar() && node.text.find('/') != std::string::npos) {
    if (!resolve_host_nic(ctx, key, node)) return false;
    const auto [it, fresh] = linked_nics.try_emplace(node.text, node.pos.line);
    if (!fresh) {
      ctx.sink.error(node.pos, fmt::format("NIC '{}' linked twice", node.text),
                     fmt::format("expected one link per NIC; first linked at line {}", it->second));
      return false;
    }
    return true;
  }
  return ctx.physical_nodes.resolve(ctx.sink, key, node).has_value();
}

void read_links(Context& ctx, const Node& node) {
  if (read_sequence(ctx.sink, "links", node, "expected a sequence of {from, to, speed}") == nullptr) return;
  std::map<std::string, int> linked_nics;
  for (const Node& item : node.items) {
    const MapView m(ctx.sink, item, physical_link_set, "a links entry");
    if (!m.valid()) continue;
    models::PhysicalLinkConfig link;
    const Node* from = m.require("from", "expected a node's name or host/nic, like esx01/vmnic0");
    const Node* to = m.require("to", "expected a node's name or host/nic, like tor1");
    bool ok = from != nullptr && read_link_end(ctx, "from", *from, linked_nics);
    ok = to != nullptr && read_link_end(ctx, "to", *to, linked_nics) && ok;
    assign(m.bandwidth("speed", link_speed), link.speed_mbps);
    if (!ok) continue;
    link.from = from->text;
    link.to = to->text;
    if (link.from == link.to) {
      ctx.sink.error(to->pos, fmt::format("link from '{}' to itself", link.from),
                     "expected two different ends");
      continue;
    }
    const bool has_nic = link.from.find('/') != std::string::npos || link.to.find('/') != std::string::npos;
    if (!has_nic && m.get("speed") == nullptr) {
      ctx.sink.error(m.pos(), "missing required key 'speed' in a link between two nodes",
                     "expected the link's speed, like 100 Gbps (only a NIC's link takes the NIC's)");
      continue;
    }
    ctx.config.network.physical.links.push_back(std::move(link));
  }
}

void read_endpoints(Context& ctx, const Node& node) {
  if (read_sequence(ctx.sink, "endpoints", node, "expected a sequence of {name, ip, attach}") == nullptr) return;
  for (const Node& item : node.items) {
    const MapView m(ctx.sink, item, physical_endpoint_set, "an endpoints entry");
    if (!m.valid()) continue;
    models::EndpointConfig ep;
    const auto name = read_entry_name(ctx, m, ctx.endpoints, "expected an endpoint name like backup-target");
    if (m.require("ip", "expected the endpoint's IPv4 address, like 10.0.9.20") != nullptr) {
      assign(read_ipv4(ctx.sink, "ip", *m.get("ip")), ep.ip);
    }
    if (const Node* attach = m.get("attach")) {
      if (ctx.physical_nodes.resolve(ctx.sink, "attach", *attach)) ep.attach = attach->text;
    }
    if (!name) continue;
    ep.name = *name;
    ctx.config.network.physical.endpoints.push_back(std::move(ep));
  }
}

}  // namespace

void read_physical_network(Context& ctx, const Node& node) {
  const MapView m(ctx.sink, node, physical_set, "'physical'");
  if (!m.valid()) return;
  ctx.config.network.has_physical = true;
  if (const Node* v = m.get("switches")) read_nodes(ctx, "switches", *v, models::PhysicalNodeKind::switch_);
  if (const Node* v = m.get("routers")) read_nodes(ctx, "routers", *v, models::PhysicalNodeKind::router);
  if (const Node* v = m.get("links")) read_links(ctx, *v);
  if (const Node* v = m.get("endpoints")) read_endpoints(ctx, *v);
}

}  // namespace vdc::scenario::detail
