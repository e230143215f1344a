#include "queue/job_results.h"

#include <nlohmann/json.hpp>

namespace millrace::queue {

std::string wrap_error(const std::string& error_object_json) {
  return "{\"error\":" + error_object_json + "}";
}

std::string canceled_result(const std::string& reason, const std::string& canceler) {
  nlohmann::json e = {{"name", "Canceled"},
                      {"message", "Job canceled: " + reason + " by " + canceler},
                      {"reason", reason},
                      {"canceler", canceler}};
  return nlohmann::json{{"error", e}}.dump();
}

}  // namespace millrace::queue
