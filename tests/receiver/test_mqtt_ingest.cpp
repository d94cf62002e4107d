// The receiver's ingest through a real mosquitto broker: QoS 1 redelivery is stored once, hits
// are published on anpr/v1/hits.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>

#include <mqtt/async_client.h>

#include "../support/mosquitto_broker.hpp"
#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "../support/tls_certificates.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/ingest/mqtt_ingest.hpp"

using namespace anpr;
using namespace anpr::receiver;
namespace fs = std::filesystem;

namespace {

/// The receiver's settings for `broker` (plain MQTT) as `client_id`.
MqttSettings plain_settings(const std::string& broker, const std::string& client_id) {
  MqttSettings settings;
  settings.broker = broker;
  settings.client_id = client_id;
  return settings;
}

/// MqttIngest into `ingestor` with `settings`, run on a thread of its own as serve runs it, until
/// stop() or the end of the scope.
class IngestThread {
 public:
  IngestThread(MqttSettings settings, Ingestor& ingestor)
      : settings_(std::move(settings)), thread_([this, &ingestor](const std::stop_token& stop) {
          MqttIngest(settings_, ingestor).run(stop);
        }) {}
  /// Asks the ingest to stop and waits for it.
  void stop() {
    thread_.request_stop();
    thread_.join();
  }

 private:
  MqttSettings settings_;
  std::jthread thread_;  ///< last: it starts once the settings are there
};

}  // namespace

TEST_CASE("reads through the broker are stored once and hits are published", "[mqtt][integration][ingest]") {
  test::MosquittoBroker broker;
  const fs::path db = anpr::test::scratch_dir() / ("anpr-mqtt-" + make_uuid() + ".db");
  auto store = open_store(db.string());
  store->replace_watchlist({"Stolen", "stolen-vehicle", 0, "#f00", "Stop"},
                           {{"Stolen", "AB12CDE", "stolen", "sup", 1, std::nullopt}});
  Ingestor ingestor(*store, IngestSettings{});
  IngestThread service(plain_settings(broker.uri(), "test-receiver"), ingestor);

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
  service.stop();
  CHECK(store->read_count() == 1);
  CHECK(ingestor.counters().duplicates == 1);
  CHECK(store->dead_letters(10).size() == 1);
  CHECK_FALSE(watcher.try_consume_message_for(&hit, std::chrono::milliseconds(300)));  // one hit, not two
  edge.disconnect()->wait();
  watcher.disconnect()->wait();
  fs::remove(db);
}

namespace {

/// The receiver's settings for the TLS listener of test::tls_listener, with the test certificates.
MqttSettings tls_settings(const fs::path& dir, int port, const std::string& client_id) {
  MqttSettings tls;
  tls.broker = "ssl://127.0.0.1:" + std::to_string(port);
  tls.client_id = client_id;
  tls.username = "cam1";
  tls.password = "correct horse";
  tls.ca_file = (dir / "ca.pem").string();
  tls.cert_file = (dir / "client.pem").string();
  tls.key_file = (dir / "client.key").string();
  return tls;
}

}  // namespace

TEST_CASE("the receiver ingests over TLS with a client certificate and a password",
          "[mqtt][integration][ingest][tls]") {
  test::TempDir dir("anpr-receiver-tls");
  test::make_test_certificates(dir.path());
  const int tls_port = test::free_loopback_port();
  test::MosquittoBroker broker(test::tls_listener(tls_port, dir.path()));
  auto store = open_store((dir / "anpr.db").string());
  Ingestor ingestor(*store, IngestSettings{});
  IngestThread service(tls_settings(dir.path(), tls_port, "test-receiver-tls"), ingestor);

  mqtt::async_client edge(broker.uri(), "test-edge");  // the plain listener
  edge.connect()->wait();
  const ReadMessage r = test::sample_read("AB12CDE");
  // Until the receiver has subscribed, a read has nobody to go to: send until one is stored.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (store->read_count() == 0 && std::chrono::steady_clock::now() < deadline) {
    edge.publish(camera_topic(r.site_id, r.camera_id, TopicKind::kRead), encode(r), 1, false)->wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  service.stop();
  edge.disconnect()->wait();
  CHECK(store->read_count() == 1);  // and once only, however often it was sent
}

TEST_CASE("over TLS the receiver refuses a broker whose certificate names another host",
          "[mqtt][integration][ingest][tls]") {
  // Regression: any certificate from the CA was taken as the broker's, so whoever held a camera's
  // client certificate could pose as the broker, take the reads and acknowledge them.
  test::TempDir dir("anpr-receiver-tls-host");
  test::make_test_certificates(dir.path());
  const int tls_port = test::free_loopback_port();
  std::string impostor = test::tls_listener(tls_port, dir.path());
  for (const auto& [from, to] :
       {std::pair{"server.pem", "client.pem"}, std::pair{"server.key", "client.key"}}) {
    impostor.replace(impostor.find(from), std::string(from).size(), to);  // a camera's certificate, CN cam1
  }
  test::MosquittoBroker broker(impostor);
  auto store = open_store((dir / "anpr.db").string());
  Ingestor ingestor(*store, IngestSettings{});
  IngestThread service(tls_settings(dir.path(), tls_port, "test-receiver-tls-host"), ingestor);
  mqtt::async_client edge(broker.uri(), "test-edge-host");  // the plain listener
  edge.connect()->wait();
  const ReadMessage r = test::sample_read("AB12CDE");
  for (int i = 0; i < 15; ++i) {
    edge.publish(camera_topic(r.site_id, r.camera_id, TopicKind::kRead), encode(r), 1, false)->wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  service.stop();
  edge.disconnect()->wait();
  CHECK(store->read_count() == 0);  // never connected, so nothing taken from the broker
}

TEST_CASE("two receivers on one shared subscription with PostgreSQL store every read exactly once",
          "[mqtt][integration][ingest][postgresql]") {
  test::MosquittoBroker broker;
  const std::string dsn = test::shared_postgres().create_database();
  test::TempDir images("anpr-receiver-share");
  struct Receiver {
    std::unique_ptr<Store> store;
    std::unique_ptr<Ingestor> ingestor;
    std::optional<IngestThread> ingest;  ///< last: however the test ends, it stops first
  };
  std::vector<Receiver> receivers(2);
  for (std::size_t i = 0; i < receivers.size(); ++i) {
    Receiver& r = receivers[i];
    r.store = open_store(dsn);
    r.ingestor =
        std::make_unique<Ingestor>(*r.store, IngestSettings{(images / std::to_string(i)).string(), {}, {}});
    MqttSettings s = plain_settings(broker.uri(), "test-receiver-" + std::to_string(i));
    s.share_group = "control-room";
    r.ingest.emplace(s, *r.ingestor);
  }
  // Both receivers' sessions must be subscribed before the reads go out.
  mqtt::async_client probe(broker.uri(), "test-probe");
  probe.connect()->wait();
  const ReadMessage first = test::sample_read("PR0BE01");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (receivers[0].store->read_count() == 0 && std::chrono::steady_clock::now() < deadline) {
    probe.publish(camera_topic(first.site_id, first.camera_id, TopicKind::kRead), encode(first), 1, false)
        ->wait();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the other sessions' subscriptions

  constexpr int kReads = 400;
  for (int i = 0; i < kReads; ++i) {
    const ReadMessage r = test::sample_read("AB" + std::to_string(10 + i % 90) + "CDE");
    probe.publish(camera_topic(r.site_id, r.camera_id, TopicKind::kRead), encode(r), 1, false)->wait();
  }
  const auto done_by = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (receivers[0].store->read_count() < kReads + 1 && std::chrono::steady_clock::now() < done_by) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& r : receivers) r.ingest->stop();
  probe.disconnect()->wait();
  CHECK(receivers[0].store->read_count() == kReads + 1);
  const auto a = receivers[0].ingestor->counters(), b = receivers[1].ingestor->counters();
  INFO("receiver 0 stored " << a.stored << ", receiver 1 stored " << b.stored);
  CHECK(a.stored > 0);
  CHECK(b.stored > 0);  // the group really split the stream
  CHECK(a.stored + b.stored == kReads + 1);
}

TEST_CASE("10,000 reads sent while the receiver is down are all stored once when it comes back",
          "[mqtt][integration][ingest][outage]") {
  // Regression: with mosquitto's default max_queued_messages (1,000) the broker silently dropped
  // every read beyond the first 1,000 queued for a stopped receiver, after the cameras had
  // deleted them from their spools. The broker here runs with the shipped settings.
  test::MosquittoBroker broker;
  test::TempDir dir("anpr-outage");
  auto store = open_store((dir / "anpr.db").string());
  Ingestor ingestor(*store, IngestSettings{});
  const MqttSettings settings = plain_settings(broker.uri(), "test-receiver-outage");
  {  // first start: the persistent session and its subscriptions exist, then the receiver stops
    IngestThread service(settings, ingestor);
    std::this_thread::sleep_for(std::chrono::seconds(1));
    service.stop();
  }
  constexpr int kReads = 10'000;
  std::set<std::string> sent;
  {
    mqtt::async_client edge(broker.uri(), "test-edge-outage", mqtt::create_options(MQTTVERSION_3_1_1),
                            nullptr);
    edge.connect()->wait();
    const std::string topic = camera_topic("coalville", "cam1", TopicKind::kRead);
    std::vector<mqtt::delivery_token_ptr> window;
    for (int i = 0; i < kReads; ++i) {
      ReadMessage r = test::sample_read("AB" + std::to_string(10 + i % 90) + "CDE");
      sent.insert(r.read_id);
      window.push_back(edge.publish(topic, encode(r), 1, false));
      if (window.size() == 100) {  // every one acknowledged by the broker, as a camera's spool waits for
        for (auto& t : window) t->wait();
        window.clear();
      }
    }
    for (auto& t : window) t->wait();
    edge.disconnect()->wait();
  }
  REQUIRE(sent.size() == kReads);
  IngestThread service(settings, ingestor);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (store->read_count() < kReads && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more (no duplicates) arrives
  service.stop();
  CHECK(store->read_count() == kReads);
  CHECK(ingestor.counters().stored == kReads);
  CHECK(ingestor.counters().rejected == 0);
  CHECK(ingestor.counters().behind_ms >= 0);
}

TEST_CASE("a read that can never be stored is set aside whole and the reads behind it are stored",
          "[mqtt][integration][ingest][rejects]") {
  // Regression: a message whose storing always failed was retried for ever, unacknowledged, and
  // every read behind it waited with it: one bad read stopped a control room's ingest.
  test::MosquittoBroker broker;
  test::TempDir dir("anpr-poison");
  auto store = open_store((dir / "anpr.db").string());
  IngestSettings ingest_settings;
  ingest_settings.data_dir = dir.path().string();
  Ingestor ingestor(*store, ingest_settings);
  // The poison read was captured on a day whose image folder cannot be made (a file stands in its
  // place); the read behind it, a day later, can be stored.
  ReadMessage poison = test::sample_read("AB12CDE", "cam1", 1795590299000);
  std::vector<std::uint8_t> overview(100'000, 0x20);  // more than a rejected message's share is kept
  overview[0] = 0xFF;
  overview[1] = 0xD8;
  overview[2] = 0xFF;
  overview[overview.size() - 2] = 0xFF;
  overview.back() = 0xD9;
  poison.overview_jpeg = overview;
  const ReadMessage behind = test::sample_read("XY65ZZT", "cam1", 1795590299000 + 86'400'000);
  const fs::path day = dir / "images" / to_iso8601(poison.captured_at).substr(0, 10);
  fs::create_directories(day.parent_path());
  std::ofstream(day) << "in the way";

  IngestThread service(plain_settings(broker.uri(), "test-receiver-poison"), ingestor);
  mqtt::async_client edge(broker.uri(), "test-edge-poison");
  edge.connect()->wait();
  const std::string topic = camera_topic("coalville", "cam1", TopicKind::kRead);
  const std::string poison_payload = encode(poison);
  edge.publish(topic, poison_payload, 1, false)->wait();
  edge.publish(topic, encode(behind), 1, false)->wait();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (store->read_count() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  service.stop();
  edge.disconnect()->wait();
  CHECK(store->read_count() == 1);  // the read behind it
  CHECK(ingestor.counters().set_aside == 1);
  const auto letters = store->dead_letters(10);
  REQUIRE(letters.size() == 1);
  CHECK_THAT(letters[0].reason, Catch::StartsWith("not stored after 6 attempts"));
  CHECK(letters[0].payload_bytes == poison_payload.size());  // whole: it can be sent again once fixed
}
