#pragma once
/// @file
/// Every log line of both programs passes through one formatter that escapes control characters
/// in the message: text that came from the network, a file or a person (an MQTT topic, a
/// watchlist name, a camera name) can then never forge a log line with a newline, hide text
/// behind a carriage return or a NUL, or send escape sequences to an operator's terminal.

#include <string>
#include <string_view>

namespace anpr {

/// `text` with each byte below 0x20 and 0x7F written as \n, \r, \t or \xHH (a backslash as \\).
[[nodiscard]] std::string escape_control_characters(std::string_view text);

/// `location` (a URI, or a PostgreSQL connection string) with its password replaced by "***", for
/// logs and error messages: `rtsp://admin:secret@cam/` gives `rtsp://admin:***@cam/`,
/// `host=db password=secret` gives `host=db password=***`.
[[nodiscard]] std::string without_password(std::string_view location);

/// Makes the default logger escape control characters in every message (keeps spdlog's default
/// pattern). Call once at program start.
void install_log_escaping();

}  // namespace anpr
