#include "live_feed.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace anpr::receiver::web {

namespace net = boost::asio;

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
