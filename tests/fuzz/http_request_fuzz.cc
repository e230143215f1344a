// The HTTP request parser and the router: bytes as a client sends them → Beast's parser with
// the server's limits → the request target, headers, query and cookies as the API reads them →
// a route table of the API's shapes (static segments, :params, *wildcards).
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/strings.h"
#include "http/message.h"
#include "http/router.h"

namespace {

namespace bhttp = boost::beast::http;
using millrace::http::Request;
using millrace::http::Responder;
using millrace::http::Response;

class NullResponder final : public Responder {
 public:
  void send(Response) override {}
  void on_disconnect(std::function<void()>) override {}
  void start_stream(Response) override {}
  void write(std::string) override {}
  void end() override {}
};

const millrace::http::Router& router() {
  static millrace::http::Router r = [] {
    millrace::http::Router table;
    auto touch = [](Request& req, millrace::http::ResponderPtr) {
      for (const auto& [k, v] : req.params) (void)(k.size() + v.size());
    };
    for (const char* pattern :
         {"/api/version", "/api/w/:workspace/jobs/run/p/*path",
          "/api/w/:workspace/jobs/run/h/:hash", "/api/w/:workspace/jobs/run_wait_result/p/*path",
          "/api/w/:workspace/jobs_u/get/:id", "/api/w/:workspace/jobs/resume_urls/:id/:resume_id",
          "/api/w/:workspace/scripts/list", "/api/w/:workspace/folders/get/:name",
          "/api/auth/login"}) {
      for (const char* method : {"GET", "POST", "DELETE"}) table.add(method, pattern, touch);
    }
    table.set_fallback(touch);
    return table;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(1024 * 1024);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (ec || !parser.is_header_done()) return 0;
  const auto& msg = parser.get();
  Request req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  for (const auto& field : msg) {
    req.headers.emplace_back(millrace::to_lower(std::string_view(field.name_string().data(),
                                                                 field.name_string().size())),
                             std::string(field.value()));
  }
  if (!millrace::http::parse_request_target(req.target, req)) return 0;
  std::vector<std::pair<std::string, std::string>> query;
  (void)req.query_params(query);
  (void)req.query_param("token");
  (void)req.cookie("token");
  (void)req.header("authorization");
  (void)millrace::http::mask_token(req.target);
  router().dispatch(req, std::make_shared<NullResponder>());
  return 0;
}
