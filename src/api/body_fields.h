// Reading the fields of a JSON request body, with the 422 of a field of the wrong type.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/replies.h"

namespace millrace::api {

// The string at `field`; nullopt when absent or null; 422 when it is not a string.
inline Result<std::optional<std::string>> optional_string(const nlohmann::json& body,
                                                          const char* field) {
  if (!body.contains(field) || body[field].is_null()) return std::optional<std::string>();
  if (!body[field].is_string()) return json_data_error(std::string(field) + ": expected a string");
  return std::optional<std::string>(body[field].get<std::string>());
}

}  // namespace millrace::api
