#include "anpr/synth/plate_renderer.hpp"

#include <algorithm>
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
void ink_glyph(cv::Mat& plate, const cv::Mat& g, int gx, int gy, const cv::Scalar& ink = kInk) {
  const cv::Rect dst = cv::Rect(gx, gy, g.cols, g.rows) & cv::Rect(0, 0, plate.cols, plate.rows);
  if (dst.empty()) return;
  cv::Mat roi = plate(dst);
  const cv::Mat alpha = g(cv::Rect(dst.x - gx, dst.y - gy, dst.width, dst.height));
  for (int yy = 0; yy < roi.rows; ++yy) {
    for (int xx = 0; xx < roi.cols; ++xx) {
      const double a = alpha.at<std::uint8_t>(yy, xx) / 255.0;
      auto& px = roi.at<cv::Vec3b>(yy, xx);
      for (int ch = 0; ch < 3; ++ch) px[ch] = cv::saturate_cast<std::uint8_t>(px[ch] * (1 - a) + ink[ch] * a);
    }
  }
}

double uniform(std::mt19937_64& rng, double lo, double hi) {
  return std::uniform_real_distribution<double>(lo, hi)(rng);
}
bool chance(std::mt19937_64& rng, double p) { return uniform(rng, 0, 1) < p; }

std::string random_word(std::mt19937_64& rng, int min_len, int max_len, bool capitals) {
  const int n = std::uniform_int_distribution<int>(min_len, max_len)(rng);
  std::string w;
  for (int i = 0; i < n; ++i) {
    const char first = capitals || i == 0 ? 'A' : 'a';
    w.push_back(static_cast<char>(first + std::uniform_int_distribution<int>(0, 25)(rng)));
  }
  return w;
}

// Soft shapes in other colours, blended into the background (a state's scenery or a flag).
void paint_graphic(cv::Mat& plate, const cv::Scalar& background, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  cv::Mat layer = plate.clone();
  const int shapes = std::uniform_int_distribution<int>(2, 4)(rng);
  for (int i = 0; i < shapes; ++i) {
    const cv::Point centre(static_cast<int>(uniform(rng, 0, plate.cols)),
                           static_cast<int>(uniform(rng, 0, plate.rows)));
    const cv::Size axes(static_cast<int>(uniform(rng, 0.2, 0.7) * plate.cols),
                        static_cast<int>(uniform(rng, 0.1, 0.4) * plate.rows));
    cv::Scalar colour = background;
    for (int ch = 0; ch < 3; ++ch) colour[ch] = std::clamp(colour[ch] + uniform(rng, -90, 60), 0.0, 255.0);
    cv::ellipse(layer, centre, axes, uniform(rng, 0, 180), 0, 360, colour, cv::FILLED, cv::LINE_AA);
  }
  cv::GaussianBlur(layer, layer, {0, 0}, std::max(1.0, plate.rows * 0.03));
  cv::addWeighted(plate, 0.45, layer, 0.55, 0, plate);
}

}  // namespace

WorldLook random_world_look(std::mt19937_64& rng) {
  WorldLook look;
  const bool dark = chance(rng, 0.15);
  for (int ch = 0; ch < 3; ++ch) look.background[ch] = dark ? uniform(rng, 20, 90) : uniform(rng, 175, 255);
  static const cv::Scalar kDarkInks[] = {
      {110, 30, 10}, {20, 20, 150}, {20, 20, 20}, {30, 90, 20}, {60, 20, 90}};
  static const cv::Scalar kLightInks[] = {{235, 235, 235}, {60, 215, 240}};
  look.ink = dark ? kLightInks[std::uniform_int_distribution<int>(0, 1)(rng)]
                  : kDarkInks[std::uniform_int_distribution<int>(0, 4)(rng)];
  look.header_ink = kDarkInks[std::uniform_int_distribution<int>(0, 4)(rng)];
  if (dark) look.header_ink = look.ink;
  if (chance(rng, 0.85)) look.header = random_word(rng, 4, 12, true);
  if (chance(rng, 0.6)) look.footer = random_word(rng, 4, 9, false) + " " + random_word(rng, 2, 8, false);
  look.header_band = !dark && chance(rng, 0.2);
  look.graphic = chance(rng, 0.5);
  look.stickers = chance(rng, 0.4) ? (chance(rng, 0.5) ? 1 : 2) : 0;
  look.height_ratio = uniform(rng, 1.7, 2.3);
  look.char_width_factor = uniform(rng, 0.6, 1.0);
  look.text_font_pick = static_cast<unsigned>(rng() % 1000);
  look.graphic_seed = rng();
  return look;
}

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

  // `text` centred on the plate with its baseline at `baseline` pixels, `height` pixels high.
  void centred_line(cv::Mat& plate, const std::string& text, int baseline, int height,
                    const cv::Scalar& colour, int font) const {
    if (text.empty() || height < 4) return;
    int ignored = 0;
    const cv::Size size = fonts[static_cast<std::size_t>(font)]->getTextSize(text, height, -1, &ignored);
    fonts[static_cast<std::size_t>(font)]->putText(plate, text, {(plate.cols - size.width) / 2, baseline},
                                                   height, colour, -1, cv::LINE_AA, true);
  }

  // A plate of a style from outside Europe without its registration: background, graphic, name
  // line (on a band or not), slogan and stickers. The registration's characters take the rows
  // from `char_top` to `char_bottom` (pixels).
  cv::Mat world_blank(const WorldLook& look, cv::Size size, int char_top, int char_bottom) const {
    cv::Mat plate(size, CV_8UC3, look.background);
    if (look.graphic) paint_graphic(plate, look.background, look.graphic_seed);
    const int font = static_cast<int>(look.text_font_pick % fonts.size());
    const int header_h = cvRound(char_top * 0.6);
    if (look.header_band) {
      cv::rectangle(plate, cv::Rect(0, 0, size.width, cvRound(char_top * 0.85)), look.header_ink, cv::FILLED);
    }
    centred_line(plate, look.header, cvRound(char_top * 0.75), header_h,
                 look.header_band ? cv::Scalar(245, 245, 245) : look.header_ink, font);
    const int footer_h = cvRound((size.height - char_bottom) * 0.55);
    centred_line(plate, look.footer, size.height - cvRound((size.height - char_bottom) * 0.25), footer_h,
                 look.header_ink, font);
    for (int i = 0; i < look.stickers; ++i) {
      const cv::Rect sticker(i == 0 ? size.width / 30 : size.width - size.width / 30 - size.width / 7,
                             size.height / 20, size.width / 7, std::max(2, char_top * 3 / 4));
      cv::Scalar colour(look.graphic_seed % 200 + 30.0, (look.graphic_seed >> 8) % 200 + 30.0,
                        (look.graphic_seed >> 16) % 200 + 30.0);
      cv::rectangle(plate, sticker, colour, cv::FILLED);
      cv::Mat on_sticker = plate(sticker);
      centred_line(on_sticker, i == 0 ? "26" : "0417", sticker.height * 3 / 4, sticker.height / 2,
                   cv::Scalar(20, 20, 20), 0);
    }
    return plate;
  }

  // A plate of a style from outside Europe: one row, 2:1-ish, centred a little below the middle.
  RenderedPlate world_plate(const std::string& text, std::size_t split, const PlateStyle& style) {
    const WorldLook& look = *style.world;
    const double k = style.px_per_mm;
    // Narrower characters than the UK's 50 mm: most of these plates are 2:1 with tall, narrow print.
    const double squeeze = look.char_width_factor;
    const double text_w = row_width(text, split) * squeeze;
    const double plate_h = kCharHeight * look.height_ratio;
    const double plate_w = std::max(text_w + 4 * kMarginX, plate_h * 2.0);
    const double top = (plate_h - kCharHeight) * 0.55;
    cv::Mat plate = world_blank(look, cv::Size(cvRound(plate_w * k), cvRound(plate_h * k)), cvRound(top * k),
                                cvRound((top + kCharHeight) * k));
    double x = (plate_w - text_w) / 2.0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (i == split && split > 0) {
        draw_separator(plate, style, (x - kSpacing * squeeze / 2 + (kGroupGap - kSpacing) * squeeze / 2) * k,
                       (top + kCharHeight / 2) * k);
        x += (kGroupGap - kSpacing) * squeeze;
      }
      cv::Mat g = glyph(text[i], style.font, k);
      cv::resize(g, g, cv::Size(std::max(1, cvRound(g.cols * squeeze)), g.rows), 0, 0, cv::INTER_AREA);
      ink_glyph(plate, g, cvRound((x + kCharWidth * squeeze / 2.0) * k - g.cols / 2.0), cvRound(top * k),
                look.ink);
      x += (kCharWidth + kSpacing) * squeeze;
    }
    return {plate, text};
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
  if (style.world) return impl_->world_plate(text, split, style);
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
