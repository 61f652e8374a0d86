#include <array>
#include <charconv>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "vdc/models/trace/csv_reader.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::models::trace {
namespace {

struct BitbrainsColumn {
  std::string_view short_name;
  std::string_view header;
  TraceUnit unit;
};

// GWA-T-12 columns after the timestamp, in file order (shared/data/bitbrains_rnd/SOURCE.txt).
constexpr std::array<BitbrainsColumn, 10> known_columns{{
    {"cores", "CPU cores", TraceUnit::count},
    {"cpu_capacity_mhz", "CPU capacity provisioned [MHZ]", TraceUnit::mhz},
    {"cpu_mhz", "CPU usage [MHZ]", TraceUnit::mhz},
    {"cpu_pct", "CPU usage [%]", TraceUnit::percent},
    {"mem_capacity_kb", "Memory capacity provisioned [KB]", TraceUnit::kilobytes},
    {"mem_kb", "Memory usage [KB]", TraceUnit::kilobytes},
    {"disk_read_kbps", "Disk read throughput [KB/s]", TraceUnit::kilobytes_per_second},
    {"disk_write_kbps", "Disk write throughput [KB/s]", TraceUnit::kilobytes_per_second},
    {"net_rx_kbps", "Network received throughput [KB/s]", TraceUnit::kilobytes_per_second},
    {"net_tx_kbps", "Network transmitted throughput [KB/s]", TraceUnit::kilobytes_per_second},
}};
constexpr std::string_view time_header = "Timestamp [ms]";
constexpr std::int64_t nominal_step_s = 300;  // GWA-T-12 samples every 5 minutes

const BitbrainsColumn* find_column(std::string_view name) {
  name = trim(name);
  for (const auto& c : known_columns) {
    if (iequals(name, c.short_name) || iequals(name, c.header)) return &c;
  }
  return nullptr;
}

/// Splits `line` at ';' into `fields` (trimmed); returns the field count.
std::size_t split(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  while (true) {
    const std::size_t semi = line.find(';');
    fields.push_back(trim(line.substr(0, semi)));
    if (semi == std::string_view::npos) break;
    line.remove_prefix(semi + 1);
  }
  return fields.size();
}

bool is_header(std::string_view line) {
  line = trim(line);
  return !line.empty() &&
         ((line[0] >= 'A' && line[0] <= 'Z') || (line[0] >= 'a' && line[0] <= 'z'));
}

}  // namespace

const std::vector<std::string_view>& bitbrains_columns() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& c : known_columns) v.push_back(c.short_name);
    return v;
  }();
  return names;
}

std::string_view bitbrains_short_name(std::string_view name) {
  const BitbrainsColumn* c = find_column(name);
  return c != nullptr ? c->short_name : std::string_view{};
}

TraceSeries parse_bitbrains(std::string_view text, const std::string& file,
                            std::string_view column) {
  const BitbrainsColumn* wanted = find_column(column.empty() ? "cpu_mhz" : column);
  if (wanted == nullptr) {
    throw TraceError({file, 0, 0, {}}, fmt::format("unknown bitbrains column '{}'", column),
                     fmt::format("one of {}", fmt::join(bitbrains_columns(), ", ")));
  }
  std::vector<std::string> header{std::string(time_header)};
  for (const auto& c : known_columns) header.emplace_back(c.header);
  std::size_t time_index = 0;
  std::size_t value_index = static_cast<std::size_t>(wanted - known_columns.data()) + 1;

  RawSamples raw;
  raw.times.reserve(text.size() / 96);
  raw.values.reserve(text.size() / 96);
  std::vector<std::string_view> fields;
  int line_no = 0;
  bool first = true;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_no == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
    if (trim(line).empty()) continue;
    const std::size_t count = split(line, fields);
    if (first && is_header(line)) {
      first = false;
      header.assign(fields.begin(), fields.end());
      time_index = header.size();
      value_index = header.size();
      for (std::size_t i = 0; i < header.size(); ++i) {
        if (iequals(header[i].substr(0, 9), "timestamp") && time_index == header.size())
          time_index = i;
        if (find_column(header[i]) == wanted) value_index = i;
      }
      if (time_index == header.size()) {
        throw TraceError({file, line_no, 0, {}}, "missing column 'Timestamp [ms]'",
                         "a GWA-T-12 header starting with 'Timestamp [ms]'");
      }
      if (value_index == header.size()) {
        throw TraceError(
            {file, line_no, 0, {}},
            fmt::format("missing column '{}' ({})", wanted->header, wanted->short_name),
            "a GWA-T-12 header with that column");
      }
      continue;
    }
    first = false;
    if (count != header.size()) {
      throw TraceError({file, line_no, 0, {}}, fmt::format("the row has {} fields", count),
                       fmt::format("{} fields separated by ';'", header.size()));
    }
    const std::string_view time_text = fields[time_index];
    std::int64_t t = 0;
    const auto [tend, tec] =
        std::from_chars(time_text.data(), time_text.data() + time_text.size(), t);
    if (tec != std::errc{} || tend != time_text.data() + time_text.size() || t < 0) {
      throw TraceError({file, line_no, static_cast<int>(time_index) + 1, header[time_index]},
                       fmt::format("'{}' is not a timestamp", time_text),
                       "whole epoch seconds, like 1372629804");
    }
    if (!raw.times.empty() && t < raw.times.back()) {
      throw TraceError(
          {file, line_no, static_cast<int>(time_index) + 1, header[time_index]},
          fmt::format("timestamp {} is before the previous row's {}", t, raw.times.back()),
          "non-decreasing timestamps");
    }
    const std::optional<double> v = parse_number(fields[value_index]);
    if (!v || *v < 0.0 || *v > std::numeric_limits<float>::max()) {
      throw TraceError({file, line_no, static_cast<int>(value_index) + 1, header[value_index]},
                       fmt::format("'{}' is not a usable value", fields[value_index]),
                       "a non-negative decimal number");
    }
    raw.times.push_back(t);
    raw.values.push_back(*v);
  }
  if (raw.times.empty()) {
    throw TraceError({file, 0, 0, {}}, "the trace has no data rows", "at least one row of samples");
  }
  return compact(raw, fmt::format("{} column {}", file, wanted->short_name), file, wanted->unit,
                 sim::Time::from_ns(1'000'000'000), nominal_step_s);
}

}  // namespace vdc::models::trace
