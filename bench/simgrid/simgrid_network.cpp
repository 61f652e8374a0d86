// The network scale scenario of bench/gen_scale_network.py on SimGrid 3.32's flow model (S4U),
// for a side-by-side comparison with `vdcsim run` of the same YAML file (bench/README.md,
// "Network at scale (issue 13)").
//
// Topology, from the scenario's `networks.physical.links` and host profile: every host NIC
// (esxNNNN/vmnicK, 25 Gbps) plugs into its leaf switch; every leaf has a 100 Gbps link to each
// of the 4 spines. Each link direction is its own SimGrid link (a transmit and a receive link
// per NIC, an up and a down link per leaf-spine pair), as vdcsim's links are directed. SimGrid
// routes from host to host, one route per pair, while a vdcsim VM leaves by the uplink its team
// picks: so each host NIC is a SimGrid host of its own ("esxNNNN/vmnicK"), in a star zone per
// leaf (route: the source NIC's transmit link, the destination NIC's receive link) under a star
// zone for the fabric (route between leaves: the source leaf's up link to spine0, spine0's down
// link to the destination leaf). vdcsim's shortest path (by hops, ties by the order the links
// are listed) takes spine0 for every route between leaves; so does this platform, and the links
// to spine1-3 carry nothing in either. Latency 0 everywhere: vdcsim models rates only.
//
// The VM's uplink: the scenario's vSwitch is a standard switch teaming by originating port ID
// over its two NICs; a host numbers its ports in the order its VMs connect (scenario order), and
// port p leaves and receives by NIC p mod 2 (docs/network.md "NIC teaming"; the reverse teaming
// filter takes a frame in on the NIC the port's team picks; checked against vdcsim's
// report.json: every flow leaves by that NIC). Flows between two VMs of one host stay on the
// host in vdcsim (one vSwitch, one VLAN): they are skipped here (20 of 40,000).
//
// Demand: a flow's rate is its Bitbrains file's transmitted-throughput column (KB/s, the last of
// the semicolon-separated columns; timestamps in seconds, time 0 the file's first sample; read
// as vdcsim's bitbrains reader stores it: float values, of samples sharing a timestamp the last
// wins) x the flow's `scale` x 8 x 1024 / 1e6 (vdcsim's network.trace_kbps_to_mbps), in Mbps.
// Window w covers [300 w, 300 (w + 1)) s; its demand is the value in force at 300 w. (vdcsim
// changes a flow's demand at its file's own sample times, which drift a few seconds from the
// 5-minute grid; a window here keeps one value for its 5 minutes.)
//
// Each window: at 300 w s, one host-to-host comm per flow with demand d > 0
// (Comm::sendto_async), from its source NIC to its target NIC, of d x 300 s worth of bytes;
// then all of them are waited for. Such a comm takes what max-min gives it on its route, not at
// most its demand as a vdcsim flow does: SimGrid 3.32 ignores Comm::set_rate on host-to-host
// comms (only mailbox sends and receives pass their rate on), so the comms end early, each at
// its own time, and every end re-solves the sharing. With --rate-cap the same comms go through
// mailboxes instead, their rate bounded at the demand (Comm::set_rate): an actor per NIC sends
// its flows' comms to the mailbox of each target NIC and receives those sent to its own, so
// that a flow takes at most its demand as in vdcsim and, uncontended, every comm of window w
// ends at 300 (w + 1) s; the NICs meet at a barrier at the end of each window. In both forms a
// window starts at 300 w or, when saturated links made the previous one last longer, as soon as
// its comms have all ended (vdcsim carries no backlog: there a flow gets its share while its
// demand holds). The wall time of a window runs from the start of its first comm (the
// first actor to wake at 300 w) to the end of its last; windows run until --windows N of them
// (default 288, a day) or until --wall-budget S seconds of wall time have passed (default 180,
// checked after each window), and the mean wall time of a window is extrapolated to the 288 of
// a day.
//
// SimGrid's configuration, set first (a --cfg on the command line overrides it):
//   network/model:CM02            no correction factors (LV08 scales bandwidth by 0.97,
//                                 latency by 13.01 and weights flows by RTT)
//   network/TCP-gamma:0           no TCP window limit on a flow's rate
//   network/crosstraffic:0        no reverse ACK flow loading the links
//   network/weight-S:0            no RTT-based priority: every flow has the same weight
//   network/latency-factor:1, network/bandwidth-factor:1   (CM02's own defaults, said anyway)
// so that flows share every link of their route by plain max-min with equal weights.
//
// Usage: simgrid_network SCENARIO.yaml [--windows N] [--wall-budget S] [--rate-cap] [--cfg=...]

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>
#include <yaml-cpp/yaml.h>

#include "vdc/io/file.hpp"

namespace sg4 = simgrid::s4u;

namespace {

constexpr double window_s = 300.0;
constexpr int day_windows = 288;
int token = 0;
constexpr double kbps_to_mbps = 8.0 * 1024.0 / 1e6;  // network.trace_kbps_to_mbps

/// A Bitbrains column as vdcsim's reader keeps it: sample start times (s after the first) and
/// float values.
struct Series {
  std::vector<std::int64_t> times;
  std::vector<float> values;

  /// The value in force `t` seconds after the first sample (looping past the last sample's
  /// start, which a day never reaches on these month-long files).
  [[nodiscard]] double value_at(double t) const {
    const auto span = static_cast<double>(times.back());
    if (span > 0.0 && t >= span) t = std::fmod(t, span);
    const auto ticks = static_cast<std::int64_t>(std::floor(t));
    const auto it = std::upper_bound(times.begin(), times.end(), ticks);
    const std::size_t i = it == times.begin() ? 0 : static_cast<std::size_t>(it - times.begin()) - 1;
    return static_cast<double>(values[i]);
  }
};

/// The transmitted-throughput column (KB/s, the 11th) of a gzipped GWA-T-12 file.
Series read_net_tx(const std::string& file) {
  const std::string text = vdc::io::gunzip(vdc::io::read_file(file), file);
  Series s;
  std::int64_t first = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    if (line.empty() || line.find("Timestamp") != std::string_view::npos) continue;
    std::vector<std::string_view> fields;
    std::size_t f = 0;
    while (true) {
      const std::size_t semi = line.find(';', f);
      fields.push_back(line.substr(f, semi == std::string_view::npos ? std::string_view::npos : semi - f));
      if (semi == std::string_view::npos) break;
      f = semi + 1;
    }
    if (fields.size() < 11) throw std::runtime_error(fmt::format("{}: a row of {} columns", file, fields.size()));
    const std::string ts(fields[0]);
    const std::string tx(fields[10]);
    const auto t = static_cast<std::int64_t>(std::strtoll(ts.c_str(), nullptr, 10));
    const auto v = static_cast<float>(std::strtod(tx.c_str(), nullptr));
    if (s.times.empty()) first = t;
    const std::int64_t rel = t - first;
    if (!s.times.empty() && s.times.back() == rel) {
      s.values.back() = v;  // of samples sharing a timestamp the last wins
    } else {
      s.times.push_back(rel);
      s.values.push_back(v);
    }
  }
  if (s.times.empty()) throw std::runtime_error(file + ": no samples");
  return s;
}

/// "25 Gbps", "100 Gbps", "800 Mbps" in bits per second.
double bits_per_second(const std::string& text) {
  double value = std::strtod(text.c_str(), nullptr);
  if (text.find("Gbps") != std::string::npos) return value * 1e9;
  if (text.find("Mbps") != std::string::npos) return value * 1e6;
  if (text.find("Tbps") != std::string::npos) return value * 1e12;
  throw std::runtime_error("unknown speed: " + text);
}

struct FlowSpec {
  int src_nic;  // index into the NIC hosts
  int dst_nic;
  int series;    // index into the trace series
  double scale;  // the flow's rate scale
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> defaults{"--cfg=network/model:CM02",       "--cfg=network/TCP-gamma:0",
                                    "--cfg=network/crosstraffic:0",   "--cfg=network/weight-S:0",
                                    "--cfg=network/latency-factor:1", "--cfg=network/bandwidth-factor:1"};
  std::vector<char*> sg_args{argv[0]};
  for (std::string& d : defaults) sg_args.push_back(d.data());
  std::string scenario;
  int windows = day_windows;
  double wall_budget = 180.0;
  bool rate_cap = false;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--windows" && k + 1 < argc) {
      windows = std::atoi(argv[++k]);
    } else if (a == "--wall-budget" && k + 1 < argc) {
      wall_budget = std::atof(argv[++k]);
    } else if (a == "--rate-cap") {
      rate_cap = true;
    } else if (a.rfind("--", 0) == 0) {
      sg_args.push_back(argv[k]);
    } else {
      scenario = a;
    }
  }
  if (scenario.empty()) {
    std::fprintf(stderr,
                 "usage: simgrid_network SCENARIO.yaml [--windows N] [--wall-budget S] [--rate-cap] [--cfg=...]\n");
    return 2;
  }

  // ---- the scenario ---------------------------------------------------------------------
  const auto t0 = std::chrono::steady_clock::now();
  const YAML::Node root = YAML::LoadFile(scenario);
  double nic_bps = 0.0;
  for (const auto& profile : root["host_profiles"]) {
    for (const auto& nic : profile.second["nics"]) nic_bps = bits_per_second(nic["speed"].as<std::string>());
  }
  // NICs and leaves from the physical links, in the order listed.
  std::vector<std::string> nic_names;
  std::vector<int> nic_leaf;
  std::unordered_map<std::string, int> nic_index;
  std::vector<std::string> leaf_names;
  std::unordered_map<std::string, int> leaf_index;
  std::vector<std::string> spine_names;
  std::unordered_map<std::string, int> spine_index;
  double fabric_bps = 0.0;
  const auto leaf_of = [&](const std::string& name) {
    const auto [it, added] = leaf_index.emplace(name, static_cast<int>(leaf_names.size()));
    if (added) leaf_names.push_back(name);
    return it->second;
  };
  for (const auto& link : root["networks"]["physical"]["links"]) {
    const auto from = link["from"].as<std::string>();
    const auto to = link["to"].as<std::string>();
    if (from.find('/') != std::string::npos) {
      nic_index.emplace(from, static_cast<int>(nic_names.size()));
      nic_names.push_back(from);
      nic_leaf.push_back(leaf_of(to));
    } else {
      leaf_of(from);
      const auto [it, added] = spine_index.emplace(to, static_cast<int>(spine_names.size()));
      if (added) spine_names.push_back(to);
      fabric_bps = bits_per_second(link["speed"].as<std::string>());
    }
  }
  const auto uplinks = root["networks"]["vswitches"][0]["uplinks"];
  const int team_size = static_cast<int>(uplinks.size());

  // VMs: their host, their port (the order they connect on it), their flows.
  std::unordered_map<std::string, int> ports_on_host;
  std::unordered_map<std::string, int> vm_nic;  // VM name -> NIC index
  std::vector<std::string> files;
  std::unordered_map<std::string, int> file_index;
  struct RawFlow {
    std::string from_vm, to_vm;
    int file;
    double scale;
  };
  std::vector<RawFlow> raw;
  for (const auto& vm : root["vms"]) {
    const auto name = vm["name"].as<std::string>();
    const auto host = vm["host"].as<std::string>();
    const int port = ports_on_host[host]++;
    const std::string nic = fmt::format("{}/{}", host, uplinks[port % team_size].as<std::string>());
    vm_nic.emplace(name, nic_index.at(nic));
    for (const auto& flow : vm["workload"]["network"]["flows"]) {
      const auto file = flow["rate"]["file"].as<std::string>();
      const auto [it, added] = file_index.emplace(file, static_cast<int>(files.size()));
      if (added) files.push_back(file);
      raw.push_back({name, flow["to"].as<std::string>(), it->second, flow["rate"]["scale"].as<double>(1.0)});
    }
  }
  std::vector<FlowSpec> flows;
  std::size_t same_host = 0;
  for (const RawFlow& r : raw) {
    const int s = vm_nic.at(r.from_vm);
    const int d = vm_nic.at(r.to_vm);
    const std::string& sn = nic_names[static_cast<std::size_t>(s)];
    const std::string& dn = nic_names[static_cast<std::size_t>(d)];
    if (sn.substr(0, sn.find('/')) == dn.substr(0, dn.find('/'))) {
      ++same_host;
      continue;
    }
    flows.push_back({s, d, r.file, r.scale});
  }
  std::vector<Series> series;
  series.reserve(files.size());
  for (const std::string& f : files) series.push_back(read_net_tx(f));
  const auto t1 = std::chrono::steady_clock::now();

  // ---- the platform ---------------------------------------------------------------------
  int sg_argc = static_cast<int>(sg_args.size());
  sg4::Engine engine(&sg_argc, sg_args.data());
  sg4::NetZone* fabric = sg4::create_star_zone("fabric");
  std::vector<sg4::Host*> nic_hosts(nic_names.size(), nullptr);
  std::vector<sg4::NetZone*> leaves;
  std::vector<simgrid::kernel::routing::NetPoint*> gateways;
  for (std::size_t l = 0; l < leaf_names.size(); ++l) {
    sg4::NetZone* leaf = sg4::create_star_zone(leaf_names[l]);
    leaf->set_parent(fabric);
    simgrid::kernel::routing::NetPoint* gw = leaf->create_router(leaf_names[l] + "-gw");
    leaf->add_route(gw, nullptr, nullptr, nullptr, {}, false);
    leaf->add_route(nullptr, gw, nullptr, nullptr, {}, false);
    leaves.push_back(leaf);
    gateways.push_back(gw);
  }
  const double nic_Bps = nic_bps / 8.0;  // SimGrid bandwidths are in bytes per second
  for (std::size_t n = 0; n < nic_names.size(); ++n) {
    sg4::NetZone* leaf = leaves[static_cast<std::size_t>(nic_leaf[n])];
    sg4::Host* h = leaf->create_host(nic_names[n], 1e9);
    const sg4::Link* tx = leaf->create_link(nic_names[n] + "-tx", nic_Bps)->set_latency(0)->seal();
    const sg4::Link* rx = leaf->create_link(nic_names[n] + "-rx", nic_Bps)->set_latency(0)->seal();
    leaf->add_route(h->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(tx)}, false);
    leaf->add_route(nullptr, h->get_netpoint(), nullptr, nullptr, {sg4::LinkInRoute(rx)}, false);
    h->seal();
    nic_hosts[n] = h;
  }
  for (std::size_t l = 0; l < leaves.size(); ++l) {
    std::vector<const sg4::Link*> up;
    std::vector<const sg4::Link*> down;
    for (const std::string& s : spine_names) {
      up.push_back(
          fabric->create_link(fmt::format("{}-{}-up", leaf_names[l], s), fabric_bps / 8.0)->set_latency(0)->seal());
      down.push_back(
          fabric->create_link(fmt::format("{}-{}-down", leaf_names[l], s), fabric_bps / 8.0)->set_latency(0)->seal());
    }
    leaves[l]->seal();
    // Every route between leaves crosses spine0, as vdcsim's shortest path picks it.
    fabric->add_route(leaves[l]->get_netpoint(), nullptr, gateways[l], nullptr, {sg4::LinkInRoute(up[0])}, false);
    fabric->add_route(nullptr, leaves[l]->get_netpoint(), nullptr, gateways[l], {sg4::LinkInRoute(down[0])}, false);
  }
  fabric->seal();

  // ---- the windows ----------------------------------------------------------------------
  struct WindowResult {
    double wall_s;
    double sim_end;
    std::size_t comms;
  };
  std::vector<WindowResult> results;
  std::size_t zero_demand = 0;
  const auto t2 = std::chrono::steady_clock::now();
  // The demand of flow f in window w, in bytes per second, and its bytes for the window.
  const auto demand = [&](const FlowSpec& f, int w) {
    const double mbps =
        std::max(0.0, series[static_cast<std::size_t>(f.series)].value_at(window_s * w)) * f.scale * kbps_to_mbps;
    const double bytes_per_s = mbps * 1e6 / 8.0;
    return std::pair{bytes_per_s, static_cast<std::uint64_t>(std::llround(bytes_per_s * window_s))};
  };
  // The NICs' outgoing and incoming flows and mailboxes (--rate-cap), kept here: alive while the
  // engine runs the actors that read them.
  std::vector<std::vector<std::size_t>> out(nic_names.size());
  std::vector<std::vector<std::size_t>> in(nic_names.size());
  for (std::size_t f = 0; f < flows.size(); ++f) {
    out[static_cast<std::size_t>(flows[f].src_nic)].push_back(f);
    in[static_cast<std::size_t>(flows[f].dst_nic)].push_back(f);
  }
  std::vector<sg4::Mailbox*> boxes;
  for (const std::string& n : nic_names) boxes.push_back(sg4::Mailbox::by_name(n));
  std::size_t active = 0;
  for (std::size_t n = 0; n < nic_names.size(); ++n) active += (out[n].empty() && in[n].empty()) ? 0U : 1U;
  if (rate_cap) {
    // An actor per NIC: each window it starts its flows' sends (rate-bounded) to the target
    // NICs' mailboxes and as many receives on its own mailbox as comms come to it, waits for all
    // of them, and the last NIC to finish a window closes it.
    struct Open {
      std::chrono::steady_clock::time_point start{};
      bool started = false;
      std::size_t left = 0;
      std::size_t comms = 0;
    };
    auto open = std::make_shared<std::vector<Open>>(static_cast<std::size_t>(windows));
    auto stop = std::make_shared<bool>(false);
    // Every NIC ends a window at the barrier, so that all know whether the wall budget stops
    // the run before any starts the next window's comms.
    sg4::BarrierPtr barrier = sg4::Barrier::create(static_cast<unsigned>(active));
    const auto budget_start = std::chrono::steady_clock::now();
    for (auto& o : *open) o.left = active;
    for (std::size_t n = 0; n < nic_names.size(); ++n) {
      if (out[n].empty() && in[n].empty()) continue;
      sg4::Actor::create(nic_names[n], nic_hosts[n], [&, n, open, stop, barrier] {
        for (int w = 0; w < windows && !*stop; ++w) {
          sg4::this_actor::sleep_until(window_s * w);
          Open& o = (*open)[static_cast<std::size_t>(w)];
          if (!o.started) {
            o.started = true;
            o.start = std::chrono::steady_clock::now();
          }
          std::vector<sg4::CommPtr> comms;
          void* sink = nullptr;  // what the receives "get": the comms carry no data
          for (const std::size_t f : out[n]) {
            const auto [rate, bytes] = demand(flows[f], w);
            if (bytes == 0) {
              ++zero_demand;
              continue;
            }
            // SimGrid 3.32 takes a comm with source data for a send: a token (comms carry nothing).
            sg4::CommPtr c = boxes[static_cast<std::size_t>(flows[f].dst_nic)]->put_init(&token, bytes);
            c->set_rate(rate);
            c->start();
            comms.push_back(std::move(c));
          }
          o.comms += comms.size();
          for (const std::size_t f : in[n]) {
            if (demand(flows[f], w).second == 0) continue;
            comms.push_back(boxes[n]->get_async<void>(&sink));
          }
          sg4::Comm::wait_all(comms);
          if (--o.left == 0) {
            const auto we = std::chrono::steady_clock::now();
            results.push_back({std::chrono::duration<double>(we - o.start).count(), sg4::Engine::get_clock(), o.comms});
            fmt::print(
                "  window {:3} at {:6.0f} s: {} comms, all done at {:.3f} s simulated, wall {:.3f} s\n",
                w, window_s * w, o.comms, sg4::Engine::get_clock(), results.back().wall_s);
            std::fflush(stdout);
            if (std::chrono::duration<double>(we - budget_start).count() > wall_budget) *stop = true;
          }
          barrier->wait();
        }
      });
    }
  } else {
    sg4::Actor::create("driver", nic_hosts[0], [&] {
      const auto budget_start = std::chrono::steady_clock::now();
      for (int w = 0; w < windows; ++w) {
        const double start = window_s * w;
        sg4::this_actor::sleep_until(start);
        const auto ws = std::chrono::steady_clock::now();
        std::vector<sg4::CommPtr> comms;
        comms.reserve(flows.size());
        for (const FlowSpec& f : flows) {
          const auto bytes = demand(f, w).second;
          if (bytes == 0) {
            ++zero_demand;
            continue;
          }
          comms.push_back(sg4::Comm::sendto_async(nic_hosts[static_cast<std::size_t>(f.src_nic)],
                                                  nic_hosts[static_cast<std::size_t>(f.dst_nic)], bytes));
        }
        sg4::Comm::wait_all(comms);
        const auto we = std::chrono::steady_clock::now();
        results.push_back({std::chrono::duration<double>(we - ws).count(), sg4::Engine::get_clock(), comms.size()});
        fmt::print(
            "  window {:3} at {:6.0f} s: {} comms, all done at {:.3f} s simulated, wall {:.3f} s\n",
            w, start, comms.size(), sg4::Engine::get_clock(), results.back().wall_s);
        std::fflush(stdout);
        if (std::chrono::duration<double>(we - budget_start).count() > wall_budget) break;
      }
    });
  }
  engine.run();
  const auto t3 = std::chrono::steady_clock::now();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  double total = 0.0;
  double worst = 0.0;
  for (const WindowResult& r : results) {
    total += r.wall_s;
    worst = std::max(worst, r.wall_s);
  }
  const double mean = results.empty() ? 0.0 : total / static_cast<double>(results.size());
  const double read_s = std::chrono::duration<double>(t1 - t0).count();
  const double platform_s = std::chrono::duration<double>(t2 - t1).count();
  const double run_s = std::chrono::duration<double>(t3 - t2).count();
  fmt::print(
      "simgrid_network: SimGrid {}.{}.{}, {} NIC hosts in {} leaves, {} spines, {} flows between hosts ({} on one host skipped), {}\n",
      SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR, SIMGRID_VERSION_PATCH, nic_names.size(), leaf_names.size(),
      spine_names.size(), flows.size(), same_host,
      rate_cap ? "mailbox comms capped at their demand, an actor per NIC" : "host-to-host comms, no cap");
  fmt::print(
      "  reading the scenario and {} traces {:.3f} s, platform {:.3f} s, windows run {:.3f} s\n",
      files.size(), read_s, platform_s, run_s);
  fmt::print("  windows run      {} of {} ({} comms of zero demand not started)\n", results.size(), windows,
             zero_demand);
  fmt::print("  wall per window  mean {:.3f} s, worst {:.3f} s\n", mean, worst);
  fmt::print("  a day extrapolated: {} windows x {:.3f} s = {:.1f} s ({:.1f} min)\n", day_windows, mean,
             mean * day_windows, mean * day_windows / 60.0);
  fmt::print("  simulated end    {:.3f} s\n", sg4::Engine::get_clock());
  fmt::print("  peak RSS         {:.1f} MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
