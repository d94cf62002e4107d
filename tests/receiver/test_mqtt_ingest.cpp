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
#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "../support/tls_certificates.hpp"

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
  MqttSettings settings;
  settings.broker = broker.uri();
  settings.client_id = "test-receiver";
  std::thread service([&] { MqttIngest(settings, ingestor).run(stop); });

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

TEST_CASE("the receiver ingests over TLS with a client certificate and a password", "[mqtt][integration][ingest][tls]") {
  test::TempDir dir("anpr-receiver-tls");
  test::make_test_certificates(dir.path());
  const int tls_port = test::free_loopback_port();
  test::MosquittoBroker broker(test::tls_listener(tls_port, dir.path()));
  auto store = open_store((dir / "anpr.db").string());
  Ingestor ingestor(*store, IngestSettings{});
  MqttSettings tls;
  tls.broker = "ssl://127.0.0.1:" + std::to_string(tls_port);
  tls.client_id = "test-receiver-tls";
  tls.username = "cam1";
  tls.password = "correct horse";
  tls.ca_file = (dir / "ca.pem").string();
  tls.cert_file = (dir / "client.pem").string();
  tls.key_file = (dir / "client.key").string();
  std::atomic<bool> stop{false};
  std::thread service([&] { MqttIngest(tls, ingestor).run(stop); });

  mqtt::async_client edge(broker.uri(), "test-edge");  // the plain listener
  edge.connect()->wait();
  const ReadMessage r = test::sample_read("AB12CDE");
  // Until the receiver has subscribed, a read has nobody to go to: send until one is stored.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (store->read_count() == 0 && std::chrono::steady_clock::now() < deadline) {
    edge.publish(camera_topic(r.site_id, r.camera_id, TopicKind::kRead), encode(r), 1, false)->wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  stop = true;
  service.join();
  edge.disconnect()->wait();
  CHECK(store->read_count() == 1);  // and once only, however often it was sent
}
