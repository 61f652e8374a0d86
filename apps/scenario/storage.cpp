// The storage sections (docs/scenario.md "Storage"): `storage_policies:` (vSAN storage
// policies) and `datastores:` (VMFS, NFS, vSAN and vVols datastores with their devices and
// SIOC), read into ScenarioConfig::storage before the VMs, whose disks name them. The rules a
// file can break on its own are checked here, from reference section B; what a run decides
// (space, a policy against the hosts it has) is the storage area's.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "name_range.hpp"
#include "sections.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"
#include "vdc/sim/units.hpp"

namespace vdc::scenario::detail {

namespace {

using models::DatastoreKind;
using models::RaidLevel;

constexpr std::array<std::string_view, 5> policy_keys{"name", "ftt", "raid",
                                                      "object_space_reservation", "stripe_width"};
constexpr std::array<std::string_view, 4> default_policy_keys{"ftt", "raid",
                                                              "object_space_reservation",
                                                              "stripe_width"};
constexpr std::array<std::string_view, 15> datastore_keys{
    "name", "kind", "version", "capacity", "hosts", "device", "sioc", "locking", "export",
    "vaai_nas", "cluster", "architecture", "capacity_per_host", "flash", "default_policy"};
constexpr std::array<std::string_view, 6> device_keys{"iops", "bandwidth", "latency",
                                                      "queue_depth", "dsnro", "sector"};
constexpr std::array<std::string_view, 2> sioc_keys{"enabled", "threshold"};

constexpr KeySet policy_set{"storage_policy", "a storage policy", policy_keys};
constexpr KeySet default_policy_set{"vsan_default_policy", "a vSAN default policy",
                                    default_policy_keys};
constexpr KeySet datastore_set{"datastore", "a datastore", datastore_keys};
constexpr KeySet device_set{"storage_device", "a storage device", device_keys};
constexpr KeySet sioc_set{"sioc", "SIOC", sioc_keys};
constexpr std::array<const KeySet*, 5> policy_key_sets{&policy_set, &default_policy_set,
                                                       &datastore_set, &device_set, &sioc_set};
constexpr std::array<const KeySet*, 0> no_key_sets{};

constexpr std::array<Choice<DatastoreKind>, 4> kinds{{{"vmfs", DatastoreKind::vmfs},
                                                      {"nfs", DatastoreKind::nfs},
                                                      {"vsan", DatastoreKind::vsan},
                                                      {"vvols", DatastoreKind::vvols}}};
constexpr std::array<Choice<RaidLevel>, 3> raids{
    {{"1", RaidLevel::raid1}, {"5", RaidLevel::raid5}, {"6", RaidLevel::raid6}}};
constexpr std::array<Choice<models::VmfsLocking>, 2> lockings{
    {{"ats_only", models::VmfsLocking::ats_only}, {"ats_scsi", models::VmfsLocking::ats_scsi}}};
constexpr std::array<Choice<models::VsanArchitecture>, 2> architectures{
    {{"osa", models::VsanArchitecture::osa}, {"esa", models::VsanArchitecture::esa}}};
constexpr std::array<Choice<bool>, 2> flashes{{{"all", true}, {"hybrid", false}}};
constexpr std::array<Choice<int>, 2> vmfs_versions{{{"5", 5}, {"6", 6}}};
constexpr std::array<Choice<int>, 2> nfs_versions{{{"3", 3}, {"4.1", 41}}};
constexpr std::array<Choice<int>, 2> sectors{{{"512", 512}, {"4096", 4096}}};

/// 1 PiB in MiB: no datastore or disk of a scenario comes near it.
constexpr double max_storage_mib = 1024.0 * 1024.0 * 1024.0;
constexpr Bounds capacity_bounds{0.0, max_storage_mib, true,
                                 "expected a size above 0 and up to 1 PiB, like 10 TiB"};
constexpr Bounds iops_bounds{0.0, 1e9, true, "expected a number of commands per second above 0, like 20000"};
constexpr Bounds latency_bounds{0.0, 10.0, true, "expected a time above 0 and up to 10s, like 0.5ms"};
/// 1 TB/s, bytes per second.
constexpr double max_bandwidth_bytes_s = 1e12;
/// SIOC's manual congestion threshold (reference B.6).
constexpr double sioc_min_s = 0.010;
constexpr double sioc_max_s = 0.100;
/// Device Max Queue Depth and DSNRO: ESXi takes DSNRO from 1 to 256 (and never above the
/// device's queue depth, which the storage area applies).
constexpr std::int64_t max_queue_depth = 4096;
constexpr std::int64_t max_dsnro = 256;

std::string_view kind_name(DatastoreKind k) {
  switch (k) {
    case DatastoreKind::vmfs: return "VMFS";
    case DatastoreKind::nfs: return "NFS";
    case DatastoreKind::vsan: return "vSAN";
    case DatastoreKind::vvols: return "vVols";
  }
  return "";
}

/// One of `choices`, numbers ("1", "4.1") that a suggestion would not help with: a wrong
/// value is reported with the list only.
template <class E>
std::optional<E> read_listed(Sink& sink, std::string_view key, const Node& node,
                             std::span<const Choice<E>> choices, std::string_view expected) {
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  for (const Choice<E>& c : choices) {
    if (c.name == *text) return c.value;
  }
  bad_value(sink, key, node, expected);
  return std::nullopt;
}

/// "2 GBps", "500 MBps" (decimal bytes per second), or a bandwidth in bits ("16 Gbps"),
/// as bytes per second.
std::optional<double> read_bytes_per_second(Sink& sink, std::string_view key, const Node& node) {
  constexpr std::string_view expected =
      "expected bytes per second above 0 and up to 1 TBps, like 2 GBps, or bits like 16 Gbps";
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  constexpr std::array<std::pair<std::string_view, double>, 4> units{
      {{"KBps", 1e3}, {"MBps", 1e6}, {"GBps", 1e9}, {"TBps", 1e12}}};
  std::optional<double> bytes;
  for (const auto& [unit, factor] : units) {
    if (text->size() <= unit.size() || !text->ends_with(unit)) continue;
    std::string_view number(*text);
    number.remove_suffix(unit.size());
    while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
    if (ec != std::errc() || ptr != number.data() + number.size()) break;
    bytes = v * factor;
    break;
  }
  if (!bytes) {
    const auto bits = sim::parse_bandwidth(*text);
    if (bits.value) bytes = bits.value->value * 1e6 / 8.0;
  }
  if (!bytes || !std::isfinite(*bytes) || *bytes <= 0.0 || *bytes > max_bandwidth_bytes_s) {
    bad_value(sink, key, node, expected);
    return std::nullopt;
  }
  return bytes;
}

/// A policy's ftt, raid, object_space_reservation and stripe_width, and the rules between
/// ftt and raid (reference B.3); `raid_at` receives where the RAID level is written.
void read_policy_body(const MapView& m, models::StoragePolicyConfig& p, const Node*& raid_at) {
  const std::optional<std::int64_t> ftt = m.integer("ftt", 0, 3);
  assign(ftt, p.ftt);
  const Node* raid_node = m.get("raid");
  const std::optional<RaidLevel> raid =
      raid_node == nullptr ? std::nullopt
                           : read_listed<RaidLevel>(m.sink(), "raid", *raid_node, raids,
                                                    "expected 1 (mirroring), 5 or 6 (erasure coding)");
  assign(raid, p.raid);
  assign(m.fraction("object_space_reservation"), p.object_space_reservation);
  assign(m.integer("stripe_width", 1, 12), p.stripe_width);
  raid_at = raid ? m.get("raid") : nullptr;
  if (raid_at == nullptr || (m.get("ftt") != nullptr && !ftt)) return;
  if (p.raid == RaidLevel::raid5 && p.ftt != 1) {
    m.sink().error(raid_at->pos, fmt::format("RAID-5 with ftt {}", p.ftt),
                   "expected ftt 1: RAID-5 (3+1 parity) survives one failure; RAID-6 for ftt 2, "
                   "RAID-1 otherwise (reference B.3)");
  } else if (p.raid == RaidLevel::raid6 && p.ftt != 2) {
    m.sink().error(raid_at->pos, fmt::format("RAID-6 with ftt {}", p.ftt),
                   "expected ftt 2: RAID-6 (4+2 parity) survives two failures; RAID-5 for ftt 1, "
                   "RAID-1 otherwise (reference B.3)");
  }
}

void read_policy(Context& ctx, const Node& item) {
  const MapView m(ctx.sink, item, policy_set, "a storage_policies entry");
  if (!m.valid()) return;
  models::StoragePolicyConfig p;
  const Node* name = m.require("name", "expected a policy name like gold");
  std::optional<std::string> n;
  if (name != nullptr) n = read_name(ctx.sink, "name", *name);
  const Node* raid_at = nullptr;
  read_policy_body(m, p, raid_at);
  if (!n || !ctx.storage_policies.add(ctx.sink, *n, name->pos)) return;
  p.name = *n;
  ctx.config.storage.policies.push_back(std::move(p));
}

void read_storage_policies(Context& ctx, const Node& section) {
  if (read_sequence(ctx.sink, "storage_policies", section,
               "expected a sequence of {name, ftt, raid, object_space_reservation, stripe_width}") == nullptr) {
    return;
  }
  for (const Node& item : section.items) read_policy(ctx, item);
}

/// A key given on a datastore of a kind it does not apply to.
void wrong_kind(Sink& sink, const MapView& m, std::string_view key, DatastoreKind kind,
                std::string_view name, std::string_view applies) {
  if (const Entry* e = m.entry(key)) {
    sink.error(e->key_pos, fmt::format("'{}' on {} datastore '{}'", key, kind_name(kind), name),
               fmt::format("expected it on {} datastores only", applies));
  }
}

/// `version:` as the kind takes it: VMFS 5 or 6 (default 6), NFS 3 or 4.1 (default 3).
void read_version(Sink& sink, const MapView& m, models::DatastoreConfig& ds) {
  const Node* v = m.get("version");
  if (ds.kind == DatastoreKind::vmfs) {
    ds.version = 6;
    if (v != nullptr) assign(read_listed<int>(sink, "version", *v, vmfs_versions, "expected 5 or 6 on VMFS"), ds.version);
  } else if (ds.kind == DatastoreKind::nfs) {
    ds.version = 3;
    if (v != nullptr) assign(read_listed<int>(sink, "version", *v, nfs_versions, "expected 3 or 4.1 on NFS"), ds.version);
  } else {
    ds.version = 0;
    wrong_kind(sink, m, "version", ds.kind, ds.name, "VMFS and NFS");
  }
}

void read_device(Sink& sink, const Node& node, models::DatastoreConfig& ds) {
  const MapView m(sink, node, device_set, "'device'");
  if (!m.valid()) return;
  models::StorageDeviceConfig& d = ds.device;
  assign(m.real("iops", iops_bounds), d.iops);
  if (const Node* v = m.get("bandwidth")) assign(read_bytes_per_second(sink, "bandwidth", *v), d.bandwidth_bytes_s);
  assign(m.duration("latency", latency_bounds), d.latency);
  assign(m.integer("queue_depth", 1, max_queue_depth), d.queue_depth);
  assign(m.integer("dsnro", 1, max_dsnro), d.dsnro);
  const Node* sector = m.get("sector");
  if (sector != nullptr) {
    assign(read_listed<int>(sink, "sector", *sector, sectors,
                            "expected 512 (512n or 512e) or 4096 (4Kn), the device's logical sector in bytes"),
           d.sector_bytes);
  }
  if (sector != nullptr && d.sector_bytes == 4096 && ds.kind == DatastoreKind::vmfs && ds.version == 5) {
    sink.error(sector->pos, "4Kn device (sector 4096) on VMFS 5",
               "expected VMFS 6 on a 4Kn device, or a 512-byte sector (512n or 512e): VMFS 5 "
               "does not support 4Kn devices (reference B.1)");
  }
}

void read_sioc(Sink& sink, const Node& node, models::SiocConfig& s) {
  const MapView m(sink, node, sioc_set, "'sioc'");
  if (!m.valid()) return;
  assign(m.boolean("enabled"), s.enabled);
  const Node* t = m.get("threshold");
  if (t == nullptr) return;
  if (t->is_scalar() && t->text == "auto") {
    s.automatic = true;
    return;
  }
  constexpr std::string_view expected =
      "expected auto or a time from 10ms to 100ms, SIOC's manual range (reference B.6)";
  const std::optional<sim::Time> threshold =
      read_duration(sink, "threshold", *t, Bounds{0.0, limits::max_duration_s, false, expected});
  if (!threshold) return;
  const double seconds = threshold->seconds();
  if (seconds < sioc_min_s - 1e-12 || seconds > sioc_max_s + 1e-12) {
    sink.error(t->pos, fmt::format("SIOC threshold {} outside 10-100 ms", t->text), expected);
    return;
  }
  s.threshold = *threshold;
}

/// The first datastore to mount each NFS export: its version, name and line.
struct ExportMount {
  int version = 0;
  std::string datastore;
  int line = 0;
};

std::string nfs_version_name(int version) { return version == 41 ? "4.1" : std::to_string(version); }

void read_nfs(Context& ctx, const MapView& m, models::DatastoreConfig& ds,
              std::map<std::string, ExportMount>& exports) {
  assign(m.boolean("vaai_nas"), ds.vaai_nas);
  const Node* e = m.get("export");
  if (e == nullptr) return;
  constexpr std::string_view expected = "expected server:/path, like filer01:/vol/ds01";
  const std::optional<std::string> text = read_text(ctx.sink, "export", *e, expected);
  if (!text) return;
  const std::size_t colon = text->find(":/");
  if (colon == std::string::npos || colon == 0) {
    bad_value(ctx.sink, "export", *e, expected);
    return;
  }
  ds.export_path = *text;
  const auto [it, fresh] = exports.try_emplace(*text, ExportMount{ds.version, ds.name, e->pos.line});
  if (!fresh && it->second.version != ds.version) {
    const Node* at = m.get("version") != nullptr ? m.get("version") : e;
    ctx.sink.error(at->pos,
                   fmt::format("NFS export '{}' mounted as NFS {} here and as NFS {} by datastore '{}' "
                               "at line {}",
                               *text, nfs_version_name(ds.version), nfs_version_name(it->second.version),
                               it->second.datastore, it->second.line),
                   "expected one NFS version per export: NFS 3 and 4.1 locks are incompatible and "
                   "mixing them risks corruption (reference B.2)");
  }
}

void read_vsan(Context& ctx, const MapView& m, models::DatastoreConfig& ds) {
  Sink& sink = ctx.sink;
  if (const Node* c = m.require("cluster", "expected the cluster whose hosts hold the vSAN datastore")) {
    if (ctx.clusters.resolve(sink, "cluster", *c)) ds.cluster = c->text;
  }
  if (const Entry* cap = m.entry("capacity")) {
    sink.error(cap->key_pos, fmt::format("'capacity' on vSAN datastore '{}'", ds.name),
               "expected capacity_per_host: a vSAN datastore's capacity is the sum of its hosts' "
               "capacity devices");
  }
  if (m.entry("capacity") == nullptr) {
    m.require("capacity_per_host", "expected the raw capacity of each host's capacity devices, like 15 TiB");
  }
  if (const std::optional<double> c = m.memory("capacity_per_host", capacity_bounds)) {
    ds.capacity_per_host_gib = *c / 1024.0;
  }
  assign(m.choice<models::VsanArchitecture>("architecture", architectures), ds.architecture);
  const Node* flash = m.get("flash");
  if (flash != nullptr && ds.architecture == models::VsanArchitecture::esa) {
    sink.error(m.entry("flash")->key_pos, fmt::format("'flash' on vSAN ESA datastore '{}'", ds.name),
               "expected it on OSA only: ESA is all-flash");
  } else {
    assign(m.choice<bool>("flash", flashes), ds.all_flash);
  }
  if (const Node* p = m.get("default_policy")) {
    const MapView pm(sink, *p, default_policy_set, "'default_policy'");
    const Node* raid_at = nullptr;
    if (pm.valid()) read_policy_body(pm, ds.default_policy, raid_at);
    if (raid_at != nullptr && ds.default_policy.raid != RaidLevel::raid1 && !ds.all_flash) {
      sink.error(raid_at->pos, "erasure coding needs all-flash",
                 fmt::format("expected RAID-1 on the hybrid vSAN datastore '{}': RAID-5 and "
                             "RAID-6 need all-flash disk groups (reference B.3)",
                             ds.name));
    }
  }
}

/// The datastore's `hosts:` (names and ranges, each once).
void read_datastore_hosts(Context& ctx, const Node& hosts, models::DatastoreConfig& ds) {
  if (read_sequence(ctx.sink, "hosts", hosts, "expected a sequence of host names, like [\"esx{01..04}\"]") == nullptr) {
    return;
  }
  for (const Node& ref : hosts.items) {
    for (const RangedName& n : read_names(ctx.sink, "hosts", ref)) {
      if (!ctx.hosts.resolve(ctx.sink, n.name, ref.pos)) continue;
      if (std::find(ds.hosts.begin(), ds.hosts.end(), n.name) != ds.hosts.end()) {
        ctx.sink.error(ref.pos, fmt::format("host '{}' listed twice", n.name), "expected each host once");
        continue;
      }
      ds.hosts.push_back(n.name);
    }
  }
}

void read_datastore(Context& ctx, const Node& item, std::map<std::string, ExportMount>& exports) {
  const MapView m(ctx.sink, item, datastore_set, "a datastores entry");
  if (!m.valid()) return;
  Sink& sink = ctx.sink;
  models::DatastoreConfig ds;
  const Node* name = m.require("name", "expected a datastore name like vmfs01");
  std::optional<std::string> n;
  if (name != nullptr) n = read_name(sink, "name", *name);
  const bool added = n && ctx.datastores.add(sink, *n, name->pos);
  if (n) ds.name = *n;
  assign(m.choice<DatastoreKind>("kind", kinds), ds.kind);
  read_version(sink, m, ds);
  const bool vsan = ds.kind == DatastoreKind::vsan;
  if (!vsan) {
    if (m.require("capacity", "expected the datastore's capacity, like 10 TiB") != nullptr) {
      if (const auto c = m.memory("capacity", capacity_bounds)) ds.capacity_gib = *c / 1024.0;
    }
    if (const Node* h = m.get("hosts")) read_datastore_hosts(ctx, *h, ds);
  } else if (const Entry* h = m.entry("hosts")) {
    sink.error(h->key_pos, fmt::format("'hosts' on vSAN datastore '{}'", ds.name),
               "expected its cluster: a vSAN datastore is mounted by its cluster's hosts");
  }
  if (const Node* d = m.get("device")) read_device(sink, *d, ds);
  if (const Node* s = m.get("sioc")) read_sioc(sink, *s, ds.sioc);
  if (ds.kind == DatastoreKind::vmfs) {
    assign(m.choice<models::VmfsLocking>("locking", lockings), ds.locking);
  } else {
    wrong_kind(sink, m, "locking", ds.kind, ds.name, "VMFS");
  }
  if (ds.kind == DatastoreKind::nfs) {
    read_nfs(ctx, m, ds, exports);
  } else {
    wrong_kind(sink, m, "export", ds.kind, ds.name, "NFS");
    wrong_kind(sink, m, "vaai_nas", ds.kind, ds.name, "NFS");
  }
  if (vsan) {
    read_vsan(ctx, m, ds);
  } else {
    for (std::string_view key : {"cluster", "architecture", "capacity_per_host", "flash", "default_policy"}) {
      wrong_kind(sink, m, key, ds.kind, ds.name, "vSAN");
    }
  }
  if (added) ctx.config.storage.datastores.push_back(std::move(ds));
}

/// datastores (needs hosts and clusters; read before the VMs).
void read_datastores(Context& ctx, const Node& section) {
  ctx.config.storage.present = true;
  if (read_sequence(ctx.sink, "datastores", section, "expected a sequence of datastores") == nullptr) return;
  std::map<std::string, ExportMount> exports;
  for (const Node& item : section.items) read_datastore(ctx, item, exports);
}

}  // namespace

extern const Section storage_policies_section;
constexpr Section storage_policies_section{"storage_policies", &read_storage_policies, policy_key_sets};
extern const Section datastores_section;
constexpr Section datastores_section{"datastores", &read_datastores, no_key_sets};

}  // namespace vdc::scenario::detail
