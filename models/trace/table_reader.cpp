#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "vdc/io/csv.hpp"
#include "vdc/io/read_error.hpp"
#include "vdc/io/text.hpp"
#include "vdc/models/trace/trace_reader.hpp"

namespace vdc::models::trace {
namespace {

using io::iequals;
using io::parse_number;
using io::trim;

constexpr std::int64_t ns_per_s = 1'000'000'000;
constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr std::int64_t step_300s = 300;  // PlanetLab and Azure V1 sample every 5 minutes
// Largest |time| in seconds of a csv trace (year 2096): differences stay within int64 ns.
constexpr double max_seconds = 4e9;

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = trim(text);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

/// Reads exactly `width` digits at `s[pos]`.
std::optional<int> digits(std::string_view s, std::size_t pos, std::size_t width) {
  if (pos + width > s.size()) return std::nullopt;
  int v = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/// Nanoseconds since the epoch of "YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z]".
std::optional<std::int64_t> parse_iso_ns(std::string_view s) {
  const auto year = digits(s, 0, 4);
  const auto month = digits(s, 5, 2);
  const auto day = digits(s, 8, 2);
  const auto hour = digits(s, 11, 2);
  const auto minute = digits(s, 14, 2);
  if (!year || !month || !day || !hour || !minute || s[4] != '-' || s[7] != '-' ||
      (s[10] != 'T' && s[10] != ' ') || s[13] != ':') {
    return std::nullopt;
  }
  // Years 1900-2100 keep every difference of two times within int64 nanoseconds.
  constexpr std::array<int, 12> month_days{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*year < 1900 || *year > 2100 || *month < 1 || *month > 12 || *day < 1 ||
      *day > month_days[static_cast<std::size_t>(*month - 1)] || *hour > 23 || *minute > 59) {
    return std::nullopt;
  }
  const bool leap = (*year % 4 == 0 && *year % 100 != 0) || *year % 400 == 0;
  if (*month == 2 && *day == 29 && !leap) return std::nullopt;
  std::size_t pos = 16;
  int second = 0;
  std::int64_t fraction_ns = 0;
  if (pos < s.size() && s[pos] == ':') {
    const auto sec = digits(s, pos + 1, 2);
    if (!sec || *sec > 60) return std::nullopt;
    second = *sec;
    pos += 3;
    if (pos < s.size() && s[pos] == '.') {
      ++pos;
      std::int64_t scale = ns_per_s / 10;
      const std::size_t first_digit = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        fraction_ns += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == first_digit) return std::nullopt;
    }
  }
  if (pos < s.size() && s[pos] == 'Z') ++pos;
  if (pos != s.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(*year, *month, *day);
  return ((days * 24 + *hour) * 60 + *minute) * 60 * ns_per_s + second * ns_per_s + fraction_ns;
}

/// Nanoseconds of a time field: seconds as a decimal ("12", "-3.25", "1e3") or ISO 8601.
std::optional<std::int64_t> parse_time_ns(std::string_view text) {
  text = trim(text);
  if (text.size() >= 16 && text[4] == '-') return parse_iso_ns(text);
  if (text.find_first_of("eE") != std::string_view::npos) {
    const auto v = parse_number(text);
    if (!v || *v > max_seconds || *v < -max_seconds) return std::nullopt;
    return sim::Time::round_to_ns(*v * 1e9);
  }
  // Exact decimal arithmetic, so whole epoch seconds stay whole.
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const bool negative = !whole.empty() && whole[0] == '-';
  const std::string_view magnitude = negative ? whole.substr(1) : whole;
  if (magnitude.empty() && frac.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  if (!magnitude.empty()) {
    const auto w = parse_int(magnitude);
    if (!w || *w < 0 || *w > static_cast<std::int64_t>(max_seconds)) return std::nullopt;
    seconds = *w;
  }
  std::int64_t ns = 0;
  std::int64_t scale = ns_per_s / 10;
  for (const char c : frac) {
    if (c < '0' || c > '9') return std::nullopt;
    ns += (c - '0') * scale;
    scale /= 10;
  }
  const std::int64_t total = seconds * ns_per_s + ns;
  return negative ? -total : total;
}

/// Unit of a csv value column, from the end of its name (brackets, parentheses and spaces
/// at the end ignored, case-insensitive): MHz when it ends in "mhz"; KB, MB or GB when it
/// ends in a separate word "kb"/"kib", "mb"/"mib" or "gb"/"gib" (after '_', '-', ' ', '['
/// or '(', or the whole name); else percent of the VM.
TraceUnit csv_unit(std::string_view name) {
  while (!name.empty() && (name.back() == ']' || name.back() == ')' || name.back() == ' ')) {
    name.remove_suffix(1);
  }
  if (name.size() >= 3 && iequals(name.substr(name.size() - 3), "mhz")) return TraceUnit::mhz;
  const auto ends_in_word = [name](std::string_view word) {
    if (name.size() < word.size() || !iequals(name.substr(name.size() - word.size()), word)) {
      return false;
    }
    if (name.size() == word.size()) return true;
    const char before = name[name.size() - word.size() - 1];
    return before == '_' || before == '-' || before == ' ' || before == '[' || before == '(';
  };
  if (ends_in_word("kb") || ends_in_word("kib")) return TraceUnit::kilobytes;
  if (ends_in_word("mb") || ends_in_word("mib")) return TraceUnit::megabytes;
  if (ends_in_word("gb") || ends_in_word("gib")) return TraceUnit::gigabytes;
  return TraceUnit::percent;
}

enum class TimeMode { azure_rows, seconds_or_iso };

TraceTable read_table(std::string_view text, const std::string& file, char delimiter,
                      std::string_view time_column, TimeMode mode) {
  io::CsvReader reader(text, file, delimiter);
  std::vector<std::string> header;
  if (!reader.next_row(header)) {
    throw TraceError({file, 0, 0, {}}, "the file has no header row", "a header naming the columns");
  }
  for (auto& h : header) h = std::string(trim(h));
  std::size_t time_index = header.size();
  if (time_column.empty()) {
    time_index = 0;
  } else {
    for (std::size_t i = 0; i < header.size() && time_index == header.size(); ++i) {
      if (header[i] == time_column) time_index = i;
    }
    for (std::size_t i = 0; i < header.size() && time_index == header.size(); ++i) {
      if (iequals(header[i], time_column)) time_index = i;
    }
  }
  if (time_index == header.size()) {
    throw TraceError({file, reader.line(), 0, {}},
                     fmt::format("missing time column '{}'", time_column),
                     fmt::format("one of the header's columns: {}", fmt::join(header, ", ")));
  }

  const std::size_t width = header.size();
  std::vector<std::int64_t> times;
  std::vector<std::vector<double>> values(width);
  std::vector<std::optional<TraceError>> errors(width);
  std::vector<std::string> fields;
  while (reader.next_row(fields)) {
    const int line = reader.line();
    if (fields.size() != width) {
      throw TraceError({file, line, 0, {}}, fmt::format("the row has {} fields", fields.size()),
                       fmt::format("{} fields like the header", width));
    }
    const int time_field = static_cast<int>(time_index) + 1;
    std::optional<std::int64_t> t;
    if (mode == TimeMode::azure_rows) {
      t = parse_int(fields[time_index]);
      if (t && (*t < 0 || *t > std::numeric_limits<std::uint32_t>::max())) t.reset();
      if (!t) {
        throw TraceError({file, line, time_field, header[time_index]},
                         fmt::format("'{}' is not a row number", fields[time_index]),
                         "a whole number counting 5-minute steps");
      }
      *t *= step_300s;
    } else {
      t = parse_time_ns(fields[time_index]);
      if (!t) {
        throw TraceError({file, line, time_field, header[time_index]},
                         fmt::format("'{}' is not a time", fields[time_index]),
                         "seconds, like 300 or 1.5, or an ISO 8601 date-time");
      }
    }
    if (!times.empty() && *t < times.back()) {
      throw TraceError({file, line, time_field, header[time_index]},
                       fmt::format("'{}' is before the previous row's time", fields[time_index]),
                       "non-decreasing times");
    }
    times.push_back(*t);
    for (std::size_t c = 0; c < width; ++c) {
      if (c == time_index || errors[c]) continue;
      const auto v = parse_number(fields[c]);
      if (!v || *v < 0.0 || *v > std::numeric_limits<float>::max()) {
        errors[c] = TraceError({file, line, static_cast<int>(c) + 1, header[c]},
                               fmt::format("'{}' is not a usable value", fields[c]),
                               "a non-negative decimal number");
        continue;
      }
      values[c].push_back(*v);
    }
  }
  if (times.empty()) {
    throw TraceError({file, 0, 0, {}}, "the trace has no data rows", "at least one row of samples");
  }

  sim::Time tick = sim::Time::from_ns(ns_per_s);
  std::int64_t single_step = step_300s;
  if (mode == TimeMode::seconds_or_iso) {
    bool whole_seconds = true;
    for (const std::int64_t t : times)
      whole_seconds = whole_seconds && (t - times.front()) % ns_per_s == 0;
    const std::int64_t unit = whole_seconds ? ns_per_s : ns_per_ms;
    tick = sim::Time::from_ns(unit);
    const std::int64_t origin = times.front();
    // Nearest tick, ties up: times stay non-decreasing.
    for (auto& t : times) t = (t - origin + unit / 2) / unit;
    single_step = 0;
  }

  TraceTable table;
  for (std::size_t c = 0; c < width; ++c) {
    if (c == time_index) continue;
    table.columns.push_back(header[c]);
    if (errors[c]) {
      table.results.emplace_back(*errors[c]);
      continue;
    }
    const TraceUnit unit = mode == TimeMode::azure_rows ? TraceUnit::percent : csv_unit(header[c]);
    RawSamples raw{times, std::move(values[c])};
    table.results.emplace_back(
        compact(raw, fmt::format("{} column {}", file, header[c]), file, unit, tick, single_step));
  }
  return table;
}

/// read_table, with the CSV reader's errors (a broken quoted field) as TraceErrors.
TraceTable parse_table(std::string_view text, const std::string& file, char delimiter,
                       std::string_view time_column, TimeMode mode) {
  try {
    return read_table(text, file, delimiter, time_column, mode);
  } catch (const io::ReadError& e) {
    throw TraceError({e.file(), e.line(), e.field(), {}}, e.problem(), e.expected());
  }
}

}  // namespace

int TraceTable::find(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return static_cast<int>(i);
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (iequals(columns[i], name)) return static_cast<int>(i);
  }
  return -1;
}

TraceTable parse_azure(std::string_view text, const std::string& file) {
  return parse_table(text, file, ',', {}, TimeMode::azure_rows);
}

TraceTable parse_csv(std::string_view text, const std::string& file, std::string_view time_column) {
  return parse_table(text, file, io::detect_delimiter(text), time_column, TimeMode::seconds_or_iso);
}

TraceSeries parse_planetlab(std::string_view text, const std::string& file) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' ||
                           text.back() == '\t')) {
    text.remove_suffix(1);
  }
  if (text.empty()) {
    throw TraceError({file, 0, 0, {}}, "the trace has no data rows", "one percentage per line");
  }
  RawSamples raw;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto v = parse_int(line);
    if (!v || *v < 0 || *v > 100) {
      throw TraceError({file, line_no, 1, {}}, fmt::format("'{}' is not a percentage", line),
                       "a whole number from 0 to 100");
    }
    raw.times.push_back(static_cast<std::int64_t>(line_no - 1) * step_300s);
    raw.values.push_back(static_cast<double>(*v));
  }
  return compact(raw, file, file, TraceUnit::percent, sim::Time::from_ns(ns_per_s), step_300s);
}

}  // namespace vdc::models::trace
