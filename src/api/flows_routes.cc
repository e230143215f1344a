// Flows: create, update (each save is a version), read, list, archive, delete. Running them is
// the flow engine's part (jobs/run/f, /fv).
#include <nlohmann/json.hpp>

#include "api/flow_body.h"
#include "api/path_access.h"
#include "api/paths.h"
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/views.h"
#include "common/strings.h"
#include "service/flows.h"

namespace millrace::api {
namespace {

using nlohmann::json;

Error not_found(const std::string& path) {
  return service::flow_not_found(path);
}

Result<ParsedFlow> read_body(const http::Request& req, const std::string& ws) {
  auto text = json_body_text(req);
  if (!text) return text.error();
  return parse_flow_body(*text, ws);
}

// Create (no `old_path`) and update share one path: the body is checked the same way, and an
// update may rename the flow, but never onto another flow.
void write_flow(ApiContext& ctx, http::Request& req, http::ResponderPtr r,
                const std::optional<std::string>& old_path) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  if (old_path && !is_valid_script_path(*old_path))
    return reply_error(r, invalid_path_error(*old_path));
  auto parsed = read_body(req, ws);
  if (!parsed) return reply_error(r, parsed.error());
  store::FlowRecord& f = parsed->flow;
  for (const auto& p : {old_path.value_or(f.path), f.path}) {
    if (auto st = may_write_path(ctx, *who, ws, p); !st) return reply_error(r, st.error());
  }
  if (Status st = ctx.flows.save(*who, f, old_path, parsed->deployment_msg); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, old_path ? 200 : 201, f.path);
}

void create_flow(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  write_flow(ctx, req, std::move(r), std::nullopt);
}

void update_flow(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  write_flow(ctx, req, std::move(r), req.params["path"]);
}

// The flow at `path` if `who` may read it; 404 as if absent otherwise.
Result<store::FlowRecord> readable_flow(ApiContext& ctx, const auth::Identity& who,
                                        const std::string& ws, const std::string& path) {
  auto f = ctx.flows.find(ws, path);
  if (!f) return f.error();
  auto readable = may_read_path(ctx, who, ws, path);
  if (!readable) return readable.error();
  if (!*f || !*readable) return not_found(path);
  return std::move(**f);
}

void get_flow(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string path = req.params["path"];
  auto f = readable_flow(ctx, *who, ws, path);
  if (!f) return reply_error(r, f.error());
  reply_json(r, 200, flow_json(*f));
}

void get_flow_version(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string text = req.params["version"];
  auto id = parse_int64(text);
  if (!id) {
    return reply_error(r, Error::bad_request("invalid flow version " + text + ": not an integer"));
  }
  auto f = ctx.flows.find_version(ws, *id);
  if (!f) return reply_error(r, f.error());
  auto readable = *f ? may_read_path(ctx, *who, ws, (*f)->path) : Result<bool>(false);
  if (!readable) return reply_error(r, readable.error());
  if (!*f || !*readable)
    return reply_error(r, Error::not_found("Flow version " + text + " not found"));
  reply_json(r, 200, flow_json(**f));
}

void list_flows(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto page = paging(req);
  if (!page) return reply_error(r, page.error());
  auto archived = query_bool(req, "show_archived");
  if (!archived) return reply_error(r, archived.error());
  store::FlowListFilter f;
  f.path_start = req.query_param("path_start");
  f.show_archived = archived->value_or(false);
  f.limit = page->limit;
  f.offset = page->offset;
  auto readable = readable_prefixes(ctx, *who, ws);
  if (!readable) return reply_error(r, readable.error());
  f.visible_prefixes = std::move(*readable);
  auto list = ctx.flows.list(ws, f);
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, flows_list_json(*list));
}

void flow_exists(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto f = readable_flow(ctx, *who, ws, req.params["path"]);
  if (!f && f.error().kind != ErrorKind::NotFound) return reply_error(r, f.error());
  reply_json(r, 200, f ? "true" : "false");
}

// The versions of the flow at the request's path, newest first; 404 when it has none.
Result<std::vector<store::FlowVersionInfo>> versions_of(ApiContext& ctx, http::Request& req) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return who.error();
  const std::string path = req.params["path"];
  auto readable = may_read_path(ctx, *who, ws, path);
  if (!readable) return readable.error();
  auto list = ctx.flows.history(ws, path);
  if (!list) return list.error();
  if (list->empty() || !*readable) return not_found(path);
  return list;
}

void flow_history(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto list = versions_of(ctx, req);
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, flow_history_json(*list));
}

void latest_flow_version(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  auto list = versions_of(ctx, req);
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, flow_version_json(list->front()));
}

void archive_flow(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string path = req.params["path"];
  if (auto st = may_write_path(ctx, *who, ws, path); !st) return reply_error(r, st.error());
  bool archived = true;  // an empty body archives, as the UI's button does
  if (!req.body.empty()) {
    auto text = json_body_text(req);
    if (!text) return reply_error(r, text.error());
    json b = json::parse(*text);
    if (!b.is_object() || (b.contains("archived") && !b["archived"].is_boolean()))
      return reply_error(r, json_data_error("expected {\"archived\": boolean}"));
    archived = b.value("archived", true);
  }
  if (Status st = ctx.flows.set_archived(*who, ws, path, archived); !st) {
    return reply_error(r, st.error());
  }
  reply_text(r, 200, "Flow " + path + (archived ? " archived" : " unarchived"));
}

void delete_flow(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  const std::string path = req.params["path"];
  if (auto st = may_write_path(ctx, *who, ws, path); !st) return reply_error(r, st.error());
  if (Status st = ctx.flows.remove(*who, ws, path); !st) return reply_error(r, st.error());
  reply_text(r, 200, "Flow " + path + " deleted");
}

}  // namespace

void add_flow_routes(http::Router& router, ApiContext& ctx) {
  const std::string base = "/api/w/:workspace/flows";
  router.add("POST", base + "/create", bind_handler(ctx, create_flow));
  router.add("POST", base + "/update/*path", bind_handler(ctx, update_flow));
  // Before get/*path: a flow path never starts with v/ (u/, f/ or g/ only).
  router.add("GET", base + "/get/v/:version", bind_handler(ctx, get_flow_version));
  router.add("GET", base + "/get/*path", bind_handler(ctx, get_flow));
  router.add("GET", base + "/list", bind_handler(ctx, list_flows));
  router.add("GET", base + "/exists/*path", bind_handler(ctx, flow_exists));
  router.add("GET", base + "/history/p/*path", bind_handler(ctx, flow_history));
  router.add("GET", base + "/get_latest_version/*path", bind_handler(ctx, latest_flow_version));
  router.add("POST", base + "/archive/*path", bind_handler(ctx, archive_flow));
  router.add("DELETE", base + "/delete/*path", bind_handler(ctx, delete_flow));
}

}  // namespace millrace::api
