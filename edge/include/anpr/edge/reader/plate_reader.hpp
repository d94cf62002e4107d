#pragma once
/// @file
/// The plate reader: detect -> rectify -> OCR -> syntax, on one image or video frame. The same
/// code path serves `anpr-edge recognize`, `anpr-edge eval` and the video pipeline.

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "anpr/edge/reader/char_classifier.hpp"
#include "anpr/edge/reader/expected_plate.hpp"
#include "anpr/edge/reader/ocr_engine.hpp"
#include "anpr/edge/reader/plate_detector.hpp"
#include "anpr/edge/reader/plate_rectifier.hpp"
#include "anpr/edge/reader/plate_syntax.hpp"
#include "anpr/edge/reader/plate_verifier.hpp"

namespace anpr::edge {

struct ReaderSettings {
  DetectorSettings detector;
  RectifierSettings rectifier;
  SyntaxSettings syntax;
  /// Plates read below this ranking score are dropped as not-a-plate. Consumers filter on the
  /// reported confidence (the edge's tracker publishes voted reads from 0.5). At 0.3 rather than
  /// 0.4 a plate of letters only, which fits no layout (0.42 of its characters' mean), is kept
  /// when read fairly surely; plates-eu 93.5% -> 94.4%, no synthetic read changed.
  double min_confidence = 0.3;
  /// Cheap verifier before OCR: rows whose ink/background separation (RectifiedRow::contrast)
  /// is below this are texture or noise, not printed characters. Real plates measured 1.66 at
  /// the 5th percentile on the real photo set, synthetic ones 2.0, small blurred plates down to
  /// 1.48; random noise about 1.5, which the classifier's verifier (below) rejects. Applied only
  /// where no learned plate check is loaded: with one, the gate mostly turned plates away (check
  /// set detection 91.1% without it, 90.8% with) and kept out one false read in every set's images
  /// together (docs/accuracy.md, session 35).
  double min_row_contrast = 1.3;
  /// Without a plate check loaded, candidates whose characters the classifier alone reads at a
  /// lower plate score are not given to Tesseract (0.3 lost no plate on either measurement set
  /// and cut OCR time by 40%). With the learned check this gate only turned plates away: plates
  /// of layouts the syntax does not know score low here (docs/accuracy.md, session 20).
  double min_classifier_confidence = 0.3;
  /// Binary-row readings less confident than this may be replaced by the grey rows' reading.
  double second_look_below = 0.9;
  /// Weight of the character classifier's opinion against Tesseract's in each character.
  /// 0.5, 0.7 and 0.85 measured 74%, 79% and 78% exact on the real photos (docs/accuracy.md).
  double classifier_weight = 0.7;
  /// When no plate read at this reported confidence or more, the image is read again at twice
  /// its working size (if that stays within max_enlarged_width): small plates come out whole.
  double enlarge_below_confidence = 0.9;
  /// Readings the plate verifier (when one is loaded) judges less likely than this to be a
  /// number plate are not reported: signs, legends, stickers, grilles.
  double min_plate_probability = 0.5;
  int max_plates = 8;
  /// Candidates read (rectified and OCRed) per pass, most plate-like first by the plate verifier
  /// (best detector score first without one): bounds the OCR work per frame.
  int max_candidates_read = 5;
  int max_working_width = 1920;  ///< larger frames are scaled down before detection
  /// The second look at twice the size (enlarge_below_confidence) is taken only where the
  /// enlarged image is at most this wide. Video keeps it at the working width (the frame budget:
  /// its motion regions are small and a whole 1080p frame is not enlarged); the stills commands
  /// raise it to twice the working width, so that a small plate in a photo over 960 px wide gets
  /// the second look too (a photo wider than the working width: at twice the working width, from
  /// its own pixels). Bounded by width only: a tall portrait photo is enlarged as a wide one.
  int max_enlarged_width = 1920;
  /// Keep each plate's rectified rows and their raw binary-look readings in PlateResult (for
  /// `eval --dump-rows`, which writes OCR training lines); off in the firmware.
  bool keep_rows = false;
  /// Keep every detector candidate with its verifier patch in ReadResult::pool (for `eval
  /// --dump-patches`, which writes the verifier's training examples, and `eval --pool`); off in
  /// the firmware.
  bool keep_patches = false;
};

/// One plate found in an image.
struct PlateResult {
  PlateText text;
  cv::Rect box;                ///< in the pixels of the image given to read()
  PlateCandidate candidate;    ///< detector output, in working-image pixels
  double working_scale = 1.0;  ///< working-image pixels per input pixel
  /// Two looks read the same text: two of Tesseract's binary and grey looks and the classifier
  /// alone, or the classifier alone and the expected plate of a settled pass (PlateReader::read).
  bool looks_agree = false;
  double plate_probability = -1;       ///< the verifier's judgement; below 0 when none is loaded
  std::vector<RectifiedRow> rows;      ///< only with ReaderSettings::keep_rows, top row first
  std::vector<std::string> row_reads;  ///< raw OCR text of each binary row, same condition
};

/// Time spent in each stage of one read(), milliseconds.
struct StageTimings {
  double detect_ms = 0, rectify_ms = 0, ocr_ms = 0, syntax_ms = 0;
  [[nodiscard]] double total_ms() const { return detect_ms + rectify_ms + ocr_ms + syntax_ms; }
};

/// One detector candidate as the plate check saw it, read or not (for `eval --dump-patches` and
/// `eval --pool`, which measure and train the check on everything it ranks).
struct PoolCandidate {
  cv::Rect box;                   ///< in the pixels of the image given to read()
  double plate_probability = -1;  ///< the verifier's judgement; below 0 when none is loaded
  cv::Mat patch;                  ///< the verifier's input
  /// How far it went: not read (beyond ReaderSettings::max_candidates_read or rejected by the
  /// plate check), read but its rows too faint, read but too short or unsure, or a plate reading.
  enum class Fate { kNotRead, kFaint, kUnsure, kPlate } fate = Fate::kNotRead;
};

struct ReadResult {
  std::vector<PlateResult> plates;  ///< best first
  /// Every detector candidate of every pass, in the detector's order; only with keep_patches.
  std::vector<PoolCandidate> pool;
  StageTimings timings;
};

/// Not thread-safe (it owns an OCR engine): one reader per worker thread.
class PlateReader {
 public:
  /// `classifier` may be null: the row readings are then Tesseract's alone. `verifier` may be
  /// null: every reading is then reported.
  PlateReader(ReaderSettings settings, std::unique_ptr<OcrEngine> ocr,
              std::unique_ptr<CharClassifier> classifier = nullptr,
              std::unique_ptr<PlateVerifier> verifier = nullptr);
  /// Reads every plate in a BGR or grey 8-bit image; an empty image gives no plates.
  /// `expected`: the plates of passes already settled in a video (the tracker's votes, where it
  /// predicts them, in `image`'s pixels). A candidate on an expected plate's box that the
  /// character classifier alone reads as its text, surely (`second_look_below`), is taken as read
  /// without Tesseract: the classifier and the pass's earlier frames are two looks that agree, and
  /// on video most plates read are those of passes already settled. Any other candidate gets
  /// every look, so an expected text is never forced on a plate that reads differently, nor on
  /// another vehicle's.
  [[nodiscard]] ReadResult read(const cv::Mat& image, std::span<const ExpectedPlate> expected = {});
  [[nodiscard]] const ReaderSettings& settings() const { return settings_; }

 private:
  struct PlateReading {
    PlateText text;
    bool looks_agree = false;
  };
  /// A candidate the reader may read, with the plate check's judgement of it.
  struct PoolEntry {
    const PlateCandidate* candidate = nullptr;
    double plate_probability = -1;  ///< below 0 when no verifier is loaded
    std::size_t pool_index = 0;     ///< its place in ReadResult::pool, only with keep_patches
  };
  /// The candidates in the order they are read: with a verifier, those it accepts, most
  /// plate-like first; without one, the detector's order.
  std::vector<PoolEntry> reading_order(const cv::Mat& gray, const std::vector<PlateCandidate>& candidates,
                                       double scale, ReadResult& result);
  void read_pass(const PlateDetector& detector, const cv::Mat& gray, double scale,
                 std::span<const ExpectedPlate> expected, ReadResult& result,
                 std::vector<PlateResult>& plates);
  /// `expected_here`: the texts of the expected plates on the candidate's box.
  PlateReading read_plate(const std::vector<RectifiedRow>& rows,
                          const std::vector<std::string>& expected_here, StageTimings& timings,
                          std::vector<std::string>* raw);
  std::vector<std::vector<CharChoice>> classify_rows(const std::vector<RectifiedRow>& rows,
                                                     StageTimings& timings);
  PlateText read_rows(const std::vector<RectifiedRow>& rows, cv::Mat RectifiedRow::*variant,
                      const std::vector<std::vector<CharChoice>>& classified, StageTimings& timings,
                      std::vector<std::string>* raw = nullptr);
  ReaderSettings settings_;
  std::unique_ptr<OcrEngine> ocr_;
  std::unique_ptr<CharClassifier> classifier_;
  std::unique_ptr<PlateVerifier> verifier_;
  PlateDetector detector_;
  PlateDetector enlarged_detector_;  ///< detector_'s bounds, for the image at twice the size
  PlateRectifier rectifier_;
  PlateSyntax syntax_;
};

}  // namespace anpr::edge
