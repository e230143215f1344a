// Every API route, registered in one place so the URL map reads top to bottom.
#pragma once

#include "api/context.h"
#include "http/router.h"

namespace millrace::api {

void register_routes(http::Router& router, ApiContext& ctx);

// Wraps a handler so that a body of the wrong JSON types is answered 422 and any other escaped
// exception 500, instead of taking the server down.
using HandlerFn = void (*)(ApiContext&, http::Request&, http::ResponderPtr);
http::Handler bind_handler(ApiContext& ctx, HandlerFn fn);

// One function per resource file.
void add_auth_routes(http::Router& router, ApiContext& ctx);
void add_user_routes(http::Router& router, ApiContext& ctx);
void add_token_routes(http::Router& router, ApiContext& ctx);
void add_script_routes(http::Router& router, ApiContext& ctx);
void add_flow_routes(http::Router& router, ApiContext& ctx);
void add_job_run_routes(http::Router& router, ApiContext& ctx);
void add_flow_resume_routes(http::Router& router, ApiContext& ctx);
void add_lock_job_routes(http::Router& router, ApiContext& ctx);
void add_job_routes(http::Router& router, ApiContext& ctx);
void add_audit_routes(http::Router& router, ApiContext& ctx);
void add_folder_routes(http::Router& router, ApiContext& ctx);
void add_meta_routes(http::Router& router, ApiContext& ctx);
void add_variable_routes(http::Router& router, ApiContext& ctx);
void add_resource_routes(http::Router& router, ApiContext& ctx);
void add_http_trigger_routes(http::Router& router, ApiContext& ctx);
void add_http_route_calls(http::Router& router, ApiContext& ctx);
void add_route_delivery_routes(http::Router& router, ApiContext& ctx);
void add_preview_routes(http::Router& router, ApiContext& ctx);
void add_workspace_export_routes(http::Router& router, ApiContext& ctx);

}  // namespace millrace::api
