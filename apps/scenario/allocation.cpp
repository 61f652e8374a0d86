#include <array>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/scenario/limits.hpp"

namespace vdc::scenario::detail {

namespace {

constexpr double no_max = std::numeric_limits<double>::max();
constexpr Bounds cpu_amount{0.0, no_max, false, "expected a frequency like 2 GHz"};
constexpr Bounds memory_amount{0.0, no_max, false, "expected a size like 4 GiB"};
constexpr Bounds cpu_limit{0.0, no_max, false, "expected unlimited or a frequency like 2 GHz"};
constexpr Bounds memory_limit{0.0, no_max, false, "expected unlimited or a size like 4 GiB"};

/// low | normal | high | a whole number of shares.
void read_shares(Sink& sink, const Node& node, models::Allocation& out) {
  const std::string expected = fmt::format(
      "expected low, normal, high or a whole number from 1 to {}", limits::max_custom_shares);
  const std::string* text = scalar_text(sink, "shares", node, expected);
  if (text == nullptr) return;
  static constexpr std::array<Choice<models::ShareLevel>, 3> levels{
      {{"low", models::ShareLevel::low},
       {"normal", models::ShareLevel::normal},
       {"high", models::ShareLevel::high}}};
  for (const auto& level : levels) {
    if (*text == level.name) {
      out.level = level.value;
      return;
    }
  }
  std::int64_t shares = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, shares);
  if (ec != std::errc() || ptr != end || shares < 1 || shares > limits::max_custom_shares) {
    Suggestion suggestion(*text);
    for (const auto& level : levels) suggestion.offer(level.name);
    bad_value(sink, "shares", node, expected, suggestion.best());
    return;
  }
  out.level = models::ShareLevel::custom;
  out.custom_shares = static_cast<std::uint64_t>(shares);
}

/// `unlimited` (empty) or an amount, under `key` when present: a limit or the balloon cap.
void read_cap(const MapView& m, std::string_view key, bool memory, std::optional<double>& out) {
  const Node* cap = m.get(key);
  if (cap == nullptr) return;
  constexpr std::string_view unlimited = "unlimited";
  const bool numeric = cap->is_scalar() && !cap->text.empty() &&
                       std::string_view("0123456789.-+").find(cap->text.front()) != std::string_view::npos;
  if (cap->is_scalar() && cap->text == unlimited) {
    out.reset();
  } else if (cap->is_scalar() && !numeric && !closest(cap->text, std::array{unlimited}).empty()) {
    bad_value(m.sink(), key, *cap, memory ? memory_limit.expected : cpu_limit.expected, unlimited);
  } else if (auto v = memory ? m.memory(key, memory_limit) : m.frequency(key, cpu_limit)) {
    out = *v;
  }
}

/// The keys of an allocation in `m`, a mapping whose keys were checked.
void read_allocation_keys(const MapView& m, bool memory, bool pool, models::Allocation& out) {
  Sink& sink = m.sink();
  if (const Node* shares = m.get("shares")) read_shares(sink, *shares, out);
  assign(memory ? m.memory("reservation", memory_amount) : m.frequency("reservation", cpu_amount),
         out.reservation);
  read_cap(m, "limit", memory, out.limit);
  if (pool) assign(m.boolean("expandable"), out.expandable);
  if (out.limit && *out.limit < out.reservation) {
    const Node* at = m.get("limit") != nullptr ? m.get("limit") : m.get("reservation");
    if (at != nullptr) {
      sink.error(at->pos, "limit below reservation",
                 "expected a limit of at least the reservation, or unlimited");
    }
  }
}

}  // namespace

void read_allocation(Sink& sink, const Node& node, std::string_view key, bool memory, bool pool,
                     models::Allocation& out) {
  const MapView m(sink, node, pool ? keys::pool_allocation : keys::vm_allocation,
                  fmt::format("'{}'", key));
  if (m.valid()) read_allocation_keys(m, memory, pool, out);
}

void read_vm_memory_allocation(Sink& sink, const Node& node, models::VmConfig& vm) {
  const MapView m(sink, node, keys::vm_mem_allocation, "'mem'");
  if (!m.valid()) return;
  read_allocation_keys(m, true, false, vm.mem);
  read_cap(m, "max_balloon", true, vm.mem_max_balloon);
}

}  // namespace vdc::scenario::detail
