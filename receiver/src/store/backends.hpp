#pragma once
// The storage back ends behind open_store().

#include <cstddef>
#include <memory>
#include <string>

#include "anpr/receiver/store.hpp"

namespace anpr::receiver {

[[nodiscard]] std::unique_ptr<Store> make_sqlite_store(const std::string& path);
[[nodiscard]] std::unique_ptr<Store> make_postgres_store(const std::string& dsn);

/// Dead letters keep at most this much of a rejected payload.
inline constexpr std::size_t kMaxDeadLetterPayload = 64 * 1024;

/// A plate pattern in SQL LIKE form: '?' and '*' become '_' and '%' (plates never contain either).
[[nodiscard]] inline std::string like_pattern(const std::string& pattern) {
  std::string out = pattern;
  for (char& c : out) {
    if (c == '?') c = '_';
    else if (c == '*') c = '%';
  }
  return out;
}

}  // namespace anpr::receiver
