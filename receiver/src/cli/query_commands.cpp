#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/receiver/audit_reason.hpp"
#include "anpr/receiver/cameras/cameras_csv.hpp"
#include "anpr/receiver/services/camera_service.hpp"
#include "anpr/receiver/services/hit_service.hpp"
#include "anpr/receiver/services/sighting_service.hpp"
#include "anpr/receiver/store/store.hpp"
#include "cli.hpp"
#include "cli_inputs.hpp"

namespace anpr::receiver::cli {
namespace {

struct QueryOptions {
  std::string database = "anpr.db";
  std::string plate;
  std::string from, to, since, state;
  std::string reason;
  std::string user = "cli";
  std::string hit_id, note, camera, file;
  int limit = 1000;
  bool json = false;
};

void print_sightings(const std::vector<Sighting>& rows, bool json) {
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : rows) {
      nlohmann::json j{{"read_id", s.read_id},         {"plate", s.plate},
                       {"camera_id", s.camera_id},     {"site_id", s.site_id},
                       {"camera_name", s.camera_name}, {"at", to_iso8601(s.at)},
                       {"confidence", s.confidence},   {"unknown_camera", s.unknown_camera}};
      j["latitude"] = s.latitude ? nlohmann::json(*s.latitude) : nlohmann::json();
      j["longitude"] = s.longitude ? nlohmann::json(*s.longitude) : nlohmann::json();
      out.push_back(std::move(j));
    }
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::printf("%-24s %-10s %-12s %-12s %-20s %s\n", "TIME", "PLATE", "SITE", "CAMERA", "NAME", "LOCATION");
  for (const auto& s : rows) {
    char where[64] = "";
    if (s.latitude && s.longitude) std::snprintf(where, sizeof where, "%.5f,%.5f", *s.latitude, *s.longitude);
    std::printf("%-24s %-10s %-12s %-12s %-20s %s%s\n", to_iso8601(s.at).c_str(),
                display_plate(s.plate).c_str(), s.site_id.c_str(), s.camera_id.c_str(), s.camera_name.c_str(),
                where, s.unknown_camera ? " (unknown camera)" : "");
  }
  std::printf("%zu sightings\n", rows.size());
}

/// What a search covers (--from, --to, --count), once its --reason is checked: `audited` ends the
/// error when there is none.
SearchWindow search_window(const QueryOptions& o, const char* audited) {
  if (!audit_reason(o.reason))
    throw Error(ErrorCode::kInput, std::string("--reason is required (") + kReasonRule + "): " + audited);
  const Period period = period_options(o.from, o.to);
  return {period.from, period.to, o.limit};
}

int reads(const QueryOptions& o) {
  const SearchWindow window = search_window(o, "every search of reads is audited");
  auto store = open_store(o.database);
  print_sightings(search_reads(*store, *store, o.camera, window, {o.user, o.reason, now_ms()}), o.json);
  return 0;
}

int movements(const QueryOptions& o) {
  const SearchWindow window = search_window(o, "every movement search is audited");
  auto store = open_store(o.database);
  print_sightings(search_movements(*store, *store, o.plate, window, {o.user, o.reason, now_ms()}), o.json);
  return 0;
}

int hits(const QueryOptions& o) {
  auto store = open_store(o.database);
  std::optional<TimestampMs> since;
  if (!o.since.empty()) since = time_option(o.since, "--since", 0);
  std::optional<std::string> state;
  if (!o.state.empty()) state = o.state;
  const auto rows = list_hits(*store, since, state, o.limit);
  if (o.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back({{"hit_id", r.hit.hit_id},
                     {"read_id", r.hit.read_id},
                     {"plate", r.hit.plate},
                     {"entry_plate", r.hit.entry_plate},
                     {"list", r.hit.list},
                     {"category", r.hit.category},
                     {"priority", r.hit.priority},
                     {"match_kind", r.hit.match_kind},
                     {"score", r.hit.score},
                     {"camera_id", r.hit.camera_id},
                     {"site_id", r.hit.site_id},
                     {"at", to_iso8601(r.hit.at)},
                     {"state", r.state},
                     {"reason", r.hit.reason},
                     {"action", r.hit.action}});
    }
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  std::printf("%-24s %-10s %-10s %-20s %-3s %-10s %-12s %s\n", "TIME", "PLATE", "ENTRY", "LIST", "PRI",
              "MATCH", "CAMERA", "STATE");
  for (const auto& r : rows) {
    std::printf("%-24s %-10s %-10s %-20s %-3d %-10s %-12s %s\n", to_iso8601(r.hit.at).c_str(),
                r.hit.plate.c_str(), r.hit.entry_plate.c_str(), r.hit.list.c_str(), r.hit.priority,
                r.hit.match_kind.c_str(), r.hit.camera_id.c_str(), r.state.c_str());
  }
  return 0;
}

int cameras(const QueryOptions& o) {
  auto store = open_store(o.database);
  std::printf("%-12s %-12s %-20s %-8s %-24s %-24s %s\n", "CAMERA", "SITE", "NAME", "STATE", "SINCE",
              "LAST READ", "HEALTH");
  for (const auto& c : list_cameras(*store)) {
    std::string health = "-";
    if (c.last_health) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "%.1f fps, %lld dropped, spool %lld", c.last_health->fps,
                    static_cast<long long>(c.last_health->frames_dropped),
                    static_cast<long long>(c.last_health->spool_depth));
      health = buf;
    }
    std::printf("%-12s %-12s %-20s %-8s %-24s %-24s %s%s\n", c.camera_id.c_str(), c.site_id.c_str(),
                c.name.c_str(), c.state.c_str(), c.state_at ? to_iso8601(c.state_at).c_str() : "-",
                c.last_read_at ? to_iso8601(c.last_read_at).c_str() : "-", health.c_str(),
                c.registered ? "" : " (unregistered)");
  }
  return 0;
}

int register_cameras(const QueryOptions& o) {
  const auto parsed = parse_cameras_csv(read_input_file(o.file));
  if (report_bad_rows(o.file, parsed.errors, "registered")) return 1;
  auto store = open_store(o.database);
  receiver::register_cameras(*store, parsed.cameras, o.file, {o.user, "", now_ms()});
  std::printf("registered %zu cameras\n", parsed.cameras.size());
  return 0;
}

int move_hit(const QueryOptions& o, bool close) {
  auto store = open_store(o.database);
  const bool ok = receiver::move_hit(*store, o.hit_id, close ? HitStep::kClose : HitStep::kAcknowledge,
                                     {o.user, o.note, now_ms()});
  if (!ok) {
    std::fprintf(stderr, "hit %s does not exist or is not %s\n", o.hit_id.c_str(),
                 close ? "acknowledged" : "new");
    return 1;
  }
  std::printf("hit %s %s\n", o.hit_id.c_str(), close ? "closed" : "acknowledged");
  return 0;
}

}  // namespace

void add_query_commands(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<QueryOptions>();
  CLI::App* mv =
      app.add_subcommand("movements", "Sightings of a plate in time order (wildcards '?' and '*'); audited");
  mv->add_option("plate", o->plate, "Plate or pattern")->required();
  add_period_options(*mv, o->from, o->to);
  mv->add_option("--reason", o->reason, "Why you search (required, audited)")->required();
  mv->callback([o, &exit_code] { exit_code = movements(*o); });

  CLI::App* rd = app.add_subcommand("reads", "Reads in a time range, newest first; audited");
  rd->add_option("--camera", o->camera, "Only this camera");
  add_period_options(*rd, o->from, o->to);
  rd->add_option("--count", o->limit, "At most this many reads")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  rd->add_option("--reason", o->reason, "Why you search (required, audited)")->required();
  rd->callback([o, &exit_code] { exit_code = reads(*o); });

  CLI::App* ht = app.add_subcommand("hits", "Watchlist hits, newest first");
  ht->add_option("--since", o->since, "Only hits raised since, ISO 8601 UTC");
  ht->add_option("--state", o->state, "new, acknowledged or closed")
      ->check(CLI::IsMember({"new", "acknowledged", "closed"}));
  ht->callback([o, &exit_code] { exit_code = hits(*o); });

  CLI::App* cams = app.add_subcommand("cameras", "Cameras: registry, online state, last read, last health");
  cams->callback([o, &exit_code] { exit_code = cameras(*o); });

  CLI::App* reg = app.add_subcommand(
      "register-cameras",
      "Add or update cameras from a CSV file (camera_id,site_id,name,latitude,longitude,bearing)");
  reg->add_option("file", o->file, "CSV file")->required();
  reg->add_option("--database", o->database, "SQLite database file")->capture_default_str();
  reg->add_option("--user", o->user, "Who (audited)")->capture_default_str();
  reg->callback([o, &exit_code] { exit_code = register_cameras(*o); });

  CLI::App* ack = app.add_subcommand("ack", "Acknowledge a new hit");
  CLI::App* close = app.add_subcommand("close", "Close an acknowledged hit");
  for (CLI::App* cmd : {ack, close}) {
    cmd->add_option("hit_id", o->hit_id, "Hit id")->required();
    cmd->add_option("--note", o->note, "What was done");
    cmd->add_option("--database", o->database, "SQLite database file")->capture_default_str();
    cmd->add_option("--user", o->user, "Who (audited)")->capture_default_str();
  }
  ack->callback([o, &exit_code] { exit_code = move_hit(*o, false); });
  close->callback([o, &exit_code] { exit_code = move_hit(*o, true); });

  for (CLI::App* cmd : {mv, rd, ht, cams}) {
    cmd->add_option("--database", o->database, "SQLite database file")->capture_default_str();
    cmd->add_option("--user", o->user, "Who asks (audited)")->capture_default_str();
    if (cmd != rd) {
      cmd->add_option("--limit", o->limit, "At most this many rows")
          ->capture_default_str()
          ->check(CLI::Range(1, 1000000));
    }
    cmd->add_flag("--json", o->json, "JSON for scripts");
  }
}

}  // namespace anpr::receiver::cli
