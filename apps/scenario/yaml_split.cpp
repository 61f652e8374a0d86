// Where a large scenario text is cut for the two-piece reading (yaml_split.hpp).
#include "yaml_split.hpp"

#include <algorithm>

namespace vdc::scenario::detail {

namespace {

/// Spaces at the start of the line at `start`.
std::size_t indentation(std::string_view text, std::size_t start) {
  std::size_t i = start;
  while (i < text.size() && text[i] == ' ') ++i;
  return i - start;
}

}  // namespace

std::optional<Split> find_split(std::string_view text) {
  if (text.find('&') != std::string_view::npos || text.find("<<") != std::string_view::npos) return std::nullopt;
  constexpr std::size_t search = 64 * 1024;  // how far past the middle an item is looked for
  Split sp;
  std::size_t nl = text.find('\n', text.size() / 2);
  for (;; nl = text.find('\n', nl + 1)) {
    if (nl == std::string_view::npos || nl + 1 >= text.size() || nl - text.size() / 2 > search) return std::nullopt;
    const std::size_t start = nl + 1;
    const std::size_t ind = indentation(text, start);
    if (start + ind + 1 < text.size() && text[start + ind] == '-' && text[start + ind + 1] == ' ') {
      sp.begin = start;
      sp.indent = static_cast<int>(ind);
      break;
    }
  }
  sp.end = text.size();
  for (std::size_t n = text.find('\n', sp.begin); n != std::string_view::npos && n + 1 < text.size();
       n = text.find('\n', n + 1)) {
    const std::size_t start = n + 1;
    const std::size_t ind = indentation(text, start);
    const std::size_t i = start + ind;
    if (i == text.size() || text[i] == '\n' || text[i] == '\r' || text[i] == '#') continue;
    if (text[i] == '\t') return std::nullopt;  // the whole parse names it
    const bool item = text[i] == '-' && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n' ||
                                         text[i + 1] == '\r');
    if (ind < static_cast<std::size_t>(sp.indent) || (ind == static_cast<std::size_t>(sp.indent) && !item)) {
      sp.end = start;
      break;
    }
  }
  if (sp.end - sp.begin < text.size() / 8) return std::nullopt;
  const auto lines_in = [&](std::size_t from, std::size_t to) {
    return static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(from),
                                       text.begin() + static_cast<std::ptrdiff_t>(to), '\n'));
  };
  sp.first_line = lines_in(0, sp.begin);
  sp.lines = lines_in(sp.begin, sp.end);
  return sp;
}

Node* sequence_continued_at(Node& root, std::string_view text, int line, int indent) {
  const auto dash_at = [&](Position p) {
    std::size_t start = 0;
    for (int l = 1; l < p.line; ++l) {
      start = text.find('\n', start);
      if (start == std::string_view::npos) return false;
      ++start;
    }
    const std::size_t i = start + static_cast<std::size_t>(p.column - 1);
    return indentation(text, start) == static_cast<std::size_t>(p.column - 1) && i < text.size() && text[i] == '-';
  };
  Node* found = nullptr;
  for (Node* node = &root; node != nullptr;) {
    Node* next = nullptr;
    if (node->is_mapping()) {
      if (found != nullptr && node->pos.column <= indent + 1) return nullptr;
      int best = 0;
      for (Entry& e : node->entries) {
        if (e.key_pos.line < line && e.key_pos.line >= best) {
          best = e.key_pos.line;
          next = &e.value;
        }
      }
    } else if (node->is_sequence()) {
      if (node->pos.column == indent + 1 && !node->items.empty() && node->items.back().pos.line < line &&
          dash_at(node->pos)) {
        found = node;
      } else if (found != nullptr && node->pos.column <= indent + 1) {
        return nullptr;
      }
      for (Node& item : node->items) {
        if (item.pos.line < line) next = &item;
      }
    }
    node = next;
  }
  return found;
}


}  // namespace vdc::scenario::detail
