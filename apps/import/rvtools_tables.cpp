#include "rvtools_tables.hpp"

#include <cmath>
#include <initializer_list>
#include <string_view>

#include <fmt/format.h>

#include "vdc/io/text.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::import::detail {

const char* const vcpus_expected = "a vCPU count from 1 to 768";
const char* const memory_expected = "memory in MiB from 4 to 25165824 (24 TiB)";

namespace {

using io::iequals;
using io::trim;

/// Column lookup and typed cell reading for one tab, with errors naming file, tab, row and column.
class TabReader {
 public:
  explicit TabReader(const Sheet& sheet) : sheet_(sheet) {}

  /// Index of the first of `names` in the header (case-insensitive), or -1.
  [[nodiscard]] int find(std::initializer_list<std::string_view> names) const {
    for (const std::string_view name : names) {
      for (std::size_t i = 0; i < sheet_.header.size(); ++i) {
        if (iequals(sheet_.header[i], name)) return static_cast<int>(i);
      }
    }
    return -1;
  }

  /// Like find, but a missing column is an error naming it.
  [[nodiscard]] int require(std::initializer_list<std::string_view> names) const {
    const int col = find(names);
    if (col < 0) {
      std::vector<std::string> quoted;
      for (const std::string_view n : names) quoted.push_back(fmt::format("'{}'", n));
      throw ImportError({sheet_.file, sheet_.name, 0, {}},
                        fmt::format("missing column {}", quoted.front()),
                        fmt::format("a header with {}", fmt::join(quoted, " or ")));
    }
    return col;
  }

  [[nodiscard]] std::string text(const SheetRow& row, int col) const {
    return col < 0 ? std::string{} : std::string(trim(row.cells[static_cast<std::size_t>(col)]));
  }

  [[nodiscard]] ImportError error(const SheetRow& row, int col, const std::string& problem,
                                  const std::string& expected) const {
    return ImportError({sheet_.file, sheet_.name, row.number,
                        col < 0 ? std::string{} : sheet_.header[static_cast<std::size_t>(col)]},
                       problem, expected);
  }

  /// A number in [lo, hi]; empty cells are errors.
  [[nodiscard]] double number(const SheetRow& row, int col, double lo, double hi,
                              const std::string& expected) const {
    const std::string t = text(row, col);
    const auto v = io::parse_number(t);
    if (!v || *v < lo || *v > hi)
      throw error(row, col, fmt::format("'{}' is out of range or not a number", t), expected);
    return *v;
  }

  /// A whole number in [lo, hi].
  [[nodiscard]] int whole(const SheetRow& row, int col, int lo, int hi,
                          const std::string& expected) const {
    const double v = number(row, col, lo, hi, expected);
    if (v != std::floor(v))
      throw error(row, col, fmt::format("'{}' is not a whole number", text(row, col)), expected);
    return static_cast<int>(v);
  }

  /// A whole number in [lo, hi], or nothing when the column is absent or the cell empty.
  [[nodiscard]] std::optional<int> optional_whole(const SheetRow& row, int col, int lo, int hi,
                                                  const std::string& expected) const {
    if (col < 0 || text(row, col).empty()) return std::nullopt;
    return whole(row, col, lo, hi, expected);
  }

  /// A number >= 0, or 0 when the column is absent or the cell empty.
  [[nodiscard]] double optional_size(const SheetRow& row, int col) const {
    if (col < 0 || text(row, col).empty()) return 0.0;
    return number(row, col, 0.0, 1e15, "a size in MiB, 0 or more");
  }

  /// A number in [lo, hi], or nothing when the column is absent or the cell empty.
  [[nodiscard]] std::optional<double> optional_number(const SheetRow& row, int col, double lo,
                                                      double hi,
                                                      const std::string& expected) const {
    if (col < 0 || text(row, col).empty()) return std::nullopt;
    return number(row, col, lo, hi, expected);
  }

  /// A percentage such as "12", "12.5" or "12 %" in [0, hi], or nothing when the column is
  /// absent or the cell empty.
  [[nodiscard]] std::optional<double> optional_percent(const SheetRow& row, int col,
                                                       double hi) const {
    if (col < 0) return std::nullopt;
    std::string t = text(row, col);
    if (!t.empty() && t.back() == '%') t = std::string(trim(std::string_view(t).substr(0, t.size() - 1)));
    if (t.empty()) return std::nullopt;
    const auto v = io::parse_number(t);
    const std::string expected = fmt::format("a percentage from 0 to {}", hi);
    if (!v || *v < 0.0 || *v > hi)
      throw error(row, col, fmt::format("'{}' is out of range or not a number", text(row, col)),
                  expected);
    return *v;
  }

  /// True or False (as RVTools writes booleans; 1 and 0 accepted).
  [[nodiscard]] bool boolean(const SheetRow& row, int col) const {
    const std::string t = text(row, col);
    if (iequals(t, "true") || t == "1") return true;
    if (iequals(t, "false") || t == "0") return false;
    throw error(row, col, fmt::format("'{}' is not a boolean", t), "True or False");
  }

  [[nodiscard]] Power power(const SheetRow& row, int col) const {
    const std::string t = text(row, col);
    if (iequals(t, "poweredOn")) return Power::on;
    if (iequals(t, "poweredOff")) return Power::off;
    if (iequals(t, "suspended")) return Power::suspended;
    throw error(row, col, fmt::format("'{}' is not a power state", t),
                "poweredOn, poweredOff or suspended");
  }

  [[nodiscard]] std::string required_text(const SheetRow& row, int col,
                                          const std::string& expected) const {
    std::string t = text(row, col);
    if (t.empty()) throw error(row, col, "the cell is empty", expected);
    return t;
  }

 private:
  const Sheet& sheet_;
};

constexpr double max_memory_mib = scenario::limits::max_vm_memory_mib;

}  // namespace

std::vector<HostRow> read_hosts(const Sheet& sheet) {
  const TabReader tab(sheet);
  const int host = tab.require({"Host"});
  const int cluster = tab.require({"Cluster"});
  const int speed = tab.require({"Speed"});
  const int sockets = tab.require({"# CPU"});
  const int cores_per = tab.require({"Cores per CPU"});
  const int memory = tab.require({"# Memory"});
  const int cores = tab.find({"# Cores"});
  const int ht = tab.find({"HT Active"});
  const int vms = tab.find({"# VMs"});
  const int vcpus = tab.find({"# vCPUs"});
  const int vendor = tab.find({"Vendor"});
  const int model = tab.find({"Model"});
  const int cpu_usage = tab.find({"CPU usage %"});
  const int memory_usage = tab.find({"Memory usage %"});
  const int vm_used = tab.find({"VM Used memory"});
  std::vector<HostRow> out;
  for (const SheetRow& row : sheet.rows) {
    HostRow h;
    h.row = row.number;
    h.name = tab.required_text(row, host, "the host's name");
    h.cluster = tab.text(row, cluster);
    h.sockets =
        tab.whole(row, sockets, 1, scenario::limits::max_sockets, "a socket count from 1 to 16");
    h.cores_per_socket = tab.whole(row, cores_per, 1, scenario::limits::max_host_lcpus,
                                   "cores per socket from 1 to 896");
    h.cores = tab.optional_whole(row, cores, 0, 1'000'000, "a core count");
    h.hyperthreading = ht >= 0 && !tab.text(row, ht).empty() && tab.boolean(row, ht);
    h.mhz = tab.number(row, speed, 1.0, scenario::limits::max_frequency_mhz,
                       "a core speed in MHz, above 0 and at most 10000");
    h.memory_mib = tab.number(row, memory, 1.0, scenario::limits::max_host_memory_mib,
                              "host memory in MiB, above 0 and at most 24 TiB");
    if (h.sockets * h.cores_per_socket * (h.hyperthreading ? 2 : 1) >
        scenario::limits::max_host_lcpus) {
      throw tab.error(
          row, cores_per,
          fmt::format("{} sockets of {} cores{} exceed 896 logical CPUs", h.sockets,
                      h.cores_per_socket, h.hyperthreading ? " with hyperthreading" : ""),
          "at most 896 logical CPUs per host");
    }
    h.vms = tab.optional_whole(row, vms, 0, 1'000'000, "a VM count");
    h.vcpus = tab.optional_whole(row, vcpus, 0, 100'000'000, "a vCPU count");
    h.vendor = tab.text(row, vendor);
    h.model = tab.text(row, model);
    // vCenter's host CPU usage may pass 100% a little (turbo); memory usage may not.
    h.cpu_usage_pct = tab.optional_percent(row, cpu_usage, 1000.0);
    h.memory_usage_pct = tab.optional_percent(row, memory_usage, 100.0);
    h.vm_used_mib = tab.optional_number(row, vm_used, 0.0, 1e15, "memory in MiB, 0 or more");
    out.push_back(std::move(h));
  }
  return out;
}

std::vector<VmRow> read_vms(const Sheet& sheet) {
  const TabReader tab(sheet);
  const int vm = tab.require({"VM"});
  const int power = tab.require({"Powerstate"});
  const int cpus = tab.require({"CPUs"});
  const int memory = tab.require({"Memory"});
  const int cluster = tab.require({"Cluster"});
  const int host = tab.require({"Host"});
  const int templ = tab.find({"Template"});
  const int os = tab.find({"OS according to the configuration file"});
  const int readiness = tab.find({"Overall Cpu Readiness"});
  const int active = tab.find({"Active Memory"});
  const int pool = tab.find({"Resource pool"});
  const int vapp = tab.find({"vApp"});
  std::vector<VmRow> out;
  for (const SheetRow& row : sheet.rows) {
    VmRow v;
    v.row = row.number;
    v.name = tab.required_text(row, vm, "the VM's name");
    v.power = tab.power(row, power);
    v.is_template = templ >= 0 && !tab.text(row, templ).empty() && tab.boolean(row, templ);
    v.cluster = tab.text(row, cluster);
    v.host = tab.text(row, host);
    v.os = tab.text(row, os);
    v.pool = tab.text(row, pool);
    v.vapp = tab.text(row, vapp);
    if (!v.is_template) {
      v.readiness_pct = tab.optional_percent(row, readiness, 100.0);
      v.active_mib = tab.optional_number(row, active, 0.0, 1e15, "memory in MiB, 0 or more");
    }
    // A template never runs: its size is not checked. An empty size may come from vCPU or
    // vMemory (the import fills it, or reports the empty cell).
    if (!v.is_template) {
      v.vcpus = tab.optional_whole(row, cpus, 1, scenario::limits::max_vcpus, vcpus_expected);
      if (!tab.text(row, memory).empty()) {
        v.memory_mib = tab.number(row, memory, scenario::limits::min_vm_memory_mib, max_memory_mib,
                                  memory_expected);
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<AllocationRow> read_allocations(const Sheet& sheet, bool cpu) {
  const TabReader tab(sheet);
  const int vm = tab.require({"VM"});
  const int level = tab.require({"Level"});
  const int shares = tab.require({"Shares"});
  const int reservation = tab.require({"Reservation"});
  const int limit = tab.require({"Limit"});
  const int power = tab.find({"Powerstate"});
  const int size = cpu ? tab.find({"CPUs"}) : tab.find({"Size MiB", "Size MB"});
  const char* unit = cpu ? "MHz" : "MiB";
  const int overall = cpu ? tab.find({"Overall"}) : -1;
  const int consumed = cpu ? -1 : tab.find({"Consumed"});
  const int consumed_overhead = cpu ? -1 : tab.find({"Consumed Overhead"});
  const int active = cpu ? -1 : tab.find({"Active"});
  const int shared = cpu ? -1 : tab.find({"Shared"});
  const int ballooned = cpu ? -1 : tab.find({"Ballooned"});
  const int swapped = cpu ? -1 : tab.find({"Swapped"});
  const std::string mhz_expected = "CPU used in MHz, 0 or more";
  const std::string mib_expected = "memory in MiB, 0 or more";
  std::vector<AllocationRow> out;
  for (const SheetRow& row : sheet.rows) {
    AllocationRow a;
    a.row = row.number;
    a.vm = tab.required_text(row, vm, "the VM's name");
    if (power >= 0 && !tab.text(row, power).empty()) a.power = tab.power(row, power);
    if (size >= 0 && !tab.text(row, size).empty())
      a.size = tab.number(row, size, 0.0, 1e15, "a size, 0 or more");
    a.level = tab.text(row, level);
    if (!iequals(a.level, "low") && !iequals(a.level, "normal") && !iequals(a.level, "high") &&
        !iequals(a.level, "custom")) {
      throw tab.error(row, level, fmt::format("'{}' is not a share level", a.level),
                      "low, normal, high or custom");
    }
    a.shares = tab.number(row, shares, 0.0, 1e12, "a whole number of shares, 0 or more");
    a.reservation = tab.number(row, reservation, 0.0, 1e15,
                               fmt::format("a reservation in {}, 0 or more", unit));
    const double l =
        tab.number(row, limit, -1.0, 1e15, fmt::format("a limit in {}, or -1 for unlimited", unit));
    if (l < 0.0 && l != -1.0) {
      throw tab.error(row, limit, fmt::format("'{}' is not a limit", tab.text(row, limit)),
                      fmt::format("a limit in {}, or -1 for unlimited", unit));
    }
    if (l >= 0.0) a.limit = l;
    a.overall_mhz = tab.optional_number(row, overall, 0.0, 1e9, mhz_expected);
    a.consumed_mib = tab.optional_number(row, consumed, 0.0, 1e15, mib_expected);
    a.consumed_overhead_mib = tab.optional_number(row, consumed_overhead, 0.0, 1e15, mib_expected);
    a.active_mib = tab.optional_number(row, active, 0.0, 1e15, mib_expected);
    a.shared_mib = tab.optional_number(row, shared, 0.0, 1e15, mib_expected);
    a.ballooned_mib = tab.optional_number(row, ballooned, 0.0, 1e15, mib_expected);
    a.swapped_mib = tab.optional_number(row, swapped, 0.0, 1e15, mib_expected);
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<ImportedDatastore> read_datastores(const Sheet& sheet) {
  const TabReader tab(sheet);
  const int name = tab.require({"Name"});
  const int capacity = tab.require({"Capacity MiB", "Capacity MB"});
  const int type = tab.find({"Type"});
  const int free = tab.find({"Free MiB", "Free MB"});
  const int provisioned = tab.find({"Provisioned MiB", "Provisioned MB"});
  const int hosts = tab.find({"Hosts"});
  const int cluster = tab.find({"Cluster name"});
  const int major = tab.find({"Major Version"});
  std::vector<ImportedDatastore> out;
  for (const SheetRow& row : sheet.rows) {
    ImportedDatastore d;
    d.row = row.number;
    d.name = tab.required_text(row, name, "the datastore's name");
    d.type = tab.text(row, type);
    d.capacity_mib = tab.number(row, capacity, 0.0, 1e15, "a capacity in MiB, 0 or more");
    d.free_mib = tab.optional_size(row, free);
    d.provisioned_mib = tab.optional_size(row, provisioned);
    d.hosts = tab.text(row, hosts);
    d.cluster = tab.text(row, cluster);
    d.major_version = tab.text(row, major);
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<DiskRow> read_disks(const Sheet& sheet) {
  const TabReader tab(sheet);
  const int vm = tab.require({"VM"});
  const int path = tab.require({"Disk Path"});
  const int capacity = tab.require({"Capacity MiB", "Capacity MB"});
  const int thin = tab.find({"Thin"});
  const int eager = tab.find({"Eagerly Scrub"});
  const int raw = tab.find({"Raw"});
  const int templ = tab.find({"Template"});
  const auto flag = [&](const SheetRow& row, int col) {
    return col >= 0 && !tab.text(row, col).empty() && tab.boolean(row, col);
  };
  std::vector<DiskRow> out;
  for (const SheetRow& row : sheet.rows) {
    DiskRow d;
    d.row = row.number;
    d.vm = tab.required_text(row, vm, "the VM's name");
    d.is_template = flag(row, templ);
    d.path = tab.text(row, path);
    d.capacity_mib = tab.number(row, capacity, 0.0, 1e15, "a capacity in MiB, 0 or more");
    d.thin = flag(row, thin);
    d.eager = flag(row, eager);
    d.raw = flag(row, raw);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace vdc::import::detail
