// The GPU area's rules: include/vdc/models/gpu/gpu_rules.hpp.
#include "vdc/models/gpu/gpu_rules.hpp"

#include <algorithm>
#include <cassert>
#include <numeric>

#include <fmt/format.h>

namespace vdc::models::gpu {
namespace {

std::string gb(double mib) { return fmt::format("{:g} GB", mib / 1024.0); }

}  // namespace

std::optional<Rmpvmrl> decode_rmpvmrl(std::uint32_t value) {
  Rmpvmrl r;
  switch (value & 0xFFu) {
    case 0x00: r.scheduler = GpuScheduler::best_effort; break;
    case 0x01: r.scheduler = GpuScheduler::equal_share; break;
    case 0x11: r.scheduler = GpuScheduler::fixed_share; break;
    default: return std::nullopt;
  }
  const std::uint32_t aa = value >> 24;
  const bool frequency_form = aa != 0 || ((value >> 12) & 0xFu) != 0;
  if (frequency_form) {
    const auto fff = static_cast<int>((value >> 12) & 0xFFFu);
    if (fff != 0) r.frequency_hz = std::clamp(fff, 63, 960);
    if (aa != 0) r.averaging = std::min(static_cast<int>(aa), 60);
  } else {
    const auto tt = static_cast<int>((value >> 16) & 0xFFu);
    if (tt != 0) r.slice_ms = std::min(tt, 30);
  }
  return r;
}

double default_slice_ms(int type_max, int long_slice_max) { return type_max <= long_slice_max ? 2.0 : 1.0; }

double time_slice_ms(const std::optional<Rmpvmrl>& reg, int type_max, int long_slice_max) {
  if (reg && reg->slice_ms > 0.0) return reg->slice_ms;
  if (reg && reg->frequency_hz > 0) return 1000.0 / reg->frequency_hz;
  return default_slice_ms(type_max, long_slice_max);
}

bool mode_takes(GpuMode mode, const VgpuProfile* profile) {
  if (profile == nullptr) return mode == GpuMode::passthrough;
  return profile->mig ? mode == GpuMode::mig : mode == GpuMode::time_sliced;
}

std::string_view mode_name(GpuMode mode) {
  switch (mode) {
    case GpuMode::time_sliced: return "time_sliced";
    case GpuMode::mig: return "mig";
    case GpuMode::passthrough: return "passthrough";
  }
  return "";
}

std::string_view scheduler_name(GpuScheduler scheduler) {
  switch (scheduler) {
    case GpuScheduler::best_effort: return "best_effort";
    case GpuScheduler::equal_share: return "equal_share";
    case GpuScheduler::fixed_share: return "fixed_share";
  }
  return "";
}

bool PhysicalGpu::holds(std::size_t owner) const {
  return std::any_of(residents_.begin(), residents_.end(), [&](const Resident& r) { return r.owner == owner; });
}

double PhysicalGpu::allocated_mib() const {
  double sum = 0.0;
  for (const Resident& r : residents_) sum += r.profile != nullptr ? r.profile->framebuffer_mib : board_->framebuffer_mib;
  return sum;
}

std::optional<std::string> PhysicalGpu::refusal(const VgpuProfile* profile, bool explain) const {
  if (!mode_takes(mode_, profile)) {
    if (!explain) return std::string();
    const std::string_view wants = profile == nullptr ? "passthrough" : profile->mig ? "MIG-backed" : "time-sliced";
    return fmt::format("the GPU is in {} mode, {} is {}", mode_name(mode_),
                       profile != nullptr ? profile->name : std::string("passthrough"), wants);
  }
  if (profile == nullptr) {
    if (!residents_.empty()) return std::string("the GPU is taken by another VM in passthrough");
    return std::nullopt;
  }
  return profile->mig ? mig_refusal(*profile, explain) : time_sliced_refusal(*profile, explain);
}

std::optional<std::string> PhysicalGpu::time_sliced_refusal(const VgpuProfile& p, bool explain) const {
  if (sizes_ == GpuSizes::equal) {
    if (!residents_.empty() && residents_.front().profile->framebuffer_mib != p.framebuffer_mib) {
      if (!explain) return std::string();
      return fmt::format("equal-size mode: the GPU holds {} vGPUs ({}), {} has {}",
                         gb(residents_.front().profile->framebuffer_mib), residents_.front().profile->name, p.name,
                         gb(p.framebuffer_mib));
    }
    if (static_cast<int>(residents_.size()) >= p.max_equal) {
      if (!explain) return std::string();
      return fmt::format("{}: at most {} per GPU in equal-size mode, {} there", p.name, p.max_equal, residents_.size());
    }
    return std::nullopt;
  }
  const auto same = std::count_if(residents_.begin(), residents_.end(), [&](const Resident& r) {
    return r.profile->framebuffer_mib == p.framebuffer_mib;
  });
  if (same >= p.max_mixed) {
    if (!explain) return std::string();
    return fmt::format("{}: at most {} of its size per GPU in mixed-size mode, {} there", p.name, p.max_mixed, same);
  }
  if (allocated_mib() + p.framebuffer_mib > board_->framebuffer_mib) {
    if (!explain) return std::string();
    return fmt::format("framebuffer: {} of {} allocated, {} needs {}", gb(allocated_mib()),
                       gb(board_->framebuffer_mib), p.name, gb(p.framebuffer_mib));
  }
  return std::nullopt;
}

std::optional<int> PhysicalGpu::first_free_start(const VgpuProfile& p) const {
  const auto width = static_cast<std::uint8_t>((1u << p.memory_slices) - 1u);
  for (const int s : p.starts) {
    const auto bits = static_cast<std::uint8_t>(width << s);
    if ((mask_ & bits) == 0) return s;
  }
  return std::nullopt;
}

std::optional<std::string> PhysicalGpu::mig_refusal(const VgpuProfile& p, bool explain) const {
  const auto same = std::count_if(residents_.begin(), residents_.end(), [&](const Resident& r) { return r.profile == &p; });
  if (same >= p.max_mig && !explain) return std::string();
  if (same >= p.max_mig) return fmt::format("{}: at most {} per GPU, {} there", p.name, p.max_mig, same);
  if (!first_free_start(p)) {
    if (!explain) return std::string();
    std::string starts;
    for (const int s : p.starts) starts += fmt::format("{}{}", starts.empty() ? "" : ",", s);
    std::string taken;
    for (int s = 0; s < mig_memory_slices; ++s) {
      if ((mask_ >> s) & 1u) taken += fmt::format("{}{}", taken.empty() ? "" : ",", s);
    }
    return fmt::format("MIG: {} ({}, {} memory slices) starts only at slice {}, slices {} are taken", p.name,
                       p.instance, p.memory_slices, starts, taken);
  }
  return std::nullopt;
}

int PhysicalGpu::place(std::size_t owner, const VgpuProfile* profile) {
  assert(!refusal(profile));
  Resident r{owner, profile, -1};
  if (profile != nullptr && profile->mig) {
    r.start = *first_free_start(*profile);
    mask_ = static_cast<std::uint8_t>(mask_ | (((1u << profile->memory_slices) - 1u) << r.start));
  }
  residents_.push_back(r);
  return r.start;
}

void PhysicalGpu::remove(std::size_t owner) {
  const auto it = std::find_if(residents_.begin(), residents_.end(), [&](const Resident& r) { return r.owner == owner; });
  if (it == residents_.end()) return;
  if (it->start >= 0) {
    mask_ = static_cast<std::uint8_t>(mask_ & ~(((1u << it->profile->memory_slices) - 1u) << it->start));
  }
  residents_.erase(it);
}

void time_slice(GpuScheduler scheduler, std::span<const double> demand, std::span<const double> fixed,
                std::span<double> used) {
  const std::size_t n = demand.size();
  assert(used.size() == n && fixed.size() == n);
  if (n == 0) return;
  switch (scheduler) {
    case GpuScheduler::equal_share:
      for (std::size_t i = 0; i < n; ++i) used[i] = std::min(std::clamp(demand[i], 0.0, 1.0), 1.0 / static_cast<double>(n));
      return;
    case GpuScheduler::fixed_share:
      for (std::size_t i = 0; i < n; ++i) used[i] = std::min(std::clamp(demand[i], 0.0, 1.0), fixed[i]);
      return;
    case GpuScheduler::best_effort: {
      // Water-filling: the smallest demands are met first, the rest share what is left.
      std::vector<std::size_t> order(n);
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return demand[a] < demand[b]; });
      double left = 1.0;
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = order[k];
        const double share = left / static_cast<double>(n - k);
        used[i] = std::min(std::clamp(demand[i], 0.0, 1.0), share);
        left = std::max(0.0, left - used[i]);
      }
      return;
    }
  }
}

}  // namespace vdc::models::gpu
