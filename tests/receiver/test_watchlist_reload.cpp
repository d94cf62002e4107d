// Reloading the watchlists beside ingest: a changed list is read through a store of its own, so
// ingest never waits for it, and the snapshot it replaces is not freed by ingest.
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "../support/sample_messages.hpp"
#include "../support/sample_sqlite_store.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

/// The store each test starts from, in a scratch folder of its own.
struct Fixture : test::SampleSqliteStore {
  Fixture() : SampleSqliteStore("anpr-reload-") {}
};

/// A watchlist store whose entries() waits, once started, until released (or a time-out): a
/// reload of a large list caught in the middle of its query.
class HeldWatchlistStore : public WatchlistStore {
 public:
  explicit HeldWatchlistStore(WatchlistStore& store) : store_(store) {}
  int replace_watchlist(const WatchlistInfo& l, const std::vector<WatchlistEntry>& e) override {
    return store_.replace_watchlist(l, e);
  }
  void add_entry(const WatchlistEntry& e) override { store_.add_entry(e); }
  bool remove_entry(const std::string& l, const std::string& p) override { return store_.remove_entry(l, p); }
  std::vector<WatchlistInfo> watchlists() override { return store_.watchlists(); }
  std::string watchlist_generation() override { return store_.watchlist_generation(); }
  bool expire_entry(const std::string& l, const std::string& p, TimestampMs at) override {
    return store_.expire_entry(l, p, at);
  }
  std::vector<WatchlistEntry> entries(const std::string& list) override {
    std::unique_lock lock(mutex_);
    entered_ = true;
    changed_.notify_all();
    // Bounded, so that a reload that holds up ingest fails the test instead of hanging it.
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return released_; });
    return store_.entries(list);
  }
  /// True once a reload is inside entries() (false after 10 s without one).
  [[nodiscard]] bool wait_until_entered() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_; });
  }
  void release() {
    const std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  [[nodiscard]] bool released() {
    const std::lock_guard lock(mutex_);
    return released_;
  }

 private:
  WatchlistStore& store_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool entered_ = false, released_ = false;
};

std::string topic_of(const ReadMessage& m) { return camera_topic(m.site_id, m.camera_id, TopicKind::kRead); }

}  // namespace

TEST_CASE("reads are stored and matched while a changed watchlist is being read", "[ingest][watchlist]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  const auto lists = f.another_connection();
  HeldWatchlistStore held(*lists);
  ingest.reload_watchlists_from(held);
  f.store->add_entry({"Stolen", "NE55TED", "added now", "sup", 2, std::nullopt});
  bool reloaded = false;
  std::thread reload([&] { reloaded = ingest.refresh_watchlists(); });
  const bool reload_reading = held.wait_until_entered();
  // The reload is in the middle of reading the entries: ingest stores through its own connection
  // and matches against the snapshot it has (in which NE55TED is not listed yet).
  const auto during = test::sample_read("NE55TED");
  const auto listed = test::sample_read("AB12CDE");
  const auto outcomes =
      ingest.handle_batch({{topic_of(during), encode(during)}, {topic_of(listed), encode(listed)}});
  const bool waited_for_reload = held.released();
  held.release();
  reload.join();
  CHECK(reload_reading);  // the reload read the list through its own store
  CHECK_FALSE(waited_for_reload);
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].result == IngestResult::kStored);
  CHECK(outcomes[0].hits.empty());
  CHECK(outcomes[1].hits.size() == 1);
  CHECK(reloaded);
  const auto after = test::sample_read("NE55TED");
  CHECK(ingest.handle(topic_of(after), encode(after)).hits.size() == 1);
  CHECK(f.store->movements("NE55TED", 0, 4102444800000, 10).size() == 2);
}

TEST_CASE("the snapshot a reload replaces is freed by the reload, not by a read matching against it",
          "[ingest][watchlist]") {
  Fixture f;
  Ingestor ingest(*f.store, IngestSettings{});
  SECTION("nobody holds it: freed at once") {
    const std::weak_ptr<const WatchlistMatcher> old = ingest.matcher();
    f.store->add_entry({"Stolen", "NE55TED", "added now", "sup", 2, std::nullopt});
    CHECK(ingest.refresh_watchlists());
    CHECK(old.expired());
  }
  SECTION("a read is being matched against it: kept until a later reload finds it free") {
    auto in_use = ingest.matcher();
    const std::weak_ptr<const WatchlistMatcher> old = in_use;
    f.store->add_entry({"Stolen", "NE55TED", "added now", "sup", 2, std::nullopt});
    CHECK(ingest.refresh_watchlists());
    CHECK(ingest.matcher() != in_use);
    in_use.reset();  // the read is matched: its holder lets go, and does not free it
    CHECK_FALSE(old.expired());
    CHECK_FALSE(ingest.refresh_watchlists());  // nothing changed, but the old snapshot goes now
    CHECK(old.expired());
  }
}

TEST_CASE("a store that cannot give the watchlists at start stops ingest from starting",
          "[ingest][watchlist]") {
  // The first snapshot is built on a thread of its own (see Ingestor): the error still reaches
  // whoever starts ingest.
  Fixture f;
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open((f.dir / "anpr.db").string().c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "DROP TABLE watchlist_entries", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_THROWS_AS(Ingestor(*f.store, IngestSettings{}), Error);
}
