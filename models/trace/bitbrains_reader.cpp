#include <array>
#include <charconv>
#include <cstring>
#include <limits>
#include <optional>
#include <span>
#include <variant>

#include <fmt/format.h>

#include "vdc/io/text.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::models::trace {
namespace {

using io::iequals;
using io::parse_number;
using io::trim;

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

std::vector<std::variant<TraceSeries, TraceError>> parse_bitbrains_columns(
    std::string_view text, const std::string& file, std::span<const std::string_view> columns) {
  // Per column asked for: the known column, its field index, samples, and its first error.
  struct Wanted {
    const BitbrainsColumn* column = nullptr;
    std::size_t index = 0;
    RawSamples raw;
    std::optional<TraceError> error;
  };
  std::vector<Wanted> wanted(columns.size());
  std::vector<std::string> header{std::string(time_header)};
  for (const auto& c : known_columns) header.emplace_back(c.header);
  std::size_t time_index = 0;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    Wanted& w = wanted[k];
    w.column = find_column(columns[k].empty() ? "cpu_mhz" : columns[k]);
    if (w.column == nullptr) {
      w.error.emplace(TraceErrorSite{file, 0, 0, {}},
                      fmt::format("unknown bitbrains column '{}'", columns[k]),
                      fmt::format("one of {}", fmt::join(bitbrains_columns(), ", ")));
      continue;
    }
    w.index = static_cast<std::size_t>(w.column - known_columns.data()) + 1;
    w.raw.times.reserve(text.size() / 96);
    w.raw.values.reserve(text.size() / 96);
  }

  std::vector<std::int64_t> times;  // of every data row, for the row checks
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
      for (std::size_t i = 0; i < header.size(); ++i) {
        if (iequals(header[i].substr(0, 9), "timestamp") && time_index == header.size())
          time_index = i;
      }
      if (time_index == header.size()) {
        throw TraceError({file, line_no, 0, {}}, "missing column 'Timestamp [ms]'",
                         "a GWA-T-12 header starting with 'Timestamp [ms]'");
      }
      for (Wanted& w : wanted) {
        if (w.error) continue;
        w.index = header.size();
        for (std::size_t i = 0; i < header.size(); ++i) {
          if (find_column(header[i]) == w.column) w.index = i;
        }
        if (w.index == header.size()) {
          w.error.emplace(
              TraceErrorSite{file, line_no, 0, {}},
              fmt::format("missing column '{}' ({})", w.column->header, w.column->short_name),
              "a GWA-T-12 header with that column");
        }
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
    if (!times.empty() && t < times.back()) {
      throw TraceError(
          {file, line_no, static_cast<int>(time_index) + 1, header[time_index]},
          fmt::format("timestamp {} is before the previous row's {}", t, times.back()),
          "non-decreasing timestamps");
    }
    times.push_back(t);
    // A bad value spoils its own column only: a column nobody asked for may hold anything.
    for (Wanted& w : wanted) {
      if (w.error) continue;
      const std::optional<double> v = parse_number(fields[w.index]);
      if (!v || *v < 0.0 || *v > std::numeric_limits<float>::max()) {
        w.error.emplace(
            TraceErrorSite{file, line_no, static_cast<int>(w.index) + 1, header[w.index]},
            fmt::format("'{}' is not a usable value", fields[w.index]),
            "a non-negative decimal number");
        continue;
      }
      w.raw.times.push_back(t);
      w.raw.values.push_back(*v);
    }
  }
  if (times.empty()) {
    throw TraceError({file, 0, 0, {}}, "the trace has no data rows", "at least one row of samples");
  }
  std::vector<std::variant<TraceSeries, TraceError>> results;
  results.reserve(wanted.size());
  for (Wanted& w : wanted) {
    if (w.error) {
      results.emplace_back(std::move(*w.error));
    } else {
      results.emplace_back(compact(w.raw, fmt::format("{} column {}", file, w.column->short_name),
                                   file, w.column->unit, sim::Time::from_ns(1'000'000'000),
                                   nominal_step_s));
    }
  }
  return results;
}

TraceSeries parse_bitbrains(std::string_view text, const std::string& file,
                            std::string_view column) {
  auto results = parse_bitbrains_columns(text, file, std::span(&column, 1));
  if (auto* error = std::get_if<TraceError>(&results.front())) throw std::move(*error);
  return std::move(std::get<TraceSeries>(results.front()));
}

}  // namespace vdc::models::trace
