#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "json_writer.hpp"
#include "vdc/io/file.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

/// Six decimals are far below any model's accuracy and keep the file readable; rounding is
/// deterministic, so the same run still gives the same bytes.
double r6(double x) {
  const double r = std::round(x * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r;  // no "-0.0"
}

void text_or_null(JsonWriter& w, std::string_view text) {
  if (text.empty()) w.null();
  else w.value(text);
}

void text_or_null(JsonWriter& w, std::string_view key, std::string_view text) {
  w.key(key);
  text_or_null(w, text);
}

/// A count as an integer, a number to six decimals.
void value_of(JsonWriter& w, const models::ReportColumn& c, double v) {
  if (c.kind == models::ValueKind::count) w.value(static_cast<std::int64_t>(std::llround(v)));
  else w.value(r6(v));
}

/// Each area's object of host or VM `i`, under the area's name; consecutive keys "a.b",
/// "a.c" go into one object a.
/// Writes the keys of an object whose keys may be "a.b": consecutive keys "a.b", "a.c" go
/// into one object a.
class GroupedKeys {
 public:
  explicit GroupedKeys(JsonWriter& w) : w_(w) {}
  GroupedKeys(const GroupedKeys&) = delete;
  GroupedKeys& operator=(const GroupedKeys&) = delete;
  ~GroupedKeys() {
    if (!group_.empty()) w_.end_object();
  }
  void key(std::string_view key) {
    const auto dot = key.find('.');
    const std::string_view prefix = dot == std::string_view::npos ? std::string_view() : key.substr(0, dot);
    if (prefix != group_) {
      if (!group_.empty()) w_.end_object();
      group_ = prefix;
      if (!group_.empty()) {
        w_.key(group_);
        w_.begin_object();
      }
    }
    w_.key(group_.empty() ? key : key.substr(dot + 1));
  }

 private:
  JsonWriter& w_;
  std::string_view group_;  // the object a key "group.x" is open in
};

void table_rows(JsonWriter& w, const models::ReportTable& t, std::span<const std::size_t> rows, std::size_t skip);

/// The rows of the areas' per-VM tables (TablePlace::per_vm), grouped by VM: `rows` holds
/// the row numbers of VM v in [start[v], start[v + 1]).
struct PerVmTable {
  std::string_view section;
  const models::ReportTable* table = nullptr;
  std::vector<std::size_t> start;
  std::vector<std::size_t> rows;
};

std::vector<PerVmTable> per_vm_tables(const Summary& s) {
  std::vector<PerVmTable> out;
  std::unordered_map<std::string_view, std::size_t> index;
  for (const auto& section : s.sections) {
    for (const auto& t : section.tables) {
      if (t.spec->place != models::TablePlace::per_vm) continue;
      if (index.empty()) {
        for (std::size_t v = 0; v < s.vms.size(); ++v) index.emplace(s.vms[v].name, v);
      }
      PerVmTable p{section.name(), &t, std::vector<std::size_t>(s.vms.size() + 1, 0), {}};
      std::vector<std::size_t> owner(t.rows(), s.vms.size());
      for (std::size_t r = 0; r < t.rows(); ++r) {
        const auto* name = std::get_if<std::string>(&t.row(r)[0]);
        const auto it = name != nullptr ? index.find(*name) : index.end();
        if (it == index.end()) continue;
        owner[r] = it->second;
        ++p.start[it->second + 1];
      }
      for (std::size_t v = 0; v < s.vms.size(); ++v) p.start[v + 1] += p.start[v];
      p.rows.resize(p.start.back());
      std::vector<std::size_t> fill(p.start.begin(), p.start.end() - 1);
      for (std::size_t r = 0; r < t.rows(); ++r) {
        if (owner[r] < s.vms.size()) p.rows[fill[owner[r]]++] = r;
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

/// Each area's object of host or VM `i`, under the area's name; a VM's holds the rows of
/// its area's per-VM tables.
void sections(JsonWriter& w, const Summary& s, models::EntityKind kind, std::size_t i,
              std::span<const PerVmTable> per_vm = {}) {
  for (const auto& section : s.sections) {
    if (kind == models::EntityKind::vm && !section.has_vm(i)) continue;
    w.key(section.name());
    w.begin_object();
    const auto columns = section.columns(kind);
    const auto row = section.row(kind, i);
    {
      GroupedKeys keys(w);
      for (std::size_t c = 0; c < columns.size(); ++c) {
        keys.key(columns[c].json);
        if (columns[c].kind == models::ValueKind::text) text_or_null(w, section.text(i, c));
        else value_of(w, columns[c], row[c]);
      }
    }
    if (kind == models::EntityKind::vm) {
      for (const PerVmTable& p : per_vm) {
        if (p.section != section.name()) continue;
        w.key(p.table->spec->key);
        table_rows(w, *p.table, std::span<const std::size_t>(p.rows).subspan(p.start[i], p.start[i + 1] - p.start[i]), 1);
      }
    }
    w.end_object();
  }
}

void cell(JsonWriter& w, const models::TableColumn& c, const models::TableCell& v) {
  using models::CellKind;
  if (std::holds_alternative<std::monostate>(v)) {
    w.null();
    return;
  }
  switch (c.kind) {
    case CellKind::text: w.value(std::get<std::string>(v)); break;
    case CellKind::count: w.value(static_cast<std::int64_t>(std::llround(std::get<double>(v)))); break;
    case CellKind::number: w.value(r6(std::get<double>(v))); break;
    case CellKind::flag: w.value(std::get<bool>(v)); break;
    case CellKind::texts:
      w.begin_array();
      for (const auto& t : std::get<std::vector<std::string>>(v)) w.value(t);
      w.end_array();
      break;
    case CellKind::numbers:
      w.begin_object();
      for (const auto& [k, x] : std::get<std::vector<std::pair<std::string, double>>>(v)) w.field(k, r6(x));
      w.end_object();
      break;
    case CellKind::records:
      w.begin_array();
      for (const models::Record& r : std::get<std::vector<models::Record>>(v)) {
        w.begin_object();
        for (const auto& [k, x] : r) {
          w.key(k);
          if (const auto* d = std::get_if<double>(&x)) w.value(r6(*d));
          else if (const auto* t = std::get_if<std::string>(&x)) w.value(*t);
          else w.null();
        }
        w.end_object();
      }
      w.end_array();
      break;
  }
}

/// The rows `rows` of `t` as an array of objects, leaving out its first `skip` columns.
void table_rows(JsonWriter& w, const models::ReportTable& t, std::span<const std::size_t> rows, std::size_t skip) {
  const auto columns = t.spec->columns;
  w.begin_array();
  for (const std::size_t r : rows) {
    const auto row = t.row(r);
    w.begin_object();
    {
      GroupedKeys keys(w);
      for (std::size_t c = skip; c < columns.size(); ++c) {
        keys.key(columns[c].json);
        cell(w, columns[c], row[c]);
      }
    }
    w.end_object();
  }
  w.end_array();
}

void table(JsonWriter& w, const models::ReportTable& t) {
  std::vector<std::size_t> rows(t.rows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  table_rows(w, t, rows, 0);
}

/// The areas' tables at their keys: "gpus" at the top level, "network.uplinks" in a
/// top-level object `network` that the tables sharing "network." share.
void tables(JsonWriter& w, const Summary& s) {
  GroupedKeys keys(w);
  for (const auto& section : s.sections) {
    for (const auto& t : section.tables) {
      if (t.spec->place != models::TablePlace::top) continue;
      keys.key(t.spec->key);
      table(w, t);
    }
  }
}

void host(JsonWriter& w, const Summary& s, std::size_t i) {
  const auto& h = s.hosts[i];
  w.begin_object();
  w.field("name", h.name);
  text_or_null(w, "cluster", h.cluster);
  sections(w, s, models::EntityKind::host, i);
  w.end_object();
}

void vm(JsonWriter& w, const Summary& s, std::size_t i, std::span<const PerVmTable> per_vm) {
  const auto& v = s.vms[i];
  w.begin_object();
  w.field("name", v.name);
  text_or_null(w, "host", v.host);
  text_or_null(w, "cluster", v.cluster);
  w.field("vcpus", v.vcpus);
  w.field("memory_mib", r6(v.memory_mib));
  w.field("power_state", v.powered_on ? "on" : "off");
  w.key("admission");
  if (v.admission) w.value(*v.admission);
  else w.null();
  sections(w, s, models::EntityKind::vm, i, per_vm);
  w.end_object();
}

void spread(JsonWriter& w, std::string_view key, const Spread& s) {
  w.key(key);
  w.begin_object();
  w.field("avg", r6(s.avg));
  w.field("p50", r6(s.p50));
  w.field("p95", r6(s.p95));
  w.field("p99", r6(s.p99));
  w.field("max", r6(s.max));
  w.end_object();
}

/// A headroom count, or null when the threshold is not reached (the reason is in `notes`).
void count(JsonWriter& w, std::string_view key, const Headroom& h) {
  w.key(key);
  if (h.vms) w.value(*h.vms);
  else w.null();
}

void capacity_entry(JsonWriter& w, const CapacityEntry& e, bool is_cluster) {
  w.begin_object();
  w.field("name", e.name);
  if (is_cluster) w.field("hosts", e.hosts);
  else text_or_null(w, "cluster", e.cluster);
  w.key("cpu");
  w.begin_object();
  w.field("capacity_mhz", r6(e.cpu_capacity_mhz));
  w.field("reserved_mhz", r6(e.cpu_reserved_mhz));
  w.field("pcpus", e.pcpus);
  w.field("vcpus", e.vcpus);
  w.field("vcpu_per_pcpu", r6(e.vcpu_per_pcpu));
  spread(w, "demand_mhz", e.cpu_demand_mhz);
  w.field("used_mhz_avg", r6(e.cpu_used_mhz_avg));
  w.end_object();
  w.key("memory");
  w.begin_object();
  w.field("capacity_mib", r6(e.mem_capacity_mib));
  w.field("reserved_mib", r6(e.mem_reserved_mib));
  w.field("vram_mib", r6(e.vram_mib));
  w.field("vram_per_pram", r6(e.vram_per_pram));
  spread(w, "consumed_mib", e.mem_consumed_mib);
  w.end_object();

  const std::pair<const char*, const Headroom*> limits[] = {{"cpu_util", &e.headroom_cpu_util},
                                                            {"cpu_ready", &e.headroom_cpu_ready},
                                                            {"mem_state", &e.headroom_mem_state},
                                                            {"mem_util", &e.headroom_mem_util}};
  w.key("headroom");
  w.begin_object();
  count(w, "vms", e.headroom_vms);
  w.field("binding", e.binding);
  w.key("by_threshold");
  w.begin_object();
  for (const auto& [name, h] : limits) count(w, name, *h);
  w.end_object();
  // Only where a count is missing or a cluster's sum left hosts out: the reason.
  const bool vms_note = !e.headroom_vms.note.empty();
  bool notes = vms_note;
  for (const auto& [name, h] : limits) notes = notes || !h->note.empty();
  if (notes) {
    w.key("notes");
    w.begin_object();
    for (const auto& [name, h] : limits) {
      if (!h->note.empty()) w.field(name, h->note);
    }
    if (vms_note) w.field("vms", e.headroom_vms.note);
    w.end_object();
  }
  const bool vms_left_out = is_cluster && e.headroom_vms.hosts_not_reached > 0;
  bool left_out = vms_left_out;
  for (const auto& [name, h] : limits) left_out = left_out || h->hosts_not_reached > 0;
  if (left_out) {
    w.key("hosts_not_reached");
    w.begin_object();
    for (const auto& [name, h] : limits) {
      if (h->hosts_not_reached > 0) w.field(name, h->hosts_not_reached);
    }
    if (vms_left_out) w.field("vms", e.headroom_vms.hosts_not_reached);
    w.end_object();
  }
  w.end_object();
  w.end_object();
}

void capacity(JsonWriter& w, const CapacityReport& c) {
  const auto& s = c.settings;
  w.key("capacity");
  w.begin_object();
  w.field("method", c.method);
  w.field("warmup_s", r6(c.warmup_s));
  w.field("window_s", r6(c.window_s));
  w.key("settings");
  w.begin_object();
  w.field("ready_p95_max_pct", r6(s.ready_p95_max_pct));
  w.field("cpu_util_max_pct", r6(s.cpu_util_max_pct));
  w.field("mem_soft_pct_of_min_free", r6(s.mem_soft_pct_of_min_free));
  w.field("mem_util_max_pct", r6(s.mem_util_max_pct));
  w.end_object();
  w.key("reference_vm");
  w.begin_object();
  w.field("name", c.reference.name);
  w.field("vcpus", c.reference.vcpus);
  w.field("cpu_demand_mhz_p95", r6(c.reference.cpu_demand_mhz_p95));
  w.field("memory_mib_p95", r6(c.reference.memory_mib));
  w.end_object();
  w.key("clusters");
  w.begin_array();
  for (const auto& e : c.clusters) capacity_entry(w, e, true);
  w.end_array();
  w.key("hosts");
  w.begin_array();
  for (const auto& e : c.hosts) capacity_entry(w, e, false);
  w.end_array();
  w.end_object();
}

void contention(JsonWriter& w, const ContentionReport& c) {
  w.key("contention");
  w.begin_object();
  w.key("thresholds");
  w.begin_object();
  for (const auto& [key, value] : c.thresholds) w.field(key, r6(value));
  w.end_object();
  w.key("offenders");
  w.begin_array();
  for (const auto& o : c.offenders) {
    w.begin_object();
    w.field("kind", o.kind);
    w.field("name", o.name);
    text_or_null(w, "host", o.host);  // null for an area's own entity (a datastore)
    w.field("metric", o.metric);
    w.field("average", r6(o.average));
    w.field("peak", r6(o.peak));
    w.field("threshold", r6(o.threshold));
    w.field("time_over_s", r6(o.time_over_s));
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

}  // namespace

namespace {

/// report.json into `out`; `spill`, if given, takes what `out` holds between hosts and
/// between VMs once it passes a mebibyte (and `out` is left empty).
void write_json(const Summary& s, std::string& out, const std::function<void(std::string&)>& spill) {
  constexpr std::size_t piece = std::size_t{1} << 20;
  const auto maybe_spill = [&] {
    if (spill && out.size() >= piece) spill(out);
  };
  JsonWriter w(out);
  w.begin_object();
  w.field("scenario", s.scenario);
  w.field("seed", s.seed);
  w.field("fidelity", s.fidelity);
  w.field("duration_s", r6(s.duration_s));
  w.field("version", version());
  w.field("sample_interval_s", r6(s.sample_interval_s));
  w.field("partial", s.partial);
  w.field("events", s.events);
  w.key("warnings");
  w.begin_array();
  for (const auto& warning : s.warnings) {
    w.begin_object();
    w.field("code", warning.code);
    w.field("message", warning.message);
    w.end_object();
  }
  w.end_array();
  w.key("hosts");
  w.begin_array();
  for (std::size_t i = 0; i < s.hosts.size(); ++i) {
    host(w, s, i);
    maybe_spill();
  }
  w.end_array();
  w.key("vms");
  w.begin_array();
  const std::vector<PerVmTable> per_vm = per_vm_tables(s);
  for (std::size_t i = 0; i < s.vms.size(); ++i) {
    vm(w, s, i, per_vm);
    maybe_spill();
  }
  w.end_array();
  tables(w, s);
  capacity(w, s.capacity);
  contention(w, s.contention);
  w.end_object();
  out += '\n';
}

}  // namespace

std::string report_json(const Summary& s) {
  std::string out;
  // About 1 KiB a VM and a host: one allocation for most runs.
  out.reserve(1024 * (s.vms.size() + s.hosts.size()) + 4096);
  write_json(s, out, nullptr);
  return out;
}

void write_report_json(const std::filesystem::path& path, const Summary& s) {
  // Written as it is made: a large report's pieces go to the disk while the next is made.
  io::AtomicFileWriter file(path);
  std::string out;
  out.reserve(std::size_t{2} << 20);
  write_json(s, out, [&file](std::string& made) {
    std::string piece;
    piece.swap(made);
    made.reserve(piece.capacity());
    file.write(std::move(piece));
  });
  file.write(std::move(out));
  file.commit();
}

nlohmann::ordered_json to_json(const Summary& summary) { return nlohmann::ordered_json::parse(report_json(summary)); }

}  // namespace vdc::report
