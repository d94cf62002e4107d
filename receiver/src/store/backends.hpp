#pragma once
// The storage back ends behind open_store().

#include <cstddef>
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

/// The ingest statement both back ends run, written with PostgreSQL's numbered parameters; SQLite
/// takes the same text through sqlite_parameters(). (The rest of their shared SQL is in
/// sql_store.cpp.)
/// A stored read counted in its camera's hour ($1 camera, $2 hour number since the epoch).
inline constexpr std::string_view kCountReadSql =
    "INSERT INTO camera_hour_counts (camera_id, hour, reads) VALUES ($1, $2, 1)"
    " ON CONFLICT (camera_id, hour) DO UPDATE SET reads = camera_hour_counts.reads + 1";

/// `sql` with PostgreSQL's $N parameters written as SQLite's ?N.
[[nodiscard]] inline std::string sqlite_parameters(std::string_view sql) {
  std::string out(sql);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) {
    if (out[i] == '$' && out[i + 1] >= '0' && out[i + 1] <= '9') out[i] = '?';
  }
  return out;
}

}  // namespace anpr::receiver
