#include "flow/json_fields.h"

namespace millrace::flow {

std::string text_of(const ojson& v) {
  return v.dump(-1, ' ', false, ojson::error_handler_t::replace);
}

ojson parse_or_null(const std::string& text) {
  auto v = ojson::parse(text, nullptr, false);
  return v.is_discarded() ? ojson() : v;
}

std::string str(const ojson& o, const char* key) {
  if (!o.is_object()) return "";
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

bool flag(const ojson& o, const char* key) {
  if (!o.is_object()) return false;
  auto it = o.find(key);
  return it != o.end() && it->is_boolean() && it->get<bool>();
}

const ojson* field(const ojson& o, const char* key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  return it != o.end() && !it->is_null() ? &*it : nullptr;
}

const ojson& value_of(const ojson& module) {
  static const ojson kNone;
  const ojson* v = field(module, "value");
  return v ? *v : kNone;
}

ojson error_result(const std::string& name, const std::string& message) {
  return {{"error", {{"name", name}, {"message", message}}}};
}

ojson with_step_id(const ojson& failure, const std::string& step_id) {
  ojson out = failure;
  if (!out.is_object() || !out.contains("error") || !out["error"].is_object()) {
    out = error_result("ExecutionErr", text_of(failure));
  }
  out["error"]["step_id"] = step_id;
  return out;
}

}  // namespace millrace::flow
