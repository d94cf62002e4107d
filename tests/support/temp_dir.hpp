#pragma once
// A fresh folder under the system temp folder, removed with everything in it when the object goes;
// and one such folder per test process for scratch files (databases, configs) that outlive a test.

#include <cstdlib>
#include <filesystem>
#include <string>

#include "anpr/common/ids.hpp"

namespace anpr::test {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "anpr-test")
      : path_(std::filesystem::temp_directory_path() / (prefix + "-" + make_uuid())) {
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    // ANPR_KEEP_TEST_DIRS=1 keeps the folder (logs, databases) to look at after a failure.
    if (std::getenv("ANPR_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// This test process's scratch folder, removed with everything in it when the process exits
/// normally, so that no test leaves files in the system temp folder.
inline const std::filesystem::path& scratch_dir() {
  static const TempDir dir("anpr-test-run");
  return dir.path();
}

}  // namespace anpr::test
