// The storage area: vSAN failures, device errors and rebuilds (models/storage/storage_model.hpp).
#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "storage_model.hpp"
#include "vdc/models/network/network_area.hpp"

namespace vdc::models::storage::detail {

bool StorageArea::lose_pieces(Object& obj, HostId host) {
  bool hit = false;
  for (Piece& p : obj.pieces) {
    if (p.host == host && p.alive) {
      p.alive = false;
      hit = true;
    }
  }
  return hit;
}

void StorageArea::device_error(HostId host) {
  for (std::size_t i = 0; i < datastores_.size(); ++i) {
    Datastore& d = datastores_[i];
    if (d.cfg->kind != DatastoreKind::vsan || !d.mounts[host] || !d.device_ok[host]) continue;
    d.device_ok[host] = 0;
    for (std::size_t o = 0; o < objects_.size(); ++o) {
      Object& obj = objects_[o];
      if (!obj.exists || obj.ds != i || !lose_pieces(obj, host)) continue;
      ++obj.epoch;
      obj.waiting = false;
      event(obj, "degraded", fmt::format("a capacity device of host {} failed; rebuild at once", config_.hosts[host].name));
      rebuild(o);
    }
    space_changed(i);
    mark(i);
  }
}

void StorageArea::rebuild(std::size_t o) {
  Object& obj = objects_[o];
  Datastore& d = datastores_[obj.ds];
  const int limit = d.cfg->architecture == VsanArchitecture::esa ? kEsaComponentsPerHost : kOsaComponentsPerHost;
  std::optional<HostId> source;
  for (std::size_t p = 0; p < obj.pieces.size(); ++p) {
    if (obj.pieces[p].alive && !obj.is_witness(p)) {
      source = obj.pieces[p].host;
      break;
    }
  }
  bool any_missing = false;
  for (std::size_t p = 0; p < obj.pieces.size(); ++p) {
    Piece& piece = obj.pieces[p];
    if (piece.alive || piece.rebuilding) continue;
    any_missing = true;
    if (!source) break;  // nothing to copy from: the object is lost until a host returns
    const double raw = obj.piece_raw(p);
    const int comps = obj.piece_components(p);
    std::optional<HostId> spare;
    for (HostId h = 0; h < d.mounts.size(); ++h) {
      if (!d.mounts[h] || !ctx_.state.hosts[h].up || !d.device_ok[h]) continue;
      const bool holds = std::any_of(obj.pieces.begin(), obj.pieces.end(), [&](const Piece& q) { return q.host == h; });
      if (holds || d.cfg->capacity_per_host_gib - d.host_raw[h] + 1e-9 < raw || d.host_components[h] + comps > limit) continue;
      if (!spare || d.host_raw[h] < d.host_raw[*spare]) spare = h;
    }
    if (!spare) continue;
    piece.rebuilding = true;
    d.host_raw[*spare] += raw;
    d.host_components[*spare] += comps;
    const Rebuild r{o, p, *source, *spare, raw};
    if (raw > 0.0) {
      event(obj, "rebuilding", fmt::format("{:.1f} GiB from {} to {}", raw, config_.hosts[*source].name, config_.hosts[*spare].name));
    }
    start_transfer(r);
  }
  if (any_missing) space_changed(obj.ds);
  if (any_missing && obj.state() == "reduced_availability") {
    event(obj, "reduced_availability", "no host of the cluster can take the missing components");
  }
}

void StorageArea::start_transfer(const Rebuild& r) {
  const Object& obj = objects_[r.object];
  if (r.gib <= 0.0) {  // a witness, or nothing written yet: metadata only
    rebuilt(r);
    return;
  }
  if (network_) {
    const std::uint64_t id = ++transfer_id_;
    transfers_.emplace(id, r);
    ctx_.signals.get<network::TransferRequest>().emit(network::TransferRequest{
        id, r.from, r.to, r.gib * 1024.0, "resync", fmt::format("{}/{}", config_.vms[obj.vm].name, object_label(obj))});
    return;
  }
  // Without a network in the scenario: the slower of the two hosts' fastest NICs.
  const double mbps = std::min(fastest_nic_mbps(r.from), fastest_nic_mbps(r.to));
  const double seconds = r.gib * 1024.0 * 8.0 * kMiB / 1e6 / mbps;
  ctx_.sim.at(ctx_.sim.now() + sim::Time::from_seconds(seconds), [this, r] { rebuilt(r); });
}

double StorageArea::fastest_nic_mbps(HostId h) const {
  double best = 0.0;
  for (const NicConfig& n : config_.hosts[h].nics) best = std::max(best, n.speed_mbps);
  return best > 0.0 ? best : 10000.0;
}

void StorageArea::rebuilt(const Rebuild& r) {
  Object& obj = objects_[r.object];
  Datastore& d = datastores_[obj.ds];
  Piece& piece = obj.pieces[r.piece];
  if (!obj.exists) {
    d.host_raw[r.to] -= r.gib;
    d.host_components[r.to] -= obj.piece_components(r.piece);
    return;
  }
  // The stale component on the old host is discarded.
  d.host_raw[piece.host] -= obj.piece_raw(r.piece);
  d.host_components[piece.host] -= obj.piece_components(r.piece);
  piece.host = r.to;
  piece.alive = true;
  piece.rebuilding = false;
  d.resync_gib += r.gib;
  event(obj, std::string(obj.state()),
        r.gib > 0.0 ? fmt::format("{:.1f} GiB resynchronised on {}", r.gib, config_.hosts[r.to].name)
                    : fmt::format("{} recreated on {}", obj.is_witness(r.piece) ? "witness" : "empty component",
                                  config_.hosts[r.to].name));
  space_changed(obj.ds);
}

std::string StorageArea::object_label(const Object& o) const {
  switch (o.kind) {
    case ObjectKind::namespace_: return "namespace";
    case ObjectKind::swap: return "swap";
    case ObjectKind::disk:
    case ObjectKind::delta: {
      const auto& disks = vms_[o.vm].disks;
      for (std::size_t k = 0; k < disks.size(); ++k) {
        if (disks_[disks[k]].object && &objects_[*disks_[disks[k]].object] == &o) return fmt::format("disk{}", k + 1);
      }
      return o.kind == ObjectKind::delta ? "delta" : "disk";
    }
  }
  return "";
}

void StorageArea::event(const Object& o, const std::string& what, const std::string& detail) {
  events_.add(ctx_.sim.now().seconds());
  events_.add(std::string(datastores_[o.ds].cfg->name));
  events_.add(std::string(config_.vms[o.vm].name));
  events_.add(object_label(o));
  events_.add(what);
  events_.add(detail);
}

}  // namespace vdc::models::storage::detail
