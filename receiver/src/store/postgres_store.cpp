// The store at scale: PostgreSQL through libpqxx, same schema and migrations as SQLite. Several
// receivers may share one database (MQTT shared subscription): a read id is stored once whichever
// receiver gets it, and migrations run under an advisory lock so that receivers starting together
// do not race.
#include <pqxx/pqxx>

#include <map>
#include <mutex>
#include <set>
#include <type_traits>
#include <unordered_map>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/store/store.hpp"
#include "backends.hpp"
#include "migrations.hpp"
#include "sql_store.hpp"

namespace anpr::receiver {
namespace {

constexpr long kMigrationLock = 0x616e7072;  // "anpr": one migrating receiver at a time

// Optional numbers travel as text, '' for NULL (cast back in SQL with NULLIF): libpqxx 6 has no
// parameter form for std::optional.
template <typename T>
std::string optional_text(const std::optional<T>& v) {
  return v ? pqxx::to_string(*v) : std::string();
}

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
    {"purge_files",
     "SELECT crop_path, overview_path FROM reads WHERE (captured_at < $1 AND read_id NOT IN (SELECT read_id "
     "FROM hits))"
     " OR (captured_at < $2 AND read_id IN (SELECT read_id FROM hits))"},
    {"purge_hits", "DELETE FROM hits WHERE read_id IN (SELECT read_id FROM reads WHERE captured_at < $1)"},
    {"drop_read_partitions", "SELECT anpr_drop_reads_partitions($1)"},
    {"add_read_partition", "SELECT anpr_add_reads_partition($1)"},
    {"purge_reads",
     "DELETE FROM reads WHERE (captured_at < $1 AND read_id NOT IN (SELECT read_id FROM hits))"
     " OR (captured_at < $2 AND read_id IN (SELECT read_id FROM hits))"},
    {"upsert_camera",
     "INSERT INTO cameras (camera_id, site_id, name, latitude, longitude, bearing, registered) VALUES"
     " ($1,$2,$3,NULLIF($4,'')::double precision,NULLIF($5,'')::double precision,NULLIF($6,'')::double "
     "precision,$7)"
     " ON CONFLICT (camera_id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name,"
     " latitude = excluded.latitude, longitude = excluded.longitude, bearing = excluded.bearing,"
     " registered = excluded.registered"},
    {"camera_status",
     "INSERT INTO cameras (camera_id, site_id, state, state_at, version) VALUES ($1,$2,$3,$4,$5)"
     " ON CONFLICT (camera_id) DO UPDATE SET state = excluded.state, state_at = excluded.state_at,"
     " version = excluded.version WHERE excluded.state_at >= cameras.state_at"},
    {"camera_health",
     "INSERT INTO cameras (camera_id, site_id, last_health) VALUES ($1,$2,$3)"
     " ON CONFLICT (camera_id) DO UPDATE SET last_health = excluded.last_health"},
    {"cameras",
     "SELECT camera_id, site_id, name, latitude, longitude, bearing, registered, state, state_at, version,"
     " last_health, (SELECT COALESCE(MAX(r.captured_at), 0) FROM reads r WHERE r.camera_id = "
     "cameras.camera_id)"
     " FROM cameras WHERE ($1 = '' OR camera_id = $1) ORDER BY site_id, camera_id"},
    {"watchlist_version", "SELECT version FROM watchlists WHERE name = $1 FOR UPDATE"},
    {"upsert_watchlist",
     "INSERT INTO watchlists (name, category, priority, colour, action, version) VALUES ($1,$2,$3,$4,$5,$6)"
     " ON CONFLICT (name) DO UPDATE SET category = excluded.category, priority = excluded.priority,"
     " colour = excluded.colour, action = excluded.action, version = excluded.version"},
    {"clear_entries", "DELETE FROM watchlist_entries WHERE list = $1"},
    {"insert_entry",
     "INSERT INTO watchlist_entries (list, plate, reason, added_by, added_at, expires_at) VALUES"
     " ($1,$2,$3,$4,$5,NULLIF($6,'')::bigint)"},
    {"upsert_entry",
     "INSERT INTO watchlist_entries (list, plate, reason, added_by, added_at, expires_at) VALUES"
     " ($1,$2,$3,$4,$5,NULLIF($6,'')::bigint) ON CONFLICT (list, plate) DO UPDATE SET reason = "
     "excluded.reason,"
     " added_by = excluded.added_by, added_at = excluded.added_at, expires_at = excluded.expires_at"},
    {"bump_watchlist", "UPDATE watchlists SET version = version + 1 WHERE name = $1"},
    {"remove_entry", "DELETE FROM watchlist_entries WHERE list = $1 AND plate = $2"},
    {"expire_entry", "UPDATE watchlist_entries SET expires_at = $1 WHERE list = $2 AND plate = $3"},
    {"watchlists", "SELECT name, category, priority, colour, action FROM watchlists ORDER BY priority, name"},
    {"watchlist_generation", "SELECT COUNT(*), COALESCE(SUM(version), 0) FROM watchlists"},
    {"entries",
     "SELECT list, plate, reason, added_by, added_at, expires_at FROM watchlist_entries"
     " WHERE ($1 = '' OR list = $1) ORDER BY list, plate"},
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
    run([&](pqxx::work& w) {
      add_partitions_ahead(w);
      return 0;
    });
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

  std::vector<std::string> purge_reads(TimestampMs before, TimestampMs hit_before) override {
    return run([&](pqxx::work& w) {
      std::vector<std::string> files;
      for (const auto& row : w.exec_prepared("purge_files", before, hit_before)) {
        for (int col : {0, 1}) {
          if (!row[col].as<std::string>().empty()) files.push_back(row[col].as<std::string>());
        }
      }
      w.exec_prepared("purge_hits", hit_before);
      // Whole weeks go by dropping their partitions; the week straddling the limit and the
      // default partition row by row, which each run finds only what has aged since the last.
      w.exec_prepared("drop_read_partitions", before);
      w.exec_prepared("purge_reads", before, hit_before);
      add_partitions_ahead(w);
      return files;
    });
  }

  void upsert_camera(const CameraInfo& c) override {
    run([&](pqxx::work& w) {
      w.exec_prepared("upsert_camera", c.camera_id, c.site_id, c.name, optional_text(c.latitude),
                      optional_text(c.longitude), optional_text(c.bearing), c.registered ? 1 : 0);
      return 0;
    });
  }

  void set_camera_status(const StatusMessage& st) override {
    run([&](pqxx::work& w) {
      w.exec_prepared("camera_status", st.camera_id, st.site_id, std::string(to_string(st.state)), st.at,
                      st.version);
      return 0;
    });
  }

  void set_camera_health(const HealthMessage& h) override {
    run([&](pqxx::work& w) {
      w.exec_prepared("camera_health", h.camera_id, h.site_id, encode(h));
      return 0;
    });
  }

  std::optional<CameraInfo> camera(const std::string& id) override {
    if (id.empty()) return std::nullopt;
    auto all = cameras_where(id);
    if (all.empty()) return std::nullopt;
    return all.front();
  }

  std::vector<CameraInfo> cameras() override { return cameras_where(""); }

  int replace_watchlist(const WatchlistInfo& list, const std::vector<WatchlistEntry>& entries) override {
    return run([&](pqxx::work& w) {
      int version = 1;
      const auto v = w.exec_prepared("watchlist_version", list.name);
      if (!v.empty()) version = v[0][0].as<int>() + 1;
      w.exec_prepared("upsert_watchlist", list.name, list.category, list.priority, list.colour, list.action,
                      version);
      w.exec_prepared("clear_entries", list.name);
      for (const auto& e : entries) {
        w.exec_prepared("insert_entry", list.name, e.plate, e.reason, e.added_by, e.added_at,
                        optional_text(e.expires_at));
      }
      return version;
    });
  }

  void add_entry(const WatchlistEntry& e) override {
    run([&](pqxx::work& w) {
      try {
        w.exec_prepared("upsert_entry", e.list, e.plate, e.reason, e.added_by, e.added_at,
                        optional_text(e.expires_at));
      } catch (const pqxx::foreign_key_violation&) {
        throw Error(ErrorCode::kInput, "no watchlist named '" + e.list + "'");
      }
      w.exec_prepared("bump_watchlist", e.list);
      return 0;
    });
  }

  bool remove_entry(const std::string& list, const std::string& plate) override {
    return run([&](pqxx::work& w) {
      const bool removed = w.exec_prepared("remove_entry", list, plate).affected_rows() == 1;
      w.exec_prepared("bump_watchlist", list);
      return removed;
    });
  }

  std::vector<WatchlistInfo> watchlists() override {
    return run([&](pqxx::work& w) {
      std::vector<WatchlistInfo> out;
      for (const auto& row : w.exec_prepared("watchlists")) {
        out.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int>(),
                       row[3].as<std::string>(), row[4].as<std::string>()});
      }
      return out;
    });
  }

  std::string watchlist_generation() override {
    return run([&](pqxx::work& w) {
      const auto row = w.exec_prepared1("watchlist_generation");
      return row[0].as<std::string>() + ":" + row[1].as<std::string>();
    });
  }

  std::vector<WatchlistEntry> entries(const std::string& list) override {
    return run([&](pqxx::work& w) {
      std::vector<WatchlistEntry> out;
      for (const auto& row : w.exec_prepared("entries", list)) {
        WatchlistEntry e{row[0].as<std::string>(), row[1].as<std::string>(),  row[2].as<std::string>(),
                         row[3].as<std::string>(), row[4].as<std::int64_t>(), std::nullopt};
        if (!row[5].is_null()) e.expires_at = row[5].as<std::int64_t>();
        out.push_back(std::move(e));
      }
      return out;
    });
  }

  bool expire_entry(const std::string& list, const std::string& plate, TimestampMs at) override {
    return run([&](pqxx::work& w) {
      const bool changed = w.exec_prepared("expire_entry", at, list, plate).affected_rows() == 1;
      w.exec_prepared("bump_watchlist", list);
      return changed;
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
      w.exec_params("SELECT pg_notify($1, $2)", channel, payload);
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

 private:
  // This week's partition of reads and the next weeks', made before reads need them (at start
  // and by the retention timer); a read with no partition lands in the default one.
  static void add_partitions_ahead(pqxx::work& w) {
    const TimestampMs now = now_ms();
    for (int week = 0; week <= partitions::kWeeksAhead; ++week)
      w.exec_prepared("add_read_partition", now + week * partitions::kWeekMs);
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

  std::vector<CameraInfo> cameras_where(const std::string& id) {
    return run([&](pqxx::work& w) {
      std::vector<CameraInfo> out;
      for (const auto& row : w.exec_prepared("cameras", id)) {
        CameraInfo c;
        c.camera_id = row[0].as<std::string>();
        c.site_id = row[1].as<std::string>();
        c.name = row[2].as<std::string>();
        if (!row[3].is_null()) c.latitude = row[3].as<double>();
        if (!row[4].is_null()) c.longitude = row[4].as<double>();
        if (!row[5].is_null()) c.bearing = row[5].as<double>();
        c.registered = row[6].as<int>() != 0;
        c.state = row[7].as<std::string>();
        c.state_at = row[8].as<std::int64_t>();
        c.version = row[9].as<std::string>();
        if (!row[10].is_null()) {
          const auto h = decode_health(row[10].as<std::string>());
          if (h.ok()) c.last_health = h.value();
        }
        c.last_read_at = row[11].as<std::int64_t>();
        out.push_back(std::move(c));
      }
      return out;
    });
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
  pqxx::connection conn_;
  pqxx::work* tx_ = nullptr;         // the transaction in progress, if any (guarded by mutex_)
  PgConnection::Prepared prepared_;  // the shared statements prepared on conn_ (guarded by mutex_)
};

}  // namespace

std::unique_ptr<Store> make_postgres_store(const std::string& dsn) {
  return std::make_unique<PostgresStore>(dsn);
}

}  // namespace anpr::receiver
