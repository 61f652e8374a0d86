#pragma once
/// The network part of a scenario (docs/scenario.md "Networks"), as plain data: virtual
/// switches with their uplinks and teaming, port groups, the physical topology, each VM's
/// virtual NICs and its flows. The loader fills it and checks every name; resolve_ids turns
/// the names into indices. The rules the network area applies to it are in
/// docs/network.md, from reference section A.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vdc/sim/time.hpp"

namespace vdc::models {

enum class SwitchKind { standard, distributed };

/// How a team picks an uplink for a port (reference A.5).
enum class TeamingPolicy { port_id, mac_hash, ip_hash, load_based, explicit_order };

/// How a team finds that an uplink can no longer carry traffic (reference A.6).
enum class FailureDetection { link_status, beacon };

/// A team: the policy, the uplinks in their roles (names of the host's NICs; an uplink of
/// the vSwitch in neither list is unused) and how failures are handled.
struct TeamingConfig {
  TeamingPolicy policy = TeamingPolicy::port_id;
  std::vector<std::string> active;  ///< in failover order
  std::vector<std::string> standby; ///< in the order they take failed active slots
  FailureDetection detection = FailureDetection::link_status;
  bool failback = true;
  bool notify_switches = true;
};

/// A port group's teaming: each key it sets overrides the vSwitch's.
struct TeamingOverride {
  std::optional<TeamingPolicy> policy;
  std::optional<std::vector<std::string>> active;
  std::optional<std::vector<std::string>> standby;
  std::optional<FailureDetection> detection;
  std::optional<bool> failback;
  std::optional<bool> notify_switches;
};

struct VSwitchConfig {
  std::string name;
  SwitchKind kind = SwitchKind::standard;
  std::vector<std::string> hosts;  ///< expanded host names (default: every host)
  std::vector<int> host_ids;       ///< resolved, one per entry of `hosts`
  std::vector<std::string> uplinks;
  TeamingConfig teaming;           ///< `active` filled with every uplink when not given
  int mtu = 1500;
};

/// Security policy of a port group (reference A.3); true = accept. Unset keys take the
/// switch kind's defaults (network.* parameters; reference marks them unconfirmed).
struct SecurityConfig {
  std::optional<bool> promiscuous;
  std::optional<bool> mac_changes;
  std::optional<bool> forged_transmits;
};

/// Traffic shaping of each port of a port group (reference A.4): average and peak in Mbps,
/// burst in MiB.
struct ShapingConfig {
  double average_mbps = 0.0;
  double peak_mbps = 0.0;
  double burst_mib = 0.0;
};

/// A VLAN range of a distributed port group's trunk (guest tagging on a distributed switch).
struct VlanRange {
  int first = 0;
  int last = 0;
};

struct PortGroupConfig {
  std::string name;
  std::string vswitch;
  int vswitch_id = -1;  ///< resolved
  /// 0: untagged (EST), 1-4094: the switch tags (VST), 4095: guest tagging (VGT) on a
  /// standard switch.
  int vlan = 0;
  std::vector<VlanRange> trunk;  ///< distributed: the VLANs a guest-tagging port carries
  SecurityConfig security;
  std::optional<ShapingConfig> shaping;
  TeamingOverride teaming;
};

/// A node of the physical topology.
enum class PhysicalNodeKind { switch_, router };

struct PhysicalNodeConfig {
  std::string name;
  PhysicalNodeKind kind = PhysicalNodeKind::switch_;
};

/// A link: each end is a node's name or a host NIC "esx01/vmnic0".
struct PhysicalLinkConfig {
  std::string from;
  std::string to;
  double speed_mbps = 0.0;  ///< 0: the NIC's speed where one end is a NIC
};

/// An address outside the datacenter's VMs (a backup target, a gateway).
struct EndpointConfig {
  std::string name;
  std::uint32_t ip = 0;
  std::string attach;  ///< a node of the topology; empty: reachable from every uplink
};

struct PhysicalConfig {
  std::vector<PhysicalNodeConfig> nodes;  ///< switches, then routers, as listed
  std::vector<PhysicalLinkConfig> links;
  std::vector<EndpointConfig> endpoints;
};

struct NetworkConfig {
  bool present = false;  ///< the scenario has `networks:`
  std::vector<VSwitchConfig> vswitches;
  std::vector<PortGroupConfig> port_groups;
  PhysicalConfig physical;
  bool has_physical = false;  ///< `networks.physical` given
};

/// A VM's virtual NIC.
struct VnicConfig {
  std::string port_group;
  int port_group_id = -1;  ///< resolved
  std::uint64_t mac = 0;   ///< the .vmx MAC (48 bits); the loader gives a stable 00:50:56 one
  std::optional<std::uint64_t> effective_mac;  ///< what the guest set, when it differs
  std::optional<std::uint32_t> ip;
  int guest_vlan = 0;      ///< the VLAN the guest tags (guest tagging only)
};

/// Where a flow goes (docs/scenario.md "Networks").
enum class FlowTargetKind { vm, endpoint, address, broadcast };

/// How a flow's demand moves over time, in Mbps.
enum class FlowRateKind { constant, on_off, diurnal, trace };

struct FlowRate {
  FlowRateKind kind = FlowRateKind::constant;
  double mbps = 0.0;              ///< constant; on_off: the rate while on; diurnal: the mean
  sim::Time on;                   ///< on_off: mean on period
  sim::Time off;                  ///< on_off: mean off period
  double amplitude = 0.0;         ///< diurnal, Mbps
  sim::Time peak;                 ///< diurnal: time of day of the peak
  sim::Time step = sim::Time::from_ns(300'000'000'000);  ///< diurnal: how often it changes
  std::string file;               ///< trace: a Bitbrains file ({i} substituted)
  std::string column;             ///< trace: net_tx_kbps | net_rx_kbps
  double scale = 1.0;             ///< trace: multiplies the column (after KB/s -> Mbps)
};

struct FlowConfig {
  std::string to;
  FlowTargetKind kind = FlowTargetKind::vm;
  int target_id = -1;     ///< resolved: the VM or endpoint index
  std::uint32_t address = 0;  ///< address: the IPv4 address
  int nic = 0;            ///< the VM's NIC it leaves by
  FlowRate rate;
};

}  // namespace vdc::models
