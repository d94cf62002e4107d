// The MQTT 5 packets the receiver's ingest session reads from the broker
// (receiver/src/ingest/mqtt_wire.hpp): any bytes, cut in two as reads from a socket cut them, split
// into packets and each parsed as every kind the session reads. Only WireError may come out, and
// a PUBLISH that parses, sent again as we send one, parses back to the same message.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ingest/mqtt_wire.hpp"

namespace {

using namespace anpr::receiver::mqtt_wire;

template <class Parse>
void try_parse(Parse parse) {
  try {
    parse();
  } catch (const WireError&) {
    // A malformed packet, refused with its reason: what the session turns into a new connection.
  }
}

void check_publish(const Packet& packet) {
  Publish m;
  try {
    m = parse_publish(packet);
  } catch (const WireError&) {
    return;
  }
  if (m.qos != 1 || m.topic.size() > 65535) return;
  const std::string again = publish_packet(m.topic, m.payload, m.packet_id);
  PacketReader reader(again.size());
  reader.append(again.data(), again.size());
  const auto round_trip = reader.next();
  if (!round_trip) std::abort();
  const Publish back = parse_publish(*round_trip);
  if (back.topic != m.topic || back.payload != m.payload || back.packet_id != m.packet_id) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t cut = data[0] % size;
  const auto* bytes = reinterpret_cast<const char*>(data + 1);
  const std::size_t n = size - 1;
  PacketReader reader(64 * 1024);
  try {
    reader.append(bytes, std::min(cut, n));
    for (int part = 0; part < 2; ++part) {
      while (const auto packet = reader.next()) {
        check_publish(*packet);
        try_parse([&] { (void)parse_connack(*packet); });
        try_parse([&] { (void)parse_suback(*packet); });
        try_parse([&] { (void)parse_puback(*packet); });
        try_parse([&] { (void)parse_disconnect(*packet); });
      }
      if (part == 0) reader.append(bytes + std::min(cut, n), n - std::min(cut, n));
    }
  } catch (const WireError&) {
    // A length that is malformed or over the limit: the stream cannot go on.
  }
  return 0;
}
