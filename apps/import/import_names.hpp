#pragma once
/// Names and text of an RVTools export made fit for a scenario: valid UTF-8 without control
/// characters, no '/' or braces in names (they would read as a name range), unique names
/// with a note for each renaming, and lower-case slugs for profile and scenario names.

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vdc::import::detail {

/// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one (Unicode 15,
/// table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF).
[[nodiscard]] std::size_t utf8_length(std::string_view s, std::size_t i);

/// `text` as valid UTF-8 without control characters (each bad byte becomes '?', each
/// control character a space): what a YAML scenario can hold.
[[nodiscard]] std::string clean_text(std::string_view text);

/// `name` as the scenario format allows it: clean_text without '/' and braces (they would
/// read as a name range).
[[nodiscard]] std::string scenario_name(std::string_view name);

/// Lower-case words of `text` joined by '-': a profile or scenario name.
[[nodiscard]] std::string slug(std::string_view text);

/// Gives unique scenario names to one kind of entity, noting every change.
class NameBook {
 public:
  NameBook(std::string kind, std::vector<std::string>& notes) : kind_(std::move(kind)), notes_(notes) {}
  /// `original` as a unique scenario name; a note says when it had to change.
  std::string add(const std::string& original);

 private:
  std::string kind_;
  std::vector<std::string>& notes_;
  std::set<std::string> used_;
};

}  // namespace vdc::import::detail
