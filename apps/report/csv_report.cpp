#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

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

/// A value as the area describes it: a count as an integer, a number to six decimals.
std::string value_text(const models::ReportColumn& c, double v) {
  return c.kind == models::ValueKind::count ? fmt::format("{}", std::llround(v)) : num(v);
}

/// The areas' columns of host or VM `i`, each after a comma.
void add_sections(std::string& out, const Summary& s, models::EntityKind kind, std::size_t i) {
  for (const auto& section : s.sections) {
    const auto columns = section.columns(kind);
    const auto row = section.row(kind, i);
    // A VM without the area's resource: empty cells, as report.json leaves out its object.
    const bool has = kind == models::EntityKind::host || section.has_vm(i);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      out += ',';
      if (!has) continue;
      if (columns[c].kind == models::ValueKind::text) out += csv_field(section.text(i, c));
      else out += value_text(columns[c], row[c]);
    }
  }
}

/// The areas' headers of `kind`, each after a comma.
std::string section_headers(const Summary& s, models::EntityKind kind) {
  std::string out;
  for (const auto& section : s.sections) {
    for (const auto& c : section.columns(kind)) {
      out += ',';
      out += c.csv;
    }
  }
  return out;
}

std::string hosts_csv(const Summary& s) {
  std::string out = "host,cluster" + section_headers(s, models::EntityKind::host) + "\n";
  for (std::size_t i = 0; i < s.hosts.size(); ++i) {
    const auto& h = s.hosts[i];
    out += fmt::format("{},{}", csv_field(h.name), csv_field(h.cluster));
    add_sections(out, s, models::EntityKind::host, i);
    out += '\n';
  }
  return out;
}

std::string vms_csv(const Summary& s) {
  std::string out =
      "vm,host,cluster,vcpus,memory_mib,power_state,admission" + section_headers(s, models::EntityKind::vm) + "\n";
  for (std::size_t i = 0; i < s.vms.size(); ++i) {
    const auto& v = s.vms[i];
    out += fmt::format("{},{},{},{},{},{},{}", csv_field(v.name), csv_field(v.host), csv_field(v.cluster), v.vcpus,
                       num(v.memory_mib), v.powered_on ? "on" : "off", csv_field(v.admission.value_or("")));
    add_sections(out, s, models::EntityKind::vm, i);
    out += '\n';
  }
  return out;
}

/// The columns of the time-series tables: every area's, in the areas' order (docs/report.md
/// "Time series").
std::vector<models::SeriesColumn> series_columns(const models::RunResult& run) {
  std::vector<models::SeriesColumn> out;
  for (const auto& section : run.sections) out.insert(out.end(), section.spec->series.begin(), section.spec->series.end());
  return out;
}

/// One entity of a time-series table.
struct SeriesEntity {
  std::string name;
  std::string entity;
  int vcpus = 1;
};

/// One table of interval series: a row per sample interval and entity (in the order given)
/// that keeps any series, a column per entry of `columns` that any of them keeps.
std::string timeseries_csv(const sim::MetricsRegistry& m, std::span<const models::SeriesColumn> columns,
                           const std::vector<SeriesEntity>& entities, std::string_view key) {
  // Each entity's series, one per column (empty where it has none), looked up once and not
  // per interval: a day at 20 s is 4,320 rows per entity.
  struct Row {
    std::string label;
    double vcpus;
    std::vector<std::span<const double>> cells;
  };
  std::vector<Row> rows;
  std::vector<bool> used(columns.size(), false);
  std::size_t intervals = 0;
  for (const SeriesEntity& e : entities) {
    Row r{csv_field(e.name), static_cast<double>(e.vcpus), {}};
    bool any = false;
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const auto id = m.find(e.entity, columns[c].gauge);
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
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (!used[c]) continue;
    out += ',';
    out += columns[c].header;
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
        const auto scale = columns[c].scale;
        out += num(scale == models::SeriesScale::as_is     ? cell[i]
                   : scale == models::SeriesScale::percent ? 100.0 * cell[i]
                                                           : 100.0 * r.vcpus * cell[i]);
      }
      if (warmup_ns > 0) out += in_warmup ? ",1" : ",0";
      out += '\n';
    }
  }
  return out;
}

std::string cell_text(const models::TableColumn& c, const models::TableCell& v) {
  using models::CellKind;
  if (std::holds_alternative<std::monostate>(v)) return {};
  switch (c.kind) {
    case CellKind::text: return csv_field(std::get<std::string>(v));
    case CellKind::count: return fmt::format("{}", std::llround(std::get<double>(v)));
    case CellKind::number: return num(std::get<double>(v));
    case CellKind::flag: return std::get<bool>(v) ? "true" : "false";
    case CellKind::texts: return csv_field(fmt::format("{}", fmt::join(std::get<std::vector<std::string>>(v), ";")));
    case CellKind::numbers: {
      std::string out;
      for (const auto& [k, x] : std::get<std::vector<std::pair<std::string, double>>>(v)) {
        if (!out.empty()) out += ';';
        out += fmt::format("{}={}", k, num(x));
      }
      return csv_field(out);
    }
    case CellKind::records: {
      std::string out;
      for (const models::Record& r : std::get<std::vector<models::Record>>(v)) {
        if (!out.empty()) out += ';';
        bool first = true;
        for (const auto& [k, x] : r) {
          if (!first) out += ',';
          first = false;
          if (const auto* d = std::get_if<double>(&x)) out += fmt::format("{}={}", k, num(*d));
          else if (const auto* t = std::get_if<std::string>(&x)) out += fmt::format("{}={}", k, *t);
          else out += fmt::format("{}=", k);
        }
      }
      return csv_field(out);
    }
  }
  return {};
}

/// An area's table: a header of its columns' CSV names, a line per row.
std::string table_csv(const models::ReportTable& t) {
  const auto columns = t.spec->columns;
  std::string out;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) out += ',';
    out += columns[c].csv;
  }
  out += '\n';
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const auto row = t.row(r);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) out += ',';
      out += cell_text(columns[c], row[c]);
    }
    out += '\n';
  }
  return out;
}

}  // namespace

void write_summary_csv(const std::filesystem::path& dir, const Summary& summary) {
  write_file_atomically(dir / "hosts.csv", hosts_csv(summary));
  write_file_atomically(dir / "vms.csv", vms_csv(summary));
  for (const auto& section : summary.sections) {
    for (const auto& t : section.tables) {
      if (t.spec->place != models::TablePlace::internal) write_file_atomically(dir / std::string(t.spec->csv), table_csv(t));
    }
  }
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
  const auto columns = series_columns(run);
  write_file_atomically(dir / "hosts_timeseries.csv", timeseries_csv(run.metrics, columns, hosts, "host"));
  write_file_atomically(dir / "vms_timeseries.csv", timeseries_csv(run.metrics, columns, vms, "vm"));
}

std::vector<std::pair<std::string, std::string>> vm_series_gauges(const models::RunResult& run,
                                                                   const std::vector<std::string>& vms) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto columns = series_columns(run);
  for (const auto& v : vms) {
    const std::string entity = "vm/" + v;
    for (const auto& c : columns) {
      const auto id = run.metrics.find(entity, c.gauge);
      if (id && run.metrics.kind(*id) == sim::MetricKind::gauge) out.emplace_back(entity, c.gauge);
    }
  }
  return out;
}

}  // namespace vdc::report
