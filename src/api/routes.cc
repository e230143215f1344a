#include "api/routes.h"

#include <nlohmann/json.hpp>

#include "api/paths.h"
#include "api/replies.h"
#include "common/log.h"
#include "common/strings.h"
#include "store/database.h"
#include "store/users.h"

namespace millrace::api {

http::Handler bind_handler(ApiContext& ctx, HandlerFn fn) {
  return [&ctx, fn](http::Request& req, http::ResponderPtr r) {
    try {
      fn(ctx, req, r);
    } catch (const nlohmann::json::type_error& e) {
      reply_error(r, json_data_error(e.what()));
    } catch (const std::exception& e) {
      log::error(std::string("handler failed on ") + req.method + " " + req.path + ": " + e.what());
      reply_error(r, Error::internal(e.what()));
    }
  };
}

Status KnownWorkspaces::check_exists(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    if (known_.count(id)) return Status::ok();
  }
  auto ws = db_.read([&](store::Connection& c) { return store::find_workspace(c, id); });
  if (!ws) return ws.error();
  if (!*ws) return Error::not_found("workspace " + id + " does not exist");
  std::lock_guard lock(mutex_);
  known_.insert(id);
  return Status::ok();
}

void register_routes(http::Router& router, ApiContext& ctx) {
  add_auth_routes(router, ctx);
  add_user_routes(router, ctx);
  add_token_routes(router, ctx);
  add_script_routes(router, ctx);
  add_flow_routes(router, ctx);
  add_job_run_routes(router, ctx);
  add_preview_routes(router, ctx);
  add_workspace_export_routes(router, ctx);
  add_flow_resume_routes(router, ctx);
  add_lock_job_routes(router, ctx);
  add_job_routes(router, ctx);
  add_audit_routes(router, ctx);
  add_folder_routes(router, ctx);
  add_meta_routes(router, ctx);
  add_variable_routes(router, ctx);
  add_resource_routes(router, ctx);
  add_http_trigger_routes(router, ctx);
  add_http_route_calls(router, ctx);
  add_route_delivery_routes(router, ctx);
  // Anything else below /api is answered by the router's 404.
}

}  // namespace millrace::api
