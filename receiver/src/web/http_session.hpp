#pragma once
// One connection's HTTP (chat-multi's `http_session`): TLS handshake when configured, then
// requests one after another within the size and time limits; a login goes to the password
// threads, an analysis or evidence pack to the analysis thread, any other API call to the API
// threads (server_state.hpp), and only pages are answered on the network thread; a WebSocket
// upgrade hands the connection to a live session.

#include <string>
#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include "server_state.hpp"

namespace anpr::receiver::web {

/// Serves `socket` (from `client`, its address) until it closes; counts it among the connections
/// meanwhile. Network thread.
net::awaitable<void> run_http_session(ServerState& state, net::ip::tcp::socket socket, std::string client);

/// An error answer ({"error": message}) that closes the connection.
[[nodiscard]] Response plain_error(http::status status, const std::string& message);

}  // namespace anpr::receiver::web
