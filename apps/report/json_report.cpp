#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "vdc/report/writers.hpp"

namespace vdc::report {
namespace {

using Json = nlohmann::ordered_json;

/// Six decimals are far below any model's accuracy and keep the file readable; rounding is
/// deterministic, so the same run still gives the same bytes.
double r6(double x) {
  const double r = std::round(x * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r;  // no "-0.0"
}

/// A count as an integer, a number to six decimals.
Json value_json(const models::ReportColumn& c, double v) {
  return c.kind == models::ValueKind::count ? Json(static_cast<std::int64_t>(std::llround(v))) : Json(r6(v));
}

/// Each area's object of host or VM `i`, under the area's name; a key "a.b" goes into an
/// object a.
void add_sections(Json& j, const Summary& s, models::EntityKind kind, std::size_t i) {
  for (const auto& section : s.sections) {
    Json obj = Json::object();
    const auto columns = section.columns(kind);
    const auto row = section.row(kind, i);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      const std::string_view key = columns[c].json;
      const auto dot = key.find('.');
      if (dot == std::string_view::npos) obj[std::string(key)] = value_json(columns[c], row[c]);
      else obj[std::string(key.substr(0, dot))][std::string(key.substr(dot + 1))] = value_json(columns[c], row[c]);
    }
    j[std::string(section.name())] = std::move(obj);
  }
}

Json host_json(const Summary& s, std::size_t i) {
  const auto& h = s.hosts[i];
  Json j{{"name", h.name}, {"cluster", h.cluster.empty() ? Json(nullptr) : Json(h.cluster)}};
  add_sections(j, s, models::EntityKind::host, i);
  return j;
}

Json vm_json(const Summary& s, std::size_t i) {
  const auto& v = s.vms[i];
  Json j{{"name", v.name},
         {"host", v.host.empty() ? Json(nullptr) : Json(v.host)},
         {"cluster", v.cluster.empty() ? Json(nullptr) : Json(v.cluster)},
         {"vcpus", v.vcpus},
         {"memory_mib", r6(v.memory_mib)},
         {"power_state", v.powered_on ? "on" : "off"},
         {"admission", v.admission ? Json(*v.admission) : Json(nullptr)}};
  add_sections(j, s, models::EntityKind::vm, i);
  return j;
}

Json spread_json(const Spread& s) {
  return Json{{"avg", r6(s.avg)}, {"p50", r6(s.p50)}, {"p95", r6(s.p95)}, {"p99", r6(s.p99)}, {"max", r6(s.max)}};
}

/// A headroom count, or null when the threshold is not reached (the reason is in `notes`).
Json count_json(const Headroom& h) { return h.vms ? Json(*h.vms) : Json(nullptr); }

Json capacity_entry_json(const CapacityEntry& e, bool is_cluster) {
  Json j{{"name", e.name}};
  if (is_cluster) j["hosts"] = e.hosts;
  else j["cluster"] = e.cluster.empty() ? Json(nullptr) : Json(e.cluster);
  j["cpu"] = Json{{"capacity_mhz", r6(e.cpu_capacity_mhz)}, {"reserved_mhz", r6(e.cpu_reserved_mhz)},
                  {"pcpus", e.pcpus}, {"vcpus", e.vcpus}, {"vcpu_per_pcpu", r6(e.vcpu_per_pcpu)},
                  {"demand_mhz", spread_json(e.cpu_demand_mhz)}, {"used_mhz_avg", r6(e.cpu_used_mhz_avg)}};
  j["memory"] = Json{{"capacity_mib", r6(e.mem_capacity_mib)}, {"reserved_mib", r6(e.mem_reserved_mib)},
                     {"vram_mib", r6(e.vram_mib)}, {"vram_per_pram", r6(e.vram_per_pram)},
                     {"consumed_mib", spread_json(e.mem_consumed_mib)}};
  const std::pair<const char*, const Headroom*> limits[] = {{"cpu_util", &e.headroom_cpu_util},
                                                            {"cpu_ready", &e.headroom_cpu_ready},
                                                            {"mem_state", &e.headroom_mem_state},
                                                            {"mem_util", &e.headroom_mem_util}};
  Json by_threshold = Json::object();
  Json notes = Json::object();
  Json not_reached = Json::object();
  for (const auto& [name, h] : limits) {
    by_threshold[name] = count_json(*h);
    if (!h->note.empty()) notes[name] = h->note;
    if (h->hosts_not_reached > 0) not_reached[name] = h->hosts_not_reached;
  }
  if (!e.headroom_vms.note.empty()) notes["vms"] = e.headroom_vms.note;
  if (is_cluster && e.headroom_vms.hosts_not_reached > 0) not_reached["vms"] = e.headroom_vms.hosts_not_reached;
  Json headroom{{"vms", count_json(e.headroom_vms)}, {"binding", e.binding}, {"by_threshold", std::move(by_threshold)}};
  // Only where a count is missing or a cluster's sum left hosts out: the reason.
  if (!notes.empty()) headroom["notes"] = std::move(notes);
  if (!not_reached.empty()) headroom["hosts_not_reached"] = std::move(not_reached);
  j["headroom"] = std::move(headroom);
  return j;
}

Json capacity_json(const CapacityReport& c) {
  const auto& s = c.settings;
  Json clusters = Json::array();
  for (const auto& e : c.clusters) clusters.push_back(capacity_entry_json(e, true));
  Json hosts = Json::array();
  for (const auto& e : c.hosts) hosts.push_back(capacity_entry_json(e, false));
  return Json{{"method", c.method},
              {"warmup_s", r6(c.warmup_s)},
              {"window_s", r6(c.window_s)},
              {"settings",
               {{"ready_p95_max_pct", r6(s.ready_p95_max_pct)},
                {"cpu_util_max_pct", r6(s.cpu_util_max_pct)},
                {"mem_soft_pct_of_min_free", r6(s.mem_soft_pct_of_min_free)},
                {"mem_util_max_pct", r6(s.mem_util_max_pct)}}},
              {"reference_vm",
               {{"name", c.reference.name},
                {"vcpus", c.reference.vcpus},
                {"cpu_demand_mhz_p95", r6(c.reference.cpu_demand_mhz_p95)},
                {"memory_mib_p95", r6(c.reference.memory_mib)}}},
              {"clusters", std::move(clusters)},
              {"hosts", std::move(hosts)}};
}

Json contention_json(const ContentionReport& c) {
  Json offenders = Json::array();
  for (const auto& o : c.offenders) {
    offenders.push_back(Json{{"kind", o.kind}, {"name", o.name}, {"host", o.host}, {"metric", o.metric},
                             {"average", r6(o.average)}, {"peak", r6(o.peak)}, {"threshold", r6(o.threshold)},
                             {"time_over_s", r6(o.time_over_s)}});
  }
  Json thresholds = Json::object();
  for (const auto& [key, value] : c.thresholds) thresholds[key] = r6(value);
  return Json{{"thresholds", std::move(thresholds)}, {"offenders", std::move(offenders)}};
}

}  // namespace

nlohmann::ordered_json to_json(const Summary& s) {
  Json doc{{"scenario", s.scenario},
           {"seed", s.seed},
           {"fidelity", s.fidelity},
           {"duration_s", r6(s.duration_s)},
           {"version", version()},
           {"sample_interval_s", r6(s.sample_interval_s)},
           {"partial", s.partial},
           {"events", s.events}};
  Json warnings = Json::array();
  for (const auto& w : s.warnings) warnings.push_back(Json{{"code", w.code}, {"message", w.message}});
  doc["warnings"] = std::move(warnings);
  Json hosts = Json::array();
  for (std::size_t i = 0; i < s.hosts.size(); ++i) hosts.push_back(host_json(s, i));
  Json vms = Json::array();
  for (std::size_t i = 0; i < s.vms.size(); ++i) vms.push_back(vm_json(s, i));
  doc["hosts"] = std::move(hosts);
  doc["vms"] = std::move(vms);
  doc["capacity"] = capacity_json(s.capacity);
  doc["contention"] = contention_json(s.contention);
  return doc;
}

}  // namespace vdc::report
