#pragma once
// A program run by a test: started with arguments, its output going to a log file, signalled and
// waited for with a timeout. Killed (SIGKILL) if still running when the object goes.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace anpr::test {

/// How many times longer the programs take when built with the sanitizers (the asan preset: Debug
/// and instrumented): deadlines for a child's work are multiplied by it, so a test there fails on a
/// finding, not on a clock.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr int kSanitizerSlowdown = 6;
#else
inline constexpr int kSanitizerSlowdown = 1;
#endif

class ChildProcess {
 public:
  /// Starts `argv[0]` with the arguments; stdout and stderr go to `log_file`.
  ChildProcess(std::vector<std::string> argv, std::string log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void signal(int sig);
  /// The exit code (128 + signal number when killed by a signal), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] bool running();
  [[nodiscard]] std::string log() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_file_;
};

}  // namespace anpr::test
