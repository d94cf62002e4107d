#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <utility>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "anpr/common/log_escaping.hpp"

TEST_CASE("control characters are escaped, other text is kept as it is", "[log]") {
  CHECK(anpr::escape_control_characters("Stolen vehicles") == "Stolen vehicles");
  CHECK(anpr::escape_control_characters("list\n[info] HIT forged") == "list\\n[info] HIT forged");
  CHECK(anpr::escape_control_characters(std::string("a\0b\x1b[2J\r\t\x7f\\", 11)) ==
        "a\\x00b\\x1B[2J\\r\\t\\x7F\\\\");
  CHECK(anpr::escape_control_characters("Caf\xC3\xA9") == "Caf\xC3\xA9");  // UTF-8 is not a control character
}

TEST_CASE("a watchlist name with a newline cannot forge a log line", "[log]") {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  anpr::install_log_escaping();
  spdlog::info("HIT {} on {}", "AB12CDE", "Stolen\n[2026-12-04 10:00:00.000] [info] HIT ZZ99ZZZ on Wanted");
  spdlog::set_default_logger(previous);
  const std::string line = out.str();
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);  // one line, ended by the logger itself
  CHECK_THAT(line, Catch::Contains("on Stolen\\n[2026-12-04"));
}

TEST_CASE("passwords are taken out of stream addresses and connection strings before they are logged",
          "[log]") {
  // What is logged for each text.
  const std::pair<const char*, const char*> cases[] = {
      {"rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://admin:***@10.0.0.5:554/stream1"},
      {"postgresql://anpr:pa@ss@db/anpr", "postgresql://anpr:***@db/anpr"},
      {"host=db user=anpr password=s3cret dbname=anpr", "host=db user=anpr password=*** dbname=anpr"},
      {"host=db password='two words' dbname=anpr", "host=db password=*** dbname=anpr"},
      {"host=db password = 's\\'ecret' sslpassword=k3y", "host=db password = *** sslpassword=***"},
      {"host=db\tpassword=s3cret", "host=db\tpassword=***"},
      {"postgresql://db/anpr?user=anpr&password=s3cret&sslmode=require",
       "postgresql://db/anpr?user=anpr&password=***&sslmode=require"},
      // Nothing to hide: left as it is.
      {"rtsp://10.0.0.5/stream1", "rtsp://10.0.0.5/stream1"},
      {"/var/lib/anpr/anpr.db", "/var/lib/anpr/anpr.db"},
      {"rtsp://cam/path@x:1", "rtsp://cam/path@x:1"},
  };
  for (const auto& [text, logged] : cases) CHECK(anpr::without_password(text) == logged);
}
