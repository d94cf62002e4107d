#pragma once
// The storage back ends behind open_store().

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "anpr/common/messages.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {

[[nodiscard]] std::unique_ptr<Store> make_sqlite_store(const std::string& path);
[[nodiscard]] std::unique_ptr<Store> make_postgres_store(const std::string& dsn);

/// Dead letters keep at most this much of a payload: a whole message (a read set aside because it
/// could not be stored must be kept whole; the ingestor keeps less of a rejected one).
inline constexpr std::size_t kMaxDeadLetterPayload = MessageLimits::kMaxPayloadBytes;

/// A plate pattern in SQL LIKE form: '?' and '*' become '_' and '%' (plates never contain either).
[[nodiscard]] inline std::string like_pattern(const std::string& pattern) {
  std::string out = pattern;
  for (char& c : out) {
    if (c == '?')
      c = '_';
    else if (c == '*')
      c = '%';
  }
  return out;
}

/// SQL both back ends run, written with PostgreSQL's numbered parameters ($1, $2, ...); SQLite
/// takes the same text through sqlite_parameters().
/// A stored read counted in its camera's hour ($1 camera, $2 hour number since the epoch).
inline constexpr std::string_view kCountReadSql =
    "INSERT INTO camera_hour_counts (camera_id, hour, reads) VALUES ($1, $2, 1)"
    " ON CONFLICT (camera_id, hour) DO UPDATE SET reads = camera_hour_counts.reads + 1";
/// Reads per camera per bucket ($1 bucket ms, a multiple of an hour) over hours [$2, $3).
inline constexpr std::string_view kCameraReadCountsSql =
    "SELECT camera_id, hour * 3600000 / $1, SUM(reads) FROM camera_hour_counts WHERE hour >= $2 AND hour < $3"
    " GROUP BY camera_id, hour * 3600000 / $1";
/// Hits per camera per bucket ($1 bucket ms) captured in [$2, $3).
inline constexpr std::string_view kCameraHitCountsSql =
    "SELECT camera_id, at / $1, COUNT(*) FROM hits WHERE at >= $2 AND at < $3 GROUP BY camera_id, at / $1";
/// Plates read at site $1 in [$2, $3) and not there in [$4, $2), first seen first, at most $5.
/// The site's cameras come from the registry; both scans read the camera-time-plate index alone.
inline constexpr std::string_view kFirstSeenSql =
    "WITH site_cameras AS (SELECT camera_id FROM cameras WHERE site_id = $1),"
    " seen AS (SELECT plate, MIN(captured_at) AS first, MAX(captured_at) AS last, COUNT(*) AS n FROM reads"
    "  WHERE camera_id IN (SELECT camera_id FROM site_cameras) AND captured_at >= $2 AND captured_at < $3 "
    "GROUP BY plate),"
    " earlier AS (SELECT DISTINCT plate FROM reads"
    "  WHERE camera_id IN (SELECT camera_id FROM site_cameras) AND captured_at >= $4 AND captured_at < $2)"
    " SELECT plate, first, last, n FROM seen WHERE plate NOT IN (SELECT plate FROM earlier)"
    " ORDER BY first, plate LIMIT $5";

/// Reads and hits per camera per bucket, as both back ends' count queries give them.
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
[[nodiscard]] inline std::pair<std::int64_t, std::int64_t> hours_touched(TimestampMs from, TimestampMs to) {
  constexpr TimestampMs kHour = 3'600'000;
  return {from / kHour, (to + kHour - 1) / kHour};
}

/// `sql` with PostgreSQL's $N parameters written as SQLite's ?N.
[[nodiscard]] inline std::string sqlite_parameters(std::string_view sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

}  // namespace anpr::receiver
