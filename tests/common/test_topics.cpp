#include <catch2/catch.hpp>

#include "anpr/common/topics.hpp"

using namespace anpr;

TEST_CASE("camera topics follow anpr/v1/<site>/<camera>/<kind>", "[topics]") {
  CHECK(camera_topic("coalville", "cam1", TopicKind::kRead) == "anpr/v1/coalville/cam1/read");
  CHECK(camera_topic("coalville", "cam1", TopicKind::kStatus) == "anpr/v1/coalville/cam1/status");
  CHECK(camera_topic("coalville", "cam1", TopicKind::kHealth) == "anpr/v1/coalville/cam1/health");
  CHECK(topic_filter(TopicKind::kRead) == "anpr/v1/+/+/read");
  CHECK(kHitsTopic == "anpr/v1/hits");
}

TEST_CASE("parse_camera_topic splits valid topics and refuses others", "[topics]") {
  const auto t = parse_camera_topic("anpr/v1/ashby/cam-2/health");
  REQUIRE(t);
  CHECK(t->site_id == "ashby");
  CHECK(t->camera_id == "cam-2");
  CHECK(t->kind == TopicKind::kHealth);
  for (const char* topic : {"anpr/v1/ashby/cam-2/other", "anpr/v1/ashby/read", "anpr/v1/ashby/a/b/read",
                            "anpr/v2/ashby/cam/read", "anpr/v1/ash by/cam/read", "anpr/v1/hits"}) {
    CAPTURE(topic);
    CHECK_FALSE(parse_camera_topic(topic));
  }
}
