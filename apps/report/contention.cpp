#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <variant>

#include <fmt/format.h>

#include "series_stats.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/report/analysis.hpp"

namespace vdc::report {
namespace {

using models::ContentionCheck;
using models::EntityKind;

/// The threshold of `c` in force: the settings' override of its key, or the area's own.
double threshold_of(const ContentionCheck& c, const ContentionSettings& s) {
  for (const auto& [key, value] : s.thresholds) {
    if (!c.setting.empty() && key == c.setting) return value;
  }
  return c.threshold;
}

void check(const sim::MetricsRegistry& m, std::optional<sim::MetricId> id, const ContentionCheck& c, double scale,
           double threshold, Offender base, std::vector<Offender>& out) {
  if (!id) return;
  const double over = time_over(m, *id, scale, threshold);
  if (over <= 0.0) return;
  base.metric = std::string(c.label);
  base.average = scale * m.average(*id);
  const auto series = m.window_series(*id);
  base.peak = series.empty() ? scale * m.max(*id) : scale * *std::max_element(series.begin(), series.end());
  base.threshold = threshold;
  base.time_over_s = over;
  out.push_back(std::move(base));
}

}  // namespace

ContentionReport analyse_contention(const models::RunResult& run, const ContentionSettings& s) {
  ContentionReport rep;
  const auto& m = run.metrics;
  for (const EntityKind kind : {EntityKind::vm, EntityKind::host}) {
    for (const auto& section : run.sections) {
      for (const ContentionCheck& c : section.spec->contention) {
        if (c.entity == kind && !c.setting.empty()) rep.thresholds.emplace_back(c.setting, threshold_of(c, s));
      }
    }
  }
  // Each check's gauge by name id, per section in the checks' order: resolved once, then
  // found among an entity's metrics.
  std::vector<std::vector<std::optional<std::uint32_t>>> names;
  for (const auto& section : run.sections) {
    auto& ids = names.emplace_back();
    for (const ContentionCheck& c : section.spec->contention) ids.push_back(m.name_id(c.gauge));
  }
  std::unordered_map<std::string_view, std::size_t> host_index;
  for (std::size_t i = 0; i < run.hosts.size(); ++i) host_index.emplace(run.hosts[i].name, i);
  // Every VM that ran, each area's checks in turn; then every host.
  for (const auto& v : run.vms) {
    if (v.host.empty()) continue;
    const auto of = m.metrics_of(models::metric::vm_entity(v.name));
    const auto at = host_index.find(v.host);
    const models::HostFacts* host = at != host_index.end() ? &run.hosts[at->second] : nullptr;
    for (std::size_t k = 0; k < run.sections.size(); ++k) {
      const auto& section = run.sections[k];
      for (std::size_t j = 0; j < section.spec->contention.size(); ++j) {
        const ContentionCheck& c = section.spec->contention[j];
        if (c.entity != EntityKind::vm || !c.entities.empty()) continue;
        const double scale =
            c.per != nullptr
                ? c.per({host, &v, host != nullptr ? section.host_row(at->second) : std::span<const double>{}})
                : c.scale;
        if (scale == 0.0) continue;
        check(m, m.find(of, names[k][j]), c, scale, threshold_of(c, s), Offender{"vm", v.name, v.host, {}, 0, 0, 0, 0},
              rep.offenders);
      }
    }
  }
  for (std::size_t i = 0; i < run.hosts.size(); ++i) {
    const auto& h = run.hosts[i];
    const auto of = m.metrics_of(models::metric::host_entity(h.name));
    for (std::size_t k = 0; k < run.sections.size(); ++k) {
      const auto& section = run.sections[k];
      for (std::size_t j = 0; j < section.spec->contention.size(); ++j) {
        const ContentionCheck& c = section.spec->contention[j];
        if (c.entity != EntityKind::host || !c.entities.empty()) continue;
        const double scale = c.per != nullptr ? c.per({&h, nullptr, section.host_row(i)}) : c.scale;
        if (scale == 0.0) continue;
        check(m, m.find(of, names[k][j]), c, scale, threshold_of(c, s), Offender{"host", h.name, h.name, {}, 0, 0, 0, 0},
              rep.offenders);
      }
    }
  }
  // The areas' own entities (a datastore): the rows of the table each such check names.
  for (std::size_t k = 0; k < run.sections.size(); ++k) {
    const auto& section = run.sections[k];
    for (std::size_t j = 0; j < section.spec->contention.size(); ++j) {
      const ContentionCheck& c = section.spec->contention[j];
      if (c.entities.empty()) continue;
      for (const auto& table : section.tables) {
        if (table.spec->key != c.entities) continue;
        for (std::size_t r = 0; r < table.rows(); ++r) {
          const auto* name = std::get_if<std::string>(&table.row(r)[0]);
          if (name == nullptr) continue;
          const auto of = m.metrics_of(fmt::format("{}{}", c.entity_prefix, *name));
          check(m, m.find(of, names[k][j]), c, c.scale, threshold_of(c, s),
                Offender{std::string(c.entity_kind), *name, {}, {}, 0, 0, 0, 0}, rep.offenders);
        }
      }
    }
  }
  std::stable_sort(rep.offenders.begin(), rep.offenders.end(), [](const Offender& a, const Offender& b) {
    if (a.time_over_s != b.time_over_s) return a.time_over_s > b.time_over_s;
    return a.average > b.average;
  });
  return rep;
}

}  // namespace vdc::report
