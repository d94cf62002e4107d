// The user service on a real store (SQLite and PostgreSQL): user changes, logins and logouts
// audited; a refused change changes and audits nothing; a disabled user's stored sessions end.
#include <catch2/catch.hpp>

#include "../support/postgres_server.hpp"
#include "../support/sample_store.hpp"
#include "../support/temp_dir.hpp"
#include "anpr/common/error.hpp"
#include "anpr/receiver/services/session_records.hpp"
#include "anpr/receiver/services/user_service.hpp"

using namespace anpr;
using namespace anpr::receiver;

namespace {

constexpr TimestampMs kAt = 1795590299000;
constexpr const char* kPassword = "correct horse battery";

struct Fixture {
  test::TempDir dir{"anpr-users"};
  // Both back ends: a SQLite file and a real PostgreSQL database (the transactions differ).
  std::string backend = GENERATE(as<std::string>{}, "sqlite", "postgresql");
  std::unique_ptr<Store> store = open_store(
      backend == "postgresql" ? test::shared_postgres().create_database() : (dir / "anpr.db").string());
};

}  // namespace

TEST_CASE("adding a user is audited with the role, and a refused one changes and audits nothing",
          "[services][users]") {
  Fixture f;
  INFO("store: " << f.backend);
  add_user(*f.store, "sam", Role::kSupervisor, kPassword, {"admin", "", kAt});
  CHECK_THROWS_WITH(add_user(*f.store, "sam", Role::kAdmin, kPassword, {"admin", "", kAt}),
                    "user 'sam' already exists");
  CHECK_THROWS_AS(add_user(*f.store, "bad name", Role::kOperator, kPassword, {"admin", "", kAt}), Error);
  CHECK_THROWS_WITH(add_user(*f.store, "olly", Role::kOperator, "short", {"admin", "", kAt}),
                    "a password needs at least 10 characters");

  const auto users = list_users(*f.store);
  REQUIRE(users.size() == 1);
  CHECK(users[0].role == "supervisor");
  const auto audit = f.store->audit_log(10);
  REQUIRE(audit.size() == 1);
  CHECK(audit[0].action == "user-add");
  CHECK(audit[0].actor == "admin");
  CHECK(audit[0].subject == "sam");
  CHECK(audit[0].reason == "supervisor");
}

TEST_CASE("a login is checked and audited either way", "[services][users]") {
  Fixture f;
  INFO("store: " << f.backend);
  add_user(*f.store, "olly", Role::kOperator, kPassword, {"admin", "", kAt});
  const auto in = log_in(*f.store, *f.store, "olly", kPassword, "10.0.0.7", kAt + 1);
  REQUIRE(in);
  CHECK(in->name == "olly");
  CHECK_FALSE(log_in(*f.store, *f.store, "olly", "wrong password", "10.0.0.7", kAt + 2));
  CHECK_FALSE(log_in(*f.store, *f.store, "nobody", kPassword, "10.0.0.8", kAt + 3));
  record_logout(*f.store, "olly", "10.0.0.7", kAt + 4);

  const auto audit = f.store->audit_log(10);  // newest first
  REQUIRE(test::audit_actions(audit) ==
          std::vector<std::string>{"logout", "login-failed", "login-failed", "login", "user-add"});
  CHECK(audit[3].subject == "10.0.0.7");
  CHECK(audit[1].actor == "nobody");
}

TEST_CASE("a disabled user cannot log in and their stored sessions end", "[services][users]") {
  Fixture f;
  INFO("store: " << f.backend);
  add_user(*f.store, "olly", Role::kOperator, kPassword, {"admin", "", kAt});
  SessionRecords sessions(*f.store);
  sessions.open({"hash-of-token", "olly", "operator", "csrf", "credential", kAt, kAt}, kAt - 1);
  REQUIRE(sessions.find("hash-of-token"));

  set_disabled(*f.store, "olly", true, {"admin", "", kAt + 1});
  CHECK_FALSE(sessions.find("hash-of-token"));
  CHECK_FALSE(log_in(*f.store, *f.store, "olly", kPassword, "10.0.0.7", kAt + 2));
  set_disabled(*f.store, "olly", false, {"admin", "", kAt + 3});
  CHECK(log_in(*f.store, *f.store, "olly", kPassword, "10.0.0.7", kAt + 4));
  CHECK_THROWS_WITH(set_disabled(*f.store, "nobody", true, {"admin", "", kAt}), "no user 'nobody'");

  // Newest first; the refused change left none.
  CHECK(test::audit_actions(f.store->audit_log(10)) ==
        std::vector<std::string>{"login", "user-enable", "login-failed", "user-disable", "user-add"});
}
