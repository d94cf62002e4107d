#pragma once
/// @file
/// Identifiers: random UUIDs for reads and hits, and the character rules for camera/site ids.

#include <string>
#include <string_view>

namespace anpr {

/// A random (version 4) UUID in lower-case canonical form, from libsodium's CSPRNG.
[[nodiscard]] std::string make_uuid();

/// True for the canonical 36-character form (8-4-4-4-12 hex digits, either case).
[[nodiscard]] bool is_uuid(std::string_view text) noexcept;

/// Longest camera or site id.
inline constexpr std::size_t kMaxIdLength = 64;

/// Camera and site ids: 1..64 characters of a-z, A-Z, 0-9, '-' and '_'. They become MQTT topic
/// levels, so '/', '+', '#' and spaces are never allowed.
[[nodiscard]] bool is_valid_id(std::string_view text) noexcept;

}  // namespace anpr
