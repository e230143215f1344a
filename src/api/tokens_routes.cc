// API tokens: created (shown once), listed (prefix only), deleted.
#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/views.h"
#include "auth/scopes.h"

namespace millrace::api {
namespace {

using nlohmann::json;

void create_token(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  if (who->job_id)
    return reply_error(r, Error::permission_denied("job tokens cannot create tokens"));
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object())
    return reply_error(
        r, json_data_error("expected an object {label?, expiration?, scopes?, workspace_id?}"));
  service::NewToken t;
  if (b.contains("label") && !b["label"].is_null()) {
    if (!b["label"].is_string()) return reply_error(r, json_data_error("label: expected a string"));
    t.label = b["label"].get<std::string>();
    if (t.label->size() > 255)
      return reply_error(r, Error::bad_request("label is longer than 255 characters"));
  }
  if (b.contains("expiration") && !b["expiration"].is_null()) {
    auto when = b["expiration"].is_string() ? parse_rfc3339(b["expiration"].get<std::string>())
                                            : std::nullopt;
    if (!when) return reply_error(r, json_data_error("expiration: expected an RFC 3339 date-time"));
    t.expiration = *when;
  }
  if (b.contains("read_only") && !b["read_only"].is_null()) {
    if (!b["read_only"].is_boolean())
      return reply_error(r, json_data_error("read_only: expected a boolean"));
    t.read_only = b["read_only"].get<bool>();
  }
  if (b.contains("scopes") && !b["scopes"].is_null()) {
    if (!b["scopes"].is_array())
      return reply_error(r, json_data_error("scopes: expected an array of strings"));
    t.scopes.emplace();
    for (const auto& s : b["scopes"]) {
      if (!s.is_string())
        return reply_error(r, json_data_error("scopes: expected an array of strings"));
      if (!auth::parse_scope(s.get<std::string>()) &&
          s.get<std::string>().rfind("if_jobs:filter_tags:", 0) != 0) {
        return reply_error(r, Error::bad_request("invalid scope " + s.get<std::string>()));
      }
      t.scopes->push_back(s.get<std::string>());
    }
  }
  if (b.contains("workspace_id") && !b["workspace_id"].is_null()) {
    if (!b["workspace_id"].is_string())
      return reply_error(r, json_data_error("workspace_id: expected a string"));
    t.workspace_id = b["workspace_id"].get<std::string>();
  }
  auto token = ctx.tokens.create(*who, t);
  if (!token) return reply_error(r, token.error());
  reply_text(r, 201, *token);
}

void list_tokens(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  auto exclude = query_bool(req, "exclude_ephemeral");
  if (!exclude) return reply_error(r, exclude.error());
  auto list = ctx.tokens.list(who->email, exclude->value_or(false));
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, tokens_json(*list));
}

void delete_token(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  const std::string prefix = req.params["prefix"];
  auto deleted = ctx.tokens.remove(*who, prefix);
  if (!deleted) return reply_error(r, deleted.error());
  reply_text(r, 200, "deleted " + std::to_string(*deleted) + " tokens with prefix " + prefix);
}

}  // namespace

void add_token_routes(http::Router& router, ApiContext& ctx) {
  router.add("POST", "/api/users/tokens/create", bind_handler(ctx, create_token));
  router.add("GET", "/api/users/tokens/list", bind_handler(ctx, list_tokens));
  router.add("DELETE", "/api/users/tokens/delete/:prefix", bind_handler(ctx, delete_token));
}

}  // namespace millrace::api
