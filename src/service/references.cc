#include "service/references.h"

#include <nlohmann/json.hpp>

#include "auth/scopes.h"
#include "common/strings.h"
#include "service/path_rights.h"
#include "service/resources.h"
#include "service/variables.h"

namespace millrace::service {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 4;

struct Resolver {
  Variables& variables;
  Resources& resources;
  Folders& folders;
  const auth::Identity& who;
  const std::string& ws;

  Result<bool> readable(const std::string& path) { return may_read_path(folders, who, ws, path); }

  Result<json> variable(const std::string& path) {
    auto found = variables.find(ws, path);
    if (!found) return found.error();
    auto may = readable(path);
    if (!may) return may.error();
    if (!*found || !*may) return Error::not_found("Variable " + path + " not found");
    auto value = variables.reveal(who, **found);
    if (!value) return value.error();
    return json(*value);
  }

  Result<json> resource(const std::string& path, int depth) {
    auto found = resources.find(ws, path);
    if (!found) return found.error();
    auto may = readable(path);
    if (!may) return may.error();
    if (!*found || !*may) return Error::not_found("Resource " + path + " not found");
    json value = json::parse((*found)->value_json, nullptr, false);
    if (value.is_discarded())
      return Error::internal("the value of resource " + path + " is not JSON");
    MR_TRY(walk(value, depth + 1));
    return value;
  }

  Status walk(json& value, int depth) {
    if (value.is_string()) {
      const std::string& s = value.get_ref<const std::string&>();
      bool var = starts_with(s, "$var:"), res = starts_with(s, "$res:");
      if (!var && !res) return Status::ok();
      if (depth > kMaxDepth) {
        return Error::bad_request("references nested more than " + std::to_string(kMaxDepth) +
                                  " levels deep at " + s);
      }
      const std::string path = s.substr(5);
      auto resolved = var ? variable(path) : resource(path, depth);
      if (!resolved) return resolved.error();
      value = std::move(*resolved);
      return Status::ok();
    }
    if (value.is_object() || value.is_array()) {
      for (auto& item : value) MR_TRY(walk(item, depth));
    }
    return Status::ok();
  }
};

// Every reference in `value`: (variables | resources, path).
void collect(const json& value, std::vector<std::pair<std::string, std::string>>& out) {
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (starts_with(s, "$var:")) out.emplace_back("variables", s.substr(5));
    if (starts_with(s, "$res:")) out.emplace_back("resources", s.substr(5));
  } else if (value.is_object() || value.is_array()) {
    for (const auto& item : value) collect(item, out);
  }
}

}  // namespace

Status References::check_scopes(const std::vector<std::string>& scopes,
                                const std::string& json_text) {
  if (auth::is_unscoped(scopes) || !may_hold_references(json_text)) return Status::ok();
  json value = json::parse(json_text, nullptr, false);
  if (value.is_discarded()) return Status::ok();
  std::vector<std::pair<std::string, std::string>> refs;
  collect(value, refs);
  for (const auto& [domain, path] : refs) {
    if (!auth::scopes_allow_path(scopes, domain, "read", path)) {
      return Error::permission_denied("Access denied. Required scope: " + domain + ":read:" + path);
    }
  }
  return Status::ok();
}

std::optional<std::string> References::first_reference(const std::string& json_text) {
  if (!may_hold_references(json_text)) return std::nullopt;
  json value = json::parse(json_text, nullptr, false);
  if (value.is_discarded()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> refs;
  collect(value, refs);
  if (refs.empty()) return std::nullopt;
  return (refs[0].first == "variables" ? "$var:" : "$res:") + refs[0].second;
}

bool References::may_hold_references(std::string_view json_text) {
  return json_text.find("\"$var:") != std::string_view::npos ||
         json_text.find("\"$res:") != std::string_view::npos;
}

Result<std::string> References::resolve(const auth::Identity& who, const std::string& ws,
                                        const std::string& json_text) {
  if (!may_hold_references(json_text)) return json_text;
  json value = json::parse(json_text, nullptr, false);
  if (value.is_discarded()) return json_text;
  Resolver r{variables_, resources_, folders_, who, ws};
  MR_TRY(r.walk(value, 0));
  return value.dump();
}

}  // namespace millrace::service
