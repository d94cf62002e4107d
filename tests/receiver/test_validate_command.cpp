#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/receiver/audit_reason.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"

using namespace anpr;
namespace fs = std::filesystem;

namespace {

// Parses `args` with the commands `add` registers and returns the exit code the command set.
int run_cli(void (*add)(CLI::App&, int&), std::vector<std::string> args) {
  CLI::App app;
  int exit_code = -1;
  add(app, exit_code);
  args.insert(args.begin(), "anpr-receiver");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return exit_code;
}

std::string write(const std::string& name, const std::string& content) {
  const fs::path p = anpr::test::scratch_dir() / (std::to_string(::getpid()) + name);
  std::ofstream(p, std::ios::binary) << content;
  return p.string();
}

}  // namespace

TEST_CASE("validate accepts a valid message and rejects a bad one", "[validate]") {
  const StatusMessage s{"cam1", "ashby", CameraState::kOnline, 1795590299000, "0.1.0"};
  const auto good = write("good.json", encode(s));
  const auto bad = write("bad.json", "{\"schema_version\": 1, \"type\": \"status\"}");
  CHECK(run_cli(receiver::cli::add_validate_command, {"validate", "--type", "status", good}) == 0);
  CHECK(run_cli(receiver::cli::add_validate_command, {"validate", "--type", "status", good, bad}) == 2);
  CHECK(run_cli(receiver::cli::add_validate_command, {"validate", "--type", "status", "/nonexistent.json"}) ==
        1);
  // A number beyond any type aborted the program (exit 134) before the decoder named it.
  const auto huge = write("huge.json", "{\"schema_version\": 1, \"type\": \"read\", \"frames_seen\": 1e400}");
  int code = -1;
  REQUIRE_NOTHROW(code = run_cli(receiver::cli::add_validate_command, {"validate", "--type", "read", huge}));
  CHECK(code == 2);  // rejected, naming the field (2: the message is bad, 1: a file cannot be read)
}

namespace {

int run_query(std::vector<std::string> args) {
  return run_cli(receiver::cli::add_query_commands, std::move(args));
}

}  // namespace

TEST_CASE("searches of reads and movements need a reason and are audited", "[audit]") {
  const std::string db = (anpr::test::scratch_dir() / (std::to_string(::getpid()) + "audit.db")).string();
  fs::remove(db);
  CHECK_THROWS_AS(run_query({"movements", "AB12CDE", "--database", db}), CLI::RequiredError);
  CHECK_THROWS_AS(run_query({"reads", "--database", db}), CLI::RequiredError);
  // A reason must say something: spaces, or symbols, are refused (trimmed first).
  CHECK_THROWS_AS(run_query({"movements", "AB12CDE", "--reason", "          ", "--database", db}),
                  anpr::Error);
  CHECK_THROWS_AS(run_query({"reads", "--reason", " ... -- !! ", "--database", db}), anpr::Error);
  CHECK(run_query({"movements", "AB1*", "--reason", "burglary enquiry 42", "--user", "op7", "--database",
                   db}) == 0);
  CHECK(run_query({"reads", "--camera", "cam1", "--reason", "ASB patrol check", "--database", db}) == 0);
  const auto log = receiver::open_store(db)->audit_log(10);
  REQUIRE(anpr::test::audit_actions(log) == std::vector<std::string>{"reads", "movements"});
  CHECK(log[1].actor == "op7");
  CHECK(log[1].reason == "burglary enquiry 42");
  CHECK(log[0].reason == "ASB patrol check");
}

TEST_CASE("an audit reason is trimmed and must hold at least three letters", "[audit]") {
  using receiver::audit_reason;
  CHECK(audit_reason("  burglary enquiry 42 \n") == std::optional<std::string>("burglary enquiry 42"));
  CHECK(audit_reason("ASB") == std::optional<std::string>("ASB"));
  CHECK(audit_reason("enquête") == std::optional<std::string>("enquête"));
  CHECK_FALSE(audit_reason("      "));
  CHECK_FALSE(audit_reason("1 2 3 4 5 6"));
  CHECK_FALSE(audit_reason("ab"));
  CHECK_FALSE(audit_reason(std::string(501, 'a')));
  CHECK_FALSE(audit_reason("theft\nforged audit line"));
}
