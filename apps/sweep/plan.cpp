// The `sweep:` section read into a Plan, and a point of its grid applied to the scenario's
// YAML tree and loaded by the scenario loader, exactly as `vdcsim run` loads a file.

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan_tree.hpp"
#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"
#include "vdc/scenario/limits.hpp"
#include "vdc/scenario/loader.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {
namespace {

using scenario::detail::Entry;
using scenario::detail::Node;
using scenario::detail::Position;
using scenario::detail::Sink;

constexpr std::array<std::string_view, 3> sweep_key_names{"parameters", "replications", "metrics"};
constexpr scenario::KeySet sweep_keys{"sweep", "'sweep'", sweep_key_names};

constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kinds{{{"vms", "vms"},
                                                                              {"hosts", "hosts"},
                                                                              {"datastores", "datastores"},
                                                                              {"uplinks", "network.uplinks"},
                                                                              {"gpus", "gpus"},
                                                                              {"clusters", "clusters"}}};
constexpr std::array<std::pair<std::string_view, Aggregate>, 7> aggregates{{{"mean", Aggregate::mean},
                                                                            {"max", Aggregate::max},
                                                                            {"min", Aggregate::min},
                                                                            {"sum", Aggregate::sum},
                                                                            {"p50", Aggregate::p50},
                                                                            {"p95", Aggregate::p95},
                                                                            {"p99", Aggregate::p99}}};
/// Grids past this many points are refused: each point is loaded before anything runs.
constexpr std::size_t kMaxPoints = 100'000;
constexpr std::int64_t kMaxReplications = 10'000;

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

std::string join(const std::vector<std::string>& parts, std::size_t from, std::size_t count) {
  std::string out;
  for (std::size_t i = from; i < from + count; ++i) out += (i == from ? "" : ".") + parts[i];
  return out;
}

/// A node as YAML flow text: how a value is named in sweep.json and the tables.
std::string flow_text(const Node& n) {
  switch (n.kind) {
    case Node::Kind::null: return "null";
    case Node::Kind::scalar: return n.text;
    case Node::Kind::sequence: {
      std::string out = "[";
      for (std::size_t i = 0; i < n.items.size(); ++i) out += (i ? ", " : "") + flow_text(n.items[i]);
      return out + "]";
    }
    case Node::Kind::mapping: {
      std::string out = "{";
      for (std::size_t i = 0; i < n.entries.size(); ++i) {
        out += (i ? ", " : "") + n.entries[i].key + ": " + flow_text(n.entries[i].value);
      }
      return out + "}";
    }
  }
  return {};
}

/// The name of a named entry (hosts, VMs, clusters, NICs ...) as written, or null.
const std::string* entry_name(const Node& item) {
  if (!item.is_mapping()) return nullptr;
  const Node* name = item.get("name");
  return name != nullptr && name->is_scalar() ? &name->text : nullptr;
}

/// "web{01..06}" is named "web{01..06}" or "web": the part before its range.
bool names_entry(const std::string& written, std::string_view wanted) {
  if (written == wanted) return true;
  const std::size_t brace = written.find('{');
  return brace != std::string::npos && brace > 0 && written.compare(0, brace, wanted) == 0 &&
         brace == wanted.size();
}

/// Rewrites the name range of a VM or host entry so that it stands for `count` names.
bool set_count(Sink& sink, Node& entry, const Node& value, std::string_view path) {
  constexpr std::string_view expected = "expected a whole number of entities from 1, like 20";
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(value.text.data(), value.text.data() + value.text.size(), n);
  if (!value.is_scalar() || ec != std::errc{} || end != value.text.data() + value.text.size() || n < 1 ||
      n > scenario::limits::max_range_names) {
    sink.error(value.pos, fmt::format("bad value '{}' for '{}'", flow_text(value), path), expected);
    return false;
  }
  Node* name = nullptr;
  for (Entry& e : entry.entries) {
    if (e.key == "name") name = &e.value;
  }
  const std::string& text = name->text;
  const std::size_t open = text.find('{');
  if (open == std::string::npos) {
    if (n > 1) name->text = fmt::format("{}{{1..{}}}", text, n);
    return true;
  }
  const std::size_t dots = text.find("..", open);
  const std::size_t close = text.find('}', open);
  std::int64_t first = 0;
  const std::string first_text = dots == std::string::npos ? std::string() : text.substr(open + 1, dots - open - 1);
  std::from_chars(first_text.data(), first_text.data() + first_text.size(), first);
  const int width = first_text.size() > 1 && first_text.front() == '0' ? static_cast<int>(first_text.size()) : 0;
  name->text = fmt::format("{}{{{}..{:0{}}}}{}", text.substr(0, open), first_text, first + n - 1, width,
                           close == std::string::npos ? std::string() : text.substr(close + 1));
  return true;
}

}  // namespace

MetricParse parse_metric(const std::string& text) {
  MetricParse out;
  const std::vector<std::string> parts = split(text, '.');
  if (parts.size() < 3 || std::any_of(parts.begin(), parts.end(), [](const auto& s) { return s.empty(); })) {
    out.error = fmt::format("bad metric '{}'", text);
    out.expected = kMetricExpected;
    return out;
  }
  const auto kind = std::find_if(kinds.begin(), kinds.end(), [&](const auto& k) { return k.first == parts.front(); });
  const auto agg = std::find_if(aggregates.begin(), aggregates.end(), [&](const auto& a) { return a.first == parts.back(); });
  if (kind == kinds.end()) {
    std::vector<std::string_view> names;
    for (const auto& k : kinds) names.push_back(k.first);
    out.error = fmt::format("bad metric '{}': unknown entity kind '{}'", text, parts.front());
    out.expected = "expected vms, hosts, datastores, uplinks, gpus or clusters";
    out.suggestion = scenario::detail::closest(parts.front(), names);
    return out;
  }
  if (agg == aggregates.end()) {
    std::vector<std::string_view> names;
    for (const auto& a : aggregates) names.push_back(a.first);
    out.error = fmt::format("bad metric '{}': unknown aggregate '{}'", text, parts.back());
    out.expected = "expected mean, max, min, sum, p50, p95 or p99";
    out.suggestion = scenario::detail::closest(parts.back(), names);
    return out;
  }
  Metric metric;
  metric.text = text;
  metric.kind = std::string(kind->first);
  metric.array = std::string(kind->second);
  metric.aggregate = agg->second;
  metric.field = join(parts, 1, parts.size() - 2);
  out.metric = std::move(metric);
  return out;
}

bool apply_parameter(Sink& sink, Node& root, const PlanParameter& p, const Node& value) {
  const std::vector<std::string>& parts = p.parts;
  Node* cur = &root;
  std::string where;  // the path walked so far, for messages
  std::string parent_key;
  for (std::size_t i = 0; i < parts.size();) {
    const std::size_t left = parts.size() - i;
    if (cur->is_sequence()) {
      // An entry by name; a name may hold dots, so the longest match wins.
      Node* found = nullptr;
      std::size_t used = 0;
      for (std::size_t k = left; k >= 1 && found == nullptr; --k) {
        const std::string name = join(parts, i, k);
        for (Node& item : cur->items) {
          const std::string* n = entry_name(item);
          if (n != nullptr && names_entry(*n, name)) {
            found = &item;
            used = k;
            break;
          }
        }
      }
      if (found == nullptr) {
        std::vector<std::string> names;
        for (const Node& item : cur->items) {
          if (const std::string* n = entry_name(item)) names.push_back(*n);
        }
        if (names.empty()) {
          sink.error(p.pos, fmt::format("bad sweep parameter '{}': the entries of '{}' have no names", p.path, where.substr(1)),
                     "expected a path through named entries, like vms.web01.vcpus");
          return false;
        }
        sink.error(p.pos, fmt::format("bad sweep parameter '{}': no entry named '{}' in '{}'", p.path, parts[i], where.substr(1)),
                   fmt::format("expected one of: {}", fmt::join(names, ", ")),
                   scenario::detail::closest(parts[i], names));
        return false;
      }
      where += "." + join(parts, i, used);
      i += used;
      if (i + 1 == parts.size() && parts[i] == "count" && found->get("count") == nullptr &&
          (parent_key == "vms" || parent_key == "hosts")) {
        return set_count(sink, *found, value, p.path);
      }
      cur = found;
      parent_key.clear();
      continue;
    }
    if (cur->kind == Node::Kind::null) cur->kind = Node::Kind::mapping;
    if (!cur->is_mapping()) {
      sink.error(p.pos,
                 fmt::format("bad sweep parameter '{}': '{}' is {}, with no key '{}'", p.path, where.substr(1),
                             scenario::detail::describe(*cur), parts[i]),
                 "expected a path through mappings and named entries");
      return false;
    }
    Entry* found = nullptr;
    std::size_t used = 0;
    for (std::size_t k = left; k >= 1 && found == nullptr; --k) {
      const std::string key = join(parts, i, k);
      for (Entry& e : cur->entries) {
        if (e.key == key) {
          found = &e;
          used = k;
          break;
        }
      }
    }
    if (found == nullptr) {
      // A profile must exist; any other key is created, and the loader checks it as it
      // checks a key written in the file, at the parameter's position.
      if (parent_key == "host_profiles" || parent_key == "vm_profiles") {
        std::vector<std::string> names;
        for (const Entry& e : cur->entries) names.push_back(e.key);
        sink.error(p.pos, fmt::format("bad sweep parameter '{}': no profile '{}' in '{}'", p.path, parts[i], parent_key),
                   names.empty() ? std::string("expected a profile the scenario defines")
                                 : fmt::format("expected one of: {}", fmt::join(names, ", ")),
                   scenario::detail::closest(parts[i], names));
        return false;
      }
      cur->entries.push_back(Entry{parts[i], p.pos, Node{}});
      cur->entries.back().value.pos = p.pos;
      found = &cur->entries.back();
      used = 1;
    }
    parent_key = join(parts, i, used);
    where += "." + parent_key;
    i += used;
    cur = &found->value;
  }
  *cur = value;
  return true;
}

std::optional<models::ScenarioConfig> load_tree(const Node& root, const std::string& display_name,
                                                std::vector<scenario::Diagnostic>& diagnostics) {
  Sink sink(display_name);
  models::ScenarioConfig config;
  config.source = display_name;
  scenario::detail::Context ctx(sink, config, std::filesystem::path(display_name).parent_path());
  scenario::detail::read_scenario(ctx, root);
  const bool ok = !sink.has_errors();
  if (ok) models::resolve_ids(config);
  for (auto& d : sink.take()) diagnostics.push_back(std::move(d));
  if (!ok) return std::nullopt;
  return config;
}

std::size_t Plan::points() const {
  std::size_t n = 1;
  for (const Parameter& p : parameters) n *= p.values.size();
  return n;
}

std::vector<std::size_t> Plan::choice(std::size_t point) const {
  std::vector<std::size_t> out(parameters.size());
  for (std::size_t i = parameters.size(); i-- > 0;) {
    out[i] = point % parameters[i].values.size();
    point /= parameters[i].values.size();
  }
  return out;
}

/// The tree of point `point`: the scenario with each parameter's value written in.
std::optional<Node> point_tree(const PlanTree& tree, const std::vector<std::size_t>& choice, Sink& sink) {
  Node root = tree.root;
  bool ok = true;
  for (std::size_t i = 0; i < tree.parameters.size(); ++i) {
    const PlanParameter& p = tree.parameters[i];
    ok = apply_parameter(sink, root, p, *p.values[choice[i]]) && ok;
  }
  if (!ok) return std::nullopt;
  return root;
}

models::ScenarioConfig Plan::config(std::size_t point) const {
  Sink sink(file);
  std::vector<scenario::Diagnostic> diagnostics;
  std::optional<models::ScenarioConfig> config;
  if (const auto root = point_tree(*tree, choice(point), sink)) config = load_tree(*root, file, diagnostics);
  if (!config) throw std::runtime_error(fmt::format("point {} of the sweep does not load", point + 1));
  return std::move(*config);
}

namespace {

/// Reads `sweep:` into `plan` and `tree`; false after reporting.
void read_sweep(Sink& sink, const Node& section, Plan& plan, PlanTree& tree) {
  const scenario::detail::MapView m(sink, section, sweep_keys, "'sweep'");
  if (!m.valid()) return;
  if (const auto r = m.integer("replications", 1, kMaxReplications)) plan.replications = static_cast<int>(*r);
  if (const Node* params = m.get("parameters")) {
    if (!params->is_mapping()) {
      sink.error(params->pos, fmt::format("'parameters' is {}", scenario::detail::describe(*params)),
                 "expected a mapping of dotted paths to lists of values, like vm_profiles.web.vcpus: [2, 4]");
    } else {
      for (const Entry& e : params->entries) {
        if (!e.value.is_sequence() || e.value.items.empty()) {
          sink.error(e.value.pos, fmt::format("bad values for sweep parameter '{}': {}", e.key,
                                              e.value.is_sequence() ? "an empty list" : scenario::detail::describe(e.value)),
                     "expected a list of one or more values, like [2, 4, 8]");
          continue;
        }
        if (e.key.empty() || e.key.front() == '.' || e.key.back() == '.' || e.key.find("..") != std::string::npos) {
          sink.error(e.key_pos, fmt::format("bad sweep parameter '{}'", e.key),
                     "expected a dotted path into the scenario, like vm_profiles.web.vcpus");
          continue;
        }
        Parameter p{e.key, {}};
        PlanParameter tp{e.key, split(e.key, '.'), e.key_pos, {}};
        for (const Node& v : e.value.items) {
          p.values.push_back(flow_text(v));
          tp.values.push_back(&v);
        }
        plan.parameters.push_back(std::move(p));
        tree.parameters.push_back(std::move(tp));
      }
    }
  }
  if (const Node* metrics = m.get("metrics")) {
    if (!metrics->is_sequence()) {
      sink.error(metrics->pos, fmt::format("'metrics' is {}", scenario::detail::describe(*metrics)),
                 "expected a list of metrics, like [vms.cpu.ready_pct.p95]");
      return;
    }
    for (const Node& item : metrics->items) {
      const std::string* text = scenario::detail::scalar_text(sink, "metrics", item, kMetricExpected);
      if (text == nullptr) continue;
      MetricParse parsed = parse_metric(*text);
      if (!parsed.metric) {
        sink.error(item.pos, parsed.error, parsed.expected, parsed.suggestion);
        continue;
      }
      parsed.metric->line = item.pos.line;
      parsed.metric->column = item.pos.column;
      plan.metrics.push_back(std::move(*parsed.metric));
    }
  }
}

/// Every field path of `entity` whose value is a number, for suggestions.
void number_fields(const nlohmann::ordered_json& j, const std::string& prefix, std::vector<std::string>& out) {
  for (const auto& [key, value] : j.items()) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    if (value.is_object()) number_fields(value, path, out);
    else if (value.is_number()) out.push_back(path);
  }
}

/// Checks the metrics against the report.json of a short run of `config`.
void check_metrics(Sink& sink, const Plan& plan, models::ScenarioConfig probe) {
  probe.warmup = sim::Time::zero();
  probe.duration = std::min(probe.duration, probe.sample_interval);
  const auto report = nlohmann::ordered_json::parse(report_of(probe));
  for (const Metric& m : plan.metrics) {
    const Position at{m.line, m.column};
    const nlohmann::ordered_json* array = &report;
    for (const std::string& part : split(m.array, '.')) {
      array = array->is_object() && array->contains(part) ? &(*array)[part] : nullptr;
      if (array == nullptr) break;
    }
    if (array == nullptr || !array->is_array()) {
      std::vector<std::string> present;
      for (const auto& [kind, array_path] : kinds) {
        const nlohmann::ordered_json* a = &report;
        for (const std::string& part : split(array_path, '.')) {
          a = a->is_object() && a->contains(part) ? &(*a)[part] : nullptr;
          if (a == nullptr) break;
        }
        if (a != nullptr && a->is_array()) present.emplace_back(kind);
      }
      sink.error(at, fmt::format("bad metric '{}': report.json has no '{}' array", m.text, m.array),
                 fmt::format("expected a kind whose model area reports its entities: {}", fmt::join(present, ", ")));
      continue;
    }
    std::vector<std::string> fields;
    bool found = false;
    for (const auto& entity : *array) {
      const nlohmann::ordered_json* v = &entity;
      for (const std::string& part : split(m.field, '.')) {
        v = v->is_object() && v->contains(part) ? &(*v)[part] : nullptr;
        if (v == nullptr) break;
      }
      if (v != nullptr && (v->is_number() || v->is_null())) found = true;
      if (fields.empty()) number_fields(entity, "", fields);
    }
    if (!found && !array->empty()) {
      sink.error(at, fmt::format("bad metric '{}': no number '{}' in report.json's {}[]", m.text, m.field, m.array),
                 "expected a numeric field of each entry", scenario::detail::closest(m.field, fields));
    }
  }
}

}  // namespace

namespace {

/// Loads every point of the grid on up to `jobs` threads; appends the diagnostics in point
/// order, so that they do not depend on the threads. True when every point loads.
bool check_points(const Plan& plan, const PlanTree& tree, const std::string& display_name, unsigned jobs,
                  std::vector<scenario::Diagnostic>& out) {
  struct Checked {
    bool ok = false;
    std::vector<scenario::Diagnostic> diagnostics;
  };
  std::vector<Checked> checked(plan.points());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t p = next++; p < checked.size(); p = next++) {
      Sink sink(display_name);
      const auto root = point_tree(tree, plan.choice(p), sink);
      checked[p].ok = root && load_tree(*root, display_name, checked[p].diagnostics);
      for (auto& d : sink.take()) checked[p].diagnostics.push_back(std::move(d));
    }
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < std::min<std::size_t>(jobs, checked.size()); ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  bool ok = true;
  for (auto& c : checked) {
    ok = ok && c.ok;
    out.insert(out.end(), std::make_move_iterator(c.diagnostics.begin()), std::make_move_iterator(c.diagnostics.end()));
  }
  return ok;
}

}  // namespace

PlanLoad load_plan(std::string_view yaml, std::string display_name, unsigned jobs) {
  PlanLoad out;
  Sink sink(display_name);
  auto tree = std::make_shared<PlanTree>();
  Plan plan;
  plan.file = display_name;
  std::vector<scenario::Diagnostic> loaded;
  bool points_ok = true;
  if (auto root = scenario::detail::parse_document(yaml, sink)) {
    tree->root = std::move(*root);
    if (const Node* section = tree->root.get("sweep")) read_sweep(sink, *section, plan, *tree);
    // The scenario as written, then each value on its own, then every point: all load
    // before anything runs, and a value's problem is reported where the value is written,
    // once however many points use it.
    const std::optional<models::ScenarioConfig> base = load_tree(tree->root, display_name, loaded);
    points_ok = base.has_value();
    for (const PlanParameter& p : tree->parameters) {
      for (const Node* v : p.values) {
        Node alone = tree->root;
        if (!apply_parameter(sink, alone, p, *v)) {
          points_ok = false;
          break;  // the path is wrong whatever the value
        }
        points_ok = load_tree(alone, display_name, loaded).has_value() && points_ok;
      }
    }
    if (plan.points() > kMaxPoints) {
      sink.error(tree->root.find("sweep")->key_pos, fmt::format("the sweep has {} points", plan.points()),
                 fmt::format("expected at most {}: each point is checked before anything runs", kMaxPoints));
    } else if (points_ok && !plan.parameters.empty()) {
      points_ok = check_points(plan, *tree, display_name, jobs, loaded);
    }
    if (base) {
      plan.name = base->name;
      plan.seed = base->seed;
      if (!plan.metrics.empty()) check_metrics(sink, plan, *base);
    }
  }
  plan.tree = tree;
  // The plan's own diagnostics and the loader's of every point, each once, in file order.
  std::vector<scenario::Diagnostic> all = sink.take();
  all.insert(all.end(), loaded.begin(), loaded.end());
  std::vector<scenario::Diagnostic> unique;
  for (auto& d : all) {
    const bool seen = std::any_of(unique.begin(), unique.end(), [&](const auto& u) { return u.message == d.message; });
    if (!seen) unique.push_back(std::move(d));
  }
  std::stable_sort(unique.begin(), unique.end(), [](const auto& a, const auto& b) {
    const auto key = [](const scenario::Diagnostic& d) { return std::pair(d.line == 0 ? 1 << 30 : d.line, d.column); };
    return key(a) < key(b);
  });
  const bool errors = std::any_of(unique.begin(), unique.end(), [](const auto& d) { return !d.is_warning; });
  out.diagnostics = std::move(unique);
  if (!errors && points_ok) {
    out.plan = std::move(plan);
  }
  return out;
}

PlanLoad load_plan_file(const std::string& path, unsigned jobs) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad() || std::filesystem::is_directory(path)) {
    return PlanLoad{std::nullopt, scenario::load_file(path).diagnostics};  // says why it cannot be read
  }
  return load_plan(text.str(), path, jobs);
}

std::optional<PlanLoad> check_sweep_file(const std::string& path, unsigned jobs) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad() || std::filesystem::is_directory(path)) return std::nullopt;
  const std::string yaml = text.str();
  if (yaml.find("sweep") == std::string::npos) return std::nullopt;  // no parse for most files
  Sink sink(path);
  const std::optional<Node> root = scenario::detail::parse_document(yaml, sink);
  if (!root || root->get("sweep") == nullptr) return std::nullopt;
  return load_plan(yaml, path, jobs);
}

}  // namespace vdc::sweep
