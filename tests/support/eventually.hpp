#pragma once
// Waiting in a test for something another process or thread does: the condition is looked at
// every 20 ms until it holds or the time is up.

#include <chrono>
#include <string>
#include <thread>

#include "child_process.hpp"

namespace anpr::test {

/// Whether `done()` holds within `within` (times kSanitizerSlowdown: the programs a test waits for
/// run that much slower under the sanitizers); looked at once more at the end.
template <class Predicate>
bool eventually(Predicate done, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within * kSanitizerSlowdown;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

/// Whether `child`'s log shows `text` within `within` (as eventually).
inline bool logs_eventually(const ChildProcess& child, const std::string& text,
                            std::chrono::milliseconds within) {
  return eventually([&] { return child.log().find(text) != std::string::npos; }, within);
}

}  // namespace anpr::test
