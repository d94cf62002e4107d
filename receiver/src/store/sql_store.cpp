// The SQL both back ends share, written once with PostgreSQL's numbered parameters ($1, $2, ...;
// the SQLite adapter rewrites them as ?1, ?2, ...), and the rows it returns made into values:
// reads, dead letters, hits and the analyses' queries. (Cameras, watchlists, the audit log and
// users are in sql_store_registry.cpp.)
#include <map>
#include <utility>

#include "sql_store.hpp"

namespace anpr::receiver {
namespace {

constexpr TimestampMs kHourMs = 3'600'000;
constexpr TimestampMs kDayMs = 86'400'000;

/// A plate pattern in SQL LIKE form: '?' and '*' become '_' and '%' (plates never contain either).
[[nodiscard]] std::string like_pattern(const std::string& pattern) {
  std::string out = pattern;
  for (char& c : out) {
    if (c == '?')
      c = '_';
    else if (c == '*')
      c = '%';
  }
  return out;
}

/// Reads and hits per camera per bucket, as camera_counts' two queries give them.
class CountTable {
 public:
  explicit CountTable(TimestampMs bucket_ms) : bucket_ms_(bucket_ms) {}
  /// `count` reads (or hits) of `camera` in bucket number `bucket` (its start / bucket length).
  void add(const std::string& camera, std::int64_t bucket, std::int64_t count, bool hits) {
    CameraCount& c = counts_[{camera, bucket}];
    c.camera_id = camera;
    c.bucket = bucket * bucket_ms_;
    (hits ? c.hits : c.reads) = count;
  }
  [[nodiscard]] std::vector<CameraCount> rows() const {
    std::vector<CameraCount> out;
    for (const auto& [key, c] : counts_) out.push_back(c);
    return out;
  }

 private:
  TimestampMs bucket_ms_;
  std::map<std::pair<std::string, std::int64_t>, CameraCount> counts_;
};

/// The whole hours [first, last) that [from, to) touches, as hour numbers since the epoch.
[[nodiscard]] std::pair<std::int64_t, std::int64_t> hours_touched(TimestampMs from, TimestampMs to) {
  return {from / kHourMs, (to + kHourMs - 1) / kHourMs};
}

// A sighting: a read with its camera's name and place, newest first or in time order.
#define ANPR_SIGHTING_COLUMNS                                                                         \
  "SELECT r.read_id, r.plate, r.camera_id, r.site_id, COALESCE(c.name, ''), c.latitude, c.longitude," \
  " r.captured_at, r.confidence, r.unknown_camera, r.received_at FROM reads r"                        \
  " LEFT JOIN cameras c ON c.camera_id = r.camera_id"
constexpr const char* kReads = ANPR_SIGHTING_COLUMNS
    " WHERE ($1 = '' OR r.camera_id = $1) AND r.captured_at >= $2 AND r.captured_at <= $3"
    " ORDER BY r.captured_at DESC LIMIT $4";
constexpr const char* kReadsArrived =
    ANPR_SIGHTING_COLUMNS " WHERE r.received_at >= $1 ORDER BY r.received_at LIMIT $2";
constexpr const char* kMovementsExact = ANPR_SIGHTING_COLUMNS
    " WHERE r.plate = $1 AND r.captured_at >= $2 AND r.captured_at <= $3 ORDER BY r.captured_at LIMIT $4";
constexpr const char* kMovementsPattern = ANPR_SIGHTING_COLUMNS
    " WHERE r.plate LIKE $1 AND r.captured_at >= $2 AND r.captured_at <= $3 ORDER BY r.captured_at LIMIT $4";
#undef ANPR_SIGHTING_COLUMNS

Sighting sighting(const SqlRow& r) {
  return {r.text(0),          r.text(1),    r.text(2), r.text(3),         r.text(4),    r.optional_real(5),
          r.optional_real(6), r.integer(7), r.real(8), r.integer(9) != 0, r.integer(10)};
}

HitRecord hit_record(const SqlRow& r) {
  HitRecord out;
  HitMessage& h = out.hit;
  h.hit_id = r.text(0);
  h.read_id = r.text(1);
  h.camera_id = r.text(2);
  h.site_id = r.text(3);
  h.at = r.integer(4);
  h.plate = r.text(5);
  h.entry_plate = r.text(6);
  h.list = r.text(7);
  h.category = r.text(8);
  h.priority = static_cast<int>(r.integer(9));
  h.match_kind = r.text(10);
  h.score = r.real(11);
  h.reason = r.text(12);
  h.action = r.text(13);
  out.state = r.text(14);
  out.created_at = r.integer(15);
  out.acknowledged_by = r.text(16);
  out.acknowledged_at = r.integer(17);
  out.note = r.text(18);
  h.related_read_id = r.text(19);
  return out;
}

ReadPoint read_point(const SqlRow& r) {
  return {r.text(0), r.text(1), r.text(2), r.text(3), r.integer(4), r.real(5)};
}

}  // namespace

// --- reads -------------------------------------------------------------------------------------

std::int64_t SqlStore::read_count() {
  return run([](SqlConnection& c) { return c.integer("SELECT COUNT(*) FROM reads"); });
}

std::vector<Sighting> SqlStore::reads(const std::string& camera_id, TimestampMs from, TimestampMs to,
                                      int limit) {
  return run([&](SqlConnection& c) {
    return c.rows<Sighting>(kReads, {camera_id, from, to, limit}, sighting);
  });
}

std::vector<Sighting> SqlStore::reads_arrived(TimestampMs received_from, int limit) {
  return run([&](SqlConnection& c) {
    return c.rows<Sighting>(kReadsArrived, {received_from, limit}, sighting);
  });
}

std::vector<Sighting> SqlStore::movements(const std::string& plate, TimestampMs from, TimestampMs to,
                                          int limit) {
  const bool pattern = plate.find_first_of("?*") != std::string::npos;
  const std::string wanted = pattern ? like_pattern(plate) : plate;
  return run([&](SqlConnection& c) {
    return c.rows<Sighting>(pattern ? kMovementsPattern : kMovementsExact, {wanted, from, to, limit},
                            sighting);
  });
}

std::optional<ReadImages> SqlStore::read_images(const std::string& read_id) {
  return run([&](SqlConnection& c) {
    return c.first<ReadImages>("SELECT crop_path, overview_path FROM reads WHERE read_id = $1", {read_id},
                               [](const SqlRow& r) {
                                 return ReadImages{r.text(0), r.text(1)};
                               });
  });
}

std::optional<std::string> SqlStore::read_message(const std::string& read_id) {
  return run([&](SqlConnection& c) {
    return c.first<std::string>("SELECT message FROM reads WHERE read_id = $1", {read_id},
                                [](const SqlRow& r) { return r.text(0); });
  });
}

std::vector<std::string> SqlStore::purge_reads(TimestampMs before, TimestampMs hit_before) {
  // Reads captured before `before`, and those a hit names before `hit_before`, with their hits;
  // their image files are the caller's to delete once this has committed.
  const std::string doomed =
      " FROM reads WHERE (captured_at < $1 AND read_id NOT IN (SELECT read_id FROM hits))"
      " OR (captured_at < $2 AND read_id IN (SELECT read_id FROM hits))";
  return run(
      [&](SqlConnection& c) {
        std::vector<std::string> files;
        c.exec("SELECT crop_path, overview_path" + doomed, {before, hit_before}, [&](const SqlRow& r) {
          for (int col : {0, 1}) {
            if (std::string path = r.text(col); !path.empty()) files.push_back(std::move(path));
          }
        });
        c.exec("DELETE FROM hits WHERE read_id IN (SELECT read_id FROM reads WHERE captured_at < $1)",
               {hit_before});
        purge_partitions(c, before);
        c.exec("DELETE" + doomed, {before, hit_before});
        return files;
      },
      true);
}

// --- dead letters ------------------------------------------------------------------------------

std::vector<DeadLetter> SqlStore::dead_letters(int limit) {
  return run([&](SqlConnection& c) {
    return c.rows<DeadLetter>(
        "SELECT id, received_at, topic, reason, payload_bytes FROM dead_letters ORDER BY id DESC LIMIT $1",
        {limit}, [](const SqlRow& r) {
          return DeadLetter{r.integer(0), r.integer(1), r.text(2), r.text(3),
                            static_cast<std::size_t>(r.integer(4))};
        });
  });
}

std::int64_t SqlStore::purge_dead_letters(TimestampMs older_than, std::int64_t keep_at_most) {
  return run([&](SqlConnection& c) {
    return c.exec("DELETE FROM dead_letters WHERE received_at < $1", {older_than}) +
           c.exec(
               "DELETE FROM dead_letters WHERE id <= (SELECT id FROM dead_letters ORDER BY id DESC LIMIT 1"
               " OFFSET $1)",
               {keep_at_most});
  });
}

std::int64_t SqlStore::dead_letter_count() {
  return run([](SqlConnection& c) { return c.integer("SELECT COUNT(*) FROM dead_letters"); });
}

// --- hits --------------------------------------------------------------------------------------

void SqlStore::insert_hit(const HitMessage& h, TimestampMs created_at) {
  run([&](SqlConnection& c) {
    c.exec(
        "INSERT INTO hits (hit_id, read_id, camera_id, site_id, at, plate, entry_plate, list, category,"
        " priority, match_kind, score, reason, action, created_at, related_read_id)"
        " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)",
        {h.hit_id, h.read_id, h.camera_id, h.site_id, h.at, h.plate, h.entry_plate, h.list, h.category,
         h.priority, h.match_kind, h.score, h.reason, h.action, created_at, h.related_read_id});
  });
}

bool SqlStore::acknowledge_hit(const std::string& id, const std::string& user, const std::string& note,
                               TimestampMs at) {
  return run([&](SqlConnection& c) {
    return c.exec(
               "UPDATE hits SET state = 'acknowledged', acknowledged_by = $1, acknowledged_at = $2,"
               " note = $3 WHERE hit_id = $4 AND state = 'new'",
               {user, at, note, id}) == 1;
  });
}

bool SqlStore::close_hit(const std::string& id, const std::string& user, const std::string& note,
                         TimestampMs /*at*/) {
  // The closing note goes on a line of its own after the acknowledgement's, with who wrote it.
  const std::string line = "\n" + user + ": " + note;
  return run([&](SqlConnection& c) {
    return c.exec(
               "UPDATE hits SET state = 'closed', note = CASE WHEN $1 = '' THEN note ELSE note || $2 END"
               " WHERE hit_id = $3 AND state = 'acknowledged'",
               {note, line, id}) == 1;
  });
}

std::vector<HitRecord> SqlStore::hits(std::optional<TimestampMs> since, std::optional<std::string> state,
                                      int limit) {
  return run([&](SqlConnection& c) {
    return c.rows<HitRecord>(
        "SELECT hit_id, read_id, camera_id, site_id, at, plate, entry_plate, list, category, priority,"
        " match_kind, score, reason, action, state, created_at, acknowledged_by, acknowledged_at, note,"
        " related_read_id FROM hits WHERE created_at >= $1 AND ($2 = '' OR state = $2)"
        " ORDER BY created_at DESC LIMIT $3",
        {since.value_or(0), state.value_or(""), limit}, hit_record);
  });
}

// --- analysis ----------------------------------------------------------------------------------

std::vector<ReadPoint> SqlStore::plate_neighbours(const std::string& plate, TimestampMs at,
                                                  TimestampMs window_ms, const std::string& read_id) {
  // The read of the plate just before `at` (within the window) and the one just after.
  constexpr const char* kBefore =
      "SELECT read_id, plate, camera_id, site_id, captured_at, confidence FROM reads WHERE plate = $1"
      " AND captured_at <= $2 AND captured_at >= $3 AND read_id <> $4 ORDER BY captured_at DESC LIMIT 1";
  constexpr const char* kAfter =
      "SELECT read_id, plate, camera_id, site_id, captured_at, confidence FROM reads WHERE plate = $1"
      " AND captured_at > $2 AND captured_at <= $3 AND read_id <> $4 ORDER BY captured_at LIMIT 1";
  return run([&](SqlConnection& c) {
    std::vector<ReadPoint> out;
    for (const bool before : {true, false}) {
      const auto p =
          c.first<ReadPoint>(before ? kBefore : kAfter,
                             {plate, at, before ? at - window_ms : at + window_ms, read_id}, read_point);
      if (p) out.push_back(*p);
    }
    return out;
  });
}

std::vector<CameraCount> SqlStore::camera_counts(TimestampMs from, TimestampMs to, TimestampMs bucket_ms) {
  return run([&](SqlConnection& c) {
    // Hits over the same whole hours as the reads, which are counted per hour.
    const auto [first_hour, end_hour] = hours_touched(from, to);
    CountTable counts(bucket_ms);
    c.exec(
        "SELECT camera_id, hour * 3600000 / $1, SUM(reads) FROM camera_hour_counts WHERE hour >= $2"
        " AND hour < $3 GROUP BY camera_id, hour * 3600000 / $1",
        {bucket_ms, first_hour, end_hour},
        [&](const SqlRow& r) { counts.add(r.text(0), r.integer(1), r.integer(2), false); });
    c.exec(
        "SELECT camera_id, at / $1, COUNT(*) FROM hits WHERE at >= $2 AND at < $3"
        " GROUP BY camera_id, at / $1",
        {bucket_ms, first_hour * kHourMs, end_hour * kHourMs},
        [&](const SqlRow& r) { counts.add(r.text(0), r.integer(1), r.integer(2), true); });
    return counts.rows();
  });
}

std::vector<ListCount> SqlStore::hit_counts(TimestampMs from, TimestampMs to) {
  // Hits per list per UTC day whose read was captured in [from, to).
  return run([&](SqlConnection& c) {
    return c.rows<ListCount>(
        "SELECT list, at / 86400000, COUNT(*) FROM hits WHERE at >= $1 AND at < $2 GROUP BY list,"
        " at / 86400000 ORDER BY 2, 1",
        {from, to}, [](const SqlRow& r) {
          return ListCount{r.text(0), r.integer(1) * kDayMs, r.integer(2)};
        });
  });
}

std::vector<FirstSighting> SqlStore::first_seen(const std::string& site_id, TimestampMs from, TimestampMs to,
                                                TimestampMs lookback_from, int limit) {
  // Plates read at the site in [from, to) and not there in [lookback_from, from), first seen
  // first. The site's cameras come from the registry; both scans read the camera-time-plate
  // index alone.
  constexpr const char* kFirstSeen =
      "WITH site_cameras AS (SELECT camera_id FROM cameras WHERE site_id = $1),"
      " seen AS (SELECT plate, MIN(captured_at) AS first, MAX(captured_at) AS last, COUNT(*) AS n FROM reads"
      "  WHERE camera_id IN (SELECT camera_id FROM site_cameras) AND captured_at >= $2 AND captured_at < $3 "
      "GROUP BY plate),"
      " earlier AS (SELECT DISTINCT plate FROM reads"
      "  WHERE camera_id IN (SELECT camera_id FROM site_cameras) AND captured_at >= $4 AND captured_at < $2)"
      " SELECT plate, first, last, n FROM seen WHERE plate NOT IN (SELECT plate FROM earlier)"
      " ORDER BY first, plate LIMIT $5";
  return run([&](SqlConnection& c) {
    return c.rows<FirstSighting>(kFirstSeen, {site_id, from, to, lookback_from, limit}, [](const SqlRow& r) {
      return FirstSighting{r.text(0), r.integer(1), r.integer(2), r.integer(3)};
    });
  });
}

void SqlStore::upsert_section(const SpeedSection& x) {
  run([&](SqlConnection& c) {
    c.exec(
        "INSERT INTO speed_sections (name, from_camera, to_camera, distance_m, limit_mph)"
        " VALUES ($1,$2,$3,$4,$5) ON CONFLICT (name) DO UPDATE SET from_camera = excluded.from_camera,"
        " to_camera = excluded.to_camera, distance_m = excluded.distance_m, limit_mph = excluded.limit_mph",
        {x.name, x.from_camera, x.to_camera, x.distance_m, x.limit_mph});
  });
}

std::vector<SpeedSection> SqlStore::sections() {
  return run([](SqlConnection& c) {
    return c.rows<SpeedSection>(
        "SELECT name, from_camera, to_camera, distance_m, limit_mph FROM speed_sections ORDER BY name", {},
        [](const SqlRow& r) {
          return SpeedSection{r.text(0), r.text(1), r.text(2), r.real(3), r.real(4)};
        });
  });
}

}  // namespace anpr::receiver
