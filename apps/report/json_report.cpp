#include <cmath>

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

Json host_json(const HostSummary& h) {
  Json states = Json::object();
  for (std::size_t i = 0; i < kMemoryStates.size(); ++i) states[kMemoryStates[i]] = r6(h.memory.state_time_pct[i]);
  return Json{
      {"name", h.name},
      {"cluster", h.cluster.empty() ? Json(nullptr) : Json(h.cluster)},
      {"cpu",
       {{"pcpus", h.cpu.pcpus},
        {"lcpus", h.cpu.lcpus},
        {"capacity_mhz", r6(h.cpu.capacity_mhz)},
        {"demand_mhz_avg", r6(h.cpu.demand_mhz_avg)},
        {"used_mhz_avg", r6(h.cpu.used_mhz_avg)},
        {"util_pct_avg", r6(h.cpu.util_pct_avg)},
        {"granted_capacity_mhz", r6(h.cpu.granted_capacity_mhz)},
        {"usage_pct_avg", r6(h.cpu.usage_pct_avg)},
        {"vcpus", h.cpu.vcpus},
        {"vcpu_per_pcpu", r6(h.cpu.vcpu_per_pcpu)}}},
      {"memory",
       {{"capacity_mib", r6(h.memory.capacity_mib)},
        {"min_free_mib", r6(h.memory.min_free_mib)},
        {"state_time_pct", states},
        {"granted_mib_avg", r6(h.memory.granted_mib_avg)},
        {"consumed_mib_avg", r6(h.memory.consumed_mib_avg)},
        {"shared_saved_mib_avg", r6(h.memory.shared_saved_mib_avg)},
        {"balloon_mib_avg", r6(h.memory.balloon_mib_avg)},
        {"compressed_mib_avg", r6(h.memory.compressed_mib_avg)},
        {"swapped_mib_avg", r6(h.memory.swapped_mib_avg)}}}};
}

Json vm_json(const VmSummary& v) {
  return Json{
      {"name", v.name},
      {"host", v.host.empty() ? Json(nullptr) : Json(v.host)},
      {"cluster", v.cluster.empty() ? Json(nullptr) : Json(v.cluster)},
      {"vcpus", v.vcpus},
      {"memory_mib", r6(v.memory_mib)},
      {"power_state", v.powered_on ? "on" : "off"},
      {"admission", v.admission ? Json(*v.admission) : Json(nullptr)},
      {"cpu",
       {{"demand_mhz_avg", r6(v.cpu.demand_mhz_avg)},
        {"used_mhz_avg", r6(v.cpu.used_mhz_avg)},
        {"entitlement_mhz_avg", r6(v.cpu.entitlement_mhz_avg)},
        {"run_pct", r6(v.cpu.run_pct)},
        {"ready_pct", r6(v.cpu.ready_pct)},
        {"costop_pct", r6(v.cpu.costop_pct)},
        {"wait_pct", r6(v.cpu.wait_pct)},
        {"ready_ms", r6(v.cpu.ready_ms)},
        {"costop_ms", r6(v.cpu.costop_ms)}}},
      {"memory",
       {{"granted_mib_avg", r6(v.memory.granted_mib_avg)},
        {"active_mib_avg", r6(v.memory.active_mib_avg)},
        {"shared_mib_avg", r6(v.memory.shared_mib_avg)},
        {"balloon_mib_avg", r6(v.memory.balloon_mib_avg)},
        {"compressed_mib_avg", r6(v.memory.compressed_mib_avg)},
        {"swapped_mib_avg", r6(v.memory.swapped_mib_avg)},
        {"balloon_mib_max", r6(v.memory.balloon_mib_max)},
        {"swapped_mib_max", r6(v.memory.swapped_mib_max)}}}};
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
  const auto& s = c.settings;
  Json offenders = Json::array();
  for (const auto& o : c.offenders) {
    offenders.push_back(Json{{"kind", o.kind}, {"name", o.name}, {"host", o.host}, {"metric", o.metric},
                             {"average", r6(o.average)}, {"peak", r6(o.peak)}, {"threshold", r6(o.threshold)},
                             {"time_over_s", r6(o.time_over_s)}});
  }
  return Json{{"thresholds",
               {{"ready_pct", r6(s.ready_pct)},
                {"costop_pct", r6(s.costop_pct)},
                {"balloon_mib", r6(s.balloon_mib)},
                {"compressed_mib", r6(s.compressed_mib)},
                {"swapped_mib", r6(s.swapped_mib)},
                {"host_cpu_util_pct", r6(s.host_cpu_util_pct)}}},
              {"offenders", std::move(offenders)}};
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
  for (const auto& h : s.hosts) hosts.push_back(host_json(h));
  Json vms = Json::array();
  for (const auto& v : s.vms) vms.push_back(vm_json(v));
  doc["hosts"] = std::move(hosts);
  doc["vms"] = std::move(vms);
  doc["capacity"] = capacity_json(s.capacity);
  doc["contention"] = contention_json(s.contention);
  return doc;
}

}  // namespace vdc::report
