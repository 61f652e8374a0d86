// report.html as a reader sees it, checked on its chart specs: values below the resolution
// are zero and colour scales start at 0, an all-zero heatmap says so, series a run did not
// keep are explained in words, every host or VM chart says which of how many it shows,
// every chart over time covers the same span with ticks that cannot overlap, and the
// co-stop and memory charts are there. (tests/cli renders a page in headless Chromium.)
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vdc/models/cpu/cpu_area.hpp"
#include "vdc/models/memory/memory_area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/summary.hpp"
#include "vdc/report/writers.hpp"

using namespace vdc;
using namespace vdc::sim::literals;
namespace metric = vdc::models::metric;
using Json = nlohmann::json;

namespace {

/// What a hand-built run holds.
struct Shape {
  int hosts = 2;
  int vms = 4;
  sim::Time duration = 2_min;
  sim::Time interval = 20_s;
  bool host_series = true;     ///< the hosts' gauges keep their interval series
  bool vm_series = true;       ///< the VMs' gauges keep their interval series
  int vms_with_series = -1;    ///< only the first N VMs keep them (-1: all, as vm_series says)
  /// The VM's ready share over the run (default: floating-point residue, not contention).
  std::function<double(int vm)> ready = [](int) { return 4e-20; };
  std::function<double(int vm)> costop = [](int) { return 0.0; };
  std::function<double(int vm)> balloon_mib = [](int) { return 0.0; };
};

/// Hosts esx01.., each 8 cores x 2 GHz and 64 GiB, host h using (h + 1) x 100 MHz, so the
/// last host is the busiest; VMs vm01.. spread over them, 2 vCPUs and 4 GiB each. Every
/// gauge is constant over the run.
models::RunResult make_run(const Shape& shape) {
  models::RunResult r;
  r.scenario = "html";
  r.duration = shape.duration;
  r.sample_interval = shape.interval;
  r.metrics = sim::MetricsRegistry(shape.interval);
  auto& m = r.metrics;
  const auto set = [&](const std::string& entity, std::string_view name, bool keep, double value) {
    m.set(m.gauge(entity, name, keep), 0_s, value);
  };
  for (int h = 0; h < shape.hosts; ++h) {
    const std::string name = fmt::format("esx{:02}", h + 1);
    r.hosts.push_back({.name = name, .cluster = "", .pcpus = 8, .lcpus = 8, .capacity_mhz = 16000.0,
                       .memory_mib = 65536.0, .vcpus = 0});
    const auto e = metric::host_entity(name);
    set(e, metric::host_mem_min_free_mib, false, 1597.44);
    const bool hk = shape.host_series;
    set(e, metric::host_cpu_used_mhz, hk, 100.0 * (h + 1));
    set(e, metric::host_cpu_demand_mhz, hk, 100.0 * (h + 1));
    set(e, metric::host_mem_consumed_mib, hk, 1000.0 * (h + 1));
    for (const auto g : {metric::host_mem_shared_saved_mib, metric::host_mem_balloon_mib,
                         metric::host_mem_compressed_mib, metric::host_mem_swapped_mib}) {
      set(e, g, hk, 0.0);
    }
    set(e, metric::host_mem_state_high, hk, 1.0);
    for (const auto g : {metric::host_mem_state_clear, metric::host_mem_state_soft, metric::host_mem_state_hard,
                         metric::host_mem_state_low}) {
      set(e, g, hk, 0.0);
    }
  }
  for (int v = 0; v < shape.vms; ++v) {
    const std::string name = fmt::format("vm{:02}", v + 1);
    const std::string host = fmt::format("esx{:02}", v % shape.hosts + 1);
    r.vms.push_back({.name = name, .host = host, .cluster = "", .vcpus = 2, .memory_mib = 4096.0,
                     .powered_on = true, .admission = std::nullopt});
    const bool keep = shape.vms_with_series < 0 ? shape.vm_series : v < shape.vms_with_series;
    const auto e = metric::vm_entity(name);
    const double ready = shape.ready(v), costop = shape.costop(v);
    set(e, metric::vm_cpu_demand_mhz, false, 500.0);
    set(e, metric::vm_cpu_used_mhz, false, 500.0);
    set(e, metric::vm_cpu_run, keep, 0.25);
    set(e, metric::vm_cpu_ready, keep, ready);
    set(e, metric::vm_cpu_costop, keep, costop);
    set(e, metric::vm_cpu_wait, keep, 0.75 - ready - costop);
    set(e, metric::vm_mem_granted_mib, keep, 4096.0);
    set(e, metric::vm_mem_active_mib, keep, 1024.0);
    set(e, metric::vm_mem_shared_mib, keep, 0.0);
    set(e, metric::vm_mem_balloon_mib, keep, shape.balloon_mib(v));
    set(e, metric::vm_mem_compressed_mib, keep, 0.0);
    set(e, metric::vm_mem_swapped_mib, keep, 0.0);
  }
  m.finish(shape.duration);
  const models::AreaSpec* areas[] = {&models::cpu::area_specs()[0], &models::memory::area_specs()[0]};
  models::add_report_sections(r, areas);
  return r;
}

std::string page_of(const models::RunResult& run) { return report::html_report(report::summarize(run), run); }

/// The chart specs the page hands to Vega-Embed, by element id.
Json charts_of(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"vdc-charts\">";
  const auto from = page.find(open);
  REQUIRE(from != std::string::npos);
  const auto begin = from + open.size();
  std::string text = page.substr(begin, page.find("</script>", begin) - begin);
  for (std::size_t at = text.find("<\\/"); at != std::string::npos; at = text.find("<\\/", at)) text.erase(at + 1, 1);
  Json by_id = Json::object();
  for (const auto& c : Json::parse(text)) by_id[c["id"].get<std::string>()] = c["spec"];
  return by_id;
}

/// The page's text and charts: what follows the inlined charting libraries, up to the
/// page's own script.
std::string body_of(const std::string& page) {
  const auto from = page.find("</head>");
  return page.substr(from, page.rfind("<script>") - from);
}

std::string title_of(const Json& spec) { return spec["title"]["text"].get<std::string>(); }

/// The panels of a multi-panel chart: the specs of its elements "<id>-0", "<id>-1", ...
std::vector<Json> panels_of(const Json& charts, const std::string& id) {
  std::vector<Json> out;
  while (charts.contains(fmt::format("{}-{}", id, out.size()))) out.push_back(charts[fmt::format("{}-{}", id, out.size())]);
  return out;
}

/// The title the page writes above a multi-panel chart.
std::string panels_title(const std::string& page, const std::string& id) {
  const auto at = page.find(fmt::format("id=\"{}\"><p class=\"chart-name\">", id));
  REQUIRE(at != std::string::npos);
  const auto from = page.find('>', page.find("<p", at)) + 1;
  return page.substr(from, page.find("</p>", from) - from);
}
std::string subtitles_of(const Json& spec) {
  std::string out;
  if (spec["title"].contains("subtitle")) {
    for (const auto& s : spec["title"]["subtitle"]) out += s.get<std::string>() + "\n";
  }
  return out;
}

/// Every object under `j` (itself included) for which `pred` holds.
void collect(const Json& j, const std::function<bool(const Json&)>& pred, std::vector<Json>& out) {
  if (j.is_object() && pred(j)) out.push_back(j);
  if (j.is_structured()) {
    for (const auto& c : j) collect(c, pred, out);
  }
}

/// The x encodings of a chart over time (those with a scale domain).
std::vector<Json> time_axes(const Json& spec) {
  std::vector<Json> encodings, out;
  collect(spec, [](const Json& o) { return o.contains("encoding") && o["encoding"].contains("x"); }, encodings);
  for (const auto& e : encodings) {
    const auto& x = e["encoding"]["x"];
    if (x.contains("scale") && x["scale"].contains("domain") && x.contains("axis")) out.push_back(x);
  }
  return out;
}

/// The largest value of `field` in the inline data of a chart.
double max_of(const Json& spec, const std::string& field) {
  std::vector<Json> rows;
  collect(spec, [&](const Json& o) { return o.contains(field) && o[field].is_number(); }, rows);
  double m = -1.0;
  for (const auto& r : rows) m = std::max(m, r[field].get<double>());
  return m;
}

/// The heatmap cells of a per-VM chart.
std::vector<Json> cells_of(const Json& spec) { return spec["data"]["values"].get<std::vector<Json>>(); }

}  // namespace

TEST_CASE("html: floating-point residue is zero, and an all-zero heatmap looks and says 'nothing happened'") {
  const auto charts = charts_of(page_of(make_run({})));
  REQUIRE(charts.contains("ready-heatmap"));
  const auto& ready = charts["ready-heatmap"];
  const auto cells = cells_of(ready.contains("layer") ? ready["layer"][0] : ready);
  REQUIRE(!cells.empty());
  for (const auto& c : cells) CHECK(c["pct"].get<double>() == 0.0);  // 4e-20 of a share is no ready time
  // The colour scale starts at 0 (light grey), is orange at the 5% threshold and dark red
  // at twice it: zero is its palest end, not the middle of a [0, 0] scale.
  const auto& scale = ready["encoding"]["color"]["scale"];
  CHECK(scale["domain"] == Json::array({0.0, 5.0, 10.0}));
  CHECK(scale["range"][0] == "#f7f7f7");
  CHECK(subtitles_of(ready).find("Every value is 0: no VM waited ready (nothing happened).") != std::string::npos);
  // The co-stop chart is there and says the same of co-stop.
  REQUIRE(charts.contains("costop-heatmap"));
  CHECK(title_of(charts["costop-heatmap"]).starts_with("Co-stop % per vCPU over time: all 4 VMs"));
  CHECK(subtitles_of(charts["costop-heatmap"]).find("no VM was co-stopped") != std::string::npos);
  CHECK(charts["costop-heatmap"]["encoding"]["color"]["scale"]["domain"] == Json::array({0.0, 3.0, 6.0}));
}

TEST_CASE("html: a heatmap with real values scales from 0 to its peak, the worst VM first") {
  Shape shape;
  shape.ready = [](int v) { return v == 2 ? 0.2 : 1e-17; };  // vm03: 20% ready; the others residue
  shape.costop = [](int v) { return v == 1 ? 0.05 : 0.0; };  // vm02: 5% co-stop
  const auto charts = charts_of(page_of(make_run(shape)));
  const auto& ready = charts["ready-heatmap"];
  CHECK(ready["encoding"]["color"]["scale"]["domain"] == Json::array({0.0, 5.0, 20.0}));
  CHECK(subtitles_of(ready).find("Every value is 0") == std::string::npos);
  const auto cells = cells_of(ready);
  CHECK(cells.front()["vm"] == "vm03");
  for (const auto& c : cells) CHECK((c["vm"] == "vm03" ? c["pct"] == 20.0 : c["pct"] == 0.0));
  const auto costop = cells_of(charts["costop-heatmap"]);
  CHECK(costop.front()["vm"] == "vm02");
  CHECK(costop.front()["pct"] == 5.0);
}

TEST_CASE("html: at 20,000 VMs whose series were not kept the VM charts say so in words") {
  Shape shape;
  shape.hosts = 38;
  shape.vms = 20'000;
  shape.duration = 2_h;
  shape.vm_series = false;
  const auto page = page_of(make_run(shape));
  const auto charts = charts_of(page);
  for (const char* id : {"ready-heatmap", "costop-heatmap", "vm-memory"}) {
    CAPTURE(id);
    CHECK(!charts.contains(id));  // no empty chart with a NaN legend
    CHECK(!charts.contains(std::string(id) + "-0"));
    const auto at = page.find(fmt::format("id=\"{}\"", id));
    REQUIRE(at != std::string::npos);
    const std::string div = page.substr(at, page.find("</div>", at) - at);
    CHECK(div.find("Not drawn: this run did not keep the VMs' interval series") != std::string::npos);
    CHECK(div.find("20,000 VMs \u00d7 360 sample intervals") != std::string::npos);
    CHECK(div.find("budget (256 MiB by default)") != std::string::npos);
    CHECK(div.find("run with --series N") != std::string::npos);
  }
  CHECK(body_of(page).find("NaN") == std::string::npos);
  // The host charts are drawn, and say which hosts they show.
  REQUIRE(charts.contains("host-cpu"));
  CHECK(title_of(charts["host-cpu"]) == "Host CPU usage, % of granted capacity: top 24 of 38 hosts by average usage");
  CHECK(title_of(charts["memory-state"]).find("top 24 of 38 hosts by") != std::string::npos);
  CHECK(panels_title(page, "host-memory").find("top 6 of 38 hosts by peak consumed % of capacity") != std::string::npos);
  CHECK(panels_of(charts, "host-memory").size() == 7);  // all hosts together, then 6
  CHECK(title_of(charts["capacity"]).find("top 24 of 38 hosts by least headroom") != std::string::npos);
  // The busiest host (the last) comes first.
  CHECK(charts["host-cpu"]["data"]["values"][0]["host"] == "esx38");
}

TEST_CASE("html: when only some VMs kept their series, the charts show those and say so") {
  Shape shape;
  shape.vms = 5;
  shape.vms_with_series = 2;
  shape.ready = [](int v) { return 0.01 * v; };  // vm05 is the worst, but kept no series
  const auto charts = charts_of(page_of(make_run(shape)));
  const auto& ready = charts["ready-heatmap"];
  CHECK(title_of(ready) == "CPU ready % per vCPU over time: all 2 VMs");
  CHECK(subtitles_of(ready).find("Only 2 of the 5 VMs that ran kept their interval series") != std::string::npos);
  CHECK(cells_of(ready).front()["vm"] == "vm02");
}

TEST_CASE("html: every chart over time covers the whole run on one axis") {
  for (const sim::Time duration : {2_min, 110_s, 1_h}) {
    CAPTURE(duration);
    Shape shape;
    shape.duration = duration;
    const auto charts = charts_of(page_of(make_run(shape)));
    const double end = duration.seconds() / (duration <= 5_min ? 1.0 : 60.0);
    std::size_t axes = 0;
    std::vector<std::pair<std::string, Json>> specs;
    for (const char* id : {"host-cpu", "memory-state", "ready-heatmap", "costop-heatmap"}) {
      REQUIRE(charts.contains(id));
      specs.emplace_back(id, charts[id]);
    }
    for (const char* id : {"host-memory", "vm-memory"}) {
      const auto panels = panels_of(charts, id);
      REQUIRE(!panels.empty());
      for (const auto& p : panels) specs.emplace_back(id, p);
    }
    for (const auto& [id, spec] : specs) {
      CAPTURE(id);
      for (const auto& x : time_axes(spec)) {
        ++axes;
        CHECK(x["scale"]["domain"] == Json::array({0.0, end}));
        CHECK(x["title"] == (duration <= 5_min ? "simulated seconds" : "simulated minutes"));
        const auto ticks = x["axis"]["values"];
        CHECK(ticks.size() >= 2);
        CHECK(ticks.size() <= 7);
      }
      // Lines end where the run ends (the last interval is drawn to its end, not stopped at
      // its start), as the heatmaps' last cells do.
      CHECK(std::max(max_of(spec, "t"), max_of(spec, "t1")) == doctest::Approx(end));
    }
    CHECK(axes >= 9);
  }
}

TEST_CASE("html: the time axis takes a unit that suits the run, with round ticks") {
  const auto axis_of = [](sim::Time duration, sim::Time interval) {
    Shape shape;
    shape.duration = duration;
    shape.interval = interval;
    shape.hosts = 1;
    shape.vms = 1;
    return time_axes(charts_of(page_of(make_run(shape)))["host-cpu"]).at(0);
  };
  const auto x2m = axis_of(2_min, 20_s);
  CHECK(x2m["title"] == "simulated seconds");
  CHECK(x2m["axis"]["values"] == Json::array({0, 20, 40, 60, 80, 100, 120}));
  const auto x4h = axis_of(4_h, 20_s);
  CHECK(x4h["title"] == "simulated hours");
  CHECK(x4h["axis"]["values"] == Json::array({0, 1, 2, 3, 4}));
  CHECK(x4h["axis"]["format"] == ".0~f");
  const auto x30d = axis_of(30 * 24_h, 5_min);
  CHECK(x30d["title"] == "simulated days");
  CHECK(x30d["axis"]["values"] == Json::array({0, 5, 10, 15, 20, 25, 30}));
  const auto x90s = axis_of(90_s, 20_s);
  CHECK(x90s["axis"]["values"] == Json::array({0, 15, 30, 45, 60, 75, 90}));
}

TEST_CASE("html: a month of 5-minute intervals is drawn in at most 480 columns") {
  Shape shape;
  shape.duration = 30 * 24_h;
  shape.interval = 5_min;
  shape.hosts = 1;
  shape.vms = 1;
  const auto charts = charts_of(page_of(make_run(shape)));
  const auto cells = cells_of(charts["ready-heatmap"]);
  CHECK(cells.size() <= 480);
  CHECK(cells.back()["t1"] == 30.0);
  CHECK(subtitles_of(charts["ready-heatmap"]).find("Each value the average of 18 sample intervals (1h30m)") !=
        std::string::npos);
}

TEST_CASE("html: the memory charts draw each host's capacity and minFree level, and the VMs that reclaim most") {
  Shape shape;
  shape.balloon_mib = [](int v) { return v == 3 ? 512.0 : 0.0; };
  const auto page = page_of(make_run(shape));
  const auto charts = charts_of(page);
  CHECK(panels_title(page, "host-memory") == "Host memory (MiB) against capacity: all hosts together, then all 2 hosts");
  const auto panels = panels_of(charts, "host-memory");
  REQUIRE(panels.size() == 3);  // both hosts together, then each
  CHECK(panels[0]["title"]["text"] == "All 2 hosts together");
  CHECK(panels[1]["title"]["text"].get<std::string>().starts_with("esx02: peak consumed"));
  const auto levels = [](const Json& panel) {
    std::vector<Json> rules;
    collect(panel, [](const Json& o) { return o.contains("mark") && o["mark"].is_object() && o["mark"]["type"] == "rule"; },
            rules);
    REQUIRE(rules.size() == 1);
    return rules[0]["data"]["values"];
  };
  CHECK(levels(panels[0]) == Json::array({{{"what", "capacity"}, {"mib", 131072.0}},
                                          {{"what", "capacity \u2212 minFree"}, {"mib", 127877.1}}}));
  CHECK(levels(panels[2]) == Json::array({{{"what", "capacity"}, {"mib", 65536.0}},
                                          {{"what", "capacity \u2212 minFree"}, {"mib", 63938.6}}}));

  CHECK(panels_title(page, "vm-memory") == "VM memory (MiB): the only VM that had memory reclaimed (4 VMs ran)");
  const auto vm = panels_of(charts, "vm-memory");
  REQUIRE(vm.size() == 1);  // only vm04 had any reclaimed
  CHECK(vm[0]["title"]["text"] == "vm04 on esx02: 512 MiB reclaimed on average");
  CHECK(levels(vm[0]) == Json::array({{{"what", "configured"}, {"mib", 4096.0}}}));
}

TEST_CASE("html: host charts whose series were not kept say so, and the others are still drawn") {
  Shape shape;
  shape.host_series = false;
  const auto page = page_of(make_run(shape));
  const auto charts = charts_of(page);
  for (const char* id : {"host-cpu", "host-memory", "memory-state"}) {
    CAPTURE(id);
    CHECK(!charts.contains(id));
    CHECK(!charts.contains(std::string(id) + "-0"));
    const auto at = page.find(fmt::format("id=\"{}\"", id));
    REQUIRE(at != std::string::npos);
    const std::string div = page.substr(at, page.find("</div>", at) - at);
    CHECK(div.find("Not drawn: this run did not keep the hosts' interval series") != std::string::npos);
  }
  CHECK(charts.contains("ready-heatmap"));
  CHECK(charts.contains("capacity"));
}

namespace {

// A bar view of an area of the test's own: two keys, and 50 bars of 10 units: bar k has a
// part "a" over [0, k mod 10) labelled "part k" and a part "b" over the rest.
constexpr std::array<models::BarKey, 2> test_keys{{{"a", "#111111"}, {"b", "#222222"}}};
std::vector<models::Bar> test_bars(const models::ReportView&) {
  std::vector<models::Bar> out;
  for (int k = 0; k < 50; ++k) {
    models::Bar bar{fmt::format("thing{:02}", k), "a thing", 10.0, {}};
    const double a = k % 10;
    if (a > 0) bar.parts.push_back({"a", 0.0, a, fmt::format("part {}", k), "detail"});
    bar.parts.push_back({"b", a, 10.0 - a, "", "rest"});
    out.push_back(std::move(bar));
  }
  return out;
}
std::vector<models::Bar> no_bars(const models::ReportView&) { return {}; }
constexpr std::array<models::BarsSpec, 2> test_views{{
    {.id = "things", .heading = "Things", .title = "Parts of things", .note = "a note", .one = "thing",
     .many = "things", .axis = "unit", .tick = 2.0, .keys = test_keys, .bars = &test_bars},
    {.id = "nothing", .heading = "Things", .title = "Nothing", .one = "widget", .many = "widgets",
     .axis = "unit", .bars = &no_bars},
}};
constexpr models::AreaReportSpec test_area{.section = "things", .views = test_views};

}  // namespace

TEST_CASE("html: an area's bar view draws each bar's parts over its length, under its heading") {
  models::RunResult run = make_run(Shape{});
  models::AreaSection things;
  things.spec = &test_area;
  run.sections.push_back(things);
  const auto page = page_of(run);
  const auto body = body_of(page);
  // Under its own heading, after the VM charts.
  const auto heading = body.find("<h2>Things</h2>");
  REQUIRE(heading != std::string::npos);
  CHECK(body.find("<h2>VMs</h2>") < heading);
  CHECK(heading < body.find("id=\"things\""));
  const auto charts = charts_of(page);
  REQUIRE(charts.contains("things"));
  const Json& spec = charts["things"];
  // 48 of the 50 bars, in the area's order, and the title says so.
  CHECK(title_of(spec) == "Parts of things: the first 48 of 50 things");
  CHECK(subtitles_of(spec) == "a note\n");
  const auto values = cells_of(spec);
  // Bar k: 2 parts, 1 when k mod 10 is 0: 48 bars, 5 of them (0, 10, 20, 30, 40) with one.
  CHECK(values.size() == 2 * 48 - 5);
  CHECK(values.front()["bar"] == "thing00");
  CHECK(values.back()["bar"] == "thing47");
  // thing13: a over [0, 3) labelled at its middle, b over [3, 10).
  std::vector<Json> thing13;
  for (const auto& v : values) {
    if (v["bar"] == "thing13") thing13.push_back(v);
  }
  REQUIRE(thing13.size() == 2);
  CHECK(thing13[0]["key"] == "a");
  CHECK(thing13[0]["x0"] == 0.0);
  CHECK(thing13[0]["x1"] == 3.0);
  CHECK(thing13[0]["xm"] == 1.5);
  CHECK(thing13[0]["label"] == "part 13");  // 8 characters on 3 of 10 units: it fits
  CHECK(thing13[1]["x0"] == 3.0);
  CHECK(thing13[1]["x1"] == 10.0);
  // The axis spans the longest bar, ticks every 2 units; the colours are the keys'.
  std::vector<Json> xs;
  collect(spec, [](const Json& o) { return o.contains("field") && o["field"] == "x0"; }, xs);
  REQUIRE(xs.size() == 1);
  CHECK(xs[0]["scale"]["domain"] == Json::array({0.0, 10.0}));
  CHECK(xs[0]["axis"]["values"] == Json::array({0.0, 2.0, 4.0, 6.0, 8.0, 10.0}));
  std::vector<Json> colours;
  collect(spec, [](const Json& o) { return o.contains("field") && o["field"] == "key"; }, colours);
  REQUIRE(colours.size() == 1);
  CHECK(colours[0]["scale"]["domain"] == Json::array({"a", "b"}));
  CHECK(colours[0]["scale"]["range"] == Json::array({"#111111", "#222222"}));
  // A view with no bars says so in words.
  CHECK(!charts.contains("nothing"));
  const auto at = page.find("id=\"nothing\"");
  REQUIRE(at != std::string::npos);
  CHECK(page.substr(at, page.find("</div>", at) - at).find("No widgets in this run.") != std::string::npos);
  // A run without such an area has no heading for it.
  CHECK(body_of(page_of(make_run(Shape{}))).find("<h2>Things</h2>") == std::string::npos);
}
