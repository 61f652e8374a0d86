#pragma once
/// Typed signals: an observer connects a handler to a signal once, a publisher emits
/// events into it, and the handlers run at once, in the order they were connected
/// (SimGrid's xbt::signal shape). A SignalBus holds one signal per event type, created on
/// first use, so publishers and observers meet at the type without naming each other.
/// Look a signal up once and keep the reference: emit() itself does no look-up.

#include <functional>
#include <map>
#include <memory>
#include <typeindex>
#include <utility>
#include <vector>

namespace vdc::sim {

/// A broadcast of `Event` values to the connected handlers.
template <typename Event>
class Signal {
 public:
  using Handler = std::function<void(const Event&)>;

  /// Adds a handler, run after the ones connected before it.
  void connect(Handler handler) { handlers_.push_back(std::move(handler)); }
  /// Runs every handler with `event`.
  void emit(const Event& event) const {
    for (const Handler& h : handlers_) h(event);
  }
  /// True when at least one handler is connected.
  [[nodiscard]] bool connected() const { return !handlers_.empty(); }

 private:
  std::vector<Handler> handlers_;
};

/// One Signal per event type.
class SignalBus {
 public:
  /// The signal of `Event`, created empty on first use; the reference stays valid as long
  /// as the bus.
  template <typename Event>
  Signal<Event>& get() {
    std::unique_ptr<Channel>& slot = channels_[std::type_index(typeid(Event))];
    if (!slot) slot = std::make_unique<Typed<Event>>();
    return static_cast<Typed<Event>&>(*slot).signal;
  }

 private:
  struct Channel {
    virtual ~Channel() = default;
  };
  template <typename Event>
  struct Typed final : Channel {
    Signal<Event> signal;
  };
  std::map<std::type_index, std::unique_ptr<Channel>> channels_;
};

}  // namespace vdc::sim
