#pragma once
/// The scenario's YAML as a small tree that keeps the position of every key and value, so
/// that profiles can be deep-merged into VM and host entries without losing where each value
/// was written (yaml-cpp nodes carry no key positions once copied into a new map).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sink.hpp"

namespace vdc::scenario::detail {

struct Entry;

/// Texts from this size on are parsed in two pieces at once (parse_document): 128 KiB, where
/// yaml-cpp takes about 20 ms, far above a thread's start.
inline constexpr std::size_t split_parse_from = 128 * 1024;

/// One YAML node: null, scalar, sequence or mapping.
struct Node {
  /// What the node holds.
  enum class Kind { null, scalar, sequence, mapping };

  Kind kind = Kind::null;      ///< what the node holds
  Position pos;                ///< where the value starts (for null: where its key is)
  std::string text;            ///< scalar text
  bool plain = false;          ///< a scalar written without quotes
  std::vector<Node> items;     ///< sequence items
  std::vector<Entry> entries;  ///< mapping entries, in file order, keys unique

  /// True for a mapping.
  [[nodiscard]] bool is_mapping() const { return kind == Kind::mapping; }
  /// True for a sequence.
  [[nodiscard]] bool is_sequence() const { return kind == Kind::sequence; }
  /// True for a scalar.
  [[nodiscard]] bool is_scalar() const { return kind == Kind::scalar; }
  /// The entry of key `key` of a mapping, or null.
  [[nodiscard]] const Entry* find(std::string_view key) const;
  /// The value of key `key` of a mapping, or null.
  [[nodiscard]] const Node* get(std::string_view key) const;
};

/// A mapping entry: the key's text and position, and its value.
struct Entry {
  std::string key;   ///< the key's text
  Position key_pos;  ///< where the key is written
  Node value;        ///< the value
};

/// How a type error names a node's kind: "empty", "a scalar", "a sequence", "a mapping".
[[nodiscard]] std::string_view describe(const Node& node);

/// Parses one YAML document. Reports, and returns nothing for: bytes that are not UTF-8
/// text, YAML syntax errors (tabs in indentation named as such), an empty document, more
/// than one document, a document that is not a mapping, and anchors and aliases that
/// copy more than limits::max_alias_nodes nodes or limits::max_alias_bytes of text (at the
/// anchor or alias that crosses the bound). Duplicate and non-scalar keys are reported and
/// dropped. Aliases are expanded (copies keep the anchored node's positions) and merge keys
/// (`<<: *defaults`, `<<: [*a, *b]`) applied: keys the mapping writes win, then the earlier
/// merged mapping; a merged entry keeps the position where it was written.
/// A text of `split_from` bytes or more, on a machine with more than one core, is read in
/// two pieces at once when a block sequence spans its middle (a long `vms:` list): that
/// sequence's later items on a second thread, the rest on this one. The tree is the same,
/// position for position; a text with anchors or merge keys, or where the pieces do not fit
/// together exactly or meet any problem, is read in one piece, which reports the problem.
[[nodiscard]] std::optional<Node> parse_document(std::string_view text, Sink& sink,
                                                 std::size_t split_from = split_parse_from);

/// parse_document's reading in two pieces, alone: the tree of a text that passed its checks
/// (UTF-8 text), or nothing when the text is not read so (then parse_document reads it in
/// one piece).
[[nodiscard]] std::optional<Node> parse_in_two_pieces(std::string_view text);

/// `over` merged into `base`, key by key at any depth: mappings merge, anything else is
/// replaced by `over`. Two mappings whose `kind` keys differ do not merge (a VM that changes
/// its workload kind replaces the profile's workload of the other kind).
[[nodiscard]] Node deep_merge(const Node& base, const Node& over);

}  // namespace vdc::scenario::detail
