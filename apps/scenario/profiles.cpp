// The profile sections (host_profiles, vm_profiles): one reader for both.
#include <fmt/format.h>

#include "sections.hpp"
#include "values.hpp"

namespace vdc::scenario::detail {

Profiles read_profiles(Context& ctx, const Node* section, const ProfileSection& what) {
  Profiles profiles{NameIndex(what.kind, what.section), {}};
  if (section == nullptr) return profiles;
  if (!section->is_mapping()) {
    ctx.sink.error(section->pos, fmt::format("'{}' is {}", what.section, describe(*section)),
                   fmt::format("expected a mapping of profile names to {}", what.plural));
    return profiles;
  }
  for (const Entry& e : section->entries) {
    profiles.names.add(ctx.sink, e.key, e.key_pos);
    profiles.nodes.push_back(&e.value);
    const MapView m(ctx.sink, e.value, what.keys, fmt::format("{} '{}'", what.kind, e.key));
    if (m.valid()) what.check_body(ctx.sink, e.value);
  }
  return profiles;
}

}  // namespace vdc::scenario::detail
