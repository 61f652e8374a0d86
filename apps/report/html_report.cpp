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

/// A host or VM a chart may draw, with what the chart's functions read of it.
struct Drawn {
  std::string name;
  std::string host;    ///< a VM's host
  std::string entity;  ///< its metrics' entity
  models::ChartInput in;
  double rank = 0.0, rank2 = 0.0;
};

double value_of(models::ChartValue f, const models::ChartInput& in) { return f != nullptr ? f(in) : 0.0; }

/// The hosts of the run, or the VMs that ran, each with the area's row and its ranks.
std::vector<Drawn> candidates(const models::RunResult& run, const Summary& s, const models::AreaSection& section,
                              const models::ChartSpec& c) {
  std::vector<Drawn> out;
  if (c.entity == models::EntityKind::host) {
    for (std::size_t i = 0; i < s.hosts.size(); ++i) {
      out.push_back({s.hosts[i].name, s.hosts[i].name, metric::host_entity(s.hosts[i].name),
                     {&s.hosts[i], nullptr, section.host_row(i), &run.metrics, {}}});
    }
  } else {
    for (std::size_t i = 0; i < s.vms.size(); ++i) {
      if (s.vms[i].host.empty()) continue;
      out.push_back({s.vms[i].name, s.vms[i].host, metric::vm_entity(s.vms[i].name),
                     {nullptr, &s.vms[i], section.vm_row(i), &run.metrics, {}}});
    }
  }
  for (auto& d : out) {
    d.in.entity = d.entity;
    d.rank = value_of(c.rank, d.in);
    d.rank2 = value_of(c.rank2, d.in);
  }
  return out;
}

/// Keeps the candidates whose `gauge` kept its interval series; says why nothing is drawn
/// when none did (empty when some did): no host or VM, a gauge the run did not model, or
/// series it did not keep. `kept_all`: every candidate kept them.
std::string keep_with_series(const models::RunResult& run, const Timeline& t, const models::ChartSpec& c,
                             std::vector<Drawn>& drawn) {
  const bool hosts = c.entity == models::EntityKind::host;
  if (drawn.empty()) return hosts ? "No host in this run." : "No VM was powered on in this run.";
  const std::size_t all = drawn.size();
  bool registered = false;
  std::erase_if(drawn, [&](const Drawn& d) {
    const auto id = run.metrics.find(d.entity, c.gauge);
    if (!id) return true;
    registered = true;
    return run.metrics.series(*id).empty();
  });
  if (!registered) return fmt::format("Not drawn: this run did not model {}.", c.modelled);
  if (drawn.empty()) return not_kept_text(t, all, hosts ? "hosts" : "VMs", c.gauges, c.series_of, c.where);
  return {};
}

/// Ranks by `rank`, then `rank2`, highest first; ties keep the run's order.
void rank(std::vector<Drawn>& drawn) {
  std::stable_sort(drawn.begin(), drawn.end(), [](const Drawn& a, const Drawn& b) {
    if (a.rank != b.rank) return a.rank > b.rank;
    return a.rank2 > b.rank2;
  });
}

/// "Per vCPU. <resolution>." / "<resolution>.": a chart's note, then its time resolution.
std::string note_line(std::string_view note, const Timeline& t) {
  return note.empty() ? t.resolution() + "." : fmt::format("{} {}.", note, t.resolution());
}

/// One step line per host: the gauge x the chart's scale.
Chart lines_chart(const models::RunResult& run, const Summary& s, const Timeline& t, const models::AreaSection& section,
                  const models::ChartSpec& c) {
  Chart chart(std::string(c.id), std::string(c.name));
  auto hosts = candidates(run, s, section, c);
  const std::size_t total = hosts.size();
  if (auto why = keep_with_series(run, t, c, hosts); !why.empty()) return not_drawn(chart, std::move(why));
  rank(hosts);
  if (hosts.size() > kMaxHosts) hosts.resize(kMaxHosts);
  Json values = Json::array();
  for (const auto& h : hosts) {
    const auto cols = t.columns(series(run.metrics, h.entity, c.gauge));
    const double scale = c.scale != nullptr ? c.scale(h.in) : 1.0;
    add_step_line(values, t, cols, {{"host", h.name}}, "util",
                  [scale](double v) { return scale > 0 ? clean(scale * v, kPctDigits) : 0.0; });
  }
  Json spec = base_spec(fmt::format("{}: {}", c.title, which_text(hosts.size(), total, "host", "hosts", c.rank_text)),
                        {note_line(c.note, t)});
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(220, 14 * hosts.size() + 20);  // room for the legend
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
  spec["encoding"] = {{"x", t.x("t")},
                      {"y", {{"field", "util"}, {"type", "quantitative"}, {"title", c.axis},
                             {"scale", {{"domainMin", 0}}}}},
                      {"color", {{"field", "host"}, {"type", "nominal"}, {"sort", nullptr}}}};
  chart.spec = mark_warmup(std::move(spec), t);
  return chart;
}

/// Said when only some VMs kept their series.
std::string partial_series_text(std::size_t kept, std::size_t ran) {
  return fmt::format("Only {} of the {} VMs that ran kept their interval series (those --series chose); the others "
                     "are not shown.",
                     count_text(kept), count_text(ran));
}

bool has_warning(const Summary& s, std::string_view code) {
  return std::any_of(s.warnings.begin(), s.warnings.end(), [&](const RunWarning& w) { return w.code == code; });
}

/// A VM state share over time, the VMs with most of it first. The colour scale starts at 0
/// (light grey: nothing) and is orange at the contention threshold, so only values near it
/// look alarming; values below 0.01 points are 0.
Chart heatmap_chart(const models::RunResult& run, const Summary& s, const Timeline& t,
                    const models::AreaSection& section, const models::ChartSpec& c) {
  Chart chart(std::string(c.id), std::string(c.name));
  auto vms = candidates(run, s, section, c);
  const std::size_t ran = vms.size();
  if (auto why = keep_with_series(run, t, c, vms); !why.empty()) return not_drawn(chart, std::move(why));
  const std::size_t kept = vms.size();
  rank(vms);
  if (vms.size() > kMaxVms) vms.resize(kMaxVms);
  double floor_pct = s.contention.threshold(c.setting).value_or(0.0);
  if (floor_pct <= 0.0) floor_pct = 1.0;
  Json values = Json::array();
  double peak = 0.0;
  for (const auto& v : vms) {
    const auto cols = t.columns(series(run.metrics, v.entity, c.gauge));
    for (std::size_t i = 0; i < cols.size(); ++i) {
      const double pct = std::max(0.0, clean(100.0 * cols[i], kPctDigits));
      peak = std::max(peak, pct);
      add_cell(values, "vm", v.name, "pct", pct, t.start(i), t.end(i));
    }
  }
  std::vector<std::string> subtitle;
  if (kept < ran) subtitle.push_back(partial_series_text(kept, ran));
  if (!c.unmodelled_warning.empty() && has_warning(s, c.unmodelled_warning)) {
    subtitle.emplace_back(c.unmodelled_note);
  } else if (peak == 0.0) {
    subtitle.push_back(fmt::format("Every value is 0: {} (nothing happened).", c.nothing));
  }
  subtitle.push_back(fmt::format("{} {}. Colour: light grey at 0, orange at the {:g}% contention threshold, "
                                 "dark red at twice it or at the peak.",
                                 c.note, t.resolution(), floor_pct));
  Json spec = base_spec(fmt::format("{}: {}", c.title, which_text(vms.size(), kept, "VM", "VMs", c.rank_text)),
                        subtitle);
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(60, 16 * vms.size());
  spec["mark"] = "rect";
  spec["encoding"] = {{"x", t.x("t0")},
                      {"x2", {{"field", "t1"}}},
                      {"y", {{"field", "vm"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
                      {"color", {{"field", "pct"}, {"type", "quantitative"}, {"title", c.axis},
                                 {"scale", {{"domain", {0.0, floor_pct, std::max(peak, 2.0 * floor_pct)}},
                                            {"range", {"#f7f7f7", "#fc8d59", "#990000"}},
                                            {"clamp", true}, {"nice", false}, {"zero", true}}}}},
                      {"tooltip", Json::array({{{"field", "vm"}}, {{"field", "t0"}, {"title", "from"}},
                                               {{"field", "t1"}, {"title", "to"}},
                                               {{"field", "pct"}, {"title", c.axis}}})}};
  chart.spec = mark_warmup(std::move(spec), t);
  return chart;
}

/// Per host, the state (of the chart's series: shares of time) it spent most of each
/// interval in; the hosts that ranked highest first.
Chart states_chart(const models::RunResult& run, const Summary& s, const Timeline& t,
                   const models::AreaSection& section, const models::ChartSpec& c) {
  Chart chart(std::string(c.id), std::string(c.name));
  auto hosts = candidates(run, s, section, c);
  const std::size_t total = hosts.size();
  const bool calm = !hosts.empty() && std::all_of(hosts.begin(), hosts.end(), [&](const Drawn& d) {
    return value_of(c.calm, d.in) != 0.0;
  });
  if (auto why = keep_with_series(run, t, c, hosts); !why.empty()) return not_drawn(chart, std::move(why));
  rank(hosts);
  if (hosts.size() > kMaxHosts) hosts.resize(kMaxHosts);
  Json values = Json::array();
  for (const auto& h : hosts) {
    std::vector<std::vector<double>> shares;
    std::size_t n = 0;
    for (const auto& state : c.series) {
      shares.push_back(t.columns(series(run.metrics, h.entity, state.gauge)));
      n = std::max(n, shares.back().size());
    }
    for (std::size_t i = 0; i < n; ++i) {
      // The state the host spent most of the interval in.
      std::size_t best = 0;
      double best_share = -1.0;
      for (std::size_t k = 0; k < shares.size(); ++k) {
        const double share = i < shares[k].size() ? shares[k][i] : 0.0;
        if (share > best_share) best_share = share, best = k;
      }
      add_cell(values, "host", h.name, "state", std::string(c.series[best].label), t.start(i), t.end(i));
    }
  }
  std::vector<std::string> subtitle;
  if (calm && !c.calm_note.empty()) subtitle.emplace_back(c.calm_note);
  subtitle.push_back(note_line(c.note, t));
  Json spec = base_spec(fmt::format("{}: {}", c.title, which_text(hosts.size(), total, "host", "hosts", c.rank_text)),
                        subtitle);
  Json domain = Json::array(), range = Json::array();
  for (const auto& state : c.series) {
    domain.push_back(state.label);
    range.push_back(state.colour);
  }
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(60, 22 * hosts.size());
  spec["mark"] = "rect";
  spec["encoding"] = {
      {"x", t.x("t0")},
      {"x2", {{"field", "t1"}}},
      {"y", {{"field", "host"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
      {"color", {{"field", "state"}, {"type", "ordinal"}, {"scale", {{"domain", domain}, {"range", range}}}}},
      {"tooltip", Json::array({{{"field", "host"}}, {{"field", "state"}}, {{"field", "t0"}, {"title", "from"}},
                               {{"field", "t1"}, {"title", "to"}}})}};
  chart.spec = mark_warmup(std::move(spec), t);
  return chart;
}

using Lines = std::vector<std::pair<std::string, std::vector<double>>>;
using Levels = std::vector<std::pair<std::string, double>>;

/// One panel: step lines of `lines` (label -> series by column) and horizontal rules at
/// `levels` (label -> value), coloured by label as `domain` and `range` say.
Json panel(const Timeline& t, std::string_view title, std::string_view unit, const Lines& lines, const Levels& levels,
           const Json& domain, const Json& range) {
  Json values = Json::array();
  for (const auto& [label, cols] : lines) {
    add_step_line(values, t, cols, {{"what", label}}, "mib", [](double v) { return clean(v, kMibDigits); });
  }
  const Json color = {{"field", "what"}, {"type", "nominal"}, {"title", nullptr},
                      {"scale", {{"domain", domain}, {"range", range}}}};
  const Json y = {{"field", "mib"}, {"type", "quantitative"}, {"title", unit}, {"scale", {{"domainMin", 0}}}};
  Json layer = Json::array(
      {{{"data", {{"values", values}}},
        {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
        {"encoding", {{"x", t.x("t")}, {"y", y}, {"color", color}}}}});
  if (!levels.empty()) {
    Json rules = Json::array();
    for (const auto& [label, v] : levels) rules.push_back({{"what", label}, {"mib", clean(v, kMibDigits)}});
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

/// A panel per host or VM (see models::ChartKind::panels).
Chart panels_chart(const models::RunResult& run, const Summary& s, const Timeline& t,
                   const models::AreaSection& section, const models::ChartSpec& c) {
  Chart chart(std::string(c.id), std::string(c.name));
  const bool hosts = c.entity == models::EntityKind::host;
  auto drawn = candidates(run, s, section, c);
  const std::size_t all = drawn.size();
  if (auto why = keep_with_series(run, t, c, drawn); !why.empty()) return not_drawn(chart, std::move(why));
  const std::size_t kept = drawn.size();
  Json domain = Json::array(), range = Json::array();
  for (const auto& l : c.series) domain.push_back(l.label), range.push_back(l.colour);
  for (const auto& l : c.levels) domain.push_back(l.label), range.push_back(l.colour);
  const auto lines_of = [&](const Drawn& d) {
    Lines lines;
    for (const auto& l : c.series) lines.emplace_back(l.label, t.columns(series(run.metrics, d.entity, l.gauge)));
    return lines;
  };
  const auto levels_of = [&](const Drawn& d) {
    Levels levels;
    for (const auto& l : c.levels) levels.emplace_back(l.label, value_of(l.value, d.in));
    return levels;
  };
  std::vector<Json> panels;
  if (c.total && drawn.size() > 1) {
    Lines total;
    Levels levels;
    for (const auto& d : drawn) {
      auto lines = lines_of(d);
      auto own = levels_of(d);
      if (total.empty()) {
        total = std::move(lines);
        levels = std::move(own);
        continue;
      }
      for (std::size_t k = 0; k < lines.size(); ++k) {
        auto& sum = total[k].second;
        if (sum.size() < lines[k].second.size()) sum.resize(lines[k].second.size(), 0.0);
        for (std::size_t i = 0; i < lines[k].second.size(); ++i) sum[i] += lines[k].second[i];
      }
      for (std::size_t k = 0; k < own.size(); ++k) levels[k].second += own[k].second;
    }
    panels.push_back(panel(t, fmt::format("All {} {} together", count_text(drawn.size()), hosts ? "hosts" : "VMs"),
                           c.unit, total, levels, domain, range));
  }
  // Only those with something to show, when some have (`filtered`); or, when none has,
  // the top ones by the fallback.
  const auto telling = [](const Drawn& d) { return d.rank > 0.0 || d.rank2 > 0.0; };
  const bool filter = !c.filtered.empty();
  const bool any = filter && std::any_of(drawn.begin(), drawn.end(), telling);
  const bool fallback = filter && !any && c.fallback != nullptr;
  if (any) std::erase_if(drawn, [&](const Drawn& d) { return !telling(d); });
  if (fallback) {
    for (auto& d : drawn) d.rank = value_of(c.fallback, d.in), d.rank2 = 0.0;
  }
  const std::size_t ranked = drawn.size();
  rank(drawn);
  if (drawn.size() > kMemoryPanels) drawn.resize(kMemoryPanels);
  for (const auto& d : drawn) {
    const std::string title =
        fmt::format(fmt::runtime(fallback ? c.fallback_title : c.panel_title), fmt::arg("name", d.name),
                    fmt::arg("host", d.host), fmt::arg("rank", d.rank));
    panels.push_back(panel(t, title, c.unit, lines_of(d), levels_of(d), domain, range));
  }
  const std::string_view one = hosts ? "host" : "VM", many = hosts ? "hosts" : "VMs";
  std::string which;
  if (fallback || !any) {
    which = which_text(drawn.size(), ranked, one, many, fallback ? c.fallback_text : c.rank_text);
    if (c.total && ranked > 1) which = fmt::format("all {} together, then {}", many, which);
  } else if (drawn.size() < ranked) {
    which = fmt::format("top {} of the {} {} {}, by {} ({} {} ran)", drawn.size(), count_text(ranked), many,
                        c.filtered, c.rank_text, count_text(all), many);
  } else {
    which = fmt::format("{} ({} {} ran)",
                        ranked == 1 ? fmt::format("the only {} {}", one, c.filtered)
                                    : fmt::format("the {} {} {}", count_text(ranked), many, c.filtered),
                        count_text(all), many);
  }
  std::vector<std::string> subtitle;
  if (kept < all) subtitle.push_back(partial_series_text(kept, all));
  if (fallback && !c.fallback_note.empty()) subtitle.emplace_back(c.fallback_note);
  if (!c.note.empty()) subtitle.emplace_back(c.note);
  subtitle.push_back(t.resolution());
  chart.title = fmt::format("{}: {}", c.title, which);
  chart.subtitle = std::move(subtitle);
  chart.panels = std::move(panels);
  return chart;
}

Chart area_chart(const models::RunResult& run, const Summary& s, const Timeline& t, const models::AreaSection& section,
                 const models::ChartSpec& c) {
  switch (c.kind) {
    case models::ChartKind::lines:
      return lines_chart(run, s, t, section, c);
    case models::ChartKind::heatmap:
      return heatmap_chart(run, s, t, section, c);
    case models::ChartKind::states:
      return states_chart(run, s, t, section, c);
    case models::ChartKind::panels:
      return panels_chart(run, s, t, section, c);
  }
  return not_drawn(Chart(std::string(c.id), std::string(c.name)), "Not drawn: an unknown kind of chart.");
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
  // "VMs like the average VM", "VMs like web01".
  Json spec = base_spec(fmt::format("Headroom: more VMs like {} that fit before each threshold (estimate), {}",
                                    s.capacity.reference.name == "average VM" ? std::string("the average VM")
                                                                              : s.capacity.reference.name,
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
  // Every area's charts: the host charts of all areas, then their VM charts.
  std::vector<Chart> host_charts, vm_charts;
  for (const auto& section : s.sections) {
    for (const auto& c : section.spec->charts) {
      (c.entity == models::EntityKind::host ? host_charts : vm_charts).push_back(area_chart(run, s, t, section, c));
    }
  }
  const Chart capacity = capacity_chart(s);

  Json charts = Json::array();
  std::vector<const Chart*> all;
  for (const auto& c : host_charts) all.push_back(&c);
  for (const auto& c : vm_charts) all.push_back(&c);
  all.push_back(&capacity);
  for (const Chart* c : all) {
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
  page += "<h2>Hosts</h2>\n";
  for (const auto& c : host_charts) page += chart_div(c);
  page += "<h2>VMs</h2>\n";
  for (const auto& c : vm_charts) page += chart_div(c);
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
