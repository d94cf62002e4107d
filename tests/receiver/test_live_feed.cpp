// The live feed pushed, not polled: what ingest stores reaches the screens without the web
// server reading the store, and what another receiver sharing the PostgreSQL database stores
// reaches them through NOTIFY. Real parts throughout: PostgreSQL, the web server on loopback, a
// WebSocket client.

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <mutex>

#include <pqxx/pqxx>

#include "../support/http_client.hpp"
#include "../support/live_socket.hpp"
#include "../support/postgres_server.hpp"
#include "../support/sample_messages.hpp"
#include "../support/sample_store.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"
#include "anpr/receiver/services/live_notices.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/store/notice_listener.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/web/live_views.hpp"
#include "anpr/receiver/web/web_server.hpp"
#include "live_feed.hpp"

using namespace anpr;
using namespace anpr::receiver;
using anpr::test::HttpClient;
using anpr::test::LiveSocket;

namespace {

constexpr const char* kPassword = "correct-horse-battery";

/// A PostgreSQL database with a user, a watchlisted plate and a registered camera.
std::string prepared_database() {
  const std::string dsn = test::shared_postgres().create_database();
  auto store = open_store(dsn);
  add_user(*store, "olly", web::Role::kOperator, kPassword, {"test", "", now_ms()});
  anpr::test::add_stolen_list_and_camera(*store);
  return dsn;
}

web::WebSettings on_free_port() {
  web::WebSettings settings;
  settings.port = 0;
  settings.poll_ms = 50;
  return settings;
}

/// A signed-in screen of `server`'s live feed, past its greeting.
struct Screen {
  explicit Screen(const web::WebServer& server) : desk(server.port()) {
    REQUIRE(desk.login("olly", kPassword).status == 200);
    live.emplace(server.port(), desk.cookie, "http://" + desk.host());
    REQUIRE(live->open());
    REQUIRE(live->next("hello"));
  }
  HttpClient desk;
  std::optional<LiveSocket> live;
};

/// A receiver's web server on a prepared database, following what the other receivers store.
struct FollowingServer {
  FollowingServer() : dsn(prepared_database()), store(open_store(dsn)), server(*store, on_free_port()) {
    server.follow_other_receivers(dsn);
  }
  std::string dsn;
  std::unique_ptr<Store> store;
  web::WebServer server;
};

/// Ingests `read`, which raises one hit (its plate is watchlisted); that hit's id.
std::string ingest_hit(Ingestor& ingestor, const ReadMessage& read) {
  const auto outcome =
      ingestor.handle(camera_topic(read.site_id, read.camera_id, TopicKind::kRead), encode(read));
  REQUIRE(outcome.hits.size() == 1);
  return outcome.hits[0].hit_id;
}

void admin(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction w(c);
  w.exec(sql);
}

}  // namespace

TEST_CASE("a stored hit reaches the live feed while the web server cannot read the database at all",
          "[web][live][postgresql]") {
  const std::string dsn = prepared_database();
  // The web server connects as a role of its own, which loses the database once the screen is
  // open: from then on every store call of the web server fails.
  const std::string role = "web_" + make_uuid().substr(0, 8);
  admin(dsn, "CREATE ROLE " + role + " LOGIN SUPERUSER");
  std::string web_dsn = dsn;
  web_dsn.replace(web_dsn.find("//anpr@"), 7, "//" + role + "@");
  auto web_store = open_store(web_dsn);
  web::WebServer server(*web_store, on_free_port());
  Screen screen(server);
  admin(dsn, "ALTER ROLE " + role + " NOLOGIN");
  admin(dsn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
  CHECK(screen.desk.get("/api/hits").status == 500);  // the web server reads nothing now
  CHECK_THROWS(web_store->hits(std::nullopt, std::nullopt, 1));

  auto ingest_store = open_store(dsn);
  Ingestor ingestor(*ingest_store, {});
  ingestor.set_live(&server.live());  // as serve wires it
  const auto read = test::sample_read("AB12CDE", "cam1", now_ms());
  const std::string hit_id = ingest_hit(ingestor, read);

  const auto hit = screen.live->next("hit");
  REQUIRE(hit);
  CHECK((*hit)["hit"]["hit_id"] == hit_id);
  CHECK((*hit)["hit"]["plate"] == "AB12CDE");
  CHECK((*hit)["hit"]["camera_name"] == "Market St");
  CHECK((*hit)["hit"]["colour"] == "#f00");
  CHECK((*hit)["hit"]["state"] == "new");
  const auto shown = screen.live->next("read");
  REQUIRE(shown);
  CHECK((*shown)["read"]["read_id"] == read.read_id);
  CHECK((*shown)["read"]["camera_name"] == "Market St");
  CHECK_FALSE(screen.live->next("hit", std::chrono::milliseconds(500)));  // once
}

TEST_CASE("a hit another receiver stores reaches this receiver's screens through NOTIFY, and its own once",
          "[web][live][postgresql]") {
  // Receiver A: the web server with its screen, following the other receivers; its own ingest.
  FollowingServer a;
  auto store_a = open_store(a.dsn);
  Ingestor ingest_a(*store_a, {});
  ingest_a.set_live(&a.server.live());
  Screen screen(a.server);
  // Receiver B: its own connection and views (another origin), serving no screen of A's.
  auto store_b = open_store(a.dsn);
  web::LiveViews views_b(nullptr);
  Ingestor ingest_b(*store_b, {});
  ingest_b.set_live(&views_b);
  REQUIRE(views_b.origin() != dynamic_cast<web::LiveViews&>(a.server.live()).origin());

  const auto from_b = test::sample_read("AB12CDE", "cam1", now_ms());
  const std::string hit_b = ingest_hit(ingest_b, from_b);
  const auto hit = screen.live->next("hit");
  REQUIRE(hit);
  CHECK((*hit)["hit"]["hit_id"] == hit_b);
  CHECK((*hit)["hit"]["camera_name"] == "Market St");
  const auto read = screen.live->next("read");
  REQUIRE(read);
  CHECK((*read)["read"]["read_id"] == from_b.read_id);

  // A's own hit: pushed in process, and its own notice skipped, so shown once.
  const auto from_a = test::sample_read("AB12CDE", "cam1", now_ms());
  const std::string hit_a = ingest_hit(ingest_a, from_a);
  const auto own = screen.live->next("hit");
  REQUIRE(own);
  CHECK((*own)["hit"]["hit_id"] == hit_a);
  CHECK_FALSE(screen.live->next("hit", std::chrono::milliseconds(700)));
}

TEST_CASE("an empty or malformed notice from another process is dropped, and no screen reloads",
          "[web][live][postgresql]") {
  // Regression: an empty payload (NOTIFY anpr_live, '') read as the listener's own "notices were
  // missed", so anyone who could connect made every screen reload.
  FollowingServer receiver;
  Screen screen(receiver.server);
  const std::string notify = std::string("SELECT pg_notify('") + kLiveChannel + "', ";
  admin(receiver.dsn, notify + "'other\n" + R"({"type":"read","read":{}})" + "')");
  REQUIRE(screen.live->next("read"));  // the screen follows the notices
  admin(receiver.dsn, notify + "'')");
  admin(receiver.dsn, notify + "'no origin, no views')");
  CHECK_FALSE(screen.live->next("reload", std::chrono::milliseconds(1500)));
}

TEST_CASE("a notice carries its views one a line and is skipped by the receiver that sent it",
          "[web][live]") {
  const std::string mine = make_uuid(), theirs = make_uuid();
  const std::string notice = theirs + "\n" + R"({"type":"hit","hit":{}})" + "\n" + R"({"type":"read"})";
  const auto views = notice_views(notice, mine);
  REQUIRE(views.size() == 2);
  CHECK(*views[0] == R"({"type":"hit","hit":{}})");
  CHECK(*views[1] == R"({"type":"read"})");
  CHECK(notice_views(notice, theirs).empty());
  CHECK(notice_views("not a notice", mine).empty());

  // Any role that can connect may NOTIFY: lines that are no screen view are dropped, and a notice
  // packed with more views than a receiver ever sends (a flood that would overrun every screen's
  // queue) is dropped whole.
  const std::string forged =
      theirs + "\n" + R"({"type":"script"})" + "\nnot json\n[1,2]\n" + R"({"type":"read"})";
  const auto kept = notice_views(forged, mine);
  REQUIRE(kept.size() == 1);
  CHECK(*kept[0] == R"({"type":"read"})");
  std::string flood = theirs;
  for (int i = 0; i < 300; ++i) flood += "\n" + std::string(R"({"type":"read"})");
  REQUIRE(flood.size() < kMaxNoticeBytes);  // PostgreSQL would deliver it
  CHECK(notice_views(flood, mine).empty());
}

TEST_CASE("notices go out only with a commit, within PostgreSQL's size limit, a view too large a reload",
          "[live][postgresql]") {
  const std::string dsn = test::shared_postgres().create_database();
  auto store = open_store(dsn);
  std::mutex mutex;
  std::condition_variable arrived;
  std::vector<std::string> notices;
  const auto listener = listen_for_notices(dsn, kLiveChannel, [&](const std::string& notice) {
    const std::lock_guard lock(mutex);
    notices.push_back(notice);
    arrived.notify_all();
  });
  REQUIRE(listener);
  const auto text = [](const std::string& s) { return std::make_shared<const std::string>(s); };

  // A transaction that fails sends nothing ...
  CHECK_THROWS(store->in_transaction([&] {
    notify_receivers(*store, "sender", {text(R"({"type":"rolled-back"})")});
    throw std::runtime_error("the batch failed");
  }));
  // ... one that commits sends its views: 30 of 400 bytes need two notices, and a view larger
  // than a notice may be becomes a reload.
  std::vector<LiveMessage> views;
  for (int i = 0; i < 30; ++i)
    views.push_back(
        text(R"({"type":"read","n":)" + std::to_string(i) + R"(,"pad":")" + std::string(380, 'x') + R"("})"));
  views.push_back(text(R"({"type":"hit","hit":{"reason":")" + std::string(9000, 'r') + R"("}})"));
  store->in_transaction([&] { notify_receivers(*store, "sender", views); });

  std::unique_lock lock(mutex);
  REQUIRE(arrived.wait_for(lock, std::chrono::seconds(10), [&] {
    std::size_t got = 0;
    for (const auto& n : notices) got += notice_views(n, "me").size();
    return got >= views.size();
  }));
  std::vector<std::string> received;
  for (const auto& n : notices) {
    CHECK(n.size() <= kMaxNoticeBytes);
    for (const auto& v : notice_views(n, "me")) received.push_back(*v);
  }
  CHECK(notices.size() == 2);  // 19 views fit one notice; none from the failed transaction
  REQUIRE(received.size() == views.size());
  for (std::size_t i = 0; i < 30; ++i) CHECK(received[i] == *views[i]);
  CHECK(received.back() == kReloadView);

  // The listener's connection lost: it listens again, and an empty notice says that what was
  // notified meanwhile was missed (the screens reload).
  lock.unlock();
  {
    pqxx::connection admin(dsn);
    pqxx::nontransaction w(admin);
    const auto killed = w.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()");
    REQUIRE(killed.size() >= 1);
  }
  lock.lock();
  CHECK(arrived.wait_for(lock, std::chrono::seconds(15),
                         [&] { return std::find(notices.begin(), notices.end(), "") != notices.end(); }));
}

TEST_CASE("a notice PostgreSQL refuses is dropped, not the transaction it rides in", "[live]") {
  auto store = open_store(test::shared_postgres().create_database());
  store->in_transaction([&] {
    CameraInfo cam;
    cam.camera_id = "cam9";
    cam.site_id = "ashby";
    cam.registered = true;
    store->upsert_camera(cam);
    store->notify(kLiveChannel, std::string(9000, 'x'));  // over PostgreSQL's 8,000-byte limit
    cam.camera_id = "cam10";
    store->upsert_camera(cam);  // the transaction is still usable after the refusal
  });
  std::vector<std::string> ids;
  for (const auto& c : store->cameras()) ids.push_back(c.camera_id);
  CHECK(std::count(ids.begin(), ids.end(), "cam9") == 1);
  CHECK(std::count(ids.begin(), ids.end(), "cam10") == 1);
  CHECK_NOTHROW(store->notify(kLiveChannel, std::string(9000, 'x')));  // outside a transaction too
}

// The hub itself, driven by hand on an io_context that runs only when the test polls it.
namespace {

LiveMessage text(const std::string& s) { return std::make_shared<const std::string>(s); }

/// Runs the jobs waiting on `io` (an io_context that ran out of work must be restarted first).
std::size_t run_waiting(boost::asio::io_context& io) {
  io.restart();
  return io.poll();
}

}  // namespace

TEST_CASE("the live hub queues nothing for the network thread while no screen is live", "[live]") {
  boost::asio::io_context io;
  web::LiveFeed feed(io, 4);
  feed.publish({text("a"), text("b")});
  CHECK(run_waiting(io) == 0);
}

TEST_CASE("the live hub hands a batch over as one job, and a screen too far behind is told to reload",
          "[live]") {
  boost::asio::io_context io;
  web::LiveFeed feed(io, 4);
  bool socket_closed = false;
  auto screen = std::make_shared<web::LiveSession>(io.get_executor(), "token",
                                                   [&socket_closed] { socket_closed = true; });
  feed.join(screen);
  REQUIRE(feed.live() == 1);

  feed.publish({text("1"), text("2"), text("3")});
  CHECK(run_waiting(io) == 1);  // one job for the three
  CHECK(screen->queued() == 3);
  CHECK(feed.live() == 1);

  feed.publish({text("4")});
  feed.publish({text("5")});  // its queue holds 4: this one finds it full
  run_waiting(io);
  CHECK(feed.live() == 0);
  CHECK(feed.dropped() == 1);
  CHECK(screen->queued() == 1);  // the reload alone
  CHECK_FALSE(socket_closed);    // closed after it is sent, or after a grace period
}

TEST_CASE(
    "the live hub stops queueing for a network thread a screen's queue behind, and reloads every screen",
    "[live]") {
  boost::asio::io_context io;
  web::LiveFeed feed(io, 4);
  std::vector<std::shared_ptr<web::LiveSession>> screens;
  for (int i = 0; i < 3; ++i) {
    screens.push_back(std::make_shared<web::LiveSession>(io.get_executor(), "token", [] {}));
    feed.join(screens.back());
  }
  feed.publish({text("1"), text("2"), text("3")});
  feed.publish({text("4"), text("5")});  // 5 waiting for the network thread > 4: not queued
  feed.publish({text("6")});             // neither is this: one reload is already on its way
  CHECK(run_waiting(io) == 2);           // the first batch, then the reload
  CHECK(feed.live() == 0);
  CHECK(feed.dropped() == 3);
  for (const auto& s : screens) CHECK(s->queued() == 1);  // the reload alone

  // Caught up, it queues again for screens that join.
  auto fresh = std::make_shared<web::LiveSession>(io.get_executor(), "token", [] {});
  feed.join(fresh);
  feed.publish({text("7")});
  CHECK(run_waiting(io) == 1);
  CHECK(fresh->queued() == 1);
}
