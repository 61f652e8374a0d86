#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>
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
      "host,cluster,pcpus,lcpus,capacity_mhz,demand_mhz_avg,used_mhz_avg,util_pct_avg,granted_capacity_mhz,"
      "usage_pct_avg,vcpus,vcpu_per_pcpu,"
      "memory_capacity_mib,min_free_mib,state_high_pct,state_clear_pct,state_soft_pct,state_hard_pct,"
      "state_low_pct,granted_mib_avg,consumed_mib_avg,shared_saved_mib_avg,balloon_mib_avg,"
      "compressed_mib_avg,swapped_mib_avg\n";
  for (const auto& h : s.hosts) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}", csv_field(h.name), csv_field(h.cluster),
                       h.cpu.pcpus, h.cpu.lcpus, num(h.cpu.capacity_mhz), num(h.cpu.demand_mhz_avg),
                       num(h.cpu.used_mhz_avg), num(h.cpu.util_pct_avg), num(h.cpu.granted_capacity_mhz),
                       num(h.cpu.usage_pct_avg), h.cpu.vcpus, num(h.cpu.vcpu_per_pcpu), num(h.memory.capacity_mib),
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

/// One column of the time-series tables: a gauge, its header (esxtop's name where esxtop
/// has one, with its unit) and how its value is scaled.
struct SeriesColumn {
  std::string_view metric;
  std::string_view header;
  enum Scale { as_is, percent, percent_of_vcpus } scale;
};

/// One naming scheme for hosts and VMs (docs/report.md "Time series"), in column order. The
/// CPU state columns are esxtop's group values: summed over the VM's vCPUs, so a 4-vCPU VM
/// fully ready shows %RDY 400 (report.json's ready_pct is that divided by the vCPUs).
constexpr SeriesColumn kSeriesColumns[] = {
    {"cpu.used_mhz", "USED_MHz", SeriesColumn::as_is},
    {"cpu.demand_mhz", "DEMAND_MHz", SeriesColumn::as_is},
    {"cpu.entitlement_mhz", "ENTITLEMENT_MHz", SeriesColumn::as_is},
    {"cpu.run", "%RUN", SeriesColumn::percent_of_vcpus},
    {"cpu.ready", "%RDY", SeriesColumn::percent_of_vcpus},
    {"cpu.costop", "%CSTP", SeriesColumn::percent_of_vcpus},
    {"cpu.wait", "%WAIT", SeriesColumn::percent_of_vcpus},
    {"mem.granted_mib", "GRANT_MiB", SeriesColumn::as_is},
    {"mem.consumed_mib", "CONSUMED_MiB", SeriesColumn::as_is},
    {"mem.active_mib", "TCHD_MiB", SeriesColumn::as_is},
    {"mem.shared_mib", "SHRD_MiB", SeriesColumn::as_is},
    {"mem.shared_saved_mib", "SHRDSVD_MiB", SeriesColumn::as_is},
    {"mem.balloon_mib", "MCTLSZ_MiB", SeriesColumn::as_is},
    {"mem.compressed_mib", "ZIP_MiB", SeriesColumn::as_is},
    {"mem.swapped_mib", "SWCUR_MiB", SeriesColumn::as_is},
    {"mem.free_mib", "FREE_MiB", SeriesColumn::as_is},
    {"mem.state.high", "%STATE_high", SeriesColumn::percent},
    {"mem.state.clear", "%STATE_clear", SeriesColumn::percent},
    {"mem.state.soft", "%STATE_soft", SeriesColumn::percent},
    {"mem.state.hard", "%STATE_hard", SeriesColumn::percent},
    {"mem.state.low", "%STATE_low", SeriesColumn::percent},
};

/// One entity of a time-series table.
struct SeriesEntity {
  std::string name;
  std::string entity;
  int vcpus = 1;
};

/// One table of interval series: a row per sample interval and entity (in the order given)
/// that keeps any series, a column per kSeriesColumns entry that any of them keeps.
std::string timeseries_csv(const sim::MetricsRegistry& m, const std::vector<SeriesEntity>& entities,
                           std::string_view key) {
  // Each entity's series, one per column (empty where it has none), looked up once and not
  // per interval: a day at 20 s is 4,320 rows per entity.
  struct Row {
    std::string label;
    double vcpus;
    std::vector<std::span<const double>> cells;
  };
  std::vector<Row> rows;
  std::vector<bool> used(std::size(kSeriesColumns), false);
  std::size_t intervals = 0;
  for (const SeriesEntity& e : entities) {
    Row r{csv_field(e.name), static_cast<double>(e.vcpus), {}};
    bool any = false;
    for (std::size_t c = 0; c < std::size(kSeriesColumns); ++c) {
      const auto id = m.find(e.entity, kSeriesColumns[c].metric);
      const auto series = id && m.kind(*id) == sim::MetricKind::gauge ? m.series(*id) : std::span<const double>{};
      if (!series.empty()) {
        any = true;
        used[c] = true;
        intervals = std::max(intervals, series.size());
      }
      r.cells.push_back(series);
    }
    if (any) rows.push_back(std::move(r));
  }
  // With a warm-up, a last column marks the intervals that begin inside it (left out of
  // every figure of the reports).
  const std::int64_t warmup_ns = m.window_start().ns();
  std::string out = fmt::format("time_s,{}", key);
  for (std::size_t c = 0; c < std::size(kSeriesColumns); ++c) {
    if (!used[c]) continue;
    out += ',';
    out += kSeriesColumns[c].header;
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
      for (std::size_t c = 0; c < r.cells.size(); ++c) {
        if (!used[c]) continue;
        out += ',';
        const auto& cell = r.cells[c];
        if (i >= cell.size()) continue;
        const auto scale = kSeriesColumns[c].scale;
        out += num(scale == SeriesColumn::as_is     ? cell[i]
                   : scale == SeriesColumn::percent ? 100.0 * cell[i]
                                                    : 100.0 * r.vcpus * cell[i]);
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

void write_timeseries_csv(const std::filesystem::path& dir, const models::RunResult& run,
                          const std::optional<std::vector<std::string>>& only_vms) {
  std::vector<SeriesEntity> hosts;
  for (const auto& h : run.hosts) hosts.push_back({h.name, "host/" + h.name, 1});
  std::vector<SeriesEntity> vms;
  for (const auto& v : run.vms) {
    if (only_vms && std::find(only_vms->begin(), only_vms->end(), v.name) == only_vms->end()) continue;
    vms.push_back({v.name, "vm/" + v.name, std::max(1, v.vcpus)});
  }
  write_file_atomically(dir / "hosts_timeseries.csv", timeseries_csv(run.metrics, hosts, "host"));
  write_file_atomically(dir / "vms_timeseries.csv", timeseries_csv(run.metrics, vms, "vm"));
}

std::vector<std::pair<std::string, std::string>> vm_series_gauges(const models::RunResult& run,
                                                                   const std::vector<std::string>& vms) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& v : vms) {
    const std::string entity = "vm/" + v;
    for (const auto& c : kSeriesColumns) {
      const auto id = run.metrics.find(entity, c.metric);
      if (id && run.metrics.kind(*id) == sim::MetricKind::gauge) out.emplace_back(entity, c.metric);
    }
  }
  return out;
}

}  // namespace vdc::report
