#pragma once
/// "Did you mean" suggestions: the known name closest to a misspelt one.

#include <cstddef>
#include <string>
#include <string_view>

namespace vdc::scenario::detail {

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), comparing
/// ASCII letters case-insensitively.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// Keeps the best candidate seen for `word`: at most 2 edits away, and at most a third of
/// the word's length rounded (at least 1), so that short names do not suggest unrelated
/// ones. Ties go to the first candidate offered.
class Suggestion {
 public:
  /// Suggestions for `word`.
  explicit Suggestion(std::string_view word) : word_(word) {}
  /// Considers `candidate`.
  void offer(std::string_view candidate);
  /// The closest candidate within reach, or empty.
  [[nodiscard]] const std::string& best() const { return best_; }

 private:
  std::string word_;
  std::string best_;
  std::size_t best_distance_ = 0;
};

/// The closest name of `names` (any range of string-like values) to `word`, or empty.
template <class Range>
[[nodiscard]] std::string closest(std::string_view word, const Range& names) {
  Suggestion s(word);
  for (const auto& n : names) s.offer(n);
  return s.best();
}

}  // namespace vdc::scenario::detail
