#pragma once
/// What an area contributes to the reports, described once so that every writer serialises
/// any area without knowing it (docs/architecture.md "Reports"). An area's description
/// (AreaReportSpec, pointed to by its AreaSpec) names its columns of the host and VM tables
/// (report.json's `hosts[].<area>` and `vms[].<area>` objects and the hosts.csv / vms.csv
/// columns), its time-series and esxtop columns, its contention checks, its columns of the
/// terminal summary's host table and its own lines there. After the run, the description's
/// `fill` computes the area's AreaSection from the published metrics and the run's facts,
/// never from a model's functions.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vdc/models/report_table.hpp"
#include "vdc/sim/metrics.hpp"

namespace vdc::models {

struct RunResult;
struct HostFacts;
struct VmFacts;
struct AreaSection;

/// Which entities a metric, a column or a check belongs to.
enum class EntityKind { host, vm };

/// How a report value is written: a count as an integer, a number to six decimals, a text
/// (VM columns only: AreaSection::vm_text holds it; null when empty).
enum class ValueKind { count, number, text };

/// One value per host or per VM: a field of the entity's `<area>` object in report.json
/// and a column of hosts.csv or vms.csv.
struct ReportColumn {
  /// Key in the area's object; "a.b" puts b in an object a (consecutive keys share it).
  std::string_view json;
  std::string_view csv;   ///< header in hosts.csv / vms.csv
  std::string_view unit;  ///< "MHz", "MiB", "%", "" (a count or a ratio)
  ValueKind kind = ValueKind::number;
};

/// What a per-entity scale may read: the entity's facts (the host's for a host; the VM's
/// and, when it ran, its host's for a VM) and the area's row of that host.
struct ScaleInput {
  const HostFacts* host = nullptr;
  const VmFacts* vm = nullptr;
  std::span<const double> host_row;
};
/// A gauge's value x this = the reported unit; 0 leaves the entity out.
using ScaleFn = double (*)(const ScaleInput&);

/// How a gauge's interval series shows in hosts_timeseries.csv and vms_timeseries.csv.
enum class SeriesScale {
  as_is,
  percent,           ///< a fraction, x100
  percent_of_vcpus,  ///< a fraction of the VM's vCPUs, x100 x vCPUs (esxtop's group values)
};

/// A column of the time-series tables (one list for hosts and VMs: a column shows where an
/// entity kept the gauge's series).
struct SeriesColumn {
  std::string_view gauge;
  std::string_view header;  ///< esxtop's name where it has one, with the unit: "%RDY", "GRANT_MiB"
  SeriesScale scale = SeriesScale::as_is;
};

/// A counter of the esxtop batch-mode capture (esxtop.csv): `\\host\Object\Counter`, with
/// a VM's objects named `Object(id:vm)` as esxtop names a group.
struct EsxtopCounter {
  EntityKind entity = EntityKind::host;
  std::string_view gauge;
  std::string_view object;   ///< "Physical Cpu(_Total)", "Memory", "Group Cpu", ...
  std::string_view counter;  ///< "% Processor Time", ...
  ScaleFn scale = nullptr;   ///< nullptr: as is
};

/// A check of the contention analysis (report.json `contention`): every interval where the
/// entity's gauge x scale is above `threshold` counts as time over it.
struct ContentionCheck {
  EntityKind entity = EntityKind::vm;
  std::string_view gauge;
  std::string_view label;    ///< the offender's `metric`
  /// Its key in `contention.thresholds`; empty: a fixed rule not listed there.
  std::string_view setting;
  double threshold = 0.0;
  double scale = 1.0;
  ScaleFn per = nullptr;     ///< when set, the scale is this instead (per host, say)
  /// Checks the rows of the area's table `entities` (its key) instead of hosts or VMs: each
  /// row's first column names one, its metrics' entity is `entity_prefix` + that name, and
  /// the offender's kind is `entity_kind` ("datastore"). `per` is not used then.
  std::string_view entities = {};
  std::string_view entity_prefix = {};
  std::string_view entity_kind = {};
};

/// A column of the terminal summary's host table, from the area's row of the host.
struct TextColumn {
  std::string_view header;
  int width = 10;            ///< including the suffix
  int decimals = 0;
  std::string_view suffix;   ///< "%" after the number
  double (*value)(std::span<const double> row) = nullptr;
};

/// What a chart's functions may read of one host or VM: its facts, the area's row of it,
/// and its metrics (entity "host/<name>" or "vm/<name>").
struct ChartInput {
  const HostFacts* host = nullptr;  ///< the host (a host chart), or the VM's host
  const VmFacts* vm = nullptr;      ///< the VM (a VM chart)
  std::span<const double> row;      ///< the area's row of this host or VM
  const sim::MetricsRegistry* metrics = nullptr;
  std::string_view entity;
};
using ChartValue = double (*)(const ChartInput&);

/// The kinds of chart report.html draws from an area's description (apps/report/
/// html_report.cpp); each draws the most telling hosts or VMs (by `rank`, then `rank2`)
/// and says which ("top 24 of 38 hosts by <rank_text>").
enum class ChartKind {
  lines,    ///< one step line per host: `gauge` x `scale`, on a y axis titled `axis`
  heatmap,  ///< a row per VM: `gauge` x 100 as colour, orange at the contention threshold `setting`
  states,   ///< a row per host: which of `series` (time shares) was largest in each interval
  panels,   ///< a panel per host or VM: step lines of `series`, dashed rules at `levels`
};

/// A line of a panel, or a state of a state chart: its gauge, label and colour.
struct ChartSeries {
  std::string_view gauge;
  std::string_view label;
  std::string_view colour;
};

/// A dashed horizontal rule of a panel (a capacity, say).
struct ChartLevel {
  std::string_view label;
  std::string_view colour;
  ChartValue value = nullptr;
};

/// A chart of report.html. The strings are shown as they are; `panel_title` and
/// `fallback_title` are fmt patterns with {name}, {host} and {rank}.
struct ChartSpec {
  ChartKind kind = ChartKind::lines;
  EntityKind entity = EntityKind::host;
  std::string_view id = {};          ///< its element id: "host-cpu"
  std::string_view name = {};        ///< heads the sentence that says why it is not drawn
  std::string_view title = {};       ///< before ": <which hosts or VMs>"
  std::string_view note = {};        ///< its first subtitle line (the time resolution follows); may be empty
  std::string_view modelled = {};    ///< "Not drawn: this run did not model <modelled>." ("host CPU")
  std::string_view series_of = {};   ///< what the series hold, when they were not kept ("CPU states")
  std::size_t gauges = 0;       ///< gauges per host or VM in those series (their memory cost)
  std::string_view where = {};       ///< where the run-long figures are when the chart is not drawn
  std::string_view gauge = {};       ///< drawn (lines, heatmap) or telling whether the series exist
  ChartValue rank = nullptr;
  ChartValue rank2 = nullptr;   ///< breaks ties of `rank`
  std::string_view rank_text = {};   ///< "average usage"
  ChartValue scale = nullptr;   ///< lines: gauge x scale is drawn
  std::string_view axis = {};        ///< lines: the y axis title; heatmap: the legend ("ready %")
  std::string_view setting = {};     ///< heatmap: the contention threshold (key) where the colour turns orange
  std::string_view nothing = {};     ///< heatmap: said when every value is 0 ("no VM waited ready")
  /// heatmap: a run warning (code) that means the gauge was not modelled, and what to say then.
  std::string_view unmodelled_warning = {};
  std::string_view unmodelled_note = {};
  std::span<const ChartSeries> series = {};  ///< panels: the lines; states: the states, calmest first
  std::span<const ChartLevel> levels = {};   ///< panels
  std::string_view unit = {};                ///< panels: the y axis ("MiB")
  /// states: true (non-zero) for a host that stayed calm; when every host did, `calm_note`.
  ChartValue calm = nullptr;
  std::string_view calm_note = {};
  /// panels of hosts: a first panel of all hosts together (lines and levels summed).
  bool total = false;
  std::string_view panel_title = {};  ///< "{name}: peak consumed {rank:.0f}% of capacity"
  /// panels of VMs: only those with `rank` or `rank2` above 0 (said as "that <filtered>"),
  /// or, when none has any, the top ones by `fallback` with `fallback_title` and
  /// `fallback_note`.
  std::string_view filtered = {};
  ChartValue fallback = nullptr;
  std::string_view fallback_text = {};
  std::string_view fallback_title = {};
  std::string_view fallback_note = {};
  /// lines: moments marked by a dashed rule with a tooltip: the rows of the area's table
  /// `marks` (its key), at the seconds of column `marks_time`, labelled by `marks_label`
  /// (json keys of that table). Empty: none.
  std::string_view marks = {};
  std::string_view marks_time = {};
  std::string_view marks_label = {};
  /// lines: a line per row of the area's table `entities` (its key) instead of per host:
  /// each row's first column names it, its metrics' entity is `entity_prefix` + that name,
  /// and `entity_one` / `entity_many` say what they are ("datastore", "datastores").
  std::string_view entities = {};
  std::string_view entity_prefix = {};
  std::string_view entity_one = {};
  std::string_view entity_many = {};
};

/// A colour of a bar view, and its legend entry.
struct BarKey {
  std::string_view label;   ///< "4g instance", "used"
  std::string_view colour;  ///< "#4c78a8"
};

/// A part of a bar: [start, start + width) in the view's units, in one of the view's keys.
struct BarPart {
  std::string key;     ///< the label of one of BarsSpec::keys
  double start = 0.0;
  double width = 0.0;
  std::string label;   ///< written on the part when it is wide enough; may be empty
  std::string detail;  ///< its tooltip
};

/// A bar: one of the area's own entities (a physical GPU), `size` units long.
struct Bar {
  std::string name;    ///< its row of the chart: "mig01/0"
  std::string note;    ///< in every part's tooltip: "A100-40GB, MIG"
  double size = 0.0;
  std::vector<BarPart> parts;
};

class ReportView;

/// A view of report.html drawn as one bar per entity of the area's own, each bar made of
/// parts (a GPU as its MIG slices, or as the shares of its time): `bars` reads the area's
/// section (its tables and VM rows) and the writer draws what it returns, knowing nothing
/// of what the bars stand for.
struct BarsSpec {
  std::string_view id = {};        ///< its element id: "gpu-mig"
  std::string_view heading = {};   ///< the page's section it goes under: "GPUs"
  std::string_view title = {};     ///< "MIG slices of each GPU"
  std::string_view note = {};      ///< its subtitle
  std::string_view one = {};       ///< a bar, singular: "MIG GPU"
  std::string_view many = {};      ///< plural: "MIG GPUs" ("No MIG GPUs in this run.")
  std::string_view axis = {};      ///< the x axis: "memory slice"
  double tick = 0.0;               ///< an axis tick and grid line every `tick` units
  std::span<const BarKey> keys = {};
  std::vector<Bar> (*bars)(const ReportView& view) = nullptr;
};

/// What a run's report shows of every area: the hosts, the VMs and the sections, for the
/// functions of a description that read more than their own area's row.
class ReportView {
 public:
  ReportView(std::span<const HostFacts> hosts, std::span<const VmFacts> vms,
             std::span<const AreaSection> sections)
      : hosts_(hosts), vms_(vms), sections_(sections) {}

  [[nodiscard]] std::span<const HostFacts> hosts() const { return hosts_; }
  [[nodiscard]] std::span<const VmFacts> vms() const { return vms_; }
  [[nodiscard]] std::span<const AreaSection> sections() const { return sections_; }
  /// The section of `area`; nullptr when the area did not run.
  [[nodiscard]] const AreaSection* section(std::string_view area) const;
  /// `area`'s value of column `json` of host or VM `index`; nothing when the area did not
  /// run or has no such column.
  [[nodiscard]] std::optional<double> value(std::string_view area, EntityKind kind, std::size_t index,
                                            std::string_view json) const;

 private:
  std::span<const HostFacts> hosts_;
  std::span<const VmFacts> vms_;
  std::span<const AreaSection> sections_;
};

/// Something about the run a reader must know before trusting its numbers.
struct ReportWarning {
  std::string code;     ///< stable identifier: no_workload, vm_series_dropped, ...
  std::string message;  ///< one sentence for people
};

/// An area's description for the reports (see the file comment).
struct AreaReportSpec {
  std::string_view section = {};  ///< its key in report.json's host and VM objects: "cpu"
  std::span<const ReportColumn> host_columns = {};
  std::span<const ReportColumn> vm_columns = {};
  std::span<const SeriesColumn> series = {};
  std::span<const EsxtopCounter> esxtop = {};
  std::span<const ContentionCheck> contention = {};
  std::span<const TextColumn> host_text = {};
  /// Its charts of report.html, host charts and VM charts each in this order.
  std::span<const ChartSpec> charts = {};
  /// Column (json key) by which the terminal summary ranks the hosts when it cannot show
  /// them all ("busiest"); the first area that names one decides. Empty: none.
  std::string_view rank_hosts_by = {};
  /// Computes the section: a row per host and VM of `run` (whose metrics are finished),
  /// the area's verdict lines and warnings.
  void (*fill)(const RunResult& run, AreaSection& out) = nullptr;
  /// The area's contention score of a VM, for choosing the VMs whose series a run keeps
  /// (`--series N`): summed over the areas, highest first. nullptr: 0.
  double (*vm_score)(std::span<const double> row, const VmFacts& vm) = nullptr;
  /// Appends the area's own blocks of the terminal summary (after the host table).
  void (*text)(const ReportView& view, std::string& out) = nullptr;
  /// Its own entities (uplinks, flows, datastores, GPUs, ...), as tables that `fill` fills
  /// in this order (include/vdc/models/report_table.hpp).
  std::span<const TableSpec> tables = {};
  /// Its bar views of report.html (its own entities), each under its heading, after the
  /// VM charts.
  std::span<const BarsSpec> views = {};
};

/// One area's part of a run's report: its description and its values.
struct AreaSection {
  const AreaReportSpec* spec = nullptr;
  std::vector<double> hosts;  ///< row-major: spec->host_columns.size() per host
  std::vector<double> vms;    ///< row-major: spec->vm_columns.size() per VM
  /// One-line verdicts of the summary ("CPU: no VM above 5% ready per vCPU.").
  std::vector<std::string> verdict;
  std::vector<ReportWarning> warnings;
  /// One per entry of spec->tables, in that order.
  std::vector<ReportTable> tables;
  /// Which VMs have the area's resource (a NIC, a disk, a vGPU): the others have no
  /// `vms[].<area>` object in report.json and empty cells in vms.csv. Empty: every VM.
  std::vector<bool> vm_has;
  /// The VM columns of kind text, row-major like `vms` (empty when the area has none).
  std::vector<std::string> vm_text;

  [[nodiscard]] bool has_vm(std::size_t v) const { return vm_has.empty() || (v < vm_has.size() && vm_has[v]); }
  /// The table of `of` (one of spec->tables), or nullptr.
  [[nodiscard]] const ReportTable* table(const TableSpec& of) const {
    for (const ReportTable& t : tables) {
      if (t.spec == &of) return &t;
    }
    return nullptr;
  }
  [[nodiscard]] ReportTable* table(const TableSpec& of) {
    return const_cast<ReportTable*>(std::as_const(*this).table(of));
  }
  /// The text of VM `v`'s column `c` (a column of kind text); empty when none.
  [[nodiscard]] const std::string& text(std::size_t v, std::size_t c) const;
  [[nodiscard]] std::string_view name() const { return spec->section; }
  [[nodiscard]] std::span<const double> host_row(std::size_t h) const {
    const std::size_t n = spec->host_columns.size();
    return std::span<const double>(hosts).subspan(h * n, n);
  }
  [[nodiscard]] std::span<const double> vm_row(std::size_t v) const {
    const std::size_t n = spec->vm_columns.size();
    return std::span<const double>(vms).subspan(v * n, n);
  }
  [[nodiscard]] std::span<const double> row(EntityKind kind, std::size_t i) const {
    return kind == EntityKind::host ? host_row(i) : vm_row(i);
  }
  [[nodiscard]] std::span<const ReportColumn> columns(EntityKind kind) const {
    return kind == EntityKind::host ? spec->host_columns : spec->vm_columns;
  }
  /// Index of column `json` of `kind`, or nothing.
  [[nodiscard]] std::optional<std::size_t> column(EntityKind kind, std::string_view json) const;
};

/// Reads the published metrics of entity after entity by a few names: each name is
/// resolved once, each entity once, and a lookup is a scan of the entity's own metrics (what
/// a description's `fill` uses at 20,000 VMs). A metric that was not published reads as 0.
class MetricReader {
 public:
  using Name = std::optional<std::uint32_t>;
  explicit MetricReader(const sim::MetricsRegistry& metrics) : metrics_(metrics) {}
  [[nodiscard]] Name name(std::string_view name) const { return metrics_.name_id(name); }
  /// Reads `entity` ("host/<name>", "vm/<name>") from now on.
  void select(std::string_view entity) { of_ = metrics_.metrics_of(entity); }
  [[nodiscard]] std::optional<sim::MetricId> find(Name name) const { return metrics_.find(of_, name); }
  [[nodiscard]] double average(Name name) const {
    const auto id = find(name);
    return id ? metrics_.average(*id) : 0.0;
  }
  [[nodiscard]] double max(Name name) const {
    const auto id = find(name);
    return id ? metrics_.max(*id) : 0.0;
  }
  [[nodiscard]] double value(Name name) const {
    const auto id = find(name);
    return id ? metrics_.value(*id) : 0.0;
  }

 private:
  const sim::MetricsRegistry& metrics_;
  std::span<const sim::MetricId> of_;
};

/// Index of the column of `columns` whose json key is `json`; a description's own lookups
/// (a constant expression when `json` is one, so a misspelt key fails to compile).
[[nodiscard]] constexpr std::size_t column_index(std::span<const ReportColumn> columns, std::string_view json) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].json == json) return i;
  }
  throw "no such report column";  // NOLINT: only ever evaluated at compile time
}

}  // namespace vdc::models
