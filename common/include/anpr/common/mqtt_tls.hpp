#pragma once
/// @file
/// TLS for the MQTT clients of both programs (Eclipse Paho MQTT C++): header-only, so `common`
/// itself does not link Paho; only the edge and the receiver, which do, include it.

#include <string>

#include <mqtt/connect_options.h>
#include <mqtt/ssl_options.h>
#include <spdlog/spdlog.h>

namespace anpr {

/// True for broker URIs that need TLS (ssl://, mqtts://, wss://).
inline bool is_tls_broker(const std::string& broker) {
  for (const char* scheme : {"ssl://", "mqtts://", "wss://"}) {
    if (broker.rfind(scheme, 0) == 0) return true;
  }
  return false;
}

/// Adds TLS to connect options when the broker URI asks for it or a CA file is given: the
/// broker's certificate is verified against `ca_file` (or the system's trust store) and must name
/// the host of the broker URI (a camera's client certificate from the same CA cannot pose as the
/// broker), and a client certificate and key are presented when given.
inline void add_mqtt_tls(mqtt::connect_options_builder& builder, const std::string& broker,
                         const std::string& ca_file, const std::string& cert_file,
                         const std::string& key_file) {
  if (!is_tls_broker(broker) && ca_file.empty()) return;
  mqtt::ssl_options_builder ssl;
  ssl.enable_server_cert_auth(true);
  ssl.verify(true);  // the host name (or IP address) check, off in Paho by default
  if (!ca_file.empty()) ssl.trust_store(ca_file);
  if (!cert_file.empty()) ssl.key_store(cert_file).private_key(key_file);
  ssl.error_handler([](const std::string& message) { spdlog::error("mqtt TLS: {}", message); });
  builder.ssl(ssl.finalize());
}

}  // namespace anpr
