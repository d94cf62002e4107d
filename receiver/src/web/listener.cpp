#include "listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "anpr/common/error.hpp"
#include "http_session.hpp"

namespace anpr::receiver::web {

namespace ssl = net::ssl;
using tcp = net::ip::tcp;

Listener::Listener(ServerState& state) : state_(state), acceptor_(state.io) {
  const WebSettings& settings = state_.settings;
  if (settings.tls()) use_tls();
  boost::system::error_code ec;
  const auto address = net::ip::make_address(settings.address, ec);
  if (ec) throw Error(ErrorCode::kConfig, "web address '" + settings.address + "' is not an IP address");
  const tcp::endpoint endpoint(address, settings.port);
  const std::string where = settings.address + ":" + std::to_string(settings.port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw Error(ErrorCode::kConfig, "cannot serve the web pages on " + where + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
}

void Listener::use_tls() {
  const WebSettings& settings = state_.settings;
  auto& tls = state_.tls.emplace(ssl::context::tls_server);
  tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  try {
    tls.use_certificate_chain_file(settings.cert_file);
    tls.use_private_key_file(settings.key_file, ssl::context::pem);
  } catch (const std::exception& e) {
    throw Error(ErrorCode::kConfig, "web TLS: cannot use certificate " + settings.cert_file + " with key " +
                                        settings.key_file + ": " + e.what());
  }
}

net::awaitable<void> Listener::run() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    const auto remote = socket.remote_endpoint(ec);
    std::string address = ec ? "unknown" : remote.address().to_string();
    if (!admit(address)) {
      socket.close(ec);
      continue;
    }
    ++state_.connections_from[address];
    net::co_spawn(state_.io, run_http_session(state_, std::move(socket), std::move(address)), net::detached);
  }
}

bool Listener::admit(const std::string& address) {
  const WebSettings& settings = state_.settings;
  const std::size_t total = state_.connections;
  const std::size_t from = state_.connections_from[address];
  if (total < settings.max_connections && from < settings.max_connections_per_address) return true;
  ++state_.refused;
  if (const auto held_back = state_.refusals.occurred(LogThrottle::Clock::now())) {
    const bool all = total >= settings.max_connections;
    spdlog::warn("web: connection from {} refused: {} connections {} (web.{}){}", address, all ? total : from,
                 all ? "in all" : "from that address",
                 all ? "max_connections" : "max_connections_per_address",
                 *held_back > 0 ? fmt::format("; {} more refused since the last message", *held_back) : "");
  }
  if (from == 0) state_.connections_from.erase(address);
  return false;
}

}  // namespace anpr::receiver::web
