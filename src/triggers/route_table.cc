#include "triggers/route_table.h"

#include <algorithm>
#include <cctype>

#include "common/strings.h"

namespace millrace::triggers {
namespace {

std::vector<std::string_view> split(std::string_view path) {
  std::vector<std::string_view> out;
  while (true) {
    size_t at = path.find('/');
    out.push_back(path.substr(0, at));
    if (at == std::string_view::npos) break;
    path = path.substr(at + 1);
  }
  return out;
}

bool is_param(std::string_view segment) {
  return segment.size() > 1 && segment[0] == ':';
}

bool static_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
         c == '~';
}

bool param_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// Whether the two patterns match exactly the same paths.
bool same_paths(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    if (is_param(a[i]) != is_param(b[i])) return false;
    if (!is_param(a[i]) && a[i] != b[i]) return false;
  }
  return true;
}

std::string joined(const std::vector<std::string>& segments) {
  std::string out;
  for (const auto& s : segments) out += (out.empty() ? "" : "/") + s;
  return out;
}

}  // namespace

Status RouteTable::check_route_path(std::string_view route_path) {
  if (route_path.empty()) return Error::bad_request("route_path: required");
  if (route_path.size() > 255) return Error::bad_request("route_path: at most 255 characters");
  if (route_path[0] == '/') return Error::bad_request("route_path: must not start with /");
  std::vector<std::string_view> names;
  for (std::string_view segment : split(route_path)) {
    if (segment.empty()) {
      return Error::bad_request("route_path " + std::string(route_path) +
                                ": empty segment (a double or trailing slash)");
    }
    if (segment[0] == ':') {
      std::string_view name = segment.substr(1);
      if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0])) ||
          !std::all_of(name.begin(), name.end(), param_char)) {
        return Error::bad_request("route_path " + std::string(route_path) + ": parameter " +
                                  std::string(segment) + " must be : then letters, digits or _");
      }
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        return Error::bad_request("route_path " + std::string(route_path) + ": parameter " +
                                  std::string(segment) + " appears twice");
      }
      names.push_back(name);
    } else if (!std::all_of(segment.begin(), segment.end(), static_char)) {
      return Error::bad_request("route_path " + std::string(route_path) + ": segment " +
                                std::string(segment) +
                                " may hold only letters, digits, -, _, . and ~");
    }
  }
  return Status::ok();
}

Status RouteTable::add(const std::string& id, std::string_view method, std::string_view pattern) {
  MR_TRY(check_route_path(pattern));
  std::vector<std::string> segments;
  for (auto s : split(pattern)) segments.emplace_back(s);
  const auto key = std::make_pair(to_lower(method), segments.size());
  auto& bucket = routes_[key];
  for (const auto& r : bucket) {
    if (r.id != id && same_paths(r.segments, segments)) {
      return Error::bad_request("the route " + std::string(method) + " " + std::string(pattern) +
                                " collides with the existing route " + joined(r.segments));
    }
  }
  remove(id);
  routes_[key].push_back({id, std::move(segments)});
  ids_[id] = key;
  return Status::ok();
}

void RouteTable::remove(const std::string& id) {
  auto it = ids_.find(id);
  if (it == ids_.end()) return;
  auto& bucket = routes_[it->second];
  bucket.erase(std::remove_if(bucket.begin(), bucket.end(), [&](auto& r) { return r.id == id; }),
               bucket.end());
  if (bucket.empty()) routes_.erase(it->second);
  ids_.erase(it);
}

std::optional<RouteTable::Match> RouteTable::match(std::string_view method,
                                                   std::string_view path) const {
  const auto segments = split(path);
  auto it = routes_.find({to_lower(method), segments.size()});
  if (it == routes_.end()) return std::nullopt;
  const Route* best = nullptr;
  for (const auto& r : it->second) {
    bool fits = true;
    for (size_t i = 0; i < segments.size() && fits; ++i) {
      fits = is_param(r.segments[i]) ? !segments[i].empty() : r.segments[i] == segments[i];
    }
    if (!fits) continue;
    if (!best) {
      best = &r;
      continue;
    }
    // The first place they differ decides: a static segment wins.
    for (size_t i = 0; i < segments.size(); ++i) {
      bool mine = !is_param(r.segments[i]);
      bool theirs = !is_param(best->segments[i]);
      if (mine != theirs) {
        if (mine) best = &r;
        break;
      }
    }
  }
  if (!best) return std::nullopt;
  Match m{best->id, {}};
  for (size_t i = 0; i < segments.size(); ++i) {
    if (is_param(best->segments[i])) {
      m.params.emplace_back(best->segments[i].substr(1), std::string(segments[i]));
    }
  }
  return m;
}

}  // namespace millrace::triggers
