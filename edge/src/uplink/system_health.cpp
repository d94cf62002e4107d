#include "anpr/edge/uplink/system_health.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace anpr::edge {

std::optional<double> board_temperature_c() {
  std::optional<double> hottest;
  std::error_code ec;
  const std::filesystem::path root = "/sys/class/thermal";
  if (!std::filesystem::is_directory(root, ec)) return std::nullopt;
  for (const auto& zone : std::filesystem::directory_iterator(root, ec)) {
    if (zone.path().filename().string().rfind("thermal_zone", 0) != 0) continue;
    std::ifstream in(zone.path() / "temp");
    long millidegrees = 0;
    if (in >> millidegrees && millidegrees > -50000 && millidegrees < 200000) {
      const double c = millidegrees / 1000.0;
      if (!hottest || c > *hottest) hottest = c;
    }
  }
  return hottest;
}

bool notify_systemd(const std::string& message) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::size_t length = std::strlen(path);
  if (length >= sizeof(address.sun_path)) return false;
  std::memcpy(address.sun_path, path, length);
  if (path[0] == '@') address.sun_path[0] = '\0';  // abstract socket namespace
  const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto size = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + length);
  const bool ok =
      ::sendto(fd, message.data(), message.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&address),
               size) == static_cast<ssize_t>(message.size());
  ::close(fd);
  return ok;
}

long systemd_watchdog_ms() {
  const char* usec = std::getenv("WATCHDOG_USEC");
  if (usec == nullptr) return 0;
  char* end = nullptr;
  const long value = std::strtol(usec, &end, 10);
  return (end != usec && value > 0) ? value / 1000 : 0;
}

}  // namespace anpr::edge
