// HTTP routes (Windmill's /http_triggers routes): made, changed, read and deleted like the other
// owned paths (a token's scope for the path, the caller's rights there). A route's URL
// (`/api/r/<route_path>`) is the instance's: no two routes may answer the same requests.
#include <nlohmann/json.hpp>

#include "api/body_fields.h"
#include "api/extra_fields.h"
#include "api/owned_paths.h"
#include "api/path_access.h"
#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/scopes.h"
#include "common/clock.h"
#include "common/strings.h"
#include "service/http_triggers.h"
#include "triggers/route_table.h"

namespace millrace::api {
namespace {

using nlohmann::json;

const OwnedPath kTrigger{"http_triggers", "http trigger"};

bool one_of(const std::string& v, std::initializer_list<const char*> allowed) {
  for (const char* a : allowed) {
    if (v == a) return true;
  }
  return false;
}

// A NewHttpTrigger (or EditHttpTrigger) checked for shape; its settings kept as the API shows
// them.
Result<store::HttpTriggerRecord> parse_trigger(const json& b, const std::string& ws) {
  if (!b.is_object()) return json_data_error("expected a NewHttpTrigger object");
  for (const char* f :
       {"path", "script_path", "route_path", "http_method", "authentication_method"}) {
    if (!b.contains(f)) return json_data_error(std::string("missing field `") + f + "`");
    if (!b[f].is_string()) return json_data_error(std::string(f) + ": expected a string");
  }
  for (const char* f : {"is_flow", "is_static_website", "workspaced_route", "is_async", "wrap_body",
                        "raw_string"}) {
    if (b.contains(f) && !b[f].is_null() && !b[f].is_boolean()) {
      return json_data_error(std::string(f) + ": expected a boolean");
    }
  }
  if (!b.contains("is_flow")) return json_data_error("missing field `is_flow`");
  store::HttpTriggerRecord t;
  t.workspace_id = ws;
  t.path = b["path"].get<std::string>();
  t.route_path = b["route_path"].get<std::string>();
  t.http_method = to_lower(b["http_method"].get<std::string>());
  t.workspaced_route = b.value("workspaced_route", false);
  const std::string script_path = b["script_path"].get<std::string>();
  const std::string auth = b["authentication_method"].get<std::string>();
  if (!is_valid_script_path(t.path)) return invalid_path_error(t.path);
  if (!is_valid_script_path(script_path)) return invalid_path_error(script_path);
  MR_TRY(triggers::RouteTable::check_route_path(t.route_path));
  if (!one_of(t.http_method, {"get", "post", "put", "delete", "patch"})) {
    return json_data_error("http_method: unknown variant `" + t.http_method +
                           "`, expected one of `get`, `post`, `put`, `delete`, `patch`");
  }
  if (!one_of(auth, {"none", "windmill", "api_key", "basic_http", "custom_script", "signature"})) {
    return json_data_error("authentication_method: unknown variant `" + auth + "`");
  }
  if (b.value("is_static_website", false)) {
    return Error::bad_request(
        "static websites are not served by Millrace: is_static_website "
        "must be false");
  }
  std::string request_type = b.value("is_async", false) ? "async" : "sync";
  if (b.contains("request_type") && !b["request_type"].is_null()) {
    if (!b["request_type"].is_string() ||
        !one_of(b["request_type"].get<std::string>(), {"sync", "async", "sync_sse"})) {
      return json_data_error("request_type: expected `sync`, `async` or `sync_sse`");
    }
    request_type = b["request_type"].get<std::string>();
  }
  auto resource = optional_string(b, "authentication_resource_path");
  if (!resource) return resource.error();
  const bool needs_resource = one_of(auth, {"api_key", "basic_http", "custom_script", "signature"});
  if (needs_resource && !*resource) {
    return Error::bad_request("authentication_method " + auth +
                              " needs authentication_resource_path");
  }
  if (*resource && !is_valid_script_path(**resource)) return invalid_path_error(**resource);
  for (const char* f : {"summary", "description"}) {
    if (auto v = optional_string(b, f); !v) return v.error();
  }
  // Millrace's back-pressure settings (null: none).
  auto present = [&b](const char* f) { return b.contains(f) && !b[f].is_null(); };
  if (present("queue_limit") &&
      (!b["queue_limit"].is_number_integer() || b["queue_limit"].get<int64_t>() < 0)) {
    return json_data_error("queue_limit: expected a whole number, 0 or more");
  }
  if (present("rate_limit_per_second") && (!b["rate_limit_per_second"].is_number() ||
                                           !(b["rate_limit_per_second"].get<double>() > 0))) {
    return json_data_error("rate_limit_per_second: expected a number above 0");
  }
  if (present("rate_limit_burst") &&
      (!b["rate_limit_burst"].is_number_integer() || b["rate_limit_burst"].get<int64_t>() < 1)) {
    return json_data_error("rate_limit_burst: expected a whole number, 1 or more");
  }
  json config = extra_fields(
      b, {"path", "route_path", "http_method", "workspaced_route", "is_async", "is_static_website",
          "request_type", "edited_by", "edited_at", "email", "workspace_id", "extra_perms"});
  config["script_path"] = script_path;
  config["is_flow"] = b["is_flow"].is_boolean() && b["is_flow"].get<bool>();
  config["authentication_method"] = auth;
  config["authentication_resource_path"] = *resource ? json(**resource) : json(nullptr);
  config["request_type"] = request_type;
  config["wrap_body"] = b.value("wrap_body", false);
  config["raw_string"] = b.value("raw_string", false);
  if (!config.contains("summary")) config["summary"] = nullptr;
  if (!config.contains("description")) config["description"] = nullptr;
  t.config_json = config.dump();
  return t;
}

json trigger_json(const store::HttpTriggerRecord& t) {
  json o = json::parse(t.config_json, nullptr, false);
  if (!o.is_object()) o = json::object();
  o["workspace_id"] = t.workspace_id;
  o["path"] = t.path;
  o["route_path"] = t.route_path;
  o["http_method"] = t.http_method;
  o["workspaced_route"] = t.workspaced_route;
  o["email"] = t.email;
  o["edited_by"] = t.edited_by;
  o["edited_at"] = format_rfc3339(t.edited_at);
  o["is_async"] = o.value("request_type", "") == "async";  // Windmill's older name for it
  o["is_static_website"] = false;
  o["extra_perms"] = json::object();
  o["mode"] = "enabled";
  return o;
}

Result<json> body_object(const http::Request& req) {
  auto text = json_body_text(req);
  if (!text) return text.error();
  return json::parse(*text);
}

void create(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto b = body_object(req);
  if (!b) return reply_error(r, b.error());
  auto t = parse_trigger(*b, ws);
  if (!t) return reply_error(r, t.error());
  if (auto st = check_write(ctx, *who, ws, kTrigger, t->path); !st) {
    return reply_error(r, st.error());
  }
  const std::string path = t->path;
  if (auto st = ctx.http_triggers.save(*who, std::move(*t), std::nullopt); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 201, path);
}

void update(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kTrigger, path);
  if (!who) return reply_error(r, who.error());
  auto b = body_object(req);
  if (!b) return reply_error(r, b.error());
  auto t = parse_trigger(*b, ws);
  if (!t) return reply_error(r, t.error());
  if (t->path != path) {
    if (auto st = check_write(ctx, *who, ws, kTrigger, t->path); !st) {
      return reply_error(r, st.error());
    }
  }
  if (auto st = ctx.http_triggers.save(*who, std::move(*t), path); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 200, path);
}

void remove(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kTrigger, path);
  if (!who) return reply_error(r, who.error());
  if (auto st = ctx.http_triggers.remove(*who, ws, path); !st) return reply_error(r, st.error());
  reply_text(r, 200, "http trigger " + path + " deleted");
}

void get(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_read(ctx, req, ws, kTrigger, path);
  if (!who) return reply_error(r, who.error());
  auto t = ctx.http_triggers.find(ws, path);
  if (!t) return reply_error(r, t.error());
  if (!*t) return reply_error(r, Error::not_found("http trigger not found at path " + path));
  reply_json(r, 200, trigger_json(**t).dump());
}

void exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  reply_exists(ctx, req, std::move(r), kTrigger,
               [&](const std::string& ws, const std::string& path) -> Result<bool> {
                 auto t = ctx.http_triggers.find(ws, path);
                 if (!t) return t.error();
                 return t->has_value();
               });
}

void list(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto f = readable_list_filter(ctx, req, *who, ws);
  if (!f) return reply_error(r, f.error());
  auto is_flow = query_bool(req, "is_flow");
  if (!is_flow) return reply_error(r, is_flow.error());
  auto triggers = ctx.http_triggers.list(ws, *f);
  if (!triggers) return reply_error(r, triggers.error());
  json out = json::array();
  for (const auto& t : *triggers) {
    if (!auth::scopes_allow_path(who->scopes, "http_triggers", "read", t.path)) continue;
    json o = trigger_json(t);
    if (*is_flow && o.value("is_flow", false) != **is_flow) continue;
    out.push_back(std::move(o));
  }
  reply_json(r, 200, out.dump());
}

void route_exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto b = body_object(req);
  if (!b) return reply_error(r, b.error());
  if (!b->is_object()) return reply_error(r, json_data_error("expected a RouteExists object"));
  for (const char* f : {"route_path", "http_method"}) {
    if (!b->contains(f))
      return reply_error(r, json_data_error(std::string("missing field `") + f + "`"));
    if (!(*b)[f].is_string()) {
      return reply_error(r, json_data_error(std::string(f) + ": expected a string"));
    }
  }
  auto except = optional_string(*b, "trigger_path");
  if (!except) return reply_error(r, except.error());
  const bool workspaced = b->value("workspaced_route", false);
  auto taken =
      ctx.http_triggers.route_taken(ws, to_lower((*b)["http_method"].get<std::string>()),
                                    (*b)["route_path"].get<std::string>(), workspaced, *except);
  if (!taken) return reply_error(r, taken.error());
  reply_json(r, 200, *taken ? "true" : "false");
}

}  // namespace

void add_http_trigger_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/http_triggers";
  router.add("POST", base + "/create", bind_handler(ctx, create));
  router.add("POST", base + "/update/*path", bind_handler(ctx, update));
  router.add("DELETE", base + "/delete/*path", bind_handler(ctx, remove));
  router.add("GET", base + "/get/*path", bind_handler(ctx, get));
  router.add("GET", base + "/exists/*path", bind_handler(ctx, exists));
  router.add("GET", base + "/list", bind_handler(ctx, list));
  router.add("POST", base + "/route_exists", bind_handler(ctx, route_exists));
}

}  // namespace millrace::api
