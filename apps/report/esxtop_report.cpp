#include <algorithm>
#include <cstdint>
#include <map>
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
  auto add = [&](const std::string& entity, std::string_view gauge, std::string name, double scale) {
    const auto id = m.find(entity, gauge);
    if (id && !m.series(*id).empty()) columns.push_back({std::move(name), m.series(*id), scale});
  };
  std::map<std::string, double> core_mhz;
  for (const auto& h : run.hosts) {
    core_mhz[h.name] = h.pcpus > 0 ? h.capacity_mhz / h.pcpus : 0.0;
    const auto e = metric::host_entity(h.name);
    const std::string p = fmt::format("\\\\{}", h.name);
    // Of the capacity the CPU model grants (hyperthreads included), as esxtop's per-thread
    // average never passes 100%.
    const double granted = h.granted_capacity_mhz > 0 ? h.granted_capacity_mhz : h.capacity_mhz;
    if (granted > 0) add(e, metric::host_cpu_used_mhz, p + "\\Physical Cpu(_Total)\\% Processor Time", 100.0 / granted);
    add(e, metric::host_mem_free_mib, p + "\\Memory\\Free MBytes", 1.0);
    add(e, metric::host_mem_balloon_mib, p + "\\Memory\\Memctl Current MBytes", 1.0);
    add(e, metric::host_mem_swapped_mib, p + "\\Memory\\Swap Used MBytes", 1.0);
  }
  for (std::size_t i = 0; i < run.vms.size(); ++i) {
    const auto& v = run.vms[i];
    if (v.host.empty()) continue;
    const auto e = metric::vm_entity(v.name);
    // esxtop's group counters add up the vCPUs: a 4-vCPU VM fully ready shows 400% ready.
    const double per_group = 100.0 * v.vcpus;
    const std::string g = fmt::format("\\\\{}\\Group Cpu({}:{})\\", v.host, 1000 + i, v.name);
    if (core_mhz[v.host] > 0) add(e, metric::vm_cpu_used_mhz, g + "% Used", 100.0 / core_mhz[v.host]);
    add(e, metric::vm_cpu_run, g + "% Run", per_group);
    add(e, metric::vm_cpu_ready, g + "% Ready", per_group);
    add(e, metric::vm_cpu_costop, g + "% CoStop", per_group);
    add(e, metric::vm_cpu_wait, g + "% Wait", per_group);
    const std::string gm = fmt::format("\\\\{}\\Group Memory({}:{})\\", v.host, 1000 + i, v.name);
    add(e, metric::vm_mem_balloon_mib, gm + "Memctl MBytes", 1.0);
    add(e, metric::vm_mem_compressed_mib, gm + "Zipped MBytes", 1.0);
    add(e, metric::vm_mem_swapped_mib, gm + "Swapped MBytes", 1.0);
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
