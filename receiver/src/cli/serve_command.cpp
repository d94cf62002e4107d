#include <csignal>

#include <spdlog/spdlog.h>

#include "anpr/receiver/cli.hpp"
#include "anpr/receiver/ingestor.hpp"
#include "anpr/receiver/mqtt_ingest.hpp"
#include "anpr/receiver/retention.hpp"

#include <thread>

namespace anpr::receiver::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop = true; }  // only sets the flag

struct ServeOptions {
  std::string database = "anpr.db";
  std::string data_dir;
  MqttSettings mqtt;
  int max_substitutions = 1;
  RetentionSettings retention;
};

int run(const ServeOptions& o) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  auto store = open_store(o.database);
  IngestSettings settings;
  settings.data_dir = o.data_dir;
  settings.matcher.max_substitutions = o.max_substitutions;
  Ingestor ingestor(*store, settings);
  spdlog::info("database {}; {} watchlist entries", o.database, ingestor.matcher()->size());
  // Retention runs beside ingest on its own schedule.
  std::thread retention_thread([&] {
    Retention retention(*store, o.retention);
    while (!g_stop) {
      try {
        if (const auto removed = retention.tick()) spdlog::info("retention removed {} image files", removed);
      } catch (const std::exception& e) {
        spdlog::error("retention failed: {}", e.what());
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  });
  try {
    MqttIngest(o.mqtt, ingestor).run(g_stop);
  } catch (...) {
    g_stop = true;
    retention_thread.join();
    throw;
  }
  retention_thread.join();
  const auto c = ingestor.counters();
  spdlog::info("stopped: {} reads stored, {} duplicates, {} rejected, {} hits", c.stored, c.duplicates, c.rejected, c.hits);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand("serve", "Ingest reads from the broker, check watchlists, raise hits");
  cmd->add_option("--broker", o->mqtt.broker, "Broker URI (tcp://host:port)")->capture_default_str();
  cmd->add_option("--database", o->database, "SQLite database file")->capture_default_str();
  cmd->add_option("--data-dir", o->data_dir, "Folder for plate crops and overview images (none kept if unset)");
  cmd->add_option("--client-id", o->mqtt.client_id, "MQTT client id (persistent session)")->capture_default_str();
  cmd->add_option("--share-group", o->mqtt.share_group, "Subscribe as an MQTT 5 shared subscription in this group");
  cmd->add_option("--username", o->mqtt.username, "MQTT user name");
  cmd->add_option("--password", o->mqtt.password, "MQTT password");
  cmd->add_option("--max-substitutions", o->max_substitutions,
                  "OCR-equivalent characters (0/O, 1/I, ...) a 'possible' hit may differ by")
      ->capture_default_str()->check(CLI::Range(0, 3));
  cmd->add_option("--retention-days", o->retention.read_days, "Keep reads this many days")
      ->capture_default_str()->check(CLI::Range(1, 36500));
  cmd->add_option("--hit-retention-days", o->retention.hit_read_days, "Keep reads that raised a hit this many days")
      ->capture_default_str()->check(CLI::Range(1, 36500));
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace anpr::receiver::cli
