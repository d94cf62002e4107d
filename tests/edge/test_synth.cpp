#include <catch2/catch.hpp>

#include <cctype>
#include <set>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "anpr/common/plate_format.hpp"
#include "anpr/synth/distractors.hpp"
#include "anpr/synth/plate_renderer.hpp"
#include "anpr/synth/scene_generator.hpp"
#include "support/temp_dir.hpp"

using namespace anpr;

TEST_CASE("random registrations are valid UK plates of every format", "[synth]") {
  std::mt19937_64 rng(7);
  std::set<std::string> formats;
  const auto rules = make_uk_formats({.latest_issue_year = 2026});
  for (int i = 0; i < 2000; ++i) {
    const auto reg = synth::random_registration(rng);
    CHECK(classify_plate(reg.text, rules).format != "unknown");
    formats.insert(reg.format);
  }
  CHECK(formats.size() == 5);
}

TEST_CASE("a given UK text gets its format and printed space, anything else none", "[synth]") {
  const auto current = synth::registration_of("AB12CDE");
  REQUIRE(current);
  CHECK(current->split == 4);
  CHECK(current->format == "gb-current");
  CHECK(synth::registration_of("A123BCD"));  // prefix
  CHECK_FALSE(synth::registration_of("HELLO"));
  CHECK_FALSE(synth::registration_of("ab12cde"));
  CHECK_FALSE(synth::registration_of(""));
}

TEST_CASE("scene generation is deterministic for a seed", "[synth]") {
  synth::SceneSettings s;
  s.frame = {320, 240};
  s.min_char_px = 14;
  s.max_char_px = 20;
  synth::SceneGenerator a(s, 42), b(s, 42), c(s, 43);
  const auto sa = a.next(), sb = b.next(), sc = c.next();
  CHECK(sa.text == sb.text);
  CHECK(sa.box == sb.box);
  CHECK(cv::norm(sa.image, sb.image, cv::NORM_INF) == 0);
  CHECK((sa.text != sc.text || sa.box != sc.box));
}

TEST_CASE("the plate box lies inside the frame and covers the plate", "[synth]") {
  synth::SceneSettings s;
  s.frame = {640, 480};
  synth::SceneGenerator g(s, 5);
  for (int i = 0; i < 20; ++i) {
    const auto sample = g.next();
    CHECK((sample.box & cv::Rect(0, 0, 640, 480)) == sample.box);
    CHECK(sample.box.height >= s.min_char_px);
  }
}

TEST_CASE("European training registrations follow their layout, letters and digits in place", "[synth]") {
  std::mt19937_64 rng(11);
  std::set<std::string> layouts;
  for (int i = 0; i < 1000; ++i) {
    const auto reg = synth::random_european_registration(rng);
    REQUIRE(reg.format.rfind("eu-", 0) == 0);
    const std::string pattern = reg.format.substr(3);
    REQUIRE(reg.text.size() == pattern.size());
    for (std::size_t k = 0; k < pattern.size(); ++k) {
      CHECK((pattern[k] == 'L' ? std::isupper(static_cast<unsigned char>(reg.text[k]))
                               : std::isdigit(static_cast<unsigned char>(reg.text[k]))) != 0);
    }
    CHECK(reg.split > 0);
    CHECK(reg.split < reg.text.size());
    layouts.insert(pattern);
  }
  CHECK(layouts.size() >= 10);
}

TEST_CASE("the training font set adds lettering to the UK set, and training scenes render", "[synth]") {
  const synth::PlateRenderer uk(synth::FontSet::kUk), training(synth::FontSet::kTraining);
  CHECK(training.font_count() >= uk.font_count());
  CHECK(synth::PlateRenderer::font_files(synth::FontSet::kTraining).size() >
        synth::PlateRenderer::font_files(synth::FontSet::kUk).size());
  synth::SceneSettings s;
  s.frame = {320, 240};
  s.min_char_px = 14;
  s.max_char_px = 20;
  s.training_variety = true;
  synth::SceneGenerator g(s, 3);
  for (int i = 0; i < 20; ++i) {
    const auto sample = g.next();
    CHECK_FALSE(sample.image.empty());
    CHECK_FALSE(sample.text.empty());
  }
}

TEST_CASE("distractors are drawn around the plate from their own random stream", "[synth]") {
  synth::SceneSettings plain;
  plain.frame = {640, 480};
  synth::SceneSettings busy = plain;
  busy.distractors = true;
  synth::SceneGenerator a(plain, 77), b(busy, 77);
  int differing = 0;
  for (int i = 0; i < 5; ++i) {
    const auto sa = a.next(), sb = b.next();
    // The same plates in the same places: a seed's plates do not depend on the distractors.
    CHECK(sa.text == sb.text);
    CHECK(sa.box == sb.box);
    // Something was drawn outside the plate (JPEG and noise differ a little everywhere).
    cv::Mat diff;
    cv::absdiff(sa.image, sb.image, diff);
    cv::Mat grey;
    cv::cvtColor(diff, grey, cv::COLOR_BGR2GRAY);
    grey(sa.box).setTo(0);
    // Night scenes are dark everywhere, distractors too: a small difference counts.
    UNSCOPED_INFO("scene " << i << ": " << cv::countNonZero(grey > 12) << " pixels changed");
    if (cv::countNonZero(grey > 12) > 200) ++differing;
  }
  CHECK(differing == 5);
}

TEST_CASE("a plate in a style from outside Europe is 2:1 to 3.5:1 and in its own colours", "[synth]") {
  synth::PlateRenderer renderer(synth::FontSet::kTraining);
  std::mt19937_64 rng(11);
  int light = 0, dark = 0;
  for (int i = 0; i < 30; ++i) {
    synth::PlateStyle style;
    style.px_per_mm = 0.5;
    style.world = synth::random_world_look(rng);
    const synth::WorldLook& look = *style.world;
    const auto plate = renderer.render("7ABC123", 0, style);
    CHECK(plate.text == "7ABC123");
    const double aspect = static_cast<double>(plate.image.cols) / plate.image.rows;
    UNSCOPED_INFO("look " << i << ": " << plate.image.cols << "x" << plate.image.rows);
    CHECK(aspect >= 1.7);
    CHECK(aspect <= 3.5);
    // The characters are in the look's ink: some pixels are close to it.
    cv::Mat ink_mask;
    cv::inRange(plate.image, look.ink - cv::Scalar::all(25), look.ink + cv::Scalar::all(25), ink_mask);
    CHECK(cv::countNonZero(ink_mask) > static_cast<int>(plate.image.total() / 50));
    (cv::mean(look.background)[0] > 128 ? light : dark) += 1;
  }
  // Mostly light plates with dark characters, some the other way round.
  CHECK(light > dark);
  CHECK(dark > 0);
}

TEST_CASE("training scenes draw the share of European-layout plates asked for in styles from outside Europe",
          "[synth]") {
  synth::SceneSettings s;
  s.frame = {320, 240};
  s.training_variety = true;
  for (const double share : {0.0, 1.0}) {
    s.world_share = share;
    synth::SceneGenerator g(s, 5);
    int european = 0, world = 0;
    for (int i = 0; i < 16; ++i) {
      const auto sample = g.next();
      CHECK_FALSE(sample.image.empty());
      if (sample.format.rfind("eu-", 0) == 0) ++european;
      if (sample.world) {
        ++world;
        CHECK(sample.format.rfind("eu-", 0) == 0);  // UK plates keep their own look
      }
    }
    CHECK(european > 0);
    CHECK(world == (share > 0 ? european : 0));
  }
}

TEST_CASE("body lettering is drawn above the plate, and only when asked for", "[synth]") {
  synth::PlateRenderer renderer(synth::FontSet::kTraining);
  const cv::Rect plate(260, 300, 120, 30);
  int lettered = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    cv::Mat plain(480, 640, CV_8UC3, cv::Scalar::all(200)), with = plain.clone();
    std::mt19937_64 a(seed), b(seed);
    synth::draw_distractors(plain, plate, renderer, a);
    synth::draw_distractors(with, plate, renderer, b, true);
    cv::Mat diff;
    cv::absdiff(plain, with, diff);
    cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
    const cv::Rect changed = cv::boundingRect(diff > 0);
    if (changed.empty()) continue;
    ++lettered;
    // Everything before it is drawn the same; the lettering itself ends above the plate.
    CHECK(changed.br().y <= plate.y + 2);
  }
  CHECK(lettered > 0);
  CHECK(lettered < 12);
}

TEST_CASE("a plate photo's own plates are painted out and the scene's plate drawn where one was", "[synth]") {
  // A grey street with two pure red plates: nothing else in the scene (the plate, distractors in
  // grey) is that red, so any red left is an original plate not painted out.
  const test::TempDir dir("anpr-synth-photo");
  cv::Mat photo(300, 400, CV_8UC3, cv::Scalar::all(120));
  const cv::Rect near(150, 200, 100, 24), far(40, 60, 50, 12);
  photo(near).setTo(cv::Scalar(0, 0, 255));
  photo(far).setTo(cv::Scalar(0, 0, 255));
  const std::string file = (dir / "street.png").string();
  REQUIRE(cv::imwrite(file, photo));

  synth::SceneSettings s;
  s.frame = {800, 800};  // the photo fits it at twice its size, in its own proportions
  s.night_share = 0;
  s.plate_photos = {{file, {near, far}}};
  synth::SceneGenerator g(s, 11);
  const cv::Rect near_frame(300, 400, 200, 48), far_frame(80, 120, 100, 24);
  std::set<int> used;
  for (int i = 0; i < 12; ++i) {
    const auto sample = g.next();
    REQUIRE(sample.image.size() == cv::Size(800, 600));
    cv::Mat hsv;
    cv::cvtColor(sample.image, hsv, cv::COLOR_BGR2HSV);
    cv::Mat red;
    cv::inRange(hsv, cv::Scalar(0, 150, 120), cv::Scalar(8, 255, 255), red);
    CHECK(cv::countNonZero(red) < 50);
    // The plate sits on one of the two, at about its size.
    const cv::Rect& on = (sample.box & near_frame).area() > 0 ? near_frame : far_frame;
    used.insert(on == near_frame ? 0 : 1);
    const double iou = static_cast<double>((sample.box & on).area()) / (sample.box | on).area();
    CHECK(iou > 0.3);
  }
  CHECK(used.size() == 2);
}

TEST_CASE("a plate photo with a plate box off the photo, or with no box, is refused by name", "[synth]") {
  const test::TempDir dir("anpr-synth-photo");
  const std::string file = (dir / "small.png").string();
  REQUIRE(cv::imwrite(file, cv::Mat(80, 100, CV_8UC3, cv::Scalar::all(120))));
  synth::SceneSettings s;
  s.frame = {200, 160};
  s.plate_photos = {{file, {cv::Rect(90, 70, 50, 20)}}};
  synth::SceneGenerator off(s, 1);
  CHECK_THROWS_WITH(off.next(),
                    Catch::Contains("small.png") && Catch::Contains("not inside the photo (100x80)"));
  s.plate_photos = {{file, {}}};
  CHECK_THROWS_WITH(synth::SceneGenerator(s, 1),
                    Catch::Contains("small.png") && Catch::Contains("no plate box"));
}
