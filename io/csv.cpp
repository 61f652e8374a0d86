#include "vdc/io/csv.hpp"

#include <array>
#include <utility>

#include "vdc/io/read_error.hpp"

namespace vdc::io {

CsvReader::CsvReader(std::string_view text, std::string file, char delimiter)
    : text_(text), file_(std::move(file)), delimiter_(delimiter) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvReader::next_row(std::vector<std::string>& fields) {
  const std::size_t n = text_.size();
  // Blank lines separate nothing in the formats read here: skip them.
  while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
    if (text_[pos_] == '\n' || pos_ + 1 >= n || text_[pos_ + 1] != '\n') ++line_;
    ++pos_;
  }
  if (pos_ >= n) return false;
  row_line_ = line_;
  std::size_t count = 0;
  auto next_field = [&]() -> std::string& {
    if (count == fields.size()) fields.emplace_back();
    std::string& f = fields[count++];
    f.clear();
    return f;
  };
  while (true) {
    std::string& field = next_field();
    if (pos_ < n && text_[pos_] == '"') {
      const int quote_line = line_;
      ++pos_;
      while (true) {
        if (pos_ >= n) {
          throw ReadError(ReadProblem::csv, {file_, quote_line, static_cast<int>(count)},
                          "unterminated quoted field", "a closing '\"'");
        }
        const char c = text_[pos_++];
        if (c == '"') {
          if (pos_ < n && text_[pos_] == '"') {
            field.push_back('"');
            ++pos_;
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
      }
      if (pos_ < n && text_[pos_] != delimiter_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
        throw ReadError(ReadProblem::csv, {file_, line_, static_cast<int>(count)}, "text after a closing quote",
                        "the delimiter or the end of the row after a quoted field");
      }
    } else {
      const std::size_t start = pos_;
      while (pos_ < n && text_[pos_] != delimiter_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
        ++pos_;
      }
      field.assign(text_.substr(start, pos_ - start));
    }
    if (pos_ < n && text_[pos_] == delimiter_) {
      ++pos_;
      continue;
    }
    break;
  }
  if (pos_ < n && text_[pos_] == '\r') ++pos_;
  if (pos_ < n && text_[pos_] == '\n') ++pos_;
  ++line_;
  fields.resize(count);
  return true;
}

char detect_delimiter(std::string_view text) {
  constexpr std::array<char, 3> candidates{',', ';', '\t'};
  std::array<int, 3> counts{};
  bool quoted = false;
  for (const char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n') break;
    for (std::size_t i = 0; i < candidates.size(); ++i) {
      if (c == candidates[i]) ++counts[i];
    }
  }
  std::size_t best = 0;
  for (std::size_t i = 1; i < candidates.size(); ++i) {
    if (counts[i] > counts[best]) best = i;
  }
  return candidates[best];
}

}  // namespace vdc::io
