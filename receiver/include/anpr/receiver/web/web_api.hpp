#pragma once
/// @file
/// The control room's JSON API and pages (docs/api.md): one HTTP request in, one response out.
/// It checks the session, the role and the CSRF token, then calls the services (services/, and
/// the watchlist and analysis services), which check, audit and reach the store; it holds no
/// SQL, no audit records and no networking (WebServer does that).

#include <functional>
#include <string>

#include <boost/beast/http.hpp>

#include "anpr/receiver/analysis/clones.hpp"
#include "anpr/receiver/live_events.hpp"
#include "anpr/receiver/store/store.hpp"
#include "anpr/receiver/web/auth.hpp"

namespace anpr::receiver::web {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct WebSettings {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;
  std::string cert_file, key_file;         ///< TLS when both are set
  std::string data_dir;                    ///< the receiver's data folder (images under <data_dir>/images)
  std::size_t max_body_bytes = 16u << 20;  ///< a watchlist CSV upload is the largest request
  int clock_skew_s =
      120;  ///< a read captured this far after it arrived is shown as from a camera clock ahead
  std::size_t max_connections = 256;
  /// One address may hold at most this many connections: a machine opening idle connections
  /// cannot lock the control room out (a browser uses about six).
  std::size_t max_connections_per_address = 32;
  std::size_t max_queued_messages = 512;  ///< per live client; a client further behind is dropped
  int request_timeout_s = 30;
  /// A request's headers, and the next request on a kept-alive connection, must arrive this soon:
  /// an idle or trickling connection gives its place back quickly.
  int header_timeout_s = 10;
  /// API calls that reach the store (searches, acknowledgements, lists) run on this many threads,
  /// never on the network thread, so a slow database holds up no page, login or live screen.
  std::size_t api_threads = 4;
  /// API calls running or waiting for one of those threads at most; the next is answered 503
  /// (busy, retry in a second) rather than queued without end.
  std::size_t max_api_calls = 64;
  int lookback_days = 30;  ///< new watchlist entries are checked against this many past days
  /// How often the server looks for ended logins (their live screens are closed within 8 of
  /// these) and users changed by another process (their logins end within 40). The live feed's
  /// content is pushed, not looked for.
  int poll_ms = 250;
  /// The map's base layer: "" for the built-in plain base (site names, scale, graticule: works
  /// offline), or a tile server the site runs, "https://tiles.example/{z}/{x}/{y}.png".
  std::string map_tile_url;
  analysis::CloneSettings clones;  ///< defaults of the clone analysis (as the live check)
  [[nodiscard]] bool tls() const { return !cert_file.empty() && !key_file.empty(); }
};

class WebApi {
 public:
  /// `notify` receives live-feed events (JSON text) that this API causes, such as a hit acknowledged.
  WebApi(Store& store, SessionManager& sessions, LoginLimiter& limiter, WebSettings settings,
         std::function<void(std::string)> notify = {});

  /// Answers `request`, finding its session first (which may reach the store).
  [[nodiscard]] Response handle(const Request& request, const std::string& client_address);
  /// Answers `request` with its session already found (a page on the network thread, its session
  /// looked up without reaching the store, or on an API thread where only the store knew it).
  [[nodiscard]] Response handle(const Request& request, const std::string& client_address,
                                std::optional<Session> session);
  /// Where the hits this API raises (retrospective, of new watchlist entries) go once stored; not
  /// owned. Set before the first request.
  void set_live(LiveEvents* live) { live_ = live; }

  /// The session token in a request's cookie, or "".
  [[nodiscard]] static std::string session_token(const Request& request);
  /// Whether a request's Origin (when it sends one) is this server: refuses cross-site WebSockets.
  [[nodiscard]] static bool same_origin(const Request& request);

 private:
  struct Call;
  Response route(Call& call);
  /// The calls of the live control room: hits, reads, cameras, faults; nullopt when none matches.
  std::optional<Response> route_operations(Call& call);
  /// Watchlists, analyses and the audit log; nullopt when none matches.
  std::optional<Response> route_administration(Call& call);
  Response login(Call& call);
  Response logout(Call& call);
  Response hits(Call& call);
  Response move_hit(Call& call, const std::string& hit_id, bool close);
  /// The "note" of an acknowledgement's JSON body (at most 2000 characters), or the refusal.
  std::optional<Response> read_note(Call& call, std::string& note);
  Response search(Call& call, bool movements);
  Response evidence_pack(Call& call);
  Response image(Call& call, const std::string& read_id, bool overview);
  Response cameras(Call& call);
  Response faults(Call& call);
  Response set_camera_position(Call& call, const std::string& camera_id);
  Response dashboard(Call& call);
  Response acknowledge_fault(Call& call, const std::string& fault_id);
  Response watchlists(Call& call);
  Response entries(Call& call, const std::string& list);
  Response add_entry(Call& call, const std::string& list);
  Response change_entry(Call& call, const std::string& list, const std::string& plate, bool expire);
  Response import_list(Call& call, const std::string& list);
  Response audit(Call& call);
  Response analyse(Call& call, const std::string& kind);
  Response sections(Call& call);
  Response page(Call& call);

  Store& store_;
  SessionManager& sessions_;
  LoginLimiter& limiter_;
  WebSettings settings_;
  std::function<void(std::string)> notify_;
  LiveEvents* live_ = nullptr;
};

}  // namespace anpr::receiver::web
