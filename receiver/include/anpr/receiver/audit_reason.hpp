#pragma once
/// @file
/// The reason a person gives for a search, an analysis or a watchlist change: every one is
/// audited, so a reason must say something. Spaces only, or a few symbols, are not a reason.

#include <optional>
#include <string>
#include <string_view>

namespace anpr::receiver {

/// The reason trimmed of surrounding white space when it is one (3-`max_length` characters
/// holding at least 3 letters); nullopt when it is not.
[[nodiscard]] std::optional<std::string> audit_reason(std::string_view given, std::size_t max_length = 500);

/// What a reason must be, for error messages.
inline constexpr const char* kReasonRule = "3-500 characters with at least 3 letters";

}  // namespace anpr::receiver
