#pragma once
// The load generator's publishing connection: QoS 1 over plain TCP, MQTT 3.1.1 written here.
// Paho's asynchronous client cost the load generator more CPU a read than the receiver and its
// database together (a token, a copy and a hand-over between its threads per message, a write
// per message): the load generator was what held the benchmark back. This one keeps the reads
// due together in one buffer, writes it in one call, and counts PUBACKs as they come, with at
// most `window` publishes unacknowledged. MQTT 3.1.1 rather than 5: a broker tells an MQTT 5
// client how many QoS 1 publishes it may have in flight (mosquitto: 20 by default), which would
// bound the window, as Paho's MQTT 3.1.1 connection was not bound.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt_wire.hpp"

namespace anpr::receiver::cli {

/// The MQTT 3.1.1 packets the publisher sends, byte for byte.
namespace mqtt311 {
/// CONNECT with a clean session and no credentials.
[[nodiscard]] std::string connect_packet(std::string_view client_id, std::uint16_t keep_alive_s);
/// Appends a QoS 1 PUBLISH (not retained, not a duplicate) to `out`.
void append_publish(std::string& out, std::string_view topic, std::string_view payload,
                    std::uint16_t packet_id);
[[nodiscard]] std::string disconnect_packet();
}  // namespace mqtt311

class LoadgenPublisher {
 public:
  /// Connects to `broker` (tcp:// or mqtt://; TLS is refused with anpr::Error(kConfig)) and waits
  /// for the CONNACK. Throws anpr::Error(kIo) when it cannot connect or is refused.
  LoadgenPublisher(const std::string& broker, const std::string& client_id, std::size_t window);
  LoadgenPublisher(const LoadgenPublisher&) = delete;
  LoadgenPublisher& operator=(const LoadgenPublisher&) = delete;

  /// Adds a QoS 1 publish to the buffer. Writes the buffer first when it holds 64 KiB, and waits
  /// for PUBACKs first while `window` publishes are unacknowledged. A topic over 65,535 bytes or
  /// a packet over MQTT's limit throws anpr::Error(kInput) and leaves nothing of it buffered.
  void publish(std::string_view topic, std::string_view payload);
  /// Writes what the buffer holds, then takes the PUBACKs that have arrived, without waiting.
  void flush();
  /// Writes what is left, waits for every PUBACK, sends DISCONNECT and closes. Throws anpr::Error.
  void finish();
  /// Publishes written or buffered, not yet acknowledged.
  [[nodiscard]] std::size_t unacknowledged() const { return unacknowledged_; }

 private:
  void write_buffer();
  /// Reads from the socket (blocking when `wait`) and counts the PUBACKs in what came.
  void take_acks(bool wait);

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::socket socket_{ioc_};
  std::size_t window_;
  std::string buffer_;
  std::vector<char> read_buffer_ = std::vector<char>(16 * 1024);
  mqtt_wire::PacketReader reader_{64 * 1024};
  std::vector<bool> in_flight_ = std::vector<bool>(65536, false);  ///< by packet id
  std::uint16_t last_packet_id_ = 0;
  std::size_t unacknowledged_ = 0;
};

}  // namespace anpr::receiver::cli
