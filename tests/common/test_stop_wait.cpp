#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "anpr/common/stop_wait.hpp"

using namespace anpr;
using namespace std::chrono_literals;

TEST_CASE("a wait ends at once when the stop is requested from another thread", "[stop]") {
  std::stop_source stop;
  const auto start = std::chrono::steady_clock::now();
  std::jthread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  CHECK(wait_or_stop(stop.get_token(), 30s));
  // Not the period, nor a poll interval after the request: well under a second.
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("a wait asked to stop before it starts does not wait", "[stop]") {
  std::stop_source stop;
  stop.request_stop();
  const auto start = std::chrono::steady_clock::now();
  CHECK(wait_or_stop(stop.get_token(), 30s));
  CHECK(std::chrono::steady_clock::now() - start < 1s);
}

TEST_CASE("a wait that nobody stops lasts its period", "[stop]") {
  std::stop_source stop;
  const auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(wait_or_stop(stop.get_token(), 100ms));
  CHECK(std::chrono::steady_clock::now() - start >= 100ms);
  CHECK_FALSE(wait_or_stop(std::stop_token{}, 20ms));  // a token that can never be stopped
}
