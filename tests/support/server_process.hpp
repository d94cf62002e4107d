#pragma once
// What the tests' servers (mosquitto, PostgreSQL) share once forked: waiting until one serves,
// and stopping it.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>

namespace anpr::test {

/// Sends `sig` to the server `pid` and waits for it to end; `pid` becomes -1. Nothing when it
/// does not run (`pid` <= 0).
void stop_server(pid_t& pid, int sig);

/// Polls `serves` every `poll` until it holds for the server `pid` just started. Throws
/// std::runtime_error naming `name` and its `log` when the server exits first (`pid` becomes -1)
/// or `timeout` passes (the server is then stopped with `stop_signal`).
void wait_until_serving(pid_t& pid, const std::string& name, const std::filesystem::path& log,
                        std::chrono::seconds timeout, std::chrono::milliseconds poll, int stop_signal,
                        const std::function<bool()>& serves);

}  // namespace anpr::test
