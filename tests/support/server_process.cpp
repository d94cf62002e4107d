#include "server_process.hpp"

#include <signal.h>
#include <sys/wait.h>

#include <stdexcept>
#include <thread>

namespace anpr::test {

void stop_server(pid_t& pid, int sig) {
  if (pid <= 0) return;
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
}

void wait_until_serving(pid_t& pid, const std::string& name, const std::filesystem::path& log,
                        std::chrono::seconds timeout, std::chrono::milliseconds poll, int stop_signal,
                        const std::function<bool()>& serves) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!serves()) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      pid = -1;
      throw std::runtime_error(name + " exited at start; see " + log.string());
    }
    if (std::chrono::steady_clock::now() > deadline) {
      stop_server(pid, stop_signal);
      throw std::runtime_error(name + " did not serve within " + std::to_string(timeout.count()) +
                               " s; see " + log.string());
    }
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace anpr::test
