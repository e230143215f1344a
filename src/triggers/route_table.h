// Which HTTP route a request to /api/r/<path> is for. A route is a method and a pattern of
// segments, each static (`users`) or a parameter (`:id`); a workspaced route's pattern starts
// with its workspace's id. Among the routes that match, a static segment wins over a parameter
// at the first place they differ (`users/new` before `users/:id` for "users/new"), so the
// answer never depends on the order routes were made. Two routes that would match exactly the
// same requests collide: the second is refused. Not thread-safe: its owner locks.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"

namespace millrace::triggers {

class RouteTable {
 public:
  // 400 in words unless `route_path` is segments of letters, digits, `-`, `_`, `.`, `~` or
  // `:name` parameters, joined by single slashes, without a leading slash.
  static Status check_route_path(std::string_view route_path);

  // Adds the route `id` (its owner's key, e.g. workspace and trigger path). 400 naming the
  // route it collides with.
  Status add(const std::string& id, std::string_view method, std::string_view pattern);
  void remove(const std::string& id);
  size_t size() const { return ids_.size(); }

  struct Match {
    std::string id;
    std::vector<std::pair<std::string, std::string>> params;  // name, value (as in the path)
  };
  // `path` without /api/r/ and without the query.
  std::optional<Match> match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string id;
    std::vector<std::string> segments;  // ":name" for a parameter
  };
  // By method and number of segments.
  std::map<std::pair<std::string, size_t>, std::vector<Route>> routes_;
  std::map<std::string, std::pair<std::string, size_t>> ids_;  // where each id is
};

}  // namespace millrace::triggers
