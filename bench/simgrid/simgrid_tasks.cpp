// The workload of bench/scale_fluid.cpp on SimGrid 3.32's S4U, without SimGrid's VM layer,
// for a side-by-side comparison: 1,000 hosts of 16 cores at 1 GHz (1e9 flop/s per core, a
// full zone created in code, no links: nothing communicates) and 20,000 VMs, VM i of 2 + i mod 3
// vCPUs on host i mod 1000. Every vCPU is one actor on its VM's host running 10 sequential
// this_actor::execute() of the VM's task size in flops: 0.75 s + 0.05 s x ((i / 1000) mod 21)
// of one core, the same deterministic sizes as scale_fluid (no random draws in either).
// SimGrid's CPU model shares a host's 16 cores among its executions by max-min fairness,
// each execution at most one core, as vdcsim's fluid model shares them among equal-share
// vCPUs. 599,990 task completions (59,999 actors).
// Prints the wall time (platform and actors, and the simulation apart), the completions, the
// simulated end time and peak RSS (getrusage). SimGrid options pass through (--cfg=...);
// the actors' stacks have no guard pages unless told otherwise (see main).
// With --per-vm, one actor per VM instead, whose vCPUs' tasks run together as one
// multi-thread execution (this_actor::thread_execute, as many threads as vCPUs) each time:
// SimGrid's fastest configuration of this workload found here (20,000 actors).
// Usage: simgrid_tasks [hosts] [vms] [--per-vm] [--cfg=...] (default 1000 20000).

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

namespace sg4 = simgrid::s4u;

namespace {

std::uint64_t completions = 0;

}  // namespace

int main(int argc, char** argv) {
  // Positional numbers first; everything else goes to SimGrid, after one default: with guard
  // pages (SimGrid's default) 59,999 actors exceed the process's memory mappings allowed by
  // Linux (vm.max_map_count, 65,530 on the machine of README.md) and SimGrid aborts ("Failed
  // to protect stack"), so the stacks (default size) go without guard pages. Measured
  // alternatives: 64 KiB or 16 KiB stacks were slower and took more memory.
  std::string guard = "--cfg=contexts/guard-size:0";
  std::vector<char*> sg_args{argv[0], guard.data()};
  std::vector<int> numbers;
  bool per_vm = false;
  for (int k = 1; k < argc; ++k) {
    if (std::string(argv[k]) == "--per-vm") {
      per_vm = true;
    } else if (argv[k][0] >= '0' && argv[k][0] <= '9') {
      numbers.push_back(std::atoi(argv[k]));
    } else {
      sg_args.push_back(argv[k]);
    }
  }
  const int hosts = numbers.size() > 0 ? numbers[0] : 1000;
  const int vms = numbers.size() > 1 ? numbers[1] : 20000;
  int sg_argc = static_cast<int>(sg_args.size());

  const auto start = std::chrono::steady_clock::now();
  sg4::Engine engine(&sg_argc, sg_args.data());
  sg4::NetZone* zone = sg4::create_full_zone("world");
  std::vector<sg4::Host*> platform;
  platform.reserve(static_cast<std::size_t>(hosts));
  for (int h = 0; h < hosts; ++h) {
    platform.push_back(zone->create_host(fmt::format("esx{:04}", h), 1e9)->set_core_count(16)->seal());
  }
  zone->seal();
  int actors = 0;
  for (int i = 0; i < vms; ++i) {
    const int vcpus = 2 + i % 3;
    const double flops = 1e9 * (0.75 + 0.05 * ((i / hosts) % 21));
    sg4::Host* host = platform[static_cast<std::size_t>(i % hosts)];
    if (per_vm) {
      // thread_execute runs its flop amount on each of its threads (measured: a 2-vCPU VM of
      // 0.75 s tasks ends at 7.5 s, as with an actor per vCPU).
      sg4::Actor::create(fmt::format("vm{:05}", i), host, [host, flops, vcpus] {
        for (int t = 0; t < 10; ++t) {
          sg4::this_actor::thread_execute(host, flops, vcpus);
          completions += static_cast<std::uint64_t>(vcpus);
        }
      });
      ++actors;
      continue;
    }
    for (int v = 0; v < vcpus; ++v) {
      sg4::Actor::create(fmt::format("vm{:05}.{}", i, v), host, [flops] {
        for (int t = 0; t < 10; ++t) {
          sg4::this_actor::execute(flops);
          ++completions;
        }
      });
      ++actors;
    }
  }
  const auto built = std::chrono::steady_clock::now();
  engine.run();
  const auto done = std::chrono::steady_clock::now();

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double setup_s = std::chrono::duration<double>(built - start).count();
  const double run_s = std::chrono::duration<double>(done - built).count();
  fmt::print("simgrid_tasks: SimGrid {}.{}, {} hosts, {} VMs, {} actors\n", SIMGRID_VERSION_MAJOR,
             SIMGRID_VERSION_MINOR, hosts, vms, actors);
  fmt::print("  wall time        {:.3f} s (platform and actors {:.3f} s, run {:.3f} s)\n",
             setup_s + run_s, setup_s, run_s);
  fmt::print("  task completions {}\n", completions);
  fmt::print("  simulated end    {:.3f} s\n", sg4::Engine::get_clock());
  fmt::print("  peak RSS         {:.1f} MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}
