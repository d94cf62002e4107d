#pragma once
/// @file
/// Turns per-frame plate readings into one read per vehicle pass. Readings are joined into a
/// track by position (predicted from the track's motion) and text similarity; a track's text is
/// a per-character vote weighted by confidence. A track is published once: when it ends or, at
/// the latest, `max_publish_delay_ms` after its first reading, so a hit reaches the control room
/// quickly even for a vehicle standing in view.
/// Time is the capture time of the frames looked at, never the wall clock: a file processed
/// faster than real time tracks the same way as a live camera. A track ends on evidence, not on
/// time alone: its plate was not read for `track_timeout_ms` *and* in `min_missed_frames` frames
/// looked at since. A camera unit short of CPU looks at few frames a second; one missed reading
/// must not split a pass in two.

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/common/messages.hpp"
#include "anpr/edge/reader/plate_syntax.hpp"

namespace anpr::edge {

/// Share of a plate box's pixels that change from one frame to the next at which it counts as
/// moving. Measured: a plate moving at walking pace changes 5-30% of its box (a car leaving the
/// toll-booth clip's barrier, a generated two-row plate), one passing at speed 60-90%; text
/// standing still 0-1%. A clock's tick changes more, but in one frame only.
inline constexpr double kMovingShare = 0.05;

struct TrackerSettings {
  int track_timeout_ms = 1000;            ///< a track ends when its plate was not read for this long ...
  int min_missed_frames = 3;              ///< ... and not in this many frames looked at since
  int max_publish_delay_ms = 1500;        ///< publish at the latest this long after the first reading
  int min_frames = 3;                     ///< readings a track needs before it is published ...
  double single_frame_confidence = 0.85;  ///< ... unless one reading of 3+ characters is this confident
  double min_confidence = 0.5;            ///< voted reads less sure than this are not published
  /// A pass is a moving vehicle: its plate must travel at least this many plate heights across
  /// the frame before it is published. Text
  /// that stands still (a CCTV caption, a sign, a parked car's plate) never is; a parked car is
  /// read when it drives off. 0 turns the rule off (a barrier where vehicles stand to be read).
  double min_travel = 1.0;
  int max_open_tracks = 64;  ///< bound: the stalest track is ended early beyond this
  /// Readings after which a moving pass counts as settled: when the unit is short of CPU, frames
  /// where only settled passes move give way to frames where something new does (FrameQueue).
  int settled_frames = 6;
};

/// One plate read in one frame, in frame pixels.
struct PlateObservation {
  std::int64_t frame_id = 0;
  TimestampMs captured_at = 0;
  PlateText text;
  cv::Rect box;
  /// Share of the box's pixels that changed since the previous frame (0..1), or below 0 when not
  /// known (motion gating off): a plate on a moving vehicle changes, text standing still does not.
  double motion = -1;
  cv::Mat crop;      ///< the plate cut from the frame (BGR)
  cv::Mat overview;  ///< optional downscaled frame, I420 (i420_image.hpp); may be empty
  /// The whole frame (I420, shared with it, not copied) an overview is still to be made of: only
  /// the observations a track keeps get one (PlateTracker::make_overviews), so the frames whose
  /// readings are dropped are not scaled. Released once the overview is made.
  cv::Mat overview_source;
};

/// One vehicle pass: what the edge publishes.
struct VehicleRead {
  std::string read_id;          ///< random UUID made when the track started
  PlateText text;               ///< voted text, confidence and alternatives
  TimestampMs captured_at = 0;  ///< capture time of the frame the crop comes from
  TimestampMs first_seen = 0, last_seen = 0;
  std::int64_t frames_seen = 0;
  cv::Rect box;      ///< of the crop, in frame pixels
  cv::Mat crop;      ///< BGR
  cv::Mat overview;  ///< I420, as PlateObservation's; may be empty
  Direction direction;
};

/// A pass whose reading has settled (`TrackerSettings::settled_frames` readings, moved): where its
/// plate is predicted to be and what it was voted to read.
struct SettledPass {
  cv::Rect box;  ///< frame pixels
  /// The voted text, if the vote is good enough to be published as it stands; empty if not.
  std::string text;
};

/// Not thread-safe: one tracker per camera, fed from one place.
class PlateTracker {
 public:
  explicit PlateTracker(TrackerSettings settings = {});

  /// Adds one reading to the track it belongs to, or starts a new track.
  void observe(PlateObservation observation);
  /// Makes the overview of every observation kept since the last call that still has its
  /// `overview_source`, with `scale` (frame to overview), and lets go of the frame. Call after the
  /// observations of a frame, while the frame is still at hand.
  void make_overviews(const std::function<cv::Mat(const cv::Mat& frame)>& scale);
  /// Counts one frame looked at (read, or found still by the motion gate) and moves the clock to
  /// its capture time if that is newer.
  void frame_looked_at(TimestampMs captured_at);
  /// `frame_looked_at(now)`, then `due()`.
  [[nodiscard]] std::vector<VehicleRead> advance(TimestampMs now);
  /// The reads that became due: ended tracks not yet published and tracks at their deadline.
  [[nodiscard]] std::vector<VehicleRead> due();
  /// Ends every open track (shutdown, end of a file) and returns the reads not yet published.
  [[nodiscard]] std::vector<VehicleRead> flush();
  [[nodiscard]] std::size_t open_tracks() const { return tracks_.size(); }
  /// The settled passes (`settled_frames` readings, moved), with their plates where they are
  /// predicted to be at `at`.
  [[nodiscard]] std::vector<SettledPass> settled_passes(TimestampMs at) const;
  /// Tracks that ended unpublished because their text never moved (captions, signs, parked cars).
  [[nodiscard]] std::int64_t stationary_suppressed() const { return stationary_suppressed_; }
  /// Tracks of a moving plate that ended with fewer readings than `min_frames`: passes the unit
  /// looked at too rarely (short of CPU for its traffic), published only if one reading was sure.
  /// A fragment of another pass (a partial reading of a plate that another track holds or
  /// recently published) is not one.
  [[nodiscard]] std::int64_t thin_passes() const { return thin_passes_; }

 private:
  struct Track {
    std::string read_id;
    std::vector<PlateText> readings;  ///< bounded: the most confident are kept
    TimestampMs first_seen = 0, last_seen = 0;
    std::int64_t frames_seen = 0;
    std::int64_t last_frame_id = -1;
    std::int64_t looked_at_when_read = 0;  ///< frames_looked_at_ at its latest reading
    // By capture time, not by arrival: recogniser threads finish frames out of order.
    cv::Rect first_box, last_box, previous_box;
    /// How far each text the track was read as has travelled. Travel is measured between
    /// readings of that same text, so the box of a partial reading (centred on part of the plate)
    /// or a neighbour's reading cannot make standing text look as if it moved; and only along
    /// an unbroken run of readings whose pixels were changing, so a box that wanders over text
    /// standing still (a caption read in pieces) or a clock's tick cannot either.
    struct TextSpan {
      std::string text;
      bool in_run = false;
      cv::Point2d run_start;  ///< box centre where the current run of moving readings began
      double travel = 0;      ///< the longest distance a run took it, in plate heights
      double height_sum = 0;
      int count = 0;
    };
    std::vector<TextSpan> spans;  ///< bounded: the least seen text gives way
    TimestampMs previous_seen = 0;
    /// The most confident reading of each distinct text (bounded), with its crop: a new reading
    /// is compared with every text the plate was read as, and the read shows a crop of the text
    /// it publishes, not of a more confident partial reading.
    std::vector<PlateObservation> exemplars;
    bool published = false;
    bool seen_moving = false;  ///< a reading's pixels were changing (or motion was not known)
  };
  static void keep_exemplar(Track& t, PlateObservation o);
  /// The track's most confident reading: always among its exemplars (each text keeps its best,
  /// and a full list lets go of its weakest).
  static const PlateObservation& most_confident(const Track& t);
  [[nodiscard]] bool publishable(const Track& t) const;
  /// Whether the track's plate moved: its voted text (or, for a voted combination, the texts
  /// like it) travelled `min_travel` plate heights.
  [[nodiscard]] bool moved(const Track& t) const;
  [[nodiscard]] bool moved(const Track& t, const std::string& voted) const;
  /// Every rule a pass must meet besides moving: frames, confidence, length.
  [[nodiscard]] bool read_well_enough(const Track& t, const PlateText& voted) const;
  static void note_travel(Track& t, const PlateObservation& o);
  /// Ends a track: counts it when it is dropped only for standing still, or when it moved but was
  /// seen in too few frames.
  void count_ending(const Track& t);
  [[nodiscard]] VehicleRead make_read(Track& t);
  [[nodiscard]] Track* match(const PlateObservation& o);
  /// Whether another open track, or a read published in the last 10 s, has a text like this one's.
  [[nodiscard]] bool fragment_of_another(const Track& t) const;
  [[nodiscard]] bool ended(const Track& t) const;

  TrackerSettings settings_;
  std::vector<Track> tracks_;
  TimestampMs now_ = 0;
  std::int64_t frames_looked_at_ = 0;
  std::int64_t stationary_suppressed_ = 0;
  std::int64_t thin_passes_ = 0;
  struct Published {
    TimestampMs at = 0;
    std::string read_id, text;
  };
  std::deque<Published> recently_published_;  ///< bounded, newest last
};

/// The per-character, confidence-weighted vote over several readings of one plate (exposed for
/// tests). Readings of the most-supported length vote position by position; a voted text that
/// fits no format while a reading does falls back to the best-supported reading.
[[nodiscard]] PlateText vote_plate_text(const std::vector<PlateText>& readings);

/// Direction of travel from the first and last boxes of a track.
[[nodiscard]] Direction direction_of_travel(const cv::Rect& first, const cv::Rect& last);

}  // namespace anpr::edge
