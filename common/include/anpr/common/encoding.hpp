#pragma once
/// @file
/// Byte-level encodings used by the messages: UTF-8 validation, base64, JPEG sniffing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anpr {

using Bytes = std::vector<std::uint8_t>;

/// Strict UTF-8 check: no overlong forms, no surrogates, nothing above U+10FFFF.
[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;

/// Standard base64 with padding.
[[nodiscard]] std::string base64_encode(const Bytes& data);

/// Decodes standard padded base64; nullopt for any invalid character or padding.
[[nodiscard]] std::optional<Bytes> base64_decode(std::string_view text);

/// True when the bytes start with a JPEG SOI marker followed by another marker (FF D8 FF).
[[nodiscard]] bool looks_like_jpeg(const Bytes& data) noexcept;

}  // namespace anpr
