#include "api/sync_result.h"

#include <cctype>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/strings.h"

namespace millrace::api {
namespace {

using nlohmann::json;

const json* field(const json& o, const char* a, const char* b) {
  if (auto it = o.find(a); it != o.end()) return &*it;
  if (auto it = o.find(b); it != o.end()) return &*it;
  return nullptr;
}

// What a job may put in a response header: HTTP token names, values without control
// characters (no CR/LF header injection), each well under the server's header limits.
constexpr size_t kMaxHeaderBytes = 8192;

bool safe_header_name(const std::string& name) {
  if (name.empty() || name.size() > 256) return false;
  for (unsigned char c : name) {
    if (!std::isalnum(c) &&
        std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool safe_header_value(const std::string& value) {
  if (value.size() > kMaxHeaderBytes) return false;
  for (unsigned char c : value) {
    if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

}  // namespace

std::string refused_result_header(const std::string& name, const std::string& value,
                                  const std::string& origin) {
  static const char* kRefused[] = {"set-cookie",
                                   "set-cookie2",
                                   "content-security-policy",
                                   "content-security-policy-report-only",
                                   "x-content-type-options",
                                   "connection",
                                   "keep-alive",
                                   "proxy-authenticate",
                                   "proxy-authorization",
                                   "te",
                                   "trailer",
                                   "transfer-encoding",
                                   "upgrade",
                                   "content-length",
                                   "strict-transport-security"};
  for (const char* refused : kRefused) {
    if (name == refused) return "the app's own or a hop-by-hop header";
  }
  if (starts_with(name, "access-control-")) return "a CORS header";
  if (name == "location" || name == "refresh") {
    std::string target = url_origin(name == "refresh" ? value.substr(value.find('=') + 1) : value);
    if (!target.empty() && target != url_origin(origin)) return "a redirect to another origin";
  }
  return "";
}

http::Response sync_response(const queue::JobCompletion& done, const SyncResponseOptions& options) {
  if (!done.success()) return http::Response::json(422, done.result_json);
  // Only an object result can carry overrides; look before parsing anything else.
  if (done.result_json.empty() || done.result_json[0] != '{' ||
      (done.result_json.find("windmill_") == std::string::npos &&
       done.result_json.find("wm_") == std::string::npos)) {
    return http::Response::json(200, done.result_json);
  }
  json o = json::parse(done.result_json, nullptr, false);
  if (!o.is_object()) return http::Response::json(200, done.result_json);
  const json* status = field(o, "windmill_status_code", "wm_status_code");
  const json* type = field(o, "windmill_content_type", "wm_content_type");
  const json* headers = field(o, "windmill_headers", "wm_headers");
  if (!status && !type && !headers) return http::Response::json(200, done.result_json);

  http::Response res;
  res.status = o.contains("result") ? 200 : 204;
  if (status) {
    // 1xx would need a different exchange; 200-599 are what a response can carry.
    if (!status->is_number_integer() || status->get<int64_t>() < 200 ||
        status->get<int64_t>() > 599) {
      return http::Response::text(500, "Invalid status code");
    }
    res.status = static_cast<int>(status->get<int64_t>());
  }
  res.content_type = "application/json";
  if (type && type->is_string()) {
    if (!safe_header_value(type->get<std::string>())) {
      return http::Response::text(500, "Invalid content type");
    }
    res.content_type = type->get<std::string>();
  }
  if (headers && headers->is_object()) {
    for (auto it = headers->begin(); it != headers->end(); ++it) {
      if (!it.value().is_string()) continue;
      const std::string& value = it.value().get_ref<const std::string&>();
      if (!safe_header_name(it.key()) || !safe_header_value(value)) {
        return http::Response::text(500, "Invalid header " + it.key().substr(0, 64));
      }
      if (auto why = refused_result_header(to_lower(it.key()), value, options.origin);
          !why.empty()) {
        log::warn("job " + done.id + ": its result may not set the header " + it.key() + " (" +
                      why + "): answered 400",
                  {{"job_id", done.id}});
        return http::Response::text(400, "Bad request: the job's result may not set the header " +
                                             it.key() + " (" + why + ")");
      }
      res.headers.emplace_back(it.key(), value);
    }
  }
  // Not JSON: a document of the job's, served on the app's origin. Sandboxed, it cannot run
  // script as the app (nor read its cookie, nor call its API with it).
  if (options.sandbox_raw_bodies && !starts_with(to_lower(res.content_type), "application/json")) {
    res.headers.emplace_back("Content-Security-Policy", "sandbox");
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  }
  // 204 and 304 carry no body, whatever the result says.
  if (auto it = o.find("result"); it != o.end() && res.status != 204 && res.status != 304) {
    res.body = (type && it->is_string()) ? it->get<std::string>()
                                         : it->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return res;
}

}  // namespace millrace::api
