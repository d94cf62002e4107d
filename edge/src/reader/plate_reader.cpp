#include "anpr/edge/reader/plate_reader.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <opencv2/imgproc.hpp>

#include "anpr/edge/reader/plate_selection.hpp"
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

// The detector's smallest character height is in the pixels of the frame as given; the second
// look at twice the size keeps it there. Without this it proposed characters of 5-9 pixels in
// the frame, below what the reader is specified to read: in large photos, road texture and
// distant print read as short plates (docs/accuracy.md, session 27). Its largest stays in the
// enlarged image's pixels: large characters were the first look's.
DetectorSettings enlarged(DetectorSettings settings) {
  settings.min_char_height *= 2;
  return settings;
}

}  // namespace

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
    // The row-contrast gate stands in for the learned check where none is loaded; where one is,
    // it has judged the candidate already, and the gate mostly turned plates away (a plate under
    // uneven light or of low-contrast colours; docs/accuracy.md, session 35).
    const bool printed = verifier_ || std::all_of(rows.begin(), rows.end(), [&](const RectifiedRow& r) {
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
  // binarisation. Where nothing was read surely and whole, look again at twice the size (where
  // that stays within max_enlarged_width); images that read well at once (most) pay nothing.
  const bool confident = read_surely(plates, settings_.enlarge_below_confidence);
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

  result.plates = select_plates(std::move(plates));
  // Capped last, so that nothing dropped above took a plate's place.
  const auto max_plates = static_cast<std::size_t>(std::max(0, settings_.max_plates));
  if (result.plates.size() > max_plates) result.plates.resize(max_plates);
  return result;
}

}  // namespace anpr::edge
