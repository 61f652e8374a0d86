#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "vdc/models/metric_names.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

namespace metric = models::metric;

/// One column: a gauge's interval series times a factor.
struct Column {
  std::string name;
  std::span<const double> series;
  double scale;
};

/// PDH timestamps need a date; simulated time starts at this one (documented in docs/report.md).
std::string pdh_time(std::int64_t s) {
  // 2000-01-01 00:00:00 plus s seconds, proleptic Gregorian (civil-from-days).
  const std::int64_t days = s / 86400 + 10957;  // days from 1970-01-01 to 2000-01-01
  const std::int64_t secs = s % 86400;
  const std::int64_t z = days + 719468;
  const std::int64_t era = z / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}:{:02}", month, day, year, secs / 3600, secs / 60 % 60, secs % 60);
}

}  // namespace

void write_esxtop_csv(const std::filesystem::path& path, const models::RunResult& run) {
  const auto& m = run.metrics;
  std::vector<Column> columns;
  auto add = [&](const std::string& entity, const models::EsxtopCounter& c, std::string name,
                 const models::ScaleInput& in) {
    const double scale = c.scale != nullptr ? c.scale(in) : 1.0;
    if (scale == 0.0) return;
    const auto id = m.find(entity, c.gauge);
    if (id && !m.series(*id).empty()) columns.push_back({std::move(name), m.series(*id), scale});
  };
  std::unordered_map<std::string_view, std::size_t> host_index;
  for (std::size_t h = 0; h < run.hosts.size(); ++h) {
    const auto& host = run.hosts[h];
    host_index.emplace(host.name, h);
    const auto e = metric::host_entity(host.name);
    for (const auto& section : run.sections) {
      for (const auto& c : section.spec->esxtop) {
        if (c.entity != models::EntityKind::host) continue;
        add(e, c, fmt::format("\\\\{}\\{}\\{}", host.name, c.object, c.counter), {&host, nullptr, section.host_row(h)});
      }
    }
  }
  for (std::size_t i = 0; i < run.vms.size(); ++i) {
    const auto& v = run.vms[i];
    if (v.host.empty()) continue;
    const auto e = metric::vm_entity(v.name);
    const auto at = host_index.find(v.host);
    const models::HostFacts* host = at != host_index.end() ? &run.hosts[at->second] : nullptr;
    for (const auto& section : run.sections) {
      for (const auto& c : section.spec->esxtop) {
        if (c.entity != models::EntityKind::vm) continue;
        // esxtop names a VM's group "<id>:<name>".
        add(e, c, fmt::format("\\\\{}\\{}({}:{})\\{}", v.host, c.object, 1000 + i, v.name, c.counter),
            {host, &v, host != nullptr ? section.host_row(at->second) : std::span<const double>{}});
      }
    }
  }
  std::string out = "\"(PDH-CSV 4.0) (UTC)(0)\"";
  std::size_t rows = 0;
  for (const auto& c : columns) {
    out += fmt::format(",\"{}\"", c.name);
    rows = std::max(rows, c.series.size());
  }
  out += '\n';
  const std::int64_t step = m.sample_interval().ns() / 1'000'000'000;
  const std::int64_t end = m.end().ns() / 1'000'000'000;
  for (std::size_t r = 0; r < rows; ++r) {
    out += fmt::format("\"{}\"", pdh_time(std::min(static_cast<std::int64_t>(r + 1) * step, end)));
    for (const auto& c : columns) {
      out += r < c.series.size() ? fmt::format(",\"{:.2f}\"", c.scale * c.series[r]) : std::string(",\"\"");
    }
    out += '\n';
  }
  write_file_atomically(path, out);
}

}  // namespace vdc::report
