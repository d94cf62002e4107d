#include <catch2/catch.hpp>

#include <set>

#include <opencv2/imgproc.hpp>

#include "anpr/common/plate_format.hpp"
#include "anpr/synth/scene_generator.hpp"

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
