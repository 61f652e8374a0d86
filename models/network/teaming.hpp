#pragma once
// NIC teaming (reference A.5, A.6): the uplink a team picks for a port or a frame, and the
// team's active list as uplinks fail and return. Pure functions and a small state machine,
// tested by hand in tests/network/test_teaming.cpp.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "vdc/models/network_config.hpp"

namespace vdc::models::network {

/// Which reading of "IP hash" a host uses (`Net.IpHashVariant`, reference A.5.3 and E):
/// the full 32-bit XOR of the two addresses modulo the active uplinks, or the XOR of their
/// last octets. Both agree for 1, 2, 4, 8, ... uplinks.
enum class IpHashVariant { full_xor = 0, last_octet = 1 };

/// What a selection function reads of a frame and its port.
struct FrameKey {
  std::uint32_t port_id = 0;  ///< the virtual port of the vNIC on its switch
  std::uint64_t mac = 0;      ///< the source MAC (48 bits)
  std::uint32_t src_ip = 0;   ///< 0 for a vNIC without an address (the bits where it would be)
  std::uint32_t dst_ip = 0;
};

/// Index into `active` (non-empty) that `policy` picks (reference A.5): port ID, source MAC
/// and IP hash modulo |active| (the modulo is what the reference marks unconfirmed for port
/// ID and MAC hash), explicit failover order the first. Load-based teaming places a port
/// as port ID does; the team moves it later (NetworkModel's LBT check).
[[nodiscard]] std::size_t select_index(TeamingPolicy policy, const FrameKey& frame, std::size_t active,
                                       IpHashVariant variant = IpHashVariant::full_xor);

/// The IP-hash value before the modulo: src XOR dst (full), or their last octets XORed.
[[nodiscard]] std::uint32_t ip_hash(std::uint32_t src, std::uint32_t dst, IpHashVariant variant);

/// A team's active list as its uplinks fail and return (reference A.6). Uplinks are named
/// by the caller's indices. A failed active slot is taken by the first usable standby not
/// already in use, in standby order. With failback, an active uplink that returns takes its
/// slot back at once (the standby that held it steps back); without failback (rolling
/// order), it waits as a standby until another uplink fails.
class TeamState {
 public:
  TeamState(std::vector<int> active, std::vector<int> standby, bool failback);

  /// Recomputes the slots for `usable` (usable[u]: uplink u passes failure detection).
  /// Returns true when the list of uplinks in use changed.
  bool update(std::span<const std::uint8_t> usable);
  /// The uplinks in use, in slot order (failed slots with no standby left out).
  [[nodiscard]] const std::vector<int>& in_use() const { return in_use_; }

 private:
  std::vector<int> active_;
  std::vector<int> standby_;
  bool failback_;
  std::vector<int> slots_;       // per active slot: the uplink in it, -1: empty
  std::vector<int> in_use_;
};

}  // namespace vdc::models::network
