#include "mqtt_session.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/write.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/messages.hpp"

namespace anpr::receiver {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kConnectTimeout = std::chrono::seconds(10);
constexpr auto kWriteTimeout = std::chrono::seconds(10);
/// A read's payload is at most 2 MiB (ReadMessage::kMaxPayloadBytes); this leaves room for the
/// topic, properties and base64 overhead the codec checks, and bounds what one packet can cost.
/// Larger messages are dropped by the broker (MQTT 5 Maximum Packet Size), never half-read here.
constexpr std::uint32_t kMaxPacketBytes = 4 * 1024 * 1024;
/// Session kept by the broker while the receiver is away: a week, as before.
constexpr std::uint32_t kSessionExpiryS = 7 * 24 * 3600;
constexpr std::uint16_t kSubscribePacketId = 1;
/// How long a disconnect waits for the broker to acknowledge the hits still going out.
constexpr auto kDrainPublishes = std::chrono::seconds(2);

}  // namespace

BrokerAddress BrokerAddress::parse(const std::string& uri) {
  const auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos)
    throw Error(ErrorCode::kConfig, "broker '" + uri + "': expected tcp://HOST:PORT or ssl://HOST:PORT");
  const std::string scheme = uri.substr(0, scheme_end);
  BrokerAddress out;
  if (scheme == "ssl" || scheme == "mqtts") {
    out.tls = true;
  } else if (scheme != "tcp" && scheme != "mqtt") {
    throw Error(ErrorCode::kConfig,
                "broker '" + uri + "': scheme '" + scheme +
                    "' not supported by the receiver (tcp://, mqtt://, ssl://, mqtts://)");
  }
  std::string rest = uri.substr(scheme_end + 3);
  if (const auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  // [::1]:1883 for IPv6 literals, host:port otherwise.
  const auto colon = rest.rfind(':');
  const bool bracketed = !rest.empty() && rest.front() == '[';
  if (colon != std::string::npos && (!bracketed || rest.find(']') < colon)) {
    out.host = rest.substr(0, colon);
    out.port = rest.substr(colon + 1);
  } else {
    out.host = rest;
    out.port = out.tls ? "8883" : "1883";
  }
  if (bracketed && out.host.size() >= 2) out.host = out.host.substr(1, out.host.size() - 2);
  const bool numeric_port = !out.port.empty() && out.port.size() <= 5 &&
                            out.port.find_first_not_of("0123456789") == std::string::npos &&
                            std::stoi(out.port) > 0 && std::stoi(out.port) <= 65535;
  if (out.host.empty() || !numeric_port)
    throw Error(ErrorCode::kConfig, "broker '" + uri + "': expected HOST:PORT with a port of 1-65535");
  return out;
}

MqttSession::MqttSession(const MqttSettings& settings, BrokerAddress address,
                         std::vector<std::string> filters, std::uint16_t receive_maximum,
                         std::stop_token stop)
    : settings_(settings),
      address_(std::move(address)),
      filters_(std::move(filters)),
      receive_maximum_(receive_maximum),
      keep_alive_(settings.keep_alive_s),
      stop_(std::move(stop)),
      reader_(kMaxPacketBytes),
      read_buffer_(64 * 1024) {
  // Posting is safe from any thread; the handler does nothing, it only ends the wait for I/O.
  wake_on_stop_.emplace(stop_, [this] { asio::post(ioc_, [] {}); });
}

MqttSession::~MqttSession() = default;

template <class Op>
void MqttSession::with_stream(Op&& op) {
  if (address_.tls)
    op(*stream_);
  else
    op(stream_->next_layer());
}

void MqttSession::start_read() {
  if (read_pending_ || read_error_) return;
  read_pending_ = true;
  with_stream([this](auto& s) {
    s.async_read_some(asio::buffer(read_buffer_), [this](boost::system::error_code ec, std::size_t n) {
      read_pending_ = false;
      if (ec) {
        read_error_ = ec;
        return;
      }
      reader_.append(read_buffer_.data(), n);
      last_read_ = Clock::now();
    });
  });
}

template <class Done>
bool MqttSession::run_until(Done done, Clock::time_point deadline, OnStop on_stop) {
  for (;;) {
    dispatch_packets();
    if (done()) return true;
    if (on_stop == OnStop::kEnd && stop_.stop_requested()) return false;
    if (read_error_) throw SessionLost("connection to the broker lost: " + read_error_.message());
    start_read();
    if (ioc_.stopped()) ioc_.restart();
    if (ioc_.run_one_until(deadline) == 0 && Clock::now() >= deadline) {
      dispatch_packets();
      return done();
    }
  }
}

void MqttSession::await(const bool& flag, Clock::time_point deadline, const char* what, OnStop on_stop) {
  while (!flag) {
    if (on_stop == OnStop::kEnd && stop_.stop_requested()) throw SessionLost(std::string(what) + ": stopped");
    if (ioc_.stopped()) ioc_.restart();
    if (ioc_.run_one_until(deadline) == 0 && Clock::now() >= deadline)
      throw SessionLost(std::string(what) + ": timed out");
  }
}

void MqttSession::write(std::string bytes) {
  // One write at a time (each waits for the last), so the buffer can be a member that outlives
  // the operation even when a timeout throws; the session is then thrown away with its I/O.
  write_buffer_ = std::move(bytes);
  write_done_ = false;
  with_stream([this](auto& s) {
    asio::async_write(s, asio::buffer(write_buffer_), [this](boost::system::error_code ec, std::size_t) {
      write_error_ = ec;
      write_done_ = true;
    });
  });
  await(write_done_, Clock::now() + kWriteTimeout, "writing to the broker", OnStop::kCarryOn);
  if (write_error_) throw SessionLost("writing to the broker: " + write_error_.message());
  last_write_ = Clock::now();
}

void MqttSession::dispatch_packets() {
  try {
    while (auto packet = reader_.next()) {
      switch (packet->type()) {
        case mqtt_wire::PacketType::kPublish:
          inbox_.push_back(mqtt_wire::parse_publish(*packet));
          break;
        case mqtt_wire::PacketType::kPuback:
          unacknowledged_out_.erase(mqtt_wire::parse_puback(*packet));
          break;
        case mqtt_wire::PacketType::kConnack:
          connack_ = mqtt_wire::parse_connack(*packet);
          break;
        case mqtt_wire::PacketType::kSuback:
          suback_ = mqtt_wire::parse_suback(*packet);
          break;
        case mqtt_wire::PacketType::kPingresp:
          break;
        case mqtt_wire::PacketType::kDisconnect:
          throw SessionLost("the broker disconnected (reason 0x" +
                            fmt::format("{:02x}", mqtt_wire::parse_disconnect(*packet)) + ")");
        default:
          throw SessionLost("the broker sent a packet of type " + std::to_string(packet->first_byte >> 4) +
                            ", not expected by a subscriber");
      }
    }
  } catch (const mqtt_wire::WireError& e) {
    // The stream cannot be trusted past a malformed packet: start a new connection.
    throw SessionLost(std::string("protocol error from the broker: ") + e.what());
  }
}

void MqttSession::tcp_connect() {
  tcp::resolver resolver(ioc_);
  boost::system::error_code ec;
  const auto endpoints = resolver.resolve(address_.host, address_.port, ec);
  if (ec) throw SessionLost("cannot resolve " + address_.host + ": " + ec.message());
  stream_ = std::make_unique<asio::ssl::stream<tcp::socket>>(ioc_, tls_context_);
  bool done = false;
  asio::async_connect(stream_->next_layer(), endpoints,
                      [&](boost::system::error_code e, const tcp::endpoint&) {
                        ec = e;
                        done = true;
                      });
  await(done, Clock::now() + kConnectTimeout, "connecting", OnStop::kEnd);
  if (ec) throw SessionLost("cannot connect to " + address_.host + ":" + address_.port + ": " + ec.message());
  stream_->next_layer().set_option(tcp::no_delay(true));
}

void MqttSession::configure_tls() {
  // Before the stream exists: OpenSSL copies the context's certificate and key into each
  // connection when it is made.
  tls_context_.set_verify_mode(asio::ssl::verify_peer);
  if (settings_.ca_file.empty())
    tls_context_.set_default_verify_paths();
  else
    tls_context_.load_verify_file(settings_.ca_file);
  if (!settings_.cert_file.empty()) {
    tls_context_.use_certificate_chain_file(settings_.cert_file);
    tls_context_.use_private_key_file(settings_.key_file, asio::ssl::context::pem);
  }
}

void MqttSession::tls_handshake() {
  // The certificate must name the host of the broker URI: a camera's client certificate from the
  // same CA cannot pose as the broker.
  stream_->set_verify_callback(asio::ssl::host_name_verification(address_.host));
  boost::system::error_code not_ip;
  asio::ip::make_address(address_.host, not_ip);
  if (not_ip) SSL_set_tlsext_host_name(stream_->native_handle(), address_.host.c_str());
  bool done = false;
  boost::system::error_code ec;
  stream_->async_handshake(asio::ssl::stream_base::client, [&](boost::system::error_code e) {
    ec = e;
    done = true;
  });
  await(done, Clock::now() + kConnectTimeout, "TLS handshake", OnStop::kEnd);
  if (ec) throw SessionLost("TLS handshake with " + address_.host + ": " + ec.message());
}

void MqttSession::connect() {
  if (address_.tls) {
    try {
      configure_tls();
    } catch (const boost::system::system_error& e) {  // a CA, certificate or key file that cannot be used
      throw SessionLost(std::string("TLS set-up: ") + e.what());
    }
  }
  tcp_connect();
  if (address_.tls) tls_handshake();
  mqtt_wire::ConnectOptions options;
  options.client_id = settings_.client_id;
  options.username = settings_.username;
  options.password = settings_.password;
  options.keep_alive_s = static_cast<std::uint16_t>(settings_.keep_alive_s);
  // A persistent session: reads sent while the receiver was away, or delivered but not
  // acknowledged before it died, are delivered when it comes back.
  options.session_expiry_s = kSessionExpiryS;
  options.receive_maximum = receive_maximum_;
  options.maximum_packet_bytes = kMaxPacketBytes;
  write(mqtt_wire::connect_packet(options));
  if (!run_until([this] { return connack_.has_value(); }, Clock::now() + kConnectTimeout, OnStop::kEnd))
    throw SessionLost(stop_.stop_requested() ? "stopped while waiting for CONNACK"
                                             : "no CONNACK from the broker");
  if (connack_->reason >= 0x80)
    throw SessionLost(fmt::format("the broker refused the connection (reason 0x{:02x})", connack_->reason));
  if (connack_->server_keep_alive_s) keep_alive_ = std::chrono::seconds(*connack_->server_keep_alive_s);
  write(mqtt_wire::subscribe_packet(kSubscribePacketId, filters_));
  if (!run_until([this] { return suback_.has_value(); }, Clock::now() + kConnectTimeout, OnStop::kEnd))
    throw SessionLost(stop_.stop_requested() ? "stopped while waiting for SUBACK"
                                             : "no SUBACK from the broker");
  for (std::size_t i = 0; i < suback_->reasons.size() && i < filters_.size(); ++i) {
    if (suback_->reasons[i] >= 0x80)
      throw SessionLost(fmt::format("the broker refused the subscription to {} (reason 0x{:02x})",
                                    filters_[i], suback_->reasons[i]));
  }
}

void MqttSession::keep_alive() {
  if (keep_alive_.count() == 0) return;
  const auto now = Clock::now();
  // PINGRESP (or anything) comes back within a keep-alive of our ping; twice that of silence
  // means a dead connection (a broker gone without a FIN).
  if (now - last_read_ > 2 * keep_alive_)
    throw SessionLost("nothing from the broker in " + std::to_string(2 * keep_alive_.count()) + " s");
  if (now - last_write_ >= keep_alive_ / 2) write(mqtt_wire::pingreq_packet());
}

std::vector<mqtt_wire::Publish> MqttSession::receive(std::size_t max, std::chrono::milliseconds first_wait,
                                                     std::chrono::milliseconds fill_wait) {
  run_until([] { return false; }, Clock::now(), OnStop::kCarryOn);  // take in what has arrived meanwhile
  keep_alive();
  send_waiting_publishes();
  std::vector<mqtt_wire::Publish> out;
  if (!run_until([this] { return !inbox_.empty(); }, Clock::now() + first_wait, OnStop::kEnd)) return out;
  run_until([&] { return inbox_.size() >= max; }, Clock::now() + fill_wait, OnStop::kEnd);
  const std::size_t n = std::min(max, inbox_.size());
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(inbox_.front()));
    inbox_.pop_front();
  }
  return out;
}

void MqttSession::acknowledge(const std::vector<std::uint16_t>& packet_ids) {
  std::string acks;
  acks.reserve(packet_ids.size() * 4);
  for (const std::uint16_t id : packet_ids) {
    if (id != 0) acks += mqtt_wire::puback_packet(id);
  }
  if (!acks.empty()) write(std::move(acks));
}

void MqttSession::publish(const std::string& topic, const std::string& payload) {
  waiting_out_.emplace_back(topic, payload);
  send_waiting_publishes();
}

void MqttSession::send_waiting_publishes() {
  const std::size_t limit = connack_ ? connack_->receive_maximum : 1;
  while (!waiting_out_.empty() && unacknowledged_out_.size() < limit) {
    do {
      next_packet_id_ = static_cast<std::uint16_t>(next_packet_id_ == 65535 ? 1 : next_packet_id_ + 1);
    } while (unacknowledged_out_.count(next_packet_id_) > 0);
    unacknowledged_out_.insert(next_packet_id_);
    auto [topic, payload] = std::move(waiting_out_.front());
    waiting_out_.pop_front();
    write(mqtt_wire::publish_packet(topic, payload, next_packet_id_));
  }
}

void MqttSession::drain_publishes(Clock::duration within) {
  const auto all_acknowledged = [this] {
    send_waiting_publishes();
    return waiting_out_.empty() && unacknowledged_out_.empty();
  };
  // Hits are stored before they are published, so one not acknowledged in time is not lost; the
  // wait is for the screens and systems listening on the hits topic.
  if (!run_until(all_acknowledged, Clock::now() + within, OnStop::kCarryOn))
    spdlog::warn("disconnecting with {} hits not acknowledged by the broker",
                 waiting_out_.size() + unacknowledged_out_.size());
}

void MqttSession::await_broker_close(Clock::duration within) {
  boost::system::error_code ignored;
  stream_->next_layer().shutdown(tcp::socket::shutdown_send, ignored);
  try {
    // Messages still arriving are read and dropped (unacknowledged, they are sent again), until
    // the broker closes its end (SessionLost: end of stream) or `within` passes.
    run_until([] { return false; }, Clock::now() + within, OnStop::kCarryOn);
  } catch (const SessionLost&) {
    // Closed by the broker, as it should after DISCONNECT.
  }
}

void MqttSession::disconnect() noexcept {
  try {
    if (stream_ && !read_error_) drain_publishes(kDrainPublishes);
    if (stream_ && !read_error_) {
      write(mqtt_wire::disconnect_packet());
      // Closing a socket with unread data in it sends a reset, and a broker that gets a reset may
      // drop what it had not read yet: the PUBACKs of the last batch, sent just before. Their
      // reads would then come again. So the broker closes first, having read everything.
      await_broker_close(kDrainPublishes);
    }
  } catch (const std::exception& e) {
    spdlog::debug("disconnect: {}", e.what());
  }
  if (stream_) {
    boost::system::error_code ignored;
    stream_->next_layer().close(ignored);
  }
}

}  // namespace anpr::receiver
