// The load generator's own encoding and publishing (receiver/src/cli): payloads made from a
// template are the bytes encode() gives, and the MQTT 3.1.1 publisher keeps to its window and
// waits for every PUBACK, against a broker played here on a socket.
#include <catch2/catch.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <string>
#include <thread>
#include <vector>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "loadgen_publisher.hpp"
#include "mqtt_wire.hpp"
#include "read_payloads.hpp"

using namespace anpr;
using namespace anpr::receiver::cli;
namespace asio = boost::asio;

namespace {

ReadMessage prototype() {
  return loadgen_read_prototype(
      Bytes{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00, 0xFF, 0xD9}, std::nullopt);
}

ReadMessage with_values(ReadMessage m, const std::string& read_id, const std::string& camera,
                        const std::string& plate, TimestampMs at, double char_confidence) {
  m.read_id = read_id;
  m.camera_id = camera;
  m.plate = plate;
  m.char_confidences.assign(plate.size(), char_confidence);
  m.captured_at = m.first_seen = m.last_seen = at;
  return m;
}

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int v : values) out.push_back(static_cast<char>(v));
  return out;
}

/// A broker on a loopback port for one connection: CONNACK, then PUBACKs for the PUBLISHes
/// waiting, only once `hold` of them wait or the `total` expected have come.
class FakeBroker {
 public:
  FakeBroker(std::size_t hold, std::size_t total) : hold_(hold), total_(total) {
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeBroker() { join(); }
  /// Until the connection is over: what it saw can be read then.
  void join() {
    if (thread_.joinable()) thread_.join();
  }
  FakeBroker(const FakeBroker&) = delete;
  FakeBroker& operator=(const FakeBroker&) = delete;
  [[nodiscard]] std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }
  std::vector<std::string> payloads;  // in arrival order; read after the publisher finished
  std::size_t most_unacknowledged = 0;
  bool disconnected = false;

 private:
  void serve() {
    asio::ip::tcp::socket socket(ioc_);
    acceptor_.accept(socket);
    receiver::mqtt_wire::PacketReader reader(1 << 20);
    std::vector<std::uint16_t> unacknowledged;
    std::vector<char> buffer(4096);
    for (;;) {
      boost::system::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      if (ec) return;
      reader.append(buffer.data(), n);
      while (const auto packet = reader.next()) {
        if (packet->first_byte == 0x10) asio::write(socket, asio::buffer(bytes({0x20, 2, 0, 0})));
        if (packet->first_byte == 0xE0) disconnected = true;
        if (packet->first_byte == 0x32) {
          // Topic (length-prefixed), packet id, payload.
          const std::size_t topic =
              (static_cast<std::uint8_t>(packet->body[0]) << 8) | static_cast<std::uint8_t>(packet->body[1]);
          unacknowledged.push_back(
              static_cast<std::uint16_t>((static_cast<std::uint8_t>(packet->body[2 + topic]) << 8) |
                                         static_cast<std::uint8_t>(packet->body[3 + topic])));
          payloads.push_back(packet->body.substr(4 + topic));
          most_unacknowledged = std::max(most_unacknowledged, unacknowledged.size());
        }
      }
      if (!unacknowledged.empty() && (unacknowledged.size() >= hold_ || payloads.size() == total_)) {
        std::string acks;
        for (const std::uint16_t id : unacknowledged) acks += bytes({0x40, 2, id >> 8, id & 0xFF});
        asio::write(socket, asio::buffer(acks));
        unacknowledged.clear();
      }
      if (disconnected) return;
    }
  }

  std::size_t hold_, total_;
  asio::io_context ioc_;
  asio::ip::tcp::acceptor acceptor_{ioc_, {asio::ip::make_address("127.0.0.1"), 0}};
  unsigned short port_ = acceptor_.local_endpoint().port();
  std::thread thread_;
};

}  // namespace

TEST_CASE("loadgen's payloads are the bytes encode() gives for the same read", "[loadgen]") {
  ReadMessage with_overview = prototype();
  with_overview.overview_jpeg = Bytes{0xFF, 0xD8, 0xFF, 0xE1, 0x02, 0xFF, 0xD9};
  for (const ReadMessage& proto : {prototype(), with_overview}) {
    const ReadPayloads payloads(proto, 0.9);
    for (const std::string plate : {"A", "AB12CDE", "HT00HIT", "ABCDEFGH1234"}) {
      const ReadMessage m =
          with_values(proto, "0b7e6f4c-2d3a-4e5f-8a9b-0c1d2e3f4a5b", "cam17", plate, 1'780'000'000'123, 0.9);
      const std::string payload = payloads.payload(m.read_id, m.camera_id, m.plate, m.captured_at);
      CHECK(payload == encode(m));
      const auto decoded = decode_read(payload);
      REQUIRE(decoded.ok());
      CHECK(decoded.value() == m);
    }
  }
}

TEST_CASE("loadgen's payloads refuse values that JSON would have to escape", "[loadgen]") {
  const ReadPayloads payloads(prototype(), 0.9);
  CHECK_THROWS_AS(payloads.payload("id\"", "cam1", "AB12CDE", 1'780'000'000'000), std::invalid_argument);
  CHECK_THROWS_AS(payloads.payload("id", "cam1", "ab12cde", 1'780'000'000'000), std::invalid_argument);
  CHECK_THROWS_AS(payloads.payload("id", "cam1", "", 1'780'000'000'000), std::invalid_argument);
}

TEST_CASE("loadgen's MQTT 3.1.1 packets, byte for byte", "[loadgen][mqtt]") {
  CHECK(mqtt311::connect_packet("lg", 60) ==
        bytes({0x10, 14, 0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60, 0, 2, 'l', 'g'}));
  std::string out;
  mqtt311::append_publish(out, "a/b", "xyz", 0x0102);
  mqtt311::append_publish(out, "c", std::string(200, 'p'), 7);
  CHECK(out.substr(0, 12) == bytes({0x32, 10, 0, 3, 'a', '/', 'b', 1, 2, 'x', 'y', 'z'}));
  // 1 + 2 + 2 + 200 = 205 bytes: the remaining length takes two bytes (205 = 0x4D + 1 * 128).
  CHECK(out.substr(12, 8) == bytes({0x32, 0xCD, 0x01, 0, 1, 'c', 0, 7}));
  CHECK(out.size() == 12 + 3 + 205);
  CHECK(mqtt311::disconnect_packet() == bytes({0xE0, 0}));
}

TEST_CASE("loadgen's publisher keeps to its window and waits for every PUBACK", "[loadgen][mqtt]") {
  // The broker acknowledges only once 5 publishes wait (or the last of the 23 came): a window of 5
  // is filled, written and waited on; a publisher that waited before writing would hang here.
  constexpr int kReads = 23;
  FakeBroker broker(5, kReads);
  LoadgenPublisher publisher(broker.uri(), "loadgen-test", 5);
  for (int i = 0; i < kReads; ++i) {
    publisher.publish("anpr/v1/s/c/read", "payload-" + std::to_string(i));
    if (i % 3 == 0) publisher.flush();
    CHECK(publisher.unacknowledged() <= 5);
  }
  publisher.finish();
  CHECK(publisher.unacknowledged() == 0);
  broker.join();
  CHECK(broker.disconnected);
  CHECK(broker.most_unacknowledged == 5);
  REQUIRE(broker.payloads.size() == kReads);
  for (int i = 0; i < kReads; ++i)
    CHECK(broker.payloads[static_cast<std::size_t>(i)] == "payload-" + std::to_string(i));
}

TEST_CASE("loadgen's publisher refuses a packet MQTT cannot carry and goes on", "[loadgen][mqtt]") {
  FakeBroker broker(2, 2);
  LoadgenPublisher publisher(broker.uri(), "loadgen-test", 5);
  publisher.publish("anpr/v1/s/c/read", "first");
  CHECK_THROWS_AS(publisher.publish(std::string(70'000, 't'), "too long a topic"), Error);
  publisher.publish("anpr/v1/s/c/read", "second");
  publisher.finish();
  broker.join();
  CHECK(broker.payloads == std::vector<std::string>{"first", "second"});
}

TEST_CASE("loadgen's publisher refuses TLS and says when nothing listens", "[loadgen][mqtt]") {
  CHECK_THROWS_AS(LoadgenPublisher("ssl://127.0.0.1:8883", "loadgen-test", 10), Error);
  // A port just closed: nothing listens there.
  unsigned short port = 0;
  {
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  CHECK_THROWS_AS(LoadgenPublisher("tcp://127.0.0.1:" + std::to_string(port), "loadgen-test", 10), Error);
}
