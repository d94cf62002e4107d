#include "live_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "http_session.hpp"
#include "live_feed.hpp"
#include "server_state.hpp"

namespace anpr::receiver::web {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using net::awaitable;
using net::use_awaitable;

LiveSession::LiveSession(const net::any_io_executor& ex, std::string session_token,
                         std::function<void()> close_socket)
    : session_token_(std::move(session_token)),
      close_socket_(std::move(close_socket)),
      wake_(ex, std::chrono::steady_clock::time_point::max()),
      grace_(ex) {}

void LiveSession::push(LiveMessage message) {
  if (closing_ || closed_) return;
  queue_.push_back(std::move(message));
  wake_.cancel();
}

net::awaitable<LiveMessage> LiveSession::next() {
  for (;;) {
    if (closed_) co_return nullptr;
    if (!queue_.empty()) {
      LiveMessage message = std::move(queue_.front());
      queue_.pop_front();
      co_return message;
    }
    if (closing_) co_return nullptr;
    boost::system::error_code ec;
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await wake_.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

void LiveSession::close_after(LiveMessage reload, std::chrono::milliseconds grace) {
  if (closing_ || closed_) return;
  queue_.clear();
  queue_.push_back(std::move(reload));
  closing_ = true;
  wake_.cancel();
  // The writer may be stuck sending to a peer that reads nothing: it gets `grace` to finish.
  grace_.expires_after(grace);
  grace_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) close();
  });
}

void LiveSession::close() {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  close_socket_();
  wake_.cancel();
  grace_.cancel();
}

namespace {

/// Why a WebSocket request may not have the feed, or nullopt when it may.
std::optional<Response> refusal_of(const Request& req, const std::optional<Session>& session) {
  if (req.target() != "/api/live")
    return plain_error(http::status::not_found, "the live feed is at /api/live");
  if (!session) return plain_error(http::status::unauthorized, "log in first");
  if (!WebApi::same_origin(req))
    return plain_error(http::status::forbidden, "the live feed is for this server's own pages");
  return std::nullopt;
}

/// Sends what the screen's queue holds, one message at a time, until the session closes.
template <class WsStream>
awaitable<void> write_live(std::shared_ptr<WsStream> ws, std::shared_ptr<LiveSession> live) {
  beast::error_code ec;
  while (const LiveMessage message = co_await live->next()) {
    co_await ws->async_write(net::buffer(*message), net::redirect_error(use_awaitable, ec));
    if (ec) break;
  }
  // Ends the reader too: after an error, or once a screen told to reload has been told.
  live->close();
}

}  // namespace

template <class Stream>
awaitable<void> run_live_session(ServerState& state, Stream stream, Request req,
                                 std::optional<Session> session) {
  beast::error_code ec;
  if (auto refusal = refusal_of(req, session)) {
    co_await http::async_write(stream, *refusal, net::redirect_error(use_awaitable, ec));
    co_return;
  }
  auto ws = std::make_shared<websocket::stream<Stream>>(std::move(stream));
  beast::get_lowest_layer(*ws).expires_never();
  // Pings an idle peer and closes a dead one, so vanished screens do not pile up.
  ws->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws->read_message_max(4096);
  co_await ws->async_accept(req, net::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  ws->text(true);
  auto live = std::make_shared<LiveSession>(state.io.get_executor(), WebApi::session_token(req), [ws] {
    beast::error_code ignored;
    beast::get_lowest_layer(*ws).socket().close(ignored);
  });
  state.feed.join(live);
  live->push(std::make_shared<const std::string>(
      nlohmann::json{{"type", "hello"}, {"user", session->user}, {"role", to_string(session->role)}}.dump()));
  net::co_spawn(state.io, write_live(ws, live), net::detached);
  beast::flat_buffer buffer;
  while (!live->closed()) {
    co_await ws->async_read(buffer, net::redirect_error(use_awaitable, ec));
    if (ec) break;
    buffer.consume(buffer.size());  // the page sends nothing that needs an answer
  }
  live->close();
  state.feed.leave(live);
}

template awaitable<void> run_live_session(ServerState&, beast::tcp_stream, Request, std::optional<Session>);
template awaitable<void> run_live_session(ServerState&, beast::ssl_stream<beast::tcp_stream>, Request,
                                          std::optional<Session>);

}  // namespace anpr::receiver::web
