#include "row_message.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace anpr::receiver {
namespace {

// A read's members (docs/messages.md); a payload with any other is encoded again instead.
constexpr std::array<std::string_view, 19> kReadMembers = {
    "schema_version", "type",       "read_id",          "camera_id",     "site_id",     "captured_at",
    "plate",          "confidence", "char_confidences", "format",        "country",     "candidates",
    "direction",      "box",        "crop_jpeg",        "overview_jpeg", "frames_seen", "first_seen",
    "last_seen"};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view text, std::size_t at) {
  while (at < text.size() && is_space(text[at])) ++at;
  return at;
}

/// Past the string that starts at `at` (its opening quote), or npos if it does not end.
std::size_t skip_string(std::string_view text, std::size_t at) {
  for (++at; at < text.size(); ++at) {
    if (text[at] == '\\') {
      ++at;  // the escaped character, whatever it is
    } else if (text[at] == '"') {
      return at + 1;
    }
  }
  return std::string_view::npos;
}

/// Past the value that starts at `at`: a string, an object or array (to its matching end), or a
/// number or literal (to the next delimiter). npos if the text ends first.
std::size_t skip_value(std::string_view text, std::size_t at) {
  if (at >= text.size()) return std::string_view::npos;
  if (text[at] == '"') return skip_string(text, at);
  int depth = 0;
  while (at < text.size()) {
    const char c = text[at];
    if (c == '"') {
      at = skip_string(text, at);
      if (at == std::string_view::npos) return at;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) return at;  // the end of the object this value is in
      if (--depth == 0) return at + 1;
    } else if (depth == 0 && (c == ',' || is_space(c))) {
      return at;
    }
    ++at;
  }
  return depth == 0 ? at : std::string_view::npos;
}

}  // namespace

std::optional<std::string> row_message_from_payload(std::string_view payload) {
  std::size_t at = skip_space(payload, 0);
  if (at >= payload.size() || payload[at] != '{') return std::nullopt;
  std::string out = "{";
  out.reserve(payload.size());
  std::vector<std::string_view> keys;
  at = skip_space(payload, at + 1);
  if (at < payload.size() && payload[at] == '}') return std::nullopt;  // no read is empty
  for (;;) {
    // "key" : value
    if (at >= payload.size() || payload[at] != '"') return std::nullopt;
    const std::size_t member = at;
    const std::size_t key_end = skip_string(payload, at);
    if (key_end == std::string_view::npos) return std::nullopt;
    const std::string_view key = payload.substr(at + 1, key_end - at - 2);
    if (key.find('\\') != std::string_view::npos) return std::nullopt;
    if (std::find(kReadMembers.begin(), kReadMembers.end(), key) == kReadMembers.end()) return std::nullopt;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) return std::nullopt;
    keys.push_back(key);
    at = skip_space(payload, key_end);
    if (at >= payload.size() || payload[at] != ':') return std::nullopt;
    const std::size_t value = skip_space(payload, at + 1);
    const std::size_t value_end = skip_value(payload, value);
    if (value_end == std::string_view::npos || value_end == value) return std::nullopt;
    if (key != "overview_jpeg") {
      if (out.size() > 1) out += ',';
      if (key == "crop_jpeg") {
        out.append(payload.substr(member, value - member)).append("\"\"");
      } else {
        out.append(payload.substr(member, value_end - member));
      }
    }
    at = skip_space(payload, value_end);
    if (at >= payload.size()) return std::nullopt;
    if (payload[at] == '}') break;
    if (payload[at] != ',') return std::nullopt;
    at = skip_space(payload, at + 1);
  }
  if (skip_space(payload, at + 1) != payload.size()) return std::nullopt;
  out += '}';
  return out;
}

}  // namespace anpr::receiver
