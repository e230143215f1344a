// Resources and resource types (Windmill's /resources routes). A resource's value is returned
// as stored (get, get_value) or with its `$var:` and `$res:` references resolved as the caller
// may read them (get_value_interpolated: what `wmill.get_resource` calls).
#include <nlohmann/json.hpp>

#include "api/body_fields.h"
#include "api/owned_paths.h"
#include "api/path_access.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "auth/scopes.h"
#include "service/references.h"
#include "service/resources.h"
#include "service/variables.h"

namespace millrace::api {
namespace {

using nlohmann::json;

const OwnedPath kResource{"resources", "Resource"};

json resource_json(const store::ResourceRecord& r, bool is_linked) {
  return {{"workspace_id", r.workspace_id},
          {"path", r.path},
          {"description", r.description},
          {"resource_type", r.resource_type},
          {"value", json::parse(r.value_json, nullptr, false)},
          {"is_oauth", false},
          {"extra_perms", json::object()},
          {"created_by", r.created_by},
          {"edited_at", format_rfc3339(r.edited_at)},
          {"is_linked", is_linked},
          {"is_refreshed", false},
          {"is_expired", false},
          {"refresh_error", nullptr},
          {"account", nullptr}};
}

json type_json(const store::ResourceTypeRecord& t) {
  return {{"workspace_id", t.workspace_id},
          {"name", t.name},
          {"schema", t.schema_json ? json::parse(*t.schema_json, nullptr, false) : json(nullptr)},
          {"description", t.description},
          {"created_by", t.created_by},
          {"edited_at", format_rfc3339(t.edited_at)},
          {"format_extension", t.format_extension ? json(*t.format_extension) : json(nullptr)}};
}

Result<bool> variable_at(ApiContext& ctx, const std::string& ws, const std::string& path) {
  auto v = ctx.variables.find(ws, path);
  if (!v) return v.error();
  return v->has_value();
}

Result<json> body_object(const http::Request& req, const char* what) {
  auto text = json_body_text(req);
  if (!text) return text.error();
  json b = json::parse(*text);
  if (!b.is_object()) return json_data_error(std::string("expected ") + what);
  return b;
}

#define MR_READABLE_RESOURCE_OR_REPLY(resource)             \
  const std::string ws = req.params["workspace"];           \
  const std::string path = req.params["path"];              \
  auto who = authorize_read(ctx, req, ws, kResource, path); \
  if (!who) return reply_error(r, who.error());             \
  auto resource = ctx.resources.find(ws, path);             \
  if (!resource) return reply_error(r, resource.error());   \
  if (!*resource) return reply_error(r, Error::not_found("Resource " + path + " not found"))

void get_resource(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_RESOURCE_OR_REPLY(res);
  auto linked = variable_at(ctx, ws, path);
  if (!linked) return reply_error(r, linked.error());
  reply_json(r, 200, resource_json(**res, *linked).dump());
}

void get_value(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_RESOURCE_OR_REPLY(res);
  reply_json(r, 200, (*res)->value_json);
}

void get_value_interpolated(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  MR_READABLE_RESOURCE_OR_REPLY(res);
  service::References refs(ctx.variables, ctx.resources, ctx.folders);
  auto value = refs.resolve(*who, ws, (*res)->value_json);
  if (!value) return reply_error(r, value.error());
  reply_json(r, 200, *value);
}

void exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  reply_exists(ctx, req, std::move(r), kResource,
               [&](const std::string& ws, const std::string& path) -> Result<bool> {
                 auto res = ctx.resources.find(ws, path);
                 if (!res) return res.error();
                 return res->has_value();
               });
}

Result<std::vector<store::ResourceRecord>> readable_resources(ApiContext& ctx,
                                                              const http::Request& req,
                                                              const auth::Identity& who,
                                                              const std::string& ws,
                                                              store::PathListFilter f) {
  auto page = paging(req);
  if (!page) return page.error();
  f.limit = page->limit;
  f.offset = page->offset;
  auto readable = readable_prefixes(ctx, who, ws);
  if (!readable) return readable.error();
  f.visible_prefixes = std::move(*readable);
  auto list = ctx.resources.list(ws, f);
  if (!list) return list.error();
  std::erase_if(*list, [&](const store::ResourceRecord& res) {
    return !auth::scopes_allow_path(who.scopes, "resources", "read", res.path);
  });
  return list;
}

void list(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  store::PathListFilter f;
  f.path_start = req.query_param("path_start");
  f.path_exact = req.query_param("path");
  f.resource_type = req.query_param("resource_type");
  f.resource_type_exclude = req.query_param("resource_type_exclude");
  auto resources = readable_resources(ctx, req, *who, ws, std::move(f));
  if (!resources) return reply_error(r, resources.error());
  json out = json::array();
  for (const auto& res : *resources) {
    auto linked = variable_at(ctx, ws, res.path);
    if (!linked) return reply_error(r, linked.error());
    out.push_back(resource_json(res, *linked));
  }
  reply_json(r, 200, out.dump());
}

// The paths of the resources of one type (the app's resource pickers).
void list_names(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  store::PathListFilter f;
  f.resource_type = req.params["name"];
  auto resources = readable_resources(ctx, req, *who, ws, std::move(f));
  if (!resources) return reply_error(r, resources.error());
  json out = json::array();
  for (const auto& res : *resources) out.push_back({{"name", res.path}, {"path", res.path}});
  reply_json(r, 200, out.dump());
}

void create(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto b = body_object(req, "a CreateResource object");
  if (!b) return reply_error(r, b.error());
  for (const char* f : {"path", "resource_type"}) {
    if (!b->contains(f))
      return reply_error(r, json_data_error(std::string("missing field `") + f + "`"));
    if (!(*b)[f].is_string())
      return reply_error(r, json_data_error(std::string(f) + ": expected a string"));
  }
  if (!b->contains("value")) return reply_error(r, json_data_error("missing field `value`"));
  auto description = optional_string(*b, "description");
  if (!description) return reply_error(r, description.error());
  store::ResourceRecord res;
  res.workspace_id = ws;
  res.path = (*b)["path"].get<std::string>();
  res.resource_type = (*b)["resource_type"].get<std::string>();
  res.value_json = (*b)["value"].dump();
  res.description = description->value_or("");
  if (auto st = check_write(ctx, *who, ws, kResource, res.path); !st)
    return reply_error(r, st.error());
  auto update_if_exists = query_bool(req, "update_if_exists");
  if (!update_if_exists) return reply_error(r, update_if_exists.error());
  const std::string path = res.path;
  if (auto st = ctx.resources.create(*who, std::move(res), update_if_exists->value_or(false));
      !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 201, "resource " + path + " created");
}

void update(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kResource, path);
  if (!who) return reply_error(r, who.error());
  auto b = body_object(req, "an EditResource object");
  if (!b) return reply_error(r, b.error());
  service::Resources::Change change;
  for (auto [field, slot] :
       {std::pair{"path", &change.path}, std::pair{"description", &change.description},
        std::pair{"resource_type", &change.resource_type}}) {
    auto v = optional_string(*b, field);
    if (!v) return reply_error(r, v.error());
    *slot = std::move(*v);
  }
  if (b->contains("value")) change.value_json = (*b)["value"].dump();
  if (change.path && *change.path != path) {
    if (auto st = check_write(ctx, *who, ws, kResource, *change.path); !st) {
      return reply_error(r, st.error());
    }
  }
  if (auto st = ctx.resources.update(*who, ws, path, change); !st)
    return reply_error(r, st.error());
  reply_text(r, 200, "resource " + path + " updated");
}

void update_value(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kResource, path);
  if (!who) return reply_error(r, who.error());
  auto b = body_object(req, "{\"value\": ...}");
  if (!b) return reply_error(r, b.error());
  if (!b->contains("value")) return reply_error(r, json_data_error("missing field `value`"));
  service::Resources::Change change;
  change.value_json = (*b)["value"].dump();
  if (auto st = ctx.resources.update(*who, ws, path, change); !st)
    return reply_error(r, st.error());
  reply_text(r, 200, "value of resource " + path + " updated");
}

void remove(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  const std::string path = req.params["path"];
  auto who = authorize_write(ctx, req, ws, kResource, path);
  if (!who) return reply_error(r, who.error());
  if (auto st = ctx.resources.remove(*who, ws, path); !st) return reply_error(r, st.error());
  reply_text(r, 200, "resource " + path + " deleted");
}

bool is_valid_type_name(const std::string& name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

Result<store::ResourceTypeRecord> parse_type(const json& b, const std::string& ws,
                                             const std::string& name) {
  store::ResourceTypeRecord t;
  t.workspace_id = ws;
  t.name = name;
  if (!is_valid_type_name(t.name)) {
    return Error::bad_request("invalid resource type name '" + t.name +
                              "': letters, digits, _ and - only");
  }
  if (b.contains("schema") && !b["schema"].is_null()) {
    if (!b["schema"].is_object()) return json_data_error("schema: expected a JSON schema object");
    t.schema_json = b["schema"].dump();
  }
  auto description = optional_string(b, "description");
  if (!description) return description.error();
  t.description = description->value_or("");
  auto extension = optional_string(b, "format_extension");
  if (!extension) return extension.error();
  t.format_extension = *extension;
  return t;
}

void create_type(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto st = require_admin(*who); !st) return reply_error(r, st.error());
  auto b = body_object(req, "a ResourceType object");
  if (!b) return reply_error(r, b.error());
  if (!b->contains("name") || !(*b)["name"].is_string()) {
    return reply_error(r, json_data_error("name: expected a string"));
  }
  auto t = parse_type(*b, ws, (*b)["name"].get<std::string>());
  if (!t) return reply_error(r, t.error());
  const std::string name = t->name;
  if (auto st = ctx.resources.create_type(*who, std::move(*t)); !st)
    return reply_error(r, st.error());
  reply_text(r, 201, "resource_type " + name + " created");
}

void update_type(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto st = require_admin(*who); !st) return reply_error(r, st.error());
  auto b = body_object(req, "an EditResourceType object");
  if (!b) return reply_error(r, b.error());
  auto existing = ctx.resources.find_type(ws, req.params["name"]);
  if (!existing) return reply_error(r, existing.error());
  auto t = parse_type(*b, ws, req.params["name"]);
  if (!t) return reply_error(r, t.error());
  // Fields the body leaves out keep their values.
  if (*existing && (*existing)->workspace_id == ws) {
    if (!b->contains("schema")) t->schema_json = (*existing)->schema_json;
    if (!b->contains("description")) t->description = (*existing)->description;
    if (!b->contains("format_extension")) t->format_extension = (*existing)->format_extension;
  }
  if (auto st = ctx.resources.update_type(*who, std::move(*t)); !st)
    return reply_error(r, st.error());
  reply_text(r, 200, "resource_type " + req.params["name"] + " updated");
}

void remove_type(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (auto st = require_admin(*who); !st) return reply_error(r, st.error());
  if (auto st = ctx.resources.remove_type(*who, ws, req.params["name"]); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 200, "resource_type " + req.params["name"] + " deleted");
}

void get_type(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto t = ctx.resources.find_type(ws, req.params["name"]);
  if (!t) return reply_error(r, t.error());
  if (!*t)
    return reply_error(r, Error::not_found("Resource type " + req.params["name"] + " not found"));
  reply_json(r, 200, type_json(**t).dump());
}

void type_exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto t = ctx.resources.find_type(ws, req.params["name"]);
  if (!t) return reply_error(r, t.error());
  reply_json(r, 200, t->has_value() ? "true" : "false");
}

void list_types(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto types = ctx.resources.list_types(ws);
  if (!types) return reply_error(r, types.error());
  json out = json::array();
  for (const auto& t : *types) out.push_back(type_json(t));
  reply_json(r, 200, out.dump());
}

void list_type_names(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto types = ctx.resources.list_types(ws);
  if (!types) return reply_error(r, types.error());
  json out = json::array();
  for (const auto& t : *types) out.push_back(t.name);
  reply_json(r, 200, out.dump());
}

}  // namespace

void add_resource_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/resources";
  router.add("GET", base + "/list", bind_handler(ctx, list));
  router.add("GET", base + "/list_names/:name", bind_handler(ctx, list_names));
  router.add("GET", base + "/get/*path", bind_handler(ctx, get_resource));
  router.add("GET", base + "/get_value/*path", bind_handler(ctx, get_value));
  router.add("GET", base + "/get_value_interpolated/*path",
             bind_handler(ctx, get_value_interpolated));
  router.add("GET", base + "/exists/*path", bind_handler(ctx, exists));
  router.add("POST", base + "/create", bind_handler(ctx, create));
  router.add("POST", base + "/update/*path", bind_handler(ctx, update));
  router.add("POST", base + "/update_value/*path", bind_handler(ctx, update_value));
  router.add("DELETE", base + "/delete/*path", bind_handler(ctx, remove));
  router.add("POST", base + "/type/create", bind_handler(ctx, create_type));
  router.add("POST", base + "/type/update/:name", bind_handler(ctx, update_type));
  router.add("DELETE", base + "/type/delete/:name", bind_handler(ctx, remove_type));
  router.add("GET", base + "/type/get/:name", bind_handler(ctx, get_type));
  router.add("GET", base + "/type/exists/:name", bind_handler(ctx, type_exists));
  router.add("GET", base + "/type/list", bind_handler(ctx, list_types));
  router.add("GET", base + "/type/listnames", bind_handler(ctx, list_type_names));
}

}  // namespace millrace::api
