// The embedded store: one SQLite file in WAL mode.
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/store/store.hpp"
#include "backends.hpp"
#include "migrations.hpp"
#include "shared_statements.hpp"
#include "sqlite_db.hpp"

namespace anpr::receiver {
namespace {

// Statements in the SQL both back ends share; numbered parameters (?N / $N) are rewritten.
constexpr TimestampMs kHourMs = 3'600'000;
const std::string kCountRead = sqlite_parameters(kCountReadSql);
const std::string kCameraReadCounts = sqlite_parameters(kCameraReadCountsSql);
const std::string kCameraHitCounts = sqlite_parameters(kCameraHitCountsSql);
const std::string kFirstSeen = sqlite_parameters(kFirstSeenSql);

}  // namespace
}  // namespace anpr::receiver

namespace anpr::receiver {
namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;

class SqliteStore final : public Store {
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

  std::int64_t read_count() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT COUNT(*) FROM reads");
    s.step();
    return s.integer(0);
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

  std::int64_t purge_dead_letters(TimestampMs older_than, std::int64_t keep_at_most) override {
    std::lock_guard lock(mutex_);
    Stmt old(db_, "DELETE FROM dead_letters WHERE received_at < ?");
    Stmt beyond(db_,
                "DELETE FROM dead_letters WHERE id <= (SELECT id FROM dead_letters ORDER BY id DESC LIMIT 1 "
                "OFFSET ?)");
    return old.bind(1, older_than).run() + beyond.bind(1, keep_at_most).run();
  }

  std::int64_t dead_letter_count() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT COUNT(*) FROM dead_letters");
    s.step();
    return s.integer(0);
  }

  std::vector<DeadLetter> dead_letters(int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "SELECT id, received_at, topic, reason, payload_bytes FROM dead_letters ORDER BY id DESC LIMIT ?");
    s.bind(1, limit);
    std::vector<DeadLetter> out;
    while (s.step()) {
      out.push_back(
          {s.integer(0), s.integer(1), s.text(2), s.text(3), static_cast<std::size_t>(s.integer(4))});
    }
    return out;
  }

  void insert_hit(const HitMessage& h, TimestampMs created_at) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT INTO hits (hit_id, read_id, camera_id, site_id, at, plate, entry_plate, list, category,"
           " priority, match_kind, score, reason, action, created_at, related_read_id)"
           " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(1, h.hit_id).bind(2, h.read_id).bind(3, h.camera_id).bind(4, h.site_id).bind(5, h.at);
    s.bind(6, h.plate).bind(7, h.entry_plate).bind(8, h.list).bind(9, h.category).bind(10, h.priority);
    s.bind(11, h.match_kind).bind(12, h.score).bind(13, h.reason).bind(14, h.action).bind(15, created_at);
    s.bind(16, h.related_read_id).run();
  }

  std::vector<HitRecord> hits(std::optional<TimestampMs> since, std::optional<std::string> state,
                              int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "SELECT hit_id, read_id, camera_id, site_id, at, plate, entry_plate, list, category, priority,"
           " match_kind, score, reason, action, state, created_at, acknowledged_by, acknowledged_at, note,"
           " related_read_id FROM hits WHERE created_at >= ? AND (? = '' OR state = ?) ORDER BY created_at "
           "DESC LIMIT ?");
    s.bind(1, since.value_or(0)).bind(2, state.value_or("")).bind(3, state.value_or("")).bind(4, limit);
    std::vector<HitRecord> out;
    while (s.step()) {
      HitRecord r;
      HitMessage& h = r.hit;
      h.hit_id = s.text(0);
      h.read_id = s.text(1);
      h.camera_id = s.text(2);
      h.site_id = s.text(3);
      h.at = s.integer(4);
      h.plate = s.text(5);
      h.entry_plate = s.text(6);
      h.list = s.text(7);
      h.category = s.text(8);
      h.priority = static_cast<int>(s.integer(9));
      h.match_kind = s.text(10);
      h.score = s.real(11);
      h.reason = s.text(12);
      h.action = s.text(13);
      r.state = s.text(14);
      r.created_at = s.integer(15);
      r.acknowledged_by = s.text(16);
      r.acknowledged_at = s.integer(17);
      r.note = s.text(18);
      h.related_read_id = s.text(19);
      out.push_back(std::move(r));
    }
    return out;
  }

  bool acknowledge_hit(const std::string& id, const std::string& user, const std::string& note,
                       TimestampMs at) override {
    return move_hit(id, "new", "acknowledged", user, note, at);
  }

  bool close_hit(const std::string& id, const std::string& user, const std::string& note,
                 TimestampMs at) override {
    return move_hit(id, "acknowledged", "closed", user, note, at);
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

  std::vector<ListCount> hit_counts(TimestampMs from, TimestampMs to) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, shared_sql::kHitCounts);
    s.bind(1, from).bind(2, to);
    std::vector<ListCount> out;
    while (s.step()) out.push_back({s.text(0), s.integer(1) * shared_sql::kDayMs, s.integer(2)});
    return out;
  }

  bool raise_fault(const CameraFault& f) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, fault_sql::kRaise);
    s.bind(1, f.fault_id).bind(2, f.camera_id).bind(3, f.site_id).bind(4, f.kind).bind(5, f.priority);
    return s.bind(6, f.detail).bind(7, f.raised_at).run() == 1;
  }

  bool clear_fault(const std::string& camera_id, const std::string& kind, TimestampMs at) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, fault_sql::kClear);
    return s.bind(1, at).bind(2, camera_id).bind(3, kind).run() == 1;
  }

  bool acknowledge_fault(const std::string& fault_id, const std::string& user, const std::string& note,
                         TimestampMs at) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, fault_sql::kAcknowledge);
    return s.bind(1, user).bind(2, at).bind(3, note).bind(4, fault_id).run() == 1;
  }

  std::vector<CameraFault> faults(TimestampMs changed_since, bool needing_attention, int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, fault_sql::kSelect);
    s.bind(1, changed_since).bind(2, needing_attention ? 1 : 0).bind(3, limit);
    return fault_rows(s);
  }

  std::vector<CameraFault> open_faults() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, fault_sql::kSelectOpen);
    return fault_rows(s);
  }

  static std::vector<CameraFault> fault_rows(Stmt& s) {
    std::vector<CameraFault> out;
    while (s.step()) {
      CameraFault f;
      f.fault_id = s.text(0);
      f.camera_id = s.text(1);
      f.site_id = s.text(2);
      f.kind = s.text(3);
      f.priority = static_cast<int>(s.integer(4));
      f.detail = s.text(5);
      f.raised_at = s.integer(6);
      f.cleared_at = s.integer(7);
      f.changed_at = s.integer(8);
      f.state = s.text(9);
      f.acknowledged_by = s.text(10);
      f.acknowledged_at = s.integer(11);
      f.note = s.text(12);
      out.push_back(std::move(f));
    }
    return out;
  }

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

  std::vector<Sighting> reads(const std::string& camera_id, TimestampMs from, TimestampMs to,
                              int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "SELECT r.read_id, r.plate, r.camera_id, r.site_id, COALESCE(c.name, ''), c.latitude, c.longitude,"
           " r.captured_at, r.confidence, r.unknown_camera, r.received_at FROM reads r LEFT JOIN cameras c "
           "ON c.camera_id = r.camera_id"
           " WHERE (? = '' OR r.camera_id = ?) AND r.captured_at >= ? AND r.captured_at <= ?"
           " ORDER BY r.captured_at DESC LIMIT ?");
    s.bind(1, camera_id).bind(2, camera_id).bind(3, from).bind(4, to).bind(5, limit);
    return sightings(s);
  }

  std::vector<Sighting> reads_arrived(TimestampMs received_from, int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "SELECT r.read_id, r.plate, r.camera_id, r.site_id, COALESCE(c.name, ''), c.latitude, c.longitude,"
           " r.captured_at, r.confidence, r.unknown_camera, r.received_at FROM reads r"
           " LEFT JOIN cameras c ON c.camera_id = r.camera_id WHERE r.received_at >= ?"
           " ORDER BY r.received_at LIMIT ?");
    s.bind(1, received_from).bind(2, limit);
    return sightings(s);
  }

  std::vector<Sighting> movements(const std::string& plate, TimestampMs from, TimestampMs to,
                                  int limit) override {
    std::lock_guard lock(mutex_);
    const bool pattern = plate.find_first_of("?*") != std::string::npos;
    Stmt s(db_, std::string(
                    "SELECT r.read_id, r.plate, r.camera_id, r.site_id, COALESCE(c.name, ''), c.latitude,"
                    " c.longitude, r.captured_at, r.confidence, r.unknown_camera, r.received_at FROM reads r"
                    " LEFT JOIN cameras c ON c.camera_id = r.camera_id WHERE ") +
                    (pattern ? "r.plate LIKE ?" : "r.plate = ?") +
                    " AND r.captured_at >= ? AND r.captured_at <= ? ORDER BY r.captured_at LIMIT ?");
    s.bind(1, pattern ? like_pattern(plate) : plate).bind(2, from).bind(3, to).bind(4, limit);
    return sightings(s);
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

  std::vector<ReadPoint> plate_neighbours(const std::string& plate, TimestampMs at, TimestampMs window_ms,
                                          const std::string& read_id) override {
    std::lock_guard lock(mutex_);
    std::vector<ReadPoint> out;
    for (const bool before : {true, false}) {
      Stmt s(db_,
             before
                 ? "SELECT read_id, plate, camera_id, site_id, captured_at, confidence FROM reads WHERE "
                   "plate = ?"
                   " AND captured_at <= ? AND captured_at >= ? AND read_id <> ? ORDER BY captured_at DESC "
                   "LIMIT 1"
                 : "SELECT read_id, plate, camera_id, site_id, captured_at, confidence FROM reads WHERE "
                   "plate = ?"
                   " AND captured_at > ? AND captured_at <= ? AND read_id <> ? ORDER BY captured_at LIMIT 1");
      s.bind(1, plate).bind(2, at).bind(3, before ? at - window_ms : at + window_ms).bind(4, read_id);
      if (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.integer(4), s.real(5)});
    }
    return out;
  }

  std::vector<CameraCount> camera_counts(TimestampMs from, TimestampMs to, TimestampMs bucket_ms) override {
    std::lock_guard lock(mutex_);
    // Hits over the same whole hours as the reads, which are counted per hour.
    const auto [first_hour, end_hour] = hours_touched(from, to);
    CountTable counts(bucket_ms);
    Stmt r(db_, kCameraReadCounts);
    r.bind(1, bucket_ms).bind(2, first_hour).bind(3, end_hour);
    while (r.step()) counts.add(r.text(0), r.integer(1), r.integer(2), false);
    Stmt h(db_, kCameraHitCounts);
    h.bind(1, bucket_ms).bind(2, first_hour * kHourMs).bind(3, end_hour * kHourMs);
    while (h.step()) counts.add(h.text(0), h.integer(1), h.integer(2), true);
    return counts.rows();
  }

  std::vector<FirstSighting> first_seen(const std::string& site_id, TimestampMs from, TimestampMs to,
                                        TimestampMs lookback_from, int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, kFirstSeen);
    s.bind(1, site_id).bind(2, from).bind(3, to).bind(4, lookback_from).bind(5, limit);
    std::vector<FirstSighting> out;
    while (s.step()) out.push_back({s.text(0), s.integer(1), s.integer(2), s.integer(3)});
    return out;
  }

  void upsert_section(const SpeedSection& x) override {
    std::lock_guard lock(mutex_);
    Stmt s(
        db_,
        "INSERT INTO speed_sections (name, from_camera, to_camera, distance_m, limit_mph) VALUES (?,?,?,?,?)"
        " ON CONFLICT (name) DO UPDATE SET from_camera = excluded.from_camera, to_camera = "
        "excluded.to_camera,"
        " distance_m = excluded.distance_m, limit_mph = excluded.limit_mph");
    s.bind(1, x.name)
        .bind(2, x.from_camera)
        .bind(3, x.to_camera)
        .bind(4, x.distance_m)
        .bind(5, x.limit_mph)
        .run();
  }

  std::vector<SpeedSection> sections() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "SELECT name, from_camera, to_camera, distance_m, limit_mph FROM speed_sections ORDER BY name");
    std::vector<SpeedSection> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.real(3), s.real(4)});
    return out;
  }

  void audit(const AuditRecord& r) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "INSERT INTO audit_log (at, actor, action, subject, reason) VALUES (?,?,?,?,?)");
    s.bind(1, r.at).bind(2, r.actor).bind(3, r.action).bind(4, r.subject).bind(5, r.reason).run();
  }

  void in_transaction(const std::function<void()>& work) override {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    work();
    tx.commit();
  }

  std::vector<AuditRecord> audit_log(int limit) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT id, at, actor, action, subject, reason FROM audit_log ORDER BY id DESC LIMIT ?");
    s.bind(1, limit);
    std::vector<AuditRecord> out;
    while (s.step()) out.push_back({s.integer(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.text(5)});
    return out;
  }

  std::optional<ReadImages> read_images(const std::string& read_id) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT crop_path, overview_path FROM reads WHERE read_id = ?");
    s.bind(1, read_id);
    if (!s.step()) return std::nullopt;
    return ReadImages{s.text(0), s.text(1)};
  }

  std::optional<std::string> read_message(const std::string& read_id) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT message FROM reads WHERE read_id = ?");
    s.bind(1, read_id);
    if (!s.step()) return std::nullopt;
    return s.text(0);
  }

  bool add_user(const UserRecord& u) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT INTO users (name, password_hash, role, disabled, created_at) VALUES (?,?,?,?,?)"
           " ON CONFLICT (name) DO NOTHING");
    s.bind(1, u.name)
        .bind(2, u.password_hash)
        .bind(3, u.role)
        .bind(4, u.disabled ? 1 : 0)
        .bind(5, u.created_at);
    return s.run() == 1;
  }

  bool update_user(const UserRecord& u) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "UPDATE users SET password_hash = ?, role = ?, disabled = ? WHERE name = ?");
    s.bind(1, u.password_hash).bind(2, u.role).bind(3, u.disabled ? 1 : 0).bind(4, u.name);
    return s.run() == 1;
  }

  std::optional<UserRecord> user(const std::string& name) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT name, password_hash, role, disabled, created_at FROM users WHERE name = ?");
    s.bind(1, name);
    if (!s.step()) return std::nullopt;
    return UserRecord{s.text(0), s.text(1), s.text(2), s.integer(3) != 0, s.integer(4)};
  }

  std::vector<UserRecord> users() override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT name, password_hash, role, disabled, created_at FROM users ORDER BY name");
    std::vector<UserRecord> out;
    while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.integer(3) != 0, s.integer(4)});
    return out;
  }

  void save_session(const SessionRecord& r) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "INSERT INTO web_sessions (token_hash, user_name, role, csrf_token, credential, created_at, "
           "last_seen)"
           " VALUES (?,?,?,?,?,?,?) ON CONFLICT (token_hash) DO UPDATE SET last_seen = excluded.last_seen");
    s.bind(1, r.token_hash).bind(2, r.user).bind(3, r.role).bind(4, r.csrf_token).bind(5, r.credential);
    s.bind(6, r.created_at).bind(7, r.last_seen).run();
  }

  std::optional<SessionRecord> find_session(const std::string& token_hash) override {
    std::lock_guard lock(mutex_);
    Stmt s(
        db_,
        "SELECT token_hash, user_name, role, csrf_token, credential, created_at, last_seen FROM web_sessions"
        " WHERE token_hash = ?");
    s.bind(1, token_hash);
    if (!s.step()) return std::nullopt;
    return SessionRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.integer(6)};
  }

  void delete_sessions(const std::string& token_hash, const std::string& user) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_,
           "DELETE FROM web_sessions WHERE (? = '' OR token_hash = ?) AND (? = '' OR user_name = ?)"
           " AND NOT (? = '' AND ? = '')");
    s.bind(1, token_hash)
        .bind(2, token_hash)
        .bind(3, user)
        .bind(4, user)
        .bind(5, token_hash)
        .bind(6, user)
        .run();
  }

  void purge_sessions(TimestampMs idle_before) override {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "DELETE FROM web_sessions WHERE last_seen < ?");
    s.bind(1, idle_before).run();
  }

 private:
  // Rows of (read_id, plate, camera_id, site_id, name, latitude, longitude, at, confidence, unknown).
  static std::vector<Sighting> sightings(Stmt& s) {
    std::vector<Sighting> out;
    while (s.step()) {
      Sighting x{s.text(0),    s.text(1),    s.text(2), s.text(3),         s.text(4),    std::nullopt,
                 std::nullopt, s.integer(7), s.real(8), s.integer(9) != 0, s.integer(10)};
      if (!s.is_null(5)) x.latitude = s.real(5);
      if (!s.is_null(6)) x.longitude = s.real(6);
      out.push_back(std::move(x));
    }
    return out;
  }

  bool move_hit(const std::string& id, const char* from, const char* to, const std::string& user,
                const std::string& note, TimestampMs at) {
    std::lock_guard lock(mutex_);
    const bool ack = std::string(to) == "acknowledged";
    Stmt s(db_,
           ack ? "UPDATE hits SET state = ?, acknowledged_by = ?, acknowledged_at = ?, note = ? WHERE hit_id "
                 "= ? AND state = ?"
               : "UPDATE hits SET state = ?, note = CASE WHEN ? = '' THEN note ELSE note || char(10) || ? END"
                 " WHERE hit_id = ? AND state = ? AND ? >= 0");
    if (ack)
      s.bind(1, to).bind(2, user).bind(3, at).bind(4, note).bind(5, id).bind(6, from);
    else
      s.bind(1, to).bind(2, note).bind(3, user + ": " + note).bind(4, id).bind(5, from).bind(6, at);
    return s.run() == 1;
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
