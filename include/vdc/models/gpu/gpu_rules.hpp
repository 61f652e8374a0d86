#pragma once
/// The rules of the GPU area, as functions of plain data (reference section C; docs/gpu.md):
/// which vGPUs a physical GPU takes (equal-size, mixed-size, MIG geometry with first-fit
/// start slots, passthrough), how a time-sliced GPU shares its time (best effort, equal
/// share, fixed share), the default time slice and NVIDIA's RmPVMRL registry value.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vdc/models/gpu/boards.hpp"
#include "vdc/models/gpu_config.hpp"

namespace vdc::models::gpu {

/// What an RmPVMRL value sets (reference C.5). The bit layout table is not published in
/// the sources at hand; the decoding follows NVIDIA's examples (docs/gpu.md "RmPVMRL"):
/// bits 0-7 the scheduler (0x00 best effort, 0x01 equal share, 0x11 fixed share); when bits
/// 24-31 (averaging factor AA) or 12-15 are set, bits 12-23 are the frequency FFF in Hz,
/// otherwise bits 16-23 are the time slice TT in ms.
struct Rmpvmrl {
  GpuScheduler scheduler = GpuScheduler::best_effort;
  double slice_ms = 0.0;   ///< 0: the default by the type's maximum
  int frequency_hz = 0;    ///< 0: the default; else within 63..960
  int averaging = 0;       ///< 0: the default (33); else within 1..60
};
/// Decodes `value`; nothing when its scheduler byte is none of 0x00, 0x01, 0x11.
[[nodiscard]] std::optional<Rmpvmrl> decode_rmpvmrl(std::uint32_t value);

/// Default time slice of a time-sliced GPU whose resident vGPU type allows `type_max` per
/// GPU: 2 ms when at most `long_slice_max` (parameter gpu.long_slice_max_vgpus, 8), else 1 ms
/// (reference C.5, keyed on the type's maximum).
[[nodiscard]] double default_slice_ms(int type_max, int long_slice_max);
/// The time slice in force: RmPVMRL's TT, or 1000 / its frequency, or the default.
[[nodiscard]] double time_slice_ms(const std::optional<Rmpvmrl>& reg, int type_max, int long_slice_max);

/// A vGPU resident on a physical GPU.
struct Resident {
  std::size_t owner = 0;                ///< the VM
  const VgpuProfile* profile = nullptr; ///< nullptr: the whole GPU in passthrough
  int start = -1;                       ///< MIG: its first memory slice; -1 otherwise
};

/// One physical GPU: its board, mode and residents.
class PhysicalGpu {
 public:
  PhysicalGpu(const Board& board, GpuMode mode, GpuSizes sizes) : board_(&board), mode_(mode), sizes_(sizes) {}

  /// Why it cannot take `profile` (nullptr: passthrough) now, in words; nothing when it can.
  /// With `explain` false a refusal is an empty string, for a caller that only asks whether
  /// it fits (a placement trying GPU after GPU).
  [[nodiscard]] std::optional<std::string> refusal(const VgpuProfile* profile, bool explain = true) const;
  /// Takes it for `owner` (refusal() must be empty); returns the MIG start slot, or -1.
  int place(std::size_t owner, const VgpuProfile* profile);
  /// Gives back `owner`'s vGPU here, if it has one.
  void remove(std::size_t owner);

  [[nodiscard]] const Board& board() const { return *board_; }
  [[nodiscard]] GpuMode mode() const { return mode_; }
  [[nodiscard]] GpuSizes sizes() const { return sizes_; }
  [[nodiscard]] const std::vector<Resident>& residents() const { return residents_; }
  [[nodiscard]] bool holds(std::size_t owner) const;
  /// Framebuffer given to its vGPUs (the whole board in passthrough), MiB.
  [[nodiscard]] double allocated_mib() const;
  /// MIG: bit i set when memory slice i is taken.
  [[nodiscard]] std::uint8_t mig_mask() const { return mask_; }

 private:
  [[nodiscard]] std::optional<std::string> time_sliced_refusal(const VgpuProfile& p, bool explain) const;
  [[nodiscard]] std::optional<std::string> mig_refusal(const VgpuProfile& p, bool explain) const;
  [[nodiscard]] std::optional<int> first_free_start(const VgpuProfile& p) const;

  const Board* board_;
  GpuMode mode_;
  GpuSizes sizes_;
  std::vector<Resident> residents_;
  std::uint8_t mask_ = 0;
};

/// GPU time each vGPU of a time-sliced GPU gets, a fraction of the GPU, from its demand
/// (a fraction, capped at 1) (reference C.5):
///  - best effort: work-conserving round robin, idle time ceded: max-min fair shares;
///  - equal share: at most 1/n each, n the vGPUs resident (of powered-on VMs);
///  - fixed share: at most `fixed[i]` each (1 / the maximum of its type), idle time kept.
void time_slice(GpuScheduler scheduler, std::span<const double> demand, std::span<const double> fixed,
                std::span<double> used);

/// Whether a GPU mode takes a profile: MIG-backed profiles need MIG mode, time-sliced
/// profiles time-sliced mode, passthrough (nullptr) passthrough mode.
[[nodiscard]] bool mode_takes(GpuMode mode, const VgpuProfile* profile);

[[nodiscard]] std::string_view mode_name(GpuMode mode);
[[nodiscard]] std::string_view scheduler_name(GpuScheduler scheduler);

}  // namespace vdc::models::gpu
