#include "api/route_auth.h"

#include <nlohmann/json.hpp>

#include "api/context.h"
#include "api/path_access.h"
#include "api/request_auth.h"
#include "auth/authenticator.h"
#include "auth/token.h"
#include "common/base64.h"
#include "common/log.h"
#include "common/strings.h"
#include "metrics/registry.h"
#include "service/references.h"
#include "triggers/webhook_signature.h"

namespace millrace::api {
namespace {

using nlohmann::json;

metrics::Counter& refusals(const std::string& method) {
  static auto& family = metrics::registry().counters(
      "millrace_http_route_refused_total",
      "Calls to HTTP routes refused before any job, by the route's authentication method.");
  return family.counter({{"authentication", method}});
}

// What a sender without the route's credentials is told. The detail goes to the log.
Error refused(const std::string& method, const std::string& why) {
  refusals(method).add();
  return Error::unauthorized(why);
}

// A route whose own settings cannot be used: the sender is not told why (the log is).
Error misconfigured(const store::HttpTriggerRecord& t, const std::string& why) {
  log::warn("http route " + t.workspace_id + "/" + t.path + " cannot authenticate calls: " + why,
            {{"workspace", t.workspace_id}, {"trigger", t.path}});
  return Error::internal("this route's authentication is not configured correctly");
}

std::string string_field(const json& v, std::initializer_list<const char*> names) {
  for (const char* n : names) {
    if (v.contains(n) && v[n].is_string()) return v[n].get<std::string>();
  }
  return {};
}

// Millrace's shape {"header", "key"}, or Windmill's {"api_key_header", "api_key_secret"}.
std::string api_key_header(const json& v) {
  return to_lower(string_field(v, {"header", "api_key_header"}));
}

Status check_api_key(const http::Request& req, const store::HttpTriggerRecord& t, const json& v) {
  std::string header = api_key_header(v);
  std::string key = string_field(v, {"key", "api_key_secret", "api_key"});
  if (header.empty() || key.empty()) return misconfigured(t, "api_key needs a header and a key");
  const std::string* sent = req.header(header);
  if (!sent || !auth::constant_time_equal(*sent, key)) {
    return refused("api_key", "missing or invalid API key");
  }
  return Status::ok();
}

Status check_basic(const http::Request& req, const store::HttpTriggerRecord& t, const json& v) {
  std::string user = string_field(v, {"username"});
  std::string password = string_field(v, {"password"});
  if (user.empty()) return misconfigured(t, "basic_http needs a username");
  const std::string* header = req.header("authorization");
  std::optional<std::string> decoded;
  if (header && header->size() > 6 && to_lower(header->substr(0, 6)) == "basic ") {
    decoded = base64_decode(trim(std::string_view(*header).substr(6)));
  }
  size_t colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon == std::string::npos) {
    return refused("basic_http", "HTTP basic credentials required");
  }
  // Both compared, whichever is wrong: the time says nothing of which.
  bool user_ok = auth::constant_time_equal(decoded->substr(0, colon), user);
  bool password_ok = auth::constant_time_equal(decoded->substr(colon + 1), password);
  if (!user_ok || !password_ok) {
    return refused("basic_http", "invalid HTTP basic credentials");
  }
  return Status::ok();
}

std::string header_or_empty(const http::Request& req, std::string_view name) {
  const std::string* v = req.header(name);
  return v ? *v : std::string();
}

// What identifies a delivery across its sender's retries, as each sender documents it.
std::string delivery_id(triggers::SignatureScheme scheme, const http::Request& req) {
  using triggers::SignatureScheme;
  switch (scheme) {
    case SignatureScheme::kGitHub:
      return header_or_empty(req, "x-github-delivery");
    case SignatureScheme::kStripe: {
      json event = json::parse(req.body, nullptr, false);
      return event.is_object() && event.contains("id") && event["id"].is_string()
                 ? event["id"].get<std::string>()
                 : std::string();
    }
    case SignatureScheme::kSlack: {
      std::string ts = header_or_empty(req, "x-slack-request-timestamp");
      std::string sig = header_or_empty(req, "x-slack-signature");
      return ts.empty() || sig.empty() ? std::string() : ts + ":" + sig;
    }
    case SignatureScheme::kShopify:
      return header_or_empty(req, "x-shopify-webhook-id");
    case SignatureScheme::kStandardWebhooks: {
      std::string id = header_or_empty(req, "webhook-id");
      return id.empty() ? header_or_empty(req, "svix-id") : id;
    }
    case SignatureScheme::kCustom:
      break;
  }
  return {};
}

// The delivery's id when its signature holds.
Result<std::string> check_signature(ApiContext& ctx, const http::Request& req,
                                    const store::HttpTriggerRecord& t, const std::string& value) {
  auto settings = triggers::parse_signature_settings(value);
  if (!settings) return misconfigured(t, settings.error().message);
  auto check = triggers::verify_signature(
      *settings,
      [&req](std::string_view name) -> std::optional<std::string> {
        if (const std::string* v = req.header(name)) return *v;
        return std::nullopt;
      },
      req.body, ctx.clock.now_ms() / 1000);
  if (!check.valid) return refused("signature", check.reason);
  return delivery_id(settings->scheme, req);
}

// A Windmill token: the caller runs the job, and must be able to read the route.
Result<auth::Identity> windmill_caller(ApiContext& ctx, const http::Request& req,
                                       const store::HttpTriggerRecord& t) {
  auto token = request_token(req);
  if (!token) {
    refusals("windmill").add();
    return Error::of(ErrorKind::Unauthorized, "Unauthorized");
  }
  auto who = ctx.auth.authenticate(token->value, t.workspace_id);
  if (!who) {
    refusals("windmill").add();
    return who.error();
  }
  MR_TRY(refuse_cross_site(ctx, req, *token));
  auto readable = may_read_path(ctx, *who, t.workspace_id, t.path);
  if (!readable) return readable.error();
  if (!*readable) return Error::not_found("http trigger not found at path " + t.path);
  return who;
}

}  // namespace

Result<RouteAuthenticator::Caller> RouteAuthenticator::authenticate(ApiContext& ctx,
                                                                    const http::Request& req,
                                                                    const Route& route) {
  const auto& t = route.trigger;
  if (route.method == "windmill") {
    auto caller = windmill_caller(ctx, req, t);
    if (!caller) return caller.error();
    return Caller{std::move(*caller), {}, {}};
  }
  auto owner = ctx.auth.member_identity(t.email, t.workspace_id);
  if (!owner) return misconfigured(t, "its owner " + t.email + " is not a member any more");
  if (route.method == "none") return Caller{std::move(*owner), {}, {}};
  if (!route.resource_path) return misconfigured(t, "no authentication_resource_path");
  auto value = settings(ctx, *owner, route);
  if (!value) return misconfigured(t, value.error().message);
  if (route.method == "signature") {
    auto delivery = check_signature(ctx, req, t, *value);
    if (!delivery) return delivery.error();
    return Caller{std::move(*owner), {}, std::move(*delivery)};
  }
  json v = json::parse(*value, nullptr, false);
  if (!v.is_object()) return misconfigured(t, "its resource is not a JSON object");
  if (route.method == "api_key") {
    MR_TRY(check_api_key(req, t, v));
    return Caller{std::move(*owner), api_key_header(v), {}};
  }
  if (route.method == "basic_http") {
    MR_TRY(check_basic(req, t, v));
    return Caller{std::move(*owner), {}, {}};
  }
  return misconfigured(t, "authentication_method " + route.method + " is not served");
}

Result<std::string> RouteAuthenticator::settings(ApiContext& ctx, const auth::Identity& owner,
                                                 const Route& route) {
  const auto& t = route.trigger;
  const std::string key = t.workspace_id + "\n" + t.path;
  const EpochMs now = ctx.clock.now_ms();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.trigger_edited_at == t.edited_at &&
        now - it->second.read_at < kSettingsTtlMs) {
      return it->second.value;
    }
  }
  const std::string& path = *route.resource_path;
  auto found = ctx.resources.find(t.workspace_id, path);
  if (!found) return found.error();
  auto readable = may_read_path(ctx, owner, t.workspace_id, path);
  if (!readable) return readable.error();
  if (!*found || !*readable) return Error::not_found("resource " + path + " not found");
  service::References refs(ctx.variables, ctx.resources, ctx.folders);
  auto value = refs.resolve(owner, t.workspace_id, (*found)->value_json);
  if (!value) return value.error();
  std::lock_guard lock(mutex_);
  cache_[key] = {now, t.edited_at, *value};
  return value;
}

}  // namespace millrace::api
