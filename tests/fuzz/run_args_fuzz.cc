// A webhook's body, content type, query and headers → the job's arguments (and ?payload=).
// Input: content type, query string and one header value, separated by newlines, then the body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "api/run_args.h"
#include "common/strings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::string parts[3];
  size_t at = 0;
  for (auto& part : parts) {
    size_t nl = input.find('\n', at);
    if (nl == std::string::npos) return 0;
    part = input.substr(at, nl - at);
    at = nl + 1;
  }
  std::string body = input.substr(at);
  std::vector<std::pair<std::string, std::string>> query;
  for (const auto& pair : millrace::split(parts[1], '&')) {
    auto eq = pair.find('=');
    std::string k, v;
    if (!millrace::url_decode(pair.substr(0, eq), k, true)) continue;
    if (eq != std::string::npos && !millrace::url_decode(pair.substr(eq + 1), v, true)) continue;
    query.emplace_back(k, v);
  }
  std::vector<std::pair<std::string, std::string>> headers = {{"x-sign", parts[2]},
                                                              {"authorization", parts[2]}};
  millrace::api::RunArgsRequest req;
  req.content_type = parts[0].empty() ? nullptr : &parts[0];
  req.body = &body;
  req.query = &query;
  req.headers = &headers;
  req.global_include_headers = "x-sign";
  (void)millrace::api::build_run_args(req);
  (void)millrace::api::args_from_payload(body);
  return 0;
}
