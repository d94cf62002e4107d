#pragma once
// Test certificates made with openssl, and a mosquitto TLS listener that asks for them.

#include <filesystem>
#include <string>

namespace anpr::test {

/// Writes into `dir`: ca.pem/ca.key, server.pem/server.key (for 127.0.0.1), client.pem/client.key
/// (CN cam1, signed by the CA) and a mosquitto password file `passwords` with cam1 / "correct
/// horse". Throws std::runtime_error (see openssl.log) when openssl fails.
void make_test_certificates(const std::filesystem::path& dir);

/// A mosquitto listener block on `port` that requires TLS, a client certificate and a password.
[[nodiscard]] std::string tls_listener(int port, const std::filesystem::path& dir);

}  // namespace anpr::test
