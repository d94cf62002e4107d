// anpr-receiver export: a vehicle's movements as an evidence pack (see evidence_pack.hpp).
#include <cstdio>

#include "anpr/common/error.hpp"
#include "anpr/receiver/evidence/evidence_pack.hpp"
#include "cli.hpp"
#include "cli_inputs.hpp"

namespace anpr::receiver::cli {
namespace {

struct ExportOptions {
  std::string database = "anpr.db";
  std::string plate, from, to, reason, out;
  std::string user = "cli";
  int limit = 500;
};

int export_pack(const ExportOptions& o) {
  EvidencePackRequest request;
  request.plate = o.plate;
  const Period period = period_options(o.from, o.to);
  request.from = period.from;
  request.to = period.to;
  request.user = o.user;
  request.reason = o.reason;
  request.limit = o.limit;
  auto store = open_store(o.database);
  const auto summary = write_evidence_pack(*store, request, o.out);
  std::printf("wrote %s: %zu sightings, %zu images%s; audit record %lld\n", o.out.c_str(), summary.sightings,
              summary.images,
              summary.missing_images > 0
                  ? (", " + std::to_string(summary.missing_images) + " images no longer on disk").c_str()
                  : "",
              static_cast<long long>(summary.audit_id));
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export",
                                     "A vehicle's movements as an evidence pack (ZIP: report, images, "
                                     "SHA-256 manifest); audited");
  cmd->add_option("plate", o->plate, "Plate or pattern ('?', '*')")->required();
  cmd->add_option("--out", o->out, "The ZIP file to write")->required();
  cmd->add_option("--reason", o->reason, "Why it is exported (required, audited, in the pack)")->required();
  add_period_options(*cmd, o->from, o->to);
  cmd->add_option("--count", o->limit, "At most this many sightings, oldest first")
      ->capture_default_str()
      ->check(CLI::Range(1, 5000));
  cmd->add_option("--user", o->user, "Who exports it (audited, in the pack)")->capture_default_str();
  cmd->add_option("--database", o->database, "SQLite database file or postgresql:// URI")
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = export_pack(*o); });
}

}  // namespace anpr::receiver::cli
