#include "anpr/synth/plate_renderer.hpp"

#include <filesystem>

#include <opencv2/freetype.hpp>
#include <opencv2/imgproc.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/plate_format.hpp"

namespace anpr::synth {
namespace {

// Plate geometry in millimetres (BS AU 145e).
constexpr double kCharHeight = 79, kCharWidth = 50, kSpacing = 11, kGroupGap = 33;
constexpr double kMarginX = 11, kBandWidth = 50, kRowGap = 19;

const cv::Scalar kWhite(245, 245, 245), kYellow(0, 200, 255), kInk(20, 20, 20), kBlue(140, 60, 0);

// A dash or a small round emblem centred at (cx, cy) pixels, in the group gap.
void draw_separator(cv::Mat& plate, const PlateStyle& style, double cx, double cy) {
  const double k = style.px_per_mm;
  const cv::Point centre(cvRound(cx), cvRound(cy));
  if (style.separator == GroupSeparator::kDash) {
    const int half = std::max(1, cvRound(6 * k));
    cv::line(plate, centre - cv::Point(half, 0), centre + cv::Point(half, 0), kInk,
             std::max(1, cvRound(7 * k)));
  } else if (style.separator == GroupSeparator::kEmblem) {
    const int r = std::max(2, cvRound(13 * k));
    cv::circle(plate, centre, r, cv::Scalar(40, 40, 160), cv::FILLED, cv::LINE_AA);
    cv::circle(plate, centre, r / 2, cv::Scalar(200, 200, 200), cv::FILLED, cv::LINE_AA);
  }
}

// A row's width in millimetres, with the wider group gap when it splits at `gap_at`.
double row_width(const std::string& row, std::size_t gap_at) {
  double w = static_cast<double>(row.size()) * kCharWidth + static_cast<double>(row.size() - 1) * kSpacing;
  if (gap_at > 0 && gap_at < row.size()) w += kGroupGap - kSpacing;
  return w;
}

// Inks a glyph (its grey level the ink's opacity) onto the plate with its top left at (gx, gy),
// clipped to the plate.
void ink_glyph(cv::Mat& plate, const cv::Mat& g, int gx, int gy) {
  const cv::Rect dst = cv::Rect(gx, gy, g.cols, g.rows) & cv::Rect(0, 0, plate.cols, plate.rows);
  if (dst.empty()) return;
  cv::Mat roi = plate(dst);
  const cv::Mat alpha = g(cv::Rect(dst.x - gx, dst.y - gy, dst.width, dst.height));
  for (int yy = 0; yy < roi.rows; ++yy) {
    for (int xx = 0; xx < roi.cols; ++xx) {
      const double a = alpha.at<std::uint8_t>(yy, xx) / 255.0;
      auto& px = roi.at<cv::Vec3b>(yy, xx);
      for (int ch = 0; ch < 3; ++ch)
        px[ch] = cv::saturate_cast<std::uint8_t>(px[ch] * (1 - a) + kInk[ch] * a);
    }
  }
}

}  // namespace

struct PlateRenderer::Impl {
  std::vector<cv::Ptr<cv::freetype::FreeType2>> fonts;
  std::size_t extra = 0;  ///< the last `extra` fonts were given by the user

  // One glyph, black on transparent, cropped to its ink and scaled to the plate's character box.
  cv::Mat glyph(char c, int font, double px_per_mm) {
    const int height_px = std::max(8, cvRound(kCharHeight * px_per_mm));
    const int render_h = std::max(24, height_px * 2);
    // OpenCV 4.6's FreeType putText draws on 3-channel images only.
    cv::Mat colour(render_h * 2, render_h * 2, CV_8UC3, cv::Scalar::all(0));
    fonts[static_cast<std::size_t>(font)]->putText(colour, std::string(1, c),
                                                   {render_h / 4, render_h * 3 / 2}, render_h,
                                                   cv::Scalar::all(255), -1, cv::LINE_AA, true);
    cv::Mat canvas;
    cv::cvtColor(colour, canvas, cv::COLOR_BGR2GRAY);
    const cv::Rect ink = cv::boundingRect(canvas);
    if (ink.empty()) return cv::Mat(height_px, height_px / 2, CV_8UC1, cv::Scalar(0));
    const double scale = static_cast<double>(height_px) / ink.height;
    int width_px = std::max(1, cvRound(ink.width * scale));
    width_px = std::min(width_px, cvRound(kCharWidth * px_per_mm));  // condense wide glyphs
    cv::Mat out;
    cv::resize(canvas(ink), out, cv::Size(width_px, height_px), 0, 0, cv::INTER_AREA);
    return out;
  }

  // The plate without its characters: white or yellow, the UK band and the border as the style asks.
  cv::Mat blank(const PlateStyle& style, int width, int height, double band) const {
    const double k = style.px_per_mm;
    cv::Mat plate(height, width, CV_8UC3, style.side == PlateSide::kFront ? kWhite : kYellow);
    if (style.uk_band) {
      cv::rectangle(plate, cv::Rect(0, 0, cvRound(band * k), height), kBlue, cv::FILLED);
      fonts[0]->putText(plate, "UK", {cvRound(8 * k), height - cvRound(14 * k)}, std::max(6, cvRound(24 * k)),
                        cv::Scalar(255, 255, 255), -1, cv::LINE_AA, true);
    }
    if (style.border) {
      cv::rectangle(plate, cv::Rect(0, 0, width, height), kInk, std::max(1, cvRound(3 * k)));
    }
    return plate;
  }
};

PlateRenderer::PlateRenderer(FontSet set, const std::vector<std::string>& extra_fonts)
    : impl_(std::make_unique<Impl>()) {
  for (const auto& file : font_files(set)) {
    if (!std::filesystem::exists(file)) continue;
    auto ft = cv::freetype::createFreeType2();
    ft->loadFontData(file, 0);
    impl_->fonts.push_back(ft);
  }
  if (impl_->fonts.empty()) {
    throw Error(ErrorCode::kInput,
                "no plate-like font found; install fonts-roboto-unhinted, "
                "fonts-dejavu-extra, fonts-liberation or fonts-urw-base35");
  }
  for (const auto& file : extra_fonts) {
    if (!std::filesystem::is_regular_file(file))
      throw Error(ErrorCode::kInput, "font file " + file + " not found");
    auto ft = cv::freetype::createFreeType2();
    try {
      ft->loadFontData(file, 0);
    } catch (const cv::Exception& e) {
      throw Error(ErrorCode::kInput, "font file " + file + " cannot be read: " + e.what());
    }
    impl_->fonts.push_back(ft);
    ++impl_->extra;
  }
}

PlateRenderer::~PlateRenderer() = default;

std::size_t PlateRenderer::font_count() const { return impl_->fonts.size(); }

void PlateRenderer::draw_text(cv::Mat& image, const std::string& text, cv::Point baseline_left, int height,
                              const cv::Scalar& colour, int font) const {
  impl_->fonts[static_cast<std::size_t>(font)]->putText(image, text, baseline_left, height, colour, -1,
                                                        cv::LINE_AA, true);
}

cv::Size PlateRenderer::text_size(const std::string& text, int height, int font) const {
  int baseline = 0;
  return impl_->fonts[static_cast<std::size_t>(font)]->getTextSize(text, height, -1, &baseline);
}

std::size_t PlateRenderer::extra_font_count() const { return impl_->extra; }

std::vector<std::string> PlateRenderer::font_files(FontSet set) {
  std::vector<std::string> files = {"/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Bold.ttf",
                                    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
                                    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
                                    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf"};
  if (set == FontSet::kTraining) {
    files.insert(files.end(), {"/usr/share/fonts/truetype/opendin/OSP-DIN.ttf",
                               "/usr/share/fonts/opentype/b612/B612-Bold.otf",
                               "/usr/share/fonts/truetype/clear-sans/ClearSans-Bold.ttf",
                               "/usr/share/fonts/truetype/freefont/FreeSansBold.ttf",
                               "/usr/share/fonts/truetype/open-sans/OpenSans-Semibold.ttf",
                               "/usr/share/fonts/opentype/inter/Inter-Bold.otf",
                               "/usr/share/fonts/truetype/roboto/unhinted/RobotoCondensed-Medium.ttf",
                               "/usr/share/fonts/truetype/roboto/unhinted/RobotoTTF/Roboto-Medium.ttf",
                               "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
                               "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
                               "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
                               "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                               "/usr/share/fonts/opentype/urw-base35/NimbusSans-Bold.otf"});
  }
  return files;
}

RenderedPlate PlateRenderer::render(const std::string& text, std::size_t split, const PlateStyle& style) {
  const double k = style.px_per_mm;
  const bool two_rows = style.layout == PlateLayout::kTwoRows && split > 0 && split < text.size();
  std::vector<std::string> rows;
  if (two_rows)
    rows = {text.substr(0, split), text.substr(split)};
  else
    rows = {text};

  double text_w = 0;
  for (const auto& r : rows) text_w = std::max(text_w, row_width(r, two_rows ? 0 : split));
  const double band = style.uk_band ? kBandWidth : 0.0;
  const double plate_w = std::max(two_rows ? 279.0 : 520.0, text_w + band + 2 * kMarginX);
  const double plate_h = two_rows ? 203.0 : 111.0;
  cv::Mat plate = impl_->blank(style, cvRound(plate_w * k), cvRound(plate_h * k), band);

  const double rows_h =
      static_cast<double>(rows.size()) * kCharHeight + static_cast<double>(rows.size() - 1) * kRowGap;
  double y = (plate_h - rows_h) / 2.0;
  for (const auto& row : rows) {
    const double w = row_width(row, two_rows ? 0 : split);
    double x = band + (plate_w - band - w) / 2.0;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (!two_rows && i == split && split > 0) {
        draw_separator(plate, style, (x - kSpacing / 2 + (kGroupGap - kSpacing) / 2) * k,
                       (y + kCharHeight / 2) * k);
        x += kGroupGap - kSpacing;
      }
      const cv::Mat g = impl_->glyph(row[i], style.font, k);
      ink_glyph(plate, g, cvRound((x + kCharWidth / 2.0) * k - g.cols / 2.0), cvRound(y * k));
      x += kCharWidth + kSpacing;
    }
    y += kCharHeight + kRowGap;
  }
  return {plate, text};
}

namespace {

/// A fixed issue year keeps generated sets reproducible whatever today's date.
const std::vector<PlateFormat>& uk_formats() {
  static const std::vector<PlateFormat> formats = make_uk_formats({.latest_issue_year = 2026});
  return formats;
}

}  // namespace

std::optional<Registration> registration_of(const std::string& text) {
  for (const PlateFormat& format : uk_formats()) {
    for (const PlateShape& shape : format.shapes) {
      if (shape.slots.size() != text.size()) continue;
      bool fits = true;
      for (std::size_t i = 0; i < text.size() && fits; ++i) fits = shape.slots[i].accepts(text[i]);
      if (fits && (!format.extra_rule || format.extra_rule(text)))
        return Registration{text, shape.split, format.name};
    }
  }
  return std::nullopt;
}

Registration random_registration(std::mt19937_64& rng) {
  const std::vector<PlateFormat>& formats = uk_formats();
  // current 70%, prefix 10%, suffix 5%, Northern Ireland 8%, dateless 7%
  std::discrete_distribution<std::size_t> pick_format({70, 10, 5, 8, 7});
  const PlateFormat& format = formats[pick_format(rng)];
  for (;;) {
    std::uniform_int_distribution<std::size_t> pick_shape(0, format.shapes.size() - 1);
    const PlateShape& shape = format.shapes[pick_shape(rng)];
    std::string text;
    for (const CharSlot& slot : shape.slots) {
      std::uniform_int_distribution<std::size_t> pick(0, slot.allowed.size() - 1);
      text.push_back(slot.allowed[pick(rng)]);
    }
    if (!format.extra_rule || format.extra_rule(text)) return {text, shape.split, format.name};
  }
}

}  // namespace anpr::synth

namespace anpr::synth {

Registration random_european_registration(std::mt19937_64& rng) {
  // L = letter, N = digit; the number is where the printed gap goes.
  struct Layout {
    const char* pattern;
    std::size_t split;
  };
  static const Layout layouts[] = {{"LLNNNLL", 2}, {"LLNNNLL", 5}, {"NLNNNNN", 3}, {"NLLNNNN", 3},
                                   {"LLLNNNN", 3}, {"LLNNNN", 2},  {"LLNNNNN", 2}, {"NNLLLN", 2},
                                   {"NNNNLLL", 4}, {"LLLNNN", 3},  {"LNNNLLL", 4}, {"LLNNLL", 2},
                                   {"LLLNNLL", 3}, {"NNNLLL", 3},  {"LLNNNNL", 2}};
  static constexpr const char* kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static constexpr const char* kDigits = "0123456789";
  std::uniform_int_distribution<std::size_t> pick_layout(0, std::size(layouts) - 1);
  const Layout& layout = layouts[pick_layout(rng)];
  std::string text;
  for (const char* p = layout.pattern; *p != '\0'; ++p) {
    const bool letter = *p == 'L';
    std::uniform_int_distribution<std::size_t> pick(0, letter ? 25 : 9);
    text.push_back(letter ? kLetters[pick(rng)] : kDigits[pick(rng)]);
  }
  return {text, layout.split, "eu-" + std::string(layout.pattern)};
}

}  // namespace anpr::synth
