#include <cstdio>
#include <fstream>
#include <iterator>

#include "anpr/common/message_codec.hpp"
#include "anpr/common/run_program.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

struct ValidateOptions {
  std::string type = "read";
  std::vector<std::string> files;
};

// The decoder's verdict on one payload, as "" (accepted) or the error message.
std::string check(const std::string& type, const std::string& payload) {
  if (type == "read") {
    const auto r = decode_read(payload);
    return r.ok() ? "" : r.error().message();
  }
  if (type == "status") {
    const auto r = decode_status(payload);
    return r.ok() ? "" : r.error().message();
  }
  if (type == "health") {
    const auto r = decode_health(payload);
    return r.ok() ? "" : r.error().message();
  }
  const auto r = decode_hit(payload);
  return r.ok() ? "" : r.error().message();
}

/// Exit codes: 0 every message valid, 2 a message rejected (the schema's verdict), 1 a file that
/// cannot be read (the check could not be made).
int run(const ValidateOptions& o) {
  int rejected = 0, unreadable = 0;
  for (const auto& file : o.files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::printf("%s: cannot open the file\n", file.c_str());
      ++unreadable;
      continue;
    }
    // Read one byte past the limit so the decoder sees an oversized payload as such.
    std::string payload;
    payload.resize(MessageLimits::kMaxPayloadBytes + 1);
    in.read(payload.data(), static_cast<std::streamsize>(payload.size()));
    payload.resize(static_cast<std::size_t>(in.gcount()));
    const std::string error = check(o.type, payload);
    if (error.empty()) {
      std::printf("%s: valid %s message\n", file.c_str(), o.type.c_str());
    } else {
      std::printf("%s: rejected: %s\n", file.c_str(), error.c_str());
      ++rejected;
    }
  }
  return rejected > 0 ? 2 : unreadable > 0 ? 1 : 0;
}

}  // namespace

void add_validate_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* cmd =
      app.add_subcommand("validate",
                         "Check message files against the schema (docs/messages.md); exits 2 when one "
                         "is rejected, 1 when a file cannot be read");
  cmd->add_option("--type", options->type, "Message type")
      ->check(CLI::IsMember({"read", "status", "health", "hit"}))
      ->capture_default_str();
  cmd->add_option("files", options->files, "Files holding one JSON message each")->required();
  cmd->callback([options, &exit_code] { exit_code = run(*options); });
}

std::string version_string() { return anpr::version_string("anpr-receiver"); }

}  // namespace anpr::receiver::cli
