#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "anpr/common/error.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

struct UserOptions {
  std::string database = "anpr.db";
  std::string name;
  std::string role = "operator";
  std::string actor = "cli";
};

// A password from the terminal (not echoed, asked twice) or, for scripts, the first line of stdin.
std::string read_password() {
  const bool terminal = isatty(STDIN_FILENO) != 0;
  auto read_line = [&](const char* prompt) {
    termios saved{};
    if (terminal) {
      std::fprintf(stderr, "%s", prompt);
      tcgetattr(STDIN_FILENO, &saved);
      termios quiet = saved;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (terminal) {
      tcsetattr(STDIN_FILENO, TCSANOW, &saved);
      std::fprintf(stderr, "\n");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  };
  std::string password = read_line("password: ");
  if (terminal && read_line("again: ") != password) throw Error(ErrorCode::kInput, "the passwords differ");
  if (password.empty()) throw Error(ErrorCode::kInput, "no password given (type it, or pipe it on stdin)");
  return password;
}

int add(const UserOptions& o) {
  const auto role = parse_role(o.role);
  if (!role) throw Error(ErrorCode::kInput, "--role '" + o.role + "': operator, supervisor or admin");
  const std::string password = read_password();
  auto store = open_store(o.database);
  add_user(*store, o.name, *role, password, {o.actor, "", now_ms()});
  std::printf("added %s (%s)\n", o.name.c_str(), o.role.c_str());
  return 0;
}

int passwd(const UserOptions& o) {
  const std::string password = read_password();
  auto store = open_store(o.database);
  set_password(*store, o.name, password, {o.actor, "", now_ms()});
  std::printf("password of %s changed (their sessions end within 10 seconds)\n", o.name.c_str());
  return 0;
}

int set_disabled(const UserOptions& o, bool disabled) {
  auto store = open_store(o.database);
  receiver::set_disabled(*store, o.name, disabled, {o.actor, "", now_ms()});
  std::printf("%s %s\n", o.name.c_str(), disabled ? "disabled" : "enabled");
  return 0;
}

int list(const UserOptions& o) {
  auto store = open_store(o.database);
  for (const auto& u : list_users(*store)) {
    std::printf("%-24s %-10s %s  since %s\n", u.name.c_str(), u.role.c_str(),
                u.disabled ? "disabled" : "active  ", to_iso8601(u.created_at).c_str());
  }
  return 0;
}

}  // namespace

void add_user_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<UserOptions>();
  CLI::App* cmd = app.add_subcommand("user", "Control-room users of the web pages");
  cmd->require_subcommand(1);
  CLI::App* add_cmd =
      cmd->add_subcommand("add", "Add a user; the password is asked for (or read from stdin)");
  add_cmd->add_option("name", o->name, "User name")->required();
  add_cmd->add_option("--role", o->role, "operator, supervisor or admin")->capture_default_str();
  add_cmd->callback([o, &exit_code] { exit_code = add(*o); });
  CLI::App* pw = cmd->add_subcommand("passwd", "Set a user's password (asked for, or read from stdin)");
  pw->add_option("name", o->name, "User name")->required();
  pw->callback([o, &exit_code] { exit_code = passwd(*o); });
  CLI::App* dis = cmd->add_subcommand("disable", "Stop a user logging in");
  dis->add_option("name", o->name, "User name")->required();
  dis->callback([o, &exit_code] { exit_code = set_disabled(*o, true); });
  CLI::App* en = cmd->add_subcommand("enable", "Let a disabled user log in again");
  en->add_option("name", o->name, "User name")->required();
  en->callback([o, &exit_code] { exit_code = set_disabled(*o, false); });
  CLI::App* ls = cmd->add_subcommand("list", "Show users and roles");
  ls->callback([o, &exit_code] { exit_code = list(*o); });
  for (CLI::App* leaf : {add_cmd, pw, dis, en, ls}) {
    leaf->add_option("--database", o->database, "SQLite database file, or postgresql://...")
        ->capture_default_str();
    leaf->add_option("--user", o->actor, "Who makes the change (audited)")->capture_default_str();
  }
}

}  // namespace anpr::receiver::cli
