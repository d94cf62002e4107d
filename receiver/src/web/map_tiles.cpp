#include "anpr/receiver/web/map_tiles.hpp"

#include <algorithm>
#include <cctype>

namespace anpr::receiver::web {

std::string map_tile_origin(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos ||
      (url.compare(0, scheme, "https") != 0 && url.compare(0, scheme, "http") != 0))
    return "";
  const auto end = url.find('/', scheme + 3);
  const std::string origin = url.substr(0, end);
  const bool plain =
      std::all_of(origin.begin() + static_cast<std::ptrdiff_t>(scheme) + 3, origin.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' ||
               c == ']';
      });
  return plain && origin.size() > scheme + 3 ? origin : "";
}

}  // namespace anpr::receiver::web
