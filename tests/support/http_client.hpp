#pragma once
// A small Beast HTTP/WebSocket client for tests against a running control-room server.

#include <chrono>
#include <map>
#include <optional>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace anpr::test {

namespace http = boost::beast::http;

struct HttpReply {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;
  [[nodiscard]] std::string header(const std::string& name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(unsigned short port) : port_(port) {}

  /// One request on a fresh connection. `cookie` and `csrf` are sent when not empty.
  HttpReply request(http::verb method, const std::string& target, const std::string& body = {},
                    const std::string& content_type = "application/json",
                    const std::map<std::string, std::string>& extra = {}) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host());
    if (!cookie.empty()) req.set(http::field::cookie, cookie);
    if (!csrf.empty()) req.set("X-CSRF-Token", csrf);
    if (!body.empty() || method == http::verb::post) {
      req.set(http::field::content_type, content_type);
      req.body() = body;
    }
    for (const auto& [k, v] : extra) req.set(k, v);
    req.prepare_payload();
    http::write(stream, req);
    return read_reply(stream);
  }

  /// Sends raw bytes and reads whatever reply comes (for malformed requests).
  HttpReply raw(const std::string& bytes) {
    boost::asio::io_context io;
    boost::beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
    boost::asio::write(stream.socket(), boost::asio::buffer(bytes));
    return read_reply(stream);
  }

  HttpReply get(const std::string& target) { return request(http::verb::get, target); }
  HttpReply post(const std::string& target, const std::string& json_body) {
    return request(http::verb::post, target, json_body);
  }

  /// Logs in; on success keeps the session cookie and CSRF token for later requests.
  HttpReply login(const std::string& user, const std::string& password) {
    auto reply = post("/api/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    if (reply.status == 200) {
      const auto set = reply.header("Set-Cookie");
      cookie = set.substr(0, set.find(';'));
      const auto at = reply.body.find("\"csrf\":\"");
      csrf = reply.body.substr(at + 8, 64);
    }
    return reply;
  }

  [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  std::string cookie;
  std::string csrf;

 private:
  static HttpReply read_reply(boost::beast::tcp_stream& stream) {
    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    boost::beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    HttpReply out;
    if (ec) return out;  // status 0: no reply
    auto res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = res.body();
    for (const auto& field : res) out.headers[std::string(field.name_string())] = std::string(field.value());
    return out;
  }
  unsigned short port_;
};

}  // namespace anpr::test
