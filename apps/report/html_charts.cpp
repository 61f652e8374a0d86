// The four kinds of chart an area's description asks report.html for (models::ChartKind).
#include "html_chart.hpp"

namespace vdc::report::html_chart {
namespace {

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
  if (!c.entities.empty()) {
    for (const auto& table : section.tables) {
      if (table.spec->key != c.entities) continue;
      for (std::size_t r = 0; r < table.rows(); ++r) {
        const auto* name = std::get_if<std::string>(&table.row(r)[0]);
        if (name == nullptr) continue;
        out.push_back({*name, {}, fmt::format("{}{}", c.entity_prefix, *name), {nullptr, nullptr, {}, &run.metrics, {}}});
      }
    }
  } else if (c.entity == models::EntityKind::host) {
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
  if (drawn.empty() && !c.entities.empty()) return fmt::format("No {} in this run.", c.entity_one);
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
  if (drawn.empty()) {
    return not_kept_text(t, all, !c.entities.empty() ? c.entity_many : hosts ? "hosts" : "VMs", c.gauges, c.series_of, c.where);
  }
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
/// The moments a chart marks (ChartSpec::marks): a dashed rule at each, its label as tooltip.
Json mark_moments(Json spec, const Timeline& t, const models::AreaSection& section, const models::ChartSpec& c) {
  if (c.marks.empty()) return spec;
  const auto table = std::find_if(section.tables.begin(), section.tables.end(),
                                  [&](const models::ReportTable& x) { return x.spec->key == c.marks; });
  if (table == section.tables.end() || table->rows() == 0) return spec;
  const auto columns = table->spec->columns;
  const auto column = [&](std::string_view key) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].json == key) return i;
    }
    return columns.size();
  };
  const std::size_t at = column(c.marks_time), label = column(c.marks_label);
  if (at == columns.size() || label == columns.size()) return spec;
  // One rule per moment: several rows at the same moment share it, the first one's label
  // saying how many more there were.
  std::vector<std::pair<double, std::vector<std::string>>> moments;
  for (std::size_t r = 0; r < table->rows(); ++r) {
    const auto row = table->row(r);
    const auto* seconds = std::get_if<double>(&row[at]);
    const auto* text = std::get_if<std::string>(&row[label]);
    if (seconds == nullptr) continue;
    const double m = t.axis(*seconds);
    if (moments.empty() || moments.back().first != m) moments.emplace_back(m, std::vector<std::string>{});
    const std::string what = text != nullptr ? *text : std::string();
    auto& labels = moments.back().second;
    if (std::find(labels.begin(), labels.end(), what) == labels.end()) labels.push_back(what);
  }
  Json values = Json::array();
  for (const auto& [m, labels] : moments) {
    const std::string what =
        labels.size() > 1 ? fmt::format("{} (and {} more)", labels.front(), labels.size() - 1) : labels.front();
    values.push_back({{"m", m}, {"what", what}});
  }
  if (!spec.contains("layer")) {
    Json chart = {{"mark", spec["mark"]}, {"encoding", spec["encoding"]}, {"data", spec["data"]}};
    spec.erase("mark");
    spec.erase("encoding");
    spec.erase("data");
    spec["layer"] = Json::array({chart});
  }
  spec["layer"].push_back({{"data", {{"values", values}}},
                           {"mark", {{"type", "rule"}, {"strokeDash", {4, 3}}, {"color", "#b71c1c"}, {"strokeWidth", 1.5}}},
                           {"encoding", {{"x", t.x("m")}, {"tooltip", {{{"field", "what"}, {"type", "nominal"}}}}}}});
  return spec;
}

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
  const bool own = !c.entities.empty();
  Json spec = base_spec(fmt::format("{}: {}", c.title,
                                    which_text(hosts.size(), total, own ? c.entity_one : "host", own ? c.entity_many : "hosts",
                                               c.rank_text)),
                        {note_line(c.note, t)});
  spec["data"] = {{"values", values}};
  spec["height"] = std::max<std::size_t>(220, 14 * hosts.size() + 20);  // room for the legend
  spec["mark"] = {{"type", "line"}, {"interpolate", "step-after"}};
  spec["encoding"] = {{"x", t.x("t")},
                      {"y", {{"field", "util"}, {"type", "quantitative"}, {"title", c.axis},
                             {"scale", {{"domainMin", 0}}}}},
                      {"color", {{"field", "host"}, {"type", "nominal"}, {"sort", nullptr}}}};
  if (own) spec["encoding"]["color"]["title"] = c.entity_one;
  chart.spec = mark_moments(mark_warmup(std::move(spec), t), t, section, c);
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

}  // namespace

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

}  // namespace vdc::report::html_chart
