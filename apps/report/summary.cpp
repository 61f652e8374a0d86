#include "vdc/report/summary.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>
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

/// Says when hosts_timeseries.csv lacks the hosts or some of their columns: the budget keeps
/// the hosts' series first, but a run long and wide enough (1,000 hosts over a day at 20 s)
/// cannot hold even those. Each host series group is checked through its probe gauge.
void add_host_series_warning(const models::RunResult& run, const SeriesSettings& series, std::vector<RunWarning>& out) {
  if (run.hosts.empty() || series.rule == SeriesSettings::Rule::all) return;
  std::vector<std::string_view> kept_labels, missing_labels;
  for (const models::AreaSpec* a : run.areas) {
    for (const models::SeriesGroup& g : a->series) {
      if (g.entity != models::EntityKind::host || g.probe.empty()) continue;
      bool kept = false, missing = false;
      for (const auto& h : run.hosts) {
        const std::string entity = models::metric::host_entity(h.name);
        if (!run.metrics.find(entity, g.probe)) continue;
        (keeps_series(run.metrics, entity, g.probe) ? kept : missing) = true;
      }
      if (kept) kept_labels.push_back(g.label);
      if (missing) missing_labels.push_back(g.label);
    }
  }
  if (missing_labels.empty()) return;
  const std::string budget = fmt::format("{} MiB", series.budget_bytes >> 20);
  const std::string remedy =
      "A longer sample_interval or a shorter run fits them in the budget; `vdcsim run --series all` keeps every "
      "series, whatever memory it takes.";
  const std::string n = models::report_text::count(run.hosts.size(), "host", "hosts");
  if (kept_labels.empty()) {
    out.push_back({"host_series_dropped",
                   fmt::format("The series budget ({}) kept no per-interval series of the {}: hosts_timeseries.csv "
                               "has no rows, and the hosts' time over thresholds comes from averages. {}",
                               budget, n, remedy)});
  } else {
    out.push_back({"host_series_dropped",
                   fmt::format("The series budget ({}) kept the {} series of the {} but not their {} series: "
                               "hosts_timeseries.csv has no {} columns. {}",
                               budget, joined(kept_labels), n, joined(missing_labels), joined(missing_labels), remedy)});
  }
}

/// Says when vms_timeseries.csv lacks VMs or columns the user may expect there: each VM
/// series group of the areas that ran is checked through its probe gauge.
void add_series_warnings(const models::RunResult& run, const SeriesSettings& series, std::vector<RunWarning>& out) {
  add_host_series_warning(run, series, out);
  if (run.vms.empty()) return;
  std::vector<const models::SeriesGroup*> groups;
  for (const models::AreaSpec* a : run.areas) {
    for (const models::SeriesGroup& g : a->series) {
      if (g.entity == models::EntityKind::vm && !g.probe.empty()) groups.push_back(&g);
    }
  }
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
  // A gauge no area registered for a VM is not missing.
  std::vector<std::size_t> kept(groups.size(), 0), missing(groups.size(), 0);
  for (const auto& v : run.vms) {
    const std::string entity = models::metric::vm_entity(v.name);
    for (std::size_t g = 0; g < groups.size(); ++g) {
      if (run.metrics.find(entity, groups[g]->probe)) {
        ++(keeps_series(run.metrics, entity, groups[g]->probe) ? kept[g] : missing[g]);
      }
    }
  }
  std::vector<std::string_view> kept_labels, missing_labels;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (kept[g] > 0) kept_labels.push_back(groups[g]->label);
    if (missing[g] > 0) missing_labels.push_back(groups[g]->label);
  }
  if (missing_labels.empty()) return;
  const std::size_t n = run.vms.size();
  const std::string budget = fmt::format("{} MiB", series.budget_bytes >> 20);
  const std::string choose =
      "`vdcsim run --series N` keeps the series of the N VMs with the most ready, co-stop and memory reclamation, "
      "`--series all` every VM's.";
  if (kept_labels.empty()) {
    out.push_back({"vm_series_dropped",
                   fmt::format("The series budget ({}) kept no per-interval series of the {} VMs: vms_timeseries.csv "
                               "has no VM rows, and the VMs' time over thresholds comes from averages. {}",
                               budget, n, choose)});
  } else {
    out.push_back({"vm_series_dropped",
                   fmt::format("The series budget ({}) kept the {} series of the {} VMs but not their {} series: "
                               "vms_timeseries.csv has no {} columns. {}",
                               budget, joined(kept_labels), n, joined(missing_labels), joined(missing_labels),
                               choose)});
  }
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
  add_series_warnings(run, settings.series, s.warnings);
  s.capacity = analyse_capacity(run, settings.capacity);
  s.contention = analyse_contention(run, settings.contention);
  return s;
}

}  // namespace vdc::report
