#include "yaml_tree.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <istream>
#include <limits>
#include <streambuf>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "vdc/scenario/limits.hpp"
#include "yaml_split.hpp"

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
  if (e.mark.pos >= 0 && e.msg.starts_with("the referenced anchor is not defined")) {
    // The message does not name the alias: read it at the mark ("*name").
    std::string_view alias = text.substr(static_cast<std::size_t>(e.mark.pos));
    alias = alias.substr(0, alias.find_first_of(" \t\r\n,]}"));
    if (alias.starts_with('*')) alias.remove_prefix(1);
    sink.error(at, fmt::format("alias '*{}' names no anchor", alias),
               fmt::format("expected an anchor '&{}' written before the alias", alias));
    return;
  }
  sink.error(at, fmt::format("YAML syntax error: {}", e.msg), syntax_hint(e.msg));
}

/// Reads a text in place, without the copy an istringstream makes.
class TextBuffer : public std::streambuf {
 public:
  explicit TextBuffer(std::string_view text) {
    // The get area is only read from.
    char* data = const_cast<char*>(text.data());
    setg(data, data, data + text.size());
  }
};

/// Thrown by the builder to stop reading after a problem that makes the rest untrustworthy
/// (reported already).
struct StopReading {};

/// Nodes and text of a tree, as the alias bound counts them.
struct Size {
  std::size_t nodes = 0;
  std::size_t bytes = 0;
};

Size size_of(const Node& node) {
  Size s{1, node.text.size()};
  for (const Node& item : node.items) {
    const Size i = size_of(item);
    s.nodes += i.nodes;
    s.bytes += i.bytes;
  }
  for (const Entry& e : node.entries) {
    const Size v = size_of(e.value);
    s.nodes += v.nodes;
    s.bytes += v.bytes + e.key.size();
  }
  return s;
}

/// "16 MiB" for a byte count that is a whole number of MiB.
std::string bytes_text(std::size_t bytes) {
  constexpr std::size_t mib = 1024 * 1024;
  return bytes % mib == 0 ? fmt::format("{} MiB", bytes / mib) : fmt::format("{} bytes", bytes);
}

/// Where the lines of a text that is a piece of the file are: `base` lines further down,
/// and from line `cut` on (0-based, as yaml-cpp counts) `shift` more (lines left out).
struct LineMap {
  int base = 0;
  int cut = std::numeric_limits<int>::max();
  int shift = 0;
};

/// The merge key of YAML 1.1 (https://yaml.org/type/merge.html), written plain.
constexpr std::string_view merge_key = "<<";
constexpr std::string_view merge_expected =
    "expected an alias to a mapping like *defaults, a mapping, or a sequence of them";

/// Builds the Node tree from yaml-cpp's parse events, for the first document of the text
/// (later documents are parsed, so that a syntax error in them is still found, but only
/// their start is kept). Events rather than YAML::Load, so that:
/// - an alias is expanded here, where its position is known, and what anchors and aliases
///   copy is counted against limits::max_alias_nodes and limits::max_alias_bytes (a file
///   of nested aliases, "billion laughs", would otherwise expand to gigabytes);
/// - merge keys (`<<: *defaults`) are applied as their mapping ends;
/// - no yaml-cpp node graph is held besides the tree (it takes ten times the memory).
class TreeBuilder : public YAML::EventHandler {
 public:
  /// Reports to `sink`; the text read is at `lines` of the file.
  explicit TreeBuilder(Sink& sink, LineMap lines = {}) : sink_(sink), lines_(lines) {}

  /// The first document's root, if there was one.
  [[nodiscard]] std::optional<Node>& root() { return root_; }
  /// Where the second document starts, if there is one.
  [[nodiscard]] const std::optional<Position>& second_document() const { return second_; }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {
    ++documents_;
    anchors_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (!building(mark)) return;
    Node n;
    n.pos = at(mark);
    begin_anchor(anchor);
    complete(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    if (!building(mark)) return;
    const Position where = at(mark);
    if (anchor >= anchors_.size() || !anchors_[anchor].complete) {
      sink_.error(where, fmt::format("alias '*{}' inside the node it names", anchor_name(anchor)),
                  "expected an alias to a node that ends before the alias");
      throw StopReading{};
    }
    const Anchored& a = anchors_[anchor];
    charge(a.size, where, fmt::format("alias '*{}'", a.name));
    complete(Node(a.node), YAML::NullAnchor);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (!building(mark)) return;
    Node n;
    n.kind = Node::Kind::scalar;
    n.pos = at(mark);
    n.text = value;
    n.plain = tag == "?";
    begin_anchor(anchor);
    complete(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& /*tag*/,
                       YAML::anchor_t anchor, YAML::EmitterStyle::value /*style*/) override {
    open(mark, anchor, Node::Kind::sequence);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& /*tag*/, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value /*style*/) override {
    open(mark, anchor, Node::Kind::mapping);
  }
  void OnMapEnd() override { close(); }

  void OnAnchor(const YAML::Mark& /*mark*/, const std::string& name) override {
    pending_anchor_name_ = name;
  }

 private:
  /// A sequence or mapping being read.
  struct Frame {
    Node node;
    YAML::anchor_t anchor = YAML::NullAnchor;
    bool has_key = false;    ///< a mapping's key was read, its value comes next
    bool key_ok = false;     ///< the key is a scalar (otherwise reported, entry dropped)
    bool key_plain = false;  ///< the key was written without quotes
    std::string key;
    Position key_pos;
    /// Where each key is, once the mapping is large enough for a linear search to cost.
    std::unordered_map<std::string, std::size_t> index;
    /// Index of the merge key's entry, if the mapping has one.
    std::optional<std::size_t> merge;
  };

  /// An anchored node, kept for its aliases.
  struct Anchored {
    std::string name;
    bool complete = false;
    Node node;
    Size size;
  };

  /// Mappings with more entries than this look keys up through Frame::index.
  static constexpr std::size_t indexed_from = 16;

  /// Where `mark` is in the file.
  [[nodiscard]] Position at(const YAML::Mark& mark) const {
    Position p = position_of(mark, Position{});
    if (mark.line >= 0) p.line += lines_.base + (mark.line >= lines_.cut ? lines_.shift : 0);
    return p;
  }

  /// False outside the first document: later ones are only parsed (and their start noted).
  bool building(const YAML::Mark& mark) {
    if (documents_ == 1) return true;
    if (!second_) second_ = at(mark);
    return false;
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, Node::Kind kind) {
    if (!building(mark)) return;
    begin_anchor(anchor);
    Frame f;
    f.node.kind = kind;
    f.node.pos = at(mark);
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    if (documents_ != 1) return;
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.merge) apply_merge_key(f);
    complete(std::move(f.node), f.anchor);
  }

  void begin_anchor(YAML::anchor_t anchor) {
    if (anchor == YAML::NullAnchor) return;
    if (anchors_.size() <= anchor) anchors_.resize(anchor + 1);
    anchors_[anchor] = Anchored{std::exchange(pending_anchor_name_, {}), false, Node{}, Size{}};
  }

  [[nodiscard]] std::string anchor_name(YAML::anchor_t anchor) const {
    return anchor < anchors_.size() ? anchors_[anchor].name : std::string();
  }

  /// Counts `size` more nodes and text held through anchors and aliases; past a bound,
  /// reports it at `at`, naming `what`, and stops reading.
  void charge(const Size& size, Position at, const std::string& what) {
    held_.nodes += size.nodes;
    held_.bytes += size.bytes;
    const bool too_many = held_.nodes > limits::max_alias_nodes;
    if (!too_many && held_.bytes <= limits::max_alias_bytes) return;
    const std::string bound = too_many ? fmt::format("{} nodes", limits::max_alias_nodes)
                                       : fmt::format("{} of text", bytes_text(limits::max_alias_bytes));
    sink_.error(at, fmt::format("{} expands past the bound of {} copied through anchors and aliases", what, bound),
                fmt::format("expected at most {} nodes and {} of text in all: each level of nested "
                            "aliases multiplies the copies",
                            limits::max_alias_nodes, bytes_text(limits::max_alias_bytes)));
    throw StopReading{};
  }

  /// A node is complete: keeps it for its aliases when anchored, and adds it to its parent
  /// (or makes it the root).
  void complete(Node node, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
      Anchored& a = anchors_[anchor];
      a.size = size_of(node);
      // The anchor's own copy counts too: nested anchors copy a large node once per level.
      charge(a.size, node.pos, fmt::format("anchor '&{}'", a.name));
      a.node = node;
      a.complete = true;
    }
    if (stack_.empty()) {
      root_ = std::move(node);
      return;
    }
    Frame& parent = stack_.back();
    if (parent.node.is_sequence()) {
      if (node.kind == Node::Kind::null) node.pos = parent.node.pos;
      parent.node.items.push_back(std::move(node));
      return;
    }
    if (!parent.has_key) {
      parent.has_key = true;
      parent.key_ok = node.is_scalar();
      parent.key_pos = node.pos;
      if (parent.key_ok) {
        parent.key = std::move(node.text);
        parent.key_plain = node.plain;
      } else {
        sink_.error(node.pos, fmt::format("a mapping key is {}", describe(node)),
                    "expected a plain key name");
      }
      return;
    }
    parent.has_key = false;
    if (!parent.key_ok) return;
    // A null value's own mark points past it, at the next token: use the key's.
    if (node.kind == Node::Kind::null) node.pos = parent.key_pos;
    add_entry(parent, Entry{std::move(parent.key), parent.key_pos, std::move(node)});
  }

  /// The index of `key` in the frame's mapping, if there.
  static std::optional<std::size_t> find_key(const Frame& f, const std::string& key) {
    if (f.node.entries.size() > indexed_from) {
      const auto it = f.index.find(key);
      if (it == f.index.end()) return std::nullopt;
      return it->second;
    }
    for (std::size_t i = 0; i < f.node.entries.size(); ++i) {
      if (f.node.entries[i].key == key) return i;
    }
    return std::nullopt;
  }

  void add_entry(Frame& f, Entry entry) {
    if (const auto first = find_key(f, entry.key)) {
      sink_.error(entry.key_pos, fmt::format("duplicate key '{}'", entry.key),
                  fmt::format("expected each key once in a mapping; first at line {}",
                              f.node.entries[*first].key_pos.line));
      return;
    }
    if (f.key_plain && entry.key == merge_key) f.merge = f.node.entries.size();
    f.node.entries.push_back(std::move(entry));
    const std::size_t n = f.node.entries.size();
    if (n == indexed_from + 1) {
      for (std::size_t i = 0; i < n; ++i) f.index.emplace(f.node.entries[i].key, i);
    } else if (n > indexed_from + 1) {
      f.index.emplace(f.node.entries.back().key, n - 1);
    }
  }

  /// Replaces the merge key of the frame's mapping by the entries of the mappings it names
  /// (YAML merge keys): keys written in the mapping itself win, and a mapping earlier in a
  /// sequence wins over a later one. Merged entries keep the positions where they were
  /// written, so that their errors point there.
  void apply_merge_key(Frame& f) {
    std::vector<Entry>& entries = f.node.entries;
    const auto at = static_cast<std::ptrdiff_t>(*f.merge);
    Node merged = std::move(entries[static_cast<std::size_t>(at)].value);
    entries.erase(entries.begin() + at);
    std::vector<Node*> sources;
    if (merged.is_mapping()) {
      sources.push_back(&merged);
    } else if (merged.is_sequence()) {
      for (Node& item : merged.items) {
        if (item.is_mapping()) {
          sources.push_back(&item);
        } else {
          sink_.error(item.pos, fmt::format("an item of '<<' is {}", describe(item)), merge_expected);
        }
      }
    } else {
      sink_.error(merged.pos, fmt::format("'<<' is {}", describe(merged)), merge_expected);
    }
    std::unordered_set<std::string> present;
    for (const Entry& e : entries) present.insert(e.key);
    for (Node* source : sources) {
      for (Entry& e : source->entries) {
        if (present.insert(e.key).second) entries.push_back(std::move(e));
      }
    }
  }

  Sink& sink_;
  LineMap lines_;
  int documents_ = 0;
  std::optional<Node> root_;
  std::optional<Position> second_;
  std::vector<Frame> stack_;
  std::vector<Anchored> anchors_;
  std::string pending_anchor_name_;
  Size held_;
};

/// Feeds every document of `text` to `builder`; yaml-cpp's exceptions and the builder's
/// StopReading pass through.
void parse_events(std::string_view text, TreeBuilder& builder) {
  TextBuffer buffer(text);
  std::istream in(&buffer);
  YAML::Parser parser(in);
  while (parser.HandleNextDocument(builder)) {
  }
}

/// Builds the tree of `text`, a piece of the file at `lines`, into `root`: false (and
/// nothing reported) if the piece meets any problem or is not one document.
bool parse_piece(std::string_view text, LineMap lines, std::optional<Node>& root) {
  Sink quiet{std::string()};
  TreeBuilder builder(quiet, lines);
  try {
    parse_events(text, builder);
  } catch (...) {
    return false;
  }
  if (quiet.has_errors() || builder.second_document() || !builder.root()) return false;
  root = std::move(builder.root());
  return true;
}

}  // namespace

std::optional<Node> parse_in_two_pieces(std::string_view text) {
  // The items of a block sequence that spans the middle (find_split) on a second thread,
  // the rest on this one.
  const std::optional<Split> sp = find_split(text);
  if (!sp) return std::nullopt;
  const std::string_view items = text.substr(sp->begin, sp->end - sp->begin);
  std::string rest;
  rest.reserve(text.size() - items.size());
  rest.append(text.substr(0, sp->begin)).append(text.substr(sp->end));

  std::optional<Node> items_root, rest_root;
  bool items_ok = false;
  std::thread worker;
  try {
    worker = std::thread([&] {
      items_ok = parse_piece(items, LineMap{sp->first_line, std::numeric_limits<int>::max(), 0}, items_root);
    });
  } catch (const std::system_error&) {
    return std::nullopt;  // no thread to be had: one piece
  }
  const bool rest_ok = parse_piece(rest, LineMap{0, sp->first_line, sp->lines}, rest_root);
  worker.join();
  if (!items_ok || !rest_ok || !rest_root->is_mapping() || !items_root->is_sequence() ||
      items_root->pos.line != sp->first_line + 1 || items_root->pos.column != sp->indent + 1) {
    return std::nullopt;
  }
  Node* seq = sequence_continued_at(*rest_root, text, sp->first_line + 1, sp->indent);
  if (seq == nullptr) return std::nullopt;
  for (Node& item : items_root->items) {
    // An empty item takes its sequence's position (TreeBuilder::complete).
    if (item.kind == Node::Kind::null) item.pos = seq->pos;
    seq->items.push_back(std::move(item));
  }
  return rest_root;
}

std::optional<Node> parse_document(std::string_view text, Sink& sink, std::size_t split_from) {
  if (!check_text(text, sink)) return std::nullopt;
  if (text.size() >= split_from && std::thread::hardware_concurrency() > 1) {
    if (std::optional<Node> root = parse_in_two_pieces(text)) return root;
  }
  TreeBuilder builder(sink);
  try {
    parse_events(text, builder);
  } catch (const YAML::ParserException& e) {
    report_syntax_error(e, text, sink);
    return std::nullopt;
  } catch (const StopReading&) {
    return std::nullopt;
  }
  if (builder.second_document()) {
    sink.error(*builder.second_document(), "a second YAML document",
               "expected one scenario per file");
    return std::nullopt;
  }
  std::optional<Node>& root = builder.root();
  if (!root || root->kind == Node::Kind::null) {
    sink.error(Position{}, "empty scenario", expected_document);
    return std::nullopt;
  }
  if (!root->is_mapping()) {
    sink.error(root->pos, fmt::format("the scenario is {}", describe(*root)), expected_document);
    return std::nullopt;
  }
  return std::move(root);
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
