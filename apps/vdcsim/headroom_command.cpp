// `vdcsim headroom SCENARIO --add PROFILE [--cluster NAME] [--until METRIC>LIMIT]...`: how many
// more VMs of a profile fit, by simulation, beside the capacity report's estimate.

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "commands.hpp"
#include "sweep_args.hpp"
#include "vdc/sweep/headroom.hpp"

namespace vdc::cli {

int headroom_command(const HeadroomArgs& args) {
  sweep::HeadroomQuery query;
  query.profile = args.add;
  query.cluster = args.cluster;
  query.replications = args.replications;
  query.max_count = args.max;
  query.jobs = args.jobs ? *args.jobs : std::max(1u, std::thread::hardware_concurrency());
  try {
    for (const std::string& u : args.until) query.limits.push_back(sweep::parse_limit(u));
  } catch (const std::invalid_argument& e) {
    std::cerr << fmt::format("vdcsim: error: {}\n", e.what());
    return kExitInvalid;
  }
  if (!args.quiet) {
    query.progress = [](int count, bool fits) {
      std::cerr << fmt::format("vdcsim: +{} VMs: {}\n", count, fits ? "fits" : "crosses a limit");
    };
  }
  std::ifstream in(args.scenario, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || std::filesystem::is_directory(args.scenario)) {
    std::cerr << fmt::format("{}:1:1: error: cannot read the file (expected a readable scenario file)\n", args.scenario);
    return kExitInvalid;
  }
  try {
    const sweep::HeadroomResult r = sweep::find_headroom(text.str(), args.scenario, query);
    std::cout << fmt::format("headroom: VMs of profile '{}' added to {}, {} replication{} per count{}\n", args.add,
                             r.cluster.empty() ? std::string("the only host") : fmt::format("cluster '{}'", r.cluster),
                             r.replications, r.replications == 1 ? "" : "s",
                             r.random ? " (the workload is random: limits are judged on the mean)" : "");
    std::cout << "limits:\n";
    for (const auto& l : r.limits) std::cout << fmt::format("  {:<10} {} > {}\n", l.name, l.description, l.limit);
    std::cout << "counts simulated:\n";
    for (const auto& p : r.probes) {
      std::vector<std::string> values;
      for (std::size_t i = 0; i < p.values.size(); ++i) values.push_back(fmt::format("{} {:.4g}", r.limits[i].name, p.values[i]));
      std::cout << fmt::format("  +{:<6} {:<8} {}\n", p.count, p.fits ? "fits" : "crosses", fmt::join(values, ", "));
    }
    if (r.capped) {
      std::cout << fmt::format("result: at least {} more VMs fit: no limit is crossed within the {} searched (--max)\n",
                               r.count, args.max);
    } else {
      std::cout << fmt::format("result: {} more VM{} fit; one more crosses {}\n", r.count, r.count == 1 ? "" : "s",
                               fmt::join(r.binding, " and "));
    }
    if (r.estimate) {
      std::cout << fmt::format("capacity report's estimate: {} more (binding {}), {} the simulated count\n", *r.estimate,
                               r.estimate_binding,
                               *r.estimate == r.count ? "equal to"
                               : *r.estimate > r.count ? fmt::format("{} above", *r.estimate - r.count)
                                                      : fmt::format("{} below", r.count - *r.estimate));
    } else {
      std::cout << "capacity report's estimate: no threshold reached within what it searches\n";
    }
    return kExitOk;
  } catch (const sweep::HeadroomError& e) {
    for (const auto& m : e.messages) std::cerr << m << '\n';
    return kExitInvalid;
  } catch (const std::exception& e) {
    std::cerr << fmt::format("vdcsim: error: {}\n", e.what());
    return kExitRunFailed;
  }
}

}  // namespace vdc::cli
