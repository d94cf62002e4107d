#include "anpr/edge/reader/plate_reader.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/reader/reading_fusion.hpp"

namespace anpr::edge {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

/// A box in working-image pixels (the image scaled by `scale`) in the pixels of the image given.
cv::Rect to_input_pixels(const cv::Rect& b, double scale) {
  return {cvRound(b.x / scale), cvRound(b.y / scale), cvRound(b.width / scale), cvRound(b.height / scale)};
}

// How the agreement of the two OCR looks turns the ranking score into the reported confidence.
constexpr double kAgreementShrink = 0.5;
constexpr double kDisagreementFactor = 0.8;

// A longer reading of the same plate wins if it is at least this share as confident.
constexpr double kLongerReadingShare = 0.85;

// Reported confidence: the ranking score moved towards 1 when two looks agree, down when not.
double reported_confidence(const PlateResult& p) {
  const double c = p.text.confidence;
  return p.looks_agree ? 1.0 - (1.0 - c) * kAgreementShrink : c * kDisagreementFactor;
}

double overlap_ratio(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / std::max(1, std::min(a.area(), b.area()));
}

// The detector's smallest character height is in the pixels of the frame as given; the second
// look at twice the size keeps it there. Without this it proposed characters of 5-9 pixels in
// the frame, below what the reader is specified to read: in large photos, road texture and
// distant print read as short plates (docs/accuracy.md, session 27). Its largest stays in the
// enlarged image's pixels: large characters were the first look's.
DetectorSettings enlarged(DetectorSettings settings) {
  settings.min_char_height *= 2;
  return settings;
}

// One result per physical plate from readings sorted most confident first. Overlapping
// candidates are the same plate read whole or in part (one row of a two-row plate, one group of
// characters) or at both sizes: keep the most confident, unless a longer reading of the same
// plate is nearly as confident.
std::vector<PlateResult> one_per_plate(std::vector<PlateResult> plates) {
  std::vector<PlateResult> kept;
  for (auto& p : plates) {
    auto same = std::find_if(kept.begin(), kept.end(),
                             [&](const PlateResult& k) { return overlap_ratio(k.box, p.box) > 0.4; });
    if (same == kept.end()) {
      kept.push_back(std::move(p));
    } else if (p.text.text.size() > same->text.text.size() &&
               p.text.confidence >= kLongerReadingShare * same->text.confidence) {
      *same = std::move(p);
    }
  }
  return kept;
}

// A reading of this many characters or fewer is little evidence of a plate: two or three
// characters of a sign, a badge or a sticker fit a short plate layout as well as a cherished
// plate does. Three-character readings were kept until session 28: in a picture with a plate
// they were mostly print far from it, and few cherished plates (docs/accuracy.md, session 28).
constexpr std::size_t kShortReadingLength = 3;
// ...where a plate of at least this many characters is read in the picture...
constexpr std::size_t kFullPlateLength = 4;
// ...unless it is this sure (and not beside that plate).
constexpr double kSureShortReading = 0.9;

// A plate's other text is print at most this share of its registration's height...
constexpr double kOtherTextHeightShare = 0.5;
// ...lying within this many of the registration's character heights over or under its
// characters: the widest margin a plate leaves there (a US plate: 1.6 inches beside characters
// 2.75 inches high; a UK or EU plate's is about 0.2).
constexpr double kPlateMarginInCharHeights = 0.6;

struct PrintExtent {
  cv::Rect2d chars;   ///< the rows' characters, input pixels
  double height = 0;  ///< the tallest row's character height, input pixels
};

PrintExtent print_extent(const PlateResult& p) {
  PrintExtent e;
  const auto& rows = p.candidate.rows;
  if (rows.empty() || rows.front().chars.empty()) return e;
  cv::Rect chars = rows.front().chars.front();
  double height = 0;
  for (const auto& r : rows) {
    for (const auto& c : r.chars) chars |= c;
    height = std::max(height, r.char_height);
  }
  const double s = p.working_scale;
  e.chars = cv::Rect2d(chars.x / s, chars.y / s, chars.width / s, chars.height / s);
  e.height = height / s;
  return e;
}

}  // namespace

void drop_plates_other_text(std::vector<PlateResult>& plates) {
  std::vector<PrintExtent> extents;
  extents.reserve(plates.size());
  for (const auto& p : plates) extents.push_back(print_extent(p));
  std::vector<bool> other_text(plates.size(), false);
  for (std::size_t b = 0; b < plates.size(); ++b) {
    const PrintExtent& small = extents[b];
    if (small.height <= 0) continue;
    const cv::Point2d centre(small.chars.x + small.chars.width / 2, small.chars.y + small.chars.height / 2);
    for (std::size_t a = 0; a < plates.size() && !other_text[b]; ++a) {
      const PrintExtent& large = extents[a];
      if (a == b || other_text[a] || small.height > kOtherTextHeightShare * large.height) continue;
      // Only a surer reading hides one: a large but unsure reading (a grille's bars) does not.
      if (plates[a].text.confidence < plates[b].text.confidence) continue;
      const double margin = kPlateMarginInCharHeights * large.height;
      other_text[b] = centre.x >= large.chars.x && centre.x <= large.chars.br().x &&
                      centre.y >= large.chars.y - margin && centre.y <= large.chars.br().y + margin;
    }
  }
  std::vector<PlateResult> kept;
  for (std::size_t i = 0; i < plates.size(); ++i) {
    if (!other_text[i]) kept.push_back(std::move(plates[i]));
  }
  plates = std::move(kept);
}

void drop_short_readings(std::vector<PlateResult>& plates) {
  std::vector<cv::Rect> full_plates;
  for (const auto& p : plates) {
    if (p.text.text.size() >= kFullPlateLength) full_plates.push_back(p.box);
  }
  std::erase_if(plates, [&](const PlateResult& p) {
    if (p.text.text.size() > kShortReadingLength || full_plates.empty()) return false;
    if (p.text.confidence < kSureShortReading) return true;
    const cv::Point2d c(p.box.x + p.box.width / 2.0, p.box.y + p.box.height / 2.0);
    return std::any_of(full_plates.begin(), full_plates.end(), [&](const cv::Rect& b) {
      const double dx = std::max({b.x - c.x, 0.0, c.x - b.br().x}),
                   dy = std::max({b.y - c.y, 0.0, c.y - b.br().y});
      return std::hypot(dx, dy) <= b.width;
    });
  });
}

void drop_rows_of_two_row_readings(std::vector<PlateResult>& plates) {
  std::vector<bool> dropped(plates.size(), false);
  for (std::size_t i = 0; i < plates.size(); ++i) {
    const PlateResult& p = plates[i];
    if (dropped[i] || p.candidate.rows.size() != 2) continue;
    const double middle = p.box.y + p.box.height / 2.0;
    double best_top = 0.0, best_bottom = 0.0;
    std::vector<std::size_t> rows_read;
    for (std::size_t j = 0; j < plates.size(); ++j) {
      const PlateResult& q = plates[j];
      // A two-row reading no longer than a row's reads nothing of the other row.
      if (j == i || dropped[j] || q.candidate.rows.size() != 1 || q.text.text.size() >= p.text.text.size())
        continue;
      const cv::Point2d c(q.box.x + q.box.width / 2.0, q.box.y + q.box.height / 2.0);
      if (c.x < p.box.x || c.x > p.box.br().x || c.y < p.box.y || c.y > p.box.br().y) continue;
      rows_read.push_back(j);
      double& best = c.y < middle ? best_top : best_bottom;
      best = std::max(best, q.text.confidence);
    }
    if (rows_read.empty()) continue;
    // Its rows read apart: both plates, or one a plate and the other not, whichever is likelier.
    const double apart = std::max({best_top * best_bottom, best_top * (1.0 - best_bottom),
                                   best_bottom * (1.0 - best_top)});
    if (p.text.confidence < kLongerReadingShare * apart) continue;
    for (std::size_t j : rows_read) dropped[j] = true;
  }
  std::vector<PlateResult> kept;
  for (std::size_t i = 0; i < plates.size(); ++i) {
    if (!dropped[i]) kept.push_back(std::move(plates[i]));
  }
  plates = std::move(kept);
}

PlateReader::PlateReader(ReaderSettings settings, std::unique_ptr<OcrEngine> ocr,
                         std::unique_ptr<CharClassifier> classifier, std::unique_ptr<PlateVerifier> verifier)
    : settings_(std::move(settings)),
      ocr_(std::move(ocr)),
      classifier_(std::move(classifier)),
      verifier_(std::move(verifier)),
      detector_(settings_.detector),
      enlarged_detector_(enlarged(settings_.detector)),
      rectifier_(settings_.rectifier),
      syntax_(settings_.syntax) {}

std::vector<std::vector<CharChoice>> PlateReader::classify_rows(const std::vector<RectifiedRow>& rows,
                                                                StageTimings& timings) {
  std::vector<std::vector<CharChoice>> classified;
  if (!classifier_) return classified;
  const auto t = Clock::now();
  for (const auto& row : rows) {
    classified.push_back(classifier_->classify(row.gray, row.char_boxes, settings_.rectifier.char_height));
  }
  timings.ocr_ms += ms_since(t);
  return classified;
}

PlateText PlateReader::read_rows(const std::vector<RectifiedRow>& rows, cv::Mat RectifiedRow::*variant,
                                 const std::vector<std::vector<CharChoice>>& classified,
                                 StageTimings& timings, std::vector<std::string>* raw) {
  auto t = Clock::now();
  std::vector<RowReading> readings;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    readings.push_back(ocr_->read_row(rows[r].*variant));
    if (raw != nullptr) raw->push_back(readings.back().text());
    if (r < classified.size())
      readings.back() = fuse_reading(readings.back(), classified[r], settings_.classifier_weight);
  }
  timings.ocr_ms += ms_since(t);
  t = Clock::now();
  PlateText text = syntax_.rank(readings);
  timings.syntax_ms += ms_since(t);
  return text;
}

PlateReader::PlateReading PlateReader::read_plate(const std::vector<RectifiedRow>& rows,
                                                  const std::vector<std::string>& expected_here,
                                                  StageTimings& timings, std::vector<std::string>* raw) {
  // Up to three looks at the plate. Tesseract reads the cleaned binary rows and the grey rows (it
  // binarises those itself, which wins on uneven light), each fused character by character with
  // the classifier; the classifier alone reads the segmented characters, which wins where
  // Tesseract splits or merges characters. The binary look leads unless it is unconvincing.
  const auto classified = classify_rows(rows, timings);
  std::optional<PlateText> alone;
  if (!classified.empty()) {
    const auto t = Clock::now();
    std::vector<RowReading> own;
    for (const auto& c : classified) own.push_back(classifier_reading(c));
    alone = syntax_.rank(own);
    timings.syntax_ms += ms_since(t);
    // The cheap check where no learned one is loaded: characters the classifier cannot read as
    // any plate are texture, a grille or a sign, and not worth two Tesseract calls.
    if (!verifier_ && alone->confidence < settings_.min_classifier_confidence) return {};
    // A sure classifier reading of a settled pass's text where that pass's plate is predicted:
    // the second look is the pass's earlier frames, as sure as a confirmed binary look below.
    if (alone->confidence >= settings_.second_look_below &&
        std::find(expected_here.begin(), expected_here.end(), alone->text) != expected_here.end())
      return {std::move(*alone), true};
  }
  PlateText binary = read_rows(rows, &RectifiedRow::binary, classified, timings, raw);
  std::vector<std::string> texts = {binary.text};
  PlateReading best{std::move(binary), false};
  // A convincing binary reading the classifier alone confirms needs no grey look (half the OCR time).
  const bool confirmed =
      alone && alone->text == best.text.text && best.text.confidence >= settings_.second_look_below;
  if (!confirmed) {
    PlateText grey = read_rows(rows, &RectifiedRow::gray, classified, timings);
    texts.push_back(grey.text);
    if (best.text.confidence < settings_.second_look_below && grey.confidence > best.text.confidence) {
      best.text = std::move(grey);
    }
  }
  if (alone) {
    texts.push_back(alone->text);
    if (alone->confidence > best.text.confidence) best.text = std::move(*alone);
  }
  // Whether two looks agree says more about a reading being right than the engines' own scores
  // do (see docs/accuracy.md, calibration).
  best.looks_agree = std::count(texts.begin(), texts.end(), best.text.text) >= 2;
  return best;
}

std::vector<PlateReader::PoolEntry> PlateReader::reading_order(const cv::Mat& gray,
                                                               const std::vector<PlateCandidate>& candidates,
                                                               double scale, ReadResult& result) {
  std::vector<PoolEntry> pool;
  pool.reserve(candidates.size());
  for (const PlateCandidate& candidate : candidates) pool.push_back({&candidate, -1.0, 0});
  if (!verifier_ && !settings_.keep_patches) return pool;
  // Timed with the syntax stage: both judge whether a reading is a plate.
  const auto t = Clock::now();
  std::vector<cv::Mat> patches;
  patches.reserve(pool.size());
  for (const PoolEntry& entry : pool) patches.push_back(plate_patch(gray, entry.candidate->box));
  if (verifier_) {
    const std::vector<double> p = verifier_->plate_probabilities(patches);
    for (std::size_t i = 0; i < pool.size(); ++i) pool[i].plate_probability = p[i];
  }
  if (settings_.keep_patches) {
    for (std::size_t i = 0; i < pool.size(); ++i) {
      pool[i].pool_index = result.pool.size();
      result.pool.push_back(
          {to_input_pixels(pool[i].candidate->box, scale), pool[i].plate_probability, std::move(patches[i])});
    }
  }
  result.timings.syntax_ms += ms_since(t);
  if (!verifier_) return pool;
  // The learned check judges the whole pool before any OCR, and the most plate-like are read
  // first: the detector's row score alone ranked a clear plate behind two dozen rows of a fence
  // (docs/accuracy.md, session 18), which then filled the rows read. What it rejects (signs,
  // legends, grilles) takes no plate's place.
  std::erase_if(pool,
                [&](const PoolEntry& e) { return e.plate_probability < settings_.min_plate_probability; });
  std::stable_sort(pool.begin(), pool.end(), [](const PoolEntry& a, const PoolEntry& b) {
    return a.plate_probability > b.plate_probability;
  });
  return pool;
}

void PlateReader::read_pass(const PlateDetector& detector, const cv::Mat& gray, double scale,
                            std::span<const ExpectedPlate> expected, ReadResult& result,
                            std::vector<PlateResult>& plates) {
  StageTimings& timings = result.timings;
  auto t = Clock::now();
  const auto candidates = detector.detect(gray);
  timings.detect_ms += ms_since(t);

  int read = 0;
  for (PoolEntry& entry : reading_order(gray, candidates, scale, result)) {
    if (read >= settings_.max_candidates_read) break;
    const PlateCandidate& candidate = *entry.candidate;
    PlateResult plate;
    plate.plate_probability = entry.plate_probability;
    PoolCandidate::Fate* fate = settings_.keep_patches ? &result.pool[entry.pool_index].fate : nullptr;
    ++read;
    t = Clock::now();
    const auto rows = rectifier_.rectify(gray, candidate);
    timings.rectify_ms += ms_since(t);
    const bool printed = std::all_of(rows.begin(), rows.end(), [&](const RectifiedRow& r) {
      return r.contrast >= settings_.min_row_contrast;
    });
    if (fate) *fate = printed ? PoolCandidate::Fate::kUnsure : PoolCandidate::Fate::kFaint;
    if (!printed) continue;

    const cv::Rect box = to_input_pixels(candidate.box, scale);
    std::vector<std::string> expected_here;
    for (const ExpectedPlate& e : expected) {
      if ((e.box & box).area() > 0) expected_here.push_back(e.text);
    }
    std::vector<std::string> row_reads;
    auto [text, looks_agree] =
        read_plate(rows, expected_here, timings, settings_.keep_rows ? &row_reads : nullptr);
    if (text.text.size() < 2 || text.confidence < settings_.min_confidence) continue;
    if (fate) *fate = PoolCandidate::Fate::kPlate;

    plate.text = std::move(text);
    plate.candidate = candidate;
    plate.working_scale = scale;
    plate.looks_agree = looks_agree;
    if (settings_.keep_rows) {
      plate.rows = rows;
      plate.row_reads = std::move(row_reads);
    }
    plate.box = box;
    plates.push_back(std::move(plate));
  }
}

ReadResult PlateReader::read(const cv::Mat& image, std::span<const ExpectedPlate> expected) {
  ReadResult result;
  if (image.empty()) return result;
  CV_Assert(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3));

  const auto t = Clock::now();
  cv::Mat source;
  if (image.channels() == 3)
    cv::cvtColor(image, source, cv::COLOR_BGR2GRAY);
  else
    source = image;
  cv::Mat gray = source;
  double scale = 1.0;
  if (gray.cols > settings_.max_working_width) {
    scale = static_cast<double>(settings_.max_working_width) / gray.cols;
    cv::resize(source, gray, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  result.timings.detect_ms += ms_since(t);
  std::vector<PlateResult> plates;
  read_pass(detector_, gray, scale, expected, result, plates);

  // Small plates: characters a dozen pixels high merge with each other and the frame in every
  // binarisation. Where nothing was read with confidence, look again at twice the size (where
  // that stays within max_enlarged_width); images that read well at once (most) pay nothing.
  const bool confident = std::any_of(plates.begin(), plates.end(), [&](const PlateResult& p) {
    return reported_confidence(p) >= settings_.enlarge_below_confidence;
  });
  if (!confident && gray.cols * 2 <= settings_.max_enlarged_width) {
    const auto t2 = Clock::now();
    // From the source pixels: a photo the working width scaled down is not blown up from its
    // reduced copy.
    cv::Mat enlarged;
    cv::resize(source, enlarged, cv::Size(), scale * 2.0, scale * 2.0,
               scale < 0.5 ? cv::INTER_AREA : cv::INTER_CUBIC);
    result.timings.detect_ms += ms_since(t2);
    read_pass(enlarged_detector_, enlarged, scale * 2.0, expected, result, plates);
  }

  // The plates read, most confident first.
  std::sort(plates.begin(), plates.end(),
            [](const PlateResult& a, const PlateResult& b) { return a.text.confidence > b.text.confidence; });
  drop_rows_of_two_row_readings(plates);
  result.plates = one_per_plate(std::move(plates));
  for (auto& p : result.plates) p.text.confidence = reported_confidence(p);
  drop_short_readings(result.plates);
  drop_plates_other_text(result.plates);
  // Capped last, so that nothing dropped above took a plate's place.
  const auto max_plates = static_cast<std::size_t>(std::max(0, settings_.max_plates));
  if (result.plates.size() > max_plates) result.plates.resize(max_plates);
  return result;
}

}  // namespace anpr::edge
