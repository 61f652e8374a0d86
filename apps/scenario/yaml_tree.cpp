#include "yaml_tree.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace vdc::scenario::detail {

const Entry* Node::find(std::string_view key) const {
  for (const Entry& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const Node* Node::get(std::string_view key) const {
  const Entry* e = find(key);
  return e != nullptr ? &e->value : nullptr;
}

std::string_view describe(const Node& node) {
  switch (node.kind) {
    case Node::Kind::null: return "empty";
    case Node::Kind::scalar: return "a scalar";
    case Node::Kind::sequence: return "a sequence";
    case Node::Kind::mapping: return "a mapping";
  }
  return "empty";
}

namespace {

const std::string expected_document = "expected a mapping with name, duration, hosts, vms";

/// yaml-cpp marks are 0-based and -1 when unknown.
Position position_of(const YAML::Mark& mark, Position fallback) {
  if (mark.line < 0 || mark.column < 0) return fallback;
  return Position{mark.line + 1, mark.column + 1};
}

/// Position of byte `offset` of `text`.
Position position_at(std::string_view text, std::size_t offset) {
  Position p;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++p.line;
      p.column = 1;
    } else {
      ++p.column;
    }
  }
  return p;
}

/// Length of the UTF-8 sequence starting at `i`, or 0 when it is not valid UTF-8.
std::size_t utf8_length(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  std::size_t len = 0;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2;
  else if (c >= 0xE0 && c <= 0xEF) len = 3;
  else if (c >= 0xF0 && c <= 0xF4) len = 4;
  else return 0;
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

/// Reports the first byte that cannot be in a YAML text file (control characters other
/// than tab and line ends, NUL, invalid UTF-8): binary data would otherwise reach yaml-cpp,
/// which accepts much of it as odd scalars.
bool check_text(std::string_view text, Sink& sink) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
    const std::size_t len = control ? 0 : utf8_length(text, i);
    if (len == 0) {
      sink.error(position_at(text, i), fmt::format("not a text file: byte 0x{:02X}", c),
                 "expected a UTF-8 YAML text");
      return false;
    }
    i += len;
  }
  return true;
}

/// Column (1-based) of the first tab in the indentation of line `line` (1-based), or 0.
int tab_in_indentation(std::string_view text, int line) {
  std::size_t start = 0;
  for (int l = 1; l < line; ++l) {
    start = text.find('\n', start);
    if (start == std::string_view::npos) return 0;
    ++start;
  }
  for (std::size_t i = start; i < text.size(); ++i) {
    if (text[i] == '\t') return static_cast<int>(i - start) + 1;
    if (text[i] != ' ' && text[i] != '-') return 0;
  }
  return 0;
}

/// What a user should have written, for the yaml-cpp messages a hand-edited file meets.
std::string_view syntax_hint(const std::string& msg) {
  static const std::map<std::string, std::string_view> hints{
      {"end of map flow not found", "expected a closing '}'"},
      {"end of sequence flow not found", "expected a closing ']'"},
      {"end of map not found", "expected keys of a mapping at one indentation"},
      {"end of sequence not found", "expected '- ' items at one indentation"},
      {"illegal map value", "expected 'key: value' with the key on its own line"},
      {"illegal block entry", "expected '- ' items at one indentation"},
      {"unknown escape character", "expected a valid escape such as \\n or \\\""},
      {"end of string not found", "expected a closing quote"},
  };
  const auto it = hints.find(msg);
  return it != hints.end() ? it->second : std::string_view("expected well-formed YAML");
}

void report_syntax_error(const YAML::ParserException& e, std::string_view text, Sink& sink) {
  const Position at = position_of(e.mark, Position{});
  if (const int tab = tab_in_indentation(text, at.line); tab > 0) {
    sink.error(Position{at.line, tab}, "tab character in indentation",
               "expected spaces: YAML indents with spaces only");
    return;
  }
  sink.error(at, fmt::format("YAML syntax error: {}", e.msg), syntax_hint(e.msg));
}

Node convert(const YAML::Node& y, Position fallback, Sink& sink) {
  Node n;
  n.pos = position_of(y.Mark(), fallback);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      n.kind = Node::Kind::null;
      n.pos = fallback;
      break;
    case YAML::NodeType::Scalar:
      n.kind = Node::Kind::scalar;
      n.text = y.Scalar();
      break;
    case YAML::NodeType::Sequence:
      n.kind = Node::Kind::sequence;
      for (const YAML::Node& item : y) n.items.push_back(convert(item, n.pos, sink));
      break;
    case YAML::NodeType::Map:
      n.kind = Node::Kind::mapping;
      for (const auto& kv : y) {
        const Position key_pos = position_of(kv.first.Mark(), n.pos);
        if (!kv.first.IsScalar()) {
          sink.error(key_pos, fmt::format("a mapping key is {}", describe(convert(kv.first, key_pos, sink))),
                     "expected a plain key name");
          continue;
        }
        const std::string key = kv.first.Scalar();
        if (const Entry* first = n.find(key)) {
          sink.error(key_pos, fmt::format("duplicate key '{}'", key),
                     fmt::format("expected each key once in a mapping; first at line {}",
                                 first->key_pos.line));
          continue;
        }
        // A null value's own mark points past it, at the next token: use the key's.
        n.entries.push_back(Entry{key, key_pos, convert(kv.second, key_pos, sink)});
      }
      break;
  }
  return n;
}

}  // namespace

std::optional<Node> parse_document(std::string_view text, Sink& sink) {
  if (!check_text(text, sink)) return std::nullopt;
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::ParserException& e) {
    report_syntax_error(e, text, sink);
    return std::nullopt;
  }
  if (documents.empty() || documents.front().IsNull()) {
    sink.error(Position{}, "empty scenario", expected_document);
    return std::nullopt;
  }
  if (documents.size() > 1) {
    sink.error(position_of(documents[1].Mark(), Position{}), "a second YAML document",
               "expected one scenario per file");
    return std::nullopt;
  }
  Node root = convert(documents.front(), Position{}, sink);
  if (!root.is_mapping()) {
    sink.error(root.pos, fmt::format("the scenario is {}", describe(root)), expected_document);
    return std::nullopt;
  }
  return root;
}

Node deep_merge(const Node& base, const Node& over) {
  if (!base.is_mapping() || !over.is_mapping()) return over;
  const Node* base_kind = base.get("kind");
  const Node* over_kind = over.get("kind");
  if (base_kind != nullptr && over_kind != nullptr && base_kind->text != over_kind->text) {
    return over;
  }
  Node merged = base;
  merged.pos = over.pos;
  for (const Entry& e : over.entries) {
    auto it = std::find_if(merged.entries.begin(), merged.entries.end(),
                           [&](const Entry& m) { return m.key == e.key; });
    if (it == merged.entries.end()) {
      merged.entries.push_back(e);
    } else {
      it->key_pos = e.key_pos;
      it->value = deep_merge(it->value, e.value);
    }
  }
  return merged;
}

}  // namespace vdc::scenario::detail
