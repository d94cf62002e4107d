// The store at scale: PostgreSQL through libpqxx, same schema and migrations as SQLite. Several
// receivers may share one database (MQTT shared subscription): a read id is stored once whichever
// receiver gets it, and migrations run under an advisory lock so that receivers starting together
// do not race.
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <array>
#include <mutex>
#include <set>
#include <type_traits>
#include <unordered_map>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/log_throttle.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/store/store.hpp"
#include "backends.hpp"
#include "migrations.hpp"
#include "sql_store.hpp"

namespace anpr::receiver {
namespace {

constexpr long kMigrationLock = 0x616e7072;  // "anpr": one migrating receiver at a time

// Every statement the store runs, prepared once per connection.
const std::pair<const char*, const char*> kStatements[] = {
    {"insert_read",
     "INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country, "
     "message,"
     " crop_path, overview_path, unknown_camera, received_at) VALUES "
     "($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"
     " ON CONFLICT (read_id, captured_at) DO NOTHING"},
    {"insert_dead_letter",
     "INSERT INTO dead_letters (received_at, topic, reason, payload_bytes, payload) VALUES ($1,$2,$3,$4,$5)"},
    {"count_read", kCountReadSql.data()},
    // A batch of reads in one statement, one array a column, and the hourly counts of those it
    // stored (a conflict inserts nothing, so is not counted). Prepared once: a VALUES list of the
    // batch's size was parsed and planned anew for every batch, 6,500 parameters for 500 reads.
    // unnest gives the rows in array order, and the first row of a read id takes it, as one
    // insert after another would.
    {"insert_reads",
     "WITH stored AS (INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format,"
     " country, message, crop_path, overview_path, unknown_camera, received_at)"
     " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::float8[],"
     " $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::integer[], $13::bigint[])"
     " ON CONFLICT (read_id, captured_at) DO NOTHING RETURNING read_id, camera_id, captured_at),"
     " counted AS (INSERT INTO camera_hour_counts (camera_id, hour, reads)"
     " SELECT camera_id, captured_at / 3600000, COUNT(*) FROM stored GROUP BY 1, 2"
     " ON CONFLICT (camera_id, hour) DO UPDATE SET reads = camera_hour_counts.reads + EXCLUDED.reads)"
     " SELECT read_id FROM stored"},
};

/// Builds a PostgreSQL array literal of texts, one element at a time: each element quoted, with
/// its quotes and backslashes escaped, so any text (commas, braces, "NULL") stays itself.
class ArrayLiteral {
 public:
  void add(std::string_view value) {
    text_ += text_.empty() ? "{\"" : ",\"";
    // A run without quotes or backslashes at a time: a read's message is mostly such runs.
    while (!value.empty()) {
      const std::size_t special = value.find_first_of("\"\\");
      text_.append(value.substr(0, special));
      if (special == std::string_view::npos) break;
      text_ += '\\';
      text_ += value[special];
      value.remove_prefix(special + 1);
    }
    text_ += '"';
  }
  [[nodiscard]] std::string done() && { return text_.empty() ? "{}" : std::move(text_) + "}"; }

 private:
  std::string text_;
};

/// Rows fetched per round trip when a scan streams through a cursor.
constexpr int kScanBlock = 5000;

// The connection adapter over libpqxx: each statement text is prepared once per connection under
// a name of its own; values travel as text and NULL as a null pointer.
class PgConnection final : public SqlConnection {
 public:
  using Prepared = std::unordered_map<std::string, std::string>;  ///< statement text -> name
  PgConnection(pqxx::work& w, Prepared& prepared) : w_(w), prepared_(prepared) {}

  std::int64_t exec(std::string_view sql, Params params, const RowFn& row) override {
    std::vector<std::optional<std::string>> text;
    text.reserve(params.size());
    for (const SqlValue& p : params) {
      std::visit(
          [&](const auto& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::nullptr_t>)
              text.emplace_back();
            else if constexpr (std::is_same_v<V, std::string_view>)
              text.emplace_back(std::string(v));
            else
              text.emplace_back(pqxx::to_string(v));
          },
          p.value());
    }
    std::vector<const char*> values;
    values.reserve(text.size());
    for (const auto& t : text) values.push_back(t ? t->c_str() : nullptr);
    const pqxx::result result = w_.exec_prepared(name(sql), pqxx::prepare::make_dynamic_params(values));
    if (row) {
      for (const auto& r : result) row(PgRow(r));
    }
    return static_cast<std::int64_t>(result.affected_rows());
  }

 private:
  class PgRow final : public SqlRow {
   public:
    explicit PgRow(const pqxx::row& row) : row_(row) {}
    std::string text(int col) const override { return row_[col].as<std::string>(); }
    std::int64_t integer(int col) const override { return row_[col].as<std::int64_t>(); }
    double real(int col) const override { return row_[col].as<double>(); }
    bool is_null(int col) const override { return row_[col].is_null(); }

   private:
    const pqxx::row& row_;
  };

  const std::string& name(std::string_view sql) {
    auto [it, fresh] = prepared_.try_emplace(std::string(sql));
    if (fresh) {
      it->second = "shared_" + std::to_string(prepared_.size());
      w_.conn().prepare(it->second, it->first);
    }
    return it->second;
  }

  pqxx::work& w_;
  Prepared& prepared_;
};

class PostgresStore final : public SqlStore {
 public:
  explicit PostgresStore(const std::string& dsn) : dsn_(dsn), conn_(connect(dsn)) {
    migrate();
    for (const auto& [name, sql] : kStatements) conn_.prepare(name, sql);
    use(false, add_partitions_ahead);
  }

  bool insert_read(const ReadMessage& read, TimestampMs received_at, bool unknown_camera,
                   const std::string& crop_path, const std::string& overview_path) override {
    const std::string message = row_message(read);
    return run([&](pqxx::work& w) {
      const auto r = w.exec_prepared("insert_read", read.read_id, read.camera_id, read.site_id,
                                     read.captured_at, read.plate, read.confidence, read.format, read.country,
                                     message, crop_path, overview_path, unknown_camera ? 1 : 0, received_at);
      // The camera's last read is looked up when asked for, as in SqliteStore.
      if (r.affected_rows() != 1) return false;
      w.exec_prepared("count_read", read.camera_id, read.captured_at / 3'600'000);
      return true;
    });
  }

  std::vector<bool> insert_reads(const std::vector<ReadRow>& rows) override {
    std::array<ArrayLiteral, 13> columns;
    for (const ReadRow& row : rows) {
      const ReadMessage& r = *row.read;
      const std::string captured_at = pqxx::to_string(r.captured_at);
      const std::string confidence = pqxx::to_string(r.confidence);
      const std::string received_at = pqxx::to_string(row.received_at);
      const std::string encoded = row.message.empty() ? row_message(r) : std::string();
      const std::string_view values[] = {
          r.read_id,     r.camera_id,       r.site_id,
          captured_at,   r.plate,           confidence,
          r.format,      r.country,         row.message.empty() ? std::string_view(encoded) : row.message,
          row.crop_path, row.overview_path, row.unknown_camera ? "1" : "0",
          received_at};
      for (std::size_t k = 0; k < columns.size(); ++k) columns[k].add(values[k]);
    }
    std::vector<std::string> params;
    params.reserve(columns.size());
    for (ArrayLiteral& column : columns) params.push_back(std::move(column).done());
    return run([&](pqxx::work& w) {
      // RETURNING names the rows stored; a read id given twice is stored once, for its first row.
      std::multiset<std::string> inserted;
      for (const auto& row : w.exec_prepared("insert_reads", pqxx::prepare::make_dynamic_params(params)))
        inserted.insert(row[0].as<std::string>());
      std::vector<bool> stored(rows.size(), false);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto it = inserted.find(rows[i].read->read_id);
        if (it == inserted.end()) continue;
        stored[i] = true;
        inserted.erase(it);
      }
      return stored;
    });
  }

  void insert_dead_letter(std::string_view topic, std::string_view payload, std::string_view reason,
                          TimestampMs at) override {
    const std::string_view kept = payload.substr(0, kMaxDeadLetterPayload);
    const pqxx::binarystring blob(kept.data(), kept.size());
    // PostgreSQL text cannot hold NUL bytes, which a hostile topic or reason might carry.
    auto clean = [](std::string_view s) {
      std::string out(s.substr(0, 1024));
      for (char& c : out) {
        if (c == '\0') c = '?';
      }
      return out;
    };
    run([&](pqxx::work& w) {
      w.exec_prepared("insert_dead_letter", at, clean(topic), clean(reason),
                      static_cast<std::int64_t>(payload.size()), blob);
      return 0;
    });
  }

  void scan_reads(TimestampMs from, TimestampMs to, const std::vector<std::string>& cameras,
                  const std::function<void(const ReadPoint&)>& row) override {
    run([&](pqxx::work& w) {
      // A cursor, so the rows come in blocks rather than all at once into client memory. A
      // cursor takes no parameters: the values are quoted into the text.
      std::string sql =
          "SELECT read_id, plate, camera_id, site_id, captured_at, confidence FROM reads"
          " WHERE captured_at >= " +
          w.quote(from) + " AND captured_at < " + w.quote(to);
      if (!cameras.empty()) {
        sql += " AND camera_id IN (";
        for (std::size_t i = 0; i < cameras.size(); ++i) sql += (i ? "," : "") + w.quote(cameras[i]);
        sql += ")";
      }
      pqxx::icursorstream stream(w, sql + " ORDER BY captured_at, read_id", "scan_reads", kScanBlock);
      ReadPoint p;
      for (pqxx::result block; stream >> block;) {
        for (const auto& r : block) {
          p.read_id = r[0].as<std::string>();
          p.plate = r[1].as<std::string>();
          p.camera_id = r[2].as<std::string>();
          p.site_id = r[3].as<std::string>();
          p.at = r[4].as<std::int64_t>();
          p.confidence = r[5].as<double>();
          row(p);
        }
      }
      return 0;
    });
  }

  void in_transaction(const std::function<void()>& work) override {
    run([&](pqxx::work&) {
      work();
      return 0;
    });
  }

  void notify(const std::string& channel, const std::string& payload) override {
    run([&](pqxx::work& w) {
      // Behind a savepoint: a notice PostgreSQL refuses (its notify queue full because a listener
      // stopped reading, a payload too long) is lost, not the transaction it rides in. Ingest must
      // never stop storing reads because another receiver's screens cannot hear of them.
      // (Savepoint statements on the transaction itself: libpqxx 6.4's subtransaction left it
      // aborted after a refused statement.)
      w.exec("SAVEPOINT live_notice");
      try {
        w.exec_params("SELECT pg_notify($1, $2)", channel, payload);
        w.exec("RELEASE SAVEPOINT live_notice");
      } catch (const pqxx::broken_connection&) {
        throw;
      } catch (const pqxx::sql_error& e) {
        w.exec("ROLLBACK TO SAVEPOINT live_notice");
        if (const auto held_back = notice_failures_.occurred(std::chrono::steady_clock::now())) {
          spdlog::warn(
              "live notices: PostgreSQL refused a notice on {} ({} bytes), not sent: {} ({} more not logged)",
              channel, payload.size(), e.what(), *held_back);
        }
      }
      return 0;
    });
  }

 protected:
  void use(bool /*atomic*/, const std::function<void(SqlConnection&)>& work) override {
    run([&](pqxx::work& w) {
      PgConnection connection(w, prepared_);
      work(connection);
      return 0;
    });
  }

  // Whole weeks past the limit go by dropping their partitions; SqlStore::purge_reads deletes
  // row by row only in the week straddling the limit and the default partition, which each run
  // finds only what has aged since the last.
  void purge_partitions(SqlConnection& c, TimestampMs before) override {
    c.exec("SELECT anpr_drop_reads_partitions($1)", {before});
    add_partitions_ahead(c);
  }

 private:
  // This week's partition of reads and the next weeks', made before reads need them (at start
  // and by the retention timer); a read with no partition lands in the default one.
  static void add_partitions_ahead(SqlConnection& c) {
    const TimestampMs now = now_ms();
    for (int week = 0; week <= partitions::kWeeksAhead; ++week)
      c.exec("SELECT anpr_add_reads_partition($1)",
             {static_cast<TimestampMs>(now + week * partitions::kWeekMs)});
  }

  static pqxx::connection connect(const std::string& dsn) {
    try {
      return pqxx::connection(dsn);
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kIo, "cannot connect to PostgreSQL " + redacted(dsn) + ": " + e.what());
    }
  }

  // The message a read's row keeps: the images live in files, the row keeps everything else.
  static std::string row_message(const ReadMessage& read) {
    ReadMessage record = read;
    record.crop_jpeg.clear();
    record.overview_jpeg.reset();
    return encode(record);
  }

  // The connection string without its password, for messages and logs.
  static std::string redacted(const std::string& dsn) { return without_password(dsn); }

  // Runs `f` inside the current transaction, or in a new one committed when `f` returns. Database
  // errors become anpr::Error naming the database, so callers handle one kind of failure.
  template <typename F>
  std::invoke_result_t<F&, pqxx::work&> run(F&& f) {
    std::lock_guard lock(mutex_);
    if (tx_ != nullptr) return f(*tx_);
    try {
      pqxx::work w(conn_);
      tx_ = &w;
      struct Reset {
        pqxx::work*& tx;
        ~Reset() { tx = nullptr; }
      } reset{tx_};
      auto result = f(w);
      w.commit();
      return result;
    } catch (const Error&) {
      throw;
    } catch (const pqxx::broken_connection& e) {
      throw Error(ErrorCode::kIo, "lost the connection to PostgreSQL " + redacted(dsn_) + ": " + e.what());
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kIo, "PostgreSQL " + redacted(dsn_) + ": " + e.what());
    }
  }

  void migrate() {
    try {
      pqxx::work w(conn_);
      w.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
      w.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT "
          "NULL)");
      const int current = w.exec1("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0].as<int>();
      const int known = static_cast<int>(migrations::kSteps.size());
      // Before the steps: the step that partitions reads uses them.
      w.exec(std::string(partitions::kFunctions));
      if (current > known) {
        throw Error(ErrorCode::kConfig, "database " + redacted(dsn_) + " has schema version " +
                                            std::to_string(current) + ", newer than this build knows (" +
                                            std::to_string(known) + ")");
      }
      for (int v = current + 1; v <= known; ++v) {
        w.exec(migrations::postgresql_step(v));
        w.exec_params("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", v, now_ms());
      }
      // The audit log is append-only: the database itself refuses changes.
      w.exec(
          "CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS"
          " $$ BEGIN RAISE EXCEPTION 'the audit log cannot be changed'; END $$;"
          "CREATE OR REPLACE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log"
          " FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();");
      w.commit();
    } catch (const Error&) {
      throw;
    } catch (const std::exception& e) {
      throw Error(ErrorCode::kIo, "cannot migrate PostgreSQL database " + redacted(dsn_) + ": " + e.what());
    }
  }

  std::string dsn_;
  std::recursive_mutex mutex_;  // recursive: in_transaction holds it around calls that take it
  LogThrottle notice_failures_{std::chrono::seconds(10)};
  pqxx::connection conn_;
  pqxx::work* tx_ = nullptr;         // the transaction in progress, if any (guarded by mutex_)
  PgConnection::Prepared prepared_;  // the shared statements prepared on conn_ (guarded by mutex_)
};

}  // namespace

std::unique_ptr<Store> make_postgres_store(const std::string& dsn) {
  return std::make_unique<PostgresStore>(dsn);
}

}  // namespace anpr::receiver
