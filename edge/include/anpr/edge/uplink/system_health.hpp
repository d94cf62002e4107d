#pragma once
/// @file
/// What the unit can tell about itself beyond the pipeline: board temperature, and the systemd
/// notification protocol (READY, WATCHDOG, STATUS, STOPPING). The protocol is one datagram to
/// $NOTIFY_SOCKET; it is spoken directly so the firmware does not need libsystemd on boards
/// that run without systemd (then every call is a no-op).

#include <optional>
#include <string>

namespace anpr::edge {

/// The hottest thermal zone in /sys/class/thermal, degrees Celsius; nullopt where the board has none.
[[nodiscard]] std::optional<double> board_temperature_c();

/// Sends one notification ("READY=1", "WATCHDOG=1", "STATUS=..."); false when not under systemd.
bool notify_systemd(const std::string& message);

/// The watchdog interval systemd expects ($WATCHDOG_USEC), in milliseconds; 0 when not set.
[[nodiscard]] long systemd_watchdog_ms();

}  // namespace anpr::edge
