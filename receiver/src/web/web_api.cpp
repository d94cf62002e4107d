#include "anpr/receiver/web/web_api.hpp"

#include "anpr/receiver/audit_reason.hpp"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "anpr/common/error.hpp"
#include "anpr/common/ids.hpp"
#include "anpr/common/plate_text.hpp"
#include "anpr/common/time.hpp"
#include "anpr/receiver/analysis/analysis_service.hpp"
#include "anpr/receiver/analysis/partnership_dashboard.hpp"
#include "anpr/receiver/evidence/evidence_pack.hpp"
#include "anpr/receiver/services/audit_log.hpp"
#include "anpr/receiver/services/camera_service.hpp"
#include "anpr/receiver/services/hit_service.hpp"
#include "anpr/receiver/services/sighting_service.hpp"
#include "anpr/receiver/services/user_service.hpp"
#include "anpr/receiver/watchlist/watchlist_service.hpp"
#include "anpr/receiver/web/map_tiles.hpp"
#include "json_views.hpp"
#include "web_assets.hpp"

namespace anpr::receiver::web {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

/// A file removed however the request that wrote it ends (answered, refused, or thrown through).
struct TemporaryFile {
  explicit TemporaryFile(fs::path p) : path(std::move(p)) {}
  ~TemporaryFile() {
    std::error_code ignored;
    fs::remove(path, ignored);
  }
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  const fs::path path;
};

constexpr const char* kCookie = "anpr_session";
constexpr int kMaxRows = 5000;  // the most rows one call returns
constexpr const char* kBadPeriod = "from and to must be ISO 8601 UTC times";

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at < path.size()) {
    const auto next = path.find('/', at);
    const auto part = path.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
    if (!part.empty()) parts.push_back(url_decode(part));
    if (next == std::string_view::npos) break;
    at = next + 1;
  }
  return parts;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const auto amp = q.find('&');
    const auto pair = q.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) {
      out[url_decode(pair)] = "";
    } else {
      out[url_decode(pair.substr(0, eq))] = url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

std::string cookie_value(const Request& req, std::string_view name) {
  const auto it = req.find(http::field::cookie);
  if (it == req.end()) return {};
  std::string_view all(it->value().data(), it->value().size());
  while (!all.empty()) {
    const auto semi = all.find(';');
    auto item = all.substr(0, semi);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    if (item.size() > name.size() && item.substr(0, name.size()) == name && item[name.size()] == '=') {
      return std::string(item.substr(name.size() + 1));
    }
    if (semi == std::string_view::npos) break;
    all.remove_prefix(semi + 1);
  }
  return {};
}

bool equal_secret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

/// One request being handled: what it asks, who asks, and the response under construction.
struct WebApi::Call {
  const Request& req;
  const std::string& client;
  std::vector<std::string> path;
  std::map<std::string, std::string> query;
  std::optional<Session> session;
  std::string token;

  Response reply(http::status status, std::string body, std::string_view type) const {
    Response res{status, req.version()};
    res.set(http::field::content_type, std::string(type));
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
  }
  Response json_reply(const json& body, http::status status = http::status::ok) const {
    return reply(status, body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  }
  Response error(http::status status, const std::string& message) const {
    return json_reply(json{{"error", message}}, status);
  }
  // The request body as a JSON object, or nullopt (with `why`) when it is not one.
  std::optional<json> body_json(std::string& why) const {
    const auto parsed = json::parse(req.body(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      why = "the request body must be a JSON object";
      return std::nullopt;
    }
    return parsed;
  }
  std::string param(const std::string& name) const {
    const auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  // The from and to parameters (ISO 8601 UTC), `default_from` and `default_to` when not given;
  // nullopt when one is not a time.
  std::optional<std::pair<TimestampMs, TimestampMs>> period(TimestampMs default_from,
                                                            TimestampMs default_to) const {
    const auto from_text = param("from"), to_text = param("to");
    const auto from = from_text.empty() ? std::optional(default_from) : parse_iso8601(from_text);
    const auto to = to_text.empty() ? std::optional(default_to) : parse_iso8601(to_text);
    if (!from || !to) return std::nullopt;
    return std::pair{*from, *to};
  }
  // The limit parameter, `fallback` when not given, within 1 to `most`.
  int limit(int fallback, int most) const {
    const std::string given = param("limit");
    return std::clamp(given.empty() ? fallback : std::atoi(given.c_str()), 1, most);
  }
  bool allowed(Role least) const {
    return session && static_cast<int>(session->role) >= static_cast<int>(least);
  }
  // A 403 answer when the session's role is below `least`.
  std::optional<Response> refused(Role least) const {
    if (allowed(least)) return std::nullopt;
    return error(http::status::forbidden, std::string("this needs the ") + to_string(least) + " role");
  }
};

WebApi::WebApi(Store& store, SessionManager& sessions, LoginLimiter& limiter, WebSettings settings,
               std::function<void(std::string)> notify)
    : store_(store),
      sessions_(sessions),
      limiter_(limiter),
      settings_(std::move(settings)),
      notify_(std::move(notify)) {}

std::string WebApi::session_token(const Request& request) { return cookie_value(request, kCookie); }

bool WebApi::same_origin(const Request& request) {
  const auto origin = request.find(http::field::origin);
  if (origin == request.end()) return true;  // not a browser's cross-site request
  const auto host = request.find(http::field::host);
  if (host == request.end()) return false;
  std::string_view o(origin->value().data(), origin->value().size());
  const auto scheme = o.find("://");
  if (scheme == std::string_view::npos) return false;
  return o.substr(scheme + 3) == std::string_view(host->value().data(), host->value().size());
}

Response WebApi::handle(const Request& request, const std::string& client_address) {
  const std::string token = session_token(request);
  return handle(request, client_address, token.empty() ? std::nullopt : sessions_.find(token));
}

Response WebApi::handle(const Request& request, const std::string& client_address,
                        std::optional<Session> session) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto qmark = target.find('?');
  Call call{request,
            client_address,
            split_path(target.substr(0, qmark)),
            qmark == std::string_view::npos ? std::map<std::string, std::string>{}
                                            : parse_query(target.substr(qmark + 1)),
            std::move(session),
            cookie_value(request, kCookie)};
  Response res;
  try {
    res = route(call);
  } catch (const Error& e) {
    res = call.error(
        e.code() == ErrorCode::kInput ? http::status::bad_request : http::status::internal_server_error,
        e.what());
  } catch (const std::exception& e) {
    res = call.error(http::status::internal_server_error, std::string("internal error: ") + e.what());
  }
  // Pages and answers are never framed, sniffed or sent on as a referrer; no script or style
  // from anywhere but this server.
  // A map tile server the site runs is the one other place images may come from.
  res.set(
      "Content-Security-Policy",
      "default-src 'self'; img-src 'self' data:" +
          (settings_.map_tile_url.empty() ? std::string() : " " + map_tile_origin(settings_.map_tile_url)) +
          "; style-src 'self'; script-src 'self'; connect-src 'self'; "
          "frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  if (settings_.tls()) res.set("Strict-Transport-Security", "max-age=31536000");
  res.set(http::field::server, "anpr-receiver");
  return res;
}

Response WebApi::route(Call& call) {
  const auto& p = call.path;
  const auto method = call.req.method();
  if (p.empty() || p[0] != "api") return page(call);

  if (p.size() == 2 && p[1] == "login") {
    if (method != http::verb::post) return call.error(http::status::method_not_allowed, "use POST");
    return login(call);
  }
  if (!call.session) return call.error(http::status::unauthorized, "log in first");
  // Every change must carry the session's CSRF token: another site cannot read it, so it
  // cannot forge a change with the user's cookie.
  if (method != http::verb::get && method != http::verb::head) {
    const auto sent = call.req.find("X-CSRF-Token");
    if (sent == call.req.end() || !equal_secret(std::string(sent->value()), call.session->csrf_token)) {
      return call.error(http::status::forbidden, "missing or wrong CSRF token (X-CSRF-Token)");
    }
  }
  if (auto res = route_operations(call)) return std::move(*res);
  if (auto res = route_administration(call)) return std::move(*res);
  return call.error(http::status::not_found, "no such API call: " + std::string(to_string(method)) + " " +
                                                 std::string(call.req.target().substr(0, 200)));
}

std::optional<Response> WebApi::route_operations(Call& call) {
  const auto& p = call.path;
  const auto method = call.req.method();
  const bool get = method == http::verb::get, post = method == http::verb::post;
  if (p.size() == 2 && p[1] == "session" && get) {
    return call.json_reply({{"user", call.session->user},
                            {"role", to_string(call.session->role)},
                            {"csrf", call.session->csrf_token},
                            {"map_tile_url", settings_.map_tile_url}});
  }
  if (p.size() == 2 && p[1] == "logout" && post) return logout(call);
  if (p.size() == 2 && p[1] == "hits" && get) return hits(call);
  if (p.size() == 4 && p[1] == "hits" && post && (p[3] == "acknowledge" || p[3] == "close")) {
    return move_hit(call, p[2], p[3] == "close");
  }
  if (p.size() == 2 && (p[1] == "reads" || p[1] == "movements") && get)
    return search(call, p[1] == "movements");
  if (p.size() == 2 && p[1] == "evidence-pack" && post) {
    if (auto refused = call.refused(Role::kSupervisor)) return refused;
    return evidence_pack(call);
  }
  if (p.size() == 4 && p[1] == "reads" && get && (p[3] == "crop" || p[3] == "overview")) {
    return image(call, p[2], p[3] == "overview");
  }
  if (p.size() == 2 && p[1] == "cameras" && get) return cameras(call);
  if (p.size() == 4 && p[1] == "cameras" && p[3] == "position" && post) {
    if (auto refused = call.refused(Role::kAdmin)) return refused;
    return set_camera_position(call, p[2]);
  }
  if (p.size() == 2 && p[1] == "dashboard" && get) return dashboard(call);
  if (p.size() == 2 && p[1] == "faults" && get) return faults(call);
  if (p.size() == 4 && p[1] == "faults" && post && p[3] == "acknowledge")
    return acknowledge_fault(call, p[2]);
  return std::nullopt;
}

std::optional<Response> WebApi::route_administration(Call& call) {
  const auto& p = call.path;
  const auto method = call.req.method();
  const bool get = method == http::verb::get, post = method == http::verb::post;
  if (p.size() >= 2 && p[1] == "watchlists") {
    if (auto refused = call.refused(Role::kSupervisor)) return refused;
    if (p.size() == 2 && get) return watchlists(call);
    if (p.size() == 4 && p[3] == "entries" && get) return entries(call, p[2]);
    if (p.size() == 4 && p[3] == "entries" && post) return add_entry(call, p[2]);
    if (p.size() == 4 && p[3] == "import" && post) return import_list(call, p[2]);
    if (p.size() == 6 && p[3] == "entries" && post && (p[5] == "remove" || p[5] == "expire")) {
      return change_entry(call, p[2], p[4], p[5] == "expire");
    }
  }
  if (p.size() == 3 && p[1] == "analysis" && p[2] == "sections" && get) return sections(call);
  if (p.size() == 3 && p[1] == "analysis" && get) return analyse(call, p[2]);
  if (p.size() == 2 && p[1] == "audit" && get) {
    if (auto refused = call.refused(Role::kAdmin)) return refused;
    return audit(call);
  }
  return std::nullopt;
}

Response WebApi::login(Call& call) {
  // Login is the one change without a session. A form on another site cannot send JSON, and a
  // browser names the page's origin: both keep other sites from logging a user in as someone else.
  const auto type = call.req.find(http::field::content_type);
  if (type == call.req.end() || std::string(type->value()).find("application/json") != 0 ||
      !same_origin(call.req)) {
    return call.error(http::status::forbidden, "log in from this server's login page (JSON, same origin)");
  }
  std::string why;
  const auto body = call.body_json(why);
  if (!body) return call.error(http::status::bad_request, why);
  const std::string name = body->value("username", ""), password = body->value("password", "");
  if (name.empty() || password.empty() || name.size() > 64 || password.size() > 256) {
    return call.error(http::status::bad_request, "give a username and a password");
  }
  if (const int wait = limiter_.retry_after(name, call.client)) {
    auto res = call.error(http::status::too_many_requests,
                          "too many failed logins: try again in " + std::to_string(wait) + " s");
    res.set(http::field::retry_after, std::to_string(wait));
    return res;
  }
  const auto user = log_in(store_, store_, name, password, call.client, now_ms());  // audited either way
  const auto role = user ? parse_role(user->role) : std::nullopt;
  if (!role) {
    limiter_.failed(name, call.client);
    return call.error(http::status::unauthorized, "wrong user name or password, or the account is disabled");
  }
  limiter_.succeeded(name, call.client);
  const std::string token = sessions_.create(name, *role, user->password_hash);
  const auto session = sessions_.find(token);
  auto res = call.json_reply({{"user", name}, {"role", to_string(*role)}, {"csrf", session->csrf_token}});
  res.set(http::field::set_cookie, std::string(kCookie) + "=" + token +
                                       "; Path=/; HttpOnly; SameSite=Strict" +
                                       (settings_.tls() ? "; Secure" : ""));
  return res;
}

Response WebApi::logout(Call& call) {
  sessions_.destroy(call.token);
  record_logout(store_, call.session->user, call.client, now_ms());
  auto res = call.json_reply({{"ok", true}});
  res.set(http::field::set_cookie, std::string(kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
  return res;
}

Response WebApi::hits(Call& call) {
  std::optional<std::string> state;
  if (const auto s = call.param("state"); !s.empty()) {
    if (s != "new" && s != "acknowledged" && s != "closed") {
      return call.error(http::status::bad_request, "state must be new, acknowledged or closed");
    }
    state = s;
  }
  std::optional<TimestampMs> since;
  if (const auto s = call.param("since"); !s.empty()) {
    since = parse_iso8601(s);
    if (!since) return call.error(http::status::bad_request, "since '" + s + "' is not an ISO 8601 UTC time");
  }
  const int limit = call.limit(200, kMaxRows);
  const CameraDirectory cameras(list_cameras(store_));
  const ListColours colours(list_watchlists(store_));
  json rows = json::array();
  for (const auto& h : list_hits(store_, since, state, limit)) rows.push_back(hit_json(h, cameras, colours));
  return call.json_reply({{"hits", rows}});
}

std::optional<Response> WebApi::read_note(Call& call, std::string& note) {
  std::string why;
  const auto body = call.body_json(why);
  if (!body) return call.error(http::status::bad_request, why);
  const auto given = body->find("note");
  if (given != body->end() && !given->is_string())
    return call.error(http::status::bad_request, "note must be text");
  note = given != body->end() ? given->get<std::string>() : "";
  if (note.size() > 2000) return call.error(http::status::bad_request, "a note has at most 2000 characters");
  return std::nullopt;
}

Response WebApi::move_hit(Call& call, const std::string& hit_id, bool close) {
  std::string note;
  if (auto refused = read_note(call, note)) return *refused;
  const auto now = now_ms();
  const bool ok = receiver::move_hit(store_, hit_id, close ? HitStep::kClose : HitStep::kAcknowledge,
                                     {call.session->user, note, now});
  if (!ok) {
    return call.error(
        http::status::conflict,
        "hit " + hit_id + (close ? " is not acknowledged" : " is not new") + " (or does not exist)");
  }
  const json event{
      {"type", "hit-state"},      {"hit_id", hit_id}, {"state", close ? "closed" : "acknowledged"},
      {"by", call.session->user}, {"note", note},     {"at", to_iso8601(now)}};
  if (notify_) notify_(event.dump(-1, ' ', false, json::error_handler_t::replace));
  return call.json_reply(event);
}

Response WebApi::set_camera_position(Call& call, const std::string& camera_id) {
  std::string why;
  const auto body = call.body_json(why);
  if (!body) return call.error(http::status::bad_request, why);
  const auto given_reason = body->find("reason");
  const auto reason = given_reason != body->end() && given_reason->is_string()
                          ? audit_reason(given_reason->get<std::string>())
                          : std::nullopt;
  if (!reason)
    return call.error(http::status::bad_request,
                      std::string("give the reason for the change (") + kReasonRule + ")");
  const auto camera = find_camera(store_, camera_id);
  if (!camera) return call.error(http::status::not_found, "no camera " + camera_id.substr(0, 64));
  CameraPlace place{camera->latitude, camera->longitude, camera->bearing};
  // Each of latitude, longitude and bearing: a number in range, or null to clear it.
  const auto coordinate = [&](const char* key, double lo, double hi,
                              std::optional<double>& out) -> std::optional<Response> {
    if (!body->contains(key)) return std::nullopt;
    const auto& v = (*body)[key];
    if (v.is_null()) {
      out.reset();
      return std::nullopt;
    }
    if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi) {
      return call.error(http::status::bad_request, std::string(key) + " must be a number from " +
                                                       fmt::format("{}", lo) + " to " +
                                                       fmt::format("{}", hi) + ", or null");
    }
    out = v.get<double>();
    return std::nullopt;
  };
  if (auto bad = coordinate("latitude", -90, 90, place.latitude)) return *bad;
  if (auto bad = coordinate("longitude", -180, 180, place.longitude)) return *bad;
  if (auto bad = coordinate("bearing", 0, 360, place.bearing)) return *bad;
  // Latitude without longitude: anpr::Error (kInput) from the service, answered 400 by handle().
  const auto moved = set_camera_place(store_, *camera, place, {call.session->user, *reason, now_ms()});
  return call.json_reply({{"camera", camera_json(moved)}});
}

Response WebApi::dashboard(Call& call) {
  const auto now = now_ms();
  const auto from_text = call.param("from"), to_text = call.param("to");
  const auto to = to_text.empty() ? std::optional<TimestampMs>(now) : parse_iso8601(to_text);
  const auto from =
      from_text.empty() && to ? std::optional<TimestampMs>(*to - 7 * kDayMs) : parse_iso8601(from_text);
  if (!from || !to) return call.error(http::status::bad_request, kBadPeriod);
  const auto report =
      analysis::partnership_dashboard(store_, store_, *from, *to);  // bad periods: anpr::Error, a 400
  const auto table = call.param("table");
  if (call.param("format") != "csv") return call.json_reply(report.json);
  if (table != "reads" && table != "hits")
    return call.error(http::status::bad_request, "table must be reads or hits");
  Response res = call.reply(http::status::ok, table == "reads" ? report.reads_csv : report.hits_csv,
                            "text/csv; charset=utf-8");
  res.set(http::field::content_disposition, "attachment; filename=\"anpr-" + table + "-" +
                                                to_iso8601(*from).substr(0, 10) + "-to-" +
                                                to_iso8601(*to).substr(0, 10) + ".csv\"");
  return res;
}

Response WebApi::faults(Call& call) {
  // Default: what still needs someone (open, or not yet acknowledged); ?all=1 adds the settled ones.
  const bool all = call.param("all") == "1";
  const int limit = call.limit(500, kMaxRows);
  const CameraDirectory cameras(list_cameras(store_));
  json rows = json::array();
  for (const auto& f : list_faults(store_, 0, !all, limit)) rows.push_back(fault_json(f, cameras));
  return call.json_reply({{"faults", rows}});
}

Response WebApi::acknowledge_fault(Call& call, const std::string& fault_id) {
  std::string note;
  if (auto refused = read_note(call, note)) return *refused;
  const TimestampMs now = now_ms();
  if (!receiver::acknowledge_fault(store_, fault_id, {call.session->user, note, now})) {
    return call.error(http::status::conflict,
                      "fault " + fault_id.substr(0, 64) + " is not new (or does not exist)");
  }
  // The changed fault as stored (the faults changed since the acknowledgement are few) to every
  // screen, as the camera-fault monitor sends the faults it raises and clears.
  if (notify_) {
    const CameraDirectory cameras(list_cameras(store_));
    for (const auto& f : list_faults(store_, now, false, kMaxRows)) {
      if (f.fault_id != fault_id) continue;
      notify_(json{{"type", "fault"}, {"fault", fault_json(f, cameras)}}.dump(
          -1, ' ', false, json::error_handler_t::replace));
    }
  }
  return call.json_reply({{"fault_id", fault_id}, {"state", "acknowledged"}, {"by", call.session->user}});
}

Response WebApi::search(Call& call, bool movements) {
  const auto given_reason = audit_reason(call.param("reason"));
  if (!given_reason) {
    return call.error(http::status::bad_request, std::string("give the reason for this search (") +
                                                     kReasonRule + "): every search is audited");
  }
  const std::string& reason = *given_reason;
  const auto now = now_ms();
  const auto period = call.period(now - 30 * kDayMs, now);
  if (!period) return call.error(http::status::bad_request, kBadPeriod);
  const int limit = call.limit(1000, kMaxRows);
  // A period that runs backwards or a bad plate: anpr::Error (kInput) from the service, a 400.
  const SearchWindow window{period->first, period->second, limit};
  const Caller caller{call.session->user, reason, now};
  const auto rows = movements ? search_movements(store_, store_, call.param("plate"), window, caller)
                              : search_reads(store_, store_, call.param("camera"), window, caller);
  json out = json::array();
  for (const auto& s : rows) out.push_back(sighting_json(s));
  return call.json_reply({{"rows", out}, {"truncated", static_cast<int>(rows.size()) == limit}});
}

Response WebApi::evidence_pack(Call& call) {
  // At most 200 sightings from the web (the pack is built in memory to be sent; the command
  // line's export takes up to 5000).
  constexpr int kMaxWebSightings = 200;
  const auto now = now_ms();
  const auto period = call.period(now - 30 * kDayMs, now);
  if (!period) return call.error(http::status::bad_request, kBadPeriod);
  const std::string plate = normalise_plate(call.param("plate"));
  const bool pattern = plate.find_first_of("?*") != std::string::npos;
  if (pattern ? pattern_error(plate).has_value() : !is_normalised_plate(plate)) {
    return call.error(http::status::bad_request,
                      "plate '" + call.param("plate") + "': 1-12 letters and digits, or a pattern");
  }
  const int limit = call.limit(kMaxWebSightings, kMaxWebSightings);
  const TemporaryFile pack(fs::temp_directory_path() / ("anpr-evidence-" + make_uuid() + ".zip"));
  const fs::path& file = pack.path;
  EvidencePackSummary summary;
  try {
    summary = write_evidence_pack(
        store_, {plate, period->first, period->second, call.session->user, call.param("reason"), limit},
        file);
  } catch (const Error& e) {
    return call.error(
        e.code() == ErrorCode::kInput ? http::status::bad_request : http::status::internal_server_error,
        e.what());
  }
  std::ifstream in(file, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto res = call.reply(http::status::ok, bytes.str(), "application/zip");
  res.set(http::field::content_disposition, "attachment; filename=\"evidence-" + plate + "-audit-" +
                                                std::to_string(summary.audit_id) + ".zip\"");
  res.set("X-Audit-Id", std::to_string(summary.audit_id));
  return res;
}

Response WebApi::analyse(Call& call, const std::string& kind) {
  const auto& kinds = analysis::analysis_kinds();
  if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
    return call.error(http::status::not_found, "no such analysis: " + kind.substr(0, 50));
  }
  const auto given_reason = audit_reason(call.param("reason"));
  if (!given_reason) {
    return call.error(http::status::bad_request, std::string("give the reason for this analysis (") +
                                                     kReasonRule + "): every run is audited");
  }
  const std::string& reason = *given_reason;
  analysis::Params params(call.query.begin(), call.query.end());
  params.erase("reason");
  const bool csv = params["format"] == "csv";
  params.erase("format");
  // Bad parameters throw anpr::Error (kInput), answered 400 with the message by handle().
  const auto out =
      analysis::run_analysis(store_, kind, params, {call.session->user, reason, now_ms()}, settings_.clones);
  if (!csv) return call.json_reply(out.json);
  Response res = call.reply(http::status::ok, out.csv, "text/csv; charset=utf-8");
  res.set(http::field::content_disposition, "attachment; filename=\"anpr-" + kind + ".csv\"");
  return res;
}

Response WebApi::sections(Call& call) {
  json out = json::array();
  for (const auto& s : analysis::speed_sections(store_)) {
    out.push_back({{"name", s.name},
                   {"from_camera", s.from_camera},
                   {"to_camera", s.to_camera},
                   {"distance_m", s.distance_m},
                   {"limit_mph", s.limit_mph}});
  }
  return call.json_reply({{"sections", out}});
}

Response WebApi::image(Call& call, const std::string& read_id, bool overview) {
  const auto images = find_read_images(store_, read_id);
  const std::string relative = images ? (overview ? images->overview_path : images->crop_path) : "";
  if (relative.empty() || settings_.data_dir.empty())
    return call.error(http::status::not_found, "no such image");
  // The stored path is the receiver's own, but it is still kept inside the image folder.
  std::error_code ec;
  const auto base = fs::weakly_canonical(fs::path(settings_.data_dir) / "images", ec);
  const auto file = fs::weakly_canonical(fs::path(settings_.data_dir) / "images" / relative, ec);
  const auto [end, _] = std::mismatch(base.begin(), base.end(), file.begin(), file.end());
  if (ec || end != base.end()) return call.error(http::status::not_found, "no such image");
  std::ifstream in(file, std::ios::binary);
  if (!in) return call.error(http::status::not_found, "image file missing: it may have been purged");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  auto res = call.reply(http::status::ok, bytes.str(), "image/jpeg");
  res.set(http::field::cache_control, "private, max-age=86400");
  return res;
}

Response WebApi::cameras(Call& call) {
  json out = json::array();
  for (const auto& c : list_cameras(store_)) out.push_back(camera_json(c));
  return call.json_reply({{"cameras", out}});
}

Response WebApi::watchlists(Call& call) {
  json out = json::array();
  for (const auto& l : list_watchlists(store_)) {
    out.push_back({{"name", l.name},
                   {"category", l.category},
                   {"priority", l.priority},
                   {"colour", l.colour},
                   {"action", l.action},
                   {"entries", watchlist_entries(store_, l.name).size()}});
  }
  return call.json_reply({{"watchlists", out}});
}

Response WebApi::entries(Call& call, const std::string& list) {
  json out = json::array();
  for (const auto& e : watchlist_entries(store_, list)) {
    out.push_back({{"plate", e.plate},
                   {"reason", e.reason},
                   {"added_by", e.added_by},
                   {"added_at", to_iso8601(e.added_at)},
                   {"expires_at", e.expires_at ? json(to_iso8601(*e.expires_at)) : json(nullptr)}});
  }
  return call.json_reply({{"list", list}, {"entries", out}});
}

Response WebApi::add_entry(Call& call, const std::string& list) {
  std::string why;
  const auto body = call.body_json(why);
  if (!body) return call.error(http::status::bad_request, why);
  const auto lists = list_watchlists(store_);
  if (std::none_of(lists.begin(), lists.end(), [&](const auto& l) { return l.name == list; })) {
    return call.error(http::status::not_found, "no watchlist named '" + list + "'");
  }
  const WatchlistChange change{call.session->user, body->value("reason", ""), settings_.lookback_days,
                               now_ms(), live_};
  const auto raised =
      add_watchlist_entry(store_, list, body->value("plate", ""), body->value("expires", ""), change);
  return call.json_reply(
      {{"added", normalise_plate(body->value("plate", ""))}, {"retrospective_hits", raised}});
}

Response WebApi::change_entry(Call& call, const std::string& list, const std::string& plate, bool expire) {
  std::string why;
  const auto body = call.body_json(why);
  if (!body) return call.error(http::status::bad_request, why);
  const auto reason = audit_reason(body->value("reason", ""));
  if (!reason)
    return call.error(http::status::bad_request, std::string("give a reason (") + kReasonRule + "; audited)");
  const WatchlistChange change{call.session->user, *reason, 0, now_ms()};
  bool ok = false;
  if (expire) {
    const std::string at_text = body->value("at", "");
    const auto at = at_text.empty() ? std::optional<TimestampMs>(change.now) : parse_iso8601(at_text);
    if (!at) return call.error(http::status::bad_request, "at '" + at_text + "' is not an ISO 8601 UTC time");
    ok = expire_watchlist_entry(store_, store_, list, plate, *at, change);
  } else {
    ok = remove_watchlist_entry(store_, store_, list, plate, change);
  }
  if (!ok)
    return call.error(http::status::not_found, "'" + list + "' has no entry " + normalise_plate(plate));
  return call.json_reply({{"ok", true}});
}

Response WebApi::import_list(Call& call, const std::string& list) {
  WatchlistInfo info;
  info.name = list;
  info.category = call.param("category");
  info.action = call.param("action");
  if (!call.param("colour").empty()) info.colour = call.param("colour");
  if (!call.param("priority").empty()) {
    info.priority = std::atoi(call.param("priority").c_str());
    if (info.priority < 0 || info.priority > 99)
      return call.error(http::status::bad_request, "priority is 0-99");
  }
  // Keep what the list already says unless the upload says otherwise.
  for (const auto& l : list_watchlists(store_)) {
    if (l.name != list) continue;
    if (info.category.empty()) info.category = l.category;
    if (info.action.empty()) info.action = l.action;
    if (call.param("colour").empty()) info.colour = l.colour;
    if (call.param("priority").empty()) info.priority = l.priority;
  }
  const std::string source =
      call.param("file").empty() ? "web upload" : "web upload " + call.param("file").substr(0, 200);
  const auto result =
      import_watchlist(store_, info, call.req.body(), source,
                       {call.session->user, source, settings_.lookback_days, now_ms(), live_});
  if (!result.errors.empty()) {
    json errors = json::array();
    for (const auto& e : result.errors) errors.push_back({{"line", e.line}, {"message", e.message}});
    std::string message = std::to_string(result.errors.size()) + " bad rows; nothing imported";
    if (result.errors.unlisted() > 0) message += " (the first " + std::to_string(errors.size()) + " listed)";
    return call.json_reply({{"error", message}, {"bad_rows", result.errors.size()}, {"rows", errors}},
                           http::status::unprocessable_entity);
  }
  return call.json_reply({{"entries", result.entries},
                          {"version", result.version},
                          {"retrospective_hits", result.retrospective_hits}});
}

Response WebApi::audit(Call& call) {
  const int limit = call.limit(500, kMaxRows);
  json out = json::array();
  for (const auto& a : recent_audit_records(store_, limit)) {
    out.push_back({{"id", a.id},
                   {"at", to_iso8601(a.at)},
                   {"actor", a.actor},
                   {"action", a.action},
                   {"subject", a.subject},
                   {"reason", a.reason}});
  }
  return call.json_reply({{"audit", out}});
}

Response WebApi::page(Call& call) {
  if (call.req.method() != http::verb::get && call.req.method() != http::verb::head) {
    return call.error(http::status::method_not_allowed, "pages are read with GET");
  }
  const std::string path = call.path.empty()       ? ""
                           : call.path.size() == 1 ? call.path[0]
                                                   : call.path[0] + "/" + call.path[1];
  // The login page and what it needs are public; everything else needs a session.
  const bool is_public = path == "login" || path == "static/login.js" || path == "static/app.css";
  if (!is_public && !call.session) {
    if (path.empty()) {
      Response res{http::status::see_other, call.req.version()};
      res.set(http::field::location, "/login");
      res.prepare_payload();
      return res;
    }
    return call.error(http::status::unauthorized, "log in first");
  }
  const Asset* asset = find_asset(path.empty() ? "app.html" : path == "login" ? "login.html" : path);
  if (!asset || call.path.size() > 2) return call.error(http::status::not_found, "no such page");
  auto res = call.reply(http::status::ok, std::string(asset->body), asset->content_type);
  return res;
}

}  // namespace anpr::receiver::web
