#pragma once
/// Name ranges: "web{01..40}" stands for web01 ... web40 (docs/scenario.md "Hosts").

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sink.hpp"
#include "yaml_tree.hpp"

namespace vdc::scenario::detail {

/// One name of an expanded range, with its number (0 for a name without a range).
struct RangedName {
  std::string name;  ///< the expanded name
  int index = 0;     ///< its number in the range, 0 without a range
};

/// The names a range stands for, or why it is malformed.
struct RangeExpansion {
  std::vector<RangedName> names;  ///< the names, in order; empty on error
  std::string error;     ///< what is wrong; empty on success
  std::string expected;  ///< what was expected, for the error
};

/// Expands `text`, a name with at most one range {first..last} of whole numbers
/// (first <= last). The numbers keep the width of `first` when it has a leading zero:
/// web{01..40} gives web01 ... web40, esx{2..8} gives esx2 ... esx8.
[[nodiscard]] RangeExpansion expand_range(std::string_view text);

/// The names written in `node` under `key` (a name, possibly with a range), reporting a
/// malformed range or name at the node; empty on error.
[[nodiscard]] std::vector<RangedName> read_names(Sink& sink, std::string_view key,
                                                 const Node& node);

}  // namespace vdc::scenario::detail
