#pragma once
// A file or folder a fuzz target writes its inputs to, removed when the fuzzer exits, so that
// runs leave nothing in the system temp folder.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace anpr::fuzz {

class ScratchPath {
 public:
  explicit ScratchPath(const std::string& name)
      : path_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {}
  ~ScratchPath() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchPath(const ScratchPath&) = delete;
  ScratchPath& operator=(const ScratchPath&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace anpr::fuzz
