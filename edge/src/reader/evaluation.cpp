#include "anpr/edge/reader/evaluation.hpp"

#include "anpr/common/statistics.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "anpr/common/error.hpp"
#include "anpr/common/plate_text.hpp"

namespace anpr::edge {
namespace {

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

std::optional<int> parse_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    const int v = std::stoi(s, &used);
    if (used != s.size()) return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<LabelledPlate> load_manifest(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorCode::kInput, "cannot open manifest " + path);
  std::vector<LabelledPlate> plates;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (number == 1 && line.rfind("image,", 0) == 0) continue;  // header
    const auto f = split_csv_line(line);
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (f.size() < 2 || f.size() > 7) {
      throw Error(ErrorCode::kInput, where + "expected image,plate,x,y,w,h,country; found " +
                                         std::to_string(f.size()) + " fields");
    }
    LabelledPlate p;
    p.line = number;
    p.image = f[0];
    p.plate = normalise_plate(f[1]);
    if (p.image.empty()) throw Error(ErrorCode::kInput, where + "the image name is empty");
    if (!is_normalised_plate(p.plate)) {
      throw Error(ErrorCode::kInput, where + "plate '" + f[1] + "' is not 1-12 letters and digits");
    }
    if (f.size() >= 6 && !f[2].empty()) {
      const auto x = parse_int(f[2]), y = parse_int(f[3]), w = parse_int(f[4]), h = parse_int(f[5]);
      if (!x || !y || !w || !h || *w <= 0 || *h <= 0) {
        throw Error(ErrorCode::kInput, where + "the box x,y,w,h must be integers with w and h above 0");
      }
      p.box = cv::Rect(*x, *y, *w, *h);
    }
    if (f.size() == 7) p.country = f[6];
    plates.push_back(std::move(p));
  }
  if (plates.empty()) throw Error(ErrorCode::kInput, "manifest " + path + " lists no plates");
  return plates;
}

double box_iou(const cv::Rect& a, const cv::Rect& b) {
  const double inter = (a & b).area();
  const double uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

PlateOutcome score_plate(const LabelledPlate& truth, const ReadResult& result, int top_n) {
  PlateOutcome o;
  o.truth = &truth;
  const PlateResult* associated = result.plates.empty() ? nullptr : &result.plates.front();
  if (truth.box) {
    double best = 0.0;
    for (const auto& p : result.plates) {
      const double iou = box_iou(*truth.box, p.box);
      if (iou > best) {
        best = iou;
        associated = &p;
      }
    }
    o.detected = best >= 0.5;
    o.best_iou = best;
  }
  if (associated != nullptr) {
    o.plate = associated;
    o.read = associated->text.text;
    o.confidence = associated->text.confidence;
    o.exact = o.read == truth.plate;
    o.in_top_n = o.exact;
    for (int i = 0; i < top_n - 1 && i < static_cast<int>(associated->text.candidates.size()); ++i) {
      if (associated->text.candidates[static_cast<std::size_t>(i)].text == truth.plate) o.in_top_n = true;
    }
  }
  const double d = static_cast<double>(edit_distance(o.read, truth.plate));
  o.char_accuracy = std::max(0.0, 1.0 - d / static_cast<double>(truth.plate.size()));
  return o;
}

std::vector<std::string> training_row_labels(const PlateOutcome& outcome, std::size_t max_edits) {
  if (outcome.plate == nullptr || outcome.truth == nullptr) return {};
  const auto& reads = outcome.plate->row_reads;
  const std::string& truth = outcome.truth->plate;
  if (reads.empty() || reads.size() > 2 || reads.size() != outcome.plate->rows.size()) return {};
  std::vector<std::string> best;
  std::size_t best_edits = max_edits + 1;
  // Every way to cut the truth into as many non-empty pieces as there are rows (one or two).
  const std::size_t first = reads.size() == 1 ? truth.size() : 1;
  const std::size_t last = reads.size() == 1 ? truth.size() : truth.size() - 1;
  for (std::size_t cut = first; cut <= last; ++cut) {
    std::vector<std::string> labels{truth.substr(0, cut)};
    if (reads.size() == 2) labels.push_back(truth.substr(cut));
    std::size_t edits = 0;
    bool short_row = false;
    for (std::size_t r = 0; r < reads.size(); ++r) {
      edits += edit_distance(reads[r], labels[r]);
      short_row = short_row || reads[r].size() < labels[r].size();
    }
    if (!short_row && edits < best_edits) {
      best_edits = edits;
      best = std::move(labels);
    }
  }
  return best;
}

FalseReads count_false_reads(const std::vector<const LabelledPlate*>& truths, const ReadResult& result,
                             double min_confidence) {
  constexpr double kSamePlace = 0.3;  // a misread labelled plate is a misread, not a false read
  FalseReads count;
  for (const PlateResult& p : result.plates) {
    if (p.text.confidence < min_confidence) continue;
    const bool labelled = std::any_of(truths.begin(), truths.end(), [&](const LabelledPlate* t) {
      return p.text.text == t->plate || (t->box && box_iou(*t->box, p.box) >= kSamePlace);
    });
    if (labelled) continue;
    ++count.total;
    const bool on_a_plate = std::any_of(truths.begin(), truths.end(), [&](const LabelledPlate* t) {
      return t->box && 2 * (*t->box & p.box).area() >= p.box.area();
    });
    count.on_labelled_plates += on_a_plate ? 1 : 0;
  }
  return count;
}

EvalSummary summarise(const std::vector<PlateOutcome>& outcomes, const std::vector<double>& image_ms,
                      const std::vector<StageTimings>& stages, const std::vector<FalseReads>& false_reads) {
  EvalSummary s;
  s.plates = outcomes.size();
  s.images = image_ms.size();
  for (const FalseReads& n : false_reads) {
    s.false_reads += n.total;
    s.false_reads_on_labelled_plates += n.on_labelled_plates;
  }
  if (!false_reads.empty()) {
    s.false_reads_per_image = static_cast<double>(s.false_reads) / static_cast<double>(false_reads.size());
  }
  std::size_t boxes = 0, detected = 0, confident_right = 0;
  for (const auto& o : outcomes) {
    if (!o.error.empty()) ++s.errors;
    s.exact += o.exact ? 1 : 0;
    s.top_n += o.in_top_n ? 1 : 0;
    s.char_accuracy += o.char_accuracy;
    if (o.detected) {
      ++boxes;
      detected += *o.detected ? 1 : 0;
      if (!*o.detected) ++(o.best_iou > 0.0 ? s.missed_partly : s.missed_wholly);
    }
    if (!o.read.empty() && o.confidence >= 0.9) {
      ++s.confident_reads;
      confident_right += o.exact ? 1 : 0;
    }
  }
  if (s.plates > 0) {
    const auto n = static_cast<double>(s.plates);
    s.exact /= n;
    s.top_n /= n;
    s.char_accuracy /= n;
  }
  for (const auto& [from, to] : std::vector<std::pair<double, double>>{
           {0.0, 0.5}, {0.5, 0.7}, {0.7, 0.8}, {0.8, 0.9}, {0.9, 0.95}, {0.95, 1.01}}) {
    EvalSummary::Band band{from, std::min(to, 1.0), 0, 0};
    for (const auto& o : outcomes) {
      if (o.read.empty() || o.confidence < from || o.confidence >= to) continue;
      ++band.reads;
      band.right += o.exact ? 1 : 0;
    }
    s.calibration.push_back(band);
  }
  if (boxes > 0) s.detection_recall = static_cast<double>(detected) / static_cast<double>(boxes);
  if (s.confident_reads > 0) {
    s.confident_precision = static_cast<double>(confident_right) / static_cast<double>(s.confident_reads);
  }
  s.median_ms = percentile(image_ms, 0.5);
  s.p95_ms = percentile(image_ms, 0.95);
  for (const auto& t : stages) {
    s.mean_stage_ms.detect_ms += t.detect_ms;
    s.mean_stage_ms.rectify_ms += t.rectify_ms;
    s.mean_stage_ms.ocr_ms += t.ocr_ms;
    s.mean_stage_ms.syntax_ms += t.syntax_ms;
  }
  if (!stages.empty()) {
    const auto n = static_cast<double>(stages.size());
    s.mean_stage_ms.detect_ms /= n;
    s.mean_stage_ms.rectify_ms /= n;
    s.mean_stage_ms.ocr_ms /= n;
    s.mean_stage_ms.syntax_ms /= n;
  }
  return s;
}

}  // namespace anpr::edge
