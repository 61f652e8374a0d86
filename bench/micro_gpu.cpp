// MIG first-fit placement micro benchmark (issue 15): 6,000 VMs of one MIG-backed vGPU each
// placed onto 1,000 A100 PCIe 40GB GPUs in MIG mode, each VM on the first GPU (in order)
// that can take it, at that GPU's first free start slot, as the driver and the GPU area do
// it at power-on. Only the placement is timed: the GPUs are emptied between iterations
// outside the timing.
//   BM_MigFirstFit/0: every VM A100-1-5C (7 per GPU: all 6,000 placed, on 858 GPUs)
//   BM_MigFirstFit/1: a mix in power-on order, 1-5C, 2-10C, 3-20C, 1-5C, 2-10C, 1-5C, ...
//                     (the slices fill first: 4,000 placed, the rest refused by every GPU)

#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <stdexcept>
#include <vector>

#include "vdc/models/gpu/boards.hpp"
#include "vdc/models/gpu/gpu_rules.hpp"

namespace {

using namespace vdc::models;

constexpr std::size_t kGpus = 1'000;
constexpr std::size_t kVms = 6'000;

const gpu::VgpuProfile& profile(const char* name) {
  const auto ref = gpu::find_profile(name);
  if (!ref) throw std::logic_error(name);
  return *ref->profile;
}

void BM_MigFirstFit(benchmark::State& state) {
  const gpu::Board& board = *gpu::find_board("A100-40GB");
  std::vector<const gpu::VgpuProfile*> order(kVms);
  const std::array<const gpu::VgpuProfile*, 6> mix{&profile("A100-1-5C"), &profile("A100-2-10C"),
                                                   &profile("A100-3-20C"), &profile("A100-1-5C"),
                                                   &profile("A100-2-10C"), &profile("A100-1-5C")};
  for (std::size_t v = 0; v < kVms; ++v) order[v] = state.range(0) == 0 ? mix[0] : mix[v % mix.size()];
  std::size_t placed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<gpu::PhysicalGpu> gpus(kGpus, gpu::PhysicalGpu(board, GpuMode::mig, GpuSizes::equal));
    placed = 0;
    state.ResumeTiming();
    for (std::size_t v = 0; v < kVms; ++v) {
      for (gpu::PhysicalGpu& g : gpus) {
        // Whether it fits, as the GPU area asks once it holds enough reasons for a refusal.
        if (g.refusal(order[v], false)) continue;
        benchmark::DoNotOptimize(g.place(v, order[v]));
        ++placed;
        break;
      }
    }
  }
  state.counters["placed"] = static_cast<double>(placed);
  state.counters["vms_per_s"] = benchmark::Counter(static_cast<double>(kVms), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_MigFirstFit)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
