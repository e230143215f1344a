// HTTP requests and responses as the API sees them: plain data, no network types.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace millrace::http {

// Whether a request may send its body, decided from its head before any of the body is read
// (ServerOptions::admit_body).
struct BodyAdmission {
  bool admitted = true;
  int status = 0;  // when refused: the answer (then the connection is closed)
  std::string message;
};

struct Request {
  std::string method;                                        // upper case
  std::string target;                                        // as received
  std::string path;                                          // percent-decoded, without the query
  std::string query;                                         // raw, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;
  std::string remote;                         // the client's address
  std::map<std::string, std::string> params;  // filled by the router (:name and *name)

  // First header with this (lower-case) name.
  const std::string* header(std::string_view name) const;
  // Decoded value of the first query parameter with this name.
  std::optional<std::string> query_param(std::string_view name) const;
  // Every query parameter, decoded, in order. False when an escape is malformed.
  bool query_params(std::vector<std::pair<std::string, std::string>>& out) const;
  std::optional<std::string> cookie(std::string_view name) const;
};

// Fills req.path (percent-decoded, but an encoded slash stays %2F: it never makes a route's path
// segments) and req.query (raw) from a request target, in origin or absolute form. False when
// the path is malformed (not absolute, a bad escape, not UTF-8).
bool parse_request_target(std::string_view target, Request& req);

struct Response {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static Response text(int status, std::string body);
  static Response json(int status, std::string body);
};

// The one way to answer a request. send() may be called from any thread, once; later calls
// are ignored. on_disconnect() registers a callback for a client that goes away before the
// answer (a parked sync webhook cancels its job there) or, for a stream, before its end.
//
// A streamed answer (Server-Sent Events) replaces send() with start_stream() (the status and
// headers of `head`; its body is ignored), then write() for each piece, in order, then end().
// The body goes out chunked. Pieces written after the client left are dropped.
class Responder {
 public:
  virtual ~Responder() = default;
  virtual void send(Response response) = 0;
  virtual void on_disconnect(std::function<void()> callback) = 0;
  virtual void start_stream(Response head) = 0;
  virtual void write(std::string piece) = 0;
  virtual void end() = 0;

  // The pattern of the route that took the request, set by the router before its handler runs
  // (for the access log and metrics). Points into the router, which outlives every request.
  const std::string* route = nullptr;
};
using ResponderPtr = std::shared_ptr<Responder>;

// `target` with the value of every `token` query parameter replaced by ***, for logs.
std::string mask_token(std::string_view target);

}  // namespace millrace::http
