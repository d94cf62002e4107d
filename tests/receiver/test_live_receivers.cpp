// The live feed across receivers sharing one PostgreSQL database: a hit that another receiver
// process (the real `anpr-receiver serve`, fed by a real mosquitto) stores reaches the screens of
// this one through NOTIFY; this one never reads the store for it.
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

#include <mqtt/async_client.h>

#include "../support/child_process.hpp"
#include "../support/eventually.hpp"
#include "../support/http_client.hpp"
#include "../support/live_socket.hpp"
#include "../support/mosquitto_broker.hpp"
#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/web/web_server.hpp"

using namespace anpr;
using namespace anpr::receiver;
using namespace std::chrono_literals;

namespace {

const std::string kReceiver = std::string(ANPR_BIN_DIR) + "/anpr-receiver";
constexpr const char* kPassword = "correct-horse-battery";

}  // namespace

TEST_CASE("a hit another receiver process stores reaches this receiver's live screens through NOTIFY",
          "[integration][live][postgresql]") {
  test::MosquittoBroker broker;
  test::TempDir dir("anpr-live-receivers");
  const std::string dsn = test::shared_postgres().create_database();
  auto store = open_store(dsn);
  add_user(*store, "olly", web::Role::kOperator, kPassword, {"test", "", now_ms()});
  anpr::test::add_stolen_list(*store);

  // Receiver A: its web side here, on its own connection, following the other receivers.
  auto web_store = open_store(dsn);
  web::WebSettings settings;
  settings.port = 0;
  web::WebServer a(*web_store, settings);
  a.follow_other_receivers(dsn);
  test::HttpClient desk(a.port());
  REQUIRE(desk.login("olly", kPassword).status == 200);
  test::LiveSocket live(a.port(), desk.cookie, "http://" + desk.host());
  REQUIRE(live.open());
  REQUIRE(live.next("hello"));

  // Receiver B: the real program, serving no pages, ingesting what a camera publishes.
  test::ChildProcess b({kReceiver, "serve", "--broker", broker.uri(), "--database", dsn, "--data-dir",
                        dir.path().string(), "--client-id", "receiver-b", "--http", "off"},
                       (dir / "receiver-b.log").string());
  REQUIRE(test::logs_eventually(b, "ingesting from", 30s));
  mqtt::async_client camera(broker.uri(), "test-camera");
  camera.connect()->wait();
  const ReadMessage read = test::sample_read("AB12CDE", "cam1", now_ms());
  // Sent again until B has stored it (its subscription may still be on its way): the read id
  // stores it, and raises its hit, once.
  const bool stored = test::eventually(
      [&] {
        camera.publish(camera_topic(read.site_id, read.camera_id, TopicKind::kRead), encode(read), 1, false)
            ->wait();
        return store->read_count() == 1;
      },
      30s);
  INFO(b.log());
  REQUIRE(stored);
  const auto hit = live.next("hit", 10s);
  REQUIRE(hit);
  CHECK((*hit)["hit"]["read_id"] == read.read_id);
  CHECK((*hit)["hit"]["list"] == "Stolen");
  CHECK((*hit)["hit"]["colour"] == "#f00");
  CHECK_FALSE(live.next("hit", 1s));  // once
  camera.disconnect()->wait();
  b.signal(SIGTERM);
  CHECK(b.wait(20s) == std::optional<int>(0));
}
