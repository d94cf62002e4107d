#pragma once
// A thin RAII layer over the SQLite C API: a connection and prepared statements with typed binds.

#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace anpr::receiver::sqlite {

class Db {
 public:
  explicit Db(const std::string& path);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  void exec(std::string_view sql);
  [[nodiscard]] sqlite3* handle() const { return db_; }
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  friend class Stmt;
  /// Compiled statements kept for reuse, by SQL text: compiling costs more than running the
  /// small statements of ingest. A statement is lent to one Stmt at a time.
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool lent = false;
  };
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unordered_map<std::string, Cached> cache_;
};

/// Checkpoints a database's WAL every `interval` from its own connection and thread. SQLite runs
/// its automatic checkpoints inside the commit that crosses the threshold, writing pages back
/// and syncing the file while the committing thread (the receiver's ingest) waits; done here,
/// a commit only appends to the WAL. Measured in docs/performance.md.
class WalCheckpointer {
 public:
  explicit WalCheckpointer(const std::string& path,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  void run();
  std::string path_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;  ///< last: starts once the members it uses exist
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::nullptr_t);  ///< NULL
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Stmt& bind(int i, double v);
  Stmt& bind(int i, std::optional<double> v);
  Stmt& bind(int i, std::optional<std::int64_t> v);
  Stmt& bind_blob(int i, std::string_view v);
  /// Steps once: true while a row is available, false when done; throws on error.
  bool step();
  /// Runs to completion; returns the number of rows changed.
  int run();
  /// Makes the statement ready to bind and run again.
  void reset();
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] std::int64_t integer(int col) const;
  [[nodiscard]] double real(int col) const;
  [[nodiscard]] bool is_null(int col) const;

 private:
  Db& db_;
  sqlite3_stmt* stmt_ = nullptr;
  Db::Cached* cached_ = nullptr;  ///< where stmt_ came from (nullptr: compiled for this Stmt alone)
};

/// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed.
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace anpr::receiver::sqlite
