#include "runtime/schema.h"

#include <nlohmann/json.hpp>

#include "common/json_limits.h"
#include "common/strings.h"
#include "runtime/signature.h"

namespace millrace::runtime {
namespace {

using nlohmann::json;

// "Optional[int]" -> {"Optional", "int"}; "int" -> {"int", ""}.
std::pair<std::string, std::string> split_generic(const std::string& type) {
  size_t open = type.find('[');
  if (open == std::string::npos || type.back() != ']') return {type, ""};
  return {std::string(trim(type.substr(0, open))),
          std::string(trim(type.substr(open + 1, type.size() - open - 2)))};
}

// A Python literal as JSON: numbers, strings, True/False/None, and lists or dicts of those.
std::optional<json> python_literal(const std::string& text) {
  std::string t(trim(text));
  if (t == "None") return json(nullptr);
  if (t == "True") return json(true);
  if (t == "False") return json(false);
  std::string converted;
  char quote = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (quote) {
      if (c == '\\' && i + 1 < t.size()) {
        char next = t[++i];
        if (next != '\'') converted += c;  // \' is a plain ' in JSON; other escapes match
        converted += next;
      } else if (c == quote) {
        converted += '"';
        quote = 0;
      } else if (c == '"') {
        converted += "\\\"";
      } else {
        converted += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      converted += '"';
    } else if (t.compare(i, 4, "True") == 0) {
      converted += "true";
      i += 3;
    } else if (t.compare(i, 5, "False") == 0) {
      converted += "false";
      i += 4;
    } else if (t.compare(i, 4, "None") == 0) {
      converted += "null";
      i += 3;
    } else if (c == '(' || c == ')') {
      converted += c == '(' ? '[' : ']';
    } else {
      converted += c;
    }
  }
  // Nested past what a request body may be: no default (the library recurses printing it).
  if (!json_depth_within(converted, kMaxRequestJsonDepth)) return std::nullopt;
  json j = json::parse(converted, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

json type_of_value(const json& v) {
  if (v.is_string()) return {{"type", "string"}};
  if (v.is_number_integer()) return {{"type", "integer"}};
  if (v.is_number()) return {{"type", "number"}};
  if (v.is_boolean()) return {{"type", "boolean"}};
  if (v.is_array()) return {{"type", "array"}};
  if (v.is_object()) return {{"type", "object"}};
  return json::object();
}

// Types nested deeper than any script's are any value: each level is a recursion and a copy.
constexpr int kMaxTypeDepth = 32;

json python_type(const std::string& annotation, int depth = 0) {
  if (depth > kMaxTypeDepth) return json::object();
  auto [name, inner] = split_generic(annotation);
  if (name == "str") return {{"type", "string"}};
  if (name == "int") return {{"type", "integer"}};
  if (name == "float") return {{"type", "number"}};
  if (name == "bool") return {{"type", "boolean"}};
  if (name == "bytes") return {{"type", "string"}, {"contentEncoding", "base64"}};
  if (name == "datetime" || name == "datetime.datetime") {
    return {{"type", "string"}, {"format", "date-time"}};
  }
  if (name == "date" || name == "datetime.date") return {{"type", "string"}, {"format", "date"}};
  if (name == "dict" || name == "Dict" || name == "typing.Dict") return {{"type", "object"}};
  if (name == "list" || name == "List" || name == "typing.List") {
    json j = {{"type", "array"}};
    if (!inner.empty()) j["items"] = python_type(inner, depth + 1);
    return j;
  }
  if (name == "Optional" || name == "typing.Optional") return python_type(inner, depth + 1);
  if (name == "Literal" || name == "typing.Literal") {
    auto values = python_literal("[" + inner + "]");
    if (values && values->is_array() && !values->empty()) {
      json type = type_of_value((*values)[0]);  // Literal[1, 2] holds integers, not strings
      type["enum"] = *values;
      return type;
    }
  }
  if (annotation.find('|') != std::string::npos) {  // `int | None`
    for (auto& part : split(annotation, '|')) {
      std::string p(trim(part));
      if (p != "None") return python_type(p, depth + 1);
    }
  }
  return json::object();  // unknown: any JSON value
}

// TypeScript types (Windmill's TS parser): string, number, boolean, bigint → integer, Date,
// arrays (T[] and Array<T>), unions of string literals → enum, objects; `| undefined` and
// `| null` are dropped; anything else is any JSON value.
json ts_type(const std::string& text, int depth = 0) {
  if (depth > kMaxTypeDepth) return json::object();
  std::vector<std::string> members;
  for (auto& part : split(std::string(trim(text)), '|')) {
    std::string m(trim(part));
    if (!m.empty() && m != "undefined" && m != "null") members.push_back(m);
  }
  if (members.empty()) return json::object();
  if (members[0].front() == '"' || members[0].front() == '\'') {
    json values = json::array();
    for (const auto& m : members) {
      auto v = python_literal(m);
      if (!v || !v->is_string()) return json::object();
      values.push_back(*v);
    }
    return {{"type", "string"}, {"enum", values}};
  }
  if (members.size() > 1) return json::object();  // a union of other types: any value
  const std::string& t = members[0];
  if (t == "string") return {{"type", "string"}};
  if (t == "number") return {{"type", "number"}};
  if (t == "boolean") return {{"type", "boolean"}};
  if (t == "bigint") return {{"type", "integer"}};
  if (t == "Date") return {{"type", "string"}, {"format", "date-time"}};
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "[]") == 0) {
    return {{"type", "array"}, {"items", ts_type(t.substr(0, t.size() - 2), depth + 1)}};
  }
  if (starts_with(t, "Array<") && t.back() == '>') {
    return {{"type", "array"}, {"items", ts_type(t.substr(6, t.size() - 7), depth + 1)}};
  }
  if (t == "object" || t.front() == '{' || starts_with(t, "Record<")) return {{"type", "object"}};
  return json::object();
}

json empty_schema() {
  return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
          {"type", "object"},
          {"properties", json::object()},
          {"required", json::array()}};
}

}  // namespace

std::optional<std::string> infer_schema(std::string_view language, std::string_view content) {
  json schema = empty_schema();
  json& properties = schema["properties"];
  json& required = schema["required"];
  std::vector<std::string> order;
  // One argument of a Python or TypeScript main: its type; its default when it is a literal
  // (which also gives the type when none is written); whether a caller must give it.
  auto add = [&](const std::string& name, json prop, bool typed,
                 const std::optional<std::string>& default_text, bool is_required) {
    std::optional<json> def = default_text ? python_literal(*default_text) : std::nullopt;
    if (def && !def->is_null()) {
      prop["default"] = *def;
      if (!typed) prop.update(type_of_value(*def));
    }
    prop["description"] = "";
    properties[name] = prop;
    order.push_back(name);
    if (is_required) required.push_back(name);
  };
  if (language == "python3") {
    auto params = parse_python_signature(content);
    if (!params) return std::nullopt;
    for (const auto& p : *params) {
      if (p.name.empty() || p.name[0] == '*') continue;  // *args, **kwargs
      add(p.name, p.type ? python_type(*p.type) : json::object(), p.type.has_value(),
          p.default_value, !p.default_value);
    }
  } else if (language == "bash") {
    for (const auto& p : parse_bash_signature(content)) {
      json prop = {{"type", "string"}, {"description", ""}};
      if (p.default_value) {
        prop["default"] = *p.default_value;
      } else {
        required.push_back(p.name);
      }
      properties[p.name] = prop;
      order.push_back(p.name);
    }
  } else if (is_typescript_language(language)) {
    auto params = parse_typescript_signature(content);
    if (!params) return std::nullopt;
    for (const auto& p : *params) {
      if (p.name.empty()) continue;  // destructured: nothing to name in a form
      add(p.name, p.type ? ts_type(*p.type) : json::object(), p.type.has_value(), p.default_value,
          !p.default_value && !p.optional);
    }
  } else {
    return std::nullopt;
  }
  schema["order"] = order;  // nlohmann sorts object keys; the form follows this order
  // Names and defaults are source text, which need not be UTF-8.
  return schema.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace millrace::runtime
