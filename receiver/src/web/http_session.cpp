#include "http_session.hpp"

#include <array>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include "live_session.hpp"

namespace anpr::receiver::web {
namespace {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

/// Beyond kMaxPendingLogins waiting for a password thread, a login is told to try again in a second.
constexpr std::size_t kMaxPendingLogins = 32;
constexpr std::uint64_t kMaxLoginBody = 4096;
/// What is dropped at most when a refused request's length is not known.
constexpr std::uint64_t kMaxDiscardedBody = 64ULL << 20;

/// The answer to a HEAD request: the GET answer's headers, its Content-Length included, and no
/// body (RFC 9110 9.3.2).
void without_body(Response& res) {
  if (res.find(http::field::content_length) == res.end()) res.content_length(res.body().size());
  res.body().clear();
}

bool is_analysis(const Request& req) {
  const std::string_view target(req.target().data(), req.target().size());
  // Long work goes to the analysis thread, so the I/O thread keeps serving: analyses, and
  // evidence packs (up to 200 sightings with their images).
  return (target.rfind("/api/analysis/", 0) == 0 && target.rfind("/api/analysis/sections", 0) != 0) ||
         target.rfind("/api/evidence-pack", 0) == 0;
}

bool is_login(const Request& req) { return req.method() == http::verb::post && req.target() == "/api/login"; }

/// A page or what it loads (held in memory: answered on the network thread, with its session as
/// session_of finds it); anything that may be an API call is not. An encoded path ('%') counts as an API
/// call: sent to the API threads by mistake, a page costs nothing, whereas an API call on the
/// network thread could stall it.
bool is_page(const Request& req) {
  std::string_view path(req.target().data(), req.target().size());
  path = path.substr(0, path.find('?'));
  if (path.find('%') != std::string_view::npos) return false;
  const auto start = path.find_first_not_of('/');
  if (start == std::string_view::npos) return true;
  return path.substr(start, path.find('/', start) - start) != "api";
}

/// Reads and drops what a refused client is still sending, up to `bytes` and for a few seconds,
/// before the connection closes. Closed with unread bytes, a socket is reset, and a client still
/// sending its body then loses the answer it was given (401, 413) and sees only the reset.
awaitable<void> discard_incoming(beast::tcp_stream& socket, std::uint64_t bytes) {
  constexpr auto kMaxLinger = std::chrono::seconds(5);
  socket.expires_after(kMaxLinger);
  std::array<char, 16 * 1024> sink{};
  beast::error_code ec;
  while (bytes > 0) {
    const auto n = co_await socket.async_read_some(net::buffer(sink), net::redirect_error(use_awaitable, ec));
    if (ec) break;
    bytes -= std::min<std::uint64_t>(bytes, n);
  }
}

/// One connection's requests. The request is copied into the coroutines that run elsewhere.
template <class Stream>
class HttpSession {
 public:
  HttpSession(ServerState& state, Stream stream, std::string client)
      : state_(state), stream_(std::move(stream)), client_(std::move(client)) {}

  awaitable<void> run();

 private:
  /// Reads the next request into `parser`; false when the connection is to end (answered or not).
  awaitable<bool> read_request(http::request_parser<http::string_body>& parser);
  /// The refusal of a request whose body is not to be read, or nullopt when it may be read.
  awaitable<std::optional<Response>> refuse_body(const http::request_parser<http::string_body>& parser);
  /// The session `req` carries: from the sessions' memory here, or on an API thread when only the
  /// store can tell (the first look after a restart, a session of another receiver, the
  /// once-a-minute note that it is in use), so the network thread never waits for the database.
  awaitable<std::optional<Session>> session_of(const Request& req);
  /// Runs on an API thread.
  awaitable<std::optional<Session>> find_session(std::string token) { co_return state_.sessions.find(token); }
  /// Answers a request that could not be read; the connection then ends.
  awaitable<void> answer_bad_request(beast::error_code ec,
                                     const http::request_parser<http::string_body>& parser);
  awaitable<Response> answer(const Request& req);
  /// Answers `req` on `pool`, unless `limit` calls are already running or waiting there
  /// (`pending` counts them): then 503, try again in a second, with `busy` as the reason.
  awaitable<Response> on_pool(net::thread_pool& pool, std::size_t& pending, std::size_t limit,
                              const Request& req, const char* busy);
  /// Runs on the analysis thread.
  awaitable<Response> analyse(Request req) { co_return state_.analysis_api.handle(req, client_); }
  /// Runs on a password or API thread; the API, the store, the sessions and the login limiter are
  /// safe to call from several threads.
  awaitable<Response> call_api(Request req) { co_return state_.api.handle(req, client_); }
  awaitable<void> close();

  ServerState& state_;
  Stream stream_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::uint64_t unread_body_ = 0;  ///< of a request refused before its body was read
};

template <class Stream>
awaitable<void> HttpSession<Stream>::run() {
  for (;;) {
    http::request_parser<http::string_body> parser;
    if (!co_await read_request(parser)) break;
    Request req = parser.release();
    ++state_.requests;
    if (websocket::is_upgrade(req)) {
      auto session = co_await session_of(req);
      co_await run_live_session(state_, std::move(stream_), std::move(req), std::move(session));
      co_return;
    }
    Response res = co_await answer(req);
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) without_body(res);
    beast::error_code ec;
    co_await http::async_write(stream_, res, net::redirect_error(use_awaitable, ec));
    if (ec || !res.keep_alive()) break;
  }
  co_await close();
}

template <class Stream>
awaitable<bool> HttpSession<Stream>::read_request(http::request_parser<http::string_body>& parser) {
  const WebSettings& settings = state_.settings;
  parser.header_limit(16 * 1024);
  parser.body_limit(settings.max_body_bytes);
  // The headers must arrive soon (an idle kept-alive connection waits here too), then the whole
  // request in time: a silent or trickling client is cut off and frees its place.
  beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(settings.header_timeout_s));
  beast::error_code ec;
  co_await http::async_read_header(stream_, buffer_, parser, net::redirect_error(use_awaitable, ec));
  if (!ec && !parser.is_done()) {
    if (auto refusal = co_await refuse_body(parser)) {
      refusal->keep_alive(false);
      co_await http::async_write(stream_, *refusal, net::redirect_error(use_awaitable, ec));
      unread_body_ = parser.content_length().value_or(0);
      co_return false;
    }
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(settings.request_timeout_s));
    co_await http::async_read(stream_, buffer_, parser, net::redirect_error(use_awaitable, ec));
  }
  if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
      ec == net::error::connection_reset || ec == net::error::operation_aborted) {
    co_return false;
  }
  if (ec) {
    co_await answer_bad_request(ec, parser);
    co_return false;
  }
  co_return true;
}

template <class Stream>
awaitable<std::optional<Response>> HttpSession<Stream>::refuse_body(
    const http::request_parser<http::string_body>& parser) {
  // A body is read only from someone who may send one: a login (small), or a request with a
  // session. Anyone else could make the server hold max_body_bytes per connection.
  if (is_login(parser.get())) {
    if (parser.content_length().value_or(0) > kMaxLoginBody)
      co_return plain_error(http::status::payload_too_large, "a login is a user name and a password");
    co_return std::nullopt;
  }
  const auto session = co_await session_of(parser.get());
  if (!session) co_return plain_error(http::status::unauthorized, "log in first");
  co_return std::nullopt;
}

template <class Stream>
awaitable<std::optional<Session>> HttpSession<Stream>::session_of(const Request& req) {
  const std::string token = WebApi::session_token(req);
  if (token.empty()) co_return std::nullopt;
  auto found = state_.sessions.find_in_memory(token);
  if (!found.needs_store) co_return std::move(found.session);
  co_return co_await net::co_spawn(state_.api_pool, find_session(token), use_awaitable);
}

template <class Stream>
awaitable<void> HttpSession<Stream>::answer_bad_request(
    beast::error_code ec, const http::request_parser<http::string_body>& parser) {
  const auto status = ec == http::error::body_limit     ? http::status::payload_too_large
                      : ec == http::error::header_limit ? http::status::request_header_fields_too_large
                                                        : http::status::bad_request;
  auto res = plain_error(status, "bad request: " + ec.message());
  // Refused on its declared length, so the length is all that was read (and Beast reports the
  // header as not done then): drop what follows, as much as that length at most, or the bounded
  // default when it cannot be told.
  if (ec == http::error::body_limit)
    unread_body_ = parser.is_header_done() ? parser.content_length().value_or(0) : kMaxDiscardedBody;
  co_await http::async_write(stream_, res, net::redirect_error(use_awaitable, ec));
}

template <class Stream>
awaitable<Response> HttpSession<Stream>::answer(const Request& req) {
  // Not a co_await inside ?: (GCC 12 miscompiles the temporaries of that form).
  // Only pages are answered here: whatever may reach the store runs elsewhere, so a slow
  // database never holds up the other connections and the live screens of this thread.
  Response res;
  if (is_analysis(req)) {
    res = co_await net::co_spawn(state_.analysis_io, analyse(req), use_awaitable);
  } else if (is_login(req)) {
    res = co_await on_pool(state_.password_pool, state_.pending_logins, kMaxPendingLogins, req,
                           "too many logins at once");
  } else if (is_page(req)) {
    auto session = co_await session_of(req);
    res = state_.api.handle(req, client_, std::move(session));
  } else {
    res = co_await on_pool(state_.api_pool, state_.pending_api_calls, state_.settings.max_api_calls, req,
                           "the server is busy");
  }
  co_return res;
}

template <class Stream>
awaitable<Response> HttpSession<Stream>::on_pool(net::thread_pool& pool, std::size_t& pending,
                                                 std::size_t limit, const Request& req, const char* busy) {
  if (pending >= limit) {
    auto res = plain_error(http::status::service_unavailable, std::string(busy) + ": try again in a second");
    res.set(http::field::retry_after, "1");
    co_return res;
  }
  ++pending;
  struct Done {  // counted down however the call ends, an exception included
    std::size_t& pending;
    ~Done() { --pending; }
  } done{pending};
  co_return co_await net::co_spawn(pool, call_api(req), use_awaitable);
}

template <class Stream>
awaitable<void> HttpSession<Stream>::close() {
  beast::error_code ignored;
  beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (unread_body_ > buffer_.size())
    co_await discard_incoming(beast::get_lowest_layer(stream_), unread_body_ - buffer_.size());
}

/// The TLS handshake (when configured), then the requests.
awaitable<void> serve(ServerState& state, tcp::socket socket, const std::string& client) {
  beast::tcp_stream stream(std::move(socket));
  if (!state.tls) {
    HttpSession<beast::tcp_stream> session(state, std::move(stream), client);
    co_await session.run();
    co_return;
  }
  beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *state.tls);
  beast::get_lowest_layer(secure).expires_after(std::chrono::seconds(state.settings.header_timeout_s));
  beast::error_code ec;
  co_await secure.async_handshake(ssl::stream_base::server, net::redirect_error(use_awaitable, ec));
  if (ec) co_return;
  HttpSession<beast::ssl_stream<beast::tcp_stream>> session(state, std::move(secure), client);
  co_await session.run();
}

}  // namespace

Response plain_error(http::status status, const std::string& message) {
  Response res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = nlohmann::json{{"error", message}}.dump();
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

awaitable<void> run_http_session(ServerState& state, tcp::socket socket, std::string client) {
  ++state.connections;
  try {
    co_await serve(state, std::move(socket), client);
  } catch (const std::exception& e) {
    spdlog::warn("web: connection from {} failed: {}", client, e.what());
  }
  --state.connections;
  if (--state.connections_from[client] == 0) state.connections_from.erase(client);
}

}  // namespace anpr::receiver::web
