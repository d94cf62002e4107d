#include "sqlite_db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"

namespace anpr::receiver::sqlite {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw Error(ErrorCode::kIo, "SQLite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Db::Db(const std::string& path) : path_(path) {
  // Reads are personal data: the database (and the WAL and shared-memory files SQLite makes with
  // the same mode) is for the receiver's own user only. Created here so it is never readable by
  // others, not even for a moment.
  if (path != ":memory:" && path.rfind("file:", 0) != 0) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);
  }
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw Error(ErrorCode::kIo, "cannot open database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  // Checkpoints are WalCheckpointer's job, off the committing thread. Under a sustained stream
  // its PASSIVE checkpoints never quite catch up with the writer, so the WAL starts again from
  // its beginning only when the stream pauses or when the automatic checkpoint, kept at 100,000
  // pages (about 400 MB), runs in the committing thread. The WAL file keeps its size when it
  // starts again: cutting it back frees its blocks, and on a disk mounted with discard the
  // committing thread then waits for the discard (100-150 ms stalls measured,
  // docs/performance.md). Only a WAL grown past 1 GiB (a reader holding an old snapshot through
  // a long backlog) is cut back.
  exec(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
      " PRAGMA wal_autocheckpoint=100000; PRAGMA journal_size_limit=1073741824;");
}

WalCheckpointer::WalCheckpointer(const std::string& path, std::chrono::milliseconds interval)
    : path_(path), interval_(interval), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void WalCheckpointer::run() {
  std::optional<Db> db;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stop_; })) {
    lock.unlock();
    try {
      if (!db) db.emplace(path_);
      // PASSIVE: copies what no reader still needs and never waits for, or blocks, a writer.
      db->exec("PRAGMA wal_checkpoint(PASSIVE)");
    } catch (const std::exception& e) {
      spdlog::warn("WAL checkpoint of {}: {}", path_, e.what());
      db.reset();
    }
    lock.lock();
  }
}

Db::~Db() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close(db_);
}

void Db::exec(std::string_view sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string text = message ? message : "unknown error";
    sqlite3_free(message);
    throw Error(ErrorCode::kIo, "SQLite (" + path_ + "): " + text);
  }
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(db) {
  auto [it, fresh] = db.cache_.try_emplace(std::string(sql));
  if (!fresh && !it->second.lent) {  // reuse: already reset and cleared when it was given back
    cached_ = &it->second;
    cached_->lent = true;
    stmt_ = cached_->stmt;
    return;
  }
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    if (fresh) db.cache_.erase(it);
    fail(db.handle(), "prepare " + std::string(sql.substr(0, 60)));
  }
  if (fresh) {  // the first of its text is kept; a second one in use at the same time is not
    cached_ = &it->second;
    cached_->stmt = stmt_;
    cached_->lent = true;
  }
}

Stmt::~Stmt() {
  if (cached_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  cached_->lent = false;
}

Stmt& Stmt::bind(int i, std::nullptr_t) {
  sqlite3_bind_null(stmt_, i);
  return *this;
}

Stmt& Stmt::bind(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}
Stmt& Stmt::bind(int i, std::int64_t v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}
Stmt& Stmt::bind(int i, std::optional<double> v) {
  if (v)
    sqlite3_bind_double(stmt_, i, *v);
  else
    sqlite3_bind_null(stmt_, i);
  return *this;
}
Stmt& Stmt::bind(int i, std::optional<std::int64_t> v) {
  if (v)
    sqlite3_bind_int64(stmt_, i, *v);
  else
    sqlite3_bind_null(stmt_, i);
  return *this;
}
Stmt& Stmt::bind_blob(int i, std::string_view v) {
  sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

bool Stmt::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_.handle(), "step");
}

int Stmt::run() {
  while (step()) {
  }
  return sqlite3_changes(db_.handle());
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
}
std::int64_t Stmt::integer(int col) const { return sqlite3_column_int64(stmt_, col); }
double Stmt::real(int col) const { return sqlite3_column_double(stmt_, col); }
bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Transaction::Transaction(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.exec("ROLLBACK");
    } catch (const std::exception&) {  // nothing more to do in a destructor; the caller's error stands
    }
  }
}
void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

}  // namespace anpr::receiver::sqlite
