#pragma once
/// @file
/// Time inside the system: UTC milliseconds since the Unix epoch; ISO 8601 with 'Z' outside.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anpr {

using TimestampMs = std::int64_t;
inline constexpr TimestampMs kHourMs = 3'600'000;
inline constexpr TimestampMs kDayMs = 24 * kHourMs;

/// Now, in UTC milliseconds since the epoch.
[[nodiscard]] TimestampMs now_ms();

/// Formats as "2026-11-26T07:04:59.123Z".
[[nodiscard]] std::string to_iso8601(TimestampMs ms);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (UTC only); nullopt for anything else or an invalid date.
[[nodiscard]] std::optional<TimestampMs> parse_iso8601(std::string_view text);

}  // namespace anpr
