// Fuzz target: the edge's and the receiver's config files (first byte picks which). A bad file
// must give anpr::Error naming what is wrong; anything else escaping is a finding.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <spdlog/spdlog.h>

#include "../tests/support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/edge/edge_config.hpp"
#include "anpr/receiver/config.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Removed when the fuzzer exits.
  static const anpr::test::TempDir scratch = [] {
    spdlog::set_level(spdlog::level::off);
    return anpr::test::TempDir("anpr-fuzz-config");
  }();
  static const fs::path file = scratch / "config.toml";
  if (size == 0) return 0;
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data) + 1, static_cast<std::streamsize>(size - 1));
  try {
    if (data[0] % 2 == 0)
      (void)anpr::edge::load_edge_config(file.string());
    else
      (void)anpr::receiver::load_receiver_config(file.string());
  } catch (const anpr::Error&) {
    // The expected answer to a bad file.
  }
  return 0;
}
