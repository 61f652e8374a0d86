// The GPU keys of a scenario (docs/scenario.md "GPUs"): a host's `gpus:` with their mode,
// scheduler, sizes and RmPVMRL, a VM's `vgpus:`, checked against the board tables
// (include/vdc/models/gpu/boards.hpp) and the rules of reference section C.
#include <array>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "sections.hpp"
#include "values.hpp"
#include "vdc/models/gpu/boards.hpp"
#include "vdc/models/gpu/gpu_rules.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace gpu = models::gpu;

namespace {

constexpr std::array<Choice<models::GpuMode>, 3> modes{{{"time_sliced", models::GpuMode::time_sliced},
                                                        {"mig", models::GpuMode::mig},
                                                        {"passthrough", models::GpuMode::passthrough}}};
constexpr std::array<Choice<models::GpuScheduler>, 3> schedulers{
    {{"best_effort", models::GpuScheduler::best_effort},
     {"equal_share", models::GpuScheduler::equal_share},
     {"fixed_share", models::GpuScheduler::fixed_share}}};
constexpr std::array<Choice<models::GpuSizes>, 2> sizes{
    {{"equal", models::GpuSizes::equal}, {"mixed", models::GpuSizes::mixed}}};

/// RmPVMRL as NVIDIA writes it (0x00030001) or as a decimal number.
std::optional<std::uint32_t> read_rmpvmrl(Sink& sink, const Node& node) {
  constexpr std::string_view expected =
      "expected a 32-bit value like 0x00030001 whose low byte is 0x00, 0x01 or 0x11";
  const std::string* text = scalar_text(sink, "RmPVMRL", node, expected);
  if (text == nullptr) return std::nullopt;
  std::string_view digits = *text;
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
    base = 16;
  }
  std::uint32_t value = 0;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (ec != std::errc() || p != digits.data() + digits.size() || !gpu::decode_rmpvmrl(value)) {
    bad_value(sink, "RmPVMRL", node, expected);
    return std::nullopt;
  }
  return value;
}

/// The board named by `node` (under `key`), or an error with the closest board name.
const gpu::Board* resolve_board(Sink& sink, std::string_view key, const Node& node) {
  const std::string* text = scalar_text(sink, key, node, "expected a GPU board like A100-40GB");
  if (text == nullptr) return nullptr;
  if (const gpu::Board* b = gpu::find_board(*text)) return b;
  std::string hint;
  if (const auto p = gpu::find_profile(*text)) {
    hint = fmt::format("; '{}' is a vGPU profile of board {}", *text, p->board->name);
  }
  sink.error(node.pos, fmt::format("unknown GPU board '{}'{}", *text, hint),
             fmt::format("expected one of the boards `vdcsim describe gpu` lists"),
             closest(*text, gpu::board_names()));
  return nullptr;
}

/// The vGPU profile named by `node`, or an error with the closest profile name.
std::optional<gpu::ProfileRef> resolve_profile(Sink& sink, const Node& node) {
  const std::string* text = scalar_text(sink, "profile", node, "expected a vGPU profile like A100-4C");
  if (text == nullptr) return std::nullopt;
  if (auto p = gpu::find_profile(*text)) return p;
  std::string hint;
  if (const gpu::Board* b = gpu::find_board(*text)) {
    hint = fmt::format("; '{}' is a board: write passthrough: {} for the whole GPU", *text, b->name);
  }
  sink.error(node.pos, fmt::format("unknown vGPU profile '{}'{}", *text, hint),
             "expected a profile `vdcsim describe gpu` lists", closest(*text, gpu::profile_names()));
  return std::nullopt;
}

}  // namespace

void read_host_gpus(Sink& sink, const Node& node, std::vector<models::GpuConfig>& gpus) {
  if (read_sequence(sink, "gpus", node, "expected a sequence of {model, count}") == nullptr) return;
  gpus.clear();
  for (const Node& item : node.items) {
    const MapView m(sink, item, keys::gpu, "a gpus entry");
    if (!m.valid()) continue;
    models::GpuConfig g;
    const gpu::Board* board = nullptr;
    if (const Node* model = m.require("model", "expected a GPU model like A100-40GB")) {
      board = resolve_board(sink, "model", *model);
      if (board != nullptr) g.model = board->name;
    }
    g.count = 1;
    assign(m.integer("count", 1, limits::max_gpus), g.count);
    assign(m.choice<models::GpuMode>("mode", modes), g.mode);
    assign(m.choice<models::GpuScheduler>("scheduler", schedulers), g.scheduler);
    assign(m.choice<models::GpuSizes>("sizes", sizes), g.sizes);
    if (const Node* reg = m.get("RmPVMRL")) {
      g.rmpvmrl = read_rmpvmrl(sink, *reg);
      if (g.rmpvmrl && m.get("scheduler") != nullptr) {
        sink.error(reg->pos, "both 'scheduler' and 'RmPVMRL'", "expected one of them: RmPVMRL sets the scheduler");
      } else if (g.rmpvmrl) {
        g.scheduler = gpu::decode_rmpvmrl(*g.rmpvmrl)->scheduler;
      }
    }
    if (board != nullptr) {
      if (const Node* mode = m.get("mode"); mode != nullptr && g.mode == models::GpuMode::mig && !board->has_mig()) {
        sink.error(mode->pos, fmt::format("MIG mode on a {}, which has no MIG", board->name),
                   "expected time_sliced or passthrough");
      }
      if (const Node* s = m.get("sizes"); s != nullptr && g.sizes == models::GpuSizes::mixed && !board->mixed) {
        sink.error(s->pos, fmt::format("mixed-size mode on a {} ({}), which has none", board->name, board->architecture),
                   "expected sizes: equal");
      }
    }
    if (g.sizes == models::GpuSizes::mixed && g.scheduler == models::GpuScheduler::fixed_share &&
        g.mode == models::GpuMode::time_sliced) {
      const Node* at = m.get("scheduler") != nullptr ? m.get("scheduler") : m.get("RmPVMRL");
      sink.error(at != nullptr ? at->pos : m.pos(), "fixed share with mixed sizes",
                 "expected best_effort or equal_share: NVIDIA does not support fixed share on a GPU in mixed-size mode");
    }
    gpus.push_back(std::move(g));
  }
}

void read_vgpus(Sink& sink, const Node& node, models::VmConfig& vm) {
  constexpr std::string_view expected = "expected a sequence of {profile: A100-4C} or {passthrough: A100-40GB}";
  if (read_sequence(sink, "vgpus", node, expected) == nullptr) return;
  vm.vgpus.clear();
  const gpu::Board* first_board = nullptr;
  char first_series = 0;
  for (const Node& item : node.items) {
    const MapView m(sink, item, keys::vgpu, "a vgpus entry");
    if (!m.valid()) continue;
    const Node* profile = m.get("profile");
    const Node* passthrough = m.get("passthrough");
    if ((profile == nullptr) == (passthrough == nullptr)) {
      sink.error(m.pos(), "a vgpus entry needs one of 'profile' and 'passthrough'",
                 "expected {profile: A100-4C} or {passthrough: A100-40GB}");
      continue;
    }
    models::VgpuConfig v;
    const gpu::Board* board = nullptr;
    char series = 'P';
    const Node* at = profile != nullptr ? profile : passthrough;
    if (profile != nullptr) {
      const auto p = resolve_profile(sink, *profile);
      if (!p) continue;
      board = p->board;
      series = p->profile->series;
      v.profile = p->profile->name;
    } else {
      board = resolve_board(sink, "passthrough", *passthrough);
      if (board == nullptr) continue;
      v.profile = board->name;
      v.passthrough = true;
    }
    if (first_board == nullptr) {
      first_board = board;
      first_series = series;
    } else if (board != first_board || series != first_series) {
      sink.error(at->pos,
                 fmt::format("'{}' beside a vGPU of another board or series ({}{})", v.profile, first_board->name,
                             first_series == 'P' ? " passthrough" : fmt::format(", {}-series", first_series)),
                 "expected every vGPU of a VM on the same board type and series");
      continue;
    }
    vm.vgpus.push_back(std::move(v));
  }
  if (vm.vgpus.size() > static_cast<std::size_t>(limits::max_vgpus_per_vm)) {
    sink.error(node.pos, fmt::format("{} vGPUs", vm.vgpus.size()),
               fmt::format("expected at most {} vGPUs per VM (vSphere 8)", limits::max_vgpus_per_vm));
  }
  // Adding a DirectPath device reserves all of the VM's memory (reference C.6).
  if (!vm.vgpus.empty() && vm.vgpus.front().passthrough) vm.mem.reservation = vm.memory_mib;
}

void check_vm_gpus(Context& ctx, const Node& merged, const models::VmConfig& vm) {
  if (vm.vgpus.empty()) return;
  const Node* list = merged.get("vgpus");
  const Position at = list != nullptr ? list->pos : merged.pos;
  // The hosts the VM may run on: its own, its cluster's, or all.
  std::vector<const models::HostConfig*> hosts;
  for (const models::HostConfig& h : ctx.config.hosts) {
    if (!vm.host.empty() ? h.name == vm.host : vm.cluster.empty() || h.cluster == vm.cluster) hosts.push_back(&h);
  }
  const models::VgpuConfig& v = vm.vgpus.front();
  const gpu::VgpuProfile* profile = nullptr;
  const gpu::Board* board = nullptr;
  if (v.passthrough) {
    board = gpu::find_board(v.profile);
  } else if (const auto p = gpu::find_profile(v.profile)) {
    board = p->board;
    profile = p->profile;
  }
  if (board == nullptr) return;
  std::set<std::string> models_there;
  for (const models::HostConfig* h : hosts) {
    for (const models::GpuConfig& g : h->gpus) {
      if (g.model == board->name && gpu::mode_takes(g.mode, profile)) return;
      if (g.model.empty()) continue;  // an unknown board, reported where it is written
      models_there.insert(fmt::format("{} {}", g.model, gpu::mode_name(g.mode)));
    }
  }
  std::string there;
  for (const std::string& s : models_there) there += fmt::format("{}{}", there.empty() ? "" : ", ", s);
  const std::string_view mode = profile == nullptr ? "passthrough" : profile->mig ? "mig" : "time_sliced";
  const std::string where = !vm.host.empty() ? fmt::format("host '{}'", vm.host)
                            : !vm.cluster.empty() ? fmt::format("cluster '{}'", vm.cluster)
                                                  : std::string("the scenario");
  ctx.sink.error(at,
                 fmt::format("'{}' is of board {}, and {} has no {} GPU in {} mode ({})", v.profile, board->name, where,
                             board->name, mode, there.empty() ? "it has no GPUs" : "it has " + there),
                 fmt::format("expected a host with gpus: [{{model: {}, mode: {}}}]", board->name, mode));
}

}  // namespace vdc::scenario::detail
