#include "anpr/edge/camera/edge_pipeline.hpp"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "anpr/common/error.hpp"
#include "anpr/common/message_codec.hpp"
#include "anpr/common/topics.hpp"
#include "anpr/edge/camera/i420_image.hpp"
#include "anpr/edge/camera/read_assembler.hpp"

namespace anpr::edge {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxUnspooled = 1000;
constexpr TimestampMs kSaveStaticTextsEveryMs = 60'000;
constexpr auto kIdleTick = std::chrono::milliseconds(200);
// Settled passes are read only around their plates (settled_windows), except in every this-many-th
// frame, read whole: at 25 frames/s a vehicle hidden in a settled one's motion region (a queue)
// waits at most 160 ms to be looked for, a small part of the two seconds or so a pass is in view.
constexpr std::int64_t kWholeRegionsEvery = 4;

/// CPU time this thread has used: what recognition costs, whatever else runs on the machine.
double thread_cpu_ms() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

StaticTextSettings static_text_settings(const EdgeConfig& c) {
  StaticTextSettings s = c.static_text;
  // Beside the spool folder, named after it (/var/lib/anpr-edge/spool.static-texts.json): the
  // spool's folder holds reads only, and two cameras' spools side by side keep apart.
  fs::path spool = c.spool.dir.lexically_normal();
  if (spool.filename().empty()) spool = spool.parent_path();  // "spool/"
  s.file = spool.parent_path() / (spool.filename().string() + ".static-texts.json");
  return s;
}

FrameQueueSettings frame_queue_settings(const EdgeConfig& c) {
  FrameQueueSettings s;
  // A file read faster than real time is processed frame by frame; live video drops frames.
  s.drop_when_busy = source_kind(c.source.uri) != SourceKind::kFile || c.source.realtime;
  s.emulated_slowdown = c.recognition.emulated_slowdown;
  return s;
}

ReaderSettings reader_settings(const EdgeConfig& c) {
  ReaderSettings s;
  s.syntax.countries = c.recognition.countries;
  // Video: the fast detector. MSER finds a few more plates in stills but costs 10-40x the time,
  // and a moving vehicle gives many frames to find its plate in (docs/accuracy.md).
  s.detector.use_mser = false;
  return s;
}

/// Share of a box's pixels (frame coordinates) marked changed in a small change mask.
double changed_share(const cv::Mat& changes, const cv::Rect& box, cv::Size frame) {
  if (changes.empty()) return -1;
  const double sx = static_cast<double>(changes.cols) / frame.width,
               sy = static_cast<double>(changes.rows) / frame.height;
  cv::Rect small(cvFloor(box.x * sx), cvFloor(box.y * sy), std::max(1, cvCeil(box.width * sx)),
                 std::max(1, cvCeil(box.height * sy)));
  small &= cv::Rect({0, 0}, changes.size());
  if (small.empty()) return -1;
  return static_cast<double>(cv::countNonZero(changes(small))) / static_cast<double>(small.area());
}

}  // namespace

EdgePipeline::EdgePipeline(EdgeConfig config, Spool& spool, std::function<void()> on_spooled)
    : config_(std::move(config)),
      spool_(spool),
      on_spooled_(std::move(on_spooled)),
      source_(config_.source),
      gate_(config_.motion),
      zones_(config_.zones),
      waiting_(frame_queue_settings(config_)),
      tracker_(config_.tracking),
      static_texts_(static_text_settings(config_)) {
  static_texts_.load();
  TesseractSettings tesseract;
  tesseract.tessdata_dir = config_.recognition.tessdata;
  for (int i = 0; i < config_.recognition.threads; ++i) {
    readers_.push_back(
        std::make_unique<PlateReader>(reader_settings(config_), make_tesseract_engine(tesseract),
                                      make_char_classifier(config_.recognition.char_model),
                                      make_plate_verifier(config_.recognition.verifier_model)));
  }
  beat();
}

void EdgePipeline::beat() { heartbeat_ns_ = std::chrono::steady_clock::now().time_since_epoch().count(); }

std::chrono::steady_clock::time_point EdgePipeline::last_heartbeat() const {
  return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(heartbeat_ns_.load()));
}

std::int64_t EdgePipeline::stationary_suppressed() const {
  std::lock_guard lock(tracker_mutex_);
  return tracker_.stationary_suppressed();
}

std::int64_t EdgePipeline::thin_passes() const {
  std::lock_guard lock(tracker_mutex_);
  return tracker_.thin_passes();
}

std::int64_t EdgePipeline::static_texts() const {
  std::lock_guard lock(tracker_mutex_);
  return static_cast<std::int64_t>(static_texts_.learned().size());
}

std::vector<StaticTextPlace> EdgePipeline::static_text_places(std::size_t limit) const {
  std::vector<StaticText> learned;
  {
    std::lock_guard lock(tracker_mutex_);
    learned = static_texts_.learned();
  }
  std::sort(learned.begin(), learned.end(), [](auto& a, auto& b) { return a.last_seen > b.last_seen; });
  std::vector<StaticTextPlace> out;
  for (const StaticText& t : learned) {
    if (out.size() >= limit) break;
    out.push_back({t.place.x, t.place.y, t.place.width, t.place.height, t.text.substr(0, 32)});
  }
  return out;
}

std::int64_t EdgePipeline::static_suppressed() const {
  std::lock_guard lock(tracker_mutex_);
  return static_texts_.suppressed();
}

void EdgePipeline::save_static_texts(const std::vector<StaticText>& texts) const {
  try {
    edge::save_static_texts(texts, static_texts_.file());
  } catch (const std::exception& e) {
    spdlog::warn("{}; the camera learns its static texts again after a restart", e.what());
  }
}

void EdgePipeline::track(std::vector<PlateObservation> observations, cv::Size frame_size) {
  for (auto& o : observations) {
    const bool standing_still = o.motion >= 0 && o.motion < kMovingShare;
    if (static_texts_.note(o.text.text, o.box, frame_size, standing_still, o.captured_at)) continue;
    tracker_.observe(std::move(o));
  }
  if (config_.images.overview) {
    const double scale = static_cast<double>(config_.images.overview_width) / frame_size.width;
    tracker_.make_overviews([scale](const cv::Mat& frame) { return i420_scaled(frame, scale); });
  }
}

StageTotals EdgePipeline::stage_totals() const {
  std::lock_guard lock(totals_mutex_);
  return totals_;
}

void EdgePipeline::run(const std::stop_token& stop) {
  std::vector<std::thread> workers;
  for (auto& reader : readers_) workers.emplace_back([this, r = reader.get()] { recognise(*r); });
  try {
    source_.run(
        stop,
        [this](Frame frame) {
          admit(std::move(frame));
          waiting_.wait_room();  // processing every frame: the next is decoded once it fits
        },
        [this] {
          // The source is gone for now: whatever was seen is a finished pass.
          std::vector<VehicleRead> reads;
          {
            std::lock_guard lock(tracker_mutex_);
            reads = tracker_.flush();
          }
          emit(reads);
        });
  } catch (...) {
    waiting_.close();
    for (auto& w : workers) w.join();
    throw;
  }
  waiting_.close();
  for (auto& w : workers) w.join();
  finish();
}

void EdgePipeline::admit(Frame frame) {
  waiting_.wait_turn(frame.captured_at);
  // Zones in pixels can only be checked against the picture: a zone outside it is a
  // configuration error, not something to read around.
  if (!zones_checked_) {
    check_zones_fit(config_.zones, i420_size(frame.i420));
    zones_checked_ = true;
  }
  const auto t0 = std::chrono::steady_clock::now();
  frame.regions = gate_.regions(i420_luma(frame.i420));
  frame.changes = gate_.last_changes();
  frame.gated = frame.regions.empty();
  {
    std::lock_guard lock(totals_mutex_);
    totals_.motion_ms += ms_since(t0);
    if (frame.gated) ++totals_.gated;
  }
  beat();
  // Still frames are not handed over: they must not push out a frame with motion. They
  // count as looked at: nothing moved, so no plate is passing.
  if (frame.gated) {
    std::lock_guard lock(tracker_mutex_);
    tracker_.frame_looked_at(frame.captured_at);
    return;
  }
  if (!frame.regions.empty()) {
    const cv::Size size = i420_size(frame.i420);
    std::lock_guard lock(tracker_mutex_);
    std::vector<cv::Rect> settled;
    for (SettledPass& pass : tracker_.settled_passes(frame.captured_at)) {
      settled.push_back(pass.box);
      if (!pass.text.empty()) frame.expected_plates.push_back({pass.box, std::move(pass.text)});
    }
    frame.fresh = fresh_motion(frame.regions, settled, static_texts_.boxes(size));
    if (frame.id % kWholeRegionsEvery != 0) frame.regions = settled_windows(frame.regions, settled);
  }
  waiting_.put(std::move(frame));
}

void EdgePipeline::finish() {
  std::vector<VehicleRead> reads;
  std::vector<StaticText> remembered;
  {
    std::lock_guard lock(tracker_mutex_);
    reads = tracker_.flush();
    remembered = static_texts_.texts();
  }
  save_static_texts(remembered);
  emit(reads);
  std::lock_guard lock(unspooled_mutex_);
  if (!unspooled_.empty())
    spdlog::error("{} reads could not be written to the spool and are lost", unspooled_.size());
}

void EdgePipeline::recognise(PlateReader& reader) {
  while (true) {
    std::optional<Frame> frame = waiting_.take(kIdleTick);
    beat();
    if (!frame && waiting_.closed()) return;
    StageTotals local;
    std::vector<PlateObservation> observations;
    const auto t0 = std::chrono::steady_clock::now();
    const double cpu0 = thread_cpu_ms();
    if (frame) {
      try {
        observations = observe(reader, *frame, local);
      } catch (const std::exception& e) {
        // One bad frame must not stop a unit that runs unattended: skip it, say so (not on
        // every frame of a stream that keeps failing), and go on with the next.
        if (const auto held_back = failed_frames_.occurred(LogThrottle::Clock::now())) {
          spdlog::error("frame {} could not be read, skipped: {}{}", frame->id, e.what(),
                        *held_back > 0
                            ? fmt::format(" ({} more frames failed since the last message)", *held_back)
                            : "");
        }
      }
    }
    const auto t1 = std::chrono::steady_clock::now();
    if (frame) waiting_.finished(thread_cpu_ms() - cpu0);
    std::vector<VehicleRead> due;
    std::optional<std::vector<StaticText>> to_save;
    {
      std::lock_guard lock(tracker_mutex_);
      if (frame) track(std::move(observations), i420_size(frame->i420));
      if (frame && frame->captured_at - static_texts_saved_ >= kSaveStaticTextsEveryMs) {
        static_texts_.forget_stale(frame->captured_at);
        if (static_texts_saved_ != 0) to_save = static_texts_.texts();
        static_texts_saved_ = frame->captured_at;
      }
      // The clock is the newest frame looked at, not the newest captured: frames waiting for a
      // recogniser must not end the tracks they would continue.
      due = frame ? tracker_.advance(frame->captured_at) : tracker_.due();
    }
    if (to_save) save_static_texts(*to_save);
    local.track_ms = ms_since(t1);
    const auto t2 = std::chrono::steady_clock::now();
    const bool any = !due.empty();
    emit(due);
    if (any) local.spool_ms = ms_since(t2);
    if (!frame) continue;
    ++processed_;
    std::lock_guard lock(totals_mutex_);
    ++totals_.frames;
    totals_.detect_ms += local.detect_ms;
    totals_.rectify_ms += local.rectify_ms;
    totals_.ocr_ms += local.ocr_ms;
    totals_.syntax_ms += local.syntax_ms;
    totals_.track_ms += local.track_ms;
    totals_.spool_ms += local.spool_ms;
    if (totals_.frame_ms.size() >= StageTotals::kMaxSamples) totals_.frame_ms.pop_front();
    totals_.frame_ms.push_back(ms_since(t0));
  }
}

std::vector<PlateObservation> EdgePipeline::observe(PlateReader& reader, const Frame& frame,
                                                    StageTotals& local) {
  std::vector<PlateObservation> out;
  const cv::Size size = i420_size(frame.i420);
  const cv::Mat grey = i420_luma(frame.i420);
  const std::vector<cv::Rect> regions =
      frame.regions.empty() ? std::vector<cv::Rect>{cv::Rect({0, 0}, size)} : frame.regions;
  for (const cv::Rect& region : regions) {
    std::vector<ExpectedPlate> expected;  // in the region's pixels
    for (const ExpectedPlate& e : frame.expected_plates) {
      if ((e.box & region).area() > 0) expected.push_back({e.box - region.tl(), e.text});
    }
    const ReadResult result = reader.read(grey(region), expected);
    local.detect_ms += result.timings.detect_ms;
    local.rectify_ms += result.timings.rectify_ms;
    local.ocr_ms += result.timings.ocr_ms;
    local.syntax_ms += result.timings.syntax_ms;
    for (const PlateResult& plate : result.plates) {
      const cv::Rect box = plate.box + region.tl();
      if (box.height < config_.recognition.min_plate_height ||
          box.height > config_.recognition.max_plate_height)
        continue;
      const cv::Point2f middle = (box.tl() + box.br()) * 0.5;
      if (!gate_.in_roi(middle, size) || !zones_.readable(middle, size)) {
        ++outside_zones_;
        continue;
      }
      PlateObservation o;
      o.frame_id = frame.id;
      o.captured_at = frame.captured_at;
      o.text = plate.text;
      o.box = box;
      o.motion = changed_share(frame.changes, box, size);
      // The crop shows a margin around the plate so a person can check the read.
      const int mx = box.width / 6, my = box.height / 3;
      o.crop = i420_crop_bgr(frame.i420,
                             cv::Rect(box.x - mx, box.y - my, box.width + 2 * mx, box.height + 2 * my));
      // Scaled only if a track keeps this reading (make_overviews): most are not kept.
      if (config_.images.overview) o.overview_source = frame.i420;
      out.push_back(std::move(o));
    }
  }
  return out;
}

void EdgePipeline::emit(const std::vector<VehicleRead>& reads) {
  std::lock_guard lock(unspooled_mutex_);
  for (const VehicleRead& r : reads) {
    if (unspooled_.size() >= kMaxUnspooled) {
      spdlog::error("spool unwritable and {} reads waiting: dropping read {} ({})", unspooled_.size(),
                    unspooled_.front().read_id, unspooled_.front().plate);
      unspooled_.pop_front();
    }
    unspooled_.push_back(assemble_read(r, config_.camera_id, config_.site_id, config_.images));
  }
  bool wrote = false;
  while (!unspooled_.empty()) {
    const ReadMessage& m = unspooled_.front();
    try {
      spool_.put(camera_topic(m.site_id, m.camera_id, TopicKind::kRead), encode(m));
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kInput) {  // larger than the whole spool: it can never be kept
        spdlog::error("read {} ({}) dropped: {}", m.read_id, m.plate, e.what());
        unspooled_.pop_front();
        continue;
      }
      spdlog::error("cannot spool read {} ({}): {}; keeping it in memory and retrying", m.read_id, m.plate,
                    e.what());
      break;
    } catch (const std::exception& e) {
      spdlog::error("cannot spool read {} ({}): {}; keeping it in memory and retrying", m.read_id, m.plate,
                    e.what());
      break;
    }
    // Logged once it is on disk: a read in this log survives a power cut or a kill.
    spdlog::info("read {} conf {:.2f} frames {} {} {} ({})", m.plate, m.confidence, m.frames_seen,
                 to_string(m.direction.motion), to_string(m.direction.lateral), m.read_id);
    unspooled_.pop_front();
    ++reads_;
    wrote = true;
  }
  if (wrote && on_spooled_) on_spooled_();
}

}  // namespace anpr::edge
