// Fuzz target: the CSV files a supervisor uploads or an engineer imports. The first byte picks
// the parser (watchlist, camera registry, road sections); the rest is the file.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "anpr/common/encoding.hpp"

#include "anpr/receiver/analysis/sections_csv.hpp"
#include "anpr/receiver/cameras/cameras_csv.hpp"
#include "anpr/receiver/watchlist/watchlist_csv.hpp"

namespace {

/// A rejected file names at most CsvErrors::kListed rows, each message bounded and valid UTF-8
/// (it goes into a JSON answer), with a line number within the file.
template <class Parsed>
void check(const Parsed& parsed, std::size_t lines) {
  std::size_t listed = 0;
  for (const auto& e : parsed.errors) {
    if (e.message.empty() || e.message.size() > anpr::receiver::CsvErrors::kMaxMessage + 3 ||
        !anpr::is_valid_utf8(e.message) || e.line < 0 || static_cast<std::size_t>(e.line) > lines) {
      std::abort();
    }
    ++listed;
  }
  if (listed > anpr::receiver::CsvErrors::kListed) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  switch (data[0] % 3) {
    case 0: {
      const auto parsed = anpr::receiver::parse_watchlist_csv(text, "Fuzz", "fuzzer", 1795590299000);
      check(parsed, lines);
      if (!parsed.errors.empty() && !parsed.entries.empty()) std::abort();  // rejected files import nothing
      break;
    }
    case 1:
      check(anpr::receiver::parse_cameras_csv(text), lines);
      break;
    default:
      check(anpr::receiver::analysis::parse_sections_csv(text), lines);
      break;
  }
  return 0;
}
