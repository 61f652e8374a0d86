#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "html_assets.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

using Json = nlohmann::ordered_json;
namespace metric = models::metric;

/// Charts stay legible: at most this many hosts and VMs are drawn, the most telling first,
/// and every title says which ones ("top 24 of 38 hosts by ...").
constexpr std::size_t kMaxHosts = 24;
constexpr std::size_t kMaxVms = 40;
/// Panels of the per-host and per-VM memory charts.
constexpr std::size_t kMemoryPanels = 6;
/// At most this many time columns per chart: past it, consecutive sample intervals are
/// averaged together (a month of 5-minute intervals is 8,640, far more than pixels).
constexpr std::size_t kMaxColumns = 480;
/// At most this many ticks on a time axis, so that its labels never overlap.
constexpr std::size_t kMaxTicks = 7;

/// Makes text safe inside an HTML element.
std::string escape_html(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

/// JSON inside a <script> element: "</" would end the element early.
std::string script_json(const Json& j) {
  std::string s = j.dump();
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// 20000 -> "20,000".
std::string count_text(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string duration_text(double s) { return fmt::format("{}", sim::Time::from_seconds(s)); }

/// Rounds to `digits` decimals, so that floating-point residue (a ready share of 4e-20)
/// shows as the exact zero it stands for, and the page carries no 17-digit numbers.
double clean(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  const double r = std::round(v * scale) / scale;
  return r == 0.0 ? 0.0 : r;  // no "-0"
}
constexpr int kPctDigits = 2;  ///< percentages: 0.01 points
constexpr int kMibDigits = 1;  ///< memory: 0.1 MiB

/// "the only host", "all 12 hosts" or "top 24 of 38 hosts by average CPU used".
std::string which_text(std::size_t shown, std::size_t of, std::string_view one, std::string_view many,
                       std::string_view by) {
  if (of == 1) return fmt::format("the only {}", one);
  if (shown >= of) return fmt::format("all {} {}", count_text(of), many);
  return fmt::format("top {} of {} {} by {}", count_text(shown), count_text(of), many, by);
}

std::span<const double> series(const sim::MetricsRegistry& m, const std::string& entity, std::string_view name) {
  const auto id = m.find(entity, name);
  return id ? m.series(*id) : std::span<const double>{};
}

/// The time axis every chart over time shares: the whole run, [0, duration], in a unit that
/// suits its length, with at most kMaxTicks ticks at round values. Sample interval i covers
/// [i x step, min((i + 1) x step, duration)): a value belongs to the interval it averages,
/// drawn from its start to its end (the CSV and esxtop files stamp it with its end).
class Timeline {
 public:
  explicit Timeline(const models::RunResult& run)
      : end_s_(run.duration.seconds()), step_s_(run.sample_interval.seconds()), warmup_s_(run.warmup.seconds()) {
    const std::int64_t step_ns = std::max<std::int64_t>(1, run.sample_interval.ns());
    intervals_ = static_cast<std::size_t>(std::max<std::int64_t>(0, (run.duration.ns() + step_ns - 1) / step_ns));
    bucket_ = std::max<std::size_t>(1, (intervals_ + kMaxColumns - 1) / kMaxColumns);
    choose_unit();
    choose_ticks();
  }

  /// Start and end of a column, in the axis unit.
  [[nodiscard]] double start(std::size_t c) const { return at(static_cast<double>(c * bucket_) * step_s_); }
  [[nodiscard]] double end(std::size_t c) const {
    return at(std::min(static_cast<double>((c + 1) * bucket_) * step_s_, end_s_));
  }
  [[nodiscard]] double end() const { return at(end_s_); }
  [[nodiscard]] double warmup() const { return at(warmup_s_); }
  [[nodiscard]] bool has_warmup() const { return warmup_s_ > 0.0; }
  [[nodiscard]] std::size_t intervals() const { return intervals_; }

  /// A series by column: each the time-weighted average of the sample intervals it holds
  /// (the last interval may be shorter than the others). Empty for an empty series.
  [[nodiscard]] std::vector<double> columns(std::span<const double> s) const {
    std::vector<double> out;
    if (s.empty()) return out;
    const std::size_t n = std::min(s.size(), intervals_);
    for (std::size_t c = 0; c * bucket_ < n; ++c) {
      double sum = 0.0, len = 0.0;
      for (std::size_t i = c * bucket_; i < std::min((c + 1) * bucket_, n); ++i) {
        const double l = std::min(static_cast<double>(i + 1) * step_s_, end_s_) - static_cast<double>(i) * step_s_;
        sum += s[i] * l;
        len += l;
      }
      out.push_back(len > 0.0 ? sum / len : s[c * bucket_]);
    }
    return out;
  }

  /// The x encoding of `field`: the same domain, ticks and title on every chart.
  [[nodiscard]] Json x(std::string_view field) const {
    return {{"field", field},
            {"type", "quantitative"},
            {"title", fmt::format("simulated {}", unit_)},
            {"scale", {{"domain", {0.0, std::max(end(), 1e-6)}}, {"nice", false}, {"zero", true}}},
            {"axis", {{"values", ticks_}, {"format", format_}, {"labelOverlap", true}, {"labelFlush", true}}}};
  }

  /// How much time one value covers, for the charts' subtitles.
  [[nodiscard]] std::string resolution() const {
    if (bucket_ == 1) return fmt::format("One value per {} sample interval", duration_text(step_s_));
    return fmt::format("Each value the average of {} sample intervals ({})", bucket_,
                       duration_text(static_cast<double>(bucket_) * step_s_));
  }

 private:
  /// Seconds to the axis unit, rounded to a millionth of it.
  [[nodiscard]] double at(double seconds) const { return clean(seconds / unit_s_, 6); }

  void choose_unit() {
    if (end_s_ <= 300.0) {
      unit_s_ = 1.0, unit_ = "seconds";
    } else if (end_s_ <= 3.0 * 3600.0) {
      unit_s_ = 60.0, unit_ = "minutes";
    } else if (end_s_ <= 3.0 * 86400.0) {
      unit_s_ = 3600.0, unit_ = "hours";
    } else {
      unit_s_ = 86400.0, unit_ = "days";
    }
  }

  /// The smallest round step that gives at most kMaxTicks ticks over [0, end].
  void choose_ticks() {
    static constexpr double kSeconds[] = {0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60};
    static constexpr double kMinutes[] = {0.25, 0.5, 1, 2, 5, 10, 15, 20, 30, 60};
    static constexpr double kHours[] = {0.25, 0.5, 1, 2, 3, 4, 6, 12, 24};
    static constexpr double kDays[] = {0.25, 0.5, 1, 2, 5, 7, 10, 14, 28};
    std::span<const double> steps = unit_s_ == 1.0 ? std::span<const double>(kSeconds)
                                    : unit_s_ == 60.0 ? std::span<const double>(kMinutes)
                                    : unit_s_ == 3600.0 ? std::span<const double>(kHours)
                                                        : std::span<const double>(kDays);
    const double span = end_s_ / unit_s_;
    const auto ticks_for = [&](double step) { return static_cast<std::size_t>(std::floor(span / step + 1e-9)) + 1; };
    double step = steps.back();
    for (const double s : steps) {
      if (ticks_for(s) <= kMaxTicks) {
        step = s;
        break;
      }
    }
    while (ticks_for(step) > kMaxTicks) step *= 2.0;  // longer than the unit's table goes
    int decimals = 0;
    while (decimals < 3 && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-9) {
      ++decimals;
    }
    for (std::size_t k = 0; k < ticks_for(step); ++k) ticks_.push_back(clean(static_cast<double>(k) * step, 6));
    if (ticks_.size() < 2 && span > 0.0) {  // a run shorter than the smallest step
      ticks_.push_back(clean(span, 3));
      decimals = 3;
    }
    format_ = fmt::format(".{}~f", decimals);
  }

  double end_s_, step_s_, warmup_s_;
  std::size_t intervals_ = 0, bucket_ = 1;
  double unit_s_ = 60.0;
  std::string unit_ = "minutes";
  std::vector<double> ticks_;
  std::string format_;
};

/// A chart of the page: a Vega-Lite spec; or panels, each a spec of its own that fills the
/// page's width, under a title of the page's; or, when there is nothing to draw, a
/// sentence that says why (shown in place of the chart).
struct Chart {
  Chart(std::string chart_id, std::string chart_name) : id(std::move(chart_id)), name(std::move(chart_name)) {}
  std::string id;
  std::string name;     ///< what it shows, heading the sentence when it is not drawn
  Json spec;            ///< a single chart; null otherwise
  std::string title;    ///< panels: their title and subtitle lines
  std::vector<std::string> subtitle;
  std::vector<Json> panels;
  std::string missing;  ///< why not drawn
  [[nodiscard]] bool drawn() const { return !spec.is_null() || !panels.empty(); }
};

Chart not_drawn(const Chart& chart, std::string why) {
  Chart c(chart.id, chart.name);
  c.missing = std::move(why);
  return c;
}

Json base_spec(std::string_view title, const std::vector<std::string>& subtitle = {}) {
  Json t = {{"text", title}, {"anchor", "start"}};
  if (!subtitle.empty()) t["subtitle"] = subtitle;
  return Json{{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
              {"title", t},
              {"width", "container"},
              {"height", 220}};
}

/// The layers that shade the warm-up of a chart over time (when the run had one): the
/// intervals before it are shown but left out of every figure.
Json warmup_layers(const Timeline& t) {
  Json layers = Json::array();
  if (!t.has_warmup()) return layers;
  const Json span = {{"values", Json::array({{{"w0", 0.0}, {"w1", t.warmup()}}})}};
  layers.push_back({{"data", span},
                    {"mark", {{"type", "rect"}, {"color", "#777"}, {"opacity", 0.18}}},
                    {"encoding", {{"x", t.x("w0")}, {"x2", {{"field", "w1"}}}}}});
  layers.push_back({{"data", span},
                    {"mark", {{"type", "text"}, {"align", "right"}, {"baseline", "top"}, {"dx", -4}, {"dy", 4},
                              {"fontSize", 10}, {"color", "#333"}}},
                    {"encoding", {{"x", t.x("w1")}, {"y", {{"value", 0}}}, {"text", {{"value", "warm-up (excluded)"}}}}}});
  return layers;
}

/// Adds the warm-up shading to a chart over time (a single view or a layer).
Json mark_warmup(Json spec, const Timeline& t) {
  if (!t.has_warmup()) return spec;
  if (!spec.contains("layer")) {
    Json chart = {{"mark", spec["mark"]}, {"encoding", spec["encoding"]}};
    spec.erase("mark");
    spec.erase("encoding");
    spec["layer"] = Json::array({chart});
  }
  for (auto& l : warmup_layers(t)) spec["layer"].push_back(std::move(l));
  return spec;
}

/// Why a chart of series the run did not keep is not drawn, in words.
std::string not_kept_text(const Timeline& t, std::size_t entities, std::string_view noun, std::size_t gauges,
                          std::string_view what, std::string_view where) {
  const double mib = static_cast<double>(entities) * static_cast<double>(t.intervals()) *
                     static_cast<double>(gauges) * sizeof(double) / (1024.0 * 1024.0);
  const double budget = static_cast<double>(models::RunOptions{}.series_budget_bytes) / (1024.0 * 1024.0);
  return fmt::format(
      "Not drawn: this run did not keep the {noun}' interval series of {what}. Series cost memory, so a run keeps "
      "them within a budget ({budget:.0f} MiB by default): the hosts' series first, then the VMs' CPU states, then "
      "the VMs' memory, each only if it still fits. Here {n} {noun} \u00d7 {k} sample intervals \u00d7 {g} gauges need "
      "{mib:.0f} MiB on top of the series kept before them. The run-long figures are exact all the same: {where}. "
      "{keep}",
      fmt::arg("noun", noun), fmt::arg("what", what), fmt::arg("budget", budget),
      fmt::arg("n", count_text(entities)), fmt::arg("k", count_text(t.intervals())), fmt::arg("g", gauges),
      fmt::arg("mib", mib), fmt::arg("where", where),
      fmt::arg("keep", noun == "VMs" ? "To draw it, run with --series N (the series of the N VMs with the most "
                                       "contention, at the cost of a second run), --series all, a longer "
                                       "sample_interval or a shorter duration."
                                     : "To draw it, run with --series all, a longer sample_interval or a shorter "
                                       "duration."));
}

/// `area`'s value `key` of a host or VM of the summary (0 when the area did not run).
double host_value(const Summary& s, const models::HostFacts* h, std::string_view area, std::string_view key) {
  return s.host_value(static_cast<std::size_t>(h - s.hosts.data()), area, key);
}
double vm_value(const Summary& s, const models::VmFacts* v, std::string_view area, std::string_view key) {
  return s.vm_value(static_cast<std::size_t>(v - s.vms.data()), area, key);
}
/// The memory area's key of the time share in state k of kMemoryStates.
std::string state_key(std::size_t k) { return fmt::format("state_time_pct.{}", kMemoryStates[k]); }
bool has_warning(const Summary& s, std::string_view code) {
  return std::any_of(s.warnings.begin(), s.warnings.end(), [&](const RunWarning& w) { return w.code == code; });
}

/// Why a host chart of `gauge` cannot be drawn (empty when it can): no host, a gauge the
/// run did not model, or series it did not keep (host series go together or not at all).
std::string hosts_missing(const models::RunResult& run, const Summary& s, const Timeline& t, std::string_view gauge,
                          std::size_t gauges, std::string_view what, std::string_view where) {
  if (s.hosts.empty()) return "No host in this run.";
  bool registered = false;
  for (const auto& h : s.hosts) {
    const auto id = run.metrics.find(metric::host_entity(h.name), gauge);
    if (!id) continue;
    if (!run.metrics.series(*id).empty()) return {};
    registered = true;
  }
  if (!registered) return fmt::format("Not drawn: this run did not model host {}.", what);
  return not_kept_text(t, s.hosts.size(), "hosts", gauges, what, where);
}

/// Adds the points of one step line: a point at the start of each column, and one at the
/// end of the last, so that the line runs to the end of the run as the heatmaps do.
void add_step_line(Json& values, const Timeline& t, const std::vector<double>& cols, const Json& keys,
                   std::string_view field, const std::function<double(double)>& value) {
  for (std::size_t c = 0; c <= cols.size() && !cols.empty(); ++c) {
    Json p = keys;
    p["t"] = c < cols.size() ? t.start(c) : t.end(cols.size() - 1);
    p[std::string(field)] = value(cols[std::min(c, cols.size() - 1)]);
    values.push_back(std::move(p));
  }
}

/// Adds a heatmap cell [t0, t1) of `row`, or stretches the row's previous cell over it when
/// that has the same value: a run of equal values is one rectangle (a smaller page, and no
/// hairline seams inside it).
void add_cell(Json& cells, const std::string& row_field, const std::string& row, const std::string& field,
              const Json& value, double t0, double t1) {
  if (!cells.empty()) {
    auto& last = cells.back();
    if (last[row_field] == row && last[field] == value && last["t1"] == t0) {
      last["t1"] = t1;
      return;
    }
  }
  cells.push_back({{"t0", t0}, {"t1", t1}, {row_field, row}, {field, value}});
}

Chart host_cpu_chart(const models::RunResult& run, const Summary& s, const Timeline& t) {
  Chart chart("host-cpu", "Host CPU usage over time");
  if (auto why = hosts_missing(run, s, t, metric::host_cpu_used_mhz, 2, "CPU",
                               "each host's average is in the summary above, hosts.csv and report.json");
      !why.empty()) {
    return not_drawn(chart, std::move(why));
  }
  std::vector<const models::HostFacts*> hosts;
  for (const auto& h : s.hosts) hosts.push_back(&h);
  std::stable_sort(hosts.begin(), hosts.end(), [&](const auto* a, const auto* b) {
    return host_value(s, a, "cpu", "usage_pct_avg") > host_value(s, b, "cpu", "usage_pct_avg");
  });
  if (hosts.size() > kMaxHosts) hosts.resize(kMaxHosts);
  Json values = Json::array();
  for (const auto* h : hosts) {
    const auto cols = t.columns(series(run.metrics, metric::host_entity(h->name), metric::host_cpu_used_mhz));
    // Of the granted capacity (hyperthreads' gain included), as the text's CPU util column.
    const double cap = host_value(s, h, "cpu", "granted_capacity_mhz");
    add_step_line(values, t, cols, {{"host", h->name}}, "util",
                  [cap](double used) { return cap > 0 ? clean(100.0 * used / cap, kPctDigits) : 0.0; });
  }
  Json spec = base_spec(
      fmt::format("Host CPU usage, % of granted capacity: {}",
                  which_text(hosts.size(), s.hosts.size(), "host", "hosts", "average usage")),
      {"Used over what the CPU model grants with every logical CPU busy (the cores, plus the hyperthreads' gain). " +
       t.resolution() + "."});
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(220, 14 * hosts.size() + 20);  // room for the legend
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
  spec["encoding"] = {{"x", t.x("t")},
                      {"y", {{"field", "util"}, {"type", "quantitative"}, {"title", "CPU usage %"},
                             {"scale", {{"domainMin", 0}}}}},
                      {"color", {{"field", "host"}, {"type", "nominal"}, {"sort", nullptr}}}};
  chart.spec = mark_warmup(std::move(spec), t);
  return chart;
}

/// The lines and levels of the memory panels, in legend order, with their colours.
const Json kHostMemoryDomain = {"consumed", "saved by sharing", "ballooned", "compressed", "swapped", "capacity",
                                "capacity \u2212 minFree"};
const Json kHostMemoryRange = {"#1f77b4", "#17becf", "#ff7f0e", "#9467bd", "#d62728", "#111111", "#888888"};
const Json kVmMemoryDomain = {"granted", "active", "ballooned", "compressed", "swapped", "configured"};
const Json kVmMemoryRange = {"#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#d62728", "#111111"};

/// One panel of a memory chart: step lines of `lines` (label -> series by column) and
/// horizontal rules at `levels` (label -> MiB), coloured by label.
Json memory_panel(const Timeline& t, std::string_view title, const std::vector<std::pair<std::string, std::vector<double>>>& lines,
                  const std::vector<std::pair<std::string, double>>& levels, const Json& domain, const Json& range) {
  Json values = Json::array();
  for (const auto& [label, cols] : lines) {
    add_step_line(values, t, cols, {{"what", label}}, "mib", [](double v) { return clean(v, kMibDigits); });
  }
  const Json color = {{"field", "what"}, {"type", "nominal"}, {"title", nullptr},
                      {"scale", {{"domain", domain}, {"range", range}}}};
  const Json y = {{"field", "mib"}, {"type", "quantitative"}, {"title", "MiB"}, {"scale", {{"domainMin", 0}}}};
  Json layer = Json::array(
      {{{"data", {{"values", values}}},
        {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
        {"encoding", {{"x", t.x("t")}, {"y", y}, {"color", color}}}}});
  if (!levels.empty()) {
    Json rules = Json::array();
    for (const auto& [label, mib] : levels) rules.push_back({{"what", label}, {"mib", clean(mib, kMibDigits)}});
    layer.push_back({{"data", {{"values", rules}}},
                     {"mark", {{"type", "rule"}, {"strokeDash", {6, 3}}, {"strokeWidth", 1.5}}},
                     {"encoding", {{"y", y}, {"color", color}}}});
  }
  for (auto& l : warmup_layers(t)) layer.push_back(std::move(l));
  Json spec = base_spec(title);
  spec["title"]["fontSize"] = 12;
  spec["height"] = 120;
  spec["layer"] = std::move(layer);
  return spec;
}

void set_panels(Chart& chart, std::string title, std::vector<std::string> subtitle, std::vector<Json> panels) {
  chart.title = std::move(title);
  chart.subtitle = std::move(subtitle);
  chart.panels = std::move(panels);
}

/// Host memory against capacity: all hosts together (when there are several), then the
/// hosts that come closest to their capacity, each with its capacity and the level where
/// its free memory falls below minFree.
Chart host_memory_chart(const models::RunResult& run, const Summary& s, const Timeline& t) {
  Chart chart("host-memory", "Host memory against capacity");
  if (auto why = hosts_missing(run, s, t, metric::host_mem_consumed_mib, metric::host_memory_gauges.size(), "memory",
                               "each host's averages are in the summary above, hosts.csv and report.json");
      !why.empty()) {
    return not_drawn(chart, std::move(why));
  }
  const std::pair<std::string_view, const char*> parts[] = {{metric::host_mem_consumed_mib, "consumed"},
                                                            {metric::host_mem_shared_saved_mib, "saved by sharing"},
                                                            {metric::host_mem_balloon_mib, "ballooned"},
                                                            {metric::host_mem_compressed_mib, "compressed"},
                                                            {metric::host_mem_swapped_mib, "swapped"}};
  const auto host_lines = [&](const models::HostFacts& h) {
    std::vector<std::pair<std::string, std::vector<double>>> lines;
    for (const auto& [gauge, label] : parts) {
      lines.emplace_back(label, t.columns(series(run.metrics, metric::host_entity(h.name), gauge)));
    }
    return lines;
  };
  std::vector<Json> panels;
  if (s.hosts.size() > 1) {
    std::vector<std::pair<std::string, std::vector<double>>> total;
    double capacity = 0.0, min_free = 0.0;
    for (const auto& h : s.hosts) {
      auto lines = host_lines(h);
      if (total.empty()) {
        total = std::move(lines);
      } else {
        for (std::size_t k = 0; k < lines.size(); ++k) {
          auto& sum = total[k].second;
          if (sum.size() < lines[k].second.size()) sum.resize(lines[k].second.size(), 0.0);
          for (std::size_t i = 0; i < lines[k].second.size(); ++i) sum[i] += lines[k].second[i];
        }
      }
      capacity += host_value(s, &h, "memory", "capacity_mib");
      min_free += host_value(s, &h, "memory", "min_free_mib");
    }
    panels.push_back(memory_panel(t, fmt::format("All {} hosts together", count_text(s.hosts.size())), total,
                                  {{"capacity", capacity}, {"capacity \u2212 minFree", capacity - min_free}},
                                  kHostMemoryDomain, kHostMemoryRange));
  }
  // The hosts closest to their capacity: peak consumed over capacity, then the average.
  struct Ranked {
    const models::HostFacts* host;
    double peak_pct;
  };
  std::vector<Ranked> ranked;
  for (const auto& h : s.hosts) {
    const auto id = run.metrics.find(metric::host_entity(h.name), metric::host_mem_consumed_mib);
    const double peak = id ? run.metrics.max(*id) : 0.0;
    const double capacity = host_value(s, &h, "memory", "capacity_mib");
    ranked.push_back({&h, capacity > 0 ? 100.0 * peak / capacity : 0.0});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](const Ranked& a, const Ranked& b) {
    if (a.peak_pct != b.peak_pct) return a.peak_pct > b.peak_pct;
    return host_value(s, a.host, "memory", "consumed_mib_avg") > host_value(s, b.host, "memory", "consumed_mib_avg");
  });
  if (ranked.size() > kMemoryPanels) ranked.resize(kMemoryPanels);
  for (const auto& r : ranked) {
    const auto& h = *r.host;
    panels.push_back(memory_panel(t, fmt::format("{}: peak consumed {:.0f}% of capacity", h.name, r.peak_pct),
                                  host_lines(h),
                                  {{"capacity", host_value(s, &h, "memory", "capacity_mib")},
                                   {"capacity \u2212 minFree", host_value(s, &h, "memory", "capacity_mib") -
                                                                     host_value(s, &h, "memory", "min_free_mib")}},
                                  kHostMemoryDomain, kHostMemoryRange));
  }
  const std::string which =
      s.hosts.size() > 1
          ? fmt::format("all hosts together, then {}",
                        which_text(ranked.size(), s.hosts.size(), "host", "hosts", "peak consumed % of capacity"))
          : std::string("the only host");
  set_panels(
      chart, fmt::format("Host memory (MiB) against capacity: {}", which),
      {"Consumed above the grey dashed line (capacity − minFree) means free memory below minFree: the host is in "
       "the clear state or lower (by default soft below 64% of minFree: ballooning; hard below 32%: compression "
       "and swap; low below 16%).",
       t.resolution()},
      std::move(panels));
  return chart;
}

Chart memory_state_chart(const models::RunResult& run, const Summary& s, const Timeline& t) {
  Chart chart("memory-state", "Host memory state over time");
  if (auto why = hosts_missing(run, s, t, metric::host_mem_state_high, metric::host_memory_gauges.size(), "memory",
                               "each host's share of the run in each state is in the summary above, hosts.csv and "
                               "report.json");
      !why.empty()) {
    return not_drawn(chart, std::move(why));
  }
  // The hosts under most memory pressure: time in the lower states weighs more.
  std::vector<std::pair<const models::HostFacts*, double>> ranked;
  for (const auto& h : s.hosts) {
    double pressure = 0.0;
    for (std::size_t k = 1; k < kMemoryStates.size(); ++k) {
      pressure += std::pow(100.0, static_cast<double>(k)) * host_value(s, &h, "memory", state_key(k));
    }
    ranked.emplace_back(&h, pressure);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (ranked.size() > kMaxHosts) ranked.resize(kMaxHosts);
  const std::string_view gauges[] = {metric::host_mem_state_high, metric::host_mem_state_clear,
                                     metric::host_mem_state_soft, metric::host_mem_state_hard,
                                     metric::host_mem_state_low};
  Json values = Json::array();
  for (const auto& [h, pressure] : ranked) {
    const auto entity = metric::host_entity(h->name);
    std::vector<double> shares[std::size(gauges)];
    std::size_t n = 0;
    for (std::size_t k = 0; k < std::size(gauges); ++k) {
      shares[k] = t.columns(series(run.metrics, entity, gauges[k]));
      n = std::max(n, shares[k].size());
    }
    for (std::size_t c = 0; c < n; ++c) {
      // The state the host spent most of the interval in.
      std::size_t best = 0;
      double best_share = -1.0;
      for (std::size_t k = 0; k < std::size(gauges); ++k) {
        const double share = c < shares[k].size() ? shares[k][c] : 0.0;
        if (share > best_share) best_share = share, best = k;
      }
      add_cell(values, "host", h->name, "state", kMemoryStates[best], t.start(c), t.end(c));
    }
  }
  std::vector<std::string> subtitle;
  if (std::all_of(s.hosts.begin(), s.hosts.end(),
                  [&](const models::HostFacts& h) { return host_value(s, &h, "memory", state_key(0)) >= 100.0 - 1e-6; })) {
    subtitle.push_back("Every host stayed in the high state all the time: no memory pressure.");
  }
  subtitle.push_back("The state each host spent most of each interval in. " + t.resolution() + ".");
  Json spec = base_spec(
      fmt::format("Host memory state over time: {}",
                  which_text(ranked.size(), s.hosts.size(), "host", "hosts", "time in the lower memory states")),
      subtitle);
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(60, 22 * ranked.size());
  spec["mark"] = "rect";
  spec["encoding"] = {
      {"x", t.x("t0")},
      {"x2", {{"field", "t1"}}},
      {"y", {{"field", "host"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
      {"color",
       {{"field", "state"},
        {"type", "ordinal"},
        {"scale", {{"domain", {"high", "clear", "soft", "hard", "low"}},
                   {"range", {"#4caf50", "#cddc39", "#ffc107", "#ff5722", "#b71c1c"}}}}}},
      {"tooltip", Json::array({{{"field", "host"}}, {{"field", "state"}}, {{"field", "t0"}, {"title", "from"}},
                               {{"field", "t1"}, {"title", "to"}}})}};
  chart.spec = mark_warmup(std::move(spec), t);
  return chart;
}

std::vector<const models::VmFacts*> vms_that_ran(const Summary& s) {
  std::vector<const models::VmFacts*> vms;
  for (const auto& v : s.vms) {
    if (!v.host.empty()) vms.push_back(&v);
  }
  return vms;
}

/// The VMs among `vms` whose `gauge` kept its interval series: all of them, none (the
/// budget dropped them: `registered` then says whether the gauge exists at all), or some
/// (`vdcsim run --series N` keeps those of N VMs whatever the budget).
std::vector<const models::VmFacts*> with_series(const sim::MetricsRegistry& m, const std::vector<const models::VmFacts*>& vms,
                                          std::string_view gauge, bool& registered) {
  std::vector<const models::VmFacts*> out;
  registered = false;
  for (const auto* v : vms) {
    const auto id = m.find(metric::vm_entity(v->name), gauge);
    if (!id) continue;
    registered = true;
    if (!m.series(*id).empty()) out.push_back(v);
  }
  return out;
}

/// Said when only some VMs kept their series.
std::string partial_series_text(std::size_t kept, std::size_t ran) {
  return fmt::format("Only {} of the {} VMs that ran kept their interval series (those --series chose); the others "
                     "are not shown.",
                     count_text(kept), count_text(ran));
}

/// What a per-VM CPU heatmap shows.
struct Heatmap {
  const char* id;
  const char* name;          ///< "CPU ready per VM over time"
  std::string_view gauge;    ///< a VM CPU state share
  const char* what;          ///< "CPU ready"
  const char* legend;        ///< "ready %"
  std::string_view rank;     ///< the CPU area's VM value that ranks the VMs: "ready_pct"
  double floor_pct;          ///< the colour scale reaches at least this (the contention threshold)
  const char* nothing;       ///< said when every value is zero
};

/// Per-VM CPU state over time, the VMs with most of it first. The colour scale starts at 0
/// (light grey: nothing) and is orange at the contention threshold, so only values near it
/// look alarming; values below 0.01 points are 0.
Chart vm_heatmap_chart(const models::RunResult& run, const Summary& s, const Timeline& t, const Heatmap& k) {
  Chart chart(k.id, k.name);
  const auto ran = vms_that_ran(s);
  if (ran.empty()) return not_drawn(chart, "No VM was powered on in this run.");
  bool registered = false;
  auto vms = with_series(run.metrics, ran, k.gauge, registered);
  if (!registered) return not_drawn(chart, fmt::format("Not drawn: this run did not model {}.", k.what));
  if (vms.empty()) {
    return not_drawn(chart, not_kept_text(t, ran.size(), "VMs", 4, "CPU states",
                                             fmt::format("each VM's {} over the run is in the summary above (the ten "
                                                         "worst), vms.csv and report.json",
                                                         k.legend)));
  }
  const std::size_t candidates = vms.size();
  std::stable_sort(vms.begin(), vms.end(),
                   [&](const auto* a, const auto* b) { return vm_value(s, a, "cpu", k.rank) > vm_value(s, b, "cpu", k.rank); });
  if (vms.size() > kMaxVms) vms.resize(kMaxVms);
  Json values = Json::array();
  double peak = 0.0;
  for (const auto* v : vms) {
    const auto cols = t.columns(series(run.metrics, metric::vm_entity(v->name), k.gauge));
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const double pct = std::max(0.0, clean(100.0 * cols[c], kPctDigits));
      peak = std::max(peak, pct);
      add_cell(values, "vm", v->name, "pct", pct, t.start(c), t.end(c));
    }
  }
  std::vector<std::string> subtitle;
  if (candidates < ran.size()) subtitle.push_back(partial_series_text(candidates, ran.size()));
  if (has_warning(s, "no_workload")) {
    subtitle.push_back("No VM demanded any CPU (no workload), so CPU contention was not modelled: every value is 0.");
  } else if (peak == 0.0) {
    subtitle.push_back(fmt::format("Every value is 0: {} (nothing happened).", k.nothing));
  }
  subtitle.push_back(fmt::format("Per vCPU. {}. Colour: light grey at 0, orange at the {:g}% contention threshold, "
                                 "dark red at twice it or at the peak.",
                                 t.resolution(), k.floor_pct));
  Json spec = base_spec(fmt::format("{} % per vCPU over time: {}", k.what,
                                    which_text(vms.size(), candidates, "VM", "VMs", fmt::format("average {}", k.legend))),
                        subtitle);
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(60, 16 * vms.size());
  spec["mark"] = "rect";
  spec["encoding"] = {{"x", t.x("t0")},
                      {"x2", {{"field", "t1"}}},
                      {"y", {{"field", "vm"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
                      {"color", {{"field", "pct"}, {"type", "quantitative"}, {"title", k.legend},
                                 {"scale", {{"domain", {0.0, k.floor_pct, std::max(peak, 2.0 * k.floor_pct)}},
                                            {"range", {"#f7f7f7", "#fc8d59", "#990000"}},
                                            {"clamp", true}, {"nice", false}, {"zero", true}}}}},
                      {"tooltip", Json::array({{{"field", "vm"}}, {{"field", "t0"}, {"title", "from"}},
                                               {{"field", "t1"}, {"title", "to"}},
                                               {{"field", "pct"}, {"title", k.legend}}})}};
  chart.spec = mark_warmup(std::move(spec), t);
  return chart;
}

/// Per-VM memory over time: the VMs that had most memory reclaimed (ballooned, compressed,
/// swapped), or, when none had any, those with most memory granted.
Chart vm_memory_chart(const models::RunResult& run, const Summary& s, const Timeline& t) {
  Chart chart("vm-memory", "VM memory over time");
  const auto ran = vms_that_ran(s);
  if (ran.empty()) return not_drawn(chart, "No VM was powered on in this run.");
  bool registered = false;
  auto vms = with_series(run.metrics, ran, metric::vm_mem_granted_mib, registered);
  if (!registered) return not_drawn(chart, "Not drawn: this run did not model VM memory.");
  if (vms.empty()) {
    return not_drawn(chart, not_kept_text(t, ran.size(), "VMs", metric::vm_memory_gauges.size(), "memory",
                                             "each VM's averages and peaks are in vms.csv and report.json"));
  }
  const std::size_t candidates = vms.size();
  const auto reclaimed = [&](const models::VmFacts* v) {
    return vm_value(s, v, "memory", "balloon_mib_avg") + vm_value(s, v, "memory", "compressed_mib_avg") +
           vm_value(s, v, "memory", "swapped_mib_avg");
  };
  const auto peak_reclaimed = [&](const models::VmFacts* v) {
    return vm_value(s, v, "memory", "balloon_mib_max") + vm_value(s, v, "memory", "swapped_mib_max");
  };
  const auto had_reclaimed = [&](const models::VmFacts* v) { return reclaimed(v) > 0.0 || peak_reclaimed(v) > 0.0; };
  const bool any = std::any_of(vms.begin(), vms.end(), had_reclaimed);
  if (any) vms.erase(std::remove_if(vms.begin(), vms.end(), [&](const auto* v) { return !had_reclaimed(v); }), vms.end());
  const std::size_t ranked = vms.size();
  std::stable_sort(vms.begin(), vms.end(), [&](const auto* a, const auto* b) {
    if (any) {
      if (reclaimed(a) != reclaimed(b)) return reclaimed(a) > reclaimed(b);
      return peak_reclaimed(a) > peak_reclaimed(b);
    }
    return vm_value(s, a, "memory", "granted_mib_avg") > vm_value(s, b, "memory", "granted_mib_avg");
  });
  if (vms.size() > kMemoryPanels) vms.resize(kMemoryPanels);
  const std::pair<std::string_view, const char*> parts[] = {{metric::vm_mem_granted_mib, "granted"},
                                                            {metric::vm_mem_active_mib, "active"},
                                                            {metric::vm_mem_balloon_mib, "ballooned"},
                                                            {metric::vm_mem_compressed_mib, "compressed"},
                                                            {metric::vm_mem_swapped_mib, "swapped"}};
  std::vector<Json> panels;
  for (const auto* v : vms) {
    std::vector<std::pair<std::string, std::vector<double>>> lines;
    for (const auto& [gauge, label] : parts) {
      lines.emplace_back(label, t.columns(series(run.metrics, metric::vm_entity(v->name), gauge)));
    }
    panels.push_back(memory_panel(t,
                                  any ? fmt::format("{} on {}: {:.0f} MiB reclaimed on average", v->name, v->host, reclaimed(v))
                                      : fmt::format("{} on {}: {:.0f} MiB granted on average", v->name, v->host,
                                                    vm_value(s, v, "memory", "granted_mib_avg")),
                                  lines, {{"configured", v->memory_mib}}, kVmMemoryDomain, kVmMemoryRange));
  }
  std::vector<std::string> subtitle;
  if (candidates < ran.size()) subtitle.push_back(partial_series_text(candidates, ran.size()));
  if (!any) subtitle.push_back("No VM had memory ballooned, compressed or swapped: these are the VMs with most memory granted.");
  subtitle.push_back(t.resolution());
  std::string which;
  if (!any) {
    which = which_text(vms.size(), ranked, "VM", "VMs", "memory granted");
  } else if (vms.size() < ranked) {
    which = fmt::format("top {} of the {} VMs that had memory reclaimed, by average reclaimed (ballooned + compressed "
                        "+ swapped; {} VMs ran)", vms.size(), count_text(ranked), count_text(ran.size()));
  } else {
    which = fmt::format("{} ({} VMs ran)",
                        ranked == 1 ? std::string("the only VM that had memory reclaimed")
                                    : fmt::format("the {} VMs that had memory reclaimed", count_text(ranked)),
                        count_text(ran.size()));
  }
  set_panels(chart, fmt::format("VM memory (MiB): {}", which), std::move(subtitle), std::move(panels));
  return chart;
}

/// Headroom bars per host and threshold, for the hosts with the least headroom. The axis
/// fits the counts that are reached; a threshold not reached is drawn apart: a faint dashed
/// bar across the axis labelled "not reached", with the reason in its tooltip.
Chart capacity_chart(const Summary& s) {
  Chart chart("capacity", "Headroom per host");
  if (s.capacity.hosts.empty()) return not_drawn(chart, "No host in this run.");
  std::vector<const CapacityEntry*> hosts;
  for (const auto& e : s.capacity.hosts) hosts.push_back(&e);
  std::stable_sort(hosts.begin(), hosts.end(), [](const auto* a, const auto* b) {
    const auto& x = a->headroom_vms.vms;
    const auto& y = b->headroom_vms.vms;
    if (x.has_value() != y.has_value()) return x.has_value();  // reached first
    return x && *x < *y;
  });
  if (hosts.size() > kMaxHosts) hosts.resize(kMaxHosts);
  Json values = Json::array();
  int axis_max = 0;
  for (const auto* e : hosts) {
    const std::pair<const char*, const Headroom*> limits[] = {{"cpu_util", &e->headroom_cpu_util},
                                                              {"cpu_ready", &e->headroom_cpu_ready},
                                                              {"mem_state", &e->headroom_mem_state},
                                                              {"mem_util", &e->headroom_mem_util}};
    for (const auto& [name, h] : limits) {
      if (h->vms) axis_max = std::max(axis_max, *h->vms);
      values.push_back({{"host", e->name}, {"threshold", name}, {"reached", h->vms.has_value()},
                        {"vms", h->vms ? Json(*h->vms) : Json(nullptr)},
                        {"label", h->vms ? std::to_string(*h->vms) : std::string("not reached")},
                        {"note", h->vms ? std::string("reached") : h->note}});
    }
  }
  axis_max = std::max(axis_max, 1);
  for (auto& v : values) v["x"] = v["reached"].get<bool>() ? v["vms"] : Json(axis_max);
  Json spec = base_spec(fmt::format("Headroom: more {} VMs that fit before each threshold (estimate), {}",
                                    s.capacity.reference.name,
                                    which_text(hosts.size(), s.capacity.hosts.size(), "host", "hosts", "least headroom")));
  spec["data"] = {{"values", values}};
  const Json x = {{"field", "x"}, {"type", "quantitative"}, {"title", "VMs"},
                  {"scale", {{"domain", {0, axis_max}}, {"nice", false}}}};
  const Json tooltip = Json::array({{{"field", "host"}}, {{"field", "threshold"}}, {{"field", "label"}, {"title", "VMs"}},
                                    {{"field", "note"}}});
  spec["encoding"] = {{"y", {{"field", "host"}, {"type", "nominal"}, {"sort", nullptr}}},
                      {"yOffset", {{"field", "threshold"}}},
                      {"color", {{"field", "threshold"}, {"type", "nominal"}}},
                      {"tooltip", tooltip}};
  spec["layer"] = Json::array(
      {{{"transform", {{{"filter", "datum.reached"}}}}, {"mark", "bar"}, {"encoding", {{"x", x}}}},
       {{"transform", {{{"filter", "datum.reached"}}}},
        {"mark", {{"type", "text"}, {"align", "left"}, {"dx", 3}, {"fontSize", 9}}},
        {"encoding", {{"x", x}, {"text", {{"field", "label"}}}, {"color", {{"value", "#333"}}}}}},
       {{"transform", {{{"filter", "!datum.reached"}}}},
        {"mark", {{"type", "bar"}, {"fillOpacity", 0.15}, {"stroke", "#999"}, {"strokeDash", {3, 3}}, {"strokeWidth", 1}}},
        {"encoding", {{"x", x}}}},
       {{"transform", {{{"filter", "!datum.reached"}}}},
        {"mark", {{"type", "text"}, {"align", "right"}, {"dx", -4}, {"fontSize", 9}, {"fontStyle", "italic"}}},
        {"encoding", {{"x", x}, {"text", {{"field", "label"}}}, {"color", {{"value", "#333"}}}}}}});
  spec["height"] = {{"step", 12}};
  chart.spec = std::move(spec);
  return chart;
}

std::string contention_table(const Summary& s) {
  std::string rows;
  for (const auto& o : s.contention.offenders) {
    rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2f}</td><td>{:.2f}</td><td>{:.2f}</td>"
                        "<td>{:.0f}</td></tr>\n",
                        o.kind, escape_html(o.name), escape_html(o.host), o.metric, o.average, o.peak, o.threshold,
                        o.time_over_s);
  }
  if (rows.empty()) return "<p>No VM or host over a threshold.</p>\n";
  return fmt::format(
      "<table id=\"contention\"><thead><tr><th>kind</th><th>name</th><th>host</th><th>metric</th><th>average</th>"
      "<th>peak</th><th>threshold</th><th>time over (s)</th></tr></thead><tbody>\n{}</tbody></table>\n",
      rows);
}

/// The element of a chart: empty, for Vega-Embed to fill, or the sentence that says why
/// there is no chart.
std::string chart_div(const Chart& c) {
  if (!c.panels.empty()) {
    std::string div = fmt::format("<div class=\"chart panels\" id=\"{}\"><p class=\"chart-name\">{}</p>\n", c.id,
                                  escape_html(c.title));
    for (const auto& line : c.subtitle) div += fmt::format("<p class=\"chart-sub\">{}</p>\n", escape_html(line));
    for (std::size_t k = 0; k < c.panels.size(); ++k) div += fmt::format("<div class=\"panel\" id=\"{}-{}\"></div>\n", c.id, k);
    return div + "</div>\n";
  }
  if (!c.drawn()) {
    return fmt::format("<div class=\"chart missing\" id=\"{}\"><p class=\"chart-name\">{}</p><p class=\"note\">{}</p>"
                       "</div>\n",
                       c.id, escape_html(c.name), escape_html(c.missing));
  }
  return fmt::format("<div class=\"chart\" id=\"{}\"></div>\n", c.id);
}

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:28px}
pre{background:#f5f5f5;padding:12px;overflow-x:auto;font-size:12px}
.chart{width:100%;margin:12px 0}
.chart.missing{border:1px dashed #bbb;background:#fafafa;padding:4px 12px;box-sizing:border-box}
.chart-name{font-family:sans-serif;font-weight:bold;font-size:13px;margin:8px 0 0}
.chart-sub{font-family:sans-serif;font-size:12px;margin:2px 0}
.panels .chart-name,.panels .chart-sub{margin-left:5px}.panel{width:100%;margin:8px 0}
table{border-collapse:collapse;font-size:13px}th,td{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{cursor:pointer;background:#eee}td:nth-child(-n+4){text-align:left}
.note{color:#555;font-size:13px}
)";

constexpr std::string_view kScript = R"(
(function () {
  var errors = [];
  function record(msg) { errors.push(String(msg)); document.body.setAttribute('data-errors', String(errors.length)); }
  window.addEventListener('error', function (e) { record(e.message); });
  var consoleError = console.error;
  console.error = function () { record(Array.prototype.join.call(arguments, ' ')); consoleError.apply(console, arguments); };
  document.body.setAttribute('data-errors', '0');
  var charts = JSON.parse(document.getElementById('vdc-charts').textContent);
  Promise.all(charts.map(function (c) {
    return vegaEmbed('#' + c.id, c.spec, {renderer: 'svg', actions: false}).then(function () {
      document.getElementById(c.id).setAttribute('data-rendered', 'yes');
    });
  })).then(function () { document.body.setAttribute('data-rendered', 'all'); },
           function (e) { record(e && e.message ? e.message : e); });
  var table = document.getElementById('contention');
  if (table) {
    table.querySelectorAll('th').forEach(function (th, col) {
      th.addEventListener('click', function () {
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var asc = th.getAttribute('data-asc') !== 'true';
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent, y = b.cells[col].textContent, nx = parseFloat(x), ny = parseFloat(y);
          var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        th.setAttribute('data-asc', String(asc));
      });
    });
  }
})();
)";

}  // namespace

std::string html_report(const Summary& s, const models::RunResult& run) {
  const Timeline t(run);
  const Chart host_cpu = host_cpu_chart(run, s, t);
  const Chart host_memory = host_memory_chart(run, s, t);
  const Chart memory_state = memory_state_chart(run, s, t);
  const Chart ready = vm_heatmap_chart(run, s, t,
                                       {"ready-heatmap", "CPU ready per VM over time", metric::vm_cpu_ready, "CPU ready", "ready %",
                                        "ready_pct", s.contention.threshold("ready_pct").value_or(5.0),
                                        "no VM waited ready"});
  const Chart costop = vm_heatmap_chart(run, s, t,
                                        {"costop-heatmap", "Co-stop per VM over time", metric::vm_cpu_costop, "Co-stop", "co-stop %",
                                         "costop_pct", s.contention.threshold("costop_pct").value_or(3.0),
                                         "no VM was co-stopped"});
  const Chart vm_memory = vm_memory_chart(run, s, t);
  const Chart capacity = capacity_chart(s);

  Json charts = Json::array();
  for (const Chart* c : {&host_cpu, &host_memory, &memory_state, &ready, &costop, &vm_memory, &capacity}) {
    if (!c->spec.is_null()) charts.push_back({{"id", c->id}, {"spec", c->spec}});
    for (std::size_t k = 0; k < c->panels.size(); ++k) {
      charts.push_back({{"id", fmt::format("{}-{}", c->id, k)}, {"spec", c->panels[k]}});
    }
  }

  std::ostringstream text;
  write_text(text, s);

  std::string page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  page += fmt::format("<title>vdcsim: {}</title>\n<style>{}</style>\n", escape_html(s.scenario), kStyle);
  page += "<script>";
  page += html::vega_js();
  page += "</script>\n";
  page += "<script>";
  page += html::vega_lite_js();
  page += "</script>\n";
  page += "<script>";
  page += html::vega_embed_js();
  page += "</script>\n";
  page += "</head><body>\n";
  page += fmt::format("<h1>vdcsim report: {}{}</h1>\n", escape_html(s.scenario), s.partial ? " (partial)" : "");
  page += fmt::format("<pre>{}</pre>\n", escape_html(text.str()));
  page += "<h2>Hosts</h2>\n" + chart_div(host_cpu) + chart_div(host_memory) + chart_div(memory_state);
  page += "<h2>VMs</h2>\n" + chart_div(ready) + chart_div(costop) + chart_div(vm_memory);
  page += fmt::format("<h2>Capacity</h2>\n<p class=\"note\">{}</p>\n", escape_html(s.capacity.method));
  page += chart_div(capacity);
  page += "<h2>Contention</h2>\n<p class=\"note\">Click a column to sort.</p>\n";
  page += contention_table(s);
  page += fmt::format("<script type=\"application/json\" id=\"vdc-charts\">{}</script>\n", script_json(charts));
  page += "<script>";
  page += kScript;
  page += "</script>\n</body></html>\n";
  return page;
}

}  // namespace vdc::report
