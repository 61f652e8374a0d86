// The runs of a sweep on a pool of threads, the metrics read from each run's report.json,
// and the statistics of the replications.

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <thread>

#include <boost/math/distributions/students_t.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan_tree.hpp"
#include "series_stats.hpp"
#include "vdc/models/datacenter.hpp"
#include "vdc/report/summary.hpp"
#include "vdc/report/writers.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {
namespace {

const nlohmann::ordered_json* follow(const nlohmann::ordered_json& j, std::string_view path) {
  const nlohmann::ordered_json* v = &j;
  std::size_t start = 0;
  while (v != nullptr) {
    const std::size_t end = path.find('.', start);
    const std::string key(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    v = v->is_object() && v->contains(key) ? &(*v)[key] : nullptr;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return v;
}

double fold(Aggregate a, std::vector<double> values) {
  if (values.empty()) return 0.0;
  switch (a) {
    case Aggregate::mean: return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    case Aggregate::sum: return std::accumulate(values.begin(), values.end(), 0.0);
    case Aggregate::max: return *std::max_element(values.begin(), values.end());
    case Aggregate::min: return *std::min_element(values.begin(), values.end());
    case Aggregate::p50: return report::nearest_rank(std::move(values), 50.0);
    case Aggregate::p95: return report::nearest_rank(std::move(values), 95.0);
    case Aggregate::p99: return report::nearest_rank(std::move(values), 99.0);
  }
  return 0.0;
}

}  // namespace

double metric_value(const Metric& m, const nlohmann::ordered_json& j) {
  const nlohmann::ordered_json* array = follow(j, m.array);
  if (array == nullptr || !array->is_array()) {
    throw std::runtime_error(fmt::format("metric '{}': report.json has no '{}' array", m.text, m.array));
  }
  std::vector<double> values;
  for (const auto& entity : *array) {
    const nlohmann::ordered_json* v = follow(entity, m.field);
    if (v == nullptr) {
      throw std::runtime_error(fmt::format("metric '{}': an entry of {}[] has no '{}'", m.text, m.array, m.field));
    }
    if (v->is_number()) values.push_back(v->get<double>());  // null: not applicable to this entry
  }
  return fold(m.aggregate, std::move(values));
}

std::vector<double> measure(const std::vector<Metric>& metrics, std::string_view report) {
  const auto j = nlohmann::ordered_json::parse(report);
  std::vector<double> out;
  for (const Metric& m : metrics) out.push_back(metric_value(m, j));
  return out;
}

std::string report_of(const models::ScenarioConfig& config, const std::atomic<bool>* stop, bool* partial) {
  models::RunOptions options;
  options.stop_requested = stop;
  options.engines = 1;  // the sweep's pool already keeps the cores busy with whole runs
  const models::RunResult result = models::run_scenario(config, options);
  if (partial != nullptr) *partial = result.partial;
  return report::report_json(report::summarize(result));
}

double t975(int df) {
  if (df < 1) throw std::invalid_argument("t975: degrees of freedom must be at least 1");
  return boost::math::quantile(boost::math::students_t_distribution<double>(df), 0.975);
}

Stats describe(std::span<const double> values) {
  Stats s;
  const auto n = values.size();
  if (n == 0) return s;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  if (n < 2) return s;
  double ss = 0.0;
  for (double v : values) ss += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(ss / static_cast<double>(n - 1));
  const double half = t975(static_cast<int>(n - 1)) * s.sd / std::sqrt(static_cast<double>(n));
  s.ci95 = std::pair(s.mean - half, s.mean + half);
  return s;
}

Results execute(const Plan& plan, const Execution& how, std::span<const std::size_t> indices) {
  const std::size_t total = plan.runs();
  std::vector<std::size_t> all;
  if (indices.empty()) {
    all.resize(total);
    std::iota(all.begin(), all.end(), std::size_t{0});
    indices = all;
  }
  Results r;
  r.values.assign(total, {});
  r.done.assign(total, false);
  if (how.keep_reports) r.reports.assign(total, {});

  std::mutex mutex;  // guards `next`, `finished`, `failure` and the progress callback
  std::size_t next = 0;
  std::size_t finished = 0;
  std::size_t points_finished = 0;
  std::vector<int> reps_done(plan.points(), 0);
  std::exception_ptr failure;
  const auto reps = static_cast<std::size_t>(plan.replications);
  auto worker = [&] {
    while (true) {
      std::size_t run = 0;
      {
        const std::lock_guard lock(mutex);
        if (next == indices.size() || failure || (how.stop != nullptr && how.stop->load())) return;
        run = indices[next++];
      }
      try {
        models::ScenarioConfig config = plan.config(run / reps);
        config.seed += run % reps;
        bool partial = false;
        std::string report = report_of(config, how.stop, &partial);
        if (partial) return;  // interrupted: this run is dropped
        std::vector<double> values = measure(plan.metrics, report);
        const std::lock_guard lock(mutex);
        r.values[run] = std::move(values);
        r.done[run] = true;
        if (how.keep_reports) r.reports[run] = std::move(report);
        ++finished;
        if (++reps_done[run / reps] == plan.replications) ++points_finished;
        if (how.progress) how.progress(finished, points_finished);
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  const unsigned jobs = std::max(1u, std::min<unsigned>(how.jobs, static_cast<unsigned>(indices.size())));
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  r.partial = std::any_of(indices.begin(), indices.end(), [&](std::size_t i) { return !r.done[i]; });
  return r;
}

std::string run_file_name(const Plan& plan, std::size_t index) {
  const auto reps = static_cast<std::size_t>(plan.replications);
  return fmt::format("point{:04}-rep{:02}.json", index / reps + 1, index % reps + 1);
}

}  // namespace vdc::sweep
