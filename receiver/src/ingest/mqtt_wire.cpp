#include "mqtt_wire.hpp"

#include <functional>
#include <limits>

namespace anpr::receiver::mqtt_wire {
namespace {

constexpr std::uint8_t kPropSessionExpiry = 0x11;
constexpr std::uint8_t kPropServerKeepAlive = 0x13;
constexpr std::uint8_t kPropReceiveMaximum = 0x21;
constexpr std::uint8_t kPropTopicAlias = 0x23;
constexpr std::uint8_t kPropMaximumPacketSize = 0x27;
constexpr std::uint32_t kMaxVarint = 268'435'455;  // four bytes of seven bits

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void put_varint(std::string& out, std::uint32_t v) {
  do {
    auto byte = static_cast<std::uint8_t>(v % 128);
    v /= 128;
    if (v > 0) byte |= 0x80;
    out.push_back(static_cast<char>(byte));
  } while (v > 0);
}

/// Fixed header (type and flags, remaining length) in front of a body.
std::string framed(std::uint8_t first_byte, const std::string& body) {
  std::string out;
  out.reserve(body.size() + 5);
  out.push_back(static_cast<char>(first_byte));
  put_remaining_length(out, body.size());
  out += body;
  return out;
}

std::string hex(std::uint8_t v) {
  constexpr const char* kDigits = "0123456789abcdef";
  return std::string("0x") + kDigits[v >> 4] + kDigits[v & 0x0F];
}

/// Reads a packet body field by field; every read checks what is left.
class Cursor {
 public:
  Cursor(std::string_view data, const char* packet) : data_(data), packet_(packet) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint16_t u16() {
    const auto b = take(2);
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(b[0]) << 8) |
                                      static_cast<std::uint8_t>(b[1]));
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    for (const char c : take(4)) v = (v << 8) | static_cast<std::uint8_t>(c);
    return v;
  }
  std::uint32_t varint() {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint8_t byte = u8();
      v |= static_cast<std::uint32_t>(byte & 0x7F) << (7 * i);
      if ((byte & 0x80) == 0) return v;
    }
    fail("a variable-length integer longer than four bytes");
  }
  std::string_view string() { return take(u16()); }
  std::string_view take(std::size_t n) {
    if (n > data_.size() - pos_)
      fail("truncated (" + std::to_string(n) + " bytes wanted, " + std::to_string(data_.size() - pos_) +
           " left)");
    const std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }
  std::string_view rest() { return take(data_.size() - pos_); }
  [[nodiscard]] bool empty() const { return pos_ == data_.size(); }
  /// Reads a property block, handing each property's identifier to `on` with the cursor placed
  /// on its value; `on` reads the value and returns true, or returns false to have it skipped.
  void properties(const std::function<bool(std::uint8_t, Cursor&)>& on) {
    const std::uint32_t length = varint();
    Cursor block(take(length), packet_);
    while (!block.empty()) {
      const std::uint8_t id = block.u8();
      if (!on(id, block)) block.skip_property(id);
    }
  }
  [[noreturn]] void fail(const std::string& why) const { throw WireError(std::string(packet_) + ": " + why); }

 private:
  void skip_property(std::uint8_t id) {
    switch (id) {
      case 0x01:
      case 0x17:
      case 0x19:
      case 0x24:
      case 0x25:
      case 0x28:
      case 0x29:
      case 0x2A:
        take(1);
        return;
      case 0x13:
      case 0x21:
      case 0x22:
      case 0x23:
        take(2);
        return;
      case 0x02:
      case 0x11:
      case 0x18:
      case 0x27:
        take(4);
        return;
      case 0x0B:
        varint();
        return;
      case 0x03:
      case 0x08:
      case 0x09:
      case 0x12:
      case 0x15:
      case 0x16:
      case 0x1A:
      case 0x1C:
      case 0x1F:
        string();  // UTF-8 strings and binary data share the two-byte length
        return;
      case 0x26:
        string();
        string();
        return;
      default:
        fail("unknown property " + hex(id));
    }
  }

  std::string_view data_;
  const char* packet_;
  std::size_t pos_ = 0;
};

}  // namespace

void put_u16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xFF));
}

void put_string(std::string& out, std::string_view s) {
  if (s.size() > std::numeric_limits<std::uint16_t>::max())
    throw WireError("a string of " + std::to_string(s.size()) + " bytes is longer than MQTT allows");
  put_u16(out, static_cast<std::uint16_t>(s.size()));
  out.append(s);
}

void put_remaining_length(std::string& out, std::size_t length) {
  if (length > kMaxVarint) throw WireError("a packet of " + std::to_string(length) + " bytes");
  put_varint(out, static_cast<std::uint32_t>(length));
}

void PacketReader::append(const char* data, std::size_t size) {
  // Handed-out bytes are dropped once they are most of the buffer: appends stay amortised O(1).
  if (offset_ > 0 && offset_ * 2 >= buffer_.size()) {
    buffer_.erase(0, offset_);
    offset_ = 0;
  }
  buffer_.append(data, size);
}

std::optional<Packet> PacketReader::next() {
  const std::size_t available = buffer_.size() - offset_;
  std::size_t length = 0;
  std::size_t header = 1;
  for (;; ++header) {
    if (header > 4) throw WireError("packet length: longer than four bytes");
    if (header >= available) return std::nullopt;
    const auto byte = static_cast<std::uint8_t>(buffer_[offset_ + header]);
    length |= static_cast<std::size_t>(byte & 0x7F) << (7 * (header - 1));
    if ((byte & 0x80) == 0) break;
  }
  ++header;  // the type byte and the length bytes
  if (length > max_packet_bytes_)
    throw WireError("a packet of " + std::to_string(length) + " bytes, over the limit of " +
                    std::to_string(max_packet_bytes_));
  if (available < header + length) return std::nullopt;
  Packet packet{static_cast<std::uint8_t>(buffer_[offset_]), buffer_.substr(offset_ + header, length)};
  offset_ += header + length;
  return packet;
}

std::string connect_packet(const ConnectOptions& o) {
  std::string body;
  put_string(body, "MQTT");
  body.push_back(5);  // protocol level: MQTT 5
  std::uint8_t flags = 0;
  if (!o.username.empty()) flags |= 0x80;
  if (!o.password.empty()) flags |= 0x40;
  if (o.session_expiry_s == 0) flags |= 0x02;  // clean start only for a session that ends anyway
  body.push_back(static_cast<char>(flags));
  put_u16(body, o.keep_alive_s);
  std::string props;
  props.push_back(static_cast<char>(kPropSessionExpiry));
  put_u32(props, o.session_expiry_s);
  props.push_back(static_cast<char>(kPropReceiveMaximum));
  put_u16(props, o.receive_maximum);
  if (o.maximum_packet_bytes > 0) {
    props.push_back(static_cast<char>(kPropMaximumPacketSize));
    put_u32(props, o.maximum_packet_bytes);
  }
  put_varint(body, static_cast<std::uint32_t>(props.size()));
  body += props;
  put_string(body, o.client_id);
  if (!o.username.empty()) put_string(body, o.username);
  if (!o.password.empty()) put_string(body, o.password);
  return framed(0x10, body);
}

std::string subscribe_packet(std::uint16_t packet_id, const std::vector<std::string>& filters) {
  std::string body;
  put_u16(body, packet_id);
  body.push_back(0);  // no properties
  for (const std::string& f : filters) {
    put_string(body, f);
    body.push_back(1);  // QoS 1
  }
  return framed(0x82, body);
}

std::string publish_packet(std::string_view topic, std::string_view payload, std::uint16_t packet_id) {
  std::string body;
  body.reserve(topic.size() + payload.size() + 5);
  put_string(body, topic);
  put_u16(body, packet_id);
  body.push_back(0);  // no properties
  body.append(payload);
  return framed(0x32, body);  // PUBLISH, QoS 1
}

std::string puback_packet(std::uint16_t packet_id) {
  // Reason "success" and no properties may be left out (MQTT 5, 3.4.2.1): four bytes in all.
  std::string out{static_cast<char>(0x40), 2};
  put_u16(out, packet_id);
  return out;
}

std::string pingreq_packet() { return {static_cast<char>(0xC0), 0}; }

std::string disconnect_packet() { return {static_cast<char>(0xE0), 0}; }

Connack parse_connack(const Packet& packet) {
  Cursor c(packet.body, "CONNACK");
  Connack out;
  out.session_present = (c.u8() & 0x01) != 0;
  out.reason = c.u8();
  if (c.empty()) return out;  // a refusal may come without properties
  c.properties([&](std::uint8_t id, Cursor& value) {
    if (id == kPropReceiveMaximum) {
      out.receive_maximum = value.u16();
      if (out.receive_maximum == 0) value.fail("receive maximum 0");
      return true;
    }
    if (id == kPropServerKeepAlive) {
      out.server_keep_alive_s = value.u16();
      return true;
    }
    return false;
  });
  return out;
}

Suback parse_suback(const Packet& packet) {
  Cursor c(packet.body, "SUBACK");
  Suback out;
  out.packet_id = c.u16();
  c.properties([](std::uint8_t, Cursor&) { return false; });
  for (const char r : c.rest()) out.reasons.push_back(static_cast<std::uint8_t>(r));
  if (out.reasons.empty()) c.fail("no reason codes");
  return out;
}

Publish parse_publish(const Packet& packet) {
  Cursor c(packet.body, "PUBLISH");
  Publish out;
  out.qos = (packet.first_byte >> 1) & 0x03;
  if (out.qos == 3) c.fail("QoS 3");
  out.duplicate = (packet.first_byte & 0x08) != 0;
  out.topic = std::string(c.string());
  if (out.qos > 0) {
    out.packet_id = c.u16();
    if (out.packet_id == 0) c.fail("packet id 0");
  }
  c.properties([&](std::uint8_t id, Cursor&) {
    // The receiver never allows topic aliases (it sends no Topic Alias Maximum), so a broker
    // that uses one has left the protocol, and the message's topic is unknown.
    if (id == kPropTopicAlias) c.fail("a topic alias, which this client did not allow");
    return false;
  });
  if (out.topic.empty()) c.fail("empty topic");
  out.payload = std::string(c.rest());
  return out;
}

std::uint16_t parse_puback(const Packet& packet) {
  Cursor c(packet.body, "PUBACK");
  return c.u16();  // a reason code and properties may follow; a hit's PUBACK needs only its id
}

std::uint8_t parse_disconnect(const Packet& packet) {
  Cursor c(packet.body, "DISCONNECT");
  return c.empty() ? 0 : c.u8();
}

}  // namespace anpr::receiver::mqtt_wire
