// The store at scale: PostgreSQL through libpqxx, same schema and migrations as SQLite. Several
// receivers may share one database (MQTT shared subscription): a read id is stored once whichever
// receiver gets it, and migrations run under an advisory lock so that receivers starting together
// do not race.
#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include <map>
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
    return run([&](pqxx::work& w) {
      std::vector<bool> stored(rows.size(), false);
      // 13 parameters a row: 1,000 rows stay well under PostgreSQL's 65,535 parameters a statement.
      constexpr std::size_t kRowsPerStatement = 1000;
      for (std::size_t from = 0; from < rows.size(); from += kRowsPerStatement)
        insert_rows(w, rows, from, std::min(rows.size(), from + kRowsPerStatement), stored);
      count_rows(w, rows, stored);
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

  // One multi-row INSERT for rows [from, to): a round trip for them all instead of one each.
  // RETURNING names the rows stored; the first row of a read id takes it, as one insert_read
  // after another would.
  static void insert_rows(pqxx::work& w, const std::vector<ReadRow>& rows, std::size_t from, std::size_t to,
                          std::vector<bool>& stored) {
    std::string sql =
        "INSERT INTO reads (read_id, camera_id, site_id, captured_at, plate, confidence, format, country, "
        "message, crop_path, overview_path, unknown_camera, received_at) VALUES ";
    std::vector<std::string> params;
    params.reserve((to - from) * 13);
    for (std::size_t i = from; i < to; ++i) {
      const ReadMessage& r = *rows[i].read;
      // Typed placeholders: the text parameters are then read as the columns' types.
      static constexpr const char* kTypes[] = {"text", "text", "text", "bigint", "text",    "float8", "text",
                                               "text", "text", "text", "text",   "integer", "bigint"};
      sql += i == from ? "(" : ",(";
      for (std::size_t k = 0; k < 13; ++k)
        sql += (k == 0 ? "$" : ",$") + std::to_string(params.size() + k + 1) + "::" + kTypes[k];
      sql += ")";
      for (std::string v :
           {r.read_id, r.camera_id, r.site_id, pqxx::to_string(r.captured_at), r.plate,
            pqxx::to_string(r.confidence), r.format, r.country, row_message(r), rows[i].crop_path,
            rows[i].overview_path, std::string(rows[i].unknown_camera ? "1" : "0"),
            pqxx::to_string(rows[i].received_at)})
        params.push_back(std::move(v));
    }
    sql += " ON CONFLICT (read_id, captured_at) DO NOTHING RETURNING read_id";
    std::multiset<std::string> inserted;
    for (const auto& row : w.exec_params(sql, pqxx::prepare::make_dynamic_params(params)))
      inserted.insert(row[0].as<std::string>());
    for (std::size_t i = from; i < to; ++i) {
      const auto it = inserted.find(rows[i].read->read_id);
      if (it == inserted.end()) continue;
      stored[i] = true;
      inserted.erase(it);
    }
  }

  // The stored rows' per-camera hourly counts, added up here first: one upsert may not touch a
  // (camera, hour) twice.
  static void count_rows(pqxx::work& w, const std::vector<ReadRow>& rows, const std::vector<bool>& stored) {
    std::map<std::pair<std::string, TimestampMs>, std::int64_t> counts;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (stored[i]) ++counts[{rows[i].read->camera_id, rows[i].read->captured_at / 3'600'000}];
    }
    if (counts.empty()) return;
    std::string sql = "INSERT INTO camera_hour_counts (camera_id, hour, reads) VALUES ";
    std::vector<std::string> params;
    for (const auto& [key, n] : counts) {
      const std::size_t k = params.size();
      sql += (k == 0 ? "($" : ",($") + std::to_string(k + 1) + "::text,$" + std::to_string(k + 2) +
             "::bigint,$" + std::to_string(k + 3) + "::bigint)";
      params.push_back(key.first);
      params.push_back(pqxx::to_string(key.second));
      params.push_back(pqxx::to_string(n));
    }
    sql += " ON CONFLICT (camera_id, hour) DO UPDATE SET reads = camera_hour_counts.reads + EXCLUDED.reads";
    w.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
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
