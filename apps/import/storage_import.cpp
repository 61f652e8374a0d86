// vDatastore into the scenario's `datastores:` and vDisk into each VM's `disks:`
// (docs/traces.md "RVTools import"). What cannot become part of a valid scenario is left
// out, and the summary says why.
#include "storage_import.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "import_names.hpp"
#include "vdc/io/text.hpp"
#include "vdc/models/storage/storage_area.hpp"

namespace vdc::import::detail {
namespace {

using io::iequals;
using io::trim;

/// The largest disk the loader takes on VMFS by default: the storage area's parameter
/// storage.vmfs_max_disk (an imported scenario sets no parameters).
double vmfs_max_disk_mib() {
  return models::storage::parameter(models::ScenarioConfig{}, models::storage::param_vmfs_max_disk) * 1024.0;
}

/// The datastore kind and version of RVTools' Type column (the vSphere API's
/// DatastoreSummary.type: VMFS, NFS, NFS41, vsan, VVOL), or nothing.
struct KindVersion {
  models::DatastoreKind kind;
  int version;
};
std::optional<KindVersion> kind_of(const std::string& type) {
  if (iequals(type, "VMFS")) return KindVersion{models::DatastoreKind::vmfs, 6};
  if (iequals(type, "NFS")) return KindVersion{models::DatastoreKind::nfs, 3};
  if (iequals(type, "NFS41")) return KindVersion{models::DatastoreKind::nfs, 41};
  if (iequals(type, "vsan")) return KindVersion{models::DatastoreKind::vsan, 0};
  if (iequals(type, "VVOL")) return KindVersion{models::DatastoreKind::vvols, 0};
  return std::nullopt;
}

/// The part of a vHost or vDatastore host name before the first '.' (not for an IP address).
std::string short_name(const std::string& name) {
  const bool ip = !name.empty() && name.find_first_not_of("0123456789.") == std::string::npos;
  return ip ? name : name.substr(0, name.find('.'));
}

/// The scenario host of a vDatastore host name: the same name, else the same short name.
std::optional<std::size_t> find_host(const std::vector<HostRow>& hosts, const std::string& name) {
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    if (iequals(hosts[h].name, name)) return h;
  }
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    if (iequals(short_name(hosts[h].name), short_name(name))) return h;
  }
  return std::nullopt;
}

/// One datastore row as a scenario datastore, or why it cannot be one.
void import_datastore(ImportedDatastore& d, const std::vector<HostRow>& hosts, ImportResult& r,
                      NameBook& names) {
  models::ScenarioConfig& config = r.config;
  const auto kv = kind_of(d.type);
  if (!kv) {
    d.left_out = d.type.empty() ? "no Type" : fmt::format("type '{}' is not modelled", d.type);
    return;
  }
  if (d.capacity_mib <= 0.0) {
    d.left_out = "capacity 0";
    return;
  }
  models::DatastoreConfig ds;
  ds.kind = kv->kind;
  ds.version = kv->version;
  if (ds.kind == models::DatastoreKind::vsan) {
    // vSAN needs its cluster: vDatastore's "Cluster name", a cluster of vHost.
    std::string cluster;
    int members = 0;
    for (std::size_t h = 0; h < hosts.size(); ++h) {
      if (!d.cluster.empty() && iequals(hosts[h].cluster, d.cluster)) {
        cluster = config.hosts[h].cluster;
        ++members;
      }
    }
    if (cluster.empty()) {
      d.left_out = d.cluster.empty()
                       ? "a vSAN datastore needs its cluster, and vDatastore names none"
                       : fmt::format("a vSAN datastore needs its cluster, and vDatastore's '{}' is "
                                     "not a cluster of vHost",
                                     d.cluster);
      return;
    }
    ds.cluster = cluster;
    // RVTools' capacity of a vSAN datastore is the cluster's raw capacity: shared evenly.
    ds.capacity_per_host_gib = d.capacity_mib / 1024.0 / members;
  } else {
    ds.capacity_gib = d.capacity_mib / 1024.0;
    if (ds.kind == models::DatastoreKind::vmfs && !d.major_version.empty()) {
      if (d.major_version == "5" || d.major_version == "6") {
        ds.version = d.major_version == "5" ? 5 : 6;
      } else {
        r.disks.notes.push_back(fmt::format(
            "datastore '{}': VMFS major version '{}' is not 5 or 6; imported as VMFS 6", d.name,
            d.major_version));
      }
    }
    // "Hosts": the hosts that mount it, comma-separated; none known: every host.
    std::vector<std::string> unknown;
    std::size_t pos = 0;
    while (pos < d.hosts.size()) {
      std::size_t comma = d.hosts.find(',', pos);
      if (comma == std::string::npos) comma = d.hosts.size();
      const std::string name(trim(std::string_view(d.hosts).substr(pos, comma - pos)));
      pos = comma + 1;
      if (name.empty()) continue;
      if (const auto h = find_host(hosts, name)) {
        if (std::find(ds.hosts.begin(), ds.hosts.end(), config.hosts[*h].name) == ds.hosts.end())
          ds.hosts.push_back(config.hosts[*h].name);
      } else {
        unknown.push_back(name);
      }
    }
    if (!unknown.empty()) {
      r.disks.notes.push_back(fmt::format(
          "datastore '{}': {} of its hosts not in vHost ({}){}", d.name, unknown.size(),
          fmt::join(unknown, ", "), ds.hosts.empty() ? "; mounted by every host" : ""));
    }
    if (ds.hosts.size() == config.hosts.size()) ds.hosts.clear();  // every host: the default
  }
  ds.name = names.add(d.name);
  d.scenario_name = ds.name;
  config.storage.datastores.push_back(std::move(ds));
}

/// "[ds] folder/file.vmdk" -> "ds"; nothing when the path is not of that form.
std::optional<std::string> datastore_of(const std::string& path) {
  const std::string_view p = trim(path);
  if (p.size() < 3 || p.front() != '[') return std::nullopt;
  const std::size_t close = p.find(']');
  if (close == std::string_view::npos || close == 1) return std::nullopt;
  return std::string(p.substr(1, close - 1));
}

}  // namespace

void import_storage(const Workbook& book, const std::vector<VmRow>& vms,
                    const std::vector<HostRow>& hosts, ImportResult& r) {
  models::ScenarioConfig& config = r.config;
  NameBook names("datastore", r.disagreements);
  if (const Sheet* sheet = book.find("vDatastore")) {
    r.has_datastore_tab = true;
    r.datastores = read_datastores(*sheet);
    for (ImportedDatastore& d : r.datastores) {
      const bool twice = std::any_of(r.datastores.begin(), r.datastores.end(), [&](const auto& o) {
        return &o != &d && o.row < d.row && o.name == d.name;
      });
      if (twice) {
        d.left_out = "listed twice";
        continue;
      }
      import_datastore(d, hosts, r, names);
    }
    config.storage.present = !config.storage.datastores.empty();
  }
  const Sheet* sheet = book.find("vDisk");
  if (sheet == nullptr) return;
  DiskImport& out = r.disks;
  out.has_tab = true;
  const std::vector<DiskRow> rows = read_disks(*sheet);
  out.rows = static_cast<int>(rows.size());
  std::map<std::string, std::vector<std::size_t>> vm_of;
  for (std::size_t i = 0; i < vms.size(); ++i) vm_of[vms[i].name].push_back(i);
  // Reasons, in order of first appearance, with their counts.
  std::vector<std::pair<std::string, int>> reasons;
  const auto leave_out = [&](const std::string& why) {
    for (auto& [w, n] : reasons) {
      if (w == why) {
        ++n;
        return;
      }
    }
    reasons.emplace_back(why, 1);
  };
  std::vector<bool> thick_nfs(config.storage.datastores.size(), false);
  for (const DiskRow& d : rows) {
    if (d.is_template) {
      ++out.templates;
      continue;
    }
    const auto vm = vm_of.find(d.vm);
    if (vm == vm_of.end()) {
      leave_out("the VM is not in vInfo (or is a template)");
      continue;
    }
    if (vm->second.size() > 1) {
      leave_out("vInfo lists the VM's name more than once");
      continue;
    }
    if (d.raw) {
      leave_out("a raw device mapping, not a virtual disk on a datastore");
      continue;
    }
    if (d.capacity_mib <= 0.0) {
      leave_out("capacity 0");
      continue;
    }
    const auto ds_name = datastore_of(d.path);
    if (!ds_name) {
      leave_out("its Disk Path is not \"[datastore] folder/file.vmdk\"");
      continue;
    }
    if (!r.has_datastore_tab) {
      leave_out("the export has no vDatastore tab to say what its datastore is");
      continue;
    }
    const auto it = std::find_if(r.datastores.begin(), r.datastores.end(),
                                 [&](const ImportedDatastore& x) { return x.name == *ds_name; });
    if (it == r.datastores.end()) {
      leave_out(fmt::format("its datastore '{}' is not in vDatastore", *ds_name));
      continue;
    }
    if (!it->left_out.empty()) {
      leave_out(fmt::format("its datastore '{}' was left out ({})", *ds_name, it->left_out));
      continue;
    }
    const auto ds = std::find_if(config.storage.datastores.begin(), config.storage.datastores.end(),
                                 [&](const models::DatastoreConfig& x) { return x.name == it->scenario_name; });
    if (ds->kind == models::DatastoreKind::vmfs && d.capacity_mib > vmfs_max_disk_mib()) {
      leave_out(fmt::format("larger than the largest VMFS disk (62 TiB) on '{}'", *ds_name));
      continue;
    }
    models::DiskConfig disk;
    disk.size_gib = d.capacity_mib / 1024.0;
    disk.datastore = ds->name;
    disk.provisioning = d.thin    ? models::Provisioning::thin
                        : d.eager ? models::Provisioning::eager_zeroed
                                  : models::Provisioning::lazy_zeroed;
    if (ds->kind == models::DatastoreKind::nfs && !d.thin) {
      thick_nfs[static_cast<std::size_t>(ds - config.storage.datastores.begin())] = true;
    }
    models::VmConfig& v = config.vms[vm->second.front()];
    if (v.disks.empty()) ++out.vms;
    v.disks.push_back(std::move(disk));
    ++out.imported;
  }
  for (std::size_t i = 0; i < thick_nfs.size(); ++i) {
    if (!thick_nfs[i]) continue;
    config.storage.datastores[i].vaai_nas = true;
    out.notes.push_back(fmt::format(
        "NFS datastore '{}' holds thick disks: imported with vaai_nas: true (without VAAI-NAS "
        "only thin disks can be created on NFS)",
        config.storage.datastores[i].name));
  }
  for (const auto& [why, n] : reasons) {
    out.left_out.push_back(fmt::format("{} {}: {}", n, n == 1 ? "disk" : "disks", why));
  }
}

}  // namespace vdc::import::detail
