// The fields of a request body this server does not interpret, kept to be returned as given
// (Windmill clients send more than a script or flow needs; `get` answers them back).
#pragma once

#include <initializer_list>
#include <string_view>

#include <nlohmann/json.hpp>

namespace millrace::api {

inline nlohmann::json extra_fields(const nlohmann::json& body,
                                   std::initializer_list<std::string_view> known) {
  nlohmann::json extra = nlohmann::json::object();
  for (auto it = body.begin(); it != body.end(); ++it) {
    bool is_known = false;
    for (auto k : known) is_known = is_known || it.key() == k;
    if (!is_known) extra[it.key()] = it.value();
  }
  return extra;
}

}  // namespace millrace::api
