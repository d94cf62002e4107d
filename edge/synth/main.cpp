// anpr-synth: deterministic synthetic UK plate images with ground truth (host-only tool).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include <opencv2/imgcodecs.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/progress_bar.hpp"
#include "anpr/common/run_program.hpp"
#include "anpr/edge/reader/evaluation.hpp"
#include "anpr/synth/scene_generator.hpp"
#include "anpr/synth/traffic_video.hpp"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> list_images(const std::string& dir) {
  std::vector<std::string> files;
  if (dir.empty()) return files;
  // Sub-folders too: a labelled set keeps its photos in one folder per country.
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto ext = e.path().extension().string();
    if (e.is_regular_file() && (ext == ".jpg" || ext == ".jpeg" || ext == ".png"))
      files.push_back(e.path().string());
  }
  if (files.empty()) {
    throw anpr::Error(anpr::ErrorCode::kInput,
                      "--backgrounds " + dir + " holds no .jpg, .jpeg or .png photos");
  }
  std::sort(files.begin(), files.end());  // directory order is not stable; the seed must be
  return files;
}

// The photos of a labelled set with their plates' boxes, one entry per photo. A photo with a
// plate whose box is not given cannot have that plate painted out, so it is left out.
std::vector<anpr::synth::PlatePhoto> plate_photos(const std::string& manifest) {
  if (manifest.empty()) return {};
  std::map<std::string, anpr::synth::PlatePhoto> by_image;
  std::set<std::string> unboxed;
  const fs::path root = fs::path(manifest).parent_path();
  for (const anpr::edge::LabelledPlate& p : anpr::edge::load_manifest(manifest)) {
    anpr::synth::PlatePhoto& photo = by_image[p.image];
    photo.file = (root / p.image).string();
    if (p.box) {
      photo.plates.push_back(*p.box);
    } else {
      unboxed.insert(p.image);
    }
  }
  std::vector<anpr::synth::PlatePhoto> photos;
  for (auto& [image, photo] : by_image) {
    if (unboxed.count(image) > 0) continue;
    if (!fs::is_regular_file(photo.file)) {
      throw anpr::Error(anpr::ErrorCode::kInput, "--plate-photos " + manifest + ": photo " + photo.file +
                                                     " (listed as " + image + ") does not exist");
    }
    photos.push_back(std::move(photo));
  }
  std::printf("plate photos: %zu of the %zu in %s (left out: %zu with a plate that has no box)\n",
              photos.size(), by_image.size(), manifest.c_str(), unboxed.size());
  if (photos.empty()) {
    throw anpr::Error(anpr::ErrorCode::kInput,
                      "--plate-photos " + manifest + " lists no photo whose every plate has a box (x,y,w,h)");
  }
  return photos;
}

int write_set(int count, std::uint64_t seed, const std::string& out, anpr::synth::SceneSettings settings) {
  fs::create_directories(out);
  anpr::synth::SceneGenerator generator(std::move(settings), seed);
  std::ofstream manifest(fs::path(out) / "manifest.csv");
  manifest << "image,plate,x,y,w,h,country\n";
  anpr::ProgressBar progress(static_cast<std::size_t>(count), "synth");
  for (int i = 0; i < count; ++i) {
    const auto s = generator.next();
    char name[64];
    std::snprintf(name, sizeof name, "uk_%05d.jpg", i);
    if (!cv::imwrite((fs::path(out) / name).string(), s.image, {cv::IMWRITE_JPEG_QUALITY, 95})) {
      throw anpr::Error(anpr::ErrorCode::kIo, "cannot write " + (fs::path(out) / name).string());
    }
    manifest << name << ',' << s.text << ',' << s.box.x << ',' << s.box.y << ',' << s.box.width << ','
             << s.box.height << ",GB\n";
    progress.advance();
  }
  std::printf("wrote %d images and manifest.csv to %s (seed %llu)\n", count, out.c_str(),
              static_cast<unsigned long long>(seed));
  return 0;
}

// An option that --help shows with its default and that refuses values outside lo..hi.
template <class T, class Bound>
void add_bounded(CLI::App* command, const std::string& name, T& value, const std::string& description,
                 Bound lo, Bound hi) {
  command->add_option(name, value, description)->capture_default_str()->check(CLI::Range(lo, hi));
}

/// What `plates` is asked for.
struct PlatesOptions {
  int count = 100, width = 1280, height = 720, min_char = 16, max_char = 48;
  std::string out, backgrounds, plate_photos;
  bool training = false;
  std::vector<std::string> uk_fonts;
  double uk_font_share = 0.8;
  double world_share = 0.0;
  bool distractors = false;
  std::uint64_t seed = 1;
};

void add_plates_options(CLI::App* plates, PlatesOptions& o) {
  add_bounded(plates, "--count", o.count, "Number of images", 1, 1000000);
  plates->add_option("--seed", o.seed, "Random seed")->capture_default_str();
  plates->add_option("--out", o.out, "Output folder")->required();
  plates->add_option("--backgrounds", o.backgrounds, "Folder of real photos to use as backgrounds")
      ->check(CLI::ExistingDirectory);
  auto* backgrounds = plates->get_option("--backgrounds");
  plates
      ->add_option("--plate-photos", o.plate_photos,
                   "Manifest of real photos with plate boxes (image,plate,x,y,w,h,country): each scene "
                   "is one of them, scaled to fit --width x --height in its own proportions, its plates "
                   "painted out and the plate drawn where one was at about its size (--min-char/--max-char "
                   "then only set the size it is drawn at first); photos with an unboxed plate are left out")
      ->check(CLI::ExistingFile)
      ->excludes(backgrounds);
  add_bounded(plates, "--width", o.width, "Frame width", 64, 8192);
  add_bounded(plates, "--height", o.height, "Frame height", 64, 8192);
  add_bounded(plates, "--min-char", o.min_char, "Smallest character height, pixels", 8, 400);
  add_bounded(plates, "--max-char", o.max_char, "Largest character height, pixels", 8, 400);
  plates
      ->add_option("--uk-font", o.uk_fonts,
                   "Font file of the UK plate typeface (e.g. ../shared/fonts/"
                   "CharlesWright-Bold.otf): UK plates use it (--uk-font-share); repeatable")
      ->check(CLI::ExistingFile);
  add_bounded(plates, "--uk-font-share", o.uk_font_share,
              "Share of UK plates drawn in the --uk-font typeface", 0.0, 1.0);
  plates->add_flag("--training", o.training,
                   "OCR training data: every training font and European layouts too (not a UK test set)");
  add_bounded(plates, "--world-share", o.world_share,
              "With --training: share of the European-layout plates drawn in styles from outside Europe "
              "(2:1, coloured, name line and slogan, stickers)",
              0.0, 1.0);
  plates->add_flag("--distractors", o.distractors,
                   "Draw signs, dealer legends, stickers, grilles and road markings around the plate "
                   "(not-a-plate examples)");
}

anpr::synth::SceneSettings scene_settings(const PlatesOptions& o) {
  anpr::synth::SceneSettings s;
  s.frame = cv::Size(o.width, o.height);
  s.min_char_px = std::min(o.min_char, o.max_char);
  s.max_char_px = std::max(o.min_char, o.max_char);
  s.background_files = list_images(o.backgrounds);
  s.plate_photos = plate_photos(o.plate_photos);
  s.training_variety = o.training;
  s.distractors = o.distractors;
  s.uk_font_files = o.uk_fonts;
  s.uk_font_share = o.uk_font_share;
  s.world_share = o.world_share;
  return s;
}

/// What `video` is asked for.
struct VideoOptions {
  anpr::synth::TrafficSettings traffic;
  std::string out, passes;
  std::uint64_t seed = 1;
};

void add_video_options(CLI::App* video, VideoOptions& o) {
  anpr::synth::TrafficSettings& traffic = o.traffic;
  video->add_option("--out", o.out, "Video file (.avi: Motion-JPEG, .mp4: MPEG-4)")->required();
  video->add_option("--passes", o.passes, "Ground-truth CSV (default: the video's name with .csv)");
  video->add_option("--seed", o.seed, "Random seed")->capture_default_str();
  add_bounded(video, "--vehicles", traffic.vehicles, "Vehicle passes", 1, 100000);
  add_bounded(video, "--width", traffic.frame.width, "Frame width", 320, 7680);
  add_bounded(video, "--height", traffic.frame.height, "Frame height", 240, 4320);
  add_bounded(video, "--fps", traffic.fps, "Frames per second", 1.0, 120.0);
  add_bounded(video, "--min-char", traffic.min_char_px, "Character height when far, pixels", 8, 400);
  add_bounded(video, "--max-char", traffic.max_char_px, "Character height when near, pixels", 8, 400);
  const std::map<std::string, anpr::synth::CaptionCorner> corners = {
      {"none", anpr::synth::CaptionCorner::kNone},
      {"top-left", anpr::synth::CaptionCorner::kTopLeft},
      {"top-right", anpr::synth::CaptionCorner::kTopRight},
      {"bottom-left", anpr::synth::CaptionCorner::kBottomLeft},
      {"bottom-right", anpr::synth::CaptionCorner::kBottomRight}};
  video
      ->add_option("--caption", traffic.caption.corner,
                   "Burn in a CCTV caption (date, ticking time, camera name) "
                   "in this corner")
      ->transform(CLI::CheckedTransformer(corners, CLI::ignore_case))  // keeps its own copy of the map
      ->default_str("none");
  add_bounded(video, "--caption-font", traffic.caption.font,
              "Caption font: 0 simplex, 1 duplex, 2 plain, 3 complex", 0, 3);
  video->add_flag("--sign", traffic.sign, "Put a static sign with plate-like text on a building");
  video->add_flag("--parked-car", traffic.parked_car,
                  "Put a car parked at the kerb, plate in view, for the whole video");
  video
      ->add_option("--plates", traffic.plates,
                   "UK registrations that must pass (each once, at random passes; "
                   "the others are random), e.g. --plates AB12CDE,XY65ZZT")
      ->delimiter(',');
}

void write_video(const std::string& video_out, std::string passes_out,
                 const anpr::synth::TrafficSettings& traffic, std::uint64_t seed) {
  if (passes_out.empty()) passes_out = fs::path(video_out).replace_extension(".csv").string();
  anpr::synth::StaticTexts statics;
  const auto passes = anpr::synth::write_traffic_video(video_out, traffic, seed, &statics);
  anpr::synth::write_passes_csv(passes_out, passes);
  std::printf("wrote %s (%zu vehicle passes) and %s (seed %llu)\n", video_out.c_str(), passes.size(),
              passes_out.c_str(), static_cast<unsigned long long>(seed));
  if (!statics.sign.empty()) std::printf("static sign reads %s (not a pass)\n", statics.sign.c_str());
  if (!statics.parked_car.empty()) std::printf("parked car %s (not a pass)\n", statics.parked_car.c_str());
}

void add_plates_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PlatesOptions>();
  CLI::App* plates = app.add_subcommand("plates", "Write COUNT scene images and manifest.csv into a folder");
  add_plates_options(plates, *o);
  plates->callback([o, &exit_code] { exit_code = write_set(o->count, o->seed, o->out, scene_settings(*o)); });
}

void add_video_command(CLI::App& app, int& /*exit_code*/) {
  auto o = std::make_shared<VideoOptions>();
  CLI::App* video =
      app.add_subcommand("video", "Write a UK traffic video (.avi or .mp4) and its passes as CSV");
  add_video_options(video, *o);
  video->callback([o] { write_video(o->out, o->passes, o->traffic, o->seed); });
}

}  // namespace

int main(int argc, char** argv) {
  return anpr::run_commands(
      "anpr-synth",
      "anpr-synth: synthetic UK number plate images with ground truth, deterministic from a seed", argc, argv,
      {add_plates_command, add_video_command});
}
