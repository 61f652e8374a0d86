// The areas' report sections: include/vdc/models/area_report.hpp.
#include "vdc/models/area_report.hpp"

#include <algorithm>

#include "vdc/models/area.hpp"
#include "vdc/models/run_result.hpp"

namespace vdc::models {

std::optional<std::size_t> AreaSection::column(EntityKind kind, std::string_view json) const {
  const auto cols = columns(kind);
  for (std::size_t i = 0; i < cols.size(); ++i) {
    if (cols[i].json == json) return i;
  }
  return std::nullopt;
}

const std::string& AreaSection::text(std::size_t v, std::size_t c) const {
  static const std::string none;
  const std::size_t i = v * spec->vm_columns.size() + c;
  return i < vm_text.size() ? vm_text[i] : none;
}

const AreaSection* ReportView::section(std::string_view area) const {
  for (const AreaSection& s : sections_) {
    if (s.name() == area) return &s;
  }
  return nullptr;
}

std::optional<double> ReportView::value(std::string_view area, EntityKind kind, std::size_t index,
                                        std::string_view json) const {
  const AreaSection* s = section(area);
  if (s == nullptr) return std::nullopt;
  const auto c = s->column(kind, json);
  const std::size_t n = s->columns(kind).size();
  const std::size_t rows = n == 0 ? 0 : (kind == EntityKind::host ? s->hosts.size() : s->vms.size()) / n;
  if (!c || index >= rows) return std::nullopt;
  return s->row(kind, index)[*c];
}

void add_report_sections(RunResult& run, std::span<const AreaSpec* const> areas) {
  run.areas.assign(areas.begin(), areas.end());
  run.sections.clear();
  for (const AreaSpec* a : areas) {
    if (a->report == nullptr) continue;
    // Variants of one area share a description; an area has one section.
    const bool seen = std::any_of(run.sections.begin(), run.sections.end(),
                                  [&](const AreaSection& s) { return s.spec == a->report; });
    if (seen) continue;
    AreaSection section;
    section.spec = a->report;
    section.hosts.assign(run.hosts.size() * a->report->host_columns.size(), 0.0);
    section.vms.assign(run.vms.size() * a->report->vm_columns.size(), 0.0);
    const bool texts = std::any_of(a->report->vm_columns.begin(), a->report->vm_columns.end(),
                                   [](const ReportColumn& c) { return c.kind == ValueKind::text; });
    if (texts) section.vm_text.assign(section.vms.size(), std::string());
    for (const TableSpec& t : a->report->tables) {
      const auto kept = std::find_if(run.tables.begin(), run.tables.end(),
                                     [&](const ReportTable& r) { return r.spec == &t; });
      section.tables.push_back(kept != run.tables.end() ? *kept : ReportTable{&t, {}});
    }
    if (a->report->fill != nullptr) a->report->fill(run, section);
    run.sections.push_back(std::move(section));
  }
}

}  // namespace vdc::models
