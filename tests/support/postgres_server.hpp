#pragma once
// A real PostgreSQL server for tests, from Debian's postgresql package: a fresh cluster (initdb)
// in a temporary folder, listening on 127.0.0.1 on a free port with trust authentication;
// stopped and removed when the object goes. Run as root (as in CI containers), the server runs
// as the `postgres` user, since PostgreSQL refuses to run as root.

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace anpr::test {

class PostgresServer {
 public:
  /// Creates the cluster and starts the server; throws std::runtime_error saying what is missing
  /// or what failed (with the server log's path).
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  /// A new empty database; returns its connection string.
  [[nodiscard]] std::string create_database();
  /// postgresql://anpr@127.0.0.1:<port>/<database>
  [[nodiscard]] std::string dsn(const std::string& database) const;
  void stop();
  /// Starts again on the same port with the same data.
  void start();

 private:
  std::filesystem::path dir_;
  std::string bin_dir_;
  int port_ = 0;
  pid_t pid_ = -1;
  int databases_ = 0;
};

/// One server per test process, started on first use.
[[nodiscard]] PostgresServer& shared_postgres();

}  // namespace anpr::test
