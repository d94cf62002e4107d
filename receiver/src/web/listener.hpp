#pragma once
// Accepts connections (chat-multi's `listener`): binds at construction, refuses a connection
// beyond the total or per-address limit (one log line per 10 s however many), and hands each
// other one to an HTTP session.

#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server_state.hpp"

namespace anpr::receiver::web {

class Listener {
 public:
  /// Sets up TLS when configured and binds; throws anpr::Error (kConfig) naming what failed.
  explicit Listener(ServerState& state);
  [[nodiscard]] unsigned short port() const { return port_; }
  /// Accepts until the network thread stops.
  net::awaitable<void> run();

 private:
  void use_tls();
  /// Whether `address` may open one more connection; counts and logs a refusal.
  bool admit(const std::string& address);

  ServerState& state_;
  net::ip::tcp::acceptor acceptor_;
  unsigned short port_ = 0;
};

}  // namespace anpr::receiver::web
