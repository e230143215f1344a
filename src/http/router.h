// Maps method + path to a handler. Patterns are literal segments, `:name` (one segment) and a
// final `*name` (the rest of the path, slashes included: script paths such as u/alice/hello).
// Routes are tried in the order they were added. Not thread-safe while adding; dispatch is.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "http/message.h"

namespace millrace::http {

using Handler = std::function<void(Request&, ResponderPtr)>;

class Router {
 public:
  void add(const std::string& method, const std::string& pattern, Handler handler);
  // Fills req.params and calls the handler; answers 404 or 405 itself when nothing matches.
  void dispatch(Request& req, ResponderPtr responder) const;
  // Called for a path no route knows (any method) instead of the 404.
  void set_fallback(Handler handler);
  // Method and pattern of every route, in the order added (what the API document describes).
  std::vector<std::pair<std::string, std::string>> table() const;
  // What Responder::route says of a request that the fallback took, or that no route knew.
  static const std::string kFallbackRoute;
  static const std::string kUnknownRoute;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool match(const Route& r, const std::vector<std::string_view>& parts,
                    std::map<std::string, std::string>& params);
  std::vector<Route> routes_;
  Handler fallback_;
};

}  // namespace millrace::http
