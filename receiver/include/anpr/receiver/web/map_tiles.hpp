#pragma once
/// @file
/// The map's optional tile server (`[web] map_tile_url`): the one origin besides the receiver
/// that the control-room pages may load images from.

#include <string>

namespace anpr::receiver::web {

/// "scheme://host[:port]" of a map tile server URL; "" when the URL is not a plain http(s) URL
/// with a host ({s} placeholders in the host, user info or odd characters are refused: nothing
/// may widen the pages' content policy beyond one origin).
[[nodiscard]] std::string map_tile_origin(const std::string& url);

}  // namespace anpr::receiver::web
