// The network area's parameters (`vdcsim describe network`): the constants the reference
// leaves unconfirmed, with their defaults, and the one advanced setting it honours.
#include "network_parameters.hpp"

#include <array>

namespace vdc::models::network {
namespace {

using U = ParameterUnit;

constexpr ModelParameter model(std::string_view name, ParameterUnit unit, double def, double lo, double hi,
                               std::string_view help, std::string_view reference) {
  return {"network", name, ParameterScope::model, unit, def, lo, hi, help, reference};
}

constexpr std::array<std::string_view, 2> ip_hash_variants{"full_xor", "last_octet"};

constexpr std::array parameters{
    model("network.beacon_detect", U::seconds, 3.0, 1.0, 60.0,
          "beacon probing: how long after a path breaks (or returns) the team acts on the missed (or heard) "
          "beacons; beacons go out every second",
          "A.6 beacons every second [V: N9]; UNCONFIRMED: the number of missed beacons (3)"),
    model("network.lbt_interval", U::seconds, 30.0, 1.0, 600.0,
          "load-based teaming: how often uplinks are checked, and how long one must stay busy before a port moves",
          "A.5.4 [V: N7 5.5 and 7.0]"),
    model("network.lbt_threshold", U::fraction, 0.75, 0.01, 1.0,
          "load-based teaming: the share of an uplink's speed (transmit or receive) that counts as busy",
          "A.5.4 [V: N7]"),
    model("network.standard_mac_changes", U::none, 1.0, 0.0, 1.0,
          "security default of a standard switch's port group that does not say: 1 accepts MAC address changes",
          "A.3 UNCONFIRMED: VSS defaults commonly Promiscuous reject, MAC changes accept, Forged accept"),
    model("network.standard_forged_transmits", U::none, 1.0, 0.0, 1.0,
          "security default of a standard switch's port group: 1 accepts forged transmits",
          "A.3 UNCONFIRMED (as above)"),
    model("network.distributed_mac_changes", U::none, 0.0, 0.0, 1.0,
          "security default of a distributed port group: 0 rejects MAC address changes",
          "A.3 UNCONFIRMED: VDS defaults commonly all reject"),
    model("network.distributed_forged_transmits", U::none, 0.0, 0.0, 1.0,
          "security default of a distributed port group: 0 rejects forged transmits", "A.3 UNCONFIRMED (as above)"),
    model("network.trace_kbps_to_mbps", U::none, 8.0 * 1024.0 / 1e6, 1e-6, 1.0,
          "Mbps per KB/s of a Bitbrains network column (net_rx_kbps, net_tx_kbps); 1 KB = 1024 bytes",
          "UNCONFIRMED: the traces' SOURCE.txt says KB/s without saying the KB"),
    ModelParameter{"network", "Net.IpHashVariant", ParameterScope::advanced, U::none, 0.0, 0.0, 1.0,
                   "IP-hash teaming: 0 (full_xor) hashes the full 32-bit XOR of the two addresses modulo the active "
                   "uplinks; 1 (last_octet) XORs their last octets",
                   "A.5.3 [V: N1 last octet; V: N2, T: N3 full XOR]; the same for 1, 2, 4, 8 uplinks",
                   ip_hash_variants},
};

}  // namespace

std::span<const ModelParameter> network_parameters() { return parameters; }

}  // namespace vdc::models::network
