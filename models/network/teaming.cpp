// NIC teaming: models/network/teaming.hpp.
#include "teaming.hpp"

#include <algorithm>
#include <functional>

namespace vdc::models::network {

std::uint32_t ip_hash(std::uint32_t src, std::uint32_t dst, IpHashVariant variant) {
  if (variant == IpHashVariant::last_octet) return (src & 0xFFu) ^ (dst & 0xFFu);
  return src ^ dst;
}

std::size_t select_index(TeamingPolicy policy, const FrameKey& frame, std::size_t active, IpHashVariant variant) {
  if (active == 0) return 0;
  switch (policy) {
    case TeamingPolicy::port_id:
    case TeamingPolicy::load_based: return frame.port_id % active;
    case TeamingPolicy::mac_hash: return static_cast<std::size_t>(frame.mac % active);
    case TeamingPolicy::ip_hash: return ip_hash(frame.src_ip, frame.dst_ip, variant) % active;
    case TeamingPolicy::explicit_order: return 0;
  }
  return 0;
}

TeamState::TeamState(std::vector<int> active, std::vector<int> standby, bool failback)
    : active_(std::move(active)), standby_(std::move(standby)), failback_(failback), slots_(active_.size(), -1) {}

bool TeamState::update(std::span<const std::uint8_t> usable) {
  const auto ok = [&](int u) { return u >= 0 && static_cast<std::size_t>(u) < usable.size() && usable[static_cast<std::size_t>(u)] != 0; };
  const auto placed = [&](int u) { return std::find(slots_.begin(), slots_.end(), u) != slots_.end(); };
  if (failback_) {
    // Every active uplink that is usable holds its own slot (a returning one displaces the
    // standby that stood in for it); a standby already standing in for another failed slot
    // stays there; a slot still empty takes the first usable standby not in use.
    const std::vector<int> before = slots_;
    std::fill(slots_.begin(), slots_.end(), -1);
    for (std::size_t i = 0; i < active_.size(); ++i) {
      if (ok(active_[i])) slots_[i] = active_[i];
    }
    for (std::size_t i = 0; i < active_.size(); ++i) {
      if (slots_[i] < 0 && ok(before[i]) && !placed(before[i])) slots_[i] = before[i];
    }
    for (std::size_t i = 0; i < active_.size(); ++i) {
      if (slots_[i] >= 0) continue;
      for (const int s : standby_) {
        if (ok(s) && !placed(s)) {
          slots_[i] = s;
          break;
        }
      }
    }
  } else {
    // Rolling order: an occupant that is still usable keeps its slot; an empty slot takes
    // the first usable uplink waiting, the configured active ones first, then the standbys.
    for (int& s : slots_) {
      if (!ok(s)) s = -1;
    }
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i] >= 0) continue;
      if (ok(active_[i]) && !placed(active_[i])) {
        slots_[i] = active_[i];
        continue;
      }
      for (const auto& list : {std::cref(active_), std::cref(standby_)}) {
        for (const int s : list.get()) {
          if (slots_[i] < 0 && ok(s) && !placed(s)) slots_[i] = s;
        }
      }
    }
  }
  std::vector<int> now;
  for (const int s : slots_) {
    if (s >= 0) now.push_back(s);
  }
  const bool changed = now != in_use_;
  in_use_ = std::move(now);
  return changed;
}

}  // namespace vdc::models::network
