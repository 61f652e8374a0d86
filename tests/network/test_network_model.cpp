// The network model on hand-built datacenters, each expectation worked out by hand from
// reference section A: forwarding and split horizon, VLANs and routers, security policies,
// failover with link-status and beacon detection, shaping, max-min sharing and load-based
// teaming.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "network_model.hpp"
#include "vdc/sim/metrics.hpp"
#include "vdc/sim/simulator.hpp"

using namespace vdc;
using namespace vdc::models;
using namespace vdc::models::network;
using namespace vdc::sim::literals;

namespace {

/// Hosts esx01.. with `nics` NICs of `speed` Mbps each, one standard vSwitch vSwitch0 on
/// all of them with every NIC as uplink, and port groups added by the test.
struct Lab {
  ScenarioConfig config;

  Lab(int hosts, int nics, double speed) {
    config.name = "net";
    config.duration = 3600_s;
    config.network.present = true;
    VSwitchConfig sw;
    sw.name = "vSwitch0";
    for (int h = 1; h <= hosts; ++h) {
      HostConfig hc;
      hc.name = "esx0" + std::to_string(h);
      for (int n = 0; n < nics; ++n) hc.nics.push_back({"vmnic" + std::to_string(n), speed});
      sw.hosts.push_back(hc.name);
      config.hosts.push_back(hc);
    }
    for (int n = 0; n < nics; ++n) sw.uplinks.push_back("vmnic" + std::to_string(n));
    sw.teaming.active = sw.uplinks;
    config.network.vswitches.push_back(sw);
  }

  PortGroupConfig& port_group(const std::string& name, int vlan) {
    PortGroupConfig pg;
    pg.name = name;
    pg.vswitch = "vSwitch0";
    pg.vlan = vlan;
    config.network.port_groups.push_back(pg);
    return config.network.port_groups.back();
  }

  VmConfig& vm(const std::string& name, const std::string& pg, std::uint32_t ip) {
    VmConfig v;
    v.name = name;
    VnicConfig nic;
    nic.port_group = pg;
    nic.mac = 0x005056000000ull + config.vms.size() + 1;
    nic.ip = ip;
    v.nics.push_back(nic);
    config.vms.push_back(v);
    return config.vms.back();
  }

  static void flow(VmConfig& v, const std::string& to, double mbps, FlowTargetKind kind = FlowTargetKind::vm) {
    FlowConfig f;
    f.to = to;
    f.kind = kind;
    f.rate.mbps = mbps;
    v.flows.push_back(f);
  }

  void resolve() { resolve_ids(config); }
};

/// A model over `lab` with VM i powered on host hosts[i].
struct Run {
  sim::Simulator sim;
  sim::MetricsRegistry metrics;
  std::unique_ptr<NetworkModel> model;

  Run(Lab& lab, const std::vector<std::size_t>& hosts) {
    lab.resolve();
    model = std::make_unique<NetworkModel>(lab.config, sim, &metrics, nullptr);
    for (std::size_t v = 0; v < hosts.size(); ++v) model->power_on(v, hosts[v]);
    model->settle();
  }
  void until(sim::Time t) { sim.run_until(t); }
};

bool has(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

constexpr std::uint32_t ip(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

}  // namespace

TEST_CASE("frames between ports of one vSwitch in one VLAN stay on the host") {
  Lab lab(1, 2, 1000.0);
  lab.port_group("web", 100);
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 300.0);
  lab.vm("b", "web", ip(10, 0, 0, 2));
  Run run(lab, {0, 0});
  const auto f = run.model->flow(0, 0);
  CHECK(f.delivered);
  CHECK(f.uplinks.empty());
  CHECK(f.delivered_to == std::vector<std::string>{"b"});
  CHECK(f.rate_mbps == doctest::Approx(300.0));
  CHECK(run.model->uplink_tx(0, "vmnic0") == 0.0);
  CHECK(run.model->uplink_tx(0, "vmnic1") == 0.0);
}

TEST_CASE("two flows share an uplink max-min: the small one gets its demand, the other the rest") {
  // a (800 Mbps) and b (300 Mbps) on esx01 send to c on esx02 over 1,000 Mbps links, one
  // uplink each host: b is below the fair half (500) and gets 300; a gets 1,000 - 300 = 700.
  Lab lab(2, 1, 1000.0);
  lab.port_group("web", 100);
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "c", 800.0);
  Lab::flow(lab.vm("b", "web", ip(10, 0, 0, 2)), "c", 300.0);
  lab.vm("c", "web", ip(10, 0, 0, 3));
  Run run(lab, {0, 0, 1});
  CHECK(run.model->flow(0, 0).rate_mbps == doctest::Approx(700.0));
  CHECK(run.model->flow(1, 0).rate_mbps == doctest::Approx(300.0));
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(1000.0));
  CHECK(run.model->uplink_rx(1, "vmnic0") == doctest::Approx(1000.0));
}

TEST_CASE("a broadcast reaches its VLAN once per VM; reflections are dropped and no vSwitch sends it on") {
  // Two hosts, two uplinks each, one physical segment: the copy that esx01's vmnic1 gets
  // back is a reflection (dropped); on esx02 both uplinks get a copy, and each port takes
  // only the one on the uplink its team picks for it. d is in another VLAN.
  Lab lab(2, 2, 10000.0);
  lab.port_group("web", 100);
  lab.port_group("db", 200);
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "broadcast", 1.0, FlowTargetKind::broadcast);
  lab.vm("b", "web", ip(10, 0, 0, 2));
  lab.vm("c", "web", ip(10, 0, 0, 3));
  lab.vm("d", "db", ip(10, 0, 1, 4));
  Run run(lab, {0, 0, 1, 1});
  const auto f = run.model->flow(0, 0);
  CHECK(f.delivered);
  CHECK(f.delivered_to.size() == 2);
  CHECK(has(f.delivered_to, "b"));
  CHECK(has(f.delivered_to, "c"));
  CHECK_FALSE(has(f.delivered_to, "d"));
  CHECK(run.model->reflections_dropped() == 1);
  // Received once on each of esx02's uplinks (the flood), sent once by esx01.
  CHECK(run.model->uplink_rx(1, "vmnic0") == doctest::Approx(1.0));
  CHECK(run.model->uplink_rx(1, "vmnic1") == doctest::Approx(1.0));
  CHECK(run.model->uplink_tx(0, "vmnic0") + run.model->uplink_tx(0, "vmnic1") == doctest::Approx(1.0));
}

TEST_CASE("VLANs meet only through a router of the physical network") {
  Lab lab(2, 1, 1000.0);
  lab.port_group("web", 100);
  lab.port_group("db", 200);
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 10.0);
  lab.vm("b", "db", ip(10, 0, 1, 2));
  SUBCASE("no physical network: no router") {
    Run run(lab, {0, 1});
    const auto f = run.model->flow(0, 0);
    CHECK_FALSE(f.delivered);
    CHECK(f.cause.find("router") != std::string::npos);
  }
  SUBCASE("a switch alone does not join them; a router on the path does") {
    lab.config.network.has_physical = true;
    lab.config.network.physical.nodes = {{"tor1", PhysicalNodeKind::switch_}};
    lab.config.network.physical.links = {{"esx01/vmnic0", "tor1", 0.0}, {"esx02/vmnic0", "tor1", 0.0}};
    {
      Run run(lab, {0, 1});
      CHECK_FALSE(run.model->flow(0, 0).delivered);
    }
    lab.config.network.physical.nodes.push_back({"core", PhysicalNodeKind::router});
    lab.config.network.physical.links.push_back({"tor1", "core", 40000.0});
    Run run(lab, {0, 1});
    const auto f = run.model->flow(0, 0);
    CHECK(f.delivered);
    CHECK(f.delivered_to == std::vector<std::string>{"b"});
  }
}

TEST_CASE("security: forged transmits drop what the guest sends, MAC changes what it receives") {
  Lab lab(2, 1, 1000.0);
  auto& pg = lab.port_group("web", 100);
  pg.security.forged_transmits = false;
  pg.security.mac_changes = false;
  auto& a = lab.vm("a", "web", ip(10, 0, 0, 1));
  Lab::flow(a, "b", 10.0);
  auto& b = lab.vm("b", "web", ip(10, 0, 0, 2));
  Lab::flow(b, "a", 10.0);
  SUBCASE("the sender changed its MAC") {
    lab.config.vms[0].nics[0].effective_mac = 0x005056aa0001ull;
    Run run(lab, {0, 1});
    const auto f = run.model->flow(0, 0);
    CHECK_FALSE(f.delivered);
    CHECK(f.cause.find("forged transmits") != std::string::npos);
    // Its inbound frames are dropped too (MAC address changes rejected).
    const auto back = run.model->flow(1, 0);
    CHECK_FALSE(back.delivered);
    CHECK(back.cause.find("MAC address changes") != std::string::npos);
  }
  SUBCASE("accepting both, the same guests talk") {
    lab.config.network.port_groups[0].security.forged_transmits = true;
    lab.config.network.port_groups[0].security.mac_changes = true;
    lab.config.vms[0].nics[0].effective_mac = 0x005056aa0001ull;
    Run run(lab, {0, 1});
    CHECK(run.model->flow(0, 0).delivered);
    CHECK(run.model->flow(1, 0).delivered);
  }
}

TEST_CASE("an upstream failure: link status keeps using the uplink, beacon probing fails it over") {
  // Four uplinks. "lnk" is explicit failover on vmnic1 (standby vmnic0) with link status;
  // "bcn" is port ID over all four with beacon probing. At 600 s the path behind vmnic1
  // breaks and its link stays up.
  Lab lab(2, 4, 10000.0);
  auto& lnk = lab.port_group("lnk", 100);
  lnk.teaming.policy = TeamingPolicy::explicit_order;
  lnk.teaming.active = std::vector<std::string>{"vmnic1"};
  lnk.teaming.standby = std::vector<std::string>{"vmnic0"};
  auto& bcn = lab.port_group("bcn", 100);
  bcn.teaming.detection = FailureDetection::beacon;
  Lab::flow(lab.vm("a", "lnk", ip(10, 0, 0, 1)), "c", 100.0);
  Lab::flow(lab.vm("b", "bcn", ip(10, 0, 0, 2)), "c", 100.0);
  lab.vm("c", "lnk", ip(10, 0, 0, 3));
  Run run(lab, {0, 0, 1});
  // b's port is the second port of esx01's vSwitch: port ID 1 -> vmnic1.
  CHECK(run.model->flow(0, 0).uplinks == std::vector<std::string>{"vmnic1"});
  CHECK(run.model->flow(1, 0).uplinks == std::vector<std::string>{"vmnic1"});
  run.until(600_s);
  run.model->set_upstream(0, "vmnic1", false);
  run.until(601_s);
  // Link status sees nothing: a's flow is lost behind vmnic1.
  const auto a = run.model->flow(0, 0);
  CHECK_FALSE(a.delivered);
  CHECK(a.cause.find("link status") != std::string::npos);
  CHECK(run.model->team_in_use(0, "lnk") == std::vector<std::string>{"vmnic1"});
  // Beacon probing has not decided yet (3 s of missed beacons).
  CHECK(run.model->team_in_use(0, "bcn") == std::vector<std::string>{"vmnic0", "vmnic1", "vmnic2", "vmnic3"});
  run.until(604_s);
  CHECK(run.model->team_in_use(0, "bcn") == std::vector<std::string>{"vmnic0", "vmnic2", "vmnic3"});
  // Port ID 1 over three uplinks: vmnic2.
  const auto b = run.model->flow(1, 0);
  CHECK(b.delivered);
  CHECK(b.uplinks == std::vector<std::string>{"vmnic2"});
  // A link failure, by contrast, link status sees at once: standby vmnic0 takes the slot.
  run.model->set_link(0, "vmnic1", false);
  run.until(605_s);
  CHECK(run.model->team_in_use(0, "lnk") == std::vector<std::string>{"vmnic0"});
  CHECK(run.model->flow(0, 0).delivered);
  // Failback: vmnic1 returns (link and path) and takes its slot back.
  run.model->set_upstream(0, "vmnic1", true);
  run.model->set_link(0, "vmnic1", true);
  run.until(606_s);
  CHECK(run.model->team_in_use(0, "lnk") == std::vector<std::string>{"vmnic1"});
}

TEST_CASE("beacon probing with two uplinks cannot tell which path broke and sends on both") {
  Lab lab(2, 2, 10000.0);
  auto& pg = lab.port_group("web", 100);
  pg.teaming.detection = FailureDetection::beacon;
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 100.0);
  lab.vm("b", "web", ip(10, 0, 0, 2));
  Run run(lab, {0, 1});
  run.model->set_upstream(0, "vmnic0", false);
  run.until(10_s);
  const auto f = run.model->flow(0, 0);
  CHECK(f.uplinks == std::vector<std::string>{"vmnic0", "vmnic1"});
  CHECK(f.delivered);
  // The frames go out on both uplinks.
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(100.0));
  CHECK(run.model->uplink_tx(0, "vmnic1") == doctest::Approx(100.0));
}

TEST_CASE("shaping: the peak while the burst lasts, then the average") {
  // Average 100 Mbps, peak 200, burst 100 MiB = 838.8608 Mbit. Demand 300: the port sends
  // 200, draining the bucket at 200 - 100 = 100 Mbps, so for 8.388608 s; then 100.
  Lab lab(2, 1, 10000.0);
  auto& pg = lab.port_group("web", 100);
  pg.shaping = ShapingConfig{100.0, 200.0, 100.0};
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 300.0);
  lab.vm("b", "web", ip(10, 0, 0, 2));
  Run run(lab, {0, 1});
  CHECK(run.model->flow(0, 0).rate_mbps == doctest::Approx(200.0));
  run.until(8_s);
  CHECK(run.model->flow(0, 0).rate_mbps == doctest::Approx(200.0));
  run.until(9_s);
  CHECK(run.model->flow(0, 0).rate_mbps == doctest::Approx(100.0));
}

TEST_CASE("load-based teaming moves the busiest port off an uplink busy at 75% for 30 s") {
  // A distributed switch, two 1,000 Mbps uplinks. Ports 0 and 2 start on vmnic0 (port ID
  // mod 2): 500 + 400 = 900 Mbps, 90%. Port 1 sends 100 on vmnic1. After 30 s the 500 Mbps
  // port moves to vmnic1 (100 + 500 = 600 <= 750).
  Lab lab(2, 2, 1000.0);
  lab.config.network.vswitches[0].kind = SwitchKind::distributed;
  lab.config.network.vswitches[0].teaming.policy = TeamingPolicy::load_based;
  lab.port_group("web", 100);
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "z", 500.0);
  Lab::flow(lab.vm("b", "web", ip(10, 0, 0, 2)), "z", 100.0);
  Lab::flow(lab.vm("c", "web", ip(10, 0, 0, 3)), "z", 400.0);
  lab.vm("z", "web", ip(10, 0, 0, 9));
  Run run(lab, {0, 0, 0, 1});
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(900.0));
  CHECK(run.model->uplink_tx(0, "vmnic1") == doctest::Approx(100.0));
  run.until(29_s);
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(900.0));
  run.until(31_s);
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(400.0));
  CHECK(run.model->uplink_tx(0, "vmnic1") == doctest::Approx(600.0));
  CHECK(run.model->flow(0, 0).uplinks == std::vector<std::string>{"vmnic1"});
}

TEST_CASE("two vSwitches of one host reach each other only through the physical network") {
  // vSwitch0 on vmnic0, vSwitch1 on vmnic1: a frame from a (vSwitch0) to b (vSwitch1) on
  // the same host leaves by vmnic0 and comes back in by vmnic1.
  Lab lab(1, 2, 1000.0);
  auto& sw0 = lab.config.network.vswitches[0];
  sw0.uplinks = {"vmnic0"};
  sw0.teaming.active = {"vmnic0"};
  VSwitchConfig sw1 = sw0;
  sw1.name = "vSwitch1";
  sw1.uplinks = {"vmnic1"};
  sw1.teaming.active = {"vmnic1"};
  lab.config.network.vswitches.push_back(sw1);
  lab.port_group("web", 100);
  lab.port_group("web1", 100).vswitch = "vSwitch1";
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 250.0);
  lab.vm("b", "web1", ip(10, 0, 0, 2));
  Run run(lab, {0, 0});
  const auto f = run.model->flow(0, 0);
  CHECK(f.delivered);
  CHECK(f.uplinks == std::vector<std::string>{"vmnic0"});
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(250.0));
  CHECK(run.model->uplink_rx(0, "vmnic1") == doctest::Approx(250.0));
}

TEST_CASE("a promiscuous port sees the frames of its vSwitch and VLAN addressed to others") {
  Lab lab(1, 1, 1000.0);
  lab.port_group("web", 100);
  lab.port_group("mon", 100).security.promiscuous = true;
  lab.port_group("other", 200).security.promiscuous = true;
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 5.0);
  lab.vm("b", "web", ip(10, 0, 0, 2));
  lab.vm("sniffer", "mon", ip(10, 0, 0, 3));
  lab.vm("elsewhere", "other", ip(10, 0, 1, 3));
  Run run(lab, {0, 0, 0, 0});
  CHECK(run.model->flow(0, 0).delivered_to == std::vector<std::string>{"b", "sniffer"});
}

TEST_CASE("a flow to an endpoint or an unknown address leaves by the team's uplink") {
  Lab lab(1, 2, 1000.0);
  lab.port_group("web", 100);
  lab.config.network.physical.endpoints.push_back({"backup", ip(10, 0, 9, 20), ""});
  auto& a = lab.vm("a", "web", ip(10, 0, 0, 1));
  Lab::flow(a, "backup", 400.0, FlowTargetKind::endpoint);
  FlowConfig outside;
  outside.to = "192.168.100.120";
  outside.kind = FlowTargetKind::address;
  outside.address = ip(192, 168, 100, 120);
  outside.rate.mbps = 10.0;
  a.flows.push_back(outside);
  Run run(lab, {0});
  const auto e = run.model->flow(0, 0);
  CHECK(e.delivered);
  CHECK(e.delivered_to == std::vector<std::string>{"backup"});
  const auto o = run.model->flow(0, 1);
  CHECK(o.delivered);
  CHECK(o.delivered_to == std::vector<std::string>{"192.168.100.120 (outside)"});
  // Port ID 0 over two uplinks: vmnic0 carries both.
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(410.0));
}

TEST_CASE("an IP-hash team picks by the full XOR, or by the last octets with Net.IpHashVariant") {
  // 192.168.1.10 to 10.0.0.5 over three uplinks: full XOR 0xCAA8010F mod 3 = 2 (vmnic2);
  // last octets 10 XOR 5 = 15, mod 3 = 0 (vmnic0).
  Lab lab(2, 3, 10000.0);
  lab.config.network.vswitches[0].teaming.policy = TeamingPolicy::ip_hash;
  lab.port_group("web", 100);
  Lab::flow(lab.vm("a", "web", ip(192, 168, 1, 10)), "b", 10.0);
  lab.vm("b", "web", ip(10, 0, 0, 5));
  SUBCASE("full XOR (the default)") {
    Run run(lab, {0, 1});
    CHECK(run.model->flow(0, 0).uplinks == std::vector<std::string>{"vmnic2"});
  }
  SUBCASE("last octet") {
    lab.config.hosts[0].advanced["Net.IpHashVariant"] = 1.0;
    Run run(lab, {0, 1});
    CHECK(run.model->flow(0, 0).uplinks == std::vector<std::string>{"vmnic0"});
  }
}

TEST_CASE("a transfer between hosts takes what the links leave it, and ends when its bytes are across") {
  // 1,000 Mbps uplinks; a VM flow of 400 Mbps from esx01 to esx02 shares esx01's uplink
  // with a 100 MiB transfer (838.8608 Mbit): max-min gives the flow its 400 and the
  // transfer the other 600, so it takes 838.8608 / 600 = 1.398 s. Then the link is the
  // flow's alone again.
  Lab lab(2, 1, 1000.0);
  lab.port_group("web", 100);
  Lab::flow(lab.vm("a", "web", ip(10, 0, 0, 1)), "b", 400.0);
  lab.vm("b", "web", ip(10, 0, 0, 2));
  Run run(lab, {0, 1});
  double took = -1.0;
  run.model->on_transfer_done([&](std::uint64_t, double seconds) { took = seconds; });
  const auto id = run.model->start_transfer("vmotion", "a", 0, 1, 100.0);
  run.model->settle();
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(1000.0));
  CHECK(run.model->flow(0, 0).rate_mbps == doctest::Approx(400.0));
  run.until(10_s);
  REQUIRE(run.model->transfer_seconds(id).has_value());
  CHECK(*run.model->transfer_seconds(id) == doctest::Approx(838.8608 / 600.0).epsilon(1e-6));
  CHECK(took == doctest::Approx(838.8608 / 600.0).epsilon(1e-6));
  CHECK(run.model->uplink_tx(0, "vmnic0") == doctest::Approx(400.0));
}
