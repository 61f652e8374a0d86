#pragma once
/// Report writers: terminal summary, CSV tables and time series, esxtop capture,
/// report.json and report.html. They know no model area: each area's part comes from its
/// description (include/vdc/models/area_report.hpp) through Summary::sections and
/// RunResult::sections. Files are written whole or not at all (write_file_atomically).

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "vdc/models/run_result.hpp"
#include "vdc/report/summary.hpp"

namespace vdc::report {

/// report.json's text (docs/scenario.md "report.json"), keys in a stable order, laid out as
/// nlohmann::json's dump(2) with a final newline; written as it goes, without a tree.
[[nodiscard]] std::string report_json(const Summary& summary);
/// report_json(summary) written to `path` as write_file_atomically writes a file, a piece
/// at a time while the rest is made (io::AtomicFileWriter). Throws std::runtime_error.
void write_report_json(const std::filesystem::path& path, const Summary& summary);

/// The same document parsed, for code that reads it (tests, tools).
[[nodiscard]] nlohmann::ordered_json to_json(const Summary& summary);

/// The terminal summary: a few lines of verdict, the hosts, and the ten worst VMs by
/// ready time; never one line per VM of a large run.
void write_text(std::ostream& out, const Summary& summary);

/// hosts.csv and vms.csv: one row per host and VM with the summary's fields.
void write_summary_csv(const std::filesystem::path& dir, const Summary& summary);

/// hosts_timeseries.csv and vms_timeseries.csv: one row per (sample interval, entity), in
/// scenario order, one column per metric that kept its interval series, named as esxtop
/// names it where it has a name, with the unit (docs/report.md "Time series"). `only_vms`:
/// the VMs whose rows are written (`--series N`); none: every VM that kept series.
void write_timeseries_csv(const std::filesystem::path& dir, const models::RunResult& run,
                          const std::optional<std::vector<std::string>>& only_vms = std::nullopt);

/// The gauges of `vms` that vms_timeseries.csv shows, as (entity, name) pairs of `run`'s
/// registry: what a second run of the same scenario keeps (RunOptions::keep_series) to
/// write those VMs' rows.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> vm_series_gauges(const models::RunResult& run,
                                                                              const std::vector<std::string>& vms);

/// An esxtop batch-mode CSV (perfmon "PDH-CSV 4.0" layout): one row per sample interval,
/// one column per host or VM counter named as esxtop names it, e.g.
/// `\\esx01\Group Cpu(1000:web01)\% Ready`, so tools that read esxtop captures open it.
void write_esxtop_csv(const std::filesystem::path& path, const models::RunResult& run);

/// report.html: one self-contained page (the charting libraries inlined, no network needed)
/// with the text summary, every area's charts (AreaReportSpec::charts: the host charts of
/// all areas, then their VM charts), capacity headroom bars and the sortable contention
/// table.
[[nodiscard]] std::string html_report(const Summary& summary, const models::RunResult& run);

/// `s` made safe inside an HTML element or attribute (& < > " escaped); report.html and
/// sweep.html use it.
[[nodiscard]] std::string escape_html(std::string_view s);

/// Writes `content` to `path` through a temporary file in the same folder renamed into
/// place, so a reader never sees a half-written file. Throws std::runtime_error on failure.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace vdc::report
