#include <doctest/doctest.h>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario_test_support.hpp"
#include "sections.hpp"

using namespace vdc;
using namespace vdc::scenario;
using namespace vdc::scenario::test;
using namespace vdc::sim::literals;
using models::FailureDetection;
using models::FlowRateKind;
using models::FlowTargetKind;
using models::SwitchKind;
using models::TeamingPolicy;

namespace {

/// Two hosts with four NICs each, and a third with two; the scenario body follows.
std::string with_hosts(std::string_view body) {
  return scenario_text(R"(host_profiles:
  quad:
    memory: 256 GiB
    nics: [{name: vmnic0, speed: 25 Gbps}, {name: vmnic1, speed: 25 Gbps},
           {name: vmnic2, speed: 10 Gbps}, {name: vmnic3, speed: 10 Gbps}]
  dual:
    memory: 256 GiB
    nics: [{name: vmnic0, speed: 10 Gbps}, {name: vmnic1, speed: 10 Gbps}]
hosts:
  - {name: "esx{01..02}", profile: quad}
  - {name: esx03, profile: dual}
)" + std::string(body));
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("a whole network loads into its configuration") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(networks:
  vswitches:
    - name: vSwitch0
      hosts: ["esx{01..02}"]
      uplinks: [vmnic0, vmnic1, vmnic2]
      teaming: {policy: explicit, active: [vmnic1, vmnic0], standby: [vmnic2], detection: beacon, failback: false, notify_switches: false}
      mtu: 9000
    - name: dvs
      kind: distributed
      hosts: [esx01, esx02]
      uplinks: [vmnic3]
  port_groups:
    - name: web
      vswitch: vSwitch0
      vlan: 100
      security: {promiscuous: accept, mac_changes: reject, forged_transmits: reject}
      shaping: {average: 100 Mbps, peak: 200 Mbps, burst: 50 MiB}
      teaming: {policy: mac_hash, active: [vmnic0], standby: [vmnic2, vmnic1]}
    - name: trunk
      vswitch: dvs
      trunk: ["100-200", 300]
  physical:
    switches: [{name: tor1}, {name: tor2}]
    routers: [{name: core}]
    links:
      - {from: esx01/vmnic0, to: tor1}
      - {from: tor1, to: core, speed: 100 Gbps}
    endpoints:
      - {name: backup, ip: 10.0.9.20, attach: core}
      - {name: dns, ip: 10.0.0.53}
vms:
  - name: "web{01..02}"
    host: esx01
    nics: [{port_group: web, ip: 192.168.100.101}, {port_group: trunk, vlan: 150, mac: "00:50:56:01:00:01", effective_mac: "00:50:56:AA:00:01"}]
    workload:
      network:
        flows:
          - {to: db01, rate: 200 Mbps}
          - {to: backup, rate: {kind: on_off, rate: 1 Gbps, on: 30s, off: 90s}, nic: 1}
          - {to: 192.168.100.120, rate: {kind: diurnal, mean: 100 Mbps, amplitude: 40 Mbps, peak: "14:00", step: 10m}}
          - {to: broadcast, rate: {kind: constant, rate: 1 Mbps}}
  - {name: db01, host: esx02, nics: [{port_group: web}]}
)"));
  const models::NetworkConfig& n = c.network;
  CHECK(n.present);
  CHECK(n.has_physical);
  REQUIRE(n.vswitches.size() == 2);
  const models::VSwitchConfig& vs0 = n.vswitches[0];
  CHECK(vs0.name == "vSwitch0");
  CHECK(vs0.kind == SwitchKind::standard);
  CHECK(vs0.hosts == Names{"esx01", "esx02"});
  CHECK(vs0.host_ids == std::vector<int>{0, 1});
  CHECK(vs0.uplinks == Names{"vmnic0", "vmnic1", "vmnic2"});
  CHECK(vs0.teaming.policy == TeamingPolicy::explicit_order);
  CHECK(vs0.teaming.active == Names{"vmnic1", "vmnic0"});
  CHECK(vs0.teaming.standby == Names{"vmnic2"});
  CHECK(vs0.teaming.detection == FailureDetection::beacon);
  CHECK_FALSE(vs0.teaming.failback);
  CHECK_FALSE(vs0.teaming.notify_switches);
  CHECK(vs0.mtu == 9000);
  const models::VSwitchConfig& dvs = n.vswitches[1];
  CHECK(dvs.kind == SwitchKind::distributed);
  CHECK(dvs.teaming.policy == TeamingPolicy::port_id);
  CHECK(dvs.teaming.active == Names{"vmnic3"});
  CHECK(dvs.teaming.standby.empty());
  CHECK(dvs.teaming.detection == FailureDetection::link_status);
  CHECK(dvs.teaming.failback);
  CHECK(dvs.mtu == 1500);

  REQUIRE(n.port_groups.size() == 2);
  const models::PortGroupConfig& web = n.port_groups[0];
  CHECK(web.vswitch == "vSwitch0");
  CHECK(web.vswitch_id == 0);
  CHECK(web.vlan == 100);
  CHECK(web.trunk.empty());
  CHECK(web.security.promiscuous == true);
  CHECK(web.security.mac_changes == false);
  CHECK(web.security.forged_transmits == false);
  REQUIRE(web.shaping.has_value());
  CHECK(web.shaping->average_mbps == 100.0);
  CHECK(web.shaping->peak_mbps == 200.0);
  CHECK(web.shaping->burst_mib == 50.0);
  CHECK(web.teaming.policy == TeamingPolicy::mac_hash);
  CHECK(web.teaming.active == Names{"vmnic0"});
  CHECK(web.teaming.standby == Names{"vmnic2", "vmnic1"});
  CHECK_FALSE(web.teaming.detection.has_value());
  CHECK_FALSE(web.teaming.failback.has_value());
  const models::PortGroupConfig& trunk = n.port_groups[1];
  CHECK(trunk.vswitch_id == 1);
  CHECK(trunk.vlan == 0);
  REQUIRE(trunk.trunk.size() == 2);
  CHECK(trunk.trunk[0].first == 100);
  CHECK(trunk.trunk[0].last == 200);
  CHECK(trunk.trunk[1].first == 300);
  CHECK(trunk.trunk[1].last == 300);
  CHECK_FALSE(trunk.shaping.has_value());
  CHECK_FALSE(trunk.security.promiscuous.has_value());

  const models::PhysicalConfig& p = n.physical;
  REQUIRE(p.nodes.size() == 3);
  CHECK(p.nodes[0].name == "tor1");
  CHECK(p.nodes[0].kind == models::PhysicalNodeKind::switch_);
  CHECK(p.nodes[1].name == "tor2");
  CHECK(p.nodes[2].name == "core");
  CHECK(p.nodes[2].kind == models::PhysicalNodeKind::router);
  REQUIRE(p.links.size() == 2);
  CHECK(p.links[0].from == "esx01/vmnic0");
  CHECK(p.links[0].to == "tor1");
  CHECK(p.links[0].speed_mbps == 0.0);
  CHECK(p.links[1].speed_mbps == 100'000.0);
  REQUIRE(p.endpoints.size() == 2);
  CHECK(p.endpoints[0].name == "backup");
  CHECK(p.endpoints[0].ip == ((10U << 24U) | (9U << 8U) | 20U));
  CHECK(p.endpoints[0].attach == "core");
  CHECK(p.endpoints[1].ip == ((10U << 24U) | 53U));
  CHECK(p.endpoints[1].attach.empty());

  REQUIRE(c.vms.size() == 3);
  const models::VmConfig& web02 = named(c.vms, "web02");
  REQUIRE(web02.nics.size() == 2);
  CHECK(web02.nics[0].port_group == "web");
  CHECK(web02.nics[0].port_group_id == 0);
  CHECK(web02.nics[0].ip == ((192U << 24U) | (168U << 16U) | (100U << 8U) | 101U));
  // web02 is the scenario's second VM (index 1): 00:50:56 then 1 << 4 | NIC 0.
  CHECK(web02.nics[0].mac == 0x005056000010ULL);
  CHECK_FALSE(web02.nics[0].effective_mac.has_value());
  CHECK(web02.nics[1].port_group_id == 1);
  CHECK(web02.nics[1].mac == 0x005056010001ULL);
  CHECK(web02.nics[1].effective_mac == 0x005056AA0001ULL);
  CHECK(web02.nics[1].guest_vlan == 150);
  CHECK_FALSE(web02.nics[1].ip.has_value());
  REQUIRE(web02.flows.size() == 4);
  const auto& f = web02.flows;
  CHECK(f[0].to == "db01");
  CHECK(f[0].kind == FlowTargetKind::vm);
  CHECK(f[0].target_id == 2);
  CHECK(f[0].nic == 0);
  CHECK(f[0].rate.kind == FlowRateKind::constant);
  CHECK(f[0].rate.mbps == 200.0);
  CHECK(f[1].kind == FlowTargetKind::endpoint);
  CHECK(f[1].target_id == 0);
  CHECK(f[1].nic == 1);
  CHECK(f[1].rate.kind == FlowRateKind::on_off);
  CHECK(f[1].rate.mbps == 1000.0);
  CHECK(f[1].rate.on == 30_s);
  CHECK(f[1].rate.off == 90_s);
  CHECK(f[2].kind == FlowTargetKind::address);
  CHECK(f[2].address == ((192U << 24U) | (168U << 16U) | (100U << 8U) | 120U));
  CHECK(f[2].target_id == -1);
  CHECK(f[2].rate.kind == FlowRateKind::diurnal);
  CHECK(f[2].rate.mbps == 100.0);
  CHECK(f[2].rate.amplitude == 40.0);
  CHECK(f[2].rate.peak == 14_h);
  CHECK(f[2].rate.step == 10_min);
  CHECK(f[3].kind == FlowTargetKind::broadcast);
  CHECK(f[3].rate.kind == FlowRateKind::constant);
  CHECK(f[3].rate.mbps == 1.0);
  // The first VM (index 0) and the third (index 2).
  CHECK(named(c.vms, "web01").nics[0].mac == 0x005056000000ULL);
  CHECK(named(c.vms, "db01").nics[0].mac == 0x005056000020ULL);
  CHECK(named(c.vms, "db01").flows.empty());
}

TEST_CASE("defaults: every host, all uplinks active in order, no networks at all") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(networks:
  vswitches:
    - {name: vs, hosts: ["esx{01..02}"], uplinks: [vmnic2, vmnic0]}
    - {name: all, uplinks: [vmnic1]}
    - {name: internal}
vms: []
)"));
  const auto& sw = c.network.vswitches;
  REQUIRE(sw.size() == 3);
  CHECK(sw[0].teaming.active == Names{"vmnic2", "vmnic0"});
  CHECK(sw[0].teaming.standby.empty());
  CHECK(sw[1].hosts == Names{"esx01", "esx02", "esx03"});
  CHECK(sw[1].host_ids == std::vector<int>{0, 1, 2});
  CHECK(sw[2].uplinks.empty());
  CHECK(sw[2].teaming.active.empty());
  CHECK_FALSE(c.network.has_physical);

  const models::ScenarioConfig none = load_ok(with_hosts("vms: []\n"));
  CHECK_FALSE(none.network.present);
  CHECK(none.network.vswitches.empty());
}

TEST_CASE("standby without active leaves the other uplinks active, on a vSwitch and a port group") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(networks:
  vswitches:
    - {name: vs, hosts: [esx01], uplinks: [vmnic0, vmnic1, vmnic2], teaming: {standby: [vmnic1]}}
  port_groups:
    - {name: pg, vswitch: vs, teaming: {standby: [vmnic0]}}
    - {name: plain, vswitch: vs}
vms: []
)"));
  CHECK(c.network.vswitches[0].teaming.active == Names{"vmnic0", "vmnic2"});
  CHECK(c.network.vswitches[0].teaming.standby == Names{"vmnic1"});
  const models::TeamingOverride& pg = c.network.port_groups[0].teaming;
  CHECK(pg.standby == Names{"vmnic0"});
  CHECK(pg.active == Names{"vmnic1", "vmnic2"});
  CHECK_FALSE(c.network.port_groups[1].teaming.active.has_value());
}

TEST_CASE("a VM profile's NICs and flows are inherited, and a VM's own NICs replace them") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(networks:
  vswitches: [{name: vs, uplinks: [vmnic0]}]
  port_groups: [{name: a, vswitch: vs}, {name: b, vswitch: vs}]
vm_profiles:
  web:
    nics: [{port_group: a}, {port_group: b}]
    workload: {network: {flows: [{to: broadcast, rate: 1 Mbps, nic: 1}]}}
vms:
  - {name: "w{1..2}", profile: web, host: esx01}
  - {name: own, profile: web, host: esx01, nics: [{port_group: b}, {port_group: a, mac: "02:00:00:00:00:01"}]}
)"));
  const models::VmConfig& w2 = named(c.vms, "w2");
  REQUIRE(w2.nics.size() == 2);
  CHECK(w2.nics[0].port_group == "a");
  CHECK(w2.nics[1].port_group == "b");
  CHECK(w2.nics[1].mac == 0x005056000011ULL);  // VM index 1, NIC 1
  REQUIRE(w2.flows.size() == 1);
  CHECK(w2.flows[0].nic == 1);
  const models::VmConfig& own = named(c.vms, "own");
  REQUIRE(own.nics.size() == 2);
  CHECK(own.nics[0].port_group == "b");
  CHECK(own.nics[0].mac == 0x005056000020ULL);  // VM index 2, NIC 0
  CHECK(own.nics[1].mac == 0x020000000001ULL);
  CHECK(own.flows.size() == 1);
}

TEST_CASE("a flow's trace file is resolved like a CPU trace's, with {i}") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(networks:
  vswitches: [{name: vs, uplinks: [vmnic0]}]
  port_groups: [{name: a, vswitch: vs}]
vms:
  - name: "t{1..2}"
    host: esx01
    nics: [{port_group: a}]
    workload:
      network:
        flows: [{to: broadcast, rate: {kind: trace, file: "scenarios/traces/bitbrains/{i}.csv.gz", column: net_rx_kbps, scale: 2}}]
  - name: u
    host: esx01
    nics: [{port_group: a}]
    workload: {network: {flows: [{to: t1, rate: {kind: trace, file: "scenarios/traces/bitbrains/1.csv.gz"}}]}}
)"));
  const models::FlowRate& r = named(c.vms, "t2").flows[0].rate;
  CHECK(r.kind == FlowRateKind::trace);
  // Relative to the scenario's directory: t.yaml is in the working directory.
  CHECK(r.file == "scenarios/traces/bitbrains/2.csv.gz");
  CHECK(r.column == "net_rx_kbps");
  CHECK(r.scale == 2.0);
  CHECK(named(c.vms, "u").flows[0].rate.column == "net_tx_kbps");
  CHECK(named(c.vms, "u").flows[0].rate.scale == 1.0);
}

TEST_CASE("upstream and switch events name a host's NIC and a physical switch or router") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(networks:
  physical:
    switches: [{name: tor1}]
    routers: [{name: core}]
vms: []
events:
  - {at: 10m, upstream_down: esx01/vmnic1}
  - {at: 11m, upstream_up: esx01/vmnic1}
  - {at: 20m, switch_down: tor1}
  - {at: 21m, switch_up: core}
)"));
  REQUIRE(c.events.size() == 4);
  CHECK(c.events[0].kind == models::EventKind::upstream_down);
  CHECK(c.events[0].target == "esx01/vmnic1");
  CHECK(c.events[1].kind == models::EventKind::upstream_up);
  CHECK(c.events[2].kind == models::EventKind::switch_down);
  CHECK(c.events[2].target == "tor1");
  CHECK(c.events[3].kind == models::EventKind::switch_up);
  CHECK(c.events[3].target == "core");
}

TEST_CASE("beacon probing on a team of 2 is a warning, not an error") {
  const LoadResult r = load(with_hosts(R"(networks:
  vswitches:
    - {name: vs, hosts: [esx03], uplinks: [vmnic0, vmnic1], teaming: {detection: beacon}}
    - {name: three, hosts: [esx01], uplinks: [vmnic0, vmnic1, vmnic2], teaming: {detection: beacon}}
vms: []
)"));
  REQUIRE(r.ok());
  CHECK(messages(r) == std::vector<std::string>{
                           "t.yaml:16:82: warning: beacon probing with 2 uplinks in the team: it "
                           "needs 3 to tell which path failed; with fewer, a failure is "
                           "ambiguous and traffic goes out on every uplink (reference A.6)"});
}

TEST_CASE("IPv4 addresses parse as dotted quads and nothing else") {
  using vdc::scenario::detail::parse_ipv4;
  CHECK(parse_ipv4("0.0.0.0") == 0U);
  CHECK(parse_ipv4("255.255.255.255") == 0xFFFFFFFFU);
  CHECK(parse_ipv4("10.0.9.20") == 0x0A000914U);
  for (const char* bad : {"", "10.0.9", "10.0.9.20.1", "256.0.0.1", "10.0.09.1", "10..9.1",
                          "10.0.9.20 ", "-1.0.0.0", "a.b.c.d", "10.0.9.+2"}) {
    INFO(bad);
    CHECK_FALSE(parse_ipv4(bad).has_value());
  }
}

TEST_CASE("a parameter with choices takes their names for their indices, and its numbers") {
  using namespace vdc::scenario::detail;
  static constexpr std::array<std::string_view, 2> variants{"full_xor", "last_octet"};
  const models::ModelParameter p{"network", "Net.Example", models::ParameterScope::advanced,
                                 models::ParameterUnit::none, 0.0, 0.0, 1.0, "help", "ref",
                                 variants};
  Sink sink("t.yaml");
  const std::optional<Node> doc =
      parse_document("a: last_octet\nb: 0\nc: last_octet2\nd: 2\ne: full_xor\n", sink);
  REQUIRE(doc.has_value());
  CHECK(read_parameter_value(sink, p, *doc->get("a")) == 1.0);
  CHECK(read_parameter_value(sink, p, *doc->get("b")) == 0.0);
  CHECK_FALSE(read_parameter_value(sink, p, *doc->get("c")).has_value());
  CHECK_FALSE(read_parameter_value(sink, p, *doc->get("d")).has_value());
  CHECK(read_parameter_value(sink, p, *doc->get("e")) == 0.0);
  std::vector<std::string> got;
  for (const Diagnostic& d : sink.take()) got.push_back(d.message);
  CHECK(got == std::vector<std::string>{
                   "t.yaml:3:4: error: bad value 'last_octet2' for 'Net.Example' (expected one "
                   "of: full_xor, last_octet (or its index, 0 to 1)); did you mean 'last_octet'?",
                   "t.yaml:4:4: error: bad value '2' for 'Net.Example' (expected one of: "
                   "full_xor, last_octet (or its index, 0 to 1))"});
}

TEST_CASE("more refusals: duplicates, a profile's port group once, too many NICs, flows") {
  std::string eleven;
  for (int i = 0; i < 11; ++i) eleven += std::string(i == 0 ? "" : ", ") + "{port_group: a}";
  const LoadResult r = load(with_hosts(R"(networks:
  vswitches: [{name: vs, uplinks: [vmnic0]}]
  port_groups: [{name: a, vswitch: vs}, {name: a, vswitch: vs}]
vm_profiles:
  p: {nics: [{port_group: b}]}
vms:
  - {name: "w{1..3}", profile: p, host: esx01}
  - {name: bare, host: esx01}
  - {name: many, host: esx01, nics: [)" + eleven + R"(]}
  - {name: src, host: esx01, nics: [{port_group: a}], workload: {network: {flows: [{to: bare, rate: {rate: 1 Mbps}}]}}}
)"));
  CHECK_FALSE(r.ok());
  CHECK(messages(r) ==
        std::vector<std::string>{
            "t.yaml:16:48: error: duplicate port group name 'a' (expected unique port group "
            "names; first defined at line 16)",
            "t.yaml:18:27: error: unknown port group 'b' (expected a port group defined under "
            "networks.port_groups); did you mean 'a'?",
            "t.yaml:22:208: error: 11 virtual NICs (expected at most 10 per VM)",
            "t.yaml:23:89: error: flow to VM 'bare', which has no NIC (expected a VM with nics)",
            "t.yaml:23:101: error: missing required key 'kind' in a flow rate (expected "
            "constant, on_off, diurnal or trace)"});
}

TEST_CASE("a VM placed by its cluster is not held to one host's vSwitches") {
  const models::ScenarioConfig c = load_ok(with_hosts(R"(clusters: [{name: c, hosts: ["esx{01..02}"]}]
networks:
  vswitches: [{name: vs, hosts: [esx01], uplinks: [vmnic0]}]
  port_groups: [{name: a, vswitch: vs}]
vms:
  - {name: v, cluster: c, nics: [{port_group: a}]}
)"));
  CHECK(c.vms[0].nics[0].port_group_id == 0);
}
