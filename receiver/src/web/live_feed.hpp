#pragma once
/// @file
/// The live feed's shared state (Boost.Beast websocket-chat-multi's `shared_state`): the set of
/// live screens and what each still has to be sent. An event is built once as a
/// `shared_ptr<const std::string>` and every screen's queue holds the same text. Each queue is
/// capped: a screen that falls that far behind is told to reload and then closed, so it never
/// holds up the others or grows the server's memory.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

namespace anpr::receiver::web {

/// One event of the live feed as the browser receives it (JSON text), shared by every screen.
using LiveMessage = std::shared_ptr<const std::string>;

/// One live screen's outgoing side: its queue, and a wait its one writer sleeps on. Used on the
/// network thread only.
class LiveSession {
 public:
  /// `close_socket` ends the connection (the reader then sees an error and leaves the feed).
  LiveSession(const boost::asio::any_io_executor& ex, std::string session_token,
              std::function<void()> close_socket);

  /// The login this screen belongs to (its feed ends with the login).
  [[nodiscard]] const std::string& session_token() const { return session_token_; }
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] bool closed() const { return closed_; }

  /// Queues a message for the writer (nothing once closing or closed).
  void push(LiveMessage message);
  /// The next message to send, waiting for one; nullptr when the writer should stop.
  boost::asio::awaitable<LiveMessage> next();
  /// Drops what is queued, queues `reload` alone, and closes after it is sent or after `grace`,
  /// whichever comes first: a screen too far behind reloads rather than shows a gap.
  void close_after(LiveMessage reload, std::chrono::milliseconds grace);
  /// Closes the connection now and wakes the writer so it ends.
  void close();

 private:
  std::string session_token_;
  std::function<void()> close_socket_;
  std::deque<LiveMessage> queue_;
  boost::asio::steady_timer wake_;   ///< cancelled to wake the writer
  boost::asio::steady_timer grace_;  ///< closes a screen told to reload that does not take it
  bool closing_ = false, closed_ = false;
};

/// The set of live screens and the one way events reach them.
class LiveFeed {
 public:
  /// The text a screen that fell `queue_limit` messages behind receives before it is closed.
  static constexpr const char* kReload = R"({"type":"reload"})";

  LiveFeed(boost::asio::io_context& io, std::size_t queue_limit);

  /// Sends `message` to every live screen; callable from any thread (posted to the network thread).
  void publish(LiveMessage message);
  /// `publish` for a caller already on the network thread.
  void deliver(const LiveMessage& message);
  /// Network thread only.
  void join(const std::shared_ptr<LiveSession>& session);
  void leave(const std::shared_ptr<LiveSession>& session);
  /// Closes every screen for which `ended` is true (e.g. its login ended). Network thread only.
  void close_if(const std::function<bool(const LiveSession&)>& ended);
  /// False when no screen is live, so nothing needs building. Network thread only.
  [[nodiscard]] bool empty() const { return sessions_.empty(); }

  [[nodiscard]] std::int64_t live() const { return live_.load(); }
  [[nodiscard]] std::int64_t dropped() const { return dropped_.load(); }

 private:
  boost::asio::io_context& io_;
  std::size_t queue_limit_;
  std::set<std::shared_ptr<LiveSession>> sessions_;
  LiveMessage reload_;
  std::atomic<std::int64_t> live_{0}, dropped_{0};
};

}  // namespace anpr::receiver::web
