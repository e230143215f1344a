#include "http/router.h"

#include "common/strings.h"

namespace millrace::http {
namespace {

std::vector<std::string_view> path_parts(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

const std::string Router::kFallbackRoute = "(fallback)";
const std::string Router::kUnknownRoute = "(unknown)";

std::vector<std::pair<std::string, std::string>> Router::table() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

void Router::add(const std::string& method, const std::string& pattern, Handler handler) {
  Route r;
  r.method = method;
  r.pattern = pattern;
  for (auto& seg : split(std::string_view(pattern).substr(1), '/')) r.segments.push_back(seg);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

bool Router::match(const Route& r, const std::vector<std::string_view>& parts,
                   std::map<std::string, std::string>& params) {
  params.clear();
  for (size_t i = 0; i < r.segments.size(); ++i) {
    const std::string& seg = r.segments[i];
    if (!seg.empty() && seg[0] == '*') {
      if (i >= parts.size()) return false;
      std::string rest;
      for (size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest += parts[j];
      }
      if (rest.empty()) return false;
      params[seg.substr(1)] = rest;
      return true;
    }
    if (i >= parts.size()) return false;
    if (!seg.empty() && seg[0] == ':') {
      if (parts[i].empty()) return false;
      params[seg.substr(1)] = std::string(parts[i]);
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return r.segments.size() == parts.size();
}

void Router::dispatch(Request& req, ResponderPtr responder) const {
  auto parts = path_parts(req.path);
  bool path_known = false;
  const Route* get_for_head = nullptr;
  std::map<std::string, std::string> params, head_params;
  for (const auto& r : routes_) {
    if (!match(r, parts, params)) continue;
    if (r.method == req.method) {
      req.params = std::move(params);
      responder->route = &r.pattern;
      r.handler(req, std::move(responder));
      return;
    }
    if (req.method == "HEAD" && r.method == "GET" && !get_for_head) {
      get_for_head = &r;
      head_params = params;
    }
    path_known = true;
  }
  if (get_for_head) {  // HEAD is GET without the body (the server drops it)
    req.params = std::move(head_params);
    responder->route = &get_for_head->pattern;
    get_for_head->handler(req, std::move(responder));
  } else if (path_known) {
    responder->route = &kUnknownRoute;
    responder->send(Response::text(405, "Method Not Allowed: " + req.method + " " + req.path));
  } else if (fallback_) {
    responder->route = &kFallbackRoute;
    fallback_(req, std::move(responder));
  } else {
    responder->route = &kUnknownRoute;
    responder->send(Response::text(404, "Not found: no route for " + req.method + " " + req.path));
  }
}

void Router::set_fallback(Handler handler) {
  fallback_ = std::move(handler);
}

}  // namespace millrace::http
