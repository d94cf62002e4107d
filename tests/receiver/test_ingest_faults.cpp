// Batched ingest under a crash: `anpr-receiver serve` (the real program, SQLite) killed with
// SIGKILL while reads stream in and batches are being taken and committed. The broker (real
// mosquitto) delivers again whatever was not acknowledged, and the store keeps each read id once:
// after a restart every read sent is stored exactly once.
#include <catch2/catch.hpp>

#include <csignal>
#include <exception>
#include <filesystem>
#include <set>
#include <thread>

#include <mqtt/async_client.h>
#include <sqlite3.h>

#include "../support/child_process.hpp"
#include "../support/mosquitto_broker.hpp"
#include "../support/sample_messages.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"

using namespace anpr;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kReceiver = std::string(ANPR_BIN_DIR) + "/anpr-receiver";

template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within * test::kSanitizerSlowdown;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

/// The read ids in the database, read as another program would while the receiver writes (WAL).
std::multiset<std::string> stored_read_ids(const fs::path& database) {
  std::multiset<std::string> ids;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT read_id FROM reads", -1, &stmt, nullptr) == SQLITE_OK) {
      while (sqlite3_step(stmt) == SQLITE_ROW)
        ids.insert(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  return ids;
}

std::size_t stored_count(const fs::path& database) { return stored_read_ids(database).size(); }

/// Publishes `reads` at QoS 1 as a camera's spool does: each one acknowledged by the broker, a
/// window of them in flight. Returns the read ids sent.
std::set<std::string> publish_reads(const std::string& broker, int reads) {
  mqtt::async_client edge(broker, "test-edge-kill", mqtt::create_options(MQTTVERSION_3_1_1), nullptr);
  edge.connect()->wait();
  const std::string topic = camera_topic("coalville", "cam1", TopicKind::kRead);
  std::set<std::string> sent;
  std::vector<mqtt::delivery_token_ptr> window;
  for (int i = 0; i < reads; ++i) {
    const ReadMessage r = test::sample_read("AB" + std::to_string(10 + i % 90) + "CDE");
    sent.insert(r.read_id);
    window.push_back(edge.publish(topic, encode(r), 1, false));
    if (window.size() == 100) {  // Paho's own limit of messages in flight
      for (auto& t : window) t->wait();
      window.clear();
    }
  }
  for (auto& t : window) t->wait();
  edge.disconnect()->wait();
  return sent;
}

}  // namespace

TEST_CASE("a receiver killed with SIGKILL mid-batch loses no read and stores none twice",
          "[mqtt][integration][ingest][faults]") {
  const fs::path dir = test::scratch_dir() / ("ingest-kill-" + make_uuid());
  fs::create_directories(dir);
  test::MosquittoBroker broker;
  const fs::path database = dir / "anpr.db";
  const std::vector<std::string> args{kReceiver, "serve",       "--broker",  broker.uri(), "--database",
                                      database,  "--client-id", "kill-test", "--http",     "off"};
  test::ChildProcess first(args, (dir / "receiver-1.log").string());
  REQUIRE(eventually([&] { return first.log().find("ingesting from") != std::string::npos; }, 30s));

  constexpr int kReads = 20'000;
  std::set<std::string> sent;
  std::exception_ptr camera_error;
  std::thread camera([&] {
    try {
      sent = publish_reads(broker.uri(), kReads);
    } catch (...) {
      camera_error = std::current_exception();
    }
  });
  // Killed once some batches are committed, while reads still stream in: batches are then being
  // filled and committed, with reads delivered to it that it has not acknowledged.
  const bool some_stored = eventually([&] { return stored_count(database) >= 2'000; }, 60s);
  first.signal(SIGKILL);
  CHECK(first.wait(10s) == std::optional<int>(128 + SIGKILL));
  camera.join();
  if (camera_error) std::rethrow_exception(camera_error);
  REQUIRE(some_stored);
  const std::size_t stored_at_kill = stored_count(database);
  INFO("stored when killed: " << stored_at_kill);
  REQUIRE(stored_at_kill < kReads);  // the kill came mid-stream
  REQUIRE(sent.size() == kReads);

  test::ChildProcess second(args, (dir / "receiver-2.log").string());
  CHECK(eventually([&] { return stored_count(database) >= kReads; }, 120s));
  std::this_thread::sleep_for(1s);  // a redelivery still on its way would land now
  second.signal(SIGTERM);
  CHECK(second.wait(20s) == std::optional<int>(0));
  const std::multiset<std::string> stored = stored_read_ids(database);
  CHECK(stored.size() == kReads);                                      // nothing lost, nothing twice
  CHECK(std::set<std::string>(stored.begin(), stored.end()) == sent);  // and exactly the reads sent
}
