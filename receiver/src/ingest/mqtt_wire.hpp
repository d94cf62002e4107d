#pragma once
// The MQTT 5 packets of the receiver's ingest session (mqtt_session.hpp): a subscriber's subset
// of the protocol (CONNECT/CONNACK, SUBSCRIBE/SUBACK, PUBLISH and PUBACK both ways, PINGREQ/
// PINGRESP, DISCONNECT). Written here rather than taken from a library because the receiver must
// decide when each PUBACK goes out, and neither Paho C nor libmosquitto (Debian 12) lets it
// (docs/architecture.md, "Ingest"). The parsers read bytes from the network: every length is
// checked against what is left, and a malformed packet throws WireError with the reason.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace anpr::receiver::mqtt_wire {

/// A packet that breaks the protocol (bad lengths, unknown property, truncated field).
class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class PacketType : std::uint8_t {
  kConnect = 1,
  kConnack = 2,
  kPublish = 3,
  kPuback = 4,
  kSubscribe = 8,
  kSuback = 9,
  kPingreq = 12,
  kPingresp = 13,
  kDisconnect = 14,
};

struct Packet {
  std::uint8_t first_byte = 0;  ///< type in the high nibble, flags in the low
  std::string body;             ///< everything after the fixed header
  [[nodiscard]] PacketType type() const { return static_cast<PacketType>(first_byte >> 4); }
};

/// Splits a byte stream into packets. Bytes are appended as they arrive; `next` hands out each
/// whole packet once.
class PacketReader {
 public:
  explicit PacketReader(std::size_t max_packet_bytes) : max_packet_bytes_(max_packet_bytes) {}
  void append(const char* data, std::size_t size);
  /// The next whole packet, or nullopt while only part of one has arrived. Throws WireError for
  /// a length that is malformed or larger than the limit (the stream cannot be resynchronised).
  std::optional<Packet> next();

 private:
  std::size_t max_packet_bytes_;
  std::string buffer_;
  std::size_t offset_ = 0;  ///< bytes of buffer_ already handed out (compacted now and then)
};

struct ConnectOptions {
  std::string client_id, username, password;
  std::uint16_t keep_alive_s = 20;
  std::uint32_t session_expiry_s = 0;
  std::uint16_t receive_maximum = 65535;
  std::uint32_t maximum_packet_bytes = 0;  ///< 0: not sent (no limit)
};

struct Connack {
  bool session_present = false;
  std::uint8_t reason = 0;                ///< 0 success; >= 0x80 refused
  std::uint16_t receive_maximum = 65535;  ///< how many of our QoS 1 publishes may be unacknowledged
  std::optional<std::uint16_t> server_keep_alive_s;  ///< the keep-alive the broker imposes, if any
};

struct Suback {
  std::uint16_t packet_id = 0;
  std::vector<std::uint8_t> reasons;  ///< one per filter: the granted QoS, or >= 0x80 refused
};

struct Publish {
  std::string topic;
  std::string payload;
  std::uint16_t packet_id = 0;  ///< 0 for QoS 0
  int qos = 0;
  bool duplicate = false;
};

/// Field encoders shared by every packet written here and by the load generator's MQTT 3.1.1
/// packets (receiver/src/cli/loadgen_publisher.cpp): the two protocol versions encode these alike.
void put_u16(std::string& out, std::uint16_t v);
/// A length-prefixed UTF-8 string. Throws WireError for one over 65,535 bytes.
void put_string(std::string& out, std::string_view s);
/// A fixed header's remaining length (variable byte integer). Throws WireError over 268,435,455.
void put_remaining_length(std::string& out, std::size_t length);

[[nodiscard]] std::string connect_packet(const ConnectOptions& options);
/// Subscribes to each filter at QoS 1.
[[nodiscard]] std::string subscribe_packet(std::uint16_t packet_id, const std::vector<std::string>& filters);
/// A QoS 1 publish, not retained.
[[nodiscard]] std::string publish_packet(std::string_view topic, std::string_view payload,
                                         std::uint16_t packet_id);
[[nodiscard]] std::string puback_packet(std::uint16_t packet_id);
[[nodiscard]] std::string pingreq_packet();
[[nodiscard]] std::string disconnect_packet();

[[nodiscard]] Connack parse_connack(const Packet& packet);
[[nodiscard]] Suback parse_suback(const Packet& packet);
[[nodiscard]] Publish parse_publish(const Packet& packet);
/// The packet id a PUBACK acknowledges.
[[nodiscard]] std::uint16_t parse_puback(const Packet& packet);
/// The reason code of a DISCONNECT from the broker (0 when it carries none).
[[nodiscard]] std::uint8_t parse_disconnect(const Packet& packet);

}  // namespace anpr::receiver::mqtt_wire
