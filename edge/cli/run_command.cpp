// anpr-edge run: the firmware process. Video in, one read per vehicle pass out over MQTT.
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <stop_token>
#include <thread>

#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"
#include "anpr/common/version.hpp"
#include "anpr/edge/camera/edge_pipeline.hpp"
#include "anpr/edge/edge_config.hpp"
#include "anpr/edge/uplink/publisher.hpp"
#include "anpr/edge/uplink/system_health.hpp"
#include "cli.hpp"
#include "run_options.hpp"

namespace anpr::edge::cli {
namespace {

std::atomic<bool> g_signalled{false};
// The main thread waits on this pipe between its duties: a signal handler writes to it (write()
// is safe there, a condition variable is not), and so does the video thread when it ends.
int g_wake_pipe[2] = {-1, -1};

void wake_main() {
  const char byte = 1;
  if (::write(g_wake_pipe[1], &byte, 1) < 0) {
    // Full (non-blocking): the main thread has wakings enough waiting.
  }
}

extern "C" void on_signal(int) {
  const int saved_errno = errno;  // the interrupted code may be about to read it
  g_signalled = true;
  wake_main();
  errno = saved_errno;
}

/// Until something wakes the main thread (a signal, the video's end) or `timeout` passes.
void wait_for_wake(std::chrono::milliseconds timeout) {
  pollfd p{g_wake_pipe[0], POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0) {
    char bytes[64];
    while (::read(g_wake_pipe[0], bytes, sizeof bytes) > 0) {
    }
  }
}

void install_signal_handlers() {
  if (::pipe2(g_wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
    throw Error(ErrorCode::kIo, "cannot make the wake pipe");
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

HealthMessage make_health(const EdgeConfig& c, const EdgePipeline& pipeline, const Spool& spool,
                          const Publisher& publisher, double fps, std::int64_t uptime_s) {
  HealthMessage h;
  h.camera_id = c.camera_id;
  h.site_id = c.site_id;
  h.at = now_ms();
  h.fps = fps;
  h.frames_captured = pipeline.frames_captured();
  h.frames_dropped = pipeline.frames_dropped();
  h.queue_depth = pipeline.frames_waiting();
  const SpoolStats s = spool.stats();
  h.spool_depth = s.depth;
  h.spool_bytes = s.bytes;
  h.spool_evictions = s.evictions;
  h.spool_damaged = s.damaged;
  h.uplink_errors = publisher.errors();
  h.stationary_suppressed = pipeline.stationary_suppressed();
  h.thin_passes = pipeline.thin_passes();
  h.static_texts = pipeline.static_texts();
  h.static_text_places = pipeline.static_text_places(MessageLimits::kMaxStaticTextPlaces);
  h.reconnects = publisher.reconnects() + pipeline.source_reconnects();
  h.uptime_s = uptime_s;
  h.source_state = to_string(pipeline.source_state());
  h.temperature_c = board_temperature_c();
  return h;
}

// The unit's periodic duties while the video runs: health to the control room, and the systemd
// watchdog petted only while the video threads show signs of life (a hung decoder or OCR call
// then gets the process restarted).
class Supervision {
 public:
  Supervision(const EdgeConfig& config, const EdgePipeline& pipeline, const Spool& spool,
              Publisher& publisher)
      : config_(config), pipeline_(pipeline), spool_(spool), publisher_(publisher) {}

  /// How long until tick() next has something to do.
  [[nodiscard]] std::chrono::milliseconds until_due(std::chrono::steady_clock::time_point now) const {
    auto due = last_health_ + std::chrono::seconds(config_.mqtt.health_interval_s);
    if (watchdog_ms_ > 0) due = std::min(due, last_watchdog_ + std::chrono::milliseconds(watchdog_ms_ / 3));
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(due - now));
  }

  void tick(std::chrono::steady_clock::time_point now) {
    if (now - last_health_ >= std::chrono::seconds(config_.mqtt.health_interval_s)) {
      const double seconds = std::chrono::duration<double>(now - last_health_).count();
      const std::int64_t processed = pipeline_.frames_processed();
      publisher_.publish_health(
          make_health(config_, pipeline_, spool_, publisher_,
                      static_cast<double>(processed - processed_at_last_health_) / seconds,
                      std::chrono::duration_cast<std::chrono::seconds>(now - started_).count()));
      processed_at_last_health_ = processed;
      last_health_ = now;
    }
    if (watchdog_ms_ > 0 && now - last_watchdog_ >= std::chrono::milliseconds(watchdog_ms_ / 3)) {
      if (now - pipeline_.last_heartbeat() < std::chrono::milliseconds(watchdog_ms_))
        notify_systemd("WATCHDOG=1");
      last_watchdog_ = now;
    }
  }

 private:
  const EdgeConfig& config_;
  const EdgePipeline& pipeline_;
  const Spool& spool_;
  Publisher& publisher_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  const long watchdog_ms_ = systemd_watchdog_ms();
  std::chrono::steady_clock::time_point last_health_ = started_, last_watchdog_ = started_;
  std::int64_t processed_at_last_health_ = 0;
};

void log_stopped(const EdgeConfig& config, const EdgePipeline& pipeline, const Publisher& publisher) {
  spdlog::info(
      "stopped: {} frames captured, {} processed, {} dropped, {} failed, {} reads, {} acknowledged; "
      "not published: {} standing-still texts, {} readings outside the zones, {} readings of {} learned "
      "static texts; {} passes seen in fewer than {} frames",
      pipeline.frames_captured(), pipeline.frames_processed(), pipeline.frames_dropped(),
      pipeline.frames_failed(), pipeline.reads_spooled(), publisher.sent(), pipeline.stationary_suppressed(),
      pipeline.readings_outside_zones(), pipeline.static_suppressed(), pipeline.static_texts(),
      pipeline.thin_passes(), config.tracking.min_frames);
}

int run(const RunOptions& options) {
  const EdgeConfig config = resolve_config(options);
  install_signal_handlers();
  Spool spool(config.spool);
  Publisher publisher(config.mqtt, config.camera_id, config.site_id, kVersion, spool);
  EdgePipeline pipeline(config, spool, [&publisher] { publisher.wake(); });
  publisher.start();

  std::stop_source stop;
  std::atomic<bool> finished{false};
  std::string failure;
  std::thread video([&] {
    try {
      pipeline.run(stop.get_token());
    } catch (const std::exception& e) {
      failure = e.what();
    }
    finished = true;
    wake_main();
  });
  notify_systemd("READY=1");
  spdlog::info("{} running: camera {} at {}, source {}, broker {}, spool {}", version_string(),
               config.camera_id, config.site_id, config.source.uri, config.mqtt.broker,
               config.spool.dir.string());
  Supervision supervision(config, pipeline, spool, publisher);
  // The one way the video stops early: a signal wakes this loop, which asks the pipeline to stop.
  while (!finished) {
    wait_for_wake(supervision.until_due(std::chrono::steady_clock::now()));
    if (g_signalled && !stop.stop_requested()) {
      spdlog::info("stopping: finishing open tracks and sending what is spooled");
      notify_systemd("STOPPING=1");
      stop.request_stop();
    }
    supervision.tick(std::chrono::steady_clock::now());
  }
  video.join();
  // A stop request leaves little time (systemd waits 5 s); the end of a file waits for the broker.
  const auto drain =
      g_signalled ? std::chrono::milliseconds(2000) : std::chrono::seconds(config.drain_timeout_s);
  if (!publisher.drain(drain)) {
    spdlog::warn("{} reads still in the spool {}; they are sent on the next start", spool.stats().depth,
                 config.spool.dir.string());
  }
  publisher.stop();
  log_stopped(config, pipeline, publisher);
  if (!failure.empty()) throw Error(ErrorCode::kInput, failure);
  return 0;
}

}  // namespace

void add_run_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand(
      "run", "Run the camera unit: read plates from video and publish one read per vehicle over MQTT");
  add_run_options(*cmd, *options);
  cmd->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace anpr::edge::cli
