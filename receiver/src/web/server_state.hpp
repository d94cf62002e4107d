#pragma once
// What the web server's parts share (Boost.Beast websocket-chat-multi's `shared_state`, with
// what this server adds): settings, the API, sign-in, the threads' executors, the live feed and
// the counters. The listener (listener.cpp) accepts connections, an HTTP session
// (http_session.cpp) serves each, a live session (live_session.cpp) takes over a WebSocket
// upgrade of /api/live; WebServer (web_server.cpp) owns this and the threads.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "anpr/common/log_throttle.hpp"
#include "anpr/receiver/web/auth.hpp"
#include "anpr/receiver/web/live_views.hpp"
#include "anpr/receiver/web/web_api.hpp"
#include "live_feed.hpp"

namespace anpr::receiver::web {

namespace net = boost::asio;

/// Password checks (Argon2id: tens of milliseconds and 64 MiB each, on purpose) run on their own
/// threads, so a burst of logins never holds up the live feed or a search. Two threads bound the
/// memory to 128 MiB.
inline constexpr std::size_t kPasswordThreads = 2;

struct ServerState {
  ServerState(Store& web_store, Store& analysis_store, WebSettings w)
      : store(web_store),
        settings(std::move(w)),
        sessions(&web_store),
        api(web_store, sessions, limiter, settings,
            [this](std::string e) { views.broadcast(store, std::move(e)); }),
        analysis_api(analysis_store, sessions, limiter, settings,
                     [this](std::string e) { views.broadcast(store, std::move(e)); }) {
    api.set_live(&views);
    analysis_api.set_live(&views);
  }

  Store& store;  ///< the web's own connection, handed to the services (and for notices to receivers)
  WebSettings settings;
  SessionManager sessions;
  LoginLimiter limiter;
  WebApi api;
  /// Analyses read up to millions of rows: they run one at a time on their own thread and store
  /// connection, so neither the network thread nor the API threads (searches, acknowledgements)
  /// wait for one.
  WebApi analysis_api;
  net::io_context analysis_io{1};
  net::io_context io{1};
  /// After `io`, so it goes first (api_pool too): a call still queued at shutdown must not outlive
  /// `io`.
  net::thread_pool password_pool{kPasswordThreads};
  std::size_t pending_logins = 0;  ///< network thread only
  /// The API calls that reach the store run here (WebSettings::api_threads), so a lock wait or a
  /// long search never holds up the network thread: pages, logins and live screens go on.
  net::thread_pool api_pool{std::max<std::size_t>(settings.api_threads, 1)};
  std::size_t pending_api_calls = 0;  ///< running or waiting in api_pool; network thread only
  std::optional<net::ssl::context> tls;
  LiveFeed feed{io, settings.max_queued_messages};
  LiveViews views{&feed, settings.clock_skew_s};
  std::size_t connections = 0;
  std::map<std::string, std::size_t> connections_from;  ///< per client address, network thread only
  LogThrottle refusals{std::chrono::seconds(10)};       ///< a flood of connections is one log line in 10 s
  std::atomic<std::int64_t> requests{0}, refused{0};
};

}  // namespace anpr::receiver::web
