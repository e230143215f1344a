// Variables: plain values and secrets at paths (Windmill's /variables routes). A secret's value
// is never listed; reading it (get, get_value) opens it and writes a variables.decrypt_secret
// audit row.
#include <array>

#include <nlohmann/json.hpp>

#include "api/body_fields.h"
#include "api/owned_paths.h"
#include "api/path_access.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/scopes.h"
#include "common/strings.h"
#include "service/resources.h"
#include "service/variables.h"

namespace millrace::api {
namespace {

using nlohmann::json;

const OwnedPath kVariable{"variables", "Variable"};

json optional_time(const std::optional<EpochMs>& t) {
  return t ? json(format_rfc3339(*t)) : json(nullptr);
}

// Windmill's ListableVariable; `value` as given (null for a secret not revealed).
json variable_json(const store::VariableRecord& v, json value, bool is_linked) {
  return {{"workspace_id", v.workspace_id},
          {"path", v.path},
          {"value", std::move(value)},
          {"is_secret", v.is_secret},
          {"description", v.description},
          {"extra_perms", json::object()},
          {"account", v.account ? json(*v.account) : json(nullptr)},
          {"is_oauth", v.is_oauth},
          {"is_expired", false},
          {"refresh_error", nullptr},
          {"is_linked", is_linked},
          {"is_refreshed", false},
          {"expires_at", optional_time(v.expires_at)}};
}

Result<bool> resource_at(ApiContext& ctx, const std::string& ws, const std::string& path) {
  auto r = ctx.resources.find(ws, path);
  if (!r) return r.error();
  return r->has_value();
}

// The variable at the route's path, as the caller may see it (404 otherwise).
#define MR_READABLE_VARIABLE_OR_REPLY(variable)             \
  const std::string ws = req.params["workspace"];           \
  const std::string path = req.params["path"];              \
  auto who = authorize_read(ctx, req, ws, kVariable, path); \
  if (!who) return reply_error(r, who.error());             \
  auto variable = ctx.variables.find(ws, path);             \
  if (!variable) return reply_error(r, variable.error());   \
  if (!*variable) return reply_error(r, Error::not_found("Variable " + path + " not found"))

void get_variable(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_VARIABLE_OR_REPLY(v);
  auto decrypt = query_bool(req, "decrypt_secret");
  if (!decrypt) return reply_error(r, decrypt.error());
  auto include_sealed = query_bool(req, "include_encrypted");
  if (!include_sealed) return reply_error(r, include_sealed.error());
  json value = (*v)->value;
  if ((*v)->is_secret) {
    if (decrypt->value_or(true)) {
      auto clear = ctx.variables.reveal(*who, **v);
      if (!clear) return reply_error(r, clear.error());
      value = *clear;
    } else if (!include_sealed->value_or(false)) {
      value = nullptr;
    }
  }
  auto linked = resource_at(ctx, ws, path);
  if (!linked) return reply_error(r, linked.error());
  reply_json(r, 200, variable_json(**v, std::move(value), *linked).dump());
}

void get_value(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_VARIABLE_OR_REPLY(v);
  auto clear = ctx.variables.reveal(*who, **v);
  if (!clear) return reply_error(r, clear.error());
  reply_json(r, 200, json(*clear).dump());
}

void exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  reply_exists(ctx, req, std::move(r), kVariable,
               [&](const std::string& ws, const std::string& path) -> Result<bool> {
                 auto v = ctx.variables.find(ws, path);
                 if (!v) return v.error();
                 return v->has_value();
               });
}

void list(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto f = readable_list_filter(ctx, req, *who, ws);
  if (!f) return reply_error(r, f.error());
  auto variables = ctx.variables.list(ws, *f);
  if (!variables) return reply_error(r, variables.error());
  json out = json::array();
  for (const auto& v : *variables) {
    if (!auth::scopes_allow_path(who->scopes, "variables", "read", v.path)) continue;
    auto linked = resource_at(ctx, ws, v.path);
    if (!linked) return reply_error(r, linked.error());
    out.push_back(variable_json(v, v.is_secret ? json(nullptr) : json(v.value), *linked));
  }
  reply_json(r, 200, out.dump());
}

// The variables a job sees in its environment, with placeholder values (Windmill's
// list_contextual).
void list_contextual(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string job = "017e0ad5-f499-73b6-5488-92a61c5196dd";
  const std::vector<std::array<std::string, 3>> vars = {
      {"WM_WORKSPACE", ws, "Workspace id of the current script"},
      {"WM_TOKEN", "q1A0qcPuO00yxioll7iph76N9CJDqn",
       "Token ephemeral to the current script with equal permission to the permission of the "
       "run (Usable as a bearer token)"},
      {"WM_EMAIL", who->email, "Email of the user that executed the current script"},
      {"WM_USERNAME", who->username, "Username of the user that executed the current script"},
      {"WM_BASE_URL", ctx.base_url, "base url of this instance"},
      {"BASE_INTERNAL_URL", ctx.base_url, "base url of this instance, as jobs reach it"},
      {"WM_JOB_ID", job, "Job id of the current script"},
      {"WM_JOB_PATH", "u/user/script_path", "Path of the script or flow being run if any"},
      {"WM_FLOW_JOB_ID", job, "Job id of the encapsulating flow if the job is a flow step"},
      {"WM_ROOT_FLOW_JOB_ID", job, "Job id of the root flow if the job is a flow step"},
      {"WM_FLOW_PATH", "u/user/encapsulating_flow_path",
       "Path of the encapsulating flow if the job is a flow step"},
      {"WM_PERMISSIONED_AS", "u/" + who->username,
       "Fully Qualified (u/g) owner name of executor of the job"},
      {"WM_STATE_PATH", "u/user/script_path/user",
       "State resource path unique to a script and its trigger"},
      {"WM_FLOW_STEP_ID", "c", "The node id in a flow (like 'a', 'b', or 'f')"},
  };
  json out = json::array();
  for (const auto& [name, value, description] : vars) {
    out.push_back(
        {{"name", name}, {"value", value}, {"description", description}, {"is_custom", false}});
  }
  reply_json(r, 200, out.dump());
}

void create(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object()) return reply_error(r, json_data_error("expected a CreateVariable object"));
  for (const char* f : {"path", "value", "description"}) {
    if (!b.contains(f))
      return reply_error(r, json_data_error(std::string("missing field `") + f + "`"));
    if (!b[f].is_string())
      return reply_error(r, json_data_error(std::string(f) + ": expected a string"));
  }
  if (!b.contains("is_secret")) return reply_error(r, json_data_error("missing field `is_secret`"));
  if (!b["is_secret"].is_boolean())
    return reply_error(r, json_data_error("is_secret: expected a boolean"));
  store::VariableRecord v;
  v.workspace_id = ws;
  v.path = b["path"].get<std::string>();
  v.value = b["value"].get<std::string>();
  v.description = b["description"].get<std::string>();
  v.is_secret = b["is_secret"].get<bool>();
  if (b.contains("account") && b["account"].is_number_integer())
    v.account = b["account"].get<int64_t>();
  if (b.contains("is_oauth") && b["is_oauth"].is_boolean()) v.is_oauth = b["is_oauth"].get<bool>();
  if (auto st = check_write(ctx, *who, ws, kVariable, v.path); !st)
    return reply_error(r, st.error());
  auto sealed = query_bool(req, "already_encrypted");
  if (!sealed) return reply_error(r, sealed.error());
  const std::string path = v.path;
  if (auto st = ctx.variables.create(*who, std::move(v), sealed->value_or(false)); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 201, "variable " + path + " created");
}

void update(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kVariable, path);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object()) return reply_error(r, json_data_error("expected an EditVariable object"));
  service::Variables::Change change;
  for (auto [field, slot] : {std::pair{"path", &change.path}, std::pair{"value", &change.value},
                             std::pair{"description", &change.description}}) {
    auto v = optional_string(b, field);
    if (!v) return reply_error(r, v.error());
    *slot = std::move(*v);
  }
  if (b.contains("is_secret") && !b["is_secret"].is_null()) {
    if (!b["is_secret"].is_boolean())
      return reply_error(r, json_data_error("is_secret: expected a boolean"));
    change.is_secret = b["is_secret"].get<bool>();
  }
  if (change.path && *change.path != path) {
    if (auto st = check_write(ctx, *who, ws, kVariable, *change.path); !st) {
      return reply_error(r, st.error());
    }
  }
  auto sealed = query_bool(req, "already_encrypted");
  if (!sealed) return reply_error(r, sealed.error());
  if (auto st = ctx.variables.update(*who, ws, path, change, sealed->value_or(false)); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 200, "variable " + path + " updated");
}

void remove(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kVariable, path);
  if (!who) return reply_error(r, who.error());
  if (auto st = ctx.variables.remove(*who, ws, path); !st) return reply_error(r, st.error());
  reply_text(r, 200, "variable " + path + " deleted");
}

void remove_bulk(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b.contains("paths") || !b["paths"].is_array()) {
    return reply_error(r, json_data_error("expected {\"paths\": [string]}"));
  }
  for (const auto& p : b["paths"]) {
    if (!p.is_string()) return reply_error(r, json_data_error("paths: expected strings"));
    if (auto st = check_write(ctx, *who, ws, kVariable, p.get<std::string>()); !st) {
      return reply_error(r, st.error());
    }
  }
  json deleted = json::array();
  for (const auto& p : b["paths"]) {
    if (auto st = ctx.variables.remove(*who, ws, p.get<std::string>()); !st) {
      if (st.error().kind == ErrorKind::NotFound) continue;
      return reply_error(r, st.error());
    }
    deleted.push_back(p);
  }
  reply_json(r, 200, deleted.dump());
}

// A value sealed with the workspace's key, for create or update with ?already_encrypted=true.
void encrypt(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_string()) return reply_error(r, json_data_error("expected a string"));
  auto sealed = ctx.variables.seal(ws, b.get<std::string>());
  if (!sealed) return reply_error(r, sealed.error());
  reply_text(r, 200, *sealed);
}

}  // namespace

void add_variable_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/variables";
  router.add("GET", base + "/list", bind_handler(ctx, list));
  router.add("GET", base + "/list_contextual", bind_handler(ctx, list_contextual));
  router.add("GET", base + "/get/*path", bind_handler(ctx, get_variable));
  router.add("GET", base + "/get_value/*path", bind_handler(ctx, get_value));
  router.add("GET", base + "/exists/*path", bind_handler(ctx, exists));
  router.add("POST", base + "/create", bind_handler(ctx, create));
  router.add("POST", base + "/update/*path", bind_handler(ctx, update));
  router.add("DELETE", base + "/delete/*path", bind_handler(ctx, remove));
  router.add("DELETE", base + "/delete_bulk", bind_handler(ctx, remove_bulk));
  router.add("POST", base + "/encrypt", bind_handler(ctx, encrypt));
}

}  // namespace millrace::api
