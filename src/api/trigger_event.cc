#include "api/trigger_event.h"

#include <nlohmann/json.hpp>

#include "api/run_args.h"
#include "common/base64.h"
#include "common/strings.h"

namespace millrace::api {
namespace {

using nlohmann::json;

json object_of(const NameValues& list) {
  json out = json::object();
  for (const auto& [k, v] : list) out[k] = v;
  return out;
}

json headers_of(const TriggerRequest& t) {
  json out = json::object();
  for (const auto& [k, v] : t.req.headers) {
    if (is_credential_header(k) || k == t.secret_header) continue;
    out[k] = v;
  }
  return out;
}

bool is_json_type(const std::string* content_type) {
  if (!content_type) return true;
  return starts_with(to_lower(trim(*content_type)), "application/json");
}

// The body as the event shows it: JSON as sent (any value), a form's fields, or the text.
Result<json> event_body(const TriggerRequest& t) {
  RunArgsRequest in;
  in.content_type = t.req.header("content-type");
  in.body = &t.req.body;
  in.wrap_body = true;
  auto args = build_run_args(in);
  if (!args) return args.error();
  json a = json::parse(*args);
  if (is_json_type(in.content_type)) return a.contains("body") ? a["body"] : json::object();
  if (a.size() == 1 && a.contains("raw_string")) return a["raw_string"];
  return a;
}

std::string raw_text(const std::string& body) {
  return is_valid_utf8(body) ? body : base64_encode(body);
}

}  // namespace

Result<std::string> preprocessor_args(const TriggerRequest& t, const std::string* payload) {
  json event;
  event["kind"] = t.route.empty() ? "webhook" : "http";
  if (payload) {
    event["body"] = json::parse(*payload);
  } else {
    auto body = event_body(t);
    if (!body) return body.error();
    event["body"] = std::move(*body);
  }
  event["raw_string"] = raw_text(t.req.body);
  event["headers"] = headers_of(t);
  event["query"] = object_of(t.query);
  if (!t.route.empty()) {
    event["route"] = t.route;
    event["path"] = t.path;
    event["method"] = to_lower(t.req.method);
    event["params"] = object_of(t.params);
  }
  return json{{"event", std::move(event)}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string wm_trigger_json(const TriggerRequest& t) {
  json http = {{"route", t.route},
               {"path", t.path},
               {"method", to_lower(t.req.method)},
               {"params", object_of(t.params)},
               {"query", object_of(t.query)},
               {"headers", headers_of(t)}};
  return json{{"kind", "http"}, {"http", std::move(http)}}.dump(-1, ' ', false,
                                                                json::error_handler_t::replace);
}

}  // namespace millrace::api
