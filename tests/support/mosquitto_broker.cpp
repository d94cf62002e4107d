#include "mosquitto_broker.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

#include "server_process.hpp"

namespace anpr::test {
namespace {

bool accepts_connections(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

std::string find_mosquitto() {
  for (const char* p : {"/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  throw std::runtime_error("mosquitto not found: install the mosquitto package (scripts/install-deps.sh)");
}

/// The queue lines of receiver/config/mosquitto-anpr.conf (queue sizes, autosave, session expiry).
std::string shipped_queue_settings() {
  const std::string path = std::string(ANPR_SOURCE_DIR) + "/receiver/config/mosquitto-anpr.conf";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string line, out;
  while (std::getline(in, line)) {
    for (const char* key : {"max_queued_messages ", "max_queued_bytes ", "autosave_interval ",
                            "persistent_client_expiration "}) {
      if (line.rfind(key, 0) == 0) out += line + "\n";
    }
  }
  return out;
}

}  // namespace

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = 0;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

MosquittoBroker::MosquittoBroker(const std::string& extra_listener) {
  char pattern[] = "/tmp/anpr-mosquitto-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a broker folder");
  dir_ = pattern;
  port_ = free_loopback_port();
  std::ofstream conf(dir_ / "mosquitto.conf");
  if (!extra_listener.empty()) conf << "per_listener_settings true\n";
  conf << "listener " << port_ << " 127.0.0.1\n"
       << "allow_anonymous true\n"
       << "persistence true\n"
       << "persistence_location " << dir_.string() << "/\n"
       << "log_dest file " << (dir_ / "mosquitto.log").string() << "\n";
  // The queue and session settings are the ones shipped for a deployment, so the tests prove
  // what operators get (a receiver outage of any length loses nothing).
  conf << shipped_queue_settings();
  // Started as root, mosquitto would switch to its own user and then could not write its log
  // or its persistence file in our folder: run it as whoever runs the tests.
  if (const passwd* me = ::getpwuid(::getuid())) conf << "user " << me->pw_name << "\n";
  conf << extra_listener;
  conf.close();
  start();
}

MosquittoBroker::~MosquittoBroker() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string MosquittoBroker::uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

void MosquittoBroker::start() {
  if (pid_ > 0) return;
  const std::string binary = find_mosquitto();
  const std::string config = (dir_ / "mosquitto.conf").string();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl(binary.c_str(), binary.c_str(), "-c", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("cannot fork the broker");
  wait_until_serving(pid_, "mosquitto on port " + std::to_string(port_), dir_ / "mosquitto.log",
                     std::chrono::seconds(10), std::chrono::milliseconds(20), SIGTERM,
                     [this] { return accepts_connections(port_); });
}

void MosquittoBroker::stop() { stop_server(pid_, SIGTERM); }

void MosquittoBroker::kill() { stop_server(pid_, SIGKILL); }

}  // namespace anpr::test
