#pragma once
/// @file
/// Places rendered UK plates into frames the way a camera sees them: perspective, tilt, scale,
/// blur, noise, JPEG artefacts, glare, dirt, night/IR; on procedural street-like backgrounds or
/// on real photos. Deterministic for a given seed.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/synth/plate_renderer.hpp"

namespace anpr::synth {

/// A real photo and the boxes of its labelled plates (in the photo's pixels).
struct PlatePhoto {
  std::string file;
  std::vector<cv::Rect> plates;
};

struct SceneSettings {
  cv::Size frame{1280, 720};
  int min_char_px = 16;  ///< character height range in the frame
  int max_char_px = 48;
  double max_tilt_degrees = 12;   ///< in-plane rotation
  double max_perspective = 0.12;  ///< corner displacement, fraction of plate height
  double night_share = 0.15;
  double two_row_share = 0.12;
  double rear_share = 0.5;
  std::vector<std::string> background_files;  ///< real photos; procedural when empty
  /// Real photos whose own plates are painted out and replaced by the scene's plate, drawn where
  /// one of them was at about its size: real bumpers, lighting and street print around the
  /// plate, and that print as negatives for the plate check. Used instead of background_files
  /// when given: the scene is the photo scaled to fit `frame` in its own proportions, and the
  /// character heights come from the photo's plate, not min/max_char_px.
  std::vector<PlatePhoto> plate_photos;
  /// OCR training data rather than a UK test set: every training font, half the plates in
  /// European layouts (one row, with a dash or emblem in the group gap).
  bool training_variety = false;
  /// With training_variety: the share of the European-layout plates drawn in a style from
  /// outside Europe (WorldLook) instead.
  double world_share = 0.0;
  /// Font files of the UK plate typeface (Charles Wright, ../shared/fonts: for rendering data
  /// only, never shipped). When given, UK plates use one of them with `uk_font_share`, the other
  /// plates the Debian fonts as before (same draws: a seed gives the same scenes otherwise).
  std::vector<std::string> uk_font_files;
  double uk_font_share = 0.8;
  /// Signs, dealer legends, stickers, grilles and road markings around the plate (negatives for
  /// the plate / not-a-plate check). Drawn from their own random stream: a seed gives the same
  /// plates with or without them.
  bool distractors = false;
};

struct SceneSample {
  cv::Mat image;  ///< BGR frame
  std::string text;
  std::string format;
  cv::Rect box;  ///< bounding box of the plate in the frame
  bool night = false;
  bool two_rows = false;
  bool rear = false;
  bool world = false;  ///< drawn in a style from outside Europe (PlateStyle::world)
};

class SceneGenerator {
 public:
  SceneGenerator(SceneSettings settings, std::uint64_t seed);
  [[nodiscard]] SceneSample next();
  /// Renders a specific registration with the given style into a scene (for tests).
  [[nodiscard]] SceneSample make(const Registration& reg, PlateStyle style, bool night);

 private:
  cv::Mat background();
  /// One of `plate_photos`, scaled to fit the frame in its own proportions, with its plates
  /// painted out; `where` is set to the corners at which the scene's plate (rendered at size
  /// `plate`) goes, in one painted-out plate's place.
  cv::Mat plate_photo(cv::Size plate, std::vector<cv::Point2f>& where);
  SceneSettings settings_;
  std::mt19937_64 rng_;
  std::mt19937_64 distractor_rng_;
  PlateRenderer renderer_;
};

}  // namespace anpr::synth
