// Reading the audit log: admins see the workspace's rows, others their own.
#include "api/replies.h"
#include "api/request_auth.h"
#include "api/routes.h"
#include "api/views.h"
#include "common/strings.h"

namespace millrace::api {
namespace {

void list_audit(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto page = paging(req);
  if (!page) return reply_error(r, page.error());
  store::AuditFilter f;
  f.limit = page->limit;
  f.offset = page->offset;
  f.operation = req.query_param("operation");
  f.resource = req.query_param("resource");
  f.username = req.query_param("username");
  f.action_kind = req.query_param("action_kind");
  if (f.action_kind && *f.action_kind != "Create" && *f.action_kind != "Update" &&
      *f.action_kind != "Delete" && *f.action_kind != "Execute") {
    return reply_error(r, Error::bad_request("invalid action_kind " + *f.action_kind +
                                             ": expected Create, Update, Delete or Execute"));
  }
  for (auto [name, list] : {std::pair{"operations", &f.operations},
                            std::pair{"exclude_operations", &f.exclude_operations}}) {
    if (auto v = req.query_param(name)) {
      for (const auto& op : split(*v, ',')) {
        if (!op.empty()) list->push_back(op);
      }
    }
  }
  for (auto [name, field] : {std::pair{"before", &f.before}, std::pair{"after", &f.after}}) {
    auto t = query_time(req, name);
    if (!t) return reply_error(r, t.error());
    *field = *t;
  }
  auto all = query_bool(req, "all_workspaces");
  if (!all) return reply_error(r, all.error());
  f.all_workspaces = all->value_or(false);
  auto list = ctx.audit_log.list(*who, ws, std::move(f));
  if (!list) return reply_error(r, list.error());
  reply_json(r, 200, audit_list_json(*list));
}

void get_audit(ApiContext& ctx, http::Request& req, http::ResponderPtr r) {
  const std::string ws = req.params["workspace"];
  auto who = authorize(ctx, req, ws);
  if (!who) return reply_error(r, who.error());
  auto parsed = parse_int64(req.params["id"]);
  if (!parsed)
    return reply_error(r, Error::bad_request("invalid audit log id " + req.params["id"]));
  const int64_t id = *parsed;
  auto row = ctx.audit_log.find(*who, ws, id);
  if (!row) return reply_error(r, row.error());
  if (!*row) {
    return reply_error(r, Error::not_found("Audit log not found at name " + req.params["id"]));
  }
  reply_json(r, 200, audit_json(**row));
}

}  // namespace

void add_audit_routes(http::Router& router, ApiContext& ctx) {
  router.add("GET", "/api/w/:workspace/audit/list", bind_handler(ctx, list_audit));
  router.add("GET", "/api/w/:workspace/audit/get/:id", bind_handler(ctx, get_audit));
}

}  // namespace millrace::api
