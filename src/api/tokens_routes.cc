// API tokens: created (shown once), listed (prefix only), deleted.
#include <nlohmann/json.hpp>

#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/views.h"
#include "auth/authenticator.h"
#include "auth/scopes.h"
#include "auth/token.h"
#include "store/audit.h"
#include "store/database.h"
#include "store/tokens.h"
#include "store/users.h"

namespace millrace::api {
namespace {

using nlohmann::json;

// A scoped caller may only hand out scopes it holds itself (so a webhook token cannot mint a
// full-rights token).
bool within_caller(const auth::Identity& who, const std::vector<std::string>& wanted) {
  if (auth::is_unscoped(who.scopes)) return true;
  if (auth::is_unscoped(wanted)) return false;
  for (const auto& w : wanted) {
    bool held = false;
    for (const auto& h : who.scopes) held = held || h == w || h == "*";
    if (!held) return false;
  }
  return true;
}

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
  EpochMs now = ctx.clock.now_ms();
  store::TokenRecord t;
  std::string token = auth::generate_token();
  t.hash = auth::hash_token(token);
  t.prefix = auth::token_prefix(token);
  t.email = who->email;
  t.super_admin = who->super_admin;
  t.created_at = now;
  t.last_used_at = now;
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
  std::vector<std::string> scopes;
  if (b.contains("scopes") && !b["scopes"].is_null()) {
    if (!b["scopes"].is_array())
      return reply_error(r, json_data_error("scopes: expected an array of strings"));
    for (const auto& s : b["scopes"]) {
      if (!s.is_string())
        return reply_error(r, json_data_error("scopes: expected an array of strings"));
      if (!auth::parse_scope(s.get<std::string>()) &&
          s.get<std::string>().rfind("if_jobs:filter_tags:", 0) != 0) {
        return reply_error(r, Error::bad_request("invalid scope " + s.get<std::string>()));
      }
      scopes.push_back(s.get<std::string>());
    }
    t.scopes_json = json(scopes).dump();
  }
  if (!within_caller(*who, scopes)) {
    return reply_error(r,
                       Error::permission_denied("a token cannot grant scopes its creator lacks"));
  }
  if (b.contains("workspace_id") && !b["workspace_id"].is_null()) {
    if (!b["workspace_id"].is_string())
      return reply_error(r, json_data_error("workspace_id: expected a string"));
    t.workspace_id = b["workspace_id"].get<std::string>();
  }
  auto audit = audit_record(
      ctx, *who, t.workspace_id.value_or("global"),
      {"users.token.create", "Create", t.prefix,
       json{{"label", t.label ? json(*t.label) : json(nullptr)}, {"scopes", scopes}}.dump()});
  Status s = ctx.db.write_sync([&](store::Connection& c) -> Status {
    if (t.workspace_id) {
      auto ws = store::find_workspace(c, *t.workspace_id);
      if (!ws) return ws.error();
      if (!*ws) return Error::bad_request("workspace " + *t.workspace_id + " does not exist");
    }
    if (auto st = store::insert_token(c, t); !st) return st;
    return store::insert_audit(c, audit);
  });
  if (!s) return reply_error(r, s.error());
  reply_text(r, 201, token);
}

void list_tokens(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  auto exclude = query_bool(req, "exclude_ephemeral");
  if (!exclude) return reply_error(r, exclude.error());
  auto list = ctx.db.read([&](store::Connection& c) {
    return store::list_tokens(c, who->email, exclude->value_or(false));
  });
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, tokens_json(*list));
}

void delete_token(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  const std::string prefix = req.params["prefix"];
  auto audit =
      audit_record(ctx, *who, "global", {"users.token.delete", "Delete", prefix, std::nullopt});
  std::vector<std::string> deleted;
  Status s = ctx.db.write_sync([&](store::Connection& c) -> Status {
    auto hashes = store::delete_tokens_by_prefix(c, who->email, prefix);
    if (!hashes) return hashes.error();
    deleted = *hashes;
    if (deleted.empty()) return Error::not_found("token not found at prefix " + prefix);
    return store::insert_audit(c, audit);
  });
  if (!s) return reply_error(r, s.error());
  ctx.auth.forget_tokens(deleted);
  reply_text(r, 200, "deleted " + std::to_string(deleted.size()) + " tokens with prefix " + prefix);
}

}  // namespace

void add_token_routes(http::Router& router, ApiContext& ctx) {
  router.add("POST", "/api/users/tokens/create", bind_handler(ctx, create_token));
  router.add("GET", "/api/users/tokens/list", bind_handler(ctx, list_tokens));
  router.add("DELETE", "/api/users/tokens/delete/:prefix", bind_handler(ctx, delete_token));
}

}  // namespace millrace::api
