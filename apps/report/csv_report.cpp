#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

/// RFC 4180 quoting, only where needed.
std::string csv_field(std::string_view s) {
  if (s.find_first_of(",\"\n\r") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string num(double x) { return fmt::format("{:.6f}", x == 0.0 ? 0.0 : x); }

std::string hosts_csv(const Summary& s) {
  std::string out =
      "host,cluster,pcpus,lcpus,capacity_mhz,demand_mhz_avg,used_mhz_avg,util_pct_avg,vcpus,vcpu_per_pcpu,"
      "memory_capacity_mib,min_free_mib,state_high_pct,state_clear_pct,state_soft_pct,state_hard_pct,"
      "state_low_pct,granted_mib_avg,consumed_mib_avg,shared_saved_mib_avg,balloon_mib_avg,"
      "compressed_mib_avg,swapped_mib_avg\n";
  for (const auto& h : s.hosts) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}", csv_field(h.name), csv_field(h.cluster), h.cpu.pcpus,
                       h.cpu.lcpus, num(h.cpu.capacity_mhz), num(h.cpu.demand_mhz_avg), num(h.cpu.used_mhz_avg),
                       num(h.cpu.util_pct_avg), h.cpu.vcpus, num(h.cpu.vcpu_per_pcpu), num(h.memory.capacity_mib),
                       num(h.memory.min_free_mib));
    for (double pct : h.memory.state_time_pct) {
      out += ',';
      out += num(pct);
    }
    out += fmt::format(",{},{},{},{},{},{}\n", num(h.memory.granted_mib_avg), num(h.memory.consumed_mib_avg),
                       num(h.memory.shared_saved_mib_avg), num(h.memory.balloon_mib_avg),
                       num(h.memory.compressed_mib_avg), num(h.memory.swapped_mib_avg));
  }
  return out;
}

std::string vms_csv(const Summary& s) {
  std::string out =
      "vm,host,cluster,vcpus,memory_mib,power_state,admission,demand_mhz_avg,used_mhz_avg,entitlement_mhz_avg,"
      "run_pct,ready_pct,costop_pct,wait_pct,ready_ms,costop_ms,granted_mib_avg,active_mib_avg,shared_mib_avg,"
      "balloon_mib_avg,compressed_mib_avg,swapped_mib_avg,balloon_mib_max,swapped_mib_max\n";
  for (const auto& v : s.vms) {
    out += fmt::format("{},{},{},{},{},{},{},", csv_field(v.name), csv_field(v.host), csv_field(v.cluster), v.vcpus,
                       num(v.memory_mib), v.powered_on ? "on" : "off", csv_field(v.admission.value_or("")));
    out += fmt::format("{},{},{},{},{},{},{},{},{},", num(v.cpu.demand_mhz_avg), num(v.cpu.used_mhz_avg),
                       num(v.cpu.entitlement_mhz_avg), num(v.cpu.run_pct), num(v.cpu.ready_pct),
                       num(v.cpu.costop_pct), num(v.cpu.wait_pct), num(v.cpu.ready_ms), num(v.cpu.costop_ms));
    out += fmt::format("{},{},{},{},{},{},{},{}\n", num(v.memory.granted_mib_avg), num(v.memory.active_mib_avg),
                       num(v.memory.shared_mib_avg), num(v.memory.balloon_mib_avg),
                       num(v.memory.compressed_mib_avg), num(v.memory.swapped_mib_avg),
                       num(v.memory.balloon_mib_max), num(v.memory.swapped_mib_max));
  }
  return out;
}

/// The esxtop memory-panel name of a metric where esxtop has one (values in MiB, which
/// esxtop shows as MB); other metrics keep their own name.
std::string_view column_name(std::string_view metric) {
  static constexpr std::pair<std::string_view, std::string_view> esxtop[] = {
      {"mem.granted_mib", "GRANT"},        {"mem.active_mib", "TCHD"},    {"mem.shared_mib", "SHRD"},
      {"mem.shared_saved_mib", "SHRDSVD"}, {"mem.balloon_mib", "MCTLSZ"}, {"mem.compressed_mib", "ZIP"},
      {"mem.swapped_mib", "SWCUR"},        {"mem.free_mib", "FREE"}};
  for (const auto& [ours, theirs] : esxtop) {
    if (metric == ours) return theirs;
  }
  return metric;
}

/// One table of interval series for the entities whose name starts with `prefix`
/// ("host/" or "vm/"): a column per metric name that any of them keeps a series of.
std::string timeseries_csv(const sim::MetricsRegistry& m, std::string_view prefix, std::string_view key) {
  std::vector<std::string> columns;
  std::vector<const std::string*> entities;
  std::size_t intervals = 0;
  for (const auto& e : m.entities()) {
    if (!e.starts_with(prefix)) continue;
    bool any = false;
    for (sim::MetricId id : m.metrics_of(e)) {
      if (m.series(id).empty()) continue;
      any = true;
      intervals = std::max(intervals, m.series(id).size());
      if (std::find(columns.begin(), columns.end(), m.name(id)) == columns.end()) columns.push_back(m.name(id));
    }
    if (any) entities.push_back(&e);
  }
  // Each entity's series, one per column (empty where it has none), looked up once and not
  // per interval: a day at 20 s is 4,320 rows per entity.
  struct Row {
    std::string label;
    std::vector<std::span<const double>> cells;
  };
  std::vector<Row> rows;
  rows.reserve(entities.size());
  for (const std::string* e : entities) {
    Row r{csv_field(std::string_view(*e).substr(prefix.size())), {}};
    for (const auto& c : columns) {
      const auto id = m.find(*e, c);
      r.cells.push_back(id ? m.series(*id) : std::span<const double>{});
    }
    rows.push_back(std::move(r));
  }
  // With a warm-up, a last column marks the intervals that begin inside it (left out of
  // every figure of the reports).
  const std::int64_t warmup_ns = m.window_start().ns();
  std::string out = fmt::format("time_s,{}", key);
  for (const auto& c : columns) {
    out += ',';
    out += csv_field(column_name(c));
  }
  if (warmup_ns > 0) out += ",warmup";
  out += '\n';
  const double step = m.sample_interval().seconds();
  const double end = m.end().seconds();
  for (std::size_t i = 0; i < intervals; ++i) {
    // Stamped at the interval's end, as vCenter stamps its samples; the last one may be short.
    const std::string time = num(std::min(static_cast<double>(i + 1) * step, end));
    const bool in_warmup = static_cast<std::int64_t>(i) * m.sample_interval().ns() < warmup_ns;
    for (const Row& r : rows) {
      out += time;
      out += ',';
      out += r.label;
      for (const auto& cell : r.cells) {
        out += ',';
        if (i < cell.size()) out += num(cell[i]);
      }
      if (warmup_ns > 0) out += in_warmup ? ",1" : ",0";
      out += '\n';
    }
  }
  return out;
}

}  // namespace

void write_summary_csv(const std::filesystem::path& dir, const Summary& summary) {
  write_file_atomically(dir / "hosts.csv", hosts_csv(summary));
  write_file_atomically(dir / "vms.csv", vms_csv(summary));
}

void write_timeseries_csv(const std::filesystem::path& dir, const models::RunResult& run) {
  write_file_atomically(dir / "hosts_timeseries.csv", timeseries_csv(run.metrics, "host/", "host"));
  write_file_atomically(dir / "vms_timeseries.csv", timeseries_csv(run.metrics, "vm/", "vm"));
}

}  // namespace vdc::report
