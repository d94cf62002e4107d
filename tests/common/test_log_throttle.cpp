#include <catch2/catch.hpp>

#include "anpr/common/log_throttle.hpp"

using namespace anpr;
using namespace std::chrono_literals;

TEST_CASE("a repeated message is logged at first, then once an interval with the count held back", "[log]") {
  LogThrottle throttle(10s);
  const auto t0 = LogThrottle::Clock::time_point{} + 1h;
  REQUIRE(throttle.occurred(t0) == std::optional<std::int64_t>(0));  // the first one is logged
  // 25 frames a second failing for the next 9.96 s: none logged.
  for (int i = 1; i < 250; ++i) CHECK_FALSE(throttle.occurred(t0 + i * 40ms).has_value());
  // Ten seconds on: logged, saying how many were held back.
  CHECK(throttle.occurred(t0 + 10s) == std::optional<std::int64_t>(249));
  CHECK_FALSE(throttle.occurred(t0 + 10s + 1ms).has_value());
  // A quiet spell: the next one is logged at once, with the one held back before it.
  CHECK(throttle.occurred(t0 + 1h) == std::optional<std::int64_t>(1));
  CHECK(throttle.total() == 253);
}
