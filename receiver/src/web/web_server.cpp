#include "anpr/receiver/web/web_server.hpp"

#include <map>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/log_throttle.hpp"
#include "json_views.hpp"
#include "live_feed.hpp"

namespace anpr::receiver::web {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::awaitable;
using net::use_awaitable;

// Late commits: a hit or read may become visible a little after newer ones, so the live feed
// looks back this far every time and remembers what it already sent.
constexpr TimestampMs kFeedLookbackMs = 3000;
// Password checks (Argon2id: tens of milliseconds and 64 MiB each, on purpose) run on their own
// threads, so a burst of logins never holds up the live feed or a search. Two threads bound the
// memory to 128 MiB; beyond kMaxPendingLogins waiting, a login is told to try again in a second.
constexpr std::size_t kPasswordThreads = 2;
constexpr int kMaxPendingLogins = 32;
constexpr std::uint64_t kMaxLoginBody = 4096;
constexpr std::size_t kReadsPerTick = 20;  // the ticker shows a sample when reads come faster

/// Events the feed has sent recently, so a look-back does not send them twice.
class SeenSet {
 public:
  bool insert(const std::string& id, TimestampMs at) {
    if (!ids_.emplace(id, at).second) return false;
    return true;
  }
  void forget_before(TimestampMs at) {
    std::erase_if(ids_, [&](const auto& e) { return e.second < at; });
  }

 private:
  std::unordered_map<std::string, TimestampMs> ids_;
};

http::response<http::string_body> plain_error(http::status status, const std::string& message) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "application/json");
  res.body() = nlohmann::json{{"error", message}}.dump();
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

/// The answer to a HEAD request: the GET answer's headers, its Content-Length included, and no
/// body (RFC 9110 9.3.2).
void without_body(http::response<http::string_body>& res) {
  if (res.find(http::field::content_length) == res.end()) res.content_length(res.body().size());
  res.body().clear();
}

/// A thread running `io` until it is stopped: one request's failure must not end the server.
std::thread run_thread(net::io_context& io, const char* what) {
  return std::thread([&io, what] {
    for (;;) {
      try {
        io.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("{}: {}", what, e.what());
      }
    }
  });
}

}  // namespace

struct WebServer::Impl {
  Impl(Store& s, Store& analysis_store, WebSettings w)
      : store(s),
        settings(std::move(w)),
        sessions(&store),
        api(store, sessions, limiter, settings, [this](std::string e) { broadcast(std::move(e)); }),
        analysis_api(analysis_store, sessions, limiter, settings,
                     [this](std::string e) { broadcast(std::move(e)); }) {}

  Store& store;
  WebSettings settings;
  SessionManager sessions;
  LoginLimiter limiter;
  WebApi api;
  // Analyses read up to millions of rows: they run one at a time on their own thread and store
  // connection, so the network thread (live feed, searches, acknowledgements) never waits for one.
  WebApi analysis_api;
  net::io_context analysis_io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> analysis_work;
  std::thread analysis_thread;
  net::io_context io{1};
  // After `io`, so it goes first: a login still queued at shutdown must not outlive `io`.
  net::thread_pool password_pool{kPasswordThreads};
  int pending_logins = 0;  // network thread only
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor{io};
  LiveFeed feed{io, settings.max_queued_messages};
  std::size_t connections = 0;
  std::map<std::string, std::size_t> connections_from;  // per client address, network thread only
  LogThrottle refusals{std::chrono::seconds(10)};       // a flood of connections is one log line in 10 s
  std::atomic<std::int64_t> requests{0}, refused{0};
  std::thread thread;
  unsigned short bound_port = 0;
  TimestampMs hits_since = now_ms(), reads_since = now_ms(), faults_since = now_ms();
  SeenSet hits_seen, reads_seen, faults_seen;
  int ticks = 0;

  void listen() {
    if (settings.tls()) {
      tls.emplace(ssl::context::tls_server);
      tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      try {
        tls->use_certificate_chain_file(settings.cert_file);
        tls->use_private_key_file(settings.key_file, ssl::context::pem);
      } catch (const std::exception& e) {
        throw Error(ErrorCode::kConfig, "web TLS: cannot use certificate " + settings.cert_file +
                                            " with key " + settings.key_file + ": " + e.what());
      }
    }
    beast::error_code ec;
    const auto address = net::ip::make_address(settings.address, ec);
    if (ec) throw Error(ErrorCode::kConfig, "web address '" + settings.address + "' is not an IP address");
    const tcp::endpoint endpoint(address, settings.port);
    const std::string where = settings.address + ":" + std::to_string(settings.port);
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) throw Error(ErrorCode::kConfig, "cannot serve the web pages on " + where + ": " + ec.message());
    bound_port = acceptor.local_endpoint().port();
  }

  awaitable<void> accept_loop() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(net::redirect_error(use_awaitable, ec));
      if (ec == net::error::operation_aborted) co_return;
      if (ec) continue;
      const auto remote = socket.remote_endpoint(ec);
      const std::string address = ec ? "unknown" : remote.address().to_string();
      if (connections >= settings.max_connections ||
          connections_from[address] >= settings.max_connections_per_address) {
        ++refused;
        if (const auto held_back = refusals.occurred(LogThrottle::Clock::now())) {
          const bool total = connections >= settings.max_connections;
          spdlog::warn(
              "web: connection from {} refused: {} connections {} (web.{}){}", address,
              total ? connections : connections_from[address], total ? "in all" : "from that address",
              total ? "max_connections" : "max_connections_per_address",
              *held_back > 0 ? fmt::format("; {} more refused since the last message", *held_back) : "");
        }
        if (connections_from[address] == 0) connections_from.erase(address);
        socket.close(ec);
        continue;
      }
      ++connections_from[address];
      net::co_spawn(io, serve(std::move(socket), address), net::detached);
    }
  }

  awaitable<void> serve(tcp::socket socket, std::string client) {
    ++connections;
    beast::error_code ec;
    beast::tcp_stream stream(std::move(socket));
    try {
      if (tls) {
        beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
        beast::get_lowest_layer(secure).expires_after(std::chrono::seconds(settings.header_timeout_s));
        co_await secure.async_handshake(ssl::stream_base::server, net::redirect_error(use_awaitable, ec));
        if (!ec) co_await serve_http(std::move(secure), client);
      } else {
        co_await serve_http(std::move(stream), client);
      }
    } catch (const std::exception& e) {
      spdlog::warn("web: connection from {} failed: {}", client, e.what());
    }
    --connections;
    if (--connections_from[client] == 0) connections_from.erase(client);
  }

  static bool is_analysis(const Request& req) {
    const std::string_view target(req.target().data(), req.target().size());
    // Long work goes to the analysis thread, so the I/O thread keeps serving: analyses, and
    // evidence packs (up to 200 sightings with their images).
    return (target.rfind("/api/analysis/", 0) == 0 && target.rfind("/api/analysis/sections", 0) != 0) ||
           target.rfind("/api/evidence-pack", 0) == 0;
  }

  // Runs on the analysis thread (the request is copied into the coroutine's frame).
  awaitable<Response> analyse(Request req, std::string client) { co_return analysis_api.handle(req, client); }

  static bool is_login(const Request& req) {
    return req.method() == http::verb::post && req.target() == "/api/login";
  }

  // Runs on a password thread; the API, the store, the sessions and the login limiter are safe to
  // call from several threads.
  awaitable<Response> check_login(Request req, std::string client) { co_return api.handle(req, client); }

  awaitable<Response> login(const Request& req, const std::string& client) {
    if (pending_logins >= kMaxPendingLogins) {
      auto res =
          plain_error(http::status::service_unavailable, "too many logins at once: try again in a second");
      res.set(http::field::retry_after, "1");
      co_return res;
    }
    ++pending_logins;
    struct Done {  // counted down however the login ends, an exception included
      int& pending;
      ~Done() { --pending; }
    } done{pending_logins};
    co_return co_await net::co_spawn(password_pool, check_login(req, client), use_awaitable);
  }

  template <class Stream>
  awaitable<void> serve_http(Stream stream, std::string client) {
    beast::flat_buffer buffer;
    std::uint64_t unread_body = 0;  // of a request refused before its body was read
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(16 * 1024);
      parser.body_limit(settings.max_body_bytes);
      // The headers must arrive soon (an idle kept-alive connection waits here too), then the
      // whole request in time: a silent or trickling client is cut off and frees its place.
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(settings.header_timeout_s));
      beast::error_code ec;
      co_await http::async_read_header(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
      if (!ec && !parser.is_done()) {
        // A body is read only from someone who may send one: a login (small), or a request with a
        // session. Anyone else could make the server hold max_body_bytes per connection.
        std::optional<Response> refusal;
        if (is_login(parser.get())) {
          if (parser.content_length().value_or(0) > kMaxLoginBody) {
            refusal = plain_error(http::status::payload_too_large, "a login is a user name and a password");
          } else {
            parser.body_limit(kMaxLoginBody);
          }
        } else if (!api.session_of(parser.get())) {
          refusal = plain_error(http::status::unauthorized, "log in first");
        }
        if (refusal) {
          refusal->keep_alive(false);
          co_await http::async_write(stream, *refusal, net::redirect_error(use_awaitable, ec));
          unread_body = parser.content_length().value_or(0);
          break;
        }
        beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(settings.request_timeout_s));
        co_await http::async_read(stream, buffer, parser, net::redirect_error(use_awaitable, ec));
      }
      if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::eof ||
          ec == net::error::connection_reset || ec == net::error::operation_aborted) {
        break;
      }
      if (ec) {
        const auto status = ec == http::error::body_limit     ? http::status::payload_too_large
                            : ec == http::error::header_limit ? http::status::request_header_fields_too_large
                                                              : http::status::bad_request;
        auto res = plain_error(status, "bad request: " + ec.message());
        // Refused on its declared length, so the length is all that was read (and Beast reports
        // the header as not done then): drop what follows, as much as that length at most, or
        // the bounded default when it cannot be told.
        if (ec == http::error::body_limit) {
          unread_body = parser.is_header_done() ? parser.content_length().value_or(0) : kMaxDiscardedBody;
        }
        co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
        break;
      }
      Request req = parser.release();
      ++requests;
      if (websocket::is_upgrade(req)) {
        co_await serve_live(std::move(stream), std::move(req));
        co_return;
      }
      // Not a co_await inside ?: (GCC 12 miscompiles the temporaries of that form).
      Response res;
      if (is_analysis(req))
        res = co_await net::co_spawn(analysis_io, analyse(req, client), use_awaitable);
      else if (is_login(req))
        res = co_await login(req, client);
      else
        res = api.handle(req, client);
      res.keep_alive(req.keep_alive());
      if (req.method() == http::verb::head) without_body(res);
      co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    beast::error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (unread_body > buffer.size())
      co_await discard_incoming(beast::get_lowest_layer(stream), unread_body - buffer.size());
  }

  /// What is dropped at most when a refused request's length is not known.
  static constexpr std::uint64_t kMaxDiscardedBody = 64ULL << 20;

  /// Reads and drops what a refused client is still sending, up to `bytes` and for a few seconds,
  /// before the connection closes. Closed with unread bytes, a socket is reset, and a client still
  /// sending its body then loses the answer it was given (401, 413) and sees only the reset.
  static awaitable<void> discard_incoming(beast::tcp_stream& socket, std::uint64_t bytes) {
    constexpr auto kMaxLinger = std::chrono::seconds(5);
    socket.expires_after(kMaxLinger);
    std::array<char, 16 * 1024> sink{};
    beast::error_code ec;
    while (bytes > 0) {
      const auto n =
          co_await socket.async_read_some(net::buffer(sink), net::redirect_error(use_awaitable, ec));
      if (ec) break;
      bytes -= std::min<std::uint64_t>(bytes, n);
    }
  }

  template <class Stream>
  awaitable<void> serve_live(Stream stream, Request req) {
    beast::error_code ec;
    std::optional<Response> refusal;
    const auto session = api.session_of(req);
    if (req.target() != "/api/live") {
      refusal = plain_error(http::status::not_found, "the live feed is at /api/live");
    } else if (!session) {
      refusal = plain_error(http::status::unauthorized, "log in first");
    } else if (!WebApi::same_origin(req)) {
      refusal = plain_error(http::status::forbidden, "the live feed is for this server's own pages");
    }
    if (refusal) {
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
    auto live = std::make_shared<LiveSession>(io.get_executor(), WebApi::session_token(req), [ws] {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws).socket().close(ignored);
    });
    feed.join(live);
    live->push(std::make_shared<const std::string>(nlohmann::json{
        {"type", "hello"},
        {"user", session->user},
        {"role", to_string(session->role)}}.dump()));
    net::co_spawn(io, write_live(ws, live), net::detached);
    beast::flat_buffer buffer;
    while (!live->closed()) {
      co_await ws->async_read(buffer, net::redirect_error(use_awaitable, ec));
      if (ec) break;
      buffer.consume(buffer.size());  // the page sends nothing that needs an answer
    }
    live->close();
    feed.leave(live);
  }

  template <class WsStream>
  static awaitable<void> write_live(std::shared_ptr<WsStream> ws, std::shared_ptr<LiveSession> live) {
    beast::error_code ec;
    while (const LiveMessage message = co_await live->next()) {
      co_await ws->async_write(net::buffer(*message), net::redirect_error(use_awaitable, ec));
      if (ec) break;
    }
    // Ends the reader too: after an error, or once a screen told to reload has been told.
    live->close();
  }

  void deliver(std::string event) { feed.deliver(std::make_shared<const std::string>(std::move(event))); }

  // Taken by value and moved into the shared message (clang-tidy 14 misses the move in a capture).
  void broadcast(std::string event) {  // NOLINT(performance-unnecessary-value-param)
    feed.publish(std::make_shared<const std::string>(std::move(event)));
  }

  awaitable<void> poll_loop() {
    net::steady_timer timer(io);
    for (;;) {
      timer.expires_after(std::chrono::milliseconds(settings.poll_ms));
      beast::error_code ec;
      co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
      if (ec) co_return;
      try {
        housekeeping();
        poll_once();
      } catch (const std::exception& e) {
        if (ticks % 40 == 0) spdlog::error("web: live feed cannot read the store: {}", e.what());
      }
      ++ticks;
    }
  }

  // New hits and reads since the last look, to every live client; sessions that ended lose
  // their feed.
  void housekeeping() {
    if (ticks % 40 == 0) {
      // Users changed by `anpr-receiver user` (another process) lose their sessions here.
      std::map<std::string, std::optional<UserRecord>> users;
      sessions.revalidate([&](const Session& s) {
        auto it = users.find(s.user);
        if (it == users.end()) it = users.emplace(s.user, store.user(s.user)).first;
        const auto& u = it->second;
        return u && !u->disabled && u->password_hash == s.credential && parse_role(u->role) == s.role;
      });
    }
    if (ticks % 8 == 0)
      feed.close_if([this](const LiveSession& s) { return !sessions.find(s.session_token()); });
  }

  void poll_once() {
    const TimestampMs now = now_ms();
    if (feed.empty()) {
      hits_since = reads_since = faults_since = now;
      return;
    }
    auto hits = store.hits(hits_since - kFeedLookbackMs, std::nullopt, 500);
    if (!hits.empty()) {
      const CameraDirectory cameras(store.cameras());
      const ListColours colours(store);
      for (auto it = hits.rbegin(); it != hits.rend(); ++it) {
        hits_since = std::max(hits_since, it->created_at);
        if (!hits_seen.insert(it->hit.hit_id, it->created_at)) continue;
        deliver(nlohmann::json{{"type", "hit"}, {"hit", hit_json(*it, cameras, colours)}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
    hits_seen.forget_before(hits_since - 2 * kFeedLookbackMs);
    // By arrival on the receiver's clock: a camera whose clock runs ahead (a capture time in the
    // future) must not hold back every read after it.
    for (const Sighting& read :
         store.reads_arrived(reads_since - kFeedLookbackMs, static_cast<int>(kReadsPerTick))) {
      reads_since = std::max(reads_since, read.received_at);
      if (!reads_seen.insert(read.read_id, read.received_at)) continue;
      deliver(nlohmann::json{{"type", "read"}, {"read", sighting_json(read, settings.clock_skew_s)}}.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace));
    }
    reads_seen.forget_before(reads_since - 2 * kFeedLookbackMs);
    // Faults raised, cleared or acknowledged: each change is sent once.
    auto faults = store.faults(faults_since - kFeedLookbackMs, false, 1000);
    if (!faults.empty()) {
      const CameraDirectory cameras(store.cameras());
      for (auto it = faults.rbegin(); it != faults.rend(); ++it) {
        faults_since = std::max(faults_since, it->changed_at);
        if (!faults_seen.insert(it->fault_id + "@" + std::to_string(it->changed_at) + it->state,
                                it->changed_at))
          continue;
        deliver(nlohmann::json{{"type", "fault"}, {"fault", fault_json(*it, cameras)}}.dump(
            -1, ' ', false, nlohmann::json::error_handler_t::replace));
      }
    }
    faults_seen.forget_before(faults_since - 2 * kFeedLookbackMs);
  }
};

WebServer::WebServer(Store& store, WebSettings settings, Store* analysis_store)
    : impl_(std::make_unique<Impl>(store, analysis_store != nullptr ? *analysis_store : store,
                                   std::move(settings))) {
  impl_->listen();
  impl_->analysis_work.emplace(impl_->analysis_io.get_executor());
  impl_->analysis_thread = run_thread(impl_->analysis_io, "web analysis");
  net::co_spawn(impl_->io, impl_->accept_loop(), net::detached);
  net::co_spawn(impl_->io, impl_->poll_loop(), net::detached);
  impl_->thread = run_thread(impl_->io, "web");
  spdlog::info("control room on {}://{}:{}/", impl_->tls ? "https" : "http", impl_->settings.address, port());
}

WebServer::~WebServer() { stop(); }

unsigned short WebServer::port() const { return impl_->bound_port; }

// NOLINTNEXTLINE(performance-unnecessary-value-param): moved on into the posted handler
void WebServer::broadcast(std::string event) { impl_->broadcast(std::move(event)); }

void WebServer::wake() {
  net::post(impl_->io, [impl = impl_.get()] {
    try {
      impl->poll_once();
    } catch (const std::exception& e) {
      spdlog::error("web: live feed cannot read the store: {}", e.what());
    }
  });
}

WebCounters WebServer::counters() const {
  return {impl_->requests.load(), impl_->feed.live(), impl_->feed.dropped(), impl_->refused.load()};
}

void WebServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->io.stop();
  impl_->thread.join();
  impl_->analysis_work.reset();
  impl_->analysis_io.stop();
  impl_->analysis_thread.join();
  impl_->password_pool.stop();
  impl_->password_pool.join();
}

}  // namespace anpr::receiver::web
