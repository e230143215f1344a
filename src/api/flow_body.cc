#include "api/flow_body.h"

#include <nlohmann/json.hpp>

#include "api/extra_fields.h"
#include "api/paths.h"
#include "api/replies.h"
#include "common/json_limits.h"

namespace millrace::api {
namespace {

using nlohmann::json;

constexpr const char* kModuleTypes[] = {"rawscript",     "script",    "flow",      "forloopflow",
                                        "whileloopflow", "branchone", "branchall", "identity"};

// The modules of a flow value, and of its loops and branches, each with an id and a known
// type. `where` names the place for the error ("value.modules[2]").
Status check_modules(const json& modules, const std::string& where) {
  if (!modules.is_array()) return json_data_error(where + ": expected an array of modules");
  for (size_t i = 0; i < modules.size(); ++i) {
    const json& m = modules[i];
    const std::string at = where + "[" + std::to_string(i) + "]";
    if (!m.is_object()) return json_data_error(at + ": expected a module object");
    if (!m.contains("id") || !m["id"].is_string() || m["id"].get<std::string>().empty())
      return json_data_error(at + ": missing field `id` (a non-empty string)");
    if (!m.contains("value") || !m["value"].is_object() || !m["value"].contains("type") ||
        !m["value"]["type"].is_string())
      return json_data_error(at + ": missing field `value` with a `type`");
    const std::string type = m["value"]["type"].get<std::string>();
    bool known = false;
    for (const char* t : kModuleTypes) known = known || type == t;
    if (!known) return json_data_error(at + ".value.type: unknown variant `" + type + "`");
    const json& v = m["value"];
    if (type == "forloopflow" || type == "whileloopflow") {
      if (auto st = check_modules(v.value("modules", json()), at + ".value.modules"); !st)
        return st;
    } else if (type == "branchone" || type == "branchall") {
      const json& branches = v.value("branches", json());
      if (!branches.is_array()) return json_data_error(at + ".value.branches: expected an array");
      for (size_t b = 0; b < branches.size(); ++b) {
        const std::string bat = at + ".value.branches[" + std::to_string(b) + "].modules";
        if (!branches[b].is_object()) return json_data_error(bat + ": expected a branch object");
        if (auto st = check_modules(branches[b].value("modules", json()), bat); !st) return st;
      }
      if (type == "branchone" && v.contains("default")) {
        if (auto st = check_modules(v["default"], at + ".value.default"); !st) return st;
      }
    }
  }
  return Status::ok();
}

Result<ParsedFlow> parse_flow(const json& b, const std::string& ws) {
  if (!b.is_object()) return json_data_error("expected an OpenFlowWPath object");
  ParsedFlow p;
  store::FlowRecord& f = p.flow;
  f.workspace_id = ws;
  for (const char* field : {"path", "summary"}) {
    if (!b.contains(field)) return json_data_error(std::string("missing field `") + field + "`");
    if (!b[field].is_string()) return json_data_error(std::string(field) + ": expected a string");
  }
  f.path = b["path"].get<std::string>();
  if (!is_valid_script_path(f.path)) return invalid_path_error(f.path);
  f.summary = b["summary"].get<std::string>();
  if (b.contains("description") && !b["description"].is_null()) {
    if (!b["description"].is_string()) return json_data_error("description: expected a string");
    f.description = b["description"].get<std::string>();
  }
  if (!b.contains("value")) return json_data_error("missing field `value`");
  const json& value = b["value"];
  if (auto st = check_flow_value(value); !st) return st.error();
  f.value_json = value.dump();
  if (b.contains("schema") && !b["schema"].is_null()) {
    if (!b["schema"].is_object()) return json_data_error("schema: expected a JSON schema object");
    f.schema_json = b["schema"].dump();
  }
  if (b.contains("deployment_message") && b["deployment_message"].is_string()) {
    p.deployment_msg = b["deployment_message"].get<std::string>();
  }
  json extra = extra_fields(b, {"path", "summary", "description", "value", "schema",
                                "deployment_message", "skip_draft_deletion"});
  if (!extra.empty()) f.extra_json = extra.dump();
  return p;
}

}  // namespace

Status check_flow_value(const json& value) {
  if (!value.is_object()) return json_data_error("value: expected a FlowValue object");
  if (!value.contains("modules")) return json_data_error("value: missing field `modules`");
  if (auto st = check_modules(value["modules"], "value.modules"); !st) return st;
  if (value.contains("failure_module") && !value["failure_module"].is_null()) {
    return check_modules(json::array({value["failure_module"]}), "value.failure_module");
  }
  return Status::ok();
}

Result<ParsedFlow> parse_flow_body(const std::string& body, const std::string& ws) {
  if (!json_depth_within(body, kMaxRequestJsonDepth)) {
    return Error::bad_request("the flow is nested more than " +
                              std::to_string(kMaxRequestJsonDepth) + " levels deep");
  }
  json b = json::parse(body, nullptr, false);
  if (b.is_discarded()) return Error::bad_request("the body is not JSON");
  return parse_flow(b, ws);
}

}  // namespace millrace::api
