#pragma once
/// The GPU part of a scenario (docs/scenario.md "GPUs"), as plain data: each host's
/// physical GPUs with their mode and scheduler, and each VM's vGPUs. The loader fills it
/// and checks every name against the board tables (include/vdc/models/gpu/boards.hpp); the
/// rules the GPU area applies to it are in docs/gpu.md, from reference section C.

#include <cstdint>
#include <optional>
#include <string>

namespace vdc::models {

/// How a physical GPU is shared (reference C.1).
enum class GpuMode { time_sliced, mig, passthrough };

/// The time-sliced scheduler of a GPU (reference C.5).
enum class GpuScheduler { best_effort, equal_share, fixed_share };

/// Whether a time-sliced GPU takes vGPUs of one framebuffer size only (reference C.2).
enum class GpuSizes { equal, mixed };

/// `count` GPUs of one board on a host.
struct GpuConfig {
  std::string model;  ///< the board's name as the tables write it (A100-40GB)
  int count = 0;
  GpuMode mode = GpuMode::time_sliced;
  GpuScheduler scheduler = GpuScheduler::best_effort;
  GpuSizes sizes = GpuSizes::equal;
  /// NVIDIA's RmPVMRL registry value, when set: it sets the scheduler and the time slice
  /// (docs/gpu.md "RmPVMRL"); MIG-backed vGPUs ignore it.
  std::optional<std::uint32_t> rmpvmrl;
};

/// One vGPU of a VM: a profile of a board (A100-4C), or a whole GPU in passthrough.
struct VgpuConfig {
  std::string profile;   ///< the profile's name as the tables write it, or the board's for passthrough
  bool passthrough = false;
};

}  // namespace vdc::models
