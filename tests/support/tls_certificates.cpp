#include "tls_certificates.hpp"

#include <cstdlib>
#include <stdexcept>

namespace anpr::test {

void make_test_certificates(const std::filesystem::path& dir) {
  const std::string d = dir.string();
  const std::string script =
      "set -e; cd '" + d +
      "';"
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem;"
      "openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout server.key -out server.csr;"
      "printf 'subjectAltName=IP:127.0.0.1' > san.ext;"
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext "
      "-out server.pem;"
      "openssl req -newkey rsa:2048 -nodes -subj /CN=cam1 -keyout client.key -out client.csr;"
      "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -out client.pem;"
      "mosquitto_passwd -c -b passwords cam1 'correct horse';"
      "chmod 0644 *.key passwords";
  if (std::system(("( " + script + " ) > '" + d + "/openssl.log' 2>&1").c_str()) != 0) {
    throw std::runtime_error("making test certificates failed; see " + d + "/openssl.log");
  }
}

std::string tls_listener(int port, const std::filesystem::path& dir) {
  const std::string d = dir.string();
  return "listener " + std::to_string(port) + " 127.0.0.1\nallow_anonymous false\npassword_file " + d +
         "/passwords\ncafile " + d + "/ca.pem\ncertfile " + d + "/server.pem\nkeyfile " + d +
         "/server.key\nrequire_certificate true\n";
}

}  // namespace anpr::test
