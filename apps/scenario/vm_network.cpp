// A VM's virtual NICs and its network flows (docs/scenario.md "Networks"), and the checks of
// the names they use once every VM is read.
#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

using models::FlowRateKind;

/// The most virtual NICs a VM has in vSphere.
constexpr std::size_t max_vnics = 10;
/// VMware's range of static MACs: 00:50:56:00:00:00 to 00:50:56:3F:FF:FF.
constexpr std::uint64_t vmware_oui = 0x005056ULL << 24U;
constexpr std::uint64_t static_range_bits = 22;

constexpr std::array<Choice<FlowRateKind>, 4> rate_kinds{{{"constant", FlowRateKind::constant},
                                                          {"on_off", FlowRateKind::on_off},
                                                          {"diurnal", FlowRateKind::diurnal},
                                                          {"trace", FlowRateKind::trace}}};
constexpr std::array<Choice<std::string_view>, 2> trace_columns{
    {{"net_tx_kbps", "net_tx_kbps"}, {"net_rx_kbps", "net_rx_kbps"}}};

constexpr Bounds flow_rate{0.0, limits::max_nic_speed_mbps, true,
                           "expected a bandwidth above 0 and up to 800 Gbps, like 200 Mbps"};
constexpr Bounds amplitude_rate{0.0, limits::max_nic_speed_mbps, false,
                                "expected a bandwidth from 0 to 800 Gbps, like 50 Mbps"};
constexpr Bounds positive_time{0.0, limits::max_duration_s, true,
                               "expected a duration above 0 and up to 366d, like 30s"};
constexpr Bounds any_time{0.0, limits::max_duration_s, false,
                          "expected a duration from 0 to 366d, like 90s"};
constexpr Bounds scale_bounds{0.0, 1e6, true, "expected a number above 0 and up to 1000000"};

/// "00:50:56:01:00:01": six pairs of hex digits separated by colons, a unicast address.
std::optional<std::uint64_t> read_mac(Sink& sink, std::string_view key, const Node& node) {
  constexpr std::string_view expected =
      "expected a unicast MAC address like 00:50:56:01:00:01";
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  std::uint64_t mac = 0;
  bool ok = text->size() == 17;
  for (std::size_t i = 0; ok && i < text->size(); ++i) {
    const char c = (*text)[i];
    if (i % 3 == 2) {
      ok = c == ':';
      continue;
    }
    ok = std::isxdigit(static_cast<unsigned char>(c)) != 0;
    const int digit = std::isdigit(static_cast<unsigned char>(c)) != 0
                          ? c - '0'
                          : std::tolower(static_cast<unsigned char>(c)) - 'a' + 10;
    mac = (mac << 4U) | static_cast<std::uint64_t>(digit);
  }
  // The group bit (the first octet's lowest) marks multicast and broadcast; 0 is no address.
  if (!ok || ((mac >> 40U) & 1U) != 0 || mac == 0) {
    bad_value(sink, key, node, expected);
    return std::nullopt;
  }
  return mac;
}

/// One vNIC; `port_group_at` and `vlan_at` receive where its port group and guest VLAN
/// are written (the entry's position when they are not).
models::VnicConfig read_vnic(Sink& sink, const Node& item, Position& port_group_at, Position& vlan_at) {
  models::VnicConfig nic;
  port_group_at = item.pos;
  vlan_at = item.pos;
  const MapView m(sink, item, keys::vnic, "a nics entry");
  if (!m.valid()) return nic;
  if (const Node* pg = m.require("port_group", "expected the port group the NIC connects to")) {
    assign(read_name(sink, "port_group", *pg), nic.port_group);
    port_group_at = pg->pos;
  }
  if (const Node* v = m.get("mac")) assign(read_mac(sink, "mac", *v), nic.mac);
  if (const Node* v = m.get("effective_mac")) {
    if (auto mac = read_mac(sink, "effective_mac", *v)) nic.effective_mac = *mac;
  }
  if (const Node* v = m.get("ip")) {
    if (auto ip = read_ipv4(sink, "ip", *v)) nic.ip = *ip;
  }
  if (const Node* v = m.get("vlan")) {
    assign(read_integer(sink, "vlan", *v, 0, 4094), nic.guest_vlan);
    vlan_at = v->pos;
  }
  return nic;
}

void read_nics(Sink& sink, const Node& node, models::VmConfig& vm, VmNetworkSite* site) {
  if (read_sequence(sink, "nics", node, "expected a sequence of {port_group, mac, ip}") == nullptr) return;
  if (node.items.size() > max_vnics) {
    sink.error(node.items[max_vnics].pos, fmt::format("{} virtual NICs", node.items.size()),
               fmt::format("expected at most {} per VM", max_vnics));
  }
  for (const Node& item : node.items) {
    Position port_group_at;
    Position vlan_at;
    vm.nics.push_back(read_vnic(sink, item, port_group_at, vlan_at));
    if (site != nullptr) {
      site->port_groups.push_back(port_group_at);
      site->guest_vlans.push_back(vlan_at);
    }
  }
}

/// A `rate:`: a bandwidth (constant) or a mapping with a kind.
models::FlowRate read_rate(Sink& sink, const Node& node) {
  models::FlowRate rate;
  if (node.is_scalar()) {
    assign(read_bandwidth(sink, "rate", node, flow_rate), rate.mbps);
    return rate;
  }
  constexpr std::string_view kinds = "constant, on_off, diurnal or trace";
  if (!node.is_mapping()) {
    sink.error(node.pos, fmt::format("'rate' is {}", describe(node)),
               fmt::format("expected a bandwidth like 200 Mbps, or a mapping with a kind: {}", kinds));
    return rate;
  }
  const Node* kind_node = node.get("kind");
  if (kind_node == nullptr) {
    sink.error(node.pos, "missing required key 'kind' in a flow rate", fmt::format("expected {}", kinds));
    return rate;
  }
  const auto kind = read_choice<FlowRateKind>(sink, "kind", *kind_node, rate_kinds);
  if (!kind) return rate;
  rate.kind = *kind;
  switch (*kind) {
    case FlowRateKind::constant: {
      const MapView m(sink, node, keys::flow_constant, "'rate'");
      if (m.require("rate", "expected the bandwidth, like 200 Mbps")) assign(m.bandwidth("rate", flow_rate), rate.mbps);
      break;
    }
    case FlowRateKind::on_off: {
      const MapView m(sink, node, keys::flow_on_off, "'rate'");
      if (m.require("rate", "expected the bandwidth while on, like 1 Gbps")) assign(m.bandwidth("rate", flow_rate), rate.mbps);
      if (m.require("on", "expected the mean time on, like 30s")) assign(m.duration("on", positive_time), rate.on);
      if (m.require("off", "expected the mean time off, like 90s")) assign(m.duration("off", any_time), rate.off);
      break;
    }
    case FlowRateKind::diurnal: {
      const MapView m(sink, node, keys::flow_diurnal, "'rate'");
      if (m.require("mean", "expected the mean bandwidth, like 100 Mbps")) assign(m.bandwidth("mean", flow_rate), rate.mbps);
      assign(m.bandwidth("amplitude", amplitude_rate), rate.amplitude);
      if (const Node* peak = m.get("peak")) assign(read_time_of_day(sink, *peak), rate.peak);
      assign(m.duration("step", positive_time), rate.step);
      if (rate.amplitude > rate.mbps && m.get("amplitude") != nullptr && m.get("mean") != nullptr) {
        sink.error(m.get("amplitude")->pos,
                   fmt::format("amplitude {:g} Mbps exceeds the mean {:g} Mbps", rate.amplitude, rate.mbps),
                   "expected an amplitude at most the mean, so that the rate never falls below 0");
      }
      break;
    }
    case FlowRateKind::trace: {
      const MapView m(sink, node, keys::flow_trace, "'rate'");
      if (m.require("file", "expected a Bitbrains trace file, like traces/{i}.csv") != nullptr) {
        assign(m.text("file", "expected a file path"), rate.file);
      }
      rate.column = "net_tx_kbps";
      assign(m.choice<std::string_view>("column", trace_columns), rate.column);
      assign(m.real("scale", scale_bounds), rate.scale);
      break;
    }
  }
  return rate;
}

/// A flow's `to`: broadcast, an IPv4 address, or a name (a VM or an endpoint, told apart
/// once every VM is read).
void read_flow_target(Sink& sink, const Node& node, models::FlowConfig& flow) {
  if (node.is_scalar() && node.text == "broadcast") {
    flow.kind = models::FlowTargetKind::broadcast;
  } else if (const auto ip = node.is_scalar() ? parse_ipv4(node.text) : std::nullopt) {
    flow.kind = models::FlowTargetKind::address;
    flow.address = *ip;
  } else if (read_name(sink, "to", node)) {
    flow.kind = models::FlowTargetKind::vm;
  } else {
    return;
  }
  flow.to = node.text;
}

void read_flows(Sink& sink, const Node& node, models::VmConfig& vm, VmNetworkSite* site) {
  const MapView network(sink, node, keys::network_workload, "'network'");
  const Node* flows = network.valid() ? network.get("flows") : nullptr;
  if (flows == nullptr) return;
  if (read_sequence(sink, "flows", *flows, "expected a sequence of {to, rate}") == nullptr) return;
  if (site != nullptr) site->flows = flows->pos;
  // One flow per entry, even a broken one, so that positions and trace files line up.
  for (const Node& item : flows->items) {
    models::FlowConfig& flow = vm.flows.emplace_back();
    const MapView m(sink, item, keys::flow, "a flows entry");
    Position to_pos = item.pos;
    Position nic_pos = item.pos;
    if (m.valid()) {
      if (const Node* to = m.require("to", "expected a VM, an endpoint, an IPv4 address or broadcast")) {
        read_flow_target(sink, *to, flow);
        to_pos = to->pos;
        nic_pos = to->pos;
      }
      if (const Node* rate = m.require("rate", "expected a bandwidth like 200 Mbps, or a mapping with a kind")) {
        flow.rate = read_rate(sink, *rate);
      }
      if (const Node* nic = m.get("nic")) {
        assign(read_integer(sink, "nic", *nic, 0, static_cast<std::int64_t>(max_vnics) - 1), flow.nic);
        nic_pos = nic->pos;
      }
    }
    if (site != nullptr) {
      site->flow_targets.push_back(to_pos);
      site->flow_nics.push_back(nic_pos);
    }
  }
}

/// Whether `vlan` is one of the VLANs a guest-tagging port of `pg` carries; false on a port
/// group without guest tagging.
bool carries_guest_vlan(const models::PortGroupConfig& pg, int vlan) {
  if (pg.vlan == 4095) return true;
  return std::any_of(pg.trunk.begin(), pg.trunk.end(),
                     [&](const models::VlanRange& r) { return vlan >= r.first && vlan <= r.last; });
}

/// A flow target's name: a VM (not the flow's own) or an endpoint.
void resolve_target(Context& ctx, std::size_t vm, models::FlowConfig& flow, Position at) {
  const auto as_vm = ctx.vms.find(flow.to);
  const auto as_endpoint = ctx.endpoints.find(flow.to);
  if (as_vm && as_endpoint) {
    ctx.sink.error(at, fmt::format("flow target '{}' is both a VM and an endpoint", flow.to),
                   "expected names that tell VMs and endpoints apart");
  } else if (as_vm) {
    flow.kind = models::FlowTargetKind::vm;
    if (*as_vm == vm) {
      ctx.sink.error(at, fmt::format("flow from VM '{}' to itself", flow.to),
                     "expected another VM, an endpoint, an address or broadcast");
    } else if (ctx.config.vms[*as_vm].nics.empty()) {
      ctx.sink.error(at, fmt::format("flow to VM '{}', which has no NIC", flow.to),
                     "expected a VM with nics");
    }
  } else if (as_endpoint) {
    flow.kind = models::FlowTargetKind::endpoint;
  } else {
    Suggestion suggestion(flow.to);
    for (const std::string& n : ctx.vms.names()) suggestion.offer(n);
    for (const std::string& n : ctx.endpoints.names()) suggestion.offer(n);
    ctx.sink.error(at, fmt::format("unknown flow target '{}'", flow.to),
                   "expected a VM, an endpoint of networks.physical.endpoints, an IPv4 address "
                   "or broadcast",
                   suggestion.best());
  }
}

void check_vm_network(Context& ctx, const VmNetworkSite& site) {
  models::VmConfig& vm = ctx.config.vms[site.vm];
  for (std::size_t i = 0; i < vm.nics.size(); ++i) {
    const models::VnicConfig& nic = vm.nics[i];
    if (nic.port_group.empty()) continue;
    const auto pg = ctx.port_groups.resolve(ctx.sink, nic.port_group, site.port_groups[i]);
    if (!pg) continue;
    const models::PortGroupConfig& group = ctx.config.network.port_groups[*pg];
    const auto sw = ctx.vswitches.find(group.vswitch);
    if (sw && !vm.host.empty()) {
      const std::vector<std::string>& hosts = ctx.config.network.vswitches[*sw].hosts;
      if (std::find(hosts.begin(), hosts.end(), vm.host) == hosts.end()) {
        ctx.sink.error(site.port_groups[i],
                       fmt::format("port group '{}' is on vSwitch '{}', which is not on host '{}'",
                                   group.name, group.vswitch, vm.host),
                       "expected a port group of a vSwitch on the VM's host");
      }
    }
    if (nic.guest_vlan != 0 && !carries_guest_vlan(group, nic.guest_vlan)) {
      ctx.sink.error(site.guest_vlans[i],
                     fmt::format("guest VLAN {} on port group '{}', which does not carry it",
                                 nic.guest_vlan, group.name),
                     "expected a port group with guest tagging: vlan 4095 on a standard switch, "
                     "or a trunk holding the VLAN on a distributed one");
    }
  }
  if (!vm.flows.empty() && vm.nics.empty()) {
    ctx.sink.error(site.flows, fmt::format("VM '{}' has flows but no NIC", vm.name),
                   "expected nics: [{port_group: ...}] for the flows to leave by");
    return;
  }
  for (std::size_t i = 0; i < vm.flows.size(); ++i) {
    models::FlowConfig& flow = vm.flows[i];
    if (flow.nic >= static_cast<int>(vm.nics.size())) {
      ctx.sink.error(site.flow_nics[i],
                     fmt::format("flow leaves by NIC {}, but VM '{}' has {} NIC{}", flow.nic,
                                 vm.name, vm.nics.size(), vm.nics.size() == 1 ? "" : "s"),
                     fmt::format("expected a NIC index from 0 to {}", vm.nics.size() - 1));
    }
    if (flow.kind == models::FlowTargetKind::vm && !flow.to.empty()) {
      resolve_target(ctx, site.vm, flow, site.flow_targets[i]);
    }
  }
}

}  // namespace

void read_vm_network(Sink& sink, const Node& node, models::VmConfig& vm, VmNetworkSite* site) {
  if (const Node* nics = node.get("nics")) read_nics(sink, *nics, vm, site);
  const Node* workload = node.get("workload");
  const Node* network = workload != nullptr && workload->is_mapping() ? workload->get("network") : nullptr;
  if (network != nullptr) read_flows(sink, *network, vm, site);
}

void assign_default_macs(Sink& sink, models::VmConfig& vm, std::size_t index, Position at) {
  constexpr std::size_t max_index = std::size_t{1} << (static_range_bits - 4);
  for (std::size_t i = 0; i < vm.nics.size(); ++i) {
    models::VnicConfig& nic = vm.nics[i];
    if (nic.mac != 0) continue;
    if (index >= max_index) {
      sink.error(at,
                 fmt::format("VM '{}' is past the {}th, the last with a default MAC", vm.name, max_index),
                 "expected a mac for each of its NICs");
      return;
    }
    nic.mac = vmware_oui | (static_cast<std::uint64_t>(index) << 4U) | i;
  }
}

void check_vm_networks(Context& ctx) {
  for (const VmNetworkSite& site : ctx.vm_network_sites) check_vm_network(ctx, site);
}

}  // namespace vdc::scenario::detail
