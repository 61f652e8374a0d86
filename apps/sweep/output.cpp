// sweep.json, sweep.csv and the text table of a sweep's results.

#include <algorithm>
#include <cmath>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "output_common.hpp"
#include "vdc/report/summary.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {

double rounded(double v) {
  const double r = std::round(v * 1e6) / 1e6;
  return r == 0.0 ? 0.0 : r;  // no "-0"
}

std::vector<PointStats> finished_points(const Plan& plan, const Results& results) {
  std::vector<PointStats> out;
  const auto reps = static_cast<std::size_t>(plan.replications);
  for (std::size_t p = 0; p < plan.points(); ++p) {
    bool complete = true;
    for (std::size_t r = 0; r < reps; ++r) complete = complete && results.done.at(p * reps + r);
    if (!complete) continue;
    PointStats ps;
    ps.point = p;
    ps.choice = plan.choice(p);
    for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
      std::vector<double> values;
      for (std::size_t r = 0; r < reps; ++r) values.push_back(results.values[p * reps + r][m]);
      ps.stats.push_back(describe(values));
      ps.values.push_back(std::move(values));
    }
    out.push_back(std::move(ps));
  }
  return out;
}

std::string sweep_json(const Plan& plan, const Results& results) {
  nlohmann::ordered_json j;
  j["scenario"] = plan.name;
  j["version"] = report::version();
  j["seed"] = plan.seed;
  j["replications"] = plan.replications;
  j["partial"] = results.partial;
  j["parameters"] = nlohmann::ordered_json::array();
  for (const Parameter& p : plan.parameters) j["parameters"].push_back(p.path);
  j["metrics"] = nlohmann::ordered_json::array();
  for (const Metric& m : plan.metrics) j["metrics"].push_back(m.text);
  j["points"] = nlohmann::ordered_json::array();
  for (const PointStats& ps : finished_points(plan, results)) {
    nlohmann::ordered_json point;
    point["point"] = ps.point + 1;
    point["parameters"] = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < plan.parameters.size(); ++i) {
      point["parameters"][plan.parameters[i].path] = plan.parameters[i].values[ps.choice[i]];
    }
    point["metrics"] = nlohmann::ordered_json::object();
    for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
      const Stats& s = ps.stats[m];
      nlohmann::ordered_json metric;
      metric["mean"] = rounded(s.mean);
      metric["sd"] = rounded(s.sd);
      metric["ci95"] = s.ci95 ? nlohmann::ordered_json::array({rounded(s.ci95->first), rounded(s.ci95->second)})
                              : nlohmann::ordered_json(nullptr);
      metric["values"] = nlohmann::ordered_json::array();
      for (double v : ps.values[m]) metric["values"].push_back(rounded(v));
      point["metrics"][plan.metrics[m].text] = std::move(metric);
    }
    j["points"].push_back(std::move(point));
  }
  return j.dump(2) + "\n";
}

namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) { return fmt::format("{}", rounded(v)); }

}  // namespace

std::string sweep_csv(const Plan& plan, const Results& results) {
  std::vector<std::string> header{"point"};
  for (const Parameter& p : plan.parameters) header.push_back(csv_field(p.path));
  for (const Metric& m : plan.metrics) {
    for (const char* suffix : {".mean", ".sd", ".ci95_low", ".ci95_high"}) header.push_back(m.text + suffix);
    for (int r = 1; r <= plan.replications; ++r) header.push_back(fmt::format("{}.rep{}", m.text, r));
  }
  std::string out = fmt::format("{}\n", fmt::join(header, ","));
  for (const PointStats& ps : finished_points(plan, results)) {
    std::vector<std::string> row{std::to_string(ps.point + 1)};
    for (std::size_t i = 0; i < plan.parameters.size(); ++i) row.push_back(csv_field(plan.parameters[i].values[ps.choice[i]]));
    for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
      const Stats& s = ps.stats[m];
      row.push_back(number(s.mean));
      row.push_back(number(s.sd));
      row.push_back(s.ci95 ? number(s.ci95->first) : std::string());
      row.push_back(s.ci95 ? number(s.ci95->second) : std::string());
      for (double v : ps.values[m]) row.push_back(number(v));
    }
    out += fmt::format("{}\n", fmt::join(row, ","));
  }
  return out;
}

std::string mean_with_ci(const Stats& s) {
  if (!s.ci95) return fmt::format("{:.4g}", s.mean);
  return fmt::format("{:.4g} ± {:.2g}", s.mean, s.ci95->second - s.mean);
}

void write_text(std::ostream& out, const Plan& plan, const Results& results) {
  const std::vector<PointStats> points = finished_points(plan, results);
  out << fmt::format("sweep of {}: {} point{} x {} replication{} (seeds {} ...), mean ± 95% CI half-width{}\n",
                     plan.name, plan.points(), plan.points() == 1 ? "" : "s", plan.replications,
                     plan.replications == 1 ? "" : "s", plan.seed, results.partial ? "; PARTIAL: interrupted" : "");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> head{"point"};
  for (const Parameter& p : plan.parameters) head.push_back(p.path);
  for (const Metric& m : plan.metrics) head.push_back(m.text);
  rows.push_back(head);
  for (const PointStats& ps : points) {
    std::vector<std::string> row{std::to_string(ps.point + 1)};
    for (std::size_t i = 0; i < plan.parameters.size(); ++i) row.push_back(plan.parameters[i].values[ps.choice[i]]);
    for (const Stats& s : ps.stats) row.push_back(mean_with_ci(s));
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> width(head.size(), 0);
  const auto shown = [](const std::string& s) {
    // Display width: UTF-8 continuation bytes take no column.
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  };
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], shown(row[c]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += (c ? "  " : "") + row[c] + std::string(width[c] - shown(row[c]), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

}  // namespace vdc::sweep
