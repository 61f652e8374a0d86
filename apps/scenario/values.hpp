#pragma once
/// Typed reading of YAML values: integers, booleans, names, choices and the quantities of
/// the scenario contract (through the sim/units.hpp parsers), each reporting what was wrong
/// and what was expected at the value's position.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sink.hpp"
#include "suggest.hpp"
#include "vdc/scenario/keys.hpp"
#include "vdc/sim/time.hpp"
#include "yaml_tree.hpp"

namespace vdc::scenario::detail {

/// Accepted range of a real value, in its base unit, and how to say it to the user.
struct Bounds {
  double min = 0.0;
  double max = 0.0;
  bool min_exclusive = false;  ///< true: the value must be greater than `min`
  std::string_view expected;   ///< e.g. "expected a size from 4 MiB to 24 TiB"
};

/// One accepted spelling of an enumerated value.
template <class E>
struct Choice {
  std::string_view name;  ///< as written in a scenario
  E value;                ///< what it means
};

/// The scalar text of `node`, or a type error naming `key` and saying `expected`.
[[nodiscard]] const std::string* scalar_text(Sink& sink, std::string_view key, const Node& node,
                                             std::string_view expected);
/// A whole number in [min, max].
[[nodiscard]] std::optional<std::int64_t> read_integer(Sink& sink, std::string_view key,
                                                       const Node& node, std::int64_t min,
                                                       std::int64_t max);
/// A whole number in [0, 2^64 - 1] (the seed).
[[nodiscard]] std::optional<std::uint64_t> read_unsigned(Sink& sink, std::string_view key,
                                                         const Node& node);
/// A real number within `bounds`.
[[nodiscard]] std::optional<double> read_real(Sink& sink, std::string_view key, const Node& node,
                                              const Bounds& bounds);
/// true or false.
[[nodiscard]] std::optional<bool> read_bool(Sink& sink, std::string_view key, const Node& node);
/// Any scalar text.
[[nodiscard]] std::optional<std::string> read_text(Sink& sink, std::string_view key,
                                                   const Node& node, std::string_view expected);
/// An entity name: non-empty, without '/' (which separates host and NIC in events).
[[nodiscard]] std::optional<std::string> read_name(Sink& sink, std::string_view key,
                                                   const Node& node);
/// A memory size in MiB ("16 GiB") within `bounds`.
[[nodiscard]] std::optional<double> read_memory(Sink& sink, std::string_view key,
                                                const Node& node, const Bounds& bounds);
/// A frequency in MHz ("2.4 GHz") within `bounds`.
[[nodiscard]] std::optional<double> read_frequency(Sink& sink, std::string_view key,
                                                   const Node& node, const Bounds& bounds);
/// A bandwidth in Mbps ("10 Gbps") within `bounds`.
[[nodiscard]] std::optional<double> read_bandwidth(Sink& sink, std::string_view key,
                                                   const Node& node, const Bounds& bounds);
/// A fraction in [0, 1] ("35%" or "0.35").
[[nodiscard]] std::optional<double> read_fraction(Sink& sink, std::string_view key,
                                                  const Node& node);
/// `node` itself when it is a sequence; otherwise null, after reporting "'<key>' is <kind>"
/// with `expected`.
[[nodiscard]] const Node* read_sequence(Sink& sink, std::string_view key, const Node& node,
                                        std::string_view expected);
/// A duration ("20s") within `bounds` (in seconds).
[[nodiscard]] std::optional<sim::Time> read_duration(Sink& sink, std::string_view key,
                                                     const Node& node, const Bounds& bounds);

/// Reports "bad value '<text>' for '<key>'" with `expected` and an optional suggestion.
void bad_value(Sink& sink, std::string_view key, const Node& node, std::string_view expected,
               std::string_view suggestion = {});

/// One of `choices`, suggesting the closest spelling when the value is none of them.
template <class E>
[[nodiscard]] std::optional<E> read_choice(Sink& sink, std::string_view key, const Node& node,
                                           std::span<const Choice<E>> choices);

/// A YAML mapping read against a KeySet: reports when the node is not a mapping, and every
/// key the set does not hold (with a suggestion).
class MapView {
 public:
  /// Views `node`, named `label` in a type error ("'cpu'", "a hosts entry"). With
  /// `check_keys` false, unknown keys are left to whoever checked the entry before merging.
  MapView(Sink& sink, const Node& node, const KeySet& keys, std::string_view label,
          bool check_keys = true);

  /// True when the node is a mapping.
  [[nodiscard]] bool valid() const { return valid_; }
  /// The value of `key`, or null.
  [[nodiscard]] const Node* get(std::string_view key) const;
  /// The entry of `key` (with the key's position), or null.
  [[nodiscard]] const Entry* entry(std::string_view key) const;
  /// The value of `key`; when absent, reports it missing (at the mapping) and returns null.
  const Node* require(std::string_view key, std::string_view expected) const;
  // Each accessor below reads `key` when present with the read_* function of the same
  // type; it returns null when the key is absent or its value invalid (error reported).

  /// read_integer() of `key`.
  [[nodiscard]] std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                                    std::int64_t max) const;
  /// read_real() of `key`.
  [[nodiscard]] std::optional<double> real(std::string_view key, const Bounds& bounds) const;
  /// read_bool() of `key`.
  [[nodiscard]] std::optional<bool> boolean(std::string_view key) const;
  /// read_text() of `key`.
  [[nodiscard]] std::optional<std::string> text(std::string_view key,
                                                std::string_view expected) const;
  /// read_memory() of `key`, MiB.
  [[nodiscard]] std::optional<double> memory(std::string_view key, const Bounds& bounds) const;
  /// read_frequency() of `key`, MHz.
  [[nodiscard]] std::optional<double> frequency(std::string_view key,
                                                const Bounds& bounds) const;
  /// read_bandwidth() of `key`, Mbps.
  [[nodiscard]] std::optional<double> bandwidth(std::string_view key,
                                                const Bounds& bounds) const;
  /// read_fraction() of `key`.
  [[nodiscard]] std::optional<double> fraction(std::string_view key) const;
  /// read_duration() of `key`.
  [[nodiscard]] std::optional<sim::Time> duration(std::string_view key,
                                                  const Bounds& bounds) const;
  /// read_choice() of `key`.
  template <class E>
  [[nodiscard]] std::optional<E> choice(std::string_view key,
                                        std::span<const Choice<E>> choices) const {
    const Node* v = get(key);
    return v != nullptr ? read_choice<E>(sink_, key, *v, choices) : std::nullopt;
  }

  /// Where the mapping starts.
  [[nodiscard]] Position pos() const { return node_.pos; }
  /// The mapping itself.
  [[nodiscard]] const Node& node() const { return node_; }
  /// The sink errors go to.
  [[nodiscard]] Sink& sink() const { return sink_; }

 private:
  Sink& sink_;
  const Node& node_;
  const KeySet& keys_;
  bool valid_ = false;
};

/// Stores `value` into `target` when there is one.
template <class T, class U>
void assign(const std::optional<U>& value, T& target) {
  if (value) target = static_cast<T>(*value);
}

template <class E>
std::optional<E> read_choice(Sink& sink, std::string_view key, const Node& node,
                             std::span<const Choice<E>> choices) {
  // The happy path compares names only; the message and suggestion are built on error.
  if (node.is_scalar()) {
    for (const Choice<E>& c : choices) {
      if (c.name == node.text) return c.value;
    }
  }
  std::string expected = "expected one of: ";
  Suggestion suggestion(node.text);
  for (const Choice<E>& c : choices) {
    if (&c != choices.data()) expected += ", ";
    expected += c.name;
    suggestion.offer(c.name);
  }
  const std::string* text = scalar_text(sink, key, node, expected);
  if (text == nullptr) return std::nullopt;
  bad_value(sink, key, node, expected, suggestion.best());
  return std::nullopt;
}

}  // namespace vdc::scenario::detail
