// The `networks:` section (docs/scenario.md "Networks"): vSwitches with their uplinks and
// teams, port groups, and the physical topology, read into ScenarioConfig::network. It is
// read before the VMs, whose NICs name its port groups.
#include <algorithm>
#include <array>
#include <charconv>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "name_range.hpp"
#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

using models::FailureDetection;
using models::SwitchKind;
using models::TeamingPolicy;

constexpr std::array<std::string_view, 3> networks_keys{"vswitches", "port_groups", "physical"};
constexpr std::array<std::string_view, 6> vswitch_keys{"name", "kind", "hosts", "uplinks",
                                                       "teaming", "mtu"};
constexpr std::array<std::string_view, 6> teaming_keys{"policy", "active", "standby",
                                                       "detection", "failback",
                                                       "notify_switches"};
constexpr std::array<std::string_view, 7> port_group_keys{"name", "vswitch", "vlan", "trunk",
                                                          "security", "shaping", "teaming"};
constexpr std::array<std::string_view, 3> security_keys{"promiscuous", "mac_changes",
                                                        "forged_transmits"};
constexpr std::array<std::string_view, 3> shaping_keys{"average", "peak", "burst"};

constexpr KeySet networks_set{"networks", "networks", networks_keys};
constexpr KeySet vswitch_set{"vswitch", "a vSwitch", vswitch_keys};
constexpr KeySet teaming_set{"teaming", "a team", teaming_keys};
constexpr KeySet port_group_set{"port_group", "a port group", port_group_keys};
constexpr KeySet security_set{"security", "a security policy", security_keys};
constexpr KeySet shaping_set{"shaping", "a traffic shaping policy", shaping_keys};
constexpr std::array<const KeySet*, 10> key_sets{
    &networks_set, &vswitch_set, &teaming_set, &port_group_set, &security_set,
    &shaping_set, &physical_set, &physical_node_set, &physical_link_set, &physical_endpoint_set};

constexpr std::array<Choice<SwitchKind>, 2> switch_kinds{
    {{"standard", SwitchKind::standard}, {"distributed", SwitchKind::distributed}}};
constexpr std::array<Choice<TeamingPolicy>, 5> policies{
    {{"port_id", TeamingPolicy::port_id},
     {"mac_hash", TeamingPolicy::mac_hash},
     {"ip_hash", TeamingPolicy::ip_hash},
     {"load_based", TeamingPolicy::load_based},
     {"explicit", TeamingPolicy::explicit_order}}};
constexpr std::array<Choice<FailureDetection>, 2> detections{
    {{"link_status", FailureDetection::link_status}, {"beacon", FailureDetection::beacon}}};
constexpr std::array<Choice<bool>, 2> accept_reject{{{"accept", true}, {"reject", false}}};

constexpr Bounds shaping_rate{0.0, limits::max_nic_speed_mbps, true,
                              "expected a bandwidth above 0 and up to 800 Gbps"};
constexpr Bounds burst_size{0.0, 1024.0 * 1024.0, false,
                            "expected a size from 0 to 1 TiB, like 100 MiB"};

/// The burst size of a shaping policy that does not give one: the standard switch's
/// default in the vSphere client, 102400 KB (reference A.4, unconfirmed).
constexpr double default_burst_mib = 100.0;
/// The MTU range ESXi accepts on a vSwitch.
constexpr std::int64_t min_mtu = 1280;
constexpr std::int64_t max_mtu = 9000;

/// What a vSwitch's reader keeps for its port groups' teaming.
struct SwitchSite {
  bool active_written = false;  ///< its team names its active uplinks
};

/// A team's uplink lists as written, each name with where it is written.
struct NamedList {
  std::vector<std::string> names;
  std::vector<Position> at;
  const Node* node = nullptr;  ///< the list itself; null when not written here
};

/// A list of uplink names (`active` or `standby`): each must be an uplink of the vSwitch
/// (when `uplinks` is given) and appear once.
NamedList read_uplink_list(Sink& sink, std::string_view key, const Node& node,
                           const std::vector<std::string>* uplinks) {
  NamedList out;
  const Node* seq = read_sequence(sink, key, node, "expected a sequence of uplink names, like [vmnic0]");
  if (seq == nullptr) return out;
  out.node = seq;
  for (const Node& item : seq->items) {
    const std::optional<std::string> name = read_name(sink, key, item);
    if (!name) continue;
    if (uplinks != nullptr && std::find(uplinks->begin(), uplinks->end(), *name) == uplinks->end()) {
      sink.error(item.pos, fmt::format("'{}' in '{}' is not an uplink of the vSwitch", *name, key),
                 uplinks->empty() ? std::string("expected an uplink, but the vSwitch has none")
                                  : fmt::format("expected one of: {}", fmt::join(*uplinks, ", ")),
                 closest(*name, *uplinks));
      continue;
    }
    if (std::find(out.names.begin(), out.names.end(), *name) != out.names.end()) {
      sink.error(item.pos, fmt::format("uplink '{}' listed twice in '{}'", *name, key),
                 "expected each uplink once");
      continue;
    }
    out.names.push_back(*name);
    out.at.push_back(item.pos);
  }
  return out;
}

/// Where each part of a team is written in the mapping being read; null where it comes
/// from elsewhere (a default, or the vSwitch of a port group), which is checked there.
struct TeamSource {
  const Node* policy = nullptr;
  NamedList active;
  NamedList standby;
  const Node* detection = nullptr;
};

/// The first written of `a`, `b`, as a position.
std::optional<Position> first_written(const Node* a, const Node* b) {
  if (a != nullptr) return a->pos;
  if (b != nullptr) return b->pos;
  return std::nullopt;
}

/// The rules a whole team must follow (reference A.5, A.6), each reported at a part the
/// mapping being read writes.
void check_team(Sink& sink, const models::TeamingConfig& team, SwitchKind kind,
                const TeamSource& src, bool has_uplinks) {
  // A name in both lists: reported at the list written here, standby first.
  for (std::size_t i = 0; i < team.standby.size(); ++i) {
    const std::string& name = team.standby[i];
    if (std::find(team.active.begin(), team.active.end(), name) == team.active.end()) continue;
    const NamedList& at = src.standby.node != nullptr ? src.standby : src.active;
    const auto it = std::find(at.names.begin(), at.names.end(), name);
    if (it == at.names.end()) continue;
    sink.error(at.at[static_cast<std::size_t>(it - at.names.begin())],
               fmt::format("uplink '{}' is both active and standby", name),
               "expected each uplink in one role: active, standby, or neither (unused)");
  }
  if (team.active.empty() && has_uplinks) {
    if (const auto at = first_written(src.active.node, src.standby.node)) {
      sink.error(*at, "team without an active uplink",
                 "expected at least one active uplink: standby uplinks only take the place of "
                 "failed active ones");
    }
  }
  if (team.policy == TeamingPolicy::ip_hash && !team.standby.empty()) {
    if (const auto at = first_written(src.standby.node, src.policy)) {
      sink.error(*at, "IP-hash team with a standby uplink",
                 "expected every uplink of an IP-hash team active: the physical switch's "
                 "EtherChannel spans them all (reference A.5)");
    }
  }
  if (team.policy == TeamingPolicy::load_based && kind == SwitchKind::standard &&
      src.policy != nullptr) {
    sink.error(src.policy->pos, "load_based teaming on a standard switch",
               "expected port_id, mac_hash, ip_hash or explicit: load-based teaming needs a "
               "distributed switch");
  }
  const std::size_t team_size = team.active.size() + team.standby.size();
  if (team.detection == FailureDetection::beacon && team_size < 3) {
    const Node* at = src.detection != nullptr ? src.detection
                     : src.active.node != nullptr ? src.active.node
                                                  : src.standby.node;
    if (at != nullptr) {
      sink.warning(at->pos,
                   fmt::format("beacon probing with {} uplink{} in the team: it needs 3 to tell "
                               "which path failed; with fewer, a failure is ambiguous and "
                               "traffic goes out on every uplink (reference A.6)",
                               team_size, team_size == 1 ? "" : "s"));
    }
  }
}

/// `uplinks` without the names in `standby`, in order: the active list when none is given.
std::vector<std::string> all_but(const std::vector<std::string>& uplinks,
                                 const std::vector<std::string>& standby) {
  std::vector<std::string> out;
  for (const std::string& u : uplinks) {
    if (std::find(standby.begin(), standby.end(), u) == standby.end()) out.push_back(u);
  }
  return out;
}

/// A `teaming:` mapping's own keys into `over` and `src`; the lists are checked against
/// `uplinks` when given.
void read_team_keys(Sink& sink, const MapView& m, const std::vector<std::string>* uplinks,
                    models::TeamingOverride& over, TeamSource& src) {
  over.policy = m.choice<TeamingPolicy>("policy", policies);
  if (over.policy) src.policy = m.get("policy");
  if (const Node* v = m.get("active")) {
    src.active = read_uplink_list(sink, "active", *v, uplinks);
    over.active = src.active.names;
  }
  if (const Node* v = m.get("standby")) {
    src.standby = read_uplink_list(sink, "standby", *v, uplinks);
    over.standby = src.standby.names;
  }
  over.detection = m.choice<FailureDetection>("detection", detections);
  if (over.detection) src.detection = m.get("detection");
  over.failback = m.boolean("failback");
  over.notify_switches = m.boolean("notify_switches");
}

/// The vSwitch's team: its `teaming:` over the defaults.
void read_switch_team(Sink& sink, const Node* node, models::VSwitchConfig& sw, SwitchSite& site) {
  models::TeamingOverride over;
  TeamSource src;
  if (node != nullptr) {
    const MapView m(sink, *node, teaming_set, "'teaming'");
    if (!m.valid()) return;
    read_team_keys(sink, m, &sw.uplinks, over, src);
  }
  models::TeamingConfig& team = sw.teaming;
  team.policy = over.policy.value_or(team.policy);
  team.standby = over.standby.value_or(std::vector<std::string>{});
  site.active_written = over.active.has_value();
  team.active = over.active ? *over.active : all_but(sw.uplinks, team.standby);
  team.detection = over.detection.value_or(team.detection);
  team.failback = over.failback.value_or(team.failback);
  team.notify_switches = over.notify_switches.value_or(team.notify_switches);
  check_team(sink, team, sw.kind, src, !sw.uplinks.empty());
}

/// A port group's `teaming:` overrides, checked as the team they make with the vSwitch's.
void read_group_team(Sink& sink, const Node& node, const models::VSwitchConfig* sw,
                     const SwitchSite* site, models::PortGroupConfig& pg) {
  const MapView m(sink, node, teaming_set, "'teaming'");
  if (!m.valid()) return;
  TeamSource src;
  read_team_keys(sink, m, sw != nullptr ? &sw->uplinks : nullptr, pg.teaming, src);
  if (sw == nullptr) return;
  models::TeamingOverride& over = pg.teaming;
  // Active uplinks written nowhere are the uplinks not on standby, here as on the vSwitch.
  if (!over.active && over.standby && !site->active_written) {
    over.active = all_but(sw->uplinks, *over.standby);
  }
  models::TeamingConfig team = sw->teaming;
  team.policy = over.policy.value_or(team.policy);
  team.active = over.active.value_or(team.active);
  team.standby = over.standby.value_or(team.standby);
  team.detection = over.detection.value_or(team.detection);
  check_team(sink, team, sw->kind, src, !sw->uplinks.empty());
}

/// The vSwitch's `hosts:` (names and ranges); every host when absent.
void read_switch_hosts(Context& ctx, const MapView& m, models::VSwitchConfig& sw,
                       std::vector<std::size_t>& host_ids) {
  const Node* hosts = m.get("hosts");
  if (hosts == nullptr) {
    sw.hosts = ctx.hosts.names();
    for (std::size_t h = 0; h < sw.hosts.size(); ++h) host_ids.push_back(h);
    return;
  }
  if (read_sequence(ctx.sink, "hosts", *hosts, "expected a sequence of host names, like [\"esx{01..04}\"]") == nullptr) {
    return;
  }
  for (const Node& ref : hosts->items) {
    for (const RangedName& n : read_names(ctx.sink, "hosts", ref)) {
      const auto h = ctx.hosts.resolve(ctx.sink, n.name, ref.pos);
      if (!h) continue;
      if (std::find(host_ids.begin(), host_ids.end(), *h) != host_ids.end()) {
        ctx.sink.error(ref.pos, fmt::format("host '{}' listed twice", n.name),
                       "expected each host once");
        continue;
      }
      host_ids.push_back(*h);
      sw.hosts.push_back(n.name);
    }
  }
}

/// Who holds each uplink of each host so far: (host, NIC) -> the vSwitch's name.
using UplinkOwners = std::map<std::pair<std::size_t, std::string>, std::string>;

/// The vSwitch's `uplinks:`: NICs of each of its hosts, each once, and on no other vSwitch
/// of a host.
void read_uplinks(Context& ctx, const Node& node, const std::vector<std::size_t>& host_ids,
                  models::VSwitchConfig& sw, UplinkOwners& owners) {
  if (read_sequence(ctx.sink, "uplinks", node, "expected a sequence of the hosts' NIC names, like [vmnic0, vmnic1]") == nullptr) {
    return;
  }
  for (const Node& item : node.items) {
    const std::optional<std::string> name = read_name(ctx.sink, "uplinks", item);
    if (!name) continue;
    if (std::find(sw.uplinks.begin(), sw.uplinks.end(), *name) != sw.uplinks.end()) {
      ctx.sink.error(item.pos, fmt::format("uplink '{}' listed twice", *name),
                     "expected each uplink once in a vSwitch");
      continue;
    }
    // One report per uplink: the first host lacking the NIC, and how many others do.
    std::size_t lacking = 0;
    const models::HostConfig* first_lacking = nullptr;
    const std::string* other_switch = nullptr;
    const models::HostConfig* shared_host = nullptr;
    for (const std::size_t h : host_ids) {
      const models::HostConfig& host = ctx.config.hosts[h];
      const bool has = std::any_of(host.nics.begin(), host.nics.end(),
                                   [&](const models::NicConfig& n) { return n.name == *name; });
      if (!has) {
        if (lacking++ == 0) first_lacking = &host;
        continue;
      }
      const auto [it, fresh] = owners.try_emplace({h, *name}, sw.name);
      if (!fresh && other_switch == nullptr) {
        other_switch = &it->second;
        shared_host = &host;
      }
    }
    if (first_lacking != nullptr) {
      std::vector<std::string_view> nics;
      for (const models::NicConfig& n : first_lacking->nics) nics.push_back(n.name);
      ctx.sink.error(item.pos,
                     fmt::format("unknown uplink '{}' on host '{}'{}", *name, first_lacking->name,
                                 lacking > 1 ? fmt::format(" and {} other hosts", lacking - 1) : ""),
                     nics.empty() ? std::string("expected a NIC of the host's nics, which has none")
                                  : fmt::format("expected a NIC of the host's nics: {}", fmt::join(nics, ", ")),
                     closest(*name, nics));
    }
    if (other_switch != nullptr) {
      ctx.sink.error(item.pos,
                     fmt::format("uplink '{}' of host '{}' is already an uplink of vSwitch '{}'",
                                 *name, shared_host->name, *other_switch),
                     "expected a NIC on one vSwitch of a host");
    }
    sw.uplinks.push_back(*name);
  }
}

void read_vswitch(Context& ctx, const Node& item, UplinkOwners& owners, std::vector<SwitchSite>& sites) {
  const MapView m(ctx.sink, item, vswitch_set, "a vswitches entry");
  if (!m.valid()) return;
  models::VSwitchConfig sw;
  const auto name = read_entry_name(ctx, m, ctx.vswitches, "expected a vSwitch name like vSwitch0");
  if (!name) return;
  sw.name = *name;
  assign(m.choice<SwitchKind>("kind", switch_kinds), sw.kind);
  std::vector<std::size_t> host_ids;
  read_switch_hosts(ctx, m, sw, host_ids);
  if (const Node* uplinks = m.get("uplinks")) read_uplinks(ctx, *uplinks, host_ids, sw, owners);
  SwitchSite site;
  read_switch_team(ctx.sink, m.get("teaming"), sw, site);
  assign(m.integer("mtu", min_mtu, max_mtu), sw.mtu);
  ctx.config.network.vswitches.push_back(std::move(sw));
  sites.push_back(site);
}

/// "100" or "100-200": a VLAN ID or a range of them, from 0 to 4094.
std::optional<models::VlanRange> parse_vlan_range(std::string_view text) {
  const auto number = [](std::string_view s) -> std::optional<int> {
    int v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || v < 0 || v > 4094) {
      return std::nullopt;
    }
    return v;
  };
  const std::size_t dash = text.find('-');
  const auto first = number(text.substr(0, dash));
  const auto last = dash == std::string_view::npos ? first : number(text.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return models::VlanRange{*first, *last};
}

void read_trunk(Sink& sink, const Node& node, models::PortGroupConfig& pg) {
  constexpr std::string_view expected =
      "expected VLAN IDs from 0 to 4094 or ranges of them, like [\"100-200\", 300]";
  if (read_sequence(sink, "trunk", node, expected) == nullptr) return;
  for (const Node& item : node.items) {
    const std::string* text = scalar_text(sink, "trunk", item, expected);
    if (text == nullptr) continue;
    if (const auto range = parse_vlan_range(*text)) {
      pg.trunk.push_back(*range);
    } else {
      bad_value(sink, "trunk", item, expected);
    }
  }
}

/// `vlan:` (0-4095; 4095, guest tagging, on a standard switch only) or `trunk:` (guest
/// tagging on a distributed switch).
void read_vlan(Sink& sink, const MapView& m, const models::VSwitchConfig* sw,
               models::PortGroupConfig& pg) {
  const Node* vlan = m.get("vlan");
  const Entry* trunk = m.entry("trunk");
  if (vlan != nullptr) assign(read_integer(sink, "vlan", *vlan, 0, 4095), pg.vlan);
  if (trunk != nullptr) read_trunk(sink, trunk->value, pg);
  if (sw == nullptr) return;
  if (vlan != nullptr && pg.vlan == 4095 && sw->kind == SwitchKind::distributed) {
    sink.error(vlan->pos, "VLAN 4095 on a distributed switch",
               "expected guest tagging on a distributed switch as 'trunk', like [\"100-200\"]; "
               "4095 is a standard switch's");
  }
  if (trunk != nullptr && sw->kind == SwitchKind::standard) {
    sink.error(trunk->key_pos, "'trunk' on a standard switch",
               "expected vlan: 4095 for guest tagging on a standard switch");
  } else if (trunk != nullptr && vlan != nullptr) {
    sink.error(trunk->key_pos, "both 'vlan' and 'trunk' in a port group",
               "expected one: a VLAN the switch tags, or the trunk of guest tagging");
  }
}

void read_shaping(Sink& sink, const Node& node, models::PortGroupConfig& pg) {
  const MapView m(sink, node, shaping_set, "'shaping'");
  if (!m.valid()) return;
  models::ShapingConfig shaping;
  if (m.require("average", "expected the average bandwidth of each port, like 100 Mbps") == nullptr) {
    return;
  }
  const std::optional<double> average = m.bandwidth("average", shaping_rate);
  const std::optional<double> peak = m.bandwidth("peak", shaping_rate);
  if (!average) return;
  shaping.average_mbps = *average;
  shaping.peak_mbps = peak.value_or(*average);
  shaping.burst_mib = m.memory("burst", burst_size).value_or(default_burst_mib);
  if (peak && *peak < *average) {
    sink.error(m.get("peak")->pos,
               fmt::format("shaping peak {:g} Mbps is below the average {:g} Mbps", *peak, *average),
               "expected a peak at least the average: it can never be smaller (reference A.4)");
    return;
  }
  pg.shaping = shaping;
}

void read_port_group(Context& ctx, const Node& item, const std::vector<SwitchSite>& sites) {
  const MapView m(ctx.sink, item, port_group_set, "a port_groups entry");
  if (!m.valid()) return;
  models::PortGroupConfig pg;
  const auto name = read_entry_name(ctx, m, ctx.port_groups, "expected a port group name like web");
  if (!name) return;
  pg.name = *name;
  const models::VSwitchConfig* sw = nullptr;
  const SwitchSite* site = nullptr;
  if (const Node* v = m.require("vswitch", "expected the vSwitch the port group is on")) {
    if (const auto s = ctx.vswitches.resolve(ctx.sink, "vswitch", *v)) {
      sw = &ctx.config.network.vswitches[*s];
      site = &sites[*s];
      pg.vswitch = sw->name;
    }
  }
  read_vlan(ctx.sink, m, sw, pg);
  if (const Node* v = m.get("security")) {
    const MapView s(ctx.sink, *v, security_set, "'security'");
    pg.security.promiscuous = s.choice<bool>("promiscuous", accept_reject);
    pg.security.mac_changes = s.choice<bool>("mac_changes", accept_reject);
    pg.security.forged_transmits = s.choice<bool>("forged_transmits", accept_reject);
  }
  if (const Node* v = m.get("shaping")) read_shaping(ctx.sink, *v, pg);
  if (const Node* v = m.get("teaming")) read_group_team(ctx.sink, *v, sw, site, pg);
  ctx.config.network.port_groups.push_back(std::move(pg));
}

/// networks (needs hosts; read before the VMs).
void read_networks(Context& ctx, const Node& section) {
  const MapView m(ctx.sink, section, networks_set, "'networks'");
  if (!m.valid()) return;
  ctx.config.network.present = true;
  // The topology first: nothing in it refers to the switches.
  if (const Node* v = m.get("physical")) read_physical_network(ctx, *v);
  std::vector<SwitchSite> sites;
  if (const Node* v = m.get("vswitches")) {
    if (read_sequence(ctx.sink, "vswitches", *v, "expected a sequence of vSwitches") != nullptr) {
      UplinkOwners owners;
      for (const Node& item : v->items) read_vswitch(ctx, item, owners, sites);
    }
  }
  if (const Node* v = m.get("port_groups")) {
    if (read_sequence(ctx.sink, "port_groups", *v, "expected a sequence of port groups") != nullptr) {
      for (const Node& item : v->items) read_port_group(ctx, item, sites);
    }
  }
}

}  // namespace

bool resolve_host_nic(Context& ctx, std::string_view key, const Node& node) {
  const std::optional<std::string> text =
      read_text(ctx.sink, key, node, "expected host/nic, like esx01/vmnic0");
  if (!text) return false;
  const std::size_t slash = text->find('/');
  if (slash == std::string::npos) {
    bad_value(ctx.sink, key, node, "expected host/nic, like esx01/vmnic0");
    return false;
  }
  const auto host = ctx.hosts.resolve(ctx.sink, text->substr(0, slash), node.pos);
  if (!host) return false;
  const std::string nic = text->substr(slash + 1);
  const auto& nics = ctx.config.hosts[*host].nics;
  for (const models::NicConfig& n : nics) {
    if (n.name == nic) return true;
  }
  std::vector<std::string_view> names;
  for (const models::NicConfig& n : nics) names.push_back(n.name);
  ctx.sink.error(node.pos, fmt::format("unknown NIC '{}' on host '{}'", nic, text->substr(0, slash)),
                 names.empty() ? std::string("expected a NIC of the host, which has none")
                               : fmt::format("expected one of: {}", fmt::join(names, ", ")),
                 closest(nic, names));
  return false;
}

std::optional<std::uint32_t> parse_ipv4(std::string_view text) {
  std::uint32_t out = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned octet = 0;
    const auto [next, ec] = std::from_chars(p, end, octet);
    // No leading zeros: "010" reads as octal in some tools and decimal in others.
    if (ec != std::errc() || octet > 255 || next - p > 3 || (next - p > 1 && *p == '0')) {
      return std::nullopt;
    }
    out = (out << 8U) | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return out;
}

std::optional<std::uint32_t> read_ipv4(Sink& sink, std::string_view key, const Node& node) {
  constexpr std::string_view expected = "expected an IPv4 address like 192.168.100.101";
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  if (const auto ip = parse_ipv4(*text)) return ip;
  bad_value(sink, key, node, expected);
  return std::nullopt;
}

extern const Section networks_section;
constexpr Section networks_section{"networks", &read_networks, key_sets};

}  // namespace vdc::scenario::detail
