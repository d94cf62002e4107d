// The embedded store: one SQLite file in WAL mode.
#include <mutex>

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
    return insert_row({&read, received_at, unknown_camera, crop_path, overview_path, {}});
  }

  // As the default, a row at a time (no round trips to save), but with the message ingest cut
  // from the payload where it gives one.
  std::vector<bool> insert_reads(const std::vector<ReadRow>& rows) override {
    std::vector<bool> stored;
    stored.reserve(rows.size());
    for (const ReadRow& r : rows) stored.push_back(insert_row(r));
    return stored;
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
  bool insert_row(const ReadRow& row) {
    std::lock_guard lock(mutex_);
    const ReadMessage& read = *row.read;
    std::string encoded;
    if (row.message.empty()) {
      ReadMessage record = read;  // the images live in files; the row keeps everything else
      record.crop_jpeg.clear();
      record.overview_jpeg.reset();
      encoded = encode(record);
    }
    Stmt s(db_,
           "INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country,"
           " message, crop_path, overview_path, unknown_camera, received_at)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (read_id) DO NOTHING");
    s.bind(1, read.read_id).bind(2, read.camera_id).bind(3, read.site_id).bind(4, read.captured_at);
    s.bind(5, read.plate).bind(6, read.confidence).bind(7, read.format).bind(8, read.country);
    s.bind(9, row.message.empty() ? std::string_view(encoded) : row.message);
    s.bind(10, row.crop_path).bind(11, row.overview_path).bind(12, row.unknown_camera ? 1 : 0);
    s.bind(13, row.received_at);
    // A camera's last read is looked up when asked for (an index seek on the camera-time
    // index), not kept up to date here: one statement less on the path every read takes.
    if (s.run() != 1) return false;
    Stmt count(db_, kCountRead);
    count.bind(1, read.camera_id).bind(2, read.captured_at / kHourMs).run();
    return true;
  }

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

  std::recursive_mutex mutex_;  // recursive: in_transaction holds it around calls that take it
  Db db_;
  std::unique_ptr<sqlite::WalCheckpointer> checkpointer_;  // started once migrated
};

}  // namespace

std::unique_ptr<Store> make_sqlite_store(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace anpr::receiver
