// NIC teaming by hand (reference A.5, A.6): the selection functions, including an IP-hash
// case computed by hand for both published readings, and the failover order with and
// without failback.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <vector>

#include "teaming.hpp"

using namespace vdc::models;
using namespace vdc::models::network;

namespace {

std::vector<int> after(TeamState& t, std::array<std::uint8_t, 4> usable) {
  t.update(usable);
  return t.in_use();
}

}  // namespace

TEST_CASE("IP hash: the full 32-bit XOR modulo the uplinks, and the last-octet reading") {
  // 192.168.1.10 = 0xC0A8010A, 10.0.0.5 = 0x0A000005; XOR = 0xCAA8010F = 3,400,007,951.
  const std::uint32_t src = 0xC0A8010Au, dst = 0x0A000005u;
  CHECK(ip_hash(src, dst, IpHashVariant::full_xor) == 0xCAA8010Fu);
  CHECK(ip_hash(src, dst, IpHashVariant::last_octet) == 0x0Fu);
  const FrameKey frame{.port_id = 0, .mac = 0, .src_ip = src, .dst_ip = dst};
  // Three uplinks: 3,400,007,951 mod 3 = 2 (digit sum 29), but 15 mod 3 = 0: the readings differ.
  CHECK(select_index(TeamingPolicy::ip_hash, frame, 3, IpHashVariant::full_xor) == 2);
  CHECK(select_index(TeamingPolicy::ip_hash, frame, 3, IpHashVariant::last_octet) == 0);
  // Four uplinks: both give 3 (reference A.5.3: they agree for powers of two).
  CHECK(select_index(TeamingPolicy::ip_hash, frame, 4, IpHashVariant::full_xor) == 3);
  CHECK(select_index(TeamingPolicy::ip_hash, frame, 4, IpHashVariant::last_octet) == 3);
  // The hash is symmetric: the reply takes the same uplink.
  const FrameKey reply{.port_id = 0, .mac = 0, .src_ip = dst, .dst_ip = src};
  CHECK(select_index(TeamingPolicy::ip_hash, reply, 3) == 2);
}

TEST_CASE("port ID and MAC hash take the value modulo the active uplinks; explicit order the first") {
  const FrameKey frame{.port_id = 5, .mac = 0x005056000007ull, .src_ip = 0, .dst_ip = 0};
  CHECK(select_index(TeamingPolicy::port_id, frame, 4) == 1);    // 5 mod 4
  CHECK(select_index(TeamingPolicy::load_based, frame, 4) == 1); // placed as port ID
  CHECK(select_index(TeamingPolicy::mac_hash, frame, 3) == 0x005056000007ull % 3);
  CHECK(select_index(TeamingPolicy::explicit_order, frame, 4) == 0);
}

TEST_CASE("a failed active slot is taken by the standbys in order; failback gives it back") {
  // active vmnic0, vmnic1; standby vmnic2, vmnic3.
  TeamState t({0, 1}, {2, 3}, true);
  CHECK(after(t, {1, 1, 1, 1}) == std::vector<int>{0, 1});
  CHECK(after(t, {0, 1, 1, 1}) == std::vector<int>{2, 1});
  CHECK(after(t, {0, 0, 1, 1}) == std::vector<int>{2, 3});
  // vmnic0 returns: it takes slot 0 back at once and vmnic2 steps back.
  CHECK(after(t, {1, 0, 1, 1}) == std::vector<int>{0, 3});
  // Nothing usable: the team has no uplink.
  CHECK(after(t, {0, 0, 0, 0}).empty());
}

TEST_CASE("without failback a returning uplink waits until another fails (rolling order)") {
  TeamState t({0, 1}, {2, 3}, false);
  CHECK(after(t, {1, 1, 1, 1}) == std::vector<int>{0, 1});
  CHECK(after(t, {0, 1, 1, 1}) == std::vector<int>{2, 1});
  // vmnic0 is back, but vmnic2 keeps its slot.
  CHECK(after(t, {1, 1, 1, 1}) == std::vector<int>{2, 1});
  // vmnic2 fails: the slot goes to the waiting vmnic0 (a configured active uplink first).
  CHECK(after(t, {1, 1, 0, 1}) == std::vector<int>{0, 1});
}
