#include <cstdio>

#include "anpr/common/error.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/watchlist/watchlist_service.hpp"
#include "anpr/receiver/web/live_views.hpp"
#include "cli.hpp"
#include "cli_inputs.hpp"

namespace anpr::receiver::cli {
namespace {

struct WatchlistOptions {
  std::string database = "anpr.db";
  WatchlistInfo list;
  std::string file;
  std::string plate;
  std::string reason;
  std::string expires;
  std::string user = "cli";
  int lookback_days = 30;
};

/// The retrospective hits a command raises reach the control room's screens through the receivers
/// sharing its PostgreSQL database (NOTIFY); this process serves no screens itself. With SQLite
/// they are on the hits page, and on the live screens at their next reload.
web::LiveViews& command_views() {
  static web::LiveViews views(nullptr);
  return views;
}

WatchlistChange change_of(const WatchlistOptions& o) {
  return {o.user, o.reason, o.lookback_days, now_ms(), &command_views()};
}

void print_lookback(const WatchlistOptions& o, std::size_t raised) {
  if (o.lookback_days > 0)
    std::printf("checked reads of the last %d days: %zu retrospective hits\n", o.lookback_days, raised);
}

int import_list(const WatchlistOptions& o) {
  const std::string text = read_input_file(o.file);
  auto store = open_store(o.database);
  const auto result = import_watchlist(*store, o.list, text, o.file, change_of(o));
  if (report_bad_rows(o.file, result.errors, "imported")) return 1;
  std::printf("imported %zu entries into '%s' (version %d)\n", result.entries, o.list.name.c_str(),
              result.version);
  print_lookback(o, result.retrospective_hits);
  return 0;
}

int add_entry(const WatchlistOptions& o) {
  auto store = open_store(o.database);
  const auto raised = add_watchlist_entry(*store, o.list.name, o.plate, o.expires, change_of(o));
  std::printf("added %s to '%s'\n", normalise_plate(o.plate).c_str(), o.list.name.c_str());
  print_lookback(o, raised);
  return 0;
}

int remove_entry(const WatchlistOptions& o) {
  auto store = open_store(o.database);
  const std::string plate = normalise_plate(o.plate);
  if (!remove_watchlist_entry(*store, *store, o.list.name, plate, change_of(o))) {
    std::fprintf(stderr, "'%s' has no entry %s\n", o.list.name.c_str(), plate.c_str());
    return 1;
  }
  std::printf("removed %s from '%s'\n", plate.c_str(), o.list.name.c_str());
  return 0;
}

int expire_entry(const WatchlistOptions& o) {
  const TimestampMs at = o.expires.empty() ? now_ms() : parse_iso8601(o.expires).value_or(-1);
  if (at < 0) throw Error(ErrorCode::kInput, "--at '" + o.expires + "' is not an ISO 8601 UTC time");
  auto store = open_store(o.database);
  const std::string plate = normalise_plate(o.plate);
  if (!expire_watchlist_entry(*store, *store, o.list.name, plate, at, change_of(o))) {
    std::fprintf(stderr, "'%s' has no entry %s\n", o.list.name.c_str(), plate.c_str());
    return 1;
  }
  std::printf("%s on '%s' expires %s\n", plate.c_str(), o.list.name.c_str(), to_iso8601(at).c_str());
  return 0;
}

int list(const WatchlistOptions& o) {
  auto store = open_store(o.database);
  for (const auto& l : list_watchlists(*store)) {
    if (!o.list.name.empty() && l.name != o.list.name) continue;
    const auto entries = watchlist_entries(*store, l.name);
    std::printf("%s  [%s, priority %d, %zu entries] %s\n", l.name.c_str(), l.category.c_str(), l.priority,
                entries.size(), l.action.c_str());
    for (const auto& e : entries) {
      std::printf("  %-12s %-40s %s%s\n", e.plate.c_str(), e.reason.c_str(), e.added_by.c_str(),
                  e.expires_at ? (" expires " + to_iso8601(*e.expires_at)).c_str() : "");
    }
  }
  return 0;
}

}  // namespace

void add_watchlist_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<WatchlistOptions>();
  CLI::App* cmd = app.add_subcommand("watchlist", "Manage watchlists");
  cmd->require_subcommand(1);

  CLI::App* imp = cmd->add_subcommand(
      "import", "Replace a list with a CSV file (plate,reason[,expires_at]) as a new version");
  imp->add_option("list", o->list.name, "List name")->required();
  imp->add_option("file", o->file, "CSV file")->required();
  imp->add_option("--category", o->list.category, "e.g. stolen-vehicle, wanted-person, no-insurance")
      ->required();
  imp->add_option("--priority", o->list.priority, "0 = highest")
      ->capture_default_str()
      ->check(CLI::Range(0, 99));
  imp->add_option("--colour", o->list.colour, "Colour on screen")->capture_default_str();
  imp->add_option("--action", o->list.action, "What the operator does on a hit");
  imp->callback([o, &exit_code] { exit_code = import_list(*o); });

  CLI::App* add = cmd->add_subcommand("add", "Add or update one entry");
  add->add_option("list", o->list.name, "List name")->required();
  add->add_option("plate", o->plate, "Plate or pattern ('?' one character, '*' any run)")->required();
  add->add_option("--reason", o->reason, "Why it is listed")->required();
  add->add_option("--expires", o->expires, "Expiry, ISO 8601 UTC");
  add->callback([o, &exit_code] { exit_code = add_entry(*o); });

  CLI::App* rm = cmd->add_subcommand("remove", "Remove one entry");
  rm->add_option("list", o->list.name, "List name")->required();
  rm->add_option("plate", o->plate, "Plate or pattern")->required();
  rm->add_option("--reason", o->reason, "Why it is removed (audited)")->required();
  rm->callback([o, &exit_code] { exit_code = remove_entry(*o); });

  CLI::App* ex = cmd->add_subcommand("expire", "End one entry now (or at --at) without deleting it");
  ex->add_option("list", o->list.name, "List name")->required();
  ex->add_option("plate", o->plate, "Plate or pattern")->required();
  ex->add_option("--at", o->expires, "When, ISO 8601 UTC (default: now)");
  ex->add_option("--reason", o->reason, "Why (audited)")->required();
  ex->callback([o, &exit_code] { exit_code = expire_entry(*o); });

  CLI::App* ls = cmd->add_subcommand("list", "Show lists and entries");
  ls->add_option("list", o->list.name, "Only this list");
  ls->callback([o, &exit_code] { exit_code = list(*o); });

  for (CLI::App* leaf : {imp, add}) {
    leaf->add_option("--lookback-days", o->lookback_days, "Check reads of this many past days (0: none)")
        ->capture_default_str()
        ->check(CLI::Range(0, 3650));
  }
  for (CLI::App* leaf : {imp, add, rm, ex, ls}) {
    leaf->add_option("--database", o->database, "SQLite database file")->capture_default_str();
    leaf->add_option("--user", o->user, "Who makes the change (audited)")->capture_default_str();
  }
}

}  // namespace anpr::receiver::cli
