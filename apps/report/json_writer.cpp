#include "json_writer.hpp"

#include <array>
#include <cassert>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace vdc::report {

void JsonWriter::newline_indent() {
  out_ += '\n';
  out_.append(2 * stack_.size(), ' ');
}

void JsonWriter::before_value() {
  if (stack_.empty() || stack_.back().object) return;  // a key came before it
  Level& level = stack_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  newline_indent();
}

void JsonWriter::key(std::string_view k) {
  assert(!stack_.empty() && stack_.back().object);
  Level& level = stack_.back();
  if (!level.empty) out_ += ',';
  level.empty = false;
  newline_indent();
  string(k);
  out_ += ": ";
}

void JsonWriter::open(char c, bool object) {
  before_value();
  out_ += c;
  stack_.push_back({object, true});
}

void JsonWriter::close(char c) {
  assert(!stack_.empty());
  const bool empty = stack_.back().empty;
  stack_.pop_back();
  if (!empty) newline_indent();
  out_ += c;
}

void JsonWriter::string(std::string_view s) {
  // Runs of characters that need no escape are appended whole.
  const std::size_t start = out_.size();
  out_ += '"';
  std::size_t plain = 0;  // start of the run not yet appended
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') continue;
    if (ch >= 0x80) {
      // Past ASCII, nlohmann's own escaping (and its check of the UTF-8).
      out_.resize(start);
      out_ += nlohmann::json(std::string(s)).dump();
      return;
    }
    out_.append(s.data() + plain, i - plain);
    plain = i + 1;
    switch (ch) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default: out_ += fmt::format("\\u{:04x}", static_cast<unsigned>(ch));
    }
  }
  out_.append(s.data() + plain, s.size() - plain);
  out_ += '"';
}

void JsonWriter::value(std::string_view s) {
  before_value();
  string(s);
}

void JsonWriter::value(double x) {
  before_value();
  if (!std::isfinite(x)) {
    out_ += "null";
    return;
  }
  // nlohmann's serializer writes doubles with this function: the same digits, the same form.
  std::array<char, 64> buffer{};
  const char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  out_.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
}

void JsonWriter::value(std::int64_t n) {
  before_value();
  fmt::format_to(std::back_inserter(out_), "{}", n);
}

void JsonWriter::value(std::uint64_t n) {
  before_value();
  fmt::format_to(std::back_inserter(out_), "{}", n);
}

void JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
}

void JsonWriter::null() {
  before_value();
  out_ += "null";
}

}  // namespace vdc::report
