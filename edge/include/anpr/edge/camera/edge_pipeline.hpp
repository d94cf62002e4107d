#pragma once
/// @file
/// The edge's data path, left to right: FrameSource -> MotionGate -> FrameQueue -> recogniser
/// threads (one PlateReader each) -> PlateTracker -> ReadAssembler -> Spool. Capture never waits
/// for recognition (newest frame wins, drops counted); the spool is written before anything is
/// published. Publishing is the Publisher's job: the pipeline only calls `on_spooled`.

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <vector>

#include "anpr/common/log_throttle.hpp"
#include "anpr/common/messages.hpp"
#include "anpr/edge/camera/frame_queue.hpp"
#include "anpr/edge/camera/frame_source.hpp"
#include "anpr/edge/camera/motion_gate.hpp"
#include "anpr/edge/camera/plate_tracker.hpp"
#include "anpr/edge/camera/static_text_memory.hpp"
#include "anpr/edge/camera/zones.hpp"
#include "anpr/edge/edge_config.hpp"
#include "anpr/edge/reader/plate_reader.hpp"
#include "anpr/edge/uplink/spool.hpp"

namespace anpr::edge {

/// Time per processed frame, by stage, for benchmarks and health (milliseconds).
struct StageTotals {
  std::int64_t frames = 0;  ///< frames a recogniser processed
  std::int64_t gated = 0;   ///< frames skipped because nothing moved
  double motion_ms = 0, detect_ms = 0, rectify_ms = 0, ocr_ms = 0, syntax_ms = 0, track_ms = 0, spool_ms = 0;
  std::deque<double> frame_ms;  ///< per processed frame, bounded (the last kMaxSamples)
  static constexpr std::size_t kMaxSamples = 200000;
};

class EdgePipeline {
 public:
  /// Builds one reader per recogniser thread (loading Tesseract once per thread); throws
  /// anpr::Error when a model is missing.
  EdgePipeline(EdgeConfig config, Spool& spool, std::function<void()> on_spooled);

  /// Runs until `stop` or the end of a non-looping file, then finishes open tracks into the
  /// spool. Throws anpr::Error when the source cannot be used at all.
  void run(const std::stop_token& stop);

  [[nodiscard]] std::int64_t frames_captured() const { return source_.frames_captured(); }
  [[nodiscard]] std::int64_t frames_dropped() const { return waiting_.dropped(); }
  [[nodiscard]] std::int64_t frames_processed() const { return processed_.load(); }
  [[nodiscard]] std::int64_t reads_spooled() const { return reads_.load(); }
  [[nodiscard]] std::int64_t source_reconnects() const { return source_.reconnects(); }
  /// Frames the reader failed on (logged at most every 10 s, skipped; the run goes on).
  [[nodiscard]] std::int64_t frames_failed() const { return failed_frames_.total(); }
  [[nodiscard]] SourceState source_state() const { return source_.state(); }
  /// Plate readings dropped for lying in an ignore zone or outside the read zones.
  [[nodiscard]] std::int64_t readings_outside_zones() const { return outside_zones_.load(); }
  /// Passes not published because their text never moved (captions, signs, parked cars).
  [[nodiscard]] std::int64_t stationary_suppressed() const;
  [[nodiscard]] std::int64_t thin_passes() const;
  /// Texts the camera has learned never move (static_text_memory.hpp), and readings suppressed there.
  [[nodiscard]] std::int64_t static_texts() const;
  [[nodiscard]] std::int64_t static_suppressed() const;
  /// Where the learned texts are, most recently seen first, at most `limit`.
  [[nodiscard]] std::vector<StaticTextPlace> static_text_places(std::size_t limit) const;
  [[nodiscard]] std::int64_t frames_waiting() const { return static_cast<std::int64_t>(waiting_.waiting()); }
  /// Steady-clock time of the last sign of life of every thread (watchdog).
  [[nodiscard]] std::chrono::steady_clock::time_point last_heartbeat() const;
  [[nodiscard]] StageTotals stage_totals() const;

 private:
  /// On the capture thread: gates a frame by motion and hands it to the recognisers.
  void admit(Frame frame);
  /// After the source and the recognisers have stopped: the last passes out, static texts saved.
  void finish();
  void recognise(PlateReader& reader);
  std::vector<PlateObservation> observe(PlateReader& reader, const Frame& frame, StageTotals& local);
  /// Feeds a frame's readings to the static-text memory, then the rest to the tracker (under its lock).
  void track(std::vector<PlateObservation> observations, cv::Size frame_size);
  /// Saves a copy of the static-text memory, outside the tracker's lock (failures are logged,
  /// never thrown: the memory is an optimisation).
  void save_static_texts(const std::vector<StaticText>& texts) const;
  void emit(const std::vector<VehicleRead>& reads);
  void beat();

  EdgeConfig config_;
  Spool& spool_;
  std::function<void()> on_spooled_;
  FrameSource source_;
  MotionGate gate_;
  Zones zones_;
  bool zones_checked_ = false;  ///< capture thread only
  std::atomic<std::int64_t> outside_zones_{0};
  FrameQueue waiting_;
  std::vector<std::unique_ptr<PlateReader>> readers_;

  mutable std::mutex tracker_mutex_;
  PlateTracker tracker_;
  StaticTextMemory static_texts_;       ///< under tracker_mutex_
  TimestampMs static_texts_saved_ = 0;  ///< capture time of the last save, under tracker_mutex_

  std::mutex unspooled_mutex_;
  std::deque<ReadMessage> unspooled_;  ///< reads the disk refused; retried, bounded

  mutable std::mutex totals_mutex_;
  StageTotals totals_;
  std::atomic<std::int64_t> processed_{0}, reads_{0};
  std::atomic<std::int64_t> heartbeat_ns_{0};
  LogThrottle failed_frames_{std::chrono::seconds(10)};
};

}  // namespace anpr::edge
