#include "anpr/edge/plate_reader.hpp"

#include <algorithm>
#include <chrono>

#include <opencv2/imgproc.hpp>

namespace anpr::edge {
namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double overlap_ratio(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  return inter / std::max(1, std::min(a.area(), b.area()));
}

}  // namespace

PlateReader::PlateReader(ReaderSettings settings, std::unique_ptr<OcrEngine> ocr)
    : settings_(std::move(settings)),
      ocr_(std::move(ocr)),
      detector_(settings_.detector),
      rectifier_(settings_.rectifier),
      syntax_(settings_.syntax) {}

ReadResult PlateReader::read(const cv::Mat& image) {
  ReadResult result;
  if (image.empty()) return result;
  CV_Assert(image.depth() == CV_8U && (image.channels() == 1 || image.channels() == 3));

  auto t = Clock::now();
  cv::Mat gray;
  if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  else gray = image;
  double scale = 1.0;
  if (gray.cols > settings_.max_working_width) {
    scale = static_cast<double>(settings_.max_working_width) / gray.cols;
    cv::resize(gray, gray, cv::Size(), scale, scale, cv::INTER_AREA);
  }
  const auto candidates = detector_.detect(gray);
  result.timings.detect_ms = ms_since(t);

  std::vector<PlateResult> plates;
  for (const PlateCandidate& candidate : candidates) {
    t = Clock::now();
    const auto rows = rectifier_.rectify(gray, candidate);
    result.timings.rectify_ms += ms_since(t);

    t = Clock::now();
    std::vector<RowReading> readings;
    for (const auto& row : rows) readings.push_back(ocr_->read_row(row.binary));
    result.timings.ocr_ms += ms_since(t);

    t = Clock::now();
    PlateText text = syntax_.rank(readings);
    result.timings.syntax_ms += ms_since(t);
    if (text.text.size() < 2 || text.confidence < settings_.min_confidence) continue;

    PlateResult plate;
    plate.text = std::move(text);
    plate.candidate = candidate;
    plate.working_scale = scale;
    const cv::Rect& b = candidate.box;
    plate.box = cv::Rect(cvRound(b.x / scale), cvRound(b.y / scale), cvRound(b.width / scale),
                         cvRound(b.height / scale));
    plates.push_back(std::move(plate));
  }

  // One result per physical plate: overlapping candidates keep the most confident reading.
  std::sort(plates.begin(), plates.end(), [](const PlateResult& a, const PlateResult& b) {
    return a.text.confidence > b.text.confidence;
  });
  for (auto& p : plates) {
    const bool overlaps = std::any_of(result.plates.begin(), result.plates.end(), [&](const PlateResult& kept) {
      return overlap_ratio(kept.box, p.box) > 0.4;
    });
    if (!overlaps && result.plates.size() < static_cast<std::size_t>(settings_.max_plates)) {
      result.plates.push_back(std::move(p));
    }
  }
  return result;
}

}  // namespace anpr::edge
