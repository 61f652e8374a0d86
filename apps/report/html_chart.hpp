#pragma once
/// What the charts of report.html are built from (apps/report/html_charts.cpp,
/// html_report.cpp): the shared time axis, a chart or its panels, the Vega-Lite base, the
/// warm-up shading, the words said when a chart cannot be drawn, and area_chart(), which
/// draws an area's ChartSpec of one of the four kinds (models::ChartKind).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/summary.hpp"

namespace vdc::report::html_chart {

using Json = nlohmann::ordered_json;
namespace metric = models::metric;

/// Charts stay legible: at most this many hosts and VMs are drawn, the most telling first,
/// and every title says which ones ("top 24 of 38 hosts by ...").
inline constexpr std::size_t kMaxHosts = 24;
inline constexpr std::size_t kMaxVms = 40;
/// Panels of the per-host and per-VM memory charts.
inline constexpr std::size_t kMemoryPanels = 6;
/// At most this many time columns per chart: past it, consecutive sample intervals are
/// averaged together (a month of 5-minute intervals is 8,640, far more than pixels).
inline constexpr std::size_t kMaxColumns = 480;
/// At most this many ticks on a time axis, so that its labels never overlap.
inline constexpr std::size_t kMaxTicks = 7;

/// 20000 -> "20,000".
inline std::string count_text(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

inline std::string duration_text(double s) { return fmt::format("{}", sim::Time::from_seconds(s)); }

/// Rounds to `digits` decimals, so that floating-point residue (a ready share of 4e-20)
/// shows as the exact zero it stands for, and the page carries no 17-digit numbers.
inline double clean(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  const double r = std::round(v * scale) / scale;
  return r == 0.0 ? 0.0 : r;  // no "-0"
}
inline constexpr int kPctDigits = 2;  ///< percentages: 0.01 points
inline constexpr int kMibDigits = 1;  ///< memory: 0.1 MiB

/// "the only host", "all 12 hosts" or "top 24 of 38 hosts by average CPU used".
inline std::string which_text(std::size_t shown, std::size_t of, std::string_view one, std::string_view many,
                       std::string_view by) {
  if (of == 1) return fmt::format("the only {}", one);
  if (shown >= of) return fmt::format("all {} {}", count_text(of), many);
  return fmt::format("top {} of {} {} by {}", count_text(shown), count_text(of), many, by);
}

inline std::span<const double> series(const sim::MetricsRegistry& m, const std::string& entity, std::string_view name) {
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

  /// `seconds` of simulated time in the axis unit.
  [[nodiscard]] double axis(double seconds) const { return at(seconds); }

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

inline Chart not_drawn(const Chart& chart, std::string why) {
  Chart c(chart.id, chart.name);
  c.missing = std::move(why);
  return c;
}

inline Json base_spec(std::string_view title, const std::vector<std::string>& subtitle = {}) {
  Json t = {{"text", title}, {"anchor", "start"}};
  if (!subtitle.empty()) t["subtitle"] = subtitle;
  return Json{{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
              {"title", t},
              {"width", "container"},
              {"height", 220}};
}

/// The layers that shade the warm-up of a chart over time (when the run had one): the
/// intervals before it are shown but left out of every figure.
inline Json warmup_layers(const Timeline& t) {
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
inline Json mark_warmup(Json spec, const Timeline& t) {
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
inline std::string not_kept_text(const Timeline& t, std::size_t entities, std::string_view noun, std::size_t gauges,
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
                                       "contention, at the cost of a second run), a larger --series-budget, "
                                       "--series all, a longer sample_interval or a shorter duration."
                                     : "To draw it, run with a larger --series-budget, --series all, a longer "
                                       "sample_interval or a shorter duration."));
}

/// Adds the points of one step line: a point at the start of each column, and one at the
/// end of the last, so that the line runs to the end of the run as the heatmaps do.
inline void add_step_line(Json& values, const Timeline& t, const std::vector<double>& cols, const Json& keys,
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
inline void add_cell(Json& cells, const std::string& row_field, const std::string& row, const std::string& field,
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

/// The chart `c` of `section`'s area (see models::ChartSpec), drawn, or the sentence
/// that says why it is not.
[[nodiscard]] Chart area_chart(const models::RunResult& run, const Summary& s, const Timeline& t,
                               const models::AreaSection& section, const models::ChartSpec& c);

}  // namespace vdc::report::html_chart
