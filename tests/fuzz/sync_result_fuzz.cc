// A job's result turned into a sync webhook's answer: the result is whatever the job printed,
// and it may ask for a status, a content type and headers, which may not act for the app.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/sync_result.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string result(reinterpret_cast<const char*>(data), size);
  millrace::api::SyncResponseOptions options;
  options.origin = "http://127.0.0.1:8000";
  auto response =
      millrace::api::sync_response({"id", millrace::JobStatus::Success, result}, options);
  (void)response;
  (void)millrace::api::sync_response({"id", millrace::JobStatus::Failure, result}, options);
  return 0;
}
