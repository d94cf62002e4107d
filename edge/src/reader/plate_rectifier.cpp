#include "anpr/edge/reader/plate_rectifier.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace anpr::edge {
namespace {

// The detected characters (frame pixels) in the pixels of the upright row.
std::vector<cv::Rect> boxes_in_row(const std::vector<cv::Rect>& chars, const cv::Mat& to_row) {
  std::vector<cv::Rect> boxes;
  for (const cv::Rect& c : chars) {
    std::vector<cv::Point2f> corners = {{static_cast<float>(c.x), static_cast<float>(c.y)},
                                        {static_cast<float>(c.br().x), static_cast<float>(c.y)},
                                        {static_cast<float>(c.br().x), static_cast<float>(c.br().y)},
                                        {static_cast<float>(c.x), static_cast<float>(c.br().y)}};
    cv::transform(corners, corners, to_row);
    boxes.push_back(cv::boundingRect(corners));
  }
  return boxes;
}

// Whitens everything outside the detected characters (expanded a little): frames, bands,
// bolts and separators are gone while the characters stay whole, even where they touch a frame.
cv::Mat keep_character_boxes(const cv::Mat& binary, const std::vector<cv::Rect>& boxes, double pad) {
  cv::Mat out(binary.size(), CV_8UC1, cv::Scalar(255));
  const cv::Rect all(0, 0, binary.cols, binary.rows);
  const int p = static_cast<int>(std::lround(pad));
  for (const cv::Rect& b : boxes) {
    const cv::Rect r = cv::Rect(b.x - p, b.y - p, b.width + 2 * p, b.height + 2 * p) & all;
    if (!r.empty()) binary(r).copyTo(out(r));
  }
  return out;
}

}  // namespace

PlateRectifier::PlateRectifier(RectifierSettings settings) : settings_(settings) {}

RectifiedRow PlateRectifier::rectify_row(const cv::Mat& gray, const CharRow& row, bool dark_on_light) const {
  const double h = row.char_height;
  const cv::Point2d u = row.right_mid - row.left_mid;
  const double length = std::hypot(u.x, u.y);
  const cv::Point2d ux = length > 0 ? u / length : cv::Point2d(1, 0);
  const cv::Point2d uy(-ux.y, ux.x);
  const double mx = settings_.margin_x * h, my = (0.5 + settings_.margin_y) * h;
  const cv::Point2d tl = row.left_mid - ux * mx - uy * my;
  const cv::Point2d tr = row.right_mid + ux * mx - uy * my;
  const cv::Point2d bl = row.left_mid - ux * mx + uy * my;

  const double scale = settings_.char_height / h;
  const int out_w = std::max(8, cvRound((length + 2 * mx) * scale));
  const int out_h = std::max(8, cvRound(2 * my * scale));
  const cv::Point2f src[3] = {cv::Point2f(tl), cv::Point2f(tr), cv::Point2f(bl)};
  const cv::Point2f dst[3] = {{0, 0}, {static_cast<float>(out_w), 0}, {0, static_cast<float>(out_h)}};
  const cv::Mat to_row = cv::getAffineTransform(src, dst);

  RectifiedRow out;
  cv::invertAffineTransform(to_row, out.to_frame);
  cv::Mat upright;
  cv::warpAffine(gray, upright, to_row, cv::Size(out_w, out_h), cv::INTER_CUBIC, cv::BORDER_REPLICATE);
  if (!dark_on_light) upright = 255 - upright;
  cv::normalize(upright, upright, 0, 255, cv::NORM_MINMAX);

  cv::Mat binary;
  cv::threshold(upright, binary, 0, 255, cv::THRESH_BINARY | cv::THRESH_OTSU);
  cv::Scalar ink_mean, ink_std, bg_mean, bg_std;
  cv::meanStdDev(upright, ink_mean, ink_std, binary == 0);
  cv::meanStdDev(upright, bg_mean, bg_std, binary != 0);
  out.contrast = (bg_mean[0] - ink_mean[0]) / (ink_std[0] + bg_std[0] + 1.0);
  const auto boxes = boxes_in_row(row.chars, to_row);
  binary = keep_character_boxes(binary, boxes, 0.08 * settings_.char_height);

  const int p = settings_.padding;
  for (const cv::Rect& b : boxes) out.char_boxes.push_back(b + cv::Point(p, p));
  cv::copyMakeBorder(upright, out.gray, p, p, p, p, cv::BORDER_REPLICATE);
  cv::copyMakeBorder(binary, out.binary, p, p, p, p, cv::BORDER_CONSTANT, cv::Scalar(255));
  return out;
}

std::vector<RectifiedRow> PlateRectifier::rectify(const cv::Mat& gray, const PlateCandidate& plate) const {
  std::vector<RectifiedRow> rows;
  for (const CharRow& row : plate.rows) rows.push_back(rectify_row(gray, row, plate.dark_on_light));
  return rows;
}

cv::Mat PlateRectifier::crop_plate(const cv::Mat& frame, const PlateCandidate& plate) const {
  const cv::Rect box = plate.box & cv::Rect(0, 0, frame.cols, frame.rows);
  if (box.empty()) return {};
  const CharRow& row = plate.rows.front();
  const cv::Point2f centre(static_cast<float>(box.width / 2.0), static_cast<float>(box.height / 2.0));
  const cv::Mat rotation = cv::getRotationMatrix2D(centre, row.angle_degrees, 1.0);
  cv::Mat upright;
  cv::warpAffine(frame(box), upright, rotation, box.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  return upright;
}

}  // namespace anpr::edge
