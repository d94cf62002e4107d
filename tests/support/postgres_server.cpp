#include "postgres_server.hpp"

#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <vector>

#include <pqxx/pqxx>

#include "mosquitto_broker.hpp"  // free_loopback_port
#include "server_process.hpp"

namespace anpr::test {
namespace fs = std::filesystem;
namespace {

// Debian installs the server programs outside PATH, under one folder per major version.
std::string find_bin_dir() {
  std::vector<fs::path> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(entry.path() / "bin/initdb")) found.push_back(entry.path() / "bin");
  }
  if (found.empty()) {
    throw std::runtime_error(
        "PostgreSQL server not found under /usr/lib/postgresql: install the postgresql "
        "package (scripts/install-deps.sh)");
  }
  std::sort(found.begin(), found.end());
  return found.back().string();
}

// The account the server runs as: ourselves, or `postgres` when we are root.
const passwd* server_account() {
  if (::getuid() != 0) return ::getpwuid(::getuid());
  const passwd* pg = ::getpwnam("postgres");
  if (pg == nullptr)
    throw std::runtime_error("running as root and there is no postgres user to run PostgreSQL as");
  return pg;
}

// Runs a program as the server account; stdout and stderr appended to `log`.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log) {
  const passwd* account = server_account();
  const uid_t uid = account->pw_uid;
  const gid_t gid = account->pw_gid;
  std::fflush(nullptr);  // or the child's freopen would write our buffered output a second time
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::getuid() == 0 && (::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
    if (std::FILE* f = std::freopen(log.c_str(), "a", stdout)) (void)f;
    ::dup2(STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid < 0) throw std::runtime_error("cannot fork " + argv[0]);
  return pid;
}

}  // namespace

PostgresServer::PostgresServer() : bin_dir_(find_bin_dir()) {
  char pattern[] = "/tmp/anpr-postgres-XXXXXX";
  if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("cannot create a PostgreSQL folder");
  dir_ = pattern;
  const passwd* account = server_account();
  if (::chown(dir_.c_str(), account->pw_uid, account->pw_gid) != 0) {
    throw std::runtime_error("cannot hand " + dir_.string() + " to the PostgreSQL user");
  }
  port_ = free_loopback_port();
  const pid_t init = spawn({bin_dir_ + "/initdb", "-D", (dir_ / "data").string(), "-U", "anpr", "-A", "trust",
                            "-E", "UTF8", "--locale=C", "--no-sync"},
                           dir_ / "initdb.log");
  int status = 0;
  ::waitpid(init, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("initdb failed; see " + (dir_ / "initdb.log").string());
  }
  start();
}

PostgresServer::~PostgresServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string PostgresServer::dsn(const std::string& database) const {
  return "postgresql://anpr@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

void PostgresServer::start() {
  if (pid_ > 0) return;
  // Durability off: tests need a real server, not one that survives a power cut.
  pid_ = spawn({bin_dir_ + "/postgres", "-D", (dir_ / "data").string(), "-p", std::to_string(port_), "-k",
                dir_.string(), "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c",
                "synchronous_commit=off", "-c", "full_page_writes=off"},
               dir_ / "postgres.log");
  // SIGINT is PostgreSQL's fast shutdown: it disconnects clients instead of waiting for them.
  wait_until_serving(pid_, "PostgreSQL", dir_ / "postgres.log", std::chrono::seconds(30),
                     std::chrono::milliseconds(50), SIGINT, [this] {
                       try {
                         pqxx::connection probe(dsn("postgres"));
                         return true;
                       } catch (const std::exception&) {
                         return false;
                       }
                     });
}

void PostgresServer::stop() { stop_server(pid_, SIGINT); }

std::string PostgresServer::create_database() {
  const std::string name = "anpr_test_" + std::to_string(++databases_);
  pqxx::connection admin(dsn("postgres"));
  pqxx::nontransaction tx(admin);
  tx.exec("CREATE DATABASE " + name);
  return dsn(name);
}

PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

}  // namespace anpr::test
