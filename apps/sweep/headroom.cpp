// Headroom by simulation: VMs of a profile added to a cluster, counted by exponential then
// binary search over simulated runs, with the capacity report's estimate beside it.

#include "vdc/sweep/headroom.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "plan_tree.hpp"
#include "suggest.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/report/analysis.hpp"
#include "vdc/report/summary.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {
namespace {

using scenario::detail::Entry;
using scenario::detail::Node;

/// The largest value of `field` over report.json's `array` entries (0 with none).
double max_over(const nlohmann::ordered_json& report, const char* array, std::initializer_list<const char*> fields,
                const char* per = nullptr) {
  double best = 0.0;
  for (const auto& e : report.at(array)) {
    double v = 0.0;
    for (const char* f : fields) {
      const auto p = nlohmann::ordered_json::json_pointer(std::string("/") + f);
      if (e.contains(p) && e.at(p).is_number()) v += e.at(p).get<double>();
    }
    if (per != nullptr) {
      const double d = e.at(nlohmann::ordered_json::json_pointer(std::string("/") + per)).get<double>();
      v = d > 0 ? 100.0 * v / d : 0.0;
    }
    best = std::max(best, v);
  }
  return best;
}

Node scalar(std::string text, scenario::detail::Position at) {
  Node n;
  n.kind = Node::Kind::scalar;
  n.text = std::move(text);
  n.plain = true;
  n.pos = at;
  return n;
}

std::vector<std::string> diagnostics_text(const std::vector<scenario::Diagnostic>& d) {
  std::vector<std::string> out;
  for (const auto& x : d) out.push_back(x.format());
  return out;
}

}  // namespace

std::vector<Limit> default_limits() {
  const report::CapacitySettings s;
  using J = nlohmann::ordered_json;
  const Metric ready = *parse_metric("vms.cpu.ready_pct.p95").metric;
  return {
      {"cpu_util", "the busiest host's average CPU use of its cores, hosts.cpu.util_pct_avg (%)",
       [](const J& r) { return max_over(r, "hosts", {"cpu/util_pct_avg"}); }, s.cpu_util_max_pct},
      {"cpu_ready", "the 95th-percentile VM's per-vCPU ready, vms.cpu.ready_pct.p95 (%)",
       [ready](const J& r) { return metric_value(ready, r); }, s.ready_p95_max_pct},
      {"mem_state", "the most time a host spent in the soft, hard or low memory state (%)",
       [](const J& r) {
         return max_over(r, "hosts",
                         {"memory/state_time_pct/soft", "memory/state_time_pct/hard", "memory/state_time_pct/low"});
       },
       0.0},
      {"mem_util", "the busiest host's average consumed memory, in % of its memory",
       [](const J& r) { return max_over(r, "hosts", {"memory/consumed_mib_avg"}, "memory/capacity_mib"); },
       s.mem_util_max_pct},
  };
}

Limit parse_limit(const std::string& text) {
  const std::size_t gt = text.find('>');
  if (gt == std::string::npos) {
    throw std::invalid_argument(fmt::format("--until '{}': expected METRIC>LIMIT, like vms.cpu.ready_pct.p95>5", text));
  }
  const std::string name = text.substr(0, gt);
  const std::string number = text.substr(gt + 1);
  MetricParse parsed = parse_metric(name);
  if (!parsed.metric) {
    throw std::invalid_argument(fmt::format("--until '{}': {} ({}){}", text, parsed.error, parsed.expected,
                                            parsed.suggestion.empty() ? std::string()
                                                                      : fmt::format("; did you mean '{}'?", parsed.suggestion)));
  }
  double limit = 0.0;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), limit);
  if (number.empty() || ec != std::errc{} || end != number.data() + number.size() || !std::isfinite(limit)) {
    throw std::invalid_argument(fmt::format("--until '{}': bad limit '{}' (expected a number)", text, number));
  }
  Metric metric = std::move(*parsed.metric);
  return Limit{name, "given with --until",
               [metric](const nlohmann::ordered_json& r) { return metric_value(metric, r); }, limit};
}

namespace {

/// The scenario with `count` VMs of the profile added, named headroom1, headroom2, ...
Node with_added(const Node& root, const std::string& profile, const std::string& cluster, int count) {
  Node out = root;
  if (count == 0) return out;
  for (Entry& e : out.entries) {
    if (e.key != "vms") continue;
    Node vm;
    vm.kind = Node::Kind::mapping;
    vm.pos = e.key_pos;
    vm.entries.push_back(Entry{"name", e.key_pos, scalar(fmt::format("headroom{{1..{}}}", count), e.key_pos)});
    vm.entries.push_back(Entry{"profile", e.key_pos, scalar(profile, e.key_pos)});
    if (!cluster.empty()) vm.entries.push_back(Entry{"cluster", e.key_pos, scalar(cluster, e.key_pos)});
    if (e.value.kind == Node::Kind::null) e.value.kind = Node::Kind::sequence;
    e.value.items.push_back(std::move(vm));
  }
  return out;
}

/// The report.json of each seed offset of `offsets`, made on up to `jobs` threads.
std::vector<nlohmann::ordered_json> simulate(const models::ScenarioConfig& config, int replications, unsigned jobs) {
  std::vector<nlohmann::ordered_json> out(static_cast<std::size_t>(replications));
  std::mutex mutex;
  int next = 0;
  std::exception_ptr failure;
  auto worker = [&] {
    while (true) {
      int r = 0;
      {
        const std::lock_guard lock(mutex);
        if (next == replications || failure) return;
        r = next++;
      }
      try {
        models::ScenarioConfig c = config;
        c.seed += static_cast<std::uint64_t>(r);
        out[static_cast<std::size_t>(r)] = nlohmann::ordered_json::parse(report_of(c));
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < std::min<unsigned>(jobs, static_cast<unsigned>(replications)); ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

}  // namespace

HeadroomResult find_headroom(const std::string& yaml, const std::string& display_name, const HeadroomQuery& query) {
  scenario::detail::Sink sink(display_name);
  const std::optional<Node> parsed = scenario::detail::parse_document(yaml, sink);
  std::vector<scenario::Diagnostic> diagnostics = sink.take();
  std::optional<models::ScenarioConfig> base;
  if (parsed) base = load_tree(*parsed, display_name, diagnostics);
  if (!base) throw HeadroomError{diagnostics_text(diagnostics)};
  const Node& root = *parsed;

  std::vector<std::string> profiles;
  if (const Node* section = root.get("vm_profiles"); section != nullptr && section->is_mapping()) {
    for (const Entry& e : section->entries) profiles.push_back(e.key);
  }
  if (std::find(profiles.begin(), profiles.end(), query.profile) == profiles.end()) {
    const std::string near = scenario::detail::closest(query.profile, profiles);
    throw HeadroomError{{fmt::format("vdcsim: error: --add '{}': no VM profile of that name in {} ({}){}", query.profile,
                                     display_name,
                                     profiles.empty() ? std::string("expected a scenario with vm_profiles")
                                                      : fmt::format("expected one of: {}", fmt::join(profiles, ", ")),
                                     near.empty() ? std::string() : fmt::format("; did you mean '{}'?", near))}};
  }
  HeadroomResult out;
  std::vector<std::string> clusters;
  for (const auto& c : base->clusters) clusters.push_back(c.name);
  if (!query.cluster.empty()) {
    if (std::find(clusters.begin(), clusters.end(), query.cluster) == clusters.end()) {
      const std::string near = scenario::detail::closest(query.cluster, clusters);
      throw HeadroomError{{fmt::format("vdcsim: error: --cluster '{}': no cluster of that name in {} ({}){}", query.cluster,
                                       display_name,
                                       clusters.empty() ? std::string("the scenario has no clusters")
                                                        : fmt::format("expected one of: {}", fmt::join(clusters, ", ")),
                                       near.empty() ? std::string() : fmt::format("; did you mean '{}'?", near))}};
    }
    out.cluster = query.cluster;
  } else if (clusters.size() == 1) {
    out.cluster = clusters.front();
  } else if (!clusters.empty() || base->hosts.size() != 1) {
    throw HeadroomError{{fmt::format(
        "vdcsim: error: {} has {}: name the cluster that places the added VMs with --cluster ({})", display_name,
        clusters.empty() ? fmt::format("{} hosts and no cluster", base->hosts.size())
                         : fmt::format("{} clusters", clusters.size()),
        clusters.empty() ? std::string("expected a scenario with a cluster, or with a single host")
                         : fmt::format("expected one of: {}", fmt::join(clusters, ", ")))}};
  }
  out.limits = query.limits.empty() ? default_limits() : query.limits;

  const auto config_for = [&](int count) {
    std::vector<scenario::Diagnostic> d;
    auto c = load_tree(with_added(root, query.profile, out.cluster, count), display_name, d);
    if (!c) throw HeadroomError{diagnostics_text(d)};
    return std::move(*c);
  };

  // A workload is random when two seeds give different reports (the seed field aside).
  {
    const models::ScenarioConfig one = config_for(1);
    auto reports = simulate(one, 2, query.jobs);
    for (auto& r : reports) r.erase("seed");
    out.random = reports[0] != reports[1];
    // The capacity report of the same run, with the added VM as the unit of headroom.
    report::AnalysisSettings settings;
    settings.capacity.reference_vm = "headroom1";
    const report::Summary summary = report::summarize(models::run_scenario(one), settings);
    const std::string name = out.cluster.empty() ? std::string("site") : out.cluster;
    for (const auto& c : summary.capacity.clusters) {
      if (c.name != name) continue;
      if (c.headroom_vms.vms) out.estimate = *c.headroom_vms.vms + 1;  // the added VM counts
      out.estimate_binding = c.binding;
    }
  }
  out.replications = query.replications > 0 ? query.replications : (out.random ? 5 : 1);

  const auto judge = [&](int count) {
    Probe p;
    p.count = count;
    const auto reports = simulate(config_for(count), out.replications, query.jobs);
    p.fits = true;
    for (const Limit& l : out.limits) {
      double sum = 0.0;
      for (const auto& r : reports) sum += l.value(r);
      const double mean = sum / static_cast<double>(reports.size());
      p.values.push_back(mean);
      p.fits = p.fits && mean <= l.limit;
    }
    out.probes.push_back(p);
    if (query.progress) query.progress(count, p.fits);
    return p;
  };
  const auto crossed = [&](const Probe& p) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < out.limits.size(); ++i) {
      if (p.values[i] > out.limits[i].limit) names.push_back(out.limits[i].name);
    }
    return names;
  };

  Probe at_zero = judge(0);
  if (!at_zero.fits) {
    out.count = 0;
    out.binding = crossed(at_zero);
    return out;
  }
  int lo = 0;  // fits
  int hi = 0;  // crosses a limit; 0: none found yet
  Probe failed;
  for (int n = 1; n <= query.max_count; n = n > query.max_count / 2 ? query.max_count + 1 : n * 2) {
    Probe p = judge(n);
    if (p.fits) {
      lo = n;
      continue;
    }
    hi = n;
    failed = p;
    break;
  }
  if (hi == 0 && lo < query.max_count) {
    Probe p = judge(query.max_count);
    if (p.fits) lo = query.max_count;
    else {
      hi = query.max_count;
      failed = p;
    }
  }
  if (hi == 0) {
    out.count = lo;
    out.capped = true;
    return out;
  }
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    Probe p = judge(mid);
    if (p.fits) {
      lo = mid;
    } else {
      hi = mid;
      failed = p;
    }
  }
  out.count = lo;
  out.binding = crossed(failed);
  return out;
}

}  // namespace vdc::sweep
