// OpenFlow validation: a flows/create body (what `wmill flow push` sends) → a checked record.
#include <cstddef>
#include <cstdint>
#include <string>

#include "api/flow_body.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string body(reinterpret_cast<const char*>(data), size);
  (void)millrace::api::parse_flow_body(body, "admins");
  return 0;
}
