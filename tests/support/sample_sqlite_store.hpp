#pragma once
// A SQLite store in a scratch folder of its own, set up as sample_store.hpp says (the "Stolen"
// list holding AB12CDE, camera "cam1" registered) and removed with its folder afterwards: what
// the ingest tests start from.

#include <filesystem>
#include <memory>
#include <string>

#include "anpr/common/ids.hpp"
#include "anpr/receiver/store/store.hpp"
#include "sample_store.hpp"
#include "temp_dir.hpp"

namespace anpr::test {

struct SampleSqliteStore {
  /// `prefix` names the scratch folder (a UUID follows it), so a left-over folder says whose it is.
  explicit SampleSqliteStore(const std::string& prefix) : dir(scratch_dir() / (prefix + make_uuid())) {
    std::filesystem::create_directories(dir);
    store = receiver::open_store((dir / "anpr.db").string());
    add_stolen_list_and_camera(*store);
  }
  ~SampleSqliteStore() { std::filesystem::remove_all(dir); }
  SampleSqliteStore(const SampleSqliteStore&) = delete;
  SampleSqliteStore& operator=(const SampleSqliteStore&) = delete;

  /// A second connection to the same database.
  [[nodiscard]] std::unique_ptr<receiver::Store> another_connection() const {
    return receiver::open_store((dir / "anpr.db").string());
  }

  std::filesystem::path dir;
  std::unique_ptr<receiver::Store> store;
};

}  // namespace anpr::test
