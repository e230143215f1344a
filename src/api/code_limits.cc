#include "api/code_limits.h"

#include <cstdio>

namespace millrace::api {
namespace {

// 1536 → "1.5 KiB"; bytes below a KiB as they are.
std::string readable_size(int64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char out[32];
  if (unit == 0) {
    std::snprintf(out, sizeof out, "%lld bytes", static_cast<long long>(bytes));
  } else {
    std::snprintf(out, sizeof out, "%.3g %s", v, units[unit]);
  }
  return out;
}

}  // namespace

Status check_code_size(const Config& config, std::string_view content) {
  const auto size = static_cast<int64_t>(content.size());
  if (size <= config.script_size_limit_bytes) return Status::ok();
  return Error::of(ErrorKind::TooLarge, "Payload Too Large: the script's code is " +
                                            readable_size(size) + ", over the limit of " +
                                            readable_size(config.script_size_limit_bytes) +
                                            " (SCRIPT_SIZE_LIMIT)");
}

}  // namespace millrace::api
