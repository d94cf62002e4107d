// anpr-edge bench VIDEO: the video pipeline on a file without MQTT, with per-stage timings,
// throughput, drops and peak memory (docs/performance.md).
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <spdlog/spdlog.h>
#include <opencv2/core/utility.hpp>
#include <opencv2/core/version.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/statistics.hpp"
#include "anpr/edge/camera/edge_pipeline.hpp"
#include "cli.hpp"

namespace anpr::edge::cli {
namespace {

struct BenchOptions {
  std::string video;
  int threads = 2;
  bool all_frames = false;
  double slower = 0;
  bool motion = true;
  std::string tessdata;
  std::string reads_out;
  std::string config_file;
};

EdgeConfig bench_config(const BenchOptions& o) {
  EdgeConfig c = o.config_file.empty() ? EdgeConfig{} : load_edge_config(o.config_file);
  c.camera_id = "bench";
  c.site_id = "bench";
  c.source.uri = o.video;
  c.source.realtime = !o.all_frames;
  c.recognition.threads = o.threads;
  if (o.slower > 0) {
    // The file as fast as it decodes, the video's clock kept by the emulated unit's recogniser.
    c.source.realtime = false;
    c.recognition.threads = 1;
    c.recognition.emulated_slowdown = o.slower;
  }
  if (!o.tessdata.empty()) c.recognition.tessdata = o.tessdata;
  c.motion.enabled = c.motion.enabled && o.motion;
  return c;
}

void print_report(const BenchOptions& o, const EdgeConfig& c, const EdgePipeline& pipeline, double wall_s) {
  const StageTotals t = pipeline.stage_totals();
  const auto per = [&](double total) { return t.frames ? total / static_cast<double>(t.frames) : 0.0; };
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("video            %s\n", o.video.c_str());
  // Which vector instructions OpenCV was built to use and finds on this CPU: on an ARM unit,
  // NEON (docs/cross-compiling.md); a feature marked '?' was built for but is missing here.
  std::printf("opencv           %s, SIMD %s, %d thread(s)\n", CV_VERSION, cv::getCPUFeaturesLine().c_str(),
              cv::getNumThreads());
  const std::string pace =
      o.all_frames   ? "every frame, as fast as possible"
      : o.slower > 0 ? fmt::format(
                           "a unit {:g} x slower than this machine (its clock: {:g} x recognition time), "
                           "frames dropped when busy",
                           o.slower, o.slower)
                     : "real time (camera pace, frames dropped when busy)";
  std::printf("mode             %s, %d recogniser thread(s), motion gating %s\n", pace.c_str(),
              c.recognition.threads, o.motion ? "on" : "off");
  std::printf("frames           %lld captured, %lld processed, %lld still (skipped), %lld dropped\n",
              static_cast<long long>(pipeline.frames_captured()), static_cast<long long>(t.frames),
              static_cast<long long>(t.gated), static_cast<long long>(pipeline.frames_dropped()));
  std::printf("wall             %.1f s, %.1f frames/s captured, %.1f frames/s recognised\n", wall_s,
              static_cast<double>(pipeline.frames_captured()) / wall_s,
              static_cast<double>(t.frames) / wall_s);
  std::printf("per frame (ms)   median %.1f, p95 %.1f (recogniser time of frames with motion)\n",
              percentile({t.frame_ms.begin(), t.frame_ms.end()}, 0.5),
              percentile({t.frame_ms.begin(), t.frame_ms.end()}, 0.95));
  std::printf(
      "stages (ms/frm)  motion %.2f (capture thread, per captured frame), detect %.1f, rectify %.1f, ocr "
      "%.1f, "
      "syntax %.2f, track %.2f, spool %.2f\n",
      pipeline.frames_captured() ? t.motion_ms / static_cast<double>(pipeline.frames_captured()) : 0.0,
      per(t.detect_ms), per(t.rectify_ms), per(t.ocr_ms), per(t.syntax_ms), per(t.track_ms), per(t.spool_ms));
  std::printf(
      "reads            %lld (not published: %lld standing-still texts, %lld readings outside the zones)\n",
      static_cast<long long>(pipeline.reads_spooled()),
      static_cast<long long>(pipeline.stationary_suppressed()),
      static_cast<long long>(pipeline.readings_outside_zones()));
  std::printf("static texts     %lld learned, %lld readings suppressed there\n",
              static_cast<long long>(pipeline.static_texts()),
              static_cast<long long>(pipeline.static_suppressed()));
  std::printf(
      "thin passes      %lld moving plates seen in fewer frames than a pass wants (a unit short of CPU)\n",
      static_cast<long long>(pipeline.thin_passes()));
  std::printf("peak RSS         %.1f MB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
}

// The reads as one JSON line each (without images), for comparing with a video's truth.
void write_reads(Spool& spool, const std::string& path) {
  FILE* out = std::fopen(path.c_str(), "w");
  if (out == nullptr) throw Error(ErrorCode::kIo, "cannot write " + path);
  for (std::uint64_t seq : spool.oldest(1000000)) {
    if (const auto m = spool.load(seq)) std::fprintf(out, "%s\n", m->payload.c_str());
  }
  std::fclose(out);
}

int run(const BenchOptions& o) {
  spdlog::set_level(spdlog::level::warn);
  EdgeConfig c = bench_config(o);
  char pattern[] = "/tmp/anpr-bench-XXXXXX";
  if (::mkdtemp(pattern) == nullptr)
    throw Error(ErrorCode::kIo, "cannot create a temporary spool folder in /tmp");
  // The spool and the static-text memory beside it live in the temporary folder: a benchmark
  // starts with nothing learned and leaves nothing behind.
  c.spool.dir = std::filesystem::path(pattern) / "spool";
  struct Cleanup {
    std::filesystem::path dir;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  } cleanup{pattern};

  Spool spool(c.spool);
  EdgePipeline pipeline(c, spool, nullptr);
  const auto t0 = std::chrono::steady_clock::now();
  pipeline.run(std::stop_token{});  // to the end of the video
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  print_report(o, c, pipeline, wall_s);
  if (!o.reads_out.empty()) write_reads(spool, o.reads_out);
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench",
                                     "Benchmark the video pipeline on a file (no MQTT): fps, per-stage ms, "
                                     "drops, reads, peak memory");
  cmd->add_option("video", o->video, "Video file")->required()->check(CLI::ExistingFile);
  cmd->add_option("--threads", o->threads, "Recogniser threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 16));
  cmd->add_flag("--all-frames", o->all_frames,
                "Process every frame as fast as possible (throughput) instead of at "
                "the video's frame rate with drops (real time)");
  cmd->add_option("--slower", o->slower,
                  "Play a camera unit this many times slower than this machine (one "
                  "recogniser thread; decoding as if in hardware): what it would drop and read")
      ->check(CLI::Range(1.0, 100.0))
      ->excludes("--all-frames");
  cmd->add_flag("!--no-motion", o->motion, "Look at whole frames, not only where something moved");
  cmd->add_option("--tessdata", o->tessdata, "Folder holding the Tesseract model");
  cmd->add_option("--reads", o->reads_out, "Write the reads (JSON lines) to this file");
  cmd->add_option("--config", o->config_file,
                  "Take recognition, motion (region of interest), zones and tracking settings "
                  "from this edge config file")
      ->check(CLI::ExistingFile);
  cmd->callback([o, &exit_code] { exit_code = run(*o); });
}

}  // namespace anpr::edge::cli
