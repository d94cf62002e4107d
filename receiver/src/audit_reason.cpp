#include "anpr/receiver/audit_reason.hpp"

#include <cctype>

namespace anpr::receiver {

std::optional<std::string> audit_reason(std::string_view given, std::size_t max_length) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!given.empty() && space(given.front())) given.remove_prefix(1);
  while (!given.empty() && space(given.back())) given.remove_suffix(1);
  if (given.size() < 3 || given.size() > max_length) return std::nullopt;
  int letters = 0;
  for (const char c : given) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return std::nullopt;  // no control characters in the audit log
    // A letter of any alphabet: ASCII letters, and each multi-byte UTF-8 character (lead byte).
    letters += std::isalpha(byte) != 0 || byte >= 0xC0 ? 1 : 0;
  }
  if (letters < 3) return std::nullopt;
  return std::string(given);
}

}  // namespace anpr::receiver
