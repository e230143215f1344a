// Users, workspaces and membership.
#include <nlohmann/json.hpp>

#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/password_pool.h"
#include "common/strings.h"
#include "service/users.h"

namespace millrace::api {
namespace {

using nlohmann::json;

const Error kRequiresSuperadmin =
    Error::unauthorized("This endpoint requires the caller to be a super admin");
// The password pool's queue is full: passwords are hashed a few at a time.
const Error kHashingBusy =
    Error::of(ErrorKind::Unavailable,
              "Service Unavailable: too many passwords to hash at once; try again shortly");

// A username usable as a path segment (u/<username>/...), derived from the email if not given.
std::string base_username(const std::string& email) {
  std::string out;
  for (char c : email.substr(0, email.find('@'))) {
    out += std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  return out.empty() ? "user" : out;
}

void create_user(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  if (!who->super_admin) return reply_error(r, kRequiresSuperadmin);
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b["email"].is_string() || !b["password"].is_string()) {
    return reply_error(
        r, json_data_error("expected {email, password, super_admin?, name?, username?}"));
  }
  store::UserRecord u;
  u.email = to_lower(b["email"].get<std::string>());
  if (!is_valid_email(u.email)) {
    return reply_error(r, Error::bad_request("invalid email " + u.email.substr(0, 256)));
  }
  std::string password = b["password"].get<std::string>();
  if (password.empty()) return reply_error(r, Error::bad_request("the password is empty"));
  u.super_admin = b.value("super_admin", false);
  if (b.contains("name") && b["name"].is_string()) u.name = b["name"].get<std::string>();
  if (b.contains("company") && b["company"].is_string())
    u.company = b["company"].get<std::string>();
  std::string wanted = b.contains("username") && b["username"].is_string()
                           ? b["username"].get<std::string>()
                           : base_username(u.email);
  if (!service::is_valid_username(wanted)) {
    return reply_error(
        r, Error::bad_request("invalid username " + wanted + ": use letters, digits, _ and -"));
  }
  // Hashed on the password pool, as logins are checked.
  const auth::Identity creator = *who;
  bool queued = ctx.passwords.hash(
      password, [&ctx, r, u, wanted, creator](std::optional<std::string> hash) mutable {
        if (!hash) return reply_error(r, Error::internal("cannot hash the password"));
        u.password_hash = *hash;
        if (Status s = ctx.users.create_user(creator, u, wanted); !s) {
          return reply_error(r, s.error());
        }
        reply_text(r, 201, u.email);
      });
  if (!queued) reply_error(r, kHashingBusy);
}

void add_user(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto s = require_admin(*who); !s) return reply_error(r, s.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b["email"].is_string()) {
    return reply_error(r, json_data_error("expected {email, username?, is_admin, operator}"));
  }
  store::MemberRecord m;
  m.workspace_id = ws;
  m.email = b["email"].get<std::string>();
  m.is_admin = b.value("is_admin", false);
  m.is_operator = b.value("operator", false);
  std::optional<std::string> username;
  if (b.contains("username") && b["username"].is_string()) {
    username = b["username"].get<std::string>();
  }
  if (Status s = ctx.users.add_member(*who, m, username); !s) return reply_error(r, s.error());
  reply_text(r, 200, "Added " + m.email + " to workspace " + ws);
}

json workspace_object(const store::WorkspaceRecord& w) {
  return {{"id", w.id},        {"name", w.name},   {"owner", w.owner},
          {"domain", nullptr}, {"color", nullptr}, {"parent_workspace_id", nullptr}};
}

void list_workspaces(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  auto list = ctx.users.workspaces_of(who->email);
  if (!list) return reply_error(r, list.error());
  json a = json::array();
  for (const auto& w : *list) a.push_back(workspace_object(w));
  reply_json(r, 200, a.dump());
}

void create_workspace(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  if (!who->super_admin) return reply_error(r, kRequiresSuperadmin);
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b["id"].is_string() || !b["name"].is_string()) {
    return reply_error(r, json_data_error("expected {id, name, username?}"));
  }
  store::WorkspaceRecord w;
  w.id = b["id"].get<std::string>();
  w.name = b["name"].get<std::string>();
  if (!is_valid_workspace_id(w.id)) {
    return reply_error(r, Error::bad_request("invalid workspace id " + w.id +
                                             ": use letters, digits, _ and inner -"));
  }
  std::optional<std::string> username;
  if (b.contains("username") && b["username"].is_string()) {
    username = b["username"].get<std::string>();
  }
  if (Status s = ctx.users.create_workspace(*who, w, username); !s) {
    return reply_error(r, s.error());
  }
  reply_text(r, 200, "Created workspace " + w.id);
}

void workspace_exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b["id"].is_string())
    return reply_error(r, json_data_error("expected {id}"));
  auto ws = ctx.users.find_workspace(b["id"].get<std::string>());
  if (!ws) return reply_error(r, ws.error());
  reply_json(r, 200, *ws ? "true" : "false");
}

void workspace_whoami(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto member = ctx.users.find_member(ws, who->email);
  json o = {{"workspace_id", ws},
            {"email", who->email},
            {"username", who->username},
            {"is_admin", who->is_admin},
            {"is_super_admin", who->super_admin},
            {"created_at", member && *member ? format_rfc3339((*member)->created_at)
                                             : format_rfc3339(ctx.clock.now_ms())},
            {"operator", who->is_operator},
            {"disabled", false},
            {"role", who->is_admin      ? "Admin"
                     : who->is_operator ? "Operator"
                                        : "Developer"},
            {"groups", json::array({"all"})},
            {"folders", json::array()},
            {"folders_read", json::array()},
            {"folders_owners", json::array()},
            {"is_service_account", false}};
  reply_json(r, 200, o.dump());
}

// The workspace's members, as Windmill's User objects. Any member may read who else is in.
void list_members(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto members = ctx.users.members(ws);
  if (!members) return reply_error(r, members.error());
  json a = json::array();
  for (const auto& m : *members) {
    auto user = ctx.users.find_user(m.email);
    const bool super_admin = user && *user && (*user)->super_admin;
    json o = {{"email", m.email},
              {"username", m.username},
              {"is_admin", m.is_admin},
              {"is_super_admin", super_admin},
              {"created_at", format_rfc3339(m.created_at)},
              {"operator", m.is_operator},
              {"role", m.is_admin      ? "Admin"
                       : m.is_operator ? "Operator"
                                       : "Developer"},
              {"disabled", false},
              {"folders", json::array()},
              {"folders_read", json::array()},
              {"folders_owners", json::array()},
              {"name", user && *user && (*user)->name ? json(*(*user)->name) : json(nullptr)}};
    a.push_back(std::move(o));
  }
  reply_json(r, 200, a.dump());
}

// {is_admin?, operator?, disabled?} (Windmill's EditWorkspaceUser); admins only.
void update_member(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto s = require_admin(*who); !s) return reply_error(r, s.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object()) return reply_error(r, json_data_error("expected {is_admin?, operator?}"));
  std::optional<bool> flags[2];
  const char* names[2] = {"is_admin", "operator"};
  for (int i = 0; i < 2; ++i) {
    if (!b.contains(names[i]) || b[names[i]].is_null()) continue;
    if (!b[names[i]].is_boolean()) {
      return reply_error(r, json_data_error(std::string(names[i]) + ": expected a boolean"));
    }
    flags[i] = b[names[i]].get<bool>();
  }
  if (b.value("disabled", false) == true) {
    return reply_error(r, Error::bad_request("members are not disabled here: remove them instead"));
  }
  const std::string username = req.params["username"];
  if (Status s = ctx.users.update_member(*who, ws, username, flags[0], flags[1]); !s) {
    return reply_error(r, s.error());
  }
  reply_text(r, 200, "user " + username + " updated");
}

void remove_member(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto s = require_admin(*who); !s) return reply_error(r, s.error());
  const std::string username = req.params["username"];
  if (Status s = ctx.users.remove_member(*who, ws, username); !s) {
    return reply_error(r, s.error());
  }
  reply_text(r, 200, "user " + username + " removed from " + ws);
}

// The caller's own password: {password}. Hashed on the password pool, as logins are checked.
void set_password(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto who = authorize(ctx, req, std::nullopt);
  if (!who) return reply_error(r, who.error());
  if (who->job_id)
    return reply_error(r, Error::permission_denied("a job's token sets no password"));
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b.contains("password") || !b["password"].is_string()) {
    return reply_error(r, json_data_error("expected {password}"));
  }
  std::string password = b["password"].get<std::string>();
  if (password.size() < 8) {
    return reply_error(r, Error::bad_request("the password is shorter than 8 characters"));
  }
  const auth::Identity caller = *who;
  bool queued = ctx.passwords.hash(password, [&ctx, r, caller](std::optional<std::string> hash) {
    if (!hash) return reply_error(r, Error::internal("cannot hash the password"));
    if (Status s = ctx.users.set_password(caller, *hash); !s) return reply_error(r, s.error());
    reply_text(r, 200, "password set");
  });
  if (!queued) reply_error(r, kHashingBusy);
}

}  // namespace

void add_user_routes(http::Router& router, ApiContext& ctx) {
  auto bind = [&ctx](HandlerFn fn) { return bind_handler(ctx, fn); };
  router.add("POST", "/api/users/create", bind(create_user));
  router.add("POST", "/api/w/:workspace/workspaces/add_user", bind(add_user));
  router.add("GET", "/api/workspaces/list", bind(list_workspaces));
  router.add("POST", "/api/workspaces/create", bind(create_workspace));
  router.add("POST", "/api/workspaces/exists", bind(workspace_exists));
  router.add("GET", "/api/w/:workspace/users/whoami", bind(workspace_whoami));
  router.add("GET", "/api/w/:workspace/users/list", bind(list_members));
  router.add("POST", "/api/w/:workspace/users/update/:username", bind(update_member));
  router.add("DELETE", "/api/w/:workspace/users/delete/:username", bind(remove_member));
  router.add("POST", "/api/users/setpassword", bind(set_password));
}

}  // namespace millrace::api
