#include "anpr/common/time.hpp"

#include <chrono>
#include <cstdio>

namespace anpr {
namespace {

using namespace std::chrono;

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  int value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

TimestampMs now_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

std::string to_iso8601(TimestampMs ms) {
  const sys_time<milliseconds> tp{milliseconds{ms}};
  const auto day = floor<days>(tp);
  const year_month_day ymd{day};
  const hh_mm_ss<milliseconds> tod{tp - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long>(tod.hours().count()), static_cast<long>(tod.minutes().count()),
                static_cast<long>(tod.seconds().count()), static_cast<long>(tod.subseconds().count()));
  return buf;
}

std::optional<TimestampMs> parse_iso8601(std::string_view text) {
  // Fixed layout: 0123-56-89T12:45:78[.012]Z
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, frac = 0;
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return std::nullopt;
  }
  if (!parse_digits(text, 0, 4, y) || !parse_digits(text, 5, 2, mo) || !parse_digits(text, 8, 2, d) ||
      !parse_digits(text, 11, 2, h) || !parse_digits(text, 14, 2, mi) || !parse_digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (text[pos] == '.') {
    const std::size_t start = ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    const std::size_t digits = pos - start;
    if (digits == 0 || digits > 9) return std::nullopt;
    int value = 0;
    parse_digits(text, start, digits < 3 ? digits : 3, value);
    for (std::size_t i = digits; i < 3; ++i) value *= 10;
    frac = value;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z') return std::nullopt;
  if (h > 23 || mi > 59 || s > 59) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{frac};
  return duration_cast<milliseconds>(tp.time_since_epoch()).count();
}

}  // namespace anpr
