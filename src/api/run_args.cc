#include "api/run_args.h"

#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/json_limits.h"
#include "common/strings.h"

namespace millrace::api {
namespace {

using nlohmann::json;

std::optional<std::string> param(const std::vector<std::pair<std::string, std::string>>* list,
                                 std::string_view name) {
  if (!list) return std::nullopt;
  for (const auto& [k, v] : *list) {
    if (k == name) return v;
  }
  return std::nullopt;
}

bool is_true(const std::optional<std::string>& v) {
  return v && (*v == "true" || *v == "1");
}

Error invalid_json(const std::string& body) {
  if (starts_with_bom(body))
    return Error::bad_request("invalid json: a byte-order mark is not JSON");
  if (!json_depth_within(body, kMaxRequestJsonDepth)) {
    return Error::bad_request("invalid json: recursion limit exceeded (more than " +
                              std::to_string(kMaxRequestJsonDepth) + " nested arrays or objects)");
  }
  return Error::bad_request("invalid json: " + json_error_detail(body));
}

std::string lenient_decode(std::string_view in) {
  std::string out;
  if (url_decode(in, out, true)) return out;
  out.clear();
  for (size_t i = 0; i < in.size(); ++i) {
    std::string piece;
    if (in[i] == '%' && i + 2 < in.size() && url_decode(in.substr(i, 3), piece, false)) {
      out += piece;
      i += 2;
    } else {
      out += in[i] == '+' ? ' ' : in[i];
    }
  }
  return out;
}

std::string text_value(const std::string& body) {
  return is_valid_utf8(body) ? body : base64_encode(body);
}

// The body's own contribution to the args, as a JSON object.
Result<json> body_args(const RunArgsRequest& req, std::optional<std::string>& raw_text_out,
                       bool& passthrough) {
  const std::string& body = *req.body;
  std::string type;
  if (req.content_type)
    type = to_lower(trim(req.content_type->substr(0, req.content_type->find(';'))));
  passthrough = false;
  if (!req.content_type && body.empty()) return json::object();
  if (!req.content_type || type == "application/json" || starts_with(type, "application/json")) {
    if (starts_with_bom(body) || !json_depth_within(body, kMaxRequestJsonDepth)) {
      return invalid_json(body);
    }
    if (!body.empty() && body[0] == '{') {
      if (!json::accept(body)) return invalid_json(body);
      passthrough = true;
      return json();  // the caller uses the text as is, or parses it if it must add to it
    }
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded()) return invalid_json(body);
    return json{{"body", std::move(parsed)}};
  }
  if (type == "text/plain" || type == "application/xml" || type == "text/xml") {
    raw_text_out = text_value(body);
    return json::object();
  }
  if (type == "application/x-www-form-urlencoded") {
    json out = json::object();
    for (const auto& part : split(body, '&')) {
      if (part.empty()) continue;
      auto eq = part.find('=');
      // Lenient like serde_urlencoded: a malformed escape is kept as written.
      std::string k = lenient_decode(part.substr(0, eq));
      std::string v = eq == std::string::npos ? "" : lenient_decode(part.substr(eq + 1));
      out[k] = v;
    }
    return out;
  }
  if (type == "multipart/form-data") {
    return Error::bad_request(
        "multipart/form-data bodies need workspace object storage, which this server does not "
        "have: send JSON or form-urlencoded");
  }
  if (type == "application/cloudevents-batch+json") {
    return Error::bad_request("CloudEvents batch mode is not supported");
  }
  if (type == "application/cloudevents+json") {
    if (starts_with_bom(body) || !json_depth_within(body, kMaxRequestJsonDepth)) {
      return invalid_json(body);
    }
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded()) return invalid_json(body);
    if (!parsed.is_object()) return Error::bad_request("a CloudEvent must be a JSON object");
    json data = parsed.contains("data") ? parsed["data"] : json();
    parsed.erase("data");
    json out = data.is_object() ? data : json{{"body", data}};
    out["WEBHOOK__METADATA__"] = parsed;
    return out;
  }
  raw_text_out = text_value(body);
  return json::object();
}

}  // namespace

Result<std::string> build_run_args(const RunArgsRequest& req) {
  static const std::string kEmpty;
  RunArgsRequest r = req;
  if (!r.body) r.body = &kEmpty;
  std::optional<std::string> raw_text;
  bool passthrough = false;
  auto base = body_args(r, raw_text, passthrough);
  if (!base) return base.error();

  json extras = json::object();
  if (r.raw_string || is_true(param(r.query, "raw"))) {
    extras["raw_string"] = text_value(*r.body);
  } else if (raw_text) {
    extras["raw_string"] = *raw_text;
  }
  std::string header_list = r.global_include_headers;
  if (auto h = param(r.query, "include_header"))
    header_list += (header_list.empty() ? "" : ",") + *h;
  for (const auto& name : split(header_list, ',')) {
    std::string key = to_lower(trim(name));
    if (key.empty()) continue;
    if (is_credential_header(key)) {
      return Error::bad_request("include_header may not name " + key +
                                ": a caller's credentials never enter a job's arguments");
    }
    if (auto v = param(r.headers, key)) {
      std::string arg = key;
      for (auto& c : arg) c = c == '-' ? '_' : c;
      extras[arg] = *v;
    }
  }
  if (auto q = param(r.query, "include_query")) {
    for (const auto& name : split(*q, ',')) {
      std::string key(trim(name));
      if (key.empty()) continue;
      if (auto v = param(r.query, key)) extras[key] = *v;
    }
  }
  bool wrap = r.wrap_body || is_true(param(r.query, "wrap_body"));

  if (passthrough && extras.empty() && !wrap) return *r.body;  // the hot path
  json args = passthrough ? json::parse(*r.body) : std::move(*base);
  if (wrap && passthrough) args = json{{"body", std::move(args)}};
  for (auto& [k, v] : extras.items()) args[k] = v;
  return args.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool is_credential_header(std::string_view lower_name) {
  return lower_name == "authorization" || lower_name == "cookie" || lower_name == "x-api-key" ||
         lower_name == "proxy-authorization";
}

Result<std::string> args_from_payload(const std::string& payload) {
  auto decoded = base64_decode(payload);
  if (!decoded) return Error::bad_request("Impossible to decode query payload: invalid base64");
  auto parsed = json::parse(*decoded, nullptr, false);
  if (parsed.is_discarded())
    return Error::bad_request("Impossible to decode query payload: invalid json");
  if (!parsed.is_object()) parsed = json{{"body", parsed}};
  return parsed.dump();
}

}  // namespace millrace::api
