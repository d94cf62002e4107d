#pragma once
/// @file
/// Renders UK number plates the way they are made (BS AU 145e geometry: 79 mm characters, 50 mm
/// pitch cells, 11 mm spacing, 33 mm group gap), in a condensed bold sans close to Charles Wright.
/// Host-only: used to generate test and training data, never by the firmware.

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace anpr::synth {

enum class PlateSide { kFront, kRear };  ///< white front, yellow rear
enum class PlateLayout { kOneRow, kTwoRows };
/// Which fonts a renderer loads: the condensed bold sans faces closest to Charles Wright (UK
/// plates), or those plus the wider variety of European plate lettering (DIN-like, humanist and
/// geometric sans) used to train the OCR model so that it does not learn one typeface.
enum class FontSet { kUk, kTraining };
/// What sits in the gap between character groups on European plates (dash, registration-office
/// emblem); the OCR must learn to read past it.
enum class GroupSeparator { kNone, kDash, kEmblem };

/// How a plate from outside the UK and European rules looks (training data only): plates in
/// the Americas and elsewhere are about 2:1, any light or dark colour, often with a painted
/// graphic, coloured characters, a state or country name above, a slogan below and registration
/// stickers in the corners. A plate check trained on white and yellow plates alone turns such
/// plates away as signs.
struct WorldLook {
  cv::Scalar background;
  cv::Scalar ink;                  ///< the registration's characters
  cv::Scalar header_ink;           ///< the name line (and the band behind it when `header_band`)
  std::string header;              ///< the name line above the characters
  std::string footer;              ///< the slogan below them (may be empty)
  bool header_band = false;        ///< the name line on a filled strip along the top (Mercosur)
  bool graphic = false;            ///< soft shapes painted on the background
  int stickers = 0;                ///< registration stickers in the top corners
  double height_ratio = 2.0;       ///< plate height / character height
  double char_width_factor = 1.0;  ///< character width and spacing against the UK's
  unsigned text_font_pick = 0;     ///< which font the name and slogan lines use (modulo the count)
  std::uint64_t graphic_seed = 0;  ///< the painted shapes
};
/// A random look: mostly light backgrounds with dark characters, some the other way round.
[[nodiscard]] WorldLook random_world_look(std::mt19937_64& rng);

struct PlateStyle {
  PlateSide side = PlateSide::kFront;
  PlateLayout layout = PlateLayout::kOneRow;
  int font = 0;          ///< index into PlateRenderer::fonts()
  bool uk_band = false;  ///< blue side band with "UK"
  bool border = false;   ///< thin black border
  GroupSeparator separator = GroupSeparator::kNone;
  double px_per_mm = 1.0;  ///< output resolution
  /// Set: a plate of a style from outside Europe (side, band and border are then ignored).
  std::optional<WorldLook> world;
};

/// A rendered plate with the text it shows.
struct RenderedPlate {
  cv::Mat image;     ///< BGR, upright
  std::string text;  ///< normalised
};

class PlateRenderer {
 public:
  /// Loads the Debian fonts listed in font_files(set) that are installed, then `extra_fonts`
  /// (font files given by the user, such as the UK plate typeface, indexed after the set's);
  /// throws anpr::Error if none of the set is installed or an extra font cannot be read.
  explicit PlateRenderer(FontSet set = FontSet::kUk, const std::vector<std::string>& extra_fonts = {});
  ~PlateRenderer();
  PlateRenderer(const PlateRenderer&) = delete;
  PlateRenderer& operator=(const PlateRenderer&) = delete;

  [[nodiscard]] RenderedPlate render(const std::string& text, std::size_t split, const PlateStyle& style);
  /// Draws `text` in font `font` with its baseline starting at `baseline_left`, `height` pixels
  /// high (signs and legends of the scene's distractors); `image` must be BGR.
  void draw_text(cv::Mat& image, const std::string& text, cv::Point baseline_left, int height,
                 const cv::Scalar& colour, int font) const;
  [[nodiscard]] cv::Size text_size(const std::string& text, int height, int font) const;
  [[nodiscard]] std::size_t font_count() const;
  /// How many of the fonts came from `extra_fonts` (the last ones).
  [[nodiscard]] std::size_t extra_font_count() const;
  [[nodiscard]] static std::vector<std::string> font_files(FontSet set = FontSet::kUk);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A random valid UK registration and where its printed space goes, drawn from the format table
/// of anpr/common (current formats most often, as on the road).
struct Registration {
  std::string text;
  std::size_t split = 0;
  std::string format;
};
[[nodiscard]] Registration random_registration(std::mt19937_64& rng);
/// The registration of a given UK text (normalised: capitals and digits, no space) with its
/// format and printed space; nullopt when no UK format takes it.
[[nodiscard]] std::optional<Registration> registration_of(const std::string& text);

/// A random registration in one of the common European layouts (letters and digits in groups,
/// such as LL NNN LL, N LN NNNN, LLL NNNN, NN LLL N), for OCR training text that is not biased
/// towards the UK's letter/digit positions.
[[nodiscard]] Registration random_european_registration(std::mt19937_64& rng);

}  // namespace anpr::synth
