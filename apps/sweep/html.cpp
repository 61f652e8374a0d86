// sweep.html: each metric's mean against the first parameter, one line per combination of
// the other parameters, the 95% confidence interval as a band. Inline SVG, no scripts.

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "output_common.hpp"
#include "vdc/report/writers.hpp"
#include "vdc/sweep/sweep.hpp"

namespace vdc::sweep {
namespace {

constexpr double kWidth = 640, kHeight = 300, kLeft = 70, kRight = 20, kTop = 20, kBottom = 50;
constexpr std::array<std::string_view, 8> kColours{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                                   "#9467bd", "#8c564b", "#e377c2", "#17becf"};

using report::escape_html;

/// The x position of each value of the first parameter: its number when every value is a
/// number with the same unit after it ("256 GiB", "512 GiB"), else its rank.
std::vector<double> x_positions(const std::vector<std::string>& values) {
  std::vector<double> numbers;
  std::string unit;
  for (std::size_t i = 0; i < values.size(); ++i) {
    const std::string& v = values[i];
    double x = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    const std::string rest(end, v.data() + v.size());
    if (ec != std::errc{} || (i > 0 && rest != unit)) {
      numbers.clear();
      break;
    }
    unit = rest;
    numbers.push_back(x);
  }
  if (numbers.size() == values.size()) return numbers;
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) ranks[i] = static_cast<double>(i);
  return ranks;
}

/// A round step for an axis spanning `span` in about five ticks.
double tick_step(double span) {
  if (span <= 0) return 1.0;
  const double raw = span / 5;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= m * mag) return m * mag;
  }
  return 10 * mag;
}

std::string chart(const Plan& plan, const std::vector<PointStats>& points, std::size_t metric) {
  const bool has_x = !plan.parameters.empty();
  const std::vector<std::string> x_values = has_x ? plan.parameters[0].values : std::vector<std::string>{""};
  const std::vector<double> xs = x_positions(x_values);
  // One line per combination of the other parameters, keyed by their value indices.
  std::map<std::vector<std::size_t>, std::vector<const PointStats*>> lines;
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const PointStats& p : points) {
    std::vector<std::size_t> rest(p.choice.begin() + (has_x ? 1 : 0), p.choice.end());
    lines[rest].push_back(&p);
    const Stats& s = p.stats[metric];
    lo = std::min({lo, s.mean, s.ci95 ? s.ci95->first : s.mean});
    hi = std::max({hi, s.mean, s.ci95 ? s.ci95->second : s.mean});
  }
  if (lines.empty()) return "<p>No point finished.</p>\n";
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  const double step = tick_step(hi - lo);
  lo = std::floor(lo / step) * step;
  hi = std::ceil(hi / step) * step;
  const double x_lo = *std::min_element(xs.begin(), xs.end());
  const double x_hi = *std::max_element(xs.begin(), xs.end());
  const auto px = [&](double x) {
    return x_hi > x_lo ? kLeft + (x - x_lo) / (x_hi - x_lo) * (kWidth - kLeft - kRight) : (kLeft + kWidth - kRight) / 2;
  };
  const auto py = [&](double y) { return kTop + (hi - y) / (hi - lo) * (kHeight - kTop - kBottom); };

  std::string svg = fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img">)", kWidth,
                                kHeight + 18.0 * static_cast<double>(lines.size()));
  svg += "\n";
  for (double y = lo; y <= hi + step / 2; y += step) {
    svg += fmt::format(R"(<line x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}" stroke="#ddd"/><text x="{}" y="{:.1f}" text-anchor="end" font-size="11">{:.4g}</text>)",
                       kLeft, kWidth - kRight, py(y), py(y), kLeft - 6, py(y) + 4, y);
    svg += "\n";
  }
  for (std::size_t i = 0; i < xs.size(); ++i) {
    svg += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" font-size="11">{}</text>)", px(xs[i]),
                       kHeight - kBottom + 16, escape_html(x_values[i]));
    svg += "\n";
  }
  svg += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle" font-size="12">{}</text>)",
                     (kLeft + kWidth - kRight) / 2, kHeight - 12, has_x ? escape_html(plan.parameters[0].path) : "");
  svg += "\n";
  std::size_t colour = 0;
  for (const auto& [rest, pts] : lines) {
    const std::string_view c = kColours[colour % kColours.size()];
    std::string band, upper, lower, line;
    for (const PointStats* p : pts) {
      const Stats& s = p->stats[metric];
      const double x = px(xs[has_x ? p->choice[0] : 0]);
      line += fmt::format("{:.1f},{:.1f} ", x, py(s.mean));
      if (s.ci95) {
        upper += fmt::format("{:.1f},{:.1f} ", x, py(s.ci95->second));
        lower = fmt::format("{:.1f},{:.1f} ", x, py(s.ci95->first)) + lower;
      }
    }
    if (!upper.empty()) {
      svg += fmt::format(R"(<polygon points="{}{}" fill="{}" fill-opacity="0.18" stroke="none"/>)", upper, lower, c);
      svg += "\n";
    }
    svg += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>)", line, c);
    svg += "\n";
    for (const PointStats* p : pts) {
      const Stats& s = p->stats[metric];
      svg += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"><title>{}</title></circle>)",
                         px(xs[has_x ? p->choice[0] : 0]), py(s.mean), c, escape_html(mean_with_ci(s)));
      svg += "\n";
    }
    std::vector<std::string> label;
    for (std::size_t i = 0; i < rest.size(); ++i) {
      label.push_back(fmt::format("{} = {}", plan.parameters[i + 1].path, plan.parameters[i + 1].values[rest[i]]));
    }
    svg += fmt::format(R"(<rect x="{}" y="{:.0f}" width="12" height="4" fill="{}"/><text x="{}" y="{:.0f}" font-size="11">{}</text>)",
                       kLeft, kHeight + 18.0 * static_cast<double>(colour) - 4, c, kLeft + 18,
                       kHeight + 18.0 * static_cast<double>(colour),
                       escape_html(label.empty() ? std::string("mean, 95% CI band") : fmt::format("{}", fmt::join(label, ", "))));
    svg += "\n";
    ++colour;
  }
  return svg + "</svg>\n";
}

}  // namespace

std::string sweep_html(const Plan& plan, const Results& results) {
  const std::vector<PointStats> points = finished_points(plan, results);
  std::string out = fmt::format(R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sweep of {0}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:60em}} h2{{font-size:1.1em;margin-top:2em}} svg{{display:block}}</style>
</head><body>
<h1>Sweep of {0}</h1>
<p>{1} point{2} x {3} replication{4} (seeds {5}, {5}+1, ...). Each line is a metric's mean over the
replications; the band is its 95% confidence interval (Student t).{6}</p>
)",
                                escape_html(plan.name), plan.points(), plan.points() == 1 ? "" : "s", plan.replications,
                                plan.replications == 1 ? "" : "s", plan.seed,
                                results.partial ? " <strong>Partial: interrupted; only the finished points are shown.</strong>" : "");
  for (std::size_t m = 0; m < plan.metrics.size(); ++m) {
    out += fmt::format("<h2>{}</h2>\n", escape_html(plan.metrics[m].text));
    out += chart(plan, points, m);
  }
  return out + "</body></html>\n";
}

}  // namespace vdc::sweep
