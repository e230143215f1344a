#include "http/message.h"

#include "common/strings.h"

namespace millrace::http {

bool parse_request_target(std::string_view target, Request& req) {
  // Absolute form (GET http://host/api/version HTTP/1.1) is valid HTTP/1.1: keep the path.
  if (auto scheme = target.find("://");
      scheme != std::string_view::npos && !target.empty() && target[0] != '/') {
    auto slash = target.find('/', scheme + 3);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  auto q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  req.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
  return !raw_path.empty() && raw_path[0] == '/' && url_decode_path(raw_path, req.path) &&
         is_valid_utf8(req.path);
}

const std::string* Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return &v;
  }
  return nullptr;
}

bool Request::query_params(std::vector<std::pair<std::string, std::string>>& out) const {
  out.clear();
  if (query.empty()) return true;
  for (const auto& part : split(query, '&')) {
    if (part.empty()) continue;
    auto eq = part.find('=');
    std::string key, value;
    if (!url_decode(part.substr(0, eq), key, true)) return false;
    if (eq != std::string::npos && !url_decode(part.substr(eq + 1), value, true)) return false;
    out.emplace_back(std::move(key), std::move(value));
  }
  return true;
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::vector<std::pair<std::string, std::string>> all;
  if (!query_params(all)) return std::nullopt;
  for (auto& [k, v] : all) {
    if (k == name) return std::move(v);
  }
  return std::nullopt;
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  const std::string* h = header("cookie");
  if (!h) return std::nullopt;
  for (const auto& part : split(*h, ';')) {
    std::string_view p = trim(part);
    auto eq = p.find('=');
    if (eq != std::string_view::npos && p.substr(0, eq) == name) {
      return std::string(p.substr(eq + 1));
    }
  }
  return std::nullopt;
}

Response Response::text(int status, std::string body) {
  return {status, "text/plain", std::move(body), {}};
}

Response Response::json(int status, std::string body) {
  return {status, "application/json", std::move(body), {}};
}

std::string mask_token(std::string_view target) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return std::string(target);
  std::string out(target.substr(0, q + 1));
  bool first = true;
  for (const auto& part : split(target.substr(q + 1), '&')) {
    if (!first) out += '&';
    first = false;
    std::string key;
    // Compare the decoded name: %74oken=… is a token too.
    if (url_decode(part.substr(0, part.find('=')), key, true) && key == "token") {
      out += part.substr(0, part.find('=')) + "=***";
    } else {
      out += part;
    }
  }
  return out;
}

}  // namespace millrace::http
