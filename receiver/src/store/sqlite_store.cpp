// The embedded store: one SQLite file in WAL mode.
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/store/store.hpp"
#include "backends.hpp"
#include "migrations.hpp"
#include "sql_store.hpp"
#include "sqlite_db.hpp"

namespace anpr::receiver {
namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;

constexpr TimestampMs kHourMs = 3'600'000;
const std::string kCountRead = sqlite_parameters(kCountReadSql);

// The connection adapter over SQLite: $N parameters become ?N, values bind by their type.
class SqliteConnection final : public SqlConnection, private SqlRow {
 public:
  explicit SqliteConnection(Db& db) : db_(db) {}

  std::int64_t exec(std::string_view sql, Params params, const RowFn& row) override {
    Stmt s(db_, sqlite_parameters(sql));
    int i = 0;
    for (const SqlValue& p : params) std::visit([&](const auto& v) { s.bind(++i, v); }, p.value());
    if (!row) return s.run();
    stmt_ = &s;
    while (s.step()) row(*this);
    stmt_ = nullptr;
    return 0;
  }

 private:
  std::string text(int col) const override { return stmt_->text(col); }
  std::int64_t integer(int col) const override { return stmt_->integer(col); }
  double real(int col) const override { return stmt_->real(col); }
  bool is_null(int col) const override { return stmt_->is_null(col); }

  Db& db_;
  const Stmt* stmt_ = nullptr;  ///< the statement whose row is being read
};

class SqliteStore final : public SqlStore {
 public:
  explicit SqliteStore(const std::string& path) : db_(path) {
    migrate();
    checkpointer_ = std::make_unique<sqlite::WalCheckpointer>(path);
  }

  bool insert_read(const ReadMessage& read, TimestampMs received_at, bool unknown_camera,
                   const std::string& crop_path, const std::string& overview_path) override {
    std::lock_guard lock(mutex_);
    ReadMessage record = read;  // the images live in files; the row keeps everything else
    record.crop_jpeg.clear();
    record.overview_jpeg.reset();
    Stmt s(db_,
           "INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country,"
           " message, crop_path, overview_path, unknown_camera, received_at)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (read_id) DO NOTHING");
    s.bind(1, read.read_id).bind(2, read.camera_id).bind(3, read.site_id).bind(4, read.captured_at);
    s.bind(5, read.plate).bind(6, read.confidence).bind(7, read.format).bind(8, read.country);
    s.bind(9, encode(record)).bind(10, crop_path).bind(11, overview_path).bind(12, unknown_camera ? 1 : 0);
    s.bind(13, received_at);
    // A camera's last read is looked up when asked for (an index seek on the camera-time
    // index), not kept up to date here: one statement less on the path every read takes.
    if (s.run() != 1) return false;
    Stmt count(db_, kCountRead);
    count.bind(1, read.camera_id).bind(2, read.captured_at / kHourMs).run();
    return true;
  }

  void insert_dead_letter(std::string_view topic, std::string_view payload, std::string_view reason,
                          TimestampMs at) override {
    std::lock_guard lock(mutex_);
    Stmt s(
        db_,
        "INSERT INTO dead_letters (received_at, topic, reason, payload_bytes, payload) VALUES (?,?,?,?,?)");
    s.bind(1, at).bind(2, topic.substr(0, 1024)).bind(3, reason.substr(0, 1024));
    s.bind(4, static_cast<std::int64_t>(payload.size()))
        .bind_blob(5, payload.substr(0, kMaxDeadLetterPayload));
    s.run();
  }

  std::vector<std::string> purge_reads(TimestampMs before, TimestampMs hit_before) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    const char* doomed =
        " FROM reads WHERE (captured_at < ?1 AND read_id NOT IN (SELECT read_id FROM hits))"
        " OR (captured_at < ?2 AND read_id IN (SELECT read_id FROM hits))";
    std::vector<std::string> files;
    {
      Stmt s(db_, std::string("SELECT crop_path, overview_path") + doomed);
      s.bind(1, before).bind(2, hit_before);
      while (s.step()) {
        for (int col : {0, 1}) {
          if (!s.text(col).empty()) files.push_back(s.text(col));
        }
      }
    }
    Stmt h(db_, "DELETE FROM hits WHERE read_id IN (SELECT read_id FROM reads WHERE captured_at < ?1)");
    h.bind(1, hit_before).run();
    Stmt d(db_, std::string("DELETE") + doomed);
    d.bind(1, before).bind(2, hit_before).run();
    tx.commit();
    return files;
  }

  void upsert_camera(const CameraInfo& c) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT INTO cameras (camera_id, site_id, name, latitude, longitude, bearing, registered)"
           " VALUES (?,?,?,?,?,?,?) ON CONFLICT (camera_id) DO UPDATE SET site_id = excluded.site_id,"
           " name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude,"
           " bearing = excluded.bearing, registered = excluded.registered");
    s.bind(1, c.camera_id).bind(2, c.site_id).bind(3, c.name).bind(4, c.latitude).bind(5, c.longitude);
    s.bind(6, c.bearing).bind(7, c.registered ? 1 : 0).run();
  }

  void set_camera_status(const StatusMessage& st) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT INTO cameras (camera_id, site_id, state, state_at, version) VALUES (?,?,?,?,?)"
           " ON CONFLICT (camera_id) DO UPDATE SET state = excluded.state, state_at = excluded.state_at,"
           " version = excluded.version WHERE excluded.state_at >= cameras.state_at");
    s.bind(1, st.camera_id)
        .bind(2, st.site_id)
        .bind(3, to_string(st.state))
        .bind(4, st.at)
        .bind(5, st.version)
        .run();
  }

  void set_camera_health(const HealthMessage& h) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT INTO cameras (camera_id, site_id, last_health) VALUES (?,?,?)"
           " ON CONFLICT (camera_id) DO UPDATE SET last_health = excluded.last_health");
    s.bind(1, h.camera_id).bind(2, h.site_id).bind(3, encode(h)).run();
  }

  std::optional<CameraInfo> camera(const std::string& id) override {
    auto all = cameras_where("WHERE camera_id = ?", id);
    if (all.empty()) return std::nullopt;
    return all.front();
  }

  std::vector<CameraInfo> cameras() override { return cameras_where("", ""); }

  int replace_watchlist(const WatchlistInfo& list, const std::vector<WatchlistEntry>& entries) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    int version = 1;
    {
      Stmt v(db_, "SELECT version FROM watchlists WHERE name = ?");
      v.bind(1, list.name);
      if (v.step()) version = static_cast<int>(v.integer(0)) + 1;
    }
    Stmt up(db_,
            "INSERT INTO watchlists (name, category, priority, colour, action, version) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (name) DO UPDATE SET category = excluded.category, priority = excluded.priority,"
            " colour = excluded.colour, action = excluded.action, version = excluded.version");
    up.bind(1, list.name)
        .bind(2, list.category)
        .bind(3, list.priority)
        .bind(4, list.colour)
        .bind(5, list.action);
    up.bind(6, version).run();
    Stmt del(db_, "DELETE FROM watchlist_entries WHERE list = ?");
    del.bind(1, list.name).run();
    Stmt ins(db_,
             "INSERT INTO watchlist_entries (list, plate, reason, added_by, added_at, expires_at) VALUES "
             "(?,?,?,?,?,?)");
    for (const auto& e : entries) {
      ins.bind(1, list.name).bind(2, e.plate).bind(3, e.reason).bind(4, e.added_by).bind(5, e.added_at);
      ins.bind(6, e.expires_at).run();
      ins.reset();
    }
    tx.commit();
    return version;
  }

  void add_entry(const WatchlistEntry& e) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    Stmt ins(
        db_,
        "INSERT INTO watchlist_entries (list, plate, reason, added_by, added_at, expires_at) VALUES "
        "(?,?,?,?,?,?)"
        " ON CONFLICT (list, plate) DO UPDATE SET reason = excluded.reason, added_by = excluded.added_by,"
        " added_at = excluded.added_at, expires_at = excluded.expires_at");
    ins.bind(1, e.list)
        .bind(2, e.plate)
        .bind(3, e.reason)
        .bind(4, e.added_by)
        .bind(5, e.added_at)
        .bind(6, e.expires_at);
    if (ins.run() != 1) throw Error(ErrorCode::kInput, "no watchlist named '" + e.list + "'");
    Stmt v(db_, "UPDATE watchlists SET version = version + 1 WHERE name = ?");
    v.bind(1, e.list).run();
    tx.commit();
  }

  bool remove_entry(const std::string& list, const std::string& plate) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    Stmt del(db_, "DELETE FROM watchlist_entries WHERE list = ? AND plate = ?");
    del.bind(1, list).bind(2, plate);
    const bool removed = del.run() == 1;
    Stmt v(db_, "UPDATE watchlists SET version = version + 1 WHERE name = ?");
    v.bind(1, list).run();
    tx.commit();
    return removed;
  }

  std::vector<WatchlistInfo> watchlists() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT name, category, priority, colour, action FROM watchlists ORDER BY priority, name");
    std::vector<WatchlistInfo> out;
    while (s.step())
      out.push_back({s.text(0), s.text(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4)});
    return out;
  }

  std::string watchlist_generation() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT COUNT(*), COALESCE(SUM(version), 0) FROM watchlists");
    s.step();
    return std::to_string(s.integer(0)) + ":" + std::to_string(s.integer(1));
  }

  std::vector<WatchlistEntry> entries(const std::string& list) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "SELECT list, plate, reason, added_by, added_at, expires_at FROM watchlist_entries"
           " WHERE (? = '' OR list = ?) ORDER BY list, plate");
    s.bind(1, list).bind(2, list);
    std::vector<WatchlistEntry> out;
    while (s.step()) {
      WatchlistEntry e{s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4), std::nullopt};
      if (!s.is_null(5)) e.expires_at = s.integer(5);
      out.push_back(std::move(e));
    }
    return out;
  }

  bool expire_entry(const std::string& list, const std::string& plate, TimestampMs at) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    Stmt e(db_, "UPDATE watchlist_entries SET expires_at = ? WHERE list = ? AND plate = ?");
    e.bind(1, at).bind(2, list).bind(3, plate);
    const bool changed = e.run() == 1;
    Stmt v(db_, "UPDATE watchlists SET version = version + 1 WHERE name = ?");
    v.bind(1, list).run();
    tx.commit();
    return changed;
  }

  void scan_reads(TimestampMs from, TimestampMs to, const std::vector<std::string>& cameras,
                  const std::function<void(const ReadPoint&)>& row) override {
    std::lock_guard lock(mutex_);
    std::string sql =
        "SELECT read_id, plate, camera_id, site_id, captured_at, confidence FROM reads"
        " WHERE captured_at >= ? AND captured_at < ?";
    if (!cameras.empty()) {
      sql += " AND camera_id IN (?";
      for (std::size_t i = 1; i < cameras.size(); ++i) sql += ",?";
      sql += ")";
    }
    Stmt s(db_, sql + " ORDER BY captured_at, read_id");
    s.bind(1, from).bind(2, to);
    for (std::size_t i = 0; i < cameras.size(); ++i) s.bind(static_cast<int>(i) + 3, cameras[i]);
    ReadPoint p;
    while (s.step()) {
      p.read_id = s.text(0);
      p.plate = s.text(1);
      p.camera_id = s.text(2);
      p.site_id = s.text(3);
      p.at = s.integer(4);
      p.confidence = s.real(5);
      row(p);
    }
  }

  void in_transaction(const std::function<void()>& work) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    work();
    tx.commit();
  }

 protected:
  void use(bool atomic, const std::function<void(SqlConnection&)>& work) override {
    std::lock_guard lock(mutex_);
    SqliteConnection connection(db_);
    if (!atomic || sqlite3_get_autocommit(db_.handle()) == 0) {  // alone, or in the transaction in progress
      work(connection);
      return;
    }
    Transaction tx(db_);
    work(connection);
    tx.commit();
  }

 private:
  void migrate() {
    db_.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT "
        "NULL)");
    int current = 0;
    {
      Stmt s(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
      s.step();
      current = static_cast<int>(s.integer(0));
    }
    if (current > static_cast<int>(migrations::kSteps.size())) {
      throw Error(ErrorCode::kConfig, "database " + db_.path() + " has schema version " +
                                          std::to_string(current) + ", newer than this build knows (" +
                                          std::to_string(migrations::kSteps.size()) + ")");
    }
    for (int v = current + 1; v <= static_cast<int>(migrations::kSteps.size()); ++v) {
      Transaction tx(db_);
      db_.exec(migrations::kSteps[static_cast<std::size_t>(v - 1)]);
      Stmt s(db_, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
      s.bind(1, v).bind(2, now_ms()).run();
      tx.commit();
    }
    // The audit log is append-only: the database itself refuses changes.
    db_.exec(
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;"
        "CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log"
        " BEGIN SELECT RAISE(ABORT, 'the audit log cannot be changed'); END;");
  }

  std::vector<CameraInfo> cameras_where(const std::string& where, const std::string& id) {
    std::lock_guard lock(mutex_);
    Stmt s(
        db_,
        "SELECT camera_id, site_id, name, latitude, longitude, bearing, registered, state, state_at, version,"
        " last_health, (SELECT COALESCE(MAX(r.captured_at), 0) FROM reads r WHERE r.camera_id = "
        "cameras.camera_id)"
        " FROM cameras " +
            where + " ORDER BY site_id, camera_id");
    if (!where.empty()) s.bind(1, id);
    std::vector<CameraInfo> out;
    while (s.step()) {
      CameraInfo c;
      c.camera_id = s.text(0);
      c.site_id = s.text(1);
      c.name = s.text(2);
      if (!s.is_null(3)) c.latitude = s.real(3);
      if (!s.is_null(4)) c.longitude = s.real(4);
      if (!s.is_null(5)) c.bearing = s.real(5);
      c.registered = s.integer(6) != 0;
      c.state = s.text(7);
      c.state_at = s.integer(8);
      c.version = s.text(9);
      if (!s.is_null(10)) {
        const auto h = decode_health(s.text(10));
        if (h.ok()) c.last_health = h.value();
      }
      c.last_read_at = s.integer(11);
      out.push_back(std::move(c));
    }
    return out;
  }

  std::recursive_mutex mutex_;  // recursive: in_transaction holds it around calls that take it
  Db db_;
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // started once migrated
};

}  // namespace

std::unique_ptr<Store> make_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace anpr::receiver
