#pragma once
/// @file
/// What a fixed camera learns by itself never moves: text read standing still at the same place,
/// as the same text, in many frames over minutes (a CCTV caption, a shop sign, a parked car's
/// plate). Once learned, a reading standing still there is suppressed before it reaches the
/// tracker. Places are compared by box overlap; texts by length, letter/digit pattern (three in
/// four positions alike) and their letters, not their digits, so a caption whose clock ticks is
/// still the same caption while two cars that stop at one barrier are not one text. A text not seen for a
/// while is forgotten, and a parked car that drives off is read as soon as its plate leaves the place it
/// stood. Bounded (`max_texts`), saved to a file so a restart does not have to learn again.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/common/messages.hpp"

namespace anpr::edge {

struct StaticTextSettings {
  bool enabled = true;
  int min_sightings = 50;        ///< frames a text must be read in, standing still, to be learned ...
  double min_minutes = 2.0;      ///< ... spread over at least this long
  double forget_minutes = 30.0;  ///< a learned text not read for this long is forgotten
  int max_texts = 64;            ///< bound on texts remembered, learned or not
  std::filesystem::path file;    ///< where the memory is kept across restarts; empty: not kept
};

/// One remembered text: where (fractions of the frame), what layout, and when it was read.
struct StaticText {
  cv::Rect2d place;    ///< fractions of the frame
  std::string layout;  ///< e.g. "DDDDLL": one letter per character, L letter, D digit
  std::string text;    ///< the latest reading
  TimestampMs first_seen = 0, last_seen = 0;
  std::int64_t sightings = 0;
  bool learned = false;
};

/// Writes remembered texts to `file` (nothing when it is empty): a temporary file, flushed to
/// disk, then renamed over the old one. Throws anpr::Error (kIo) when it cannot. Called outside
/// the tracker's lock with a copy, so slow storage never holds up capture.
void save_static_texts(const std::vector<StaticText>& texts, const std::filesystem::path& file);

/// Not thread-safe: one per camera, used under the tracker's lock.
class StaticTextMemory {
 public:
  explicit StaticTextMemory(StaticTextSettings settings);

  /// Notes a reading and says whether to suppress it: true when it stands still where the same
  /// text was learned. `standing_still`: the box's pixels hardly changed; only such readings
  /// teach the memory or are suppressed (a plate moving through a learned place is read).
  bool note(const std::string& text, const cv::Rect& box, cv::Size frame, bool standing_still,
            TimestampMs at);
  /// Forgets texts not read for `forget_minutes` (by the capture clock).
  void forget_stale(TimestampMs now);
  [[nodiscard]] std::vector<StaticText> learned() const;
  /// The places of the learned texts in pixels of a `frame`-sized picture.
  [[nodiscard]] std::vector<cv::Rect> boxes(cv::Size frame) const;
  [[nodiscard]] std::int64_t suppressed() const { return suppressed_; }
  [[nodiscard]] const std::vector<StaticText>& texts() const { return texts_; }

  /// Writes the memory to settings.file (see save_static_texts).
  void save() const { save_static_texts(texts_, settings_.file); }
  [[nodiscard]] const std::filesystem::path& file() const { return settings_.file; }
  /// Reads settings.file if there is one. A damaged or foreign file is set aside (logged) and the
  /// memory starts empty: it is only an optimisation, never a reason not to run.
  void load();

 private:
  StaticText* find(const cv::Rect2d& place, const std::string& text);
  StaticTextSettings settings_;
  std::vector<StaticText> texts_;
  std::int64_t suppressed_ = 0;
};

/// The layout of a text: L for each letter, D for each digit (other characters as they are).
[[nodiscard]] std::string text_layout(const std::string& text);
/// Whether two readings are of one standing text: the same length, three in four positions of
/// the same class (the reader takes a caption's 0 for O now and then), and the same letter
/// wherever both read a letter.
[[nodiscard]] bool same_static_text(const std::string& a, const std::string& b);

}  // namespace anpr::edge
