#include "live_feed.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace anpr::receiver::web {

namespace net = boost::asio;

LiveSession::LiveSession(const net::any_io_executor& ex, std::string session_token,
                         std::function<void()> close_socket)
    : session_token_(std::move(session_token)),
      close_socket_(std::move(close_socket)),
      wake_(ex, std::chrono::steady_clock::time_point::max()),
      grace_(ex) {}

void LiveSession::push(LiveMessage message) {
  if (closing_ || closed_) return;
  queue_.push_back(std::move(message));
  wake_.cancel();
}

net::awaitable<LiveMessage> LiveSession::next() {
  for (;;) {
    if (closed_) co_return nullptr;
    if (!queue_.empty()) {
      LiveMessage message = std::move(queue_.front());
      queue_.pop_front();
      co_return message;
    }
    if (closing_) co_return nullptr;
    boost::system::error_code ec;
    wake_.expires_at(std::chrono::steady_clock::time_point::max());
    co_await wake_.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
}

void LiveSession::close_after(LiveMessage reload, std::chrono::milliseconds grace) {
  if (closing_ || closed_) return;
  queue_.clear();
  queue_.push_back(std::move(reload));
  closing_ = true;
  wake_.cancel();
  // The writer may be stuck sending to a peer that reads nothing: it gets `grace` to finish.
  grace_.expires_after(grace);
  grace_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) close();
  });
}

void LiveSession::close() {
  if (closed_) return;
  closed_ = true;
  queue_.clear();
  close_socket_();
  wake_.cancel();
  grace_.cancel();
}

LiveFeed::LiveFeed(net::io_context& io, std::size_t queue_limit)
    : io_(io), queue_limit_(queue_limit), reload_(std::make_shared<const std::string>(kReload)) {}

void LiveFeed::publish(LiveMessage message) {
  net::post(io_, [this, m = std::move(message)] { deliver(m); });
}

void LiveFeed::deliver(const LiveMessage& message) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const auto& s = *it;
    if (s->queued() >= queue_limit_) {
      // Too far behind: told to reload (and closed) rather than hold everyone up.
      spdlog::warn("web: a live client {} messages behind is told to reload", s->queued());
      ++dropped_;
      s->close_after(reload_, std::chrono::seconds(2));
      it = sessions_.erase(it);
      --live_;
      continue;
    }
    s->push(message);
    ++it;
  }
}

void LiveFeed::join(const std::shared_ptr<LiveSession>& session) {
  if (sessions_.insert(session).second) ++live_;
}

void LiveFeed::leave(const std::shared_ptr<LiveSession>& session) {
  if (sessions_.erase(session) > 0) --live_;
}

void LiveFeed::close_if(const std::function<bool(const LiveSession&)>& ended) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!ended(**it)) {
      ++it;
      continue;
    }
    (*it)->close();
    it = sessions_.erase(it);
    --live_;
  }
}

}  // namespace anpr::receiver::web
