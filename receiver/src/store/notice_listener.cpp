#include "anpr/receiver/store/notice_listener.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <thread>

#include <spdlog/spdlog.h>
#include <pqxx/pqxx>

#include "anpr/common/error.hpp"
#include "anpr/common/log_escaping.hpp"
#include "anpr/receiver/store/store.hpp"

namespace anpr::receiver {
namespace {

/// Hands each notice on the channel to the callback (pqxx calls it from get_notifs).
class Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& c, const std::string& channel, std::function<void(std::string)>& on_notice)
      : pqxx::notification_receiver(c, channel), on_notice_(on_notice) {}
  void operator()(const std::string& payload, int backend_pid) override {
    // An empty payload is how the listener says notices were missed (every screen reloads): one
    // that anyone who may connect sent (NOTIFY anpr_live) must not say the same.
    if (payload.empty()) {
      spdlog::warn("live notices: an empty notice dropped (from process {})", backend_pid);
      return;
    }
    try {
      on_notice_(payload);
    } catch (const std::exception& e) {
      spdlog::error("live notices: a notice could not be handled: {}", e.what());
    }
  }

 private:
  std::function<void(std::string)>& on_notice_;
};

// The listener's connection idles for hours: without keepalives a connection a NAT or firewall
// silently dropped is noticed only after the kernel's two hours, all of them lost notices; and a
// connect to an unreachable server must not hold up a shutdown for minutes. Settings the
// operator gave in the connection string win.
std::string with_liveness(const std::string& dsn) {
  static constexpr std::array<std::pair<const char*, const char*>, 4> kSettings = {
      {{"connect_timeout", "5"},
       {"keepalives_idle", "30"},
       {"keepalives_interval", "10"},
       {"keepalives_count", "3"}}};
  const bool uri = dsn.find("://") != std::string::npos;
  std::string out = dsn;
  for (const auto& [key, value] : kSettings) {
    if (dsn.find(key) != std::string::npos) continue;
    if (uri)
      out += (out.find('?') == std::string::npos ? "?" : "&") + std::string(key) + "=" + value;
    else
      out += " " + std::string(key) + "=" + value;
  }
  return out;
}

class PostgresNoticeListener final : public NoticeListener {
 public:
  PostgresNoticeListener(const std::string& dsn, std::string channel,
                         std::function<void(std::string)> on_notice)
      : dsn_(with_liveness(dsn)), channel_(std::move(channel)), on_notice_(std::move(on_notice)) {
    stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (stop_fd_ < 0) throw Error(ErrorCode::kIo, "live notices: cannot create an eventfd");
    try {
      connect();  // the first connection's failure is the caller's to report
    } catch (const std::exception& e) {
      ::close(stop_fd_);
      throw Error(ErrorCode::kIo,
                  "cannot listen for live notices on PostgreSQL " + without_password(dsn_) + ": " + e.what());
    }
    thread_ = std::thread([this] { run(); });
  }

  ~PostgresNoticeListener() override {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(stop_fd_, &one, sizeof one);
    thread_.join();
    receiver_.reset();
    conn_.reset();
    ::close(stop_fd_);
  }
  PostgresNoticeListener(const PostgresNoticeListener&) = delete;
  PostgresNoticeListener& operator=(const PostgresNoticeListener&) = delete;

 private:
  void connect() {
    receiver_.reset();
    conn_ = std::make_unique<pqxx::connection>(dsn_);
    receiver_ = std::make_unique<Receiver>(*conn_, channel_, on_notice_);
    conn_->get_notifs();  // sends the LISTEN
  }

  /// Waits until the connection has something or the stop is asked for (then false); `timeout_ms`
  /// -1 waits without end. A wait on both descriptors, not a loop of sleeps.
  bool wait(int socket, int timeout_ms) const {
    std::array<pollfd, 2> fds{pollfd{stop_fd_, POLLIN, 0}, pollfd{socket, POLLIN, 0}};
    const int n = ::poll(fds.data(), socket >= 0 ? 2 : 1, timeout_ms);
    return !(n > 0 && (fds[0].revents & POLLIN) != 0);
  }

  void run() {
    std::chrono::seconds back_off(1);
    for (;;) {
      try {
        if (!conn_) {
          connect();
          // Notices sent while no connection listened are gone (NOTIFY keeps none): an empty
          // notice says so.
          on_notice_(std::string());
        }
        back_off = std::chrono::seconds(1);
        if (!wait(conn_->sock(), -1)) return;
        conn_->get_notifs();
        if (!conn_->is_open()) throw pqxx::broken_connection("closed");
      } catch (const std::exception& e) {
        spdlog::warn("live notices: lost PostgreSQL {}: {}; connecting again in {} s", without_password(dsn_),
                     e.what(), back_off.count());
        receiver_.reset();
        conn_.reset();
        if (!wait(-1, static_cast<int>(back_off.count() * 1000))) return;
        back_off = std::min(back_off * 2, std::chrono::seconds(30));
      }
    }
  }

  std::string dsn_, channel_;
  std::function<void(std::string)> on_notice_;
  int stop_fd_ = -1;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Receiver> receiver_;  // before conn_ goes
  std::thread thread_;
};

}  // namespace

std::unique_ptr<NoticeListener> listen_for_notices(const std::string& database, const std::string& channel,
                                                   std::function<void(std::string)> on_notice) {
  if (!is_postgresql(database)) return nullptr;
  return std::make_unique<PostgresNoticeListener>(database, channel, std::move(on_notice));
}

}  // namespace anpr::receiver
