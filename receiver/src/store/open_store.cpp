// Chooses the storage back end from the --database value.
#include "anpr/common/error.hpp"
#include "anpr/receiver/store/store.hpp"
#include "backends.hpp"

namespace anpr::receiver {

bool is_postgresql(const std::string& database) {
  return database.rfind("postgresql://", 0) == 0 || database.rfind("postgres://", 0) == 0;
}

std::unique_ptr<Store> open_store(const std::string& database) {
  if (database.empty()) {
    throw Error(ErrorCode::kConfig,
                "--database is empty: give a SQLite file path or a postgresql:// connection string");
  }
  if (is_postgresql(database)) return make_postgres_store(database);
  return make_sqlite_store(database);
}

}  // namespace anpr::receiver
