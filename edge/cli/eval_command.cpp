// anpr-edge eval MANIFEST.csv [--root DIR] [--misses] [--json]
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"

#include "anpr/common/progress_bar.hpp"
#include "anpr/edge/reader/char_classifier.hpp"
#include "anpr/edge/reader/evaluation.hpp"
#include "anpr/edge/reader/image_codec.hpp"
#include "anpr/edge/reader/image_loader.hpp"
#include "cli.hpp"
#include "reader_options.hpp"

namespace anpr::edge::cli {
namespace {

namespace fs = std::filesystem;

struct EvalOptions {
  ReaderOptions reader;
  std::string manifest;
  std::string root;
  int top_n = 10;
  bool misses = false;
  bool json = false;
  bool by_country = false;
  std::string dump_rows;     ///< folder for OCR training lines, empty = none
  std::string dump_chars;    ///< folder for character classifier training patches, empty = none
  std::string dump_patches;  ///< folder for plate verifier training patches, empty = none
  bool pool = false;         ///< also report where in the candidate pool each plate is lost
};

/// Where the labelled plates stand in the reader's candidate pool: how many some detector
/// candidate covers (IoU >= 0.5, the detection-recall bar), and how many of those the plate check
/// accepts. Separates what the detector never proposes from what the check turns away.
struct PoolTally {
  std::size_t boxed = 0, covered = 0, accepted = 0, read = 0, printed = 0, plate = 0;
  /// Plates covered but turned away by the check, by the best probability it gave them: under
  /// 0.1, under 0.3, under its floor. Says whether the check is sure or only just wrong.
  std::array<std::size_t, 3> rejected_at{};
};

void tally_pool(const std::vector<const LabelledPlate*>& truths, const ReadResult& result,
                double min_probability, PoolTally& tally) {
  for (const LabelledPlate* t : truths) {
    if (!t->box) continue;
    ++tally.boxed;
    bool covered = false, accepted = false;
    double best_probability = 0.0;
    auto furthest = PoolCandidate::Fate::kNotRead;
    for (const PoolCandidate& c : result.pool) {
      if (box_iou(*t->box, c.box) < 0.5) continue;
      covered = true;
      accepted = accepted || c.plate_probability < 0 || c.plate_probability >= min_probability;
      best_probability = std::max(best_probability, c.plate_probability);
      furthest = std::max(furthest, c.fate);
    }
    tally.covered += covered ? 1 : 0;
    tally.accepted += accepted ? 1 : 0;
    if (covered && !accepted)
      ++tally.rejected_at[best_probability < 0.1 ? 0 : best_probability < 0.3 ? 1 : 2];
    tally.read += furthest != PoolCandidate::Fate::kNotRead ? 1 : 0;
    tally.printed += furthest >= PoolCandidate::Fate::kUnsure ? 1 : 0;
    tally.plate += furthest == PoolCandidate::Fate::kPlate ? 1 : 0;
  }
}

void print_pool(const std::string& name, const PoolTally& t) {
  const auto share = [](std::size_t a, std::size_t b) { return b == 0 ? 0.0 : 100.0 * a / b; };
  std::printf(
      "pool %-8s %zu boxed plates: a candidate covers %.1f%%, the plate check accepts one of them %.1f%%, "
      "one is read %.1f%%, has print %.1f%%, reads as a plate %.1f%%\n",
      name.c_str(), t.boxed, share(t.covered, t.boxed), share(t.accepted, t.boxed), share(t.read, t.boxed),
      share(t.printed, t.boxed), share(t.plate, t.boxed));
  if (t.covered > t.accepted) {
    std::printf(
        "pool %-8s the check turned away %zu covered plates: %zu below 0.1, %zu at 0.1-0.3, %zu at 0.3 or "
        "more\n",
        name.c_str(), t.covered - t.accepted, t.rejected_at[0], t.rejected_at[1], t.rejected_at[2]);
  }
}

/// Writes the binary and grey OCR rows of a plate read nearly right, each with its truth in a
/// Tesseract ground-truth file (<name>.gt.txt), for training the plate OCR model.
std::size_t dump_training_rows(const fs::path& dir, const PlateOutcome& outcome, std::size_t plate_index) {
  const auto labels = training_row_labels(outcome);
  std::size_t written = 0;
  for (std::size_t r = 0; r < labels.size(); ++r) {
    const RectifiedRow& row = outcome.plate->rows[r];
    for (const auto& [look, image] : {std::pair{"bin", &row.binary}, std::pair{"gray", &row.gray}}) {
      const std::string stem = "p" + std::to_string(plate_index) + "-r" + std::to_string(r) + "-" + look;
      write_image((dir / (stem + ".png")).string(), *image);
      std::ofstream gt(dir / (stem + ".gt.txt"));
      gt << labels[r] << "\n";
      if (!gt) throw Error(ErrorCode::kIo, "cannot write " + (dir / (stem + ".gt.txt")).string());
      ++written;
    }
  }
  return written;
}

/// Writes the classifier patch of every character of a plate read nearly right, labelled with
/// its truth (a line `file,label` in labels.csv), where the row holds exactly as many detected
/// characters as its truth has: then the i-th box is the i-th character.
std::size_t dump_training_chars(const fs::path& dir, std::ofstream& labels, const std::string& prefix,
                                const PlateOutcome& outcome, std::size_t plate_index, double char_height) {
  const auto truth_rows = training_row_labels(outcome);
  std::size_t written = 0;
  for (std::size_t r = 0; r < truth_rows.size(); ++r) {
    const RectifiedRow& row = outcome.plate->rows[r];
    if (row.char_boxes.size() != truth_rows[r].size()) continue;
    for (std::size_t i = 0; i < row.char_boxes.size(); ++i) {
      const std::string name = prefix + "p" + std::to_string(plate_index) + "-r" + std::to_string(r) + "-c" +
                               std::to_string(i) + ".png";
      write_image((dir / name).string(), character_patch(row.gray, row.char_boxes[i], char_height));
      labels << name << ',' << truth_rows[r][i] << '\n';
      ++written;
    }
  }
  if (!labels) throw Error(ErrorCode::kIo, "cannot write " + (dir / "labels.csv").string());
  return written;
}

/// Writes the verifier patch of every candidate in the reader's pool (every pass, read or not:
/// the check ranks them all), labelled 1 when it lies on a labelled plate (IoU >= 0.3, as the
/// false-read count judges), 0 when it touches none; a candidate that covers only a little of a
/// plate is neither and is left out. An image gives up to kMaxNegatives not-plates, spread evenly
/// over the pool's order, so that the scenes with most clutter do not fill the set. A line
/// `file,label,iou` in labels.csv.
std::size_t dump_verifier_patches(const fs::path& dir, std::ofstream& labels, const std::string& prefix,
                                  const std::vector<const LabelledPlate*>& truths, const ReadResult& result,
                                  std::size_t image_index) {
  constexpr std::size_t kMaxNegatives = 16;
  std::vector<std::pair<const PoolCandidate*, double>> plates, others;
  for (const PoolCandidate& c : result.pool) {
    double best_iou = 0;
    bool touches = false;
    for (const LabelledPlate* t : truths) {
      if (!t->box) return 0;  // an image without boxes cannot say what is not a plate
      best_iou = std::max(best_iou, box_iou(*t->box, c.box));
      touches = touches || (*t->box & c.box).area() > 0;
    }
    if (best_iou >= 0.3)
      plates.emplace_back(&c, best_iou);
    else if (!touches)
      others.emplace_back(&c, 0.0);
  }
  if (others.size() > kMaxNegatives) {
    std::vector<std::pair<const PoolCandidate*, double>> spread;
    for (std::size_t i = 0; i < kMaxNegatives; ++i)
      spread.push_back(others[i * others.size() / kMaxNegatives]);
    others = std::move(spread);
  }
  std::size_t written = 0;
  for (const auto& [set, label] : {std::pair{&plates, 1}, std::pair{&others, 0}}) {
    for (const auto& [candidate, iou] : *set) {
      const std::string name =
          prefix + "i" + std::to_string(image_index) + "-" + std::to_string(written) + ".png";
      write_image((dir / name).string(), candidate->patch);
      labels << name << ',' << label << ',' << iou << '\n';
      ++written;
    }
  }
  if (!labels) throw Error(ErrorCode::kIo, "cannot write " + (dir / "labels.csv").string());
  return written;
}

void print_summary(const EvalSummary& s, int top_n) {
  std::printf("plates:                 %zu in %zu images (%zu unreadable)\n", s.plates, s.images, s.errors);
  std::printf("first-choice exact:     %.1f%%\n", 100.0 * s.exact);
  std::printf("top-%d:                 %s%.1f%%\n", top_n, top_n < 10 ? " " : "", 100.0 * s.top_n);
  std::printf("character accuracy:     %.1f%%\n", 100.0 * s.char_accuracy);
  if (s.detection_recall) {
    std::printf(
        "detection recall:       %.1f%% (IoU >= 0.5; missed: %zu partly overlapped, %zu not touched)\n",
        100.0 * *s.detection_recall, s.missed_partly, s.missed_wholly);
  }
  std::printf(
      "false reads:            %.3f per image (%zu at confidence >= 0.5 matching no labelled plate; "
      "%zu of them mostly on a labelled plate's box)\n",
      s.false_reads_per_image, s.false_reads, s.false_reads_on_labelled_plates);
  std::printf("confidence >= 0.9:      %zu reads, %.1f%% right\n", s.confident_reads,
              100.0 * s.confident_precision);
  std::printf("calibration:           ");
  for (const auto& b : s.calibration) {
    if (b.reads == 0) continue;
    std::printf(" [%.2f-%.2f) %zu reads %.0f%% right;", b.from, b.to, b.reads,
                100.0 * static_cast<double>(b.right) / static_cast<double>(b.reads));
  }
  std::printf("\n");
  std::printf("ms per image:           median %.1f, p95 %.1f\n", s.median_ms, s.p95_ms);
  std::printf("mean stage ms:          detect %.1f, rectify %.1f, ocr %.1f, syntax %.2f\n",
              s.mean_stage_ms.detect_ms, s.mean_stage_ms.rectify_ms, s.mean_stage_ms.ocr_ms,
              s.mean_stage_ms.syntax_ms);
}

nlohmann::json summary_json(const EvalSummary& s, int top_n) {
  nlohmann::json j{{"plates", s.plates},
                   {"images", s.images},
                   {"errors", s.errors},
                   {"exact", s.exact},
                   {"top_n", top_n},
                   {"top_n_accuracy", s.top_n},
                   {"char_accuracy", s.char_accuracy},
                   {"median_ms", s.median_ms},
                   {"p95_ms", s.p95_ms},
                   {"confident_reads", s.confident_reads},
                   {"confident_precision", s.confident_precision},
                   {"false_reads", s.false_reads},
                   {"false_reads_per_image", s.false_reads_per_image},
                   {"false_reads_on_labelled_plates", s.false_reads_on_labelled_plates}};
  j["calibration"] = nlohmann::json::array();
  for (const auto& b : s.calibration) {
    j["calibration"].push_back({{"from", b.from}, {"to", b.to}, {"reads", b.reads}, {"right", b.right}});
  }
  j["detection_recall"] = s.detection_recall ? nlohmann::json(*s.detection_recall) : nlohmann::json();
  j["missed_partly"] = s.missed_partly;
  j["missed_wholly"] = s.missed_wholly;
  j["stage_ms"] = {{"detect", s.mean_stage_ms.detect_ms},
                   {"rectify", s.mean_stage_ms.rectify_ms},
                   {"ocr", s.mean_stage_ms.ocr_ms},
                   {"syntax", s.mean_stage_ms.syntax_ms}};
  return j;
}

/// The training data `eval` can write while it measures (--dump-rows, --dump-chars,
/// --dump-patches), and what the reader must keep for it.
class TrainingDumps {
 public:
  TrainingDumps(const EvalOptions& o, ReaderOptions& reader_options)
      : o_(o),
        // Patches of several sets can share one folder: names start with the manifest's folder name.
        prefix_(fs::path(o.manifest).parent_path().filename().string() + "-") {
    if (!o.dump_rows.empty()) fs::create_directories(o.dump_rows);
    if (!o.dump_chars.empty()) {
      fs::create_directories(o.dump_chars);
      char_labels_.open(fs::path(o.dump_chars) / "labels.csv", std::ios::app);
    }
    reader_options.keep_rows = !o.dump_rows.empty() || !o.dump_chars.empty();
    if (!o.dump_patches.empty()) {
      fs::create_directories(o.dump_patches);
      patch_labels_.open(fs::path(o.dump_patches) / "labels.csv", std::ios::app);
      reader_options.keep_patches = true;
      // The dump is the verifier's training data: every candidate, including those it would reject.
      reader_options.verifier_model = "none";
    }
  }
  void image(const std::vector<const LabelledPlate*>& labelled, const ReadResult& result, std::size_t index) {
    if (!o_.dump_patches.empty())
      patches_ += dump_verifier_patches(o_.dump_patches, patch_labels_, prefix_, labelled, result, index);
  }
  void plate(const PlateOutcome& outcome, std::size_t index, double char_height) {
    if (!o_.dump_rows.empty()) rows_ += dump_training_rows(o_.dump_rows, outcome, index);
    if (!o_.dump_chars.empty())
      chars_ += dump_training_chars(o_.dump_chars, char_labels_, prefix_, outcome, index, char_height);
  }
  void report() const {
    if (!o_.dump_rows.empty())
      std::fprintf(stderr, "wrote %zu training lines to %s\n", rows_, o_.dump_rows.c_str());
    if (!o_.dump_chars.empty())
      std::fprintf(stderr, "wrote %zu character patches to %s\n", chars_, o_.dump_chars.c_str());
    if (!o_.dump_patches.empty())
      std::fprintf(stderr, "wrote %zu verifier patches to %s\n", patches_, o_.dump_patches.c_str());
  }

 private:
  const EvalOptions& o_;
  std::string prefix_;
  std::ofstream char_labels_, patch_labels_;
  std::size_t rows_ = 0, chars_ = 0, patches_ = 0;
};

/// Everything measured over a set, before it is summarised.
struct Measured {
  std::vector<PlateOutcome> outcomes;
  std::vector<double> image_ms;
  std::vector<StageTimings> stages;
  std::vector<FalseReads> false_reads;       // per image read
  std::vector<std::string> image_country;    // per image read: its first labelled plate's country
  std::map<std::string, PoolTally> pool_of;  // by country, "" for all
};

Measured measure(const EvalOptions& o, const std::vector<LabelledPlate>& plates, PlateReader& reader,
                 TrainingDumps& dumps) {
  const fs::path root = o.root.empty() ? fs::path(o.manifest).parent_path() : fs::path(o.root);
  // One read per image, even when it has several labelled plates.
  std::map<std::string, std::vector<const LabelledPlate*>> by_image;
  for (const auto& p : plates) by_image[p.image].push_back(&p);
  const double min_probability = reader.settings().min_plate_probability;
  Measured m;
  anpr::ProgressBar progress(by_image.size(), "eval");
  for (const auto& [image, labelled] : by_image) {
    const auto start = std::chrono::steady_clock::now();
    const LoadedImage loaded = load_image((root / image).string());
    ReadResult result;
    if (loaded.error.empty()) {
      result = reader.read(loaded.image);
      m.image_ms.push_back(
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      m.stages.push_back(result.timings);
      m.false_reads.push_back(count_false_reads(labelled, result));
      m.image_country.push_back(labelled.front()->country);
      if (o.pool) {
        tally_pool(labelled, result, min_probability, m.pool_of[""]);
        if (o.by_country) tally_pool(labelled, result, min_probability, m.pool_of[labelled.front()->country]);
      }
      dumps.image(labelled, result, m.image_ms.size());
    }
    for (const LabelledPlate* truth : labelled) {
      PlateOutcome outcome = score_plate(*truth, result, o.top_n);
      outcome.error = loaded.error;
      dumps.plate(outcome, m.outcomes.size(), reader.settings().rectifier.char_height);
      m.outcomes.push_back(std::move(outcome));
    }
    progress.advance();
  }
  return m;
}

/// Each figure per country: the plates of that country, and the images whose first labelled
/// plate is of it (false reads belong to an image, not to a plate).
std::map<std::string, EvalSummary> country_summaries(const Measured& m) {
  std::map<std::string, std::vector<PlateOutcome>> plates_of;
  std::map<std::string, std::vector<double>> ms_of;
  std::map<std::string, std::vector<FalseReads>> false_of;
  for (const auto& outcome : m.outcomes) plates_of[outcome.truth->country].push_back(outcome);
  for (std::size_t i = 0; i < m.image_country.size(); ++i) {
    ms_of[m.image_country[i]].push_back(m.image_ms[i]);
    false_of[m.image_country[i]].push_back(m.false_reads[i]);
  }
  std::map<std::string, EvalSummary> countries;
  for (const auto& [country, list] : plates_of)
    countries[country] = summarise(list, ms_of[country], {}, false_of[country]);
  return countries;
}

void print_json(const EvalOptions& o, const EvalSummary& summary,
                const std::map<std::string, EvalSummary>& countries, const Measured& m) {
  nlohmann::json j = summary_json(summary, o.top_n);
  if (o.misses) {
    j["misses"] = nlohmann::json::array();
    for (const auto& miss : m.outcomes) {
      if (!miss.exact)
        j["misses"].push_back({{"image", miss.truth->image},
                               {"truth", miss.truth->plate},
                               {"read", miss.read},
                               {"confidence", miss.confidence},
                               {"error", miss.error}});
    }
  }
  for (const auto& [country, c] : countries)
    j["by_country"][country.empty() ? "unknown" : country] = summary_json(c, o.top_n);
  std::cout << j.dump(2) << "\n";
}

void print_countries(const std::map<std::string, EvalSummary>& countries, int top_n) {
  if (countries.empty()) return;
  std::printf("\nby country:  plates  exact  top-%d  chars  detected  false/image\n", top_n);
  for (const auto& [country, c] : countries) {
    char detected[16] = "-";
    if (c.detection_recall) std::snprintf(detected, sizeof detected, "%.1f%%", 100.0 * *c.detection_recall);
    std::printf("  %-9s %6zu  %5.1f%% %5.1f%% %5.1f%%  %7s  %.3f\n",
                country.empty() ? "unknown" : country.c_str(), c.plates, 100.0 * c.exact, 100.0 * c.top_n,
                100.0 * c.char_accuracy, detected, c.false_reads_per_image);
  }
}

void print_misses(const std::vector<PlateOutcome>& outcomes) {
  std::printf("\nmisses (truth -> read):\n");
  for (const auto& m : outcomes) {
    if (m.exact) continue;
    std::printf("  %-24s %-12s -> %-12s %s\n", m.truth->image.c_str(), m.truth->plate.c_str(),
                m.error.empty() ? (m.read.empty() ? "(none)" : m.read.c_str()) : "(error)",
                m.error.empty() ? "" : m.error.c_str());
  }
}

void print_text(const EvalOptions& o, const EvalSummary& summary,
                const std::map<std::string, EvalSummary>& countries, const Measured& m) {
  print_summary(summary, o.top_n);
  print_countries(countries, o.top_n);
  if (o.pool) {
    std::printf("\n");
    for (const auto& [country, tally] : m.pool_of) print_pool(country.empty() ? "all" : country, tally);
  }
  if (o.misses) print_misses(m.outcomes);
}

int run(const EvalOptions& o) {
  const auto plates = load_manifest(o.manifest);
  ReaderOptions reader_options = o.reader;
  TrainingDumps dumps(o, reader_options);
  reader_options.keep_patches = reader_options.keep_patches || o.pool;
  const auto reader = make_reader(reader_options);
  const Measured m = measure(o, plates, *reader, dumps);
  const EvalSummary summary = summarise(m.outcomes, m.image_ms, m.stages, m.false_reads);
  const auto countries = o.by_country ? country_summaries(m) : std::map<std::string, EvalSummary>{};
  dumps.report();
  if (o.json)
    print_json(o, summary, countries, m);
  else
    print_text(o, summary, countries, m);
  return summary.errors == 0 ? 0 : 1;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Measure the reader on a labelled set (manifest CSV: image,plate,x,y,w,h,country)");
  cmd->add_option("manifest", options->manifest, "Manifest CSV")->required()->check(CLI::ExistingFile);
  cmd->add_option("--root", options->root,
                  "Folder the manifest's image paths are relative to (default: the manifest's folder)");
  cmd->add_option("--top", options->top_n, "N for the top-N accuracy")
      ->capture_default_str()
      ->check(CLI::Range(1, 10));
  cmd->add_flag("--misses", options->misses, "List every plate not read exactly (truth -> read)");
  cmd->add_flag("--json", options->json, "Print the summary as JSON");
  cmd->add_flag("--by-country", options->by_country,
                "Also give each figure per country (the manifest's country column)");
  cmd->add_option("--dump-rows", options->dump_rows,
                  "Write the OCR input rows of plates read nearly right, with their truth (.gt.txt), "
                  "into this folder: training lines for a plate OCR model (models/train-plate-ocr.sh)");
  cmd->add_option(
      "--dump-patches", options->dump_patches,
      "Write the plate verifier's input for every detector candidate, labelled plate (1) or not (0) by the "
      "manifest's boxes, into this folder (labels.csv): training data for models/train-plate-verifier.sh");
  cmd->add_flag(
      "--pool", options->pool,
      "Also report how many labelled plates some detector candidate covers and how many of those the "
      "plate check accepts (where plates are lost before OCR)");
  cmd->add_option("--dump-chars", options->dump_chars,
                  "Write the classifier patch of every character of plates read nearly right, with its truth "
                  "(labels.csv), into this folder: training data for models/train-char-classifier.py");
  add_reader_options(*cmd, options->reader);
  cmd->callback([options, &exit_code] { exit_code = run(*options); });
}

}  // namespace anpr::edge::cli
