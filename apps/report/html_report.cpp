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
#include "html_chart.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

using namespace html_chart;


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

/// At most this many bars per bar view, in the area's order; the title says which.
constexpr std::size_t kMaxBars = 48;

/// An area's bar view (models::BarsSpec): a row per bar, its parts side by side over the
/// bar's length, coloured by key, labelled where they are wide enough, a tooltip each.
Chart bars_chart(const models::ReportView& view, const models::BarsSpec& b) {
  Chart chart(std::string(b.id), std::string(b.title));
  std::vector<models::Bar> bars = b.bars != nullptr ? b.bars(view) : std::vector<models::Bar>{};
  if (bars.empty()) return not_drawn(chart, fmt::format("No {} in this run.", b.many));
  const std::size_t total = bars.size();
  if (bars.size() > kMaxBars) bars.resize(kMaxBars);
  double size = 0.0;
  for (const auto& bar : bars) size = std::max(size, bar.size);
  // Characters that fit on a part: the chart is about 1,100 pixels wide at 6 per character.
  const double chars_per_unit = size > 0.0 ? 1100.0 / 6.0 / size : 0.0;
  Json values = Json::array();
  for (const auto& bar : bars) {
    for (const auto& part : bar.parts) {
      const bool fits = !part.label.empty() && static_cast<double>(part.label.size()) + 1.0 <= part.width * chars_per_unit;
      values.push_back({{"bar", bar.name},
                        {"key", part.key},
                        {"x0", clean(part.start, kPctDigits)},
                        {"x1", clean(part.start + part.width, kPctDigits)},
                        {"xm", clean(part.start + part.width / 2.0, kPctDigits)},
                        {"label", fits ? part.label : std::string()},
                        {"detail", part.detail},
                        {"about", bar.note.empty() ? bar.name : fmt::format("{} ({})", bar.name, bar.note)}});
    }
  }
  std::string which;
  if (total == 1) which = fmt::format("the only {}", b.one);
  else if (bars.size() == total) which = fmt::format("all {} {}", count_text(total), b.many);
  else which = fmt::format("the first {} of {} {}", count_text(bars.size()), count_text(total), b.many);
  Json spec = base_spec(fmt::format("{}: {}", b.title, which),
                        b.note.empty() ? std::vector<std::string>{} : std::vector<std::string>{std::string(b.note)});
  spec["data"] = {{"values", values}};
  Json domain = Json::array(), range = Json::array(), ticks = Json::array();
  for (const auto& k : b.keys) {
    domain.push_back(k.label);
    range.push_back(k.colour);
  }
  for (double v = 0.0; b.tick > 0.0 && v <= size + 1e-9; v += b.tick) ticks.push_back(clean(v, kPctDigits));
  Json x = {{"field", "x0"}, {"type", "quantitative"}, {"title", b.axis},
            {"scale", {{"domain", {0.0, size}}, {"nice", false}}}};
  if (!ticks.empty()) x["axis"] = {{"values", ticks}, {"grid", true}, {"format", "~f"}};
  const Json tooltip = Json::array({{{"field", "about"}, {"title", b.one}}, {{"field", "detail"}, {"title", "part"}}});
  spec["encoding"] = {{"y", {{"field", "bar"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
                      {"tooltip", tooltip}};
  spec["layer"] = Json::array(
      {{{"mark", {{"type", "bar"}, {"stroke", "#fff"}, {"strokeWidth", 1.5}}},
        {"encoding", {{"x", x},
                      {"x2", {{"field", "x1"}}},
                      {"color", {{"field", "key"}, {"type", "nominal"}, {"title", nullptr},
                                 {"scale", {{"domain", domain}, {"range", range}}},
                                 {"legend", {{"orient", "bottom"}, {"direction", "horizontal"}}}}}}}},
       {{"transform", {{{"filter", "datum.label != ''"}}}},
        {"mark", {{"type", "text"}, {"fontSize", 9}, {"color", "#111"}}},
        {"encoding", {{"x", {{"field", "xm"}, {"type", "quantitative"}}}, {"text", {{"field", "label"}}}}}}});
  spec["height"] = {{"step", 20}};
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

std::string html_report(const Summary& s, const models::RunResult& run) {
  const Timeline t(run);
  // Every area's charts: the host charts of all areas, then their VM charts.
  std::vector<Chart> host_charts, vm_charts;
  for (const auto& section : s.sections) {
    for (const auto& c : section.spec->charts) {
      (c.entity == models::EntityKind::host ? host_charts : vm_charts).push_back(area_chart(run, s, t, section, c));
    }
  }
  // The areas' bar views, grouped under their headings in the order the headings come.
  const models::ReportView view = s.view();
  std::vector<std::pair<std::string, std::vector<Chart>>> views;
  for (const auto& section : s.sections) {
    for (const auto& b : section.spec->views) {
      auto it = std::find_if(views.begin(), views.end(), [&](const auto& v) { return v.first == b.heading; });
      if (it == views.end()) it = views.insert(views.end(), {std::string(b.heading), {}});
      it->second.push_back(bars_chart(view, b));
    }
  }
  const Chart capacity = capacity_chart(s);

  Json charts = Json::array();
  std::vector<const Chart*> all;
  for (const auto& c : host_charts) all.push_back(&c);
  for (const auto& c : vm_charts) all.push_back(&c);
  for (const auto& v : views) {
    for (const auto& c : v.second) all.push_back(&c);
  }
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
  for (const auto& [heading, charts_of_heading] : views) {
    page += fmt::format("<h2>{}</h2>\n", escape_html(heading));
    for (const auto& c : charts_of_heading) page += chart_div(c);
  }
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
