#include "anpr/common/log_escaping.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <regex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/spdlog.h>

namespace anpr {
namespace {

class EscapingFormatter final : public spdlog::formatter {
 public:
  EscapingFormatter() : inner_(std::make_unique<spdlog::pattern_formatter>()) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    if (!needs_escaping(text)) {
      inner_->format(msg, dest);
      return;
    }
    const std::string escaped = escape_control_characters(text);
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    inner_->format(copy, dest);
  }

  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<EscapingFormatter>();
  }

 private:
  static bool needs_escaping(std::string_view text) {
    for (const char c : text) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return true;
    }
    return false;
  }
  std::unique_ptr<spdlog::formatter> inner_;
};

}  // namespace

std::string escape_control_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (byte < 0x20 || byte == 0x7F) {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02X", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

void install_log_escaping() { spdlog::set_formatter(std::make_unique<EscapingFormatter>()); }

std::string without_password(std::string_view location) {
  std::string out(location);
  // scheme://user:password@host...
  if (const auto scheme = out.find("://"); scheme != std::string::npos) {
    const auto authority = scheme + 3;
    const auto end = std::min(out.find_first_of("/?#", authority), out.size());
    const auto at = out.rfind('@', end);  // the last: an unescaped '@' may sit in the password
    if (at != std::string::npos && at >= authority) {
      const auto colon = out.find(':', authority);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // key=value connection strings and URI parameters (libpq: spaces around '=', quoted values with
  // \' inside; sslpassword too): password=secret, password = 'se cret', ?password=secret&...
  static const std::regex kPassword(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&]*))", std::regex::icase);
  return std::regex_replace(out, kPassword, "$1***");
}

}  // namespace anpr
