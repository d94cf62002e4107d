#pragma once
// One live screen (chat-multi's `websocket_session`): the WebSocket of /api/live, its bounded
// queue in the live feed, and the one writer that drains it. The feed (live_feed.hpp) is the
// shared state that queues each event for every live session.

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/web/web_api.hpp"

namespace anpr::receiver::web {

struct ServerState;

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

/// Takes over a connection whose request `req` (of `session`, found by the HTTP session) asked for
/// a WebSocket: refuses anything but /api/live from a signed-in page of this server, then joins
/// the feed until the screen goes.
/// `Stream` is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream> (instantiated in
/// live_session.cpp). Network thread.
template <class Stream>
boost::asio::awaitable<void> run_live_session(ServerState& state, Stream stream, Request req,
                                              std::optional<Session> session);

}  // namespace anpr::receiver::web
