#pragma once
/// @file
/// The live feed's hub (Boost.Beast websocket-chat-multi's `shared_state`): the set of live
/// screens. An event is built once as a `shared_ptr<const std::string>` (LiveViews, from what
/// ingest and the other parts hand it after they stored it) and every screen's queue holds the
/// same text. Each queue is capped: a screen that falls that far behind is told to reload and
/// then closed, so it never holds up the others or grows the server's memory. What other threads
/// hand over waits for the network thread in batches, also capped: a network thread that far
/// behind tells every screen to reload instead of queueing without end, and nothing waits for it
/// while no screen is live.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "live_session.hpp"

namespace anpr::receiver::web {

/// The set of live screens and the one way events reach them.
class LiveFeed {
 public:
  /// The text a screen that fell `queue_limit` messages behind receives before it is closed.
  static constexpr const char* kReload = R"({"type":"reload"})";

  LiveFeed(boost::asio::io_context& io, std::size_t queue_limit);

  /// Sends `messages` to every live screen, in order; callable from any thread (posted to the
  /// network thread as one job).
  void publish(std::vector<LiveMessage> messages);
  /// `publish` for a caller already on the network thread.
  void deliver(const LiveMessage& message);
  /// Network thread only.
  void join(const std::shared_ptr<LiveSession>& session);
  void leave(const std::shared_ptr<LiveSession>& session);
  /// Closes every screen for which `ended` is true (e.g. its login ended). Network thread only.
  void close_if(const std::function<bool(const LiveSession&)>& ended);
  /// The logins the live screens belong to. Network thread only.
  [[nodiscard]] std::set<std::string> session_tokens() const;
  /// False when no screen is live, so nothing needs building. Network thread only.
  [[nodiscard]] bool empty() const { return sessions_.empty(); }

  [[nodiscard]] std::int64_t live() const { return live_.load(); }
  [[nodiscard]] std::int64_t dropped() const { return dropped_.load(); }

 private:
  /// Every live screen is told to reload and closed (what it missed is in the store).
  void reload_all();

  boost::asio::io_context& io_;
  std::size_t queue_limit_;
  /// Messages posted to the network thread and not yet delivered; capped at one screen's queue.
  std::atomic<std::size_t> posted_{0};
  std::atomic<bool> overflowed_{false};
  std::set<std::shared_ptr<LiveSession>> sessions_;
  LiveMessage reload_;
  std::atomic<std::int64_t> live_{0}, dropped_{0};
};

}  // namespace anpr::receiver::web
