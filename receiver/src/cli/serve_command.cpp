#include <sys/stat.h>

#include <csignal>
#include <stop_token>
#include <thread>

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/common/stop_wait.hpp"
#include "anpr/receiver/cameras/camera_faults.hpp"
#include "anpr/receiver/config.hpp"
#include "anpr/receiver/evidence/evidence_images.hpp"
#include "anpr/receiver/ingest/ingestor.hpp"
#include "anpr/receiver/ingest/mqtt_ingest.hpp"
#include "anpr/receiver/services/retention.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/web/live_views.hpp"
#include "anpr/receiver/web/web_server.hpp"
#include "cli.hpp"

namespace anpr::receiver::cli {
namespace {

constexpr int kFaultCheckTicks = 2;  // seconds between looks at the cameras' faults
/// serve's exit code when it stopped with a read it could not store left with the broker
/// (EX_TEMPFAIL: nothing is lost, the next receiver stores it).
constexpr int kExitLeftWithBroker = 75;

/// The one way serve stops: SIGINT or SIGTERM, heard by an Asio signal_set on a thread of its own,
/// asks ingest to stop (it finishes the batch in flight and returns, and run() stops the other
/// parts after it); a second signal asks it to give up at once a commit the store keeps refusing.
/// The handlers run on that thread, not in signal context, so they may log and take locks.
class StopOnSignal {
 public:
  StopOnSignal() : signals_(io_, SIGINT, SIGTERM) {
    arm();
    thread_ = std::jthread([this] { io_.run(); });
  }
  ~StopOnSignal() {
    io_.stop();  // thread-safe; the signal handlers go back to the defaults with signals_
    thread_.join();
  }
  StopOnSignal(const StopOnSignal&) = delete;
  StopOnSignal& operator=(const StopOnSignal&) = delete;

  [[nodiscard]] IngestStopTokens tokens() const { return {stop_.get_token(), give_up_.get_token()}; }

 private:
  void arm() {
    signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (stop_.request_stop()) {
        spdlog::info("signal {}: stopping (the batch in flight is stored and acknowledged first)", signal);
      } else {
        spdlog::warn("signal {} again: what cannot be stored now stays with the broker", signal);
        give_up_.request_stop();
      }
      arm();
    });
  }

  boost::asio::io_context io_;
  boost::asio::signal_set signals_;
  std::stop_source stop_, give_up_;
  std::jthread thread_;
};

struct ServeOptions {
  std::string config_file;
  std::string http;
  ReceiverConfig flags;  ///< values given on the command line; only those given override the file
};

// The file's settings (or the defaults), with every flag that was given on top.
ReceiverConfig effective_config(const ServeOptions& o, const CLI::App& cmd) {
  ReceiverConfig c = o.config_file.empty() ? ReceiverConfig{} : load_receiver_config(o.config_file);
  const ReceiverConfig& f = o.flags;
  auto given = [&](const char* flag) { return cmd.count(flag) > 0; };
  if (given("--broker")) c.mqtt.broker = f.mqtt.broker;
  if (given("--client-id")) c.mqtt.client_id = f.mqtt.client_id;
  if (given("--share-group")) c.mqtt.share_group = f.mqtt.share_group;
  if (given("--username")) c.mqtt.username = f.mqtt.username;
  if (given("--password")) c.mqtt.password = f.mqtt.password;
  if (given("--ca-file")) c.mqtt.ca_file = f.mqtt.ca_file;
  if (given("--cert-file")) c.mqtt.cert_file = f.mqtt.cert_file;
  if (given("--key-file")) c.mqtt.key_file = f.mqtt.key_file;
  if (given("--database")) c.database = f.database;
  if (given("--data-dir")) c.data_dir = f.data_dir;
  if (given("--max-substitutions")) c.matcher.max_substitutions = f.matcher.max_substitutions;
  if (given("--retention-days")) c.retention.read_days = f.retention.read_days;
  if (given("--hit-retention-days")) c.retention.hit_read_days = f.retention.hit_read_days;
  if (given("--http")) set_web_listen(c, o.http);
  if (given("--http-cert")) c.web.cert_file = f.web.cert_file;
  if (given("--http-key")) c.web.key_file = f.web.key_file;
  c.web.data_dir = c.data_dir;
  c.web.clones = c.clones;
  if (c.web.cert_file.empty() != c.web.key_file.empty()) {
    throw Error(ErrorCode::kConfig, "--http-cert and --http-key go together");
  }
  return c;
}

/// The stores and the web server, opened in the order serve needs them and closed in the reverse
/// order: the web server (declared last) stops first, the ingest store closes last.
struct ServeParts {
  explicit ServeParts(const ReceiverConfig& c);
  /// Closes them now, in the order of the destructor.
  void close() {
    web_server.reset();
    fault_store.reset();
    analysis_store.reset();
    web_store.reset();
    ingestor.reset();
    watchlist_store.reset();
    store.reset();
  }

  std::unique_ptr<Store> store;
  // The watchlists are reloaded through a connection of their own: reading a changed
  // 1,000,000-entry list takes seconds, and on the ingest connection it stopped ingest as long.
  std::unique_ptr<Store> watchlist_store;
  std::unique_ptr<Ingestor> ingestor;
  // The web pages have their own connections, so a long search never holds up ingest, and so
  // has the camera-fault monitor, so its looks at the cameras never wait for an ingest batch.
  std::unique_ptr<Store> web_store, analysis_store, fault_store;
  std::unique_ptr<web::LiveViews> views_without_pages;
  std::unique_ptr<web::WebServer> web_server;
  LiveEvents* live = nullptr;  ///< where stored changes go: web_server's, or views_without_pages
};

ServeParts::ServeParts(const ReceiverConfig& c)
    : store(open_store(c.database)), watchlist_store(open_store(c.database)) {
  ingestor = std::make_unique<Ingestor>(*store, IngestSettings{c.data_dir, c.matcher, c.clones});
  ingestor->reload_watchlists_from(*watchlist_store);
  spdlog::info("database {}; {} watchlist entries", without_password(c.database),
               ingestor->matcher()->size());
  if (!c.data_dir.empty()) {
    // What a crash left half done: images of committed reads moved into place, the rest removed.
    const SweepResult swept = EvidenceImages(c.data_dir).sweep_orphans(*store);
    spdlog::info(
        "image folder swept: {} orphan image files removed, {} images of stored reads moved into place",
        swept.removed, swept.completed);
  }
  if (c.web_enabled) {
    web_store = open_store(c.database);
    analysis_store = open_store(c.database);
    web_server = std::make_unique<web::WebServer>(*web_store, c.web, analysis_store.get());
    web_server->follow_other_receivers(c.database);
    live = &web_server->live();
    if (list_users(*web_store).empty()) {
      spdlog::warn(
          "no control-room users yet: add one with `anpr-receiver user add NAME --role admin --database {}`",
          without_password(c.database));
    }
  }
  fault_store = open_store(c.database);
  if (live == nullptr) {
    // No pages here, but receivers sharing the database show what this one stores (NOTIFY).
    views_without_pages = std::make_unique<web::LiveViews>(nullptr);
    live = views_without_pages.get();
  }
  // Ingest hands each read and hit it stored to the screens, this receiver's and the others'
  // sharing the database: the live feed never reads the store.
  ingestor->set_live(live);
}

/// Retention every second and the camera-fault check every two, beside ingest, until `stop`.
void housekeeping(const std::stop_token& stop, ServeParts& parts, const ReceiverConfig& c) {
  Retention retention(*parts.store, *parts.store, c.retention);
  CameraFaultMonitor faults(*parts.fault_store, c.faults, parts.live);
  for (int tick = 0; !stop.stop_requested(); ++tick) {
    try {
      if (const auto removed = retention.tick()) spdlog::info("retention removed {} image files", removed);
    } catch (const std::exception& e) {
      spdlog::error("retention failed: {}", e.what());
    }
    try {
      if (tick % kFaultCheckTicks == 0) (void)faults.check(now_ms());  // the changes go to the screens
    } catch (const std::exception& e) {
      spdlog::error("camera fault check failed: {}", e.what());
    }
    wait_or_stop(stop, std::chrono::seconds(1));
  }
}

int run(const ReceiverConfig& c) {
  ::umask(077);                // everything the receiver writes (database, images, logs it opens) is its own
  const StopOnSignal signals;  // from here on a signal stops serve through the path below
  ServeParts parts(c);
  std::jthread housekeeper([&](const std::stop_token& stop) { housekeeping(stop, parts, c); });
  // Ingest runs here until a signal: it then takes no new message, stores and acknowledges the
  // batch in flight and disconnects. (On an exception the jthread and parts stop as they go.)
  // (The ingestor hands what it stores to the screens itself: see ServeParts.)
  const IngestStopped how = MqttIngest(c.mqtt, *parts.ingestor).run(signals.tokens());
  // Then the rest in order: the jobs beside ingest, the web server, the stores.
  housekeeper.request_stop();
  housekeeper.join();
  if (parts.web_server) parts.web_server->stop();
  const auto n = parts.ingestor->counters();
  parts.close();
  spdlog::info("stopped: {} reads stored, {} duplicates, {} rejected, {} set aside, {} hits", n.stored,
               n.duplicates, n.rejected, n.set_aside, n.hits);
  return how == IngestStopped::kDrained ? 0 : kExitLeftWithBroker;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ServeOptions>();
  auto& f = o->flags;
  CLI::App* cmd = app.add_subcommand("serve", "Ingest reads from the broker, check watchlists, raise hits");
  cmd->add_option("--config", o->config_file,
                  "TOML config file (example: receiver/config/anpr-receiver.toml)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--broker", f.mqtt.broker, "Broker URI (tcp://host:port)")->capture_default_str();
  cmd->add_option("--data-dir", f.data_dir,
                  "Folder for plate crops and overview images (none kept if unset)");
  cmd->add_option("--client-id", f.mqtt.client_id, "MQTT client id (persistent session)")
      ->capture_default_str();
  cmd->add_option("--share-group", f.mqtt.share_group,
                  "Subscribe as an MQTT 5 shared subscription in this group");
  cmd->add_option("--database", f.database, "SQLite database file, or postgresql://user@host:port/dbname")
      ->capture_default_str();
  cmd->add_option("--username", f.mqtt.username, "MQTT user name");
  cmd->add_option("--password", f.mqtt.password, "MQTT password");
  cmd->add_option("--ca-file", f.mqtt.ca_file,
                  "TLS: CA certificate(s) to verify the broker (with an ssl:// broker)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--cert-file", f.mqtt.cert_file, "TLS: client certificate")->check(CLI::ExistingFile);
  cmd->add_option("--key-file", f.mqtt.key_file, "TLS: client private key")->check(CLI::ExistingFile);
  cmd->add_option("--max-substitutions", f.matcher.max_substitutions,
                  "OCR-equivalent characters (0/O, 1/I, ...) a 'possible' hit may differ by")
      ->capture_default_str()
      ->check(CLI::Range(0, 3));
  cmd->add_option("--retention-days", f.retention.read_days, "Keep reads this many days")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  cmd->add_option("--hit-retention-days", f.retention.hit_read_days,
                  "Keep reads that raised a hit this many days")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  cmd->add_option("--http", o->http,
                  "Control-room web pages on ADDRESS:PORT (default 127.0.0.1:8080), or off");
  cmd->add_option("--http-cert", f.web.cert_file, "Web TLS: certificate chain (PEM)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--http-key", f.web.key_file, "Web TLS: private key (PEM)")->check(CLI::ExistingFile);
  cmd->callback([o, cmd, &exit_code] { exit_code = run(effective_config(*o, *cmd)); });
}

}  // namespace anpr::receiver::cli
