#pragma once
/// @file
/// The control room's web server (Boost.Beast on Asio, in the shape of its websocket-chat-multi
/// example: listener, HTTP session, live session, shared state): HTTP and the live WebSocket
/// feed, which is pushed to (never read from the store), TLS when a certificate is configured. One network
/// thread, one for analyses, two for password checks; request size, time and connection limits; each live
/// client has a bounded send queue and is dropped when it falls behind, so a slow screen never holds up the
/// others.

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/web/web_api.hpp"

namespace anpr::receiver::web {

struct WebCounters {
  std::int64_t requests = 0, live_clients = 0, dropped_slow_clients = 0, refused_connections = 0;
};

class WebServer {
 public:
  /// `store` should be the web's own connection (see open_store), so searches never wait for
  /// ingest; `analysis_store` another one for the analyses, which run on their own thread so the
  /// live feed never waits for them (nullptr: `store`). Binds at construction: throws
  /// anpr::Error naming the address when it cannot.
  WebServer(Store& store, WebSettings settings, Store* analysis_store = nullptr);
  ~WebServer();
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  /// The port actually bound (useful when the settings asked for port 0).
  [[nodiscard]] unsigned short port() const;
  /// Where the parts that store reads, hits and camera faults hand each change after storing it
  /// (ingest, the camera-fault monitor, the watchlist service): to this server's screens, and to
  /// the other receivers' through the database. Valid while the server lives; any thread.
  [[nodiscard]] LiveEvents& live();
  /// Shows on this server's screens what other receivers sharing `database` store (PostgreSQL
  /// LISTEN on a connection of its own; nothing for SQLite). Throws anpr::Error when it cannot
  /// connect.
  void follow_other_receivers(const std::string& database);
  /// Sends an event (JSON text) to every live client of this server; callable from any thread.
  void broadcast(std::string event);
  [[nodiscard]] WebCounters counters() const;
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace anpr::receiver::web
