// Folders (Windmill's API): the shapes of their requests and replies; the rules of who may do
// what are service::Folders', and what a folder lets its members read and write is
// api/path_access.h's.
#include <nlohmann/json.hpp>

#include "api/path_access.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "common/strings.h"
#include "service/folders.h"

namespace millrace::api {
namespace {

using nlohmann::json;

bool valid_folder_name(const std::string& name) {
  if (name.empty() || name.size() > 255) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

// "u/<username>" or "g/<group>".
bool valid_subject(const std::string& s) {
  return (starts_with(s, "u/") || starts_with(s, "g/")) && s.size() > 2 &&
         s.find('/', 2) == std::string::npos;
}

std::string folder_json(const store::FolderRecord& f) {
  json perms = json::object();
  for (const auto& [who, write] : f.extra_perms) perms[who] = write;
  json o = {{"workspace_id", f.workspace_id},
            {"name", f.name},
            {"owners", f.owners},
            {"extra_perms", perms},
            {"created_by", f.created_by},
            {"edited_at", format_rfc3339(f.edited_at)}};
  o["summary"] = f.summary ? json(*f.summary) : json(nullptr);
  return o.dump();
}

// owners and extra_perms of a create or update body, checked.
Status read_permissions(const json& b, store::FolderRecord& f) {
  if (b.contains("summary") && !b["summary"].is_null()) {
    if (!b["summary"].is_string()) return json_data_error("summary: expected a string");
    f.summary = b["summary"].get<std::string>();
  }
  if (b.contains("owners") && !b["owners"].is_null()) {
    if (!b["owners"].is_array()) return json_data_error("owners: expected an array of strings");
    f.owners.clear();
    for (const auto& o : b["owners"]) {
      if (!o.is_string() || !valid_subject(o.get<std::string>())) {
        return Error::bad_request("owners: expected u/<username> or g/<group>, got " + o.dump());
      }
      f.owners.push_back(o.get<std::string>());
    }
  }
  if (b.contains("extra_perms") && !b["extra_perms"].is_null()) {
    if (!b["extra_perms"].is_object()) {
      return json_data_error("extra_perms: expected an object of booleans");
    }
    f.extra_perms.clear();
    for (auto it = b["extra_perms"].begin(); it != b["extra_perms"].end(); ++it) {
      if (!it.value().is_boolean() || !valid_subject(it.key())) {
        return Error::bad_request(
            "extra_perms: expected {\"u/<username>\" or \"g/<group>\": "
            "boolean}, got " +
            it.key());
      }
      f.extra_perms[it.key()] = it.value().get<bool>();
    }
  }
  return Status::ok();
}

#define MR_FOLDER_CALLER()                        \
  const std::string ws = req.params["workspace"]; \
  auto who = authorize(ctx, req, ws);             \
  if (!who) return reply_error(r, who.error())

void create_folder(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_FOLDER_CALLER();
  if (Status s = service::Folders::may_create(*who); !s) return reply_error(r, s.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b.contains("name") || !b["name"].is_string()) {
    return reply_error(r, json_data_error("missing field `name`"));
  }
  store::FolderRecord f;
  f.workspace_id = ws;
  f.name = b["name"].get<std::string>();
  if (!valid_folder_name(f.name)) {
    return reply_error(
        r, Error::bad_request("folder name " + f.name + " may hold only letters, digits, _ and -"));
  }
  if (auto s = read_permissions(b, f); !s) return reply_error(r, s.error());
  const std::string name = f.name;
  if (Status s = ctx.folders.create(*who, std::move(f)); !s) return reply_error(r, s.error());
  reply_text(r, 200, "Created folder " + name);
}

void get_folder(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_FOLDER_CALLER();
  const std::string name = req.params["name"];
  auto f = ctx.folders.find(ws, name);
  if (!f) return reply_error(r, f.error());
  if (!*f) return reply_error(r, Error::not_found("folder not found at name " + name));
  reply_json(r, 200, folder_json(**f));
}

void folder_exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_FOLDER_CALLER();
  const std::string name = req.params["name"];
  auto f = ctx.folders.find(ws, name);
  if (!f) return reply_error(r, f.error());
  reply_json(r, 200, *f ? "true" : "false");
}

void list_folders(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_FOLDER_CALLER();
  auto list = ctx.folders.list(ws);
  if (!list) return reply_error(r, list.error());
  const bool names_only = req.path.ends_with("/listnames");
  std::string out = "[";
  for (const auto& f : *list) {
    if (out.size() > 1) out += ",";
    out += names_only ? json(f.name).dump() : folder_json(f);
  }
  reply_json(r, 200, out + "]");
}

void update_folder(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_FOLDER_CALLER();
  auto f = ctx.folders.owned(*who, ws, req.params["name"]);
  if (!f) return reply_error(r, f.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object()) return reply_error(r, json_data_error("expected an UpdateFolder object"));
  if (auto s = read_permissions(b, *f); !s) return reply_error(r, s.error());
  if (Status s = ctx.folders.update(*who, *f, service::FolderChange::Update); !s) {
    return reply_error(r, s.error());
  }
  reply_text(r, 200, "Updated folder " + f->name);
}

void delete_folder(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_FOLDER_CALLER();
  auto f = ctx.folders.owned(*who, ws, req.params["name"]);
  if (!f) return reply_error(r, f.error());
  if (Status s = ctx.folders.remove(*who, ws, f->name); !s) return reply_error(r, s.error());
  reply_text(r, 200, "Deleted folder " + f->name);
}

// addowner {owner} and removeowner {owner, write?}: the latter keeps the removed owner as a
// writer (write: true) or a reader (false), or not at all (absent).
void change_owner(ApiContext& ctx, http::Request& req, http::ResponderPtr r, bool add) {
  MR_FOLDER_CALLER();
  auto f = ctx.folders.owned(*who, ws, req.params["name"]);
  if (!f) return reply_error(r, f.error());
  auto text = json_body_text(req);
  if (!text) return reply_error(r, text.error());
  json b = json::parse(*text);
  if (!b.is_object() || !b.contains("owner") || !b["owner"].is_string()) {
    return reply_error(r, json_data_error("missing field `owner`"));
  }
  const std::string owner = b["owner"].get<std::string>();
  if (!valid_subject(owner)) {
    return reply_error(r, Error::bad_request("owner: expected u/<username> or g/<group>"));
  }
  auto& owners = f->owners;
  owners.erase(std::remove(owners.begin(), owners.end(), owner), owners.end());
  if (add) {
    owners.push_back(owner);
  } else if (b.contains("write") && b["write"].is_boolean()) {
    f->extra_perms[owner] = b["write"].get<bool>();
  }
  Status s = ctx.folders.update(
      *who, *f, add ? service::FolderChange::AddOwner : service::FolderChange::RemoveOwner);
  if (!s) return reply_error(r, s.error());
  reply_text(
      r, 200,
      (add ? "Added " : "Removed ") + owner + (add ? " to folder " : " from folder ") + f->name);
}

}  // namespace

void add_folder_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/folders";
  router.add("POST", base + "/create", bind_handler(ctx, create_folder));
  router.add("GET", base + "/get/:name", bind_handler(ctx, get_folder));
  router.add("GET", base + "/exists/:name", bind_handler(ctx, folder_exists));
  router.add("GET", base + "/list", bind_handler(ctx, list_folders));
  router.add("GET", base + "/listnames", bind_handler(ctx, list_folders));
  router.add("POST", base + "/update/:name", bind_handler(ctx, update_folder));
  router.add("DELETE", base + "/delete/:name", bind_handler(ctx, delete_folder));
  router.add("POST", base + "/addowner/:name",
             bind_handler(ctx, [](ApiContext& c, http::Request& q, http::ResponderPtr r) {
               change_owner(c, q, std::move(r), true);
             }));
  router.add("POST", base + "/removeowner/:name",
             bind_handler(ctx, [](ApiContext& c, http::Request& q, http::ResponderPtr r) {
               change_owner(c, q, std::move(r), false);
             }));
}

}  // namespace millrace::api
