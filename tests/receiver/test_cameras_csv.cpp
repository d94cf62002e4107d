#include <catch2/catch.hpp>

#include "anpr/receiver/cameras/cameras_csv.hpp"

using namespace anpr::receiver;

TEST_CASE("camera registry rows with and without a position", "[cameras][csv]") {
  const auto p = parse_cameras_csv(
      "camera_id,site_id,name,latitude,longitude,bearing\n"
      "cam1,coalville,\"Market St, northbound\",52.7236,-1.3702,0\n"
      "cam2,ashby,Ashby bypass,,,\n");
  REQUIRE(p.errors.empty());
  REQUIRE(p.cameras.size() == 2);
  CHECK(p.cameras[0].name == "Market St, northbound");
  CHECK(p.cameras[0].latitude == Approx(52.7236));
  CHECK(p.cameras[0].bearing == Approx(0.0));
  CHECK(p.cameras[0].registered);
  CHECK_FALSE(p.cameras[1].latitude);
}

TEST_CASE("camera registry errors name the line and the problem", "[cameras][csv][rejects]") {
  const auto p = parse_cameras_csv(
      "cam1,coalville,A,52.7,-1.3,90\n"
      "cam/2,coalville,B,,,\n"
      "cam3,coalville,C,95,-1.3,0\n"
      "cam4,coalville,D,52.7,,0\n"
      "cam1,coalville,E,,,\n"
      "cam5,coalville\n"
      "cam6,coalville,F,52.7,-1.3,north\n");
  REQUIRE(p.errors.size() == 6);
  CHECK(p.errors[0].line == 2);
  CHECK_THAT(p.errors[0].message, Catch::Contains("camera_id"));
  CHECK_THAT(p.errors[1].message, Catch::Contains("latitude '95'"));
  CHECK_THAT(p.errors[2].message, Catch::Contains("both latitude and longitude"));
  CHECK_THAT(p.errors[3].message, Catch::Contains("listed twice"));
  CHECK_THAT(p.errors[4].message, Catch::Contains("found 2 fields"));
  CHECK_THAT(p.errors[5].message, Catch::Contains("bearing 'north'"));
}
