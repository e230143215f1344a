#include "api/arg_validation.h"

#include <cmath>

#include <nlohmann/json.hpp>

namespace millrace::api {
namespace {

using nlohmann::json;

std::string shown(const json& v) {
  std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  return text.size() > 60 ? text.substr(0, 60) + "…" : text;
}

std::string type_name(const json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer() || v.is_number_unsigned()) return "integer";
  if (v.is_number()) return "number";
  if (v.is_string()) return "string";
  if (v.is_array()) return "array";
  return "object";
}

bool has_type(const json& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "number") return v.is_number();
  if (type == "integer") {
    if (v.is_number_integer() || v.is_number_unsigned()) return true;
    if (!v.is_number_float()) return false;
    double d = v.get<double>();  // 2.0, and integers past 64 bits, are integers
    return std::isfinite(d) && std::floor(d) == d;
  }
  return true;  // a type this check does not know: not refused here
}

// What the property expects, in words: "integer", "one of \"a\", \"b\"".
std::string expected(const json& prop) {
  if (auto e = prop.find("enum"); e != prop.end() && e->is_array()) {
    std::string out = "one of ";
    for (size_t i = 0; i < e->size(); ++i) out += (i ? ", " : "") + shown((*e)[i]);
    return out;
  }
  if (auto t = prop.find("type"); t != prop.end() && t->is_string()) {
    return t->get<std::string>();
  }
  return "any value";
}

}  // namespace

Status validate_args(const std::string& schema_json, const std::string& args_json,
                     bool check_types) {
  if (schema_json.find("\"properties\"") == std::string::npos) return Status::ok();
  json schema = json::parse(schema_json, nullptr, false);
  if (!schema.is_object() || !schema.contains("properties") || !schema["properties"].is_object()) {
    return Status::ok();
  }
  json args = json::parse(args_json, nullptr, false);
  if (!args.is_object()) return Status::ok();  // the run routes always make an object
  const json& properties = schema["properties"];
  if (auto req = schema.find("required"); req != schema.end() && req->is_array()) {
    for (const auto& name : *req) {
      if (!name.is_string()) continue;
      const std::string& n = name.get_ref<const std::string&>();
      auto it = args.find(n);
      if (it == args.end()) {
        auto prop = properties.find(n);
        return Error::bad_request("argument `" + n + "` is required" +
                                  (prop != properties.end() && prop->is_object()
                                       ? " (expected " + expected(*prop) + ")"
                                       : ""));
      }
    }
  }
  if (!check_types) return Status::ok();
  for (const auto& [name, value] : args.items()) {
    auto prop = properties.find(name);
    if (prop == properties.end() || !prop->is_object() || value.is_null()) continue;
    if (auto e = prop->find("enum"); e != prop->end() && e->is_array() && !e->empty()) {
      bool listed = false;
      for (const auto& allowed : *e) listed = listed || allowed == value;
      if (!listed) {
        return Error::bad_request("argument `" + name + "` should be " + expected(*prop) +
                                  ", got " + shown(value));
      }
      continue;
    }
    auto t = prop->find("type");
    if (t == prop->end() || !t->is_string()) continue;
    if (!has_type(value, t->get<std::string>())) {
      return Error::bad_request("argument `" + name + "` should be " + t->get<std::string>() +
                                ", got " + type_name(value) + " " + shown(value));
    }
  }
  return Status::ok();
}

}  // namespace millrace::api
