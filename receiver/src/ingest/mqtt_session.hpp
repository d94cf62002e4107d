#pragma once
// One MQTT 5 connection of the receiver's ingest (MqttIngest), driven from the one thread that
// calls it: no callbacks on another thread, no locks. It hands out the messages that have
// arrived, in order, and sends their PUBACKs only when told to (`acknowledge`), which the ingest
// does once the messages are committed. The broker keeps sending up to the Receive Maximum
// announced at connect while earlier messages wait for their PUBACK, so many reads can be stored
// in one transaction and none is acknowledged before it is stored. (Paho C sends the PUBACK as
// the message callback returns and reads the next message only then; see mqtt_ingest.cpp.)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

#include "anpr/receiver/ingest/mqtt_ingest.hpp"
#include "mqtt_wire.hpp"

namespace anpr::receiver {

/// The connection failed or broke (network, TLS, refusal, protocol error, silence). Nothing
/// unacknowledged is lost: the broker delivers it again on the next connection. The session that
/// threw it is finished: destroy it (its pending I/O goes with it) and make a new one.
class SessionLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Host, port and transport of a broker URI: tcp:// or mqtt:// (plain, port 1883 by default),
/// ssl:// or mqtts:// (TLS, 8883). Throws anpr::Error(kConfig) for anything else.
struct BrokerAddress {
  std::string host;
  std::string port;
  bool tls = false;
  static BrokerAddress parse(const std::string& uri);
};

class MqttSession {
 public:
  using Clock = std::chrono::steady_clock;
  /// `filters` are subscribed at QoS 1 on every connect; `receive_maximum` bounds the messages
  /// the broker may send before they are acknowledged (and so the largest batch). When `stop` is
  /// requested (from any thread), a connect or a wait for messages in progress ends at once;
  /// writes (PUBACKs, publishes, DISCONNECT) still go out.
  MqttSession(const MqttSettings& settings, BrokerAddress address, std::vector<std::string> filters,
              std::uint16_t receive_maximum, std::stop_token stop = {});
  ~MqttSession();
  MqttSession(const MqttSession&) = delete;
  MqttSession& operator=(const MqttSession&) = delete;

  /// Connects (TCP, TLS with the broker's certificate checked against its host name, CONNECT with
  /// a persistent session) and subscribes. Throws SessionLost (also when `stop` cuts it short).
  void connect();
  /// Up to `max` messages in arrival order: waits up to `first_wait` for the first, then up to
  /// `fill_wait` after it for more, and not at all once `max` are there; on `stop`, what is there
  /// at once. Also keeps the connection alive. Throws SessionLost.
  std::vector<mqtt_wire::Publish> receive(std::size_t max, std::chrono::milliseconds first_wait,
                                          std::chrono::milliseconds fill_wait);
  /// Sends the PUBACKs of these messages (QoS 0 ones need none). Throws SessionLost.
  void acknowledge(const std::vector<std::uint16_t>& packet_ids);
  /// Publishes at QoS 1; held back while the broker's Receive Maximum of our publishes is
  /// unacknowledged. Throws SessionLost.
  void publish(const std::string& topic, const std::string& payload);
  /// Sends the publishes still waiting and gives the broker a moment to acknowledge them, then
  /// DISCONNECT (the session and its unacknowledged messages stay with the broker), and closes.
  /// Never throws.
  void disconnect() noexcept;

 private:
  /// Whether a wait ends early when the stop is requested: waits for the broker (connect, messages)
  /// do; the writes of what must still go out (PUBACKs after a commit, DISCONNECT) do not.
  enum class OnStop { kEnd, kCarryOn };

  template <class Op>
  void with_stream(Op&& op);
  void start_read();
  /// Runs I/O until `done()` holds, `deadline` passes or (kEnd) the stop is requested; returns
  /// done(). Reads stay armed.
  template <class Done>
  bool run_until(Done done, Clock::time_point deadline, OnStop on_stop);
  /// Runs I/O until `flag` is set by a handler; throws SessionLost("<what>: timed out") otherwise,
  /// or ("<what>: stopped") when (kEnd) the stop is requested first.
  void await(const bool& flag, Clock::time_point deadline, const char* what, OnStop on_stop);
  void write(std::string bytes);
  void dispatch_packets();
  void keep_alive();
  void send_waiting_publishes();
  /// Until the publishes waiting or unacknowledged are acknowledged, or `within` passes.
  void drain_publishes(Clock::duration within);
  /// After DISCONNECT: until the broker has closed the connection, or `within` passes.
  void await_broker_close(Clock::duration within);
  void configure_tls();
  void tcp_connect();
  void tls_handshake();

  MqttSettings settings_;
  BrokerAddress address_;
  std::vector<std::string> filters_;
  std::uint16_t receive_maximum_;
  std::chrono::seconds keep_alive_;

  // Declared before the stream, so that the stream (and its pending operations) goes first.
  boost::asio::io_context ioc_;
  std::stop_token stop_;
  // Posts an empty handler into ioc_ when the stop is requested, so that the I/O wait in progress
  // (run_one_until) returns and sees it. Declared after ioc_: unregistered before ioc_ goes.
  std::optional<std::stop_callback<std::function<void()>>> wake_on_stop_;
  boost::asio::ssl::context tls_context_{boost::asio::ssl::context::tls_client};
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;

  mqtt_wire::PacketReader reader_;
  std::vector<char> read_buffer_;
  bool read_pending_ = false;
  boost::system::error_code read_error_;
  std::string write_buffer_;
  bool write_done_ = false;
  boost::system::error_code write_error_;

  std::deque<mqtt_wire::Publish> inbox_;
  std::optional<mqtt_wire::Connack> connack_;
  std::optional<mqtt_wire::Suback> suback_;
  std::uint16_t next_packet_id_ = 0;
  std::set<std::uint16_t> unacknowledged_out_;
  std::deque<std::pair<std::string, std::string>> waiting_out_;
  Clock::time_point last_write_ = Clock::now();
  Clock::time_point last_read_ = Clock::now();
};

}  // namespace anpr::receiver
