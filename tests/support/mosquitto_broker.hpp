#pragma once
// A real mosquitto broker for tests: on 127.0.0.1, on a free port, with a generated config in a
// temporary folder; stopped (and the folder removed) when the object goes.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace anpr::test {

class MosquittoBroker {
 public:
  /// Starts the broker and waits until it accepts connections; throws if it cannot.
  /// `extra_listener` adds a listener block (e.g. TLS with its own auth; settings then apply per
  /// listener, the plain one stays anonymous).
  explicit MosquittoBroker(const std::string& extra_listener = "");
  ~MosquittoBroker();
  MosquittoBroker(const MosquittoBroker&) = delete;
  MosquittoBroker& operator=(const MosquittoBroker&) = delete;

  [[nodiscard]] int port() const { return port_; }
  /// "tcp://127.0.0.1:<port>"
  [[nodiscard]] std::string uri() const;
  void stop();
  /// Kills it with SIGKILL, as a crash or power cut would: no goodbye to its clients.
  void kill();
  /// Starts again on the same port, with the same persistence folder.
  void start();
  [[nodiscard]] bool running() const { return pid_ > 0; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

/// A TCP port on 127.0.0.1 that nothing listens on right now.
[[nodiscard]] int free_loopback_port();

}  // namespace anpr::test
