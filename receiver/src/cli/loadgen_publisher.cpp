#include "loadgen_publisher.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

#include "anpr/common/error.hpp"
#include "mqtt_session.hpp"

namespace anpr::receiver::cli {
namespace mqtt311 {

using mqtt_wire::put_remaining_length;
using mqtt_wire::put_string;
using mqtt_wire::put_u16;

std::string connect_packet(std::string_view client_id, std::uint16_t keep_alive_s) {
  std::string body;
  put_string(body, "MQTT");
  body.push_back(4);     // protocol level: MQTT 3.1.1
  body.push_back(0x02);  // clean session, no will, no credentials
  put_u16(body, keep_alive_s);
  put_string(body, client_id);
  std::string out(1, '\x10');
  put_remaining_length(out, body.size());
  return out + body;
}

void append_publish(std::string& out, std::string_view topic, std::string_view payload,
                    std::uint16_t packet_id) {
  out.push_back('\x32');  // PUBLISH, QoS 1
  put_remaining_length(out, 2 + topic.size() + 2 + payload.size());
  put_string(out, topic);
  put_u16(out, packet_id);
  out.append(payload);
}

std::string disconnect_packet() { return std::string("\xE0\x00", 2); }

}  // namespace mqtt311

namespace {

constexpr std::size_t kWriteAt = 64 * 1024;  // bytes buffered before they go out anyway
constexpr std::uint16_t kKeepAliveS = 60;    // loadgen publishes at least once a second (--rate >= 1)

}  // namespace

LoadgenPublisher::LoadgenPublisher(const std::string& broker, const std::string& client_id,
                                   std::size_t window)
    : window_(std::min<std::size_t>(window, 65'000)) {
  const BrokerAddress address = BrokerAddress::parse(broker);
  if (address.tls) throw Error(ErrorCode::kConfig, "loadgen publishes over plain TCP only: " + broker);
  try {
    boost::asio::ip::tcp::resolver resolver(ioc_);
    boost::asio::connect(socket_, resolver.resolve(address.host, address.port));
    // Each buffer goes out as it is written: a read held back for more would skew the pacing.
    socket_.set_option(boost::asio::ip::tcp::no_delay(true));
    boost::asio::write(socket_, boost::asio::buffer(mqtt311::connect_packet(client_id, kKeepAliveS)));
    for (;;) {
      const std::size_t n = socket_.read_some(boost::asio::buffer(read_buffer_));
      reader_.append(read_buffer_.data(), n);
      if (const auto packet = reader_.next()) {
        // CONNACK: flags, then the return code (0: accepted).
        if (packet->type() != mqtt_wire::PacketType::kConnack || packet->body.size() != 2)
          throw Error(ErrorCode::kIo, "cannot connect to " + broker + ": no CONNACK");
        if (packet->body[1] != 0)
          throw Error(ErrorCode::kIo, "cannot connect to " + broker + ": refused with code " +
                                          std::to_string(static_cast<int>(packet->body[1])));
        return;
      }
    }
  } catch (const boost::system::system_error& e) {
    throw Error(ErrorCode::kIo, "cannot connect to " + broker + ": " + e.what());
  } catch (const mqtt_wire::WireError& e) {
    throw Error(ErrorCode::kIo, "cannot connect to " + broker + ": " + e.what());
  }
}

void LoadgenPublisher::publish(std::string_view topic, std::string_view payload) {
  if (buffer_.size() >= kWriteAt) write_buffer();
  while (unacknowledged_ >= window_) {
    write_buffer();  // what the broker has not seen, it cannot acknowledge
    take_acks(true);
  }
  do {
    ++last_packet_id_;  // 1-65535: 0 is not a packet id
  } while (last_packet_id_ == 0 || in_flight_[last_packet_id_]);
  const std::size_t buffered = buffer_.size();
  try {
    mqtt311::append_publish(buffer_, topic, payload, last_packet_id_);
  } catch (const mqtt_wire::WireError& e) {
    buffer_.resize(buffered);  // the packet's first bytes may be in: the broker must not see them
    throw Error(ErrorCode::kInput, std::string("cannot publish on ") + std::string(topic) + ": " + e.what());
  }
  in_flight_[last_packet_id_] = true;
  ++unacknowledged_;
}

void LoadgenPublisher::flush() {
  write_buffer();
  take_acks(false);
}

void LoadgenPublisher::finish() {
  write_buffer();
  while (unacknowledged_ > 0) take_acks(true);
  buffer_ = mqtt311::disconnect_packet();
  write_buffer();
  boost::system::error_code ignored;
  socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void LoadgenPublisher::write_buffer() {
  if (buffer_.empty()) return;
  try {
    boost::asio::write(socket_, boost::asio::buffer(buffer_));
  } catch (const boost::system::system_error& e) {
    throw Error(ErrorCode::kIo, std::string("publishing to the broker: ") + e.what());
  }
  buffer_.clear();
}

void LoadgenPublisher::take_acks(bool wait) {
  try {
    bool waited = false;
    // Without `wait`: only what has arrived. With it: at least one read, then what else is there.
    while ((wait && !waited) || socket_.available() > 0) {
      const std::size_t n = socket_.read_some(boost::asio::buffer(read_buffer_));
      waited = true;
      reader_.append(read_buffer_.data(), n);
      while (const auto packet = reader_.next()) {
        if (packet->type() != mqtt_wire::PacketType::kPuback || packet->body.size() != 2)
          throw Error(ErrorCode::kIo, "the broker sent a packet of type " +
                                          std::to_string(static_cast<int>(packet->type())) +
                                          " where a PUBACK was due");
        const auto id = static_cast<std::uint16_t>((static_cast<std::uint8_t>(packet->body[0]) << 8) |
                                                   static_cast<std::uint8_t>(packet->body[1]));
        if (!in_flight_[id])
          throw Error(ErrorCode::kIo,
                      "the broker acknowledged packet " + std::to_string(id) + ", not in flight");
        in_flight_[id] = false;
        --unacknowledged_;
      }
    }
  } catch (const boost::system::system_error& e) {
    throw Error(ErrorCode::kIo, std::string("reading from the broker: ") + e.what());
  } catch (const mqtt_wire::WireError& e) {
    throw Error(ErrorCode::kIo, std::string("reading from the broker: ") + e.what());
  }
}

}  // namespace anpr::receiver::cli
