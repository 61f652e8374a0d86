#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "html_assets.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

using Json = nlohmann::ordered_json;
namespace metric = models::metric;

/// Charts stay legible: at most this many hosts and VMs are drawn, the busiest first.
constexpr std::size_t kMaxHosts = 24;
constexpr std::size_t kMaxVms = 40;

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

std::span<const double> series(const sim::MetricsRegistry& m, const std::string& entity, std::string_view name) {
  const auto id = m.find(entity, name);
  return id ? m.series(*id) : std::span<const double>{};
}

double minutes(std::size_t i, double step_s) { return static_cast<double>(i) * step_s / 60.0; }

std::vector<const HostSummary*> busiest_hosts(const Summary& s) {
  std::vector<const HostSummary*> hosts;
  for (const auto& h : s.hosts) hosts.push_back(&h);
  std::stable_sort(hosts.begin(), hosts.end(),
                   [](const auto* a, const auto* b) { return a->cpu.util_pct_avg > b->cpu.util_pct_avg; });
  if (hosts.size() > kMaxHosts) hosts.resize(kMaxHosts);
  return hosts;
}

Json base_spec(std::string_view title) {
  return Json{{"$schema", "https://vega.github.io/schema/vega-lite/v6.json"},
              {"title", title},
              {"width", "container"},
              {"height", 220}};
}

Json host_cpu_spec(const models::RunResult& run, const Summary& s, double step) {
  Json values = Json::array();
  for (const auto* h : busiest_hosts(s)) {
    const auto used = series(run.metrics, metric::host_entity(h->name), metric::host_cpu_used_mhz);
    for (std::size_t i = 0; i < used.size(); ++i) {
      values.push_back({{"t", minutes(i, step)}, {"host", h->name},
                        {"util", h->cpu.capacity_mhz > 0 ? 100.0 * used[i] / h->cpu.capacity_mhz : 0.0}});
    }
  }
  Json spec = base_spec("Host CPU utilisation (% of capacity, per sample interval)");
  spec["data"] = {{"values", values}};
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
  spec["encoding"] = {{"x", {{"field", "t"}, {"type", "quantitative"}, {"title", "simulated minutes"}}},
                      {"y", {{"field", "util"}, {"type", "quantitative"}, {"title", "CPU used %"}}},
                      {"color", {{"field", "host"}, {"type", "nominal"}}}};
  return spec;
}

Json host_memory_spec(const models::RunResult& run, const Summary& s, double step) {
  Json values = Json::array();
  const std::pair<std::string_view, const char*> parts[] = {{metric::host_mem_consumed_mib, "consumed"},
                                                            {metric::host_mem_shared_saved_mib, "saved by sharing"},
                                                            {metric::host_mem_balloon_mib, "ballooned"},
                                                            {metric::host_mem_compressed_mib, "compressed"},
                                                            {metric::host_mem_swapped_mib, "swapped"}};
  for (const auto& [gauge, label] : parts) {
    std::vector<double> total;
    for (const auto& h : s.hosts) {
      const auto v = series(run.metrics, metric::host_entity(h.name), gauge);
      if (total.size() < v.size()) total.resize(v.size(), 0.0);
      for (std::size_t i = 0; i < v.size(); ++i) total[i] += v[i];
    }
    for (std::size_t i = 0; i < total.size(); ++i) {
      values.push_back({{"t", minutes(i, step)}, {"what", label}, {"mib", total[i]}});
    }
  }
  Json spec = base_spec("Host memory, all hosts (MiB): consumed, and what reclamation took");
  spec["data"] = {{"values", values}};
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
  spec["encoding"] = {{"x", {{"field", "t"}, {"type", "quantitative"}, {"title", "simulated minutes"}}},
                      {"y", {{"field", "mib"}, {"type", "quantitative"}, {"title", "MiB"}}},
                      {"color", {{"field", "what"}, {"type", "nominal"}, {"sort", nullptr}}}};
  return spec;
}

Json memory_state_spec(const models::RunResult& run, const Summary& s, double step) {
  Json values = Json::array();
  const std::string_view gauges[] = {metric::host_mem_state_high, metric::host_mem_state_clear,
                                     metric::host_mem_state_soft, metric::host_mem_state_hard,
                                     metric::host_mem_state_low};
  for (const auto* h : busiest_hosts(s)) {
    const auto entity = metric::host_entity(h->name);
    std::span<const double> shares[std::size(gauges)];
    std::size_t n = 0;
    for (std::size_t k = 0; k < std::size(gauges); ++k) {
      shares[k] = series(run.metrics, entity, gauges[k]);
      n = std::max(n, shares[k].size());
    }
    for (std::size_t i = 0; i < n; ++i) {
      // The state the host spent most of the interval in.
      std::size_t best = 0;
      double best_share = -1.0;
      for (std::size_t k = 0; k < std::size(gauges); ++k) {
        const auto v = shares[k];
        const double share = i < v.size() ? v[i] : 0.0;
        if (share > best_share) best_share = share, best = k;
      }
      values.push_back({{"t0", minutes(i, step)}, {"t1", minutes(i + 1, step)}, {"host", h->name},
                        {"state", kMemoryStates[best]}});
    }
  }
  Json spec = base_spec("Host memory state over time (most of each interval)");
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(60, 22 * std::min(kMaxHosts, s.hosts.size()));
  spec["mark"] = "rect";
  spec["encoding"] = {
      {"x", {{"field", "t0"}, {"type", "quantitative"}, {"title", "simulated minutes"}}},
      {"x2", {{"field", "t1"}}},
      {"y", {{"field", "host"}, {"type", "nominal"}}},
      {"color",
       {{"field", "state"},
        {"type", "ordinal"},
        {"scale", {{"domain", {"high", "clear", "soft", "hard", "low"}},
                   {"range", {"#4caf50", "#cddc39", "#ffc107", "#ff5722", "#b71c1c"}}}}}}};
  return spec;
}

Json ready_heatmap_spec(const models::RunResult& run, const Summary& s, double step) {
  std::vector<const VmSummary*> vms;
  for (const auto& v : s.vms) if (!v.host.empty()) vms.push_back(&v);
  std::stable_sort(vms.begin(), vms.end(), [](const auto* a, const auto* b) { return a->cpu.ready_pct > b->cpu.ready_pct; });
  if (vms.size() > kMaxVms) vms.resize(kMaxVms);
  Json values = Json::array();
  for (const auto* v : vms) {
    const auto ready = series(run.metrics, metric::vm_entity(v->name), metric::vm_cpu_ready);
    for (std::size_t i = 0; i < ready.size(); ++i) {
      values.push_back({{"t0", minutes(i, step)}, {"t1", minutes(i + 1, step)}, {"vm", v->name},
                        {"ready", 100.0 * ready[i]}});
    }
  }
  Json spec = base_spec(fmt::format("CPU ready % per vCPU over time (the {} VMs with the most ready time)", vms.size()));
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(60, 16 * vms.size());
  spec["mark"] = "rect";
  spec["encoding"] = {{"x", {{"field", "t0"}, {"type", "quantitative"}, {"title", "simulated minutes"}}},
                      {"x2", {{"field", "t1"}}},
                      {"y", {{"field", "vm"}, {"type", "nominal"}, {"sort", nullptr}}},
                      {"color", {{"field", "ready"}, {"type", "quantitative"}, {"title", "ready %"},
                                 {"scale", {{"scheme", "orangered"}}}}}};
  return spec;
}

/// Headroom bars per host and threshold. The axis fits the counts that are reached; a
/// threshold not reached is drawn apart: a faint dashed bar across the axis labelled
/// "not reached", with the reason in its tooltip.
Json capacity_spec(const Summary& s) {
  Json values = Json::array();
  int axis_max = 0;
  for (const auto& e : s.capacity.hosts) {
    const std::pair<const char*, const Headroom*> limits[] = {{"cpu_util", &e.headroom_cpu_util},
                                                              {"cpu_ready", &e.headroom_cpu_ready},
                                                              {"mem_state", &e.headroom_mem_state},
                                                              {"mem_util", &e.headroom_mem_util}};
    for (const auto& [name, h] : limits) {
      if (h->vms) axis_max = std::max(axis_max, *h->vms);
      values.push_back({{"host", e.name}, {"threshold", name}, {"reached", h->vms.has_value()},
                        {"vms", h->vms ? Json(*h->vms) : Json(nullptr)},
                        {"label", h->vms ? std::to_string(*h->vms) : std::string("not reached")},
                        {"note", h->vms ? std::string("reached") : h->note}});
    }
    if (values.size() > 4 * kMaxHosts) break;
  }
  axis_max = std::max(axis_max, 1);
  for (auto& v : values) v["x"] = v["reached"].get<bool>() ? v["vms"] : Json(axis_max);
  Json spec = base_spec(fmt::format("Headroom: more {} VMs that fit before each threshold (estimate)",
                                    s.capacity.reference.name));
  spec["data"] = {{"values", values}};
  const Json x = {{"field", "x"}, {"type", "quantitative"}, {"title", "VMs"},
                  {"scale", {{"domain", {0, axis_max}}, {"nice", false}}}};
  const Json tooltip = Json::array({{{"field", "host"}}, {{"field", "threshold"}}, {{"field", "label"}, {"title", "VMs"}},
                                    {{"field", "note"}}});
  spec["encoding"] = {{"y", {{"field", "host"}, {"type", "nominal"}}},
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
  return spec;
}

/// Shades the warm-up on a chart over simulated minutes (when the run had one): the
/// intervals before `warmup_min` are shown but left out of every figure.
Json mark_warmup(Json spec, double warmup_min) {
  if (warmup_min <= 0.0) return spec;
  Json chart = {{"mark", spec["mark"]}, {"encoding", spec["encoding"]}};
  spec.erase("mark");
  spec.erase("encoding");
  const Json span = {{"values", Json::array({{{"w0", 0.0}, {"w1", warmup_min}}})}};
  spec["layer"] = Json::array(
      {chart,
       {{"data", span},
        {"mark", {{"type", "rect"}, {"color", "#777"}, {"opacity", 0.18}}},
        {"encoding", {{"x", {{"field", "w0"}, {"type", "quantitative"}}}, {"x2", {{"field", "w1"}}}}}},
       {{"data", span},
        {"mark", {{"type", "text"}, {"align", "right"}, {"baseline", "top"}, {"dx", -4}, {"dy", 4},
                  {"fontSize", 10}, {"color", "#333"}}},
        {"encoding", {{"x", {{"field", "w1"}, {"type", "quantitative"}}}, {"y", {{"value", 0}}},
                      {"text", {{"value", "warm-up (excluded)"}}}}}}});
  return spec;
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

constexpr std::string_view kStyle = R"(
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:28px}
pre{background:#f5f5f5;padding:12px;overflow-x:auto;font-size:12px}
.chart{width:100%;margin:12px 0}
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
  const double step = run.sample_interval.seconds();
  const double warmup_min = run.warmup.seconds() / 60.0;
  Json charts = Json::array();
  charts.push_back({{"id", "host-cpu"}, {"spec", mark_warmup(host_cpu_spec(run, s, step), warmup_min)}});
  charts.push_back({{"id", "host-memory"}, {"spec", mark_warmup(host_memory_spec(run, s, step), warmup_min)}});
  charts.push_back({{"id", "memory-state"}, {"spec", mark_warmup(memory_state_spec(run, s, step), warmup_min)}});
  charts.push_back({{"id", "ready-heatmap"}, {"spec", mark_warmup(ready_heatmap_spec(run, s, step), warmup_min)}});
  charts.push_back({{"id", "capacity"}, {"spec", capacity_spec(s)}});

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
  page += "<h2>Hosts</h2>\n<div class=\"chart\" id=\"host-cpu\"></div>\n<div class=\"chart\" id=\"host-memory\"></div>\n"
          "<div class=\"chart\" id=\"memory-state\"></div>\n";
  page += "<h2>VMs</h2>\n<div class=\"chart\" id=\"ready-heatmap\"></div>\n";
  page += fmt::format("<h2>Capacity</h2>\n<p class=\"note\">{}</p>\n<div class=\"chart\" id=\"capacity\"></div>\n",
                      escape_html(s.capacity.method));
  page += "<h2>Contention</h2>\n<p class=\"note\">Click a column to sort.</p>\n";
  page += contention_table(s);
  page += fmt::format("<script type=\"application/json\" id=\"vdc-charts\">{}</script>\n", script_json(charts));
  page += "<script>";
  page += kScript;
  page += "</script>\n</body></html>\n";
  return page;
}

}  // namespace vdc::report
