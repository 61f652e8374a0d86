#pragma once
/// Where parse_document cuts a large text for its two-piece reading (yaml_tree.hpp): the
/// items of a block sequence that spans the middle, and the rest.

#include <cstddef>
#include <optional>
#include <string_view>

#include "yaml_tree.hpp"

namespace vdc::scenario::detail {

/// The lines [begin, end) of the text that are items of one block sequence whose '-' is at
/// column `indent` (0-based), from line `first_line` (0-based) on, `lines` of them.
struct Split {
  std::size_t begin = 0, end = 0;
  int indent = 0;
  int first_line = 0;
  int lines = 0;
};

/// Where the text could be cut in two: the first line from the middle on that starts a
/// block sequence item ("- " after spaces), to the first later line that is not blank or
/// a comment and is indented less, or as much without "- ". Nothing for a text with
/// anchors or merge keys (a piece must not depend on the other), or when the piece would
/// be small.
[[nodiscard]] std::optional<Split> find_split(std::string_view text);

/// The block sequence of `root`'s tree that line `line` (1-based) would continue with an
/// item at column `indent` + 1: down from the root through the entry or item last written
/// before the line, the deepest sequence whose first '-' is at that column (its items all
/// before the line), with every collection below it indented further. Null if there is
/// none.
[[nodiscard]] Node* sequence_continued_at(Node& root, std::string_view text, int line, int indent);

}  // namespace vdc::scenario::detail
