// The receiver's ingest through a real mosquitto broker: QoS 1 redelivery is stored once, hits
// are published on anpr/v1/hits.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include <mqtt/async_client.h>

#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/mqtt_ingest.hpp"
#include "../support/mosquitto_broker.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;

TEST_CASE("reads through the broker are stored once and hits are published", "[mqtt][integration][ingest]") {
  test::MosquittoBroker broker;
  const fs::path db = fs::temp_directory_path() / ("anpr-mqtt-" + make_uuid() + ".db");
  auto store = open_store(db.string());
  store->replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                           {{"Stolen", "AB12CDE", "stolen", "sup", 1, std::nullopt}});
  Ingestor ingestor(*store, IngestSettings{});
  std::atomic<bool> stop{false};
  std::thread service([&] { MqttIngest(MqttSettings{broker.uri(), "test-receiver", "", "", "", 20}, ingestor).run(stop); });

  mqtt::async_client watcher(broker.uri(), "test-hit-watcher");
  watcher.start_consuming();
  watcher.connect()->wait();
  watcher.subscribe(std::string(kHitsTopic), 1)->wait();

  mqtt::async_client edge(broker.uri(), "test-edge");
  edge.connect()->wait();
  ReadMessage r;
  r.read_id = make_uuid();
  r.camera_id = "cam1";
  r.site_id = "coalville";
  r.first_seen = r.captured_at = r.last_seen = now_ms();
  r.plate = "AB12CDE";
  r.confidence = 0.95;
  r.char_confidences = std::vector<double>(7, 0.95);
  r.box = {1, 1, 10, 5};
  r.crop_jpeg = {0xFF, 0xD8, 0xFF, 0xD9};
  const std::string topic = camera_topic("coalville", "cam1", TopicKind::kRead);
  edge.publish(topic, encode(r), 1, false)->wait();
  edge.publish(topic, encode(r), 1, false)->wait();  // a spool replay of the same read
  edge.publish(topic, "{ not json", 1, false)->wait();

  mqtt::const_message_ptr hit;
  REQUIRE(watcher.try_consume_message_for(&hit, std::chrono::seconds(10)));
  const auto decoded = decode_hit(hit->to_string());
  REQUIRE(decoded.ok());
  CHECK(decoded.value().read_id == r.read_id);
  CHECK(decoded.value().list == "Stolen");

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ingestor.counters().rejected < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  service.join();
  CHECK(store->read_count() == 1);
  CHECK(ingestor.counters().duplicates == 1);
  CHECK(store->dead_letters(10).size() == 1);
  CHECK_FALSE(watcher.try_consume_message_for(&hit, std::chrono::milliseconds(300)));  // one hit, not two
  edge.disconnect()->wait();
  watcher.disconnect()->wait();
  fs::remove(db);
}
