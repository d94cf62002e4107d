#pragma once
// The control-room pages (receiver/web/), compiled into the program: control rooms are offline
// and a single binary cannot be out of step with its pages.

#include <string_view>

namespace anpr::receiver::web {

struct Asset {
  std::string_view content_type;
  std::string_view body;
};

/// The asset at `path` ("app.html", "static/app.js", ...), or nullptr.
[[nodiscard]] const Asset* find_asset(std::string_view path);

}  // namespace anpr::receiver::web
