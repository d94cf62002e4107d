#include "live_feed.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace anpr::receiver::web {

namespace net = boost::asio;

LiveFeed::LiveFeed(net::io_context& io, std::size_t queue_limit)
    : io_(io), queue_limit_(queue_limit), reload_(std::make_shared<const std::string>(kReload)) {}

void LiveFeed::publish(std::vector<LiveMessage> messages) {
  // A screen that joins later loads what it missed from the store.
  if (messages.empty() || live_.load() == 0) return;
  if (overflowed_.load()) return;  // every screen reloads from the store before these arrive
  const std::size_t count = messages.size();
  if (posted_.fetch_add(count) + count > queue_limit_) {
    posted_.fetch_sub(count);
    // The network thread is a whole screen's queue behind: every screen would be told to reload
    // anyway. Say it once, and queue nothing more until it has.
    if (!overflowed_.exchange(true)) {
      spdlog::warn("web: the live feed fell {} messages behind; every live screen is told to reload",
                   queue_limit_);
      net::post(io_, [this] {
        overflowed_ = false;
        reload_all();
      });
    }
    return;
  }
  net::post(io_, [this, batch = std::move(messages)] {
    posted_.fetch_sub(batch.size());
    for (const LiveMessage& m : batch) deliver(m);
  });
}

void LiveFeed::reload_all() {
  for (const auto& s : sessions_) {
    ++dropped_;
    s->close_after(reload_, std::chrono::seconds(2));
  }
  live_ -= static_cast<std::int64_t>(sessions_.size());
  sessions_.clear();
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

std::set<std::string> LiveFeed::session_tokens() const {
  std::set<std::string> tokens;
  for (const auto& s : sessions_) tokens.insert(s->session_token());
  return tokens;
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
