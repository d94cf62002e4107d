#pragma once
// A WebSocket client of the control room's live feed (/api/live) with a read timeout, for tests.

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

namespace anpr::test {

/// A WebSocket client of /api/live with a read timeout.
class LiveSocket {
 public:
  LiveSocket(unsigned short port, const std::string& cookie, const std::string& origin = "") : ws_(io_) {
    ws_.next_layer().connect(
        boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(
        boost::beast::websocket::stream_base::decorator([&](boost::beast::websocket::request_type& req) {
          if (!cookie.empty()) req.set(boost::beast::http::field::cookie, cookie);
          if (!origin.empty()) req.set(boost::beast::http::field::origin, origin);
        }));
    ws_.handshake("127.0.0.1:" + std::to_string(port), "/api/live", ec_);
  }
  [[nodiscard]] bool open() const { return !ec_; }

  /// The next event of `type` within `within`, or nullopt. After a timeout the socket is closed.
  std::optional<nlohmann::json> next(const std::string& type,
                                     std::chrono::milliseconds within = std::chrono::seconds(5)) {
    const auto until = std::chrono::steady_clock::now() + within;
    while (true) {
      boost::beast::flat_buffer buffer;
      boost::beast::error_code ec;
      bool done = false;
      ws_.async_read(buffer, [&](boost::beast::error_code e, std::size_t) {
        ec = e;
        done = true;
      });
      io_.restart();
      io_.run_until(until);
      if (!done) {  // deadline: give up on this socket
        boost::beast::error_code ignored;
        ws_.next_layer().close(ignored);
        io_.restart();
        io_.run();
        return std::nullopt;
      }
      if (ec) return std::nullopt;
      auto event = nlohmann::json::parse(boost::beast::buffers_to_string(buffer.data()));
      if (event.value("type", "") == type) return event;
    }
  }

 private:
  boost::asio::io_context io_;
  boost::beast::websocket::stream<boost::asio::ip::tcp::socket> ws_;
  boost::beast::error_code ec_;
};

}  // namespace anpr::test
