#pragma once
/// @file
/// The hand-over between capture and recognition: frames waiting (one by default), chosen by what
/// they hold. Capture never waits. When the recogniser falls behind and the queue is full, a frame
/// where only vehicles whose pass is already settled move, or only a learned static text flickers,
/// gives way (counted as dropped) before one where something new moves; among frames alike the
/// oldest gives way: the newest wins. A unit short of CPU so spends its frames on passes not yet
/// read rather than on those it has. For benchmarks and file processing the queue can
/// instead make capture wait (every frame is processed), or play a unit some times slower than
/// this machine: the video's clock then moves on by that many times the CPU time each frame's
/// recognition took (`anpr-edge bench --slower`), so what such a unit would drop is dropped here,
/// whatever else runs on this machine and however long decoding takes (a unit decodes in hardware).

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "anpr/edge/camera/frame_source.hpp"

namespace anpr::edge {

/// Whether a frame holds fresh motion: a motion region that holds neither a settled pass's plate
/// (`settled`, frame pixels) nor a learned static text (`still`); a region holds a box when it
/// holds the box's centre. Weighing frames by how much moves instead (area) was measured worse:
/// it prefers the frames that cost most to read, so fewer are read (docs/performance.md).
[[nodiscard]] bool fresh_motion(const std::vector<cv::Rect>& regions, const std::vector<cv::Rect>& settled,
                                const std::vector<cv::Rect>& still);

/// The parts of a frame to read when settled passes move in it: a motion region that holds the
/// plate of a settled pass (`settled`, where it is predicted to be now) is read only around that
/// plate, half a plate width to each side and a plate height above and below (clipped to the
/// region); the pass needs readings to stay one pass, not a search of its whole vehicle. Other
/// regions are read whole. The caller reads whole regions every few frames all the same, so a
/// vehicle that shares a region with a settled one (a queue) is not missed for long.
[[nodiscard]] std::vector<cv::Rect> settled_windows(const std::vector<cv::Rect>& regions,
                                                    const std::vector<cv::Rect>& settled);

struct FrameQueueSettings {
  /// Frames waiting at most (each 1080p frame is 3 MB as I420). One: a second waiting frame was
  /// measured to lose passes, being older when read (docs/performance.md).
  std::size_t capacity = 1;
  bool drop_when_busy = true;  ///< false: put() waits for room instead of dropping
  /// Above 0: play a unit this many times slower (the source must deliver the file as fast as it
  /// decodes, with capture times on the file's timeline).
  double emulated_slowdown = 0;
};

class FrameQueue {
 public:
  explicit FrameQueue(FrameQueueSettings settings = {});

  /// Offers a frame (`Frame::fresh` says whether it holds fresh motion). When full, a frame is
  /// dropped as the file comment says, or, when dropping is off, put() waits for room.
  void put(Frame frame);
  /// Waits up to `timeout` for a frame and takes the oldest waiting (the tracker follows plates
  /// best in time order); nullopt on timeout or once close() was called and nothing waits (then
  /// closed() is true).
  [[nodiscard]] std::optional<Frame> take(std::chrono::milliseconds timeout);
  [[nodiscard]] bool closed() const;
  /// Wakes every waiter; take() drains what is left, then returns nullopt.
  void close();

  /// Playing a slower unit, the capture thread calls this before each frame: it waits until the
  /// video's clock reaches the frame's capture time (or nothing is being recognised or waits).
  /// Otherwise it returns at once.
  void wait_turn(TimestampMs captured_at);
  /// When put() waits for room (every frame processed), capture calls this before it decodes the
  /// next frame, so that a frame is made only when it can be handed over: with one recogniser two
  /// frames are in memory (the one being read and the next), not three. Otherwise it returns at
  /// once.
  void wait_room();
  /// A recogniser calls this once for each frame it took, with the time recognition took.
  void finished(double recognise_ms);

  [[nodiscard]] std::int64_t dropped() const { return dropped_.load(); }
  [[nodiscard]] std::size_t waiting() const;

 private:
  [[nodiscard]] bool emulating() const { return settings_.emulated_slowdown > 0; }

  const FrameQueueSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Frame> waiting_;  ///< oldest first
  bool closed_ = false;
  // Playing a slower unit: the video's clock, frames being recognised, and whether capture has
  // caught up with the clock (a recogniser takes a frame only then, so the frames that arrived
  // while it was busy are all there to choose from).
  double clock_ms_ = 0;
  int recognising_ = 0;
  bool capture_waiting_ = false;
  std::atomic<std::int64_t> dropped_{0};
};

}  // namespace anpr::edge
