// The message schema through a real mosquitto broker with the Paho MQTT C++ client: what the
// edge encodes and publishes is what the receiver's decoder gets back.
#include <catch2/catch.hpp>

#include <mqtt/async_client.h>

#include "../support/mosquitto_broker.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"

using namespace anpr;

namespace {

mqtt::connect_options options() {
  return mqtt::connect_options_builder()
      .clean_session(true)
      .connect_timeout(std::chrono::seconds(5))
      .finalize();
}

ReadMessage sample_read() {
  ReadMessage m;
  m.read_id = make_uuid();
  m.camera_id = "cam1";
  m.site_id = "coalville";
  m.first_seen = m.captured_at = m.last_seen = 1795590299000;
  m.plate = "AB12CDE";
  m.confidence = 0.97;
  m.char_confidences = std::vector<double>(7, 0.97);
  m.format = "gb-current";
  m.country = "GB";
  m.box = {1, 2, 3, 4};
  m.crop_jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xD9};
  return m;
}

}  // namespace

TEST_CASE("a read published with QoS 1 arrives intact and decodes", "[mqtt][integration]") {
  test::MosquittoBroker broker;
  mqtt::async_client subscriber(broker.uri(), "test-receiver");
  subscriber.start_consuming();
  subscriber.connect(options())->wait();
  subscriber.subscribe(topic_filter(TopicKind::kRead), 1)->wait();

  mqtt::async_client publisher(broker.uri(), "test-edge");
  publisher.connect(options())->wait();
  const ReadMessage sent = sample_read();
  publisher.publish(camera_topic(sent.site_id, sent.camera_id, TopicKind::kRead), encode(sent), 1, false)
      ->wait();

  mqtt::const_message_ptr received;
  REQUIRE(subscriber.try_consume_message_for(&received, std::chrono::seconds(5)));
  REQUIRE(received);
  const auto topic = parse_camera_topic(received->get_topic());
  REQUIRE(topic);
  CHECK(topic->camera_id == "cam1");
  const auto decoded = decode_read(received->to_string());
  REQUIRE(decoded.ok());
  CHECK(decoded.value() == sent);
  publisher.disconnect()->wait();
  subscriber.disconnect()->wait();
}

TEST_CASE("a retained status reaches a late subscriber", "[mqtt][integration]") {
  test::MosquittoBroker broker;
  const StatusMessage status{"cam2", "ashby", CameraState::kOnline, 1795590299000, "0.1.0"};
  mqtt::async_client publisher(broker.uri(), "test-edge-2");
  publisher.connect(options())->wait();
  publisher.publish(camera_topic("ashby", "cam2", TopicKind::kStatus), encode(status), 1, true)->wait();
  publisher.disconnect()->wait();

  mqtt::async_client late(broker.uri(), "test-late");
  late.start_consuming();
  late.connect(options())->wait();
  late.subscribe(topic_filter(TopicKind::kStatus), 1)->wait();
  mqtt::const_message_ptr received;
  REQUIRE(late.try_consume_message_for(&received, std::chrono::seconds(5)));
  CHECK(received->is_retained());
  const auto decoded = decode_status(received->to_string());
  REQUIRE(decoded.ok());
  CHECK(decoded.value() == status);
  late.disconnect()->wait();
}
