#include <fmt/format.h>

#include "sections.hpp"
#include "suggest.hpp"
#include "values.hpp"

namespace vdc::scenario::detail {

bool NameIndex::add(Sink& sink, const std::string& name, Position at) {
  const auto [it, inserted] = index_.try_emplace(name, names_.size(), at);
  if (!inserted) {
    sink.error(at, fmt::format("duplicate {} name '{}'", what_, name),
               fmt::format("expected unique {} names; first defined at line {}", what_,
                           it->second.second.line));
    return false;
  }
  names_.push_back(name);
  return true;
}

std::optional<std::size_t> NameIndex::find(std::string_view name) const {
  const auto it = index_.find(std::string(name));
  if (it == index_.end()) return std::nullopt;
  return it->second.first;
}

std::optional<std::size_t> NameIndex::resolve(Sink& sink, std::string_view name,
                                              Position at) const {
  if (auto i = find(name)) return i;
  sink.error(at, fmt::format("unknown {} '{}'", what_, name),
             fmt::format("expected a {} defined under {}", what_, section_),
             closest(name, names_));
  return std::nullopt;
}

std::optional<std::size_t> NameIndex::resolve(Sink& sink, std::string_view key,
                                              const Node& node) const {
  const std::optional<std::string> name = read_name(sink, key, node);
  if (!name) return std::nullopt;
  return resolve(sink, *name, node.pos);
}

/// The entry's required `name`, added to `index`; nothing when it is missing, malformed or
/// a duplicate (reported).
std::optional<std::string> read_entry_name(Context& ctx, const MapView& m, NameIndex& index,
                                           std::string_view expected) {
  const Node* name = m.require("name", expected);
  if (name == nullptr) return std::nullopt;
  std::optional<std::string> n = read_name(ctx.sink, "name", *name);
  if (!n || !index.add(ctx.sink, *n, name->pos)) return std::nullopt;
  return n;
}

}  // namespace vdc::scenario::detail
