#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "host_mapping.hpp"
#include "import_names.hpp"
#include "rvtools_tables.hpp"
#include "storage_import.hpp"
#include "vdc/import/rvtools.hpp"
#include "workload_seeding.hpp"
#include "vdc/io/text.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::import {
namespace {

using detail::AllocationRow;
using detail::HostRow;
using detail::Power;
using detail::VmRow;
using io::iequals;
using detail::clean_text;
using detail::NameBook;
using detail::slug;

constexpr std::array<std::string_view, 6> tabs_read{"vInfo", "vHost", "vCPU", "vMemory",
                                                    "vDatastore", "vDisk"};

const char* power_name(Power p) {
  switch (p) {
    case Power::on:
      return "poweredOn";
    case Power::off:
      return "poweredOff";
    case Power::suspended:
      return "suspended";
  }
  return "?";
}

/// A vCPU (MHz) or vMemory (MiB) row as an allocation, noting values changed to fit the
/// scenario format (custom shares 1 to 1,000,000; limit not below the reservation; memory
/// reservation not above the VM's memory).
models::Allocation to_allocation(const AllocationRow& a, const std::string& vm, double memory_mib,
                                 bool cpu, std::vector<std::string>& notes) {
  models::Allocation out;
  const char* what = cpu ? "CPU" : "memory";
  const char* unit = cpu ? "MHz" : "MiB";
  if (iequals(a.level, "low")) out.level = models::ShareLevel::low;
  if (iequals(a.level, "normal")) out.level = models::ShareLevel::normal;
  if (iequals(a.level, "high")) out.level = models::ShareLevel::high;
  if (iequals(a.level, "custom")) {
    out.level = models::ShareLevel::custom;
    const double shares = std::clamp(std::round(a.shares), 1.0,
                                     static_cast<double>(scenario::limits::max_custom_shares));
    if (shares != a.shares) {
      notes.push_back(
          fmt::format("VM '{}': custom {} shares {} set to {} (the scenario takes 1 to 1000000)",
                      vm, what, a.shares, shares));
    }
    out.custom_shares = static_cast<std::uint64_t>(shares);
  }
  out.reservation = a.reservation;
  if (!cpu && out.reservation > memory_mib) {
    notes.push_back(
        fmt::format("VM '{}': memory reservation {} MiB above its memory, set to {} MiB", vm,
                    a.reservation, memory_mib));
    out.reservation = memory_mib;
  }
  out.limit = a.limit;
  if (out.limit && *out.limit < out.reservation) {
    notes.push_back(fmt::format("VM '{}': {} limit {} {} below its reservation, raised to {} {}",
                                vm, what, *out.limit, unit, out.reservation, unit));
    out.limit = out.reservation;
  }
  return out;
}

/// A vCPU or vMemory tab joined to the VMs of vInfo by name: the n-th row of a name goes
/// to the n-th VM of that name.
struct JoinedTab {
  const Sheet* sheet = nullptr;
  std::vector<AllocationRow> rows;
  std::vector<std::optional<std::size_t>> row_of_vm;
};

JoinedTab join_tab(const Sheet* sheet, bool cpu, const std::vector<VmRow>& vms,
                   const std::set<std::string>& templates, std::vector<std::string>& notes) {
  JoinedTab joined;
  joined.row_of_vm.resize(vms.size());
  if (sheet == nullptr) return joined;
  joined.sheet = sheet;
  joined.rows = detail::read_allocations(*sheet, cpu);
  std::map<std::string, std::vector<std::size_t>> by_name;
  for (std::size_t i = 0; i < vms.size(); ++i) by_name[vms[i].name].push_back(i);
  std::map<std::string, std::size_t> used;
  for (std::size_t r = 0; r < joined.rows.size(); ++r) {
    const AllocationRow& a = joined.rows[r];
    const auto it = by_name.find(a.vm);
    std::size_t& n = used[a.vm];
    if (it == by_name.end() || n >= it->second.size()) {
      if (!templates.count(a.vm))
        notes.push_back(
            fmt::format("{} row {}: VM '{}' is not in vInfo", sheet->name, a.row, a.vm));
      continue;
    }
    joined.row_of_vm[it->second[n++]] = r;
  }
  return joined;
}

/// Fills the vCPU counts and memory sizes vInfo leaves empty from vCPU and vMemory; an
/// empty size no tab knows is an error at the vInfo cell.
void fill_sizes(std::vector<VmRow>& vms, const Sheet& vinfo, const JoinedTab& cpu,
                const JoinedTab& mem, std::vector<std::string>& notes) {
  for (std::size_t i = 0; i < vms.size(); ++i) {
    VmRow& vm = vms[i];
    if (!vm.vcpus) {
      const AllocationRow* a = cpu.row_of_vm[i] ? &cpu.rows[*cpu.row_of_vm[i]] : nullptr;
      if (a == nullptr || !a->size) {
        throw ImportError({vinfo.file, vinfo.name, vm.row, "CPUs"}, "the cell is empty",
                          fmt::format("{}, here or in the vCPU tab", detail::vcpus_expected));
      }
      if (*a->size < 1.0 || *a->size > scenario::limits::max_vcpus ||
          *a->size != std::floor(*a->size)) {
        throw ImportError({cpu.sheet->file, cpu.sheet->name, a->row, "CPUs"},
                          fmt::format("'{}' is not a vCPU count", *a->size),
                          detail::vcpus_expected);
      }
      vm.vcpus = static_cast<int>(*a->size);
      notes.push_back(fmt::format("VM '{}': no CPUs in vInfo, {} from vCPU", vm.name, *vm.vcpus));
    }
    if (!vm.memory_mib) {
      const AllocationRow* a = mem.row_of_vm[i] ? &mem.rows[*mem.row_of_vm[i]] : nullptr;
      if (a == nullptr || !a->size) {
        throw ImportError({vinfo.file, vinfo.name, vm.row, "Memory"}, "the cell is empty",
                          fmt::format("{}, here or in the vMemory tab", detail::memory_expected));
      }
      if (*a->size < scenario::limits::min_vm_memory_mib ||
          *a->size > scenario::limits::max_vm_memory_mib) {
        throw ImportError({mem.sheet->file, mem.sheet->name, a->row, "Size MiB"},
                          fmt::format("'{}' is not a memory size", *a->size),
                          detail::memory_expected);
      }
      vm.memory_mib = *a->size;
      notes.push_back(
          fmt::format("VM '{}': no Memory in vInfo, {} MiB from vMemory", vm.name, *vm.memory_mib));
    }
  }
}

/// Applies a joined vCPU or vMemory tab to the VMs and notes where it disagrees with vInfo.
void apply_allocations(const JoinedTab& tab, const std::vector<VmRow>& vms,
                       std::vector<models::VmConfig>& out, bool cpu,
                       std::vector<std::string>& notes) {
  if (tab.sheet == nullptr) return;
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < vms.size(); ++i) {
    const VmRow& vm = vms[i];
    if (!tab.row_of_vm[i]) {
      missing.push_back(out[i].name);
      continue;
    }
    const AllocationRow& a = tab.rows[*tab.row_of_vm[i]];
    if (a.power && *a.power != vm.power) {
      notes.push_back(fmt::format("VM '{}': {} says {}, vInfo {} (vInfo kept)", out[i].name,
                                  tab.sheet->name, power_name(*a.power), power_name(vm.power)));
    }
    const double size = cpu ? *vm.vcpus : *vm.memory_mib;
    if (a.size && *a.size != size) {
      notes.push_back(fmt::format("VM '{}': {} says {} {}, vInfo {} (vInfo kept)", out[i].name,
                                  tab.sheet->name, *a.size, cpu ? "vCPUs" : "MiB", size));
    }
    (cpu ? out[i].cpu : out[i].mem) = to_allocation(a, out[i].name, *vm.memory_mib, cpu, notes);
  }
  if (!missing.empty()) {
    notes.push_back(fmt::format("{} VMs of vInfo have no {} row (default allocation): {}",
                                missing.size(), tab.sheet->name, fmt::join(missing, ", ")));
  }
}

/// Where vHost's own counts disagree with vInfo: totals and per host, powered-on VMs only
/// (vHost's "# VMs" and "# vCPUs" count running VMs).
void compare_counts(const std::vector<HostRow>& hosts, const std::vector<VmRow>& vms,
                    const detail::HostAssignment& assignment, std::vector<std::string>& notes) {
  std::vector<int> vm_count(hosts.size(), 0);
  std::vector<int> vcpu_count(hosts.size(), 0);
  int on = 0;
  int on_vcpus = 0;
  for (std::size_t i = 0; i < vms.size(); ++i) {
    if (vms[i].power != Power::on) continue;
    ++on;
    on_vcpus += *vms[i].vcpus;
    if (assignment.placed[i]) continue;
    ++vm_count[assignment.vm_host[i]];
    vcpu_count[assignment.vm_host[i]] += *vms[i].vcpus;
  }
  const bool all_counted =
      std::all_of(hosts.begin(), hosts.end(), [](const HostRow& h) { return h.vms && h.vcpus; });
  if (all_counted) {
    int host_vms = 0;
    int host_vcpus = 0;
    for (const HostRow& h : hosts) {
      host_vms += *h.vms;
      host_vcpus += *h.vcpus;
    }
    if (host_vms != on || host_vcpus != on_vcpus) {
      notes.push_back(fmt::format(
          "vHost counts {} powered-on VMs with {} vCPUs; vInfo lists {} powered-on VMs with "
          "{} vCPUs (vInfo kept)",
          host_vms, host_vcpus, on, on_vcpus));
    }
  }
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const HostRow& row = hosts[h];
    if (row.vms && row.vcpus && (*row.vms != vm_count[h] || *row.vcpus != vcpu_count[h])) {
      notes.push_back(fmt::format(
          "host '{}': vHost counts {} VMs with {} vCPUs, vInfo maps {} powered-on VMs with "
          "{} vCPUs to it",
          row.name, *row.vms, *row.vcpus, vm_count[h], vcpu_count[h]));
    }
    if (row.cores && *row.cores != row.sockets * row.cores_per_socket) {
      notes.push_back(
          fmt::format("host '{}': vHost '# Cores' {} is not '# CPU' {} x 'Cores per CPU' {} (the "
                      "latter kept)",
                      row.name, *row.cores, row.sockets, row.cores_per_socket));
    }
  }
}

/// One profile per distinct hardware and vendor/model name; hosts of one model with
/// different hardware get "-2", "-3" profiles.
void build_profiles(const std::vector<HostRow>& hosts, ImportResult& result) {
  std::vector<std::string> bases;  // per profile, the name it was derived from
  for (std::size_t h = 0; h < hosts.size(); ++h) {
    const models::HostConfig& cfg = result.config.hosts[h];
    const std::string model = slug(fmt::format("{} {}", hosts[h].vendor, hosts[h].model));
    const std::string base = model.empty() ? std::string("host") : model;
    const auto same = [&](std::size_t p) {
      const models::HostConfig& hw = result.profiles[p].hardware;
      return bases[p] == base && hw.cpu.sockets == cfg.cpu.sockets &&
             hw.cpu.cores_per_socket == cfg.cpu.cores_per_socket &&
             hw.cpu.threads_per_core == cfg.cpu.threads_per_core &&
             hw.cpu.frequency_mhz == cfg.cpu.frequency_mhz && hw.memory_mib == cfg.memory_mib;
    };
    std::size_t index = 0;
    while (index < result.profiles.size() && !same(index)) ++index;
    if (index == result.profiles.size()) {
      const auto taken = [&](const std::string& n) {
        return std::any_of(result.profiles.begin(), result.profiles.end(),
                           [&](const auto& p) { return p.name == n; });
      };
      std::string name = base;
      for (int k = 2; taken(name); ++k) name = fmt::format("{}-{}", base, k);
      models::HostConfig hardware;
      hardware.cpu = cfg.cpu;
      hardware.memory_mib = cfg.memory_mib;
      result.profiles.push_back(ImportedProfile{name, hardware});
      bases.push_back(base);
    }
    result.host_profile.push_back(index);
  }
}

/// Hosts holding more powered-on vRAM than memory, and clusters that cannot hold the VMs
/// placed in them, one sentence each.
void check_capacity(const models::ScenarioConfig& config, const detail::HostAssignment& assignment,
                    std::vector<std::string>& problems) {
  constexpr double gib = 1024.0;
  std::vector<double> vram(config.hosts.size(), 0.0);
  std::vector<bool> overfilled_by_placement(config.hosts.size(), false);
  for (std::size_t i = 0; i < config.vms.size(); ++i) {
    if (!config.vms[i].powered_on) continue;
    vram[assignment.vm_host[i]] += config.vms[i].memory_mib;
    if (assignment.placed[i] && !assignment.fits[i])
      overfilled_by_placement[assignment.vm_host[i]] = true;
  }
  std::map<std::string, std::vector<std::string>> unfit;  // cluster -> VMs placed without room
  for (const std::size_t i : assignment.placement_order) {
    if (!assignment.fits[i]) unfit[config.hosts[assignment.vm_host[i]].cluster].push_back(config.vms[i].name);
  }
  for (const auto& [cluster, names] : unfit) {
    double memory = 0.0;
    double on = 0.0;
    for (std::size_t h = 0; h < config.hosts.size(); ++h) {
      if (config.hosts[h].cluster != cluster) continue;
      memory += config.hosts[h].memory_mib;
      on += vram[h];
    }
    problems.push_back(fmt::format(
        "{} cannot hold its powered-on VMs without overcommitting memory: {:.1f} GiB of vRAM "
        "on {:.1f} GiB; placed where no host had room: {}",
        cluster.empty() ? std::string("the standalone hosts") : fmt::format("cluster '{}'", cluster),
        on / gib, memory / gib, fmt::join(names, ", ")));
  }
  for (std::size_t h = 0; h < config.hosts.size(); ++h) {
    const models::HostConfig& host = config.hosts[h];
    if (vram[h] <= host.memory_mib) continue;
    problems.push_back(fmt::format(
        "host '{}' holds {:.1f} GiB of powered-on vRAM on {:.1f} GiB of memory ({:.0f}%), {}",
        host.name, vram[h] / gib, host.memory_mib / gib, 100.0 * vram[h] / host.memory_mib,
        overfilled_by_placement[h] ? "with VMs placed there for want of room"
                                   : "as vInfo maps its VMs"));
  }
}

/// What each known RVTools tab holds, for the tabs the import leaves out.
std::string tab_content(std::string_view tab) {
  static const std::map<std::string, std::string, std::less<>> known{
      {"vnetwork", "VM network adapters"},  {"vdisk", "virtual disks"},
      {"vpartition", "guest partitions"},   {"vcluster", "cluster settings (HA, DRS)"},
      {"vrp", "resource pools"},            {"vsnapshot", "snapshots"},
      {"vcd", "CD drives"},                 {"vusb", "USB devices"},
      {"vhba", "host bus adapters"},        {"vnic", "host network adapters"},
      {"vswitch", "standard switches"},     {"vport", "standard port groups"},
      {"dvswitch", "distributed switches"}, {"dvport", "distributed port groups"},
      {"vsc_vmk", "VMkernel adapters"},     {"vmultipath", "storage paths"},
      {"vtools", "VMware Tools"},           {"vsource", "the vCenter"},
      {"vlicense", "licences"},             {"vhealth", "health checks"},
      {"vfileinfo", "datastore files"},     {"vmetadata", "the export's metadata"}};
  std::string key(tab);
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  const auto it = known.find(key);
  return it == known.end() ? std::string{} : it->second;
}

/// Every tab of the export with its rows and what was taken from it.
void list_tabs(const Workbook& book, const std::vector<VmRow>& vms,
               const std::vector<HostRow>& hosts, ImportResult& result) {
  const auto has_column = [](const Sheet& sheet, std::string_view name) {
    return std::any_of(sheet.header.begin(), sheet.header.end(),
                       [&](const std::string& h) { return iequals(h, name); });
  };
  for (const std::string& tab : book.tab_names) {
    const Sheet* sheet = book.find(tab);
    TabUse use{tab, sheet ? static_cast<int>(sheet->rows.size()) : -1, {}};
    if (sheet == nullptr) {
      use.use = "not read";
    } else if (iequals(tab, "vInfo")) {
      use.use = "VMs: name, power state, vCPUs, memory, cluster, host, guest OS";
      if (has_column(*sheet, "Active Memory")) use.use += ", active memory";
      if (has_column(*sheet, "Overall Cpu Readiness")) use.use += ", CPU readiness (reported)";
      std::size_t pooled = 0;
      std::size_t in_vapp = 0;
      for (const VmRow& v : vms) {
        if (!v.pool.empty() && !iequals(v.pool, "Resources")) ++pooled;
        if (!v.vapp.empty()) ++in_vapp;
      }
      std::vector<std::string> left_out;
      if (has_column(*sheet, "Resource pool"))
        left_out.push_back(fmt::format("the resource pool of {} VMs", pooled));
      if (has_column(*sheet, "vApp"))
        left_out.push_back(fmt::format("the vApp of {} VMs", in_vapp));
      if (!left_out.empty())
        use.use += fmt::format("; left out (not modelled yet): {}", fmt::join(left_out, ", "));
    } else if (iequals(tab, "vHost")) {
      use.use = "hosts: sockets, cores, hyperthreading, speed, memory, cluster";
      const bool usage = std::any_of(hosts.begin(), hosts.end(), [](const HostRow& h) {
        return h.cpu_usage_pct || h.memory_usage_pct;
      });
      if (usage) use.use += "; CPU and memory usage (workload seeding and the check)";
    } else if (iequals(tab, "vCPU")) {
      use.use = "CPU shares, reservations, limits";
      if (has_column(*sheet, "Overall")) use.use += "; 'Overall' MHz as each VM's CPU demand";
    } else if (iequals(tab, "vMemory")) {
      use.use = "memory shares, reservations, limits";
      if (has_column(*sheet, "Consumed"))
        use.use += "; 'Consumed' and 'Active' as each VM's memory workload";
    } else if (iequals(tab, "vDatastore")) {
      const auto in = std::count_if(result.datastores.begin(), result.datastores.end(),
                                    [](const ImportedDatastore& d) { return d.left_out.empty(); });
      use.use = fmt::format("datastores: name, type, capacity, version, hosts, vSAN cluster; {} of {} "
                            "imported, listed below",
                            in, result.datastores.size());
    } else if (iequals(tab, "vDisk")) {
      use.use = fmt::format("virtual disks: size, datastore (from the path), provisioning; {} of {} "
                            "imported, listed below",
                            result.disks.imported, result.disks.rows);
    } else {
      const std::string what = tab_content(tab);
      const bool meta = iequals(tab, "vSource") || iequals(tab, "vLicense") ||
                        iequals(tab, "vHealth") || iequals(tab, "vMetaData") ||
                        iequals(tab, "vTools") || iequals(tab, "vFileInfo");
      use.use = fmt::format("{}{}: {} left out", meta ? "not used" : "not modelled yet",
                            what.empty() ? std::string{} : fmt::format(" ({})", what),
                            sheet->rows.size() == 1 ? std::string("1 row")
                                                    : fmt::format("{} rows", sheet->rows.size()));
    }
    result.tab_uses.push_back(std::move(use));
  }
}

}  // namespace

ImportResult import_workbook(const Workbook& book, const ImportOptions& options) {
  const Sheet* vinfo = book.find("vInfo");
  const Sheet* vhost = book.find("vHost");
  for (const auto& [sheet, tab] : {std::pair{vinfo, "vInfo"}, std::pair{vhost, "vHost"}}) {
    if (sheet == nullptr) {
      throw ImportError({book.source, {}, 0, {}}, fmt::format("missing tab {}", tab),
                        "an RVTools export with the vInfo and vHost tabs");
    }
  }
  ImportResult result;
  result.options = options;
  result.source_name = std::filesystem::path(book.source).filename().string();
  if (result.source_name.empty())
    result.source_name = std::filesystem::path(book.source).parent_path().filename().string();
  result.source_kind = book.kind;
  result.tabs = book.tab_names;
  std::vector<std::string>& notes = result.disagreements;

  const std::vector<HostRow> hosts = detail::read_hosts(*vhost);
  if (hosts.empty()) {
    throw ImportError({vhost->file, vhost->name, 0, {}}, "the tab has no host rows",
                      "at least one host");
  }
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (iequals(hosts[i].name, hosts[j].name)) {
        throw ImportError(
            {vhost->file, vhost->name, hosts[i].row, "Host"},
            fmt::format("host '{}' is listed twice (first at row {})", hosts[i].name, hosts[j].row),
            "one row per host");
      }
    }
  }
  std::vector<VmRow> vms;
  std::set<std::string> templates;
  for (VmRow& v : detail::read_vms(*vinfo)) {
    if (v.is_template) {
      ++result.templates;
      templates.insert(v.name);
    } else {
      vms.push_back(std::move(v));
    }
  }
  const JoinedTab cpu_tab = join_tab(book.find("vCPU"), true, vms, templates, notes);
  const JoinedTab mem_tab = join_tab(book.find("vMemory"), false, vms, templates, notes);
  fill_sizes(vms, *vinfo, cpu_tab, mem_tab, notes);
  const detail::HostAssignment assignment = detail::assign_hosts(hosts, vms);
  result.mappings = assignment.mappings;

  models::ScenarioConfig& config = result.config;
  const std::string stem = std::filesystem::path(result.source_name).stem().string();
  config.name = slug(stem).empty() ? "rvtools-import" : slug(stem);
  config.source = book.source;
  config.duration = sim::Time::from_ns(3'600'000'000'000);

  NameBook host_names("host", notes);
  NameBook cluster_names("cluster", notes);
  std::map<std::string, std::string> cluster_of;  // vHost cluster -> scenario cluster name
  for (const HostRow& h : hosts) {
    models::HostConfig cfg;
    cfg.name = host_names.add(h.name);
    if (!h.cluster.empty()) {
      auto it = cluster_of.find(h.cluster);
      if (it == cluster_of.end()) {
        it = cluster_of.emplace(h.cluster, cluster_names.add(h.cluster)).first;
        config.clusters.push_back(models::ClusterConfig{it->second, {}});
      }
      cfg.cluster = it->second;
      std::find_if(config.clusters.begin(), config.clusters.end(), [&](const auto& c) {
        return c.name == it->second;
      })->hosts.push_back(cfg.name);
    }
    cfg.cpu.sockets = h.sockets;
    cfg.cpu.cores_per_socket = h.cores_per_socket;
    cfg.cpu.threads_per_core = h.hyperthreading ? 2 : 1;
    cfg.cpu.frequency_mhz = h.mhz;
    cfg.memory_mib = h.memory_mib;
    config.hosts.push_back(std::move(cfg));
  }

  NameBook vm_names("VM", notes);
  for (std::size_t i = 0; i < vms.size(); ++i) {
    const VmRow& v = vms[i];
    const std::size_t h = assignment.vm_host[i];
    models::VmConfig cfg;
    cfg.name = vm_names.add(v.name);
    cfg.host = config.hosts[h].name;
    cfg.cluster = config.hosts[h].cluster;
    cfg.vcpus = *v.vcpus;
    cfg.memory_mib = *v.memory_mib;
    cfg.guest.os = clean_text(v.os);
    cfg.powered_on = v.power == Power::on;
    if (assignment.placed[i] && !iequals(v.cluster, hosts[h].cluster)) {
      const std::string where =
          hosts[h].cluster.empty() ? fmt::format("standalone host '{}'", cfg.host)
                                   : fmt::format("'{}' of cluster '{}'", cfg.host, hosts[h].cluster);
      notes.push_back(
          v.cluster.empty()
              ? fmt::format("VM '{}': vInfo names no cluster and no host that vHost lists; placed "
                            "on {}",
                            cfg.name, where)
              : fmt::format("VM '{}': vInfo's cluster '{}' has no host in vHost; placed on {}",
                            cfg.name, v.cluster, where));
    } else if (!assignment.placed[i] && !iequals(v.cluster, hosts[h].cluster)) {
      notes.push_back(fmt::format(
          "VM '{}': vInfo cluster '{}', but its host '{}' is in cluster '{}' in vHost (the "
          "host's kept)",
          cfg.name, v.cluster, cfg.host, hosts[h].cluster));
    }
    config.vms.push_back(std::move(cfg));
  }
  for (const std::size_t i : assignment.placement_order) {
    const models::VmConfig& vm = config.vms[i];
    result.placements.push_back(Placement{vm.name, vms[i].host, vm.host, vm.vcpus, vm.memory_mib,
                                          vm.powered_on, assignment.fits[i]});
  }
  for (const HostMapping& m : result.mappings) {
    if (m.rule == MatchRule::placed) {
      notes.push_back(fmt::format(
          "vInfo host '{}' ({}, {}) is not in vHost: {} placed by the placement rule",
          m.vinfo_host.empty() ? std::string("(empty)") : m.vinfo_host,
          m.cluster.empty() ? std::string("no cluster") : fmt::format("cluster '{}'", m.cluster),
          m.vms == 1 ? std::string("1 VM") : fmt::format("{} VMs", m.vms),
          m.vms == 1 ? "it was" : "they were"));
    }
  }
  check_capacity(config, assignment, result.capacity_problems);
  const std::size_t suspended = static_cast<std::size_t>(std::count_if(
      vms.begin(), vms.end(), [](const VmRow& v) { return v.power == Power::suspended; }));
  if (suspended > 0)
    notes.push_back(fmt::format("{} suspended VMs imported powered off", suspended));
  compare_counts(hosts, vms, assignment, notes);

  apply_allocations(cpu_tab, vms, config.vms, true, notes);
  apply_allocations(mem_tab, vms, config.vms, false, notes);
  detail::import_storage(book, vms, hosts, result);
  build_profiles(hosts, result);

  std::vector<detail::VmUsage> usage(vms.size());
  for (std::size_t i = 0; i < vms.size(); ++i) {
    detail::VmUsage& u = usage[i];
    u.readiness_pct = vms[i].readiness_pct;
    u.active_mib = vms[i].active_mib;
    if (cpu_tab.row_of_vm[i]) u.cpu_mhz = cpu_tab.rows[*cpu_tab.row_of_vm[i]].overall_mhz;
    if (mem_tab.row_of_vm[i]) {
      const AllocationRow& a = mem_tab.rows[*mem_tab.row_of_vm[i]];
      u.consumed_mib = a.consumed_mib;
      u.consumed_overhead_mib = a.consumed_overhead_mib;
      if (a.active_mib) u.active_mib = a.active_mib;
      u.ballooned_mib = a.ballooned_mib;
      u.swapped_mib = a.swapped_mib;
    }
  }
  detail::seed_workloads(hosts, usage, result);
  list_tabs(book, vms, hosts, result);
  return result;
}

ImportResult import_rvtools(const std::filesystem::path& path, const ImportOptions& options) {
  std::error_code ec;
  const bool folder = std::filesystem::is_directory(path, ec);
  if (!folder && !std::filesystem::exists(path, ec)) {
    throw ImportError({path.string(), {}, 0, {}}, "no such file or folder",
                      "an RVTools .xlsx, or a folder of its per-tab CSV files");
  }
  const auto read = [&](std::span<const std::string_view> tabs) {
    return folder ? read_csv_folder(path, tabs) : read_xlsx(path, tabs);
  };
  Workbook book = read(tabs_read);
  // The other tabs are read only to count their rows for the summary: one that cannot be
  // read is reported there, not an error.
  std::map<std::string, std::string> unreadable;
  for (const std::string& tab : book.tab_names) {
    if (book.find(tab) != nullptr) continue;
    const std::array<std::string_view, 1> one{tab};
    try {
      Workbook other = read(one);
      for (Sheet& sheet : other.sheets) book.sheets.push_back(std::move(sheet));
    } catch (const ImportError& e) {
      unreadable[tab] = e.what();
    }
  }
  ImportResult result = import_workbook(book, options);
  for (TabUse& t : result.tab_uses) {
    if (const auto it = unreadable.find(t.tab); it != unreadable.end())
      t.use = fmt::format("not read: {}", it->second);
  }
  return result;
}

}  // namespace vdc::import
