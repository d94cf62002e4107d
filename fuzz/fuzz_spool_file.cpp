// Fuzz target: a spool file as a power cut, a bad SD card or a tampering hand may leave it. The
// spool must load it or set it aside, never crash or allocate what the file cannot hold, and go
// on delivering the files beside it.
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <spdlog/spdlog.h>

#include "../tests/support/temp_dir.hpp"
#include "anpr/edge/uplink/spool.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Removed when the fuzzer exits.
  static const anpr::test::TempDir scratch("anpr-fuzz-spool");
  const fs::path& dir = scratch.path();
  // A good file as the spool writes it, made once (the spool fsyncs: too slow for every input).
  static const std::string good_file = [&dir] {
    spdlog::set_level(spdlog::level::off);
    fs::remove_all(dir);
    anpr::edge::Spool writer({dir, 1 << 20});
    writer.put("anpr/v1/s1/cam1/read", "{\"good\":true}");
    std::ifstream in(dir / "00000000000000000001.msg", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  fs::remove_all(dir);
  fs::create_directories(dir);
  // The good file, and the fuzzed one under the next name.
  std::ofstream(dir / "00000000000000000001.msg", std::ios::binary) << good_file;
  std::ofstream(dir / "00000000000000000002.msg", std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  anpr::edge::Spool spool({dir, 1 << 20});
  const auto good = spool.load(1);
  if (!good || good->payload != "{\"good\":true}") std::abort();
  (void)spool.load(2);
  (void)spool.stats();
  return 0;
}
