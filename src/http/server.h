// The HTTP/1.1 server (Boost.Beast over Asio). It parses, enforces limits, hands each request
// to the router and writes what the handler answers, whenever and from whichever thread it
// answers. It knows nothing of the API behind the router.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "http/router.h"

namespace millrace::http {

struct ServerOptions {
  std::string bind_address = "0.0.0.0";
  int port = 8000;
  int threads = 2;
  int64_t body_limit_bytes = 200ll * 1024 * 1024;
  // A body larger than this (or of a length not said upfront) is read only once admit_body
  // admitted its request: an unauthenticated caller cannot make the server buffer 200 MB.
  int64_t unchecked_body_bytes = 64 * 1024;
  std::function<BodyAdmission(const Request& head)> admit_body;
  // The bodies being received at once hold at most this much memory; beyond, 503.
  int64_t max_buffered_body_bytes = 512ll * 1024 * 1024;
  bool access_log = true;
};

class Server {
 public:
  Server(const Router& router, ServerOptions options);
  ~Server();
  // Binds and listens; returns the bound port (useful with port 0), or -1 with `error`.
  int listen(std::string& error);
  // Serves on the configured threads until stop(), SIGINT or SIGTERM; blocks.
  void run();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace millrace::http
