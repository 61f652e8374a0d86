#pragma once
/// The trace readers, one per format of TraceCpu (docs/traces.md "Formats"). Each parses a
/// whole file's text already in memory; read_trace_file gets that text from disk, plain or
/// gzip. TraceCache calls these; tests and fuzz targets call them directly.

#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vdc/models/trace/trace_error.hpp"
#include "vdc/models/trace/trace_series.hpp"

namespace vdc::models::trace {

/// Largest text a trace file may decompress to (1 GiB): past it the file is an error rather
/// than a machine out of memory.
inline constexpr std::size_t max_trace_text_bytes = std::size_t{1} << 30;

/// The contents of the file at `path`, gunzipped when it starts with the gzip magic bytes.
/// Throws TraceError when it cannot be read, is empty, or is a corrupt or truncated gzip.
[[nodiscard]] std::string read_trace_file(const std::string& path);

/// Decompresses gzip `data` (one or more members, as gzip writes them) with zlib; `file`
/// names it in errors. Throws TraceError on corrupt or truncated data.
[[nodiscard]] std::string gunzip(std::string_view data, const std::string& file);

/// The bitbrains column names the reader accepts: short names in file order ("cores",
/// "cpu_capacity_mhz", "cpu_mhz", "cpu_pct", "mem_capacity_kb", "mem_kb", "disk_read_kbps",
/// "disk_write_kbps", "net_rx_kbps", "net_tx_kbps").
[[nodiscard]] const std::vector<std::string_view>& bitbrains_columns();

/// The short name of bitbrains column `name`, given either as a short name or as its
/// GWA-T-12 header ("CPU usage [MHZ]", case and surrounding spaces ignored); empty when it
/// is neither.
[[nodiscard]] std::string_view bitbrains_short_name(std::string_view name);

/// Parses a GWA-T-12 (bitbrains) file: ';' separated fields with optional spaces or tabs
/// around them, an optional header row, timestamps in whole epoch seconds (the header's
/// "[ms]" notwithstanding), non-decreasing. Reads column `column` (a short name or header
/// name); every row must have the header's field count (11 without a header).
[[nodiscard]] TraceSeries parse_bitbrains(std::string_view text, const std::string& file,
                                          std::string_view column);

/// parse_bitbrains for several columns in one pass (what a VM replaying CPU and memory from
/// one file needs). Row problems (field count, timestamps, no data rows) throw; a column's
/// own problems (unknown name, missing from the header, a bad value) become its result.
[[nodiscard]] std::vector<std::variant<TraceSeries, TraceError>> parse_bitbrains_columns(
    std::string_view text, const std::string& file, std::span<const std::string_view> columns);

/// Parses a PlanetLab file as shipped with CloudSim: one integer percentage 0..100 per line,
/// line i at (i - 1) * 300 s. Trailing blank lines are allowed, others are not.
[[nodiscard]] TraceSeries parse_planetlab(std::string_view text, const std::string& file);

/// Every value column of a csv or azure file: a series, or the error its first bad value
/// raised (kept until someone asks for that column).
struct TraceTable {
  /// Header names of the value columns, in file order (the time column excluded).
  std::vector<std::string> columns;
  /// One per column: the series or its error.
  std::vector<std::variant<TraceSeries, TraceError>> results;

  /// Index of the column named `name` (exact match first, then case-insensitive), or -1.
  [[nodiscard]] int find(std::string_view name) const;
};

/// Parses the Azure V1 CSV of shared/data/azure_v1_datacentersim: header
/// "timestamp,<vm id>,...", timestamps whole row numbers, 300 s apart; values percent.
[[nodiscard]] TraceTable parse_azure(std::string_view text, const std::string& file);

/// Parses a generic delimited file (',' ';' or tab, detected from the header) with a header
/// row: column `time_column` (the first column when empty) holds seconds (any origin,
/// fractional allowed) or ISO 8601 UTC date-times ("2013-07-01 12:00:00", "T" and a "Z"
/// allowed); every other column is a value column whose unit its name gives: MHz, KB, MB,
/// GB or else percent (docs/traces.md "Formats"). Times are kept in whole
/// seconds when they all are, else in milliseconds (rounded). At least two distinct times.
[[nodiscard]] TraceTable parse_csv(std::string_view text, const std::string& file,
                                   std::string_view time_column);

}  // namespace vdc::models::trace
