#include <catch2/catch.hpp>

#include "../support/csv_errors.hpp"
#include "anpr/receiver/cameras/cameras_csv.hpp"

using namespace anpr;
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
  test::check_error_messages(p.errors, {"camera_id", "latitude '95'", "both latitude and longitude",
                                        "listed twice", "found 2 fields", "bearing 'north'"});
  CHECK(p.errors[0].line == 2);
}
