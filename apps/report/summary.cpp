#include "vdc/report/summary.hpp"

#include <algorithm>
#include <future>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "vdc/models/area.hpp"
#include "vdc/models/metric_names.hpp"
#include "vdc/models/report_text.hpp"

namespace vdc::report {
namespace {

const char* fidelity_name(models::Fidelity f) {
  return f == models::Fidelity::detailed ? "detailed" : "fluid";
}

bool keeps_series(const sim::MetricsRegistry& m, const std::string& entity, std::string_view gauge) {
  const auto id = m.find(entity, gauge);
  return id && !m.series(*id).empty();
}

/// "CPU state", "CPU state and memory".
std::string joined(const std::vector<std::string_view>& labels) {
  std::string out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out += i + 1 == labels.size() ? " and " : ", ";
    out += labels[i];
  }
  return out;
}

/// The labels of `groups` (series groups of one entity kind) that some of `entities` kept,
/// and of those some did not; an entity without a group's probe gauge is neither.
std::pair<std::vector<std::string_view>, std::vector<std::string_view>> kept_and_missing(
    const sim::MetricsRegistry& m, const std::vector<const models::SeriesGroup*>& groups,
    const std::vector<std::string>& entities) {
  std::vector<std::string_view> kept, missing;
  for (const models::SeriesGroup* g : groups) {
    bool some_kept = false, some_missing = false;
    for (const std::string& entity : entities) {
      if (!m.find(entity, g->probe)) continue;
      (keeps_series(m, entity, g->probe) ? some_kept : some_missing) = true;
    }
    if (some_kept) kept.push_back(g->label);
    if (some_missing) missing.push_back(g->label);
  }
  return {kept, missing};
}

/// What a series file lacks when the budget dropped some of its groups.
struct Dropped {
  std::string_view code;      ///< "vm_series_dropped"
  std::string entities;       ///< "the 20000 VMs"
  std::string_view file;      ///< "vms_timeseries.csv"
  std::string_view rows;      ///< "VM rows"
  std::string_view whose;     ///< "the VMs'"
  std::string_view advice;    ///< what keeps them
};

void add_dropped(const Dropped& d, const SeriesSettings& series, const std::vector<std::string_view>& kept,
                 const std::vector<std::string_view>& missing, std::vector<RunWarning>& out) {
  if (missing.empty()) return;
  const std::size_t b = series.budget_bytes;
  const std::string budget = b % (std::size_t{1} << 30) == 0 && b > 0 ? fmt::format("{} GiB", b >> 30)
                             : b >= (std::size_t{1} << 20)          ? fmt::format("{} MiB", b >> 20)
                                                                    : fmt::format("{} bytes", b);
  if (kept.empty()) {
    out.push_back({std::string(d.code),
                   fmt::format("The series budget ({}) kept no per-interval series of {}: {} has no {}, and {} time "
                               "over thresholds comes from averages. {}",
                               budget, d.entities, d.file, d.rows, d.whose, d.advice)});
  } else {
    out.push_back({std::string(d.code),
                   fmt::format("The series budget ({}) kept the {} series of {} but not their {} series: {} has no {} "
                               "columns. {}",
                               budget, joined(kept), d.entities, joined(missing), d.file, joined(missing), d.advice)});
  }
}

/// The series groups of `kind` of the areas that ran (those with a probe gauge).
std::vector<const models::SeriesGroup*> series_groups(const models::RunResult& run, models::EntityKind kind) {
  std::vector<const models::SeriesGroup*> groups;
  for (const models::AreaSpec* a : run.areas) {
    for (const models::SeriesGroup& g : a->series) {
      if (g.entity == kind && !g.probe.empty()) groups.push_back(&g);
    }
  }
  return groups;
}

/// Says when hosts_timeseries.csv or vms_timeseries.csv lacks entities or columns the user
/// may expect there, each series group checked through its probe gauge. The budget keeps
/// the hosts' series first, but a run long and wide enough (1,000 hosts over a day at 20 s)
/// cannot hold even those.
void add_series_warnings(const models::RunResult& run, const SeriesSettings& series, std::vector<RunWarning>& out) {
  if (series.rule == SeriesSettings::Rule::all) return;
  if (!run.hosts.empty()) {
    std::vector<std::string> hosts;
    for (const auto& h : run.hosts) hosts.push_back(models::metric::host_entity(h.name));
    const auto [kept, missing] = kept_and_missing(run.metrics, series_groups(run, models::EntityKind::host), hosts);
    add_dropped({"host_series_dropped", "the " + models::report_text::count(run.hosts.size(), "host", "hosts"),
                 "hosts_timeseries.csv", "rows", "the hosts'",
                 "A larger `vdcsim run --series-budget`, a longer sample_interval or a shorter run fits them; "
                 "`--series all` keeps every series, whatever memory it takes."},
                series, kept, missing, out);
  }
  if (run.vms.empty()) return;
  const std::vector<const models::SeriesGroup*> groups = series_groups(run, models::EntityKind::vm);
  if (groups.empty()) return;
  if (series.rule == SeriesSettings::Rule::top) {
    std::size_t missing = 0;
    for (const auto& name : series.vms) {
      if (!keeps_series(run.metrics, models::metric::vm_entity(name), groups.front()->probe)) ++missing;
    }
    if (missing > 0) {
      out.push_back({"vm_series_partial",
                     fmt::format("{} of the {} VMs chosen by --series {} kept no per-interval series (the run that "
                                 "records them was interrupted): vms_timeseries.csv has no rows for them.",
                                 missing, series.vms.size(), series.top)});
    }
    return;
  }
  if (series.rule != SeriesSettings::Rule::budget) return;
  std::vector<std::string> vms;
  for (const auto& v : run.vms) vms.push_back(models::metric::vm_entity(v.name));
  const auto [kept, missing] = kept_and_missing(run.metrics, groups, vms);
  add_dropped({"vm_series_dropped", fmt::format("the {} VMs", run.vms.size()), "vms_timeseries.csv", "VM rows",
               "the VMs'",
               "`vdcsim run --series N` keeps the series of the N VMs with the most ready, co-stop and memory "
               "reclamation, `--series all` every VM's, and a larger `--series-budget` those that fit in it."},
              series, kept, missing, out);
}

}  // namespace

std::vector<std::string> worst_vms_for_series(const Summary& summary, std::size_t n) {
  std::vector<std::pair<double, std::size_t>> scored;
  for (std::size_t i = 0; i < summary.vms.size(); ++i) {
    const auto& v = summary.vms[i];
    if (v.admission) continue;
    double score = 0.0;
    for (const auto& section : summary.sections) {
      if (section.spec->vm_score != nullptr) score += section.spec->vm_score(section.vm_row(i), v);
    }
    scored.emplace_back(score, i);
  }
  std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && i < n; ++i) names.push_back(summary.vms[scored[i].second].name);
  return names;
}

Summary summarize(const models::RunResult& run, const AnalysisSettings& settings) {
  for (const auto& section : run.sections) {
    if (section.hosts.size() != run.hosts.size() * section.spec->host_columns.size() ||
        section.vms.size() != run.vms.size() * section.spec->vm_columns.size()) {
      throw std::invalid_argument(fmt::format(
          "the {} section does not match the run's hosts and VMs (add_report_sections after changing them)",
          section.name()));
    }
  }
  Summary s;
  s.scenario = run.scenario;
  s.source = run.source;
  s.seed = run.seed;
  s.fidelity = fidelity_name(run.fidelity);
  s.duration_s = run.duration.seconds();
  s.warmup_s = run.warmup.seconds();
  s.sample_interval_s = run.sample_interval.seconds();
  s.partial = run.partial;
  s.events = run.events;
  s.hosts = run.hosts;
  s.vms = run.vms;
  s.sections = run.sections;
  for (const auto& section : run.sections) {
    s.warnings.insert(s.warnings.end(), section.warnings.begin(), section.warnings.end());
  }
  // The two analyses read the run and nothing of each other: the contention one runs on a
  // second thread while this one does the rest (all here when no thread is to be had).
  const auto contend = [&run, &settings] { return analyse_contention(run, settings.contention); };
  std::future<ContentionReport> contention;
  try {
    contention = std::async(std::launch::async, contend);
  } catch (const std::system_error&) {
    contention = std::async(std::launch::deferred, contend);
  }
  add_series_warnings(run, settings.series, s.warnings);
  s.capacity = analyse_capacity(run, settings.capacity);
  s.contention = contention.get();
  return s;
}

}  // namespace vdc::report
