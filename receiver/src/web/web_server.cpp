#include "anpr/receiver/web/web_server.hpp"

#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "anpr/receiver/services/live_notices.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/store/notice_listener.hpp"
#include "listener.hpp"
#include "server_state.hpp"

namespace anpr::receiver::web {
namespace {

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
  Impl(Store& store, Store& analysis_store, WebSettings settings)
      : state(store, analysis_store, std::move(settings)), listener(state) {}

  ServerState state;
  Listener listener;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> analysis_work;
  std::thread analysis_thread, thread;
  std::unique_ptr<NoticeListener> notices;  ///< other receivers' changes (PostgreSQL only)
  int ticks = 0;
  LogThrottle lookup_failures{std::chrono::minutes(1)};

  /// Every poll_ms: screens whose login ended lose their feed (every 8th), and logins of users
  /// changed by another process (`anpr-receiver user`) end (every 40th). Nothing of the feed's
  /// content is looked up here: changes are pushed to it (LiveViews).
  net::awaitable<void> housekeeping_loop() {
    net::steady_timer timer(state.io);
    for (;; ++ticks) {
      timer.expires_after(std::chrono::milliseconds(state.settings.poll_ms));
      boost::system::error_code ec;
      co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;
      if (ticks % 8 != 0) continue;
      // The look-ups may reach the store: an API thread makes them, so a slow database holds up
      // no screen; the screens are closed here, where the feed lives.
      const auto ended = co_await net::co_spawn(
          state.api_pool, ended_logins(state.feed.session_tokens(), ticks % 40 == 0), net::use_awaitable);
      state.feed.close_if([&](const LiveSession& s) { return ended.count(s.session_token()) > 0; });
    }
  }

  /// Of the logins in `tokens`, those that ended; first, when `revalidate`, ends those of users
  /// changed by another process. On an API thread.
  net::awaitable<std::set<std::string>> ended_logins(std::set<std::string> tokens, bool revalidate) {
    const auto failed = [this](const std::exception& e) {
      if (lookup_failures.occurred(LogThrottle::Clock::now()))
        spdlog::error("web: cannot look up the users of the open sessions: {}", e.what());
    };
    try {
      if (revalidate) revalidate_sessions();
    } catch (const std::exception& e) {
      failed(e);
    }
    std::set<std::string> ended;
    try {
      for (const std::string& token : tokens) {
        if (!state.sessions.find(token)) ended.insert(token);
      }
    } catch (const std::exception& e) {
      failed(e);
    }
    co_return ended;
  }

  void revalidate_sessions() {
    std::map<std::string, UserRecord> users;
    for (UserRecord& u : list_users(state.store)) users.emplace(u.name, std::move(u));
    state.sessions.revalidate([&](const Session& s) {
      const auto it = users.find(s.user);
      if (it == users.end()) return false;
      const UserRecord& u = it->second;
      return !u.disabled && u.password_hash == s.credential && parse_role(u.role) == s.role;
    });
  }
};

WebServer::WebServer(Store& store, WebSettings settings, Store* analysis_store)
    : impl_(std::make_unique<Impl>(store, analysis_store != nullptr ? *analysis_store : store,
                                   std::move(settings))) {
  ServerState& s = impl_->state;
  impl_->analysis_work.emplace(s.analysis_io.get_executor());
  impl_->analysis_thread = run_thread(s.analysis_io, "web analysis");
  net::co_spawn(s.io, impl_->listener.run(), net::detached);
  net::co_spawn(s.io, impl_->housekeeping_loop(), net::detached);
  impl_->thread = run_thread(s.io, "web");
  spdlog::info("control room on {}://{}:{}/", s.tls ? "https" : "http", s.settings.address, port());
}

WebServer::~WebServer() { stop(); }

unsigned short WebServer::port() const { return impl_->listener.port(); }

LiveEvents& WebServer::live() { return impl_->state.views; }

void WebServer::follow_other_receivers(const std::string& database) {
  LiveViews& views = impl_->state.views;
  impl_->notices = listen_for_notices(database, kLiveChannel,
                                      [&views](const std::string& notice) { views.received(notice); });
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): moved on into the shared message
void WebServer::broadcast(std::string event) {
  impl_->state.feed.publish({std::make_shared<const std::string>(std::move(event))});
}

WebCounters WebServer::counters() const {
  const ServerState& s = impl_->state;
  return {s.requests.load(), s.feed.live(), s.feed.dropped(), s.refused.load()};
}

void WebServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->notices.reset();  // first: it hands notices to the feed, which runs on `io`
  impl_->state.io.stop();
  impl_->thread.join();
  impl_->analysis_work.reset();
  impl_->state.analysis_io.stop();
  impl_->analysis_thread.join();
  impl_->state.password_pool.stop();
  impl_->state.password_pool.join();
  impl_->state.api_pool.stop();
  impl_->state.api_pool.join();
}

}  // namespace anpr::receiver::web
