// Login, logout, who am I, version.
#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/login_limiter.h"
#include "auth/password.h"
#include "auth/password_pool.h"
#include "auth/token.h"
#include "common/strings.h"
#include "metrics/registry.h"

namespace millrace::api {
namespace {

// Strict: a page of another site never gets the session sent along, not even by a link.
std::string session_cookie_attributes(const ApiContext& ctx) {
  return std::string("; HttpOnly; SameSite=Strict; Path=/") +
         (starts_with(ctx.base_url, "https://") ? "; Secure" : "");
}

using nlohmann::json;

constexpr const char* kVersion = "CE v1.743.0 (millrace 0.1.0)";

// The session of a user whose password was right, and its cookie.
void open_session(ApiContext& ctx, const http::ResponderPtr& r, const store::UserRecord& user) {
  auto token = ctx.tokens.open_session(user, ctx.config.session_validity_s);
  if (!token) return reply_error(r, token.error());
  http::Response res = http::Response::text(200, *token);
  res.headers.emplace_back("Set-Cookie",
                           "token=" + *token + session_cookie_attributes(ctx) +
                               "; Max-Age=" + std::to_string(ctx.config.session_validity_s));
  r->send(std::move(res));
}

// The password is checked on the password pool (auth/password_pool.h), never here; failed
// logins slow down per account and per address (auth/login_limiter.h).
void count_login(std::string_view outcome) {
  static auto& logins = metrics::registry().counters(
      "millrace_logins_total",
      "Password logins, by outcome (success, failure, throttled: refused by the failed-login "
      "limit, busy: too many at once)");
  logins.counter({{"outcome", outcome}}).add();
}

void login(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json body = json::parse(*text);
  if (!body.is_object() || !body["email"].is_string() || !body["password"].is_string()) {
    return reply_error(r, json_data_error("expected {\"email\": string, \"password\": string}"));
  }
  std::string email = to_lower(body["email"].get<std::string>());
  const std::string address = req.remote;
  if (int64_t wait_ms = ctx.logins.wait_ms(email, address); wait_ms > 0) {
    const int64_t seconds = (wait_ms + 999) / 1000;
    http::Response res = http::Response::text(
        429, "Too many failed logins: try again in " + std::to_string(seconds) + " s");
    res.headers.emplace_back("Retry-After", std::to_string(seconds));
    count_login("throttled");
    return r->send(std::move(res));
  }
  auto user = ctx.users.find_user(email);
  if (!user) return reply_error(r, user.error());
  std::optional<std::string> hash;
  if (*user && (*user)->password_hash) hash = (*user)->password_hash;
  auto found = *user;
  bool queued = ctx.passwords.verify(std::move(hash), body["password"].get<std::string>(),
                                     [&ctx, r, email, address, found](bool right) {
                                       count_login(right ? "success" : "failure");
                                       if (!right) {
                                         ctx.logins.failed(email, address);
                                         return reply_error(r, Error::bad_request("Invalid login"));
                                       }
                                       ctx.logins.succeeded(email);
                                       open_session(ctx, r, *found);
                                     });
  if (!queued) {
    count_login("busy");
    reply_error(r, Error::of(ErrorKind::Unavailable,
                             "Service Unavailable: too many logins at once; try again "
                             "shortly"));
  }
}

void logout(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  if (auto token = request_token(req)) {
    if (auto s = refuse_cross_site(ctx, req, *token); !s) return reply_error(r, s.error());
    ctx.tokens.end_session(auth::hash_token(token->value));
  }
  http::Response res = http::Response::text(200, "logged out");
  res.headers.emplace_back("Set-Cookie", "token=" + session_cookie_attributes(ctx) + "; Max-Age=0");
  r->send(std::move(res));
}

void whoami(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  auto user = ctx.users.find_user(who->email);
  json o = {{"email", who->email},    {"login_type", "password"}, {"super_admin", who->super_admin},
            {"devops", false},        {"verified", true},         {"username", who->username},
            {"operator_only", false}, {"first_time_user", false}, {"role_source", "manual"},
            {"disabled", false},      {"name", nullptr},          {"company", nullptr}};
  if (user && *user) {
    if ((*user)->name) o["name"] = *(*user)->name;
    if ((*user)->company) o["company"] = *(*user)->company;
  }
  reply_json(r, 200, o.dump());
}

}  // namespace

void add_auth_routes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/version",
             [](http::Request&, http::ResponderPtr r) { reply_text(r, 200, kVersion); });
  router.add("POST", "/api/auth/login", bind_handler(ctx, login));
  router.add("POST", "/api/auth/logout", bind_handler(ctx, logout));
  router.add("GET", "/api/users/whoami", bind_handler(ctx, whoami));
}

}  // namespace millrace::api
