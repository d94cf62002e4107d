// The MQTT 5 packets of the receiver's ingest session (receiver/src/ingest/mqtt_wire.hpp): what it
// sends byte for byte where the spec fixes it, and bytes from the network that break the protocol
// refused with a reason, never read past their end.
#include <catch2/catch.hpp>

#include <string>

#include "mqtt_wire.hpp"

using namespace anpr::receiver::mqtt_wire;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values) out.push_back(static_cast<char>(v));
  return out;
}

Packet only_packet(const std::string& stream) {
  PacketReader reader(1024);
  reader.append(stream.data(), stream.size());
  auto packet = reader.next();
  REQUIRE(packet);
  REQUIRE_FALSE(reader.next());
  return *packet;
}

}  // namespace

TEST_CASE("a PUBACK is four bytes: type, length 2, packet id", "[mqtt][wire]") {
  CHECK(puback_packet(0x1234) == bytes({0x40, 0x02, 0x12, 0x34}));
  CHECK(pingreq_packet() == bytes({0xC0, 0x00}));
  CHECK(disconnect_packet() == bytes({0xE0, 0x00}));
}

TEST_CASE("CONNECT asks for MQTT 5, a persistent session and a receive maximum", "[mqtt][wire]") {
  ConnectOptions o;
  o.client_id = "rx";
  o.username = "u";
  o.password = "p";
  o.keep_alive_s = 20;
  o.session_expiry_s = 604800;
  o.receive_maximum = 1000;
  const Packet p = only_packet(connect_packet(o));
  CHECK(p.type() == PacketType::kConnect);
  const std::string expected = bytes({0x00, 0x04, 'M',  'Q',  'T',  'T',  5,
                                      0xC0,                          // user name and password, no clean start
                                      0x00, 20,                      // keep alive
                                      8,                             // properties
                                      0x11, 0x00, 0x09, 0x3A, 0x80,  // session expiry 604800
                                      0x21, 0x03, 0xE8,              // receive maximum 1000
                                      0x00, 0x02, 'r',  'x',  0x00, 0x01, 'u', 0x00, 0x01, 'p'});
  CHECK(p.body == expected);
}

TEST_CASE("a PUBLISH from the broker is read with its packet id and payload", "[mqtt][wire]") {
  // QoS 1, DUP set; topic "a/b", id 7, one property (payload format 1), payload "hi".
  const Packet p =
      only_packet(bytes({0x3A, 12, 0x00, 0x03, 'a', '/', 'b', 0x00, 0x07, 0x02, 0x01, 0x01, 'h', 'i'}));
  const Publish m = parse_publish(p);
  CHECK(m.topic == "a/b");
  CHECK(m.packet_id == 7);
  CHECK(m.qos == 1);
  CHECK(m.duplicate);
  CHECK(m.payload == "hi");
}

TEST_CASE("what we publish reads back as the same message", "[mqtt][wire]") {
  const std::string payload(300, 'x');  // a two-byte remaining length
  const Publish m = parse_publish(only_packet(publish_packet("anpr/v1/hits", payload, 65535)));
  CHECK(m.topic == "anpr/v1/hits");
  CHECK(m.packet_id == 65535);
  CHECK(m.qos == 1);
  CHECK(m.payload == payload);
}

TEST_CASE("packets split anywhere across reads come out whole and in order", "[mqtt][wire]") {
  const std::string stream = publish_packet("t", "one", 1) + puback_packet(9) + publish_packet("t", "two", 2);
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    PacketReader reader(1024);
    reader.append(stream.data(), cut);
    std::vector<Packet> out;
    while (auto p = reader.next()) out.push_back(*p);
    reader.append(stream.data() + cut, stream.size() - cut);
    while (auto p = reader.next()) out.push_back(*p);
    REQUIRE(out.size() == 3);
    CHECK(parse_publish(out[0]).payload == "one");
    CHECK(parse_puback(out[1]) == 9);
    CHECK(parse_publish(out[2]).payload == "two");
  }
}

TEST_CASE("CONNACK gives the broker's receive maximum, keep-alive and refusals", "[mqtt][wire]") {
  const Connack ok =
      parse_connack(only_packet(bytes({0x20, 9, 0x01, 0x00, 6, 0x21, 0x00, 0x14, 0x13, 0x00, 0x3C})));
  CHECK(ok.session_present);
  CHECK(ok.reason == 0);
  CHECK(ok.receive_maximum == 20);
  CHECK(ok.server_keep_alive_s == std::optional<std::uint16_t>(60));
  const Connack refused = parse_connack(only_packet(bytes({0x20, 2, 0x00, 0x87})));
  CHECK(refused.reason == 0x87);
  CHECK(refused.receive_maximum == 65535);
}

TEST_CASE("SUBACK lists a reason per filter", "[mqtt][wire]") {
  const Suback s = parse_suback(only_packet(bytes({0x90, 5, 0x00, 0x01, 0x00, 0x01, 0x87})));
  CHECK(s.packet_id == 1);
  CHECK(s.reasons == std::vector<std::uint8_t>{0x01, 0x87});
}

TEST_CASE("malformed packets from the network are refused with the reason", "[mqtt][wire]") {
  using Catch::Contains;
  // A topic length running past the end of the packet.
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x32, 4, 0x00, 0x09, 'a', 'b'}))),
                    Contains("truncated"));
  // QoS 1 without room for the packet id.
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x32, 3, 0x00, 0x01, 'a'}))), Contains("truncated"));
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x32, 5, 0x00, 0x01, 'a', 0x00, 0x00}))),
                    Contains("packet id 0"));
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x36, 5, 0x00, 0x01, 'a', 0x00, 0x01}))),
                    Contains("QoS 3"));
  // A property length longer than what follows, and an unknown property.
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x30, 5, 0x00, 0x01, 'a', 0x09, 'x'}))),
                    Contains("truncated"));
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x30, 6, 0x00, 0x01, 'a', 0x01, 0x7F, 'x'}))),
                    Contains("unknown property"));
  // A topic alias (never allowed by this client) and an empty topic.
  CHECK_THROWS_WITH(parse_publish(only_packet(bytes({0x30, 6, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01}))),
                    Contains("topic alias"));
  CHECK_THROWS_WITH(parse_suback(only_packet(bytes({0x90, 3, 0x00, 0x01, 0x00}))),
                    Contains("no reason codes"));
  CHECK_THROWS_WITH(parse_connack(only_packet(bytes({0x20, 1, 0x00}))), Contains("truncated"));
}

TEST_CASE("packet lengths that are malformed or over the limit stop the stream", "[mqtt][wire]") {
  PacketReader too_long_length(1024);
  const std::string five_byte_length = bytes({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x01});
  too_long_length.append(five_byte_length.data(), five_byte_length.size());
  CHECK_THROWS_WITH(too_long_length.next(), Catch::Contains("longer than four bytes"));
  PacketReader limited(100);
  const std::string big = publish_packet("t", std::string(200, 'x'), 1);
  limited.append(big.data(), 3);  // the length alone is enough to refuse it, before the body comes
  CHECK_THROWS_WITH(limited.next(), Catch::Contains("over the limit of 100"));
}
